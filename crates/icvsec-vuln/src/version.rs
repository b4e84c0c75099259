//! Version ordering per ecosystem. Every comparison is total and never panics on odd input
//! (versions come from scanned images and feeds).

use crate::component::Ecosystem;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// Which ordering rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scheme {
    /// Debian policy 5.6.12: `[epoch:]upstream[-revision]`, `~` sorts before anything.
    Dpkg,
    /// Alpine apk: dotted numbers, one letter, `_alpha/_beta/_pre/_rc` < release <
    /// `_cvs/_svn/_git/_hg/_p`, then `-rN`.
    Apk,
    /// Numeric dotted (kernel): anything after the numeric prefix is ignored.
    Kernel,
    /// OpenSSL: numeric dotted then letters, `1.1.1 < 1.1.1a < 1.1.1z < 1.1.1za`.
    OpenSsl,
    /// Semver-like: numeric and alphabetic runs; a `-`/`~` pre-release or a known pre-release
    /// word (alpha, beta, rc, pre, dev) sorts before the release, any other suffix after it
    /// (`8.4 < 8.4p1`).
    Generic,
}

/// The scheme for a component of this ecosystem and name.
pub fn scheme_for(ecosystem: Ecosystem, name: &str) -> Scheme {
    match ecosystem {
        Ecosystem::Debian | Ecosystem::OpenWrt => Scheme::Dpkg,
        Ecosystem::Alpine => Scheme::Apk,
        Ecosystem::Linux => Scheme::Kernel,
        Ecosystem::Android | Ecosystem::Generic => scheme_for_product(name),
    }
}

/// The scheme for an upstream product name (binary signatures, CPE products).
pub fn scheme_for_product(name: &str) -> Scheme {
    match name.to_ascii_lowercase().as_str() {
        "openssl" | "libssl" | "libcrypto" => Scheme::OpenSsl,
        "linux" | "linux_kernel" | "kernel" | "linux-kernel" => Scheme::Kernel,
        _ => Scheme::Generic,
    }
}

pub fn compare(scheme: Scheme, a: &str, b: &str) -> Ordering {
    match scheme {
        Scheme::Dpkg => dpkg_cmp(a, b),
        Scheme::Apk => apk_cmp(a, b),
        Scheme::Kernel => kernel_cmp(a, b),
        Scheme::OpenSsl => openssl_cmp(a, b),
        Scheme::Generic => generic_cmp(a, b),
    }
}

// ---------------------------------------------------------------- dpkg

/// dpkg's `verrevcmp` over epoch, upstream and revision.
pub fn dpkg_cmp(a: &str, b: &str) -> Ordering {
    let (ea, ua, ra) = dpkg_split(a);
    let (eb, ub, rb) = dpkg_split(b);
    ea.cmp(&eb)
        .then_with(|| verrevcmp(ua.as_bytes(), ub.as_bytes()))
        .then_with(|| verrevcmp(ra.as_bytes(), rb.as_bytes()))
}

fn dpkg_split(v: &str) -> (u64, &str, &str) {
    let v = v.trim();
    let (epoch, rest) = match v.split_once(':') {
        Some((e, r)) if !e.is_empty() && e.bytes().all(|c| c.is_ascii_digit()) => {
            (e.parse::<u64>().unwrap_or(u64::MAX), r)
        }
        _ => (0, v),
    };
    match rest.rfind('-') {
        Some(i) => (epoch, &rest[..i], &rest[i + 1..]),
        None => (epoch, rest, ""),
    }
}

fn dpkg_order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => c as i32,
        Some(c) => c as i32 + 256,
    }
}

fn verrevcmp(a: &[u8], b: &[u8]) -> Ordering {
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        // Non-digit prefix, compared by dpkg's character order.
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let ac = dpkg_order(a.get(i).copied().filter(|c| !c.is_ascii_digit()));
            let bc = dpkg_order(b.get(j).copied().filter(|c| !c.is_ascii_digit()));
            if ac != bc {
                return ac.cmp(&bc);
            }
            if i < a.len() && !a[i].is_ascii_digit() {
                i += 1;
            }
            if j < b.len() && !b[j].is_ascii_digit() {
                j += 1;
            }
        }
        let (na, ni) = digits(a, i);
        let (nb, nj) = digits(b, j);
        i = ni;
        j = nj;
        match num_cmp(na, nb) {
            Ordering::Equal => {}
            o => return o,
        }
    }
    Ordering::Equal
}

/// The run of ASCII digits at `i` and the index after it.
fn digits(s: &[u8], mut i: usize) -> (&[u8], usize) {
    let start = i;
    while i < s.len() && s[i].is_ascii_digit() {
        i += 1;
    }
    (&s[start..i], i)
}

/// Compares digit runs of any length without overflow.
fn num_cmp(a: &[u8], b: &[u8]) -> Ordering {
    let strip = |s: &[u8]| -> usize { s.iter().take_while(|&&c| c == b'0').count() };
    let a = &a[strip(a)..];
    let b = &b[strip(b)..];
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

// ---------------------------------------------------------------- apk

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Clone, Copy)]
enum ApkSuffix {
    Alpha,
    Beta,
    Pre,
    Rc,
    None,
    Cvs,
    Svn,
    Git,
    Hg,
    P,
}

struct ApkVersion<'a> {
    nums: Vec<&'a [u8]>,
    letter: Option<u8>,
    suffixes: Vec<(ApkSuffix, &'a [u8])>,
    revision: &'a [u8],
    /// Anything that did not parse, compared bytewise as a last resort.
    rest: &'a [u8],
}

fn apk_parse(v: &str) -> ApkVersion<'_> {
    let s = v.trim().as_bytes();
    let mut i = 0;
    let mut nums = Vec::new();
    loop {
        let (n, ni) = digits(s, i);
        if n.is_empty() {
            break;
        }
        nums.push(n);
        i = ni;
        if i + 1 < s.len() && s[i] == b'.' && s[i + 1].is_ascii_digit() {
            i += 1;
        } else {
            break;
        }
    }
    let mut letter = None;
    if i < s.len() && s[i].is_ascii_lowercase() {
        letter = Some(s[i]);
        i += 1;
    }
    let mut suffixes = Vec::new();
    while i < s.len() && s[i] == b'_' {
        let start = i + 1;
        let mut k = start;
        while k < s.len() && s[k].is_ascii_lowercase() {
            k += 1;
        }
        let suf = match &s[start..k] {
            b"alpha" => ApkSuffix::Alpha,
            b"beta" => ApkSuffix::Beta,
            b"pre" => ApkSuffix::Pre,
            b"rc" => ApkSuffix::Rc,
            b"cvs" => ApkSuffix::Cvs,
            b"svn" => ApkSuffix::Svn,
            b"git" => ApkSuffix::Git,
            b"hg" => ApkSuffix::Hg,
            b"p" => ApkSuffix::P,
            _ => break,
        };
        let (n, nk) = digits(s, k);
        suffixes.push((suf, n));
        i = nk;
    }
    let mut revision: &[u8] = b"";
    if i + 2 <= s.len() && s[i] == b'-' && s.get(i + 1) == Some(&b'r') {
        let (n, ni) = digits(s, i + 2);
        if !n.is_empty() {
            revision = n;
            i = ni;
        }
    }
    ApkVersion {
        nums,
        letter,
        suffixes,
        revision,
        rest: &s[i..],
    }
}

/// Alpine's ordering (apk-tools version.c), on the parsed tokens.
pub fn apk_cmp(a: &str, b: &str) -> Ordering {
    let x = apk_parse(a);
    let y = apk_parse(b);
    for k in 0..x.nums.len().max(y.nums.len()) {
        match (x.nums.get(k), y.nums.get(k)) {
            (Some(p), Some(q)) => {
                // apk compares later components with leading zeros as fractions.
                let o = if k > 0 && (p.first() == Some(&b'0') || q.first() == Some(&b'0')) {
                    p.cmp(q)
                } else {
                    num_cmp(p, q)
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
            (Some(_), None) => return Ordering::Greater,
            (None, Some(_)) => return Ordering::Less,
            (None, None) => {}
        }
    }
    match x.letter.cmp(&y.letter) {
        Ordering::Equal => {}
        o => return o,
    }
    for k in 0..x.suffixes.len().max(y.suffixes.len()) {
        let p = x.suffixes.get(k).copied().unwrap_or((ApkSuffix::None, b""));
        let q = y.suffixes.get(k).copied().unwrap_or((ApkSuffix::None, b""));
        let o = p.0.cmp(&q.0).then_with(|| num_cmp(p.1, q.1));
        if o != Ordering::Equal {
            return o;
        }
    }
    num_cmp(x.revision, y.revision).then_with(|| x.rest.cmp(y.rest))
}

// ---------------------------------------------------------------- kernel

/// The numeric dotted prefix ("5.10.110-rt63" -> [5, 10, 110]); missing parts are 0.
pub fn kernel_numbers(v: &str) -> Vec<u64> {
    let v = v.trim().trim_start_matches(['v', 'V']);
    let end = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(v.len());
    v[..end]
        .split('.')
        .filter(|p| !p.is_empty())
        .take(8)
        .map(|p| p.parse::<u64>().unwrap_or(u64::MAX))
        .collect()
}

pub fn kernel_cmp(a: &str, b: &str) -> Ordering {
    let x = kernel_numbers(a);
    let y = kernel_numbers(b);
    for k in 0..x.len().max(y.len()) {
        let o = x.get(k).unwrap_or(&0).cmp(y.get(k).unwrap_or(&0));
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

// ---------------------------------------------------------------- OpenSSL

/// "1.1.1k" -> numbers [1,1,1], letters "k"; "3.0.2" -> [3,0,2], ""; "-fips" etc. ignored.
fn openssl_split(v: &str) -> (Vec<u64>, String) {
    let v = v.trim();
    let end = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(v.len());
    let nums = v[..end]
        .split('.')
        .filter(|p| !p.is_empty())
        .take(8)
        .map(|p| p.parse::<u64>().unwrap_or(u64::MAX))
        .collect();
    let letters: String = v[end..]
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (nums, letters)
}

pub fn openssl_cmp(a: &str, b: &str) -> Ordering {
    let (x, lx) = openssl_split(a);
    let (y, ly) = openssl_split(b);
    for k in 0..x.len().max(y.len()) {
        let o = x.get(k).unwrap_or(&0).cmp(y.get(k).unwrap_or(&0));
        if o != Ordering::Equal {
            return o;
        }
    }
    // Letter releases: shorter first, then alphabetical ("z" < "za").
    lx.len().cmp(&ly.len()).then_with(|| lx.cmp(&ly))
}

// ---------------------------------------------------------------- generic

#[derive(Debug, PartialEq, Eq)]
enum Tok<'a> {
    Num(&'a [u8]),
    Alpha(&'a [u8]),
    /// A `-` or `~` followed by a letter: starts a pre-release.
    PreSep,
}

fn generic_tokens(v: &str) -> Vec<Tok<'_>> {
    let s = v.trim().trim_start_matches(['v', 'V']).as_bytes();
    let s = s.split(|&c| c == b'+').next().unwrap_or(s); // build metadata ignored
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() && out.len() < 64 {
        let c = s[i];
        if c.is_ascii_digit() {
            let (n, ni) = digits(s, i);
            out.push(Tok::Num(n));
            i = ni;
        } else if c.is_ascii_alphabetic() {
            let start = i;
            while i < s.len() && s[i].is_ascii_alphabetic() {
                i += 1;
            }
            out.push(Tok::Alpha(&s[start..i]));
        } else {
            if (c == b'-' || c == b'~') && s.get(i + 1).is_some_and(|d| d.is_ascii_alphabetic()) {
                out.push(Tok::PreSep);
            }
            i += 1;
        }
    }
    out
}

fn is_pre_word(w: &[u8]) -> bool {
    let w = w.to_ascii_lowercase();
    matches!(
        w.as_slice(),
        b"alpha" | b"a" | b"beta" | b"b" | b"rc" | b"pre" | b"preview" | b"dev" | b"snapshot"
    )
}

pub fn generic_cmp(a: &str, b: &str) -> Ordering {
    let x = generic_tokens(a);
    let y = generic_tokens(b);
    let mut k = 0;
    loop {
        match (x.get(k), y.get(k)) {
            (None, None) => return Ordering::Equal,
            (Some(t), None) => {
                return if starts_pre(t) {
                    Ordering::Less
                } else {
                    Ordering::Greater
                };
            }
            (None, Some(t)) => {
                return if starts_pre(t) {
                    Ordering::Greater
                } else {
                    Ordering::Less
                };
            }
            (Some(p), Some(q)) => {
                let o = match (p, q) {
                    (Tok::Num(m), Tok::Num(n)) => num_cmp(m, n),
                    (Tok::Alpha(m), Tok::Alpha(n)) => {
                        let (pm, pn) = (is_pre_word(m), is_pre_word(n));
                        match (pm, pn) {
                            (true, false) => Ordering::Less,
                            (false, true) => Ordering::Greater,
                            _ => m.to_ascii_lowercase().cmp(&n.to_ascii_lowercase()),
                        }
                    }
                    (Tok::PreSep, Tok::PreSep) => Ordering::Equal,
                    // A pre-release marker sorts before anything else at the same place.
                    (Tok::PreSep, _) => Ordering::Less,
                    (_, Tok::PreSep) => Ordering::Greater,
                    // "1.0a" vs "1.0.1": a number continues the release, a letter is a suffix.
                    (Tok::Num(_), Tok::Alpha(_)) => Ordering::Greater,
                    (Tok::Alpha(_), Tok::Num(_)) => Ordering::Less,
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
        k += 1;
    }
}

/// Whether the rest of a longer version makes it a pre-release of the shorter one.
fn starts_pre(first: &Tok<'_>) -> bool {
    match first {
        Tok::PreSep => true,
        Tok::Alpha(w) => is_pre_word(w),
        Tok::Num(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    fn check(s: Scheme, cases: &[(&str, &str, Ordering)]) {
        for (a, b, o) in cases {
            assert_eq!(compare(s, a, b), *o, "{s:?}: {a} vs {b}");
            assert_eq!(compare(s, b, a), o.reverse(), "{s:?}: {b} vs {a}");
        }
    }

    #[test]
    fn dpkg() {
        check(
            Scheme::Dpkg,
            &[
                ("1.0", "1.0", Equal),
                ("1.0-1", "1.0-2", Less),
                ("1:0.9", "2.0", Greater),
                ("1.0~rc1", "1.0", Less),
                ("1.0~~", "1.0~", Less),
                ("1.0", "1.0+deb11u1", Less),
                ("1.1.1k-1+deb11u1", "1.1.1n-0+deb11u1", Less),
                ("1.1.1n-0+deb11u1", "1.1.1n-0+deb11u2", Less),
                ("2.30-1", "2.3-1", Greater),
                ("1.0a", "1.0", Greater),
                ("1.0.", "1.0", Greater),
                ("00001", "1", Equal),
                ("99999999999999999999999", "1", Greater),
                ("1.33.1-r0", "1.33.1", Greater),
            ],
        );
    }

    #[test]
    fn apk() {
        check(
            Scheme::Apk,
            &[
                ("1.2.3", "1.2.3", Equal),
                ("1.2.3-r1", "1.2.3-r0", Greater),
                ("1.2.3_rc1", "1.2.3", Less),
                ("1.2.3_rc1", "1.2.3_rc2", Less),
                ("1.2.3_alpha", "1.2.3_beta", Less),
                ("1.2.3_p1", "1.2.3", Greater),
                ("1.2.3_p1", "1.2.4", Less),
                ("1.1.1k-r0", "1.1.1n-r0", Less),
                ("1.1.1", "1.1.1a", Less),
                ("1.35.0-r17", "1.35.0-r7", Greater),
                ("1.2.10", "1.2.9", Greater),
                ("1.2", "1.2.0", Less),
                ("9.3_p2-r0", "9.3_p1-r1", Greater),
            ],
        );
    }

    #[test]
    fn kernel() {
        check(
            Scheme::Kernel,
            &[
                ("5.10.110", "5.10.102", Greater),
                ("5.10", "5.10.0", Equal),
                ("5.10.110-rt63-yocto", "5.10.110", Equal),
                ("4.19.325", "5.4.1", Less),
                ("6.1.0-android14-11", "6.1.1", Less),
            ],
        );
    }

    #[test]
    fn openssl() {
        check(
            Scheme::OpenSsl,
            &[
                ("1.1.1k", "1.1.1w", Less),
                ("1.1.1", "1.1.1a", Less),
                ("1.1.1z", "1.1.1za", Less),
                ("1.0.2zk", "1.1.0", Less),
                ("3.0.2", "1.1.1w", Greater),
                ("3.0.10", "3.0.9", Greater),
                ("1.1.1k-fips", "1.1.1k", Equal),
            ],
        );
    }

    #[test]
    fn generic() {
        check(
            Scheme::Generic,
            &[
                ("8.4p1", "8.5", Less),
                ("8.4", "8.4p1", Less),
                ("9.3p1", "9.3p2", Less),
                ("1.0.0-rc1", "1.0.0", Less),
                ("1.0.0-alpha", "1.0.0-beta", Less),
                ("1.0.0rc1", "1.0.0", Less),
                ("2020.81", "2022.82", Less),
                ("1.33.1", "1.35.0", Less),
                ("7.79.1", "7.79.1", Equal),
                ("v1.2", "1.2", Equal),
                ("1.2+build5", "1.2", Equal),
                ("1.10", "1.9", Greater),
                ("1.0a", "1.0.1", Less),
            ],
        );
    }

    #[test]
    fn never_panics_on_junk() {
        let junk = [
            "",
            ":",
            "-",
            "~",
            "1:",
            ":1",
            "_",
            "-r",
            "..",
            "\u{0}\u{ff}",
            "1_rc_p-r",
            "%%",
            "99999999999999999999999999.1",
        ];
        for s in [
            Scheme::Dpkg,
            Scheme::Apk,
            Scheme::Kernel,
            Scheme::OpenSsl,
            Scheme::Generic,
        ] {
            for a in junk {
                for b in junk {
                    let o = compare(s, a, b);
                    assert_eq!(compare(s, b, a), o.reverse(), "{s:?} {a:?} {b:?}");
                }
            }
        }
    }
}

//! Glob matching in O(pattern × text), iterative, no recursion.
//!
//! Backtracking matchers are exponential in the number of stars (`*a*a*a*a*b` against a
//! long name) and recursive ones overflow the stack on 100,000 stars; both were seen on
//! hostile builds. This matcher keeps only the last star (the classic greedy algorithm
//! that is correct for globs because a later star can absorb whatever an earlier one
//! would have), so each text position is revisited at most once per star.
//!
//! Syntax (fnmatch(3)): `*`, `?`, `[abc]`, `[a-z]`, `[!x]`/`[^x]`, `\` escapes the next
//! character. An unclosed `[` is a literal.

/// A compiled pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Glob {
    tokens: Vec<Token>,
    /// A leading `.` in the text must be matched by a literal `.` (glob(3), shells, sshd).
    dot_literal: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Lit(char),
    Any,
    Star,
    Class {
        negated: bool,
        items: Vec<(char, char)>,
    },
}

impl Glob {
    /// A glob for one path component (file names): a leading dot must be literal.
    pub fn component(pattern: &str) -> Glob {
        Glob::compile(pattern, true)
    }

    /// A glob over whole strings (rule ids, asset ids): `*` matches anything.
    pub fn text(pattern: &str) -> Glob {
        Glob::compile(pattern, false)
    }

    fn compile(pattern: &str, dot_literal: bool) -> Glob {
        let p: Vec<char> = pattern.chars().collect();
        let mut tokens = Vec::with_capacity(p.len());
        let mut i = 0;
        while i < p.len() {
            match p[i] {
                '*' => {
                    // Consecutive stars are one star.
                    if tokens.last() != Some(&Token::Star) {
                        tokens.push(Token::Star);
                    }
                    i += 1;
                }
                '?' => {
                    tokens.push(Token::Any);
                    i += 1;
                }
                '\\' if i + 1 < p.len() => {
                    tokens.push(Token::Lit(p[i + 1]));
                    i += 2;
                }
                '[' => match parse_class(&p, i) {
                    Some((tok, next)) => {
                        tokens.push(tok);
                        i = next;
                    }
                    None => {
                        tokens.push(Token::Lit('['));
                        i += 1;
                    }
                },
                c => {
                    tokens.push(Token::Lit(c));
                    i += 1;
                }
            }
        }
        Glob {
            tokens,
            dot_literal,
        }
    }

    /// Whether the pattern has any wildcard (else it is a plain name).
    pub fn is_literal(&self) -> bool {
        self.tokens.iter().all(|t| matches!(t, Token::Lit(_)))
    }

    pub fn matches(&self, text: &str) -> bool {
        let n: Vec<char> = text.chars().collect();
        if self.dot_literal
            && n.first() == Some(&'.')
            && self.tokens.first() != Some(&Token::Lit('.'))
        {
            return false;
        }
        let t = &self.tokens;
        let (mut ti, mut ni) = (0usize, 0usize);
        // Position after the last star, and the text position it currently absorbs up to.
        let mut star: Option<(usize, usize)> = None;
        while ni < n.len() {
            if ti < t.len() {
                let step = match &t[ti] {
                    Token::Star => {
                        star = Some((ti + 1, ni));
                        ti += 1;
                        continue;
                    }
                    Token::Any => true,
                    Token::Lit(c) => *c == n[ni],
                    Token::Class { negated, items } => {
                        let inside = items.iter().any(|&(a, b)| a <= n[ni] && n[ni] <= b);
                        inside != *negated
                    }
                };
                if step {
                    ti += 1;
                    ni += 1;
                    continue;
                }
            }
            match star {
                Some((after, absorbed)) => {
                    ti = after;
                    ni = absorbed + 1;
                    star = Some((after, absorbed + 1));
                }
                None => return false,
            }
        }
        t[ti..].iter().all(|tok| *tok == Token::Star)
    }
}

/// `[...]` starting at `i`; None when unclosed (then `[` is literal).
fn parse_class(p: &[char], i: usize) -> Option<(Token, usize)> {
    let mut j = i + 1;
    let negated = matches!(p.get(j), Some('!') | Some('^'));
    if negated {
        j += 1;
    }
    let mut items = Vec::new();
    let mut first = true;
    while j < p.len() {
        let c = p[j];
        if c == ']' && !first {
            return Some((Token::Class { negated, items }, j + 1));
        }
        first = false;
        let lo = if c == '\\' && j + 1 < p.len() {
            j += 1;
            p[j]
        } else {
            c
        };
        if j + 2 < p.len() && p[j + 1] == '-' && p[j + 2] != ']' {
            let hi = p[j + 2];
            items.push((lo, hi));
            j += 3;
        } else {
            items.push((lo, lo));
            j += 1;
        }
    }
    None
}

/// fnmatch(3) of one path component.
pub fn fnmatch(pattern: &str, name: &str) -> bool {
    Glob::component(pattern).matches(name)
}

/// Whether a string contains glob metacharacters.
pub fn has_magic(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basics() {
        assert!(fnmatch("*.conf", "a.conf"));
        assert!(!fnmatch("*.conf", ".hidden.conf"));
        assert!(fnmatch(".*", ".hidden"));
        assert!(fnmatch("a?c", "abc"));
        assert!(fnmatch("[a-c]x", "bx"));
        assert!(!fnmatch("[!a-c]x", "bx"));
        assert!(fnmatch("[^a-c]x", "dx"));
        assert!(fnmatch("\\*", "*"));
        assert!(!fnmatch("\\*", "a"));
        assert!(fnmatch("[", "["));
        assert!(fnmatch("[]]", "]"));
        assert!(fnmatch("a*b*c", "aXXbYYc"));
        assert!(!fnmatch("a*b*c", "aXXbYY"));
        assert!(fnmatch("*", ""));
        assert!(!fnmatch("?", ""));
        assert!(Glob::text("ICV-CRT-*").matches("ICV-CRT-018"));
        assert!(Glob::text("*").matches(".x"));
    }

    #[test]
    fn hostile_patterns_are_fast_and_iterative() {
        // 100,000 stars: one token, no recursion, no stack overflow.
        let p = "*".repeat(100_000);
        assert!(Glob::text(&p).matches("anything"));
        // The backtracking blow-up case: many stars, a long name that almost matches.
        let p = "*a*a*a*a*a*a*a*a*a*a*b";
        let name = "a".repeat(10_000);
        assert!(!fnmatch(p, &name));
        let p: String = "*a".repeat(5_000) + "b";
        assert!(!Glob::text(&p).matches(&"a".repeat(20_000)));
    }

    /// Compare with a simple exponential reference on small inputs.
    #[test]
    fn agrees_with_a_reference_matcher() {
        fn reference(p: &[char], n: &[char]) -> bool {
            match p.first() {
                None => n.is_empty(),
                Some('*') => (0..=n.len()).any(|k| reference(&p[1..], &n[k..])),
                Some('?') => !n.is_empty() && reference(&p[1..], &n[1..]),
                Some(c) => n.first() == Some(c) && reference(&p[1..], &n[1..]),
            }
        }
        let alphabet = ['a', 'b', '*', '?'];
        let mut seed = 7u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let pl = (next() % 7) as usize;
            let nl = (next() % 8) as usize;
            let p: Vec<char> = (0..pl).map(|_| alphabet[(next() % 4) as usize]).collect();
            let n: Vec<char> = (0..nl).map(|_| alphabet[(next() % 2) as usize]).collect();
            let ps: String = p.iter().collect();
            let ns: String = n.iter().collect();
            assert_eq!(
                Glob::text(&ps).matches(&ns),
                reference(&p, &n),
                "pattern {ps:?} text {ns:?}"
            );
        }
    }
}

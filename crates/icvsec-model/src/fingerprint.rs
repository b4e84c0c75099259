//! Stable fingerprints (FNV-1a, 64 bit): the same finding gets the same fingerprint on
//! every run and machine. Used for SARIF partialFingerprints, baselines and waivers.

pub fn fnv1a64(parts: &[&str]) -> String {
    hex(fnv1a64_value(parts))
}

/// The hash behind [`fnv1a64`], as a number (for callers that compare many of them).
pub fn fnv1a64_value(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.as_bytes().iter().chain(std::iter::once(&0x1f)) {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// A fingerprint's text: 16 lowercase hex digits.
pub fn hex(hash: u64) -> String {
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn stable_and_separated() {
        assert_eq!(super::fnv1a64(&["a", "b"]), super::fnv1a64(&["a", "b"]));
        assert_ne!(super::fnv1a64(&["ab", ""]), super::fnv1a64(&["a", "b"]));
    }
}

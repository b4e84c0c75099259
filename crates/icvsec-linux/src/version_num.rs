//! Numeric parts of version strings (`9.6p1`, `5.15.0-91-generic`), shared by the
//! version detection and the parsers that judge by version (kernel config, sshd).

/// Leading dotted numeric components of a version string.
pub fn numeric_prefix(v: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for part in v.split(['.', '-', '+', '~']) {
        let digits: String = part.chars().take_while(|c| c.is_ascii_digit()).collect();
        let Ok(n) = digits.parse() else { break };
        out.push(n);
        if digits.len() != part.len() {
            break;
        }
    }
    out
}

/// (major, minor) of a version string.
pub fn major_minor(v: &str) -> Option<(u32, u32)> {
    let n = numeric_prefix(v);
    Some((*n.first()?, n.get(1).copied().unwrap_or(0)))
}

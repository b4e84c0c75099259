//! Version ordering for the stale-package check: dotted/dashed segments compared
//! numerically when both are numbers, otherwise as text (so 1.10 > 1.9, 2024.01-2 > 2024.01-1).

use std::cmp::Ordering;

/// Compares two version strings segment by segment (separators `.`, `-`, `_`, `+`, `~`).
/// Numeric segments compare as numbers, others as text; a missing segment is lower.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    let split = |s: &str| -> Vec<String> {
        s.trim()
            .split(['.', '-', '_', '+', '~'])
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect()
    };
    let (pa, pb) = (split(a), split(b));
    for i in 0..pa.len().max(pb.len()) {
        let ord = match (pa.get(i), pb.get(i)) {
            (Some(x), Some(y)) => {
                let nx = x.trim_start_matches('0');
                let ny = y.trim_start_matches('0');
                if x.bytes().all(|c| c.is_ascii_digit()) && y.bytes().all(|c| c.is_ascii_digit()) {
                    nx.len().cmp(&ny.len()).then_with(|| nx.cmp(ny))
                } else {
                    x.cmp(y)
                }
            }
            (Some(_), None) => Ordering::Greater,
            (None, Some(_)) => Ordering::Less,
            (None, None) => Ordering::Equal,
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders() {
        assert_eq!(compare_versions("1.10", "1.9"), Ordering::Greater);
        assert_eq!(
            compare_versions("2024.01-2", "2024.01-1"),
            Ordering::Greater
        );
        assert_eq!(compare_versions("1.0", "1.0.0"), Ordering::Less);
        assert_eq!(compare_versions("1.0.0", "1.0.0"), Ordering::Equal);
        assert_eq!(compare_versions("0001", "1"), Ordering::Equal);
        assert_eq!(
            compare_versions("99999999999999999999999", "1"),
            Ordering::Greater
        );
    }
}

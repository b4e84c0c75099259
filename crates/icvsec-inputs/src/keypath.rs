//! Key-path arithmetic (`ecus[3].debug`) shared by the source map and the lenient loader.

/// `ecus[3].debug` with list `ecus` gives (3, ".debug").
pub(crate) fn split_index<'p>(path: &'p str, list: &str) -> Option<(usize, &'p str)> {
    let tail = path.strip_prefix(list)?.strip_prefix('[')?;
    let close = tail.find(']')?;
    let j = tail[..close].parse().ok()?;
    Some((j, &tail[close + 1..]))
}

/// After removing element `idx` of `list`: the path as it is now, or None when it was
/// inside the removed element.
pub(crate) fn shift_path(path: &str, list: &str, idx: usize) -> Option<String> {
    match split_index(path, list) {
        Some((j, _)) if j == idx => None,
        Some((j, rest)) if j > idx => Some(format!("{list}[{}]{rest}", j - 1)),
        _ => Some(path.to_string()),
    }
}

/// Whether two key paths lie on one branch (one is the other or inside it), by segment.
pub fn on_branch(a: &str, b: &str) -> bool {
    if a.is_empty() || b.is_empty() {
        return true;
    }
    let inside = |long: &str, short: &str| {
        long.strip_prefix(short)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
    };
    inside(a, b) || inside(b, a)
}

//! Exit codes, documented in the README.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Nothing at or above the fail threshold, assessment complete.
    Clean = 0,
    /// Failing findings at or above the threshold.
    Findings = 1,
    /// Usage error, unreadable configuration, or a rule catalog that does not load.
    Usage = 2,
    /// Something could not be assessed (and `--allow-incomplete` was not given).
    Incomplete = 3,
}

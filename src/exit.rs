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

/// Write to standard output; a closed pipe (`icvsec rules list | head -1`) ends the
/// process quietly with `code_on_close` instead of a panic or an error message.
pub fn stdout_write(args: std::fmt::Arguments<'_>, code_on_close: i32) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args) {
        if is_broken_pipe(&e) {
            std::process::exit(code_on_close);
        }
        eprintln!("icvsec: error: cannot write to standard output: {e}");
        std::process::exit(Exit::Usage as i32);
    }
}

/// Whether an output error is a closed pipe, also when a serializer wrapped it.
pub fn is_broken_pipe(e: &std::io::Error) -> bool {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return true;
    }
    let mut source = e.get_ref().map(|s| s as &(dyn std::error::Error + 'static));
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::BrokenPipe
        {
            return true;
        }
        if let Some(j) = s.downcast_ref::<serde_json::Error>()
            && j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe)
        {
            return true;
        }
        source = s.source();
    }
    false
}

/// `println!` that is quiet on a closed pipe (exit 0: the reader has what it wanted).
#[macro_export]
macro_rules! outln {
    () => { $crate::exit::stdout_write(format_args!("\n"), 0) };
    ($($arg:tt)*) => { $crate::exit::stdout_write(format_args!("{}\n", format_args!($($arg)*)), 0) };
}

/// `print!` that is quiet on a closed pipe.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => { $crate::exit::stdout_write(format_args!($($arg)*), 0) };
}

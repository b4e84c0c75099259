//! Dates on the command line (`--as-of`): shared by `scan` and `probe`, kept apart from
//! both so that neither command module imports the other.

/// Parse `YYYY-MM-DD` into (unix seconds at 00:00 UTC, label).
pub fn parse_date(s: &str) -> Result<(i64, String), String> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(s, &fmt)
        .map_err(|e| format!("invalid date `{s}` (expected YYYY-MM-DD): {e}"))?;
    let t = d.midnight().assume_utc().unix_timestamp();
    Ok((t, d.format(&fmt).unwrap_or_else(|_| s.to_string())))
}

/// Today (UTC) as (unix seconds now, `YYYY-MM-DD`).
pub fn today() -> (i64, String) {
    let now = time::OffsetDateTime::now_utc();
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    (
        now.unix_timestamp(),
        now.date().format(&fmt).unwrap_or_default(),
    )
}

//! Calendar dates as feeds, build properties and the kernel end-of-life table write them;
//! a module of its own because the feed readers, the inventory and the matcher all use
//! it, and the matcher uses them.

use time::{Date, Month};

/// "2022-03-15", "2022-03-15T17:15:08.883", "2022-03-15T17:15:00Z" -> the calendar date.
pub fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    let d = s.get(..10)?;
    if s.len() > 10 && !matches!(s.as_bytes()[10], b'T' | b't' | b' ') {
        return None;
    }
    let b = d.as_bytes();
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i32 = d[..4].parse().ok()?;
    let m: u8 = d[5..7].parse().ok()?;
    let day: u8 = d[8..10].parse().ok()?;
    Date::from_calendar_date(y, Month::try_from(m).ok()?, day).ok()
}

/// `d` plus `months` calendar months; the day is clamped to the target month's length
/// (2024-08-31 + 6 months = 2025-02-28).
pub fn add_months(d: Date, months: u32) -> Date {
    let total = d.year() as i64 * 12 + (d.month() as i64 - 1) + months as i64;
    let y = (total.div_euclid(12)).clamp(-9999, 9999) as i32;
    let m = Month::try_from((total.rem_euclid(12) + 1) as u8).unwrap_or(Month::December);
    let last = time::util::days_in_month(m, y);
    Date::from_calendar_date(y, m, d.day().min(last)).unwrap_or(d)
}

//! Calendar dates from Unix time, for the timestamps that archives and a
//! build's description carry; too small a need for a date crate.

/// The UTC date and time `seconds` after 1970-01-01T00:00:00Z:
/// (year, month, day, hour, minute, second).
///
/// ```
/// assert_eq!(factgraph_rml::civil::from_unix_seconds(1_362_268_800), (2013, 3, 3, 0, 0, 0));
/// ```
pub fn from_unix_seconds(seconds: u64) -> (i64, u32, u32, u32, u32, u32) {
    let days = i64::try_from(seconds / 86_400).unwrap_or(0);
    let time = (seconds % 86_400) as u32;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day, time / 3600, time / 60 % 60, time % 60)
}

//! Parsing of the date, time and duration forms that people type, in English and Spanish.
//! "today" always comes in as a value, so every rule is testable.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

use crate::error::{Error, Result};
use crate::i18n::T;

/// Furthest a relative date may reach, so that `+99999999d` is an error, not an overflow.
const MAX_OFFSET_DAYS: i64 = 36_500;

/// Parses `YYYY-MM-DD`, `today`/`hoy`, `tomorrow`/`mañana`, `yesterday`/`ayer`, `+3d`, `-2d`,
/// `+2w`, or a weekday (`fri`, `viernes`, `vie`: the next one after today).
pub fn parse_date(input: &str, today: NaiveDate) -> Result<NaiveDate> {
    let d = parse_date_anywhen(input, today)?;
    if !in_range(d) {
        // `+3d` near the end of 2999, `yesterday` on 1 January 1900.
        return Err(Error::invalid(
            T::ErrDateOutsideYears,
            &[&input.trim(), &d.format("%Y-%m-%d"), YEARS.start(), YEARS.end()],
        ));
    }
    Ok(d)
}

/// A date as typed, whatever its year.
fn parse_date_anywhen(input: &str, today: NaiveDate) -> Result<NaiveDate> {
    let s = input.trim().to_lowercase();
    let bad = || Error::invalid(T::ErrBadDate, &[&input.trim()]);
    if s.is_empty() {
        return Err(bad());
    }
    match s.as_str() {
        "today" | "hoy" => return Ok(today),
        "tomorrow" | "mañana" | "manana" => return Ok(today + Duration::days(1)),
        "yesterday" | "ayer" => return Ok(today - Duration::days(1)),
        _ => {}
    }
    if let Some(rest) = s.strip_prefix('+').or_else(|| s.strip_prefix('-')) {
        let sign = if s.starts_with('-') { -1 } else { 1 };
        let (num, unit) = rest.split_at(rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?);
        let n: i64 = num.parse().map_err(|_| bad())?;
        let days = match unit.trim() {
            "d" | "day" | "days" | "dia" | "día" | "dias" | "días" => n,
            "w" | "week" | "weeks" | "s" | "sem" | "semana" | "semanas" => n.saturating_mul(7),
            // Calendar months: the same day, or the month's last when it has no such day.
            "m" | "month" | "months" | "mes" | "meses" => {
                if n.saturating_mul(28) > MAX_OFFSET_DAYS {
                    return Err(bad());
                }
                let months = chrono::Months::new(u32::try_from(n).map_err(|_| bad())?);
                let moved = if sign > 0 {
                    today.checked_add_months(months)
                } else {
                    today.checked_sub_months(months)
                };
                return moved.ok_or_else(bad);
            }
            _ => return Err(bad()),
        };
        if days > MAX_OFFSET_DAYS {
            return Err(bad());
        }
        return today.checked_add_signed(Duration::days(sign * days)).ok_or_else(bad);
    }
    if let Some(wd) = parse_weekday(&s) {
        let ahead = (7 + wd.num_days_from_monday() as i64 - today.weekday().num_days_from_monday() as i64) % 7;
        let ahead = if ahead == 0 { 7 } else { ahead };
        return Ok(today + Duration::days(ahead));
    }
    if s.contains('/') {
        return parse_day_first(&s, today).ok_or_else(bad);
    }
    if let Some(d) = parse_day_and_month(&s, today) {
        return Ok(d);
    }
    parse_iso_date(&s).ok_or_else(bad)
}

/// A month by its name or abbreviation, in English or Spanish (`dec`, `december`, `dic`,
/// `diciembre`, `sept`, `set`): its number.
fn month_named(s: &str) -> Option<u32> {
    const NAMES: [&[&str]; 12] = [
        &["jan", "january", "ene", "enero"],
        &["feb", "february", "febrero"],
        &["mar", "march", "marzo"],
        &["apr", "april", "abr", "abril"],
        &["may", "mayo"],
        &["jun", "june", "junio"],
        &["jul", "july", "julio"],
        &["aug", "august", "ago", "agosto"],
        &["sep", "sept", "september", "set", "septiembre", "setiembre"],
        &["oct", "october", "octubre"],
        &["nov", "november", "noviembre"],
        &["dec", "december", "dic", "diciembre"],
    ];
    let s = s.trim_end_matches('.');
    NAMES.iter().position(|names| names.contains(&s)).map(|i| i as u32 + 1)
}

/// A day and a month by name, either way round, with a year or not: `31 dec`, `dec 31`,
/// `31 dic`, `31 de diciembre`, `dec 31 2026`, `31 dic 2026`. Without a year, the year that
/// puts it nearest to today (as `DD/MM`).
fn parse_day_and_month(s: &str, today: NaiveDate) -> Option<NaiveDate> {
    let words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty() && *w != "de" && *w != "of")
        .collect();
    let num = |w: &str| -> Option<u32> {
        let w = w.trim_end_matches(['.', 'º', 'ª']);
        let w = ["st", "nd", "rd", "th"]
            .iter()
            .find_map(|x| w.strip_suffix(x))
            .unwrap_or(w);
        (!w.is_empty() && w.len() <= 4 && w.bytes().all(|b| b.is_ascii_digit())).then(|| w.parse().ok())?
    };
    let (day, month, year) = match words.as_slice() {
        [a, b] | [a, b, _] => match (num(a), month_named(b), month_named(a), num(b)) {
            (Some(d), Some(m), _, _) | (_, _, Some(m), Some(d)) => (d, m, words.get(2)),
            _ => return None,
        },
        _ => return None,
    };
    if day > 31 {
        return None;
    }
    match year {
        Some(y) => {
            let y = num(y)?;
            if !(1900..=2999).contains(&y) {
                return None;
            }
            NaiveDate::from_ymd_opt(y as i32, month, day)
        }
        None => [today.year() - 1, today.year(), today.year() + 1]
            .iter()
            .filter_map(|y| NaiveDate::from_ymd_opt(*y, month, day))
            .min_by_key(|c| (*c - today).num_days().abs()),
    }
}

/// The years vadesk accepts anywhere (typed, imported, derived): a date outside them is a typo,
/// and would not sort as text.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2999;

/// Whether a date is within [`YEARS`].
pub fn in_range(d: NaiveDate) -> bool {
    YEARS.contains(&d.year())
}

/// `DD/MM/YYYY`, or `DD/MM` in the year that puts it nearest to today (the day comes first, as
/// in Spain). Years outside 1900-2999 are refused.
fn parse_day_first(s: &str, today: NaiveDate) -> Option<NaiveDate> {
    let parts: Vec<&str> = s.split('/').collect();
    let num = |p: &str| -> Option<u32> {
        if p.is_empty() || p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        p.parse().ok()
    };
    match parts.as_slice() {
        [d, m, y] => {
            let y = num(y)?;
            if !(1900..=2999).contains(&y) {
                return None;
            }
            NaiveDate::from_ymd_opt(y as i32, num(m)?, num(d)?)
        }
        [d, m] => {
            let (d, m) = (num(d)?, num(m)?);
            [today.year() - 1, today.year(), today.year() + 1]
                .iter()
                .filter_map(|y| NaiveDate::from_ymd_opt(*y, m, d))
                .min_by_key(|c| (*c - today).num_days().abs())
        }
        _ => None,
    }
}

/// A date the way it is typed back into a field: `YYYY-MM-DD` in English, `DD/MM/YYYY` in
/// Spanish (both are accepted in either language).
pub fn typed_date(d: NaiveDate, lang: crate::i18n::Lang) -> String {
    match lang {
        crate::i18n::Lang::En => d.format("%Y-%m-%d").to_string(),
        crate::i18n::Lang::Es => d.format("%d/%m/%Y").to_string(),
    }
}

/// A strict `YYYY-MM-DD`: impossible dates such as `2026-02-30`, and years outside 1900–2999,
/// are refused.
pub fn parse_iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().filter(|d| in_range(*d))
}

/// A strict stored timestamp, `YYYY-MM-DD HH:MM`, within [`YEARS`].
pub fn parse_stamp(s: &str) -> Option<NaiveDateTime> {
    if s.len() != 16 {
        return None;
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
        .ok()
        .filter(|t| in_range(t.date()))
}

/// Parses a weekday in English or Spanish, short or long, with or without accents.
pub fn parse_weekday(s: &str) -> Option<Weekday> {
    let s = s.trim().to_lowercase();
    let wd = match s.as_str() {
        "mon" | "monday" | "lun" | "lunes" => Weekday::Mon,
        "tue" | "tues" | "tuesday" | "mar" | "martes" => Weekday::Tue,
        "wed" | "wednesday" | "mié" | "mie" | "miércoles" | "miercoles" => Weekday::Wed,
        "thu" | "thur" | "thurs" | "thursday" | "jue" | "jueves" => Weekday::Thu,
        "fri" | "friday" | "vie" | "viernes" => Weekday::Fri,
        "sat" | "saturday" | "sáb" | "sab" | "sábado" | "sabado" => Weekday::Sat,
        "sun" | "sunday" | "dom" | "domingo" => Weekday::Sun,
        _ => return None,
    };
    Some(wd)
}

/// Stable three-letter key of a weekday, as stored and printed in JSON.
pub fn weekday_key(wd: Weekday) -> &'static str {
    match wd {
        Weekday::Mon => "mon",
        Weekday::Tue => "tue",
        Weekday::Wed => "wed",
        Weekday::Thu => "thu",
        Weekday::Fri => "fri",
        Weekday::Sat => "sat",
        Weekday::Sun => "sun",
    }
}

/// Parses `YYYY-MM-DD HH:MM`, `YYYY-MM-DDTHH:MM[:SS]`, RFC 3339 (converted to local time),
/// or any DATE form followed by `HH:MM` (`tomorrow 10:00`). A DATE alone means midnight.
pub fn parse_when(input: &str, now: NaiveDateTime) -> Result<NaiveDateTime> {
    let s = input.trim();
    let bad = || Error::invalid(T::ErrBadWhen, &[&s]);
    if s.is_empty() {
        return Err(bad());
    }
    // A moment that reads well but falls outside the years kept says so, with what was typed
    // (`yesterday 10:00` on 1 January 1900).
    let in_years = |t: NaiveDateTime| {
        if in_range(t.date()) {
            Ok(t)
        } else {
            Err(Error::invalid(
                T::ErrDateOutsideYears,
                &[&s, &t.format("%Y-%m-%d"), YEARS.start(), YEARS.end()],
            ))
        }
    };
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return in_years(dt.with_timezone(&chrono::Local).naive_local());
    }
    for fmt in [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, fmt) {
            return in_years(dt);
        }
    }
    let today = now.date();
    if let Some((date_part, time_part)) = s.rsplit_once([' ', 'T']) {
        if let Some(t) = parse_time(time_part) {
            let d = parse_date_anywhen(date_part, today).map_err(|_| bad())?;
            return in_years(d.and_time(t));
        }
    }
    let d = parse_date_anywhen(s, today).map_err(|_| bad())?;
    in_years(d.and_time(NaiveTime::MIN))
}

/// When a timer that began at `start` ended: anything [`parse_when`] reads, or a bare time
/// (`17:30`), which is on the day the timer began (one before it began is refused where the
/// end is checked; work past midnight takes its day: `2026-11-21 01:10`).
pub fn parse_end(input: &str, start: NaiveDateTime, now: NaiveDateTime) -> Result<NaiveDateTime> {
    match parse_time(input.trim()) {
        Some(t) => Ok(start.date().and_time(t)),
        None => parse_when(input, now),
    }
}

fn parse_time(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s, "%H:%M").ok()
}

/// Parses the clock override of `--now` / `VADESK_NOW`.
pub fn parse_now(input: &str) -> Result<NaiveDateTime> {
    let s = input.trim();
    if let Some(d) = parse_iso_date(s) {
        return Ok(d.and_time(NaiveTime::from_hms_opt(9, 0, 0).unwrap_or(NaiveTime::MIN)));
    }
    let local_now = chrono::Local::now().naive_local();
    parse_when(s, local_now).map_err(|_| Error::invalid(T::ErrBadNow, &[&s]))
}

/// When time already worked began, when only its length is given: it ended `now`.
pub fn worked_until(now: NaiveDateTime, minutes: u32) -> NaiveDateTime {
    now - chrono::Duration::minutes(i64::from(minutes))
}

/// Whole minutes from `start` to `end`, both read on this machine's clock: the real time
/// between them, so a timer running across a change of the clocks (summer time beginning or
/// ending) counts the minutes that passed, not the difference of the two readings. A reading
/// the change makes ambiguous (the hour that happens twice) is taken at its first occurrence;
/// one it skips, as the clock face shows it.
pub fn minutes_between(start: NaiveDateTime, end: NaiveDateTime) -> i64 {
    minutes_between_in(&chrono::Local, start, end)
}

fn minutes_between_in<Tz: chrono::TimeZone>(tz: &Tz, start: NaiveDateTime, end: NaiveDateTime) -> i64 {
    let real = |t: NaiveDateTime| tz.from_local_datetime(&t).earliest();
    match (real(start), real(end)) {
        (Some(s), Some(e)) => (e - s).num_minutes(),
        _ => (end - start).num_minutes(),
    }
}

/// Parses `1h30m`, `45m`, `2h` (also `90m`, `1h 30m`) into minutes.
pub fn parse_duration(input: &str) -> Result<u32> {
    let s: String = input
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let bad = || Error::invalid(T::ErrBadDuration, &[&input.trim()]);
    if s.is_empty() {
        return Err(bad());
    }
    let mut total: u64 = 0;
    let mut num = String::new();
    // Hours first, then minutes, each once: `1h90m` or `30m1h` is a slip, not 2h30m.
    let (mut hours_seen, mut minutes_seen) = (false, false);
    for c in s.chars() {
        if c.is_ascii_digit() || c == '.' || c == ',' {
            num.push(c);
            continue;
        }
        // Hours may have decimals (`1.5h`, `1,5h`, `0.25h`) that make whole minutes.
        let minutes = match c {
            'h' if !hours_seen && !minutes_seen => {
                hours_seen = true;
                hours_in_minutes(&num).ok_or_else(bad)?
            }
            'm' if !minutes_seen => {
                minutes_seen = true;
                let m = num.parse::<u64>().map_err(|_| bad())?;
                if hours_seen && m >= 60 {
                    return Err(bad());
                }
                m
            }
            _ => return Err(bad()),
        };
        num.clear();
        total = total.saturating_add(minutes);
    }
    if !num.is_empty() || !(hours_seen || minutes_seen) {
        return Err(bad());
    }
    // A year of full-time work is the most anything can take.
    if total > 10_000 * 60 {
        return Err(bad());
    }
    Ok(total as u32)
}

/// Hours as typed, whole or with decimals (`2`, `1.5`, `1,5`, `0.25`), in minutes: None unless
/// they make whole minutes (`1.33` hours is not a number of minutes).
fn hours_in_minutes(s: &str) -> Option<u64> {
    let (whole, frac) = match s.find(['.', ',']) {
        Some(at) => (&s[..at], &s[at + 1..]),
        None => (s, ""),
    };
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && frac.is_empty()) || !digits(whole) || !digits(frac) || frac.len() > 4 {
        return None;
    }
    let w: u64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let scale = 10u64.pow(frac.len() as u32);
    let f: u64 = if frac.is_empty() { 0 } else { frac.parse().ok()? };
    let sixty = f * 60;
    sixty
        .is_multiple_of(scale)
        .then(|| w.saturating_mul(60).saturating_add(sixty / scale))
}

/// `90` minutes -> `1h30m`, the same form people type.
pub fn format_duration(minutes: u32) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m}m"),
    }
}

/// Whole days from `from` to `to` (negative when `to` is earlier).
pub fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn calendar_months_and_named_months() {
        let today = d("2026-01-31");
        assert_eq!(
            parse_date("+1m", today).unwrap(),
            d("2026-02-28"),
            "the month's last day"
        );
        assert_eq!(parse_date("+2 meses", d("2026-11-26")).unwrap(), d("2027-01-26"));
        assert_eq!(parse_date("-1m", d("2026-03-31")).unwrap(), d("2026-02-28"));
        let nov = d("2026-11-26");
        for typed in [
            "31 dec",
            "dec 31",
            "Dec 31",
            "31 dic",
            "31 de diciembre",
            "31 December",
            "31st dec",
            "dic. 31",
        ] {
            assert_eq!(parse_date(typed, nov).unwrap(), d("2026-12-31"), "{typed}");
        }
        // The year nearest to today, as DD/MM; or the one given.
        assert_eq!(parse_date("5 jan", nov).unwrap(), d("2027-01-05"));
        assert_eq!(parse_date("20 nov", nov).unwrap(), d("2026-11-20"));
        assert_eq!(parse_date("31 dec 2027", nov).unwrap(), d("2027-12-31"));
        assert_eq!(parse_date("1 ago", nov).unwrap(), d("2026-08-01"));
        for bad in [
            "feb 30",
            "31 foo",
            "32 dec",
            "dec",
            "31 dec 1800",
            "dec dec",
            "31 dec 2026 x",
        ] {
            assert!(parse_date(bad, nov).is_err(), "{bad}");
        }
    }

    #[test]
    fn hours_with_decimals_make_whole_minutes() {
        for (typed, minutes) in [
            ("1.5h", 90),
            ("1,5h", 90),
            ("0.25h", 15),
            (".5h", 30),
            ("1.5h15m", 105),
            ("2h", 120),
        ] {
            assert_eq!(parse_duration(typed).unwrap(), minutes, "{typed}");
        }
        for bad in ["1.33h", "1.5m", "1.5", "1..5h", "1.5.5h", ".h", "h"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    // 2026-11-23 is a Monday.
    const TODAY: &str = "2026-11-23";

    #[test]
    fn day_first_dates() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(parse_date("31/12/2026", today).unwrap(), d(2026, 12, 31));
        assert_eq!(parse_date("5/1", today).unwrap(), d(2027, 1, 5));
        assert_eq!(parse_date("20/11", today).unwrap(), d(2026, 11, 20));
        assert!(parse_date("31/02/2026", today).is_err());
        assert!(parse_date("1/1/1800", today).is_err());
        assert!(parse_date("1/x", today).is_err());
        assert_eq!(typed_date(d(2026, 10, 31), crate::i18n::Lang::Es), "31/10/2026");
        assert_eq!(
            parse_date(&typed_date(d(2026, 10, 31), crate::i18n::Lang::Es), today).unwrap(),
            d(2026, 10, 31)
        );
    }

    #[test]
    fn iso_dates_and_impossible_ones() {
        let t = d(TODAY);
        assert_eq!(parse_date("2026-12-01", t).unwrap(), d("2026-12-01"));
        assert!(parse_date("2026-02-30", t).is_err());
        assert!(parse_date("2026-13-01", t).is_err());
        assert!(parse_date("2026-2-3", t).is_err());
        assert!(parse_date("", t).is_err());
        assert!(parse_date("someday", t).is_err());
    }

    #[test]
    fn leap_days() {
        let t = d(TODAY);
        assert_eq!(parse_date("2028-02-29", t).unwrap(), d("2028-02-29"));
        assert!(parse_date("2026-02-29", t).is_err());
        assert!(parse_date("2100-02-29", t).is_err());
        assert_eq!(parse_date("2000-02-29", t).unwrap(), d("2000-02-29"));
        assert_eq!(parse_date("+1d", d("2028-02-28")).unwrap(), d("2028-02-29"));
        assert_eq!(parse_date("+1d", d("2026-02-28")).unwrap(), d("2026-03-01"));
    }

    #[test]
    fn words_and_offsets() {
        let t = d(TODAY);
        assert_eq!(parse_date("today", t).unwrap(), t);
        assert_eq!(parse_date("Hoy", t).unwrap(), t);
        assert_eq!(parse_date("tomorrow", t).unwrap(), d("2026-11-24"));
        assert_eq!(parse_date("mañana", t).unwrap(), d("2026-11-24"));
        assert_eq!(parse_date("+3d", t).unwrap(), d("2026-11-26"));
        assert_eq!(parse_date("+2w", t).unwrap(), d("2026-12-07"));
        assert_eq!(parse_date("-2d", t).unwrap(), d("2026-11-21"));
        assert!(parse_date("+3x", t).is_err());
        assert!(parse_date("+d", t).is_err());
        assert!(parse_date("+99999999999999999999d", t).is_err());
        assert!(parse_date("+999999w", t).is_err());
    }

    #[test]
    fn weekdays_mean_the_next_one() {
        let monday = d(TODAY);
        assert_eq!(parse_date("fri", monday).unwrap(), d("2026-11-27"));
        assert_eq!(parse_date("viernes", monday).unwrap(), d("2026-11-27"));
        assert_eq!(parse_date("vie", monday).unwrap(), d("2026-11-27"));
        assert_eq!(parse_date("mon", monday).unwrap(), d("2026-11-30"));
        assert_eq!(parse_date("tue", monday).unwrap(), d("2026-11-24"));
        assert_eq!(parse_date("miércoles", monday).unwrap(), d("2026-11-25"));
        assert_eq!(parse_date("sun", monday).unwrap(), d("2026-11-29"));
    }

    #[test]
    fn when_forms() {
        let now = d(TODAY).and_hms_opt(9, 0, 0).unwrap();
        assert_eq!(
            parse_when("2026-11-25 14:30", now).unwrap(),
            d("2026-11-25").and_hms_opt(14, 30, 0).unwrap()
        );
        assert_eq!(
            parse_when("tomorrow 10:00", now).unwrap(),
            d("2026-11-24").and_hms_opt(10, 0, 0).unwrap()
        );
        assert_eq!(
            parse_when("2026-11-25", now).unwrap(),
            d("2026-11-25").and_hms_opt(0, 0, 0).unwrap()
        );
        assert!(parse_when("2026-11-25 25:00", now).is_err());
        assert!(parse_when("2026-02-30 10:00", now).is_err());
        assert!(parse_when("2026-11-25T10:00:00+00:00", now).is_ok());
    }

    #[test]
    fn a_bare_time_ends_a_timer_on_the_day_it_began() {
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        let (start, now) = (at("2026-11-20 09:15"), at("2026-11-23 10:00"));
        assert_eq!(parse_end("17:30", start, now).unwrap(), at("2026-11-20 17:30"));
        assert_eq!(parse_end(" 08:00 ", start, now).unwrap(), at("2026-11-20 08:00"));
        assert_eq!(
            parse_end("2026-11-21 12:00", start, now).unwrap(),
            at("2026-11-21 12:00")
        );
        assert!(parse_end("25:00", start, now).is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1h30m").unwrap(), 90);
        assert_eq!(parse_duration("45m").unwrap(), 45);
        assert_eq!(parse_duration("2h").unwrap(), 120);
        assert_eq!(parse_duration("1h 15m").unwrap(), 75);
        assert_eq!(parse_duration("90m").unwrap(), 90);
        assert_eq!(parse_duration("1h59m").unwrap(), 119);
        for bad in [
            "",
            "h",
            "90",
            "1x",
            "1h30",
            "-1h",
            "99999999h",
            "1h90m",
            "1h60m",
            "30m1h",
            "1h1h",
            "10m5m",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(format_duration(90), "1h30m");
        assert_eq!(format_duration(45), "45m");
        assert_eq!(format_duration(120), "2h");
    }
}

//! Recurring work: the rule a person types after `--every`, and the dates it gives.

use chrono::{Datelike, Duration, Months, NaiveDate, Weekday};

use crate::error::{Error, Result};
use crate::i18n::T;

/// Longest interval a rule may have (`366d`, `52w`, `24m`), so a typo is an error.
const MAX_DAYS: u32 = 366;
const MAX_WEEKS: u32 = 52;
const MAX_MONTHS: u32 = 24;

/// How often a recurring task comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Every {
    Days(u32),
    Weeks(u32),
    Months(u32),
    /// Every such weekday.
    Weekday(Weekday),
}

impl Every {
    /// Parses `daily`, `weekly`, `biweekly`, `monthly`, a weekday (`fri`, `viernes`), `Nd`,
    /// `Nw` or `Nm`; in Spanish also `diario`, `semanal`, `quincenal`, `mensual` and `Ns`
    /// (semanas). Case and accents do not matter.
    pub fn parse(input: &str) -> Result<Every> {
        let s = crate::i18n::fold(input);
        let bad = || Error::invalid(T::ErrBadEvery, &[&input.trim()]);
        if input.trim().starts_with(['-', '_']) {
            return Err(bad());
        }
        let every = match s.replace('_', "").as_str() {
            "daily" | "day" | "diario" | "diaria" | "cadadia" => Every::Days(1),
            "weekly" | "week" | "semanal" | "cadasemana" => Every::Weeks(1),
            "biweekly" | "fortnightly" | "quincenal" | "cadadossemanas" => Every::Weeks(2),
            "monthly" | "month" | "mensual" | "cadames" => Every::Months(1),
            _ => {
                if let Some(wd) = crate::domain::dates::parse_weekday(&s) {
                    return Ok(Every::Weekday(wd));
                }
                let split = s.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
                let (num, unit) = s.split_at(split);
                let n: u32 = num.parse().map_err(|_| bad())?;
                let (every, max) = match unit {
                    "d" => (Every::Days(n), MAX_DAYS),
                    "w" | "s" => (Every::Weeks(n), MAX_WEEKS),
                    "m" => (Every::Months(n), MAX_MONTHS),
                    _ => return Err(bad()),
                };
                if n == 0 || n > max {
                    return Err(bad());
                }
                every
            }
        };
        Ok(every)
    }

    /// Whether `s` is a rule (for import checks).
    pub fn is_valid(s: &str) -> bool {
        Every::parse(s).is_ok()
    }

    /// The first date the rule gives on or after `today`.
    pub fn first_from(self, today: NaiveDate) -> NaiveDate {
        match self {
            Every::Weekday(wd) => {
                let ahead = (7 + wd.num_days_from_monday() as i64 - today.weekday().num_days_from_monday() as i64) % 7;
                today + Duration::days(ahead)
            }
            _ => today,
        }
    }

    /// The `k`-th date of the rule counted from `start` (k = 0 is `start`); months keep
    /// `start`'s day, clamped to the month's end (the 31st gives 28 or 29 February, then 31
    /// March again).
    fn nth(self, start: NaiveDate, k: u32) -> Option<NaiveDate> {
        match self {
            Every::Days(n) => start.checked_add_signed(Duration::days(n as i64 * k as i64)),
            Every::Weeks(n) => start.checked_add_signed(Duration::days(7 * n as i64 * k as i64)),
            Every::Weekday(_) => start.checked_add_signed(Duration::days(7 * k as i64)),
            Every::Months(n) => start.checked_add_months(Months::new(n.checked_mul(k)?)),
        }
    }

    /// The first date of the rule (anchored at `start`) that is after `after` and not before
    /// `today`: what comes next once the instance due `after` is handled or past. Dates
    /// skipped while nobody looked are not made up later.
    pub fn next_after(self, start: NaiveDate, after: NaiveDate, today: NaiveDate) -> Option<NaiveDate> {
        let floor = if today > after { today } else { after.succ_opt()? };
        if floor <= start {
            return Some(start);
        }
        // Jump near the answer, then step: never more than a few steps.
        let days = (floor - start).num_days().max(0) as u32;
        let guess = match self {
            Every::Days(n) => days / n,
            Every::Weeks(n) => days / (7 * n),
            Every::Weekday(_) => days / 7,
            Every::Months(n) => (days / 31) / n,
        };
        let mut k = guess.saturating_sub(1);
        loop {
            let d = self.nth(start, k)?;
            if d >= floor {
                // Past the years vadesk keeps, the rule has no next date.
                return Some(d).filter(|d| crate::domain::dates::in_range(*d));
            }
            k = k.checked_add(1)?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn rules_parse_in_both_languages() {
        assert_eq!(Every::parse("daily").unwrap(), Every::Days(1));
        assert_eq!(Every::parse("Weekly").unwrap(), Every::Weeks(1));
        assert_eq!(Every::parse("biweekly").unwrap(), Every::Weeks(2));
        assert_eq!(Every::parse("monthly").unwrap(), Every::Months(1));
        assert_eq!(Every::parse("mensual").unwrap(), Every::Months(1));
        assert_eq!(Every::parse("quincenal").unwrap(), Every::Weeks(2));
        assert_eq!(Every::parse("diario").unwrap(), Every::Days(1));
        assert_eq!(Every::parse("fri").unwrap(), Every::Weekday(Weekday::Fri));
        assert_eq!(Every::parse("vie").unwrap(), Every::Weekday(Weekday::Fri));
        assert_eq!(Every::parse("Miércoles").unwrap(), Every::Weekday(Weekday::Wed));
        assert_eq!(Every::parse("3d").unwrap(), Every::Days(3));
        assert_eq!(Every::parse("2w").unwrap(), Every::Weeks(2));
        assert_eq!(Every::parse("2s").unwrap(), Every::Weeks(2));
        assert_eq!(Every::parse("6m").unwrap(), Every::Months(6));
        for bad in [
            "",
            "0d",
            "often",
            "3x",
            "d",
            "-1d",
            "999999999999d",
            "400d",
            "1y",
            "none",
        ] {
            assert!(Every::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_come_from_the_anchor() {
        let monday = d("2026-11-23");
        assert_eq!(Every::Weekday(Weekday::Fri).first_from(monday), d("2026-11-27"));
        assert_eq!(Every::Weekday(Weekday::Mon).first_from(monday), monday);
        assert_eq!(Every::Weeks(1).first_from(monday), monday);
        // Handled early: the next period.
        let w = Every::Weeks(1);
        assert_eq!(w.next_after(monday, monday, monday), Some(d("2026-11-30")));
        // Past: the first date not before today, nothing invented for the skipped weeks.
        assert_eq!(w.next_after(monday, monday, d("2026-12-16")), Some(d("2026-12-21")));
        // Months keep the anchor's day, clamped.
        let m = Every::Months(1);
        let jan31 = d("2027-01-31");
        assert_eq!(m.next_after(jan31, jan31, jan31), Some(d("2027-02-28")));
        assert_eq!(
            m.next_after(jan31, d("2027-02-28"), d("2027-02-28")),
            Some(d("2027-03-31"))
        );
        assert_eq!(Every::Days(3).next_after(monday, monday, monday), Some(d("2026-11-26")));
    }
}

//! The automatic red-flag rules as pure functions: when a record's fault becomes a flag,
//! and what date the flag carries (the day the fault happened).

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use crate::domain::{Attendance, FlagKind, Outcome};
use crate::error::{Arg, Error};
use crate::i18n::T;

/// Clarification questions after which a task's spec counts as vague.
pub const VAGUE_SPEC_CLARIFICATIONS: u32 = 3;
/// Distinct channels within the window that count as scattered.
pub const SCATTERED_CHANNELS: usize = 3;
pub const SCATTERED_WINDOW_DAYS: i64 = 30;

/// Honest time: a red flag records a fault that happened, so it cannot be dated after today.
pub fn honest_flag_date(at: NaiveDate, today: NaiveDate) -> crate::error::Result<NaiveDate> {
    if at > today {
        return Err(Error::invalid_with(T::ErrFlagInFuture, vec![Arg::day(at, today)]));
    }
    Ok(at)
}

/// Honest time: nothing can be expected from a client before the day it is asked for.
pub fn expected_from_asked(
    expected_by: NaiveDate,
    asked: NaiveDate,
    today: NaiveDate,
) -> crate::error::Result<NaiveDate> {
    not_before(expected_by, asked, today, T::ErrExpectedBeforeAsked)
}

/// Honest time: a request is received from the day it was asked for on.
pub fn received_after_asked(
    received: NaiveDate,
    asked: NaiveDate,
    today: NaiveDate,
) -> crate::error::Result<NaiveDate> {
    not_before(received, asked, today, T::ErrReceivedBeforeAsked)
}

/// Honest time: a quote is answered from the day it was sent on.
pub fn answered_after_sent(answered: NaiveDate, sent: NaiveDate, today: NaiveDate) -> crate::error::Result<NaiveDate> {
    not_before(answered, sent, today, T::ErrAnsweredBeforeSent)
}

/// `day`, unless it comes before `from`: then `why`, naming both days as the desk writes them.
fn not_before(day: NaiveDate, from: NaiveDate, today: NaiveDate, why: T) -> crate::error::Result<NaiveDate> {
    if day < from {
        return Err(Error::invalid_with(
            why,
            vec![Arg::day(day, today), Arg::day(from, today)],
        ));
    }
    Ok(day)
}

/// Honest time: attendance is known once the meeting has started.
pub fn honest_attendance(meeting_at: chrono::NaiveDateTime, now: chrono::NaiveDateTime) -> crate::error::Result<()> {
    if meeting_at > now {
        return Err(Error::invalid_with(
            T::ErrAttendanceTooEarly,
            vec![
                Arg::day(meeting_at.date(), now.date()),
                Arg::text(meeting_at.format("%H:%M")),
            ],
        ));
    }
    Ok(())
}

/// Something expected by a date is late from the next day on; the flag is dated that day.
pub fn first_late_day(expected_by: NaiveDate) -> NaiveDate {
    expected_by + Duration::days(1)
}

pub fn is_late(expected_by: NaiveDate, today: NaiveDate) -> bool {
    today > expected_by
}

/// The flag a recorded attendance raises.
pub fn attendance_flag(a: Attendance) -> Option<FlagKind> {
    match a {
        Attendance::NoShow => Some(FlagKind::NoShow),
        Attendance::Late => Some(FlagKind::LateToMeeting),
        _ => None,
    }
}

/// The flag a task's outcome raises.
pub fn outcome_flag(o: Outcome) -> Option<FlagKind> {
    match o {
        Outcome::ChangedAfterOk => Some(FlagKind::LateChanges),
        Outcome::Unused => Some(FlagKind::WorkUnused),
        Outcome::Accepted => None,
    }
}

/// The most recent given weekday strictly before today (last week's review, if today is it).
pub fn previous_weekday(wd: Weekday, today: NaiveDate) -> NaiveDate {
    let back = (7 + today.weekday().num_days_from_monday() as i64 - wd.num_days_from_monday() as i64) % 7;
    let back = if back == 0 { 7 } else { back };
    today - Duration::days(back)
}

/// Source reference of a monthly pattern rule, so it is raised at most once a month.
pub fn month_ref(prefix: &str, client_id: i64, today: NaiveDate) -> String {
    format!("{prefix}:{client_id}{}", month_suffix(today))
}

/// The month's end of every `month_ref` of `today`: ":2026-11".
pub fn month_suffix(today: NaiveDate) -> String {
    // chrono's `%Y-%m`, written without its format parser for the years it writes with four
    // digits (the detection pass makes one per client).
    if (0..=9999).contains(&today.year()) {
        format!(":{:04}-{:02}", today.year(), today.month())
    } else {
        format!(":{}", today.format("%Y-%m"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// The month reference is written as chrono's `%Y-%m` writes it, in every year.
    #[test]
    fn month_refs_write_the_month_as_chrono_does() {
        for (y, m) in [
            (2026, 11),
            (2026, 1),
            (0, 1),
            (999, 12),
            (9999, 12),
            (10000, 1),
            (-1, 5),
            (-44, 3),
        ] {
            let day = NaiveDate::from_ymd_opt(y, m, 15).unwrap();
            assert_eq!(
                month_ref("channels", 42, day),
                format!("channels:42:{}", day.format("%Y-%m")),
                "{y}-{m}"
            );
        }
    }

    #[test]
    fn lateness_and_flag_dates() {
        assert!(!is_late(d("2026-11-20"), d("2026-11-20")));
        assert!(is_late(d("2026-11-20"), d("2026-11-21")));
        assert_eq!(first_late_day(d("2026-02-28")), d("2026-03-01"));
        assert_eq!(first_late_day(d("2028-02-28")), d("2028-02-29"));
    }

    #[test]
    fn records_map_to_flags() {
        assert_eq!(attendance_flag(Attendance::NoShow), Some(FlagKind::NoShow));
        assert_eq!(attendance_flag(Attendance::Late), Some(FlagKind::LateToMeeting));
        assert_eq!(attendance_flag(Attendance::OnTime), None);
        assert_eq!(attendance_flag(Attendance::Cancelled), None);
        assert_eq!(outcome_flag(Outcome::ChangedAfterOk), Some(FlagKind::LateChanges));
        assert_eq!(outcome_flag(Outcome::Unused), Some(FlagKind::WorkUnused));
        assert_eq!(outcome_flag(Outcome::Accepted), None);
    }

    #[test]
    fn previous_review_day() {
        // 2026-11-23 is a Monday.
        assert_eq!(previous_weekday(Weekday::Mon, d("2026-11-23")), d("2026-11-16"));
        assert_eq!(previous_weekday(Weekday::Fri, d("2026-11-23")), d("2026-11-20"));
        assert_eq!(previous_weekday(Weekday::Sun, d("2026-11-23")), d("2026-11-22"));
    }
}

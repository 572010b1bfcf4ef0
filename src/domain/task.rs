//! Tasks the client delegates, and what each side owes the other around them.

use chrono::{NaiveDate, NaiveDateTime};

use crate::i18n::T;
use crate::keyed_enum;

keyed_enum!(TaskStatus, T::ErrBadTaskStatus, {
    Todo => "todo",
    Doing => "doing",
    Delivered => "delivered",
    Done => "done",
    Cancelled => "cancelled",
});

impl TaskStatus {
    /// Still on the VA's plate.
    pub fn is_open(self) -> bool {
        matches!(self, TaskStatus::Todo | TaskStatus::Doing)
    }
}

keyed_enum!(Outcome, T::ErrBadOutcome, {
    Accepted => "accepted",
    ChangedAfterOk => "changed_after_ok",
    Unused => "unused",
});

keyed_enum!(RequestKind, T::ErrBadRequestKind, {
    Material => "material",
    Feedback => "feedback",
});

keyed_enum!(QuoteStatus, T::ErrBadQuoteStatus, {
    Pending => "pending",
    Accepted => "accepted",
    Rejected => "rejected",
});

keyed_enum!(MeetingKind, T::ErrBadMeetingKind, {
    Discovery => "discovery",
    Review => "review",
    Other => "other",
});

keyed_enum!(Attendance, T::ErrBadAttendance, {
    Pending => "pending",
    OnTime => "on_time",
    Late => "late",
    NoShow => "no_show",
    Cancelled => "cancelled",
});

#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub id: i64,
    pub uuid: String,
    pub client_id: i64,
    pub client: String,
    pub title: String,
    pub spec: String,
    pub status: TaskStatus,
    pub due: Option<NaiveDate>,
    pub via: Option<crate::domain::ChannelKind>,
    pub clarifications: u32,
    pub estimate_min: Option<u32>,
    pub delivered_on: Option<NaiveDate>,
    pub outcome: Option<Outcome>,
    pub created_on: NaiveDate,
    /// Open requests (material or feedback) the task waits on; derived, never stored.
    pub waiting_on: Vec<RequestKind>,
}

impl Task {
    pub fn is_waiting(&self) -> bool {
        !self.waiting_on.is_empty()
    }
}

/// Something the client owes the VA for a task: a material, or feedback.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub id: i64,
    pub uuid: String,
    pub kind: RequestKind,
    pub task_id: i64,
    pub task_title: String,
    pub client: String,
    pub what: String,
    pub asked_on: NaiveDate,
    pub expected_by: NaiveDate,
    pub received_on: Option<NaiveDate>,
    pub nudges: u32,
    pub last_nudge: Option<NaiveDate>,
}

impl Request {
    /// Late from the day after the expected date, while not received.
    pub fn days_late(&self, today: NaiveDate) -> i64 {
        if self.received_on.is_some() {
            return 0;
        }
        (today - self.expected_by).num_days().max(0)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    pub id: i64,
    pub uuid: String,
    pub client_id: i64,
    pub client: String,
    /// In cents of the client's currency.
    pub amount_cents: i64,
    pub prep_min: u32,
    pub sent_on: NaiveDate,
    pub answer_by: NaiveDate,
    pub status: QuoteStatus,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Meeting {
    pub id: i64,
    pub uuid: String,
    pub client_id: i64,
    pub client: String,
    pub kind: MeetingKind,
    pub at: NaiveDateTime,
    pub attendance: Attendance,
    pub late_minutes: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_errors_list_choices() {
        for s in TaskStatus::ALL {
            assert_eq!(TaskStatus::from_key(s.key()), Some(*s));
        }
        assert_eq!(Outcome::parse("CHANGED_AFTER_OK").unwrap(), Outcome::ChangedAfterOk);
        let err = Attendance::parse("maybe").unwrap_err().to_string();
        assert!(err.contains("maybe") && err.contains("no_show"), "{err}");
    }

    #[test]
    fn request_lateness_starts_the_next_day() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let mut r = Request {
            id: 1,
            uuid: String::new(),
            kind: RequestKind::Material,
            task_id: 1,
            task_title: String::new(),
            client: String::new(),
            what: "logo".into(),
            asked_on: d("2026-11-01"),
            expected_by: d("2026-11-20"),
            received_on: None,
            nudges: 0,
            last_nudge: None,
        };
        assert_eq!(r.days_late(d("2026-11-20")), 0);
        assert_eq!(r.days_late(d("2026-11-21")), 1);
        assert_eq!(r.days_late(d("2026-11-23")), 3);
        r.received_on = Some(d("2026-11-22"));
        assert_eq!(r.days_late(d("2026-11-23")), 0);
    }
}

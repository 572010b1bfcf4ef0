//! Tasks the client delegates, and what each side owes the other around them.

use chrono::{NaiveDate, NaiveDateTime};

use crate::i18n::T;
use crate::keyed_enum;

keyed_enum!(TaskStatus, T::ErrBadTaskStatus, {
    Todo => "todo" | "por_hacer", T::StTodo,
    Doing => "doing" | "en_curso", T::StDoing,
    Delivered => "delivered" | "entregada", T::StDelivered,
    Done => "done" | "terminada", T::StDone,
    Cancelled => "cancelled" | "cancelada", T::StCancelled,
});

impl MeetingKind {
    /// The meeting as a noun in a sentence: "discovery meeting" / "primera reunión".
    pub fn phrase(self, lang: crate::i18n::Lang) -> &'static str {
        match self {
            MeetingKind::Discovery => T::MeetPhraseDiscovery,
            MeetingKind::Review => T::MeetPhraseReview,
            MeetingKind::Other => T::MeetPhraseOther,
        }
        .text(lang)
    }
}

impl TaskStatus {
    /// Still on the VA's plate.
    pub fn is_open(self) -> bool {
        matches!(self, TaskStatus::Todo | TaskStatus::Doing)
    }
}

keyed_enum!(Outcome, T::ErrBadOutcome, {
    Accepted => "accepted" | "aceptada", T::OutAccepted,
    ChangedAfterOk => "changed_after_ok" | "cambiada", T::OutChanged,
    Unused => "unused" | "sin_usar", T::OutUnused,
});

keyed_enum!(RequestKind, T::ErrBadRequestKind, {
    Material => "material" | "material", T::WaitMaterial,
    Feedback => "feedback" | "feedback", T::WaitFeedback,
});

keyed_enum!(QuoteStatus, T::ErrBadQuoteStatus, {
    Pending => "pending" | "sin_respuesta", T::QsPending,
    Accepted => "accepted" | "aceptado", T::QuoteAccepted,
    Rejected => "rejected" | "rechazado", T::QuoteRejected,
});

keyed_enum!(MeetingKind, T::ErrBadMeetingKind, {
    Discovery => "discovery" | "primera", T::MeetDiscovery,
    Review => "review" | "seguimiento", T::MeetReview,
    Other => "other" | "otra", T::MeetOther,
});

keyed_enum!(Attendance, T::ErrBadAttendance, {
    Pending => "pending" | "sin_registrar", T::AttPending,
    OnTime => "on_time" | "puntual", T::AttOnTime,
    Late => "late" | "tarde", T::AttLate,
    NoShow => "no_show" | "no_se_presentó", T::AttNoShow,
    Cancelled => "cancelled" | "cancelada", T::AttCancelled,
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
    /// The repeat rule as typed (`weekly`, `fri`, `2w`...), when the task recurs.
    pub every: Option<String>,
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
    /// What the quote is for (free text, may be empty).
    pub description: String,
    /// Reminders sent about it, and the last one's date.
    pub nudges: u32,
    pub last_nudge: Option<NaiveDate>,
    /// The client's own currency code; `None` means the VA's default currency.
    pub client_currency: Option<String>,
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
    /// How long it is planned to last, in minutes.
    pub length_min: Option<u32>,
}

impl Meeting {
    /// Its attendance as a list shows it: a late arrival with its minutes (`late 15m`).
    pub fn attendance_short(&self, l: crate::i18n::Lang) -> String {
        match (self.attendance, self.late_minutes) {
            (Attendance::Late, Some(n)) => {
                format!("{} {}", self.attendance.label(l), super::dates::format_duration(n))
            }
            (a, _) => a.label(l).to_string(),
        }
    }
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
        let err = Attendance::parse("maybe").unwrap_err();
        let en = err.localized(crate::i18n::Lang::En);
        assert!(en.contains("maybe") && en.contains("no_show"), "{en}");
        let es = err.localized(crate::i18n::Lang::Es);
        assert!(es.contains("maybe") && es.contains("puntual, tarde"), "{es}");
    }

    #[test]
    fn spanish_words_and_labels_are_accepted() {
        assert_eq!(Attendance::parse("tarde").unwrap(), Attendance::Late);
        assert_eq!(Attendance::parse("No se presentó").unwrap(), Attendance::NoShow);
        assert_eq!(Attendance::parse("no_se_presento").unwrap(), Attendance::NoShow);
        assert_eq!(TaskStatus::parse("Por hacer").unwrap(), TaskStatus::Todo);
        assert_eq!(TaskStatus::parse("TERMINADA").unwrap(), TaskStatus::Done);
        assert_eq!(Outcome::parse("sin-usar").unwrap(), Outcome::Unused);
        assert_eq!(MeetingKind::parse("primera reunión").unwrap(), MeetingKind::Discovery);
        assert_eq!(QuoteStatus::parse("aceptado").unwrap(), QuoteStatus::Accepted);
        assert_eq!(
            crate::domain::ClientStatus::parse("en pausa").unwrap(),
            crate::domain::ClientStatus::Paused
        );
        assert_eq!(
            crate::domain::ChannelKind::parse("telefono").unwrap(),
            crate::domain::ChannelKind::Phone
        );
        assert!(TaskStatus::parse("").is_err());
        // The store reads keys only.
        assert_eq!(TaskStatus::from_key("terminada"), None);
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

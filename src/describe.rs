//! How records read in a sentence, shared by the command line and the desk.

use chrono::NaiveDate;

use crate::domain::{Attendance, ClientStatus, Outcome, QuoteStatus, ReviewItem, ReviewKind, TaskStatus};
use crate::i18n::{self, tf, Lang, T};
use crate::store::Counts;

/// One review row as text: id, client and what it is about.
pub fn review_row(it: &ReviewItem, today: NaiveDate, l: Lang) -> String {
    format!("#{:<5} {} — {}", it.id, it.client, review_body(it, today, l))
}

/// What a review row is about, without the client.
pub fn review_body(it: &ReviewItem, today: NaiveDate, l: Lang) -> String {
    let date = |d: Option<NaiveDate>| d.map(|d| i18n::date_rel(d, today, l)).unwrap_or_else(|| "—".into());
    let late = i18n::days(it.days_late, l);
    match it.kind {
        ReviewKind::FeedbackOverdue => tf(l, T::RowFeedback, &[&it.title, &late, &it.nudges]),
        ReviewKind::MaterialLate => {
            let task = it.task_title.clone().unwrap_or_default();
            tf(
                l,
                T::RowMaterial,
                &[&it.title, &task, &date(it.task_due), &late, &it.nudges],
            )
        }
        ReviewKind::TaskOverdue => tf(l, T::RowTaskOverdue, &[&it.title, &date(it.date), &late]),
        ReviewKind::TaskDueToday => it.title.clone(),
        ReviewKind::QuoteUnanswered => tf(l, T::RowQuote, &[&it.title, &date(it.date), &late]),
        ReviewKind::MeetingToday => tf(
            l,
            T::RowMeetingToday,
            &[&meeting_kind(&it.title, l), &it.time.clone().unwrap_or_default()],
        ),
        ReviewKind::AttendanceUnrecorded => tf(l, T::RowAttendance, &[&meeting_kind(&it.title, l), &date(it.date)]),
        ReviewKind::WeeklyReview => T::RowWeekly.text(l).to_string(),
        ReviewKind::TimerRunning | ReviewKind::RetainerNear => it.title.clone(),
        ReviewKind::DueSoon => {
            if it.material {
                tf(l, T::RowSoonMaterial, &[&it.title, &date(it.date)])
            } else {
                tf(l, T::RowSoonFeedback, &[&it.title, &date(it.date)])
            }
        }
    }
}

/// The desk's compact form of a row: the section and the lateness have their own columns.
pub fn review_short(it: &ReviewItem, today: NaiveDate, l: Lang) -> String {
    let date = |d: Option<NaiveDate>| d.map(|d| i18n::date_rel(d, today, l)).unwrap_or_else(|| "—".into());
    let nudges = |n: u32| {
        if n == 0 {
            String::new()
        } else {
            format!(" · {}", tf(l, T::ShortNudges, &[&n]))
        }
    };
    match it.kind {
        ReviewKind::FeedbackOverdue => format!("{}{}", it.title, nudges(it.nudges)),
        ReviewKind::MaterialLate => {
            let task = it.task_title.clone().unwrap_or_default();
            format!(
                "{}{}",
                tf(l, T::ShortMaterial, &[&it.title, &task, &date(it.task_due)]),
                nudges(it.nudges)
            )
        }
        ReviewKind::TaskOverdue | ReviewKind::TaskDueToday => it.title.clone(),
        ReviewKind::QuoteUnanswered => it.title.clone(),
        ReviewKind::MeetingToday => format!("{} {}", meeting_kind(&it.title, l), it.time.clone().unwrap_or_default()),
        ReviewKind::AttendanceUnrecorded => format!("{} · {}", meeting_kind(&it.title, l), date(it.date)),
        ReviewKind::WeeklyReview => T::RowWeekly.text(l).to_string(),
        ReviewKind::TimerRunning | ReviewKind::RetainerNear => it.title.clone(),
        ReviewKind::DueSoon => {
            let key = if it.material {
                T::ShortSoonMaterial
            } else {
                T::ShortSoonFeedback
            };
            tf(l, key, &[&it.title, &date(it.date)])
        }
    }
}

pub fn meeting_kind(key: &str, l: Lang) -> &'static str {
    match key {
        "discovery" => T::MeetDiscovery,
        "review" => T::MeetReview,
        _ => T::MeetOther,
    }
    .text(l)
}

/// The status bar's live counts: "2 late materials · 1 overdue feedback".
pub fn counts(c: &Counts, l: Lang) -> String {
    if c.material_late == 0 && c.feedback_overdue == 0 {
        return T::NothingLate.text(l).to_string();
    }
    let mut parts = Vec::new();
    if c.material_late > 0 {
        parts.push(if c.material_late == 1 {
            tf(l, T::OneLateMaterial, &[])
        } else {
            tf(l, T::NLateMaterials, &[&c.material_late])
        });
    }
    if c.feedback_overdue > 0 {
        parts.push(if c.feedback_overdue == 1 {
            tf(l, T::OneOverdueFeedback, &[])
        } else {
            tf(l, T::NOverdueFeedback, &[&c.feedback_overdue])
        });
    }
    parts.join(" · ")
}

/// How a stored status reads in a sentence or a table (keys stay keys where people type them).
pub fn client_status(s: ClientStatus, l: Lang) -> &'static str {
    match s {
        ClientStatus::Prospect => T::CsProspect,
        ClientStatus::Active => T::CsActive,
        ClientStatus::Paused => T::CsPaused,
        ClientStatus::Ended => T::CsEnded,
        ClientStatus::Declined => T::CsDeclined,
    }
    .text(l)
}

pub fn task_status(s: TaskStatus, l: Lang) -> &'static str {
    match s {
        TaskStatus::Todo => T::StTodo,
        TaskStatus::Doing => T::StDoing,
        TaskStatus::Delivered => T::StDelivered,
        TaskStatus::Done => T::StDone,
        TaskStatus::Cancelled => T::StCancelled,
    }
    .text(l)
}

pub fn quote_status(s: QuoteStatus, l: Lang) -> &'static str {
    match s {
        QuoteStatus::Pending => T::QsPending,
        QuoteStatus::Accepted => T::QuoteAccepted,
        QuoteStatus::Rejected => T::QuoteRejected,
    }
    .text(l)
}

pub fn attendance(a: Attendance, l: Lang) -> &'static str {
    match a {
        Attendance::Pending => T::AttPending,
        Attendance::OnTime => T::AttOnTime,
        Attendance::Late => T::AttLate,
        Attendance::NoShow => T::AttNoShow,
        Attendance::Cancelled => T::AttCancelled,
    }
    .text(l)
}

pub fn outcome(o: Outcome, l: Lang) -> &'static str {
    match o {
        Outcome::Accepted => T::OutAccepted,
        Outcome::ChangedAfterOk => T::OutChanged,
        Outcome::Unused => T::OutUnused,
    }
    .text(l)
}

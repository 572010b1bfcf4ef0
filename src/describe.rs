//! How records read in a sentence, shared by the command line and the desk.

use chrono::NaiveDate;

use crate::domain::{dates, money, ChannelKind, Client, Flag, FlagSource, MeetingKind, ReviewItem, ReviewKind};
use crate::i18n::{self, pl, tf, Lang, P, T};
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
        ReviewKind::FeedbackOverdue => tf(l, T::RowFeedback, &[&it.title, &late, &nudges(it.detail().nudges, l)]),
        ReviewKind::MaterialLate => {
            let task = it.detail().task_title.clone().unwrap_or_default();
            tf(
                l,
                T::RowMaterial,
                &[
                    &it.title,
                    &task,
                    &date(it.detail().task_due),
                    &late,
                    &nudges(it.detail().nudges, l),
                ],
            )
        }
        ReviewKind::TaskOverdue => tf(l, T::RowTaskOverdue, &[&it.title, &date(it.date), &late]),
        ReviewKind::TaskDueToday => it.title.clone(),
        ReviewKind::QuoteUnanswered => match &it.detail().about {
            Some(about) => tf(l, T::RowQuoteFor, &[about, &quote_amount(it, l), &date(it.date), &late]),
            None => tf(l, T::RowQuote, &[&quote_amount(it, l), &date(it.date), &late]),
        },
        ReviewKind::MeetingToday => tf(
            l,
            T::RowMeetingToday,
            &[
                &meeting_phrase(&it.title, l),
                &it.detail().time.clone().unwrap_or_default(),
            ],
        ),
        ReviewKind::AttendanceUnrecorded => tf(l, T::RowAttendance, &[&meeting_phrase(&it.title, l), &date(it.date)]),
        // A review not recorded since its day says how late it is, as the JSON does.
        ReviewKind::WeeklyReview if it.days_late > 0 => tf(l, T::RowWeeklyLate, &[&date(it.date), &late]),
        ReviewKind::WeeklyReview => T::RowWeekly.text(l).to_string(),
        ReviewKind::TimerRunning => timer_row(it, &date(it.date), l),
        ReviewKind::RetainerUsedUp | ReviewKind::RetainerNear => retainer_row(it, l),
        ReviewKind::DueSoon => {
            if it.detail().material {
                tf(l, T::RowSoonMaterial, &[&it.title, &date(it.date)])
            } else {
                tf(l, T::RowSoonFeedback, &[&it.title, &date(it.date)])
            }
        }
    }
}

/// A retainer's hours used of those included, `(92%)`: Spanish sets a space before the percent
/// sign (`(92 %)`), as the Month view's gauge does. The stored title (JSON) stays as it is.
fn retainer_row(it: &ReviewItem, l: Lang) -> String {
    match l {
        Lang::En => it.title.clone(),
        Lang::Es => it.title.replace("%)", " %)"),
    }
}

/// A timer left running: on its task, or on the client alone (whose name the row shows
/// already), since the day it started.
fn timer_row(it: &ReviewItem, since: &str, l: Lang) -> String {
    if *it.title == *it.client {
        tf(l, T::RowTimerClient, &[&since])
    } else {
        tf(l, T::RowTimerTask, &[&it.title, &since])
    }
}

/// The desk's compact form of a row: the section and the lateness have their own columns.
pub fn review_short(it: &ReviewItem, today: NaiveDate, l: Lang) -> String {
    let date = |d: Option<NaiveDate>| d.map(|d| i18n::date_rel(d, today, l)).unwrap_or_else(|| "—".into());
    let nudges = |n: u32| {
        if n == 0 {
            String::new()
        } else {
            format!(" · {}", nudges(n, l))
        }
    };
    match it.kind {
        ReviewKind::FeedbackOverdue => format!("{}{}", it.title, nudges(it.detail().nudges)),
        ReviewKind::MaterialLate => {
            let task = it.detail().task_title.clone().unwrap_or_default();
            format!(
                "{}{}",
                tf(l, T::ShortMaterial, &[&it.title, &task, &date(it.detail().task_due)]),
                nudges(it.detail().nudges)
            )
        }
        ReviewKind::TaskOverdue | ReviewKind::TaskDueToday => it.title.clone(),
        ReviewKind::QuoteUnanswered => match &it.detail().about {
            Some(about) => format!("{} · {about}", quote_amount(it, l)),
            None => quote_amount(it, l),
        },
        ReviewKind::MeetingToday => format!(
            "{} {}",
            meeting_phrase(&it.title, l),
            it.detail().time.clone().unwrap_or_default()
        ),
        ReviewKind::AttendanceUnrecorded => format!("{} · {}", meeting_phrase(&it.title, l), date(it.date)),
        ReviewKind::WeeklyReview => T::RowWeekly.text(l).to_string(),
        ReviewKind::TimerRunning => timer_row(it, &date(it.date), l),
        ReviewKind::RetainerUsedUp | ReviewKind::RetainerNear => retainer_row(it, l),
        ReviewKind::DueSoon => {
            let key = if it.detail().material {
                T::ShortSoonMaterial
            } else {
                T::ShortSoonFeedback
            };
            tf(l, key, &[&it.title, &date(it.date)])
        }
    }
}

/// "2 nudges" / "2 recordatorios".
fn nudges(n: u32, l: Lang) -> String {
    if n == 0 {
        return T::NoNudges.text(l).to_string();
    }
    pl(l, P::Nudges, i64::from(n), &[])
}

/// A quote row's amount as money (the row's title holds it as a plain number).
fn quote_amount(it: &ReviewItem, l: Lang) -> String {
    use crate::domain::money::{cents_from_f64, format_cents};
    let cents = it
        .detail()
        .amount
        .or_else(|| it.title.parse().ok())
        .and_then(cents_from_f64);
    match cents {
        Some(c) => format_cents(c, it.detail().currency.unwrap_or(iso_currency::Currency::EUR), l),
        None => it.title.clone(),
    }
}

/// A meeting kind stored as its key, as a noun in a sentence.
fn meeting_phrase(key: &str, l: Lang) -> String {
    match MeetingKind::from_key(key) {
        Some(k) => k.phrase(l).to_string(),
        None => MeetingKind::Other.phrase(l).to_string(),
    }
}

/// The status bar's live counts: "2 late materials · 1 overdue feedback".
pub fn counts(c: &Counts, l: Lang) -> String {
    if c.material_late == 0 && c.feedback_overdue == 0 {
        return T::NothingLate.text(l).to_string();
    }
    let mut parts = Vec::new();
    if c.material_late > 0 {
        parts.push(pl(l, P::LateMaterials, i64::from(c.material_late), &[]));
    }
    if c.feedback_overdue > 0 {
        parts.push(pl(l, P::OverdueFeedback, i64::from(c.feedback_overdue), &[]));
    }
    parts.join(" · ")
}

/// A client's channels as people read them: "WhatsApp: +34 611…, email".
pub fn channel(kind: ChannelKind, handle: &str, l: Lang) -> String {
    if handle.is_empty() {
        kind.label(l).to_string()
    } else {
        format!("{}: {handle}", kind.label(l))
    }
}

/// A flag's note as people read it. Automatic flags store their note as plain data (keys,
/// ISO dates, plain numbers) so that it reads right in either language; it is put into words
/// here. Anything else (what the VA typed, titles) is shown as it is.
pub fn flag_note(f: &Flag, today: NaiveDate, l: Lang) -> String {
    if f.source != FlagSource::Auto || f.note.is_empty() {
        return f.note.clone();
    }
    let source = f.source_ref.as_deref().unwrap_or("");
    let prefix = source.split(':').next().unwrap_or("");
    auto_note(prefix, &f.note, today, l).unwrap_or_else(|| f.note.clone())
}

/// An automatic note by the kind of record that raised it (`quote`, `meeting`, `channels`,
/// `rate`, `weekly`), or None when it is already words.
pub fn auto_note(source: &str, note: &str, today: NaiveDate, l: Lang) -> Option<String> {
    match source {
        "quote" => {
            // "AMOUNT CURRENCY" ("300.00 USD"); flags raised before the currency was kept
            // hold the amount alone, in euros.
            let mut words = note.split_whitespace();
            let amount: f64 = words.next()?.parse().ok()?;
            let money = match words.next() {
                None => i18n::money(amount, l),
                Some(code) => {
                    let cur = iso_currency::Currency::from_code(code)?;
                    crate::domain::money::format_cents(crate::domain::money::cents_from_f64(amount)?, cur, l)
                }
            };
            Some(tf(l, T::NoteQuote, &[&money]))
        }
        "meeting" => {
            // "KIND YYYY-MM-DD HH:MM" or "KIND YYYY-MM-DD HH:MM (N min)".
            let mut words = note.split_whitespace();
            let kind = MeetingKind::from_key(words.next()?)?;
            let day = dates::parse_iso_date(words.next()?)?;
            let time = words.next()?;
            let mut out = format!("{}, {} {time}", kind.phrase(l), i18n::date(day, today, l));
            let minutes = words.next().and_then(|w| w.trim_start_matches('(').parse::<i64>().ok());
            if let Some(m) = minutes {
                out.push_str(", ");
                out.push_str(&pl(l, P::MinutesLate, m, &[]));
            }
            Some(out)
        }
        "channels" => {
            let labels: Option<Vec<&str>> = note
                .split(',')
                .map(|k| ChannelKind::from_key(k.trim()).map(|c| c.label(l)))
                .collect();
            Some(labels?.join(", "))
        }
        "rate" => {
            // "EFFECTIVE/h < MINIMUM/h"
            let (eff, min) = note.split_once('<')?;
            let num = |s: &str| s.trim().trim_end_matches("/h").trim().parse::<f64>().ok();
            Some(tf(
                l,
                T::NoteRate,
                &[&i18n::rate(num(eff)?, l), &i18n::rate(num(min)?, l)],
            ))
        }
        "weekly" => {
            let day = dates::parse_iso_date(note.trim())?;
            Some(tf(l, T::NoteWeekly, &[&i18n::date(day, today, l)]))
        }
        _ => None,
    }
}

/// A client's money as rows of its card (the desk's details, `client show`): the rate, and
/// what the client sets apart from the defaults: currency, billing increment, retainer with
/// its monthly fee, overage rate. `cur`: the client's currency.
pub fn client_money(c: &Client, cur: iso_currency::Currency, l: Lang) -> Vec<(T, String)> {
    let mut rows = Vec::new();
    if let Some(r) = c.rate_cents {
        rows.push((T::HRate, money::format_cents(r, cur, l)));
    }
    if let Some(code) = &c.currency {
        rows.push((T::HCurrency, code.clone()));
    }
    if let Some(i) = c.increment_min {
        rows.push((T::HIncrement, dates::format_duration(i)));
    }
    if let (Some(h), Some(fee)) = (c.retainer_min, c.fee_cents) {
        let fee = tf(l, T::PerMonth, &[&money::format_cents(fee, cur, l)]);
        rows.push((T::FRetainer, format!("{} · {fee}", money::hours_text(u64::from(h)))));
    }
    if let Some(o) = c.overage_cents {
        rows.push((T::HOverage, money::format_cents(o, cur, l)));
    }
    rows
}

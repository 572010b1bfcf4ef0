//! Quotes (presupuestos) and meetings: where a client shows how it treats the VA's time.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use rusqlite::{params, OptionalExtension, Row};

use super::{date, day, Store};
use crate::domain::{rules, text, Attendance, Meeting, MeetingKind, Quote, QuoteStatus};
use crate::error::{Arg, Error, Result};
use crate::i18n::{tf, T};

/// A client's quotes and meetings, counted (from `quotes_client` and `meetings_client`).
pub(crate) const QUOTE_COUNT: &str = "SELECT count(*) FROM quotes WHERE client_id = ?1";
pub(crate) const MEETING_COUNT: &str = "SELECT count(*) FROM meetings WHERE client_id = ?1";

const QUOTE_SELECT: &str =
    "SELECT q.id, q.client_id, c.name, q.amount_cents, q.prep_min, q.sent_on, q.answer_by, q.status, q.uuid,
            q.description, q.nudges, q.last_nudge, c.currency
     FROM quotes q JOIN clients c ON c.id = q.client_id";

fn quote_row(r: &Row) -> rusqlite::Result<Quote> {
    Ok(Quote {
        id: r.get(0)?,
        uuid: r.get(8)?,
        client_id: r.get(1)?,
        client: r.get(2)?,
        amount_cents: r.get(3)?,
        prep_min: r.get(4)?,
        sent_on: date(r.get(5)?),
        answer_by: date(r.get(6)?),
        status: QuoteStatus::from_key(&r.get::<_, String>(7)?).unwrap_or(QuoteStatus::Pending),
        description: r.get(9)?,
        nudges: r.get(10)?,
        last_nudge: super::opt_date(r.get(11)?),
        client_currency: r.get(12)?,
    })
}

const MEETING_SELECT: &str = "SELECT m.id, m.client_id, c.name, m.kind, m.at, m.attendance, m.late_minutes, m.uuid,
            m.length_min
     FROM meetings m JOIN clients c ON c.id = m.client_id";

fn meeting_row(r: &Row) -> rusqlite::Result<Meeting> {
    let at: String = r.get(4)?;
    Ok(Meeting {
        id: r.get(0)?,
        uuid: r.get(7)?,
        client_id: r.get(1)?,
        client: r.get(2)?,
        kind: MeetingKind::from_key(&r.get::<_, String>(3)?).unwrap_or(MeetingKind::Other),
        at: NaiveDateTime::parse_from_str(&at, "%Y-%m-%d %H:%M").unwrap_or_default(),
        attendance: Attendance::from_key(&r.get::<_, String>(5)?).unwrap_or(Attendance::Pending),
        late_minutes: r.get(6)?,
        length_min: r.get(8)?,
    })
}

/// A new quote; `answer_by` defaults to `sent` plus the configured days.
#[derive(Debug, Clone, PartialEq)]
pub struct NewQuote {
    /// In cents.
    pub amount_cents: i64,
    pub prep_min: u32,
    pub sent_on: NaiveDate,
    pub answer_by: Option<NaiveDate>,
    /// What the quote is for (`--for`); may be empty.
    pub description: String,
}

/// Changes to a quote; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QuoteEdit {
    /// In cents.
    pub amount: Option<i64>,
    pub description: Option<String>,
    pub prep_min: Option<u32>,
    pub answer_by: Option<NaiveDate>,
}

/// Changes to a meeting; `None` leaves a field as it is. Rescheduling keeps the attendance
/// and anything else already recorded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MeetingEdit {
    pub at: Option<NaiveDateTime>,
    pub kind: Option<MeetingKind>,
    /// `Some(None)` clears the length.
    pub length_min: Option<Option<u32>>,
}

/// A `review` meeting the client attended (on time or late) is that day's weekly review, held.
fn holds_review(kind: MeetingKind, a: Attendance) -> bool {
    kind == MeetingKind::Review && matches!(a, Attendance::OnTime | Attendance::Late)
}

/// A meeting's length: at least a minute, at most a day.
fn check_length(length_min: Option<u32>) -> Result<Option<u32>> {
    match length_min {
        Some(n) if n == 0 || n > 24 * 60 => Err(Error::invalid(
            T::ErrMeetingLength,
            &[&crate::domain::dates::format_duration(n)],
        )),
        other => Ok(other),
    }
}

impl Store {
    pub fn add_quote(&mut self, client_id: i64, q: NewQuote, default_days: i64) -> Result<i64> {
        let c = self.client(client_id)?;
        if !(0..=crate::domain::money::MAX_CENTS).contains(&q.amount_cents) {
            return Err(Error::invalid(T::ErrBadAmount, &[&q.amount_cents]));
        }
        let currency = self.money.currency_of(&c);
        crate::domain::money::check_decimals(q.amount_cents, currency, None)?;
        let description = text::free_text(&q.description, T::FieldDescription)?;
        // A quote is recorded once sent: its preparation time counts in the month it was sent.
        let today = self.clock().date();
        if q.sent_on > today {
            return Err(Error::invalid_with(
                T::ErrQuoteSentAhead,
                vec![Arg::day(q.sent_on, today), Arg::day(today, today)],
            ));
        }
        let answer_by = q.answer_by.unwrap_or(q.sent_on + Duration::days(default_days));
        if !crate::domain::dates::in_range(answer_by) {
            // Nobody typed that date: say where it comes from.
            return Err(match q.answer_by {
                Some(typed) => Error::invalid(T::ErrBadDate, &[&typed]),
                None => Error::invalid_with(
                    T::ErrQuoteDefaultAnswerOutside,
                    vec![
                        Arg::day(q.sent_on, today),
                        Arg::plural(crate::i18n::P::Days, default_days),
                        Arg::day(answer_by, today),
                        Arg::text(crate::domain::dates::YEARS.end()),
                    ],
                ),
            });
        }
        if answer_by < q.sent_on {
            return Err(Error::invalid(T::ErrAnswerBeforeSent, &[]));
        }
        self.write(
            |l| tf(l, T::UndoAddQuote, &[&c.name]),
            |tx| {
                tx.execute(
                    "INSERT INTO quotes(client_id, amount_cents, prep_min, sent_on, answer_by, description)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        client_id,
                        q.amount_cents,
                        q.prep_min,
                        day(q.sent_on),
                        day(answer_by),
                        description
                    ],
                )?;
                Ok(tx.last_insert_rowid())
            },
        )
    }

    pub fn quote(&self, id: i64) -> Result<Quote> {
        quote_in(&self.conn, id)
    }

    pub fn quotes_of(&self, client_id: i64) -> Result<Vec<Quote>> {
        let mut q = self.conn.prepare_cached(&format!(
            "{QUOTE_SELECT} WHERE q.client_id = ?1 ORDER BY q.sent_on DESC, q.id DESC"
        ))?;
        let rows = q.query_map([client_id], quote_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many quotes a client has (the tasks pane's tab strip).
    pub fn quote_count(&self, client_id: i64) -> Result<usize> {
        let n: i64 = self
            .conn
            .prepare_cached(QUOTE_COUNT)?
            .query_row([client_id], |r| r.get(0))?;
        Ok(n.max(0) as usize)
    }

    /// How many meetings a client has (the tasks pane's tab strip).
    pub fn meeting_count(&self, client_id: i64) -> Result<usize> {
        let n: i64 = self
            .conn
            .prepare_cached(MEETING_COUNT)?
            .query_row([client_id], |r| r.get(0))?;
        Ok(n.max(0) as usize)
    }

    /// Quotes, newest first, of one client or all, optionally of one status.
    pub fn list_quotes(&self, client_id: Option<i64>, status: Option<QuoteStatus>) -> Result<Vec<Quote>> {
        let mut q = self.conn.prepare_cached(&format!(
            "{QUOTE_SELECT} WHERE (?1 IS NULL OR q.client_id = ?1) AND (?2 IS NULL OR q.status = ?2)
             ORDER BY q.sent_on DESC, q.id DESC"
        ))?;
        let rows = q.query_map(params![client_id, status.map(|s| s.key())], quote_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Corrects a quote. The answer date may not fall before the day it was sent.
    pub fn edit_quote(&mut self, id: i64, e: QuoteEdit) -> Result<Quote> {
        self.edit_quote_if(id, |_| Some(e))?;
        self.quote(id)
    }

    /// Changes the fields `decide` sets, given the quote as it is inside the writing
    /// transaction (so nothing can change it between the look and the write); `decide`
    /// returning `None` writes nothing. `Ok(false)`: declined. A quote deleted meanwhile is
    /// `NotFound`.
    pub fn edit_quote_if(&mut self, id: i64, decide: impl FnOnce(&Quote) -> Option<QuoteEdit>) -> Result<bool> {
        let q = self.quote(id)?;
        let money = self.money.clone();
        let done = self.write_if(
            |l| tf(l, T::UndoEditQuote, &[&q.client]),
            |tx| {
                let q = quote_in(tx, id)?;
                let Some(e) = decide(&q) else {
                    return Ok(None);
                };
                let amount = e.amount.unwrap_or(q.amount_cents);
                if !(0..=crate::domain::money::MAX_CENTS).contains(&amount) {
                    return Err(Error::invalid(T::ErrBadAmount, &[&amount]));
                }
                if e.amount.is_some() {
                    let currency = money.currency_or_default(q.client_currency.as_deref());
                    crate::domain::money::check_decimals(amount, currency, None)?;
                }
                let description = match &e.description {
                    Some(d) => text::free_text(d, T::FieldDescription)?,
                    None => q.description.clone(),
                };
                let answer_by = e.answer_by.unwrap_or(q.answer_by);
                if answer_by < q.sent_on {
                    return Err(Error::invalid(T::ErrAnswerBeforeSent, &[]));
                }
                let prep_min = e.prep_min.unwrap_or(q.prep_min);
                tx.execute(
                    "UPDATE quotes SET amount_cents = ?1, description = ?2, prep_min = ?3, answer_by = ?4 WHERE id = ?5",
                    params![amount, description, prep_min, day(answer_by), id],
                )?;
                Ok(Some(()))
            },
        )?;
        Ok(done.is_some())
    }

    /// Counts a reminder sent about a pending quote; `until` moves its answer date. A quote
    /// already past its date keeps the flag that says so. Returns the number of reminders.
    pub fn nudge_quote(&mut self, id: i64, until: Option<NaiveDate>, today: NaiveDate) -> Result<u32> {
        let q = self.quote(id)?;
        if q.status != QuoteStatus::Pending {
            return Err(Error::Invalid(crate::error::Msg {
                key: T::ErrQuoteAnswered,
                args: vec![
                    crate::error::Arg::Text(id.to_string()),
                    crate::error::Arg::Key(q.status.label_key()),
                ],
            }));
        }
        if until.is_some_and(|u| u < q.sent_on) {
            return Err(Error::invalid(T::ErrAnswerBeforeSent, &[]));
        }
        self.write(
            |l| tf(l, T::UndoNudgeQuote, &[&q.client]),
            |tx| {
                if rules::is_late(q.answer_by, today) {
                    super::flags::raise(
                        tx,
                        q.client_id,
                        crate::domain::FlagKind::QuoteUnanswered,
                        rules::first_late_day(q.answer_by),
                        &format!("quote:{id}"),
                        &crate::domain::money::plain_cents(q.amount_cents),
                    )?;
                }
                tx.execute(
                    "UPDATE quotes SET answer_by = coalesce(?1, answer_by), snoozed_until = NULL WHERE id = ?2",
                    params![until.map(day), id],
                )?;
                super::counters::count_one(tx, super::counters::Counted::Quote, id, &day(today))
            },
        )
    }

    /// The client answered the quote.
    pub fn answer_quote(&mut self, id: i64, status: QuoteStatus, today: NaiveDate) -> Result<()> {
        let q = self.quote(id)?;
        if q.status != QuoteStatus::Pending {
            return Err(Error::Invalid(crate::error::Msg {
                key: T::ErrQuoteAnswered,
                args: vec![
                    crate::error::Arg::Text(id.to_string()),
                    crate::error::Arg::Key(q.status.label_key()),
                ],
            }));
        }
        rules::answered_after_sent(today, q.sent_on, today)?;
        self.write(
            |l| tf(l, T::UndoAnswerQuote, &[&q.client, &status.label(l)]),
            |tx| {
                tx.execute(
                    "UPDATE quotes SET status = ?1, answered_on = ?2 WHERE id = ?3",
                    params![status.key(), day(today), id],
                )?;
                Ok(())
            },
        )
    }

    pub fn delete_quote(&mut self, id: i64) -> Result<()> {
        let q = self.quote(id)?;
        self.write(
            |l| tf(l, T::UndoDeleteQuote, &[&q.client]),
            |tx| {
                tx.execute("DELETE FROM quotes WHERE id = ?1", [id])?;
                Ok(())
            },
        )
    }

    /// Schedules a meeting; `length_min` is how long it is planned to last.
    pub fn add_meeting(
        &mut self,
        client_id: i64,
        at: NaiveDateTime,
        kind: MeetingKind,
        length_min: Option<u32>,
    ) -> Result<i64> {
        let c = self.client(client_id)?;
        let length_min = check_length(length_min)?;
        self.write(
            |l| tf(l, T::UndoAddMeeting, &[&c.name]),
            |tx| {
                tx.execute(
                    "INSERT INTO meetings(client_id, kind, at, length_min) VALUES (?1, ?2, ?3, ?4)",
                    params![client_id, kind.key(), super::stamp(at), length_min],
                )?;
                Ok(tx.last_insert_rowid())
            },
        )
    }

    pub fn meeting(&self, id: i64) -> Result<Meeting> {
        meeting_in(&self.conn, id)
    }

    pub fn meetings_of(&self, client_id: i64) -> Result<Vec<Meeting>> {
        let mut q = self
            .conn
            .prepare_cached(&format!("{MEETING_SELECT} WHERE m.client_id = ?1 ORDER BY m.at DESC"))?;
        let rows = q.query_map([client_id], meeting_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Meetings, latest first, of one client or all.
    pub fn list_meetings(&self, client_id: Option<i64>) -> Result<Vec<Meeting>> {
        let mut q = self.conn.prepare_cached(&format!(
            "{MEETING_SELECT} WHERE (?1 IS NULL OR m.client_id = ?1) ORDER BY m.at DESC, m.id DESC"
        ))?;
        let rows = q.query_map([client_id], meeting_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Reschedules or corrects a meeting. The attendance and the flags it raised stay.
    pub fn edit_meeting(&mut self, id: i64, e: MeetingEdit) -> Result<Meeting> {
        self.edit_meeting_if(id, |_| Some(e))?;
        self.meeting(id)
    }

    /// Changes the fields `decide` sets, given the meeting as it is inside the writing
    /// transaction (so nothing can change it between the look and the write); `decide`
    /// returning `None` writes nothing. `Ok(false)`: declined. A meeting deleted meanwhile is
    /// `NotFound`.
    pub fn edit_meeting_if(&mut self, id: i64, decide: impl FnOnce(&Meeting) -> Option<MeetingEdit>) -> Result<bool> {
        let m = self.meeting(id)?;
        let now = self.clock();
        let done = self.write_if(
            |l| tf(l, T::UndoEditMeeting, &[&m.client]),
            |tx| {
                let m = meeting_in(tx, id)?;
                let Some(e) = decide(&m) else {
                    return Ok(None);
                };
                let at = e.at.unwrap_or(m.at);
                // Attendance is known once a meeting has started (honest time): one that was
                // attended, late or missed cannot move to a time still to come.
                if e.at.is_some()
                    && at > now
                    && matches!(m.attendance, Attendance::OnTime | Attendance::Late | Attendance::NoShow)
                {
                    return Err(Error::invalid(T::ErrHeldMeetingLater, &[]));
                }
                let kind = e.kind.unwrap_or(m.kind);
                let length_min = match e.length_min {
                    Some(l) => check_length(l)?,
                    None => m.length_min,
                };
                tx.execute(
                    "UPDATE meetings SET at = ?1, kind = ?2, length_min = ?3 WHERE id = ?4",
                    params![super::stamp(at), kind.key(), length_min, id],
                )?;
                if holds_review(kind, m.attendance) {
                    super::clients::record_weekly_review(tx, m.client_id, at.date(), false)?;
                }
                Ok(Some(()))
            },
        )?;
        Ok(done.is_some())
    }

    /// Records how the client turned up. A no-show or lateness raises its flag, dated the
    /// meeting's day; correcting the attendance replaces the flag it raised.
    pub fn record_attendance(&mut self, id: i64, a: Attendance, late_minutes: Option<u32>) -> Result<()> {
        let m = self.meeting(id)?;
        if late_minutes.is_some() && a != Attendance::Late {
            return Err(Error::invalid(T::ErrMinutesNeedLate, &[]));
        }
        if let Some(n) = late_minutes.filter(|n| !(1..=MAX_LATE_MINUTES).contains(n)) {
            return Err(Error::invalid(T::ErrLateMinutes, &[&n.to_string(), &MAX_LATE_MINUTES]));
        }
        self.write(
            |l| tf(l, T::UndoAttendance, &[&m.client, &a.label(l)]),
            |tx| {
                tx.execute(
                    "UPDATE meetings SET attendance = ?1, late_minutes = ?2 WHERE id = ?3",
                    params![a.key(), late_minutes, id],
                )?;
                let source = format!("meeting:{id}");
                tx.execute("DELETE FROM flags WHERE source_ref = ?1 AND source = 'auto'", [&source])?;
                if holds_review(m.kind, a) {
                    super::clients::record_weekly_review(tx, m.client_id, m.at.date(), false)?;
                }
                if let Some(kind) = rules::attendance_flag(a) {
                    let note = match late_minutes {
                        Some(n) => format!("{} {} ({n} min)", m.kind.key(), super::stamp(m.at)),
                        None => format!("{} {}", m.kind.key(), super::stamp(m.at)),
                    };
                    super::flags::raise(tx, m.client_id, kind, m.at.date(), &source, &note)?;
                }
                Ok(())
            },
        )
    }

    pub fn delete_meeting(&mut self, id: i64) -> Result<()> {
        let m = self.meeting(id)?;
        self.write(
            |l| tf(l, T::UndoDeleteMeeting, &[&m.client]),
            |tx| {
                tx.execute("DELETE FROM meetings WHERE id = ?1", [id])?;
                Ok(())
            },
        )
    }
}

/// A quote, read on `conn` (the store's connection, or a transaction).
fn quote_in(conn: &rusqlite::Connection, id: i64) -> Result<Quote> {
    conn.query_row(&format!("{QUOTE_SELECT} WHERE q.id = ?1"), [id], quote_row)
        .optional()?
        .ok_or_else(|| Error::not_found(T::ErrNoQuote, &[&id]))
}

/// A meeting, read on `conn` (the store's connection, or a transaction).
fn meeting_in(conn: &rusqlite::Connection, id: i64) -> Result<Meeting> {
    conn.query_row(&format!("{MEETING_SELECT} WHERE m.id = ?1"), [id], meeting_row)
        .optional()?
        .ok_or_else(|| Error::not_found(T::ErrNoMeeting, &[&id]))
}

/// The most minutes late a meeting is recorded with: later than a day, it was missed.
pub const MAX_LATE_MINUTES: u32 = 1440;

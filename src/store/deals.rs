//! Quotes (presupuestos) and meetings: where a client shows how it treats the VA's time.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use rusqlite::{params, OptionalExtension, Row};

use super::{date, day, Store};
use crate::domain::{rules, Attendance, Meeting, MeetingKind, Quote, QuoteStatus};
use crate::error::{Error, Result};
use crate::i18n::{tf, T};

const QUOTE_SELECT: &str =
    "SELECT q.id, q.client_id, c.name, q.amount_cents, q.prep_min, q.sent_on, q.answer_by, q.status, q.uuid
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
    })
}

const MEETING_SELECT: &str = "SELECT m.id, m.client_id, c.name, m.kind, m.at, m.attendance, m.late_minutes, m.uuid
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
}

impl Store {
    pub fn add_quote(&mut self, client_id: i64, q: NewQuote, default_days: i64) -> Result<i64> {
        let c = self.client(client_id)?;
        if !(0..=crate::domain::money::MAX_CENTS).contains(&q.amount_cents) {
            return Err(Error::invalid(T::ErrBadAmount, &[&q.amount_cents]));
        }
        let answer_by = q.answer_by.unwrap_or(q.sent_on + Duration::days(default_days));
        if answer_by < q.sent_on {
            return Err(Error::invalid(T::ErrAnswerBeforeSent, &[]));
        }
        self.write(
            |l| tf(l, T::UndoAddQuote, &[&c.name]),
            |tx| {
                tx.execute(
                    "INSERT INTO quotes(client_id, amount_cents, prep_min, sent_on, answer_by) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![client_id, q.amount_cents, q.prep_min, day(q.sent_on), day(answer_by)],
                )?;
                Ok(tx.last_insert_rowid())
            },
        )
    }

    pub fn quote(&self, id: i64) -> Result<Quote> {
        self.conn
            .query_row(&format!("{QUOTE_SELECT} WHERE q.id = ?1"), [id], quote_row)
            .optional()?
            .ok_or_else(|| Error::not_found(T::ErrNoQuote, &[&id]))
    }

    pub fn quotes_of(&self, client_id: i64) -> Result<Vec<Quote>> {
        let mut q = self.conn.prepare_cached(&format!(
            "{QUOTE_SELECT} WHERE q.client_id = ?1 ORDER BY q.sent_on DESC, q.id DESC"
        ))?;
        let rows = q.query_map([client_id], quote_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The client answered the quote.
    pub fn answer_quote(&mut self, id: i64, status: QuoteStatus, today: NaiveDate) -> Result<()> {
        let q = self.quote(id)?;
        if q.status != QuoteStatus::Pending {
            return Err(Error::invalid(T::ErrQuoteAnswered, &[&id, &q.status]));
        }
        self.write(
            |l| tf(l, T::UndoAnswerQuote, &[&q.client, &status]),
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

    pub fn add_meeting(&mut self, client_id: i64, at: NaiveDateTime, kind: MeetingKind) -> Result<i64> {
        let c = self.client(client_id)?;
        self.write(
            |l| tf(l, T::UndoAddMeeting, &[&c.name]),
            |tx| {
                tx.execute(
                    "INSERT INTO meetings(client_id, kind, at) VALUES (?1, ?2, ?3)",
                    params![client_id, kind.key(), super::stamp(at)],
                )?;
                Ok(tx.last_insert_rowid())
            },
        )
    }

    pub fn meeting(&self, id: i64) -> Result<Meeting> {
        self.conn
            .query_row(&format!("{MEETING_SELECT} WHERE m.id = ?1"), [id], meeting_row)
            .optional()?
            .ok_or_else(|| Error::not_found(T::ErrNoMeeting, &[&id]))
    }

    pub fn meetings_of(&self, client_id: i64) -> Result<Vec<Meeting>> {
        let mut q = self
            .conn
            .prepare_cached(&format!("{MEETING_SELECT} WHERE m.client_id = ?1 ORDER BY m.at DESC"))?;
        let rows = q.query_map([client_id], meeting_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Records how the client turned up. A no-show or lateness raises its flag, dated the
    /// meeting's day; correcting the attendance replaces the flag it raised.
    pub fn record_attendance(&mut self, id: i64, a: Attendance, late_minutes: Option<u32>) -> Result<()> {
        let m = self.meeting(id)?;
        if late_minutes.is_some() && a != Attendance::Late {
            return Err(Error::invalid(T::ErrMinutesNeedLate, &[]));
        }
        self.write(
            |l| tf(l, T::UndoAttendance, &[&m.client, &a]),
            |tx| {
                tx.execute(
                    "UPDATE meetings SET attendance = ?1, late_minutes = ?2 WHERE id = ?3",
                    params![a.key(), late_minutes, id],
                )?;
                let source = format!("meeting:{id}");
                tx.execute("DELETE FROM flags WHERE source_ref = ?1 AND source = 'auto'", [&source])?;
                if let Some(kind) = rules::attendance_flag(a) {
                    let note = match late_minutes {
                        Some(n) => format!("{} {} ({n} min)", m.kind, super::stamp(m.at)),
                        None => format!("{} {}", m.kind, super::stamp(m.at)),
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

//! What goes into the iCalendar file: dated things still ahead of the VA, with their uuids.

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::Row;

use super::Store;
use crate::domain::{MeetingKind, RequestKind};
use crate::error::Result;

/// One dated thing for the calendar.
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarEntry {
    pub uuid: String,
    pub client: String,
    pub what: CalendarWhat,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CalendarWhat {
    TaskDue {
        title: String,
        due: NaiveDate,
    },
    Request {
        kind: RequestKind,
        what: String,
        task: String,
        by: NaiveDate,
    },
    QuoteAnswer {
        /// In cents of the client's currency.
        amount_cents: i64,
        currency: iso_currency::Currency,
        by: NaiveDate,
    },
    Meeting {
        kind: MeetingKind,
        at: NaiveDateTime,
        /// Its recorded length, if any.
        minutes: Option<u32>,
    },
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Every calendar query selects the record's uuid and its client's name first, then what
/// `what` reads into an entry (None: a date another program wrote that cannot be read).
fn gather(
    store: &Store,
    sql: &str,
    out: &mut Vec<CalendarEntry>,
    what: impl Fn(&Row) -> rusqlite::Result<Option<CalendarWhat>>,
) -> Result<()> {
    let mut q = store.conn.prepare(sql)?;
    let rows = q.query_map([], |r| match what(r)? {
        Some(what) => Ok(Some(CalendarEntry {
            uuid: r.get(0)?,
            client: r.get(1)?,
            what,
        })),
        None => Ok(None),
    })?;
    for row in rows {
        out.extend(row?);
    }
    Ok(())
}

impl Store {
    /// Open tasks with a due date, open requests, pending quotes and meetings not cancelled.
    /// A row whose date cannot be read (written by another program) is left out, not fatal.
    pub fn calendar_entries(&self) -> Result<Vec<CalendarEntry>> {
        let mut out = Vec::new();
        gather(
            self,
            "SELECT t.uuid, c.name, t.title, t.due FROM tasks t JOIN clients c ON c.id = t.client_id
             WHERE t.due IS NOT NULL AND t.status NOT IN ('done', 'cancelled') ORDER BY t.due, t.id",
            &mut out,
            |r| {
                let title = r.get(2)?;
                Ok(date(&r.get::<_, String>(3)?).map(|due| CalendarWhat::TaskDue { title, due }))
            },
        )?;
        gather(
            self,
            "SELECT r.uuid, c.name, r.kind, r.what, t.title, r.expected_by FROM requests r
             JOIN tasks t ON t.id = r.task_id JOIN clients c ON c.id = t.client_id
             WHERE r.received_on IS NULL AND t.status NOT IN ('done', 'cancelled')
             ORDER BY r.expected_by, r.id",
            &mut out,
            |r| {
                let kind = RequestKind::from_key(&r.get::<_, String>(2)?);
                let by = date(&r.get::<_, String>(5)?);
                let (what, task) = (r.get(3)?, r.get(4)?);
                Ok(kind
                    .zip(by)
                    .map(|(kind, by)| CalendarWhat::Request { kind, what, task, by }))
            },
        )?;
        gather(
            self,
            "SELECT q.uuid, c.name, q.amount_cents, q.answer_by, c.currency FROM quotes q JOIN clients c ON c.id = q.client_id
             WHERE q.status = 'pending' ORDER BY q.answer_by, q.id",
            &mut out,
            |r| {
                let amount_cents = r.get(2)?;
                let currency = self.money_defaults().currency_or_default(r.get::<_, Option<String>>(4)?.as_deref());
                Ok(date(&r.get::<_, String>(3)?).map(|by| CalendarWhat::QuoteAnswer {
                    amount_cents,
                    currency,
                    by,
                }))
            },
        )?;
        gather(
            self,
            "SELECT m.uuid, c.name, m.kind, m.at, m.length_min FROM meetings m JOIN clients c ON c.id = m.client_id
             WHERE m.attendance <> 'cancelled' ORDER BY m.at, m.id",
            &mut out,
            |r| {
                let kind = MeetingKind::from_key(&r.get::<_, String>(2)?).unwrap_or(MeetingKind::Other);
                let minutes = r.get(4)?;
                let at = NaiveDateTime::parse_from_str(&r.get::<_, String>(3)?, "%Y-%m-%d %H:%M").ok();
                Ok(at.map(|at| CalendarWhat::Meeting { kind, at, minutes }))
            },
        )?;
        Ok(out)
    }
}

//! What goes into the iCalendar file: dated things still ahead of the VA, with their uuids.

use chrono::{NaiveDate, NaiveDateTime};

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

impl Store {
    /// Open tasks with a due date, open requests, pending quotes and meetings not cancelled.
    /// A row whose date cannot be read (written by another program) is left out, not fatal.
    pub fn calendar_entries(&self) -> Result<Vec<CalendarEntry>> {
        let mut out = Vec::new();
        let mut q = self.conn.prepare(
            "SELECT t.uuid, c.name, t.title, t.due FROM tasks t JOIN clients c ON c.id = t.client_id
             WHERE t.due IS NOT NULL AND t.status NOT IN ('done', 'cancelled') ORDER BY t.due, t.id",
        )?;
        let rows = q.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        for row in rows {
            let (uuid, client, title, due) = row?;
            if let Some(due) = date(&due) {
                out.push(CalendarEntry {
                    uuid,
                    client,
                    what: CalendarWhat::TaskDue { title, due },
                });
            }
        }
        let mut q = self.conn.prepare(
            "SELECT r.uuid, c.name, r.kind, r.what, t.title, r.expected_by FROM requests r
             JOIN tasks t ON t.id = r.task_id JOIN clients c ON c.id = t.client_id
             WHERE r.received_on IS NULL AND t.status NOT IN ('done', 'cancelled')
             ORDER BY r.expected_by, r.id",
        )?;
        let rows = q.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        for row in rows {
            let (uuid, client, kind, what, task, by) = row?;
            if let (Some(kind), Some(by)) = (RequestKind::from_key(&kind), date(&by)) {
                out.push(CalendarEntry {
                    uuid,
                    client,
                    what: CalendarWhat::Request { kind, what, task, by },
                });
            }
        }
        let mut q = self.conn.prepare(
            "SELECT q.uuid, c.name, q.amount_cents, q.answer_by, c.currency FROM quotes q JOIN clients c ON c.id = q.client_id
             WHERE q.status = 'pending' ORDER BY q.answer_by, q.id",
        )?;
        let rows = q.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })?;
        for row in rows {
            let (uuid, client, amount_cents, by, currency) = row?;
            if let Some(by) = date(&by) {
                let currency = self.money_defaults().currency_or_default(currency.as_deref());
                out.push(CalendarEntry {
                    uuid,
                    client,
                    what: CalendarWhat::QuoteAnswer {
                        amount_cents,
                        currency,
                        by,
                    },
                });
            }
        }
        let mut q = self.conn.prepare(
            "SELECT m.uuid, c.name, m.kind, m.at, m.length_min FROM meetings m JOIN clients c ON c.id = m.client_id
             WHERE m.attendance <> 'cancelled' ORDER BY m.at, m.id",
        )?;
        let rows = q.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<u32>>(4)?,
            ))
        })?;
        for row in rows {
            let (uuid, client, kind, at, minutes) = row?;
            if let Ok(at) = NaiveDateTime::parse_from_str(&at, "%Y-%m-%d %H:%M") {
                let kind = MeetingKind::from_key(&kind).unwrap_or(MeetingKind::Other);
                out.push(CalendarEntry {
                    uuid,
                    client,
                    what: CalendarWhat::Meeting { kind, at, minutes },
                });
            }
        }
        Ok(out)
    }
}

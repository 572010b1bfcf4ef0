//! The rules between fields of one record that the command line keeps, checked on a record an
//! import has just written (so a merge is judged on the record as it ends up: the file's
//! fields over the store's). A file can hold any pair of values; the command line cannot.

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Transaction};

use super::parse_day;
use crate::domain::{rules, text, Attendance, RequestKind};
use crate::error::{Error, Result};
use crate::i18n::T;

/// The field of record `id` of `table` that breaks a rule, and the command line's refusal.
/// (Time entries are checked before they are written: see `time_task_client`.)
pub(super) fn broken(
    tx: &Transaction,
    table: &str,
    id: i64,
    now: NaiveDateTime,
) -> Result<Option<(&'static str, Error)>> {
    let today = now.date();
    match table {
        "clients" => client(tx, id, today),
        "tasks" => task(tx, id, today),
        "requests" => request(tx, id, today),
        "quotes" => quote(tx, id, today),
        "meetings" => meeting(tx, id),
        "flags" => flag(tx, id, today),
        "time_entries" => time_entry(tx, id, now),
        "billed_terms" => billed_terms(tx, id),
        _ => Ok(None),
    }
}

/// A day that has not come yet, for a field that records one that has.
fn ahead(day: NaiveDate, today: NaiveDate) -> Option<Error> {
    (day > today).then(|| Error::invalid_with(T::ErrImportDayAhead, vec![crate::error::Arg::day(day, today)]))
}

/// A client was added on a day already come, and a retainer goes with its monthly fee (and a
/// fee with its retainer), as `client add` keeps them.
fn client(tx: &Transaction, id: i64, today: NaiveDate) -> Result<Option<(&'static str, Error)>> {
    let row: Option<(String, Option<i64>, Option<i64>)> = tx
        .query_row(
            "SELECT created_on, retainer_min, fee_cents FROM clients WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((created, retainer, fee)) = row else {
        return Ok(None);
    };
    if let Some(e) = parse_day(&created).and_then(|d| ahead(d, today)) {
        return Ok(Some(("created_on", e)));
    }
    Ok(retainer_with_fee(retainer, fee))
}

/// The terms a month was billed under: a retainer with its fee, as the client had them.
fn billed_terms(tx: &Transaction, id: i64) -> Result<Option<(&'static str, Error)>> {
    let row: Option<(Option<i64>, Option<i64>)> = tx
        .query_row(
            "SELECT retainer_min, fee_cents FROM billed_terms WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(row.and_then(|(retainer, fee)| retainer_with_fee(retainer, fee)))
}

fn retainer_with_fee(retainer: Option<i64>, fee: Option<i64>) -> Option<(&'static str, Error)> {
    match (retainer, fee) {
        (Some(_), None) => Some(("fee_cents", Error::invalid(T::ErrRetainerNeedsFee, &[]))),
        (None, Some(_)) => Some(("retainer_min", Error::invalid(T::ErrRetainerNeedsFee, &[]))),
        _ => None,
    }
}

/// A task is created, delivered and closed on days already come, and delivered and closed on
/// or after the day it was created.
fn task(tx: &Transaction, id: i64, today: NaiveDate) -> Result<Option<(&'static str, Error)>> {
    let row: Option<(String, Option<String>, Option<String>)> = tx
        .query_row(
            "SELECT created_on, delivered_on, closed_on FROM tasks WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((created, delivered, closed)) = row else {
        return Ok(None);
    };
    let Some(created) = parse_day(&created) else {
        return Ok(None);
    };
    if let Some(e) = ahead(created, today) {
        return Ok(Some(("created_on", e)));
    }
    for (col, day) in [("delivered_on", delivered), ("closed_on", closed)] {
        let Some(day) = day.as_deref().and_then(parse_day) else {
            continue;
        };
        if let Some(e) = ahead(day, today) {
            return Ok(Some((col, e)));
        }
        if day < created {
            return Ok(Some((
                col,
                Error::invalid_with(
                    T::ErrImportBeforeCreated,
                    vec![
                        crate::error::Arg::day(day, today),
                        crate::error::Arg::day(created, today),
                    ],
                ),
            )));
        }
    }
    Ok(None)
}

/// A flag is dated on a day already come (SPEC 9, honest time).
fn flag(tx: &Transaction, id: i64, today: NaiveDate) -> Result<Option<(&'static str, Error)>> {
    let at: Option<String> = tx
        .query_row("SELECT at FROM flags WHERE id = ?1", [id], |r| r.get(0))
        .optional()?;
    match at.as_deref().and_then(parse_day) {
        Some(at) => Ok(rules::honest_flag_date(at, today).err().map(|e| ("at", e))),
        None => Ok(None),
    }
}

/// Time is logged once worked (it has ended by now; a running timer has started), and only
/// billable time that was worked is billed, on a day from the work's to today.
fn time_entry(tx: &Transaction, id: i64, now: NaiveDateTime) -> Result<Option<(&'static str, Error)>> {
    type Row = (String, Option<i64>, bool, Option<String>, Option<i64>);
    let today = now.date();
    let row: Option<Row> = tx
        .query_row(
            "SELECT start, minutes, billable, billed_on, billed_min FROM time_entries WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?;
    let Some((start, minutes, billable, billed, billed_min)) = row else {
        return Ok(None);
    };
    if let Some(begun) = crate::domain::dates::parse_stamp(&start) {
        let end = begun + chrono::Duration::minutes(minutes.unwrap_or(0));
        if end > now {
            let col = if begun > now || minutes.is_none() {
                "start"
            } else {
                "minutes"
            };
            return Ok(Some((
                col,
                Error::invalid_with(
                    T::ErrTimeAhead,
                    vec![crate::error::Arg::at(end, today), crate::error::Arg::at(now, today)],
                ),
            )));
        }
    }
    // Minutes as invoiced belong to a billed entry only.
    if billed.is_none() && billed_min.is_some() {
        return Ok(Some(("billed_min", Error::invalid(T::ErrImportInvoicedUnbilled, &[]))));
    }
    let Some(billed) = billed else {
        return Ok(None);
    };
    let (Some(worked), Some(billed)) = (start.get(..10).and_then(parse_day), parse_day(&billed)) else {
        return Ok(None);
    };
    let refusal = if !billable || minutes.is_none() {
        Error::invalid(T::ErrImportBilledUnbillable, &[])
    } else if billed < worked {
        Error::invalid_with(
            T::ErrImportBilledBefore,
            vec![
                crate::error::Arg::day(billed, today),
                crate::error::Arg::day(worked, today),
            ],
        )
    } else if billed > today {
        Error::invalid_with(T::ErrImportBilledAhead, vec![crate::error::Arg::day(billed, today)])
    } else {
        return Ok(None);
    };
    Ok(Some(("billed_on", refusal)))
}

/// A request as stored: kind, what, asked on, expected by, received on.
type RequestRow = (String, Option<String>, String, String, Option<String>);

/// Nothing is expected or received before it is asked for; a material says what it is.
fn request(tx: &Transaction, id: i64, today: NaiveDate) -> Result<Option<(&'static str, Error)>> {
    let row: Option<RequestRow> = tx
        .query_row(
            "SELECT kind, what, asked_on, expected_by, received_on FROM requests WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?;
    let Some((kind, what, asked, expected, received)) = row else {
        return Ok(None);
    };
    let (Some(asked), Some(expected)) = (parse_day(&asked), parse_day(&expected)) else {
        return Ok(None);
    };
    if let Err(e) = rules::expected_from_asked(expected, asked, today) {
        return Ok(Some(("expected_by", e)));
    }
    if let Some(received) = received.as_deref().and_then(parse_day) {
        if let Err(e) = rules::received_after_asked(received, asked, today) {
            return Ok(Some(("received_on", e)));
        }
    }
    if RequestKind::from_key(&kind) == Some(RequestKind::Material) {
        if let Err(e) = text::name(what.as_deref().unwrap_or(""), T::FieldWhat) {
            return Ok(Some(("what", e)));
        }
    }
    Ok(None)
}

/// A quote is answered, and expected to be, from the day it was sent on.
fn quote(tx: &Transaction, id: i64, today: NaiveDate) -> Result<Option<(&'static str, Error)>> {
    let row: Option<(String, String, Option<String>)> = tx
        .query_row(
            "SELECT sent_on, answer_by, answered_on FROM quotes WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((sent, answer_by, answered)) = row else {
        return Ok(None);
    };
    let Some(sent) = parse_day(&sent) else {
        return Ok(None);
    };
    if parse_day(&answer_by).is_some_and(|a| a < sent) {
        return Ok(Some(("answer_by", Error::invalid(T::ErrAnswerBeforeSent, &[]))));
    }
    if let Some(answered) = answered.as_deref().and_then(parse_day) {
        if let Err(e) = rules::answered_after_sent(answered, sent, today) {
            return Ok(Some(("answered_on", e)));
        }
    }
    Ok(None)
}

/// Minutes late go with a late attendance only, and count from one.
fn meeting(tx: &Transaction, id: i64) -> Result<Option<(&'static str, Error)>> {
    let row: Option<(String, Option<i64>)> = tx
        .query_row(
            "SELECT attendance, late_minutes FROM meetings WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((attendance, Some(minutes))) = row else {
        return Ok(None);
    };
    if Attendance::from_key(&attendance) != Some(Attendance::Late) {
        return Ok(Some(("late_minutes", Error::invalid(T::ErrMinutesNeedLate, &[]))));
    }
    let max = i64::from(super::MAX_LATE_MINUTES);
    if !(1..=max).contains(&minutes) {
        return Ok(Some((
            "late_minutes",
            Error::invalid(T::ErrLateMinutes, &[&minutes, &max]),
        )));
    }
    Ok(None)
}

/// Time on a task is time on that task's client. Checked on the file's fields before they
/// are written: the store itself would quietly move the entry to the task's client.
pub(super) fn time_task_client(tx: &Transaction, values: &[(&str, Value)]) -> Result<Option<(&'static str, Error)>> {
    let get = |col: &str| match values.iter().find(|(c, _)| *c == col) {
        Some((_, Value::Integer(i))) => Some(*i),
        _ => None,
    };
    let (Some(client), Some(task)) = (get("client_id"), get("task_id")) else {
        return Ok(None);
    };
    let row: Option<(i64, String)> = tx
        .query_row(
            "SELECT t.client_id, c.name FROM tasks t, clients c WHERE t.id = ?1 AND c.id = ?2",
            [task, client],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(row
        .filter(|(owner, _)| *owner != client)
        .map(|(_, name)| ("task_id", Error::invalid(T::ErrTaskOtherClient, &[&task, &name]))))
}

/// Task `id` moved to client `to` while some of its time is billed: why it may not move (its
/// billed time stays with the client it was invoiced to).
pub(crate) fn billed_task_moved(tx: &rusqlite::Connection, id: i64, to: &Value) -> Result<Option<Error>> {
    let moved: Option<(String, String)> = tx
        .query_row(
            "SELECT t.title, c.name FROM tasks t JOIN clients c ON c.id = t.client_id
              WHERE t.id = ?1 AND t.client_id IS NOT ?2
                AND EXISTS (SELECT 1 FROM time_entries WHERE task_id = t.id AND billed_on IS NOT NULL)",
            rusqlite::params![id, to],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(moved.map(|(title, client)| Error::invalid(T::ErrMoveBilledTask, &[&title, &client])))
}

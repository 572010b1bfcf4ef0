//! The rules between fields of one record that the command line keeps, checked on a record an
//! import has just written (so a merge is judged on the record as it ends up: the file's
//! fields over the store's). A file can hold any pair of values; the command line cannot.

use chrono::NaiveDate;
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
    today: NaiveDate,
) -> Result<Option<(&'static str, Error)>> {
    match table {
        "requests" => request(tx, id, today),
        "quotes" => quote(tx, id, today),
        "meetings" => meeting(tx, id),
        "flags" => flag(tx, id, today),
        "time_entries" => time_entry(tx, id, today),
        _ => Ok(None),
    }
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

/// Only billable time that was worked is billed, on a day from the work's to today.
fn time_entry(tx: &Transaction, id: i64, today: NaiveDate) -> Result<Option<(&'static str, Error)>> {
    type Row = (String, Option<i64>, bool, Option<String>);
    let row: Option<Row> = tx
        .query_row(
            "SELECT start, minutes, billable, billed_on FROM time_entries WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((start, minutes, billable, Some(billed))) = row else {
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

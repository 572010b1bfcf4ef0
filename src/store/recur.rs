//! Recurring tasks: the rule records and the instances they derive.
//!
//! A rule (`recurrences`: id, uuid, the rule as typed, the date it counts from) has ordinary
//! tasks as instances (`tasks.recurrence_id`). The next instance is made when the latest one
//! is delivered, done or cancelled, or once its due date has passed; its uuid is derived from
//! the rule's uuid and its date, so two processes (or machines) that make the same instance
//! collide on the UNIQUE uuid and the second insert is ignored.

use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension, Transaction};

use super::{date, day};
use crate::domain::identity;
use crate::domain::recur::Every;
use crate::error::Result;

/// The derived uuid of a rule's instance due on `due`.
pub fn instance_uuid(rule_uuid: &str, due: NaiveDate) -> String {
    identity::derived(&format!("recur:{rule_uuid}:{}", day(due)))
}

/// Rules whose latest instance is handled or past: what the tick advances. Reads the small
/// rules table and, per rule, one row of the instance index.
pub(crate) const DUE_RULES: &str = "SELECT r.id FROM recurrences r
     JOIN tasks t ON t.id = (SELECT i.id FROM tasks i WHERE i.recurrence_id = r.id ORDER BY i.due DESC LIMIT 1)
     WHERE t.due < ?1 OR t.status IN ('delivered', 'done', 'cancelled')";

/// Creates a rule counting from `start`; returns its id and uuid.
pub(crate) fn create_rule(tx: &Transaction, rule: &str, start: NaiveDate) -> Result<(i64, String)> {
    tx.execute(
        "INSERT INTO recurrences(uuid, rule, start) VALUES (?1, ?2, ?3)",
        params![identity::new_uuid(), rule.trim(), day(start)],
    )?;
    let id = tx.last_insert_rowid();
    let uuid: String = tx.query_row("SELECT uuid FROM recurrences WHERE id = ?1", [id], |r| r.get(0))?;
    Ok((id, uuid))
}

/// Makes the next instance of rule `rule_id` if its latest instance is handled or past.
/// Idempotent: returns the new task's id, or None when nothing was due (or another process
/// made the same instance first).
pub(crate) fn advance(tx: &Transaction, rule_id: i64, today: NaiveDate) -> Result<Option<i64>> {
    let Some((uuid, rule, start)) = tx
        .query_row(
            "SELECT uuid, rule, start FROM recurrences WHERE id = ?1",
            [rule_id],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)),
        )
        .optional()?
    else {
        return Ok(None);
    };
    let Ok(every) = Every::parse(&rule) else {
        return Ok(None);
    };
    let latest = tx
        .query_row(
            "SELECT id, due, status IN ('delivered', 'done', 'cancelled') FROM tasks
             WHERE recurrence_id = ?1 ORDER BY due DESC LIMIT 1",
            [rule_id],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, bool>(2)?,
                ))
            },
        )
        .optional()?;
    let Some((latest_id, Some(due), handled)) = latest else {
        return Ok(None);
    };
    let due = date(due);
    if !handled && due >= today {
        return Ok(None);
    }
    let Some(next) = every.next_after(date(start), due, today) else {
        return Ok(None);
    };
    if !crate::domain::dates::in_range(next) {
        return Ok(None);
    }
    let n = tx.execute(
        "INSERT OR IGNORE INTO tasks(uuid, client_id, title, spec, status, due, via, estimate_min, created_on, recurrence_id)
         SELECT ?1, client_id, title, spec, 'todo', ?2, via, estimate_min, ?3, recurrence_id FROM tasks WHERE id = ?4",
        params![instance_uuid(&uuid, next), day(next), day(today), latest_id],
    )?;
    Ok((n > 0).then(|| tx.last_insert_rowid()))
}

/// Advances every rule whose latest instance is handled or past (the tick's pass); returns
/// the new tasks' ids.
pub(crate) fn advance_all(tx: &Transaction, today: NaiveDate) -> Result<Vec<i64>> {
    let ids: Vec<i64> = {
        let mut q = tx.prepare_cached(DUE_RULES)?;
        let rows = q.query_map([day(today)], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut made = Vec::new();
    for id in ids {
        made.extend(advance(tx, id, today)?);
    }
    Ok(made)
}

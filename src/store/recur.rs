//! Recurring tasks: the rule records and the instances they derive.
//!
//! A rule (`recurrences`: id, uuid, the rule as typed, the date it counts from) has ordinary
//! tasks as instances (`tasks.recurrence_id`). A rule needs its next instance when none of its
//! instances is still open and not past (the latest was delivered, done or cancelled, or its
//! due date has passed). Each instance stands for one date the rule gives (its occurrence) and
//! its uuid is derived from the rule's uuid and that date, so two processes (or machines) that
//! make the same instance collide on the UNIQUE uuid and the second insert is ignored. Moving
//! an instance's due date keeps its uuid, so the occurrence it stands for stays taken: the
//! next instance is the first date the rule gives from today that no instance has taken yet,
//! by its occurrence or by its due date (never the moved one's own date again, whatever it was
//! moved to, and never two instances for one date).

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

/// Rules with instances none of which is open and not past: what the tick advances. Reads the
/// small rules table and, per rule, the instance index from today on.
pub(crate) const DUE_RULES: &str = "SELECT r.id FROM recurrences r
     WHERE EXISTS (SELECT 1 FROM tasks i WHERE i.recurrence_id = r.id)
       AND NOT EXISTS (SELECT 1 FROM tasks i WHERE i.recurrence_id = r.id AND i.due >= ?1
                       AND i.status NOT IN ('delivered', 'done', 'cancelled'))";

/// Whether rule `?1` has an instance still open and not past (one ahead), leaving out the
/// instance `?3` (0: none).
const HAS_AHEAD: &str = "SELECT EXISTS (SELECT 1 FROM tasks i WHERE i.recurrence_id = ?1 AND i.due >= ?2
     AND i.status NOT IN ('delivered', 'done', 'cancelled') AND i.id <> ?3)";

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

/// Makes the next instance of rule `rule_id` if none of its instances is open and not past:
/// the first date the rule gives from `today` that no instance has taken (as its occurrence or
/// its due date). Idempotent: returns the new task's id, or None when nothing was due (or
/// another process made the same instance first).
pub(crate) fn advance(tx: &Transaction, rule_id: i64, today: NaiveDate) -> Result<Option<i64>> {
    advance_except(tx, rule_id, today, None)
}

/// `advance` as if instance `going` (about to be deleted) were not open: it is the one the
/// next copies, and its date stays taken, so deleting an instance skips that occurrence and
/// the series goes on (a rule stops only when told to).
pub(crate) fn advance_past(tx: &Transaction, rule_id: i64, today: NaiveDate, going: i64) -> Result<Option<i64>> {
    advance_except(tx, rule_id, today, Some(going))
}

fn advance_except(tx: &Transaction, rule_id: i64, today: NaiveDate, going: Option<i64>) -> Result<Option<i64>> {
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
    let ahead: bool = tx.query_row(HAS_AHEAD, params![rule_id, day(today), going.unwrap_or(0)], |r| {
        r.get(0)
    })?;
    if ahead {
        return Ok(None);
    }
    // The instance the next one copies (title, spec, estimate...): the one going, else the
    // latest by due date.
    let latest = match going {
        Some(id) => Some(id),
        None => tx
            .query_row(
                "SELECT id FROM tasks WHERE recurrence_id = ?1 ORDER BY due DESC, id DESC LIMIT 1",
                [rule_id],
                |r| r.get::<_, i64>(0),
            )
            .optional()?,
    };
    let Some(latest_id) = latest else {
        return Ok(None);
    };
    let start = date(start);
    let Some(mut next) = every.next_after(start, today.pred_opt().unwrap_or(today), today) else {
        return Ok(None);
    };
    // A date is taken by the instance that set the rule (`start`: a task made to repeat keeps
    // the uuid it had), by the instance derived for it, or by an instance moved onto it. Each
    // instance takes at most two dates: the walk ends within twice their count.
    let mut taken = tx.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM tasks WHERE uuid = ?1)
             OR EXISTS (SELECT 1 FROM tasks WHERE recurrence_id = ?2 AND due = ?3)",
    )?;
    while next == start
        || taken.query_row(params![instance_uuid(&uuid, next), rule_id, day(next)], |r| {
            r.get::<_, bool>(0)
        })?
    {
        match every.next_after(start, next, today) {
            Some(d) => next = d,
            None => return Ok(None),
        }
    }
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

/// Advances every rule with no instance open and not past (the tick's pass); returns
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

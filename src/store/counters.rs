//! Counters as events: every nudge of a request or a quote and every clarification of a task
//! is a row of `counter_events`, so two machines that each nudged offline end with both
//! nudges. The counter columns (`nudges`, `last_nudge`, `clarifications`) are derived from
//! the events by triggers (schema step 10) and never travel by sync themselves.

use rusqlite::Connection;

use crate::error::Result;

/// The derived counter columns: (table, column). Undo images leave them out (the events carry
/// the change, and the other machine's nudges never block undoing one of ours); sync never
/// sends them.
pub(crate) const DERIVED: &[(&str, &str)] = &[
    ("tasks", "clarifications"),
    ("requests", "nudges"),
    ("requests", "last_nudge"),
    ("quotes", "nudges"),
    ("quotes", "last_nudge"),
];

/// Counts the events of record `id` of `table` again (after an undo put rows back in any
/// order). Other tables are left alone.
pub(crate) fn recount(conn: &Connection, table: &str, id: i64) -> rusqlite::Result<()> {
    let sql = match table {
        "tasks" => {
            "UPDATE tasks SET clarifications = (SELECT count(*) FROM counter_events WHERE task_id = ?1) WHERE id = ?1"
        }
        "requests" => {
            "UPDATE requests SET nudges = (SELECT count(*) FROM counter_events WHERE request_id = ?1),
               last_nudge = (SELECT max(on_date) FROM counter_events WHERE request_id = ?1) WHERE id = ?1"
        }
        "quotes" => {
            "UPDATE quotes SET nudges = (SELECT count(*) FROM counter_events WHERE quote_id = ?1),
               last_nudge = (SELECT max(on_date) FROM counter_events WHERE quote_id = ?1) WHERE id = ?1"
        }
        _ => return Ok(()),
    };
    conn.execute(sql, [id])?;
    Ok(())
}

/// Turns counts that have no events behind them (a store from before step 10, an export
/// without `counter_events`) into as many events, dated the last nudge (or the day the record
/// began), so no count is lost. Their uuids derive from the record's uuid and their place in
/// the count, so two machines that upgrade the same synced desk make the same events.
pub(crate) fn backfill(conn: &Connection) -> rusqlite::Result<()> {
    let missing: Vec<(&str, i64, String, String, i64, i64)> = {
        let mut out = Vec::new();
        for (col, sql) in [
            (
                "task_id",
                "SELECT t.id, t.uuid, t.created_on, t.clarifications,
                        (SELECT count(*) FROM counter_events e WHERE e.task_id = t.id)
                 FROM tasks t WHERE t.clarifications > 0",
            ),
            (
                "request_id",
                "SELECT r.id, r.uuid, coalesce(r.last_nudge, r.asked_on), r.nudges,
                        (SELECT count(*) FROM counter_events e WHERE e.request_id = r.id)
                 FROM requests r WHERE r.nudges > 0",
            ),
            (
                "quote_id",
                "SELECT q.id, q.uuid, coalesce(q.last_nudge, q.sent_on), q.nudges,
                        (SELECT count(*) FROM counter_events e WHERE e.quote_id = q.id)
                 FROM quotes q WHERE q.nudges > 0",
            ),
        ] {
            let mut q = conn.prepare(sql)?;
            let rows = q.query_map([], |r| Ok((col, r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?;
            for row in rows {
                let row = row?;
                if row.4 > row.5 {
                    out.push(row);
                }
            }
        }
        out
    };
    for (col, id, uuid, on_date, count, events) in missing {
        let mut add = conn.prepare_cached(&format!(
            "INSERT OR IGNORE INTO counter_events(uuid, {col}, on_date) VALUES (?1, ?2, ?3)"
        ))?;
        for n in events + 1..=count.min(events + 10_000) {
            let key = format!("counter:{col}:{uuid}:{n}");
            add.execute(rusqlite::params![crate::domain::identity::derived(&key), id, on_date])?;
        }
    }
    Ok(())
}

/// What a counter event counts: its parent's column in `counter_events`, and where the count
/// the triggers keep can be read back.
#[derive(Clone, Copy)]
pub(crate) enum Counted {
    /// A nudge about a material or feedback request.
    Request,
    /// A nudge about a quote.
    Quote,
    /// A clarification question about a task.
    Task,
}

impl Counted {
    fn sql(self) -> (&'static str, &'static str) {
        match self {
            Counted::Request => ("request_id", "SELECT nudges FROM requests WHERE id = ?1"),
            Counted::Quote => ("quote_id", "SELECT nudges FROM quotes WHERE id = ?1"),
            Counted::Task => ("task_id", "SELECT clarifications FROM tasks WHERE id = ?1"),
        }
    }
}

/// One more event of record `id` on `day`; returns the record's count now.
pub(crate) fn count_one(conn: &Connection, what: Counted, id: i64, day: &str) -> Result<u32> {
    let (column, count) = what.sql();
    conn.execute(
        &format!("INSERT INTO counter_events({column}, on_date) VALUES (?1, ?2)"),
        rusqlite::params![id, day],
    )?;
    Ok(conn.query_row(count, [id], |r| r.get(0))?)
}

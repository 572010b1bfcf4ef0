//! Many-level undo kept in the store: while the TUI records, temporary triggers on its own
//! connection write the inverse of every row change into `undo_log`, grouped in steps.
//! Undoing replays a step's inverse statements newest first. Changes made by other
//! connections (the tick, the command line) are never recorded.

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};

use super::Store;
use crate::error::{Error, Result};
use crate::i18n::T;

/// Tables whose changes can be undone.
const TABLES: &[&str] = &[
    "clients",
    "channels",
    "tasks",
    "requests",
    "quotes",
    "meetings",
    "flags",
    "weekly_reviews",
];
/// Steps kept; older ones are forgotten.
const KEEP_STEPS: i64 = 500;

impl Store {
    /// Starts recording this connection's changes for undo (the TUI calls this once).
    pub fn enable_undo(&mut self) -> Result<()> {
        self.conn.execute_batch("CREATE TEMP TABLE IF NOT EXISTS undo_cur(step INTEGER); DELETE FROM temp.undo_cur; INSERT INTO temp.undo_cur VALUES (NULL);")?;
        for table in TABLES {
            create_triggers(&self.conn, table)?;
        }
        self.recording = true;
        Ok(())
    }

    /// The label of the change `undo` would revert.
    pub fn undo_label(&self) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT label FROM undo_steps ORDER BY step DESC LIMIT 1", [], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Reverts the latest recorded change; returns its label.
    pub fn undo(&mut self) -> Result<String> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let step: Option<(i64, String)> = tx
            .query_row(
                "SELECT step, label FROM undo_steps ORDER BY step DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((step, label)) = step else {
            return Err(Error::invalid(T::ErrNothingToUndo, &[]));
        };
        // Rows come back in reverse order: a parent may be re-inserted after its children.
        tx.execute_batch("PRAGMA defer_foreign_keys = ON")?;
        let stmts: Vec<String> = {
            let mut q = tx.prepare("SELECT stmt FROM undo_log WHERE step = ?1 ORDER BY id DESC")?;
            let rows = q.query_map([step], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        for s in &stmts {
            tx.execute_batch(s)?;
        }
        tx.execute("DELETE FROM undo_steps WHERE step = ?1", [step])?;
        tx.commit()?;
        Ok(label)
    }
}

pub(super) fn begin_step(tx: &Transaction, label: &str) -> Result<()> {
    let at = chrono::Local::now().naive_local();
    tx.execute(
        "INSERT INTO undo_steps(label, at) VALUES (?1, ?2)",
        rusqlite::params![label, super::stamp(at)],
    )?;
    let step = tx.last_insert_rowid();
    tx.execute("UPDATE temp.undo_cur SET step = ?1", [step])?;
    tx.execute("DELETE FROM undo_steps WHERE step <= ?1", [step - KEEP_STEPS])?;
    Ok(())
}

pub(super) fn end_step(tx: &Transaction) -> Result<()> {
    tx.execute("UPDATE temp.undo_cur SET step = NULL", [])?;
    // A step that changed nothing is not worth an undo.
    tx.execute("DELETE FROM undo_steps WHERE step = (SELECT max(step) FROM undo_steps) AND NOT EXISTS (SELECT 1 FROM undo_log WHERE step = undo_steps.step)", [])?;
    Ok(())
}

fn create_triggers(conn: &Connection, table: &str) -> Result<()> {
    let mut cols = Vec::new();
    let mut keys = Vec::new();
    {
        let mut q = conn.prepare(&format!("PRAGMA main.table_info({table})"))?;
        let rows = q.query_map([], |r| Ok((r.get::<_, String>(1)?, r.get::<_, i64>(5)?)))?;
        for row in rows {
            let (name, pk) = row?;
            if pk > 0 {
                keys.push(name.clone());
            }
            cols.push(name);
        }
    }
    let key_match = |prefix: &str| {
        keys.iter()
            .map(|k| format!("'{k}='||quote({prefix}.{k})"))
            .collect::<Vec<_>>()
            .join("||' AND '||")
    };
    let values = cols
        .iter()
        .map(|c| format!("quote(old.{c})"))
        .collect::<Vec<_>>()
        .join("||','||");
    let sets = cols
        .iter()
        .map(|c| format!("'{c}='||quote(old.{c})"))
        .collect::<Vec<_>>()
        .join("||','||");
    let col_list = cols.join(",");
    let log = |body: String| {
        format!("INSERT INTO main.undo_log(step, stmt) VALUES ((SELECT step FROM temp.undo_cur), {body});")
    };
    let when = "WHEN (SELECT step FROM temp.undo_cur) IS NOT NULL";
    let sql = format!(
        "CREATE TEMP TRIGGER IF NOT EXISTS undo_{table}_ins AFTER INSERT ON main.{table} {when} BEGIN {ins} END;
         CREATE TEMP TRIGGER IF NOT EXISTS undo_{table}_upd AFTER UPDATE ON main.{table} {when} BEGIN {upd} END;
         CREATE TEMP TRIGGER IF NOT EXISTS undo_{table}_del BEFORE DELETE ON main.{table} {when} BEGIN {del} END;",
        ins = log(format!("'DELETE FROM {table} WHERE '||{}", key_match("new"))),
        upd = log(format!(
            "'UPDATE {table} SET '||{sets}||' WHERE '||{}",
            key_match("new")
        )),
        del = log(format!("'INSERT INTO {table}({col_list}) VALUES('||{values}||')'")),
    );
    conn.execute_batch(&sql)?;
    Ok(())
}

//! Many-level undo and redo kept in the store. While the desk records, temporary triggers on
//! its own connection write, for every row a change touches, the row's image before and after
//! (JSON objects keyed by column), grouped in steps. Changes made by other connections (the
//! tick, the command line, another program) are never recorded.
//!
//! A step is carried out only if every row it would touch is still exactly as the step left
//! it; otherwise nothing happens and the step stays on the stack, so an undo can never
//! overwrite what someone else did meanwhile. Removing a row that other records now depend
//! on is refused the same way (automatic flags aside: they go with what raised them).

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};

use super::Store;
use crate::error::{Error, Result};
use crate::i18n::{tf, Lang, T};

/// Steps kept; older ones are forgotten.
const KEEP_STEPS: i64 = 1000;

/// A step on the undo or redo stack.
#[derive(Debug, Clone, PartialEq)]
pub struct UndoStep {
    pub step: i64,
    pub label: String,
    /// When the change was made (`YYYY-MM-DD HH:MM`, the desk's clock).
    pub at: chrono::NaiveDateTime,
}

#[derive(Clone, Copy, PartialEq)]
enum Direction {
    Undo,
    Redo,
}

/// Every table whose records carry an id and a uuid: new tables are covered without new code.
/// The sync replica's own tables (`tc_*`) are bookkeeping, not records.
fn recorded_tables(conn: &Connection) -> Result<Vec<(String, Vec<String>)>> {
    let names: Vec<String> = {
        let mut q = conn.prepare(
            "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
               AND name NOT LIKE 'undo_%' AND name NOT LIKE 'tc\\_%' ESCAPE '\\' ORDER BY name",
        )?;
        let rows = q.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut out = Vec::new();
    for name in names {
        let cols = columns(conn, &name)?;
        if cols.iter().any(|c| c == "id") && cols.iter().any(|c| c == "uuid") {
            out.push((name, cols));
        }
    }
    Ok(out)
}

/// A table's columns as undo images hold them: counters derived from events are left out.
fn columns(conn: &Connection, table: &str) -> Result<Vec<String>> {
    let mut q = conn.prepare(&format!("PRAGMA main.table_info({table})"))?;
    let rows = q.query_map([], |r| r.get::<_, String>(1))?;
    let cols: Vec<String> = rows.collect::<rusqlite::Result<_>>()?;
    Ok(cols
        .into_iter()
        .filter(|c| !super::counters::DERIVED.contains(&(table, c.as_str())))
        .collect())
}

/// `json_object('a', p.a, 'b', p.b, ...)`: a row's image.
fn image(cols: &[String], prefix: &str) -> String {
    let pairs: Vec<String> = cols.iter().map(|c| format!("'{c}', {prefix}{c}")).collect();
    format!("json_object({})", pairs.join(", "))
}

impl Store {
    /// Starts recording this connection's changes for undo (the desk calls this once).
    pub fn enable_undo(&mut self) -> Result<()> {
        self.conn.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS undo_cur(step INTEGER); DELETE FROM temp.undo_cur;
             INSERT INTO temp.undo_cur VALUES (NULL);",
        )?;
        for (table, cols) in recorded_tables(&self.conn)? {
            create_triggers(&self.conn, &table, &cols)?;
        }
        self.recording = true;
        Ok(())
    }

    /// The change `undo` would revert.
    pub fn undo_peek(&self) -> Result<Option<UndoStep>> {
        peek(&self.conn, Direction::Undo, self.lang)
    }

    /// The change `redo` would carry out again.
    pub fn redo_peek(&self) -> Result<Option<UndoStep>> {
        peek(&self.conn, Direction::Redo, self.lang)
    }

    /// The label of the change `undo` would revert.
    pub fn undo_label(&self) -> Result<Option<String>> {
        Ok(self.undo_peek()?.map(|s| s.label))
    }

    /// Reverts the latest recorded change; returns its label.
    pub fn undo(&mut self) -> Result<String> {
        self.replay(Direction::Undo)
    }

    /// Carries out again the change `undo` reverted last; returns its label.
    pub fn redo(&mut self) -> Result<String> {
        self.replay(Direction::Redo)
    }

    fn replay(&mut self, dir: Direction) -> Result<String> {
        let lang = self.lang;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let Some(step) = peek(&tx, dir, lang)? else {
            return Err(Error::invalid(
                if dir == Direction::Undo {
                    T::ErrNothingToUndo
                } else {
                    T::ErrNothingToRedo
                },
                &[],
            ));
        };
        // References are checked at commit, so rows can come back in any order.
        tx.execute_batch("PRAGMA defer_foreign_keys = ON")?;
        let entries: Vec<(String, i64, Option<String>, Option<String>)> = {
            let mut q = tx.prepare("SELECT tbl, row_id, before, after FROM undo_log WHERE step = ?1 ORDER BY id")?;
            let rows = q.query_map([step.step], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        // Each row the step touched: the state it must be in now, the state it goes to, and
        // when the step last touched it (deletions go newest first: children before parents).
        let mut rows: Vec<Touched> = Vec::new();
        let mut index: std::collections::HashMap<(String, i64), usize> = std::collections::HashMap::new();
        for (n, (table, id, before, after)) in entries.into_iter().enumerate() {
            match index.get(&(table.clone(), id)).map(|i| &mut rows[*i]) {
                Some(r) => {
                    r.last = n;
                    match dir {
                        Direction::Undo => r.expect = after,
                        Direction::Redo => r.target = after,
                    }
                }
                None => {
                    index.insert((table.clone(), id), rows.len());
                    rows.push(match dir {
                        Direction::Undo => Touched {
                            table,
                            id,
                            expect: after,
                            target: before,
                            last: n,
                        },
                        Direction::Redo => Touched {
                            table,
                            id,
                            expect: before,
                            target: after,
                            last: n,
                        },
                    })
                }
            }
        }
        for r in &rows {
            if current_image(&tx, &r.table, r.id)? != r.expect {
                return Err(refusal(lang, dir, &step.label, T::ErrUndoChanged, &r.table, r.id));
            }
        }
        // The rows the step made, to remove, newest first. Those nothing points at go first,
        // before any row is written back: a row coming back may hold what must be unique while
        // the row the step made holds it now (a timer that was running, stopped by the step
        // that started another: only one runs at a time).
        let mut gone: Vec<&Touched> = rows
            .iter()
            .filter(|r| r.target.is_none() && r.expect.is_some())
            .collect();
        gone.sort_by_key(|r| std::cmp::Reverse(r.last));
        gone = remove_free(&tx, gone)?;
        // Parents before children (clients, then tasks, then their time...): a row written
        // back is captured for the other machine as it is written, with its references read
        // then, so a time entry put back before its task would be sent without it.
        let mut order: Vec<&Touched> = rows.iter().collect();
        order.sort_by_key(|r| {
            super::transfer::TABLES
                .iter()
                .position(|(t, _)| *t == r.table)
                .unwrap_or(usize::MAX)
        });
        for r in order {
            let Some(image) = &r.target else { continue };
            let cols = columns(&tx, &r.table)?;
            let values: Vec<String> = cols.iter().map(|c| format!("json_extract(?1, '$.{c}')")).collect();
            let done = if r.expect.is_none() {
                tx.execute(
                    &format!(
                        "INSERT INTO main.{}({}) VALUES ({})",
                        r.table,
                        cols.join(", "),
                        values.join(", ")
                    ),
                    [image],
                )
            } else {
                let sets: Vec<String> = cols.iter().zip(&values).map(|(c, v)| format!("{c} = {v}")).collect();
                tx.execute(
                    &format!("UPDATE main.{} SET {} WHERE id = ?2", r.table, sets.join(", ")),
                    rusqlite::params![image, r.id],
                )
            };
            if let Err(e) = done {
                return Err(clash(&tx, e, lang, dir, &step.label, r, image));
            }
        }
        // The rest, now that the rows written back let go of them. What nothing of the step
        // frees is a record made since that depends on it: refused.
        if let Some(r) = remove_free(&tx, gone)?.first() {
            return Err(refusal(lang, dir, &step.label, T::ErrUndoDepends, &r.table, r.id));
        }
        for r in &rows {
            super::counters::recount(&tx, &r.table, r.id)?;
        }
        tx.execute(
            "UPDATE undo_steps SET undone = ?1 WHERE step = ?2",
            rusqlite::params![(dir == Direction::Undo) as i64, step.step],
        )?;
        tx.commit()?;
        Ok(step.label)
    }
}

/// Deletes the rows of `gone` (newest first) as each comes free of what points at it: a row
/// the step first changed to let go of another and then deleted (a time entry whose task and
/// client the step deleted) is deleted before the row it still points at. Returns the rows
/// still held.
fn remove_free<'a>(tx: &Transaction, mut gone: Vec<&'a Touched>) -> Result<Vec<&'a Touched>> {
    while !gone.is_empty() {
        let mut kept = Vec::new();
        for r in &gone {
            if has_dependents(tx, &r.table, r.id)? {
                kept.push(*r);
            } else {
                tx.execute(&format!("DELETE FROM main.{} WHERE id = ?1", r.table), [r.id])?;
            }
        }
        if kept.len() == gone.len() {
            return Ok(kept);
        }
        gone = kept;
    }
    Ok(gone)
}

/// A row that cannot come back because a record made since holds what must be unique is
/// refused as such: the same record back already (its uuid: a sync restored it, or a repeating
/// task made its instance again), or a client's name taken by another; any other failure is
/// the store's.
fn clash(
    tx: &Transaction,
    e: rusqlite::Error,
    lang: Lang,
    dir: Direction,
    label: &str,
    r: &Touched,
    image: &str,
) -> Error {
    let unique = matches!(&e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
            || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY);
    if !unique {
        return e.into();
    }
    let verb = match dir {
        Direction::Undo => T::VerbUndo,
        Direction::Redo => T::VerbRedo,
    };
    let image = serde_json::from_str::<serde_json::Value>(image).ok();
    let field = |k: &str| {
        image
            .as_ref()
            .and_then(|v| v.get(k).and_then(|n| n.as_str()).map(str::to_string))
    };
    // The failed statement alone was undone: the transaction can still be read.
    let back: Option<i64> = field("uuid").and_then(|uuid| {
        tx.query_row(
            &format!("SELECT id FROM main.{} WHERE uuid = ?1", r.table),
            [uuid],
            |row| row.get(0),
        )
        .optional()
        .ok()
        .flatten()
    });
    if let Some(id) = back {
        return refusal(lang, dir, label, T::ErrUndoSameBack, &r.table, id);
    }
    let name = (r.table == "clients" && e.to_string().contains("clients.name_key"))
        .then(|| field("name"))
        .flatten();
    match name {
        Some(name) => Error::invalid(T::ErrUndoNameTaken, &[&verb.text(lang), &label, &name]),
        None => refusal(lang, dir, label, T::ErrUndoClash, &r.table, r.id),
    }
}

/// A row a step touched, as replaying it sees it.
struct Touched {
    table: String,
    id: i64,
    expect: Option<String>,
    target: Option<String>,
    last: usize,
}

/// A row's image as it is now, or None when it is not there.
fn current_image(tx: &Transaction, table: &str, id: i64) -> Result<Option<String>> {
    let cols = columns(tx, table)?;
    Ok(tx
        .query_row(
            &format!("SELECT {} FROM main.{table} WHERE id = ?1", image(&cols, "")),
            [id],
            |r| r.get(0),
        )
        .optional()?)
}

/// Between a step's label in English and in Spanish, as they are kept (a control character,
/// which no record's text can hold).
const LABEL_SEP: char = '\u{1f}';

/// A step's label as kept: in both languages, so that a step made in one reads in the other.
pub(super) fn both_labels(label: impl Fn(Lang) -> String) -> String {
    format!("{}{LABEL_SEP}{}", label(Lang::En), label(Lang::Es))
}

/// A kept label in `lang` (a step kept by an older version has one language only).
fn label_in(kept: &str, lang: Lang) -> String {
    match kept.split_once(LABEL_SEP) {
        Some((en, es)) => match lang {
            Lang::En => en,
            Lang::Es => es,
        }
        .to_string(),
        None => kept.to_string(),
    }
}

fn peek(conn: &Connection, dir: Direction, lang: Lang) -> Result<Option<UndoStep>> {
    let sql = match dir {
        Direction::Undo => "SELECT step, label, at FROM undo_steps WHERE undone = 0 ORDER BY step DESC LIMIT 1",
        Direction::Redo => "SELECT step, label, at FROM undo_steps WHERE undone = 1 ORDER BY step ASC LIMIT 1",
    };
    let row: Option<(i64, String, String)> = conn
        .query_row(sql, [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    Ok(row.map(|(step, label, at)| UndoStep {
        step,
        label: label_in(&label, lang),
        at: chrono::NaiveDateTime::parse_from_str(&at, "%Y-%m-%d %H:%M").unwrap_or_default(),
    }))
}

/// Whether rows of other tables (automatic flags aside) point at this one.
fn has_dependents(tx: &Transaction, table: &str, id: i64) -> Result<bool> {
    let children: Vec<(String, String)> = {
        let mut q = tx.prepare(
            "SELECT m.name, f.\"from\" FROM main.sqlite_master m, pragma_foreign_key_list(m.name) f
             WHERE m.type = 'table' AND f.\"table\" = ?1 AND m.name NOT LIKE 'undo_%'",
        )?;
        let rows = q.query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (child, col) in children {
        let extra = if child == "flags" { " AND source <> 'auto'" } else { "" };
        let found: bool = tx.query_row(
            &format!("SELECT EXISTS (SELECT 1 FROM main.{child} WHERE {col} = ?1{extra})"),
            [id],
            |r| r.get(0),
        )?;
        if found {
            return Ok(true);
        }
    }
    Ok(false)
}

/// "can't undo 'edit task Logo': task 12 changed since ...".
fn refusal(lang: Lang, dir: Direction, label: &str, why: T, table: &str, id: i64) -> Error {
    let verb = match dir {
        Direction::Undo => T::VerbUndo,
        Direction::Redo => T::VerbRedo,
    };
    let record = record_name(lang, table, id);
    Error::invalid(why, &[&verb.text(lang), &label, &record])
}

/// A record named the way a person reads it: "task 12", "la tarea 12".
fn record_name(lang: Lang, table: &str, id: i64) -> String {
    let noun = match table {
        "clients" => T::RecClient,
        "channels" => T::RecChannel,
        "tasks" => T::RecTask,
        "requests" => T::RecRequest,
        "quotes" => T::RecQuote,
        "meetings" => T::RecMeeting,
        "flags" => T::RecFlag,
        "weekly_reviews" => T::RecWeeklyReview,
        "time_entries" => T::RecTimeEntry,
        _ => T::RecOther,
    };
    tf(lang, noun, &[&id])
}

pub(super) fn begin_step(tx: &Transaction, label: &str, at: chrono::NaiveDateTime) -> Result<()> {
    // A new change ends what could be redone.
    tx.execute("DELETE FROM undo_steps WHERE undone = 1", [])?;
    tx.execute(
        "INSERT INTO undo_steps(label, at) VALUES (?1, ?2)",
        rusqlite::params![label, super::stamp(at)],
    )?;
    let step = tx.last_insert_rowid();
    tx.execute("UPDATE temp.undo_cur SET step = ?1", [step])?;
    tx.execute(
        "DELETE FROM undo_steps WHERE step NOT IN (SELECT step FROM undo_steps ORDER BY step DESC LIMIT ?1)",
        [KEEP_STEPS],
    )?;
    Ok(())
}

pub(super) fn end_step(tx: &Transaction) -> Result<()> {
    tx.execute("UPDATE temp.undo_cur SET step = NULL", [])?;
    // A step that changed nothing is not worth an undo.
    tx.execute(
        "DELETE FROM undo_steps WHERE step = (SELECT max(step) FROM undo_steps)
           AND NOT EXISTS (SELECT 1 FROM undo_log WHERE step = undo_steps.step)",
        [],
    )?;
    Ok(())
}

fn create_triggers(conn: &Connection, table: &str, cols: &[String]) -> Result<()> {
    let log = |id: &str, before: &str, after: &str| {
        format!(
            "INSERT INTO main.undo_log(step, tbl, row_id, before, after)
             VALUES ((SELECT step FROM temp.undo_cur), '{table}', {id}, {before}, {after});"
        )
    };
    let when = "WHEN (SELECT step FROM temp.undo_cur) IS NOT NULL";
    let sql = format!(
        "CREATE TEMP TRIGGER IF NOT EXISTS undo_{table}_ins AFTER INSERT ON main.{table} {when} BEGIN {ins} END;
         CREATE TEMP TRIGGER IF NOT EXISTS undo_{table}_upd AFTER UPDATE ON main.{table} {when} BEGIN {upd} END;
         CREATE TEMP TRIGGER IF NOT EXISTS undo_{table}_del BEFORE DELETE ON main.{table} {when} BEGIN {del} END;",
        ins = log("new.id", "NULL", &image(cols, "new.")),
        upd = log("new.id", &image(cols, "old."), &image(cols, "new.")),
        del = log("old.id", &image(cols, "old."), "NULL"),
    );
    conn.execute_batch(&sql)?;
    Ok(())
}

//! Tasks, and the material and feedback requests the client owes for them.

use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension, Row};

use super::{date, day, opt_date, recur, Store};
use crate::domain::recur::Every;
use crate::domain::{rules, text, ChannelKind, FlagKind, Outcome, Request, RequestKind, Task, TaskStatus};
use crate::error::{Arg, Error, Result};
use crate::i18n::{tf, T};

/// What a form or command sets on a task; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskFields {
    pub title: Option<String>,
    pub spec: Option<String>,
    pub status: Option<TaskStatus>,
    pub due: Option<Option<NaiveDate>>,
    pub via: Option<Option<ChannelKind>>,
    pub estimate_min: Option<Option<u32>>,
    /// Moves the task to another client (edits only).
    pub client_id: Option<i64>,
    /// Repeats the task: `Some(Some(rule))` sets a rule as typed (`weekly`, `fri`, `2w`...,
    /// see [`crate::domain::recur::Every::parse`]), `Some(None)` stops it (edits only).
    pub every: Option<Option<String>>,
}

/// Which tasks a list shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskFilter {
    pub client_id: Option<i64>,
    pub status: Option<TaskStatus>,
    pub waiting_only: bool,
    pub limit: Option<usize>,
    pub offset: usize,
}

/// Open requests of a task that is still live, as a comma-separated list of kinds.
const WAITING_SQL: &str = "CASE WHEN t.status IN ('done', 'cancelled') THEN NULL ELSE
    (SELECT group_concat(DISTINCT r.kind) FROM requests r WHERE r.task_id = t.id AND r.received_on IS NULL) END";

fn task_select() -> String {
    select_tasks("t.spec")
}

/// The rows of a screen's list: as [`task_select`], the spec left empty (`''`): no list
/// shows it, and a long one costs its overflow pages on every page of a list. What needs it
/// (the edit form, the details) reads the task whole with [`Store::task`].
/// The rows of tasks by id (`?1` a JSON array of ids).
pub(super) fn by_ids_sql() -> String {
    format!("{} WHERE t.id IN (SELECT value FROM json_each(?1))", list_select())
}

fn list_select() -> String {
    select_tasks("''")
}

fn select_tasks(spec: &str) -> String {
    format!(
        "SELECT t.id, t.client_id, c.name, t.title, {spec}, t.status, t.due, t.via, t.clarifications,
                t.estimate_min, t.delivered_on, t.outcome, t.created_on, {WAITING_SQL}, t.uuid,
                (SELECT rc.rule FROM recurrences rc WHERE rc.id = t.recurrence_id)
         FROM tasks t JOIN clients c ON c.id = t.client_id"
    )
}

fn task_row(r: &Row) -> rusqlite::Result<Task> {
    let waiting: Option<String> = r.get(13)?;
    let mut waiting_on: Vec<RequestKind> = waiting
        .unwrap_or_default()
        .split(',')
        .filter_map(RequestKind::from_key)
        .collect();
    waiting_on.sort();
    Ok(Task {
        id: r.get(0)?,
        uuid: r.get(14)?,
        client_id: r.get(1)?,
        client: r.get(2)?,
        title: r.get(3)?,
        spec: r.get(4)?,
        status: TaskStatus::from_key(&r.get::<_, String>(5)?).unwrap_or(TaskStatus::Todo),
        due: opt_date(r.get(6)?),
        via: r.get::<_, Option<String>>(7)?.and_then(|s| ChannelKind::from_key(&s)),
        clarifications: r.get(8)?,
        estimate_min: r.get(9)?,
        delivered_on: opt_date(r.get(10)?),
        outcome: r.get::<_, Option<String>>(11)?.and_then(|s| Outcome::from_key(&s)),
        created_on: date(r.get(12)?),
        waiting_on,
        every: r.get(15)?,
    })
}

const REQUEST_SELECT: &str = "SELECT r.id, r.kind, r.task_id, t.title, c.name, r.what, r.asked_on, r.expected_by,
        r.received_on, r.nudges, r.last_nudge, r.uuid
     FROM requests r JOIN tasks t ON t.id = r.task_id JOIN clients c ON c.id = t.client_id";

fn request_row(r: &Row) -> rusqlite::Result<Request> {
    Ok(Request {
        id: r.get(0)?,
        uuid: r.get(11)?,
        kind: RequestKind::from_key(&r.get::<_, String>(1)?).unwrap_or(RequestKind::Material),
        task_id: r.get(2)?,
        task_title: r.get(3)?,
        client: r.get(4)?,
        what: r.get(5)?,
        asked_on: date(r.get(6)?),
        expected_by: date(r.get(7)?),
        received_on: opt_date(r.get(8)?),
        nudges: r.get(9)?,
        last_nudge: opt_date(r.get(10)?),
    })
}

fn not_found(kind: RequestKind, id: i64) -> Error {
    match kind {
        RequestKind::Material => Error::not_found(T::ErrNoMaterial, &[&id]),
        RequestKind::Feedback => Error::not_found(T::ErrNoFeedback, &[&id]),
    }
}

impl TaskFields {
    fn validated(mut self) -> Result<TaskFields> {
        if let Some(t) = &self.title {
            self.title = Some(text::name(t, T::FieldTitle)?);
        }
        if let Some(s) = &self.spec {
            self.spec = Some(text::free_text(s, T::FieldSpec)?);
        }
        if let Some(Some(rule)) = &self.every {
            Every::parse(rule)?;
            self.every = Some(Some(text::clean_line(rule)));
        }
        Ok(self)
    }
}

impl Store {
    /// Adds a task; with `every`, a recurring one: its first due date is `due`, or the first
    /// date the rule gives from `today`, and it carries the uuid derived for that date.
    pub fn add_task(&mut self, client_id: i64, fields: TaskFields, today: NaiveDate) -> Result<i64> {
        let f = fields.validated()?;
        let title = f
            .title
            .clone()
            .ok_or_else(|| text::name("", T::FieldTitle).unwrap_err())?;
        self.client(client_id)?;
        let every = match &f.every {
            Some(Some(rule)) => Some((rule.clone(), Every::parse(rule)?)),
            _ => None,
        };
        let due = match (&every, f.due.flatten()) {
            (Some((_, e)), None) => Some(e.first_from(today)),
            (_, d) => d,
        };
        self.write(
            |l| tf(l, T::UndoAddTask, &[&title]),
            |tx| {
                let (rule_id, uuid) = match (&every, due) {
                    (Some((rule, _)), Some(due)) => {
                        let (id, rule_uuid) = recur::create_rule(tx, rule, due)?;
                        (Some(id), recur::instance_uuid(&rule_uuid, due))
                    }
                    _ => (None, crate::domain::identity::new_uuid()),
                };
                tx.execute(
                    "INSERT INTO tasks(uuid, client_id, title, spec, status, due, via, estimate_min, created_on, recurrence_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                    params![
                        uuid,
                        client_id,
                        title,
                        f.spec.clone().unwrap_or_default(),
                        f.status.unwrap_or(TaskStatus::Todo).key(),
                        due.map(day),
                        f.via.flatten().map(|v| v.key()),
                        f.estimate_min.flatten(),
                        day(today),
                        rule_id,
                    ],
                )?;
                let id = tx.last_insert_rowid();
                if let Some(rule_id) = rule_id {
                    recur::advance(tx, rule_id, today)?;
                }
                Ok(id)
            },
        )
    }

    /// Edits a task, as of today's date (the clock set with `set_now`, else the system's).
    pub fn edit_task(&mut self, id: i64, fields: TaskFields) -> Result<()> {
        let today = self
            .now
            .map(|n| n.date())
            .unwrap_or_else(|| chrono::Local::now().date_naive());
        self.edit_task_on(id, fields, today)
    }

    /// Edits a task; `today` dates a new repeat rule that has no due date to start from.
    /// Setting `every` on a task that repeats changes its rule (counted from the task's due
    /// date); on one that does not, makes it the first instance of a new rule (due the first
    /// date the rule gives when it has none). `every: Some(None)` stops the rule: its tasks
    /// stay, no longer repeating.
    pub fn edit_task_on(&mut self, id: i64, fields: TaskFields, today: NaiveDate) -> Result<()> {
        let f = fields.validated()?;
        if let Some(c) = f.client_id {
            self.task(id)?;
            self.client(c)?;
        }
        self.edit_task_with(id, today, |_| Ok(Some(f))).map(|_| ())
    }

    /// Changes the fields `decide` sets, given the task as it is inside the writing
    /// transaction (so nothing can change it between the look and the write); `decide`
    /// returning `None` writes nothing. `Ok(false)`: declined. A task deleted meanwhile is
    /// `NotFound`.
    pub fn edit_task_if(
        &mut self,
        id: i64,
        today: NaiveDate,
        decide: impl FnOnce(&Task) -> Option<TaskFields>,
    ) -> Result<bool> {
        self.edit_task_with(id, today, |t| decide(t).map(TaskFields::validated).transpose())
            .map(|done| done.is_some())
    }

    fn edit_task_with(
        &mut self,
        id: i64,
        today: NaiveDate,
        decide: impl FnOnce(&Task) -> Result<Option<TaskFields>>,
    ) -> Result<Option<()>> {
        let t = self.task(id)?;
        self.write_if(
            |l| tf(l, T::UndoEditTask, &[&t.title]),
            |tx| {
                let current = task_in(tx, id)?;
                let Some(f) = decide(&current)? else {
                    return Ok(None);
                };
                if let Some(c) = f.client_id.filter(|c| *c != current.client_id) {
                    // The task's time goes with it to the other client's months, unless some
                    // of it is already billed: an invoice sent stays as it was.
                    let billed: i64 = tx.query_row(
                        "SELECT count(*) FROM time_entries WHERE task_id = ?1 AND billed_on IS NOT NULL",
                        [id],
                        |r| r.get(0),
                    )?;
                    if billed > 0 {
                        return Err(Error::invalid(T::ErrMoveBilledTask, &[&current.title, &current.client]));
                    }
                    // (Its entries follow by a trigger, as when a sync brings the move.)
                    tx.execute("UPDATE tasks SET client_id = ?1 WHERE id = ?2", params![c, id])?;
                }
                if let Some(v) = &f.title {
                    tx.execute("UPDATE tasks SET title = ?1 WHERE id = ?2", params![v, id])?;
                }
                if let Some(v) = &f.spec {
                    tx.execute("UPDATE tasks SET spec = ?1 WHERE id = ?2", params![v, id])?;
                }
                if let Some(v) = f.status.filter(|&v| v != current.status) {
                    // As when it is moved along by a key; the next of a repeat comes only
                    // when an open task closes.
                    set_status(tx, id, v, current.status.is_open(), today)?;
                }
                if let Some(v) = f.due {
                    tx.execute("UPDATE tasks SET due = ?1 WHERE id = ?2", params![v.map(day), id])?;
                }
                if let Some(v) = f.via {
                    tx.execute(
                        "UPDATE tasks SET via = ?1 WHERE id = ?2",
                        params![v.map(|k| k.key()), id],
                    )?;
                }
                if let Some(v) = f.estimate_min {
                    tx.execute("UPDATE tasks SET estimate_min = ?1 WHERE id = ?2", params![v, id])?;
                }
                if let Some(every) = &f.every {
                    set_every(tx, id, every.as_deref(), today)?;
                }
                Ok(Some(()))
            },
        )
    }

    /// Deletes a task. An open instance of a repeating task is that occurrence skipped: the
    /// next one is made (as the tick would), and the series goes on.
    pub fn delete_task(&mut self, id: i64) -> Result<()> {
        let t = self.task(id)?;
        let today = self.clock().date();
        self.write(
            |l| tf(l, T::UndoDeleteTask, &[&t.title]),
            |tx| {
                let rule: Option<i64> = tx.query_row(
                    "SELECT recurrence_id FROM tasks WHERE id = ?1 AND status NOT IN ('delivered', 'done', 'cancelled')",
                    [id],
                    |r| r.get(0),
                ).optional()?.flatten();
                if let Some(rule) = rule {
                    recur::advance_past(tx, rule, today, id)?;
                }
                tx.execute("DELETE FROM tasks WHERE id = ?1", [id])?;
                if t.via.is_some() {
                    channels_flags_recheck(tx, t.client_id, t.created_on)?;
                }
                Ok(())
            },
        )
    }

    pub fn task(&self, id: i64) -> Result<Task> {
        task_in(&self.conn, id)
    }

    /// Tasks for a list: live ones first by due date, then the closed ones.
    pub fn list_tasks(&self, filter: &TaskFilter) -> Result<Vec<Task>> {
        // Only fixed fragments are joined; every value is a bound parameter. Leaving out the
        // conditions that do not apply keeps the indexes usable.
        let mut conds: Vec<&str> = Vec::new();
        let mut values: Vec<rusqlite::types::Value> = Vec::new();
        if let Some(c) = filter.client_id {
            conds.push("t.client_id = ?");
            values.push(c.into());
        }
        if let Some(st) = filter.status {
            conds.push("t.status = ?");
            values.push(st.key().to_string().into());
        }
        if filter.waiting_only {
            conds.push("t.status NOT IN ('done', 'cancelled')");
            conds.push("EXISTS (SELECT 1 FROM requests r WHERE r.task_id = t.id AND r.received_on IS NULL)");
        }
        let clause = if conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conds.join(" AND "))
        };
        let order = if filter.client_id.is_some() {
            "t.client_id, "
        } else {
            ""
        };
        values.push((filter.limit.map(|l| l as i64).unwrap_or(-1)).into());
        values.push((filter.offset as i64).into());
        let sql = format!(
            "{}{clause} ORDER BY {order}t.status IN ('done', 'cancelled'), t.due IS NULL, t.due, t.id LIMIT ? OFFSET ?",
            task_select()
        );
        let mut q = self.conn.prepare_cached(&sql)?;
        let rows = q.query_map(rusqlite::params_from_iter(values), task_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The ids of a client's tasks (or all tasks), in the lists' order. The order follows an
    /// index, so even 100,000 ids come without a sort.
    pub fn task_ids(&self, client_id: Option<i64>) -> Result<Vec<i64>> {
        let sql = match client_id {
            Some(_) => {
                "SELECT t.id FROM tasks t WHERE t.client_id = ?1
                        ORDER BY t.client_id, t.status IN ('done', 'cancelled'), t.due IS NULL, t.due, t.id"
            }
            None => {
                "SELECT t.id FROM tasks t WHERE ?1 IS NULL
                     ORDER BY t.status IN ('done', 'cancelled'), t.due IS NULL, t.due, t.id"
            }
        };
        let mut q = self.conn.prepare_cached(sql)?;
        let rows = q.query_map([client_id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The tasks with these ids, in the same order (the rows a screen shows), each without its
    /// spec (see [`list_select`]).
    pub fn tasks_by_ids(&self, ids: &[i64]) -> Result<Vec<Task>> {
        let list = serde_json::to_string(ids)?;
        let mut q = self.conn.prepare_cached(&by_ids_sql())?;
        let rows = q.query_map([list], task_row)?;
        let mut found: std::collections::HashMap<i64, Task> =
            rows.map(|r| r.map(|t| (t.id, t))).collect::<rusqlite::Result<_>>()?;
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }

    /// Moves a task along: start, deliver, done, cancel.
    pub fn set_task_status(&mut self, id: i64, to: TaskStatus, today: NaiveDate) -> Result<()> {
        let t = self.task(id)?;
        let closed = matches!(t.status, TaskStatus::Done | TaskStatus::Cancelled);
        if t.status != to && closed && to != TaskStatus::Todo {
            return Err(Error::Invalid(crate::error::Msg {
                key: T::ErrTaskClosed,
                args: vec![
                    crate::error::Arg::Text(id.to_string()),
                    crate::error::Arg::Key(t.status.label_key()),
                ],
            }));
        }
        self.write(
            |l| tf(l, T::UndoTaskStatus, &[&t.title, &to.label(l)]),
            |tx| set_status(tx, id, to, true, today),
        )
    }

    /// Counts one more clarification question; the third raises `vague_spec`.
    pub fn clarify(&mut self, id: i64, today: NaiveDate) -> Result<u32> {
        let t = self.task(id)?;
        self.write(
            |l| tf(l, T::UndoClarify, &[&t.title]),
            |tx| {
                let n = super::counters::count_one(tx, super::counters::Counted::Task, id, &day(today))?;
                if n >= rules::VAGUE_SPEC_CLARIFICATIONS {
                    super::flags::raise(
                        tx,
                        t.client_id,
                        FlagKind::VagueSpec,
                        today,
                        &format!("task:{id}:vague"),
                        &t.title,
                    )?;
                }
                Ok(n)
            },
        )
    }

    /// Records how the client used a delivered task; changes after approval and unused work
    /// raise their flags (replacing what an earlier outcome raised).
    pub fn set_outcome(&mut self, id: i64, outcome: Outcome, today: NaiveDate) -> Result<()> {
        let t = self.task(id)?;
        if !matches!(t.status, TaskStatus::Delivered | TaskStatus::Done) {
            return Err(Error::invalid(T::ErrOutcomeNeedsDelivery, &[&id]));
        }
        self.write(
            |l| tf(l, T::UndoOutcome, &[&t.title, &outcome.label(l)]),
            |tx| {
                tx.execute(
                    "UPDATE tasks SET outcome = ?1 WHERE id = ?2",
                    params![outcome.key(), id],
                )?;
                let source = format!("task:{id}:outcome");
                tx.execute("DELETE FROM flags WHERE source_ref = ?1", [&source])?;
                if let Some(kind) = rules::outcome_flag(outcome) {
                    super::flags::raise(tx, t.client_id, kind, today, &source, &t.title)?;
                }
                Ok(())
            },
        )
    }

    /// Asks the client for a material or for feedback on a task.
    pub fn ask(
        &mut self,
        task_id: i64,
        kind: RequestKind,
        what: &str,
        expected_by: NaiveDate,
        today: NaiveDate,
    ) -> Result<i64> {
        let t = self.task(task_id)?;
        rules::expected_from_asked(expected_by, today, today)?;
        let what = match kind {
            RequestKind::Material => text::name(what, T::FieldWhat)?,
            RequestKind::Feedback => text::clean_line(what),
        };
        if what.chars().count() > text::MAX_NAME_CHARS {
            text::name(&what, T::FieldWhat)?;
        }
        self.write(
            |l| tf(l, T::UndoAsk, &[&kind.label(l), &t.title]),
            |tx| {
                tx.execute(
                    "INSERT INTO requests(task_id, kind, what, asked_on, expected_by) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![task_id, kind.key(), what, day(today), day(expected_by)],
                )?;
                Ok(tx.last_insert_rowid())
            },
        )
    }

    pub fn request(&self, kind: RequestKind, id: i64) -> Result<Request> {
        self.conn
            .query_row(
                &format!("{REQUEST_SELECT} WHERE r.id = ?1 AND r.kind = ?2"),
                params![id, kind.key()],
                request_row,
            )
            .optional()?
            .ok_or_else(|| not_found(kind, id))
    }

    pub fn requests_of_task(&self, task_id: i64) -> Result<Vec<Request>> {
        let mut q = self
            .conn
            .prepare_cached(&format!("{REQUEST_SELECT} WHERE r.task_id = ?1 ORDER BY r.id"))?;
        let rows = q.query_map([task_id], request_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The client sent the material or gave the feedback.
    pub fn receive(&mut self, kind: RequestKind, id: i64, today: NaiveDate) -> Result<()> {
        let r = self.request(kind, id)?;
        if let Some(on) = r.received_on {
            return Err(Error::invalid_with(
                T::ErrAlreadyReceived,
                vec![Arg::text(id), Arg::day(on, today)],
            ));
        }
        rules::received_after_asked(today, r.asked_on, today)?;
        self.write(
            |l| tf(l, T::UndoReceive, &[&kind.label(l), &r.task_title]),
            |tx| {
                tx.execute(
                    "UPDATE requests SET received_on = ?1 WHERE id = ?2",
                    params![day(today), id],
                )?;
                // Arriving late is the fault itself, whether or not a tick saw it while late.
                flag_if_late(tx, &r, today)
            },
        )
    }

    /// One more reminder sent; optionally the client gets a new date.
    pub fn nudge(&mut self, kind: RequestKind, id: i64, until: Option<NaiveDate>, today: NaiveDate) -> Result<u32> {
        let r = self.request(kind, id)?;
        if let Some(on) = r.received_on {
            return Err(Error::invalid_with(
                T::ErrAlreadyReceived,
                vec![Arg::text(id), Arg::day(on, today)],
            ));
        }
        // A new date is a date it can still come by: never before it was asked.
        if let Some(u) = until.filter(|u| *u < r.asked_on) {
            return Err(Error::invalid_with(
                T::ErrExpectedBeforeAsked,
                vec![Arg::day(u, today), Arg::day(r.asked_on, today)],
            ));
        }
        self.write(
            |l| tf(l, T::UndoNudge, &[&kind.label(l), &r.task_title]),
            |tx| {
                // A new date must not erase that the old one already passed.
                flag_if_late(tx, &r, today)?;
                tx.execute(
                    "UPDATE requests SET expected_by = coalesce(?1, expected_by), snoozed_until = NULL WHERE id = ?2",
                    params![until.map(day), id],
                )?;
                super::counters::count_one(tx, super::counters::Counted::Request, id, &day(today))
            },
        )
    }
}

/// Sets, changes or stops (`None`) the repeat rule of task `id`.
/// A task whole, read on `conn` (the store's connection, or a transaction).
fn task_in(conn: &rusqlite::Connection, id: i64) -> Result<Task> {
    conn.query_row(&format!("{} WHERE t.id = ?1", task_select()), [id], task_row)
        .optional()?
        .ok_or_else(|| Error::not_found(T::ErrNoTask, &[&id]))
}

fn set_every(tx: &rusqlite::Transaction, id: i64, rule: Option<&str>, today: NaiveDate) -> Result<()> {
    let (current, due): (Option<i64>, Option<String>) =
        tx.query_row("SELECT recurrence_id, due FROM tasks WHERE id = ?1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    let Some(rule) = rule else {
        if let Some(rule_id) = current {
            tx.execute("DELETE FROM recurrences WHERE id = ?1", [rule_id])?;
        }
        return Ok(());
    };
    let every = Every::parse(rule)?;
    let due = due.map(date).unwrap_or_else(|| every.first_from(today));
    let rule_id = match current {
        Some(rule_id) => {
            tx.execute(
                "UPDATE recurrences SET rule = ?1, start = ?2 WHERE id = ?3",
                params![rule, day(due), rule_id],
            )?;
            rule_id
        }
        None => {
            let (rule_id, _) = recur::create_rule(tx, rule, due)?;
            tx.execute(
                "UPDATE tasks SET recurrence_id = ?1, due = ?2 WHERE id = ?3",
                params![rule_id, day(due), id],
            )?;
            rule_id
        }
    };
    recur::advance(tx, rule_id, today)?;
    Ok(())
}

/// Raises the late flag of a request that is past its date (once per request, dated the first
/// late day), as the tick would have.
fn flag_if_late(tx: &rusqlite::Transaction, r: &Request, today: NaiveDate) -> Result<()> {
    if !rules::is_late(r.expected_by, today) {
        return Ok(());
    }
    let client_id: i64 = tx.query_row("SELECT client_id FROM tasks WHERE id = ?1", [r.task_id], |x| x.get(0))?;
    let (kind, note) = match r.kind {
        RequestKind::Material => (FlagKind::LateMaterial, format!("{} ({})", r.what, r.task_title)),
        RequestKind::Feedback => (FlagKind::NoFeedback, r.task_title.clone()),
    };
    let source = format!("{}:{}", r.kind.key(), r.id);
    super::flags::raise(
        tx,
        client_id,
        kind,
        rules::first_late_day(r.expected_by),
        &source,
        &note,
    )?;
    Ok(())
}

/// Sets a task's status with the dates that go with it (delivered, closed, reopened); a
/// repeating task closed (`from_open`: it was open) brings its next one.
fn set_status(tx: &rusqlite::Transaction, id: i64, to: TaskStatus, from_open: bool, today: NaiveDate) -> Result<()> {
    tx.execute("UPDATE tasks SET status = ?1 WHERE id = ?2", params![to.key(), id])?;
    match to {
        TaskStatus::Delivered => {
            tx.execute(
                "UPDATE tasks SET delivered_on = coalesce(delivered_on, ?1) WHERE id = ?2",
                params![day(today), id],
            )?;
        }
        TaskStatus::Done | TaskStatus::Cancelled => {
            tx.execute("UPDATE tasks SET closed_on = ?1 WHERE id = ?2", params![day(today), id])?;
        }
        TaskStatus::Todo | TaskStatus::Doing => {
            tx.execute("UPDATE tasks SET closed_on = NULL WHERE id = ?1", [id])?;
        }
    }
    if !to.is_open() && from_open {
        let rule: Option<i64> = tx.query_row("SELECT recurrence_id FROM tasks WHERE id = ?1", [id], |r| r.get(0))?;
        if let Some(rule) = rule {
            recur::advance(tx, rule, today)?;
        }
    }
    Ok(())
}

/// The automatic flags of scattered channels whose window held a task that is gone (created
/// on `created`), judged again without it: a flag whose window now holds fewer channels than
/// the rule asks is removed, as if it had never been raised (a task added by mistake and
/// deleted does not leave the client marked).
fn channels_flags_recheck(tx: &rusqlite::Transaction, client_id: i64, created: NaiveDate) -> Result<()> {
    let back = format!("-{} days", rules::SCATTERED_WINDOW_DAYS - 1);
    let ahead = format!("+{} days", rules::SCATTERED_WINDOW_DAYS - 1);
    tx.execute(
        "DELETE FROM flags WHERE client_id = ?1 AND source = 'auto' AND kind = ?2
           AND at >= ?3 AND at <= date(?3, ?5)
           AND (SELECT count(DISTINCT t.via) FROM tasks t
                WHERE t.client_id = ?1 AND t.via IS NOT NULL
                  AND t.created_on >= date(flags.at, ?4) AND t.created_on <= flags.at) < ?6",
        params![
            client_id,
            FlagKind::ScatteredChannels.key(),
            day(created),
            back,
            ahead,
            rules::SCATTERED_CHANNELS as i64
        ],
    )?;
    Ok(())
}

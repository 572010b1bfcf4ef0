//! Forward-only migrations, tracked in `user_version`; the file is marked with an
//! `application_id` so that another program's SQLite file is never mistaken for ours.

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{Error, Result};
use crate::i18n::T;

/// "VADK" in ASCII.
pub const APP_ID: i32 = 0x5641_444B;

/// Each step takes the schema from version i to i+1.
const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    r#"
    CREATE TABLE clients (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        name_key TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL DEFAULT 'active',
        tool TEXT NOT NULL DEFAULT '',
        rate REAL,
        review_day TEXT,
        notes TEXT NOT NULL DEFAULT '',
        created_on TEXT NOT NULL,
        review_snoozed_until TEXT
    );
    CREATE TABLE channels (
        id INTEGER PRIMARY KEY,
        client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        handle TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX channels_client ON channels(client_id);
    CREATE TABLE tasks (
        id INTEGER PRIMARY KEY,
        client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
        title TEXT NOT NULL,
        spec TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'todo',
        due TEXT,
        via TEXT,
        clarifications INTEGER NOT NULL DEFAULT 0,
        estimate_min INTEGER,
        delivered_on TEXT,
        outcome TEXT,
        created_on TEXT NOT NULL,
        closed_on TEXT,
        snoozed_until TEXT
    );
    CREATE INDEX tasks_client ON tasks(client_id, status);
    CREATE INDEX tasks_open_due ON tasks(due) WHERE status IN ('todo', 'doing');
    CREATE INDEX tasks_created ON tasks(created_on);
    CREATE INDEX tasks_vague ON tasks(clarifications) WHERE clarifications >= 3;
    CREATE INDEX tasks_outcome ON tasks(outcome) WHERE outcome IN ('changed_after_ok', 'unused');
    CREATE TABLE requests (
        id INTEGER PRIMARY KEY,
        task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('material', 'feedback')),
        what TEXT NOT NULL DEFAULT '',
        asked_on TEXT NOT NULL,
        expected_by TEXT NOT NULL,
        received_on TEXT,
        nudges INTEGER NOT NULL DEFAULT 0,
        last_nudge TEXT,
        snoozed_until TEXT
    );
    CREATE INDEX requests_task ON requests(task_id) WHERE received_on IS NULL;
    CREATE INDEX requests_task_all ON requests(task_id);
    CREATE INDEX requests_open ON requests(kind, expected_by) WHERE received_on IS NULL;
    CREATE TABLE quotes (
        id INTEGER PRIMARY KEY,
        client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
        amount REAL NOT NULL,
        prep_min INTEGER NOT NULL DEFAULT 0,
        sent_on TEXT NOT NULL,
        answer_by TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',
        answered_on TEXT,
        snoozed_until TEXT
    );
    CREATE INDEX quotes_client ON quotes(client_id);
    CREATE INDEX quotes_pending ON quotes(answer_by) WHERE status = 'pending';
    CREATE TABLE meetings (
        id INTEGER PRIMARY KEY,
        client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
        kind TEXT NOT NULL DEFAULT 'other',
        at TEXT NOT NULL,
        attendance TEXT NOT NULL DEFAULT 'pending',
        late_minutes INTEGER,
        snoozed_until TEXT
    );
    CREATE INDEX meetings_client ON meetings(client_id);
    CREATE INDEX meetings_pending ON meetings(at) WHERE attendance = 'pending';
    CREATE TABLE flags (
        id INTEGER PRIMARY KEY,
        client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        at TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL CHECK (source IN ('manual', 'auto')),
        source_ref TEXT UNIQUE,
        dismissed INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    );
    CREATE INDEX flags_client ON flags(client_id, dismissed);
    CREATE TABLE weekly_reviews (
        client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
        on_date TEXT NOT NULL,
        PRIMARY KEY (client_id, on_date)
    ) WITHOUT ROWID;
    CREATE TABLE undo_steps (
        step INTEGER PRIMARY KEY,
        label TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE TABLE undo_log (
        id INTEGER PRIMARY KEY,
        step INTEGER NOT NULL REFERENCES undo_steps(step) ON DELETE CASCADE,
        stmt TEXT NOT NULL
    );
    CREATE INDEX undo_log_step ON undo_log(step);
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    "#,
    // 2: indexes that match how the desk and the tick read, so nothing scans all tasks.
    r#"
    CREATE INDEX tasks_order ON tasks(status IN ('done', 'cancelled'), due IS NULL, due, id);
    CREATE INDEX tasks_client_order ON tasks(client_id, status IN ('done', 'cancelled'), due IS NULL, due, id);
    CREATE INDEX tasks_recent ON tasks(created_on, client_id, via);
    CREATE INDEX tasks_finished ON tasks(coalesce(delivered_on, closed_on, created_on), client_id, estimate_min, status)
        WHERE status IN ('delivered', 'done');
    CREATE INDEX meetings_faults ON meetings(id) WHERE attendance IN ('no_show', 'late');
    CREATE INDEX quotes_unbilled ON quotes(sent_on, client_id, prep_min, status) WHERE status <> 'accepted';
    CREATE INDEX tasks_live ON tasks(client_id) WHERE status IN ('todo', 'doing', 'delivered');
    CREATE INDEX flags_score ON flags(client_id, kind, at) WHERE dismissed = 0;
    CREATE INDEX tasks_open_review ON tasks(due, client_id, title, snoozed_until, status)
        WHERE status IN ('todo', 'doing');
    DROP INDEX tasks_open_due;
    DROP INDEX tasks_created;
    "#,
];

pub const LATEST_VERSION: i32 = MIGRATIONS.len() as i32;

/// Applies every step above `current`, each in its own IMMEDIATE transaction that also sets
/// `user_version`; a failing step rolls back and leaves the file as it was.
pub fn migrate(conn: &mut Connection, current: i32, shown: &str) -> Result<()> {
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current.max(0) as usize) {
        let version = i as i32 + 1;
        let fail = |e: rusqlite::Error| Error::refused(T::ErrMigration, &[&shown, &version, &e]);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        tx.execute_batch(sql).map_err(fail)?;
        tx.execute_batch(&format!(
            "PRAGMA application_id = {APP_ID}; PRAGMA user_version = {version};"
        ))
        .map_err(fail)?;
        tx.commit().map_err(fail)?;
    }
    Ok(())
}

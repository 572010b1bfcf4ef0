//! Forward-only migrations, tracked in `user_version`; the file is marked with an
//! `application_id` so that another program's SQLite file is never mistaken for ours.

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{Error, Result};
use crate::i18n::T;

/// "VADK" in ASCII.
pub const APP_ID: i32 = 0x5641_444B;

/// Each step takes the schema from version i to i+1.
pub(super) const MIGRATIONS: &[&str] = &[
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
    // 3: identity. Every record gets a stable uuid, and ids are never reused (AUTOINCREMENT),
    // so an undo step or a flag's source reference can never point at a newer record. SQLite
    // cannot add either to a table in place: each table is rebuilt, its rows copied with their
    // ids. Undo steps change shape (before/after images, checked before they are applied);
    // the old statement log cannot be checked, so it is dropped.
    r#"
    CREATE TABLE clients_v3 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        uuid TEXT NOT NULL UNIQUE DEFAULT (lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))),
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
    INSERT INTO clients_v3(id, name, name_key, status, tool, rate, review_day, notes, created_on, review_snoozed_until)
        SELECT id, name, name_key, status, tool, rate, review_day, notes, created_on, review_snoozed_until FROM clients;
    CREATE TABLE channels_v3 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        uuid TEXT NOT NULL UNIQUE DEFAULT (lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))),
        client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        handle TEXT NOT NULL DEFAULT ''
    );
    INSERT INTO channels_v3(id, client_id, kind, handle) SELECT id, client_id, kind, handle FROM channels;
    CREATE TABLE tasks_v3 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        uuid TEXT NOT NULL UNIQUE DEFAULT (lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))),
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
    INSERT INTO tasks_v3(id, client_id, title, spec, status, due, via, clarifications, estimate_min, delivered_on, outcome, created_on, closed_on, snoozed_until)
        SELECT id, client_id, title, spec, status, due, via, clarifications, estimate_min, delivered_on, outcome, created_on, closed_on, snoozed_until FROM tasks;
    CREATE TABLE requests_v3 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        uuid TEXT NOT NULL UNIQUE DEFAULT (lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))),
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
    INSERT INTO requests_v3(id, task_id, kind, what, asked_on, expected_by, received_on, nudges, last_nudge, snoozed_until)
        SELECT id, task_id, kind, what, asked_on, expected_by, received_on, nudges, last_nudge, snoozed_until FROM requests;
    CREATE TABLE quotes_v3 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        uuid TEXT NOT NULL UNIQUE DEFAULT (lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))),
        client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
        amount REAL NOT NULL,
        prep_min INTEGER NOT NULL DEFAULT 0,
        sent_on TEXT NOT NULL,
        answer_by TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',
        answered_on TEXT,
        snoozed_until TEXT
    );
    INSERT INTO quotes_v3(id, client_id, amount, prep_min, sent_on, answer_by, status, answered_on, snoozed_until)
        SELECT id, client_id, amount, prep_min, sent_on, answer_by, status, answered_on, snoozed_until FROM quotes;
    CREATE TABLE meetings_v3 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        uuid TEXT NOT NULL UNIQUE DEFAULT (lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))),
        client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
        kind TEXT NOT NULL DEFAULT 'other',
        at TEXT NOT NULL,
        attendance TEXT NOT NULL DEFAULT 'pending',
        late_minutes INTEGER,
        snoozed_until TEXT
    );
    INSERT INTO meetings_v3(id, client_id, kind, at, attendance, late_minutes, snoozed_until)
        SELECT id, client_id, kind, at, attendance, late_minutes, snoozed_until FROM meetings;
    CREATE TABLE flags_v3 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        uuid TEXT NOT NULL UNIQUE DEFAULT (lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))),
        client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        at TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL CHECK (source IN ('manual', 'auto')),
        source_ref TEXT UNIQUE,
        dismissed INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    );
    INSERT INTO flags_v3(id, client_id, kind, at, note, source, source_ref, dismissed, created_at)
        SELECT id, client_id, kind, at, note, source, source_ref, dismissed, created_at FROM flags;
    CREATE TABLE weekly_reviews_v3 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        uuid TEXT NOT NULL UNIQUE DEFAULT (lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))),
        client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
        on_date TEXT NOT NULL,
        UNIQUE (client_id, on_date)
    );
    INSERT INTO weekly_reviews_v3(client_id, on_date) SELECT client_id, on_date FROM weekly_reviews ORDER BY on_date, client_id;

    DROP TABLE undo_log;
    DROP TABLE undo_steps;
    DROP TABLE weekly_reviews;
    DROP TABLE flags;
    DROP TABLE meetings;
    DROP TABLE quotes;
    DROP TABLE requests;
    DROP TABLE tasks;
    DROP TABLE channels;
    DROP TABLE clients;
    ALTER TABLE clients_v3 RENAME TO clients;
    ALTER TABLE channels_v3 RENAME TO channels;
    ALTER TABLE tasks_v3 RENAME TO tasks;
    ALTER TABLE requests_v3 RENAME TO requests;
    ALTER TABLE quotes_v3 RENAME TO quotes;
    ALTER TABLE meetings_v3 RENAME TO meetings;
    ALTER TABLE flags_v3 RENAME TO flags;
    ALTER TABLE weekly_reviews_v3 RENAME TO weekly_reviews;

    CREATE INDEX channels_client ON channels(client_id);
    CREATE INDEX tasks_client ON tasks(client_id, status);
    CREATE INDEX tasks_vague ON tasks(clarifications) WHERE clarifications >= 3;
    CREATE INDEX tasks_outcome ON tasks(outcome) WHERE outcome IN ('changed_after_ok', 'unused');
    CREATE INDEX requests_task ON requests(task_id) WHERE received_on IS NULL;
    CREATE INDEX requests_task_all ON requests(task_id);
    CREATE INDEX requests_open ON requests(kind, expected_by) WHERE received_on IS NULL;
    CREATE INDEX quotes_client ON quotes(client_id);
    CREATE INDEX quotes_pending ON quotes(answer_by) WHERE status = 'pending';
    CREATE INDEX meetings_client ON meetings(client_id);
    CREATE INDEX meetings_pending ON meetings(at) WHERE attendance = 'pending';
    CREATE INDEX flags_client ON flags(client_id, dismissed);
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

    -- An automatic flag speaks for a record; when the record goes, the flag stops counting.
    CREATE TRIGGER flags_gone_task AFTER DELETE ON tasks BEGIN
        DELETE FROM flags WHERE source = 'auto'
            AND source_ref IN ('task:' || old.id || ':vague', 'task:' || old.id || ':outcome');
    END;
    CREATE TRIGGER flags_gone_request AFTER DELETE ON requests BEGIN
        DELETE FROM flags WHERE source = 'auto' AND source_ref = old.kind || ':' || old.id;
    END;
    CREATE TRIGGER flags_gone_quote AFTER DELETE ON quotes BEGIN
        DELETE FROM flags WHERE source = 'auto' AND source_ref = 'quote:' || old.id;
    END;
    CREATE TRIGGER flags_gone_meeting AFTER DELETE ON meetings BEGIN
        DELETE FROM flags WHERE source = 'auto' AND source_ref = 'meeting:' || old.id;
    END;

    CREATE TABLE undo_steps (
        step INTEGER PRIMARY KEY AUTOINCREMENT,
        label TEXT NOT NULL,
        at TEXT NOT NULL,
        undone INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE undo_log (
        id INTEGER PRIMARY KEY,
        step INTEGER NOT NULL REFERENCES undo_steps(step) ON DELETE CASCADE,
        tbl TEXT NOT NULL,
        row_id INTEGER NOT NULL,
        before TEXT,
        after TEXT
    );
    CREATE INDEX undo_log_step ON undo_log(step);
    "#,
    // 4: quotes gain a description and reminders; meetings a length; a weekly review can be
    // recorded as missed by the client. Old undo images would no longer match the tables.
    r#"
    ALTER TABLE quotes ADD COLUMN description TEXT NOT NULL DEFAULT '';
    ALTER TABLE quotes ADD COLUMN nudges INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE quotes ADD COLUMN last_nudge TEXT;
    ALTER TABLE meetings ADD COLUMN length_min INTEGER;
    ALTER TABLE weekly_reviews ADD COLUMN missed INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX weekly_missed ON weekly_reviews(client_id, on_date) WHERE missed = 1;
    DELETE FROM undo_steps;
    "#,
    // 5: time and money: time entries (the one running timer is the entry without minutes),
    // client money terms, and amounts in integer cents. REAL amounts become cents through
    // `vadesk_cents` (registered while migrating): half away from zero on value × 100, read
    // from the shortest decimal of the float, so no cent is lost.
    r#"
    CREATE TABLE time_entries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        uuid TEXT NOT NULL UNIQUE DEFAULT (lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))),
        client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
        task_id INTEGER REFERENCES tasks(id) ON DELETE SET NULL,
        start TEXT NOT NULL,
        minutes INTEGER CHECK (minutes IS NULL OR minutes BETWEEN 0 AND 1440),
        billable INTEGER NOT NULL DEFAULT 1 CHECK (billable IN (0, 1)),
        note TEXT NOT NULL DEFAULT '',
        billed_on TEXT
    );
    CREATE INDEX time_client_start ON time_entries(client_id, start);
    CREATE INDEX time_month ON time_entries(start, client_id, minutes, billable, billed_on);
    CREATE INDEX time_task ON time_entries(task_id) WHERE task_id IS NOT NULL;
    CREATE UNIQUE INDEX time_running ON time_entries(ifnull(minutes, 0)) WHERE minutes IS NULL;

    ALTER TABLE clients ADD COLUMN rate_cents INTEGER;
    ALTER TABLE clients ADD COLUMN currency TEXT;
    ALTER TABLE clients ADD COLUMN increment_min INTEGER;
    ALTER TABLE clients ADD COLUMN retainer_min INTEGER;
    ALTER TABLE clients ADD COLUMN fee_cents INTEGER;
    ALTER TABLE clients ADD COLUMN overage_cents INTEGER;
    UPDATE clients SET rate_cents = vadesk_cents(rate) WHERE rate IS NOT NULL;
    ALTER TABLE clients DROP COLUMN rate;

    ALTER TABLE quotes ADD COLUMN amount_cents INTEGER NOT NULL DEFAULT 0;
    UPDATE quotes SET amount_cents = vadesk_cents(amount);
    ALTER TABLE quotes DROP COLUMN amount;
    CREATE INDEX quotes_sent ON quotes(sent_on, client_id, prep_min);
    DELETE FROM undo_steps;
    "#,
    // 6: performance at scale: the per-client counts of open tasks (the clients pane, "All
    // clients") read only the open tasks, from an index that holds all they need. Without it,
    // a store that was never analysed (a fresh import) counts them by scanning every task.
    r#"
    CREATE INDEX tasks_live_status ON tasks(client_id, status) WHERE status IN ('todo', 'doing', 'delivered');
    "#,
    // 7: sync. The replica's own tables: each synced record as TaskChampion sees it (uuid ->
    // string properties), the operations not yet sent, the sync state, the working set
    // TaskChampion keeps, and the last image of deleted records (to restore a client whose
    // task survived a deletion on the other machine). Empty until `vadesk sync --init`.
    r#"
    CREATE TABLE tc_tasks (uuid TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE tc_operations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        data TEXT NOT NULL,
        uuid TEXT,
        synced INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX tc_operations_uuid ON tc_operations(uuid);
    CREATE INDEX tc_operations_unsynced ON tc_operations(synced) WHERE synced = 0;
    CREATE TABLE tc_sync_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE tc_working_set (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL);
    CREATE TABLE tc_graveyard (uuid TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID;
    "#,
    // 8: search. One FTS5 index over every text a person looks for: a client's name, notes
    // and tool; a task's title and spec; what a request asks for; a quote's description; a
    // flag's note. Accents and case are folded. A row's index rowid is its record's id × 8 +
    // its kind (1 client, 2 task, 3 material, 4 feedback, 5 quote, 6 flag), so the triggers
    // that keep it current touch one index row. It has no id+uuid: undo and export leave it
    // alone, and undoing a change to a record brings its index row back through the triggers.
    r#"
    CREATE VIRTUAL TABLE search USING fts5(
        title, body, client_id UNINDEXED,
        tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
    );
    INSERT INTO search(search, rank) VALUES ('rank', 'bm25(4.0, 1.0, 0.0)');

    CREATE TRIGGER search_client_ins AFTER INSERT ON clients BEGIN
        INSERT INTO search(rowid, title, body, client_id) VALUES (new.id * 8 + 1, new.name, new.notes || ' ' || new.tool, new.id);
    END;
    CREATE TRIGGER search_client_upd AFTER UPDATE OF id, name, notes, tool ON clients BEGIN
        DELETE FROM search WHERE rowid = old.id * 8 + 1;
        INSERT INTO search(rowid, title, body, client_id) VALUES (new.id * 8 + 1, new.name, new.notes || ' ' || new.tool, new.id);
    END;
    CREATE TRIGGER search_client_del AFTER DELETE ON clients BEGIN
        DELETE FROM search WHERE rowid = old.id * 8 + 1;
    END;

    CREATE TRIGGER search_task_ins AFTER INSERT ON tasks BEGIN
        INSERT INTO search(rowid, title, body, client_id) VALUES (new.id * 8 + 2, new.title, new.spec, new.client_id);
    END;
    CREATE TRIGGER search_task_upd AFTER UPDATE OF id, title, spec, client_id ON tasks BEGIN
        DELETE FROM search WHERE rowid = old.id * 8 + 2;
        INSERT INTO search(rowid, title, body, client_id) VALUES (new.id * 8 + 2, new.title, new.spec, new.client_id);
        UPDATE search SET client_id = new.client_id
            WHERE rowid IN (SELECT id * 8 + (CASE kind WHEN 'material' THEN 3 ELSE 4 END) FROM requests WHERE task_id = new.id);
    END;
    CREATE TRIGGER search_task_del AFTER DELETE ON tasks BEGIN
        DELETE FROM search WHERE rowid = old.id * 8 + 2;
    END;

    CREATE TRIGGER search_request_ins AFTER INSERT ON requests BEGIN
        INSERT INTO search(rowid, title, body, client_id)
            SELECT new.id * 8 + (CASE new.kind WHEN 'material' THEN 3 ELSE 4 END), new.what, '', t.client_id
            FROM tasks t WHERE t.id = new.task_id;
    END;
    CREATE TRIGGER search_request_upd AFTER UPDATE OF id, what, task_id, kind ON requests BEGIN
        DELETE FROM search WHERE rowid = old.id * 8 + (CASE old.kind WHEN 'material' THEN 3 ELSE 4 END);
        INSERT INTO search(rowid, title, body, client_id)
            SELECT new.id * 8 + (CASE new.kind WHEN 'material' THEN 3 ELSE 4 END), new.what, '', t.client_id
            FROM tasks t WHERE t.id = new.task_id;
    END;
    CREATE TRIGGER search_request_del AFTER DELETE ON requests BEGIN
        DELETE FROM search WHERE rowid = old.id * 8 + (CASE old.kind WHEN 'material' THEN 3 ELSE 4 END);
    END;

    CREATE TRIGGER search_quote_ins AFTER INSERT ON quotes BEGIN
        INSERT INTO search(rowid, title, body, client_id) VALUES (new.id * 8 + 5, new.description, '', new.client_id);
    END;
    CREATE TRIGGER search_quote_upd AFTER UPDATE OF id, description, client_id ON quotes BEGIN
        DELETE FROM search WHERE rowid = old.id * 8 + 5;
        INSERT INTO search(rowid, title, body, client_id) VALUES (new.id * 8 + 5, new.description, '', new.client_id);
    END;
    CREATE TRIGGER search_quote_del AFTER DELETE ON quotes BEGIN
        DELETE FROM search WHERE rowid = old.id * 8 + 5;
    END;

    CREATE TRIGGER search_flag_ins AFTER INSERT ON flags BEGIN
        INSERT INTO search(rowid, title, body, client_id) VALUES (new.id * 8 + 6, new.note, '', new.client_id);
    END;
    CREATE TRIGGER search_flag_upd AFTER UPDATE OF id, note, client_id ON flags BEGIN
        DELETE FROM search WHERE rowid = old.id * 8 + 6;
        INSERT INTO search(rowid, title, body, client_id) VALUES (new.id * 8 + 6, new.note, '', new.client_id);
    END;
    CREATE TRIGGER search_flag_del AFTER DELETE ON flags BEGIN
        DELETE FROM search WHERE rowid = old.id * 8 + 6;
    END;

    INSERT INTO search(rowid, title, body, client_id) SELECT id * 8 + 1, name, notes || ' ' || tool, id FROM clients;
    INSERT INTO search(rowid, title, body, client_id) SELECT id * 8 + 2, title, spec, client_id FROM tasks;
    INSERT INTO search(rowid, title, body, client_id)
        SELECT r.id * 8 + (CASE r.kind WHEN 'material' THEN 3 ELSE 4 END), r.what, '', t.client_id
        FROM requests r JOIN tasks t ON t.id = r.task_id;
    INSERT INTO search(rowid, title, body, client_id) SELECT id * 8 + 5, description, '', client_id FROM quotes;
    INSERT INTO search(rowid, title, body, client_id) SELECT id * 8 + 6, note, '', client_id FROM flags;
    "#,
    // 9: recurring tasks. A rule is a record of its own (its uuid names every instance it
    // derives: `recur:<rule uuid>:<date>`), holding the rule as typed and the date it counts
    // from; its instances are ordinary tasks that point at it. Stopping a rule deletes it and
    // its tasks stay, no longer recurring. Old undo images would no longer match tasks.
    r#"
    CREATE TABLE recurrences (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        uuid TEXT NOT NULL UNIQUE DEFAULT (lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))),
        rule TEXT NOT NULL,
        start TEXT NOT NULL
    );
    ALTER TABLE tasks ADD COLUMN recurrence_id INTEGER REFERENCES recurrences(id) ON DELETE SET NULL;
    CREATE INDEX tasks_recurrence ON tasks(recurrence_id, due) WHERE recurrence_id IS NOT NULL;
    DELETE FROM undo_steps;
    "#,
    // 10: counters as events. Each nudge of a request or a quote and each clarification of a
    // task is a record of its own, so two machines that nudged offline count both. The
    // counter columns stay (every reader and export keeps them) but are derived: triggers
    // recount them from the events. Existing counts become as many events (dated the last
    // nudge, else the day the record began), so nothing is lost.
    r#"
    CREATE TABLE counter_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        uuid TEXT NOT NULL UNIQUE DEFAULT (lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))),
        task_id INTEGER REFERENCES tasks(id) ON DELETE CASCADE,
        request_id INTEGER REFERENCES requests(id) ON DELETE CASCADE,
        quote_id INTEGER REFERENCES quotes(id) ON DELETE CASCADE,
        on_date TEXT NOT NULL,
        CHECK ((task_id IS NOT NULL) + (request_id IS NOT NULL) + (quote_id IS NOT NULL) = 1)
    );
    CREATE INDEX counter_events_task ON counter_events(task_id) WHERE task_id IS NOT NULL;
    CREATE INDEX counter_events_request ON counter_events(request_id) WHERE request_id IS NOT NULL;
    CREATE INDEX counter_events_quote ON counter_events(quote_id) WHERE quote_id IS NOT NULL;
    CREATE TRIGGER counter_events_ins AFTER INSERT ON counter_events BEGIN
        UPDATE tasks SET clarifications = (SELECT count(*) FROM counter_events WHERE task_id = new.task_id)
            WHERE id = new.task_id;
        UPDATE requests SET nudges = (SELECT count(*) FROM counter_events WHERE request_id = new.request_id),
            last_nudge = (SELECT max(on_date) FROM counter_events WHERE request_id = new.request_id)
            WHERE id = new.request_id;
        UPDATE quotes SET nudges = (SELECT count(*) FROM counter_events WHERE quote_id = new.quote_id),
            last_nudge = (SELECT max(on_date) FROM counter_events WHERE quote_id = new.quote_id)
            WHERE id = new.quote_id;
    END;
    CREATE TRIGGER counter_events_upd AFTER UPDATE ON counter_events BEGIN
        UPDATE tasks SET clarifications = (SELECT count(*) FROM counter_events WHERE task_id = old.task_id)
            WHERE id = old.task_id;
        UPDATE requests SET nudges = (SELECT count(*) FROM counter_events WHERE request_id = old.request_id),
            last_nudge = (SELECT max(on_date) FROM counter_events WHERE request_id = old.request_id)
            WHERE id = old.request_id;
        UPDATE quotes SET nudges = (SELECT count(*) FROM counter_events WHERE quote_id = old.quote_id),
            last_nudge = (SELECT max(on_date) FROM counter_events WHERE quote_id = old.quote_id)
            WHERE id = old.quote_id;
        UPDATE tasks SET clarifications = (SELECT count(*) FROM counter_events WHERE task_id = new.task_id)
            WHERE id = new.task_id;
        UPDATE requests SET nudges = (SELECT count(*) FROM counter_events WHERE request_id = new.request_id),
            last_nudge = (SELECT max(on_date) FROM counter_events WHERE request_id = new.request_id)
            WHERE id = new.request_id;
        UPDATE quotes SET nudges = (SELECT count(*) FROM counter_events WHERE quote_id = new.quote_id),
            last_nudge = (SELECT max(on_date) FROM counter_events WHERE quote_id = new.quote_id)
            WHERE id = new.quote_id;
    END;
    CREATE TRIGGER counter_events_del AFTER DELETE ON counter_events BEGIN
        UPDATE tasks SET clarifications = (SELECT count(*) FROM counter_events WHERE task_id = old.task_id)
            WHERE id = old.task_id;
        UPDATE requests SET nudges = (SELECT count(*) FROM counter_events WHERE request_id = old.request_id),
            last_nudge = (SELECT max(on_date) FROM counter_events WHERE request_id = old.request_id)
            WHERE id = old.request_id;
        UPDATE quotes SET nudges = (SELECT count(*) FROM counter_events WHERE quote_id = old.quote_id),
            last_nudge = (SELECT max(on_date) FROM counter_events WHERE quote_id = old.quote_id)
            WHERE id = old.quote_id;
    END;

    -- What the counters say today becomes events right after this step (counters::backfill).
    -- Undo images no longer hold the counters.
    DELETE FROM undo_steps;
    "#,
    // 11: the desk at any size. Per client, the number of tasks, of tasks to do, of delivered
    // ones and of open ones waiting on a request, kept current by triggers, so the clients pane
    // and "All clients" count in O(clients) and never read the tasks. A derived table (no id,
    // no uuid): undo, export and sync leave it alone, and every write they make to tasks,
    // requests or clients keeps it right through the same triggers. A task's deletion is
    // counted BEFORE it happens, while its open requests (deleted with it) still say whether
    // it was waiting.
    r#"
    CREATE TABLE client_tally (
        client_id INTEGER PRIMARY KEY,
        tasks INTEGER NOT NULL DEFAULT 0,
        todo INTEGER NOT NULL DEFAULT 0,
        delivered INTEGER NOT NULL DEFAULT 0,
        waiting INTEGER NOT NULL DEFAULT 0
    );
    INSERT INTO client_tally(client_id, tasks, todo, delivered, waiting)
        SELECT c.id,
               (SELECT count(*) FROM tasks t WHERE t.client_id = c.id),
               (SELECT count(*) FROM tasks t WHERE t.client_id = c.id AND t.status IN ('todo', 'doing')),
               (SELECT count(*) FROM tasks t WHERE t.client_id = c.id AND t.status = 'delivered'),
               (SELECT count(*) FROM tasks t WHERE t.client_id = c.id AND t.status IN ('todo', 'doing', 'delivered')
                   AND EXISTS (SELECT 1 FROM requests r WHERE r.task_id = t.id AND r.received_on IS NULL))
        FROM clients c;

    CREATE TRIGGER tally_client_ins AFTER INSERT ON clients BEGIN
        INSERT OR IGNORE INTO client_tally(client_id) VALUES (new.id);
    END;
    CREATE TRIGGER tally_client_del AFTER DELETE ON clients BEGIN
        DELETE FROM client_tally WHERE client_id = old.id;
    END;

    CREATE TRIGGER tally_task_ins AFTER INSERT ON tasks BEGIN
        INSERT OR IGNORE INTO client_tally(client_id) VALUES (new.client_id);
        UPDATE client_tally SET tasks = tasks + 1,
            todo = todo + (new.status IN ('todo', 'doing')),
            delivered = delivered + (new.status = 'delivered'),
            waiting = waiting + (new.status IN ('todo', 'doing', 'delivered')
                AND EXISTS (SELECT 1 FROM requests r WHERE r.task_id = new.id AND r.received_on IS NULL))
        WHERE client_id = new.client_id;
    END;
    CREATE TRIGGER tally_task_del BEFORE DELETE ON tasks BEGIN
        UPDATE client_tally SET tasks = tasks - 1,
            todo = todo - (old.status IN ('todo', 'doing')),
            delivered = delivered - (old.status = 'delivered'),
            waiting = waiting - (old.status IN ('todo', 'doing', 'delivered')
                AND EXISTS (SELECT 1 FROM requests r WHERE r.task_id = old.id AND r.received_on IS NULL))
        WHERE client_id = old.client_id;
    END;
    CREATE TRIGGER tally_task_upd AFTER UPDATE OF status, client_id ON tasks BEGIN
        UPDATE client_tally SET tasks = tasks - 1,
            todo = todo - (old.status IN ('todo', 'doing')),
            delivered = delivered - (old.status = 'delivered'),
            waiting = waiting - (old.status IN ('todo', 'doing', 'delivered')
                AND EXISTS (SELECT 1 FROM requests r WHERE r.task_id = old.id AND r.received_on IS NULL))
        WHERE client_id = old.client_id;
        INSERT OR IGNORE INTO client_tally(client_id) VALUES (new.client_id);
        UPDATE client_tally SET tasks = tasks + 1,
            todo = todo + (new.status IN ('todo', 'doing')),
            delivered = delivered + (new.status = 'delivered'),
            waiting = waiting + (new.status IN ('todo', 'doing', 'delivered')
                AND EXISTS (SELECT 1 FROM requests r WHERE r.task_id = new.id AND r.received_on IS NULL))
        WHERE client_id = new.client_id;
    END;

    CREATE TRIGGER tally_request_ins AFTER INSERT ON requests WHEN new.received_on IS NULL BEGIN
        UPDATE client_tally SET waiting = waiting + 1
        WHERE client_id = (SELECT t.client_id FROM tasks t
                           WHERE t.id = new.task_id AND t.status IN ('todo', 'doing', 'delivered'))
          AND NOT EXISTS (SELECT 1 FROM requests r
                          WHERE r.task_id = new.task_id AND r.received_on IS NULL AND r.id <> new.id);
    END;
    CREATE TRIGGER tally_request_del AFTER DELETE ON requests WHEN old.received_on IS NULL BEGIN
        UPDATE client_tally SET waiting = waiting - 1
        WHERE client_id = (SELECT t.client_id FROM tasks t
                           WHERE t.id = old.task_id AND t.status IN ('todo', 'doing', 'delivered'))
          AND NOT EXISTS (SELECT 1 FROM requests r WHERE r.task_id = old.task_id AND r.received_on IS NULL);
    END;
    CREATE TRIGGER tally_request_upd AFTER UPDATE OF received_on, task_id ON requests BEGIN
        UPDATE client_tally SET waiting = waiting
            + ((SELECT count(*) FROM requests r WHERE r.task_id = old.task_id AND r.received_on IS NULL) > 0)
            - ((SELECT count(*) FROM requests r WHERE r.task_id = old.task_id AND r.received_on IS NULL)
                - (new.received_on IS NULL AND new.task_id = old.task_id) + (old.received_on IS NULL) > 0)
        WHERE client_id = (SELECT t.client_id FROM tasks t
                           WHERE t.id = old.task_id AND t.status IN ('todo', 'doing', 'delivered'));
        UPDATE client_tally SET waiting = waiting
            + ((SELECT count(*) FROM requests r WHERE r.task_id = new.task_id AND r.received_on IS NULL) > 0)
            - ((SELECT count(*) FROM requests r WHERE r.task_id = new.task_id AND r.received_on IS NULL)
                - (new.received_on IS NULL) > 0)
        WHERE new.task_id <> old.task_id
          AND client_id = (SELECT t.client_id FROM tasks t
                           WHERE t.id = new.task_id AND t.status IN ('todo', 'doing', 'delivered'));
    END;

    -- Scores. A flag's points decay by half every half-life: weight × 2^(−age / half-life),
    -- which is weight × 2^(−today / h) × 2^(at / h). Per client and kind the triggers keep the
    -- number of undismissed flags and the sum of their 2^(day / h), `day` the flag's date in
    -- days since 2000-01-01 (held to 0..=40000), read from `score_growth` (one row a day,
    -- written by vadesk for the half-life in `score_basis`: SQLite has no power function, and
    -- a trigger must run in any connection). A score is then O(kinds) per client on any day.
    -- vadesk writes the table for the default half-life right after this step, and again for
    -- another configured one (`rebase_scores`, on the desk's launch); while the half-lives
    -- differ, scores are summed over the flags.
    CREATE TABLE score_basis (half_life REAL NOT NULL);
    INSERT INTO score_basis(half_life) VALUES (0);
    CREATE TABLE score_growth (day INTEGER PRIMARY KEY, v REAL NOT NULL);
    CREATE TABLE flag_tally (
        client_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        n INTEGER NOT NULL DEFAULT 0,
        growth REAL NOT NULL DEFAULT 0,
        PRIMARY KEY (client_id, kind)
    ) WITHOUT ROWID;
    INSERT INTO flag_tally(client_id, kind, n) SELECT client_id, kind, count(*) FROM flags WHERE dismissed = 0 GROUP BY client_id, kind;
    CREATE INDEX flags_future ON flags(at) WHERE dismissed = 0;

    CREATE TRIGGER tally_client_flags_del AFTER DELETE ON clients BEGIN
        DELETE FROM flag_tally WHERE client_id = old.id;
    END;
    CREATE TRIGGER tally_flag_ins AFTER INSERT ON flags WHEN new.dismissed = 0 BEGIN
        INSERT OR IGNORE INTO flag_tally(client_id, kind) VALUES (new.client_id, new.kind);
        UPDATE flag_tally SET n = n + 1, growth = growth
            + coalesce((SELECT g.v FROM score_growth g WHERE g.day = max(0, min(40000, CAST(julianday(new.at) - 2451544.5 AS INTEGER)))), 0)
        WHERE client_id = new.client_id AND kind = new.kind;
    END;
    CREATE TRIGGER tally_flag_del AFTER DELETE ON flags WHEN old.dismissed = 0 BEGIN
        UPDATE flag_tally SET n = n - 1, growth = CASE WHEN n = 1 THEN 0 ELSE growth
            - coalesce((SELECT g.v FROM score_growth g WHERE g.day = max(0, min(40000, CAST(julianday(old.at) - 2451544.5 AS INTEGER)))), 0) END
        WHERE client_id = old.client_id AND kind = old.kind;
    END;
    CREATE TRIGGER tally_flag_upd AFTER UPDATE OF client_id, kind, at, dismissed ON flags BEGIN
        UPDATE flag_tally SET n = n - 1, growth = CASE WHEN n = 1 THEN 0 ELSE growth
            - coalesce((SELECT g.v FROM score_growth g WHERE g.day = max(0, min(40000, CAST(julianday(old.at) - 2451544.5 AS INTEGER)))), 0) END
        WHERE old.dismissed = 0 AND client_id = old.client_id AND kind = old.kind;
        INSERT OR IGNORE INTO flag_tally(client_id, kind) SELECT new.client_id, new.kind WHERE new.dismissed = 0;
        UPDATE flag_tally SET n = n + 1, growth = growth
            + coalesce((SELECT g.v FROM score_growth g WHERE g.day = max(0, min(40000, CAST(julianday(new.at) - 2451544.5 AS INTEGER)))), 0)
        WHERE new.dismissed = 0 AND client_id = new.client_id AND kind = new.kind;
    END;
    "#,
    // 12: month sums. A month of time per client, kept current by triggers, so a statement of
    // every client and the Month view read one row per client instead of every entry of the
    // month. Each row is rounded with its client's own increment (1 when it has none, `inc`);
    // a store whose default increment is not 1 reads the entries of clients without one (see
    // time.rs). No id+uuid and no foreign key: undo, sync and export leave it alone, and what
    // they do to time entries and clients reaches it through the triggers. A later step that
    // rebuilds `time_entries` or `clients` must create these triggers again.
    r#"
    CREATE TABLE time_sums (
        client_id INTEGER NOT NULL,
        month TEXT NOT NULL,
        inc INTEGER NOT NULL,
        entries INTEGER NOT NULL,
        billable_min INTEGER NOT NULL,
        rounded_min INTEGER NOT NULL,
        unbilled_min INTEGER NOT NULL,
        invoiced_min INTEGER NOT NULL,
        invoiced_n INTEGER NOT NULL,
        PRIMARY KEY (client_id, month)
    ) WITHOUT ROWID;
    CREATE INDEX time_sums_month ON time_sums(month, client_id, inc, billable_min, rounded_min, unbilled_min, invoiced_min, invoiced_n);

    CREATE TRIGGER time_sums_ins AFTER INSERT ON time_entries BEGIN
        INSERT INTO time_sums(client_id, month, inc, entries, billable_min, rounded_min, unbilled_min, invoiced_min, invoiced_n)
            SELECT new.client_id, substr(new.start, 1, 7), i, 1,
            CASE WHEN new.billable THEN new.minutes ELSE 0 END,
            CASE WHEN new.billable THEN ((new.minutes + i - 1) / i) * i ELSE 0 END,
            CASE WHEN new.billable THEN 0 ELSE new.minutes END,
            CASE WHEN new.billable AND new.billed_on IS NOT NULL THEN ((new.minutes + i - 1) / i) * i ELSE 0 END,
            CASE WHEN new.billable AND new.billed_on IS NOT NULL THEN 1 ELSE 0 END
            FROM (SELECT max(1, coalesce((SELECT increment_min FROM clients WHERE id = new.client_id), 1)) AS i)
            WHERE new.minutes IS NOT NULL
            ON CONFLICT(client_id, month) DO UPDATE SET entries = entries + 1,
                billable_min = billable_min + excluded.billable_min, rounded_min = rounded_min + excluded.rounded_min,
                unbilled_min = unbilled_min + excluded.unbilled_min, invoiced_min = invoiced_min + excluded.invoiced_min,
                invoiced_n = invoiced_n + excluded.invoiced_n;
    END;
    CREATE TRIGGER time_sums_upd AFTER UPDATE OF client_id, start, minutes, billable, billed_on ON time_entries BEGIN
        UPDATE time_sums SET entries = entries - 1,
            billable_min = billable_min - (CASE WHEN old.billable THEN old.minutes ELSE 0 END),
            rounded_min = rounded_min - (CASE WHEN old.billable THEN ((old.minutes + inc - 1) / inc) * inc ELSE 0 END),
            unbilled_min = unbilled_min - (CASE WHEN old.billable THEN 0 ELSE old.minutes END),
            invoiced_min = invoiced_min - (CASE WHEN old.billable AND old.billed_on IS NOT NULL THEN ((old.minutes + inc - 1) / inc) * inc ELSE 0 END),
            invoiced_n = invoiced_n - (CASE WHEN old.billable AND old.billed_on IS NOT NULL THEN 1 ELSE 0 END)
            WHERE client_id = old.client_id AND month = substr(old.start, 1, 7) AND old.minutes IS NOT NULL;
        DELETE FROM time_sums WHERE client_id = old.client_id AND month = substr(old.start, 1, 7) AND entries <= 0;
        INSERT INTO time_sums(client_id, month, inc, entries, billable_min, rounded_min, unbilled_min, invoiced_min, invoiced_n)
            SELECT new.client_id, substr(new.start, 1, 7), i, 1,
            CASE WHEN new.billable THEN new.minutes ELSE 0 END,
            CASE WHEN new.billable THEN ((new.minutes + i - 1) / i) * i ELSE 0 END,
            CASE WHEN new.billable THEN 0 ELSE new.minutes END,
            CASE WHEN new.billable AND new.billed_on IS NOT NULL THEN ((new.minutes + i - 1) / i) * i ELSE 0 END,
            CASE WHEN new.billable AND new.billed_on IS NOT NULL THEN 1 ELSE 0 END
            FROM (SELECT max(1, coalesce((SELECT increment_min FROM clients WHERE id = new.client_id), 1)) AS i)
            WHERE new.minutes IS NOT NULL
            ON CONFLICT(client_id, month) DO UPDATE SET entries = entries + 1,
                billable_min = billable_min + excluded.billable_min, rounded_min = rounded_min + excluded.rounded_min,
                unbilled_min = unbilled_min + excluded.unbilled_min, invoiced_min = invoiced_min + excluded.invoiced_min,
                invoiced_n = invoiced_n + excluded.invoiced_n;
    END;
    CREATE TRIGGER time_sums_del AFTER DELETE ON time_entries BEGIN
        UPDATE time_sums SET entries = entries - 1,
            billable_min = billable_min - (CASE WHEN old.billable THEN old.minutes ELSE 0 END),
            rounded_min = rounded_min - (CASE WHEN old.billable THEN ((old.minutes + inc - 1) / inc) * inc ELSE 0 END),
            unbilled_min = unbilled_min - (CASE WHEN old.billable THEN 0 ELSE old.minutes END),
            invoiced_min = invoiced_min - (CASE WHEN old.billable AND old.billed_on IS NOT NULL THEN ((old.minutes + inc - 1) / inc) * inc ELSE 0 END),
            invoiced_n = invoiced_n - (CASE WHEN old.billable AND old.billed_on IS NOT NULL THEN 1 ELSE 0 END)
            WHERE client_id = old.client_id AND month = substr(old.start, 1, 7) AND old.minutes IS NOT NULL;
        DELETE FROM time_sums WHERE client_id = old.client_id AND month = substr(old.start, 1, 7) AND entries <= 0;
    END;
    CREATE TRIGGER time_sums_increment AFTER UPDATE OF increment_min ON clients
        WHEN old.increment_min IS NOT new.increment_min BEGIN
        DELETE FROM time_sums WHERE client_id = new.id;
        INSERT INTO time_sums(client_id, month, inc, entries, billable_min, rounded_min, unbilled_min, invoiced_min, invoiced_n)
            SELECT e.client_id, substr(e.start, 1, 7), i, count(*),
                sum(CASE WHEN e.billable THEN e.minutes ELSE 0 END),
                sum(CASE WHEN e.billable THEN ((e.minutes + i - 1) / i) * i ELSE 0 END),
                sum(CASE WHEN e.billable THEN 0 ELSE e.minutes END),
                sum(CASE WHEN e.billable AND e.billed_on IS NOT NULL THEN ((e.minutes + i - 1) / i) * i ELSE 0 END),
                sum(CASE WHEN e.billable AND e.billed_on IS NOT NULL THEN 1 ELSE 0 END)
            FROM time_entries e, (SELECT max(1, coalesce(new.increment_min, 1)) AS i)
            WHERE e.client_id = new.id AND e.minutes IS NOT NULL
            GROUP BY substr(e.start, 1, 7);
    END;
    CREATE TRIGGER time_sums_client_del AFTER DELETE ON clients BEGIN
        DELETE FROM time_sums WHERE client_id = old.id;
    END;

    INSERT INTO time_sums(client_id, month, inc, entries, billable_min, rounded_min, unbilled_min, invoiced_min, invoiced_n)
        SELECT e.client_id, substr(e.start, 1, 7), inc.i, count(*),
            sum(CASE WHEN e.billable THEN e.minutes ELSE 0 END),
            sum(CASE WHEN e.billable THEN ((e.minutes + inc.i - 1) / inc.i) * inc.i ELSE 0 END),
            sum(CASE WHEN e.billable THEN 0 ELSE e.minutes END),
            sum(CASE WHEN e.billable AND e.billed_on IS NOT NULL THEN ((e.minutes + inc.i - 1) / inc.i) * inc.i ELSE 0 END),
            sum(CASE WHEN e.billable AND e.billed_on IS NOT NULL THEN 1 ELSE 0 END)
        FROM time_entries e JOIN (SELECT id, max(1, coalesce(increment_min, 1)) AS i FROM clients) inc ON inc.id = e.client_id
        WHERE e.minutes IS NOT NULL
        GROUP BY e.client_id, substr(e.start, 1, 7);
    "#,
    // 13: one index fewer to keep: `tasks_live` (a client's live tasks) is the first column of
    // `tasks_live_status`, so every task written, and a Taskwarrior import rebuilding the
    // tasks' indexes, paid for one that no query needs. (`tasks_client` stays: the tallies'
    // recount reads a client's counts by status from it alone.) And the review at any size: open
    // requests answer the review's filters from an index (kind, date, task, snooze), and live
    // tasks by id from an index of their own, so the many requests left open on closed tasks
    // cost an index entry each, not two table rows.
    r#"
    DROP INDEX IF EXISTS tasks_live;
    CREATE INDEX IF NOT EXISTS requests_open_live ON requests(kind, expected_by, task_id, snoozed_until) WHERE received_on IS NULL;
    CREATE INDEX IF NOT EXISTS tasks_live_ids ON tasks(id, status) WHERE status IN ('todo', 'doing', 'delivered');
    "#,
    // 14: the desk's keys at any size: a client's flags newest first by index, so the flags
    // pane reads the rows it shows rather than sorting them all. (This step also built the
    // search index again with a prefix index for every length from one letter to eight; step
    // 16 builds it once more, with those prefixes and the tasks' own rowids, so a store older
    // than this step now builds it once, in step 16.)
    r#"
    CREATE INDEX IF NOT EXISTS flags_client_at ON flags(client_id, at);
    "#,
    // 15: a task's place in "All clients" without counting the list. How many tasks each key
    // of the lists' order holds (closed or not, without a due date or not, the due date, and
    // for the tasks without one, the thousand-and-twenty-four ids their id falls in), kept by
    // triggers; a task's place is the sum of the keys before its own (a few thousand rows at
    // most) plus a count within its key. A derived table (no id, no uuid): undo, export and
    // sync leave it alone and reach it through the triggers, like `client_tally`; a bulk
    // import drops the `tally_task_*` triggers and counts once at its end (`DUE_TALLY_AGAIN`).
    r#"
    CREATE TABLE task_due_tally (
        closed INTEGER NOT NULL,
        no_due INTEGER NOT NULL,
        due TEXT NOT NULL,
        part INTEGER NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (closed, no_due, due, part)
    ) WITHOUT ROWID;
    INSERT INTO task_due_tally(closed, no_due, due, part, n)
        SELECT status IN ('done', 'cancelled'), due IS NULL, due, 0, count(*) FROM tasks
        WHERE (due IS NULL) = 0 GROUP BY status IN ('done', 'cancelled'), due IS NULL, due;
    INSERT INTO task_due_tally(closed, no_due, due, part, n)
        SELECT status IN ('done', 'cancelled'), 1, '', id / 1024, count(*) FROM tasks
        WHERE (due IS NULL) = 1 GROUP BY status IN ('done', 'cancelled'), id / 1024;
    CREATE TRIGGER tally_task_due_ins AFTER INSERT ON tasks BEGIN
        INSERT INTO task_due_tally(closed, no_due, due, part, n)
            VALUES (new.status IN ('done', 'cancelled'), new.due IS NULL, coalesce(new.due, ''),
                    CASE WHEN new.due IS NULL THEN new.id / 1024 ELSE 0 END, 1)
            ON CONFLICT(closed, no_due, due, part) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER tally_task_due_del AFTER DELETE ON tasks BEGIN
        UPDATE task_due_tally SET n = n - 1
            WHERE closed = (old.status IN ('done', 'cancelled')) AND no_due = (old.due IS NULL)
              AND due = coalesce(old.due, '') AND part = CASE WHEN old.due IS NULL THEN old.id / 1024 ELSE 0 END;
        DELETE FROM task_due_tally
            WHERE closed = (old.status IN ('done', 'cancelled')) AND no_due = (old.due IS NULL)
              AND due = coalesce(old.due, '') AND part = CASE WHEN old.due IS NULL THEN old.id / 1024 ELSE 0 END
              AND n <= 0;
    END;
    CREATE TRIGGER tally_task_due_upd AFTER UPDATE OF id, status, due ON tasks
        WHEN (old.status IN ('done', 'cancelled')) IS NOT (new.status IN ('done', 'cancelled'))
          OR old.due IS NOT new.due OR old.id IS NOT new.id BEGIN
        UPDATE task_due_tally SET n = n - 1
            WHERE closed = (old.status IN ('done', 'cancelled')) AND no_due = (old.due IS NULL)
              AND due = coalesce(old.due, '') AND part = CASE WHEN old.due IS NULL THEN old.id / 1024 ELSE 0 END;
        DELETE FROM task_due_tally
            WHERE closed = (old.status IN ('done', 'cancelled')) AND no_due = (old.due IS NULL)
              AND due = coalesce(old.due, '') AND part = CASE WHEN old.due IS NULL THEN old.id / 1024 ELSE 0 END
              AND n <= 0;
        INSERT INTO task_due_tally(closed, no_due, due, part, n)
            VALUES (new.status IN ('done', 'cancelled'), new.due IS NULL, coalesce(new.due, ''),
                    CASE WHEN new.due IS NULL THEN new.id / 1024 ELSE 0 END, 1)
            ON CONFLICT(closed, no_due, due, part) DO UPDATE SET n = n + 1;
    END;
    "#,
    // 16: the task filter reads tasks only. A task's index rowid becomes its id plus 2^40
    // (1099511627776, `TASK_ROWID_BASE`), above every other record's `id × 8 + kind`, so the
    // tasks are one range of the index with the newest at its end: the filter of "All
    // clients" reads the newest task matches from there and never walks the flags, requests
    // or clients that hold the same words. The index is built again, the task rows last, in
    // rowid order (the other kinds keep their rowids); the tasks' three triggers are made
    // again with the new rowid. Same columns, tokenizer and rank as step 8, with a prefix
    // index for every length from one letter to eight: the filter's last word is a prefix,
    // and a prefix without an index of its length makes FTS5 merge the rows of every word
    // that starts with it before the first match comes out.
    r#"
    DROP TABLE search;
    CREATE VIRTUAL TABLE search USING fts5(
        title, body, client_id UNINDEXED,
        tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3 4 5 6 7 8'
    );
    INSERT INTO search(search, rank) VALUES ('rank', 'bm25(4.0, 1.0, 0.0)');
    INSERT INTO search(rowid, title, body, client_id) SELECT id * 8 + 1, name, notes || ' ' || tool, id FROM clients;
    INSERT INTO search(rowid, title, body, client_id)
        SELECT r.id * 8 + (CASE r.kind WHEN 'material' THEN 3 ELSE 4 END), r.what, '', t.client_id
        FROM requests r JOIN tasks t ON t.id = r.task_id;
    INSERT INTO search(rowid, title, body, client_id) SELECT id * 8 + 5, description, '', client_id FROM quotes;
    INSERT INTO search(rowid, title, body, client_id) SELECT id * 8 + 6, note, '', client_id FROM flags;
    INSERT INTO search(rowid, title, body, client_id)
        SELECT id + 1099511627776, title, spec, client_id FROM tasks ORDER BY id;

    DROP TRIGGER search_task_ins;
    DROP TRIGGER search_task_upd;
    DROP TRIGGER search_task_del;
    CREATE TRIGGER search_task_ins AFTER INSERT ON tasks BEGIN
        INSERT INTO search(rowid, title, body, client_id) VALUES (new.id + 1099511627776, new.title, new.spec, new.client_id);
    END;
    CREATE TRIGGER search_task_upd AFTER UPDATE OF id, title, spec, client_id ON tasks BEGIN
        DELETE FROM search WHERE rowid = old.id + 1099511627776;
        INSERT INTO search(rowid, title, body, client_id) VALUES (new.id + 1099511627776, new.title, new.spec, new.client_id);
        UPDATE search SET client_id = new.client_id
            WHERE rowid IN (SELECT id * 8 + (CASE kind WHEN 'material' THEN 3 ELSE 4 END) FROM requests WHERE task_id = new.id);
    END;
    CREATE TRIGGER search_task_del AFTER DELETE ON tasks BEGIN
        DELETE FROM search WHERE rowid = old.id + 1099511627776;
    END;
    "#,
    // 17: late requests at any size. The open requests of live tasks (to do, doing,
    // delivered), kept by the triggers that keep `client_tally`, so the tick's late requests
    // and the status bar's counts read this small table by kind and date and never the many
    // requests left open on tasks long closed. A derived table (no id, no uuid): undo, export
    // and sync leave it alone and reach it through the triggers; a bulk import drops the
    // `tally_task_*` triggers and counts it again at its end (`LIVE_REQUESTS_AGAIN`). The
    // triggers are the same as step 11 made them, with the statements that keep this table
    // (the requests' one now also fires when a request's kind, date or id changes).
    //
    // And unanswered quotes at any size. The pending quotes whose flag is not there (the
    // flag `quote:<id>`, dismissed or not), by answer date, kept by the quotes' and flags'
    // search triggers and one trigger of its own for a quote's status, date or id: the tick
    // reads the late ones from here instead of asking for the flag of every pending quote
    // past its date, which are the most of them in a store with a long history. A derived
    // table (no id, no uuid): undo, export and sync leave it alone and reach it through the
    // triggers. The search triggers are the same as step 8 made them, with the statements
    // that keep this table (the flags' one now also fires when a flag's reference changes).
    // And the clients with retainer hours by an index of their own, with their terms: without a
    // minimum rate they are the only ones the tick's money rules judge.
    r#"
    CREATE TABLE live_requests (
        kind TEXT NOT NULL,
        expected_by TEXT NOT NULL,
        request_id INTEGER NOT NULL,
        task_id INTEGER NOT NULL,
        PRIMARY KEY (kind, expected_by, request_id)
    ) WITHOUT ROWID;
    CREATE INDEX live_requests_task ON live_requests(task_id);
    INSERT INTO live_requests(kind, expected_by, request_id, task_id)
        SELECT r.kind, r.expected_by, r.id, r.task_id FROM requests r
        WHERE r.received_on IS NULL
          AND EXISTS (SELECT 1 FROM tasks t WHERE t.id = r.task_id AND t.status IN ('todo', 'doing', 'delivered'));

    DROP TRIGGER tally_task_ins;
    DROP TRIGGER tally_task_del;
    DROP TRIGGER tally_task_upd;
    DROP TRIGGER tally_request_ins;
    DROP TRIGGER tally_request_del;
    DROP TRIGGER tally_request_upd;
    CREATE TRIGGER tally_task_ins AFTER INSERT ON tasks BEGIN
        INSERT OR IGNORE INTO client_tally(client_id) VALUES (new.client_id);
        UPDATE client_tally SET tasks = tasks + 1,
            todo = todo + (new.status IN ('todo', 'doing')),
            delivered = delivered + (new.status = 'delivered'),
            waiting = waiting + (new.status IN ('todo', 'doing', 'delivered')
                AND EXISTS (SELECT 1 FROM requests r WHERE r.task_id = new.id AND r.received_on IS NULL))
        WHERE client_id = new.client_id;
        INSERT OR IGNORE INTO live_requests(kind, expected_by, request_id, task_id)
            SELECT r.kind, r.expected_by, r.id, r.task_id FROM requests r
            WHERE new.status IN ('todo', 'doing', 'delivered') AND r.task_id = new.id AND r.received_on IS NULL;
    END;
    CREATE TRIGGER tally_task_del BEFORE DELETE ON tasks BEGIN
        UPDATE client_tally SET tasks = tasks - 1,
            todo = todo - (old.status IN ('todo', 'doing')),
            delivered = delivered - (old.status = 'delivered'),
            waiting = waiting - (old.status IN ('todo', 'doing', 'delivered')
                AND EXISTS (SELECT 1 FROM requests r WHERE r.task_id = old.id AND r.received_on IS NULL))
        WHERE client_id = old.client_id;
        DELETE FROM live_requests WHERE task_id = old.id;
    END;
    CREATE TRIGGER tally_task_upd AFTER UPDATE OF status, client_id ON tasks BEGIN
        UPDATE client_tally SET tasks = tasks - 1,
            todo = todo - (old.status IN ('todo', 'doing')),
            delivered = delivered - (old.status = 'delivered'),
            waiting = waiting - (old.status IN ('todo', 'doing', 'delivered')
                AND EXISTS (SELECT 1 FROM requests r WHERE r.task_id = old.id AND r.received_on IS NULL))
        WHERE client_id = old.client_id;
        INSERT OR IGNORE INTO client_tally(client_id) VALUES (new.client_id);
        UPDATE client_tally SET tasks = tasks + 1,
            todo = todo + (new.status IN ('todo', 'doing')),
            delivered = delivered + (new.status = 'delivered'),
            waiting = waiting + (new.status IN ('todo', 'doing', 'delivered')
                AND EXISTS (SELECT 1 FROM requests r WHERE r.task_id = new.id AND r.received_on IS NULL))
        WHERE client_id = new.client_id;
        DELETE FROM live_requests WHERE task_id = old.id AND new.status NOT IN ('todo', 'doing', 'delivered');
        INSERT OR IGNORE INTO live_requests(kind, expected_by, request_id, task_id)
            SELECT r.kind, r.expected_by, r.id, r.task_id FROM requests r
            WHERE new.status IN ('todo', 'doing', 'delivered') AND r.task_id = new.id AND r.received_on IS NULL;
    END;

    CREATE TRIGGER tally_request_ins AFTER INSERT ON requests WHEN new.received_on IS NULL BEGIN
        UPDATE client_tally SET waiting = waiting + 1
        WHERE client_id = (SELECT t.client_id FROM tasks t
                           WHERE t.id = new.task_id AND t.status IN ('todo', 'doing', 'delivered'))
          AND NOT EXISTS (SELECT 1 FROM requests r
                          WHERE r.task_id = new.task_id AND r.received_on IS NULL AND r.id <> new.id);
        INSERT OR IGNORE INTO live_requests(kind, expected_by, request_id, task_id)
            SELECT new.kind, new.expected_by, new.id, new.task_id FROM tasks t
            WHERE t.id = new.task_id AND t.status IN ('todo', 'doing', 'delivered');
    END;
    CREATE TRIGGER tally_request_del AFTER DELETE ON requests WHEN old.received_on IS NULL BEGIN
        UPDATE client_tally SET waiting = waiting - 1
        WHERE client_id = (SELECT t.client_id FROM tasks t
                           WHERE t.id = old.task_id AND t.status IN ('todo', 'doing', 'delivered'))
          AND NOT EXISTS (SELECT 1 FROM requests r WHERE r.task_id = old.task_id AND r.received_on IS NULL);
        DELETE FROM live_requests WHERE kind = old.kind AND expected_by = old.expected_by AND request_id = old.id;
    END;
    CREATE TRIGGER tally_request_upd AFTER UPDATE OF id, task_id, kind, expected_by, received_on ON requests BEGIN
        UPDATE client_tally SET waiting = waiting
            + ((SELECT count(*) FROM requests r WHERE r.task_id = old.task_id AND r.received_on IS NULL) > 0)
            - ((SELECT count(*) FROM requests r WHERE r.task_id = old.task_id AND r.received_on IS NULL)
                - (new.received_on IS NULL AND new.task_id = old.task_id) + (old.received_on IS NULL) > 0)
        WHERE client_id = (SELECT t.client_id FROM tasks t
                           WHERE t.id = old.task_id AND t.status IN ('todo', 'doing', 'delivered'));
        UPDATE client_tally SET waiting = waiting
            + ((SELECT count(*) FROM requests r WHERE r.task_id = new.task_id AND r.received_on IS NULL) > 0)
            - ((SELECT count(*) FROM requests r WHERE r.task_id = new.task_id AND r.received_on IS NULL)
                - (new.received_on IS NULL) > 0)
        WHERE new.task_id <> old.task_id
          AND client_id = (SELECT t.client_id FROM tasks t
                           WHERE t.id = new.task_id AND t.status IN ('todo', 'doing', 'delivered'));
        DELETE FROM live_requests WHERE kind = old.kind AND expected_by = old.expected_by AND request_id = old.id;
        INSERT OR IGNORE INTO live_requests(kind, expected_by, request_id, task_id)
            SELECT new.kind, new.expected_by, new.id, new.task_id FROM tasks t
            WHERE new.received_on IS NULL AND t.id = new.task_id AND t.status IN ('todo', 'doing', 'delivered');
    END;

    CREATE INDEX clients_retainer ON clients(id, name, rate_cents, retainer_min, fee_cents, overage_cents, status, increment_min)
        WHERE retainer_min IS NOT NULL;

    CREATE TABLE unflagged_quotes (
        answer_by TEXT NOT NULL,
        quote_id INTEGER NOT NULL,
        PRIMARY KEY (answer_by, quote_id)
    ) WITHOUT ROWID;
    CREATE INDEX unflagged_quotes_id ON unflagged_quotes(quote_id);
    INSERT INTO unflagged_quotes(answer_by, quote_id)
        SELECT q.answer_by, q.id FROM quotes q
        WHERE q.status = 'pending' AND NOT EXISTS (SELECT 1 FROM flags f WHERE f.source_ref = 'quote:' || q.id);

    DROP TRIGGER search_quote_ins;
    DROP TRIGGER search_quote_del;
    DROP TRIGGER search_flag_ins;
    DROP TRIGGER search_flag_upd;
    DROP TRIGGER search_flag_del;
    CREATE TRIGGER search_quote_ins AFTER INSERT ON quotes BEGIN
        INSERT INTO search(rowid, title, body, client_id) VALUES (new.id * 8 + 5, new.description, '', new.client_id);
        INSERT OR IGNORE INTO unflagged_quotes(answer_by, quote_id)
            SELECT new.answer_by, new.id WHERE new.status = 'pending'
              AND NOT EXISTS (SELECT 1 FROM flags f WHERE f.source_ref = 'quote:' || new.id);
    END;
    CREATE TRIGGER unflagged_quote_upd AFTER UPDATE OF id, status, answer_by ON quotes BEGIN
        DELETE FROM unflagged_quotes WHERE answer_by = old.answer_by AND quote_id = old.id;
        INSERT OR IGNORE INTO unflagged_quotes(answer_by, quote_id)
            SELECT new.answer_by, new.id WHERE new.status = 'pending'
              AND NOT EXISTS (SELECT 1 FROM flags f WHERE f.source_ref = 'quote:' || new.id);
    END;
    CREATE TRIGGER search_quote_del AFTER DELETE ON quotes BEGIN
        DELETE FROM search WHERE rowid = old.id * 8 + 5;
        DELETE FROM unflagged_quotes WHERE answer_by = old.answer_by AND quote_id = old.id;
    END;
    CREATE TRIGGER search_flag_ins AFTER INSERT ON flags BEGIN
        INSERT INTO search(rowid, title, body, client_id) VALUES (new.id * 8 + 6, new.note, '', new.client_id);
        DELETE FROM unflagged_quotes
            WHERE quote_id = CAST(substr(new.source_ref, 7) AS INTEGER) AND new.source_ref = 'quote:' || quote_id;
    END;
    CREATE TRIGGER search_flag_upd AFTER UPDATE OF id, note, client_id, source_ref ON flags BEGIN
        DELETE FROM search WHERE rowid = old.id * 8 + 6;
        INSERT INTO search(rowid, title, body, client_id) VALUES (new.id * 8 + 6, new.note, '', new.client_id);
        INSERT OR IGNORE INTO unflagged_quotes(answer_by, quote_id)
            SELECT q.answer_by, q.id FROM quotes q
            WHERE q.id = CAST(substr(old.source_ref, 7) AS INTEGER) AND old.source_ref = 'quote:' || q.id
              AND q.status = 'pending' AND NOT EXISTS (SELECT 1 FROM flags f WHERE f.source_ref = old.source_ref);
        DELETE FROM unflagged_quotes
            WHERE quote_id = CAST(substr(new.source_ref, 7) AS INTEGER) AND new.source_ref = 'quote:' || quote_id;
    END;
    CREATE TRIGGER search_flag_del AFTER DELETE ON flags BEGIN
        DELETE FROM search WHERE rowid = old.id * 8 + 6;
        INSERT OR IGNORE INTO unflagged_quotes(answer_by, quote_id)
            SELECT q.answer_by, q.id FROM quotes q
            WHERE q.id = CAST(substr(old.source_ref, 7) AS INTEGER) AND old.source_ref = 'quote:' || q.id
              AND q.status = 'pending';
    END;
    "#,
    // 18: the task filter walks its matches forwards. A task's index rowid becomes 2^41 minus
    // its id (2199023255552, `TASK_ROWID_TOP`): still one range above every other record's
    // `id × 8 + kind` (from 2^40 on, `TASK_ROWID_BASE`), now with the newest task first, so
    // the filter's newest matches come from FTS5's ascending walk of each word's rows, which
    // reads its pages forwards; the walk down from the range's end (step 16) read each page
    // backwards, at three times the cost. The index is built again (same columns, tokenizer,
    // prefixes and rank as step 16; the other kinds keep their rowids) and merged into one
    // segment, as a bulk import leaves it; the tasks' three triggers are made again with the
    // new rowid.
    r#"
    DROP TABLE search;
    CREATE VIRTUAL TABLE search USING fts5(
        title, body, client_id UNINDEXED,
        tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3 4 5 6 7 8'
    );
    INSERT INTO search(search, rank) VALUES ('rank', 'bm25(4.0, 1.0, 0.0)');
    INSERT INTO search(rowid, title, body, client_id) SELECT id * 8 + 1, name, notes || ' ' || tool, id FROM clients;
    INSERT INTO search(rowid, title, body, client_id)
        SELECT r.id * 8 + (CASE r.kind WHEN 'material' THEN 3 ELSE 4 END), r.what, '', t.client_id
        FROM requests r JOIN tasks t ON t.id = r.task_id;
    INSERT INTO search(rowid, title, body, client_id) SELECT id * 8 + 5, description, '', client_id FROM quotes;
    INSERT INTO search(rowid, title, body, client_id) SELECT id * 8 + 6, note, '', client_id FROM flags;
    INSERT INTO search(rowid, title, body, client_id)
        SELECT 2199023255552 - id, title, spec, client_id FROM tasks ORDER BY id DESC;
    INSERT INTO search(search) VALUES ('optimize');

    DROP TRIGGER search_task_ins;
    DROP TRIGGER search_task_upd;
    DROP TRIGGER search_task_del;
    CREATE TRIGGER search_task_ins AFTER INSERT ON tasks BEGIN
        INSERT INTO search(rowid, title, body, client_id) VALUES (2199023255552 - new.id, new.title, new.spec, new.client_id);
    END;
    CREATE TRIGGER search_task_upd AFTER UPDATE OF id, title, spec, client_id ON tasks BEGIN
        DELETE FROM search WHERE rowid = 2199023255552 - old.id;
        INSERT INTO search(rowid, title, body, client_id) VALUES (2199023255552 - new.id, new.title, new.spec, new.client_id);
        UPDATE search SET client_id = new.client_id
            WHERE rowid IN (SELECT id * 8 + (CASE kind WHEN 'material' THEN 3 ELSE 4 END) FROM requests WHERE task_id = new.id);
    END;
    CREATE TRIGGER search_task_del AFTER DELETE ON tasks BEGIN
        DELETE FROM search WHERE rowid = 2199023255552 - old.id;
    END;
    "#,
    // 19: a task imported from Trello or Asana keeps what its card or task said at the last
    // import (`tool_seen`: short hashes of the title, spec and due date it brought, and whether
    // it was finished there), so importing the same file again tells a card changed there from
    // a task edited here. Tasks imported before have none: their next import compares as before.
    r#"
    ALTER TABLE tasks ADD COLUMN tool_seen TEXT;
    DELETE FROM undo_steps;
    "#,
    // 20: quote preparation per client and month, kept current by triggers, so the tick's
    // underpaying rule (and the Month view) read one row per client and month instead of every
    // quote sent in the months they judge: `quotes` counts the month's quotes (a row goes when
    // its last quote does, so a month with quotes of no preparation still has its row, as it
    // had its sum), `prep_min` adds up their preparation. Keyed by the month first: the rule
    // reads a range of months. A derived table (no id, no uuid): undo, export and sync leave it
    // alone and reach it through the triggers on `quotes` (a bulk import drops none of them).
    // A later step that rebuilds `quotes` must create these triggers again.
    //
    // And the effective rates the underpaying rule judges, kept until something they were
    // judged from changes: `rate_judged` holds the month and default increment of the last pass
    // that judged every client (one row, or none), `client_rates` each client it judged and
    // its effective rate over the three months. Any write to time entries, quotes or clients'
    // terms deletes the `rate_judged` row (one small row, whatever the write), and the next
    // pass judges every client again; until then a pass of the same month and increment reads
    // the rates under its minimum instead of three months of every client's sums, quotes and
    // terms.
    // Derived tables (no id, no uuid): undo, export and sync leave them alone and reach them
    // through the triggers. A later step that rebuilds `time_entries`, `quotes` or `clients`
    // must create these triggers again.
    r#"
    CREATE TABLE rate_judged (
        month TEXT NOT NULL,
        inc INTEGER NOT NULL
    );
    CREATE TABLE client_rates (
        client_id INTEGER PRIMARY KEY,
        rate_cents INTEGER NOT NULL
    );
    CREATE TRIGGER rate_judged_time_ins AFTER INSERT ON time_entries BEGIN
        DELETE FROM rate_judged;
    END;
    CREATE TRIGGER rate_judged_time_upd AFTER UPDATE OF client_id, start, minutes, billable, billed_on ON time_entries BEGIN
        DELETE FROM rate_judged;
    END;
    CREATE TRIGGER rate_judged_time_del AFTER DELETE ON time_entries BEGIN
        DELETE FROM rate_judged;
    END;
    CREATE TRIGGER rate_judged_client_ins AFTER INSERT ON clients BEGIN
        DELETE FROM rate_judged;
    END;
    CREATE TRIGGER rate_judged_client_upd
        AFTER UPDATE OF id, status, rate_cents, increment_min, retainer_min, fee_cents, overage_cents ON clients BEGIN
        DELETE FROM rate_judged;
    END;
    CREATE TRIGGER rate_judged_client_del AFTER DELETE ON clients BEGIN
        DELETE FROM rate_judged;
    END;

    CREATE TABLE quote_prep_sums (
        month TEXT NOT NULL,
        client_id INTEGER NOT NULL,
        quotes INTEGER NOT NULL,
        prep_min INTEGER NOT NULL,
        PRIMARY KEY (month, client_id)
    ) WITHOUT ROWID;
    INSERT INTO quote_prep_sums(month, client_id, quotes, prep_min)
        SELECT substr(sent_on, 1, 7), client_id, count(*), sum(prep_min) FROM quotes GROUP BY 1, 2;

    CREATE TRIGGER quote_prep_ins AFTER INSERT ON quotes BEGIN
        INSERT INTO quote_prep_sums(month, client_id, quotes, prep_min)
            VALUES (substr(new.sent_on, 1, 7), new.client_id, 1, new.prep_min)
            ON CONFLICT(month, client_id) DO UPDATE SET quotes = quotes + 1, prep_min = prep_min + excluded.prep_min;
        DELETE FROM rate_judged;
    END;
    CREATE TRIGGER quote_prep_upd AFTER UPDATE OF client_id, sent_on, prep_min ON quotes BEGIN
        UPDATE quote_prep_sums SET quotes = quotes - 1, prep_min = prep_min - old.prep_min
            WHERE month = substr(old.sent_on, 1, 7) AND client_id = old.client_id;
        DELETE FROM quote_prep_sums
            WHERE month = substr(old.sent_on, 1, 7) AND client_id = old.client_id AND quotes <= 0;
        INSERT INTO quote_prep_sums(month, client_id, quotes, prep_min)
            VALUES (substr(new.sent_on, 1, 7), new.client_id, 1, new.prep_min)
            ON CONFLICT(month, client_id) DO UPDATE SET quotes = quotes + 1, prep_min = prep_min + excluded.prep_min;
        DELETE FROM rate_judged;
    END;
    CREATE TRIGGER quote_prep_del AFTER DELETE ON quotes BEGIN
        UPDATE quote_prep_sums SET quotes = quotes - 1, prep_min = prep_min - old.prep_min
            WHERE month = substr(old.sent_on, 1, 7) AND client_id = old.client_id;
        DELETE FROM quote_prep_sums
            WHERE month = substr(old.sent_on, 1, 7) AND client_id = old.client_id AND quotes <= 0;
        DELETE FROM rate_judged;
    END;
    "#,
    // 21: a task's time is its client's time. Moving a task to another client (here, or on the
    // other machine through a sync) takes its entries along, and an entry written for a task
    // (logged here, or brought by a sync from a machine that had not seen the move) takes the
    // task's client. Entries already apart from their task's client are put right.
    r#"
    CREATE TRIGGER time_follows_task AFTER UPDATE OF client_id ON tasks
    WHEN new.client_id IS NOT old.client_id BEGIN
        UPDATE time_entries SET client_id = new.client_id
            WHERE task_id = new.id AND client_id IS NOT new.client_id;
    END;
    CREATE TRIGGER time_task_client_ins AFTER INSERT ON time_entries
    WHEN new.task_id IS NOT NULL
        AND new.client_id IS NOT (SELECT client_id FROM tasks WHERE id = new.task_id) BEGIN
        UPDATE time_entries SET client_id = (SELECT client_id FROM tasks WHERE id = new.task_id)
            WHERE id = new.id AND EXISTS (SELECT 1 FROM tasks WHERE id = new.task_id);
    END;
    CREATE TRIGGER time_task_client_upd AFTER UPDATE OF task_id, client_id ON time_entries
    WHEN new.task_id IS NOT NULL
        AND new.client_id IS NOT (SELECT client_id FROM tasks WHERE id = new.task_id) BEGIN
        UPDATE time_entries SET client_id = (SELECT client_id FROM tasks WHERE id = new.task_id)
            WHERE id = new.id AND EXISTS (SELECT 1 FROM tasks WHERE id = new.task_id);
    END;
    UPDATE time_entries SET client_id = (SELECT t.client_id FROM tasks t WHERE t.id = time_entries.task_id)
        WHERE task_id IS NOT NULL
        AND client_id IS NOT (SELECT t.client_id FROM tasks t WHERE t.id = time_entries.task_id)
        AND EXISTS (SELECT 1 FROM tasks t WHERE t.id = time_entries.task_id);
    "#,
    // 22: a `scope_creep` flag speaks for its client's month going more than 10% over the
    // retainer's hours (`money::SCOPE_CREEP_PERCENT`); when time is deleted, made not billable
    // or moved out of that month (or to another client) and the month is no longer over, the
    // flag goes, as an automatic flag whose record is deleted does. Flags already standing for
    // a month no longer over go now, and their notes name the month (they ended with the
    // client's name). A later step that rebuilds `time_entries` must create these again; a
    // store put back to an earlier step may still hold them (IF NOT EXISTS).
    r#"
    CREATE TRIGGER IF NOT EXISTS scope_gone_time_del AFTER DELETE ON time_entries BEGIN
        DELETE FROM flags WHERE source = 'auto'
            AND source_ref = 'scope:' || old.client_id || ':' || substr(old.start, 1, 7)
            AND NOT EXISTS (SELECT 1 FROM clients c WHERE c.id = old.client_id AND c.retainer_min > 0 AND c.fee_cents IS NOT NULL
                AND (SELECT coalesce(sum(e.minutes), 0) FROM time_entries e
                     WHERE e.client_id = old.client_id AND e.billable = 1
                       AND e.start >= substr(old.start, 1, 7) AND e.start < date(substr(old.start, 1, 7) || '-01', '+1 month')) * 100 > c.retainer_min * 110);
    END;
    CREATE TRIGGER IF NOT EXISTS scope_gone_time_upd AFTER UPDATE OF client_id, start, minutes, billable ON time_entries BEGIN
        DELETE FROM flags WHERE source = 'auto'
            AND source_ref = 'scope:' || old.client_id || ':' || substr(old.start, 1, 7)
            AND NOT EXISTS (SELECT 1 FROM clients c WHERE c.id = old.client_id AND c.retainer_min > 0 AND c.fee_cents IS NOT NULL
                AND (SELECT coalesce(sum(e.minutes), 0) FROM time_entries e
                     WHERE e.client_id = old.client_id AND e.billable = 1
                       AND e.start >= substr(old.start, 1, 7) AND e.start < date(substr(old.start, 1, 7) || '-01', '+1 month')) * 100 > c.retainer_min * 110);
    END;
    DELETE FROM flags WHERE source = 'auto' AND kind = 'scope_creep' AND source_ref LIKE 'scope:%'
        AND NOT EXISTS (SELECT 1 FROM clients c WHERE c.id = flags.client_id AND c.retainer_min > 0 AND c.fee_cents IS NOT NULL
                AND (SELECT coalesce(sum(e.minutes), 0) FROM time_entries e
                     WHERE e.client_id = flags.client_id AND e.billable = 1
                       AND e.start >= substr(flags.source_ref, -7) AND e.start < date(substr(flags.source_ref, -7) || '-01', '+1 month')) * 100 > c.retainer_min * 110);
    UPDATE flags SET note = substr(note, 1, instr(note, ' (')) || '(' || substr(source_ref, -7) || ')'
        WHERE source = 'auto' AND kind = 'scope_creep' AND source_ref LIKE 'scope:%' AND instr(note, ' (') > 0;
    "#,
    // 23: a month once billed keeps the terms it was billed under. A client's rate, currency,
    // increment, retainer and status as they were when its month was first marked billed
    // (currency and increment resolved from the config then), so that a later raise, a new
    // default currency or the client's end never changes an invoice already sent. A record
    // with a uuid: undo, export and sync carry it. Months billed before this step get the
    // client's terms as they are now (currency and increment as stored: a default stays a
    // default), the best there is to know, and kept from now on. And the store's own id.
    r#"
    CREATE TABLE billed_terms (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        uuid TEXT NOT NULL UNIQUE DEFAULT (lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))),
        client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
        month TEXT NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]'),
        billed_on TEXT NOT NULL,
        status TEXT NOT NULL,
        currency TEXT,
        increment_min INTEGER CHECK (increment_min IS NULL OR increment_min BETWEEN 1 AND 1440),
        rate_cents INTEGER,
        retainer_min INTEGER,
        fee_cents INTEGER,
        overage_cents INTEGER
    );
    CREATE INDEX billed_terms_client ON billed_terms(client_id, month, billed_on, uuid);
    CREATE INDEX billed_terms_month ON billed_terms(month, client_id, billed_on, uuid);
    INSERT INTO billed_terms(client_id, month, billed_on, status, currency, increment_min, rate_cents,
                             retainer_min, fee_cents, overage_cents)
        SELECT c.id, substr(e.start, 1, 7), min(e.billed_on), c.status, c.currency, c.increment_min,
               c.rate_cents, c.retainer_min, c.fee_cents, c.overage_cents
        FROM time_entries e JOIN clients c ON c.id = e.client_id
        WHERE e.billed_on IS NOT NULL
        GROUP BY c.id, substr(e.start, 1, 7);
    -- Kept terms whose currency or increment was the config's default: resolved with the
    -- config on the next open that knows it (`Store::set_money_defaults`).
    INSERT INTO meta(key, value) SELECT 'billed_terms_defaults', 'pending'
        WHERE EXISTS (SELECT 1 FROM billed_terms WHERE currency IS NULL OR increment_min IS NULL);
    -- The store's own random id, made once and never changed: a leftover WAL that reads the
    -- same id as the file beside it is this store's (see `wal_guard`).
    INSERT OR IGNORE INTO meta(key, value) VALUES ('store_id', lower(hex(randomblob(16))));
    "#,
    // 24: what was invoiced stays invoiced. A time entry keeps its minutes as they were billed
    // (`billed_min`, set with `billed_on`), so that a billed entry corrected afterwards (`time
    // edit --force`) changes what is still to invoice, not what was invoiced: the month's sums
    // count invoiced time from it (rounded as the entry's month is). Entries billed before this
    // step were billed as they are now. The month's kept sums and the index the month reads
    // take it. And a billed month's kept terms judge its effective rate (`underpaying`), as its
    // statement shows it: a change to them forgets the kept rates.
    r#"
    ALTER TABLE time_entries ADD COLUMN billed_min INTEGER CHECK (billed_min IS NULL OR billed_min BETWEEN 0 AND 1440);
    UPDATE time_entries SET billed_min = minutes
        WHERE billed_on IS NOT NULL AND billable = 1 AND minutes IS NOT NULL;
    DROP INDEX IF EXISTS time_month;
    CREATE INDEX time_month ON time_entries(start, client_id, minutes, billable, billed_on, billed_min);
    DROP TRIGGER IF EXISTS time_sums_ins;
    DROP TRIGGER IF EXISTS time_sums_upd;
    DROP TRIGGER IF EXISTS time_sums_del;
    DROP TRIGGER IF EXISTS time_sums_increment;
    CREATE TRIGGER time_sums_ins AFTER INSERT ON time_entries BEGIN
        INSERT INTO time_sums(client_id, month, inc, entries, billable_min, rounded_min, unbilled_min, invoiced_min, invoiced_n)
            SELECT new.client_id, substr(new.start, 1, 7), i, 1,
            CASE WHEN new.billable THEN new.minutes ELSE 0 END,
            CASE WHEN new.billable THEN ((new.minutes + i - 1) / i) * i ELSE 0 END,
            CASE WHEN new.billable THEN 0 ELSE new.minutes END,
            CASE WHEN new.billed_on IS NOT NULL THEN ((coalesce(new.billed_min, CASE WHEN new.billable THEN new.minutes ELSE 0 END) + i - 1) / i) * i ELSE 0 END,
            CASE WHEN new.billed_on IS NOT NULL THEN 1 ELSE 0 END
            FROM (SELECT max(1, coalesce((SELECT increment_min FROM clients WHERE id = new.client_id), 1)) AS i)
            WHERE new.minutes IS NOT NULL
            ON CONFLICT(client_id, month) DO UPDATE SET entries = entries + 1,
                billable_min = billable_min + excluded.billable_min, rounded_min = rounded_min + excluded.rounded_min,
                unbilled_min = unbilled_min + excluded.unbilled_min, invoiced_min = invoiced_min + excluded.invoiced_min,
                invoiced_n = invoiced_n + excluded.invoiced_n;
    END;
    CREATE TRIGGER time_sums_upd AFTER UPDATE OF client_id, start, minutes, billable, billed_on, billed_min ON time_entries BEGIN
        UPDATE time_sums SET entries = entries - 1,
            billable_min = billable_min - (CASE WHEN old.billable THEN old.minutes ELSE 0 END),
            rounded_min = rounded_min - (CASE WHEN old.billable THEN ((old.minutes + inc - 1) / inc) * inc ELSE 0 END),
            unbilled_min = unbilled_min - (CASE WHEN old.billable THEN 0 ELSE old.minutes END),
            invoiced_min = invoiced_min - (CASE WHEN old.billed_on IS NOT NULL THEN ((coalesce(old.billed_min, CASE WHEN old.billable THEN old.minutes ELSE 0 END) + inc - 1) / inc) * inc ELSE 0 END),
            invoiced_n = invoiced_n - (CASE WHEN old.billed_on IS NOT NULL THEN 1 ELSE 0 END)
            WHERE client_id = old.client_id AND month = substr(old.start, 1, 7) AND old.minutes IS NOT NULL;
        DELETE FROM time_sums WHERE client_id = old.client_id AND month = substr(old.start, 1, 7) AND entries <= 0;
        INSERT INTO time_sums(client_id, month, inc, entries, billable_min, rounded_min, unbilled_min, invoiced_min, invoiced_n)
            SELECT new.client_id, substr(new.start, 1, 7), i, 1,
            CASE WHEN new.billable THEN new.minutes ELSE 0 END,
            CASE WHEN new.billable THEN ((new.minutes + i - 1) / i) * i ELSE 0 END,
            CASE WHEN new.billable THEN 0 ELSE new.minutes END,
            CASE WHEN new.billed_on IS NOT NULL THEN ((coalesce(new.billed_min, CASE WHEN new.billable THEN new.minutes ELSE 0 END) + i - 1) / i) * i ELSE 0 END,
            CASE WHEN new.billed_on IS NOT NULL THEN 1 ELSE 0 END
            FROM (SELECT max(1, coalesce((SELECT increment_min FROM clients WHERE id = new.client_id), 1)) AS i)
            WHERE new.minutes IS NOT NULL
            ON CONFLICT(client_id, month) DO UPDATE SET entries = entries + 1,
                billable_min = billable_min + excluded.billable_min, rounded_min = rounded_min + excluded.rounded_min,
                unbilled_min = unbilled_min + excluded.unbilled_min, invoiced_min = invoiced_min + excluded.invoiced_min,
                invoiced_n = invoiced_n + excluded.invoiced_n;
    END;
    CREATE TRIGGER time_sums_del AFTER DELETE ON time_entries BEGIN
        UPDATE time_sums SET entries = entries - 1,
            billable_min = billable_min - (CASE WHEN old.billable THEN old.minutes ELSE 0 END),
            rounded_min = rounded_min - (CASE WHEN old.billable THEN ((old.minutes + inc - 1) / inc) * inc ELSE 0 END),
            unbilled_min = unbilled_min - (CASE WHEN old.billable THEN 0 ELSE old.minutes END),
            invoiced_min = invoiced_min - (CASE WHEN old.billed_on IS NOT NULL THEN ((coalesce(old.billed_min, CASE WHEN old.billable THEN old.minutes ELSE 0 END) + inc - 1) / inc) * inc ELSE 0 END),
            invoiced_n = invoiced_n - (CASE WHEN old.billed_on IS NOT NULL THEN 1 ELSE 0 END)
            WHERE client_id = old.client_id AND month = substr(old.start, 1, 7) AND old.minutes IS NOT NULL;
        DELETE FROM time_sums WHERE client_id = old.client_id AND month = substr(old.start, 1, 7) AND entries <= 0;
    END;
    CREATE TRIGGER time_sums_increment AFTER UPDATE OF increment_min ON clients
        WHEN old.increment_min IS NOT new.increment_min BEGIN
        DELETE FROM time_sums WHERE client_id = new.id;
        INSERT INTO time_sums(client_id, month, inc, entries, billable_min, rounded_min, unbilled_min, invoiced_min, invoiced_n)
            SELECT e.client_id, substr(e.start, 1, 7), i, count(*),
                sum(CASE WHEN e.billable THEN e.minutes ELSE 0 END),
                sum(CASE WHEN e.billable THEN ((e.minutes + i - 1) / i) * i ELSE 0 END),
                sum(CASE WHEN e.billable THEN 0 ELSE e.minutes END),
                sum(CASE WHEN e.billed_on IS NOT NULL THEN ((coalesce(e.billed_min, CASE WHEN e.billable THEN e.minutes ELSE 0 END) + i - 1) / i) * i ELSE 0 END),
                sum(CASE WHEN e.billed_on IS NOT NULL THEN 1 ELSE 0 END)
            FROM time_entries e, (SELECT max(1, coalesce(new.increment_min, 1)) AS i)
            WHERE e.client_id = new.id AND e.minutes IS NOT NULL
            GROUP BY substr(e.start, 1, 7);
    END;
    DELETE FROM time_sums;
    INSERT INTO time_sums(client_id, month, inc, entries, billable_min, rounded_min, unbilled_min, invoiced_min, invoiced_n)
        SELECT e.client_id, substr(e.start, 1, 7), inc.i, count(*),
                sum(CASE WHEN e.billable THEN e.minutes ELSE 0 END),
                sum(CASE WHEN e.billable THEN ((e.minutes + inc.i - 1) / inc.i) * inc.i ELSE 0 END),
                sum(CASE WHEN e.billable THEN 0 ELSE e.minutes END),
                sum(CASE WHEN e.billed_on IS NOT NULL THEN ((coalesce(e.billed_min, CASE WHEN e.billable THEN e.minutes ELSE 0 END) + inc.i - 1) / inc.i) * inc.i ELSE 0 END),
                sum(CASE WHEN e.billed_on IS NOT NULL THEN 1 ELSE 0 END)
        FROM time_entries e JOIN (SELECT id, max(1, coalesce(increment_min, 1)) AS i FROM clients) inc ON inc.id = e.client_id
        WHERE e.minutes IS NOT NULL
        GROUP BY e.client_id, substr(e.start, 1, 7);
    -- A billed month's terms judge its effective rate: the rates kept are judged again when
    -- they change (a sync or an import may bring them alone).
    CREATE TRIGGER IF NOT EXISTS rate_judged_billed_ins AFTER INSERT ON billed_terms BEGIN
        DELETE FROM rate_judged;
    END;
    CREATE TRIGGER IF NOT EXISTS rate_judged_billed_upd AFTER UPDATE ON billed_terms BEGIN
        DELETE FROM rate_judged;
    END;
    CREATE TRIGGER IF NOT EXISTS rate_judged_billed_del AFTER DELETE ON billed_terms BEGIN
        DELETE FROM rate_judged;
    END;
    DELETE FROM rate_judged;
    "#,
    // 25: the triggers that keep the tallies, the search index, the month sums and the kept
    // judgements leave the file's schema for this table. SQLite parses every trigger of a file
    // when a connection first reads it (a third of every command's start), and a command that
    // only reads needs none of them: a connection that writes installs them as its own
    // (`install_connection_triggers`), one that only reads is refused any write. The sync's
    // capture triggers (`sync_*`) stay in the file (replica.rs keeps them). A later step that
    // changes one of these triggers changes its row here. `seq` keeps their first order.
    r#"
    CREATE TABLE connection_triggers (
        seq INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        tbl_name TEXT NOT NULL,
        sql TEXT NOT NULL
    );
    INSERT INTO connection_triggers(seq, name, tbl_name, sql)
        SELECT rowid, name, tbl_name, sql FROM main.sqlite_master
        WHERE type = 'trigger' AND name NOT LIKE 'sync\_%' ESCAPE '\';
    "#,
    // 26: the active clients with a weekly review day, for the review: found in their own
    // index rather than by reading every client (a thousand clients' rows at every review,
    // most with no review day). The uuid columns' default becomes vadesk's own function
    // (`shorten_uuid_defaults`).
    r#"
    CREATE INDEX IF NOT EXISTS clients_weekly ON clients(status, review_day)
        WHERE review_day IS NOT NULL;
    "#,
];

pub const LATEST_VERSION: i32 = MIGRATIONS.len() as i32;

/// Applies every step above `current`, each in its own IMMEDIATE transaction that also sets
/// `user_version`; a failing step rolls back and leaves the file as it was. Foreign keys are
/// off while the steps run (some rebuild tables: a dropped parent must not cascade) and every
/// step ends with a foreign-key check.
pub fn migrate(conn: &mut Connection, current: i32, shown: &str) -> Result<()> {
    if current >= LATEST_VERSION {
        return Ok(());
    }
    conn.execute_batch("PRAGMA foreign_keys=OFF")?;
    register_cents(conn)?;
    let result = run_steps(conn, current, LATEST_VERSION, shown);
    conn.execute_batch("PRAGMA foreign_keys=ON")?;
    result
}

/// A store's schema as it was at `version` (the steps up to it alone), for the tests of a
/// later step: what a store of that version holds, migrated by the steps after it on its next
/// open.
#[cfg(test)]
pub(crate) fn migrate_until(conn: &mut Connection, version: i32) -> Result<()> {
    conn.execute_batch("PRAGMA foreign_keys=OFF")?;
    register_cents(conn)?;
    let result = run_steps(conn, 0, version, "test");
    conn.execute_batch("PRAGMA foreign_keys=ON")?;
    result
}

fn run_steps(conn: &mut Connection, current: i32, until: i32, shown: &str) -> Result<()> {
    let steps = MIGRATIONS.iter().enumerate().take(until.max(0) as usize);
    for (i, sql) in steps.skip(current.max(0) as usize) {
        let version = i as i32 + 1;
        let fail = |e: rusqlite::Error| Error::refused(T::ErrMigration, &[&shown, &version, &e]);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        // Another program opening the same new or older store at the same time may have run
        // this step while this one waited for the lock: done, it is not run twice.
        let now_at: i32 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(fail)?;
        if now_at >= version {
            tx.commit().map_err(fail)?;
            continue;
        }
        tx.execute_batch(sql).map_err(fail)?;
        if version == 3 {
            derive_flag_uuids(&tx).map_err(fail)?;
        }
        if version == 10 {
            super::counters::backfill(&tx).map_err(fail)?;
        }
        if sql.contains("CREATE TABLE connection_triggers") {
            move_triggers_to_connections(&tx).map_err(fail)?;
        }
        if sql.contains("CREATE INDEX IF NOT EXISTS clients_weekly") {
            shorten_uuid_defaults(&tx).map_err(fail)?;
        }
        // The step that adds the score tallies (whatever its place): kept with the default
        // half-life from the start.
        if sql.contains("CREATE TABLE score_growth") {
            super::clients::keep_scores_with(&tx, crate::domain::ScoreRules::default().half_life_days).map_err(fail)?;
        }
        let broken: i64 = tx
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0))
            .map_err(fail)?;
        if broken > 0 {
            return Err(Error::refused(
                T::ErrMigration,
                &[&shown, &version, &"FOREIGN KEY constraint failed"],
            ));
        }
        tx.execute_batch(&format!(
            "PRAGMA application_id = {APP_ID}; PRAGMA user_version = {version};"
        ))
        .map_err(fail)?;
        tx.commit().map_err(fail)?;
    }
    Ok(())
}

/// The uuid columns' default until step 26: a version 4 uuid made of twenty-odd SQL
/// function calls, which every connection parsed (twelve tables have it) at its first read.
const UUID_DEFAULT_BEFORE_26: &str = "DEFAULT (lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))))";

/// The function that gives a new record its uuid when an insert names none (every vadesk
/// connection has it; the same form: lower-case, hyphenated, version 4).
pub(crate) const UUID_FUNCTION: &str = "vadesk_uuid";

/// Step 26: the uuid columns' default becomes `vadesk_uuid()`. A default is read only when a
/// row is inserted, so its text is changed in place, as SQLite documents for a change of
/// default values (`writable_schema`, then a new `schema_version`): no table is copied. A
/// table whose default is written some other way keeps it (it still works).
fn shorten_uuid_defaults(conn: &Connection) -> rusqlite::Result<()> {
    let short = format!("DEFAULT ({UUID_FUNCTION}())");
    edit_schema_text(conn, "main", || {
        conn.execute(
            "UPDATE sqlite_master SET sql = replace(sql, ?1, ?2)
             WHERE type = 'table' AND instr(sql, ?1) > 0",
            [UUID_DEFAULT_BEFORE_26, short.as_str()],
        )
    })
}

/// Changes the text of a schema (`main` or `temp`) by writing its schema table, as SQLite
/// documents for what leaves the file's format as it was: `edit` runs with `writable_schema`
/// on and answers how many rows it changed; when any, the schema's `schema_version` moves on,
/// so that every connection reads the schema again.
fn edit_schema_text(
    conn: &Connection,
    schema: &str,
    edit: impl FnOnce() -> rusqlite::Result<usize>,
) -> rusqlite::Result<()> {
    conn.execute_batch("PRAGMA writable_schema = ON")?;
    let edited = edit().and_then(|n| {
        if n == 0 {
            return Ok(());
        }
        let v: i64 = conn.query_row(&format!("PRAGMA {schema}.schema_version"), [], |r| r.get(0))?;
        conn.execute_batch(&format!("PRAGMA {schema}.schema_version = {}", v + 1))
    });
    conn.execute_batch("PRAGMA writable_schema = OFF")?;
    edited
}

/// A function only vadesk's connections have (it answers 0). The file's guard triggers call
/// it on every write to a table the connections' triggers follow, so that another program's
/// write, which would change the table without its tallies, fails at once ("no such function:
/// only_vadesk_writes_this_store") and changes nothing. Reading is never refused.
pub(crate) const WRITER_MARK: &str = "only_vadesk_writes_this_store";

/// The triggers copied into `connection_triggers` leave the file's schema, and each table they
/// follow gets the guards against other programs' writes (step 25). A later step adding
/// connection triggers on another table adds its guards too.
fn move_triggers_to_connections(conn: &Connection) -> rusqlite::Result<()> {
    let names: Vec<String> = {
        let mut q = conn.prepare("SELECT name FROM connection_triggers ORDER BY seq")?;
        let rows = q.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for name in names {
        conn.execute_batch(&format!("DROP TRIGGER main.\"{}\"", name.replace('"', "\"\"")))?;
    }
    // The table of the triggers themselves too: a row deleted there by another program would
    // leave a count unkept from then on.
    let tables: Vec<String> = {
        let mut q = conn.prepare(
            "SELECT DISTINCT tbl_name FROM connection_triggers
             UNION SELECT 'connection_triggers' ORDER BY 1",
        )?;
        let rows = q.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for table in tables {
        for ((event, _), name) in GUARD_EVENTS.iter().zip(guard_names(&table)) {
            conn.execute_batch(&format!(
                "CREATE TRIGGER {name} BEFORE {event} ON {table}
                 WHEN {WRITER_MARK}() BEGIN SELECT 1; END;"
            ))?;
        }
    }
    Ok(())
}

/// The writes a table's guards refuse, each with its guard's short name.
const GUARD_EVENTS: [(&str, &str); 3] = [("INSERT", "ins"), ("UPDATE", "upd"), ("DELETE", "del")];

/// The names of a table's guards against other programs' writes (step 25), one per event.
pub(crate) fn guard_names(table: &str) -> [String; 3] {
    GUARD_EVENTS.map(|(_, short)| format!("guard_{table}_{short}"))
}

/// Gives a connection that writes the store's triggers (`connection_triggers`) as its own
/// TEMP triggers, on the store's tables: the same definitions, parsed once as the file's
/// schema was. They are written into the connection's own schema table as they are and that
/// schema is read again at once (the documented effect of a new `schema_version`): creating
/// them one by one would read the schema again after each. Nothing here touches the file.
pub(crate) fn install_connection_triggers(conn: &Connection) -> Result<()> {
    let installed: i64 = conn.query_row(
        "SELECT count(*) FROM temp.sqlite_master WHERE type = 'trigger'
           AND name IN (SELECT name FROM main.connection_triggers)",
        [],
        |r| r.get(0),
    )?;
    if installed > 0 {
        return Ok(());
    }
    edit_schema_text(conn, "temp", || {
        conn.execute(
            "INSERT INTO temp.sqlite_master(type, name, tbl_name, rootpage, sql)
             SELECT 'trigger', name, tbl_name, 0, sql FROM main.connection_triggers ORDER BY seq",
            [],
        )
    })?;
    // Read at once: this statement finds the connection's schema changed and reads it again,
    // so a trigger that does not parse fails here, never at the first write.
    let wanted: i64 = conn.query_row("SELECT count(*) FROM main.connection_triggers", [], |r| r.get(0))?;
    let there: i64 = conn.query_row(
        "SELECT count(*) FROM temp.sqlite_master WHERE type = 'trigger'",
        [],
        |r| r.get(0),
    )?;
    if there < wanted {
        return Err(Error::Sqlite(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_SCHEMA),
            Some(format!("{there} of the store's {wanted} triggers installed")),
        )));
    }
    Ok(())
}

/// `vadesk_cents(real)`: an amount stored as REAL by older versions, in integer cents. A
/// value that cannot be an amount (not finite, absurdly large) fails the migration rather
/// than lose money silently.
fn register_cents(conn: &Connection) -> Result<()> {
    use rusqlite::functions::FunctionFlags;
    use rusqlite::types::ValueRef;
    conn.create_scalar_function(
        "vadesk_cents",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let v = match ctx.get_raw(0) {
                ValueRef::Null => return Ok(None),
                ValueRef::Integer(i) => i as f64,
                ValueRef::Real(r) => r,
                ValueRef::Text(t) => std::str::from_utf8(t)
                    .ok()
                    .and_then(|s| s.trim().parse().ok())
                    .unwrap_or(f64::NAN),
                ValueRef::Blob(_) => f64::NAN,
            };
            crate::domain::money::cents_from_f64(v).map(Some).ok_or_else(|| {
                rusqlite::Error::UserFunctionError(format!("amount {v} cannot be converted to cents").into())
            })
        },
    )?;
    Ok(())
}

/// Automatic flags get the uuid every machine derives for the same source.
fn derive_flag_uuids(tx: &rusqlite::Transaction) -> rusqlite::Result<()> {
    let refs: Vec<(i64, String)> = {
        let mut q = tx.prepare("SELECT id, source_ref FROM flags WHERE source_ref IS NOT NULL")?;
        let rows = q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut set = tx.prepare("UPDATE flags SET uuid = ?1 WHERE id = ?2")?;
    for (id, source_ref) in refs {
        set.execute(rusqlite::params![super::flags::flag_uuid(tx, &source_ref)?, id])?;
    }
    Ok(())
}

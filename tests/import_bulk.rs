//! A big Taskwarrior import goes over to bulk work (indexes and the search index built once at
//! the end): the store it leaves is the one a row-by-row import leaves, a bad task still rolls
//! everything back, and a sync replica still records every operation.

mod common;

use std::path::Path;

use chrono::NaiveDate;
use common::Desk;
use rusqlite::types::Value;
use vadesk::Store;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

/// A Taskwarrior export of `n` tasks: projects, annotations, tags, every status, accents for
/// the search index. (A uuid given twice is refused: tests/import_tools.rs.)
fn export(n: usize, bad_last: bool) -> String {
    let mut out = String::from("[\n");
    for i in 0..n {
        let status = ["pending", "completed", "deleted", "waiting"][i % 4];
        let uuid = i;
        let extra = match i % 5 {
            0 => r#","annotations":[{"entry":"20261101T100000Z","description":"Llamar a José"}]"#.to_string(),
            1 => r#","tags":["urgente","diseño"]"#.to_string(),
            _ => String::new(),
        };
        let end = if status == "completed" || status == "deleted" {
            r#","end":"20261103T235959Z""#
        } else {
            ""
        };
        let due = if bad_last && i == n - 1 {
            "not a date"
        } else {
            "20261120T235959Z"
        };
        out.push_str(&format!(
            r#"{{"uuid":"{uuid:08x}-0000-4000-8000-{uuid:012x}","description":"Tarea {i} de facturación","entry":"20261001T120000Z","status":"{status}","project":"Cliente{}","due":"{due}"{end}{extra}}}{}"#,
            i % 7,
            if i + 1 < n { ",\n" } else { "\n" }
        ));
    }
    out.push(']');
    out
}

fn rows(s: &Store, sql: &str) -> Vec<Vec<Value>> {
    let mut q = s.conn().prepare(sql).unwrap();
    let n = q.column_count();
    let rows = q
        .query_map([], |r| {
            (0..n)
                .map(|i| r.get::<_, Value>(i))
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .unwrap();
    rows.collect::<rusqlite::Result<_>>().unwrap()
}

/// Everything the import touches, as it can be compared between two stores.
fn picture(s: &Store, with_uuids: bool) -> Vec<Vec<Vec<Value>>> {
    // Clients the import creates get new random uuids: everything else of them is compared.
    let client_cols = "id, name, name_key, status, tool, rate_cents, notes, created_on";
    let task_cols = if with_uuids {
        "*".to_string()
    } else {
        "id, client_id, title, spec, status, due, created_on, closed_on".to_string()
    };
    let integrity: Vec<Vec<Value>> = rows(s, "PRAGMA integrity_check");
    assert_eq!(integrity, vec![vec![Value::Text("ok".into())]]);
    s.conn()
        .execute_batch("INSERT INTO search(search) VALUES ('integrity-check')")
        .unwrap();
    vec![
        rows(s, &format!("SELECT {client_cols} FROM clients ORDER BY id")),
        rows(s, &format!("SELECT {task_cols} FROM tasks ORDER BY id")),
        rows(s, "SELECT rowid, title, body, client_id FROM search ORDER BY rowid"),
        // The kept per-client counts (counted again at the end of a bulk import).
        rows(s, "SELECT * FROM client_tally ORDER BY client_id"),
        rows(s, "SELECT * FROM task_due_tally ORDER BY closed, no_due, due, part"),
        // The open requests of live tasks (counted again at the end of a bulk import).
        rows(s, "SELECT * FROM live_requests ORDER BY kind, expected_by, request_id"),
        rows(
            s,
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') ORDER BY name",
        ),
        rows(
            s,
            "SELECT rowid, * FROM search WHERE search MATCH 'jose' ORDER BY rowid",
        ),
        rows(
            s,
            "SELECT rowid FROM search WHERE search MATCH 'factur*' ORDER BY rowid",
        ),
    ]
}

fn import(db: &Path, text: &str, bulk_after: Option<usize>) -> vadesk::Result<vadesk::store::transfer::ImportReport> {
    let mut s = Store::open(db).unwrap();
    s.import_taskwarrior_bulk_after(text.as_bytes(), today(), "export.json", bulk_after)
}

#[test]
fn a_bulk_import_leaves_the_store_a_row_by_row_import_leaves() {
    let text = export(700, false);
    // Into an empty store: bulk from the first task, and from the 300th.
    let row = Desk::new();
    import(&row.db, &text, None).unwrap();
    let expected = picture(&Store::open(&row.db).unwrap(), true);
    assert!(expected[2].len() > 700, "the search index holds the tasks");
    for after in [0, 1, 300] {
        let bulk = Desk::new();
        let r = import(&bulk.db, &text, Some(after)).unwrap();
        assert_eq!((r.tasks, r.updated), (700, 0));
        let got = picture(&Store::open(&bulk.db).unwrap(), true);
        for (i, (a, b)) in expected.iter().zip(&got).enumerate() {
            assert_eq!(a, b, "part {i}, bulk after {after}");
        }
        // Imported again: nothing added, nothing changed in Taskwarrior since, the same store.
        let r = import(&bulk.db, &text, Some(after)).unwrap();
        assert_eq!((r.tasks, r.updated), (0, 0));
        import(&row.db, &text, None).unwrap();
        assert_eq!(
            picture(&Store::open(&row.db).unwrap(), true),
            picture(&Store::open(&bulk.db).unwrap(), true)
        );
    }

    // Into a store that holds tasks already (the demo): bulk only once as many are in.
    let row = Desk::new();
    row.ok(&["demo"]);
    let bulk = Desk::new();
    bulk.ok(&["demo"]);
    import(&row.db, &text, None).unwrap();
    import(&bulk.db, &text, Some(0)).unwrap();
    let (a, b) = (
        picture(&Store::open(&row.db).unwrap(), false),
        picture(&Store::open(&bulk.db).unwrap(), false),
    );
    for (i, (a, b)) in a.iter().zip(&b).enumerate() {
        assert_eq!(a, b, "part {i}, into the demo");
    }
    // Search finds the same through the desk's own query.
    let hits = |d: &Desk| {
        let s = Store::open(&d.db).unwrap();
        s.search("tarea 69", 50, 0)
            .unwrap()
            .iter()
            .map(|h| format!("{h:?}"))
            .collect::<Vec<_>>()
    };
    assert_eq!(hits(&row), hits(&bulk));
    assert!(!hits(&bulk).is_empty());
}

/// The bulk work writes the search rows without merging as it goes and merges them once at the
/// end: the index is left in one segment, and its merge settings are the store's own again (none
/// of their own by default; a store's own value is kept).
#[test]
fn a_bulk_import_merges_the_search_index_once_and_keeps_its_settings() {
    let text = export(700, false);
    let config = |s: &Store| rows(s, "SELECT k, v FROM search_config ORDER BY k");
    let segments = |s: &Store| -> i64 {
        s.conn()
            .query_row("SELECT count(DISTINCT segid) FROM search_idx", [], |r| r.get(0))
            .unwrap()
    };
    let d = Desk::new();
    d.ok(&["demo"]);
    let before = config(&Store::open(&d.db).unwrap());
    assert!(!before.iter().any(|r| r[0] == Value::Text("automerge".into())));
    import(&d.db, &text, Some(0)).unwrap();
    let s = Store::open(&d.db).unwrap();
    assert_eq!(config(&s), before);
    assert_eq!(segments(&s), 1);
    // Written afterwards row by row, the index merges as it always did.
    for i in 0..40 {
        d.ok(&["task", "add", "Cliente0", &format!("Factura {i}")]);
    }
    let s = Store::open(&d.db).unwrap();
    assert!(segments(&s) > 1 && segments(&s) < 10, "{}", segments(&s));
    assert_eq!(config(&s), before);

    let d = Desk::new();
    d.ok(&["demo"]);
    Store::open(&d.db)
        .unwrap()
        .conn()
        .execute_batch("INSERT INTO search(search, rank) VALUES ('automerge', 8)")
        .unwrap();
    let before = config(&Store::open(&d.db).unwrap());
    import(&d.db, &text, Some(0)).unwrap();
    assert_eq!(config(&Store::open(&d.db).unwrap()), before);
}

/// A bulk import sets aside only vadesk's own guards on the tasks while it works: another
/// program's trigger on the table, even one named like them, still refuses what it refuses,
/// and the import then changes nothing.
#[test]
fn another_program_s_trigger_on_the_tasks_still_decides_a_bulk_import() {
    let d = Desk::new();
    d.ok(&["demo"]);
    {
        let c = rusqlite::Connection::open(&d.db).unwrap();
        c.execute_batch(
            "CREATE TRIGGER guard_tasks_zz BEFORE INSERT ON tasks
             WHEN new.title = 'Tarea 350 de facturación' BEGIN SELECT RAISE(ABORT, 'not that one'); END",
        )
        .unwrap();
    }
    let before = picture(&Store::open(&d.db).unwrap(), true);
    let err = import(&d.db, &export(400, false), Some(0)).unwrap_err();
    assert!(format!("{err:?}").contains("not that one"), "{err:?}");
    let after = picture(&Store::open(&d.db).unwrap(), true);
    assert_eq!(before, after, "the refused import left something behind");
}

#[test]
fn a_bad_task_after_the_bulk_work_began_changes_nothing() {
    let d = Desk::new();
    d.ok(&["demo"]);
    let before = picture(&Store::open(&d.db).unwrap(), true);
    let err = import(&d.db, &export(400, true), Some(0)).unwrap_err();
    assert!(format!("{err:?}").contains("due"), "{err:?}");
    let after = picture(&Store::open(&d.db).unwrap(), true);
    assert_eq!(before, after, "the failed import left something behind");
}

#[test]
fn a_sync_replica_records_every_imported_task_either_way() {
    let text = export(300, false);
    let server = tempfile::tempdir().unwrap();
    let ops = |bulk_after: Option<usize>| {
        let d = Desk::new();
        let dir = d.dir.path().join("config").join("vadesk");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("config.toml"),
            format!(
                "[sync]\nlocal_dir = {}\nencryption_secret = \"a secret of some length\"\n",
                serde_json::to_string(&server.path().join(format!("{bulk_after:?}")).display().to_string()).unwrap()
            ),
        )
        .unwrap();
        d.ok(&["client", "add", "Acme"]);
        d.ok(&["sync", "--init"]);
        import(&d.db, &text, bulk_after).unwrap();
        let s = Store::open(&d.db).unwrap();
        let per_uuid = rows(
            &s,
            "SELECT o.uuid, count(*) FROM tc_operations o WHERE o.synced = 0 GROUP BY o.uuid ORDER BY o.uuid",
        );
        let tasks: i64 = s
            .conn()
            .query_row(
                "SELECT count(*) FROM tasks t WHERE EXISTS (SELECT 1 FROM tc_operations o WHERE o.uuid = t.uuid AND o.synced = 0)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        (per_uuid.len(), tasks, per_uuid)
    };
    let row = ops(None);
    let bulk = ops(Some(0));
    assert_eq!(row.1, 300, "every imported task has its operations");
    assert_eq!(row.0, bulk.0);
    assert_eq!(row.1, bulk.1);
    // The same operations per task (the clients' uuids differ between the two stores).
    let counts = |v: &Vec<Vec<Value>>| v.iter().map(|r| r[1].clone()).collect::<Vec<_>>();
    assert_eq!(counts(&row.2), counts(&bulk.2));
}

/// Tasks of every odd shape a Taskwarrior export can hold, and files that must be refused: the
/// rows they leave and the messages they give are recorded in a snapshot (taken before the
/// typed reader replaced the generic JSON values) and must stay the same.
#[test]
fn odd_tasks_import_and_fail_as_they_always_did() {
    let good = r#"[
{"uuid":"6F1C3A52-9D0E-4C1B-8E57-1F2A3B4C5D01","description":"first","description":"Second wins","project":" Bloom  Co ","status":"pending","entry":"20261101T100000Z","due":"20261120T235959Z","urgency":3.5,"id":7,"imask":2,"modified":"20261101T100000Z","wait":"x","priority":"H","depends":"a,b"},
{"uuid":"6f1c3a52-9d0e-4c1b-8e57-1f2a3b4c5d02","description":"Twelve","status":"completed","entry":"20261001T000000Z","depends":["6f1c3a52-9d0e-4c1b-8e57-1f2a3b4c5d01"]},
{"uuid":"6f1c3a52-9d0e-4c1b-8e57-1f2a3b4c5d03","description":"  tabs\tand\u0007 bells  ","project":"bloom co","status":"deleted","end":"20261005T233000Z","annotations":[7,"x",{"entry":"y"},{"description":5},{"description":"one"},{"description":"two\nlines"},[1]],"tags":[1,"a b","",null,"z"]},
{"uuid":"6f1c3a52-9d0e-4c1b-8e57-1f2a3b4c5d04","description":"recurring template","status":"recurring","project":"Never"},
{"uuid":"6f1c3a52-9d0e-4c1b-8e57-1f2a3b4c5d05","description":"Waiting one","status":"waiting","tags":[],"annotations":[],"foo":1,"foo":"again"},
{"uuid":"6f1c3a52-9d0e-4c1b-8e57-1f2a3b4c5d06","description":"no dates","status":"completed","project":"Ñandú"},
{"description":"without uuid","entry":"20260101T000001Z","due":"20280229T120000Z","bad":true,"bad":5}
]"#;
    let d = Desk::new();
    let report = import(&d.db, good, None).unwrap();
    let s = Store::open(&d.db).unwrap();
    let mut out = format!(
        "report: {} clients, {} tasks, {} updated\n",
        report.clients, report.tasks, report.updated
    );
    for (name, rows) in [
        (
            "clients",
            rows(
                &s,
                "SELECT id, name, name_key, status, created_on FROM clients ORDER BY id",
            ),
        ),
        (
            "tasks",
            rows(
                &s,
                "SELECT id, CASE WHEN title = 'without uuid' THEN length(uuid) ELSE uuid END, client_id, title,
                        spec, status, due, created_on, closed_on FROM tasks ORDER BY id",
            ),
        ),
        (
            "search",
            rows(&s, "SELECT rowid, title, body, client_id FROM search ORDER BY rowid"),
        ),
    ] {
        out.push_str(&format!("{name}:\n"));
        for r in rows {
            out.push_str(&format!("  {r:?}\n"));
        }
    }
    let task = |extra: &str| {
        format!(r#"{{"uuid":"6f1c3a52-9d0e-4c1b-8e57-1f2a3b4c5d09","description":"ok","status":"pending"{extra}}}"#)
    };
    drop(s);
    let long = "x".repeat(5000);
    let bad = [
        format!("[{},7]", task("")),
        format!("[{},\"text\"]", task("")),
        format!("[{},null]", task("")),
        format!("[{},[1,2]]", task("")),
        format!("{}\n[1]", task("")),
        task(r#","zeta":true,"alpha":null"#),
        task(r#","description":null"#),
        task(r#","project":{"a":1}"#),
        task(r#","status":["pending"]"#),
        task(r#","urgency":"high""#),
        task(r#","id":"1""#),
        task(r#","annotations":"note""#),
        task(r#","tags":"a""#),
        task(r#","depends":5"#),
        task(r#","foo":1,"foo":true"#),
        task(r#","foo":true,"foo":1"#),
        task(r#","uuid":"nope""#),
        task(r#","uuid":12"#),
        task(r#","status":"sleeping""#),
        task(&format!(r#","project":"{long}""#)),
        task(&format!(r#","description":"{long}""#)),
        task(r#","due":"tomorrow""#),
        // Taskwarrior adds no task without a description, and writes its fields as text.
        r#"[{"x":1}]"#.to_string(),
        task(r#","description":"""#),
        task(r#","description":"   ""#),
        task(r#","description":12"#),
        task(r#","project":34"#),
        task(r#","status":5"#),
        task(r#","entry":20261101"#),
        // Ended before it was entered.
        task(r#","status":"completed","entry":"20261101T000000Z","end":"20261001T000000Z""#),
        task(r#","entry":"20261301T000000Z""#),
        task(r#","status":"completed","end":"2026-11-01""#),
        task(r#","end":"garbage""#),
        task(r#","due":"18991231T120000Z""#),
        task(r#","due":"2026112T120000Z""#),
        task(r##","annotations":[{"description":"x"}],"tags":["t"],"spec":"#"##),
        format!("[{}] x", task("")),
        format!("[{}", task("")),
        format!("{}\n{{\"description\":", task("")),
        "{\"a\":1,}".to_string(),
        "[1".to_string(),
        "".to_string(),
        "[]".to_string(),
        "\u{feff}[]".to_string(),
        // A uuid given twice: the later task would replace the earlier.
        format!("[{},\n{}]", task(""), task(r#","description":"again""#)),
        // A uuid the store holds (from the good tasks), twice.
        r#"[{"uuid":"6f1c3a52-9d0e-4c1b-8e57-1f2a3b4c5d01","description":"updated","project":"Other","status":"completed","entry":"20261101T100000Z","end":"20261231T235959Z"},{"uuid":"6F1C3A52-9D0E-4C1B-8E57-1F2A3B4C5D01","description":"again"}]"#.to_string(),
    ];
    for (i, text) in bad.iter().enumerate() {
        // Each into a store holding the good tasks: a refused file changes nothing of it.
        let c = Desk::new();
        std::fs::copy(&d.db, &c.db).unwrap();
        let before = c.snapshot();
        let shown = if text.len() > 200 {
            format!("{}…", &text[..200])
        } else {
            text.clone()
        };
        match import(&c.db, text, None) {
            Ok(r) => out.push_str(&format!(
                "case {i} {shown}\n  ok: {} clients, {} tasks, {} updated\n",
                r.clients, r.tasks, r.updated
            )),
            Err(e) => {
                out.push_str(&format!(
                    "case {i} {shown}\n  {}\n",
                    e.localized(vadesk::i18n::Lang::En)
                ));
                assert_eq!(c.snapshot(), before, "{text}");
            }
        }
    }
    insta::assert_snapshot!(out);
}

/// Runs the real `vadesk import --from taskwarrior` on a pipe, writes it all of a 40,000-task
/// export but the closing bracket, calls `midway` while the import still runs, then kills it.
#[cfg(unix)]
fn kill_an_import_midway(d: &Desk, midway: impl FnOnce()) {
    use std::io::Write;
    let fifo = d.dir.path().join("export.json");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("vadesk"))
        .env_clear()
        .env("VADESK_NOW", &d.now)
        .env("HOME", d.dir.path())
        .env("XDG_CONFIG_HOME", d.dir.path().join("config"))
        .env("XDG_DATA_HOME", d.dir.path().join("data"))
        .args(["--db", d.db.to_str().unwrap(), "import", "--from", "taskwarrior"])
        .arg(&fifo)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Opening the pipe waits for the import to open it; each write waits for it to read.
    let mut w = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
    let text = export(40_000, false);
    // All but the closing bracket: the import waits for the rest.
    w.write_all(&text.as_bytes()[..text.len() - 1]).unwrap();
    w.flush().unwrap();
    // Still running: the file has not ended. At most a few thousand of the tasks written are in
    // the pipe or between the reading and the writing threads; the rest went in, well past the
    // point after which the bulk work begins.
    assert!(child.try_wait().unwrap().is_none());
    midway();
    child.kill().unwrap();
    child.wait().unwrap();
}

/// An import killed in the middle (here past the point where the bulk work dropped the tasks'
/// indexes and search trigger) leaves the store exactly as it was: the one transaction never
/// committed. The file is a pipe, so the import is still running when it is killed.
#[cfg(unix)]
#[test]
fn a_killed_import_changes_nothing() {
    let d = Desk::new();
    d.ok(&["demo"]);
    let before = d.snapshot();
    let schema = |db: &Path| {
        rows(
            &Store::open(db).unwrap(),
            "SELECT type, name, sql FROM sqlite_master ORDER BY name",
        )
    };
    let schema_before = schema(&d.db);
    kill_an_import_midway(&d, || {});
    assert_eq!(d.snapshot(), before);
    assert_eq!(schema(&d.db), schema_before);
    let s = Store::open(&d.db).unwrap();
    assert_eq!(rows(&s, "PRAGMA integrity_check"), vec![vec![Value::Text("ok".into())]]);
}

/// The store file's journal mode as SQLite reads it from a connection of its own.
fn journal_mode(db: &Path) -> String {
    let c = rusqlite::Connection::open(db).unwrap();
    c.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap()
}

fn sibling(db: &Path, suffix: &str) -> std::path::PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(suffix);
    s.into()
}

/// Into a store without tasks the bulk import writes through a rollback journal (the WAL would
/// take every page twice): the store it leaves is the one a row-by-row import leaves, and it
/// is in WAL mode again, on the import's own connection and in the file, with no journal left.
#[test]
fn an_import_into_a_store_without_tasks_leaves_it_in_wal_mode() {
    let text = export(700, false);
    let row = Desk::new();
    import(&row.db, &text, None).unwrap();
    let expected = picture(&Store::open(&row.db).unwrap(), true);
    let d = Desk::new();
    let mut s = Store::open(&d.db).unwrap();
    s.import_taskwarrior_bulk_after(text.as_bytes(), today(), "export.json", Some(1))
        .unwrap();
    assert_eq!(rows(&s, "PRAGMA journal_mode"), vec![vec![Value::Text("wal".into())]]);
    assert!(!sibling(&d.db, "-journal").exists());
    // The connection goes on writing through the WAL.
    s.conn().execute_batch("UPDATE clients SET notes = notes").unwrap();
    assert!(sibling(&d.db, "-wal").exists());
    drop(s);
    assert_eq!(journal_mode(&d.db), "wal");
    assert_eq!(picture(&Store::open(&d.db).unwrap(), true), expected);
    // A failed import into a store without tasks leaves it as it was, in WAL mode.
    let e = Desk::new();
    let before = picture(&Store::open(&e.db).unwrap(), true);
    let mut s = Store::open(&e.db).unwrap();
    assert!(s
        .import_taskwarrior_bulk_after(export(700, true).as_bytes(), today(), "export.json", Some(1))
        .is_err());
    assert_eq!(rows(&s, "PRAGMA journal_mode"), vec![vec![Value::Text("wal".into())]]);
    drop(s);
    assert_eq!(picture(&Store::open(&e.db).unwrap(), true), before);
    assert_eq!(journal_mode(&e.db), "wal");
}

/// While another connection has the store open, SQLite refuses to leave the WAL, and the bulk
/// import into a store without tasks keeps to it: the same store, the other connection reads it.
#[test]
fn an_import_into_a_store_another_connection_holds_keeps_to_the_wal() {
    let text = export(700, false);
    let row = Desk::new();
    import(&row.db, &text, None).unwrap();
    let expected = picture(&Store::open(&row.db).unwrap(), true);
    let d = Desk::new();
    let mut s = Store::open(&d.db).unwrap();
    let other = Store::open_again(&d.db).unwrap();
    assert_eq!(
        rows(&other, "SELECT count(*) FROM tasks"),
        vec![vec![Value::Integer(0)]]
    );
    {
        // What the import relies on: leaving the WAL is refused while another connection has it.
        let c = rusqlite::Connection::open(&d.db).unwrap();
        assert!(c
            .query_row("PRAGMA journal_mode=DELETE", [], |r| r.get::<_, String>(0))
            .is_err());
    }
    s.import_taskwarrior_bulk_after(text.as_bytes(), today(), "export.json", Some(1))
        .unwrap();
    assert_eq!(
        rows(&other, "SELECT count(*) FROM tasks"),
        vec![vec![Value::Integer(700)]]
    );
    assert_eq!(rows(&s, "PRAGMA journal_mode"), vec![vec![Value::Text("wal".into())]]);
    drop(other);
    drop(s);
    assert_eq!(picture(&Store::open(&d.db).unwrap(), true), expected);
}

/// An import into a store without tasks killed in the middle (through the rollback journal)
/// leaves the store as it was: the next opening rolls the journal back and goes on in WAL mode.
#[cfg(unix)]
#[test]
fn a_killed_import_into_a_store_without_tasks_changes_nothing() {
    let d = Desk::new();
    d.ok(&["client", "add", "Bloom"]);
    let before = d.snapshot();
    // The import is writing through its journal when it is killed.
    kill_an_import_midway(&d, || assert!(sibling(&d.db, "-journal").exists()));
    assert_eq!(d.snapshot(), before);
    assert_eq!(journal_mode(&d.db), "wal");
    let s = Store::open(&d.db).unwrap();
    assert_eq!(rows(&s, "PRAGMA integrity_check"), vec![vec![Value::Text("ok".into())]]);
}

/// The open requests of live tasks as kept, and as counted again from the requests and their
/// tasks.
fn live_requests(s: &Store) -> (Vec<Vec<Value>>, Vec<Vec<Value>>) {
    (
        rows(
            s,
            "SELECT kind, expected_by, request_id, task_id FROM live_requests ORDER BY 1, 2, 3",
        ),
        rows(
            s,
            "SELECT r.kind, r.expected_by, r.id, r.task_id FROM requests r JOIN tasks t ON t.id = r.task_id
             WHERE r.received_on IS NULL AND t.status NOT IN ('done', 'cancelled') ORDER BY 1, 2, 3",
        ),
    )
}

/// A bulk import that closes and reopens tasks holding open requests (their uuids are in the
/// export) runs without the tasks' triggers: the open requests of live tasks are counted again
/// at its end, the same as a row-by-row import keeps them.
#[test]
fn a_bulk_import_that_closes_and_reopens_tasks_keeps_their_open_requests_right() {
    let text = export(40, false);
    let mut kept = Vec::new();
    for after in [None, Some(0)] {
        let d = Desk::new();
        d.ok(&["demo"]);
        {
            let s = Store::open(&d.db).unwrap();
            let ids: Vec<i64> = s
                .conn()
                .prepare("SELECT DISTINCT task_id FROM requests WHERE received_on IS NULL ORDER BY task_id LIMIT 4")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert_eq!(ids.len(), 4, "the demo has tasks waiting on requests");
            // Export tasks 0 to 3 are pending, completed, deleted and waiting: the first of
            // these tasks is closed before, so the import opens it again.
            for (i, id) in ids.iter().enumerate() {
                s.conn()
                    .execute(
                        "UPDATE tasks SET uuid = ?1, status = CASE WHEN ?2 = 0 THEN 'done' ELSE 'todo' END WHERE id = ?3",
                        rusqlite::params![format!("{i:08x}-0000-4000-8000-{i:012x}"), i as i64, id],
                    )
                    .unwrap();
            }
            let (k, c) = live_requests(&s);
            assert_eq!(k, c, "before the import");
        }
        import(&d.db, &text, after).unwrap();
        let s = Store::open(&d.db).unwrap();
        let (k, c) = live_requests(&s);
        assert_eq!(k, c, "bulk after {after:?}");
        kept.push(k);
    }
    assert_eq!(kept[0], kept[1]);
}

//! Store rules of SPEC section 7, on real files in temporary folders.

mod common;

use chrono::NaiveDate;
use common::Desk;
use vadesk::domain::{FlagKind, RequestKind};
use vadesk::store::{ClientFields, TaskFields, LATEST_VERSION};
use vadesk::Store;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn named(name: &str) -> ClientFields {
    ClientFields {
        name: Some(name.into()),
        ..Default::default()
    }
}

fn refused_untouched(bytes: &[u8], expect: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("file.db");
    std::fs::write(&path, bytes).unwrap();
    let err = Store::open(&path).err().unwrap_or_else(|| panic!("{expect}: opened"));
    let msg = err.to_string();
    assert!(msg.contains(expect), "{msg}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "the file was changed");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "extra files appeared: {names:?}");
}

#[test]
fn a_new_store_has_the_pragmas_and_schema() {
    let d = Desk::new();
    let s = Store::open(&d.db).unwrap();
    let q = |sql: &str| -> String {
        s.conn()
            .query_row(sql, [], |r| r.get::<_, rusqlite::types::Value>(0))
            .map(|v| format!("{v:?}"))
            .unwrap()
    };
    assert_eq!(q("PRAGMA journal_mode"), "Text(\"wal\")");
    assert_eq!(q("PRAGMA foreign_keys"), "Integer(1)");
    assert_eq!(q("PRAGMA synchronous"), "Integer(2)");
    assert_eq!(q("PRAGMA busy_timeout"), "Integer(5000)");
    assert_eq!(q("PRAGMA user_version"), format!("Integer({LATEST_VERSION})"));
    assert_eq!(
        q("PRAGMA application_id"),
        format!("Integer({})", vadesk::store::APP_ID)
    );
    drop(s);
    // Reopening does not migrate again and keeps the data.
    let mut s = Store::open(&d.db).unwrap();
    s.add_client(named("Ana"), today()).unwrap();
    drop(s);
    let s = Store::open(&d.db).unwrap();
    assert_eq!(s.find_client("ana").unwrap().name, "Ana");
}

#[cfg(unix)]
#[test]
fn files_and_folders_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let d = Desk::new();
    // The default location: created 0700 / 0600 under the data folder.
    let out = d
        .cmd()
        .env_remove("VADESK_DB")
        .args(["client", "add", "Ana"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let data = d.dir.path().join("data").join("vadesk");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("vadesk.db")), 0o600);
    Store::open(&d.db).unwrap();
    assert_eq!(mode(&d.db), 0o600);
}

#[test]
fn text_files_are_refused_untouched() {
    refused_untouched(b"name,rate\nAna,30\n", "not a vadesk database");
    refused_untouched(b"tiny", "not a vadesk database");
}

#[test]
fn other_sqlite_databases_are_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "CREATE TABLE recipes(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO recipes(name) VALUES ('paella');",
        )
        .unwrap();
    }
    let bytes = std::fs::read(&path).unwrap();
    refused_untouched(&bytes, "not a vadesk database");
}

#[test]
fn truncated_and_newer_stores_are_refused_untouched() {
    let d = Desk::new();
    {
        let mut s = Store::open(&d.db).unwrap();
        for i in 0..200 {
            s.add_client(named(&format!("Client {i}")), today()).unwrap();
        }
        s.conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    }
    let full = std::fs::read(&d.db).unwrap();
    assert!(full.len() > 8192);
    let mut truncated = full[..full.len() / 2].to_vec();
    truncated.truncate(8192 + 100);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.db");
    std::fs::write(&path, &truncated).unwrap();
    let opened = Store::open(&path).and_then(|s| s.list_clients(None, &Default::default(), today()).map(|_| ()));
    assert!(opened.is_err(), "a truncated store read without error");
    assert_eq!(std::fs::read(&path).unwrap(), truncated);

    // From a newer vadesk.
    let newer = dir.path().join("newer.db");
    std::fs::write(&newer, &full).unwrap();
    {
        let c = rusqlite::Connection::open(&newer).unwrap();
        c.execute_batch(&format!("PRAGMA user_version = {}", LATEST_VERSION + 1))
            .unwrap();
    }
    let bytes = std::fs::read(&newer).unwrap();
    refused_untouched(&bytes, "newer vadesk");
}

#[test]
fn directories_missing_folders_and_empty_files() {
    let dir = tempfile::tempdir().unwrap();
    let e = Store::open(dir.path()).err().unwrap().to_string();
    assert!(e.contains("is a folder"), "{e}");
    let missing = dir.path().join("nope").join("v.db");
    let e = Store::open(&missing).err().unwrap().to_string();
    assert!(e.contains("does not exist"), "{e}");
    assert!(!dir.path().join("nope").exists());
    // A 0-byte file, as `touch` leaves it, becomes a new store.
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    let mut s = Store::open(&empty).unwrap();
    s.add_client(named("Ana"), today()).unwrap();
}

#[test]
fn undo_reverts_every_kind_of_change_many_levels_deep_across_restarts() {
    let d = Desk::new();
    let mut s = Store::open(&d.db).unwrap();
    s.enable_undo().unwrap();
    let c = s.add_client(named("Casa Lumen"), today()).unwrap();
    let t = s
        .add_task(
            c,
            TaskFields {
                title: Some("Carousel".into()),
                ..Default::default()
            },
            today(),
        )
        .unwrap();
    let m = s.ask(t, RequestKind::Material, "Photos", today(), today()).unwrap();
    s.nudge(RequestKind::Material, m, None, today()).unwrap();
    s.edit_client(
        c,
        ClientFields {
            name: Some("Casa Lumen Interiors".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let before_delete = s.export().unwrap();
    s.delete_client(c).unwrap();
    assert!(s.is_empty().unwrap());
    drop(s);

    // A restart keeps the undo history.
    let mut s = Store::open(&d.db).unwrap();
    s.enable_undo().unwrap();
    assert!(s.undo_label().unwrap().unwrap().contains("delete client"));
    s.undo().unwrap();
    assert_eq!(s.export().unwrap(), before_delete);
    assert_eq!(s.request(RequestKind::Material, m).unwrap().nudges, 1);
    s.undo().unwrap();
    assert_eq!(s.client(c).unwrap().name, "Casa Lumen");
    s.undo().unwrap();
    assert_eq!(s.request(RequestKind::Material, m).unwrap().nudges, 0);
    s.undo().unwrap();
    assert!(s.request(RequestKind::Material, m).is_err());
    s.undo().unwrap();
    s.undo().unwrap();
    assert!(s.is_empty().unwrap());
    assert!(s.undo().is_err());
}

#[test]
fn changes_from_other_connections_are_not_undone() {
    let d = Desk::new();
    let mut tui = Store::open(&d.db).unwrap();
    tui.enable_undo().unwrap();
    let mut cli = Store::open(&d.db).unwrap();
    tui.add_client(named("Ana"), today()).unwrap();
    cli.add_client(named("Bea"), today()).unwrap();
    tui.undo().unwrap();
    assert!(tui.find_client("Ana").is_err());
    assert!(tui.find_client("Bea").is_ok());
    assert!(tui.undo().is_err());
}

#[test]
fn detection_is_idempotent_and_dates_flags_at_the_fault() {
    let d = Desk::new();
    let mut s = Store::open(&d.db).unwrap();
    let c = s.add_client(named("C"), today()).unwrap();
    let t = s
        .add_task(
            c,
            TaskFields {
                title: Some("T".into()),
                ..Default::default()
            },
            today(),
        )
        .unwrap();
    let due = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    s.ask(t, RequestKind::Feedback, "", due, today()).unwrap();
    assert!(s.detect(due, None).unwrap().new_flags.is_empty());
    let next = due.succ_opt().unwrap();
    let r = s.detect(next, None).unwrap();
    assert_eq!(r.new_flags.len(), 1);
    assert_eq!(r.new_flags[0].kind, FlagKind::NoFeedback);
    assert_eq!(r.counts.feedback_overdue, 1);
    let later = NaiveDate::from_ymd_opt(2026, 12, 10).unwrap();
    assert!(s.detect(later, None).unwrap().new_flags.is_empty());
    let flags = s.list_flags(None).unwrap();
    assert_eq!(flags.len(), 1);
    assert_eq!(flags[0].at, next);
}

#[test]
fn export_import_round_trips_every_record() {
    let a = Desk::new();
    a.ok(&["demo"]);
    a.ok(&["review"]);
    let exported = a.snapshot();
    let file = a.dir.path().join("export.json");
    a.ok(&["export", "--out", file.to_str().unwrap()]);

    let b = Desk::new();
    b.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(b.snapshot(), exported);
    // A second import into the now non-empty store is refused and changes nothing.
    let (_, err) = b.fails(&["import", file.to_str().unwrap()]);
    assert!(err.contains("--merge"), "{err}");
    assert_eq!(b.snapshot(), exported);

    // Merging into a store with other clients keeps both, joins same-named clients.
    let c = Desk::new();
    c.ok(&["client", "add", "Someone Else"]);
    c.ok(&["client", "add", "bloom florist"]);
    c.ok(&["import", "--merge", file.to_str().unwrap()]);
    let clients = c.json(&["client", "list", "--json"]);
    assert_eq!(clients.as_array().unwrap().len(), 7);
    let tasks_a = a.json(&["task", "list", "--json"]).as_array().unwrap().len();
    let tasks_c = c.json(&["task", "list", "--json"]).as_array().unwrap().len();
    assert_eq!(tasks_a, tasks_c);
    let flags_a = a.json(&["flag", "list", "--json"]).as_array().unwrap().len();
    let flags_c = c.json(&["flag", "list", "--json"]).as_array().unwrap().len();
    assert_eq!(flags_a, flags_c);
    // Auto flags keep pointing at their (renumbered) records: a tick raises nothing twice.
    assert!(c.json(&["tick", "--once", "--json"])["new_flags"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn bad_imports_change_nothing() {
    let d = Desk::new();
    d.ok(&["client", "add", "Ana"]);
    let before = d.snapshot();
    let bad = d.dir.path().join("bad.json");
    for text in ["not json", "[1,2]", "{\"format\": 1, \"clients\": [{\"id\": 9, \"name\": \"\", \"status\": \"active\", \"created_on\": \"2026-01-01\"}]}",
                 "{\"format\": 1, \"clients\": [{\"id\": 9, \"name\": \"X\", \"status\": \"vip\", \"created_on\": \"2026-01-01\"}]}"] {
        std::fs::write(&bad, text).unwrap();
        d.fails(&["import", "--merge", bad.to_str().unwrap()]);
        assert_eq!(d.snapshot(), before, "{text}");
    }
}

#[test]
fn taskwarrior_import_maps_fields() {
    let d = Desk::new();
    let file = d.dir.path().join("tw.json");
    std::fs::write(
        &file,
        r#"[
{"id":1,"description":"Write newsletter","entry":"20261101T100000Z","modified":"20261101T100000Z","project":"Bloom","status":"pending","uuid":"6f1c3a52-9d0e-4c1b-8e57-1f2a3b4c5d01","due":"20261120T120000Z","tags":["mail","urgent"],"annotations":[{"entry":"20261102T100000Z","description":"Use the new logo"}],"urgency":5},
{"id":0,"description":"Old flyer","entry":"20261001T100000Z","end":"20261005T100000Z","project":"Bloom","status":"completed","uuid":"6f1c3a52-9d0e-4c1b-8e57-1f2a3b4c5d02"},
{"id":0,"description":"Dropped idea","entry":"20261001T100000Z","end":"20261003T100000Z","status":"deleted","uuid":"6f1c3a52-9d0e-4c1b-8e57-1f2a3b4c5d03"},
{"id":2,"description":"Call back","entry":"20261110T100000Z","status":"waiting","uuid":"6f1c3a52-9d0e-4c1b-8e57-1f2a3b4c5d04","wait":"20261201T000000Z"}
]"#,
    )
    .unwrap();
    let out = d.ok(&["import", "--from", "taskwarrior", file.to_str().unwrap()]);
    assert!(out.contains("2 clients, 4 tasks"), "{out}");
    let tasks = d.json(&["task", "list", "--json"]);
    let by_title = |t: &str| {
        tasks
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["title"] == t)
            .unwrap()
            .clone()
    };
    assert_eq!(by_title("Write newsletter")["client"], "Bloom");
    assert_eq!(by_title("Write newsletter")["status"], "todo");
    assert_eq!(by_title("Write newsletter")["due"], "2026-11-20");
    assert_eq!(by_title("Old flyer")["status"], "done");
    assert_eq!(by_title("Dropped idea")["status"], "cancelled");
    assert_eq!(by_title("Dropped idea")["client"], "(no project)");
    assert_eq!(by_title("Call back")["status"], "todo");
    let s = Store::open(&d.db).unwrap();
    let t = s.task(by_title("Write newsletter")["id"].as_i64().unwrap()).unwrap();
    assert_eq!(t.spec, "Use the new logo\n#mail #urgent");
    // The overdue newsletter is in the review.
    let r = d.json(&["review", "--json"]);
    assert_eq!(r["items"][0]["kind"], "task_overdue");
    assert_eq!(r["items"][0]["title"], "Write newsletter");
    // Taskwarrior's uuid is the task's; importing the same export again adds nothing.
    assert_eq!(
        by_title("Write newsletter")["uuid"],
        "6f1c3a52-9d0e-4c1b-8e57-1f2a3b4c5d01"
    );
    let before = d.snapshot();
    let out = d.ok(&["import", "--from", "taskwarrior", file.to_str().unwrap()]);
    assert!(out.contains("0 clients, 0 tasks"), "{out}");
    assert_eq!(d.snapshot(), before);
}

/// Importing a Taskwarrior export again never undoes what the VA did here: a task Taskwarrior
/// has not changed since the last import keeps its local title, date, spec and status; one
/// changed there since (its `modified` newer) comes in, and the import says how many.
#[test]
fn a_taskwarrior_reimport_keeps_the_local_edits_of_tasks_unchanged_there() {
    let d = Desk::new();
    let file = d.dir.path().join("tw.json");
    let tw = |two_title: &str, two_modified: &str| {
        format!(
            r#"[
{{"description":"TW task one","entry":"20261101T100000Z","modified":"20261101T100000Z","project":"Bloom","status":"pending","uuid":"6f1c3a52-9d0e-4c1b-8e57-1f2a3b4c5d11","due":"20261210T120000Z","annotations":[{{"entry":"20261102T100000Z","description":"note A"}}]}},
{{"description":"{two_title}","entry":"20261101T100000Z","modified":"{two_modified}","project":"Bloom","status":"pending","uuid":"6f1c3a52-9d0e-4c1b-8e57-1f2a3b4c5d12"}}
]"#
        )
    };
    std::fs::write(&file, tw("TW task two", "20261101T100000Z")).unwrap();
    d.ok(&["import", "--from", "taskwarrior", file.to_str().unwrap()]);
    let ids: Vec<String> = d
        .json(&["task", "list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].to_string())
        .collect();
    let one = d
        .json(&["task", "list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["title"] == "TW task one")
        .unwrap()["id"]
        .to_string();
    let two = ids.iter().find(|i| **i != one).unwrap().clone();
    d.ok(&[
        "task",
        "edit",
        &one,
        "--title",
        "Locally renamed",
        "--due",
        "2026-12-24",
        "--spec",
        "my local spec",
    ]);
    d.ok(&["task", "done", &two]);
    let edited = d.snapshot();
    let out = d.ok(&["import", "--from", "taskwarrior", file.to_str().unwrap()]);
    assert!(out.contains("0 clients, 0 tasks") && !out.contains("updated"), "{out}");
    assert_eq!(d.snapshot(), edited, "the same file again changes nothing");
    // Taskwarrior renames the second task afterwards: it comes in; the first keeps the edits.
    std::fs::write(&file, tw("Renamed in Taskwarrior", "20261115T090000Z")).unwrap();
    let out = d.ok(&["import", "--from", "taskwarrior", file.to_str().unwrap()]);
    assert!(out.contains("1 record already in the store was updated"), "{out}");
    let s = Store::open(&d.db).unwrap();
    let title_of = |id: &str| s.task(id.parse().unwrap()).unwrap().title;
    assert_eq!(title_of(&one), "Locally renamed");
    assert_eq!(title_of(&two), "Renamed in Taskwarrior");
    let s = Store::open(&d.db).unwrap();
    let t = s.task(one.parse().unwrap()).unwrap();
    assert_eq!(
        (t.spec.as_str(), t.due.map(|d| d.to_string())),
        ("my local spec", Some("2026-12-24".into()))
    );
}

#[test]
fn taskwarrior_import_reads_every_form_and_stops_whole_on_a_bad_task() {
    let d = Desk::new();
    let file = d.dir.path().join("tw.json");
    let task = |i: u32, status: &str| {
        format!(
            r#"{{"description":"Task {i}","entry":"20261101T100000Z","project":"Bloom","status":"{status}","uuid":"6f1c3a52-9d0e-4c1b-8e57-1f2a3b4c{i:04}"}}"#
        )
    };
    // One object a line, with and without commas between them, and blank lines.
    std::fs::write(
        &file,
        format!(
            "{},\n\n{}\n{}\n",
            task(1, "pending"),
            task(2, "completed"),
            task(3, "deleted")
        ),
    )
    .unwrap();
    let out = d.ok(&["import", "--from", "taskwarrior", file.to_str().unwrap()]);
    assert!(out.contains("1 client, 3 tasks"), "{out}");
    // A single object spread over lines.
    std::fs::write(&file, task(4, "waiting").replace(',', ",\n  ")).unwrap();
    let out = d.ok(&["import", "--from", "taskwarrior", file.to_str().unwrap()]);
    assert!(out.contains("0 clients, 1 task"), "{out}");
    // An empty file imports nothing.
    std::fs::write(&file, "  \n").unwrap();
    let out = d.ok(&["import", "--from", "taskwarrior", file.to_str().unwrap()]);
    assert!(out.contains("0 clients, 0 tasks"), "{out}");
    // A bad task late in the file, broken JSON, a non-object, or text after the array: nothing
    // of it goes in, even the good tasks read before it.
    let before = d.snapshot();
    for text in [
        format!("[{},{}]", task(5, "pending"), task(6, "sleeping")),
        format!("[{},{}", task(5, "pending"), task(6, "pending")),
        format!("[{},7]", task(5, "pending")),
        format!("[{}] x", task(5, "pending")),
        format!("{}\n{{\"description\":", task(5, "pending")),
        format!(
            "{}\n{}",
            task(5, "pending"),
            task(6, "pending").replace("20261101T100000Z", "yesterday")
        ),
    ] {
        std::fs::write(&file, &text).unwrap();
        d.fails(&["import", "--from", "taskwarrior", file.to_str().unwrap()]);
        assert_eq!(d.snapshot(), before, "{text}");
    }
    d.fails(&[
        "import",
        "--from",
        "taskwarrior",
        d.dir.path().join("missing.json").to_str().unwrap(),
    ]);
}

#[test]
fn backup_is_a_consistent_copy_and_never_overwrites() {
    let d = Desk::new();
    d.ok(&["demo"]);
    let copy = d.dir.path().join("copy.db");
    d.ok(&["backup", copy.to_str().unwrap()]);
    let restored = Desk {
        dir: tempfile::tempdir().unwrap(),
        db: copy.clone(),
        now: d.now.clone(),
    };
    assert_eq!(restored.snapshot(), d.snapshot());
    restored.ok(&["doctor"]);
    let (_, err) = d.fails(&["backup", copy.to_str().unwrap()]);
    assert!(err.contains("already exists"), "{err}");
}

#[test]
fn doctor_reports_and_fails_on_problems() {
    let d = Desk::new();
    d.ok(&["demo"]);
    let out = d.ok(&["doctor"]);
    for check in ["integrity", "foreign keys", "schema", "WAL", "permissions", "records"] {
        assert!(out.contains(check), "{out}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&d.db, std::fs::Permissions::from_mode(0o644)).unwrap();
        let (code, _) = d.fails(&["doctor"]);
        assert_eq!(code, 1);
    }
}

#[test]
fn config_file_errors_name_the_line() {
    let d = Desk::new();
    let cfg = d.dir.path().join("bad.toml");
    std::fs::write(&cfg, "name = \"Lucía\"\nmin_rate = = 30\n").unwrap();
    let (_, err) = d.fails(&["--config", cfg.to_str().unwrap(), "client", "list"]);
    assert!(err.contains("line 2"), "{err}");
    let (_, err) = d.fails(&[
        "--config",
        d.dir.path().join("missing.toml").to_str().unwrap(),
        "client",
        "list",
    ]);
    assert!(err.contains("missing.toml"), "{err}");
    // Weights and thresholds from the config change the verdict.
    std::fs::write(&cfg, "[weights]\nmind_reading = 7\n").unwrap();
    d.ok(&["client", "add", "C"]);
    d.ok(&["flag", "add", "C", "mind_reading"]);
    assert_eq!(d.json(&["client", "show", "C", "--json"])["verdict"], "healthy");
    assert_eq!(
        d.json(&["--config", cfg.to_str().unwrap(), "client", "show", "C", "--json"])["verdict"],
        "talk"
    );
}

#[test]
fn the_demo_gives_a_full_review_and_fills_only_an_empty_store() {
    let d = Desk::new();
    d.ok(&["demo"]);
    let r = d.json(&["review", "--json"]);
    let kinds: Vec<&str> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    for k in [
        "feedback_overdue",
        "material_late",
        "task_overdue",
        "task_due_today",
        "quote_unanswered",
        "meeting_today",
        "attendance_unrecorded",
        "weekly_review",
        "due_soon",
    ] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    let verdicts: std::collections::HashMap<String, String> = d
        .json(&["client", "list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(verdicts["Bloom Florist"], "healthy");
    assert_eq!(verdicts["Casa Lumen Interiors"], "watch");
    assert_eq!(verdicts["Northwind Yoga"], "decline");
    assert_eq!(verdicts["Pixel & Pine Studio"], "talk");
    d.fails(&["demo"]);
}

#[test]
fn the_desk_counts_read_only_the_kept_tallies_even_in_a_store_never_analysed() {
    let d = Desk::new();
    d.ok(&["demo"]);
    let s = Store::open(&d.db).unwrap();
    // As after a big import: no statistics for the planner to lean on.
    s.conn().execute_batch("DROP TABLE IF EXISTS sqlite_stat1").unwrap();
    let s = Store::open(&d.db).unwrap();
    let plans = s.query_plans().unwrap();
    for name in ["desk: open and waiting", "desk: open and delivered"] {
        let (_, plan) = plans.iter().find(|(n, _)| *n == name).unwrap();
        assert!(
            // One row a client, kept by triggers: never the tasks.
            plan.iter().all(|l| l.contains("client_tally")),
            "{name}: {plan:?}"
        );
    }
}

#[test]
fn no_review_or_tick_query_scans_a_big_table() {
    let d = Desk::new();
    d.ok(&["demo"]);
    let s = Store::open(&d.db).unwrap();
    // Partial and covering indexes that hold only what the query needs.
    let narrow = [
        "tasks_open_due",
        "requests_open",
        "quotes_pending",
        "meetings_pending",
        "tasks_vague",
        "tasks_outcome",
        "meetings_faults",
        "tasks_recent",
        "tasks_finished",
        "quotes_unbilled",
        "weekly_missed",
        "tasks_live_status",
        // The kept effective rates: one row, and one row per client.
        "rate_judged",
        "client_rates",
    ];
    let mut report = String::new();
    for (name, plan) in s.query_plans().unwrap() {
        for line in &plan {
            report.push_str(&format!("{name}: {line}\n"));
            if line.starts_with("SCAN") {
                let small = line.starts_with("SCAN c") || line.starts_with("SCAN clients");
                // The search index answers a MATCH itself (the `:M` of its plan), ranked.
                let matched = line.starts_with("SCAN search VIRTUAL TABLE") && line.contains(":M");
                // Repeat rules are few (one per recurring job, like clients); each is followed
                // by one row of the instance index.
                let rules = line.starts_with("SCAN r USING COVERING INDEX sqlite_autoindex_recurrences");
                let small = small || matched || rules;
                let indexed = narrow.iter().any(|i| line.contains(i));
                assert!(small || indexed, "{name} scans: {line}\n{report}");
            }
        }
    }
    println!("{report}");
    // Late requests come from the kept open requests of live tasks, by kind and date: never
    // from the requests left open on closed tasks.
    let plans = s.query_plans().unwrap();
    for name in [
        "tick: counts",
        "tick: late requests",
        "review: late counts",
        "review: requests",
    ] {
        let (_, plan) = plans.iter().find(|(n, _)| n == name).unwrap();
        assert!(
            plan[0].starts_with("SEARCH") && plan[0].ends_with("USING PRIMARY KEY (kind=? AND expected_by<?)"),
            "{name}: {plan:?}"
        );
        assert!(plan.iter().all(|l| !l.starts_with("SCAN")), "{name}: {plan:?}");
    }
    // The review's clients with a weekly review day come from their own index (never every
    // client's row), and the most task rows it can have from the kept tally by due date.
    let (_, plan) = plans.iter().find(|(n, _)| n == "review: weekly").unwrap();
    assert_eq!(
        plan,
        &["SEARCH c USING INDEX clients_weekly (status=? AND review_day>?)".to_string()]
    );
    let (_, plan) = plans.iter().find(|(n, _)| n == "review: tasks at most").unwrap();
    assert_eq!(
        plan,
        &["SEARCH task_due_tally USING PRIMARY KEY (closed=? AND no_due=? AND due<?)".to_string()]
    );
    // Unanswered quotes come from the kept pending quotes without their flag, by date.
    let (_, plan) = plans.iter().find(|(n, _)| n == "tick: quotes").unwrap();
    assert_eq!(
        plan,
        &[
            "SEARCH w USING PRIMARY KEY (answer_by<?)".to_string(),
            "SEARCH q USING INTEGER PRIMARY KEY (rowid=?)".to_string()
        ]
    );
    // With a minimum rate, quote preparation comes from its kept sums per client and month, a
    // range of months: never the quotes sent in them.
    let (_, plan) = plans.iter().find(|(n, _)| n == "money: kept quote prep").unwrap();
    assert_eq!(
        plan,
        &["SEARCH quote_prep_sums USING PRIMARY KEY (month>? AND month<?)".to_string()]
    );
    // While nothing they depend on was written, the underpaying rule reads the kept rates:
    // one row saying they are current, then the clients' rates in their own order (no sort),
    // but for those whose flag of the month is there.
    let (_, plan) = plans.iter().find(|(n, _)| n == "tick: rates judged").unwrap();
    assert!(plan.iter().any(|l| l == "SCAN rate_judged"), "{plan:?}");
    let (_, plan) = plans
        .iter()
        .find(|(n, _)| n == "tick: rates under the minimum")
        .unwrap();
    assert_eq!(plan[0], "SCAN client_rates", "{plan:?}");
    // Each one's flag of the month looked up by its reference, never the flags scanned.
    assert!(plan.iter().any(|l| l.ends_with("(source_ref=?)")), "{plan:?}");
    assert!(plan.iter().all(|l| !l.starts_with("SCAN f")), "{plan:?}");
    // Without a minimum rate the money rules read the clients with retainer hours from their
    // own index; the channels rule reads the clients' ids from their kept tallies.
    for (name, index) in [
        ("tick: retainer terms", "clients_retainer"),
        ("tick: retainer sums", "clients_retainer"),
        ("tick: clients without their channels flag", "client_tally"),
    ] {
        let (_, plan) = plans.iter().find(|(n, _)| n == name).unwrap();
        assert!(plan.iter().any(|l| l.contains(index)), "{name}: {plan:?}");
        assert!(
            plan.iter()
                .all(|l| !l.starts_with("SCAN clients") || l.contains("clients_retainer")),
            "{name}: {plan:?}"
        );
    }
}

/// The detection pass keeps its promises whatever happened between two passes: every late
/// request of an open task has its flag once, the counts are the live ones, a request dated
/// back in time is flagged at the next pass, a deleted flag is raised again while its cause
/// lasts, a dismissed one is not, and a second pass with nothing new raises nothing.
#[test]
fn detection_raises_each_flag_once_across_edits_undo_and_deletes() {
    let d = Desk::new();
    d.ok(&["demo"]);
    let mut s = Store::open(&d.db).unwrap();
    let late_without_flag = |s: &Store, day: NaiveDate| -> i64 {
        s.conn()
            .query_row(
                "SELECT count(*) FROM requests r JOIN tasks t ON t.id = r.task_id
                 WHERE r.received_on IS NULL AND r.expected_by < ?1 AND t.status NOT IN ('done', 'cancelled')
                   AND NOT EXISTS (SELECT 1 FROM flags f WHERE f.source_ref = r.kind || ':' || r.id)",
                [day.format("%Y-%m-%d").to_string()],
                |r| r.get(0),
            )
            .unwrap()
    };
    let flags = |s: &Store| -> i64 {
        s.conn()
            .query_row("SELECT count(*) FROM flags", [], |r| r.get(0))
            .unwrap()
    };
    for day in [
        today(),
        today() + chrono::Duration::days(12),
        today() + chrono::Duration::days(45),
    ] {
        let r = s.detect(day, Some(25.0)).unwrap();
        assert_eq!(r.counts, s.late_counts(day).unwrap(), "{day}");
        assert_eq!(late_without_flag(&s, day), 0, "{day}");
        let n = flags(&s);
        assert!(s.detect(day, Some(25.0)).unwrap().new_flags.is_empty(), "{day}");
        assert_eq!(flags(&s), n);
    }
    let day = today() + chrono::Duration::days(45);
    // A request of an open task dated back in time (an edit, a sync or an import does it).
    let (request, kind): (i64, String) = s
        .conn()
        .query_row(
            "SELECT r.id, r.kind FROM requests r JOIN tasks t ON t.id = r.task_id
             WHERE t.status NOT IN ('done', 'cancelled') ORDER BY r.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let source = format!("{kind}:{request}");
    s.conn()
        .execute("DELETE FROM flags WHERE source_ref = ?1", [&source])
        .unwrap();
    s.conn()
        .execute(
            "UPDATE requests SET received_on = NULL, expected_by = '2026-01-05' WHERE id = ?1",
            [request],
        )
        .unwrap();
    let r = s.detect(day, Some(25.0)).unwrap();
    let raised: Vec<&str> = r.new_flags.iter().map(|f| f.source_ref.as_str()).collect();
    assert_eq!(raised, vec![source.as_str()]);
    assert_eq!(r.counts, s.late_counts(day).unwrap());
    assert!(s.detect(day, Some(25.0)).unwrap().new_flags.is_empty());
    // Deleted by hand: raised again while the request is late.
    s.conn()
        .execute("DELETE FROM flags WHERE source_ref = ?1", [&source])
        .unwrap();
    let r = s.detect(day, Some(25.0)).unwrap();
    assert_eq!(r.new_flags.len(), 1);
    assert_eq!(r.new_flags[0].source_ref, source);
    // Dismissed: it stays dismissed and is not raised again.
    let id = r.new_flags[0].id;
    s.dismiss_flag(id).unwrap();
    assert!(s.detect(day, Some(25.0)).unwrap().new_flags.is_empty());
    // Every flag of the monthly rules taken back: the next pass raises again those of the
    // months it judges (this month's, last month's scope), and only those.
    let monthly: Vec<String> = {
        let mut q = s
            .conn()
            .prepare(
                "SELECT source_ref FROM flags WHERE source = 'auto'
                 AND (source_ref LIKE 'channels:%' OR source_ref LIKE 'scope:%' OR source_ref LIKE 'underpaying:%'
                      OR source_ref LIKE 'rate:%') ORDER BY source_ref",
            )
            .unwrap();
        let rows = q.query_map([], |r| r.get(0)).unwrap();
        rows.collect::<rusqlite::Result<_>>().unwrap()
    };
    s.conn()
        .execute(
            "DELETE FROM flags WHERE source = 'auto' AND (source_ref LIKE 'channels:%' OR source_ref LIKE 'scope:%'
             OR source_ref LIKE 'underpaying:%' OR source_ref LIKE 'rate:%')",
            [],
        )
        .unwrap();
    let r = s.detect(day, Some(25.0)).unwrap();
    let mut again: Vec<String> = r.new_flags.iter().map(|f| f.source_ref.clone()).collect();
    again.sort();
    assert!(!again.is_empty());
    assert!(again.iter().all(|f| monthly.contains(f)), "{again:?}");
    assert!(s.detect(day, Some(25.0)).unwrap().new_flags.is_empty());
}

/// `import --merge` says how many records the store had that the file changed (it said only
/// "Imported 0 clients, 0 tasks and 0 other records." while it rewrote notes and titles); a
/// file that changes nothing says no such thing, and writes nothing.
#[test]
fn a_merge_import_counts_the_records_it_changed() {
    let d = Desk::new();
    d.ok(&["client", "add", "Ana", "--notes", "old notes"]);
    d.ok(&["task", "add", "Ana", "Logo"]);
    d.ok(&["task", "add", "Ana", "Flyer"]);
    let file = d.dir.path().join("export.json");
    d.ok(&["export", "--out", file.to_str().unwrap()]);
    let out = d.ok(&["import", "--merge", file.to_str().unwrap()]);
    assert!(out.contains("0 clients, 0 tasks") && !out.contains("updated"), "{out}");
    let mut data: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    data["clients"][0]["notes"] = "new notes".into();
    data["tasks"][0]["title"] = "Logo v2".into();
    std::fs::write(&file, serde_json::to_string(&data).unwrap()).unwrap();
    let out = d.ok(&["import", "--merge", file.to_str().unwrap()]);
    assert!(out.contains("2 records already in the store were updated."), "{out}");
    let out = d.ok(&["--lang", "es", "import", "--merge", file.to_str().unwrap()]);
    assert!(!out.contains("actualizado"), "{out}");
    let titles = d.json(&["task", "list", "--json"]);
    assert!(titles.as_array().unwrap().iter().any(|t| t["title"] == "Logo v2"));
}

/// A file that starts with a UTF-8 byte-order mark (as some Windows editors save it) imports:
/// a Taskwarrior export and vadesk's own.
#[test]
fn imports_read_past_a_byte_order_mark() {
    let d = Desk::new();
    let tw = d.dir.path().join("tw.json");
    std::fs::write(
        &tw,
        "\u{feff}[{\"description\":\"Write newsletter\",\"entry\":\"20261101T100000Z\",\"project\":\"Bloom\",\"status\":\"pending\",\"uuid\":\"6f1c3a52-9d0e-4c1b-8e57-1f2a3b4c5d01\"}]",
    )
    .unwrap();
    let out = d.ok(&["import", "--from", "taskwarrior", tw.to_str().unwrap()]);
    assert!(out.contains("1 client, 1 task"), "{out}");
    let export = d.dir.path().join("export.json");
    d.ok(&["export", "--out", export.to_str().unwrap()]);
    let text = std::fs::read_to_string(&export).unwrap();
    std::fs::write(&export, format!("\u{feff}{text}")).unwrap();
    let b = Desk::new();
    let out = b.ok(&["import", export.to_str().unwrap()]);
    assert!(out.contains("1 client, 1 task"), "{out}");
}

/// A Taskwarrior task whose annotations are too long is refused as too long, with the
/// length (it said the annotations were "invalid or missing"), and nothing is imported.
#[test]
fn a_taskwarrior_annotation_too_long_is_named_as_such() {
    let d = Desk::new();
    let tw = d.dir.path().join("tw.json");
    let long = "a".repeat(200_000);
    std::fs::write(
        &tw,
        format!("[{{\"description\":\"Big\",\"status\":\"pending\",\"annotations\":[{{\"entry\":\"20261102T100000Z\",\"description\":\"{long}\"}}]}}]"),
    )
    .unwrap();
    let (_, err) = d.fails(&["import", "--from", "taskwarrior", tw.to_str().unwrap()]);
    assert!(
        err.contains("the 1st task, annotations: too long (200000 characters; at most"),
        "{err}"
    );
    let (_, err) = d.fails(&["--lang", "es", "import", "--from", "taskwarrior", tw.to_str().unwrap()]);
    assert!(
        err.contains("el campo annotations es demasiado largo (200000 caracteres; máximo"),
        "{err}"
    );
    assert!(d.json(&["task", "list", "--json"]).as_array().unwrap().is_empty());
}

/// The kept per-client counts, and the same counted again from the tasks and requests.
fn client_tallies(db: &std::path::Path) -> (Vec<common::Tally>, Vec<common::Tally>) {
    let c = rusqlite::Connection::open(db).unwrap();
    (common::tallies_kept(&c), common::tallies_counted(&c))
}

fn file_triggers(db: &std::path::Path) -> Vec<String> {
    let c = rusqlite::Connection::open(db).unwrap();
    common::texts(
        &c,
        "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name",
    )
}

/// Schema step 25: the triggers that keep the tallies, the search index and the month sums
/// are not in the file (SQLite parsed them at every command's start), but in each connection
/// that writes. Writes through the command line keep every count, and a command that only
/// reads opens the store without them and cannot write it.
#[test]
fn the_store_s_triggers_are_kept_by_the_connections_that_write() {
    let d = Desk::new();
    d.ok(&["demo"]);
    let guards = file_triggers(&d.db);
    assert!(guards.iter().all(|g| g.starts_with("guard_")), "{guards:?}");
    assert!(guards.contains(&"guard_tasks_upd".to_string()), "{guards:?}");
    assert!(
        guards.contains(&"guard_connection_triggers_del".to_string()),
        "{guards:?}"
    );
    let kept = {
        let c = rusqlite::Connection::open(&d.db).unwrap();
        c.query_row("SELECT count(*) FROM connection_triggers", [], |r| r.get::<_, i64>(0))
            .unwrap()
    };
    assert!(kept >= 50, "{kept} triggers kept");
    let (tally, counted) = client_tallies(&d.db);
    assert_eq!(tally, counted, "the demo's counts");
    // Writes of every kind the counts follow: a task added, finished, cancelled; a request.
    let acme = d.id(&["client", "add", "Acme Tallies"]).to_string();
    let a = d.id(&["task", "add", "Acme Tallies", "First"]).to_string();
    let b = d.id(&["task", "add", "Acme Tallies", "Second"]).to_string();
    d.ok(&["task", "add", "Acme Tallies", "Third"]);
    d.ok(&["material", "ask", &b, "logo files", "--by", "2026-11-30"]);
    d.ok(&["task", "done", &a]);
    d.ok(&["task", "cancel", &b]);
    let (tally, counted) = client_tallies(&d.db);
    assert_eq!(tally, counted, "after the command line's writes");
    let row = tally.iter().find(|t| t.0.to_string() == acme).unwrap();
    assert_eq!((row.1, row.2), (3, 1), "Acme: three tasks, one open");
    // Found by the search the triggers keep.
    assert!(d.ok(&["search", "Third"]).contains("Third"));
    // A reading connection has none of them, and refuses a write.
    let s = Store::open_to_read(&d.db).unwrap();
    let temp: i64 = s
        .conn()
        .query_row("SELECT count(*) FROM temp.sqlite_master", [], |r| r.get(0))
        .unwrap();
    assert_eq!(temp, 0);
    let err = s
        .conn()
        .execute("UPDATE tasks SET title = 'changed' WHERE id = ?1", [&a])
        .unwrap_err();
    assert!(err.to_string().contains("readonly"), "{err}");
    drop(s);
    // Another program reads the store, but its write, which would leave the counts behind, is
    // refused and changes nothing.
    {
        let c = rusqlite::Connection::open(&d.db).unwrap();
        let titles = |c: &rusqlite::Connection| -> i64 {
            c.query_row("SELECT count(*) FROM tasks WHERE title = 'Third'", [], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(titles(&c), 1);
        let err = c
            .execute("UPDATE tasks SET title = 'Foreign' WHERE title = 'Third'", [])
            .unwrap_err();
        assert!(err.to_string().contains("only_vadesk_writes_this_store"), "{err}");
        assert_eq!(titles(&c), 1);
        // Nor can it take a trigger away from the connections that write.
        let err = c
            .execute("DELETE FROM connection_triggers WHERE name = 'tally_task_ins'", [])
            .unwrap_err();
        assert!(err.to_string().contains("only_vadesk_writes_this_store"), "{err}");
        let kept_now: i64 = c
            .query_row("SELECT count(*) FROM connection_triggers", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kept_now, kept);
    }
    // A store of the step before (its triggers in the file) is upgraded: the same triggers move
    // to the table, and its counts stay kept.
    {
        let c = rusqlite::Connection::open(&d.db).unwrap();
        common::triggers_back_in_the_file(&c);
    }
    let before = file_triggers(&d.db);
    assert_eq!(before.len() as i64, kept);
    d.ok(&["doctor"]);
    assert_eq!(file_triggers(&d.db), guards);
    let names = common::texts(
        &rusqlite::Connection::open(&d.db).unwrap(),
        "SELECT name FROM connection_triggers ORDER BY name",
    );
    assert_eq!(names, before);
    d.ok(&["task", "add", "Acme Tallies", "Fourth"]);
    let (tally, counted) = client_tallies(&d.db);
    assert_eq!(tally, counted, "after the upgrade");
    assert_eq!(tally.iter().find(|t| t.0.to_string() == acme).unwrap().1, 4);
}

/// The uuid columns' default before schema step 26: twenty-odd SQL calls in twelve tables,
/// parsed by every connection at its start.
const UUID_DEFAULT_BEFORE_26: &str = "DEFAULT (lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))))";

/// Schema step 26: the uuid columns' default becomes vadesk's own `vadesk_uuid()` (changed in
/// place, no table copied) and the weekly clients get their index. A store of step 25 is
/// upgraded with every record and uuid as it was, and a record inserted without a uuid still
/// gets a new, well-formed one.
#[test]
fn step_26_gives_the_uuid_columns_vadesk_s_own_default() {
    let d = Desk::new();
    d.ok(&["demo"]);
    let with_default = |c: &rusqlite::Connection, what: &str| -> i64 {
        c.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND instr(sql, ?1) > 0",
            [what],
            |r| r.get(0),
        )
        .unwrap()
    };
    let uuids = |db: &std::path::Path| {
        let c = rusqlite::Connection::open(db).unwrap();
        let mut all = common::texts(&c, "SELECT uuid FROM clients ORDER BY id");
        all.extend(common::texts(&c, "SELECT uuid FROM tasks ORDER BY id"));
        all.extend(common::texts(&c, "SELECT uuid FROM flags ORDER BY id"));
        all
    };
    {
        let c = rusqlite::Connection::open(&d.db).unwrap();
        assert_eq!(with_default(&c, "DEFAULT (vadesk_uuid())"), 12);
        assert_eq!(with_default(&c, "randomblob"), 0);
        // Taken back to step 25: the long default, no weekly index.
        c.execute_batch("PRAGMA writable_schema = ON").unwrap();
        c.execute(
            "UPDATE sqlite_master SET sql = replace(sql, 'DEFAULT (vadesk_uuid())', ?1) WHERE type = 'table'",
            [UUID_DEFAULT_BEFORE_26],
        )
        .unwrap();
        let v: i64 = c.query_row("PRAGMA schema_version", [], |r| r.get(0)).unwrap();
        c.execute_batch(&format!(
            "PRAGMA schema_version = {}; PRAGMA writable_schema = OFF;
             DROP INDEX clients_weekly; PRAGMA user_version = 25;",
            v + 1
        ))
        .unwrap();
    }
    {
        let c = rusqlite::Connection::open(&d.db).unwrap();
        assert_eq!(with_default(&c, UUID_DEFAULT_BEFORE_26), 12);
        assert_eq!(
            c.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0))
                .unwrap(),
            "ok"
        );
    }
    let before = uuids(&d.db);
    // Upgraded by a command that only reads: when it ends, the upgrade is in the store file
    // itself (its log copied in and emptied), not left in the `-wal` for every later read to
    // look through, nor missing from a plain copy of the file.
    d.ok(&["review"]);
    let wal = std::fs::metadata(format!("{}-wal", d.db.display())).map_or(0, |m| m.len());
    assert_eq!(wal, 0, "the log after the upgrade");
    let header = std::fs::read(&d.db).unwrap();
    assert_eq!(
        u32::from_be_bytes(header[60..64].try_into().unwrap()),
        26,
        "the file's own version"
    );
    d.ok(&["doctor"]);
    {
        let c = rusqlite::Connection::open(&d.db).unwrap();
        assert_eq!(
            c.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)).unwrap(),
            26
        );
        assert_eq!(with_default(&c, "DEFAULT (vadesk_uuid())"), 12);
        assert_eq!(with_default(&c, "randomblob"), 0);
        let index: i64 = c
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'clients_weekly'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(index, 1);
        assert_eq!(
            c.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0))
                .unwrap(),
            "ok"
        );
    }
    assert_eq!(uuids(&d.db), before);
    // New records get new uuids of the same form, through the command line and through an
    // insert that names none.
    let id = d.id(&["client", "add", "Nueva Cliente"]);
    let s = Store::open(&d.db).unwrap();
    s.conn()
        .execute(
            "INSERT INTO clients(name, name_key, created_on) VALUES ('Sin Uuid', 'sin uuid', '2026-11-27')",
            [],
        )
        .unwrap();
    let made = common::texts(
        s.conn(),
        &format!("SELECT uuid FROM clients WHERE id = {id} OR name = 'Sin Uuid' ORDER BY id"),
    );
    drop(s);
    assert_eq!(made.len(), 2);
    for u in &made {
        let parsed = uuid::Uuid::parse_str(u).unwrap();
        assert_eq!(parsed.get_version_num(), 4, "{u}");
        assert_eq!(u, &parsed.hyphenated().to_string(), "lower-case and hyphenated");
        assert!(!before.contains(u));
    }
    assert_ne!(made[0], made[1]);
}

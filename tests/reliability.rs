//! The promises of SPEC 7-8, each proven by a test that fails if the promise breaks:
//! crash safety, concurrency, damaged files, migrations, disk full, backups during writes.

mod common;

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::pty::Screen;
use common::Desk;
use vadesk::store::{ClientFields, LATEST_VERSION};
use vadesk::Store;

fn cmd(d: &Desk, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vadesk"));
    c.env_clear()
        .env("VADESK_DB", &d.db)
        .env("VADESK_NOW", &d.now)
        .env("LANG", "en_US.UTF-8")
        .env("HOME", d.dir.path())
        .env("XDG_CONFIG_HOME", d.dir.path().join("config"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

fn integrity(db: &std::path::Path) -> String {
    let c = rusqlite::Connection::open(db).unwrap();
    c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap()
}

fn count(db: &std::path::Path, sql: &str) -> i64 {
    let c = rusqlite::Connection::open(db).unwrap();
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// A tiny deterministic generator, so a failure can be replayed.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[test]
fn a_writer_killed_at_random_moments_loses_nothing_it_confirmed() {
    let d = Desk::new();
    d.ok(&["client", "add", "Bloom"]);
    // A bigger write too: an import of 200 tasks in one transaction.
    let batch = Desk::new();
    batch.ok(&["client", "add", "Imported"]);
    for i in 0..200 {
        batch.ok(&["task", "add", "Imported", &format!("Batch task {i}")]);
    }
    let export = batch.dir.path().join("batch.json");
    batch.ok(&["export", "--out", export.to_str().unwrap()]);

    let mut rng = Lcg(7);
    let mut confirmed_tasks: HashSet<i64> = HashSet::new();
    let mut confirmed_imports = 0;
    for i in 0..120 {
        let import = i % 4 == 3;
        let mut child = if import {
            cmd(&d, &["import", "--merge", export.to_str().unwrap()])
                .spawn()
                .unwrap()
        } else {
            cmd(&d, &["task", "add", "Bloom", &format!("Task {i}"), "--due", "+3d"])
                .spawn()
                .unwrap()
        };
        std::thread::sleep(Duration::from_micros(rng.next(60_000)));
        let _ = child.kill(); // SIGKILL
        let out = child.wait_with_output().unwrap();
        if out.status.success() {
            if import {
                confirmed_imports += 1;
            } else {
                confirmed_tasks.insert(String::from_utf8_lossy(&out.stdout).trim().parse().unwrap());
            }
        }
    }
    assert_eq!(integrity(&d.db), "ok");
    let s = Store::open(&d.db).unwrap();
    for id in &confirmed_tasks {
        assert!(s.task(*id).is_ok(), "confirmed task {id} was lost");
    }
    // Imports are all or nothing.
    let imported = count(
        &d.db,
        "SELECT count(*) FROM tasks t JOIN clients c ON c.id = t.client_id WHERE c.name = 'Imported'",
    );
    // The same file imported again updates its records (matched by uuid), never adds them
    // twice: the batch is there whole once, or not at all.
    assert!(
        imported == 0 || imported == 200,
        "a partial or doubled import survived: {imported}"
    );
    if confirmed_imports > 0 {
        assert_eq!(imported, 200);
    }
    // The runs were really interrupted some of the time, and confirmed some of the time.
    assert!(confirmed_tasks.len() < 90, "the writer was never killed mid-way");
    assert!(!confirmed_tasks.is_empty(), "no write was ever confirmed");
}

#[test]
fn a_running_desk_and_four_writers_at_once_never_see_a_lock_error() {
    let d = Desk::new();
    d.ok(&["demo"]);
    let before = count(&d.db, "SELECT count(*) FROM tasks");
    let mut desk = Screen::open(&d, &["--tick", "1"], 100, 30);
    desk.wait_for("Bloom Florist");
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let db = d.db.clone();
            let dir = d.dir.path().to_path_buf();
            let now = d.now.clone();
            std::thread::spawn(move || {
                let mut failures = Vec::new();
                for i in 0..100 {
                    let out = Command::new(env!("CARGO_BIN_EXE_vadesk"))
                        .env_clear()
                        .env("VADESK_DB", &db)
                        .env("VADESK_NOW", &now)
                        .env("HOME", &dir)
                        .args([
                            "task",
                            "add",
                            "Casa Lumen Interiors",
                            &format!("w{w} t{i}"),
                            "--due",
                            "-1d",
                        ])
                        .output()
                        .unwrap();
                    if !out.status.success() {
                        failures.push(String::from_utf8_lossy(&out.stderr).to_string());
                    }
                }
                failures
            })
        })
        .collect();
    // Meanwhile the desk keeps working: keys are handled and the tick runs.
    desk.send("2");
    desk.wait_for("Daily review");
    for _ in 0..20 {
        desk.send("j");
        desk.send("k");
    }
    let failures: Vec<String> = writers.into_iter().flat_map(|w| w.join().unwrap()).collect();
    assert!(
        failures.is_empty(),
        "{} writes failed, e.g. {:?}",
        failures.len(),
        failures.first()
    );
    assert_eq!(count(&d.db, "SELECT count(*) FROM tasks"), before + 400);
    // The demo's 11 review rows (its retainer near its hours among them) and the 400 new tasks, overdue.
    desk.wait_for("Review (411)");
    let screen = desk.text();
    assert!(
        !screen.to_lowercase().contains("locked") && !screen.to_lowercase().contains("busy"),
        "{screen}"
    );
    desk.send("q");
    desk.exit();
    assert_eq!(integrity(&d.db), "ok");
}

fn untouched_after(d: &Desk, bytes: &[u8], args: &[&str]) -> String {
    std::fs::write(&d.db, bytes).unwrap();
    let out = cmd(d, args).output().unwrap();
    assert!(!out.status.success(), "vadesk {args:?} accepted a bad file");
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(std::fs::read(&d.db).unwrap(), bytes, "vadesk {args:?} changed the file");
    err
}

#[test]
fn damaged_and_unusual_files_get_a_clear_message_and_stay_as_they_were() {
    let good = Desk::new();
    good.ok(&["demo"]);
    {
        let c = rusqlite::Connection::open(&good.db).unwrap();
        c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    }
    let full = std::fs::read(&good.db).unwrap();
    let d = Desk::new();

    let err = untouched_after(&d, b"Dear diary, today I...\n", &["client", "list"]);
    assert!(err.contains("not a vadesk database"), "{err}");

    let err = untouched_after(&d, &full[..full.len() / 3], &["client", "list"]);
    assert!(
        err.contains("damaged") || err.contains("not a vadesk"),
        "truncated: {err}"
    );

    // Pages overwritten with noise, the header left intact.
    let mut noisy = full.clone();
    let mut rng = Lcg(11);
    for b in noisy.iter_mut().skip(4096).take(full.len() - 4096) {
        *b = rng.next(256) as u8;
    }
    let err = untouched_after(&d, &noisy, &["client", "list"]);
    assert!(err.contains("damaged") || err.contains("not a vadesk"), "noise: {err}");
    let err = untouched_after(&d, &noisy, &["doctor"]);
    assert!(!err.is_empty());

    // From a newer vadesk.
    let newer = Desk::new();
    std::fs::write(&newer.db, &full).unwrap();
    rusqlite::Connection::open(&newer.db)
        .unwrap()
        .execute_batch(&format!("PRAGMA user_version = {}", LATEST_VERSION + 5))
        .unwrap();
    let bytes = std::fs::read(&newer.db).unwrap();
    let err = untouched_after(&d, &bytes, &["review"]);
    assert!(err.contains("newer vadesk"), "{err}");

    // A missing folder and a directory.
    let (_, err) = d.fails(&[
        "--db",
        d.dir.path().join("no/such/folder/v.db").to_str().unwrap(),
        "client",
        "list",
    ]);
    assert!(err.contains("does not exist"), "{err}");
    assert!(!d.dir.path().join("no").exists());
    let (_, err) = d.fails(&["--db", d.dir.path().to_str().unwrap(), "client", "list"]);
    assert!(err.contains("is a folder"), "{err}");

    // An empty file (as `touch` leaves) becomes a new store.
    std::fs::write(&d.db, b"").unwrap();
    d.ok(&["client", "add", "Ana"]);
}

#[test]
fn a_full_disk_saves_nothing_and_says_so() {
    let d = Desk::new();
    let mut s = Store::open(&d.db).unwrap();
    s.load_demo(chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap())
        .unwrap();
    let before = s.export().unwrap();
    let pages: i64 = s.conn().query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
    s.conn()
        .query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))
        .unwrap();
    let long_notes = "x".repeat(15_000);
    let mut failed = None;
    for i in 0..200 {
        let f = ClientFields {
            name: Some(format!("Client {i}")),
            notes: Some(long_notes.clone()),
            ..Default::default()
        };
        if let Err(e) = s.add_client(f, chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()) {
            failed = Some(e);
            break;
        }
    }
    let e = failed.expect("the disk never filled");
    assert!(e.localized(vadesk::i18n::Lang::En).contains("disk is full"), "{e}");
    assert!(e.localized(vadesk::i18n::Lang::Es).contains("disco está lleno"));
    // Everything committed before is intact and readable.
    let after = s.export().unwrap();
    assert_eq!(after["tasks"], before["tasks"]);
    drop(s);
    assert_eq!(integrity(&d.db), "ok");
}

/// Opens an old store (v1, v2) with the current program: every record is kept, each gains
/// a uuid (derived ones for automatic flags), and the store works afterwards.
fn upgrade_keeps_every_record(fixture: &str) {
    let d = Desk::new();
    std::fs::copy(fixture, &d.db).unwrap();
    #[cfg(unix)]
    {
        // A checkout does not keep the fixture's 0600; a real store has it.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&d.db, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let mut expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("tests/fixtures/v1.json").unwrap()).unwrap();
    // Money became integer cents (schema of time and money): the same amounts, in cents,
    // and the new client terms unset.
    let cents = |v: Option<serde_json::Value>| v.and_then(|v| v.as_f64()).map(|x| (x * 100.0).round() as i64);
    for row in expected["clients"].as_array_mut().unwrap() {
        let obj = row.as_object_mut().unwrap();
        let rate = cents(obj.remove("rate"));
        obj.insert("rate_cents".into(), serde_json::json!(rate));
        for k in [
            "currency",
            "increment_min",
            "retainer_min",
            "fee_cents",
            "overage_cents",
        ] {
            obj.insert(k.into(), serde_json::Value::Null);
        }
    }
    for row in expected["quotes"].as_array_mut().unwrap() {
        let obj = row.as_object_mut().unwrap();
        let amount = cents(obj.remove("amount"));
        obj.insert("amount_cents".into(), serde_json::json!(amount));
    }
    let mut got = d.snapshot();
    let mut uuids = std::collections::HashSet::new();
    for table in [
        "clients",
        "channels",
        "tasks",
        "requests",
        "quotes",
        "meetings",
        "flags",
        "weekly_reviews",
    ] {
        for row in got[table].as_array_mut().unwrap() {
            let obj = row.as_object_mut().unwrap();
            let uuid = obj.remove("uuid").and_then(|u| u.as_str().map(str::to_string));
            let uuid = uuid.unwrap_or_else(|| panic!("{table} row without uuid: {obj:?}"));
            assert_eq!(uuid.len(), 36, "{uuid}");
            if obj.get("source").and_then(|s| s.as_str()) == Some("auto") {
                assert_eq!(&uuid[14..15], "5", "an automatic flag's uuid is derived: {uuid}");
            }
            assert!(uuids.insert(uuid), "uuids are unique");
            if table == "weekly_reviews" {
                obj.remove("id");
            }
            // Columns added by later steps arrive with their defaults.
            for (column, default) in [
                ("description", serde_json::json!("")),
                ("nudges", serde_json::json!(0)),
                ("last_nudge", serde_json::Value::Null),
                ("length_min", serde_json::Value::Null),
                ("missed", serde_json::json!(0)),
                ("recurrence_id", serde_json::Value::Null),
                ("tool_seen", serde_json::Value::Null),
            ] {
                let old_table_had_it = expected[table]
                    .as_array()
                    .and_then(|rows| rows.first())
                    .is_some_and(|r| r.get(column).is_some());
                if !old_table_had_it && matches!(table, "tasks" | "quotes" | "meetings" | "weekly_reviews") {
                    if let Some(v) = obj.remove(column) {
                        assert_eq!(v, default, "{table}.{column} after the upgrade");
                    }
                }
            }
        }
        assert_eq!(
            got[table], expected[table],
            "{table} changed in the upgrade of {fixture}"
        );
    }
    assert_eq!(count(&d.db, "PRAGMA user_version"), LATEST_VERSION as i64);
    // Counters became events, one per nudge and per clarification, none lost.
    let counted = count(
        &d.db,
        "SELECT (SELECT sum(clarifications) FROM tasks) + (SELECT sum(nudges) FROM requests)
              + (SELECT sum(nudges) FROM quotes)",
    );
    assert_eq!(counted, 3, "the fixtures' one nudge and two clarifications");
    assert_eq!(count(&d.db, "SELECT count(*) FROM counter_events"), counted);
    d.ok(&["doctor"]);
    // The upgraded store works, and a deleted record's id is never given out again.
    let id = d.ok(&["task", "add", "Bloom Florist", "After the upgrade"]);
    let max: i64 = count(&d.db, "SELECT max(id) FROM tasks");
    assert_eq!(id.trim(), max.to_string());
}

#[test]
fn the_v1_fixture_opens_with_every_record_intact() {
    upgrade_keeps_every_record("tests/fixtures/v1.db");
}

#[test]
fn the_v2_fixture_opens_with_every_record_intact() {
    upgrade_keeps_every_record("tests/fixtures/v2.db");
}

#[test]
fn a_failing_migration_rolls_back_and_leaves_the_file_as_it_was() {
    let d = Desk::new();
    {
        // A vadesk file at schema 0 whose first migration cannot apply (a table is in the way).
        let c = rusqlite::Connection::open(&d.db).unwrap();
        c.execute_batch(&format!(
            "PRAGMA journal_mode = WAL; PRAGMA application_id = {}; CREATE TABLE tasks(x); INSERT INTO tasks VALUES (1);",
            vadesk::store::APP_ID
        ))
        .unwrap();
        c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    }
    let bytes = std::fs::read(&d.db).unwrap();
    let (_, err) = d.fails(&["client", "list"]);
    assert!(err.contains("could not upgrade"), "{err}");
    assert_eq!(std::fs::read(&d.db).unwrap(), bytes);
    assert_eq!(count(&d.db, "SELECT count(*) FROM tasks"), 1);
    assert_eq!(count(&d.db, "PRAGMA user_version"), 0);
}

#[test]
fn a_backup_taken_during_writes_is_consistent_and_restores() {
    let d = Desk::new();
    d.ok(&["demo"]);
    let writer = {
        let db = d.db.clone();
        let dir = d.dir.path().to_path_buf();
        std::thread::spawn(move || {
            for i in 0..60 {
                let ok = Command::new(env!("CARGO_BIN_EXE_vadesk"))
                    .env_clear()
                    .env("VADESK_DB", &db)
                    .env("HOME", &dir)
                    .args(["task", "add", "Bloom Florist", &format!("during backup {i}")])
                    .output()
                    .unwrap()
                    .status
                    .success();
                assert!(ok);
            }
        })
    };
    let mut copies = Vec::new();
    for i in 0..5 {
        let copy = d.dir.path().join(format!("copy{i}.db"));
        d.ok(&["backup", copy.to_str().unwrap()]);
        copies.push(copy);
        std::thread::sleep(Duration::from_millis(30));
    }
    writer.join().unwrap();
    let total = count(&d.db, "SELECT count(*) FROM tasks");
    for copy in copies {
        assert_eq!(integrity(&copy), "ok");
        let n = count(&copy, "SELECT count(*) FROM tasks");
        assert!((13..=total).contains(&n), "{n} tasks in a copy");
        // Restoring (README: use the copy as the store) gives back every record it holds.
        let restored = Desk {
            dir: tempfile::tempdir().unwrap(),
            db: copy.clone(),
            now: d.now.clone(),
        };
        let tasks = restored.json(&["task", "list", "--json"]);
        assert_eq!(tasks.as_array().unwrap().len() as i64, n);
        restored.ok(&["doctor"]);
    }
}

/// A store written by the last release before counters became events and counts and month
/// sums were kept (schema 9, `tests/fixtures/v9.db`: the demo with nudges, clarifications and
/// tracked time, made by that release with `VADESK_NOW=2026-11-23 09:00`). The upgrade keeps
/// every record, and the program answers exactly what that release answered: the same client
/// list (counts and scores, now from kept tallies), the same statements (now from kept month
/// sums) and the same review.
#[test]
fn the_v9_fixture_upgrades_and_answers_what_it_answered_before() {
    let d = Desk::new();
    std::fs::copy("tests/fixtures/v9.db", &d.db).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&d.db, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(format!("tests/fixtures/{name}")).unwrap()).unwrap()
    };
    let before = read("v9.json");
    let mut after = d.snapshot();
    // Columns added after that release arrive empty.
    for task in after["tasks"].as_array_mut().unwrap() {
        let seen = task.as_object_mut().unwrap().remove("tool_seen");
        assert_eq!(seen, Some(serde_json::Value::Null), "tasks.tool_seen after the upgrade");
    }
    // No entry of the fixture was billed: none has minutes as invoiced.
    for entry in after["time_entries"].as_array_mut().unwrap() {
        let invoiced = entry.as_object_mut().unwrap().remove("billed_min");
        assert_eq!(
            invoiced,
            Some(serde_json::Value::Null),
            "time_entries.billed_min after the upgrade"
        );
    }
    for (table, rows) in before.as_object().unwrap() {
        if rows.is_array() {
            assert_eq!(&after[table.as_str()], rows, "{table} changed in the upgrade of v9");
        }
    }
    assert_eq!(count(&d.db, "PRAGMA user_version"), LATEST_VERSION as i64);
    // Every nudge and clarification became an event of its own.
    let counted = count(
        &d.db,
        "SELECT (SELECT sum(clarifications) FROM tasks) + (SELECT sum(nudges) FROM requests)
              + (SELECT sum(nudges) FROM quotes)",
    );
    assert!(counted >= 4, "the fixture holds nudges and clarifications: {counted}");
    assert_eq!(count(&d.db, "SELECT count(*) FROM counter_events"), counted);

    // The clients pane's numbers: the same counts, the same scores (to their printed cents).
    let clients = d.json(&["client", "list", "--json"]);
    let old_clients = read("v9-clients.json");
    let by_uuid = |v: &serde_json::Value| -> std::collections::BTreeMap<String, serde_json::Value> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| (c["uuid"].as_str().unwrap().to_string(), c.clone()))
            .collect()
    };
    let (new, old) = (by_uuid(&clients), by_uuid(&old_clients));
    assert_eq!(new.len(), old.len());
    for (uuid, o) in &old {
        let n = &new[uuid];
        for field in ["name", "open_tasks", "waiting_tasks", "verdict", "month_minutes"] {
            assert_eq!(n.get(field), o.get(field), "{field} of {}", o["name"]);
        }
        let (ns, os) = (n["score"].as_f64().unwrap(), o["score"].as_f64().unwrap());
        assert!((ns - os).abs() < 0.01, "score of {}: {ns} against {os}", o["name"]);
    }
    // Statements of this month and the last, for every client, to the cent.
    for month in ["2026-11", "2026-10"] {
        let mut now = d.json(&["statement", "--all", "--month", month, "--json"]);
        // A field added since (schema step 23): the day a month's terms were kept, for the
        // months billed before the upgrade.
        for c in now["clients"].as_array_mut().unwrap() {
            let on = c.as_object_mut().unwrap().remove("terms_billed_on").expect("the field");
            let billed: i64 = count(
                &d.db,
                &format!(
                    "SELECT count(*) FROM time_entries e JOIN clients c ON c.id = e.client_id
                     WHERE c.name = '{}' AND e.billed_on IS NOT NULL AND substr(e.start, 1, 7) = '{month}'",
                    c["client"].as_str().unwrap().replace('\'', "''")
                ),
            );
            assert_eq!(on.is_null(), billed == 0, "{c}: {on}");
        }
        assert_eq!(
            now,
            read(&format!("v9-statement-{month}.json")),
            "statement --all {month}"
        );
    }
    assert_eq!(d.json(&["review", "--json"]), read("v9-review.json"));
    d.ok(&["doctor"]);
}

/// `doctor` on a store too damaged to open still reports: SQLite's own finding on the file
/// and what to do (it only pointed back to itself).
#[test]
fn doctor_reports_on_a_store_that_does_not_open() {
    let d = common::Desk::new();
    d.ok(&["demo"]);
    let f = std::fs::OpenOptions::new().write(true).open(&d.db).unwrap();
    f.set_len(4096).unwrap();
    drop(f);
    let out = d.cmd().arg("doctor").output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}{err}");
    assert!(
        said.contains("BAD  integrity      SQLite cannot read the file: database disk image is malformed"),
        "{said}"
    );
    assert!(said.contains("restore a copy made with `vadesk backup`"), "{said}");
    assert!(!err.contains("vadesk doctor tells more"), "{err}");
    // Not a database at all.
    std::fs::write(&d.db, "garbage ".repeat(200)).unwrap();
    let out = d.cmd().args(["--lang", "es", "doctor"]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("SQLite no puede leer el archivo"), "{said}");
}

/// `doctor` names the config file in use: the one `--config` gives, else the default place.
#[test]
fn doctor_names_the_config_file_given() {
    let d = Desk::new();
    d.ok(&["client", "add", "Ana"]);
    let given = d.dir.path().join("elsewhere.toml");
    std::fs::write(&given, "tick_seconds = 30\n").unwrap();
    let out = d.ok(&["--config", given.to_str().unwrap(), "doctor"]);
    assert!(out.contains(&format!("Config: {}", given.display())), "{out}");
    let out = d.ok(&["doctor"]);
    let default = d.dir.path().join("config").join("vadesk").join("config.toml");
    assert!(out.contains(&format!("Config: {}", default.display())), "{out}");
}

/// Each command leaves the store's `-wal` and `-shm` in place for the next one, the WAL empty:
/// what the command wrote is in the store file itself (a copy of that file alone holds it),
/// and the next command opens the same two files rather than making them again.
#[test]
fn commands_leave_an_empty_wal_and_the_writes_in_the_store_file() {
    let d = Desk::new();
    d.ok(&["client", "add", "Bloom Florist"]);
    let sibling = |suffix: &str| {
        let mut s = d.db.as_os_str().to_owned();
        s.push(suffix);
        std::path::PathBuf::from(s)
    };
    let (wal, shm) = (sibling("-wal"), sibling("-shm"));
    assert_eq!(std::fs::metadata(&wal).expect("the -wal is kept").len(), 0);
    assert!(shm.exists(), "the -shm is kept");
    // The store file alone, copied away from its companions, holds the write.
    let copy = d.dir.path().join("alone.db");
    std::fs::copy(&d.db, &copy).unwrap();
    let c = rusqlite::Connection::open(&copy).unwrap();
    let n: i64 = c
        .query_row("SELECT count(*) FROM clients WHERE name = 'Bloom Florist'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(n, 1);
    drop(c);
    // The next command opens the same files (same inodes), and finds the client.
    use std::os::unix::fs::MetadataExt;
    let inodes = |p: &std::path::Path| std::fs::metadata(p).unwrap().ino();
    let before = (inodes(&wal), inodes(&shm));
    assert!(d.ok(&["client", "list"]).contains("Bloom Florist"));
    d.ok(&["task", "add", "Bloom Florist", "Spring flyer"]);
    assert_eq!((inodes(&wal), inodes(&shm)), before);
    assert_eq!(std::fs::metadata(&wal).unwrap().len(), 0);
}

/// A backup finishes while another connection writes without a pause: made of many steps, it
/// started again at each write between two steps and never ended (a read-only store, whose
/// shared memory looks changed at every step, did the same). The copy is one consistent state.
#[test]
fn a_backup_ends_under_a_steady_writer() {
    let d = Desk::new();
    d.ok(&["demo"]);
    {
        // Enough pages for many steps of the old copy.
        let c = rusqlite::Connection::open(&d.db).unwrap();
        c.execute_batch(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000)
             INSERT INTO meta(key, value) SELECT 'bulk:' || i, printf('%.400c', 'x') FROM n;",
        )
        .unwrap();
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (db, stop) = (d.db.clone(), stop.clone());
        std::thread::spawn(move || {
            let c = rusqlite::Connection::open(&db).unwrap();
            c.busy_timeout(Duration::from_secs(5)).unwrap();
            let mut n = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                c.execute(
                    "INSERT OR REPLACE INTO meta(key, value) VALUES ('steady', ?1)",
                    [n.to_string()],
                )
                .unwrap();
                n += 1;
            }
            n
        })
    };
    let copy = d.dir.path().join("copy.db");
    let (tx, rx) = std::sync::mpsc::channel();
    {
        let (db, copy) = (d.db.clone(), copy.clone());
        std::thread::spawn(move || {
            let store = Store::open(&db).unwrap();
            tx.send(store.backup(&copy).map_err(|e| e.to_string())).unwrap();
        });
    }
    let done = rx.recv_timeout(Duration::from_secs(60));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let writes = writer.join().unwrap();
    done.expect("the backup ended").unwrap();
    assert!(writes > 0);
    let c = rusqlite::Connection::open(&copy).unwrap();
    let ok: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
    let bulk: i64 = c
        .query_row("SELECT count(*) FROM meta WHERE key LIKE 'bulk:%'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(bulk, 4000);
}

/// A store file with another name (a hard link) is refused under either name: SQLite kept a
/// journal per name, and writes confirmed through one name were lost when the other's journal
/// was applied. Nothing changes; with the other name gone the store opens again.
#[test]
fn a_store_with_two_names_is_refused_until_it_has_one() {
    let d = Desk::new();
    d.ok(&["client", "add", "Bloom Florist"]);
    let other = d.dir.path().join("other-name.db");
    std::fs::hard_link(&d.db, &other).unwrap();
    let bytes = std::fs::read(&d.db).unwrap();
    for db in [d.db.clone(), other.clone()] {
        let out = cmd(&d, &["--db", db.to_str().unwrap(), "client", "add", "Nova"])
            .output()
            .unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("has 2 names (hard links)"), "{err}");
        assert!(err.contains("nothing was changed"), "{err}");
    }
    assert_eq!(std::fs::read(&d.db).unwrap(), bytes);
    std::fs::remove_file(&other).unwrap();
    d.ok(&["client", "add", "Nova"]);
    assert!(d.ok(&["client", "list"]).contains("Nova"));
}

/// `doctor` on another program's database in WAL mode reports it and leaves nothing beside it:
/// its read-only look created a `-wal` and a `-shm` there and left them.
#[test]
fn doctor_on_another_program_s_database_leaves_no_files_beside_it() {
    let d = Desk::new();
    {
        let c = rusqlite::Connection::open(&d.db).unwrap();
        c.execute_batch(
            "PRAGMA journal_mode = WAL; CREATE TABLE notes(x); INSERT INTO notes VALUES ('mine');
             PRAGMA wal_checkpoint(TRUNCATE);",
        )
        .unwrap();
    }
    let sibling = |suffix: &str| {
        let mut s = d.db.as_os_str().to_owned();
        s.push(suffix);
        std::path::PathBuf::from(s)
    };
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(sibling(suffix));
    }
    let bytes = std::fs::read(&d.db).unwrap();
    let out = cmd(&d, &["doctor"]).output().unwrap();
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("not a vadesk"), "{said}");
    assert_eq!(std::fs::read(&d.db).unwrap(), bytes);
    for suffix in ["-wal", "-shm"] {
        assert!(!sibling(suffix).exists(), "doctor left {suffix}: {said}");
    }
}

/// A store being filled by a Taskwarrior import writes through a rollback journal while it is
/// empty; a command started then waits its turn, as for any writer. It was told at once that
/// the store is busy: setting its journal back to the WAL is answered "busy" without a wait.
#[test]
fn a_command_started_during_an_import_into_an_empty_store_waits_its_turn() {
    let d = Desk::new();
    d.ok(&["client", "add", "Acme"]);
    // The import's state: the store in rollback journaling, a write transaction open.
    let store = vadesk::Store::open(&d.db).unwrap();
    let writer = store.conn();
    let mode: String = writer
        .query_row("PRAGMA journal_mode=DELETE", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "delete");
    writer
        .execute_batch("BEGIN IMMEDIATE; UPDATE clients SET notes = 'imported' WHERE name = 'Acme';")
        .unwrap();
    let other = cmd(&d, &["client", "show", "Acme"]).spawn().unwrap();
    std::thread::sleep(Duration::from_millis(400));
    writer.execute_batch("COMMIT; PRAGMA journal_mode=WAL;").unwrap();
    drop(store);
    let out = other.wait_with_output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("imported"),
        "it read the store after the import: {stdout}"
    );
}

/// Programs opening a store that does not exist yet, all at once, each wait their turn: the
/// store is made once and every one of them works on it. Most failed ("table clients already
/// exists", "no such column", "it already exists", "not a vadesk database"): each ran the steps
/// that make the store, a file made meanwhile by another was refused, and one read the store
/// between the first writes of the program making it.
#[test]
fn programs_opening_a_new_store_at_once_all_work() {
    for _ in 0..10 {
        let d = Desk::new();
        let children: Vec<_> = (0..4)
            .map(|i| {
                let args = if i % 2 == 0 {
                    vec!["client", "list"]
                } else {
                    vec!["review"]
                };
                cmd(&d, &args).spawn().unwrap()
            })
            .collect();
        for c in children {
            let out = c.wait_with_output().unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        }
        assert_eq!(count(&d.db, "PRAGMA user_version"), LATEST_VERSION as i64);
        d.ok(&["doctor"]);
    }
}

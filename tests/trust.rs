//! SPEC 9, "nothing confirmed is ever lost": each test reproduces a way data was lost or a
//! store broken on the first wave, with a real second process where the finding needed one.

mod common;

use chrono::NaiveDate;
use common::pty::Screen;
use common::Desk;
use vadesk::domain::{FlagKind, RequestKind, TaskStatus};
use vadesk::store::{ClientFields, TaskFields};
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

fn titled(title: &str) -> TaskFields {
    TaskFields {
        title: Some(title.into()),
        ..Default::default()
    }
}

fn integrity(db: &std::path::Path) -> String {
    let c = rusqlite::Connection::open(db).unwrap();
    c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap()
}

/// Finding 1: the desk's tick thread opened the store file outside SQLite, which dropped the
/// process's locks; another program opening and closing the store then deleted the WAL under
/// the running desk, and a confirmed write disappeared.
#[test]
fn another_program_opening_the_store_while_the_desk_runs_loses_nothing() {
    let d = Desk::new();
    d.ok(&["demo"]);
    let mut desk = Screen::open(&d, &["--tick", "1"], 100, 30);
    desk.wait_for("Bloom Florist");
    // The tick thread has opened its own connection by the time the first tick reports.
    desk.wait_for("late material");
    let wal = d.db.with_extension("db-wal");
    for round in 0..5 {
        // What the sqlite3 shell or a script does: open, read, close (many times, as the tick
        // and the desk take and release their own locks meanwhile).
        for _ in 0..40 {
            let other = rusqlite::Connection::open(&d.db).unwrap();
            let n: i64 = other
                .query_row("SELECT count(*) FROM clients", [], |r| r.get(0))
                .unwrap();
            assert!(n > 0);
            drop(other);
            assert!(
                wal.exists(),
                "round {round}: the WAL was deleted under the running desk"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let id = d.id(&["task", "add", "Bloom Florist", &format!("confirmed {round}")]);
        // The desk sees the confirmed write, and so does a fresh process.
        let listed = d.json(&["task", "list", "--json"]);
        let ids: Vec<i64> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_i64().unwrap())
            .collect();
        assert!(ids.contains(&id), "task {id} lost");
    }
    // The desk writes through its connection too: add a client from the keyboard.
    desk.send("1");
    desk.send("a");
    desk.wait_for("New client");
    desk.send("Typed at the desk");
    desk.send("\r");
    desk.wait_for("Typed at the desk");
    desk.send("q");
    desk.exit();
    assert_eq!(integrity(&d.db), "ok");
    assert!(d.ok(&["client", "list"]).contains("Typed at the desk"));
    for round in 0..5 {
        assert!(d.ok(&["task", "list"]).contains(&format!("confirmed {round}")));
    }
}

/// Finding 2: undoing a desk edit reverted a `task done` made from the command line since.
#[test]
fn undo_refuses_to_overwrite_a_change_made_elsewhere_and_keeps_the_step() {
    let d = Desk::new();
    let c = d.id(&["client", "add", "Bloom Florist"]);
    let t = d.id(&["task", "add", "Bloom Florist", "Newsletter"]);
    let mut desk = Store::open(&d.db).unwrap();
    desk.enable_undo().unwrap();
    desk.edit_task(t, titled("Newsletter (Dec)")).unwrap();
    // Meanwhile, another process marks the task done.
    d.ok(&["task", "done", &t.to_string()]);
    let err = desk.undo().unwrap_err().to_string();
    assert!(err.contains("task") && err.contains("changed since"), "{err}");
    let task = desk.task(t).unwrap();
    assert_eq!(task.status, TaskStatus::Done, "the other process's change survives");
    assert_eq!(task.title, "Newsletter (Dec)", "nothing was undone");
    // The step stays on the stack.
    assert!(desk.undo_label().unwrap().unwrap().contains("Newsletter"));
    let _ = c;
}

/// A refused undo names a time entry as one ("time entry 1 changed since"), not "record 1".
#[test]
fn an_undo_refused_over_time_changed_elsewhere_names_the_time_entry() {
    let d = Desk::new();
    d.id(&["client", "add", "Bloom Florist"]);
    let mut desk = Store::open(&d.db).unwrap();
    desk.enable_undo().unwrap();
    let start = today().and_hms_opt(9, 0, 0).unwrap();
    let e = desk.log_time(Some(1), None, start, 45, true, "").unwrap();
    d.ok(&[
        "--now",
        "2026-11-23 12:00",
        "time",
        "edit",
        &e.to_string(),
        "--minutes",
        "50m",
    ]);
    let err = desk.undo().unwrap_err().to_string();
    assert!(err.contains(&format!("time entry {e}")), "{err}");
    assert!(!err.contains("record"), "{err}");
    assert_eq!(desk.time_entry(e).unwrap().minutes, Some(50));
}

/// Finding 2: undoing "add client" deleted the tasks the command line added to it since.
#[test]
fn undoing_a_creation_others_now_depend_on_is_refused() {
    let d = Desk::new();
    let mut desk = Store::open(&d.db).unwrap();
    desk.enable_undo().unwrap();
    let c = desk.add_client(named("Casa Lumen"), today()).unwrap();
    let t = d.id(&["task", "add", "Casa Lumen", "Carousel"]);
    let err = desk.undo().unwrap_err().to_string();
    assert!(err.contains("depend"), "{err}");
    assert!(desk.client(c).is_ok());
    assert!(desk.task(t).is_ok(), "the other process's task survives");
    // Once the dependent record is gone, the undo goes through.
    d.ok(&["task", "cancel", &t.to_string()]);
    let other = Store::open(&d.db).unwrap();
    other.conn().execute("DELETE FROM tasks WHERE id = ?1", [t]).unwrap();
    drop(other);
    desk.undo().unwrap();
    assert!(desk.client(c).is_err());
}

/// SPEC 9: `U` redoes what `u` undid, until the next change; the stack keeps 1,000 steps.
/// Deleting a client whose task has time logged, undone and redone: the step took the time
/// entry's task away (its task deleted) and then the entry (its client deleted); redo deletes
/// the entry before the task it still points at, and undo puts all of it back.
#[test]
fn a_deleted_client_with_logged_time_is_undone_and_redone() {
    let d = Desk::new();
    let mut s = Store::open(&d.db).unwrap();
    s.enable_undo().unwrap();
    let c = s.add_client(named("Ana"), today()).unwrap();
    let t = s.add_task(c, titled("Logo"), today()).unwrap();
    let start = today().and_hms_opt(9, 0, 0).unwrap();
    let e = s.log_time(None, Some(t), start, 90, true, "").unwrap();
    s.delete_client(c).unwrap();
    assert!(s.task(t).is_err());
    s.undo().unwrap();
    assert_eq!(s.task(t).unwrap().client_id, c);
    assert_eq!(s.time_entry(e).unwrap().task, Some(t));
    s.redo().unwrap();
    assert!(s.task(t).is_err() && s.time_entry(e).is_err() && s.client(c).is_err());
    s.undo().unwrap();
    assert_eq!(s.time_entry(e).unwrap().minutes, Some(90));
    assert_eq!(s.client(c).unwrap().name, "Ana");
    assert!(integrity(&d.db).contains("ok"), "{}", integrity(&d.db));
}

/// An automatic flag of scattered channels goes with the task that brought its third channel
/// when that task is deleted (entered by mistake); with a fourth channel it stays; undoing the
/// deletion brings the task and its flag back, and the next pass does not raise it again.
#[test]
fn a_scattered_channels_flag_goes_with_the_task_that_raised_it() {
    use vadesk::domain::ChannelKind;
    let d = Desk::new();
    let mut s = Store::open(&d.db).unwrap();
    s.enable_undo().unwrap();
    let c = s.add_client(named("Ana"), today() - chrono::Duration::days(5)).unwrap();
    let other = s.add_client(named("Bea"), today() - chrono::Duration::days(5)).unwrap();
    let via = |k: ChannelKind, title: &str| TaskFields {
        title: Some(title.into()),
        via: Some(Some(k)),
        ..Default::default()
    };
    let ago = |n: i64| today() - chrono::Duration::days(n);
    for client in [c, other] {
        s.add_task(client, via(ChannelKind::Email, "brief"), ago(2)).unwrap();
        s.add_task(client, via(ChannelKind::Whatsapp, "photos"), ago(1))
            .unwrap();
    }
    let third = s.add_task(c, via(ChannelKind::Phone, "call"), today()).unwrap();
    let others_third = s.add_task(other, via(ChannelKind::Slack, "ping"), today()).unwrap();
    s.detect(today(), None).unwrap();
    let channels = |s: &Store, client: i64| {
        s.list_flags(Some(client))
            .unwrap()
            .into_iter()
            .filter(|f| f.kind == FlagKind::ScatteredChannels)
            .count()
    };
    assert_eq!((channels(&s, c), channels(&s, other)), (1, 1));
    s.delete_task(third).unwrap();
    assert_eq!(channels(&s, c), 0, "two channels left: no flag");
    assert_eq!(channels(&s, other), 1, "another client's flag stays");
    s.detect(today(), None).unwrap();
    assert_eq!(channels(&s, c), 0, "not raised again");
    s.undo().unwrap();
    assert_eq!(s.task(third).unwrap().title, "call");
    assert_eq!(channels(&s, c), 1, "undo brings the flag back with its task");
    // Four channels: deleting one leaves three, and the flag.
    s.add_task(c, via(ChannelKind::Slack, "thread"), today()).unwrap();
    s.delete_task(third).unwrap();
    assert_eq!(channels(&s, c), 1);
    // A task without a channel changes nothing.
    let plain = s.add_task(c, titled("admin"), today()).unwrap();
    s.delete_task(plain).unwrap();
    assert_eq!(channels(&s, c), 1);
    s.delete_task(others_third).unwrap();
    assert_eq!(channels(&s, other), 0);
}

/// Undoing a client's deletion after another process gave its name to a new client: the
/// refusal names the client that has the name now (it was SQLite's "UNIQUE constraint failed",
/// pointing at `doctor`), nothing changes, and once that client is renamed the undo goes
/// through.
#[test]
fn undoing_a_deletion_whose_name_was_taken_since_says_so() {
    let d = Desk::new();
    let mut desk = Store::open(&d.db).unwrap();
    desk.enable_undo().unwrap();
    let c = desk.add_client(named("Acme"), today()).unwrap();
    desk.delete_client(c).unwrap();
    let other = d.id(&["client", "add", "acme"]);
    let err = desk.undo().unwrap_err();
    let text = err.to_string();
    assert!(text.contains("a client called 'Acme' exists now"), "{text}");
    assert!(!text.contains("UNIQUE") && !text.contains("doctor"), "{text}");
    assert!(desk.client(c).is_err(), "nothing came back");
    assert_eq!(
        desk.client(other).unwrap().name,
        "acme",
        "the other client is untouched"
    );
    let es = err.localized(vadesk::i18n::Lang::Es);
    assert!(
        es.contains(": ahora existe un cliente llamado «Acme»; cámbiale el nombre o bórralo antes"),
        "{es}"
    );
    d.ok(&["client", "edit", "acme", "--name", "Acme (new)"]);
    desk.undo().unwrap();
    assert_eq!(desk.client(c).unwrap().name, "Acme");
    assert!(integrity(&d.db).contains("ok"));
}

/// Undoing a deletion after the same record came back (here an import of an export taken
/// before; a sync restores the same way) says so: it was "a client called 'Acme' exists now",
/// as if another had taken the name. Nothing changes.
#[test]
fn undoing_a_deletion_whose_record_is_back_says_it_is_the_same() {
    let d = Desk::new();
    let mut desk = Store::open(&d.db).unwrap();
    desk.enable_undo().unwrap();
    let c = desk.add_client(named("Acme"), today()).unwrap();
    let saved = d.dir.path().join("saved.json");
    d.ok(&["export", "--out", saved.to_str().unwrap()]);
    desk.delete_client(c).unwrap();
    d.ok(&["import", "--merge", saved.to_str().unwrap()]);
    let before = d.snapshot();
    let err = desk.undo().unwrap_err();
    let text = err.to_string();
    assert!(text.contains("is back already, the same record"), "{text}");
    assert!(!text.contains("exists now") && !text.contains("clash"), "{text}");
    let es = err.localized(vadesk::i18n::Lang::Es);
    assert!(es.contains("ya ha vuelto, el mismo registro"), "{es}");
    assert_eq!(d.snapshot(), before, "nothing changed");
}

#[test]
fn redo_replays_undone_steps_until_the_next_change() {
    let d = Desk::new();
    let mut s = Store::open(&d.db).unwrap();
    s.enable_undo().unwrap();
    let c = s.add_client(named("Ana"), today()).unwrap();
    let t = s.add_task(c, titled("Logo"), today()).unwrap();
    s.set_task_status(t, TaskStatus::Doing, today()).unwrap();
    s.undo().unwrap();
    s.undo().unwrap();
    assert!(s.task(t).is_err());
    assert!(s.redo_peek().unwrap().unwrap().label.contains("Logo"));
    s.redo().unwrap();
    assert_eq!(s.task(t).unwrap().status, TaskStatus::Todo);
    let same = s.task(t).unwrap();
    assert_eq!(same.id, t, "redo brings back the same record, same id");
    s.redo().unwrap();
    assert_eq!(s.task(t).unwrap().status, TaskStatus::Doing);
    assert!(s.redo().is_err(), "nothing left to redo");
    s.undo().unwrap();
    // A new change ends what could be redone.
    s.clarify(t, today()).unwrap();
    assert!(s.redo_peek().unwrap().is_none());
    assert!(s.redo().is_err());
    // Redo is checked like undo: a change made elsewhere in between refuses it.
    s.undo().unwrap();
    let mut other = Store::open(&d.db).unwrap();
    // (Another clarification would not block it: each one is an event of its own, and both count.)
    other.set_task_status(t, TaskStatus::Doing, today()).unwrap();
    let err = s.redo().unwrap_err().to_string();
    assert!(err.contains("changed since"), "{err}");
}

#[test]
fn the_undo_stack_keeps_the_last_thousand_steps() {
    let d = Desk::new();
    let mut s = Store::open(&d.db).unwrap();
    s.enable_undo().unwrap();
    let c = s.add_client(named("Ana"), today()).unwrap();
    let t = s.add_task(c, titled("Logo"), today()).unwrap();
    for _ in 0..1005 {
        s.clarify(t, today()).unwrap();
    }
    let steps: i64 = s
        .conn()
        .query_row("SELECT count(*) FROM undo_steps", [], |r| r.get(0))
        .unwrap();
    assert_eq!(steps, 1000);
}

/// Finding 3: ids were reused after a delete, so undo wedged on "UNIQUE constraint failed" and
/// a new request inherited an old flag's source reference (and was never flagged).
#[test]
fn ids_are_never_reused_and_a_new_late_request_is_flagged() {
    let d = Desk::new();
    let mut s = Store::open(&d.db).unwrap();
    let c = s.add_client(named("Ana"), today()).unwrap();
    let t = s.add_task(c, titled("Logo"), today()).unwrap();
    let day = |n: i64| today() - chrono::Duration::days(n);
    let r1 = s.ask(t, RequestKind::Material, "Photos", day(3), day(5)).unwrap();
    let found = s.detect(today(), None).unwrap();
    assert_eq!(found.new_flags.len(), 1);
    // The request goes (its task is deleted), a new task and request come.
    s.delete_task(t).unwrap();
    let t2 = s.add_task(c, titled("Flyer"), today()).unwrap();
    assert!(t2 > t, "task id {t} was given out again");
    let r2 = s.ask(t2, RequestKind::Material, "Texts", day(2), day(5)).unwrap();
    assert!(r2 > r1, "request id {r1} was given out again");
    let found = s.detect(today(), None).unwrap();
    assert_eq!(found.new_flags.len(), 1, "the new late request is flagged");
    // The deleted request's flag no longer counts; the new one does.
    let flags = s.list_flags(Some(c)).unwrap();
    assert_eq!(flags.len(), 1);
    assert_eq!(flags[0].kind, FlagKind::LateMaterial);
    assert_eq!(flags[0].source_ref.as_deref(), Some(format!("material:{r2}").as_str()));
}

/// SPEC 9: two processes that derive the same automatic flag derive the same uuid.
#[test]
fn automatic_flags_have_derived_uuids() {
    let d = Desk::new();
    let mut s = Store::open(&d.db).unwrap();
    let c = s.add_client(named("Ana"), today()).unwrap();
    let t = s.add_task(c, titled("Logo"), today()).unwrap();
    let day = |n: i64| today() - chrono::Duration::days(n);
    let r = s.ask(t, RequestKind::Feedback, "", day(3), day(5)).unwrap();
    s.detect(today(), None).unwrap();
    let flag = s.list_flags(Some(c)).unwrap().remove(0);
    let request_uuid = s.request(RequestKind::Feedback, r).unwrap().uuid;
    assert_eq!(
        flag.uuid,
        vadesk::domain::identity::derived(&format!("flag:feedback:{request_uuid}"))
    );
}

/// Finding 7: a refused file with a pending WAL had its WAL checkpointed and deleted.
#[test]
fn a_refused_file_and_its_wal_stay_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    for (name, setup) in [
        ("foreign.db", "PRAGMA application_id = 7;"),
        (
            "newer.db",
            "PRAGMA application_id = 1447118923; PRAGMA user_version = 999;",
        ),
    ] {
        let db = dir.path().join(name);
        let wal = dir.path().join(format!("{name}-wal"));
        {
            // A store whose writer died before any checkpoint: the data is in the WAL.
            let c = rusqlite::Connection::open(&db).unwrap();
            c.execute_batch("PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;")
                .unwrap();
            c.execute_batch(setup).unwrap();
            c.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2);")
                .unwrap();
            // Copy the files while the connection is open, as a crash would leave them.
            std::fs::copy(&db, dir.path().join("copy.db")).unwrap();
            std::fs::copy(&wal, dir.path().join("copy.db-wal")).unwrap();
        }
        std::fs::rename(dir.path().join("copy.db"), &db).unwrap();
        std::fs::rename(dir.path().join("copy.db-wal"), &wal).unwrap();
        let _ = std::fs::remove_file(dir.path().join(format!("{name}-shm")));
        let (db_bytes, wal_bytes) = (std::fs::read(&db).unwrap(), std::fs::read(&wal).unwrap());
        assert!(!wal_bytes.is_empty());
        let err = Store::open(&db).err().expect("refused").to_string();
        assert!(err.contains(name), "{err}");
        assert_eq!(std::fs::read(&db).unwrap(), db_bytes, "{name} changed");
        assert_eq!(std::fs::read(&wal).unwrap(), wal_bytes, "{name}-wal changed");
    }
}

/// A store cut short (a copy that stopped half way) is refused without a `-wal` or `-shm`
/// made beside it, by a command and by `doctor`, which still says what SQLite finds.
#[test]
fn a_store_cut_short_is_refused_and_nothing_is_made_beside_it() {
    let d = Desk::new();
    d.ok(&["demo"]);
    let full = std::fs::read(&d.db).unwrap();
    assert!(full.len() > 60_000, "the demo store is {} bytes", full.len());
    let cut = d.dir.path().join("cut.db");
    std::fs::write(&cut, &full[..50_000]).unwrap();
    let beside = |suffix: &str| d.dir.path().join(format!("cut.db{suffix}"));
    let cut_desk = common::Desk {
        db: cut.clone(),
        ..Desk::new()
    };
    let (_, err) = cut_desk.fails(&["client", "list"]);
    assert!(err.contains("damaged"), "{err}");
    let (_, err) = cut_desk.fails(&["doctor"]);
    assert!(err.contains("problems"), "{err}");
    let out = cut_desk.cmd().arg("doctor").output().unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("malformed"), "{report}");
    assert!(
        !beside("-wal").exists() && !beside("-shm").exists(),
        "files made beside a refused store"
    );
    assert_eq!(std::fs::read(&cut).unwrap(), &full[..50_000]);
}

/// How an import names a record of `table`, in English.
fn noun(table: &str) -> &'static str {
    match table {
        "clients" => "client",
        "channels" => "channel",
        "recurrences" => "repeat rule",
        "tasks" => "task",
        "requests" => "request",
        "quotes" => "quote",
        "meetings" => "meeting",
        "flags" => "red flag",
        "weekly_reviews" => "weekly review",
        "time_entries" => "time entry",
        "counter_events" => "nudge or clarification",
        other => panic!("no noun for {other}"),
    }
}

/// How an import names two records of `table`, in English.
fn nouns(table: &str) -> String {
    match table {
        "time_entries" => "time entries".into(),
        "counter_events" => "nudges or clarifications".into(),
        other => format!("{}s", noun(other)),
    }
}

/// How English counts the `n`th record of a file: 1st, 2nd, 3rd, 4th, 11th, 21st.
fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// How an import names the first record of `table` and another, in Spanish.
fn noun_es(table: &str) -> (&'static str, &'static str) {
    match table {
        "clients" => ("el cliente número", "el número"),
        "channels" => ("el canal número", "el número"),
        "recurrences" => ("la regla de repetición número", "la número"),
        "tasks" => ("la tarea número", "la número"),
        "requests" => ("la petición número", "la número"),
        "quotes" => ("el presupuesto número", "el número"),
        "meetings" => ("la reunión número", "la número"),
        "flags" => ("la bandera roja número", "la número"),
        "weekly_reviews" => ("la revisión semanal número", "la número"),
        "time_entries" => ("la entrada de tiempo número", "la número"),
        "counter_events" => ("el recordatorio o aclaración número", "el número"),
        other => panic!("no noun for {other}"),
    }
}

/// Finding 5: import stored wrong types (the desk then would not start) and raw escape
/// sequences; now every field is checked as the command line would, all or nothing.
#[test]
fn import_checks_every_field_and_imports_nothing_on_a_bad_one() {
    let src = Desk::new();
    src.ok(&["demo"]);
    let export = src.snapshot();
    let dest = Desk::new();
    let file = dest.dir.path().join("in.json");
    let cases: &[(&str, &str, serde_json::Value)] = &[
        ("clients", "rate", serde_json::json!("lots")),
        ("tasks", "clarifications", serde_json::json!(-5)),
        ("tasks", "estimate_min", serde_json::json!("1h")),
        ("flags", "dismissed", serde_json::json!("yes")),
        ("clients", "notes", serde_json::json!("x".repeat(5_000_000))),
        ("tasks", "due", serde_json::json!("2026-02-30")),
        ("quotes", "answer_by", serde_json::json!("+10000-01-07")),
        ("tasks", "client_id", serde_json::json!(999_999)),
        ("tasks", "uuid", serde_json::json!("not-a-uuid")),
        ("requests", "surprise", serde_json::json!(1)),
        // Ids past the search index's layout (a task's at 2^41 would have no place in it).
        ("tasks", "id", serde_json::json!(1_i64 << 41)),
        ("clients", "id", serde_json::json!((1_i64 << 37) + 5)),
        ("quotes", "id", serde_json::json!(1_i64 << 37)),
        ("tasks", "id", serde_json::json!((1_i64 << 36) + 1)),
    ];
    for (table, field, value) in cases {
        let mut bad = export.clone();
        bad[*table][0][*field] = value.clone();
        std::fs::write(&file, bad.to_string()).unwrap();
        let (_, err) = dest.fails(&["import", file.to_str().unwrap()]);
        assert!(
            err.contains(&format!("the 1st {}", noun(table))) && err.contains(field),
            "{table}.{field}: {err}"
        );
        assert!(
            dest.json(&["client", "list", "--json"]).as_array().unwrap().is_empty(),
            "{table}.{field}: something was imported"
        );
    }
    // A table this version does not know (a newer version's export) refuses the file.
    let mut newer = export.clone();
    newer["invoices"] = serde_json::json!([{"id": 1}]);
    std::fs::write(&file, newer.to_string()).unwrap();
    let (_, err) = dest.fails(&["import", file.to_str().unwrap()]);
    assert!(
        err.contains("'invoices'") && err.contains("nothing was imported"),
        "{err}"
    );
    assert!(dest.json(&["client", "list", "--json"]).as_array().unwrap().is_empty());
    // A key given twice in one record says two things of one field: refused, not the last.
    let text = export.to_string();
    let twice = text.replacen("\"name\":", "\"name\":\"Other\",\"name\":", 1);
    assert_ne!(twice, text);
    std::fs::write(&file, twice).unwrap();
    let (_, err) = dest.fails(&["import", file.to_str().unwrap()]);
    assert!(err.contains("\"name\" is given twice"), "{err}");
    assert!(dest.json(&["client", "list", "--json"]).as_array().unwrap().is_empty());
    // Text is cleaned as if typed: no escape sequence reaches the store.
    let mut hostile = export.clone();
    hostile["clients"][0]["notes"] = serde_json::json!("\u{1b}]0;PWNED\u{7} call after 10\u{202e}");
    std::fs::write(&file, hostile.to_string()).unwrap();
    dest.ok(&["import", file.to_str().unwrap()]);
    let stored = dest.snapshot();
    let notes = stored["clients"][0]["notes"].as_str().unwrap();
    assert!(!notes.contains('\u{1b}') && !notes.contains('\u{7}') && !notes.contains('\u{202e}'));
    assert!(notes.contains("call after 10"));
}

/// An import is as strict as the command line between the fields of one record too: nothing
/// expected, received or answered before it was asked for or sent, minutes late only on a late
/// attendance, time on a task only on that task's client. Each is refused whole, into an empty
/// store or merged, naming the record and the field; the export itself still goes in.
#[test]
fn import_refuses_fields_the_command_line_would_not_put_together() {
    let src = Desk::new();
    src.ok(&["demo"]);
    let export = src.snapshot();
    let file = src.dir.path().join("in.json");
    use serde_json::json;
    // (table, row, changes, the field named)
    let cases: Vec<(&str, usize, serde_json::Value, &str)> = vec![
        ("requests", 0, json!({"expected_by": "2026-09-20"}), "expected_by"),
        ("requests", 0, json!({"received_on": "2026-09-01"}), "received_on"),
        ("requests", 0, json!({"what": ""}), "what"),
        ("quotes", 0, json!({"answer_by": "2026-11-10"}), "answer_by"),
        (
            "quotes",
            0,
            json!({"status": "accepted", "answered_on": "2026-11-13"}),
            "answered_on",
        ),
        ("meetings", 2, json!({"late_minutes": 5}), "late_minutes"),
        (
            "meetings",
            2,
            json!({"attendance": "late", "late_minutes": 0}),
            "late_minutes",
        ),
        ("time_entries", 0, json!({"client_id": 1}), "task_id"),
        // Honest time and billing: no flag dated ahead, nothing billed before its work, ahead,
        // or that is not billable.
        ("flags", 0, json!({"at": "2030-01-01"}), "at"),
        ("time_entries", 0, json!({"billed_on": "2027-01-01"}), "billed_on"),
        ("time_entries", 0, json!({"billed_on": "2020-01-01"}), "billed_on"),
        (
            "time_entries",
            0,
            json!({"billable": false, "billed_on": "2026-11-20"}),
            "billed_on",
        ),
        // Time is logged once worked: it ends by now (09:00), and a timer has started.
        ("time_entries", 0, json!({"start": "2027-01-01 09:00"}), "start"),
        (
            "time_entries",
            0,
            json!({"start": "2026-11-23 08:30", "minutes": 45, "billed_on": null}),
            "minutes",
        ),
        (
            "time_entries",
            0,
            json!({"start": "2026-11-23 09:30", "minutes": null, "billed_on": null}),
            "start",
        ),
        // A client is added on a day come (a retainer's fee is owed from the month it was
        // added), with a retainer and its fee together.
        ("clients", 1, json!({"created_on": "2030-01-01"}), "created_on"),
        (
            "clients",
            0,
            json!({"retainer_min": 600, "fee_cents": null}),
            "fee_cents",
        ),
        (
            "clients",
            0,
            json!({"retainer_min": null, "fee_cents": 50000}),
            "retainer_min",
        ),
        // A task is created, delivered and closed on days come, in that order.
        ("tasks", 1, json!({"created_on": "2030-01-01"}), "created_on"),
        ("tasks", 0, json!({"closed_on": "2000-01-01"}), "closed_on"),
        ("tasks", 0, json!({"delivered_on": "2026-12-01"}), "delivered_on"),
    ];
    let empty = Desk::new();
    let merged = Desk::new();
    std::fs::write(&file, export.to_string()).unwrap();
    merged.ok(&["import", file.to_str().unwrap()]);
    for (table, row, changes, field) in &cases {
        let mut bad = export.clone();
        for (k, v) in changes.as_object().unwrap() {
            bad[*table][*row][k] = v.clone();
        }
        std::fs::write(&file, bad.to_string()).unwrap();
        for (desk, merge) in [(&empty, false), (&merged, true)] {
            let before = desk.snapshot();
            let mut args = vec!["import"];
            if merge {
                args.push("--merge");
            }
            args.push(file.to_str().unwrap());
            let (_, err) = desk.fails(&args);
            let record = format!("the {} {}", ["1st", "2nd", "3rd"][*row], noun(table));
            assert!(
                err.contains(&record) && err.contains(field) && err.contains("nothing was imported"),
                "{table}.{field} (merge {merge}): {err}"
            );
            assert_eq!(
                desk.snapshot(),
                before,
                "{table}.{field} (merge {merge}) changed the store"
            );
        }
    }
    // The reason is the command line's own, in the user's language.
    let mut bad = export.clone();
    bad["requests"][0]["expected_by"] = json!("2026-09-20");
    std::fs::write(&file, bad.to_string()).unwrap();
    let (_, err) = empty.fails(&["import", file.to_str().unwrap()]);
    assert!(err.contains("is before the day it is asked"), "{err}");
    let (_, err) = empty.fails(&["--lang", "es", "import", file.to_str().unwrap()]);
    assert!(
        err.contains("expected_by") && err.contains("es anterior al día en que se pide"),
        "{err}"
    );
    // What the command line makes goes in as it is.
    std::fs::write(&file, export.to_string()).unwrap();
    empty.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(empty.snapshot(), export);
}

/// Nothing is received before it was asked for, nor a quote answered before it was sent,
/// whatever the clock says.
#[test]
fn nothing_is_received_or_answered_before_it_was_asked_or_sent() {
    let mut d = Desk::new();
    d.ok(&["client", "add", "Bloom Florist"]);
    let t = d.id(&["task", "add", "Bloom Florist", "Newsletter"]).to_string();
    let m = d.id(&["material", "ask", &t, "Photos", "--by", "+3d"]).to_string();
    let q = d.id(&["quote", "add", "Bloom Florist", "--amount", "100"]).to_string();
    d.at("2026-11-20 09:00");
    let before = d.snapshot();
    let (_, err) = d.fails(&["material", "got", &m]);
    assert!(err.contains("before the day it was asked for"), "{err}");
    let (_, err) = d.fails(&["quote", "accepted", &q]);
    assert!(err.contains("before the day the quote was sent"), "{err}");
    assert_eq!(d.snapshot(), before);
    d.at("2026-11-23 10:00");
    d.ok(&["material", "got", &m]);
    d.ok(&["quote", "accepted", &q]);
}

/// The largest id an import keeps is still a record of its own in the search index, and the
/// records added after it too.
#[test]
fn an_import_keeps_ids_up_to_the_largest_the_search_index_holds() {
    let src = Desk::new();
    src.ok(&["demo"]);
    let mut export = src.snapshot();
    let top: i64 = 1 << 36;
    let quote = export["quotes"][0]["id"].as_i64().unwrap();
    export["quotes"][0]["id"] = serde_json::json!(top);
    export["quotes"][0]["description"] = serde_json::json!("Walrus mailing");
    for row in export["flags"].as_array_mut().unwrap() {
        if row["source_ref"].as_str() == Some(&format!("quote:{quote}")) {
            row["source_ref"] = serde_json::json!(format!("quote:{top}"));
        }
    }
    for row in export["counter_events"].as_array_mut().unwrap() {
        if row["quote_id"].as_i64() == Some(quote) {
            row["quote_id"] = serde_json::json!(top);
        }
    }
    let old = export["tasks"][0]["id"].as_i64().unwrap();
    export["tasks"][0]["id"] = serde_json::json!(top);
    export["tasks"][0]["title"] = serde_json::json!("Zebra brochure");
    for table in ["requests", "time_entries", "counter_events"] {
        for row in export[table].as_array_mut().unwrap() {
            if row["task_id"].as_i64() == Some(old) {
                row["task_id"] = serde_json::json!(top);
            }
        }
    }
    let dest = Desk::new();
    let file = dest.dir.path().join("in.json");
    std::fs::write(&file, export.to_string()).unwrap();
    dest.ok(&["import", file.to_str().unwrap()]);
    let found = dest.json(&["search", "zebra", "--json"]);
    assert_eq!(found["items"].as_array().unwrap().len(), 1, "{found}");
    assert_eq!(found["items"][0]["kind"], "task");
    assert_eq!(found["items"][0]["id"], top);
    let client = export["clients"][0]["name"].as_str().unwrap().to_string();
    let next = dest.id(&["task", "add", &client, "Quokka newsletter"]);
    assert_eq!(next, top + 1);
    let found = dest.json(&["search", "quokka", "--json"]);
    assert_eq!(found["items"][0]["kind"], "task", "{found}");
    assert_eq!(found["items"][0]["id"], next);
    let found = dest.json(&["search", "walrus", "--json"]);
    assert_eq!(found["items"][0]["kind"], "quote", "{found}");
    assert_eq!(found["items"][0]["id"], top);
    let next = dest.id(&["quote", "add", &client, "--amount", "10"]);
    assert_eq!(next, top + 1);
    // Its row of the index is a quote's, below the tasks' range.
    let conn = rusqlite::Connection::open(&dest.db).unwrap();
    let rowid: i64 = conn
        .query_row("SELECT rowid FROM search WHERE rowid = ?1 * 8 + 5", [next], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(rowid < 1 << 40);
}

/// Finding 6: merging the same export twice duplicated channels and manual flags.
#[test]
fn merging_the_same_export_twice_changes_nothing_and_updates_changed_records() {
    let src = Desk::new();
    src.ok(&["demo"]);
    let export = src.snapshot();
    let dest = Desk::new();
    dest.ok(&["client", "add", "Someone Else"]);
    let file = dest.dir.path().join("in.json");
    std::fs::write(&file, export.to_string()).unwrap();
    dest.ok(&["import", "--merge", file.to_str().unwrap()]);
    let once = dest.snapshot();
    dest.ok(&["import", "--merge", file.to_str().unwrap()]);
    assert_eq!(dest.snapshot(), once, "a second merge changed the store");
    // A record changed in the file is updated in place, not added again.
    let mut changed = export.clone();
    let uuid = changed["tasks"][0]["uuid"].as_str().unwrap().to_string();
    changed["tasks"][0]["title"] = serde_json::json!("Renamed in the other copy");
    std::fs::write(&file, changed.to_string()).unwrap();
    dest.ok(&["import", "--merge", file.to_str().unwrap()]);
    let after = dest.snapshot();
    let same_uuid: Vec<&serde_json::Value> = after["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["uuid"] == uuid.as_str())
        .collect();
    assert_eq!(same_uuid.len(), 1);
    assert_eq!(same_uuid[0]["title"], "Renamed in the other copy");
    assert_eq!(
        after["tasks"].as_array().unwrap().len(),
        once["tasks"].as_array().unwrap().len()
    );
    // An export round-trips into an empty store with its uuids.
    let fresh = Desk::new();
    std::fs::write(&file, export.to_string()).unwrap();
    fresh.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(fresh.snapshot(), export);
}

/// Finding 11: impossible dates. Years outside 1900-2999 are refused everywhere; a flag cannot
/// be dated in the future, attendance cannot be recorded before the meeting starts, and a
/// request cannot be expected before it is asked.
/// A merge of an export made before the store's nudges: the record takes the file's other
/// fields, and its counts stay those of its events (the store's and the file's together),
/// never the file's smaller number.
#[test]
fn a_merge_of_an_older_export_keeps_the_nudges_made_since() {
    let mut d = Desk::new();
    d.ok(&["client", "add", "Acme"]);
    let task = d.id(&["task", "add", "Acme", "Brochure"]);
    let task = task.to_string();
    let material = d
        .id(&["material", "ask", &task, "Logo files", "--by", "2026-11-24"])
        .to_string();
    let file = d.dir.path().join("older.json");
    std::fs::write(&file, d.snapshot().to_string()).unwrap();
    d.ok(&["nudge", "material", &material]);
    d.at("2026-11-25 09:00").ok(&["nudge", "material", &material]);
    d.at("2026-11-26 09:00").ok(&["nudge", "material", &material]);
    let counts = |d: &Desk| {
        let s = d.snapshot();
        let r = &s["requests"][0];
        (
            r["nudges"].as_i64(),
            r["last_nudge"].as_str().map(String::from),
            s["counter_events"].as_array().map(Vec::len),
        )
    };
    assert_eq!(counts(&d), (Some(3), Some("2026-11-26".into()), Some(3)));
    d.ok(&["import", "--merge", file.to_str().unwrap()]);
    assert_eq!(
        counts(&d),
        (Some(3), Some("2026-11-26".into()), Some(3)),
        "the merge lost nudges"
    );
    // An export from before counters were events (its counts alone, no events) still brings
    // its count in as events.
    let mut old = d.snapshot();
    old["requests"][0]["nudges"] = serde_json::json!(5);
    old.as_object_mut().unwrap().remove("counter_events");
    std::fs::write(&file, old.to_string()).unwrap();
    d.ok(&["import", "--merge", file.to_str().unwrap()]);
    assert_eq!(counts(&d).0, Some(5));
    assert_eq!(counts(&d).2, Some(5));
}

#[test]
fn honest_time_and_possible_dates() {
    let d = Desk::new();
    d.ok(&["client", "add", "Bloom Florist"]);
    let t = d.id(&["task", "add", "Bloom Florist", "Newsletter"]).to_string();
    let before = d.snapshot();
    for args in [
        vec![
            "quote",
            "add",
            "Bloom Florist",
            "--amount",
            "100",
            "--sent",
            "9999-12-31",
        ],
        vec!["task", "add", "Bloom Florist", "Far", "--due", "3000-01-01"],
        vec!["task", "add", "Bloom Florist", "Old", "--due", "1899-12-31"],
        vec!["meeting", "add", "Bloom Florist", "--at", "9999-01-01 10:00"],
        vec!["flag", "add", "Bloom Florist", "other", "--at", "2026-11-24"],
        vec!["material", "ask", &t, "Photos", "--by", "2026-11-22"],
        vec!["feedback", "ask", &t, "--by", "-1d"],
    ] {
        let (code, err) = d.fails(&args);
        assert!(code == 1 || code == 2, "{args:?}: {err}");
    }
    assert_eq!(d.snapshot(), before, "a refused command changed the store");
    let (_, err) = d.fails(&["flag", "add", "Bloom Florist", "other", "--at", "+2d"]);
    assert!(err.contains("future"), "{err}");
    // Attendance: not before the meeting starts; cancelling ahead is fine.
    let m = d
        .id(&["meeting", "add", "Bloom Florist", "--at", "2026-11-23 11:00"])
        .to_string();
    let (_, err) = d.fails(&["meeting", "attended", &m, "no_show"]);
    assert!(err.contains("11:00"), "{err}");
    let later = d
        .cmd()
        .env("VADESK_NOW", "2026-11-23 11:30")
        .args(["meeting", "attended", &m, "no_show"])
        .output()
        .unwrap();
    assert!(later.status.success(), "{}", String::from_utf8_lossy(&later.stderr));
    let m2 = d
        .id(&["meeting", "add", "Bloom Florist", "--at", "2026-11-30 10:00"])
        .to_string();
    d.ok(&["meeting", "attended", &m2, "cancelled"]);
}

/// Finding 8: the demo is one transaction: whole or nothing, so a kill or a full disk can
/// never leave a partial sample that the demo then refuses to complete.
#[test]
fn the_demo_is_whole_or_nothing() {
    let d = Desk::new();
    // Killed at random moments: the store holds either no client or the whole sample.
    let mut whole = None;
    for delay_ms in [0u64, 5, 10, 20, 40, 80] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_vadesk"))
            .env_clear()
            .env("VADESK_DB", &d.db)
            .env("VADESK_NOW", &d.now)
            .env("HOME", d.dir.path())
            .arg("demo")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let clients = d.json(&["client", "list", "--json"]).as_array().unwrap().len();
        if clients == 0 {
            continue;
        }
        let count = d.json(&["task", "list", "--json"]).as_array().unwrap().len();
        whole.get_or_insert((clients, count));
        assert_eq!(
            whole,
            Some((clients, count)),
            "a partial sample after a kill at {delay_ms} ms"
        );
        break;
    }
    if whole.is_none() {
        d.ok(&["demo"]);
    }
    let full = Desk::new();
    full.ok(&["demo"]);
    assert_eq!(
        d.json(&["task", "list", "--json"]).as_array().unwrap().len(),
        full.json(&["task", "list", "--json"]).as_array().unwrap().len()
    );
}

/// Finding 12: a dangling-symlink `--db` said "File exists (os error 17)"; it is refused with a
/// message naming the link and its target, and nothing is created at either end.
#[cfg(unix)]
#[test]
fn a_dangling_symlink_store_is_refused_plainly() {
    let d = Desk::new();
    let target = d.dir.path().join("elsewhere").join("real.db");
    std::os::unix::fs::symlink(&target, &d.db).unwrap();
    let (code, err) = d.fails(&["client", "list"]);
    assert_eq!(code, 1);
    assert!(err.contains("is a link to") && err.contains("real.db"), "{err}");
    assert!(!err.contains("os error"), "{err}");
    assert!(!target.exists());
    assert!(d.db.is_symlink());
}

/// Writes `n` clients through a connection kept open, and copies the store and its WAL as a
/// crash would leave them (the data still in the WAL, no checkpoint).
fn crashed_copy(src: &Desk, names: &[&str], into: &std::path::Path) {
    let s = Store::open(&src.db).unwrap();
    s.conn().execute_batch("PRAGMA wal_autocheckpoint = 0").unwrap();
    let mut s = s;
    for n in names {
        s.add_client(named(n), today()).unwrap();
    }
    std::fs::copy(&src.db, into).unwrap();
    let mut wal = into.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::copy(src.db.with_extension("db-wal"), std::path::PathBuf::from(wal)).unwrap();
    drop(s);
}

/// Finding 7: a stale `-wal` copied from another store corrupted the file. A leftover WAL
/// that no program uses is tried on a private copy first; one from another store is refused
/// and every file stays as it was, while a crash's own WAL is applied and nothing is lost.
#[test]
fn a_wal_from_another_store_is_never_applied() {
    let dir = tempfile::tempdir().unwrap();
    // The store: two clients, checkpointed, then closed.
    let mine = Desk::new();
    {
        let mut s = Store::open(&mine.db).unwrap();
        s.add_client(named("Ana"), today()).unwrap();
        s.add_client(named("Bea"), today()).unwrap();
    }
    let store = dir.path().join("vadesk.db");
    std::fs::copy(&mine.db, &store).unwrap();
    // A WAL from another store, left beside it.
    let other = Desk::new();
    {
        Store::open(&other.db).unwrap();
    }
    let scratch = dir.path().join("other.db");
    crashed_copy(&other, &["Zoe", "Yago", "Xana"], &scratch);
    let wal = dir.path().join("vadesk.db-wal");
    std::fs::rename(dir.path().join("other.db-wal"), &wal).unwrap();
    let (db_bytes, wal_bytes) = (std::fs::read(&store).unwrap(), std::fs::read(&wal).unwrap());
    let err = Store::open(&store).err().expect("refused").to_string();
    assert!(err.contains("does not belong"), "{err}");
    assert_eq!(std::fs::read(&store).unwrap(), db_bytes);
    assert_eq!(std::fs::read(&wal).unwrap(), wal_bytes);

    // A crash's own WAL: applied, nothing lost.
    let crashed = dir.path().join("crashed.db");
    crashed_copy(&mine, &["Carla", "Dani"], &crashed);
    let s = Store::open(&crashed).unwrap();
    for name in ["Ana", "Bea", "Carla", "Dani"] {
        assert!(s.find_client(name).is_ok(), "{name} lost");
    }
}

/// A crash's WAL left beside a backup of the same store, put in the store's place, is not
/// applied: it held time logged on a task the backup does not have, and read through it the
/// backup pointed at that missing task (the same clients and a sound file passed it before).
/// The store and the WAL stay as they were.
#[test]
fn a_crash_wal_beside_a_restored_backup_is_never_applied() {
    let d = Desk::new();
    d.ok(&["demo"]);
    let backup = d.dir.path().join("backup.db");
    d.ok(&["backup", backup.to_str().unwrap()]);
    let task = d.id(&["task", "add", "Bloom Florist", "After the backup"]).to_string();
    let wal = d.db.with_extension("db-wal");
    let kept_wal = d.dir.path().join("kept-wal");
    {
        // Another program holds the store open, so the logged time stays in the WAL; the
        // files are copied as a crash of both would leave them.
        let keep = rusqlite::Connection::open(&d.db).unwrap();
        keep.query_row("SELECT count(*) FROM clients", [], |r| r.get::<_, i64>(0))
            .unwrap();
        d.ok(&["time", "log", &task, "2h", "--on", "2026-11-23 06:00"]);
        std::fs::copy(&wal, &kept_wal).unwrap();
    }
    std::fs::copy(&backup, &d.db).unwrap();
    std::fs::copy(&kept_wal, &wal).unwrap();
    let _ = std::fs::remove_file(d.db.with_extension("db-shm"));
    let (db_bytes, wal_bytes) = (std::fs::read(&d.db).unwrap(), std::fs::read(&wal).unwrap());
    assert!(!wal_bytes.is_empty());
    let (_, err) = d.fails(&["time", "list"]);
    assert!(err.contains("does not belong"), "{err}");
    assert_eq!(std::fs::read(&d.db).unwrap(), db_bytes);
    assert_eq!(std::fs::read(&wal).unwrap(), wal_bytes);
}

/// The check of a leftover WAL reads the store in place, read-only: it copies nothing into the
/// temporary directory (earlier versions made two copies of the store there, which a kill
/// during the check left behind), and it sweeps away the copies those versions left, but never
/// one whose process still runs. A folder whose name needs escaping in a URI works too.
#[test]
fn the_wal_check_copies_nothing_and_sweeps_what_older_versions_left() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    // A process that has ended, and this one, which runs.
    let mut ended = std::process::Command::new(env!("CARGO_BIN_EXE_vadesk"))
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let ended_pid = ended.id();
    ended.wait().unwrap();
    let left = tmp.join(format!("vadesk-wal-check-{ended_pid}-123"));
    let running = tmp.join(format!("vadesk-wal-check-{}-456", std::process::id()));
    for d in [&left, &running] {
        std::fs::create_dir(d).unwrap();
        std::fs::write(d.join("alone.db"), b"a copy").unwrap();
    }
    let unrelated = tmp.join("vadesk-wal-check-notes");
    std::fs::write(&unrelated, b"not ours").unwrap();

    let mine = Desk::new();
    {
        let mut s = Store::open(&mine.db).unwrap();
        s.add_client(named("Ana"), today()).unwrap();
    }
    let folder = dir.path().join("a folder ?#% ñ");
    std::fs::create_dir(&folder).unwrap();
    let crashed = folder.join("crashed.db");
    crashed_copy(&mine, &["Carla"], &crashed);
    let wal = folder.join("crashed.db-wal");
    assert!(std::fs::metadata(&wal).unwrap().len() > 0);

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vadesk"))
        .env("TMPDIR", &tmp)
        .env("VADESK_NOW", "2026-11-23 09:00")
        .arg("--db")
        .arg(&crashed)
        .args(["client", "list"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("Ana") && stdout.contains("Carla"), "{stdout}");
    assert!(!left.exists(), "a copy left by an ended process stays");
    assert!(
        running.join("alone.db").exists(),
        "a running process's copy was removed"
    );
    assert!(unrelated.exists());
    let mut now: Vec<_> = std::fs::read_dir(&tmp)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    now.sort();
    assert_eq!(now, [running.file_name().unwrap(), unrelated.file_name().unwrap()]);
}

/// A record given twice in one export (the same uuid or the same id twice in one table) was
/// imported as one: the later row replaced the earlier, whose children then hung on the wrong
/// record. The file is refused whole, naming the table, both rows and the field, in both
/// languages, with or without `--merge`, for every table of an export.
#[test]
fn an_export_holding_a_record_twice_is_refused_whole() {
    let src = Desk::new();
    src.ok(&["demo"]);
    // The demo has no recurring task: one, so every table has a row.
    src.ok(&["task", "add", "bloom", "Weekly newsletter", "--every", "fri"]);
    let export = src.snapshot();
    let tables = [
        "clients",
        "channels",
        "recurrences",
        "tasks",
        "requests",
        "quotes",
        "meetings",
        "flags",
        "weekly_reviews",
        "time_entries",
        "counter_events",
    ];
    let empty = Desk::new();
    let merged = Desk::new();
    merged.ok(&["client", "add", "Someone Else"]);
    let file = empty.dir.path().join("in.json");
    std::fs::write(&file, export.to_string()).unwrap();
    merged.ok(&["import", "--merge", file.to_str().unwrap()]);
    for table in tables {
        let rows = export[table].as_array().unwrap();
        assert!(!rows.is_empty(), "{table}: no row to give twice");
        for field in ["uuid", "id"] {
            let mut bad = export.clone();
            let list = bad[table].as_array_mut().unwrap();
            // The last row takes the first one's uuid (or id); a table of one row gets a copy
            // of it with that field the same and the other one new.
            let other = if field == "uuid" { "id" } else { "uuid" };
            if list.len() == 1 {
                let mut copy = list[0].clone();
                copy[other] = if other == "id" {
                    serde_json::json!(900_000)
                } else {
                    serde_json::json!("0b5f8a3e-6c2d-4e1f-9a7b-3c4d5e6f7a8b")
                };
                list.push(copy);
            } else {
                let first = list[0][field].clone();
                let last = list.len() - 1;
                list[last][field] = first;
            }
            let second = list.len();
            std::fs::write(&file, bad.to_string()).unwrap();
            for (desk, merge) in [(&empty, false), (&merged, true)] {
                let before = desk.snapshot();
                let mut args = vec!["import"];
                if merge {
                    args.push("--merge");
                }
                args.push(file.to_str().unwrap());
                let (_, err) = desk.fails(&args);
                assert!(
                    err.contains(&format!(
                        "the 1st and {} {} have the same {field}",
                        ordinal(second),
                        nouns(table)
                    )) && err.contains("nothing was imported"),
                    "{table}.{field} (merge {merge}): {err}"
                );
                assert_eq!(
                    desk.snapshot(),
                    before,
                    "{table}.{field} (merge {merge}) changed the store"
                );
                let mut es = vec!["--lang", "es"];
                es.extend(&args);
                let (_, err) = desk.fails(&es);
                assert!(
                    err.contains(&format!(
                        "{} 1 y {} {second} tienen el mismo {field}",
                        noun_es(table).0,
                        noun_es(table).1
                    )) && err.contains("no se ha importado nada"),
                    "{table}.{field} (merge {merge}): {err}"
                );
            }
        }
    }
    // The tester's file: task 1's uuid on a later task. Nothing is imported, so task 1's
    // requests and time cannot end up on another task.
    let mut bad = export.clone();
    let first = bad["tasks"][0]["uuid"].clone();
    bad["tasks"][3]["uuid"] = first;
    std::fs::write(&file, bad.to_string()).unwrap();
    let (_, err) = empty.fails(&["import", file.to_str().unwrap()]);
    assert!(err.contains("the 1st and 4th tasks have the same uuid"), "{err}");
    assert!(empty.json(&["task", "list", "--json"]).as_array().unwrap().is_empty());
    // Without the duplicate, the same export still goes in.
    std::fs::write(&file, export.to_string()).unwrap();
    empty.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(empty.snapshot(), export);
}

/// Undo and redo carry a month's billed terms with its billing, and with its client's deletion.
#[test]
fn a_billing_undone_takes_its_kept_terms_and_a_client_s_deletion_brings_them_back() {
    use vadesk::domain::money::Month;
    let d = Desk::new();
    let mut s = Store::open(&d.db).unwrap();
    s.enable_undo().unwrap();
    let c = s
        .add_client(
            ClientFields {
                rate: Some(Some(4000)),
                ..named("Ana")
            },
            today(),
        )
        .unwrap();
    let start = today().and_hms_opt(9, 0, 0).unwrap();
    s.log_time(Some(c), None, start, 90, true, "").unwrap();
    let month = Month::of(today());
    let kept = |s: &Store| -> i64 {
        s.conn()
            .query_row("SELECT count(*) FROM billed_terms", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(s.mark_billed(c, month, today()).unwrap(), 1);
    assert_eq!(kept(&s), 1);
    assert_eq!(s.statement(c, month).unwrap().terms_billed_on, Some(today()));
    s.undo().unwrap();
    assert_eq!((kept(&s), s.statement(c, month).unwrap().terms_billed_on), (0, None));
    s.redo().unwrap();
    assert_eq!(kept(&s), 1);
    s.delete_client(c).unwrap();
    assert_eq!(kept(&s), 0);
    s.undo().unwrap();
    assert_eq!(kept(&s), 1);
    assert_eq!(s.statement(c, month).unwrap().terms_billed_on, Some(today()));
    assert!(integrity(&d.db).contains("ok"), "{}", integrity(&d.db));
}

/// A crash's own WAL is applied even when its session deleted every client the main file holds
/// and added others (a new VA clearing the demo for real clients): the store's own id, read
/// the same through the WAL, says it is this store's. A WAL of another store is still refused.
#[test]
fn a_crash_wal_whose_session_replaced_every_client_is_applied() {
    let d = Desk::new();
    let solo = {
        let mut s = Store::open(&d.db).unwrap();
        s.add_client(named("Solo"), today()).unwrap()
    };
    let crashed = d.dir.path().join("crashed.db");
    let wal = d.db.with_extension("db-wal");
    {
        // Another program holds the store open, so what follows stays in the WAL; the files are
        // copied as a crash of both would leave them.
        let keep = rusqlite::Connection::open(&d.db).unwrap();
        keep.query_row("SELECT count(*) FROM clients", [], |r| r.get::<_, i64>(0))
            .unwrap();
        let mut s = Store::open(&d.db).unwrap();
        s.delete_client(solo).unwrap();
        let c = s.add_client(named("Replacement"), today()).unwrap();
        s.add_task(c, titled("New work"), today()).unwrap();
        drop(s);
        assert!(std::fs::metadata(&wal).unwrap().len() > 0);
        std::fs::copy(&d.db, &crashed).unwrap();
        std::fs::copy(&wal, crashed.with_extension("db-wal")).unwrap();
    }
    let list = d
        .cmd()
        .args(["--db", crashed.to_str().unwrap(), "client", "list"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&list.stdout);
    assert!(list.status.success(), "{}", String::from_utf8_lossy(&list.stderr));
    assert!(out.contains("Replacement") && !out.contains("Solo"), "{out}");
    // The WAL of another store beside it is refused, and both files stay as they were.
    let other = Desk::new();
    {
        let keep = rusqlite::Connection::open(&other.db).unwrap();
        let mut s = Store::open(&other.db).unwrap();
        s.add_client(named("Elsewhere"), today()).unwrap();
        drop(s);
        keep.query_row("SELECT count(*) FROM clients", [], |r| r.get::<_, i64>(0))
            .unwrap();
        let mut s = Store::open(&other.db).unwrap();
        s.add_client(named("Also elsewhere"), today()).unwrap();
        drop(s);
        std::fs::copy(other.db.with_extension("db-wal"), crashed.with_extension("db-wal")).unwrap();
    }
    let _ = std::fs::remove_file(crashed.with_extension("db-shm"));
    let before = (
        std::fs::read(&crashed).unwrap(),
        std::fs::read(crashed.with_extension("db-wal")).unwrap(),
    );
    assert!(!before.1.is_empty());
    let list = d
        .cmd()
        .args(["--db", crashed.to_str().unwrap(), "client", "list"])
        .output()
        .unwrap();
    assert!(
        !list.status.success(),
        "{}{}",
        String::from_utf8_lossy(&list.stdout),
        String::from_utf8_lossy(&list.stderr)
    );
    assert!(String::from_utf8_lossy(&list.stderr).contains("does not belong"));
    assert_eq!(std::fs::read(&crashed).unwrap(), before.0);
    assert_eq!(std::fs::read(crashed.with_extension("db-wal")).unwrap(), before.1);
}

/// An export taken while another program adds tasks and their requests reads every table in
/// one snapshot: no request without its task, so the file always imports again.
#[test]
fn an_export_during_writes_is_one_snapshot() {
    let d = Desk::new();
    let client = {
        let mut s = Store::open(&d.db).unwrap();
        let c = s.add_client(named("Keeper"), today()).unwrap();
        // Enough rows that reading every table takes a while.
        for i in 0..3000 {
            s.add_task(c, titled(&format!("Task {i}")), today()).unwrap();
        }
        c
    };
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (db, stop) = (d.db.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut s = Store::open_again(&db).unwrap();
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let t = s.add_task(client, titled(&format!("Concurrent {n}")), today()).unwrap();
                s.ask(
                    t,
                    RequestKind::Material,
                    "assets",
                    today() + chrono::Duration::days(3),
                    today(),
                )
                .unwrap();
                n += 1;
            }
            n
        })
    };
    let s = Store::open_again(&d.db).unwrap();
    for _ in 0..8 {
        let e = s.export().unwrap();
        let tasks: std::collections::HashSet<i64> = e["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_i64().unwrap())
            .collect();
        let dangling: Vec<i64> = e["requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["task_id"].as_i64().unwrap())
            .filter(|id| !tasks.contains(id))
            .collect();
        assert!(dangling.is_empty(), "requests of tasks not exported: {dangling:?}");
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    assert!(writer.join().unwrap() > 0, "the other program wrote meanwhile");
}

/// `import --merge` joins a client of the same name with another uuid: the file's records go
/// to the store's client, whose own fields (rate, currency, retainer, notes) stay as they are.
#[test]
fn a_merged_client_of_the_same_name_keeps_its_own_terms() {
    let here = Desk::new();
    here.ok(&["client", "add", "Zeta Ünï", "--rate", "99", "--notes", "local notes"]);
    let there = Desk::new();
    there.ok(&[
        "client",
        "add",
        "zeta ünï",
        "--rate",
        "37.50",
        "--currency",
        "USD",
        "--retainer",
        "10",
        "--fee",
        "500",
        "--notes",
        "their notes",
    ]);
    there.ok(&["task", "add", "zeta ünï", "Their task"]);
    let file = there.dir.path().join("there.json");
    std::fs::write(&file, there.ok(&["export"])).unwrap();
    let before = here.json(&["client", "list", "--json"]);
    here.ok(&["import", file.to_str().unwrap(), "--merge"]);
    let after = here.json(&["client", "list", "--json"]);
    assert_eq!(after.as_array().unwrap().len(), 1, "{after}");
    for field in ["uuid", "name", "rate_cents", "currency", "retainer_hours", "fee_cents"] {
        assert_eq!(after[0][field], before[0][field], "{field}: {after}");
    }
    let shown = here.ok(&["client", "show", "Zeta Ünï"]);
    assert!(
        shown.contains("local notes") && !shown.contains("their notes"),
        "{shown}"
    );
    let tasks = here.json(&["task", "list", "--json"]);
    assert_eq!(tasks[0]["title"], "Their task");
    assert_eq!(tasks[0]["client"], "Zeta Ünï");
}

/// A uuid names one record across every table (a sync keys records by it alone): a file whose
/// task carries a client's uuid, or whose record carries the uuid of another kind of record in
/// the store, or a Taskwarrior task with the uuid of a client, imports nothing.
#[test]
fn a_uuid_given_to_two_kinds_of_record_is_refused_whole() {
    let src = Desk::new();
    src.ok(&["demo"]);
    let export = src.snapshot();
    let file = src.dir.path().join("in.json");
    let client_uuid = export["clients"][0]["uuid"].clone();
    // In the file: the 5th task takes the 1st client's uuid.
    let mut bad = export.clone();
    bad["tasks"][4]["uuid"] = client_uuid.clone();
    std::fs::write(&file, bad.to_string()).unwrap();
    let empty = Desk::new();
    let (_, err) = empty.fails(&["import", file.to_str().unwrap()]);
    assert!(
        err.contains("the 1st client and the 5th task have the same uuid") && err.contains("nothing was imported"),
        "{err}"
    );
    let (_, err) = empty.fails(&["--lang", "es", "import", file.to_str().unwrap()]);
    assert!(err.contains("tienen el mismo uuid"), "{err}");
    assert!(empty.json(&["client", "list", "--json"]).as_array().unwrap().is_empty());
    // Against the store: a merged file whose one task has a client's uuid there.
    let mut one = serde_json::json!({"format": export["format"], "schema": export["schema"]});
    one["clients"] = serde_json::json!([export["clients"][0]]);
    let mut task = export["tasks"][0].clone();
    task["uuid"] = export["clients"][1]["uuid"].clone();
    task["client_id"] = export["clients"][0]["id"].clone();
    one["tasks"] = serde_json::json!([task]);
    std::fs::write(&file, one.to_string()).unwrap();
    let before = src.snapshot();
    let (_, err) = src.fails(&["import", "--merge", file.to_str().unwrap()]);
    let uuid = export["clients"][1]["uuid"].as_str().unwrap();
    assert!(
        err.contains(&format!(
            "the 1st task has the uuid {uuid}, which another kind of record in the store has"
        )),
        "{err}"
    );
    assert_eq!(src.snapshot(), before);
    // A Taskwarrior task with a client's uuid.
    let tw = src.dir.path().join("tw.json");
    std::fs::write(
        &tw,
        format!(
            r#"[{{"uuid":{client_uuid},"description":"Evil","status":"pending","entry":"20261101T000000Z","project":"P"}}]"#
        ),
    )
    .unwrap();
    let (_, err) = src.fails(&["import", "--from", "taskwarrior", tw.to_str().unwrap()]);
    assert!(
        err.contains("a task has the uuid") && err.contains("nothing was imported"),
        "{err}"
    );
    assert_eq!(src.snapshot(), before);
}

/// A fixed value (a status, a kind, an attendance) in another case or with spaces is stored as
/// the command line stores it: the review and the filters find the record.
#[test]
fn an_imported_fixed_value_is_stored_as_its_key() {
    let src = Desk::new();
    src.ok(&["demo"]);
    let export = src.snapshot();
    let mut shouted = export.clone();
    for (table, col) in [
        ("tasks", "status"),
        ("clients", "status"),
        ("quotes", "status"),
        ("meetings", "attendance"),
        ("meetings", "kind"),
        ("flags", "kind"),
        ("channels", "kind"),
        ("requests", "kind"),
    ] {
        for row in shouted[table].as_array_mut().unwrap() {
            let v = row[col].as_str().unwrap().to_uppercase();
            row[col] = serde_json::json!(format!(" {v} "));
        }
    }
    let file = src.dir.path().join("in.json");
    std::fs::write(&file, shouted.to_string()).unwrap();
    let d = Desk::new();
    d.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(d.snapshot(), export);
    assert_eq!(d.ok(&["review"]), src.ok(&["review"]));
    assert_eq!(
        d.ok(&["task", "list", "--status", "todo"]),
        src.ok(&["task", "list", "--status", "todo"])
    );
}

/// An export that says it comes from a newer schema is refused whole, as one holding a table
/// this version does not know is.
#[test]
fn an_export_of_a_newer_schema_is_refused() {
    let src = Desk::new();
    src.ok(&["demo"]);
    let mut export = src.snapshot();
    let file = src.dir.path().join("in.json");
    let d = Desk::new();
    for schema in [serde_json::json!(99_999), serde_json::json!("3"), serde_json::json!(-1)] {
        export["schema"] = schema.clone();
        std::fs::write(&file, export.to_string()).unwrap();
        let (_, err) = d.fails(&["import", file.to_str().unwrap()]);
        assert!(
            err.contains("does not know") && err.contains("nothing was imported"),
            "{schema}: {err}"
        );
        assert!(d.json(&["client", "list", "--json"]).as_array().unwrap().is_empty());
    }
    export.as_object_mut().unwrap().remove("schema");
    std::fs::write(&file, export.to_string()).unwrap();
    d.ok(&["import", file.to_str().unwrap()]);
}

/// An undo step reads in the language of the desk that undoes it, whichever desk made it: a
/// change made in English and undone in Spanish said "Deshecho: edit task …".
#[test]
fn an_undo_step_reads_in_the_language_of_the_desk_that_undoes_it() {
    use vadesk::i18n::Lang;
    let d = Desk::new();
    d.ok(&["client", "add", "Bloom Florist"]);
    let t = d.id(&["task", "add", "Bloom Florist", "Newsletter"]);
    let mut en = Store::open(&d.db).unwrap();
    en.set_lang(Lang::En);
    en.enable_undo().unwrap();
    en.edit_task(t, titled("Newsletter (Dec)")).unwrap();
    let english = en.undo_label().unwrap().unwrap();
    drop(en);
    let mut es = Store::open(&d.db).unwrap();
    es.set_lang(Lang::Es);
    es.enable_undo().unwrap();
    let spanish = es.undo_label().unwrap().unwrap();
    assert_ne!(english, spanish, "the same words in both: {english}");
    assert!(
        spanish.contains("Newsletter (Dec)") || spanish.contains("Newsletter"),
        "{spanish}"
    );
    let undone = es.undo().unwrap();
    assert_eq!(undone, spanish);
    let redo = es.redo_peek().unwrap().unwrap().label;
    assert_eq!(redo, spanish);
    es.set_lang(Lang::En);
    assert_eq!(es.redo().unwrap(), english);
}

/// A task with billed time stays with the client it was invoiced to, whatever moves it: a
/// merged export or a Taskwarrior task moved to another project is refused whole (an invoiced
/// month's statement never changes), as `task edit --client` is.
#[test]
fn an_import_never_moves_billed_time_to_another_client() {
    let d = Desk::new();
    d.ok(&["demo"]);
    d.ok(&["statement", "bloom", "--month", "2026-11", "--mark-billed"]);
    let billed_before = d.ok(&["statement", "bloom", "--month", "2026-11", "--json"]);
    let before = d.snapshot();
    let export: serde_json::Value = serde_json::from_str(&d.ok(&["export"])).unwrap();
    let task = export["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["title"] == "Reply to wedding enquiries")
        .unwrap()
        .clone();
    let casa = export["clients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Casa Lumen Interiors")
        .unwrap()
        .clone();
    let mut one = serde_json::json!({"format": export["format"], "schema": export["schema"]});
    let mut moved = task.clone();
    moved["client_id"] = casa["id"].clone();
    one["clients"] = serde_json::json!([casa]);
    one["tasks"] = serde_json::json!([moved]);
    let file = d.dir.path().join("moved.json");
    std::fs::write(&file, one.to_string()).unwrap();
    let (_, err) = d.fails(&["import", "--merge", file.to_str().unwrap()]);
    assert!(
        err.contains("has time already billed to Bloom Florist") && err.contains("nothing was imported"),
        "{err}"
    );
    assert_eq!(d.snapshot(), before, "nothing changed");
    assert_eq!(
        d.ok(&["statement", "bloom", "--month", "2026-11", "--json"]),
        billed_before
    );
    // The same task with only its title changed merges (the guard is about the move).
    let mut retitled = task.clone();
    retitled["title"] = "Reply to every wedding enquiry".into();
    let bloom = export["clients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Bloom Florist")
        .unwrap()
        .clone();
    one["clients"] = serde_json::json!([bloom]);
    one["tasks"] = serde_json::json!([retitled]);
    std::fs::write(&file, one.to_string()).unwrap();
    d.ok(&["import", "--merge", file.to_str().unwrap()]);
    let after: serde_json::Value =
        serde_json::from_str(&d.ok(&["statement", "bloom", "--month", "2026-11", "--json"])).unwrap();
    let billed_before: serde_json::Value = serde_json::from_str(&billed_before).unwrap();
    assert_eq!(after["entries"], billed_before["entries"], "the billed entries stay");
    assert_eq!(after["amount_cents"], billed_before["amount_cents"]);
    let shown = d.ok(&["task", "list", "--client", "bloom", "--json"]);
    assert!(shown.contains("Reply to every wedding enquiry"), "{shown}");

    // Taskwarrior: a task of project Bloom, its time billed, then moved to another project.
    let tw = Desk::new();
    tw.ok(&["client", "add", "Casa Lumen Interiors"]);
    let file = tw.dir.path().join("tw.json");
    let task = |project: &str, modified: &str| {
        format!(
            r#"[{{"uuid":"5f2a3c1e-0000-4000-8000-000000000001","description":"Logo","status":"pending","entry":"20261101T000000Z","modified":"{modified}","project":"{project}"}}]"#
        )
    };
    std::fs::write(&file, task("Bloom Florist", "20261101T000000Z")).unwrap();
    tw.ok(&["import", "--from", "taskwarrior", file.to_str().unwrap()]);
    let id = tw.json(&["task", "list", "--json"])[0]["id"].to_string();
    tw.ok(&["time", "log", &id, "3h", "--on", "2026-11-20 09:00"]);
    tw.ok(&["statement", "bloom", "--month", "2026-11", "--mark-billed"]);
    let before = tw.snapshot();
    std::fs::write(&file, task("Casa Lumen Interiors", "20261122T000000Z")).unwrap();
    let (_, err) = tw.fails(&["import", "--from", "taskwarrior", file.to_str().unwrap()]);
    assert!(err.contains("has time already billed to Bloom Florist"), "{err}");
    assert_eq!(tw.snapshot(), before, "nothing changed");
}

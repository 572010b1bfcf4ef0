//! Two machines, one desk (SPEC 12): two stores in temporary folders, a folder server between
//! them, offline edits on both sides, and the merges a user would accept.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::Desk;
use serde_json::{json, Value};

const SECRET: &str = "correct horse battery staple";

/// A desk whose config points at `server` with `secret`.
fn machine(server: &Path, secret: &str) -> Desk {
    let d = Desk::new();
    write_config(&d, server, secret);
    d
}

fn write_config(d: &Desk, server: &Path, secret: &str) {
    let dir = d.dir.path().join("config").join("vadesk");
    std::fs::create_dir_all(&dir).unwrap();
    let text = format!(
        "[sync]\nlocal_dir = {}\nencryption_secret = {}\n",
        toml_str(&server.display().to_string()),
        toml_str(secret)
    );
    std::fs::write(dir.join("config.toml"), text).unwrap();
}

fn toml_str(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

fn sync(d: &Desk) -> Value {
    d.json(&["sync", "--json"])
}

/// An export with ids replaced by the uuids they stand for: equal on both machines when they
/// hold the same desk. A flag's source reference names local ids and stays local.
fn normalized(d: &Desk) -> Value {
    let export = d.snapshot();
    let mut uuids: BTreeMap<(String, i64), String> = BTreeMap::new();
    let tables = [
        "clients",
        "channels",
        "tasks",
        "requests",
        "quotes",
        "meetings",
        "flags",
        "weekly_reviews",
        "time_entries",
    ];
    for t in tables {
        for row in export[t].as_array().cloned().unwrap_or_default() {
            if let (Some(id), Some(u)) = (row["id"].as_i64(), row["uuid"].as_str()) {
                uuids.insert((t.to_string(), id), u.to_string());
            }
        }
    }
    let parent = |col: &str| match col {
        "client_id" => Some("clients"),
        "task_id" => Some("tasks"),
        _ => None,
    };
    let mut out = serde_json::Map::new();
    for t in tables {
        let mut rows: Vec<Value> = Vec::new();
        for row in export[t].as_array().cloned().unwrap_or_default() {
            let mut m = serde_json::Map::new();
            for (k, v) in row.as_object().unwrap() {
                if k == "id" || (t == "flags" && k == "source_ref") {
                    continue;
                }
                match (parent(k), v.as_i64()) {
                    (Some(p), Some(id)) => {
                        m.insert(k.clone(), json!(uuids.get(&(p.to_string(), id)).cloned()));
                    }
                    _ => {
                        m.insert(k.clone(), v.clone());
                    }
                }
            }
            rows.push(Value::Object(m));
        }
        rows.sort_by_key(|r| r["uuid"].as_str().unwrap_or("").to_string());
        out.insert(t.to_string(), Value::Array(rows));
    }
    Value::Object(out)
}

fn client<'a>(export: &'a Value, name: &str) -> &'a Value {
    export["clients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no client {name} in {export}"))
}

/// A and B share a desk: A's records were sent with `sync --init`, B joined empty.
fn pair() -> (tempfile::TempDir, Desk, Desk) {
    let server = tempfile::tempdir().unwrap();
    let mut a = machine(server.path(), SECRET);
    let mut b = machine(server.path(), SECRET);
    a.at("2026-11-23 09:00");
    b.at("2026-11-23 09:00");
    a.ok(&["client", "add", "Acme", "--tool", "Slack", "--notes", "first notes"]);
    a.ok(&["task", "add", "Acme", "Logo", "--due", "2026-11-30"]);
    let r = a.json(&["sync", "--init", "--json"]);
    assert_eq!(r["received"], 0);
    assert!(r["sent"].as_u64().unwrap() > 0, "{r}");
    let r = sync(&b);
    assert_eq!(r["sent"], 0, "{r}");
    assert_eq!(normalized(&a), normalized(&b));
    (server, a, b)
}

#[test]
fn offline_edits_merge_field_by_field_and_the_later_edit_wins() {
    let (_server, mut a, mut b) = pair();
    // Different fields on the two machines; the same field edited on both at different times.
    a.at("2026-11-23 10:00")
        .ok(&["client", "edit", "Acme", "--tool", "Trello"]);
    a.at("2026-11-23 10:05")
        .ok(&["client", "edit", "Acme", "--notes", "notes from A"]);
    b.at("2026-11-23 10:01")
        .ok(&["client", "edit", "Acme", "--notes", "notes from B"]);
    b.at("2026-11-23 10:02").ok(&["client", "edit", "Acme", "--rate", "30"]);
    b.at("2026-11-23 10:20")
        .ok(&["client", "edit", "Acme", "--tool", "Asana"]);
    // New records on both sides.
    a.ok(&["task", "add", "Acme", "Brochure"]);
    b.ok(&["client", "add", "Zeta"]);
    b.ok(&["task", "add", "Zeta", "Website"]);

    sync(&a);
    let rb = sync(&b);
    assert!(rb["received"].as_u64().unwrap() > 0, "{rb}");
    sync(&a);

    let (ea, eb) = (normalized(&a), normalized(&b));
    assert_eq!(ea, eb, "both machines hold the same desk");
    let acme = client(&ea, "Acme");
    assert_eq!(
        acme["notes"], "notes from A",
        "A's 10:05 beats B's 10:01 though B synced later"
    );
    assert_eq!(acme["tool"], "Asana", "B's 10:20 beats A's 10:00 though A synced first");
    assert_eq!(acme["rate_cents"], 3000, "a field edited on one side only survives");
    client(&ea, "Zeta");
    let titles: Vec<&str> = ea["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["title"].as_str())
        .collect();
    for t in ["Logo", "Brochure", "Website"] {
        assert!(titles.contains(&t), "{t} in {titles:?}");
    }
    // Ids stay local, and every command that takes one keeps working on both machines.
    let zeta_tasks = b.json(&["task", "list", "--client", "Zeta", "--json"]);
    let id_b = zeta_tasks[0]["id"].as_i64().unwrap();
    b.ok(&["task", "edit", &id_b.to_string(), "--title", "Web site"]);
    sync(&b);
    sync(&a);
    assert_eq!(normalized(&a), normalized(&b));
}

#[test]
fn deleting_beats_editing() {
    let (_server, mut a, mut b) = pair();
    a.at("2026-11-23 09:30");
    let qa = a.id(&["quote", "add", "Acme", "--amount", "400", "--for", "Rebrand"]);
    sync(&a);
    sync(&b);
    let qb = b.json(&["quote", "list", "--json"])[0]["id"].as_i64().unwrap();
    a.at("2026-11-23 10:00").ok(&["quote", "delete", &qa.to_string()]);
    b.at("2026-11-23 11:00")
        .ok(&["quote", "edit", &qb.to_string(), "--amount", "450"]);
    sync(&a);
    let rb = sync(&b);
    assert!(
        rb["conflicts"].as_u64().unwrap() > 0,
        "B's edit lost to the deletion: {rb}"
    );
    sync(&a);
    for d in [&a, &b] {
        assert_eq!(d.json(&["quote", "list", "--json"]), json!([]));
    }
    assert_eq!(normalized(&a), normalized(&b));
}

#[test]
fn the_same_late_request_ticked_on_both_machines_is_one_flag() {
    let (_server, mut a, mut b) = pair();
    let task = a.json(&["task", "list", "--json"])[0]["id"].as_i64().unwrap();
    a.ok(&[
        "material",
        "ask",
        &task.to_string(),
        "brand assets",
        "--by",
        "2026-11-24",
    ]);
    sync(&a);
    sync(&b);
    a.at("2026-11-27 09:00").ok(&["tick", "--once"]);
    b.at("2026-11-27 09:05").ok(&["tick", "--once"]);
    assert_eq!(a.json(&["flag", "list", "--json"]).as_array().unwrap().len(), 1);
    assert_eq!(b.json(&["flag", "list", "--json"]).as_array().unwrap().len(), 1);
    sync(&a);
    sync(&b);
    sync(&a);
    for d in [&a, &b] {
        let flags = d.json(&["flag", "list", "--json"]);
        assert_eq!(flags.as_array().unwrap().len(), 1, "{flags}");
    }
    assert_eq!(normalized(&a), normalized(&b));
    // Another tick on either side raises nothing new.
    b.at("2026-11-28 09:00").ok(&["tick", "--once"]);
    assert_eq!(b.json(&["flag", "list", "--json"]).as_array().unwrap().len(), 1);
}

#[test]
fn a_task_added_to_a_client_deleted_elsewhere_keeps_the_client_as_ended() {
    let (_server, mut a, mut b) = pair();
    // A deletes the client (the desk does this; the command line has no client delete).
    {
        let mut store = vadesk::store::Store::open(&a.db).unwrap();
        store.set_now(Some(
            chrono::NaiveDate::from_ymd_opt(2026, 11, 23)
                .unwrap()
                .and_hms_opt(10, 0, 0)
                .unwrap(),
        ));
        let id = store
            .conn()
            .query_row("SELECT id FROM clients WHERE name = 'Acme'", [], |r| r.get(0))
            .unwrap();
        store.delete_client(id).unwrap();
    }
    a.at("2026-11-23 10:00");
    assert_eq!(a.json(&["task", "list", "--json"]), json!([]));
    b.at("2026-11-23 10:30")
        .ok(&["task", "add", "Acme", "Invoice template"]);
    sync(&a);
    sync(&b);
    sync(&a);
    let (ea, eb) = (normalized(&a), normalized(&b));
    assert_eq!(ea, eb);
    assert_eq!(client(&ea, "Acme")["status"], "ended");
    let titles: Vec<&str> = ea["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["title"].as_str())
        .collect();
    assert_eq!(
        titles,
        vec!["Invoice template"],
        "the deleted client's own task stays deleted"
    );
}

#[test]
fn a_wrong_secret_fails_and_changes_nothing() {
    let (server, a, b) = pair();
    a.ok(&["client", "add", "Nova"]);
    sync(&a);
    let files_before = listing(server.path());
    let before = b.snapshot();
    write_config(&b, server.path(), "not the secret");
    let (_, err) = b.fails(&["sync"]);
    assert!(err.contains("encryption secret"), "{err}");
    assert_eq!(b.snapshot(), before);
    assert_eq!(listing(server.path()), files_before);
    // A new machine with the wrong secret gets nothing either.
    let c = machine(server.path(), "wrong");
    let before = c.snapshot();
    c.fails(&["sync"]);
    assert_eq!(c.snapshot(), before);
    // With the right one, B carries on.
    write_config(&b, server.path(), SECRET);
    sync(&b);
    client(&b.snapshot(), "Nova");
}

fn listing(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn the_server_folder_holds_nothing_readable() {
    let (server, a, b) = pair();
    a.ok(&["client", "add", "Zanzibar Holdings", "--notes", "secret notes"]);
    sync(&a);
    sync(&b);
    client(&b.snapshot(), "Zanzibar Holdings");
    let files = listing(server.path());
    assert!(files.len() >= 3, "{:?}", files.iter().map(|f| &f.0).collect::<Vec<_>>());
    for (name, bytes) in files {
        let text = String::from_utf8_lossy(&bytes);
        for plain in ["Acme", "Zanzibar", "secret notes", "Logo", "clients", "operations"] {
            assert!(!text.contains(plain), "{name} holds {plain:?}");
        }
    }
}

#[test]
fn a_store_that_never_synced_pays_nothing_and_a_full_one_must_init() {
    let server = tempfile::tempdir().unwrap();
    let d = machine(server.path(), SECRET);
    d.ok(&["client", "add", "Acme"]);
    let conn = rusqlite::Connection::open(&d.db).unwrap();
    let n: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'sync_%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 0);
    let ops: i64 = conn
        .query_row("SELECT count(*) FROM tc_operations", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ops, 0);
    drop(conn);
    let (_, err) = d.fails(&["sync"]);
    assert!(err.contains("sync --init"), "{err}");
    let (_, err) = d.fails(&["--lang", "es", "sync"]);
    assert!(err.contains("réplica"), "{err}");
    d.ok(&["sync", "--init"]);
    let (_, err) = d.fails(&["sync", "--init"]);
    assert!(err.contains("already a replica"), "{err}");
    // Without a [sync] table, a clear word.
    let lone = Desk::new();
    let (_, err) = lone.fails(&["sync"]);
    assert!(err.contains("[sync]"), "{err}");
}

#[test]
fn sync_prints_what_it_sent_and_received() {
    let (_server, a, b) = pair();
    a.ok(&["client", "add", "Nova"]);
    let out = a.ok(&["sync"]);
    assert!(out.contains("Sent:") && out.contains("received: 0"), "{out}");
    let out = b.ok(&["--lang", "es", "sync"]);
    assert!(out.contains("Enviados: 0") && out.contains("recibidos:"), "{out}");
    let r = sync(&b);
    for k in ["sent", "received", "conflicts"] {
        assert_eq!(r[k], 0, "{r}");
    }
}

#[test]
fn every_table_travels_and_a_second_machine_joins_with_everything() {
    let server = tempfile::tempdir().unwrap();
    let a = machine(server.path(), SECRET);
    a.ok(&[
        "client",
        "add",
        "Acme",
        "--channel",
        "email:ana@acme.test",
        "--rate",
        "40",
    ]);
    let task = a.id(&["task", "add", "Acme", "Logo", "--estimate", "2h"]);
    a.ok(&["feedback", "ask", &task.to_string(), "--by", "2026-11-25"]);
    a.ok(&["quote", "add", "Acme", "--amount", "300", "--for", "Brand kit"]);
    a.ok(&["meeting", "add", "Acme", "--at", "2026-11-24 10:00", "--length", "30m"]);
    a.ok(&["time", "log", &task.to_string(), "45m"]);
    a.ok(&["client", "reviewed", "Acme", "--on", "2026-11-23"]);
    a.ok(&[
        "flag",
        "add",
        "Acme",
        "scope_creep",
        "--note",
        "asked for a website too",
    ]);
    a.ok(&["sync", "--init"]);
    let b = machine(server.path(), SECRET);
    sync(&b);
    let (ea, eb) = (normalized(&a), normalized(&b));
    for t in [
        "clients",
        "channels",
        "tasks",
        "requests",
        "quotes",
        "meetings",
        "flags",
        "weekly_reviews",
        "time_entries",
    ] {
        assert_eq!(ea[t].as_array().map(Vec::len), Some(1), "{t} on A: {ea}");
    }
    assert_eq!(ea, eb);
    // References arrive as local ids that point at the same records.
    let entries = b.json(&["time", "list", "--json"]);
    assert_eq!(entries.as_array().map(Vec::len), Some(1), "{entries}");
}

#[test]
fn the_same_new_client_name_on_both_machines_keeps_both() {
    let (_server, mut a, mut b) = pair();
    a.at("2026-11-23 10:00")
        .ok(&["client", "add", "Nova", "--tool", "from A"]);
    b.at("2026-11-23 10:05")
        .ok(&["client", "add", "Nova", "--tool", "from B"]);
    sync(&a);
    sync(&b);
    sync(&a);
    sync(&b);
    let (ea, eb) = (normalized(&a), normalized(&b));
    assert_eq!(ea, eb);
    let mut names: Vec<&str> = ea["clients"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    names.sort();
    assert_eq!(names, vec!["Acme", "Nova", "Nova (2)"]);
    let tools: Vec<&str> = ea["clients"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["tool"].as_str())
        .collect();
    assert!(tools.contains(&"from A") && tools.contains(&"from B"), "{tools:?}");
}

fn desk_store(d: &Desk, now: &str) -> vadesk::store::Store {
    let mut store = vadesk::store::Store::open(&d.db).unwrap();
    store.set_now(Some(
        chrono::NaiveDateTime::parse_from_str(now, "%Y-%m-%d %H:%M").unwrap(),
    ));
    store.enable_undo().unwrap();
    store
}

fn acme_id(store: &vadesk::store::Store) -> i64 {
    store
        .conn()
        .query_row("SELECT id FROM clients WHERE name = 'Acme'", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn undo_after_a_sync_is_a_new_change_and_never_rewrites_the_other_machine() {
    let (_server, a, mut b) = pair();
    let tool = |v: &str| vadesk::store::ClientFields {
        tool: Some(v.into()),
        ..Default::default()
    };
    {
        let mut store = desk_store(&a, "2026-11-23 10:00");
        let id = acme_id(&store);
        store.edit_client(id, tool("Notion")).unwrap();
    }
    sync(&a);
    sync(&b);
    assert_eq!(client(&b.snapshot(), "Acme")["tool"], "Notion");
    // Undoing a change that was already synced is an ordinary new change: it syncs too.
    desk_store(&a, "2026-11-23 10:30").undo().unwrap();
    sync(&a);
    sync(&b);
    assert_eq!(client(&b.snapshot(), "Acme")["tool"], "Slack");
    // A change the other machine made later is never rewritten by an undo here.
    {
        let mut store = desk_store(&a, "2026-11-23 11:00");
        let id = acme_id(&store);
        store.edit_client(id, tool("Basecamp")).unwrap();
    }
    sync(&a);
    b.at("2026-11-23 11:30")
        .ok(&["client", "edit", "Acme", "--tool", "Jira"]);
    sync(&b);
    sync(&a);
    assert!(desk_store(&a, "2026-11-23 12:00").undo().is_err());
    assert_eq!(client(&a.snapshot(), "Acme")["tool"], "Jira");
    assert_eq!(normalized(&a), normalized(&b));
}

#[test]
fn the_same_weekly_review_recorded_on_both_machines_is_one() {
    let (_server, mut a, mut b) = pair();
    a.at("2026-11-23 10:00")
        .ok(&["client", "reviewed", "Acme", "--on", "2026-11-23"]);
    b.at("2026-11-23 10:05")
        .ok(&["client", "reviewed", "Acme", "--on", "2026-11-23", "--missed"]);
    sync(&a);
    sync(&b);
    sync(&a);
    sync(&b);
    let (ea, eb) = (normalized(&a), normalized(&b));
    assert_eq!(ea, eb);
    assert_eq!(ea["weekly_reviews"].as_array().map(Vec::len), Some(1), "{ea}");
}

#[test]
fn a_sync_the_desk_refuses_sends_nothing_and_the_next_one_completes() {
    let (server, a, b) = pair();
    // Only one timer may run: both machines started one offline.
    a.ok(&["time", "start", "--client", "Acme"]);
    b.ok(&["time", "start", "--client", "Acme"]);
    sync(&a);
    let files = listing(server.path());
    let before = b.snapshot();
    let (_, err) = b.fails(&["sync"]);
    assert!(err.contains("time_running"), "{err}");
    assert_eq!(listing(server.path()), files, "nothing was sent");
    assert_eq!(b.snapshot(), before, "nothing was changed");
    b.ok(&["time", "stop"]);
    let r = sync(&b);
    assert_eq!(r["conflicts"], 0, "{r}");
    sync(&a);
    assert_eq!(normalized(&a), normalized(&b));
    assert_eq!(a.json(&["time", "list", "--json"]).as_array().map(Vec::len), Some(2));
}

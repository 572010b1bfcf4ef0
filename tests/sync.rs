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

/// One sync on `first`, one on `second`, one more on `first`: after them both machines agree.
/// The second machine's report (the one that sees both sides first).
fn sync_in_turn(first: &Desk, second: &Desk) -> Value {
    sync(first);
    let r = sync(second);
    sync(first);
    r
}

/// Every table a sync carries, as an export names them.
const SYNCED_TABLES: [&str; 12] = [
    "clients",
    "channels",
    "tasks",
    "requests",
    "quotes",
    "meetings",
    "flags",
    "weekly_reviews",
    "time_entries",
    "recurrences",
    "counter_events",
    "billed_terms",
];

/// An export with ids replaced by the uuids they stand for: equal on both machines when they
/// hold the same desk. A flag's source reference names each machine's own ids.
fn normalized(d: &Desk) -> Value {
    let export = d.snapshot();
    let mut uuids: BTreeMap<(String, i64), String> = BTreeMap::new();
    for t in SYNCED_TABLES {
        for row in export[t].as_array().cloned().unwrap_or_default() {
            if let (Some(id), Some(u)) = (row["id"].as_i64(), row["uuid"].as_str()) {
                uuids.insert((t.to_string(), id), u.to_string());
            }
        }
    }
    let parent = |col: &str| match col {
        "client_id" => Some("clients"),
        "task_id" => Some("tasks"),
        "request_id" => Some("requests"),
        "quote_id" => Some("quotes"),
        "recurrence_id" => Some("recurrences"),
        _ => None,
    };
    let mut out = serde_json::Map::new();
    for t in SYNCED_TABLES {
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

/// Deletes the client `name` through the store at `at` (the desk does this; the command line
/// has no client delete), and sets the machine's clock there.
fn delete_client_as_the_desk_does(d: &mut Desk, name: &str, at: &str) {
    {
        let mut store = vadesk::store::Store::open(&d.db).unwrap();
        store.set_now(Some(
            chrono::NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M").unwrap(),
        ));
        let id = store
            .conn()
            .query_row("SELECT id FROM clients WHERE name = ?1", [name], |r| r.get(0))
            .unwrap();
        store.delete_client(id).unwrap();
    }
    d.at(at);
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
    let task = first_task(&a);
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
    // The task done on one machine: the other's late request leaves the tick's counts.
    a.ok(&["task", "done", &task.to_string()]);
    sync(&a);
    sync(&b);
    for d in [&a, &b] {
        kept_as_recounted(d);
        let counts = d.json(&["tick", "--once", "--json"]);
        assert_eq!(counts["counts"]["material_late"], 0, "{counts}");
    }
}

#[test]
fn a_task_added_to_a_client_deleted_elsewhere_keeps_the_client_as_ended() {
    let (_server, mut a, mut b) = pair();
    // A deletes the client (the desk does this; the command line has no client delete).
    delete_client_as_the_desk_does(&mut a, "Acme", "2026-11-23 10:00");
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
    kept_as_recounted(&a);
    kept_as_recounted(&b);
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
    // Reviews on Mondays (23 November is one), known to both machines.
    a.ok(&["client", "edit", "Acme", "--review-day", "mon"]);
    sync(&a);
    sync(&b);
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
fn timers_started_on_both_machines_keep_both_machines_time() {
    let (_server, mut a, mut b) = pair();
    // Only one timer may run: both machines started one offline, B's 40 minutes later.
    a.at("2026-11-23 10:00")
        .ok(&["time", "start", "--client", "Acme", "--note", "from A"]);
    b.at("2026-11-23 10:40")
        .ok(&["time", "start", "--client", "Acme", "--note", "from B"]);
    let ra = sync(&a);
    assert_eq!(ra["conflicts"], 0, "{ra}");
    let rb = sync(&b);
    assert!(rb["conflicts"].as_u64().unwrap() >= 1, "{rb}");
    assert_eq!(rb["timers_stopped"], 1, "{rb}");
    // B sent its settlement in the same sync: A takes it as it is, nothing left to settle.
    let out = a.at("2026-11-23 10:45").ok(&["sync"]);
    assert!(!out.contains("timer was running on both machines"), "{out}");
    assert_eq!(normalized(&a), normalized(&b), "agreement after one round");
    sync(&b);
    let (ea, eb) = (normalized(&a), normalized(&b));
    assert_eq!(ea, eb, "both machines settled the same way");
    let entries = a.json(&["time", "list", "--json"]);
    let entries = entries.as_array().unwrap();
    assert_eq!(entries.len(), 2, "{entries:?}");
    let by_note = |n: &str| entries.iter().find(|e| e["note"] == n).unwrap().clone();
    assert_eq!(by_note("from A")["minutes"], 40, "A's timer stopped when B's began");
    assert!(by_note("from B")["minutes"].is_null(), "B's later timer still runs");
    for d in [&a, &b] {
        let out = d.ok(&["time", "stop"]);
        assert!(!out.is_empty());
    }
    // Started in the same minute: the same one runs on both machines, the other has 0
    // minutes (never negative).
    a.at("2026-11-23 12:00")
        .ok(&["time", "start", "--client", "Acme", "--note", "noon A"]);
    b.at("2026-11-23 12:00")
        .ok(&["time", "start", "--client", "Acme", "--note", "noon B"]);
    sync(&a);
    sync(&b);
    sync(&a);
    sync(&b);
    assert_eq!(normalized(&a), normalized(&b));
    let entries = b.json(&["time", "list", "--json"]);
    let noon: Vec<&Value> = entries
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["note"].as_str().is_some_and(|n| n.starts_with("noon")))
        .collect();
    assert_eq!(noon.len(), 2);
    assert_eq!(noon.iter().filter(|e| e["minutes"].is_null()).count(), 1, "{noon:?}");
    assert_eq!(noon.iter().filter(|e| e["minutes"] == 0).count(), 1, "{noon:?}");
}

/// A request, a quote and a task on both machines; each machine nudges and asks offline.
#[test]
fn nudges_and_clarifications_on_both_machines_all_count() {
    let (_server, mut a, mut b) = pair();
    let task = first_task(&a).to_string();
    let req = a
        .id(&["material", "ask", &task, "brand assets", "--by", "2026-11-24"])
        .to_string();
    let quote = a
        .id(&["quote", "add", "Acme", "--amount", "400", "--for", "Rebrand"])
        .to_string();
    sync(&a);
    sync(&b);
    let first = |d: &Desk, t: &str| d.snapshot()[t][0]["id"].as_i64().unwrap().to_string();
    let req_b = first(&b, "requests");
    let quote_b = first(&b, "quotes");
    let task_b = first(&b, "tasks");
    a.at("2026-11-25 09:00").ok(&["nudge", "material", &req]);
    a.ok(&["nudge", "quote", &quote]);
    a.ok(&["task", "ask", &task]);
    b.at("2026-11-26 09:00").ok(&["nudge", "material", &req_b]);
    b.ok(&["nudge", "quote", &quote_b]);
    b.ok(&["task", "ask", &task_b]);
    b.ok(&["task", "ask", &task_b]);
    sync(&a);
    sync(&b);
    sync(&a);
    for d in [&a, &b] {
        let r = &d.snapshot()["requests"][0];
        assert_eq!(r["nudges"], 2, "a nudge on each machine is two: {r}");
        assert_eq!(r["last_nudge"], "2026-11-26", "{r}");
        let q = &d.json(&["quote", "list", "--json"])[0];
        assert_eq!(q["nudges"], 2, "{q}");
        let t = &d.json(&["task", "list", "--json"])[0];
        assert_eq!(t["clarifications"], 3, "{t}");
    }
    let (ea, eb) = (normalized(&a), normalized(&b));
    assert_eq!(ea, eb);
    assert_eq!(ea["counter_events"].as_array().map(Vec::len), Some(7), "{ea}");
    // The third clarification raised vague_spec on B; A has it too, once.
    for d in [&a, &b] {
        let flags = d.json(&["flag", "list", "--json"]);
        let vague = flags
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["kind"] == "vague_spec")
            .count();
        assert!(vague <= 1, "{flags}");
    }
    // A nudge made on one machine on a request deleted on the other goes with the request.
    a.at("2026-11-27 09:00").ok(&["quote", "delete", &quote]);
    b.at("2026-11-27 10:00").ok(&["nudge", "quote", &quote_b]);
    sync(&a);
    let rb = sync(&b);
    assert!(rb["conflicts"].as_u64().unwrap() > 0, "{rb}");
    sync(&a);
    for d in [&a, &b] {
        assert_eq!(d.json(&["quote", "list", "--json"]), json!([]));
    }
    assert_eq!(normalized(&a), normalized(&b));
}

#[test]
fn a_recurring_instance_made_on_both_machines_is_one_task() {
    let (_server, mut a, mut b) = pair();
    let id = a
        .id(&["task", "add", "Acme", "Newsletter", "--every", "fri"])
        .to_string();
    sync(&a);
    sync(&b);
    // Both machines complete the same instance offline and each derives the next one.
    let id_b = b
        .json(&["task", "list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["title"] == "Newsletter")
        .unwrap()["id"]
        .as_i64()
        .unwrap()
        .to_string();
    a.at("2026-11-24 09:00").ok(&["task", "done", &id]);
    b.at("2026-11-24 10:00").ok(&["task", "done", &id_b]);
    // And the tick on both makes the instances of dates that passed.
    a.at("2026-12-05 09:00").ok(&["tick", "--once"]);
    b.at("2026-12-05 09:30").ok(&["tick", "--once"]);
    sync(&a);
    sync(&b);
    sync(&a);
    sync(&b);
    let (ea, eb) = (normalized(&a), normalized(&b));
    assert_eq!(ea, eb);
    let mut dues: Vec<&str> = ea["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["title"] == "Newsletter")
        .filter_map(|t| t["due"].as_str())
        .collect();
    dues.sort();
    let mut unique = dues.clone();
    unique.dedup();
    assert_eq!(dues, unique, "one task per date");
    assert!(dues.contains(&"2026-12-04") && dues.contains(&"2026-12-11"), "{dues:?}");
}

/// Every synced record is in the replica's own table, and the file is sound.
/// The tables the triggers keep for the tick (the open requests of live tasks, the pending
/// quotes without their flag) hold what a recount from the records finds.
fn kept_as_recounted(d: &Desk) {
    let conn = rusqlite::Connection::open(&d.db).unwrap();
    let rows = |sql: &str| -> Vec<String> {
        let mut q = conn.prepare(sql).unwrap();
        let n = q.column_count();
        q.query_map([], |r| {
            Ok((0..n)
                .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap()))
                .collect::<Vec<_>>()
                .join("|"))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    };
    assert_eq!(
        rows("SELECT kind, expected_by, request_id, task_id FROM live_requests ORDER BY 1, 2, 3"),
        rows(
            "SELECT r.kind, r.expected_by, r.id, r.task_id FROM requests r JOIN tasks t ON t.id = r.task_id
             WHERE r.received_on IS NULL AND t.status NOT IN ('done', 'cancelled') ORDER BY 1, 2, 3"
        ),
        "open requests of live tasks"
    );
    assert_eq!(
        rows("SELECT answer_by, quote_id FROM unflagged_quotes ORDER BY 1, 2"),
        rows(
            "SELECT q.answer_by, q.id FROM quotes q WHERE q.status = 'pending'
               AND NOT EXISTS (SELECT 1 FROM flags f WHERE f.source_ref = 'quote:' || q.id) ORDER BY 1, 2"
        ),
        "pending quotes without their flag"
    );
    assert_eq!(
        rows("SELECT month, client_id, quotes, prep_min FROM quote_prep_sums ORDER BY 1, 2"),
        rows(
            "SELECT substr(sent_on, 1, 7), client_id, count(*), sum(prep_min) FROM quotes
             GROUP BY 1, 2 ORDER BY 1, 2"
        ),
        "quote preparation per client and month"
    );
}

fn consistent(d: &Desk) {
    kept_as_recounted(d);
    let conn = rusqlite::Connection::open(&d.db).unwrap();
    let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    let fk: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 0);
    for t in SYNCED_TABLES {
        let missing: i64 = conn
            .query_row(
                &format!("SELECT count(*) FROM {t} WHERE uuid NOT IN (SELECT uuid FROM tc_tasks)"),
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(missing, 0, "{t} records missing from the replica");
    }
}

#[test]
fn a_sync_killed_at_any_point_leaves_both_sides_consistent_and_the_next_one_completes() {
    for point in ["applying", "sent", "commit"] {
        let (_server, mut a, mut b) = pair();
        let task = first_task(&a).to_string();
        a.at("2026-11-23 10:00")
            .ok(&["client", "edit", "Acme", "--notes", "from A"]);
        a.ok(&["client", "add", "Nova"]);
        a.ok(&["task", "ask", &task]);
        b.at("2026-11-23 10:05").ok(&["client", "add", "Zeta"]);
        b.ok(&["task", "add", "Zeta", "Website"]);
        sync(&a);
        let before = b.snapshot();
        let out = b
            .cmd()
            .args(["sync", "--json"])
            .env("VADESK_SYNC_KILL_AT", point)
            .output()
            .unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(out.status.signal(), Some(9), "{point}: killed ({out:?})");
        consistent(&b);
        assert_eq!(
            b.snapshot(),
            before,
            "{point}: nothing of the killed sync was committed"
        );
        let r = sync(&b);
        assert!(r["received"].as_u64().unwrap() > 0, "{point}: {r}");
        sync(&a);
        sync(&b);
        consistent(&a);
        consistent(&b);
        let (ea, eb) = (normalized(&a), normalized(&b));
        assert_eq!(ea, eb, "{point}");
        client(&ea, "Zeta");
        client(&ea, "Nova");
        assert_eq!(client(&ea, "Acme")["notes"], "from A");
        assert_eq!(
            ea["clients"].as_array().map(Vec::len),
            Some(3),
            "{point}: nothing twice"
        );
        assert_eq!(ea["counter_events"].as_array().map(Vec::len), Some(1), "{point}");
        // A killed while sending: the next sync carries on.
        a.ok(&["client", "add", "Orbit"]);
        let out = a
            .cmd()
            .args(["sync"])
            .env("VADESK_SYNC_KILL_AT", "sent")
            .output()
            .unwrap();
        assert_eq!(out.status.signal(), Some(9), "{point}: A killed");
        consistent(&a);
        sync(&a);
        sync(&b);
        sync(&a);
        let (ea, eb) = (normalized(&a), normalized(&b));
        assert_eq!(ea, eb, "{point}");
        assert_eq!(ea["clients"].as_array().map(Vec::len), Some(4), "{point}: {ea}");
    }
}

/// A taskchampion-sync-server on 127.0.0.1: the server's own core (its in-memory storage)
/// behind a minimal HTTP/1.1 front speaking its documented protocol (add-version,
/// get-child-version, add-snapshot, snapshot; X-Client-Id, X-Version-Id,
/// X-Parent-Version-Id, X-Snapshot-Request). Clients are created on their first add-version,
/// as the real server does by default. Returns the base url and the log of what it answered
/// ("METHOD path status"); the server lives as long as the test process.
fn sync_server() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{BufRead, BufReader, Read, Write};
    use taskchampion_sync_server_core::{
        AddVersionResult, GetVersionResult, InMemoryStorage, Server, ServerConfig, ServerError, SnapshotUrgency,
        NIL_VERSION_ID,
    };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = log.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let server = Server::new(ServerConfig::default(), InMemoryStorage::new());
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            let mut parts = line.split_whitespace();
            let (method, path) = (
                parts.next().unwrap_or("").to_string(),
                parts.next().unwrap_or("").to_string(),
            );
            let mut headers: BTreeMap<String, String> = BTreeMap::new();
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                    break;
                }
                if let Some((k, v)) = h.split_once(':') {
                    headers.insert(k.trim().to_lowercase(), v.trim().to_string());
                }
            }
            let len: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
            let mut body = vec![0u8; len];
            if reader.read_exact(&mut body).is_err() {
                continue;
            }
            let client = headers.get("x-client-id").and_then(|c| uuid::Uuid::parse_str(c).ok());
            let uuid_at = |prefix: &str| path.strip_prefix(prefix).and_then(|v| uuid::Uuid::parse_str(v).ok());
            // (status, headers, body)
            let (status, extra, out): (u16, Vec<(&str, String)>, Vec<u8>) = rt.block_on(async {
                let Some(client) = client else {
                    return (400, vec![], b"bad x-client-id".to_vec());
                };
                if method == "POST" {
                    if let Some(parent) = uuid_at("/v1/client/add-version/") {
                        if headers.get("content-type").map(String::as_str)
                            != Some("application/vnd.taskchampion.history-segment")
                            || body.is_empty()
                        {
                            return (400, vec![], vec![]);
                        }
                        loop {
                            return match server.add_version(client, parent, body.clone()).await {
                                Ok((AddVersionResult::Ok(v), urgency)) => {
                                    let mut h = vec![("X-Version-Id", v.to_string())];
                                    match urgency {
                                        SnapshotUrgency::None => {}
                                        SnapshotUrgency::Low => h.push(("X-Snapshot-Request", "urgency=low".into())),
                                        SnapshotUrgency::High => h.push(("X-Snapshot-Request", "urgency=high".into())),
                                    }
                                    (200, h, vec![])
                                }
                                Ok((AddVersionResult::ExpectedParentVersion(p), _)) => {
                                    (409, vec![("X-Parent-Version-Id", p.to_string())], vec![])
                                }
                                Err(ServerError::NoSuchClient) => {
                                    let mut txn = server.txn(client).await.unwrap();
                                    txn.new_client(NIL_VERSION_ID).await.unwrap();
                                    txn.commit().await.unwrap();
                                    continue;
                                }
                                Err(_) => (500, vec![], vec![]),
                            };
                        }
                    }
                    if let Some(version) = uuid_at("/v1/client/add-snapshot/") {
                        if headers.get("content-type").map(String::as_str)
                            != Some("application/vnd.taskchampion.snapshot")
                            || body.is_empty()
                        {
                            return (400, vec![], vec![]);
                        }
                        return match server.add_snapshot(client, version, body.clone()).await {
                            Ok(()) => (200, vec![], vec![]),
                            Err(ServerError::NoSuchClient) => (404, vec![], vec![]),
                            Err(_) => (500, vec![], vec![]),
                        };
                    }
                } else if method == "GET" {
                    if let Some(parent) = uuid_at("/v1/client/get-child-version/") {
                        return match server.get_child_version(client, parent).await {
                            Ok(GetVersionResult::Success {
                                version_id,
                                parent_version_id,
                                history_segment,
                            }) => (
                                200,
                                vec![
                                    ("Content-Type", "application/vnd.taskchampion.history-segment".into()),
                                    ("X-Version-Id", version_id.to_string()),
                                    ("X-Parent-Version-Id", parent_version_id.to_string()),
                                ],
                                history_segment,
                            ),
                            Ok(GetVersionResult::NotFound) | Err(ServerError::NoSuchClient) => (404, vec![], vec![]),
                            Ok(GetVersionResult::Gone) => (410, vec![], vec![]),
                            Err(_) => (500, vec![], vec![]),
                        };
                    }
                    if path == "/v1/client/snapshot" {
                        return match server.get_snapshot(client).await {
                            Ok(Some((version, data))) => (
                                200,
                                vec![
                                    ("Content-Type", "application/vnd.taskchampion.snapshot".into()),
                                    ("X-Version-Id", version.to_string()),
                                ],
                                data,
                            ),
                            Ok(None) | Err(ServerError::NoSuchClient) => (404, vec![], vec![]),
                            Err(_) => (500, vec![], vec![]),
                        };
                    }
                }
                (404, vec![], vec![])
            });
            seen.lock().unwrap().push(format!("{method} {path} {status}"));
            let mut stream = stream;
            let mut head = format!(
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                out.len()
            );
            for (k, v) in extra {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str("\r\n");
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&out);
            let _ = stream.flush();
        }
    });
    (url, log)
}

fn remote_machine(url: &str, client_id: &str) -> Desk {
    let d = Desk::new();
    let dir = d.dir.path().join("config").join("vadesk");
    std::fs::create_dir_all(&dir).unwrap();
    let text = format!(
        "[sync]\nurl = {}\nclient_id = {}\nencryption_secret = {}\n",
        toml_str(url),
        toml_str(client_id),
        toml_str(SECRET)
    );
    std::fs::write(dir.join("config.toml"), text).unwrap();
    d
}

#[test]
fn two_machines_sync_through_a_taskchampion_sync_server() {
    let (url, log) = sync_server();
    let client_id = "6f1c2a9e-3b7d-4e0a-9c55-2d8e41f0b7a3";
    let mut a = remote_machine(&url, client_id);
    let mut b = remote_machine(&url, client_id);
    a.at("2026-11-23 09:00");
    b.at("2026-11-23 09:00");
    a.ok(&["client", "add", "Acme", "--tool", "Slack"]);
    let task = a.id(&["task", "add", "Acme", "Logo"]).to_string();
    let req = a
        .id(&["material", "ask", &task, "brand assets", "--by", "2026-11-24"])
        .to_string();
    let r = a.json(&["sync", "--init", "--json"]);
    assert!(r["sent"].as_u64().unwrap() > 0, "{r}");
    // The server had no snapshot, so it asked A for one (encrypted, like every version).
    let answered = |prefix: &str| {
        log.lock()
            .unwrap()
            .iter()
            .any(|l| l.starts_with(prefix) && l.ends_with(" 200"))
    };
    assert!(answered("POST /v1/client/add-version/"), "{:?}", log.lock().unwrap());
    assert!(answered("POST /v1/client/add-snapshot/"), "{:?}", log.lock().unwrap());
    // B joins empty: everything comes from the server's snapshot.
    let r = sync(&b);
    assert_eq!(r["sent"], 0, "{r}");
    assert!(answered("GET /v1/client/snapshot"), "{:?}", log.lock().unwrap());
    assert_eq!(normalized(&a), normalized(&b));
    // Offline on both, then A, B, A.
    let req_b = b.snapshot()["requests"][0]["id"].as_i64().unwrap().to_string();
    a.at("2026-11-25 09:00")
        .ok(&["client", "edit", "Acme", "--notes", "from A"]);
    a.ok(&["nudge", "material", &req]);
    b.at("2026-11-25 10:00")
        .ok(&["client", "edit", "Acme", "--tool", "Asana"]);
    b.ok(&["nudge", "material", &req_b]);
    b.ok(&["client", "add", "Zeta"]);
    sync(&a);
    sync(&b);
    sync(&a);
    let (ea, eb) = (normalized(&a), normalized(&b));
    assert_eq!(ea, eb);
    let acme = client(&ea, "Acme");
    assert_eq!(
        (acme["notes"].as_str(), acme["tool"].as_str()),
        (Some("from A"), Some("Asana"))
    );
    client(&ea, "Zeta");
    assert_eq!(ea["requests"][0]["nudges"], 2);
    // A third machine with a wrong secret gets nothing.
    let c = Desk::new();
    let dir = c.dir.path().join("config").join("vadesk");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        format!(
            "[sync]\nurl = {}\nclient_id = {}\nencryption_secret = \"wrong\"\n",
            toml_str(&url),
            toml_str(client_id)
        ),
    )
    .unwrap();
    let before = c.snapshot();
    c.fails(&["sync"]);
    assert_eq!(c.snapshot(), before);
}

#[test]
fn undoing_a_nudge_removes_its_event_on_both_machines() {
    let (_server, a, b) = pair();
    let task = first_task(&a).to_string();
    a.ok(&["material", "ask", &task, "brand assets", "--by", "2026-11-24"]);
    sync(&a);
    sync(&b);
    let req_b = b.snapshot()["requests"][0]["id"].as_i64().unwrap().to_string();
    b.ok(&["nudge", "material", &req_b]);
    {
        let mut store = desk_store(&a, "2026-11-25 09:00");
        let id = store
            .conn()
            .query_row("SELECT id FROM requests", [], |r| r.get(0))
            .unwrap();
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert_eq!(
            store
                .nudge(vadesk::domain::RequestKind::Material, id, None, day)
                .unwrap(),
            1
        );
    }
    sync(&a);
    sync(&b);
    sync(&a);
    assert_eq!(a.snapshot()["requests"][0]["nudges"], 2);
    // A takes its own nudge back: an ordinary change, which syncs.
    desk_store(&a, "2026-11-25 10:00").undo().unwrap();
    assert_eq!(a.snapshot()["requests"][0]["nudges"], 1);
    sync(&a);
    sync(&b);
    for d in [&a, &b] {
        let e = d.snapshot();
        assert_eq!(e["requests"][0]["nudges"], 1, "{e}");
        assert_eq!(e["counter_events"].as_array().map(Vec::len), Some(1));
    }
    assert_eq!(normalized(&a), normalized(&b));
}

/// The id of the first task a machine lists.
fn first_task(d: &Desk) -> i64 {
    d.json(&["task", "list", "--json"])[0]["id"].as_i64().unwrap()
}

/// Puts a synced store back to schema 9: counts as numbers, no events table, the replica's
/// triggers as that version installed them.
fn back_to_v9(d: &Desk, nudges: i64) {
    let conn = rusqlite::Connection::open(&d.db).unwrap();
    common::triggers_back_in_the_file(&conn);
    // Columns the steps after 10 add go too (the capture triggers that read them first; they
    // are made again on opening).
    let readers: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'
             AND (sql LIKE '%tool_seen%' OR sql LIKE '%billed_min%')",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for name in readers {
        conn.execute_batch(&format!("DROP TRIGGER \"{name}\"")).unwrap();
    }
    conn.execute_batch(
        "ALTER TABLE tasks DROP COLUMN tool_seen;
         DROP INDEX time_month; ALTER TABLE time_entries DROP COLUMN billed_min;
         CREATE INDEX time_month ON time_entries(start, client_id, minutes, billable, billed_on);",
    )
    .unwrap();
    // What the steps after 10 add (kept tallies, month sums) goes too: they run again.
    let later: Vec<(String, String)> = conn
        .prepare(
            "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'trigger', 'index')
             AND (name IN ('client_tally', 'flag_tally', 'score_basis', 'score_growth', 'time_sums',
                           'flags_future', 'time_sums_month', 'task_due_tally', 'live_requests',
                           'live_requests_task', 'unflagged_quotes', 'unflagged_quotes_id', 'clients_retainer',
                           'unflagged_quote_upd', 'quote_prep_sums', 'rate_judged', 'client_rates',
                           'time_follows_task', 'time_task_client_ins', 'time_task_client_upd', 'billed_terms')
                  OR name LIKE 'tally\\_%' ESCAPE '\\' OR name LIKE 'time\\_sums\\_%' ESCAPE '\\'
                  OR name LIKE 'quote\\_prep\\_%' ESCAPE '\\' OR name LIKE 'rate\\_judged\\_%' ESCAPE '\\')",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (kind, name) in later.iter().filter(|(k, _)| k != "table") {
        conn.execute_batch(&format!("DROP {kind} IF EXISTS \"{name}\""))
            .unwrap();
    }
    for (_, name) in later.iter().filter(|(k, _)| k == "table") {
        conn.execute_batch(&format!("DROP TABLE IF EXISTS \"{name}\"")).unwrap();
    }
    conn.execute_batch(&format!(
        "DROP TABLE counter_events;
         DROP TRIGGER IF EXISTS sync_requests_upd;
         UPDATE requests SET nudges = {nudges}, last_nudge = '2026-11-20';
         UPDATE tc_sync_meta SET value = '' WHERE key = 'triggers';
         PRAGMA user_version = 9;"
    ))
    .unwrap();
}

#[test]
fn two_synced_machines_that_upgrade_keep_their_counts_without_doubling() {
    let (_server, a, b) = pair();
    let task = first_task(&a).to_string();
    a.ok(&["material", "ask", &task, "brand assets", "--by", "2026-11-24"]);
    sync(&a);
    sync(&b);
    // Both machines ran the version where two nudges were a number that synced as one field.
    back_to_v9(&a, 2);
    back_to_v9(&b, 2);
    // The upgrade makes the same two events on both (their uuids derive from the request's).
    for d in [&a, &b] {
        assert_eq!(d.snapshot()["requests"][0]["nudges"], 2);
    }
    sync(&a);
    sync(&b);
    sync(&a);
    for d in [&a, &b] {
        let e = d.snapshot();
        assert_eq!(e["requests"][0]["nudges"], 2, "{e}");
        assert_eq!(e["requests"][0]["last_nudge"], "2026-11-20", "{e}");
        assert_eq!(e["counter_events"].as_array().map(Vec::len), Some(2), "{e}");
    }
    assert_eq!(normalized(&a), normalized(&b));
    // A third machine that joins now gets the events too.
    let server = _server.path().to_path_buf();
    let c = machine(&server, SECRET);
    sync(&c);
    assert_eq!(c.snapshot()["requests"][0]["nudges"], 2);
    assert_eq!(normalized(&a), normalized(&c));
}

#[test]
fn counts_survive_export_and_import_old_or_new() {
    let d = Desk::new();
    d.ok(&["client", "add", "Acme"]);
    let task = d.id(&["task", "add", "Acme", "Logo"]).to_string();
    let req = d
        .id(&["material", "ask", &task, "brand assets", "--by", "2026-11-24"])
        .to_string();
    let quote = d
        .id(&["quote", "add", "Acme", "--amount", "400", "--for", "Rebrand"])
        .to_string();
    d.ok(&["nudge", "material", &req]);
    d.ok(&["nudge", "material", &req]);
    d.ok(&["nudge", "quote", &quote]);
    d.ok(&["task", "ask", &task]);
    let export = d.snapshot();
    assert_eq!(export["counter_events"].as_array().map(Vec::len), Some(4));
    // A new export: the same counts and events, nothing doubled.
    let file = d.dir.path().join("export.json");
    std::fs::write(&file, export.to_string()).unwrap();
    let e = Desk::new();
    e.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(e.snapshot(), export);
    // An export from before counters were events: its counts become events.
    let mut old = export.clone();
    old.as_object_mut().unwrap().remove("counter_events");
    std::fs::write(&file, old.to_string()).unwrap();
    let f = Desk::new();
    f.ok(&["import", file.to_str().unwrap()]);
    let got = f.snapshot();
    assert_eq!(got["requests"], export["requests"]);
    assert_eq!(got["quotes"], export["quotes"]);
    assert_eq!(got["tasks"], export["tasks"]);
    assert_eq!(got["counter_events"].as_array().map(Vec::len), Some(4));
    // And the next nudge counts on from there.
    f.ok(&["nudge", "material", &req]);
    assert_eq!(f.snapshot()["requests"][0]["nudges"], 3);
}

/// A sync folder's file damaged in the middle is named as damaged: the folder's key file,
/// which opens, proves the secret right (it was taken for a wrong secret). Nothing changes.
#[test]
fn a_damaged_server_file_is_named_as_a_possibility() {
    let (server, _a, _b) = pair();
    for e in std::fs::read_dir(server.path()).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_some_and(|x| x == "version") {
            let mut bytes = std::fs::read(&path).unwrap();
            let mid = bytes.len() / 2;
            bytes[mid] ^= 0x5a;
            std::fs::write(&path, bytes).unwrap();
        }
    }
    let c = machine(server.path(), SECRET);
    let before = c.snapshot();
    let (_, err) = c.fails(&["sync"]);
    assert!(err.contains(".version in the sync folder"), "{err}");
    assert!(err.contains("is damaged"), "{err}");
    assert!(!err.contains("encryption_secret"), "{err}");
    assert_eq!(c.snapshot(), before);
}

/// A task moved to another client on one machine while the other logs time on it offline:
/// after the syncs both machines have the entry with the task's new client (it stayed with the
/// old one, whose statement then billed another client's task).
#[test]
fn time_logged_offline_follows_a_task_moved_on_the_other_machine() {
    let (_server, a, b) = pair();
    a.ok(&["client", "add", "Nova", "--rate", "20"]);
    sync(&a);
    sync(&b);
    a.ok(&["task", "edit", "1", "--client", "Nova"]);
    b.ok(&["time", "log", "1", "30m", "--on", "2026-11-23 08:00"]);
    sync(&a);
    sync(&b);
    sync(&a);
    for d in [&a, &b] {
        let c = rusqlite::Connection::open(&d.db).unwrap();
        let (entry_client, task_client): (String, String) = c
            .query_row(
                "SELECT ec.name, tc.name FROM time_entries e JOIN tasks t ON t.id = e.task_id
                 JOIN clients ec ON ec.id = e.client_id JOIN clients tc ON tc.id = t.client_id",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((entry_client.as_str(), task_client.as_str()), ("Nova", "Nova"));
        let nova = d.json(&["statement", "Nova", "--month", "2026-11", "--json"]);
        assert_eq!(nova["billable_minutes"], 30, "{nova}");
        let acme = d.json(&["statement", "Acme", "--month", "2026-11", "--json"]);
        assert_eq!(acme["billable_minutes"], 0, "{acme}");
    }
    assert_eq!(normalized(&a), normalized(&b));
}

/// The common failures have their own words in both languages, without the engine's English.
#[test]
fn common_sync_failures_are_said_in_the_user_s_language() {
    let (server, a, _b) = pair();
    a.ok(&["client", "add", "Nova"]);
    sync(&a);
    let english = ["Server Error", "os error", "damaged key", "error sending", "Failed to"];
    let says = |d: &Desk, en: &str, es: &str| {
        let before = d.snapshot();
        let (_, err) = d.fails(&["sync"]);
        assert!(err.contains(en), "{err}");
        let (_, err) = d.fails(&["--lang", "es", "sync"]);
        assert!(err.contains(es), "{err}");
        assert!(!english.iter().any(|w| err.contains(w)), "{err}");
        assert_eq!(d.snapshot(), before);
    };
    // The folder is a file (a share not mounted where it should be, a typo).
    let not_a_folder = server.path().join("vadesk-sync.key");
    let c = machine(&not_a_folder, SECRET);
    says(
        &c,
        "cannot be used: part of the path is not a folder. Check local_dir",
        "no se puede usar la carpeta de sincronización",
    );
    // A damaged key file, then a version file cut short (for a machine that reads it).
    let copy = tempfile::tempdir().unwrap();
    for (name, bytes) in listing(server.path()) {
        std::fs::write(copy.path().join(name), bytes).unwrap();
    }
    let d = machine(copy.path(), SECRET);
    std::fs::write(copy.path().join("vadesk-sync.key"), b"short").unwrap();
    says(
        &d,
        "the file vadesk-sync.key in the sync folder",
        "el archivo vadesk-sync.key de la carpeta de sincronización",
    );
    std::fs::write(
        copy.path().join("vadesk-sync.key"),
        std::fs::read(server.path().join("vadesk-sync.key")).unwrap(),
    )
    .unwrap();
    let first = copy.path().join("00000000000000000000000000000000.version");
    let bytes = std::fs::read(&first).unwrap();
    std::fs::write(&first, &bytes[..20]).unwrap();
    says(
        &d,
        "00000000000000000000000000000000.version in the sync folder",
        "está dañado",
    );
    // A server out of reach: a local port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let e = Desk::new();
    let dir = e.dir.path().join("config").join("vadesk");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        format!(
            "[sync]\nurl = \"http://127.0.0.1:{port}\"\nclient_id = \"0f8e3b0a-4f59-4c1e-9a57-3c1c2f0d4e11\"\nencryption_secret = \"s\"\n"
        ),
    )
    .unwrap();
    says(
        &e,
        "cannot be reached: check url in [sync]",
        "no se puede conectar con el servidor de sincronización",
    );
}

/// Tasks whose operations pass TaskChampion's limit of a million bytes per version: the upload
/// is cut into several versions, and one task's operations fall on both sides of a cut.
fn add_big_tasks(d: &Desk, n: usize) {
    let spec = "lorem ipsum ".repeat(1_666);
    for i in 1..=n {
        d.ok(&["task", "add", "Acme", &format!("Offline task {i}"), "--spec", &spec]);
    }
}

fn versions(dir: &Path) -> usize {
    listing(dir).iter().filter(|f| f.0.ends_with(".version")).count()
}

#[test]
fn a_large_sync_cut_into_several_versions_arrives_whole_and_a_new_machine_joins() {
    let (server, a, b) = pair();
    let before = versions(server.path());
    add_big_tasks(&a, 60);
    let r = sync(&a);
    assert!(r["sent"].as_u64().unwrap() > 0, "{r}");
    assert!(
        versions(server.path()) >= before + 2,
        "the upload was cut in several versions"
    );
    let r = sync(&b);
    assert_eq!(r["conflicts"], 0, "{r}");
    let (ea, eb) = (normalized(&a), normalized(&b));
    assert_eq!(ea["tasks"].as_array().map(Vec::len), Some(61));
    assert_eq!(ea, eb);
    consistent(&b);
    // A machine that joins afterwards replays the same versions.
    let c = machine(server.path(), SECRET);
    sync(&c);
    assert_eq!(normalized(&c), ea);
    consistent(&c);
}

#[test]
fn a_record_cut_off_by_a_sender_killed_between_two_versions_waits_for_the_rest() {
    let (server, a, b) = pair();
    add_big_tasks(&a, 60);
    // A is killed once the server took its first version: the rest of the upload, and the
    // rest of the task whose operations that version ends in, are not there yet.
    let before = versions(server.path());
    let out = a
        .cmd()
        .args(["sync", "--json"])
        .env("VADESK_SYNC_KILL_AT", "sent")
        .output()
        .unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(out.status.signal(), Some(9), "{out:?}");
    assert_eq!(versions(server.path()), before + 1);
    // B takes what is there; the task cut in two waits, nothing half written.
    sync(&b);
    consistent_desk(&b);
    let tasks = b.json(&["task", "list", "--json"]);
    let n = tasks.as_array().map(Vec::len).unwrap_or(0);
    assert!((2..61).contains(&n), "{n} tasks on B");
    for t in tasks.as_array().unwrap() {
        assert!(!t["title"].as_str().unwrap_or("").is_empty(), "{t}");
    }
    // A's next sync sends the rest, and B completes the waiting task.
    sync(&a);
    sync(&b);
    let (ea, eb) = (normalized(&a), normalized(&b));
    assert_eq!(ea["tasks"].as_array().map(Vec::len), Some(61));
    assert_eq!(ea, eb);
    consistent(&a);
    consistent(&b);
}

/// Like `consistent`, for a store that may hold records still waiting in the replica.
fn consistent_desk(d: &Desk) {
    kept_as_recounted(d);
    let conn = rusqlite::Connection::open(&d.db).unwrap();
    let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    let fk: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 0);
}

/// (minutes, billed_on) of every time entry, by start and minutes.
fn entries(d: &Desk) -> Vec<(i64, Option<String>)> {
    let list = d.json(&["time", "list", "--json"]);
    let mut v: Vec<(i64, Option<String>)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["minutes"].as_i64().unwrap(),
                e["billed_on"].as_str().map(String::from),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn billed_time_changed_offline_on_the_other_machine_keeps_what_was_invoiced() {
    // B changes an entry A billed, then syncs second (B sees both sides)...
    let (_server, mut a, mut b) = pair();
    a.ok(&["time", "log", "--client", "Acme", "1h", "--on", "2026-11-10 10:00"]);
    a.ok(&["time", "log", "--client", "Acme", "30m", "--on", "2026-11-12 10:00"]);
    sync(&a);
    sync(&b);
    a.at("2026-11-30 11:00").ok(&["statement", "Acme", "--mark-billed"]);
    let on_b = b.json(&["time", "list", "--json"]);
    let id_on_b = |m: i64| on_b.as_array().unwrap().iter().find(|e| e["minutes"] == m).unwrap()["id"].to_string();
    b.at("2026-11-30 11:00")
        .ok(&["time", "edit", &id_on_b(60), "--minutes", "4h"]);
    // Made not billable offline: the invoice counted it, so it stays billable.
    b.ok(&["time", "edit", &id_on_b(30), "--unbilled"]);
    a.at("2026-11-30 12:00");
    b.at("2026-11-30 12:00");
    sync(&a);
    let r = sync(&b);
    assert_eq!(r["billed_kept"], 2, "{r}");
    assert!(r["conflicts"].as_u64().unwrap() >= 1, "{r}");
    let out = b.ok(&["sync"]);
    assert!(!out.contains("billed time"), "said once: {out}");
    sync(&a);
    let billed = Some("2026-11-30".to_string());
    let want = vec![(30, billed.clone()), (60, billed.clone()), (180, None)];
    assert_eq!(entries(&a), want);
    assert_eq!(entries(&b), want);
    assert_eq!(normalized(&a), normalized(&b));
    let list = a.json(&["time", "list", "--json"]);
    assert!(list.as_array().unwrap().iter().all(|e| e["billable"] == true), "{list}");

    // ...or first (A sees both sides); and an entry deleted offline comes back billed.
    let (_server, mut a, mut b) = pair();
    a.ok(&["time", "log", "--client", "Acme", "1h", "--on", "2026-11-10 10:00"]);
    a.ok(&["time", "log", "--client", "Acme", "2h", "--on", "2026-11-11 10:00"]);
    sync(&a);
    sync(&b);
    a.at("2026-11-30 11:00").ok(&["statement", "Acme", "--mark-billed"]);
    let ids = b.json(&["time", "list", "--json"]);
    let id_of = |m: i64| ids.as_array().unwrap().iter().find(|e| e["minutes"] == m).unwrap()["id"].to_string();
    b.at("2026-11-30 11:00").ok(&["time", "delete", &id_of(60)]);
    b.ok(&["time", "edit", &id_of(120), "--minutes", "3h"]);
    a.at("2026-11-30 12:00");
    b.at("2026-11-30 12:00");
    sync(&b);
    let out = a.ok(&["sync"]);
    assert!(out.contains("2 billed time entries were changed or deleted"), "{out}");
    sync(&b);
    let want = vec![(60, None), (60, billed.clone()), (120, billed)];
    assert_eq!(entries(&a), want);
    assert_eq!(entries(&b), want);
    assert_eq!(normalized(&a), normalized(&b));
}

#[test]
fn sync_counts_what_it_received_and_only_real_conflicts() {
    let (_server, mut a, mut b) = pair();
    a.ok(&["task", "add", "Acme", "Newsletter", "--every", "fri"]);
    sync(&a);
    sync(&b);
    // Both machines make the same next instance: the same operations on both sides.
    a.at("2026-12-05 09:00").ok(&["tick", "--once"]);
    b.at("2026-12-05 09:00").ok(&["tick", "--once"]);
    let ra = sync(&a);
    let sent = ra["sent"].as_u64().unwrap();
    assert!(sent > 0, "{ra}");
    let rb = sync(&b);
    assert_eq!(rb["received"], sent, "B received A's operations: {rb}");
    assert_eq!(rb["conflicts"], 0, "the same operations are no conflict: {rb}");
    assert_eq!(normalized(&a), normalized(&b));
    // One field edited on both machines: the later edit wins, and the sync that settles it
    // counts one conflict and what it received.
    b.at("2026-12-05 10:00")
        .ok(&["client", "edit", "Acme", "--notes", "from B"]);
    let rb = sync(&b);
    assert_eq!(
        (rb["sent"].as_u64(), rb["conflicts"].as_u64()),
        (Some(1), Some(0)),
        "{rb}"
    );
    a.at("2026-12-05 10:05")
        .ok(&["client", "edit", "Acme", "--notes", "from A"]);
    let ra = sync(&a);
    assert_eq!(ra["received"], 1, "{ra}");
    assert_eq!(ra["conflicts"], 1, "{ra}");
    let rb = sync(&b);
    assert_eq!(rb["received"], 1, "{rb}");
    assert_eq!(rb["conflicts"], 0, "{rb}");
    assert_eq!(client(&normalized(&b), "Acme")["notes"], "from A");
}

/// Client names with their uuids, sorted.
fn client_names(d: &Desk) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = normalized(d)["clients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["uuid"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn a_name_clash_renames_only_the_newcomer_to_a_name_free_on_both_machines() {
    // uuids are random: a few runs meet both orders.
    for _ in 0..3 {
        let (_server, a, b) = pair();
        // A client that reached the server a while ago keeps its name against a newcomer.
        a.ok(&["client", "add", "Orbit"]);
        sync(&a);
        let orbit = client(&normalized(&a), "Orbit")["uuid"].clone();
        b.ok(&["client", "add", "ORBIT"]);
        a.ok(&["client", "add", "Zed"]);
        a.ok(&["client", "add", "Zed (2)"]);
        let zed2 = client(&normalized(&a), "Zed (2)")["uuid"].clone();
        b.ok(&["client", "add", "zed"]);
        sync(&a);
        sync(&b);
        sync(&a);
        // Agreement after one round, before the renames travel.
        assert_eq!(client_names(&a), client_names(&b));
        let eb = normalized(&b);
        assert_eq!(client(&eb, "Orbit")["uuid"], orbit);
        assert_eq!(
            client(&eb, "Zed (2)")["uuid"],
            zed2,
            "the untouched Zed (2) keeps its name"
        );
        client(&eb, "zed (3)");
        client(&eb, "ORBIT (2)");
        client(&eb, "Zed");
        sync(&b);
        sync(&a);
        assert_eq!(normalized(&a), normalized(&b));
    }
}

#[test]
fn a_client_restored_by_the_other_machine_s_task_keeps_its_edits_after_one_round() {
    let (_server, mut a, mut b) = pair();
    // A deletes the client (through the store, as the desk does).
    delete_client_as_the_desk_does(&mut a, "Acme", "2026-11-23 10:00");
    // B, offline, adds a task to it and edits its notes.
    b.at("2026-11-23 10:30")
        .ok(&["task", "add", "Acme", "Invoice template"]);
    b.ok(&["client", "edit", "Acme", "--notes", "B notes"]);
    sync(&a);
    let r = sync(&b);
    assert_eq!(r["restored"], 1, "{r}");
    sync(&a);
    let (ea, eb) = (normalized(&a), normalized(&b));
    assert_eq!(ea, eb, "one full round");
    let acme = client(&ea, "Acme");
    assert_eq!((&acme["status"], &acme["notes"]), (&json!("ended"), &json!("B notes")));
    // Nothing left to settle.
    let r = sync(&b);
    assert_eq!(
        (r["received"].as_u64(), r["changed"].as_u64()),
        (Some(0), Some(0)),
        "{r}"
    );
}

/// A sync folder that is not there (a USB stick not plugged in, a share not mounted) is never
/// made by a plain sync, which would start an empty one on this machine's disk: the sync is
/// refused, saying so. `sync --init` makes the folder itself, but never missing folders above it.
#[test]
fn a_missing_sync_folder_is_said_never_made_by_a_plain_sync() {
    let root = tempfile::tempdir().unwrap();
    let usb = root.path().join("media").join("usb").join("vadesk");
    let mut a = machine(&usb, SECRET);
    a.at("2026-11-23 09:00");
    a.ok(&["client", "add", "Acme"]);
    let (_, err) = a.fails(&["sync", "--init"]);
    assert!(err.contains("cannot be used") && err.contains("is there"), "{err}");
    assert!(
        !root.path().join("media").exists(),
        "folders were made above the sync folder"
    );
    std::fs::create_dir_all(usb.parent().unwrap()).unwrap();
    a.ok(&["sync", "--init"]);
    assert!(usb.join("key").exists() || std::fs::read_dir(&usb).unwrap().next().is_some());
    // The other machine, its folder not there: refused, nothing made, nothing joined.
    let elsewhere = root.path().join("unplugged").join("vadesk");
    let b = machine(&elsewhere, SECRET);
    let (_, err) = b.fails(&["--lang", "es", "sync"]);
    assert!(err.contains("no se puede usar") || err.contains("carpeta"), "{err}");
    assert!(!elsewhere.exists());
    std::fs::create_dir_all(elsewhere.parent().unwrap()).unwrap();
    let (_, err) = b.fails(&["sync"]);
    assert!(err.contains("cannot be used"), "{err}");
    assert!(!elsewhere.exists(), "a plain sync made the folder");
}

/// In a store that syncs, a task with time on it can be deleted and a repeating task stopped:
/// both set a foreign key to NULL (`time_entries.task_id`, `tasks.recurrence_id`), whose
/// action ran the capture triggers under an abort rule and failed with "UNIQUE constraint
/// failed: tc_tasks.uuid". The other machine gets both changes.
#[test]
fn a_synced_store_deletes_a_task_with_time_and_stops_a_repeat() {
    let (_server, a, b) = pair();
    let logo = first_task(&a).to_string();
    a.ok(&["time", "log", &logo, "1h", "--on", "2026-11-20 10:00"]);
    let w = a
        .id(&["task", "add", "Acme", "Weekly report", "--every", "fri"])
        .to_string();
    a.ok(&["task", "edit", &w, "--every", "none"]);
    // Deleting a task is the desk's `D`: its store call.
    vadesk::Store::open(&a.db)
        .unwrap()
        .delete_task(logo.parse().unwrap())
        .expect("a task with time is deleted in a synced store");
    assert!(a.json(&["time", "list", "--json"])[0]["task"].is_null());
    sync(&a);
    sync(&b);
    let titles: Vec<String> = b
        .json(&["task", "list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(titles, ["Weekly report"]);
    let entries = b.json(&["time", "list", "--json"]);
    assert_eq!(entries.as_array().unwrap().len(), 1);
    assert!(entries[0]["task"].is_null(), "{entries}");
    b.ok(&["doctor"]);
}

/// A client deleted with its task and logged time, then undone: the undo's rows reach the other
/// machine whole. They came back in the undo log's order, a time entry before its task, so
/// the entry was captured without its task and the other machine kept it apart for good.
#[test]
fn an_undone_client_deletion_reaches_the_other_machine_whole() {
    let (_server, a, b) = pair();
    let logo = first_task(&a).to_string();
    a.ok(&["time", "log", &logo, "1h", "--on", "2026-11-20 10:00"]);
    sync(&a);
    sync(&b);
    let mut desk = vadesk::Store::open(&a.db).unwrap();
    desk.enable_undo().unwrap();
    let acme = desk.find_client("Acme").unwrap().id;
    desk.delete_client(acme).unwrap();
    desk.undo().unwrap();
    drop(desk);
    sync(&a);
    sync(&b);
    sync(&a);
    let entry = |d: &Desk| d.json(&["time", "list", "--json"])[0]["task"].clone();
    assert_eq!(
        entry(&a),
        entry(&b),
        "the time entry's task differs between the machines"
    );
    assert!(!entry(&b).is_null());
    assert_eq!(normalized(&a), normalized(&b));
}

/// A billed entry's task moved to another client on the other machine before it knew of the
/// billing: the entry stays with the client it was billed to (leaving the task, which goes on
/// with its new client), in either order of syncs, and Bloom's invoice keeps its time. It went
/// to Acme, billed, with Bloom's statement emptied.
#[test]
fn billed_time_stays_with_its_client_when_its_task_moves_elsewhere() {
    for b_first in [false, true] {
        let (_server, mut a, mut b) = pair();
        a.ok(&["client", "add", "Bloom", "--rate", "30"]);
        let t = a.id(&["task", "add", "Bloom", "T2"]).to_string();
        a.ok(&["time", "log", &t, "1h30m", "--on", "2026-11-05 08:00"]);
        sync(&a);
        sync(&b);
        a.at("2026-11-23 10:00")
            .ok(&["statement", "Bloom", "--month", "2026-11", "--mark-billed"]);
        let t_on_b = b
            .json(&["task", "list", "--json"])
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["title"] == "T2")
            .unwrap()["id"]
            .to_string();
        b.at("2026-11-23 10:00")
            .ok(&["task", "edit", &t_on_b, "--client", "Acme"]);
        a.at("2026-11-23 11:00");
        b.at("2026-11-23 11:00");
        let kept = if b_first {
            sync(&b);
            let r = sync(&a);
            sync(&b);
            r
        } else {
            sync(&a);
            let r = sync(&b);
            sync(&a);
            r
        };
        assert_eq!(kept["billed_kept"], 1, "{kept}");
        for d in [&a, &b] {
            let e = &d.json(&["time", "list", "--json"])[0];
            assert_eq!(e["client"], "Bloom", "b_first {b_first}: {e}");
            assert!(e["task"].is_null(), "{e}");
            assert!(e["billed_on"].is_string(), "{e}");
            let st = d.json(&["statement", "Bloom", "--month", "2026-11", "--json"]);
            assert_eq!(st["billed_minutes"], 90, "{st}");
            let task = d
                .json(&["task", "list", "--json"])
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["title"] == "T2")
                .unwrap()
                .clone();
            assert_eq!(task["client"], "Acme");
        }
        assert_eq!(normalized(&a), normalized(&b));
    }
}

/// A record changed on both machines is one conflict, however many of its fields each side
/// wrote: here the same automatic flag raised on both, then gone with its quote on A and
/// dismissed on B, all before either synced.
#[test]
fn a_record_changed_on_both_machines_is_one_conflict_whatever_its_fields() {
    let (_server, mut a, mut b) = pair();
    let quote = a
        .id(&[
            "quote",
            "add",
            "Acme",
            "--amount",
            "400",
            "--for",
            "Rebrand",
            "--answer-by",
            "2026-11-24",
        ])
        .to_string();
    sync(&a);
    sync(&b);
    a.at("2026-11-26 09:00").ok(&["tick", "--once"]);
    b.at("2026-11-26 09:00").ok(&["tick", "--once"]);
    let flag_on = |d: &Desk| {
        d.json(&["flag", "list", "--json"])
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["kind"] == "quote_unanswered" && f["dismissed"] == false)
            .map(|f| f["id"].as_i64().unwrap().to_string())
    };
    assert!(flag_on(&a).is_some());
    let on_b = flag_on(&b).expect("B raised the same flag");
    a.at("2026-11-26 10:00").ok(&["quote", "delete", &quote]);
    b.at("2026-11-26 11:00").ok(&["flag", "dismiss", &on_b]);
    let ra = sync(&a);
    assert_eq!(ra["conflicts"], 0, "{ra}");
    let rb = sync(&b);
    assert_eq!(rb["conflicts"], 1, "one flag, one conflict: {rb}");
    sync(&a);
    assert_eq!(normalized(&a), normalized(&b));
    assert_eq!(flag_on(&b), None);
}

/// A month billed on one machine is billed under the same terms on the other, whatever the
/// client's terms become there; both machines billing the same month offline settle on one
/// billing's terms.
#[test]
fn a_billed_month_s_terms_reach_the_other_machine() {
    let (_server, mut a, mut b) = pair();
    a.at("2026-11-23 10:00");
    a.ok(&["client", "edit", "Acme", "--rate", "40"]);
    a.ok(&["time", "log", "--client", "Acme", "1h", "--on", "2026-11-02 10:00"]);
    a.ok(&["client", "add", "Nova", "--rate", "30"]);
    a.ok(&["time", "log", "--client", "Nova", "2h", "--on", "2026-11-03 10:00"]);
    sync(&a);
    sync(&b);
    a.ok(&["statement", "Acme", "--mark-billed"]);
    sync(&a);
    sync(&b);
    b.at("2026-11-23 11:00");
    b.ok(&["client", "edit", "Acme", "--rate", "70", "--currency", "USD"]);
    let st = |d: &Desk, who: &str| d.json(&["statement", who, "--json"]);
    let on_b = st(&b, "Acme");
    assert_eq!(on_b["terms_billed_on"], "2026-11-23", "{on_b}");
    assert_eq!(
        (on_b["rate_cents"].as_i64(), on_b["currency"].as_str()),
        (Some(4000), Some("EUR"))
    );
    // Both bill Nova's month offline, at different rates: after syncing, one billing's terms.
    a.ok(&["client", "edit", "Nova", "--rate", "35"]);
    a.ok(&["statement", "Nova", "--mark-billed"]);
    b.ok(&["client", "edit", "Nova", "--rate", "45"]);
    b.ok(&["statement", "Nova", "--mark-billed"]);
    sync(&a);
    sync(&b);
    sync(&a);
    let totals = |d: &Desk| {
        let mut v = st(d, "Nova");
        v.as_object_mut().unwrap().remove("entries");
        v
    };
    assert_eq!(totals(&a), totals(&b));
    assert!([3500, 4500].contains(&totals(&a)["rate_cents"].as_i64().unwrap()));
    assert_eq!(st(&a, "Acme")["rate_cents"], st(&b, "Acme")["rate_cents"]);
    assert_eq!(normalized(&a), normalized(&b));
    consistent(&a);
    consistent(&b);
}

/// Two records of different kinds with one uuid (a store written by an older version, or by
/// hand) would reach the other machine as one: `sync --init` refuses and changes nothing, and a
/// replica refuses a new record whose uuid another kind of record has.
#[test]
fn a_uuid_shared_by_two_kinds_of_record_never_reaches_the_server() {
    let server = tempfile::tempdir().unwrap();
    let a = machine(server.path(), SECRET);
    a.ok(&["demo"]);
    let store = vadesk::Store::open(&a.db).unwrap();
    let conn = store.conn();
    let client: String = conn
        .query_row("SELECT uuid FROM clients WHERE id = 1", [], |r| r.get(0))
        .unwrap();
    let task: String = conn
        .query_row("SELECT uuid FROM tasks WHERE id = 5", [], |r| r.get(0))
        .unwrap();
    conn.execute("UPDATE tasks SET uuid = ?1 WHERE id = 5", [&client])
        .unwrap();
    drop(store);
    let before = a.snapshot();
    let (_, err) = a.fails(&["sync", "--init"]);
    assert!(err.contains(&format!("have the same uuid {client}")), "{err}");
    assert_eq!(a.snapshot(), before);
    let (_, err) = a.fails(&["sync"]);
    assert!(err.contains("sync --init"), "not a replica after the refusal: {err}");
    // Put right, it starts; then a Taskwarrior task with a client's uuid is refused.
    let store = vadesk::Store::open(&a.db).unwrap();
    store
        .conn()
        .execute("UPDATE tasks SET uuid = ?1 WHERE id = 5", [&task])
        .unwrap();
    drop(store);
    a.ok(&["sync", "--init"]);
    let tw = a.dir.path().join("tw.json");
    std::fs::write(
        &tw,
        format!(r#"[{{"uuid":"{client}","description":"Evil","status":"pending","entry":"20261101T000000Z","project":"P"}}]"#),
    )
    .unwrap();
    let before = a.snapshot();
    let (_, err) = a.fails(&["import", "--from", "taskwarrior", tw.to_str().unwrap()]);
    assert!(
        err.contains("nothing was imported") || err.contains("nothing was changed"),
        "{err}"
    );
    assert_eq!(a.snapshot(), before);
    // The other machine gets every record.
    let b = machine(server.path(), SECRET);
    sync(&b);
    assert_eq!(normalized(&b), normalized(&a));
}

fn task_titled<'a>(export: &'a Value, title: &str) -> &'a Value {
    export["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["title"] == title)
        .unwrap_or_else(|| panic!("no task {title} in {}", export["tasks"]))
}

/// One machine deletes a client while the other, offline, edits it and adds a task to it: the
/// client comes back as `ended` on both with the editor's edits, whichever machine syncs first.
/// When the editor synced first, the deleter restored its own image of the client (without the
/// edits, which its deletion had made give way) and sent it as new: the edits were lost on both.
#[test]
fn a_client_kept_by_the_other_machine_keeps_its_edits_whoever_syncs_first() {
    for editor_first in [true, false] {
        let (_server, mut a, mut b) = pair();
        a.at("2026-11-23 10:00");
        a.ok(&["client", "edit", "Acme", "--notes", "notes from A", "--rate", "45"]);
        a.ok(&["task", "add", "Acme", "Invoice template"]);
        delete_client_as_the_desk_does(&mut b, "Acme", "2026-11-23 10:30");
        if editor_first {
            let r = sync_in_turn(&a, &b);
            assert_eq!(r["restored"], 1, "{r}");
        } else {
            sync_in_turn(&b, &a);
        }
        let (ea, eb) = (normalized(&a), normalized(&b));
        assert_eq!(ea, eb, "editor first: {editor_first}");
        let acme = client(&ea, "Acme");
        assert_eq!(
            (&acme["status"], &acme["notes"], &acme["rate_cents"]),
            (&json!("ended"), &json!("notes from A"), &json!(4500)),
            "editor first: {editor_first}"
        );
        task_titled(&ea, "Invoice template");
        for d in [&a, &b] {
            let r = sync(d);
            assert_eq!((r["received"].as_u64(), r["sent"].as_u64()), (Some(0), Some(0)), "{r}");
        }
    }
}

/// The same for a task: deleted on one machine while the other retitles it and logs time on it.
/// The time keeps its task, retitled, on both machines, whichever syncs first.
#[test]
fn a_task_kept_by_the_other_machine_s_time_keeps_its_edits_whoever_syncs_first() {
    for editor_first in [true, false] {
        let (_server, mut a, mut b) = pair();
        let logo_a = first_task(&a).to_string();
        a.at("2026-11-23 10:00");
        a.ok(&[
            "task",
            "edit",
            &logo_a,
            "--title",
            "Logo, second round",
            "--due",
            "2026-12-04",
        ]);
        a.ok(&["time", "log", &logo_a, "45m", "--on", "2026-11-23 09:00"]);
        b.at("2026-11-23 10:30");
        let logo_b = first_task(&b);
        vadesk::Store::open(&b.db).unwrap().delete_task(logo_b).unwrap();
        let (first, second) = if editor_first { (&a, &b) } else { (&b, &a) };
        sync_in_turn(first, second);
        let (ea, eb) = (normalized(&a), normalized(&b));
        assert_eq!(ea, eb, "editor first: {editor_first}");
        let task = task_titled(&ea, "Logo, second round");
        assert_eq!(task["due"], "2026-12-04", "editor first: {editor_first}");
        let entries = ea["time_entries"].as_array().unwrap();
        assert_eq!(entries.len(), 1, "{entries:?}");
        assert_eq!(entries[0]["task_id"], task["uuid"], "editor first: {editor_first}");
    }
}

/// An edit with no record of the other machine depending on it still loses to the deletion,
/// in either order (SPEC: deleting beats editing).
#[test]
fn an_edit_alone_still_loses_to_a_deletion_whoever_syncs_first() {
    for editor_first in [true, false] {
        let (_server, mut a, mut b) = pair();
        a.at("2026-11-23 10:00");
        a.ok(&["client", "edit", "Acme", "--notes", "notes from A"]);
        delete_client_as_the_desk_does(&mut b, "Acme", "2026-11-23 10:30");
        let (first, second) = if editor_first { (&a, &b) } else { (&b, &a) };
        sync_in_turn(first, second);
        let (ea, eb) = (normalized(&a), normalized(&b));
        assert_eq!(ea, eb, "editor first: {editor_first}");
        assert_eq!(ea["clients"], json!([]), "editor first: {editor_first}");
        assert_eq!(ea["tasks"], json!([]), "editor first: {editor_first}");
    }
}

/// The local ids a store gave `table`'s rows, by uuid.
fn raw(d: &Desk, sql: &str) -> Vec<(String, Option<String>)> {
    let conn = rusqlite::Connection::open(&d.db).unwrap();
    let mut q = conn.prepare(sql).unwrap();
    let rows = q
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)))
        .unwrap();
    rows.map(Result::unwrap).collect()
}

/// An automatic flag raised on one machine reaches the other with its source, named with that
/// machine's own ids, so it retires there when what raised it is settled there. It arrived
/// without one and never retired: the two machines' scores differed for good.
#[test]
fn a_flag_received_by_sync_retires_when_its_source_is_settled_there() {
    let (_server, mut a, mut b) = pair();
    // B's own meeting first, so that the two machines number A's meeting differently.
    b.ok(&["meeting", "add", "Acme", "--at", "2026-11-30 10:00"]);
    let on_a = a.id(&[
        "meeting",
        "add",
        "Acme",
        "--at",
        "2026-11-20 10:00",
        "--kind",
        "discovery",
    ]);
    sync(&b);
    sync(&a);
    sync(&b);
    a.at("2026-11-23 11:00")
        .ok(&["meeting", "attended", &on_a.to_string(), "no_show"]);
    sync(&a);
    sync(&b);
    let meeting_b = raw(
        &b,
        "SELECT uuid, CAST(id AS TEXT) FROM meetings WHERE at LIKE '2026-11-20%'",
    )[0]
    .1
    .clone()
    .unwrap();
    assert_ne!(meeting_b, on_a.to_string(), "the test needs different ids");
    let flags_b = raw(&b, "SELECT uuid, source_ref FROM flags");
    assert_eq!(flags_b.len(), 1, "{flags_b:?}");
    assert_eq!(flags_b[0].1.as_deref(), Some(format!("meeting:{meeting_b}").as_str()));
    b.ok(&["doctor"]);
    // Corrected on B (the client did come): the flag goes there, and with the next syncs on A.
    b.at("2026-11-23 12:00")
        .ok(&["meeting", "attended", &meeting_b, "on_time"]);
    assert_eq!(b.json(&["flag", "list", "--json"]), json!([]));
    sync(&b);
    sync(&a);
    assert_eq!(a.json(&["flag", "list", "--json"]), json!([]));
    assert_eq!(normalized(&a), normalized(&b));
}

/// A replica made before sources travelled: its flags' records were sent without them, and the
/// other machine holds those flags without a source. Opened by this version, it sends them
/// once, and the other machine's flags get theirs.
#[test]
fn flags_synced_before_sources_travelled_get_them_after_the_upgrade() {
    let (_server, mut a, b) = pair();
    let logo_a = first_task(&a).to_string();
    a.ok(&["material", "ask", &logo_a, "brand assets", "--by", "2026-11-24"]);
    a.at("2026-11-27 09:00").ok(&["tick", "--once"]);
    // As the previous version captured it: no source in the record or its operations.
    {
        let conn = rusqlite::Connection::open(&a.db).unwrap();
        conn.execute_batch(
            "DELETE FROM tc_operations WHERE json_extract(data, '$.Update.property') = 'source_ref';
             UPDATE tc_tasks SET data = json_remove(data, '$.source_ref');",
        )
        .unwrap();
    }
    sync(&a);
    sync(&b);
    let flags_b = raw(&b, "SELECT uuid, source_ref FROM flags");
    assert_eq!(flags_b.len(), 1);
    assert_eq!(flags_b[0].1, None, "received without its source, as before");
    // The upgrade: the capture triggers change, and A is opened again.
    {
        let conn = rusqlite::Connection::open(&a.db).unwrap();
        conn.execute("DELETE FROM tc_sync_meta WHERE key = 'triggers'", [])
            .unwrap();
    }
    let r = sync(&a);
    assert!(r["sent"].as_u64().unwrap() >= 1, "{r}");
    sync(&b);
    let request_b = raw(&b, "SELECT uuid, CAST(id AS TEXT) FROM requests")[0]
        .1
        .clone()
        .unwrap();
    let flags_b = raw(&b, "SELECT uuid, source_ref FROM flags");
    assert_eq!(flags_b[0].1.as_deref(), Some(format!("material:{request_b}").as_str()));
    // Nothing more to send either way.
    for d in [&a, &b] {
        let r = sync(d);
        assert_eq!((r["received"].as_u64(), r["sent"].as_u64()), (Some(0), Some(0)), "{r}");
    }
}

/// A flag raised on one machine while the other, offline, settled what raised it (the meeting
/// marked on time, or deleted) goes on both, whichever syncs first: it stayed on both and
/// counted in the client's score for good.
#[test]
fn a_flag_settled_offline_on_the_other_machine_goes_on_both() {
    for (delete, editor_first) in [(false, true), (false, false), (true, true), (true, false)] {
        let (_server, mut a, mut b) = pair();
        let m = a.id(&[
            "meeting",
            "add",
            "Acme",
            "--at",
            "2026-11-20 10:00",
            "--kind",
            "discovery",
        ]);
        sync(&a);
        sync(&b);
        let mb = b.json(&["meeting", "list", "--json"])[0]["id"]
            .as_i64()
            .unwrap()
            .to_string();
        a.at("2026-11-23 11:00")
            .ok(&["meeting", "attended", &m.to_string(), "no_show"]);
        assert_eq!(a.json(&["flag", "list", "--json"]).as_array().unwrap().len(), 1);
        b.at("2026-11-23 11:30");
        if delete {
            b.ok(&["meeting", "delete", &mb]);
        } else {
            b.ok(&["meeting", "attended", &mb, "on_time"]);
        }
        let order: [&Desk; 4] = if editor_first {
            [&a, &b, &a, &b]
        } else {
            [&b, &a, &b, &a]
        };
        for d in order {
            sync(d);
        }
        for d in [&a, &b] {
            assert_eq!(
                d.json(&["flag", "list", "--json"]),
                json!([]),
                "delete {delete}, raiser first {editor_first}"
            );
            d.ok(&["doctor"]);
        }
        assert_eq!(normalized(&a), normalized(&b));
    }
}

/// The same month billed on both machines before either knew: its entries keep the first
/// billing's day on both, whichever syncs first (the later day won, as a later edit does, and
/// the first invoice lost its entries).
#[test]
fn a_month_billed_on_both_machines_keeps_its_first_billing_day() {
    for a_first in [true, false] {
        let (_server, mut a, mut b) = pair();
        let logo = first_task(&a).to_string();
        a.ok(&["time", "log", &logo, "2h", "--on", "2026-11-10 09:00"]);
        sync(&a);
        sync(&b);
        a.at("2026-12-01 09:00")
            .ok(&["statement", "Acme", "--month", "2026-11", "--mark-billed"]);
        b.at("2026-12-02 09:00")
            .ok(&["statement", "Acme", "--month", "2026-11", "--mark-billed"]);
        let (first, second) = if a_first { (&a, &b) } else { (&b, &a) };
        sync_in_turn(first, second);
        for d in [&a, &b] {
            let e = &d.json(&["time", "list", "--json"])[0];
            assert_eq!(e["billed_on"], "2026-12-01", "A first {a_first}: {e}");
        }
        assert_eq!(normalized(&a), normalized(&b));
    }
}

/// Time timed on one machine offline (11:00 to 11:40) under a timer the other machine started
/// at 11:10 and still runs: the stopped one ends where the running one began, on both machines,
/// whichever syncs first, as two running timers settle (both were kept: 40 minutes counted
/// twice).
#[test]
fn time_under_the_other_machine_s_running_timer_is_not_counted_twice() {
    for a_first in [true, false] {
        let (_server, mut a, mut b) = pair();
        a.at("2026-11-23 11:00").ok(&["time", "start", "--client", "Acme"]);
        a.at("2026-11-23 11:40").ok(&["time", "stop"]);
        b.at("2026-11-23 11:10").ok(&["time", "start", "--client", "Acme"]);
        a.at("2026-11-23 11:50");
        b.at("2026-11-23 11:50");
        let (first, second) = if a_first { (&a, &b) } else { (&b, &a) };
        sync_in_turn(first, second);
        for d in [&a, &b] {
            let entries = d.json(&["time", "list", "--json"]);
            let minutes: Vec<Value> = entries
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["minutes"].clone())
                .collect();
            assert!(
                minutes.contains(&json!(10)) && minutes.contains(&Value::Null),
                "A first {a_first}: {entries}"
            );
        }
        assert_eq!(normalized(&a), normalized(&b));
    }
}

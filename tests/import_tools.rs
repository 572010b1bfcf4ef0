//! `import --from trello|asana`: mapping, archived and completed handling, repeat imports that
//! match on the source's ids, and bad files that change nothing.

mod common;

use std::path::PathBuf;

use common::Desk;
use serde_json::Value;

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// (title, status, due, spec) of every task, by title.
fn tasks(d: &Desk) -> Vec<(String, String, Option<String>, String)> {
    let conn = rusqlite::Connection::open(&d.db).expect("open");
    let mut q = conn
        .prepare("SELECT title, status, due, spec FROM tasks ORDER BY title")
        .expect("prepare");
    let rows = q
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .expect("query");
    rows.map(|r| r.expect("row")).collect()
}

fn clients(d: &Desk) -> Value {
    serde_json::from_str(&d.ok(&["client", "list", "--json"])).expect("json")
}

#[test]
fn a_trello_board_becomes_tasks_and_a_second_import_adds_nothing() {
    let d = Desk::new();
    d.ok(&["client", "add", "Someone else"]);
    let board = fixture("trello-board.json");
    let said = d.ok(&["import", "--from", "trello", &board, "--client", "Bloom Florist"]);
    assert!(said.contains("New client: Bloom Florist"), "{said}");
    assert!(
        said.contains("3 new tasks, 0 updated, 0 unchanged, 2 archived"),
        "{said}"
    );
    let c = clients(&d);
    let bloom = c
        .as_array()
        .expect("array")
        .iter()
        .find(|c| c["name"] == "Bloom Florist")
        .expect("client");
    assert_eq!(bloom["status"], "active");

    let t = tasks(&d);
    assert_eq!(t.len(), 3, "{t:?}");
    let newsletter = t.iter().find(|t| t.0 == "Christmas newsletter").expect("card");
    assert_eq!(newsletter.1, "todo");
    assert_eq!(newsletter.2.as_deref(), Some("2026-11-27"));
    assert_eq!(
        newsletter.3,
        "[To do]\n\nUse the red palette.\nLink the wreath workshop page.\n\nBefore sending:\n[x] Proofread\n[ ] Test on mobile\n[ ] Schedule for 9:00"
    );
    let insta = t.iter().find(|t| t.0 == "Instagram posts for December").expect("card");
    assert_eq!((insta.2.as_deref(), insta.3.as_str()), (None, "[Doing]"));
    let hours = t
        .iter()
        .find(|t| t.0 == "Update the opening hours on Google")
        .expect("card");
    assert_eq!(hours.1, "done", "a card marked complete is done");
    assert!(!t
        .iter()
        .any(|t| t.0 == "Old autumn flyer" || t.0 == "Summer sale banner"));

    let again = d.ok(&["import", "--from", "trello", &board, "--client", "bloom florist"]);
    assert!(again.contains("0 new tasks, 0 updated, 3 unchanged"), "{again}");
    assert!(!again.contains("New client"));
    assert_eq!(tasks(&d), t);
    assert_eq!(clients(&d).as_array().expect("array").len(), 2);
}

#[test]
fn a_changed_card_updates_its_task_instead_of_duplicating_it() {
    let d = Desk::new();
    let board = fixture("trello-board.json");
    d.ok(&["import", "--from", "trello", &board, "--client", "Bloom"]);
    let mut json: Value = serde_json::from_str(&std::fs::read_to_string(&board).expect("read")).expect("json");
    json["cards"][0]["name"] = "Christmas newsletter (v2)".into();
    json["cards"][0]["due"] = "2026-11-30T10:00:00.000Z".into();
    json["cards"][1]["dueComplete"] = true.into();
    let changed = d.dir.path().join("board-v2.json");
    std::fs::write(&changed, serde_json::to_string(&json).expect("json")).expect("write");
    let said = d.ok(&[
        "import",
        "--from",
        "trello",
        changed.to_str().expect("path"),
        "--client",
        "Bloom",
    ]);
    assert!(said.contains("0 new tasks, 2 updated, 1 unchanged"), "{said}");
    let t = tasks(&d);
    assert_eq!(t.len(), 3);
    let v2 = t.iter().find(|t| t.0 == "Christmas newsletter (v2)").expect("renamed");
    assert_eq!(v2.2.as_deref(), Some("2026-11-30"));
    assert_eq!(
        t.iter()
            .find(|t| t.0 == "Instagram posts for December")
            .expect("card")
            .1,
        "done"
    );
}

#[test]
fn an_asana_export_becomes_tasks_with_completed_ones_done() {
    let d = Desk::new();
    let csv = fixture("asana-export.csv");
    let said = d.ok(&["import", "--from", "asana", &csv, "--client", "Northwind Yoga"]);
    assert!(said.contains("4 new tasks"), "{said}");
    let t = tasks(&d);
    assert_eq!(t.len(), 4);
    let venue = t
        .iter()
        .find(|t| t.0 == "Book venue for the January retreat")
        .expect("task");
    assert_eq!(venue.1, "todo");
    assert_eq!(venue.2.as_deref(), Some("2026-12-05"));
    assert_eq!(
        venue.3,
        "[Planning]\n\nThree options under 1,500 €.\nAsk about vegetarian catering.\n\n#venue #retreat"
    );
    let invoices = t.iter().find(|t| t.0 == "Send the November invoices").expect("task");
    assert_eq!(invoices.1, "done");
    let email = t
        .iter()
        .find(|t| t.0 == "Draft the class schedule email")
        .expect("task");
    assert_eq!(
        (email.2.as_deref(), email.3.as_str()),
        (None, "[Communications]\n\nUse the \"Winter Flow\" name")
    );
    let sub = t
        .iter()
        .find(|t| t.0 == "Check the caterer's allergens list")
        .expect("task");
    assert!(sub.3.contains("↳ Book venue for the January retreat"), "{}", sub.3);

    let again = d.ok(&["import", "--from", "asana", &csv, "--client", "Northwind Yoga"]);
    assert!(again.contains("0 new tasks, 0 updated, 4 unchanged"), "{again}");
    assert_eq!(tasks(&d), t);
}

/// A store with one client and one task, and its task list, to prove a refusal changes nothing.
fn refuses(d: &Desk, args: &[&str], expect: &str) {
    let before = (tasks(d), clients(d));
    let (code, err) = d.fails(args);
    assert_ne!(code, 0, "{args:?}");
    assert!(err.contains(expect), "{args:?}: {err}");
    assert_eq!((tasks(d), clients(d)), before, "{args:?} changed the store");
}

#[test]
fn bad_files_are_refused_clearly_and_change_nothing() {
    let d = Desk::new();
    d.ok(&["client", "add", "Bloom"]);
    d.ok(&["task", "add", "bloom", "Keep me"]);
    let dir = d.dir.path();
    let path = |name: &str, body: &str| {
        let p = dir.join(name);
        std::fs::write(&p, body).expect("write");
        p.to_string_lossy().into_owned()
    };
    let csv = fixture("asana-export.csv");
    refuses(
        &d,
        &["import", "--from", "trello", &csv, "--client", "New"],
        "is not an export of Trello",
    );
    let arr = path("arr.json", "[1, 2]");
    refuses(
        &d,
        &["import", "--from", "trello", &arr, "--client", "New"],
        "is not an export of Trello",
    );
    let cols = path("cols.csv", "Task ID,Name,Notes\n1,Thing,\n");
    refuses(
        &d,
        &["import", "--from", "asana", &cols, "--client", "New"],
        "lacks the columns Due Date, Completed At, Section/Column",
    );
    let bad_date = std::fs::read_to_string(&csv)
        .expect("read")
        .replace("2026-12-05", "05/12/2026");
    let bad_date = path("date.csv", &bad_date);
    refuses(
        &d,
        &["import", "--from", "asana", &bad_date, "--client", "New"],
        "task 1208812345678901 ('Book venue for the January retreat'): the due date '05/12/2026' is not a date",
    );
    let far = std::fs::read_to_string(&csv)
        .expect("read")
        .replace("2026-12-05", "3026-12-05");
    let far = path("far.csv", &far);
    refuses(
        &d,
        &["import", "--from", "asana", &far, "--client", "New"],
        "between 1900 and 2999",
    );
    let long = std::fs::read_to_string(fixture("trello-board.json"))
        .expect("read")
        .replace("Christmas newsletter\",", &format!("{}\",", "x".repeat(200)));
    let long = path("long.json", &long);
    refuses(
        &d,
        &["import", "--from", "trello", &long, "--client", "New"],
        "title: too long (200 characters; at most 120)",
    );
    let big = dir.join("big.json");
    let f = std::fs::File::create(&big).expect("create");
    f.set_len(50 * 1024 * 1024).expect("size");
    refuses(
        &d,
        &[
            "import",
            "--from",
            "trello",
            big.to_str().expect("path"),
            "--client",
            "New",
        ],
        "larger than 20 MB",
    );
    refuses(&d, &["import", "--from", "trello", &csv], "needs --client NAME");

    // In Spanish too.
    let (_, err) = d.fails(&["--lang", "es", "import", "--from", "asana", &cols, "--client", "New"]);
    assert!(err.contains("al CSV le faltan las columnas"), "{err}");
    let (_, err) = d.fails(&[
        "--lang", "es", "import", "--from", "asana", &bad_date, "--client", "New",
    ]);
    assert!(
        err.contains("tarea 1208812345678901") && err.contains("fecha límite"),
        "{err}"
    );
}

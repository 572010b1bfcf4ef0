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
    assert!(again.contains("0 new tasks, 0 updated, 4 unchanged."), "{again}");
    // Asana has no archived cards to speak of.
    assert!(!said.contains("archived") && !again.contains("archived"), "{again}");
    assert_eq!(tasks(&d), t);
    // One of a kind is said in the singular.
    let one = d.dir.path().join("one.csv");
    let text = std::fs::read_to_string(&csv).expect("csv");
    let head = text.lines().next().expect("header");
    let row = "1208899999999999,2026-11-10,,2026-11-20,Order yoga mats,Planning,,,,2026-12-05,,,,,,";
    std::fs::write(&one, format!("{head}\n{row}\n")).expect("write");
    let said = d.ok(&[
        "--lang",
        "es",
        "import",
        "--from",
        "asana",
        one.to_str().expect("path"),
        "--client",
        "Northwind Yoga",
    ]);
    assert!(said.contains("1 tarea nueva, 0 actualizadas, 0 sin cambios."), "{said}");
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
    // Done on a day still to come (the desk's clock is Mon 23 Nov 2026).
    let ahead = path(
        "ahead.csv",
        "Task ID,Name,Notes,Due Date,Completed At,Section/Column\n7,Flyer,,,2027-01-01,Done\n",
    );
    refuses(
        &d,
        &["import", "--from", "asana", &ahead, "--client", "New"],
        "task 7 ('Flyer'): the completion date '2027-01-01' is a day still to come",
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

/// The same card id twice on a board (or the same Task ID twice in an Asana CSV) made the
/// later one win silently and the summary count wrong: the file is refused whole, naming both
/// and the id, in both languages, and nothing changes.
#[test]
fn a_card_or_asana_task_given_twice_refuses_the_file() {
    let d = Desk::new();
    d.ok(&["client", "add", "Bloom"]);
    d.ok(&["task", "add", "bloom", "Keep me"]);
    let dir = d.dir.path();
    let mut json: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("trello-board.json")).expect("read")).expect("json");
    let first = json["cards"][0]["id"].clone();
    json["cards"][2]["id"] = first;
    let board = dir.join("twice.json");
    std::fs::write(&board, serde_json::to_string(&json).expect("json")).expect("write");
    let board = board.to_string_lossy().into_owned();
    for client in ["Bloom", "Someone new"] {
        refuses(
            &d,
            &["import", "--from", "trello", &board, "--client", client],
            "card number 1 and card number 3 have the same id '6741b3d5e2c4a10e8f9b7c02'; nothing was imported",
        );
    }
    // An archived card given twice is a broken file too.
    let mut json: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("trello-board.json")).expect("read")).expect("json");
    let archived = json["cards"][3]["id"].clone();
    json["cards"][4]["id"] = archived;
    let board2 = dir.join("twice-archived.json");
    std::fs::write(&board2, serde_json::to_string(&json).expect("json")).expect("write");
    refuses(
        &d,
        &[
            "import",
            "--from",
            "trello",
            board2.to_str().expect("path"),
            "--client",
            "Bloom",
        ],
        "card number 4 and card number 5 have the same id",
    );

    let csv = dir.join("twice.csv");
    let csv_text = std::fs::read_to_string(fixture("asana-export.csv"))
        .expect("read")
        .replace("1208812345678903", "1208812345678901");
    std::fs::write(&csv, csv_text).expect("write");
    let csv = csv.to_string_lossy().into_owned();
    refuses(
        &d,
        &["import", "--from", "asana", &csv, "--client", "Northwind Yoga"],
        "task number 1 and task number 3 have the same Task ID '1208812345678901'; nothing was imported",
    );
    // After a first import of the good file, the same refusal, and the tasks stay as they are.
    d.ok(&[
        "import",
        "--from",
        "asana",
        &fixture("asana-export.csv"),
        "--client",
        "Northwind Yoga",
    ]);
    refuses(
        &d,
        &["import", "--from", "asana", &csv, "--client", "Northwind Yoga"],
        "task number 1 and task number 3 have the same Task ID",
    );

    let (_, err) = d.fails(&[
        "--lang", "es", "import", "--from", "trello", &board, "--client", "Bloom",
    ]);
    assert!(
        err.contains("la tarjeta número 1 y la tarjeta número 3 tienen el mismo ID '6741b3d5e2c4a10e8f9b7c02'")
            && err.contains("no se ha importado nada"),
        "{err}"
    );
    let (_, err) = d.fails(&["--lang", "es", "import", "--from", "asana", &csv, "--client", "Bloom"]);
    assert!(
        err.contains("la tarea número 1 y la tarea número 3 tienen el mismo ID de tarea '1208812345678901'"),
        "{err}"
    );
}

/// A Taskwarrior export of `n` tasks; `uuid(i)` gives the i-th task's uuid number.
fn taskwarrior(n: usize, uuid: impl Fn(usize) -> usize) -> String {
    let rows: Vec<String> = (0..n)
        .map(|i| {
            let u = uuid(i);
            format!(
                r#"{{"uuid":"{u:08x}-0000-4000-8000-{u:012x}","description":"Task {i}","entry":"20261001T120000Z","status":"pending","project":"Acme"}}"#
            )
        })
        .collect();
    format!("[\n{}\n]", rows.join(",\n"))
}

/// A Taskwarrior uuid twice in one export kept only the later task, silently: the file is
/// refused whole, naming both tasks, row by row and once the import has gone over to bulk
/// work, into a fresh store and into one that already holds the tasks.
#[test]
fn a_taskwarrior_uuid_given_twice_refuses_the_file() {
    let d = Desk::new();
    let dir = d.dir.path();
    let write = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).expect("write");
        p.to_string_lossy().into_owned()
    };
    // Small (row by row) and past the bulk threshold, the second one early and late.
    let cases = [
        (5, 1, 4, "2nd", "5th"),
        (1_500, 3, 1_400, "4th", "1401st"),
        (1_500, 1_200, 1_450, "1201st", "1451st"),
    ];
    for (n, first, second, first_named, second_named) in cases {
        let text = taskwarrior(n, |i| if i == second { first } else { i });
        let file = write(&format!("tw-{n}-{first}.json"), &text);
        let expect = format!(
            "the {first_named} and {second_named} tasks have the same uuid (one record given twice); nothing was imported"
        );
        let fresh = Desk::new();
        let before = fresh.snapshot();
        let (_, err) = fresh.fails(&["import", "--from", "taskwarrior", &file]);
        assert!(err.contains(&expect), "{n}: {err}");
        assert_eq!(fresh.snapshot(), before);
        // A store that already holds every task: the same.
        let held = Desk::new();
        let good = write(&format!("tw-{n}.json"), &taskwarrior(n, |i| i));
        held.ok(&["import", "--from", "taskwarrior", &good]);
        let before = held.snapshot();
        let (_, err) = held.fails(&["import", "--from", "taskwarrior", &file]);
        assert!(err.contains(&expect), "{n}, held: {err}");
        assert_eq!(held.snapshot(), before);
        // The good file imported again updates every task, as before.
        let again = held.ok(&["import", "--from", "taskwarrior", &good]);
        assert_eq!(held.snapshot(), before, "{again}");
    }
    let text = taskwarrior(5, |i| if i == 4 { 1 } else { i });
    let file = write("tw-es.json", &text);
    let (_, err) = d.fails(&["--lang", "es", "import", "--from", "taskwarrior", &file]);
    assert!(
        err.contains("la tarea número 2 y la número 5 tienen el mismo uuid"),
        "{err}"
    );
}

/// The id of the task titled `title`.
fn task_id(d: &Desk, title: &str) -> String {
    let list = d.json(&["task", "list", "--json"]);
    list.as_array()
        .expect("array")
        .iter()
        .find(|t| t["title"] == title)
        .unwrap_or_else(|| panic!("no task {title}: {list}"))["id"]
        .to_string()
}

fn edited_copy(d: &Desk, name: &str, text: String) -> String {
    let p = d.dir.path().join(name);
    std::fs::write(&p, text).expect("write");
    p.to_string_lossy().into_owned()
}

/// Re-importing a board or CSV that did not change overwrote the VA's own edits (title, spec,
/// due date) with the card's and called it "updated": an unchanged card leaves its task as the
/// VA left it, counted as unchanged, however many times it is imported.
#[test]
fn reimporting_an_unchanged_board_or_csv_keeps_the_local_edits() {
    let cases = [
        (
            "trello",
            fixture("trello-board.json"),
            "Bloom",
            "Christmas newsletter",
            3,
        ),
        (
            "asana",
            fixture("asana-export.csv"),
            "Northwind Yoga",
            "Book venue for the January retreat",
            4,
        ),
    ];
    for (tool, file, client, title, n) in cases {
        let d = Desk::new();
        d.ok(&["import", "--from", tool, &file, "--client", client]);
        let id = task_id(&d, title);
        d.ok(&[
            "task",
            "edit",
            &id,
            "--title",
            "My local title",
            "--spec",
            "my notes",
            "--due",
            "2026-12-09",
        ]);
        // A task finished here whose card is still open stays finished.
        let other = tasks(&d)
            .into_iter()
            .find(|t| t.1 == "todo" && t.0 != "My local title")
            .expect("an open task");
        d.ok(&["task", "done", &task_id(&d, &other.0)]);
        let edited = tasks(&d);
        for _ in 0..2 {
            let said = d.ok(&["import", "--from", tool, &file, "--client", client]);
            assert!(
                said.contains(&format!("0 new tasks, 0 updated, {n} unchanged")),
                "{tool}: {said}"
            );
            assert_eq!(tasks(&d), edited, "{tool}: the local edits were overwritten");
        }
        let mine = tasks(&d).into_iter().find(|t| t.0 == "My local title").expect("edited");
        assert_eq!((mine.2.as_deref(), mine.3.as_str()), (Some("2026-12-09"), "my notes"));
    }
}

/// A card changed since the last import after the VA edited its task: the card's changed fields
/// come in, the fields the card did not change stay as the VA left them, and when the VA and
/// the client changed the same field the card's version wins and the summary says so.
#[test]
fn a_card_changed_after_local_edits_brings_only_what_changed_on_it() {
    let d = Desk::new();
    let board = fixture("trello-board.json");
    d.ok(&["import", "--from", "trello", &board, "--client", "Bloom"]);
    let news = task_id(&d, "Christmas newsletter");
    d.ok(&["task", "edit", &news, "--title", "My local title", "--spec", "my notes"]);
    let insta = task_id(&d, "Instagram posts for December");
    d.ok(&["task", "edit", &insta, "--spec", "shot list in the shared folder"]);
    let mut json: Value = serde_json::from_str(&std::fs::read_to_string(&board).expect("read")).expect("json");
    // The newsletter card: a new name (the VA renamed it too) and a new due date.
    json["cards"][0]["name"] = "Christmas newsletter (v2)".into();
    json["cards"][0]["due"] = "2026-11-30T10:00:00.000Z".into();
    json["cards"][0]["dateLastActivity"] = "2026-11-24T10:00:00.000Z".into();
    // The Instagram card: a new name only, and marked complete.
    json["cards"][1]["name"] = "Instagram posts for January".into();
    json["cards"][1]["dueComplete"] = true.into();
    let v2 = edited_copy(&d, "board-v2.json", serde_json::to_string(&json).expect("json"));
    let said = d.ok(&["import", "--from", "trello", &v2, "--client", "Bloom"]);
    assert!(said.contains("0 new tasks, 2 updated, 1 unchanged"), "{said}");
    assert!(
        said.contains(
            "1 task edited here was changed in Trello too, in the same field: Trello's version replaced yours"
        ),
        "{said}"
    );
    let t = tasks(&d);
    let n = t
        .iter()
        .find(|t| t.0 == "Christmas newsletter (v2)")
        .expect("renamed by the card");
    assert_eq!((n.2.as_deref(), n.3.as_str()), (Some("2026-11-30"), "my notes"));
    let i = t
        .iter()
        .find(|t| t.0 == "Instagram posts for January")
        .expect("renamed");
    assert_eq!((i.1.as_str(), i.3.as_str()), ("done", "shot list in the shared folder"));
    // The same changed file again: nothing more to bring.
    let again = d.ok(&["import", "--from", "trello", &v2, "--client", "Bloom"]);
    assert!(again.contains("0 new tasks, 0 updated, 3 unchanged"), "{again}");
    assert!(!again.contains("edited here"), "{again}");
    assert_eq!(tasks(&d), t);
    // Back to the first board after the VA renamed the task again: the card's name wins again.
    d.ok(&["task", "edit", &news, "--title", "Mine again"]);
    let es = d.ok(&[
        "--lang", "es", "import", "--from", "trello", &board, "--client", "Bloom",
    ]);
    assert!(es.contains("0 tareas nuevas, 2 actualizadas, 1 sin cambios"), "{es}");
    assert!(
        es.contains("1 tarea editada aquí también cambió en Trello, en el mismo campo: la versión de Trello sustituyó a la tuya"),
        "{es}"
    );

    // Asana: the notes changed there, the title here; both stay.
    let d = Desk::new();
    let csv = fixture("asana-export.csv");
    d.ok(&["import", "--from", "asana", &csv, "--client", "Northwind Yoga"]);
    let venue = task_id(&d, "Book venue for the January retreat");
    d.ok(&[
        "task",
        "edit",
        &venue,
        "--title",
        "Venue (my title)",
        "--due",
        "2026-12-09",
    ]);
    let v2 = std::fs::read_to_string(&csv)
        .expect("read")
        .replace("Three options under 1,500 €.", "Four options under 1,800 €.")
        .replace("2026-11-10,,2026-11-20", "2026-11-10,,2026-11-24");
    let v2 = edited_copy(&d, "asana-v2.csv", v2);
    let said = d.ok(&["import", "--from", "asana", &v2, "--client", "Northwind Yoga"]);
    assert!(said.contains("0 new tasks, 1 updated, 3 unchanged"), "{said}");
    assert!(!said.contains("edited here"), "{said}");
    let t = tasks(&d);
    let v = t.iter().find(|t| t.0 == "Venue (my title)").expect("title kept");
    assert_eq!(v.2.as_deref(), Some("2026-12-09"));
    assert!(v.3.contains("Four options under 1,800 €."), "{}", v.3);
}

/// A task imported before vadesk kept what the card said: its first import again takes the
/// card's fields where they differ (vadesk cannot tell who changed them), and from then on
/// local edits are kept.
#[test]
fn a_task_imported_by_an_older_version_takes_the_card_once() {
    let d = Desk::new();
    let board = fixture("trello-board.json");
    d.ok(&["import", "--from", "trello", &board, "--client", "Bloom"]);
    let news = task_id(&d, "Christmas newsletter");
    d.ok(&["task", "edit", &news, "--spec", "my notes"]);
    vadesk::Store::open(&d.db)
        .expect("open")
        .conn()
        .execute("UPDATE tasks SET tool_seen = NULL", [])
        .expect("forget");
    let said = d.ok(&["import", "--from", "trello", &board, "--client", "Bloom"]);
    assert!(said.contains("0 new tasks, 1 updated, 2 unchanged"), "{said}");
    d.ok(&["task", "edit", &news, "--spec", "my notes"]);
    let said = d.ok(&["import", "--from", "trello", &board, "--client", "Bloom"]);
    assert!(said.contains("0 new tasks, 0 updated, 3 unchanged"), "{said}");
    let t = tasks(&d);
    assert_eq!(
        t.iter().find(|t| t.0 == "Christmas newsletter").expect("task").3,
        "my notes"
    );
}

/// No import makes a client whose name is digits alone (it would read as an id, and commands
/// meant for that id would reach it): `--client 2` of a Trello or Asana import is client 2 when
/// there is one, and refused otherwise; a Taskwarrior project or an export's client of digits
/// alone is refused, naming it.
#[test]
fn no_import_makes_a_client_named_by_digits_alone() {
    let d = Desk::new();
    d.ok(&["client", "add", "Bloom Florist"]);
    d.ok(&["client", "add", "Northwind Yoga"]);
    let csv = fixture("asana-export.csv");
    let said = d.ok(&["import", "--from", "asana", &csv, "--client", "2"]);
    assert!(!said.contains("New client"), "{said}");
    let names: Vec<String> = clients(&d)
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["Bloom Florist", "Northwind Yoga"]);
    let listed: Value = serde_json::from_str(&d.ok(&["task", "list", "--json"])).unwrap();
    let listed = listed.as_array().unwrap();
    assert!(
        !listed.is_empty() && listed.iter().all(|t| t["client"] == "Northwind Yoga"),
        "{listed:?}"
    );
    let (_, err) = d.fails(&[
        "import",
        "--from",
        "trello",
        &fixture("trello-board.json"),
        "--client",
        "77",
    ]);
    assert!(err.contains("cannot be only digits ('77' reads as an id)"), "{err}");
    let tw = d.dir.path().join("tw42.json");
    std::fs::write(
        &tw,
        r#"[{"uuid":"33333333-3333-4333-8333-333333333333","description":"t","status":"pending","entry":"20261120T100000Z","project":"42"}]"#,
    )
    .unwrap();
    let (_, err) = d.fails(&["import", "--from", "taskwarrior", tw.to_str().unwrap()]);
    assert!(
        err.contains("the 1st task, project: a client name cannot be only digits ('42'"),
        "{err}"
    );
    let export = d.dir.path().join("export.json");
    d.ok(&["export", "--out", export.to_str().unwrap()]);
    let text = std::fs::read_to_string(&export)
        .unwrap()
        .replace("\"Bloom Florist\"", "\"3\"");
    std::fs::write(&export, text).unwrap();
    let e = Desk::new();
    let (_, err) = e.fails(&["import", export.to_str().unwrap()]);
    assert!(err.contains("the 1st client has an invalid or missing name"), "{err}");
    assert_eq!(clients(&d).as_array().unwrap().len(), 2);
}

/// A board imported again into another client: its tasks go to that client, with their time
/// (they stayed with the first one and the import said "3 unchanged", naming the client as
/// typed). A task whose time was billed to the first client is never moved: the file is
/// refused whole. The summary names the client as the store does.
#[test]
fn a_board_imported_again_into_another_client_moves_its_tasks_there() {
    let d = Desk::new();
    let board = fixture("trello-board.json");
    d.ok(&["import", "--from", "trello", &board, "--client", "Acme"]);
    d.ok(&["client", "add", "Bloom Florist"]);
    let newsletter = d
        .json(&["task", "list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["title"] == "Christmas newsletter")
        .unwrap()["id"]
        .as_i64()
        .unwrap()
        .to_string();
    d.ok(&["time", "log", &newsletter, "1h", "--on", "2026-11-20 10:00"]);
    let said = d.ok(&["import", "--from", "trello", &board, "--client", "bloom florist"]);
    assert!(
        said.contains("for Bloom Florist:") && said.contains("0 new tasks, 3 updated, 0 unchanged"),
        "{said}"
    );
    assert!(
        said.contains("3 tasks an earlier import gave another client were moved to Bloom Florist"),
        "{said}"
    );
    let listed = d.json(&["task", "list", "--client", "Bloom Florist", "--json"]);
    assert_eq!(listed.as_array().unwrap().len(), 3, "{listed}");
    let time = d.json(&["time", "list", "--client", "Bloom Florist", "--json"]);
    assert_eq!(time.as_array().unwrap().len(), 1, "the time followed its task: {time}");
    // Billed to Bloom Florist, the task stays: importing into Acme again is refused whole.
    d.ok(&["statement", "Bloom Florist", "--month", "2026-11", "--mark-billed"]);
    let before = d.snapshot();
    let (_, err) = d.fails(&["import", "--from", "trello", &board, "--client", "Acme"]);
    assert!(
        err.contains("Christmas newsletter") && err.contains("Bloom Florist"),
        "{err}"
    );
    assert_eq!(d.snapshot(), before);
}

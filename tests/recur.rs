//! Recurring tasks (SPEC 11): `--every` rules, the next instance on completion or when the due
//! date passes, derived uuids so no date is ever made twice, `--every none` stops.

mod common;

use chrono::NaiveDate;
use common::Desk;
use vadesk::domain::TaskStatus;
use vadesk::store::{instance_uuid, TaskFields};
use vadesk::Store;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// (id, title, status, due, every) of every task, by id.
fn tasks(desk: &Desk) -> Vec<(i64, String, String, String, Option<String>)> {
    let v = desk.json(&["task", "list", "--json"]);
    let mut out: Vec<_> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_i64().unwrap(),
                t["title"].as_str().unwrap().to_string(),
                t["status"].as_str().unwrap().to_string(),
                t["due"].as_str().unwrap_or("").to_string(),
                t["every"].as_str().map(String::from),
            )
        })
        .collect();
    out.sort();
    out
}

fn dues(desk: &Desk, title: &str) -> Vec<String> {
    tasks(desk).into_iter().filter(|t| t.1 == title).map(|t| t.3).collect()
}

#[test]
fn a_weekly_task_comes_back_when_done_or_when_its_date_passes() {
    // 2026-11-23 is a Monday.
    let mut desk = Desk::new();
    desk.ok(&["client", "add", "Bloom Florist"]);
    let id = desk.id(&["task", "add", "bloom", "Newsletter", "--every", "fri"]);
    let t = tasks(&desk);
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].3, "2026-11-27", "the first Friday from today");
    assert_eq!(t[0].4.as_deref(), Some("fri"));
    let v = desk.json(&["task", "list", "--json"]);
    assert!(v[0]["uuid"].as_str().unwrap().len() == 36);

    // Done early: the next Friday's instance appears at once.
    desk.ok(&["task", "done", &id.to_string()]);
    assert_eq!(dues(&desk, "Newsletter"), vec!["2026-11-27", "2026-12-04"]);
    // Done twice never makes a second one for the same date.
    desk.ok(&["task", "done", &id.to_string()]);
    assert_eq!(dues(&desk, "Newsletter").len(), 2);

    // Nobody handles the 4 December one; on the 5th the tick makes the 11th and the late one
    // stays open beside it.
    desk.at("2026-12-05 09:00");
    let said = desk.ok(&["tick", "--once"]);
    assert!(
        said.contains("1 repeating task is due again") && !said.contains("Nothing new"),
        "{said}"
    );
    // The second pass makes nothing.
    let said = desk.ok(&["tick", "--once"]);
    assert!(!said.contains("repeating"), "{said}");
    assert_eq!(
        dues(&desk, "Newsletter"),
        vec!["2026-11-27", "2026-12-04", "2026-12-11"]
    );
    let open: Vec<_> = tasks(&desk)
        .into_iter()
        .filter(|t| t.2 == "todo")
        .map(|t| t.3)
        .collect();
    assert_eq!(open, vec!["2026-12-04", "2026-12-11"]);

    // Weeks nobody looked at are not invented: on 1 January the next is 1 January (a Friday).
    desk.at("2026-12-31 09:00");
    desk.ok(&["tick", "--once"]);
    assert_eq!(
        dues(&desk, "Newsletter"),
        vec!["2026-11-27", "2026-12-04", "2026-12-11", "2027-01-01"]
    );
}

#[test]
fn rules_forms_first_dates_and_stopping() {
    let desk = Desk::new();
    desk.ok(&["client", "add", "Casa Lumen"]);
    let m = desk.id(&[
        "task",
        "add",
        "casa",
        "Monthly report",
        "--every",
        "monthly",
        "--due",
        "2027-01-31",
    ]);
    let daily = desk.id(&["task", "add", "casa", "Inbox", "--every", "diario"]);
    let biw = desk.id(&["task", "add", "casa", "Invoices", "--every", "2w"]);
    let t = tasks(&desk);
    let by = |id: i64| t.iter().find(|x| x.0 == id).unwrap().clone();
    assert_eq!(by(m).3, "2027-01-31");
    assert_eq!(by(daily).3, "2026-11-23");
    assert_eq!(by(daily).4.as_deref(), Some("diario"));
    assert_eq!(by(biw).3, "2026-11-23");

    // A calendar month, clamped to the month's end and back to the 31st after.
    desk.ok(&["task", "deliver", &m.to_string()]);
    assert_eq!(dues(&desk, "Monthly report"), vec!["2027-01-31", "2027-02-28"]);
    let feb = tasks(&desk).into_iter().find(|t| t.3 == "2027-02-28").unwrap().0;
    desk.ok(&["task", "done", &feb.to_string()]);
    assert_eq!(
        dues(&desk, "Monthly report"),
        vec!["2027-01-31", "2027-02-28", "2027-03-31"]
    );

    // Stop it: the tasks stay, no longer repeating, and closing one makes nothing.
    let mar = tasks(&desk).into_iter().find(|t| t.3 == "2027-03-31").unwrap().0;
    desk.ok(&["task", "edit", &mar.to_string(), "--every", "none"]);
    assert!(tasks(&desk)
        .iter()
        .filter(|t| t.1 == "Monthly report")
        .all(|t| t.4.is_none()));
    desk.ok(&["task", "done", &mar.to_string()]);
    assert_eq!(dues(&desk, "Monthly report").len(), 3);

    // A plain task made to repeat from the command line; then its rule changed.
    let plain = desk.id(&["task", "add", "casa", "Backup", "--due", "2026-11-25"]);
    assert_eq!(tasks(&desk).iter().find(|t| t.0 == plain).unwrap().4, None);
    desk.ok(&["task", "edit", &plain.to_string(), "--every", "weekly"]);
    assert_eq!(
        tasks(&desk).iter().find(|t| t.0 == plain).unwrap().4.as_deref(),
        Some("weekly")
    );
    desk.ok(&["task", "done", &plain.to_string()]);
    assert_eq!(dues(&desk, "Backup"), vec!["2026-11-25", "2026-12-02"]);

    // Export and import keep the rule.
    let file = desk.dir.path().join("all.json");
    std::fs::write(&file, desk.ok(&["export"])).unwrap();
    let other = Desk::new();
    other.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(tasks(&other), tasks(&desk));
}

#[test]
fn nonsense_rules_are_refused_and_change_nothing() {
    let desk = Desk::new();
    desk.ok(&["client", "add", "Bloom"]);
    let id = desk.id(&["task", "add", "bloom", "Post"]);
    let before = desk.snapshot();
    for bad in ["often", "0d", "3x", "", "400d", "every friday", "-1w"] {
        let (code, err) = desk.fails(&["task", "add", "bloom", "X", "--every", bad]);
        assert_eq!(code, 2, "{bad}: {err}");
        let (code, _) = desk.fails(&["task", "edit", &id.to_string(), "--every", bad]);
        assert_eq!(code, 2, "{bad}");
    }
    let (_, err) = desk.fails(&["--lang", "es", "task", "add", "bloom", "X", "--every", "often"]);
    assert!(err.contains("regla de repetición"), "{err}");
    assert_eq!(desk.snapshot(), before);
}

#[test]
fn two_connections_deriving_the_same_instance_make_it_once() {
    let desk = Desk::new();
    desk.ok(&["client", "add", "Bloom"]);
    let id = desk.id(&[
        "task",
        "add",
        "bloom",
        "Newsletter",
        "--every",
        "weekly",
        "--due",
        "2026-11-20",
    ]);
    // The first instance is past on the 23rd: add_task already made the next one.
    let mut a = Store::open(&desk.db).unwrap();
    let mut b = Store::open_again(&desk.db).unwrap();
    let today = d("2026-11-30");
    let ra = a.detect(today, None).unwrap();
    let rb = b.detect(today, None).unwrap();
    assert_eq!(ra.recurring.len() + rb.recurring.len(), 1, "{ra:?} {rb:?}");

    // Another machine made the next instance first (same rule, same date, same uuid): ours
    // is ignored, not doubled.
    let (rule_uuid, latest_due): (String, String) = a
        .conn()
        .query_row(
            "SELECT r.uuid, max(t.due) FROM recurrences r JOIN tasks t ON t.recurrence_id = r.id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(latest_due, "2026-12-04");
    let next = d("2026-12-11");
    b.conn()
        .execute(
            "INSERT INTO tasks(uuid, client_id, title, status, due, created_on, recurrence_id)
             SELECT ?1, client_id, title, 'todo', '2026-12-11', '2026-12-05', recurrence_id FROM tasks WHERE id = ?2",
            rusqlite::params![instance_uuid(&rule_uuid, next), id],
        )
        .unwrap();
    let before: i64 = a
        .conn()
        .query_row("SELECT count(*) FROM tasks", [], |r| r.get(0))
        .unwrap();
    let report = a.detect(d("2026-12-05"), None).unwrap();
    assert!(report.recurring.is_empty());
    let after: i64 = a
        .conn()
        .query_row("SELECT count(*) FROM tasks", [], |r| r.get(0))
        .unwrap();
    assert_eq!(before, after);
    let per_date: i64 = a
        .conn()
        .query_row(
            "SELECT max(n) FROM (SELECT count(*) AS n FROM tasks WHERE recurrence_id IS NOT NULL GROUP BY due)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(per_date, 1);

    // The write path too: closing the latest twice from two connections.
    let latest: i64 = a
        .conn()
        .query_row("SELECT id FROM tasks WHERE due = '2026-12-11'", [], |r| r.get(0))
        .unwrap();
    a.set_task_status(latest, TaskStatus::Done, d("2026-12-05")).unwrap();
    b.set_task_status(latest, TaskStatus::Done, d("2026-12-05")).unwrap();
    let n: i64 = a
        .conn()
        .query_row("SELECT count(*) FROM tasks WHERE due = '2026-12-18'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);

    // The store API: a rule set through the fields a form fills, and stopped.
    let t = a
        .add_task(
            1,
            TaskFields {
                title: Some("Report".into()),
                every: Some(Some("monthly".into())),
                ..Default::default()
            },
            d("2026-12-05"),
        )
        .unwrap();
    assert_eq!(a.task(t).unwrap().every.as_deref(), Some("monthly"));
    assert_eq!(a.task(t).unwrap().due, Some(d("2026-12-05")));
    a.edit_task_on(
        t,
        TaskFields {
            every: Some(None),
            ..Default::default()
        },
        d("2026-12-05"),
    )
    .unwrap();
    assert_eq!(a.task(t).unwrap().every, None);
}

#[test]
fn an_instance_moved_then_done_still_brings_the_next_one_and_never_its_own_date_again() {
    // 2026-11-23 is a Monday. Weekly from Wednesday 25: the instance moved to Tuesday 24, then
    // done, brings 2 December at once (its own occurrence, the 25th, stays taken).
    let mut desk = Desk::new();
    desk.ok(&["client", "add", "R"]);
    let id = desk.id(&[
        "task",
        "add",
        "r",
        "Inbox zero",
        "--every",
        "weekly",
        "--due",
        "2026-11-25",
    ]);
    desk.ok(&["task", "edit", &id.to_string(), "--due", "2026-11-24"]);
    desk.ok(&["task", "done", &id.to_string()]);
    assert_eq!(dues(&desk, "Inbox zero"), vec!["2026-11-24", "2026-12-02"]);
    let said = desk.ok(&["tick", "--once"]);
    assert!(!said.contains("repeating"), "{said}");

    // Every Friday: the 27th moved to Thursday 26 and done brings 4 December at once.
    desk.ok(&["client", "add", "F"]);
    let fri = desk.id(&["task", "add", "f", "Newsletter", "--every", "fri"]);
    desk.ok(&["task", "edit", &fri.to_string(), "--due", "2026-11-26"]);
    desk.ok(&["task", "done", &fri.to_string()]);
    assert_eq!(dues(&desk, "Newsletter"), vec!["2026-11-26", "2026-12-04"]);

    // Moved earlier and left open past its new date: the tick makes the next occurrence
    // once, not the moved one's own date again, and a second pass makes nothing.
    let dec4 = tasks(&desk).into_iter().find(|t| t.3 == "2026-12-04").unwrap().0;
    desk.ok(&["task", "edit", &dec4.to_string(), "--due", "2026-12-01"]);
    desk.at("2026-12-02 09:00");
    let said = desk.ok(&["tick", "--once"]);
    assert!(said.contains("1 repeating task is due again"), "{said}");
    assert_eq!(
        dues(&desk, "Newsletter"),
        vec!["2026-11-26", "2026-12-01", "2026-12-11"]
    );
    let said = desk.ok(&["tick", "--once"]);
    assert!(!said.contains("repeating"), "{said}");

    // Moved later past the next occurrence and done early: the series keeps its rhythm (the
    // 18th is not skipped), and later passes make nothing more while one is ahead.
    let dec11 = tasks(&desk).into_iter().find(|t| t.3 == "2026-12-11").unwrap().0;
    desk.ok(&["task", "edit", &dec11.to_string(), "--due", "2026-12-19"]);
    desk.ok(&["task", "done", &dec11.to_string()]);
    desk.ok(&["task", "done", &dec4.to_string()]);
    assert_eq!(
        dues(&desk, "Newsletter"),
        vec!["2026-11-26", "2026-12-01", "2026-12-19", "2026-12-18"]
    );
    for _ in 0..2 {
        desk.ok(&["tick", "--once"]);
    }
    let open: Vec<_> = tasks(&desk)
        .into_iter()
        .filter(|t| t.1 == "Newsletter" && t.2 == "todo")
        .map(|t| t.3)
        .collect();
    assert_eq!(open, vec!["2026-12-18"]);

    // A plain task made to repeat keeps its own uuid; moved earlier and done, its date is
    // still not made again.
    let plain = desk.id(&["task", "add", "r", "Backup", "--due", "2026-12-09"]);
    desk.ok(&["task", "edit", &plain.to_string(), "--every", "weekly"]);
    desk.ok(&["task", "edit", &plain.to_string(), "--due", "2026-12-08"]);
    desk.ok(&["task", "done", &plain.to_string()]);
    assert_eq!(dues(&desk, "Backup"), vec!["2026-12-08", "2026-12-16"]);
}

/// Deleting the open instance of a repeating task skips that occurrence: the next one is made
/// at once and the series goes on (it ended silently when the only instance was deleted, and
/// came back on the same date when done ones were left). Undo brings the deleted one back and
/// takes the next away.
#[test]
fn deleting_an_instance_skips_that_occurrence_and_the_series_goes_on() {
    let d = Desk::new();
    let mut d = d;
    d.at("2026-11-02 09:00");
    d.ok(&["client", "add", "X"]);
    let first = d.id(&["task", "add", "X", "W", "--every", "fri"]);
    let dues = |d: &Desk| -> Vec<String> {
        d.json(&["task", "list", "--json"])
            .as_array()
            .unwrap()
            .iter()
            .map(|t| format!("{} {}", t["due"].as_str().unwrap_or("-"), t["status"].as_str().unwrap()))
            .collect()
    };
    assert_eq!(dues(&d), ["2026-11-06 todo"]);
    let mut s = vadesk::Store::open(&d.db).unwrap();
    s.set_now(Some(
        chrono::NaiveDateTime::parse_from_str("2026-11-02 09:00", "%Y-%m-%d %H:%M").unwrap(),
    ));
    s.enable_undo().unwrap();
    s.delete_task(first).unwrap();
    assert_eq!(dues(&d), ["2026-11-13 todo"]);
    d.ok(&["tick", "--once"]);
    assert_eq!(dues(&d), ["2026-11-13 todo"], "the tick makes nothing more");
    // Done ones left, the open one deleted: the next date, never the same one again.
    let second: i64 = d.json(&["task", "list", "--json"])[0]["id"].as_i64().unwrap();
    d.ok(&["task", "done", &second.to_string()]);
    let third: i64 = d
        .json(&["task", "list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["status"] == "todo")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    s.delete_task(third).unwrap();
    let open: Vec<String> = dues(&d).into_iter().filter(|x| x.ends_with("todo")).collect();
    assert_eq!(open, ["2026-11-27 todo"]);
    d.at("2026-11-23 09:00");
    d.ok(&["tick", "--once"]);
    let open: Vec<String> = dues(&d).into_iter().filter(|x| x.ends_with("todo")).collect();
    assert_eq!(open, ["2026-11-27 todo"]);
    // Undo: the deleted instance is back, the one made for it gone.
    s.undo().unwrap();
    let open: Vec<String> = dues(&d).into_iter().filter(|x| x.ends_with("todo")).collect();
    assert_eq!(open, ["2026-11-20 todo"]);
}

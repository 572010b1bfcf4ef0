//! `vadesk calendar`: parsed back with the icalendar crate; UIDs stable, dates right.

mod common;

use common::Desk;
use icalendar::{Calendar, CalendarDateTime, Component, DatePerhapsTime};

fn desk() -> (Desk, String) {
    let d = Desk::new();
    d.ok(&["client", "add", "Bloom"]);
    let t = d.ok(&["task", "add", "bloom", "Christmas newsletter", "--due", "2026-11-27"]);
    d.ok(&["task", "add", "bloom", "No date"]);
    d.ok(&["material", "ask", &t, "Product photos", "--by", "2026-11-25"]);
    d.ok(&["quote", "add", "bloom", "--amount", "450", "--sent", "2026-11-20"]);
    d.ok(&[
        "meeting",
        "add",
        "bloom",
        "--at",
        "2026-11-24 10:30",
        "--kind",
        "discovery",
    ]);
    (d, t)
}

fn parse(text: &str) -> Calendar {
    text.parse::<Calendar>().expect("valid iCalendar")
}

/// (uid, summary, start) of every event, sorted by uid.
fn events(cal: &Calendar) -> Vec<(String, String, DatePerhapsTime, Option<DatePerhapsTime>)> {
    let mut v: Vec<_> = cal
        .events()
        .map(|e| {
            (
                e.get_uid().unwrap_or_default().to_string(),
                e.get_summary().unwrap_or_default().to_string(),
                e.get_start().expect("start"),
                e.get_end(),
            )
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn date(s: &str) -> DatePerhapsTime {
    DatePerhapsTime::Date(chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date"))
}

fn floating(s: &str) -> DatePerhapsTime {
    DatePerhapsTime::DateTime(CalendarDateTime::Floating(
        chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time"),
    ))
}

#[test]
fn every_dated_record_is_an_event_with_its_uuid_and_date() {
    let (d, _) = desk();
    let text = d.ok(&["calendar"]);
    assert!(text.starts_with("BEGIN:VCALENDAR"));
    let cal = parse(&text);
    let ev = events(&cal);
    assert_eq!(ev.len(), 4, "{text}");

    let tasks: serde_json::Value = serde_json::from_str(&d.ok(&["task", "list", "--json"])).expect("json");
    let task_uuid = tasks
        .as_array()
        .expect("array")
        .iter()
        .find(|t| t["title"] == "Christmas newsletter")
        .and_then(|t| t["uuid"].as_str())
        .expect("uuid")
        .to_string();
    let task = ev
        .iter()
        .find(|e| e.0 == format!("{task_uuid}@vadesk"))
        .expect("task event");
    assert_eq!(task.1, "Due: Christmas newsletter · Bloom");
    assert_eq!(task.2, date("2026-11-27"));
    assert_eq!(task.3, Some(date("2026-11-28")), "an all-day end is exclusive");

    let by_summary = |s: &str| ev.iter().find(|e| e.1.starts_with(s)).expect(s).clone();
    assert_eq!(by_summary("Material expected: Product photos").2, date("2026-11-25"));
    // Answer by: sent + 7 days.
    assert_eq!(by_summary("Quote answer expected").2, date("2026-11-27"));
    let meeting = by_summary("Meeting (discovery)");
    assert_eq!(meeting.2, floating("2026-11-24 10:30"));
    assert_eq!(meeting.3, Some(floating("2026-11-24 11:30")), "one hour by default");
    for e in &ev {
        let uuid = e.0.strip_suffix("@vadesk").expect("suffix");
        assert!(vadesk::domain::identity::is_uuid(uuid), "{}", e.0);
    }
}

#[test]
fn uids_are_stable_across_runs_and_changes_update_in_place() {
    let (d, t) = desk();
    let first = events(&parse(&d.ok(&["calendar"])));
    let again = events(&parse(&d.ok(&["calendar"])));
    assert_eq!(first, again);
    // A finished task leaves the calendar; the others keep their UIDs.
    d.ok(&["task", "done", &t]);
    let after = events(&parse(&d.ok(&["calendar"])));
    // The material's task is done, so its request leaves too; the quote and the meeting stay.
    assert_eq!(after.len(), 2, "{after:?}");
    let uids: Vec<_> = first.iter().map(|e| &e.0).collect();
    assert!(after.iter().all(|e| uids.contains(&&e.0)));
}

#[test]
fn spanish_summaries() {
    let (d, _) = desk();
    let text = d.ok(&["--lang", "es", "calendar"]);
    let ev = events(&parse(&text));
    assert!(
        ev.iter().any(|e| e.1 == "Entrega: Christmas newsletter · Bloom"),
        "{ev:?}"
    );
    assert!(ev.iter().any(|e| e.1 == "Reunión (primera reunión) · Bloom"), "{ev:?}");
}

#[test]
fn the_file_is_private_atomic_and_never_replaced_without_force() {
    let (d, _) = desk();
    let out = d.dir.path().join("desk.ics");
    let path = out.to_str().expect("path");
    let said = d.ok(&["calendar", "--out", path]);
    assert!(said.contains("desk.ics"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let before = std::fs::read_to_string(&out).expect("read");
    assert_eq!(events(&parse(&before)).len(), 4);

    std::fs::write(&out, "mine").expect("write");
    let (code, err) = d.fails(&["calendar", "--out", path]);
    assert_ne!(code, 0);
    assert!(err.contains("already exists") && err.contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(&out).expect("read"), "mine");
    let (_, err) = d.fails(&["--lang", "es", "calendar", "--out", path]);
    assert!(err.contains("ya existe"), "{err}");

    d.ok(&["calendar", "--out", path, "--force"]);
    assert_eq!(events(&parse(&std::fs::read_to_string(&out).expect("read"))).len(), 4);
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(d.dir.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.contains(".tmp")), "{names:?}");
}

#[test]
fn the_store_and_its_wal_are_never_targets() {
    let (d, _) = desk();
    let db = d.db.to_str().expect("path").to_string();
    let size = std::fs::metadata(&d.db).expect("db").len();
    for target in [db.clone(), format!("{db}-wal"), format!("{db}-shm")] {
        let (code, err) = d.fails(&["calendar", "--out", &target, "--force"]);
        assert_ne!(code, 0);
        assert!(err.contains("is the store"), "{target}: {err}");
    }
    assert_eq!(std::fs::metadata(&d.db).expect("db").len(), size);
    d.ok(&["doctor"]);
}

/// RFC 5545 lines end with CR LF, on standard output as in a file (`calendar > x.ics` from a
/// scheduled job is a valid file), and the calendar names vadesk as its product. Accented text
/// (which takes the output filter's slow path) keeps its line endings too; a lone CR in a title
/// never reaches the terminal.
#[test]
fn standard_output_is_a_valid_file_with_crlf_lines() {
    let (d, t) = desk();
    d.ok(&[
        "meeting",
        "add",
        "bloom",
        "--at",
        "2026-11-26 09:00",
        "--kind",
        "review",
    ]);
    d.ok(&["task", "edit", &t, "--title", "Reunión con Ramón\rFAKE"]);
    let out = d.cmd().arg("calendar").output().expect("run");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf8");
    let lines = text.split_inclusive('\n').count();
    assert!(lines > 10, "{text}");
    assert_eq!(text.matches("\r\n").count(), lines, "{text:?}");
    assert_eq!(text.matches('\r').count(), lines, "a lone CR got through: {text:?}");
    assert!(text.contains("Reunión con Ramón"), "{text}");
    assert!(text.contains("PRODID:-//vadesk//vadesk "), "{text}");
    assert!(!text.contains("ICALENDAR-RS"), "{text}");
    let file = d.dir.path().join("cal.ics");
    d.ok(&["calendar", "--out", file.to_str().expect("path")]);
    assert_eq!(
        std::fs::read_to_string(&file).expect("file").replace("\rFAKE", "FAKE"),
        text
    );
}

//! The command line of SPEC section 11 (quotes, meetings, weekly reviews, task edit, recurring
//! tasks, search) and the input forms of section 6, on real stores in temporary folders.

mod common;

use common::Desk;
use serde_json::Value;

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
    k.sort();
    k
}

fn desk_with_client() -> Desk {
    let d = Desk::new();
    d.id(&["client", "add", "Bloom Florist", "--review-day", "fri"]);
    d.id(&["client", "add", "Clínica Sol"]);
    d
}

#[test]
fn quotes_have_a_description_a_list_and_the_spec_json() {
    let d = desk_with_client();
    let q = d.id(&[
        "quote",
        "add",
        "bloom florist",
        "--amount",
        "450,10",
        "--for",
        "Monthly newsletter",
        "--prep",
        "1h30m",
    ]);
    let other = d.id(&["quote", "add", "Clínica Sol", "--amount", "99.99"]);
    d.ok(&["quote", "accepted", &other.to_string()]);
    let all = d.json(&["quote", "list", "--json"]);
    assert_eq!(all.as_array().map(Vec::len), Some(2));
    let j = d.json(&["quote", "list", "--client", "Bloom Florist", "--json"]);
    let q0 = &j[0];
    assert_eq!(
        keys(q0),
        [
            "amount_cents",
            "answer_by",
            "client",
            "currency",
            "description",
            "id",
            "nudges",
            "prep_minutes",
            "sent",
            "status",
            "uuid"
        ]
    );
    assert_eq!(q0["id"], q);
    assert_eq!(q0["amount_cents"], 45010);
    assert_eq!(q0["description"], "Monthly newsletter");
    assert_eq!(q0["prep_minutes"], 90);
    assert_eq!(q0["sent"], "2026-11-23");
    assert_eq!(q0["answer_by"], "2026-11-30");
    assert_eq!(q0["status"], "pending");
    assert_eq!(q0["nudges"], 0);
    let accepted = d.json(&["quote", "list", "--status", "accepted", "--json"]);
    assert_eq!(accepted[0]["amount_cents"], 9999);
    assert_eq!(accepted.as_array().map(Vec::len), Some(1));
    let pending = d.json(&["quote", "list", "--status", "pending", "--json"]);
    assert_eq!(pending.as_array().map(Vec::len), Some(1));
    let text = d.ok(&["quote", "list"]);
    assert!(text.contains("Monthly newsletter") && text.contains("450.10"), "{text}");
}

#[test]
fn quotes_are_edited_nudged_and_deleted() {
    let d = desk_with_client();
    let q = d
        .id(&[
            "quote",
            "add",
            "Bloom Florist",
            "--amount",
            "100",
            "--sent",
            "2026-11-01",
        ])
        .to_string();
    d.ok(&[
        "quote",
        "edit",
        &q,
        "--amount",
        "120.5",
        "--for",
        "Logo",
        "--prep",
        "2h",
        "--answer-by",
        "2026-11-20",
    ]);
    let j = d.json(&["quote", "list", "--json"]);
    assert_eq!(j[0]["amount_cents"], 12050);
    assert_eq!(j[0]["description"], "Logo");
    assert_eq!(j[0]["prep_minutes"], 120);
    assert_eq!(j[0]["answer_by"], "2026-11-20");
    // An answer date before the day it was sent is refused and changes nothing.
    let before = d.snapshot();
    let (code, err) = d.fails(&["quote", "edit", &q, "--answer-by", "2026-10-01"]);
    assert_ne!(code, 0);
    assert!(err.contains("before"), "{err}");
    assert_eq!(d.snapshot(), before);

    // Nudging without --until keeps the date; the quote was already late: its flag stays.
    let out = d.ok(&["nudge", "quote", &q]);
    assert!(out.contains("1 so far"), "{out}");
    let j = d.json(&["quote", "list", "--json"]);
    assert_eq!(j[0]["nudges"], 1);
    assert_eq!(j[0]["answer_by"], "2026-11-20");
    let flags = d.json(&["flag", "list", "--json"]);
    assert!(flags
        .as_array()
        .expect("flags")
        .iter()
        .any(|f| f["kind"] == "quote_unanswered" && f["at"] == "2026-11-21"));
    d.ok(&["nudge", "quote", &q, "--until", "+1w"]);
    let j = d.json(&["quote", "list", "--json"]);
    assert_eq!(j[0]["nudges"], 2);
    assert_eq!(j[0]["answer_by"], "2026-11-30");
    // In Spanish, a quote is a presupuesto.
    d.ok(&["--lang", "es", "nudge", "presupuesto", &q]);
    assert_eq!(d.json(&["quote", "list", "--json"])[0]["nudges"], 3);

    // An answered quote cannot be nudged.
    d.ok(&["quote", "rejected", &q]);
    d.fails(&["nudge", "quote", &q]);

    d.ok(&["quote", "delete", &q]);
    assert_eq!(d.json(&["quote", "list", "--json"]), serde_json::json!([]));
    // Its automatic flag went with it.
    assert_eq!(d.json(&["flag", "list", "--json"]), serde_json::json!([]));
}

#[test]
fn quote_commands_refuse_bad_input_and_change_nothing() {
    let d = desk_with_client();
    let q = d.id(&["quote", "add", "Bloom Florist", "--amount", "100"]).to_string();
    let before = d.snapshot();
    let huge = "x".repeat(20_001);
    for args in [
        vec!["quote", "edit", "999", "--amount", "5"],
        vec!["quote", "delete", "999"],
        vec!["nudge", "quote", "999"],
        vec!["quote", "edit", &q, "--amount", "-5"],
        vec!["quote", "edit", &q, "--amount", "lots"],
        vec!["quote", "edit", &q, "--answer-by", "2026-02-30"],
        vec!["quote", "edit", &q, "--prep", "forever"],
        vec!["quote", "edit", &q, "--for", &huge],
        vec!["nudge", "quote", &q, "--until", "2026-02-30"],
        vec!["quote", "list", "--status", "maybe"],
        vec!["quote", "list", "--client", "Nobody"],
        vec!["quote", "add", "Bloom Florist", "--amount", "5", "--for", &huge],
    ] {
        let (code, err) = d.fails(&args);
        assert_ne!(code, 0, "{args:?}");
        assert!(!err.trim().is_empty(), "{args:?}");
    }
    assert_eq!(d.snapshot(), before);
    // An empty description is fine: it is optional.
    d.ok(&["quote", "edit", &q, "--for", ""]);
}

#[test]
fn meetings_have_a_length_a_list_and_can_be_rescheduled_keeping_what_was_recorded() {
    let d = desk_with_client();
    let m = d
        .id(&[
            "meeting",
            "add",
            "Bloom Florist",
            "--at",
            "2026-11-20 10:00",
            "--kind",
            "discovery",
            "--length",
            "30m",
        ])
        .to_string();
    let j = d.json(&["meeting", "list", "--json"]);
    assert_eq!(
        keys(&j[0]),
        [
            "at",
            "attendance",
            "client",
            "id",
            "kind",
            "late_minutes",
            "length_minutes",
            "uuid"
        ]
    );
    assert_eq!(j[0]["at"], "2026-11-20T10:00");
    assert_eq!(j[0]["length_minutes"], 30);
    assert_eq!(j[0]["attendance"], "pending");
    d.ok(&["meeting", "attended", &m, "late", "--minutes", "15"]);
    d.ok(&[
        "meeting",
        "edit",
        &m,
        "--at",
        "2026-11-21 12:30",
        "--length",
        "1h",
        "--kind",
        "other",
    ]);
    let j = d.json(&["meeting", "list", "--client", "bloom florist", "--json"]);
    assert_eq!(j[0]["at"], "2026-11-21T12:30");
    assert_eq!(j[0]["length_minutes"], 60);
    assert_eq!(j[0]["kind"], "other");
    assert_eq!(j[0]["attendance"], "late");
    assert_eq!(j[0]["late_minutes"], 15);
    assert!(d.ok(&["meeting", "list"]).contains("1h"));
    // Another client's list is empty.
    assert_eq!(
        d.json(&["meeting", "list", "--client", "Clínica Sol", "--json"]),
        serde_json::json!([])
    );

    let before = d.snapshot();
    for args in [
        vec!["meeting", "edit", "999", "--length", "30m"],
        vec!["meeting", "delete", "999"],
        vec!["meeting", "edit", &m, "--at", "2026-02-30 10:00"],
        vec!["meeting", "edit", &m, "--kind", "party"],
        vec!["meeting", "edit", &m, "--length", "0m"],
        vec!["meeting", "edit", &m, "--length", "30h"],
        vec![
            "meeting",
            "add",
            "Bloom Florist",
            "--at",
            "tomorrow 10:00",
            "--length",
            "soon",
        ],
        vec!["meeting", "list", "--client", "Nobody"],
    ] {
        let (code, err) = d.fails(&args);
        assert_ne!(code, 0, "{args:?}");
        assert!(!err.trim().is_empty(), "{args:?}");
        // A length out of range says the range, not the form of a duration.
        if args.contains(&"30h") || args.contains(&"0m") {
            assert!(err.contains("from 1 minute to 24 hours"), "{args:?}: {err}");
        }
    }
    assert_eq!(d.snapshot(), before);

    d.ok(&["meeting", "delete", &m]);
    assert_eq!(d.json(&["meeting", "list", "--json"]), serde_json::json!([]));
    // The lateness flag went with the meeting.
    assert_eq!(d.json(&["flag", "list", "--json"]), serde_json::json!([]));
}

fn weekly_rows(d: &Desk) -> Vec<(String, i64)> {
    d.json(&["review", "--json"])["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["kind"] == "weekly_review")
        .map(|i| {
            (
                i["client"].as_str().unwrap_or("").to_string(),
                i["days_late"].as_i64().unwrap_or(-1),
            )
        })
        .collect()
}

fn flag_kinds(d: &Desk) -> Vec<(String, String)> {
    d.json(&["flag", "list", "--json"])
        .as_array()
        .expect("flags")
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap_or("").to_string(),
                f["at"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn an_unrecorded_weekly_review_stays_in_the_review_and_raises_nothing() {
    let mut d = Desk::new();
    d.at("2026-11-13 09:00");
    d.id(&["client", "add", "Bloom Florist", "--review-day", "fri"]);
    d.at("2026-11-20 09:00");
    assert_eq!(weekly_rows(&d), [("Bloom Florist".to_string(), 0)]);
    // Three days on, nobody recorded it: still there, three days late; the tick raises nothing.
    d.at("2026-11-23 09:00");
    assert_eq!(weekly_rows(&d), [("Bloom Florist".to_string(), 3)]);
    let t = d.json(&["tick", "--once", "--json"]);
    assert_eq!(t["new_flags"], serde_json::json!([]));
    assert!(flag_kinds(&d).is_empty());
    // Held: gone from the review, no flag.
    let out = d.ok(&["client", "reviewed", "bloom"]);
    assert!(out.contains("held"), "{out}");
    assert!(weekly_rows(&d).is_empty());
    assert!(flag_kinds(&d).is_empty());
}

#[test]
fn a_weekly_review_missed_by_the_client_raises_no_feedback_once_and_held_undoes_it() {
    let mut d = Desk::new();
    d.at("2026-11-01 09:00");
    d.id(&["client", "add", "Bloom Florist", "--review-day", "fri"]);
    d.at("2026-11-21 09:00");
    d.ok(&["client", "reviewed", "Bloom Florist", "--missed"]);
    assert_eq!(flag_kinds(&d), [("no_feedback".to_string(), "2026-11-20".to_string())]);
    assert!(weekly_rows(&d).is_empty());
    // Recording it again, or ticking, raises nothing more.
    d.ok(&["client", "reviewed", "Bloom Florist", "--missed", "--on", "2026-11-20"]);
    let t = d.json(&["tick", "--once", "--json"]);
    assert_eq!(t["new_flags"], serde_json::json!([]));
    assert_eq!(flag_kinds(&d).len(), 1);
    // A correction: it was held after all. The flag goes.
    d.ok(&["client", "reviewed", "Bloom Florist", "--on", "2026-11-20"]);
    assert!(flag_kinds(&d).is_empty());
    // An earlier week, by date.
    d.ok(&["client", "reviewed", "Bloom Florist", "--missed", "--on", "2026-11-13"]);
    assert_eq!(flag_kinds(&d), [("no_feedback".to_string(), "2026-11-13".to_string())]);

    let before = d.snapshot();
    for args in [
        vec!["client", "reviewed", "Nobody"],
        vec!["client", "reviewed", "Bloom Florist", "--on", "2026-02-30"],
        vec!["client", "reviewed", "Bloom Florist", "--missed", "--on", "+3d"],
        vec!["client", "reviewed", "Bloom Florist", "--on", "tomorrow"],
    ] {
        let (code, err) = d.fails(&args);
        assert_ne!(code, 0, "{args:?}");
        assert!(!err.trim().is_empty(), "{args:?}");
    }
    assert_eq!(d.snapshot(), before);
}

#[test]
fn attending_a_review_meeting_holds_that_days_weekly_review() {
    let mut d = Desk::new();
    d.at("2026-11-13 09:00");
    d.id(&["client", "add", "Bloom Florist", "--review-day", "fri"]);
    d.at("2026-11-20 09:00");
    let m = d
        .id(&[
            "meeting",
            "add",
            "Bloom Florist",
            "--at",
            "today 11:00",
            "--kind",
            "review",
        ])
        .to_string();
    assert_eq!(weekly_rows(&d).len(), 1);
    d.at("2026-11-20 12:00");
    d.ok(&["meeting", "attended", &m, "late", "--minutes", "5"]);
    assert!(weekly_rows(&d).is_empty());
    // An "other" meeting attended holds nothing.
    d.at("2026-11-27 09:00");
    let o = d
        .id(&["meeting", "add", "Bloom Florist", "--at", "today 10:00"])
        .to_string();
    d.at("2026-11-27 11:00");
    d.ok(&["meeting", "attended", &o, "on_time"]);
    assert_eq!(weekly_rows(&d).len(), 1);
    // ...until it turns out it was the review.
    d.ok(&["meeting", "edit", &o, "--kind", "review"]);
    assert!(weekly_rows(&d).is_empty());
}

#[test]
fn clients_are_found_by_a_unique_prefix_and_names_are_never_only_digits() {
    let d = Desk::new();
    d.id(&["client", "add", "Bloom Florist"]);
    d.id(&["client", "add", "Blue Harbour"]);
    d.id(&["client", "add", "Casa Lumen"]);
    let t = d.id(&["task", "add", "bloom", "Newsletter"]);
    assert_eq!(d.json(&["task", "list", "--client", "BLOO", "--json"])[0]["id"], t);
    assert_eq!(d.json(&["client", "show", "casa", "--json"])["name"], "Casa Lumen");
    // By id, and by the whole name, as before.
    assert_eq!(d.json(&["client", "show", "3", "--json"])["name"], "Casa Lumen");
    // Ambiguous: the error lists the candidates.
    let (code, err) = d.fails(&["client", "show", "bl"]);
    assert_ne!(code, 0);
    assert!(err.contains("Bloom Florist") && err.contains("Blue Harbour"), "{err}");
    let (_, err) = d.fails(&["client", "show", "zz"]);
    assert!(err.contains("zz"), "{err}");
    let before = d.snapshot();
    d.fails(&["client", "add", "2026"]);
    d.fails(&["client", "edit", "casa", "--name", "42"]);
    assert_eq!(d.snapshot(), before);
    // Digits among letters are fine.
    d.id(&["client", "add", "42 Studio"]);
}

#[test]
fn a_client_is_found_by_its_name_typed_without_accents() {
    let d = Desk::new();
    d.id(&["client", "add", "Clínica Dental Ramos"]);
    d.id(&["client", "add", "Óptica Núñez"]);
    d.id(&["client", "add", "Clinic Hub"]);
    for typed in ["clinica dental ramos", "CLINICA", "clinica-dental", "Clínica"] {
        assert_eq!(
            d.json(&["client", "show", typed, "--json"])["name"],
            "Clínica Dental Ramos",
            "{typed}"
        );
    }
    // An ñ typed as n too (a keyboard without it), as search finds it.
    assert_eq!(
        d.json(&["client", "show", "optica nunez", "--json"])["name"],
        "Óptica Núñez"
    );
    assert_eq!(d.json(&["client", "show", "optica", "--json"])["name"], "Óptica Núñez");
    let t = d.id(&["task", "add", "clinica", "Recall letters"]);
    assert_eq!(
        d.json(&["task", "list", "--client", "clinica dental", "--json"])[0]["id"],
        t
    );
    // A name that starts with what was typed as typed comes first.
    assert_eq!(d.json(&["client", "show", "clinic", "--json"])["name"], "Clinic Hub");
    // Several folded matches are ambiguous, all named; nothing matching is said as such.
    d.id(&["client", "add", "Clínica Sur"]);
    let (code, err) = d.fails(&["client", "show", "clinica"]);
    assert_ne!(code, 0);
    assert!(
        err.contains("Clínica Dental Ramos") && err.contains("Clínica Sur"),
        "{err}"
    );
    let (code, err) = d.fails(&["client", "show", "clinicas"]);
    assert_ne!(code, 0);
    assert!(err.contains("clinicas"), "{err}");
}

#[test]
fn task_edit_changes_only_what_it_is_given_and_refuses_bad_input() {
    let d = desk_with_client();
    let t = d
        .id(&[
            "task",
            "add",
            "bloom",
            "Newsletter",
            "--due",
            "fri",
            "--via",
            "email",
            "--estimate",
            "1h",
        ])
        .to_string();
    d.ok(&[
        "task",
        "edit",
        &t,
        "--title",
        "Christmas newsletter",
        "--spec",
        "Red palette\nTwo pages",
    ]);
    let j = &d.json(&["task", "list", "--json"])[0];
    assert_eq!(j["title"], "Christmas newsletter");
    assert_eq!(j["due"], "2026-11-27");
    d.ok(&[
        "task",
        "edit",
        &t,
        "--due",
        "none",
        "--estimate",
        "2h30m",
        "--via",
        "whatsapp",
        "--client",
        "clín",
    ]);
    let j = &d.json(&["task", "list", "--json"])[0];
    assert_eq!(j["due"], Value::Null);
    assert_eq!(j["client"], "Clínica Sol");
    d.ok(&["task", "edit", &t, "--due", "2026-12-01"]);
    assert_eq!(d.json(&["task", "list", "--json"])[0]["due"], "2026-12-01");

    let before = d.snapshot();
    let huge = "x".repeat(20_001);
    for args in [
        vec!["task", "edit", "999", "--title", "X"],
        vec!["task", "edit", &t, "--title", ""],
        vec!["task", "edit", &t, "--title", &huge],
        vec!["task", "edit", &t, "--spec", &huge],
        vec!["task", "edit", &t, "--due", "2026-02-30"],
        vec!["task", "edit", &t, "--estimate", "a while"],
        vec!["task", "edit", &t, "--via", "pigeon"],
        vec!["task", "edit", &t, "--client", "Nobody"],
    ] {
        let (code, err) = d.fails(&args);
        assert_ne!(code, 0, "{args:?}");
        assert!(!err.trim().is_empty(), "{args:?}");
    }
    assert_eq!(d.snapshot(), before);
}

/// A client without a weekly review day has no review to miss: `--missed` is refused and
/// raises nothing (holding one is still recorded).
#[test]
fn a_client_without_a_review_day_misses_no_review() {
    let d = Desk::new();
    d.ok(&["client", "add", "Tienda Sol"]);
    let before = d.snapshot();
    let (code, err) = d.fails(&["--lang", "es", "client", "reviewed", "tienda", "--missed"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("Tienda Sol no tiene día de revisión semanal"), "{err}");
    assert_eq!(d.snapshot(), before);
    assert_eq!(d.json(&["flag", "list", "--json"]), serde_json::json!([]));
}

/// A meeting whose attendance is recorded cannot move to a time still to come (attendance is
/// known once a meeting has started); moved within the past, it keeps its attendance.
#[test]
fn a_held_meeting_cannot_move_to_the_future() {
    let mut d = Desk::new();
    d.at("2026-11-23 09:00");
    d.ok(&["client", "add", "Tienda Sol"]);
    let m = d.ok(&[
        "meeting",
        "add",
        "tienda",
        "--at",
        "2026-11-20 10:00",
        "--kind",
        "review",
    ]);
    d.ok(&["meeting", "attended", &m, "late", "--minutes", "15"]);
    let before = d.snapshot();
    let (code, err) = d.fails(&["meeting", "edit", &m, "--at", "2026-12-20 10:00"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot move to a time still to come"), "{err}");
    assert_eq!(d.snapshot(), before);
    d.ok(&["meeting", "edit", &m, "--at", "2026-11-20 11:00"]);
    let list = d.json(&["meeting", "list", "--json"]);
    assert_eq!(list[0]["attendance"], "late", "{list}");
    // One not yet attended moves anywhere.
    let later = d.ok(&["meeting", "add", "tienda", "--at", "2026-11-21 10:00"]);
    d.ok(&["meeting", "edit", &later, "--at", "2026-12-21 10:00"]);
}

#[test]
fn dates_outside_the_years_kept_say_what_was_typed_and_why() {
    let mut d = desk_with_client();
    // A quote sent near the end of 2999: its default answer date is nobody's typing.
    d.at("2999-12-28 09:00");
    let (code, err) = d.fails(&["quote", "add", "Bloom Florist", "--amount", "100"]);
    assert_eq!(code, 2);
    assert!(
        err.contains(
            "a quote sent on Sat 28 Dec is answered by default 7 days later, on Sat 4 Jan 3000, past the year 2999"
        ) && err.contains("--answer-by"),
        "{err}"
    );
    let (_, err) = d.fails(&["--lang", "es", "quote", "add", "Bloom Florist", "--amount", "100"]);
    assert!(
        err.contains("se responde por defecto 7 días después, el sáb 4 ene 3000"),
        "{err}"
    );
    // With an answer date given, it is kept.
    d.id(&[
        "quote",
        "add",
        "Bloom Florist",
        "--amount",
        "100",
        "--answer-by",
        "2999-12-31",
    ]);
    // A meeting "yesterday" on the first day kept: the words typed and where they fall.
    d.at("1900-01-01 09:00");
    let (code, err) = d.fails(&["meeting", "add", "Bloom Florist", "--at", "yesterday 10:00"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("'yesterday 10:00' falls on 1899-12-31, outside the years 1900 to 2999"),
        "{err}"
    );
    let (_, err) = d.fails(&["--lang", "es", "meeting", "add", "Bloom Florist", "--at", "ayer 10:00"]);
    assert!(
        err.contains("«ayer 10:00» cae el 1899-12-31, fuera de los años 1900 a 2999"),
        "{err}"
    );
    // What is not a moment at all still says how to write one.
    let (_, err) = d.fails(&["meeting", "add", "Bloom Florist", "--at", "someday 10:00"]);
    assert!(err.contains("invalid date and time 'someday 10:00'"), "{err}");
}

/// A quote is recorded once it is sent: a sent date still to come is refused (its preparation
/// time counted in that future month), today's is taken.
#[test]
fn a_quote_sent_on_a_day_still_to_come_is_refused() {
    let d = Desk::new();
    d.ok(&["client", "add", "Bloom"]);
    let (_, err) = d.fails(&[
        "quote",
        "add",
        "Bloom",
        "--amount",
        "120",
        "--sent",
        "2027-06-01",
        "--prep",
        "2h",
    ]);
    assert!(
        err.contains("a quote sent on Tue 1 Jun 2027 is after today (Mon 23 Nov)"),
        "{err}"
    );
    let (_, err) = d.fails(&[
        "--lang", "es", "quote", "add", "Bloom", "--amount", "120", "--sent", "mañana",
    ]);
    assert!(err.contains("es posterior a hoy (lun 23 nov)"), "{err}");
    assert!(d.json(&["quote", "list", "--json"]).as_array().unwrap().is_empty());
    d.ok(&["quote", "add", "Bloom", "--amount", "120", "--sent", "today"]);
}

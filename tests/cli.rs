//! The command-line contract of SPEC section 6, on real stores in temporary folders.

mod common;

use common::Desk;
use serde_json::Value;

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
    k.sort();
    k
}

#[test]
fn add_commands_print_the_bare_id_and_lists_have_stable_json() {
    let d = Desk::new();
    let c = d.id(&[
        "client",
        "add",
        "Bloom Florist",
        "--channel",
        "whatsapp:+34 600 000 000",
        "--channel",
        "email",
        "--rate",
        "30",
        "--review-day",
        "fri",
    ]);
    assert_eq!(c, 1);
    let t = d.id(&[
        "task",
        "add",
        "bloom florist",
        "Newsletter",
        "--due",
        "+3d",
        "--via",
        "email",
        "--estimate",
        "1h30m",
    ]);
    assert_eq!(t, 1);
    let clients = d.json(&["client", "list", "--json"]);
    let c0 = &clients[0];
    assert_eq!(
        keys(c0),
        [
            "channels",
            "currency",
            "fee_cents",
            "id",
            "increment_minutes",
            "month_minutes",
            "name",
            "open_tasks",
            "rate",
            "rate_cents",
            "retainer_hours",
            "review_day",
            "score",
            "status",
            "uuid",
            "verdict"
        ]
    );
    assert_eq!(c0["name"], "Bloom Florist");
    assert_eq!(c0["status"], "active");
    assert_eq!(c0["channels"][0]["kind"], "whatsapp");
    assert_eq!(c0["channels"][0]["handle"], "+34 600 000 000");
    assert_eq!(c0["channels"][1]["handle"], "");
    assert_eq!(c0["review_day"], "fri");
    assert_eq!(c0["rate"], 30.0);
    assert_eq!(c0["verdict"], "healthy");
    assert_eq!(c0["open_tasks"], 1);
    let tasks = d.json(&["task", "list", "--json"]);
    assert_eq!(
        keys(&tasks[0]),
        [
            "clarifications",
            "client",
            "due",
            "every",
            "id",
            "outcome",
            "status",
            "title",
            "uuid",
            "waiting"
        ]
    );
    assert_eq!(tasks[0]["due"], "2026-11-26");
    assert_eq!(tasks[0]["waiting"], false);
    assert_eq!(tasks[0]["client"], "Bloom Florist");
    // Every record carries a uuid, distinct from every other.
    let u = tasks[0]["uuid"].as_str().unwrap();
    assert_eq!(u.len(), 36);
    assert_ne!(u, c0["uuid"].as_str().unwrap());
}

#[test]
fn task_lifecycle_requests_and_waiting() {
    let d = Desk::new();
    d.ok(&["client", "add", "Casa Lumen"]);
    let t = d
        .id(&["task", "add", "Casa Lumen", "Carousel", "--due", "2026-11-30"])
        .to_string();
    d.ok(&["task", "start", &t]);
    let m = d
        .id(&["material", "ask", &t, "Photos", "--by", "2026-11-25"])
        .to_string();
    let waiting = d.json(&["task", "list", "--waiting", "--json"]);
    assert_eq!(waiting.as_array().unwrap().len(), 1);
    assert_eq!(waiting[0]["waiting"], true);
    d.ok(&["material", "got", &m]);
    assert_eq!(
        d.json(&["task", "list", "--waiting", "--json"])
            .as_array()
            .unwrap()
            .len(),
        0
    );
    // Received twice is refused.
    let (code, err) = d.fails(&["material", "got", &m]);
    assert_ne!(code, 0);
    assert!(err.contains("already received"), "{err}");
    d.ok(&["task", "deliver", &t]);
    let f = d.id(&["feedback", "ask", &t, "--by", "fri"]).to_string();
    assert_eq!(d.json(&["task", "list", "--json"])[0]["status"], "delivered");
    assert_eq!(d.json(&["task", "list", "--json"])[0]["waiting"], true);
    d.ok(&["feedback", "got", &f]);
    d.ok(&["task", "outcome", &t, "accepted"]);
    d.ok(&["task", "done", &t]);
    let list = d.json(&["task", "list", "--status", "done", "--json"]);
    assert_eq!(list[0]["outcome"], "accepted");
    // A cancelled task cannot be delivered.
    let t2 = d.id(&["task", "add", "Casa Lumen", "Old idea"]).to_string();
    d.ok(&["task", "cancel", &t2]);
    d.fails(&["task", "deliver", &t2]);
}

#[test]
fn clarifications_raise_vague_spec_once() {
    let d = Desk::new();
    d.ok(&["client", "add", "Pixel"]);
    let t = d.id(&["task", "add", "Pixel", "Landing copy"]).to_string();
    for _ in 0..4 {
        d.ok(&["task", "ask", &t]);
    }
    let flags = d.json(&["flag", "list", "--json"]);
    let vague: Vec<&Value> = flags
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "vague_spec")
        .collect();
    assert_eq!(vague.len(), 1);
    assert_eq!(vague[0]["source"], "auto");
    assert_eq!(d.json(&["task", "list", "--json"])[0]["clarifications"], 4);
}

#[test]
fn outcomes_raise_and_replace_their_flag() {
    let d = Desk::new();
    d.ok(&["client", "add", "Pixel"]);
    let t = d.id(&["task", "add", "Pixel", "Landing copy"]).to_string();
    // No outcome before delivery.
    d.fails(&["task", "outcome", &t, "unused"]);
    d.ok(&["task", "deliver", &t]);
    d.ok(&["task", "outcome", &t, "changed_after_ok"]);
    let kinds = |d: &Desk| -> Vec<String> {
        d.json(&["flag", "list", "--json"])
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["kind"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(kinds(&d), ["late_changes"]);
    d.ok(&["task", "outcome", &t, "unused"]);
    assert_eq!(kinds(&d), ["work_unused"]);
    d.ok(&["task", "outcome", &t, "accepted"]);
    assert!(kinds(&d).is_empty());
}

#[test]
fn meetings_and_attendance() {
    let d = Desk::new();
    d.ok(&["client", "add", "Northwind", "--status", "prospect"]);
    let m = d
        .id(&[
            "meeting",
            "add",
            "Northwind",
            "--at",
            "2026-11-20 10:00",
            "--kind",
            "discovery",
        ])
        .to_string();
    let review = d.json(&["review", "--json"]);
    assert_eq!(review["items"][0]["kind"], "attendance_unrecorded");
    assert_eq!(review["items"][0]["days_late"], 3);
    d.ok(&["meeting", "attended", &m, "no_show"]);
    let flags = d.json(&["flag", "list", "--json"]);
    assert_eq!(flags[0]["kind"], "no_show");
    assert_eq!(flags[0]["at"], "2026-11-20");
    let show = d.json(&["client", "show", "Northwind", "--json"]);
    assert_eq!(show["verdict"], "screen");
    // Correcting the attendance replaces the flag.
    d.ok(&["meeting", "attended", &m, "late", "--minutes", "20"]);
    let flags = d.json(&["flag", "list", "--json"]);
    assert_eq!(flags.as_array().unwrap().len(), 1);
    assert_eq!(flags[0]["kind"], "late_to_meeting");
    d.fails(&["meeting", "attended", &m, "on_time", "--minutes", "5"]);
    // Later than a day is no lateness: refused, never kept as typed or cut.
    let (_, err) = d.fails(&["meeting", "attended", &m, "late", "--minutes", "99999"]);
    assert!(err.contains("'99999' is not a whole number from 1 to 1440"), "{err}");
    d.fails(&["meeting", "attended", &m, "late", "--minutes", "0"]);
    assert_eq!(d.json(&["flag", "list", "--json"])[0]["kind"], "late_to_meeting");
    d.fails(&["meeting", "attended", &m, "maybe"]);
    d.fails(&["meeting", "add", "Northwind", "--at", "2026-02-30 10:00"]);
    let today = d.id(&["meeting", "add", "Northwind", "--at", "today 16:30"]);
    let review = d.json(&["review", "--json"]);
    let items = review["items"].as_array().unwrap();
    assert!(items.iter().any(|i| i["kind"] == "meeting_today" && i["id"] == today));
}

/// An unanswered quote's flag names the amount in its client's currency (in the tick's lines,
/// the flag list and the review's flags), and a flag raised before the currency was kept keeps
/// reading in euros.
#[test]
fn an_unanswered_quote_flag_names_its_clients_currency() {
    let mut d = Desk::new();
    d.ok(&["client", "add", "Harbor Studio", "--currency", "USD"]);
    d.ok(&["client", "add", "Bloom"]);
    d.ok(&[
        "quote",
        "add",
        "Harbor Studio",
        "--amount",
        "450",
        "--sent",
        "2026-11-10",
    ]);
    d.ok(&["quote", "add", "Bloom", "--amount", "120", "--sent", "2026-11-10"]);
    d.at("2026-11-18 08:00");
    let out = d.ok(&["tick", "--once"]);
    assert!(
        out.contains("Harbor Studio: Quote left unanswered (quote of $450.00)"),
        "{out}"
    );
    assert!(out.contains("Bloom: Quote left unanswered (quote of €120.00)"), "{out}");
    let list = d.ok(&["flag", "list"]);
    assert!(
        list.contains("quote of $450.00") && list.contains("quote of €120.00"),
        "{list}"
    );
    let es = d.ok(&["--lang", "es", "flag", "list"]);
    assert!(es.contains("450,00 US$") || es.contains("450,00 $"), "{es}");
    // A flag of an older version: the amount alone, read as euros as before.
    let store = vadesk::Store::open(&d.db).unwrap();
    store
        .conn()
        .execute("UPDATE flags SET note = '450.00' WHERE client_id = 1", [])
        .unwrap();
    drop(store);
    assert!(d.ok(&["flag", "list"]).contains("quote of €450.00"));
}

/// A quote's review row says what the quote is for when it says (the VA has several open
/// at once); the JSON row stays as it was (`title`: the amount).
#[test]
fn an_unanswered_quote_reads_in_the_review_with_what_it_is_for() {
    let mut d = Desk::new();
    d.ok(&["client", "add", "Harbor Studio"]);
    d.ok(&[
        "quote",
        "add",
        "Harbor Studio",
        "--amount",
        "450",
        "--for",
        "Brand kit",
        "--sent",
        "2026-11-10",
    ]);
    d.ok(&[
        "quote",
        "add",
        "Harbor Studio",
        "--amount",
        "120",
        "--sent",
        "2026-11-10",
    ]);
    d.at("2026-11-20 09:00");
    let review = d.ok(&["review"]);
    assert!(
        review.contains("quote for Brand kit (€450.00): answer was due Tue 17 Nov (3 days late)"),
        "{review}"
    );
    assert!(review.contains("quote of €120.00: answer was due"), "{review}");
    let es = d.ok(&["--lang", "es", "review"]);
    assert!(es.contains("presupuesto para Brand kit (450,00 €)"), "{es}");
    let json = d.json(&["review", "--json"]);
    let titles: Vec<&str> = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "quote_unanswered")
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 2);
    assert!(titles.iter().all(|t| t.parse::<f64>().is_ok()), "{titles:?}");
}

#[test]
fn quotes_default_answer_date_and_unanswered_flag() {
    let mut d = Desk::new();
    d.ok(&["client", "add", "Northwind", "--status", "prospect"]);
    let q = d
        .id(&[
            "quote",
            "add",
            "Northwind",
            "--amount",
            "450",
            "--prep",
            "1h30m",
            "--sent",
            "2026-11-10",
        ])
        .to_string();
    // Answer due 2026-11-17; late from the 18th.
    d.at("2026-11-17 18:00");
    assert!(d.json(&["tick", "--once", "--json"])["new_flags"]
        .as_array()
        .unwrap()
        .is_empty());
    d.at("2026-11-18 08:00");
    let tick = d.json(&["tick", "--once", "--json"]);
    assert_eq!(tick["new_flags"][0]["kind"], "quote_unanswered");
    assert_eq!(tick["new_flags"][0]["client"], "Northwind");
    assert_eq!(tick["new_flags"][0]["source_ref"], format!("quote:{q}"));
    let flags = d.json(&["flag", "list", "--json"]);
    assert_eq!(flags[0]["at"], "2026-11-18");
    d.at("2026-11-23 09:00");
    let review = d.json(&["review", "--json"]);
    assert_eq!(review["items"][0]["kind"], "quote_unanswered");
    assert_eq!(review["items"][0]["days_late"], 6);
    d.ok(&["quote", "rejected", &q]);
    d.fails(&["quote", "accepted", &q]);
    d.fails(&["quote", "add", "Northwind", "--amount", "-5"]);
    d.fails(&["quote", "add", "Northwind", "--amount", "abc"]);
    d.fails(&[
        "quote",
        "add",
        "Northwind",
        "--amount",
        "5",
        "--sent",
        "2026-11-10",
        "--answer-by",
        "2026-11-01",
    ]);
}

/// A quote's amount below zero (vadesk refuses one, but a store from before the guards could
/// hold it): the review, its JSON and the tick's flag show it as a negative number, never as
/// "0.-5".
#[test]
fn a_negative_quote_amount_reads_as_a_negative_number() {
    let mut d = Desk::new();
    d.at("2026-11-10 09:00");
    d.ok(&["client", "add", "Northwind"]);
    let q = d.ok(&["quote", "add", "Northwind", "--amount", "5"]).trim().to_string();
    let store = vadesk::Store::open(&d.db).unwrap();
    store
        .conn()
        .execute("UPDATE quotes SET amount_cents = -5 WHERE id = ?1", [&q])
        .unwrap();
    drop(store);
    d.at("2026-11-23 09:00");
    let review = d.json(&["review", "--json"]);
    assert_eq!(review["items"][0]["kind"], "quote_unanswered");
    assert_eq!(review["items"][0]["title"], "-0.05");
    let tick = d.json(&["tick", "--once", "--json"]);
    assert_eq!(tick["new_flags"][0]["kind"], "quote_unanswered");
    let flags = d.ok(&["flag", "list"]);
    assert!(flags.contains("quote of -€0.05"), "{flags}");
    let text = d.ok(&["review"]);
    assert!(text.contains("Northwind — quote of -€0.05"), "{text}");
}

#[test]
fn flags_manual_dismiss_kinds() {
    let d = Desk::new();
    d.ok(&["client", "add", "Tienda Sol"]);
    let f = d
        .id(&[
            "flag",
            "add",
            "tienda sol",
            "mind_reading",
            "--note",
            "Wanted it 'like the other one'",
            "--at",
            "2026-11-20",
        ])
        .to_string();
    let list = d.json(&["flag", "list", "--client", "Tienda Sol", "--json"]);
    assert_eq!(
        keys(&list[0]),
        ["at", "client", "dismissed", "id", "kind", "note", "source", "uuid"]
    );
    assert_eq!(list[0]["source"], "manual");
    assert_eq!(list[0]["dismissed"], false);
    d.ok(&["flag", "dismiss", &f]);
    assert_eq!(d.json(&["flag", "list", "--json"])[0]["dismissed"], true);
    assert_eq!(d.json(&["client", "show", "Tienda Sol", "--json"])["score"], 0.0);
    let kinds = d.json(&["flag", "kinds", "--json"]);
    assert_eq!(kinds.as_array().unwrap().len(), 15);
    assert_eq!(kinds[0]["key"], "no_show");
    assert_eq!(kinds[0]["label_es"], "No se presentó a la reunión");
    let text = d.ok(&["flag", "kinds"]);
    assert!(text.contains("Doesn't know what to delegate"));
    d.fails(&["flag", "add", "Tienda Sol", "grumpy"]);
    d.fails(&["flag", "dismiss", "999"]);
}

#[test]
fn client_show_explains_the_score() {
    let d = Desk::new();
    d.ok(&["client", "add", "Casa Lumen"]);
    d.ok(&["flag", "add", "Casa Lumen", "no_show", "--at", "2026-08-25"]); // 90 days: 1.5
    d.ok(&["flag", "add", "Casa Lumen", "late_material", "--at", "2026-11-23"]); // 2.0
    let show = d.json(&["client", "show", "Casa Lumen", "--json"]);
    assert_eq!(show["score"], 3.5);
    assert_eq!(show["verdict"], "watch");
    assert_eq!(show["flags"].as_array().unwrap().len(), 2);
    let ex = show["explanation"].as_array().unwrap();
    assert_eq!(ex[0]["kind"], "late_material");
    assert_eq!(ex[0]["points"], 2.0);
    assert_eq!(ex[1]["age_days"], 90);
    assert_eq!(ex[1]["points"], 1.5);
    let text = d.ok(&["client", "show", "casa lumen"]);
    assert!(text.contains("Score 3.50: watch"), "{text}");
    assert!(text.contains("1.50  No-show at a meeting"), "{text}");
}

#[test]
fn client_edit_and_case_insensitive_names() {
    let d = Desk::new();
    d.ok(&["client", "add", "Ana Pérez"]);
    d.ok(&["client", "add", "Bloom"]);
    let before = d.snapshot();
    let (code, err) = d.fails(&["client", "add", "ANA PÉREZ"]);
    assert_eq!(code, 2);
    assert!(err.contains("already exists"), "{err}");
    d.fails(&["client", "edit", "bloom", "--name", "ana pérez"]);
    assert_eq!(before, d.snapshot());
    d.ok(&[
        "client",
        "edit",
        "bloom",
        "--name",
        "Bloom Florist",
        "--status",
        "paused",
        "--rate",
        "25.5",
        "--tool",
        "Trello",
    ]);
    let c = d.json(&["client", "show", "2", "--json"]);
    assert_eq!(c["name"], "Bloom Florist");
    assert_eq!(c["status"], "paused");
    assert_eq!(c["rate"], 25.5);
    assert_eq!(
        d.json(&["client", "list", "--status", "paused", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn bad_input_gets_a_clear_message_and_changes_nothing() {
    let d = Desk::new();
    d.ok(&["client", "add", "Bloom"]);
    d.ok(&["task", "add", "Bloom", "Newsletter"]);
    let before = d.snapshot();
    let long = "x".repeat(10_000);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["client", "add", ""], "cannot be empty"),
        (vec!["client", "add", "  \x1b \n "], "cannot be empty"),
        (vec!["client", "add", &long], "too long"),
        (vec!["client", "add", "X", "--status", "vip"], "unknown client status"),
        (vec!["client", "add", "X", "--channel", "fax:123"], "unknown channel"),
        (vec!["client", "add", "X", "--rate", "-3"], "invalid"),
        (vec!["client", "add", "X", "--review-day", "someday"], "weekday"),
        (vec!["client", "show", "Nobody"], "no client"),
        (vec!["task", "add", "Nobody", "T"], "no client"),
        (vec!["task", "add", "Bloom", "T", "--due", "2026-02-30"], "invalid date"),
        (
            vec!["task", "add", "Bloom", "T", "--estimate", "soon"],
            "invalid duration",
        ),
        (vec!["task", "add", "Bloom", "T", "--via", "pigeon"], "unknown channel"),
        (vec!["task", "add", "Bloom", ""], "cannot be empty"),
        (vec!["task", "start", "999"], "no task"),
        (vec!["task", "outcome", "1", "great"], "unknown outcome"),
        (vec!["task", "list", "--status", "later"], "unknown task status"),
        (vec!["material", "ask", "999", "Logo", "--by", "fri"], "no task"),
        (
            vec!["material", "ask", "1", "Logo", "--by", "2026-13-01"],
            "invalid date",
        ),
        (vec!["material", "got", "999"], "no material"),
        (vec!["feedback", "got", "999"], "no feedback"),
        (vec!["nudge", "letter", "1"], "unknown request kind"),
        (vec!["nudge", "material", "999"], "no material"),
        (
            vec!["meeting", "add", "Bloom", "--at", "whenever"],
            "invalid date and time",
        ),
        (vec!["flag", "add", "Bloom", "nope"], "unknown red flag kind"),
        (vec!["import", "/nonexistent/file.json"], "cannot read"),
    ];
    for (args, expect) in &cases {
        let (code, err) = d.fails(args);
        assert!(
            err.to_lowercase().contains(expect),
            "vadesk {args:?}: expected {expect:?} in {err:?}"
        );
        assert!(code == 1 || code == 2, "vadesk {args:?} exited {code}");
        assert_eq!(d.snapshot(), before, "vadesk {args:?} changed the store");
    }
    // Usage errors exit 2.
    assert_eq!(d.fails(&["task", "add", "Bloom", "T", "--due", "2026-02-30"]).0, 2);
    assert_eq!(d.fails(&["client", "frobnicate"]).0, 2);
}

#[test]
fn text_is_cleaned_of_control_characters_and_keeps_unicode() {
    let d = Desk::new();
    d.ok(&["client", "add", "咖啡店 \x1b[31m☕\x07"]);
    let c = d.json(&["client", "list", "--json"]);
    assert_eq!(c[0]["name"], "咖啡店 [31m☕");
    d.ok(&["task", "add", "咖啡店 [31m☕", "Menú\nde\tNavidad 🎄"]);
    assert_eq!(d.json(&["task", "list", "--json"])[0]["title"], "Menú de Navidad 🎄");
}

#[test]
fn dates_accept_every_documented_form() {
    let d = Desk::new(); // Monday 2026-11-23
    d.ok(&["client", "add", "C"]);
    for (form, want) in [
        ("today", "2026-11-23"),
        ("tomorrow", "2026-11-24"),
        ("+3d", "2026-11-26"),
        ("+2w", "2026-12-07"),
        ("fri", "2026-11-27"),
        ("2028-02-29", "2028-02-29"),
        ("viernes", "2026-11-27"),
        ("mañana", "2026-11-24"),
    ] {
        let id = d.id(&["task", "add", "C", form, "--due", form]);
        let tasks = d.json(&["task", "list", "--json"]);
        let t = tasks.as_array().unwrap().iter().find(|t| t["id"] == id).unwrap();
        assert_eq!(t["due"], want, "{form}");
    }
    d.fails(&["task", "add", "C", "x", "--due", "2027-02-29"]);
}

#[test]
fn now_comes_from_flag_or_environment() {
    let d = Desk::new();
    d.ok(&["client", "add", "C"]);
    d.ok(&["task", "add", "C", "T", "--due", "2026-11-20"]);
    let r = d.json(&["review", "--json"]);
    assert_eq!(r["now"], "2026-11-23T09:00:00");
    assert_eq!(r["items"][0]["days_late"], 3);
    let r = d.json(&["--now", "2026-11-21 10:00", "review", "--json"]);
    assert_eq!(r["items"][0]["days_late"], 1);
    let r = d.json(&["review", "--json", "--now", "2026-11-20"]);
    assert_eq!(r["items"][0]["kind"], "task_due_today");
    let (code, err) = d.fails(&["--now", "2026-02-30", "review"]);
    assert_eq!(code, 2);
    assert!(err.contains("--now"), "{err}");
}

#[test]
fn review_snooze_via_nudge_until_moves_the_date() {
    let d = Desk::new();
    d.ok(&["client", "add", "C"]);
    let t = d.id(&["task", "add", "C", "T"]).to_string();
    // Asked last week, expected three days ago.
    let m = d
        .clone_at("2026-11-16 09:00")
        .id(&["material", "ask", &t, "Logo", "--by", "2026-11-20"])
        .to_string();
    let r = d.json(&["review", "--json"]);
    assert_eq!(r["items"][0]["kind"], "material_late");
    assert_eq!(r["items"][0]["days_late"], 3);
    assert_eq!(r["items"][0]["title"], "Logo");
    // A new date before the material was asked is refused (1990 made it 13,000 days late).
    for before in ["1990-01-01", "2026-11-15"] {
        let (_, err) = d.fails(&["nudge", "material", &m, "--until", before]);
        assert!(err.contains("is before the day it is asked (Mon 16 Nov)"), "{err}");
    }
    d.ok(&["nudge", "material", &m, "--until", "+2d"]);
    let r = d.json(&["review", "--json"]);
    assert_eq!(r["items"][0]["kind"], "due_soon");
    assert_eq!(r["items"][0]["days_late"], 0);
    // The late flag was raised once, dated the first late day, and stays.
    let flags = d.json(&["flag", "list", "--json"]);
    assert_eq!(flags.as_array().unwrap().len(), 1);
    assert_eq!(flags[0]["at"], "2026-11-21");
}

#[test]
fn spanish_errors_and_identical_json() {
    let d = Desk::new();
    d.ok(&["demo"]);
    let out = d
        .cmd()
        .env("LANG", "es_ES.UTF-8")
        .args(["task", "add", "Bloom Florist", "x", "--due", "2026-02-30"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("fecha no válida"), "{err}");
    assert_eq!(out.status.code(), Some(2));
    let en = d.ok(&["review", "--json"]);
    let es = String::from_utf8(
        d.cmd()
            .args(["--lang", "es", "review", "--json"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(en.trim(), es.trim());
    let text = String::from_utf8(d.cmd().args(["--lang", "es", "review"]).output().unwrap().stdout).unwrap();
    assert!(
        text.contains("Feedback atrasado") && text.contains("lun 23 nov"),
        "{text}"
    );
}

#[test]
fn help_and_usage_errors_speak_the_users_language() {
    let d = Desk::new();
    let es = |args: &[&str]| {
        let out = d.cmd().env("LANG", "es_ES.UTF-8").args(args).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    for args in [
        &["--help"][..],
        &["client", "add", "--help"],
        &["task", "--help"],
        &["review", "--help"],
    ] {
        let (code, out, _) = es(args);
        assert_eq!(code, Some(0));
        for english in [
            "Usage",
            "Options",
            "Arguments",
            "Commands",
            "Print help",
            "[OPTIONS]",
            "<NAME>",
        ] {
            assert!(!out.contains(english), "{args:?}: {english:?} in\n{out}");
        }
        assert!(out.contains("Uso:"), "{out}");
    }
    let (code, _, err) = es(&["client", "frobnicate"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("comando desconocido 'frobnicate'"), "{err}");
    let (code, _, err) = es(&["task", "add", "x", "y", "--due"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("necesita un valor"), "{err}");
    // A conflict names both options; an option given twice says so.
    let (code, _, err) = es(&["statement", "--all", "--out", "x.txt"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("--all no se puede usar junto con --out <ARCHIVO>"),
        "{err}"
    );
    let (_, _, err) = es(&["client", "list", "--json", "--json"]);
    assert!(err.contains("--json aparece dos veces"), "{err}");
    let (_, err) = d.fails(&["statement", "Acme", "--json", "--csv"]);
    assert!(err.contains("--json cannot be used with --csv"), "{err}");
    // --lang wins over LANG, and English stays English.
    let out = d
        .cmd()
        .env("LANG", "es_ES.UTF-8")
        .args(["--lang", "en", "--help"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("Usage:"));
    let out = d.cmd().args(["--help"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("A keyboard-driven terminal desk"));
}

#[test]
fn a_material_received_late_is_flagged_even_if_no_tick_saw_it() {
    let d = Desk::new();
    d.ok(&["client", "add", "C"]);
    let t = d.id(&["task", "add", "C", "T"]).to_string();
    // Asked last week, expected three days ago.
    let m = d
        .clone_at("2026-11-16 09:00")
        .id(&["material", "ask", &t, "Logo", "--by", "2026-11-20"])
        .to_string();
    let on_time = d
        .id(&["material", "ask", &t, "Fonts", "--by", "2026-11-23"])
        .to_string();
    d.ok(&["material", "got", &m]);
    d.ok(&["material", "got", &on_time]);
    let flags = d.json(&["flag", "list", "--json"]);
    assert_eq!(flags.as_array().unwrap().len(), 1, "{flags}");
    assert_eq!(flags[0]["kind"], "late_material");
    assert_eq!(flags[0]["at"], "2026-11-21");
    assert_eq!(flags[0]["source"], "auto");
}

/// Relative dates, defaults and repeats never leave the years vadesk keeps: what they would
/// give is refused (or has no next date), so every export imports again.
#[test]
fn relative_dates_stay_within_the_years_kept() {
    let mut d = Desk::new();
    d.at("2999-12-30 10:00");
    d.ok(&["client", "add", "Zed"]);
    for args in [
        &["task", "add", "zed", "Late", "--due", "+3d"][..],
        &["task", "add", "zed", "Late", "--due", "+1w"],
        &["quote", "add", "zed", "--amount", "10", "--answer-by", "+2d"],
    ] {
        let (code, err) = d.fails(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("outside the years 1900 to 2999"), "{args:?}: {err}");
    }
    let (code, err) = d.fails(&["--lang", "es", "task", "add", "zed", "Late", "--due", "+3d"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("«+3d» cae el 3000-01-02, fuera de los años 1900 a 2999"),
        "{err}"
    );
    // A quote's default answer date (sent + 7 days) too.
    let (code, err) = d.fails(&["quote", "add", "zed", "--amount", "10"]);
    assert_eq!(code, 2, "{err}");
    // A weekly task due on the last Friday of 2999 has no next date, and its export imports.
    let t = d.ok(&[
        "task",
        "add",
        "zed",
        "Weekly",
        "--every",
        "weekly",
        "--due",
        "2999-12-31",
    ]);
    d.ok(&["task", "done", &t]);
    d.at("1900-01-01 10:00");
    let (code, err) = d.fails(&["task", "add", "zed", "Early", "--due", "-2d"]);
    assert_eq!(code, 2, "{err}");
    let export = d.dir.path().join("all.json");
    d.ok(&["export", "--out", export.to_str().unwrap()]);
    // Imported on a day when its records have been made (a record created on a day still to
    // come is refused).
    let mut other = Desk::new();
    other.at("2999-12-31 10:00");
    other.ok(&["import", export.to_str().unwrap()]);
    assert_eq!(other.ok(&["task", "list"]).matches("Weekly").count(), 1);
}

/// The channel kinds of SPEC 11, with handles holding commas, colons and spaces, through the
/// command line and its JSON; a task can arrive through them too.
#[test]
fn every_channel_kind_is_taken_with_its_handle() {
    let d = common::Desk::new();
    let kinds = [
        "telegram",
        "instagram",
        "linkedin",
        "teams",
        "zoom",
        "meet",
        "notion",
        "clickup",
    ];
    let mut args = vec!["client".to_string(), "add".into(), "Acme".into()];
    for k in kinds {
        args.push("--channel".into());
        args.push(format!("{k}:acme, the shop: {k}"));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    d.ok(&args);
    let c = d.json(&["client", "list", "--json"]);
    let got: Vec<(String, String)> = c[0]["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|ch| {
            (
                ch["kind"].as_str().unwrap().to_string(),
                ch["handle"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for k in kinds {
        assert!(
            got.contains(&(k.to_string(), format!("acme, the shop: {k}"))),
            "{k}: {got:?}"
        );
    }
    d.ok(&["task", "add", "Acme", "Reel", "--via", "instagram"]);
    let (code, err) = d.fails(&["client", "edit", "Acme", "--channel", "myspace"]);
    assert_eq!(code, 2);
    assert!(err.contains("clickup"), "the message lists every kind: {err}");
}

#[test]
fn a_client_edit_says_the_client_s_name_not_its_id() {
    let d = Desk::new();
    d.ok(&["client", "add", "Client 09"]);
    d.ok(&["client", "add", "Other"]);
    let out = d.ok(&["client", "edit", "Client 09", "--name", "Renamed Nine"]);
    assert_eq!(out.trim(), "Client Renamed Nine saved.");
    let out = d.ok(&["client", "edit", "other", "--rate", "30"]);
    assert_eq!(out.trim(), "Client Other saved.");
}

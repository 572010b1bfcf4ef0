//! A scripted week of client work, day by day with `--now`: the ticks raise what SPEC says,
//! and Monday's review and verdicts come out as SPEC says.

mod common;

use common::Desk;
use serde_json::Value;

fn new_flags(d: &mut Desk, day: &str) -> Vec<(String, String)> {
    d.at(&format!("{day} 08:00"));
    let t = d.json(&["tick", "--once", "--json"]);
    t["new_flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["client"].as_str().unwrap().to_string(),
                f["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pair(c: &str, k: &str) -> (String, String) {
    (c.to_string(), k.to_string())
}

#[test]
fn a_week_of_client_work() {
    let mut d = Desk::new();
    // Monday 16 November.
    d.at("2026-11-16 09:00");
    d.ok(&[
        "client",
        "add",
        "Bloom Florist",
        "--channel",
        "whatsapp",
        "--review-day",
        "fri",
        "--rate",
        "30",
    ]);
    d.ok(&["client", "add", "Casa Lumen", "--channel", "email"]);
    d.ok(&["client", "add", "Northwind Yoga", "--status", "prospect"]);
    let news = d
        .id(&[
            "task",
            "add",
            "Bloom Florist",
            "Newsletter",
            "--due",
            "wed",
            "--via",
            "whatsapp",
        ])
        .to_string();
    let carousel = d
        .id(&[
            "task",
            "add",
            "Casa Lumen",
            "Carousel",
            "--due",
            "fri",
            "--via",
            "email",
        ])
        .to_string();
    let flyer = d
        .id(&["task", "add", "Casa Lumen", "Flyer", "--due", "tue"])
        .to_string();
    let photos = d
        .id(&["material", "ask", &carousel, "Photos", "--by", "wed"])
        .to_string();
    let meeting = d
        .id(&[
            "meeting",
            "add",
            "Northwind Yoga",
            "--at",
            "tomorrow 10:00",
            "--kind",
            "discovery",
        ])
        .to_string();
    d.ok(&[
        "quote",
        "add",
        "Northwind Yoga",
        "--amount",
        "450",
        "--prep",
        "1h",
        "--answer-by",
        "fri",
    ]);
    assert!(new_flags(&mut d, "2026-11-16").is_empty());

    // Tuesday: the prospect does not show up; the flyer is done.
    d.at("2026-11-17 11:00");
    d.ok(&["meeting", "attended", &meeting, "no_show"]);
    d.ok(&["task", "done", &flyer]);
    assert!(
        new_flags(&mut d, "2026-11-17").is_empty(),
        "the no-show was flagged by the command, not the tick"
    );

    // Wednesday: newsletter delivered, feedback asked for Thursday; photos due today.
    d.at("2026-11-18 12:00");
    d.ok(&["task", "deliver", &news]);
    let fb = d.id(&["feedback", "ask", &news, "--by", "thu"]).to_string();
    let r = d.json(&["review", "--json"]);
    let soon: Vec<&Value> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "due_soon")
        .collect();
    assert_eq!(soon.len(), 2);
    assert!(new_flags(&mut d, "2026-11-18").is_empty());

    // Thursday: the photos are late.
    assert_eq!(new_flags(&mut d, "2026-11-19"), [pair("Casa Lumen", "late_material")]);
    d.at("2026-11-19 10:00");
    d.ok(&["nudge", "material", &photos]);

    // Friday: feedback overdue; Bloom's weekly review is due today.
    assert_eq!(new_flags(&mut d, "2026-11-20"), [pair("Bloom Florist", "no_feedback")]);
    let r = d.json(&["review", "--json"]);
    assert!(r["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["kind"] == "weekly_review" && i["client"] == "Bloom Florist"));

    // Saturday: the quote's answer date passed; the weekly review was missed.
    let mut sat = new_flags(&mut d, "2026-11-21");
    sat.sort();
    assert_eq!(
        sat,
        [
            pair("Bloom Florist", "no_feedback"),
            pair("Northwind Yoga", "quote_unanswered")
        ]
    );
    // Running the same pass again raises nothing.
    assert!(new_flags(&mut d, "2026-11-21").is_empty());
    assert!(new_flags(&mut d, "2026-11-22").is_empty());

    // Monday 23: the review, in SPEC order.
    d.at("2026-11-23 09:00");
    let r = d.json(&["review", "--json"]);
    let rows: Vec<(String, String, i64)> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap().into(),
                i["client"].as_str().unwrap().into(),
                i["days_late"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("feedback_overdue".into(), "Bloom Florist".into(), 4),
            ("material_late".into(), "Casa Lumen".into(), 5),
            ("quote_unanswered".into(), "Northwind Yoga".into(), 3),
        ]
    );
    assert_eq!(r["items"][0]["id"].as_i64().unwrap().to_string(), fb);
    assert_eq!(r["items"][1]["id"].as_i64().unwrap().to_string(), photos);

    // Verdicts: two missed feedbacks make Bloom one to watch; the prospect is one to decline.
    let verdict = |d: &Desk, c: &str| {
        d.json(&["client", "show", c, "--json"])["verdict"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(verdict(&d, "Bloom Florist"), "watch");
    assert_eq!(verdict(&d, "Casa Lumen"), "healthy");
    assert_eq!(verdict(&d, "Northwind Yoga"), "decline");
    let counts = d.json(&["tick", "--once", "--json"])["counts"].clone();
    assert_eq!(counts["feedback_overdue"], 1);
    assert_eq!(counts["material_late"], 1);

    // Months later the same flags have faded: Bloom is healthy again.
    d.at("2027-06-01 09:00");
    d.ok(&["feedback", "got", &fb]);
    d.ok(&["material", "got", &photos]);
    assert_eq!(verdict(&d, "Bloom Florist"), "healthy");
}

#[test]
fn scattered_channels_and_underpaying() {
    let d = Desk::new();
    let cfg = d.dir.path().join("c.toml");
    std::fs::write(&cfg, "min_rate = 25\n").unwrap();
    d.ok(&["client", "add", "Pixel", "--rate", "30"]);
    for via in ["email", "whatsapp"] {
        d.ok(&["task", "add", "Pixel", via, "--via", via]);
    }
    let none = d.json(&["--config", cfg.to_str().unwrap(), "tick", "--once", "--json"]);
    assert!(none["new_flags"].as_array().unwrap().is_empty());
    let t = d
        .id(&[
            "task",
            "add",
            "Pixel",
            "slack one",
            "--via",
            "slack",
            "--estimate",
            "2h",
        ])
        .to_string();
    d.ok(&["task", "deliver", &t]);
    // An estimate is not tracked time: nothing is judged yet.
    let est = d.json(&["--config", cfg.to_str().unwrap(), "tick", "--once", "--json"]);
    assert!(est["new_flags"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["kind"] != "underpaying"));
    d.ok(&["time", "log", &t, "2h"]);
    // Three hours of quote preparation against two tracked and billed: €60 / 5h = €12/h.
    d.ok(&["quote", "add", "Pixel", "--amount", "100", "--prep", "3h"]);
    let tick = d.json(&["--config", cfg.to_str().unwrap(), "tick", "--once", "--json"]);
    let mut kinds: Vec<&str> = tick["new_flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    kinds.sort();
    assert_eq!(kinds, ["underpaying"]);
    let again = d.json(&["--config", cfg.to_str().unwrap(), "tick", "--once", "--json"]);
    assert!(again["new_flags"].as_array().unwrap().is_empty());
}

//! `vadesk tick --once --notify`: what a pass finds new goes to the desktop too. The notes are
//! checked through the recording double of the `Notifier` trait; the real notifier is called
//! once in an environment with no notification service (as in CI) and must not get in the way.

mod common;

use chrono::NaiveDate;
use common::Desk;
use vadesk::i18n::Lang;
use vadesk::notify::{notes, Announcer, Desktop, Note, Notifier, Recorder, MAX_NOTES};
use vadesk::Store;

/// Northwind has a material two days late and a quote unanswered since the 20th.
fn late_desk() -> Desk {
    let d = Desk::new();
    d.ok(&["client", "add", "Northwind"]);
    let t = d.id(&["task", "add", "Northwind", "Landing page"]).to_string();
    d.clone_at("2026-11-16 09:00")
        .ok(&["material", "ask", &t, "Logo", "--by", "2026-11-20"]);
    d.clone_at("2026-11-10 09:00")
        .ok(&["quote", "add", "Northwind", "--amount", "450", "--sent", "2026-11-10"]);
    d
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn pass(d: &Desk, on: &str) -> vadesk::store::DetectReport {
    let mut store = Store::open(&d.db).expect("open");
    store.detect(day(on), None).expect("detect")
}

#[test]
fn the_double_is_shown_each_new_flag_in_english() {
    let d = late_desk();
    let report = pass(&d, "2026-11-23");
    assert_eq!(report.new_flags.len(), 2, "{report:?}");
    let mut a = Announcer::new(Recorder::default());
    let mut err = Vec::new();
    a.announce(&report, day("2026-11-23"), Lang::En, &mut err);
    assert!(err.is_empty());
    let shown = &a.notifier.shown;
    assert_eq!(shown.len(), 2, "{shown:?}");
    assert!(shown.iter().all(|n| n.title == "Red flag · Northwind"), "{shown:?}");
    let bodies: Vec<&str> = shown.iter().map(|n| n.body.as_str()).collect();
    assert!(
        bodies
            .iter()
            .any(|b| b.starts_with("Materials delivered late") && b.contains("Logo")),
        "{bodies:?}"
    );
    assert!(
        bodies.iter().any(|b| b.starts_with("Quote left unanswered")),
        "{bodies:?}"
    );

    // A second pass finds nothing new: nothing is shown again.
    let again = pass(&d, "2026-11-23");
    a.announce(&again, day("2026-11-23"), Lang::En, &mut err);
    assert_eq!(a.notifier.shown.len(), 2);
}

#[test]
fn the_double_is_shown_each_new_flag_in_spanish() {
    let d = late_desk();
    let report = pass(&d, "2026-11-23");
    let shown = notes(&report, day("2026-11-23"), Lang::Es);
    assert_eq!(shown.len(), 2);
    assert!(shown.iter().all(|n| n.title == "Bandera roja · Northwind"), "{shown:?}");
    let bodies: Vec<&str> = shown.iter().map(|n| n.body.as_str()).collect();
    assert!(
        bodies
            .iter()
            .any(|b| b.starts_with("Entrega tarde el material") && b.contains("Logo")),
        "{bodies:?}"
    );
    assert!(
        bodies.iter().any(|b| b.starts_with("Presupuesto sin respuesta")),
        "{bodies:?}"
    );
}

#[test]
fn many_new_flags_are_capped_with_a_count() {
    let d = Desk::new();
    d.ok(&["client", "add", "Acme"]);
    let t = d.id(&["task", "add", "Acme", "Posts"]).to_string();
    let past = d.clone_at("2026-11-01 09:00");
    for i in 0..8 {
        past.ok(&["material", "ask", &t, &format!("Photo {i}"), "--by", "2026-11-10"]);
    }
    let report = pass(&d, "2026-11-23");
    assert_eq!(report.new_flags.len(), 8);
    let en = notes(&report, day("2026-11-23"), Lang::En);
    assert_eq!(en.len(), MAX_NOTES);
    assert_eq!(en[MAX_NOTES - 1].title, "4 more new red flags");
    assert!(en[MAX_NOTES - 1].body.contains("Acme"), "{:?}", en[MAX_NOTES - 1]);
    assert!(
        en[MAX_NOTES - 1].body.contains("8 late materials"),
        "{:?}",
        en[MAX_NOTES - 1]
    );
    let es = notes(&report, day("2026-11-23"), Lang::Es);
    assert_eq!(es[MAX_NOTES - 1].title, "4 banderas rojas nuevas más");
    assert!(
        es[MAX_NOTES - 1].body.contains("8 materiales atrasados"),
        "{:?}",
        es[MAX_NOTES - 1]
    );
}

#[test]
fn a_missing_service_is_said_once_in_the_users_language() {
    let d = late_desk();
    let report = pass(&d, "2026-11-23");
    for (lang, words) in [
        (Lang::En, "desktop notifications are not available"),
        (Lang::Es, "los avisos de escritorio no están disponibles"),
    ] {
        let mut a = Announcer::new(Recorder {
            fail: Some("no session bus".into()),
            ..Recorder::default()
        });
        let mut err = Vec::new();
        a.announce(&report, day("2026-11-23"), lang, &mut err);
        // A watching tick says it once, not at every pass.
        a.announce(&report, day("2026-11-24"), lang, &mut err);
        let err = String::from_utf8(err).unwrap();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with("vadesk: ") && err.contains(words) && err.contains("no session bus"),
            "{err}"
        );
    }
}

/// The real notifier, called for real. With a notification service it shows one note; without
/// one (no session bus, as in CI) it answers an error quickly instead of failing the caller.
#[test]
fn the_real_notifier_tolerates_a_missing_service() {
    let r = Desktop.show(&Note {
        title: "vadesk".into(),
        body: "test notification".into(),
    });
    if let Err(why) = r {
        assert!(!why.trim().is_empty());
    }
}

#[test]
fn tick_notify_without_a_service_still_prints_and_exits_zero() {
    let mut d = late_desk();
    d.at("2026-11-23 09:00");
    // The test environment is cleared: no session bus address, no runtime folder with a bus.
    let run = |lang: &str, d: &Desk| {
        d.cmd()
            .env("LANG", lang)
            .env("XDG_RUNTIME_DIR", d.dir.path())
            .args(["tick", "--once", "--notify"])
            .output()
            .expect("run")
    };
    let out = run("en_US.UTF-8", &d);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stdout.contains("New red flag: Northwind: Materials delivered late"),
        "{stdout}"
    );
    assert!(
        stdout.contains("New red flag: Northwind: Quote left unanswered"),
        "{stdout}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("desktop notifications are not available"), "{stderr}");

    // Spanish, on a desk with something new again.
    let d = late_desk();
    let out = run("es_ES.UTF-8", &d);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stdout.contains("Nueva bandera roja: Northwind"), "{stdout}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("los avisos de escritorio no están disponibles"),
        "{stderr}"
    );

    // Nothing new: nothing to show, nothing said.
    let out = run("en_US.UTF-8", &d);
    assert!(out.status.success());
    assert!(String::from_utf8(out.stdout).unwrap().contains("Nothing new."));
    assert!(out.stderr.is_empty());

    // JSON output is unchanged by --notify.
    let d = late_desk();
    let out = d
        .cmd()
        .env("XDG_RUNTIME_DIR", d.dir.path())
        .args(["tick", "--once", "--notify", "--json"])
        .output()
        .expect("run");
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["new_flags"].as_array().unwrap().len(), 2);
}

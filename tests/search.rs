//! Search (SPEC 11): the FTS5 index over every text field, from the command line and the
//! store's page API, on real files.

mod common;

use chrono::NaiveDate;
use common::Desk;
use vadesk::domain::SearchKind;
use vadesk::store::{TaskFields, LATEST_VERSION};
use vadesk::Store;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn kinds_ids(v: &serde_json::Value) -> Vec<(String, i64)> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["kind"].as_str().unwrap().to_string(), i["id"].as_i64().unwrap()))
        .collect()
}

fn sample() -> (Desk, i64, i64) {
    let d = Desk::new();
    let c = d.id(&[
        "client",
        "add",
        "Clínica Dental Sur",
        "--notes",
        "Prefers email; invoices at month end",
        "--tool",
        "Trello",
    ]);
    let t = d.id(&[
        "task",
        "add",
        "Clínica",
        "Newsletter de noviembre",
        "--spec",
        "Redactar y enviar el boletín",
    ]);
    (d, c, t)
}

#[test]
fn search_finds_every_kind_of_record_with_accents_and_case_folded() {
    let (d, c, t) = sample();
    let logo = d.id(&["task", "add", "1", "Logo final", "--spec", "three versions"]);
    let m = d.id(&["material", "ask", &logo.to_string(), "logo en SVG", "--by", "+3d"]);
    let f = d.id(&["feedback", "ask", &logo.to_string(), "--by", "+3d"]);
    let q = d.id(&["quote", "add", "1", "--amount", "300", "--for", "Rediseño del LOGO"]);
    let fl = d.id(&["flag", "add", "1", "other", "--note", "Cambió el logo tras aprobarlo"]);
    let _ = f;

    // `clinica` finds "Clínica"; `CLÍNICA` too.
    for typed in ["clinica", "CLÍNICA", "clin", "dental sur"] {
        let v = d.json(&["search", typed, "--json"]);
        assert_eq!(kinds_ids(&v), vec![("client".to_string(), c)], "{typed}");
        let item = &v["items"][0];
        assert_eq!(item["client"], "Clínica Dental Sur");
        assert_eq!(item["title"], "Clínica Dental Sur");
        assert!(item["snippet"].as_str().unwrap().contains('['), "{item}");
    }
    // Notes and tool are searched too.
    assert_eq!(
        kinds_ids(&d.json(&["search", "invoices", "--json"])),
        vec![("client".into(), c)]
    );
    assert_eq!(
        kinds_ids(&d.json(&["search", "trello", "--json"])),
        vec![("client".into(), c)]
    );
    // A task's spec (with its accent folded).
    assert_eq!(
        kinds_ids(&d.json(&["search", "boletin", "--json"])),
        vec![("task".into(), t)]
    );

    let found = kinds_ids(&d.json(&["search", "logo", "--json"]));
    for want in [
        ("task".to_string(), logo),
        ("material".to_string(), m),
        ("quote".to_string(), q),
        ("flag".to_string(), fl),
    ] {
        assert!(found.contains(&want), "{want:?} not in {found:?}");
    }
    assert_eq!(found.len(), 4, "{found:?}");
    // --limit keeps the best ones.
    assert_eq!(
        d.json(&["search", "logo", "--json", "--limit", "2"])["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // People read kinds in their language.
    let es = d.ok(&["--lang", "es", "search", "logo"]);
    assert!(
        es.contains("presupuesto") && es.contains("bandera roja") && es.contains("TIPO"),
        "{es}"
    );
    let none = d.ok(&["search", "zzzz"]);
    assert!(none.contains("Nothing found"), "{none}");
}

#[test]
fn title_words_rank_above_body_words() {
    let d = Desk::new();
    d.ok(&["client", "add", "Bloom Florist"]);
    let body = d.id(&[
        "task",
        "add",
        "bloom",
        "Weekly post",
        "--spec",
        "Use the autumn palette",
    ]);
    let title = d.id(&["task", "add", "bloom", "Autumn catalogue"]);
    let v = d.json(&["search", "autumn", "--json"]);
    assert_eq!(
        kinds_ids(&v),
        vec![("task".to_string(), title), ("task".to_string(), body)]
    );
}

#[test]
fn typed_query_syntax_is_plain_text_and_empty_text_is_refused() {
    let (d, _, t) = sample();
    for typed in [
        "\"newsletter",
        "newsletter*",
        "news-letter",
        "title:newsletter",
        "NEAR(newsletter)",
        "newsletter AND OR NOT",
        "a\"b*c:d-e",
        "^newsletter",
    ] {
        let out = d.cmd().args(["search", typed, "--json"]).output().unwrap();
        assert!(
            out.status.success(),
            "{typed}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let _: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    }
    // The words still count: `title:newsletter` is "title" and "newsletter".
    assert!(kinds_ids(&d.json(&["search", "newsletter*", "--json"])).contains(&("task".into(), t)));
    // Several arguments are one text.
    assert_eq!(
        kinds_ids(&d.json(&["search", "newsletter", "nov", "--json"])),
        vec![("task".into(), t)]
    );
    for empty in ["", "   ", "\"*-:", "()"] {
        let (code, err) = d.fails(&["search", empty]);
        assert_eq!(code, 2, "{empty:?}: {err}");
        assert!(err.contains("nothing to search for"), "{err}");
    }
    d.fails(&["search"]);
}

#[test]
fn the_index_follows_edits_deletes_moves_undo_and_import() {
    let (d, c, t) = sample();
    let other = d.id(&["client", "add", "Tienda Sol"]);
    d.ok(&[
        "task",
        "edit",
        &t.to_string(),
        "--title",
        "Boletín de diciembre",
        "--client",
        "tienda",
    ]);
    let v = d.json(&["search", "diciembre", "--json"]);
    assert_eq!(kinds_ids(&v), vec![("task".to_string(), t)]);
    assert_eq!(v["items"][0]["client"], "Tienda Sol");
    assert!(d.json(&["search", "noviembre", "--json"])["items"]
        .as_array()
        .unwrap()
        .is_empty());
    d.ok(&["client", "edit", "Clínica", "--name", "Clínica Norte"]);
    assert_eq!(
        kinds_ids(&d.json(&["search", "norte", "--json"])),
        vec![("client".into(), c)]
    );
    assert!(d.json(&["search", "sur", "--json"])["items"]
        .as_array()
        .unwrap()
        .is_empty());
    let _ = other;

    // Undo of the desk brings the old text back into the index.
    let mut s = Store::open(&d.db).unwrap();
    s.enable_undo().unwrap();
    s.edit_task(
        t,
        TaskFields {
            title: Some("Informe anual".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(s.search("informe", 10, 0).unwrap().len(), 1);
    s.undo().unwrap();
    assert!(s.search("informe", 10, 0).unwrap().is_empty());
    assert_eq!(s.search("diciembre", 10, 0).unwrap()[0].id, t);
    s.redo().unwrap();
    assert_eq!(s.search("informe", 10, 0).unwrap()[0].id, t);
    drop(s);

    // Export carries no index rows; import rebuilds them.
    let export = d.ok(&["export"]);
    assert!(!export.contains("\"search"), "the index leaked into the export");
    let file = d.dir.path().join("all.json");
    std::fs::write(&file, &export).unwrap();
    let e = Desk::new();
    e.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(
        kinds_ids(&e.json(&["search", "informe", "--json"])),
        vec![("task".into(), t)]
    );

    // Deleting the client takes its records out of the index.
    let mut s = Store::open(&e.db).unwrap();
    let tienda = s.find_client("tienda").unwrap().id;
    s.delete_client(tienda).unwrap();
    assert!(s.search("informe", 10, 0).unwrap().is_empty());
    assert!(s.search("tienda", 10, 0).unwrap().is_empty());
}

#[test]
fn an_upgraded_store_is_indexed_by_its_migration() {
    let d = Desk::new();
    std::fs::copy("tests/fixtures/v2.db", &d.db).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&d.db, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let s = Store::open(&d.db).unwrap();
    let v: i64 = s.conn().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, LATEST_VERSION as i64);
    let hits = s.search("clinica", 10, 0).unwrap();
    assert!(
        hits.iter()
            .any(|h| h.kind == SearchKind::Client && h.title == "Clínica Dental Ramos"),
        "{hits:?}"
    );
    let hits = s.search("newsletter", 10, 0).unwrap();
    assert!(hits.iter().any(|h| h.title == "Christmas newsletter"), "{hits:?}");
}

#[test]
fn the_store_pages_and_takes_any_typed_text() {
    let d = Desk::new();
    let mut s = Store::open(&d.db).unwrap();
    let c = s
        .add_client(
            vadesk::store::ClientFields {
                name: Some("Casa Lumen".into()),
                ..Default::default()
            },
            today(),
        )
        .unwrap();
    for i in 0..25 {
        s.add_task(
            c,
            TaskFields {
                title: Some(format!("Post {i} for the autumn campaign")),
                ..Default::default()
            },
            today(),
        )
        .unwrap();
    }
    let first = s.search("autumn camp", 10, 0).unwrap();
    let second = s.search("autumn camp", 10, 10).unwrap();
    let third = s.search("autumn camp", 10, 20).unwrap();
    assert_eq!((first.len(), second.len(), third.len()), (10, 10, 5));
    let mut ids: Vec<i64> = first.iter().chain(&second).chain(&third).map(|h| h.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 25);
    assert!(first
        .iter()
        .all(|h| h.kind == SearchKind::Task && h.client == "Casa Lumen" && h.client_id == c));
    // As typed, letter by letter: every prefix answers, nothing errors.
    let typed = "\"autumn\" -camp* : (";
    for end in 0..=typed.len() {
        if typed.is_char_boundary(end) {
            s.search(&typed[..end], 10, 0).unwrap();
        }
    }
    assert!(s.search("", 10, 0).unwrap().is_empty());
    assert!(s.search("***", 10, 0).unwrap().is_empty());
}

//! The desk on the recurring tasks and the search index: the ↻ mark, the form's `repeats`
//! field, and `/` on "All clients" read through the index. `App` driven by keys on a real
//! store; renders on ratatui's `TestBackend`.

mod common;

use common::tui::{now, Desk, Setup};

use crossterm::event::KeyCode;
use vadesk::i18n::Lang;
use vadesk::store::TaskFields;
use vadesk::tui::form::{FormKind, Popup};

fn desk_in(lang: Lang) -> Desk {
    Setup {
        lang,
        demo_in_lang: false,
        ..Setup::default()
    }
    .build()
}

impl Desk {
    fn add_task(&mut self, client: &str, title: &str, every: Option<&str>) -> i64 {
        let c = self.store.find_client(client).unwrap().id;
        let id = self
            .store
            .add_task(
                c,
                TaskFields {
                    title: Some(title.into()),
                    every: every.map(|e| Some(e.to_string())),
                    ..Default::default()
                },
                now().date(),
            )
            .unwrap();
        self.app.reload(&self.store).unwrap();
        id
    }
}

#[test]
fn a_repeating_task_carries_the_mark_and_the_help_explains_it() {
    let mut d = desk_in(Lang::En);
    d.add_task("Tienda Sol", "Weekly newsletter", Some("fri"));
    d.add_task("Tienda Sol", "One-off logo", None);
    d.open("Tienda Sol");
    let screen = d.text(80, 24);
    assert!(screen.contains("↻ Weekly newsletter"), "{screen}");
    assert!(!screen.contains("↻ One-off logo"), "{screen}");
    insta::assert_snapshot!("recurring_80x24", screen);
    d.keys("?");
    let mut all = String::new();
    for _ in 0..60 {
        all.push_str(&d.text(120, 35));
        d.keys("j");
    }
    assert!(all.contains("↻ before a task: it repeats"), "{all}");
}

#[test]
fn the_task_form_sets_changes_and_stops_the_repeat_rule() {
    let mut d = desk_in(Lang::Es);
    d.open("Tienda Sol").keys("a");
    assert!(matches!(&d.app.popup, Some(Popup::Form(f)) if matches!(f.kind, FormKind::AddTask(_))));
    d.keys("Boletín semanal").key(KeyCode::BackTab).keys("cada martes");
    insta::assert_snapshot!("recurring_form_es_80x24", d.text(80, 24));
    d.key(KeyCode::Enter);
    // A rule that is not one is marked on its field; nothing typed is lost.
    let Some(Popup::Form(f)) = &d.app.popup else {
        panic!("the form stays: {}", d.notice())
    };
    let last = f.fields.len() - 1;
    assert_eq!(f.focus, last);
    assert!(f.fields[last].error.is_some());
    assert_eq!(f.value(0), "Boletín semanal");
    for _ in 0..20 {
        d.key(KeyCode::Backspace);
    }
    d.keys("mar").key(KeyCode::Enter);
    assert!(d.app.popup.is_none(), "{}", d.notice());
    let t = d.app.tasks.current().unwrap().clone();
    assert_eq!(t.title, "Boletín semanal");
    assert_eq!(t.every.as_deref(), Some("mar"));
    assert!(t.due.is_some(), "the first date the rule gives");
    // Edit: another rule, then none.
    d.keys("e").key(KeyCode::BackTab);
    for _ in 0..20 {
        d.key(KeyCode::Backspace);
    }
    d.keys("2s").key(KeyCode::Enter);
    assert_eq!(d.store.task(t.id).unwrap().every.as_deref(), Some("2s"));
    d.keys("e").key(KeyCode::BackTab);
    for _ in 0..20 {
        d.key(KeyCode::Backspace);
    }
    d.key(KeyCode::Enter);
    assert!(d.app.popup.is_none(), "{}", d.notice());
    assert_eq!(d.store.task(t.id).unwrap().every, None, "empty stops it");
    assert!(!d.text(80, 24).contains('↻'));
}

#[test]
fn slash_on_all_clients_finds_tasks_through_the_index_accents_and_case_folded() {
    let mut d = desk_in(Lang::En);
    let hit = d.add_task("Tienda Sol", "Revisión de la campaña", None);
    let other = d.add_task("Bloom Florist", "Campaign photos", None);
    d.goto_client(None).key(KeyCode::Tab);
    assert!(d.app.client().is_none());
    d.keys("/revision campa");
    let ids: Vec<i64> = (0..d.app.tasks.len())
        .filter_map(|i| d.app.tasks.get(i).map(|t| t.id))
        .collect();
    assert_eq!(ids, vec![hit], "only the task with both words (the last one a prefix)");
    assert_eq!(d.app.tasks.current().unwrap().id, hit, "the best match is selected");
    assert!(d.app.tasks.all.is_empty(), "the scope's tasks are never loaded");
    let screen = d.text(120, 35);
    assert!(screen.contains("Revisión de la campaña"), "{screen}");
    // Enter keeps the filter; a change to the task keeps it selected and found.
    d.key(KeyCode::Enter).keys("v");
    assert_eq!(d.app.tasks.current().unwrap().id, hit);
    // Esc: the whole list back, the selection on the same task.
    d.key(KeyCode::Esc);
    assert!(d.app.tasks.filter.is_none());
    assert_eq!(d.app.tasks.selected_id(), Some(hit));
    // Words in no task: nothing, and the other task is not matched by a partial first word.
    d.keys("/campaign");
    assert!(
        (0..d.app.tasks.len()).any(|i| d.app.tasks.get(i).map(|t| t.id) == Some(other)),
        "prefix of the last word"
    );
    d.key(KeyCode::Esc).keys("/zzzz");
    assert!(d.app.tasks.is_empty());
}

#[test]
fn slash_on_one_client_stays_the_fuzzy_filter() {
    let mut d = desk_in(Lang::En);
    d.add_task("Tienda Sol", "Revisión de la campaña", None);
    d.open("Tienda Sol").keys("/rvcmp");
    assert_eq!(d.app.tasks.len(), 1, "fuzzy, within the client's tasks");
}

#[test]
fn a_filter_that_finds_nothing_says_so_rather_than_the_empty_lists_hint() {
    for lang in [Lang::En, Lang::Es] {
        let mut d = desk_in(lang);
        d.add_task("Tienda Sol", "Revisión de la campaña", None);
        let (none, empty) = match lang {
            Lang::En => ("No task matches the filter. Esc clears it.", "No tasks. Pick a client"),
            Lang::Es => (
                "Ninguna tarea coincide con el filtro. Esc lo borra.",
                "Sin tareas. Elige un cliente",
            ),
        };
        // "All clients": through the search index.
        d.goto_client(None).key(KeyCode::Tab);
        d.keys("/zzzz");
        assert!(d.app.tasks.is_empty());
        let screen = d.text(120, 35);
        assert!(screen.contains(none), "{screen}");
        assert!(!screen.contains(empty), "{screen}");
        // One client: the fuzzy filter.
        d.key(KeyCode::Esc);
        d.open("Tienda Sol").keys("/qqqq");
        assert!(d.app.tasks.is_empty());
        let screen = d.text(120, 35);
        assert!(screen.contains(none), "{screen}");
        // An empty query is no filter yet: the list as it is.
        d.key(KeyCode::Esc);
        assert!(!d.text(120, 35).contains(none));
    }
}

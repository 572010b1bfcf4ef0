//! SPEC 9, paste is text: a bracketed paste goes into the focused field as text, never as keys
//! that save or delete, in time linear in its size, cut at the field's limit with a notice.

mod common;

use chrono::NaiveDateTime;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use vadesk::cli::Context;
use vadesk::config::Config;
use vadesk::i18n::Lang;
use vadesk::tui::app::{Pane, View};
use vadesk::tui::form::Popup;
use vadesk::tui::{self, update, App, Msg};
use vadesk::Store;

use common::pty::Screen;
use common::Desk;

struct D {
    _dir: tempfile::TempDir,
    store: Store,
    app: App,
}

fn desk() -> D {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    let mut store = Store::open(&path).unwrap();
    let now = NaiveDateTime::parse_from_str("2026-11-23 09:00", "%Y-%m-%d %H:%M").unwrap();
    store.load_demo(now.date()).unwrap();
    let ctx = Context {
        db_path: Some(path),
        now,
        fixed_now: true,
        lang: Lang::En,
        config: Config::default(),
        tick_seconds: 60,
    };
    let app = tui::prepare(&ctx, &mut store, true).unwrap();
    D { _dir: dir, store, app }
}

impl D {
    fn key(&mut self, code: KeyCode) -> &mut Self {
        update(
            &mut self.app,
            Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)),
            &mut self.store,
        );
        self
    }
    fn paste(&mut self, s: &str) -> &mut Self {
        update(&mut self.app, Msg::Paste(s.to_string()), &mut self.store);
        self
    }
    fn tasks(&self) -> i64 {
        self.store
            .conn()
            .query_row("SELECT count(*) FROM tasks", [], |r| r.get(0))
            .unwrap()
    }
    fn field(&self, i: usize) -> String {
        match &self.app.popup {
            Some(Popup::Form(f)) => f.value(i).to_string(),
            other => panic!("no form open: {other:?}"),
        }
    }
    /// The add-task form of the selected client.
    fn task_form(&mut self) -> &mut Self {
        self.app.view = View::Desk;
        self.app.focus = Pane::Tasks;
        self.key(KeyCode::Char('a'));
        assert!(matches!(self.app.popup, Some(Popup::Form(_))));
        self
    }
}

#[test]
fn a_pasted_newline_never_saves_and_pasted_keys_never_delete() {
    let mut d = desk();
    let before = d.tasks();
    d.task_form().paste("Call Ana\rDy and the flyer");
    assert_eq!(d.field(0), "Call Ana Dy and the flyer");
    assert_eq!(d.tasks(), before, "the paste saved the form");
    // Pasted in the middle of what was typed, at the cursor.
    d.key(KeyCode::Home)
        .paste("\x1b[31mNew:\x1b[0m\n")
        .key(KeyCode::End)
        .paste("\r\n\t!");
    assert_eq!(d.field(0), "New: Call Ana Dy and the flyer  !");
    d.key(KeyCode::Enter);
    assert_eq!(d.tasks(), before + 1);
    let title: String = d
        .store
        .conn()
        .query_row("SELECT title FROM tasks ORDER BY id DESC LIMIT 1", [], |r| r.get(0))
        .unwrap();
    assert_eq!(title, "New: Call Ana Dy and the flyer  !");
}

#[test]
fn a_paste_outside_a_form_does_nothing_but_fills_an_open_filter() {
    let mut d = desk();
    let before = d.tasks();
    d.app.view = View::Desk;
    d.app.focus = Pane::Tasks;
    let selected = d.app.tasks.current().map(|t| t.id);
    d.paste("Dy\rdddq\x03");
    assert!(d.app.popup.is_none(), "{:?}", d.app.popup);
    assert!(!d.app.quit);
    assert_eq!(d.tasks(), before);
    assert_eq!(d.app.tasks.current().map(|t| t.id), selected);
    d.key(KeyCode::Char('/')).paste("News\nletter");
    let q = d.app.tasks.filter.as_ref().map(|f| f.query().to_string());
    assert_eq!(q.as_deref(), Some("News letter"));
    assert!(d.app.notice.is_none(), "{:?}", d.app.notice);
}

#[test]
fn a_paste_too_long_for_a_filter_is_cut_with_a_notice() {
    let mut d = desk();
    d.app.view = View::Desk;
    d.app.focus = Pane::Tasks;
    d.key(KeyCode::Char('/')).paste(&"newsletter ".repeat(500));
    let q = d.app.tasks.filter.as_ref().map(|f| f.query().to_string()).unwrap();
    assert_eq!(q.chars().count(), 200);
    let notice = d.app.notice.as_ref().map(|n| n.text.clone()).unwrap_or_default();
    assert!(notice.contains("200"), "{notice}");
}

#[test]
fn a_huge_paste_is_cut_at_the_field_limit_with_a_notice() {
    let mut d = desk();
    // One megabyte, with newlines: were it inserted key by key it would take minutes.
    let big = "lorem ipsum\n".repeat(90_000);
    d.task_form().paste(&big);
    assert_eq!(d.field(0).chars().count(), 120, "the title's limit");
    let notice = d.app.notice.as_ref().map(|n| n.text.clone()).unwrap_or_default();
    assert!(notice.contains("120"), "{notice}");
    // The spec holds up to 20,000 characters.
    d.key(KeyCode::Tab)
        .key(KeyCode::Tab)
        .key(KeyCode::Tab)
        .key(KeyCode::Tab);
    d.paste(&big);
    assert_eq!(d.field(4).chars().count(), 20_000);
    // A field already full takes nothing more.
    d.paste("more");
    assert_eq!(d.field(4).chars().count(), 20_000);
    d.key(KeyCode::Enter);
    assert!(d.app.popup.is_none(), "it saves: {:?}", d.app.notice);
}

/// A time entry's note holds 480 characters: a paste is cut there, with a notice, and the form
/// saves (it was cut at 20,000 and then refused on save).
#[test]
fn a_paste_into_a_time_note_is_cut_at_what_the_note_holds() {
    let mut d = desk();
    d.task_form().key(KeyCode::Esc);
    d.key(KeyCode::Char('T'));
    d.paste("45m").key(KeyCode::Tab).key(KeyCode::Tab).key(KeyCode::Tab);
    d.paste(&"call notes ".repeat(3_000));
    assert_eq!(d.field(3).chars().count(), 480);
    let notice = d.app.notice.as_ref().map(|n| n.text.clone()).unwrap_or_default();
    assert!(notice.contains("480"), "{notice}");
    let before: i64 = d
        .store
        .conn()
        .query_row("SELECT count(*) FROM time_entries", [], |r| r.get(0))
        .unwrap();
    d.key(KeyCode::Enter);
    assert!(d.app.popup.is_none(), "it saves: {:?}", d.app.notice);
    let after: i64 = d
        .store
        .conn()
        .query_row("SELECT count(*) FROM time_entries", [], |r| r.get(0))
        .unwrap();
    assert_eq!(after, before + 1);
}

#[test]
fn a_real_terminal_paste_into_the_task_form_is_text() {
    let d = Desk::new();
    d.ok(&["demo"]);
    let before = d.json(&["task", "list", "--json"]).as_array().unwrap().len();
    let mut s = Screen::open(&d, &[], 100, 30);
    s.wait_for("Bloom Florist");
    s.send("\t");
    s.send("a");
    s.wait_for("New task for");
    s.send("\x1b[200~Call Ana\rDy and the flyer\x1b[201~");
    s.wait_for("Call Ana Dy and the flyer");
    assert_eq!(
        d.json(&["task", "list", "--json"]).as_array().unwrap().len(),
        before,
        "the pasted Enter saved the form, or the pasted D y deleted a task"
    );
    s.send("\r");
    s.wait_for("Saved: Call Ana Dy and the flyer");
    let tasks = d.json(&["task", "list", "--json"]);
    assert_eq!(tasks.as_array().unwrap().len(), before + 1);
    assert!(tasks
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["title"] == "Call Ana Dy and the flyer"));
    s.send("q");
    let raw = s.exit();
    let out = String::from_utf8_lossy(&raw);
    let on = out.find("\x1b[?2004h").expect("bracketed paste was never turned on");
    let off = out.rfind("\x1b[?2004l").expect("bracketed paste was not turned off");
    assert!(off > on);
}

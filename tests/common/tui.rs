//! The desk driven by keys in-process: a real store in a temporary folder, the `App` the
//! binary runs, and helpers to type, move and read the screen through `TestBackend`.

use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use vadesk::cli::Context;
use vadesk::config::Config;
use vadesk::i18n::Lang;
use vadesk::tui::app::{Pane, View};
use vadesk::tui::form::{FormKind, Popup};
use vadesk::tui::{self, update, App, Msg};
use vadesk::Store;

/// The clock every desk test starts from: Monday 23 November 2026, 09:00.
pub fn now() -> NaiveDateTime {
    NaiveDateTime::parse_from_str("2026-11-23 09:00", "%Y-%m-%d %H:%M").expect("a fixed date")
}

/// The day of `now()`.
pub fn today() -> NaiveDate {
    now().date()
}

/// The desk on a store a test built itself (`path` is its file), at `now()`, in English and
/// without colour, on a terminal 120 columns wide and `rows` high.
pub fn desk_on(store: &mut Store, path: &Path, rows: u16) -> App {
    let ctx = Context {
        db_path: Some(path.to_path_buf()),
        now: now(),
        fixed_now: true,
        lang: Lang::En,
        config: Config::default(),
        tick_seconds: 60,
    };
    let mut app = tui::prepare(&ctx, store, false).expect("the desk opens");
    update(&mut app, Msg::Resize(120, rows), store);
    app
}

/// A key on a desk whose `App` and `Store` a test holds itself; no key may end in an error.
pub fn press(app: &mut App, store: &mut Store, code: KeyCode) {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)), store);
    assert!(app.notice.as_ref().is_none_or(|n| !n.error), "{:?}", app.notice);
}

/// Walks a list of `len` rows from its top by keys: `j` to the end, Home, End, `k` back to the
/// top, then PgDn to the end and PgUp back. After every key the selection (`selected`) must be
/// where the key puts it (with `page`, PgDn and PgUp move that many rows), and `check` looks at
/// the desk.
pub fn walk(
    app: &mut App,
    store: &mut Store,
    len: usize,
    page: Option<usize>,
    selected: impl Fn(&App) -> usize,
    mut check: impl FnMut(&App, &Store),
) {
    assert_eq!(selected(app), 0);
    let mut step = |app: &mut App, store: &mut Store, code: KeyCode, to: Option<usize>| {
        press(app, store, code);
        if let Some(to) = to {
            assert_eq!(selected(app), to, "after {code:?}");
        }
        check(app, store);
    };
    for i in 1..len {
        step(app, store, KeyCode::Char('j'), Some(i));
    }
    step(app, store, KeyCode::Home, Some(0));
    step(app, store, KeyCode::End, Some(len - 1));
    for i in (0..len - 1).rev() {
        step(app, store, KeyCode::Char('k'), Some(i));
    }
    let mut at = 0;
    while at < len - 1 {
        step(app, store, KeyCode::PageDown, page.map(|p| (at + p).min(len - 1)));
        assert!(selected(app) > at, "PgDn stayed at {at}");
        at = selected(app);
    }
    while at > 0 {
        step(app, store, KeyCode::PageUp, page.map(|p| at.saturating_sub(p)));
        assert!(selected(app) < at, "PgUp stayed at {at}");
        at = selected(app);
    }
    assert_eq!(selected(app), 0);
}

/// How a desk is set up; `Setup::default()` is the English demo in colour at `now()`.
pub struct Setup {
    pub lang: Lang,
    pub demo: bool,
    /// Load the demo in the desk's language, as a VA does. Some older screens were taken on
    /// the English demo whatever the language; they keep it with `false`.
    pub demo_in_lang: bool,
    pub color: bool,
    pub config: Config,
    pub now: NaiveDateTime,
}

impl Default for Setup {
    fn default() -> Setup {
        Setup {
            lang: Lang::En,
            demo: true,
            demo_in_lang: true,
            color: true,
            config: Config::default(),
            now: now(),
        }
    }
}

impl Setup {
    pub fn lang(lang: Lang) -> Setup {
        Setup {
            lang,
            ..Setup::default()
        }
    }

    pub fn build(self) -> Desk {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("v.db");
        let mut store = Store::open(&path).expect("a new store");
        if self.demo_in_lang {
            store.set_lang(self.lang);
        }
        if self.demo {
            store.load_demo(self.now.date()).expect("the demo loads");
        }
        let ctx = Context {
            db_path: Some(path),
            now: self.now,
            fixed_now: true,
            lang: self.lang,
            config: self.config,
            tick_seconds: 60,
        };
        let app = tui::prepare(&ctx, &mut store, self.color).expect("the desk opens");
        Desk { _dir: dir, store, app }
    }
}

pub struct Desk {
    _dir: tempfile::TempDir,
    pub store: Store,
    pub app: App,
}

impl Desk {
    pub fn key_mod(&mut self, code: KeyCode, mods: KeyModifiers) -> &mut Self {
        update(&mut self.app, Msg::Key(KeyEvent::new(code, mods)), &mut self.store);
        self
    }

    /// A key as the terminal sends it: capitals and back-tab come with Shift.
    pub fn key(&mut self, code: KeyCode) -> &mut Self {
        let mods = match code {
            KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
            KeyCode::BackTab => KeyModifiers::SHIFT,
            _ => KeyModifiers::NONE,
        };
        self.key_mod(code, mods)
    }

    pub fn keys(&mut self, s: &str) -> &mut Self {
        for c in s.chars() {
            self.key(KeyCode::Char(c));
        }
        self
    }

    /// Clears the focused form field and types `s` into it.
    pub fn retype(&mut self, s: &str) -> &mut Self {
        for _ in 0..80 {
            self.key(KeyCode::Backspace);
        }
        self.keys(s)
    }

    /// Moves the clients pane to the named client (`None`: "All clients"), by keys.
    pub fn goto_client(&mut self, name: Option<&str>) -> &mut Self {
        self.app.view = View::Desk;
        self.app.focus = Pane::Clients;
        self.key(KeyCode::Char('g'));
        for _ in 0..50 {
            if self.app.client().map(|c| c.client.name.as_str()) == name {
                return self;
            }
            self.key(KeyCode::Char('j'));
        }
        panic!("no client {name:?}");
    }

    pub fn select_client(&mut self, name: &str) -> &mut Self {
        self.goto_client(Some(name))
    }

    /// Selects a client and focuses its tasks.
    pub fn open(&mut self, name: &str) -> &mut Self {
        self.select_client(name).key(KeyCode::Tab);
        assert_eq!(self.app.focus, Pane::Tasks);
        self
    }

    pub fn client_id(&self, name: &str) -> i64 {
        self.store.find_client(name).expect("the client exists").id
    }

    pub fn task_id(&self) -> i64 {
        self.app.tasks.current().expect("a task is selected").id
    }

    pub fn screen(&self, w: u16, h: u16) -> Terminal<TestBackend> {
        let mut t = Terminal::new(TestBackend::new(w, h)).expect("a test terminal");
        t.draw(|f| vadesk::tui::ui::render(&self.app, f)).expect("a frame");
        t
    }

    pub fn text(&self, w: u16, h: u16) -> String {
        self.screen(w, h).backend().to_string()
    }

    pub fn notice(&self) -> String {
        self.app.notice.as_ref().map(|n| n.text.clone()).unwrap_or_default()
    }

    pub fn form_kind(&self) -> Option<FormKind> {
        match &self.app.popup {
            Some(Popup::Form(f)) => Some(f.kind),
            _ => None,
        }
    }
}

//! SPEC 9, nothing printed can drive the terminal: whatever another program writes into the
//! store file (escape sequences, control characters, bidi controls), the command line's output,
//! its error messages and the desk's screen carry none of it.

mod common;

use chrono::NaiveDateTime;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use vadesk::cli::Context;
use vadesk::config::Config;
use vadesk::i18n::Lang;
use vadesk::tui::app::{Pane, View};
use vadesk::tui::{self, update, Msg};
use vadesk::Store;

use common::Desk;

/// Retitles the terminal, overrides text direction, moves the cursor, clears the screen.
const EVIL: &str = "Evil\x1b]0;PWNED\x07 \u{202E}gpj.exe\u{202C} \u{200E}L\u{200F}R\u{061C}A\u{2028}B\u{2029}C \
                    \u{2066}iso\u{2069} \u{9b}31mC1\u{9d}0;T\u{9c} \x1b[2J\x1b[H\x08\r\x7f\x1bP+q\x1b\\ end";

/// A character the terminal would act on rather than show.
fn is_active(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(
            c,
            '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

fn assert_inert(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let bad: Vec<String> = text
        .chars()
        .filter(|c| is_active(*c))
        .map(|c| format!("U+{:04X}", c as u32))
        .collect();
    assert!(bad.is_empty(), "{what} printed {bad:?}:\n{text}");
}

/// The command line removes whole sequences, not only their introducers.
fn assert_no_payload(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    assert!(!text.contains("PWNED"), "{what} printed the OSC payload:\n{text}");
}

/// A store whose every text field was overwritten by another program with raw bytes.
fn poisoned() -> Desk {
    let d = Desk::new();
    d.ok(&[
        "client",
        "add",
        "Plain",
        "--channel",
        "whatsapp:+34 600",
        "--tool",
        "Trello",
        "--notes",
        "n",
    ]);
    let task = d.id(&[
        "task",
        "add",
        "Plain",
        "Newsletter",
        "--due",
        "2026-11-20",
        "--spec",
        "s",
    ]);
    d.clone_at("2026-11-16 09:00")
        .ok(&["material", "ask", &task.to_string(), "Logo", "--by", "2026-11-20"]);
    d.ok(&["flag", "add", "Plain", "other", "--note", "x"]);
    let store = vadesk::Store::open(&d.db).unwrap();
    let c = store.conn();
    for sql in [
        "UPDATE clients SET name = ?1, tool = ?1, notes = ?1",
        "UPDATE channels SET handle = ?1",
        "UPDATE tasks SET title = ?1, spec = ?1",
        "UPDATE requests SET what = ?1",
        "UPDATE flags SET note = ?1",
    ] {
        c.execute(sql, [EVIL]).unwrap();
    }
    d
}

#[test]
fn the_command_line_never_prints_what_drives_a_terminal() {
    let d = poisoned();
    for args in [
        &["client", "show", "1"][..],
        &["client", "list"],
        &["task", "list"],
        &["review"],
        &["flag", "list"],
        &["tick", "--once"],
        &["client", "show", "1", "--json"],
        &["client", "list", "--json"],
        &["task", "list", "--json"],
        &["flag", "list", "--json"],
        &["review", "--json"],
        &["export"],
    ] {
        let out = d.cmd().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_inert(&format!("{args:?}"), &out.stdout);
        if !args.contains(&"--json") && args != ["export"] {
            assert_no_payload(&format!("{args:?}"), &out.stdout);
        }
        assert_inert(&format!("{args:?} (stderr)"), &out.stderr);
        let shown = String::from_utf8_lossy(&out.stdout);
        assert!(
            shown.contains("Evil") || shown.contains("Nothing new"),
            "{args:?} lost the text: {shown}"
        );
    }
    // JSON escapes rather than drops: the value reads back exactly as stored.
    let v = d.json(&["client", "show", "1", "--json"]);
    assert_eq!(v["name"], EVIL);
}

#[test]
fn error_messages_that_echo_input_are_inert_too() {
    let d = poisoned();
    let evil = "x\x1b]0;PWNED\x07\u{202E}y";
    for args in [
        vec!["client", "show", evil],
        vec!["task", "list", "--status", evil],
        vec!["task", "add", "1", "t", "--due", evil],
        vec!["flag", "add", "1", evil],
        vec!["--tick", evil, "review"],
        vec!["review", evil],
        vec![evil],
    ] {
        let out = d.cmd().args(&args).output().unwrap();
        assert!(!out.status.success(), "{args:?}");
        assert_inert(&format!("{args:?} (stderr)"), &out.stderr);
        assert_inert(&format!("{args:?} (stdout)"), &out.stdout);
    }
}

fn now() -> NaiveDateTime {
    NaiveDateTime::parse_from_str("2026-11-23 09:00", "%Y-%m-%d %H:%M").unwrap()
}

#[test]
fn the_desk_never_draws_what_drives_a_terminal() {
    let d = poisoned();
    let mut store = Store::open(&d.db).unwrap();
    let ctx = Context {
        db_path: Some(d.db.clone()),
        now: now(),
        fixed_now: true,
        lang: Lang::En,
        config: Config::default(),
        tick_seconds: 60,
    };
    let mut app = tui::prepare(&ctx, &mut store, true).unwrap();
    let mut screens = Vec::new();
    let mut draw = |app: &tui::App| {
        let mut t = Terminal::new(TestBackend::new(120, 35)).unwrap();
        t.draw(|f| tui::ui::render(app, f)).unwrap();
        let buf = t.backend().buffer().clone();
        let text: String = buf.content().iter().map(|c| c.symbol()).collect();
        screens.push(text);
    };
    let key = |app: &mut tui::App, store: &mut Store, c: KeyCode| {
        update(app, Msg::Key(KeyEvent::new(c, KeyModifiers::NONE)), store);
    };
    app.view = View::Desk;
    draw(&app);
    for pane in [Pane::Clients, Pane::Tasks, Pane::Flags] {
        app.focus = pane;
        key(&mut app, &mut store, KeyCode::Enter);
        draw(&app);
        key(&mut app, &mut store, KeyCode::Esc);
    }
    app.focus = Pane::Clients;
    key(&mut app, &mut store, KeyCode::Char('e'));
    draw(&app);
    key(&mut app, &mut store, KeyCode::Esc);
    app.view = View::Review;
    draw(&app);
    key(&mut app, &mut store, KeyCode::Enter);
    draw(&app);
    for (i, s) in screens.iter().enumerate() {
        assert_inert(&format!("screen {i}"), s.as_bytes());
    }
    assert!(screens[0].contains("Evil"), "{}", screens[0]);
}

//! The desk's edit forms never silently overwrite a change made meanwhile elsewhere: a second
//! connection to the same store (as another process, `Store::open_again`) changes a record
//! while its form is open; saving writes only the fields the person changed, and a field
//! changed on both sides is refused inline, nothing saved.

mod common;

use std::path::PathBuf;

use chrono::NaiveDateTime;
use common::tui::{desk_on, now, today};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use vadesk::domain::{ClientStatus, MeetingKind, TaskStatus};
use vadesk::i18n::Lang;
use vadesk::store::{ClientFields, MeetingEdit, NewQuote, QuoteEdit, TaskFields};
use vadesk::tui::app::Pane;
use vadesk::tui::form::{FormKind, Popup};
use vadesk::tui::{update, App, Msg};
use vadesk::Store;

struct Fx {
    _dir: tempfile::TempDir,
    path: PathBuf,
    store: Store,
    app: App,
    client: i64,
    task: i64,
    quote: i64,
    meeting: i64,
}

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("a fixed time")
}

/// Acme (rate 30) with one task, one quote and one meeting, the desk open on Acme.
fn fixture(lang: Lang) -> Fx {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("lu.db");
    let mut store = Store::open(&path).expect("a new store");
    let client = store
        .add_client(
            ClientFields {
                name: Some("Acme".into()),
                rate: Some(Some(3000)),
                ..Default::default()
            },
            today(),
        )
        .expect("client");
    let task = store
        .add_task(
            client,
            TaskFields {
                title: Some("Logo".into()),
                spec: Some("original spec".into()),
                ..Default::default()
            },
            today(),
        )
        .expect("task");
    let quote = store
        .add_quote(
            client,
            NewQuote {
                amount_cents: 45_000,
                prep_min: 30,
                sent_on: today(),
                answer_by: None,
                description: "Brand kit".into(),
            },
            7,
        )
        .expect("quote");
    let meeting = store
        .add_meeting(client, at("2026-11-25 10:00"), MeetingKind::Review, Some(30))
        .expect("meeting");
    let mut app = desk_on(&mut store, &path, 35);
    app.lang = lang;
    let mut fx = Fx {
        _dir: dir,
        path,
        store,
        app,
        client,
        task,
        quote,
        meeting,
    };
    fx.key(KeyCode::Char('j'));
    assert_eq!(fx.app.client().map(|c| c.client.id), Some(client));
    fx
}

impl Fx {
    fn key(&mut self, code: KeyCode) -> &mut Self {
        let mods = match code {
            KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
            KeyCode::BackTab => KeyModifiers::SHIFT,
            _ => KeyModifiers::NONE,
        };
        update(&mut self.app, Msg::Key(KeyEvent::new(code, mods)), &mut self.store);
        self
    }

    fn keys(&mut self, s: &str) -> &mut Self {
        for c in s.chars() {
            self.key(KeyCode::Char(c));
        }
        self
    }

    /// Clears the focused field and types `s`.
    fn retype(&mut self, s: &str) -> &mut Self {
        self.key(KeyCode::End);
        for _ in 0..60 {
            self.key(KeyCode::Backspace);
        }
        self.keys(s)
    }

    /// Moves the form's focus to its field `i` (from the first).
    fn field(&mut self, i: usize) -> &mut Self {
        while self.form().focus != 0 {
            self.key(KeyCode::BackTab);
        }
        for _ in 0..i {
            self.key(KeyCode::Tab);
        }
        self
    }

    /// Another process's connection to the same store.
    fn other(&self) -> Store {
        Store::open_again(&self.path).expect("a second connection")
    }

    fn form(&self) -> &vadesk::tui::form::Form {
        match &self.app.popup {
            Some(Popup::Form(f)) => f,
            other => panic!("no form open: {other:?}"),
        }
    }

    fn form_kind(&self) -> Option<FormKind> {
        match &self.app.popup {
            Some(Popup::Form(f)) => Some(f.kind),
            _ => None,
        }
    }

    fn errors(&self) -> Vec<(usize, String)> {
        self.form()
            .fields
            .iter()
            .enumerate()
            .filter_map(|(i, f)| f.error.clone().map(|e| (i, e)))
            .collect()
    }

    fn open_task_form(&mut self) {
        self.key(KeyCode::Tab);
        assert_eq!(self.app.focus, Pane::Tasks);
        self.key(KeyCode::Char('e'));
        assert_eq!(self.form_kind(), Some(FormKind::EditTask(self.task)));
    }

    fn screen(&self, w: u16, h: u16) -> String {
        let mut t = Terminal::new(TestBackend::new(w, h)).expect("a test terminal");
        t.draw(|f| vadesk::tui::ui::render(&self.app, f)).expect("a frame");
        t.backend().to_string()
    }
}

// ---- task ----------------------------------------------------------------------------------

#[test]
fn the_task_form_keeps_what_another_process_changed_meanwhile() {
    let mut fx = fixture(Lang::En);
    fx.open_task_form();
    let mut other = fx.other();
    other
        .edit_task(
            fx.task,
            TaskFields {
                spec: Some("NEW SPEC FROM CLI".into()),
                due: Some(Some(at("2026-12-24 00:00").date())),
                ..Default::default()
            },
        )
        .expect("the other edit");
    other
        .set_task_status(fx.task, TaskStatus::Done, today())
        .expect("done elsewhere");
    drop(other);
    fx.key(KeyCode::End).keys(" v2").key(KeyCode::Enter);
    assert_eq!(fx.form_kind(), None, "saved: {:?}", fx.app.popup);
    let t = fx.store.task(fx.task).unwrap();
    assert_eq!(t.title, "Logo v2");
    assert_eq!(t.spec, "NEW SPEC FROM CLI");
    assert_eq!(t.due, Some(at("2026-12-24 00:00").date()));
    assert_eq!(t.status, TaskStatus::Done, "the form did not reopen the task");
}

/// A title changed elsewhere and left alone in the form is the one kept, and the notice names
/// it (it named the title the form opened with).
#[test]
fn the_saved_notice_names_what_is_stored() {
    let mut fx = fixture(Lang::En);
    fx.open_task_form();
    let mut other = fx.other();
    other
        .edit_task(
            fx.task,
            TaskFields {
                title: Some("New title".into()),
                ..Default::default()
            },
        )
        .expect("the other edit");
    drop(other);
    fx.field(1).retype("2026-12-24").key(KeyCode::Enter);
    assert_eq!(fx.form_kind(), None, "saved: {:?}", fx.app.popup);
    assert_eq!(fx.store.task(fx.task).unwrap().title, "New title");
    let notice = fx.app.notice.clone().expect("a notice").text;
    assert_eq!(notice, "Saved: New title");
}

#[test]
fn a_task_field_changed_on_both_sides_is_refused_inline_and_nothing_is_saved() {
    let mut fx = fixture(Lang::En);
    fx.open_task_form();
    let mut other = fx.other();
    other
        .edit_task(
            fx.task,
            TaskFields {
                title: Some("Logo final".into()),
                ..Default::default()
            },
        )
        .expect("the other edit");
    drop(other);
    // The title is changed here too, and the estimate (a field nobody else touched).
    fx.key(KeyCode::End).keys(" v2");
    fx.field(3).keys("2h");
    fx.key(KeyCode::Enter);
    assert_eq!(fx.form_kind(), Some(FormKind::EditTask(fx.task)), "the form stays open");
    let errors = fx.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, 0, "the title is marked");
    assert!(errors[0].1.contains("Logo final"), "{}", errors[0].1);
    assert_eq!(fx.form().value(0), "Logo v2", "what was typed is kept");
    assert_eq!(fx.form().value(3), "2h");
    let t = fx.store.task(fx.task).unwrap();
    assert_eq!(t.title, "Logo final", "nothing saved");
    assert_eq!(t.estimate_min, None, "nothing saved, not even the other field");
    // Saving again, having seen the value in the store, writes what was typed.
    fx.key(KeyCode::Enter);
    assert_eq!(fx.form_kind(), None, "{:?}", fx.app.popup);
    let t = fx.store.task(fx.task).unwrap();
    assert_eq!(t.title, "Logo v2");
    assert_eq!(t.estimate_min, Some(120));
}

#[test]
fn a_conflict_set_to_the_stored_value_keeps_it_and_saves_the_rest() {
    let mut fx = fixture(Lang::En);
    fx.open_task_form();
    let mut other = fx.other();
    other
        .edit_task(
            fx.task,
            TaskFields {
                title: Some("Logo final".into()),
                ..Default::default()
            },
        )
        .expect("the other edit");
    drop(other);
    fx.key(KeyCode::End).keys(" v2");
    fx.field(3).keys("45m");
    fx.key(KeyCode::Enter);
    assert_eq!(fx.errors().len(), 1);
    fx.field(0).retype("Logo final");
    fx.key(KeyCode::Enter);
    assert_eq!(fx.form_kind(), None);
    let t = fx.store.task(fx.task).unwrap();
    assert_eq!((t.title.as_str(), t.estimate_min), ("Logo final", Some(45)));
}

#[test]
fn the_same_value_typed_on_both_sides_is_no_conflict() {
    let mut fx = fixture(Lang::En);
    fx.open_task_form();
    let mut other = fx.other();
    other
        .edit_task(
            fx.task,
            TaskFields {
                title: Some("Logo v2".into()),
                ..Default::default()
            },
        )
        .expect("the other edit");
    drop(other);
    fx.key(KeyCode::End).keys(" v2").key(KeyCode::Enter);
    assert_eq!(fx.form_kind(), None, "{:?}", fx.app.popup);
    assert_eq!(fx.store.task(fx.task).unwrap().title, "Logo v2");
}

#[test]
fn a_task_deleted_meanwhile_says_so_and_the_form_stays() {
    let mut fx = fixture(Lang::En);
    fx.open_task_form();
    let mut other = fx.other();
    other.delete_task(fx.task).expect("deleted elsewhere");
    drop(other);
    fx.key(KeyCode::End).keys(" v2").key(KeyCode::Enter);
    assert_eq!(fx.form_kind(), Some(FormKind::EditTask(fx.task)));
    let errors = fx.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].1.contains("deleted"), "{}", errors[0].1);
}

// ---- client --------------------------------------------------------------------------------

#[test]
fn the_client_form_keeps_what_another_process_changed_meanwhile() {
    let mut fx = fixture(Lang::En);
    fx.key(KeyCode::Char('e'));
    assert_eq!(fx.form_kind(), Some(FormKind::EditClient(fx.client)));
    let mut other = fx.other();
    other
        .edit_client(
            fx.client,
            ClientFields {
                rate: Some(Some(4500)),
                notes: Some("call before noon".into()),
                status: Some(ClientStatus::Paused),
                ..Default::default()
            },
        )
        .expect("the other edit");
    drop(other);
    // The task tool (field 10) is changed here.
    fx.field(10).keys("Trello").key(KeyCode::Enter);
    assert_eq!(fx.form_kind(), None, "{:?}", fx.app.popup);
    let c = fx.store.client(fx.client).unwrap();
    assert_eq!(c.tool, "Trello");
    assert_eq!(c.rate_cents, Some(4500));
    assert_eq!(c.notes, "call before noon");
    assert_eq!(c.status, ClientStatus::Paused);
}

#[test]
fn a_client_field_changed_on_both_sides_is_refused_inline() {
    let mut fx = fixture(Lang::En);
    fx.key(KeyCode::Char('e'));
    let mut other = fx.other();
    other
        .edit_client(
            fx.client,
            ClientFields {
                rate: Some(Some(4500)),
                notes: Some("call before noon".into()),
                ..Default::default()
            },
        )
        .expect("the other edit");
    drop(other);
    fx.field(3).retype("35").key(KeyCode::Enter);
    assert_eq!(fx.form_kind(), Some(FormKind::EditClient(fx.client)));
    let errors = fx.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, 3);
    assert!(errors[0].1.contains("45"), "{}", errors[0].1);
    assert_eq!(fx.store.client(fx.client).unwrap().rate_cents, Some(4500));
    // A field not touched here now shows what is stored; Enter again saves the rate typed.
    assert_eq!(fx.form().value(11), "call before noon");
    assert_eq!(fx.form().value(3), "35");
    fx.key(KeyCode::Enter);
    assert_eq!(fx.form_kind(), None, "{:?}", fx.app.popup);
    let c = fx.store.client(fx.client).unwrap();
    assert_eq!((c.rate_cents, c.notes.as_str()), (Some(3500), "call before noon"));
}

/// The client form's money fields, by place: rate 3, currency 4, billing increment 5,
/// retainer hours 6, monthly fee 7, overage rate 8.
const RATE: usize = 3;
const CURRENCY: usize = 4;
const INCREMENT: usize = 5;
const RETAINER: usize = 6;
const FEE: usize = 7;
const OVERAGE: usize = 8;

#[test]
fn a_client_s_money_is_set_in_the_desk_as_on_the_command_line() {
    let mut fx = fixture(Lang::En);
    // A new client with all of it.
    fx.key(KeyCode::Char('a'));
    assert_eq!(fx.form_kind(), Some(FormKind::AddClient));
    fx.keys("Harbour Dental");
    fx.field(RATE).keys("40");
    fx.field(CURRENCY).keys("usd");
    fx.field(INCREMENT).keys("15m");
    fx.field(RETAINER).keys("7.5");
    // A fee in the thousands reads back without a thousands separator (`1,200` would be
    // ambiguous to type back).
    fx.field(FEE).keys("1200");
    fx.field(OVERAGE).keys("55.50");
    fx.key(KeyCode::Enter);
    assert_eq!(fx.form_kind(), None, "{:?}", fx.app.popup);
    let id = fx.app.client().map(|c| c.client.id).expect("the new client selected");
    let c = fx.store.client(id).unwrap();
    assert_eq!(c.name, "Harbour Dental");
    assert_eq!(c.rate_cents, Some(4000));
    assert_eq!(c.currency.as_deref(), Some("USD"));
    assert_eq!(c.increment_min, Some(15));
    assert_eq!(c.retainer_min, Some(450));
    assert_eq!(c.fee_cents, Some(120_000));
    assert_eq!(c.overage_cents, Some(5550));
    // The edit form shows them as typed, and saving another field leaves them as they are.
    fx.key(KeyCode::Char('e'));
    assert_eq!(fx.form_kind(), Some(FormKind::EditClient(id)));
    let shown: Vec<&str> = (RATE..=OVERAGE).map(|i| fx.form().value(i)).collect();
    assert_eq!(shown, ["40", "USD", "15m", "7.5", "1200", "55.50"]);
    fx.field(10).keys("Asana").key(KeyCode::Enter);
    assert_eq!(fx.form_kind(), None, "{:?}", fx.app.popup);
    let after = fx.store.client(id).unwrap();
    assert_eq!(after.tool, "Asana");
    assert_eq!(
        (after.rate_cents, after.currency.as_deref(), after.increment_min),
        (c.rate_cents, c.currency.as_deref(), c.increment_min)
    );
    assert_eq!(
        (after.retainer_min, after.fee_cents, after.overage_cents),
        (c.retainer_min, c.fee_cents, c.overage_cents)
    );
    // The details show the money.
    fx.key(KeyCode::Enter);
    let screen = fx.screen(120, 35);
    for part in ["USD", "15m", "7h 30m · $1,200.00 a month", "$55.50"] {
        assert!(screen.contains(part), "{part} not in\n{screen}");
    }
}

#[test]
fn a_retainer_without_its_fee_is_refused_beside_the_field_and_nothing_changes() {
    let mut fx = fixture(Lang::En);
    fx.key(KeyCode::Char('e'));
    fx.field(RETAINER).keys("20").key(KeyCode::Enter);
    assert_eq!(fx.form_kind(), Some(FormKind::EditClient(fx.client)));
    let errors = fx.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    // Said where the missing value goes, in the desk's words (no command-line flags).
    assert_eq!(errors[0].0, FEE, "{errors:?}");
    assert!(errors[0].1.contains("needs its monthly fee"), "{}", errors[0].1);
    assert!(!errors[0].1.contains("--"), "{}", errors[0].1);
    let c = fx.store.client(fx.client).unwrap();
    assert_eq!((c.retainer_min, c.fee_cents), (None, None));
    // With the fee it is saved; both emptied again, both are gone.
    fx.field(FEE).keys("600").key(KeyCode::Enter);
    assert_eq!(fx.form_kind(), None, "{:?}", fx.app.popup);
    let c = fx.store.client(fx.client).unwrap();
    assert_eq!((c.retainer_min, c.fee_cents), (Some(1200), Some(60_000)));
    // Emptying the retainer ends it, fee and all (as `--retainer none` does).
    fx.key(KeyCode::Char('e'));
    fx.field(RETAINER).retype("").key(KeyCode::Enter);
    assert_eq!(fx.form_kind(), None, "{:?}", fx.app.popup);
    let c = fx.store.client(fx.client).unwrap();
    assert_eq!((c.retainer_min, c.fee_cents), (None, None));
    // A fee alone is refused on the retainer's field.
    fx.key(KeyCode::Char('e'));
    fx.field(FEE).keys("600").key(KeyCode::Enter);
    let errors = fx.errors();
    assert_eq!(errors.first().map(|e| e.0), Some(RETAINER), "{errors:?}");
    fx.key(KeyCode::Esc);
    let c = fx.store.client(fx.client).unwrap();
    assert_eq!((c.retainer_min, c.fee_cents), (None, None));
}

#[test]
fn wrong_money_in_the_client_form_is_marked_on_its_field() {
    let mut fx = fixture(Lang::En);
    let before = fx.store.client(fx.client).unwrap();
    for (field, typed, says) in [
        (CURRENCY, "euros", "euros"),
        (INCREMENT, "soon", "soon"),
        (INCREMENT, "0m", "increment"),
        (RETAINER, "-3", "-3"),
        (RETAINER, "99999", "99999"),
        (FEE, "lots", "lots"),
        (OVERAGE, "12.345", "12.345"),
    ] {
        fx.key(KeyCode::Char('e'));
        fx.field(field).retype(typed);
        if field == RETAINER {
            fx.field(FEE).retype("100");
        }
        fx.key(KeyCode::Enter);
        let errors = fx.errors();
        assert_eq!(errors.len(), 1, "{typed}: {errors:?}");
        assert_eq!(errors[0].0, field, "{typed}: {errors:?}");
        assert!(errors[0].1.contains(says), "{typed}: {}", errors[0].1);
        fx.key(KeyCode::Esc);
        assert_eq!(fx.form_kind(), None);
        assert_eq!(
            fx.store.client(fx.client).unwrap(),
            before,
            "{typed} changed the client"
        );
    }
    // A currency without cents refuses the rate that has them, on the rate's field.
    fx.key(KeyCode::Char('e'));
    fx.field(RATE).retype("30.5");
    fx.field(CURRENCY).keys("JPY").key(KeyCode::Enter);
    let errors = fx.errors();
    assert_eq!(errors.first().map(|e| e.0), Some(RATE), "{errors:?}");
    assert!(errors[0].1.contains("JPY"), "{}", errors[0].1);
    fx.key(KeyCode::Esc);
    assert_eq!(fx.store.client(fx.client).unwrap(), before);
}

#[test]
fn the_spanish_client_form_takes_hours_and_amounts_with_a_comma() {
    let mut fx = fixture(Lang::Es);
    fx.key(KeyCode::Char('e'));
    fx.field(RETAINER).keys("7,5");
    fx.field(FEE).keys("800,50");
    fx.key(KeyCode::Enter);
    assert_eq!(fx.form_kind(), None, "{:?}", fx.app.popup);
    let c = fx.store.client(fx.client).unwrap();
    assert_eq!((c.retainer_min, c.fee_cents), (Some(450), Some(80_050)));
    fx.key(KeyCode::Char('e'));
    assert_eq!(fx.form().value(RETAINER), "7,5");
    assert_eq!(fx.form().value(FEE), "800,50");
    let screen = fx.screen(120, 35);
    for part in ["bono de horas", "cuota mensual", "tarifa de exceso", "moneda"] {
        assert!(screen.contains(part), "{part} not in\n{screen}");
    }
}

// ---- quote and meeting ---------------------------------------------------------------------

#[test]
fn the_quote_form_keeps_what_another_process_changed_meanwhile() {
    let mut fx = fixture(Lang::En);
    fx.key(KeyCode::Tab).key(KeyCode::Char(']'));
    fx.key(KeyCode::Char('e'));
    assert_eq!(fx.form_kind(), Some(FormKind::EditQuote(fx.quote)));
    let mut other = fx.other();
    other
        .edit_quote(
            fx.quote,
            QuoteEdit {
                description: Some("Brand kit and icons".into()),
                ..Default::default()
            },
        )
        .expect("the other edit");
    drop(other);
    fx.retype("520").key(KeyCode::Enter);
    assert_eq!(fx.form_kind(), None, "{:?}", fx.app.popup);
    let q = fx.store.quote(fx.quote).unwrap();
    assert_eq!(q.amount_cents, 52_000);
    assert_eq!(q.description, "Brand kit and icons");
    assert_eq!(q.prep_min, 30);
}

#[test]
fn a_quote_field_changed_on_both_sides_is_refused_inline() {
    let mut fx = fixture(Lang::En);
    fx.key(KeyCode::Tab).key(KeyCode::Char(']')).key(KeyCode::Char('e'));
    let mut other = fx.other();
    other
        .edit_quote(
            fx.quote,
            QuoteEdit {
                amount: Some(60_000),
                ..Default::default()
            },
        )
        .expect("the other edit");
    drop(other);
    fx.retype("520").key(KeyCode::Enter);
    assert_eq!(fx.form_kind(), Some(FormKind::EditQuote(fx.quote)));
    let errors = fx.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].1.contains("now \"600\""), "{}", errors[0].1);
    assert_eq!(fx.store.quote(fx.quote).unwrap().amount_cents, 60_000);
}

#[test]
fn the_meeting_form_keeps_what_another_process_changed_meanwhile() {
    let mut fx = fixture(Lang::En);
    fx.key(KeyCode::Tab).key(KeyCode::Char(']')).key(KeyCode::Char(']'));
    fx.key(KeyCode::Char('e'));
    assert_eq!(fx.form_kind(), Some(FormKind::EditMeeting(fx.meeting)));
    let mut other = fx.other();
    other
        .edit_meeting(
            fx.meeting,
            MeetingEdit {
                length_min: Some(Some(60)),
                ..Default::default()
            },
        )
        .expect("the other edit");
    drop(other);
    // The kind (field 1) is changed here.
    fx.field(1).key(KeyCode::Right).key(KeyCode::Enter);
    assert_eq!(fx.form_kind(), None, "{:?}", fx.app.popup);
    let m = fx.store.meeting(fx.meeting).unwrap();
    assert_ne!(m.kind, MeetingKind::Review);
    assert_eq!(m.length_min, Some(60));
    assert_eq!(m.at, at("2026-11-25 10:00"));
}

#[test]
fn a_meeting_moved_on_both_sides_is_refused_inline_and_a_deleted_one_says_so() {
    let mut fx = fixture(Lang::En);
    fx.key(KeyCode::Tab).key(KeyCode::Char(']')).key(KeyCode::Char(']'));
    fx.key(KeyCode::Char('e'));
    let mut other = fx.other();
    other
        .edit_meeting(
            fx.meeting,
            MeetingEdit {
                at: Some(at("2026-11-26 16:00")),
                ..Default::default()
            },
        )
        .expect("the other edit");
    fx.retype("2026-11-27 12:00").key(KeyCode::Enter);
    let errors = fx.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].1.contains("16:00"), "{}", errors[0].1);
    assert_eq!(fx.store.meeting(fx.meeting).unwrap().at, at("2026-11-26 16:00"));
    other.delete_meeting(fx.meeting).expect("deleted elsewhere");
    drop(other);
    fx.key(KeyCode::Enter);
    let errors = fx.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].1.contains("deleted"), "{}", errors[0].1);
}

// ---- rendering -----------------------------------------------------------------------------

fn conflict_screen(lang: Lang) -> String {
    let mut fx = fixture(lang);
    fx.open_task_form();
    let mut other = fx.other();
    other
        .edit_task(
            fx.task,
            TaskFields {
                title: Some("Logo final".into()),
                ..Default::default()
            },
        )
        .expect("the other edit");
    drop(other);
    fx.key(KeyCode::End).keys(" v2").key(KeyCode::Enter);
    assert_eq!(fx.errors().len(), 1);
    fx.screen(80, 24)
}

#[test]
fn the_conflict_is_shown_under_its_field_at_80x24_in_english() {
    let s = conflict_screen(Lang::En);
    insta::assert_snapshot!("form_conflict_80x24", s);
    assert!(s.contains("Logo v2"), "{s}");
    assert!(s.contains("Changed elsewhere"), "{s}");
    assert!(s.contains("\"Logo final\""), "{s}");
}

#[test]
fn the_conflict_is_shown_under_its_field_at_80x24_in_spanish() {
    let s = conflict_screen(Lang::Es);
    insta::assert_snapshot!("form_conflict_es_80x24", s);
    assert!(s.contains("Logo v2"), "{s}");
    assert!(s.contains("Ha cambiado en otro sitio"), "{s}");
    assert!(s.contains("«Logo final»"), "{s}");
}

// ---- deleting a client with its time; t and T on "All clients" -----------------------------

#[test]
fn deleting_a_client_names_its_time_entries_and_the_billed_ones() {
    let mut fx = fixture(Lang::En);
    for day in ["2026-10-05 10:00", "2026-10-06 10:00", "2026-11-20 10:00"] {
        fx.store
            .log_time(Some(fx.client), None, at(day), 60, true, "")
            .expect("time");
    }
    fx.store
        .mark_billed(
            fx.client,
            vadesk::domain::money::Month::of(at("2026-10-01 00:00").date()),
            today(),
        )
        .expect("billed");
    fx.key(KeyCode::Char('D'));
    let text = match &fx.app.popup {
        Some(Popup::Confirm(c)) => c.text.clone(),
        other => panic!("no confirmation: {other:?}"),
    };
    assert!(text.contains("3 time entries"), "{text}");
    assert!(text.contains("2 of them billed"), "{text}");
    fx.app.lang = Lang::Es;
    fx.key(KeyCode::Esc).key(KeyCode::Char('D'));
    let text = match &fx.app.popup {
        Some(Popup::Confirm(c)) => c.text.clone(),
        other => panic!("no confirmation: {other:?}"),
    };
    assert!(text.contains("3 registros de tiempo"), "{text}");
    assert!(text.contains("2 ya facturados"), "{text}");
}

/// The question was asked before another process logged and billed the client's time: `y`
/// deletes nothing, and the question is asked again with the time as it is now; a second `y`
/// deletes.
#[test]
fn a_client_deletion_confirmed_after_its_time_changed_elsewhere_asks_again() {
    let mut fx = fixture(Lang::En);
    fx.key(KeyCode::Char('D'));
    let text = match &fx.app.popup {
        Some(Popup::Confirm(c)) => c.text.clone(),
        other => panic!("no confirmation: {other:?}"),
    };
    assert!(!text.contains("time entr"), "{text}");
    let mut other = fx.other();
    for day in ["2026-10-05 10:00", "2026-10-06 10:00"] {
        other
            .log_time(Some(fx.client), None, at(day), 180, true, "")
            .expect("time");
    }
    other
        .mark_billed(
            fx.client,
            vadesk::domain::money::Month::of(at("2026-10-01 00:00").date()),
            today(),
        )
        .expect("billed");
    let steps = |fx: &Fx| -> i64 {
        fx.store
            .conn()
            .query_row("SELECT count(*) FROM undo_steps", [], |r| r.get(0))
            .unwrap()
    };
    let before = steps(&fx);
    fx.key(KeyCode::Char('y'));
    assert!(fx.store.client(fx.client).is_ok(), "deleted without the time named");
    assert_eq!(steps(&fx), before, "the refused deletion left an undo step");
    let text = match &fx.app.popup {
        Some(Popup::Confirm(c)) => c.text.clone(),
        other => panic!("not asked again: {other:?}"),
    };
    assert!(
        text.contains("2 time entries") && text.contains("2 of them billed"),
        "{text}"
    );
    let n = fx.app.notice.clone().expect("a notice");
    assert!(n.error && n.text.contains("nothing was deleted"), "{n:?}");
    fx.key(KeyCode::Char('y'));
    assert!(
        fx.store.client(fx.client).is_err(),
        "not deleted once confirmed as it is"
    );
}

#[test]
fn t_and_capital_t_on_all_clients_say_what_to_select() {
    let mut fx = fixture(Lang::En);
    fx.key(KeyCode::Char('g'));
    assert!(fx.app.client().is_none());
    fx.key(KeyCode::Char('t'));
    let n = fx.app.notice.clone().expect("a notice");
    assert!(n.error && n.text.contains("client"), "{n:?}");
    fx.app.notice = None;
    fx.key(KeyCode::Char('T'));
    let n = fx.app.notice.clone().expect("a notice");
    assert!(n.error && n.text.contains("client"), "{n:?}");
    assert!(fx.app.popup.is_none());
    assert!(fx.store.running_timer().unwrap().is_none());
    let _ = now();
}

// ---- the form that stops a timer from an earlier day ---------------------------------------

#[test]
fn a_timer_stopped_elsewhere_while_its_form_is_open_is_not_stopped_again_nor_the_next_one() {
    let mut fx = fixture(Lang::En);
    let old = fx
        .store
        .start_timer(Some(fx.client), None, true, "", at("2026-11-22 15:00"))
        .expect("a timer yesterday")
        .0;
    fx.key(KeyCode::Char('t'));
    assert_eq!(fx.form_kind(), Some(FormKind::StopTimer(old)));
    let mut other = fx.other();
    other
        .stop_timer(vadesk::store::StopAt::At(at("2026-11-22 17:00")), now())
        .expect("stopped elsewhere");
    let new = other
        .start_timer(Some(fx.client), Some(fx.task), true, "", now())
        .expect("a new timer elsewhere")
        .0;
    drop(other);
    fx.keys("2026-11-22 18:30").key(KeyCode::Enter);
    assert_eq!(fx.form_kind(), Some(FormKind::StopTimer(old)), "the form stays");
    let errors = fx.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].1.contains("already stopped"), "{}", errors[0].1);
    assert_eq!(fx.store.time_entry(old).unwrap().minutes, Some(120), "its end stays");
    assert_eq!(
        fx.store.running_timer().unwrap().map(|e| e.id),
        Some(new),
        "the new one runs on"
    );
}

// ---- a status changed in the task form keeps its dates --------------------------------------

fn closed_on(store: &Store, id: i64) -> Option<String> {
    store
        .conn()
        .query_row("SELECT closed_on FROM tasks WHERE id = ?1", [id], |r| r.get(0))
        .expect("the task")
}

#[test]
fn closing_or_reopening_a_task_in_its_form_sets_or_clears_its_closing_date() {
    let mut fx = fixture(Lang::En);
    fx.open_task_form();
    fx.field(5);
    for _ in 0..10 {
        if fx.form().value(5) == "done" {
            break;
        }
        fx.key(KeyCode::Right);
    }
    fx.key(KeyCode::Enter);
    assert_eq!(fx.form_kind(), None);
    assert_eq!(fx.store.task(fx.task).unwrap().status, TaskStatus::Done);
    assert_eq!(closed_on(&fx.store, fx.task).as_deref(), Some("2026-11-23"));
    fx.key(KeyCode::Char('e')).field(5);
    for _ in 0..10 {
        if fx.form().value(5) == "todo" {
            break;
        }
        fx.key(KeyCode::Right);
    }
    fx.key(KeyCode::Enter);
    assert_eq!(fx.store.task(fx.task).unwrap().status, TaskStatus::Todo);
    assert_eq!(closed_on(&fx.store, fx.task), None, "reopened: no closing date");
}

// ---- a sync landing while the form is open ---------------------------------------------------

fn machine(server: &std::path::Path) -> common::Desk {
    let d = common::Desk::new();
    let dir = d.dir.path().join("config").join("vadesk");
    std::fs::create_dir_all(&dir).unwrap();
    let text = format!(
        "[sync]\nlocal_dir = {}\nencryption_secret = \"correct horse battery staple\"\n",
        serde_json::to_string(&server.display().to_string()).unwrap()
    );
    std::fs::write(dir.join("config.toml"), text).unwrap();
    d
}

#[test]
fn a_sync_that_lands_while_the_task_form_is_open_keeps_what_it_brought() {
    let server = tempfile::tempdir().unwrap();
    let a = machine(server.path());
    let b = machine(server.path());
    a.ok(&["client", "add", "Acme"]);
    a.ok(&["task", "add", "acme", "Logo", "--spec", "original spec"]);
    a.ok(&["sync", "--init"]);
    b.ok(&["sync"]);
    // The desk on A, in this process.
    let mut store = Store::open(&a.db).expect("A's store");
    let mut app = desk_on(&mut store, &a.db, 35);
    let press = |app: &mut App, store: &mut Store, code: KeyCode| common::tui::press(app, store, code);
    press(&mut app, &mut store, KeyCode::Char('j'));
    press(&mut app, &mut store, KeyCode::Tab);
    press(&mut app, &mut store, KeyCode::Char('e'));
    assert!(matches!(&app.popup, Some(Popup::Form(f)) if matches!(f.kind, FormKind::EditTask(_))));
    // The other machine changes the spec and closes the task; A syncs with the form open.
    b.ok(&["task", "edit", "1", "--spec", "from the laptop"]);
    b.ok(&["task", "done", "1"]);
    b.ok(&["sync"]);
    a.ok(&["sync"]);
    press(&mut app, &mut store, KeyCode::End);
    for c in " v2".chars() {
        press(&mut app, &mut store, KeyCode::Char(c));
    }
    press(&mut app, &mut store, KeyCode::Enter);
    assert!(app.popup.is_none(), "{:?}", app.popup);
    let t = store.task(1).unwrap();
    assert_eq!(t.title, "Logo v2");
    assert_eq!(t.spec, "from the laptop");
    assert_eq!(t.status, TaskStatus::Done);
}

// ---- the store's checked edits -----------------------------------------------------------------

#[test]
fn a_checked_edit_sees_the_record_in_its_transaction_and_a_declined_one_leaves_no_trace() {
    let mut fx = fixture(Lang::En);
    let before = fx.store.undo_peek().unwrap().map(|s| s.step);
    let mut other = fx.other();
    other.enable_undo().expect("undo");
    other
        .edit_task(
            fx.task,
            TaskFields {
                title: Some("Logo final".into()),
                ..Default::default()
            },
        )
        .expect("the other edit");
    let after_other = fx.store.undo_peek().unwrap().map(|s| s.step);
    assert_ne!(before, after_other);
    let mut seen = String::new();
    let saved = fx
        .store
        .edit_task_if(fx.task, today(), |t| {
            seen = t.title.clone();
            None
        })
        .expect("declined");
    assert!(!saved);
    assert_eq!(seen, "Logo final", "the record as it is now");
    assert_eq!(
        fx.store.undo_peek().unwrap().map(|s| s.step),
        after_other,
        "no undo step"
    );
    assert!(fx
        .store
        .edit_quote_if(fx.quote, |q| {
            assert_eq!(q.amount_cents, 45_000);
            Some(QuoteEdit {
                prep_min: Some(45),
                ..Default::default()
            })
        })
        .expect("saved"));
    let q = fx.store.quote(fx.quote).unwrap();
    assert_eq!((q.prep_min, q.description.as_str()), (45, "Brand kit"));
    other.delete_meeting(fx.meeting).expect("deleted elsewhere");
    let gone = fx.store.edit_meeting_if(fx.meeting, |_| Some(MeetingEdit::default()));
    assert!(matches!(gone, Err(vadesk::error::Error::NotFound(_))), "{gone:?}");
    let gone = fx
        .store
        .edit_client_if(fx.client + 100, |_| Some(ClientFields::default()));
    assert!(matches!(gone, Err(vadesk::error::Error::NotFound(_))), "{gone:?}");
}

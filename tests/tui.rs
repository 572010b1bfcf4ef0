//! The desk without a terminal: `App` driven by keys on a real store, and its rendering on
//! ratatui's `TestBackend` (snapshots at 80×24 and 120×35, colours asserted on cells).

mod common;

use common::tui::{now, Desk, Setup};

use crossterm::event::KeyCode;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use ratatui::Terminal;
use vadesk::domain::RequestKind;
use vadesk::i18n::Lang;
use vadesk::store::{DetectReport, NewFlag};
use vadesk::tui::app::{Pane, View};
use vadesk::tui::form::Popup;
use vadesk::tui::{update, Msg};
use vadesk::Store;

fn desk_with(lang: Lang, demo: bool, color: bool) -> Desk {
    Setup {
        lang,
        demo,
        color,
        ..Setup::default()
    }
    .build()
}

fn desk() -> Desk {
    Setup::default().build()
}

fn find(t: &Terminal<TestBackend>, needle: &str) -> Option<(u16, u16)> {
    let buf = t.backend().buffer();
    for y in 0..buf.area.height {
        let line: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol().to_string()).collect();
        if let Some(byte) = line.find(needle) {
            let x = line[..byte].chars().count() as u16;
            return Some((x, y));
        }
    }
    None
}

// ---- state and keys ------------------------------------------------------------------------

#[test]
fn starts_on_the_clients_pane_and_moves_between_views_and_panes() {
    let mut d = desk();
    assert_eq!(d.app.view, View::Desk);
    assert_eq!(d.app.focus, Pane::Clients);
    d.key(KeyCode::Tab);
    assert_eq!(d.app.focus, Pane::Tasks);
    d.key(KeyCode::Tab);
    assert_eq!(d.app.focus, Pane::Flags);
    d.key(KeyCode::BackTab);
    assert_eq!(d.app.focus, Pane::Tasks);
    d.keys("2");
    assert_eq!(d.app.view, View::Review);
    d.keys("1");
    assert_eq!(d.app.view, View::Desk);
    d.keys("q");
    assert!(d.app.quit);
}

#[test]
fn moving_through_clients_loads_their_tasks_and_flags() {
    let mut d = desk();
    d.select_client("Pixel & Pine Studio");
    assert_eq!(d.app.tasks.len(), 5);
    assert!(d.app.flags.len() >= 5);
    assert_eq!(d.app.assessment.as_ref().unwrap().verdict.key(), "talk");
    d.key(KeyCode::Char('g'));
    assert!(d.app.client().is_none(), "row 0 is all clients");
    assert_eq!(d.app.tasks.len(), 13);
    d.key(KeyCode::Char('G'));
    assert_eq!(d.app.client().unwrap().client.name, "Tienda Sol");
    d.key(KeyCode::PageUp);
    assert_eq!(d.app.client_sel, 0);
}

#[test]
fn adding_a_client_through_the_form_with_inline_validation() {
    let mut d = desk();
    d.keys("a");
    assert!(matches!(d.app.popup, Some(Popup::Form(_))));
    // Saving an empty name keeps the form open with the error beside the field.
    d.key(KeyCode::Enter);
    let Some(Popup::Form(f)) = &d.app.popup else {
        panic!("form closed")
    };
    assert!(f.fields[0].error.as_deref().unwrap_or("").contains("empty"));
    d.keys("Luna Café ☕");
    d.key(KeyCode::Tab).key(KeyCode::Right); // status: prospect
    d.key(KeyCode::Tab).keys("email:hola@luna.es");
    d.key(KeyCode::Tab).keys("-3");
    d.key(KeyCode::Enter);
    let Some(Popup::Form(f)) = &d.app.popup else {
        panic!("a bad rate must keep the form")
    };
    assert_eq!(f.focus, 3);
    assert!(f.fields[3].error.is_some());
    assert_eq!(f.value(0), "Luna Café ☕", "what was typed is kept");
    d.key(KeyCode::Backspace).key(KeyCode::Backspace).keys("30");
    d.key(KeyCode::Enter);
    assert!(d.app.popup.is_none(), "{:?}", d.app.notice);
    let c = d.store.find_client("luna café ☕").unwrap();
    assert_eq!(c.status.key(), "prospect");
    assert_eq!(c.rate(), Some(30.0));
    assert_eq!(c.channels[0].handle, "hola@luna.es");
    assert_eq!(d.app.client().unwrap().client.id, c.id, "the new client is selected");
    // A duplicate name is refused inline.
    d.keys("a").keys("LUNA CAFÉ ☕").key(KeyCode::Enter);
    let Some(Popup::Form(f)) = &d.app.popup else {
        panic!("duplicate accepted")
    };
    assert!(f.fields[0].error.as_deref().unwrap_or("").contains("already exists"));
    d.key(KeyCode::Esc);
    assert!(d.app.popup.is_none());
}

#[test]
fn task_keys_material_feedback_clarify_deliver_outcome() {
    let mut d = desk();
    d.select_client("Bloom Florist");
    d.key(KeyCode::Tab);
    d.keys("a")
        .keys("Flyer")
        .key(KeyCode::Tab)
        .keys("fri")
        .key(KeyCode::Enter);
    assert!(d.app.popup.is_none(), "{:?}", d.app.notice);
    let pos = (0..d.app.tasks.len())
        .find(|&i| d.app.tasks.get(i).unwrap().title == "Flyer")
        .unwrap();
    d.app.tasks.selected = pos;
    let id = d.app.tasks.current().unwrap().id;
    // A date before today is refused beside the date, where the cursor goes, and what was
    // typed is kept.
    let yesterday = (common::tui::today() - chrono::Days::new(1)).to_string();
    d.keys("m")
        .keys("Logo files")
        .key(KeyCode::Tab)
        .retype(&yesterday)
        .key(KeyCode::Enter);
    let Some(Popup::Form(f)) = &d.app.popup else {
        panic!("a date before today must keep the form")
    };
    assert_eq!(f.focus, 1);
    assert!(f.fields[0].error.is_none(), "{:?}", f.fields[0].error);
    assert!(f.fields[1]
        .error
        .as_deref()
        .unwrap_or("")
        .contains("before the day it is asked"));
    assert_eq!(f.value(0), "Logo files");
    d.retype("+2d").key(KeyCode::Enter);
    assert!(d.app.popup.is_none(), "{:?}", d.app.notice);
    assert!(d.store.task(id).unwrap().waiting_on.contains(&RequestKind::Material));
    d.keys("ccc");
    assert_eq!(d.store.task(id).unwrap().clarifications, 3);
    assert!(d
        .store
        .list_flags(None)
        .unwrap()
        .iter()
        .any(|f| f.source_ref.as_deref() == Some(&format!("task:{id}:vague"))));
    d.keys("o");
    assert!(d.notice().contains("not been delivered"), "{}", d.notice());
    d.keys("v");
    assert_eq!(d.store.task(id).unwrap().status.key(), "delivered");
    d.keys("b").key(KeyCode::Enter);
    assert!(d.store.task(id).unwrap().waiting_on.contains(&RequestKind::Feedback));
    d.keys("o").key(KeyCode::Down).key(KeyCode::Enter);
    assert_eq!(d.store.task(id).unwrap().outcome.unwrap().key(), "changed_after_ok");
    d.keys("d");
    assert_eq!(d.store.task(id).unwrap().status.key(), "done");
}

#[test]
fn review_rows_are_handled_with_one_key_and_undone() {
    let mut d = desk();
    d.keys("2");
    let first = d.app.review_item().unwrap().clone();
    assert_eq!(first.kind.key(), "feedback_overdue");
    d.keys("n");
    assert!(matches!(d.app.popup, Some(Popup::Form(_))));
    d.key(KeyCode::Enter);
    assert_eq!(d.store.request(RequestKind::Feedback, first.id).unwrap().nudges, 1);
    assert!(d.notice().contains("Nudged"));
    // Received: the row leaves the review at once.
    d.keys("r");
    assert!(d
        .app
        .review
        .rows
        .iter()
        .all(|r| !(r.kind == first.kind && r.id == first.id)));
    assert!(d
        .store
        .request(RequestKind::Feedback, first.id)
        .unwrap()
        .received_on
        .is_some());
    d.keys("u");
    assert!(d.notice().starts_with("Undone"), "{}", d.notice());
    assert!(d
        .store
        .request(RequestKind::Feedback, first.id)
        .unwrap()
        .received_on
        .is_none());
    // The restored row is back; the selection stayed on the record it was on.
    assert!(d
        .app
        .review
        .rows
        .iter()
        .any(|r| r.kind == first.kind && r.id == first.id));
    // Snooze hides it until tomorrow.
    let n = d.app.review.total();
    d.keys("s");
    assert_eq!(d.app.review.total(), n - 1);
    d.keys("u");
    assert_eq!(d.app.review.total(), n);
    // Done on the overdue task row.
    let pos = d
        .app
        .review
        .rows
        .iter()
        .position(|r| r.kind.key() == "task_overdue")
        .unwrap();
    d.app.review.selected = pos;
    let task = d.app.review_item().unwrap().id;
    d.keys("d");
    assert_eq!(d.store.task(task).unwrap().status.key(), "done");
    // Attendance through its picker raises the flag.
    let pos = d
        .app
        .review
        .rows
        .iter()
        .position(|r| r.kind.key() == "attendance_unrecorded")
        .unwrap();
    d.app.review.selected = pos;
    let meeting = d.app.review_item().unwrap().id;
    d.keys("r").key(KeyCode::Down).key(KeyCode::Down).key(KeyCode::Enter);
    assert_eq!(d.store.meeting(meeting).unwrap().attendance.key(), "no_show");
    // The weekly review row is held with d.
    let pos = d
        .app
        .review
        .rows
        .iter()
        .position(|r| r.kind.key() == "weekly_review")
        .unwrap();
    d.app.review.selected = pos;
    d.keys("d");
    assert!(d.app.review.rows.iter().all(|r| r.kind.key() != "weekly_review"));
}

/// The review's hint bar offers the keys that act on the selected row, not every key of
/// every kind (`x` belongs to a weekly review, `n` to what can be nudged, `d` to a task).
#[test]
fn the_review_hints_follow_the_selected_rows_kind() {
    let mut d = desk();
    d.keys("2");
    let mut seen = std::collections::BTreeSet::new();
    let total = d.app.review.len();
    for _ in 0..total {
        let kind = d.app.review_item().expect("a row").kind;
        let text = d.text(220, 35);
        let bar = text.lines().next_back().unwrap_or_default().to_string();
        let has = |k: &str| bar.contains(k);
        let (offers, not): (&[&str], &[&str]) = match kind.key() {
            "feedback_overdue" | "material_late" | "due_soon" => (&["n nudge", "r received"], &["x ", "d done"]),
            "task_overdue" | "task_due_today" => (&["r delivered", "d done"], &["n nudge", "x "]),
            "quote_unanswered" => (&["r answer", "n nudge"], &["x ", "d done"]),
            "meeting_today" | "attendance_unrecorded" => (&["r attendance"], &["n nudge", "x ", "d done"]),
            "weekly_review" => (&["r held", "x client missed it"], &["n nudge", "d done"]),
            _ => (&[], &[]),
        };
        for k in offers {
            assert!(has(k), "{} row: {k:?} not offered in {bar:?}", kind.key());
        }
        for k in not {
            assert!(!has(k), "{} row: {k:?} offered in {bar:?}", kind.key());
        }
        seen.insert(kind.key());
        d.keys("j");
    }
    for k in ["feedback_overdue", "task_overdue", "quote_unanswered", "weekly_review"] {
        assert!(seen.contains(k), "the demo's review has no {k} row: {seen:?}");
    }
}

/// The help and the details scroll a page at a time (PgDn, PgUp), to either end (End,
/// Home), and never past their last line: one `k` after pressing on too far moves at once.
#[test]
fn popups_scroll_by_page_and_stop_at_their_end() {
    let mut d = desk();
    let screen = |d: &Desk| d.text(100, 20);
    update(&mut d.app, Msg::Resize(100, 20), &mut d.store);
    d.keys("?");
    let first = screen(&d);
    assert!(!first.contains("↻ before a task"), "the help fits 20 rows:\n{first}");
    d.key(KeyCode::PageDown);
    let paged = screen(&d);
    assert_ne!(paged, first);
    d.key(KeyCode::PageUp);
    assert_eq!(screen(&d), first);
    d.key(KeyCode::End);
    let end = screen(&d);
    assert!(end.contains("↻ before a task"), "{end}");
    for _ in 0..30 {
        d.key(KeyCode::Char('j')).key(KeyCode::PageDown);
    }
    assert_eq!(screen(&d), end);
    d.key(KeyCode::Char('k'));
    assert_ne!(screen(&d), end, "one k moves up at once");
    d.key(KeyCode::Home);
    assert_eq!(screen(&d), first);
    d.key(KeyCode::Esc);
    // A client's details, on a short terminal.
    let screen = |d: &Desk| d.text(100, 15);
    update(&mut d.app, Msg::Resize(100, 15), &mut d.store);
    d.select_client("Bloom Florist").key(KeyCode::Enter);
    assert!(matches!(d.app.popup, Some(Popup::Details(_))));
    let first = screen(&d);
    d.key(KeyCode::PageDown);
    assert_ne!(screen(&d), first);
    d.key(KeyCode::End);
    let end = screen(&d);
    for _ in 0..30 {
        d.key(KeyCode::PageDown);
    }
    assert_eq!(screen(&d), end);
    d.key(KeyCode::Char('k'));
    assert_ne!(screen(&d), end);
    d.key(KeyCode::Home);
    assert_eq!(screen(&d), first);
}

/// A client's name too long for the tasks pane's title is cut with `…`, and the count of
/// its tasks (or quotes, or meetings) stays shown.
#[test]
fn a_long_client_name_is_cut_with_an_ellipsis_in_the_pane_titles() {
    let mut d = desk();
    let name = "Asociación de Comerciantes del Casco Antiguo de Villanueva de la Serena";
    d.keys("a").keys(name).key(KeyCode::Enter);
    assert_eq!(d.app.client().map(|c| c.client.name.as_str()), Some(name));
    for (w, h) in [(80, 24), (120, 35)] {
        let text = d.text(w, h);
        let title = text.lines().nth(1).unwrap_or_default();
        assert!(
            title.contains("Tasks · Asociación") && title.contains("… (0)"),
            "{w}x{h}: {title}"
        );
    }
    d.key(KeyCode::Tab).keys("]");
    let text = d.text(80, 24);
    let title = text.lines().nth(1).unwrap_or_default();
    assert!(
        title.contains("Quotes · Asociación") && title.contains("… (0)"),
        "{title}"
    );
}

/// Paging through a long client's details shows every line once, and `End` puts the last
/// line at the bottom: no line skipped between pages, no blank page past the end.
#[test]
fn paging_through_details_skips_no_line_and_stops_at_the_last() {
    use vadesk::store::NewQuote;
    let mut d = desk();
    let bloom = d.client_id("Bloom Florist");
    for i in 0..25 {
        let q = NewQuote {
            amount_cents: 10_000 + i * 100,
            prep_min: 0,
            sent_on: now().date(),
            answer_by: None,
            description: format!("Quote number {i}"),
        };
        d.store.add_quote(bloom, q, 7).unwrap();
    }
    for (w, h) in [(80, 24), (100, 17)] {
        update(&mut d.app, Msg::Resize(w, h), &mut d.store);
        d.app.popup = None;
        d.select_client("Bloom Florist").key(KeyCode::Enter);
        let Some(Popup::Details(p)) = &d.app.popup else {
            panic!("no details")
        };
        let wanted: Vec<String> = p.lines.iter().filter(|l| l.contains("€1")).cloned().collect();
        assert_eq!(wanted.len(), 25);
        let mut seen = String::new();
        let mut last = String::new();
        for _ in 0..20 {
            last = d.text(w, h);
            seen.push_str(&last);
            d.key(KeyCode::PageDown);
        }
        for l in &wanted {
            let amount = l.split_whitespace().nth(1).unwrap();
            assert!(seen.contains(amount), "{w}x{h}: {amount} never shown");
        }
        d.key(KeyCode::End);
        assert_eq!(d.text(w, h), last, "End is where paging stopped");
        // The last line sits just above the hint: no blank row between.
        let rows: Vec<&str> = last.lines().collect();
        let hint = rows.iter().position(|r| r.contains("↑ ↓ scroll")).unwrap();
        let above: String = rows[hint - 1].chars().filter(|c| c.is_alphanumeric()).collect();
        assert!(!above.is_empty(), "{w}x{h}: a blank row above the hint:\n{last}");
    }
}

/// A refusal too long for the status bar is read whole on rows of its own, at 80×24 as at
/// 120×35: `r` on a retainer's row, on a meeting not yet started.
#[test]
fn a_refusal_on_a_review_row_is_shown_at_every_width() {
    for kind in ["retainer_near", "meeting_today"] {
        for (w, h) in [(80, 24), (120, 35)] {
            let mut d = desk();
            update(&mut d.app, Msg::Resize(w, h), &mut d.store);
            d.keys("2");
            for _ in 0..20 {
                if d.app.review_item().map(|r| r.kind.key()) == Some(kind) {
                    break;
                }
                d.keys("j");
            }
            assert_eq!(d.app.review_item().map(|r| r.kind.key()), Some(kind));
            d.keys("r");
            if kind == "meeting_today" {
                // The attendance picker: "on time", for a meeting that starts at 11:00.
                assert!(matches!(d.app.popup, Some(Popup::Picker(_))), "{:?}", d.app.popup);
                d.key(KeyCode::Enter);
            }
            let notice = d.notice();
            assert!(!notice.is_empty(), "{kind}: no notice");
            let text = d.text(w, h);
            let flat: String = text
                .lines()
                .map(|l| l.trim_matches('"').trim())
                .collect::<Vec<_>>()
                .join(" ");
            let first_words: String = notice.split(' ').take(4).collect::<Vec<_>>().join(" ");
            assert!(
                flat.contains(&first_words),
                "{kind} at {w}x{h}: {notice:?} not shown:\n{text}"
            );
        }
    }
}

#[test]
fn flags_are_logged_with_the_picker_and_dismissed_with_confirmation() {
    let mut d = desk();
    d.select_client("Bloom Florist");
    let before = d.store.list_flags(None).unwrap().len();
    d.keys("f");
    let Some(Popup::Picker(p)) = &d.app.popup else {
        panic!("no picker")
    };
    assert_eq!(p.options.len(), 15);
    assert_eq!(p.options[7].1, "Expects mind-reading");
    for _ in 0..7 {
        d.key(KeyCode::Down);
    }
    d.key(KeyCode::Enter)
        .keys("Wanted it like the other one")
        .key(KeyCode::Enter);
    assert_eq!(d.store.list_flags(None).unwrap().len(), before + 1);
    assert_eq!(d.app.flags[0].kind.key(), "mind_reading");
    d.key(KeyCode::Tab).key(KeyCode::Tab);
    assert_eq!(d.app.focus, Pane::Flags);
    d.keys("D");
    assert!(matches!(d.app.popup, Some(Popup::Confirm(_))));
    d.keys("n");
    assert!(!d.store.list_flags(None).unwrap().iter().any(|f| f.dismissed));
    d.keys("D").keys("y");
    assert!(d.store.list_flags(None).unwrap().iter().any(|f| f.dismissed));
}

#[test]
fn deleting_a_client_asks_first_and_can_be_undone() {
    let mut d = desk();
    d.select_client("Tienda Sol");
    d.keys("D");
    d.key(KeyCode::Esc);
    assert!(d.store.find_client("Tienda Sol").is_ok());
    // Only a deliberate yes confirms: Enter (or any other key) does not.
    d.keys("D").key(KeyCode::Enter);
    assert!(d.store.find_client("Tienda Sol").is_ok());
    d.keys("x");
    assert!(d.store.find_client("Tienda Sol").is_ok());
    d.keys("y");
    assert!(d.store.find_client("Tienda Sol").is_err());
    assert_eq!(d.app.clients.len(), 5);
    d.keys("u");
    assert!(d.store.find_client("Tienda Sol").is_ok());
    assert_eq!(
        d.store
            .list_flags(Some(d.store.find_client("Tienda Sol").unwrap().id))
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn fuzzy_filter_on_the_focused_list() {
    let mut d = desk();
    d.keys("/").keys("pxl");
    assert_eq!(d.app.client_rows.len(), 1);
    assert_eq!(d.app.client().unwrap().client.name, "Pixel & Pine Studio");
    d.key(KeyCode::Enter);
    assert!(!d.app.client_filter.as_ref().unwrap().editing);
    d.key(KeyCode::Esc);
    assert!(d.app.client_filter.is_none());
    assert_eq!(d.app.client_rows.len(), 6);
    d.keys("2/").keys("lumen");
    assert!(d.app.review.matches().next().is_some());
    assert!(d.app.review.matches().all(|r| r.client.contains("Lumen")));
    d.key(KeyCode::Esc);
    assert_eq!(d.app.review.rows.len(), d.app.review.total());
}

#[test]
fn an_empty_store_offers_the_demo_or_a_first_client() {
    let mut d = desk_with(Lang::En, false, true);
    let Some(Popup::Picker(p)) = &d.app.popup else {
        panic!("no welcome")
    };
    assert_eq!(p.options.len(), 3);
    d.key(KeyCode::Down).key(KeyCode::Enter);
    assert!(
        matches!(d.app.popup, Some(Popup::Form(_))),
        "second choice adds a first client"
    );
    d.key(KeyCode::Esc);
    let mut d = desk_with(Lang::En, false, true);
    d.key(KeyCode::Enter);
    assert_eq!(d.app.clients.len(), 6, "first choice loads the demo");
}

#[test]
fn the_tick_message_updates_counts_and_names_what_is_new() {
    let mut d = desk();
    let report = DetectReport {
        new_flags: vec![NewFlag {
            id: 1,
            client_id: 1,
            client: "Casa Lumen Interiors".into(),
            kind: vadesk::domain::FlagKind::LateMaterial,
            source_ref: "material:9".into(),
            note: String::new(),
        }],
        recurring: vec![],
        counts: vadesk::store::Counts {
            feedback_overdue: 1,
            material_late: 2,
        },
    };
    // An error on screen stays until a key: the tick's news does not cover it.
    d.keys("u");
    let refusal = d.notice();
    assert!(refusal.contains("undo"), "{refusal}");
    update(
        &mut d.app,
        Msg::Tick {
            report: report.clone(),
            now: now(),
        },
        &mut d.store,
    );
    assert_eq!(d.notice(), refusal);
    update(&mut d.app, Msg::Synced("Sent: 1".into()), &mut d.store);
    assert_eq!(d.notice(), refusal);
    d.key(KeyCode::Esc);
    update(&mut d.app, Msg::Tick { report, now: now() }, &mut d.store);
    assert!(
        d.notice().contains("Casa Lumen Interiors: Materials delivered late"),
        "{}",
        d.notice()
    );
    assert!(d.text(120, 35).contains("2 late materials · 1 overdue feedback"));
}

#[test]
fn store_errors_go_to_the_status_bar() {
    let mut d = desk();
    d.keys("u");
    assert!(d.app.notice.as_ref().unwrap().error);
    assert!(d.text(80, 24).contains("nothing to undo"));
}

/// Why an undo was refused is read whole at 80×24: a long error takes rows of its own above
/// the status bar instead of being cut there.
#[test]
fn a_long_refusal_is_read_whole_at_80_columns() {
    let mut d = desk();
    d.select_client("Bloom Florist").key(KeyCode::Tab);
    let task = d.app.tasks.current().expect("a task").id;
    d.keys("T").keys("45m").key(KeyCode::Enter);
    assert!(d.app.popup.is_none(), "{:?}", d.app.notice);
    // Another program changes the entry just logged: undoing the log is refused.
    let other = Store::open_again(d.store.path()).unwrap();
    other
        .conn()
        .execute("UPDATE time_entries SET minutes = 50 WHERE task_id = ?1", [task])
        .unwrap();
    drop(other);
    d.keys("u");
    let n = d.app.notice.clone().expect("a notice");
    assert!(n.error && n.text.chars().count() > 80, "{}", n.text);
    let screen = d.text(80, 24);
    let words = |t: &str| {
        t.split(['│', '\n', '"'])
            .flat_map(str::split_whitespace)
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(words(&screen).contains(&words(&n.text)), "{}\n{screen}", n.text);
    // The hints and counts keep their row below it.
    assert!(screen.lines().last().unwrap().contains("late"), "{screen}");
}

#[test]
fn a_refusal_too_long_for_a_short_terminal_ends_with_an_ellipsis() {
    let mut d = desk();
    d.goto_client(None);
    d.keys("T");
    let n = d.app.notice.clone().expect("a notice");
    assert!(n.error, "{}", n.text);
    // At 60×15 the refusal has one row: it is cut, and says so.
    let screen = d.text(60, 15);
    let row = screen
        .lines()
        .map(|l| l.trim_matches('"').trim_end())
        .find(|l| l.starts_with("Select a client"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(row.ends_with('…'), "{screen}");
    assert!(row.chars().count() <= 60, "{screen}");
    // Where it fits, it is read whole.
    let screen = d.text(80, 24);
    assert!(screen.contains("time is kept on one of them."), "{screen}");
}

// ---- rendering ------------------------------------------------------------------------------

#[test]
fn snapshots_of_desk_and_review() {
    let mut d = desk();
    d.select_client("Pixel & Pine Studio");
    insta::assert_snapshot!("desk_80x24", d.text(80, 24));
    insta::assert_snapshot!("desk_120x35", d.text(120, 35));
    d.keys("2");
    insta::assert_snapshot!("review_80x24", d.text(80, 24));
    insta::assert_snapshot!("review_120x35", d.text(120, 35));
}

#[test]
fn snapshots_of_popups() {
    let mut d = desk();
    d.keys("?");
    insta::assert_snapshot!("help_120x35", d.text(120, 35));
    d.key(KeyCode::Esc).keys("a").key(KeyCode::Enter);
    insta::assert_snapshot!("form_error_80x24", d.text(80, 24));
    insta::assert_snapshot!("form_error_120x35", d.text(120, 35));
    d.key(KeyCode::Esc);
    d.select_client("Bloom Florist").keys("f");
    insta::assert_snapshot!("flag_picker_80x24", d.text(80, 24));
    insta::assert_snapshot!("flag_picker_120x35", d.text(120, 35));
    d.key(KeyCode::Esc).keys("D");
    insta::assert_snapshot!("confirm_80x24", d.text(80, 24));
    insta::assert_snapshot!("confirm_120x35", d.text(120, 35));
    d.key(KeyCode::Esc).key(KeyCode::Enter);
    insta::assert_snapshot!("client_details_80x24", d.text(80, 24));
    insta::assert_snapshot!("client_details_120x35", d.text(120, 35));
    d.key(KeyCode::Esc).key(KeyCode::Tab).key(KeyCode::Enter);
    insta::assert_snapshot!("task_details_120x35", d.text(120, 35));
    d.key(KeyCode::Esc);
    d.keys("?");
    insta::assert_snapshot!("help_80x24", d.text(80, 24));
    d.key(KeyCode::Esc);
    insta::assert_snapshot!("too_small_20x5", d.text(20, 5));
}

#[test]
fn snapshots_in_spanish() {
    let mut d = desk_with(Lang::Es, true, true);
    d.select_client("Estudio Píxel y Pino");
    let desk = d.text(80, 24);
    for word in ["Clientes", "Tareas", "Banderas rojas", "lun 23 nov"] {
        assert!(desk.contains(word), "{word} missing");
    }
    insta::assert_snapshot!("desk_es_80x24", desk);
    d.keys("2");
    insta::assert_snapshot!("review_es_80x24", d.text(80, 24));
    d.keys("?");
    let help = d.text(120, 35);
    assert!(help.contains("vista escritorio"), "{help}");
    // Further down: undo, and the forms' keys with the Spanish keyboard's names.
    for _ in 0..40 {
        d.keys("j");
    }
    let help_end = d.text(120, 35);
    assert!(
        help_end.contains("deshacer el último cambio") && help_end.contains("Mayús+Tab"),
        "{help_end}"
    );
    d.keys("g");
    // Nothing on these screens is English (the sample's names are Spanish too).
    let all = format!("{desk}\n{}\n{help}\n{help_end}", d.text(80, 24));
    let problems = common::spanish::problems(&all, &[]);
    assert!(problems.is_empty(), "{}\n{all}", problems.join("\n"));
    insta::assert_snapshot!("help_es_120x35", help);
    // The smallest screen says all of it, down to the key that quits.
    let tiny = d.text(20, 5);
    assert!(tiny.contains("pulsa q para") && tiny.contains("salir."), "{tiny}");
}

/// On a narrow pane the deal tabs shrink (the other tabs to their shortest beginning that tells
/// them apart, then away) and the
/// tab shown stays whole: a strip too wide was cut on its left, "s 4] · Presupuestos 0 ·…".
/// The flags pane's title takes a short form rather than losing the verdict at its end.
#[test]
fn narrow_panes_keep_the_shown_tab_and_the_verdict_whole() {
    let mut d = desk_with(Lang::Es, true, true);
    d.select_client("Estudio Píxel y Pino");
    let border = |d: &Desk, w: u16, h: u16| -> String {
        let screen = d.text(w, h);
        screen
            .lines()
            .find(|l| l.contains("└") && l.contains("Tareas"))
            .unwrap_or_else(|| panic!("no tab strip at {w}×{h}:\n{screen}"))
            .to_string()
    };
    let wide = border(&d, 120, 35);
    assert!(
        wide.contains("[Tareas ") && wide.contains("Presupuestos 0") && wide.contains("Reuniones"),
        "{wide}"
    );
    let narrow = border(&d, 60, 15);
    // Tareas and Tiempo shortened to what tells them apart.
    assert!(narrow.contains("─ [Tareas 5] · P 0 · R 0 · Ti 17 ┘"), "{narrow}");
    // The flags pane's title keeps its verdict: the short form on a narrow pane.
    let verdict = d.app.assessment.as_ref().unwrap().verdict.label(Lang::Es);
    for (w, h, head) in [(120, 35, "Banderas rojas · puntuación "), (60, 15, "Banderas · ")] {
        let screen = d.text(w, h);
        let title = screen
            .lines()
            .find(|l| l.contains(head))
            .unwrap_or_else(|| panic!("no {head:?} at {w}×{h}:\n{screen}"));
        assert!(title.contains(&format!(" · {verdict} ─")), "{w}×{h}: {title}");
    }
}

#[test]
fn colours_carry_meaning() {
    let mut d = desk();
    d.select_client("Pixel & Pine Studio");
    let t = d.screen(120, 35);
    let buf = t.backend().buffer();
    // Each client's verdict dot: Pixel & Pine talks (light red), Bloom is healthy (green).
    let (x, y) = find(&t, "● Pixel & Pine Studio").unwrap();
    assert_eq!(buf[(x, y)].fg, Color::LightRed);
    let (x, y) = find(&t, "● Bloom Florist").unwrap();
    assert_eq!(buf[(x, y)].fg, Color::Green);
    let (x, y) = find(&t, "● Northwind Yoga").unwrap();
    assert_eq!(buf[(x, y)].fg, Color::Red, "a prospect to decline");
    // The overdue task's due date is red.
    let (x, y) = find(&t, "yesterday").unwrap();
    assert_eq!(buf[(x, y)].fg, Color::Red);
    // Review: late rows red, due-soon rows dim.
    d.keys("2");
    let t = d.screen(120, 35);
    let buf = t.backend().buffer();
    let (x, y) = find(&t, "Feedback overdue").unwrap();
    assert_eq!(buf[(x, y)].fg, Color::Red);
    let (x, y) = find(&t, "Due soon").unwrap();
    assert_eq!(buf[(x, y)].fg, Color::DarkGray);
}

#[test]
fn no_color_means_no_colour() {
    let mut d = desk_with(Lang::En, true, false);
    d.select_client("Pixel & Pine Studio");
    for view in ["1", "2"] {
        d.keys(view);
        let t = d.screen(120, 35);
        let buf = t.backend().buffer();
        for cell in buf.content() {
            assert!(
                matches!(cell.fg, Color::Reset),
                "colour {:?} at {:?}",
                cell.fg,
                cell.symbol()
            );
            assert!(matches!(cell.bg, Color::Reset));
        }
    }
}

#[test]
fn wide_and_hostile_text_keeps_the_layout() {
    let mut d = desk();
    let name = "咖啡店😀 Ünïcödé \u{202E}reversed and a very long name that goes on and on";
    d.keys("a").keys(name).key(KeyCode::Enter);
    assert!(d.app.popup.is_none(), "{:?}", d.app.notice);
    d.key(KeyCode::Tab)
        .keys("a")
        .keys(&"長い".repeat(80))
        .key(KeyCode::Enter);
    for (w, h) in [(80, 24), (120, 35), (60, 15)] {
        let t = d.screen(w, h);
        let buf = t.backend().buffer();
        // Every row's borders stay where they belong: the right edge is a border glyph.
        for y in 1..h - 1 {
            let last = buf[(w - 1, y)].symbol();
            assert!(["│", "┐", "┘"].contains(&last), "row {y} at {w}x{h} ends with {last:?}");
        }
    }
    let stored = d.store.list_clients(None, &Default::default(), now().date()).unwrap();
    assert!(stored.iter().all(|c| !c.client.name.contains('\u{202E}')));
}

#[test]
fn every_resize_renders_without_panicking() {
    let mut d = desk();
    d.select_client("Pixel & Pine Studio");
    for w in [1u16, 5, 20, 59, 60, 61, 80, 100, 200] {
        for h in [1u16, 3, 5, 14, 15, 16, 24, 50] {
            update(&mut d.app, Msg::Resize(w, h), &mut d.store);
            let _ = d.text(w, h);
            d.keys("2");
            let _ = d.text(w, h);
            d.keys("?");
            let _ = d.text(w, h);
            d.key(KeyCode::Esc).keys("1");
        }
    }
}

#[test]
fn a_tick_reloads_only_when_the_store_changed() {
    let mut d = desk();
    let quiet = DetectReport {
        new_flags: vec![],
        counts: d.app.counts.clone(),
        recurring: vec![],
    };
    assert!(!d.app.stale(&d.store).unwrap());
    update(
        &mut d.app,
        Msg::Tick {
            report: quiet.clone(),
            now: now(),
        },
        &mut d.store,
    );
    assert!(!d.app.stale(&d.store).unwrap());
    // Another connection writes: the next tick shows it.
    let mut other = Store::open(d.store.path()).unwrap();
    let bloom = other.find_client("Bloom Florist").unwrap().id;
    other
        .add_task(
            bloom,
            vadesk::store::TaskFields {
                title: Some("From the shell".into()),
                ..Default::default()
            },
            now().date(),
        )
        .unwrap();
    assert!(d.app.stale(&d.store).unwrap());
    update(
        &mut d.app,
        Msg::Tick {
            report: quiet,
            now: now(),
        },
        &mut d.store,
    );
    d.select_client("Bloom Florist");
    assert!((0..d.app.tasks.len()).any(|i| d.app.tasks.get(i).unwrap().title == "From the shell"));
}

/// SPEC 9: a step from an earlier day asks before it is undone, showing its date; `U` redoes.
#[test]
fn undoing_yesterdays_change_asks_first_and_redo_brings_it_back() {
    let mut d = desk();
    d.select_client("Tienda Sol");
    d.keys("D").keys("y");
    assert!(d.store.find_client("Tienda Sol").is_err());
    // The next morning.
    let tomorrow = now() + chrono::Duration::days(1);
    d.app.now = tomorrow;
    d.keys("u");
    match &d.app.popup {
        Some(Popup::Confirm(c)) => assert!(c.text.contains("Mon 23 Nov"), "{}", c.text),
        other => panic!("expected a confirmation, got {other:?}"),
    }
    d.keys("n");
    assert!(d.store.find_client("Tienda Sol").is_err(), "n undid nothing");
    d.keys("u").keys("y");
    assert!(d.store.find_client("Tienda Sol").is_ok());
    d.keys("U");
    assert!(
        matches!(d.app.popup, Some(Popup::Confirm(_))),
        "{:?} {:?}",
        d.app.popup,
        d.app.notice
    );
    d.keys("y");
    assert!(d.store.find_client("Tienda Sol").is_err(), "U redid the delete");
}

/// `S` syncs now when `[sync]` is set (the event loop runs it off the UI thread), and says
/// what is missing when it is not.
#[test]
fn s_asks_for_a_sync_only_when_one_is_configured() {
    let mut d = desk();
    d.keys("S");
    assert!(!d.app.sync_requested);
    assert!(d
        .app
        .notice
        .as_ref()
        .is_some_and(|n| n.error && n.text.contains("[sync]")));
    d.app.config.sync = Some(vadesk::config::SyncConfig {
        server: vadesk::config::SyncServer::Folder(std::env::temp_dir()),
        encryption_secret: "s".into(),
        every: None,
    });
    d.keys("S");
    assert!(d.app.sync_requested);
}

/// While the terminal is too small to show the desk, no key acts on what cannot be seen: `D`
/// `y` deletes nothing, a paste types nothing; the quit key still quits.
#[test]
fn a_terminal_too_small_takes_no_key_but_quit() {
    let mut d = desk_with(Lang::En, true, false);
    d.select_client("Bloom Florist");
    let count = |d: &Desk| -> i64 {
        d.store
            .conn()
            .query_row("SELECT count(*) FROM clients", [], |r| r.get(0))
            .unwrap()
    };
    let before = count(&d);
    update(&mut d.app, Msg::Resize(20, 5), &mut d.store);
    assert!(d.text(59, 14).contains("or q quits"), "{}", d.text(59, 14));
    d.keys("Dy").key(KeyCode::Char('a'));
    update(&mut d.app, Msg::Paste("Typed blind".into()), &mut d.store);
    assert!(d.app.popup.is_none());
    assert!(!d.app.quit);
    update(&mut d.app, Msg::Resize(100, 30), &mut d.store);
    assert_eq!(count(&d), before);
    assert!(d.store.find_client("Bloom Florist").is_ok());
    // The same keys at a size the desk is drawn in do act.
    d.keys("D");
    assert!(d.app.popup.is_some());
    d.key(KeyCode::Esc);
    update(&mut d.app, Msg::Resize(59, 40), &mut d.store);
    d.keys("q");
    assert!(d.app.quit);
}

/// On a narrow pane a task that waits on its client keeps its title in sight: what it waits
/// on gives way first (at 60×15 the title was cut to nothing before the `⧗ material`).
#[test]
fn a_waiting_task_keeps_its_title_on_a_narrow_pane() {
    for lang in [Lang::En, Lang::Es] {
        let mut d = desk_with(lang, true, true);
        let waiting: Vec<String> = d
            .app
            .clients
            .iter()
            .filter(|c| c.waiting_tasks > 0)
            .map(|c| c.client.name.clone())
            .collect();
        assert!(!waiting.is_empty(), "the demo has a client with a waiting task");
        for client in waiting {
            d.select_client(&client);
            let titles: Vec<String> = (0..d.app.tasks.len())
                .filter_map(|i| d.app.tasks.get(i).map(|t| t.title.clone()))
                .collect();
            for (w, h) in [(120, 35), (80, 24), (60, 15)] {
                let screen = d.text(w, h);
                // The tasks pane's part of each line (the clients pane shows `⧗2`, no space).
                let rows: Vec<&str> = screen
                    .lines()
                    .filter_map(|l| l.split("││").nth(1))
                    .filter(|l| l.contains("⧗ "))
                    .collect();
                assert!(!rows.is_empty(), "{client} at {w}×{h}: no waiting row\n{screen}");
                // At 60×15 the title keeps half of its room: its first letters at least.
                let keep = if w == 60 { 4 } else { 12 };
                for row in rows {
                    assert!(
                        titles
                            .iter()
                            .any(|t| row.contains(&t.chars().take(keep).collect::<String>())),
                        "{client} at {w}×{h}: a waiting row without its title: {row}\n{screen}"
                    );
                }
            }
        }
    }
}

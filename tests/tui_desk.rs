//! The desk of the second wave, without a terminal: the selection follows its record, long
//! text keeps its lines, counts and the overview, and the small things a week of use found.
//! `App` driven by keys on a real store; renders on ratatui's `TestBackend`.

mod common;

use common::tui::{now, Desk, Setup};

use crossterm::event::{KeyCode, KeyModifiers};
use vadesk::i18n::Lang;
use vadesk::tui::form::Popup;
use vadesk::tui::{self, update, EditorFailure, Msg};

// ---- 1. the desk follows the record ---------------------------------------------------------

fn desk_with(lang: Lang, color: bool) -> Desk {
    Setup {
        lang,
        color,
        demo_in_lang: false,
        ..Setup::default()
    }
    .build()
}

fn desk() -> Desk {
    desk_with(Lang::En, true)
}

#[test]
fn an_edit_that_reorders_the_tasks_keeps_the_selection_on_the_edited_task() {
    let mut d = desk();
    d.select_client("Pixel & Pine Studio");
    d.key(KeyCode::Tab);
    assert!(d.app.tasks.len() >= 3);
    // The first task (earliest due) is pushed to the end of the list by a far due date.
    d.key(KeyCode::Char('g'));
    let id = d.task_id();
    d.keys("e");
    assert_eq!(d.form_kind(), Some(tui::form::FormKind::EditTask(id)));
    d.key(KeyCode::Tab).retype("2027-12-31").key(KeyCode::Enter);
    assert!(d.app.popup.is_none(), "saved: {:?}", d.app.notice);
    assert_ne!(d.app.tasks.selected, 0, "the task moved in the list");
    assert_eq!(d.task_id(), id, "the selection followed it");
    // `m` now asks for material on that task, not on whatever took its old row.
    d.keys("m");
    assert_eq!(d.form_kind(), Some(tui::form::FormKind::Material(id)));
}

#[test]
fn a_deleted_task_leaves_the_selection_on_its_neighbour() {
    let mut d = desk();
    d.select_client("Pixel & Pine Studio");
    d.key(KeyCode::Tab).keys("j");
    let next = d.app.tasks.get(2).unwrap().id;
    d.keys("D").keys("y");
    assert_eq!(d.task_id(), next, "the row that took its place");
    d.key(KeyCode::Char('G'));
    let last_before = d.app.tasks.get(d.app.tasks.len() - 2).unwrap().id;
    d.keys("D").keys("y");
    assert_eq!(d.task_id(), last_before, "the last row's neighbour above");
}

#[test]
fn a_reload_from_another_writer_keeps_the_selected_task_and_review_row() {
    let mut d = desk();
    d.key(KeyCode::Char('g')).key(KeyCode::Tab).key(KeyCode::Char('G'));
    let id = d.task_id();
    // A new task due first appears above the selection (as another process would add it).
    let client = d.app.tasks.current().unwrap().client_id;
    d.store
        .add_task(
            client,
            vadesk::store::TaskFields {
                title: Some("Urgent".into()),
                due: Some(Some(now().date() - chrono::Duration::days(30))),
                ..Default::default()
            },
            now().date(),
        )
        .unwrap();
    d.app.reload(&d.store).unwrap();
    assert_eq!(d.task_id(), id);

    d.keys("2").keys("jj");
    let row = d.app.review_item().map(|r| (r.kind, r.id)).unwrap();
    d.app.reload(&d.store).unwrap();
    assert_eq!(d.app.review_item().map(|r| (r.kind, r.id)), Some(row));
}

#[test]
fn a_filter_selects_its_best_match_and_closing_it_keeps_the_record() {
    let mut d = desk();
    d.select_client("Pixel & Pine Studio");
    d.keys("/bloom");
    assert_eq!(d.app.client().map(|c| c.client.name.as_str()), Some("Bloom Florist"));
    d.key(KeyCode::Esc);
    assert!(d.app.client_filter.is_none());
    assert_eq!(d.app.client().map(|c| c.client.name.as_str()), Some("Bloom Florist"));

    // Tasks: the best match is selected; Esc keeps it selected in the whole list.
    d.key(KeyCode::Char('g')).key(KeyCode::Tab);
    d.keys("/onboarding");
    let t = d.app.tasks.current().unwrap().clone();
    assert!(t.title.contains("onboarding"), "{}", t.title);
    d.key(KeyCode::Esc);
    assert!(d.app.tasks.filter.is_none());
    assert_eq!(d.task_id(), t.id);

    // Review.
    d.keys("2/bloom");
    assert_eq!(d.app.review.selected, 0);
    let row = d.app.review_item().map(|r| (r.kind, r.id)).unwrap();
    assert_eq!(&*d.app.review_item().unwrap().client, "Bloom Florist");
    d.key(KeyCode::Esc);
    assert_eq!(d.app.review_item().map(|r| (r.kind, r.id)), Some(row));
}

/// The review's filter reads what a row shows of words: a material's row is found by the
/// title of the task it is for, not only by what the material is.
#[test]
fn the_review_filter_finds_a_request_by_its_tasks_title() {
    let mut d = desk();
    d.keys("2");
    let row = d
        .app
        .review
        .rows
        .iter()
        .find(|r| {
            r.detail()
                .task_title
                .as_ref()
                .is_some_and(|t| *t != r.title && !r.title.contains(t.as_str()))
        })
        .cloned()
        .expect("a material row in the demo's review");
    let task = row.detail().task_title.clone().unwrap();
    d.keys(&format!("/{task}"));
    let found: Vec<_> = d.app.review.matches().map(|r| (r.kind, r.id)).collect();
    assert!(found.contains(&(row.kind, row.id)), "{task:?} {found:?}");
    d.key(KeyCode::Esc);
}

#[test]
fn moving_to_another_client_starts_its_tasks_at_the_top() {
    let mut d = desk();
    d.select_client("Pixel & Pine Studio");
    d.key(KeyCode::Tab)
        .key(KeyCode::Char('G'))
        .key(KeyCode::BackTab)
        .keys("j");
    assert_eq!(d.app.tasks.selected, 0);
    assert_eq!(d.app.flag_sel, 0);
}

// ---- 2. long text keeps its lines -----------------------------------------------------------

#[test]
fn a_multi_line_spec_keeps_its_lines_through_an_edit() {
    let mut d = desk();
    d.select_client("Pixel & Pine Studio");
    d.key(KeyCode::Tab);
    let id = d.task_id();
    d.store
        .edit_task(
            id,
            vadesk::store::TaskFields {
                spec: Some("First line\nSecond line".into()),
                ..Default::default()
            },
        )
        .unwrap();
    d.app.reload(&d.store).unwrap();
    d.keys("e");
    // Focus the spec (the fifth field), add a third line, save with Enter.
    for _ in 0..4 {
        d.key(KeyCode::Tab);
    }
    match &d.app.popup {
        Some(Popup::Form(f)) => assert_eq!(f.value(4), "First line\nSecond line"),
        _ => panic!("no form"),
    }
    let screen = d.text(80, 24);
    assert!(
        screen.contains("First line") && screen.contains("Second line"),
        "{screen}"
    );
    d.key(KeyCode::Down).key(KeyCode::End);
    d.key_mod(KeyCode::Char('j'), KeyModifiers::CONTROL).keys("Third");
    d.key(KeyCode::Enter);
    assert!(d.app.popup.is_none(), "{:?}", d.app.notice);
    assert_eq!(d.store.task(id).unwrap().spec, "First line\nSecond line\nThird");
}

#[test]
fn ctrl_e_asks_for_the_external_editor_and_its_text_comes_back_with_its_lines() {
    let mut d = desk();
    d.select_client("Bloom Florist").keys("e");
    // Notes are the last field of the client form.
    d.key(KeyCode::BackTab);
    d.key_mod(KeyCode::Char('e'), KeyModifiers::CONTROL);
    let asked = d.app.external_edit.take().expect("the editor is asked for");
    assert!(!asked.is_empty());
    update(&mut d.app, Msg::Edited(Ok("Line A\nLine B\n".into())), &mut d.store);
    d.key(KeyCode::Enter);
    assert!(d.app.popup.is_none(), "{:?}", d.app.notice);
    let c = d.store.find_client("Bloom Florist").unwrap();
    assert_eq!(d.store.client(c.id).unwrap().notes, "Line A\nLine B");
    // An editor that fails leaves the form and says why.
    d.keys("e").key(KeyCode::BackTab);
    update(
        &mut d.app,
        Msg::Edited(Err(EditorFailure::Exited(Some(3)))),
        &mut d.store,
    );
    assert!(matches!(d.app.popup, Some(Popup::Form(_))));
    assert!(d.app.notice.as_ref().is_some_and(|n| n.error));
    // Said as what happened: it ran, and ended badly; or it was not there at all.
    assert_eq!(d.notice(), "the editor ended with status 3: the text is as it was");
    update(
        &mut d.app,
        Msg::Edited(Err(EditorFailure::NotFound("nano".into()))),
        &mut d.store,
    );
    assert!(d.notice().contains("'nano' was not found"), "{}", d.notice());
}

/// A long text scrolled in its field shows its own rows alone: nothing of the rows it scrolled
/// past is left after a shorter line (a tester saw "abcond line here long").
#[test]
fn a_scrolled_long_text_shows_only_its_own_rows() {
    let mut d = desk();
    d.select_client("Bloom Florist").keys("e");
    d.key(KeyCode::BackTab);
    for _ in 0..200 {
        d.key(KeyCode::Backspace);
        d.key(KeyCode::Delete);
    }
    let ctrl_j = |d: &mut Desk| {
        d.key_mod(KeyCode::Char('j'), KeyModifiers::CONTROL);
    };
    d.keys("first line here");
    ctrl_j(&mut d);
    d.keys("second line here long");
    ctrl_j(&mut d);
    d.keys("ab");
    ctrl_j(&mut d);
    d.keys("xy");
    let screen = d.text(120, 35);
    let lines: Vec<&str> = screen.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("notes") && l.contains("second line here long"))
        .unwrap_or_else(|| panic!("the field shows its last three rows:\n{screen}"));
    // Each row of the field holds its own line and nothing after it.
    for (row, text) in [(at + 1, "ab"), (at + 2, "xy")] {
        let cells: Vec<&str> = lines[row].split('│').map(str::trim).collect();
        assert!(cells.contains(&text), "row {row}: {}", lines[row]);
    }
}

#[test]
fn forms_scroll_at_the_minimum_size_to_keep_the_focused_field_shown() {
    let mut d = desk();
    d.select_client("Bloom Florist").keys("e");
    d.key(KeyCode::BackTab);
    let screen = d.text(60, 15);
    assert!(screen.contains("notes"), "{screen}");
    d.key(KeyCode::Tab);
    let screen = d.text(60, 15);
    assert!(screen.contains("name"), "{screen}");
}

// ---- 3. counts and overview -----------------------------------------------------------------

#[test]
fn delivered_tasks_are_counted_apart_and_all_clients_ranks_every_client() {
    let mut d = desk();
    d.select_client("Pixel & Pine Studio");
    let id = d.app.client().unwrap().client.id;
    let (open, delivered) = d.app.counts_of(id);
    assert!(delivered >= 3, "{open} {delivered}");
    let screen = d.text(80, 24);
    assert!(screen.contains(&format!("{open} ✓{delivered}")), "{screen}");
    // The score reads with the digits that decide the verdict.
    let score = d.app.assessment.as_ref().unwrap().score;
    assert!(screen.contains(&format!("score {score:.2}")), "{screen}");

    d.key(KeyCode::Char('g'));
    let ranked: Vec<f64> = d.app.ranking().iter().map(|c| c.score).collect();
    assert_eq!(ranked.len(), d.app.clients.len());
    assert!(ranked.windows(2).all(|w| w[0] >= w[1]), "{ranked:?}");
    // The pane's first rows are the ranking's first rows, ties and all: the same order as a
    // stable sort of every client.
    assert_ranking_is_a_stable_sort(&d.app);
    let screen = d.text(120, 35);
    assert!(screen.contains("Clients by score, worst first"), "{screen}");
    for c in &d.app.clients {
        assert!(
            screen.matches(c.client.name.as_str()).count() >= 2,
            "{} in the ranking",
            c.client.name
        );
    }
    insta::assert_snapshot!("all_clients_ranking_120x35", screen);
}

#[test]
fn all_clients_ranking_is_a_list_to_move_in_and_open_a_client_from() {
    let mut d = desk();
    d.goto_client(None);
    assert!(d.app.client().is_none());
    d.key(KeyCode::Tab).key(KeyCode::Tab);
    assert_eq!(d.app.focus, tui::app::Pane::Flags);
    let screen = d.text(120, 35);
    assert!(screen.contains("Enter open the client"), "{screen}");
    assert!(!screen.contains("D dismiss"), "{screen}");
    // Down the ranking; its page follows the selection on a screen too short for it.
    let ranked: Vec<(i64, String)> = d
        .app
        .ranking()
        .iter()
        .map(|c| (c.client.id, c.client.name.clone()))
        .collect();
    assert!(ranked.len() >= 5);
    for _ in 0..4 {
        d.key(KeyCode::Char('j'));
    }
    assert_eq!(d.app.rank_sel, 4);
    assert_eq!(d.app.ranked().map(|c| c.client.id), Some(ranked[4].0));
    let screen = d.text(60, 15);
    let start: String = ranked[4].1.chars().take(10).collect();
    assert!(screen.contains(&start), "{screen}");
    assert!(!screen.contains(&format!("● {}", ranked[0].1)), "{screen}");
    d.key(KeyCode::End);
    assert_eq!(d.app.rank_sel, ranked.len() - 1);
    d.key(KeyCode::Home);
    d.key(KeyCode::Char('j'));
    // `f` logs a flag for the selected client.
    d.keys("f");
    let screen = d.text(120, 35);
    assert!(screen.contains(&format!("Red flag for {}", ranked[1].1)), "{screen}");
    d.key(KeyCode::Esc);
    // As do a quote, a meeting and time, as the hints say.
    for key in ['Q', 'M', 'T'] {
        d.key(KeyCode::Char(key));
        let screen = d.text(120, 35);
        assert!(d.app.popup.is_some(), "{key}: {screen}");
        assert!(screen.contains(&ranked[1].1), "{key}: {screen}");
        d.key(KeyCode::Esc);
    }
    let hints = d.text(200, 35);
    assert!(hints.contains("Q quote · M meeting · t timer · T log time"), "{hints}");
    // Enter opens it: its tasks and its flags.
    d.key(KeyCode::Enter);
    assert_eq!(d.app.client().map(|c| c.client.id), Some(ranked[1].0));
    let screen = d.text(120, 35);
    assert!(screen.contains(&format!("Tasks · {}", ranked[1].1)), "{screen}");
}

#[test]
fn a_filter_longer_than_its_border_shows_its_end_and_the_cursor() {
    let mut d = desk();
    d.open("Bloom Florist");
    d.keys("/");
    for _ in 0..12 {
        d.keys("flowers ");
    }
    d.keys("end");
    let screen = d.text(80, 24);
    let border = screen
        .lines()
        .find(|l| l.contains("/…"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(border.contains("flowers end▏ "), "{screen}");
    // In the review too.
    d.key(KeyCode::Esc).key(KeyCode::Esc).keys("2/");
    for _ in 0..12 {
        d.keys("feedback ");
    }
    d.keys("last");
    let screen = d.text(80, 24);
    assert!(screen.contains("feedback last▏ "), "{screen}");
    assert!(screen.contains("/…"), "{screen}");
    // The cursor shows where it is: moved back, and to the start of a long query.
    d.key(KeyCode::Esc).key(KeyCode::Char('1'));
    d.goto_client(Some("Bloom Florist"));
    d.keys("/abc").key(KeyCode::Left).key(KeyCode::Left).keys("x");
    let screen = d.text(80, 24);
    assert!(screen.contains("/ax▏bc "), "{screen}");
    d.key(KeyCode::End);
    for _ in 0..10 {
        d.keys(" florist");
    }
    d.key(KeyCode::Home).keys("Q");
    let screen = d.text(80, 24);
    let border = screen
        .lines()
        .find(|l| l.contains("/Q▏"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(border.contains("/Q▏axbc florist"), "{screen}");
    assert!(border.contains("…"), "{screen}");
}

#[test]
fn the_ranking_s_first_rows_are_a_stable_sort_s_among_many_clients() {
    let mut d = desk();
    // Sixty more clients, most of them tied at 0, some with a flag or two (ties on score and
    // verdict, broken by name): a screenful is read by keeping the best in order, more by a
    // sort; both must give the stable sort's first rows.
    for i in 0..60 {
        let id = d
            .store
            .add_client(
                vadesk::store::ClientFields {
                    name: Some(format!("Client {:02}", (i * 37) % 60)),
                    ..Default::default()
                },
                now().date(),
            )
            .unwrap();
        for _ in 0..(i % 3) {
            d.store
                .add_flag(id, vadesk::domain::FlagKind::NoShow, now().date(), "")
                .unwrap();
        }
    }
    d.app.reload(&d.store).unwrap();
    assert_ranking_is_a_stable_sort(&d.app);
}

/// `ranking_top(n)`, for every `n`, is the first `n` of a stable sort of every client: worst
/// score first, then worst verdict, then name.
fn assert_ranking_is_a_stable_sort(app: &vadesk::tui::App) {
    let mut stable: Vec<&vadesk::store::ClientSummary> = app.clients.iter().collect();
    stable.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.verdict.severity().cmp(&a.verdict.severity()))
            .then(a.client.name.cmp(&b.client.name))
    });
    let ids = |v: &[&vadesk::store::ClientSummary]| v.iter().map(|c| c.client.id).collect::<Vec<_>>();
    for n in 0..=stable.len() + 1 {
        let want = ids(&stable[..n.min(stable.len())]);
        assert_eq!(ids(&app.ranking_top(n)), want, "{n}");
    }
}

#[test]
fn the_ranking_s_selection_follows_its_client_when_the_order_changes() {
    let mut d = desk();
    d.goto_client(None);
    d.key(KeyCode::Tab).key(KeyCode::Tab);
    let last = d.app.clients.len() - 1;
    d.key(KeyCode::End);
    assert_eq!(d.app.rank_sel, last);
    let id = d.app.ranked().unwrap().client.id;
    // Another program flags that client until it is the worst: after the reload the
    // selection is still on it, now at the top.
    for _ in 0..4 {
        d.store
            .add_flag(id, vadesk::domain::FlagKind::NoShow, now().date(), "")
            .unwrap();
    }
    d.app.reload(&d.store).unwrap();
    assert_eq!(d.app.ranking()[0].client.id, id);
    assert_eq!(d.app.ranked().map(|c| c.client.id), Some(id));
    assert_eq!(d.app.rank_sel, 0);
    // Never moved: the selection on the top client follows it too.
    let mut d = desk();
    d.goto_client(None);
    let top = d.app.ranked().unwrap().client.id;
    let other = d.app.ranking()[1].client.id;
    for _ in 0..6 {
        d.store
            .add_flag(other, vadesk::domain::FlagKind::NoShow, now().date(), "")
            .unwrap();
    }
    d.app.reload(&d.store).unwrap();
    assert_eq!(d.app.ranking()[0].client.id, other);
    assert_eq!(d.app.ranked().map(|c| c.client.id), Some(top));
}

#[test]
fn one_client_s_filter_keeps_its_border_on_a_narrow_screen() {
    let mut d = desk();
    d.open("Bloom Florist");
    d.keys("/ab");
    for w in [60, 64, 70] {
        let screen = d.text(w, 20);
        assert!(screen.contains("/ab▏"), "{w}: {screen}");
    }
    // Wide enough for both, the tabs' strip shows too.
    let screen = d.text(120, 30);
    assert!(screen.contains("/ab▏") && screen.contains("Quotes"), "{screen}");
}

#[test]
fn the_ranking_s_verdict_column_is_as_wide_as_the_verdicts_it_shows() {
    let mut d = Setup::lang(Lang::Es).build();
    // A prospect who missed a meeting: "evaluar con cautela", the longest verdict in
    // Spanish, ranked below the three clients a 60×15 screen shows.
    let id = d
        .store
        .add_client(
            vadesk::store::ClientFields {
                name: Some("Zeta Prospecto".into()),
                status: Some(vadesk::domain::ClientStatus::Prospect),
                ..Default::default()
            },
            now().date(),
        )
        .unwrap();
    d.store
        .add_flag(id, vadesk::domain::FlagKind::NoShow, now().date(), "")
        .unwrap();
    d.app.reload(&d.store).unwrap();
    d.key(KeyCode::Char('g'));
    let ranked: Vec<&str> = d.app.ranking().iter().map(|c| c.client.name.as_str()).collect();
    let at = ranked.iter().position(|n| *n == "Zeta Prospecto").unwrap();
    assert!(at >= 3, "{ranked:?}");
    assert_eq!(d.app.ranking()[at].verdict, vadesk::domain::Verdict::Screen);
    let screen = d.text(60, 15);
    assert!(!screen.contains("evaluar"), "{screen}");
    // The column is as wide as "no aceptar", the widest shown, and the names keep the room a
    // hidden verdict would have taken.
    let row = screen.lines().find(|l| l.contains("5,65")).unwrap().trim_matches('"');
    assert!(row.ends_with("5,65 no aceptar │"), "{screen}");
    let row = screen.lines().find(|l| l.contains("8,39")).unwrap().trim_matches('"');
    assert!(row.ends_with("8,39 hablarlo   │"), "{screen}");
}

#[test]
fn verdicts_read_without_colour_and_the_help_has_a_legend() {
    let mut d = desk_with(Lang::En, false);
    d.select_client("Pixel & Pine Studio");
    let screen = d.text(80, 24);
    assert!(screen.contains("●t Pixel"), "{screen}");
    d.keys("?");
    let mut all = String::new();
    for _ in 0..40 {
        all.push_str(&d.text(80, 24));
        d.key(KeyCode::Char('j'));
    }
    assert!(all.contains("Legend") && all.contains("h healthy"), "{all}");
    assert!(all.contains("cancels") && !all.contains("canc…"), "never cut");
    assert!(!all.contains("(review row: done)"), "d is listed once per place");
}

// ---- 4. the small things --------------------------------------------------------------------

#[test]
fn hints_fit_the_place_and_keep_their_help_key() {
    let mut d = desk();
    d.keys("2");
    let t = d.screen(80, 24);
    let last: String = {
        let buf = t.backend().buffer();
        (0..80).map(|x| buf[(x, 23)].symbol().to_string()).collect()
    };
    assert!(last.contains("? help"), "{last}");
    // Hints and counts never touch.
    assert!(!last.contains("help1") && !last.contains("filter1"), "{last}");

    // The clients' filter counts what it shows.
    let mut d = desk();
    d.keys("/bloom");
    assert!(d.text(80, 24).contains("Clients (1/6)"), "{}", d.text(80, 24));
}

#[test]
fn an_empty_task_list_hints_for_the_focused_pane() {
    let mut d = desk();
    d.key(KeyCode::Char('a'));
    for c in "Fresh Client".chars() {
        d.key(KeyCode::Char(c));
    }
    d.key(KeyCode::Enter);
    assert_eq!(d.app.client().unwrap().client.name, "Fresh Client");
    assert!(d.text(80, 24).contains("Tab to the tasks pane"));
    d.key(KeyCode::Tab);
    assert!(d.text(80, 24).contains("press a to add one"));
}

#[test]
fn q_closes_a_popup_and_esc_read_with_the_next_key_is_two_keys() {
    let mut d = desk();
    d.select_client("Bloom Florist").keys("f");
    assert!(matches!(d.app.popup, Some(Popup::Picker(_))));
    d.keys("q");
    assert!(d.app.popup.is_none() && !d.app.quit);
    d.keys("D");
    d.keys("q");
    assert!(d.app.popup.is_none() && !d.app.quit);
    // Esc then j, arriving together as Alt-j: the filter closes, the selection moves.
    d.keys("/bl");
    let before = d.app.client_sel;
    d.key_mod(KeyCode::Char('j'), KeyModifiers::ALT);
    assert!(d.app.client_filter.is_none());
    assert_eq!(d.app.client_sel, before + 1);
}

#[test]
fn plurals_are_real_and_no_internal_reference_is_shown() {
    let mut d = desk();
    d.select_client("Pixel & Pine Studio").key(KeyCode::Tab);
    d.keys("c");
    let n = d.app.notice.as_ref().map(|x| x.text.clone()).unwrap_or_default();
    assert!(!n.contains("(s)"), "{n}");
    // A flag raised automatically shows where from in words, not its internal key.
    d.key(KeyCode::Tab);
    for _ in 0..d.app.flags.len() {
        d.key(KeyCode::Enter);
        let screen = d.text(120, 35);
        assert!(!screen.contains("task:") && !screen.contains("weekly:"), "{screen}");
        d.key(KeyCode::Esc).keys("j");
    }
    d.keys("2");
    let screen = d.text(120, 35);
    assert!(!screen.contains("nudge(s)") && !screen.contains("1 nudges"), "{screen}");
}

#[test]
fn the_clock_gives_way_to_the_tabs_on_a_narrow_terminal() {
    let d = Setup::lang(Lang::Es).build();
    let first = |w: u16| d.text(w, 20).lines().next().unwrap().to_string();
    // Wide: the day and the time, apart from the tabs.
    let wide = first(100);
    assert!(wide.contains("3 Mes ") && wide.contains("lun 23 nov 09:00"), "{wide}");
    // Narrow: the day goes first, then the time; nothing ever runs into "3 Mes".
    let narrow = first(60);
    assert!(narrow.contains("3 Mes ") && narrow.contains("09:00"), "{narrow}");
    assert!(!narrow.contains("lun 23"), "{narrow}");
    let narrower = first(48);
    assert!(
        !narrower.contains("Meslun") && !narrower.contains("Mes09"),
        "{narrower}"
    );
}

#[test]
fn page_keys_turn_exactly_the_page_a_list_shows() {
    let mut d = desk();
    let client = d.client_id("Bloom Florist");
    for n in 0..70 {
        d.store
            .add_task(
                client,
                vadesk::store::TaskFields {
                    title: Some(format!("Page row {n:02}")),
                    due: Some(Some(now().date() + chrono::Duration::days(40 + n))),
                    ..Default::default()
                },
                now().date(),
            )
            .unwrap();
    }
    d.app.reload(&d.store).unwrap();
    d.open("Bloom Florist");
    let rows = |s: &str| -> Vec<u32> { (0..70).filter(|n| s.contains(&format!("Page row {n:02}"))).collect() };
    for (w, h) in [(120, 35), (60, 15)] {
        // As the terminal tells the desk its size.
        update(&mut d.app, Msg::Resize(w, h), &mut d.store);
        d.key(KeyCode::Home);
        let mut seen = std::collections::BTreeSet::new();
        let mut screen = d.text(w, h);
        let shown = d.app.shown.get(tui::app::Listed::Tasks).expect("drawn");
        for _ in 0..40 {
            seen.extend(rows(&screen));
            let before = d.app.tasks.selected;
            d.key(KeyCode::PageDown);
            if d.app.tasks.selected == before {
                break;
            }
            assert_eq!(
                d.app.tasks.selected,
                (before + shown).min(d.app.tasks.len() - 1),
                "{w}×{h}"
            );
            screen = d.text(w, h);
            // The selected row is on the page drawn.
            let title: String = d.app.tasks.current().unwrap().title.chars().take(10).collect();
            assert!(screen.contains(&title), "{w}×{h}: {title} not on\n{screen}");
        }
        assert_eq!(
            seen.len(),
            70,
            "{w}×{h}: every row came on screen, none was skipped: {seen:?}"
        );
        // And back: PgUp turns the same pages.
        let last = d.app.tasks.selected;
        d.key(KeyCode::PageUp);
        assert_eq!(d.app.tasks.selected, last - shown, "{w}×{h}");
    }
    // The review's list has its own height.
    d.keys("2");
    d.text(120, 35);
    let review = d.app.shown.get(tui::app::Listed::Review).expect("drawn");
    assert_ne!(review, d.app.shown.get(tui::app::Listed::Tasks).unwrap());
    d.key(KeyCode::Home).key(KeyCode::PageDown);
    assert_eq!(d.app.review.selected, review.min(d.app.review.len() - 1));
}

//! The desk at any size: task lists read a window at a time by keyset, and the per-client
//! counts and scores kept by triggers. Every window is checked against the whole list as a
//! plain query orders it, and every kept value against a computation from scratch, after
//! undo, an import and raw writes such as sync makes.

use std::collections::HashMap;

mod common;

use common::tui::{desk_on, press as key, today, walk};
use crossterm::event::KeyCode;
use vadesk::domain::{FlagKind, QuoteStatus, RequestKind, ScoreRules, TaskStatus};
use vadesk::store::{NewQuote, QuoteEdit, TaskFields, TaskFilter};
use vadesk::tui::app::{Pane, View};
use vadesk::tui::{update, App, Msg};
use vadesk::Store;

/// A demo store with a few hundred more tasks over three clients: due dates shared by many
/// tasks, tasks without one, closed ones, so that every seek of the keyset meets its case.
fn big_store(dir: &tempfile::TempDir) -> Store {
    let path = dir.path().join("v.db");
    let mut store = Store::open(&path).unwrap();
    store.load_demo(today()).unwrap();
    let clients: Vec<i64> = store
        .list_clients(None, &ScoreRules::default(), today())
        .unwrap()
        .iter()
        .take(3)
        .map(|c| c.client.id)
        .collect();
    let c = store.conn();
    c.execute_batch("BEGIN").unwrap();
    let statuses = ["todo", "doing", "delivered", "done", "cancelled", "done"];
    for i in 0..420i64 {
        let due = match i % 7 {
            0 | 1 => None,
            k => Some(format!("2026-{:02}-{:02}", 1 + (i % 11), 1 + k * 3)),
        };
        c.execute(
            "INSERT INTO tasks(client_id, title, spec, status, due, created_on) VALUES (?1, ?2, '', ?3, ?4, '2026-01-05')",
            rusqlite::params![clients[(i % 3) as usize], format!("Bulk task {i}"), statuses[(i % 6) as usize], due],
        )
        .unwrap();
    }
    c.execute_batch("COMMIT").unwrap();
    store
}

/// The desk on a page of 12 rows.
fn desk(store: &mut Store, dir: &tempfile::TempDir) -> App {
    desk_on(store, &dir.path().join("v.db"), 20)
}

fn expected(store: &Store, client: Option<i64>) -> Vec<i64> {
    store
        .list_tasks(&TaskFilter {
            client_id: client,
            ..Default::default()
        })
        .unwrap()
        .iter()
        .map(|t| t.id)
        .collect()
}

/// The window is a true slice of the list at the place the desk says, holds the selection,
/// and is never more than a few pages.
fn check(app: &App, store: &Store) -> Vec<i64> {
    let scope = app.client().map(|c| c.client.id);
    let all = expected(store, scope);
    let list = &app.tasks;
    assert_eq!(list.total, all.len(), "length");
    for (j, t) in list.rows.iter().enumerate() {
        assert_eq!(
            Some(&t.id),
            all.get(list.start + j),
            "row {} of the window",
            list.start + j
        );
    }
    if !all.is_empty() {
        assert_eq!(list.current().map(|t| t.id), Some(all[list.selected]), "selection");
    }
    assert!(list.rows.len() <= 3 * app.page(), "window of {} rows", list.rows.len());
    // Every row of the page drawn with the selection on it is read.
    let shown = drawn(app);
    let top = list.selected / shown * shown;
    for (pos, id) in all.iter().enumerate().skip(top).take(shown) {
        assert_eq!(list.get(pos).map(|t| t.id), Some(*id), "row {pos} of the page drawn");
    }
    all
}

/// Draws the desk at its size; how many rows its tasks pane showed.
fn drawn(app: &App) -> usize {
    let (w, h) = app.size;
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    t.draw(|f| vadesk::tui::ui::render(app, f)).unwrap();
    app.shown.get(vadesk::tui::app::Listed::Tasks).expect("drawn")
}

fn all_clients(app: &mut App, store: &mut Store) {
    app.view = View::Desk;
    app.focus = Pane::Clients;
    key(app, store, KeyCode::Char('g'));
    assert!(app.client().is_none());
    app.focus = Pane::Tasks;
}

#[test]
fn all_clients_walks_the_whole_list_a_window_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = big_store(&dir);
    let mut app = desk(&mut store, &dir);
    all_clients(&mut app, &mut store);
    let all = check(&app, &store);
    assert!(all.len() > 400);
    // PgUp and PgDn turn the pane's own pages.
    let page = drawn(&app);
    assert!(page < app.page());
    walk(
        &mut app,
        &mut store,
        all.len(),
        Some(page),
        |a| a.tasks.selected,
        |a, s| {
            check(a, s);
        },
    );
    // A resize changes the page: the window follows.
    update(&mut app, Msg::Resize(120, 44), &mut store);
    key(&mut app, &mut store, KeyCode::End);
    check(&app, &store);
}

#[test]
fn one_clients_list_walks_the_same_way() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = big_store(&dir);
    let mut app = desk(&mut store, &dir);
    app.focus = Pane::Tasks;
    let all = check(&app, &store);
    assert!(app.client().is_some());
    assert!(all.len() > 100, "{}", all.len());
    let page = drawn(&app);
    walk(
        &mut app,
        &mut store,
        all.len(),
        Some(page),
        |a| a.tasks.selected,
        |a, s| {
            check(a, s);
        },
    );
}

#[test]
fn the_selection_follows_its_task_through_changes_on_all_clients() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = big_store(&dir);
    let mut app = desk(&mut store, &dir);
    all_clients(&mut app, &mut store);
    let all = check(&app, &store);
    // An open task in the middle of the open ones.
    let open = store
        .list_tasks(&TaskFilter {
            status: Some(TaskStatus::Todo),
            ..Default::default()
        })
        .unwrap();
    let id = open[open.len() / 2].id;
    let pos = all.iter().position(|&x| x == id).unwrap();
    for _ in 0..pos {
        key(&mut app, &mut store, KeyCode::Char('j'));
    }
    assert_eq!(app.tasks.current().map(|t| t.id), Some(id));
    // Closed elsewhere: it moves down among the closed tasks, and the selection with it.
    store.set_task_status(id, TaskStatus::Done, today()).unwrap();
    app.reload(&store).unwrap();
    let all = check(&app, &store);
    assert_eq!(app.tasks.current().map(|t| t.id), Some(id));
    assert_eq!(app.tasks.selected, all.iter().position(|&x| x == id).unwrap());
    // Deleted: the selection stays at its place, on the row that follows.
    let place = app.tasks.selected;
    store.delete_task(id).unwrap();
    app.reload(&store).unwrap();
    let all = check(&app, &store);
    assert_eq!(app.tasks.selected, place.min(all.len() - 1));
    // Undone: the task is back, the list right.
    store.undo().unwrap();
    app.reload(&store).unwrap();
    check(&app, &store);
    // The last task deleted while selected: the selection goes to the new last one.
    key(&mut app, &mut store, KeyCode::End);
    let last = app.tasks.current().unwrap().id;
    store.delete_task(last).unwrap();
    app.reload(&store).unwrap();
    let all = check(&app, &store);
    assert_eq!(app.tasks.selected, all.len() - 1);
    // A filter opened and closed again: back on the record, at its place in the list.
    key(&mut app, &mut store, KeyCode::Home);
    for _ in 0..5 {
        key(&mut app, &mut store, KeyCode::Char('j'));
    }
    let kept = app.tasks.current().unwrap().id;
    key(&mut app, &mut store, KeyCode::Char('/'));
    key(&mut app, &mut store, KeyCode::Esc);
    let all = check(&app, &store);
    assert_eq!(app.tasks.current().map(|t| t.id), Some(kept));
    assert_eq!(app.tasks.selected, all.iter().position(|&x| x == kept).unwrap());
    // A task found by the filter (a closed one without a due date, a closed one with one, an
    // open one): after Esc the selection is on it, at its place in the whole list.
    for title in ["bulk task 400", "bulk task 9", "bulk task 14"] {
        key(&mut app, &mut store, KeyCode::Char('/'));
        for c in title.chars() {
            key(&mut app, &mut store, KeyCode::Char(c));
        }
        let found = app.tasks.current().unwrap().id;
        assert_eq!(store.task(found).unwrap().title.to_lowercase(), title);
        key(&mut app, &mut store, KeyCode::Esc);
        let all = check(&app, &store);
        assert_eq!(app.tasks.current().map(|t| t.id), Some(found), "{title}");
        assert_eq!(
            app.tasks.selected,
            all.iter().position(|&x| x == found).unwrap(),
            "{title}"
        );
    }
}

/// Tallies computed from scratch, as the migration fills them.
fn tallies_from_scratch(store: &Store) -> Vec<common::Tally> {
    common::tallies_counted(store.conn())
}

fn tallies_kept(store: &Store) -> Vec<common::Tally> {
    common::tallies_kept(store.conn())
}

/// One kept count of "All clients"' order: closed, no due date, due date, part, tasks.
type DueTally = (i64, i64, String, i64, i64);

/// The kept counts of "All clients"' order keys, and counted again.
fn due_tallies(store: &Store) -> (Vec<DueTally>, Vec<DueTally>) {
    let read = |sql: &str| -> Vec<DueTally> {
        let mut q = store.conn().prepare(sql).unwrap();
        q.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    (
        read("SELECT closed, no_due, due, part, n FROM task_due_tally ORDER BY 1, 2, 3, 4"),
        read(
            "SELECT status IN ('done', 'cancelled'), due IS NULL, coalesce(due, ''),
                    CASE WHEN due IS NULL THEN id / 1024 ELSE 0 END, count(*)
             FROM tasks GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4",
        ),
    )
}

/// Every task's place on "All clients" as the store counts it (from the kept counts) is its
/// place in the whole list as a plain query orders it.
fn assert_positions_right(store: &Store, when: &str) {
    let (kept, counted) = due_tallies(store);
    assert_eq!(kept, counted, "kept counts of the lists' keys {when}");
    let all = expected(store, None);
    for (i, id) in all.iter().enumerate() {
        let key = store.task_key(None, *id).unwrap().unwrap();
        for far in [false, true] {
            assert_eq!(store.task_position(None, &key, far).unwrap(), i, "task {id} {when}");
        }
    }
}

/// An open request of a live task: kind, date, request, task.
type LiveRequest = (String, String, i64, i64);

/// The open requests of live tasks as kept by the triggers, and counted again from the
/// requests and their tasks.
fn live_requests(store: &Store) -> (Vec<LiveRequest>, Vec<LiveRequest>) {
    let read = |sql: &str| -> Vec<LiveRequest> {
        let mut q = store.conn().prepare(sql).unwrap();
        q.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    (
        read("SELECT kind, expected_by, request_id, task_id FROM live_requests ORDER BY 1, 2, 3"),
        read(
            "SELECT r.kind, r.expected_by, r.id, r.task_id FROM requests r JOIN tasks t ON t.id = r.task_id
             WHERE r.received_on IS NULL AND t.status NOT IN ('done', 'cancelled') ORDER BY 1, 2, 3",
        ),
    )
}

/// A pending quote without its flag: answer date, quote.
type UnflaggedQuote = (String, i64);

/// The pending quotes without their flag as kept by the triggers, and looked up again from
/// the quotes and the flags.
fn unflagged_quotes(store: &Store) -> (Vec<UnflaggedQuote>, Vec<UnflaggedQuote>) {
    let read = |sql: &str| -> Vec<UnflaggedQuote> {
        let mut q = store.conn().prepare(sql).unwrap();
        q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    (
        read("SELECT answer_by, quote_id FROM unflagged_quotes ORDER BY 1, 2"),
        read(
            "SELECT q.answer_by, q.id FROM quotes q WHERE q.status = 'pending'
               AND NOT EXISTS (SELECT 1 FROM flags f WHERE f.source_ref = 'quote:' || q.id) ORDER BY 1, 2",
        ),
    )
}

/// Quote preparation of a client's month: month, client, quotes, minutes.
type QuotePrep = (String, i64, i64, i64);

/// The kept sums of quote preparation per client and month, and the same counted again from
/// the quotes.
fn quote_prep_sums(store: &Store) -> (Vec<QuotePrep>, Vec<QuotePrep>) {
    let read = |sql: &str| -> Vec<QuotePrep> {
        let mut q = store.conn().prepare(sql).unwrap();
        q.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    (
        read("SELECT month, client_id, quotes, prep_min FROM quote_prep_sums ORDER BY 1, 2"),
        read(
            "SELECT substr(sent_on, 1, 7), client_id, count(*), sum(prep_min) FROM quotes
             GROUP BY 1, 2 ORDER BY 1, 2",
        ),
    )
}

fn assert_kept_right(store: &Store, when: &str) {
    assert_eq!(tallies_kept(store), tallies_from_scratch(store), "task tallies {when}");
    let (kept, counted) = quote_prep_sums(store);
    assert_eq!(kept, counted, "quote preparation per client and month {when}");
    // The effective rates kept since the last judgement, unless a write they depend on came
    // since: equal to the rates judged again; then judged again for the next write.
    let stale = store.client_rates_mismatches().unwrap();
    assert!(stale.is_empty(), "kept effective rates of clients {stale:?} {when}");
    store.judge_client_rates(today()).unwrap();
    assert!(store.client_rates_mismatches().unwrap().is_empty(), "{when}");
    let (kept, counted) = live_requests(store);
    assert_eq!(kept, counted, "open requests of live tasks {when}");
    let (kept, counted) = unflagged_quotes(store);
    assert_eq!(kept, counted, "pending quotes without their flag {when}");
    assert_positions_right(store, when);
    let rules = ScoreRules::default();
    let basis: f64 = store
        .conn()
        .query_row("SELECT half_life FROM score_basis", [], |r| r.get(0))
        .unwrap();
    assert_eq!(basis, rules.half_life_days, "the kept scores are the ones compared");
    for day in [
        today(),
        today() - chrono::Days::new(400),
        today() + chrono::Days::new(30),
    ] {
        let kept = store.scores_kept(&rules, day).unwrap();
        let summed = store.scores_from_flags(&rules, day).unwrap();
        let nonzero = |m: &HashMap<i64, (f64, bool)>| -> Vec<(i64, f64, bool)> {
            let mut v: Vec<_> = m.iter().map(|(k, (s, b))| (*k, *s, *b)).collect();
            v.sort_by_key(|x| x.0);
            v
        };
        let (kept, summed) = (nonzero(&kept), nonzero(&summed));
        assert_eq!(kept.len(), summed.len(), "scored clients {when} on {day}");
        for (a, b) in kept.iter().zip(&summed) {
            assert_eq!((a.0, a.2), (b.0, b.2), "client {when} on {day}");
            assert!(
                (a.1 - b.1).abs() < 1e-6,
                "score of client {} {when} on {day}: {} vs {}",
                a.0,
                a.1,
                b.1
            );
        }
    }
    // The desk's client list reads the kept values: same counts as the list of every task.
    let list = store.list_clients(None, &rules, today()).unwrap();
    for s in &list {
        let (_, _, todo, delivered, waiting) = tallies_from_scratch(store)
            .into_iter()
            .find(|t| t.0 == s.client.id)
            .unwrap();
        assert_eq!(
            (s.open_tasks as i64, s.waiting_tasks as i64),
            (todo + delivered, waiting),
            "{when}"
        );
    }
}

#[test]
fn the_filter_on_all_clients_ranks_a_bounded_page_of_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let store = big_store(&dir);
    // Few matches: all of them, best first (the title word before the body word).
    let all = store.task_matches("bulk task 41", 200, 2_000).unwrap();
    assert!(all.contains(
        &store
            .list_tasks(&TaskFilter::default())
            .unwrap()
            .iter()
            .find(|t| t.title == "Bulk task 41")
            .unwrap()
            .id
    ));
    // A word every bulk task holds: at most the limit, read from at most the candidates.
    let many = store.task_matches("bulk", 50, 100).unwrap();
    assert_eq!(many.len(), 50);
    let newest: Vec<i64> = store
        .conn()
        .prepare("SELECT id FROM tasks WHERE title LIKE 'Bulk task%' ORDER BY id DESC LIMIT 100")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert!(many.iter().all(|id| newest.contains(id)));
    assert!(store.task_matches("  ", 50, 100).unwrap().is_empty());
}

/// The flags pane reads a window of the client's flags: moving through more flags than the
/// window holds, each selected flag is the one the whole list has at that place, the rows of
/// its page are there, and the score, verdict and counts beside it are the ones the client's
/// full summary gives.
#[test]
fn the_flags_pane_shows_the_whole_list_through_its_window() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = big_store(&dir);
    let rules = ScoreRules::default();
    let mut app = desk(&mut store, &dir);
    let id = app.client().unwrap().client.id;
    for i in 0..150i64 {
        let at = today() - chrono::Days::new((i * 37 % 400) as u64);
        let kind = [FlagKind::LateMaterial, FlagKind::NoShow, FlagKind::MindReading][(i % 3) as usize];
        let f = store.add_flag(id, kind, at, &format!("note {i}")).unwrap();
        if i % 5 == 0 {
            store.dismiss_flag(f).unwrap();
        }
    }
    app.reload(&store).unwrap();
    let all: Vec<i64> = store.list_flags(Some(id)).unwrap().iter().map(|f| f.id).collect();
    assert!(all.len() >= 150);
    assert_eq!(app.flags_total, all.len());
    assert!(app.flags.len() < all.len(), "a window, not the list");
    let check = |app: &App, store: &Store| {
        assert_eq!(
            app.flag().map(|f| f.id),
            Some(all[app.flag_sel]),
            "flag {}",
            app.flag_sel
        );
        // The pane's page (it takes less than half the screen's height) is in the window, in
        // the list's order.
        let page = app.size.1 as usize / 2;
        let top = (app.flag_sel / page) * page;
        for (i, want) in all.iter().enumerate().skip(top).take(page) {
            let j = i - app.flags_start;
            assert_eq!(
                app.flags.get(j).map(|f| f.id),
                Some(*want),
                "row {i} of {} from {} sel {}",
                app.flags.len(),
                app.flags_start,
                app.flag_sel
            );
        }
        let (full, a, _) = store.client_summary(id, &rules, today()).unwrap();
        let shown = app.client().unwrap();
        assert_eq!(app.assessment.as_ref().unwrap().score.to_bits(), a.score.to_bits());
        assert_eq!(app.assessment.as_ref().unwrap().verdict, a.verdict);
        assert_eq!(
            (
                shown.score.to_bits(),
                shown.verdict,
                shown.open_tasks,
                shown.waiting_tasks
            ),
            (full.score.to_bits(), full.verdict, full.open_tasks, full.waiting_tasks)
        );
    };
    app.focus = Pane::Flags;
    for _ in 0..all.len() + 3 {
        key(&mut app, &mut store, KeyCode::Char('j'));
        check(&app, &store);
    }
    key(&mut app, &mut store, KeyCode::Home);
    check(&app, &store);
    key(&mut app, &mut store, KeyCode::End);
    check(&app, &store);
    for _ in 0..20 {
        key(&mut app, &mut store, KeyCode::PageUp);
        check(&app, &store);
    }
    // A reload keeps the selection on its flag, wherever the flag now is in the list.
    let sel = app.flag().unwrap().id;
    store
        .conn()
        .execute("UPDATE flags SET at = '2030-01-01' WHERE id = ?1", [sel])
        .unwrap();
    app.reload(&store).unwrap();
    assert_eq!(app.flag().map(|f| f.id), Some(sel));
    assert_eq!(app.flag_sel, 0, "now the newest");
    // The client pane's cards equal the full summaries, client by client.
    app.focus = Pane::Clients;
    key(&mut app, &mut store, KeyCode::Home);
    for _ in 0..app.client_rows.len() {
        key(&mut app, &mut store, KeyCode::Char('j'));
        let c = app.client().unwrap().client.id;
        let (card, a) = store.client_card(c, &rules, today()).unwrap();
        let (full, b, _) = store.client_summary(c, &rules, today()).unwrap();
        assert_eq!(a.score.to_bits(), b.score.to_bits());
        assert_eq!(
            (card.verdict, card.open_tasks, card.waiting_tasks),
            (full.verdict, full.open_tasks, full.waiting_tasks)
        );
        assert_eq!(app.deals.quote_count, store.quotes_of(c).unwrap().len());
        assert_eq!(app.deals.meeting_count, store.meetings_of(c).unwrap().len());
    }
}

/// The filter of "All clients" as it was before the rank function and the prefix indexes
/// (schema step 16): FTS5's `bm25` on an index of the same rows with prefixes of two and three
/// letters only (the tasks at their rowids of step 16, id + 2^40), the newest `candidates`
/// matches ranked, at most `limit` kept.
fn matches_as_before(store: &Store, typed: &str, limit: usize, candidates: usize) -> (Vec<i64>, usize) {
    let Some(q) = vadesk::domain::search::match_query(typed) else {
        return (Vec::new(), 0);
    };
    let c = store.conn();
    let mut found: Vec<(i64, f64)> = c
        .prepare(
            "SELECT rowid, bm25(before_search, 4.0, 1.0, 0.0) FROM temp.before_search
             WHERE before_search MATCH ?1 AND rowid >= 1099511627776 ORDER BY rowid DESC LIMIT ?2",
        )
        .unwrap()
        .query_map(rusqlite::params![q, candidates as i64], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let all: i64 = c
        .query_row(
            "SELECT count(*) FROM temp.before_search WHERE before_search MATCH ?1 AND rowid >= 1099511627776",
            [&q],
            |r| r.get(0),
        )
        .unwrap();
    found.reverse();
    found.sort_by(|a, b| a.1.total_cmp(&b.1));
    (
        found
            .into_iter()
            .map(|(rowid, _)| rowid - vadesk::domain::search::TASK_ROWID_BASE)
            .take(limit)
            .collect(),
        all as usize,
    )
}

#[test]
fn the_filter_finds_what_it_found_before_the_rank_function_and_the_prefix_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let store = big_store(&dir);
    let clients: Vec<i64> = store
        .list_clients(None, &ScoreRules::default(), today())
        .unwrap()
        .iter()
        .map(|c| c.client.id)
        .collect();
    // Words of one to nine letters, accents and capitals, a word in several columns, long
    // and short rows (the rank weighs a word against the row's length).
    let titles = [
        ("Clínica dental: campaña", "Llamar a la CLINICA por el logo"),
        ("clinicas del norte", ""),
        (
            "Logo final para Clínica Sol",
            "a b c d e f g h i j k l m n o p q r s t u v w x y z",
        ),
        ("Café con el cliente", "cafe cafe café"),
        ("A", "ab abc abcd abcde abcdef abcdefg abcdefgh abcdefghi"),
        ("Presupuesto de primavera", "presupuestos anteriores"),
        ("Ñandú y pingüino", "ÑANDU"),
        ("Informe mensual 2026", "informe informes informática"),
        ("x", ""),
    ];
    let c = store.conn();
    c.execute_batch("BEGIN").unwrap();
    for round in 0..6 {
        for (i, (title, spec)) in titles.iter().enumerate() {
            c.execute(
                "INSERT INTO tasks(client_id, title, spec, status, created_on) VALUES (?1, ?2, ?3, 'todo', '2026-01-05')",
                rusqlite::params![clients[(i + round) % clients.len()], format!("{title} {round}"), spec],
            )
            .unwrap();
        }
    }
    // A flag note and a request that say the same words: they are not tasks.
    c.execute(
        "INSERT INTO flags(client_id, kind, at, note, source, created_at)
         VALUES (?1, 'other', '2026-11-01', 'Clínica logo final', 'manual', '2026-11-01 09:00:00')",
        [clients[0]],
    )
    .unwrap();
    c.execute_batch(
        "COMMIT;
         CREATE VIRTUAL TABLE temp.before_search USING fts5(
             title, body, client_id UNINDEXED,
             tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
         INSERT INTO temp.before_search(rowid, title, body, client_id)
             SELECT CASE WHEN rowid >= 1099511627776 THEN 3298534883328 - rowid ELSE rowid END,
                    title, body, client_id
             FROM search;",
    )
    .unwrap();
    let typed = [
        // prefixes of one to nine letters, of a word in every bulk task and of rarer ones
        "b",
        "bu",
        "bul",
        "bulk",
        "t",
        "ta",
        "tas",
        "task",
        "c",
        "cl",
        "cli",
        "clin",
        "clini",
        "clinic",
        "clinica",
        "clinicas",
        "a",
        "ab",
        "abc",
        "abcd",
        "abcde",
        "abcdef",
        "abcdefg",
        "abcdefgh",
        "abcdefghi",
        "presupues",
        "presupuestos",
        "info",
        "inform",
        "informat",
        // accents and case, both ways
        "CLÍNICA",
        "clínica",
        "CAFE",
        "café",
        "nandu",
        "ÑANDÚ",
        "pinguino",
        // several words, the last a prefix
        "bulk task 41",
        "bulk task 4",
        "bulk 1",
        "logo final",
        "logo fin",
        "clinica sol",
        "cafe con el",
        "informe mensual 20",
        "a b c",
        "task 1 0",
        // nothing, or only punctuation
        "zzz",
        "clinica zzz",
        "  ",
        "-*:",
    ];
    for q in typed {
        let (before, all) = matches_as_before(&store, q, 200, 2_000);
        let now: Vec<i64> = store.task_matches(q, 200, 2_000).unwrap();
        assert_eq!(now.len(), before.len(), "{q:?}: as many tasks");
        let single = vadesk::domain::search::match_query(q).is_some_and(|m| !m.contains("\" \""));
        if single {
            // One word: the same tasks in the same order (its weight is a constant factor).
            assert_eq!(now, before, "{q:?}");
        } else if all <= 200 {
            // Every match shown: the same tasks, best first by a rank that weighs every word alike.
            let mut a = now.clone();
            let mut b = before.clone();
            a.sort();
            b.sort();
            assert_eq!(a, b, "{q:?}");
        }
        // Only tasks, each holding every word (the index decides, as before).
        let ids: std::collections::HashSet<i64> = store.tasks_by_ids(&now).unwrap().iter().map(|t| t.id).collect();
        assert_eq!(ids.len(), now.len(), "{q:?}: tasks only");
    }
    for q in [
        "c",
        "clinica",
        "CLÍNICA",
        "abcdefghi",
        "ÑANDÚ",
        "presupues",
        "logo fin",
        "bulk task 4",
    ] {
        assert!(
            !store.task_matches(q, 200, 2_000).unwrap().is_empty(),
            "{q:?} finds tasks"
        );
    }
    // A word every bulk task holds, more than the limit: the newest candidates, as before.
    let (before, all) = matches_as_before(&store, "bulk", 50, 100);
    assert!(all > 100);
    let now = store.task_matches("bulk", 50, 100).unwrap();
    assert_eq!(now, before);
}

#[test]
fn kept_counts_and_scores_equal_a_computation_from_scratch() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = big_store(&dir);
    store.enable_undo().unwrap();
    // Kept with the default half-life from the migration on.
    assert_kept_right(&store, "after the demo and a bulk insert");
    // The demo's clients with time in the last three months have their effective rate kept.
    let judged: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM client_rates", [], |r| r.get(0))
        .unwrap();
    assert!(judged > 0, "{judged}");
    let clients: Vec<i64> = store
        .list_clients(None, &ScoreRules::default(), today())
        .unwrap()
        .iter()
        .map(|c| c.client.id)
        .collect();
    let (a, b) = (clients[0], clients[1]);
    // Tasks, requests, status changes, a task moved, a task deleted with an open request.
    let t1 = store
        .add_task(
            a,
            TaskFields {
                title: Some("Newsletter".into()),
                ..Default::default()
            },
            today(),
        )
        .unwrap();
    let t2 = store
        .add_task(
            a,
            TaskFields {
                title: Some("Landing page".into()),
                ..Default::default()
            },
            today(),
        )
        .unwrap();
    let r1 = store.ask(t1, RequestKind::Material, "Logo", today(), today()).unwrap();
    store.ask(t1, RequestKind::Feedback, "", today(), today()).unwrap();
    store.ask(t2, RequestKind::Material, "Copy", today(), today()).unwrap();
    assert_kept_right(&store, "after asking");
    store.receive(RequestKind::Material, r1, today()).unwrap();
    store.set_task_status(t1, TaskStatus::Delivered, today()).unwrap();
    assert_kept_right(&store, "after a delivery");
    store
        .edit_task(
            t1,
            TaskFields {
                client_id: Some(b),
                ..Default::default()
            },
        )
        .unwrap();
    assert_kept_right(&store, "after a move");
    store.set_task_status(t2, TaskStatus::Done, today()).unwrap();
    store.set_task_status(t2, TaskStatus::Todo, today()).unwrap();
    store.delete_task(t2).unwrap();
    assert_kept_right(&store, "after a deletion");
    // Flags: raised, dated in the future, dismissed.
    let f1 = store.add_flag(a, FlagKind::NoShow, today(), "").unwrap();
    store
        .add_flag(b, FlagKind::LateMaterial, today() - chrono::Days::new(200), "")
        .unwrap();
    store
        .add_flag(b, FlagKind::Other, today() + chrono::Days::new(10), "")
        .unwrap();
    store.dismiss_flag(f1).unwrap();
    assert_kept_right(&store, "after flags");
    // Quotes: sent, one answered, one dated later, their flags raised by the tick.
    let quote = |store: &mut Store, days: u64| {
        let q = NewQuote {
            amount_cents: 12_000,
            prep_min: 30,
            sent_on: today() - chrono::Days::new(days + 7),
            answer_by: Some(today() - chrono::Days::new(days)),
            description: "Rediseño".into(),
        };
        store.add_quote(a, q, 7).unwrap()
    };
    let (q1, q2, q3) = (quote(&mut store, 3), quote(&mut store, 5), quote(&mut store, 9));
    assert_kept_right(&store, "after quotes sent");
    store.answer_quote(q1, QuoteStatus::Accepted, today()).unwrap();
    store
        .edit_quote(
            q2,
            QuoteEdit {
                answer_by: Some(today() + chrono::Days::new(4)),
                ..Default::default()
            },
        )
        .unwrap();
    assert_kept_right(&store, "after a quote answered and one dated later");
    // Its preparation time changed, then another quote of the same month sent for the other
    // client and one of no preparation (its month keeps a row).
    store
        .edit_quote(
            q2,
            QuoteEdit {
                prep_min: Some(95),
                ..Default::default()
            },
        )
        .unwrap();
    let none = NewQuote {
        amount_cents: 5_000,
        prep_min: 0,
        sent_on: today() - chrono::Days::new(40),
        answer_by: Some(today() - chrono::Days::new(30)),
        description: "Sin preparación".into(),
    };
    store.add_quote(b, none, 7).unwrap();
    assert_kept_right(&store, "after a quote's preparation time changed");
    let raised = store.detect(today(), None).unwrap();
    assert!(raised.new_flags.iter().any(|f| f.source_ref == format!("quote:{q3}")));
    assert_kept_right(&store, "after the tick flagged a quote");
    // Its flag removed (as a sync from another machine may) and raised again by the tick.
    store
        .conn()
        .execute("DELETE FROM flags WHERE source_ref = ?1", [format!("quote:{q3}")])
        .unwrap();
    assert_kept_right(&store, "after a quote's flag removed");
    assert_eq!(store.detect(today(), None).unwrap().new_flags.len(), 1);
    assert_kept_right(&store, "after the tick flagged it again");
    store.delete_quote(q3).unwrap();
    assert_kept_right(&store, "after a flagged quote deleted");
    // Undo every step taken above, one by one.
    for i in 0..22 {
        if store.undo_peek().unwrap().is_none() {
            break;
        }
        store.undo().unwrap();
        assert_kept_right(&store, &format!("after undo {i}"));
    }
    store.redo().unwrap();
    assert_kept_right(&store, "after a redo");
    // Raw writes, as sync applies remote rows: statuses, requests, flags, a client deleted.
    store
        .conn()
        .execute_batch(
            "UPDATE tasks SET status = 'delivered' WHERE id % 5 = 0;
             UPDATE tasks SET client_id = (SELECT min(id) FROM clients) WHERE id % 7 = 1;
             INSERT INTO requests(task_id, kind, what, asked_on, expected_by)
                 SELECT id, 'material', 'Photos', '2026-11-01', '2026-11-10' FROM tasks WHERE id % 9 = 0;
             UPDATE requests SET received_on = max(asked_on, '2026-11-20') WHERE id % 4 = 0;
             UPDATE requests SET task_id = task_id + 1 WHERE id % 6 = 0 AND task_id + 1 IN (SELECT id FROM tasks);
             DELETE FROM requests WHERE id % 5 = 1;
             UPDATE flags SET at = '2025-06-01' WHERE id % 2 = 0;
             UPDATE flags SET dismissed = 1 WHERE id % 3 = 0;
             UPDATE flags SET kind = 'no_show', client_id = (SELECT max(id) FROM clients) WHERE id % 4 = 1;
             DELETE FROM tasks WHERE id % 11 = 0;
             UPDATE tasks SET due = NULL WHERE id % 10 = 3;
             UPDATE tasks SET due = '2026-12-01' WHERE id % 10 = 4;
             UPDATE tasks SET status = 'cancelled', due = NULL WHERE id % 10 = 6;
             INSERT INTO tasks(id, client_id, title, spec, status, due, created_on)
                 SELECT 1000 + id * 37, client_id, 'Far ' || title, '', status, NULL, created_on FROM tasks WHERE id % 3 = 0;
             UPDATE tasks SET due = '2026-11-30' WHERE id > 1000 AND id % 4 = 0;
             UPDATE quotes SET status = 'pending' WHERE id % 2 = 0;
             UPDATE quotes SET answer_by = '2026-10-01' WHERE id % 3 = 0;
             UPDATE time_entries SET minutes = minutes + 30 WHERE id % 3 = 0;
             DELETE FROM time_entries WHERE id % 7 = 2;
             INSERT INTO time_entries(client_id, start, minutes, billable)
                 SELECT id, '2026-11-02 09:00', 45 + id, id % 2 FROM clients;
             UPDATE clients SET rate_cents = coalesce(rate_cents, 2000) + 500 WHERE id % 2 = 0;
             UPDATE quotes SET sent_on = '2026-09-' || (10 + id % 9) WHERE id % 3 = 1;
             UPDATE quotes SET prep_min = prep_min + 25, client_id = (SELECT max(id) FROM clients) WHERE id % 4 = 2;
             UPDATE quotes SET sent_on = '2025-12-31', prep_min = 0 WHERE id % 5 = 3;
             INSERT INTO quotes(client_id, prep_min, sent_on, answer_by, status)
                 SELECT id, 10 + id, '2026-10-0' || (1 + id % 9), '2026-10-20', 'accepted' FROM clients;
             UPDATE flags SET source_ref = 'quote:' || (SELECT max(id) FROM quotes)
                 WHERE id = (SELECT min(id) FROM flags WHERE source_ref LIKE 'quote:%')
                   AND NOT EXISTS (SELECT 1 FROM flags WHERE source_ref = 'quote:' || (SELECT max(id) FROM quotes));
             UPDATE flags SET source_ref = 'moved:' || id WHERE source_ref LIKE 'quote:%' AND id % 3 = 2;
             DELETE FROM flags WHERE source_ref LIKE 'quote:%' AND id % 3 = 1;
             INSERT INTO flags(client_id, kind, at, source, source_ref, created_at)
                 SELECT client_id, 'quote_unanswered', '2026-11-01', 'auto', 'quote:' || id, '2026-11-01 09:00'
                 FROM quotes WHERE id % 4 = 1 AND NOT EXISTS (SELECT 1 FROM flags f WHERE f.source_ref = 'quote:' || quotes.id);
             DELETE FROM quotes WHERE id % 7 = 5;",
        )
        .unwrap();
    assert_kept_right(&store, "after raw writes");
    // Another program's connection (no vadesk functions registered) cannot write a table the
    // counts follow: each write is refused whole and changes nothing (the counts are kept by
    // vadesk's own connections, schema step 25).
    let raw = rusqlite::Connection::open(dir.path().join("v.db")).unwrap();
    let kept = tallies_kept(&store);
    let tasks = |c: &rusqlite::Connection| -> i64 {
        c.query_row("SELECT count(*) FROM tasks WHERE status = 'todo'", [], |r| r.get(0))
            .unwrap()
    };
    let todo = tasks(&raw);
    for sql in [
        "UPDATE tasks SET status = 'todo' WHERE id % 17 = 0",
        "DELETE FROM tasks WHERE id % 13 = 0",
        "INSERT INTO tasks(client_id, title, created_on) SELECT min(id), 'Foreign', '2026-11-01' FROM clients",
        "UPDATE quotes SET status = 'rejected' WHERE id % 5 = 1",
        "DELETE FROM flags WHERE id % 2 = 1",
        "UPDATE time_entries SET minutes = minutes + 1",
        "UPDATE clients SET name = name || ' x'",
    ] {
        let err = raw.execute_batch(sql).unwrap_err();
        // An insert that names no uuid stops at the uuid's default first (`vadesk_uuid()`,
        // schema step 26): another vadesk-only function.
        let refused = err.to_string().contains("only_vadesk_writes_this_store")
            || (sql.starts_with("INSERT") && err.to_string().contains("vadesk_uuid"));
        assert!(refused, "{sql}: {err}");
    }
    assert_eq!(tasks(&raw), todo);
    drop(raw);
    assert_eq!(tallies_kept(&store), kept);
    // The same kind of writes through a connection of vadesk's own are counted.
    store
        .conn()
        .execute_batch(
            "PRAGMA foreign_keys = ON;
         UPDATE flags SET at = '2026-10-01', dismissed = 0 WHERE id % 5 = 2;
         DELETE FROM tasks WHERE id % 13 = 0;
         UPDATE tasks SET status = 'todo' WHERE id % 17 = 0;
         UPDATE tasks SET due = NULL, status = 'done' WHERE id % 19 = 0;
         UPDATE quotes SET status = 'rejected' WHERE id % 5 = 1;
         UPDATE quotes SET prep_min = prep_min * 2, sent_on = '2026-08-15' WHERE id % 6 = 4;
         DELETE FROM quotes WHERE id % 11 = 3;
         DELETE FROM flags WHERE source_ref LIKE 'quote:%' AND id % 2 = 1;",
        )
        .unwrap();
    assert_kept_right(&store, "after the writes another program was refused");
    let last = *clients.last().unwrap();
    store.delete_client(last).unwrap();
    assert_kept_right(&store, "after a client deleted");
    // An export imported into a new store.
    let data = store.export().unwrap();
    let mut other = Store::open(&dir.path().join("w.db")).unwrap();
    other.import(&data, false, "export.json").unwrap();
    assert_kept_right(&other, "after an import");
    // Imported again over itself (a merge), and replacing everything.
    other.import(&data, true, "export.json").unwrap();
    assert_kept_right(&other, "after a merge import");
    // Another half-life: the tallies are summed again, once, and stay right.
    other.rebase_scores(30.0).unwrap();
    let rules = ScoreRules {
        half_life_days: 30.0,
        ..Default::default()
    };
    let kept = other.scores_kept(&rules, today()).unwrap();
    let summed = other.scores_from_flags(&rules, today()).unwrap();
    for (k, (s, b)) in &summed {
        let (ks, kb) = kept[k];
        assert!((ks - s).abs() < 1e-6 && kb == *b, "client {k}: {ks} vs {s}");
    }
}

#[test]
fn every_list_and_tally_query_seeks_an_index_even_in_a_store_never_analysed() {
    let dir = tempfile::tempdir().unwrap();
    let store = big_store(&dir);
    store.conn().execute_batch("ANALYZE").unwrap();
    // As after a big import: no statistics for the planner to lean on.
    store
        .conn()
        .execute_batch("DROP TABLE IF EXISTS sqlite_stat1; DROP TABLE IF EXISTS sqlite_stat4;")
        .unwrap();
    drop(store);
    let store = Store::open(&dir.path().join("v.db")).unwrap();
    let mut report = String::new();
    for (name, plan) in store.desk_list_plans().unwrap() {
        for line in &plan {
            report.push_str(&format!("{name}: {line}\n"));
        }
        let joined = plan.join(" / ");
        assert!(!joined.contains("TEMP B-TREE"), "{name} sorts: {joined}");
        if name.starts_with("tasks page") || name.starts_with("tasks position") {
            let index = if name.ends_with("one client") {
                "tasks_client_order (client_id=?"
            } else {
                "tasks_order"
            };
            assert!(plan.iter().all(|l| l.contains(index)), "{name}: {joined}");
            // A range of the index, never all of it (the first and last pages read its ends).
            let ends = name.contains(": first") || name.contains(": last");
            if !ends || name.ends_with("one client") {
                assert!(plan.iter().all(|l| l.starts_with("SEARCH")), "{name}: {joined}");
            }
        } else if name == "all clients position: kept counts before" {
            // The kept counts of the keys before the task's own, from the key's section on.
            assert_eq!(
                joined,
                "SEARCH task_due_tally USING PRIMARY KEY (closed=? AND (no_due,due,part)<(?,?,?))"
            );
        } else if name == "all clients position: within the part" {
            // The tasks of one key (a due date, or up to 1,024 ids without one) and no more.
            assert!(
                joined.contains("USING COVERING INDEX tasks_order (<expr>=? AND <expr>=? AND due=? AND id>? AND id<?)"),
                "{name}: {joined}"
            );
        } else if name == "all clients counts" {
            // "All clients"' length and open tasks: one row a client, in one pass.
            assert_eq!(joined, "SCAN client_tally", "{name}");
        } else if name == "task key" {
            assert!(joined.contains("INTEGER PRIMARY KEY"), "{name}: {joined}");
        } else if name == "task filter matches" {
            // The index walks its matches in rowid order itself (no sort of every match),
            // forwards (FTS5's plan number 64: ordered by rowid, ascending; the newest task has
            // the smallest rowid of the tasks' range) and within the tasks' range (`>`: the
            // rowid's lower bound goes to FTS5, which starts where the tasks' range begins).
            assert!(
                joined.contains("SCAN search VIRTUAL TABLE INDEX 64:M") && joined.ends_with('>'),
                "{name}: {joined}"
            );
        } else if name == "task filter index: a bulk import's old rows" {
            // One range of rowids, both ends given to FTS5 (`>` and `<`), not every row.
            assert!(
                joined.starts_with("SCAN search VIRTUAL TABLE INDEX") && joined.contains('>') && joined.contains('<'),
                "{name}: {joined}"
            );
        } else if name == "task filter index: a bulk import's new rows" {
            // The new tasks from the primary key, in its order (no sort: the general check).
            assert_eq!(joined, "SEARCH tasks USING INTEGER PRIMARY KEY (rowid>?)", "{name}");
        } else if name == "task filter row sizes: a range" {
            // The candidates' lengths: one range of FTS5's row sizes.
            assert_eq!(
                joined,
                "SEARCH search_docsize USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)"
            );
        } else if name == "task filter row sizes: row by row" {
            // Or a lookup by rowid for each candidate, never all the row sizes.
            assert!(
                joined.contains("SEARCH d USING INTEGER PRIMARY KEY (rowid=?)") && !joined.contains("SCAN d"),
                "{name}: {joined}"
            );
        } else if name == "clients: future flags" {
            assert!(joined.contains("flags_future"), "{name}: {joined}");
        } else if name.starts_with("client pane: ") {
            // One client's rows of an index: its flags, quotes or meetings, never all of them;
            // the flags page in the pane's order straight from the index (no sort).
            let index = match name.as_str() {
                "client pane: open and waiting" => "client_tally USING INTEGER PRIMARY KEY (rowid=?)",
                "client pane: score flags" => "USING COVERING INDEX flags_score (client_id=?)",
                "client pane: flags page" => "flags_client_at (client_id=?)",
                "client pane: flag position" => "flags_client_at (client_id=? AND at>?)",
                "client pane: flag count" => "flags_client",
                "client pane: quote count" => "quotes_client (client_id=?)",
                "client pane: meeting count" => "meetings_client (client_id=?)",
                "client pane: time entry count" => "time_client_start (client_id=?)",
                "client pane: time entries" => "time_client_start (client_id=?)",
                other => panic!("no expectation for {other}"),
            };
            assert!(joined.contains(index), "{name}: {joined}");
            assert!(
                plan.iter()
                    .all(|l| l.starts_with("SEARCH") || l.contains("SCALAR SUBQUERY")),
                "{name}: {joined}"
            );
            if name == "client pane: flag position" {
                assert!(
                    joined.contains("flags_client_at (client_id=? AND at=? AND rowid>?)"),
                    "{name}: {joined}"
                );
            }
        } else {
            // One row a client (or a client and a flag kind), never the tasks or the flags.
            assert!(
                plan.iter()
                    .all(|l| l.contains("client_tally") || l.contains("flag_tally") || l.contains("score_basis")),
                "{name}: {joined}"
            );
        }
    }
    println!("{report}");
}

/// The filter's rows, and the list read again around its record when it closes, are the pages
/// of the list as the desk last drew it (17 rows at 120×35), not of the most any list could
/// show (27): at a million tasks each row read costs about as much as drawing a row.
#[test]
fn the_filter_and_its_close_read_the_page_the_list_draws() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = big_store(&dir);
    let mut app = desk_on(&mut store, &dir.path().join("v.db"), 35);
    all_clients(&mut app, &mut store);
    let h = drawn(&app);
    assert!(h < app.page(), "the pane shows {h} of {} rows", app.page());
    key(&mut app, &mut store, KeyCode::Char('/'));
    for c in "bulk".chars() {
        key(&mut app, &mut store, KeyCode::Char(c));
        assert!(app.tasks.rows.len() <= h, "a letter read {} rows", app.tasks.rows.len());
        assert_eq!(drawn(&app), h);
    }
    key(&mut app, &mut store, KeyCode::Enter);
    for _ in 0..5 {
        key(&mut app, &mut store, KeyCode::PageDown);
        drawn(&app);
    }
    let on = app.tasks.current().unwrap().id;
    key(&mut app, &mut store, KeyCode::Esc);
    assert_eq!(app.tasks.current().map(|t| t.id), Some(on));
    assert!(app.tasks.selected > 2 * h, "far down the list: {}", app.tasks.selected);
    assert!(
        app.tasks.rows.len() < 2 * h,
        "closing the filter read {} rows",
        app.tasks.rows.len()
    );
    // The page drawn is there, a true slice of the whole list.
    check(&app, &store);
}

/// The filter on "All clients" holds the ids of its matches and reads the rows of the page
/// around the selection alone: walking the whole filtered list (`j`, PgDn, End, Home, `k`),
/// each selected task is the match at that place, best first, the rows a page shows are
/// there, and the window stays a few pages; `Esc` leaves the selection on the same task.
#[test]
fn the_filter_on_all_clients_reads_the_page_of_its_matches_alone() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = big_store(&dir);
    let mut app = desk(&mut store, &dir);
    all_clients(&mut app, &mut store);
    key(&mut app, &mut store, KeyCode::Char('/'));
    for c in "bulk".chars() {
        key(&mut app, &mut store, KeyCode::Char(c));
    }
    let want = store.task_matches("bulk", 200, 2_000).unwrap();
    assert_eq!(want.len(), 200);
    assert_eq!(app.tasks.len(), 200);
    let page = app.page();
    let in_place = |app: &App| {
        let list = &app.tasks;
        assert_eq!(
            list.current().map(|t| t.id),
            Some(want[list.selected]),
            "selection {}",
            list.selected
        );
        let top = (list.selected / page) * page;
        for (i, id) in want.iter().enumerate().skip(top).take(page) {
            assert_eq!(
                list.get(i).map(|t| t.id),
                Some(*id),
                "row {i} (selection {})",
                list.selected
            );
        }
        assert!(list.rows.len() <= 3 * page, "window of {} rows", list.rows.len());
    };
    in_place(&app);
    assert!(app.tasks.rows.len() <= page, "the first key reads one page");
    // A space changes no word: the same matches, the best selected.
    key(&mut app, &mut store, KeyCode::Char(' '));
    in_place(&app);
    key(&mut app, &mut store, KeyCode::Enter);
    for _ in 0..30 {
        key(&mut app, &mut store, KeyCode::Char('j'));
        in_place(&app);
    }
    for _ in 0..20 {
        key(&mut app, &mut store, KeyCode::PageDown);
        in_place(&app);
    }
    assert_eq!(app.tasks.selected, 199);
    key(&mut app, &mut store, KeyCode::Home);
    in_place(&app);
    key(&mut app, &mut store, KeyCode::End);
    in_place(&app);
    for _ in 0..40 {
        key(&mut app, &mut store, KeyCode::Char('k'));
        in_place(&app);
    }
    key(&mut app, &mut store, KeyCode::PageUp);
    in_place(&app);
    let on = app.tasks.current().unwrap().id;
    key(&mut app, &mut store, KeyCode::Esc);
    assert!(app.tasks.filter.is_none());
    assert_eq!(app.tasks.current().map(|t| t.id), Some(on));
    check(&app, &store);
    // Opened again: the first page of the list, then the matches again from the best.
    key(&mut app, &mut store, KeyCode::Char('/'));
    key(&mut app, &mut store, KeyCode::Char('b'));
    let b = store.task_matches("b", 200, 2_000).unwrap();
    assert_eq!(app.tasks.current().map(|t| t.id), b.first().copied());
}

/// The filter of "All clients" with no word in it (just opened, or every letter erased) is
/// the whole list, walked a window at a time: not the rows at hand, nor a first page of 200.
#[test]
fn an_empty_filter_on_all_clients_is_the_whole_list() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = big_store(&dir);
    let mut app = desk(&mut store, &dir);
    all_clients(&mut app, &mut store);
    let all = expected(&store, None);
    assert!(all.len() > 400);
    key(&mut app, &mut store, KeyCode::Char('/'));
    assert_eq!(app.tasks.len(), all.len(), "just opened");
    check(&app, &store);
    key(&mut app, &mut store, KeyCode::Char('x'));
    assert!(app.tasks.len() < all.len());
    key(&mut app, &mut store, KeyCode::Backspace);
    assert_eq!(app.tasks.len(), all.len(), "every letter erased");
    assert_eq!(app.tasks.selected, 0);
    check(&app, &store);
    // Kept with Enter, the list walks to its end and back as without a filter.
    key(&mut app, &mut store, KeyCode::Enter);
    key(&mut app, &mut store, KeyCode::End);
    assert_eq!(app.tasks.selected, all.len() - 1);
    check(&app, &store);
    for _ in 0..5 {
        key(&mut app, &mut store, KeyCode::PageUp);
        check(&app, &store);
    }
    // Closed after a search and opened again: the whole list, not the last search's matches.
    key(&mut app, &mut store, KeyCode::Char('/'));
    key(&mut app, &mut store, KeyCode::Char('5'));
    assert!(app.tasks.len() < all.len());
    key(&mut app, &mut store, KeyCode::Enter);
    key(&mut app, &mut store, KeyCode::Esc);
    key(&mut app, &mut store, KeyCode::Char('/'));
    assert_eq!(app.tasks.len(), all.len(), "opened again");
    check(&app, &store);
    key(&mut app, &mut store, KeyCode::Char('z'));
    key(&mut app, &mut store, KeyCode::Char('z'));
    key(&mut app, &mut store, KeyCode::Char('z'));
    assert_eq!(app.tasks.len(), 0);
    key(&mut app, &mut store, KeyCode::Esc);
    key(&mut app, &mut store, KeyCode::Char('/'));
    assert_eq!(app.tasks.len(), all.len(), "opened again after no match");
    check(&app, &store);
    // A word typed again finds its matches from the best.
    key(&mut app, &mut store, KeyCode::Char('b'));
    let b = store.task_matches("b", 200, 1_000).unwrap();
    assert_eq!(app.tasks.len(), b.len());
    assert_eq!(app.tasks.current().map(|t| t.id), b.first().copied());
}

/// Opens the filter on "All clients", types `typed`, and puts the selection on task `id`
/// among the matches (Enter keeps the filter, `j` moves in it).
fn filter_onto(app: &mut App, store: &mut Store, typed: &str, id: i64) {
    key(app, store, KeyCode::Char('/'));
    for c in typed.chars() {
        key(app, store, KeyCode::Char(c));
    }
    key(app, store, KeyCode::Enter);
    let ids = app
        .tasks
        .searched
        .as_ref()
        .map(|(_, ids)| ids.clone())
        .unwrap_or_default();
    let at = ids.iter().position(|&x| x == id).expect("the filter finds the task");
    for _ in 0..at {
        key(app, store, KeyCode::Char('j'));
    }
    assert_eq!(app.tasks.current().map(|t| t.id), Some(id));
}

/// Closing the filter of "All clients" on a row of the list it was opened on gives that
/// list back (nothing read) only while the store is as it was: after a write by the desk,
/// an undo, or a write by another process meanwhile, the list is read again. Either way the
/// window is the whole list's slice at the task's place.
#[test]
fn closing_the_filter_gives_the_list_back_only_while_the_store_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = big_store(&dir);
    let mut app = desk(&mut store, &dir);
    all_clients(&mut app, &mut store);
    for _ in 0..5 {
        key(&mut app, &mut store, KeyCode::Char('j'));
    }
    check(&app, &store);
    // A task two rows below the selection, in the window.
    let target = app.tasks.get(app.tasks.selected + 2).unwrap().clone();
    let window: Vec<i64> = app.tasks.rows.iter().map(|t| t.id).collect();
    let start = app.tasks.start;

    // Nothing changed: the same window, the selection on the task.
    filter_onto(&mut app, &mut store, &target.title, target.id);
    assert!(app.tasks.before_filter.is_some());
    key(&mut app, &mut store, KeyCode::Esc);
    assert!(app.tasks.filter.is_none() && app.tasks.before_filter.is_none());
    let all = check(&app, &store);
    assert_eq!(app.tasks.current().map(|t| t.id), Some(target.id));
    assert_eq!(app.tasks.selected, all.iter().position(|&x| x == target.id).unwrap());
    assert_eq!(app.tasks.start, start, "the window given back");
    assert_eq!(app.tasks.rows.iter().map(|t| t.id).collect::<Vec<_>>(), window);

    // The desk writes while the filter is open: a task of the window closed (it moves to
    // the closed ones, every row after it moves up).
    let moved = app.tasks.rows.iter().find(|t| t.id != target.id).unwrap().id;
    filter_onto(&mut app, &mut store, &target.title, target.id);
    store.set_task_status(moved, TaskStatus::Done, today()).unwrap();
    key(&mut app, &mut store, KeyCode::Esc);
    let all = check(&app, &store);
    assert_eq!(app.tasks.current().map(|t| t.id), Some(target.id));
    assert_eq!(app.tasks.selected, all.iter().position(|&x| x == target.id).unwrap());

    // Undo while the filter is open: the task back among the open ones.
    filter_onto(&mut app, &mut store, &target.title, target.id);
    store.undo().unwrap();
    key(&mut app, &mut store, KeyCode::Esc);
    let all = check(&app, &store);
    assert_eq!(app.tasks.current().map(|t| t.id), Some(target.id));
    assert_eq!(app.tasks.selected, all.iter().position(|&x| x == target.id).unwrap());

    // Another process deletes a task of the window while the filter is open.
    filter_onto(&mut app, &mut store, &target.title, target.id);
    let gone = app
        .tasks
        .before_filter
        .as_ref()
        .unwrap()
        .1
        .rows
        .iter()
        .find(|t| t.id != target.id)
        .unwrap()
        .id;
    let mut other = Store::open_again(&dir.path().join("v.db")).unwrap();
    other.delete_task(gone).unwrap();
    key(&mut app, &mut store, KeyCode::Esc);
    let all = check(&app, &store);
    assert!(!all.contains(&gone));
    assert_eq!(app.tasks.current().map(|t| t.id), Some(target.id));
    assert_eq!(app.tasks.selected, all.iter().position(|&x| x == target.id).unwrap());
}

/// The filter of "All clients" answers a query it asked before (a letter erased and typed
/// again) from what it kept only while the store is unchanged: after a write by the desk, an
/// undo, or another process, its matches are the index's again.
#[test]
fn the_filters_kept_answers_equal_the_index_after_every_kind_of_write() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = big_store(&dir);
    let mut app = desk(&mut store, &dir);
    all_clients(&mut app, &mut store);
    key(&mut app, &mut store, KeyCode::Char('/'));
    for c in "bulk task 1".chars() {
        key(&mut app, &mut store, KeyCode::Char(c));
    }
    let shown = |app: &App| app.tasks.searched.as_ref().map(|(_, ids)| ids.clone()).unwrap();
    let fresh = |store: &Store| store.task_matches("bulk task 1", 200, 2_000).unwrap();
    let again = |app: &mut App, store: &mut Store| {
        key(app, store, KeyCode::Backspace);
        key(app, store, KeyCode::Char('1'));
    };
    assert_eq!(shown(&app), fresh(&store));
    again(&mut app, &mut store);
    assert_eq!(shown(&app), fresh(&store), "unchanged");
    let first = shown(&app)[0];
    // The desk deletes the best match.
    store.delete_task(first).unwrap();
    again(&mut app, &mut store);
    assert!(!shown(&app).contains(&first));
    assert_eq!(shown(&app), fresh(&store), "after a write by the desk");
    // Undone: it is found again.
    store.undo().unwrap();
    again(&mut app, &mut store);
    assert!(shown(&app).contains(&first));
    assert_eq!(shown(&app), fresh(&store), "after undo");
    // Another process renames it out of the matches.
    let mut other = Store::open_again(&dir.path().join("v.db")).unwrap();
    other
        .edit_task(
            first,
            TaskFields {
                title: Some("Renamed".into()),
                ..Default::default()
            },
        )
        .unwrap();
    again(&mut app, &mut store);
    assert!(!shown(&app).contains(&first));
    assert_eq!(shown(&app), fresh(&store), "after another process");
}

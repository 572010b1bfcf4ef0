//! The daily review at any size: the desk reads its sections' counts from the indexes and its
//! rows a window at a time by keyset, in exactly the order of the whole review. Every window
//! is checked against `Store::review` on a store with many rows in every section, ties on
//! dates, times and names (which sort case-insensitively, accents included).

mod common;

use common::tui::{desk_on, press as key, today, walk};
use crossterm::event::KeyCode;
use vadesk::domain::{ReviewItem, ReviewKind};
use vadesk::store::ReviewKey;
use vadesk::tui::app::View;
use vadesk::tui::{update, App, Msg};
use vadesk::Store;

/// The demo, and clients whose names tie but for case and accents, each with many rows in
/// every section of the review, on a few shared dates and times.
fn big_store(dir: &tempfile::TempDir) -> Store {
    let path = dir.path().join("v.db");
    let mut store = Store::open(&path).unwrap();
    store.load_demo(today()).unwrap();
    let c = store.conn();
    c.execute_batch("BEGIN").unwrap();
    let names = [
        "alba",
        "Alba Co",
        "ÁLVARO",
        "álvaro studio",
        "Zoe",
        "zoë",
        "Émile",
        "emile b",
    ];
    let mut clients = Vec::new();
    for n in names {
        c.execute(
            "INSERT INTO clients(name, name_key, status, review_day, created_on) VALUES (?1, ?2, 'active', 'monday', '2025-01-01')",
            rusqlite::params![n, n.to_lowercase()],
        )
        .unwrap();
        clients.push(c.last_insert_rowid());
    }
    let days = [
        "2026-11-02",
        "2026-11-20",
        "2026-11-22",
        "2026-11-23",
        "2026-11-24",
        "2026-11-25",
    ];
    for i in 0..360i64 {
        let client = clients[(i % clients.len() as i64) as usize];
        let due = days[(i % 4) as usize];
        let status = ["todo", "doing", "delivered", "done"][(i % 4 + i / 97) as usize % 4];
        c.execute(
            "INSERT INTO tasks(client_id, title, spec, status, due, created_on) VALUES (?1, ?2, '', ?3, ?4, '2026-01-05')",
            rusqlite::params![client, format!("Review task {i}"), status, due],
        )
        .unwrap();
        let task = c.last_insert_rowid();
        // One task in three waits on the client: a request, late or due soon.
        if i % 3 == 0 {
            let kind = if i % 2 == 0 { "feedback" } else { "material" };
            let by = days[(i as usize / 3) % days.len()];
            let snoozed = (i % 45 == 0).then_some("2026-11-30");
            c.execute(
                "INSERT INTO requests(task_id, kind, what, asked_on, expected_by, snoozed_until) VALUES (?1, ?2, 'files', '2026-10-01', ?3, ?4)",
                rusqlite::params![task, kind, by, snoozed],
            )
            .unwrap();
        }
        if i % 4 == 1 {
            c.execute(
                "INSERT INTO quotes(client_id, sent_on, answer_by, amount_cents) VALUES (?1, '2026-10-01', ?2, ?3)",
                rusqlite::params![client, days[(i % 3) as usize], 1000 + i],
            )
            .unwrap();
        }
        if i % 5 == 0 {
            let at = format!(
                "{} {}",
                days[(i as usize / 5) % days.len()],
                ["10:00", "10:00", "16:30"][(i % 3) as usize]
            );
            c.execute(
                "INSERT INTO meetings(client_id, kind, at) VALUES (?1, 'review', ?2)",
                rusqlite::params![client, at],
            )
            .unwrap();
        }
    }
    c.execute_batch("COMMIT").unwrap();
    store
}

/// The desk on the review, on a terminal `rows` high.
fn desk(store: &mut Store, dir: &tempfile::TempDir, rows: u16) -> App {
    let mut app = desk_on(store, &dir.path().join("v.db"), rows);
    key(&mut app, store, KeyCode::Char('2'));
    assert_eq!(app.view, View::Review);
    app
}

fn ids(items: &[ReviewItem]) -> Vec<(ReviewKind, i64)> {
    items.iter().map(|r| (r.kind, r.id)).collect()
}

/// The window is a true slice of the whole review at the place the desk says, holds the
/// selection, and is never more than a few pages; the counts are the whole review's.
fn check(app: &App, store: &Store) -> Vec<ReviewItem> {
    let all = store.review(today()).unwrap();
    let list = &app.review;
    assert_eq!(list.total(), all.len(), "length");
    for kind in ReviewKind::ALL {
        let n = all.iter().filter(|r| r.kind == kind).count();
        assert_eq!(
            list.sections.counts[ReviewKind::ALL.iter().position(|k| *k == kind).unwrap()],
            n,
            "{kind:?}"
        );
    }
    for (j, r) in list.rows.iter().enumerate() {
        assert_eq!(Some(r), all.get(list.start + j), "row {} of the window", list.start + j);
    }
    if !all.is_empty() {
        assert_eq!(list.current(), Some(&all[list.selected]), "selection");
    }
    // Every row of the page drawn with the selection on it is read.
    let (w, h) = app.size;
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    t.draw(|f| vadesk::tui::ui::render(app, f)).unwrap();
    let shown = app.shown.get(vadesk::tui::app::Listed::Review).expect("drawn");
    let top = list.selected / shown * shown;
    for (pos, row) in all.iter().enumerate().skip(top).take(shown) {
        assert_eq!(list.get(pos), Some(row), "row {pos} of the page drawn ({shown} rows)");
    }
    // The pages around the selection (three of the screen's height), and the list's own
    // pages PgDn and PgUp reach (shorter: they can end past them).
    assert!(
        list.rows.len() <= 4 * app.size.1 as usize,
        "window of {} rows",
        list.rows.len()
    );
    all
}

#[test]
fn windows_read_by_keyset_equal_the_whole_review_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = big_store(&dir);
    let all = store.review(today()).unwrap();
    let s = store.review_sections(today()).unwrap();
    assert_eq!(s.total(), all.len());
    // Every section holds rows, and ties on date and name within them.
    for kind in ReviewKind::ALL {
        if !matches!(
            kind,
            ReviewKind::TimerRunning | ReviewKind::RetainerUsedUp | ReviewKind::RetainerNear
        ) {
            assert!(all.iter().filter(|r| r.kind == kind).count() > 1, "{kind:?}");
        }
    }
    assert!(all.len() > 300, "{}", all.len());
    // The status bar's counts, read from the new indexes, are the tick's.
    let (mine, tick) = (
        store.late_request_counts(today()).unwrap(),
        store.late_counts(today()).unwrap(),
    );
    assert_eq!(
        (mine.feedback_overdue, mine.material_late),
        (tick.feedback_overdue, tick.material_late)
    );
    assert!(mine.feedback_overdue > 0 && mine.material_late > 0);
    // From the start and from the end, whole.
    assert_eq!(ids(&store.review_after(&s, None, all.len() + 5).unwrap()), ids(&all));
    let mut back = store.review_before(&s, None, all.len() + 5).unwrap();
    back.reverse();
    assert_eq!(back, all);
    // From every row, on and back, a few at a time, crossing sections; and each row's place.
    for (i, it) in all.iter().enumerate() {
        let k = ReviewKey::of(it);
        assert_eq!(store.review_position(&s, &k).unwrap(), i, "{it:?}");
        let after = store.review_after(&s, Some(&k), 7).unwrap();
        assert_eq!(after[..], all[i + 1..(i + 8).min(all.len())], "after {i}");
        let mut before = store.review_before(&s, Some(&k), 7).unwrap();
        before.reverse();
        assert_eq!(before[..], all[i.saturating_sub(7)..i], "before {i}");
        assert_eq!(store.review_row(&s, it.kind, it.id).unwrap().as_ref(), Some(it));
    }
}

#[test]
fn the_desk_walks_the_whole_review_a_window_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = big_store(&dir);
    let mut app = desk(&mut store, &dir, 20);
    let all = check(&app, &store);
    assert!(all.len() > 3 * 20);
    walk(
        &mut app,
        &mut store,
        all.len(),
        None,
        |a| a.review.selected,
        |a, s| {
            check(a, s);
        },
    );
}

#[test]
fn the_selection_follows_its_record_through_changes_from_another_connection() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = big_store(&dir);
    let mut app = desk(&mut store, &dir, 20);
    let all = check(&app, &store);
    // Somewhere in the overdue tasks, far from the start.
    let pos = all.iter().rposition(|r| r.kind == ReviewKind::TaskOverdue).unwrap() - 3;
    for _ in 0..pos {
        key(&mut app, &mut store, KeyCode::Char('j'));
    }
    let mine = app.review_item().unwrap().clone();
    assert_eq!(mine.kind, ReviewKind::TaskOverdue);
    // Another connection closes tasks before it and adds a request (rows come and go above).
    let other = Store::open_again(&dir.path().join("v.db")).unwrap();
    let earlier: Vec<i64> = all[..pos]
        .iter()
        .filter(|r| r.kind == ReviewKind::TaskOverdue)
        .take(5)
        .map(|r| r.id)
        .collect();
    for id in &earlier {
        other
            .conn()
            .execute("UPDATE tasks SET status = 'done' WHERE id = ?1", [id])
            .unwrap();
    }
    drop(other);
    assert!(app.stale(&store).unwrap());
    app.reload(&store).unwrap();
    let all = check(&app, &store);
    assert_eq!(app.review_item(), Some(&mine));
    assert!(all
        .iter()
        .all(|r| !(r.kind == ReviewKind::TaskOverdue && earlier.contains(&r.id))));
    // Its own record changes section (a due date today): the selection goes with it.
    let other = Store::open_again(&dir.path().join("v.db")).unwrap();
    other
        .conn()
        .execute("UPDATE tasks SET due = '2026-11-23' WHERE id = ?1", [mine.id])
        .unwrap();
    drop(other);
    app.reload(&store).unwrap();
    check(&app, &store);
    let now_row = app.review_item().unwrap();
    assert_eq!((now_row.kind, now_row.id), (ReviewKind::TaskDueToday, mine.id));
    // Done from the review: the selection stays at its place, on the next row.
    let at = app.review.selected;
    let next = store.review(today()).unwrap()[at + 1].clone();
    key(&mut app, &mut store, KeyCode::Char('d'));
    check(&app, &store);
    assert_eq!(app.review.selected, at);
    assert_eq!(app.review_item(), Some(&next));
}

#[test]
fn the_filter_reads_the_review_once_and_esc_returns_to_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = big_store(&dir);
    let mut app = desk(&mut store, &dir, 20);
    let all = check(&app, &store);
    for _ in 0..40 {
        key(&mut app, &mut store, KeyCode::Char('j'));
    }
    key(&mut app, &mut store, KeyCode::Char('/'));
    for c in "zoë".chars() {
        key(&mut app, &mut store, KeyCode::Char(c));
    }
    let rows: Vec<ReviewItem> = app.review.matches().cloned().collect();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r.client.contains("zoë")), "{:?}", ids(&rows));
    assert!(rows.len() < all.len());
    // Each letter looked only among the last matches: the same rows, in the same order, as
    // the whole query matched against the whole review at once.
    key(&mut app, &mut store, KeyCode::Esc);
    key(&mut app, &mut store, KeyCode::Char('/'));
    update(&mut app, Msg::Paste("zoë".into()), &mut store);
    assert_eq!(app.review.matches().cloned().collect::<Vec<_>>(), rows);
    for q in ["t 1", "task 1"] {
        key(&mut app, &mut store, KeyCode::Esc);
        key(&mut app, &mut store, KeyCode::Char('/'));
        for c in q.chars() {
            key(&mut app, &mut store, KeyCode::Char(c));
        }
        let typed: Vec<ReviewItem> = app.review.matches().cloned().collect();
        key(&mut app, &mut store, KeyCode::Esc);
        key(&mut app, &mut store, KeyCode::Char('/'));
        update(&mut app, Msg::Paste(q.into()), &mut store);
        assert_eq!(app.review.matches().cloned().collect::<Vec<_>>(), typed, "{q}");
    }
    key(&mut app, &mut store, KeyCode::Esc);
    key(&mut app, &mut store, KeyCode::Char('/'));
    for c in "zoë".chars() {
        key(&mut app, &mut store, KeyCode::Char(c));
    }
    key(&mut app, &mut store, KeyCode::Enter);
    key(&mut app, &mut store, KeyCode::Char('j'));
    let picked = app.review_item().unwrap().clone();
    key(&mut app, &mut store, KeyCode::Esc);
    assert!(app.review.filter.is_none() && app.review.all.is_empty());
    check(&app, &store);
    assert_eq!(app.review_item(), Some(&picked));
    // The same, on every match of a query (the window cut from the whole review read at `/`),
    // and with no match at all.
    for q in ["task 1", "zoë", "qqqqqq"] {
        key(&mut app, &mut store, KeyCode::Char('/'));
        update(&mut app, Msg::Paste(q.into()), &mut store);
        key(&mut app, &mut store, KeyCode::Enter);
        for _ in 0..7 {
            key(&mut app, &mut store, KeyCode::Char('j'));
        }
        let picked = app.review_item().cloned();
        key(&mut app, &mut store, KeyCode::Esc);
        check(&app, &store);
        if picked.is_some() {
            assert_eq!(app.review_item(), picked.as_ref(), "{q}");
        }
    }
    // Closed after another process changed the store while it was open: the window is read
    // again around the record picked, in the review as it is now. The desk notices the change
    // when it waits for keys: either before `Esc` or right after it.
    for notice_first in [true, false] {
        key(&mut app, &mut store, KeyCode::Char('/'));
        update(&mut app, Msg::Paste("task 1".into()), &mut store);
        key(&mut app, &mut store, KeyCode::Enter);
        key(&mut app, &mut store, KeyCode::Char('j'));
        let picked = app.review_item().unwrap().clone();
        let before = store.review(today()).unwrap();
        let task_of_picked = if picked.kind.is_task() {
            Some(picked.id)
        } else {
            picked.detail().task_id
        };
        let other = before
            .iter()
            .find(|r| r.kind.is_task() && Some(r.id) != task_of_picked)
            .unwrap()
            .id;
        Store::open_again(&dir.path().join("v.db"))
            .unwrap()
            .conn()
            .execute("UPDATE tasks SET status = 'done' WHERE id = ?1", [other])
            .unwrap();
        assert!(app.stale(&store).unwrap());
        if notice_first {
            app.reload(&store).unwrap();
        }
        key(&mut app, &mut store, KeyCode::Esc);
        if !notice_first {
            app.reload(&store).unwrap();
        }
        let now = check(&app, &store);
        assert!(now.len() < before.len());
        assert_eq!(
            app.review_item().map(|r| (r.kind, r.id)),
            Some((picked.kind, picked.id)),
            "noticed first: {notice_first}"
        );
    }
}

#[test]
fn every_review_window_query_seeks_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let store = big_store(&dir);
    // As after a big import: no statistics for the planner to lean on.
    store.conn().execute_batch("DROP TABLE IF EXISTS sqlite_stat1").unwrap();
    let store = Store::open(&dir.path().join("v.db")).unwrap();
    for (name, plan) in store.query_plans().unwrap() {
        if !name.starts_with("review window") {
            continue;
        }
        let text = plan.join("\n");
        assert!(
            plan.iter().all(|l| !l.starts_with("SCAN") || l.starts_with("SCAN c")),
            "{name}: {text}"
        );
        assert!(text.contains("SEARCH x"), "{name}: {text}");
        // Open requests are read from their index, live tasks from theirs (never a table row
        // of a request on a closed task).
        let request = name.contains("feedback") || name.contains("material") || name.contains("due_soon");
        if request && !name.ends_with(" one") {
            assert!(
                text.contains("requests_open_live") && text.contains("COVERING INDEX tasks_live_ids"),
                "{name}: {text}"
            );
            // Whether a request's task is live is asked from the request's index entry,
            // before the task's row is read (most late requests are on closed tasks).
            let at = |what: &str| plan.iter().position(|l| l.contains(what));
            assert!(
                at("tasks_live_ids") < at("SEARCH t ") && !text.contains("EXISTS"),
                "{name}: {text}"
            );
        }
    }
}

/// The desk after reading ahead as it does while waiting for a key: the window then holds
/// the pages before and after the selection's, so that `j`, `k`, PgDn and PgUp read nothing.
fn settle(app: &mut App, store: &Store) {
    while app.read_ahead(store) {}
    let page = app.size.1 as usize;
    let list = &app.review;
    let total = list.total();
    let top = (list.selected / page) * page;
    assert!(
        list.start <= top.saturating_sub(page),
        "window from {} for {top}",
        list.start
    );
    assert!(
        list.start + list.rows.len() >= (top + 2 * page).min(total),
        "window to {} for {top}",
        list.start + list.rows.len()
    );
    // And the pages PgDn and PgUp turn to, as the list draws them (shorter than the screen).
    if let Some(h) = app.shown.get(vadesk::tui::app::Listed::Review) {
        let sel = list.selected;
        let next = ((sel + h).min(total.saturating_sub(1)) / h * h + h).min(total);
        let prev = sel.saturating_sub(h) / h * h;
        assert!(
            list.start <= prev && list.start + list.rows.len() >= next,
            "window {}..{} for the pages {prev}..{next} around {sel}",
            list.start,
            list.start + list.rows.len()
        );
    }
}

#[test]
fn rows_read_ahead_while_waiting_are_the_whole_reviews_at_every_key() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = big_store(&dir);
    let mut app = desk(&mut store, &dir, 20);
    let all = check(&app, &store);
    let len = all.len();
    let step = |app: &mut App, store: &mut Store, code: KeyCode| {
        key(app, store, code);
        check(app, store);
        settle(app, store);
        check(app, store);
    };
    settle(&mut app, &store);
    for _ in 1..len {
        step(&mut app, &mut store, KeyCode::Char('j'));
    }
    assert_eq!(app.review.selected, len - 1);
    // Home and End take the ends read ahead.
    for _ in 0..3 {
        step(&mut app, &mut store, KeyCode::Home);
        assert_eq!(app.review.selected, 0);
        step(&mut app, &mut store, KeyCode::End);
        assert_eq!(app.review.selected, len - 1);
    }
    for _ in 1..len {
        step(&mut app, &mut store, KeyCode::Char('k'));
    }
    assert_eq!(app.review.selected, 0);
    while app.review.selected < len - 1 {
        step(&mut app, &mut store, KeyCode::PageDown);
    }
    while app.review.selected > 0 {
        step(&mut app, &mut store, KeyCode::PageUp);
    }
}

#[test]
fn nothing_read_ahead_before_a_change_is_shown_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = big_store(&dir);
    let mut app = desk(&mut store, &dir, 20);
    let all = check(&app, &store);
    // Somewhere in the middle, with the window around it and both ends read ahead.
    for _ in 0..all.len() / 2 {
        key(&mut app, &mut store, KeyCode::Char('j'));
    }
    settle(&mut app, &store);
    assert!(!app.read_ahead(&store));
    // Another process closes the tasks of the review's first and last request rows, and of
    // tasks around the selection.
    let other = Store::open_again(&dir.path().join("v.db")).unwrap();
    let sel = app.review.selected;
    let mut tasks: Vec<i64> = all[..3].iter().filter_map(|r| r.detail().task_id).collect();
    tasks.extend(all.iter().rev().filter_map(|r| r.detail().task_id).take(3));
    tasks.extend(
        all[sel.saturating_sub(30)..(sel + 30).min(all.len())]
            .iter()
            .filter(|r| r.kind.is_task())
            .map(|r| r.id)
            .step_by(3),
    );
    assert!(tasks.len() > 10);
    for id in &tasks {
        other
            .conn()
            .execute("UPDATE tasks SET status = 'done' WHERE id = ?1", [id])
            .unwrap();
    }
    drop(other);
    // Nothing more is read ahead on rows of the store as it was.
    assert!(!app.read_ahead(&store));
    assert!(app.stale(&store).unwrap());
    app.reload(&store).unwrap();
    let now = check(&app, &store);
    assert!(now.len() < all.len());
    settle(&mut app, &store);
    check(&app, &store);
    for code in [
        KeyCode::Home,
        KeyCode::PageDown,
        KeyCode::End,
        KeyCode::PageUp,
        KeyCode::Char('k'),
    ] {
        key(&mut app, &mut store, code);
        check(&app, &store);
    }
    // This desk's own change (a task done from the review) drops the ends read before it.
    key(&mut app, &mut store, KeyCode::Home);
    settle(&mut app, &store);
    while !app.review_item().unwrap().kind.is_task() {
        key(&mut app, &mut store, KeyCode::Char('j'));
    }
    settle(&mut app, &store);
    key(&mut app, &mut store, KeyCode::Char('d'));
    check(&app, &store);
    for code in [KeyCode::End, KeyCode::Home] {
        key(&mut app, &mut store, code);
        check(&app, &store);
    }
}

/// The whole review, read ahead a chunk at a time while the desk waits, is exactly
/// `Store::review`; opening the filter takes it only while the store is as it was when it was
/// read, and closing the filter keeps it for the next opening.
#[test]
fn the_whole_review_read_ahead_for_the_filter_is_the_reviews_and_never_stale() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = big_store(&dir);
    // (A second desk, launched first: a launch writes what the tick finds.)
    let mut fresh_desk = desk(&mut store, &dir, 20);
    let mut app = desk(&mut store, &dir, 20);
    let all = check(&app, &store);
    // Nothing is kept before it is read whole; reading ahead starts the read on its thread.
    let now = app.stamp(&store).unwrap();
    assert!(app.review.whole_read_ahead(&now).is_none());
    while app.read_ahead(&store) {}
    app.finish_whole_read(&store).unwrap();
    assert_eq!(app.review.whole_read_ahead(&now), Some(all.as_slice()));
    // The first and last pages come from it: End and Home land on true windows.
    while app.read_ahead(&store) {}
    key(&mut app, &mut store, KeyCode::End);
    assert_eq!(app.review.selected, all.len() - 1);
    check(&app, &store);
    key(&mut app, &mut store, KeyCode::Home);
    assert_eq!(app.review.selected, 0);
    check(&app, &store);
    // `/` takes it whole.
    key(&mut app, &mut store, KeyCode::Char('/'));
    assert_eq!(app.review.all, all);
    assert!(app.review.whole_read_ahead(&now).is_none());
    // Its rows filter as a review read at `/` does (a desk that read nothing ahead).
    key(&mut fresh_desk, &mut store, KeyCode::Char('/'));
    for c in "task 1".chars() {
        key(&mut app, &mut store, KeyCode::Char(c));
        key(&mut fresh_desk, &mut store, KeyCode::Char(c));
        let found = |a: &App| ids(&a.review.matches().cloned().collect::<Vec<_>>());
        assert_eq!(found(&app), found(&fresh_desk), "{c}");
    }
    assert!(app.review.len() < all.len() && !app.review.is_empty());
    // Closing the filter keeps it for the next `/`.
    key(&mut app, &mut store, KeyCode::Esc);
    assert!(app.review.filter.is_none());
    let now = app.stamp(&store).unwrap();
    assert_eq!(app.review.whole_read_ahead(&now), Some(all.as_slice()));
    key(&mut app, &mut store, KeyCode::Char('/'));
    assert_eq!(app.review.all, all);
    key(&mut app, &mut store, KeyCode::Esc);
    // Another process closes a task of the review: what was read before is never shown.
    let task = all.iter().find(|r| r.kind.is_task()).unwrap().id;
    let change = |task: i64| {
        let other = Store::open_again(&dir.path().join("v.db")).unwrap();
        other
            .conn()
            .execute("UPDATE tasks SET status = 'done' WHERE id = ?1", [task])
            .unwrap();
    };
    change(task);
    let now = app.stamp(&store).unwrap();
    assert!(app.review.whole_read_ahead(&now).is_none());
    key(&mut app, &mut store, KeyCode::Char('/'));
    let fresh = store.review(today()).unwrap();
    assert_eq!(fresh.len(), all.len() - 1);
    assert_eq!(app.review.all, fresh);
    key(&mut app, &mut store, KeyCode::Esc);
    // A change by another process while the whole review is being read: what that read
    // found is never kept, and reading starts over on the store as it is.
    app.reload(&store).unwrap();
    while app.read_ahead(&store) {}
    let task = fresh.iter().rev().find(|r| r.kind.is_task()).unwrap().id;
    change(task);
    app.finish_whole_read(&store).unwrap();
    let now = app.stamp(&store).unwrap();
    assert!(app.review.whole_read_ahead(&now).is_none());
    assert!(!app.read_ahead(&store));
    app.reload(&store).unwrap();
    while app.read_ahead(&store) {}
    app.finish_whole_read(&store).unwrap();
    let fresh = store.review(today()).unwrap();
    let now = app.stamp(&store).unwrap();
    assert_eq!(app.review.whole_read_ahead(&now), Some(fresh.as_slice()));
    // The desk's own write drops it too.
    key(&mut app, &mut store, KeyCode::Home);
    while !app.review_item().unwrap().kind.is_task() {
        key(&mut app, &mut store, KeyCode::Char('j'));
    }
    key(&mut app, &mut store, KeyCode::Char('d'));
    let now = app.stamp(&store).unwrap();
    assert!(app.review.whole_read_ahead(&now).is_none());
    key(&mut app, &mut store, KeyCode::Char('/'));
    assert_eq!(app.review.all, store.review(today()).unwrap());
}

/// The window shows one state of the store: a true slice of the review as it was when the
/// window was read (`old`) or as it is now, with that state's length; never rows of both.
fn one_state(app: &App, store: &Store, old: &[ReviewItem]) -> bool {
    let now = store.review(today()).unwrap();
    let list = &app.review;
    let slice_of = |all: &[ReviewItem]| {
        list.total() == all.len()
            && list
                .rows
                .iter()
                .enumerate()
                .all(|(j, r)| all.get(list.start + j) == Some(r))
    };
    assert!(
        slice_of(old) || slice_of(&now),
        "rows {}..{} of {} mix two states of the store",
        list.start,
        list.start + list.rows.len(),
        list.total()
    );
    slice_of(&now)
}

#[test]
fn a_change_by_another_program_is_never_shown_half_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = big_store(&dir);
    let mut app = desk(&mut store, &dir, 20);
    for moves in [
        // From the top, down to the end and back (the rows of the first page dropped).
        vec![KeyCode::PageDown; 40],
        // From the end, up to the top.
        vec![KeyCode::PageUp; 40],
        // Home and End, then down the rows one by one.
        [vec![KeyCode::End, KeyCode::Home], vec![KeyCode::Char('j'); 60]].concat(),
    ] {
        settle(&mut app, &store);
        let old = store.review(today()).unwrap();
        // Another program adds an overdue task that sorts first (the most days late), and
        // closes the task of the review's last row.
        let other = Store::open_again(&dir.path().join("v.db")).unwrap();
        other
            .conn()
            .execute(
                "INSERT INTO tasks(client_id, title, spec, status, due, created_on)
                 SELECT id, 'Added by another program', '', 'todo', '2020-01-0' || (1 + (SELECT count(*) FROM tasks WHERE title = 'Added by another program')), '2020-01-01' FROM clients LIMIT 1",
                [],
            )
            .unwrap();
        if let Some(t) = old.iter().rev().find(|r| r.kind.is_task()) {
            other
                .conn()
                .execute("UPDATE tasks SET status = 'done' WHERE id = ?1", [t.id])
                .unwrap();
        }
        drop(other);
        let mut reread = false;
        for code in moves {
            key(&mut app, &mut store, code);
            reread |= one_state(&app, &store, &old);
            while app.read_ahead(&store) {}
            reread |= one_state(&app, &store, &old);
        }
        assert!(reread, "the moves read rows, so the review was read again");
        // The tick's reload, as the desk gets it.
        app.reload(&store).unwrap();
        check(&app, &store);
    }
}

/// `review --json`'s rows (the task rows kept compactly, not made into review rows) are the
/// whole review's in its order, and that order is `review::sort`'s, on a store whose names tie
/// but for case and accents.
#[test]
fn the_json_review_s_rows_are_the_whole_review_s_in_sort_order() {
    use vadesk::domain::review::{self, ReviewLine};
    let dir = tempfile::tempdir().unwrap();
    let store = big_store(&dir);
    let all = store.review(today()).unwrap();
    assert!(all.iter().filter(|r| r.kind == ReviewKind::TaskOverdue).count() > 50);
    let mut sorted = all.clone();
    sorted.reverse();
    review::sort(&mut sorted);
    assert_eq!(sorted, all);
    let lines = store.review_lines(today()).unwrap();
    let got: Vec<ReviewLine<'_>> = lines.lines().collect();
    let want: Vec<ReviewLine<'_>> = all.iter().map(ReviewLine::of).collect();
    assert_eq!(got, want);
}

//! "All clients": the tasks pane's `/` reads the store's search index (SQLite FTS5, accents and
//! case folded, the last word a prefix) instead of loading every task of the store, so a key
//! costs one indexed lookup and a page of rows whatever the store's size.

use super::app::{follow, App, Listed};
use crate::error::Result;
use crate::store::Store;

/// The most tasks the filter shows, best first.
pub const SEARCH_ROWS: usize = 200;
/// Matches read from the index (the newest) and ranked for them: a word every task holds
/// costs this many, not the store's size. Two and a half times the rows shown: at a million
/// tasks each candidate costs about a third of a microsecond to find and another to size, on
/// pages the desk has rarely read, so a digit typed after a common word took 2,000 of them
/// over 2 ms, and 1,000 of them up to 2 ms with the frame.
const SEARCH_CANDIDATES: usize = 500;

/// The filtered rows of "All clients": the ids of the tasks the typed words find, best first
/// (before a word is typed, the whole list as without a filter), and the rows of the page
/// around the selection alone. The selection stays on its record when it is still there.
pub fn tasks(app: &mut App, store: &Store) -> Result<()> {
    store.reading(|store| tasks_in(app, store))
}

fn tasks_in(app: &mut App, store: &Store) -> Result<()> {
    let keep = app.tasks.selected_id();
    let query = query(app);
    if query.is_empty() {
        return browse(app, store, keep);
    }
    let ids = matches(store, &mut app.tasks.answers, &query)?;
    app.tasks.selected = follow(ids.iter().copied(), keep, app.tasks.selected, ids.len());
    found(app, store, query, ids)
}

/// A key typed into the filter of "All clients": the index is asked again only when the
/// words changed (a space, or a letter typed and erased, finds what the ids already are); the
/// selection goes to the best match.
pub fn typed(app: &mut App, store: &Store) -> Result<()> {
    store.reading(|store| typed_in(app, store))
}

fn typed_in(app: &mut App, store: &Store) -> Result<()> {
    let query = query(app);
    app.tasks.selected = 0;
    if query.is_empty() {
        return browse(app, store, None);
    }
    let list = &app.tasks;
    let same = list.searched.as_ref().is_some_and(|(q, ids)| {
        *q == query
            && ids
                .get(list.start..list.start + list.rows.len())
                .is_some_and(|w| w.iter().zip(&list.rows).all(|(a, t)| *a == t.id))
    });
    if same {
        return window(app, store);
    }
    let ids = matches(store, &mut app.tasks.answers, &query)?;
    found(app, store, query, ids)
}

/// No word typed yet: the whole list, its length from the tallies and its rows read by keyset
/// as without a filter (not the first page of it, as if the store held no more).
fn browse(app: &mut App, store: &Store, keep: Option<i64>) -> Result<()> {
    app.tasks.searched = None;
    app.tasks.all.clear();
    app.reload_tasks(store, keep)
}

fn query(app: &App) -> String {
    app.tasks
        .filter
        .as_ref()
        .map(|f| f.query().trim().to_string())
        .unwrap_or_default()
}

/// How many queries' answers are kept (the words typed so far and their prefixes, so that
/// erasing a letter, or typing it again, reads nothing).
const ANSWERS: usize = 16;

/// The ids the last few queries found, kept while the store is exactly as it was when they
/// were read: no other connection committed (`PRAGMA data_version`) and this connection
/// changed no row (`total_changes`). Anything else drops them all, so an answer given from
/// here is always what the index gives now.
#[derive(Debug, Clone, Default)]
pub struct Answers {
    stamp: Option<(i64, u64)>,
    /// The most recently used last.
    kept: Vec<(String, Vec<i64>)>,
}

impl Answers {
    /// The kept answer to `query`, when the store has not changed since it was read.
    fn get(&mut self, stamp: (i64, u64), query: &str) -> Option<Vec<i64>> {
        if self.stamp != Some(stamp) {
            self.stamp = Some(stamp);
            self.kept.clear();
            return None;
        }
        let at = self.kept.iter().position(|(q, _)| q == query)?;
        let hit = self.kept.remove(at);
        let ids = hit.1.clone();
        self.kept.push(hit);
        Some(ids)
    }

    fn put(&mut self, stamp: (i64, u64), query: &str, ids: &[i64]) {
        if self.stamp != Some(stamp) {
            self.stamp = Some(stamp);
            self.kept.clear();
        }
        if self.kept.len() >= ANSWERS {
            self.kept.remove(0);
        }
        self.kept.push((query.to_string(), ids.to_vec()));
    }
}

fn matches(store: &Store, answers: &mut Answers, query: &str) -> Result<Vec<i64>> {
    let stamp = (store.data_version()?, store.total_changes());
    if let Some(ids) = answers.get(stamp, query) {
        return Ok(ids);
    }
    let ids = store.task_matches(query, SEARCH_ROWS, SEARCH_CANDIDATES)?;
    answers.put(stamp, query, &ids);
    Ok(ids)
}

/// New matches: no row read yet but the selection's page.
fn found(app: &mut App, store: &Store, query: String, ids: Vec<i64>) -> Result<()> {
    app.tasks.searched = Some((query, ids));
    app.tasks.rows.clear();
    app.tasks.start = 0;
    app.tasks.keys.clear();
    app.tasks.all.clear();
    window(app, store)
}

/// Makes sure the rows around the selection among the matches are read: every row a page of
/// the list can show with the selection on it (a page before it to a page after; a page as
/// the list was last drawn, else the most any list can show), read again only when the
/// selection leaves them, then with a page more in the way it went. A match deleted
/// meanwhile drops out of the matches.
pub fn window(app: &mut App, store: &Store) -> Result<()> {
    let page = app.drawn_page(Listed::Tasks);
    let list = &mut app.tasks;
    let Some((_, ids)) = list.searched.as_mut() else {
        return Ok(());
    };
    for _ in 0..3 {
        let len = ids.len();
        if len == 0 {
            list.rows.clear();
            list.start = 0;
            list.selected = 0;
            return Ok(());
        }
        list.selected = list.selected.min(len - 1);
        let sel = list.selected;
        let (lo, hi) = (sel.saturating_sub(page - 1), (sel + page).min(len));
        let (s, e) = (list.start, list.start + list.rows.len());
        if !list.rows.is_empty() && lo >= s && hi <= e {
            return Ok(());
        }
        let (lo, hi) = if list.rows.is_empty() {
            (lo, hi)
        } else if sel >= e {
            (lo, (hi + page).min(len))
        } else {
            (lo.saturating_sub(page), hi)
        };
        let rows = store.tasks_by_ids(&ids[lo..hi])?;
        let complete = rows.len() == hi - lo;
        list.start = lo;
        list.rows = rows;
        if complete {
            return Ok(());
        }
        let have: std::collections::HashSet<i64> = list.rows.iter().map(|t| t.id).collect();
        let gone: std::collections::HashSet<i64> = ids[lo..hi].iter().copied().filter(|i| !have.contains(i)).collect();
        ids.retain(|i| !gone.contains(i));
        list.rows.clear();
    }
    Ok(())
}

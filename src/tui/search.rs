//! "All clients": the tasks pane's `/` reads the store's search index (SQLite FTS5, accents and
//! case folded, the last word a prefix) instead of loading every task of the store, so a key
//! costs one indexed lookup and a page of rows whatever the store's size.

use super::app::{follow, App};
use crate::error::Result;
use crate::store::Store;

/// The most tasks the filter shows, best first.
pub const SEARCH_ROWS: usize = 200;
/// Matches read from the index (the newest) and ranked for them: a word every task holds
/// costs this many, not the store's size.
const SEARCH_CANDIDATES: usize = 2_000;

/// The filtered rows of "All clients": the tasks the typed words find, best first; before a
/// word is typed, the first page of the list. The selection stays on its record when it is
/// still there.
pub fn tasks(app: &mut App, store: &Store) -> Result<()> {
    let keep = app.tasks.selected_id();
    let query = app
        .tasks
        .filter
        .as_ref()
        .map(|f| f.query().trim().to_string())
        .unwrap_or_default();
    let ids: Vec<i64> = if query.is_empty() {
        store
            .task_keys_after(None, None, false, SEARCH_ROWS)?
            .into_iter()
            .map(|k| k.id)
            .collect()
    } else {
        store.task_matches(&query, SEARCH_ROWS, SEARCH_CANDIDATES)?
    };
    let rows = store.tasks_by_ids(&ids)?;
    app.tasks.selected = follow(rows.iter().map(|t| t.id), keep, app.tasks.selected, rows.len());
    app.tasks.searched = Some((query, rows.iter().map(|t| t.id).collect()));
    app.tasks.rows = rows;
    app.tasks.start = 0;
    app.tasks.keys.clear();
    app.tasks.all.clear();
    Ok(())
}

/// A key typed into the filter of "All clients": the index is asked again only when the
/// words changed (a space, or a letter typed and erased, finds what the rows already hold).
pub fn typed(app: &mut App, store: &Store) -> Result<()> {
    let query = app
        .tasks
        .filter
        .as_ref()
        .map(|f| f.query().trim().to_string())
        .unwrap_or_default();
    let same = app.tasks.searched.as_ref().is_some_and(|(q, ids)| {
        *q == query && ids.len() == app.tasks.rows.len() && ids.iter().zip(&app.tasks.rows).all(|(a, t)| *a == t.id)
    });
    if same {
        return Ok(());
    }
    tasks(app, store)
}

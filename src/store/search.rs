//! Search over the FTS5 index the migration builds and the triggers keep current.

use crate::domain::search::{match_query, SearchHit, SearchKind};
use crate::error::Result;

use super::Store;

/// One page of hits, best first (bm25, a title word weighing four times a body word). The
/// index ranks the matches itself (FTS5 takes the ORDER BY); only the page's rows read a
/// client's name and build a snippet.
pub(crate) const SEARCH_PAGE: &str =
    "SELECT rowid, client_id, (SELECT c.name FROM clients c WHERE c.id = search.client_id),
            title, snippet(search, -1, '[', ']', '…', 12)
     FROM search WHERE search MATCH ?1 ORDER BY rank LIMIT ?2 OFFSET ?3";

impl Store {
    /// A page of what `typed` finds: clients, tasks, requests, quotes and flag notes, best
    /// matches first. `typed` is plain words (nothing in it is query syntax); the last word
    /// matches as a prefix, so this can run on every key of a search field. Accents and case
    /// do not matter (`clinica` finds "Clínica"). Empty text, or text without a letter or
    /// digit, finds nothing. Costs the index lookup plus `limit` rows, whatever the store's
    /// size; use a small `limit` (a screen's rows) and `offset` to page on.
    pub fn search(&self, typed: &str, limit: usize, offset: usize) -> Result<Vec<SearchHit>> {
        let Some(q) = match_query(typed) else {
            return Ok(Vec::new());
        };
        let mut stmt = self.conn.prepare_cached(SEARCH_PAGE)?;
        let rows = stmt.query_map(
            rusqlite::params![
                q,
                limit.min(i64::MAX as usize) as i64,
                offset.min(i64::MAX as usize) as i64
            ],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Option<i64>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                ))
            },
        )?;
        let mut out = Vec::new();
        for row in rows {
            let (rowid, client_id, client, title, snippet) = row?;
            let Some((kind, id)) = SearchKind::from_rowid(rowid) else {
                continue;
            };
            out.push(SearchHit {
                kind,
                id,
                client_id: client_id.unwrap_or_default(),
                client: client.unwrap_or_default(),
                title: title.unwrap_or_default(),
                snippet: snippet.unwrap_or_default(),
            });
        }
        Ok(out)
    }
}

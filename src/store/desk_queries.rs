//! Small read-only queries the terminal desk needs beyond the typed ones of each entity.

use std::collections::HashMap;

use super::Store;
use crate::error::Result;

impl Store {
    /// Per client: tasks still to do (`todo`, `doing`) and tasks delivered that wait on the
    /// client's word, counted apart.
    pub fn open_and_delivered(&self) -> Result<HashMap<i64, (u32, u32)>> {
        let mut q = self.conn.prepare_cached(OPEN_AND_DELIVERED)?;
        let rows = q.query_map([], |r| {
            Ok((r.get::<_, i64>(0)?, (r.get::<_, u32>(1)?, r.get::<_, u32>(2)?)))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// To do and delivered tasks per client: from the tallies the triggers keep.
pub(crate) const OPEN_AND_DELIVERED: &str = "SELECT client_id, max(todo, 0), max(delivered, 0) FROM client_tally";

//! Search: what a person types becomes an FTS5 query of plain words, and what comes back.

use serde::Serialize;

use crate::i18n::T;
use crate::keyed_enum;

keyed_enum!(
    /// What a search hit is.
    SearchKind, T::ErrBadSearchKind, {
    Client => "client" | "cliente", T::SkClient,
    Task => "task" | "tarea", T::SkTask,
    Material => "material" | "material", T::SkMaterial,
    Feedback => "feedback" | "feedback", T::SkFeedback,
    Quote => "quote" | "presupuesto", T::SkQuote,
    Flag => "flag" | "bandera", T::SkFlag,
});

/// Where the tasks' rows of the search index begin: every task's rowid is at least this, above
/// every other record's `id × 8 + code` (ids below 2^37), so the tasks are one range of the
/// index, at its end, and the task filter reads that range alone. The schema's SQL writes the
/// number out: 1099511627776.
pub const TASK_ROWID_BASE: i64 = 1 << 40;

/// A task's rowid is this minus its id (schema step 18): the newest task has the smallest rowid
/// of the tasks' range, so the filter's "newest matches first" is FTS5's own ascending walk
/// (a walk downwards, as before the step with rowid id + 2^40, read every page of a word's
/// rows backwards: three times the cost). Task ids stay below 2^40, so every task is in the
/// range. The schema's SQL writes the number out: 2199023255552.
pub const TASK_ROWID_TOP: i64 = 1 << 41;

/// The largest id a record may have for the index's layout to hold: every other record's
/// `id × 8 + code` below `TASK_ROWID_BASE`, every task's `TASK_ROWID_TOP - id` above it. The
/// store gives ids one by one from 1.
pub const MAX_RECORD_ID: i64 = (1 << 37) - 1;

/// The largest id an import keeps from a file (it refuses larger ones): half of
/// `MAX_RECORD_ID`, so that the records added after it, whose ids follow the largest one,
/// still have 2^36 ids to go.
pub const MAX_IMPORTED_ID: i64 = (MAX_RECORD_ID + 1) / 2;

impl SearchKind {
    /// The kind's code in the index rowid (`id × 8 + code`), as the migration lays it out.
    pub fn code(self) -> i64 {
        match self {
            SearchKind::Client => 1,
            SearchKind::Task => 2,
            SearchKind::Material => 3,
            SearchKind::Feedback => 4,
            SearchKind::Quote => 5,
            SearchKind::Flag => 6,
        }
    }

    /// The index rowid of a record: [`TASK_ROWID_TOP`] minus a task's id, anything else's
    /// `id × 8 + code`.
    pub fn rowid(self, id: i64) -> i64 {
        match self {
            SearchKind::Task => TASK_ROWID_TOP - id,
            k => id * 8 + k.code(),
        }
    }

    /// The kind and record id of an index rowid.
    pub fn from_rowid(rowid: i64) -> Option<(SearchKind, i64)> {
        if rowid >= TASK_ROWID_BASE {
            return (rowid < TASK_ROWID_TOP).then_some((SearchKind::Task, TASK_ROWID_TOP - rowid));
        }
        let code = rowid.rem_euclid(8);
        let kind = SearchKind::ALL
            .iter()
            .copied()
            .find(|k| *k != SearchKind::Task && k.code() == code)?;
        Some((kind, rowid.div_euclid(8)))
    }
}

/// One record a search found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    pub kind: SearchKind,
    /// The record's id (a client's, a task's, a request's, a quote's or a flag's).
    pub id: i64,
    pub client_id: i64,
    /// The client's name (for a client, its own).
    pub client: String,
    /// The record's main text: a client's name, a task's title, what a request asks for, a
    /// quote's description, a flag's note.
    pub title: String,
    /// A short extract around the words found, the matches between `[` and `]`.
    pub snippet: String,
}

/// Turns typed text into an FTS5 query: every word is quoted (so `"`, `*`, `-`, `:`, `(`,
/// `AND`, `NEAR` typed by a person are plain text), all words must match, and the last one
/// matches as a prefix, so a search works while it is being typed. None when no word is left
/// (empty text, or only punctuation).
pub fn match_query(typed: &str) -> Option<String> {
    let words: Vec<String> = typed
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect();
    let (last, rest) = words.split_last()?;
    let mut q = rest.join(" ");
    if !q.is_empty() {
        q.push(' ');
    }
    q.push_str(last);
    q.push('*');
    Some(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_is_words_with_a_prefix_last() {
        assert_eq!(match_query("clinica").as_deref(), Some("\"clinica\"*"));
        assert_eq!(
            match_query("  Logo  \"final\" ").as_deref(),
            Some("\"Logo\" \"final\"*")
        );
        assert_eq!(match_query("a-b:c*").as_deref(), Some("\"a\" \"b\" \"c\"*"));
        assert_eq!(match_query("NEAR(x y)").as_deref(), Some("\"NEAR\" \"x\" \"y\"*"));
        assert_eq!(match_query(""), None);
        assert_eq!(match_query(" \" * - : "), None);
        assert_eq!(match_query("Clínica").as_deref(), Some("\"Clínica\"*"));
    }

    #[test]
    fn rowids_round_trip() {
        for k in SearchKind::ALL {
            assert_eq!(SearchKind::from_rowid(k.rowid(42)), Some((*k, 42)));
        }
        assert_eq!(SearchKind::from_rowid(8 * 3), None);
        // A task's row is in the tasks' range only (the layouts before steps 16 and 18 are
        // gone), the newest first.
        assert_eq!(SearchKind::from_rowid(42 * 8 + 2), None);
        assert_eq!(
            SearchKind::from_rowid(TASK_ROWID_BASE + 7),
            Some((SearchKind::Task, TASK_ROWID_BASE - 7))
        );
        assert_eq!(SearchKind::Task.rowid(7), 2_199_023_255_545);
        assert!(SearchKind::Task.rowid(8) < SearchKind::Task.rowid(7));
        assert!(SearchKind::Flag.rowid(MAX_RECORD_ID) < TASK_ROWID_BASE);
        assert_eq!(MAX_IMPORTED_ID, 1 << 36);
        assert!(SearchKind::Task.rowid(TASK_ROWID_BASE - 1) > TASK_ROWID_BASE);
        assert_eq!(SearchKind::from_rowid(TASK_ROWID_TOP), None);
    }
}

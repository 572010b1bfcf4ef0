//! The task lists of the desk, a window at a time. A list (one client's tasks, or every task
//! of the store on "All clients") is read in its order — live tasks first by due date, then
//! the closed ones — by keyset: the rows after (or before) a row's place in that order, each
//! read a seek on `tasks_order` or `tasks_client_order` plus the rows wanted, so the cost is
//! the window's, never the list's. Lengths come from `client_tally`, kept by triggers.

use rusqlite::Row;

use super::Store;
use crate::domain::Task;
use crate::error::Result;

/// A task's place in the lists' order: closed or not, without a due date or not, the due
/// date as stored, the id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskKey {
    pub closed: bool,
    pub no_due: bool,
    pub due: Option<String>,
    pub id: i64,
}

const CLOSED: &str = "(t.status IN ('done', 'cancelled'))";
const NO_DUE: &str = "(t.due IS NULL)";

/// One seek of a keyset read: its conditions (after the scope's) and order. `?1` is the
/// client (when scoped), `?2`..`?5` the key's parts, `?6` the limit.
struct Seek {
    cond: &'static str,
    order: &'static str,
}

/// Forward from a key, in the order the segments come: the same due date (ids after), later
/// due dates, the tasks without one, the closed tasks. `include` reads the key's own row too.
const AFTER_SAME_DUE: Seek = Seek {
    cond: "(t.status IN ('done', 'cancelled')) = ?2 AND (t.due IS NULL) = ?3 AND t.due IS ?4 AND t.id > ?5",
    order: "t.id",
};
const FROM_SAME_DUE: Seek = Seek {
    cond: "(t.status IN ('done', 'cancelled')) = ?2 AND (t.due IS NULL) = ?3 AND t.due IS ?4 AND t.id >= ?5",
    order: "t.id",
};
const AFTER_LATER_DUE: Seek = Seek {
    cond: "(t.status IN ('done', 'cancelled')) = ?2 AND (t.due IS NULL) = 0 AND t.due > ?4",
    order: "t.due, t.id",
};
const AFTER_NO_DUE: Seek = Seek {
    cond: "(t.status IN ('done', 'cancelled')) = ?2 AND (t.due IS NULL) = 1",
    order: "t.due, t.id",
};
const AFTER_CLOSED: Seek = Seek {
    cond: "(t.status IN ('done', 'cancelled')) > ?2",
    order: "(t.status IN ('done', 'cancelled')), (t.due IS NULL), t.due, t.id",
};
/// Backward from a key: the same due date (ids before), earlier due dates (or, from a task
/// without one, every dated task of its section), the open tasks before the closed ones.
const BEFORE_SAME_DUE: Seek = Seek {
    cond: "(t.status IN ('done', 'cancelled')) = ?2 AND (t.due IS NULL) = ?3 AND t.due IS ?4 AND t.id < ?5",
    order: "t.id DESC",
};
const BEFORE_EARLIER_DUE: Seek = Seek {
    cond: "(t.status IN ('done', 'cancelled')) = ?2 AND (t.due IS NULL) = 0 AND t.due < ?4",
    order: "t.due DESC, t.id DESC",
};
const BEFORE_DATED: Seek = Seek {
    cond: "(t.status IN ('done', 'cancelled')) = ?2 AND (t.due IS NULL) = 0",
    order: "t.due DESC, t.id DESC",
};
const BEFORE_OPEN: Seek = Seek {
    cond: "(t.status IN ('done', 'cancelled')) < ?2",
    order: "(t.status IN ('done', 'cancelled')) DESC, (t.due IS NULL) DESC, t.due DESC, t.id DESC",
};
const FIRST: Seek = Seek {
    cond: "?2 IS NOT NULL",
    order: "(t.status IN ('done', 'cancelled')), (t.due IS NULL), t.due, t.id",
};
const LAST: Seek = Seek {
    cond: "?2 IS NOT NULL",
    order: "(t.status IN ('done', 'cancelled')) DESC, (t.due IS NULL) DESC, t.due DESC, t.id DESC",
};

/// Every seek, for the query-plan test.
const SEEKS: &[(&str, Seek)] = &[
    ("after: same due", AFTER_SAME_DUE),
    ("from: same due", FROM_SAME_DUE),
    ("after: later due", AFTER_LATER_DUE),
    ("after: no due", AFTER_NO_DUE),
    ("after: closed", AFTER_CLOSED),
    ("before: same due", BEFORE_SAME_DUE),
    ("before: earlier due", BEFORE_EARLIER_DUE),
    ("before: dated", BEFORE_DATED),
    ("before: open", BEFORE_OPEN),
    ("first", FIRST),
    ("last", LAST),
];

/// The SQL of one seek, over every task (`client` false) or one client's.
fn seek_sql(seek: &Seek, client: bool) -> String {
    let scope = if client { "t.client_id = ?1" } else { "?1 IS NULL" };
    format!(
        "SELECT t.id, {CLOSED}, {NO_DUE}, t.due FROM tasks t WHERE {scope} AND {} ORDER BY {} LIMIT ?6",
        seek.cond, seek.order
    )
}

/// How many tasks of a list (a client's, or every task) a seek's conditions hold.
fn count_sql(seek: &Seek, client: bool) -> String {
    let scope = if client { "t.client_id = ?1" } else { "?1 IS NULL" };
    format!(
        "SELECT count(*) FROM tasks t WHERE {scope} AND {} AND ?5 IS NOT NULL",
        seek.cond
    )
}

/// The open tasks of a list: from the tallies.
pub(crate) const OPEN_COUNT: &str =
    "SELECT coalesce(sum(todo + delivered), 0) FROM client_tally WHERE ?1 IS NULL OR client_id = ?1";

/// "All clients": every task and the open ones, from the tallies in one pass (one row a
/// client).
pub(crate) const ALL_COUNTS: &str =
    "SELECT coalesce(sum(tasks), 0), coalesce(sum(todo + delivered), 0) FROM client_tally";

/// [`ALL_COUNTS`]' answer, kept with the store's state it was read at (`PRAGMA data_version`
/// and the connection's own changes): closing the filter on "All clients" asks for both, and
/// summing a thousand clients' tallies twice cost a tenth of the key.
pub(crate) type AllCounts = std::cell::Cell<Option<((i64, u64), usize, usize)>>;

/// The newest tasks the index finds (`?1` a MATCH expression), at most `?2`, each with what
/// its rank needs but the row's length (see [`FREQ`]; a title word weighing four times a body
/// word): FTS5 walks its matches in rowid order from the start of the tasks' range
/// (`TASK_ROWID_BASE` on; a task's rowid is `TASK_ROWID_TOP` minus its id, so the newest task
/// comes first) and stops at the limit, so a word found in every task costs the limit, not the
/// store, and a word the other records hold too costs nothing more (the tasks' range is the
/// index's end). The walk goes forwards through each word's pages: a walk downwards reads every
/// page backwards, three times the cost. The function hands each row's counts to the query's
/// collector (see [`Collected`]) rather than as a value of the row.
pub(crate) const TASK_MATCHES: &str = "SELECT vadesk_freq(search, 4.0, 1.0, 0.0) FROM search
     WHERE search MATCH ?1 AND rowid >= 1099511627776 ORDER BY rowid LIMIT ?2";

/// The lengths of the candidates' rows (FTS5's own record of them: one varint of tokens per
/// column), read as one range of rows when the candidates lie close together (the newest
/// tasks, for a word most of them hold)... `vadesk_size(id, sz)` hands each to the thread's
/// collector ([`SIZES`]), so the statement gives one row, not one per candidate.
pub(crate) const ROW_SIZES_RANGE: &str =
    "SELECT count(vadesk_size(id, sz)) FROM search_docsize WHERE id BETWEEN ?1 AND ?2";
/// ... or row by row for candidates spread over the index (`?1` a JSON array of rowids).
pub(crate) const ROW_SIZES_OF: &str =
    "SELECT count(vadesk_size(d.id, d.sz)) FROM json_each(?1) j JOIN search_docsize d ON d.id = j.value";

/// The SQL function that collects row sizes (see [`ROW_SIZES_RANGE`]).
const SIZE: &std::ffi::CStr = c"vadesk_size";

thread_local! {
    /// The row sizes a statement of [`ROW_SIZES_RANGE`] or [`ROW_SIZES_OF`] this thread is
    /// stepping has read so far (rowid, length), if one is.
    static SIZES: std::cell::RefCell<Option<Vec<(i64, f64)>>> = const { std::cell::RefCell::new(None) };
}

/// `vadesk_size(id, sz)`: the row's length into [`SIZES`]; its value is NULL (an error
/// outside a read of row sizes).
unsafe extern "C" fn size(
    ctx: *mut rusqlite::ffi::sqlite3_context,
    n_val: std::ffi::c_int,
    vals: *mut *mut rusqlite::ffi::sqlite3_value,
) {
    use rusqlite::ffi;
    let done = SIZES.with(|c| {
        let Ok(mut c) = c.try_borrow_mut() else {
            return false;
        };
        let Some(out) = c.as_mut() else {
            return false;
        };
        if n_val != 2 {
            return false;
        }
        // SAFETY: SQLite calls this with `n_val` (2) argument values valid for the call; the
        // blob's bytes are valid until the value changes, and are read before it does.
        unsafe {
            let id = ffi::sqlite3_value_int64(*vals);
            let blob = ffi::sqlite3_value_blob(*vals.add(1)).cast::<u8>();
            let len = usize::try_from(ffi::sqlite3_value_bytes(*vals.add(1))).unwrap_or(0);
            let sz = if blob.is_null() || len == 0 {
                &[][..]
            } else {
                std::slice::from_raw_parts(blob, len)
            };
            out.push((id, row_size(sz)));
        }
        true
    });
    if !done {
        // SAFETY: `ctx` is the call's own result context.
        unsafe { ffi::sqlite3_result_error_code(ctx, ffi::SQLITE_MISUSE) };
    }
}

/// The FTS5 function that gives the filter's rank its terms: bm25 (k1 1.2, b 0.75, each
/// column's weight from the arguments) with every typed word weighing the same. FTS5's own
/// `bm25` weighs each word by how many rows of the whole index hold it, and counts them on
/// every query by walking each word's full list of rows: 30 ms for a word a million tasks
/// hold, on every key. Every candidate holds every typed word, so that weight only tilts one
/// word against another; without it a key costs the candidates alone. For one word the order
/// is exactly `bm25`'s.
///
/// `vadesk_freq(search, w0, w1, ...)` adds to the query's [`Collected`] the row's rowid and
/// each phrase's weighted count in it (the index's average row length once); [`flat_bm25`]
/// adds the row's length. The length is read apart ([`ROW_SIZES_RANGE`]): FTS5 reads it with
/// one statement per row, half of what ranking 2,000 candidates cost. Nothing goes through
/// the row's value (no blob made, copied and read again per candidate).
const FREQ: &std::ffi::CStr = c"vadesk_freq";

/// What [`freq`] gathers for one query of [`TASK_MATCHES`]: the index's average row length,
/// how many phrases the query has, and each candidate's rowid with its phrases' weighted
/// counts side by side (`phrases` per row), in the order FTS5 gives them.
#[derive(Debug, Default)]
struct Collected {
    avgdl: Option<f64>,
    phrases: usize,
    rowids: Vec<i64>,
    counts: Vec<f64>,
    /// The first error FTS5 gave (the query then fails with it).
    failed: Option<std::ffi::c_int>,
}

thread_local! {
    /// The collector of the query of [`TASK_MATCHES`] this thread is stepping, if any: the
    /// function runs on the thread that steps the statement, inside the step.
    static COLLECTING: std::cell::RefCell<Option<Collected>> = const { std::cell::RefCell::new(None) };
}

/// Collects for the duration of one query: the collector is taken back (or dropped) when this
/// goes, whatever happened meanwhile.
struct Collecting;

impl Collecting {
    fn start() -> Collecting {
        COLLECTING.with(|c| {
            if let Ok(mut c) = c.try_borrow_mut() {
                *c = Some(Collected::default());
            }
        });
        Collecting
    }

    fn finish(self) -> Option<Collected> {
        COLLECTING.with(|c| c.try_borrow_mut().ok().and_then(|mut c| c.take()))
    }
}

impl Drop for Collecting {
    fn drop(&mut self) {
        COLLECTING.with(|c| {
            if let Ok(mut c) = c.try_borrow_mut() {
                *c = None;
            }
        });
    }
}

/// Minus the bm25 sum of a row's phrases, each with an inverse document frequency of 1 (lower
/// is better, as with `bm25`), from its weighted counts, its length and the average length.
fn flat_bm25(freq: &[f64], size: f64, avgdl: f64) -> f64 {
    const K1: f64 = 1.2;
    const B: f64 = 0.75;
    let score: f64 = freq
        .iter()
        .map(|f| (f * (K1 + 1.0)) / (f + K1 * (1.0 - B + B * size / avgdl)))
        .sum();
    -score
}

/// A row's length from its `sz` record (one varint per column, SQLite's varint).
fn row_size(sz: &[u8]) -> f64 {
    let mut total = 0u64;
    let mut i = 0;
    while i < sz.len() {
        let mut v = 0u64;
        let mut n = 0;
        while i < sz.len() {
            let b = sz[i];
            i += 1;
            n += 1;
            if n == 9 {
                v = (v << 8) | u64::from(b);
                break;
            }
            v = (v << 7) | u64::from(b & 0x7f);
            if b & 0x80 == 0 {
                break;
            }
        }
        total = total.saturating_add(v);
    }
    // xColumnSize(-1) sums the columns as an int, as the old rank read it.
    total as i32 as f64
}

/// `vadesk_freq(search, w0, w1, ...)`: the current row into the thread's [`Collected`]; the
/// row's value is NULL.
unsafe extern "C" fn freq(
    api: *const rusqlite::ffi::Fts5ExtensionApi,
    fts: *mut rusqlite::ffi::Fts5Context,
    ctx: *mut rusqlite::ffi::sqlite3_context,
    n_val: std::ffi::c_int,
    vals: *mut *mut rusqlite::ffi::sqlite3_value,
) {
    use rusqlite::ffi;
    let rc = COLLECTING.with(|c| match c.try_borrow_mut() {
        Ok(mut c) => match c.as_mut() {
            // SAFETY: FTS5 calls this with its own extension API, the cursor's context and
            // `n_val` argument values, all valid for the duration of the call.
            Some(into) => match unsafe { collect_row(&*api, fts, n_val, vals, into) } {
                Ok(()) => ffi::SQLITE_OK,
                Err(rc) => {
                    into.failed.get_or_insert(rc);
                    rc
                }
            },
            // Called outside `task_matches`: nothing to collect into.
            None => ffi::SQLITE_MISUSE,
        },
        Err(_) => ffi::SQLITE_MISUSE,
    });
    // SAFETY: `ctx` is the function call's own result context.
    unsafe {
        if rc == ffi::SQLITE_OK {
            ffi::sqlite3_result_null(ctx);
        } else {
            ffi::sqlite3_result_error_code(ctx, rc);
        }
    }
}

/// The index's average row length (read once per query: the first row's call reads it).
unsafe fn average_length(
    api: &rusqlite::ffi::Fts5ExtensionApi,
    fts: *mut rusqlite::ffi::Fts5Context,
) -> Result<f64, std::ffi::c_int> {
    use rusqlite::ffi;
    let (Some(row_count), Some(total_size)) = (api.xRowCount, api.xColumnTotalSize) else {
        return Err(ffi::SQLITE_ERROR);
    };
    // SAFETY: as for `freq`.
    unsafe {
        let (mut rows, mut tokens) = (0i64, 0i64);
        let rc = row_count(fts, &mut rows);
        if rc != ffi::SQLITE_OK {
            return Err(rc);
        }
        let rc = total_size(fts, -1, &mut tokens);
        if rc != ffi::SQLITE_OK {
            return Err(rc);
        }
        Ok(tokens as f64 / rows.max(1) as f64)
    }
}

/// The current row's rowid and each phrase's count in it, each instance weighing its column's
/// weight, appended to `into` (the average length too, on the query's first row).
unsafe fn collect_row(
    api: &rusqlite::ffi::Fts5ExtensionApi,
    fts: *mut rusqlite::ffi::Fts5Context,
    n_val: std::ffi::c_int,
    vals: *mut *mut rusqlite::ffi::sqlite3_value,
    into: &mut Collected,
) -> Result<(), std::ffi::c_int> {
    use rusqlite::ffi;
    let (Some(phrase_count), Some(first), Some(next), Some(rowid)) =
        (api.xPhraseCount, api.xPhraseFirst, api.xPhraseNext, api.xRowid)
    else {
        return Err(ffi::SQLITE_ERROR);
    };
    // SAFETY: as for `freq`; `vals` holds `n_val` values; the phrase iterator is FTS5's own,
    // used only between its first and last step of this call.
    unsafe {
        if into.avgdl.is_none() {
            into.avgdl = Some(average_length(api, fts)?);
            into.phrases = phrase_count(fts).max(0) as usize;
        }
        // The columns' weights (a column past the arguments weighs 1).
        let mut weights = [1.0f64; 8];
        for (i, w) in weights.iter_mut().enumerate().take(n_val.max(0) as usize) {
            *w = ffi::sqlite3_value_double(*vals.add(i));
        }
        into.rowids.push(rowid(fts));
        for ip in 0..into.phrases {
            let mut sum = 0.0;
            let mut it = ffi::Fts5PhraseIter {
                a: std::ptr::null(),
                b: std::ptr::null(),
            };
            let (mut col, mut off) = (0, 0);
            let rc = first(fts, ip as std::ffi::c_int, &mut it, &mut col, &mut off);
            if rc != ffi::SQLITE_OK {
                return Err(rc);
            }
            while col >= 0 {
                sum += if col >= n_val {
                    1.0
                } else {
                    match weights.get(col as usize) {
                        Some(w) => *w,
                        None => ffi::sqlite3_value_double(*vals.add(col as usize)),
                    }
                };
                next(fts, &mut it, &mut col, &mut off);
            }
            into.counts.push(sum);
        }
        Ok(())
    }
}

/// Registers [`size`] with the connection and [`freq`] with its FTS5 (once per connection: the
/// first query that names the rank function fails to prepare without it).
fn register_freq(conn: &rusqlite::Connection) -> Result<()> {
    use rusqlite::ffi;
    let failed = || {
        crate::error::Error::from(rusqlite::Error::SqliteFailure(
            ffi::Error::new(ffi::SQLITE_ERROR),
            Some("fts5 api".into()),
        ))
    };
    // SAFETY: the handle is this open connection's; the statement is prepared, stepped and
    // finalized here; `fts5(?1)` writes the API pointer into `api` (bound for that call
    // only); the API outlives the connection, and the function pointer registered is a
    // plain `extern "C"` function without user data.
    unsafe {
        let db = conn.handle();
        let mut stmt: *mut ffi::sqlite3_stmt = std::ptr::null_mut();
        if ffi::sqlite3_prepare_v2(db, c"SELECT fts5(?1)".as_ptr(), -1, &mut stmt, std::ptr::null_mut())
            != ffi::SQLITE_OK
        {
            return Err(failed());
        }
        let mut api: *mut ffi::fts5_api = std::ptr::null_mut();
        ffi::sqlite3_bind_pointer(
            stmt,
            1,
            (&mut api as *mut *mut ffi::fts5_api).cast(),
            c"fts5_api_ptr".as_ptr(),
            None,
        );
        ffi::sqlite3_step(stmt);
        ffi::sqlite3_finalize(stmt);
        let Some(create) = api.as_ref().and_then(|a| a.xCreateFunction) else {
            return Err(failed());
        };
        // The sizes' function first: `ensure_rank` registers both again while the rank
        // function is missing, so the rank function's presence means both are there.
        // Never from a trigger or a view: it writes into this thread's collector only.
        if ffi::sqlite3_create_function_v2(
            db,
            SIZE.as_ptr(),
            2,
            ffi::SQLITE_UTF8 | ffi::SQLITE_DIRECTONLY,
            std::ptr::null_mut(),
            Some(size),
            None,
            None,
            None,
        ) != ffi::SQLITE_OK
        {
            return Err(failed());
        }
        if create(api, FREQ.as_ptr(), std::ptr::null_mut(), Some(freq), None) != ffi::SQLITE_OK {
            return Err(failed());
        }
    }
    Ok(())
}

/// The ids of one part of the tasks without a due date in `task_due_tally` (schema step 15
/// writes `id / 1024`).
const PART_IDS: i64 = 1024;

/// "All clients": how many tasks come before a key's own part of the lists' order within its
/// section (open or closed), from the kept counts (`?1` closed, `?2` no due date, `?3` the due
/// date or '', `?4` the part). At most one row per due date and part.
pub(crate) const TALLY_BEFORE: &str = "SELECT coalesce(sum(n), 0) FROM task_due_tally
     WHERE closed = ?1 AND (no_due, due, part) < (?2, ?3, ?4)";

/// "All clients": how many tasks of a key's own part come before it (`?1`..`?3` the key's
/// closed, no due date and due date, `?4` its id, `?5` its part's first id): a range of
/// `tasks_order` as long as the tasks of one due date, or at most 1,024 ids.
pub(crate) const PART_BEFORE: &str = "SELECT count(*) FROM tasks t
     WHERE (t.status IN ('done', 'cancelled')) = ?1 AND (t.due IS NULL) = ?2 AND t.due IS ?3
       AND t.id < ?4 AND t.id >= ?5";

/// The kept counts of `task_due_tally` counted again from the tasks (what the triggers
/// `tally_task_due_*` keep row by row; a bulk import counts once at its end instead). The
/// dated tasks are grouped in the order of `tasks_order` itself (no sort of a million rows:
/// a fifth of a second at a million tasks, against 1.4 s grouping all four columns at once).
pub(crate) const DUE_TALLY_AGAIN: &str = "
    DELETE FROM task_due_tally;
    INSERT INTO task_due_tally(closed, no_due, due, part, n)
        SELECT status IN ('done', 'cancelled'), due IS NULL, due, 0, count(*) FROM tasks
        WHERE (due IS NULL) = 0 GROUP BY status IN ('done', 'cancelled'), due IS NULL, due;
    INSERT INTO task_due_tally(closed, no_due, due, part, n)
        SELECT status IN ('done', 'cancelled'), 1, '', id / 1024, count(*) FROM tasks
        WHERE (due IS NULL) = 1 GROUP BY status IN ('done', 'cancelled'), id / 1024;";

/// A list's length: the tasks of a client, or of every client.
pub(crate) const TASK_COUNT: &str =
    "SELECT coalesce(sum(tasks), 0) FROM client_tally WHERE ?1 IS NULL OR client_id = ?1";

/// A task's key in the lists' order.
pub(crate) const TASK_KEY: &str =
    "SELECT t.id, (t.status IN ('done', 'cancelled')), (t.due IS NULL), t.due, t.client_id
     FROM tasks t WHERE t.id = ?1";

fn key_row(r: &Row) -> rusqlite::Result<TaskKey> {
    Ok(TaskKey {
        id: r.get(0)?,
        closed: r.get(1)?,
        no_due: r.get(2)?,
        due: r.get(3)?,
    })
}

impl Store {
    /// "All clients"' length and open tasks: kept while the store is as it was when they
    /// were summed.
    fn all_counts(&self) -> Result<(usize, usize)> {
        let stamp = (self.data_version()?, self.total_changes());
        if let Some((at, all, open)) = self.all_counts.get() {
            if at == stamp {
                return Ok((all, open));
            }
        }
        let (all, open): (i64, i64) = self
            .conn
            .prepare_cached(ALL_COUNTS)?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let (all, open) = (all.max(0) as usize, open.max(0) as usize);
        self.all_counts.set(Some((stamp, all, open)));
        Ok((all, open))
    }

    /// How many tasks a list holds (a client's, or every task): from the kept tallies.
    pub fn task_count(&self, client_id: Option<i64>) -> Result<usize> {
        if client_id.is_none() {
            return Ok(self.all_counts()?.0);
        }
        let n: i64 = self
            .conn
            .prepare_cached(TASK_COUNT)?
            .query_row([client_id], |r| r.get(0))?;
        Ok(n.max(0) as usize)
    }

    /// The key of task `id` when it belongs to the list (`client_id`, or every task).
    pub fn task_key(&self, client_id: Option<i64>, id: i64) -> Result<Option<TaskKey>> {
        use rusqlite::OptionalExtension;
        let found = self
            .conn
            .prepare_cached(TASK_KEY)?
            .query_row([id], |r| Ok((key_row(r)?, r.get::<_, i64>(4)?)))
            .optional()?;
        Ok(found
            .filter(|(_, c)| client_id.is_none_or(|want| want == *c))
            .map(|(k, _)| k))
    }

    fn seek(
        &self,
        seek: &Seek,
        client_id: Option<i64>,
        key: Option<&TaskKey>,
        n: usize,
        out: &mut Vec<TaskKey>,
    ) -> Result<()> {
        if out.len() >= n {
            return Ok(());
        }
        let mut q = self.conn.prepare_cached(&seek_sql(seek, client_id.is_some()))?;
        let (closed, no_due, due, id) = match key {
            Some(k) => (k.closed, k.no_due, k.due.clone(), k.id),
            None => (false, false, None, 0),
        };
        let rows = q.query_map(
            rusqlite::params![client_id, closed, no_due, due, id, (n - out.len()) as i64],
            key_row,
        )?;
        for r in rows {
            out.push(r?);
        }
        Ok(())
    }

    /// Up to `n` keys that follow `key` in the list (with `include`, from `key` itself); from
    /// the list's start when `key` is None.
    pub fn task_keys_after(
        &self,
        client_id: Option<i64>,
        key: Option<&TaskKey>,
        include: bool,
        n: usize,
    ) -> Result<Vec<TaskKey>> {
        let mut out = Vec::new();
        let Some(k) = key else {
            self.seek(&FIRST, client_id, None, n, &mut out)?;
            return Ok(out);
        };
        self.seek(
            if include { &FROM_SAME_DUE } else { &AFTER_SAME_DUE },
            client_id,
            key,
            n,
            &mut out,
        )?;
        if !k.no_due {
            self.seek(&AFTER_LATER_DUE, client_id, key, n, &mut out)?;
            self.seek(&AFTER_NO_DUE, client_id, key, n, &mut out)?;
        }
        if !k.closed {
            self.seek(&AFTER_CLOSED, client_id, key, n, &mut out)?;
        }
        Ok(out)
    }

    /// Up to `n` keys that come before `key` in the list, nearest first; from the list's end
    /// when `key` is None.
    pub fn task_keys_before(&self, client_id: Option<i64>, key: Option<&TaskKey>, n: usize) -> Result<Vec<TaskKey>> {
        let mut out = Vec::new();
        let Some(k) = key else {
            self.seek(&LAST, client_id, None, n, &mut out)?;
            return Ok(out);
        };
        self.seek(&BEFORE_SAME_DUE, client_id, key, n, &mut out)?;
        if k.no_due {
            self.seek(&BEFORE_DATED, client_id, key, n, &mut out)?;
        } else {
            self.seek(&BEFORE_EARLIER_DUE, client_id, key, n, &mut out)?;
        }
        if k.closed {
            self.seek(&BEFORE_OPEN, client_id, key, n, &mut out)?;
        }
        Ok(out)
    }

    /// The position of `key` in the list: how many tasks come before it (whether or not a
    /// task with that key still exists). The open tasks before a closed one come from the
    /// tallies; the rest is an index range counted, read from the nearer end of the key's
    /// section when `from_end` says the key is likely in the list's second half.
    pub fn task_position(&self, client_id: Option<i64>, key: &TaskKey, from_end: bool) -> Result<usize> {
        if client_id.is_none() {
            return self.all_task_position(key);
        }
        let count = |seek: &Seek| -> Result<usize> {
            let n: i64 = self
                .conn
                .prepare_cached(&count_sql(seek, client_id.is_some()))?
                .query_row(
                    rusqlite::params![client_id, key.closed, key.no_due, key.due, key.id],
                    |r| r.get(0),
                )?;
            Ok(n.max(0) as usize)
        };
        let open = self.open_task_count(client_id)?;
        if from_end && key.closed {
            let total = self.task_count(client_id)?;
            let mut after = count(&FROM_SAME_DUE)?;
            if !key.no_due {
                after += count(&AFTER_LATER_DUE)? + count(&AFTER_NO_DUE)?;
            }
            return Ok(total.saturating_sub(after));
        }
        let mut before = count(&BEFORE_SAME_DUE)?;
        before += if key.no_due {
            count(&BEFORE_DATED)?
        } else {
            count(&BEFORE_EARLIER_DUE)?
        };
        if key.closed {
            before += open;
        }
        Ok(before)
    }

    /// The position of `key` among every task: the kept counts of the keys before its own
    /// part, the open tasks before a closed one (from the tallies), and a count within its
    /// part (the tasks of its due date, or of at most 1,024 ids without one).
    fn all_task_position(&self, key: &TaskKey) -> Result<usize> {
        let due = key.due.clone().unwrap_or_default();
        let (part, first) = if key.no_due {
            let part = key.id / PART_IDS;
            (part, part * PART_IDS)
        } else {
            (0, i64::MIN)
        };
        let kept: i64 = self
            .conn
            .prepare_cached(TALLY_BEFORE)?
            .query_row(rusqlite::params![key.closed, key.no_due, due, part], |r| r.get(0))?;
        let within: i64 = self
            .conn
            .prepare_cached(PART_BEFORE)?
            .query_row(rusqlite::params![key.closed, key.no_due, key.due, key.id, first], |r| {
                r.get(0)
            })?;
        let open = if key.closed { self.open_task_count(None)? } else { 0 };
        Ok(kept.max(0) as usize + within.max(0) as usize + open)
    }

    /// How many tasks of a list are not closed (to do, doing, delivered): from the tallies.
    fn open_task_count(&self, client_id: Option<i64>) -> Result<usize> {
        if client_id.is_none() {
            return Ok(self.all_counts()?.1);
        }
        let n: i64 = self
            .conn
            .prepare_cached(OPEN_COUNT)?
            .query_row([client_id], |r| r.get(0))?;
        Ok(n.max(0) as usize)
    }

    /// The tasks `typed` finds (plain words, the last a prefix; see [`Store::search`]), best
    /// first, at most `limit`: the best of the newest `candidates` matches, so that each key of
    /// a filter costs the same whatever the store holds. When fewer tasks match, all are
    /// ranked.
    pub fn task_matches(&self, typed: &str, limit: usize, candidates: usize) -> Result<Vec<i64>> {
        let Some(q) = crate::domain::search::match_query(typed) else {
            return Ok(Vec::new());
        };
        self.ensure_rank()?;
        let mut stmt = self.conn.prepare_cached(TASK_MATCHES)?;
        // Each row's rowid and counts go to the collector as the statement steps.
        let collecting = Collecting::start();
        let mut rows = stmt.query(rusqlite::params![q, candidates.min(i64::MAX as usize) as i64])?;
        while rows.next()?.is_some() {}
        drop(rows);
        // Back into the connection's cache before the row sizes are read: `row_sizes` asks
        // for it too (to know the functions are there), and would prepare it again while it is
        // out.
        drop(stmt);
        let Collected {
            avgdl,
            phrases,
            rowids,
            counts,
            failed,
        } = collecting.finish().unwrap_or_default();
        if let Some(rc) = failed {
            return Err(rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rc), None).into());
        }
        let avgdl = avgdl.unwrap_or(1.0);
        let sizes = self.row_sizes(&rowids)?;
        let mut found: Vec<(i64, f64)> = rowids
            .iter()
            .enumerate()
            .filter_map(|(i, &rowid)| {
                let (_, id) = crate::domain::search::SearchKind::from_rowid(rowid)?;
                let freq = counts.get(i * phrases..(i + 1) * phrases).unwrap_or(&[]);
                let size = sizes.binary_search_by_key(&rowid, |s| s.0).map_or(0.0, |i| sizes[i].1);
                Some((id, flat_bm25(freq, size, avgdl)))
            })
            .collect();
        // By rank (bm25: lower is better), ties oldest first (by id: the order FTS5's own
        // rank gives ties when the oldest task has the smallest rowid, as before schema step
        // 18); only the best `limit` are put in order.
        let order = |a: &(i64, f64), b: &(i64, f64)| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0));
        if limit == 0 {
            return Ok(Vec::new());
        }
        if found.len() > limit {
            found.select_nth_unstable_by(limit - 1, order);
            found.truncate(limit);
        }
        found.sort_unstable_by(order);
        Ok(found.into_iter().map(|(id, _)| id).take(limit).collect())
    }

    /// The lengths of these index rows, by rowid (ascending): one range of FTS5's row sizes
    /// when the rows lie within four times their number (the newest tasks, for words most of
    /// them hold), else row by row.
    fn row_sizes(&self, rowids: &[i64]) -> Result<Vec<(i64, f64)>> {
        let mut out = Vec::with_capacity(rowids.len());
        let (Some(&lo), Some(&hi)) = (rowids.iter().min(), rowids.iter().max()) else {
            return Ok(out);
        };
        /// Collects for one statement; the collector goes when this does.
        struct SizesGuard;
        impl Drop for SizesGuard {
            fn drop(&mut self) {
                SIZES.with(|c| {
                    if let Ok(mut c) = c.try_borrow_mut() {
                        *c = None;
                    }
                });
            }
        }
        self.ensure_rank()?;
        let guard = SizesGuard;
        SIZES.with(|c| {
            if let Ok(mut c) = c.try_borrow_mut() {
                *c = Some(std::mem::take(&mut out));
            }
        });
        if hi.saturating_sub(lo) < 4 * rowids.len() as i64 {
            let mut q = self.conn.prepare_cached(ROW_SIZES_RANGE)?;
            q.query_row([lo, hi], |_| Ok(()))?;
        } else {
            let list = format!(
                "[{}]",
                rowids.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(",")
            );
            let mut q = self.conn.prepare_cached(ROW_SIZES_OF)?;
            q.query_row([list], |_| Ok(()))?;
        }
        let mut out = SIZES
            .with(|c| c.try_borrow_mut().ok().and_then(|mut c| c.take()))
            .unwrap_or_default();
        drop(guard);
        // The range is read in rowid order already; the rows one by one are not.
        if !out.is_sorted_by_key(|s| s.0) {
            out.sort_unstable_by_key(|s| s.0);
        }
        Ok(out)
    }

    /// Makes sure the connection knows the filter's rank function.
    /// Prepares what the first letter typed into "All clients"' filter runs (its statements,
    /// the ranking functions, the search index's own state), so that the first letter costs
    /// what the next ones do. Called when that filter opens.
    pub fn prepare_task_search(&self) -> Result<()> {
        self.ensure_rank()?;
        self.conn.prepare_cached(ROW_SIZES_RANGE)?;
        self.conn.prepare_cached(ROW_SIZES_OF)?;
        self.conn.prepare_cached(&super::tasks::by_ids_sql())?;
        Ok(())
    }

    fn ensure_rank(&self) -> Result<()> {
        match self.conn.prepare_cached(TASK_MATCHES) {
            Ok(_) => Ok(()),
            Err(rusqlite::Error::SqlInputError { msg, .. } | rusqlite::Error::SqliteFailure(_, Some(msg)))
                if msg.contains("no such function") =>
            {
                register_freq(&self.conn)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// `EXPLAIN QUERY PLAN` of every query the desk's task lists and the client pane's
    /// tallies run (each seek and count, over every task and over one client's), for the test
    /// that keeps them on their indexes.
    pub fn desk_list_plans(&self) -> Result<Vec<(String, Vec<String>)>> {
        let mut queries: Vec<(String, String)> = Vec::new();
        for (name, seek) in SEEKS {
            for client in [false, true] {
                let scope = if client { "one client" } else { "all clients" };
                queries.push((format!("tasks page: {name}, {scope}"), seek_sql(seek, client)));
                // Positions are counted from a key, never from the list's ends.
                if !matches!(*name, "first" | "last") {
                    queries.push((format!("tasks position: {name}, {scope}"), count_sql(seek, client)));
                }
            }
        }
        for (name, sql) in [
            ("tasks count", TASK_COUNT),
            ("open tasks count", OPEN_COUNT),
            ("all clients counts", ALL_COUNTS),
            ("task key", TASK_KEY),
            ("all clients position: kept counts before", TALLY_BEFORE),
            ("all clients position: within the part", PART_BEFORE),
            ("task filter matches", TASK_MATCHES),
            ("task filter row sizes: a range", ROW_SIZES_RANGE),
            ("task filter row sizes: row by row", ROW_SIZES_OF),
            (
                "task filter index: a bulk import's old rows",
                super::transfer::BULK_SEARCH_DROP,
            ),
            (
                "task filter index: a bulk import's new rows",
                super::transfer::BULK_SEARCH_ROWS,
            ),
            ("clients: open and waiting", super::clients::OPEN_AND_WAITING),
            ("clients: open and delivered", super::desk_queries::OPEN_AND_DELIVERED),
            ("clients: score basis", super::clients::SCORE_BASIS),
            ("clients: flag tally", super::clients::FLAG_TALLY),
            ("clients: future flags", super::clients::FUTURE_FLAGS),
            ("client pane: open and waiting", super::clients::CLIENT_OPEN_AND_WAITING),
            ("client pane: score flags", super::flags::CLIENT_SCORE_FLAGS),
            ("client pane: flag count", super::flags::CLIENT_FLAG_COUNT),
            ("client pane: flag position", super::flags::CLIENT_FLAG_POSITION),
            ("client pane: quote count", super::deals::QUOTE_COUNT),
            ("client pane: meeting count", super::deals::MEETING_COUNT),
            ("client pane: time entry count", super::time::TIME_COUNT),
        ] {
            queries.push((name.to_string(), sql.to_string()));
        }
        queries.push(("client pane: time entries".into(), super::time::time_of_client_sql()));
        queries.push(("client pane: flags page".into(), super::flags::client_flags_page_sql()));
        self.ensure_rank()?;
        let mut out = Vec::new();
        for (name, sql) in queries {
            let mut q = self.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
            let n = q.parameter_count();
            let values: Vec<rusqlite::types::Value> = (0..n)
                .map(|i| match i {
                    0 => rusqlite::types::Value::Integer(1),
                    _ => rusqlite::types::Value::Text("2026-11-23".into()),
                })
                .collect();
            let rows = q.query_map(rusqlite::params_from_iter(values), |r| r.get::<_, String>(3))?;
            out.push((name, rows.collect::<rusqlite::Result<Vec<String>>>()?));
        }
        Ok(out)
    }

    /// The rows of these keys, in the same order.
    pub fn tasks_of_keys(&self, keys: &[TaskKey]) -> Result<Vec<Task>> {
        let ids: Vec<i64> = keys.iter().map(|k| k.id).collect();
        self.tasks_by_ids(&ids)
    }
}

#[cfg(test)]
mod tests {
    /// The kept counts' recount (after a bulk import) reads the dated tasks in the order of
    /// `tasks_order`, without sorting them.
    #[test]
    fn the_due_tallies_recount_groups_in_the_index_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::Store::open(&dir.path().join("v.db")).unwrap();
        let sql = super::DUE_TALLY_AGAIN;
        let first = sql.split(';').nth(1).unwrap();
        let plan: Vec<String> = store
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {}", first.trim()))
            .unwrap()
            .query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let joined = plan.join(" / ");
        assert!(
            joined.contains("tasks_order") && !joined.contains("TEMP B-TREE"),
            "{joined}"
        );
    }

    /// A row's length is the sum of its columns' varints (SQLite's varint, big end first).
    #[test]
    fn row_sizes_read_fts5s_records() {
        assert_eq!(super::row_size(&[5, 0, 0]), 5.0);
        assert_eq!(super::row_size(&[3, 4, 0]), 7.0);
        assert_eq!(super::row_size(&[0x81, 0x00, 2]), 130.0);
        assert_eq!(super::row_size(&[0x81, 0x80, 0x01]), 16_385.0);
        assert_eq!(super::row_size(&[]), 0.0);
    }

    /// A new store in `dir` with one client, and that client's id.
    fn store_with_a_client(dir: &tempfile::TempDir) -> (crate::Store, i64) {
        let store = crate::Store::open(&dir.path().join("v.db")).unwrap();
        store
            .conn
            .execute(
                "INSERT INTO clients(name, name_key, created_on) VALUES ('A', 'a', '2026-01-01')",
                [],
            )
            .unwrap();
        let client = store.conn.last_insert_rowid();
        (store, client)
    }

    /// The lengths read as one range and row by row are the same, and the rows' token counts.
    #[test]
    fn row_sizes_by_range_and_row_by_row_agree() {
        let dir = tempfile::tempdir().unwrap();
        let (store, client) = store_with_a_client(&dir);
        let c = &store.conn;
        let mut ids = Vec::new();
        for i in 0..50usize {
            let title = vec!["word"; 1 + i % 7].join(" ");
            let spec = vec!["more"; i * 3].join(" ");
            c.execute(
                "INSERT INTO tasks(client_id, title, spec, created_on) VALUES (?1, ?2, ?3, '2026-01-01')",
                rusqlite::params![client, title, spec],
            )
            .unwrap();
            ids.push((c.last_insert_rowid(), (1 + i % 7 + i * 3) as f64));
        }
        let rowid = |id: i64| crate::domain::search::SearchKind::Task.rowid(id);
        let all: Vec<i64> = ids.iter().rev().map(|(id, _)| rowid(*id)).collect();
        let by_range = store.row_sizes(&all).unwrap();
        assert_eq!(by_range.len(), 50);
        let spread: Vec<i64> = all.iter().step_by(10).copied().collect();
        let by_row = store.row_sizes(&spread).unwrap();
        assert_eq!(by_row.len(), 5);
        for (id, n) in &ids {
            let r = by_range.iter().find(|s| s.0 == rowid(*id)).unwrap();
            assert_eq!(r.1, *n, "task {id}");
        }
        for s in &by_row {
            assert!(by_range.contains(s), "{s:?}");
        }
    }

    /// The rank's counts are the same whether they fit on the stack (a few words) or not
    /// (more words than that): the task holding a typed word twice in its title ranks first,
    /// the others (as long) tie, oldest first.
    #[test]
    fn the_rank_counts_many_typed_words_as_few() {
        let dir = tempfile::tempdir().unwrap();
        let (store, client) = store_with_a_client(&dir);
        let c = &store.conn;
        let words: Vec<String> = (0..20).map(|i| format!("w{i}x")).collect();
        let mut ids = Vec::new();
        for twice in [false, true, false] {
            // As long as each other: one more word, `w0x` again or another.
            let title = format!("{} {}", words.join(" "), if twice { "w0x" } else { "zz" });
            c.execute(
                "INSERT INTO tasks(client_id, title, spec, created_on) VALUES (?1, ?2, '', '2026-01-01')",
                rusqlite::params![client, title],
            )
            .unwrap();
            ids.push(c.last_insert_rowid());
        }
        for n in [1, 3, 20] {
            let typed = words[..n].join(" ");
            let found = store.task_matches(&typed, 10, 100).unwrap();
            assert_eq!(found.len(), 3, "{typed}");
            assert_eq!(found[0], ids[1], "{typed}");
            // Ties: oldest first.
            assert_eq!(&found[1..], &[ids[0], ids[2]], "{typed}");
        }
    }

    /// "All clients"' counts, kept between keys, follow every change: this connection's
    /// writes (a task added, closed, deleted) and another connection's commits.
    #[test]
    fn all_clients_counts_follow_every_write() {
        let dir = tempfile::tempdir().unwrap();
        let (store, client) = store_with_a_client(&dir);
        let other = crate::Store::open_again(&dir.path().join("v.db")).unwrap();
        let add = |s: &crate::Store| {
            s.conn
                .execute(
                    "INSERT INTO tasks(client_id, title, created_on) VALUES (?1, 'x', '2026-01-01')",
                    [client],
                )
                .unwrap();
            s.conn.last_insert_rowid()
        };
        let counts = |s: &crate::Store| (s.task_count(None).unwrap(), s.open_task_count(None).unwrap());
        let recount = |s: &crate::Store| -> (usize, usize) {
            s.conn
                .query_row(
                    "SELECT count(*), count(*) FILTER (WHERE status NOT IN ('done', 'cancelled')) FROM tasks",
                    [],
                    |r| Ok((r.get::<_, i64>(0)? as usize, r.get::<_, i64>(1)? as usize)),
                )
                .unwrap()
        };
        assert_eq!(counts(&store), (0, 0));
        let a = add(&store);
        assert_eq!(counts(&store), (1, 1));
        add(&other);
        assert_eq!(counts(&store), (2, 2));
        store
            .conn
            .execute("UPDATE tasks SET status = 'done' WHERE id = ?1", [a])
            .unwrap();
        assert_eq!(counts(&store), (2, 1));
        other.conn.execute("DELETE FROM tasks WHERE id = ?1", [a]).unwrap();
        assert_eq!(counts(&store), (1, 1));
        assert_eq!(counts(&store), recount(&store));
        // Asked again with nothing changed: the same answer.
        assert_eq!(counts(&store), (1, 1));
    }

    /// A read of row sizes outside a query's collection is refused, and the rank function
    /// outside `task_matches` too (they hand their rows to the thread's collectors only).
    #[test]
    fn the_collecting_functions_refuse_to_run_outside_their_reads() {
        let dir = tempfile::tempdir().unwrap();
        let (store, client) = store_with_a_client(&dir);
        store
            .conn
            .execute(
                "INSERT INTO tasks(client_id, title, created_on) VALUES (?1, 'word', '2026-01-01')",
                [client],
            )
            .unwrap();
        store.ensure_rank().unwrap();
        let size = store
            .conn
            .query_row("SELECT vadesk_size(id, sz) FROM search_docsize LIMIT 1", [], |r| {
                r.get::<_, Option<i64>>(0)
            });
        assert!(size.is_err(), "{size:?}");
        let freq = store.conn.query_row(
            "SELECT vadesk_freq(search, 4.0, 1.0, 0.0) FROM search WHERE search MATCH 'word'",
            [],
            |r| r.get::<_, Option<i64>>(0),
        );
        assert!(freq.is_err(), "{freq:?}");
        // And the filter still works after them.
        assert_eq!(store.task_matches("word", 10, 100).unwrap().len(), 1);
    }

    /// The SQL writes the tasks' range of the search index and a task's rowid out; they are
    /// the domain's.
    #[test]
    fn the_task_filter_reads_the_tasks_range_of_the_index() {
        use crate::domain::search::{TASK_ROWID_BASE, TASK_ROWID_TOP};
        let (base, top) = (TASK_ROWID_BASE.to_string(), TASK_ROWID_TOP.to_string());
        assert!(super::TASK_MATCHES.contains(&format!("rowid >= {base} ORDER BY rowid LIMIT")));
        let step = super::super::schema::MIGRATIONS
            .iter()
            .rev()
            .find(|s| s.contains("CREATE TRIGGER search_task_ins"))
            .copied()
            .unwrap_or_default();
        assert!(step.contains(&format!("{top} - new.id")) && step.contains(&format!("{top} - old.id")));
        assert!(step.contains(&format!("SELECT {top} - id, title, spec, client_id FROM tasks")));
    }
}

//! The one place that speaks SQL. `Store` opens (or refuses) a file, applies the pragmas and
//! migrations, and offers typed methods per entity. Every write is one IMMEDIATE transaction.

mod calendar;
mod clients;
mod counters;
mod deals;
pub mod demo;
mod desk_queries;
mod detect;
pub mod doctor;
mod flags;
mod import_errors;
mod import_rules;
pub mod import_tools;
mod recur;
pub(crate) mod replica;
mod review;
mod schema;
mod search;
mod task_pages;
mod tasks;
mod time;
mod time_overlap;
pub mod transfer;
mod undo;
mod wal_guard;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::error::{Error, Result};
use crate::i18n::{Lang, T};

pub use calendar::{CalendarEntry, CalendarWhat};
pub use clients::{ClientFields, ClientSummary};
pub use deals::{MeetingEdit, NewQuote, QuoteEdit, MAX_LATE_MINUTES};
pub use detect::{Counts, DetectReport, NewFlag};
pub use recur::instance_uuid;
pub use replica::Applied;
pub use review::{ReviewKey, ReviewSections};
pub use schema::{APP_ID, LATEST_VERSION};
pub use task_pages::TaskKey;
pub use tasks::{TaskFields, TaskFilter};
pub use time::{MonthLine, Statement, StopAt, TimeEdit};
pub use undo::UndoStep;

/// How long a connection waits for another's lock before giving up.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// How much of the file a connection that only reads maps into memory (SQLite's
/// `mmap_size`): a review at a million tasks reads less than this.
const READ_MMAP_BYTES: i64 = 256 * 1024 * 1024;

/// An open vadesk store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Language of the labels stored with undo steps.
    lang: Lang,
    /// Whether writes are recorded for undo (the TUI's connection only).
    recording: bool,
    /// The clock undo steps are stamped with (`--now`), or None for the real one.
    now: Option<chrono::NaiveDateTime>,
    /// Currency and billing increment of clients that set none (from the config).
    money: crate::domain::money::MoneyDefaults,
    /// The clock sync operations are stamped with, shared with the connection's SQL function.
    sync_clock: SyncClock,
    /// "All clients"' length and open tasks, with the store's state they were counted at
    /// (see `task_pages`).
    all_counts: task_pages::AllCounts,
}

/// `--now` as the sync capture triggers read it (None: the real clock).
pub(crate) type SyncClock = std::sync::Arc<std::sync::Mutex<Option<chrono::NaiveDateTime>>>;

const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

impl Store {
    /// Opens the store at `path`, creating it (0600) when the file does not exist. The folder
    /// must exist. A file that is not a vadesk store, is damaged, or comes from a newer vadesk
    /// is refused and left byte-for-byte untouched, its `-wal` and `-shm` included.
    ///
    /// This is for the first connection a process makes to a file: it reads the file's header
    /// itself. A second connection in the same process goes through [`Store::open_again`], which
    /// never touches the file by other means (closing any descriptor of the file would drop
    /// the process's POSIX locks, and another program could then delete the WAL under it).
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_as(path, true)
    }

    /// The store for a command that only reads it (the review, a search): the same checks and
    /// upgrades as [`Store::open`], without the triggers that keep what writes change (the
    /// file's schema does not hold them: see `schema::install_connection_triggers`), and any
    /// write through it is refused.
    pub fn open_to_read(path: &Path) -> Result<Store> {
        Store::open_as(path, false)
    }

    fn open_as(path: &Path, writes: bool) -> Result<Store> {
        let shown = path.display().to_string();
        if path.is_dir() {
            return Err(Error::refused(T::ErrIsDirectory, &[&shown]));
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            if !parent.is_dir() {
                return Err(Error::refused(T::ErrNoFolder, &[&parent.display()]));
            }
        }
        let file_error = |e: std::io::Error| {
            Error::Refused(crate::error::Msg {
                key: T::ErrStoreFile,
                args: vec![crate::error::Arg::Text(shown.clone()), crate::error::Arg::io(&e)],
            })
        };
        // A store no program has made yet (no file, or an empty one): another program may be
        // making it at this very moment, and what it has half made is waited for below.
        let mut young = false;
        let examine = || -> Result<()> {
            refuse_hard_links(path, &shown)?;
            check_header(path).map_err(|e| match e {
                Error::Io(io) => file_error(io),
                other => other,
            })?;
            wal_guard::check(path, &shown)
        };
        match path.symlink_metadata() {
            // A link to nowhere is never followed to create a store somewhere else.
            Ok(m) if m.file_type().is_symlink() && !path.exists() => {
                let target = std::fs::read_link(path)
                    .map(|t| t.display().to_string())
                    .unwrap_or_default();
                return Err(Error::refused(T::ErrStoreDanglingLink, &[&shown, &target]));
            }
            Ok(m) if m.len() == 0 && m.file_type().is_file() => young = true,
            Ok(_) => examine()?,
            // Made here, or meanwhile by another program opening it too (opened as it is).
            Err(_) => match create_private_file(path) {
                Ok(()) => young = true,
                Err(Error::Io(io)) if io.kind() == std::io::ErrorKind::AlreadyExists => young = true,
                Err(Error::Io(io)) => return Err(file_error(io)),
                Err(other) => return Err(other),
            },
        }
        // Several programs opening a new store at once: the one making it may be between its
        // first writes, which another reads as no database of ours. Only then, and for as long
        // as a lock is waited for, it is asked again.
        let started = std::time::Instant::now();
        loop {
            let opened = if young { examine() } else { Ok(()) }.and_then(|()| Store::connect(path, &shown, writes));
            match opened {
                Err(Error::Refused(m)) if young && m.key == T::ErrNotVadesk && started.elapsed() < BUSY_TIMEOUT => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                other => return other,
            }
        }
    }

    /// Another connection to this store, for a second thread of the same process (the desk's
    /// tick). The file was examined when it was first opened; nothing here opens it outside
    /// SQLite.
    pub fn open_again(path: &Path) -> Result<Store> {
        let store = Store::connect(path, &path.display().to_string(), true)?;
        // A background connection (the tick, a sync) keeps a small page cache: the desk's
        // resident memory counts it, and its passes read each page about once.
        store.conn.execute_batch("PRAGMA cache_size = -512")?;
        Ok(store)
    }

    /// A store in memory, for building something whole before it is written in one
    /// transaction (the demo).
    pub(crate) fn scratch() -> Result<Store> {
        let conn = Connection::open_in_memory()?;
        conn.execute_batch("PRAGMA foreign_keys=ON;")?;
        let mut store = Store {
            conn,
            path: PathBuf::from(":memory:"),
            lang: Lang::En,
            recording: false,
            now: None,
            money: crate::domain::money::MoneyDefaults::default(),
            sync_clock: SyncClock::default(),
            all_counts: Default::default(),
        };
        register_sync_functions(&store.conn, true, &store.sync_clock)?;
        register_review_functions(&store.conn)?;
        schema::migrate(&mut store.conn, 0, ":memory:")?;
        schema::install_connection_triggers(&store.conn)?;
        Ok(store)
    }

    fn connect(path: &Path, shown: &str, writes: bool) -> Result<Store> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| refusal(e, shown))?;
        // Until the file is known to be ours, closing this connection must not checkpoint a
        // WAL into it.
        conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Read-only checks first: nothing is written until the file is known to be ours.
        let (app_id, version, objects) = read_identity(&conn).map_err(|e| refusal(e, shown))?;
        identity_ok(app_id, version, objects, shown)?;
        let mode = wal_mode(&conn).map_err(|e| refusal(e, shown))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::refused(T::ErrNotWal, &[&shown]));
        }
        conn.execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")?;
        conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, false)?;
        keep_wal_files(&conn)?;
        // One plan per statement, whatever is bound to it: otherwise SQLite prepares a
        // statement again each time a new value is bound to a `LIMIT ?` (every keyset page)
        // or to a parameter whose value its planner looked at. No plan here depends on a bound
        // value (the stores carry no statistics and no LIKE takes a parameter).
        conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            lang: Lang::En,
            recording: false,
            now: None,
            money: crate::domain::money::MoneyDefaults::default(),
            sync_clock: SyncClock::default(),
            all_counts: Default::default(),
        };
        register_sync_functions(&store.conn, true, &store.sync_clock)?;
        register_review_functions(&store.conn)?;
        schema::migrate(&mut store.conn, version, shown)?;
        replica::refresh_triggers(&mut store.conn)?;
        if writes {
            schema::install_connection_triggers(&store.conn)?;
        } else {
            // Without the store's triggers a write would leave its tallies wrong: none is let
            // through.
            store.conn.execute_batch("PRAGMA query_only = ON")?;
            // Pages read from the file's mapping rather than copied in one by one (vadesk never
            // shrinks the file; a restore puts a new file in its place).
            store
                .conn
                .execute_batch(&format!("PRAGMA mmap_size = {READ_MMAP_BYTES}"))?;
        }
        Ok(store)
    }

    /// The platform's default store file, creating its folder (0700) when missing.
    pub fn default_path() -> Result<PathBuf> {
        let dirs =
            directories::ProjectDirs::from("", "", "vadesk").ok_or_else(|| Error::refused(T::ErrNoDataDir, &[]))?;
        let dir = dirs.data_dir();
        create_private_dir(dir)?;
        Ok(dir.join("vadesk.db"))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the store's write-ahead log holds nothing to copy into the store file (empty,
    /// or not there). A connection that closes while it holds something (an upgrade this
    /// command made, another program's last writes) copies it in when it is the last one.
    pub fn wal_is_empty(&self) -> bool {
        std::fs::metadata(wal_guard::sibling(&self.path, "-wal")).map_or(true, |m| m.len() == 0)
    }

    pub fn set_lang(&mut self, lang: Lang) {
        self.lang = lang;
    }

    /// The clock undo steps are stamped with: the desk's `--now`, when one is fixed.
    pub fn set_now(&mut self, now: Option<chrono::NaiveDateTime>) {
        self.now = now;
        if let Ok(mut c) = self.sync_clock.lock() {
            *c = now;
        }
    }

    /// Now, as this store tells time: the fixed `--now` when there is one, else the wall clock.
    pub(crate) fn clock(&self) -> chrono::NaiveDateTime {
        self.now.unwrap_or_else(|| chrono::Local::now().naive_local())
    }

    /// The raw connection, for tests and the benchmark's checks of query plans.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Runs `f` in one IMMEDIATE transaction; when recording, the change becomes an undo step
    /// named `label`.
    fn write<R>(&mut self, label: impl Fn(Lang) -> String, f: impl FnOnce(&Transaction) -> Result<R>) -> Result<R> {
        let at = self.clock();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if self.recording {
            undo::begin_step(&tx, &undo::both_labels(label), at)?;
        }
        let out = f(&tx)?;
        if self.recording {
            undo::end_step(&tx)?;
        }
        tx.commit()?;
        Ok(out)
    }

    /// As [`Store::write`], but `f` may decline: `Ok(None)` rolls the transaction back, so
    /// nothing is written and no undo step is kept. For a change that first looks at the record
    /// inside the transaction (an edit form checking what changed meanwhile).
    fn write_if<R>(
        &mut self,
        label: impl Fn(Lang) -> String,
        f: impl FnOnce(&Transaction) -> Result<Option<R>>,
    ) -> Result<Option<R>> {
        let at = self.clock();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if self.recording {
            undo::begin_step(&tx, &undo::both_labels(label), at)?;
        }
        let Some(out) = f(&tx)? else {
            // Dropped without a commit: rolled back.
            return Ok(None);
        };
        if self.recording {
            undo::end_step(&tx)?;
        }
        tx.commit()?;
        Ok(Some(out))
    }

    /// Whether the store holds any client (and so any record at all).
    pub fn is_empty(&self) -> Result<bool> {
        let n: i64 = self
            .conn
            .query_row("SELECT EXISTS (SELECT 1 FROM clients)", [], |r| r.get(0))?;
        Ok(n == 0)
    }

    /// A value of the small key/value table (last tick, ...).
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// `EXPLAIN QUERY PLAN` of every query the review and the tick run, for the test that
    /// keeps them off full-table scans.
    pub fn query_plans(&self) -> Result<Vec<(String, Vec<String>)>> {
        let fixed: &[(&'static str, &'static str)] = &[
            ("review: requests", review::REQUEST_ROWS),
            ("review: tasks", review::TASK_ROWS),
            ("review: tasks at most", review::TASK_ROWS_AT_MOST),
            ("review: client names", review::CLIENT_NAMES),
            ("review: quotes", review::QUOTE_ROWS),
            ("review: meetings", review::MEETING_ROWS),
            ("review: weekly", review::WEEKLY_ROWS),
            ("review: late counts", review::LATE_REQUEST_COUNTS),
            ("tick: counts", detect::LATE_COUNTS),
            ("tick: late requests", detect::LATE_REQUESTS),
            ("tick: flag there", detect::FLAG_THERE),
            ("tick: quotes", detect::UNANSWERED_QUOTES),
            ("tick: a quote's currency", detect::QUOTE_CURRENCY),
            ("tick: vague", detect::VAGUE_TASKS),
            ("tick: outcomes", detect::CHANGED_TASKS),
            ("tick: meetings", detect::MEETING_FAULTS),
            ("tick: channels", detect::SCATTERED),
            (
                "tick: clients without their channels flag",
                detect::CLIENTS_WITHOUT_CHANNELS_FLAG,
            ),
            ("tick: late request", detect::LATE_REQUEST),
            ("tick: weekly", detect::WEEKLY_MISSED),
            ("money: month sums", time::MONTH_SUMS),
            ("money: month sums from entries", time::MONTH_SUMS_FROM_ENTRIES),
            ("money: month clients", clients::CLIENTS_BETWEEN),
            ("money: month channels", clients::CHANNELS_BETWEEN),
            ("money: quote prep", time::QUOTE_PREP),
            ("money: kept quote prep", time::KEPT_PREP),
            ("tick: rates judged", time::RATE_JUDGED),
            ("tick: rates under the minimum", time::RATES_UNDER),
            ("tick: client terms", time::CLIENT_TERMS),
            ("tick: retainer terms", time::RETAINER_TERMS),
            ("tick: kept sums", time::KEPT_SUMS),
            ("tick: retainer sums", time::RETAINER_SUMS),
            ("money: client month", time::CLIENT_MONTH),
            ("money: billed terms", time::BILLED_TERMS),
            ("money: billed terms of a month", time::BILLED_TERMS_OF_MONTH),
            ("money: keep billed terms", time::FREEZE_TERMS),
            ("money: unbilled time", time::UNBILLED),
            ("money: retainer clients", time::RETAINER_CLIENTS),
            ("review: retainer use", time::RETAINER_USE),
            ("money: running timer", time::RUNNING),
            ("desk: open and waiting", clients::OPEN_AND_WAITING),
            ("desk: open and delivered", desk_queries::OPEN_AND_DELIVERED),
            ("desk: client count", clients::CLIENT_COUNT),
            ("desk: one client's channels", clients::CLIENT_CHANNELS),
            ("desk: one client's flag tally", clients::CLIENT_FLAG_TALLY),
            ("search: page", search::SEARCH_PAGE),
            ("tick: recurring", recur::DUE_RULES),
        ];
        let mut queries: Vec<(String, String)> = fixed.iter().map(|(n, q)| (n.to_string(), q.to_string())).collect();
        queries.extend(Store::review_window_queries());
        queries.push(("desk: first clients".into(), clients::first_clients_sql()));
        let mut out = Vec::new();
        for (name, sql) in queries {
            let mut q = self.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
            let n = q.parameter_count();
            let values: Vec<String> = (0..n).map(|_| "2026-11-23".to_string()).collect();
            let rows = q.query_map(rusqlite::params_from_iter(values), |r| r.get::<_, String>(3))?;
            out.push((name, rows.collect::<rusqlite::Result<Vec<String>>>()?));
        }
        Ok(out)
    }

    /// A number that changes whenever any connection commits a change (for the TUI's reload).
    /// The statement is kept: the desk asks on every key, and preparing it each time cost more
    /// than the answer (the pragma is read when the statement runs, not when it is prepared).
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .prepare_cached("PRAGMA data_version")?
            .query_row([], |r| r.get(0))?)
    }

    /// Runs `f`'s reads in one read transaction (one snapshot, the store's locks taken once
    /// instead of once per statement: a key of the desk's filter runs half a dozen), or in the
    /// transaction already open. `f` must only read.
    pub fn reading<R>(&self, f: impl FnOnce(&Store) -> Result<R>) -> Result<R> {
        if !self.conn.is_autocommit() {
            return f(self);
        }
        self.conn.prepare_cached("BEGIN")?.execute([])?;
        let out = f(self);
        let end = self
            .conn
            .prepare_cached(if out.is_ok() { "COMMIT" } else { "ROLLBACK" })?
            .execute([]);
        let out = out?;
        end?;
        Ok(out)
    }

    /// How many rows this connection has inserted, updated or deleted since it opened
    /// (triggers' changes included): with `data_version`, whether anything changed at all.
    pub fn total_changes(&self) -> u64 {
        self.conn.total_changes()
    }
}

/// Days since 0000-03-01 of a `YYYY-MM-DD` text, without a general date parser: this runs
/// once per red flag when scores are summed.
fn day_number(s: &[u8]) -> Option<i64> {
    if s.len() < 10 || s[4] != b'-' || s[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        s[r].iter()
            .try_fold(0i64, |acc, b| b.is_ascii_digit().then(|| acc * 10 + (b - b'0') as i64))
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe)
}

/// Registers `vadesk_points(kind, at)`: a flag's weight × 0.5^(age / half-life) as of `today`.
pub(crate) fn register_points(
    conn: &Connection,
    rules: &crate::domain::ScoreRules,
    today: chrono::NaiveDate,
) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    use rusqlite::types::ValueRef;
    let today_n = day_number(day(today).as_bytes()).unwrap_or(0);
    let weights: Vec<(&'static str, f64)> = crate::domain::FlagKind::ALL
        .iter()
        .map(|k| (k.key(), rules.weight(*k)))
        .collect();
    let half_life = if rules.half_life_days > 0.0 {
        rules.half_life_days
    } else {
        90.0
    };
    conn.create_scalar_function(
        "vadesk_points",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        move |ctx| {
            let kind = match ctx.get_raw(0) {
                ValueRef::Text(t) => t,
                _ => b"other",
            };
            let weight = weights
                .iter()
                .find(|(k, _)| k.as_bytes() == kind)
                .map(|(_, w)| *w)
                .unwrap_or(1.0);
            let age = match ctx.get_raw(1) {
                ValueRef::Text(t) => day_number(t).map(|n| (today_n - n).max(0)).unwrap_or(0),
                _ => 0,
            };
            Ok(weight * 0.5f64.powf(age as f64 / half_life))
        },
    )
}

/// Whether a file with this identity may be opened as a store.
fn identity_ok(app_id: i32, version: i32, objects: i64, shown: &str) -> Result<()> {
    let fresh = app_id == 0 && version == 0 && objects == 0;
    if !fresh && app_id != APP_ID {
        return Err(Error::refused(T::ErrNotVadesk, &[&shown]));
    }
    if version > LATEST_VERSION {
        return Err(Error::refused(T::ErrTooNew, &[&shown, &version, &LATEST_VERSION]));
    }
    Ok(())
}

fn read_identity(conn: &Connection) -> rusqlite::Result<(i32, i32, i64)> {
    // One read of one state: another program making the store commits its first step between
    // two of these reads otherwise (its objects seen, not yet its mark).
    conn.execute_batch("BEGIN")?;
    let read = || -> rusqlite::Result<(i32, i32, i64)> {
        let app_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        let version: i32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let objects: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
        Ok((app_id, version, objects))
    };
    let out = read();
    conn.execute_batch("COMMIT")?;
    out
}

/// Sets the store's journal to the WAL, waiting as for any lock while another program writes
/// it: a store being filled by an import through a rollback journal (see `transfer`) answers
/// the change at once with "busy", without SQLite's busy handler, and every command would
/// fail at once instead of waiting its turn.
fn wal_mode(conn: &Connection) -> rusqlite::Result<String> {
    let started = std::time::Instant::now();
    loop {
        match conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0)) {
            Err(e)
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                    && started.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// Turns SQLite's "not a database" and "malformed" into messages that name the file.
fn refusal(e: rusqlite::Error, shown: &str) -> Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => Error::refused(T::ErrNotVadesk, &[&shown]),
        _ => Error::Sqlite(e),
    }
}

/// Refuses a store file that has other names (hard links): SQLite keys its `-wal` and `-shm`
/// by the name it was given, so two names of one file get two journals, and writes confirmed
/// through one are lost when the other's journal is applied.
fn refuse_hard_links(path: &Path, shown: &str) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(m) = std::fs::metadata(path) {
            if m.nlink() > 1 {
                return Err(Error::refused(T::ErrStoreHardLinked, &[&shown, &m.nlink()]));
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (path, shown);
    Ok(())
}

/// Examines an existing file's header before SQLite sees it, so that a refusal never touches
/// it (no connection, no lock, no `-wal` or `-shm` created, no WAL applied). A file that does
/// not start like a SQLite database, another program's database, or one from a newer vadesk is
/// refused here; what the header cannot tell (data still in a WAL) is checked again through
/// the connection, which is told never to checkpoint until the file is known to be ours.
/// An empty file (as `touch` leaves) becomes a new store.
fn check_header(path: &Path) -> Result<()> {
    let shown = path.display().to_string();
    let mut f = std::fs::File::open(path)?;
    let mut head = [0u8; 108];
    let mut read = 0;
    while read < head.len() {
        match f.read(&mut head[read..])? {
            0 => break,
            n => read += n,
        }
    }
    if read == 0 {
        return Ok(());
    }
    if read < 108 || &head[..16] != SQLITE_HEADER {
        return Err(Error::refused(T::ErrNotVadesk, &[&shown]));
    }
    let be = |at: usize| i32::from_be_bytes([head[at], head[at + 1], head[at + 2], head[at + 3]]);
    let (version, pages, app_id) = (be(60), be(28), be(68));
    // A file cut short (a copy that stopped, a full disk): shorter than the pages its header
    // counts, when that count is current (the change counter and the number it is valid for
    // agree). Refused here, before SQLite opens it and makes its `-wal` and `-shm` beside it.
    // Only a file no connection has open (neither beside it): a checkpoint writes page 1,
    // with the new count, before the pages that lengthen the file.
    let page_size = match u16::from_be_bytes([head[16], head[17]]) {
        1 => 65_536,
        n => u64::from(n),
    };
    let short = |f: &mut std::fs::File| -> std::io::Result<bool> {
        use std::io::Seek;
        let mut head = [0u8; 100];
        f.seek(std::io::SeekFrom::Start(0))?;
        f.read_exact(&mut head)?;
        let be = |at: usize| i32::from_be_bytes([head[at], head[at + 1], head[at + 2], head[at + 3]]);
        let pages = be(28);
        Ok(be(92) == be(24) && pages > 0 && f.metadata()?.len() < pages as u64 * page_size)
    };
    let alone = || !wal_guard::sibling(path, "-wal").exists() && !wal_guard::sibling(path, "-shm").exists();
    // Asked twice, the files beside it looked for between: a checkpoint that ended and took
    // its `-wal` with it in between leaves the file whole at the second look.
    if pages > 0 && short(&mut f)? && alone() && short(&mut f)? && alone() {
        return Err(Error::refused(T::ErrCorrupt, &[]));
    }
    // Cells on page 1: the schema's entries, when they fit there.
    let cells = u16::from_be_bytes([head[103], head[104]]);
    let fresh = app_id == 0 && version == 0 && pages <= 1 && cells == 0;
    identity_ok(app_id, version, if fresh { 0 } else { 1 }, &shown)
}

#[cfg(unix)]
fn create_private_file(path: &Path) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    Ok(())
}

#[cfg(not(unix))]
fn create_private_file(path: &Path) -> Result<()> {
    std::fs::OpenOptions::new().write(true).create_new(true).open(path)?;
    Ok(())
}

#[cfg(unix)]
pub(crate) fn create_private_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if !dir.is_dir() {
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    }
    Ok(())
}

#[cfg(not(unix))]
pub(crate) fn create_private_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    Ok(())
}

/// Reads an optional stored date.
pub(crate) fn opt_date(s: Option<String>) -> Option<chrono::NaiveDate> {
    s.and_then(|s| parse_day(&s))
}

/// Column `i` of a row as text, borrowed from the row (no copy per row); a column that is not
/// text is an error, as `get::<_, String>` would give.
pub(crate) fn text_at<'r>(r: &'r rusqlite::Row, i: usize) -> rusqlite::Result<&'r str> {
    r.get_ref(i)?
        .as_str()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
}

/// A stored `YYYY-MM-DD` date, as `NaiveDate::parse_from_str(s, "%Y-%m-%d")` reads it. The
/// form the store writes is read by hand (the review reads thousands of dates per run, and
/// chrono's format parser costs about 0.15 µs each); anything else goes to chrono.
pub(crate) fn parse_day(s: &str) -> Option<chrono::NaiveDate> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter()
            .try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        if let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) {
            return chrono::NaiveDate::from_ymd_opt(y as i32, m, d);
        }
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Reads a stored date; a damaged value falls back to the epoch rather than failing a list.
pub(crate) fn date(s: String) -> chrono::NaiveDate {
    opt_date(Some(s)).unwrap_or_default()
}

/// As [`date`], from column `i` of a row, read in place (no copy of the text).
pub(crate) fn date_at(r: &rusqlite::Row, i: usize) -> rusqlite::Result<chrono::NaiveDate> {
    Ok(parse_day(text_at(r, i)?).unwrap_or_default())
}

pub(crate) fn day(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The store's `-wal` and `-shm` files stay when its last connection closes, the WAL emptied
/// (checkpointed into the store and cut to zero bytes, as SQLite would delete it): each command
/// then opens them as they are rather than creating, sizing and deleting both files again.
/// Only for a file known to be a store: a refused file keeps no file it did not have. An empty
/// WAL is never examined by the WAL guard (it holds nothing to apply).
fn keep_wal_files(conn: &Connection) -> Result<()> {
    conn.execute_batch("PRAGMA journal_size_limit = 0")?;
    let mut on: std::os::raw::c_int = 1;
    // SAFETY: the handle is this open connection's, used on this thread; this file control reads
    // and writes the one int it is given, which lives through the call.
    let rc = unsafe {
        rusqlite::ffi::sqlite3_file_control(
            conn.handle(),
            c"main".as_ptr(),
            rusqlite::ffi::SQLITE_FCNTL_PERSIST_WAL,
            (&raw mut on).cast(),
        )
    };
    if rc != rusqlite::ffi::SQLITE_OK {
        return Err(Error::Sqlite(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rc),
            None,
        )));
    }
    Ok(())
}

/// Timestamps of record creation, in the one fixed format the store uses.
/// `vadesk_sync_capture()` (whether this connection's changes become sync operations) and
/// `vadesk_sync_clock()` (their timestamp: the store's clock, in UTC), which the capture
/// triggers of a replica call.
/// `vadesk_lower(text)`: a name lower-cased as the review sorts it (Unicode, as Rust does), so
/// the desk's review windows come in exactly the order of `review::sort`.
fn register_review_functions(conn: &Connection) -> Result<()> {
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function(
        schema::WRITER_MARK,
        0,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |_| Ok(0),
    )?;
    // A new record's uuid when an insert gives none (the uuid columns' default since step 26).
    conn.create_scalar_function(schema::UUID_FUNCTION, 0, FunctionFlags::SQLITE_UTF8, |_| {
        Ok(uuid::Uuid::new_v4().hyphenated().to_string())
    })?;
    conn.create_scalar_function(
        "vadesk_lower",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let s = ctx.get_raw(0).as_str_or_null().unwrap_or(None).unwrap_or("");
            Ok(s.to_lowercase())
        },
    )?;
    Ok(())
}

fn register_sync_functions(conn: &Connection, capture: bool, clock: &SyncClock) -> Result<()> {
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function("vadesk_sync_capture", 0, FunctionFlags::SQLITE_UTF8, move |_| {
        Ok(capture as i64)
    })?;
    let clock = clock.clone();
    conn.create_scalar_function("vadesk_sync_clock", 0, FunctionFlags::SQLITE_UTF8, move |_| {
        let now = clock.lock().map(|c| *c).unwrap_or(None);
        Ok(sync_stamp(now))
    })?;
    Ok(())
}

/// A sync timestamp: `now` read in the local zone (or the real clock), as RFC 3339 UTC.
pub(crate) fn sync_stamp(now: Option<chrono::NaiveDateTime>) -> String {
    use chrono::TimeZone;
    let utc = match now {
        Some(n) => chrono::Local
            .from_local_datetime(&n)
            .earliest()
            .map(|d| d.with_timezone(&chrono::Utc))
            .unwrap_or_else(|| n.and_utc()),
        None => chrono::Utc::now(),
    };
    utc.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

pub(crate) fn stamp(t: chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

#[cfg(test)]
mod search_layout_tests;

#[cfg(test)]
mod tests {
    /// `reading` runs its reads in one transaction and always ends it (an error too), inside
    /// an open one it leaves that one alone.
    #[test]
    fn reading_ends_its_transaction_whatever_happens() {
        let dir = tempfile::tempdir().unwrap();
        let store = super::Store::open(&dir.path().join("v.db")).unwrap();
        let n = store
            .reading(|s| {
                assert!(!s.conn.is_autocommit());
                let v = s.data_version()?;
                let n: i64 = s.conn.query_row("SELECT count(*) FROM tasks", [], |r| r.get(0))?;
                assert_eq!(s.data_version()?, v);
                Ok(n)
            })
            .unwrap();
        assert_eq!(n, 0);
        assert!(store.conn.is_autocommit());
        let failed = store.reading(|s| -> crate::error::Result<i64> {
            Ok(s.conn.query_row("SELECT nothing FROM tasks", [], |r| r.get(0))?)
        });
        assert!(failed.is_err());
        assert!(store.conn.is_autocommit());
        store.conn.execute_batch("BEGIN").unwrap();
        let inner = store.reading(|s| s.reading(|s| Ok(s.conn.is_autocommit()))).unwrap();
        assert!(!inner);
        assert!(!store.conn.is_autocommit(), "the caller's transaction stays open");
        store.conn.execute_batch("COMMIT").unwrap();
    }

    /// Stored dates read by hand come out as chrono's `%Y-%m-%d` parser reads them, damaged and
    /// unusual values included.
    #[test]
    fn stored_dates_read_as_chrono_reads_them() {
        use chrono::Datelike;
        let cases = [
            "2026-11-23",
            "2024-02-29",
            "2023-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-01-00",
            "2026-01-32",
            "0000-01-01",
            "9999-12-31",
            "2026-1-05",
            "2026-01-5",
            "+2026-01-05",
            "2026/01/05",
            "2026-01-05 ",
            " 2026-01-05",
            "2026-01-05T09:00",
            "20260105",
            "",
            "abcd-ef-gh",
            "2026-0a-05",
            "２０２６-01-05",
            "-001-01-01",
            "12026-01-05",
        ];
        for c in cases {
            assert_eq!(
                super::parse_day(c),
                chrono::NaiveDate::parse_from_str(c, "%Y-%m-%d").ok(),
                "{c:?}"
            );
        }
        let mut d = chrono::NaiveDate::from_ymd_opt(1999, 12, 25).unwrap();
        while d.year() < 2031 {
            assert_eq!(super::parse_day(&super::day(d)), Some(d));
            d += chrono::Duration::days(1);
        }
    }

    /// The tallies' recount (after a bulk import, a million tasks at once) reads each client's
    /// counts by status from indexes alone: a count that has to read the task rows (a dropped
    /// index: still a SEARCH, never a SCAN) made a million-task import seven seconds slower.
    #[test]
    fn the_tallies_recount_reads_tasks_from_covering_indexes() {
        let dir = tempfile::tempdir().unwrap();
        let store = super::Store::open(&dir.path().join("vadesk.db")).unwrap();
        let sql = super::clients::TALLY_AGAIN;
        let insert = &sql[sql.find("INSERT").unwrap()..];
        let mut q = store
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {}", insert.trim().trim_end_matches(';')))
            .unwrap();
        let plan: Vec<String> = q
            .query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let tasks: Vec<&String> = plan.iter().filter(|l| l.contains(" t ")).collect();
        assert_eq!(tasks.len(), 4, "{plan:#?}");
        for line in tasks {
            assert!(line.contains("USING COVERING INDEX"), "{line}\n{plan:#?}");
        }
    }

    #[test]
    fn day_numbers_match_chrono() {
        let base = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
        for offset in [0i64, 1, 59, 60, 365, 366, 1000, 10_000, 36_500] {
            let d = base + chrono::Duration::days(offset);
            let n = super::day_number(super::day(d).as_bytes()).unwrap();
            let n0 = super::day_number(b"2000-01-01").unwrap();
            assert_eq!(n - n0, offset, "{d}");
        }
        assert_eq!(super::day_number(b"2026-1x-01"), None);
    }

    /// The kept statement of `data_version` answers anew each time: unchanged while nothing
    /// commits, changed after another connection's commit (and not by this one's own).
    #[test]
    fn data_version_sees_each_commit_of_another_connection() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.db");
        let desk = super::Store::open(&path).unwrap();
        let other = super::Store::open_again(&path).unwrap();
        let first = desk.data_version().unwrap();
        assert_eq!(desk.data_version().unwrap(), first);
        let add = |s: &super::Store, name: &str| {
            s.conn
                .execute(
                    "INSERT INTO clients(name, name_key, created_on) VALUES (?1, lower(?1), '2026-01-01')",
                    [name],
                )
                .unwrap();
        };
        add(&other, "A");
        let second = desk.data_version().unwrap();
        assert_ne!(second, first);
        assert_eq!(desk.data_version().unwrap(), second);
        add(&desk, "B");
        assert_eq!(desk.data_version().unwrap(), second);
        add(&other, "C");
        assert_ne!(desk.data_version().unwrap(), second);
    }
}

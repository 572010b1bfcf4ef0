//! A `-wal` file beside a store is applied by SQLite to whatever database it sits next to:
//! SQLite has no way to tell that a WAL came from another file (a backup restored without its
//! old WAL set aside, a copy made while another store was open). Applied to the wrong store it
//! corrupts it. So before the first connection of a process, a leftover WAL that no running
//! program is using is tried first, through read-only connections that can never write to the
//! store or its WAL: it is accepted only when the store read through it passes SQLite's
//! `quick_check`, still holds the same store (the store's id, when the WAL holds it, and the
//! same clients as the main file read alone: no id with another uuid, and some client in
//! common or only clients added since) and breaks no reference that the main file alone does
//! not (a WAL of an older state of the same store, beside a backup put in its place). Otherwise
//! the store is refused, and the files stay exactly as they were. An older state's WAL that breaks no reference still gets
//! through: SQLite's files carry nothing that ties a WAL to one state of its database.
//!
//! This runs only when a non-empty WAL exists and no other program has the store open, which
//! happens after a crash, a kill or a careless copy: the cost of the check (reading the store
//! once) is paid then, never on an ordinary start. Nothing is copied: earlier versions tried the
//! WAL on two private copies of the store in the temporary directory, which a kill during the
//! check left behind (twice the store's size each); the first check sweeps those away.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, Result};
use crate::i18n::T;

/// Refuses the store when its leftover `-wal` does not belong to it.
pub(super) fn check(path: &Path, shown: &str) -> Result<()> {
    let wal = sibling(path, "-wal");
    let has_wal = std::fs::metadata(&wal).map(|m| m.len() > 0).unwrap_or(false);
    if !has_wal || in_use(&sibling(path, "-shm")) {
        return Ok(());
    }
    sweep_old_copies();
    match examine(path) {
        Ok(true) => Ok(()),
        Ok(false) | Err(_) => Err(Error::refused(T::ErrForeignWal, &[&shown])),
    }
}

pub(super) fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Whether a running program holds the store's shared memory (SQLite's "DMS" lock, byte 128 of
/// the `-shm`): then the WAL is live, and SQLite itself keeps it consistent. Nothing in this
/// process has the store open yet, so opening the file here drops no lock of ours.
#[cfg(unix)]
fn in_use(shm: &Path) -> bool {
    use std::os::unix::io::AsRawFd;
    let Ok(f) = std::fs::OpenOptions::new().read(true).write(true).open(shm) else {
        return false;
    };
    // SAFETY: a plain C struct filled in by the kernel; the descriptor is open for the call.
    let mut lock: libc::flock = unsafe { std::mem::zeroed() };
    lock.l_type = libc::F_WRLCK as libc::c_short;
    lock.l_whence = libc::SEEK_SET as libc::c_short;
    lock.l_start = 128;
    lock.l_len = 1;
    let r = unsafe { libc::fcntl(f.as_raw_fd(), libc::F_GETLK, &mut lock) };
    r == 0 && i32::from(lock.l_type) != libc::F_UNLCK
}

#[cfg(not(unix))]
fn in_use(shm: &Path) -> bool {
    shm.exists()
}

/// Removes the private copies that earlier versions made for this check (`vadesk-wal-check-PID-N`
/// in the temporary directory) and left behind when killed during it. A directory whose process
/// still runs is left alone.
fn sweep_old_copies() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix("vadesk-wal-check-"))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<i32>().ok())
        else {
            continue;
        };
        if !process_runs(pid) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(unix)]
fn process_runs(pid: i32) -> bool {
    // SAFETY: signal 0 only asks whether the process exists; nothing is sent.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(not(unix))]
fn process_runs(_pid: i32) -> bool {
    true
}

/// Reads the main file alone and the store through its WAL, both read-only, and compares what
/// they hold. A read-only connection never checkpoints, so neither file is written (SQLite may
/// rebuild the `-shm` index, which is derived from the WAL).
fn examine(path: &Path) -> Result<bool> {
    let (before, broken_before) = identity(path)?;
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
    let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Ok(false);
    }
    // A WAL of an older state of this same store (a crash's, left beside a backup put in its
    // place) passes the checks above, yet read through it the store points at records the
    // file does not hold: references it breaks are the sign.
    if broken_references(&conn)? > broken_before {
        return Ok(false);
    }
    // The store's own id (schema step 23): a WAL that reads another id is another store's.
    // The same id proves less: a WAL that never wrote the page holding it reads the file's.
    if before.id.is_some() && store_id(&conn) != before.id {
        return Ok(false);
    }
    let after = first_clients(&conn)?;
    drop(conn);
    Ok(match (before.clients, after) {
        (Some(b), Some(a)) if !b.is_empty() && !a.is_empty() => same_clients(&b, &a),
        _ => true,
    })
}

/// Whether the clients read through a WAL (`after`) are those of the file beside it
/// (`before`), by id and uuid. A client's uuid never changes, and ids are never given twice
/// (AUTOINCREMENT): one id with two uuids is two stores. Some uuid in common is one store; with
/// none in common, the WAL's session replaced every client, and each of its clients is then
/// newer than every client of the file; another store's would reuse the file's low ids.
fn same_clients(before: &Clients, after: &Clients) -> bool {
    if after.iter().any(|(id, u)| before.get(id).is_some_and(|b| b != u)) {
        return false;
    }
    if after.values().any(|u| before.values().any(|b| b == u)) {
        return true;
    }
    let newest = before.keys().max().copied().unwrap_or(0);
    after.keys().all(|id| *id > newest)
}

/// Clients by id: their uuids.
type Clients = std::collections::BTreeMap<i64, String>;

/// What the main file alone says of the store it is.
struct Identity {
    /// Its id (None before schema step 23, or in a file that has none).
    id: Option<String>,
    /// Its clients (None when it cannot tell).
    clients: Option<Clients>,
}

/// The store's id in its `meta` table, if it has one.
fn store_id(conn: &Connection) -> Option<String> {
    conn.query_row("SELECT value FROM meta WHERE key = 'store_id'", [], |r| r.get(0))
        .ok()
}

/// The clients' uuids of the main file alone, its WAL ignored (None when it cannot tell), and
/// how many of its references are broken. `immutable=1` makes SQLite read the file as it
/// lies, without the WAL and without locks.
fn identity(db: &Path) -> Result<(Identity, i64)> {
    let uri = format!("file:{}?immutable=1", uri_path(db));
    let conn = Connection::open_with_flags(
        uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let broken = broken_references(&conn).unwrap_or(0);
    let id = store_id(&conn);
    Ok((
        Identity {
            id,
            clients: first_clients(&conn).unwrap_or(None),
        },
        broken,
    ))
}

/// How many rows point at a record that is not there (SQLite's `foreign_key_check`).
fn broken_references(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0))?)
}

/// A path written for a `file:` URI: every byte but letters, digits, `/`, `.`, `-`, `_` and `~`
/// percent-encoded, so `?`, `#`, `%` and spaces in a folder's name stay part of the path.
pub(super) fn uri_path(path: &Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = String::new();
    for b in absolute.as_os_str().as_encoded_bytes() {
        if b.is_ascii_alphanumeric() || b"/.-_~".contains(b) {
            out.push(char::from(*b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn first_clients(conn: &Connection) -> Result<Option<Clients>> {
    let has_uuid: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM pragma_table_info('clients') WHERE name = 'uuid')",
            [],
            |r| r.get(0),
        )
        .unwrap_or(false);
    if !has_uuid {
        return Ok(None);
    }
    let mut q = conn.prepare("SELECT id, uuid FROM clients ORDER BY id LIMIT 10000")?;
    let rows = q.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    Ok(Some(rows.collect::<rusqlite::Result<_>>()?))
}

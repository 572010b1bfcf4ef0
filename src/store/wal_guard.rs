//! A `-wal` file beside a store is applied by SQLite to whatever database it sits next to:
//! SQLite has no way to tell that a WAL came from another file (a backup restored without its
//! old WAL set aside, a copy made while another store was open). Applied to the wrong store it
//! corrupts it. So before the first connection of a process, a leftover WAL that no running
//! program is using is tried on a private copy first: it is accepted only when the copy passes
//! SQLite's `quick_check` and still holds the same store (some of the same clients). Otherwise
//! the store is refused, and the files stay exactly as they were.
//!
//! This runs only when a non-empty WAL exists and no other program has the store open, which
//! happens after a crash or a careless copy: the cost of the copy is paid then, never on an
//! ordinary start.

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
    let dir = private_dir()?;
    let result = examine(path, &wal, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Ok(true) => Ok(()),
        Ok(false) | Err(_) => Err(Error::refused(T::ErrForeignWal, &[&shown])),
    }
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
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

fn private_dir() -> Result<PathBuf> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!("vadesk-wal-check-{}-{nanos}", std::process::id()));
    super::create_private_dir(&dir)?;
    Ok(dir)
}

/// Copies the store alone and the store with its WAL, and compares what they hold.
fn examine(path: &Path, wal: &Path, dir: &Path) -> Result<bool> {
    let alone = dir.join("alone.db");
    let with_wal = dir.join("with-wal.db");
    std::fs::copy(path, &alone)?;
    std::fs::copy(path, &with_wal)?;
    std::fs::copy(wal, sibling(&with_wal, "-wal"))?;
    let before = identity(&alone)?;
    let conn = Connection::open_with_flags(&with_wal, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Ok(false);
    }
    let after = first_clients(&conn)?;
    drop(conn);
    Ok(match (before, after) {
        // Client uuids are random per store: a WAL of this store leaves some of its clients in
        // place; one from another store brings only others.
        (Some(b), Some(a)) if !b.is_empty() && !a.is_empty() => b.iter().any(|u| a.contains(u)),
        _ => true,
    })
}

/// The clients' uuids of a copy of the main file alone (None when it cannot tell).
fn identity(db: &Path) -> Result<Option<std::collections::HashSet<String>>> {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    Ok(first_clients(&conn).unwrap_or(None))
}

fn first_clients(conn: &Connection) -> Result<Option<std::collections::HashSet<String>>> {
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
    let mut q = conn.prepare("SELECT uuid FROM clients ORDER BY id LIMIT 10000")?;
    let rows = q.query_map([], |r| r.get::<_, String>(0))?;
    Ok(Some(rows.collect::<rusqlite::Result<_>>()?))
}

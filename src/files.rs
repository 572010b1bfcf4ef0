//! Files vadesk writes for the user (export, backup; later statements, calendars, completions,
//! man pages): created 0600, written to a temporary file in the same folder and renamed into
//! place, never replacing an existing file unless asked to (`--force`), and never the store
//! itself or its `-wal` / `-shm`, whatever symlinks or `..` lead there.
//!
//! Nothing here opens the store file: paths are compared after `realpath`, and identities
//! through `stat`, which take no descriptor (closing one would drop SQLite's POSIX locks).

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use crate::error::{Arg, Error, Msg, Result};
use crate::i18n::T;

/// The files that belong to a store: never written over by an export or a backup.
const STORE_COMPANIONS: [&str; 4] = ["", "-wal", "-shm", "-journal"];

/// Writes a new file at `path` through `write`, atomically: the content goes to a private
/// temporary file beside it, which is then renamed into place. Without `force`, an existing
/// `path` is refused (and never replaced, even if it appears meanwhile). `store` is the open
/// store's file, which (with its companions) is never a target.
pub fn write_new_file(
    path: &Path,
    force: bool,
    store: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    let target = check_target(path, force, store)?;
    let tmp = TempFile::create(&target.dir, &target.name)?;
    let result = (|| {
        let file = tmp.open()?;
        let mut w = BufWriter::new(file);
        write(&mut w)?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        Ok(())
    })();
    let result = result.map_err(|e| at(path, e));
    result.and_then(|()| tmp.commit(path, force))
}

/// Like [`write_new_file`] for producers that write to a path themselves (SQLite's online
/// backup): `produce` is given a temporary path in the same folder, which does not exist yet
/// and which it must create. The result is made private and renamed into place.
pub fn write_new_file_at(
    path: &Path,
    force: bool,
    store: Option<&Path>,
    produce: impl FnOnce(&Path) -> Result<()>,
) -> Result<()> {
    let target = check_target(path, force, store)?;
    let tmp = TempFile::reserve(&target.dir, &target.name)?;
    produce(&tmp.path).map_err(|e| at(path, e))?;
    private(&tmp.path).map_err(|e| at(path, e.into()))?;
    tmp.commit(path, force)
}

/// Where a target will go once checked.
struct Target {
    dir: PathBuf,
    name: String,
}

/// Refuses a target that is the store, a folder, a missing folder, a device, a pipe or a
/// socket, or (without `force`) an existing file or link.
fn check_target(path: &Path, force: bool, store: Option<&Path>) -> Result<Target> {
    let shown = path.display().to_string();
    let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return Err(Error::refused(T::ErrFileIsFolder, &[&shown]));
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        if dir.exists() {
            return Err(Error::refused(T::ErrFileNotFolder, &[&dir.display()]));
        }
        return Err(Error::refused(T::ErrNoFolder, &[&dir.display()]));
    }
    if let Some(store) = store {
        if is_store(path, store) {
            return Err(Error::refused(T::ErrFileIsStore, &[&shown]));
        }
    }
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => return Err(Error::refused(T::ErrFileIsFolder, &[&shown])),
        Ok(m) if m.file_type().is_symlink() => {
            match std::fs::metadata(path) {
                Ok(t) if t.is_dir() => return Err(Error::refused(T::ErrFileIsFolder, &[&shown])),
                Ok(_) if !force => return Err(Error::refused(T::ErrFileExists, &[&shown])),
                Ok(_) => {}
                // A link to nowhere: never followed; only --force replaces the link itself.
                Err(_) if !force => {
                    let to = std::fs::read_link(path).unwrap_or_default();
                    return Err(Error::refused(T::ErrFileDanglingLink, &[&shown, &to.display()]));
                }
                Err(_) => {}
            }
        }
        // A device, a pipe or a socket is never replaced by a file, even with --force.
        Ok(m) if !m.is_file() => return Err(Error::refused(T::ErrFileNotRegular, &[&shown])),
        Ok(_) if !force => return Err(Error::refused(T::ErrFileExists, &[&shown])),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(at(path, e.into())),
    }
    Ok(Target { dir, name })
}

/// Whether `path` (through any links and `..`) names the store or one of its companions.
pub fn is_store(path: &Path, store: &Path) -> bool {
    let Some(store) = resolve(store) else { return false };
    let Some(target) = resolve(path) else { return false };
    let store_s = store.as_os_str().to_string_lossy();
    if STORE_COMPANIONS
        .iter()
        .any(|suffix| target.as_os_str().to_string_lossy() == format!("{store_s}{suffix}"))
    {
        return true;
    }
    // The same file under another name (a hard link): compared by identity, through stat only.
    same_file(&target, &store)
}

#[cfg(unix)]
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &Path, _: &Path) -> bool {
    false
}

/// The absolute path `path` leads to, following every link even when the last one points at
/// a file that does not exist yet. `None` when it cannot be worked out.
fn resolve(path: &Path) -> Option<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        if let Ok(real) = std::fs::canonicalize(&p) {
            return Some(real);
        }
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&p).ok()?;
                p = match p.parent() {
                    Some(parent) if to.is_relative() => parent.join(to),
                    _ => to,
                };
            }
            _ => {
                let name = p.file_name()?;
                let parent = match p.parent() {
                    Some(x) if !x.as_os_str().is_empty() => x.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                return Some(std::fs::canonicalize(parent).ok()?.join(name));
            }
        }
    }
    None
}

/// A temporary file beside the target, removed unless committed.
struct TempFile {
    path: PathBuf,
    committed: bool,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl TempFile {
    fn candidate(dir: &Path, name: &str) -> PathBuf {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        dir.join(format!(".{name}.{}-{n}.tmp", std::process::id()))
    }

    /// Removes what an earlier write of `name` left behind when it was killed before it could
    /// clean up (`kill -9`, a power cut): temporary files of this pattern whose process is gone,
    /// with the journal SQLite may have made beside one. A file of a process still running is
    /// left alone, and so is anything not named as these are.
    fn sweep_stale(dir: &Path, name: &str) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        let prefix = format!(".{name}.");
        for entry in entries.flatten() {
            let file = entry.file_name();
            let Some(rest) = file.to_str().and_then(|f| f.strip_prefix(&prefix)) else {
                continue;
            };
            let rest = ["", "-journal", "-wal", "-shm"]
                .iter()
                .find_map(|suffix| rest.strip_suffix(&format!(".tmp{suffix}")));
            let Some((pid, n)) = rest.and_then(|r| r.split_once('-')) else {
                continue;
            };
            let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
            if !digits(pid) || !digits(n) {
                continue;
            }
            let Ok(pid) = pid.parse::<u32>() else { continue };
            if pid != std::process::id() && !process_alive(pid) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    /// Creates a new private temporary file.
    fn create(dir: &Path, name: &str) -> Result<TempFile> {
        Self::sweep_stale(dir, name);
        let mut last = None;
        for _ in 0..100 {
            let path = Self::candidate(dir, name);
            match create_private(&path) {
                Ok(()) => return Ok(TempFile { path, committed: false }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(at(&dir.join(name), e.into())),
            }
        }
        let shown = dir.join(name);
        Err(last.map_or_else(
            || Error::refused(T::ErrFileExists, &[&shown.display()]),
            |e| at(&shown, e.into()),
        ))
    }

    /// A temporary name that does not exist yet, for a producer that creates it.
    fn reserve(dir: &Path, name: &str) -> Result<TempFile> {
        Self::sweep_stale(dir, name);
        for _ in 0..100 {
            let path = Self::candidate(dir, name);
            if std::fs::symlink_metadata(&path).is_err() {
                return Ok(TempFile { path, committed: false });
            }
        }
        Err(Error::refused(T::ErrFileExists, &[&dir.join(name).display()]))
    }

    fn open(&self) -> std::io::Result<std::fs::File> {
        std::fs::OpenOptions::new().write(true).truncate(true).open(&self.path)
    }

    /// Puts the finished file in place: with `force` by an atomic rename over whatever is
    /// there (a link is replaced, never followed); without it, only if nothing is there.
    fn commit(mut self, path: &Path, force: bool) -> Result<()> {
        if force {
            std::fs::rename(&self.path, path).map_err(|e| at(path, e.into()))?;
        } else {
            match std::fs::hard_link(&self.path, path) {
                Ok(()) => {
                    let _ = std::fs::remove_file(&self.path);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    return Err(Error::refused(T::ErrFileExists, &[&path.display()]));
                }
                // A file system without hard links: check again, then rename.
                Err(_) => {
                    if std::fs::symlink_metadata(path).is_ok() {
                        return Err(Error::refused(T::ErrFileExists, &[&path.display()]));
                    }
                    std::fs::rename(&self.path, path).map_err(|e| at(path, e.into()))?;
                }
            }
        }
        self.committed = true;
        sync_dir(path);
        Ok(())
    }
}

/// Whether a process of that id runs (one that cannot be asked counts as running).
fn process_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // SAFETY: kill(2) with signal 0 sends nothing; it only checks that the process exists.
        let r = unsafe { libc::kill(pid, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Makes the rename durable: the folder's entry is flushed too (best effort).
fn sync_dir(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

#[cfg(unix)]
fn create_private(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map(drop)
}

#[cfg(not(unix))]
fn create_private(path: &Path) -> std::io::Result<()> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map(drop)
}

#[cfg(unix)]
fn private(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn private(_: &Path) -> std::io::Result<()> {
    Ok(())
}

/// An OS error while writing `path`, said in the user's language with the path named.
fn at(path: &Path, e: Error) -> Error {
    match e {
        Error::Io(io) => Error::Refused(Msg {
            key: T::ErrFileWrite,
            args: vec![Arg::Text(path.display().to_string()), Arg::io(&io)],
        }),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_failed_write_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.txt");
        let r = write_new_file(&p, false, None, |w| {
            w.write_all(b"half")?;
            Err(Error::refused(T::ErrPlain, &[&"stopped"]))
        });
        assert!(r.is_err());
        assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
        // A producer that fails leaves nothing either.
        let r = write_new_file_at(&p, false, None, |tmp| {
            std::fs::write(tmp, "half")?;
            Err(Error::refused(T::ErrPlain, &[&"stopped"]))
        });
        assert!(r.is_err());
        assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
    }

    #[test]
    fn new_files_replace_only_with_force() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.txt");
        write_new_file(&p, false, None, |w| Ok(w.write_all(b"one")?)).unwrap();
        let e = write_new_file(&p, false, None, |w| Ok(w.write_all(b"two")?)).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Refused(Msg {
                    key: T::ErrFileExists,
                    ..
                })
            ),
            "{e:?}"
        );
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        write_new_file(&p, true, None, |w| Ok(w.write_all(b"two")?)).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(names(dir.path()), ["out.txt"]);
    }

    #[test]
    fn the_store_is_recognised_under_other_names() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("s.db");
        std::fs::write(&store, b"").unwrap();
        std::fs::create_dir(dir.path().join("d")).unwrap();
        assert!(is_store(&dir.path().join("d/../s.db"), &store));
        assert!(is_store(&dir.path().join("s.db-wal"), &store));
        assert!(is_store(&dir.path().join("s.db-shm"), &store));
        assert!(!is_store(&dir.path().join("s.db.json"), &store));
        let hard = dir.path().join("hard");
        std::fs::hard_link(&store, &hard).unwrap();
        assert!(is_store(&hard, &store));
        #[cfg(unix)]
        {
            let chain = dir.path().join("l1");
            std::os::unix::fs::symlink("l2", &chain).unwrap();
            std::os::unix::fs::symlink("s.db-wal", dir.path().join("l2")).unwrap();
            assert!(is_store(&chain, &store), "a dangling chain into the -wal");
        }
    }
}

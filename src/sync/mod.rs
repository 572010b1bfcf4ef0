//! Two machines, one desk: every store is a TaskChampion replica. Its records travel as
//! TaskChampion records (uuid -> string properties) through a server both machines reach
//! (a folder of our own, or a taskchampion-sync-server), encrypted before they leave. A sync
//! sends local operations and applies remote ones to the desk's tables in one IMMEDIATE
//! transaction; the desk and the command line keep reading the usual tables.

mod folder;
mod storage;

use std::cell::Cell;
use std::rc::Rc;

use async_trait::async_trait;
use serde::Serialize;
use taskchampion::server::{AddVersionResult, GetVersionResult, HistorySegment, Snapshot, SnapshotUrgency, VersionId};
use taskchampion::{Replica, Server, ServerConfig};

use crate::config::{SyncConfig, SyncServer};
use crate::error::{Error, Result};
use crate::i18n::{P, T};
use crate::store::Store;

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SyncReport {
    /// Local operations sent to the server.
    pub sent: usize,
    /// Operations received from the server.
    pub received: usize,
    /// Local operations that lost to a later edit or a deletion on the other machine.
    pub conflicts: usize,
    /// Records created or changed in this store's tables.
    pub changed: usize,
    /// Records removed from this store's tables.
    pub removed: usize,
    /// Records brought back because the other machine still uses them.
    pub restored: usize,
    /// Timers that ran on both machines: the earlier one stopped when the later one began.
    pub timers_stopped: usize,
    /// Billed time entries changed or deleted on the other machine before it knew: they keep
    /// what was invoiced, and minutes added become a new entry to invoice.
    pub billed_kept: usize,
}

/// What a sync did, in one line: "Sync done. Sent: 3 · received: 5 · ...".
pub fn summary(r: &SyncReport, lang: crate::i18n::Lang) -> String {
    let n = |v: usize| crate::i18n::number(v as f64, lang);
    let mut text = crate::i18n::tf(
        lang,
        T::MsgSynced,
        &[&n(r.sent), &n(r.received), &n(r.conflicts), &n(r.changed + r.removed)],
    );
    if r.restored > 0 {
        text.push(' ');
        text.push_str(&crate::i18n::tf(lang, T::MsgSyncRestored, &[&n(r.restored)]));
    }
    if r.timers_stopped > 0 {
        text.push(' ');
        text.push_str(&crate::i18n::tf(lang, T::MsgSyncTimers, &[&n(r.timers_stopped)]));
    }
    if r.billed_kept > 0 {
        text.push(' ');
        text.push_str(&crate::i18n::pl(lang, P::SyncBilledKept, r.billed_kept as i64, &[]));
    }
    text
}

/// Before anything is changed for a sync: a sync folder that is not there is made when
/// `starting` (inside a folder that is) and refused otherwise, so that a store is never set up
/// for a sync that cannot happen.
pub fn check_folder(cfg: &SyncConfig, starting: bool) -> Result<()> {
    let SyncServer::Folder(dir) = &cfg.server else {
        return Ok(());
    };
    let noted: folder::Noted = Default::default();
    match folder::ready(dir, starting, &noted) {
        Ok(()) => Ok(()),
        Err(e) => Err(failed(e, &noted, cfg)),
    }
}

/// Sends this replica's operations and applies the other machine's. `store` must be a replica.
/// A sync folder that is not there is made only when `starting` (`sync --init`, the first
/// machine), and only inside a folder that is: otherwise a folder on a disk not mounted would
/// quietly become an empty one on this machine.
pub fn run(store: Store, cfg: &SyncConfig, starting: bool) -> Result<SyncReport> {
    let conn = store.into_sync_connection()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::from)?;
    runtime.block_on(sync_once(conn, cfg, starting))
}

async fn sync_once(conn: rusqlite::Connection, cfg: &SyncConfig, starting: bool) -> Result<SyncReport> {
    let noted: folder::Noted = Default::default();
    let failed = |e: taskchampion::Error| failed(e, &noted, cfg);
    let server: Box<dyn Server> = match &cfg.server {
        SyncServer::Folder(dir) => Box::new(
            folder::FolderServer::open(dir, cfg.encryption_secret.as_bytes(), starting, noted.clone())
                .map_err(failed)?,
        ),
        SyncServer::Remote { url, client_id } => ServerConfig::Remote {
            url: url.clone(),
            client_id: *client_id,
            encryption_secret: cfg.encryption_secret.as_bytes().to_vec(),
        }
        .into_server()
        .await
        .map_err(failed)?,
    };
    let sent = Rc::new(Cell::new(0));
    let storage = storage::DeskStorage::new(conn);
    let log = storage.log.clone();
    let mut server: Box<dyn Server> = Box::new(Counting {
        inner: server,
        sent: sent.clone(),
        log: log.clone(),
    });
    let mut replica = Replica::new(storage);

    // Rounds of less than one version each, until every local operation is sent.
    let mut left = usize::MAX;
    let mut followed_up = false;
    loop {
        replica.sync(&mut server, true).await.map_err(failed)?;
        let mut l = log
            .lock()
            .map_err(|_| failed(taskchampion::Error::Database("sync log poisoned".into())))?;
        if l.left > 0 && l.left < left {
            left = l.left;
            continue;
        }
        // What the sync itself made (a client restored with this machine's edits, billed time
        // kept, a twin renamed) is sent at once, in one more round: the other machine has it
        // at its next sync.
        if l.made > 0 && !followed_up {
            followed_up = true;
            l.horizon = None;
            left = usize::MAX;
            continue;
        }
        break;
    }
    let log = log
        .lock()
        .map_err(|_| failed(taskchampion::Error::Database("sync log poisoned".into())))?;
    Ok(SyncReport {
        sent: sent.get(),
        received: log.received,
        conflicts: log.lost + log.applied.conflicts,
        changed: log.applied.changed,
        removed: log.applied.removed,
        restored: log.applied.restored,
        timers_stopped: log.applied.timers_stopped,
        billed_kept: log.applied.billed_kept,
    })
}

/// Fault injection for tests (never set it otherwise): when the environment variable
/// `VADESK_SYNC_KILL_AT` names this point, the process sends itself SIGKILL there, so a test
/// can check that a sync killed at that moment leaves the store and the replica consistent.
/// The points: `sent` (the server accepted a version, the local transaction has not
/// committed), `applying` (remote operations half applied to the desk's tables),
/// `commit` (everything applied, just before the commit).
pub(crate) fn kill_point(point: &str) {
    if std::env::var("VADESK_SYNC_KILL_AT").is_ok_and(|v| v == point) {
        #[cfg(unix)]
        // SAFETY: kill(2) on our own pid with a constant signal has no memory effects.
        unsafe {
            libc::kill(libc::getpid(), libc::SIGKILL);
        }
        std::process::abort();
    }
}

/// A TaskChampion error as the user reads it: the common failures (the folder missing or
/// unreadable, a damaged file, a wrong secret, a server out of reach) in their own words in
/// the user's language; anything else with the engine's own (English) words as a technical
/// note.
fn failed(e: impl std::fmt::Display, noted: &folder::Noted, cfg: &SyncConfig) -> Error {
    use crate::error::{Arg, Msg};
    use crate::i18n::Lang;
    let text = format!("{e:#}");
    if text.contains(folder::WRONG_SECRET) || text.to_lowercase().contains("decrypt") {
        return Error::refused(T::ErrSyncWrongSecret, &[]);
    }
    let dir = match &cfg.server {
        SyncServer::Folder(dir) => dir.display().to_string(),
        SyncServer::Remote { url, .. } => url.clone(),
    };
    match noted.borrow_mut().take() {
        Some(folder::Failure::Folder(io)) => {
            let reason = Arg::ByLang(
                crate::error::io_reason(&io, Lang::En),
                crate::error::io_reason(&io, Lang::Es),
            );
            return Error::Refused(Msg {
                key: T::ErrSyncFolder,
                args: vec![Arg::Text(dir), reason],
            });
        }
        Some(folder::Failure::Damaged(name)) => return Error::refused(T::ErrSyncDamaged, &[&dir, &name]),
        None => {}
    }
    // The HTTP client's words when no connection was made (no such host, refused, timed out).
    if matches!(cfg.server, SyncServer::Remote { .. }) && text.contains("error sending request") {
        return Error::refused(T::ErrSyncUnreachable, &[&dir]);
    }
    Error::refused(T::ErrSyncFailed, &[&text])
}

fn ops_in(segment: &[u8]) -> usize {
    serde_json::from_slice::<serde_json::Value>(segment)
        .ok()
        .and_then(|v| v.get("operations").and_then(|o| o.as_array()).map(|a| a.len()))
        .unwrap_or(0)
}

/// Counts the operations a sync actually sends (segments reach a `Server` in plaintext; each
/// server encrypts inside).
struct Counting {
    inner: Box<dyn Server>,
    sent: Rc<Cell<usize>>,
    log: std::sync::Arc<std::sync::Mutex<storage::Log>>,
}

#[async_trait(?Send)]
impl Server for Counting {
    async fn add_version(
        &mut self,
        parent: VersionId,
        segment: HistorySegment,
    ) -> std::result::Result<(AddVersionResult, SnapshotUrgency), taskchampion::Error> {
        let n = ops_in(&segment);
        let r = self.inner.add_version(parent, segment).await?;
        if matches!(r.0, AddVersionResult::Ok(_)) {
            self.sent.set(self.sent.get() + n);
            kill_point("sent");
        }
        Ok(r)
    }
    async fn get_child_version(
        &mut self,
        parent: VersionId,
    ) -> std::result::Result<GetVersionResult, taskchampion::Error> {
        let r = self.inner.get_child_version(parent).await?;
        if let GetVersionResult::Version { history_segment, .. } = &r {
            if let Ok(mut l) = self.log.lock() {
                l.pulled(history_segment);
            }
        }
        Ok(r)
    }
    async fn add_snapshot(
        &mut self,
        version: VersionId,
        snapshot: Snapshot,
    ) -> std::result::Result<(), taskchampion::Error> {
        self.inner.add_snapshot(version, snapshot).await
    }
    async fn get_snapshot(&mut self) -> std::result::Result<Option<(VersionId, Snapshot)>, taskchampion::Error> {
        self.inner.get_snapshot().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    /// The counts end their sentence before the next one begins.
    #[test]
    fn the_summary_s_sentences_are_apart() {
        let r = SyncReport {
            changed: 1,
            timers_stopped: 1,
            ..SyncReport::default()
        };
        assert!(summary(&r, Lang::En).contains("changed here: 1. A timer was running"));
        assert!(summary(&r, Lang::Es).contains("cambiados aquí: 1. Había un temporizador"));
    }
}

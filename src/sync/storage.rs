//! TaskChampion's storage over the desk's own SQLite file: its records, operations and state
//! live in the `tc_*` tables, and a sync's transaction is the desk's transaction, so what
//! arrives from the other machine reaches the desk's tables in the same commit (see
//! `store::replica` for the statements).

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use rusqlite::Connection;
use taskchampion::server::VersionId;
use taskchampion::storage::{Storage, StorageTxn, TaskMap};
use taskchampion::{Error, Operation, Uuid};

use crate::store::replica::{RoundOp, RoundOps};
use crate::store::{replica as sql, Applied};

type R<T> = std::result::Result<T, Error>;

fn db(e: impl std::fmt::Display) -> Error {
    Error::Database(e.to_string())
}

/// What a sync did, gathered while TaskChampion drives the storage.
#[derive(Debug, Default)]
pub(crate) struct Log {
    pub changed: BTreeSet<String>,
    pub deleted: BTreeSet<String>,
    /// Operations pulled from the server (those equal to a local one or that gave way to a
    /// later local edit included: they were received all the same).
    pub received: usize,
    /// Local operations that lost: what they set is not what the merge kept.
    pub lost: usize,
    pub applied: Applied,
    /// The newest local operation when the sync began: the ones after it were made by the
    /// sync itself and wait for its follow-up round.
    pub horizon: Option<i64>,
    /// Local operations up to the horizon still unsent after the last round.
    pub left: usize,
    /// This round's operations, both sides (the server's are noted as they are pulled).
    pub round: RoundOps,
    /// Operations the sync itself made (a restored client, a renamed twin, billed time kept),
    /// waiting to be sent.
    pub made: usize,
}

impl Log {
    /// Notes the operations of a version pulled from the server.
    pub fn pulled(&mut self, segment: &[u8]) {
        let ops = serde_json::from_slice::<serde_json::Value>(segment)
            .ok()
            .and_then(|v| v.get("operations").and_then(|o| o.as_array()).cloned())
            .unwrap_or_default();
        self.received += ops.len();
        self.round.remote.extend(ops.iter().filter_map(RoundOp::parse));
    }
}

/// Local operations one round sends, at most (bytes of their JSON). TaskChampion cuts what it
/// is given into versions of a million bytes wherever the limit falls, and when a version's
/// operations all lose to the other machine's it stops there and drops the later ones; so a
/// round gives it less than one version's worth, cut between two records, and the sync runs
/// rounds until everything is sent.
const ROUND_BYTES: usize = 900_000;

pub(crate) struct DeskStorage {
    conn: Connection,
    pub log: Arc<Mutex<Log>>,
}

impl DeskStorage {
    pub fn new(conn: Connection) -> Self {
        DeskStorage {
            conn,
            log: Arc::default(),
        }
    }
}

#[async_trait]
impl Storage for DeskStorage {
    async fn txn<'a>(&'a mut self) -> R<Box<dyn StorageTxn + Send + 'a>> {
        sql::begin(&self.conn).map_err(db)?;
        let started_at = match sql::last_operation_id(&self.conn) {
            Ok(id) => id,
            Err(e) => {
                sql::rollback(&self.conn);
                return Err(db(e));
            }
        };
        let horizon = match self.log.lock() {
            Ok(mut l) => *l.horizon.get_or_insert(started_at),
            Err(_) => started_at,
        };
        Ok(Box::new(Txn {
            conn: &mut self.conn,
            log: self.log.clone(),
            done: false,
            horizon,
            sent_upto: None,
        }))
    }
}

/// One IMMEDIATE transaction, begun and ended by hand: rusqlite's `Transaction` is not `Send`.
struct Txn<'a> {
    conn: &'a mut Connection,
    log: Arc<Mutex<Log>>,
    done: bool,
    /// The newest local operation when the sync began.
    horizon: i64,
    /// The newest local operation this round gave TaskChampion to send.
    sent_upto: Option<i64>,
}

impl Drop for Txn<'_> {
    fn drop(&mut self) {
        if !self.done {
            sql::rollback(self.conn);
        }
    }
}

impl Txn<'_> {
    /// Brings what arrived into the desk's tables, once, before the commit: only then has every
    /// version the server holds been applied (one record's operations may span two versions).
    fn apply(&mut self) -> R<()> {
        let (changed, deleted, round) = match self.log.lock() {
            Ok(mut l) => (
                std::mem::take(&mut l.changed),
                std::mem::take(&mut l.deleted),
                std::mem::take(&mut l.round),
            ),
            Err(_) => return Err(Error::Database("sync log poisoned".into())),
        };
        let applied =
            sql::apply(self.conn, &changed, &deleted, &round, &|| super::kill_point("applying")).map_err(db)?;
        if let Ok(mut l) = self.log.lock() {
            l.applied.changed += applied.changed;
            l.applied.removed += applied.removed;
            l.applied.restored += applied.restored;
            l.applied.conflicts += applied.conflicts;
            l.applied.timers_stopped += applied.timers_stopped;
            l.applied.billed_kept += applied.billed_kept;
        }
        Ok(())
    }

    fn note(&self, uuid: Uuid, deleted: bool) {
        if let Ok(mut l) = self.log.lock() {
            let u = uuid.to_string();
            if deleted {
                l.changed.remove(&u);
                l.deleted.insert(u);
            } else {
                l.deleted.remove(&u);
                l.changed.insert(u);
            }
        }
    }
}

/// The conflicts a round settled: the records of which a property (or the existence) changed
/// on both sides and one side's last operation is not what the merged record shows (a local
/// one that lost to a later edit or a deletion there, or the other machine's that lost to a
/// later edit here). A record is one conflict however many of its properties gave way. An
/// operation both machines made alike (the same recurring instance, the same flag) is no
/// conflict.
fn lost(conn: &Connection, local: &[RoundOp], remote: &[RoundOp]) -> R<usize> {
    type Key<'a> = (&'a str, Option<&'a str>);
    fn last(ops: &[RoundOp]) -> std::collections::BTreeMap<Key<'_>, &RoundOp> {
        let mut m = std::collections::BTreeMap::new();
        for o in ops {
            m.insert((o.uuid.as_str(), o.property.as_deref()), o);
        }
        m
    }
    let (mine, theirs) = (last(local), last(remote));
    let mut settled = std::collections::BTreeSet::new();
    let ours = mine.iter().map(|(k, o)| (*k, *o, true));
    let others = theirs
        .iter()
        .filter(|(k, _)| mine.contains_key(*k) || mine.contains_key(&(k.0, None)))
        .map(|(k, o)| (*k, *o, false));
    for ((uuid, prop), o, is_local) in ours.chain(others) {
        // A local operation on a record the other machine never touched cannot lose.
        if settled.contains(uuid) || (is_local && !theirs.keys().any(|(u, _)| *u == uuid)) {
            continue;
        }
        let record = sql::get_record(conn, uuid)
            .map_err(db)?
            .map(|d| parse_map(&d))
            .transpose()?;
        let kept = match (prop, &record) {
            (Some(p), Some(m)) => m.get(p) == o.value.as_ref(),
            (Some(_), None) => false,
            (None, r) => r.is_some() != o.delete,
        };
        if !kept {
            settled.insert(uuid);
        }
    }
    Ok(settled.len())
}

fn parse_map(s: &str) -> R<TaskMap> {
    serde_json::from_str(s).map_err(db)
}

fn parse_uuid(s: &str) -> R<Uuid> {
    Uuid::parse_str(s).map_err(db)
}

fn records(rows: Vec<(String, String)>) -> R<Vec<(Uuid, TaskMap)>> {
    rows.iter().map(|(u, d)| Ok((parse_uuid(u)?, parse_map(d)?))).collect()
}

fn ops(rows: Vec<String>) -> R<Vec<Operation>> {
    rows.iter().map(|s| serde_json::from_str(s).map_err(db)).collect()
}

#[async_trait]
impl StorageTxn for Txn<'_> {
    async fn get_task(&mut self, uuid: Uuid) -> R<Option<TaskMap>> {
        sql::get_record(self.conn, &uuid.to_string())
            .map_err(db)?
            .map(|d| parse_map(&d))
            .transpose()
    }
    async fn get_pending_tasks(&mut self) -> R<Vec<(Uuid, TaskMap)>> {
        records(sql::working_set_records(self.conn).map_err(db)?)
    }
    async fn create_task(&mut self, uuid: Uuid) -> R<bool> {
        let created = sql::create_record(self.conn, &uuid.to_string()).map_err(db)?;
        if created {
            self.note(uuid, false);
        }
        Ok(created)
    }
    async fn set_task(&mut self, uuid: Uuid, task: TaskMap) -> R<()> {
        let data = serde_json::to_string(&task).map_err(db)?;
        sql::set_record(self.conn, &uuid.to_string(), &data).map_err(db)?;
        self.note(uuid, false);
        Ok(())
    }
    async fn delete_task(&mut self, uuid: Uuid) -> R<bool> {
        let deleted = sql::delete_record(self.conn, &uuid.to_string()).map_err(db)?;
        if deleted {
            self.note(uuid, true);
        }
        Ok(deleted)
    }
    async fn all_tasks(&mut self) -> R<Vec<(Uuid, TaskMap)>> {
        records(sql::all_records(self.conn).map_err(db)?)
    }
    async fn all_task_uuids(&mut self) -> R<Vec<Uuid>> {
        sql::all_records(self.conn)
            .map_err(db)?
            .iter()
            .map(|(u, _)| parse_uuid(u))
            .collect()
    }
    async fn base_version(&mut self) -> R<VersionId> {
        match sql::meta_get(self.conn, "base_version").map_err(db)? {
            Some(v) => parse_uuid(&v),
            None => Ok(Uuid::nil()),
        }
    }
    async fn set_base_version(&mut self, version: VersionId) -> R<()> {
        sql::meta_set(self.conn, "base_version", &version.to_string()).map_err(db)?;
        Ok(())
    }
    async fn get_task_operations(&mut self, uuid: Uuid) -> R<Vec<Operation>> {
        ops(sql::operations(self.conn, Some(&uuid.to_string()), false).map_err(db)?)
    }
    async fn unsynced_operations(&mut self) -> R<Vec<Operation>> {
        // One round's worth, oldest first, never cut inside one record's operations.
        let mut out = Vec::new();
        let mut bytes = 0;
        let mut last: Option<(i64, Option<String>)> = None;
        for (id, uuid, data) in sql::unsynced_upto(self.conn, self.horizon).map_err(db)? {
            let op: Operation = serde_json::from_str(&data).map_err(db)?;
            let size = serde_json::to_string(&op).map_err(db)?.len();
            if let Some((_, prev)) = &last {
                if bytes + size > ROUND_BYTES && *prev != uuid {
                    break;
                }
            }
            bytes += size;
            out.push(op);
            last = Some((id, uuid));
        }
        self.sent_upto = last.map(|(id, _)| id);
        Ok(out)
    }
    async fn num_unsynced_operations(&mut self) -> R<usize> {
        sql::count_unsynced(self.conn).map_err(db)
    }
    async fn add_operation(&mut self, op: Operation) -> R<()> {
        let data = serde_json::to_string(&op).map_err(db)?;
        sql::add_synced_operation(self.conn, &data, op.get_uuid().map(|u| u.to_string()).as_deref()).map_err(db)?;
        Ok(())
    }
    async fn remove_operation(&mut self, op: Operation) -> R<()> {
        match sql::last_unsynced(self.conn).map_err(db)? {
            Some((id, data)) if serde_json::from_str::<Operation>(&data).map_err(db)? == op => {
                sql::remove_operation(self.conn, id).map_err(db)
            }
            _ => Err(Error::Database("the last operation does not match".into())),
        }
    }
    async fn sync_complete(&mut self) -> R<()> {
        if let Some(upto) = self.sent_upto {
            let sent: Vec<RoundOp> = sql::unsynced_upto(self.conn, upto)
                .map_err(db)?
                .iter()
                .filter_map(|(_, _, d)| serde_json::from_str::<serde_json::Value>(d).ok())
                .filter_map(|v| RoundOp::parse(&v))
                .collect();
            let remote = match self.log.lock() {
                Ok(l) => l.round.remote.clone(),
                Err(_) => Vec::new(),
            };
            let lost = lost(self.conn, &sent, &remote)?;
            if let Ok(mut l) = self.log.lock() {
                l.round.local = sent;
                l.lost += lost;
            }
        }
        sql::sync_complete(self.conn, self.sent_upto).map_err(db)?;
        let left = sql::count_unsynced_upto(self.conn, self.horizon).map_err(db)?;
        if let Ok(mut l) = self.log.lock() {
            l.left = left;
        }
        Ok(())
    }
    async fn get_working_set(&mut self) -> R<Vec<Option<Uuid>>> {
        let mut v: Vec<Option<Uuid>> = vec![None];
        for (id, u) in sql::working_set(self.conn).map_err(db)? {
            let id = id.max(0) as usize;
            if v.len() <= id {
                v.resize(id + 1, None);
            }
            v[id] = Some(parse_uuid(&u)?);
        }
        Ok(v)
    }
    async fn add_to_working_set(&mut self, uuid: Uuid) -> R<usize> {
        Ok(sql::add_to_working_set(self.conn, &uuid.to_string())
            .map_err(db)?
            .max(0) as usize)
    }
    async fn set_working_set_item(&mut self, index: usize, uuid: Option<Uuid>) -> R<()> {
        sql::set_working_set_item(self.conn, index as i64, uuid.map(|u| u.to_string()).as_deref()).map_err(db)
    }
    async fn clear_working_set(&mut self) -> R<()> {
        sql::clear_working_set(self.conn).map_err(db)
    }
    async fn commit(&mut self) -> R<()> {
        // What the sync changed reaches the desk's tables before the one commit.
        self.apply()?;
        let all = sql::count_unsynced(self.conn).map_err(db)?;
        let before = sql::count_unsynced_upto(self.conn, self.horizon).map_err(db)?;
        if let Ok(mut l) = self.log.lock() {
            l.made = all.saturating_sub(before);
        }
        super::kill_point("commit");
        sql::commit(self.conn).map_err(db)?;
        self.done = true;
        Ok(())
    }
}

//! The SQL side of sync (src/sync drives it). A store that ran `vadesk sync --init` is a
//! replica: persistent triggers, generated from the list of tables whose records carry an id
//! and a uuid, record every committed row change in the same transaction as TaskChampion
//! operations on the record's uuid, and keep `tc_tasks` (each record as TaskChampion sees it:
//! string properties, `@table` = its table, references as the referenced record's uuid). New
//! tables sync without new code: the triggers are regenerated when the table list changes.
//!
//! A store that never synced has no triggers and pays nothing. The connection a sync applies
//! remote changes through turns capture off (`vadesk_sync_capture()` is 0 there), so what came
//! from the other machine is never sent back as a local change.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::Result;

/// Columns that name a record by its local id inside their text: a flag's source reference
/// (`material:12`). They travel with the uuid in place of the id (`material:<uuid>`) and are
/// read back with the receiving store's ids, so an automatic flag received from the other
/// machine retires here when what raised it is settled, as one raised here does.
/// The counters (`counters::DERIVED`) stay on each machine: each nudge or clarification
/// travels as a record of its own in `counter_events`, so both machines' events count.
const PORTABLE_REFS: &[(&str, &str)] = &[("flags", "source_ref")];

/// Tables whose records are events about a parent: one never keeps or brings back a parent
/// deleted on the other machine (deleting beats a nudge made elsewhere); it goes with it.
const EVENTS: &[&str] = &["counter_events"];

/// A record's properties.
type Props = BTreeMap<String, String>;

/// The property naming a record's table (no column can be called that).
const TABLE_PROP: &str = "@table";
/// The same as a JSON path.
const TABLE_PATH: &str = "$.\"@table\"";

/// Key in `tc_sync_meta` that makes a store a replica.
const REPLICA_KEY: &str = "replica";
/// Key holding the trigger text installed last.
const TRIGGERS_KEY: &str = "triggers";

/// A column as it travels: its property name and, for a reference, the table it points at.
#[derive(Debug, Clone)]
pub(crate) struct SyncColumn {
    pub name: String,
    pub prop: String,
    pub parent: Option<String>,
    pub not_null: bool,
    /// NOT NULL without a default: a new row cannot be written without it.
    pub required: bool,
    /// A reference inside text (`PORTABLE_REFS`).
    pub portable: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct SyncTable {
    pub name: String,
    pub cols: Vec<SyncColumn>,
}

/// Every table whose records carry an id and a uuid, parents before children.
pub(crate) fn synced_tables(conn: &Connection) -> Result<Vec<SyncTable>> {
    let names: Vec<String> = {
        let mut q = conn.prepare(
            "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
               AND name NOT LIKE 'undo_%' AND name NOT LIKE 'tc_%' ORDER BY name",
        )?;
        let rows = q.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut tables = Vec::new();
    for name in names {
        let cols: Vec<(String, bool, bool)> = {
            let mut q = conn
                .prepare("SELECT name, \"notnull\", dflt_value IS NOT NULL FROM pragma_table_info(?1) ORDER BY cid")?;
            let rows = q.query_map([&name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        if !(cols.iter().any(|c| c.0 == "id") && cols.iter().any(|c| c.0 == "uuid")) {
            continue;
        }
        let fks: BTreeMap<String, String> = {
            let mut q = conn.prepare("SELECT \"from\", \"table\" FROM pragma_foreign_key_list(?1)")?;
            let rows = q.query_map([&name], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let cols = cols
            .into_iter()
            .filter(|(c, _, _)| {
                let key = (name.as_str(), c.as_str());
                c != "id" && c != "uuid" && !super::counters::DERIVED.contains(&key)
            })
            .map(|(c, not_null, has_default)| {
                let parent = fks.get(&c).cloned();
                let prop = match (&parent, c.strip_suffix("_id")) {
                    (Some(_), Some(stem)) if !stem.is_empty() => stem.to_string(),
                    _ => c.clone(),
                };
                SyncColumn {
                    portable: PORTABLE_REFS.contains(&(name.as_str(), c.as_str())),
                    name: c,
                    prop,
                    parent,
                    not_null,
                    required: not_null && !has_default,
                }
            })
            .collect();
        tables.push(SyncTable { name, cols });
    }
    // Parents first: a table comes after every table it references; one with a reference
    // inside text (which may name a record of any table) after every other.
    let mut ordered: Vec<SyncTable> = Vec::new();
    while !tables.is_empty() {
        let ready = tables.iter().position(|t| {
            t.cols.iter().all(|c| match &c.parent {
                Some(p) => p == &t.name || ordered.iter().any(|o| &o.name == p) || !tables.iter().any(|x| &x.name == p),
                None if c.portable => tables
                    .iter()
                    .all(|x| x.name == t.name || x.cols.iter().any(|c| c.portable)),
                None => true,
            })
        });
        // A cycle (none today) keeps the remaining order.
        ordered.push(tables.remove(ready.unwrap_or(0)));
    }
    Ok(ordered)
}

/// `json_patch('{}', json_object('@table', 't', 'prop', value, ...))`: a row as TaskChampion
/// properties (NULL columns are absent), read from the trigger row `new.` / `old.`.
fn props_object(t: &SyncTable, prefix: &str) -> String {
    let mut pairs = vec![format!("'{TABLE_PROP}', '{}'", t.name)];
    for c in &t.cols {
        let value = match &c.parent {
            Some(p) => format!("(SELECT uuid FROM {p} WHERE id = {prefix}{})", c.name),
            None if c.portable => super::flags::portable_ref_sql(&format!("{prefix}{}", c.name)),
            None => format!("CAST({prefix}{} AS TEXT)", c.name),
        };
        pairs.push(format!("'{}', {value}", c.prop));
    }
    format!("json_object({})", pairs.join(", "))
}

/// The capture triggers of one table. Their writes to `tc_tasks` and `tc_graveyard` are
/// upserts, never `INSERT OR REPLACE`: a trigger fired by a foreign key's action (a task's
/// time entries losing their task as it is deleted, `ON DELETE SET NULL`) runs under that
/// action's conflict rule, which turns a REPLACE into an abort (`UNIQUE constraint failed:
/// tc_tasks.uuid`); an upsert is not a conflict rule and is not overridden.
fn triggers_sql(t: &SyncTable) -> String {
    let name = &t.name;
    let when = "WHEN vadesk_sync_capture()";
    let new_map = format!("json_patch('{{}}', {})", props_object(t, "new."));
    let merged = format!(
        "json_patch(coalesce((SELECT data FROM tc_tasks WHERE uuid = new.uuid), '{{}}'), {})",
        props_object(t, "new.")
    );
    let update_op = "json_object('Update', json_object('uuid', new.uuid, 'property', k.key, \
                     'old_value', o.value, 'value', n.value, 'timestamp', vadesk_sync_clock()))";
    format!(
        "CREATE TRIGGER sync_{name}_ins AFTER INSERT ON {name} {when} BEGIN
           SELECT RAISE(ABORT, 'vadesk: this uuid already names another kind of record') WHERE EXISTS
             (SELECT 1 FROM tc_tasks WHERE uuid = new.uuid AND json_extract(data, '$.\"{TABLE_PROP}\"') IS NOT '{name}');
           INSERT INTO tc_operations(data, uuid) VALUES (json_object('Create', json_object('uuid', new.uuid)), new.uuid);
           INSERT INTO tc_tasks(uuid, data) VALUES (new.uuid, {new_map})
             ON CONFLICT(uuid) DO UPDATE SET data = excluded.data;
           INSERT INTO tc_operations(data, uuid)
             SELECT json_object('Update', json_object('uuid', new.uuid, 'property', key, 'old_value', NULL,
                      'value', value, 'timestamp', vadesk_sync_clock())), new.uuid
             FROM json_each((SELECT data FROM tc_tasks WHERE uuid = new.uuid));
         END;
         CREATE TRIGGER sync_{name}_upd AFTER UPDATE ON {name} {when} BEGIN
           INSERT INTO tc_graveyard(uuid, data) VALUES ('~' || new.uuid, {merged})
             ON CONFLICT(uuid) DO UPDATE SET data = excluded.data;
           INSERT INTO tc_operations(data, uuid)
             SELECT {update_op}, new.uuid
             FROM (SELECT key FROM json_each(coalesce((SELECT data FROM tc_tasks WHERE uuid = new.uuid), '{{}}'))
                   UNION SELECT key FROM json_each((SELECT data FROM tc_graveyard WHERE uuid = '~' || new.uuid))) k
             LEFT JOIN json_each(coalesce((SELECT data FROM tc_tasks WHERE uuid = new.uuid), '{{}}')) o ON o.key = k.key
             LEFT JOIN json_each((SELECT data FROM tc_graveyard WHERE uuid = '~' || new.uuid)) n ON n.key = k.key
             WHERE o.value IS NOT n.value;
           INSERT INTO tc_tasks(uuid, data)
             SELECT new.uuid, data FROM tc_graveyard WHERE uuid = '~' || new.uuid
             ON CONFLICT(uuid) DO UPDATE SET data = excluded.data;
           DELETE FROM tc_graveyard WHERE uuid = '~' || new.uuid;
         END;
         CREATE TRIGGER sync_{name}_del AFTER DELETE ON {name} {when} BEGIN
           INSERT INTO tc_operations(data, uuid) VALUES (json_object('Delete', json_object('uuid', old.uuid,
             'old_task', json(coalesce((SELECT data FROM tc_tasks WHERE uuid = old.uuid), '{{}}')))), old.uuid);
           INSERT INTO tc_graveyard(uuid, data) SELECT uuid, data FROM tc_tasks WHERE uuid = old.uuid
             ON CONFLICT(uuid) DO UPDATE SET data = excluded.data;
           DELETE FROM tc_tasks WHERE uuid = old.uuid;
         END;
"
    )
}

fn all_triggers_sql(tables: &[SyncTable]) -> String {
    tables.iter().map(triggers_sql).collect()
}

/// Whether this store is a replica (ran `sync --init` or joined with `sync`).
pub(crate) fn is_replica(conn: &Connection) -> Result<bool> {
    let v: Option<String> = conn
        .query_row("SELECT value FROM tc_sync_meta WHERE key = ?1", [REPLICA_KEY], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(v.is_some())
}

/// On opening a replica: (re)creates the capture triggers when the table list changed.
pub(crate) fn refresh_triggers(conn: &mut Connection) -> Result<()> {
    if !is_replica(conn)? {
        return Ok(());
    }
    let tables = synced_tables(conn)?;
    let sql = all_triggers_sql(&tables);
    let installed: Option<String> = conn
        .query_row("SELECT value FROM tc_sync_meta WHERE key = ?1", [TRIGGERS_KEY], |r| {
            r.get(0)
        })
        .optional()?;
    if installed.as_deref() == Some(sql.as_str()) {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    install(&tx, &sql)?;
    capture_missing(&tx, &tables)?;
    capture_portable_refs(&tx, &tables)?;
    tx.commit()?;
    Ok(())
}

/// References inside text that records already in the replica were captured without (they
/// stayed on each machine before they travelled): sent now, as the triggers would have.
fn capture_portable_refs(conn: &Connection, tables: &[SyncTable]) -> Result<()> {
    for t in tables {
        for c in t.cols.iter().filter(|c| c.portable) {
            let value = super::flags::portable_ref_sql(&format!("r.{}", c.name));
            let missing = format!(
                "FROM {name} r JOIN tc_tasks x ON x.uuid = r.uuid
                 WHERE r.{col} IS NOT NULL AND json_type(x.data, '$.\"{prop}\"') IS NULL",
                name = t.name,
                col = c.name,
                prop = c.prop
            );
            conn.execute(
                &format!(
                    "INSERT INTO tc_operations(data, uuid)
                     SELECT json_object('Update', json_object('uuid', r.uuid, 'property', '{prop}', 'old_value', NULL,
                              'value', {value}, 'timestamp', vadesk_sync_clock())), r.uuid {missing}",
                    prop = c.prop
                ),
                [],
            )?;
            conn.execute(
                &format!(
                    "UPDATE tc_tasks SET data = json_set(data, '$.\"{prop}\"', v.value)
                     FROM (SELECT r.uuid AS uuid, {value} AS value {missing}) v WHERE tc_tasks.uuid = v.uuid",
                    prop = c.prop
                ),
                [],
            )?;
        }
    }
    Ok(())
}

/// Records the replica does not know yet (rows a migration added to a new table, such as the
/// counters' events) become operations, as `init` does for a whole store.
fn capture_missing(conn: &Connection, tables: &[SyncTable]) -> Result<()> {
    conn.execute_batch("CREATE TEMP TABLE IF NOT EXISTS sync_new(uuid TEXT PRIMARY KEY); DELETE FROM temp.sync_new;")?;
    for t in tables {
        let map = format!("json_patch('{{}}', {})", props_object(t, "r."));
        conn.execute(
            &format!(
                "INSERT INTO temp.sync_new(uuid) SELECT r.uuid FROM {} r
                 WHERE NOT EXISTS (SELECT 1 FROM tc_tasks x WHERE x.uuid = r.uuid)",
                t.name
            ),
            [],
        )?;
        conn.execute(
            &format!(
                "INSERT INTO tc_tasks(uuid, data) SELECT r.uuid, {map} FROM {} r
                 WHERE r.uuid IN (SELECT uuid FROM temp.sync_new)
                   AND NOT EXISTS (SELECT 1 FROM tc_tasks x WHERE x.uuid = r.uuid)",
                t.name
            ),
            [],
        )?;
        conn.execute(
            &format!(
                "INSERT INTO tc_operations(data, uuid)
                 SELECT json_object('Create', json_object('uuid', r.uuid)), r.uuid FROM {} r
                 WHERE r.uuid IN (SELECT uuid FROM temp.sync_new) ORDER BY r.id",
                t.name
            ),
            [],
        )?;
    }
    conn.execute(
        "INSERT INTO tc_operations(data, uuid)
         SELECT json_object('Update', json_object('uuid', t.uuid, 'property', p.key, 'old_value', NULL,
                  'value', p.value, 'timestamp', vadesk_sync_clock())), t.uuid
         FROM tc_tasks t JOIN temp.sync_new n ON n.uuid = t.uuid, json_each(t.data) p",
        [],
    )?;
    conn.execute_batch("DROP TABLE temp.sync_new")?;
    Ok(())
}

fn install(conn: &Connection, sql: &str) -> Result<()> {
    let old: Vec<String> = {
        let mut q = conn.prepare(
            "SELECT name FROM main.sqlite_master WHERE type = 'trigger' AND name LIKE 'sync\\_%' ESCAPE '\\'",
        )?;
        let rows = q.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for name in old {
        conn.execute_batch(&format!("DROP TRIGGER IF EXISTS main.\"{name}\""))?;
    }
    conn.execute_batch(sql)?;
    conn.execute(
        "INSERT OR REPLACE INTO tc_sync_meta(key, value) VALUES (?1, ?2)",
        params![TRIGGERS_KEY, sql],
    )?;
    Ok(())
}

/// Makes this store a replica: its current records become the first operations (a create and
/// one update per property, stamped with the store's clock). Returns the records.
pub(crate) fn init(conn: &Connection) -> Result<usize> {
    let tables = synced_tables(conn)?;
    conn.execute(
        "INSERT OR REPLACE INTO tc_sync_meta(key, value) VALUES (?1, '1')",
        [REPLICA_KEY],
    )?;
    install(conn, &all_triggers_sql(&tables))?;
    let mut records = 0;
    for t in &tables {
        let map = format!("json_patch('{{}}', {})", props_object(t, "r."));
        let added = conn.execute(
            &format!(
                "INSERT INTO tc_tasks(uuid, data) SELECT r.uuid, {map} FROM {} r WHERE true
                 ON CONFLICT(uuid) DO NOTHING",
                t.name
            ),
            [],
        )?;
        // A record whose uuid another table's record already took: the other machine would
        // get one of them only (a sync tells records apart by their uuid alone).
        let rows: i64 = conn.query_row(&format!("SELECT count(*) FROM {}", t.name), [], |r| r.get(0))?;
        if added as i64 != rows {
            let uuid: String = conn.query_row(
                &format!(
                    "SELECT r.uuid FROM {name} r JOIN tc_tasks x ON x.uuid = r.uuid
                     WHERE json_extract(x.data, '$.\"{TABLE_PROP}\"') IS NOT '{name}' LIMIT 1",
                    name = t.name
                ),
                [],
                |r| r.get(0),
            )?;
            return Err(crate::error::Error::refused(
                crate::i18n::T::ErrSyncUuidShared,
                &[&uuid],
            ));
        }
        records += added;
        emit_records(conn, t)?;
    }
    Ok(records)
}

/// A create and one update per property of every record of a table, as `init` sends them:
/// each record's operations together (a sync round is cut between two records, never inside
/// one).
fn emit_records(conn: &Connection, t: &SyncTable) -> Result<()> {
    conn.execute(
        &format!(
            "INSERT INTO tc_operations(data, uuid)
             SELECT data, uuid FROM (
               SELECT r.id AS i, -1 AS k, json_object('Create', json_object('uuid', r.uuid)) AS data, r.uuid AS uuid
                 FROM {name} r
               UNION ALL
               SELECT r.id, p.id, json_object('Update', json_object('uuid', r.uuid, 'property', p.key,
                        'old_value', NULL, 'value', p.value, 'timestamp', vadesk_sync_clock())), r.uuid
                 FROM {name} r JOIN tc_tasks x ON x.uuid = r.uuid, json_each(x.data) p)
             ORDER BY i, k",
            name = t.name
        ),
        [],
    )?;
    Ok(())
}

/// Marks a store that joins with its first `sync` (it holds no records).
pub(crate) fn join(conn: &Connection) -> Result<()> {
    init(conn)?;
    Ok(())
}

// ----- the TaskChampion storage's statements (one transaction, opened by src/sync) -----

pub(crate) fn begin(conn: &Connection) -> Result<()> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    Ok(())
}

pub(crate) fn commit(conn: &Connection) -> Result<()> {
    conn.execute_batch("COMMIT")?;
    Ok(())
}

pub(crate) fn rollback(conn: &Connection) {
    let _ = conn.execute_batch("ROLLBACK");
}

pub(crate) fn get_record(conn: &Connection, uuid: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT data FROM tc_tasks WHERE uuid = ?1", [uuid], |r| r.get(0))
        .optional()?)
}

pub(crate) fn all_records(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut q = conn.prepare("SELECT uuid, data FROM tc_tasks")?;
    let rows = q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn working_set_records(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut q = conn.prepare("SELECT t.uuid, t.data FROM tc_tasks t JOIN tc_working_set w ON t.uuid = w.uuid")?;
    let rows = q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Creates an empty record; false when it exists.
pub(crate) fn create_record(conn: &Connection, uuid: &str) -> Result<bool> {
    Ok(conn.execute("INSERT OR IGNORE INTO tc_tasks(uuid, data) VALUES (?1, '{}')", [uuid])? == 1)
}

pub(crate) fn set_record(conn: &Connection, uuid: &str, data: &str) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO tc_tasks(uuid, data) VALUES (?1, ?2)",
        [uuid, data],
    )?;
    Ok(())
}

/// Deletes a record, keeping its last image for a restore; false when it was not there.
pub(crate) fn delete_record(conn: &Connection, uuid: &str) -> Result<bool> {
    conn.execute(
        "INSERT OR REPLACE INTO tc_graveyard(uuid, data) SELECT uuid, data FROM tc_tasks WHERE uuid = ?1",
        [uuid],
    )?;
    Ok(conn.execute("DELETE FROM tc_tasks WHERE uuid = ?1", [uuid])? == 1)
}

pub(crate) fn meta_get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM tc_sync_meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

pub(crate) fn meta_set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO tc_sync_meta(key, value) VALUES (?1, ?2)",
        [key, value],
    )?;
    Ok(())
}

pub(crate) fn operations(conn: &Connection, uuid: Option<&str>, unsynced_only: bool) -> Result<Vec<String>> {
    let sql = match (uuid, unsynced_only) {
        (Some(_), _) => "SELECT data FROM tc_operations WHERE uuid = ?1 ORDER BY id",
        (None, true) => "SELECT data FROM tc_operations WHERE synced = 0 ORDER BY id",
        (None, false) => "SELECT data FROM tc_operations ORDER BY id",
    };
    let mut q = conn.prepare(sql)?;
    let args: Vec<&str> = uuid.into_iter().collect();
    let rows = q.query_map(rusqlite::params_from_iter(args), |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn count_unsynced(conn: &Connection) -> Result<usize> {
    let n: i64 = conn.query_row("SELECT count(*) FROM tc_operations WHERE synced = 0", [], |r| r.get(0))?;
    Ok(n as usize)
}

pub(crate) fn add_operation(conn: &Connection, data: &str, uuid: Option<&str>) -> Result<()> {
    conn.execute(
        "INSERT INTO tc_operations(data, uuid) VALUES (?1, ?2)",
        params![data, uuid],
    )?;
    Ok(())
}

/// An operation from the server, kept as already synced.
pub(crate) fn add_synced_operation(conn: &Connection, data: &str, uuid: Option<&str>) -> Result<()> {
    conn.execute(
        "INSERT INTO tc_operations(data, uuid, synced) VALUES (?1, ?2, 1)",
        params![data, uuid],
    )?;
    Ok(())
}

/// The newest operation's id (0 when none): what a sync starts from.
pub(crate) fn last_operation_id(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT coalesce(max(id), 0) FROM tc_operations", [], |r| r.get(0))?)
}

/// The last unsynced operation (id, data), for TaskChampion's `remove_operation`.
pub(crate) fn last_unsynced(conn: &Connection) -> Result<Option<(i64, String)>> {
    Ok(conn
        .query_row(
            "SELECT id, data FROM tc_operations WHERE synced = 0 AND id = (SELECT max(id) FROM tc_operations)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

pub(crate) fn remove_operation(conn: &Connection, id: i64) -> Result<()> {
    conn.execute("DELETE FROM tc_operations WHERE id = ?1", [id])?;
    Ok(())
}

/// The unsynced operations up to `horizon` (id, record uuid, data), oldest first.
pub(crate) fn unsynced_upto(conn: &Connection, horizon: i64) -> Result<Vec<(i64, Option<String>, String)>> {
    let mut q = conn.prepare("SELECT id, uuid, data FROM tc_operations WHERE synced = 0 AND id <= ?1 ORDER BY id")?;
    let rows = q.query_map([horizon], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Unsynced operations up to `horizon` still waiting to be sent.
pub(crate) fn count_unsynced_upto(conn: &Connection, horizon: i64) -> Result<usize> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM tc_operations WHERE synced = 0 AND id <= ?1",
        [horizon],
        |r| r.get(0),
    )?;
    Ok(n as usize)
}

/// After a sync round: what came from the server and the local operations this round sent
/// (up to `sent_upto`, those that lost to the other machine included) are done with. Later
/// local operations wait for the next round; those the sync itself made (a restored client, a
/// renamed twin) for the sync's follow-up round.
pub(crate) fn sync_complete(conn: &Connection, sent_upto: Option<i64>) -> Result<()> {
    conn.execute(
        "DELETE FROM tc_operations WHERE synced = 1 OR (?1 IS NOT NULL AND id <= ?1)",
        [sent_upto],
    )?;
    Ok(())
}

pub(crate) fn working_set(conn: &Connection) -> Result<Vec<(i64, String)>> {
    let mut q = conn.prepare("SELECT id, uuid FROM tc_working_set ORDER BY id")?;
    let rows = q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn add_to_working_set(conn: &Connection, uuid: &str) -> Result<i64> {
    let id: i64 = conn.query_row("SELECT coalesce(max(id), 0) + 1 FROM tc_working_set", [], |r| r.get(0))?;
    conn.execute(
        "INSERT INTO tc_working_set(id, uuid) VALUES (?1, ?2)",
        params![id, uuid],
    )?;
    Ok(id)
}

pub(crate) fn set_working_set_item(conn: &Connection, index: i64, uuid: Option<&str>) -> Result<()> {
    match uuid {
        Some(u) => conn.execute(
            "INSERT OR REPLACE INTO tc_working_set(id, uuid) VALUES (?1, ?2)",
            params![index, u],
        )?,
        None => conn.execute("DELETE FROM tc_working_set WHERE id = ?1", [index])?,
    };
    Ok(())
}

pub(crate) fn clear_working_set(conn: &Connection) -> Result<()> {
    conn.execute("DELETE FROM tc_working_set", [])?;
    Ok(())
}

// ----- applying what a sync changed to the desk's tables -----

/// What applying a sync did to the desk's tables.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Applied {
    /// Records created or changed.
    pub changed: usize,
    /// Records removed.
    pub removed: usize,
    /// Records restored because something on the other machine still needed them.
    pub restored: usize,
    /// Merges that had to give way: an event whose record was deleted on the other machine,
    /// a timer stopped because the other machine started a later one.
    pub conflicts: usize,
    /// Timers that ran on both machines: the earlier one stopped when the later one began.
    pub timers_stopped: usize,
    /// Billed time entries changed or deleted on the other machine: kept as billed.
    pub billed_kept: usize,
}

/// One operation of a sync round, as the billing rule reads it: `property` None for a
/// creation or (with `delete`) a deletion.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RoundOp {
    pub uuid: String,
    pub delete: bool,
    pub property: Option<String>,
    pub old: Option<String>,
    pub value: Option<String>,
    /// When an update was made (RFC 3339), as the later-edit-wins rule reads it.
    pub timestamp: Option<String>,
}

impl RoundOp {
    /// Reads a TaskChampion operation (`{"Update": {...}}`, `{"Create": ...}`, `{"Delete": ...}`)
    /// as stored locally or as it travels in a version.
    pub(crate) fn parse(v: &serde_json::Value) -> Option<RoundOp> {
        let text = |o: &serde_json::Value, k: &str| o.get(k).and_then(|x| x.as_str()).map(String::from);
        if let Some(u) = v.get("Update") {
            return Some(RoundOp {
                uuid: text(u, "uuid")?,
                delete: false,
                property: text(u, "property"),
                old: text(u, "old_value"),
                value: text(u, "value"),
                timestamp: text(u, "timestamp"),
            });
        }
        let (o, delete) = match (v.get("Create"), v.get("Delete")) {
            (Some(o), _) => (o, false),
            (_, Some(o)) => (o, true),
            _ => return None,
        };
        Some(RoundOp {
            uuid: text(o, "uuid")?,
            delete,
            property: None,
            old: None,
            value: None,
            timestamp: None,
        })
    }

    /// When this update was made, for comparing two edits of one property.
    fn made_at(&self) -> Option<chrono::DateTime<chrono::FixedOffset>> {
        self.timestamp
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
    }
}

/// What one sync round did on each side: the local operations it sent (those that lost
/// included) and the operations it pulled from the server (those that gave way included).
#[derive(Debug, Clone, Default)]
pub(crate) struct RoundOps {
    pub local: Vec<RoundOp>,
    pub remote: Vec<RoundOp>,
}

const BILLED: &str = "billed_on";
const MINUTES: &str = "minutes";
/// What an invoice counted of an entry: a billed entry keeps these as they were billed.
const BILLING_FIELDS: [&str; 4] = [MINUTES, "billable", "start", CLIENT];
/// An entry's client and task, as properties.
const CLIENT: &str = "client";
const TASK: &str = "task";

/// Billed time is never changed by a sync. An entry billed on one machine while the other,
/// not knowing it yet, changed its minutes, its start or whether it is billable, or deleted
/// it: the entry keeps what was invoiced (it comes back if it was deleted), and minutes added
/// offline become a new entry, not billed, as they were entered (client, task, note, day). Both machines would settle it
/// alike (the new entry's uuid is derived from the billed one, its billing day and the new
/// minutes); the machine that syncs second sees both sides and does it, as local changes the
/// sync sends. Returns how many entries were kept.
fn keep_billed_time(conn: &Connection, ops: &RoundOps) -> Result<usize> {
    let is_entry = |u: &str| -> Result<bool> {
        let image = match get_record(conn, u)? {
            Some(d) => Some(d),
            None => conn
                .query_row("SELECT data FROM tc_graveyard WHERE uuid = ?1", [u], |r| r.get(0))
                .optional()?,
        };
        Ok(image.and_then(|d| kind_of(&d)).as_deref() == Some(TIMER_TABLE))
    };
    let billed = |list: &[RoundOp], u: &str| -> Option<String> {
        list.iter()
            .rev()
            .find(|o| o.uuid == u && o.property.as_deref() == Some(BILLED))
            .and_then(|o| o.value.clone())
    };
    let touched = |list: &[RoundOp], u: &str| {
        list.iter()
            .any(|o| o.uuid == u && (o.delete || o.property.as_deref().is_some_and(|p| BILLING_FIELDS.contains(&p))))
    };
    let uuids: BTreeSet<&str> = ops.local.iter().chain(&ops.remote).map(|o| o.uuid.as_str()).collect();
    let mut kept = 0;
    for u in uuids {
        if !is_entry(u)? {
            continue;
        }
        let now: Option<Props> = get_record(conn, u)?.and_then(|d| serde_json::from_str(&d).ok());
        let image: Props = match &now {
            Some(m) => m.clone(),
            None => match conn
                .query_row("SELECT data FROM tc_graveyard WHERE uuid = ?1", [u], |r| {
                    r.get::<_, String>(0)
                })
                .optional()?
            {
                Some(d) => serde_json::from_str(&d)?,
                None => continue,
            },
        };
        // Billed here and changed there, or changed here and billed there; and what was
        // billed, field by field.
        let mut before: BTreeMap<&str, Option<String>> = BTreeMap::new();
        let billed_on = match (billed(&ops.local, u), billed(&ops.remote, u)) {
            (Some(on), _) if touched(&ops.remote, u) => {
                // This machine's table row, not yet rewritten.
                type Row = (Option<String>, Option<String>, Option<String>, Option<String>);
                let row: Option<Row> = conn
                    .query_row(
                        &format!(
                            "SELECT CAST(e.minutes AS TEXT), CAST(e.billable AS TEXT), e.start,
                                    (SELECT c.uuid FROM clients c WHERE c.id = e.client_id)
                             FROM {TIMER_TABLE} e WHERE e.uuid = ?1"
                        ),
                        [u],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                    )
                    .optional()?;
                let Some((m, b, s, c)) = row else { continue };
                before.extend([(MINUTES, m), ("billable", b), ("start", s), (CLIENT, c)]);
                on
            }
            (None, Some(on)) if touched(&ops.local, u) => {
                // The values before this machine's first change of each.
                for f in BILLING_FIELDS {
                    let first = ops
                        .local
                        .iter()
                        .find(|o| o.uuid == u && o.property.as_deref() == Some(f))
                        .map(|o| o.old.clone());
                    let v = match first {
                        Some(old) => old,
                        None => image.get(f).cloned(),
                    };
                    before.insert(f, v);
                }
                on
            }
            _ => continue,
        };
        let Some(Some(billed_minutes)) = before.get(MINUTES).cloned() else {
            continue;
        };
        let after = now.as_ref().and_then(|m| m.get(MINUTES).cloned());
        let mut keep = image.clone();
        for (f, v) in &before {
            match v {
                Some(v) => keep.insert(f.to_string(), v.clone()),
                None => keep.remove(*f),
            };
        }
        keep.insert(BILLED.into(), billed_on.clone());
        // Billed to its client, it stays with that client; its task, moved to another client
        // meanwhile, goes on without it (a task's time follows the task's client).
        if let Some(task) = keep.get(TASK).cloned() {
            let task_client = get_record(conn, &task)?
                .and_then(|d| serde_json::from_str::<Props>(&d).ok())
                .and_then(|p| p.get(CLIENT).cloned());
            if task_client.is_some() && task_client != keep.get(CLIENT).cloned() {
                keep.remove(TASK);
            }
        }
        put_record_as_local(conn, u, now.as_ref(), &keep)?;
        let (b, a) = (
            billed_minutes.parse::<i64>().unwrap_or(0),
            after.as_deref().and_then(|a| a.parse::<i64>().ok()).unwrap_or(0),
        );
        if a > b {
            // The minutes added offline, as they were entered (their day, billable or not).
            let extra = crate::domain::identity::derived(&format!("billed-change:{u}:{billed_on}:{a}"));
            let mut rest = image;
            rest.insert(MINUTES.into(), (a - b).to_string());
            rest.remove(BILLED);
            put_record_as_local(conn, &extra, None, &rest)?;
        }
        kept += 1;
    }
    Ok(kept)
}

/// An entry billed on both machines before either knew (the same month billed twice) keeps its
/// first billing's day: the later one's day won as any later edit does, and the invoice that
/// went out first lost its entries. Both machines settle it alike (the earlier day). Returns
/// the entries that kept it (their rows are written again).
fn keep_first_billing(conn: &Connection, ops: &RoundOps) -> Result<Vec<String>> {
    let billed = |list: &[RoundOp], u: &str| -> Option<String> {
        list.iter()
            .rev()
            .find(|o| o.uuid == u && o.property.as_deref() == Some(BILLED))
            .and_then(|o| o.value.clone())
    };
    let uuids: BTreeSet<&str> = ops
        .local
        .iter()
        .filter(|o| o.property.as_deref() == Some(BILLED) && o.value.is_some())
        .map(|o| o.uuid.as_str())
        .collect();
    let mut kept = Vec::new();
    for u in uuids {
        let (Some(mine), Some(theirs)) = (billed(&ops.local, u), billed(&ops.remote, u)) else {
            continue;
        };
        let Some(now) = get_record(conn, u)?.and_then(|d| serde_json::from_str::<Props>(&d).ok()) else {
            continue;
        };
        let first = mine.clone().min(theirs);
        if now.get(BILLED) == Some(&first) {
            continue;
        }
        let mut keep = now.clone();
        keep.insert(BILLED.into(), first);
        put_record_as_local(conn, u, Some(&now), &keep)?;
        kept.push(u.to_string());
    }
    Ok(kept)
}

/// One property of a record changed here, as an operation the sync sends.
fn push_update(conn: &Connection, uuid: &str, prop: &str, old: Option<&str>, new: Option<&str>) -> Result<()> {
    conn.execute(
        "INSERT INTO tc_operations(data, uuid)
         VALUES (json_object('Update', json_object('uuid', ?1, 'property', ?2, 'old_value', ?3,
                   'value', ?4, 'timestamp', vadesk_sync_clock())), ?1)",
        params![uuid, prop, old, new],
    )?;
    Ok(())
}

/// Sets a record in `tc_tasks` to `new` as a local change the sync sends: a creation when it
/// is not there (`old` None), then one update per property that differs.
fn put_record_as_local(conn: &Connection, uuid: &str, old: Option<&Props>, new: &Props) -> Result<()> {
    if old.is_none() {
        add_operation(
            conn,
            &serde_json::json!({ "Create": { "uuid": uuid } }).to_string(),
            Some(uuid),
        )?;
    }
    let empty = Props::new();
    let old_map = old.unwrap_or(&empty);
    let keys: BTreeSet<&String> = old_map.keys().chain(new.keys()).collect();
    for k in keys {
        let (o, n) = (old_map.get(k), new.get(k));
        if o == n {
            continue;
        }
        push_update(conn, uuid, k, o.map(String::as_str), n.map(String::as_str))?;
    }
    set_record(conn, uuid, &serde_json::to_string(new)?)?;
    Ok(())
}

fn kind_of(data: &str) -> Option<String> {
    serde_json::from_str::<BTreeMap<String, String>>(data)
        .ok()
        .and_then(|m| m.get(TABLE_PROP).cloned())
}

/// Brings the desk's tables in line with `tc_tasks` for the records a sync touched, inside
/// the sync's transaction (capture is off on this connection). Rules a user would accept:
/// a record still referenced by a surviving record is not removed (a client deleted on one
/// machine while a task was added to it on the other comes back as `ended`); a record whose
/// parent is gone brings that parent back from its last image.
/// It runs once, after every version the server holds has been applied to `tc_tasks`: a
/// version may end inside one record's operations (TaskChampion cuts an upload into versions
/// of about a million bytes wherever the limit falls), so a record is only whole once all of
/// them are in. A new record still missing a column it cannot do without (its sender was cut
/// off between two versions) waits in `tc_tasks`, with the records that reference it, until a
/// later sync brings the rest. `halfway` runs once, after the first record is written or
/// removed (a test's kill point).
pub(crate) fn apply(
    conn: &Connection,
    changed: &BTreeSet<String>,
    deleted: &BTreeSet<String>,
    round: &RoundOps,
    halfway: &dyn Fn(),
) -> Result<Applied> {
    let tables = synced_tables(conn)?;
    conn.execute_batch("PRAGMA defer_foreign_keys = ON")?;
    let kept = keep_billed_time(conn, round)?;
    let first_billing = keep_first_billing(conn, round)?;
    let kept = kept + first_billing.len();
    keep_edits_that_gave_way(conn, round)?;
    let mut applied = Applied {
        billed_kept: kept,
        conflicts: kept,
        ..Applied::default()
    };
    let mut restore: BTreeSet<String> = BTreeSet::new();
    // Removals; one still referenced by a live record stays (it comes back below).
    for uuid in deleted {
        if get_record(conn, uuid)?.is_some() || referenced_by_live(conn, &tables, uuid)? {
            continue;
        }
        for t in tables.iter().rev() {
            applied.removed += conn.execute(&format!("DELETE FROM {} WHERE uuid = ?1", t.name), [uuid])?;
        }
        if applied.removed == 1 {
            halfway();
        }
    }
    // An event whose record is gone (deleted on the other machine) goes too, here and, through
    // the delete this sends, there.
    for t in tables.iter().filter(|t| EVENTS.contains(&t.name.as_str())) {
        for uuid in orphans(conn, t)? {
            drop_record(conn, t, &uuid)?;
            applied.removed += 1;
            applied.conflicts += 1;
        }
    }
    // Parents a live record needs but this replica no longer has come back from their last
    // image (each pass may need the parents of what the previous one restored).
    loop {
        let mut missing: BTreeSet<String> = BTreeSet::new();
        for (_, data) in all_records(conn)? {
            let Ok(map) = serde_json::from_str::<BTreeMap<String, String>>(&data) else {
                continue;
            };
            let Some(t) = map.get(TABLE_PROP).and_then(|k| tables.iter().find(|t| &t.name == k)) else {
                continue;
            };
            if EVENTS.contains(&t.name.as_str()) {
                continue;
            }
            for c in t.cols.iter().filter(|c| c.parent.is_some()) {
                if let Some(parent) = map.get(&c.prop) {
                    if get_record(conn, parent)?.is_none() {
                        missing.insert(parent.clone());
                    }
                }
            }
        }
        let mut progressed = false;
        for uuid in missing {
            if restore_record(conn, &uuid)? {
                applied.restored += 1;
                restore.insert(uuid);
                progressed = true;
            }
        }
        if !progressed {
            break;
        }
    }
    // Creations and changes, parents first; plus any record not yet in the desk's tables.
    let mut todo: BTreeSet<String> = changed.clone();
    todo.extend(restore.iter().cloned());
    todo.extend(first_billing);
    for t in &tables {
        let mut q = conn.prepare(&format!(
            "SELECT uuid FROM tc_tasks WHERE json_extract(data, '{TABLE_PATH}') = ?1
               AND uuid NOT IN (SELECT uuid FROM {})",
            t.name
        ))?;
        let rows = q.query_map([&t.name], |r| r.get::<_, String>(0))?;
        for row in rows {
            todo.insert(row?);
        }
    }
    // How late each record created in this round reached the server: this machine's after
    // the other's, both after any record that was there before. Two records that may exist
    // only once: the later one gives way, which both machines judge alike.
    let mut fresh: BTreeMap<String, u8> = BTreeMap::new();
    for (ops, rank) in [(&round.remote, 1), (&round.local, 2)] {
        for o in ops.iter().filter(|o| o.property.is_none() && !o.delete) {
            fresh.insert(o.uuid.clone(), rank);
        }
    }
    let mut by_table: BTreeMap<String, Vec<(String, Props)>> = BTreeMap::new();
    for uuid in &todo {
        let Some(data) = get_record(conn, uuid)? else { continue };
        let Ok(map) = serde_json::from_str::<BTreeMap<String, String>>(&data) else {
            continue;
        };
        let Some(kind) = kind_of(&data) else { continue };
        by_table.entry(kind).or_default().push((uuid.clone(), map));
    }
    // The automatic flags to look at again once everything is written: those received, and
    // those of the records received whose change may retire them.
    let mut flags: Vec<String> = Vec::new();
    for t in &tables {
        for (uuid, map) in by_table.remove(&t.name).unwrap_or_default() {
            if write_row(conn, t, &uuid, &map, &fresh, &mut applied)? {
                applied.changed += 1;
                if applied.changed == 1 && applied.removed == 0 {
                    halfway();
                }
                if t.name == "flags" {
                    flags.push(uuid);
                } else {
                    flags.extend(super::flags::flags_of_record(conn, &t.name, &uuid)?);
                }
            }
        }
    }
    // A timer running on one machine that began inside time the other machine logged or timed
    // offline (stopped there after it began): that entry stops where the running one began,
    // as two timers running on both machines settle, so the same minutes never count twice.
    let cut = cut_time_under_a_timer(conn, round)?;
    applied.timers_stopped += cut;
    applied.conflicts += cut;
    // A flag its source no longer raises goes, here and (through the delete this sends) there:
    // each machine settled its source offline (a no-show corrected, a review held, a meeting
    // deleted) while the other raised it, and neither ran the code that retires it.
    flags.sort();
    flags.dedup();
    if let Some(t) = tables.iter().find(|t| t.name == "flags") {
        let mut stale = super::flags::stale_auto_flags(conn, &flags)?;
        stale.extend(sources_deleted_here(conn, &flags)?);
        for uuid in stale {
            drop_record(conn, t, &uuid)?;
            applied.removed += 1;
            applied.conflicts += 1;
        }
    }
    Ok(applied)
}

/// The entries of this round (either machine's) that ran on past the start of the running timer:
/// cut to end where it began (never a billed one, never below zero), as local changes the sync
/// sends. Both machines judge alike; the one that syncs second sees both and does it.
fn cut_time_under_a_timer(conn: &Connection, round: &RoundOps) -> Result<usize> {
    let running: Option<(String, String)> = conn
        .query_row(
            &format!("SELECT uuid, start FROM {TIMER_TABLE} WHERE minutes IS NULL"),
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((timer, began)) = running else { return Ok(0) };
    let Some(began_at) = crate::domain::dates::parse_stamp(&began) else {
        return Ok(0);
    };
    let touched: BTreeSet<&str> = round
        .local
        .iter()
        .chain(&round.remote)
        .map(|o| o.uuid.as_str())
        .collect();
    // Entries start at most a day before the timer to reach it.
    let earliest = super::stamp(began_at - chrono::Duration::days(1));
    let candidates: Vec<(String, String, i64)> = {
        let mut q = conn.prepare(&format!(
            "SELECT uuid, start, minutes FROM {TIMER_TABLE}
             WHERE start >= ?1 AND start < ?2 AND minutes IS NOT NULL AND billed_on IS NULL"
        ))?;
        let rows = q.query_map(params![earliest, began], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut cut = 0;
    for (uuid, start, minutes) in candidates {
        if !(touched.contains(uuid.as_str()) || touched.contains(timer.as_str())) {
            continue;
        }
        let Some(start_at) = crate::domain::dates::parse_stamp(&start) else {
            continue;
        };
        let until = crate::domain::dates::minutes_between(start_at, began_at).max(0);
        if minutes <= until {
            continue;
        }
        let Some(now) = get_record(conn, &uuid)?.and_then(|d| serde_json::from_str::<Props>(&d).ok()) else {
            continue;
        };
        let mut keep = now.clone();
        keep.insert(MINUTES.into(), until.to_string());
        put_record_as_local(conn, &uuid, Some(&now), &keep)?;
        conn.execute(
            &format!("UPDATE {TIMER_TABLE} SET minutes = ?1 WHERE uuid = ?2"),
            params![until, uuid],
        )?;
        cut += 1;
    }
    Ok(cut)
}

/// Of these flags, the automatic ones received without a source here because the record their
/// source names was deleted here (it is in the graveyard, not among the records): the record's
/// flags went with it. One whose source never came (an older version sends none) stays.
fn sources_deleted_here(conn: &Connection, flags: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut q = conn.prepare_cached(
        "SELECT json_extract(x.data, '$.source_ref') FROM flags f JOIN tc_tasks x ON x.uuid = f.uuid
         WHERE f.uuid = ?1 AND f.source = 'auto' AND f.source_ref IS NULL",
    )?;
    for uuid in flags {
        let Some(Some(portable)) = q.query_row([uuid], |r| r.get::<_, Option<String>>(0)).optional()? else {
            continue;
        };
        let Some(named) = portable.split(':').nth(1) else {
            continue;
        };
        let gone: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM tc_graveyard WHERE uuid = ?1)
                AND NOT EXISTS (SELECT 1 FROM tc_tasks WHERE uuid = ?1)",
            [named],
            |r| r.get(0),
        )?;
        if gone {
            out.push(uuid.clone());
        }
    }
    Ok(out)
}

/// The records of an event table whose parent is no longer in `tc_tasks`.
fn orphans(conn: &Connection, t: &SyncTable) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for c in t.cols.iter().filter(|c| c.parent.is_some()) {
        let mut q = conn.prepare(&format!(
            "SELECT e.uuid FROM tc_tasks e WHERE json_extract(e.data, '{TABLE_PATH}') = ?1
               AND json_extract(e.data, '$.' || ?2) IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM tc_tasks p WHERE p.uuid = json_extract(e.data, '$.' || ?2))"
        ))?;
        let rows = q.query_map(params![t.name, c.prop], |r| r.get::<_, String>(0))?;
        for row in rows {
            out.push(row?);
        }
    }
    Ok(out)
}

/// Whether a record in `tc_tasks` references `uuid`.
fn referenced_by_live(conn: &Connection, tables: &[SyncTable], uuid: &str) -> Result<bool> {
    for t in tables.iter().filter(|t| !EVENTS.contains(&t.name.as_str())) {
        for c in t.cols.iter().filter(|c| c.parent.is_some()) {
            let found: bool = conn.query_row(
                &format!(
                    "SELECT EXISTS (SELECT 1 FROM tc_tasks WHERE json_extract(data, '{TABLE_PATH}') = ?1
                       AND json_extract(data, '$.' || ?2) = ?3)"
                ),
                params![t.name, c.prop, uuid],
                |r| r.get(0),
            )?;
            if found {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Brings a record back from its last image (a client comes back `ended`), as a local change
/// that the next sync sends. False when there is no image.
fn restore_record(conn: &Connection, uuid: &str) -> Result<bool> {
    let image: Option<String> = conn
        .query_row("SELECT data FROM tc_graveyard WHERE uuid = ?1", [uuid], |r| r.get(0))
        .optional()?;
    let Some(image) = image else { return Ok(false) };
    let mut props: Props = serde_json::from_str(&image)?;
    if props.get(TABLE_PROP).map(String::as_str) == Some("clients") {
        props.insert("status".into(), "ended".into());
    }
    let data = serde_json::to_string(&props)?;
    set_record(conn, uuid, &data)?;
    add_operation(
        conn,
        &serde_json::json!({ "Create": { "uuid": uuid } }).to_string(),
        Some(uuid),
    )?;
    conn.execute(
        "INSERT INTO tc_operations(data, uuid)
         SELECT json_object('Update', json_object('uuid', ?1, 'property', p.key, 'old_value', NULL,
                  'value', p.value, 'timestamp', vadesk_sync_clock())), ?1
         FROM json_each(?2) p",
        params![uuid, data],
    )?;
    Ok(true)
}

/// The other machine's edits to records this machine deleted gave way to the deletion and
/// are in no record; they go into the record's last image, so that if the record comes back
/// (the other machine still uses it, now or at a later sync) it comes back as the machine that
/// kept using it left it, each property as the later of the two machines' edits set it. The
/// image alone would be sent from here as the record and overwrite those edits there too.
fn keep_edits_that_gave_way(conn: &Connection, round: &RoundOps) -> Result<()> {
    let uuids: BTreeSet<&str> = round
        .remote
        .iter()
        .filter(|o| o.property.is_some())
        .map(|o| o.uuid.as_str())
        .collect();
    for uuid in uuids {
        if get_record(conn, uuid)?.is_some() {
            continue;
        }
        let image: Option<String> = conn
            .query_row("SELECT data FROM tc_graveyard WHERE uuid = ?1", [uuid], |r| r.get(0))
            .optional()?;
        let Some(image) = image else { continue };
        let mut props: Props = serde_json::from_str(&image)?;
        let edits = edits_that_gave_way(round, uuid);
        if edits.is_empty() {
            continue;
        }
        for (prop, value) in edits {
            match value {
                Some(v) => props.insert(prop, v),
                None => props.remove(&prop),
            };
        }
        conn.execute(
            "UPDATE tc_graveyard SET data = ?2 WHERE uuid = ?1",
            params![uuid, serde_json::to_string(&props)?],
        )?;
    }
    Ok(())
}

/// The other machine's edits to `uuid` received in this round, property by property, that are
/// later than this machine's own edits of the same property sent in it (the image holds those).
/// The table a record belongs to is never changed by an edit.
fn edits_that_gave_way(round: &RoundOps, uuid: &str) -> BTreeMap<String, Option<String>> {
    fn latest<'a>(ops: &'a [RoundOp], uuid: &str) -> BTreeMap<String, &'a RoundOp> {
        let mut m: BTreeMap<String, &RoundOp> = BTreeMap::new();
        for o in ops.iter().filter(|o| o.uuid == uuid && !o.delete) {
            if let Some(p) = &o.property {
                if m.get(p).is_none_or(|prev| o.made_at() >= prev.made_at()) {
                    m.insert(p.clone(), o);
                }
            }
        }
        m
    }
    let (mine, theirs) = (latest(&round.local, uuid), latest(&round.remote, uuid));
    theirs
        .into_iter()
        .filter(|(p, o)| p != TABLE_PROP && mine.get(p).is_none_or(|m| o.made_at() > m.made_at()))
        .map(|(p, o)| (p, o.value.clone()))
        .collect()
}

/// Writes one record into its table; false when a reference cannot be resolved yet or a new
/// record lacks a column it needs (the record waits in `tc_tasks` for the rest of its
/// operations).
fn write_row(
    conn: &Connection,
    t: &SyncTable,
    uuid: &str,
    map: &BTreeMap<String, String>,
    fresh: &BTreeMap<String, u8>,
    applied: &mut Applied,
) -> Result<bool> {
    let mut names: Vec<&str> = Vec::new();
    let mut values: Vec<rusqlite::types::Value> = Vec::new();
    let mut incomplete = false;
    for c in &t.cols {
        let v = map.get(&c.prop);
        let value = match (&c.parent, v) {
            (Some(p), Some(parent_uuid)) => {
                let id: Option<i64> = conn
                    .query_row(&format!("SELECT id FROM {p} WHERE uuid = ?1"), [parent_uuid], |r| {
                        r.get(0)
                    })
                    .optional()?;
                match id {
                    Some(id) => rusqlite::types::Value::Integer(id),
                    None => return Ok(false),
                }
            }
            // A reference to a record not here (deleted here meanwhile) is kept as none.
            (None, Some(v)) if c.portable => match super::flags::local_ref(conn, v)? {
                Some(local) => rusqlite::types::Value::Text(local),
                None => rusqlite::types::Value::Null,
            },
            (None, Some(v)) => rusqlite::types::Value::Text(v.clone()),
            (_, None) if c.not_null => {
                incomplete |= c.required;
                continue;
            }
            (_, None) => rusqlite::types::Value::Null,
        };
        names.push(&c.name);
        values.push(value);
    }
    let exists: Option<i64> = conn
        .query_row(&format!("SELECT id FROM {} WHERE uuid = ?1", t.name), [uuid], |r| {
            r.get(0)
        })
        .optional()?;
    if exists.is_none() && incomplete {
        return Ok(false);
    }
    values.push(rusqlite::types::Value::Text(uuid.to_string()));
    let n = values.len();
    if exists.is_some() && names.is_empty() {
        return Ok(true);
    }
    let sql = match exists {
        Some(_) => {
            let sets: Vec<String> = names
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{c} = ?{}", i + 1))
                .collect();
            format!("UPDATE {} SET {} WHERE uuid = ?{n}", t.name, sets.join(", "))
        }
        None => {
            let marks: Vec<String> = (1..=n).map(|i| format!("?{i}")).collect();
            let mut cols: Vec<&str> = names.clone();
            cols.push("uuid");
            format!(
                "INSERT INTO {}({}) VALUES ({})",
                t.name,
                cols.join(", "),
                marks.join(", ")
            )
        }
    };
    let key_at = names.iter().position(|c| *c == "name_key");
    let mut renames = 0;
    loop {
        match conn.execute(&sql, rusqlite::params_from_iter(values.iter())) {
            Ok(_) => break,
            // Both machines started a timer offline, and only one may run: the one started
            // later keeps running, the earlier one stops when the later began.
            Err(rusqlite::Error::SqliteFailure(e, ref msg))
                if e.code == rusqlite::ErrorCode::ConstraintViolation
                    && t.name == TIMER_TABLE
                    && msg.as_deref().is_some_and(|m| m.contains(TIMER_INDEX))
                    && renames < 20 =>
            {
                renames += 1;
                if catch_up_stopped_timer(conn, uuid)? {
                    continue;
                }
                let Some(stopped) = settle_timers(conn, uuid, map)? else {
                    return Err(rusqlite::Error::SqliteFailure(e, msg.clone()).into());
                };
                applied.conflicts += 1;
                applied.timers_stopped += 1;
                if stopped.0 == uuid {
                    if let Some(i) = names.iter().position(|c| *c == "minutes") {
                        values[i] = rusqlite::types::Value::Integer(stopped.1);
                    }
                }
            }
            // Two machines made records that a unique rule allows only once (two clients of
            // one name, one client's weekly review of one day): the record with the larger
            // uuid gives way on both machines, and what it does syncs like any edit. A client
            // is renamed "Name (2)"; any other record is removed.
            Err(rusqlite::Error::SqliteFailure(e, msg))
                if e.code == rusqlite::ErrorCode::ConstraintViolation && renames < 20 =>
            {
                let fail = || rusqlite::Error::SqliteFailure(e, msg.clone());
                let cols: Vec<&str> = msg
                    .as_deref()
                    .and_then(|m| m.strip_prefix("UNIQUE constraint failed: "))
                    .map(|l| l.split(", ").filter_map(|c| c.split('.').nth(1)).collect())
                    .unwrap_or_default();
                if cols.is_empty() {
                    return Err(fail().into());
                }
                let mut conds = Vec::new();
                let mut args: Vec<rusqlite::types::Value> = Vec::new();
                for c in &cols {
                    let Some(i) = names.iter().position(|n| n == c) else {
                        return Err(fail().into());
                    };
                    args.push(values[i].clone());
                    conds.push(format!("{c} IS ?{}", args.len()));
                }
                args.push(rusqlite::types::Value::Text(uuid.to_string()));
                let other: Option<String> = conn
                    .query_row(
                        &format!(
                            "SELECT uuid FROM {} WHERE {} AND uuid <> ?{}",
                            t.name,
                            conds.join(" AND "),
                            args.len()
                        ),
                        rusqlite::params_from_iter(args),
                        |r| r.get(0),
                    )
                    .optional()?;
                let Some(other) = other else { return Err(fail().into()) };
                renames += 1;
                // The one that reached the server later gives way; else the larger uuid.
                let rank = |u: &str| fresh.get(u).copied().unwrap_or(0);
                let loser = match rank(uuid).cmp(&rank(&other)) {
                    std::cmp::Ordering::Greater => uuid.to_string(),
                    std::cmp::Ordering::Less => other,
                    _ if uuid > other.as_str() => uuid.to_string(),
                    _ => other,
                };
                if cols != ["name_key"] || key_at.is_none() {
                    drop_record(conn, t, &loser)?;
                    if loser == uuid {
                        return Ok(false);
                    }
                    continue;
                }
                rename(conn, t, &loser)?;
                if loser == uuid {
                    // The incoming record's values now come from its renamed image.
                    if let Some(data) = get_record(conn, uuid)? {
                        let renamed: Props = serde_json::from_str(&data)?;
                        for (i, c) in names.iter().enumerate() {
                            if *c == "name" || *c == "name_key" {
                                if let Some(v) = renamed.get(*c) {
                                    values[i] = rusqlite::types::Value::Text(v.clone());
                                }
                            }
                        }
                    }
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(true)
}

/// The table of time entries and the index that lets one timer run.
const TIMER_TABLE: &str = "time_entries";
const TIMER_INDEX: &str = "time_running";

/// The timer running in this store's table was already stopped by the merge (the other
/// machine settled the clash and sent it), only not written yet: it is written now, and there
/// is nothing to settle. False when it still runs.
fn catch_up_stopped_timer(conn: &Connection, uuid: &str) -> Result<bool> {
    let running: Option<String> = conn
        .query_row(
            &format!("SELECT uuid FROM {TIMER_TABLE} WHERE minutes IS NULL AND uuid <> ?1"),
            [uuid],
            |r| r.get(0),
        )
        .optional()?;
    let Some(here) = running else { return Ok(false) };
    let merged = get_record(conn, &here)?
        .and_then(|d| serde_json::from_str::<Props>(&d).ok())
        .and_then(|m| m.get(MINUTES).and_then(|v| v.parse::<i64>().ok()));
    let Some(minutes) = merged else { return Ok(false) };
    conn.execute(
        &format!("UPDATE {TIMER_TABLE} SET minutes = ?2 WHERE uuid = ?1"),
        params![here, minutes],
    )?;
    Ok(true)
}

/// Two timers run, the one in this store's table and the record `uuid` arriving: the one
/// started later keeps running (the larger uuid when both started in the same minute, so both
/// machines choose the same), and the other is stopped at the later one's start, never
/// negative and at most a day. The stop is a local change the next sync sends (both machines
/// make the same one). Returns the stopped record's uuid and minutes; None when no other
/// timer runs here.
fn settle_timers(conn: &Connection, uuid: &str, map: &BTreeMap<String, String>) -> Result<Option<(String, i64)>> {
    let running: Option<(String, String)> = conn
        .query_row(
            &format!("SELECT uuid, start FROM {TIMER_TABLE} WHERE minutes IS NULL AND uuid <> ?1"),
            [uuid],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((here, here_start)) = running else {
        return Ok(None);
    };
    let there_start = map.get("start").cloned().unwrap_or_default();
    let (earlier, later_start, earlier_start) = if (here_start.as_str(), here.as_str()) < (there_start.as_str(), uuid) {
        (here.clone(), there_start.clone(), here_start.clone())
    } else {
        (uuid.to_string(), here_start.clone(), there_start.clone())
    };
    let parse = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").ok();
    let minutes = match (parse(&earlier_start), parse(&later_start)) {
        (Some(a), Some(b)) => (b - a)
            .num_minutes()
            .clamp(0, i64::from(crate::domain::money::MAX_ENTRY_MINUTES)),
        _ => 0,
    };
    let old = get_record(conn, &earlier)?
        .and_then(|d| serde_json::from_str::<Props>(&d).ok())
        .and_then(|m| m.get("minutes").cloned());
    conn.execute(
        "UPDATE tc_tasks SET data = json_set(data, '$.minutes', ?2) WHERE uuid = ?1",
        params![earlier, minutes.to_string()],
    )?;
    conn.execute(
        "INSERT INTO tc_operations(data, uuid)
         VALUES (json_object('Update', json_object('uuid', ?1, 'property', 'minutes', 'old_value', ?2,
                   'value', ?3, 'timestamp', vadesk_sync_clock())), ?1)",
        params![earlier, old, minutes.to_string()],
    )?;
    if earlier == here {
        conn.execute(
            &format!("UPDATE {TIMER_TABLE} SET minutes = ?2 WHERE uuid = ?1"),
            params![earlier, minutes],
        )?;
    }
    Ok(Some((earlier, minutes)))
}

impl super::Store {
    /// Whether this store syncs (ran `sync --init` or joined with `sync`).
    pub fn is_replica(&self) -> Result<bool> {
        is_replica(&self.conn)
    }

    /// `sync --init`: this store becomes a replica; returns the records that wait to be sent.
    pub fn sync_init(&mut self) -> Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if is_replica(&tx)? {
            return Err(crate::error::Error::refused(crate::i18n::T::ErrSyncAlready, &[]));
        }
        let n = init(&tx)?;
        tx.commit()?;
        Ok(n)
    }

    /// A first plain `sync` on a store without records: it joins, and everything comes from
    /// the server. A store with records must run `sync --init` (or be the second machine's
    /// empty one), so nothing is sent twice by accident.
    pub fn sync_join(&mut self) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if !is_replica(&tx)? {
            let tables = synced_tables(&tx)?;
            for t in &tables {
                let any: bool = tx.query_row(&format!("SELECT EXISTS (SELECT 1 FROM {})", t.name), [], |r| r.get(0))?;
                if any {
                    return Err(crate::error::Error::refused(crate::i18n::T::ErrSyncNotReplica, &[]));
                }
            }
            join(&tx)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The connection a sync runs on: changes made through it are what came from the other
    /// machine, so they are not captured as local operations.
    pub(crate) fn into_sync_connection(self) -> Result<Connection> {
        super::register_sync_functions(&self.conn, false, &self.sync_clock)?;
        Ok(self.conn)
    }
}

/// Gives a record the first "Name (n)" free in its table and in `tc_tasks` (which holds every
/// record of both machines once the server's versions are in, so both machines pick the same
/// one), as a local change the next sync sends.
fn rename(conn: &Connection, t: &SyncTable, uuid: &str) -> Result<()> {
    let Some(data) = get_record(conn, uuid)? else {
        return Ok(());
    };
    let map: Props = serde_json::from_str(&data)?;
    let (Some(name), Some(key)) = (map.get("name"), map.get("name_key")) else {
        return Ok(());
    };
    let mut n = 2;
    let (new_name, new_key) = loop {
        let k = format!("{key} ({n})");
        let taken: bool = conn.query_row(
            &format!(
                "SELECT EXISTS (SELECT 1 FROM {} WHERE name_key = ?1)
                     OR EXISTS (SELECT 1 FROM tc_tasks WHERE json_extract(data, '{TABLE_PATH}') = ?2
                                  AND json_extract(data, '$.name_key') = ?1)",
                t.name
            ),
            params![k, t.name],
            |r| r.get(0),
        )?;
        if !taken {
            break (format!("{name} ({n})"), k);
        }
        n += 1;
    };
    conn.execute(
        &format!("UPDATE {} SET name = ?2, name_key = ?3 WHERE uuid = ?1", t.name),
        params![uuid, new_name, new_key],
    )?;
    for (prop, old, new) in [("name", name, new_name.clone()), ("name_key", key, new_key.clone())] {
        conn.execute(
            "UPDATE tc_tasks SET data = json_set(data, '$.' || ?2, ?3) WHERE uuid = ?1",
            params![uuid, prop, new],
        )?;
        push_update(conn, uuid, prop, Some(old.as_str()), Some(new.as_str()))?;
    }
    Ok(())
}

/// Removes a record that gave way to its twin, here and (through a delete operation the next
/// sync sends) on the other machine.
fn drop_record(conn: &Connection, t: &SyncTable, uuid: &str) -> Result<()> {
    let data = get_record(conn, uuid)?.unwrap_or_else(|| "{}".into());
    conn.execute(
        "INSERT INTO tc_operations(data, uuid)
         VALUES (json_object('Delete', json_object('uuid', ?1, 'old_task', json(?2))), ?1)",
        params![uuid, data],
    )?;
    delete_record(conn, uuid)?;
    conn.execute(&format!("DELETE FROM {} WHERE uuid = ?1", t.name), [uuid])?;
    Ok(())
}

#[cfg(test)]
mod split_record_tests {
    use std::collections::BTreeSet;

    use super::*;

    /// A server written by an earlier release may hold a record whose operations end in one
    /// version and go on in the next, or never go on (its sender was cut off): the record
    /// waits in `tc_tasks`, nothing is half written, and it arrives once it is whole.
    #[test]
    fn a_record_whose_operations_are_not_all_there_waits_for_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = super::super::Store::open(&dir.path().join("vadesk.db")).unwrap();
        store.sync_join().unwrap();
        let conn = store.into_sync_connection().unwrap();
        let client = "11111111-1111-4111-8111-111111111111";
        let task = "22222222-2222-4222-8222-222222222222";
        let client_data = serde_json::json!({"@table": "clients", "name": "Acme", "name_key": "acme",
            "created_on": "2026-11-23"});
        set_record(&conn, client, &client_data.to_string()).unwrap();
        // The first version ends after the task's title: no creation day yet.
        let half = serde_json::json!({"@table": "tasks", "client": client, "title": "Logo"});
        set_record(&conn, task, &half.to_string()).unwrap();
        let changed: BTreeSet<String> = [client.to_string(), task.to_string()].into();
        let applied = apply(&conn, &changed, &BTreeSet::new(), &RoundOps::default(), &|| {}).unwrap();
        assert_eq!(applied.changed, 1, "the client only");
        let tasks: i64 = conn.query_row("SELECT count(*) FROM tasks", [], |r| r.get(0)).unwrap();
        assert_eq!(tasks, 0);
        // A later sync brings the rest; a task referencing a waiting task's client is fine.
        let whole = serde_json::json!({"@table": "tasks", "client": client, "title": "Logo",
            "created_on": "2026-11-23", "status": "doing"});
        set_record(&conn, task, &whole.to_string()).unwrap();
        let applied = apply(
            &conn,
            &[task.to_string()].into(),
            &BTreeSet::new(),
            &RoundOps::default(),
            &|| {},
        )
        .unwrap();
        assert_eq!(applied.changed, 1);
        let (title, status, client_uuid): (String, String, String) = conn
            .query_row(
                "SELECT t.title, t.status, c.uuid FROM tasks t JOIN clients c ON c.id = t.client_id WHERE t.uuid = ?1",
                [task],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(
            (title.as_str(), status.as_str(), client_uuid.as_str()),
            ("Logo", "doing", client)
        );
    }
}

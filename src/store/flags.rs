//! Red flags: logged by the VA or raised once per source record by the rules.

use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension, Row, Transaction};

use super::{date, day, Store};
use crate::domain::{text, Flag, FlagKind, FlagSource};
use crate::error::{Error, Result};
use crate::i18n::{tf, T};

const FLAG_SELECT: &str =
    "SELECT f.id, f.client_id, c.name, f.kind, f.at, f.note, f.source, f.source_ref, f.dismissed, f.uuid
     FROM flags f JOIN clients c ON c.id = f.client_id";

/// A client's flags, newest first: `?1` the client, `?2` how many, from position `?3`.
pub(crate) fn client_flags_page_sql() -> String {
    format!("{FLAG_SELECT} WHERE f.client_id = ?1 ORDER BY f.at DESC, f.id DESC LIMIT ?2 OFFSET ?3")
}

/// How many flags a client has.
pub(crate) const CLIENT_FLAG_COUNT: &str = "SELECT count(*) FROM flags WHERE client_id = ?1";

/// How many of a client's flags come before flag `?2` in the pane's order; no row when the
/// flag is not the client's.
pub(crate) const CLIENT_FLAG_POSITION: &str =
    "SELECT (SELECT count(*) FROM flags g WHERE g.client_id = f.client_id AND g.at > f.at)
          + (SELECT count(*) FROM flags g WHERE g.client_id = f.client_id AND g.at = f.at AND g.id > f.id)
     FROM flags f WHERE f.id = ?2 AND f.client_id = ?1";

/// The kinds and dates of a client's flags that count toward its score, from the partial
/// index that holds exactly them (the planner would otherwise take `flags_client` and read
/// every row of the table).
pub(crate) const CLIENT_SCORE_FLAGS: &str =
    "SELECT kind, at FROM flags INDEXED BY flags_score WHERE client_id = ?1 AND dismissed = 0";

fn flag_row(r: &Row) -> rusqlite::Result<Flag> {
    Ok(Flag {
        id: r.get(0)?,
        uuid: r.get(9)?,
        client_id: r.get(1)?,
        client: r.get(2)?,
        kind: FlagKind::from_key(&r.get::<_, String>(3)?).unwrap_or(FlagKind::Other),
        at: date(r.get(4)?),
        note: r.get(5)?,
        source: if r.get::<_, String>(6)? == "auto" {
            FlagSource::Auto
        } else {
            FlagSource::Manual
        },
        source_ref: r.get(7)?,
        dismissed: r.get(8)?,
    })
}

/// Raises an automatic flag unless its source already raised one; returns the new flag's id.
pub(super) fn raise(
    tx: &Transaction,
    client_id: i64,
    kind: FlagKind,
    at: NaiveDate,
    source_ref: &str,
    note: &str,
) -> Result<Option<i64>> {
    let now = super::stamp(chrono::Local::now().naive_local());
    let uuid = flag_uuid(tx, source_ref)?;
    let mut q = tx.prepare_cached(
        "INSERT INTO flags(client_id, kind, at, note, source, source_ref, created_at, uuid)
         VALUES (?1, ?2, ?3, ?4, 'auto', ?5, ?6, ?7) ON CONFLICT DO NOTHING",
    )?;
    let n = q.execute(params![client_id, kind.key(), day(at), note, source_ref, now, uuid])?;
    Ok((n == 1).then(|| tx.last_insert_rowid()))
}

/// The tables a source reference's second part numbers, by its first (`material:12` →
/// requests 12).
const REF_TABLES: &[(&str, &str)] = &[
    ("material", "requests"),
    ("feedback", "requests"),
    ("quote", "quotes"),
    ("meeting", "meetings"),
    ("task", "tasks"),
    ("channels", "clients"),
    ("rate", "clients"),
    ("weekly", "clients"),
    ("scope", "clients"),
    ("underpaying", "clients"),
];

fn ref_table(prefix: &str) -> Option<&'static str> {
    REF_TABLES.iter().find(|(p, _)| *p == prefix).map(|(_, t)| *t)
}

/// A source reference as every machine can read it: the local id replaced by the source
/// record's uuid (`material:12` → `material:<uuid>`); unchanged when it names no record here.
pub(crate) fn portable_ref(conn: &rusqlite::Connection, source_ref: &str) -> rusqlite::Result<String> {
    let mut parts: Vec<String> = source_ref.split(':').map(str::to_string).collect();
    if let (Some(table), Some(id)) = (
        parts.first().and_then(|p| ref_table(p)),
        parts.get(1).and_then(|s| s.parse::<i64>().ok()),
    ) {
        let uuid: Option<String> = conn
            .query_row(&format!("SELECT uuid FROM {table} WHERE id = ?1"), [id], |r| r.get(0))
            .optional()?;
        if let Some(u) = uuid {
            parts[1] = u;
        }
    }
    Ok(parts.join(":"))
}

/// [`portable_ref`] as an SQL expression over the column expression `r` (the sync's capture
/// triggers send it in place of the local reference).
pub(crate) fn portable_ref_sql(r: &str) -> String {
    let arms: String = REF_TABLES
        .iter()
        .map(|(p, t)| format!(" WHEN '{p}' THEN (SELECT uuid FROM {t} WHERE id = x.i)"))
        .collect();
    format!(
        "(CASE WHEN instr({r}, ':') = 0 THEN {r} ELSE (SELECT x.p || ':' || coalesce(CASE x.p{arms} END, x.i) || x.rest \
         FROM (SELECT y.p, CASE WHEN instr(y.a, ':') > 0 THEN substr(y.a, 1, instr(y.a, ':') - 1) ELSE y.a END AS i, \
                      CASE WHEN instr(y.a, ':') > 0 THEN substr(y.a, instr(y.a, ':')) ELSE '' END AS rest \
               FROM (SELECT substr({r}, 1, instr({r}, ':') - 1) AS p, substr({r}, instr({r}, ':') + 1) AS a) y) x) END)"
    )
}

/// A portable source reference read back with this store's ids (`material:<uuid>` →
/// `material:12`); None when the record it names is not here.
pub(crate) fn local_ref(conn: &rusqlite::Connection, portable: &str) -> rusqlite::Result<Option<String>> {
    let mut parts: Vec<String> = portable.split(':').map(str::to_string).collect();
    let Some(table) = parts.first().and_then(|p| ref_table(p)) else {
        return Ok(Some(portable.to_string()));
    };
    let Some(uuid) = parts.get(1) else { return Ok(None) };
    let id: Option<i64> = conn
        .query_row(&format!("SELECT id FROM {table} WHERE uuid = ?1"), [uuid], |r| r.get(0))
        .optional()?;
    Ok(id.map(|id| {
        parts[1] = id.to_string();
        parts.join(":")
    }))
}

/// Of these automatic flags (by uuid), those their source no longer raises, as the desk would
/// have removed them had it made the change itself: a meeting's no-show or late flag once its
/// attendance says otherwise, a task's outcome flag once the outcome does, a missed weekly
/// review's flag once the review was held, and a flag whose source record is gone. Two
/// machines can each make one of those changes offline; the sync
/// brings them together without the desk's code that retires the flag.
pub(crate) fn stale_auto_flags(conn: &rusqlite::Connection, uuids: &[String]) -> rusqlite::Result<Vec<String>> {
    use crate::domain::{rules, Attendance, Outcome};
    let mut out = Vec::new();
    let mut q = conn.prepare_cached("SELECT kind, source_ref FROM flags WHERE uuid = ?1 AND source = 'auto'")?;
    for uuid in uuids {
        let Some((kind, source)): Option<(String, Option<String>)> =
            q.query_row([uuid], |r| Ok((r.get(0)?, r.get(1)?))).optional()?
        else {
            continue;
        };
        // No source here: judged by the sync, which knows whether it was deleted here.
        let Some(source) = source else {
            continue;
        };
        let parts: Vec<&str> = source.split(':').collect();
        let id = parts.get(1).and_then(|s| s.parse::<i64>().ok());
        let one = |sql: &str, id: i64| -> rusqlite::Result<Option<Option<String>>> {
            conn.query_row(sql, [id], |r| r.get::<_, Option<String>>(0)).optional()
        };
        let raises = match (parts.first().copied(), id, parts.get(2).copied()) {
            (Some("meeting"), Some(id), None) => one("SELECT attendance FROM meetings WHERE id = ?1", id)?.map(|a| {
                a.and_then(|a| Attendance::from_key(&a))
                    .and_then(rules::attendance_flag)
                    .map(|k| k.key())
                    == Some(kind.as_str())
            }),
            (Some("task"), Some(id), Some("outcome")) => one("SELECT outcome FROM tasks WHERE id = ?1", id)?.map(|o| {
                o.and_then(|o| Outcome::from_key(&o))
                    .and_then(rules::outcome_flag)
                    .map(|k| k.key())
                    == Some(kind.as_str())
            }),
            (Some("weekly"), Some(client), Some(on)) => Some(conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM weekly_reviews WHERE client_id = ?1 AND on_date = ?2 AND missed = 1)",
                rusqlite::params![client, on],
                |r| r.get::<_, bool>(0),
            )?),
            (Some(prefix), Some(id), _) => match ref_table(prefix) {
                Some(table) if table != "clients" => Some(conn.query_row(
                    &format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE id = ?1)"),
                    [id],
                    |r| r.get::<_, bool>(0),
                )?),
                _ => Some(true),
            },
            _ => Some(true),
        };
        // None: the record it names is not here.
        if raises != Some(true) {
            out.push(uuid.clone());
        }
    }
    Ok(out)
}

/// The automatic flags a record raised, by uuid: the flags whose source names it.
pub(crate) fn flags_of_record(conn: &rusqlite::Connection, table: &str, uuid: &str) -> rusqlite::Result<Vec<String>> {
    let refs: Vec<String> = match table {
        "meetings" => conn
            .query_row("SELECT 'meeting:' || id FROM meetings WHERE uuid = ?1", [uuid], |r| {
                r.get(0)
            })
            .optional()?
            .into_iter()
            .collect(),
        "tasks" => conn
            .query_row(
                "SELECT 'task:' || id || ':outcome' FROM tasks WHERE uuid = ?1",
                [uuid],
                |r| r.get(0),
            )
            .optional()?
            .into_iter()
            .collect(),
        "weekly_reviews" => conn
            .query_row(
                "SELECT 'weekly:' || client_id || ':' || on_date FROM weekly_reviews WHERE uuid = ?1",
                [uuid],
                |r| r.get(0),
            )
            .optional()?
            .into_iter()
            .collect(),
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    let mut q = conn.prepare_cached("SELECT uuid FROM flags WHERE source_ref = ?1 AND source = 'auto'")?;
    for r in refs {
        if let Some(u) = q.query_row([&r], |row| row.get::<_, String>(0)).optional()? {
            out.push(u);
        }
    }
    Ok(out)
}

/// The derived uuid of an automatic flag: its source reference with the local id replaced by
/// the source record's uuid, so another machine, where the same record has another id,
/// derives the same flag.
pub(crate) fn flag_uuid(conn: &rusqlite::Connection, source_ref: &str) -> rusqlite::Result<String> {
    let portable = portable_ref(conn, source_ref)?;
    Ok(crate::domain::identity::derived(&format!("flag:{portable}")))
}

impl Store {
    /// The VA logs a flag by hand.
    pub fn add_flag(&mut self, client_id: i64, kind: FlagKind, at: NaiveDate, note: &str) -> Result<i64> {
        let c = self.client(client_id)?;
        let note = text::free_text(note, T::FieldNote)?;
        self.write(
            |l| tf(l, T::UndoAddFlag, &[&c.name, &kind.label(l)]),
            |tx| {
                tx.execute(
                    "INSERT INTO flags(client_id, kind, at, note, source, created_at) VALUES (?1, ?2, ?3, ?4, 'manual', ?5)",
                    params![client_id, kind.key(), day(at), note, super::stamp(chrono::Local::now().naive_local())],
                )?;
                Ok(tx.last_insert_rowid())
            },
        )
    }

    /// A dismissed flag stays on record but no longer counts.
    pub fn dismiss_flag(&mut self, id: i64) -> Result<()> {
        let f = self.flag(id)?;
        self.write(
            |l| tf(l, T::UndoDismissFlag, &[&f.client, &f.kind.label(l)]),
            |tx| {
                tx.execute("UPDATE flags SET dismissed = 1 WHERE id = ?1", [id])?;
                Ok(())
            },
        )
    }

    pub fn flag(&self, id: i64) -> Result<Flag> {
        self.conn
            .query_row(&format!("{FLAG_SELECT} WHERE f.id = ?1"), [id], flag_row)
            .optional()?
            .ok_or_else(|| Error::not_found(T::ErrNoFlag, &[&id]))
    }

    /// How many flags a client has (dismissed ones included): what the flags pane lists.
    pub fn client_flag_count(&self, client_id: i64) -> Result<usize> {
        let n: i64 = self
            .conn
            .prepare_cached(CLIENT_FLAG_COUNT)?
            .query_row([client_id], |r| r.get(0))?;
        Ok(n.max(0) as usize)
    }

    /// A window of a client's flags in the flags pane's order (newest first, as
    /// [`Store::list_flags`]): `limit` of them from position `offset`, read from the
    /// `flags_client_at` index without sorting the client's flags.
    pub fn client_flags_page(&self, client_id: i64, offset: usize, limit: usize) -> Result<Vec<Flag>> {
        let mut q = self.conn.prepare_cached(&client_flags_page_sql())?;
        let rows = q.query_map(
            params![
                client_id,
                limit.min(i64::MAX as usize) as i64,
                offset.min(i64::MAX as usize) as i64
            ],
            flag_row,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The position of flag `id` in its client's list (newest first), if it is that client's.
    pub fn client_flag_position(&self, client_id: i64, id: i64) -> Result<Option<usize>> {
        let n: Option<i64> = self
            .conn
            .prepare_cached(CLIENT_FLAG_POSITION)?
            .query_row([client_id, id], |r| r.get(0))
            .optional()?;
        Ok(n.map(|n| n.max(0) as usize))
    }

    /// What a client's score is made of: the kind and date of each of its flags that counts
    /// (not dismissed), from the `flags_score` index alone. Only those fields are filled in.
    pub fn client_score_flags(&self, client_id: i64) -> Result<Vec<Flag>> {
        let mut q = self.conn.prepare_cached(CLIENT_SCORE_FLAGS)?;
        let rows = q.query_map([client_id], |r| {
            Ok(Flag {
                id: 0,
                uuid: String::new(),
                client_id,
                client: String::new(),
                kind: FlagKind::from_key(&r.get::<_, String>(0)?).unwrap_or(FlagKind::Other),
                at: date(r.get(1)?),
                note: String::new(),
                source: FlagSource::Manual,
                source_ref: None,
                dismissed: false,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Flags, of one client or all, newest first.
    pub fn list_flags(&self, client_id: Option<i64>) -> Result<Vec<Flag>> {
        let sql = match client_id {
            Some(_) => format!("{FLAG_SELECT} WHERE f.client_id = ?1 ORDER BY f.at DESC, f.id DESC"),
            None => format!("{FLAG_SELECT} WHERE ?1 IS NULL ORDER BY f.at DESC, f.id DESC"),
        };
        let mut q = self.conn.prepare_cached(&sql)?;
        let rows = q.query_map([client_id], flag_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

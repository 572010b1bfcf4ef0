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

/// The table a source reference's second part numbers (`material:12` → requests 12).
fn ref_table(prefix: &str) -> Option<&'static str> {
    Some(match prefix {
        "material" | "feedback" => "requests",
        "quote" => "quotes",
        "meeting" => "meetings",
        "task" => "tasks",
        "channels" | "rate" | "weekly" | "scope" | "underpaying" => "clients",
        _ => return None,
    })
}

/// The derived uuid of an automatic flag: its source reference with the local id replaced by
/// the source record's uuid, so another machine, where the same record has another id,
/// derives the same flag.
pub(crate) fn flag_uuid(conn: &rusqlite::Connection, source_ref: &str) -> rusqlite::Result<String> {
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
    Ok(crate::domain::identity::derived(&format!("flag:{}", parts.join(":"))))
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

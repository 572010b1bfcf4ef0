//! One thing at a time: a span of time is logged once. A new or moved entry whose span meets
//! another entry's span (of any client) would bill the same minutes twice, and is refused
//! naming the other entry. Spans are half-open: one ending at 10:00 and the next starting at
//! 10:00 do not meet. The running timer covers from its start up to now.
//!
//! Imports and syncs keep what they are given; only what is typed or saved here is checked.

use chrono::{Duration, NaiveDateTime};
use rusqlite::{params, Connection, OptionalExtension};

use super::stamp;
use crate::domain::money;
use crate::error::{Arg, Error, Result};
use crate::i18n::T;

/// Refuses the span of `minutes` from `start` when another entry than `except` covers part of
/// it, checked on `conn` (the writing transaction, so nothing slips in between).
pub(super) fn refuse_overlap(
    conn: &Connection,
    start: NaiveDateTime,
    minutes: u32,
    except: Option<i64>,
    now: NaiveDateTime,
) -> Result<()> {
    let end = start + Duration::minutes(i64::from(minutes));
    // Entries are at most a day long: only those starting a day before this span can reach it
    // (read through the index on the start).
    let earliest = start - Duration::minutes(i64::from(money::MAX_ENTRY_MINUTES));
    let mut q = conn.prepare_cached(
        "SELECT e.id, c.name, e.start, e.minutes FROM time_entries e JOIN clients c ON c.id = e.client_id
         WHERE e.start >= ?1 AND e.start < ?2 AND e.minutes IS NOT NULL AND e.id IS NOT ?3
         ORDER BY e.start, e.id",
    )?;
    let rows = q.query_map(params![stamp(earliest), stamp(end), except], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })?;
    for row in rows {
        let (id, client, other_start, other_minutes) = row?;
        let Some(from) = at(&other_start) else { continue };
        let to = from + Duration::minutes(other_minutes);
        if from < end && start < to {
            return Err(overlaps(id, &client, from, to, now));
        }
    }
    let running: Option<(i64, String, String)> = conn
        .query_row(
            "SELECT e.id, c.name, e.start FROM time_entries e JOIN clients c ON c.id = e.client_id
             WHERE e.minutes IS NULL AND e.id IS NOT ?1",
            [except],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    if let Some((id, client, since)) = running {
        if at(&since).is_some_and(|from| from < end && start < now && from < now) {
            return Err(Error::invalid_with(
                T::ErrTimeOverlapTimer,
                vec![Arg::text(id), Arg::text(client), Arg::when(&since, now.date())],
            ));
        }
    }
    Ok(())
}

/// A stored start, `YYYY-MM-DD HH:MM`.
fn at(stored: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(stored, "%Y-%m-%d %H:%M").ok()
}

/// "time entry 5 of Bloom, Mon 23 Nov from 10:00 to 11:00": the end's day only when it is not
/// the start's.
fn overlaps(id: i64, client: &str, from: NaiveDateTime, to: NaiveDateTime, now: NaiveDateTime) -> Error {
    let today = now.date();
    let end = if to.date() == from.date() {
        Arg::text(to.format("%H:%M"))
    } else {
        Arg::at(to, today)
    };
    Error::invalid_with(
        T::ErrTimeOverlap,
        vec![
            Arg::text(id),
            Arg::text(client),
            Arg::day(from.date(), today),
            Arg::text(from.format("%H:%M")),
            end,
        ],
    )
}

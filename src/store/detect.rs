//! The detection pass shared by the background tick, `vadesk tick --once` and the commands
//! that show scores: find what became overdue and raise the matching automatic flags, each
//! once per source record, in one short IMMEDIATE transaction.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate};
use rusqlite::{params, Transaction, TransactionBehavior};
use serde::Serialize;

use super::{date, day, flags::raise, Store};
use crate::domain::{dates, rules, FlagKind, RequestKind};
use crate::error::Result;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewFlag {
    #[serde(skip)]
    pub id: i64,
    #[serde(skip)]
    pub client_id: i64,
    pub client: String,
    pub kind: FlagKind,
    pub source_ref: String,
    /// The flag's note as stored (plain data for automatic notes; see `describe::flag_note`).
    #[serde(skip)]
    pub note: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Counts {
    pub feedback_overdue: u32,
    pub material_late: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DetectReport {
    pub new_flags: Vec<NewFlag>,
    pub counts: Counts,
    /// Tasks made by repeat rules whose latest instance was handled or past.
    pub recurring: Vec<i64>,
}

/// The late requests of live tasks (to do, doing, delivered), from the kept table of the
/// open requests of live tasks (`live_requests`, schema step 17) by kind and date: the late
/// requests of closed tasks, the most of them in a store with a long history, are never read.
pub(super) const LATE_COUNTS: &str = "SELECT count(*) FROM live_requests l WHERE l.kind = ?1 AND l.expected_by < ?2";

/// Every late request of a live task, and whether its flag is there: one pass gives the
/// status bar's count (`LATE_COUNTS`) and the flags to raise. Only the requests whose flag is
/// not there are read further (`LATE_REQUEST`).
pub(super) const LATE_REQUESTS: &str = "SELECT l.request_id, l.expected_by,
            EXISTS (SELECT 1 FROM flags f WHERE f.source_ref = ?1 || ':' || l.request_id)
         FROM live_requests l
         WHERE l.kind = ?1 AND l.expected_by < ?2";

/// The open requests of live tasks counted again from the requests and their tasks: what the
/// triggers keep in `live_requests` row by row (a bulk import counts once at its end instead).
pub(crate) const LIVE_REQUESTS_AGAIN: &str = "
    DELETE FROM live_requests;
    INSERT INTO live_requests(kind, expected_by, request_id, task_id)
        SELECT r.kind, r.expected_by, r.id, r.task_id FROM requests r
        WHERE r.received_on IS NULL
          AND EXISTS (SELECT 1 FROM tasks t WHERE t.id = r.task_id AND t.status IN ('todo', 'doing', 'delivered'));";

/// The late requests as the pass read them before: each checked against its task row, in the
/// order of the kept table (date, then request). For the detection pass from scratch that
/// checks the shortcuts of the one above.
const LATE_REQUESTS_SCRATCH: &str = "SELECT r.id, r.expected_by,
            EXISTS (SELECT 1 FROM flags f WHERE f.source_ref = ?1 || ':' || r.id)
         FROM requests r JOIN tasks t ON t.id = r.task_id
         WHERE r.kind = ?1 AND r.received_on IS NULL AND r.expected_by < ?2 AND t.status NOT IN ('done', 'cancelled')
         ORDER BY r.expected_by, r.id";

/// What a late request's flag says: its task's client and title, and what was asked.
pub(super) const LATE_REQUEST: &str =
    "SELECT t.client_id, t.title, r.what FROM requests r JOIN tasks t ON t.id = r.task_id
         WHERE r.id = ?1";

/// Whether a flag with this source reference is there (then raising it again does nothing).
pub(super) const FLAG_THERE: &str = "SELECT 1 FROM flags WHERE source_ref = ?1";

/// The pending quotes past their answer date whose flag is not there, from the kept table of
/// the pending quotes without their flag (`unflagged_quotes`, schema step 17) by date: the
/// late quotes flagged long ago, the most of them in a store with a long history, are never
/// read.
pub(super) const UNANSWERED_QUOTES: &str = "SELECT q.id, q.client_id, q.answer_by, q.amount_cents
         FROM unflagged_quotes w CROSS JOIN quotes q ON q.id = w.quote_id
         WHERE w.answer_by < ?1";

/// The same quotes as the pass asked for them before: every pending quote past its date, and
/// its flag looked up. For the detection pass from scratch.
const UNANSWERED_QUOTES_SCRATCH: &str = "SELECT q.id, q.client_id, q.answer_by, q.amount_cents FROM quotes q
         WHERE q.status = 'pending' AND q.answer_by < ?1
           AND NOT EXISTS (SELECT 1 FROM flags f WHERE f.source_ref = 'quote:' || q.id)
         ORDER BY q.answer_by, q.id";

pub(super) const VAGUE_TASKS: &str = "SELECT t.id, t.client_id, t.title FROM tasks t WHERE t.clarifications >= 3
               AND t.id > ?1 AND NOT EXISTS (SELECT 1 FROM flags f WHERE f.source_ref = 'task:' || t.id || ':vague')";

pub(super) const CHANGED_TASKS: &str =
    "SELECT t.id, t.client_id, t.title, t.outcome FROM tasks t WHERE t.outcome IN ('changed_after_ok', 'unused')
               AND t.id > ?1 AND NOT EXISTS (SELECT 1 FROM flags f WHERE f.source_ref = 'task:' || t.id || ':outcome')";

pub(super) const MEETING_FAULTS: &str =
    "SELECT m.id, m.client_id, m.at, m.attendance, m.kind FROM meetings m WHERE m.attendance IN ('no_show', 'late')
               AND m.id > ?1 AND NOT EXISTS (SELECT 1 FROM flags f WHERE f.source_ref = 'meeting:' || m.id)";

/// The clients whose flag of scattered channels for this month is not there yet (`?1`: the
/// reference's end, `:2026-11`), each asked inside SQLite. The clients' ids are read from
/// their kept tallies (`client_tally`: one small row per client, kept by triggers and checked
/// against the clients by the tests), a few pages instead of every client's row.
pub(super) const CLIENTS_WITHOUT_CHANNELS_FLAG: &str = "SELECT client_id FROM client_tally
         WHERE NOT EXISTS (SELECT 1 FROM flags f WHERE f.source_ref = 'channels:' || client_tally.client_id || ?1)";

pub(super) const SCATTERED: &str = "SELECT client_id, via FROM tasks
         WHERE created_on >= ?1 AND created_on <= ?2 AND via IS NOT NULL";

/// Weekly reviews recorded as missed by the client whose flag is not there (an import).
pub(super) const WEEKLY_MISSED: &str = "SELECT w.client_id, w.on_date FROM weekly_reviews w INDEXED BY weekly_missed
         WHERE w.missed = 1 AND NOT EXISTS (SELECT 1 FROM flags f WHERE f.source_ref = 'weekly:' || w.client_id || ':' || w.on_date)";

/// A flag a rule wants raised.
struct Candidate {
    client_id: i64,
    kind: FlagKind,
    at: NaiveDate,
    source_ref: String,
    note: String,
}

impl Store {
    /// Runs every automatic rule as of `today`. `min_rate` enables the underpaying rule.
    pub fn detect(&mut self, today: NaiveDate, min_rate: Option<f64>) -> Result<DetectReport> {
        self.detect_pass(today, min_rate, false)
    }

    /// The same pass with every rule reading the whole of what it judges: no rule skips the
    /// clients whose flag is there, late requests are checked against their task rows, and
    /// every pending quote past its date against the flags.
    /// It raises the same flags as `detect`; the tests compare the two.
    pub fn detect_from_scratch(&mut self, today: NaiveDate, min_rate: Option<f64>) -> Result<DetectReport> {
        self.detect_pass(today, min_rate, true)
    }

    fn detect_pass(&mut self, today: NaiveDate, min_rate: Option<f64>, scratch: bool) -> Result<DetectReport> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Repeating tasks whose latest instance is handled or past get their next one.
        let recurring = super::recur::advance_all(&tx, today)?;
        let mut candidates = Vec::new();
        let counts = late_requests(&tx, today, scratch, &mut candidates)?;
        unanswered_quotes(&tx, today, scratch, &self.money.currency, &mut candidates)?;
        recorded_faults(&tx, today, &mut candidates)?;
        scattered_channels(&tx, today, scratch, &mut candidates)?;
        let increment = self.money.increment_min;
        let min = min_rate.and_then(crate::domain::money::cents_from_f64);
        let mut money_flags = super::time::money_flags(&tx, today, min, increment, scratch)?;
        if min.is_some() {
            // The minimum rate is in the VA's default currency: a client billed in another
            // is not judged against it (a number of yen or dinars is not a number of euros).
            let others = other_currency_clients(&tx, &self.money)?;
            money_flags.retain(|(client, kind, ..)| !(*kind == FlagKind::Underpaying && others.contains(client)));
        }
        for (client_id, kind, at, source_ref, note) in money_flags {
            candidates.push(Candidate {
                client_id,
                kind,
                at,
                source_ref,
                note,
            });
        }
        missed_weekly_reviews(&tx, today, &mut candidates)?;
        let mut report = DetectReport {
            recurring,
            ..Default::default()
        };
        let mut there = tx.prepare_cached(FLAG_THERE)?;
        for c in candidates {
            // A flag already raised for the same source is what most candidates of the rules
            // that look at a whole month are: one lookup instead of an attempted insert.
            if there.exists([&c.source_ref])? {
                continue;
            }
            if let Some(id) = raise(&tx, c.client_id, c.kind, c.at, &c.source_ref, &c.note)? {
                let client: String =
                    tx.query_row("SELECT name FROM clients WHERE id = ?1", [c.client_id], |r| r.get(0))?;
                report.new_flags.push(NewFlag {
                    id,
                    client_id: c.client_id,
                    client,
                    kind: c.kind,
                    source_ref: c.source_ref,
                    note: c.note,
                });
            }
        }
        drop(there);
        report.counts = counts;
        tx.commit()?;
        Ok(report)
    }

    /// Live counts for the status bar, without raising anything.
    pub fn late_counts(&self, today: NaiveDate) -> Result<Counts> {
        late_counts(&self.conn, today)
    }
}

fn late_counts(conn: &rusqlite::Connection, today: NaiveDate) -> Result<Counts> {
    let mut q = conn.prepare_cached(LATE_COUNTS)?;
    let mut count =
        |kind: RequestKind| -> Result<u32> { Ok(q.query_row(params![kind.key(), day(today)], |r| r.get(0))?) };
    Ok(Counts {
        feedback_overdue: count(RequestKind::Feedback)?,
        material_late: count(RequestKind::Material)?,
    })
}

/// The late requests not flagged yet become candidates; returns the live counts of late ones.
fn late_requests(tx: &Transaction, today: NaiveDate, scratch: bool, out: &mut Vec<Candidate>) -> Result<Counts> {
    let mut q = tx.prepare_cached(if scratch { LATE_REQUESTS_SCRATCH } else { LATE_REQUESTS })?;
    let mut one = tx.prepare_cached(LATE_REQUEST)?;
    let mut counts = Counts::default();
    for kind in [RequestKind::Material, RequestKind::Feedback] {
        let mut rows = q.query(params![kind.key(), day(today)])?;
        while let Some(r) = rows.next()? {
            match kind {
                RequestKind::Material => counts.material_late += 1,
                RequestKind::Feedback => counts.feedback_overdue += 1,
            }
            if r.get::<_, bool>(2)? {
                continue;
            }
            let (id, expected) = (r.get::<_, i64>(0)?, r.get::<_, String>(1)?);
            let (client_id, title, what) = one.query_row([id], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
            })?;
            let (flag, note) = match kind {
                RequestKind::Material => (FlagKind::LateMaterial, format!("{what} ({title})")),
                RequestKind::Feedback => (FlagKind::NoFeedback, title),
            };
            out.push(Candidate {
                client_id,
                kind: flag,
                at: rules::first_late_day(date(expected)),
                source_ref: format!("{}:{id}", kind.key()),
                note,
            });
        }
    }
    Ok(counts)
}

/// What an unanswered quote's flag says: its amount and its client's currency (`default` when
/// the client has none), "300.00 USD".
pub(super) const QUOTE_CURRENCY: &str = "SELECT coalesce(currency, ?2) FROM clients WHERE id = ?1";

fn unanswered_quotes(
    tx: &Transaction,
    today: NaiveDate,
    scratch: bool,
    default_currency: &str,
    out: &mut Vec<Candidate>,
) -> Result<()> {
    let mut currency = tx.prepare_cached(QUOTE_CURRENCY)?;
    let mut q = tx.prepare_cached(if scratch {
        UNANSWERED_QUOTES_SCRATCH
    } else {
        UNANSWERED_QUOTES
    })?;
    let rows = q.query_map([day(today)], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })?;
    for row in rows {
        let (id, client_id, answer_by, amount) = row?;
        let code: String = currency.query_row(params![client_id, default_currency], |r| r.get(0))?;
        out.push(Candidate {
            client_id,
            kind: FlagKind::QuoteUnanswered,
            at: rules::first_late_day(date(answer_by)),
            source_ref: format!("quote:{id}"),
            note: format!("{} {code}", crate::domain::money::plain_cents(amount)),
        });
    }
    Ok(())
}

/// Faults recorded on tasks and meetings that a command normally flags at once; the pass
/// catches any that arrived another way (an import, an older version).
fn recorded_faults(tx: &Transaction, today: NaiveDate, out: &mut Vec<Candidate>) -> Result<()> {
    // Commands flag these faults when they record them; this pass is the safety net for records
    // that arrived another way (an import), so it looks only at records it has not seen yet.
    let seen = |key: &str| -> Result<i64> {
        let v: Option<String> =
            rusqlite::OptionalExtension::optional(
                tx.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)),
            )?;
        Ok(v.and_then(|v| v.parse().ok()).unwrap_or(0))
    };
    let (tasks_seen, meetings_seen) = (seen("checked:tasks")?, seen("checked:meetings")?);
    collect(tx, VAGUE_TASKS, tasks_seen, out, |r| {
        let id: i64 = r.get(0)?;
        Ok(Some(Candidate {
            client_id: r.get(1)?,
            kind: FlagKind::VagueSpec,
            at: today,
            source_ref: format!("task:{id}:vague"),
            note: r.get(2)?,
        }))
    })?;
    collect(tx, CHANGED_TASKS, tasks_seen, out, |r| {
        let id: i64 = r.get(0)?;
        let outcome: String = r.get(3)?;
        let Some(kind) = crate::domain::Outcome::from_key(&outcome).and_then(rules::outcome_flag) else {
            return Ok(None);
        };
        Ok(Some(Candidate {
            client_id: r.get(1)?,
            kind,
            at: today,
            source_ref: format!("task:{id}:outcome"),
            note: r.get(2)?,
        }))
    })?;
    collect(tx, MEETING_FAULTS, meetings_seen, out, |r| {
        let id: i64 = r.get(0)?;
        let (at, attendance, kind): (String, String, String) = (r.get(2)?, r.get(3)?, r.get(4)?);
        let Some(flag) = crate::domain::Attendance::from_key(&attendance).and_then(rules::attendance_flag) else {
            return Ok(None);
        };
        let on = dates::parse_iso_date(at.get(..10).unwrap_or("")).unwrap_or(today);
        Ok(Some(Candidate {
            client_id: r.get(1)?,
            kind: flag,
            at: on,
            source_ref: format!("meeting:{id}"),
            note: format!("{kind} {at}"),
        }))
    })?;
    tx.execute(
        "INSERT INTO meta(key, value) VALUES ('checked:tasks', (SELECT coalesce(max(id), 0) FROM tasks)),
                                             ('checked:meetings', (SELECT coalesce(max(id), 0) FROM meetings))
         ON CONFLICT(key) DO UPDATE SET value = excluded.value WHERE value <> excluded.value",
        [],
    )?;
    Ok(())
}

/// Runs one of the safety net's queries (records above `seen`) and keeps what it turns into a flag.
fn collect(
    tx: &Transaction,
    sql: &str,
    seen: i64,
    out: &mut Vec<Candidate>,
    to_candidate: impl Fn(&rusqlite::Row) -> rusqlite::Result<Option<Candidate>>,
) -> Result<()> {
    let mut q = tx.prepare_cached(sql)?;
    let rows = q.query_map([seen], |r| to_candidate(r))?;
    for row in rows {
        out.extend(row?);
    }
    Ok(())
}

fn scattered_channels(tx: &Transaction, today: NaiveDate, scratch: bool, out: &mut Vec<Candidate>) -> Result<()> {
    // The rule raises one flag per client and month: a client whose flag of this month is there
    // has nothing left to find, and when every client has it the window is not read at all.
    let open: BTreeSet<i64> = if scratch {
        BTreeSet::new()
    } else {
        let mut ids = tx.prepare_cached(CLIENTS_WITHOUT_CHANNELS_FLAG)?;
        let rows = ids.query_map([rules::month_suffix(today)], |r| r.get::<_, i64>(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    if !scratch && open.is_empty() {
        return Ok(());
    }
    let since = today - Duration::days(rules::SCATTERED_WINDOW_DAYS - 1);
    let mut q = tx.prepare_cached(SCATTERED)?;
    let mut rows = q.query(params![day(since), day(today)])?;
    // Counted here rather than with DISTINCT in SQL: one pass over the covering index, no sorts,
    // and no text copied per row (the channels are a handful: each is kept once, by number).
    let mut names: Vec<String> = Vec::new();
    let mut by_client: BTreeMap<i64, BTreeSet<usize>> = BTreeMap::new();
    while let Some(r) = rows.next()? {
        let client_id: i64 = r.get(0)?;
        if !scratch && !open.contains(&client_id) {
            continue;
        }
        let via = super::text_at(r, 1)?;
        let n = match names.iter().position(|v| v == via) {
            Some(n) => n,
            None => {
                names.push(via.to_string());
                names.len() - 1
            }
        };
        by_client.entry(client_id).or_default().insert(n);
    }
    for (client_id, vias) in by_client {
        if vias.len() >= rules::SCATTERED_CHANNELS {
            let mut vias: Vec<&str> = vias.iter().map(|n| names[*n].as_str()).collect();
            vias.sort_unstable();
            out.push(Candidate {
                client_id,
                kind: FlagKind::ScatteredChannels,
                at: today,
                source_ref: rules::month_ref("channels", client_id, today),
                note: vias.join(", "),
            });
        }
    }
    Ok(())
}

/// A weekly review raises `no_feedback` only when recorded as missed by the client; the
/// command that records it raises the flag, and this pass catches records that arrived another
/// way. A review nobody recorded raises nothing: it stays in the daily review.
fn missed_weekly_reviews(tx: &Transaction, _today: NaiveDate, out: &mut Vec<Candidate>) -> Result<()> {
    let mut q = tx.prepare_cached(WEEKLY_MISSED)?;
    let rows = q.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (client_id, on) = row?;
        out.push(Candidate {
            client_id,
            kind: FlagKind::NoFeedback,
            at: date(on.clone()),
            source_ref: format!("weekly:{client_id}:{on}"),
            note: on,
        });
    }
    Ok(())
}

/// The clients billed in a currency other than the VA's default (a client without one is in
/// the default).
fn other_currency_clients(
    tx: &Transaction,
    money: &crate::domain::money::MoneyDefaults,
) -> Result<std::collections::HashSet<i64>> {
    let default = money.currency_or_default(None);
    let mut q = tx.prepare_cached("SELECT id, currency FROM clients WHERE currency IS NOT NULL")?;
    let rows = q.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = std::collections::HashSet::new();
    for row in rows {
        let (id, code) = row?;
        if money.currency_or_default(Some(&code)) != default {
            out.insert(id);
        }
    }
    Ok(out)
}

//! Time entries, the one running timer, and the month arithmetic read from them: statements,
//! the Month view, and the money rules (underpaying, scope creep, retainer near its hours).
//!
//! The running timer is the one entry whose `minutes` is NULL (a unique partial index keeps
//! it to one), so every process sees it and it survives a restart.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

use chrono::{Duration, NaiveDate, NaiveDateTime};
use rusqlite::{params, OptionalExtension, Row, Transaction};

use super::{day, stamp, Store};
use crate::domain::money::{self, plain_cents, Month, MonthTotals, Sums, TimeEntry};
use crate::domain::{text, Client, FlagKind};
use crate::error::{Arg, Error, Result};
use crate::i18n::{tf, T};

const ENTRY_SELECT: &str = "SELECT e.id, e.uuid, e.client_id, c.name, e.task_id, t.title, e.start, e.minutes,
            e.billable, e.note, e.billed_on, e.billed_min
     FROM time_entries e JOIN clients c ON c.id = e.client_id LEFT JOIN tasks t ON t.id = e.task_id";

/// How many time entries a client has (the tasks pane's tab strip).
pub(crate) const TIME_COUNT: &str = "SELECT count(*) FROM time_entries WHERE client_id = ?1";

/// A client's time entries, newest first (the tasks pane's time tab).
pub(crate) fn time_of_client_sql() -> String {
    format!("{ENTRY_SELECT} WHERE e.client_id = ?1 ORDER BY e.start DESC, e.id DESC")
}

fn entry_row(r: &Row) -> rusqlite::Result<TimeEntry> {
    Ok(TimeEntry {
        id: r.get(0)?,
        uuid: r.get(1)?,
        client_id: r.get(2)?,
        client: r.get(3)?,
        task: r.get(4)?,
        task_title: r.get(5)?,
        start: r.get(6)?,
        minutes: r.get(7)?,
        billable: r.get(8)?,
        note: r.get(9)?,
        billed_on: super::opt_date(r.get(10)?),
        invoiced_minutes: r.get(11)?,
    })
}

/// A month's sums per client from the kept month sums (schema step 10): one row per client and
/// month, each billable entry already rounded up to its client's own increment (`inc`: 1 when
/// the client has none). `?1`..`?2` is the half-open range of start days, `?3` the default
/// increment: a row rounded otherwise than the client's increment now is left to
/// `MONTH_SUMS_FROM_ENTRIES`.
pub(super) const MONTH_SUMS: &str = "SELECT s.client_id, s.month, s.billable_min, s.rounded_min, s.unbilled_min,
        s.invoiced_min, s.invoiced_n > 0
     FROM time_sums s JOIN clients c ON c.id = s.client_id
     WHERE s.month >= substr(?1, 1, 7) AND s.month < substr(?2, 1, 7)
       AND s.inc = max(1, coalesce(c.increment_min, ?3))";

/// The same sums read from the entries, for the clients whose increment is the default and the
/// default is not 1 (their kept sums are rounded to the minute), and to check the kept sums.
/// `?4` = 1 reads every client.
pub(super) const MONTH_SUMS_FROM_ENTRIES: &str = "SELECT e.client_id, substr(e.start, 1, 7),
        sum(CASE WHEN e.billable THEN e.minutes ELSE 0 END),
        sum(CASE WHEN e.billable THEN ((e.minutes + inc.i - 1) / inc.i) * inc.i ELSE 0 END),
        sum(CASE WHEN e.billable THEN 0 ELSE e.minutes END),
        sum(CASE WHEN e.billed_on IS NOT NULL
                 THEN ((coalesce(e.billed_min, CASE WHEN e.billable THEN e.minutes ELSE 0 END) + inc.i - 1) / inc.i) * inc.i
                 ELSE 0 END),
        max(e.billed_on IS NOT NULL)
     FROM time_entries e
     JOIN (SELECT id, max(1, coalesce(increment_min, ?3)) AS i FROM clients
           WHERE ?4 = 1 OR max(1, coalesce(increment_min, ?3)) <> max(1, coalesce(increment_min, 1))) inc
       ON inc.id = e.client_id
     WHERE e.start >= ?1 AND e.start < ?2 AND e.minutes IS NOT NULL
     GROUP BY e.client_id, substr(e.start, 1, 7)";

/// Quote preparation by sending day, added up per client and month in `quote_prep`: one pass
/// over the covering index, no temporary B-tree for a GROUP BY.
pub(super) const QUOTE_PREP: &str = "SELECT client_id, sent_on, prep_min FROM quotes INDEXED BY quotes_sent
     WHERE sent_on >= ?1 AND sent_on < ?2";

/// Quote preparation per client and month from the kept sums (`quote_prep_sums`, schema step
/// 19, kept by the quotes' triggers): one row per client and month of the range, by the month
/// first, instead of every quote sent in it (`QUOTE_PREP`, which reads the quotes themselves
/// to check the kept rows).
pub(super) const KEPT_PREP: &str = "SELECT client_id, month, prep_min FROM quote_prep_sums
     WHERE month >= substr(?1, 1, 7) AND month < substr(?2, 1, 7)";

/// The same sums added up by SQL, as the pass read them before: for the detection pass from
/// scratch that checks the one above.
const QUOTE_PREP_GROUPED: &str = "SELECT client_id, substr(sent_on, 1, 7), sum(prep_min) FROM quotes
     WHERE sent_on >= ?1 AND sent_on < ?2 GROUP BY client_id, substr(sent_on, 1, 7)";

/// One client's entries of a month, in order.
pub(super) const CLIENT_MONTH: &str =
    "SELECT e.id, e.uuid, e.client_id, c.name, e.task_id, t.title, e.start, e.minutes,
            e.billable, e.note, e.billed_on, e.billed_min
     FROM time_entries e JOIN clients c ON c.id = e.client_id LEFT JOIN tasks t ON t.id = e.task_id
     WHERE e.client_id = ?1 AND e.start >= ?2 AND e.start < ?3 AND e.minutes IS NOT NULL
     ORDER BY e.start, e.id";

/// Clients with a retainer (few: the clients table is small next to time and tasks).
pub(super) const RETAINER_CLIENTS: &str =
    "SELECT id FROM clients WHERE retainer_min IS NOT NULL AND status IN ('active', 'paused')";

/// The retainer clients (with a fee) and their billable minutes in a month (`?1`, `YYYY-MM`),
/// for the review.
pub(super) const RETAINER_USE: &str = "SELECT c.id, c.name, c.retainer_min,
        CASE WHEN c.increment_min IS NULL AND ?2 > 1
          THEN coalesce((SELECT sum(((e.minutes + ?2 - 1) / ?2) * ?2) FROM time_entries e
                WHERE e.client_id = c.id AND e.start >= ?1 AND e.start < ?3
                  AND e.minutes IS NOT NULL AND e.billable = 1), 0)
          ELSE coalesce((SELECT s.rounded_min FROM time_sums s WHERE s.client_id = c.id AND s.month = substr(?1, 1, 7)), 0)
        END
     FROM clients c
     WHERE c.retainer_min IS NOT NULL AND c.fee_cents IS NOT NULL AND c.status IN ('active', 'paused')";

/// The running timer.
pub(super) const RUNNING: &str = "SELECT e.id FROM time_entries e WHERE ifnull(e.minutes, 0) = 0 AND e.minutes IS NULL";

/// The terms a client's month was first billed under (`?1` client, `?2` month `YYYY-MM`):
/// the first billing's, the same on every machine whichever billed first.
pub(super) const BILLED_TERMS: &str = "SELECT billed_on, status, currency, increment_min, rate_cents,
        retainer_min, fee_cents, overage_cents, client_id
     FROM billed_terms WHERE client_id = ?1 AND month = ?2 ORDER BY billed_on, uuid LIMIT 1";

/// Every client's terms of a billed month (`?1`, `YYYY-MM`), each client's first billing first.
pub(super) const BILLED_TERMS_OF_MONTH: &str = "SELECT billed_on, status, currency, increment_min, rate_cents,
        retainer_min, fee_cents, overage_cents, client_id
     FROM billed_terms WHERE month = ?1 ORDER BY client_id, billed_on, uuid";

/// On the first billing of a client's month (`?1` client, `?2` month): the client's terms as
/// they are, the currency and increment resolved from the defaults (`?3`, `?4`), with the day
/// (`?5`). A month already billed keeps the terms of its first billing.
pub(super) const FREEZE_TERMS: &str =
    "INSERT INTO billed_terms(client_id, month, billed_on, status, currency, increment_min,
        rate_cents, retainer_min, fee_cents, overage_cents)
     SELECT c.id, ?2, ?5, c.status, coalesce(c.currency, ?3), coalesce(c.increment_min, ?4),
            c.rate_cents, c.retainer_min, c.fee_cents, c.overage_cents
     FROM clients c
     WHERE c.id = ?1 AND NOT EXISTS (SELECT 1 FROM billed_terms b WHERE b.client_id = ?1 AND b.month = ?2)";

/// Whether a client's month (`?1`, from `?2` to `?3`) holds billable time not yet billed.
pub(super) const UNBILLED: &str = "SELECT 1 FROM time_entries WHERE client_id = ?1
       AND start >= ?2 AND start < ?3 AND minutes IS NOT NULL AND billable = 1 AND billed_on IS NULL LIMIT 1";

/// The terms a client's month was billed under, as kept (a row of `BILLED_TERMS`), with the day.
struct Kept {
    on: NaiveDate,
    status: String,
    currency: Option<String>,
    increment_min: Option<u32>,
    rate_cents: Option<i64>,
    retainer_min: Option<u32>,
    fee_cents: Option<i64>,
    overage_cents: Option<i64>,
}

impl Kept {
    fn of(r: &Row) -> rusqlite::Result<(i64, Kept)> {
        let on: String = r.get(0)?;
        let kept = Kept {
            on: NaiveDate::parse_from_str(on.get(..10).unwrap_or(&on), "%Y-%m-%d").unwrap_or(NaiveDate::MIN),
            status: r.get(1)?,
            currency: r.get(2)?,
            increment_min: r.get(3)?,
            rate_cents: r.get(4)?,
            retainer_min: r.get(5)?,
            fee_cents: r.get(6)?,
            overage_cents: r.get(7)?,
        };
        Ok((r.get(8)?, kept))
    }

    /// A client as its month was billed: its money terms and status then, the rest as it is
    /// now; with the day the terms were kept.
    fn on_client(self, client: &Client) -> (Client, NaiveDate) {
        let mut c = client.clone();
        c.status = crate::domain::ClientStatus::from_key(&self.status).unwrap_or(c.status);
        c.currency = self.currency;
        c.increment_min = self.increment_min;
        c.rate_cents = self.rate_cents;
        c.retainer_min = self.retainer_min;
        c.fee_cents = self.fee_cents;
        c.overage_cents = self.overage_cents;
        let on = if self.on == NaiveDate::MIN {
            c.created_on
        } else {
            self.on
        };
        (c, on)
    }
}

/// The terms each client's month of `[from, to]` was first billed under, for the money rules:
/// a billed month is judged as it was invoiced, as its statement shows it.
fn billed_terms_between(
    conn: &rusqlite::Connection,
    from: Month,
    to: Month,
) -> Result<HashMap<(i64, Month), money::Terms, ById>> {
    let mut out: HashMap<(i64, Month), money::Terms, ById> = HashMap::default();
    let mut q = conn.prepare_cached(BILLED_TERMS_OF_MONTH)?;
    let mut m = from;
    while m <= to {
        for row in q.query_map([m.key()], Kept::of)? {
            let (id, k) = row?;
            // The month's first billing (the rows come in that order per client).
            out.entry((id, m)).or_insert_with(|| {
                let fee_owed = matches!(k.status.as_str(), "active" | "paused");
                money::Terms {
                    rate_cents: k.rate_cents,
                    retainer: k.retainer_min.zip(k.fee_cents).filter(|_| fee_owed),
                    overage_cents: k.overage_cents,
                    unit_cents: 0,
                }
            });
        }
        m = m.next();
    }
    Ok(out)
}

/// A statement of one client's month.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// The client, with the money terms and status its month was billed under when it was.
    pub client: Client,
    pub month: Month,
    pub currency: iso_currency::Currency,
    pub increment: u32,
    pub entries: Vec<TimeEntry>,
    pub totals: MonthTotals,
    /// The day the month was first billed, whose terms it keeps; None when never billed (the
    /// client's terms as they are now).
    pub terms_billed_on: Option<NaiveDate>,
}

impl Statement {
    /// The minutes an entry counts as billed: rounded up when billable, 0 when not.
    pub fn billed_minutes(&self, e: &TimeEntry) -> u32 {
        if e.billable {
            money::round_up(e.minutes.unwrap_or(0), self.increment)
        } else {
            0
        }
    }

    /// What an entry corrected after it was billed was invoiced for (rounded as the month is),
    /// when that is not what it bills now; None otherwise.
    pub fn invoiced_otherwise(&self, e: &TimeEntry) -> Option<u32> {
        e.invoiced()
            .map(|m| money::round_up(m, self.increment))
            .filter(|m| *m != self.billed_minutes(e))
    }
}

/// One client's line of a month (`statement --all`, the Month view).
#[derive(Debug, Clone, PartialEq)]
pub struct MonthLine {
    /// The client, with the money terms and status its month was billed under when it was.
    pub client: Client,
    pub currency: iso_currency::Currency,
    pub totals: MonthTotals,
    /// The day the month was first billed, whose terms it keeps.
    pub terms_billed_on: Option<NaiveDate>,
}

/// What `time edit` changes; None leaves a field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TimeEdit {
    pub minutes: Option<u32>,
    pub start: Option<NaiveDateTime>,
    pub billable: Option<bool>,
    pub note: Option<String>,
    pub task: Option<i64>,
}

/// How a timer from an earlier day is stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopAt {
    /// Now; refused when the timer started on an earlier day.
    Now,
    /// When the work really ended.
    At(NaiveDateTime),
    /// All of it, up to now.
    Keep,
}

fn check_minutes(m: u32) -> Result<u32> {
    if m == 0 || m > money::MAX_ENTRY_MINUTES {
        return Err(Error::invalid(T::ErrBadTimeMinutes, &[&money::hours_text(m as u64)]));
    }
    Ok(m)
}

/// Refuses time that would end after `now`.
fn ended_by(start: NaiveDateTime, minutes: u32, now: NaiveDateTime) -> Result<()> {
    let end = start + chrono::Duration::minutes(i64::from(minutes));
    if end > now {
        return Err(Error::invalid_with(
            T::ErrTimeAhead,
            vec![Arg::at(end, now.date()), Arg::at(now, now.date())],
        ));
    }
    Ok(())
}

fn clean_note(n: &str) -> Result<String> {
    let n = text::clean_line(n);
    if n.chars().count() > text::MAX_ENTRY_NOTE_CHARS {
        return Err(Error::invalid(
            T::ErrTooLong,
            &[
                &T::FieldNote.text(crate::i18n::Lang::En),
                &text::MAX_ENTRY_NOTE_CHARS,
                &n.chars().count(),
            ],
        ));
    }
    Ok(n)
}

fn month_range(m: Month) -> (String, String) {
    (day(m.first_day()), day(m.next().first_day()))
}

impl Store {
    /// The config's currency and increment. Months billed before kept terms existed (schema
    /// step 23) took the client's own currency and increment; one that followed the config's
    /// default takes the default now, the first time it is known, and keeps it from then on.
    pub fn set_money_defaults(&mut self, d: money::MoneyDefaults) {
        self.money = d;
        let pending: Option<String> = self
            .conn
            .prepare_cached("SELECT value FROM meta WHERE key = 'billed_terms_defaults'")
            .and_then(|mut q| q.query_row([], |r| r.get(0)).optional())
            .unwrap_or(None);
        if pending.is_none() {
            return;
        }
        let currency = self.money.currency_or_default(None).code().to_string();
        let increment = self.money.increment_min.max(1);
        // A store it cannot write (read-only) keeps them pending: they follow the config.
        let resolve = |tx: &Transaction| -> rusqlite::Result<()> {
            tx.execute(
                "UPDATE billed_terms SET currency = coalesce(currency, ?1),
                     increment_min = coalesce(increment_min, ?2)
                 WHERE currency IS NULL OR increment_min IS NULL",
                params![currency, increment],
            )?;
            tx.execute("DELETE FROM meta WHERE key = 'billed_terms_defaults'", [])?;
            Ok(())
        };
        if let Ok(tx) = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        {
            if resolve(&tx).is_ok() {
                let _ = tx.commit();
            }
        }
    }

    pub fn money_defaults(&self) -> &money::MoneyDefaults {
        &self.money
    }

    pub fn time_entry(&self, id: i64) -> Result<TimeEntry> {
        self.conn
            .query_row(&format!("{ENTRY_SELECT} WHERE e.id = ?1"), [id], entry_row)
            .optional()?
            .ok_or_else(|| Error::not_found(T::ErrNoTimeEntry, &[&id]))
    }

    /// The running timer, if any.
    pub fn running_timer(&self) -> Result<Option<TimeEntry>> {
        Ok(self
            .conn
            .query_row(&format!("{ENTRY_SELECT} WHERE e.id = ({RUNNING})"), [], entry_row)
            .optional()?)
    }

    /// The client of a task, for time logged on it.
    fn task_client(&self, task_id: i64) -> Result<i64> {
        self.conn
            .query_row("SELECT client_id FROM tasks WHERE id = ?1", [task_id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| Error::not_found(T::ErrNoTask, &[&task_id]))
    }

    /// Starts the timer on a task or a client, stopping the one that runs (at `now`; one
    /// from an earlier day must be stopped first). Returns the new entry's id and the
    /// stopped entry.
    pub fn start_timer(
        &mut self,
        client_id: Option<i64>,
        task_id: Option<i64>,
        billable: bool,
        note: &str,
        now: NaiveDateTime,
    ) -> Result<(i64, Option<TimeEntry>)> {
        let client_id = match (task_id, client_id) {
            (Some(t), _) => self.task_client(t)?,
            (None, Some(c)) => self.client(c)?.id,
            (None, None) => return Err(Error::invalid(T::ErrTimeNeedsTarget, &[])),
        };
        let note = clean_note(note)?;
        let running = self.running_timer()?;
        let stop = match &running {
            Some(r) => Some((r.id, r.start_at(), stopped_minutes(r, StopAt::Now, now)?)),
            None => None,
        };
        let name = self.client(client_id)?.name;
        // To the minute, as it is stored.
        let started = chrono::NaiveDateTime::parse_from_str(&stamp(now), "%Y-%m-%d %H:%M").unwrap_or(now);
        let id = self.write(
            |l| tf(l, T::UndoTimerStart, &[&name]),
            |tx| {
                match stop {
                    // Stopped within its first minute: nothing was worked, no empty entry stays
                    // (as when it is stopped).
                    Some((rid, _, 0)) => {
                        tx.execute("DELETE FROM time_entries WHERE id = ?1", [rid])?;
                    }
                    Some((rid, began, minutes)) => {
                        super::time_overlap::refuse_overlap(tx, began, minutes, Some(rid), now)?;
                        tx.execute("UPDATE time_entries SET minutes = ?1 WHERE id = ?2", params![minutes, rid])?;
                    }
                    None => {}
                }
                // A timer starting inside another entry's span would count its first minute twice.
                super::time_overlap::refuse_overlap(tx, started, 1, None, now)?;
                tx.execute(
                    "INSERT INTO time_entries(client_id, task_id, start, minutes, billable, note) VALUES (?1, ?2, ?3, NULL, ?4, ?5)",
                    params![client_id, task_id, stamp(now), billable, note],
                )?;
                Ok(tx.last_insert_rowid())
            },
        )?;
        let stopped = match (running, stop) {
            (Some(r), Some((_, _, 0))) => Some(TimeEntry { minutes: Some(0), ..r }),
            (Some(r), _) => Some(self.time_entry(r.id)?),
            _ => None,
        };
        Ok((id, stopped))
    }

    /// Stops the running timer. A timer started on an earlier day needs to know when the
    /// work really ended (`At`) or that all of it counts (`Keep`).
    pub fn stop_timer(&mut self, how: StopAt, now: NaiveDateTime) -> Result<TimeEntry> {
        let r = self
            .running_timer()?
            .ok_or_else(|| Error::invalid(T::ErrNoTimer, &[]))?;
        self.stop_timer_entry(r.id, how, now)
    }

    /// Stops the timer of entry `id`, only while it still runs: one stopped meanwhile
    /// elsewhere (checked in the writing transaction) is refused, and so is never stopped
    /// twice, nor the timer started after it.
    pub fn stop_timer_entry(&mut self, id: i64, how: StopAt, now: NaiveDateTime) -> Result<TimeEntry> {
        let r = self.time_entry(id)?;
        let stopped_meanwhile = || Error::invalid(T::ErrTimerStoppedMeanwhile, &[]);
        if r.minutes.is_some() {
            return Err(stopped_meanwhile());
        }
        let minutes = stopped_minutes(&r, how, now)?;
        self.write(
            |l| tf(l, T::UndoTimerStop, &[&r.client]),
            |tx| {
                // Stopped within its first minute (`t` pressed twice): nothing was worked, and
                // no empty entry is left behind.
                let n = if minutes == 0 {
                    tx.execute("DELETE FROM time_entries WHERE id = ?1 AND minutes IS NULL", [id])?
                } else {
                    // The same minutes never count twice: an end that reaches into another
                    // entry is refused, as logging it would be.
                    super::time_overlap::refuse_overlap(tx, r.start_at(), minutes, Some(id), now)?;
                    tx.execute(
                        "UPDATE time_entries SET minutes = ?1 WHERE id = ?2 AND minutes IS NULL",
                        params![minutes, id],
                    )?
                };
                if n == 0 {
                    return Err(stopped_meanwhile());
                }
                Ok(())
            },
        )?;
        if minutes == 0 {
            return Ok(TimeEntry { minutes: Some(0), ..r });
        }
        self.time_entry(id)
    }

    /// Logged time is time worked: it has ended by now (a timer is for what goes on).
    fn ended_by_now(&self, start: NaiveDateTime, minutes: u32) -> Result<()> {
        ended_by(start, minutes, self.clock())
    }

    /// Logs time already worked.
    pub fn log_time(
        &mut self,
        client_id: Option<i64>,
        task_id: Option<i64>,
        start: NaiveDateTime,
        minutes: u32,
        billable: bool,
        note: &str,
    ) -> Result<i64> {
        let minutes = check_minutes(minutes)?;
        if !crate::domain::dates::in_range(start.date()) {
            return Err(Error::invalid(T::ErrBadWhen, &[&stamp(start)]));
        }
        let client_id = match (task_id, client_id) {
            (Some(t), _) => self.task_client(t)?,
            (None, Some(c)) => self.client(c)?.id,
            (None, None) => return Err(Error::invalid(T::ErrTimeNeedsTarget, &[])),
        };
        let note = clean_note(note)?;
        self.ended_by_now(start, minutes)?;
        let name = self.client(client_id)?.name;
        let now = self.clock();
        self.write(
            |l| tf(l, T::UndoTimeLog, &[&name]),
            |tx| {
                super::time_overlap::refuse_overlap(tx, start, minutes, None, now)?;
                tx.execute(
                    "INSERT INTO time_entries(client_id, task_id, start, minutes, billable, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![client_id, task_id, stamp(start), minutes, billable, note],
                )?;
                Ok(tx.last_insert_rowid())
            },
        )
    }

    /// Changes an entry; a billed one only with `force`.
    pub fn edit_time(&mut self, id: i64, edit: TimeEdit, force: bool) -> Result<()> {
        self.edit_time_if(id, force, |_| Some(edit)).map(|_| ())
    }

    /// As [`Store::edit_time`], the changes decided by `decide` from the entry as it is inside
    /// the write (`None` writes nothing: `Ok(false)`). The desk's edit form checks there that
    /// what it changes was not changed meanwhile elsewhere.
    pub fn edit_time_if(
        &mut self,
        id: i64,
        force: bool,
        decide: impl FnOnce(&TimeEntry) -> Option<TimeEdit>,
    ) -> Result<bool> {
        let client = self.time_entry(id)?.client;
        let now = self.clock();
        let done = self.write_if(
            |l| tf(l, T::UndoTimeEdit, &[&client]),
            |tx| {
                let e = tx
                    .query_row(&format!("{ENTRY_SELECT} WHERE e.id = ?1"), [id], entry_row)
                    .optional()?
                    .ok_or_else(|| Error::not_found(T::ErrNoTimeEntry, &[&id]))?;
                if let Some(on) = e.billed_on {
                    if !force {
                        return Err(Error::invalid_with(
                            T::ErrTimeBilled,
                            vec![Arg::text(id), Arg::day(on, now.date())],
                        ));
                    }
                }
                let Some(edit) = decide(&e) else {
                    return Ok(None);
                };
                if let Some(m) = edit.minutes {
                    if e.minutes.is_none() {
                        return Err(Error::invalid(T::ErrTimerRunningEdit, &[&id]));
                    }
                    check_minutes(m)?;
                }
                // A billed entry stays in the month it was invoiced with: moved out, that month's
                // invoice would lose it and the other month would count it as invoiced.
                if let (Some(to), Some(_)) = (edit.start, e.billed_on) {
                    let month = e.start_at().date();
                    if Month::of(to.date()) != Month::of(month) {
                        let m = Month::of(month);
                        let named = |l| crate::i18n::month_year(m.year, m.month, l);
                        return Err(Error::Invalid(crate::error::Msg {
                            key: T::ErrBilledOtherMonth,
                            args: vec![
                                crate::error::Arg::Text(id.to_string()),
                                crate::error::Arg::ByLang(named(crate::i18n::Lang::En), named(crate::i18n::Lang::Es)),
                            ],
                        }));
                    }
                }
                // A running timer started when it started: its start moves only once it is stopped.
                if edit.start.is_some() && e.minutes.is_none() {
                    let since = |l| crate::i18n::stored_when(&e.start, e.start_at().date(), l);
                    return Err(Error::Invalid(crate::error::Msg {
                        key: T::ErrTimerRunningMove,
                        args: vec![
                            crate::error::Arg::Text(id.to_string()),
                            crate::error::Arg::Text(e.client.clone()),
                            crate::error::Arg::ByLang(since(crate::i18n::Lang::En), since(crate::i18n::Lang::Es)),
                        ],
                    }));
                }
                // An entry moved or lengthened stays time worked.
                if let (Some(minutes), true) = (
                    edit.minutes.or(e.minutes),
                    edit.minutes.is_some() || edit.start.is_some(),
                ) {
                    ended_by(edit.start.unwrap_or_else(|| e.start_at()), minutes, now)?;
                }
                let note = edit.note.as_deref().map(clean_note).transpose()?;
                if let Some(t) = edit.task {
                    let c: i64 = tx
                        .query_row("SELECT client_id FROM tasks WHERE id = ?1", [t], |r| r.get(0))
                        .optional()?
                        .ok_or_else(|| Error::not_found(T::ErrNoTask, &[&t]))?;
                    if c != e.client_id {
                        return Err(Error::invalid(T::ErrTaskOtherClient, &[&t, &e.client]));
                    }
                }
                // An entry moved or lengthened keeps off every other entry's span (a running
                // timer's span is not moved here: see above).
                if let Some(m) = e.minutes.filter(|_| edit.minutes.is_some() || edit.start.is_some()) {
                    let start = edit.start.unwrap_or_else(|| e.start_at());
                    super::time_overlap::refuse_overlap(tx, start, edit.minutes.unwrap_or(m), Some(id), now)?;
                }
                if let Some(m) = edit.minutes {
                    tx.execute("UPDATE time_entries SET minutes = ?1 WHERE id = ?2", params![m, id])?;
                }
                if let Some(s) = edit.start {
                    tx.execute(
                        "UPDATE time_entries SET start = ?1 WHERE id = ?2",
                        params![stamp(s), id],
                    )?;
                }
                if let Some(b) = edit.billable {
                    tx.execute("UPDATE time_entries SET billable = ?1 WHERE id = ?2", params![b, id])?;
                }
                if let Some(n) = &note {
                    tx.execute("UPDATE time_entries SET note = ?1 WHERE id = ?2", params![n, id])?;
                }
                if let Some(t) = edit.task {
                    tx.execute("UPDATE time_entries SET task_id = ?1 WHERE id = ?2", params![t, id])?;
                }
                Ok(Some(()))
            },
        )?;
        Ok(done.is_some())
    }

    /// Deletes an entry; a billed one only with `force`, and then it is emptied instead (0
    /// minutes, billed as it was): what was invoiced for it stays on its month's statement,
    /// which then shows it as owed back, rather than vanish with it. Whether it was emptied.
    pub fn delete_time(&mut self, id: i64, force: bool) -> Result<bool> {
        let e = self.time_entry(id)?;
        if let Some(on) = e.billed_on {
            if !force {
                return Err(Error::invalid_with(
                    T::ErrTimeBilled,
                    vec![Arg::text(id), Arg::day(on, self.clock().date())],
                ));
            }
        }
        self.write(
            |l| tf(l, T::UndoTimeDelete, &[&e.client]),
            |tx| {
                // Read inside the write: billed meanwhile, it is emptied all the same.
                let emptied = tx.execute(
                    "UPDATE time_entries
                     SET billed_min = coalesce(billed_min, CASE WHEN billable THEN minutes ELSE 0 END), minutes = 0
                     WHERE id = ?1 AND billed_on IS NOT NULL AND minutes IS NOT NULL",
                    [id],
                )? == 1;
                if !emptied {
                    tx.execute("DELETE FROM time_entries WHERE id = ?1", [id])?;
                }
                Ok(emptied)
            },
        )
    }

    /// How many time entries client `client_id` has.
    pub fn time_count(&self, client_id: i64) -> Result<usize> {
        let n: i64 = self
            .conn
            .prepare_cached(TIME_COUNT)?
            .query_row([client_id], |r| r.get(0))?;
        Ok(n.max(0) as usize)
    }

    /// Every time entry of client `client_id`, newest first.
    pub fn time_of_client(&self, client_id: i64) -> Result<Vec<TimeEntry>> {
        let mut q = self.conn.prepare_cached(&time_of_client_sql())?;
        let rows = q.query_map([client_id], entry_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Entries, newest first, of a client, a task and/or a month.
    pub fn list_time(
        &self,
        client_id: Option<i64>,
        task_id: Option<i64>,
        month: Option<Month>,
    ) -> Result<Vec<TimeEntry>> {
        let (from, to) = match month {
            Some(m) => month_range(m),
            None => ("0000".to_string(), "9999".to_string()),
        };
        let mut q = self.conn.prepare_cached(&format!(
            "{ENTRY_SELECT} WHERE (?1 IS NULL OR e.client_id = ?1) AND (?2 IS NULL OR e.task_id = ?2)
               AND e.start >= ?3 AND e.start < ?4 ORDER BY e.start DESC, e.id DESC"
        ))?;
        let rows = q.query_map(params![client_id, task_id, from, to], entry_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One client's statement for a month.
    pub fn statement(&self, client_id: i64, month: Month) -> Result<Statement> {
        let client = self.client(client_id)?;
        let billed = self
            .conn
            .prepare_cached(BILLED_TERMS)?
            .query_row(params![client_id, month.key()], Kept::of)
            .optional()?
            .map(|(_, k)| k.on_client(&client));
        let (client, terms_billed_on) = match billed {
            Some((c, on)) => (c, Some(on)),
            None => (client, None),
        };
        let (from, to) = month_range(month);
        let entries: Vec<TimeEntry> = {
            let mut q = self.conn.prepare_cached(CLIENT_MONTH)?;
            let rows = q.query_map(params![client_id, from, to], entry_row)?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let prep: i64 = self.conn.query_row(
            "SELECT coalesce(sum(prep_min), 0) FROM quotes WHERE client_id = ?1 AND sent_on >= ?2 AND sent_on < ?3",
            params![client_id, from, to],
            |r| r.get(0),
        )?;
        let increment = self.money.increment_of(&client);
        let worked: Vec<money::Worked> = entries
            .iter()
            .map(|e| money::Worked {
                minutes: e.minutes.unwrap_or(0),
                billable: e.billable,
                invoiced: e.invoiced(),
            })
            .collect();
        let mut sums = money::worked_sums(&worked, increment, prep.max(0) as u64);
        // A month billed has its fee invoiced, even one billed for its retainer's fee alone.
        sums.any_invoiced |= terms_billed_on.is_some();
        let currency = self.money.currency_of(&client);
        let totals = money::totals(&sums, &client.terms_in(month).in_currency(currency));
        Ok(Statement {
            currency,
            client,
            month,
            increment,
            entries,
            totals,
            terms_billed_on,
        })
    }

    /// Marks the month's billable entries not yet billed as billed `today`; returns how many.
    /// The month's first billing keeps the client's terms then: the month is invoiced under
    /// them whatever changes after. A month with nothing left to invoice is not billed; one
    /// with a retainer's fee alone is (0 entries).
    pub fn mark_billed(&mut self, client_id: i64, month: Month, today: NaiveDate) -> Result<usize> {
        Ok(self.bill_month(client_id, month, today)?.0)
    }

    /// As [`Store::mark_billed`], and entries billed before and corrected since (`--force`)
    /// are invoiced as they are now (the difference was invoiced, or owed back settled):
    /// (entries newly billed, corrections invoiced).
    pub fn bill_month(&mut self, client_id: i64, month: Month, today: NaiveDate) -> Result<(usize, usize)> {
        let c = self.client(client_id)?;
        if self.statement(client_id, month)?.totals.amount_cents == 0 && !self.has_unbilled(client_id, month)? {
            return Ok((0, 0));
        }
        let (from, to) = month_range(month);
        let currency = self.money.currency_or_default(None).code().to_string();
        let increment = self.money.increment_min.max(1);
        self.write(
            |l| tf(l, T::UndoMarkBilled, &[&c.name, &month]),
            |tx| {
                let corrected = tx.execute(
                    "UPDATE time_entries SET billed_min = CASE WHEN billable THEN minutes ELSE 0 END
                     WHERE client_id = ?1 AND start >= ?2 AND start < ?3 AND minutes IS NOT NULL
                       AND billed_on IS NOT NULL AND billed_min IS NOT (CASE WHEN billable THEN minutes ELSE 0 END)",
                    params![client_id, from, to],
                )?;
                let n = tx.execute(
                    "UPDATE time_entries SET billed_on = ?1, billed_min = minutes
                     WHERE client_id = ?2 AND start >= ?3 AND start < ?4
                       AND minutes IS NOT NULL AND billable = 1 AND billed_on IS NULL",
                    params![day(today), client_id, from, to],
                )?;
                tx.prepare_cached(FREEZE_TERMS)?.execute(params![
                    client_id,
                    month.key(),
                    currency,
                    increment,
                    day(today)
                ])?;
                Ok((n, corrected))
            },
        )
    }

    /// Whether a client's month holds billable time not yet billed.
    pub fn has_unbilled(&self, client_id: i64, month: Month) -> Result<bool> {
        let (from, to) = month_range(month);
        Ok(self
            .conn
            .prepare_cached(UNBILLED)?
            .query_row(params![client_id, from, to], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Every client's line of a month: those with time, quote preparation or a retainer.
    pub fn month_lines(&self, month: Month) -> Result<Vec<MonthLine>> {
        let sums = month_sums(&self.conn, month, month.next(), self.money.increment_min)?;
        let mut ids: Vec<i64> = sums.keys().map(|(c, _)| *c).collect();
        {
            let mut q = self.conn.prepare_cached(RETAINER_CLIENTS)?;
            let rows = q.query_map([], |r| r.get::<_, i64>(0))?;
            for row in rows {
                ids.push(row?);
            }
        }
        // The clients whose month was billed, each under its first billing's terms; such a
        // month keeps its line (its retainer's fee alone, for a client ended since).
        let mut kept: HashMap<i64, Kept> = HashMap::new();
        {
            let mut q = self.conn.prepare_cached(BILLED_TERMS_OF_MONTH)?;
            for row in q.query_map([month.key()], Kept::of)? {
                let (id, k) = row?;
                kept.entry(id).or_insert(k);
            }
        }
        ids.extend(kept.keys().copied());
        ids.sort_unstable();
        ids.dedup();
        let mut clients = self.clients_by_id(&ids)?;
        let mut billed: HashMap<i64, (Client, NaiveDate)> = kept
            .into_iter()
            .filter_map(|(id, k)| clients.get(&id).map(|c| (id, k.on_client(c))))
            .collect();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(now) = clients.remove(&id) else {
                continue;
            };
            let frozen = billed.remove(&id);
            // Billed at another increment than today's: its sums are not the kept ones.
            if frozen
                .as_ref()
                .is_some_and(|(f, _)| self.money.increment_of(f) != self.money.increment_of(&now))
            {
                let st = self.statement(id, month)?;
                out.push(MonthLine {
                    currency: st.currency,
                    totals: st.totals,
                    client: st.client,
                    terms_billed_on: st.terms_billed_on,
                });
                continue;
            }
            let (client, terms_billed_on) = match frozen {
                Some((c, on)) => (c, Some(on)),
                None => (now, None),
            };
            // A retainer client without time that month has a line only when its fee is owed.
            let Some(mut s) = sums
                .get(&(id, month))
                .copied()
                .or_else(|| client.fee_not_owed(month).is_none().then(Sums::default))
            else {
                continue;
            };
            s.any_invoiced |= terms_billed_on.is_some();
            let currency = self.money.currency_of(&client);
            out.push(MonthLine {
                currency,
                totals: money::totals(&s, &client.terms_in(month).in_currency(currency)),
                client,
                terms_billed_on,
            });
        }
        out.sort_by_key(|l| l.client.name.to_lowercase());
        Ok(out)
    }

    /// The (client, month) sums over `[from, to)` that the kept month sums get wrong, read
    /// again from every entry: empty unless something wrote time around the triggers.
    pub fn month_sums_mismatches(&self, from: Month, to: Month) -> Result<Vec<(i64, Month)>> {
        let kept = month_sums(&self.conn, from, to, self.money.increment_min)?;
        let read = month_sums_from_entries(&self.conn, from, to, self.money.increment_min)?;
        let mut bad: Vec<(i64, Month)> = kept
            .keys()
            .chain(read.keys())
            .filter(|k| kept.get(k) != read.get(k))
            .copied()
            .collect();
        bad.sort_unstable();
        bad.dedup();
        Ok(bad)
    }

    /// The clients whose kept effective rate (`client_rates`, schema step 19) differs from
    /// the rate judged again from every entry, quote and client: empty when they agree, or
    /// when no rate is kept (a write since the last pass that judged them).
    pub fn client_rates_mismatches(&self) -> Result<Vec<i64>> {
        let judged: Option<(String, i64)> = self
            .conn
            .query_row("SELECT month, inc FROM rate_judged", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((month, inc)) = judged else {
            return Ok(Vec::new());
        };
        let today = super::date(month);
        let this = Month::of(today);
        let (a, b) = (day(this.prev().prev().first_day()), day(this.next().first_day()));
        let inc = u32::try_from(inc).unwrap_or(1).max(1);
        let mut sums: HashMap<(i64, Month), Sums> = HashMap::new();
        read_sums(&self.conn, MONTH_SUMS, params![a, b, inc], &mut sums)?;
        if inc != 1 {
            read_sums(&self.conn, MONTH_SUMS_FROM_ENTRIES, params![a, b, inc, 0], &mut sums)?;
        }
        quote_prep_grouped(&self.conn, &a, &b, &mut sums)?;
        let mut ids: Vec<i64> = sums.keys().map(|(c, _)| *c).collect();
        ids.sort_unstable();
        ids.dedup();
        let terms = terms_of(&self.conn, ids.into_iter())?;
        let billed = billed_terms_between(&self.conn, this.prev().prev(), this)?;
        let fresh: HashMap<i64, i64> = effective_rates(today, &sums, &terms, &billed).into_iter().collect();
        let kept: HashMap<i64, i64> = {
            let mut q = self.conn.prepare("SELECT client_id, rate_cents FROM client_rates")?;
            let rows = q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut bad: Vec<i64> = fresh
            .keys()
            .chain(kept.keys())
            .filter(|k| fresh.get(k) != kept.get(k))
            .copied()
            .collect();
        bad.sort_unstable();
        bad.dedup();
        Ok(bad)
    }

    /// Judges every client's effective rate as the tick's underpaying rule does on `today`,
    /// and keeps the rates (raising nothing): what `client_rates_mismatches` then checks.
    pub fn judge_client_rates(&self, today: NaiveDate) -> Result<()> {
        let increment = self.money.increment_min;
        let tx = self.conn.unchecked_transaction()?;
        money_flags(&tx, today, Some(0), increment, false)?;
        tx.commit()?;
        Ok(())
    }

    /// Billable minutes each client worked in `month` (for the client JSON).
    pub fn month_minutes(&self, month: Month) -> Result<HashMap<i64, u64>> {
        let sums = month_sums(&self.conn, month, month.next(), self.money.increment_min)?;
        Ok(sums.into_iter().map(|((c, _), s)| (c, s.billable_minutes)).collect())
    }
}

impl Store {
    /// Review rows of time and money: a timer left running since an earlier day, and
    /// retainer months at 90% or more of their hours before the month ends.
    pub(super) fn money_rows(&self, today: NaiveDate, items: &mut Vec<crate::domain::ReviewItem>) -> Result<()> {
        use crate::domain::{ReviewItem, ReviewKind};
        if let Some(r) = self.running_timer()? {
            let started = r.start_at().date();
            if started < today {
                let title = r.task_title.clone().unwrap_or_else(|| r.client.clone());
                let mut it = ReviewItem::new(ReviewKind::TimerRunning, r.client_id, r.client.clone(), r.id, title);
                it.date = Some(started);
                it.days_late = (today - started).num_days();
                items.push(it);
            }
        }
        let this = Month::of(today);
        // Each retainer client with the minutes its month counts against the retainer, in one
        // read: billable entries each rounded up to the client's increment, as the overage is
        // charged (the kept row is rounded with the client's own increment; a client without
        // one, under a default other than 1, is read from its month's entries).
        let mut q = self.conn.prepare_cached(RETAINER_USE)?;
        let (month, next) = (day(this.first_day()), day(this.next().first_day()));
        let inc = i64::from(self.money.increment_min.max(1));
        let rows = q.query_map(params![month, inc, next], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        for row in rows {
            let (id, name, included, used) = row?;
            let (Ok(included), Ok(used)) = (u64::try_from(included), u64::try_from(used)) else {
                continue;
            };
            if money::retainer_near(used, included) {
                let title = format!(
                    "{} / {} ({}%)",
                    money::hours_text(used),
                    money::hours_text(included),
                    used * 100 / included.max(1)
                );
                // All of it used (or more) is not "nearly" used up.
                let kind = if used >= included {
                    ReviewKind::RetainerUsedUp
                } else {
                    ReviewKind::RetainerNear
                };
                let mut it = ReviewItem::new(kind, id, name.clone(), id, title);
                it.date = Some(this.next().first_day() - Duration::days(1));
                items.push(it);
            }
        }
        Ok(())
    }
}

/// Minutes of a timer stopped as asked.
fn stopped_minutes(r: &TimeEntry, how: StopAt, now: NaiveDateTime) -> Result<u32> {
    let start = r.start_at();
    let end = match how {
        StopAt::Now if start.date() < now.date() => {
            return Err(Error::invalid_with(
                T::ErrTimerOldDay,
                vec![Arg::when(&r.start, now.date())],
            ));
        }
        // Started later than now: the clock went back (a change of time, an import, another
        // machine's clock ahead). Stopping it would log nothing and lose it with its note; a
        // skew of a minute or two is a stop within the first minute.
        StopAt::Now | StopAt::Keep if start - now > chrono::Duration::minutes(2) => {
            return Err(Error::invalid_with(
                T::ErrTimerAheadOfNow,
                vec![
                    Arg::when(&r.start, now.date()),
                    Arg::at(now, now.date()),
                    Arg::text(r.id),
                ],
            ));
        }
        StopAt::Now | StopAt::Keep => now,
        StopAt::At(at) => {
            if at < start || at > now {
                return Err(Error::invalid_with(
                    T::ErrTimerBadEnd,
                    vec![Arg::at(at, now.date()), Arg::when(&r.start, now.date())],
                ));
            }
            at
        }
    };
    let m = crate::domain::dates::minutes_between(start, end).max(0);
    if m > money::MAX_ENTRY_MINUTES as i64 {
        return Err(Error::invalid(T::ErrTimerTooLong, &[&money::hours_text(m as u64)]));
    }
    Ok(m as u32)
}

/// Sums per (client, month) over `[from, to)`, quote preparation included.
pub(super) fn month_sums(
    conn: &rusqlite::Connection,
    from: Month,
    to: Month,
    default_increment: u32,
) -> Result<HashMap<(i64, Month), Sums>> {
    let (a, b) = (day(from.first_day()), day(to.first_day()));
    let inc = default_increment.max(1);
    let mut out: HashMap<(i64, Month), Sums> = HashMap::new();
    read_sums(conn, MONTH_SUMS, params![a, b, inc], &mut out)?;
    if inc != 1 {
        read_sums(conn, MONTH_SUMS_FROM_ENTRIES, params![a, b, inc, 0], &mut out)?;
    }
    kept_prep(conn, &a, &b, &mut out)?;
    Ok(out)
}

/// The same sums read from every entry, never from the kept sums (to check them).
pub(super) fn month_sums_from_entries(
    conn: &rusqlite::Connection,
    from: Month,
    to: Month,
    default_increment: u32,
) -> Result<HashMap<(i64, Month), Sums>> {
    let (a, b) = (day(from.first_day()), day(to.first_day()));
    let mut out: HashMap<(i64, Month), Sums> = HashMap::new();
    read_sums(
        conn,
        MONTH_SUMS_FROM_ENTRIES,
        params![a, b, default_increment.max(1), 1],
        &mut out,
    )?;
    quote_prep(conn, &a, &b, &mut out)?;
    Ok(out)
}

fn read_sums<S: BuildHasher>(
    conn: &rusqlite::Connection,
    sql: &str,
    p: impl rusqlite::Params,
    out: &mut HashMap<(i64, Month), Sums, S>,
) -> Result<()> {
    let mut q = conn.prepare_cached(sql)?;
    let rows = q.query_map(p, |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            [
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, i64>(6)?,
            ],
        ))
    })?;
    for row in rows {
        let (client, m, v) = row?;
        let Ok(m) = Month::parse(&m) else { continue };
        set_minutes(out.entry((client, m)).or_default(), v);
    }
    Ok(())
}

/// Months read from rows that come in runs of the same month: each run's text is parsed (and
/// copied) once.
#[derive(Default)]
struct MonthRuns(Option<(String, Option<Month>)>);

impl MonthRuns {
    /// The month `key` (`YYYY-MM`) names, if it names one.
    fn month(&mut self, key: &str) -> Option<Month> {
        match &self.0 {
            Some((k, m)) if k == key => *m,
            _ => {
                let m = Month::parse(key).ok();
                self.0 = Some((key.to_string(), m));
                m
            }
        }
    }
}

/// A month's minutes as its sums row holds them: billable, billed (rounded), unbilled,
/// invoiced, and how many invoiced entries.
fn set_minutes(s: &mut Sums, v: [i64; 5]) {
    s.billable_minutes = v[0].max(0) as u64;
    s.billed_minutes = v[1].max(0) as u64;
    s.unbilled_minutes = v[2].max(0) as u64;
    s.invoiced_minutes = v[3].max(0) as u64;
    s.any_invoiced = v[4] > 0;
}

fn quote_prep(conn: &rusqlite::Connection, a: &str, b: &str, out: &mut HashMap<(i64, Month), Sums>) -> Result<()> {
    let mut q = conn.prepare_cached(QUOTE_PREP)?;
    let mut rows = q.query(params![a, b])?;
    // Per client and month: a sending day's month is read once per run of equal months.
    let mut prep: HashMap<(i64, Month), i64> = HashMap::with_capacity(out.len());
    let mut months = MonthRuns::default();
    while let Some(r) = rows.next()? {
        let client: i64 = r.get(0)?;
        let sent = super::text_at(r, 1)?;
        let minutes: i64 = r.get(2)?;
        // The first seven characters (`YYYY-MM`).
        let key = &sent[..sent.char_indices().nth(7).map_or(sent.len(), |(i, _)| i)];
        let Some(m) = months.month(key) else { continue };
        *prep.entry((client, m)).or_default() += minutes;
    }
    for (k, minutes) in prep {
        out.entry(k).or_default().quote_prep_minutes = minutes.max(0) as u64;
    }
    Ok(())
}

/// `quote_prep` from the kept sums of quote preparation (`KEPT_PREP`): the same minutes per
/// client and month, one row each.
fn kept_prep<S: BuildHasher>(
    conn: &rusqlite::Connection,
    a: &str,
    b: &str,
    out: &mut HashMap<(i64, Month), Sums, S>,
) -> Result<()> {
    let mut q = conn.prepare_cached(KEPT_PREP)?;
    let mut rows = q.query(params![a, b])?;
    let mut months = MonthRuns::default();
    while let Some(r) = rows.next()? {
        let client: i64 = r.get(0)?;
        let Some(m) = months.month(super::text_at(r, 1)?) else {
            continue;
        };
        let minutes: i64 = r.get(2)?;
        out.entry((client, m)).or_default().quote_prep_minutes = minutes.max(0) as u64;
    }
    Ok(())
}

fn quote_prep_grouped(
    conn: &rusqlite::Connection,
    a: &str,
    b: &str,
    out: &mut HashMap<(i64, Month), Sums>,
) -> Result<()> {
    let mut q = conn.prepare_cached(QUOTE_PREP_GROUPED)?;
    let rows = q.query_map(params![a, b], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?))
    })?;
    for row in rows {
        let (client, m, prep) = row?;
        let Ok(m) = Month::parse(&m) else { continue };
        out.entry((client, m)).or_default().quote_prep_minutes = prep.max(0) as u64;
    }
    Ok(())
}

/// What the money rules need of a client.
struct Terms {
    terms: money::Terms,
    retainer_min: Option<u32>,
}

impl Terms {
    /// From a client's hourly rate, retainer minutes and fee, and overage rate.
    fn new(rate: Option<i64>, retainer: Option<u32>, fee: Option<i64>, overage: Option<i64>) -> Terms {
        Terms {
            terms: money::Terms {
                rate_cents: rate,
                retainer: retainer.zip(fee),
                overage_cents: overage,
                // Rates are judged in cents, whatever the currency's unit.
                unit_cents: 0,
            },
            retainer_min: retainer,
        }
    }
}

/// name, rate, retainer minutes, fee, overage rate, status.
type TermsRow = (String, Option<i64>, Option<u32>, Option<i64>, Option<i64>, String);

fn terms_of(tx: &rusqlite::Connection, ids: impl Iterator<Item = i64>) -> Result<HashMap<i64, Terms>> {
    let mut q = tx.prepare_cached(
        "SELECT name, rate_cents, retainer_min, fee_cents, overage_cents, status FROM clients WHERE id = ?1",
    )?;
    let mut out = HashMap::new();
    for id in ids {
        let row: Option<TermsRow> = q
            .query_row([id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
            })
            .optional()?;
        let Some((_name, rate, retainer, fee, overage, status)) = row else {
            continue;
        };
        if !matches!(status.as_str(), "active" | "paused") {
            continue;
        }
        out.insert(id, Terms::new(rate, retainer, fee, overage));
    }
    Ok(out)
}

/// Every client: its increment, and its terms when active or paused.
pub(super) const CLIENT_TERMS: &str =
    "SELECT id, name, rate_cents, retainer_min, fee_cents, overage_cents, status, increment_min FROM clients";

/// `CLIENT_TERMS` of the clients with retainer hours alone: without a minimum rate, scope creep
/// is the only money rule, and it judges nobody else.
pub(super) const RETAINER_TERMS: &str =
    "SELECT id, name, rate_cents, retainer_min, fee_cents, overage_cents, status, increment_min
     FROM clients INDEXED BY clients_retainer WHERE retainer_min IS NOT NULL";

/// The kept sums of some months, every increment (`kept_sums` keeps each client's own).
pub(super) const KEPT_SUMS: &str = "SELECT client_id, month, inc, billable_min, rounded_min, unbilled_min,
        invoiced_min, invoiced_n
     FROM time_sums INDEXED BY time_sums_month
     WHERE month >= substr(?1, 1, 7) AND month < substr(?2, 1, 7)";

/// `KEPT_SUMS` of the clients with retainer hours alone (`RETAINER_TERMS`).
pub(super) const RETAINER_SUMS: &str = "SELECT client_id, month, inc, billable_min, rounded_min, unbilled_min,
        invoiced_min, invoiced_n
     FROM time_sums INDEXED BY time_sums_month
     WHERE month >= substr(?1, 1, 7) AND month < substr(?2, 1, 7)
       AND client_id IN (SELECT id FROM clients INDEXED BY clients_retainer WHERE retainer_min IS NOT NULL)";

/// `terms_of` for every client at once (or those with retainer hours, `retainers`), with each
/// client's increment (`default` when unset).
type TermsById = HashMap<i64, Terms, ById>;

fn all_terms(tx: &Transaction, default: u32, retainers: bool) -> Result<(TermsById, HashMap<i64, i64, ById>)> {
    let mut q = tx.prepare_cached(if retainers { RETAINER_TERMS } else { CLIENT_TERMS })?;
    let mut rows = q.query([])?;
    let (mut terms, mut incs) = (TermsById::default(), HashMap::default());
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let increment: Option<i64> = r.get(7)?;
        incs.insert(id, increment.unwrap_or(i64::from(default)).max(1));
        let status = r.get_ref(6)?.as_str().unwrap_or("");
        if !matches!(status, "active" | "paused") {
            continue;
        }
        let (rate, retainer, fee, overage): (Option<i64>, Option<u32>, Option<i64>, Option<i64>) =
            (r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?);
        terms.insert(id, Terms::new(rate, retainer, fee, overage));
    }
    Ok((terms, incs))
}

/// `MONTH_SUMS` without its join: the rows of the clients in `incs` (read for the clients with
/// retainer hours alone, `retainers`, when those are all of them), at each one's increment.
fn kept_sums(
    tx: &Transaction,
    retainers: bool,
    a: &str,
    b: &str,
    incs: &HashMap<i64, i64, ById>,
    out: &mut HashMap<(i64, Month), Sums, ById>,
) -> Result<()> {
    let mut q = tx.prepare_cached(if retainers { RETAINER_SUMS } else { KEPT_SUMS })?;
    let mut rows = q.query(params![a, b])?;
    let mut months = MonthRuns::default();
    while let Some(r) = rows.next()? {
        let client: i64 = r.get(0)?;
        let Some(want) = incs.get(&client) else {
            continue;
        };
        if r.get::<_, i64>(2)? != *want {
            continue;
        }
        let Some(m) = months.month(super::text_at(r, 1)?) else {
            continue;
        };
        let v: [i64; 5] = [r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?];
        set_minutes(out.entry((client, m)).or_default(), v);
    }
    Ok(())
}

/// A flag the money rules want raised: client, kind, date, source reference, note.
pub(super) type MoneyFlag = (i64, FlagKind, NaiveDate, String, String);

/// The money rules of the detection pass: `scope_creep`, and `underpaying` when a minimum rate
/// is set, from one read of the months they judge (last month, or the last three) and one
/// read of their clients' terms.
pub(super) fn money_flags(
    tx: &Transaction,
    today: NaiveDate,
    min_rate_cents: Option<i64>,
    default_increment: u32,
    scratch: bool,
) -> Result<Vec<MoneyFlag>> {
    let this = Month::of(today);
    let last = this.prev();
    let (from, to) = match min_rate_cents {
        Some(_) => (this.prev().prev(), this.next()),
        None => (last, this),
    };
    if scratch {
        let (a, b) = (day(from.first_day()), day(to.first_day()));
        let mut sums: HashMap<(i64, Month), Sums> = HashMap::new();
        let inc = default_increment.max(1);
        read_sums(tx, MONTH_SUMS, params![a, b, inc], &mut sums)?;
        if inc != 1 {
            read_sums(tx, MONTH_SUMS_FROM_ENTRIES, params![a, b, inc, 0], &mut sums)?;
        }
        quote_prep_grouped(tx, &a, &b, &mut sums)?;
        let mut ids: Vec<i64> = sums.keys().map(|(c, _)| *c).collect();
        ids.sort_unstable();
        ids.dedup();
        let terms = terms_of(tx, ids.into_iter())?;
        let billed = match min_rate_cents {
            Some(_) => billed_terms_between(tx, from, this)?,
            None => HashMap::default(),
        };
        return Ok(judge(today, min_rate_cents, &sums, &terms, &billed));
    }
    // With a minimum rate, the effective rates of the last pass that judged every client,
    // when nothing they were judged from was written since (`rate_judged`, schema step 19):
    // scope creep alone reads sums, as without a minimum rate.
    let inc = i64::from(default_increment.max(1));
    let judged_in = day(this.first_day());
    if let Some(min) = min_rate_cents {
        let current: bool = tx
            .prepare_cached(RATE_JUDGED)?
            .query_row(params![judged_in, inc], |r| r.get(0))?;
        if current {
            let mut out = money_flags(tx, today, None, default_increment, false)?;
            let mut q = tx.prepare_cached(RATES_UNDER)?;
            let suffix = crate::domain::rules::month_suffix(today);
            let rows = q.query_map(params![min, suffix], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
            for row in rows {
                let (id, rate) = row?;
                out.push(underpaying_flag(today, min, id, rate));
            }
            return Ok(out);
        }
    }
    // One read of the clients' terms and increment (clients are few; without a minimum
    // rate, only those with retainer hours: scope creep judges nobody else), then the kept
    // sums from their covering index, each kept at its client's increment: no lookup of
    // a client per row.
    let (terms, incs) = all_terms(tx, default_increment.max(1), min_rate_cents.is_none())?;
    let (a, b) = (day(from.first_day()), day(to.first_day()));
    // Sized once: growing it row by row rehashed it a dozen times (up to three months of
    // every client).
    let mut sums: HashMap<(i64, Month), Sums, ById> =
        HashMap::with_capacity_and_hasher(incs.len() * 3, ById::default());
    kept_sums(tx, min_rate_cents.is_none(), &a, &b, &incs, &mut sums)?;
    if default_increment.max(1) != 1 {
        read_sums(
            tx,
            MONTH_SUMS_FROM_ENTRIES,
            params![a, b, default_increment.max(1), 0],
            &mut sums,
        )?;
    }
    // Quote preparation counts only in the effective rate: scope creep judges billable
    // minutes alone. Read from its kept sums: a row per client and month, not every quote.
    let Some(min) = min_rate_cents else {
        return Ok(judge(today, None, &sums, &terms, &HashMap::default()));
    };
    kept_prep(tx, &a, &b, &mut sums)?;
    let mut out = scope_creep(today, &sums, &terms);
    let billed = billed_terms_between(tx, from, this)?;
    let rates = effective_rates(today, &sums, &terms, &billed);
    keep_rates(tx, &judged_in, inc, &rates)?;
    out.extend(
        rates
            .into_iter()
            .filter(|(_, rate)| *rate < min)
            .map(|(id, rate)| underpaying_flag(today, min, id, rate)),
    );
    Ok(out)
}

/// Keeps the effective rates a pass judged, for the passes after it of the same month and
/// default increment, until a write they depend on.
fn keep_rates(tx: &Transaction, judged_in: &str, inc: i64, rates: &[(i64, i64)]) -> Result<()> {
    for forget in RATE_FORGET {
        tx.prepare_cached(forget)?.execute([])?;
    }
    let mut keep = tx.prepare_cached(RATE_KEEP)?;
    for (id, rate) in rates {
        keep.execute(params![id, rate])?;
    }
    tx.prepare_cached(RATE_JUDGED_KEEP)?.execute(params![judged_in, inc])?;
    Ok(())
}

/// Whether the kept effective rates are those of this month (`?1`, its first day) and default
/// increment (`?2`) with nothing written since that they depend on (the triggers of schema
/// step 19 delete the row on any such write).
pub(super) const RATE_JUDGED: &str = "SELECT count(*) > 0 FROM rate_judged WHERE month = ?1 AND inc = ?2";

/// The kept rates under the minimum (`?1`), by client (the order in which the pass that
/// judged them raised their flags), of the clients whose flag of this month (`?2`: the
/// reference's end, `:2026-11`) is not there: the pass skips a flag already raised for the same
/// source, so the clients that have it (most of them, after the month's first pass) are left
/// out inside SQLite rather than each made a candidate and looked up again.
pub(super) const RATES_UNDER: &str = "SELECT client_id, rate_cents FROM client_rates
     WHERE rate_cents < ?1
       AND NOT EXISTS (SELECT 1 FROM flags f WHERE f.source_ref = 'rate:' || client_rates.client_id || ?2)
     ORDER BY client_id";

/// Forgets the kept rates before a pass keeps its own.
const RATE_FORGET: [&str; 2] = ["DELETE FROM client_rates", "DELETE FROM rate_judged"];

const RATE_KEEP: &str = "INSERT INTO client_rates(client_id, rate_cents) VALUES (?1, ?2)";

const RATE_JUDGED_KEEP: &str = "INSERT INTO rate_judged(month, inc) VALUES (?1, ?2)";

/// The money rules on the sums and terms read.
fn judge<S: BuildHasher, T: BuildHasher>(
    today: NaiveDate,
    min_rate_cents: Option<i64>,
    sums: &HashMap<(i64, Month), Sums, S>,
    terms: &HashMap<i64, Terms, T>,
    billed: &HashMap<(i64, Month), money::Terms, ById>,
) -> Vec<MoneyFlag> {
    let mut out = scope_creep(today, sums, terms);
    if let Some(min) = min_rate_cents {
        out.extend(underpaying(today, min, sums, terms, billed));
    }
    out
}

/// The hasher of the tick's maps by client (and month): client ids and months are small
/// integers chosen by the store, not by anyone who could make them collide, so one multiply
/// per word (as rustc's own maps do) instead of SipHash's rounds, which cost a tenth of the
/// money rules at a thousand clients.
#[derive(Default, Clone, Copy)]
pub(super) struct IdHasher(u64);

const ID_HASH_K: u64 = 0xf135_7aea_2e62_a9c5;

impl IdHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(26) ^ word).wrapping_mul(ID_HASH_K);
    }
}

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(w));
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_i32(&mut self, n: i32) {
        self.add(n as u32 as u64);
    }

    fn write_i64(&mut self, n: i64) {
        self.add(n as u64);
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }
}

pub(super) type ById = BuildHasherDefault<IdHasher>;

/// `underpaying`: the effective rate over the last three calendar months (this one included:
/// their amounts added, divided by all their hours) is below `min_rate_cents`. Only clients
/// with tracked time and known terms (a rate or a retainer) are judged. `sums` holds at least
/// those three months.
fn underpaying<S: BuildHasher, T: BuildHasher>(
    today: NaiveDate,
    min_rate_cents: i64,
    sums: &HashMap<(i64, Month), Sums, S>,
    terms: &HashMap<i64, Terms, T>,
    billed: &HashMap<(i64, Month), money::Terms, ById>,
) -> Vec<MoneyFlag> {
    effective_rates(today, sums, terms, billed)
        .into_iter()
        .filter(|(_, rate)| *rate < min_rate_cents)
        .map(|(id, rate)| underpaying_flag(today, min_rate_cents, id, rate))
        .collect()
}

/// The flag of a client whose effective rate (`rate`) is under the minimum.
fn underpaying_flag(today: NaiveDate, min_rate_cents: i64, id: i64, rate: i64) -> MoneyFlag {
    (
        id,
        FlagKind::Underpaying,
        today,
        crate::domain::rules::month_ref("rate", id, today),
        format!("{}/h < {}/h", plain_cents(rate), plain_cents(min_rate_cents)),
    )
}

/// The clients `underpaying` judges, by id, with their effective rate.
fn effective_rates<S: BuildHasher, T: BuildHasher>(
    today: NaiveDate,
    sums: &HashMap<(i64, Month), Sums, S>,
    terms: &HashMap<i64, Terms, T>,
    billed: &HashMap<(i64, Month), money::Terms, ById>,
) -> Vec<(i64, i64)> {
    let this = Month::of(today);
    let from = this.prev().prev();
    // Only clients that tracked time in the window: quote preparation alone is not tracked time.
    let tracked: Vec<i64> = {
        let mut v: Vec<i64> = sums
            .iter()
            .filter(|((_, m), s)| *m >= from && *m <= this && s.billable_minutes + s.unbilled_minutes > 0)
            .map(|((c, _), _)| *c)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let mut out = Vec::new();
    for id in tracked {
        let Some(t) = terms.get(&id) else { continue };
        if t.terms.rate_cents.is_none() && t.terms.retainer.is_none() {
            continue;
        }
        let (mut earned, mut minutes) = (0i64, 0u64);
        let mut m = from;
        while m <= this {
            // A retainer's fee counts for every month of the window it was held.
            if let Some(s) = sums.get(&(id, m)) {
                // A billed month under the terms it was billed under.
                let tot = money::totals(s, billed.get(&(id, m)).unwrap_or(&t.terms));
                earned += tot.earned_cents;
                minutes += s.billable_minutes + s.unbilled_minutes + s.quote_prep_minutes;
            }
            m = m.next();
        }
        let Some(rate) = money::per_hour(earned, minutes) else {
            continue;
        };
        out.push((id, rate));
    }
    out
}

/// `scope_creep`: last month, now closed, went more than 10% over a retainer's hours. `sums`
/// holds at least last month.
fn scope_creep<S: BuildHasher, T: BuildHasher>(
    today: NaiveDate,
    sums: &HashMap<(i64, Month), Sums, S>,
    terms: &HashMap<i64, Terms, T>,
) -> Vec<MoneyFlag> {
    let last = Month::of(today).prev();
    let closed_on = Month::of(today).first_day() - Duration::days(1);
    let mut out = Vec::new();
    for ((id, m), s) in sums.iter().filter(|((_, m), _)| *m == last) {
        let Some(t) = terms.get(id) else { continue };
        let Some(included) = t.retainer_min.filter(|_| t.terms.retainer.is_some()) else {
            continue;
        };
        if money::scope_creep(s.billable_minutes, included as u64) {
            out.push((
                *id,
                FlagKind::ScopeCreep,
                closed_on,
                format!("scope:{id}:{m}"),
                format!(
                    "{} / {} ({})",
                    money::hours_text(s.billable_minutes),
                    money::hours_text(included as u64),
                    m.key()
                ),
            ));
        }
    }
    out.sort_by_key(|f| f.0);
    out
}

#[cfg(test)]
mod kept_prep_tests {
    use rusqlite::Connection;

    use super::super::schema;

    /// Quote preparation of a client's month: month, client, quotes, minutes.
    type Prep = (String, i64, i64, i64);

    /// The kept sums of quote preparation, and the same counted again from the quotes.
    fn kept_and_counted(c: &Connection) -> (Vec<Prep>, Vec<Prep>) {
        let read = |sql: &str| {
            let mut q = c.prepare(sql).unwrap();
            let rows = q
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .unwrap();
            rows.collect::<rusqlite::Result<Vec<_>>>().unwrap()
        };
        (
            read("SELECT month, client_id, quotes, prep_min FROM quote_prep_sums ORDER BY 1, 2"),
            read(
                "SELECT substr(sent_on, 1, 7), client_id, count(*), sum(prep_min) FROM quotes
                 GROUP BY 1, 2 ORDER BY 1, 2",
            ),
        )
    }

    /// A store from before the step that keeps quote preparation, with quotes of several
    /// clients and months (some of no preparation), migrated: the step counts the quotes
    /// already there, and its triggers keep the count from then on.
    #[test]
    fn the_step_counts_the_quotes_already_there() {
        let step = schema::MIGRATIONS
            .iter()
            .position(|s| s.contains("CREATE TABLE quote_prep_sums"))
            .unwrap() as i32;
        let mut c = Connection::open_in_memory().unwrap();
        crate::store::register_review_functions(&c).unwrap();
        schema::migrate_until(&mut c, step).unwrap();
        c.execute_batch(
            "INSERT INTO clients(name, name_key, created_on) VALUES ('Sol', 'sol', '2026-01-01'), ('Norte', 'norte', '2026-01-01');
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40)
             INSERT INTO quotes(client_id, prep_min, sent_on, answer_by)
                 SELECT 1 + i % 2, CASE WHEN i % 5 = 2 THEN 0 ELSE 15 + i END, '2026-0' || (1 + i % 5) || '-1' || (i % 10), '2026-07-01' FROM n;",
        )
        .unwrap();
        let before: i64 = c.query_row("SELECT count(*) FROM quotes", [], |r| r.get(0)).unwrap();
        assert_eq!(before, 40);
        schema::migrate(&mut c, step, "test").unwrap();
        // From here on the triggers are the connection's, as every store's (step 25).
        schema::install_connection_triggers(&c).unwrap();
        let (kept, counted) = kept_and_counted(&c);
        assert_eq!(kept, counted);
        assert_eq!(kept.len(), 10, "{kept:?}");
        assert!(
            kept.iter().any(|r| r.3 == 0),
            "a month of quotes of no preparation keeps its row"
        );
        c.execute_batch(
            "UPDATE quotes SET sent_on = '2026-08-01' WHERE id % 3 = 0;
             DELETE FROM quotes WHERE id % 7 = 0;",
        )
        .unwrap();
        let (kept, counted) = kept_and_counted(&c);
        assert_eq!(kept, counted);
    }
}

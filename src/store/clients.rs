//! Clients and their channels, with the scores and counts the lists show.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, Weekday};
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};

use super::{date, day, Store};
use crate::domain::money;
use crate::domain::red_flag::{assess, Assessment};
use crate::domain::{dates, text, Channel, ChannelKind, Client, ClientStatus, Flag, FlagKind, ScoreRules, Verdict};
use crate::error::{Arg, Error, Msg, Result};
use crate::i18n::{tf, Lang, T};

/// What a form or command sets on a client; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClientFields {
    pub name: Option<String>,
    pub status: Option<ClientStatus>,
    pub channels: Option<Vec<Channel>>,
    pub tool: Option<String>,
    /// Hourly rate in cents.
    pub rate: Option<Option<i64>>,
    /// ISO 4217 code.
    pub currency: Option<Option<String>>,
    pub increment_min: Option<Option<u32>>,
    /// Minutes included per month; a retainer needs a fee.
    pub retainer_min: Option<Option<u32>>,
    pub fee_cents: Option<Option<i64>>,
    pub overage_cents: Option<Option<i64>>,
    pub review_day: Option<Option<Weekday>>,
    pub notes: Option<String>,
}

/// A client as the lists show it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientSummary {
    pub client: Client,
    pub score: f64,
    pub verdict: Verdict,
    pub open_tasks: u32,
    pub waiting_tasks: u32,
}

impl ClientSummary {
    /// A client with its assessment's score and verdict, and its open and waiting tasks.
    fn assessed(client: Client, a: &Assessment, open_tasks: u32, waiting_tasks: u32) -> ClientSummary {
        ClientSummary {
            client,
            score: a.score,
            verdict: a.verdict,
            open_tasks,
            waiting_tasks,
        }
    }
}

const CLIENT_COLS: &str = "id, name, status, tool, rate_cents, review_day, notes, created_on, uuid, \
     currency, increment_min, retainer_min, fee_cents, overage_cents";

/// Clients with ids in `?1..=?2` (the columns of `CLIENT_COLS`), and their channels.
pub(super) const CLIENTS_BETWEEN: &str =
    "SELECT id, name, status, tool, rate_cents, review_day, notes, created_on, uuid, \
     currency, increment_min, retainer_min, fee_cents, overage_cents FROM clients WHERE id BETWEEN ?1 AND ?2";
pub(super) const CHANNELS_BETWEEN: &str =
    "SELECT client_id, kind, handle FROM channels WHERE client_id BETWEEN ?1 AND ?2 ORDER BY id";

fn client_row(r: &Row) -> rusqlite::Result<Client> {
    Ok(Client {
        id: r.get(0)?,
        uuid: r.get(8)?,
        name: r.get(1)?,
        status: ClientStatus::from_key(&r.get::<_, String>(2)?).unwrap_or(ClientStatus::Active),
        channels: Vec::new(),
        tool: r.get(3)?,
        rate_cents: r.get(4)?,
        currency: r.get(9)?,
        increment_min: r.get(10)?,
        retainer_min: r.get(11)?,
        fee_cents: r.get(12)?,
        overage_cents: r.get(13)?,
        review_day: r.get::<_, Option<String>>(5)?.and_then(|s| dates::parse_weekday(&s)),
        notes: r.get(6)?,
        created_on: date(r.get(7)?),
    })
}

fn name_key(name: &str) -> String {
    name.to_lowercase()
}

/// A client's name cleaned and checked, wherever it comes from (the command line, the desk,
/// an import): one line, not empty, not too long, and not digits alone (it would read as an id).
pub(crate) fn client_name(n: &str) -> Result<String> {
    let n = text::name(n, T::FieldName)?;
    if n.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::invalid(T::ErrDigitsName, &[&n]));
    }
    Ok(n)
}

impl ClientFields {
    /// Cleans and checks every field that is set.
    fn validated(mut self) -> Result<ClientFields> {
        if let Some(n) = &self.name {
            self.name = Some(client_name(n)?);
        }
        if let Some(t) = self.tool.take() {
            let t = text::clean_line(&t);
            if t.chars().count() > text::MAX_NAME_CHARS {
                text::name(&t, T::FieldTool)?;
            }
            self.tool = Some(t);
        }
        if let Some(n) = &self.notes {
            self.notes = Some(text::free_text(n, T::FieldNotes)?);
        }
        for c in [self.rate, self.fee_cents, self.overage_cents]
            .into_iter()
            .flatten()
            .flatten()
        {
            if !(0..=money::MAX_CENTS).contains(&c) {
                return Err(Error::invalid(T::ErrBadAmount, &[&format!("{:.2}", c as f64 / 100.0)]));
            }
        }
        if let Some(Some(code)) = &self.currency {
            self.currency = Some(Some(money::parse_currency(code)?.code().to_string()));
        }
        if let Some(Some(i)) = self.increment_min {
            if i == 0 || i > money::MAX_INCREMENT {
                return Err(Error::invalid(T::ErrBadIncrement, &[&i]));
            }
        }
        if let Some(Some(r)) = self.retainer_min {
            if r == 0 || r > money::MAX_RETAINER_MINUTES {
                return Err(Error::invalid(T::ErrBadRetainer, &[&money::hours_text(r as u64)]));
            }
        }
        if let Some(chs) = &mut self.channels {
            for ch in chs.iter_mut() {
                ch.handle = text::clean_line(&ch.handle);
                if ch.handle.chars().count() > text::MAX_NAME_CHARS {
                    text::name(&ch.handle, T::FieldHandle)?;
                }
            }
        }
        Ok(self)
    }
}

/// Every client's kept task counts, counted again from the tasks and their open requests (what
/// the triggers `tally_task_*` keep row by row; a bulk import counts once at its end instead).
pub(super) const TALLY_AGAIN: &str = "
    DELETE FROM client_tally;
    INSERT INTO client_tally(client_id, tasks, todo, delivered, waiting)
        SELECT c.id,
               (SELECT count(*) FROM tasks t WHERE t.client_id = c.id),
               (SELECT count(*) FROM tasks t WHERE t.client_id = c.id AND t.status IN ('todo', 'doing')),
               (SELECT count(*) FROM tasks t WHERE t.client_id = c.id AND t.status = 'delivered'),
               (SELECT count(*) FROM tasks t WHERE t.client_id = c.id AND t.status IN ('todo', 'doing', 'delivered')
                   AND EXISTS (SELECT 1 FROM requests r WHERE r.task_id = t.id AND r.received_on IS NULL))
        FROM clients c;";

impl Store {
    /// Adds a client; the name must be new (case-insensitively).
    pub fn add_client(&mut self, fields: ClientFields, today: NaiveDate) -> Result<i64> {
        let f = fields.validated()?;
        let name = f
            .name
            .clone()
            .ok_or_else(|| text::name("", T::FieldName).unwrap_err())?;
        let default_currency = self.money.currency_or_default(None);
        self.write(
            |l| tf(l, T::UndoAddClient, &[&name]),
            |tx| {
                ensure_unique_name(tx, &name, None)?;
                tx.execute(
                    "INSERT INTO clients(name, name_key, status, tool, rate_cents, review_day, notes, created_on,
                         currency, increment_min, retainer_min, fee_cents, overage_cents)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                    params![
                        name,
                        name_key(&name),
                        f.status.unwrap_or(ClientStatus::Active).key(),
                        f.tool.clone().unwrap_or_default(),
                        f.rate.flatten(),
                        f.review_day.flatten().map(dates::weekday_key),
                        f.notes.clone().unwrap_or_default(),
                        day(today),
                        f.currency.clone().flatten(),
                        f.increment_min.flatten(),
                        f.retainer_min.flatten(),
                        f.fee_cents.flatten(),
                        f.overage_cents.flatten(),
                    ],
                )?;
                let id = tx.last_insert_rowid();
                retainer_has_fee(tx, id)?;
                amounts_fit_currency(tx, id, default_currency)?;
                if let Some(chs) = &f.channels {
                    insert_channels(tx, id, chs)?;
                }
                Ok(id)
            },
        )
    }

    /// Changes the fields that are set.
    pub fn edit_client(&mut self, id: i64, fields: ClientFields) -> Result<()> {
        let f = fields.validated()?;
        self.edit_client_with(id, |_| Ok(Some(f))).map(|_| ())
    }

    /// Changes the fields `decide` sets, given the client as it is inside the writing
    /// transaction (so nothing can change it between the look and the write); `decide`
    /// returning `None` writes nothing. `Ok(false)`: declined. A client deleted meanwhile is
    /// `NotFound`.
    pub fn edit_client_if(&mut self, id: i64, decide: impl FnOnce(&Client) -> Option<ClientFields>) -> Result<bool> {
        self.edit_client_with(id, |c| decide(c).map(ClientFields::validated).transpose())
            .map(|done| done.is_some())
    }

    fn edit_client_with(
        &mut self,
        id: i64,
        decide: impl FnOnce(&Client) -> Result<Option<ClientFields>>,
    ) -> Result<Option<()>> {
        let current = self.client(id)?;
        let default_currency = self.money.currency_or_default(None);
        self.write_if(
            |l| tf(l, T::UndoEditClient, &[&current.name]),
            |tx| {
                let Some(f) = decide(&client_in(tx, id)?)? else {
                    return Ok(None);
                };
                if let Some(n) = &f.name {
                    ensure_unique_name(tx, n, Some(id))?;
                    tx.execute(
                        "UPDATE clients SET name = ?1, name_key = ?2 WHERE id = ?3",
                        params![n, name_key(n), id],
                    )?;
                }
                if let Some(s) = f.status {
                    tx.execute("UPDATE clients SET status = ?1 WHERE id = ?2", params![s.key(), id])?;
                }
                if let Some(t) = &f.tool {
                    tx.execute("UPDATE clients SET tool = ?1 WHERE id = ?2", params![t, id])?;
                }
                if let Some(r) = f.rate {
                    tx.execute("UPDATE clients SET rate_cents = ?1 WHERE id = ?2", params![r, id])?;
                }
                if let Some(c) = &f.currency {
                    tx.execute("UPDATE clients SET currency = ?1 WHERE id = ?2", params![c, id])?;
                }
                if let Some(i) = f.increment_min {
                    tx.execute("UPDATE clients SET increment_min = ?1 WHERE id = ?2", params![i, id])?;
                }
                if let Some(r) = f.retainer_min {
                    tx.execute("UPDATE clients SET retainer_min = ?1 WHERE id = ?2", params![r, id])?;
                    if r.is_none() && f.fee_cents.is_none() {
                        tx.execute("UPDATE clients SET fee_cents = NULL WHERE id = ?1", params![id])?;
                    }
                }
                if let Some(c) = f.fee_cents {
                    tx.execute("UPDATE clients SET fee_cents = ?1 WHERE id = ?2", params![c, id])?;
                }
                if let Some(c) = f.overage_cents {
                    tx.execute("UPDATE clients SET overage_cents = ?1 WHERE id = ?2", params![c, id])?;
                }
                retainer_has_fee(tx, id)?;
                let money_changed =
                    f.rate.is_some() || f.currency.is_some() || f.fee_cents.is_some() || f.overage_cents.is_some();
                if money_changed {
                    amounts_fit_currency(tx, id, default_currency)?;
                }
                if let Some(d) = f.review_day {
                    tx.execute(
                        "UPDATE clients SET review_day = ?1 WHERE id = ?2",
                        params![d.map(dates::weekday_key), id],
                    )?;
                }
                if let Some(n) = &f.notes {
                    tx.execute("UPDATE clients SET notes = ?1 WHERE id = ?2", params![n, id])?;
                }
                if let Some(chs) = &f.channels {
                    tx.execute("DELETE FROM channels WHERE client_id = ?1", [id])?;
                    insert_channels(tx, id, chs)?;
                }
                Ok(Some(()))
            },
        )
    }

    /// A client's time entries, and how many of them are billed: what deleting it takes
    /// with it besides its tasks, quotes, meetings and flags.
    pub fn client_time_counts(&self, id: i64) -> Result<(u64, u64)> {
        time_counts_in(&self.conn, id)
    }

    /// Deletes a client as its deletion was confirmed: only while its time entries (all,
    /// billed) are still `asked`, checked in the deleting transaction. Otherwise nothing
    /// changes, and their counts now are the answer.
    pub fn delete_client_as_asked(&mut self, id: i64, asked: (u64, u64)) -> Result<Option<(u64, u64)>> {
        let c = self.client(id)?;
        let mut now = None;
        let done = self.write_if(
            |l| tf(l, T::UndoDeleteClient, &[&c.name]),
            |tx| {
                let counts = time_counts_in(tx, id)?;
                if counts != asked {
                    now = Some(counts);
                    return Ok(None);
                }
                tx.execute("DELETE FROM clients WHERE id = ?1", [id])?;
                Ok(Some(()))
            },
        )?;
        Ok(if done.is_some() { None } else { now })
    }

    /// Deletes a client with everything that belongs to it.
    pub fn delete_client(&mut self, id: i64) -> Result<()> {
        let c = self.client(id)?;
        self.write(
            |l| tf(l, T::UndoDeleteClient, &[&c.name]),
            |tx| {
                tx.execute("DELETE FROM clients WHERE id = ?1", [id])?;
                Ok(())
            },
        )
    }

    /// The id of the client a command names, when it names one (`--client NAME`).
    pub fn client_id_named(&self, name_or_id: Option<&str>) -> Result<Option<i64>> {
        name_or_id.map(|n| self.find_client(n).map(|c| c.id)).transpose()
    }

    /// A client by name (case-insensitive) or by id.
    pub fn find_client(&self, name_or_id: &str) -> Result<Client> {
        let wanted = text::clean_line(name_or_id);
        let by_name: Option<i64> = self
            .conn
            .query_row("SELECT id FROM clients WHERE name_key = ?1", [name_key(&wanted)], |r| {
                r.get(0)
            })
            .optional()?;
        let id = match by_name {
            Some(id) => Some(id),
            None => match wanted.parse::<i64>() {
                Ok(n) => self
                    .conn
                    .query_row("SELECT id FROM clients WHERE id = ?1", [n], |r| r.get(0))
                    .optional()?,
                Err(_) => None,
            },
        };
        match id {
            Some(id) => self.client(id),
            None => self.client_by_prefix(&wanted),
        }
    }

    /// The one client whose name starts with `prefix` (any case); several are an error that
    /// lists them.
    fn client_by_prefix(&self, prefix: &str) -> Result<Client> {
        let key = name_key(prefix);
        if key.is_empty() {
            return Err(Error::not_found(T::ErrNoClient, &[&prefix]));
        }
        let mut q = self.conn.prepare_cached(
            "SELECT id, name FROM clients WHERE name_key >= ?1 AND name_key < ?1 || char(1114111)
             ORDER BY name_key LIMIT 6",
        )?;
        let mut found: Vec<(i64, String)> = q
            .query_map([&key], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        if found.is_empty() {
            found = self.clients_folded(prefix)?;
        }
        match found.as_slice() {
            [] => Err(Error::not_found(T::ErrNoClient, &[&prefix])),
            [(id, _)] => self.client(*id),
            many => {
                let mut names: Vec<&str> = many.iter().take(5).map(|(_, n)| n.as_str()).collect();
                if many.len() > 5 {
                    names.push("…");
                }
                Err(Error::invalid(T::ErrAmbiguousClient, &[&prefix, &names.join(", ")]))
            }
        }
    }

    /// A name typed without its accents (`clinica` for "Clínica Dental"): the clients whose
    /// name, accents and case folded, is it (that one alone) or starts
    /// with it (at most six, by name). Read only when nothing else matched.
    fn clients_folded(&self, typed: &str) -> Result<Vec<(i64, String)>> {
        // Folded as search folds them: an ñ typed as n too.
        let fold = |s: &str| crate::i18n::fold(s).replace('ñ', "n");
        let want = fold(typed);
        if want.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = self
            .conn
            .prepare_cached("SELECT id, name FROM clients ORDER BY name_key")?;
        let mut rows = q.query([])?;
        let mut starting = Vec::new();
        while let Some(r) = rows.next()? {
            let (id, name): (i64, String) = (r.get(0)?, r.get(1)?);
            let folded = fold(&name);
            if folded == want {
                return Ok(vec![(id, name)]);
            }
            if folded.starts_with(&want) && starting.len() < 6 {
                starting.push((id, name));
            }
        }
        Ok(starting)
    }

    pub fn client(&self, id: i64) -> Result<Client> {
        client_in(&self.conn, id)
    }

    /// The clients of `ids` (sorted), their channels included, in two queries whatever their
    /// number (the Month view and `statement --all` show every client with time).
    pub(super) fn clients_by_id(&self, ids: &[i64]) -> Result<std::collections::HashMap<i64, Client>> {
        let mut out = std::collections::HashMap::with_capacity(ids.len());
        let (Some(&lo), Some(&hi)) = (ids.first(), ids.last()) else {
            return Ok(out);
        };
        let wanted: std::collections::HashSet<i64> = ids.iter().copied().collect();
        {
            let mut q = self.conn.prepare_cached(CLIENTS_BETWEEN)?;
            let rows = q.query_map([lo, hi], client_row)?;
            for row in rows {
                let c = row?;
                if wanted.contains(&c.id) {
                    out.insert(c.id, c);
                }
            }
        }
        let mut q = self.conn.prepare_cached(CHANNELS_BETWEEN)?;
        let rows = q.query_map([lo, hi], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
        })?;
        for row in rows {
            let (id, kind, handle) = row?;
            if let Some(c) = out.get_mut(&id) {
                c.channels.push(Channel {
                    kind: ChannelKind::from_key(&kind).unwrap_or(ChannelKind::Other),
                    handle,
                });
            }
        }
        Ok(out)
    }

    /// Every client (optionally of one status), with scores, verdicts and task counts,
    /// ordered by name.
    pub fn list_clients(
        &self,
        status: Option<ClientStatus>,
        rules: &ScoreRules,
        today: NaiveDate,
    ) -> Result<Vec<ClientSummary>> {
        let clients: Vec<Client> = {
            let mut q = self.conn.prepare(&format!(
                "SELECT {CLIENT_COLS} FROM clients WHERE ?1 IS NULL OR status = ?1 ORDER BY name_key"
            ))?;
            let rows = q.query_map([status.map(|s| s.key())], client_row)?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut channels: HashMap<i64, Vec<Channel>> = HashMap::new();
        {
            let mut q = self
                .conn
                .prepare("SELECT client_id, kind, handle FROM channels ORDER BY id")?;
            let rows = q.query_map([], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
            })?;
            for row in rows {
                let (cid, kind, handle) = row?;
                channels.entry(cid).or_default().push(Channel {
                    kind: ChannelKind::from_key(&kind).unwrap_or(ChannelKind::Other),
                    handle,
                });
            }
        }
        let counts = self.task_counts()?;
        let scores = self.scores(rules, today, None)?;
        Ok(summaries(clients, channels, counts, scores, rules))
    }

    /// The first `limit` clients of the list (by name, as `list_clients` with no status
    /// orders them), each as `list_clients` gives it, and how many clients there are: what
    /// the desk's first frame shows, read in time independent of how many clients there are.
    pub fn first_clients(
        &self,
        limit: usize,
        rules: &ScoreRules,
        today: NaiveDate,
    ) -> Result<(Vec<ClientSummary>, usize)> {
        let total: i64 = self.conn.prepare_cached(CLIENT_COUNT)?.query_row([], |r| r.get(0))?;
        let clients: Vec<Client> = {
            let mut q = self.conn.prepare_cached(&first_clients_sql())?;
            let rows = q.query_map([limit.min(i64::MAX as usize) as i64], client_row)?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let ids: Vec<i64> = clients.iter().map(|c| c.id).collect();
        let mut channels: HashMap<i64, Vec<Channel>> = HashMap::new();
        let mut counts = HashMap::new();
        for &id in &ids {
            let mut q = self.conn.prepare_cached(CLIENT_CHANNELS)?;
            let rows = q.query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            for row in rows {
                let (kind, handle) = row?;
                channels.entry(id).or_default().push(Channel {
                    kind: ChannelKind::from_key(&kind).unwrap_or(ChannelKind::Other),
                    handle,
                });
            }
            let n: Option<(u32, u32)> = self
                .conn
                .prepare_cached(CLIENT_OPEN_AND_WAITING)?
                .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            if let Some(n) = n {
                counts.insert(id, n);
            }
        }
        let scores = self.scores(rules, today, Some(&ids))?;
        Ok((
            summaries(clients, channels, counts, scores, rules),
            total.max(0) as usize,
        ))
    }
}

/// Clients with their channels, task counts and scores, as the list shows them.
fn summaries(
    mut clients: Vec<Client>,
    mut channels: HashMap<i64, Vec<Channel>>,
    counts: HashMap<i64, (u32, u32)>,
    scores: HashMap<i64, (f64, bool)>,
    rules: &ScoreRules,
) -> Vec<ClientSummary> {
    {
        clients
            .drain(..)
            .map(|mut c| {
                c.channels = channels.remove(&c.id).unwrap_or_default();
                let (score, screens) = scores.get(&c.id).copied().unwrap_or((0.0, false));
                let kinds: &[FlagKind] = if screens { &[FlagKind::NoShow] } else { &[] };
                let verdict = rules.verdict(c.status, score, kinds);
                let (open, waiting) = counts.get(&c.id).copied().unwrap_or((0, 0));
                ClientSummary {
                    client: c,
                    score,
                    verdict,
                    open_tasks: open,
                    waiting_tasks: waiting,
                }
            })
            .collect()
    }
}

impl Store {
    /// One client's summary and the explanation of its score.
    pub fn client_summary(
        &self,
        id: i64,
        rules: &ScoreRules,
        today: NaiveDate,
    ) -> Result<(ClientSummary, Assessment, Vec<Flag>)> {
        let client = self.client(id)?;
        let flags = self.list_flags(Some(id))?;
        let a = assess(rules, client.status, &flags, today);
        let (open, waiting): (u32, u32) = self.conn.query_row(
            "SELECT count(*), coalesce(sum(EXISTS (SELECT 1 FROM requests r WHERE r.task_id = t.id AND r.received_on IS NULL)), 0)
             FROM tasks t WHERE t.client_id = ?1 AND t.status NOT IN ('done', 'cancelled')",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let summary = ClientSummary::assessed(client, &a, open, waiting);
        Ok((summary, a, flags))
    }

    /// What the desk shows of one client beside the list: its summary and score (the same as
    /// [`Store::client_summary`]'s), read without its flags' rows: the score from the kinds
    /// and dates of the flags that count (an index alone), the open and waiting tasks from the
    /// tallies the client list shows. The assessment's contributions carry only each flag's
    /// kind and date.
    pub fn client_card(&self, id: i64, rules: &ScoreRules, today: NaiveDate) -> Result<(ClientSummary, Assessment)> {
        let client = self.client(id)?;
        let flags = self.client_score_flags(id)?;
        let a = assess(rules, client.status, &flags, today);
        let (open, waiting): (u32, u32) = self
            .conn
            .prepare_cached(CLIENT_OPEN_AND_WAITING)?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .unwrap_or((0, 0));
        let summary = ClientSummary::assessed(client, &a, open, waiting);
        Ok((summary, a))
    }

    /// Every client's score, and whether it has a flag that screens a prospect: from the
    /// tallies the triggers keep (O(clients × kinds)), the few flags dated after today read
    /// apart (they count whole, not grown); when the configured half-life is not the one the
    /// tallies were kept with, summed over the flags instead.
    fn scores(&self, rules: &ScoreRules, today: NaiveDate, only: Option<&[i64]>) -> Result<HashMap<i64, (f64, bool)>> {
        let half_life = if rules.half_life_days > 0.0 {
            rules.half_life_days
        } else {
            90.0
        };
        let basis: f64 = self.conn.prepare_cached(SCORE_BASIS)?.query_row([], |r| r.get(0))?;
        if basis != half_life {
            return self.scores_summed(rules, today);
        }
        let grown = |at: NaiveDate| growth(growth_day(at), half_life);
        let decay = ((today - growth_epoch()).num_days() as f64 / half_life).exp2().recip();
        let mut out: HashMap<i64, (f64, bool)> = HashMap::new();
        let mut add = |client: i64, kind: &str, growth: f64| {
            let kind = FlagKind::from_key(kind).unwrap_or(FlagKind::Other);
            let e = out.entry(client).or_insert((0.0, false));
            e.0 += rules.weight(kind) * growth * decay;
            e.1 |= kind.screens_prospect();
        };
        match only {
            None => {
                let mut q = self.conn.prepare_cached(FLAG_TALLY)?;
                let mut rows = q.query([])?;
                while let Some(r) = rows.next()? {
                    add(r.get(0)?, &r.get::<_, String>(1)?, r.get(2)?);
                }
            }
            Some(ids) => {
                let mut q = self.conn.prepare_cached(CLIENT_FLAG_TALLY)?;
                for &id in ids {
                    let mut rows = q.query([id])?;
                    while let Some(r) = rows.next()? {
                        add(id, &r.get::<_, String>(0)?, r.get(1)?);
                    }
                }
            }
        }
        {
            let mut q = self.conn.prepare_cached(FUTURE_FLAGS)?;
            let rows = q.query_map([day(today)], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
            })?;
            for row in rows {
                let (client, kind, at) = row?;
                let kind = FlagKind::from_key(&kind).unwrap_or(FlagKind::Other);
                if let Some(e) = out.get_mut(&client) {
                    // Counted as grown past today; a flag not yet due counts its weight.
                    e.0 -= rules.weight(kind) * (grown(date(at)) * decay - 1.0);
                }
            }
        }
        for e in out.values_mut() {
            // The sums are exact to far below a score's shown decimal; rounded, a flag of
            // today weighs its weight exactly, as when summed one by one.
            e.0 = ((e.0 * 1e9).round() / 1e9).max(0.0) + 0.0;
        }
        Ok(out)
    }

    /// Every client's score summed over its undismissed flags (`vadesk_points(kind, at)`,
    /// registered for this call with today's date and the rules).
    fn scores_summed(&self, rules: &ScoreRules, today: NaiveDate) -> Result<HashMap<i64, (f64, bool)>> {
        super::register_points(&self.conn, rules, today)?;
        let mut q = self.conn.prepare_cached(
            "SELECT client_id, sum(vadesk_points(kind, at)),
                    max(kind IN ('no_show', 'quote_unanswered', 'unsure_what_to_delegate'))
             FROM flags WHERE dismissed = 0 GROUP BY client_id",
        )?;
        let rows = q.query_map([], |r| {
            Ok((r.get::<_, i64>(0)?, (r.get::<_, f64>(1)? + 0.0, r.get::<_, bool>(2)?)))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The client scores exactly as the flags give them, summed one by one (for checking the
    /// tallies).
    pub fn scores_from_flags(&self, rules: &ScoreRules, today: NaiveDate) -> Result<HashMap<i64, (f64, bool)>> {
        self.scores_summed(rules, today)
    }

    /// The kept scores (for checking them against [`Store::scores_from_flags`]).
    pub fn scores_kept(&self, rules: &ScoreRules, today: NaiveDate) -> Result<HashMap<i64, (f64, bool)>> {
        self.scores(rules, today, None)
    }

    /// Keeps the score tallies with this half-life (the configuration's): when it is not the
    /// one they were kept with, they are summed again from the flags, once.
    pub fn rebase_scores(&mut self, half_life_days: f64) -> Result<()> {
        let h = if half_life_days > 0.0 { half_life_days } else { 90.0 };
        let basis: f64 = self.conn.query_row(SCORE_BASIS, [], |r| r.get(0))?;
        if basis == h {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        keep_scores_with(&tx, h)?;
        tx.commit()?;
        Ok(())
    }

    /// Open and waiting task counts per client.
    fn task_counts(&self) -> Result<HashMap<i64, (u32, u32)>> {
        let mut q = self.conn.prepare_cached(OPEN_AND_WAITING)?;
        let rows = q.query_map([], |r| {
            Ok((r.get::<_, i64>(0)?, (r.get::<_, u32>(1)?, r.get::<_, u32>(2)?)))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The weekly review of a client that `today` is about: today on its weekday, otherwise
    /// the latest one that came due; a client with no review day: today.
    pub fn weekly_review_date(&self, client_id: i64, today: NaiveDate) -> Result<NaiveDate> {
        let c = self.client(client_id)?;
        Ok(match c.review_day {
            Some(wd) if today.weekday() == wd => today,
            Some(wd) => crate::domain::rules::previous_weekday(wd, today),
            None => today,
        })
    }

    /// Marks a client's weekly review of `on` as held (the desk's `r` on a review row, or
    /// `client reviewed`). It replaces a "missed" record of that day, and its flag.
    pub fn hold_weekly_review(&mut self, client_id: i64, on: NaiveDate) -> Result<()> {
        let c = self.client(client_id)?;
        self.write(
            |l| tf(l, T::UndoWeeklyReview, &[&c.name]),
            |tx| record_weekly_review(tx, client_id, on, false),
        )
    }

    /// Records that the client missed its weekly review of `on` (the desk's `x` on a review
    /// row, or `client reviewed --missed`): this, and only this, raises `no_feedback` for a
    /// weekly review, dated the review's day. A review not yet held stays in the daily review.
    pub fn miss_weekly_review(&mut self, client_id: i64, on: NaiveDate, today: NaiveDate) -> Result<()> {
        let c = self.client(client_id)?;
        if on > today {
            return Err(Error::invalid_with(T::ErrReviewInFuture, vec![Arg::day(on, today)]));
        }
        // Only a review that was due can be missed: on the client's review day.
        match c.review_day {
            None => return Err(Error::invalid(T::ErrNoReviewDay, &[&c.name])),
            Some(wd) if on.weekday() != wd => {
                return Err(Error::Invalid(crate::error::Msg {
                    key: T::ErrNotReviewDay,
                    args: vec![
                        crate::error::Arg::Text(c.name.clone()),
                        crate::error::Arg::Text(day(on)),
                        crate::error::Arg::ByLang(
                            crate::i18n::weekday_name(wd, crate::i18n::Lang::En).into(),
                            crate::i18n::weekday_name(wd, crate::i18n::Lang::Es).into(),
                        ),
                    ],
                }))
            }
            Some(_) => {}
        }
        self.write(
            |l| tf(l, T::UndoMissedReview, &[&c.name]),
            |tx| {
                record_weekly_review(tx, client_id, on, true)?;
                super::flags::raise(
                    tx,
                    client_id,
                    FlagKind::NoFeedback,
                    on,
                    &weekly_ref(client_id, on),
                    &day(on),
                )?;
                Ok(())
            },
        )
    }
}

/// The source reference of a missed weekly review's flag.
pub(super) fn weekly_ref(client_id: i64, on: NaiveDate) -> String {
    format!("weekly:{client_id}:{}", day(on))
}

/// Records a weekly review as held or missed; held removes the flag of a "missed" record.
pub(super) fn record_weekly_review(tx: &Transaction, client_id: i64, on: NaiveDate, missed: bool) -> Result<()> {
    tx.execute(
        "INSERT INTO weekly_reviews(client_id, on_date, missed) VALUES (?1, ?2, ?3)
         ON CONFLICT(client_id, on_date) DO UPDATE SET missed = excluded.missed WHERE missed <> excluded.missed",
        params![client_id, day(on), missed],
    )?;
    if !missed {
        tx.execute(
            "DELETE FROM flags WHERE source = 'auto' AND source_ref = ?1",
            [weekly_ref(client_id, on)],
        )?;
    }
    Ok(())
}

/// A retainer and its fee go together: one without the other is refused.
fn retainer_has_fee(tx: &Transaction, id: i64) -> Result<()> {
    let (retainer, fee): (Option<i64>, Option<i64>) =
        tx.query_row("SELECT retainer_min, fee_cents FROM clients WHERE id = ?1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    if retainer.is_some() != fee.is_some() {
        return Err(Error::invalid(T::ErrRetainerNeedsFee, &[]));
    }
    Ok(())
}

/// A client's rate, fee, overage rate and quotes must be whole in its currency (a yen amount
/// has no decimals): refused, never kept rounded, naming the first amount that has cents.
/// `default_currency`: for a client without one.
fn amounts_fit_currency(tx: &Transaction, id: i64, default_currency: iso_currency::Currency) -> Result<()> {
    let (currency, amounts): (Option<String>, [Option<i64>; 3]) = tx.query_row(
        "SELECT currency, rate_cents, fee_cents, overage_cents FROM clients WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, [r.get(1)?, r.get(2)?, r.get(3)?])),
    )?;
    let currency = currency
        .as_deref()
        .and_then(iso_currency::Currency::from_code)
        .unwrap_or(default_currency);
    let has_cents = |what: Arg, cents: i64| {
        let plain = |l| crate::i18n::number(cents as f64 / 100.0, l);
        Error::Invalid(Msg {
            key: T::ErrCurrencyHasCents,
            args: vec![
                Arg::Text(currency.code().to_string()),
                what,
                Arg::ByLang(plain(Lang::En), plain(Lang::Es)),
            ],
        })
    };
    let labels = [T::CentsWhatRate, T::CentsWhatFee, T::CentsWhatOverage];
    for (cents, label) in amounts.into_iter().zip(labels) {
        if let Some(c) = cents.filter(|c| !money::fits_currency(*c, currency)) {
            return Err(has_cents(Arg::Key(label), c));
        }
    }
    if money::fits_currency(1, currency) {
        return Ok(());
    }
    let quote: Option<(i64, i64)> = tx
        .query_row(
            "SELECT id, amount_cents FROM quotes WHERE client_id = ?1 AND amount_cents % 100 != 0 ORDER BY id LIMIT 1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((quote, c)) = quote {
        let what = Arg::ByLang(
            tf(Lang::En, T::CentsWhatQuote, &[&quote]),
            tf(Lang::Es, T::CentsWhatQuote, &[&quote]),
        );
        return Err(has_cents(what, c));
    }
    Ok(())
}

fn ensure_unique_name(tx: &Transaction, name: &str, except: Option<i64>) -> Result<()> {
    let clash: Option<String> = tx
        .query_row(
            "SELECT name FROM clients WHERE name_key = ?1 AND id IS NOT ?2",
            params![name_key(name), except],
            |r| r.get(0),
        )
        .optional()?;
    match clash {
        Some(existing) => Err(Error::invalid(T::ErrDuplicateClient, &[&existing])),
        None => Ok(()),
    }
}

fn insert_channels(tx: &Transaction, client_id: i64, chs: &[Channel]) -> Result<()> {
    let mut q = tx.prepare_cached("INSERT INTO channels(client_id, kind, handle) VALUES (?1, ?2, ?3)")?;
    for ch in chs {
        q.execute(params![client_id, ch.kind.key(), ch.handle])?;
    }
    Ok(())
}

/// Open and waiting tasks per client: from the tallies the triggers keep (one row a client).
pub(crate) const OPEN_AND_WAITING: &str =
    "SELECT client_id, max(todo + delivered, 0), max(waiting, 0) FROM client_tally";

/// One client's open and waiting tasks, from the tallies (as [`OPEN_AND_WAITING`]).
pub(crate) const CLIENT_OPEN_AND_WAITING: &str =
    "SELECT max(todo + delivered, 0), max(waiting, 0) FROM client_tally WHERE client_id = ?1";

/// Writes `score_growth` for half-life `h` and sums the flag tallies again with it (the
/// migration that adds them, with the default half-life; `rebase_scores` for another).
pub(crate) fn keep_scores_with(tx: &Transaction, h: f64) -> rusqlite::Result<()> {
    tx.execute("UPDATE score_basis SET half_life = ?1", [h])?;
    tx.execute("DELETE FROM score_growth", [])?;
    {
        let mut put = tx.prepare("INSERT INTO score_growth(day, v) VALUES (?1, ?2)")?;
        for day in 0..=GROWTH_DAYS {
            put.execute(rusqlite::params![day, growth(day, h)])?;
        }
    }
    tx.execute_batch(
        "DELETE FROM flag_tally;
         INSERT INTO flag_tally(client_id, kind, n, growth)
             SELECT f.client_id, f.kind, count(*), total(g.v)
             FROM flags f LEFT JOIN score_growth g
                 ON g.day = max(0, min(40000, CAST(julianday(f.at) - 2451544.5 AS INTEGER)))
             WHERE f.dismissed = 0 GROUP BY f.client_id, f.kind;",
    )
}

/// The last day `score_growth` holds (days since 2000-01-01, about the year 2109); the
/// triggers hold a flag's day to 0..=GROWTH_DAYS.
const GROWTH_DAYS: i64 = 40_000;

fn growth_epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default()
}

/// A flag's day as the triggers read it.
fn growth_day(at: NaiveDate) -> i64 {
    (at - growth_epoch()).num_days().clamp(0, GROWTH_DAYS)
}

/// 2^(day / half-life): what a flag of that day adds to its tally.
fn growth(day: i64, half_life: f64) -> f64 {
    (day as f64 / half_life).exp2()
}

/// The half-life the score tallies are kept with (0: not kept yet).
pub(crate) const SCORE_BASIS: &str = "SELECT half_life FROM score_basis";

/// Per client and kind: the grown sum of its undismissed flags.
pub(crate) const FLAG_TALLY: &str = "SELECT client_id, kind, growth FROM flag_tally WHERE n > 0";

/// One client's flag tallies (as [`FLAG_TALLY`]).
pub(crate) const CLIENT_FLAG_TALLY: &str = "SELECT kind, growth FROM flag_tally WHERE client_id = ?1 AND n > 0";

/// How many clients there are.
pub(crate) const CLIENT_COUNT: &str = "SELECT count(*) FROM clients";

/// One client's channels, in the order `list_clients` gives them.
pub(crate) const CLIENT_CHANNELS: &str = "SELECT kind, handle FROM channels WHERE client_id = ?1 ORDER BY id";

/// The first clients by name (`first_clients`).
pub(crate) fn first_clients_sql() -> String {
    format!("SELECT {CLIENT_COLS} FROM clients ORDER BY name_key LIMIT ?1")
}

/// Undismissed flags dated after today (few: `flags_future` holds only undismissed ones).
pub(crate) const FUTURE_FLAGS: &str = "SELECT client_id, kind, at FROM flags WHERE dismissed = 0 AND at > ?1";

/// A client with its channels, read on `conn` (the store's connection, or a transaction).
fn client_in(conn: &rusqlite::Connection, id: i64) -> Result<Client> {
    let mut c = conn
        .query_row(
            &format!("SELECT {CLIENT_COLS} FROM clients WHERE id = ?1"),
            [id],
            client_row,
        )
        .optional()?
        .ok_or_else(|| Error::not_found(T::ErrNoClient, &[&id]))?;
    c.channels = channels_in(conn, id)?;
    Ok(c)
}

fn channels_in(conn: &rusqlite::Connection, client_id: i64) -> Result<Vec<Channel>> {
    let mut q = conn.prepare_cached("SELECT kind, handle FROM channels WHERE client_id = ?1 ORDER BY id")?;
    let rows = q.query_map([client_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (kind, handle) = row?;
        out.push(Channel {
            kind: ChannelKind::from_key(&kind).unwrap_or(ChannelKind::Other),
            handle,
        });
    }
    Ok(out)
}

/// A client's time entries: all of them, and the billed ones.
fn time_counts_in(conn: &Connection, id: i64) -> Result<(u64, u64)> {
    let (all, billed): (i64, i64) = conn.query_row(
        "SELECT count(*), count(billed_on) FROM time_entries WHERE client_id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok((all.max(0) as u64, billed.max(0) as u64))
}

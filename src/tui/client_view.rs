//! What the desk shows of a client when it becomes the selected one (its card, the first
//! window of its flags and of its tasks, its quotes and meetings), read in one go, and kept
//! for the clients around the selection: the neighbours are read after a frame is out, while
//! the desk waits for a key, so that `j` / `k` and a client's details read nothing.
//!
//! A kept view is used only while the store is exactly as it was when the view was read: no
//! other connection committed (`PRAGMA data_version`), this connection changed no row
//! (`total_changes`), the day and the screen's height are the same. Anything else drops every
//! kept view, so a view shown is always what a fresh read gives.

use chrono::NaiveDate;

use super::deals::Known;
use crate::domain::red_flag::Assessment;
use crate::domain::{Flag, Meeting, Quote, ScoreRules, Task};
use crate::error::Result;
use crate::store::{ClientSummary, Store, TaskKey};

/// How many clients' views are kept at most (the selection's and its neighbours', with room
/// for a few visited just before).
const KEPT: usize = 8;

/// When a view was read: it stands while this is unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    data_version: i64,
    own_changes: u64,
    today: NaiveDate,
    height: u16,
}

impl Stamp {
    /// The same store on the same day, whatever the screen's height.
    pub fn same_store(&self, other: &Stamp) -> bool {
        (self.data_version, self.own_changes, self.today) == (other.data_version, other.own_changes, other.today)
    }

    pub fn now(store: &Store, today: NaiveDate, height: u16) -> Result<Stamp> {
        Ok(Stamp {
            data_version: store.data_version()?,
            own_changes: store.total_changes(),
            today,
            height,
        })
    }
}

/// One client as the desk shows it right after selecting it.
#[derive(Debug, Clone)]
pub struct ClientView {
    pub id: i64,
    pub summary: ClientSummary,
    pub assessment: Assessment,
    pub flags_total: usize,
    /// The client's first flags (newest first), from position 0.
    pub flags: Vec<Flag>,
    pub tasks_total: usize,
    /// The first rows of the client's task list and their keys.
    pub task_rows: Vec<Task>,
    pub task_keys: Vec<TaskKey>,
    pub currency: iso_currency::Currency,
    pub quotes: Vec<Quote>,
    pub meetings: Vec<Meeting>,
    /// How many time entries the client has (their rows are read when the time tab shows them).
    pub time_count: usize,
}

impl ClientView {
    /// Reads client `id` afresh: `flag_rows` and `task_rows` are how many of its first flags
    /// and tasks to read.
    pub fn read(
        store: &Store,
        id: i64,
        rules: &ScoreRules,
        today: NaiveDate,
        flag_rows: usize,
        task_rows: usize,
    ) -> Result<ClientView> {
        let (summary, assessment) = store.client_card(id, rules, today)?;
        let flags_total = store.client_flag_count(id)?;
        let flags = if flags_total == 0 {
            Vec::new()
        } else {
            store.client_flags_page(id, 0, flag_rows)?
        };
        let tasks_total = store.task_count(Some(id))?;
        let (task_rows, task_keys) = if tasks_total == 0 {
            (Vec::new(), Vec::new())
        } else {
            let mut keys = store.task_keys_after(Some(id), None, false, task_rows.min(tasks_total))?;
            let rows = store.tasks_of_keys(&keys)?;
            if rows.len() != keys.len() {
                let ids: std::collections::HashSet<i64> = rows.iter().map(|t| t.id).collect();
                keys.retain(|k| ids.contains(&k.id));
            }
            (rows, keys)
        };
        let currency = store.money_defaults().currency_of(&summary.client);
        Ok(ClientView {
            id,
            summary,
            assessment,
            flags_total,
            flags,
            tasks_total,
            task_rows,
            task_keys,
            currency,
            quotes: store.quotes_of(id)?,
            meetings: store.meetings_of(id)?,
            time_count: store.time_count(id)?,
        })
    }

    pub fn quotes(&self) -> Known<Quote> {
        Known::Rows(self.quotes.clone())
    }

    pub fn meetings(&self) -> Known<Meeting> {
        Known::Rows(self.meetings.clone())
    }

    pub fn times(&self) -> Known<crate::domain::money::TimeEntry> {
        Known::Count(self.time_count)
    }
}

/// The kept views, all read under one stamp.
#[derive(Debug, Clone, Default)]
pub struct Kept {
    stamp: Option<Stamp>,
    views: Vec<ClientView>,
}

impl Kept {
    /// The kept view of client `id`, if the store is still as it was when it was read.
    pub fn get(&mut self, stamp: Stamp, id: i64) -> Option<&ClientView> {
        if self.stamp != Some(stamp) {
            self.clear();
            return None;
        }
        self.views.iter().find(|v| v.id == id)
    }

    /// As `get`, without dropping what is out of date.
    pub fn peek(&self, stamp: Stamp, id: i64) -> Option<&ClientView> {
        if self.stamp != Some(stamp) {
            return None;
        }
        self.views.iter().find(|v| v.id == id)
    }

    /// Keeps a view read under `stamp` (the oldest kept goes when there are too many).
    pub fn put(&mut self, stamp: Stamp, view: ClientView) {
        if self.stamp != Some(stamp) {
            self.clear();
            self.stamp = Some(stamp);
        }
        self.views.retain(|v| v.id != view.id);
        if self.views.len() >= KEPT {
            self.views.remove(0);
        }
        self.views.push(view);
    }

    pub fn clear(&mut self) {
        self.stamp = None;
        self.views.clear();
    }
}

//! The desk's model: what is shown, what is selected, what popup is open. It reads from the
//! store (only what is visible) but never writes; writes happen in `update`.

use chrono::{NaiveDate, NaiveDateTime};

use super::client_view::Stamp;
use super::filter::{Filter, Narrowing};
use super::form::Popup;
use super::keys::{KeyCtx, Move};
use crate::config::Config;
use crate::domain::red_flag::Assessment;
use crate::domain::text::width;
use crate::domain::{Flag, ReviewItem, ScoreRules, Task};
use crate::error::Result;
use crate::i18n::Lang;
use crate::store::{ClientSummary, Counts, ReviewKey, ReviewSections, Store, TaskFilter, TaskKey};

/// Pages of task rows fetched around the selection; a list of 100,000 tasks never loads whole,
/// and a fetch stays small enough to keep a key press under a couple of milliseconds.
pub const TASK_WINDOW_PAGES: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Desk,
    Review,
    Month,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Clients,
    Tasks,
    Flags,
}

impl Pane {
    pub fn next(self) -> Pane {
        match self {
            Pane::Clients => Pane::Tasks,
            Pane::Tasks => Pane::Flags,
            Pane::Flags => Pane::Clients,
        }
    }
    pub fn prev(self) -> Pane {
        self.next().next()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

/// The tasks pane: the list's length and the rows of a window around the selection (read by
/// keyset, never the whole scope); or, while filtering, the matching rows.
#[derive(Debug, Clone, Default)]
pub struct TaskList {
    /// How many tasks the list holds (from the store's tallies).
    pub total: usize,
    pub rows: Vec<Task>,
    /// The places of `rows` in the list's order (unfiltered), for reading on from them.
    pub keys: Vec<TaskKey>,
    /// The position of `rows[0]` in the list.
    pub start: usize,
    pub selected: usize,
    pub filter: Option<Filter>,
    /// All tasks of the scope, loaded only while a filter is open on one client's tasks.
    pub all: Vec<Task>,
    /// On "All clients", while filtering: the words the index was last asked for, and the ids
    /// it gave (the list; `rows` holds the window of them around the selection).
    pub searched: Option<(String, Vec<i64>)>,
    /// On "All clients": the answers of the last queries, while the store is unchanged.
    pub answers: super::search::Answers,
    /// On "All clients": the list as it was when the filter opened, and when that was; given
    /// back when the filter closes on one of its rows with the store unchanged.
    pub before_filter: Option<Box<(super::client_view::Stamp, TaskList)>>,
}

impl TaskList {
    pub fn len(&self) -> usize {
        if self.filter.is_some() {
            self.searched.as_ref().map_or(self.rows.len(), |(_, ids)| ids.len())
        } else {
            self.total
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The task at an absolute position, if loaded.
    pub fn get(&self, i: usize) -> Option<&Task> {
        i.checked_sub(self.start).and_then(|j| self.rows.get(j))
    }

    pub fn current(&self) -> Option<&Task> {
        self.get(self.selected)
    }

    /// The id of the selected task (the window always holds the selection).
    pub fn selected_id(&self) -> Option<i64> {
        self.current().map(|t| t.id)
    }

    /// The place of the selected task in the list's order (unfiltered).
    fn selected_key(&self) -> Option<&TaskKey> {
        self.selected.checked_sub(self.start).and_then(|j| self.keys.get(j))
    }

    /// Forgets the rows (the scope changed: another client); the filter stays.
    pub fn reset(&mut self) {
        self.total = 0;
        self.rows.clear();
        self.keys.clear();
        self.all.clear();
        self.searched = None;
        self.start = 0;
        self.selected = 0;
    }
}

/// The daily review: its sections' counts (from the store's indexes) and the rows of a window
/// around the selection, read by keyset in the review's order; or, while filtering, the
/// matches among the whole review (read once when the filter opens).
#[derive(Debug, Default)]
pub struct ReviewList {
    pub sections: ReviewSections,
    pub rows: Vec<ReviewItem>,
    /// The position of `rows[0]` in the review.
    pub start: usize,
    pub selected: usize,
    pub filter: Option<Filter>,
    /// The whole review, loaded only while the filter is open.
    pub all: Vec<ReviewItem>,
    /// While filtering: what the filter reads of each row of `all` (client and titles), the
    /// matches (places in `all`), best first, and what the next letter narrows.
    found: Narrowing,
    /// The store as it was when the window's rows were read (None once they may mix two
    /// states): rows are read ahead only while it stands.
    stamp: Option<Stamp>,
    /// The review's first and last rows (the last nearest first), read ahead while the desk
    /// waits, for `Home` and `End`; used only while the store is as it was then.
    head: Option<(Stamp, Vec<ReviewItem>)>,
    tail: Option<(Stamp, Vec<ReviewItem>)>,
    /// The whole review, read ahead on a thread of its own (its own connection) while the
    /// desk waits, for opening the filter without reading it then; used only while the store
    /// is as it was when the read began. The filter gives it back when it closes.
    whole: Option<(Stamp, Whole)>,
    /// That read while it runs, and the store's state it began on.
    reading: Option<(Stamp, std::sync::mpsc::Receiver<Result<Whole>>)>,
    /// The store's state a read failed on: not tried again until the store changes.
    failed: Option<Stamp>,
    /// The threads of those reads, joined when the desk quits: each closes its connection
    /// before the desk closes its own, so the last to close empties the WAL.
    readers: Vec<std::thread::JoinHandle<()>>,
    /// The store as it was when `all` was read (None when unknown).
    all_stamp: Option<Stamp>,
}

/// The whole review, and the filter on what it reads of each row (with its kept answers).
pub type Whole = (Vec<ReviewItem>, Narrowing);

/// The whole review's rows with the filter on them: it reads what each row shows of words, its
/// client, its title and, for a request, its task's title.
fn whole_of(rows: Vec<ReviewItem>) -> Whole {
    let found = Narrowing::new(super::filter::hay_of(rows.iter().map(|r| match &r.task_title {
        Some(task) if *task != r.title => format!("{} {} {task}", r.client, r.title),
        _ => format!("{} {}", r.client, r.title),
    })));
    (rows, found)
}

/// The whole review and its filter's texts, read on a thread of its own through a connection
/// of its own (as the tick reads), so that the desk's keys never wait for it.
fn read_whole_review(
    path: std::path::PathBuf,
    today: chrono::NaiveDate,
) -> (std::sync::mpsc::Receiver<Result<Whole>>, std::thread::JoinHandle<()>) {
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let whole = Store::open_again(&path).and_then(|s| s.review(today)).map(whole_of);
        // (The desk may have let the read go: nobody is told.)
        let _ = tx.send(whole);
    });
    (rx, reader)
}

impl ReviewList {
    /// Rows in the review (all of them, whatever the filter).
    pub fn total(&self) -> usize {
        self.sections.total()
    }

    /// Rows in the list shown (the matches while filtering).
    pub fn len(&self) -> usize {
        if self.filter.is_some() {
            self.found.order().len()
        } else {
            self.total()
        }
    }

    /// The whole review, for the filter (read once when it opens).
    pub fn set_all(&mut self, (all, mut found): Whole) {
        found.refine("");
        self.found = found;
        self.all = all;
    }

    /// Back to the windows: the whole review is let go, or kept for the filter's next opening
    /// while the store is still as it was when it was read (`now`).
    pub fn clear_all(&mut self, now: Option<Stamp>) {
        let all = std::mem::take(&mut self.all);
        let found = std::mem::take(&mut self.found);
        self.whole = match (self.all_stamp.take(), now) {
            (Some(at), Some(now)) if at.same_store(&now) && all.len() == self.total() && found.len() == all.len() => {
                Some((at, (all, found)))
            }
            _ => None,
        };
    }

    /// Waits for the threads reading the whole review to end (the desk is quitting).
    pub fn join_readers(&mut self) {
        self.reading = None;
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
    }

    /// Takes the whole review read on its thread, when that read began on the store as it is
    /// `now`: waiting for it to end (`wait`), or only if it has. Nothing when it began on
    /// another state of the store, or failed.
    fn collect_whole(&mut self, now: &Stamp, wait: bool) {
        let Some((at, rx)) = self.reading.take() else {
            return;
        };
        let current = at.same_store(now);
        let got = if wait && current {
            rx.recv().ok()
        } else {
            match rx.try_recv() {
                Ok(got) => Some(got),
                Err(std::sync::mpsc::TryRecvError::Empty) => {
                    // Still running. One of an older state of the store is waited out before
                    // another starts (a burst of commits never piles reads up), unless the
                    // filter is opening: that reads the review itself.
                    if current || !wait {
                        self.reading = Some((at, rx));
                    }
                    return;
                }
                Err(std::sync::mpsc::TryRecvError::Disconnected) => None,
            }
        };
        if !current {
            return;
        }
        match got {
            Some(Ok(whole)) if whole.0.len() == self.total() => self.whole = Some((at, whole)),
            _ => self.failed = Some(at),
        }
    }

    /// The whole review read ahead, once whole and while the store is as it was then.
    pub fn whole_read_ahead(&self, now: &Stamp) -> Option<&[ReviewItem]> {
        self.whole
            .as_ref()
            .filter(|(at, (rows, _))| at.same_store(now) && rows.len() == self.total())
            .map(|(_, (rows, _))| rows.as_slice())
    }

    /// The rows matching the filter, best first (all of them before a letter is typed).
    pub fn matches(&self) -> impl Iterator<Item = &ReviewItem> {
        self.found.order().iter().filter_map(|&i| self.all.get(i as usize))
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The row at a position of the list shown, if loaded.
    pub fn get(&self, i: usize) -> Option<&ReviewItem> {
        if self.filter.is_some() {
            self.found.order().get(i).and_then(|&j| self.all.get(j as usize))
        } else {
            i.checked_sub(self.start).and_then(|j| self.rows.get(j))
        }
    }

    pub fn current(&self) -> Option<&ReviewItem> {
        self.get(self.selected)
    }

    /// The section of the row at a position of the list shown.
    pub fn kind_at(&self, i: usize) -> Option<crate::domain::ReviewKind> {
        if self.filter.is_some() {
            self.get(i).map(|r| r.kind)
        } else {
            self.sections.kind_at(i)
        }
    }
}

/// The page holding row `at` of a list of `total` rows (its first row), and the rows kept
/// around it: from a page before it to the end of the page after it.
fn pages_around(at: usize, page: usize, total: usize) -> (usize, usize, usize) {
    let top = (at / page) * page;
    (top, top.saturating_sub(page), (top + 2 * page).min(total))
}

/// Where a list's selection goes after its rows changed: onto the same record when it is
/// still there, else onto the row now at the old position (the nearest one).
pub fn follow(ids: impl Iterator<Item = i64>, keep: Option<i64>, old: usize, len: usize) -> usize {
    keep.and_then(|id| ids.into_iter().position(|x| x == id))
        .unwrap_or(old)
        .min(len.saturating_sub(1))
}

pub struct App {
    pub lang: Lang,
    pub now: NaiveDateTime,
    /// `--now` was given: the clock stands still.
    pub fixed_clock: bool,
    pub config: Config,
    pub rules: ScoreRules,
    /// Colours on with the config's `[theme]`, or off (`NO_COLOR`).
    pub color: crate::tui::ui::theme::Colors,
    pub view: View,
    pub focus: Pane,
    pub clients: Vec<ClientSummary>,
    /// Indices into `clients` shown in the pane (after the filter); the pane's row 0 is "All".
    pub client_rows: Vec<usize>,
    pub client_sel: usize,
    pub client_filter: Option<Filter>,
    /// How many clients there are while `clients` holds only the first screenful of them
    /// (the first frame's list); None once the list is whole.
    pub clients_total: Option<usize>,
    /// Per client id: tasks to do, and delivered tasks waiting on the client's word.
    pub task_counts: std::collections::HashMap<i64, (u32, u32)>,
    pub tasks: TaskList,
    /// The tasks pane's other tabs: the selected client's quotes and meetings.
    pub deals: super::deals::Deals,
    /// The selected client's score explained (its contributions carry each flag's kind and
    /// date only).
    pub assessment: Option<Assessment>,
    /// The rows of the client's flags (dismissed included, newest first) around the
    /// selection: a window from position `flags_start` of `flags_total`.
    pub flags: Vec<Flag>,
    pub flags_start: usize,
    pub flags_total: usize,
    pub flag_sel: usize,
    pub review: ReviewList,
    /// The first frame is out without the review and the late counts, which come next.
    pub launching: bool,
    /// Widths of the review's section and lateness columns, measured once per load so that a
    /// frame touches only the visible rows.
    pub review_widths: (usize, usize),
    pub popup: Option<Popup>,
    /// Text to open in the external editor (`Ctrl-E` in a long-text field); the loop runs it.
    pub external_edit: Option<String>,
    /// `S` asked for a sync; the event loop runs it off the UI thread.
    pub sync_requested: bool,
    pub notice: Option<Notice>,
    pub counts: Counts,
    pub size: (u16, u16),
    pub quit: bool,
    /// What the store looked like at the last load: (`PRAGMA data_version`, day).
    pub loaded: (i64, NaiveDate),
    /// The views of the clients around the selection, read ahead while the desk waits.
    pub kept: super::client_view::Kept,
    /// The running timer and the Month view.
    pub money: super::time_actions::MoneyState,
}

impl App {
    pub fn new(lang: Lang, now: NaiveDateTime, fixed_clock: bool, config: Config, color: bool) -> App {
        App {
            lang,
            now,
            fixed_clock,
            rules: config.rules.clone(),
            // NO_COLOR (colour off) wins over any theme.
            color: crate::tui::ui::theme::Colors(color.then_some(config.theme)),
            config,
            view: View::Desk,
            focus: Pane::Clients,
            clients: Vec::new(),
            client_rows: Vec::new(),
            client_sel: 0,
            client_filter: None,
            clients_total: None,
            task_counts: Default::default(),
            tasks: TaskList::default(),
            deals: Default::default(),
            assessment: None,
            flags: Vec::new(),
            flags_start: 0,
            flags_total: 0,
            flag_sel: 0,
            review: ReviewList::default(),
            launching: false,
            review_widths: (12, 4),
            popup: None,
            external_edit: None,
            sync_requested: false,
            notice: None,
            counts: Counts::default(),
            size: (80, 24),
            quit: false,
            loaded: (i64::MIN, now.date()),
            kept: Default::default(),
            money: super::time_actions::MoneyState::new(crate::domain::money::Month::of(now.date())),
        }
    }

    pub fn today(&self) -> NaiveDate {
        self.now.date()
    }

    /// The selected client (None on the "All clients" row).
    pub fn client(&self) -> Option<&ClientSummary> {
        self.client_sel
            .checked_sub(1)
            .and_then(|i| self.client_rows.get(i))
            .and_then(|&i| self.clients.get(i))
    }

    pub fn review_item(&self) -> Option<&ReviewItem> {
        self.review.current()
    }

    pub fn flag(&self) -> Option<&Flag> {
        self.flag_sel
            .checked_sub(self.flags_start)
            .and_then(|i| self.flags.get(i))
    }

    /// The client of whatever is selected: a desk client, a task's client, a review row's.
    pub fn context_client(&self) -> Option<(i64, String)> {
        match self.view {
            View::Review => self.review_item().map(|r| (r.client_id, r.client.clone())),
            View::Month => self.money.line().map(|l| (l.client.id, l.client.name.clone())),
            View::Desk => match (self.client(), self.focus, self.tasks.current()) {
                (Some(c), _, _) => Some((c.client.id, c.client.name.clone())),
                (None, Pane::Tasks, Some(t)) => Some((t.client_id, t.client.clone())),
                _ => None,
            },
        }
    }

    pub fn key_ctx(&self) -> KeyCtx {
        KeyCtx {
            review: self.view == View::Review,
            tasks_focused: self.view == View::Desk && self.focus == Pane::Tasks,
            has_task: self.tasks.current().is_some() && self.deals.tab == super::deals::DealTab::Tasks,
            has_client: self.context_client().is_some(),
            has_row: self.review_item().is_some(),
            month: self.view == View::Month,
            deal_tab: self.deals.tab != super::deals::DealTab::Tasks,
            has_deal: self.deals.has_row(),
        }
    }

    /// Rows of list body that fit on screen (the page for PgUp / PgDn).
    pub fn page(&self) -> usize {
        (self.size.1 as usize).saturating_sub(8).max(1)
    }

    pub fn info(&mut self, text: String) {
        self.notice = Some(Notice { text, error: false });
    }

    pub fn error(&mut self, text: String) {
        self.notice = Some(Notice { text, error: true });
    }

    /// A client's tasks to do and delivered ones, counted apart.
    pub fn counts_of(&self, client_id: i64) -> (u32, u32) {
        self.task_counts.get(&client_id).copied().unwrap_or((0, 0))
    }

    /// Every client, worst score first (the overview of "All clients").
    pub fn ranking(&self) -> Vec<&ClientSummary> {
        self.ranking_top(self.clients.len())
    }

    /// The first `n` of [`App::ranking`], in its order, without putting the rest in order
    /// (the pane shows a screenful of a thousand clients on every frame).
    pub fn ranking_top(&self, n: usize) -> Vec<&ClientSummary> {
        if n == 0 {
            return Vec::new();
        }
        // Keys side by side (not read from a thousand summaries scattered in memory); the
        // name is read only on a tie. Ties on everything keep the clients' own order, as a
        // stable sort keeps them.
        let clients = &self.clients;
        let order = |a: &(f64, u8, usize), b: &(f64, u8, usize)| {
            b.0.total_cmp(&a.0)
                .then(b.1.cmp(&a.1))
                .then_with(|| clients[a.2].client.name.cmp(&clients[b.2].client.name))
                .then(a.2.cmp(&b.2))
        };
        let mut all: Vec<(f64, u8, usize)> = clients
            .iter()
            .enumerate()
            .map(|(i, c)| (c.score, c.verdict.severity(), i))
            .collect();
        if all.len() > n {
            all.select_nth_unstable_by(n - 1, order);
            all.truncate(n);
        }
        all.sort_unstable_by(order);
        all.into_iter().map(|(_, _, i)| &clients[i]).collect()
    }

    // ---- loading what is visible -------------------------------------------------------

    /// Everything: clients and scores, the selected client's tasks and flags, the review.
    pub fn reload(&mut self, store: &Store) -> Result<()> {
        self.launching = false;
        self.reload_desk(store)?;
        self.reload_review(store)?;
        self.counts = store.late_request_counts(self.today())?;
        Ok(())
    }

    /// The launch: what the desk's first frame shows (the clients that fit on the screen,
    /// and how many there are; the selected client's tasks and flags; the month), without
    /// the rest of the clients, the review and the late counts; `finish_launch` reads them
    /// right after that frame is out.
    pub fn reload_launch(&mut self, store: &Store) -> Result<()> {
        self.launching = true;
        let (first, total) = store.first_clients(self.size.1 as usize, &self.rules, self.today())?;
        self.clients = first;
        self.clients_total = Some(total);
        self.task_counts = store.open_and_delivered()?;
        self.refilter_clients();
        self.client_sel = self.client_sel.min(self.client_rows.len());
        match self.client().map(|c| c.client.id) {
            // Only the rows the first frame shows; `finish_launch` reads the windows whole.
            Some(id) => {
                let reach = self.size.1 as usize / 2 + 1;
                let view =
                    super::client_view::ClientView::read(store, id, &self.rules, self.today(), reach, self.page())?;
                self.show_view(&view);
            }
            None => self.client_changed(store)?,
        }
        super::time_actions::reload(self, store)?;
        self.loaded = (store.data_version()?, self.today());
        Ok(())
    }

    /// The whole client list, the review and the late counts, after the first frame.
    pub fn finish_launch(&mut self, store: &Store) -> Result<()> {
        self.launching = false;
        if self.clients_total.is_some() {
            self.reload_desk(store)?;
        }
        self.reload_review(store)?;
        self.counts = store.late_request_counts(self.today())?;
        Ok(())
    }

    /// How many clients there are (the pane's title).
    pub fn client_count(&self) -> usize {
        self.clients_total.unwrap_or(self.clients.len())
    }

    fn reload_desk(&mut self, store: &Store) -> Result<()> {
        let keep = self.client().map(|c| c.client.id);
        self.clients = store.list_clients(None, &self.rules, self.today())?;
        self.clients_total = None;
        self.task_counts = store.open_and_delivered()?;
        self.refilter_clients();
        if let Some(id) = keep {
            if let Some(pos) = self.client_rows.iter().position(|&i| self.clients[i].client.id == id) {
                self.client_sel = pos + 1;
            }
        }
        self.client_sel = self.client_sel.min(self.client_rows.len());
        self.reload_selection(store)?;
        super::time_actions::reload(self, store)?;
        self.loaded = (store.data_version()?, self.today());
        Ok(())
    }

    /// Whether another connection committed, or the day turned, since the last load.
    pub fn stale(&self, store: &Store) -> Result<bool> {
        Ok(self.loaded != (store.data_version()?, self.today()))
    }

    /// The tasks and flags of the selected client (after the client selection moved).
    pub fn reload_selection(&mut self, store: &Store) -> Result<()> {
        let keep_flag = self.flag().map(|f| f.id);
        if self.tasks.filter.is_some() && self.client().is_none() {
            super::search::tasks(self, store)?;
        } else if self.tasks.filter.is_some() {
            self.tasks.all = store.list_tasks(&self.task_filter())?;
            self.refilter_tasks();
        } else {
            let keep = self.tasks.selected_id();
            self.reload_tasks(store, keep)?;
        }
        match self.client().map(|c| c.client.id) {
            Some(id) => {
                let (summary, assessment) = store.client_card(id, &self.rules, self.today())?;
                if let Some(&i) = self.client_rows.get(self.client_sel - 1) {
                    self.clients[i] = summary;
                }
                self.assessment = Some(assessment);
                self.flags_total = store.client_flag_count(id)?;
                // On the same flag when it is still the client's, else at the old place.
                let at = match keep_flag {
                    Some(f) => store.client_flag_position(id, f)?,
                    None => None,
                };
                self.flag_sel = at.unwrap_or(self.flag_sel).min(self.flags_total.saturating_sub(1));
                self.flags.clear();
                self.load_flag_window(store)?;
            }
            None => {
                self.assessment = None;
                self.flags.clear();
                self.flags_start = 0;
                self.flags_total = 0;
                self.flag_sel = 0;
            }
        }
        self.deals.load(store, self.client().map(|c| c.client.id))?;
        Ok(())
    }

    /// Makes sure the flags around the selection are loaded: as many before and after it as
    /// the flags pane can show, so that whatever page of the pane holds the selection is
    /// there.
    fn load_flag_window(&mut self, store: &Store) -> Result<()> {
        let Some(id) = self.client().map(|c| c.client.id) else {
            return Ok(());
        };
        // The flags pane takes less than half the screen's height.
        let reach = self.size.1 as usize / 2 + 1;
        let from = self.flag_sel.saturating_sub(reach);
        let to = (self.flag_sel + reach).min(self.flags_total);
        let (s, e) = (self.flags_start, self.flags_start + self.flags.len());
        if !self.flags.is_empty() && from >= s && to <= e {
            return Ok(());
        }
        // Read a little more than needed, so that a move of one row rarely reads again.
        let from = self.flag_sel.saturating_sub(2 * reach);
        self.flags = store.client_flags_page(id, from, 4 * reach)?;
        self.flags_start = from;
        Ok(())
    }

    /// After the selected client changed: its tasks and flags from the top, from its kept
    /// view when the store has not changed since that was read.
    pub fn client_changed(&mut self, store: &Store) -> Result<()> {
        self.tasks.reset();
        self.flags.clear();
        self.flags_start = 0;
        self.flags_total = 0;
        self.flag_sel = 0;
        let Some(id) = self.client().map(|c| c.client.id) else {
            return self.reload_selection(store);
        };
        if self.tasks.filter.is_some() {
            return self.reload_selection(store);
        }
        let stamp = self.stamp(store)?;
        let view = match self.kept.get(stamp, id) {
            Some(v) => v.clone(),
            None => self.read_view(store, id)?,
        };
        self.show_view(&view);
        self.kept.put(stamp, view);
        Ok(())
    }

    /// When the store is as it is now (for the kept views).
    pub fn stamp(&self, store: &Store) -> Result<super::client_view::Stamp> {
        super::client_view::Stamp::now(store, self.today(), self.size.1)
    }

    /// Client `id` as selecting it shows it: the flags its pane shows and one page of tasks.
    fn read_view(&self, store: &Store, id: i64) -> Result<super::client_view::ClientView> {
        let reach = self.size.1 as usize / 2 + 1;
        super::client_view::ClientView::read(store, id, &self.rules, self.today(), 2 * reach, self.page())
    }

    /// Puts a client's view on the desk (the client must be the selected one).
    fn show_view(&mut self, v: &super::client_view::ClientView) {
        if let Some(&i) = self.client_sel.checked_sub(1).and_then(|r| self.client_rows.get(r)) {
            self.clients[i] = v.summary.clone();
        }
        self.assessment = Some(v.assessment.clone());
        self.flags_total = v.flags_total;
        self.flags = v.flags.clone();
        self.flags_start = 0;
        self.flag_sel = 0;
        self.tasks.total = v.tasks_total;
        self.tasks.rows = v.task_rows.clone();
        self.tasks.keys = v.task_keys.clone();
        self.tasks.start = 0;
        self.tasks.selected = 0;
        self.deals.load_from(v.id, v.currency, v.quotes(), v.meetings());
    }

    /// Reads ahead, while the desk waits for a key: on the review, its rows around the selection
    /// and its ends; on the desk, the view of the selected client and of its neighbours in the
    /// list, one that is not kept yet per call. True when it read one.
    pub fn read_ahead(&mut self, store: &Store) -> bool {
        if self.view == View::Review && !self.launching {
            return self.review_read_ahead(store);
        }
        if self.view != View::Desk || self.launching || self.tasks.filter.is_some() {
            return false;
        }
        let Ok(stamp) = self.stamp(store) else {
            return false;
        };
        let sel = self.client_sel;
        for row in [sel, sel + 1, sel.wrapping_sub(1)] {
            let Some(&i) = row.checked_sub(1).and_then(|r| self.client_rows.get(r)) else {
                continue;
            };
            let id = self.clients[i].client.id;
            if self.kept.peek(stamp, id).is_some() {
                continue;
            }
            return match self.read_view(store, id) {
                Ok(v) => {
                    self.kept.put(stamp, v);
                    true
                }
                Err(_) => false,
            };
        }
        false
    }

    fn task_filter(&self) -> TaskFilter {
        TaskFilter {
            client_id: self.client().map(|c| c.client.id),
            ..Default::default()
        }
    }

    /// Makes sure the page around the selection is loaded: the window moves by reading on
    /// from its first or last row (a seek and the rows wanted), or from the list's start or
    /// end after `Home` and `End`; `force` reads it again around the selected record. The
    /// flags pane's window follows its selection too.
    pub fn load_task_window(&mut self, store: &Store, force: bool) -> Result<()> {
        self.load_flag_window(store)?;
        if self.tasks.filter.is_some() {
            return super::search::window(self, store);
        }
        if force {
            let keep = self.tasks.selected_id();
            return self.reload_tasks(store, keep);
        }
        let scope = self.client().map(|c| c.client.id);
        let page = self.page();
        let list = &mut self.tasks;
        if list.total == 0 {
            list.rows.clear();
            list.keys.clear();
            list.start = 0;
            list.selected = 0;
            return Ok(());
        }
        list.selected = list.selected.min(list.total - 1);
        let (top, want_start, want_end) = pages_around(list.selected, page, list.total);
        let end_needed = (top + page).min(list.total);
        let (s, e) = (list.start, list.start + list.keys.len());
        if !list.keys.is_empty() && top >= s && end_needed <= e {
            return Ok(());
        }
        let near = !list.keys.is_empty() && top <= e && end_needed >= s;
        if near {
            if want_end > e {
                let more = store.task_keys_after(scope, list.keys.last(), false, want_end - e)?;
                if more.len() < want_end - e {
                    // The list ends sooner than its count said (it changed meanwhile).
                    list.total = e + more.len();
                }
                list.keys.extend(more);
            }
            if want_start < s {
                let wanted = s - want_start;
                let mut more = store.task_keys_before(scope, list.keys.first(), wanted)?;
                if more.len() < wanted {
                    // The list's start came sooner: positions were counted too high.
                    let shift = s - more.len();
                    list.start -= shift;
                    list.selected = list.selected.saturating_sub(shift);
                    list.total = list.total.saturating_sub(shift);
                }
                list.start -= more.len();
                more.reverse();
                more.append(&mut list.keys);
                list.keys = more;
            }
        } else if list.selected < 2 * page || list.selected < list.total / 2 {
            // From the start (Home, or a jump without a row to read on from).
            let mut keys = store.task_keys_after(scope, None, false, want_end)?;
            keys.drain(..want_start.min(keys.len()));
            list.start = want_start;
            list.keys = keys;
        } else {
            // From the end (End).
            let mut keys = store.task_keys_before(scope, None, list.total - want_start)?;
            keys.reverse();
            list.start = list.total.saturating_sub(keys.len());
            list.keys = keys;
        }
        if list.total > 0 {
            list.selected = list.selected.min(list.total - 1);
        }
        // Keep the window to the pages around the selection.
        let top = (list.selected / page) * page;
        let keep_from = top.saturating_sub(page).max(list.start);
        let keep_to = (top + 2 * page).min(list.start + list.keys.len());
        if keep_from > list.start || keep_to < list.start + list.keys.len() {
            list.keys = list.keys[keep_from - list.start..keep_to.max(keep_from) - list.start].to_vec();
            list.start = keep_from;
        }
        list.rows = store.tasks_of_keys(&list.keys)?;
        if list.rows.len() != list.keys.len() {
            let ids: std::collections::HashSet<i64> = list.rows.iter().map(|t| t.id).collect();
            list.keys.retain(|k| ids.contains(&k.id));
        }
        Ok(())
    }

    /// "All clients", as the task filter opens: the list's window as it is now, and when.
    pub fn keep_tasks_before_filter(&mut self, store: &Store) -> Result<()> {
        let stamp = self.stamp(store)?;
        let list = &self.tasks;
        let kept = TaskList {
            total: list.total,
            rows: list.rows.clone(),
            keys: list.keys.clone(),
            start: list.start,
            selected: list.selected,
            ..TaskList::default()
        };
        self.tasks.before_filter = Some(Box::new((stamp, kept)));
        Ok(())
    }

    /// "All clients", as the task filter closes: the list as it was when the filter opened,
    /// the selection on the record the filter left it on, when the store, the day and the
    /// screen's height are as they were then and that record is one of the rows kept. Nothing
    /// is read but what the selection's page lacks. False when the list must be read again.
    pub fn give_back_tasks(
        &mut self,
        store: &Store,
        kept: Option<Box<(super::client_view::Stamp, TaskList)>>,
    ) -> Result<bool> {
        let Some(kept) = kept else {
            return Ok(false);
        };
        if self.view != View::Desk || self.client().is_some() {
            return Ok(false);
        }
        let (stamp, list) = *kept;
        if stamp != self.stamp(store)? || list.rows.len() != list.keys.len() {
            return Ok(false);
        }
        let Some(id) = self.tasks.selected_id() else {
            return Ok(false);
        };
        let Some(at) = list.rows.iter().position(|t| t.id == id) else {
            return Ok(false);
        };
        self.tasks.total = list.total;
        self.tasks.rows = list.rows;
        self.tasks.keys = list.keys;
        self.tasks.start = list.start;
        self.tasks.selected = list.start + at;
        self.tasks.all.clear();
        self.tasks.searched = None;
        self.load_task_window(store, false)?;
        // As `reload_selection` leaves "All clients".
        self.assessment = None;
        self.flags.clear();
        self.flags_start = 0;
        self.flags_total = 0;
        self.flag_sel = 0;
        self.deals.load(store, None)?;
        Ok(true)
    }

    /// Reads the list again around a record (after a change, or a filter closed): the
    /// selection stays on `keep` when it is still in the list, else on the row now at its old
    /// place. The length comes from the tallies, the record's place from an index count, the
    /// rows from seeks around it.
    pub fn reload_tasks(&mut self, store: &Store, keep: Option<i64>) -> Result<()> {
        let scope = self.client().map(|c| c.client.id);
        let page = self.page();
        let old_key = self.tasks.selected_key().cloned();
        let far = self.tasks.selected > self.tasks.total / 2;
        let total = store.task_count(scope)?;
        let anchor = match keep {
            Some(id) => store.task_key(scope, id)?.or(old_key),
            None => old_key,
        };
        let list = &mut self.tasks;
        list.total = total;
        list.keys.clear();
        list.rows.clear();
        list.start = 0;
        let Some(anchor) = anchor else {
            list.selected = 0;
            return self.load_task_window(store, false);
        };
        let pos = store.task_position(scope, &anchor, far)?;
        // The rows any page of the screen holding the selection shows (as the filter's
        // window reads them): a page less one before the record, a page from it on. Moving
        // on reads on from the window's edges.
        let mut keys = store.task_keys_before(scope, Some(&anchor), page - 1)?;
        let after = store.task_keys_after(scope, Some(&anchor), true, page)?;
        // On the record, or on the row now at its place; past the list's end, on the last row.
        let (selected, at) = if after.is_empty() {
            (pos.saturating_sub(1), keys.len().saturating_sub(1))
        } else {
            (pos, keys.len())
        };
        keys.reverse();
        keys.extend(after);
        list.start = selected.saturating_sub(at);
        list.selected = list.start + at;
        list.total = list.total.max(list.start + keys.len());
        list.rows = store.tasks_of_keys(&keys)?;
        list.keys = keys;
        if list.rows.len() != list.keys.len() {
            let ids: std::collections::HashSet<i64> = list.rows.iter().map(|t| t.id).collect();
            list.keys.retain(|k| ids.contains(&k.id));
        }
        self.trim_task_window(store)
    }

    /// After a reload: the window kept to the pages around the selection.
    fn trim_task_window(&mut self, store: &Store) -> Result<()> {
        let page = self.page();
        let list = &mut self.tasks;
        if list.keys.is_empty() {
            list.rows.clear();
            list.selected = 0;
            return Ok(());
        }
        list.selected = list.selected.clamp(list.start, list.start + list.keys.len() - 1);
        let top = (list.selected / page) * page;
        let keep_from = top.saturating_sub(page).max(list.start);
        let keep_to = (top + 2 * page).min(list.start + list.keys.len());
        if keep_from > list.start || keep_to < list.start + list.keys.len() {
            list.keys = list.keys[keep_from - list.start..keep_to - list.start].to_vec();
            list.start = keep_from;
            list.rows = store.tasks_of_keys(&list.keys)?;
        }
        // The page of the selection may reach past what was read around it.
        self.load_task_window(store, false)
    }

    /// Reads the review's sections again (after any change) and the window around the
    /// selected row: the selection follows its record (in whatever section it is now), else
    /// stays at its place. While the filter is open, the whole review is read and filtered.
    pub fn reload_review(&mut self, store: &Store) -> Result<()> {
        let keep = self.review_item().map(|r| (r.kind, r.id));
        let old = self.review.selected;
        self.review.sections = store.review_sections(self.today())?;
        self.measure_review();
        if self.review.filter.is_some() {
            let all = self.whole_review(store)?;
            self.review.set_all(all);
            self.refilter_review();
            if let Some(key) = keep {
                let found = self.review.matches().position(|r| (r.kind, r.id) == key);
                if let Some(p) = found {
                    self.review.selected = p;
                }
            }
            return Ok(());
        }
        self.review_follow(store, keep, old)
    }

    /// Waits for the whole review being read ahead on its thread, and keeps it if the store is
    /// still as it was when the read began (as opening the filter does).
    pub fn finish_whole_read(&mut self, store: &Store) -> Result<()> {
        let now = self.stamp(store)?;
        self.review.collect_whole(&now, true);
        Ok(())
    }

    /// The whole review, for its filter: the one read ahead while the desk waited when the
    /// store is still as it was then, else read now. Remembers the store's state it reflects.
    pub fn whole_review(&mut self, store: &Store) -> Result<Whole> {
        let now = self.stamp(store)?;
        self.review.collect_whole(&now, true);
        let kept = self.review.whole.take();
        self.review.all_stamp = Some(now);
        let total = self.review.total();
        match kept {
            Some((at, whole)) if at.same_store(&now) && whole.0.len() == total => Ok(whole),
            _ => Ok(whole_of(store.review(self.today())?)),
        }
    }

    /// The review's window read again around a record (its row in whatever section it is now),
    /// or around the position `old` when the record left the review.
    pub fn review_follow(
        &mut self,
        store: &Store,
        keep: Option<(crate::domain::ReviewKind, i64)>,
        old: usize,
    ) -> Result<()> {
        let anchor = match keep {
            Some((kind, id)) => store.review_row(&self.review.sections, kind, id)?,
            None => None,
        };
        let pos = match &anchor {
            Some(it) => store.review_position(&self.review.sections, &ReviewKey::of(it))?,
            None => old,
        };
        self.review.rows.clear();
        self.review.start = 0;
        self.review.selected = pos;
        self.load_review_window(store)
    }

    /// Closing the review's filter while the store is still as it was when the whole review
    /// was read (`now`): the window around the selected match is cut from it, nothing is read.
    /// False, and nothing changed, when the store may have changed since.
    pub fn review_window_from_all(&mut self, now: Option<Stamp>) -> bool {
        let page = self.review_page();
        let list = &mut self.review;
        let total = list.total();
        let current = matches!((list.all_stamp, now), (Some(a), Some(b)) if a.same_store(&b));
        if !current || total == 0 || list.all.len() != total {
            return false;
        }
        // The selected match's place in the whole review, else the place the selection had.
        let pos = match list.found.order().get(list.selected) {
            Some(&p) => (p as usize).min(total - 1),
            None => list.selected.min(total - 1),
        };
        let (_, start, end) = pages_around(pos, page, total);
        list.rows = list.all[start..end].to_vec();
        list.start = start;
        list.selected = pos;
        list.stamp = now;
        true
    }

    /// The widths of the section and lateness columns, from the sections' counts and dates, so
    /// that a frame touches only the visible rows and the columns never move while scrolling.
    fn measure_review(&mut self) {
        let l = self.lang;
        let s = &self.review.sections;
        // Section labels are never cut: the column is as wide as the longest one present.
        let kind_w = s.present().map(|k| width::of(k.label(l))).max().unwrap_or(12);
        let late_w = match s.late_range {
            // Plural forms grow with the number from 2 on; 0 and 1 have their own words.
            Some((lo, hi)) => [lo, hi, 2.clamp(lo, hi)]
                .iter()
                .map(|&n| width::of(&crate::i18n::days(n, l)) + 1)
                .max()
                .unwrap_or(0),
            None => 0,
        };
        self.review_widths = (kind_w, late_w.max(4));
    }

    /// Rows read around the review's selection on each side: the largest page a frame shows.
    fn review_page(&self) -> usize {
        (self.size.1 as usize).max(1)
    }

    /// Makes sure the rows around the review's selection are loaded: the window moves by
    /// reading on from its first or last row, or from the review's start or end after a jump.
    pub fn load_review_window(&mut self, store: &Store) -> Result<()> {
        if self.review.filter.is_some() {
            return Ok(());
        }
        let page = self.review_page();
        let total = self.review.total();
        if total == 0 {
            let list = &mut self.review;
            list.rows.clear();
            list.start = 0;
            list.selected = 0;
            return Ok(());
        }
        self.review.selected = self.review.selected.min(total - 1);
        let (top, want_start, want_end) = pages_around(self.review.selected, page, total);
        let end_needed = (top + page).min(total);
        let (s, e) = (self.review.start, self.review.start + self.review.rows.len());
        if !self.review.rows.is_empty() && top >= s && end_needed <= e {
            return Ok(());
        }
        let now = self.stamp(store).ok();
        let list = &mut self.review;
        let near = !list.rows.is_empty() && top <= e && end_needed >= s;
        let secs = &list.sections;
        // The first or last rows read ahead, when the store is still as it was then.
        let kept = |ends: &Option<(Stamp, Vec<ReviewItem>)>, n: usize| match ends {
            Some((at, rows)) if now.is_some_and(|now| now.same_store(at)) && rows.len() >= n => {
                Some(rows[..n].to_vec())
            }
            _ => None,
        };
        if near {
            // Rows read now go on rows read before: the window may mix two states.
            if !matches!((list.stamp, now), (Some(a), Some(b)) if a.same_store(&b)) {
                list.stamp = None;
            }
            if want_end > e {
                let last = list.rows.last().map(ReviewKey::of);
                let more = store.review_after(secs, last.as_ref(), want_end - e)?;
                list.rows.extend(more);
            }
            if want_start < s {
                let first = list.rows.first().map(ReviewKey::of);
                let mut more = store.review_before(secs, first.as_ref(), s - want_start)?;
                list.start -= more.len().min(list.start);
                more.reverse();
                more.append(&mut list.rows);
                list.rows = more;
            }
        } else if list.selected < total / 2 {
            let mut rows = match kept(&list.head, want_end) {
                Some(rows) => rows,
                None => store.review_after(secs, None, want_end)?,
            };
            rows.drain(..want_start.min(rows.len()));
            list.start = want_start;
            list.rows = rows;
            list.stamp = now;
        } else {
            let mut rows = match kept(&list.tail, total - want_start) {
                Some(rows) => rows,
                None => store.review_before(secs, None, total - want_start)?,
            };
            rows.reverse();
            list.start = total.saturating_sub(rows.len());
            list.rows = rows;
            list.stamp = now;
        }
        // Keep the window to the pages around the selection.
        let keep_from = want_start.max(list.start);
        let keep_to = want_end.min(list.start + list.rows.len());
        if keep_from > list.start || keep_to < list.start + list.rows.len() {
            list.rows = list.rows[keep_from - list.start..keep_to.max(keep_from) - list.start].to_vec();
            list.start = keep_from;
        }
        Ok(())
    }

    /// Reads ahead in the review, while the desk waits for a key: the pages before and after
    /// the selection's (so that `j`, `k`, PgDn and PgUp read nothing), then the review's first
    /// and last pages (`Home`, `End`). Only while the store is exactly as it was when the
    /// window was read; one read per call. True when it read something.
    fn review_read_ahead(&mut self, store: &Store) -> bool {
        if self.review.filter.is_some() || self.review.rows.is_empty() {
            return false;
        }
        let Ok(now) = self.stamp(store) else {
            return false;
        };
        let page = self.review_page();
        let today = self.today();
        let list = &mut self.review;
        let total = list.total();
        if !list.stamp.is_some_and(|at| at.same_store(&now)) || total == 0 {
            return false;
        }
        let (top, want_start, want_end) = pages_around(list.selected.min(total - 1), page, total);
        let (s, e) = (list.start, list.start + list.rows.len());
        if top < s || (top + page).min(total) > e {
            // The selection's page is not read: the next key reads it.
            return false;
        }
        let secs = &list.sections;
        let read = if e < want_end {
            let last = list.rows.last().map(ReviewKey::of);
            store.review_after(secs, last.as_ref(), want_end - e).map(|more| {
                list.rows.extend(more);
            })
        } else if s > want_start {
            let first = list.rows.first().map(ReviewKey::of);
            store
                .review_before(secs, first.as_ref(), s - want_start)
                .map(|mut more| {
                    list.start -= more.len().min(list.start);
                    more.reverse();
                    more.append(&mut list.rows);
                    list.rows = more;
                })
        } else {
            // The whole review, for opening the filter: read on a thread of its own, taken
            // when it has ended (never waited for here). The first and last pages (`Home`,
            // `End`) come from it; read here only when that read failed.
            list.collect_whole(&now, false);
            let failed = list.failed.is_some_and(|at| at.same_store(&now));
            if list.whole_read_ahead(&now).is_none() && list.reading.is_none() && !failed {
                list.whole = None;
                let (rx, reader) = read_whole_review(store.path().to_path_buf(), today);
                list.reading = Some((now, rx));
                list.readers.retain(|r| !r.is_finished());
                list.readers.push(reader);
            }
            let n = (2 * page).min(total);
            let ends = list.whole_read_ahead(&now).map(|rows| {
                let head = rows[..n.min(rows.len())].to_vec();
                let tail = rows[rows.len() - n.min(rows.len())..].iter().rev().cloned().collect();
                (head, tail)
            });
            let head_stale = list.head.as_ref().is_none_or(|(at, _)| *at != now);
            let tail_stale = list.tail.as_ref().is_none_or(|(at, _)| *at != now);
            if !head_stale && !tail_stale {
                return false;
            }
            match ends {
                Some((head, tail)) => {
                    list.head = Some((now, head));
                    list.tail = Some((now, tail));
                    return true;
                }
                // (Their length depends on the screen's height: read again after a resize.)
                None if failed && head_stale => store
                    .review_after(&list.sections, None, n)
                    .map(|rows| list.head = Some((now, rows))),
                None if failed => store
                    .review_before(&list.sections, None, n)
                    .map(|rows| list.tail = Some((now, rows))),
                None => return false,
            }
        };
        if read.is_err() {
            return false;
        }
        // The window stays the pages around the selection.
        let keep_from = want_start.max(list.start);
        let keep_to = want_end.min(list.start + list.rows.len());
        if keep_from > list.start || keep_to < list.start + list.rows.len() {
            list.rows = list.rows[keep_from - list.start..keep_to.max(keep_from) - list.start].to_vec();
            list.start = keep_from;
        }
        true
    }

    // ---- filters --------------------------------------------------------------------------

    pub fn refilter_clients(&mut self) {
        let names: Vec<String> = self.clients.iter().map(|c| c.client.name.clone()).collect();
        self.client_rows = match &self.client_filter {
            Some(f) => f.matches(names.iter().map(String::as_str)),
            None => (0..self.clients.len()).collect(),
        };
        self.client_sel = self.client_sel.min(self.client_rows.len());
    }

    /// Applies the task filter to the scope's tasks; the selection follows its record.
    pub fn refilter_tasks(&mut self) {
        let keep = self.tasks.selected_id();
        if let Some(f) = &self.tasks.filter {
            let hay: Vec<String> = self
                .tasks
                .all
                .iter()
                .map(|t| format!("{} {}", t.title, t.client))
                .collect();
            let keep_rows = f.matches(hay.iter().map(String::as_str));
            let rows: Vec<Task> = keep_rows.iter().map(|&i| self.tasks.all[i].clone()).collect();
            self.tasks.selected = follow(rows.iter().map(|t| t.id), keep, self.tasks.selected, rows.len());
            self.tasks.rows = rows;
            self.tasks.keys.clear();
            self.tasks.searched = None;
            self.tasks.start = 0;
        }
    }

    /// Applies the review's filter to the whole review (read when the filter opened). A
    /// query that only grew looks among the last matches alone, and scores only its new words.
    pub fn refilter_review(&mut self) {
        let list = &mut self.review;
        let Some(f) = &list.filter else {
            return;
        };
        list.found.refine(f.query());
        list.start = 0;
        list.selected = list.selected.min(list.found.order().len().saturating_sub(1));
    }

    // ---- moving ---------------------------------------------------------------------------

    /// Moves the focused list's selection; returns whether the selected client changed.
    pub fn move_selection(&mut self, m: Move) -> bool {
        let page = self.page();
        let step = |sel: usize, len: usize| -> usize {
            if len == 0 {
                return 0;
            }
            match m {
                Move::Up => sel.saturating_sub(1),
                Move::Down => (sel + 1).min(len - 1),
                Move::Top => 0,
                Move::Bottom => len - 1,
                Move::PageUp => sel.saturating_sub(page),
                Move::PageDown => (sel + page).min(len - 1),
            }
        };
        match (self.view, self.focus) {
            (View::Review, _) => {
                self.review.selected = step(self.review.selected, self.review.len());
                false
            }
            (View::Month, _) => {
                self.money.sel = step(self.money.sel, self.money.lines.len());
                false
            }
            (View::Desk, Pane::Clients) => {
                let before = self.client_sel;
                self.client_sel = step(self.client_sel, self.client_rows.len() + 1);
                before != self.client_sel
            }
            (View::Desk, Pane::Tasks) => {
                self.tasks.selected = step(self.tasks.selected, self.tasks.len());
                false
            }
            (View::Desk, Pane::Flags) => {
                self.flag_sel = step(self.flag_sel, self.flags_total);
                false
            }
        }
    }
}

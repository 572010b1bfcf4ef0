//! The desk's model: what is shown, what is selected, what popup is open. It reads from the
//! store (only what is visible) but never writes; writes happen in `update`.

use chrono::{NaiveDate, NaiveDateTime};

use super::filter::Filter;
use super::form::Popup;
use super::keys::{KeyCtx, Move};
pub use super::review_list::{ReviewList, Whole};
use crate::config::Config;
use crate::domain::red_flag::Assessment;
use crate::domain::{Flag, ReviewItem, ScoreRules, Task};
use crate::error::Result;
use crate::i18n::Lang;
use crate::store::{ClientSummary, Counts, Store, TaskFilter, TaskKey};

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
        match &self.searched {
            _ if self.browsing() => self.total,
            Some((_, ids)) => ids.len(),
            None => self.rows.len(),
        }
    }

    /// Whether the list is read by keyset windows from its whole scope: without a filter, and
    /// on "All clients" while the filter holds no word yet (neither the index's matches nor
    /// one client's tasks loaded whole).
    pub fn browsing(&self) -> bool {
        self.filter.is_none() || (self.searched.is_none() && self.all.is_empty())
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

    /// The rows read and where they are (no filter): to give back later.
    fn window_copy(&self) -> TaskList {
        TaskList {
            total: self.total,
            rows: self.rows.clone(),
            keys: self.keys.clone(),
            start: self.start,
            selected: self.selected,
            ..TaskList::default()
        }
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

/// The page holding row `at` of a list of `total` rows (its first row), and the rows kept
/// around it: from a page before it to the end of the page after it.
pub(super) fn pages_around(at: usize, page: usize, total: usize) -> (usize, usize, usize) {
    let top = (at / page) * page;
    (top, top.saturating_sub(page), (top + 2 * page).min(total))
}

/// The rows that must be read for row `at` of `total`, whatever page of a list up to `page`
/// rows high shows it: a list draws its pages from multiples of its own height, which is not
/// the window's, so a page holding `at` may start up to `page - 1` rows before it and end up
/// to `page` rows after it.
pub(super) fn rows_needed(at: usize, page: usize, total: usize) -> (usize, usize) {
    (at.saturating_sub(page.saturating_sub(1)), (at + page).min(total))
}

/// The rows `list` draws with row `at` selected, of `total`: its page, when the list was drawn
/// before (it shows `shown` rows: pages start at multiples of that), else every row a page up
/// to `page` rows high could show (see [`rows_needed`]).
pub(super) fn rows_drawn(shown: Option<usize>, at: usize, page: usize, total: usize) -> (usize, usize) {
    match shown.filter(|h| (1..=page).contains(h)) {
        Some(h) => {
            let top = at / h * h;
            (top, (top + h).min(total))
        }
        None => rows_needed(at, page, total),
    }
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
    /// On "All clients", the selected row of the ranking in that pane (its place, worst first),
    /// and the client on it: after a reload the selection follows the client.
    pub rank_sel: usize,
    pub rank_id: Option<i64>,
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
    /// "All clients" as selecting it shows it (its first page of tasks), and when that was
    /// read: selecting it again while the store, the day and the height are the same reads
    /// nothing.
    pub all_kept: Option<Box<(super::client_view::Stamp, TaskList)>>,
    /// The running timer and the Month view.
    pub money: super::time_actions::MoneyState,
    /// How many rows each list showed in the last frame.
    pub shown: Shown,
}

/// The lists PgUp / PgDn move in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listed {
    Clients,
    Tasks,
    Flags,
    Ranking,
    Review,
    Month,
    Quotes,
    Meetings,
    Time,
}

/// How many rows each list showed in the last frame, written as it is drawn: a page key moves
/// by that, so a list turns exactly one of its pages and no row is skipped.
#[derive(Debug, Default)]
pub struct Shown([std::cell::Cell<u16>; 9]);

impl Shown {
    pub fn set(&self, list: Listed, rows: usize) {
        self.0[list as usize].set(u16::try_from(rows).unwrap_or(u16::MAX));
    }

    pub fn get(&self, list: Listed) -> Option<usize> {
        Some(usize::from(self.0[list as usize].get())).filter(|&n| n > 0)
    }
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
            rank_sel: 0,
            rank_id: None,
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
            all_kept: None,
            money: super::time_actions::MoneyState::new(crate::domain::money::Month::of(now.date())),
            shown: Shown::default(),
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
            View::Review => self.review_item().map(|r| (r.client_id, r.client.to_string())),
            View::Month => self.money.line().map(|l| (l.client.id, l.client.name.clone())),
            View::Desk => match (self.client(), self.focus, self.tasks.current()) {
                (Some(c), _, _) => Some((c.client.id, c.client.name.clone())),
                (None, Pane::Tasks, Some(t)) => Some((t.client_id, t.client.clone())),
                (None, Pane::Flags, _) => self.ranked().map(|c| (c.client.id, c.client.name.clone())),
                _ => None,
            },
        }
    }

    /// Whether the terminal is smaller than the desk can be drawn in (it then shows only that).
    pub fn too_small(&self) -> bool {
        self.size.0 < super::ui::MIN_WIDTH || self.size.1 < super::ui::MIN_HEIGHT
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

    /// Rows of list body that fit on screen at most: how far around the selection rows are read.
    pub fn page(&self) -> usize {
        (self.size.1 as usize).saturating_sub(8).max(1)
    }

    /// The rows a page of `list` shows as it was last drawn, else (not drawn since the screen
    /// changed) the most any list can show.
    pub fn drawn_page(&self, list: Listed) -> usize {
        let page = self.page();
        self.shown.get(list).filter(|h| (1..=page).contains(h)).unwrap_or(page)
    }

    /// How far PgUp / PgDn move in `list`: the rows it showed, before it is first drawn the
    /// most any list can show.
    pub fn page_of(&self, list: Listed) -> usize {
        self.shown.get(list).unwrap_or_else(|| self.page())
    }

    pub fn info(&mut self, text: String) {
        self.notice = Some(Notice { text, error: false });
    }

    /// What happened in the background (the tick, a sync): said unless an error is on screen,
    /// which stays until a key is pressed.
    pub fn info_aside(&mut self, text: String) {
        if !self.notice.as_ref().is_some_and(|n| n.error) {
            self.info(text);
        }
    }

    pub fn error(&mut self, text: String) {
        self.notice = Some(Notice { text, error: true });
    }

    /// A client's tasks to do and delivered ones, counted apart.
    pub fn counts_of(&self, client_id: i64) -> (u32, u32) {
        self.task_counts.get(&client_id).copied().unwrap_or((0, 0))
    }

    /// The ranking's selection back on its client after the clients were read again (their
    /// scores, and so their order, may have changed); on the same place when it is gone.
    pub fn follow_ranked(&mut self) {
        let Some(id) = self.rank_id else { return };
        match self.ranking().iter().position(|c| c.client.id == id) {
            Some(at) => self.rank_sel = at,
            None => {
                self.rank_sel = self.rank_sel.min(self.clients.len().saturating_sub(1));
                self.rank_id = self.ranked().map(|c| c.client.id);
            }
        }
    }

    /// The client selected in "All clients"' ranking.
    pub fn ranked(&self) -> Option<&ClientSummary> {
        if self.clients.is_empty() {
            return None;
        }
        let at = self.rank_sel.min(self.clients.len() - 1);
        self.ranking_top(at + 1).pop()
    }

    /// Every client, worst score first (the overview of "All clients").
    pub fn ranking(&self) -> Vec<&ClientSummary> {
        self.ranking_top(self.clients.len())
    }

    /// The first `n` of [`App::ranking`], in its order, without putting the rest in order
    /// (the pane shows a screenful of a thousand clients on every frame): for a screenful, the
    /// best `n` so far are kept in order, and most clients take one comparison with the last.
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
        let key = |(i, c): (usize, &ClientSummary)| (c.score, c.verdict.severity(), i);
        if n.saturating_mul(8) >= clients.len() {
            // A good part of the list (a page far down the ranking, or all of it): sorted,
            // where keeping the best in order would move them once per client.
            let mut all: Vec<(f64, u8, usize)> = clients.iter().enumerate().map(key).collect();
            all.sort_unstable_by(order);
            all.truncate(n);
            return all.into_iter().map(|(_, _, i)| &clients[i]).collect();
        }
        let mut top: Vec<(f64, u8, usize)> = Vec::with_capacity(n + 1);
        for (i, c) in clients.iter().enumerate() {
            let key = key((i, c));
            if top.len() == n && top.last().is_some_and(|last| order(&key, last).is_ge()) {
                continue;
            }
            let at = top.partition_point(|k| order(k, &key).is_lt());
            top.insert(at, key);
            top.truncate(n);
        }
        top.into_iter().map(|(_, _, i)| &clients[i]).collect()
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
                self.deals.read_times(store, Some(id))?;
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
        // The ranking's selected client, moved to or not.
        self.rank_id = self.rank_id.or_else(|| self.ranked().map(|c| c.client.id));
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
        self.follow_ranked();
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
            return self.show_all_clients(store);
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
        self.deals.read_times(store, Some(id))?;
        self.kept.put(stamp, view);
        Ok(())
    }

    /// "All clients" just selected: its first page as kept when the store is unchanged since
    /// it was read, else read (and kept).
    fn show_all_clients(&mut self, store: &Store) -> Result<()> {
        if self.tasks.filter.is_some() {
            return self.reload_selection(store);
        }
        let stamp = self.stamp(store)?;
        if let Some(kept) = self.all_kept.as_deref().filter(|k| k.0 == stamp) {
            let list = &kept.1;
            self.tasks.total = list.total;
            self.tasks.rows.clone_from(&list.rows);
            self.tasks.keys.clone_from(&list.keys);
            self.tasks.start = list.start;
            self.tasks.selected = list.selected;
            // As `reload_selection` leaves "All clients".
            self.assessment = None;
            self.deals.load(store, None)?;
            return Ok(());
        }
        self.reload_selection(store)?;
        self.all_kept = Some(Box::new((stamp, self.tasks.window_copy())));
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
        self.deals
            .load_from(v.id, v.currency, v.quotes(), v.meetings(), v.times());
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
        if !self.tasks.browsing() {
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
        let (_, want_start, want_end) = pages_around(list.selected, page, list.total);
        let (need_start, need_end) = rows_drawn(self.shown.get(Listed::Tasks), list.selected, page, list.total);
        let (s, e) = (list.start, list.start + list.keys.len());
        if !list.keys.is_empty() && need_start >= s && need_end <= e {
            return Ok(());
        }
        let near = !list.keys.is_empty() && need_start <= e && need_end >= s;
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
        let kept = self.tasks.window_copy();
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
        let drawn = self.drawn_page(Listed::Tasks);
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
        // The rows any page of the list holding the selection shows: a page less one before
        // the record, a page from it on. A page is the list's as it was last drawn (else the
        // most any list can show); moving on reads on from the window's edges.
        let mut keys = store.task_keys_before(scope, Some(&anchor), drawn - 1)?;
        let after = store.task_keys_after(scope, Some(&anchor), true, drawn)?;
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

    // ---- moving ---------------------------------------------------------------------------

    /// Moves the focused list's selection; returns whether the selected client changed.
    pub fn move_selection(&mut self, m: Move) -> bool {
        let list = match (self.view, self.focus) {
            (View::Review, _) => Listed::Review,
            (View::Month, _) => Listed::Month,
            (View::Desk, Pane::Clients) => Listed::Clients,
            (View::Desk, Pane::Tasks) => Listed::Tasks,
            (View::Desk, Pane::Flags) if self.client().is_none() => Listed::Ranking,
            (View::Desk, Pane::Flags) => Listed::Flags,
        };
        let page = self.page_of(list);
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
        match list {
            Listed::Review => {
                self.review.selected = step(self.review.selected, self.review.len());
                false
            }
            Listed::Month => {
                self.money.sel = step(self.money.sel, self.money.lines.len());
                false
            }
            Listed::Clients => {
                let before = self.client_sel;
                self.client_sel = step(self.client_sel, self.client_rows.len() + 1);
                before != self.client_sel
            }
            Listed::Tasks => {
                self.tasks.selected = step(self.tasks.selected, self.tasks.len());
                false
            }
            Listed::Ranking => {
                self.rank_sel = step(self.rank_sel, self.clients.len());
                self.rank_id = self.ranked().map(|c| c.client.id);
                false
            }
            // The quotes' and meetings' tabs move in `deals`.
            Listed::Flags | Listed::Quotes | Listed::Meetings | Listed::Time => {
                self.flag_sel = step(self.flag_sel, self.flags_total);
                false
            }
        }
    }
}

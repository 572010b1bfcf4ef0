//! The daily review's queries: each section is one indexed query, so the review stays fast
//! however much history the store holds.

use chrono::{Datelike, Duration, NaiveDate};
use rusqlite::{params, Row};

use super::{date, date_at, day, opt_date, parse_day, text_at, Store};
use crate::domain::review::{self, ReviewItem, ReviewKind, ReviewLines, TaskLines};
use crate::domain::{dates, RequestKind};
use crate::error::{Error, Result};
use crate::i18n::{tf, T};

/// Days ahead that "coming up" looks.
const DUE_SOON_DAYS: i64 = 2;

/// Rows hidden by a snooze come back on the snooze date (`?1` is today).
macro_rules! not_snoozed {
    () => {
        " AND (x.snoozed_until IS NULL OR x.snoozed_until <= ?1)"
    };
}

pub(super) const REQUEST_ROWS: &str = concat!(
    "SELECT x.id, x.kind, c.id, c.name, t.id, t.title, t.due, x.expected_by, x.nudges, x.what
     FROM live_requests l CROSS JOIN requests x ON x.id = l.request_id
       JOIN tasks t ON t.id = x.task_id JOIN clients c ON c.id = t.client_id
     WHERE l.kind = ?3 AND l.expected_by <= ?2",
    not_snoozed!()
);

/// The status bar's late counts (as the tick counts them: snoozed or not), from the kept open
/// requests of live tasks.
pub(super) const LATE_REQUEST_COUNTS: &str =
    "SELECT count(*) FROM live_requests x WHERE x.kind = ?1 AND x.expected_by < ?2";

/// The review's tasks: the client's name is looked up in `CLIENT_NAMES`, read once, rather
/// than in the clients' table for every task, and a task waiting on the client (an open
/// request: `live_requests` holds those of every live task) is left out with one look at
/// that table's index rather than a search of the requests for every task.
pub(super) const TASK_ROWS: &str = concat!(
    "SELECT x.id, x.client_id, x.title, x.due FROM tasks x
     WHERE x.status IN ('todo', 'doing') AND x.due <= ?1
       AND x.id NOT IN (SELECT task_id FROM live_requests)",
    not_snoozed!()
);

/// How many open tasks are due by `?1`: from the kept tally of tasks by due date, the most
/// task rows the review can have (a delivered, snoozed or waiting task is counted but left
/// out), so its rows are gathered in room made once.
pub(super) const TASK_ROWS_AT_MOST: &str =
    "SELECT coalesce(sum(n), 0) FROM task_due_tally WHERE closed = 0 AND no_due = 0 AND due <= ?1";

/// Every client's name, by id.
pub(super) const CLIENT_NAMES: &str = "SELECT id, name FROM clients ORDER BY id";

pub(super) const QUOTE_ROWS: &str = concat!(
    "SELECT x.id, c.id, c.name, x.amount_cents, x.answer_by, c.currency, x.description FROM quotes x JOIN clients c ON c.id = x.client_id
     WHERE x.status = 'pending' AND x.answer_by < ?1",
    not_snoozed!()
);

pub(super) const MEETING_ROWS: &str = concat!(
    "SELECT x.id, c.id, c.name, x.kind, x.at FROM meetings x JOIN clients c ON c.id = x.client_id
     WHERE x.attendance = 'pending' AND x.at < ?2",
    not_snoozed!()
);

pub(super) const WEEKLY_ROWS: &str =
    "SELECT c.id, c.name, c.review_day, c.review_snoozed_until, c.created_on FROM clients c
     WHERE c.status = 'active' AND c.review_day IS NOT NULL";

/// One section of the review read from SQL, for the desk's windows: its rows in the review's
/// order (`key`: the row's date, or a meeting's date and time; then the client's name
/// lower-cased as `review::sort` does it; then the id), read by keyset from an index on
/// `col`. Parameters: `:today`, `:soon` (due soon), `:tomorrow`; `:k`, `:kb` (`:k` then `~`),
/// `:n`, `:i` for the keyset; `:lim`.
struct Section {
    kind: ReviewKind,
    from: &'static str,
    key: &'static str,
    col: &'static str,
    row: fn(&Store, &Row, NaiveDate) -> rusqlite::Result<ReviewItem>,
}

const REQUEST_COLS: &str = "x.id, x.kind, c.id, c.name, t.id, t.title, t.due, x.expected_by, x.nudges, x.what";
/// A request's task is live: asked as a scalar subquery, never `EXISTS`, which SQLite may
/// turn into a join and place after the task's and client's rows; this way it is asked from
/// the request's index entry alone, before any table row is read (most open requests past
/// their date are on closed tasks).
const REQUEST_LIVE: &str = "x.received_on IS NULL
       AND (SELECT 1 FROM tasks l INDEXED BY tasks_live_ids WHERE l.id = x.task_id AND l.status IN ('todo', 'doing', 'delivered')) IS NOT NULL
       AND (x.snoozed_until IS NULL OR x.snoozed_until <= :today)";
const TASK_LIVE: &str = "x.status IN ('todo', 'doing')
       AND NOT EXISTS (SELECT 1 FROM requests r WHERE r.task_id = x.id AND r.received_on IS NULL)
       AND (x.snoozed_until IS NULL OR x.snoozed_until <= :today)";

/// The sections read from SQL, in SPEC order (weekly reviews, a timer left running and
/// retainers are per client: `ReviewSections::extra`).
fn sections() -> [Section; 8] {
    [
        Section {
            kind: ReviewKind::FeedbackOverdue,
            from: "FROM requests x JOIN tasks t ON t.id = x.task_id JOIN clients c ON c.id = t.client_id
                   WHERE x.kind = 'feedback' AND x.expected_by < :today",
            key: "x.expected_by",
            col: "x.expected_by",
            row: |_, r, today| request_item(r, today),
        },
        Section {
            kind: ReviewKind::MaterialLate,
            from: "FROM requests x JOIN tasks t ON t.id = x.task_id JOIN clients c ON c.id = t.client_id
                   WHERE x.kind = 'material' AND x.expected_by < :today",
            key: "x.expected_by",
            col: "x.expected_by",
            row: |_, r, today| request_item(r, today),
        },
        Section {
            kind: ReviewKind::TaskOverdue,
            from: "FROM tasks x JOIN clients c ON c.id = x.client_id WHERE x.due < :today",
            key: "x.due",
            col: "x.due",
            row: |_, r, today| task_item(r, today),
        },
        Section {
            kind: ReviewKind::TaskDueToday,
            from: "FROM tasks x JOIN clients c ON c.id = x.client_id WHERE x.due = :today",
            key: "x.due",
            col: "x.due",
            row: |_, r, today| task_item(r, today),
        },
        Section {
            kind: ReviewKind::QuoteUnanswered,
            from: "FROM quotes x JOIN clients c ON c.id = x.client_id
                   WHERE x.status = 'pending' AND x.answer_by < :today
                     AND (x.snoozed_until IS NULL OR x.snoozed_until <= :today)",
            key: "x.answer_by",
            col: "x.answer_by",
            row: |s, r, today| quote_item(s, r, today),
        },
        Section {
            kind: ReviewKind::MeetingToday,
            from: "FROM meetings x JOIN clients c ON c.id = x.client_id
                   WHERE x.attendance = 'pending' AND x.at >= :today AND x.at < :tomorrow
                     AND (x.snoozed_until IS NULL OR x.snoozed_until <= :today)",
            key: "substr(x.at, 1, 16)",
            col: "x.at",
            row: |_, r, today| meeting_item(r, today),
        },
        Section {
            kind: ReviewKind::AttendanceUnrecorded,
            from: "FROM meetings x JOIN clients c ON c.id = x.client_id
                   WHERE x.attendance = 'pending' AND x.at < :today
                     AND (x.snoozed_until IS NULL OR x.snoozed_until <= :today)",
            key: "substr(x.at, 1, 16)",
            col: "x.at",
            row: |_, r, today| meeting_item(r, today),
        },
        Section {
            kind: ReviewKind::DueSoon,
            from: "FROM requests x JOIN tasks t ON t.id = x.task_id JOIN clients c ON c.id = t.client_id
                   WHERE x.kind IN ('feedback', 'material') AND x.expected_by >= :today AND x.expected_by <= :soon",
            key: "x.expected_by",
            col: "x.expected_by",
            row: |_, r, today| request_item(r, today),
        },
    ]
}

impl Section {
    fn cols(&self) -> &'static str {
        match self.kind {
            k if k.is_request() => REQUEST_COLS,
            k if k.is_task() => "x.id, c.id, c.name, x.title, x.due",
            ReviewKind::QuoteUnanswered => "x.id, c.id, c.name, x.amount_cents, x.answer_by, c.currency, x.description",
            _ => "x.id, c.id, c.name, x.kind, x.at",
        }
    }

    fn live(&self) -> &'static str {
        match self.kind {
            k if k.is_request() => REQUEST_LIVE,
            k if k.is_task() => TASK_LIVE,
            _ => "1",
        }
    }

    /// The section's rows read in order of its date: a request's from the index of open
    /// requests that holds their task and snooze (the planner, without statistics, may take
    /// the other one and read every request's row to find them).
    fn seek_from(&self) -> String {
        if self.kind.is_request() {
            self.from
                .replacen("FROM requests x", "FROM requests x INDEXED BY requests_open_live", 1)
        } else {
            self.from.to_string()
        }
    }

    /// The section's count, and the earliest and latest of its dates (for column widths).
    fn count_sql(&self) -> String {
        format!(
            "SELECT count(*), min({k}), max({k}) {from} AND {live}",
            k = self.key,
            from = self.seek_from(),
            live = self.live()
        )
    }

    /// Rows after (`forward`) or before a row's place, nearest first; from the section's start
    /// or end without one.
    fn page_sql(&self, forward: bool, keyset: bool) -> String {
        let (k, from, live) = (self.key, self.seek_from(), self.live());
        let name = "vadesk_lower(c.name)";
        let (cmp, bound, dir) = if forward {
            (">", format!("{} >= :k", self.col), "")
        } else {
            ("<", format!("{} <= :kb", self.col), " DESC")
        };
        let seek = if keyset {
            format!(
                " AND {bound} AND ({k} {cmp} :k OR ({k} = :k AND ({name} {cmp} :n OR ({name} = :n AND x.id {cmp} :i))))"
            )
        } else {
            String::new()
        };
        format!(
            "SELECT {cols} {from} AND {live}{seek} ORDER BY {k}{dir}, {name}{dir}, x.id{dir} LIMIT :lim",
            cols = self.cols()
        )
    }

    /// How many rows of the section come before a place.
    fn before_sql(&self) -> String {
        let (k, from, live) = (self.key, self.seek_from(), self.live());
        let name = "vadesk_lower(c.name)";
        format!(
            "SELECT count(*) {from} AND {live} AND {col} <= :kb
               AND ({k} < :k OR ({k} = :k AND ({name} < :n OR ({name} = :n AND x.id < :i))))",
            col = self.col
        )
    }

    /// The section's row of one record, if it is in the section.
    fn one_sql(&self) -> String {
        format!(
            "SELECT {cols} {from} AND {live} AND x.id = :i",
            cols = self.cols(),
            from = self.from,
            live = self.live()
        )
    }
}

/// A row's place in the review's order, as the section queries compare it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ReviewKey {
    pub kind: ReviewKind,
    /// The row's date (`YYYY-MM-DD`), with a meeting's time after it.
    pub at: String,
    /// The client's name, lower-cased.
    pub name: String,
    pub id: i64,
}

impl ReviewKey {
    pub fn of(it: &ReviewItem) -> ReviewKey {
        let mut at = it.date.map(day).unwrap_or_default();
        if let Some(t) = &it.detail().time {
            at.push(' ');
            at.push_str(t);
        }
        ReviewKey {
            kind: it.kind,
            at,
            name: it.client.to_lowercase(),
            id: it.id,
        }
    }
}

/// The review's shape on a day, for the desk: how many rows each section holds (from index
/// counts), the widths its columns need, and the rows kept per client (weekly reviews, a
/// timer left running, retainers), which are few.
#[derive(Debug, Clone, Default)]
pub struct ReviewSections {
    pub today: Option<NaiveDate>,
    /// Rows per section, in `ReviewKind::ALL` order.
    pub counts: [usize; ReviewKind::ALL.len()],
    /// The most and fewest days late of any row (for the lateness column's width).
    pub late_range: Option<(i64, i64)>,
    pub extra: Vec<ReviewItem>,
}

impl ReviewSections {
    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }

    /// The section of the row at `pos`.
    pub fn kind_at(&self, pos: usize) -> Option<ReviewKind> {
        let mut end = 0;
        for (k, n) in ReviewKind::ALL.iter().zip(self.counts) {
            end += n;
            if pos < end {
                return Some(*k);
            }
        }
        None
    }

    /// Where a section's rows start.
    pub fn section_start(&self, kind: ReviewKind) -> usize {
        ReviewKind::ALL
            .iter()
            .zip(self.counts)
            .take_while(|(k, _)| **k != kind)
            .map(|(_, n)| n)
            .sum()
    }

    /// The sections that hold rows.
    pub fn present(&self) -> impl Iterator<Item = ReviewKind> + '_ {
        ReviewKind::ALL
            .iter()
            .zip(self.counts)
            .filter(|(_, n)| *n > 0)
            .map(|(k, _)| *k)
    }
}

fn is_extra(kind: ReviewKind) -> bool {
    matches!(
        kind,
        ReviewKind::WeeklyReview | ReviewKind::TimerRunning | ReviewKind::RetainerUsedUp | ReviewKind::RetainerNear
    )
}

fn section_index(kind: ReviewKind) -> usize {
    ReviewKind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
}

impl Store {
    /// The review's sections on `today`: counts from the indexes, the per-client rows whole.
    pub fn review_sections(&self, today: NaiveDate) -> Result<ReviewSections> {
        let mut out = ReviewSections {
            today: Some(today),
            ..Default::default()
        };
        let mut late: Option<(i64, i64)> = None;
        let mut widen = |lo: i64, hi: i64| {
            late = Some(match late {
                Some((a, b)) => (a.min(lo), b.max(hi)),
                None => (lo, hi),
            });
        };
        for s in sections() {
            let mut q = self.conn.prepare_cached(&s.count_sql())?;
            bind_day_params(&mut q, today)?;
            let mut rows = q.raw_query();
            if let Some(r) = rows.next()? {
                let n: i64 = r.get(0)?;
                out.counts[section_index(s.kind)] = n as usize;
                if n > 0 {
                    let first = opt_date(r.get::<_, Option<String>>(1)?.map(|d| d.chars().take(10).collect()));
                    let last = opt_date(r.get::<_, Option<String>>(2)?.map(|d| d.chars().take(10).collect()));
                    if let (Some(a), Some(b)) = (first, last) {
                        widen((today - b).num_days().max(0), (today - a).num_days().max(0));
                    }
                }
            }
        }
        let mut extra = Vec::new();
        self.weekly_rows(today, &mut extra)?;
        self.money_rows(today, &mut extra)?;
        review::sort(&mut extra);
        for it in &extra {
            out.counts[section_index(it.kind)] += 1;
            widen(it.days_late, it.days_late);
        }
        out.late_range = late;
        out.extra = extra;
        Ok(out)
    }

    /// Up to `limit` rows of the review after `after` (from the start without one), in order.
    pub fn review_after(&self, s: &ReviewSections, after: Option<&ReviewKey>, limit: usize) -> Result<Vec<ReviewItem>> {
        self.review_page(s, after, limit, true)
    }

    /// Up to `limit` rows of the review before `before` (from the end without one), nearest
    /// first.
    pub fn review_before(
        &self,
        s: &ReviewSections,
        before: Option<&ReviewKey>,
        limit: usize,
    ) -> Result<Vec<ReviewItem>> {
        self.review_page(s, before, limit, false)
    }

    fn review_page(
        &self,
        s: &ReviewSections,
        from: Option<&ReviewKey>,
        limit: usize,
        forward: bool,
    ) -> Result<Vec<ReviewItem>> {
        let today = s.today.unwrap_or_default();
        let mut out = Vec::new();
        let mut kinds: Vec<ReviewKind> = ReviewKind::ALL.to_vec();
        if !forward {
            kinds.reverse();
        }
        let sql = sections();
        for kind in kinds {
            if out.len() >= limit {
                break;
            }
            // Sections wholly before (or after) the place are skipped.
            let seek = match from {
                Some(k) if k.kind == kind => Some(k),
                Some(k) if (k.kind > kind) == forward => continue,
                _ => None,
            };
            if s.counts[section_index(kind)] == 0 && seek.is_none() {
                continue;
            }
            let want = limit - out.len();
            if is_extra(kind) {
                let rows = s.extra.iter().filter(|it| it.kind == kind);
                let wanted = |it: &&ReviewItem| match seek {
                    Some(k) if forward => ReviewKey::of(it) > *k,
                    Some(k) => ReviewKey::of(it) < *k,
                    None => true,
                };
                if forward {
                    out.extend(rows.filter(wanted).take(want).cloned());
                } else {
                    out.extend(rows.rev().filter(wanted).take(want).cloned());
                }
                continue;
            }
            let Some(sec) = sql.iter().find(|x| x.kind == kind) else {
                continue;
            };
            let mut q = self.conn.prepare_cached(&sec.page_sql(forward, seek.is_some()))?;
            bind_day_params(&mut q, today)?;
            if let Some(k) = seek {
                bind_key(&mut q, k)?;
            }
            bind(&mut q, ":lim", want as i64)?;
            let mut rows = q.raw_query();
            while let Some(r) = rows.next()? {
                out.push((sec.row)(self, r, today)?);
            }
        }
        Ok(out)
    }

    /// Late materials and overdue feedback, for the desk's status bar (the tick's counts).
    pub fn late_request_counts(&self, today: NaiveDate) -> Result<super::Counts> {
        let mut q = self.conn.prepare_cached(LATE_REQUEST_COUNTS)?;
        let mut count =
            |kind: RequestKind| -> Result<u32> { Ok(q.query_row(params![kind.key(), day(today)], |r| r.get(0))?) };
        Ok(super::Counts {
            feedback_overdue: count(RequestKind::Feedback)?,
            material_late: count(RequestKind::Material)?,
        })
    }

    /// How many rows of the review come before a place.
    pub fn review_position(&self, s: &ReviewSections, key: &ReviewKey) -> Result<usize> {
        let today = s.today.unwrap_or_default();
        let start = s.section_start(key.kind);
        if is_extra(key.kind) {
            let n = s
                .extra
                .iter()
                .filter(|it| it.kind == key.kind && ReviewKey::of(it) < *key)
                .count();
            return Ok(start + n);
        }
        let Some(sec) = sections().into_iter().find(|x| x.kind == key.kind) else {
            return Ok(start);
        };
        let mut q = self.conn.prepare_cached(&sec.before_sql())?;
        bind_day_params(&mut q, today)?;
        bind_key(&mut q, key)?;
        let mut rows = q.raw_query();
        let n: i64 = match rows.next()? {
            Some(r) => r.get(0)?,
            None => 0,
        };
        Ok(start + n as usize)
    }

    /// The review's row about a record (`kind` says which table: a request, a task, a quote,
    /// a meeting, a client), in whatever section it is now; None when it left the review.
    pub fn review_row(&self, s: &ReviewSections, kind: ReviewKind, id: i64) -> Result<Option<ReviewItem>> {
        let today = s.today.unwrap_or_default();
        let same_table = |k: ReviewKind| {
            (k.is_request() && kind.is_request())
                || (k.is_task() && kind.is_task())
                || (k.is_meeting() && kind.is_meeting())
                || k == kind
        };
        if is_extra(kind) {
            return Ok(s.extra.iter().find(|it| it.kind == kind && it.id == id).cloned());
        }
        for sec in sections().iter().filter(|x| same_table(x.kind)) {
            let mut q = self.conn.prepare_cached(&sec.one_sql())?;
            bind_day_params(&mut q, today)?;
            bind(&mut q, ":i", id)?;
            let mut rows = q.raw_query();
            if let Some(r) = rows.next()? {
                return Ok(Some((sec.row)(self, r, today)?));
            }
        }
        Ok(None)
    }

    /// The window queries, for the plan checks.
    pub(super) fn review_window_queries() -> Vec<(String, String)> {
        let mut out = Vec::new();
        for s in sections() {
            let k = s.kind.key();
            out.push((format!("review window: {k} count"), s.count_sql()));
            out.push((format!("review window: {k} first"), s.page_sql(true, false)));
            out.push((format!("review window: {k} last"), s.page_sql(false, false)));
            out.push((format!("review window: {k} after"), s.page_sql(true, true)));
            out.push((format!("review window: {k} before"), s.page_sql(false, true)));
            out.push((format!("review window: {k} position"), s.before_sql()));
            out.push((format!("review window: {k} one"), s.one_sql()));
        }
        out
    }
}

fn bind<T: rusqlite::ToSql>(q: &mut rusqlite::CachedStatement<'_>, name: &str, v: T) -> Result<()> {
    if let Some(i) = q.parameter_index(name)? {
        q.raw_bind_parameter(i, v)?;
    }
    Ok(())
}

fn bind_day_params(q: &mut rusqlite::CachedStatement<'_>, today: NaiveDate) -> Result<()> {
    bind(q, ":today", day(today))?;
    bind(q, ":soon", day(today + Duration::days(DUE_SOON_DAYS)))?;
    bind(q, ":tomorrow", day(today + Duration::days(1)))?;
    Ok(())
}

fn bind_key(q: &mut rusqlite::CachedStatement<'_>, k: &ReviewKey) -> Result<()> {
    bind(q, ":k", k.at.as_str())?;
    bind(q, ":kb", format!("{}~", k.at))?;
    bind(q, ":n", k.name.as_str())?;
    bind(q, ":i", k.id)?;
    Ok(())
}

fn task_item(r: &Row, today: NaiveDate) -> rusqlite::Result<ReviewItem> {
    Ok(review::task_item(
        r.get(0)?,
        r.get(1)?,
        r.get::<_, std::sync::Arc<str>>(2)?,
        r.get(3)?,
        date_at(r, 4)?,
        today,
    ))
}

fn quote_item(s: &Store, r: &Row, today: NaiveDate) -> rusqlite::Result<ReviewItem> {
    let by = date_at(r, 4)?;
    let amount: i64 = r.get(3)?;
    let mut it = ReviewItem::new(
        ReviewKind::QuoteUnanswered,
        r.get(1)?,
        r.get::<_, String>(2)?,
        r.get(0)?,
        crate::domain::money::plain_cents(amount),
    );
    it.days_late = (today - by).num_days().max(0);
    it.date = Some(by);
    it.detail_mut().amount = Some(amount as f64 / 100.0);
    it.detail_mut().currency = Some(
        s.money_defaults()
            .currency_or_default(r.get::<_, Option<String>>(5)?.as_deref()),
    );
    it.detail_mut().about = r.get::<_, Option<String>>(6)?.filter(|d| !d.trim().is_empty());
    Ok(it)
}

fn meeting_item(r: &Row, today: NaiveDate) -> rusqlite::Result<ReviewItem> {
    let at: String = r.get(4)?;
    let on = dates::parse_iso_date(at.get(..10).unwrap_or("")).unwrap_or(today);
    let late = (today - on).num_days();
    let kind = if late > 0 {
        ReviewKind::AttendanceUnrecorded
    } else {
        ReviewKind::MeetingToday
    };
    let mkind: String = r.get(3)?;
    let mut it = ReviewItem::new(kind, r.get(1)?, r.get::<_, String>(2)?, r.get(0)?, mkind);
    it.days_late = late.max(0);
    it.date = Some(on);
    it.detail_mut().time = at.get(11..16).map(str::to_string);
    Ok(it)
}

impl Store {
    /// Everything that needs the VA on `today`, in SPEC order.
    pub fn review(&self, today: NaiveDate) -> Result<Vec<ReviewItem>> {
        Ok(self.review_lines(today)?.into_items())
    }

    /// The review as `review --json` writes it: the rows of [`Store::review`], in its order,
    /// the task rows (most of a big store's review) kept compactly.
    pub fn review_lines(&self, today: NaiveDate) -> Result<ReviewLines> {
        // One read of one state: a write committed meanwhile by another program is in all of
        // the review or in none of it.
        let mut review = self.reading(|s| {
            let mut items = Vec::new();
            s.request_rows(today, &mut items)?;
            let tasks = s.task_lines(today)?;
            s.quote_rows(today, &mut items)?;
            s.meeting_rows(today, &mut items)?;
            s.weekly_rows(today, &mut items)?;
            s.money_rows(today, &mut items)?;
            Ok(ReviewLines { items, tasks })
        })?;
        review::sort(&mut review.items);
        Ok(review)
    }

    fn request_rows(&self, today: NaiveDate, items: &mut Vec<ReviewItem>) -> Result<()> {
        let mut q = self.conn.prepare_cached(REQUEST_ROWS)?;
        let soon = today + Duration::days(DUE_SOON_DAYS);
        for kind in [RequestKind::Feedback, RequestKind::Material] {
            let rows = q.query_map(params![day(today), day(soon), kind.key()], |r| request_item(r, today))?;
            for row in rows {
                items.push(row?);
            }
        }
        Ok(())
    }

    fn task_lines(&self, today: NaiveDate) -> Result<TaskLines> {
        let at_most: i64 = self
            .conn
            .prepare_cached(TASK_ROWS_AT_MOST)?
            .query_row([day(today)], |r| r.get(0))?;
        // Room for every task row at once: a list that grows copies its rows at each step.
        let mut lines = TaskLines::new(today, usize::try_from(at_most).unwrap_or(0));
        // Each name read once, by id, and named by the rows of its client.
        let mut names: Vec<(i64, u32)> = Vec::new();
        {
            let mut q = self.conn.prepare_cached(CLIENT_NAMES)?;
            let mut rows = q.query([])?;
            while let Some(r) = rows.next()? {
                let id: i64 = r.get(0)?;
                names.push((id, lines.add_client(id, text_at(r, 1)?)));
            }
        }
        let mut q = self.conn.prepare_cached(TASK_ROWS)?;
        let mut rows = q.query([day(today)])?;
        // The rows come by due date: a date read is kept for the rows after it.
        let mut last: (Vec<u8>, NaiveDate) = (Vec::new(), NaiveDate::default());
        while let Some(r) = rows.next()? {
            let client_id: i64 = r.get(1)?;
            let client = match names.binary_search_by_key(&client_id, |(id, _)| *id) {
                Ok(i) => names[i].1,
                Err(_) => lines.add_client(client_id, ""),
            };
            let due = r
                .get_ref(3)?
                .as_bytes()
                .map_err(|e| rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, Box::new(e)))?;
            if due != last.0 {
                let day = std::str::from_utf8(due).ok().and_then(parse_day);
                last = (due.to_vec(), day.unwrap_or_default());
            }
            lines.add(r.get(0)?, client, text_at(r, 2)?, last.1);
        }
        lines.finish();
        Ok(lines)
    }

    fn quote_rows(&self, today: NaiveDate, items: &mut Vec<ReviewItem>) -> Result<()> {
        let mut q = self.conn.prepare_cached(QUOTE_ROWS)?;
        let rows = q.query_map([day(today)], |r| quote_item(self, r, today))?;
        for row in rows {
            items.push(row?);
        }
        Ok(())
    }

    fn meeting_rows(&self, today: NaiveDate, items: &mut Vec<ReviewItem>) -> Result<()> {
        let mut q = self.conn.prepare_cached(MEETING_ROWS)?;
        let tomorrow = today + Duration::days(1);
        let rows = q.query_map(params![day(today), day(tomorrow)], |r| meeting_item(r, today))?;
        for row in rows {
            items.push(row?);
        }
        Ok(())
    }

    fn weekly_rows(&self, today: NaiveDate, items: &mut Vec<ReviewItem>) -> Result<()> {
        let mut q = self.conn.prepare_cached(WEEKLY_ROWS)?;
        let mut held = self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM weekly_reviews WHERE client_id = ?1 AND on_date = ?2)")?;
        let rows = q.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                opt_date(r.get(3)?),
                date(r.get(4)?),
            ))
        })?;
        for row in rows {
            let (id, name, wd, snoozed, created) = row?;
            let Some(wd) = dates::parse_weekday(&wd) else { continue };
            let due = if today.weekday() == wd {
                today
            } else {
                crate::domain::rules::previous_weekday(wd, today)
            };
            // The latest review that came due stays until it is recorded (held, or missed by
            // the client), with its days late; a snooze hides it until the snooze date.
            let visible = due >= created && snoozed.is_none_or(|s| s <= today);
            if !visible || held.query_row(params![id, day(due)], |r| r.get::<_, bool>(0))? {
                continue;
            }
            let mut it = ReviewItem::new(ReviewKind::WeeklyReview, id, name.clone(), id, name);
            it.date = Some(due);
            it.days_late = (today - due).num_days().max(0);
            items.push(it);
        }
        Ok(())
    }

    /// Hides a review row until `until` (tomorrow, from the review's `s`).
    pub fn snooze(&mut self, item: &ReviewItem, until: NaiveDate) -> Result<()> {
        let (table, id) = match item.kind {
            k if k.is_request() => ("requests", item.id),
            k if k.is_task() => ("tasks", item.id),
            k if k.is_meeting() => ("meetings", item.id),
            ReviewKind::QuoteUnanswered => ("quotes", item.id),
            _ => ("clients", item.client_id),
        };
        let column = if table == "clients" {
            "review_snoozed_until"
        } else {
            "snoozed_until"
        };
        let title = item.title.clone();
        let n = self.write(
            |l| tf(l, T::UndoSnooze, &[&title]),
            |tx| {
                Ok(tx.execute(
                    &format!("UPDATE {table} SET {column} = ?1 WHERE id = ?2"),
                    params![day(until), id],
                )?)
            },
        )?;
        if n == 0 {
            return Err(Error::not_found(T::ErrNoTask, &[&id]));
        }
        Ok(())
    }
}

fn request_item(r: &Row, today: NaiveDate) -> rusqlite::Result<ReviewItem> {
    let material = text_at(r, 1)? == "material";
    let expected = date_at(r, 7)?;
    let late = (today - expected).num_days();
    let row_kind = match (late > 0, material) {
        (true, true) => ReviewKind::MaterialLate,
        (true, false) => ReviewKind::FeedbackOverdue,
        (false, _) => ReviewKind::DueSoon,
    };
    let task_title: String = r.get(5)?;
    let what: String = r.get(9)?;
    let title = if material { what } else { task_title.clone() };
    let mut it = ReviewItem::new(row_kind, r.get(2)?, r.get::<_, String>(3)?, r.get(0)?, title);
    it.days_late = late.max(0);
    it.date = Some(expected);
    it.detail_mut().task_id = Some(r.get(4)?);
    it.detail_mut().task_title = Some(task_title);
    it.detail_mut().task_due = opt_date(r.get(6)?);
    it.detail_mut().nudges = r.get(8)?;
    it.detail_mut().material = material;
    Ok(it)
}

//! The daily review: what needs the VA today, in the order of SPEC section 3.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::i18n::{Lang, T};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewKind {
    FeedbackOverdue,
    MaterialLate,
    TaskOverdue,
    TaskDueToday,
    QuoteUnanswered,
    MeetingToday,
    AttendanceUnrecorded,
    WeeklyReview,
    TimerRunning,
    /// A retainer month at or past all of its hours.
    RetainerUsedUp,
    RetainerNear,
    DueSoon,
}

impl ReviewKind {
    pub const ALL: [ReviewKind; 12] = [
        ReviewKind::FeedbackOverdue,
        ReviewKind::MaterialLate,
        ReviewKind::TaskOverdue,
        ReviewKind::TaskDueToday,
        ReviewKind::QuoteUnanswered,
        ReviewKind::MeetingToday,
        ReviewKind::AttendanceUnrecorded,
        ReviewKind::WeeklyReview,
        ReviewKind::TimerRunning,
        ReviewKind::RetainerUsedUp,
        ReviewKind::RetainerNear,
        ReviewKind::DueSoon,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ReviewKind::FeedbackOverdue => "feedback_overdue",
            ReviewKind::MaterialLate => "material_late",
            ReviewKind::TaskOverdue => "task_overdue",
            ReviewKind::TaskDueToday => "task_due_today",
            ReviewKind::QuoteUnanswered => "quote_unanswered",
            ReviewKind::MeetingToday => "meeting_today",
            ReviewKind::AttendanceUnrecorded => "attendance_unrecorded",
            ReviewKind::WeeklyReview => "weekly_review",
            ReviewKind::TimerRunning => "timer_running",
            ReviewKind::RetainerUsedUp => "retainer_used_up",
            ReviewKind::RetainerNear => "retainer_near",
            ReviewKind::DueSoon => "due_soon",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            ReviewKind::FeedbackOverdue => T::RvFeedbackOverdue,
            ReviewKind::MaterialLate => T::RvMaterialLate,
            ReviewKind::TaskOverdue => T::RvTaskOverdue,
            ReviewKind::TaskDueToday => T::RvTaskDueToday,
            ReviewKind::QuoteUnanswered => T::RvQuoteUnanswered,
            ReviewKind::MeetingToday => T::RvMeetingToday,
            ReviewKind::AttendanceUnrecorded => T::RvAttendanceUnrecorded,
            ReviewKind::WeeklyReview => T::RvWeeklyReview,
            ReviewKind::TimerRunning => T::RvTimerRunning,
            ReviewKind::RetainerUsedUp => T::RvRetainerUsedUp,
            ReviewKind::RetainerNear => T::RvRetainerNear,
            ReviewKind::DueSoon => T::RvDueSoon,
        }
        .text(lang)
    }

    /// Whether the row's record is a material or feedback request (nudge and received apply).
    pub fn is_request(self) -> bool {
        matches!(
            self,
            ReviewKind::FeedbackOverdue | ReviewKind::MaterialLate | ReviewKind::DueSoon
        )
    }

    pub fn is_task(self) -> bool {
        matches!(self, ReviewKind::TaskOverdue | ReviewKind::TaskDueToday)
    }

    pub fn is_meeting(self) -> bool {
        matches!(self, ReviewKind::MeetingToday | ReviewKind::AttendanceUnrecorded)
    }
}

/// One row of the review. `id` is the record the row is about (request, task, quote,
/// meeting, or the client for a weekly review).
#[derive(Debug, Clone, Serialize)]
pub struct ReviewItem {
    pub kind: ReviewKind,
    /// Shared by the rows of one client (a big review has thousands of rows, from a few
    /// hundred clients).
    pub client: std::sync::Arc<str>,
    #[serde(skip)]
    pub client_id: i64,
    pub id: i64,
    pub title: String,
    pub days_late: i64,
    /// The date that matters for the row (expected by, due, answer by, meeting day).
    #[serde(skip)]
    pub date: Option<NaiveDate>,
    /// What only some sections' rows have (a request's task, a meeting's time, a quote's
    /// amount): kept apart, so that the many rows without it (a big store's overdue tasks)
    /// stay small. Read through [`ReviewItem::detail`], written through
    /// [`ReviewItem::detail_mut`].
    #[serde(skip)]
    pub more: Option<Box<ReviewDetail>>,
}

/// The part of a review row only some sections have.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReviewDetail {
    /// For request rows: the task it belongs to, its title and due date; nudges so far.
    pub task_id: Option<i64>,
    pub task_title: Option<String>,
    pub task_due: Option<NaiveDate>,
    pub nudges: u32,
    /// For due-soon rows: whether the request is a material (else feedback).
    pub material: bool,
    /// A meeting's time of day, `HH:MM`.
    pub time: Option<String>,
    /// For quote rows: the amount (the title holds it as a plain number for JSON).
    pub amount: Option<f64>,
    /// For quote rows: the client's currency (else the VA's default).
    pub currency: Option<iso_currency::Currency>,
    /// For quote rows: what the quote is for (its description), when it says.
    pub about: Option<String>,
}

/// A row's detail when it has none.
static NO_DETAIL: ReviewDetail = ReviewDetail {
    task_id: None,
    task_title: None,
    task_due: None,
    nudges: 0,
    material: false,
    time: None,
    amount: None,
    currency: None,
    about: None,
};

/// Rows are equal when everything they say is: a detail made empty equals none.
impl PartialEq for ReviewItem {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
            && self.client == other.client
            && self.client_id == other.client_id
            && self.id == other.id
            && self.title == other.title
            && self.days_late == other.days_late
            && self.date == other.date
            && self.detail() == other.detail()
    }
}

impl ReviewItem {
    pub fn new(
        kind: ReviewKind,
        client_id: i64,
        client: impl Into<std::sync::Arc<str>>,
        id: i64,
        title: String,
    ) -> Self {
        ReviewItem {
            kind,
            client: client.into(),
            client_id,
            id,
            title,
            days_late: 0,
            date: None,
            more: None,
        }
    }

    /// The row's detail (every field empty for a row that has none).
    pub fn detail(&self) -> &ReviewDetail {
        self.more.as_deref().unwrap_or(&NO_DETAIL)
    }

    /// The row's detail to write, made when the row had none.
    pub fn detail_mut(&mut self) -> &mut ReviewDetail {
        self.more.get_or_insert_with(Box::default)
    }
}

/// Sorts rows into SPEC order: by section, then the latest first, then by date and client.
pub fn sort(items: &mut [ReviewItem]) {
    // The rows' places are sorted rather than the rows themselves (rows are big), each by a key
    // of two numbers: a client's name compared lower-cased (as `str::to_lowercase` makes it)
    // is its rank among the names present, found once per name rather than in every
    // comparison. The place itself ends the key, so the unstable sort keeps equal rows in
    // their order.
    let rank = name_ranks(items);
    // A meeting's time as its rank among the times present (0: none), as names are.
    let mut times: Vec<&str> = items.iter().filter_map(|it| it.detail().time.as_deref()).collect();
    times.sort_unstable();
    times.dedup();
    // Signed numbers as unsigned ones in the same order, to be packed side by side.
    let flip = |v: i64| (v as u64 ^ (1 << 63)) as u128;
    let mut keyed: Vec<(u128, u128, usize)> = items
        .iter()
        .zip(&rank)
        .enumerate()
        .map(|(k, (it, &r))| {
            let time = it
                .detail()
                .time
                .as_deref()
                .map_or(0, |t| times.binary_search(&t).map_or(0, |i| i + 1));
            // No date (0) comes before every date (from 1).
            let date = it.date.map_or(0, |d| {
                (i64::from(d.num_days_from_ce()) - i64::from(i32::MIN) + 1) as u128
            });
            // Section (8 bits), the latest first (64), date (33 of 34) | time (32), name (32), id (64).
            let high = (it.kind as u128) << 98 | (u64::MAX as u128 - flip(it.days_late)) << 34 | date;
            let low = (time as u128) << 96 | u128::from(r) << 64 | flip(it.id);
            (high, low, k)
        })
        .collect();
    keyed.sort_unstable();
    let mut order: Vec<usize> = keyed.iter().map(|key| key.2).collect();
    drop(keyed);
    // Each place `k` takes the row at `order[k]`: one walk per cycle of the permutation.
    for k in 0..order.len() {
        let mut cur = k;
        loop {
            let next = order[cur];
            order[cur] = cur;
            if next == k {
                break;
            }
            items.swap(cur, next);
            cur = next;
        }
    }
}

/// Each row's client name as a rank: names equal lower-cased (by `str::to_lowercase`) share
/// one, and ranks follow the lower-cased names' order. Each different (client, name) is found
/// through a map by the client's id (rows of one client share it) and lower-cased once.
fn name_ranks(items: &[ReviewItem]) -> Vec<u32> {
    // Maps keyed by numbers the program made (never by outside input an attacker could
    // choose to collide), so a fast hash rather than the default's keyed one.
    use foldhash::{HashMap, HashMapExt};
    const NONE: u32 = u32::MAX;
    // The different names, and each row's place among them.
    let mut names: Vec<&str> = Vec::new();
    // Each client's first name's place, by the client's id: in a plain list when the ids are
    // the small numbers a store gives (one entry a client, no hashing), else in a map.
    let top = items.iter().map(|it| it.client_id).max().unwrap_or(0);
    let dense = items.iter().all(|it| it.client_id >= 0) && top <= (items.len() as i64).max(1024) * 4;
    let mut by_id: Vec<u32> = if dense {
        vec![NONE; top as usize + 1]
    } else {
        Vec::new()
    };
    let mut by_client: HashMap<i64, u32> = HashMap::new();
    // A client seen under another name too (rows read at different times): by both.
    let mut by_pair: HashMap<(i64, &str), u32> = HashMap::new();
    let mut slots: Vec<u32> = Vec::with_capacity(items.len());
    for it in items {
        let name: &str = &it.client;
        let next = names.len() as u32;
        let first = if dense {
            &mut by_id[it.client_id as usize]
        } else {
            by_client.entry(it.client_id).or_insert(NONE)
        };
        let slot = if *first == NONE {
            *first = next;
            next
        } else if names[*first as usize] == name {
            *first
        } else {
            *by_pair.entry((it.client_id, name)).or_insert(next)
        };
        if slot == next {
            names.push(name);
        }
        slots.push(slot);
    }
    let rank = rank_names(&names);
    slots.iter().map(|&s| rank[s as usize]).collect()
}

/// Each name's rank among `names` compared lower-cased (as `str::to_lowercase` makes them):
/// names equal lower-cased share one, and ranks follow the lower-cased names' order.
fn rank_names(names: &[&str]) -> Vec<u32> {
    // Every name lower-cased into one run of bytes (an ASCII name byte by byte, which is what
    // `to_lowercase` gives it); byte order is the names' order.
    let mut text: Vec<u8> = Vec::with_capacity(names.iter().map(|n| n.len()).sum());
    let mut ends = Vec::with_capacity(names.len());
    for n in names {
        if n.is_ascii() {
            text.extend(n.bytes().map(|b| b.to_ascii_lowercase()));
        } else {
            text.extend_from_slice(n.to_lowercase().as_bytes());
        }
        ends.push(text.len());
    }
    // Each name led by its first 16 bytes as a number (zeros after a shorter name): two names
    // whose numbers differ are in those numbers' order, so most comparisons are of numbers,
    // and the rest go on to the names.
    let lead = |n: &[u8]| {
        let mut b = [0u8; 16];
        let k = n.len().min(16);
        b[..k].copy_from_slice(&n[..k]);
        u128::from_be_bytes(b)
    };
    let mut by_name: Vec<(u128, &[u8], u32)> = ends
        .iter()
        .enumerate()
        .map(|(k, &end)| {
            let n = &text[if k == 0 { 0 } else { ends[k - 1] }..end];
            (lead(n), n, k as u32)
        })
        .collect();
    by_name.sort_unstable();
    let mut rank = vec![0u32; names.len()];
    let mut r = 0u32;
    for k in 0..by_name.len() {
        if k > 0 && by_name[k - 1].1 != by_name[k].1 {
            r += 1;
        }
        rank[by_name[k].2 as usize] = r;
    }
    rank
}

/// One row of the review as `review --json` writes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReviewLine<'a> {
    pub kind: ReviewKind,
    pub client: &'a str,
    pub id: i64,
    pub title: &'a str,
    pub days_late: i64,
}

impl<'a> ReviewLine<'a> {
    pub fn of(it: &'a ReviewItem) -> Self {
        ReviewLine {
            kind: it.kind,
            client: &it.client,
            id: it.id,
            title: &it.title,
            days_late: it.days_late,
        }
    }
}

/// A span of [`TaskLines`]' text.
type Span = (usize, usize);

/// The review's task rows (overdue, and due today), held compactly: a big store's review is
/// mostly these, and `review --json` writes them out without making a [`ReviewItem`] of each.
/// Client names and titles lie one after another in one text. In review order (as [`sort`]
/// places them) once [`TaskLines::finish`] has run.
#[derive(Debug, Default)]
pub struct TaskLines {
    today: i32,
    text: String,
    clients: Vec<TaskClient>,
    rows: Vec<TaskLine>,
}

#[derive(Debug)]
struct TaskClient {
    id: i64,
    name: Span,
    /// Whether a row names the client (only those are ranked).
    used: bool,
    rank: u32,
}

#[derive(Debug)]
struct TaskLine {
    id: i64,
    title: Span,
    /// Days from the common era's start, as `today`.
    due: i32,
    client: u32,
    /// The client's rank by name ([`TaskLines::finish`] sets it).
    rank: u32,
}

impl TaskLines {
    /// Room for `rows` rows.
    pub fn new(today: NaiveDate, rows: usize) -> Self {
        TaskLines {
            today: today.num_days_from_ce(),
            text: String::new(),
            clients: Vec::new(),
            rows: Vec::with_capacity(rows),
        }
    }

    fn keep(&mut self, s: &str) -> Span {
        let start = self.text.len();
        self.text.push_str(s);
        (start, self.text.len())
    }

    fn at(&self, (start, end): Span) -> &str {
        &self.text[start..end]
    }

    /// Keeps a client's name, for the rows to name by the number returned.
    pub fn add_client(&mut self, id: i64, name: &str) -> u32 {
        let name = self.keep(name);
        self.clients.push(TaskClient {
            id,
            name,
            used: false,
            rank: 0,
        });
        (self.clients.len() - 1) as u32
    }

    /// A task due on or before the day: `client` as [`TaskLines::add_client`] gave it.
    pub fn add(&mut self, id: i64, client: u32, title: &str, due: NaiveDate) {
        self.clients[client as usize].used = true;
        let title = self.keep(title);
        self.rows.push(TaskLine {
            id,
            title,
            due: due.num_days_from_ce(),
            client,
            rank: 0,
        });
    }

    /// Puts the rows in review order: the most days late first (the earliest due), then by
    /// the client's name lower-cased, then by id, as [`sort`] orders task rows.
    pub fn finish(&mut self) {
        let used: Vec<usize> = (0..self.clients.len()).filter(|&k| self.clients[k].used).collect();
        let names: Vec<&str> = used.iter().map(|&k| self.at(self.clients[k].name)).collect();
        let ranks = rank_names(&names);
        for (&k, r) in used.iter().zip(ranks) {
            self.clients[k].rank = r;
        }
        for t in &mut self.rows {
            t.rank = self.clients[t.client as usize].rank;
        }
        if self.rows.is_sorted_by_key(|t| t.due) {
            // Read by due date already (the store's index gives them so): each day's rows by
            // name and id.
            for day in self.rows.chunk_by_mut(|a, b| a.due == b.due) {
                day.sort_unstable_by_key(|t| (t.rank, t.id));
            }
        } else {
            self.rows.sort_unstable_by_key(|t| (t.due, t.rank, t.id));
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The rows as written out, in order.
    pub fn lines(&self) -> impl Iterator<Item = ReviewLine<'_>> {
        self.rows.iter().map(|t| {
            let late = i64::from(self.today) - i64::from(t.due);
            ReviewLine {
                kind: task_kind(late),
                client: self.at(self.clients[t.client as usize].name),
                id: t.id,
                title: self.at(t.title),
                days_late: late.max(0),
            }
        })
    }

    /// The rows as review rows, in order; each client's name made once and shared.
    pub fn into_items(self) -> Vec<ReviewItem> {
        let today = NaiveDate::from_num_days_from_ce_opt(self.today).unwrap_or_default();
        let mut names: Vec<Option<std::sync::Arc<str>>> = vec![None; self.clients.len()];
        self.rows
            .iter()
            .map(|t| {
                let c = &self.clients[t.client as usize];
                let name = names[t.client as usize]
                    .get_or_insert_with(|| self.at(c.name).into())
                    .clone();
                let due = NaiveDate::from_num_days_from_ce_opt(t.due).unwrap_or_default();
                task_item(t.id, c.id, name, self.at(t.title).to_string(), due, today)
            })
            .collect()
    }
}

/// A task row's section by its days late (none: due today).
fn task_kind(late: i64) -> ReviewKind {
    if late > 0 {
        ReviewKind::TaskOverdue
    } else {
        ReviewKind::TaskDueToday
    }
}

/// A task's row: overdue, or due today.
pub fn task_item(
    id: i64,
    client_id: i64,
    client: std::sync::Arc<str>,
    title: String,
    due: NaiveDate,
    today: NaiveDate,
) -> ReviewItem {
    let late = (today - due).num_days();
    let mut it = ReviewItem::new(task_kind(late), client_id, client, id, title);
    it.days_late = late.max(0);
    it.date = Some(due);
    it
}

/// The whole review as it is written out: every section's rows but the tasks', in order, and
/// the task rows, kept compactly.
#[derive(Debug, Default)]
pub struct ReviewLines {
    pub items: Vec<ReviewItem>,
    pub tasks: TaskLines,
}

impl ReviewLines {
    /// Where the task rows go among the others (which are in order: by section first).
    fn task_place(&self) -> usize {
        self.items.partition_point(|it| it.kind < ReviewKind::TaskOverdue)
    }

    /// Every row in review order.
    pub fn lines(&self) -> impl Iterator<Item = ReviewLine<'_>> {
        let (before, after) = self.items.split_at(self.task_place());
        before
            .iter()
            .map(ReviewLine::of)
            .chain(self.tasks.lines())
            .chain(after.iter().map(ReviewLine::of))
    }

    /// Every row in review order, as review rows.
    pub fn into_items(self) -> Vec<ReviewItem> {
        let at = self.task_place();
        let mut items = self.items;
        let tail = items.split_off(at);
        items.reserve(self.tasks.len() + tail.len());
        items.extend(self.tasks.into_items());
        items.extend(tail);
        items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sort (names by rank) orders rows exactly as a key built per row would
    /// (the section, the latest first, date, time, the name lower-cased by `to_lowercase`,
    /// id), names beyond ASCII included (a final sigma lower-cases by its place in the word).
    #[test]
    fn the_sort_orders_as_the_lower_cased_key_does() {
        let names = [
            "Ana",
            "ana",
            "ANA",
            "Álvaro",
            "álvaro",
            "Zoë",
            "zoe",
            "ΟΔΥΣΣΕΥΣ",
            "οδυσσευς",
            "İpek",
            "ipek",
            "Ñu",
            "nu",
            "b",
            "B",
            "",
            "ẞ",
            "ß",
            "Ǆ",
            "ǆ",
            // Names alike in their first 16 bytes, and a name that is another's start.
            "Client Services Ltd North",
            "client services ltd south",
            "CLIENT SERVICES LTD",
            "client services l",
            "ab\u{0}",
            "ab",
        ];
        let kinds = [
            ReviewKind::TaskOverdue,
            ReviewKind::MeetingToday,
            ReviewKind::WeeklyReview,
        ];
        // Clients' ids as a store gives them (small: a plain list), far apart or below zero (a
        // map), and shared by several names (a client renamed between two reads).
        let ids: [fn(usize) -> i64; 3] = [
            |i| i as i64,
            |i| i as i64 * 1_000_000_007 - 5_000_000_000,
            |i| (i % 4) as i64,
        ];
        for client_id in ids {
            sorted_as_the_lower_cased_key_does(&names, &kinds, client_id);
        }
    }

    fn sorted_as_the_lower_cased_key_does(names: &[&str], kinds: &[ReviewKind], client_id: fn(usize) -> i64) {
        let mut items = Vec::new();
        let mut n = 0i64;
        for (i, name) in names.iter().enumerate() {
            for (j, kind) in kinds.iter().enumerate() {
                for late in [-3, 0, 2] {
                    n += 1;
                    let mut it = ReviewItem::new(*kind, client_id(i), name.to_string(), 1000 - n, "t".into());
                    it.days_late = late;
                    it.date = NaiveDate::from_ymd_opt(2026, 11, 1 + ((i + j) % 3) as u32).filter(|_| i % 5 != 0);
                    it.detail_mut().time = (j == 1).then(|| format!("0{}:00", i % 2 + 8));
                    items.push(it);
                }
            }
        }
        let mut expected = items.clone();
        expected.sort_by_cached_key(|i| {
            (
                i.kind,
                std::cmp::Reverse(i.days_late),
                i.date,
                i.detail().time.clone(),
                i.client.to_lowercase(),
                i.id,
            )
        });
        let mut seed = 7u64;
        for _ in 0..8 {
            let mut got = items.clone();
            // A shuffle (Fisher–Yates on a fixed LCG): any order in, the same order out.
            for i in (1..got.len()).rev() {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                got.swap(i, (seed >> 33) as usize % (i + 1));
            }
            sort(&mut got);
            assert_eq!(got, expected);
        }
    }

    /// The task rows kept compactly come out as the review rows [`sort`] orders (names that
    /// tie but for case or accents, one client's rows on several days, damaged and unknown
    /// clients' empty names), whether they were read by due date (each day's rows ordered
    /// apart) or in any order (one sort of all), and as the same rows.
    #[test]
    fn task_lines_are_the_task_rows_in_the_review_s_order() {
        let names = [
            "Ana",
            "ana",
            "Álvaro",
            "álvaro",
            "Zoë",
            "zoe",
            "ΟΔΥΣΣΕΥΣ",
            "İpek",
            "ipek",
            "",
            "ß",
            "ẞ",
        ];
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let mut rows = Vec::new();
        let mut seed = 11u64;
        let mut next = |n: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for k in 0..400i64 {
            // Client 99 is not among the names read: its rows name no client.
            let client = if k % 37 == 0 {
                99
            } else {
                next(names.len() as u64) as i64
            };
            let due = today - chrono::Duration::days(next(6) as i64);
            rows.push((
                1_000 - 3 * k + next(5) as i64 * 1_000,
                client,
                format!("task {k} é"),
                due,
            ));
        }
        let add = |lines: &mut TaskLines, rows: &[(i64, i64, String, NaiveDate)]| {
            let handles: Vec<u32> = names
                .iter()
                .enumerate()
                .map(|(i, n)| lines.add_client(i as i64, n))
                .collect();
            for (id, client, title, due) in rows {
                let c = match handles.get(*client as usize) {
                    Some(&c) => c,
                    None => lines.add_client(*client, ""),
                };
                lines.add(*id, c, title, *due);
            }
            lines.finish();
        };
        let mut expected: Vec<ReviewItem> = rows
            .iter()
            .map(|(id, client, title, due)| {
                let name = names.get(*client as usize).copied().unwrap_or("");
                task_item(*id, *client, name.into(), title.clone(), *due, today)
            })
            .collect();
        sort(&mut expected);
        assert!(expected.iter().any(|it| it.kind == ReviewKind::TaskDueToday));
        let by_due = {
            let mut r = rows.clone();
            r.sort_by_key(|row| row.3);
            r
        };
        for (how, order) in [("by due date", by_due), ("in any order", rows.clone())] {
            let mut lines = TaskLines::new(today, 0);
            add(&mut lines, &order);
            let got: Vec<ReviewLine<'_>> = lines.lines().collect();
            let want: Vec<ReviewLine<'_>> = expected.iter().map(ReviewLine::of).collect();
            assert_eq!(got, want, "{how}");
            assert_eq!(lines.into_items(), expected, "{how}");
        }
    }

    /// The review's other rows and its task rows come out together in the review's order:
    /// the tasks' sections after the requests' and before the quotes'.
    #[test]
    fn review_lines_place_the_task_rows_among_the_others() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let mut items: Vec<ReviewItem> = [
            ReviewKind::DueSoon,
            ReviewKind::FeedbackOverdue,
            ReviewKind::QuoteUnanswered,
            ReviewKind::MaterialLate,
            ReviewKind::WeeklyReview,
        ]
        .iter()
        .enumerate()
        .map(|(i, k)| ReviewItem::new(*k, 1, "Ana", i as i64, format!("row {i}")))
        .collect();
        sort(&mut items);
        let mut tasks = TaskLines::new(today, 2);
        let c = tasks.add_client(1, "Ana");
        tasks.add(7, c, "late", today - chrono::Duration::days(2));
        tasks.add(8, c, "today", today);
        tasks.finish();
        let mut all = items.clone();
        all.extend([
            task_item(
                7,
                1,
                "Ana".into(),
                "late".into(),
                today - chrono::Duration::days(2),
                today,
            ),
            task_item(8, 1, "Ana".into(), "today".into(), today, today),
        ]);
        sort(&mut all);
        let review = ReviewLines { items, tasks };
        let got: Vec<(ReviewKind, i64)> = review.lines().map(|l| (l.kind, l.id)).collect();
        assert_eq!(got, all.iter().map(|it| (it.kind, it.id)).collect::<Vec<_>>());
        assert_eq!(review.into_items(), all);
        assert!(ReviewLines::default().lines().next().is_none());
    }

    /// A row's detail lives apart: a row without one stays small (a big review holds
    /// thousands), reads as empty, and equals a row whose detail was made and left empty.
    #[test]
    fn a_row_without_detail_is_small_and_reads_empty() {
        assert!(
            std::mem::size_of::<ReviewItem>() <= 96,
            "{}",
            std::mem::size_of::<ReviewItem>()
        );
        let bare = ReviewItem::new(ReviewKind::TaskOverdue, 1, "A", 2, "x".into());
        assert_eq!(bare.detail(), &ReviewDetail::default());
        let mut made = bare.clone();
        made.detail_mut();
        assert!(made.more.is_some());
        assert_eq!(made, bare);
        made.detail_mut().time = Some("09:00".into());
        assert_ne!(made, bare);
        assert_eq!(made.detail().time.as_deref(), Some("09:00"));
    }

    #[test]
    fn sections_come_in_spec_order_latest_first() {
        let mut items = vec![
            ReviewItem::new(ReviewKind::DueSoon, 1, "A", 1, "x".into()),
            ReviewItem::new(ReviewKind::TaskDueToday, 1, "A", 2, "x".into()),
            ReviewItem::new(ReviewKind::FeedbackOverdue, 1, "A", 3, "x".into()),
            ReviewItem::new(ReviewKind::TaskOverdue, 1, "A", 4, "x".into()),
            ReviewItem::new(ReviewKind::MaterialLate, 1, "A", 5, "x".into()),
            ReviewItem::new(ReviewKind::FeedbackOverdue, 1, "B", 6, "x".into()),
        ];
        items[2].days_late = 1;
        items[5].days_late = 4;
        sort(&mut items);
        let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
        assert_eq!(ids, vec![6, 3, 5, 4, 2, 1]);
        let keys: Vec<&str> = ReviewKind::ALL.iter().map(|k| k.key()).collect();
        assert_eq!(keys[0], "feedback_overdue");
        assert_eq!(keys[8], "timer_running");
        assert_eq!(keys[9], "retainer_used_up");
        assert_eq!(keys[10], "retainer_near");
        assert_eq!(keys[11], "due_soon");
    }
}

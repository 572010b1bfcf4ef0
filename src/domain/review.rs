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
    let lower: Vec<std::borrow::Cow<'_, str>> = names
        .iter()
        .map(|n| {
            if n.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
                std::borrow::Cow::Borrowed(*n)
            } else {
                std::borrow::Cow::Owned(n.to_lowercase())
            }
        })
        .collect();
    let mut by_name: Vec<usize> = (0..names.len()).collect();
    by_name.sort_unstable_by(|&a, &b| lower[a].cmp(&lower[b]));
    let mut rank = vec![0u32; names.len()];
    let mut r = 0u32;
    for k in 0..by_name.len() {
        if k > 0 && lower[by_name[k - 1]] != lower[by_name[k]] {
            r += 1;
        }
        rank[by_name[k]] = r;
    }
    slots.iter().map(|&s| rank[s as usize]).collect()
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

//! The review's list in the desk: its sections' counts, a window of rows read by keyset around
//! the selection (read ahead while the desk waits), and the whole review while its filter is
//! open (read ahead on a thread of its own).

use super::app::{pages_around, rows_drawn, App};
use super::client_view::Stamp;
use super::filter::{Filter, Narrowing};
use crate::domain::text::width;
use crate::domain::ReviewItem;
use crate::error::Result;
use crate::store::{ReviewKey, ReviewSections, Store};

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
    let found = Narrowing::new(super::filter::hay_of(rows.iter().map(
        |r| match &r.detail().task_title {
            Some(task) if *task != r.title => format!("{} {} {task}", r.client, r.title),
            _ => format!("{} {}", r.client, r.title),
        },
    )));
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

impl App {
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
        let (_, want_start, want_end) = pages_around(self.review.selected, page, total);
        let shown = self.shown.get(super::app::Listed::Review);
        let (need_start, need_end) = rows_drawn(shown, self.review.selected, page, total);
        let (s, e) = (self.review.start, self.review.start + self.review.rows.len());
        if !self.review.rows.is_empty() && need_start >= s && need_end <= e {
            return Ok(());
        }
        let now = self.stamp(store).ok();
        // Rows of the store as it is now never join rows of the store as it was: its sections
        // (their lengths, the header's count, the columns' widths) and the window around the
        // selected record are read again, as the tick's reload does.
        let same = matches!((self.review.stamp, now), (Some(a), Some(b)) if a.same_store(&b));
        if !self.review.rows.is_empty() && now.is_some() && !same {
            return self.reload_review(store);
        }
        let list = &mut self.review;
        let near = !list.rows.is_empty() && need_start <= e && need_end >= s;
        let secs = &list.sections;
        // The first or last rows read ahead, when the store is still as it was then.
        let kept = |ends: &Option<(Stamp, Vec<ReviewItem>)>, n: usize| match ends {
            Some((at, rows)) if now.is_some_and(|now| now.same_store(at)) && rows.len() >= n => {
                Some(rows[..n].to_vec())
            }
            _ => None,
        };
        if near {
            // Rows read now go on rows read before, of the same state of the store.
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
    pub(super) fn review_read_ahead(&mut self, store: &Store) -> bool {
        if self.review.filter.is_some() || self.review.rows.is_empty() {
            return false;
        }
        let Ok(now) = self.stamp(store) else {
            return false;
        };
        let page = self.review_page();
        let today = self.today();
        let shown = self.shown.get(super::app::Listed::Review);
        let list = &mut self.review;
        let total = list.total();
        if !list.stamp.is_some_and(|at| at.same_store(&now)) || total == 0 {
            return false;
        }
        let sel = list.selected.min(total - 1);
        let (top, want_start, want_end) = pages_around(sel, page, total);
        // And the pages PgDn and PgUp turn to, as the list draws them (its pages are shorter
        // than the screen, so they may end past the screen's pages around the selection).
        let (want_start, want_end) = match shown.filter(|h| (1..=page).contains(h)) {
            Some(h) => (
                want_start.min(rows_drawn(Some(h), sel.saturating_sub(h), page, total).0),
                want_end.max(rows_drawn(Some(h), (sel + h).min(total - 1), page, total).1),
            ),
            None => (want_start, want_end),
        };
        let (s, e) = (list.start, list.start + list.rows.len());
        // Only a window around the selection is read further (to the pages before and after);
        // one the selection has left is for the next key to read.
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
}

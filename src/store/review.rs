//! The daily review's queries: each section is one indexed query, so the review stays fast
//! however much history the store holds.

use chrono::{Datelike, Duration, NaiveDate};
use rusqlite::{params, Row};

use super::{date, day, opt_date, Store};
use crate::domain::review::{self, ReviewItem, ReviewKind};
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
     FROM requests x JOIN tasks t ON t.id = x.task_id JOIN clients c ON c.id = t.client_id
     WHERE x.kind = ?3 AND x.received_on IS NULL AND x.expected_by <= ?2
       AND t.status NOT IN ('done', 'cancelled')",
    not_snoozed!()
);

pub(super) const TASK_ROWS: &str = concat!(
    "SELECT x.id, c.id, c.name, x.title, x.due FROM tasks x JOIN clients c ON c.id = x.client_id
     WHERE x.status IN ('todo', 'doing') AND x.due <= ?1
       AND NOT EXISTS (SELECT 1 FROM requests r WHERE r.task_id = x.id AND r.received_on IS NULL)",
    not_snoozed!()
);

pub(super) const QUOTE_ROWS: &str = concat!(
    "SELECT x.id, c.id, c.name, x.amount_cents, x.answer_by, c.currency FROM quotes x JOIN clients c ON c.id = x.client_id
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

impl Store {
    /// Everything that needs the VA on `today`, in SPEC order.
    pub fn review(&self, today: NaiveDate) -> Result<Vec<ReviewItem>> {
        let mut items = Vec::new();
        self.request_rows(today, &mut items)?;
        self.task_rows(today, &mut items)?;
        self.quote_rows(today, &mut items)?;
        self.meeting_rows(today, &mut items)?;
        self.weekly_rows(today, &mut items)?;
        self.money_rows(today, &mut items)?;
        review::sort(&mut items);
        Ok(items)
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

    fn task_rows(&self, today: NaiveDate, items: &mut Vec<ReviewItem>) -> Result<()> {
        let mut q = self.conn.prepare_cached(TASK_ROWS)?;
        let rows = q.query_map([day(today)], |r| {
            let due = date(r.get(4)?);
            let late = (today - due).num_days();
            let kind = if late > 0 {
                ReviewKind::TaskOverdue
            } else {
                ReviewKind::TaskDueToday
            };
            let mut it = ReviewItem::new(kind, r.get(1)?, r.get(2)?, r.get(0)?, r.get(3)?);
            it.days_late = late.max(0);
            it.date = Some(due);
            Ok(it)
        })?;
        for row in rows {
            items.push(row?);
        }
        Ok(())
    }

    fn quote_rows(&self, today: NaiveDate, items: &mut Vec<ReviewItem>) -> Result<()> {
        let mut q = self.conn.prepare_cached(QUOTE_ROWS)?;
        let rows = q.query_map([day(today)], |r| {
            let by = date(r.get(4)?);
            let amount: i64 = r.get(3)?;
            let mut it = ReviewItem::new(
                ReviewKind::QuoteUnanswered,
                r.get(1)?,
                r.get(2)?,
                r.get(0)?,
                format!("{}.{:02}", amount / 100, amount % 100),
            );
            it.days_late = (today - by).num_days().max(0);
            it.date = Some(by);
            it.amount = Some(amount as f64 / 100.0);
            it.currency = Some(
                self.money_defaults()
                    .currency_or_default(r.get::<_, Option<String>>(5)?.as_deref()),
            );
            Ok(it)
        })?;
        for row in rows {
            items.push(row?);
        }
        Ok(())
    }

    fn meeting_rows(&self, today: NaiveDate, items: &mut Vec<ReviewItem>) -> Result<()> {
        let mut q = self.conn.prepare_cached(MEETING_ROWS)?;
        let tomorrow = today + Duration::days(1);
        let rows = q.query_map(params![day(today), day(tomorrow)], |r| {
            let at: String = r.get(4)?;
            let on = dates::parse_iso_date(at.get(..10).unwrap_or("")).unwrap_or(today);
            let late = (today - on).num_days();
            let kind = if late > 0 {
                ReviewKind::AttendanceUnrecorded
            } else {
                ReviewKind::MeetingToday
            };
            let mkind: String = r.get(3)?;
            let mut it = ReviewItem::new(kind, r.get(1)?, r.get(2)?, r.get(0)?, mkind);
            it.days_late = late.max(0);
            it.date = Some(on);
            it.time = at.get(11..16).map(str::to_string);
            Ok(it)
        })?;
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
    let kind = r.get::<_, String>(1)?;
    let material = kind == "material";
    let expected = date(r.get(7)?);
    let late = (today - expected).num_days();
    let row_kind = match (late > 0, material) {
        (true, true) => ReviewKind::MaterialLate,
        (true, false) => ReviewKind::FeedbackOverdue,
        (false, _) => ReviewKind::DueSoon,
    };
    let task_title: String = r.get(5)?;
    let what: String = r.get(9)?;
    let title = if material { what } else { task_title.clone() };
    let mut it = ReviewItem::new(row_kind, r.get(2)?, r.get(3)?, r.get(0)?, title);
    it.days_late = late.max(0);
    it.date = Some(expected);
    it.task_id = Some(r.get(4)?);
    it.task_title = Some(task_title);
    it.task_due = opt_date(r.get(6)?);
    it.nudges = r.get(8)?;
    it.material = material;
    Ok(it)
}

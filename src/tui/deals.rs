//! The tasks pane's other tabs: the selected client's quotes, meetings and time entries,
//! listed, opened, edited, deleted, nudged and answered from the keyboard. Also the weekly
//! review row's `x`.
//! `update` hands an intent here first; what is not about these tabs goes back untouched.

use super::app::{App, Listed, Pane, View};
use super::form::{Choices, Confirm, ConfirmAction, Details, Field, FieldKind, Form, FormKind, Popup};
use super::keys::{Intent, Move};
use super::update::changed;
use crate::domain::money::hours_text;
use crate::domain::money::TimeEntry;
use crate::domain::{dates, money, Meeting, MeetingKind, Quote, QuoteStatus, ReviewKind};
use crate::error::Result;
use crate::i18n::{self, capitalize, pl, tf, Lang, P, T};
use crate::store::{MeetingEdit, QuoteEdit, Store, TimeEdit};

/// What the tasks pane shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DealTab {
    #[default]
    Tasks,
    Quotes,
    Meetings,
    Time,
}

impl DealTab {
    pub const ALL: [DealTab; 4] = [DealTab::Tasks, DealTab::Quotes, DealTab::Meetings, DealTab::Time];

    fn step(self, forward: bool) -> DealTab {
        let i = DealTab::ALL.iter().position(|&t| t == self).unwrap_or(0);
        let n = DealTab::ALL.len();
        DealTab::ALL[if forward { (i + 1) % n } else { (i + n - 1) % n }]
    }

    pub fn title(self) -> T {
        match self {
            DealTab::Tasks => T::PaneTasks,
            DealTab::Quotes => T::DQuotes,
            DealTab::Meetings => T::DMeetings,
            DealTab::Time => T::DTime,
        }
    }
}

/// The selected client's quotes and meetings (newest first) and the selection in each. Only
/// the list of the tab shown is read; the other is counted, for the tab strip.
#[derive(Debug, Clone, Default)]
pub struct Deals {
    pub tab: DealTab,
    /// The client's quotes, read while the quotes tab is shown (empty otherwise).
    pub quotes: Vec<Quote>,
    /// The client's meetings, read while the meetings tab is shown (empty otherwise).
    pub meetings: Vec<Meeting>,
    /// The client's time entries (newest first), read while the time tab is shown.
    pub times: Vec<TimeEntry>,
    pub quote_sel: usize,
    pub meeting_sel: usize,
    pub time_sel: usize,
    /// How many quotes, meetings and time entries the client has (whether or not their list
    /// is read).
    pub quote_count: usize,
    pub meeting_count: usize,
    pub time_count: usize,
    /// The selected quote and meeting of the client while their lists are not read: (client,
    /// record), where the selection goes back to when the tab is shown again.
    kept_quote: Option<(i64, i64)>,
    kept_meeting: Option<(i64, i64)>,
    kept_time: Option<(i64, i64)>,
    /// The client's currency, for the amounts.
    pub currency: Option<iso_currency::Currency>,
}

/// A client's quotes or meetings as far as they were read: every row, or only how many.
#[derive(Debug, Clone)]
pub enum Known<R> {
    Rows(Vec<R>),
    Count(usize),
}

impl<R> Known<R> {
    fn count(&self) -> usize {
        match self {
            Known::Rows(r) => r.len(),
            Known::Count(n) => *n,
        }
    }
}

/// One tab's list in `Deals`: its rows (read while the tab is shown), how many there are, the
/// selection, and the selected (client, record) kept while the rows are not read.
struct List<'a, R> {
    rows: &'a mut Vec<R>,
    count: &'a mut usize,
    sel: &'a mut usize,
    kept: &'a mut Option<(i64, i64)>,
}

impl<R> List<'_, R> {
    /// Takes what was read of client `id`'s list: its rows while the tab is `shown`, the
    /// selection staying on its record (by id) or the nearest one when it is gone; else only
    /// their count, the selected record kept for when the tab shows again. Another client's
    /// list starts from the top. `ids`: a row's (client, record).
    fn settle(self, shown: bool, id: i64, known: Known<R>, ids: impl Fn(&R) -> (i64, i64)) {
        let keep = self
            .rows
            .get(*self.sel)
            .map(&ids)
            .or(*self.kept)
            .filter(|(c, _)| *c == id);
        let old = if keep.is_some() { *self.sel } else { 0 };
        match known {
            Known::Rows(rows) if shown => {
                *self.rows = rows;
                *self.count = self.rows.len();
                *self.sel = super::app::follow(
                    self.rows.iter().map(|r| ids(r).1),
                    keep.map(|(_, r)| r),
                    old,
                    self.rows.len(),
                );
                *self.kept = None;
            }
            other => {
                self.rows.clear();
                *self.count = other.count();
                *self.sel = old;
                *self.kept = keep;
            }
        }
    }
}

impl Deals {
    /// Reloads the client's quotes and meetings (the list of the tab shown, and both counts);
    /// each selection stays on its record (by id), or on the nearest one when it is gone.
    /// Without a client there are none, and the pane shows tasks.
    pub fn load(&mut self, store: &Store, client: Option<i64>) -> Result<()> {
        let Some(id) = client else {
            *self = Deals::default();
            return Ok(());
        };
        let currency = store.money_defaults().currency_of(&store.client(id)?);
        let quotes = if self.tab == DealTab::Quotes {
            Known::Rows(store.quotes_of(id)?)
        } else {
            Known::Count(store.quote_count(id)?)
        };
        let meetings = if self.tab == DealTab::Meetings {
            Known::Rows(store.meetings_of(id)?)
        } else {
            Known::Count(store.meeting_count(id)?)
        };
        let times = if self.tab == DealTab::Time {
            Known::Rows(store.time_of_client(id)?)
        } else {
            Known::Count(store.time_count(id)?)
        };
        self.load_from(id, currency, quotes, meetings, times);
        Ok(())
    }

    /// With the time tab shown, reads the client's time entries when only their count is
    /// known (a kept view of the client counts them).
    pub fn read_times(&mut self, store: &Store, client: Option<i64>) -> Result<()> {
        let Some(id) = client else { return Ok(()) };
        if self.tab != DealTab::Time || (self.times.len() == self.time_count && self.kept_time.is_none()) {
            return Ok(());
        }
        self.set_times(id, Known::Rows(store.time_of_client(id)?));
        Ok(())
    }

    fn set_times(&mut self, id: i64, times: Known<TimeEntry>) {
        let shown = self.tab == DealTab::Time;
        let list = List {
            rows: &mut self.times,
            count: &mut self.time_count,
            sel: &mut self.time_sel,
            kept: &mut self.kept_time,
        };
        list.settle(shown, id, times, |e| (e.client_id, e.id));
    }

    /// As `load`, from what was read of client `id` already (a kept view of the client; its
    /// lists whole, or their counts while their tab is not shown).
    pub fn load_from(
        &mut self,
        id: i64,
        currency: iso_currency::Currency,
        quotes: Known<Quote>,
        meetings: Known<Meeting>,
        times: Known<TimeEntry>,
    ) {
        self.currency = Some(currency);
        let tab = self.tab;
        let list = List {
            rows: &mut self.quotes,
            count: &mut self.quote_count,
            sel: &mut self.quote_sel,
            kept: &mut self.kept_quote,
        };
        list.settle(tab == DealTab::Quotes, id, quotes, |q| (q.client_id, q.id));
        let list = List {
            rows: &mut self.meetings,
            count: &mut self.meeting_count,
            sel: &mut self.meeting_sel,
            kept: &mut self.kept_meeting,
        };
        list.settle(tab == DealTab::Meetings, id, meetings, |m| (m.client_id, m.id));
        self.set_times(id, times);
    }

    pub fn quote(&self) -> Option<&Quote> {
        self.quotes.get(self.quote_sel)
    }

    pub fn meeting(&self) -> Option<&Meeting> {
        self.meetings.get(self.meeting_sel)
    }

    pub fn time(&self) -> Option<&TimeEntry> {
        self.times.get(self.time_sel)
    }

    /// Whether the selected tab has a record selected.
    pub fn has_row(&self) -> bool {
        match self.tab {
            DealTab::Tasks => false,
            DealTab::Quotes => self.quote().is_some(),
            DealTab::Meetings => self.meeting().is_some(),
            DealTab::Time => self.time().is_some(),
        }
    }

    fn move_by(&mut self, m: Move, page: usize) {
        let (sel, len) = match self.tab {
            DealTab::Tasks => return,
            DealTab::Quotes => (&mut self.quote_sel, self.quotes.len()),
            DealTab::Meetings => (&mut self.meeting_sel, self.meetings.len()),
            DealTab::Time => (&mut self.time_sel, self.times.len()),
        };
        if len == 0 {
            *sel = 0;
            return;
        }
        *sel = match m {
            Move::Up => sel.saturating_sub(1),
            Move::Down => (*sel + 1).min(len - 1),
            Move::Top => 0,
            Move::Bottom => len - 1,
            Move::PageUp => sel.saturating_sub(page),
            Move::PageDown => (*sel + page).min(len - 1),
        };
    }
}

/// Whether the tasks pane shows quotes or meetings right now.
pub fn deal_tab_shown(app: &App) -> bool {
    app.view == View::Desk && app.focus == Pane::Tasks && app.deals.tab != DealTab::Tasks
}

/// The key hints of the quotes or meetings tab, when one is shown.
pub fn hints(app: &App) -> Option<T> {
    if app.view != View::Desk || app.focus != Pane::Tasks {
        return None;
    }
    match app.deals.tab {
        DealTab::Tasks => None,
        DealTab::Quotes => Some(T::HintsQuotes),
        DealTab::Meetings => Some(T::HintsMeetings),
        DealTab::Time => Some(T::HintsTime),
    }
}

/// The review's key hints: the keys that act on the selected row's kind.
pub fn review_hints(app: &App) -> T {
    let Some(kind) = app.review_item().map(|r| r.kind) else {
        return T::HintsReview;
    };
    match kind {
        ReviewKind::WeeklyReview => T::HintsWeeklyReview,
        ReviewKind::QuoteUnanswered => T::HintsReviewQuote,
        ReviewKind::TimerRunning => T::HintsReviewTimer,
        ReviewKind::RetainerNear | ReviewKind::RetainerUsedUp => T::HintsReviewRetainer,
        k if k.is_request() => T::HintsReviewRequest,
        k if k.is_task() => T::HintsReviewTask,
        k if k.is_meeting() => T::HintsReviewMeeting,
        _ => T::HintsReview,
    }
}

/// Handles the intents that are about the tabs, a quote or a meeting, or a weekly review's
/// `x`; `None` leaves the intent to `update`.
pub fn intercept(app: &mut App, intent: Intent, store: &mut Store) -> Option<Result<()>> {
    match intent {
        Intent::NextTab | Intent::PrevTab => Some(switch_tab(app, intent == Intent::NextTab, store)),
        Intent::MissedReview => Some(missed_review(app, store)),
        _ if !deal_tab_shown(app) => None,
        Intent::Move(m) => {
            let page = app.page_of(match app.deals.tab {
                DealTab::Quotes => Listed::Quotes,
                DealTab::Time => Listed::Time,
                _ => Listed::Meetings,
            });
            app.deals.move_by(m, page);
            Some(Ok(()))
        }
        Intent::Open => Some(details(app, store)),
        Intent::Add if app.deals.tab == DealTab::Time => {
            super::time_actions::log_form(app);
            Some(Ok(()))
        }
        Intent::Add => {
            let which = match app.deals.tab {
                DealTab::Quotes => super::actions::ClientForm::Quote,
                _ => super::actions::ClientForm::Meeting,
            };
            super::actions::client_form(app, which);
            Some(Ok(()))
        }
        Intent::Edit => Some(edit(app)),
        Intent::Delete => {
            delete(app);
            Some(Ok(()))
        }
        Intent::Nudge => {
            nudge(app);
            Some(Ok(()))
        }
        Intent::Resolve => {
            answer(app);
            Some(Ok(()))
        }
        // The filter, and the task keys, are the tasks tab's.
        Intent::Filter
        | Intent::AskMaterial
        | Intent::AskFeedback
        | Intent::Clarify
        | Intent::Deliver
        | Intent::Outcome
        | Intent::TaskDone => Some(Ok(())),
        _ => None,
    }
}

fn switch_tab(app: &mut App, forward: bool, store: &Store) -> Result<()> {
    let Some(id) = app.client().map(|c| c.client.id) else {
        app.error(T::NoticeTabsNeedClient.text(app.lang).into());
        return Ok(());
    };
    app.deals.tab = app.deals.tab.step(forward);
    // The list of the tab now shown is read; the one left is only counted.
    app.deals.load(store, Some(id))
}

fn missed_review(app: &mut App, store: &mut Store) -> Result<()> {
    let l = app.lang;
    let today = app.today();
    let Some(item) = app.review_item().cloned() else {
        return Ok(());
    };
    if item.kind != ReviewKind::WeeklyReview {
        app.error(T::NoticeNotWeeklyReview.text(l).into());
        return Ok(());
    }
    store.miss_weekly_review(item.client_id, item.date.unwrap_or(today), today)?;
    changed(app, store, tf(l, T::NoticeReviewMissed, &[&item.client]))
}

fn form(app: &mut App, kind: FormKind, title: String, fields: Vec<Field>) {
    app.popup = Some(Popup::Form(Form::new(kind, title, fields)));
}

/// A meeting's time the way it is typed back into a field.
fn typed_when(at: chrono::NaiveDateTime, l: Lang) -> String {
    format!("{} {}", dates::typed_date(at.date(), l), at.format("%H:%M"))
}

/// The quote edit form's fields, filled from `q`.
fn quote_fields(q: &Quote, l: Lang) -> Vec<Field> {
    vec![
        Field::new(T::FAmount, FieldKind::Amount, money::typed_amount(q.amount_cents, l)),
        Field::new(T::FieldDescription, FieldKind::Text, q.description.clone()),
        Field::new(
            T::FPrep,
            FieldKind::Duration,
            if q.prep_min > 0 {
                dates::format_duration(q.prep_min)
            } else {
                String::new()
            },
        ),
        Field::new(T::FAnswerBy, FieldKind::Date, dates::typed_date(q.answer_by, l)),
    ]
}

/// The meeting edit form's fields, filled from `m`.
fn meeting_fields(m: &Meeting, l: Lang) -> Vec<Field> {
    vec![
        Field::new(T::FWhen, FieldKind::When, typed_when(m.at, l)),
        Field::new(T::FKind, FieldKind::Choice(Choices::MeetingKind), m.kind.key()),
        Field::new(
            T::FLength,
            FieldKind::Duration,
            m.length_min.map(dates::format_duration).unwrap_or_default(),
        ),
    ]
}

fn edit(app: &mut App) -> Result<()> {
    let l = app.lang;
    match app.deals.tab {
        DealTab::Quotes => {
            let Some(q) = app.deals.quote().cloned() else {
                return Ok(());
            };
            form(
                app,
                FormKind::EditQuote(q.id),
                tf(l, T::FormEditQuote, &[&q.client]),
                quote_fields(&q, l),
            );
        }
        DealTab::Meetings => {
            let Some(m) = app.deals.meeting().cloned() else {
                return Ok(());
            };
            form(
                app,
                FormKind::EditMeeting(m.id),
                tf(l, T::FormEditMeeting, &[&m.client]),
                meeting_fields(&m, l),
            );
        }
        DealTab::Time => {
            let Some(e) = app.deals.time().cloned() else {
                return Ok(());
            };
            match e.billed_on {
                // Billed: changing it changes an invoice sent; asked first.
                Some(on) => {
                    app.popup = Some(Popup::Confirm(Confirm {
                        action: ConfirmAction::EditBilledTime(e.id),
                        text: tf(l, T::ConfirmEditBilledTime, &[&i18n::date(on, app.today(), l)]),
                    }))
                }
                None => time_form(app, &e, false),
            }
        }
        DealTab::Tasks => {}
    }
    Ok(())
}

/// The time entry edit form's fields, filled from `e` (a running timer's duration empty).
fn time_fields(e: &TimeEntry, l: Lang) -> Vec<Field> {
    vec![
        Field::new(
            T::FieldDuration,
            FieldKind::Duration,
            e.minutes.map(dates::format_duration).unwrap_or_default(),
        ),
        Field::new(T::FStarted, FieldKind::When, typed_when(e.start_at(), l)),
        Field::new(
            T::FBilling,
            FieldKind::Choice(Choices::Billing),
            if e.billable { "billable" } else { "unbilled" },
        ),
        Field::new(T::FieldEntryNote, FieldKind::Text, e.note.clone()),
    ]
}

/// Opens the edit form of time entry `e`; `force`: its billing was confirmed.
pub fn time_form(app: &mut App, e: &TimeEntry, force: bool) {
    let l = app.lang;
    form(
        app,
        FormKind::EditTime(e.id, force),
        tf(l, T::FormEditTime, &[&super::time_actions::entry_name(e)]),
        time_fields(e, l),
    );
}

fn delete(app: &mut App) {
    let l = app.lang;
    let today = app.today();
    let confirm = match app.deals.tab {
        DealTab::Quotes => app.deals.quote().map(|q| Confirm {
            action: ConfirmAction::DeleteQuote(q.id),
            text: tf(
                l,
                T::ConfirmDeleteQuote,
                &[&amount(app, q), &describe_quote(q, today, l)],
            ),
        }),
        DealTab::Meetings => app.deals.meeting().map(|m| Confirm {
            action: ConfirmAction::DeleteMeeting(m.id),
            text: tf(l, T::ConfirmDeleteMeeting, &[&m.client, &when(m, today, l)]),
        }),
        DealTab::Time => app.deals.time().map(|e| {
            let what = tf(
                l,
                T::TimeEntryWhat,
                &[
                    &e.minutes
                        .map_or_else(|| T::TimerRunningWord.text(l).to_string(), |m| hours_text(u64::from(m))),
                    &super::time_actions::entry_name(e),
                    &i18n::stored_when(&e.start, today, l),
                ],
            );
            Confirm {
                action: ConfirmAction::DeleteTime(e.id, e.billed_on.is_some()),
                text: match e.billed_on {
                    Some(on) => tf(l, T::ConfirmDeleteBilledTime, &[&what, &i18n::date(on, today, l)]),
                    None => tf(l, T::ConfirmDeleteTime, &[&what]),
                },
            }
        }),
        DealTab::Tasks => None,
    };
    if let Some(c) = confirm {
        app.popup = Some(Popup::Confirm(c));
    }
}

/// What a quote is for, or its client when it says nothing.
fn describe_quote(q: &Quote, _today: chrono::NaiveDate, _l: Lang) -> String {
    if q.description.trim().is_empty() {
        q.client.clone()
    } else {
        q.description.clone()
    }
}

fn nudge(app: &mut App) {
    let l = app.lang;
    if app.deals.tab != DealTab::Quotes {
        app.error(T::NoticeNothingToNudge.text(l).into());
        return;
    }
    let Some(q) = app.deals.quote().cloned() else { return };
    if q.status != QuoteStatus::Pending {
        app.error(
            crate::error::Error::Invalid(crate::error::Msg {
                key: T::ErrQuoteAnswered,
                args: vec![
                    crate::error::Arg::Text(q.id.to_string()),
                    crate::error::Arg::Key(q.status.label_key()),
                ],
            })
            .localized(l),
        );
        return;
    }
    nudge_quote_form(app, q.id, &q.client);
}

/// The form of a nudge about a quote: the new date it is expected by (empty keeps it).
pub fn nudge_quote_form(app: &mut App, quote: i64, client: &str) {
    let l = app.lang;
    form(
        app,
        FormKind::NudgeQuote(quote),
        tf(l, T::FormNudgeQuote, &[&client]),
        vec![Field::new(T::FNewDate, FieldKind::Date, "")],
    );
}

fn answer(app: &mut App) {
    match app.deals.tab {
        DealTab::Quotes => {
            if let Some(q) = app.deals.quote().cloned() {
                super::actions::quote_answer_picker(app, q.id, &q.client);
            }
        }
        DealTab::Meetings => {
            if let Some(m) = app.deals.meeting().cloned() {
                super::actions::attendance_picker(app, m.id, &m.client);
            }
        }
        DealTab::Tasks | DealTab::Time => {}
    }
}

/// Deletes what was confirmed.
pub fn confirm(app: &mut App, action: ConfirmAction, store: &mut Store) -> Result<()> {
    let l = app.lang;
    match action {
        ConfirmAction::DeleteQuote(id) => store.delete_quote(id)?,
        ConfirmAction::DeleteMeeting(id) => store.delete_meeting(id)?,
        // Billed since the question was asked: refused, said so.
        ConfirmAction::DeleteTime(id, billed) => match store.delete_time(id, billed) {
            Err(crate::error::Error::Invalid(m)) if m.key == T::ErrTimeBilled => {
                let mut m = m;
                m.key = T::ErrTimeBilledMeanwhile;
                app.error(crate::error::Error::Invalid(m).localized(l));
                return app.reload(store);
            }
            // Billed: emptied, not deleted, and said so.
            Ok(true) => {
                let on = store.time_entry(id)?.billed_on.unwrap_or(app.today());
                let text = format!(
                    "{} {}",
                    tf(l, T::NoticeTimeEmptied, &[&id, &i18n::date(on, app.today(), l)]),
                    app.config.keys.text(T::NoticeUndoHint, l, &[])
                );
                return changed(app, store, text);
            }
            r => {
                r?;
            }
        },
        ConfirmAction::EditBilledTime(id) => {
            let e = store.time_entry(id)?;
            time_form(app, &e, true);
            return Ok(());
        }
        _ => return Ok(()),
    }
    changed(
        app,
        store,
        format!(
            "{} {}",
            T::NoticeDeleted.text(l),
            app.config.keys.text(T::NoticeUndoHint, l, &[])
        ),
    )
}

/// Saves the quote and meeting forms. `Ok(Some(notice))` saved; `Ok(None)` a field is wrong
/// (marked inline, nothing typed is lost).
pub fn submit(app: &mut App, form: &mut Form, store: &mut Store) -> Result<Option<String>> {
    let l = app.lang;
    let today = app.today();
    let now = app.now;
    let v = |form: &Form, i: usize| form.value(i).to_string();
    macro_rules! field {
        ($i:expr, $r:expr) => {
            match $r {
                Ok(v) => v,
                Err(e) => {
                    form.set_error($i, e.localized(l));
                    return Ok(None);
                }
            }
        };
    }
    let notice = match form.kind {
        // Only what was changed here is written; a field changed meanwhile elsewhere as
        // well is refused inline (see `actions::settle_edit`).
        FormKind::EditQuote(id) => {
            let changed = form.changed();
            let ch = |i: usize| changed.get(i).copied().unwrap_or(false);
            let e = QuoteEdit {
                amount: if ch(0) {
                    let currency = store
                        .quote(id)
                        .map(|q| store.money_defaults().currency_or_default(q.client_currency.as_deref()));
                    Some(field!(
                        0,
                        currency.and_then(|cur| money::parse_amount_in(&v(form, 0), cur, l))
                    ))
                } else {
                    None
                },
                description: ch(1).then(|| v(form, 1)),
                prep_min: if ch(2) {
                    Some(field!(2, opt(&v(form, 2), dates::parse_duration)).unwrap_or(0))
                } else {
                    None
                },
                answer_by: if ch(3) {
                    Some(field!(3, dates::parse_date(&v(form, 3), today)))
                } else {
                    None
                },
            };
            let mut stored = None;
            let r = store.edit_quote_if(id, |q| {
                super::actions::unless_conflict(form, quote_fields(q, l), e, &mut stored)
            });
            if !super::actions::settle_edit(form, r, stored, 3, l) {
                return Ok(None);
            }
            T::NoticeQuoteSaved.text(l).to_string()
        }
        FormKind::EditMeeting(id) => {
            let changed = form.changed();
            let ch = |i: usize| changed.get(i).copied().unwrap_or(false);
            let e = MeetingEdit {
                at: if ch(0) {
                    Some(field!(0, dates::parse_when(&v(form, 0), now)))
                } else {
                    None
                },
                kind: if ch(1) {
                    Some(field!(1, MeetingKind::parse(&v(form, 1))))
                } else {
                    None
                },
                length_min: if ch(2) {
                    Some(field!(2, opt(&v(form, 2), dates::parse_duration)))
                } else {
                    None
                },
            };
            let mut stored = None;
            let r = store.edit_meeting_if(id, |m| {
                super::actions::unless_conflict(form, meeting_fields(m, l), e, &mut stored)
            });
            // A held meeting moved to a time to come is about its time; the rest, its length.
            let refused_at = match &r {
                Err(crate::error::Error::Invalid(m)) if m.key == T::ErrHeldMeetingLater => 0,
                _ => 2,
            };
            if !super::actions::settle_edit(form, r, stored, refused_at, l) {
                return Ok(None);
            }
            T::NoticeMeetingSaved.text(l).to_string()
        }
        FormKind::EditTime(id, force) => {
            let changed = form.changed();
            let ch = |i: usize| changed.get(i).copied().unwrap_or(false);
            let e = TimeEdit {
                minutes: if ch(0) {
                    Some(field!(0, dates::parse_duration(&v(form, 0))))
                } else {
                    None
                },
                // Emptied, the start is "ended now", as in the log form (a running timer's
                // start stays).
                start: if ch(1) && v(form, 1).trim().is_empty() {
                    // The duration typed, else the entry's as it is now.
                    let minutes = if ch(0) {
                        dates::parse_duration(&v(form, 0)).ok()
                    } else {
                        store.time_entry(id).ok().and_then(|e| e.minutes)
                    };
                    minutes.map(|m| dates::worked_until(now, m))
                } else if ch(1) {
                    Some(field!(1, dates::parse_when(&v(form, 1), now)))
                } else {
                    None
                },
                billable: ch(2).then(|| v(form, 2) != "unbilled"),
                note: ch(3).then(|| v(form, 3)),
                task: None,
            };
            let mut stored = None;
            let r = store.edit_time_if(id, force, |t| {
                super::actions::unless_conflict(form, time_fields(t, l), e, &mut stored)
            });
            // Under the field it is about: the note's own, a time moved (ending after now, over
            // other time) on its start when that was changed, else the duration.
            let refused_at = match r.as_ref().err().and_then(|e| e.key()) {
                Some(T::ErrTooLong | T::ErrEmpty) => 3,
                Some(T::ErrTimerRunningMove) => 1,
                _ if ch(1) && !ch(0) => 1,
                _ => 0,
            };
            let r = r.map_err(|e| match e {
                // Billed meanwhile elsewhere: the desk's words (there is no --force here).
                crate::error::Error::Invalid(mut m) if m.key == T::ErrTimeBilled => {
                    m.key = T::ErrTimeBilledMeanwhile;
                    crate::error::Error::Invalid(m)
                }
                e => e,
            });
            if !super::actions::settle_edit(form, r, stored, refused_at, l) {
                return Ok(None);
            }
            T::NoticeTimeSaved.text(l).to_string()
        }
        FormKind::NudgeQuote(id) => {
            let until = field!(0, opt(&v(form, 0), |s| dates::parse_date(s, today)));
            let n = field!(0, store.nudge_quote(id, until, today));
            tf(l, T::NoticeNudged, &[&n])
        }
        _ => return Ok(None),
    };
    Ok(Some(notice))
}

fn opt<V>(s: &str, f: impl FnOnce(&str) -> Result<V>) -> Result<Option<V>> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        f(s).map(Some)
    }
}

/// A quote's amount in its client's currency.
pub fn amount(app: &App, q: &Quote) -> String {
    let cur = app.deals.currency.unwrap_or(iso_currency::Currency::EUR);
    money::format_cents(q.amount_cents, cur, app.lang)
}

/// When a meeting is: "Mon 23 Nov 10:00".
pub fn when(m: &Meeting, today: chrono::NaiveDate, l: Lang) -> String {
    format!("{} {}", i18n::date(m.at.date(), today, l), m.at.format("%H:%M"))
}

fn row(l: Lang, key: T, value: impl std::fmt::Display) -> String {
    format!("{:<20} {value}", capitalize(key.text(l)))
}

fn details(app: &mut App, _store: &mut Store) -> Result<()> {
    let l = app.lang;
    let today = app.today();
    let d = match app.deals.tab {
        DealTab::Quotes => {
            let Some(q) = app.deals.quote() else { return Ok(()) };
            let mut lines = vec![
                row(l, T::FAmount, amount(app, q)),
                row(l, T::FStatus, q.status.label(l)),
                row(l, T::FSent, i18n::date(q.sent_on, today, l)),
                row(l, T::FAnswerBy, i18n::date(q.answer_by, today, l)),
                row(
                    l,
                    T::FPrep,
                    if q.prep_min > 0 {
                        dates::format_duration(q.prep_min)
                    } else {
                        "—".into()
                    },
                ),
                row(l, T::FNudges, q.nudges),
            ];
            if let Some(d) = q.last_nudge {
                lines.push(row(l, T::FLastNudge, i18n::date(d, today, l)));
            }
            if !q.description.is_empty() {
                lines.push(String::new());
                lines.extend(q.description.lines().map(str::to_string));
            }
            Details {
                title: tf(l, T::FormQuote, &[&q.client]),
                lines,
                scroll: 0,
            }
        }
        DealTab::Meetings => {
            let Some(m) = app.deals.meeting() else { return Ok(()) };
            let mut attendance = m.attendance.label(l).to_string();
            if let Some(n) = m.late_minutes {
                attendance = format!("{attendance} ({})", pl(l, P::MinutesLate, i64::from(n), &[]));
            }
            let lines = vec![
                row(l, T::FWhen, when(m, today, l)),
                row(l, T::FKind, m.kind.label(l)),
                row(
                    l,
                    T::FLength,
                    m.length_min.map(dates::format_duration).unwrap_or_else(|| "—".into()),
                ),
                row(l, T::FAttendance, attendance),
            ];
            Details {
                title: tf(l, T::FormMeeting, &[&m.client]),
                lines,
                scroll: 0,
            }
        }
        DealTab::Time => {
            let Some(e) = app.deals.time() else { return Ok(()) };
            let mut lines = vec![
                row(l, T::FStarted, i18n::stored_when(&e.start, today, l)),
                row(
                    l,
                    T::FieldDuration,
                    e.minutes
                        .map_or_else(|| T::TimerRunningWord.text(l).to_string(), |m| hours_text(u64::from(m))),
                ),
                row(
                    l,
                    T::FBilling,
                    if e.billable {
                        T::MonthBillable.text(l)
                    } else {
                        T::MonthUnbilled.text(l)
                    },
                ),
                row(l, T::FTask, e.task_title.as_deref().unwrap_or("—")),
                row(
                    l,
                    T::FBilledOn,
                    e.billed_on.map_or_else(|| "—".to_string(), |d| i18n::date(d, today, l)),
                ),
                row(l, T::FEntryId, e.id),
            ];
            if !e.note.is_empty() {
                lines.push(String::new());
                lines.push(e.note.clone());
            }
            Details {
                title: tf(l, T::DetailsTime, &[&e.client]),
                lines,
                scroll: 0,
            }
        }
        DealTab::Tasks => return Ok(()),
    };
    app.popup = Some(Popup::Details(d));
    Ok(())
}

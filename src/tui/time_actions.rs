//! Time and money in the desk: the timer (`t`), logging time (`T`), and the Month view (`3`)
//! with its statement popup. Called from `update` only; the store does the arithmetic.

use chrono::NaiveDateTime;

use super::app::{App, Pane, View};
use super::form::{Choices, Details, Field, FieldKind, Form, FormKind, Popup};
use crate::domain::dates;
use crate::domain::money::{format_cents, hours_text, Month, TimeEntry};
use crate::domain::text::width;
use crate::error::Result;
use crate::i18n::{tf, Lang, T};
use crate::store::{MonthLine, StopAt, Store};

/// What the desk knows of time and money: the running timer, and the Month view's month.
#[derive(Debug, Clone)]
pub struct MoneyState {
    pub timer: Option<TimeEntry>,
    pub month: Month,
    pub lines: Vec<MonthLine>,
    pub sel: usize,
}

impl MoneyState {
    pub fn new(month: Month) -> MoneyState {
        MoneyState {
            timer: None,
            month,
            lines: Vec::new(),
            sel: 0,
        }
    }

    pub fn line(&self) -> Option<&MonthLine> {
        self.lines.get(self.sel)
    }
}

/// Minutes the running timer has run by `now`.
pub fn running_minutes(e: &TimeEntry, now: NaiveDateTime) -> i64 {
    crate::domain::dates::minutes_between(e.start_at(), now).max(0)
}

/// Reloads the timer (always: the status bar shows it) and the month (when it is shown).
pub fn reload(app: &mut App, store: &Store) -> Result<()> {
    app.money.timer = store.running_timer()?;
    if app.view == View::Month {
        reload_month(app, store)?;
    }
    Ok(())
}

fn reload_month(app: &mut App, store: &Store) -> Result<()> {
    let keep = app.money.line().map(|l| l.client.id);
    app.money.lines = store.month_lines(app.money.month)?;
    app.money.sel = keep
        .and_then(|id| app.money.lines.iter().position(|l| l.client.id == id))
        .unwrap_or(app.money.sel)
        .min(app.money.lines.len().saturating_sub(1));
    Ok(())
}

/// `3`: the Month view, on this month the first time.
pub fn show_month(app: &mut App, store: &Store) -> Result<()> {
    app.view = View::Month;
    reload_month(app, store)
}

/// `←` / `→`: the month before or after.
pub fn shift_month(app: &mut App, store: &Store, forward: bool) -> Result<()> {
    let m = app.money.month;
    let to = if forward { m.next() } else { m.prev() };
    // Within the years vadesk keeps, as every date is.
    if !crate::domain::dates::YEARS.contains(&to.year) {
        return Ok(());
    }
    app.money.month = to;
    reload_month(app, store)
}

/// What `t` / `T` act on: the selected task (tasks pane), else the selected client.
/// (client id, task id, what to call it).
fn target(app: &App) -> Option<(i64, Option<i64>, String)> {
    // The tasks tab's task; on the other tabs, the client alone (the task selected there is
    // not shown).
    if app.view == View::Desk && app.focus == Pane::Tasks && app.deals.tab == super::deals::DealTab::Tasks {
        if let Some(t) = app.tasks.current() {
            return Some((t.client_id, Some(t.id), t.title.clone()));
        }
    }
    if app.view == View::Month {
        return app.money.line().map(|l| (l.client.id, None, l.client.name.clone()));
    }
    app.context_client().map(|(id, name)| (id, None, name))
}

/// What a running entry is called: its task's title, else its client's name.
pub fn entry_name(e: &TimeEntry) -> String {
    match &e.task_title {
        Some(t) => format!("{} · {t}", e.client),
        None => e.client.clone(),
    }
}

/// `t`: stops the timer running on the selection, or starts one there (stopping the one that
/// runs elsewhere). A timer left running since an earlier day is not stopped at once: a form
/// asks when the work ended.
pub fn toggle_timer(app: &mut App, store: &mut Store) -> Result<()> {
    let l = app.lang;
    let now = app.now;
    let running = store.running_timer()?;
    if let Some(r) = &running {
        if r.start_at().date() < now.date() {
            ask_end(app, r);
            return Ok(());
        }
    }
    let Some((client, task, name)) = target(app) else {
        app.error(T::NoticeTimeNeedsTarget.text(l).into());
        return Ok(());
    };
    let same = running
        .as_ref()
        .is_some_and(|r| r.client_id == client && (task.is_none() || r.task == task));
    if same {
        let e = store.stop_timer(StopAt::Now, now)?;
        return super::update::changed(app, store, stopped_notice(&e, l));
    }
    let (_, stopped) = store.start_timer(Some(client), task, true, "", now)?;
    let mut notice = tf(l, T::TimerStartedMsg, &[&name]);
    // Moved from another task: what the one stopped logged is said too.
    if let Some(e) = stopped {
        notice.push_str(". ");
        notice.push_str(&stopped_notice(&e, l));
    }
    super::update::changed(app, store, notice)
}

/// Stops the running timer, wherever the selection is: one from an earlier day asks when the
/// work ended.
pub fn stop_running(app: &mut App, store: &mut Store) -> Result<()> {
    let Some(r) = store.running_timer()? else {
        return super::update::changed(app, store, String::new());
    };
    if r.start_at().date() < app.now.date() {
        ask_end(app, &r);
        return Ok(());
    }
    let e = store.stop_timer(StopAt::Now, app.now)?;
    super::update::changed(app, store, stopped_notice(&e, app.lang))
}

fn stopped_notice(e: &TimeEntry, l: Lang) -> String {
    match e.minutes.unwrap_or(0) {
        0 => tf(l, T::TimerDiscarded, &[&entry_name(e)]),
        m => tf(
            l,
            T::TimerStoppedMsg,
            &[&crate::domain::money::hours_text(u64::from(m)), &entry_name(e)],
        ),
    }
}

/// The form for a timer from an earlier day: when the work ended (empty keeps all of it).
fn ask_end(app: &mut App, r: &TimeEntry) {
    let l = app.lang;
    app.popup = Some(Popup::Form(Form::new(
        FormKind::StopTimer(r.id),
        tf(
            l,
            T::FormStopOldTimer,
            &[&crate::i18n::stored_when(&r.start, app.today(), l)],
        ),
        vec![Field::new(T::FEndedAt, FieldKind::When, "")],
    )));
}

/// `T`: the form to log time on the selected task or client.
pub fn log_form(app: &mut App) {
    let l = app.lang;
    let Some((client, task, name)) = target(app) else {
        app.error(T::NoticeTimeNeedsTarget.text(l).into());
        return;
    };
    app.popup = Some(Popup::Form(Form::new(
        FormKind::LogTime(client, task),
        tf(l, T::FormLogTimeOn, &[&name]),
        vec![
            Field::new(T::FieldDuration, FieldKind::Duration, ""),
            Field::new(T::FStarted, FieldKind::When, ""),
            Field::new(T::FBilling, FieldKind::Choice(Choices::Billing), "billable"),
            Field::new(T::FieldEntryNote, FieldKind::Text, ""),
        ],
    )));
}

/// Saves the timer and time forms. `Ok(Some(notice))` saved; `Ok(None)` a field is wrong
/// (marked inline, what was typed kept).
pub fn submit(app: &mut App, form: &mut Form, store: &mut Store) -> Result<Option<String>> {
    let l = app.lang;
    let now = app.now;
    let mark = |form: &mut Form, i: usize, e: crate::error::Error| {
        form.set_error(i, e.localized(l));
    };
    match form.kind {
        FormKind::StopTimer(id) => {
            let v = form.value(0).trim().to_string();
            let how = if v.is_empty() {
                StopAt::Keep
            } else {
                let start = store.time_entry(id).map(|e| e.start_at()).unwrap_or(now);
                match dates::parse_end(&v, start, now) {
                    Ok(at) => StopAt::At(at),
                    Err(e) => {
                        mark(form, 0, e);
                        return Ok(None);
                    }
                }
            };
            // That entry only: stopped meanwhile elsewhere, it is refused (never the timer
            // started after it).
            match store.stop_timer_entry(id, how, now) {
                Ok(e) => Ok(Some(stopped_notice(&e, l))),
                // Said the desk's way: there is no --at here, only the field.
                Err(crate::error::Error::Invalid(m)) if m.key == T::ErrTimerTooLong => {
                    let mut m = m;
                    m.key = T::ErrTimerTooLongDesk;
                    mark(form, 0, crate::error::Error::Invalid(m));
                    Ok(None)
                }
                Err(e) => {
                    mark(form, 0, e);
                    Ok(None)
                }
            }
        }
        FormKind::LogTime(client, task) => {
            let minutes = match dates::parse_duration(form.value(0)) {
                Ok(m) => m,
                Err(e) => {
                    mark(form, 0, e);
                    return Ok(None);
                }
            };
            let start = if form.value(1).trim().is_empty() {
                dates::worked_until(now, minutes)
            } else {
                match dates::parse_when(form.value(1), now) {
                    Ok(s) => s,
                    Err(e) => {
                        mark(form, 1, e);
                        return Ok(None);
                    }
                }
            };
            let billable = form.value(2) != "unbilled";
            let note = form.value(3).to_string();
            match store.log_time(Some(client), task, start, minutes, billable, &note) {
                Ok(_) => Ok(Some(tf(l, T::NoticeTimeLogged, &[&hours_text(minutes as u64)]))),
                Err(e) => {
                    // Under the field it is about: the note's own, else the start when one
                    // was typed (time ending after now, over time already logged), else the
                    // duration.
                    let at = match e.key() {
                        Some(T::ErrTooLong | T::ErrEmpty) => 3,
                        _ if !form.value(1).trim().is_empty() => 1,
                        _ => 0,
                    };
                    mark(form, at, e);
                    Ok(None)
                }
            }
        }
        _ => Ok(None),
    }
}

/// `Enter` in the Month view: the selected client's statement for the month.
pub fn statement_popup(app: &App, store: &Store) -> Result<Option<Popup>> {
    let l = app.lang;
    let Some(line) = app.money.line() else {
        return Ok(None);
    };
    let st = store.statement(line.client.id, app.money.month)?;
    let t = &st.totals;
    let cur = st.currency;
    let row = |k: String, v: String| format!("{:<40} {v}", k);
    let mut lines = Vec::new();
    if let Some(on) = st.terms_billed_on {
        lines.push(tf(
            l,
            T::StTermsBilled,
            &[&crate::i18n::date(on, st.month.first_day(), l)],
        ));
        lines.push(String::new());
    }
    lines.extend([
        row(T::StBillable.text(l).into(), hours_text(t.billable_minutes)),
        row(tf(l, T::StBilled, &[&st.increment]), hours_text(t.billed_minutes)),
        row(T::StUnbilled.text(l).into(), hours_text(t.unbilled_minutes)),
        row(T::StQuotePrep.text(l).into(), hours_text(t.quote_prep_minutes)),
    ]);
    if t.retainer_minutes > 0 {
        lines.push(row(T::StRetainer.text(l).into(), hours_text(t.retainer_minutes)));
        lines.push(row(T::StOverage.text(l).into(), hours_text(t.overage_minutes)));
    }
    if t.overage_minutes > 0 && st.client.overage_cents.or(st.client.rate_cents).is_none() {
        lines.push(tf(l, T::StOverageNoRate, &[&st.client.name]));
    }
    if t.amount_cents != t.earned_cents {
        lines.push(row(T::StEarned.text(l).into(), format_cents(t.earned_cents, cur, l)));
        lines.push(row(
            T::StInvoiced.text(l).into(),
            format_cents(t.earned_cents - t.amount_cents, cur, l),
        ));
    }
    let (label, amount) = t.amount_line();
    lines.push(row(label.text(l).into(), format_cents(amount, cur, l)));
    if let Some(r) = t.effective_rate_cents {
        lines.push(row(T::StEffective.text(l).into(), format_cents(r, cur, l)));
    }
    if !st.entries.is_empty() {
        lines.push(String::new());
        // Every entry is of that month: its days need no year.
        let in_month = st.month.first_day();
        // Each entry as worked and as billed (rounded up to the increment; 0 when unbilled),
        // in columns as wide as their widest text in this language.
        let (billable, unbilled) = (T::MonthBillable.text(l), T::MonthUnbilled.text(l));
        let kind_w = width::of(billable).max(width::of(unbilled));
        let (worked_h, billed_h) = (T::StColWorked.text(l), T::StColBilled.text(l));
        let rows: Vec<(String, String, String, &str)> = st
            .entries
            .iter()
            .map(|e| {
                (
                    crate::i18n::stored_when(e.start.get(..10).unwrap_or(&e.start), in_month, l),
                    hours_text(e.minutes.unwrap_or(0) as u64),
                    hours_text(u64::from(st.billed_minutes(e))),
                    if e.billable { billable } else { unbilled },
                )
            })
            .collect();
        let date_w = rows.iter().map(|r| width::of(&r.0)).max().unwrap_or(0);
        let worked_w = rows
            .iter()
            .map(|r| width::of(&r.1))
            .fold(width::of(worked_h), usize::max);
        let billed_w = rows
            .iter()
            .map(|r| width::of(&r.2))
            .fold(width::of(billed_h), usize::max);
        lines.push(format!(
            "{}  {}  {}",
            width::pad("", date_w),
            width::pad_left(worked_h, worked_w),
            width::pad_left(billed_h, billed_w)
        ));
        for (e, (date, worked, billed, kind)) in st.entries.iter().zip(rows) {
            let what = e.task_title.clone().unwrap_or_else(|| "—".into());
            let mut s = format!(
                "{}  {}  {}  {}  {what}",
                width::pad(&date, date_w),
                width::pad_left(&worked, worked_w),
                width::pad_left(&billed, billed_w),
                width::pad(kind, kind_w)
            );
            if !e.note.is_empty() {
                s.push_str(&format!(" ({})", e.note));
            }
            if let Some(m) = st.invoiced_otherwise(e) {
                s.push_str(" · ");
                s.push_str(&tf(l, T::StEntryInvoiced, &[&hours_text(u64::from(m))]));
            }
            lines.push(s);
        }
    }
    Ok(Some(Popup::Details(Details {
        title: tf(l, T::StTitle, &[&st.client.name, &month_name(st.month, l)]),
        lines,
        scroll: 0,
    })))
}

/// "November 2026" / "noviembre de 2026".
pub fn month_name(m: Month, l: Lang) -> String {
    crate::i18n::month_year(m.year, m.month, l)
}

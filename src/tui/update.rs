//! `update(app, msg, store)`: the one place the desk changes state or writes to the store.

use chrono::NaiveDateTime;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_input::backend::crossterm::EventHandler;

use super::actions;
use super::app::{App, Pane, View};
use super::filter::Filter;
use super::form::{insert_text, FormAction, Pasted, Popup};
use super::keys::{self, Intent};
use super::time_actions;
use crate::describe;
use crate::error::Result;
use crate::i18n::{tf, T};
use crate::store::{DetectReport, Store};

/// What happened: a key, a resize, the background tick.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Resize(u16, u16),
    Tick {
        report: DetectReport,
        now: NaiveDateTime,
    },
    TickFailed(String),
    /// A background sync brought or sent something (what it did, said for the status bar).
    Synced(String),
    /// A bracketed paste: text, never keys.
    Paste(String),
    /// A terminating signal arrived: the desk ends (see `exit`).
    Signal(i32),
    /// The terminal went away.
    TerminalGone,
    /// The minute turned: the header clock moves on.
    Clock(NaiveDateTime),
    /// The external editor closed: the text it left, or why it could not run.
    Edited(std::result::Result<String, EditorFailure>),
}

pub fn update(app: &mut App, msg: Msg, store: &mut Store) {
    let result = match msg {
        Msg::Resize(w, h) => {
            app.size = (w, h);
            // The lists' heights change with it: until they are drawn again, their windows
            // hold whatever page the new height may draw.
            app.shown = Default::default();
            app.load_task_window(store, false)
                .and_then(|()| app.load_review_window(store))
        }
        Msg::Tick { report, now } => tick(app, report, now, store),
        Msg::Clock(now) => {
            if !app.fixed_clock {
                app.now = now;
            }
            Ok(())
        }
        Msg::TickFailed(e) => {
            app.error(e);
            Ok(())
        }
        Msg::Synced(text) => {
            app.info_aside(text);
            match app.stale(store) {
                Ok(true) => app.reload(store),
                Ok(false) => Ok(()),
                Err(e) => Err(e),
            }
        }
        Msg::Key(k) => key(app, k, store),
        Msg::Paste(text) => paste(app, &text, store),
        Msg::Edited(r) => {
            edited(app, r);
            Ok(())
        }
        // Nothing half-typed is saved: the desk just ends.
        Msg::Signal(_) | Msg::TerminalGone => {
            app.quit = true;
            Ok(())
        }
    };
    if let Err(e) = result {
        app.error(e.localized(app.lang));
    }
}

fn tick(app: &mut App, report: DetectReport, now: NaiveDateTime, store: &mut Store) -> Result<()> {
    if !app.fixed_clock {
        app.now = now;
    }
    if !report.new_flags.is_empty() {
        let l = app.lang;
        let names: Vec<String> = report
            .new_flags
            .iter()
            .map(|f| format!("{}: {}", f.client, f.kind.label(l)))
            .collect();
        app.info_aside(crate::i18n::pl(
            l,
            crate::i18n::P::NewFlags,
            names.len() as i64,
            &[&names.join(" · ")],
        ));
    }
    // Other processes (and the tick itself) may have written meanwhile: re-query only then.
    if !report.new_flags.is_empty() || app.stale(store)? {
        app.reload(store)?;
    }
    app.counts = report.counts;
    Ok(())
}

fn key(app: &mut App, k: KeyEvent, store: &mut Store) -> Result<()> {
    if keys::is_interrupt(k) {
        app.quit = true;
        return Ok(());
    }
    // A terminal too small shows only that it is: no key acts on what cannot be seen, but
    // the one that quits.
    if app.too_small() {
        if app.config.keys.intent(k, app.key_ctx()) == Some(Intent::Quit) {
            app.quit = true;
        }
        return Ok(());
    }
    // Esc followed quickly by a key arrives as Alt-key: it was meant as the two keys.
    if let KeyCode::Char(c) = k.code {
        if k.modifiers.contains(KeyModifiers::ALT) {
            key(app, KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE), store)?;
            let mods = k.modifiers - KeyModifiers::ALT;
            return key(app, KeyEvent::new(KeyCode::Char(c), mods), store);
        }
    }
    if app.popup.is_some() {
        return popup_key(app, k, store);
    }
    if filter_editing(app) {
        return filter_key(app, k, store);
    }
    let Some(intent) = app.config.keys.intent(k, app.key_ctx()) else {
        return Ok(());
    };
    if intent != Intent::Back {
        app.notice = None;
    }
    // The tasks pane's quotes and meetings tabs, and the weekly review's `x`.
    if let Some(r) = super::deals::intercept(app, intent, store) {
        return r;
    }
    let l = app.lang;
    let today = app.today();
    match intent {
        Intent::Quit => app.quit = true,
        Intent::ShowDesk => app.view = View::Desk,
        Intent::ShowReview => {
            app.view = View::Review;
            app.load_review_window(store)?;
        }
        Intent::ShowMonth => time_actions::show_month(app, store)?,
        Intent::PrevMonth => time_actions::shift_month(app, store, false)?,
        Intent::NextMonth => time_actions::shift_month(app, store, true)?,
        Intent::Timer => time_actions::toggle_timer(app, store)?,
        Intent::LogTime => time_actions::log_form(app),
        Intent::NextPane => app.focus = app.focus.next(),
        Intent::PrevPane => app.focus = app.focus.prev(),
        Intent::Move(m) => {
            if app.move_selection(m) {
                app.client_changed(store)?;
            } else if app.view == View::Desk && matches!(app.focus, Pane::Tasks | Pane::Flags) {
                // The window of rows around the moved selection (tasks, or flags).
                app.load_task_window(store, false)?;
            } else if app.view == View::Review {
                app.load_review_window(store)?;
            }
        }
        Intent::Open if app.view == View::Desk && app.focus == Pane::Flags && app.client().is_none() => {
            actions::open_ranked(app, store)?
        }
        Intent::Open => app.popup = actions::details(app, store)?,
        Intent::Add => actions::add(app)?,
        Intent::Edit => actions::edit(app, store)?,
        Intent::Delete => actions::delete(app, store)?,
        Intent::AskMaterial => actions::task_form(app, actions::TaskForm::Material),
        Intent::AskFeedback => actions::task_form(app, actions::TaskForm::Feedback),
        Intent::Outcome => actions::outcome_picker(app),
        Intent::Clarify => {
            if let Some(t) = app.tasks.current().cloned() {
                let n = store.clarify(t.id, today)?;
                changed(
                    app,
                    store,
                    crate::i18n::pl(l, crate::i18n::P::ClarifiedNotice, i64::from(n), &[&t.title]),
                )?;
            }
        }
        Intent::Deliver => {
            if let Some(t) = app.tasks.current().cloned() {
                store.set_task_status(t.id, crate::domain::TaskStatus::Delivered, today)?;
                changed(app, store, tf(l, T::NoticeDelivered, &[&t.title]))?;
            }
        }
        Intent::TaskDone => {
            if let Some(t) = app.tasks.current().cloned() {
                store.set_task_status(t.id, crate::domain::TaskStatus::Done, today)?;
                changed(app, store, tf(l, T::NoticeDone, &[&t.title]))?;
            }
        }
        Intent::AddQuote => actions::client_form(app, actions::ClientForm::Quote),
        Intent::AddMeeting => actions::client_form(app, actions::ClientForm::Meeting),
        Intent::LogFlag => actions::flag_picker(app),
        Intent::Nudge => actions::nudge(app),
        Intent::Resolve => actions::resolve(app, store, false)?,
        Intent::RowDone => actions::resolve(app, store, true)?,
        Intent::Snooze => actions::snooze(app, store)?,
        Intent::Undo => actions::undo_or_redo(app, store, false)?,
        Intent::Redo => actions::undo_or_redo(app, store, true)?,
        Intent::SyncNow => {
            if app.config.sync.is_some() {
                app.sync_requested = true;
                app.info(T::NoticeSyncing.text(l).to_string());
            } else {
                app.error(T::ErrSyncNoConfig.text(l).to_string());
            }
        }
        Intent::Filter => open_filter(app, store)?,
        Intent::Help => app.popup = Some(Popup::Help { scroll: 0 }),
        Intent::Back => {
            if !clear_filter(app, store)? {
                app.notice = None;
            }
        }
        Intent::NextTab | Intent::PrevTab | Intent::MissedReview => {}
    }
    Ok(())
}

/// A paste goes into the focused field of an open form, or into the filter being typed; it is
/// ignored anywhere else (it is never taken as keys).
fn paste(app: &mut App, text: &str, store: &mut Store) -> Result<()> {
    if app.too_small() {
        return Ok(());
    }
    if app.popup.is_some() {
        if let Some(Popup::Form(form)) = &mut app.popup {
            if let Pasted::Cut(max) = form.paste(text) {
                let l = app.lang;
                app.info(tf(l, T::NoticePasteCut, &[&max]));
            }
        }
        return Ok(());
    }
    if !filter_editing(app) {
        return Ok(());
    }
    let mut cut = false;
    if let Some(f) = focused_filter(app) {
        let (input, was_cut) = insert_text(&f.input, text, FILTER_MAX_CHARS);
        f.input = input;
        cut = was_cut;
    }
    apply_filter(app, store)?;
    if cut {
        let l = app.lang;
        app.info(tf(l, T::NoticePasteCut, &[&FILTER_MAX_CHARS]));
    }
    Ok(())
}

/// A filter query longer than this matches nothing useful.
const FILTER_MAX_CHARS: usize = 200;

/// After a write: reload what is shown and say what happened.
pub(super) fn changed(app: &mut App, store: &mut Store, notice: String) -> Result<()> {
    app.reload(store)?;
    app.info(notice);
    Ok(())
}

fn popup_key(app: &mut App, k: KeyEvent, store: &mut Store) -> Result<()> {
    let Some(popup) = app.popup.take() else { return Ok(()) };
    match popup {
        Popup::Form(mut form) => match form.key(k) {
            FormAction::Continue => app.popup = Some(Popup::Form(form)),
            FormAction::EditExternally => {
                app.external_edit = Some(form.value(form.focus).to_string());
                app.popup = Some(Popup::Form(form));
            }
            FormAction::Cancel => {}
            FormAction::Submit => {
                form.clear_errors();
                match actions::submit(app, &mut form, store) {
                    Ok(Some(notice)) => changed(app, store, notice)?,
                    // Validation failed: the form stays, with what was typed and the error inline.
                    Ok(None) => app.popup = Some(Popup::Form(form)),
                    Err(e) => {
                        let msg = e.localized(app.lang);
                        let focus = form.focus;
                        form.set_error(focus, msg);
                        app.popup = Some(Popup::Form(form));
                    }
                }
            }
        },
        Popup::Picker(mut p) => match k.code {
            KeyCode::Esc | KeyCode::Char('q') => {}
            KeyCode::Down | KeyCode::Char('j') | KeyCode::Tab => {
                p.selected = (p.selected + 1) % p.options.len().max(1);
                app.popup = Some(Popup::Picker(p));
            }
            KeyCode::Up | KeyCode::Char('k') | KeyCode::BackTab => {
                let n = p.options.len().max(1);
                p.selected = (p.selected + n - 1) % n;
                app.popup = Some(Popup::Picker(p));
            }
            KeyCode::Enter => actions::pick(app, &p, store)?,
            _ => app.popup = Some(Popup::Picker(p)),
        },
        Popup::Confirm(c) => match k.code {
            // Only a deliberate yes confirms: y, or s (sí) in Spanish. Enter or a stray key
            // (a paste, a key meant for the list) never does.
            KeyCode::Char('y') | KeyCode::Char('Y') => actions::confirm(app, c.action, store)?,
            KeyCode::Char('s') | KeyCode::Char('S') if app.lang == crate::i18n::Lang::Es => {
                actions::confirm(app, c.action, store)?
            }
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Char('q') | KeyCode::Esc => {}
            _ => app.popup = Some(Popup::Confirm(c)),
        },
        Popup::Details(mut d) => match k.code {
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => {}
            _ => {
                d.scroll = super::ui::popup::details_scrolled(app, &d, k.code);
                app.popup = Some(Popup::Details(d));
            }
        },
        Popup::Help { scroll } => match k.code {
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') | KeyCode::Char('?') => {}
            _ => {
                let last = super::ui::popup::help_max_scroll(app);
                let scroll = scrolled(scroll.min(last), k.code, page(app), last);
                app.popup = Some(Popup::Help { scroll });
            }
        },
    }
    Ok(())
}

/// The rows a page key moves the help: the rows it shows (the body less its borders and hint).
fn page(app: &App) -> usize {
    usize::from(super::ui::body_rows(app)).saturating_sub(3).max(1)
}

/// A scrolled popup's first row after a key (↑ ↓ j k a row, PgUp PgDn a page, Home End to
/// either end), at most `last`; other keys leave it.
fn scrolled(scroll: usize, code: KeyCode, page: usize, last: usize) -> usize {
    match code {
        KeyCode::Down | KeyCode::Char('j') => scroll + 1,
        KeyCode::Up | KeyCode::Char('k') => scroll.saturating_sub(1),
        KeyCode::PageDown | KeyCode::Char(' ') => scroll + page,
        KeyCode::PageUp => scroll.saturating_sub(page),
        KeyCode::Home | KeyCode::Char('g') => 0,
        KeyCode::End | KeyCode::Char('G') => last,
        _ => scroll,
    }
    .min(last)
}

/// The text back from the external editor goes into the focused long-text field.
fn edited(app: &mut App, r: std::result::Result<String, EditorFailure>) {
    match r {
        Ok(text) => {
            if let Some(Popup::Form(form)) = app.popup.as_mut() {
                let focus = form.focus;
                if let Some(field) = form.fields.get_mut(focus) {
                    field.set_text(&text);
                }
            }
        }
        Err(e) => {
            let l = app.lang;
            app.error(match e {
                EditorFailure::NotFound(editor) => tf(l, T::ErrEditorNotFound, &[&editor]),
                EditorFailure::Exited(Some(code)) => tf(l, T::ErrEditorExit, &[&code]),
                EditorFailure::Exited(None) => T::ErrEditorStopped.text(l).to_string(),
                EditorFailure::Io(e) => tf(l, T::ErrEditor, &[&crate::error::io_reason(&e, l)]),
            })
        }
    }
}

/// Why the external editor gave no text back (the form's text is then as it was).
#[derive(Debug, Clone)]
pub enum EditorFailure {
    /// The shell found no such command.
    NotFound(String),
    /// It ended with this status (None: stopped by a signal).
    Exited(Option<i32>),
    /// Its file could not be written or read, or the terminal not taken back.
    Io(std::sync::Arc<std::io::Error>),
}

impl From<std::io::Error> for EditorFailure {
    fn from(e: std::io::Error) -> Self {
        EditorFailure::Io(std::sync::Arc::new(e))
    }
}

fn focused_filter(app: &mut App) -> &mut Option<Filter> {
    match (app.view, app.focus) {
        (View::Review, _) => &mut app.review.filter,
        (View::Desk, Pane::Tasks) => &mut app.tasks.filter,
        _ => &mut app.client_filter,
    }
}

fn filter_editing(app: &mut App) -> bool {
    if (app.view == View::Desk && app.focus == Pane::Flags) || app.view == View::Month {
        return false;
    }
    focused_filter(app).as_ref().is_some_and(|f| f.editing)
}

fn open_filter(app: &mut App, store: &mut Store) -> Result<()> {
    if (app.view == View::Desk && app.focus == Pane::Flags) || app.view == View::Month {
        return Ok(());
    }
    let slot = focused_filter(app);
    match slot {
        Some(f) => f.editing = true,
        None => {
            *slot = Some(Filter::new());
            if app.view == View::Desk && app.focus == Pane::Tasks && app.client().is_none() {
                // "All clients": the list as it is, for closing the filter on one of its rows,
                // and shown whole until a word is typed (no matches of an earlier filter).
                app.tasks.searched = None;
                app.tasks.all.clear();
                app.keep_tasks_before_filter(store)?;
                store.prepare_task_search()?;
            }
            if app.view == View::Review {
                // The review is filtered whole: read once here, so each letter stays quick.
                let keep = app.review_item().map(|r| (r.kind, r.id));
                let all = app.whole_review(store)?;
                app.review.set_all(all);
                app.refilter_review();
                app.review.selected = keep
                    .and_then(|k| app.review.matches().position(|r| (r.kind, r.id) == k))
                    .unwrap_or(0);
            }
        }
    }
    Ok(())
}

/// Esc closes the focused list's filter; returns whether there was one. The selection stays
/// on the record it was on.
fn clear_filter(app: &mut App, store: &mut Store) -> Result<bool> {
    if (app.view == View::Desk && app.focus == Pane::Flags) || app.view == View::Month {
        return Ok(false);
    }
    let review = app.review_item().map(|r| (r.kind, r.id));
    if focused_filter(app).take().is_none() {
        return Ok(false);
    }
    match (app.view, app.focus) {
        (View::Review, _) => {
            // The rows were the filter's: the window around the record is cut from the whole
            // review while the store is as it was then, else read again around the record.
            let now = app.stamp(store).ok();
            let cut = app.review_window_from_all(now);
            app.review.clear_all(now);
            if !cut {
                let old = app.review.selected;
                app.review_follow(store, review, old)?;
            }
        }
        (View::Desk, Pane::Tasks) => {
            // The rows were the filter's (selected among them, a window of the matches from
            // `start`): the list is read again around the record.
            let before = app.tasks.before_filter.take();
            app.tasks.searched = None;
            app.tasks.all.clear();
            app.tasks.keys.clear();
            if !app.give_back_tasks(store, before)? {
                app.reload_selection(store)?;
            }
        }
        _ => {
            let before = app.client().map(|c| c.client.id);
            app.refilter_clients();
            if let Some(p) = app
                .client_rows
                .iter()
                .position(|&i| Some(app.clients[i].client.id) == before)
            {
                app.client_sel = p + 1;
            }
            if app.client().map(|c| c.client.id) != before {
                app.client_changed(store)?;
            }
        }
    }
    Ok(true)
}

fn filter_key(app: &mut App, k: KeyEvent, store: &mut Store) -> Result<()> {
    match k.code {
        KeyCode::Esc => {
            clear_filter(app, store)?;
        }
        KeyCode::Enter | KeyCode::Down | KeyCode::Up | KeyCode::Tab => {
            if let Some(f) = focused_filter(app) {
                f.editing = false;
            }
        }
        _ => {
            if let Some(f) = focused_filter(app) {
                f.input.handle_event(&Event::Key(k));
            }
            apply_filter(app, store)?;
        }
    }
    Ok(())
}

/// The query changed: the focused list shows its matches, best first, and the selection
/// moves to the best one.
fn apply_filter(app: &mut App, store: &mut Store) -> Result<()> {
    match (app.view, app.focus) {
        (View::Review, _) => {
            app.refilter_review();
            app.review.selected = 0;
        }
        (View::Desk, Pane::Tasks) if app.client().is_none() => {
            // "All clients": the search index, never every task of the store.
            super::search::typed(app, store)?;
            app.tasks.selected = 0;
        }
        (View::Desk, Pane::Tasks) => {
            if app.tasks.all.is_empty() && app.tasks.total > 0 {
                app.reload_selection(store)?;
            } else {
                app.refilter_tasks();
            }
            app.tasks.selected = 0;
        }
        _ => {
            let before = app.client().map(|c| c.client.id);
            app.refilter_clients();
            app.client_sel = if app.client_rows.is_empty() { 0 } else { 1 };
            if app.client().map(|c| c.client.id) != before {
                app.client_changed(store)?;
            }
        }
    }
    Ok(())
}

/// The counts line of the status bar.
pub fn counts_line(app: &App) -> String {
    describe::counts(&app.counts, app.lang)
}

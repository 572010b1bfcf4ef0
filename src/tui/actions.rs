//! What each desk action opens or saves: forms and their validation, pickers, confirmations,
//! details. Called from `update` only.

use super::app::{App, Pane, View};
use super::form::{
    Choices, Confirm, ConfirmAction, Details, Field, FieldKind, Form, FormKind, PickPurpose, Picker, Popup,
};
use super::update::changed;
use crate::domain::{
    dates, money, Attendance, Channel, ChannelKind, ClientStatus, FlagKind, FlagSource, MeetingKind, Outcome,
    QuoteStatus, RequestKind, ReviewKind, TaskStatus,
};
use crate::error::{Arg, Error, Result};
use crate::i18n::{self, capitalize, pl, tf, Lang, P, T};
use crate::store::{ClientFields, NewQuote, Store, TaskFields};

pub enum TaskForm {
    Material,
    Feedback,
}

pub enum ClientForm {
    Quote,
    Meeting,
}

fn form(app: &mut App, kind: FormKind, title: String, fields: Vec<Field>) {
    app.popup = Some(Popup::Form(Form::new(kind, title, fields)));
}

/// The client form's fields, by place.
mod cf {
    pub const NAME: usize = 0;
    pub const STATUS: usize = 1;
    pub const CHANNELS: usize = 2;
    pub const RATE: usize = 3;
    pub const CURRENCY: usize = 4;
    pub const INCREMENT: usize = 5;
    pub const RETAINER: usize = 6;
    pub const FEE: usize = 7;
    pub const OVERAGE: usize = 8;
    pub const REVIEW_DAY: usize = 9;
    pub const TOOL: usize = 10;
    pub const NOTES: usize = 11;
}

/// An amount in cents as a person types it back, or empty.
fn typed_amount(cents: Option<i64>, l: Lang) -> String {
    cents.map(|c| money::typed_amount(c, l)).unwrap_or_default()
}

/// The client form's field a refusal of the store is about (the name when it is about none).
fn client_refused_at(e: &Error, form: &Form) -> usize {
    let Error::Invalid(m) = e else { return cf::NAME };
    match m.key {
        T::ErrRetainerWithFee if form.value(cf::RETAINER).trim().is_empty() => cf::RETAINER,
        T::ErrRetainerWithFee => cf::FEE,
        T::ErrBadIncrement => cf::INCREMENT,
        T::ErrCurrencyHasCents => match m.args.get(1) {
            Some(Arg::Key(T::CentsWhatRate)) => cf::RATE,
            Some(Arg::Key(T::CentsWhatFee)) => cf::FEE,
            Some(Arg::Key(T::CentsWhatOverage)) => cf::OVERAGE,
            _ => cf::CURRENCY,
        },
        _ => cf::NAME,
    }
}

/// A refusal of a client's fields said in the desk's words (the command line's names its flags).
fn client_refusal(e: Error) -> Error {
    match e.key() {
        Some(T::ErrRetainerNeedsFee) => Error::invalid(T::ErrRetainerWithFee, &[]),
        _ => e,
    }
}

/// A client form; channels are written the way they are typed, in the user's words.
fn client_form_fields(c: Option<&crate::domain::Client>, l: Lang) -> Vec<Field> {
    let channels = c
        .map(|c| {
            c.channels
                .iter()
                .map(|ch| {
                    if ch.handle.is_empty() {
                        ch.kind.word(l).to_string()
                    } else {
                        format!("{}:{}", ch.kind.word(l), ch.handle)
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    vec![
        Field::new(
            T::FieldName,
            FieldKind::Text,
            c.map(|c| c.name.clone()).unwrap_or_default(),
        ),
        Field::new(
            T::FStatus,
            FieldKind::Choice(Choices::ClientStatus),
            c.map(|c| c.status.key()).unwrap_or("active"),
        ),
        Field::new(T::FChannels, FieldKind::Channels, channels),
        Field::new(
            T::HRate,
            FieldKind::Amount,
            typed_amount(c.and_then(|c| c.rate_cents), l),
        ),
        Field::new(
            T::HCurrency,
            FieldKind::Text,
            c.and_then(|c| c.currency.clone()).unwrap_or_default(),
        ),
        Field::new(
            T::HIncrement,
            FieldKind::Duration,
            c.and_then(|c| c.increment_min)
                .map(dates::format_duration)
                .unwrap_or_default(),
        ),
        Field::new(
            T::FRetainer,
            FieldKind::Text,
            c.and_then(|c| c.retainer_min)
                .map(|m| money::retainer_hours_typed(m, l))
                .unwrap_or_default(),
        ),
        Field::new(T::HFee, FieldKind::Amount, typed_amount(c.and_then(|c| c.fee_cents), l)),
        Field::new(
            T::HOverage,
            FieldKind::Amount,
            typed_amount(c.and_then(|c| c.overage_cents), l),
        ),
        Field::new(
            T::HReviewDay,
            FieldKind::Weekday,
            c.and_then(|c| c.review_day).map(dates::weekday_key).unwrap_or_default(),
        ),
        Field::new(T::HTool, FieldKind::Text, c.map(|c| c.tool.clone()).unwrap_or_default()),
        Field::new(
            T::HNotes,
            FieldKind::Multi,
            c.map(|c| c.notes.clone()).unwrap_or_default(),
        ),
    ]
}

fn task_form_fields(t: Option<&crate::domain::Task>, l: Lang) -> Vec<Field> {
    let mut f = vec![
        Field::new(
            T::FieldTitle,
            FieldKind::Text,
            t.map(|t| t.title.clone()).unwrap_or_default(),
        ),
        Field::new(
            T::FDue,
            FieldKind::Date,
            t.and_then(|t| t.due)
                .map(|d| dates::typed_date(d, l))
                .unwrap_or_default(),
        ),
        Field::new(
            T::FVia,
            FieldKind::Choice(Choices::Via),
            t.and_then(|t| t.via).map(|v| v.key()).unwrap_or("-"),
        ),
        Field::new(
            T::FEstimate,
            FieldKind::Duration,
            t.and_then(|t| t.estimate_min)
                .map(dates::format_duration)
                .unwrap_or_default(),
        ),
        Field::new(
            T::FieldSpec,
            FieldKind::Multi,
            t.map(|t| t.spec.clone()).unwrap_or_default(),
        ),
    ];
    if let Some(t) = t {
        f.push(Field::new(
            T::FStatus,
            FieldKind::Choice(Choices::TaskStatus),
            t.status.key(),
        ));
    }
    f.push(Field::new(
        T::FEvery,
        FieldKind::Every,
        t.and_then(|t| t.every.clone()).unwrap_or_default(),
    ));
    f
}

pub fn add(app: &mut App) -> Result<()> {
    let l = app.lang;
    match app.focus {
        Pane::Clients => form(
            app,
            FormKind::AddClient,
            T::FormAddClient.text(l).into(),
            client_form_fields(None, l),
        ),
        Pane::Tasks => match app.client().map(|c| (c.client.id, c.client.name.clone())) {
            Some((id, name)) => form(
                app,
                FormKind::AddTask(id),
                tf(l, T::FormAddTask, &[&name]),
                task_form_fields(None, l),
            ),
            None => app.error(T::NoticeSelectClient.text(l).into()),
        },
        Pane::Flags => flag_picker(app),
    }
    Ok(())
}

pub fn edit(app: &mut App, store: &Store) -> Result<()> {
    let l = app.lang;
    match app.focus {
        Pane::Clients => {
            if let Some(c) = app.client().map(|c| c.client.id) {
                let c = store.client(c)?;
                form(
                    app,
                    FormKind::EditClient(c.id),
                    tf(l, T::FormEditClient, &[&c.name]),
                    client_form_fields(Some(&c), l),
                );
            }
        }
        Pane::Tasks => {
            if let Some(id) = app.tasks.current().map(|t| t.id) {
                // Whole: the list's rows come without their spec.
                let t = store.task(id)?;
                form(
                    app,
                    FormKind::EditTask(t.id),
                    tf(l, T::FormEditTask, &[&t.title]),
                    task_form_fields(Some(&t), l),
                );
            }
        }
        Pane::Flags => app.error(T::NoticeFlagsNoEdit.text(l).into()),
    }
    Ok(())
}

pub fn delete(app: &mut App, store: &Store) -> Result<()> {
    let l = app.lang;
    let confirm = match app.focus {
        Pane::Clients => match app.client() {
            Some(c) => Some(delete_client_confirm(store, c.client.id, &c.client.name, l)?),
            None => None,
        },
        Pane::Tasks => app.tasks.current().map(|t| Confirm {
            action: ConfirmAction::DeleteTask(t.id),
            text: tf(l, T::ConfirmDeleteTask, &[&t.title]),
        }),
        Pane::Flags => app.flag().filter(|f| !f.dismissed).map(|f| Confirm {
            action: ConfirmAction::DismissFlag(f.id),
            text: tf(l, T::ConfirmDismissFlag, &[&f.kind.label(l)]),
        }),
    };
    if let Some(c) = confirm {
        app.popup = Some(Popup::Confirm(c));
    }
    Ok(())
}

/// Deleting a client takes its time entries too, billed ones included (which the command
/// line changes only with `--force`): the question names them, with their counts, and the
/// deletion is done only while they are still what it named.
fn delete_client_confirm(store: &Store, id: i64, name: &str, l: Lang) -> Result<Confirm> {
    let (entries, billed) = store.client_time_counts(id)?;
    Ok(Confirm {
        action: ConfirmAction::DeleteClient(id, entries, billed),
        text: delete_client_question(name, entries, billed, l),
    })
}

fn delete_client_question(name: &str, entries: u64, billed: u64, l: Lang) -> String {
    let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    let time = match (entries, billed) {
        (0, _) => return tf(l, T::ConfirmDeleteClient, &[&name]),
        (_, 0) => pl(l, P::TimeEntries, count(entries), &[]),
        (1, _) => T::OneTimeEntryBilled.text(l).to_string(),
        _ => format!(
            "{}, {}",
            pl(l, P::TimeEntries, count(entries), &[]),
            pl(l, P::BilledOfThem, count(billed), &[])
        ),
    };
    tf(l, T::ConfirmDeleteClientTime, &[&name, &time])
}

pub fn confirm(app: &mut App, action: ConfirmAction, store: &mut Store) -> Result<()> {
    let l = app.lang;
    let notice = match action {
        ConfirmAction::DeleteClient(id, entries, billed) => {
            if let Some((entries, billed)) = store.delete_client_as_asked(id, (entries, billed))? {
                // Time was logged or billed elsewhere since the question: asked again, as it is now.
                let name = store.client(id)?.name;
                app.popup = Some(Popup::Confirm(Confirm {
                    action: ConfirmAction::DeleteClient(id, entries, billed),
                    text: delete_client_question(&name, entries, billed, l),
                }));
                app.error(T::NoticeAskedAgain.text(l).to_string());
                return Ok(());
            }
            app.client_sel = app.client_sel.saturating_sub(1);
            T::NoticeDeleted.text(l).to_string()
        }
        ConfirmAction::DeleteTask(id) => {
            store.delete_task(id)?;
            T::NoticeDeleted.text(l).to_string()
        }
        ConfirmAction::DismissFlag(id) => {
            store.dismiss_flag(id)?;
            T::NoticeDismissed.text(l).to_string()
        }
        ConfirmAction::DeleteQuote(_)
        | ConfirmAction::DeleteMeeting(_)
        | ConfirmAction::DeleteTime(..)
        | ConfirmAction::EditBilledTime(_) => return super::deals::confirm(app, action, store),
        ConfirmAction::Undo(step) | ConfirmAction::Redo(step) => {
            let redo = matches!(action, ConfirmAction::Redo(_));
            let next = if redo { store.redo_peek()? } else { store.undo_peek()? };
            // Another change may have come first; act only on the step that was confirmed.
            if next.map(|s| s.step) != Some(step) {
                return Ok(());
            }
            return replay(app, store, redo);
        }
    };
    // "(u undoes)" names the undo key in effect.
    let hint = app.config.keys.text(T::NoticeUndoHint, l, &[]);
    changed(app, store, format!("{notice} {hint}"))
}

/// `u` / `U`: a step from an earlier day asks first, showing its date.
pub fn undo_or_redo(app: &mut App, store: &mut Store, redo: bool) -> Result<()> {
    let l = app.lang;
    let next = if redo { store.redo_peek()? } else { store.undo_peek()? };
    let Some(step) = next else {
        app.error(
            if redo { T::ErrNothingToRedo } else { T::ErrNothingToUndo }
                .text(l)
                .to_string(),
        );
        return Ok(());
    };
    let today = app.now.date();
    if step.at.date() < today {
        let when = crate::i18n::date(step.at.date(), today, l);
        let (action, text) = if redo {
            (
                ConfirmAction::Redo(step.step),
                tf(l, T::ConfirmRedoOld, &[&step.label, &when]),
            )
        } else {
            (
                ConfirmAction::Undo(step.step),
                tf(l, T::ConfirmUndoOld, &[&step.label, &when]),
            )
        };
        app.popup = Some(Popup::Confirm(Confirm { action, text }));
        return Ok(());
    }
    replay(app, store, redo)
}

fn replay(app: &mut App, store: &mut Store, redo: bool) -> Result<()> {
    let l = app.lang;
    let result = if redo { store.redo() } else { store.undo() };
    match result {
        Ok(label) => {
            let notice = if redo { T::NoticeRedone } else { T::NoticeUndone };
            changed(app, store, tf(l, notice, &[&label]))
        }
        Err(e) => {
            app.error(e.localized(l));
            Ok(())
        }
    }
}

pub fn task_form(app: &mut App, which: TaskForm) {
    let l = app.lang;
    let Some(t) = app.tasks.current().cloned() else { return };
    match which {
        TaskForm::Material => form(
            app,
            FormKind::Material(t.id),
            tf(l, T::FormMaterial, &[&t.title]),
            vec![
                Field::new(T::FieldWhat, FieldKind::Text, ""),
                Field::new(T::FBy, FieldKind::Date, "+2d"),
            ],
        ),
        TaskForm::Feedback => form(
            app,
            FormKind::Feedback(t.id),
            tf(l, T::FormFeedback, &[&t.title]),
            vec![Field::new(T::FBy, FieldKind::Date, "+2d")],
        ),
    }
}

pub fn client_form(app: &mut App, which: ClientForm) {
    let l = app.lang;
    let Some((id, name)) = app.context_client() else { return };
    match which {
        ClientForm::Quote => form(
            app,
            FormKind::Quote(id),
            tf(l, T::FormQuote, &[&name]),
            vec![
                Field::new(T::FAmount, FieldKind::Amount, ""),
                Field::new(T::FPrep, FieldKind::Duration, ""),
                Field::new(T::FSent, FieldKind::Date, T::Today.text(l)),
                Field::new(T::FAnswerBy, FieldKind::Date, ""),
                Field::new(T::FieldDescription, FieldKind::Text, ""),
            ],
        ),
        ClientForm::Meeting => form(
            app,
            FormKind::Meeting(id),
            tf(l, T::FormMeeting, &[&name]),
            vec![
                Field::new(T::FWhen, FieldKind::When, ""),
                Field::new(T::FKind, FieldKind::Choice(Choices::MeetingKind), "review"),
                Field::new(T::FLength, FieldKind::Duration, ""),
            ],
        ),
    }
}

fn picker(app: &mut App, purpose: PickPurpose, title: String, options: Vec<(String, String)>) {
    app.popup = Some(Popup::Picker(Picker {
        purpose,
        title,
        options,
        selected: 0,
    }));
}

/// `Enter` on "All clients"' ranking: the desk turns to that client (its tasks and flags),
/// the clients pane's filter cleared when it hides the client.
pub fn open_ranked(app: &mut App, store: &Store) -> Result<()> {
    let Some(id) = app.ranked().map(|c| c.client.id) else {
        return Ok(());
    };
    let row = |app: &App| app.client_rows.iter().position(|&i| app.clients[i].client.id == id);
    if row(app).is_none() {
        app.client_filter = None;
        app.refilter_clients();
    }
    if let Some(at) = row(app) {
        app.client_sel = at + 1;
        app.client_changed(store)?;
    }
    Ok(())
}

pub fn flag_picker(app: &mut App) {
    let l = app.lang;
    let Some((id, name)) = app.context_client() else { return };
    let options = FlagKind::ALL
        .iter()
        .map(|k| (k.key().to_string(), k.label(l).to_string()))
        .collect();
    picker(app, PickPurpose::FlagKind(id), tf(l, T::PickFlag, &[&name]), options);
}

pub fn outcome_picker(app: &mut App) {
    let l = app.lang;
    let Some(t) = app.tasks.current().cloned() else { return };
    if !matches!(t.status, TaskStatus::Delivered | TaskStatus::Done) {
        app.error(tf(l, T::ErrOutcomeNeedsDelivery, &[&t.id]));
        return;
    }
    let options = Outcome::ALL
        .iter()
        .map(|o| (o.key().to_string(), capitalize(o.label(l))))
        .collect();
    picker(
        app,
        PickPurpose::Outcome(t.id),
        tf(l, T::PickOutcome, &[&t.title]),
        options,
    );
}

/// The welcome offer of an empty store.
pub fn welcome(app: &mut App) {
    let l = app.lang;
    let options = vec![
        ("demo".to_string(), T::WelcomeDemo.text(l).to_string()),
        ("client".to_string(), T::WelcomeClient.text(l).to_string()),
        ("empty".to_string(), T::WelcomeEmpty.text(l).to_string()),
    ];
    picker(app, PickPurpose::Welcome, T::WelcomeTitle.text(l).into(), options);
}

pub fn nudge(app: &mut App) {
    let l = app.lang;
    let Some(item) = app.review_item().cloned() else { return };
    if item.kind == ReviewKind::QuoteUnanswered {
        super::deals::nudge_quote_form(app, item.id, &item.client);
        return;
    }
    if !item.kind.is_request() {
        app.error(T::NoticeNothingToNudge.text(l).into());
        return;
    }
    let kind = if item.detail().material {
        RequestKind::Material
    } else {
        RequestKind::Feedback
    };
    form(
        app,
        FormKind::Nudge(kind, item.id),
        tf(l, T::FormNudge, &[&item.client, &item.title]),
        vec![Field::new(T::FNewDate, FieldKind::Date, "")],
    );
}

/// `r` (received / resolved) and `d` (done) on a review row.
pub fn resolve(app: &mut App, store: &mut Store, done: bool) -> Result<()> {
    let l = app.lang;
    let today = app.today();
    let Some(item) = app.review_item().cloned() else {
        return Ok(());
    };
    match item.kind {
        k if k.is_request() => {
            let kind = if item.detail().material {
                RequestKind::Material
            } else {
                RequestKind::Feedback
            };
            store.receive(kind, item.id, today)?;
            changed(app, store, tf(l, T::NoticeReceived, &[&item.client, &item.title]))?;
        }
        k if k.is_task() => {
            let to = if done { TaskStatus::Done } else { TaskStatus::Delivered };
            store.set_task_status(item.id, to, today)?;
            let key = if done { T::NoticeDone } else { T::NoticeDelivered };
            changed(app, store, tf(l, key, &[&item.title]))?;
        }
        ReviewKind::QuoteUnanswered => quote_answer_picker(app, item.id, &item.client),
        k if k.is_meeting() => attendance_picker(app, item.id, &item.client),
        ReviewKind::WeeklyReview => {
            store.hold_weekly_review(item.client_id, item.date.unwrap_or(today))?;
            changed(app, store, tf(l, T::NoticeReviewHeld, &[&item.client]))?;
        }
        // A timer left running since an earlier day: stopped, asking when the work ended.
        ReviewKind::TimerRunning => super::time_actions::stop_running(app, store)?,
        ReviewKind::RetainerNear | ReviewKind::RetainerUsedUp => app.error(T::NoticeRetainerRow.text(l).into()),
        _ => {}
    }
    Ok(())
}

/// `s` on a review row: tomorrow it shows again. A retainer's row and a running timer have
/// nothing to put off.
pub fn snooze(app: &mut App, store: &mut Store) -> Result<()> {
    let l = app.lang;
    let Some(item) = app.review_item().cloned() else {
        return Ok(());
    };
    match item.kind {
        ReviewKind::RetainerNear | ReviewKind::RetainerUsedUp => app.error(T::NoticeRetainerRow.text(l).into()),
        ReviewKind::TimerRunning => app.error(T::NoticeTimerRowSnooze.text(l).into()),
        _ => {
            store.snooze(&item, app.today() + chrono::Duration::days(1))?;
            changed(app, store, tf(l, T::NoticeSnoozed, &[&item.client]))?;
        }
    }
    Ok(())
}

/// The client's answer to a quote: accepted or rejected.
pub fn quote_answer_picker(app: &mut App, quote: i64, client: &str) {
    let l = app.lang;
    let options = [QuoteStatus::Accepted, QuoteStatus::Rejected]
        .iter()
        .map(|s| (s.key().to_string(), capitalize(s.label(l))))
        .collect();
    picker(
        app,
        PickPurpose::QuoteAnswer(quote),
        tf(l, T::PickQuote, &[&client]),
        options,
    );
}

/// How the client turned up to a meeting.
pub fn attendance_picker(app: &mut App, meeting: i64, client: &str) {
    let l = app.lang;
    let options = [
        Attendance::OnTime,
        Attendance::Late,
        Attendance::NoShow,
        Attendance::Cancelled,
    ]
    .iter()
    .map(|a| (a.key().to_string(), capitalize(a.label(l))))
    .collect();
    picker(
        app,
        PickPurpose::Attendance(meeting),
        tf(l, T::PickAttendance, &[&client]),
        options,
    );
}

pub fn pick(app: &mut App, p: &Picker, store: &mut Store) -> Result<()> {
    let l = app.lang;
    let today = app.today();
    let Some((key, label)) = p.options.get(p.selected).cloned() else {
        return Ok(());
    };
    match p.purpose {
        PickPurpose::FlagKind(client) => {
            let kind = FlagKind::parse(&key)?;
            let label = capitalize(&label);
            form(
                app,
                FormKind::Flag(client, kind),
                label,
                vec![
                    Field::new(T::FieldNote, FieldKind::Text, ""),
                    Field::new(T::FWhen, FieldKind::Date, T::Today.text(l)),
                ],
            );
        }
        PickPurpose::Outcome(task) => {
            store.set_outcome(task, Outcome::parse(&key)?, today)?;
            changed(app, store, tf(l, T::NoticeOutcome, &[&label]))?;
        }
        PickPurpose::QuoteAnswer(quote) => {
            store.answer_quote(quote, QuoteStatus::parse(&key)?, today)?;
            changed(app, store, label)?;
        }
        PickPurpose::Attendance(meeting) => {
            let a = Attendance::parse(&key)?;
            if a != Attendance::Cancelled {
                crate::domain::rules::honest_attendance(store.meeting(meeting)?.at, app.now)?;
            }
            if a == Attendance::Late {
                form(
                    app,
                    FormKind::LateMinutes(meeting),
                    T::FormLate.text(l).into(),
                    vec![Field::new(T::FMinutes, FieldKind::Amount, "")],
                );
            } else {
                store.record_attendance(meeting, a, None)?;
                changed(app, store, label)?;
            }
        }
        PickPurpose::Welcome => match key.as_str() {
            "demo" => {
                store.load_demo(today)?;
                changed(app, store, app.config.keys.text(T::NoticeDemo, l, &[]))?;
            }
            "client" => {
                app.focus = Pane::Clients;
                form(
                    app,
                    FormKind::AddClient,
                    T::FormAddClient.text(l).into(),
                    client_form_fields(None, l),
                );
            }
            _ => {}
        },
    }
    Ok(())
}

/// After an edit that compared the form with its record inside the write: `true` it was
/// saved. Otherwise the form says why, inline: the fields changed meanwhile elsewhere as well
/// (`stored`: the record as it is now, rendered as the form renders it), a record deleted
/// meanwhile, or what the store refused (marked on field `refused_at`).
pub(super) fn settle_edit(
    form: &mut Form,
    r: Result<bool>,
    stored: Option<Vec<Field>>,
    refused_at: usize,
    l: Lang,
) -> bool {
    match r {
        Ok(true) => true,
        Ok(false) => {
            if let Some(now) = stored {
                form.show_conflicts(&now, l);
            }
            false
        }
        Err(Error::NotFound(_)) => {
            form.set_error(0, T::ErrDeletedMeanwhile.text(l).to_string());
            false
        }
        Err(e) => {
            form.set_error(refused_at, e.localized(l));
            false
        }
    }
}

/// The changes to write, given the record as it is now rendered as the form renders it
/// (`now`); none when a field changed in the form changed meanwhile elsewhere too (`now` is
/// then kept in `stored`, for the form to show).
pub(super) fn unless_conflict<F>(
    form: &Form,
    now: Vec<Field>,
    changes: F,
    stored: &mut Option<Vec<Field>>,
) -> Option<F> {
    if form.conflicts(&now).is_empty() {
        Some(changes)
    } else {
        *stored = Some(now);
        None
    }
}

/// Checks one field: on error the message goes inline beside it and the save stops.
fn check<V>(form: &mut Form, i: usize, r: Result<V>, lang: Lang) -> Option<V> {
    match r {
        Ok(v) => Some(v),
        Err(e) => {
            form.set_error(i, e.localized(lang));
            None
        }
    }
}

fn opt<V>(s: &str, f: impl FnOnce(&str) -> Result<V>) -> Result<Option<V>> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        f(s).map(Some)
    }
}

fn weekday(s: &str) -> Result<chrono::Weekday> {
    dates::parse_weekday(s).ok_or_else(|| Error::invalid(T::ErrBadWeekday, &[&s]))
}

fn channels(s: &str) -> Result<Vec<Channel>> {
    s.split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(Channel::parse)
        .collect()
}

/// Saves a form. `Ok(Some(notice))` saved; `Ok(None)` a field is wrong (marked inline).
pub fn submit(app: &mut App, form: &mut Form, store: &mut Store) -> Result<Option<String>> {
    let l = app.lang;
    let today = app.today();
    let now = app.now;
    let v = |form: &Form, i: usize| form.value(i).to_string();
    macro_rules! field {
        ($i:expr, $r:expr) => {
            match check(form, $i, $r, l) {
                Some(v) => v,
                None => return Ok(None),
            }
        };
    }
    let notice = match form.kind {
        FormKind::EditQuote(_) | FormKind::EditMeeting(_) | FormKind::NudgeQuote(_) | FormKind::EditTime(..) => {
            return super::deals::submit(app, form, store)
        }
        FormKind::EditClient(id) => {
            // Only what was changed here is written: a change made meanwhile elsewhere to
            // another field stays.
            let changed = form.changed();
            let ch = |i: usize| changed.get(i).copied().unwrap_or(false);
            let defaults = store.money_defaults().clone();
            // Amounts are in the currency the form names (the client's when left alone).
            let currency = if ch(cf::CURRENCY) {
                Some(field!(cf::CURRENCY, opt(&v(form, cf::CURRENCY), money::parse_currency)))
            } else {
                None
            };
            let cur = match currency {
                Some(typed) => typed.unwrap_or_else(|| defaults.currency_or_default(None)),
                None => match store.client(id) {
                    Ok(c) => defaults.currency_of(&c),
                    Err(_) => defaults.currency_or_default(None),
                },
            };
            let amount = |s: &str| opt(s, |s| money::parse_amount_in(s, cur, l));
            // A field changed here, read by `parse` (and refused beside itself when wrong);
            // None when it was left alone.
            macro_rules! changed {
                ($i:expr, $parse:expr) => {
                    if ch($i) {
                        Some(field!($i, ($parse)(&v(form, $i))))
                    } else {
                        None
                    }
                };
            }
            let fields = ClientFields {
                name: ch(cf::NAME).then(|| v(form, cf::NAME)),
                status: changed!(cf::STATUS, ClientStatus::parse),
                channels: changed!(cf::CHANNELS, channels),
                rate: changed!(cf::RATE, amount),
                currency: currency.map(|c| c.map(|c| c.code().to_string())),
                increment_min: changed!(cf::INCREMENT, |s: &str| opt(s, dates::parse_duration)),
                retainer_min: changed!(cf::RETAINER, |s: &str| opt(s, money::parse_retainer_hours)),
                fee_cents: changed!(cf::FEE, amount),
                overage_cents: changed!(cf::OVERAGE, amount),
                review_day: changed!(cf::REVIEW_DAY, |s: &str| opt(s, weekday)),
                tool: ch(cf::TOOL).then(|| v(form, cf::TOOL)),
                notes: ch(cf::NOTES).then(|| v(form, cf::NOTES)),
            };
            let mut stored = None;
            let r = store
                .edit_client_if(id, |c| {
                    unless_conflict(form, client_form_fields(Some(c), l), fields, &mut stored)
                })
                .map_err(client_refusal);
            let at = r.as_ref().err().map_or(cf::NAME, |e| client_refused_at(e, form));
            if !settle_edit(form, r, stored, at, l) {
                return Ok(None);
            }
            // As stored: a name changed elsewhere and left alone here is the one kept.
            let name = store.client(id).map(|c| c.name).unwrap_or_else(|_| v(form, cf::NAME));
            tf(l, T::NoticeSaved, &[&name])
        }
        FormKind::AddClient => {
            let currency = field!(cf::CURRENCY, opt(&v(form, cf::CURRENCY), money::parse_currency));
            let cur = currency.unwrap_or_else(|| store.money_defaults().currency_or_default(None));
            let amount = |s: &str| opt(s, |s| money::parse_amount_in(s, cur, l));
            let fields = ClientFields {
                name: Some(v(form, cf::NAME)),
                status: Some(field!(cf::STATUS, ClientStatus::parse(&v(form, cf::STATUS)))),
                channels: Some(field!(cf::CHANNELS, channels(&v(form, cf::CHANNELS)))),
                rate: Some(field!(cf::RATE, amount(&v(form, cf::RATE)))),
                currency: Some(currency.map(|c| c.code().to_string())),
                increment_min: Some(field!(
                    cf::INCREMENT,
                    opt(&v(form, cf::INCREMENT), dates::parse_duration)
                )),
                retainer_min: Some(field!(
                    cf::RETAINER,
                    opt(&v(form, cf::RETAINER), money::parse_retainer_hours)
                )),
                fee_cents: Some(field!(cf::FEE, amount(&v(form, cf::FEE)))),
                overage_cents: Some(field!(cf::OVERAGE, amount(&v(form, cf::OVERAGE)))),
                review_day: Some(field!(cf::REVIEW_DAY, opt(&v(form, cf::REVIEW_DAY), weekday))),
                tool: Some(v(form, cf::TOOL)),
                notes: Some(v(form, cf::NOTES)),
            };
            let name = crate::domain::text::clean_line(&v(form, cf::NAME));
            let id = match store.add_client(fields, today).map_err(client_refusal) {
                Ok(id) => id,
                Err(e) => {
                    let at = client_refused_at(&e, form);
                    form.set_error(at, e.localized(l));
                    return Ok(None);
                }
            };
            select_client(app, store, id)?;
            tf(l, T::NoticeAdded, &[&name])
        }
        FormKind::EditTask(id) => {
            // Only what was changed here is written (the status included: a task closed
            // meanwhile elsewhere is not reopened by saving its title).
            let changed = form.changed();
            let ch = |i: usize| changed.get(i).copied().unwrap_or(false);
            let via = v(form, 2);
            let every = match form.fields.iter().position(|f| f.label == T::FEvery) {
                Some(i) if ch(i) => {
                    let rule = v(form, i).trim().to_string();
                    if rule.is_empty() {
                        Some(None)
                    } else {
                        field!(i, crate::domain::recur::Every::parse(&rule));
                        Some(Some(rule))
                    }
                }
                _ => None,
            };
            let fields = TaskFields {
                title: ch(0).then(|| v(form, 0)),
                spec: ch(4).then(|| v(form, 4)),
                due: if ch(1) {
                    Some(field!(1, opt(&v(form, 1), |s| dates::parse_date(s, today))))
                } else {
                    None
                },
                via: match (ch(2), via.as_str()) {
                    (false, _) => None,
                    (true, "-") => Some(None),
                    (true, via) => Some(Some(field!(2, ChannelKind::parse(via)))),
                },
                estimate_min: if ch(3) {
                    Some(field!(3, opt(&v(form, 3), dates::parse_duration)))
                } else {
                    None
                },
                status: if ch(5) {
                    Some(field!(5, TaskStatus::parse(&v(form, 5))))
                } else {
                    None
                },
                every,
                ..Default::default()
            };
            let mut stored = None;
            let r = store.edit_task_if(id, today, |t| {
                unless_conflict(form, task_form_fields(Some(t), l), fields, &mut stored)
            });
            if !settle_edit(form, r, stored, 0, l) {
                return Ok(None);
            }
            let title = store.task(id).map(|t| t.title).unwrap_or_else(|_| v(form, 0));
            tf(l, T::NoticeSaved, &[&title])
        }
        FormKind::AddTask(client) => {
            let via = v(form, 2);
            // The repeat rule: empty leaves a plain task plain.
            let every_i = form.fields.iter().position(|f| f.label == T::FEvery);
            let every = match every_i.map(|i| (i, v(form, i).trim().to_string())) {
                Some((i, rule)) if !rule.is_empty() => {
                    field!(i, crate::domain::recur::Every::parse(&rule));
                    Some(Some(rule))
                }
                _ => None,
            };
            let fields = TaskFields {
                title: Some(v(form, 0)),
                spec: Some(v(form, 4)),
                due: Some(field!(1, opt(&v(form, 1), |s| dates::parse_date(s, today)))),
                via: Some(if via == "-" {
                    None
                } else {
                    Some(field!(2, ChannelKind::parse(&via)))
                }),
                estimate_min: Some(field!(3, opt(&v(form, 3), dates::parse_duration))),
                status: None,
                every,
                ..Default::default()
            };
            let title = crate::domain::text::clean_line(&v(form, 0));
            field!(0, store.add_task(client, fields, today));
            tf(l, T::NoticeSaved, &[&title])
        }
        FormKind::Material(task) => {
            let by = field!(1, dates::parse_date(&v(form, 1), today));
            let by = field!(1, crate::domain::rules::expected_from_asked(by, today, today));
            field!(0, store.ask(task, RequestKind::Material, &v(form, 0), by, today));
            tf(l, T::NoticeAsked, &[&i18n::date_rel(by, today, l)])
        }
        FormKind::Feedback(task) => {
            let by = field!(0, dates::parse_date(&v(form, 0), today));
            field!(0, store.ask(task, RequestKind::Feedback, "", by, today));
            tf(l, T::NoticeAsked, &[&i18n::date_rel(by, today, l)])
        }
        FormKind::Nudge(kind, id) => {
            let until = field!(0, opt(&v(form, 0), |s| dates::parse_date(s, today)));
            let n = field!(0, store.nudge(kind, id, until, today));
            tf(l, T::NoticeNudged, &[&n])
        }
        FormKind::Quote(client) => {
            let q = NewQuote {
                amount_cents: field!(
                    0,
                    store
                        .client(client)
                        .map(|c| store.money_defaults().currency_of(&c))
                        .and_then(|cur| crate::domain::money::parse_amount_in(&v(form, 0), cur, l))
                ),
                prep_min: field!(1, opt(&v(form, 1), dates::parse_duration)).unwrap_or(0),
                sent_on: field!(2, opt(&v(form, 2), |s| dates::parse_date(s, today))).unwrap_or(today),
                answer_by: field!(3, opt(&v(form, 3), |s| dates::parse_date(s, today))),
                description: v(form, 4),
            };
            // The store's refusal under the field it is about.
            let added = store.add_quote(client, q, app.config.quote_answer_days);
            let at = match added.as_ref().err().and_then(Error::key) {
                Some(T::ErrBadAmount) => 0,
                Some(T::ErrQuoteSentAhead) => 2,
                Some(T::ErrTooLong | T::ErrEmpty) => 4,
                _ => 3,
            };
            field!(at, added);
            T::NoticeQuoteAdded.text(l).to_string()
        }
        FormKind::Meeting(client) => {
            let at = field!(0, dates::parse_when(&v(form, 0), now));
            let kind = field!(1, MeetingKind::parse(&v(form, 1)));
            let length = field!(2, opt(&v(form, 2), dates::parse_duration));
            field!(0, store.add_meeting(client, at, kind, length));
            T::NoticeMeetingAdded.text(l).to_string()
        }
        FormKind::Flag(client, kind) => {
            let at = field!(1, dates::parse_date(&v(form, 1), today));
            let at = field!(1, crate::domain::rules::honest_flag_date(at, today));
            field!(0, store.add_flag(client, kind, at, &v(form, 0)));
            tf(l, T::NoticeFlagged, &[&kind.label(l)])
        }
        FormKind::LateMinutes(meeting) => {
            // Whole minutes, as typed: never rounded, never cut.
            let minutes = field!(
                0,
                opt(&v(form, 0), |s| s.trim().parse::<u32>().map_err(|_| Error::invalid(
                    T::ErrLateMinutes,
                    &[&s.trim(), &crate::store::MAX_LATE_MINUTES]
                )))
            );
            field!(0, store.record_attendance(meeting, Attendance::Late, minutes));
            capitalize(Attendance::Late.label(l))
        }
        FormKind::StopTimer(_) | FormKind::LogTime(..) => match super::time_actions::submit(app, form, store)? {
            Some(n) => n,
            None => return Ok(None),
        },
    };
    Ok(Some(notice))
}

fn select_client(app: &mut App, store: &Store, id: i64) -> Result<()> {
    app.client_filter = None;
    app.reload(store)?;
    if let Some(pos) = app.client_rows.iter().position(|&i| app.clients[i].client.id == id) {
        app.client_sel = pos + 1;
        app.client_changed(store)?;
    }
    Ok(())
}

/// The details popup of whatever is selected.
pub fn details(app: &App, store: &Store) -> Result<Option<Popup>> {
    let target = match (app.view, app.focus) {
        (View::Review, _) => match app.review_item() {
            Some(it) if it.kind.is_task() => Target::Task(it.id),
            Some(it) if it.detail().task_id.is_some() => Target::Task(it.detail().task_id.unwrap_or_default()),
            Some(it) => Target::Client(it.client_id),
            None => return Ok(None),
        },
        (View::Desk, Pane::Clients) => match app.client() {
            Some(c) => Target::Client(c.client.id),
            None => return Ok(None),
        },
        (View::Desk, Pane::Tasks) => match app.tasks.current() {
            Some(t) => Target::Task(t.id),
            None => return Ok(None),
        },
        (View::Desk, Pane::Flags) => match app.flag() {
            Some(f) => Target::Flag(f.id),
            None => return Ok(None),
        },
        (View::Month, _) => return super::time_actions::statement_popup(app, store),
    };
    let d = match target {
        Target::Client(id) => client_details(app, store, id)?,
        Target::Task(id) => task_details(app, store, id)?,
        Target::Flag(id) => flag_details(app, store, id)?,
    };
    Ok(Some(Popup::Details(d)))
}

enum Target {
    Client(i64),
    Task(i64),
    Flag(i64),
}

fn row(l: Lang, key: T, value: impl std::fmt::Display) -> String {
    format!("{:<18} {value}", key.text(l))
}

fn client_details(app: &App, store: &Store, id: i64) -> Result<Details> {
    let l = app.lang;
    let today = app.today();
    // The client's kept view when the store is as it was when it was read.
    let stamp = app.stamp(store)?;
    let kept = app.kept.peek(stamp, id);
    let (s, a) = match kept {
        Some(v) => (v.summary.clone(), v.assessment.clone()),
        None => store.client_card(id, &app.rules, today)?,
    };
    let c = &s.client;
    let mut lines = vec![
        row(l, T::FStatus, c.status.label(l)),
        row(
            l,
            T::FVerdict,
            format!("{} ({})", s.verdict.label(l), i18n::decimal(a.score, 2, l)),
        ),
        row(
            l,
            T::HTasks,
            tf(
                l,
                T::MsgOpenWaiting,
                &[&pl(l, P::OpenTasks, s.open_tasks as i64, &[]), &s.waiting_tasks],
            ),
        ),
    ];
    for ch in &c.channels {
        lines.push(row(l, T::HChannel, crate::describe::channel(ch.kind, &ch.handle, l)));
    }
    if !c.tool.is_empty() {
        lines.push(row(l, T::HTool, &c.tool));
    }
    let cur = store.money_defaults().currency_of(c);
    lines.extend(
        crate::describe::client_money(c, cur, l)
            .into_iter()
            .map(|(k, v)| row(l, k, v)),
    );
    if let Some(d) = c.review_day {
        lines.push(row(l, T::HReviewDay, i18n::weekday_name(d, l)));
    }
    lines.push(row(l, T::FSince, i18n::date(c.created_on, today, l)));
    if !c.notes.is_empty() {
        lines.push(String::new());
        lines.extend(c.notes.lines().map(str::to_string));
    }
    let quotes = match kept {
        Some(v) => v.quotes.clone(),
        None => store.quotes_of(id)?,
    };
    if !quotes.is_empty() {
        lines.push(String::new());
        lines.push(T::DQuotes.text(l).to_string());
        for q in quotes {
            lines.push(format!(
                "  #{} {}  {} → {}  {}",
                q.id,
                crate::domain::money::format_cents(q.amount_cents, cur, l),
                i18n::date(q.sent_on, today, l),
                i18n::date(q.answer_by, today, l),
                q.status.label(l)
            ));
        }
    }
    let meetings = match kept {
        Some(v) => v.meetings.clone(),
        None => store.meetings_of(id)?,
    };
    if !meetings.is_empty() {
        lines.push(String::new());
        lines.push(T::DMeetings.text(l).to_string());
        for m in meetings {
            lines.push(format!(
                "  #{} {} {}  {}  {}",
                m.id,
                i18n::date(m.at.date(), today, l),
                m.at.format("%H:%M"),
                m.kind.phrase(l),
                m.attendance_short(l)
            ));
        }
    }
    Ok(Details {
        title: c.name.clone(),
        lines,
        scroll: 0,
    })
}

fn task_details(app: &App, store: &Store, id: i64) -> Result<Details> {
    let l = app.lang;
    let today = app.today();
    let t = store.task(id)?;
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| i18n::date(d, today, l)).unwrap_or_else(|| "—".into());
    let mut lines = vec![
        row(l, T::FClient, &t.client),
        row(l, T::FStatus, t.status.label(l)),
        row(l, T::FDue, date(t.due)),
        row(l, T::FVia, t.via.map(|v| v.label(l)).unwrap_or("—")),
        row(
            l,
            T::FEstimate,
            t.estimate_min.map(dates::format_duration).unwrap_or_else(|| "—".into()),
        ),
        row(l, T::FClarifications, t.clarifications),
        row(l, T::FCreated, date(Some(t.created_on))),
        row(l, T::FDelivered, date(t.delivered_on)),
        row(l, T::FOutcome, t.outcome.map(|o| o.label(l)).unwrap_or("—")),
    ];
    if !t.spec.is_empty() {
        lines.push(String::new());
        lines.extend(t.spec.lines().map(str::to_string));
    }
    let requests = store.requests_of_task(id)?;
    if !requests.is_empty() {
        lines.push(String::new());
        lines.push(T::DRequests.text(l).to_string());
        for r in requests {
            let what = if r.what.is_empty() {
                r.kind.label(l).to_string()
            } else {
                format!("{}: {}", r.kind.label(l), r.what)
            };
            let state = match r.received_on {
                Some(d) => tf(l, T::DReceived, &[&i18n::date(d, today, l)]),
                None if r.days_late(today) > 0 => tf(l, T::DLate, &[&i18n::days(r.days_late(today), l)]),
                None => T::DOpen.text(l).to_string(),
            };
            lines.push(format!(
                "  {what}  {} → {}  {state}  ({})",
                i18n::date(r.asked_on, today, l),
                i18n::date(r.expected_by, today, l),
                pl(l, P::Nudges, i64::from(r.nudges), &[])
            ));
        }
    }
    Ok(Details {
        title: t.title,
        lines,
        scroll: 0,
    })
}

fn flag_details(app: &App, store: &Store, id: i64) -> Result<Details> {
    let l = app.lang;
    let today = app.today();
    let f = store.flag(id)?;
    let points = app.rules.contribution(f.kind, f.at, today);
    let mut lines = vec![
        row(l, T::FClient, &f.client),
        row(l, T::FWhen, i18n::date(f.at, today, l)),
        row(
            l,
            T::FSource,
            match f.source {
                // The internal reference it was raised from is never shown; the rule is, below.
                FlagSource::Auto => T::SourceAuto.text(l).to_string(),
                FlagSource::Manual => T::SourceManual.text(l).to_string(),
            },
        ),
        row(l, T::FWeight, i18n::number(app.rules.weight(f.kind), l)),
        row(
            l,
            T::FScore,
            if f.dismissed {
                T::Dismissed.text(l).to_string()
            } else {
                i18n::decimal(points, 2, l)
            },
        ),
    ];
    if let Some(rule) = f.kind.auto_rule() {
        lines.push(row(l, T::FRaised, rule.text(l)));
    }
    let note = crate::describe::flag_note(&f, today, l);
    if !note.is_empty() {
        lines.push(String::new());
        lines.push(note);
    }
    Ok(Details {
        title: f.kind.label(l).to_string(),
        lines,
        scroll: 0,
    })
}

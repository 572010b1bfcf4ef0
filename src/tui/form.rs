//! Modal forms: labelled single-line fields, inline errors, and nothing typed is ever lost on
//! a failed save. Turning the text into records happens in `update`, where effects live.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::{TextArea, WrapMode};
use tui_input::backend::crossterm::EventHandler;
use tui_input::Input;

use crate::domain::{text, ChannelKind, ClientStatus, FlagKind, MeetingKind, RequestKind, TaskStatus};
use crate::i18n::{Lang, T};

/// The fixed values a choice field cycles through. The field holds the key; people see labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choices {
    ClientStatus,
    TaskStatus,
    /// A channel, or none (key `-`).
    Via,
    MeetingKind,
    /// Time worked: billable or unbilled.
    Billing,
}

impl Choices {
    /// (key, label) in the order they cycle.
    pub fn options(self, lang: Lang) -> Vec<(&'static str, &'static str)> {
        use ClientStatus as C;
        match self {
            Choices::ClientStatus => [C::Active, C::Prospect, C::Paused, C::Ended, C::Declined]
                .iter()
                .map(|s| (s.key(), s.label(lang)))
                .collect(),
            Choices::TaskStatus => TaskStatus::ALL.iter().map(|s| (s.key(), s.label(lang))).collect(),
            Choices::Via => std::iter::once(("-", T::NoChoice.text(lang)))
                .chain(ChannelKind::ALL.iter().map(|c| (c.key(), c.label(lang))))
                .collect(),
            Choices::MeetingKind => MeetingKind::ALL.iter().map(|k| (k.key(), k.label(lang))).collect(),
            Choices::Billing => vec![
                ("billable", T::MonthBillable.text(lang)),
                ("unbilled", T::MonthUnbilled.text(lang)),
            ],
        }
    }

    /// The label of a key, or the key itself if it is not one of these.
    pub fn label(self, key: &str, lang: Lang) -> String {
        self.options(lang)
            .into_iter()
            .find(|(k, _)| *k == key)
            .map(|(_, l)| l.to_string())
            .unwrap_or_else(|| key.to_string())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Date,
    When,
    Duration,
    Amount,
    Weekday,
    Channels,
    /// Long text that keeps its line breaks (a task's spec, a client's notes).
    Multi,
    /// One of a few fixed values, cycled with ← →.
    Choice(Choices),
    /// A repeat rule (`weekly`, `fri`, `2w`...), or empty for none.
    Every,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub label: T,
    pub kind: FieldKind,
    /// The value (of a multi-line field too: its lines joined by `\n`).
    pub input: Input,
    /// The editor of a multi-line field.
    pub area: Option<Box<TextArea<'static>>>,
    pub error: Option<String>,
    /// The most characters a paste may bring the field to: what the store accepts.
    pub max_chars: usize,
    /// The value the field opened with (in an edit form, the record's value as rendered):
    /// a field whose value still equals it was not changed, and an edit leaves it alone.
    pub initial: String,
}

/// Rows of text a multi-line field shows in a form.
pub const MULTI_ROWS: u16 = 3;

impl Field {
    pub fn new(label: T, kind: FieldKind, value: impl Into<String>) -> Field {
        let value = value.into();
        let area = (kind == FieldKind::Multi).then(|| Box::new(text_area(&value)));
        Field {
            label,
            kind,
            input: Input::new(value.clone()),
            area,
            error: None,
            max_chars: max_chars(label, kind),
            initial: value,
        }
    }

    pub fn value(&self) -> &str {
        self.input.value()
    }

    /// Whether the person changed the field since the form opened (or since a conflict
    /// showed them the value now stored).
    pub fn changed(&self) -> bool {
        self.value() != self.initial
    }

    /// The value as a person reads it in a message: a choice's label, long text's first line,
    /// at most 60 characters.
    fn shown(&self, value: &str, lang: Lang) -> String {
        let value = match self.kind {
            FieldKind::Choice(c) => c.label(value, lang),
            _ => value.to_string(),
        };
        let first = value.lines().next().unwrap_or("");
        let cut: String = first.chars().take(60).collect();
        if cut.chars().count() < value.chars().count() {
            format!("{cut}…")
        } else {
            cut
        }
    }

    /// Replaces a multi-line field's text (after the external editor), cursor at the end.
    pub fn set_text(&mut self, text: &str) {
        let text = text.trim_end_matches('\n');
        if self.kind == FieldKind::Multi {
            let mut a = text_area(text);
            a.move_cursor(ratatui_textarea::CursorMove::Bottom);
            a.move_cursor(ratatui_textarea::CursorMove::End);
            self.area = Some(Box::new(a));
        }
        self.input = Input::new(text.to_string());
        self.error = None;
    }

    /// Rows the field takes in a form (without the hint or error line under it).
    pub fn rows(&self) -> u16 {
        if self.kind == FieldKind::Multi {
            MULTI_ROWS
        } else {
            1
        }
    }

    /// What the field accepts, shown beside it.
    pub fn hint(&self, lang: Lang) -> String {
        let by_label = match self.label {
            T::HCurrency => Some(T::HintCurrency),
            T::HIncrement => Some(T::HintIncrement),
            T::FRetainer => Some(T::HintRetainer),
            T::HFee => Some(T::HintFee),
            T::HOverage => Some(T::HintOverage),
            _ => None,
        };
        if let Some(hint) = by_label {
            return hint.text(lang).into();
        }
        match self.kind {
            FieldKind::Date => T::HintDate.text(lang).into(),
            // Time already worked: left empty, it ended now.
            FieldKind::When if self.label == T::FStarted => T::HintWorkedStart.text(lang).into(),
            FieldKind::When if self.label == T::FEndedAt => T::HintEndedAt.text(lang).into(),
            FieldKind::When => T::HintWhen.text(lang).into(),
            FieldKind::Duration => T::HintDuration.text(lang).into(),
            FieldKind::Weekday => T::HintWeekday.text(lang).into(),
            FieldKind::Channels => T::HintChannels.text(lang).into(),
            FieldKind::Choice(c) => format!(
                "← → {}",
                c.options(lang).iter().map(|(_, l)| *l).collect::<Vec<_>>().join(" · ")
            ),
            FieldKind::Multi => T::HintMulti.text(lang).into(),
            FieldKind::Every => T::HintEvery.text(lang).into(),
            FieldKind::Text | FieldKind::Amount => String::new(),
        }
    }
}

/// What the store accepts in a field: names and short texts 120 characters, free text 20,000,
/// the rest (dates, amounts, channel lists) far less than any paste could bring.
fn max_chars(label: T, kind: FieldKind) -> usize {
    match kind {
        FieldKind::Text => match label {
            T::HNotes | T::FieldNotes | T::FieldSpec | T::FieldNote => text::MAX_TEXT_CHARS,
            T::FieldEntryNote => text::MAX_ENTRY_NOTE_CHARS,
            _ => text::MAX_NAME_CHARS,
        },
        FieldKind::Multi => text::MAX_TEXT_CHARS,
        FieldKind::Channels => 2_000,
        _ => 100,
    }
}

/// What a paste did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pasted {
    /// All of it went in.
    Whole,
    /// It was cut to the field's limit of that many characters.
    Cut(usize),
    /// Nothing can be pasted here (a choice).
    Ignored,
}

/// `input` with `pasted` inserted at the cursor as one line of text (line breaks and tabs
/// become spaces, escape sequences and control characters go), up to `max` characters in
/// all. Built in one pass, whatever the size of the paste. Returns whether it was cut.
pub fn insert_text(input: &Input, pasted: &str, max: usize) -> (Input, bool) {
    let value = input.value();
    let cursor = input.cursor();
    let split = value.char_indices().nth(cursor).map_or(value.len(), |(i, _)| i);
    let (before, after) = value.split_at(split);
    let room = max.saturating_sub(value.chars().count());
    let one_line = pasted.replace("\r\n", " ").replace('\r', " ");
    let clean = text::terminal_line(&one_line);
    let mut taken = 0;
    let mut end = clean.len();
    for (i, _) in clean.char_indices() {
        if taken == room {
            end = i;
            break;
        }
        taken += 1;
    }
    let cut = end < clean.len();
    let mut out = String::with_capacity(before.len() + end + after.len());
    out.push_str(before);
    out.push_str(&clean[..end]);
    out.push_str(after);
    (Input::new(out).with_cursor(cursor + taken), cut)
}

fn text_area(value: &str) -> TextArea<'static> {
    let mut a = TextArea::new(value.split('\n').map(str::to_string).collect());
    a.set_wrap_mode(WrapMode::WordOrGlyph);
    a.set_cursor_line_style(ratatui::style::Style::new());
    a
}

/// What a form saves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    AddClient,
    EditClient(i64),
    AddTask(i64),
    EditTask(i64),
    Material(i64),
    Feedback(i64),
    Nudge(RequestKind, i64),
    Quote(i64),
    Meeting(i64),
    Flag(i64, FlagKind),
    LateMinutes(i64),
    /// When a timer from an earlier day really ended (its entry id).
    StopTimer(i64),
    /// Time worked on a client, or one of its tasks.
    LogTime(i64, Option<i64>),
    EditQuote(i64),
    EditMeeting(i64),
    NudgeQuote(i64),
    /// A time entry; `true`: it was billed, and changing it was confirmed.
    EditTime(i64, bool),
}

#[derive(Debug, Clone)]
pub struct Form {
    pub kind: FormKind,
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
}

/// What a key did to a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormAction {
    Continue,
    Submit,
    Cancel,
    /// Open the external editor on the focused multi-line field.
    EditExternally,
}

impl Form {
    pub fn new(kind: FormKind, title: String, fields: Vec<Field>) -> Form {
        Form {
            kind,
            title,
            fields,
            focus: 0,
        }
    }

    pub fn value(&self, i: usize) -> &str {
        self.fields.get(i).map(Field::value).unwrap_or("")
    }

    pub fn set_error(&mut self, i: usize, msg: String) {
        if let Some(f) = self.fields.get_mut(i) {
            f.error = Some(msg);
            self.focus = i;
        }
    }

    pub fn clear_errors(&mut self) {
        for f in &mut self.fields {
            f.error = None;
        }
    }

    /// Whether each field was changed here (see [`Field::changed`]).
    pub fn changed(&self) -> Vec<bool> {
        self.fields.iter().map(Field::changed).collect()
    }

    /// The fields changed both here and elsewhere meanwhile, to different values: `stored` is
    /// the record as it is now, rendered as this form renders it (the same fields, in order).
    /// A field nobody else changed, or one typed to the value now stored, is no conflict.
    pub fn conflicts(&self, stored: &[Field]) -> Vec<usize> {
        self.fields
            .iter()
            .zip(stored)
            .enumerate()
            .filter(|(_, (f, now))| f.changed() && now.value() != f.initial && now.value() != f.value())
            .map(|(i, _)| i)
            .collect()
    }

    /// Shows what changed elsewhere after a refused save: each conflicting field keeps what
    /// was typed, says the value now stored, and takes that value as its starting point (so
    /// Enter again saves what was typed, and typing the stored value keeps it); a field not
    /// changed here shows the value now stored. Focus goes to the first conflict.
    pub fn show_conflicts(&mut self, stored: &[Field], lang: Lang) {
        let conflicts = self.conflicts(stored);
        for (i, (f, now)) in self.fields.iter_mut().zip(stored).enumerate() {
            if conflicts.contains(&i) {
                let shown = f.shown(now.value(), lang);
                f.error = Some(if shown.is_empty() {
                    T::ErrChangedElsewhereEmpty.text(lang).to_string()
                } else {
                    crate::i18n::tf(lang, T::ErrChangedElsewhere, &[&shown])
                });
                f.initial = now.value().to_string();
            } else if !f.changed() && now.value() != f.initial {
                *f = now.clone();
            }
        }
        if let Some(&first) = conflicts.first() {
            self.focus = first;
        }
    }

    /// A bracketed paste: text for the focused field, never keys (a pasted Enter does not save).
    pub fn paste(&mut self, pasted: &str) -> Pasted {
        let Some(field) = self.fields.get_mut(self.focus) else {
            return Pasted::Ignored;
        };
        if let FieldKind::Choice(_) = field.kind {
            return Pasted::Ignored;
        }
        if let Some(area) = field.area.as_mut() {
            // Long text keeps the paste's line breaks; it goes in at the cursor, in one piece.
            let lines = pasted.replace("\r\n", "\n").replace('\r', "\n");
            let clean = text::terminal_text(&lines);
            let room = field.max_chars.saturating_sub(field.input.value().chars().count());
            let cut = clean.chars().count() > room;
            let kept: String = clean.chars().take(room).collect();
            area.insert_str(kept);
            field.input = Input::new(area.lines().join("\n"));
            field.error = None;
            return if cut {
                Pasted::Cut(field.max_chars)
            } else {
                Pasted::Whole
            };
        }
        let (input, cut) = insert_text(&field.input, pasted, field.max_chars);
        field.input = input;
        field.error = None;
        if cut {
            Pasted::Cut(field.max_chars)
        } else {
            Pasted::Whole
        }
    }

    pub fn key(&mut self, key: KeyEvent) -> FormAction {
        let n = self.fields.len().max(1);
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        if let Some(field) = self.fields.get_mut(self.focus).filter(|f| f.kind == FieldKind::Multi) {
            let newline = (ctrl && key.code == KeyCode::Char('j')) || (alt && key.code == KeyCode::Enter);
            if ctrl && key.code == KeyCode::Char('e') {
                return FormAction::EditExternally;
            }
            // Keys that leave the field: the form's own, and ↑ / ↓ past its first or last line.
            let (row, last) = field
                .area
                .as_ref()
                .map_or((0, 0), |a| (a.cursor().0, a.lines().len().saturating_sub(1)));
            let leaves = matches!(
                key.code,
                KeyCode::Esc | KeyCode::Enter | KeyCode::Tab | KeyCode::BackTab
            ) || (key.code == KeyCode::Up && row == 0)
                || (key.code == KeyCode::Down && row >= last);
            let passes = newline || !leaves;
            if passes {
                if let Some(a) = field.area.as_mut() {
                    if newline {
                        a.insert_newline();
                    } else {
                        a.input(key);
                    }
                    field.input = Input::new(a.lines().join("\n"));
                    field.error = None;
                }
                return FormAction::Continue;
            }
        }
        match key.code {
            KeyCode::Esc => return FormAction::Cancel,
            KeyCode::Enter => return FormAction::Submit,
            KeyCode::Tab | KeyCode::Down => self.focus = (self.focus + 1) % n,
            KeyCode::BackTab | KeyCode::Up => self.focus = (self.focus + n - 1) % n,
            _ => {
                let Some(field) = self.fields.get_mut(self.focus) else {
                    return FormAction::Continue;
                };
                if let FieldKind::Choice(choices) = field.kind {
                    let options: Vec<&str> = choices.options(Lang::En).into_iter().map(|(k, _)| k).collect();
                    let pos = options.iter().position(|o| *o == field.value()).unwrap_or(0);
                    let next = match key.code {
                        KeyCode::Left => (pos + options.len() - 1) % options.len(),
                        KeyCode::Right | KeyCode::Char(' ') => (pos + 1) % options.len(),
                        _ => return FormAction::Continue,
                    };
                    field.input = Input::new(options[next].to_string());
                } else {
                    // Newlines never reach a single-line field; control characters are cleaned on save.
                    field.input.handle_event(&Event::Key(key));
                    field.error = None;
                }
            }
        }
        FormAction::Continue
    }
}

/// A list to choose from: red-flag kinds, outcomes, attendance, a quote's answer.
#[derive(Debug, Clone)]
pub struct Picker {
    pub purpose: PickPurpose,
    pub title: String,
    /// (key, label)
    pub options: Vec<(String, String)>,
    pub selected: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickPurpose {
    FlagKind(i64),
    Outcome(i64),
    Attendance(i64),
    QuoteAnswer(i64),
    Welcome,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmAction {
    /// A client, with its time entries (all, billed) as the question named them.
    DeleteClient(i64, u64, u64),
    DeleteTask(i64),
    DismissFlag(i64),
    DeleteQuote(i64),
    DeleteMeeting(i64),
    /// A time entry; `true`: billed, as the question said.
    DeleteTime(i64, bool),
    /// Open the edit form of a billed time entry.
    EditBilledTime(i64),
    /// Undo or redo a step from an earlier day (its number, to act only on that one).
    Undo(i64),
    Redo(i64),
}

#[derive(Debug, Clone)]
pub struct Confirm {
    pub action: ConfirmAction,
    pub text: String,
}

/// A read-only page of text (a record's details).
#[derive(Debug, Clone)]
pub struct Details {
    pub title: String,
    pub lines: Vec<String>,
    pub scroll: usize,
}

#[derive(Debug, Clone)]
pub enum Popup {
    Form(Form),
    Picker(Picker),
    Confirm(Confirm),
    Details(Details),
    Help { scroll: usize },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn typing_moving_and_choices() {
        let mut f = Form::new(
            FormKind::AddClient,
            "t".into(),
            vec![
                Field::new(T::FieldName, FieldKind::Text, ""),
                Field::new(T::FStatus, FieldKind::Choice(Choices::ClientStatus), "active"),
            ],
        );
        for c in "Añá 咖啡".chars() {
            assert_eq!(f.key(key(KeyCode::Char(c))), FormAction::Continue);
        }
        assert_eq!(f.value(0), "Añá 咖啡");
        f.key(key(KeyCode::Tab));
        assert_eq!(f.focus, 1);
        f.key(key(KeyCode::Right));
        assert_eq!(f.value(1), "prospect");
        f.key(key(KeyCode::Char('x')));
        assert_eq!(f.value(1), "prospect");
        f.key(key(KeyCode::BackTab));
        f.set_error(0, "bad".into());
        f.key(key(KeyCode::Backspace));
        assert_eq!(f.value(0), "Añá 咖");
        assert!(f.fields[0].error.is_none(), "typing clears the error");
        assert_eq!(f.key(key(KeyCode::Enter)), FormAction::Submit);
        assert_eq!(f.key(key(KeyCode::Esc)), FormAction::Cancel);
    }

    #[test]
    fn pastes_are_text_at_the_cursor() {
        let input = Input::new("añb".into()).with_cursor(2);
        let (i, cut) = insert_text(&input, "X\r\nY\x1b[2J\u{202E}", 100);
        assert_eq!((i.value(), i.cursor(), cut), ("añX Yb", 5, false));
        let (i, cut) = insert_text(&input, "咖啡店", 5);
        assert_eq!((i.value(), i.cursor(), cut), ("añ咖啡b", 4, true));
        let (i, cut) = insert_text(&Input::new("full".into()), "x", 4);
        assert_eq!((i.value(), cut), ("full", true));
        let mut f = Form::new(
            FormKind::AddClient,
            "t".into(),
            vec![
                Field::new(T::FieldName, FieldKind::Text, ""),
                Field::new(T::FStatus, FieldKind::Choice(Choices::ClientStatus), "active"),
            ],
        );
        assert_eq!(f.paste("Ana\nPérez"), Pasted::Whole);
        assert_eq!(f.value(0), "Ana Pérez");
        f.focus = 1;
        assert_eq!(f.paste("prospect"), Pasted::Ignored);
        assert_eq!(f.value(1), "active");
    }
}

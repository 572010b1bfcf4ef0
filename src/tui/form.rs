//! Modal forms: labelled single-line fields, inline errors, and nothing typed is ever lost on
//! a failed save. Turning the text into records happens in `update`, where effects live.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::{TextArea, WrapMode};
use tui_input::backend::crossterm::EventHandler;
use tui_input::Input;

use crate::domain::{FlagKind, RequestKind};
use crate::i18n::{Lang, T};

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
    /// One of a few keys, cycled with ← →.
    Choice(&'static [&'static str]),
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
            input: Input::new(value),
            area,
            error: None,
        }
    }

    pub fn value(&self) -> &str {
        self.input.value()
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
        match self.kind {
            FieldKind::Date => T::HintDate.text(lang).into(),
            FieldKind::When => T::HintWhen.text(lang).into(),
            FieldKind::Duration => T::HintDuration.text(lang).into(),
            FieldKind::Weekday => T::HintWeekday.text(lang).into(),
            FieldKind::Channels => T::HintChannels.text(lang).into(),
            FieldKind::Choice(options) => format!("← → {}", options.join(" · ")),
            FieldKind::Multi => T::HintMulti.text(lang).into(),
            FieldKind::Text | FieldKind::Amount => String::new(),
        }
    }
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
                if let FieldKind::Choice(options) = field.kind {
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
    DeleteClient(i64),
    DeleteTask(i64),
    DismissFlag(i64),
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
                Field::new(T::FStatus, FieldKind::Choice(&["active", "prospect"]), "active"),
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
}

//! Popups over the current view: forms, pickers, confirmations, details and the key help.

use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

use super::theme::Theme;
use super::{centered, clear, page_start};
use crate::domain::text::width;
use crate::i18n::T;
use crate::tui::app::App;
use crate::tui::form::{Form, Popup};
use crate::tui::keys::BINDINGS;

pub fn render(app: &App, p: &Popup, f: &mut Frame, area: Rect) {
    match p {
        Popup::Form(form) => render_form(app, form, f, area),
        Popup::Picker(pk) => {
            let th = Theme { color: app.color };
            let h = (pk.options.len() as u16 + 4).min(area.height);
            let w = pk
                .options
                .iter()
                .map(|(_, l)| width::of(l))
                .max()
                .unwrap_or(10)
                .max(width::of(&pk.title) + 4)
                // The key hint is the last line: the picker is never narrower than it.
                .max(width::of(T::HintPicker.text(app.lang))) as u16
                + 4;
            let r = centered(area, w.max(30), h);
            clear(f, r);
            let b = popup_block(app, &pk.title);
            let inner = b.inner(r);
            f.render_widget(b, r);
            let rows = inner.height.saturating_sub(1) as usize;
            let start = page_start(pk.selected, rows);
            let mut lines: Vec<Line> = pk
                .options
                .iter()
                .enumerate()
                .skip(start)
                .take(rows)
                .map(|(i, (_, label))| {
                    let style = if i == pk.selected { th.selected() } else { Style::new() };
                    Line::from(Span::styled(
                        width::pad(&format!(" {label}"), inner.width as usize),
                        style,
                    ))
                })
                .collect();
            lines.push(Line::from(Span::styled(T::HintPicker.text(app.lang), th.dim())));
            f.render_widget(Paragraph::new(lines), inner);
        }
        Popup::Confirm(c) => {
            let th = Theme { color: app.color };
            let r = centered(area, 56, 7);
            clear(f, r);
            let b = popup_block(app, T::ConfirmTitle.text(app.lang));
            let inner = b.inner(r);
            f.render_widget(b, r);
            let lines = vec![
                Line::from(c.text.clone()),
                Line::from(""),
                Line::from(Span::styled(T::HintConfirm.text(app.lang), th.heading())),
            ];
            f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
        }
        Popup::Details(d) => {
            let th = Theme { color: app.color };
            let r = centered(area, 76, area.height.saturating_sub(2).max(8));
            clear(f, r);
            let b = popup_block(app, &d.title);
            let inner = b.inner(r);
            f.render_widget(b, r);
            let mut lines: Vec<Line> = d.lines.iter().skip(d.scroll).map(|s| Line::from(s.as_str())).collect();
            lines.truncate(inner.height.saturating_sub(1) as usize);
            while lines.len() < inner.height.saturating_sub(1) as usize {
                lines.push(Line::from(""));
            }
            lines.push(Line::from(Span::styled(T::HintDetails.text(app.lang), th.dim())));
            f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        }
        Popup::Help { scroll } => render_help(app, *scroll, f, area),
    }
}

fn popup_block<'a>(app: &App, title: &str) -> Block<'a> {
    let th = Theme { color: app.color };
    Block::default()
        .borders(Borders::ALL)
        .border_style(th.focused_border())
        .title(Span::styled(format!(" {} ", width::truncate(title, 60)), th.heading()))
}

fn render_form(app: &App, form: &Form, f: &mut Frame, area: Rect) {
    let th = Theme { color: app.color };
    let l = app.lang;
    let h = (form.fields.len() as u16 * 2 + 3).min(area.height);
    let r = centered(area, 74, h);
    clear(f, r);
    let b = popup_block(app, &form.title);
    let inner = b.inner(r);
    f.render_widget(b, r);
    let label_w = form
        .fields
        .iter()
        .map(|x| width::of(x.label.text(l)))
        .max()
        .unwrap_or(8)
        .min(22)
        + 2;
    let input_w = (inner.width as usize).saturating_sub(label_w + 1).max(1);
    let mut lines = Vec::new();
    let mut cursor = None;
    for (i, field) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        let label_style = if focused { th.heading() } else { th.dim() };
        let scroll = field.input.visual_scroll(input_w.saturating_sub(1));
        let choice_label = match field.kind {
            crate::tui::form::FieldKind::Choice(c) => Some(c.label(field.value(), l)),
            _ => None,
        };
        let shown: String = if let Some(label) = &choice_label {
            width::truncate(label, input_w)
        } else {
            // Scroll by display columns so wide characters never split the layout.
            let mut skipped = 0;
            let mut out = String::new();
            for c in field.value().chars() {
                let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                if skipped < scroll {
                    skipped += cw;
                    continue;
                }
                out.push(c);
            }
            width::truncate(&out, input_w)
        };
        let input_style = if focused { th.selected() } else { Style::new() };
        lines.push(Line::from(vec![
            Span::styled(width::pad(field.label.text(l), label_w), label_style),
            Span::raw(" "),
            Span::styled(width::pad(&shown, input_w), input_style),
        ]));
        if focused {
            let at = if choice_label.is_some() {
                0
            } else {
                field.input.visual_cursor().saturating_sub(scroll)
            };
            let x = inner.x + label_w as u16 + 1 + at as u16;
            let y = inner.y + (i as u16) * 2;
            cursor = Some(Position {
                x: x.min(inner.right().saturating_sub(1)),
                y,
            });
        }
        // An error gets the whole line, and is cut between words if it must be cut at all.
        let under = match &field.error {
            Some(e) => Span::styled(
                format!(
                    "  {}",
                    width::truncate_words(e, (inner.width as usize).saturating_sub(2))
                ),
                th.error(),
            ),
            None => Span::styled(
                width::truncate_words(&format!("{:label_w$} {}", "", field.hint(l)), inner.width as usize),
                th.dim(),
            ),
        };
        lines.push(Line::from(under));
    }
    lines.push(Line::from(Span::styled(T::HintForm.text(l), th.dim())));
    f.render_widget(Paragraph::new(lines), inner);
    if let Some(c) = cursor {
        if c.y < inner.bottom() {
            f.set_cursor_position(c);
        }
    }
}

fn render_help(app: &App, scroll: usize, f: &mut Frame, area: Rect) {
    let th = Theme { color: app.color };
    let l = app.lang;
    let r = centered(area, 78, area.height);
    clear(f, r);
    let b = popup_block(app, T::HelpTitle.text(l));
    let inner = b.inner(r);
    f.render_widget(b, r);
    let mut lines: Vec<Line> = Vec::new();
    let key_w = 16;
    // Key names as the keyboard prints them ("Mayús+Tab", "AvPág" on a Spanish one).
    let key_name = |label: &str| {
        label
            .replace("Shift-Tab", T::KeyNameShiftTab.text(l))
            .replace("PgDn", T::KeyNamePgDn.text(l))
            .replace("PgUp", T::KeyNamePgUp.text(l))
    };
    for bind in BINDINGS.iter().filter(|b| !b.label.is_empty()) {
        lines.push(Line::from(vec![
            Span::styled(width::pad(&key_name(bind.label), key_w), th.heading()),
            Span::raw(width::truncate(
                bind.help.text(l),
                (inner.width as usize).saturating_sub(key_w),
            )),
        ]));
    }
    // The forms' keys wrap between items rather than run past the edge.
    let room = (inner.width as usize).saturating_sub(key_w);
    let mut row = String::new();
    let mut first = true;
    let flush = |row: &mut String, first: &mut bool, lines: &mut Vec<Line>| {
        let head = if *first { T::HelpFormsKeys.text(l) } else { "" };
        lines.push(Line::from(vec![
            Span::styled(width::pad(head, key_w), th.heading()),
            Span::raw(std::mem::take(row)),
        ]));
        *first = false;
    };
    for item in T::HelpForms.text(l).split(" · ") {
        let add = if row.is_empty() {
            item.to_string()
        } else {
            format!(" · {item}")
        };
        if !row.is_empty() && width::of(&row) + width::of(&add) > room {
            flush(&mut row, &mut first, &mut lines);
            row = item.to_string();
        } else {
            row.push_str(&add);
        }
    }
    if !row.is_empty() {
        flush(&mut row, &mut first, &mut lines);
    }
    let body = inner.height.saturating_sub(1) as usize;
    let max_scroll = lines.len().saturating_sub(body);
    let mut shown: Vec<Line> = lines.into_iter().skip(scroll.min(max_scroll)).take(body).collect();
    while shown.len() < body {
        shown.push(Line::from(""));
    }
    shown.push(Line::from(Span::styled(T::HintDetails.text(l), th.dim())));
    f.render_widget(Paragraph::new(shown), inner);
}

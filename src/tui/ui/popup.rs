//! Popups over the current view: forms, pickers, confirmations, details and the key help.

use crossterm::event::KeyCode;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::pane::PaneFrame;
use super::theme::Theme;
use super::{centered, clear, page_start};
use crate::domain::text::width;
use crate::i18n::T;
use crate::tui::app::App;
use crate::tui::form::{Details, FieldKind, Form, Popup};
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
            // As tall as its question wraps to, so the keys that answer it always show.
            let asked = wrap_words(&c.text, usize::from(area.width.min(56).saturating_sub(2)));
            let r = centered(area, 56, (asked.len() as u16).saturating_add(4).max(7));
            clear(f, r);
            let b = popup_block(app, T::ConfirmTitle.text(app.lang));
            let inner = b.inner(r);
            f.render_widget(b, r);
            let mut lines: Vec<Line> = asked.into_iter().map(Line::from).collect();
            // On a screen too short for all of it, the keys before the end of the question.
            let room = usize::from(inner.height).saturating_sub(2);
            lines.truncate(room.max(1));
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(T::HintConfirm.text(app.lang), th.heading())));
            f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
        }
        Popup::Details(d) => {
            let th = Theme { color: app.color };
            let r = centered(area, details_width(area.width), area.height.saturating_sub(2).max(8));
            clear(f, r);
            let b = popup_block(app, &d.title);
            let inner = b.inner(r);
            f.render_widget(b, r);
            let body = inner.height.saturating_sub(1) as usize;
            let w = usize::from(inner.width);
            let mut lines: Vec<Line> = d
                .lines
                .iter()
                .skip(d.scroll)
                .flat_map(|s| hang_wrap(s, w))
                .take(body)
                .map(Line::from)
                .collect();
            while lines.len() < inner.height.saturating_sub(1) as usize {
                lines.push(Line::from(""));
            }
            lines.push(Line::from(Span::styled(T::HintDetails.text(app.lang), th.dim())));
            wrapped(f, lines, inner);
        }
        Popup::Help { scroll } => render_help(app, *scroll, f, area),
    }
}

/// Draws `lines` as a paragraph wrapped at the area's width draws them. Lines that all fit
/// (as a detail's lines almost always do: they were cut to the popup's width) are drawn as
/// they are, without the paragraph's word-by-word pass over every character.
fn wrapped(f: &mut Frame, lines: Vec<Line<'_>>, area: Rect) {
    if lines.iter().all(|l| l.width() <= usize::from(area.width)) {
        super::render_lines(f, lines, area);
    } else {
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
    }
}

fn popup_block<'a>(app: &App, title: &str) -> PaneFrame<'a> {
    let th = Theme { color: app.color };
    PaneFrame::new(Span::styled(format!(" {} ", width::truncate(title, 60)), th.heading()))
        .border_style(th.focused_border())
}

/// A line of a popup, wrapped at words to `w` columns when it is wider: the lines after the
/// first start where its last column does (after its last run of two spaces: a statement's
/// task and note, a detail's value), as a table's cell wraps within its column, when that
/// column starts in the first two thirds of the width; else at the left.
fn hang_wrap(s: &str, w: usize) -> Vec<String> {
    if width::of(s) <= w {
        return vec![s.to_string()];
    }
    let at = s
        .rfind("  ")
        .map(|i| i + s[i..].len() - s[i..].trim_start().len())
        .filter(|&i| i < s.len() && width::of(&s[..i]) <= w * 2 / 3)
        .unwrap_or(0);
    let (head, cell) = s.split_at(at);
    let indent = width::of(head);
    wrap_words(cell, w - indent)
        .into_iter()
        .enumerate()
        .map(|(k, part)| {
            let lead = if k == 0 { head.to_string() } else { " ".repeat(indent) };
            format!("{lead}{part}")
        })
        .collect()
}

/// Splits `s` into lines of at most `max` columns, between words where it can.
pub(crate) fn wrap_words(s: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut out = Vec::new();
    let mut line = String::new();
    for word in s.split(' ') {
        let sep = usize::from(!line.is_empty());
        if width::of(&line) + sep + width::of(word) <= max {
            if sep == 1 {
                line.push(' ');
            }
            line.push_str(word);
            continue;
        }
        if !line.is_empty() {
            out.push(std::mem::take(&mut line));
        }
        let mut rest = word.to_string();
        while width::of(&rest) > max {
            let head = width::truncate(&rest, max + 1);
            let head: String = head.trim_end_matches('…').to_string();
            let cut = head.len().max(rest.chars().next().map_or(1, char::len_utf8));
            out.push(rest[..cut].to_string());
            rest = rest[cut..].to_string();
        }
        line = rest;
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}

/// A form: one row per field (three for long text) and a line under it for its hint or its
/// whole error, wrapped. A form taller than the screen scrolls to keep the focused field shown.
fn render_form(app: &App, form: &Form, f: &mut Frame, area: Rect) {
    let th = Theme { color: app.color };
    let l = app.lang;
    let w = 74.min(area.width);
    let inner_w = w.saturating_sub(2) as usize;
    let label_w = form
        .fields
        .iter()
        .map(|x| width::of(x.label.text(l)))
        .max()
        .unwrap_or(8)
        .min(22)
        + 2;
    let input_w = inner_w.saturating_sub(label_w + 1).max(1);
    // The whole form as rows, each field's first row and height remembered.
    let mut lines: Vec<Line> = Vec::new();
    let mut spans_of: Vec<(usize, usize)> = Vec::new();
    for (i, field) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        let first = lines.len();
        let label_style = if focused { th.heading() } else { th.dim() };
        let input_style = if focused { th.selected() } else { Style::new() };
        if field.kind == FieldKind::Multi {
            let rows = field.rows() as usize;
            let text: Vec<&str> = field.value().split('\n').collect();
            for r in 0..rows {
                let label = if r == 0 { field.label.text(l) } else { "" };
                let mut shown = text.get(r).map(|s| width::truncate(s, input_w)).unwrap_or_default();
                if r + 1 == rows && text.len() > rows {
                    shown = width::truncate(&format!("{shown} …"), input_w);
                }
                lines.push(Line::from(vec![
                    Span::styled(width::pad(label, label_w), label_style),
                    Span::raw(" "),
                    Span::styled(width::pad(&shown, input_w), Style::new()),
                ]));
            }
        } else {
            let scroll = field.input.visual_scroll(input_w.saturating_sub(1));
            let choice_label = match field.kind {
                FieldKind::Choice(c) => Some(c.label(field.value(), l)),
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
            lines.push(Line::from(vec![
                Span::styled(width::pad(field.label.text(l), label_w), label_style),
                Span::raw(" "),
                Span::styled(width::pad(&shown, input_w), input_style),
            ]));
        }
        // An error is shown whole, wrapped, so a list of valid values is never cut.
        match &field.error {
            Some(e) => {
                for part in wrap_words(e, inner_w.saturating_sub(2)) {
                    lines.push(Line::from(Span::styled(format!("  {part}"), th.error())));
                }
            }
            None => lines.push(Line::from(Span::styled(
                width::truncate_words(&format!("{:label_w$} {}", "", field.hint(l)), inner_w),
                th.dim(),
            ))),
        }
        spans_of.push((first, lines.len() - first));
    }
    let h = (lines.len() as u16 + 3).min(area.height);
    let r = centered(area, w, h);
    clear(f, r);
    let b = popup_block(app, &form.title);
    let inner = b.inner(r);
    f.render_widget(b, r);
    let body = inner.height.saturating_sub(1) as usize;
    let (first, len) = spans_of.get(form.focus).copied().unwrap_or((0, 1));
    let scroll = if first + len <= body {
        0
    } else {
        (first + len - body).min(first)
    };
    let mut shown: Vec<Line> = lines.into_iter().skip(scroll).take(body).collect();
    while shown.len() < body {
        shown.push(Line::from(""));
    }
    // The mark shows only when the form is taller than the room it has.
    let more = spans_of.last().map_or(0, |(a, b)| a + b) > body;
    let footer = if more {
        format!("{} ↕", T::HintForm.text(l))
    } else {
        T::HintForm.text(l).to_string()
    };
    shown.push(Line::from(Span::styled(
        width::truncate_words(&footer, inner_w),
        th.dim(),
    )));
    f.render_widget(Paragraph::new(shown), inner);
    // The focused field: its cursor, or the editor of a long text over its rows.
    let Some(field) = form.fields.get(form.focus) else {
        return;
    };
    let y = inner.y + (first - scroll) as u16;
    let x = inner.x + label_w as u16 + 1;
    if y >= inner.bottom() {
        return;
    }
    match &field.area {
        Some(a) => {
            let rect = Rect {
                x,
                y,
                width: input_w as u16,
                height: field.rows().min(inner.bottom().saturating_sub(y)),
            }
            .intersection(inner);
            let mut a = (**a).clone();
            a.set_style(th.selected());
            a.set_cursor_style(Style::new().add_modifier(ratatui::style::Modifier::UNDERLINED));
            // The editor draws only its own text: the rows it covers are emptied first (they
            // hold the field's first rows, drawn with the form, which a scrolled editor does
            // not show).
            f.render_widget(ratatui::widgets::Clear, rect);
            f.render_widget(&a, rect);
        }
        None => {
            let scroll = field.input.visual_scroll(input_w.saturating_sub(1));
            let at = if matches!(field.kind, FieldKind::Choice(_)) {
                0
            } else {
                field.input.visual_cursor().saturating_sub(scroll)
            };
            let cx = x + at as u16;
            f.set_cursor_position(Position {
                x: cx.min(inner.right().saturating_sub(1)),
                y,
            });
        }
    }
}

fn render_help(app: &App, scroll: usize, f: &mut Frame, area: Rect) {
    let th = Theme { color: app.color };
    let r = centered(area, 78, area.height);
    clear(f, r);
    let b = popup_block(app, T::HelpTitle.text(app.lang));
    let inner = b.inner(r);
    f.render_widget(b, r);
    let lines = help_lines(app, inner.width);
    let body = inner.height.saturating_sub(1) as usize;
    let max_scroll = lines.len().saturating_sub(body);
    let mut shown: Vec<Line> = lines.into_iter().skip(scroll.min(max_scroll)).take(body).collect();
    while shown.len() < body {
        shown.push(Line::from(""));
    }
    shown.push(Line::from(Span::styled(T::HintDetails.text(app.lang), th.dim())));
    f.render_widget(Paragraph::new(shown), inner);
}

/// The rows of text a details popup shows on the desk's terminal, and its width.
fn details_room(app: &App) -> (usize, usize) {
    let body = super::body_rows(app);
    let h = body.saturating_sub(2).max(8).min(body);
    // Its borders and its hint line.
    let rows = usize::from(h.saturating_sub(3)).max(1);
    let w = usize::from(details_width(app.size.0).saturating_sub(2));
    (rows, w)
}

/// A details popup's width on a terminal `screen` columns wide: 76 columns (all of a narrower
/// one), growing with a wider terminal up to 100, two columns of the desk kept on each side.
fn details_width(screen: u16) -> u16 {
    screen.saturating_sub(4).clamp(76, 100).min(screen)
}

/// Where a details popup's text starts after a scrolling key: a line (`j` `k` `↓` `↑`), a page
/// (`PgDn` / `Space`: the next page starts with the first line not wholly shown; `PgUp` back
/// as far), or either end (`Home` / `g`, `End` / `G`: the last line at the bottom). Never past
/// the end, wrapped lines counted as the rows they take.
pub fn details_scrolled(app: &App, d: &Details, code: KeyCode) -> usize {
    let (rows, w) = details_room(app);
    let heights: Vec<usize> = d.lines.iter().map(|s| hang_wrap(s, w).len()).collect();
    // From `from`, the lines that fit in the rows going down (`down`) or up.
    let fit = |from: usize, down: bool| {
        let (mut used, mut at) = (0, from);
        loop {
            let next = if down {
                heights.get(at)
            } else {
                at.checked_sub(1).and_then(|i| heights.get(i))
            };
            match next {
                Some(&h) if used + h <= rows => {
                    used += h;
                    if down {
                        at += 1
                    } else {
                        at -= 1
                    }
                }
                _ => break at,
            }
        }
    };
    let last = fit(heights.len(), false);
    let cur = d.scroll.min(last);
    let next = match code {
        KeyCode::Down | KeyCode::Char('j') => cur + 1,
        KeyCode::Up | KeyCode::Char('k') => cur.saturating_sub(1),
        KeyCode::PageDown | KeyCode::Char(' ') => fit(cur, true).max(cur + 1),
        KeyCode::PageUp => fit(cur, false).min(cur.saturating_sub(1)),
        KeyCode::Home | KeyCode::Char('g') => 0,
        KeyCode::End | KeyCode::Char('G') => last,
        _ => cur,
    };
    next.min(last)
}

/// How far the help scrolls on the terminal the desk has: to its last line at the bottom.
pub fn help_max_scroll(app: &App) -> usize {
    let inner_w = app.size.0.min(78).saturating_sub(2);
    // The body less the help's borders and its hint line.
    let body = usize::from(super::body_rows(app)).saturating_sub(3);
    help_lines(app, inner_w).len().saturating_sub(body)
}

/// The help's lines at `width` columns: each key and what it does, the forms' keys, the legend.
fn help_lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let th = Theme { color: app.color };
    let l = app.lang;
    let mut lines: Vec<Line> = Vec::new();
    let key_w = 16;
    let text_w = (width as usize).saturating_sub(key_w);
    // Each entry whole: a text too long for the width wraps under itself, never cut.
    let entry = |key: &str, text: &str, lines: &mut Vec<Line>| {
        for (i, part) in wrap_words(text, text_w).into_iter().enumerate() {
            let k = if i == 0 { key } else { "" };
            lines.push(Line::from(vec![
                Span::styled(width::pad(k, key_w), th.heading()),
                Span::raw(part),
            ]));
        }
    };
    // Key names as the keyboard prints them ("Mayús+Tab", "AvPág" on a Spanish one).
    let key_name = |label: &str| {
        label
            .replace("Shift-Tab", T::KeyNameShiftTab.text(l))
            .replace("PgDn", T::KeyNamePgDn.text(l))
            .replace("PgUp", T::KeyNamePgUp.text(l))
    };
    // The keys in effect: the config's `[keys]` over the table's own labels.
    for (i, bind) in BINDINGS.iter().enumerate().filter(|(_, b)| !b.label.is_empty()) {
        entry(
            &key_name(&app.config.keys.help_label(i)),
            &app.config.keys.text(bind.help, l, &[]),
            &mut lines,
        );
    }
    entry(T::HelpFormsKeys.text(l), T::HelpForms.text(l), &mut lines);
    entry("", T::HintMulti.text(l), &mut lines);
    lines.push(Line::from(""));
    entry(T::HelpLegend.text(l), T::HelpLegendDot.text(l), &mut lines);
    entry("", T::HelpLegendLetters.text(l), &mut lines);
    entry("", T::HelpLegendCounts.text(l), &mut lines);
    entry("", T::HelpLegendNudges.text(l), &mut lines);
    entry("", &app.config.keys.text(T::HelpLegendRecur, l, &[]), &mut lines);
    lines
}

#[cfg(test)]
mod tests {
    /// A wide line wraps under its last column, keeps every word, and fits; a line without
    /// columns, or whose last column starts too far right, wraps at the left.
    #[test]
    fn a_wide_line_wraps_under_its_last_column() {
        use crate::domain::text::width;
        let entry = "Sun 1 Nov    2h 30m  billable       Reply to wedding enquiries (Marta asked for three more versions of the copy)";
        let lines = super::hang_wrap(entry, 60);
        assert!(lines.len() > 1, "{lines:?}");
        assert!(
            lines[0].starts_with("Sun 1 Nov    2h 30m  billable       Reply"),
            "{lines:?}"
        );
        for l in &lines {
            assert!(width::of(l) <= 60, "{l:?}");
        }
        for l in &lines[1..] {
            assert!(l.starts_with(&" ".repeat(36)) && !l[36..].starts_with(' '), "{l:?}");
        }
        let words = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
        assert_eq!(words(&lines.join(" ")), words(entry));
        // Plain text wraps at the left; a line that fits is left alone.
        let plain = "Marta prefers voice notes before ten and never answers email on a Friday afternoon";
        let wrapped = super::hang_wrap(plain, 30);
        assert!(
            wrapped.iter().all(|l| !l.starts_with(' ') && width::of(l) <= 30),
            "{wrapped:?}"
        );
        assert_eq!(super::hang_wrap("short  line", 30), vec!["short  line".to_string()]);
        // A last column past two thirds of the width: at the left too.
        let far = format!("{}  {}", "x".repeat(50), "word ".repeat(10));
        assert!(super::hang_wrap(&far, 60)[1..].iter().all(|l| !l.starts_with(' ')));
    }

    use ratatui::backend::TestBackend;
    use ratatui::layout::Rect;
    use ratatui::style::{Color, Style};
    use ratatui::text::{Line, Span};
    use ratatui::widgets::{Paragraph, Wrap};
    use ratatui::Terminal;

    /// Lines that fit are drawn by `wrapped` exactly as the wrapping paragraph draws them:
    /// spaces leading, trailing and doubled, a line exactly as wide as the area, empty lines,
    /// accents, wide and combining characters, emoji, styled spans; and lines that do not fit
    /// still wrap.
    #[test]
    fn wrapped_lines_are_drawn_as_the_wrapping_paragraph_draws_them() {
        let texts = [
            "Floristería Amapola",
            "",
            "  two leading spaces",
            "trailing spaces   ",
            "double  spaces  in",
            "exactly twenty cols!",
            "名前 wide ideographs",
            "e\u{301}cole combining 🌸 emoji",
            " ",
            "e\u{301}t\u{e9} 🌸 名 ok",
            "a much longer line that has to wrap over several rows of the area",
            "averyveryveryverylongwordwithoutanyspaces",
        ];
        let area = Rect::new(2, 1, 20, 12);
        for n in 1..=texts.len() {
            for skip in 0..n {
                let make = || -> Vec<Line<'static>> {
                    let mut v: Vec<Line<'static>> = texts[skip..n].iter().map(|t| Line::from(t.to_string())).collect();
                    v.push(Line::from(Span::styled("Esc close", Style::new().fg(Color::DarkGray))));
                    v
                };
                let mut a = Terminal::new(TestBackend::new(24, 14)).unwrap();
                let mut b = Terminal::new(TestBackend::new(24, 14)).unwrap();
                a.draw(|f| f.render_widget(Paragraph::new(make()).wrap(Wrap { trim: false }), area))
                    .unwrap();
                b.draw(|f| super::wrapped(f, make(), area)).unwrap();
                assert_eq!(a.backend().buffer(), b.backend().buffer(), "lines {skip}..{n}");
            }
        }
    }
}

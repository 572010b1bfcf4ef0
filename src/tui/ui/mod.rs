//! Drawing: a pure function of `&App`. Each render touches only the rows that are visible.

mod bars;
mod deals;
mod desk;
mod month;
mod pane;
pub(crate) mod popup;
mod review;
pub mod theme;

use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Widget, Wrap};
use ratatui::Frame;

use super::app::{App, View};
use crate::i18n::T;

/// Below this size the desk shows only a plain message.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 15;

/// The rows an error notice too long for the status bar's share (why an undo was refused,
/// what a store refused) takes above it, rather than being cut: as many as it needs, up to
/// three, and never the body's last rows. 0: none.
fn notice_rows(app: &App, area: Rect) -> u16 {
    let long_w = app
        .notice
        .as_ref()
        .filter(|n| n.error)
        .map(|n| crate::domain::text::width::of(&n.text))
        .filter(|w| *w > usize::from(area.width / 2));
    long_w.map_or(0, |w| {
        let rows = w.div_ceil(usize::from(area.width.max(1))).clamp(1, 3) as u16;
        rows.min(area.height.saturating_sub(MIN_HEIGHT.min(area.height)) + 1)
    })
}

/// The rows of the view's body (between the title bar, and the notice and status bar) on the
/// desk's terminal: where views and popups are drawn.
pub(crate) fn body_rows(app: &App) -> u16 {
    let area = Rect::new(0, 0, app.size.0, app.size.1);
    area.height.saturating_sub(2 + notice_rows(app, area)).max(3)
}

pub fn render(app: &App, f: &mut Frame) {
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let msg = app.config.keys.text(
            T::TooSmall,
            app.lang,
            &[&MIN_WIDTH, &MIN_HEIGHT, &area.width, &area.height],
        );
        f.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }), area);
        return;
    }
    let notice_h = notice_rows(app, area);
    let long = notice_h > 0;
    let [title, body, notice, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(notice_h),
        Constraint::Length(1),
    ])
    .areas(area);
    bars::title(app, f, title);
    match app.view {
        View::Desk => desk::render(app, f, body),
        View::Review => review::render(app, f, body),
        View::Month => month::render(app, f, body),
    }
    if long {
        bars::long_notice(app, f, notice);
    }
    bars::status(app, f, status, !long);
    if let Some(p) = &app.popup {
        popup::render(app, p, f, body);
    }
    scrub(f.buffer_mut());
}

/// The last word before the terminal: no cell may hold a character a terminal acts on
/// (escape, control, bidi), whatever the store held. Cells are almost always plain, and
/// checked by bytes first.
fn scrub(buf: &mut ratatui::buffer::Buffer) {
    for cell in buf.content.iter_mut() {
        let sym = cell.symbol();
        if sym.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            continue;
        }
        if sym.chars().any(crate::domain::text::is_terminal_active) {
            let clean: String = sym
                .chars()
                .filter(|c| !crate::domain::text::is_terminal_active(*c))
                .collect();
            cell.set_symbol(if clean.is_empty() { " " } else { &clean });
        }
    }
}

/// Whether a character takes one cell of its own, whatever is beside it: printable ASCII,
/// Latin letters and signs up to U+02FF (not the soft hyphen), and the one-column punctuation
/// and symbols from U+2010 to U+2BFF (`·`, `…`, `→`, `€`, `●`, `✓`, `⧗`). None of them joins a
/// neighbour into one grapheme; combining marks, joiners, variation selectors and wide
/// characters are not among them.
fn one_cell(c: char) -> bool {
    match u32::from(c) {
        0x20..=0x7e => true,
        0xa0..=0x2ff => c != '\u{ad}',
        0x2010..=0x2027 | 0x2030..=0x205e | 0x2070..=0x20cf | 0x2100..=0x2bff => {
            unicode_width::UnicodeWidthChar::width(c) == Some(1)
        }
        _ => false,
    }
}

/// Draws `lines` exactly as `Paragraph::new(lines)` draws them (no wrap, no scroll, each line
/// cut at the area's width), the plain lines of a list without Unicode's grapheme rules: a
/// left-aligned line whose every character takes one cell of its own (`one_cell`) is one cell
/// per character. Any other line is drawn by the paragraph itself, on its own row.
pub(crate) fn render_lines(f: &mut Frame, lines: Vec<Line<'_>>, area: Rect) {
    let buf = f.buffer_mut();
    let area = area.intersection(buf.area);
    for (y, line) in (0..area.height).zip(lines) {
        let row = Rect {
            y: area.y + y,
            height: 1,
            ..area
        };
        let plain = line.alignment.is_none_or(|a| a == Alignment::Left)
            && line.spans.iter().all(|s| s.content.chars().all(one_cell));
        if !plain {
            Paragraph::new(line).render(row, buf);
            continue;
        }
        // The row's cells in order, one per character.
        let from = buf.index_of(row.x, row.y);
        let mut cells = buf.content[from..from + usize::from(row.width)].iter_mut();
        'spans: for span in &line.spans {
            let style = Style::default().patch(line.style).patch(span.style);
            for c in span.content.chars() {
                let Some(cell) = cells.next() else {
                    break 'spans;
                };
                cell.set_char(c).set_style(style);
            }
        }
    }
}

/// A rectangle of at most `w` × `h` centred in `area`.
pub(crate) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    let r = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    r.intersection(area)
}

/// Clears `r` for a popup. A wide character just left of it (its right half under the
/// popup's first column) is blanked too: the terminal would draw it over the popup's border,
/// and the diff, which skips the cell after a wide character, would never draw that border.
pub(crate) fn clear(f: &mut Frame, r: Rect) {
    let buf = f.buffer_mut();
    let r = r.intersection(buf.area);
    if r.x > buf.area.x {
        for y in r.top()..r.bottom() {
            let cell = &mut buf[(r.x - 1, y)];
            if unicode_width::UnicodeWidthStr::width(cell.symbol()) > 1 {
                cell.set_symbol(" ");
            }
        }
    }
    f.render_widget(Clear, r);
}

/// The first visible row of a list of `len` rows whose `selected` must show in `height` rows.
pub(crate) fn page_start(selected: usize, height: usize) -> usize {
    if height == 0 {
        return 0;
    }
    (selected / height) * height
}

#[cfg(test)]
mod clear_tests {
    use ratatui::backend::TestBackend;
    use ratatui::layout::Rect;
    use ratatui::text::Line;
    use ratatui::Terminal;

    /// A popup over a row whose wide character straddles its left edge: the character is
    /// blanked, so the popup's border is drawn (on screen, not only in the buffer).
    #[test]
    fn a_wide_character_half_under_a_popup_does_not_hide_its_border() {
        let mut t = Terminal::new(TestBackend::new(12, 4)).unwrap();
        let popup = Rect::new(3, 0, 6, 4);
        t.draw(|f| {
            f.render_widget(Line::from("ab貿cd名ef"), Rect::new(0, 1, 12, 1));
            super::clear(f, popup);
            f.render_widget(super::pane::PaneFrame::new("x"), popup);
        })
        .unwrap();
        let buf = t.backend().buffer();
        // `貿` took columns 2–3; the border is at 3.
        assert_eq!(buf[(2, 1)].symbol(), " ");
        assert_eq!(buf[(3, 1)].symbol(), "│");
        assert_eq!(buf[(1, 1)].symbol(), "b");
        // `名` took columns 6–7, inside the popup: cleared with it; the right border at 8.
        assert_eq!(buf[(8, 1)].symbol(), "│");
        assert_eq!(buf[(9, 1)].symbol(), "f");
    }
}

#[cfg(test)]
mod tests {
    use ratatui::backend::TestBackend;
    use ratatui::layout::{Alignment, Rect};
    use ratatui::style::{Color, Modifier, Style};
    use ratatui::text::{Line, Span};
    use ratatui::widgets::Paragraph;
    use ratatui::Terminal;

    /// Every character `one_cell` lets through draws as the paragraph draws it, beside
    /// any other of them.
    #[test]
    fn every_one_cell_character_draws_as_the_paragraph() {
        let chars: Vec<char> = (0..0x3000u32)
            .filter_map(char::from_u32)
            .filter(|&c| super::one_cell(c))
            .collect();
        assert!(chars.len() > 3000, "{}", chars.len());
        let lines = || -> Vec<Line<'static>> {
            chars
                .chunks(97)
                .map(|c| Line::from(format!("a{}b", c.iter().collect::<String>())))
                .collect()
        };
        let h = u16::try_from(lines().len()).unwrap();
        let [plain, paragraph] = drawn_both_ways(&lines, (99, h), Rect::new(0, 0, 99, h));
        assert_eq!(plain, paragraph);
    }

    /// What `render_lines` draws of `lines` in `area` of a `w` × `h` screen, and what the
    /// paragraph draws.
    fn drawn_both_ways(
        lines: &dyn Fn() -> Vec<Line<'static>>,
        (w, h): (u16, u16),
        area: Rect,
    ) -> [ratatui::buffer::Buffer; 2] {
        [true, false].map(|plain| {
            let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
            t.draw(|f| {
                if plain {
                    super::render_lines(f, lines(), area);
                } else {
                    f.render_widget(Paragraph::new(lines()), area);
                }
            })
            .unwrap();
            t.backend().buffer().clone()
        })
    }

    /// The plain lines' path draws every cell as the paragraph draws it: styles, cuts,
    /// wide and combining characters, alignment, more lines than rows.
    #[test]
    fn render_lines_draws_as_the_paragraph() {
        let lines = || {
            let red = Style::new().fg(Color::Red).add_modifier(Modifier::BOLD);
            let sel = Style::new()
                .add_modifier(Modifier::REVERSED)
                .remove_modifier(Modifier::BOLD);
            vec![
                Line::from("plain ascii, longer than the area is wide: it is cut at the edge"),
                Line::from(vec![
                    Span::styled("red ", red),
                    Span::raw("raw "),
                    Span::styled("x", sel),
                ]),
                Line::from(vec![Span::styled("red ", red), Span::raw("then raw")]).style(sel),
                Line::from("año ● ✓3 ⧗1 e\u{301} 漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字"),
                Line::from("centred").alignment(Alignment::Center),
                Line::from("right").alignment(Alignment::Right),
                Line::from(""),
                Line::from(vec![Span::raw(""), Span::styled("   ", red)]),
                Line::from("tab\there and a control \u{7} char"),
                Line::from(vec![
                    Span::styled("Material atrasado · Fotos de las lámparas → Carrusel ", red),
                    Span::raw("(vence ayer) +6 días … 12,50 € ● ✓3 ⧗1 ☀ ‼ Ñandú ǅ ʼ ˚"),
                ]),
                Line::from("joins or is wide: ✅ 🇪🇸 क\u{93e} soft\u{ad}hyphen ☀\u{fe0f} a\u{200d}b ⌚ 〈x〉"),
                Line::from("\u{a0}nbsp \u{2028} line sep \u{2060} word joiner \u{20dd} ‰ ⁰ ₁ ™ ⅓ ⟨x⟩"),
                Line::from("one row too many"),
            ]
        };
        for (w, h) in [(40u16, 9u16), (1, 12), (0, 3), (80, 20), (30, 14)] {
            let [plain, paragraph] = drawn_both_ways(&lines, (90, 24), Rect::new(2, 1, w, h));
            assert_eq!(plain, paragraph, "{w}x{h}");
        }
    }
}

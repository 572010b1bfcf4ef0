//! Drawing: a pure function of `&App`. Each render touches only the rows that are visible.

mod bars;
mod deals;
mod desk;
mod month;
mod popup;
mod review;
pub mod theme;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::app::{App, View};
use crate::i18n::tf;
use crate::i18n::T;

/// Below this size the desk shows only a plain message.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 15;

pub fn render(app: &App, f: &mut Frame) {
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let msg = tf(
            app.lang,
            T::TooSmall,
            &[&MIN_WIDTH, &MIN_HEIGHT, &area.width, &area.height],
        );
        f.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }), area);
        return;
    }
    let [title, body, status] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(3), Constraint::Length(1)]).areas(area);
    bars::title(app, f, title);
    match app.view {
        View::Desk => desk::render(app, f, body),
        View::Review => review::render(app, f, body),
        View::Month => month::render(app, f, body),
    }
    bars::status(app, f, status);
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

pub(crate) fn clear(f: &mut Frame, r: Rect) {
    f.render_widget(Clear, r);
}

/// The first visible row of a list of `len` rows whose `selected` must show in `height` rows.
pub(crate) fn page_start(selected: usize, height: usize) -> usize {
    if height == 0 {
        return 0;
    }
    (selected / height) * height
}

//! A pane's frame: a plain border on all four sides, a title on the top border and others on
//! the bottom one, drawn cell for cell as ratatui's `Block` draws that frame.
//!
//! `Block` first sets its style on every cell of its area (a pass over the whole pane even when
//! the style is empty) and merges each border cell's symbol; a frame of the desk draws three
//! panes, so that pass alone went over every cell of the screen on every key. This frame touches
//! only its border and its titles. `Block` stays the reference: the tests below draw both on
//! the same buffers and require the same cells.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::symbols::border;
use ratatui::text::Line;
use ratatui::widgets::Widget;

/// A bordered pane: its top title, bottom titles (left to right, one space apart), the style of
/// its border and the style set under its titles.
#[derive(Debug, Clone, Default)]
pub struct PaneFrame<'a> {
    title: Line<'a>,
    bottom: Vec<Line<'a>>,
    border_style: Style,
    title_style: Style,
}

impl<'a> PaneFrame<'a> {
    pub fn new(title: impl Into<Line<'a>>) -> Self {
        PaneFrame {
            title: title.into(),
            ..PaneFrame::default()
        }
    }

    pub fn border_style(mut self, style: Style) -> Self {
        self.border_style = style;
        self
    }

    /// The style set under every title before it is drawn (as `Block::title_style`).
    pub fn title_style(mut self, style: Style) -> Self {
        self.title_style = style;
        self
    }

    /// One more title on the bottom border, after those already there.
    pub fn title_bottom(mut self, title: impl Into<Line<'a>>) -> Self {
        self.bottom.push(title.into());
        self
    }

    /// The area inside the border.
    pub fn inner(&self, area: Rect) -> Rect {
        // As `Block::inner` with a border on every side.
        let x = area.x.saturating_add(1).min(area.right());
        let y = area.y.saturating_add(1).min(area.bottom());
        Rect {
            x,
            y,
            width: area.width.saturating_sub(2),
            height: area.height.saturating_sub(2),
        }
    }

    /// The titles on row `y`, in `Block`'s order: the left-aligned ones from the left, the
    /// centred ones, then the right-aligned ones from the right; one space between two.
    fn titles(&self, area: Rect, y: u16, titles: &[Line<'_>], buf: &mut Buffer) {
        // Between the two side borders.
        let between = Rect {
            x: area.left().saturating_add(1),
            y,
            width: area.width.saturating_sub(2),
            height: 1,
        };
        let aligned = |a: Alignment| {
            titles
                .iter()
                .filter(move |t| t.alignment.unwrap_or(Alignment::Left) == a)
        };
        let width = |t: &Line<'_>| t.width().min(usize::from(u16::MAX)) as u16;
        let mut at = between;
        for title in aligned(Alignment::Left) {
            if at.is_empty() {
                break;
            }
            let w = width(title);
            self.title(
                title,
                Rect {
                    width: w.min(at.width),
                    ..at
                },
                buf,
            );
            let advance = w.saturating_add(1);
            at.x = at.x.saturating_add(advance);
            at.width = at.width.saturating_sub(advance);
        }
        let centred: Vec<&Line<'_>> = aligned(Alignment::Center).collect();
        if !centred.is_empty() {
            let total = centred
                .iter()
                .map(|t| width(t).saturating_add(1))
                .fold(0, u16::saturating_add)
                .saturating_sub(1);
            let mut at = between;
            if total <= at.width {
                at.x = at.left().saturating_add(at.width.saturating_sub(total) / 2);
                for title in centred {
                    let w = width(title);
                    self.title(title, Rect { width: w, ..at }, buf);
                    let advance = w.saturating_add(1);
                    at.x = at.x.saturating_add(advance);
                    at.width = at.width.saturating_sub(advance);
                }
            } else {
                // Too wide: the first titles lose their left side, the last their right.
                let mut offset = total.saturating_sub(at.width) / 2;
                for title in centred {
                    if at.is_empty() {
                        break;
                    }
                    let w = at.width.min(width(title)).saturating_sub(offset);
                    let one = Rect { width: w, ..at };
                    if offset > 0 {
                        self.title(&title.clone().right_aligned(), one, buf);
                        offset = offset.saturating_sub(w).saturating_sub(1);
                    } else {
                        self.title(&title.clone().left_aligned(), one, buf);
                    }
                    let advance = w.saturating_add(1);
                    at.x = at.x.saturating_add(advance);
                    at.width = at.width.saturating_sub(advance);
                }
            }
        }
        let mut at = between;
        for title in aligned(Alignment::Right).rev() {
            if at.is_empty() {
                break;
            }
            let w = width(title);
            let one = Rect {
                x: at.right().saturating_sub(w).max(at.left()),
                width: w.min(at.width),
                ..at
            };
            self.title(title, one, buf);
            at.width = at.width.saturating_sub(w).saturating_sub(1);
        }
    }

    fn title(&self, title: &Line<'_>, area: Rect, buf: &mut Buffer) {
        buf.set_style(area, self.title_style);
        title.render(area, buf);
    }
}

impl Widget for PaneFrame<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let area = area.intersection(buf.area);
        if area.is_empty() {
            return;
        }
        let set = border::PLAIN;
        let (left, top) = (area.left(), area.top());
        let (right, bottom) = (area.right() - 1, area.bottom() - 1);
        let style = self.border_style;
        // The sides in `Block`'s order (left, top, right, bottom), then the corners over them.
        for y in top..=bottom {
            buf[(left, y)].set_symbol(set.vertical_left).set_style(style);
        }
        for x in left..=right {
            buf[(x, top)].set_symbol(set.horizontal_top).set_style(style);
        }
        for y in top..=bottom {
            buf[(right, y)].set_symbol(set.vertical_right).set_style(style);
        }
        for x in left..=right {
            buf[(x, bottom)].set_symbol(set.horizontal_bottom).set_style(style);
        }
        for (x, y, symbol) in [
            (right, bottom, set.bottom_right),
            (right, top, set.top_right),
            (left, bottom, set.bottom_left),
            (left, top, set.top_left),
        ] {
            buf[(x, y)].set_symbol(symbol).set_style(style);
        }
        self.titles(area, top, std::slice::from_ref(&self.title), buf);
        self.titles(area, bottom, &self.bottom, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Color, Modifier};
    use ratatui::text::Span;
    use ratatui::widgets::{Block, Borders};

    /// Both frames drawn over the same busy buffer (styled text in every cell, so that what a
    /// frame leaves alone shows too).
    fn both(area: Rect, screen: Rect, make: impl Fn() -> (Block<'static>, PaneFrame<'static>)) {
        let mut base = Buffer::empty(screen);
        for y in screen.top()..screen.bottom() {
            for x in screen.left()..screen.right() {
                let c = char::from(b'a' + ((x + 3 * y) % 26) as u8);
                base[(x, y)].set_char(c).set_style(
                    Style::new()
                        .fg(Color::Indexed((x % 7) as u8))
                        .add_modifier(Modifier::ITALIC),
                );
            }
        }
        let (block, pane) = make();
        let (mut a, mut b) = (base.clone(), base);
        assert_eq!(block.inner(area), pane.inner(area), "inner of {area:?}");
        block.render(area, &mut a);
        pane.render(area, &mut b);
        assert_eq!(a, b, "frame over {area:?}");
    }

    /// `align`: 0–2 every bottom title left, centred or right; 3 each its own.
    fn titled(
        title: &str,
        bottoms: &[&str],
        align: usize,
        border: Style,
        title_style: Style,
    ) -> (Block<'static>, PaneFrame<'static>) {
        let head = Span::styled(title.to_string(), Style::new().add_modifier(Modifier::BOLD));
        let mut block = Block::default()
            .borders(Borders::ALL)
            .title(head.clone())
            .border_style(border)
            .title_style(title_style);
        let mut pane = PaneFrame::new(head).border_style(border).title_style(title_style);
        for (i, b) in bottoms.iter().enumerate() {
            let line = Line::from(vec![
                Span::raw(" "),
                Span::styled(b.to_string(), Style::new().fg(Color::Cyan)),
            ]);
            // The deal tabs' strip is right-aligned; every alignment is drawn as `Block` does.
            let line = match if align == 3 { i % 3 } else { align } {
                0 => line.left_aligned(),
                1 => line.centered(),
                _ => line.right_aligned(),
            };
            block = block.title_bottom(line.clone());
            pane = pane.title_bottom(line);
        }
        (block, pane)
    }

    #[test]
    fn a_pane_frame_is_drawn_as_ratatui_s_block_draws_it() {
        let screen = Rect::new(0, 0, 40, 12);
        let focused = Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD);
        let verdict = Style::new().fg(Color::Red);
        let titles = [
            " Clients (12) ",
            "",
            " A title far longer than any pane it could ever be drawn on ",
            " Tâches · Floristería 🌸 名前 ",
        ];
        let bottoms: [&[&str]; 6] = [
            &[],
            &["/wo▏rds "],
            &["/filter ", " Quotes · Meetings "],
            &["x"],
            &["a", "bb", "ccc"],
            &[
                "/a query longer than most panes ",
                " [Tasks 5] · Quotes 0 · Meetings 0 ",
                "end",
            ],
        ];
        let areas = [
            Rect::new(0, 0, 40, 12),
            Rect::new(3, 2, 20, 6),
            Rect::new(5, 5, 2, 2),
            Rect::new(5, 5, 1, 1),
            Rect::new(5, 5, 3, 1),
            Rect::new(5, 5, 1, 4),
            Rect::new(0, 0, 0, 5),
            Rect::new(30, 8, 20, 10),
            Rect::new(39, 11, 5, 5),
        ];
        for area in areas {
            for title in titles {
                for bottom in bottoms {
                    for align in 0..4 {
                        for (border, ts) in [(Style::new(), Style::new()), (focused, verdict)] {
                            both(area, screen, || titled(title, bottom, align, border, ts));
                        }
                    }
                }
            }
        }
    }
}

//! The daily review, full width: one row per thing that needs the VA, in SPEC order.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::page_start;
use super::pane::PaneFrame;
use super::theme::Theme;
use crate::describe;
use crate::domain::text::width;
use crate::domain::ReviewKind;
use crate::i18n::{self, T};
use crate::tui::app::{App, Listed};

pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let th = Theme { color: app.color };
    let l = app.lang;
    let today = app.today();
    let title = format!("{} · {}", T::ReviewTitle.text(l), i18n::date(today, today, l));
    let mut b = PaneFrame::new(Span::styled(format!(" {title} "), th.heading())).border_style(th.focused_border());
    if let Some(fl) = &app.review.filter {
        b = b.title_bottom(super::desk::filter_title(fl, fl.editing, area.width));
    }
    let inner = b.inner(area);
    f.render_widget(b, area);
    let h = inner.height as usize;
    let w = inner.width as usize;
    let list = &app.review;
    if list.is_empty() {
        let msg = if list.total() == 0 {
            T::MsgReviewEmpty
        } else {
            T::NoMatches
        };
        f.render_widget(Paragraph::new(Span::styled(msg.text(l), th.ok())), inner);
        return;
    }
    let (kind_w, late_w) = app.review_widths;
    let client_w = (w / 5).clamp(10, 22);
    let body_w = w.saturating_sub(kind_w + client_w + late_w + 3);
    app.shown.set(Listed::Review, h);
    let start = page_start(list.selected, h);
    let mut lines = Vec::with_capacity(h);
    let mut prev: Option<ReviewKind> = start.checked_sub(1).and_then(|i| list.kind_at(i));
    for pos in start..list.len().min(start + h) {
        let Some(it) = list.get(pos) else { break };
        let style = if pos == list.selected {
            th.selected()
        } else {
            Style::new()
        };
        let label = if prev == Some(it.kind) {
            String::new()
        } else {
            it.kind.label(l).to_string()
        };
        prev = Some(it.kind);
        let tone = match it.kind {
            ReviewKind::FeedbackOverdue
            | ReviewKind::MaterialLate
            | ReviewKind::TaskOverdue
            | ReviewKind::QuoteUnanswered
            | ReviewKind::AttendanceUnrecorded => th.late(),
            ReviewKind::TaskDueToday
            | ReviewKind::MeetingToday
            | ReviewKind::WeeklyReview
            | ReviewKind::TimerRunning
            | ReviewKind::RetainerNear => th.soon(),
            ReviewKind::RetainerUsedUp => th.late(),
            ReviewKind::DueSoon => th.dim(),
        };
        let late = if it.days_late > 0 {
            format!("+{}", i18n::days(it.days_late, l))
        } else {
            String::new()
        };
        let spans = vec![
            Span::styled(width::pad(&label, kind_w), tone.patch(th.heading())),
            Span::raw(" "),
            Span::raw(width::pad(&it.client, client_w)),
            Span::raw(" "),
            Span::raw(width::pad(&describe::review_short(it, today, l), body_w)),
            Span::raw(" "),
            Span::styled(format!("{late:>late_w$}"), tone),
        ];
        lines.push(Line::from(
            spans.into_iter().map(|s| s.patch_style(style)).collect::<Vec<_>>(),
        ));
    }
    super::render_lines(f, lines, inner);
}

//! The title bar (views, date) and the status bar (notice or key hints, live counts).

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::theme::Theme;
use crate::domain::text::width;
use crate::i18n::{self, T};
use crate::tui::app::{App, Pane, View};
use crate::tui::update::counts_line;

pub fn title(app: &App, f: &mut Frame, area: Rect) {
    let th = Theme { color: app.color };
    let l = app.lang;
    let tab = |n: &str, label: T, on: bool| {
        let s = format!(" {n} {} ", label.text(l));
        if on {
            Span::styled(s, th.selected())
        } else {
            Span::raw(s)
        }
    };
    // The count comes a moment after the launch's first frame.
    let review_label = if app.launching {
        T::ViewReview.text(l).to_string()
    } else {
        format!("{} ({})", T::ViewReview.text(l), app.review.total())
    };
    let review_tab = if app.view == View::Review {
        Span::styled(format!(" 2 {review_label} "), th.selected())
    } else {
        Span::raw(format!(" 2 {review_label} "))
    };
    let left = Line::from(vec![
        Span::styled(" vadesk ", th.heading()),
        tab("1", T::ViewDesk, app.view == View::Desk),
        review_tab,
        tab("3", T::MonthTitle, app.view == View::Month),
    ]);
    let full = format!(
        "{} {} ",
        i18n::date(app.today(), app.today(), l),
        app.now.format("%H:%M")
    );
    // The clock never runs into the tabs: the day goes first when room is short, then the time.
    let used: usize = left.spans.iter().map(|s| width::of(&s.content)).sum();
    let room = (area.width as usize).saturating_sub(used);
    let short = format!("{} ", app.now.format("%H:%M"));
    let date = [full, short]
        .into_iter()
        .find(|d| width::of(d) < room)
        .unwrap_or_default();
    let [a, b] = Layout::horizontal([Constraint::Min(10), Constraint::Length(width::of(&date) as u16)]).areas(area);
    f.render_widget(Paragraph::new(left), a);
    f.render_widget(Paragraph::new(date), b);
}

/// Key hints for where the focus is.
fn hints(app: &App) -> T {
    if app.view == View::Review {
        return crate::tui::deals::review_hints(app);
    }
    if app.view == View::Month {
        return T::HintsMonth;
    }
    match app.focus {
        Pane::Clients => T::HintsClients,
        Pane::Tasks => crate::tui::deals::hints(app).unwrap_or(T::HintsTasks),
        Pane::Flags if app.client().is_none() => T::HintsRanking,
        Pane::Flags => T::HintsFlags,
    }
}

/// The hints that fit, always ending with the last one (`? help`).
fn fit_hints(all: &str, max: usize) -> String {
    let Some((rest, last)) = all.rsplit_once(" · ") else {
        return width::fit_items(all, max);
    };
    if width::of(all) <= max {
        return all.to_string();
    }
    let room = max.saturating_sub(width::of(last) + 3);
    let head = width::fit_items(rest, room);
    if head.trim().is_empty() {
        width::fit_items(last, max)
    } else {
        format!("{} · {last}", head.trim_end())
    }
}

/// An error notice on rows of its own, the whole width, wrapped at words.
/// When it needs more rows than the screen leaves it (a short terminal), its last row ends
/// with `…`: it is never cut off without saying so.
pub fn long_notice(app: &App, f: &mut Frame, area: Rect) {
    let th = Theme { color: app.color };
    if let Some(n) = &app.notice {
        let w = usize::from(area.width);
        let rows = super::popup::wrap_words(&n.text, w);
        let h = usize::from(area.height);
        if rows.len() > h && h > 0 {
            let mut shown: Vec<Line> = rows[..h - 1]
                .iter()
                .map(|r| Line::from(Span::styled(r.clone(), th.error())))
                .collect();
            let last = width::truncate(&format!("{}…", rows[h - 1]), w);
            shown.push(Line::from(Span::styled(last, th.error())));
            f.render_widget(Paragraph::new(shown), area);
            return;
        }
        f.render_widget(
            Paragraph::new(Span::styled(n.text.clone(), th.error())).wrap(ratatui::widgets::Wrap { trim: true }),
            area,
        );
    }
}

/// The status bar: the notice (unless `with_notice` is false: it has its own row) or the key
/// hints, the running timer, and the live counts.
pub fn status(app: &App, f: &mut Frame, area: Rect, with_notice: bool) {
    let th = Theme { color: app.color };
    // The late counts come a moment after the launch's first frame.
    let counts = if app.launching { String::new() } else { counts_line(app) };
    let late = app.counts.material_late + app.counts.feedback_overdue > 0;
    // The live counts matter more than the hints: they keep their room.
    let right_w = (width::of(&counts) as u16 + 2).min(area.width * 3 / 5);
    // Two columns between the hints and the counts, so they never run together.
    // The running timer, live, between the hints and the counts: its minutes always show,
    // the name is cut to the room left.
    let timer = app.money.timer.as_ref().map(|e| {
        let minutes = crate::tui::time_actions::running_minutes(e, app.now);
        let minutes = crate::domain::money::hours_text(minutes as u64);
        let room = (area.width.saturating_sub(right_w + 4) / 2) as usize;
        let fixed = width::of(&i18n::tf(app.lang, T::TimerBar, &[&"", &minutes]));
        let name = width::truncate(
            &crate::tui::time_actions::entry_name(e),
            room.saturating_sub(fixed).max(1),
        );
        i18n::tf(app.lang, T::TimerBar, &[&name, &minutes])
    });
    let timer_w = timer
        .as_ref()
        .map_or(0, |t| (width::of(t) as u16).min(area.width.saturating_sub(right_w) / 2));
    let [a, b] = Layout::horizontal([Constraint::Min(10), Constraint::Length(right_w)])
        .spacing(2)
        .areas(area);
    let a = match &timer {
        Some(text) => {
            let [a, t] = Layout::horizontal([Constraint::Min(10), Constraint::Length(timer_w)])
                .spacing(2)
                .areas(a);
            f.render_widget(
                Paragraph::new(Span::styled(width::truncate(text, t.width as usize), th.timer())),
                t,
            );
            a
        }
        None => a,
    };
    let left = match app.notice.as_ref().filter(|_| with_notice) {
        Some(n) if n.error => Span::styled(width::truncate_words(&n.text, a.width as usize), th.error()),
        Some(n) => Span::styled(width::truncate_words(&n.text, a.width as usize), th.ok()),
        None => {
            // The keys in effect, when the config remaps any.
            let text = app.config.keys.hints(hints(app).text(app.lang), app.key_ctx());
            Span::styled(fit_hints(&text, a.width as usize), th.dim())
        }
    };
    f.render_widget(Paragraph::new(Line::from(left)), a);
    let style = if late { th.late() } else { th.dim() };
    f.render_widget(
        Paragraph::new(Span::styled(width::truncate(&counts, b.width as usize), style)),
        b,
    );
}

//! The desk: clients, the selected client's tasks, and its red flags with the score explained.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::page_start;
use super::pane::PaneFrame;
use super::theme::Theme;
use crate::domain::text::width;
use crate::domain::{FlagSource, RequestKind, Task, TaskStatus, Verdict};
use crate::i18n::{self, tf, T};
use crate::tui::app::{App, Listed, Pane};
use crate::tui::filter::Filter;

pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let left_w = (area.width / 3).clamp(22, 34);
    let [left, right] = Layout::horizontal([Constraint::Length(left_w), Constraint::Min(20)]).areas(area);
    let [top, bottom] = Layout::vertical([Constraint::Percentage(58), Constraint::Percentage(42)]).areas(right);
    clients(app, f, left);
    tasks(app, f, top);
    flags(app, f, bottom);
}

/// A pane's frame `width` columns wide, its filter (when open) on its bottom border.
pub(super) fn block<'a>(app: &App, pane: Pane, title: String, filter: Option<&Filter>, width: u16) -> PaneFrame<'a> {
    let th = Theme { color: app.color };
    let mut b = PaneFrame::new(Span::styled(format!(" {title} "), th.heading()));
    if app.focus == pane {
        b = b.border_style(th.focused_border());
    }
    if let Some(fl) = filter {
        b = b.title_bottom(filter_title(fl, fl.editing && app.focus == pane, width));
    }
    b
}

/// A pane's title naming its scope, `Tasks · Bloom Florist (4)`, fitted to a pane `width`
/// columns wide: a name too long for it is cut with `…`, and the count is always shown.
pub(super) fn scoped_title(what: &str, scope: &str, n: usize, width: u16) -> String {
    // The two corners and the spaces around the title.
    let room = usize::from(width).saturating_sub(4 + width::of(&format!("{what} ·  ({n})")));
    format!("{what} · {} ({n})", width::truncate(scope, room.max(2)))
}

/// ` /wo▏rds ` on a border `width` columns wide, the cursor where it is while typing: a query
/// longer than the border shows the text around the cursor, `…` where it is cut.
pub(super) fn filter_title(fl: &Filter, typing: bool, width: u16) -> String {
    let query = fl.query();
    // The corners, the spaces around and the slash; the cursor while typing.
    let room = usize::from(width).saturating_sub(5 + usize::from(typing));
    if !typing {
        return format!(" /{} ", width::tail(query, room));
    }
    let at = query
        .char_indices()
        .nth(fl.input.cursor())
        .map_or(query.len(), |(i, _)| i);
    let (before, after) = query.split_at(at);
    let (bw, aw) = (width::of(before), width::of(after));
    if bw + aw <= room {
        return format!(" /{before}▏{after} ");
    }
    // What follows the cursor gets what the text before it leaves, at most half the room.
    let after_room = aw.min(room.saturating_sub(bw.min(room / 2)));
    let before_room = room.saturating_sub(after_room);
    format!(
        " /{}▏{} ",
        width::tail(before, before_room),
        width::truncate(after, after_room)
    )
}

/// One list row: the selection is reversed when its pane has the focus, underlined otherwise.
pub(super) fn row_style(app: &App, pane: Pane, selected: bool) -> Style {
    let th = Theme { color: app.color };
    match (selected, app.focus == pane) {
        (true, true) => th.selected(),
        (true, false) => th.heading(),
        _ => Style::new(),
    }
}

fn clients(app: &App, f: &mut Frame, area: Rect) {
    let th = Theme { color: app.color };
    let l = app.lang;
    // While a filter narrows the list, the title counts what it shows.
    let title = if app.client_filter.is_some() {
        format!(
            "{} ({}/{})",
            T::PaneClients.text(l),
            app.client_rows.len(),
            app.client_count()
        )
    } else {
        format!("{} ({})", T::PaneClients.text(l), app.client_count())
    };
    let b = block(app, Pane::Clients, title, app.client_filter.as_ref(), area.width);
    let inner = b.inner(area);
    f.render_widget(b, area);
    let h = inner.height as usize;
    app.shown.set(Listed::Clients, h);
    let w = inner.width as usize;
    let rows = app.client_rows.len() + 1;
    let start = page_start(app.client_sel, h);
    let mut lines = Vec::with_capacity(h);
    for i in start..rows.min(start + h) {
        let selected = i == app.client_sel;
        let style = row_style(app, Pane::Clients, selected);
        if i == 0 {
            let text = width::pad(&format!("  {}", T::AllClients.text(l)), w);
            lines.push(Line::from(Span::styled(text, style.patch(th.dim()))));
            continue;
        }
        let Some(s) = app.client_rows.get(i - 1).and_then(|&j| app.clients.get(j)) else {
            continue;
        };
        // To do, then delivered (waiting on the client's word), then waiting on material or
        // feedback.
        let (open, delivered) = app.counts_of(s.client.id);
        let mut counts = format!("{open}");
        if delivered > 0 {
            counts.push_str(&format!(" ✓{delivered}"));
        }
        if s.waiting_tasks > 0 {
            counts.push_str(&format!(" ⧗{}", s.waiting_tasks));
        }
        let dot = verdict_dot(app, s.verdict);
        let name_w = w.saturating_sub(width::of(&dot) + width::of(&counts) + 1);
        let mut spans = vec![
            Span::styled(dot, th.verdict(s.verdict)),
            Span::styled(width::pad(&s.client.name, name_w), style),
            Span::styled(format!(" {counts}"), style.patch(th.dim())),
        ];
        if selected {
            spans[0] = spans[0].clone().patch_style(style);
        }
        lines.push(Line::from(spans));
    }
    if app.clients.is_empty() {
        // The only line that may need more than a row.
        lines.push(Line::from(Span::styled(
            app.config.keys.text(T::EmptyClients, l, &[]),
            th.dim(),
        )));
        f.render_widget(
            Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: false }),
            inner,
        );
        return;
    }
    // Each row is cut to the pane's width, never wrapped onto the next client's.
    super::render_lines(f, lines, inner);
}

/// The verdict's dot; without colour, its letter beside it so it still reads.
pub(crate) fn verdict_dot(app: &App, v: Verdict) -> String {
    if app.color.on() {
        "● ".to_string()
    } else {
        format!("●{} ", verdict_letter(v).text(app.lang))
    }
}

pub(crate) fn verdict_letter(v: Verdict) -> T {
    match v {
        Verdict::Healthy => T::VerdictLetterHealthy,
        Verdict::Watch => T::VerdictLetterWatch,
        Verdict::Talk => T::VerdictLetterTalk,
        Verdict::End => T::VerdictLetterEnd,
        Verdict::Screen => T::VerdictLetterScreen,
        Verdict::Decline => T::VerdictLetterDecline,
    }
}

fn waits(t: &Task, l: crate::i18n::Lang) -> String {
    t.waiting_on
        .iter()
        .map(|k| match k {
            RequestKind::Material => T::WaitMaterial.text(l),
            RequestKind::Feedback => T::WaitFeedback.text(l),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn tasks(app: &App, f: &mut Frame, area: Rect) {
    if app.deals.tab != crate::tui::deals::DealTab::Tasks {
        return super::deals::render(app, f, area);
    }
    let th = Theme { color: app.color };
    let l = app.lang;
    let today = app.today();
    let scope = match app.client() {
        Some(c) => c.client.name.clone(),
        None => T::AllClients.text(l).to_string(),
    };
    let title = scoped_title(T::PaneTasks.text(l), &scope, app.tasks.len(), area.width);
    // The filter shares the bottom border with the tabs' strip on its right; on a border too
    // narrow for both, the filter being typed keeps it.
    let mut strip = super::deals::strip(app, area.width);
    let mut room = area
        .width
        .saturating_sub(strip.as_ref().map_or(0, |s| s.width() as u16));
    if app.tasks.filter.is_some() && room < 20 {
        strip = None;
        room = area.width;
    }
    let mut b = block(app, Pane::Tasks, title, app.tasks.filter.as_ref(), room);
    if let Some(strip) = strip {
        b = b.title_bottom(strip);
    }
    let inner = b.inner(area);
    f.render_widget(b, area);
    let h = inner.height as usize;
    app.shown.set(Listed::Tasks, h);
    let w = inner.width as usize;
    let show_client = app.client().is_none();
    let status_w = 10;
    let due_w = 11;
    let client_w = if show_client { (w / 5).clamp(8, 18) } else { 0 };
    let rest_w = w.saturating_sub(status_w + due_w + client_w + 3);
    let start = page_start(app.tasks.selected, h);
    let mut lines = Vec::with_capacity(h);
    for i in start..app.tasks.len().min(start + h) {
        let Some(t) = app.tasks.get(i) else { continue };
        let style = row_style(app, Pane::Tasks, i == app.tasks.selected);
        let overdue = t.status.is_open() && t.due.is_some_and(|d| d < today);
        let due_style = if overdue {
            th.late()
        } else if t.due == Some(today) && t.status.is_open() {
            th.soon()
        } else {
            Style::new()
        };
        let due = t.due.map(|d| i18n::date_rel_col(d, today, l)).unwrap_or_default();
        let closed = matches!(t.status, TaskStatus::Done | TaskStatus::Cancelled);
        let mut spans = vec![
            Span::styled(
                width::pad(t.status.label(l), status_w),
                if closed { th.dim() } else { Style::new() },
            ),
            Span::raw(" "),
            Span::styled(width::pad(&due, due_w), due_style),
            Span::raw(" "),
        ];
        if show_client {
            spans.push(Span::styled(width::pad(&t.client, client_w), th.dim()));
            spans.push(Span::raw(" "));
        }
        // What the task waits on follows its title. On a narrow pane the title keeps at least
        // half the room (the task must stay recognisable), and what it waits on is cut first.
        let w_text = waits(t, l);
        // A repeating task carries its mark.
        let full_title = match &t.every {
            Some(_) => format!("↻ {}", t.title),
            None => t.title.clone(),
        };
        let wait = if w_text.is_empty() {
            String::new()
        } else {
            let room = rest_w.saturating_sub(width::of(&full_title).min(rest_w / 2));
            let wait = format!(" ⧗ {w_text}");
            match room {
                0..=1 => String::new(),
                r if width::of(&wait) > r => width::truncate(&wait, r),
                _ => wait,
            }
        };
        let title = width::truncate(&full_title, rest_w.saturating_sub(width::of(&wait)));
        let fill = rest_w.saturating_sub(width::of(&title) + width::of(&wait));
        spans.push(Span::styled(title, if closed { th.dim() } else { Style::new() }));
        spans.push(Span::styled(wait, th.soon()));
        spans.push(Span::raw(" ".repeat(fill)));
        let spans: Vec<Span> = spans.into_iter().map(|s| s.patch_style(style)).collect();
        lines.push(Line::from(spans));
    }
    if app.tasks.is_empty() {
        // The hint fits where the focus is: `a` adds a task only in the tasks pane.
        // A filter that finds nothing says so, whatever the list holds without it.
        let filtered = app.tasks.filter.as_ref().is_some_and(|f| !f.query().trim().is_empty());
        let hint = match (app.client().is_some(), app.focus) {
            _ if filtered => T::EmptyTasksFiltered,
            (true, Pane::Tasks) => T::EmptyTasks,
            (true, _) => T::EmptyTasksTab,
            (false, _) => T::EmptyTasksAll,
        };
        // While the filter is typed Esc clears it whatever the config says; once kept, the
        // back key in effect does.
        let text = if app.tasks.filter.as_ref().is_some_and(|f| f.editing) && hint == T::EmptyTasksFiltered {
            crate::i18n::tf(l, hint, &[&"Esc"])
        } else {
            app.config.keys.text(hint, l, &[])
        };
        lines.push(Line::from(Span::styled(text, th.dim())));
    }
    super::render_lines(f, lines, inner);
}

fn flags(app: &App, f: &mut Frame, area: Rect) {
    let th = Theme { color: app.color };
    let l = app.lang;
    let today = app.today();
    let (title, verdict) = match (app.client(), &app.assessment) {
        (Some(_), Some(a)) => {
            // Two decimals, as the thresholds are read: 2.98 is never shown as 3.0. On a narrow
            // pane the short form, so that the verdict is never the part cut.
            let args: [&dyn std::fmt::Display; 2] = [&i18n::decimal(a.score, 2, l), &a.verdict.label(l)];
            let long = tf(l, T::PaneFlagsScore, &args);
            let title = if width::of(&long) + 4 <= usize::from(area.width) {
                long
            } else {
                tf(l, T::PaneFlagsScoreShort, &args)
            };
            (title, Some(a.verdict))
        }
        _ => (T::PaneRanking.text(l).to_string(), None),
    };
    let mut b = block(app, Pane::Flags, title, None, area.width);
    if let Some(v) = verdict {
        b = b.title_style(th.verdict(v));
    }
    let inner = b.inner(area);
    f.render_widget(b, area);
    let h = inner.height as usize;
    let w = inner.width as usize;
    let mut lines = Vec::with_capacity(h);
    if app.client().is_none() {
        ranking(app, f, inner);
        return;
    } else if app.flags_total == 0 {
        lines.push(Line::from(Span::styled(T::MsgNoFlags.text(l), th.dim())));
    }
    // The page of the selection, from the window of rows loaded around it.
    app.shown.set(Listed::Flags, h);
    let start = page_start(app.flag_sel, h);
    let shown = || {
        (start..start + h).filter_map(|i| {
            i.checked_sub(app.flags_start)
                .and_then(|j| app.flags.get(j))
                .map(|f| (i, f))
        })
    };
    let widest = shown().map(|(_, f)| width::of(f.kind.label(l))).max().unwrap_or(10);
    for (i, fl) in shown() {
        let style = row_style(app, Pane::Flags, i == app.flag_sel);
        let points = if fl.dismissed {
            "  —  ".to_string()
        } else {
            format!(
                "{:>5}",
                i18n::decimal(app.rules.contribution(fl.kind, fl.at, today), 2, l)
            )
        };
        let src = match fl.source {
            FlagSource::Auto => T::SourceAutoShort.text(l),
            FlagSource::Manual => "",
        };
        let date = i18n::date_col(fl.at, today, l);
        let label_w = widest.min(w.saturating_sub(5 + 1 + 11 + 5 + 1));
        let rest = w.saturating_sub(5 + 1 + label_w + 1 + 11 + 5);
        let note = if fl.dismissed {
            T::Dismissed.text(l).to_string()
        } else {
            crate::describe::flag_note(fl, today, l)
        };
        let base = if fl.dismissed { th.dim() } else { Style::new() };
        let spans = vec![
            Span::styled(points, base),
            Span::raw(" "),
            Span::styled(width::pad(fl.kind.label(l), label_w), base),
            Span::raw(" "),
            Span::styled(width::pad(&date, 11), th.dim()),
            Span::styled(width::pad(src, 5), th.dim()),
            // A note with no room for a word is left out rather than shown as a lone "…".
            Span::styled(
                if rest >= 6 {
                    width::truncate_words(&note, rest)
                } else {
                    String::new()
                },
                th.dim(),
            ),
        ];
        lines.push(Line::from(
            spans.into_iter().map(|s| s.patch_style(style)).collect::<Vec<_>>(),
        ));
    }
    super::render_lines(f, lines, inner);
}

/// "All clients": every client ranked by score, worst first, with its verdict.
fn ranking(app: &App, f: &mut Frame, area: Rect) {
    let th = Theme { color: app.color };
    let l = app.lang;
    let w = area.width as usize;
    let mut lines = Vec::new();
    // The page of the ranking that holds its selection.
    let h = area.height as usize;
    app.shown.set(Listed::Ranking, h);
    let sel = app.rank_sel.min(app.clients.len().saturating_sub(1));
    let start = page_start(sel, h);
    let shown: Vec<_> = app.ranking_top(start + h).into_iter().skip(start).collect();
    // The column is as wide as the widest verdict shown: a long one further down the list
    // ("evaluar con cautela") does not take the names' room.
    let verdict_w = shown.iter().map(|c| width::of(c.verdict.label(l))).max().unwrap_or(0);
    for (i, s) in shown.into_iter().enumerate() {
        let style = row_style(app, Pane::Flags, start + i == sel);
        let dot = verdict_dot(app, s.verdict);
        let score = format!("{:>6} ", i18n::decimal(s.score, 2, l));
        let verdict = s.verdict.label(l);
        let name_w = w.saturating_sub(width::of(&dot) + width::of(&score) + verdict_w + 1);
        let mut dot = Span::styled(dot, th.verdict(s.verdict));
        if start + i == sel {
            dot = dot.patch_style(style);
        }
        lines.push(Line::from(vec![
            dot,
            Span::styled(width::pad(&s.client.name, name_w), style),
            Span::styled(score, style),
            Span::styled(
                format!("{} ", width::pad(verdict, verdict_w)),
                th.verdict(s.verdict).patch(style),
            ),
        ]));
    }
    if lines.is_empty() {
        lines.push(Line::from(Span::styled(T::FlagsPickClient.text(l), th.dim())));
    }
    super::render_lines(f, lines, area);
}

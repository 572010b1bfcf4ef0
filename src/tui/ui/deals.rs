//! The tasks pane's quotes, meetings and time tabs of the selected client, and the strip of tabs
//! on the pane's lower border.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::Frame;

use super::desk::{block, row_style};
use super::page_start;
use super::theme::Theme;
use crate::domain::money::{hours_text, TimeEntry};
use crate::domain::text::width;
use crate::domain::{dates, Attendance, QuoteStatus};
use crate::i18n::{self, T};
use crate::tui::app::{App, Listed, Pane};
use crate::tui::deals::{amount, when, DealTab};

/// The tabs with their counts, the shown one marked; only with a client selected. On a pane
/// `width` columns wide that cannot hold them all, the other tabs shrink to the shortest
/// beginning that tells them apart (`Ti` for Tiempo beside Tareas), and
/// then go: the shown tab is always whole (a right-aligned strip too wide is cut on its left).
pub fn strip(app: &App, width: u16) -> Option<Line<'static>> {
    let th = Theme { color: app.color };
    let l = app.lang;
    app.client()?;
    let room = usize::from(width.saturating_sub(2));
    /// How the tabs not shown are written.
    #[derive(Clone, Copy)]
    enum Others {
        Named,
        Initial,
        Left,
    }
    let line = |others: Others| {
        let mut spans = vec![Span::raw(" ")];
        for tab in DealTab::ALL.iter() {
            let shown = *tab == app.deals.tab;
            let n = match tab {
                DealTab::Tasks => app.tasks.len(),
                DealTab::Quotes => app.deals.quote_count,
                DealTab::Meetings => app.deals.meeting_count,
                DealTab::Time => app.deals.time_count,
            };
            let name = tab.title().text(l);
            let text = match others {
                _ if shown => format!("[{name} {n}]"),
                Others::Named => format!("{name} {n}"),
                Others::Initial => format!("{} {n}", shortest_unique(name, l)),
                Others::Left => continue,
            };
            if spans.len() > 1 {
                spans.push(Span::styled(" · ", th.dim()));
            }
            spans.push(Span::styled(text, if shown { th.heading() } else { th.dim() }));
        }
        spans.push(Span::raw(" "));
        Line::from(spans).right_aligned()
    };
    [Others::Named, Others::Initial]
        .into_iter()
        .map(line)
        .find(|s| s.width() <= room)
        .or_else(|| Some(line(Others::Left)))
}

/// A tab's name cut to its shortest beginning no other tab's name shares in this language
/// (Tareas and Tiempo: `Ta`, `Ti`; Presupuestos: `P`).
fn shortest_unique(name: &str, l: i18n::Lang) -> String {
    let chars: Vec<char> = name.chars().collect();
    let others: Vec<Vec<char>> = DealTab::ALL
        .iter()
        .map(|t| t.title().text(l))
        .filter(|other| *other != name)
        .map(|other| other.chars().collect())
        .collect();
    let k = (1..=chars.len())
        .find(|&k| others.iter().all(|o| o.get(..k) != chars.get(..k)))
        .unwrap_or(chars.len());
    chars[..k].iter().collect()
}

pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let l = app.lang;
    let scope = app.client().map(|c| c.client.name.clone()).unwrap_or_default();
    let n = match app.deals.tab {
        DealTab::Quotes => app.deals.quote_count,
        DealTab::Time => app.deals.time_count,
        _ => app.deals.meeting_count,
    };
    let title = super::desk::scoped_title(app.deals.tab.title().text(l), &scope, n, area.width);
    let mut b = block(app, Pane::Tasks, title, None, area.width);
    if let Some(s) = strip(app, area.width) {
        b = b.title_bottom(s);
    }
    let inner = b.inner(area);
    f.render_widget(b, area);
    let lines = match app.deals.tab {
        DealTab::Quotes => quotes(app, inner),
        DealTab::Time => times(app, inner),
        _ => meetings(app, inner),
    };
    super::render_lines(f, lines, inner);
}

/// A tab's empty-state sentence, wrapped at words to the pane (it was cut on a narrow one).
fn empty_lines(text: &str, w: usize, style: ratatui::style::Style) -> Vec<Line<'static>> {
    super::popup::wrap_words(text, w)
        .into_iter()
        .map(|part| Line::from(Span::styled(part, style)))
        .collect()
}

fn quotes(app: &App, area: Rect) -> Vec<Line<'static>> {
    let th = Theme { color: app.color };
    let l = app.lang;
    let today = app.today();
    let h = area.height as usize;
    let w = area.width as usize;
    let d = &app.deals;
    if d.quotes.is_empty() {
        return empty_lines(&app.config.keys.text(T::EmptyQuotes, l, &[]), w, th.dim());
    }
    let amounts: Vec<String> = d.quotes.iter().map(|q| amount(app, q)).collect();
    let amount_w = amounts.iter().map(|a| width::of(a)).max().unwrap_or(8);
    let status_w = [QuoteStatus::Pending, QuoteStatus::Accepted, QuoteStatus::Rejected]
        .iter()
        .map(|s| width::of(s.label(l)))
        .max()
        .unwrap_or(10);
    // The dates as the column writes them (another year's day without its weekday, so its
    // year is never cut); the column is as wide as the widest, ten cells at least.
    let sent: Vec<String> = d
        .quotes
        .iter()
        .map(|q| i18n::date_rel_col(q.sent_on, today, l))
        .collect();
    let answers: Vec<String> = d
        .quotes
        .iter()
        .map(|q| i18n::date_rel_col(q.answer_by, today, l))
        .collect();
    let date_w = sent
        .iter()
        .chain(&answers)
        .map(|s| width::of(s))
        .max()
        .unwrap_or(0)
        .max(10);
    let nudge_w = 3;
    // Where there is room: the sent date, and the status beside the answer date. Where there
    // is not, an answered quote shows its status in place of the date it was awaited by.
    let fixed = |sent: bool, status: bool| {
        amount_w + 1 + date_w + 1 + nudge_w + if status { status_w + 1 } else { 0 } + if sent { date_w + 3 } else { 0 }
    };
    const MIN_DESC: usize = 16;
    let show_status = w >= fixed(false, true) + MIN_DESC;
    let show_sent = show_status && w >= fixed(true, true) + MIN_DESC + 8;
    let answered_w = [QuoteStatus::Accepted, QuoteStatus::Rejected]
        .iter()
        .map(|s| width::of(s.label(l)))
        .max()
        .unwrap_or(10);
    let answer_w = if show_status { date_w } else { date_w.max(answered_w) };
    let desc_w = w.saturating_sub(fixed(show_sent, show_status) + answer_w - date_w + 1);
    app.shown.set(Listed::Quotes, h);
    let start = page_start(d.quote_sel, h);
    let mut lines = Vec::with_capacity(h);
    for (i, q) in d.quotes.iter().enumerate().skip(start).take(h) {
        let style = row_style(app, Pane::Tasks, i == d.quote_sel);
        let pending = q.status == QuoteStatus::Pending;
        let base = if pending { Style::new() } else { th.dim() };
        let answer_style = if pending && q.answer_by < today {
            th.late()
        } else if pending && q.answer_by == today {
            th.soon()
        } else {
            base
        };
        let desc = if q.description.is_empty() {
            "—".to_string()
        } else {
            q.description.lines().next().unwrap_or_default().to_string()
        };
        let nudges = if q.nudges > 0 {
            format!("✉{}", q.nudges)
        } else {
            String::new()
        };
        let mut spans = vec![
            Span::styled(format!("{:>amount_w$} ", amounts[i]), base),
            Span::styled(width::pad(&width::truncate(&desc, desc_w), desc_w), base),
            Span::raw(" "),
        ];
        if show_sent {
            spans.push(Span::styled(width::pad(&sent[i], date_w), th.dim()));
            spans.push(Span::styled(" → ", th.dim()));
        }
        let answer = if show_status || pending {
            answers[i].as_str()
        } else {
            q.status.label(l)
        };
        spans.push(Span::styled(width::pad(answer, answer_w), answer_style));
        spans.push(Span::raw(" "));
        if show_status {
            spans.push(Span::styled(width::pad(q.status.label(l), status_w), base));
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(width::pad(&nudges, nudge_w), th.soon()));
        lines.push(Line::from(
            spans.into_iter().map(|s| s.patch_style(style)).collect::<Vec<_>>(),
        ));
    }
    lines
}

fn meetings(app: &App, area: Rect) -> Vec<Line<'static>> {
    let th = Theme { color: app.color };
    let l = app.lang;
    let today = app.today();
    let h = area.height as usize;
    let w = area.width as usize;
    let d = &app.deals;
    if d.meetings.is_empty() {
        return empty_lines(&app.config.keys.text(T::EmptyMeetings, l, &[]), w, th.dim());
    }
    let whens: Vec<String> = d.meetings.iter().map(|m| when(m, today, l)).collect();
    let when_w = whens.iter().map(|s| width::of(s)).max().unwrap_or(16);
    let len_w = 5;
    let attendance: Vec<String> = d.meetings.iter().map(|m| m.attendance_short(l)).collect();
    let att_w = attendance.iter().map(|a| width::of(a)).max().unwrap_or(10).min(16);
    let kind_w = w.saturating_sub(when_w + 1 + len_w + 1 + att_w + 1);
    app.shown.set(Listed::Meetings, h);
    let start = page_start(d.meeting_sel, h);
    let mut lines = Vec::with_capacity(h);
    for (i, m) in d.meetings.iter().enumerate().skip(start).take(h) {
        let style = row_style(app, Pane::Tasks, i == d.meeting_sel);
        let past = m.at < app.now;
        let unrecorded = past && m.attendance == Attendance::Pending;
        let when_style = if m.at.date() == today { th.soon() } else { Style::new() };
        let att_style = match m.attendance {
            _ if unrecorded => th.late(),
            Attendance::NoShow | Attendance::Late => th.late(),
            Attendance::Pending | Attendance::Cancelled => th.dim(),
            Attendance::OnTime => Style::new(),
        };
        let length = m.length_min.map(dates::format_duration).unwrap_or_default();
        let spans = vec![
            Span::styled(width::pad(&whens[i], when_w), when_style),
            Span::raw(" "),
            Span::raw(width::pad(&width::truncate(m.kind.label(l), kind_w), kind_w)),
            Span::raw(" "),
            Span::styled(format!("{:>len_w$}", length), th.dim()),
            Span::raw(" "),
            Span::styled(width::pad(&width::truncate(&attendance[i], att_w), att_w), att_style),
        ];
        lines.push(Line::from(
            spans.into_iter().map(|s| s.patch_style(style)).collect::<Vec<_>>(),
        ));
    }
    lines
}

/// The client's time entries, newest first: when, how long, billable or not (and billed),
/// then the task and the note in what room is left.
fn times(app: &App, area: Rect) -> Vec<Line<'static>> {
    let th = Theme { color: app.color };
    let l = app.lang;
    let today = app.today();
    let h = area.height as usize;
    let w = area.width as usize;
    let d = &app.deals;
    if d.times.is_empty() {
        return empty_lines(&app.config.keys.text(T::EmptyTime, l, &[]), w, th.dim());
    }
    app.shown.set(Listed::Time, h);
    let start = page_start(d.time_sel, h);
    let shown: Vec<&TimeEntry> = d.times.iter().skip(start).take(h).collect();
    let whens: Vec<String> = shown.iter().map(|e| i18n::stored_when(&e.start, today, l)).collect();
    let when_w = whens.iter().map(|s| width::of(s)).max().unwrap_or(0);
    let running = T::TimerRunningWord.text(l);
    let lengths: Vec<String> = shown
        .iter()
        .map(|e| {
            e.minutes
                .map_or_else(|| running.to_string(), |m| hours_text(u64::from(m)))
        })
        .collect();
    let len_w = lengths.iter().map(|s| width::of(s)).max().unwrap_or(0);
    let (billable, unbilled) = (T::MonthBillable.text(l), T::MonthUnbilled.text(l));
    let kind_w = width::of(billable).max(width::of(unbilled));
    let billed = T::TimeBilledMark.text(l);
    let billed_w = if shown.iter().any(|e| e.billed_on.is_some()) {
        width::of(billed) + 1
    } else {
        0
    };
    let what_w = w.saturating_sub(when_w + 1 + len_w + 1 + kind_w + billed_w + 1);
    let mut lines = Vec::with_capacity(h);
    for (k, e) in shown.iter().enumerate() {
        let i = start + k;
        let style = row_style(app, Pane::Tasks, i == d.time_sel);
        let mut what = e.task_title.clone().unwrap_or_else(|| "—".into());
        if !e.note.is_empty() {
            what = format!("{what} · {}", e.note);
        }
        let mut spans = vec![
            Span::raw(width::pad(&whens[k], when_w)),
            Span::raw(" "),
            Span::styled(
                width::pad_left(&lengths[k], len_w),
                if e.minutes.is_none() { th.soon() } else { Style::new() },
            ),
            Span::raw(" "),
            Span::styled(
                width::pad(if e.billable { billable } else { unbilled }, kind_w),
                if e.billable { Style::new() } else { th.dim() },
            ),
        ];
        if billed_w > 0 {
            let mark = if e.billed_on.is_some() { billed } else { "" };
            spans.push(Span::raw(" "));
            spans.push(Span::styled(width::pad(mark, billed_w - 1), th.dim()));
        }
        spans.push(Span::raw(" "));
        spans.push(Span::raw(width::pad(&width::truncate(&what, what_w), what_w)));
        lines.push(Line::from(
            spans.into_iter().map(|s| s.patch_style(style)).collect::<Vec<_>>(),
        ));
    }
    lines
}

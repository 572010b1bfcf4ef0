//! The Month view: every client's month at a glance. Per client, three rows: the name, the
//! amount and the effective rate (red below the VA's minimum) on the left; billable and
//! unbilled hours as bars, and the retainer as a gauge, on the right. Bars share one scale, so
//! clients compare at a glance.

use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Gauge, Paragraph, Wrap};
use ratatui::Frame;

use super::page_start;
use super::pane::PaneFrame;
use super::theme::Theme;
use crate::domain::money::{cents_from_f64, format_cents, hours_text, retainer_near};
use crate::domain::text::width;
use crate::i18n::{tf, T};
use crate::store::MonthLine;
use crate::tui::app::{App, Listed};
use crate::tui::time_actions::month_name;

/// Rows each client takes.
const ROWS: u16 = 3;

pub fn render(app: &App, f: &mut Frame, area: Rect) {
    let th = Theme { color: app.color };
    let l = app.lang;
    let m = &app.money;
    let title = format!(" ‹ {} › ", month_name(m.month, l));
    let block = PaneFrame::new(Span::styled(title, th.heading())).border_style(th.focused_border());
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.height < 2 || inner.width < 20 {
        return;
    }
    let min_rate = app.config.min_rate.and_then(cents_from_f64);
    let worked = |x: &MonthLine| x.totals.billable_minutes + x.totals.unbilled_minutes + x.totals.quote_prep_minutes;
    // A month without time says so, and how to track some; a retainer's fee still shows below.
    let empty = m.lines.iter().all(|x| worked(x) == 0);
    let head_line = (!empty).then(|| summary(app, min_rate));
    // The month's totals on one line, or two when the terminal is narrower than they are.
    let head_h = match &head_line {
        None => 3,
        Some(line) if line.width() > usize::from(inner.width) => 2,
        Some(_) => 1,
    };
    let [head, body] = Layout::vertical([Constraint::Length(head_h), Constraint::Min(1)]).areas(inner);
    if empty {
        let text = vec![
            Line::from(Span::styled(
                tf(l, T::MonthNoTime, &[&month_name(m.month, l)]),
                th.heading(),
            )),
            Line::from(Span::styled(app.config.keys.text(T::MonthEmpty, l, &[]), th.dim())),
        ];
        f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), head);
        if m.lines.is_empty() {
            return;
        }
    } else if let Some(line) = head_line {
        f.render_widget(Paragraph::new(line).wrap(Wrap { trim: true }), head);
    }
    // One scale for every client's bars.
    let scale = m
        .lines
        .iter()
        .map(|x| {
            x.totals
                .billable_minutes
                .max(x.totals.unbilled_minutes + x.totals.quote_prep_minutes)
        })
        .max()
        .unwrap_or(0)
        .max(60);
    let per_page = (body.height / ROWS).max(1) as usize;
    app.shown.set(Listed::Month, per_page);
    let start = page_start(m.sel, per_page);
    let left_w = (body.width / 3).clamp(20, 36);
    for (row, (i, line)) in m.lines.iter().enumerate().skip(start).take(per_page).enumerate() {
        let r = Rect {
            x: body.x,
            y: body.y + row as u16 * ROWS,
            width: body.width,
            height: ROWS.min(body.height.saturating_sub(row as u16 * ROWS)),
        };
        client(app, f, r, left_w, line, i == m.sel, scale, min_rate);
    }
}

/// The month's totals over every client, and the minimum rate the effective rates meet.
fn summary(app: &App, min_rate: Option<i64>) -> Line<'static> {
    let th = Theme { color: app.color };
    let l = app.lang;
    let lines = &app.money.lines;
    let billable: u64 = lines.iter().map(|x| x.totals.billable_minutes).sum();
    let unbilled: u64 = lines
        .iter()
        .map(|x| x.totals.unbilled_minutes + x.totals.quote_prep_minutes)
        .sum();
    let mut spans = vec![
        Span::styled(
            format!("{} {}", T::MonthBillable.text(l), hours_text(billable)),
            th.billable(),
        ),
        Span::raw(" · "),
        Span::styled(
            format!("{} {}", T::MonthUnbilled.text(l), hours_text(unbilled)),
            th.unbilled(),
        ),
    ];
    // An amount in one currency adds up; several currencies are not summed.
    if let Some(first) = lines.first() {
        if lines.iter().all(|x| x.currency == first.currency) {
            let total: i64 = lines.iter().map(|x| x.totals.earned_cents).sum();
            spans.push(Span::raw(" · "));
            spans.push(Span::styled(format_cents(total, first.currency, l), th.heading()));
        }
    }
    // The minimum is in the default currency, whatever the clients' are.
    match (min_rate, lines.first()) {
        (Some(min), Some(_)) => {
            spans.push(Span::raw(" · "));
            spans.push(Span::styled(
                tf(l, T::MonthMinimum, &[&format_cents(min, default_currency(app), l)]),
                th.dim(),
            ));
        }
        // Without a minimum the rates cannot be judged: say how to set one.
        (None, Some(_)) => {
            spans.push(Span::raw(" · "));
            spans.push(Span::styled(T::MonthNoMinimum.text(l), th.dim()));
        }
        _ => {}
    }
    Line::from(spans)
}

/// The VA's default currency, the minimum rate's.
fn default_currency(app: &App) -> iso_currency::Currency {
    app.config.money.currency_or_default(None)
}

#[allow(clippy::too_many_arguments)]
fn client(
    app: &App,
    f: &mut Frame,
    r: Rect,
    left_w: u16,
    line: &MonthLine,
    selected: bool,
    scale: u64,
    min_rate: Option<i64>,
) {
    let th = Theme { color: app.color };
    let l = app.lang;
    let t = &line.totals;
    let cur = line.currency;
    let [left, right] = Layout::horizontal([Constraint::Length(left_w), Constraint::Min(10)])
        .spacing(1)
        .areas(r);
    let lw = left.width as usize;
    let name_style = if selected {
        th.selected().add_modifier(ratatui::style::Modifier::BOLD)
    } else {
        th.heading()
    };
    let marker = if selected { "▸ " } else { "  " };
    let rate = match t.effective_rate_cents {
        Some(rate) => {
            // A client billed in another currency is not judged against the minimum.
            let below = min_rate.is_some_and(|min| rate < min) && cur == default_currency(app);
            let text = format!("{}/h", format_cents(rate, cur, l));
            if below {
                let min = min_rate.map(|m| format_cents(m, cur, l)).unwrap_or_default();
                Span::styled(width::truncate(&format!("{text} < {min}"), lw - 2), th.late())
            } else {
                Span::raw(width::truncate(&text, lw - 2))
            }
        }
        None => Span::styled("—", th.dim()),
    };
    let left_lines = vec![
        Line::from(Span::styled(
            width::pad(&format!("{marker}{}", width::truncate(&line.client.name, lw - 2)), lw),
            name_style,
        )),
        Line::from({
            let mut spans = vec![
                Span::raw("  "),
                Span::styled(format_cents(t.earned_cents, cur, l), th.heading()),
            ];
            // Part of it invoiced already: what is left, as the statement says, where it fits.
            // Corrected below what was invoiced: what is owed back, as the statement says.
            if t.amount_cents != t.earned_cents {
                let (word, amount) = match t.amount_cents {
                    a if a < 0 => (T::MonthOwedBack, -a),
                    a => (T::MonthToInvoice, a),
                };
                let due = format!(" · {} {}", format_cents(amount, cur, l), word.text(l));
                // Where the words do not fit, the amount alone (signed when owed back).
                let short = format!(" · {}", format_cents(t.amount_cents, cur, l));
                let used = 2 + width::of(&format_cents(t.earned_cents, cur, l));
                // A column free before the bars, as the other lines keep.
                if let Some(text) = [due, short].into_iter().find(|d| used + width::of(d) < lw) {
                    spans.push(Span::styled(text, th.dim()));
                }
            }
            spans
        }),
        Line::from(vec![Span::raw("  "), rate]),
    ];
    f.render_widget(Paragraph::new(left_lines), left);

    let [bars, gauge] = Layout::vertical([Constraint::Length(2), Constraint::Length(1)]).areas(right);
    let unbilled = t.unbilled_minutes + t.quote_prep_minutes;
    // The hours belong to the label, so the bar starts after a space and never runs into
    // them, whatever its length.
    // Labels of one width on every client's rows (the hours right-aligned, up to a month's
    // 744h 00m), so that every bar starts in one column.
    let label_w = width::of(T::MonthBillable.text(l)).max(width::of(T::MonthUnbilled.text(l)));
    let bar = |label: T, minutes: u64, style: Style| {
        Bar::default()
            .label(Line::from(format!(
                "{} {:>8}",
                width::pad(label.text(l), label_w),
                hours_text(minutes)
            )))
            .value(minutes)
            .text_value(String::new())
            .style(style)
            .value_style(style.add_modifier(ratatui::style::Modifier::REVERSED))
    };
    let chart = BarChart::default()
        .direction(Direction::Horizontal)
        .bar_width(1)
        .bar_gap(0)
        .max(scale)
        .data(BarGroup::default().bars(&[
            bar(T::MonthBillable, t.billable_minutes, th.billable()),
            bar(T::MonthUnbilled, unbilled, th.unbilled()),
        ]));
    f.render_widget(chart, bars);
    match line.client.retainer_min.filter(|_| t.retainer_minutes > 0) {
        Some(included) => {
            let included = included as u64;
            // What counts against the retainer: billable time as billed (each entry rounded
            // up to the increment), as the overage is charged.
            let used = t.billed_minutes;
            let ratio = (used as f64 / included as f64).clamp(0.0, 1.0);
            let style = if used > included {
                th.late()
            } else if retainer_near(used, included) {
                th.soon()
            } else {
                th.billable()
            };
            let label = tf(
                l,
                T::MonthRetainerGauge,
                &[&hours_text(used), &hours_text(included), &(used * 100 / included)],
            );
            f.render_widget(
                Gauge::default()
                    .ratio(ratio)
                    .label(Span::styled(label, th.heading()))
                    .gauge_style(style)
                    .use_unicode(true),
                gauge,
            );
        }
        None => {
            let text = match line.client.rate_cents {
                Some(rate) => tf(l, T::MonthRateLine, &[&format_cents(rate, cur, l)]),
                None => T::MonthNoRate.text(l).to_string(),
            };
            f.render_widget(Paragraph::new(Span::styled(text, th.dim())), gauge);
        }
    }
}

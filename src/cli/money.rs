//! `time` and `statement`: the timer, logged time, and a client's month in text, JSON or CSV.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::output::{print_json, print_list, table, Listing};
use super::run::Context;
use super::TimeCmd;
use crate::domain::money::{format_cents, hours_text, Month, MonthTotals, TimeEntry};
use crate::domain::{dates, text::width};
use crate::error::{Error, Result};
use crate::i18n::{tf, T};
use crate::store::{Statement, StopAt, Store, TimeEdit};

fn month_arg(m: Option<&str>, ctx: &Context) -> Result<Month> {
    match m {
        Some(m) => Month::parse(m),
        None => Ok(Month::of(ctx.today())),
    }
}

pub fn time(cmd: TimeCmd, ctx: &Context, store: &mut Store, out: &mut dyn Write) -> Result<()> {
    let l = ctx.lang;
    match cmd {
        TimeCmd::Start {
            task_id,
            client,
            unbilled,
            note,
        } => {
            let client_id = store.client_id_named(client.as_deref())?;
            let (id, stopped) =
                store.start_timer(client_id, task_id, !unbilled, note.as_deref().unwrap_or(""), ctx.now)?;
            writeln!(out, "{id}")?;
            match stopped {
                Some(s) if s.minutes.unwrap_or(0) == 0 => {
                    let what = s.task_title.clone().unwrap_or_else(|| s.client.clone());
                    eprintln!("{}", tf(l, T::TimerDiscarded, &[&what]));
                }
                Some(s) => eprintln!("{}", tf(l, T::MsgTimerStoppedBefore, &[&s.id, &s.minutes.unwrap_or(0)])),
                None => {}
            }
        }
        TimeCmd::Stop { at, keep } => {
            let how = match (at, keep) {
                (Some(a), _) => {
                    let start = store.running_timer()?.map_or(ctx.now, |e| e.start_at());
                    StopAt::At(dates::parse_end(&a, start, ctx.now)?)
                }
                (None, true) => StopAt::Keep,
                (None, false) => StopAt::Now,
            };
            let e = store.stop_timer(how, ctx.now)?;
            let what = e.task_title.clone().unwrap_or_else(|| e.client.clone());
            if e.minutes.unwrap_or(0) == 0 {
                writeln!(out, "{}", tf(l, T::TimerDiscarded, &[&what]))?;
            } else {
                writeln!(
                    out,
                    "{}",
                    tf(l, T::MsgTimerStopped, &[&e.id, &what, &e.minutes.unwrap_or(0)])
                )?;
            }
        }
        TimeCmd::Log {
            first,
            duration,
            client,
            on,
            unbilled,
            note,
        } => {
            let (task_id, duration) = match (&client, duration) {
                (Some(_), None) => (None, first),
                (None, Some(d)) => (
                    Some(
                        first
                            .trim()
                            .parse::<i64>()
                            .map_err(|_| Error::invalid(T::ErrTimeArgs, &[]))?,
                    ),
                    d,
                ),
                _ => return Err(Error::invalid(T::ErrTimeArgs, &[])),
            };
            let minutes = dates::parse_duration(&duration)?;
            let client_id = store.client_id_named(client.as_deref())?;
            let start = match on.as_deref() {
                Some(w) => dates::parse_when(w, ctx.now)?,
                None => dates::worked_until(ctx.now, minutes),
            };
            let id = store.log_time(
                client_id,
                task_id,
                start,
                minutes,
                !unbilled,
                note.as_deref().unwrap_or(""),
            )?;
            writeln!(out, "{id}")?;
        }
        TimeCmd::Edit {
            id,
            duration,
            on,
            billable,
            unbilled,
            note,
            task,
            force,
        } => {
            let edit = TimeEdit {
                // `--minutes 70` is 70 minutes: a bare number is what the flag's name asks for.
                minutes: duration
                    .as_deref()
                    .map(|d| match d.trim() {
                        n if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
                            dates::parse_duration(&format!("{n}m"))
                        }
                        _ => dates::parse_duration(d),
                    })
                    .transpose()?,
                start: on.as_deref().map(|w| dates::parse_when(w, ctx.now)).transpose()?,
                billable: if billable {
                    Some(true)
                } else if unbilled {
                    Some(false)
                } else {
                    None
                },
                note,
                task,
            };
            store.edit_time(id, edit, force)?;
            writeln!(out, "{}", tf(l, T::MsgTimeSaved, &[&id]))?;
        }
        TimeCmd::Delete { id, force } => {
            if store.delete_time(id, force)? {
                let on = store.time_entry(id)?.billed_on.unwrap_or(ctx.today());
                let on = crate::i18n::date(on, ctx.today(), l);
                writeln!(out, "{}", tf(l, T::MsgTimeEmptied, &[&id, &on]))?;
            } else {
                writeln!(out, "{}", tf(l, T::MsgTimeDeleted, &[&id]))?;
            }
        }
        TimeCmd::List {
            client,
            task,
            month,
            json: as_json,
        } => {
            let client_id = store.client_id_named(client.as_deref())?;
            if let Some(t) = task {
                store.task(t)?;
            }
            let month = month.as_deref().map(Month::parse).transpose()?;
            let list = store.list_time(client_id, task, month)?;
            let listing = Listing {
                empty: T::MsgNoTime,
                headers: &[
                    T::HId,
                    T::HStart,
                    T::HClientCol,
                    T::HTask,
                    T::HMinutes,
                    T::HBillable,
                    T::HBilledOn,
                    T::HEntryNote,
                ],
            };
            print_list(out, l, as_json, &list, TimeEntry::clone, listing, |e| {
                entry_row(e, l, ctx.today())
            })?;
        }
    }
    Ok(())
}

fn billable_word(b: bool, l: crate::i18n::Lang) -> &'static str {
    if b {
        T::MonthBillable.text(l)
    } else {
        T::MonthUnbilled.text(l)
    }
}

/// A month as people name it: "November 2026" / "noviembre de 2026".
fn month_text(m: Month, l: crate::i18n::Lang) -> String {
    crate::i18n::month_year(m.year, m.month, l)
}

fn entry_row(e: &TimeEntry, l: crate::i18n::Lang, today: chrono::NaiveDate) -> Vec<String> {
    vec![
        e.id.to_string(),
        crate::i18n::stored_when(&e.start, today, l),
        e.client.clone(),
        e.task
            .map(|t| format!("#{t} {}", e.task_title.clone().unwrap_or_default()))
            .unwrap_or_default(),
        e.minutes
            .map(|m| m.to_string())
            .unwrap_or_else(|| T::MsgRunning.text(l).to_string()),
        billable_word(e.billable, l).to_string(),
        e.billed_on.map(|d| crate::i18n::date(d, today, l)).unwrap_or_default(),
        e.note.clone(),
    ]
}

pub struct StatementArgs {
    pub client: Option<String>,
    pub all: bool,
    pub month: Option<String>,
    pub json: bool,
    pub csv: bool,
    pub file: Option<PathBuf>,
    pub mark_billed: bool,
    pub force: bool,
}

#[derive(Serialize)]
struct EntryJson {
    id: i64,
    date: String,
    task: Option<i64>,
    minutes: u32,
    billed_minutes: u32,
    /// Billed: its minutes as they were invoiced.
    invoiced_minutes: Option<u32>,
    billable: bool,
    note: String,
}

#[derive(Serialize)]
struct StatementJson {
    client: String,
    month: String,
    currency: String,
    rate_cents: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    entries: Option<Vec<EntryJson>>,
    billable_minutes: u64,
    billed_minutes: u64,
    unbilled_minutes: u64,
    quote_prep_minutes: u64,
    retainer_minutes: u64,
    overage_minutes: u64,
    amount_cents: i64,
    effective_rate_cents: Option<i64>,
    terms_billed_on: Option<String>,
}

fn statement_json(
    client: &str,
    month: Month,
    cur: iso_currency::Currency,
    rate: Option<i64>,
    t: &MonthTotals,
    terms_billed_on: Option<chrono::NaiveDate>,
) -> StatementJson {
    StatementJson {
        terms_billed_on: terms_billed_on.map(|d| d.format("%Y-%m-%d").to_string()),
        client: client.to_string(),
        month: month.key(),
        currency: cur.code().to_string(),
        rate_cents: rate,
        entries: None,
        billable_minutes: t.billable_minutes,
        billed_minutes: t.billed_minutes,
        unbilled_minutes: t.unbilled_minutes,
        quote_prep_minutes: t.quote_prep_minutes,
        retainer_minutes: t.retainer_minutes,
        overage_minutes: t.overage_minutes,
        amount_cents: t.amount_cents,
        effective_rate_cents: t.effective_rate_cents,
    }
}

pub fn statement(a: StatementArgs, ctx: &Context, store: &mut Store, out: &mut dyn Write) -> Result<()> {
    let l = ctx.lang;
    let month = month_arg(a.month.as_deref(), ctx)?;
    if let Some(f) = &a.file {
        check_target(f, store.path(), a.force)?;
    }
    let mut buf: Vec<u8> = Vec::new();
    if a.all {
        let lines = store.month_lines(month)?;
        if a.json {
            #[derive(Serialize)]
            struct All {
                month: String,
                clients: Vec<StatementJson>,
            }
            let clients = lines
                .iter()
                .map(|x| {
                    statement_json(
                        &x.client.name,
                        month,
                        x.currency,
                        x.client.rate_cents,
                        &x.totals,
                        x.terms_billed_on,
                    )
                })
                .collect();
            print_json(
                &mut buf,
                &All {
                    month: month.key(),
                    clients,
                },
            )?;
        } else if a.csv {
            let mut w = csv::Writer::from_writer(&mut buf);
            w.write_record([
                "client",
                "month",
                "currency",
                "billable_minutes",
                "billed_minutes",
                "unbilled_minutes",
                "quote_prep_minutes",
                "retainer_minutes",
                "overage_minutes",
                "amount_cents",
                "effective_rate_cents",
            ])
            .map_err(csv_err)?;
            for x in &lines {
                let t = &x.totals;
                w.write_record([
                    sheet_text(&x.client.name),
                    month.key(),
                    x.currency.code().to_string(),
                    t.billable_minutes.to_string(),
                    t.billed_minutes.to_string(),
                    t.unbilled_minutes.to_string(),
                    t.quote_prep_minutes.to_string(),
                    t.retainer_minutes.to_string(),
                    t.overage_minutes.to_string(),
                    t.amount_cents.to_string(),
                    t.effective_rate_cents.map(|c| c.to_string()).unwrap_or_default(),
                ])
                .map_err(csv_err)?;
            }
            w.flush()?;
        } else {
            writeln!(buf, "{}", tf(l, T::StAllTitle, &[&month_text(month, l)]))?;
            if lines.is_empty() {
                writeln!(buf, "{}", T::MsgNoTime.text(l))?;
            } else {
                let rows: Vec<Vec<String>> = lines
                    .iter()
                    .map(|x| {
                        let t = &x.totals;
                        vec![
                            x.client.name.clone(),
                            hours_text(t.billable_minutes),
                            hours_text(t.unbilled_minutes + t.quote_prep_minutes),
                            format_cents(t.amount_cents, x.currency, l),
                            t.effective_rate_cents
                                .map(|c| format_cents(c, x.currency, l))
                                .unwrap_or_default(),
                        ]
                    })
                    .collect();
                let h: Vec<&str> = [
                    T::HClientCol,
                    T::MonthBillable,
                    T::MonthUnbilled,
                    T::HAmount,
                    T::HEffective,
                ]
                .iter()
                .map(|k| k.text(l))
                .collect();
                write!(buf, "{}", table(&h, &rows))?;
            }
        }
    } else {
        let name = a
            .client
            .as_deref()
            .ok_or_else(|| Error::invalid(T::ErrStatementWhat, &[]))?;
        let c = store.find_client(name)?;
        let st = store.statement(c.id, month)?;
        // Billable time not yet billed, or a retainer's fee not yet invoiced (a month without
        // time still owes it).
        let unbilled = st.entries.iter().any(|e| e.billable && e.billed_on.is_none());
        if a.mark_billed && !unbilled && st.totals.amount_cents == 0 {
            return Err(Error::invalid(T::ErrNothingToBill, &[&c.name, &month]));
        }
        render_statement(&st, a.json, a.csv, l, &mut buf)?;
        if a.mark_billed {
            // The file (or the output) is written first, and out of every buffer: billing
            // happens only once it exists.
            emit(&buf, a.file.as_deref(), a.force, store.path(), out, l)
                .and_then(|()| out.flush().map_err(Error::from))
                .map_err(|e| match e {
                    Error::Io(io) => Error::io_refused(T::ErrStatementNotWritten, &io),
                    other => other,
                })?;
            let (n, corrected) = store.bill_month(c.id, month, ctx.today())?;
            if n > 0 {
                eprintln!(
                    "{}",
                    crate::i18n::pl(l, crate::i18n::P::MarkedBilled, n as i64, &[&ctx.today()])
                );
            }
            if corrected > 0 {
                eprintln!(
                    "{}",
                    crate::i18n::pl(l, crate::i18n::P::CorrectionsBilled, corrected as i64, &[])
                );
            }
            if n == 0 && corrected == 0 {
                eprintln!("{}", tf(l, T::MsgFeeBilled, &[&c.name, &month, &ctx.today()]));
            }
            return Ok(());
        }
    }
    emit(&buf, a.file.as_deref(), a.force, store.path(), out, l)
}

/// A text cell of a CSV as a spreadsheet reads it: one that starts like a formula (`=`, `+`,
/// `-`, `@`, or a tab or carriage return before one) would be run as one when the file is
/// opened (a card's title imported from Trello can be `=HYPERLINK(...)`), so it starts with an
/// apostrophe, which spreadsheets show as text and do not display.
fn sheet_text(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

fn csv_err(e: csv::Error) -> Error {
    Error::Io(std::io::Error::other(e.to_string()))
}

/// Text, JSON or CSV of one statement.
pub fn render_statement(
    st: &Statement,
    as_json: bool,
    as_csv: bool,
    l: crate::i18n::Lang,
    buf: &mut Vec<u8>,
) -> Result<()> {
    let t = &st.totals;
    if as_json {
        let mut j = statement_json(
            &st.client.name,
            st.month,
            st.currency,
            st.client.rate_cents,
            t,
            st.terms_billed_on,
        );
        j.entries = Some(
            st.entries
                .iter()
                .map(|e| EntryJson {
                    id: e.id,
                    date: e.start.get(..10).unwrap_or(&e.start).to_string(),
                    task: e.task,
                    minutes: e.minutes.unwrap_or(0),
                    billed_minutes: st.billed_minutes(e),
                    invoiced_minutes: e.invoiced(),
                    billable: e.billable,
                    note: e.note.clone(),
                })
                .collect(),
        );
        return print_json(buf, &j);
    }
    if as_csv {
        let mut w = csv::Writer::from_writer(buf);
        w.write_record([
            "date",
            "client",
            "task",
            "minutes",
            "billed_minutes",
            "invoiced_minutes",
            "billable",
            "note",
        ])
        .map_err(csv_err)?;
        for e in &st.entries {
            w.write_record([
                e.start.get(..10).unwrap_or(&e.start).to_string(),
                sheet_text(&st.client.name),
                sheet_text(e.task_title.as_deref().unwrap_or_default()),
                e.minutes.unwrap_or(0).to_string(),
                st.billed_minutes(e).to_string(),
                e.invoiced().map(|m| m.to_string()).unwrap_or_default(),
                e.billable.to_string(),
                sheet_text(&e.note),
            ])
            .map_err(csv_err)?;
        }
        w.flush()?;
        return Ok(());
    }
    statement_text(st, l, buf)
}

/// The statement as people read it (the desk's popup shows the same text).
pub fn statement_text(st: &Statement, l: crate::i18n::Lang, buf: &mut Vec<u8>) -> Result<()> {
    let t = &st.totals;
    let cur = st.currency;
    writeln!(
        buf,
        "{}",
        tf(l, T::StTitle, &[&st.client.name, &month_text(st.month, l)])
    )?;
    if let Some(on) = st.terms_billed_on {
        writeln!(
            buf,
            "{}",
            tf(l, T::StTermsBilled, &[&crate::i18n::date(on, st.month.first_day(), l)])
        )?;
    }
    // Every entry is of that month: its days need no year.
    let in_month = st.month.first_day();
    if !st.entries.is_empty() {
        let rows: Vec<Vec<String>> = st
            .entries
            .iter()
            .map(|e| {
                vec![
                    crate::i18n::stored_when(e.start.get(..10).unwrap_or(&e.start), in_month, l),
                    e.task_title.clone().unwrap_or_default(),
                    e.minutes.unwrap_or(0).to_string(),
                    st.billed_minutes(e).to_string(),
                    billable_word(e.billable, l).to_string(),
                    match st.invoiced_otherwise(e) {
                        Some(m) => {
                            let said = tf(l, T::StEntryInvoiced, &[&hours_text(u64::from(m))]);
                            if e.note.is_empty() {
                                said
                            } else {
                                format!("{} · {said}", e.note)
                            }
                        }
                        None => e.note.clone(),
                    },
                ]
            })
            .collect();
        let h: Vec<&str> = [
            T::HDate,
            T::HTask,
            T::HMinutes,
            T::HBilledMin,
            T::HBillable,
            T::HEntryNote,
        ]
        .iter()
        .map(|k| k.text(l))
        .collect();
        write!(buf, "{}", table(&h, &rows))?;
    }
    let line = |k: String, v: String| format!("  {} {v}", width::pad(&k, 40));
    writeln!(buf)?;
    writeln!(
        buf,
        "{}",
        line(T::StBillable.text(l).into(), hours_text(t.billable_minutes))
    )?;
    writeln!(
        buf,
        "{}",
        line(tf(l, T::StBilled, &[&st.increment]), hours_text(t.billed_minutes))
    )?;
    writeln!(
        buf,
        "{}",
        line(T::StUnbilled.text(l).into(), hours_text(t.unbilled_minutes))
    )?;
    writeln!(
        buf,
        "{}",
        line(T::StQuotePrep.text(l).into(), hours_text(t.quote_prep_minutes))
    )?;
    if t.retainer_minutes > 0 {
        writeln!(
            buf,
            "{}",
            line(T::StRetainer.text(l).into(), hours_text(t.retainer_minutes))
        )?;
        writeln!(
            buf,
            "{}",
            line(T::StOverage.text(l).into(), hours_text(t.overage_minutes))
        )?;
    }
    if t.overage_minutes > 0 && st.client.overage_cents.or(st.client.rate_cents).is_none() {
        writeln!(buf, "  {}", tf(l, T::StOverageNoRate, &[&st.client.name]))?;
    }
    match st.client.fee_not_owed(st.month) {
        Some(crate::domain::FeeNotOwed::BeforeAdded) => writeln!(
            buf,
            "  {}",
            tf(
                l,
                T::StFeeBeforeAdded,
                &[
                    &st.client.name,
                    &crate::i18n::date(st.client.created_on, st.month.first_day(), l)
                ]
            )
        )?,
        Some(crate::domain::FeeNotOwed::Status) => writeln!(
            buf,
            "  {}",
            tf(l, T::StFeeStatus, &[&st.client.name, &st.client.status.label(l)])
        )?,
        None => {}
    }
    // Part of the month already invoiced: the month's whole amount and that part, then what
    // is left to invoice.
    if t.amount_cents != t.earned_cents {
        writeln!(
            buf,
            "{}",
            line(T::StEarned.text(l).into(), format_cents(t.earned_cents, cur, l))
        )?;
        writeln!(
            buf,
            "{}",
            line(
                T::StInvoiced.text(l).into(),
                format_cents(t.earned_cents - t.amount_cents, cur, l)
            )
        )?;
    }
    let (label, amount) = t.amount_line();
    writeln!(buf, "{}", line(label.text(l).into(), format_cents(amount, cur, l)))?;
    if let Some(r) = t.effective_rate_cents {
        writeln!(buf, "{}", line(T::StEffective.text(l).into(), format_cents(r, cur, l)))?;
    }
    Ok(())
}

/// Refuses the store itself (and its journal files) as a target, and an existing file
/// without `--force`.
fn check_target(f: &Path, store: &Path, force: bool) -> Result<()> {
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    };
    let s = store.to_string_lossy();
    for p in [
        store.to_path_buf(),
        PathBuf::from(format!("{s}-wal")),
        PathBuf::from(format!("{s}-shm")),
    ] {
        if same(f, &p) || f == p {
            return Err(Error::refused(T::ErrStoreTarget, &[&f.display()]));
        }
    }
    if f.symlink_metadata().is_ok() && !force {
        return Err(Error::refused(T::ErrFileExists, &[&f.display()]));
    }
    Ok(())
}

fn emit(
    buf: &[u8],
    file: Option<&Path>,
    force: bool,
    store: &Path,
    out: &mut dyn Write,
    l: crate::i18n::Lang,
) -> Result<()> {
    match file {
        None => {
            out.write_all(buf)?;
            Ok(())
        }
        Some(f) => {
            crate::files::write_new_file(f, force, Some(store), |w| Ok(w.write_all(buf)?))?;
            eprintln!("{}", tf(l, T::MsgWritten, &[&f.display()]));
            Ok(())
        }
    }
}

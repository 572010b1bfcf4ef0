//! The commands on records: clients, tasks, quotes and red flags.

use std::io::Write;

use super::output::{
    explanation, print_json, print_list, round2, table, ClientJson, FlagJson, Listing, QuoteJson, TaskJson,
};
use super::run::{date_arg, Context};
use super::{ClientCmd, ClientOpts, FlagCmd, QuoteCmd, TaskCmd};
use crate::domain::money;
use crate::domain::text::width;
use crate::domain::{dates, Channel, ClientStatus, FlagKind, FlagSource, Outcome, Quote, QuoteStatus, TaskStatus};
use crate::error::{Error, Result};
use crate::i18n::{self, pl, tf, Lang, P, T};
use crate::store::{ClientFields, ClientSummary, NewQuote, QuoteEdit, Store, TaskFields, TaskFilter};

/// The fields as typed; amounts are in `opts`' currency if it names one, else in `currency`
/// (the client's, or the default).
fn client_fields(
    opts: &ClientOpts,
    name: Option<String>,
    currency: iso_currency::Currency,
    l: crate::i18n::Lang,
) -> Result<ClientFields> {
    let currency = match opts.currency.as_deref() {
        Some(c) if !c.trim().is_empty() && c != "none" => money::parse_currency(c)?,
        _ => currency,
    };
    Ok(ClientFields {
        name,
        status: opts.status.as_deref().map(ClientStatus::parse).transpose()?,
        channels: if opts.channels.is_empty() {
            None
        } else {
            Some(opts.channels.iter().map(|c| Channel::parse(c)).collect::<Result<_>>()?)
        },
        tool: opts.tool.clone(),
        rate: match opts.rate.as_deref() {
            None => None,
            Some(r) if r.trim().is_empty() || r == "none" => Some(None),
            Some(r) => Some(Some(money::parse_amount_in(r, currency, l)?)),
        },
        currency: match opts.currency.as_deref() {
            None => None,
            Some(c) if c.trim().is_empty() || c == "none" => Some(None),
            Some(c) => Some(Some(money::parse_currency(c)?.code().to_string())),
        },
        increment_min: match opts.increment.as_deref() {
            None => None,
            Some(i) if i.trim().is_empty() || i == "none" => Some(None),
            Some(i) => Some(Some(dates::parse_duration(i)?)),
        },
        retainer_min: match opts.retainer.as_deref() {
            None => None,
            Some(r) if r.trim().is_empty() || r == "none" => Some(None),
            Some(r) => Some(Some(money::parse_retainer_hours(r)?)),
        },
        fee_cents: match opts.fee.as_deref() {
            None => None,
            Some(r) if r.trim().is_empty() || r == "none" => Some(None),
            Some(r) => Some(Some(money::parse_amount_in(r, currency, l)?)),
        },
        overage_cents: match opts.overage_rate.as_deref() {
            None => None,
            Some(r) if r.trim().is_empty() || r == "none" => Some(None),
            Some(r) => Some(Some(money::parse_amount_in(r, currency, l)?)),
        },
        review_day: match opts.review_day.as_deref() {
            None => None,
            Some(d) if d.trim().is_empty() || d == "none" => Some(None),
            Some(d) => Some(Some(
                dates::parse_weekday(d).ok_or_else(|| Error::invalid(T::ErrBadWeekday, &[&d]))?,
            )),
        },
        notes: opts.notes.clone(),
    })
}

pub(super) fn client(cmd: ClientCmd, ctx: &Context, store: &mut Store, out: &mut dyn Write) -> Result<()> {
    let l = ctx.lang;
    let today = ctx.today();
    let rules = &ctx.config.rules;
    match cmd {
        ClientCmd::Add { name, opts } => {
            let id = store.add_client(
                client_fields(&opts, Some(name), store.money_defaults().currency_or_default(None), l)?,
                today,
            )?;
            writeln!(out, "{id}")?;
        }
        ClientCmd::Edit { client, opts, new_name } => {
            let c = store.find_client(&client)?;
            let currency = store.money_defaults().currency_of(&c);
            store.edit_client(c.id, client_fields(&opts, new_name, currency, l)?)?;
            // By the name it has now: its id reads like another client's ("Client 9" saved as 15).
            let name = store.client(c.id)?.name;
            writeln!(out, "{}", tf(l, T::MsgClientSaved, &[&name]))?;
        }
        ClientCmd::List { status, json: as_json } => {
            let status = status.as_deref().map(ClientStatus::parse).transpose()?;
            store.detect(today, ctx.config.min_rate)?;
            let list = store.list_clients(status, rules, today)?;
            let mm = if as_json {
                store.month_minutes(money::Month::of(today))?
            } else {
                Default::default()
            };
            let as_client_json = |s: &ClientSummary| {
                ClientJson::new(s, store.money_defaults(), mm.get(&s.client.id).copied().unwrap_or(0))
            };
            let listing = Listing {
                empty: T::MsgNoClients,
                headers: &[
                    T::HId,
                    T::HName,
                    T::HStatus,
                    T::HVerdict,
                    T::HScore,
                    T::HOpen,
                    T::HWaiting,
                    T::HChannels,
                ],
            };
            print_list(out, l, as_json, &list, as_client_json, listing, |s| {
                vec![
                    s.client.id.to_string(),
                    s.client.name.clone(),
                    s.client.status.label(l).to_string(),
                    s.verdict.label(l).to_string(),
                    i18n::decimal(s.score, 1, l),
                    s.open_tasks.to_string(),
                    s.waiting_tasks.to_string(),
                    s.client
                        .channels
                        .iter()
                        .map(|c| c.kind.label(l))
                        .collect::<Vec<_>>()
                        .join(", "),
                ]
            })?;
        }
        ClientCmd::Reviewed { client, missed, on } => {
            let c = store.find_client(&client)?;
            let on = match on.as_deref() {
                Some(d) => date_arg(d, ctx)?,
                None => store.weekly_review_date(c.id, today)?,
            };
            if on > today {
                return Err(Error::invalid_with(
                    T::ErrReviewInFuture,
                    vec![crate::error::Arg::day(on, today)],
                ));
            }
            let shown = i18n::date(on, today, l);
            if missed {
                store.miss_weekly_review(c.id, on, today)?;
                writeln!(out, "{}", tf(l, T::MsgReviewMissed, &[&c.name, &shown]))?;
            } else {
                store.hold_weekly_review(c.id, on)?;
                writeln!(out, "{}", tf(l, T::MsgReviewHeld, &[&c.name, &shown]))?;
            }
        }
        ClientCmd::Show { client, json: as_json } => {
            let c = store.find_client(&client)?;
            store.detect(today, ctx.config.min_rate)?;
            let (summary, assessment, flags) = store.client_summary(c.id, rules, today)?;
            if as_json {
                let mm = store.month_minutes(money::Month::of(today))?;
                let minutes = mm.get(&summary.client.id).copied().unwrap_or(0);
                let mut j = ClientJson::new(&summary, store.money_defaults(), minutes);
                j.flags = Some(flags.iter().map(FlagJson::new).collect());
                j.explanation = Some(explanation(&assessment));
                return print_json(out, &j);
            }
            let c = &summary.client;
            writeln!(out, "{} (#{})", c.name, c.id)?;
            let field = |k: T, v: String| format!("  {:<17} {v}", k.text(l));
            writeln!(out, "{}", field(T::FStatus, c.status.label(l).into()))?;
            for ch in &c.channels {
                writeln!(
                    out,
                    "{}",
                    field(T::HChannel, crate::describe::channel(ch.kind, &ch.handle, l))
                )?;
            }
            if !c.tool.is_empty() {
                writeln!(out, "{}", field(T::HTool, c.tool.clone()))?;
            }
            let cur = store.money_defaults().currency_of(c);
            for (k, v) in crate::describe::client_money(c, cur, l) {
                writeln!(out, "{}", field(k, v))?;
            }
            if let Some(d) = c.review_day {
                writeln!(out, "{}", field(T::HReviewDay, i18n::weekday_name(d, l).into()))?;
            }
            writeln!(
                out,
                "{}",
                field(
                    T::HTasks,
                    tf(
                        l,
                        T::MsgOpenWaiting,
                        &[
                            &pl(l, P::OpenTasks, summary.open_tasks as i64, &[]),
                            &summary.waiting_tasks
                        ]
                    )
                )
            )?;
            if !c.notes.is_empty() {
                writeln!(
                    out,
                    "{}",
                    field(T::HNotes, c.notes.replace('\n', "\n                   "))
                )?;
            }
            writeln!(out)?;
            writeln!(
                out,
                "{}",
                tf(
                    l,
                    T::MsgScoreLine,
                    &[&i18n::decimal(summary.score, 2, l), &summary.verdict.label(l)]
                )
            )?;
            if assessment.contributions.is_empty() {
                writeln!(out, "  {}", T::MsgNoFlags.text(l))?;
            }
            for cb in &assessment.contributions {
                let src = match cb.flag.source {
                    FlagSource::Auto => T::SourceAuto.text(l),
                    FlagSource::Manual => T::SourceManual.text(l),
                };
                let mut line = format!(
                    "  {:>5}  {}  {} ({}, {})  {}",
                    i18n::decimal(cb.points, 2, l),
                    width::pad(cb.flag.kind.label(l), 36),
                    i18n::date(cb.flag.at, today, l),
                    tf(
                        l,
                        T::MsgAgeWeight,
                        &[&i18n::ago(cb.age_days, l), &i18n::number(cb.weight, l)]
                    ),
                    src,
                    format_args!("#{}", cb.flag.id)
                );
                let note = crate::describe::flag_note(&cb.flag, today, l);
                if !note.is_empty() {
                    line.push_str(&format!("  {note}"));
                }
                writeln!(out, "{}", line.trim_end())?;
            }
            let dismissed: Vec<_> = flags.iter().filter(|f| f.dismissed).collect();
            if !dismissed.is_empty() {
                writeln!(out, "{}", pl(l, P::DismissedFlags, dismissed.len() as i64, &[]))?;
            }
        }
    }
    Ok(())
}

pub(super) fn task(cmd: TaskCmd, ctx: &Context, store: &mut Store, out: &mut dyn Write) -> Result<()> {
    let l = ctx.lang;
    let today = ctx.today();
    let status_msg = |store: &mut Store, out: &mut dyn Write, id: i64, s: TaskStatus| -> Result<()> {
        store.set_task_status(id, s, today)?;
        writeln!(out, "{}", tf(l, T::MsgTaskStatus, &[&id, &s.label(l)]))?;
        Ok(())
    };
    match cmd {
        TaskCmd::Add {
            client,
            title,
            due,
            spec,
            via,
            estimate,
            every,
        } => {
            let c = store.find_client(&client)?;
            let fields = TaskFields {
                title: Some(title),
                spec,
                status: None,
                due: due.as_deref().map(|d| date_arg(d, ctx)).transpose()?.map(Some),
                via: via
                    .as_deref()
                    .map(crate::domain::ChannelKind::parse)
                    .transpose()?
                    .map(Some),
                estimate_min: estimate.as_deref().map(dates::parse_duration).transpose()?.map(Some),
                every: every.map(Some),
                ..Default::default()
            };
            let id = store.add_task(c.id, fields, today)?;
            writeln!(out, "{id}")?;
        }
        TaskCmd::List {
            client,
            status,
            waiting,
            json: as_json,
        } => {
            let client_id = store.client_id_named(client.as_deref())?;
            let filter = TaskFilter {
                client_id,
                status: status.as_deref().map(TaskStatus::parse).transpose()?,
                waiting_only: waiting,
                ..Default::default()
            };
            let tasks = store.list_tasks(&filter)?;
            let listing = Listing {
                empty: T::MsgNoTasks,
                headers: &[T::HId, T::HClient, T::HStatus, T::HDue, T::HWaitingOn, T::HTitle],
            };
            print_list(out, l, as_json, &tasks, TaskJson::new, listing, |t| {
                vec![
                    t.id.to_string(),
                    t.client.clone(),
                    t.status.label(l).to_string(),
                    t.due.map(|d| i18n::date_rel(d, today, l)).unwrap_or_default(),
                    t.waiting_on.iter().map(|k| k.label(l)).collect::<Vec<_>>().join(", "),
                    t.title.clone(),
                ]
            })?;
        }
        TaskCmd::Edit {
            id,
            title,
            due,
            spec,
            estimate,
            via,
            client,
            every,
        } => {
            let none = |s: &str| s.trim().eq_ignore_ascii_case("none") || i18n::fold(s) == "ninguna";
            let fields = TaskFields {
                title,
                spec,
                due: match due.as_deref() {
                    None => None,
                    Some(d) if none(d) => Some(None),
                    Some(d) => Some(Some(date_arg(d, ctx)?)),
                },
                via: match via.as_deref() {
                    None => None,
                    Some(v) if none(v) => Some(None),
                    Some(v) => Some(Some(crate::domain::ChannelKind::parse(v)?)),
                },
                estimate_min: match estimate.as_deref() {
                    None => None,
                    Some(e) if none(e) => Some(None),
                    Some(e) => Some(Some(dates::parse_duration(e)?)),
                },
                client_id: store.client_id_named(client.as_deref())?,
                every: match every.as_deref() {
                    None => None,
                    Some(e) if none(e) => Some(None),
                    Some(e) => Some(Some(e.to_string())),
                },
                ..Default::default()
            };
            store.edit_task_on(id, fields, today)?;
            writeln!(out, "{}", tf(l, T::MsgTaskSaved, &[&id]))?;
        }
        TaskCmd::Start { id } => status_msg(store, out, id, TaskStatus::Doing)?,
        TaskCmd::Deliver { id } => status_msg(store, out, id, TaskStatus::Delivered)?,
        TaskCmd::Done { id } => status_msg(store, out, id, TaskStatus::Done)?,
        TaskCmd::Cancel { id } => status_msg(store, out, id, TaskStatus::Cancelled)?,
        TaskCmd::Ask { id } => {
            let n = store.clarify(id, today)?;
            writeln!(out, "{}", pl(l, P::Clarified, i64::from(n), &[&id]))?;
        }
        TaskCmd::Outcome { id, outcome } => {
            let o = Outcome::parse(&outcome)?;
            store.set_outcome(id, o, today)?;
            writeln!(out, "{}", tf(l, T::MsgOutcome, &[&id, &o.label(l)]))?;
        }
    }
    Ok(())
}

pub(super) fn quote(cmd: QuoteCmd, ctx: &Context, store: &mut Store, out: &mut dyn Write) -> Result<()> {
    let today = ctx.today();
    match cmd {
        QuoteCmd::Add {
            client,
            amount,
            prep,
            sent,
            answer_by,
            description,
        } => {
            let c = store.find_client(&client)?;
            let q = NewQuote {
                description: description.unwrap_or_default(),
                amount_cents: money::parse_amount_in(&amount, store.money_defaults().currency_of(&c), ctx.lang)?,
                prep_min: prep.as_deref().map(dates::parse_duration).transpose()?.unwrap_or(0),
                sent_on: sent.as_deref().map(|s| date_arg(s, ctx)).transpose()?.unwrap_or(today),
                answer_by: answer_by.as_deref().map(|s| date_arg(s, ctx)).transpose()?,
            };
            let id = store.add_quote(c.id, q, ctx.config.quote_answer_days)?;
            writeln!(out, "{id}")?;
        }
        QuoteCmd::List {
            client,
            status,
            json: as_json,
        } => {
            let client_id = store.client_id_named(client.as_deref())?;
            let status = status.as_deref().map(QuoteStatus::parse).transpose()?;
            let list = store.list_quotes(client_id, status)?;
            let l = ctx.lang;
            let listing = Listing {
                empty: T::MsgNoQuotes,
                headers: &[
                    T::HId,
                    T::HClient,
                    T::HAmount,
                    T::HStatus,
                    T::HSent,
                    T::HAnswerBy,
                    T::HNudges,
                    T::HFor,
                ],
            };
            // A quote is in its client's currency.
            let currency = |q: &Quote| store.money_defaults().currency_or_default(q.client_currency.as_deref());
            let as_quote_json = |q: &Quote| QuoteJson::new(q, currency(q));
            print_list(out, l, as_json, &list, as_quote_json, listing, |q| {
                vec![
                    q.id.to_string(),
                    q.client.clone(),
                    money::format_cents(q.amount_cents, currency(q), l),
                    q.status.label(l).to_string(),
                    i18n::date(q.sent_on, today, l),
                    i18n::date(q.answer_by, today, l),
                    q.nudges.to_string(),
                    q.description.replace('\n', " "),
                ]
            })?;
        }
        QuoteCmd::Edit {
            id,
            amount,
            description,
            prep,
            answer_by,
        } => {
            let currency = match &amount {
                Some(_) => {
                    let q = store.quote(id)?;
                    store.money_defaults().currency_or_default(q.client_currency.as_deref())
                }
                None => iso_currency::Currency::EUR,
            };
            let e = QuoteEdit {
                amount: amount
                    .as_deref()
                    .map(|a| money::parse_amount_in(a, currency, ctx.lang))
                    .transpose()?,
                description,
                prep_min: prep.as_deref().map(dates::parse_duration).transpose()?,
                answer_by: answer_by.as_deref().map(|s| date_arg(s, ctx)).transpose()?,
            };
            store.edit_quote(id, e)?;
            writeln!(out, "{}", tf(ctx.lang, T::MsgQuoteSaved, &[&id]))?;
        }
        QuoteCmd::Delete { id } => {
            store.delete_quote(id)?;
            writeln!(out, "{}", tf(ctx.lang, T::MsgQuoteDeleted, &[&id]))?;
        }
        QuoteCmd::Accepted { id } | QuoteCmd::Rejected { id } => {
            let status = if matches!(cmd, QuoteCmd::Accepted { .. }) {
                QuoteStatus::Accepted
            } else {
                QuoteStatus::Rejected
            };
            store.answer_quote(id, status, today)?;
            writeln!(
                out,
                "{}",
                tf(ctx.lang, T::MsgQuoteAnswered, &[&id, &status.label(ctx.lang)])
            )?;
        }
    }
    Ok(())
}

pub(super) fn flag(cmd: FlagCmd, ctx: &Context, store: &mut Store, out: &mut dyn Write) -> Result<()> {
    let l = ctx.lang;
    let today = ctx.today();
    match cmd {
        FlagCmd::Add { client, kind, note, at } => {
            let c = store.find_client(&client)?;
            let kind = FlagKind::parse(&kind)?;
            let at = at.as_deref().map(|a| date_arg(a, ctx)).transpose()?.unwrap_or(today);
            let at = crate::domain::rules::honest_flag_date(at, today)?;
            let id = store.add_flag(c.id, kind, at, note.as_deref().unwrap_or(""))?;
            writeln!(out, "{id}")?;
        }
        FlagCmd::Dismiss { id } => {
            store.dismiss_flag(id)?;
            writeln!(out, "{}", tf(l, T::MsgFlagDismissed, &[&id]))?;
        }
        FlagCmd::List { client, json: as_json } => {
            let client_id = store.client_id_named(client.as_deref())?;
            store.detect(today, ctx.config.min_rate)?;
            let flags = store.list_flags(client_id)?;
            let listing = Listing {
                empty: T::MsgNoFlags,
                headers: &[T::HId, T::HClient, T::HKind, T::HWhen, T::HSource, T::HNote],
            };
            print_list(out, l, as_json, &flags, FlagJson::new, listing, |f| {
                let mut src = match f.source {
                    FlagSource::Auto => T::SourceAuto.text(l).to_string(),
                    FlagSource::Manual => T::SourceManual.text(l).to_string(),
                };
                if f.dismissed {
                    src = format!("{src}, {}", T::Dismissed.text(l));
                }
                vec![
                    f.id.to_string(),
                    f.client.clone(),
                    f.kind.label(l).to_string(),
                    i18n::date(f.at, today, l),
                    src,
                    crate::describe::flag_note(f, today, l),
                ]
            })?;
        }
        FlagCmd::Kinds { json: as_json } => {
            let rules = &ctx.config.rules;
            if as_json {
                #[derive(serde::Serialize)]
                struct KindJson {
                    key: &'static str,
                    label_en: &'static str,
                    label_es: &'static str,
                    weight: f64,
                    auto: bool,
                }
                let v: Vec<KindJson> = FlagKind::ALL
                    .iter()
                    .map(|k| KindJson {
                        key: k.key(),
                        label_en: k.label(Lang::En),
                        label_es: k.label(Lang::Es),
                        weight: rules.weight(*k),
                        auto: k.auto_rule().is_some(),
                    })
                    .collect();
                return print_json(out, &v);
            }
            let rows: Vec<Vec<String>> = FlagKind::ALL
                .iter()
                .map(|k| {
                    vec![
                        k.word(l).to_string(),
                        i18n::number(round2(rules.weight(*k)), l),
                        k.label(l).to_string(),
                        k.auto_rule().unwrap_or(T::RuleManual).text(l).to_string(),
                    ]
                })
                .collect();
            let h = [T::HKey, T::HWeight, T::HLabel, T::HRaised];
            let h: Vec<&str> = h.iter().map(|k| k.text(l)).collect();
            write!(out, "{}", table(&h, &rows))?;
        }
    }
    Ok(())
}

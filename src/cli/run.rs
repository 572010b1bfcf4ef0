//! Carries out one command against the store and prints the result.

use std::io::Write;
use std::path::PathBuf;

use chrono::{NaiveDate, NaiveDateTime};

use super::output::{
    explanation, print_json, print_list, round2, table, write_json, ClientJson, FlagJson, Listing, MeetingJson,
    QuoteJson, SearchJson, TaskJson, TerminalSafe,
};
use super::{Cli, ClientCmd, ClientOpts, Command, FeedbackCmd, FlagCmd, MaterialCmd, MeetingCmd, QuoteCmd, TaskCmd};
use crate::config::{self, Config};
use crate::domain::money;
use crate::domain::text::width;
use crate::domain::{
    dates, Attendance, Channel, ClientStatus, FlagKind, FlagSource, MeetingKind, Outcome, Quote, QuoteStatus,
    RequestKind, ReviewKind, TaskStatus,
};
use crate::error::{Arg, Error, Msg, Result};
use crate::files;
use crate::i18n::{self, pl, tf, Lang, P, T};
use crate::store::{
    ClientFields, ClientSummary, DetectReport, MeetingEdit, NewQuote, QuoteEdit, Store, TaskFields, TaskFilter,
};

/// Everything a command needs besides its own arguments.
#[derive(Debug, Clone)]
pub struct Context {
    pub db_path: Option<PathBuf>,
    pub now: NaiveDateTime,
    /// `--now` / `VADESK_NOW` was given: the clock stands still.
    pub fixed_now: bool,
    pub lang: Lang,
    pub config: Config,
    pub tick_seconds: u64,
}

impl Context {
    pub fn today(&self) -> NaiveDate {
        self.now.date()
    }

    /// Opens the store named by `--db` / `VADESK_DB`, or the default one.
    pub fn open_store(&self) -> Result<Store> {
        let path = match &self.db_path {
            Some(p) => p.clone(),
            None => Store::default_path()?,
        };
        let mut s = Store::open(&path)?;
        s.set_lang(self.lang);
        // Sync operations are stamped with the store's clock (`--now` included).
        s.set_now(self.fixed_now.then_some(self.now));
        s.set_money_defaults(self.config.money.clone());
        Ok(s)
    }
}

/// Resolves the global options: clock, config, language, tick interval.
pub fn resolve(cli: &Cli) -> Result<Context> {
    let env_lang = Lang::from_env(|k| std::env::var(k).ok());
    // The language for errors about the options themselves.
    let early = cli
        .lang
        .as_deref()
        .and_then(Lang::from_key)
        .or(env_lang)
        .unwrap_or_default();
    let config = match &cli.config {
        Some(p) => config::load(p, true),
        None => match config::default_path() {
            Some(p) => config::load(&p, false),
            None => Ok(Config::default()),
        },
    }
    .map_err(|e| Error::Refused(crate::error::Msg::with(T::ErrPlain, &[&e.localized(early)])))?;
    let lang = match &cli.lang {
        Some(l) => Lang::from_key(l).ok_or_else(|| Error::invalid(T::ErrBadLang, &[l]))?,
        None => config.language.or(env_lang).unwrap_or_default(),
    };
    let fixed = cli
        .now
        .as_deref()
        .filter(|n| !n.trim().is_empty())
        .map(dates::parse_now)
        .transpose()?;
    let fixed_now = fixed.is_some();
    let now = fixed.unwrap_or_else(|| chrono::Local::now().naive_local());
    let tick_seconds = cli.tick.unwrap_or(config.tick_seconds);
    Ok(Context {
        db_path: cli.db.clone(),
        now,
        fixed_now,
        lang,
        config,
        tick_seconds,
    })
}

fn date_arg(s: &str, ctx: &Context) -> Result<NaiveDate> {
    dates::parse_date(s, ctx.today())
}

fn client_fields(opts: &ClientOpts, name: Option<String>) -> Result<ClientFields> {
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
            Some(r) => Some(Some(money::parse_amount(r)?)),
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
            Some(r) => Some(Some(parse_hours(r)?)),
        },
        fee_cents: match opts.fee.as_deref() {
            None => None,
            Some(r) if r.trim().is_empty() || r == "none" => Some(None),
            Some(r) => Some(Some(money::parse_amount(r)?)),
        },
        overage_cents: match opts.overage_rate.as_deref() {
            None => None,
            Some(r) if r.trim().is_empty() || r == "none" => Some(None),
            Some(r) => Some(Some(money::parse_amount(r)?)),
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

/// Retainer hours as typed (`20`, `7.5`, `7,5`) to minutes.
fn parse_hours(s: &str) -> Result<u32> {
    let bad = || Error::invalid(T::ErrBadRetainer, &[&s]);
    let hundredths = money::cents_from_decimal(s).ok_or_else(bad)?;
    let minutes = money::mul_div_round(hundredths, 60, 100);
    if minutes <= 0 || minutes > money::MAX_RETAINER_MINUTES as i64 {
        return Err(bad());
    }
    Ok(minutes as u32)
}

/// Runs one command. Whatever it prints goes through a writer that lets nothing drive the
/// terminal, whatever is in the store.
pub fn run(cmd: Command, ctx: &Context, out: &mut dyn Write) -> Result<()> {
    let mut safe = TerminalSafe::new(out);
    run_command(cmd, ctx, &mut safe)?;
    safe.flush()?;
    Ok(())
}

fn run_command(cmd: Command, ctx: &Context, out: &mut dyn Write) -> Result<()> {
    let l = ctx.lang;
    let today = ctx.today();
    match &cmd {
        Command::Completions { shell } => return super::shell::completions(shell, l, out),
        Command::Man => return super::shell::man(l, out),
        _ => {}
    }
    let mut store = ctx.open_store()?;
    match cmd {
        Command::Client(c) => client(c, ctx, &mut store, out)?,
        Command::Task(c) => task(c, ctx, &mut store, out)?,
        Command::Material(MaterialCmd::Ask { task_id, what, by }) => {
            let by = date_arg(&by, ctx)?;
            let id = store.ask(task_id, RequestKind::Material, &what, by, today)?;
            writeln!(out, "{id}")?;
        }
        Command::Material(MaterialCmd::Got { id }) => {
            store.receive(RequestKind::Material, id, today)?;
            writeln!(out, "{}", tf(l, T::MsgMaterialGot, &[&id]))?;
        }
        Command::Feedback(FeedbackCmd::Ask { task_id, by }) => {
            let by = date_arg(&by, ctx)?;
            let id = store.ask(task_id, RequestKind::Feedback, "", by, today)?;
            writeln!(out, "{id}")?;
        }
        Command::Feedback(FeedbackCmd::Got { id }) => {
            store.receive(RequestKind::Feedback, id, today)?;
            writeln!(out, "{}", tf(l, T::MsgFeedbackGot, &[&id]))?;
        }
        Command::Nudge { kind, id, until } if is_quote_word(&kind) => {
            let until = until.as_deref().map(|u| date_arg(u, ctx)).transpose()?;
            let n = store.nudge_quote(id, until, today)?;
            writeln!(out, "{}", tf(l, T::MsgQuoteNudged, &[&id, &n]))?;
        }
        Command::Nudge { kind, id, until } => {
            let kind = RequestKind::parse(&kind)?;
            let until = until.as_deref().map(|u| date_arg(u, ctx)).transpose()?;
            let n = store.nudge(kind, id, until, today)?;
            writeln!(out, "{}", tf(l, T::MsgNudged, &[&kind.label(l), &id, &n]))?;
        }
        Command::Quote(c) => quote(c, ctx, &mut store, out)?,
        Command::Meeting(MeetingCmd::Add {
            client,
            at,
            kind,
            length,
        }) => {
            let c = store.find_client(&client)?;
            let at = dates::parse_when(&at, ctx.now)?;
            let kind = kind
                .as_deref()
                .map(MeetingKind::parse)
                .transpose()?
                .unwrap_or(MeetingKind::Other);
            let length = length.as_deref().map(dates::parse_duration).transpose()?;
            let id = store.add_meeting(c.id, at, kind, length)?;
            writeln!(out, "{id}")?;
        }
        Command::Meeting(MeetingCmd::List { client, json: as_json }) => {
            let client_id = store.client_id_named(client.as_deref())?;
            let list = store.list_meetings(client_id)?;
            let listing = Listing {
                empty: T::MsgNoMeetings,
                headers: &[T::HId, T::HClient, T::HWhen, T::HLength, T::HAttendance, T::HKind],
            };
            print_list(out, l, as_json, &list, MeetingJson::new, listing, |m| {
                let mut attendance = m.attendance.label(l).to_string();
                if let Some(n) = m.late_minutes {
                    attendance.push_str(&format!(" ({n} min)"));
                }
                vec![
                    m.id.to_string(),
                    m.client.clone(),
                    format!("{} {}", i18n::date(m.at.date(), today, l), m.at.format("%H:%M")),
                    m.length_min.map(dates::format_duration).unwrap_or_default(),
                    attendance,
                    m.kind.label(l).to_string(),
                ]
            })?;
        }
        Command::Meeting(MeetingCmd::Edit { id, at, kind, length }) => {
            let e = MeetingEdit {
                at: at.as_deref().map(|a| dates::parse_when(a, ctx.now)).transpose()?,
                kind: kind.as_deref().map(MeetingKind::parse).transpose()?,
                length_min: match length.as_deref() {
                    None => None,
                    Some(x) if x.trim() == "none" => Some(None),
                    Some(x) => Some(Some(dates::parse_duration(x)?)),
                },
            };
            store.edit_meeting(id, e)?;
            writeln!(out, "{}", tf(l, T::MsgMeetingSaved, &[&id]))?;
        }
        Command::Meeting(MeetingCmd::Delete { id }) => {
            store.delete_meeting(id)?;
            writeln!(out, "{}", tf(l, T::MsgMeetingDeleted, &[&id]))?;
        }
        Command::Meeting(MeetingCmd::Attended {
            id,
            attendance,
            minutes,
        }) => {
            let a = Attendance::parse(&attendance)?;
            if a == Attendance::Pending {
                return Err(Attendance::unknown(&attendance));
            }
            if a != Attendance::Cancelled {
                crate::domain::rules::honest_attendance(store.meeting(id)?.at, ctx.now)?;
            }
            store.record_attendance(id, a, minutes)?;
            writeln!(out, "{}", tf(l, T::MsgAttendance, &[&id, &a.label(l)]))?;
        }
        Command::Flag(c) => flag(c, ctx, &mut store, out)?,
        // The review only reads: it lists what is late whether or not a flag was raised yet.
        Command::Review { json: as_json } => review(ctx, &store, as_json, out)?,
        Command::Search {
            text,
            json: as_json,
            limit,
        } => search(ctx, &store, &text.join(" "), as_json, limit, out)?,
        Command::Tick {
            once,
            json: as_json,
            notify,
        } => {
            let mut desktop = notify.then(|| crate::notify::Announcer::new(crate::notify::Desktop));
            loop {
                let on = today_now(ctx, once);
                let report = store.detect(on, ctx.config.min_rate)?;
                if as_json {
                    print_json(out, &report)?;
                } else {
                    print_tick(&report, on, l, out)?;
                }
                out.flush()?;
                // After the report is printed: a missing notification service never hides it.
                if let Some(a) = desktop.as_mut() {
                    a.announce(&report, on, l, &mut std::io::stderr().lock());
                }
                if once {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_secs(ctx.tick_seconds));
            }
        }
        Command::Export { out: file, force } => {
            let data = store.export()?;
            match file {
                Some(path) => files::write_new_file(&path, force, Some(store.path()), |w| print_json(w, &data))?,
                None => print_json(out, &data)?,
            }
        }
        Command::Import {
            file,
            from,
            merge,
            client,
        } => {
            let fmt = from.as_deref().map(str::to_lowercase);
            if let Some(tool) = fmt.as_deref().and_then(crate::store::import_tools::Tool::from_key) {
                let name =
                    client.ok_or_else(|| Error::invalid(T::ErrToolNeedsClient, &[&fmt.as_deref().unwrap_or("")]))?;
                let r = store.import_tool(tool, &file, &name, today)?;
                if r.client_created {
                    writeln!(
                        out,
                        "{}",
                        tf(l, T::MsgToolClientCreated, &[&crate::domain::text::clean_line(&name)])
                    )?;
                }
                writeln!(
                    out,
                    "{}",
                    tf(
                        l,
                        T::MsgToolImported,
                        &[
                            &file.display(),
                            &crate::domain::text::clean_line(&name),
                            &r.added,
                            &r.updated,
                            &r.unchanged,
                            &r.skipped
                        ]
                    )
                )?;
                return Ok(());
            }
            let shown = file.display().to_string();
            let unreadable = |e: std::io::Error| {
                Error::Invalid(Msg {
                    key: T::ErrBadImport,
                    args: vec![Arg::Text(shown.clone()), Arg::io(&e)],
                })
            };
            let report = match from.as_deref().map(str::to_lowercase).as_deref() {
                None | Some("vadesk") => {
                    let text_in = std::fs::read_to_string(&file).map_err(unreadable)?;
                    let data: serde_json::Value =
                        serde_json::from_str(&text_in).map_err(|e| Error::invalid(T::ErrBadImport, &[&shown, &e]))?;
                    store.import(&data, merge, &shown)?
                }
                // Read as it goes, never whole: an export of a million tasks stays small.
                Some("taskwarrior") => {
                    let input = std::fs::File::open(&file).map_err(unreadable)?;
                    store.import_taskwarrior(std::io::BufReader::with_capacity(1 << 16, input), today, &shown)?
                }
                Some(other) => return Err(Error::invalid(T::ErrBadFormat, &[&other])),
            };
            writeln!(
                out,
                "{}",
                tf(
                    l,
                    T::MsgImported,
                    &[
                        &pl(l, P::Clients, report.clients as i64, &[]),
                        &pl(l, P::Tasks, report.tasks as i64, &[]),
                        &pl(l, P::OtherRecords, report.other as i64, &[])
                    ]
                )
            )?;
        }
        Command::Backup { file, force } => {
            files::write_new_file_at(&file, force, Some(store.path()), |tmp| store.backup(tmp))?;
            writeln!(out, "{}", tf(l, T::MsgBackup, &[&file.display()]))?;
        }
        Command::Demo => {
            let r = store.load_demo(today)?;
            writeln!(
                out,
                "{}",
                tf(
                    l,
                    T::MsgDemo,
                    &[
                        &pl(l, P::Clients, r.clients as i64, &[]),
                        &pl(l, P::Tasks, r.tasks as i64, &[])
                    ]
                )
            )?;
        }
        Command::Time(c) => super::money::time(c, ctx, &mut store, out)?,
        Command::Statement {
            client,
            all,
            month,
            json: as_json,
            csv,
            out: file,
            mark_billed,
            force,
        } => super::money::statement(
            super::money::StatementArgs {
                client,
                all,
                month,
                json: as_json,
                csv,
                file,
                mark_billed,
                force,
            },
            ctx,
            &mut store,
            out,
        )?,
        Command::Calendar { out: file, force } => {
            super::calendar::run(&store, ctx.now, l, file.as_deref(), force, out)?;
        }
        Command::Completions { .. } | Command::Man => {}
        Command::Sync { init, json } => sync(store, ctx, init, json, out)?,
        Command::Doctor => {
            let checks = store.doctor()?;
            writeln!(out, "{}", tf(l, T::MsgDoctorFile, &[&store.path().display()]))?;
            for c in &checks {
                let mark = if c.ok { T::DocMarkOk } else { T::DocMarkBad };
                writeln!(
                    out,
                    "{} {} {}",
                    width::pad(mark.text(l), 4),
                    width::pad(c.name.text(l), 14),
                    c.detail.render(l)
                )?;
            }
            if let Some(p) = config::default_path() {
                writeln!(out, "{}", tf(l, T::MsgDoctorConfig, &[&p.display()]))?;
            }
            if checks.iter().any(|c| !c.ok) {
                return Err(Error::refused(T::ErrDoctor, &[]));
            }
        }
    }
    Ok(())
}

/// `vadesk sync [--init] [--json]`.
fn sync(mut store: Store, ctx: &Context, init: bool, json: bool, out: &mut dyn Write) -> Result<()> {
    let l = ctx.lang;
    let cfg = ctx
        .config
        .sync
        .clone()
        .ok_or_else(|| Error::refused(T::ErrSyncNoConfig, &[]))?;
    let mut said = Vec::new();
    if init {
        let n = store.sync_init()?;
        said.push(tf(l, T::MsgSyncInit, &[&i18n::number(n as f64, l)]));
    } else if !store.is_replica()? {
        store.sync_join()?;
        said.push(T::MsgSyncJoined.text(l).to_string());
    }
    let report = crate::sync::run(store, &cfg)?;
    if json {
        write_json(out, &report)?;
        writeln!(out)?;
        return Ok(());
    }
    for line in said {
        writeln!(out, "{line}")?;
    }
    writeln!(out, "{}", crate::sync::summary(&report, l))?;
    Ok(())
}

/// `nudge quote` (or `presupuesto`) rather than a material or feedback.
fn is_quote_word(kind: &str) -> bool {
    matches!(kind.trim().to_lowercase().as_str(), "quote" | "presupuesto")
}

/// The clock for a tick: fixed with `--now` for one pass, the real clock when watching.
fn today_now(ctx: &Context, once: bool) -> NaiveDate {
    if once {
        ctx.today()
    } else {
        chrono::Local::now().date_naive().max(ctx.today())
    }
}

fn client(cmd: ClientCmd, ctx: &Context, store: &mut Store, out: &mut dyn Write) -> Result<()> {
    let l = ctx.lang;
    let today = ctx.today();
    let rules = &ctx.config.rules;
    match cmd {
        ClientCmd::Add { name, opts } => {
            let id = store.add_client(client_fields(&opts, Some(name))?, today)?;
            writeln!(out, "{id}")?;
        }
        ClientCmd::Edit { client, opts, new_name } => {
            let c = store.find_client(&client)?;
            store.edit_client(c.id, client_fields(&opts, new_name)?)?;
            writeln!(out, "{}", tf(l, T::MsgClientSaved, &[&c.id]))?;
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
                return Err(Error::invalid(T::ErrReviewInFuture, &[&on]));
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
            let field = |k: T, v: String| format!("  {:<16} {v}", k.text(l));
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
            if let Some(r) = c.rate_cents {
                writeln!(out, "{}", field(T::HRate, money::format_cents(r, cur, l)))?;
            }
            if let (Some(h), Some(fee)) = (c.retainer_min, c.fee_cents) {
                writeln!(
                    out,
                    "{}",
                    field(
                        T::HRetainer,
                        format!("{} · {}", money::hours_text(h as u64), money::format_cents(fee, cur, l))
                    )
                )?;
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

fn task(cmd: TaskCmd, ctx: &Context, store: &mut Store, out: &mut dyn Write) -> Result<()> {
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

fn quote(cmd: QuoteCmd, ctx: &Context, store: &mut Store, out: &mut dyn Write) -> Result<()> {
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
                amount_cents: money::parse_amount(&amount)?,
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
            let e = QuoteEdit {
                amount: amount.as_deref().map(money::parse_amount).transpose()?,
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

fn flag(cmd: FlagCmd, ctx: &Context, store: &mut Store, out: &mut dyn Write) -> Result<()> {
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

/// `vadesk search`: words in, best matches out. Text without a single word is a mistake here
/// (the desk's field simply shows nothing).
fn search(ctx: &Context, store: &Store, typed: &str, as_json: bool, limit: usize, out: &mut dyn Write) -> Result<()> {
    if crate::domain::search::match_query(typed).is_none() {
        return Err(Error::invalid(T::ErrEmptySearch, &[]));
    }
    let hits = store.search(typed, limit, 0)?;
    if as_json {
        let items: Vec<SearchJson> = hits.iter().map(SearchJson::new).collect();
        return print_json(out, &serde_json::json!({ "items": items }));
    }
    let l = ctx.lang;
    if hits.is_empty() {
        writeln!(out, "{}", tf(l, T::MsgNoMatches, &[&typed.trim()]))?;
        return Ok(());
    }
    let rows: Vec<Vec<String>> = hits
        .iter()
        .map(|h| {
            vec![
                h.kind.label(l).to_string(),
                h.id.to_string(),
                h.client.clone(),
                h.snippet.replace('\n', " "),
            ]
        })
        .collect();
    let h: Vec<&str> = [T::HKind, T::HId, T::HClient, T::HFound]
        .iter()
        .map(|k| k.text(l))
        .collect();
    write!(out, "{}", table(&h, &rows))?;
    Ok(())
}

fn review(ctx: &Context, store: &Store, as_json: bool, out: &mut dyn Write) -> Result<()> {
    let l = ctx.lang;
    let today = ctx.today();
    let items = store.review(today)?;
    if as_json {
        #[derive(serde::Serialize)]
        struct ReviewJson<'a> {
            now: String,
            items: &'a [crate::domain::ReviewItem],
        }
        return print_json(
            out,
            &ReviewJson {
                now: ctx.now.format("%Y-%m-%dT%H:%M:%S").to_string(),
                items: &items,
            },
        );
    }
    writeln!(out, "{}", tf(l, T::MsgReviewTitle, &[&i18n::date(today, today, l)]))?;
    if items.is_empty() {
        writeln!(out, "{}", T::MsgReviewEmpty.text(l))?;
        return Ok(());
    }
    let mut section: Option<ReviewKind> = None;
    for it in &items {
        if section != Some(it.kind) {
            writeln!(out)?;
            writeln!(out, "{}", it.kind.label(l))?;
            section = Some(it.kind);
        }
        writeln!(out, "  {}", crate::describe::review_row(it, today, l))?;
    }
    Ok(())
}

fn print_tick(report: &DetectReport, today: NaiveDate, l: Lang, out: &mut dyn Write) -> Result<()> {
    for f in &report.new_flags {
        let prefix = f.source_ref.split(':').next().unwrap_or("");
        let note = crate::describe::auto_note(prefix, &f.note, today, l).unwrap_or_else(|| f.note.clone());
        let line = if note.is_empty() {
            tf(l, T::MsgNewFlagBare, &[&f.client, &f.kind.label(l)])
        } else {
            tf(l, T::MsgNewFlag, &[&f.client, &f.kind.label(l), &note])
        };
        writeln!(out, "{line}")?;
    }
    if report.new_flags.is_empty() {
        writeln!(out, "{}", T::MsgNothingNew.text(l))?;
    }
    writeln!(out, "{}", crate::describe::counts(&report.counts, l))?;
    Ok(())
}

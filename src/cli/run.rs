//! Carries out one command against the store and prints the result.

use std::io::Write;
use std::path::PathBuf;

use chrono::{NaiveDate, NaiveDateTime};

use super::output::{explanation, round2, table, ClientJson, FlagJson, TaskJson};
use super::{Cli, ClientCmd, ClientOpts, Command, FeedbackCmd, FlagCmd, MaterialCmd, MeetingCmd, QuoteCmd, TaskCmd};
use crate::config::{self, Config};
use crate::domain::text::width;
use crate::domain::{
    dates, text, Attendance, Channel, ClientStatus, FlagKind, FlagSource, MeetingKind, Outcome, QuoteStatus,
    RequestKind, ReviewKind, TaskStatus,
};
use crate::error::{Error, Result};
use crate::i18n::{self, tf, Lang, T};
use crate::store::{ClientFields, DetectReport, NewQuote, Store, TaskFields, TaskFilter};

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
            Some(r) => Some(Some(text::parse_amount(r)?)),
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

fn json(out: &mut dyn Write, v: &impl serde::Serialize) -> Result<()> {
    serde_json::to_writer_pretty(&mut *out, v)?;
    writeln!(out)?;
    Ok(())
}

/// Runs one command.
pub fn run(cmd: Command, ctx: &Context, out: &mut dyn Write) -> Result<()> {
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
        Command::Nudge { kind, id, until } => {
            let kind = RequestKind::parse(&kind)?;
            let until = until.as_deref().map(|u| date_arg(u, ctx)).transpose()?;
            let n = store.nudge(kind, id, until, today)?;
            writeln!(out, "{}", tf(l, T::MsgNudged, &[&kind, &id, &n]))?;
        }
        Command::Quote(c) => quote(c, ctx, &mut store, out)?,
        Command::Meeting(MeetingCmd::Add { client, at, kind }) => {
            let c = store.find_client(&client)?;
            let at = dates::parse_when(&at, ctx.now)?;
            let kind = kind
                .as_deref()
                .map(MeetingKind::parse)
                .transpose()?
                .unwrap_or(MeetingKind::Other);
            let id = store.add_meeting(c.id, at, kind)?;
            writeln!(out, "{id}")?;
        }
        Command::Meeting(MeetingCmd::Attended {
            id,
            attendance,
            minutes,
        }) => {
            let a = Attendance::parse(&attendance)?;
            if a == Attendance::Pending {
                return Err(Attendance::parse("").unwrap_err());
            }
            store.record_attendance(id, a, minutes)?;
            writeln!(out, "{}", tf(l, T::MsgAttendance, &[&id, &a]))?;
        }
        Command::Flag(c) => flag(c, ctx, &mut store, out)?,
        // The review only reads: it lists what is late whether or not a flag was raised yet.
        Command::Review { json: as_json } => review(ctx, &store, as_json, out)?,
        Command::Tick {
            once,
            json: as_json,
            notify: _,
        } => loop {
            let report = store.detect(today_now(ctx, once), ctx.config.min_rate)?;
            if as_json {
                json(out, &report)?;
            } else {
                print_tick(&report, l, out)?;
            }
            out.flush()?;
            if once {
                break;
            }
            std::thread::sleep(std::time::Duration::from_secs(ctx.tick_seconds));
        },
        Command::Export { out: file } => {
            let data = store.export()?;
            match file {
                Some(path) => {
                    let text = serde_json::to_string_pretty(&data)?;
                    std::fs::write(&path, text + "\n")?;
                }
                None => json(out, &data)?,
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
                    writeln!(out, "{}", tf(l, T::MsgToolClientCreated, &[&text::clean_line(&name)]))?;
                }
                writeln!(
                    out,
                    "{}",
                    tf(
                        l,
                        T::MsgToolImported,
                        &[
                            &file.display(),
                            &text::clean_line(&name),
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
            let text_in = std::fs::read_to_string(&file).map_err(|e| Error::invalid(T::ErrBadImport, &[&shown, &e]))?;
            let report = match from.as_deref().map(str::to_lowercase).as_deref() {
                None | Some("vadesk") => {
                    let data: serde_json::Value =
                        serde_json::from_str(&text_in).map_err(|e| Error::invalid(T::ErrBadImport, &[&shown, &e]))?;
                    store.import(&data, merge, &shown)?
                }
                Some("taskwarrior") => store.import_taskwarrior(&text_in, today, &shown)?,
                Some(other) => return Err(Error::invalid(T::ErrBadFormat, &[&other])),
            };
            writeln!(
                out,
                "{}",
                tf(l, T::MsgImported, &[&report.clients, &report.tasks, &report.other])
            )?;
        }
        Command::Backup { file } => {
            store.backup(&file)?;
            writeln!(out, "{}", tf(l, T::MsgBackup, &[&file.display()]))?;
        }
        Command::Demo => {
            let r = store.load_demo(today)?;
            writeln!(out, "{}", tf(l, T::MsgDemo, &[&r.clients, &r.tasks]))?;
        }
        Command::Calendar { out: file, force } => {
            super::calendar::run(&store, ctx.now, l, file.as_deref(), force, out)?;
        }
        Command::Completions { .. } | Command::Man => {}
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
            if as_json {
                let v: Vec<ClientJson> = list.iter().map(ClientJson::new).collect();
                return json(out, &v);
            }
            if list.is_empty() {
                writeln!(out, "{}", T::MsgNoClients.text(l))?;
                return Ok(());
            }
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|s| {
                    vec![
                        s.client.id.to_string(),
                        s.client.name.clone(),
                        crate::describe::client_status(s.client.status, l).to_string(),
                        s.verdict.label(l).to_string(),
                        format!("{:.1}", s.score),
                        s.open_tasks.to_string(),
                        s.waiting_tasks.to_string(),
                        s.client
                            .channels
                            .iter()
                            .map(|c| c.kind.key())
                            .collect::<Vec<_>>()
                            .join(", "),
                    ]
                })
                .collect();
            let h = [
                T::HId,
                T::HName,
                T::HStatus,
                T::HVerdict,
                T::HScore,
                T::HOpen,
                T::HWaiting,
                T::HChannels,
            ];
            let h: Vec<&str> = h.iter().map(|k| k.text(l)).collect();
            write!(out, "{}", table(&h, &rows))?;
        }
        ClientCmd::Show { client, json: as_json } => {
            let c = store.find_client(&client)?;
            store.detect(today, ctx.config.min_rate)?;
            let (summary, assessment, flags) = store.client_summary(c.id, rules, today)?;
            if as_json {
                let mut j = ClientJson::new(&summary);
                j.flags = Some(flags.iter().map(FlagJson::new).collect());
                j.explanation = Some(explanation(&assessment));
                return json(out, &j);
            }
            let c = &summary.client;
            writeln!(out, "{} (#{})", c.name, c.id)?;
            let field = |k: T, v: String| format!("  {:<16} {v}", k.text(l));
            writeln!(
                out,
                "{}",
                field(T::FStatus, crate::describe::client_status(c.status, l).into())
            )?;
            for ch in &c.channels {
                let v = if ch.handle.is_empty() {
                    ch.kind.key().to_string()
                } else {
                    format!("{}: {}", ch.kind, ch.handle)
                };
                writeln!(out, "{}", field(T::HChannel, v))?;
            }
            if !c.tool.is_empty() {
                writeln!(out, "{}", field(T::HTool, c.tool.clone()))?;
            }
            if let Some(r) = c.rate {
                writeln!(out, "{}", field(T::HRate, format!("{r:.2}")))?;
            }
            if let Some(d) = c.review_day {
                writeln!(out, "{}", field(T::HReviewDay, i18n::weekday_name(d, l).into()))?;
            }
            writeln!(
                out,
                "{}",
                field(
                    T::HTasks,
                    tf(l, T::MsgOpenWaiting, &[&summary.open_tasks, &summary.waiting_tasks])
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
                    &[&format!("{:.2}", summary.score), &summary.verdict.label(l)]
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
                    format!("{:.2}", cb.points),
                    width::pad(cb.flag.kind.label(l), 36),
                    i18n::date(cb.flag.at, today, l),
                    tf(l, T::MsgAgeWeight, &[&i18n::days(cb.age_days, l), &cb.weight]),
                    src,
                    format_args!("#{}", cb.flag.id)
                );
                if !cb.flag.note.is_empty() {
                    line.push_str(&format!("  {}", cb.flag.note));
                }
                writeln!(out, "{}", line.trim_end())?;
            }
            let dismissed: Vec<_> = flags.iter().filter(|f| f.dismissed).collect();
            if !dismissed.is_empty() {
                writeln!(out, "{}", tf(l, T::MsgDismissedCount, &[&dismissed.len()]))?;
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
        writeln!(out, "{}", tf(l, T::MsgTaskStatus, &[&id, &s]))?;
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
            let client_id = client
                .as_deref()
                .map(|c| store.find_client(c))
                .transpose()?
                .map(|c| c.id);
            let filter = TaskFilter {
                client_id,
                status: status.as_deref().map(TaskStatus::parse).transpose()?,
                waiting_only: waiting,
                ..Default::default()
            };
            let tasks = store.list_tasks(&filter)?;
            if as_json {
                let v: Vec<TaskJson> = tasks.iter().map(TaskJson::new).collect();
                return json(out, &v);
            }
            if tasks.is_empty() {
                writeln!(out, "{}", T::MsgNoTasks.text(l))?;
                return Ok(());
            }
            let rows: Vec<Vec<String>> = tasks
                .iter()
                .map(|t| {
                    vec![
                        t.id.to_string(),
                        t.client.clone(),
                        crate::describe::task_status(t.status, l).to_string(),
                        t.due.map(|d| i18n::date_rel(d, today, l)).unwrap_or_default(),
                        t.waiting_on.iter().map(|k| k.key()).collect::<Vec<_>>().join(", "),
                        t.title.clone(),
                    ]
                })
                .collect();
            let h = [T::HId, T::HClient, T::HStatus, T::HDue, T::HWaitingOn, T::HTitle];
            let h: Vec<&str> = h.iter().map(|k| k.text(l)).collect();
            write!(out, "{}", table(&h, &rows))?;
        }
        TaskCmd::Start { id } => status_msg(store, out, id, TaskStatus::Doing)?,
        TaskCmd::Deliver { id } => status_msg(store, out, id, TaskStatus::Delivered)?,
        TaskCmd::Done { id } => status_msg(store, out, id, TaskStatus::Done)?,
        TaskCmd::Cancel { id } => status_msg(store, out, id, TaskStatus::Cancelled)?,
        TaskCmd::Ask { id } => {
            let n = store.clarify(id, today)?;
            writeln!(out, "{}", tf(l, T::MsgClarified, &[&id, &n]))?;
        }
        TaskCmd::Outcome { id, outcome } => {
            let o = Outcome::parse(&outcome)?;
            store.set_outcome(id, o, today)?;
            writeln!(out, "{}", tf(l, T::MsgOutcome, &[&id, &o]))?;
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
        } => {
            let c = store.find_client(&client)?;
            let q = NewQuote {
                amount: text::parse_amount(&amount)?,
                prep_min: prep.as_deref().map(dates::parse_duration).transpose()?.unwrap_or(0),
                sent_on: sent.as_deref().map(|s| date_arg(s, ctx)).transpose()?.unwrap_or(today),
                answer_by: answer_by.as_deref().map(|s| date_arg(s, ctx)).transpose()?,
            };
            let id = store.add_quote(c.id, q, ctx.config.quote_answer_days)?;
            writeln!(out, "{id}")?;
        }
        QuoteCmd::Accepted { id } | QuoteCmd::Rejected { id } => {
            let status = if matches!(cmd, QuoteCmd::Accepted { .. }) {
                QuoteStatus::Accepted
            } else {
                QuoteStatus::Rejected
            };
            store.answer_quote(id, status, today)?;
            writeln!(out, "{}", tf(ctx.lang, T::MsgQuoteAnswered, &[&id, &status]))?;
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
            let id = store.add_flag(c.id, kind, at, note.as_deref().unwrap_or(""))?;
            writeln!(out, "{id}")?;
        }
        FlagCmd::Dismiss { id } => {
            store.dismiss_flag(id)?;
            writeln!(out, "{}", tf(l, T::MsgFlagDismissed, &[&id]))?;
        }
        FlagCmd::List { client, json: as_json } => {
            let client_id = client
                .as_deref()
                .map(|c| store.find_client(c))
                .transpose()?
                .map(|c| c.id);
            store.detect(today, ctx.config.min_rate)?;
            let flags = store.list_flags(client_id)?;
            if as_json {
                let v: Vec<FlagJson> = flags.iter().map(FlagJson::new).collect();
                return json(out, &v);
            }
            if flags.is_empty() {
                writeln!(out, "{}", T::MsgNoFlags.text(l))?;
                return Ok(());
            }
            let rows: Vec<Vec<String>> = flags
                .iter()
                .map(|f| {
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
                        f.note.clone(),
                    ]
                })
                .collect();
            let h = [T::HId, T::HClient, T::HKind, T::HWhen, T::HSource, T::HNote];
            let h: Vec<&str> = h.iter().map(|k| k.text(l)).collect();
            write!(out, "{}", table(&h, &rows))?;
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
                return json(out, &v);
            }
            let rows: Vec<Vec<String>> = FlagKind::ALL
                .iter()
                .map(|k| {
                    vec![
                        k.key().to_string(),
                        format!("{}", round2(rules.weight(*k))),
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
        return json(
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

fn print_tick(report: &DetectReport, l: Lang, out: &mut dyn Write) -> Result<()> {
    for f in &report.new_flags {
        writeln!(
            out,
            "{}",
            tf(l, T::MsgNewFlag, &[&f.client, &f.kind.label(l), &f.source_ref])
        )?;
    }
    if report.new_flags.is_empty() {
        writeln!(out, "{}", T::MsgNothingNew.text(l))?;
    }
    writeln!(out, "{}", crate::describe::counts(&report.counts, l))?;
    Ok(())
}

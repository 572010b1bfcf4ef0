//! Carries out one command against the store and prints the result.

use std::io::Write;
use std::path::PathBuf;

use chrono::{NaiveDate, NaiveDateTime};

use super::output::{print_json, print_list, table, write_json, Listing, MeetingJson, SearchJson, TerminalSafe};
use super::records::{client, flag, quote, task};
use super::{Cli, Command, Deferred, FeedbackCmd, MaterialCmd, MeetingCmd};
use crate::config::{self, Config};
use crate::domain::text::width;
use crate::domain::{dates, Attendance, MeetingKind, RequestKind, ReviewKind};
use crate::error::{Arg, Error, Msg, Result};
use crate::files;
use crate::i18n::{self, pl, tf, Lang, P, T};
use crate::store::{DetectReport, MeetingEdit, Store};

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
        self.open_store_as(true)
    }

    /// The store for a command that `writes`, or one that only reads (`Store::open_to_read`).
    fn open_store_as(&self, writes: bool) -> Result<Store> {
        let path = match &self.db_path {
            Some(p) => p.clone(),
            None => Store::default_path()?,
        };
        let mut s = if writes {
            Store::open(&path)?
        } else {
            Store::open_to_read(&path)?
        };
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

pub(super) fn date_arg(s: &str, ctx: &Context) -> Result<NaiveDate> {
    dates::parse_date(s, ctx.today())
}

/// Runs one command. Whatever it prints goes through a writer that lets nothing drive the
/// terminal, whatever is in the store.
pub fn run(cmd: Command, ctx: &Context, out: &mut dyn Write) -> Result<()> {
    run_as(cmd, ctx, out, false)
}

/// As [`run`], in a process that ends with the command (the command line's own): what a
/// command that only reads holds at its end (its connection, the review's rows) is left to
/// the process's exit rather than freed piece by piece.
pub fn run_then_exit(cmd: Command, ctx: &Context, out: &mut dyn Write) -> Result<()> {
    run_as(cmd, ctx, out, true)
}

fn run_as(cmd: Command, ctx: &Context, out: &mut dyn Write, then_exit: bool) -> Result<()> {
    let mut safe = TerminalSafe::new(out);
    run_command(cmd, ctx, &mut safe, then_exit)?;
    safe.flush()?;
    Ok(())
}

fn run_command(cmd: Command, ctx: &Context, out: &mut TerminalSafe<'_>, then_exit: bool) -> Result<()> {
    let l = ctx.lang;
    let today = ctx.today();
    match &cmd {
        Command::Completions { shell } => return super::shell::completions(shell, l, out),
        Command::Man => return super::shell::man(l, out),
        _ => {}
    }
    // The commands that only read open the store without what keeps its tallies on a write.
    let writes = !cmd.only_reads();
    let mut store = match ctx.open_store_as(writes) {
        Ok(store) => store,
        // A store too damaged to open still gets its report: what SQLite finds in it.
        Err(e)
            if matches!(cmd, Command::Doctor)
                && match &e {
                    Error::Sqlite(_) => true,
                    Error::Refused(m) => m.key == T::ErrNotVadesk || m.key == T::ErrCorrupt,
                    _ => false,
                } =>
        {
            let path = match &ctx.db_path {
                Some(p) => p.clone(),
                None => Store::default_path()?,
            };
            if !path.exists() {
                return Err(e);
            }
            writeln!(out, "{}", tf(l, T::MsgDoctorFile, &[&path.display()]))?;
            print_checks(&crate::store::doctor::doctor_unopened(&path, &e), l, out)?;
            // A store that cannot be written here is not a damaged one: no copy to restore.
            let advice = if e.is_read_only() {
                T::MsgDoctorReadOnly
            } else {
                T::MsgDoctorRestore
            };
            writeln!(out, "{}", advice.text(l))?;
            return Err(Error::refused(T::ErrDoctor, &[]));
        }
        Err(e) => return Err(e),
    };
    match cmd {
        Command::Client(Deferred(c)) => client(c, ctx, &mut store, out)?,
        Command::Task(Deferred(c)) => task(c, ctx, &mut store, out)?,
        Command::Material(Deferred(MaterialCmd::Ask { task_id, what, by })) => {
            let by = date_arg(&by, ctx)?;
            let id = store.ask(task_id, RequestKind::Material, &what, by, today)?;
            writeln!(out, "{id}")?;
        }
        Command::Material(Deferred(MaterialCmd::Got { id })) => {
            store.receive(RequestKind::Material, id, today)?;
            writeln!(out, "{}", tf(l, T::MsgMaterialGot, &[&id]))?;
        }
        Command::Feedback(Deferred(FeedbackCmd::Ask { task_id, by })) => {
            let by = date_arg(&by, ctx)?;
            let id = store.ask(task_id, RequestKind::Feedback, "", by, today)?;
            writeln!(out, "{id}")?;
        }
        Command::Feedback(Deferred(FeedbackCmd::Got { id })) => {
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
        Command::Quote(Deferred(c)) => quote(c, ctx, &mut store, out)?,
        Command::Meeting(Deferred(MeetingCmd::Add {
            client,
            at,
            kind,
            length,
        })) => {
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
        Command::Meeting(Deferred(MeetingCmd::List { client, json: as_json })) => {
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
        Command::Meeting(Deferred(MeetingCmd::Edit { id, at, kind, length })) => {
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
        Command::Meeting(Deferred(MeetingCmd::Delete { id })) => {
            store.delete_meeting(id)?;
            writeln!(out, "{}", tf(l, T::MsgMeetingDeleted, &[&id]))?;
        }
        Command::Meeting(Deferred(MeetingCmd::Attended {
            id,
            attendance,
            minutes,
        })) => {
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
        Command::Flag(Deferred(c)) => flag(c, ctx, &mut store, out)?,
        // The review only reads: it lists what is late whether or not a flag was raised yet.
        Command::Review { json: as_json } => {
            // The review's JSON is inert as it is written (`TerminalSafe::inert`).
            let out: &mut dyn Write = if as_json { out.inert() } else { out };
            review(ctx, &store, as_json, then_exit, out)?
        }
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
                let n = |key, v: usize| pl(l, key, v as i64, &[]);
                let mut counts = vec![
                    n(P::ToolNew, r.added),
                    n(P::ToolUpdated, r.updated),
                    tf(l, T::MsgToolUnchanged, &[&r.unchanged]),
                ];
                // Only Trello has archived cards to skip.
                if tool == crate::store::import_tools::Tool::Trello {
                    counts.push(n(P::ToolSkipped, r.skipped));
                }
                // The client as the store names it (`--client acme` is Acme).
                let named = crate::domain::text::clean_line(&r.client);
                let summary = &[&file.display() as &dyn std::fmt::Display, &named, &counts.join(", ")];
                writeln!(out, "{}", tf(l, T::MsgToolImported, summary))?;
                if r.moved > 0 {
                    writeln!(out, "{}", pl(l, P::ToolMoved, r.moved as i64, &[&named]))?;
                }
                if r.replaced > 0 {
                    writeln!(
                        out,
                        "{}",
                        crate::i18n::pl(
                            l,
                            crate::i18n::P::ToolReplaced,
                            r.replaced as i64,
                            // The desk's undo key, as the config sets it.
                            &[&tool.name(), &ctx.config.keys.named(crate::tui::keys::Intent::Undo)]
                        )
                    )?;
                }
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
                    // A byte-order mark, as some editors write first, is no part of the JSON.
                    let json = text_in.strip_prefix('\u{feff}').unwrap_or(&text_in);
                    let data = crate::store::transfer::parse_export(json)
                        .map_err(|e| Error::invalid(T::ErrBadImport, &[&shown, &e]))?;
                    store.import(&data, merge, &shown)?
                }
                // Read as it goes, never whole: an export of a million tasks stays small.
                Some("taskwarrior") => {
                    let input = std::fs::File::open(&file).map_err(unreadable)?;
                    let mut input = std::io::BufReader::with_capacity(1 << 16, input);
                    if std::io::BufRead::fill_buf(&mut input)
                        .map_err(unreadable)?
                        .starts_with(b"\xEF\xBB\xBF")
                    {
                        std::io::BufRead::consume(&mut input, 3);
                    }
                    store.import_taskwarrior(input, today, &shown)?
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
            if report.updated > 0 {
                writeln!(out, "{}", pl(l, P::ImportUpdated, report.updated as i64, &[]))?;
            }
            if report.billed_kept > 0 {
                writeln!(out, "{}", pl(l, P::ImportBilledKept, report.billed_kept as i64, &[]))?;
            }
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
        Command::Time(Deferred(c)) => super::money::time(c, ctx, &mut store, out)?,
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
        Command::Sync { init, json } => return sync(store, ctx, init, json, out),
        Command::Doctor => {
            let checks = store.doctor()?;
            writeln!(out, "{}", tf(l, T::MsgDoctorFile, &[&store.path().display()]))?;
            print_checks(&checks, l, out)?;
            if let Some(p) = ctx.config.file.clone().or_else(config::default_path) {
                writeln!(out, "{}", tf(l, T::MsgDoctorConfig, &[&p.display()]))?;
            }
            if checks.iter().any(|c| !c.ok) {
                return Err(Error::refused(T::ErrDoctor, &[]));
            }
        }
    }
    if then_exit && !writes && store.wal_is_empty() {
        // A connection that only read, with no log to copy into the store at its close (an
        // upgrade made on opening leaves one): closed by the exit.
        std::mem::forget(store);
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
    crate::sync::check_folder(&cfg, init)?;
    if init {
        let n = store.sync_init()?;
        said.push(tf(l, T::MsgSyncInit, &[&i18n::number(n as f64, l)]));
    } else if !store.is_replica()? {
        store.sync_join()?;
        said.push(T::MsgSyncJoined.text(l).to_string());
    }
    let report = crate::sync::run(store, &cfg, init)?;
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

fn review(ctx: &Context, store: &Store, as_json: bool, then_exit: bool, out: &mut dyn Write) -> Result<()> {
    let l = ctx.lang;
    let today = ctx.today();
    if as_json {
        let review = store.review_lines(today)?;
        let now = ctx.now.format("%Y-%m-%dT%H:%M:%S").to_string();
        let printed = super::output::print_review_json(out, &now, review.lines());
        if then_exit {
            // Its rows (thousands in a big store) are left to the exit.
            std::mem::forget(review);
        }
        return printed;
    }
    let items = store.review(today)?;
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

/// The doctor's report, a line a check.
fn print_checks(checks: &[crate::store::doctor::Check], l: Lang, out: &mut dyn Write) -> Result<()> {
    for c in checks {
        let mark = if c.ok { T::DocMarkOk } else { T::DocMarkBad };
        writeln!(
            out,
            "{} {} {}",
            width::pad(mark.text(l), 4),
            width::pad(c.name.text(l), 14),
            c.detail.render(l)
        )?;
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
    if !report.recurring.is_empty() {
        writeln!(out, "{}", pl(l, P::RepeatsMade, report.recurring.len() as i64, &[]))?;
    }
    if report.new_flags.is_empty() && report.recurring.is_empty() {
        writeln!(out, "{}", T::MsgNothingNew.text(l))?;
    }
    writeln!(out, "{}", crate::describe::counts(&report.counts, l))?;
    Ok(())
}

//! The command line's own words in the user's language: `--help` of every command and the
//! errors clap reports. Every text comes from the i18n catalogue.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command, CommandFactory};

use super::Cli;
use crate::i18n::{tf, Lang, T};

/// What a command is for, by its path ("vadesk client add").
fn about(path: &str) -> Option<T> {
    Some(match path {
        "vadesk" => T::CliAbout,
        "vadesk client" => T::CliClient,
        "vadesk client add" => T::CliClientAdd,
        "vadesk client edit" => T::CliClientEdit,
        "vadesk client list" => T::CliClientList,
        "vadesk client show" => T::CliClientShow,
        "vadesk task" => T::CliTask,
        "vadesk task add" => T::CliTaskAdd,
        "vadesk task list" => T::CliTaskList,
        "vadesk task start" => T::CliTaskStart,
        "vadesk task deliver" => T::CliTaskDeliver,
        "vadesk task done" => T::CliTaskDone,
        "vadesk task cancel" => T::CliTaskCancel,
        "vadesk task ask" => T::CliTaskAsk,
        "vadesk task outcome" => T::CliTaskOutcome,
        "vadesk material" => T::CliMaterial,
        "vadesk material ask" => T::CliMaterialAsk,
        "vadesk material got" => T::CliMaterialGot,
        "vadesk feedback" => T::CliFeedback,
        "vadesk feedback ask" => T::CliFeedbackAsk,
        "vadesk feedback got" => T::CliFeedbackGot,
        "vadesk nudge" => T::CliNudge,
        "vadesk quote" => T::CliQuote,
        "vadesk quote add" => T::CliQuoteAdd,
        "vadesk quote accepted" => T::CliQuoteAccepted,
        "vadesk quote rejected" => T::CliQuoteRejected,
        "vadesk quote list" => T::CliQuoteList,
        "vadesk quote edit" => T::CliQuoteEdit,
        "vadesk quote delete" => T::CliQuoteDelete,
        "vadesk meeting list" => T::CliMeetingList,
        "vadesk meeting edit" => T::CliMeetingEdit,
        "vadesk meeting delete" => T::CliMeetingDelete,
        "vadesk client reviewed" => T::CliClientReviewed,
        "vadesk task edit" => T::CliTaskEdit,
        "vadesk meeting" => T::CliMeeting,
        "vadesk meeting add" => T::CliMeetingAdd,
        "vadesk meeting attended" => T::CliMeetingAttended,
        "vadesk flag" => T::CliFlag,
        "vadesk flag add" => T::CliFlagAdd,
        "vadesk flag dismiss" => T::CliFlagDismiss,
        "vadesk flag list" => T::CliFlagList,
        "vadesk flag kinds" => T::CliFlagKinds,
        "vadesk review" => T::CliReview,
        "vadesk search" => T::CliSearch,
        "vadesk tick" => T::CliTick,
        "vadesk export" => T::CliExport,
        "vadesk import" => T::CliImport,
        "vadesk backup" => T::CliBackup,
        "vadesk demo" => T::CliDemo,
        "vadesk doctor" => T::CliDoctor,
        "vadesk time" => T::CliTime,
        "vadesk time start" => T::CliTimeStart,
        "vadesk time stop" => T::CliTimeStop,
        "vadesk time log" => T::CliTimeLog,
        "vadesk time edit" => T::CliTimeEdit,
        "vadesk time delete" => T::CliTimeDelete,
        "vadesk time list" => T::CliTimeList,
        "vadesk statement" => T::CliStatement,
        "vadesk calendar" => T::CliCalendar,
        "vadesk sync" => T::CliSync,
        "vadesk completions" => T::CliCompletions,
        "vadesk man" => T::CliMan,
        _ => return None,
    })
}

/// What an argument means, by command path and argument id.
fn arg_help(path: &str, id: &str) -> Option<T> {
    Some(match (path, id) {
        (_, "db") => T::ArgDb,
        ("vadesk sync", "init") => T::ArgSyncInit,
        ("vadesk time start", "task_id") => T::ArgTimeTask,
        ("vadesk time start" | "vadesk time log", "client") => T::ArgTimeClient,
        ("vadesk time stop", "at") => T::ArgStopAt,
        ("vadesk statement", "client") => T::ArgClient,
        ("vadesk statement", "out") => T::ArgOut,
        (p, "note") if p.starts_with("vadesk time") => T::ArgTimeNote,
        (_, "keep") => T::ArgKeep,
        (_, "first") => T::ArgTimeFirst,
        (_, "duration") => T::ArgTimeDuration,
        ("vadesk client reviewed", "on") => T::ArgReviewOn,
        ("vadesk time log", "on") => T::ArgTimeLogOn,
        (_, "on") => T::ArgTimeOn,
        (_, "unbilled") => T::ArgUnbilled,
        (_, "billable") => T::ArgBillable,
        (_, "task") => T::ArgTimeTask,
        ("vadesk calendar", "force") => T::ArgCalendarForce,
        (_, "force") => T::ArgForce,
        (_, "month") => T::ArgMonth,
        (_, "csv") => T::ArgCsv,
        (_, "all") => T::ArgAll,
        (_, "mark_billed") => T::ArgMarkBilled,
        (_, "currency") => T::ArgCurrency,
        (_, "increment") => T::ArgIncrement,
        (_, "retainer") => T::ArgRetainer,
        (_, "fee") => T::ArgFee,
        (_, "overage_rate") => T::ArgOverageRate,
        (_, "now") => T::ArgNow,
        (_, "lang") => T::ArgLang,
        (_, "tick") => T::ArgTick,
        (_, "config") => T::ArgConfig,
        (_, "json") => T::ArgJson,
        (_, "id") => T::ArgId,
        ("vadesk task edit", "client") => T::ArgMoveClient,
        ("vadesk import", "client") => T::ArgImportClient,
        (_, "client") => T::ArgClient,
        (_, "name") => T::ArgName,
        (_, "new_name") => T::ArgNewName,
        ("vadesk task list", "status") => T::ArgTaskStatus,
        ("vadesk quote list", "status") => T::ArgQuoteStatus,
        (_, "status") => T::ArgClientStatus,
        (_, "channels") => T::ArgChannels,
        (_, "rate") => T::ArgRate,
        (_, "review_day") => T::ArgReviewDay,
        (_, "tool") => T::ArgTool,
        (_, "notes") => T::ArgNotes,
        (_, "title") => T::ArgTitle,
        (_, "due") => T::ArgDue,
        (_, "spec") => T::ArgSpec,
        (_, "via") => T::ArgVia,
        (_, "estimate") => T::ArgEstimate,
        (_, "waiting") => T::ArgWaiting,
        (_, "outcome") => T::ArgOutcome,
        (_, "task_id") => T::ArgTaskId,
        (_, "what") => T::ArgWhat,
        (_, "by") => T::ArgBy,
        ("vadesk nudge", "kind") => T::ArgNudgeKind,
        ("vadesk meeting add" | "vadesk meeting edit", "kind") => T::ArgMeetingKind,
        (_, "kind") => T::ArgFlagKind,
        (_, "until") => T::ArgUntil,
        (_, "amount") => T::ArgAmount,
        (_, "prep") => T::ArgPrep,
        (_, "sent") => T::ArgSent,
        (_, "answer_by") => T::ArgAnswerBy,
        ("vadesk meeting add" | "vadesk meeting edit", "at") => T::ArgMeetingAt,
        (_, "description") => T::ArgQuoteFor,
        (_, "length") => T::ArgLength,
        (_, "missed") => T::ArgMissed,
        (_, "at") => T::ArgFlagAt,
        (_, "attendance") => T::ArgAttendance,
        (_, "minutes") => T::ArgMinutes,
        (_, "note") => T::ArgNote,
        (_, "once") => T::ArgOnce,
        ("vadesk search", "text") => T::ArgSearchText,
        ("vadesk task add", "every") => T::ArgEvery,
        (_, "every") => T::ArgEveryEdit,
        ("vadesk search", "limit") => T::ArgSearchLimit,
        (_, "out") => T::ArgOut,
        ("vadesk backup", "file") => T::ArgBackupFile,
        (_, "file") => T::ArgImportFile,
        (_, "from") => T::ArgFrom,
        (_, "merge") => T::ArgMerge,
        (_, "shell") => T::ArgShell,
        (_, "notify") => T::ArgNotify,
        _ => return None,
    })
}

/// Placeholders in Spanish (`<FECHA>` for `<DATE>`).
fn value_name(name: &str, lang: Lang) -> Option<&'static str> {
    if lang == Lang::En {
        return None;
    }
    Some(match name {
        "PATH" => "RUTA",
        "WHEN" => "CUÁNDO",
        "SECONDS" => "SEGUNDOS",
        "S" => "ESTADO",
        "KIND[:HANDLE]" => "TIPO[:CONTACTO]",
        "DAY" => "DÍA",
        "TEXT" => "TEXTO",
        "DATE" => "FECHA",
        "KIND" => "TIPO",
        "DURATION" => "DURACIÓN",
        "NEW" => "NUEVO",
        "FILE" => "ARCHIVO",
        "FORMAT" => "FORMATO",
        "NAME" => "NOMBRE",
        "CLIENT" => "CLIENTE",
        "TITLE" => "TÍTULO",
        "TASK_ID" => "ID_TAREA",
        "WHAT" => "QUÉ",
        "OUTCOME" => "RESULTADO",
        "ATTENDANCE" => "ASISTENCIA",
        "HOURS" => "HORAS",
        "CODE" => "CÓDIGO",
        "YYYY-MM" => "AAAA-MM",
        "TASK_ID|DURATION" => "ID_TAREA|DURACIÓN",
        "SHELL" => "SHELL",
        "RULE" => "REGLA",
        "N" => "N",
        _ => return None,
    })
}

/// The usage line's own placeholders, which clap writes in English.
pub fn localize_usage(text: &str, lang: Lang) -> String {
    match lang {
        Lang::En => text.to_string(),
        Lang::Es => text
            .replace("[OPTIONS]", "[OPCIONES]")
            .replace("<COMMAND>", "<COMANDO>")
            .replace("[COMMAND]", "[COMANDO]"),
    }
}

fn localize(mut cmd: Command, parent: &str, lang: Lang) -> Command {
    let path = if parent.is_empty() {
        cmd.get_name().to_string()
    } else {
        format!("{parent} {}", cmd.get_name())
    };
    if let Some(t) = about(&path) {
        cmd = cmd.about(t.text(lang)).long_about(None);
    }
    let ids: Vec<String> = cmd.get_arguments().map(|a| a.get_id().to_string()).collect();
    for id in ids {
        let help = arg_help(&path, &id);
        cmd = cmd.mut_arg(id, |a| {
            let heading = if a.is_positional() {
                T::CliArguments
            } else {
                T::CliOptions
            };
            let mut a = a.help_heading(heading.text(lang)).hide_env(true);
            let shown = a
                .get_value_names()
                .and_then(|v| v.first())
                .map(|v| v.to_string())
                .unwrap_or_else(|| a.get_id().to_string().to_uppercase());
            if let Some(es) = value_name(&shown, lang) {
                a = a.value_name(es);
            }
            match help {
                Some(t) => a.help(t.text(lang)),
                None => a,
            }
        });
    }
    cmd = cmd
        .disable_help_flag(true)
        .disable_help_subcommand(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help(T::ArgHelp.text(lang))
                .help_heading(T::CliOptions.text(lang)),
        )
        .help_template(tf(lang, T::CliTemplate, &[]))
        .subcommand_help_heading(T::CliCommands.text(lang));
    if path == "vadesk" {
        cmd = cmd.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help(T::ArgVersion.text(lang))
                .help_heading(T::CliOptions.text(lang)),
        );
    }
    let subs: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    for s in subs {
        cmd = cmd.mut_subcommand(s, |sc| localize(sc, &path, lang));
    }
    cmd
}

/// The command tree with every help text in `lang`.
pub fn command(lang: Lang) -> Command {
    localize(Cli::command(), "", lang)
}

/// The language to speak before the arguments are parsed: `--lang`, then the config's,
/// then the environment's.
pub fn early_lang(args: &[std::ffi::OsString]) -> Lang {
    let mut it = args.iter().filter_map(|a| a.to_str());
    let mut from_flag = None;
    let mut config_path = None;
    while let Some(a) = it.next() {
        if let Some(v) = a.strip_prefix("--lang=") {
            from_flag = Lang::from_key(v);
        } else if a == "--lang" {
            from_flag = it.next().and_then(Lang::from_key);
        } else if let Some(v) = a.strip_prefix("--config=") {
            config_path = Some(std::path::PathBuf::from(v));
        } else if a == "--config" {
            config_path = it.next().map(std::path::PathBuf::from);
        }
    }
    let from_config = || {
        let path = config_path.clone().or_else(crate::config::default_path)?;
        crate::config::load(&path, false).ok()?.language
    };
    from_flag
        .or_else(from_config)
        .or_else(|| Lang::from_env(|k| std::env::var(k).ok()))
        .unwrap_or_default()
}

/// clap's error, said in the user's language (clap speaks only English).
pub fn error_message(e: &clap::Error, lang: Lang) -> String {
    let ctx = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join(", "),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let line = match e.kind() {
        ErrorKind::InvalidValue | ErrorKind::ValueValidation if ctx(ContextKind::InvalidValue).is_empty() => {
            tf(lang, T::ClapNeedsValue, &[&ctx(ContextKind::InvalidArg)])
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => tf(
            lang,
            T::ClapInvalidValue,
            &[&ctx(ContextKind::InvalidValue), &ctx(ContextKind::InvalidArg)],
        ),
        ErrorKind::UnknownArgument => tf(lang, T::ClapUnknownArg, &[&ctx(ContextKind::InvalidArg)]),
        ErrorKind::InvalidSubcommand => tf(lang, T::ClapUnknownCommand, &[&ctx(ContextKind::InvalidSubcommand)]),
        ErrorKind::MissingRequiredArgument => tf(lang, T::ClapMissing, &[&ctx(ContextKind::InvalidArg)]),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            T::ClapMissingCommand.text(lang).to_string()
        }
        ErrorKind::ArgumentConflict => {
            let (arg, prior) = (ctx(ContextKind::InvalidArg), ctx(ContextKind::PriorArg));
            if prior.is_empty() {
                tf(lang, T::ClapConflict, &[&arg])
            } else if prior == arg {
                tf(lang, T::ClapGivenTwice, &[&arg])
            } else {
                tf(lang, T::ClapConflictWith, &[&arg, &prior])
            }
        }
        _ => T::ClapOther.text(lang).to_string(),
    };
    let usage = match e.get(ContextKind::Usage) {
        Some(ContextValue::StyledStr(s)) => {
            localize_usage(&s.to_string().replace("Usage:", T::CliUsage.text(lang)), lang)
        }
        _ => String::new(),
    };
    let usage = usage.trim();
    if usage.is_empty() {
        format!("vadesk: {line}\n{}", T::ClapTryHelp.text(lang))
    } else {
        format!("vadesk: {line}\n\n{usage}\n\n{}", T::ClapTryHelp.text(lang))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(cmd: &Command, path: String, out: &mut Vec<(String, String, String)>) {
        for a in cmd.get_arguments() {
            let help = a.get_help().map(|h| h.to_string()).unwrap_or_default();
            out.push((path.clone(), a.get_id().to_string(), help));
        }
        out.push((
            path.clone(),
            "(about)".into(),
            cmd.get_about().map(|h| h.to_string()).unwrap_or_default(),
        ));
        for s in cmd.get_subcommands() {
            walk(s, format!("{path} {}", s.get_name()), out);
        }
    }

    #[test]
    fn every_command_and_argument_is_explained_in_both_languages() {
        let mut en = Vec::new();
        let mut es = Vec::new();
        walk(&command(Lang::En), "vadesk".into(), &mut en);
        walk(&command(Lang::Es), "vadesk".into(), &mut es);
        assert_eq!(en.len(), es.len());
        for ((path, id, e), (_, _, s)) in en.iter().zip(&es) {
            assert!(!e.is_empty(), "{path} {id} has no English help");
            assert!(!s.is_empty(), "{path} {id} has no Spanish help");
            if id != "json" {
                assert_ne!(e, s, "{path} {id} is not translated");
            }
        }
    }

    #[test]
    fn the_language_comes_from_the_flag_first() {
        let args = |v: &[&str]| v.iter().map(std::ffi::OsString::from).collect::<Vec<_>>();
        assert_eq!(early_lang(&args(&["vadesk", "--lang", "es", "review"])), Lang::Es);
        assert_eq!(early_lang(&args(&["vadesk", "review", "--lang=en"])), Lang::En);
    }
}

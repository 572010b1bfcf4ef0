//! Completion scripts and the man page, generated from the same localized command tree as
//! `--help`, so they speak the interface language and never drift from the parser.

use std::io::Write;
use std::str::FromStr;

use clap::Command;
use clap_complete::Shell;

use crate::error::{Error, Result};
use crate::i18n::{Lang, T};

/// Writes the completion script for `shell` ("bash", "zsh", "fish", "elvish", "powershell").
pub fn completions(shell: &str, lang: Lang, out: &mut dyn Write) -> Result<()> {
    let sh = Shell::from_str(&shell.trim().to_lowercase()).map_err(|_| Error::invalid(T::ErrBadShell, &[&shell]))?;
    let mut cmd = super::help::command(lang);
    // Generated whole first: the generator panics on a failed write (a closed pipe, a full
    // disk), which is ours to say.
    let mut script = Vec::new();
    clap_complete::generate(sh, &mut cmd, "vadesk", &mut script);
    out.write_all(&script)?;
    Ok(())
}

/// Writes the man page: the main page clap_mangen draws, then every command at every depth
/// with its usage and arguments, section titles in `lang`.
pub fn man(lang: Lang, out: &mut dyn Write) -> Result<()> {
    let mut cmd = super::help::command(lang);
    cmd.build();
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut page)?;
    let mut page = String::from_utf8_lossy(&page).into_owned();
    if lang != Lang::En {
        for (en, key) in [
            ("NAME", T::ManName),
            ("SYNOPSIS", T::ManSynopsis),
            ("DESCRIPTION", T::ManDescription),
            ("OPTIONS", T::ManOptions),
            ("SUBCOMMANDS", T::ManSubcommands),
            ("VERSION", T::ManVersion),
        ] {
            page = page.replace(
                &format!("\n.SH {en}\n"),
                &format!("\n.SH {}\n", roff_heading(key.text(lang))),
            );
        }
    }
    // Headings taken from the help headings ("Comandos") read as man headings do: capitals.
    let page: Vec<String> = page
        .lines()
        .map(|l| match l.strip_prefix(".SH ") {
            Some(h) => format!(".SH {}", h.to_uppercase()),
            None => l.to_string(),
        })
        .collect();
    writeln!(out, "{}", page.join("\n"))?;
    writeln!(out, ".SH {}", roff_heading(T::ManAllCommands.text(lang)))?;
    for sub in cmd.get_subcommands() {
        describe(sub, lang, out)?;
    }
    Ok(())
}

fn describe(cmd: &Command, lang: Lang, out: &mut dyn Write) -> Result<()> {
    let usage = cmd.clone().render_usage().to_string();
    let usage = usage.split_once(':').map(|(_, u)| u.trim()).unwrap_or(usage.trim());
    let usage = super::help::localize_usage(usage, lang);
    writeln!(out, ".SS {}", roff_text(&usage))?;
    if let Some(about) = cmd.get_about() {
        writeln!(out, "{}", roff_text(&about.to_string()))?;
    }
    for a in cmd.get_arguments() {
        let id = a.get_id().as_str();
        if id == "help" || a.is_global_set() {
            continue;
        }
        let name = match (a.get_long(), a.is_positional()) {
            (Some(l), false) => format!("--{l}"),
            _ => a
                .get_value_names()
                .and_then(|v| v.first())
                .map(|v| format!("<{v}>"))
                .unwrap_or_else(|| id.to_uppercase()),
        };
        writeln!(out, ".TP\n\\fB{}\\fR", roff_text(&name))?;
        if let Some(h) = a.get_help() {
            writeln!(out, "{}", roff_text(&h.to_string()))?;
        }
    }
    for sub in cmd.get_subcommands() {
        describe(sub, lang, out)?;
    }
    Ok(())
}

fn roff_heading(s: &str) -> String {
    format!("\"{}\"", s.replace('"', ""))
}

/// Plain text as one roff line: backslashes escaped, no line starting a request.
fn roff_text(s: &str) -> String {
    let s = s.replace('\\', "\\e").replace('\n', " ");
    if s.starts_with('.') || s.starts_with('\'') {
        format!("\\&{s}")
    } else {
        s
    }
}

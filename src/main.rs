use std::io::Write;
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::FromArgMatches;
use vadesk::cli::{self, Cli};
use vadesk::i18n::Lang;

fn main() -> ExitCode {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let lang = cli::early_lang(&argv);
    // The command line is first read against the plain command tree: localizing every help
    // text of every command costs more than reading the arguments. Only what the plain tree
    // accepts is taken from it (localizing changes texts, never what is accepted); help,
    // version and every error go through the localized tree, as they always did.
    let parsed = match cli::parsing_command()
        .try_get_matches_from(&argv)
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(args) => Ok(args),
        Err(_) => cli::localized_command(lang)
            .try_get_matches_from(&argv)
            .and_then(|m| Cli::from_arg_matches(&m)),
    };
    let args = match parsed {
        Ok(args) => args,
        Err(e) => return usage_error(&e, lang),
    };
    let ctx = match cli::resolve(&args) {
        Ok(ctx) => ctx,
        Err(e) => return fail(&e, cli::early_lang(&argv)),
    };
    let result = match args.command {
        Some(cmd) => {
            // Buffered: a line-buffered stdout would make one system call per line of JSON.
            let mut out = std::io::BufWriter::with_capacity(
                64 * 1024,
                Output {
                    inner: std::io::stdout().lock(),
                    failed: None,
                },
            );
            let r = cli::run_then_exit(cmd, &ctx, &mut out);
            // What is still buffered counts too: a reader gone at the end is a broken pipe.
            let flushed = out.flush().map_err(vadesk::Error::from);
            let r = r.and(flushed).map(|()| 0);
            // Output that could not be written is said as such: the command itself ran.
            match (r, out.get_ref().failed.as_ref()) {
                (Err(e @ (vadesk::Error::Io(_) | vadesk::Error::Json(_))), Some(io)) if !e.is_broken_pipe() => {
                    Err(vadesk::Error::io_refused(vadesk::i18n::T::ErrOutput, io))
                }
                (r, _) => r,
            }
        }
        None => vadesk::tui::run(&ctx),
    };
    match result {
        Ok(status) => ExitCode::from(status),
        // The reader stopped early (`vadesk task list | head`): that is its right, not an error.
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => fail(&e, ctx.lang),
    }
}

/// The standard output, remembering why a write to it failed.
struct Output<W: Write> {
    inner: W,
    failed: Option<std::io::Error>,
}

impl<W: Write> Write for Output<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.inner.write(buf).inspect_err(|e| self.note(e))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush().inspect_err(|e| self.note(e))
    }
}

impl<W: Write> Output<W> {
    fn note(&mut self, e: &std::io::Error) {
        if self.failed.is_none() {
            self.failed = Some(match e.raw_os_error() {
                Some(code) => std::io::Error::from_raw_os_error(code),
                None => std::io::Error::new(e.kind(), e.to_string()),
            });
        }
    }
}

/// Help and version are printed as they are; anything else is said in the user's language.
fn usage_error(e: &clap::Error, lang: Lang) -> ExitCode {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            // A reader that stops early is no error here either; a full disk is.
            let mut out = std::io::stdout().lock();
            match out
                .write_all(safe(&cli::localize_usage(&e.render().to_string(), lang)).as_bytes())
                .and_then(|()| out.flush())
            {
                Err(io) if io.kind() != std::io::ErrorKind::BrokenPipe => {
                    fail(&vadesk::Error::io_refused(vadesk::i18n::T::ErrOutput, &io), lang)
                }
                _ => ExitCode::SUCCESS,
            }
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            say(&cli::localize_usage(&e.render().to_string(), lang));
            ExitCode::from(2)
        }
        _ => {
            say(&format!("{}\n", cli::error_message(e, lang)));
            ExitCode::from(2)
        }
    }
}

fn fail(e: &vadesk::Error, lang: Lang) -> ExitCode {
    say(&format!("vadesk: {}\n", e.localized(lang)));
    ExitCode::from(if e.is_usage() { 2 } else { 1 })
}

/// Writes a message to stderr; a stderr that is closed or gone is no reason to panic (the exit
/// status still tells).
fn say(msg: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(safe(msg).as_bytes()).and_then(|()| err.flush());
}

/// Messages may echo what was typed or stored: nothing in them may drive the terminal.
fn safe(s: &str) -> std::borrow::Cow<'_, str> {
    vadesk::domain::text::terminal_text(s)
}

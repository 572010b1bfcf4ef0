use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use vadesk::cli::{self, Cli};

fn main() -> ExitCode {
    let args = Cli::parse();
    let ctx = match cli::resolve(&args) {
        Ok(ctx) => ctx,
        Err(e) => {
            return fail(
                &e,
                vadesk::i18n::Lang::from_env(|k| std::env::var(k).ok()).unwrap_or_default(),
            )
        }
    };
    let result = match args.command {
        Some(cmd) => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            let r = cli::run(cmd, &ctx, &mut out);
            let _ = out.flush();
            r
        }
        None => vadesk::tui::run(&ctx),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e, ctx.lang),
    }
}

fn fail(e: &vadesk::Error, lang: vadesk::i18n::Lang) -> ExitCode {
    eprintln!("vadesk: {}", e.localized(lang));
    ExitCode::from(if e.is_usage() { 2 } else { 1 })
}

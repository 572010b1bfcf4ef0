//! The terminal desk: one input thread and the tick thread send `Msg`s to the main loop,
//! which updates the `App` and redraws only after something happened.

mod actions;
pub mod app;
pub mod exit;
mod filter;
pub mod form;
pub mod keys;
pub mod tick;
pub mod ui;
pub mod update;

use std::sync::mpsc;

use crossterm::event::{self, Event, KeyEventKind};
use ratatui::DefaultTerminal;

use crate::cli::Context;
use crate::error::Result;
use crate::store::Store;
pub use app::App;
pub use update::{update, Msg};

/// Whether colour is wanted (`NO_COLOR` set to anything non-empty turns it off).
pub fn color_wanted() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// A desk ready to draw: data loaded, the welcome offered on an empty store.
pub fn prepare(ctx: &Context, store: &mut Store, color: bool) -> Result<App> {
    store.enable_undo()?;
    store.set_now(ctx.fixed_now.then_some(ctx.now));
    let mut app = App::new(ctx.lang, ctx.now, ctx.fixed_now, ctx.config.clone(), color);
    // The desk opens on the first client; "All clients" is one key (g) away.
    app.client_sel = 1;
    app.reload(store)?;
    if store.is_empty()? {
        actions::welcome(&mut app);
    }
    Ok(app)
}

/// Runs the desk; returns the exit status: 0 when the user quit, 128 + the signal's number
/// after a terminating signal, 129 when the terminal went away.
pub fn run(ctx: &Context) -> Result<u8> {
    // Opened before the terminal is taken, so a refusal prints as a plain message.
    let mut store = ctx.open_store()?;
    let mut app = prepare(ctx, &mut store, color_wanted())?;
    let (tx, rx) = mpsc::channel::<Msg>();
    // Watched before the terminal is taken: from here on a signal is a message, not a death
    // that leaves the terminal in raw mode on the alternate screen.
    exit::watch(&tx)?;
    let mut terminal = ratatui::init();
    // A paste arrives as text, never as keys that could save or delete.
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste);
    let result = event_loop(&mut terminal, &mut app, &mut store, ctx, tx, rx);
    restore();
    // The terminal's own farewell prints to stderr when its terminal is gone: skip it then.
    if terminal.show_cursor().is_err() {
        std::mem::forget(terminal);
    }
    result
}

/// Gives the terminal back as it was: cooked mode, no bracketed paste, main screen, cursor shown. Each step is
/// tried even if another failed, and a terminal that is gone is no error to print.
fn restore() {
    use crossterm::{cursor, execute, terminal};
    let _ = terminal::disable_raw_mode();
    let _ = execute!(
        std::io::stdout(),
        crossterm::event::DisableBracketedPaste,
        terminal::LeaveAlternateScreen,
        cursor::Show
    );
}

fn event_loop(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    store: &mut Store,
    ctx: &Context,
    tx: mpsc::Sender<Msg>,
    rx: mpsc::Receiver<Msg>,
) -> Result<u8> {
    let input_tx = tx.clone();
    // The one reader of terminal input. It is not joined: it ends with the process.
    std::thread::spawn(move || loop {
        let msg = match event::read() {
            Ok(Event::Key(k)) if k.kind == KeyEventKind::Press => Msg::Key(k),
            Ok(Event::Resize(w, h)) => Msg::Resize(w, h),
            Ok(Event::Paste(text)) => Msg::Paste(text),
            Ok(_) => continue,
            Err(_) => Msg::TerminalGone,
        };
        let last = matches!(msg, Msg::TerminalGone);
        if input_tx.send(msg).is_err() || last {
            return;
        }
    });
    let stop = tick::Stopper::default();
    tick::spawn(
        tick::TickConfig {
            db: store.path().to_path_buf(),
            seconds: ctx.tick_seconds,
            fixed_now: ctx.fixed_now.then_some(ctx.now),
            min_rate: ctx.config.min_rate,
            lang: ctx.lang,
        },
        tx,
        stop.clone(),
    );
    let size = terminal.size()?;
    app.size = (size.width, size.height);
    let mut status = 0;
    let mut handle = |app: &mut App, msg: Msg, store: &mut Store| {
        match msg {
            Msg::Signal(sig) => status = exit::status_for_signal(sig),
            Msg::TerminalGone => status = exit::TERMINAL_GONE_STATUS,
            _ => {}
        }
        update(app, msg, store);
    };
    let outcome = loop {
        if let Err(e) = terminal.draw(|f| ui::render(app, f)) {
            if exit::terminal_gone_now() {
                status = exit::TERMINAL_GONE_STATUS;
                break Ok(());
            }
            break Err(e.into());
        }
        let Ok(msg) = rx.recv() else { break Ok(()) };
        handle(app, msg, store);
        // Coalesce what queued up meanwhile into one redraw.
        while !app.quit {
            match rx.try_recv() {
                Ok(m) => handle(app, m, store),
                Err(_) => break,
            }
        }
        if app.quit {
            break Ok(());
        }
    };
    stop.stop();
    outcome.map(|()| status)
}

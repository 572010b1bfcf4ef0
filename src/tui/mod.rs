//! The terminal desk: one input thread and the tick thread send `Msg`s to the main loop,
//! which updates the `App` and redraws only after something happened.

mod actions;
pub mod app;
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

pub fn run(ctx: &Context) -> Result<()> {
    // Opened before the terminal is taken, so a refusal prints as a plain message.
    let mut store = ctx.open_store()?;
    let mut app = prepare(ctx, &mut store, color_wanted())?;
    let mut terminal = ratatui::init();
    let result = event_loop(&mut terminal, &mut app, &mut store, ctx);
    ratatui::restore();
    result
}

fn event_loop(terminal: &mut DefaultTerminal, app: &mut App, store: &mut Store, ctx: &Context) -> Result<()> {
    let (tx, rx) = mpsc::channel::<Msg>();
    let input_tx = tx.clone();
    // The one reader of terminal input. It is not joined: it ends with the process.
    std::thread::spawn(move || loop {
        let msg = match event::read() {
            Ok(Event::Key(k)) if k.kind == KeyEventKind::Press => Msg::Key(k),
            Ok(Event::Resize(w, h)) => Msg::Resize(w, h),
            Ok(_) => continue,
            Err(_) => return,
        };
        if input_tx.send(msg).is_err() {
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
    let outcome = loop {
        if let Err(e) = terminal.draw(|f| ui::render(app, f)) {
            break Err(e.into());
        }
        let Ok(msg) = rx.recv() else { break Ok(()) };
        update(app, msg, store);
        // Coalesce what queued up meanwhile into one redraw.
        while !app.quit {
            match rx.try_recv() {
                Ok(m) => update(app, m, store),
                Err(_) => break,
            }
        }
        if app.quit {
            break Ok(());
        }
    };
    stop.stop();
    outcome
}

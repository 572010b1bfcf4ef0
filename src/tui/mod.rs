//! The terminal desk: the main loop reads the terminal itself, takes the `Msg`s the tick and
//! the other threads send it, updates the `App` and redraws only after something happened.

mod actions;
pub mod app;
pub mod client_view;
pub mod deals;
pub mod exit;
mod filter;
pub mod form;
mod input;
pub mod keymap;
pub mod keys;
mod review_list;
mod search;
pub mod tick;
pub mod time_actions;
pub mod ui;
pub mod update;

use std::sync::mpsc;
use std::time::Duration;

use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;

/// The desk's terminal: a frame's output is gathered in one buffer and written at its end, in
/// one write, rather than in the many small writes of a line-buffered stdout.
type DeskTerminal = Terminal<CrosstermBackend<std::io::BufWriter<std::io::Stdout>>>;

use crate::cli::Context;
use crate::error::Result;
use crate::store::Store;
pub use app::App;
pub use update::{update, EditorFailure, Msg};

/// Whether colour is wanted (`NO_COLOR` set to anything non-empty turns it off).
pub fn color_wanted() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// A desk ready to draw: data loaded, the welcome offered on an empty store.
pub fn prepare(ctx: &Context, store: &mut Store, color: bool) -> Result<App> {
    let mut app = prepare_launch(ctx, store, color)?;
    app.finish_launch(store)?;
    Ok(app)
}

/// The desk as its first frame shows it: the review and the late counts are read after that
/// frame (`App::finish_launch`).
pub fn prepare_launch(ctx: &Context, store: &mut Store, color: bool) -> Result<App> {
    prepare_launch_sized(ctx, store, color, None)
}

/// As `prepare_launch`, for a screen of `size` (columns, rows) when it is known: the first
/// frame's client list is as long as the screen is high.
pub fn prepare_launch_sized(ctx: &Context, store: &mut Store, color: bool, size: Option<(u16, u16)>) -> Result<App> {
    store.enable_undo()?;
    store.set_now(ctx.fixed_now.then_some(ctx.now));
    // Scores come from tallies kept with one half-life: the configured one (summed again
    // once when it changed).
    store.rebase_scores(ctx.config.rules.half_life_days)?;
    let mut app = App::new(ctx.lang, ctx.now, ctx.fixed_now, ctx.config.clone(), color);
    if let Some(size) = size {
        app.size = size;
    }
    // The desk opens on the first client; "All clients" is one key (g) away.
    app.client_sel = 1;
    app.reload_launch(store)?;
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
    let size = crossterm::terminal::size().ok();
    let mut app = prepare_launch_sized(ctx, &mut store, color_wanted(), size)?;
    let (tx, rx) = mpsc::channel::<Msg>();
    // Watched before the terminal is taken: from here on a signal is a message, not a death
    // that leaves the terminal in raw mode on the alternate screen.
    exit::watch(&tx)?;
    // Raw mode, the alternate screen and the panic hook that restores the terminal; the
    // terminal it returns writes unbuffered and is replaced by a buffered one.
    drop(ratatui::init());
    let backend = CrosstermBackend::new(std::io::BufWriter::with_capacity(1 << 16, std::io::stdout()));
    // A fixed viewport, resized by the terminal's resize events: a fullscreen one asks the
    // terminal for its size before every frame.
    let (w, h) = size.unwrap_or((80, 24));
    let options = ratatui::TerminalOptions {
        viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, w, h)),
    };
    let mut terminal: DeskTerminal = match Terminal::with_options(backend, options) {
        Ok(t) => t,
        Err(e) => {
            restore();
            return Err(e.into());
        }
    };
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
    terminal: &mut DeskTerminal,
    app: &mut App,
    store: &mut Store,
    ctx: &Context,
    tx: mpsc::Sender<Msg>,
    rx: mpsc::Receiver<Msg>,
) -> Result<u8> {
    let sync_tx = tx.clone();
    let stop = tick::Stopper::default();
    // The tick's first pass reads every open row: it starts once the first frame is out, so it
    // never competes with the launch for the machine's cores.
    let mut start_tick = Some((
        tick::TickConfig {
            db: store.path().to_path_buf(),
            seconds: ctx.tick_seconds,
            fixed_now: ctx.fixed_now.then_some(ctx.now),
            min_rate: ctx.config.min_rate,
            lang: ctx.lang,
            sync: ctx.config.sync.clone(),
        },
        tx,
    ));
    let size = terminal.size()?;
    app.size = (size.width, size.height);
    let mut ticker: Option<std::thread::JoinHandle<()>> = None;
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
        let want = ratatui::layout::Rect::new(0, 0, app.size.0, app.size.1);
        let fitted = if terminal.get_frame().area() == want {
            Ok(())
        } else {
            terminal.resize(want)
        };
        if let Err(e) = fitted.and_then(|()| terminal.draw(|f| ui::render(app, f)).map(drop)) {
            if exit::terminal_gone_now() {
                status = exit::TERMINAL_GONE_STATUS;
                break Ok(());
            }
            break Err(e.into());
        }
        if app.launching {
            // The first frame is out: the review and the late counts, then the frame again.
            if let Err(e) = app.finish_launch(store) {
                app.launching = false;
                app.error(e.localized(app.lang));
            }
            continue;
        }
        if let Some((cfg, tx)) = start_tick.take() {
            ticker = Some(tick::spawn(cfg, tx, stop.clone()));
        }
        // Wake on the minute so the header clock never lags.
        let now = chrono::Local::now().naive_local();
        let to_minute = 60 - u64::from(chrono::Timelike::second(&now)).min(59);
        let msg = next_msg(
            app,
            store,
            &rx,
            std::time::Instant::now() + Duration::from_secs(to_minute),
        );
        handle(app, msg, store);
        // What queued up meanwhile goes into the same redraw; an editor or a sync asked for by
        // any of it starts before the next message.
        loop {
            if std::mem::take(&mut app.sync_requested) {
                if let Some(cfg) = ctx.config.sync.clone() {
                    let (db, tx) = (store.path().to_path_buf(), sync_tx.clone());
                    let (fixed, lang) = (ctx.fixed_now.then_some(ctx.now), ctx.lang);
                    // The network round trip never holds the desk: the answer comes back as a
                    // message.
                    std::thread::spawn(move || {
                        let _ = tx.send(tick::sync_now(&db, fixed, lang, &cfg));
                    });
                }
            }
            if let Some(text) = app.external_edit.take() {
                let result = edit_externally(terminal, &text);
                // The terminal may have been resized while the editor had it.
                let area = terminal.get_frame().area();
                if (area.width, area.height) != app.size {
                    update(app, Msg::Resize(area.width, area.height), store);
                }
                update(app, Msg::Edited(result), store);
            }
            if app.quit {
                break;
            }
            match waiting(&rx) {
                Some(m) => handle(app, m, store),
                None => break,
            }
        }
        if app.quit {
            break Ok(());
        }
    };
    stop.stop();
    // The tick's connection closes before the desk's: the desk's is then the store's last,
    // and closing it empties the WAL into the store file (whatever ended the desk: `q`, a
    // signal, a terminal gone). A tick still busy (a long sync) is not waited for long.
    if let Some(t) = ticker {
        let waited = std::time::Instant::now();
        while !t.is_finished() && waited.elapsed() < Duration::from_secs(3) {
            std::thread::sleep(Duration::from_millis(5));
        }
        if t.is_finished() {
            let _ = t.join();
        }
    }
    app.review.join_readers();
    outcome.map(|()| status)
}

/// How long the main loop waits on the terminal at most before it looks at what the other
/// threads sent (the tick's report, a signal, a sync's answer).
const OTHERS_EVERY: Duration = Duration::from_millis(100);

/// The next message: what another thread sent, else a key (or resize, or paste) from the
/// terminal, else, while nothing waits, the views of the clients around the selection read
/// ahead one at a time; the clock at `until`. The main loop reads the terminal itself: a key
/// handed over from a reader thread woke two threads rather than one, and cost the desk a
/// tenth more time per key.
fn next_msg(app: &mut App, store: &Store, rx: &mpsc::Receiver<Msg>, until: std::time::Instant) -> Msg {
    loop {
        if let Some(m) = waiting(rx) {
            return m;
        }
        if app.read_ahead(store) {
            continue;
        }
        let left = until.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return Msg::Clock(chrono::Local::now().naive_local());
        }
        match input::wait(left.min(OTHERS_EVERY)) {
            input::Input::Ready => {
                if let Some(m) = input::read() {
                    return m;
                }
            }
            input::Input::Gone => return Msg::TerminalGone,
            input::Input::Nothing => {}
        }
    }
}

/// A message that is there now, without waiting: another thread's, else the terminal's.
fn waiting(rx: &mpsc::Receiver<Msg>) -> Option<Msg> {
    if let Ok(m) = rx.try_recv() {
        return Some(m);
    }
    loop {
        match input::wait(Duration::ZERO) {
            input::Input::Ready => {
                if let Some(m) = input::read() {
                    return Some(m);
                }
            }
            input::Input::Gone => return Some(Msg::TerminalGone),
            input::Input::Nothing => return None,
        }
    }
}

/// `$VISUAL` / `$EDITOR` (else `vi`) on a private temporary file holding `text`: the terminal is
/// left properly first and taken back after, whatever the editor did.
fn edit_externally(terminal: &mut DeskTerminal, text: &str) -> std::result::Result<String, EditorFailure> {
    // Keys that came in the same read as Ctrl-E (already taken from the terminal, so the
    // editor cannot have them) are dropped: after the editor they would act on the form or
    // the desk (an Enter saving, a `q` quitting). Nothing reads the terminal meanwhile: the
    // main loop is here.
    while input::wait(Duration::ZERO) == input::Input::Ready {
        let _ = input::read();
    }
    ratatui::restore();
    let result = run_editor(text);
    let back = crossterm::terminal::enable_raw_mode()
        .and_then(|_| crossterm::execute!(std::io::stdout(), crossterm::terminal::EnterAlternateScreen))
        // A resize to the same size clears and redraws everything, without asking the
        // terminal where its cursor is.
        .and_then(|_| terminal.size())
        .and_then(|size| terminal.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height)));
    back.map_err(EditorFailure::from)?;
    result
}

/// Waits for the editor to end. Should the desk have to end meanwhile (a signal, its terminal
/// gone), the editor is asked to end (and ended a second later): the text stays as it was, and
/// its file is removed as after any edit.
fn wait_editor(child: &mut std::process::Child) -> std::io::Result<std::process::ExitStatus> {
    let mut asked: Option<std::time::Instant> = None;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(status);
        }
        match asked {
            None if exit::ending() => {
                #[cfg(unix)]
                if let Ok(pid) = i32::try_from(child.id()) {
                    // SAFETY: a signal to the editor this desk started and has not reaped.
                    unsafe { libc::kill(pid, libc::SIGTERM) };
                }
                asked = Some(std::time::Instant::now());
            }
            Some(t) if t.elapsed() > Duration::from_secs(1) => {
                let _ = child.kill();
            }
            _ => {}
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn run_editor(text: &str) -> std::result::Result<String, EditorFailure> {
    use std::io::Write;
    let editor = ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(std::env::var_os)
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| "vi".into());
    let path = std::env::temp_dir().join(format!(
        "vadesk-{}-{}.txt",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    ));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let written = opts
        .open(&path)
        .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|_| f.write_all(b"\n")));
    if let Err(e) = written {
        return Err(e.into());
    }
    // Through the shell, as git does, so an editor given with its arguments ("code --wait")
    // works; the shell becomes the editor (`exec`), so that a signal to it reaches the editor.
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("exec {} \"$1\"", editor.to_string_lossy()))
        .arg("sh")
        .arg(&path)
        .spawn()
        .and_then(|mut child| wait_editor(&mut child));
    let result = match status {
        Ok(s) if s.success() => std::fs::read_to_string(&path).map_err(EditorFailure::from),
        // The shell's word for a command it cannot find.
        Ok(s) if s.code() == Some(127) => Err(EditorFailure::NotFound(editor.to_string_lossy().into())),
        Ok(s) => Err(EditorFailure::Exited(s.code())),
        Err(e) => Err(e.into()),
    };
    let _ = std::fs::remove_file(&path);
    result
}

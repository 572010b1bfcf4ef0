//! How the desk ends when it was not asked to: a terminating signal (SIGTERM, SIGHUP, SIGINT,
//! SIGQUIT) or a terminal that went away. Both become a `Msg` for the main loop, which ends
//! between two updates (so nothing is left half-done) and restores the terminal.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;

use super::update::Msg;

/// Set when a terminating signal came or the terminal hung up: whatever the main loop waits on
/// other than its messages (the external editor) stops waiting.
static ENDING: AtomicBool = AtomicBool::new(false);

/// Whether the desk must end (a terminating signal came, or the terminal hung up).
pub fn ending() -> bool {
    ENDING.load(Ordering::SeqCst)
}

/// The exit status after a signal, as shells report it.
pub fn status_for_signal(sig: i32) -> u8 {
    u8::try_from(128 + sig).unwrap_or(1)
}

/// The exit status when the terminal went away: as after a hangup.
#[cfg(unix)]
pub const TERMINAL_GONE_STATUS: u8 = 128 + libc::SIGHUP as u8;
#[cfg(not(unix))]
pub const TERMINAL_GONE_STATUS: u8 = 129;

/// Starts watching for signals and for the terminal going away; each is sent to `tx` once.
/// A signal ignored when vadesk started (SIGHUP under `nohup`) stays ignored.
#[cfg(unix)]
pub fn watch(tx: &Sender<Msg>) -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    let wanted: Vec<i32> = [SIGTERM, SIGHUP, SIGINT, SIGQUIT]
        .into_iter()
        .filter(|s| !ignored_at_start(*s))
        .collect();
    let mut signals = signal_hook::iterator::Signals::new(&wanted)?;
    let sig_tx = tx.clone();
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            ENDING.store(true, Ordering::SeqCst);
            let _ = sig_tx.send(Msg::Signal(sig));
        }
    });
    // Found now: once the terminal has hung up, it can no longer be recognised as one.
    let _ = TTY.set(terminal_fd());
    let gone_tx = tx.clone();
    std::thread::spawn(move || {
        if terminal_hangs_up(-1) {
            ENDING.store(true, Ordering::SeqCst);
            let _ = gone_tx.send(Msg::TerminalGone);
            // The main loop ends within moments (it never reads a terminal that hung up). Should
            // it not, because the hang-up came between its look and its read and the input
            // library now spins, the process ends here: committed data is in the store, and
            // there is no terminal left to restore.
            std::thread::sleep(std::time::Duration::from_secs(10));
            std::process::exit(i32::from(TERMINAL_GONE_STATUS));
        }
    });
    Ok(())
}

#[cfg(not(unix))]
pub fn watch(_tx: &Sender<Msg>) -> std::io::Result<()> {
    Ok(())
}

/// The descriptor of the terminal the desk reads (found when the desk started), if any.
#[cfg(unix)]
pub fn terminal_fd_now() -> Option<i32> {
    TTY.get().copied().flatten()
}

/// Whether the terminal has hung up already (after a failed draw: a dead terminal is an
/// ending, not an error to report to nobody).
#[cfg(unix)]
pub fn terminal_gone_now() -> bool {
    terminal_hangs_up(0)
}

#[cfg(not(unix))]
pub fn terminal_gone_now() -> bool {
    false
}

/// The terminal the desk reads, found when the desk starts.
#[cfg(unix)]
static TTY: std::sync::OnceLock<Option<i32>> = std::sync::OnceLock::new();

/// The same terminal the input library reads: standard input when it is one, else /dev/tty
/// (kept open for the life of the process).
#[cfg(unix)]
fn terminal_fd() -> Option<i32> {
    use std::os::fd::IntoRawFd;
    // SAFETY: isatty only inspects the descriptor.
    if unsafe { libc::isatty(0) } == 1 {
        return Some(0);
    }
    std::fs::File::open("/dev/tty").ok().map(IntoRawFd::into_raw_fd)
}

#[cfg(unix)]
fn ignored_at_start(sig: i32) -> bool {
    // SAFETY: sigaction with a null new action only reads the current disposition into `old`.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(sig, std::ptr::null(), &mut old) == 0 && old.sa_sigaction == libc::SIG_IGN
    }
}

/// Waits up to `timeout_ms` (-1: for ever) for the terminal the desk reads to hang up (its
/// other side closed); false when it did not or cannot be watched. Input at end of file makes
/// the terminal input library spin without returning, so the hang-up is watched on its own,
/// with `poll`, asking for no input events.
#[cfg(unix)]
fn terminal_hangs_up(timeout_ms: i32) -> bool {
    let Some(Some(fd)) = TTY.get().copied() else {
        return false;
    };
    loop {
        let mut pfd = libc::pollfd {
            fd,
            events: 0,
            revents: 0,
        };
        // SAFETY: one valid pollfd for the duration of the call.
        let n = unsafe { libc::poll(&mut pfd, 1, timeout_ms) };
        if n < 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return false;
        }
        if pfd.revents & (libc::POLLHUP | libc::POLLERR) != 0 {
            return true;
        }
        // POLLNVAL: this platform cannot poll a terminal; nothing to watch.
        if n == 0 || pfd.revents & libc::POLLNVAL != 0 {
            return false;
        }
    }
}

//! The terminal's input, read by the main loop itself.
//!
//! The input library (crossterm) spins without returning when the terminal is at end of file
//! (its other side closed): it reads nothing, again and again. So the main loop never asks it
//! for an event without first knowing the terminal is still there, and waits on the terminal
//! itself (`poll` on its descriptor, and on a pipe a window-size change writes to) rather than
//! inside the library. A hang-up then wakes the wait as input would, and is an ending.

use std::time::Duration;

use crossterm::event::{self, Event, KeyEventKind};

use super::exit;
use super::update::Msg;

/// What the terminal has for the main loop.
#[derive(Debug, PartialEq, Eq)]
pub enum Input {
    /// An event is ready: [`read`] returns at once.
    Ready,
    /// The terminal hung up (or cannot be read): the desk ends.
    Gone,
    /// Nothing within the wait.
    Nothing,
}

/// Waits up to `wait` for the terminal's next event (not at all with a zero wait).
pub fn wait(wait: Duration) -> Input {
    let deadline = std::time::Instant::now() + wait;
    loop {
        if exit::terminal_gone_now() {
            return Input::Gone;
        }
        // An event the library has read already (several keys arrive in one read) is there at
        // once; else it reads what the terminal holds, without waiting.
        match event::poll(Duration::ZERO) {
            Ok(true) => return Input::Ready,
            Ok(false) => {}
            Err(_) => return Input::Gone,
        }
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return Input::Nothing;
        }
        match sys::wait(left) {
            // Input, a size change or a hang-up: looked at again above.
            sys::Woken::Yes => continue,
            sys::Woken::Timeout => return Input::Nothing,
            // This terminal cannot be watched here: the library waits (as it always could).
            sys::Woken::Unsupported => {
                return match event::poll(left) {
                    Ok(true) => Input::Ready,
                    Ok(false) => Input::Nothing,
                    Err(_) => Input::Gone,
                }
            }
        }
    }
}

/// The event [`wait`] found ready, as a message (None: an event the desk does not use).
pub fn read() -> Option<Msg> {
    match event::read() {
        Ok(Event::Key(k)) if k.kind == KeyEventKind::Press => Some(Msg::Key(k)),
        Ok(Event::Resize(w, h)) => Some(Msg::Resize(w, h)),
        Ok(Event::Paste(text)) => Some(Msg::Paste(text)),
        Ok(_) => None,
        Err(_) => Some(Msg::TerminalGone),
    }
}

#[cfg(unix)]
mod sys {
    use std::os::fd::{AsRawFd, OwnedFd};
    use std::sync::OnceLock;
    use std::time::Duration;

    pub enum Woken {
        Yes,
        Timeout,
        Unsupported,
    }

    /// The read end of a pipe that a window-size change (SIGWINCH) writes a byte to.
    static WINCH: OnceLock<Option<OwnedFd>> = OnceLock::new();

    fn winch() -> Option<i32> {
        WINCH
            .get_or_init(|| {
                let (read, write) = std::io::pipe().ok()?;
                let read = OwnedFd::from(read);
                let write = OwnedFd::from(write);
                for fd in [read.as_raw_fd(), write.as_raw_fd()] {
                    // SAFETY: fcntl on a descriptor this function owns.
                    unsafe { libc::fcntl(fd, libc::F_SETFL, libc::fcntl(fd, libc::F_GETFL) | libc::O_NONBLOCK) };
                }
                signal_hook::low_level::pipe::register(libc::SIGWINCH, write).ok()?;
                Some(read)
            })
            .as_ref()
            .map(AsRawFd::as_raw_fd)
    }

    /// Waits on the terminal's descriptor (input or hang-up) and on the size-change pipe.
    pub fn wait(wait: Duration) -> Woken {
        let Some(tty) = super::exit::terminal_fd_now() else {
            return Woken::Unsupported;
        };
        let mut fds = [
            libc::pollfd {
                fd: tty,
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: winch().unwrap_or(-1),
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        let ms = i32::try_from(wait.as_millis().max(1)).unwrap_or(i32::MAX);
        // SAFETY: two valid pollfds (a negative fd is ignored) for the duration of the call.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), 2, ms) };
        if n < 0 {
            // A signal: whatever it was, the caller looks again.
            return Woken::Yes;
        }
        if fds[0].revents & libc::POLLNVAL != 0 {
            return Woken::Unsupported;
        }
        if fds[1].revents & libc::POLLIN != 0 {
            // Emptied: the library's own pipe carries the size change itself.
            let mut buf = [0u8; 64];
            // SAFETY: reads into a local buffer from a non-blocking descriptor.
            while unsafe { libc::read(fds[1].fd, buf.as_mut_ptr().cast(), buf.len()) } > 0 {}
        }
        if n == 0 {
            Woken::Timeout
        } else {
            Woken::Yes
        }
    }
}

#[cfg(not(unix))]
mod sys {
    use std::time::Duration;

    pub enum Woken {
        Yes,
        Timeout,
        Unsupported,
    }

    pub fn wait(_: Duration) -> Woken {
        Woken::Unsupported
    }
}

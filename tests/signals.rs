//! SPEC 9, clean exits: SIGTERM, SIGHUP, SIGINT and SIGQUIT restore the terminal and save
//! nothing half-done; a desk whose terminal goes away (even with SIGHUP ignored, as under
//! `nohup`) ends instead of spinning. Each on the real binary in a pseudo-terminal.

mod common;

use std::io::Read;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::pty::{Screen, WAIT};
use common::Desk;

/// The program left the alternate screen after entering it, and showed the cursor.
fn assert_restored(what: &str, raw: &[u8]) {
    let s = String::from_utf8_lossy(raw);
    let enter = s.rfind("\x1b[?1049h").expect("the alternate screen was never entered");
    let leave = s
        .rfind("\x1b[?1049l")
        .unwrap_or_else(|| panic!("{what}: the alternate screen was not left"));
    assert!(leave > enter, "{what}: the last word is entering the alternate screen");
    let show = s
        .rfind("\x1b[?25h")
        .unwrap_or_else(|| panic!("{what}: the cursor was not shown again"));
    assert!(
        show > s.rfind("\x1b[?25l").unwrap_or(0),
        "{what}: the cursor stayed hidden"
    );
    if let Some(paste_on) = s.rfind("\x1b[?2004h") {
        let off = s.rfind("\x1b[?2004l");
        assert!(off > Some(paste_on), "{what}: bracketed paste was left on");
    }
    let mut p = vt100::Parser::new(30, 100, 0);
    p.process(raw);
    assert!(!p.screen().alternate_screen(), "{what}");
    assert!(!p.screen().hide_cursor(), "{what}");
}

#[test]
fn each_terminating_signal_restores_the_terminal_and_saves_nothing_half_typed() {
    let d = Desk::new();
    d.ok(&["demo"]);
    for (name, sig) in [
        ("SIGTERM", libc::SIGTERM),
        ("SIGHUP", libc::SIGHUP),
        ("SIGINT", libc::SIGINT),
        ("SIGQUIT", libc::SIGQUIT),
    ] {
        let mut s = Screen::open(&d, &[], 100, 30);
        s.wait_for("Bloom Florist");
        s.send("a");
        s.wait_for("New client");
        s.send(&format!("Half typed {name}"));
        s.wait_for(&format!("Half typed {name}"));
        s.signal(sig);
        let (code, raw) = s.wait_end();
        assert_eq!(
            code,
            Some(128 + sig as u32),
            "{name}: the exit status says which signal ended it"
        );
        assert_restored(name, &raw);
        let clients = d.json(&["client", "list", "--json"]);
        assert_eq!(
            clients.as_array().unwrap().len(),
            6,
            "{name}: a half-typed form was saved"
        );
    }
    // The store is whole.
    let c = rusqlite::Connection::open(&d.db).unwrap();
    let ok: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
}

/// A pseudo-terminal whose master side the test can close for good (the shared harness keeps
/// a reader on it): the desk runs in it with SIGHUP ignored, as under `nohup`.
#[test]
fn a_desk_whose_terminal_goes_away_ends_even_with_sighup_ignored() {
    let d = Desk::new();
    d.ok(&["demo"]);
    let (mut master, slave) = unsafe {
        let mut m = -1;
        let mut s = -1;
        let ws = libc::winsize {
            ws_row: 30,
            ws_col: 100,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        assert_eq!(
            libc::openpty(&mut m, &mut s, std::ptr::null_mut(), std::ptr::null(), &ws),
            0
        );
        // The desk must not inherit the master side, or it would keep its own terminal alive.
        assert_eq!(libc::fcntl(m, libc::F_SETFD, libc::FD_CLOEXEC), 0);
        (std::fs::File::from_raw_fd(m), OwnedFd::from_raw_fd(s))
    };
    let io = |fd: &OwnedFd| Stdio::from(fd.try_clone().unwrap());
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("trap '' HUP; exec \"$0\" --db \"$1\" --now \"$2\"")
        .arg(env!("CARGO_BIN_EXE_vadesk"))
        .arg(&d.db)
        .arg(&d.now)
        .env_clear()
        .env("TERM", "xterm-256color")
        .env("LANG", "en_US.UTF-8")
        .env("HOME", d.dir.path())
        .env("XDG_CONFIG_HOME", d.dir.path().join("config"))
        .stdin(io(&slave))
        .stdout(io(&slave))
        .stderr(io(&slave));
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY as _, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().unwrap();
    drop(slave);

    // Read the screen until the desk has launched (the review's counts come after the first
    // frame) and then sat idle a moment, waiting for keys, without a second reader on the
    // master. (Input at end of file makes the terminal library spin without returning: a
    // desk waiting on its terminal must notice the hang-up itself.)
    let mut parser = vt100::Parser::new(30, 100, 0);
    let start = Instant::now();
    let mut buf = [0u8; 8192];
    let mut idle_since: Option<Instant> = None;
    while idle_since.is_none_or(|t| t.elapsed() < Duration::from_millis(400)) {
        if idle_since.is_none() && parser.screen().contents().contains("overdue feedback") {
            idle_since = Some(Instant::now());
        }
        assert!(
            start.elapsed() < WAIT,
            "the desk never showed:\n{}",
            parser.screen().contents()
        );
        let mut pfd = libc::pollfd {
            fd: master.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        if unsafe { libc::poll(&mut pfd, 1, 100) } > 0 {
            let n = master.read(&mut buf).unwrap();
            parser.process(&buf[..n]);
        }
    }
    // The terminal goes away. The main loop ends the desk within moments; the watcher's last
    // resort (ten seconds on) must not be what ends it.
    drop(master);
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert_eq!(status.code(), Some(129), "{status:?}: not a clean end");
            break;
        }
        if start.elapsed() > Duration::from_secs(5) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the desk kept running after its terminal went away");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let c = rusqlite::Connection::open(&d.db).unwrap();
    let ok: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
}

/// A desk ended by a signal while its tick runs often, after another program wrote, leaves the
/// store whole in its file: the WAL is emptied into it as on `q` (the tick's connection was
/// left open, so the desk's was not the last and the WAL stayed full).
#[test]
fn a_signal_leaves_the_store_whole_in_its_file() {
    for (name, sig) in [("SIGTERM", libc::SIGTERM), ("SIGHUP", libc::SIGHUP)] {
        let d = Desk::new();
        d.ok(&["client", "add", "Base"]);
        let mut s = Screen::open(&d, &["--tick", "1"], 100, 30);
        s.wait_for("Base");
        d.ok(&["client", "add", "After"]);
        s.wait_for("After");
        // A tick or two more while the other program's write is in the WAL.
        std::thread::sleep(Duration::from_millis(1200));
        s.signal(sig);
        let (code, _) = s.wait_end();
        assert_eq!(code, Some(128 + sig as u32), "{name}");
        let wal = d.db.with_extension("db-wal");
        let left = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        assert_eq!(left, 0, "{name}: the WAL holds {left} bytes");
        // The store file alone holds the other program's client.
        let uri = format!("file:{}?immutable=1", d.db.display());
        let c = rusqlite::Connection::open_with_flags(
            uri,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_URI,
        )
        .unwrap();
        let n: i64 = c
            .query_row("SELECT count(*) FROM clients WHERE name = 'After'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1, "{name}");
    }
}

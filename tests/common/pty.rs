#![allow(dead_code)]
//! Drives the real binary in a pseudo-terminal and reads its screen through a vt100 parser.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{native_pty_system, Child, CommandBuilder, MasterPty, PtySize};

use super::Desk;

pub struct Screen {
    pub parser: Arc<Mutex<vt100::Parser>>,
    /// Everything the program wrote, to check the exit sequences.
    pub raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    master: Box<dyn MasterPty + Send>,
    pub child: Box<dyn Child + Send + Sync>,
}

pub const WAIT: Duration = Duration::from_secs(20);

impl Screen {
    pub fn open(d: &Desk, args: &[&str], cols: u16, rows: u16) -> Screen {
        Screen::open_env(d, args, &[], cols, rows)
    }

    /// As `open`, with extra environment variables for the program.
    pub fn open_env(d: &Desk, args: &[&str], env: &[(&str, &str)], cols: u16, rows: u16) -> Screen {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_vadesk"));
        cmd.args(["--db", d.db.to_str().unwrap(), "--now", &d.now]);
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env("LANG", "en_US.UTF-8");
        cmd.env("HOME", d.dir.path());
        cmd.env("XDG_CONFIG_HOME", d.dir.path().join("config"));
        cmd.env_remove("NO_COLOR");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let mut reader = pair.master.try_clone_reader().unwrap();
        let (p, r) = (parser.clone(), raw.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                p.lock().unwrap().process(&buf[..n]);
                r.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        let writer = pair.master.take_writer().unwrap();
        Screen {
            parser,
            raw,
            writer,
            master: pair.master,
            child,
        }
    }

    pub fn text(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Polls the parsed screen until `marker` shows (no fixed sleeps).
    pub fn wait_for(&self, marker: &str) -> String {
        let start = Instant::now();
        loop {
            let t = self.text();
            if t.contains(marker) {
                return t;
            }
            assert!(start.elapsed() < WAIT, "timed out waiting for {marker:?}; screen:\n{t}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn wait_gone(&self, marker: &str) {
        let start = Instant::now();
        while self.text().contains(marker) {
            assert!(start.elapsed() < WAIT, "{marker:?} stayed on screen:\n{}", self.text());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        // Give each key its own read, as a person typing would.
        std::thread::sleep(Duration::from_millis(30));
    }

    pub fn resize(&mut self, cols: u16, rows: u16) {
        // The parser first: the program's full redraw at the new size must land in a screen of
        // that size (the other way round, a fast redraw is parsed at the old width).
        self.parser.lock().unwrap().screen_mut().set_size(rows, cols);
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
    }

    /// Waits for the program to end; returns its exit code (None if a signal killed it) and
    /// everything it wrote.
    pub fn wait_end(&mut self) -> (Option<u32>, Vec<u8>) {
        let start = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if start.elapsed() > WAIT {
                let _ = self.child.kill();
                panic!("vadesk did not end:\n{}", self.text());
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        std::thread::sleep(Duration::from_millis(100));
        let code = status.signal().is_none().then(|| status.exit_code());
        (code, self.raw.lock().unwrap().clone())
    }

    /// Sends a signal to the program.
    pub fn signal(&self, sig: i32) {
        let pid = self.child.process_id().expect("pid") as i32;
        assert_eq!(unsafe { libc::kill(pid, sig) }, 0);
    }

    pub fn exit(mut self) -> Vec<u8> {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "vadesk exited with {status:?}");
                break;
            }
            assert!(start.elapsed() < WAIT, "vadesk did not quit:\n{}", self.text());
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(100));
        let raw = self.raw.lock().unwrap().clone();
        raw
    }
}

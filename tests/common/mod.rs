#![allow(dead_code)]
//! Helpers shared by the integration tests: a store in a temporary folder and the real binary.

pub mod pty;
pub mod spanish;
pub mod tui;

use std::path::PathBuf;

use assert_cmd::Command;
use tempfile::TempDir;

pub struct Desk {
    pub dir: TempDir,
    pub db: PathBuf,
    pub now: String,
}

impl Desk {
    pub fn new() -> Desk {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("vadesk.db");
        Desk {
            dir,
            db,
            now: "2026-11-23 09:00".into(),
        }
    }

    /// The binary on this desk's store, with a fixed clock, English, no user config.
    pub fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("vadesk").expect("binary");
        c.env_clear()
            .env("VADESK_DB", &self.db)
            .env("VADESK_NOW", &self.now)
            .env("LANG", "en_US.UTF-8")
            .env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_DATA_HOME", self.dir.path().join("data"));
        c
    }

    /// The same store seen at another moment (the store stays shared).
    pub fn clone_at(&self, now: &str) -> Desk {
        Desk {
            dir: tempfile::tempdir().expect("temp dir"),
            db: self.db.clone(),
            now: now.into(),
        }
    }

    pub fn at(&mut self, now: &str) -> &mut Self {
        self.now = now.into();
        self
    }

    /// Runs a command that must succeed; returns its trimmed stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().expect("run");
        assert!(
            out.status.success(),
            "vadesk {args:?} failed: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stdout).expect("utf8").trim().to_string()
    }

    /// Runs a command that must fail; returns (exit code, stderr).
    pub fn fails(&self, args: &[&str]) -> (i32, String) {
        let out = self.cmd().args(args).output().expect("run");
        assert!(
            !out.status.success(),
            "vadesk {args:?} should fail but printed {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let err = String::from_utf8(out.stderr).expect("utf8");
        assert!(!err.contains("panicked"), "vadesk {args:?} panicked: {err}");
        (out.status.code().unwrap_or(-1), err)
    }

    pub fn id(&self, args: &[&str]) -> i64 {
        let out = self.ok(args);
        out.parse()
            .unwrap_or_else(|_| panic!("vadesk {args:?} printed {out:?}, not a bare id"))
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.ok(args);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("vadesk {args:?}: bad JSON {e}: {out}"))
    }

    /// Everything in the store, to check that a refused command changed nothing.
    pub fn snapshot(&self) -> serde_json::Value {
        self.json(&["export"])
    }
}

/// Takes schema step 25 back on a store's file: its triggers in the file's schema again, as
/// every version before kept them (for the tests that rebuild an older store from a new one).
pub fn triggers_back_in_the_file(c: &rusqlite::Connection) {
    let sqls: Vec<String> = c
        .prepare("SELECT sql FROM connection_triggers ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let guards: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'guard\\_%' ESCAPE '\\'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for name in guards {
        c.execute_batch(&format!("DROP TRIGGER \"{name}\"")).unwrap();
    }
    for sql in sqls {
        c.execute_batch(&sql).unwrap();
    }
    c.execute_batch("DROP TABLE connection_triggers; PRAGMA user_version = 24;")
        .unwrap();
}

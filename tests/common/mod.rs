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

/// The first column of every row `sql` gives, as text.
pub fn texts(c: &rusqlite::Connection, sql: &str) -> Vec<String> {
    c.prepare(sql)
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// A client's kept counts: client, tasks, open, delivered, waiting.
pub type Tally = (i64, i64, i64, i64, i64);

fn tallies(c: &rusqlite::Connection, sql: &str) -> Vec<Tally> {
    c.prepare(sql)
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// The per-client counts as the store keeps them (`client_tally`).
pub fn tallies_kept(c: &rusqlite::Connection) -> Vec<Tally> {
    tallies(
        c,
        "SELECT client_id, tasks, todo, delivered, waiting FROM client_tally ORDER BY client_id",
    )
}

/// The same counts counted again from the tasks and requests.
pub fn tallies_counted(c: &rusqlite::Connection) -> Vec<Tally> {
    tallies(
        c,
        "SELECT c.id,
           (SELECT count(*) FROM tasks t WHERE t.client_id = c.id),
           (SELECT count(*) FROM tasks t WHERE t.client_id = c.id AND t.status IN ('todo', 'doing')),
           (SELECT count(*) FROM tasks t WHERE t.client_id = c.id AND t.status = 'delivered'),
           (SELECT count(*) FROM tasks t WHERE t.client_id = c.id AND t.status IN ('todo', 'doing', 'delivered')
               AND EXISTS (SELECT 1 FROM requests r WHERE r.task_id = t.id AND r.received_on IS NULL))
         FROM clients c ORDER BY c.id",
    )
}

/// Takes schema step 25 back on a store's file: its triggers in the file's schema again, as
/// every version before kept them (for the tests that rebuild an older store from a new one).
pub fn triggers_back_in_the_file(c: &rusqlite::Connection) {
    let sqls = texts(c, "SELECT sql FROM connection_triggers ORDER BY seq");
    let guards = texts(
        c,
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'guard\\_%' ESCAPE '\\'",
    );
    for name in guards {
        c.execute_batch(&format!("DROP TRIGGER \"{name}\"")).unwrap();
    }
    for sql in sqls {
        c.execute_batch(&sql).unwrap();
    }
    c.execute_batch("DROP TABLE connection_triggers; PRAGMA user_version = 24;")
        .unwrap();
}

//! SPEC 9, clean exits and plain words (issue 9's small ones): a closed stderr never panics, a
//! closed stdout ends quietly with status 0, a config file cannot eat the memory, and neither
//! raw SQL errors nor raw OS errors reach the user.

mod common;

use std::process::Stdio;

use common::Desk;

fn demo() -> Desk {
    let d = Desk::new();
    d.ok(&["demo"]);
    d
}

/// The binary on the desk's store, as a plain process (its streams set by the test).
fn run(d: &Desk, args: &[&str]) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_vadesk"));
    c.env_clear()
        .env("VADESK_DB", &d.db)
        .env("VADESK_NOW", &d.now)
        .env("LANG", "en_US.UTF-8")
        .env("HOME", d.dir.path())
        .env("XDG_CONFIG_HOME", d.dir.path().join("config"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// A pipe whose reader is already gone: any write to it fails with EPIPE.
fn closed_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    Stdio::from(writer)
}

#[test]
fn a_closed_stderr_never_panics() {
    let d = demo();
    for args in [
        &["task", "show", "999"][..],
        &["client", "show", "nobody"],
        &["task", "done", "999"],
        &["--now", "yesterday-ish", "review"],
    ] {
        // A pipe nobody reads any more.
        let out = run(&d, args).stderr(closed_pipe()).output().unwrap();
        let code = out.status.code();
        assert!(matches!(code, Some(1) | Some(2)), "{args:?}: status {code:?}");
        // And a closed descriptor, as `2>&-` leaves it.
        let st = std::process::Command::new("sh")
            .arg("-c")
            .arg("exec \"$0\" \"$@\" 2>&-")
            .arg(env!("CARGO_BIN_EXE_vadesk"))
            .args(["--db", d.db.to_str().unwrap()])
            .args(args)
            .env("HOME", d.dir.path())
            .env("XDG_CONFIG_HOME", d.dir.path().join("config"))
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(matches!(st.code(), Some(1) | Some(2)), "{args:?} 2>&-: {st:?}");
    }
}

#[test]
fn a_reader_that_stops_early_gets_a_quiet_end_with_status_0() {
    let d = demo();
    for args in [
        &["task", "list"][..],
        &["client", "list", "--json"],
        &["export"],
        &["review"],
        &["--help"],
        &["task", "--help"],
        &["--version"],
        &["completions", "bash"],
        &["completions", "fish"],
        &["completions", "powershell"],
        &["man"],
    ] {
        let out = run(&d, args).stdout(closed_pipe()).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
        assert!(err.is_empty(), "{args:?} said: {err}");
    }
    // As a shell pipe, with enough output that the reader really leaves first.
    for i in 0..300 {
        d.ok(&["task", "add", "Bloom Florist", &format!("Task number {i}")]);
    }
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("\"$0\" --db \"$1\" task list | head -1")
        .arg(env!("CARGO_BIN_EXE_vadesk"))
        .arg(&d.db)
        .env("HOME", d.dir.path())
        .env("XDG_CONFIG_HOME", d.dir.path().join("config"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.is_empty(), "{err}");
}

#[test]
fn a_config_file_is_read_only_up_to_a_sane_size() {
    let d = demo();
    let (code, err) = d.fails(&["--config", "/dev/zero", "review"]);
    assert_eq!(code, 1);
    assert!(err.contains("/dev/zero") && err.contains("too big"), "{err}");
    let (_, err) = d.fails(&["--lang", "es", "--config", "/dev/zero", "review"]);
    assert!(err.contains("demasiado grande"), "{err}");
    let big = d.dir.path().join("big.toml");
    std::fs::write(&big, format!("name = \"{}\"\n", "x".repeat(2 << 20))).unwrap();
    let (_, err) = d.fails(&["--config", big.to_str().unwrap(), "review"]);
    assert!(err.contains("too big"), "{err}");
    // A normal file still reads.
    let ok = d.dir.path().join("ok.toml");
    std::fs::write(&ok, "language = \"es\"\n").unwrap();
    assert!(d.ok(&["--config", ok.to_str().unwrap(), "review"]).contains("Revisión"));
}

#[test]
fn sql_errors_are_said_plainly_and_keep_their_detail() {
    let d = demo();
    let s = vadesk::Store::open(&d.db).unwrap();
    s.conn()
        .execute(
            "UPDATE clients SET rate_cents = 'lots' WHERE name = 'Bloom Florist'",
            [],
        )
        .unwrap();
    drop(s);
    let (code, err) = d.fails(&["client", "list"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("not what vadesk expects") && err.contains("vadesk doctor"),
        "{err}"
    );
    assert!(err.contains("rate"), "the detail is kept: {err}");
    let (_, err) = d.fails(&["--lang", "es", "client", "list"]);
    assert!(
        err.contains("no es lo que vadesk espera") && err.contains("vadesk doctor"),
        "{err}"
    );

    let d = demo();
    let c = rusqlite::Connection::open(&d.db).unwrap();
    c.execute_batch("PRAGMA foreign_keys=OFF; DROP TABLE flags;").unwrap();
    drop(c);
    let (_, err) = d.fails(&["flag", "list"]);
    assert!(err.contains("no such table: flags"), "the detail is kept: {err}");
    assert!(
        err.contains("nothing was changed") && err.contains("vadesk doctor"),
        "{err}"
    );
    let (_, err) = d.fails(&["--lang", "es", "flag", "list"]);
    assert!(err.contains("no se ha cambiado nada"), "{err}");
}

#[test]
fn os_errors_are_said_plainly_and_name_the_file() {
    let d = demo();
    let missing = d.dir.path().join("missing.json");
    for (args, lang_word) in [
        (vec!["import", missing.to_str().unwrap()], "no such file"),
        (vec!["--lang", "es", "import", missing.to_str().unwrap()], "no existe"),
        (vec!["--config", "/no/such/config.toml", "review"], "no such file"),
        (
            vec!["--lang", "es", "--config", "/no/such/config.toml", "review"],
            "no existe",
        ),
    ] {
        let (_, err) = d.fails(&args);
        assert!(err.contains(lang_word), "{args:?}: {err}");
        assert!(!err.contains("os error"), "{args:?}: {err}");
        assert!(
            err.contains("missing.json") || err.contains("config.toml"),
            "{args:?}: {err}"
        );
    }
}

/// A full disk behind the output (`> /dev/full`).
fn full_disk() -> Stdio {
    Stdio::from(std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap())
}

#[test]
fn output_that_cannot_be_written_never_claims_nothing_was_saved() {
    let d = demo();
    // The client is added; only its id could not be printed, and the message says so.
    let out = run(&d, &["client", "add", "Acme"])
        .stdout(full_disk())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("the output could not be written: the disk is full"),
        "{err}"
    );
    assert!(err.contains("is saved") && !err.contains("nothing was saved"), "{err}");
    // Generated output too, without a panic.
    for args in [
        &["completions", "bash"][..],
        &["man"],
        &["client", "list"],
        &["--help"],
        &["--version"],
    ] {
        let out = run(&d, args).stdout(full_disk()).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("the output could not be written"), "{args:?}: {err}");
    }
    assert!(d.ok(&["client", "list"]).contains("Acme"));
    let out = run(&d, &["--lang", "es", "task", "add", "Acme", "Logo"])
        .stdout(full_disk())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no se pudo escribir la salida: el disco está lleno"),
        "{err}"
    );
}

#[test]
fn a_statement_that_cannot_be_written_bills_nothing() {
    let d = Desk::new();
    d.ok(&["client", "add", "Acme", "--rate", "10"]);
    d.ok(&["time", "log", "--client", "Acme", "2h"]);
    d.ok(&["time", "log", "--client", "Acme", "1h", "--on", "2026-11-23 06:00"]);
    let unbilled = || {
        d.json(&["time", "list", "--json"])
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["billed_on"].is_null())
            .count()
    };
    assert_eq!(unbilled(), 2);
    for (stdout, says) in [
        (
            full_disk(),
            "the statement could not be written: the disk is full; nothing was marked as billed",
        ),
        (
            closed_pipe(),
            "the statement could not be written: its reader closed it; nothing was marked as billed",
        ),
    ] {
        let out = run(&d, &["statement", "Acme", "--mark-billed"])
            .stdout(stdout)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains(says), "{err}");
        assert_eq!(unbilled(), 2, "{err}");
    }
    // Written: billed.
    d.ok(&["statement", "Acme", "--mark-billed"]);
    assert_eq!(unbilled(), 0);
}

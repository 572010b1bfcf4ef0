//! SPEC 9, files vadesk writes: created 0600, written to a temporary file and renamed into
//! place, never over an existing file without --force, never the store or its -wal/-shm,
//! never through a symlink to the store, never following a dangling symlink elsewhere.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::Desk;

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// Every name in the folder, to check that no temporary file is left behind.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn bytes(p: &Path) -> Option<Vec<u8>> {
    std::fs::read(p).ok()
}

#[test]
fn export_out_is_private_and_replaces_only_with_force() {
    let d = Desk::new();
    d.ok(&["demo"]);
    let out_dir = d.dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let file = out_dir.join("export.json");
    let f = file.to_str().unwrap();

    d.ok(&["export", "--out", f]);
    assert_eq!(mode(&file), 0o600, "an export holds client data: owner only");
    let written: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(written, d.snapshot());
    assert_eq!(names(&out_dir), ["export.json"], "no temporary file is left behind");

    // An existing file is never replaced without --force, and stays as it was.
    std::fs::write(&file, "precious\n").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (code, err) = d.fails(&["export", "--out", f]);
    assert_eq!(code, 1);
    assert!(err.contains("already exists") && err.contains("--force"), "{err}");
    assert!(err.contains("export.json"), "the message names the file: {err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "precious\n");

    // In Spanish too.
    let (_, err) = d.fails(&["--lang", "es", "export", "--out", f]);
    assert!(err.contains("ya existe") && err.contains("--force"), "{err}");

    // --force replaces it whole, and the new file is private again.
    d.ok(&["export", "--out", f, "--force"]);
    assert_eq!(mode(&file), 0o600);
    let written: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(written, d.snapshot());
    assert_eq!(names(&out_dir), ["export.json"]);
}

#[test]
fn an_export_is_private_whatever_the_umask() {
    let d = Desk::new();
    d.ok(&["client", "add", "Bloom"]);
    let file = d.dir.path().join("open.json");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("umask 000; exec \"$0\" --db \"$1\" export --out \"$2\"")
        .arg(env!("CARGO_BIN_EXE_vadesk"))
        .arg(&d.db)
        .arg(&file)
        .env("HOME", d.dir.path())
        .env("XDG_CONFIG_HOME", d.dir.path().join("config"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(mode(&file), 0o600);
}

#[test]
fn backup_is_private_and_replaces_only_with_force() {
    let d = Desk::new();
    d.ok(&["demo"]);
    let copy = d.dir.path().join("copy.db");
    let c = copy.to_str().unwrap();
    d.ok(&["backup", c]);
    assert_eq!(mode(&copy), 0o600);
    let (_, err) = d.fails(&["backup", c]);
    assert!(err.contains("already exists") && err.contains("--force"), "{err}");

    d.ok(&["client", "add", "Added after the first backup"]);
    d.ok(&["backup", c, "--force"]);
    assert_eq!(mode(&copy), 0o600);
    let again = Desk {
        dir: tempfile::tempdir().unwrap(),
        db: copy.clone(),
        now: d.now.clone(),
    };
    assert_eq!(
        again.snapshot(),
        d.snapshot(),
        "the replaced backup is a full, current copy"
    );
    let left = names(d.dir.path());
    assert!(
        left.iter().all(|n| !n.contains(".tmp") && !n.starts_with(".copy")),
        "no temporary file is left behind: {left:?}"
    );
}

#[test]
fn the_store_and_its_wal_and_shm_are_never_targets_even_with_force() {
    let d = Desk::new();
    d.ok(&["demo"]);
    // A live store has its -wal and -shm while a connection is open; make sure they exist.
    let keep = rusqlite::Connection::open(&d.db).unwrap();
    keep.query_row("SELECT count(*) FROM clients", [], |r| r.get::<_, i64>(0))
        .unwrap();
    let dir = d.dir.path();
    let wal = dir.join("vadesk.db-wal");
    let shm = dir.join("vadesk.db-shm");
    let link = dir.join("innocent.json");
    std::os::unix::fs::symlink(&d.db, &link).unwrap();
    let sub = dir.join("sub");
    std::fs::create_dir(&sub).unwrap();
    let roundabout = sub.join("..").join("vadesk.db");
    let before = (bytes(&d.db), bytes(&wal));
    for target in [&d.db, &wal, &shm, &link, &roundabout] {
        let t = target.to_str().unwrap();
        for args in [
            vec!["export", "--out", t],
            vec!["export", "--out", t, "--force"],
            vec!["backup", t],
            vec!["backup", t, "--force"],
            vec!["statement", "Bloom Florist", "--out", t, "--force"],
            vec!["calendar", "--out", t, "--force"],
        ] {
            let (code, err) = d.fails(&args);
            assert_eq!(code, 1, "{args:?}");
            assert!(err.contains("the store itself"), "{args:?}: {err}");
        }
    }
    let (_, err) = d.fails(&["--lang", "es", "export", "--out", d.db.to_str().unwrap(), "--force"]);
    assert!(err.contains("la propia base de datos"), "{err}");
    assert_eq!((bytes(&d.db), bytes(&wal)), before, "the store was touched");
    assert!(link.is_symlink());
    drop(keep);
    assert_eq!(d.snapshot()["clients"].as_array().unwrap().len(), 6);
}

#[test]
fn a_dangling_symlink_is_never_followed_to_create_a_file_elsewhere() {
    let d = Desk::new();
    d.ok(&["client", "add", "Bloom"]);
    let elsewhere = d.dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let victim = elsewhere.join("planted.json");
    let link = d.dir.path().join("export.json");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let l = link.to_str().unwrap();

    for args in [vec!["export", "--out", l], vec!["backup", l]] {
        let (_, err) = d.fails(&args);
        assert!(err.contains("link") && err.contains("--force"), "{err}");
        assert!(!victim.exists(), "{args:?} followed the link");
        assert!(link.is_symlink());
    }
    // With --force the link itself is replaced by the file; nothing appears where it pointed.
    d.ok(&["export", "--out", l, "--force"]);
    assert!(!victim.exists());
    assert!(!link.is_symlink() && link.is_file());
    assert_eq!(mode(&link), 0o600);
}

#[test]
fn a_folder_or_a_missing_folder_is_a_clear_message() {
    let d = Desk::new();
    d.ok(&["client", "add", "Bloom"]);
    let (_, err) = d.fails(&["export", "--out", d.dir.path().to_str().unwrap(), "--force"]);
    assert!(err.contains("is a folder"), "{err}");
    let missing = d.dir.path().join("no-such-folder").join("x.json");
    let m = missing.to_str().unwrap();
    for args in [
        vec!["export", "--out", m],
        vec!["statement", "Bloom", "--out", m],
        vec!["calendar", "--out", m],
    ] {
        let (_, err) = d.fails(&args);
        assert!(
            err.contains("does not exist") && err.contains("no-such-folder"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("os error"), "{args:?}: {err}");
    }
}

/// A pipe or a socket (as a device) is never replaced by a file, even with --force; a path
/// through a file is said to be a file, not a missing folder.
#[test]
fn pipes_sockets_and_devices_are_never_targets() {
    let d = Desk::new();
    d.ok(&["client", "add", "Bloom"]);
    let dir = d.dir.path();
    let fifo = dir.join("pipe");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo")
        .success());
    let sock = dir.join("sock");
    let _listener = std::os::unix::net::UnixListener::bind(&sock).expect("socket");
    for target in [&fifo, &sock] {
        let t = target.to_str().unwrap();
        for args in [
            vec!["export", "--out", t, "--force"],
            vec!["backup", t, "--force"],
            vec!["statement", "Bloom", "--out", t, "--force"],
            vec!["calendar", "--out", t, "--force"],
        ] {
            let (code, err) = d.fails(&args);
            assert_eq!(code, 1, "{args:?}");
            assert!(err.contains("is not a plain file"), "{args:?}: {err}");
        }
    }
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    assert!(std::fs::symlink_metadata(&sock).unwrap().file_type().is_socket());
    let file = dir.join("afile");
    std::fs::write(&file, "x").unwrap();
    let through = file.join("x.ics");
    let (_, err) = d.fails(&["calendar", "--out", through.to_str().unwrap()]);
    assert!(err.contains("is a file, not a folder"), "{err}");
}

/// A backup or export killed before it could clean up (`kill -9`, a power cut) leaves its
/// temporary file (and SQLite's journal beside a backup's); the next one of that file removes
/// them. They stayed for good. A temporary file of a process still running is left alone, and
/// so is any other file.
#[test]
fn what_a_killed_backup_left_is_removed_by_the_next_one() {
    let d = Desk::new();
    d.ok(&["demo"]);
    let dir = d.dir.path();
    // A process that is gone, and one that runs (this test).
    let mut gone = std::process::Command::new("true").spawn().unwrap();
    let dead = gone.id();
    gone.wait().unwrap();
    let alive = std::process::id();
    let stale = [
        format!(".copy.db.{dead}-0.tmp"),
        format!(".copy.db.{dead}-0.tmp-journal"),
        format!(".out.json.{dead}-3.tmp"),
    ];
    let kept = [
        format!(".copy.db.{alive}-0.tmp"),
        ".copy.db.notes.tmp".to_string(),
        "copy.db.123-0.tmp".to_string(),
    ];
    for n in stale.iter().chain(&kept) {
        std::fs::write(dir.join(n), b"half").unwrap();
    }
    d.ok(&["backup", dir.join("copy.db").to_str().unwrap()]);
    d.ok(&["export", "--out", dir.join("out.json").to_str().unwrap()]);
    let left = names(dir);
    for n in &stale {
        assert!(!left.contains(n), "{n} stays: {left:?}");
    }
    for n in &kept {
        assert!(left.contains(n), "{n} was removed: {left:?}");
    }
}

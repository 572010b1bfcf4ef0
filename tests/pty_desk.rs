//! The desk's second-wave screens in the real binary: a long-text field handed to the user's
//! editor and taken back, with the terminal restored around it.

mod common;

use common::pty::Screen;
use common::Desk;

/// The demo at 80×24 with `$VISUAL` a shell script of `body`, Bloom Florist's edit form open
/// and `Ctrl-E` pressed on its notes (the last field, reached with Shift-Tab).
fn editing_notes(body: &str) -> (Desk, Screen) {
    editing_notes_with(body, "\x05")
}

/// As `editing_notes`, `keys` written at once on the notes (ending with `Ctrl-E`).
fn editing_notes_with(body: &str, keys: &str) -> (Desk, Screen) {
    let d = Desk::new();
    let (_, s) = on_the_notes(&d, body, &[], keys);
    (d, s)
}

/// The desk on `d` with `$VISUAL` a shell script of `body` (its path returned) and `env`
/// besides, Bloom Florist's edit form open, its notes focused and `keys` written there at once.
fn on_the_notes(d: &Desk, body: &str, env: &[(&str, &str)], keys: &str) -> (String, Screen) {
    let editor = d.dir.path().join("editor.sh");
    std::fs::write(&editor, format!("#!/bin/sh\n{body}")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let editor = editor.to_str().unwrap().to_string();
    let mut env = env.to_vec();
    env.push(("VISUAL", &editor));
    let mut s = Screen::open_env(d, &[], &env, 80, 24);
    s.wait_for("Welcome to vadesk");
    s.send("\r");
    s.wait_for("Bloom Florist");
    s.send("j");
    s.wait_for("Tasks · Bloom Florist");
    s.send("e");
    s.wait_for("Edit Bloom Florist");
    s.send("\x1b[Z");
    s.send(keys);
    (editor, s)
}

/// Saves the form, quits, and gives Bloom Florist's notes as stored.
fn saved_notes(d: &Desk, mut s: Screen) -> String {
    s.send("\r");
    s.wait_for("Saved");
    s.send("q");
    s.exit();
    let store = vadesk::Store::open(&d.db).unwrap();
    let id = store.find_client("Bloom Florist").unwrap().id;
    store.client(id).unwrap().notes
}

/// A stand-in editor: puts "Edited: " before the text it is given.
const PREFIXING_EDITOR: &str = "printf 'Edited: %s\\n' \"$(cat \"$1\")\" > \"$1\"\n";

#[test]
fn ctrl_e_opens_the_editor_on_a_client_s_notes_and_keeps_their_lines() {
    // A stand-in editor: writes two lines into the file it is given.
    let (d, s) = editing_notes("printf 'Line one\\nLine two\\n' > \"$1\"\n");
    s.wait_for("Line two");
    assert_eq!(saved_notes(&d, s), "Line one\nLine two");
}

/// Keys that arrive in one read with `Ctrl-E` last (typed fast, or pasted by a macro tool):
/// the editor opens at once, with what was typed before it, and no key after it is needed.
#[test]
fn ctrl_e_typed_together_with_other_keys_opens_the_editor_at_once() {
    let (d, s) = editing_notes_with(PREFIXING_EDITOR, "xy\x05");
    // The two letters went in where the cursor was, before the notes' text.
    s.wait_for("Edited: xyRetainer");
    assert_eq!(
        saved_notes(&d, s),
        "Edited: xyRetainer, 20 h a month. Marta prefers voice notes before 10:00."
    );
}

/// Keys that came in the same read after `Ctrl-E` were taken from the terminal before the
/// editor started, so it cannot have them: they are dropped, never replayed into the form
/// after it (where an Enter would save and a `q` quit).
#[test]
fn keys_typed_in_one_burst_after_ctrl_e_do_not_reach_the_form_after_the_editor() {
    let (d, s) = editing_notes_with(PREFIXING_EDITOR, "\x05zz\r");
    s.wait_for("Edited: Retainer");
    // Still the form: the burst's Enter did not save it.
    s.wait_for("Enter saves");
    assert_eq!(
        saved_notes(&d, s),
        "Edited: Retainer, 20 h a month. Marta prefers voice notes before 10:00."
    );
}

/// A signal while the editor is open ends the desk at once, not when the editor ends: the
/// editor is asked to end, its file (the client's notes) is removed, the text is not saved.
#[test]
fn a_signal_while_the_editor_is_open_ends_the_desk_and_the_editor() {
    let d = Desk::new();
    let tmp = d.dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let started = d.dir.path().join("editor-started");
    let body = format!("touch '{}'\nsleep 30\n", started.display());
    let (editor, mut s) = on_the_notes(&d, &body, &[("TMPDIR", tmp.to_str().unwrap())], "\x05");
    let t = std::time::Instant::now();
    while !started.exists() {
        assert!(
            t.elapsed() < std::time::Duration::from_secs(20),
            "the editor never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 1, "the notes' file is there");
    let t = std::time::Instant::now();
    s.signal(libc::SIGTERM);
    let (code, _) = s.wait_end();
    assert!(
        t.elapsed() < std::time::Duration::from_secs(5),
        "it ended after {:?}",
        t.elapsed()
    );
    assert_eq!(code, Some(143));
    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    let out = std::process::Command::new("pgrep").args(["-f", &editor]).output();
    if let Ok(out) = out {
        assert!(out.stdout.is_empty(), "the editor still runs");
    }
}

#[test]
fn a_terminal_resized_while_the_editor_has_it_is_drawn_at_its_new_size() {
    // A stand-in editor that narrows the terminal (as a window dragged smaller while the
    // editor is open), then writes the text.
    let (_d, mut s) = editing_notes("stty cols 70 rows 20\nprintf 'Narrower now\\n' > \"$1\"\n");
    let screen = s.wait_for("Narrower now");
    // The whole frame is drawn again at 70×20: the form's borders end at column 70, its
    // bottom border is the 19th row, the status bar the 20th, and nothing is left below.
    let lines: Vec<&str> = screen.lines().collect();
    let width = |l: &str| l.trim_end().chars().count();
    assert!(lines[1].trim_end().ends_with('┐') && width(lines[1]) == 70, "{screen}");
    assert!(
        lines[18].trim_end().ends_with('┘') && width(lines[18]) == 70,
        "{screen}"
    );
    assert!(lines[19].contains("? help"), "{screen}");
    assert!(lines.iter().skip(20).all(|l| l.trim().is_empty()), "{screen}");
    s.send("\x1b");
    s.send("q");
    s.exit();
}

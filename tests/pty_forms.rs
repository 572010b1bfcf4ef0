//! The real binary in a pseudo-terminal with its task form open while the command line, in
//! another process, changes the same task: saving the form keeps what the command line did.

mod common;

use common::pty::Screen;
use common::Desk;

#[test]
fn a_task_edited_and_closed_from_the_command_line_while_its_form_is_open_keeps_those_changes() {
    let d = Desk::new();
    d.ok(&["client", "add", "Acme"]);
    d.ok(&["task", "add", "acme", "Logo", "--spec", "original spec"]);
    let mut s = Screen::open(&d, &[], 80, 24);
    s.wait_for("Acme");
    s.send("j\t");
    s.wait_for("Tasks · Acme");
    s.send("e");
    s.wait_for("Edit");
    s.wait_for("original spec");
    d.ok(&[
        "task",
        "edit",
        "1",
        "--spec",
        "NEW SPEC FROM CLI",
        "--due",
        "2026-12-24",
    ]);
    d.ok(&["task", "done", "1"]);
    // End, " v2", Enter: only the title was changed in the form.
    s.send("\x1b[F v2\r");
    s.wait_for("Saved");
    s.send("q");
    s.exit();
    let store = vadesk::Store::open(&d.db).unwrap();
    let t = store.task(1).unwrap();
    assert_eq!(t.title, "Logo v2");
    assert_eq!(t.spec, "NEW SPEC FROM CLI");
    assert_eq!(t.due.map(|d| d.to_string()).as_deref(), Some("2026-12-24"));
    assert_eq!(t.status, vadesk::domain::TaskStatus::Done);
}

#[test]
fn a_title_changed_from_the_command_line_and_in_the_form_is_refused_in_the_form() {
    let d = Desk::new();
    d.ok(&["client", "add", "Acme"]);
    d.ok(&["task", "add", "acme", "Logo"]);
    let mut s = Screen::open(&d, &[], 80, 24);
    s.wait_for("Acme");
    s.send("j\t");
    s.wait_for("Tasks · Acme");
    s.send("e");
    s.wait_for("Edit");
    d.ok(&["task", "edit", "1", "--title", "Logo final"]);
    s.send("\x1b[F v2\r");
    s.wait_for("Changed elsewhere");
    assert_eq!(
        vadesk::Store::open_again(&d.db).unwrap().task(1).unwrap().title,
        "Logo final"
    );
    // Enter again: the person has seen the other value and keeps theirs.
    s.send("\r");
    s.wait_for("Saved");
    s.send("q");
    s.exit();
    let store = vadesk::Store::open(&d.db).unwrap();
    assert_eq!(store.task(1).unwrap().title, "Logo v2");
}

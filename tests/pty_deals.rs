//! The tasks pane's quotes and meetings tabs, and the weekly review's `x`, in the real binary
//! on a pseudo-terminal at 80×24.

mod common;

use common::pty::Screen;
use common::Desk;

#[test]
fn a_client_s_quotes_and_meetings_are_edited_and_deleted_from_the_keyboard() {
    let d = Desk::new();
    let mut s = Screen::open(&d, &[], 80, 24);
    s.wait_for("Welcome to vadesk");
    s.send("\r");
    s.wait_for("Bloom Florist");
    s.send("/north\r");
    s.send("\t]");
    s.wait_for("Quotes · Northwind Yoga (1)");
    s.wait_for("[Quotes 1]");
    s.send("e");
    s.wait_for("Edit the quote for Northwind Yoga");
    s.send(&"\x7f".repeat(12));
    s.send("520\r");
    s.wait_for("Quote saved.");
    s.wait_for("€520.00");
    s.send("]");
    s.wait_for("Meetings · Northwind Yoga (1)");
    s.send("\r");
    s.wait_for("did not show up");
    s.send("\x1b");
    s.send("D");
    s.wait_for("Delete the meeting with Northwind Yoga");
    s.send("y");
    s.wait_for("No meetings: press a");
    s.send("q");
    s.exit();
    let store = vadesk::Store::open(&d.db).unwrap();
    let id = store.find_client("Northwind Yoga").unwrap().id;
    assert_eq!(store.quotes_of(id).unwrap()[0].amount_cents, 52_000);
    assert!(store.meetings_of(id).unwrap().is_empty());
}

#[test]
fn x_on_the_weekly_review_row_records_that_the_client_missed_it() {
    let d = Desk::new();
    let mut s = Screen::open(&d, &[], 80, 24);
    s.wait_for("Welcome to vadesk");
    s.send("\r");
    s.wait_for("Bloom Florist");
    s.send("2");
    s.wait_for("Daily review");
    // The weekly review is the eighth row of the demo's review.
    s.send("gjjjjjjj");
    s.wait_for("x client missed it");
    s.send("x");
    // The row leaves the review (a notice says so, unless the tick speaks after it).
    s.wait_for("Review (10)");
    s.send("q");
    s.exit();
    let store = vadesk::Store::open(&d.db).unwrap();
    let id = store.find_client("Bloom Florist").unwrap().id;
    assert!(store
        .list_flags(Some(id))
        .unwrap()
        .iter()
        .any(|f| f.kind == vadesk::domain::FlagKind::NoFeedback));
}

//! The Month view in the real binary on a real terminal: opened on the demo with `3`, moved
//! to the month before and back with the arrow keys, its statement opened and closed.

mod common;

use common::pty::Screen;
use common::Desk;

#[test]
fn the_month_view_opens_on_the_demo_and_moves_between_months() {
    let d = Desk::new();
    d.ok(&["demo"]);
    let mut s = Screen::open(&d, &[], 80, 24);
    s.wait_for("Bloom Florist");
    s.send("3");
    let screen = s.wait_for("November 2026");
    assert!(screen.contains("3 Month"), "{screen}");
    s.wait_for("retainer 18h 30m of 20h 00m");
    s.send("\x1b[D");
    s.wait_for("October 2026");
    s.wait_for("Clínica Dental Ramos");
    s.send("\x1b[C");
    s.wait_for("November 2026");
    s.send("\r");
    s.wait_for("Statement of Bloom Florist for November 2026");
    s.send("\x1b");
    s.wait_gone("Statement of");
    s.send("q");
    s.exit();
}

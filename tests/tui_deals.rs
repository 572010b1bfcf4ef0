//! The tasks pane's quotes and meetings tabs, and the weekly review row's `x`, without a
//! terminal: `App` driven by keys on a real store; renders on ratatui's `TestBackend`.

mod common;

use common::tui::{now, Desk, Setup};

use chrono::{NaiveDate, NaiveDateTime};
use crossterm::event::KeyCode;
use vadesk::domain::{Attendance, FlagKind, MeetingKind, QuoteStatus, ReviewKind};
use vadesk::i18n::Lang;
use vadesk::store::NewQuote;
use vadesk::tui::deals::DealTab;
use vadesk::tui::form::{ConfirmAction, FormKind, PickPurpose, Popup};

fn desk_in(lang: Lang) -> Desk {
    Setup {
        lang,
        demo_in_lang: false,
        ..Setup::default()
    }
    .build()
}

fn desk() -> Desk {
    desk_in(Lang::En)
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

impl Desk {
    /// A second and third quote for Northwind Yoga: one nudged twice, one accepted.
    fn more_quotes(&mut self) -> (i64, i64) {
        let c = self.client_id("Northwind Yoga");
        let a = self
            .store
            .add_quote(
                c,
                NewQuote {
                    amount_cents: 120_050,
                    prep_min: 45,
                    sent_on: day("2026-11-20"),
                    answer_by: Some(day("2026-11-27")),
                    description: "Website copy refresh".into(),
                },
                7,
            )
            .unwrap();
        self.store.nudge_quote(a, None, day("2026-11-22")).unwrap();
        self.store.nudge_quote(a, None, day("2026-11-23")).unwrap();
        let b = self
            .store
            .add_quote(
                c,
                NewQuote {
                    amount_cents: 9_900,
                    prep_min: 0,
                    sent_on: day("2026-11-02"),
                    answer_by: Some(day("2026-11-09")),
                    description: "Logo tweaks".into(),
                },
                7,
            )
            .unwrap();
        self.store
            .answer_quote(b, QuoteStatus::Accepted, day("2026-11-05"))
            .unwrap();
        self.app.reload(&self.store).unwrap();
        (a, b)
    }
}

// ---- the tabs ---------------------------------------------------------------------------------

#[test]
fn brackets_and_arrows_switch_the_tasks_pane_between_tasks_quotes_and_meetings() {
    let mut d = desk();
    d.open("Northwind Yoga");
    assert_eq!(d.app.deals.tab, DealTab::Tasks);
    d.keys("]");
    assert_eq!(d.app.deals.tab, DealTab::Quotes);
    d.key(KeyCode::Right);
    assert_eq!(d.app.deals.tab, DealTab::Meetings);
    d.keys("]");
    assert_eq!(d.app.deals.tab, DealTab::Time);
    d.keys("]");
    assert_eq!(d.app.deals.tab, DealTab::Tasks, "it wraps around");
    d.key(KeyCode::Left);
    assert_eq!(d.app.deals.tab, DealTab::Time);
    d.key(KeyCode::Left);
    assert_eq!(d.app.deals.tab, DealTab::Meetings);
    d.keys("[");
    assert_eq!(d.app.deals.tab, DealTab::Quotes);
    // The tab stays while another client is picked, with that client's quotes.
    d.key(KeyCode::BackTab);
    d.keys("k");
    let other = d.app.client().unwrap().client.id;
    assert!(d.app.deals.quotes.iter().all(|q| q.client_id == other));
    assert_eq!(d.app.deals.tab, DealTab::Quotes);
    // "All clients" has no tabs: quotes and meetings belong to a client.
    d.keys("g");
    d.key(KeyCode::Tab);
    assert_eq!(d.app.deals.tab, DealTab::Tasks);
    d.keys("]");
    assert_eq!(d.app.deals.tab, DealTab::Tasks);
    assert!(d.notice().contains("select one first"), "{}", d.notice());
}

#[test]
fn the_task_keys_do_nothing_on_the_quotes_tab() {
    let mut d = desk();
    d.open("Bloom Florist").keys("]");
    d.keys("m");
    assert!(d.app.popup.is_none());
    d.keys("d");
    assert!(d.app.popup.is_none());
    d.keys("/");
    assert!(d.app.tasks.filter.is_none(), "the filter is the tasks tab's");
}

// ---- quotes -----------------------------------------------------------------------------------

#[test]
fn a_quote_is_edited_from_its_form_and_the_selection_stays_on_it() {
    let mut d = desk();
    let (nudged, _) = d.more_quotes();
    d.open("Northwind Yoga").keys("]");
    assert_eq!(d.app.deals.quotes.len(), 3);
    d.keys("g");
    assert_eq!(d.app.deals.quote().unwrap().id, nudged, "newest first");
    d.keys("e");
    assert_eq!(d.form_kind(), Some(FormKind::EditQuote(nudged)));
    d.retype("1350,5")
        .key(KeyCode::Tab)
        .retype("Website copy and blog")
        .key(KeyCode::Tab)
        .retype("2h")
        .key(KeyCode::Tab)
        .retype("2026-12-04")
        .key(KeyCode::Enter);
    assert!(d.app.popup.is_none(), "saved: {}", d.notice());
    assert_eq!(d.notice(), "Quote saved.");
    let q = d.store.quote(nudged).unwrap();
    assert_eq!(q.amount_cents, 135_050);
    assert_eq!(q.description, "Website copy and blog");
    assert_eq!(q.prep_min, 120);
    assert_eq!(q.answer_by, day("2026-12-04"));
    assert_eq!(d.app.deals.quote().unwrap().id, nudged);
    assert!(d.text(80, 24).contains("€1,350.50"), "{}", d.text(80, 24));
}

#[test]
fn a_wrong_field_in_the_quote_form_is_marked_and_nothing_typed_is_lost() {
    let mut d = desk();
    d.open("Northwind Yoga").keys("]e");
    d.retype("lots").key(KeyCode::Enter);
    let Some(Popup::Form(f)) = &d.app.popup else {
        panic!("the form stays")
    };
    assert_eq!(f.value(0), "lots");
    assert!(f.fields[0].error.is_some());
    // An answer date before the quote was sent is refused inline too.
    d.retype("450")
        .key(KeyCode::Tab)
        .key(KeyCode::Tab)
        .key(KeyCode::Tab)
        .retype("2026-01-01")
        .key(KeyCode::Enter);
    let Some(Popup::Form(f)) = &d.app.popup else {
        panic!("the form stays")
    };
    assert!(f.fields[3].error.is_some());
}

#[test]
fn n_nudges_a_pending_quote_and_never_an_answered_one() {
    let mut d = desk();
    let (nudged, accepted) = d.more_quotes();
    d.open("Northwind Yoga").keys("]g");
    d.keys("n");
    assert_eq!(d.form_kind(), Some(FormKind::NudgeQuote(nudged)));
    d.keys("+5d").key(KeyCode::Enter);
    assert!(d.app.popup.is_none(), "{}", d.notice());
    let q = d.store.quote(nudged).unwrap();
    assert_eq!(q.nudges, 3);
    assert_eq!(q.answer_by, day("2026-11-28"));
    assert!(d.text(80, 24).contains("✉3"));
    // The accepted one is the oldest.
    d.keys("G");
    assert_eq!(d.app.deals.quote().unwrap().id, accepted);
    d.keys("n");
    assert!(d.app.popup.is_none());
    assert!(d.app.notice.as_ref().unwrap().error);
    assert!(d.notice().contains("accepted"), "{}", d.notice());
}

#[test]
fn r_answers_a_quote_from_a_picker() {
    let mut d = desk();
    d.open("Northwind Yoga").keys("]");
    let id = d.app.deals.quote().unwrap().id;
    d.keys("r");
    match &d.app.popup {
        Some(Popup::Picker(p)) => assert_eq!(p.purpose, PickPurpose::QuoteAnswer(id)),
        other => panic!("{other:?}"),
    }
    d.keys("j").key(KeyCode::Enter);
    assert_eq!(d.store.quote(id).unwrap().status, QuoteStatus::Rejected);
    assert_eq!(d.app.deals.quote().unwrap().status, QuoteStatus::Rejected);
}

#[test]
fn d_deletes_a_quote_only_on_a_deliberate_yes() {
    let mut d = desk_in(Lang::Es);
    let (nudged, _) = d.more_quotes();
    d.open("Northwind Yoga").keys("]g");
    d.keys("D");
    match &d.app.popup {
        Some(Popup::Confirm(c)) => {
            assert_eq!(c.action, ConfirmAction::DeleteQuote(nudged));
            assert!(c.text.contains("1200,50 €"), "{}", c.text);
        }
        other => panic!("{other:?}"),
    }
    // Enter or a stray key never confirms.
    d.key(KeyCode::Enter).keys("x");
    assert!(d.store.quote(nudged).is_ok());
    assert!(matches!(d.app.popup, Some(Popup::Confirm(_))));
    d.keys("s");
    assert!(d.store.quote(nudged).is_err(), "s (sí) confirms in Spanish");
    assert_eq!(d.app.deals.quotes.len(), 2);
    // The selection moved to its neighbour; u brings the quote back.
    assert!(d.app.deals.quote().is_some());
    d.keys("u");
    assert!(d.store.quote(nudged).is_ok());
}

#[test]
fn a_adds_a_quote_with_its_description_from_the_quotes_tab() {
    let mut d = desk();
    d.open("Bloom Florist").keys("]");
    assert!(d.app.deals.quotes.is_empty());
    assert!(d.text(80, 24).contains("No quotes: press a"));
    d.keys("a");
    assert!(matches!(d.form_kind(), Some(FormKind::Quote(_))));
    d.keys("300")
        .key(KeyCode::Tab)
        .key(KeyCode::Tab)
        .key(KeyCode::Tab)
        .key(KeyCode::Tab)
        .keys("Spring campaign")
        .key(KeyCode::Enter);
    assert!(d.app.popup.is_none(), "{}", d.notice());
    assert_eq!(d.app.deals.quotes.len(), 1);
    assert_eq!(d.app.deals.quotes[0].description, "Spring campaign");
    assert_eq!(d.app.deals.quotes[0].amount_cents, 30_000);
}

#[test]
fn enter_opens_a_quote_s_details() {
    let mut d = desk();
    d.more_quotes();
    d.open("Northwind Yoga").keys("]g").key(KeyCode::Enter);
    let Some(Popup::Details(det)) = &d.app.popup else {
        panic!("details")
    };
    let all = det.lines.join("\n");
    assert!(all.contains("€1,200.50"), "{all}");
    assert!(all.contains("Website copy refresh"));
    assert!(all.contains("45m"));
    assert!(all.contains("Last reminder"), "{all}");
}

// ---- meetings ---------------------------------------------------------------------------------

#[test]
fn a_rescheduled_meeting_keeps_the_selection_and_its_attendance() {
    let mut d = desk();
    let c = d.client_id("Northwind Yoga");
    let later = d
        .store
        .add_meeting(
            c,
            NaiveDateTime::parse_from_str("2026-11-25 10:00", "%Y-%m-%d %H:%M").unwrap(),
            MeetingKind::Review,
            Some(30),
        )
        .unwrap();
    d.app.reload(&d.store).unwrap();
    d.open("Northwind Yoga").keys("]]");
    assert_eq!(d.app.deals.tab, DealTab::Meetings);
    // The older meeting (a no-show) is second. Its attendance is recorded: it cannot move to
    // a time still to come (refused beside the field, nothing saved).
    d.keys("G");
    let old = d.app.deals.meeting().unwrap().clone();
    assert_ne!(old.id, later);
    d.keys("e");
    assert_eq!(d.form_kind(), Some(FormKind::EditMeeting(old.id)));
    d.retype("2026-12-01 12:30")
        .key(KeyCode::Tab)
        .key(KeyCode::Right)
        .key(KeyCode::Tab)
        .retype("1h")
        .key(KeyCode::Enter);
    assert_eq!(d.form_kind(), Some(FormKind::EditMeeting(old.id)));
    match &d.app.popup {
        Some(Popup::Form(f)) => assert!(
            f.fields[0]
                .error
                .as_deref()
                .unwrap_or("")
                .contains("cannot move to a time still to come"),
            "{:?}",
            f.fields[0].error
        ),
        _ => panic!("the form stays"),
    }
    assert_eq!(d.store.meeting(old.id).unwrap(), old);
    // Moved within the past, it keeps what was recorded; the selection follows it.
    d.retype("2026-11-22 12:30").key(KeyCode::Enter);
    assert!(d.app.popup.is_none(), "{}", d.notice());
    let m = d.store.meeting(old.id).unwrap();
    assert_eq!(m.at.to_string(), "2026-11-22 12:30:00");
    assert_ne!(m.kind, old.kind);
    assert_eq!(m.length_min, Some(60));
    assert_eq!(m.attendance, old.attendance, "rescheduling clears nothing recorded");
    assert_eq!(d.app.deals.meeting().unwrap().id, old.id, "the selection followed it");
    // One not attended yet moves to the future; the selection follows it to the top.
    d.keys("g");
    assert_eq!(d.app.deals.meeting().unwrap().id, later);
    d.keys("e").retype("2026-12-01 12:30").key(KeyCode::Enter);
    assert!(d.app.popup.is_none(), "{}", d.notice());
    assert_eq!(d.store.meeting(later).unwrap().at.to_string(), "2026-12-01 12:30:00");
    assert_eq!(d.app.deals.meeting_sel, 0, "it is the latest");
    assert_eq!(d.app.deals.meeting().unwrap().id, later, "the selection followed it");
}

/// Minutes late are whole minutes from 1 to a day, kept as typed: 5000 or 2.5 are refused
/// beside the field (5000 was cut to 1440, 2.5 rounded), and the attendance is not recorded.
#[test]
fn minutes_late_out_of_range_are_refused_never_cut() {
    let mut d = desk();
    d.open("Casa Lumen Interiors").keys("]]");
    let id = d.app.deals.meeting().unwrap().id;
    let before = d.store.meeting(id).unwrap().attendance;
    d.keys("r").key(KeyCode::Down).key(KeyCode::Enter);
    assert!(matches!(&d.app.popup, Some(Popup::Form(_))), "{:?}", d.app.popup);
    for typed in ["5000", "2.5", "0", "99999999999"] {
        d.retype(typed).key(KeyCode::Enter);
        assert!(matches!(&d.app.popup, Some(Popup::Form(_))), "{typed} was taken");
        assert!(
            d.text(120, 35).contains("not a whole number from 1 to 1440"),
            "{typed}: {}",
            d.text(120, 35)
        );
        assert_eq!(d.store.meeting(id).unwrap().attendance, before);
    }
    d.retype("45").key(KeyCode::Enter);
    assert!(d.app.popup.is_none());
    let m = d.store.meeting(id).unwrap();
    assert_eq!((m.attendance, m.late_minutes), (Attendance::Late, Some(45)));
    // The meetings tab and the client's details say by how much.
    assert!(d.text(120, 35).contains("late 45m"), "{}", d.text(120, 35));
    d.key(KeyCode::BackTab).key(KeyCode::Enter);
    assert!(matches!(&d.app.popup, Some(Popup::Details(_))), "{:?}", d.app.popup);
    assert!(d.text(120, 35).contains("late 45m"), "{}", d.text(120, 35));
}

#[test]
fn r_records_a_meeting_s_attendance_and_d_deletes_it() {
    let mut d = desk();
    d.open("Casa Lumen Interiors").keys("]]");
    let id = d.app.deals.meeting().unwrap().id;
    d.keys("r");
    match &d.app.popup {
        Some(Popup::Picker(p)) => assert_eq!(p.purpose, PickPurpose::Attendance(id)),
        other => panic!("{other:?}"),
    }
    d.key(KeyCode::Enter);
    assert_eq!(d.store.meeting(id).unwrap().attendance, Attendance::OnTime);
    assert!(d.text(80, 24).contains("on time"));
    d.keys("n");
    assert!(d.app.popup.is_none(), "no nudge for a meeting");
    d.keys("D");
    assert!(matches!(&d.app.popup, Some(Popup::Confirm(c)) if c.action == ConfirmAction::DeleteMeeting(id)));
    d.keys("n");
    assert!(d.store.meeting(id).is_ok(), "n cancels");
    d.keys("Dy");
    assert!(d.store.meeting(id).is_err());
    assert!(d.text(80, 24).contains("No meetings: press a"));
}

#[test]
fn a_on_the_meetings_tab_adds_a_meeting_with_its_length() {
    let mut d = desk();
    d.open("Tienda Sol").keys("]]a");
    assert!(matches!(d.form_kind(), Some(FormKind::Meeting(_))));
    d.keys("2026-11-26 10:00")
        .key(KeyCode::Tab)
        .key(KeyCode::Tab)
        .keys("45m")
        .key(KeyCode::Enter);
    assert!(d.app.popup.is_none(), "{}", d.notice());
    assert_eq!(d.app.deals.meetings.len(), 1);
    assert_eq!(d.app.deals.meetings[0].length_min, Some(45));
}

// ---- the weekly review ------------------------------------------------------------------------

fn to_weekly_review(d: &mut Desk) {
    d.keys("2g");
    for _ in 0..30 {
        if d.app.review_item().is_some_and(|r| r.kind == ReviewKind::WeeklyReview) {
            return;
        }
        d.keys("j");
    }
    panic!("no weekly review row");
}

#[test]
fn x_records_that_the_client_missed_the_weekly_review() {
    let mut d = desk();
    let bloom = d.client_id("Bloom Florist");
    to_weekly_review(&mut d);
    let before = d.store.list_flags(Some(bloom)).unwrap().len();
    d.keys("x");
    assert!(d.notice().contains("missed"), "{}", d.notice());
    assert!(d.app.review.rows.iter().all(|r| r.kind != ReviewKind::WeeklyReview));
    let flags = d.store.list_flags(Some(bloom)).unwrap();
    assert_eq!(flags.len(), before + 1);
    assert!(flags
        .iter()
        .any(|f| f.kind == FlagKind::NoFeedback && f.at == now().date()));
    // u takes it back: the review is due again.
    d.keys("u");
    assert!(d.app.review.rows.iter().any(|r| r.kind == ReviewKind::WeeklyReview));
}

#[test]
fn r_holds_the_weekly_review_and_raises_nothing() {
    let mut d = desk();
    let bloom = d.client_id("Bloom Florist");
    to_weekly_review(&mut d);
    let before = d.store.list_flags(Some(bloom)).unwrap().len();
    d.keys("r");
    assert!(d.notice().contains("held"), "{}", d.notice());
    assert!(d.app.review.rows.iter().all(|r| r.kind != ReviewKind::WeeklyReview));
    assert_eq!(d.store.list_flags(Some(bloom)).unwrap().len(), before);
}

#[test]
fn x_elsewhere_in_the_review_changes_nothing_and_says_what_it_is_for() {
    let mut d = desk();
    d.keys("2g");
    assert_ne!(d.app.review_item().unwrap().kind, ReviewKind::WeeklyReview);
    let n = d.app.review.total();
    d.keys("x");
    assert_eq!(d.app.review.total(), n);
    assert!(d.app.notice.as_ref().unwrap().error);
    assert!(d.notice().contains("weekly review"));
}

#[test]
fn the_help_and_the_review_hints_name_the_new_keys() {
    let mut d = desk();
    // `x` is offered where it acts: on a weekly review's row.
    to_weekly_review(&mut d);
    assert!(d.text(120, 35).contains("x client missed it"), "{}", d.text(120, 35));
    d.keys("?");
    let mut all = String::new();
    for _ in 0..40 {
        all.push_str(&d.text(80, 24));
        d.keys("j");
    }
    assert!(all.contains("weekly review row: the client missed it"), "{all}");
    assert!(all.contains("[ ] ← →"), "{all}");
    assert!(all.contains("quote: nudge"), "{all}");
    assert!(all.contains("✉2 beside a quote"), "{all}");
}

// ---- snapshots --------------------------------------------------------------------------------

#[test]
fn snapshots_of_the_quotes_and_meetings_tabs() {
    for (lang, tag) in [(Lang::En, "en"), (Lang::Es, "es")] {
        let mut d = desk_in(lang);
        d.more_quotes();
        let c = d.client_id("Northwind Yoga");
        d.store
            .add_meeting(
                c,
                NaiveDateTime::parse_from_str("2026-11-25 10:00", "%Y-%m-%d %H:%M").unwrap(),
                MeetingKind::Review,
                Some(30),
            )
            .unwrap();
        d.app.reload(&d.store).unwrap();
        d.open("Northwind Yoga").keys("]");
        insta::assert_snapshot!(format!("quotes_{tag}_80x24"), d.text(80, 24));
        insta::assert_snapshot!(format!("quotes_{tag}_120x35"), d.text(120, 35));
        d.keys("]");
        insta::assert_snapshot!(format!("meetings_{tag}_80x24"), d.text(80, 24));
        insta::assert_snapshot!(format!("meetings_{tag}_120x35"), d.text(120, 35));
        d.keys("[ge");
        insta::assert_snapshot!(format!("quote_form_{tag}_80x24"), d.text(80, 24));
    }
}

#[test]
fn a_quote_saved_unchanged_keeps_its_amount_in_both_languages() {
    for lang in [Lang::En, Lang::Es] {
        let mut d = desk_in(lang);
        let (nudged, _) = d.more_quotes();
        d.open("Northwind Yoga").keys("]g").keys("e").key(KeyCode::Enter);
        assert!(d.app.popup.is_none(), "{}", d.notice());
        assert_eq!(d.store.quote(nudged).unwrap().amount_cents, 120_050);
    }
}

/// A quote of another year shows its year in both date columns, whole (its weekday goes, as
/// in the desk's other date columns), and this year's quotes keep their ten-cell column.
#[test]
fn a_quote_of_another_year_shows_its_year_in_the_quotes_tab() {
    for (lang, sent, answer) in [
        (Lang::En, "12 Jun 2025", "19 Jun 2025"),
        (Lang::Es, "12 jun 2025", "19 jun 2025"),
    ] {
        let mut d = desk_in(lang);
        let c = d.client_id("Northwind Yoga");
        d.store
            .add_quote(
                c,
                NewQuote {
                    amount_cents: 45_000,
                    prep_min: 0,
                    sent_on: day("2025-06-12"),
                    answer_by: Some(day("2025-06-19")),
                    description: "Old brochure".into(),
                },
                7,
            )
            .unwrap();
        d.app.reload(&d.store).unwrap();
        d.open("Northwind Yoga").keys("]");
        // Wide enough for the sent date: both dates whole.
        let wide = d.text(120, 35);
        let row = wide.lines().find(|r| r.contains("Old brochure")).unwrap_or_default();
        assert!(row.contains(sent) && row.contains(answer), "{lang:?}: {row}\n{wide}");
        // Narrow: the answer date alone, still whole.
        let narrow = d.text(80, 24);
        let row = narrow.lines().find(|r| r.contains("Old brochure")).unwrap_or_default();
        assert!(row.contains(answer), "{lang:?}: {row}\n{narrow}");
    }
}

#[test]
fn a_quote_in_yen_with_a_fraction_is_refused_in_its_field() {
    let mut d = desk();
    let id = d.client_id("Bloom Florist");
    d.store
        .edit_client(
            id,
            vadesk::store::ClientFields {
                currency: Some(Some("JPY".into())),
                rate: Some(None),
                ..Default::default()
            },
        )
        .unwrap();
    d.open("Bloom Florist")
        .keys("]")
        .keys("a")
        .keys("300.5")
        .key(KeyCode::Enter);
    let Some(vadesk::tui::form::Popup::Form(f)) = &d.app.popup else {
        panic!("the form stays open: {}", d.notice())
    };
    let err = format!("{:?}", f);
    assert!(err.contains("JPY has no decimals"), "{err}");
    assert!(d.store.quotes_of(id).unwrap().is_empty());
}

/// A new quote sent on a day still to come is refused under its "sent on" field, where the
/// focus goes (it was marked under "answer by", and what was typed next went there).
#[test]
fn a_quote_sent_in_the_future_is_marked_on_its_sent_date() {
    let mut d = desk();
    d.select_client("Northwind Yoga");
    d.keys("Q");
    assert!(
        matches!(d.form_kind(), Some(vadesk::tui::form::FormKind::Quote(_))),
        "{:?}",
        d.form_kind()
    );
    d.keys("450")
        .key(KeyCode::Tab)
        .key(KeyCode::Tab)
        .retype("+3d")
        .key(KeyCode::Enter);
    let Some(Popup::Form(f)) = &d.app.popup else {
        panic!("the form stays")
    };
    assert!(
        f.fields[2].error.is_some(),
        "{:?}",
        f.fields.iter().map(|x| &x.error).collect::<Vec<_>>()
    );
    assert!(f.fields[3].error.is_none());
    assert_eq!(f.focus, 2);
}

// ---- the time tab ------------------------------------------------------------------------------

/// A client with two entries of this month: (client, older entry, newer entry).
fn acme_with_time(d: &mut Desk) -> (i64, i64, i64) {
    let acme = d
        .store
        .add_client(
            vadesk::store::ClientFields {
                name: Some("Acme".into()),
                rate: Some(Some(4000)),
                ..Default::default()
            },
            now().date(),
        )
        .unwrap();
    let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    let older = d
        .store
        .log_time(Some(acme), None, at("2026-11-20 09:00"), 90, true, "call")
        .unwrap();
    let newer = d
        .store
        .log_time(Some(acme), None, at("2026-11-21 10:00"), 30, false, "redo")
        .unwrap();
    d.app.reload(&d.store).unwrap();
    (acme, older, newer)
}

/// The time tab: each entry newest first, edited from its form (only what changed is written),
/// deleted on a deliberate yes, and brought back by `u`.
#[test]
fn the_time_tab_lists_edits_and_deletes_a_client_s_time() {
    let mut d = desk();
    let (_, older, newer) = acme_with_time(&mut d);
    d.open("Acme").keys("]]]");
    assert_eq!(d.app.deals.tab, DealTab::Time);
    let ids: Vec<i64> = d.app.deals.times.iter().map(|e| e.id).collect();
    assert_eq!(ids, [newer, older], "newest first");
    let screen = d.text(120, 35);
    assert!(screen.contains("[Time 2]"), "{screen}");
    assert!(screen.contains("1h 30m") && screen.contains("unbilled"), "{screen}");
    assert!(screen.contains("— · call"), "{screen}");
    d.keys("j");
    assert_eq!(d.app.deals.time().unwrap().id, older);
    d.keys("e");
    assert_eq!(d.form_kind(), Some(FormKind::EditTime(older, false)));
    d.retype("1h 45m").key(KeyCode::Enter);
    assert!(d.app.popup.is_none(), "saved: {}", d.notice());
    assert_eq!(d.notice(), "Time saved.");
    let e = d.store.time_entry(older).unwrap();
    assert_eq!((e.minutes, e.billable, e.note.as_str()), (Some(105), true, "call"));
    assert_eq!(e.start, "2026-11-20 09:00", "the start was left alone");
    assert_eq!(d.app.deals.time().unwrap().id, older, "the selection stays on it");
    // Unbilled now, and a note: the other fields as they were.
    d.keys("e").key(KeyCode::Tab).key(KeyCode::Tab).key(KeyCode::Right);
    d.key(KeyCode::Tab).retype("client call").key(KeyCode::Enter);
    let e = d.store.time_entry(older).unwrap();
    assert_eq!(
        (e.minutes, e.billable, e.note.as_str()),
        (Some(105), false, "client call")
    );
    // D asks; a stray key does not confirm; y deletes; u brings it back.
    d.keys("D");
    match &d.app.popup {
        Some(Popup::Confirm(c)) => {
            assert_eq!(c.action, ConfirmAction::DeleteTime(older, false));
            assert!(c.text.contains("1h 45m") && c.text.contains("Acme"), "{}", c.text);
        }
        other => panic!("{other:?}"),
    }
    d.key(KeyCode::Enter).keys("x");
    assert!(d.store.time_entry(older).is_ok());
    d.keys("y");
    assert!(d.store.time_entry(older).is_err());
    assert_eq!(d.app.deals.times.len(), 1);
    assert_eq!(d.app.deals.time_count, 1);
    d.keys("u");
    assert_eq!(d.store.time_entry(older).unwrap().minutes, Some(105));
    // Enter shows one entry whole.
    d.keys("G").key(KeyCode::Enter);
    match &d.app.popup {
        Some(Popup::Details(p)) => {
            let text = p.lines.join("\n");
            assert!(text.contains("1h 45m") && text.contains("client call"), "{text}");
        }
        other => panic!("{other:?}"),
    }
}

/// A wrong value is marked on its field and nothing is written; time ending after now is
/// refused on the start; a duration changed meanwhile elsewhere is a conflict, not overwritten.
#[test]
fn a_wrong_or_conflicting_time_edit_writes_nothing() {
    let mut d = desk();
    let (_, _, newer) = acme_with_time(&mut d);
    d.open("Acme").keys("]]]e");
    for bad in ["0m", "-5m", "lots", "99999h"] {
        d.retype(bad).key(KeyCode::Enter);
        let Some(Popup::Form(f)) = &d.app.popup else {
            panic!("the form stays on {bad}")
        };
        assert_eq!(f.value(0), bad);
        assert!(f.fields[0].error.is_some(), "{bad}");
    }
    assert_eq!(d.store.time_entry(newer).unwrap().minutes, Some(30));
    d.retype("30m")
        .key(KeyCode::Tab)
        .retype("2026-11-23 08:50")
        .key(KeyCode::Enter);
    let Some(Popup::Form(f)) = &d.app.popup else {
        panic!("time ending after now is refused")
    };
    assert!(f.fields[1].error.is_some(), "{:?}", f.fields);
    assert_eq!(d.store.time_entry(newer).unwrap().start, "2026-11-21 10:00");
    d.key(KeyCode::Esc);
    // Another program changes the duration while the form is open.
    d.keys("e");
    d.store
        .edit_time(
            newer,
            vadesk::store::TimeEdit {
                minutes: Some(50),
                ..Default::default()
            },
            false,
        )
        .unwrap();
    d.retype("40m").key(KeyCode::Enter);
    let Some(Popup::Form(f)) = &d.app.popup else {
        panic!("the conflict is shown in the form")
    };
    assert!(f.fields[0].error.is_some(), "{:?}", f.fields);
    assert_eq!(d.store.time_entry(newer).unwrap().minutes, Some(50), "not overwritten");
    // An emptied start is "ended now", as the field's hint says (and as in the log form).
    d.key(KeyCode::Esc)
        .keys("e")
        .key(KeyCode::Tab)
        .retype("")
        .key(KeyCode::Enter);
    assert!(d.app.popup.is_none(), "{:?}", d.app.popup);
    assert_eq!(d.store.time_entry(newer).unwrap().start, "2026-11-23 08:10");
}

/// Billed time is changed only after a question that says when it was billed; a delete asked
/// before the entry was billed elsewhere is refused, and says so.
#[test]
fn billed_time_is_changed_only_after_a_question() {
    let mut d = desk_in(Lang::Es);
    let (acme, older, newer) = acme_with_time(&mut d);
    d.open("Acme").keys("]]]");
    // Asked about the older (billable, not billed yet), then the month is billed elsewhere.
    d.keys("j").keys("D");
    assert!(matches!(
        &d.app.popup,
        Some(Popup::Confirm(c)) if c.action == ConfirmAction::DeleteTime(older, false)
    ));
    let month = vadesk::domain::money::Month::of(now().date());
    assert!(d.store.mark_billed(acme, month, now().date()).unwrap() > 0);
    d.keys("s");
    assert!(d.store.time_entry(older).is_ok(), "billed meanwhile: kept");
    assert!(d.notice().contains("mientras tanto"), "{}", d.notice());
    // The unbilled entry was not billed: it is deleted without a word about billing.
    d.keys("g").keys("D");
    assert!(matches!(
        &d.app.popup,
        Some(Popup::Confirm(c)) if c.action == ConfirmAction::DeleteTime(newer, false)
    ));
    d.keys("s");
    assert!(d.store.time_entry(newer).is_err());
    // e on a billed entry asks first; n leaves it.
    d.keys("g").keys("e");
    match &d.app.popup {
        Some(Popup::Confirm(c)) => {
            assert_eq!(c.action, ConfirmAction::EditBilledTime(older));
            assert!(c.text.contains("facturó"), "{}", c.text);
        }
        other => panic!("{other:?}"),
    }
    d.keys("n");
    assert!(d.app.popup.is_none());
    d.keys("e").keys("s");
    assert_eq!(d.form_kind(), Some(FormKind::EditTime(older, true)));
    d.retype("1h").key(KeyCode::Enter);
    assert!(d.app.popup.is_none(), "{}", d.notice());
    assert_eq!(d.store.time_entry(older).unwrap().minutes, Some(60));
    // D on a billed entry says so, and deletes on a yes.
    d.keys("D");
    match &d.app.popup {
        Some(Popup::Confirm(c)) => {
            assert_eq!(c.action, ConfirmAction::DeleteTime(older, true));
            assert!(c.text.contains("extracto"), "{}", c.text);
        }
        other => panic!("{other:?}"),
    }
    // However long the question, the keys that answer it show (a long client name and task
    // made it wrap past the popup's height).
    if let Some(Popup::Confirm(c)) = &mut d.app.popup {
        c.text = format!("{} {}", "una pregunta muy larga".repeat(8), c.text);
    }
    for (w, h) in [(120, 35), (80, 24), (60, 20)] {
        let screen = d.text(w, h);
        assert!(
            screen.contains("s sí · n no") && screen.contains("devolver"),
            "{w}×{h}:\n{screen}"
        );
    }
    d.keys("s");
    // Billed, it is emptied rather than deleted: what was invoiced for it stays on the month.
    let emptied = d.store.time_entry(older).unwrap();
    assert_eq!(
        (emptied.minutes, emptied.invoiced_minutes),
        (Some(0), Some(90)),
        "as it was billed"
    );
    assert!(d.notice().contains("vaciada"), "{}", d.notice());
}

/// On the time tab (as on quotes and meetings) `t` and `T` are the client's, never the task
/// selected on the tasks tab that is not shown.
#[test]
fn time_keys_on_the_time_tab_are_the_client_s() {
    let mut d = desk();
    d.open("Bloom Florist");
    assert!(d.app.tasks.current().is_some());
    d.keys("]]]T");
    let Some(Popup::Form(f)) = &d.app.popup else {
        panic!("T opens the log form")
    };
    let bloom = d.client_id("Bloom Florist");
    assert_eq!(f.kind, FormKind::LogTime(bloom, None));
    d.key(KeyCode::Esc).keys("a");
    assert_eq!(d.form_kind(), Some(FormKind::LogTime(bloom, None)));
    d.retype("20m").key(KeyCode::Enter);
    assert!(d.app.popup.is_none(), "{}", d.notice());
    let logged: Vec<_> = d
        .app
        .deals
        .times
        .iter()
        .filter(|e| e.minutes == Some(20) && e.task.is_none())
        .collect();
    assert_eq!(logged.len(), 1, "listed at once, on the client alone");
    assert_eq!(d.app.deals.time_count, d.store.time_count(bloom).unwrap());
}

/// An empty tab's sentence wraps on a narrow pane instead of being cut (the Spanish Time tab's
/// lost its second half at 80 columns).
#[test]
fn an_empty_tab_s_sentence_wraps_on_a_narrow_pane() {
    let mut d = desk_in(Lang::Es);
    d.open("Tienda Sol").keys("]]]");
    let screen = d.text(80, 24);
    let joined: String = screen
        .lines()
        .map(|l| l.split('│').nth(3).unwrap_or("").trim().to_string())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        joined.contains("Sin tiempo: pulsa a para registrarlo o t para el temporizador."),
        "{screen}"
    );
}

//! Time and money in the desk, driven by keys on a real store: `t` starts and stops the timer,
//! a timer from an earlier day asks when the work ended, `T` logs time through a form, and the
//! Month view (`3`) with its months and statements, in snapshots at 80×24 and 120×35 in both
//! languages.

mod common;

use common::tui::{now, Desk, Setup};

use chrono::{Duration, NaiveDateTime};
use crossterm::event::KeyCode;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use vadesk::config::Config;
use vadesk::domain::money::Month;
use vadesk::i18n::Lang;
use vadesk::tui::app::{Pane, View};
use vadesk::tui::form::{FormKind, Popup};
use vadesk::tui::{update, Msg};

fn desk_at(lang: Lang, demo: bool, at: NaiveDateTime) -> Desk {
    Setup {
        lang,
        demo,
        now: at,
        config: Config {
            min_rate: Some(25.0),
            ..Config::default()
        },
        ..Setup::default()
    }
    .build()
}

fn desk(lang: Lang) -> Desk {
    desk_at(lang, true, now())
}

impl Desk {
    /// The first task of the named client, selected in the tasks pane.
    fn select_task_of(&mut self, name: &str) -> i64 {
        self.app.view = View::Desk;
        self.app.focus = Pane::Clients;
        self.key(KeyCode::Char('g'));
        for _ in 0..20 {
            if self.app.client().is_some_and(|c| c.client.name == name) {
                break;
            }
            self.key(KeyCode::Char('j'));
        }
        assert_eq!(self.app.client().unwrap().client.name, name);
        self.key(KeyCode::Tab);
        assert_eq!(self.app.focus, Pane::Tasks);
        self.app.tasks.current().expect("a task").id
    }
}

#[test]
fn t_starts_the_timer_on_the_selected_task_and_stops_it_with_its_minutes() {
    let mut d = desk(Lang::En);
    let task = d.select_task_of("Bloom Florist");
    d.key(KeyCode::Char('t'));
    let running = d.store.running_timer().unwrap().expect("a timer runs");
    assert_eq!(running.task, Some(task));
    assert!(d.notice().starts_with("Timer started on"), "{}", d.notice());
    assert!(d.text(120, 35).contains("⏱ 0m on Bloom Florist"), "{}", d.text(120, 35));
    assert!(d.text(80, 24).contains("⏱ 0m on Bloom"), "{}", d.text(80, 24));
    // 25 minutes later the status bar has counted them; t stops the timer.
    d.app.now = now() + Duration::minutes(25);
    assert!(d.text(80, 24).contains("⏱ 25m on Bloom"), "{}", d.text(80, 24));
    d.key(KeyCode::Char('t'));
    assert!(d.store.running_timer().unwrap().is_none());
    let e = d.store.time_entry(running.id).unwrap();
    assert_eq!(e.minutes, Some(25));
    assert!(d.notice().contains("Timer stopped: 25m on"), "{}", d.notice());
    assert!(!d.text(120, 35).contains("⏱"));
    // t on another client's task moves the timer there, stopping the one that ran.
    d.key(KeyCode::Char('t'));
    let first = d.store.running_timer().unwrap().unwrap().id;
    d.app.now = now() + Duration::minutes(40);
    let other = d.select_task_of("Pixel & Pine Studio");
    d.key(KeyCode::Char('t'));
    let now_running = d.store.running_timer().unwrap().unwrap();
    assert_eq!(now_running.task, Some(other));
    assert_eq!(d.store.time_entry(first).unwrap().minutes, Some(15));
    // It says what the one stopped logged.
    assert!(
        d.notice().starts_with("Timer started on ") && d.notice().contains(". Timer stopped: 15m on Bloom Florist"),
        "{}",
        d.notice()
    );
    // u takes the move back: the new timer gone, the first one running again (only one timer
    // runs at a time, so the new one goes before the first comes back); then the older steps.
    d.key(KeyCode::Char('u'));
    assert!(d.notice().starts_with("Undone"), "{}", d.notice());
    assert!(d.store.time_entry(now_running.id).is_err());
    assert_eq!(d.store.running_timer().unwrap().map(|r| r.id), Some(first));
    d.key(KeyCode::Char('u'));
    assert!(d.store.running_timer().unwrap().is_none(), "{}", d.notice());
    assert!(d.store.time_entry(first).is_err());
    // And redo carries both out again.
    d.key(KeyCode::Char('U'));
    d.key(KeyCode::Char('U'));
    assert_eq!(d.store.running_timer().unwrap().map(|r| r.id), Some(now_running.id));
    assert_eq!(d.store.time_entry(first).unwrap().minutes, Some(15));
}

#[test]
fn t_on_a_client_times_the_client_alone() {
    let mut d = desk(Lang::En);
    d.app.focus = Pane::Clients;
    let client = d.app.client().unwrap().client.id;
    d.key(KeyCode::Char('t'));
    let r = d.store.running_timer().unwrap().unwrap();
    assert_eq!((r.client_id, r.task), (client, None));
}

#[test]
fn a_timer_from_an_earlier_day_asks_when_the_work_ended() {
    let mut d = desk(Lang::En);
    let task = d.select_task_of("Bloom Florist");
    let yesterday = now() - Duration::hours(20);
    let (id, _) = d.store.start_timer(None, Some(task), true, "", yesterday).unwrap();
    update(&mut d.app, Msg::Clock(now()), &mut d.store);
    d.app.reload(&d.store).unwrap();
    d.key(KeyCode::Char('t'));
    assert_eq!(d.form_kind(), Some(FormKind::StopTimer(id)));
    assert!(d.store.running_timer().unwrap().is_some(), "nothing stopped yet");
    let screen = d.text(80, 24);
    assert!(screen.contains("When did the work end?"), "{screen}");
    // An end outside the timer's run is refused inline; the timer still runs.
    d.keys("2026-11-20 10:00").key(KeyCode::Enter);
    assert_eq!(d.form_kind(), Some(FormKind::StopTimer(id)));
    assert!(d.store.running_timer().unwrap().is_some());
    match &d.app.popup {
        Some(Popup::Form(f)) => assert!(f.fields[0].error.is_some()),
        _ => panic!("the form stays"),
    }
    for _ in 0.."2026-11-20 10:00".len() {
        d.key(KeyCode::Backspace);
    }
    // The work ended at 15:00 the day it started (13:00): two hours. A bare time is on that day.
    d.keys("15:00").key(KeyCode::Enter);
    assert!(d.app.popup.is_none());
    assert_eq!(d.store.time_entry(id).unwrap().minutes, Some(120));
    assert!(d.store.running_timer().unwrap().is_none());
}

/// The form names the day the timer started as the desk writes days, in either language.
#[test]
fn the_earlier_day_timer_form_writes_its_start_as_the_desk_does() {
    for (lang, title) in [
        (Lang::En, "Timer running since Sun 22 Nov 13:00"),
        (Lang::Es, "En marcha desde el dom 22 nov 13:00"),
    ] {
        let mut d = desk(lang);
        let first = d.app.client().unwrap().client.name.clone();
        let task = d.select_task_of(&first);
        d.store
            .start_timer(None, Some(task), true, "", now() - Duration::hours(20))
            .unwrap();
        update(&mut d.app, Msg::Clock(now()), &mut d.store);
        d.app.reload(&d.store).unwrap();
        d.key(KeyCode::Char('t'));
        let Some(Popup::Form(f)) = &d.app.popup else {
            panic!("t asks when the work ended")
        };
        assert_eq!(f.title, title);
    }
}

#[test]
fn an_earlier_day_timer_kept_whole_with_an_empty_end() {
    let mut d = desk(Lang::Es);
    let task = d.select_task_of("Floristería Amapola");
    let (id, _) = d
        .store
        .start_timer(None, Some(task), true, "", now() - Duration::hours(20))
        .unwrap();
    d.app.reload(&d.store).unwrap();
    d.key(KeyCode::Char('t'));
    assert!(d.text(80, 24).contains("¿Cuándo terminaste?"));
    d.key(KeyCode::Enter);
    assert_eq!(d.store.time_entry(id).unwrap().minutes, Some(20 * 60));
}

/// Past a day, the empty end is refused in the desk's words (there is no --at in the desk),
/// and the field's hint says so before.
#[test]
fn an_earlier_day_timer_past_a_day_asks_for_its_end_in_the_desk_s_words() {
    let mut d = desk(Lang::Es);
    let task = d.select_task_of("Floristería Amapola");
    let (id, _) = d
        .store
        .start_timer(None, Some(task), true, "", now() - Duration::hours(30))
        .unwrap();
    d.app.reload(&d.store).unwrap();
    d.key(KeyCode::Char('t'));
    assert!(
        d.text(80, 24).contains("vacío: ahora (hasta 24 h)"),
        "{}",
        d.text(80, 24)
    );
    d.key(KeyCode::Enter);
    let screen = d.text(80, 24);
    assert!(
        screen.contains("más de un día en una sola entrada: escribe cuándo"),
        "{screen}"
    );
    assert!(!screen.contains("--at"), "{screen}");
    assert!(d.store.running_timer().unwrap().is_some_and(|r| r.id == id));
}

#[test]
fn capital_t_logs_time_through_a_form() {
    let mut d = desk(Lang::En);
    let task = d.select_task_of("Casa Lumen Interiors");
    d.key(KeyCode::Char('T'));
    assert!(matches!(d.form_kind(), Some(FormKind::LogTime(_, Some(t))) if t == task));
    // A bad duration is said inline and nothing is logged.
    d.keys("-5m").key(KeyCode::Enter);
    assert!(matches!(d.form_kind(), Some(FormKind::LogTime(..))));
    for _ in 0..3 {
        d.key(KeyCode::Backspace);
    }
    d.keys("1h30m").key(KeyCode::Tab);
    for _ in 0..16 {
        d.key(KeyCode::Backspace);
    }
    d.keys("2026-11-23 07:00").key(KeyCode::Tab);
    d.key(KeyCode::Right).key(KeyCode::Tab);
    d.keys("redo of the mood board").key(KeyCode::Enter);
    assert!(d.app.popup.is_none(), "saved");
    assert_eq!(d.notice(), "1h 30m logged");
    let e = d
        .store
        .list_time(None, Some(task), Some(Month::of(now().date())))
        .unwrap();
    let e = e
        .iter()
        .find(|e| e.note == "redo of the mood board")
        .expect("the entry");
    assert_eq!(
        (e.minutes, e.billable, e.start.as_str()),
        (Some(90), false, "2026-11-23 07:00")
    );
}

/// `T` over a span another entry already covers: the form stays open saying which entry, and
/// nothing is logged.
#[test]
fn capital_t_over_time_already_logged_is_refused_in_the_form() {
    let mut d = desk(Lang::En);
    let task = d.select_task_of("Casa Lumen Interiors");
    let client = d.app.client().unwrap().client.id;
    let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    let first = d
        .store
        .log_time(Some(client), None, at("2026-11-23 07:00"), 60, true, "call")
        .unwrap();
    let before = d.store.list_time(None, None, None).unwrap().len();
    d.key(KeyCode::Char('T'));
    d.keys("30m").key(KeyCode::Tab);
    d.keys("2026-11-23 07:30").key(KeyCode::Enter);
    let Some(Popup::Form(f)) = &d.app.popup else {
        panic!("the form stays open")
    };
    assert!(matches!(f.kind, FormKind::LogTime(_, Some(t)) if t == task));
    let said = f
        .fields
        .iter()
        .find_map(|f| f.error.clone())
        .expect("an error in the form");
    assert!(
        said.contains(&format!(
            "overlaps time entry {first} of Casa Lumen Interiors, Mon 23 Nov from 07:00 to 08:00"
        )),
        "{said}"
    );
    // Under the start typed, where the fix goes, and the focus with it.
    assert!(f.fields[1].error.is_some() && f.fields[0].error.is_none());
    assert_eq!(f.focus, 1);
    assert_eq!(d.store.list_time(None, None, None).unwrap().len(), before);
}

/// Time already worked, logged without a start: it ended now, so it began its length ago.
#[test]
fn capital_t_without_a_start_logs_time_that_ended_now() {
    let mut d = desk(Lang::En);
    let task = d.select_task_of("Casa Lumen Interiors");
    d.key(KeyCode::Char('T'));
    let Some(Popup::Form(f)) = &d.app.popup else {
        panic!("T opens the form")
    };
    assert_eq!(f.value(1), "", "the start is left empty");
    assert!(
        d.text(80, 24).contains("yesterday 15:00 · empty: ended now"),
        "{}",
        d.text(80, 24)
    );
    d.keys("45m").key(KeyCode::Tab).key(KeyCode::Tab).key(KeyCode::Tab);
    d.keys("llamada con la clienta").key(KeyCode::Enter);
    assert!(d.app.popup.is_none(), "saved");
    let e = d
        .store
        .list_time(None, Some(task), Some(Month::of(now().date())))
        .unwrap();
    let e = e
        .iter()
        .find(|e| e.note == "llamada con la clienta")
        .expect("the entry");
    let began = (now() - Duration::minutes(45)).format("%Y-%m-%d %H:%M").to_string();
    assert_eq!((e.minutes, e.start.as_str()), (Some(45), began.as_str()));
}

#[test]
fn the_month_view_moves_between_months_and_opens_a_statement() {
    let mut d = desk(Lang::En);
    d.key(KeyCode::Char('3'));
    assert_eq!(d.app.view, View::Month);
    assert_eq!(d.app.money.month, Month::of(now().date()));
    let names: Vec<&str> = d.app.money.lines.iter().map(|l| l.client.name.as_str()).collect();
    assert!(names.contains(&"Bloom Florist") && names.contains(&"Pixel & Pine Studio"));
    // Bloom's retainer is near its hours (so the review says so), Pixel is below the minimum.
    let bloom = d
        .app
        .money
        .lines
        .iter()
        .find(|l| l.client.name == "Bloom Florist")
        .unwrap();
    assert!(bloom.totals.billable_minutes * 100 >= bloom.totals.retainer_minutes * 90);
    assert!(d
        .app
        .review
        .rows
        .iter()
        .any(|r| r.kind == vadesk::domain::ReviewKind::RetainerNear));
    let pixel = d
        .app
        .money
        .lines
        .iter()
        .find(|l| l.client.name == "Pixel & Pine Studio")
        .unwrap();
    assert!(pixel.totals.effective_rate_cents.unwrap() < 2500);
    d.key(KeyCode::Down);
    assert_eq!(d.app.money.sel, 1);
    d.key(KeyCode::Left);
    assert_eq!(d.app.money.month, Month::of(now().date()).prev());
    assert!(!d.app.money.lines.is_empty(), "last month has time too");
    d.key(KeyCode::Up);
    d.key(KeyCode::Enter);
    match &d.app.popup {
        Some(Popup::Details(p)) => {
            assert!(p.title.starts_with("Statement of"), "{}", p.title);
            assert!(p.title.ends_with("October 2026"), "{}", p.title);
            assert!(p.lines.iter().any(|l| l.starts_with("amount to invoice")));
        }
        _ => panic!("Enter opens the statement"),
    }
    d.key(KeyCode::Esc);
    d.key(KeyCode::Right).key(KeyCode::Right);
    assert_eq!(d.app.money.month, Month::of(now().date()).next());
    let screen = d.text(80, 24);
    assert!(screen.contains("No time in December 2026."), "{screen}");
    // Another month's empty page does not call itself "this month".
    assert!(!screen.contains("this month"), "{screen}");
    // The desk keys do not reach a pane that is not shown.
    d.key(KeyCode::Char('a'));
    assert!(d.app.popup.is_none());
}

/// A long note in the statement wraps under the entry's task column, never back to the
/// popup's left edge where the dates are.
#[test]
fn a_long_note_in_the_statement_wraps_under_its_entry() {
    let mut d = desk(Lang::En);
    let bloom = d.client_id("Bloom Florist");
    let note = "Marta asked for three more versions of the spring copy after approving the second";
    let start = NaiveDateTime::parse_from_str("2026-11-01 07:00", "%Y-%m-%d %H:%M").unwrap();
    d.store.log_time(Some(bloom), None, start, 20, false, note).unwrap();
    d.key(KeyCode::Char('3'));
    assert_eq!(
        d.app.money.line().map(|l| l.client.name.as_str()),
        Some("Bloom Florist")
    );
    d.key(KeyCode::Enter);
    assert!(matches!(d.app.popup, Some(Popup::Details(_))));
    let text = d.text(80, 24);
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("20m") && l.contains("(Marta"))
        .unwrap_or_else(|| panic!("the entry with its note:\n{text}"));
    let entry: Vec<char> = lines[at].chars().collect();
    let task_col = lines[at]
        .chars()
        .position(|c| c == '—')
        .expect("the entry's task column");
    let next: Vec<char> = lines[at + 1].chars().collect();
    assert!(
        next[..task_col].iter().skip(4).all(|c| *c == ' '),
        "the note goes on under the task column, not at the left:\n{text}"
    );
    assert!(next[task_col] != ' ', "{text}");
    let shown: String = lines[at..at + 4].concat();
    for word in ["approving", "second)"] {
        assert!(shown.contains(word), "{word} missing:\n{text}");
    }
    assert_eq!(entry.len(), next.len());
}

/// The statement in the desk gives each entry as worked and as billed (rounded up to the
/// client's increment; nothing billed for unbilled work), as the command line's does.
#[test]
fn the_desk_statement_shows_each_entry_as_worked_and_as_billed() {
    for (lang, worked, billed, header) in [
        (Lang::En, "worked", "billed", "billable"),
        (Lang::Es, "trabajado", "facturado", "facturable"),
    ] {
        let mut d = desk_at(lang, false, now());
        d.app.popup = None;
        let today = now().date();
        let acme = d
            .store
            .add_client(
                vadesk::store::ClientFields {
                    name: Some("Acme".into()),
                    rate: Some(Some(4000)),
                    increment_min: Some(Some(15)),
                    ..Default::default()
                },
                today,
            )
            .unwrap();
        let at = |h: u32| now().date().and_hms_opt(h, 0, 0).unwrap() - Duration::days(1);
        d.store.log_time(Some(acme), None, at(8), 20, true, "").unwrap();
        d.store.log_time(Some(acme), None, at(10), 10, false, "").unwrap();
        d.key(KeyCode::Char('3'));
        d.key(KeyCode::Enter);
        let Some(Popup::Details(p)) = &d.app.popup else {
            panic!("Enter opens the statement");
        };
        let head = p
            .lines
            .iter()
            .position(|l| l.contains(worked) && l.contains(billed))
            .unwrap_or_else(|| panic!("a header over the entries: {:#?}", p.lines));
        let cols = |l: &str| {
            l.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(String::from)
                .collect::<Vec<_>>()
        };
        let first = cols(&p.lines[head + 1]);
        let second = cols(&p.lines[head + 2]);
        assert_eq!(&first[1..4], ["20m", "30m", header], "{:#?}", p.lines);
        assert_eq!(&second[1..3], ["10m", "0m"], "{:#?}", p.lines);
        // The columns start where their header does.
        let h = &p.lines[head];
        let e = &p.lines[head + 1];
        let end = |s: &str, word: &str| s.find(word).map(|i| s[..i + word.len()].chars().count());
        assert_eq!(end(h, billed), end(e, "30m"), "{h}\n{e}");
        // Billed, then corrected: the entry says what it was invoiced as.
        let month = vadesk::domain::money::Month::of(today);
        d.store.mark_billed(acme, month, today).unwrap();
        let first_id = d.store.statement(acme, month).unwrap().entries[0].id;
        d.store.delete_time(first_id, true).unwrap();
        d.key(KeyCode::Esc);
        d.app.reload(&d.store).unwrap();
        d.key(KeyCode::Enter);
        let Some(Popup::Details(p)) = &d.app.popup else {
            panic!("Enter opens the statement");
        };
        let said = match lang {
            Lang::En => "invoiced as 30m",
            Lang::Es => "se facturó como 30m",
        };
        assert!(p.lines.iter().any(|l| l.contains(said)), "{:#?}", p.lines);
        // The Month view says it is owed back, not a negative amount due.
        d.key(KeyCode::Esc);
        let screen = d.text(120, 35);
        let owed = match lang {
            Lang::En => "€20.00 owed back",
            Lang::Es => "20,00 € a devolver",
        };
        assert!(screen.contains(owed), "{screen}");
    }
}

#[test]
fn an_empty_store_s_month_says_what_to_do() {
    let mut d = desk_at(Lang::Es, false, now());
    d.app.popup = None;
    d.key(KeyCode::Char('3'));
    let screen = d.text(80, 24);
    assert!(screen.contains("Sin tiempo en noviembre de 2026."), "{screen}");
    assert!(screen.contains("Pulsa t en una tarea"), "{screen}");
}

#[test]
fn month_view_snapshots() {
    for (lang, tag) in [(Lang::En, "en"), (Lang::Es, "es")] {
        let mut d = desk(lang);
        d.key(KeyCode::Char('3'));
        for (w, h) in [(80, 24), (120, 35)] {
            insta::assert_snapshot!(format!("month_{tag}_{w}x{h}"), d.text(w, h));
        }
        d.key(KeyCode::Enter);
        insta::assert_snapshot!(format!("month_statement_{tag}_80x24"), d.text(80, 24));
    }
}

#[test]
fn a_below_minimum_rate_is_red() {
    let mut d = desk(Lang::En);
    d.key(KeyCode::Char('3'));
    let mut t = Terminal::new(TestBackend::new(120, 35)).unwrap();
    t.draw(|f| vadesk::tui::ui::render(&d.app, f)).unwrap();
    let buf = t.backend().buffer().clone();
    let text = d.text(120, 35);
    let (row, line) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("€18.42/h < €25.00"))
        .expect("Pixel's rate against the minimum");
    let col = line.chars().position(|c| c == '€').unwrap() as u16;
    assert_eq!(buf[(col, row as u16)].fg, ratatui::style::Color::Red);
}

/// The minimum rate is in the default currency: a client billed in another is not set against
/// it (Pixel in pounds showed "£18.42/h < £25.00", the euro minimum written in pounds), and the
/// minimum is written in the default currency whatever the first client's is.
#[test]
fn a_client_in_another_currency_is_not_set_against_the_minimum() {
    let mut d = desk(Lang::En);
    let pixel = d.store.find_client("Pixel & Pine Studio").unwrap().id;
    d.store
        .edit_client(
            pixel,
            vadesk::store::ClientFields {
                currency: Some(Some("GBP".into())),
                ..Default::default()
            },
        )
        .unwrap();
    d.app.reload(&d.store).unwrap();
    d.key(KeyCode::Char('3'));
    let text = d.text(120, 35);
    let line = text
        .lines()
        .find(|l| l.contains("£18.42/h"))
        .unwrap_or_else(|| panic!("Pixel's rate in pounds: {text}"));
    assert!(!line.contains('<'), "{line}");
    assert!(!text.contains("< £"), "{text}");
    assert!(text.contains("€25.00"), "the minimum in euros: {text}");
}

#[test]
fn without_a_minimum_rate_the_month_says_how_to_set_one_and_paints_no_rate_red() {
    for (lang, hint) in [
        (Lang::En, "set min_rate in the config"),
        (Lang::Es, "pon min_rate en la configuración"),
    ] {
        let mut d = desk(lang);
        d.app.config.min_rate = None;
        d.key(KeyCode::Char('3'));
        let screen = d.text(120, 35);
        assert!(screen.contains(hint), "{screen}");
        assert!(!screen.contains(" < "), "no rate is judged without a minimum: {screen}");
        // At 80 columns the totals take a second line rather than being cut.
        let narrow = d.text(80, 24);
        let words: String = narrow.split(['│', '\n', '"']).collect::<Vec<_>>().join(" ");
        let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(words.contains(hint), "{narrow}");
    }
}

/// ← and → stop at the years vadesk keeps (the view went back to 1843 and showed a statement).
#[test]
fn the_month_view_stays_within_the_years_kept() {
    let mut d = desk(Lang::En);
    d.key(KeyCode::Char('3'));
    d.app.money.month = Month { year: 1900, month: 2 };
    d.key(KeyCode::Left).key(KeyCode::Left).key(KeyCode::Left);
    assert_eq!(d.app.money.month, Month { year: 1900, month: 1 });
    d.app.money.month = Month { year: 2999, month: 11 };
    d.key(KeyCode::Right).key(KeyCode::Right).key(KeyCode::Right);
    assert_eq!(d.app.money.month, Month { year: 2999, month: 12 });
}

#[test]
fn the_desk_review_says_a_retainer_past_its_hours_is_used_up() {
    for (lang, used_up, nearly) in [
        (Lang::En, "Retainer used up", "Retainer nearly used up"),
        (Lang::Es, "Bono agotado", "Bono casi agotado"),
    ] {
        // The English demo in both languages: its Bloom has a retainer.
        let mut d = Setup {
            lang,
            demo_in_lang: false,
            ..Setup::default()
        }
        .build();
        let bloom = d.client_id("Bloom Florist");
        // The demo's Bloom is at 92% of its 20 hours; 20 more make it 192%.
        for h in [26, 14] {
            d.store
                .log_time(Some(bloom), None, now() - Duration::hours(h), 10 * 60, true, "")
                .unwrap();
        }
        d.app.reload(&d.store).unwrap();
        let row = d
            .app
            .review
            .rows
            .iter()
            .find(|r| &*r.client == "Bloom Florist" && r.title.contains('%'))
            .expect("Bloom's retainer row");
        assert_eq!(row.kind, vadesk::domain::ReviewKind::RetainerUsedUp);
        assert!(row.title.contains("(192%)"), "{}", row.title);
        d.key(KeyCode::Char('2'));
        let screen = d.text(120, 35);
        assert!(screen.contains(used_up) && !screen.contains(nearly), "{screen}");
    }
}

#[test]
fn the_month_view_owes_no_fee_before_the_client_was_added() {
    let mut d = desk_at(Lang::En, false, now());
    d.store
        .add_client(
            vadesk::store::ClientFields {
                name: Some("Ret".into()),
                status: Some(vadesk::domain::ClientStatus::Active),
                retainer_min: Some(Some(600)),
                fee_cents: Some(Some(12_000)),
                ..Default::default()
            },
            now().date(),
        )
        .unwrap();
    d.app.popup = None;
    d.key(KeyCode::Char('3'));
    let fee: Vec<i64> = d.app.money.lines.iter().map(|l| l.totals.amount_cents).collect();
    assert_eq!(fee, vec![12_000], "this month");
    d.key(KeyCode::Left);
    assert!(d.app.money.lines.is_empty(), "the month before it was added");
}

/// The keys of a review row act on what the row is about: on a retainer's row `d`, `r` and `s`
/// record nothing (they held a weekly review, or snoozed it, that nobody asked for), on a
/// timer left running `d` stops it asking when the work ended, and `n` on an unanswered quote
/// nudges the quote.
#[test]
fn review_rows_keys_act_on_their_own_record() {
    use vadesk::domain::ReviewKind;
    let mut d = desk(Lang::En);
    let bloom = d.client_id("Bloom Florist");
    d.store
        .edit_client(
            bloom,
            vadesk::store::ClientFields {
                retainer_min: Some(Some(60)),
                fee_cents: Some(Some(10_000)),
                ..Default::default()
            },
        )
        .unwrap();
    let start = now() - Duration::hours(3);
    d.store.log_time(Some(bloom), None, start, 120, true, "").unwrap();
    let (timer, _) = d
        .store
        .start_timer(Some(bloom), None, true, "", now() - Duration::hours(20))
        .unwrap();
    d.app.reload(&d.store).unwrap();
    d.keys("2");
    let to = |d: &mut Desk, kind: ReviewKind| {
        d.key(KeyCode::Home);
        for _ in 0..100 {
            if d.app.review_item().is_some_and(|r| r.kind == kind) {
                return;
            }
            d.key(KeyCode::Char('j'));
        }
        panic!("no {kind:?} row");
    };
    let records = |d: &Desk| -> (i64, Option<String>) {
        let c = d.store.conn();
        (
            c.query_row("SELECT count(*) FROM weekly_reviews", [], |r| r.get(0))
                .unwrap(),
            c.query_row("SELECT review_snoozed_until FROM clients WHERE id = ?1", [bloom], |r| {
                r.get(0)
            })
            .unwrap(),
        )
    };
    let before = records(&d);
    to(&mut d, ReviewKind::RetainerUsedUp);
    for key in ['d', 'r', 's'] {
        d.key(KeyCode::Char(key));
        assert!(d.app.popup.is_none(), "{key}");
        assert!(d.notice().contains("retainer"), "{key}: {}", d.notice());
        assert_eq!(records(&d), before, "{key} recorded nothing");
    }
    to(&mut d, ReviewKind::TimerRunning);
    // The row says what the timer runs on (the client alone here), not its name twice.
    let screen = d.text(120, 35);
    let row = screen
        .lines()
        .find(|l| l.contains("Timer still running"))
        .unwrap()
        .to_string();
    assert!(row.contains("time on the client itself, since"), "{row}");
    assert_eq!(row.matches("Bloom Florist").count(), 1, "{row}");
    d.key(KeyCode::Char('s'));
    assert!(d.notice().contains("not snoozed"), "{}", d.notice());
    assert_eq!(records(&d), before);
    d.key(KeyCode::Char('d'));
    assert_eq!(d.form_kind(), Some(FormKind::StopTimer(timer)));
    assert_eq!(records(&d), before);
    d.key(KeyCode::Esc);
    to(&mut d, ReviewKind::QuoteUnanswered);
    let quote = d.app.review_item().unwrap().id;
    d.key(KeyCode::Char('n'));
    assert_eq!(d.form_kind(), Some(FormKind::NudgeQuote(quote)));
}

/// A month partly invoiced: the Month view shows its whole amount and what is left to invoice,
/// and the statement it opens says both, with what was invoiced and under which terms.
#[test]
fn a_month_partly_invoiced_shows_what_is_left_to_invoice() {
    let mut d = desk(Lang::En);
    let pixel = d.client_id("Pixel & Pine Studio");
    let month = Month::of(now().date());
    d.store.mark_billed(pixel, month, now().date()).unwrap();
    d.store
        .log_time(Some(pixel), None, now() - Duration::hours(2), 60, true, "")
        .unwrap();
    let st = d.store.statement(pixel, month).unwrap();
    assert!(st.totals.amount_cents > 0 && st.totals.amount_cents < st.totals.earned_cents);
    d.app.reload(&d.store).unwrap();
    d.key(KeyCode::Char('3'));
    let screen = d.text(120, 35);
    let cur = st.currency;
    let due = vadesk::domain::money::format_cents(st.totals.amount_cents, cur, Lang::En);
    assert!(screen.contains(&format!("{due} due")), "{screen}");
    while d.app.money.line().map(|l| l.client.id) != Some(pixel) {
        d.key(KeyCode::Down);
    }
    d.key(KeyCode::Enter);
    match &d.app.popup {
        Some(Popup::Details(p)) => {
            let text = p.lines.join("\n");
            assert!(text.contains("first billed"), "{text}");
            assert!(text.contains("amount of the month"), "{text}");
            assert!(text.contains("already invoiced"), "{text}");
            assert!(text.contains(&format!("amount to invoice{}", " ".repeat(23))), "{text}");
            assert!(text.contains(&due), "{text}");
        }
        _ => panic!("Enter opens the statement"),
    }
}

/// The Month view's retainer gauge counts time as billed, as the overage is charged: six
/// entries of 8 minutes under a 15-minute increment fill a 1h retainer to 150% (it showed 48
/// minutes, 80%, while 30 minutes of overage were charged).
#[test]
fn the_retainer_gauge_counts_time_as_it_is_billed() {
    let mut d = desk_at(Lang::En, false, now());
    let id = d
        .store
        .add_client(
            vadesk::store::ClientFields {
                name: Some("Bloom".into()),
                rate: Some(Some(6000)),
                increment_min: Some(Some(15)),
                retainer_min: Some(Some(60)),
                fee_cents: Some(Some(10_000)),
                ..Default::default()
            },
            now().date(),
        )
        .unwrap();
    for i in 0..6 {
        let start = now() - Duration::hours(2 + i);
        d.store.log_time(Some(id), None, start, 8, true, "").unwrap();
    }
    // The first run's welcome (an empty store) is closed first.
    d.app.popup = None;
    d.app.reload(&d.store).unwrap();
    d.key(KeyCode::Char('3'));
    assert_eq!(d.app.view, View::Month);
    let screen = d.text(120, 35);
    assert!(screen.contains("retainer 1h 30m of 1h 00m (150%)"), "{screen}");
}

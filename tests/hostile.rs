//! Property tests over what people (or scripts) can type: no panic anywhere, a refusal changes
//! nothing, nothing stored holds a control character, and the desk's layout holds.

use chrono::{NaiveDate, NaiveDateTime};
use clap::Parser;
use proptest::prelude::*;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use vadesk::cli::{self, Cli};
use vadesk::domain::dates;
use vadesk::store::{ClientFields, TaskFields};
use vadesk::Store;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

/// Any text, weighted towards what breaks programs: control characters, escape sequences,
/// wide characters, bidirectional overrides, and sometimes 100 KB of it.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        any::<String>(),
        "[\\x00-\\x1f\\x7f]{1,8}",
        Just("\x1b[2J\x1b[31m".to_string()),
        Just("\u{202E}\u{200B}\u{FEFF}".to_string()),
        Just("\u{200E}\u{200F}\u{061C}\u{2028}\u{2029}\u{2066}\u{9b}".to_string()),
        "[咖啡店😀🎄ñÜ]{1,20}",
        Just("2026-02-30".to_string()),
        Just("'; DROP TABLE clients; --".to_string()),
    ];
    prop_oneof![
        9 => prop::collection::vec(piece, 0..6).prop_map(|v| v.concat()),
        1 => ("[a-zA-Z \\x1b\\n]{1,4}", 20_000usize..25_000).prop_map(|(s, n)| s.repeat(n / s.len().max(1) + 1)),
    ]
}

fn has_control(s: &str) -> bool {
    s.chars()
        .any(|c| vadesk::domain::text::is_terminal_active(c) && c != '\n')
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn parsers_never_panic(s in hostile()) {
        let now = today().and_hms_opt(9, 0, 0).unwrap();
        let _ = dates::parse_date(&s, today());
        let _ = dates::parse_when(&s, now);
        let _ = dates::parse_duration(&s);
        let _ = dates::parse_now(&s);
        let _ = dates::parse_weekday(&s);
        let _ = vadesk::domain::Channel::parse(&s);
        let cleaned = vadesk::domain::text::clean_line(&s);
        prop_assert!(!has_control(&cleaned) && !cleaned.contains('\n'));
    }

    #[test]
    fn the_store_accepts_clean_text_or_refuses_and_changes_nothing(name in hostile(), notes in hostile(), title in hostile()) {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("v.db")).unwrap();
        let base = s.add_client(ClientFields { name: Some("Base".into()), ..Default::default() }, today()).unwrap();
        let before = s.export().unwrap();
        match s.add_client(ClientFields { name: Some(name.clone()), notes: Some(notes), ..Default::default() }, today()) {
            Ok(id) => {
                let c = s.client(id).unwrap();
                prop_assert!(!has_control(&c.name) && !c.name.contains('\n'));
                prop_assert!(!has_control(&c.notes));
                prop_assert_eq!(c.name, vadesk::domain::text::clean_line(&name));
            }
            Err(_) => prop_assert_eq!(s.export().unwrap(), before.clone()),
        }
        let before = s.export().unwrap();
        match s.add_task(base, TaskFields { title: Some(title), spec: Some("ok".into()), ..Default::default() }, today()) {
            Ok(id) => prop_assert!(!has_control(&s.task(id).unwrap().title)),
            Err(_) => prop_assert_eq!(s.export().unwrap(), before),
        }
    }

    #[test]
    fn the_command_line_never_panics_and_refusals_change_nothing(a in hostile(), b in hostile(), which in 0usize..8) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("v.db");
        let mut s = Store::open(&db).unwrap();
        s.load_demo(today()).unwrap();
        let before = s.export().unwrap();
        drop(s);
        let args: Vec<String> = match which {
            0 => vec!["client".into(), "add".into(), a.clone(), "--notes".into(), b.clone()],
            1 => vec!["task".into(), "add".into(), "Bloom Florist".into(), a.clone(), "--due".into(), b.clone()],
            2 => vec!["material".into(), "ask".into(), "1".into(), a.clone(), "--by".into(), b.clone()],
            3 => vec!["quote".into(), "add".into(), a.clone(), "--amount".into(), b.clone()],
            4 => vec!["meeting".into(), "add".into(), "Bloom Florist".into(), "--at".into(), a.clone()],
            5 => vec!["flag".into(), "add".into(), "Bloom Florist".into(), a.clone(), "--note".into(), b.clone()],
            6 => vec!["client".into(), "edit".into(), "Bloom Florist".into(), "--name".into(), a.clone(), "--channel".into(), b.clone()],
            _ => vec!["task".into(), "add".into(), a.clone(), b.clone(), "--estimate".into(), a.clone()],
        };
        let mut argv = vec!["vadesk".to_string(), "--db".into(), db.to_str().unwrap().into(), "--now".into(), "2026-11-23".into()];
        argv.extend(args);
        if let Ok(parsed) = Cli::try_parse_from(&argv) {
            let ctx = cli::resolve(&parsed).unwrap();
            let mut out = Vec::new();
            let result = cli::run(parsed.command.unwrap(), &ctx, &mut out);
            let after = Store::open(&db).unwrap().export().unwrap();
            match result {
                Err(_) => prop_assert_eq!(after, before),
                Ok(()) => {
                    let text = serde_json::to_string(&after).unwrap();
                    prop_assert!(!text.contains("\\u001b") && !text.contains("\\u0000"));
                }
            }
        }
    }

    #[test]
    fn the_desk_draws_any_name_without_breaking_its_layout(name in hostile(), title in hostile()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.db");
        let mut s = Store::open(&path).unwrap();
        let Ok(id) = s.add_client(ClientFields { name: Some(name), ..Default::default() }, today()) else { return Ok(()) };
        let _ = s.add_task(id, TaskFields { title: Some(title), ..Default::default() }, today());
        let now = NaiveDateTime::parse_from_str("2026-11-23 09:00", "%Y-%m-%d %H:%M").unwrap();
        let ctx = cli::Context { db_path: Some(path), now, fixed_now: true, lang: vadesk::i18n::Lang::En, config: Default::default(), tick_seconds: 60 };
        let mut app = vadesk::tui::prepare(&ctx, &mut s, true).unwrap();
        app.client_sel = 1;
        app.reload_selection(&s).unwrap();
        for (w, h) in [(80u16, 24u16), (61, 15)] {
            let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
            t.draw(|f| vadesk::tui::ui::render(&app, f)).unwrap();
            let buf = t.backend().buffer();
            for y in 1..h - 1 {
                let last = buf[(w - 1, y)].symbol();
                prop_assert!(["│", "┐", "┘"].contains(&last), "row {} ends with {:?}", y, last);
            }
        }
    }
}

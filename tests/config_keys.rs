//! `[keys]` (and `[theme]`) in the config file: remapped keys drive the `App`, the `?` screen and
//! the hint bars show the keys in effect, and a bad entry is refused naming its line.

mod common;

use common::tui::{Desk, Setup};

use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use vadesk::config::{self, Config};
use vadesk::i18n::Lang;
use vadesk::tui::{update, Msg};

fn desk(config: Config, color: bool) -> Desk {
    Setup {
        config,
        color,
        ..Setup::default()
    }
    .build()
}

fn cfg(text: &str) -> Config {
    config::parse(text, Path::new("config.toml")).expect("config parses")
}

#[test]
fn a_remapped_undo_is_z_and_u_no_longer_undoes() {
    let mut d = desk(cfg("[keys]\nundo = \"z\"\n"), true);
    d.select_client("Tienda Sol");
    d.keys("Dy");
    assert!(d.store.find_client("Tienda Sol").is_err());
    let notice = d.app.notice.as_ref().map(|n| n.text.clone()).unwrap_or_default();
    assert!(notice.ends_with("(z undoes)"), "{notice}");
    d.keys("u");
    assert!(d.store.find_client("Tienda Sol").is_err(), "u must no longer undo");
    d.keys("z");
    assert!(d.store.find_client("Tienda Sol").is_ok(), "z undoes");
}

#[test]
fn an_action_takes_a_list_of_keys_and_special_names() {
    let mut d = desk(cfg("[keys]\nquit = [\"w\", \"ctrl-q\"]\nhelp = \"f1\"\n"), true);
    d.keys("q");
    assert!(!d.app.quit, "q no longer quits");
    d.key(KeyCode::F(1));
    assert!(d.text(100, 40).contains("every key") || d.app.popup.is_some());
    d.key(KeyCode::Esc);
    update(
        &mut d.app,
        Msg::Key(KeyEvent::new(KeyCode::Char('q'), KeyModifiers::CONTROL)),
        &mut d.store,
    );
    assert!(d.app.quit);
    let mut d = desk(cfg("[keys]\nquit = [\"w\", \"ctrl-q\"]\n"), true);
    d.keys("w");
    assert!(d.app.quit);
}

#[test]
fn the_help_screen_and_the_hints_show_the_keys_in_effect() {
    let mut d = desk(cfg("[keys]\nundo = \"z\"\nadd = [\"n\", \"+\"]\n"), true);
    let bar = d.text(120, 35);
    assert!(bar.contains("n/+ add"), "{bar}");
    d.keys("?");
    let help = d.text(100, 60);
    let undo_line = help
        .lines()
        .find(|l| l.contains("Undo") || l.contains("undo"))
        .unwrap_or_else(|| panic!("{help}"));
    assert!(undo_line.contains("│z "), "{undo_line}");
    assert!(!undo_line.contains("│u "), "{undo_line}");
    assert!(
        help.lines()
            .any(|l| l.contains("│n + ") && l.to_lowercase().contains("add")),
        "{help}"
    );
    // Without remaps the help keeps its own labels.
    let mut plain = desk(Config::default(), true);
    plain.keys("?");
    assert!(plain
        .text(100, 60)
        .lines()
        .any(|l| l.contains("│u ") && l.contains("ndo")));
}

#[test]
fn texts_that_name_another_key_name_it_as_configured() {
    let keys = "[keys]\nundo = \"z\"\nadd = \"+\"\nquit = \"w\"\n";
    for (lang, redo, quotes) in [
        (Lang::En, "Redo what z undid", "No quotes: press + (or Q) to add one."),
        (
            Lang::Es,
            "rehacer lo que z deshizo",
            "Sin presupuestos: pulsa + (o Q) para añadir uno.",
        ),
    ] {
        let mut d = Setup {
            lang,
            demo_in_lang: false,
            config: cfg(keys),
            ..Setup::default()
        }
        .build();
        // The help screen's redo line names the undo key in effect.
        d.keys("?");
        let help = d.text(110, 70);
        assert!(help.contains(redo), "{help}");
        assert!(!help.contains(" u undid") && !help.contains(" u deshizo"), "{help}");
        d.key(KeyCode::Esc);
        // An empty quotes tab names the add key in effect.
        d.open("Bloom Florist").keys("]");
        let screen = d.text(120, 35);
        assert!(screen.contains(quotes), "{screen}");
        // Too small a terminal names the quit key in effect.
        let small = d.text(40, 10);
        assert!(small.contains(" w ") && !small.contains(" q "), "{small}");
    }
    // Without remaps the texts read as always.
    let mut plain = desk(Config::default(), true);
    plain.keys("?");
    assert!(plain.text(110, 70).contains("Redo what u undid"));
}

fn err(text: &str, lang: Lang) -> String {
    config::parse(text, Path::new("config.toml"))
        .expect_err("refused")
        .localized(lang)
}

#[test]
fn bad_keys_name_the_line_in_both_languages() {
    let e = err("name = \"x\"\n[keys]\nundo = \"z\"\nfrobnicate = \"y\"\n", Lang::En);
    assert!(
        e.contains("line 4") && e.contains("unknown action 'frobnicate'") && e.contains("undo"),
        "{e}"
    );
    let e = err("name = \"x\"\n[keys]\nundo = \"z\"\nfrobnicate = \"y\"\n", Lang::Es);
    assert!(
        e.contains("línea 4") && e.contains("acción desconocida 'frobnicate'"),
        "{e}"
    );

    let e = err("[keys]\n\nundo = \"hyper-z\"\n", Lang::En);
    assert!(e.contains("line 3") && e.contains("unknown key name 'hyper-z'"), "{e}");
    let e = err("[keys]\n\nundo = [\"z\", \"ctrl-\"]\n", Lang::Es);
    assert!(
        e.contains("línea 3") && e.contains("nombre de tecla desconocido 'ctrl-'"),
        "{e}"
    );

    // Bound twice where both apply: refused, naming the key and both actions.
    let e = err("[keys]\nundo = \"z\"\nredo = \"z\"\n", Lang::En);
    assert!(
        e.contains("line ") && e.contains("the key z") && e.contains("undo") && e.contains("redo"),
        "{e}"
    );
    let e = err("[keys]\nundo = \"d\"\n", Lang::Es);
    assert!(e.contains("línea 2") && e.contains("la tecla d"), "{e}");
    // The same key for actions that never apply at the same place is fine.
    cfg("[keys]\nnudge = \"w\"\nask_material = \"w\"\n");
}

#[test]
fn a_bad_key_in_the_config_file_stops_the_program_before_it_starts() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(&file, "[keys]\nundo = \"zz\"\n").unwrap();
    let out = assert_cmd::Command::cargo_bin("vadesk")
        .unwrap()
        .env_clear()
        .env("LANG", "es_ES.UTF-8")
        .env("VADESK_DB", dir.path().join("v.db"))
        .args(["--config", file.to_str().unwrap(), "review"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let e = String::from_utf8(out.stderr).unwrap();
    assert!(e.contains("línea 2") && e.contains("'zz'"), "{e}");
    assert!(!dir.path().join("v.db").exists(), "nothing starts");
}

/// The first cell of `needle` on the screen.
fn cell<'a>(t: &'a Terminal<TestBackend>, needle: &str) -> &'a ratatui::buffer::Cell {
    let buf = t.backend().buffer();
    for y in 0..buf.area.height {
        let line: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol().to_string()).collect();
        if let Some(byte) = line.find(needle) {
            let x = line[..byte].chars().count() as u16;
            return &buf[(x, y)];
        }
    }
    panic!("no {needle} on\n{}", t.backend());
}

#[test]
fn a_theme_colour_shows_on_a_cell_and_no_color_wins() {
    use ratatui::style::{Color, Modifier};
    let theme = "[theme]\nlate = \"#ff8800\"\nfocus = \"indexed(200)\"\n";
    let d = desk(cfg(theme), true);
    let t = d.screen(120, 35);
    assert_eq!(cell(&t, "1 late material").fg, Color::Rgb(255, 136, 0));
    assert_eq!(cell(&t, "┌ Clients").fg, Color::Indexed(200));
    // The default palette elsewhere.
    let d = desk(Config::default(), true);
    assert_eq!(cell(&d.screen(120, 35), "1 late material").fg, Color::Red);
    // NO_COLOR (colour off): no theme colour anywhere, lateness in bold.
    let d = desk(cfg(theme), false);
    let t = d.screen(120, 35);
    let c = cell(&t, "1 late material");
    assert_eq!(c.fg, Color::Reset);
    assert!(c.modifier.contains(Modifier::BOLD));
    let buf = t.backend().buffer();
    assert!(
        buf.content.iter().all(|c| c.fg == Color::Reset),
        "a colour under NO_COLOR"
    );
}

#[test]
fn bad_theme_entries_name_the_line_in_both_languages() {
    let e = err("name = \"x\"\n[theme]\nlate = \"reddish\"\n", Lang::En);
    assert!(e.contains("line 3") && e.contains("unknown colour 'reddish'"), "{e}");
    let e = err("[theme]\nlate = \"#ff88\"\n", Lang::Es);
    assert!(e.contains("línea 2") && e.contains("color desconocido '#ff88'"), "{e}");
    let e = err("[theme]\n\nbackground = \"red\"\n", Lang::En);
    assert!(
        e.contains("line 3") && e.contains("unknown colour role 'background'") && e.contains("late"),
        "{e}"
    );
    let e = err("[theme]\nlate = 3\n", Lang::Es);
    assert!(e.contains("línea 2") && e.contains("color desconocido '3'"), "{e}");
    let c = cfg("[theme]\nwatch = \"light_blue\"\n");
    assert_eq!(c.theme.watch, ratatui::style::Color::LightBlue);
}

/// Every wrong value of the config file names its line and says what it must be, in the
/// user's language (the "must be" part was English in Spanish too); a minimum rate past the
/// largest amount vadesk keeps is refused (it silently turned the underpaying rule off).
#[test]
fn bad_values_name_the_line_and_what_they_must_be_in_both_languages() {
    for (text, en, es) in [
        (
            "# mine\nname = \"Ana\"\n\nmin_rate = -5\n",
            "config.toml, line 4: min_rate must be a number from 0 to 100,000,000",
            "config.toml, línea 4: min_rate debe ser un número de 0 a 100.000.000",
        ),
        (
            "min_rate = 1e10\n",
            "line 1: min_rate must be a number from 0 to 100,000,000",
            "línea 1: min_rate debe ser un número de 0 a 100.000.000",
        ),
        (
            "currency = \"EUR\"\n[score]\nwatch = 5\ntalk = 2\n",
            "line 2: score must be ordered `watch` <= `talk` <= `end`",
            "línea 2: score debe ser ordenado",
        ),
        (
            "[weights]\nlate_material = -1\n",
            "line 2: weights.late_material must be a number of 0 or more",
            "línea 2: weights.late_material debe ser un número igual o mayor que 0",
        ),
        (
            "tick_seconds = 0\n",
            "line 1: tick_seconds must be between 1 and 86400",
            "línea 1: tick_seconds debe ser un número entre 1 y 86400",
        ),
        (
            "language = \"fr\"\n",
            "line 1: language must be \"en\" or \"es\"",
            "línea 1: language debe ser \"en\" o \"es\"",
        ),
    ] {
        assert!(err(text, Lang::En).contains(en), "{}", err(text, Lang::En));
        assert!(err(text, Lang::Es).contains(es), "{}", err(text, Lang::Es));
    }
    assert_eq!(cfg("min_rate = 100000000\n").min_rate, Some(1e8));
}

/// A file that cannot be read as TOML names the line and column; the Spanish message carries
/// no English words of the parser.
#[test]
fn an_unreadable_file_names_its_line_and_column_in_both_languages() {
    let text = "name = \"Ana\"\ntick_seconds = \"abc\"\n";
    let en = err(text, Lang::En);
    assert!(
        en.contains("config.toml, line 2, column 16: cannot be read: invalid type"),
        "{en}"
    );
    // The program's type names are said plainly.
    assert!(en.contains("expected a whole number") && !en.contains("u64"), "{en}");
    let f = err("min_rate = \"25,5\"\n", Lang::En);
    assert!(f.contains("expected a number") && !f.contains("f64"), "{f}");
    let es = err(text, Lang::Es);
    assert!(
        es.contains("config.toml, línea 2, columna 16: no se puede leer"),
        "{es}"
    );
    assert!(!es.contains("invalid") && !es.contains("expected"), "{es}");
}

/// The README's `[keys]` example is a config that loads, and its list of action names holds
/// every action there is.
#[test]
fn the_readme_s_keys_example_loads_and_names_every_action() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .split("### Remapping keys: `[keys]`")
        .nth(1)
        .and_then(|s| s.split("\n### ").next())
        .expect("the README's [keys] section");
    let example = section
        .split("```toml\n")
        .nth(1)
        .and_then(|s| s.split("```").next())
        .expect("its example");
    config::parse(example, Path::new("config.toml")).expect("the README's example loads");
    let missing: Vec<String> = vadesk::tui::keymap::actions()
        .into_iter()
        .map(|(name, _)| name)
        .filter(|name| !section.contains(&format!("`{name}`")))
        .collect();
    assert!(missing.is_empty(), "the README does not name {missing:?}");
}

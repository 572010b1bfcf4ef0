//! Completion scripts and the man page: generated from the command tree, in the user's language.

mod common;

use common::Desk;

/// Every command path of the tree, as words ("client add").
fn paths() -> Vec<Vec<String>> {
    fn walk(cmd: &clap::Command, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
        for s in cmd.get_subcommands() {
            let mut p = prefix.clone();
            p.push(s.get_name().to_string());
            out.push(p.clone());
            walk(s, p, out);
        }
    }
    let mut out = Vec::new();
    walk(
        &vadesk::cli::localized_command(vadesk::i18n::Lang::En),
        Vec::new(),
        &mut out,
    );
    out
}

#[test]
fn every_shell_gets_a_script_naming_every_command() {
    let d = Desk::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = d.ok(&["completions", shell]);
        assert!(script.contains("vadesk"), "{shell}");
        for p in paths() {
            let last = p.last().expect("name");
            assert!(script.contains(last.as_str()), "{shell} script lacks {p:?}");
        }
    }
    let fish = d.ok(&["completions", "fish"]);
    assert!(fish.contains("calendar") && fish.contains("completions") && fish.contains("man"));
    // Option help is in the interface language.
    let es = d.ok(&["--lang", "es", "completions", "fish"]);
    assert!(es.contains("Reemplaza ARCHIVO si ya existe"), "{es}");
    let en = d.ok(&["completions", "fish"]);
    assert!(en.contains("Replace FILE if it already exists"));
}

#[test]
fn an_unknown_shell_is_a_clear_error_in_both_languages() {
    let d = Desk::new();
    let (code, err) = d.fails(&["completions", "tcsh"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown shell 'tcsh'"), "{err}");
    let (_, err) = d.fails(&["--lang", "es", "completions", "tcsh"]);
    assert!(err.contains("shell desconocida 'tcsh'"), "{err}");
    assert!(!d.db.exists(), "no store is created for completions");
}

#[test]
fn the_man_page_lists_every_command_and_speaks_spanish() {
    let d = Desk::new();
    let en = d.ok(&["man"]);
    assert!(en.starts_with(".ie") || en.contains(".TH vadesk 1"), "{en}");
    assert!(en.contains(".SH NAME") && en.contains(".SH \"ALL COMMANDS\""));
    for p in paths() {
        let usage = format!(".SS vadesk {}", p.join(" "));
        assert!(en.contains(&usage), "man page lacks {usage}");
    }
    assert!(en.contains("Replace FILE if it already exists"));

    let es = d.ok(&["--lang", "es", "man"]);
    for heading in ["NOMBRE", "SINOPSIS", "DESCRIPCIÓN", "OPCIONES", "TODOS LOS COMANDOS"] {
        assert!(es.contains(heading), "Spanish man page lacks {heading}");
    }
    for english in [
        ".SH NAME",
        ".SH SYNOPSIS",
        "Replace FILE if it already exists",
        "Print the manual page",
    ] {
        assert!(!es.contains(english), "Spanish man page still says {english}");
    }
    assert!(es.contains("Muestra la página de manual"));
    for p in paths() {
        assert!(es.contains(&format!(".SS vadesk {}", p.join(" "))), "{p:?}");
    }
    // Nothing in the page can start a roff request by accident or carry control characters.
    assert!(!es.chars().any(|c| c.is_control() && c != '\n'));
}

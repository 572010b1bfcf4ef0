//! Spanish as a Spanish VA reads it: every catalogue entry and every label, walked in Spanish,
//! and the numbers and notes the program writes.

mod common;

use chrono::NaiveDate;
use common::spanish::{catalogue, dot_decimals, english_keys, labels, lazy_plurals, prose, words};
use vadesk::i18n::{self, Lang};

/// English words that must never be prose in a Spanish text.
const ENGLISH: &[&str] = &[
    "the", "and", "with", "late", "nudge", "nudged", "nudges", "overdue", "due", "waiting", "score", "store", "flag",
    "flags", "quote", "quotes", "meeting", "client", "clients", "task", "tasks", "review",
];

#[test]
fn every_spanish_entry_and_label_reads_as_spanish() {
    let keys = english_keys();
    assert!(keys.contains("no_show") && keys.contains("changed_after_ok") && keys.contains("discovery"));
    assert!(
        !keys.contains("material") && !keys.contains("feedback"),
        "shared words are not leaks"
    );
    let mut texts = catalogue(Lang::Es);
    for (key, word, label) in labels(Lang::Es) {
        texts.push((format!("label of {key}"), label));
        texts.push((format!("word of {key}"), word.replace('_', " ")));
    }
    let mut bad = Vec::new();
    for (name, text) in &texts {
        for w in words(&prose(text)) {
            if keys.contains(&w) || ENGLISH.contains(&w.as_str()) {
                bad.push(format!("{name}: English {w:?} in {text:?}"));
            }
        }
        for p in lazy_plurals(text) {
            bad.push(format!("{name}: lazy plural {p:?}"));
        }
        for d in dot_decimals(text) {
            bad.push(format!("{name}: decimal point {d:?}"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn english_has_no_lazy_plurals_either() {
    let bad: Vec<String> = catalogue(Lang::En)
        .iter()
        .flat_map(|(name, t)| lazy_plurals(t).into_iter().map(move |p| format!("{name}: {p}")))
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn plural_forms_follow_the_count() {
    use i18n::{pl, P};
    assert_eq!(pl(Lang::Es, P::OpenTasks, 1, &[]), "1 abierta");
    assert_eq!(pl(Lang::Es, P::OpenTasks, 0, &[]), "0 abiertas");
    assert_eq!(pl(Lang::Es, P::Nudges, 1, &[]), "1 recordatorio");
    assert_eq!(pl(Lang::En, P::Nudges, 2, &[]), "2 nudges");
    assert_eq!(pl(Lang::Es, P::Clarified, 3, &[&12]), "Tarea 12: 3 aclaraciones.");
    assert_eq!(i18n::ago(0, Lang::Es), "hoy");
    assert_eq!(i18n::ago(1, Lang::Es), "hace 1 día");
    assert_eq!(i18n::ago(12, Lang::En), "12 days ago");
    // Every plural entry has a distinct form for one in Spanish.
    for p in P::ALL {
        let [one, other] = p.forms(Lang::Es);
        assert_ne!(one, other, "{p:?}");
    }
}

#[test]
fn numbers_and_money_in_each_language() {
    assert_eq!(i18n::decimal(8.386, 2, Lang::Es), "8,39");
    assert_eq!(i18n::decimal(8.386, 2, Lang::En), "8.39");
    assert_eq!(i18n::decimal(-0.001, 2, Lang::Es), "0,00");
    // CLDR (through ICU4X): Spanish groups thousands from five digits on, English from four.
    assert_eq!(i18n::decimal(1250.5, 2, Lang::Es), "1250,50");
    assert_eq!(i18n::decimal(12500.5, 2, Lang::Es), "12.500,50");
    assert_eq!(i18n::decimal(1250.5, 2, Lang::En), "1,250.50");
    assert_eq!(i18n::decimal(-1234567.0, 0, Lang::Es), "-1.234.567");
    assert_eq!(i18n::money(450.0, Lang::Es), "450,00 €");
    assert_eq!(i18n::money(450.0, Lang::En), "€450.00");
    assert_eq!(i18n::money(12345.678, Lang::En), "€12,345.68");
    assert_eq!(i18n::rate(35.0, Lang::Es), "35,00 €/h");
    assert_eq!(i18n::number(2.0, Lang::Es), "2");
    assert_eq!(i18n::number(1.5, Lang::Es), "1,5");
    assert_eq!(i18n::number(0.25, Lang::En), "0.25");
}

#[test]
fn automatic_notes_are_put_into_words() {
    use vadesk::describe::auto_note;
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let es = |src, note| auto_note(src, note, today, Lang::Es).unwrap();
    assert_eq!(es("quote", "450.00"), "presupuesto de 450,00 €");
    assert_eq!(
        es("meeting", "discovery 2026-11-13 10:00"),
        "primera reunión, vie 13 nov 10:00"
    );
    assert_eq!(
        es("meeting", "other 2026-11-13 10:00 (10 min)"),
        "reunión, vie 13 nov 10:00, 10 minutos de retraso"
    );
    assert_eq!(es("channels", "email, phone, whatsapp"), "email, teléfono, WhatsApp");
    assert_eq!(
        es("rate", "12.00/h < 20.00/h"),
        "tarifa efectiva de 12,00 €/h, por debajo de tu mínimo de 20,00 €/h"
    );
    assert_eq!(es("weekly", "2026-11-13"), "revisión semanal del vie 13 nov");
    assert_eq!(auto_note("material", "Fotos (Carrusel)", today, Lang::Es), None);
    assert_eq!(
        auto_note("meeting", "discovery 2026-11-13 10:00", today, Lang::En).unwrap(),
        "discovery meeting, Fri 13 Nov 10:00"
    );
}

#[test]
fn errors_list_spanish_words_and_system_errors_read_in_spanish() {
    use vadesk::domain::{Attendance, TaskStatus};
    let e = TaskStatus::parse("hechísima").unwrap_err();
    assert_eq!(
        e.localized(Lang::Es),
        "estado de tarea desconocido 'hechísima' (uno de: por_hacer, en_curso, entregada, terminada, cancelada)"
    );
    assert!(e
        .localized(Lang::En)
        .contains("todo, doing, delivered, done, cancelled"));
    assert_eq!(Attendance::parse("tarde").unwrap(), Attendance::Late);
    let io = vadesk::Error::Io(std::io::Error::from(std::io::ErrorKind::NotFound));
    assert_eq!(
        io.localized(Lang::Es),
        "error de archivo: no existe el archivo o la carpeta"
    );
}

#[test]
fn the_leak_detector_finds_leaks() {
    let p = common::spanish::problems(
        "Tarea 3: done. Puntuación 8.39 (rate:1:2026-11) 2 bandera(s) discovery 2026-11-13 Nuevo cliente Bloom",
        &["Bloom"],
    );
    let joined = p.join("\n");
    for needle in [
        "\"done\"",
        "8.39",
        "rate:1:2026-11",
        "bandera(s)",
        "\"discovery\"",
        "2026-11-13",
    ] {
        assert!(joined.contains(needle), "{needle} not found in:\n{joined}");
    }
    assert!(!joined.contains("Bloom") && !joined.contains("\"nuevo\""), "{joined}");
    assert!(common::spanish::problems("Repaso del lun 23 nov: 450,00 €, 3 días de retraso", &[]).is_empty());
}

/// A refusal that names a day or a moment writes it as the rest of the desk does ("vie 27 nov
/// a las 10:00"), never as the stored `2026-11-27 10:00`, in Spanish and in English.
#[test]
fn refusals_write_their_dates_as_the_desk_does() {
    let mut d = common::Desk::new();
    d.ok(&["client", "add", "Bloom"]);
    let t = d.id(&["task", "add", "Bloom", "Boletín"]).to_string();
    let m = d
        .id(&["meeting", "add", "Bloom", "--at", "2026-11-27 10:00"])
        .to_string();
    let r = d.id(&["material", "ask", &t, "Fotos", "--by", "+3d"]).to_string();
    d.ok(&["material", "got", &r]);
    d.id(&["time", "start", &t]);
    let es = |d: &common::Desk, args: &[&str]| {
        let mut all = vec!["--lang", "es"];
        all.extend(args);
        let (_, err) = d.fails(&all);
        let problems = common::spanish::problems(&err, &["Bloom", "Boletín"]);
        assert!(problems.is_empty(), "{args:?}: {err}\n{problems:?}");
        err
    };
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["meeting", "attended", &m, "no_show"],
            "la reunión empieza el vie 27 nov a las 10:00",
        ),
        (
            vec!["material", "ask", &t, "Logo", "--by", "2026-11-20"],
            "la fecha prevista, el vie 20 nov, es anterior al día en que se pide (lun 23 nov)",
        ),
        (vec!["material", "got", &r], "ya se recibió el lun 23 nov"),
        (
            vec!["flag", "add", "Bloom", "other", "--at", "2026-11-24"],
            "el mar 24 nov es una fecha futura",
        ),
        (
            vec!["quote", "add", "Bloom", "--amount", "100", "--sent", "2026-11-30"],
            "enviado el lun 30 nov es posterior a hoy (lun 23 nov)",
        ),
        (
            vec!["time", "log", "--client", "Bloom", "2h", "--on", "2026-11-23 08:00"],
            "terminaría el lun 23 nov 10:00, después de ahora (lun 23 nov 09:00)",
        ),
        (
            vec!["client", "reviewed", "Bloom", "--on", "2026-11-30"],
            "la revisión semanal del lun 30 nov",
        ),
        (
            vec!["time", "stop", "--at", "2026-11-23 08:00"],
            "el final, el lun 23 nov 08:00, debe estar entre el inicio del temporizador (lun 23 nov 09:00)",
        ),
    ];
    for (args, said) in &cases {
        let err = es(&d, args);
        assert!(err.contains(said), "{args:?}: {err}");
    }
    let (_, err) = d.fails(&["meeting", "attended", &m, "no_show"]);
    assert!(err.contains("the meeting starts on Fri 27 Nov at 10:00"), "{err}");
    // The next day, the timer still running says since when.
    d.at("2026-11-24 09:00");
    let err = es(&d, &["time", "stop"]);
    assert!(err.contains("en marcha desde el lun 23 nov 09:00"), "{err}");
}

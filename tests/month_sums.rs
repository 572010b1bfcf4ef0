//! The kept month sums (schema step 10) against the time entries they sum: after every way
//! time is written (log, timer, edit, billing, delete, a client's increment, undo and redo,
//! deleting a client, an import of an export), the sums read from the kept rows equal the sums
//! read from every entry, with the default increment of 1 and with another one.

mod common;

use chrono::{NaiveDate, NaiveDateTime};
use common::Desk;
use vadesk::domain::money::{MoneyDefaults, Month};
use vadesk::store::{ClientFields, NewQuote, QuoteEdit, StopAt, TimeEdit};
use vadesk::Store;

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 20).unwrap()
}

/// No (client, month) of 2025-01..2027-01 differs, whatever the default increment.
fn check(s: &mut Store, when: &str) {
    let (from, to) = (Month::parse("2025-01").unwrap(), Month::parse("2027-01").unwrap());
    for inc in [1, 15, 6] {
        s.set_money_defaults(MoneyDefaults {
            currency: "EUR".into(),
            increment_min: inc,
        });
        let bad = s.month_sums_mismatches(from, to).unwrap();
        assert!(bad.is_empty(), "{when}, default increment {inc}: {bad:?}");
    }
    s.set_money_defaults(MoneyDefaults::default());
}

fn client(s: &mut Store, name: &str, increment: Option<u32>) -> i64 {
    s.add_client(
        ClientFields {
            name: Some(name.into()),
            rate: Some(Some(4000)),
            increment_min: Some(increment),
            ..Default::default()
        },
        today(),
    )
    .unwrap()
}

#[test]
fn kept_month_sums_match_the_entries_after_every_kind_of_write() {
    let d = Desk::new();
    d.ok(&["demo"]);
    let mut s = Store::open(&d.db).unwrap();
    s.enable_undo().unwrap();
    check(&mut s, "the demo, summed by the migration and its triggers");

    let a = client(&mut s, "Acme", Some(15));
    let b = client(&mut s, "Bolt", None);
    let mut ids = Vec::new();
    for (i, m) in [7u32, 50, 61, 1, 240, 14].iter().enumerate() {
        let c = if i % 2 == 0 { a } else { b };
        let start = at(&format!("2026-0{}-0{} 10:00", 2 + i % 2, 1 + i));
        ids.push(s.log_time(Some(c), None, start, *m, i % 3 != 2, "").unwrap());
    }
    check(&mut s, "logged");

    // Quote preparation (kept per client and month by the quotes' triggers): sent, changed,
    // one of no preparation, one deleted (and one from the command line below).
    let quote = |s: &mut Store, c: i64, sent: &str, prep: u32| {
        let q = NewQuote {
            amount_cents: 30_000,
            prep_min: prep,
            sent_on: NaiveDate::parse_from_str(sent, "%Y-%m-%d").unwrap(),
            answer_by: None,
            description: String::new(),
        };
        s.add_quote(c, q, 7).unwrap()
    };
    let q1 = quote(&mut s, a, "2026-02-03", 45);
    let q2 = quote(&mut s, a, "2026-02-20", 30);
    quote(&mut s, b, "2026-03-01", 0);
    quote(&mut s, b, "2026-01-31", 90);
    check(&mut s, "quotes sent");
    s.edit_quote(
        q1,
        QuoteEdit {
            prep_min: Some(75),
            ..Default::default()
        },
    )
    .unwrap();
    s.delete_quote(q2).unwrap();
    check(&mut s, "a quote's preparation changed and one deleted");

    // The timer: running (no minutes) is not summed; stopped, it is.
    s.start_timer(Some(b), None, true, "", at("2026-03-20 09:00")).unwrap();
    check(&mut s, "timer running");
    s.stop_timer(StopAt::Now, at("2026-03-20 09:37")).unwrap();
    check(&mut s, "timer stopped");

    // Edits: minutes, billable, moved to another month.
    let e = |minutes, start, billable| TimeEdit {
        minutes,
        start,
        billable,
        ..Default::default()
    };
    s.edit_time(ids[0], e(Some(22), None, None), false).unwrap();
    s.edit_time(ids[1], e(None, None, Some(false)), false).unwrap();
    s.edit_time(ids[2], e(None, Some(at("2026-01-31 23:00")), None), false)
        .unwrap();
    check(&mut s, "edited");

    // Billing, then a billed entry changed and deleted with force.
    s.mark_billed(a, Month::parse("2026-02").unwrap(), today()).unwrap();
    s.mark_billed(b, Month::parse("2026-03").unwrap(), today()).unwrap();
    check(&mut s, "billed");
    s.edit_time(ids[4], e(Some(95), None, None), true).unwrap();
    s.delete_time(ids[5], true).unwrap();
    check(&mut s, "billed entries changed");

    // A client's increment changes: its months are rounded again.
    s.edit_client(
        a,
        ClientFields {
            increment_min: Some(Some(6)),
            ..Default::default()
        },
    )
    .unwrap();
    check(&mut s, "increment changed");
    s.edit_client(
        b,
        ClientFields {
            increment_min: Some(Some(30)),
            ..Default::default()
        },
    )
    .unwrap();
    check(&mut s, "increment set");

    // Undo everything back to the demo, step by step, then redo it all.
    let mut undone = 0;
    while s.undo_peek().unwrap().is_some() {
        s.undo().unwrap();
        undone += 1;
        check(&mut s, &format!("after {undone} undo steps"));
    }
    assert!(undone >= 10, "{undone}");
    for i in 0..undone {
        s.redo().unwrap();
        check(&mut s, &format!("after {} redo steps", i + 1));
    }

    // A quote sent from the command line (another process); then deleted with its client.
    d.ok(&[
        "quote",
        "add",
        "Bolt",
        "--amount",
        "120",
        "--prep",
        "1h30m",
        "--sent",
        "2026-03-05",
    ]);
    check(&mut s, "a quote sent from the command line");

    // Deleting a client deletes its time and its sums.
    s.delete_client(b).unwrap();
    check(&mut s, "client deleted");
    let left: i64 = s
        .conn()
        .query_row("SELECT count(*) FROM time_sums WHERE client_id = ?1", [b], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0);

    // An export imported into a new store sums the same.
    let export = d.dir.path().join("export.json");
    d.ok(&["export", "--out", export.to_str().unwrap()]);
    let other = Desk::new();
    other.ok(&["import", export.to_str().unwrap()]);
    let mut t = Store::open(&other.db).unwrap();
    check(&mut t, "imported");
    let sums = |s: &Store| -> Vec<(String, i64)> {
        let mut q = s
            .conn()
            .prepare(
                "SELECT c.uuid || ' ' || t.month || ' ' || t.inc, t.entries + t.billable_min * 3 + t.rounded_min * 5
                      + t.unbilled_min * 7 + t.invoiced_min * 11 + t.invoiced_n * 13
                 FROM time_sums t JOIN clients c ON c.id = t.client_id ORDER BY 1",
            )
            .unwrap();
        let rows = q.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    };
    assert_eq!(sums(&s), sums(&t));
    assert!(!sums(&t).is_empty());
}

#[test]
fn the_month_reads_one_row_per_client_even_in_a_store_never_analysed() {
    let d = Desk::new();
    d.ok(&["demo"]);
    let s = Store::open(&d.db).unwrap();
    // As after a big import: no statistics for the planner to lean on.
    s.conn().execute_batch("DROP TABLE IF EXISTS sqlite_stat1").unwrap();
    let s = Store::open(&d.db).unwrap();
    let plans = s.query_plans().unwrap();
    let plan = |name: &str| plans.iter().find(|(n, _)| *n == name).unwrap().1.join("\n");
    let sums = plan("money: month sums");
    assert!(
        sums.contains("SEARCH s USING COVERING INDEX time_sums_month (month>? AND month<?)")
            && sums.contains("SEARCH c USING INTEGER PRIMARY KEY"),
        "{sums}"
    );
    assert!(!sums.contains("time_entries") && !sums.contains("SCAN"), "{sums}");
    let entries = plan("money: month sums from entries");
    assert!(
        entries.contains("time_client_start") || entries.contains("time_month"),
        "{entries}"
    );
    assert!(!entries.contains("SCAN e"), "{entries}");
    let clients = plan("money: month clients");
    assert!(
        clients.contains("SEARCH clients USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)"),
        "{clients}"
    );
    // A billed month's terms: one client's month, or a month's clients, from their index,
    // first billing first without a sort.
    let billed = plan("money: billed terms");
    assert!(
        billed.contains("USING INDEX billed_terms_client (client_id=? AND month=?)")
            || billed.contains("USING INDEX billed_terms_month (month=? AND client_id=?)"),
        "{billed}"
    );
    let month = plan("money: billed terms of a month");
    assert!(
        month.contains("SEARCH billed_terms USING INDEX billed_terms_month (month=?)"),
        "{month}"
    );
    let keep = plan("money: keep billed terms");
    assert!(
        keep.contains("SEARCH c USING INTEGER PRIMARY KEY")
            && (keep.contains("billed_terms_client (client_id=? AND month=?)")
                || keep.contains("billed_terms_month (month=? AND client_id=?)")),
        "{keep}"
    );
    let unbilled = plan("money: unbilled time");
    assert!(
        unbilled.contains("time_client_start (client_id=? AND start>? AND start<?)"),
        "{unbilled}"
    );
    for p in [&billed, &month, &keep, &unbilled] {
        assert!(!p.contains("TEMP B-TREE") && !p.contains("SCAN"), "{p}");
    }
    let channels = plan("money: month channels");
    assert!(channels.contains("USING INDEX channels_client"), "{channels}");
    let prep = plan("money: quote prep");
    assert!(prep.contains("COVERING INDEX quotes_sent"), "{prep}");
    // The month's quote preparation from its kept sums: a range of months of their primary
    // key, never the quotes.
    let kept = plan("money: kept quote prep");
    assert_eq!(kept, "SEARCH quote_prep_sums USING PRIMARY KEY (month>? AND month<?)");
}

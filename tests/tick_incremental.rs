//! The detection pass takes shortcuts: late requests and unanswered quotes are read from tables
//! the triggers keep (the open requests of live tasks, the pending quotes without their flag),
//! the channels rule skips the clients whose flag of the month is there, the money rules
//! without a minimum rate read the clients with retainer hours alone, quote preparation is
//! added up outside SQL. Each shortcut must raise exactly the flags the
//! pass raised when every rule read the whole of what it judges (`detect_from_scratch`): two
//! copies of one store go through the same writes and clocks, one ticked each way, and their
//! reports and flags are compared after every pass.

use chrono::{Duration, NaiveDate};
use vadesk::Store;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The demo, then a varied history over every client: tasks created over months through
/// several channels with every status, requests late and not, received or not, quotes sent
/// and pending, time worked with rates and retainers.
fn build(path: &std::path::Path) {
    let mut store = Store::open(path).unwrap();
    store.load_demo(day("2026-11-23")).unwrap();
    let c = store.conn();
    c.execute_batch(
        "UPDATE clients SET rate_cents = 1500 + (id % 4) * 1000 WHERE id % 3 <> 0;
         UPDATE clients SET retainer_min = 600, fee_cents = 40000 WHERE id % 2 = 0;
         UPDATE clients SET increment_min = 15 WHERE id % 4 = 1;
         UPDATE clients SET status = 'ended' WHERE id % 5 = 4;",
    )
    .unwrap();
    let clients: Vec<i64> = {
        let mut q = c.prepare("SELECT id FROM clients ORDER BY id").unwrap();
        let rows = q.query_map([], |r| r.get(0)).unwrap();
        rows.collect::<rusqlite::Result<_>>().unwrap()
    };
    let vias = ["email", "whatsapp", "phone", "slack", "trello"];
    let statuses = ["todo", "doing", "delivered", "done", "cancelled", "done", "done"];
    c.execute_batch("BEGIN").unwrap();
    let start = day("2026-06-01");
    for i in 0..1500i64 {
        let client = clients[(i as usize * 7 + i as usize / 13) % clients.len()];
        let created = start + Duration::days((i * 37) % 240);
        // Some clients use one channel only; others several.
        let via = if client % 3 == 0 {
            Some(vias[0])
        } else if i % 11 == 0 {
            None
        } else {
            Some(vias[((i * 3 + client) % 5) as usize])
        };
        let status = statuses[((i * 5 + client) % 7) as usize];
        c.execute(
            "INSERT INTO tasks(client_id, title, spec, status, due, via, created_on, clarifications, outcome)
             VALUES (?1, ?2, '', ?3, ?4, ?5, ?6, ?7, ?8)",
            rusqlite::params![
                client,
                format!("History task {i}"),
                status,
                (created + Duration::days(10)).format("%Y-%m-%d").to_string(),
                via,
                created.format("%Y-%m-%d").to_string(),
                if i % 97 == 0 { 3 } else { 0 },
                if i % 89 == 0 { Some("unused") } else { None },
            ],
        )
        .unwrap();
        let task = c.last_insert_rowid();
        if i % 3 == 0 {
            let kind = if i % 2 == 0 { "material" } else { "feedback" };
            let expected = created + Duration::days(5 + i % 20);
            let received = (i % 4 == 0).then(|| (expected + Duration::days(1)).format("%Y-%m-%d").to_string());
            c.execute(
                "INSERT INTO requests(task_id, kind, what, asked_on, expected_by, received_on) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                rusqlite::params![
                    task,
                    kind,
                    format!("Item {i}"),
                    created.format("%Y-%m-%d").to_string(),
                    expected.format("%Y-%m-%d").to_string(),
                    received
                ],
            )
            .unwrap();
        }
        if i % 2 == 0 {
            c.execute(
                "INSERT INTO time_entries(client_id, task_id, start, minutes, billable) VALUES (?1, ?2, ?3, ?4, ?5)",
                rusqlite::params![
                    client,
                    task,
                    format!("{} 10:00", created.format("%Y-%m-%d")),
                    30 + (i % 9) * 25,
                    (i % 5 != 0) as i64
                ],
            )
            .unwrap();
        }
        if i % 7 == 0 {
            let sent = created + Duration::days(i % 3);
            c.execute(
                "INSERT INTO quotes(client_id, prep_min, sent_on, answer_by, status, amount_cents) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                rusqlite::params![
                    client,
                    15 + i % 60,
                    sent.format("%Y-%m-%d").to_string(),
                    (sent + Duration::days(7)).format("%Y-%m-%d").to_string(),
                    if i % 3 == 0 { "pending" } else { "accepted" },
                    10000 + i
                ],
            )
            .unwrap();
        }
    }
    c.execute_batch("COMMIT; PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
}

/// A flag as stored, but for its random uuid: id, client, kind, date, note, source, source
/// reference, dismissed.
type FlagRow = (i64, i64, String, String, String, String, Option<String>, i64);

fn flags(store: &Store) -> Vec<FlagRow> {
    let mut q = store
        .conn()
        .prepare("SELECT id, client_id, kind, at, note, source, source_ref, dismissed FROM flags ORDER BY id")
        .unwrap();
    let rows = q
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })
        .unwrap();
    rows.collect::<rusqlite::Result<_>>().unwrap()
}

/// The same writes on both stores: what a day of work between two ticks does.
fn write(a: &Store, b: &Store, sql: &str) {
    a.conn().execute_batch(sql).unwrap();
    b.conn().execute_batch(sql).unwrap();
}

#[test]
fn the_pass_raises_what_a_pass_from_scratch_raises_whatever_the_data_and_the_clock() {
    let dir = tempfile::tempdir().unwrap();
    let (pa, pb) = (dir.path().join("a.db"), dir.path().join("b.db"));
    build(&pa);
    std::fs::copy(&pa, &pb).unwrap();
    let mut a = Store::open(&pa).unwrap();
    let mut b = Store::open(&pb).unwrap();
    assert_eq!(flags(&a), flags(&b));
    // Clocks forward and back, over month ends, with and without the underpaying rule; the
    // writes between passes close and reopen tasks with late requests, receive and move
    // requests, remove flags (a rule raises them again), add tasks through new channels, send
    // quotes and log time.
    let steps: &[(&str, Option<f64>, &str)] = &[
        ("2026-07-15", None, ""),
        ("2026-07-15", Some(25.0), ""),
        (
            "2026-08-01",
            Some(40.0),
            "UPDATE tasks SET status = 'done' WHERE id % 4 = 1 AND status = 'todo';",
        ),
        (
            "2026-08-31",
            None,
            "UPDATE tasks SET status = 'doing' WHERE id % 6 = 3 AND status IN ('done', 'cancelled');
             UPDATE requests SET received_on = '2026-08-20' WHERE id % 5 = 2;",
        ),
        (
            "2026-09-30",
            Some(30.0),
            "DELETE FROM flags WHERE source_ref LIKE 'channels:%' AND id % 2 = 0;
             DELETE FROM flags WHERE source_ref LIKE 'material:%' AND id % 3 = 0;",
        ),
        (
            "2026-10-01",
            Some(30.0),
            "INSERT INTO tasks(client_id, title, status, via, created_on)
                 SELECT id, 'New channel ' || id, 'todo', 'signal', '2026-09-30' FROM clients;
             INSERT INTO tasks(client_id, title, status, via, created_on)
                 SELECT id, 'Another ' || id, 'todo', 'telegram', '2026-09-29' FROM clients WHERE id % 2 = 1;",
        ),
        (
            "2026-09-15",
            None,
            "UPDATE requests SET expected_by = '2026-09-01', received_on = NULL WHERE id % 7 = 0;
             UPDATE requests SET task_id = (SELECT max(id) FROM tasks) WHERE id % 13 = 0;",
        ),
        (
            "2026-11-23",
            Some(25.0),
            "INSERT INTO quotes(client_id, prep_min, sent_on, answer_by, status)
                 SELECT id, 600, '2026-11-02', '2026-11-09', 'pending' FROM clients;
             INSERT INTO time_entries(client_id, start, minutes, billable)
                 SELECT id, '2026-10-05 09:00', 900, 1 FROM clients WHERE id % 2 = 0;
             DELETE FROM flags WHERE source_ref LIKE 'rate:%' OR source_ref LIKE 'scope:%';",
        ),
        // The underpaying rule's inputs, each way they change: quote preparation re-dated
        // across months (into the window, out of it, to a month before it), changed, moved to
        // another client, deleted; time edited, moved across months and clients, made
        // unbillable, deleted; terms changed; underpaying flags dismissed or removed.
        (
            "2026-11-24",
            Some(25.0),
            "UPDATE quotes SET sent_on = '2026-10-' || (10 + id % 15) WHERE id % 5 = 0;
             UPDATE quotes SET sent_on = '2026-08-' || (10 + id % 15) WHERE id % 5 = 1 AND sent_on >= '2026-09';
             UPDATE quotes SET prep_min = prep_min * 3 + 7 WHERE id % 4 = 3;
             UPDATE quotes SET client_id = (SELECT min(id) FROM clients WHERE rate_cents IS NOT NULL) WHERE id % 10 = 7;
             DELETE FROM quotes WHERE id % 9 = 4;
             INSERT INTO quotes(client_id, prep_min, sent_on, answer_by, status)
                 SELECT id, 0, '2026-09-15', '2026-09-22', 'accepted' FROM clients WHERE id % 3 = 1;
             UPDATE flags SET dismissed = 1 WHERE source_ref LIKE 'rate:%' AND id % 2 = 1;
             DELETE FROM flags WHERE source_ref LIKE 'rate:%' AND id % 2 = 0;",
        ),
        (
            "2026-11-25",
            Some(45.0),
            "UPDATE time_entries SET start = '2026-09-' || (10 + id % 15) || ' 10:00' WHERE id % 6 = 1;
             UPDATE time_entries SET start = '2026-07-' || (10 + id % 15) || ' 10:00' WHERE id % 6 = 2;
             UPDATE time_entries SET minutes = minutes + 200 WHERE id % 5 = 2;
             UPDATE time_entries SET billable = 1 - billable WHERE id % 7 = 0;
             UPDATE time_entries SET billed_on = '2026-11-01' WHERE id % 4 = 0;
             UPDATE time_entries SET client_id = (SELECT max(id) FROM clients WHERE status = 'active') WHERE id % 11 = 5;
             DELETE FROM time_entries WHERE id % 8 = 3;
             INSERT INTO time_entries(client_id, start, minutes, billable)
                 SELECT id, '2026-11-20 08:00', 480, 0 FROM clients WHERE id % 4 = 3;
             UPDATE clients SET rate_cents = 6000 WHERE id % 5 = 1;
             UPDATE clients SET retainer_min = 300, fee_cents = 9000, overage_cents = 2000 WHERE id % 6 = 5;
             UPDATE clients SET increment_min = 30 WHERE id % 7 = 2;
             UPDATE clients SET status = 'paused' WHERE id % 9 = 8;
             DELETE FROM flags WHERE source_ref LIKE 'rate:%' AND id % 3 = 0;",
        ),
        ("2026-11-26", Some(45.0), "DELETE FROM flags WHERE source_ref LIKE 'rate:%';"),
        (
            "2026-12-01",
            Some(60.0),
            "UPDATE tasks SET status = 'cancelled' WHERE id % 3 = 0 AND status = 'doing';
             DELETE FROM flags WHERE id % 5 = 0;
             UPDATE quotes SET status = 'pending' WHERE id % 4 = 1;
             UPDATE quotes SET answer_by = '2026-11-25' WHERE id % 6 = 5;
             UPDATE quotes SET status = 'rejected' WHERE id % 9 = 2;
             UPDATE flags SET source_ref = 'gone:' || id WHERE source_ref LIKE 'quote:%' AND id % 7 = 3;",
        ),
        (
            "2027-01-10",
            None,
            "UPDATE tasks SET status = 'todo' WHERE id % 10 = 7;",
        ),
        ("2027-01-10", Some(100.0), ""),
        // The kept effective rates (judged once, read while nothing they depend on changes):
        // passes of the same month, minimum and increment, each after one kind of write that
        // changes some client's rate, and the underpaying flags removed, so that a rate kept
        // from before the write would raise a flag with another rate or for another client.
        ("2027-01-11", Some(100.0), "DELETE FROM flags WHERE source_ref LIKE 'rate:%';"),
        // Some of the month's underpaying flags removed, others dismissed: nothing else written.
        (
            "2027-01-11",
            Some(100.0),
            "DELETE FROM flags WHERE source_ref LIKE 'rate:%' AND client_id % 2 = 0;
             UPDATE flags SET dismissed = 1 WHERE source_ref LIKE 'rate:%' AND client_id % 3 = 0;",
        ),
        (
            "2027-01-11",
            Some(100.0),
            "INSERT INTO quotes(client_id, prep_min, sent_on, answer_by, status)
                 SELECT id, 120, '2027-01-05', '2027-01-12', 'accepted' FROM clients WHERE id % 2 = 0;
             DELETE FROM flags WHERE source_ref LIKE 'rate:%';",
        ),
        (
            "2027-01-12",
            Some(100.0),
            "UPDATE quotes SET prep_min = prep_min + 45 WHERE sent_on >= '2026-11' AND id % 3 = 0;
             DELETE FROM flags WHERE source_ref LIKE 'rate:%';",
        ),
        (
            "2027-01-12",
            Some(100.0),
            "DELETE FROM quotes WHERE sent_on >= '2026-11' AND id % 4 = 1;
             DELETE FROM flags WHERE source_ref LIKE 'rate:%';",
        ),
        (
            "2027-01-13",
            Some(100.0),
            "INSERT INTO time_entries(client_id, start, minutes, billable)
                 SELECT id, '2027-01-08 09:00', 240, 0 FROM clients
                 WHERE id % 3 = 1 OR rate_cents IS NOT NULL;
             DELETE FROM flags WHERE source_ref LIKE 'rate:%';",
        ),
        (
            "2027-01-13",
            Some(100.0),
            "UPDATE time_entries SET minutes = minutes + 90 WHERE start >= '2026-11' AND id % 2 = 1;
             DELETE FROM flags WHERE source_ref LIKE 'rate:%';",
        ),
        (
            "2027-01-14",
            Some(100.0),
            "DELETE FROM time_entries WHERE start >= '2026-11' AND id % 5 = 0;
             DELETE FROM flags WHERE source_ref LIKE 'rate:%';",
        ),
        (
            "2027-01-14",
            Some(100.0),
            "UPDATE clients SET rate_cents = rate_cents + 700 WHERE rate_cents IS NOT NULL AND id % 2 = 1;
             DELETE FROM flags WHERE source_ref LIKE 'rate:%';",
        ),
        // A client deleted by a program without foreign keys (its time and quotes stay), then
        // written again with the same id and no increment of its own (its time is then read
        // from the entries: the default increment is six minutes by now).
        (
            "2027-01-15",
            Some(100.0),
            "PRAGMA foreign_keys = OFF;
             CREATE TABLE gone AS SELECT * FROM clients
                 WHERE id = (SELECT max(id) FROM clients WHERE rate_cents IS NOT NULL AND status IN ('active', 'paused'));
             DELETE FROM clients WHERE id IN (SELECT id FROM gone);
             PRAGMA foreign_keys = ON;
             DELETE FROM flags WHERE source_ref LIKE 'rate:%';",
        ),
        (
            "2027-01-15",
            Some(100.0),
            "UPDATE gone SET increment_min = NULL;
             INSERT INTO clients SELECT * FROM gone;
             DROP TABLE gone;
             DELETE FROM flags WHERE source_ref LIKE 'rate:%';",
        ),
    ];
    let mut raised = 0;
    let mut rate_days = Vec::new();
    for (i, (on, min, sql)) in steps.iter().enumerate() {
        write(&a, &b, sql);
        if sql.contains("CREATE TABLE gone") {
            let gone: i64 = a
                .conn()
                .query_row("SELECT count(*) FROM gone", [], |r| r.get(0))
                .unwrap();
            assert_eq!(gone, 1, "step {i} deletes one client");
        }
        // Half-way, a default increment of six minutes: the sums of the clients without their
        // own are read again from the entries.
        if i == steps.len() / 2 {
            for s in [&mut a, &mut b] {
                s.set_money_defaults(vadesk::domain::money::MoneyDefaults {
                    increment_min: 6,
                    ..Default::default()
                });
            }
        }
        let on = day(on);
        let quick = a.detect(on, *min).unwrap();
        let whole = b.detect_from_scratch(on, *min).unwrap();
        assert_eq!(quick, whole, "step {i} on {on}");
        assert_eq!(flags(&a), flags(&b), "flags after step {i} on {on}");
        raised += quick.new_flags.len();
        if quick.new_flags.iter().any(|f| f.source_ref.starts_with("rate:")) {
            rate_days.push(on);
        }
        // A second pass on the same day finds nothing new, either way.
        let again = a.detect(on, *min).unwrap();
        assert_eq!(
            again,
            b.detect_from_scratch(on, *min).unwrap(),
            "second pass of step {i}"
        );
        assert!(again.new_flags.is_empty(), "step {i}: {:?}", again.new_flags);
    }
    // The history gave every rule something to raise.
    let kinds: std::collections::BTreeSet<String> = flags(&a)
        .into_iter()
        .filter_map(|f| f.6.and_then(|r| r.split(':').next().map(str::to_string)))
        .collect();
    for k in ["material", "feedback", "channels", "quote", "rate", "scope"] {
        assert!(kinds.contains(k), "no {k} flag raised: {kinds:?}");
    }
    assert!(raised > 50, "{raised}");
    // The underpaying rule raised flags on most of its days, whatever changed before them.
    assert!(rate_days.len() >= 5, "{rate_days:?}");
}

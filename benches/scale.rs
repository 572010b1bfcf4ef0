//! The scale benchmark: `cargo bench --bench scale`.
//!
//! Builds stores of 1,000 and 100,000 tasks (1,000 clients and 50,000 red flags at 100,000,
//! with requests, quotes and meetings in realistic proportions; a million is opt-in), measures
//! SPEC 8's targets in-process and as whole processes, then drives the real binary in a
//! pseudo-terminal of 120×35 (first frame, each class of key, resident memory), imports a
//! Taskwarrior export of the same size (time and peak memory), and runs vadesk and Taskwarrior
//! side by side on the same 100,000 tasks. Writes BENCHMARKS.md when 100,000 is among the sizes.
//!
//! `VADESK_BENCH_SIZES=1000` runs one size (as CI does; `1000,100000,1000000` adds the million);
//! `VADESK_BENCH_TASKWARRIOR=0` skips the side-by-side (skipped too when `task` is not installed);
//! `VADESK_BENCH_TASK=PROG[=DATA][,…]` sets the Taskwarriors beside vadesk (default `task`; DATA: a
//! data directory already holding the export, for a version whose import would take hours);
//! `VADESK_BENCH_PTY=0` and `VADESK_BENCH_IMPORT=0` skip those stages;
//! `VADESK_BENCH_TIME_PER_TASK` sets the time entries per task (5: 500,000 at 100,000 tasks);
//! `VADESK_BENCH_BIN=FILE` drives another build of vadesk (two versions on one store);
//! `VADESK_BENCH_TRACE=1` prints every key of the pty stage to stderr (its wall time, the desk's
//! CPU and the bytes of its redraw), to find which key of a class is its slowest.
//! Timings are reported, never asserted.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{Duration as Days, NaiveDate, NaiveDateTime};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use rusqlite::params;
use vadesk::cli::Context;
use vadesk::store::TaskFilter;
use vadesk::tui::{self, update, Msg};
use vadesk::Store;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn now() -> NaiveDateTime {
    today().and_hms_opt(9, 0, 0).unwrap()
}

/// A small deterministic generator: the same stores on every run.
struct Rng(u64);
impl Rng {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next(100) < percent
    }
}

const KINDS: [&str; 14] = [
    "no_show",
    "late_to_meeting",
    "unsure_what_to_delegate",
    "quote_unanswered",
    "vague_spec",
    "late_material",
    "no_feedback",
    "mind_reading",
    "late_changes",
    "work_unused",
    "scattered_channels",
    "core_work_delegated",
    "underpaying",
    "other",
];
const VIA: [&str; 5] = ["email", "whatsapp", "trello", "asana", "phone"];

/// Fills a store with `tasks` tasks of three years' history: most closed, a few percent open.
fn build(path: &Path, tasks: usize) -> Store {
    let clients = (tasks / 100).clamp(10, 1_000);
    let flags = tasks / 2;
    let mut rng = Rng(tasks as u64);
    let store = Store::open(path).unwrap();
    let c = store.conn();
    let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    c.execute_batch("BEGIN IMMEDIATE").unwrap();
    {
        let mut q = c.prepare("INSERT INTO clients(name, name_key, status, rate_cents, review_day, created_on) VALUES (?1, ?2, ?3, ?4, ?5, ?6)").unwrap();
        for i in 0..clients {
            let name = format!("Client {i:04}");
            let status = match rng.next(20) {
                0 => "prospect",
                1 => "paused",
                2 | 3 => "ended",
                _ => "active",
            };
            let review = if rng.chance(20) {
                Some(["mon", "tue", "wed", "thu", "fri"][rng.next(5) as usize])
            } else {
                None
            };
            q.execute(params![
                name,
                name.to_lowercase(),
                status,
                (20 + rng.next(30) as i64) * 100,
                review,
                day(today() - Days::days(1200))
            ])
            .unwrap();
        }
        let mut q = c
            .prepare("INSERT INTO channels(client_id, kind, handle) VALUES (?1, ?2, 'x')")
            .unwrap();
        for i in 0..clients {
            q.execute(params![i as i64 + 1, VIA[i % 5]]).unwrap();
        }
        let mut t = c
            .prepare(
                "INSERT INTO tasks(client_id, title, status, due, via, clarifications, estimate_min, created_on, closed_on, delivered_on)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .unwrap();
        let mut task_client = Vec::with_capacity(tasks);
        for i in 0..tasks {
            let age = (tasks - i) as i64 * 1095 / tasks as i64; // older ids are older
            let created = today() - Days::days(age);
            let open = rng.chance(5);
            let status = if open {
                ["todo", "doing", "delivered"][rng.next(3) as usize]
            } else if rng.chance(3) {
                "cancelled"
            } else {
                "done"
            };
            let due = if open {
                Some(today() + Days::days(rng.next(40) as i64 - 10))
            } else {
                Some(created + Days::days(rng.next(14) as i64))
            };
            let closed = if open {
                None
            } else {
                Some(day(created + Days::days(rng.next(20) as i64)))
            };
            let client = (rng.next(clients as u64) + 1) as i64;
            task_client.push(client);
            t.execute(params![
                client,
                format!("Task {i} for the client"),
                status,
                due.map(day),
                VIA[rng.next(5) as usize],
                rng.next(3) as i64,
                30 + rng.next(180) as i64,
                day(created),
                closed,
                closed,
            ])
            .unwrap();
        }
        let mut r = c
            .prepare("INSERT INTO requests(task_id, kind, what, asked_on, expected_by, received_on, nudges) VALUES (?1, ?2, 'Photos', ?3, ?4, ?5, ?6)")
            .unwrap();
        for _ in 0..tasks / 5 {
            let task = rng.next(tasks as u64) as i64 + 1;
            let open = rng.chance(3);
            let expected = if open {
                today() + Days::days(rng.next(15) as i64 - 5)
            } else {
                today() - Days::days(rng.next(1000) as i64 + 10)
            };
            let received = if open {
                None
            } else {
                Some(day(expected + Days::days(rng.next(6) as i64 - 2)))
            };
            let kind = if rng.chance(50) { "material" } else { "feedback" };
            r.execute(params![
                task,
                kind,
                day(expected - Days::days(5)),
                day(expected),
                received,
                rng.next(3) as i64
            ])
            .unwrap();
        }
        let mut q = c.prepare("INSERT INTO quotes(client_id, amount_cents, prep_min, sent_on, answer_by, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6)").unwrap();
        for _ in 0..tasks / 20 {
            let pending = rng.chance(5);
            let sent = if pending {
                today() - Days::days(rng.next(12) as i64)
            } else {
                today() - Days::days(rng.next(1000) as i64 + 14)
            };
            let status = if pending {
                "pending"
            } else if rng.chance(60) {
                "accepted"
            } else {
                "rejected"
            };
            q.execute(params![
                (rng.next(clients as u64) + 1) as i64,
                30_000,
                60,
                day(sent),
                day(sent + Days::days(7)),
                status
            ])
            .unwrap();
        }
        let mut q = c
            .prepare("INSERT INTO meetings(client_id, kind, at, attendance) VALUES (?1, ?2, ?3, ?4)")
            .unwrap();
        for _ in 0..tasks / 10 {
            let pending = rng.chance(3);
            let on = if pending {
                today() + Days::days(rng.next(10) as i64 - 3)
            } else {
                today() - Days::days(rng.next(1000) as i64 + 4)
            };
            let attendance = if pending {
                "pending"
            } else {
                ["on_time", "on_time", "on_time", "late", "cancelled", "no_show"][rng.next(6) as usize]
            };
            q.execute(params![
                (rng.next(clients as u64) + 1) as i64,
                "review",
                format!("{} 10:00", day(on)),
                attendance
            ])
            .unwrap();
        }
        let mut q = c
            .prepare("INSERT INTO flags(client_id, kind, at, note, source, source_ref, dismissed, created_at) VALUES (?1, ?2, ?3, '', ?4, ?5, ?6, '2026-01-01 00:00')")
            .unwrap();
        for i in 0..flags {
            let auto = rng.chance(60);
            q.execute(params![
                (rng.next(clients as u64) + 1) as i64,
                KINDS[rng.next(14) as usize],
                day(today() - Days::days(rng.next(1095) as i64)),
                if auto { "auto" } else { "manual" },
                if auto { Some(format!("bench:{i}")) } else { None },
                rng.chance(5),
            ])
            .unwrap();
        }
        time_entries(c, &mut rng, clients, &task_client, tasks * time_per_task());
    }
    // No ANALYZE: vadesk never runs it, so a VA's store has no statistics, and the benchmark's
    // stores have none either (the query plans must not depend on them).
    c.execute_batch("COMMIT;").unwrap();
    store
}

/// Time entries per task in the stores (`VADESK_BENCH_TIME_PER_TASK`, 5 by default: 500,000
/// entries at 100,000 tasks).
fn time_per_task() -> usize {
    std::env::var("VADESK_BENCH_TIME_PER_TASK")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(5)
}

/// Money terms for every client (a rate; a retainer on one in ten, some with a billing
/// increment) and `n` time entries over the last two years: most on a task of the client, about
/// one in six not billable, and every month before the last two billed.
fn time_entries(c: &rusqlite::Connection, rng: &mut Rng, clients: usize, task_client: &[i64], n: usize) {
    let mut q = c
        .prepare("UPDATE clients SET increment_min = ?2, retainer_min = ?3, fee_cents = ?4, overage_cents = ?5 WHERE id = ?1")
        .unwrap();
    for id in 1..=clients as i64 {
        let increment = [None, None, Some(6), Some(15)][rng.next(4) as usize];
        let retainer = rng.chance(10);
        q.execute(params![
            id,
            increment,
            retainer.then_some(600 + 60 * rng.next(30) as i64),
            retainer.then_some(40_000 + 1_000 * rng.next(80) as i64),
            retainer.then_some(5_000i64),
        ])
        .unwrap();
    }
    let billed_until = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
    let mut q = c
        .prepare("INSERT INTO time_entries(client_id, task_id, start, minutes, billable, note, billed_on) VALUES (?1, ?2, ?3, ?4, ?5, '', ?6)")
        .unwrap();
    for i in 0..n {
        // Older entries first, over 730 days up to today.
        let on = today() - Days::days(730 - (i as i64 * 730 / n.max(1) as i64));
        let (client, task) = if !task_client.is_empty() && rng.chance(80) {
            let t = rng.next(task_client.len() as u64) as usize;
            (task_client[t], Some(t as i64 + 1))
        } else {
            ((rng.next(clients as u64) + 1) as i64, None)
        };
        let billable = !rng.chance(15);
        let billed = (billable && on < billed_until).then(|| {
            let m = chrono::Datelike::month(&on);
            let y = chrono::Datelike::year(&on);
            let first_next = if m == 12 {
                NaiveDate::from_ymd_opt(y + 1, 1, 3)
            } else {
                NaiveDate::from_ymd_opt(y, m + 1, 3)
            };
            first_next.unwrap().format("%Y-%m-%d").to_string()
        });
        q.execute(params![
            client,
            task,
            format!("{} {:02}:{:02}", on.format("%Y-%m-%d"), 8 + rng.next(10), rng.next(60)),
            5 + rng.next(175) as i64,
            billable,
            billed,
        ])
        .unwrap();
    }
}

/// Median of `runs` timings of `f`.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut v: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    v.sort();
    v[v.len() / 2]
}

fn percentile(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// The vadesk binary cargo built for this benchmark, in the same profile.
/// The binary the stages drive: this build's, or `VADESK_BENCH_BIN` (another build, to set two
/// versions side by side on one store).
fn vadesk_bin() -> PathBuf {
    std::env::var_os("VADESK_BENCH_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_vadesk")))
}

/// Peak resident memory of the children waited for so far, in MiB.
fn children_peak_mib() -> f64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage only writes into the struct it is given.
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    usage.ru_maxrss as f64 / 1024.0
}

fn key(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

struct Row {
    size: usize,
    cells: Vec<(String, String)>,
}

fn measure(size: usize, dir: &Path, bin: &Path) -> Row {
    let path = dir.join(format!("bench-{size}.db"));
    let _ = std::fs::remove_file(&path);
    let t = Instant::now();
    let mut store = build(&path, size);
    eprintln!("built {size} tasks in {:.1} s", t.elapsed().as_secs_f64());
    let rules = vadesk::domain::ScoreRules::default();
    // The first pass raises what the generated history deserves; later passes are the steady tick.
    store.detect(today(), Some(25.0)).unwrap();
    let mut cells = Vec::new();
    let review = median(30, || {
        store.review(today()).unwrap();
    });
    cells.push(("review".into(), ms(review)));
    let tick = median(30, || {
        store.detect(today(), Some(25.0)).unwrap();
    });
    cells.push(("tick pass".into(), ms(tick)));
    let list = median(20, || {
        store.list_clients(None, &rules, today()).unwrap();
    });
    cells.push(("client list".into(), ms(list)));
    let view = median(50, || {
        store.client_summary(7, &rules, today()).unwrap();
    });
    cells.push(("one client".into(), ms(view)));
    let tasks = median(50, || {
        store
            .list_tasks(&TaskFilter {
                client_id: Some(7),
                ..Default::default()
            })
            .unwrap();
    });
    cells.push(("client's tasks".into(), ms(tasks)));

    // What the detection pass wrote is checkpointed, as closing the last connection does: a store
    // is opened with no WAL left behind (a leftover WAL is examined before it is trusted).
    store.conn().execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    // The desk on a TestBackend: the first frame, then key presses.
    let ctx = Context {
        db_path: Some(path.clone()),
        now: now(),
        fixed_now: true,
        lang: vadesk::i18n::Lang::En,
        config: Default::default(),
        tick_seconds: 60,
    };
    let mut firsts = Vec::new();
    let mut app = None;
    for _ in 0..7 {
        let t = Instant::now();
        let mut s = Store::open(&path).unwrap();
        let a = tui::prepare(&ctx, &mut s, true).unwrap();
        let mut term = Terminal::new(TestBackend::new(120, 35)).unwrap();
        term.draw(|f| tui::ui::render(&a, f)).unwrap();
        firsts.push(t.elapsed());
        app = Some((a, s, term));
    }
    cells.push(("first frame p50".into(), ms(percentile(&mut firsts, 0.5))));
    let (mut app, mut s, mut term) = app.unwrap();
    let mut keys = Vec::new();
    // Through the clients (each move loads that client's tasks and flags) ...
    for i in 0..400 {
        let t = Instant::now();
        update(
            &mut app,
            key(if (i / 100) % 2 == 0 {
                KeyCode::Char('j')
            } else {
                KeyCode::Char('k')
            }),
            &mut s,
        );
        term.draw(|f| tui::ui::render(&app, f)).unwrap();
        keys.push(t.elapsed());
    }
    // ... and down the list of every task.
    update(&mut app, key(KeyCode::Char('g')), &mut s);
    update(&mut app, key(KeyCode::Tab), &mut s);
    for _ in 0..600 {
        let t = Instant::now();
        update(&mut app, key(KeyCode::PageDown), &mut s);
        term.draw(|f| tui::ui::render(&app, f)).unwrap();
        keys.push(t.elapsed());
    }
    cells.push(("key p50".into(), ms(percentile(&mut keys, 0.5))));
    cells.push(("key p99".into(), ms(percentile(&mut keys, 0.99))));

    // The Month view (`3`, this month) from the desk: its load and first draw, median of 21.
    let mut month = Vec::new();
    for _ in 0..21 {
        update(&mut app, key(KeyCode::Char('1')), &mut s);
        let t = Instant::now();
        update(&mut app, key(KeyCode::Char('3')), &mut s);
        term.draw(|f| tui::ui::render(&app, f)).unwrap();
        month.push(t.elapsed());
    }
    assert!(
        buffer_text(&term).contains("Client 0"),
        "the Month view shows no client:\n{}",
        buffer_text(&term)
    );
    update(&mut app, key(KeyCode::Char('1')), &mut s);
    drop((app, s, term));
    money_stage(&path, bin, &ctx, &mut cells, percentile(&mut month, 0.5));

    // `vadesk review --json` as a whole process.
    let run = || {
        let out = Command::new(bin)
            .args([
                "--db",
                path.to_str().unwrap(),
                "--now",
                "2026-11-23 09:00",
                "review",
                "--json",
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    run();
    let process = median(21, run);
    cells.push(("`review --json` process".into(), ms(process)));
    cells.push(("peak memory".into(), format!("{:.1} MiB", children_peak_mib())));

    // `vadesk tick --once` as a whole process, with the minimum rate of the tick pass above.
    let config = dir.join("bench-config.toml");
    std::fs::write(&config, "min_rate = 25.0\n").unwrap();
    let tick = || {
        let out = Command::new(bin)
            .args([
                "--config",
                config.to_str().unwrap(),
                "--db",
                path.to_str().unwrap(),
                "--now",
                "2026-11-23 09:00",
                "tick",
                "--once",
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    tick();
    let process = median(21, tick);
    cells.push(("`tick --once` process".into(), ms(process)));

    // The real binary in a real terminal, and the import of a Taskwarrior export of this size
    // (`VADESK_BENCH_PTY=0` and `VADESK_BENCH_IMPORT=0` skip them).
    if std::env::var("VADESK_BENCH_PTY").as_deref() != Ok("0") {
        pty_stage(&path, bin, &mut cells);
    }
    if std::env::var("VADESK_BENCH_IMPORT").as_deref() != Ok("0") {
        import_stage(dir, bin, size, &mut cells);
    }
    Row { size, cells }
}

/// The text of a TestBackend's screen.
fn buffer_text(term: &Terminal<TestBackend>) -> String {
    term.backend().buffer().content().iter().map(|c| c.symbol()).collect()
}

/// Time and money at scale: `statement --all` for last month through the CLI's own code in this
/// process (the store opened as the command opens it) and as a whole process, and the Month
/// view measured above.
fn money_stage(path: &Path, bin: &Path, ctx: &Context, cells: &mut Vec<(String, String)>, month_view: Duration) {
    let entries: i64 = Store::open(path)
        .unwrap()
        .conn()
        .query_row("SELECT count(*) FROM time_entries", [], |r| r.get(0))
        .unwrap();
    let statement = || vadesk::cli::Command::Statement {
        client: None,
        all: true,
        month: Some("2026-10".into()),
        json: false,
        csv: false,
        out: None,
        mark_billed: false,
        force: false,
    };
    let mut out = Vec::new();
    vadesk::cli::run(statement(), ctx, &mut out).unwrap();
    let lines = String::from_utf8_lossy(&out).lines().count();
    assert!(
        lines > 3,
        "statement --all printed nothing:\n{}",
        String::from_utf8_lossy(&out)
    );
    let in_process = median(21, || {
        let mut out = Vec::with_capacity(1 << 16);
        vadesk::cli::run(statement(), ctx, &mut out).unwrap();
    });
    let run = || {
        let out = Command::new(bin)
            .args([
                "--db",
                path.to_str().unwrap(),
                "--now",
                "2026-11-23 09:00",
                "statement",
                "--all",
                "--month",
                "2026-10",
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    run();
    let process = median(21, run);
    eprintln!("statement --all over {entries} time entries: {lines} lines");
    cells.push(("time entries".into(), format_count(entries)));
    cells.push(("`statement --all` for a month, in-process".into(), ms(in_process)));
    cells.push(("`statement --all` for a month, process".into(), ms(process)));
    cells.push(("Month view: `3` and first draw".into(), ms(month_view)));
}

fn format_count(n: i64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Taskwarrior's export of `n` tasks, written to `path`: most completed, some pending and overdue.
fn write_taskwarrior_export(path: &Path, n: usize) {
    let clients = (n as u64 / 100).clamp(10, 1_000);
    let mut rng = Rng(42);
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    out.write_all(b"[\n").unwrap();
    for i in 0..n {
        let pending = rng.chance(6);
        let status = if pending {
            "pending"
        } else if rng.chance(3) {
            "deleted"
        } else {
            "completed"
        };
        let entry = today() - Days::days(1095 * (n - i) as i64 / n as i64);
        let due = if pending {
            today() + Days::days(rng.next(40) as i64 - 12)
        } else {
            entry + Days::days(rng.next(14) as i64)
        };
        // Due at the last second of the day: Taskwarrior (overdue once the time passes) and vadesk
        // (overdue from the next calendar day) then mean the same thing.
        let fmt = |d: NaiveDate| d.format("%Y%m%dT235959Z").to_string();
        let end = if pending {
            String::new()
        } else {
            format!(",\"end\":\"{}\"", fmt(entry + Days::days(3)))
        };
        writeln!(
            out,
            "{{\"uuid\":\"{:08x}-0000-4000-8000-{:012x}\",\"description\":\"Task {i} for the client\",\"entry\":\"{}\",\"modified\":\"{}\",\"status\":\"{status}\",\"project\":\"Client{}\",\"due\":\"{}\"{end}}}{}",
            i,
            i,
            fmt(entry),
            fmt(entry),
            rng.next(clients),
            fmt(due),
            if i + 1 < n { "," } else { "" }
        )
        .unwrap();
    }
    out.write_all(b"]").unwrap();
    out.flush().unwrap();
}

/// A Taskwarrior to set beside vadesk: its program, its version, and the data directory that
/// already holds the benchmark's export, when one was given.
struct Taskwarrior {
    program: String,
    version: String,
    data: Option<PathBuf>,
}

/// The Taskwarriors to set beside vadesk: `VADESK_BENCH_TASK`, a comma-separated list of
/// programs (to compare with more than one version), each optionally `PROGRAM=DIR` where DIR
/// already holds this benchmark's export of 100,000 tasks (for a version whose `task import`
/// takes hours on it: Taskwarrior 3.1's grows with the square of the tasks); else `task`. Each
/// is used when it runs, and skipped when it does not (as on CI, where none is installed).
fn taskwarriors() -> Vec<Taskwarrior> {
    let list = std::env::var("VADESK_BENCH_TASK").unwrap_or_else(|_| "task".into());
    list.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .filter_map(|t| {
            let (program, data) = match t.split_once('=') {
                Some((p, d)) => (p, Some(PathBuf::from(d))),
                None => (t, None),
            };
            let out = Command::new(program)
                .arg("--version")
                .output()
                .ok()
                .filter(|o| o.status.success());
            if out.is_none() {
                eprintln!("taskwarrior `{program}` is not available: its side-by-side skipped");
            }
            Some(Taskwarrior {
                program: program.to_string(),
                version: String::from_utf8_lossy(&out?.stdout).trim().to_string(),
                data,
            })
        })
        .collect()
}

/// vadesk and one Taskwarrior side by side on the same 100,000 tasks.
fn side_by_side(dir: &Path, bin: &Path, taskwarrior: &Taskwarrior) -> String {
    let n = 100_000;
    let export = dir.join("tw-export.json");
    write_taskwarrior_export(&export, n);
    let twdir = dir.join(format!("taskwarrior-{}", taskwarrior.version));
    let _ = std::fs::remove_dir_all(&twdir);
    std::fs::create_dir_all(&twdir).unwrap();
    let rc = twdir.join("taskrc");
    std::fs::write(
        &rc,
        format!(
            "data.location={}\nconfirmation=off\nverbose=nothing\ngc=on\nhooks=off\nnews.version=9.9.9\n",
            taskwarrior.data.as_deref().unwrap_or(&twdir).display()
        ),
    )
    .unwrap();
    let task = |args: &[&str]| {
        let mut c = Command::new(&taskwarrior.program);
        c.env("TASKRC", &rc).env("TZ", "UTC").args(args);
        c
    };
    // Data made beforehand is not imported again (nor timed); the overdue tasks both find,
    // compared below, show it is the same export.
    let tw_import = if taskwarrior.data.is_some() {
        None
    } else {
        let t = Instant::now();
        let ok = task(&["import", export.to_str().unwrap()])
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok, "taskwarrior import failed");
        Some(t.elapsed())
    };

    let db = dir.join("tw-vadesk.db");
    let _ = std::fs::remove_file(&db);
    let t = Instant::now();
    let ok = Command::new(bin)
        .env("TZ", "UTC")
        .args([
            "--db",
            db.to_str().unwrap(),
            "--now",
            "2026-11-23 09:00",
            "import",
            "--from",
            "taskwarrior",
            export.to_str().unwrap(),
        ])
        .output()
        .unwrap()
        .status
        .success();
    assert!(ok, "vadesk import failed");
    let vd_import = t.elapsed();

    // Taskwarrior has no clock override: it judges overdue against the real now, so vadesk is
    // given the real now too.
    let real_now = chrono::Utc::now().format("%Y-%m-%d %H:%M").to_string();
    let vadesk_command = || {
        let mut c = Command::new(bin);
        c.env("TZ", "UTC")
            .args(["--db", db.to_str().unwrap(), "--now", &real_now, "review", "--json"]);
        c
    };
    let vadesk_review = || vadesk_command().output().unwrap();
    // The timed runs write to /dev/null, as a user's terminal or file would take them: the
    // benchmark reading a pipe (400 KB of vadesk's JSON) would be timed with them.
    let quiet = |mut c: Command| {
        c.stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        c.status().unwrap()
    };

    // Both find the same overdue tasks.
    let tw: std::collections::BTreeSet<String> = {
        let out = task(&["+OVERDUE", "export"]).output().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t["description"].as_str().map(String::from))
            .collect()
    };
    let vd: std::collections::BTreeSet<String> = {
        let v: serde_json::Value = serde_json::from_slice(&vadesk_review().stdout).unwrap();
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["kind"] == "task_overdue")
            .map(|i| i["title"].as_str().unwrap().to_string())
            .collect()
    };
    let same = tw == vd;
    if !same {
        eprintln!("overdue sets differ: taskwarrior {} vs vadesk {}", tw.len(), vd.len());
    }
    // Each timed run comes right after an untimed run of the same command, for both programs
    // (a warm-up, as a benchmarking tool gives each command): on these machines the first
    // short process after a pause (0.7 s of Taskwarrior on the other core, or of sleep) takes
    // about 0.7 ms more wherever its time goes. vadesk's run right after Taskwarrior's, which
    // pays it, is timed and shown too.
    let timed = |command: &dyn Fn() -> Command| {
        let t = Instant::now();
        assert!(quiet(command()).success());
        t.elapsed()
    };
    let tw_command = || task(&["overdue"]);
    let (mut a, mut b, mut first) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..15 {
        timed(&tw_command);
        a.push(timed(&tw_command));
        first.push(timed(&vadesk_command));
        b.push(timed(&vadesk_command));
    }
    let tw_med = percentile(&mut a, 0.5);
    let vd_med = percentile(&mut b, 0.5);
    let first_med = percentile(&mut first, 0.5);
    let ratio = tw_med.as_secs_f64() / vd_med.as_secs_f64();
    let first_ratio = tw_med.as_secs_f64() / first_med.as_secs_f64();
    format!(
        "## Side by side with Taskwarrior ({}), 100,000 tasks\n\n\
         | | Taskwarrior | vadesk |\n|---|---|---|\n\
         | import of the same export | {} | {} |\n\
         | `task overdue` / `vadesk review --json` to `/dev/null`, median of 15 interleaved runs, each right after a warm-up run of itself | {} | {} |\n\
         | vadesk's run right after Taskwarrior's (the row above's warm-up, timed), median of the same 15 | | {} |\n\
         | overdue tasks found | {} | {} |\n\n\
         vadesk is **{ratio:.0}×** faster ({first_ratio:.0}× on its run right after Taskwarrior's); \
         both find {} overdue tasks.\n",
        taskwarrior.version,
        tw_import.map_or_else(|| "not timed (its data made beforehand)".to_string(), ms),
        ms(vd_import),
        ms(tw_med),
        ms(vd_med),
        ms(first_med),
        tw.len(),
        vd.len(),
        if same { "the same" } else { "DIFFERENT" },
    )
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .next()
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").parse::<f64>().unwrap_or(0.0) / 1048576.0)
        })
        .unwrap_or(0.0);
    format!("{cpu}, {cores} cores, {mem:.0} GiB")
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is expected.
    let sizes: Vec<usize> = std::env::var("VADESK_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000, 100_000]);
    let bin = vadesk_bin();
    // VADESK_BENCH_PTY_STORE=FILE: only the pty stage, on a store built before (by a kept run,
    // opened once by this version), printed; nothing is written to BENCHMARKS.md.
    if let Some(db) = std::env::var_os("VADESK_BENCH_PTY_STORE").map(PathBuf::from) {
        let mut cells = Vec::new();
        pty_stage(&db, &bin, &mut cells);
        for (name, value) in cells {
            println!("| {name} | {value} |");
        }
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    // VADESK_BENCH_KEEP=DIR keeps the stores, to look at them afterwards.
    let kept = std::env::var_os("VADESK_BENCH_KEEP").map(PathBuf::from);
    let dir = kept.as_deref().unwrap_or(tmp.path());
    let rows: Vec<Row> = sizes.iter().map(|&n| measure(n, dir, &bin)).collect();
    let mut md = String::new();
    md.push_str("| measure | ");
    md.push_str(
        &rows
            .iter()
            .map(|r| format!("{} tasks", r.size))
            .collect::<Vec<_>>()
            .join(" | "),
    );
    md.push_str(" |\n|---|");
    md.push_str(&"---|".repeat(rows.len()));
    md.push('\n');
    for (i, (name, _)) in rows[0].cells.iter().enumerate() {
        md.push_str(&format!(
            "| {name} | {} |\n",
            rows.iter()
                .map(|r| r.cells[i].1.clone())
                .collect::<Vec<_>>()
                .join(" | ")
        ));
    }
    println!("{md}");
    let full = sizes.contains(&100_000);
    let tw = if full && std::env::var("VADESK_BENCH_TASKWARRIOR").as_deref() != Ok("0") {
        let sections: Vec<String> = taskwarriors().iter().map(|tw| side_by_side(dir, &bin, tw)).collect();
        (!sections.is_empty()).then(|| sections.join("\n"))
    } else {
        None
    };
    if let Some(tw) = &tw {
        println!("{tw}");
    }
    if full {
        let doc = format!(
            "# Benchmarks\n\nWritten by `cargo bench --bench scale` on {}; every figure below comes from that run.\n\n\
             Machine: {}.\n\n\
             Stores: at 100,000 tasks, 1,000 clients, 50,000 red flags, 20,000 material and feedback requests, \
             5,000 quotes, 10,000 meetings and 500,000 time entries over two years (one client in ten on a retainer, \
             one entry in six not billable, every month before last month's billed), three years of history \
             with about 5% of tasks still open \
             (smaller sizes keep the proportions; a million tasks keeps 1,000 clients and has 500,000 red flags). \
             `statement --all` is for last month (about 21,000 entries at 100,000 tasks), in this process through \
             the command's own code (the store opened as the command opens it) and as a whole process, median of \
             21; the Month view row is `3` pressed on the desk (this month) and its first draw, median of 21. \
             In-process figures are medians; key presses are p50 / p99 over \
             1,000 presses (moving through clients, and paging through every task) on a 120×35 `TestBackend`. \
             The process figure is the median of 21 runs of `vadesk review --json`; peak memory is its maximum \
             resident set size.\n\n\
             The `pty:` rows drive the release binary in a real pseudo-terminal of 120×35: the time from a key \
             written to the last byte of its redraw (the program then quiet for 30 ms); the first frame is from \
             the spawn to the first screen showing the clients, median of 5 launches. Key classes, each of at least 100 presses \
             so that its p99 is a percentile: 300 `j`/`k` on the clients, 100 \"All clients\" (`g`), 100 view \
             switches, 174 moves in the review (`j`, PgDn, End, `k`, Home), its filter opened with `/` 100 times, \
             200 letters typed into it (6 in each of the first 20 rounds, then 1) and `Esc` each time, 100 client \
             details (`Enter`), and the task filter on \"All clients\" opened 100 times, 225 letters typed \
             into it (\"task N\" in each of the first 20 rounds, then one letter or digit of it) and each round \
             closed with `Esc`. Beside each \
             class's times is the CPU the desk spent on its keys (all its threads, from `/proc/PID/task/*/schedstat`), \
             which other work on a shared machine does not inflate. Memory is the desk's VmRSS and VmHWM from \
             `/proc` after all those keys. The import row imports a Taskwarrior export of that many tasks into a \
             new store; its peak memory is the child's own maximum resident set size (`wait4`).\n\n## Results\n\n{md}\n{}",
            chrono::Local::now().format("%Y-%m-%d"),
            machine(),
            tw.unwrap_or_default()
        );
        // What people wrote below the figures (from a line `## Notes` on) stays.
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("BENCHMARKS.md");
        let notes = std::fs::read_to_string(&file)
            .ok()
            .and_then(|old| old.find("\n## Notes").map(|i| old[i..].to_string()))
            .unwrap_or_default();
        std::fs::write(file, doc + &notes).unwrap();
        eprintln!("BENCHMARKS.md written");
    }
}

// ---------------------------------------------------------------------------------------------
// The pty stage: the real binary in a pseudo-terminal of 120×35, key written → redraw complete.

/// What the program wrote, as the reader thread saw it.
struct Seen {
    parser: vt100::Parser,
    /// When the last bytes arrived, and how many reads so far.
    last: Option<Instant>,
    reads: u64,
    /// How many bytes so far.
    bytes: u64,
    /// When `marker` first showed on the screen.
    marker: String,
    marker_at: Option<Instant>,
}

struct Pty {
    seen: Arc<Mutex<Seen>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
    started: Instant,
}

/// No output for this long after a key means its redraw is complete.
const QUIET: Duration = Duration::from_millis(30);
/// A key with no output at all after this long is counted as "no redraw" (never on a healthy run).
const NO_REDRAW: Duration = Duration::from_secs(60);

impl Pty {
    fn open(bin: &Path, db: &Path, marker: &str) -> Pty {
        let pair = portable_pty::native_pty_system()
            .openpty(portable_pty::PtySize {
                rows: 35,
                cols: 120,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let home = db.parent().unwrap().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let mut cmd = portable_pty::CommandBuilder::new(bin);
        cmd.args([
            "--db",
            db.to_str().unwrap(),
            "--now",
            "2026-11-23 09:00",
            "--tick",
            "86400",
        ]);
        cmd.env("TERM", "xterm-256color");
        cmd.env("LANG", "en_US.UTF-8");
        cmd.env("HOME", &home);
        cmd.env("XDG_CONFIG_HOME", home.join("config"));
        cmd.env_remove("NO_COLOR");
        let seen = Arc::new(Mutex::new(Seen {
            parser: vt100::Parser::new(35, 120, 0),
            last: None,
            reads: 0,
            bytes: 0,
            marker: marker.to_string(),
            marker_at: None,
        }));
        let started = Instant::now();
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let s = seen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 65536];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let at = Instant::now();
                let mut s = s.lock().unwrap();
                s.parser.process(&buf[..n]);
                s.last = Some(at);
                s.reads += 1;
                s.bytes += n as u64;
                if s.marker_at.is_none() && s.parser.screen().contents().contains(s.marker.as_str()) {
                    s.marker_at = Some(at);
                }
            }
        });
        let writer = pair.master.take_writer().unwrap();
        Pty {
            seen,
            writer,
            child,
            _master: pair.master,
            started,
        }
    }

    fn pid(&self) -> i32 {
        self.child.process_id().expect("pid") as i32
    }

    fn text(&self) -> String {
        self.seen.lock().unwrap().parser.screen().contents()
    }

    /// From the spawn to the first frame that shows the marker.
    fn first_frame(&self) -> Duration {
        loop {
            let marker_at = self.seen.lock().unwrap().marker_at;
            if let Some(at) = marker_at {
                self.settle();
                return at - self.started;
            }
            assert!(self.started.elapsed() < NO_REDRAW, "no first frame:\n{}", self.text());
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Waits until the program has been quiet for `QUIET`.
    fn settle(&self) {
        loop {
            let last = self.seen.lock().unwrap().last;
            if last.is_some_and(|l| l.elapsed() >= QUIET) {
                return;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Writes `key` and returns the time until its redraw is complete (the last bytes before the
    /// program goes quiet), or None if nothing was redrawn.
    fn key(&mut self, key: &str) -> Option<Duration> {
        self.key_cpu(key).map(|(wall, _)| wall)
    }

    /// As `key`, with the CPU time the desk spent on it (all its threads, from
    /// `/proc/PID/task/*/schedstat`): unlike the wall time, other work on the machine does not
    /// add to it.
    fn key_cpu(&mut self, key: &str) -> Option<(Duration, Duration)> {
        self.settle();
        let (reads, bytes) = {
            let s = self.seen.lock().unwrap();
            (s.reads, s.bytes)
        };
        let cpu = cpu_time(self.pid());
        let t = Instant::now();
        self.writer.write_all(key.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        loop {
            std::thread::sleep(Duration::from_micros(500));
            let s = self.seen.lock().unwrap();
            if s.reads > reads {
                let last = s.last.unwrap();
                if last.elapsed() >= QUIET {
                    let (wall, cpu) = (last - t, cpu_time(self.pid()).saturating_sub(cpu));
                    if std::env::var_os("VADESK_BENCH_TRACE").is_some_and(|v| v != "0") {
                        eprintln!(
                            "key {key:?}: {:.3} ms, CPU {:.3} ms, {} bytes",
                            wall.as_secs_f64() * 1e3,
                            cpu.as_secs_f64() * 1e3,
                            s.bytes - bytes
                        );
                    }
                    return Some((wall, cpu));
                }
            } else if t.elapsed() > NO_REDRAW {
                return None;
            }
        }
    }

    fn quit(mut self) {
        self.settle();
        self.writer.write_all(b"q").unwrap();
        self.writer.flush().unwrap();
        let start = Instant::now();
        loop {
            if self.child.try_wait().unwrap().is_some() {
                return;
            }
            if start.elapsed() > NO_REDRAW {
                let _ = self.child.kill();
                eprintln!("the desk did not quit:\n{}", self.text());
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

/// The CPU time a process's threads have had so far.
fn cpu_time(pid: i32) -> Duration {
    let mut ns = 0u64;
    if let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) {
        for t in tasks.flatten() {
            let stat = std::fs::read_to_string(t.path().join("schedstat")).unwrap_or_default();
            ns += stat
                .split_whitespace()
                .next()
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    Duration::from_nanos(ns)
}

/// A key class's times: wall (key written to redraw complete) and the desk's CPU.
#[derive(Default)]
struct Class {
    wall: Vec<Duration>,
    cpu: Vec<Duration>,
}

/// VmRSS and VmHWM of a process, in MiB.
fn proc_memory(pid: i32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn p50_p99(v: &mut [Duration]) -> String {
    if v.is_empty() {
        return "–".into();
    }
    format!(
        "{:.1} / {:.1} ms",
        percentile(v, 0.5).as_secs_f64() * 1000.0,
        percentile(v, 0.99).as_secs_f64() * 1000.0
    )
}

/// The desk in a real pty on the store at `db`: first frame, then each key class, then memory.
fn pty_stage(db: &Path, bin: &Path, cells: &mut Vec<(String, String)>) {
    let marker = "Clients (";
    // The first frame: a fresh process each time, its median.
    let mut firsts = Vec::new();
    for _ in 0..5 {
        let p = Pty::open(bin, db, marker);
        firsts.push(p.first_frame());
        p.quit();
    }
    let first = percentile(&mut firsts, 0.5);

    let mut p = Pty::open(bin, db, marker);
    p.first_frame();
    let mut missed = 0;
    let mut press = |p: &mut Pty, c: &mut Class, key: &str| match p.key_cpu(key) {
        Some((wall, cpu)) => {
            c.wall.push(wall);
            c.cpu.push(cpu);
        }
        None => missed += 1,
    };
    let mut j = Class::default();
    let mut all = Class::default();
    let mut views = Class::default();
    let mut details = Class::default();
    let mut review_moves = Class::default();
    let mut review_letters = Class::default();
    let mut letters = Class::default();
    let mut close = Class::default();
    let mut review_open = Class::default();
    let mut review_close = Class::default();
    let mut task_open = Class::default();
    // Every class has at least 100 presses, so that its p99 is a percentile (of fewer, it
    // would be the slowest one).
    // `j` (and back with `k`) through the clients: each move loads that client's tasks and flags.
    for _ in 0..20 {
        for k in ["j", "j", "j", "j", "j", "k", "k", "k", "k", "k"] {
            press(&mut p, &mut j, k);
        }
    }
    // "All clients" (`g` goes to the top of the list), then back to a client.
    for _ in 0..100 {
        press(&mut p, &mut all, "g");
        press(&mut p, &mut j, "j");
    }
    // Switching views: the review and back to the desk.
    for _ in 0..50 {
        press(&mut p, &mut views, "2");
        press(&mut p, &mut views, "1");
    }
    // The review: moving through its rows (its window reads on by keyset at its edges), to
    // its end and back, and each letter of its filter; then back to the desk.
    p.key("2");
    for _ in 0..2 {
        for _ in 0..4 {
            for _ in 0..20 {
                press(&mut p, &mut review_moves, "j");
            }
            press(&mut p, &mut review_moves, "\x1b[6~");
        }
        for k in ["\x1b[F", "k", "\x1b[H"] {
            press(&mut p, &mut review_moves, k);
        }
    }
    // The filter opened and closed 100 times: the first 20 times with 6 letters typed into it,
    // then with one (the letters of "task 1" in turn).
    for round in 0..100 {
        press(&mut p, &mut review_open, "/");
        let word = "task 1";
        let typed: Vec<char> = if round < 20 {
            word.chars().collect()
        } else {
            word.chars().skip(round % word.len()).take(1).collect()
        };
        for c in typed {
            press(&mut p, &mut review_letters, &c.to_string());
        }
        press(&mut p, &mut review_close, "\x1b");
    }
    p.key("1");
    // Details of the selected client, and closing them.
    for _ in 0..100 {
        press(&mut p, &mut details, "\r");
        p.key("\x1b");
    }
    // Each letter of a filter on "All clients"' tasks, and closing that filter: 100 times, the
    // first 20 with a whole "task N" typed, then one letter or digit of it.
    p.key("g");
    p.key("\t");
    for round in 0..100 {
        press(&mut p, &mut task_open, "/");
        let word = format!("task {}", round * 7 + 3);
        let typed: Vec<char> = if round < 20 {
            word.chars().collect()
        } else {
            word.chars().skip(round % word.len()).take(1).collect()
        };
        for c in typed {
            press(&mut p, &mut letters, &c.to_string());
        }
        press(&mut p, &mut close, "\x1b");
    }
    let (rss, hwm) = proc_memory(p.pid());
    p.quit();
    if missed > 0 {
        eprintln!("{missed} keys redrew nothing");
    }
    cells.push(("pty: first frame p50".into(), ms(first)));
    for (name, class) in [
        ("`j` / `k` on clients", &mut j),
        ("\"All clients\"", &mut all),
        ("switching views `1` `2`", &mut views),
        ("the review's `j`, PgDn, End, Home", &mut review_moves),
        ("opening the review's filter (`/`)", &mut review_open),
        ("a letter of the review's filter", &mut review_letters),
        ("closing the review's filter (`Esc`)", &mut review_close),
        ("opening details", &mut details),
        ("opening the task filter on \"All clients\" (`/`)", &mut task_open),
        ("a letter of the task filter on \"All clients\"", &mut letters),
        ("closing that filter (`Esc`)", &mut close),
    ] {
        cells.push((
            format!("pty: {name} p50 / p99 (the desk's CPU p50 / p99)"),
            format!("{} ({})", p50_p99(&mut class.wall), p50_p99(&mut class.cpu)),
        ));
    }
    cells.push((
        "pty: desk memory after the keys, VmRSS / VmHWM".into(),
        format!("{rss:.1} / {hwm:.1} MiB"),
    ));
}

/// `vadesk import --from taskwarrior` of `n` tasks into a new store: wall time and the child's own
/// peak resident memory (from wait4).
fn import_stage(dir: &Path, bin: &Path, n: usize, cells: &mut Vec<(String, String)>) {
    let export = dir.join(format!("tw-export-{n}.json"));
    write_taskwarrior_export(&export, n);
    let db = dir.join(format!("tw-import-{n}.db"));
    let _ = std::fs::remove_file(&db);
    let t = Instant::now();
    // Reaped by the wait4 below, which also gives its own peak memory.
    #[allow(clippy::zombie_processes)]
    let child = Command::new(bin)
        .env("TZ", "UTC")
        .args([
            "--db",
            db.to_str().unwrap(),
            "--now",
            "2026-11-23 09:00",
            "import",
            "--from",
            "taskwarrior",
            export.to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 reaps this child of ours and writes only into the two values it is given.
    let r = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    let took = t.elapsed();
    assert!(
        r > 0 && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "import failed"
    );
    cells.push(("`import --from taskwarrior`".into(), ms(took)));
    cells.push((
        "import peak memory".into(),
        format!("{:.1} MiB", usage.ru_maxrss as f64 / 1024.0),
    ));
}

//! The desk keeps the views of the clients around the selection (read ahead while it waits
//! for a key) and shows them on `j` / `k` and in a client's details. Every kept view must be
//! what a fresh read gives: after every kind of write (the desk's own, the CLI in another
//! process, import replacing and merging, undo and redo, a sync's raw writes on another
//! connection, deletions), moving onto a client shows exactly what a desk that kept nothing
//! shows. Also: the first frame's short client list, and the plans of the new queries.

mod common;

use common::tui::press as key;
use common::Desk;
use crossterm::event::KeyCode;
use vadesk::cli::Context;
use vadesk::config::Config;
use vadesk::domain::{FlagKind, TaskStatus};
use vadesk::i18n::Lang;
use vadesk::tui::form::Popup;
use vadesk::tui::{self, update, App, Msg};
use vadesk::Store;

fn ctx(d: &Desk) -> Context {
    Context {
        db_path: Some(d.db.clone()),
        now: chrono::NaiveDateTime::parse_from_str(&d.now, "%Y-%m-%d %H:%M").unwrap(),
        fixed_now: true,
        lang: Lang::En,
        config: Config::default(),
        tick_seconds: 60,
    }
}

/// The desk's store: the process's first connection to the file.
fn open(d: &Desk) -> (Store, App) {
    let store = Store::open(&d.db).unwrap();
    desk_on(d, store)
}

/// Another connection of this process to the store (`Store::open` is for a process's first:
/// it looks at the file outside SQLite, which would drop the desk connection's locks).
fn again(d: &Desk) -> Store {
    Store::open_again(&d.db).unwrap()
}

fn desk_on(d: &Desk, mut store: Store) -> (Store, App) {
    assert_eq!(ctx(d).now, common::tui::now());
    let app = common::tui::desk_on(&mut store, &d.db, 30);
    (store, app)
}

/// Everything the desk shows of the selected client that a kept view fills in.
fn shown(app: &App) -> String {
    format!(
        "{:?}\n{:?}\nflags {:?} from {} of {} at {}\ntasks {:?} {:?} {} from {} at {}\ndeals {:?} {:?} {} {}",
        app.client(),
        app.assessment,
        app.flags,
        app.flags_start,
        app.flags_total,
        app.flag_sel,
        app.tasks.rows,
        app.tasks.keys,
        app.tasks.total,
        app.tasks.start,
        app.tasks.selected,
        app.deals.quotes,
        app.deals.meetings,
        app.deals.quote_count,
        app.deals.meeting_count,
    )
}

/// The same client as a desk that keeps nothing shows it: a new connection, the selection
/// loaded the way it was before views were kept (`reload_selection` from the top).
fn fresh(d: &Desk, app: &App) -> String {
    let id = app.client().map(|c| c.client.id);
    fresh_at(d, app, |other| {
        let row = other
            .client_rows
            .iter()
            .position(|&i| Some(other.clients[i].client.id) == id)
            .expect("the client is listed");
        row + 1
    })
}

/// The row of the clients pane `row` gives (0: "All clients") as a desk that keeps nothing
/// shows it, at `app`'s size.
fn fresh_at(d: &Desk, app: &App, row: impl FnOnce(&App) -> usize) -> String {
    let (mut store, mut other) = desk_on(d, again(d));
    update(&mut other, Msg::Resize(app.size.0, app.size.1), &mut store);
    other.kept.clear();
    other.all_kept = None;
    other.client_sel = row(&other);
    other.tasks.reset();
    other.flags.clear();
    other.flags_start = 0;
    other.flags_total = 0;
    other.flag_sel = 0;
    other.reload_selection(&store).unwrap();
    shown(&other)
}

/// Reads ahead as the desk does while it waits, then writes (`write`), then moves down and
/// back up: each client shown must be what a fresh read gives.
fn after(d: &Desk, store: &mut Store, app: &mut App, what: &str, write: impl FnOnce(&mut Store, &App)) {
    while app.client_sel > 1 {
        key(app, store, KeyCode::Char('k'));
    }
    while app.read_ahead(store) {}
    let before = app.stamp(store).unwrap();
    write(store, app);
    let changed = app.stamp(store).unwrap() != before;
    assert!(changed, "{what}: the stamp did not change");
    for code in [KeyCode::Char('j'), KeyCode::Char('k'), KeyCode::Char('j')] {
        key(app, store, code);
        assert_eq!(shown(app), fresh(d, app), "{what}: after {code:?}");
        while app.read_ahead(store) {}
    }
}

fn neighbour(app: &App) -> (i64, String) {
    let i = app.client_rows[app.client_sel];
    let c = &app.clients[i].client;
    (c.id, c.name.clone())
}

#[test]
fn a_kept_view_is_always_what_a_fresh_read_gives() {
    let d = Desk::new();
    d.ok(&["demo"]);
    let (mut store, mut app) = open(&d);
    let today = app.today();
    // Unchanged store: the kept views are shown, and they are the fresh reads.
    for code in [
        KeyCode::Char('j'),
        KeyCode::Char('j'),
        KeyCode::Char('k'),
        KeyCode::Char('j'),
    ] {
        while app.read_ahead(&store) {}
        let (id, _) = neighbour(&app);
        let stamp = app.stamp(&store).unwrap();
        assert!(app.kept.peek(stamp, id).is_some(), "the neighbour is read ahead");
        key(&mut app, &mut store, code);
        assert_eq!(shown(&app), fresh(&d, &app), "moving with {code:?}");
    }
    // The desk's own writes, on its connection, to the client about to be shown.
    after(&d, &mut store, &mut app, "a flag added by the desk", |s, app| {
        s.add_flag(neighbour(app).0, FlagKind::MindReading, today, "kept?")
            .unwrap();
    });
    after(&d, &mut store, &mut app, "a task done by the desk", |s, app| {
        let (id, _) = neighbour(app);
        let t = tasks_of(s, id);
        let open = t.iter().find(|t| t.status.is_open()).expect("an open task");
        s.set_task_status(open.id, TaskStatus::Done, today).unwrap();
    });
    after(&d, &mut store, &mut app, "undo", |s, _| {
        s.undo().unwrap();
    });
    after(&d, &mut store, &mut app, "redo", |s, _| {
        s.redo().unwrap();
    });
    after(&d, &mut store, &mut app, "a task deleted", |s, app| {
        let (id, _) = neighbour(app);
        let t = tasks_of(s, id);
        s.delete_task(t[0].id).unwrap();
    });
    // Another process: the CLI, while the desk runs.
    after(&d, &mut store, &mut app, "a task added by the CLI", |_, app| {
        let (_, name) = neighbour(app);
        d.ok(&["task", "add", &name, "Added from the command line"]);
    });
    after(&d, &mut store, &mut app, "a flag added by the CLI", |_, app| {
        let (_, name) = neighbour(app);
        d.ok(&["flag", "add", &name, "scope_creep", "--note", "From the CLI"]);
    });
    // A sync's raw writes on a connection of its own.
    after(
        &d,
        &mut store,
        &mut app,
        "a raw write on another connection",
        |_, app| {
            let (id, _) = neighbour(app);
            let s = again(&d);
            s.conn()
                .execute(
                    "UPDATE tasks SET title = 'Renamed by a sync' WHERE client_id = ?1",
                    [id],
                )
                .unwrap();
        },
    );
    after(
        &d,
        &mut store,
        &mut app,
        "a raw delete on another connection",
        |_, app| {
            let (id, _) = neighbour(app);
            let s = again(&d);
            s.conn()
                .execute("DELETE FROM meetings WHERE client_id = ?1", [id])
                .unwrap();
            s.conn()
                .execute("DELETE FROM quotes WHERE client_id = ?1", [id])
                .unwrap();
        },
    );
    // Import, merged beside the records: a client of another store, with a task.
    let other = Desk::new();
    other.ok(&["client", "add", "Aardvark Merged"]);
    other.ok(&["task", "add", "Aardvark Merged", "Merged task"]);
    let export = other.dir.path().join("other.json");
    other.ok(&["export", "--out", export.to_str().unwrap()]);
    after(&d, &mut store, &mut app, "import --merge", |_, _| {
        d.ok(&["import", export.to_str().unwrap(), "--merge"]);
    });
    // The list itself changed: the desk reads it again (as after a tick that saw the change).
    app.reload(&store).unwrap();
    after(&d, &mut store, &mut app, "a quote added by the CLI", |_, app| {
        let (_, name) = neighbour(app);
        d.ok(&["quote", "add", &name, "--amount", "300", "--for", "A kept quote?"]);
    });
}

#[test]
fn a_kept_view_after_an_import_into_an_empty_store() {
    let d = Desk::new();
    let (mut store, mut app) = open(&d);
    app.popup = None;
    let source = Desk::new();
    source.ok(&["demo"]);
    let export = source.dir.path().join("all.json");
    source.ok(&["export", "--out", export.to_str().unwrap()]);
    while app.read_ahead(&store) {}
    let before = app.stamp(&store).unwrap();
    d.ok(&["import", export.to_str().unwrap()]);
    assert_ne!(app.stamp(&store).unwrap(), before);
    app.reload(&store).unwrap();
    for code in [KeyCode::Char('j'), KeyCode::Char('j'), KeyCode::Char('k')] {
        while app.read_ahead(&store) {}
        key(&mut app, &mut store, code);
        assert_eq!(shown(&app), fresh(&d, &app), "after {code:?}");
    }
}

#[test]
fn details_show_what_a_fresh_read_gives() {
    let d = Desk::new();
    d.ok(&["demo"]);
    let (mut store, mut app) = open(&d);
    let details = |app: &mut App, store: &mut Store| {
        key(app, store, KeyCode::Enter);
        let Some(Popup::Details(p)) = app.popup.take() else {
            panic!("no details")
        };
        p.lines
    };
    for _ in 0..3 {
        while app.read_ahead(&store) {}
        key(&mut app, &mut store, KeyCode::Char('j'));
        let id = app.client().unwrap().client.id;
        let name = app.client().unwrap().client.name.clone();
        // A write the desk has not read yet: the details show it all the same.
        d.ok(&["flag", "add", &name, "scope_creep"]);
        let after_write = details(&mut app, &mut store);
        let (_, a) = again(&d).client_card(id, &app.rules, app.today()).unwrap();
        let score = vadesk::i18n::decimal(a.score, 2, Lang::En);
        assert!(
            after_write.iter().any(|l| l.contains(&score)),
            "details show the fresh score {score}: {after_write:?}"
        );
        // Read ahead again: now from the kept view, then with nothing kept.
        while app.read_ahead(&store) {}
        let stamp = app.stamp(&store).unwrap();
        assert!(app.kept.peek(stamp, id).is_some(), "the selected client's view is kept");
        let kept = details(&mut app, &mut store);
        app.kept.clear();
        let read = details(&mut app, &mut store);
        assert_eq!(after_write, kept);
        assert_eq!(kept, read);
    }
}

#[test]
fn the_first_frame_lists_the_first_clients_and_the_whole_count() {
    let d = Desk::new();
    d.ok(&["demo"]);
    let mut store = Store::open(&d.db).unwrap();
    let all = store
        .list_clients(None, &Config::default().rules, ctx(&d).now.date())
        .unwrap();
    assert!(all.len() > 3, "the demo has clients");
    let app = tui::prepare_launch_sized(&ctx(&d), &mut store, false, Some((120, 3 + 2))).unwrap();
    assert!(app.launching);
    assert_eq!(app.client_count(), all.len());
    assert_eq!(app.clients.len(), 5);
    // The first clients, exactly as the whole list gives them.
    for (a, b) in app.clients.iter().zip(&all) {
        if a.client.id != app.client().unwrap().client.id {
            assert_eq!(format!("{a:?}"), format!("{b:?}"));
        }
    }
    let mut app = app;
    app.finish_launch(&store).unwrap();
    assert_eq!(app.clients.len(), all.len());
    assert_eq!(app.client_count(), all.len());
}

#[test]
fn the_client_pane_queries_read_one_client_or_a_few_rows() {
    let d = Desk::new();
    d.ok(&["demo"]);
    let s = Store::open(&d.db).unwrap();
    let plans = s.query_plans().unwrap();
    let plan = |name: &str| {
        plans
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, p)| p.join(" / "))
            .unwrap_or_else(|| panic!("no plan for {name}"))
    };
    let first = plan("desk: first clients");
    assert!(first.contains("sqlite_autoindex_clients_2"), "{first}");
    assert!(!first.contains("TEMP B-TREE"), "{first}");
    let channels = plan("desk: one client's channels");
    assert!(
        channels.contains("SEARCH channels USING INDEX channels_client (client_id=?)"),
        "{channels}"
    );
    assert!(!channels.contains("TEMP B-TREE"), "{channels}");
    let tally = plan("desk: one client's flag tally");
    assert!(
        tally.contains("SEARCH flag_tally USING PRIMARY KEY (client_id=?)"),
        "{tally}"
    );
    let count = plan("desk: client count");
    assert!(count.contains("SCAN clients USING COVERING INDEX"), "{count}");
}

/// Every task of one client.
fn tasks_of(s: &Store, client: i64) -> Vec<vadesk::domain::Task> {
    s.list_tasks(&vadesk::store::TaskFilter {
        client_id: Some(client),
        ..Default::default()
    })
    .unwrap()
}

/// "All clients" as a desk that keeps nothing shows it on selecting it: its first page.
fn fresh_all(d: &Desk, app: &App) -> String {
    fresh_at(d, app, |_| 0)
}

#[test]
fn all_clients_kept_is_always_what_a_fresh_read_gives() {
    let d = Desk::new();
    d.ok(&["demo"]);
    let (mut store, mut app) = open(&d);
    let today = app.today();
    key(&mut app, &mut store, KeyCode::Char('g'));
    assert_eq!(app.client_sel, 0, "g selects \"All clients\"");
    assert!(app.all_kept.is_some(), "its first page is kept");
    assert_eq!(shown(&app), fresh_all(&d, &app));
    // Unchanged: selecting it again shows the kept page, moved through or not before.
    for _ in 0..3 {
        // Down "All clients"' tasks, then onto a client and back.
        key(&mut app, &mut store, KeyCode::Tab);
        key(&mut app, &mut store, KeyCode::Char('j'));
        key(&mut app, &mut store, KeyCode::Char('j'));
        assert_eq!(app.tasks.selected, 2);
        key(&mut app, &mut store, KeyCode::BackTab);
        key(&mut app, &mut store, KeyCode::Char('j'));
        assert_eq!(app.client_sel, 1);
        key(&mut app, &mut store, KeyCode::Char('g'));
        assert_eq!((app.client_sel, app.tasks.selected), (0, 0));
        assert_eq!(shown(&app), fresh_all(&d, &app), "after a move and back");
    }
    // Every kind of write between: the desk's own, the CLI's, another connection's.
    type Write<'a> = Box<dyn Fn(&mut Store) + 'a>;
    let writes: Vec<(&str, Write)> = vec![
        (
            "a task done by the desk",
            Box::new(move |s: &mut Store| {
                let open = s
                    .list_tasks(&Default::default())
                    .unwrap()
                    .into_iter()
                    .find(|t| t.status.is_open())
                    .expect("an open task");
                s.set_task_status(open.id, TaskStatus::Done, today).unwrap();
            }),
        ),
        (
            "a task added by the CLI",
            Box::new(|_: &mut Store| {
                d.ok(&["task", "add", "Bloom", "Due first", "--due", "2020-01-01"]);
            }),
        ),
        (
            "a raw write on another connection",
            Box::new(|_: &mut Store| {
                again(&d)
                    .conn()
                    .execute("UPDATE tasks SET title = 'Renamed by a sync'", [])
                    .unwrap();
            }),
        ),
    ];
    for (what, write) in writes {
        key(&mut app, &mut store, KeyCode::Char('j'));
        let before = app.stamp(&store).unwrap();
        write(&mut store);
        assert_ne!(app.stamp(&store).unwrap(), before, "{what}: the stamp did not change");
        key(&mut app, &mut store, KeyCode::Char('g'));
        assert_eq!(shown(&app), fresh_all(&d, &app), "{what}");
    }
}

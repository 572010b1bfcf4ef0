//! The background tick: its own thread and its own SQLite connection. It wakes every
//! `tick_seconds` and at midnight, runs the detection pass (one short transaction) and tells
//! the desk what it found. Its wait is cancellable, so quitting never waits for it.

use std::path::PathBuf;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::NaiveDateTime;

use super::update::Msg;
use crate::i18n::Lang;
use crate::store::Store;

/// A cancellation token: `stop` wakes the waiting thread at once.
#[derive(Clone, Default)]
pub struct Stopper(Arc<(Mutex<bool>, Condvar)>);

impl Stopper {
    pub fn stop(&self) {
        let (lock, cv) = &*self.0;
        if let Ok(mut stopped) = lock.lock() {
            *stopped = true;
        }
        cv.notify_all();
    }

    /// Waits up to `d`; true when stopped.
    pub fn wait(&self, d: Duration) -> bool {
        let (lock, cv) = &*self.0;
        let Ok(guard) = lock.lock() else { return true };
        match cv.wait_timeout_while(guard, d, |stopped| !*stopped) {
            Ok((stopped, _)) => *stopped,
            Err(_) => true,
        }
    }
}

pub struct TickConfig {
    pub db: PathBuf,
    pub seconds: u64,
    /// A fixed clock (`--now`), or None for the real one.
    pub fixed_now: Option<NaiveDateTime>,
    pub min_rate: Option<f64>,
    pub lang: Lang,
    /// `[sync]` with `every` set: the tick also syncs that often.
    pub sync: Option<crate::config::SyncConfig>,
}

/// One background sync on a connection of its own. Nothing to say when nothing moved; a
/// server out of reach is a notice, and the changes wait in the store for the next sync.
fn sync_pass(cfg: &TickConfig, sync: &crate::config::SyncConfig) -> Option<Msg> {
    let mut store = match Store::open_again(&cfg.db) {
        Ok(s) => s,
        Err(e) => return Some(Msg::TickFailed(e.localized(cfg.lang))),
    };
    store.set_now(cfg.fixed_now);
    match store.is_replica() {
        Ok(true) => {}
        Ok(false) => return None,
        Err(e) => return Some(Msg::TickFailed(e.localized(cfg.lang))),
    }
    match crate::sync::run(store, sync, false) {
        Ok(r) if r.sent == 0 && r.changed == 0 && r.removed == 0 && r.restored == 0 => None,
        Ok(r) => Some(Msg::Synced(crate::sync::summary(&r, cfg.lang))),
        Err(e) => Some(Msg::TickFailed(e.localized(cfg.lang))),
    }
}

/// A sync asked for with `S`: it always says what it did, or why it could not.
pub fn sync_now(
    db: &std::path::Path,
    fixed_now: Option<NaiveDateTime>,
    lang: Lang,
    sync: &crate::config::SyncConfig,
) -> Msg {
    let mut store = match Store::open_again(db) {
        Ok(s) => s,
        Err(e) => return Msg::TickFailed(e.localized(lang)),
    };
    store.set_now(fixed_now);
    match store.is_replica() {
        Ok(true) => {}
        Ok(false) => return Msg::TickFailed(crate::i18n::T::ErrSyncNotReplica.text(lang).to_string()),
        Err(e) => return Msg::TickFailed(e.localized(lang)),
    }
    match crate::sync::run(store, sync, false) {
        Ok(r) => Msg::Synced(crate::sync::summary(&r, lang)),
        Err(e) => Msg::TickFailed(e.localized(lang)),
    }
}

/// Time until the next tick: the interval, or less when midnight comes first.
pub fn next_wait(now: NaiveDateTime, seconds: u64) -> Duration {
    let midnight = (now.date() + chrono::Duration::days(1)).and_time(chrono::NaiveTime::MIN);
    let to_midnight = (midnight - now).num_milliseconds().max(0) as u64 + 500;
    Duration::from_millis((seconds.max(1) * 1000).min(to_midnight))
}

pub fn spawn(cfg: TickConfig, tx: Sender<Msg>, stop: Stopper) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let clock = || cfg.fixed_now.unwrap_or_else(|| chrono::Local::now().naive_local());
        let mut store: Option<Store> = None;
        let sync = cfg
            .sync
            .clone()
            .and_then(|s| s.every.map(|e| (s, Duration::from_secs(e))));
        let mut next_sync = std::time::Instant::now();
        loop {
            if store.is_none() {
                // The desk's own connection is open: the file is never opened outside SQLite here.
                match Store::open_again(&cfg.db) {
                    Ok(s) => store = Some(s),
                    Err(e) => {
                        if tx.send(Msg::TickFailed(e.localized(cfg.lang))).is_err() {
                            return;
                        }
                    }
                }
            }
            if let Some(s) = store.as_mut() {
                let now = clock();
                let msg = match s.detect(now.date(), cfg.min_rate) {
                    Ok(report) => Msg::Tick { report, now },
                    Err(e) => Msg::TickFailed(e.localized(cfg.lang)),
                };
                if tx.send(msg).is_err() {
                    return;
                }
            }
            let mut wait = next_wait(clock(), cfg.seconds);
            if let Some((sc, every)) = &sync {
                if std::time::Instant::now() >= next_sync {
                    if let Some(msg) = sync_pass(&cfg, sc) {
                        if tx.send(msg).is_err() {
                            return;
                        }
                    }
                    next_sync = std::time::Instant::now() + *every;
                }
                wait = wait.min(next_sync.saturating_duration_since(std::time::Instant::now()));
            }
            if stop.wait(wait) {
                return;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wakes_at_midnight_when_it_comes_first() {
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
        assert_eq!(next_wait(at("2026-11-23 12:00:00"), 60), Duration::from_secs(60));
        let w = next_wait(at("2026-11-23 23:59:30"), 60);
        assert!(w < Duration::from_secs(31) && w > Duration::from_secs(30), "{w:?}");
    }

    #[test]
    fn the_tick_syncs_and_an_unreachable_server_is_a_notice_that_loses_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("vadesk.db");
        let mut store = Store::open(&db).unwrap();
        store
            .add_client(
                crate::store::ClientFields {
                    name: Some("Acme".into()),
                    ..Default::default()
                },
                chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            )
            .unwrap();
        store.sync_init().unwrap();
        drop(store);
        let cfg = |server: PathBuf| TickConfig {
            db: db.clone(),
            seconds: 60,
            fixed_now: None,
            min_rate: None,
            lang: Lang::En,
            sync: Some(crate::config::SyncConfig {
                server: crate::config::SyncServer::Folder(server),
                encryption_secret: "s".into(),
                every: Some(60),
            }),
        };
        // A folder that cannot be made: under a plain file.
        let blocked = dir.path().join("file");
        std::fs::write(&blocked, "x").unwrap();
        let c = cfg(blocked.join("server"));
        let sc = c.sync.clone().unwrap();
        assert!(matches!(sync_pass(&c, &sc), Some(Msg::TickFailed(_))));
        // A folder not there is never made by the tick's sync (`sync --init` makes it).
        let c = cfg(dir.path().join("server"));
        let sc = c.sync.clone().unwrap();
        assert!(matches!(sync_pass(&c, &sc), Some(Msg::TickFailed(_))));
        assert!(!dir.path().join("server").exists());
        std::fs::create_dir(dir.path().join("server")).unwrap();
        match sync_pass(&c, &sc) {
            Some(Msg::Synced(text)) => assert!(text.contains("Sent:"), "{text}"),
            _ => panic!("no sync notice"),
        }
        // Nothing new: nothing to say.
        assert!(sync_pass(&c, &sc).is_none());
        // `S` asks anyway, and always hears back, even when nothing moved.
        match sync_now(&db, None, Lang::Es, &sc) {
            Msg::Synced(text) => assert!(text.contains("Enviados: 0"), "{text}"),
            _ => panic!("S gave no answer"),
        }
        // A store that is not a replica says how to make it one.
        let other = dir.path().join("other.db");
        Store::open(&other).unwrap();
        match sync_now(&other, None, Lang::En, &sc) {
            Msg::TickFailed(text) => assert!(text.contains("sync --init"), "{text}"),
            _ => panic!("a store that is not a replica synced"),
        }
    }

    #[test]
    fn stopping_is_instant() {
        let s = Stopper::default();
        let s2 = s.clone();
        let t = std::thread::spawn(move || s2.wait(Duration::from_secs(3600)));
        s.stop();
        assert!(t.join().unwrap());
    }
}

//! `vadesk calendar`: the desk's dates as RFC 5545. Each event's UID is its record's uuid, so a
//! calendar app subscribed to the file updates an event instead of adding a second one.

use std::io::Write;
use std::path::Path;

use chrono::{Duration, TimeZone};
use icalendar::{Calendar, Component, Event, EventLike, Property};

use crate::domain::RequestKind;
use crate::error::{Error, Result};
use crate::i18n::{tf, Lang, T};
use crate::store::{CalendarEntry, CalendarWhat, Store};

/// A meeting without a recorded length shows as one hour.
pub const DEFAULT_MEETING_MINUTES: i64 = 60;

/// The calendar as text; `now` stamps DTSTAMP so two runs at the same clock are identical.
pub fn render(entries: &[CalendarEntry], now: chrono::NaiveDateTime, lang: Lang) -> String {
    let stamp = chrono::Local
        .from_local_datetime(&now)
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_else(|| now.and_utc());
    // The library's defaults name the library as the product: this calendar is vadesk's.
    let mut cal = Calendar::empty();
    cal.append_property(Property::new("VERSION", "2.0"));
    cal.append_property(Property::new(
        "PRODID",
        concat!("-//vadesk//vadesk ", env!("CARGO_PKG_VERSION"), "//EN"),
    ));
    cal.append_property(Property::new("CALSCALE", "GREGORIAN"));
    cal.name("vadesk");
    for e in entries {
        let mut ev = Event::new();
        ev.uid(&format!("{}@vadesk", e.uuid)).timestamp(stamp);
        match &e.what {
            CalendarWhat::TaskDue { title, due } => {
                ev.summary(&tf(lang, T::CalTaskDue, &[title, &e.client]));
                day(&mut ev, *due);
            }
            CalendarWhat::Request { kind, what, task, by } => {
                let key = match kind {
                    RequestKind::Material => T::CalMaterial,
                    RequestKind::Feedback => T::CalFeedback,
                };
                let what = if what.trim().is_empty() { task } else { what };
                ev.summary(&tf(lang, key, &[what, &e.client]));
                day(&mut ev, *by);
            }
            CalendarWhat::QuoteAnswer {
                amount_cents,
                currency,
                by,
            } => {
                let amount = crate::domain::money::format_cents(*amount_cents, *currency, lang);
                ev.summary(&tf(lang, T::CalQuote, &[&e.client, &amount]));
                day(&mut ev, *by);
            }
            CalendarWhat::Meeting { kind, at, minutes } => {
                ev.summary(&tf(lang, T::CalMeeting, &[&kind.label(lang), &e.client]))
                    .starts(*at)
                    .ends(*at + Duration::minutes(minutes.map_or(DEFAULT_MEETING_MINUTES, i64::from)));
            }
        }
        cal.push(ev.done());
    }
    cal.done().to_string()
}

/// An all-day event: DTEND is the next day, as RFC 5545 reads an end (exclusive).
fn day(ev: &mut Event, date: chrono::NaiveDate) {
    ev.starts(date);
    if let Some(next) = date.succ_opt() {
        ev.ends(next);
    }
}

/// Writes the calendar to stdout or to `out`.
pub fn run(
    store: &Store,
    now: chrono::NaiveDateTime,
    lang: Lang,
    file: Option<&Path>,
    force: bool,
    out: &mut dyn Write,
) -> Result<()> {
    let text = render(&store.calendar_entries()?, now, lang);
    match file {
        None => out.write_all(text.as_bytes())?,
        Some(path) => {
            write_file(path, text.as_bytes(), force, store.path())?;
            writeln!(out, "{}", tf(lang, T::MsgWrote, &[&path.display()]))?;
        }
    }
    Ok(())
}

// files: route through the shared writer at merge
/// A new file, 0600, written beside its target and renamed into place; an existing file is
/// replaced only with `force`, and the store and its `-wal`/`-shm` never are.
fn write_file(path: &Path, bytes: &[u8], force: bool, store: &Path) -> Result<()> {
    let shown = path.display().to_string();
    let name = path
        .file_name()
        .ok_or_else(|| Error::invalid(T::ErrBadImport, &[&shown, &"?"]))?
        .to_os_string();
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    // realpath only looks at names: it never opens the store file.
    let real_dir = dir.canonicalize()?;
    let target = real_dir.join(&name);
    if let (Some(sdir), Some(sname)) = (store.parent(), store.file_name()) {
        let sdir = if sdir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            sdir
        };
        if let Ok(sdir) = sdir.canonicalize() {
            let sname = sname.to_string_lossy();
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let forbidden = sdir.join(format!("{sname}{suffix}"));
                let same = forbidden == target
                    || (target.exists() && forbidden.canonicalize().ok() == target.canonicalize().ok());
                if same {
                    return Err(Error::refused(T::ErrFileIsStore, &[&shown]));
                }
            }
        }
    }
    if !force && target.symlink_metadata().is_ok() {
        return Err(Error::refused(T::ErrFileExists, &[&shown]));
    }
    let tmp = real_dir.join(format!(".{}.{}.tmp", name.to_string_lossy(), std::process::id()));
    let result = (|| -> Result<()> {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        if force {
            std::fs::rename(&tmp, &target)?;
        } else {
            // A link never replaces a file that appeared since the check above.
            match std::fs::hard_link(&tmp, &target) {
                Ok(()) => std::fs::remove_file(&tmp)?,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    return Err(Error::refused(T::ErrFileExists, &[&shown]))
                }
                Err(_) => std::fs::rename(&tmp, &target)?,
            }
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

//! `vadesk calendar`: the desk's dates as RFC 5545. Each event's UID is its record's uuid, so a
//! calendar app subscribed to the file updates an event instead of adding a second one.

use std::io::Write;
use std::path::Path;

use chrono::{Duration, TimeZone};
use icalendar::{Calendar, Component, Event, EventLike, Property};

use crate::domain::RequestKind;
use crate::error::Result;
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
            crate::files::write_new_file(path, force, Some(store.path()), |w| Ok(w.write_all(text.as_bytes())?))?;
            writeln!(out, "{}", tf(lang, T::MsgWrote, &[&path.display()]))?;
        }
    }
    Ok(())
}

//! Desktop notifications for `vadesk tick --notify`: what a pass found new, shown outside the
//! terminal. The [`Notifier`] trait keeps the desktop apart from what is said, so tests record
//! the notes instead of showing them.

use std::io::Write;

use chrono::NaiveDate;

use crate::i18n::{pl, tf, Lang, P, T};
use crate::store::DetectReport;

/// One desktop notification: a short title and a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub title: String,
    pub body: String,
}

/// Something that can put a note on the desktop. `Err` carries why it could not (no service).
pub trait Notifier {
    fn show(&mut self, note: &Note) -> std::result::Result<(), String>;
}

/// At most this many notes per pass; the rest are counted in one more.
pub const MAX_NOTES: usize = 5;

/// The notes for what a pass found new: one per new flag (late materials, overdue feedback and
/// unanswered quotes are new flags too), the ones past [`MAX_NOTES`] counted in a last note.
pub fn notes(report: &DetectReport, today: NaiveDate, l: Lang) -> Vec<Note> {
    let flags = &report.new_flags;
    let shown = if flags.len() > MAX_NOTES {
        MAX_NOTES - 1
    } else {
        flags.len()
    };
    let mut out: Vec<Note> = flags[..shown]
        .iter()
        .map(|f| {
            let prefix = f.source_ref.split(':').next().unwrap_or("");
            let note = crate::describe::auto_note(prefix, &f.note, today, l).unwrap_or_else(|| f.note.clone());
            Note {
                title: tf(l, T::NotifyFlagTitle, &[&f.client]),
                body: if note.is_empty() {
                    f.kind.label(l).to_string()
                } else {
                    format!("{}: {}", f.kind.label(l), note)
                },
            }
        })
        .collect();
    if shown < flags.len() {
        let rest = &flags[shown..];
        let mut clients: Vec<&str> = rest.iter().map(|f| f.client.as_str()).collect();
        clients.dedup();
        out.push(Note {
            title: pl(l, P::MoreNewFlags, rest.len() as i64, &[]),
            body: format!("{}\n{}", clients.join(", "), crate::describe::counts(&report.counts, l)),
        });
    }
    out
}

/// Shows a pass's notes through a notifier; when the notifier cannot, says so once on `err`
/// (for the whole life of this value) and carries on: the printed report is what counts.
pub struct Announcer<N: Notifier> {
    pub notifier: N,
    warned: bool,
}

impl<N: Notifier> Announcer<N> {
    pub fn new(notifier: N) -> Self {
        Announcer {
            notifier,
            warned: false,
        }
    }

    pub fn announce(&mut self, report: &DetectReport, today: NaiveDate, l: Lang, err: &mut dyn Write) {
        for note in notes(report, today, l) {
            if let Err(why) = self.notifier.show(&note) {
                if !self.warned {
                    self.warned = true;
                    let why = crate::domain::text::terminal_text(why.trim()).into_owned();
                    // A closed stderr is no reason to fail the pass.
                    let _ = writeln!(err, "vadesk: {}", tf(l, T::NotifyUnavailable, &[&why]));
                }
                // The service is gone for this pass; the others get their chance later.
                break;
            }
        }
    }
}

/// The test double: records every note it is asked to show; `fail` makes it behave like a
/// desktop without a notification service.
#[derive(Debug, Default)]
pub struct Recorder {
    pub shown: Vec<Note>,
    pub fail: Option<String>,
}

impl Notifier for Recorder {
    fn show(&mut self, note: &Note) -> std::result::Result<(), String> {
        match &self.fail {
            Some(why) => Err(why.clone()),
            None => {
                self.shown.push(note.clone());
                Ok(())
            }
        }
    }
}

/// The real desktop: freedesktop notifications over the session D-Bus on Linux and the BSDs
/// (a pure-Rust client, no system library), the native ones on macOS and Windows.
#[derive(Debug, Default)]
pub struct Desktop;

impl Notifier for Desktop {
    fn show(&mut self, note: &Note) -> std::result::Result<(), String> {
        let mut n = notify_rust::Notification::new();
        n.appname("vadesk").summary(&note.title).body(&markup_safe(&note.body));
        n.show().map(|_| ()).map_err(|e| e.to_string())
    }
}

/// Freedesktop servers may read the body as markup: a client called `<b>` stays text.
fn markup_safe(s: &str) -> String {
    if cfg!(all(unix, not(target_os = "macos"))) {
        s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped_for_freedesktop() {
        if cfg!(all(unix, not(target_os = "macos"))) {
            assert_eq!(markup_safe("<b>A & B</b>"), "&lt;b&gt;A &amp; B&lt;/b&gt;");
        }
    }
}

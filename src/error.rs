//! Errors of the library parts. Every user-facing message is built from the i18n catalogue,
//! so the same error reads naturally in English and Spanish.

use crate::i18n::{Lang, T};

/// A message key plus the values it is filled with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    pub key: T,
    pub args: Vec<Arg>,
}

/// A value in a message: plain text, or a catalogue key translated with the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Text(String),
    Key(T),
    /// Text that differs by language and is known before the language is (a list of words
    /// to type, a system error).
    ByLang(String, String),
}

impl Arg {
    /// A stored `YYYY-MM-DD[ HH:MM]` as each language writes a day ("Fri 27 Nov 10:00", "vie
    /// 27 nov 10:00"), with the year when it is not `today`'s.
    pub fn when(stored: &str, today: chrono::NaiveDate) -> Arg {
        Arg::ByLang(
            crate::i18n::stored_when(stored, today, Lang::En),
            crate::i18n::stored_when(stored, today, Lang::Es),
        )
    }

    /// A day as each language writes it (see `when`).
    pub fn day(d: chrono::NaiveDate, today: chrono::NaiveDate) -> Arg {
        Arg::when(&d.format("%Y-%m-%d").to_string(), today)
    }

    /// A moment to the minute as each language writes it (see `when`).
    pub fn at(t: chrono::NaiveDateTime, today: chrono::NaiveDate) -> Arg {
        Arg::when(&t.format("%Y-%m-%d %H:%M").to_string(), today)
    }

    pub fn text(s: impl std::fmt::Display) -> Arg {
        Arg::Text(s.to_string())
    }
}

impl Msg {
    pub fn new(key: T) -> Self {
        Msg { key, args: Vec::new() }
    }
    pub fn with(key: T, args: &[&dyn std::fmt::Display]) -> Self {
        Msg {
            key,
            args: args.iter().map(|a| Arg::Text(a.to_string())).collect(),
        }
    }
    pub fn render(&self, lang: Lang) -> String {
        let args: Vec<String> = self
            .args
            .iter()
            .map(|a| match a {
                Arg::Text(s) => s.clone(),
                Arg::Key(k) => k.text(lang).to_string(),
                Arg::ByLang(en, es) => match lang {
                    Lang::En => en.clone(),
                    Lang::Es => es.clone(),
                },
            })
            .collect();
        crate::i18n::fill(self.key.text(lang), &args)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The user's input cannot be accepted (bad date, empty name, unknown kind...).
    #[error("{}", .0.render(Lang::En))]
    Invalid(Msg),
    /// A named record does not exist.
    #[error("{}", .0.render(Lang::En))]
    NotFound(Msg),
    /// The store refuses to open or to do something (not a vadesk file, newer schema, non-empty import...).
    #[error("{}", .0.render(Lang::En))]
    Refused(Msg),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Json(#[from] serde_json::Error),
}

impl Error {
    /// The message's key, for an error of the user's input or the store's refusal.
    pub fn key(&self) -> Option<T> {
        match self {
            Error::Invalid(m) | Error::NotFound(m) | Error::Refused(m) => Some(m.key),
            _ => None,
        }
    }

    pub fn invalid(key: T, args: &[&dyn std::fmt::Display]) -> Self {
        Error::Invalid(Msg::with(key, args))
    }
    pub fn not_found(key: T, args: &[&dyn std::fmt::Display]) -> Self {
        Error::NotFound(Msg::with(key, args))
    }
    pub fn refused(key: T, args: &[&dyn std::fmt::Display]) -> Self {
        Error::Refused(Msg::with(key, args))
    }
    /// `invalid` with values that are not all plain text (dates each language writes its way).
    pub fn invalid_with(key: T, args: Vec<Arg>) -> Self {
        Error::Invalid(Msg { key, args })
    }

    /// A write that failed for `e`, said with `key` (`{0}` is the reason, in the user's
    /// language).
    pub fn io_refused(key: T, e: &std::io::Error) -> Self {
        Error::Refused(Msg {
            key,
            args: vec![Arg::ByLang(io_reason(e, Lang::En), io_reason(e, Lang::Es))],
        })
    }

    /// The message in the user's language.
    pub fn localized(&self, lang: Lang) -> String {
        match self {
            Error::Invalid(m) | Error::NotFound(m) | Error::Refused(m) => m.render(lang),
            Error::Sqlite(e) => describe_sqlite(e, lang),
            Error::Io(e) => crate::i18n::fill(T::ErrIo.text(lang), &[io_reason(e, lang)]),
            Error::Json(e) => crate::i18n::fill(T::ErrJson.text(lang), &[e.to_string()]),
        }
    }

    /// Whether output was cut short because its reader went away (`vadesk task list | head`):
    /// not an error for the one who stopped reading.
    pub fn is_broken_pipe(&self) -> bool {
        match self {
            Error::Io(e) => e.kind() == std::io::ErrorKind::BrokenPipe,
            Error::Json(e) => e.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe),
            _ => false,
        }
    }

    /// Whether SQLite could not write the store because the file, its folder or its `-shm` is
    /// read-only: the store may be sound.
    pub fn is_read_only(&self) -> bool {
        matches!(self, Error::Sqlite(rusqlite::Error::SqliteFailure(f, _)) if f.code == rusqlite::ErrorCode::ReadOnly)
    }

    /// Whether the error is about what the user typed (exit code 2) rather than the world.
    pub fn is_usage(&self) -> bool {
        matches!(self, Error::Invalid(_))
    }
}

/// Why a file operation failed, in the user's language (the system's own text is English).
pub fn io_reason(e: &std::io::Error, lang: Lang) -> String {
    use std::io::ErrorKind;
    let key = match e.kind() {
        ErrorKind::NotFound => T::IoNotFound,
        ErrorKind::PermissionDenied => T::IoPermission,
        ErrorKind::AlreadyExists => T::IoExists,
        ErrorKind::InvalidData => T::IoInvalidData,
        ErrorKind::StorageFull => T::IoFull,
        ErrorKind::IsADirectory => T::IoIsDirectory,
        ErrorKind::ReadOnlyFilesystem => T::IoReadOnly,
        ErrorKind::QuotaExceeded => T::IoFull,
        ErrorKind::NotADirectory => T::IoNotFolder,
        ErrorKind::UnexpectedEof => T::IoInvalidData,
        ErrorKind::BrokenPipe => T::IoClosed,
        _ => {
            return match lang {
                Lang::En => e.to_string(),
                Lang::Es => crate::i18n::fill(
                    T::IoOther.text(lang),
                    &[e.raw_os_error().map(|c| c.to_string()).unwrap_or_else(|| "?".into())],
                ),
            }
        }
    };
    key.text(lang).to_string()
}

impl Arg {
    /// A count in its plural form, in whichever language the message is.
    pub fn plural(key: crate::i18n::P, n: i64) -> Arg {
        Arg::ByLang(
            crate::i18n::pl(Lang::En, key, n, &[]),
            crate::i18n::pl(Lang::Es, key, n, &[]),
        )
    }

    /// A file error, read in whichever language the message is.
    pub fn io(e: &std::io::Error) -> Arg {
        Arg::ByLang(io_reason(e, Lang::En), io_reason(e, Lang::Es))
    }
}

fn describe_sqlite(e: &rusqlite::Error, lang: Lang) -> String {
    use rusqlite::ErrorCode;
    // A value of the wrong type or range, written into the file by another program.
    if matches!(
        e,
        rusqlite::Error::InvalidColumnType(..)
            | rusqlite::Error::FromSqlConversionFailure(..)
            | rusqlite::Error::IntegralValueOutOfRange(..)
    ) {
        return crate::i18n::fill(T::ErrStoredValue.text(lang), &[e.to_string()]);
    }
    if let Some(code) = e.sqlite_error_code() {
        let key = match code {
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => Some(T::ErrLocked),
            ErrorCode::NotADatabase => Some(T::ErrNotADatabase),
            ErrorCode::DatabaseCorrupt => Some(T::ErrCorrupt),
            ErrorCode::DiskFull => Some(T::ErrDiskFull),
            ErrorCode::ReadOnly => Some(T::ErrReadOnly),
            ErrorCode::CannotOpen => Some(T::ErrCannotOpen),
            _ => None,
        };
        if let Some(k) = key {
            return k.text(lang).to_string();
        }
    }
    crate::i18n::fill(T::ErrDatabase.text(lang), &[e.to_string()])
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    /// `doctor` tells a store it cannot write here (which may be sound) from a damaged one by
    /// this: every read-only failure SQLite reports, and nothing else.
    #[test]
    fn read_only_failures_are_told_from_damage() {
        let sqlite = |code| Error::Sqlite(rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None));
        for code in [
            rusqlite::ffi::SQLITE_READONLY,
            rusqlite::ffi::SQLITE_READONLY_CANTINIT,
            rusqlite::ffi::SQLITE_READONLY_RECOVERY,
            rusqlite::ffi::SQLITE_READONLY_DIRECTORY,
        ] {
            assert!(sqlite(code).is_read_only(), "{code}");
        }
        for code in [
            rusqlite::ffi::SQLITE_CORRUPT,
            rusqlite::ffi::SQLITE_NOTADB,
            rusqlite::ffi::SQLITE_CANTOPEN,
            rusqlite::ffi::SQLITE_BUSY,
        ] {
            assert!(!sqlite(code).is_read_only(), "{code}");
        }
    }
}

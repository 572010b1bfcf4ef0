//! `vadesk doctor`: a health report of the store file.

use std::path::Path;

use super::{Store, APP_ID, LATEST_VERSION};
use crate::error::{Arg, Msg, Result};
use crate::i18n::{P, T};

/// One line of the report: what was checked, whether it is fine, and what was found.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub name: T,
    pub ok: bool,
    pub detail: Msg,
}

impl Store {
    /// Integrity, foreign keys, schema version, permissions and WAL state.
    pub fn doctor(&self) -> Result<Vec<Check>> {
        let mut out = Vec::new();
        let integrity: Vec<String> = {
            let mut q = self.conn.prepare("PRAGMA integrity_check")?;
            let rows = q.query_map([], |r| r.get::<_, String>(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        // Healthy only when the answer is exactly one row, "ok".
        let ok = integrity.len() == 1 && integrity[0] == "ok";
        out.push(Check {
            name: T::DocIntegrity,
            ok,
            detail: if ok {
                Msg::new(T::DocIntegrityOk)
            } else {
                Msg::with(T::DocPlain, &[&integrity.join("; ")])
            },
        });

        let fk: i64 = self
            .conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0))?;
        out.push(Check {
            name: T::DocForeignKeys,
            ok: fk == 0,
            detail: if fk == 0 {
                Msg::new(T::DocOk)
            } else {
                Msg {
                    key: T::DocPlain,
                    args: vec![Arg::plural(P::BrokenRefs, fk)],
                }
            },
        });

        let version: i32 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let app: i32 = self.conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        out.push(Check {
            name: T::DocSchema,
            ok: version == LATEST_VERSION && app == APP_ID,
            detail: Msg::with(T::DocVersion, &[&version, &LATEST_VERSION]),
        });

        let mode: String = self.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        let fks_on: i64 = self.conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
        let wal_size = std::fs::metadata(super::wal_guard::sibling(&self.path, "-wal"))
            .map(|m| m.len())
            .unwrap_or(0);
        out.push(Check {
            name: T::DocWal,
            ok: mode.eq_ignore_ascii_case("wal") && fks_on == 1,
            detail: Msg {
                key: T::DocWalState,
                args: vec![
                    Arg::Text(mode.clone()),
                    Arg::Key(if fks_on == 1 { T::DocFkOn } else { T::DocFkOff }),
                    Arg::Text((wal_size / 1024).to_string()),
                ],
            },
        });

        out.push(permissions(&self.path));
        let counts: (i64, i64, i64) = self.conn.query_row(
            "SELECT (SELECT count(*) FROM clients), (SELECT count(*) FROM tasks), (SELECT count(*) FROM flags)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        out.push(Check {
            name: T::DocRecords,
            ok: true,
            detail: Msg {
                key: T::DocCounts,
                args: vec![
                    Arg::plural(P::Clients, counts.0),
                    Arg::plural(P::Tasks, counts.1),
                    Arg::plural(P::RedFlags, counts.2),
                ],
            },
        });
        Ok(out)
    }
}

/// What `doctor` can still say of a store that does not open (a damaged file): SQLite's own
/// integrity check run read-only on it, or why even that cannot run, and the file's
/// permissions. `why` is the reason the store did not open.
pub fn doctor_unopened(path: &Path, why: &crate::error::Error) -> Vec<Check> {
    use rusqlite::OpenFlags;
    // Without a `-wal` beside it, the file is read as it lies (`immutable`): a read-only
    // connection to a file in WAL mode would otherwise create a `-wal` and a `-shm` beside a
    // file that is refused, and leave them there.
    let opened = if super::wal_guard::sibling(path, "-wal").exists() {
        rusqlite::Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
    } else {
        rusqlite::Connection::open_with_flags(
            format!("file:{}?immutable=1", super::wal_guard::uri_path(path)),
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
        )
    };
    let found = opened.and_then(|c| {
        let mut q = c.prepare("PRAGMA integrity_check")?;
        let rows = q.query_map([], |r| r.get::<_, String>(0))?;
        rows.collect::<rusqlite::Result<Vec<String>>>()
    });
    let detail = match found {
        // The pages are sound: what stopped the opening is the whole story.
        Ok(lines) if lines == ["ok"] => Msg {
            key: T::DocPlain,
            args: vec![Arg::ByLang(
                why.localized(crate::i18n::Lang::En),
                why.localized(crate::i18n::Lang::Es),
            )],
        },
        Ok(lines) => Msg::with(
            T::DocDamage,
            &[
                &lines.len(),
                &lines.iter().take(3).cloned().collect::<Vec<_>>().join("; "),
            ],
        ),
        // Even reading needs to write beside the file (its `-shm`): the folder or the file is
        // read-only, which says nothing of the pages.
        Err(rusqlite::Error::SqliteFailure(f, _)) if f.code == rusqlite::ErrorCode::ReadOnly => Msg {
            key: T::DocPlain,
            args: vec![Arg::ByLang(
                why.localized(crate::i18n::Lang::En),
                why.localized(crate::i18n::Lang::Es),
            )],
        },
        Err(e) => Msg::with(T::DocUnreadable, &[&e]),
    };
    vec![
        Check {
            name: T::DocIntegrity,
            ok: false,
            detail,
        },
        permissions(path),
    ]
}

#[cfg(unix)]
fn permissions(path: &Path) -> Check {
    use std::os::unix::fs::PermissionsExt;
    match std::fs::metadata(path) {
        Ok(m) => {
            let mode = m.permissions().mode() & 0o777;
            let shown = format!("{mode:o}");
            let private = mode & 0o077 == 0;
            Check {
                name: T::DocPermissions,
                ok: private,
                detail: Msg::with(if private { T::DocOwnerOnly } else { T::DocOthersRead }, &[&shown]),
            }
        }
        Err(e) => Check {
            name: T::DocPermissions,
            ok: false,
            detail: Msg {
                key: T::DocPlain,
                args: vec![Arg::io(&e)],
            },
        },
    }
}

#[cfg(not(unix))]
fn permissions(_path: &Path) -> Check {
    Check {
        name: T::DocPermissions,
        ok: true,
        detail: Msg::new(T::DocNotChecked),
    }
}

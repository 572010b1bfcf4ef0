//! `vadesk doctor`: a health report of the store file.

use std::path::Path;

use serde::Serialize;

use super::{Store, APP_ID, LATEST_VERSION};
use crate::error::Result;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
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
        let ok = integrity.len() == 1 && integrity[0] == "ok";
        out.push(Check {
            name: "integrity",
            ok,
            detail: integrity.join("; "),
        });

        let fk: i64 = self
            .conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0))?;
        out.push(Check {
            name: "foreign_keys",
            ok: fk == 0,
            detail: if fk == 0 {
                "ok".into()
            } else {
                format!("{fk} broken references")
            },
        });

        let version: i32 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let app: i32 = self.conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        out.push(Check {
            name: "schema",
            ok: version == LATEST_VERSION && app == APP_ID,
            detail: format!("version {version} (this vadesk: {LATEST_VERSION})"),
        });

        let mode: String = self.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        let fks_on: i64 = self.conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
        let wal_path = wal_file(&self.path);
        let wal_size = std::fs::metadata(&wal_path).map(|m| m.len()).unwrap_or(0);
        out.push(Check {
            name: "wal",
            ok: mode.eq_ignore_ascii_case("wal") && fks_on == 1,
            detail: format!(
                "journal_mode={mode}, foreign_keys={fks_on}, wal file {} KiB",
                wal_size / 1024
            ),
        });

        out.push(permissions(&self.path));
        let counts: (i64, i64, i64) = self.conn.query_row(
            "SELECT (SELECT count(*) FROM clients), (SELECT count(*) FROM tasks), (SELECT count(*) FROM flags)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        out.push(Check {
            name: "records",
            ok: true,
            detail: format!("{} clients, {} tasks, {} red flags", counts.0, counts.1, counts.2),
        });
        Ok(out)
    }
}

fn wal_file(db: &Path) -> std::path::PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push("-wal");
    s.into()
}

#[cfg(unix)]
fn permissions(path: &Path) -> Check {
    use std::os::unix::fs::PermissionsExt;
    match std::fs::metadata(path) {
        Ok(m) => {
            let mode = m.permissions().mode() & 0o777;
            Check {
                name: "permissions",
                ok: mode & 0o077 == 0,
                detail: if mode & 0o077 == 0 {
                    format!("{mode:o} (owner only)")
                } else {
                    format!("{mode:o}: others can read client data; run chmod 600 on the file")
                },
            }
        }
        Err(e) => Check {
            name: "permissions",
            ok: false,
            detail: e.to_string(),
        },
    }
}

#[cfg(not(unix))]
fn permissions(_path: &Path) -> Check {
    Check {
        name: "permissions",
        ok: true,
        detail: "not checked on this platform".into(),
    }
}

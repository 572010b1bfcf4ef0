//! Moving records in and out: JSON export and import (round-tripping every record), the
//! Taskwarrior import, and SQLite's online backup.

use std::collections::HashMap;
use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Transaction, TransactionBehavior};
use serde_json::{Map, Value as Json};

use super::{day, Store};
use crate::domain::{
    dates, text, Attendance, ChannelKind, ClientStatus, FlagKind, MeetingKind, QuoteStatus, RequestKind, TaskStatus,
};
use crate::error::{Error, Result};
use crate::i18n::T;

/// Tables in dependency order, and for each the columns that point at another table.
const TABLES: &[(&str, &[(&str, &str)])] = &[
    ("clients", &[]),
    ("channels", &[("client_id", "clients")]),
    ("tasks", &[("client_id", "clients")]),
    ("requests", &[("task_id", "tasks")]),
    ("quotes", &[("client_id", "clients")]),
    ("meetings", &[("client_id", "clients")]),
    ("flags", &[("client_id", "clients")]),
    ("weekly_reviews", &[("client_id", "clients")]),
    ("time_entries", &[("client_id", "clients"), ("task_id", "tasks")]),
];

pub const EXPORT_FORMAT: i64 = 1;

/// What an import added.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportReport {
    pub clients: usize,
    pub tasks: usize,
    pub other: usize,
}

impl Store {
    /// Every record, table by table, as JSON.
    pub fn export(&self) -> Result<Json> {
        let mut out = Map::new();
        out.insert("format".into(), Json::from(EXPORT_FORMAT));
        out.insert("schema".into(), Json::from(super::LATEST_VERSION));
        for (table, _) in TABLES {
            let order = if *table == "weekly_reviews" {
                "client_id, on_date"
            } else {
                "id"
            };
            let mut q = self.conn.prepare(&format!("SELECT * FROM {table} ORDER BY {order}"))?;
            let names: Vec<String> = q.column_names().map(|s| s.to_string()).collect();
            let rows = q.query_map([], |r| {
                let mut obj = Map::new();
                for (i, n) in names.iter().enumerate() {
                    if n == "name_key" {
                        continue;
                    }
                    let v = match r.get::<_, Value>(i)? {
                        Value::Null => Json::Null,
                        Value::Integer(n) => Json::from(n),
                        Value::Real(f) => Json::from(f),
                        Value::Text(s) => Json::from(s),
                        Value::Blob(_) => Json::Null,
                    };
                    obj.insert(n.clone(), v);
                }
                Ok(Json::Object(obj))
            })?;
            let list: Vec<Json> = rows.collect::<rusqlite::Result<_>>()?;
            out.insert((*table).into(), Json::Array(list));
        }
        Ok(Json::Object(out))
    }

    /// Imports an export. Into an empty store the ids are kept; with `merge` the records are
    /// added beside the existing ones (clients of the same name are joined) with new ids.
    /// All or nothing: one transaction.
    pub fn import(&mut self, data: &Json, merge: bool, source: &str) -> Result<ImportReport> {
        if !merge && !self.is_empty()? {
            return Err(Error::refused(T::ErrNotEmpty, &[]));
        }
        let obj = data
            .as_object()
            .ok_or_else(|| Error::invalid(T::ErrImportNotExport, &[&source]))?;
        if obj.get("format").and_then(Json::as_i64) != Some(EXPORT_FORMAT) {
            return Err(Error::invalid(T::ErrImportNotExport, &[&source]));
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut maps: HashMap<&str, HashMap<i64, i64>> = HashMap::new();
        let mut report = ImportReport::default();
        for (table, refs) in TABLES {
            let Some(rows) = obj.get(*table) else { continue };
            let rows = rows
                .as_array()
                .ok_or_else(|| Error::invalid(T::ErrImportNotExport, &[&source]))?;
            let columns = table_columns(&tx, table)?;
            for (n, row) in rows.iter().enumerate() {
                let mut row = row
                    .as_object()
                    .cloned()
                    .ok_or_else(|| Error::invalid(T::ErrImportNotExport, &[&source]))?;
                let field = |col: &str| Error::invalid(T::ErrImportField, &[&source, table, &(n + 1), &col]);
                validate_row(table, &mut row).map_err(&field)?;
                for (col, target) in refs.iter() {
                    let old = row.get(*col).and_then(Json::as_i64).ok_or_else(|| field(col))?;
                    let new = maps.get(target).and_then(|m| m.get(&old)).copied().unwrap_or(old);
                    row.insert((*col).into(), Json::from(new));
                }
                if *table == "flags" {
                    if let Some(r) = row.get("source_ref").and_then(Json::as_str) {
                        let mapped = remap_ref(r, &maps);
                        row.insert("source_ref".into(), Json::from(mapped));
                    }
                }
                let old_id = row.get("id").and_then(Json::as_i64);
                if merge && *table == "clients" {
                    let key = row
                        .get("name")
                        .and_then(Json::as_str)
                        .unwrap_or_default()
                        .to_lowercase();
                    let existing: Option<i64> = rusqlite::OptionalExtension::optional(tx.query_row(
                        "SELECT id FROM clients WHERE name_key = ?1",
                        [&key],
                        |r| r.get(0),
                    ))?;
                    if let (Some(old), Some(id)) = (old_id, existing) {
                        maps.entry("clients").or_default().insert(old, id);
                        continue;
                    }
                }
                if merge {
                    row.remove("id");
                }
                let inserted = insert_row(&tx, table, &columns, &row, merge)
                    .map_err(|e| Error::invalid(T::ErrImportDb, &[&source, table, &(n + 1), &e]))?;
                if let (Some(old), Some(new)) = (old_id, inserted) {
                    maps.entry(table).or_default().insert(old, new);
                }
                match *table {
                    "clients" => report.clients += 1,
                    "tasks" => report.tasks += 1,
                    _ => report.other += 1,
                }
            }
        }
        tx.commit()?;
        Ok(report)
    }

    /// Imports Taskwarrior's `task export` (a JSON array, or one object per line).
    pub fn import_taskwarrior(&mut self, text_in: &str, today: NaiveDate, source: &str) -> Result<ImportReport> {
        let bad = |why: String| Error::invalid(T::ErrBadImport, &[&source, &why]);
        let tasks: Vec<Json> = match serde_json::from_str::<Json>(text_in) {
            Ok(Json::Array(a)) => a,
            Ok(other @ Json::Object(_)) => vec![other],
            _ => text_in
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(|l| serde_json::from_str::<Json>(l.trim_end_matches(',')))
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| bad(e.to_string()))?,
        };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut report = ImportReport::default();
        let mut clients: HashMap<String, i64> = HashMap::new();
        {
            let mut find = tx.prepare("SELECT id FROM clients WHERE name_key = ?1")?;
            let mut add_client =
                tx.prepare("INSERT INTO clients(name, name_key, status, created_on) VALUES (?1, ?2, 'active', ?3)")?;
            let mut add_task = tx.prepare(
                "INSERT INTO tasks(client_id, title, spec, status, due, created_on, closed_on) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for (n, t) in tasks.iter().enumerate() {
                let t = t
                    .as_object()
                    .ok_or_else(|| Error::invalid(T::ErrImportNotExport, &[&source]))?;
                let s = |k: &str| t.get(k).and_then(Json::as_str).unwrap_or_default();
                let status = match s("status") {
                    "pending" | "waiting" | "" => TaskStatus::Todo,
                    "completed" => TaskStatus::Done,
                    "deleted" => TaskStatus::Cancelled,
                    // A recurring template is not a task of its own; its instances are.
                    "recurring" => continue,
                    _ => {
                        return Err(Error::invalid(
                            T::ErrImportField,
                            &[&source, &"tasks", &(n + 1), &"status"],
                        ))
                    }
                };
                let project = text::clean_line(s("project"));
                let client_name = if project.is_empty() {
                    "(no project)".to_string()
                } else {
                    project
                };
                let client_name: String = client_name.chars().take(text::MAX_NAME_CHARS).collect();
                let key = client_name.to_lowercase();
                let client_id = match clients.get(&key) {
                    Some(id) => *id,
                    None => {
                        let id = match rusqlite::OptionalExtension::optional(
                            find.query_row([&key], |r| r.get::<_, i64>(0)),
                        )? {
                            Some(id) => id,
                            None => {
                                add_client.execute(params![client_name, key, day(today)])?;
                                report.clients += 1;
                                tx.last_insert_rowid()
                            }
                        };
                        clients.insert(key, id);
                        id
                    }
                };
                let mut title: String = text::clean_line(s("description"))
                    .chars()
                    .take(text::MAX_NAME_CHARS)
                    .collect();
                if title.is_empty() {
                    title = "(no description)".into();
                }
                let mut spec_lines: Vec<String> = Vec::new();
                if let Some(anns) = t.get("annotations").and_then(Json::as_array) {
                    for a in anns {
                        if let Some(d) = a.get("description").and_then(Json::as_str) {
                            spec_lines.push(text::clean_line(d));
                        }
                    }
                }
                if let Some(tags) = t.get("tags").and_then(Json::as_array) {
                    let tags: Vec<String> = tags
                        .iter()
                        .filter_map(Json::as_str)
                        .map(|g| format!("#{}", text::clean_line(g)))
                        .collect();
                    if !tags.is_empty() {
                        spec_lines.push(tags.join(" "));
                    }
                }
                let due = tw_date(s("due"));
                let entry = tw_date(s("entry")).unwrap_or(today);
                let closed = match status {
                    TaskStatus::Done | TaskStatus::Cancelled => Some(tw_date(s("end")).unwrap_or(entry)),
                    _ => None,
                };
                add_task.execute(params![
                    client_id,
                    title,
                    text::clean_multiline(&spec_lines.join("\n")),
                    status.key(),
                    due.map(day),
                    day(entry),
                    closed.map(day)
                ])?;
                report.tasks += 1;
            }
        }
        tx.commit()?;
        Ok(report)
    }

    /// A consistent copy through SQLite's online backup (it includes what is still in the WAL).
    /// The destination must not exist yet.
    pub fn backup(&self, dest: &Path) -> Result<()> {
        if dest.exists() {
            return Err(Error::refused(T::ErrBackupExists, &[&dest.display()]));
        }
        if let Some(parent) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
            if !parent.is_dir() {
                return Err(Error::refused(T::ErrNoFolder, &[&parent.display()]));
            }
        }
        super::create_private_file(dest)?;
        let result = (|| -> Result<()> {
            let mut dst = rusqlite::Connection::open(dest)?;
            let b = rusqlite::backup::Backup::new(&self.conn, &mut dst)?;
            b.run_to_completion(256, std::time::Duration::from_millis(10), None)?;
            Ok(())
        })();
        if result.is_err() {
            // Only the file this call created is removed.
            let _ = std::fs::remove_file(dest);
        }
        result
    }
}

/// Taskwarrior dates are `20261123T093000Z` (UTC); vadesk keeps the local calendar date.
fn tw_date(s: &str) -> Option<NaiveDate> {
    let dt = NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%SZ").ok()?;
    let utc = chrono::DateTime::<chrono::Utc>::from_naive_utc_and_offset(dt, chrono::Utc);
    Some(utc.with_timezone(&chrono::Local).date_naive())
}

fn table_columns(tx: &Transaction, table: &str) -> Result<Vec<String>> {
    let mut q = tx.prepare(&format!("PRAGMA table_info({table})"))?;
    let rows = q.query_map([], |r| r.get::<_, String>(1))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn insert_row(
    tx: &Transaction,
    table: &str,
    columns: &[String],
    row: &Map<String, Json>,
    merge: bool,
) -> rusqlite::Result<Option<i64>> {
    let mut cols = Vec::new();
    let mut vals = Vec::new();
    for c in columns {
        let v = if c == "name_key" {
            row.get("name")
                .and_then(Json::as_str)
                .map(|n| Value::Text(n.to_lowercase()))
        } else {
            row.get(c).map(|v| match v {
                Json::Null => Value::Null,
                Json::Bool(b) => Value::Integer(*b as i64),
                Json::Number(n) => n
                    .as_i64()
                    .map(Value::Integer)
                    .unwrap_or_else(|| Value::Real(n.as_f64().unwrap_or(0.0))),
                Json::String(s) => Value::Text(s.clone()),
                other => Value::Text(other.to_string()),
            })
        };
        if let Some(v) = v {
            cols.push(c.as_str());
            vals.push(v);
        }
    }
    let holes = vec!["?"; cols.len()].join(",");
    // In a merge, flags whose source already raised one are skipped rather than duplicated.
    let verb = if (merge && table == "flags") || table == "weekly_reviews" {
        "INSERT OR IGNORE"
    } else {
        "INSERT"
    };
    let n = tx.execute(
        &format!("{verb} INTO {table}({}) VALUES ({holes})", cols.join(",")),
        params_from_iter(vals),
    )?;
    Ok((n == 1 && table != "weekly_reviews").then(|| tx.last_insert_rowid()))
}

/// Source references name records by id; a merge gives them new ids.
fn remap_ref(r: &str, maps: &HashMap<&str, HashMap<i64, i64>>) -> String {
    let parts: Vec<&str> = r.split(':').collect();
    let table = match parts.first().copied() {
        Some("material") | Some("feedback") => "requests",
        Some("quote") => "quotes",
        Some("meeting") => "meetings",
        Some("task") => "tasks",
        Some("channels") | Some("rate") | Some("weekly") => "clients",
        _ => return r.to_string(),
    };
    match parts
        .get(1)
        .and_then(|s| s.parse::<i64>().ok())
        .and_then(|old| maps.get(table).and_then(|m| m.get(&old)))
    {
        Some(new) => {
            let mut out: Vec<String> = parts.iter().map(|s| s.to_string()).collect();
            out[1] = new.to_string();
            out.join(":")
        }
        None => r.to_string(),
    }
}

/// Checks the values a person could have edited in an export by hand.
fn validate_row(table: &str, row: &mut Map<String, Json>) -> std::result::Result<(), &'static str> {
    let s = |row: &Map<String, Json>, k: &str| row.get(k).and_then(Json::as_str).map(str::to_string);
    let check = |ok: bool, what: &'static str| if ok { Ok(()) } else { Err(what) };
    let is_date = |v: Option<String>| v.is_none_or(|d| dates::parse_iso_date(&d).is_some());
    match table {
        "clients" => {
            let name = text::name(&s(row, "name").unwrap_or_default(), T::FieldName).map_err(|_| "name")?;
            row.insert("name".into(), Json::from(name));
            check(
                s(row, "status").is_some_and(|v| ClientStatus::from_key(&v).is_some()),
                "status",
            )?;
            check(
                is_date(s(row, "created_on")) && row.contains_key("created_on"),
                "created_on",
            )?;
        }
        "channels" => check(
            s(row, "kind").is_some_and(|v| ChannelKind::from_key(&v).is_some()),
            "kind",
        )?,
        "tasks" => {
            let title = text::name(&s(row, "title").unwrap_or_default(), T::FieldTitle).map_err(|_| "title")?;
            row.insert("title".into(), Json::from(title));
            check(
                s(row, "status").is_some_and(|v| TaskStatus::from_key(&v).is_some()),
                "status",
            )?;
            check(is_date(s(row, "due")) && is_date(s(row, "created_on")), "date")?;
        }
        "requests" => {
            check(
                s(row, "kind").is_some_and(|v| RequestKind::from_key(&v).is_some()),
                "kind",
            )?;
            check(is_date(s(row, "expected_by")) && is_date(s(row, "received_on")), "date")?;
        }
        "quotes" => {
            check(
                s(row, "status").is_some_and(|v| QuoteStatus::from_key(&v).is_some()),
                "status",
            )?;
            check(
                row.get("amount_cents")
                    .and_then(Json::as_i64)
                    .is_some_and(|a| (0..=crate::domain::money::MAX_CENTS).contains(&a)),
                "amount_cents",
            )?;
        }
        "meetings" => {
            check(
                s(row, "kind").is_some_and(|v| MeetingKind::from_key(&v).is_some()),
                "kind",
            )?;
            check(
                s(row, "attendance").is_some_and(|v| Attendance::from_key(&v).is_some()),
                "attendance",
            )?;
        }
        "flags" => {
            check(s(row, "kind").is_some_and(|v| FlagKind::from_key(&v).is_some()), "kind")?;
            check(is_date(s(row, "at")) && row.contains_key("at"), "at")?;
        }
        _ => {}
    }
    Ok(())
}

//! Moving records in and out: JSON export and import (round-tripping every record), the
//! Taskwarrior import, and SQLite's online backup.

use std::collections::HashMap;
use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Transaction, TransactionBehavior};
use serde_json::{Map, Value as Json};

use super::import_errors as errors;
use super::{day, Store};
use crate::domain::{
    dates, money, text, Attendance, ChannelKind, ClientStatus, FlagKind, MeetingKind, QuoteStatus, RequestKind,
    TaskStatus,
};
use crate::error::{Error, Result};
use crate::i18n::T;

/// How an imported field is checked and cleaned: as strictly as the command line would.
#[derive(Clone, Copy)]
pub(crate) enum Rule {
    /// A positive integer id, at most `search::MAX_IMPORTED_ID` (the search index's layout).
    Id,
    /// A canonical uuid (generated when an older export has none).
    Uuid,
    /// The id of a record of another table in the same file (or, in a merge, of the store).
    Ref(&'static str),
    /// A name or title: one line, not empty, at most 120 characters.
    Name,
    /// A client's name: a `Name` that is not digits alone (it would read as an id).
    ClientName,
    /// One line of text, at most `n` characters.
    Line(usize),
    /// Free text keeping its line breaks, at most 20,000 characters.
    Text,
    /// A fixed value: the check gives the value as the store keeps it (a key in its own case,
    /// without spaces: `TODO` and ` todo` are stored `todo`, as the command line stores them),
    /// or None.
    Key(fn(&str) -> Option<String>),
    Date,
    Stamp,
    Int(i64, i64),
    Bool,
}

/// One column: its name, its rule, and whether it may be null or absent.
pub(crate) type Column = (&'static str, Rule, bool);

const OPT: bool = true;
const REQ: bool = false;

fn client_status(s: &str) -> Option<String> {
    ClientStatus::from_key(s).map(|v| v.key().to_string())
}
fn channel_kind(s: &str) -> Option<String> {
    ChannelKind::from_key(s).map(|v| v.key().to_string())
}
fn task_status(s: &str) -> Option<String> {
    TaskStatus::from_key(s).map(|v| v.key().to_string())
}
fn outcome(s: &str) -> Option<String> {
    crate::domain::Outcome::from_key(s).map(|v| v.key().to_string())
}
fn request_kind(s: &str) -> Option<String> {
    RequestKind::from_key(s).map(|v| v.key().to_string())
}
fn quote_status(s: &str) -> Option<String> {
    QuoteStatus::from_key(s).map(|v| v.key().to_string())
}
fn meeting_kind(s: &str) -> Option<String> {
    MeetingKind::from_key(s).map(|v| v.key().to_string())
}
fn attendance(s: &str) -> Option<String> {
    Attendance::from_key(s).map(|v| v.key().to_string())
}
fn flag_kind(s: &str) -> Option<String> {
    FlagKind::from_key(s).map(|v| v.key().to_string())
}
fn flag_source(s: &str) -> Option<String> {
    (s == "manual" || s == "auto").then(|| s.to_string())
}
fn weekday(s: &str) -> Option<String> {
    dates::parse_weekday(s)
        .is_some_and(|w| dates::weekday_key(w) == s)
        .then(|| s.to_string())
}
fn currency(s: &str) -> Option<String> {
    (money::parse_currency(s).is_ok() && s == s.to_uppercase()).then(|| s.to_string())
}
fn month_key(s: &str) -> Option<String> {
    money::Month::parse(s)
        .is_ok_and(|m| m.key() == s)
        .then(|| s.to_string())
}
fn every_rule(s: &str) -> Option<String> {
    (s.chars().count() <= 40 && crate::domain::recur::Every::is_valid(s)).then(|| s.to_string())
}
fn source_ref(s: &str) -> Option<String> {
    (!s.is_empty() && s.len() <= 120 && s.chars().all(|c| c.is_ascii_alphanumeric() || ":_-".contains(c)))
        .then(|| s.to_string())
}

/// Reads a vadesk export's JSON, refusing an object that names one key twice (`serde_json`
/// keeps the last of them quietly: a file that says two things of one field is not imported
/// as either).
pub fn parse_export(text: &str) -> serde_json::Result<Json> {
    use serde::de::{DeserializeSeed, Error as _, MapAccess, SeqAccess, Visitor};

    struct Strict;
    impl<'de> DeserializeSeed<'de> for Strict {
        type Value = Json;
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<Json, D::Error> {
            d.deserialize_any(self)
        }
    }
    impl<'de> Visitor<'de> for Strict {
        type Value = Json;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_bool<E>(self, v: bool) -> std::result::Result<Json, E> {
            Ok(Json::Bool(v))
        }
        fn visit_i64<E>(self, v: i64) -> std::result::Result<Json, E> {
            Ok(Json::from(v))
        }
        fn visit_u64<E>(self, v: u64) -> std::result::Result<Json, E> {
            Ok(Json::from(v))
        }
        fn visit_f64<E>(self, v: f64) -> std::result::Result<Json, E> {
            Ok(serde_json::Number::from_f64(v).map_or(Json::Null, Json::Number))
        }
        fn visit_str<E>(self, v: &str) -> std::result::Result<Json, E> {
            Ok(Json::String(v.to_string()))
        }
        fn visit_string<E>(self, v: String) -> std::result::Result<Json, E> {
            Ok(Json::String(v))
        }
        fn visit_unit<E>(self) -> std::result::Result<Json, E> {
            Ok(Json::Null)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Json, A::Error> {
            let mut v = Vec::new();
            while let Some(x) = seq.next_element_seed(Strict)? {
                v.push(x);
            }
            Ok(Json::Array(v))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Json, A::Error> {
            let mut m = Map::new();
            while let Some(k) = map.next_key::<String>()? {
                let v = map.next_value_seed(Strict)?;
                if m.insert(k.clone(), v).is_some() {
                    return Err(A::Error::custom(format_args!(
                        "the key \"{k}\" is given twice in one object"
                    )));
                }
            }
            Ok(Json::Object(m))
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let v = Strict.deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}

/// Every table an export holds, in dependency order, with every column it may carry.
pub(crate) const TABLES: &[(&str, &[Column])] = &[
    (
        "clients",
        &[
            ("id", Rule::Id, REQ),
            ("uuid", Rule::Uuid, OPT),
            ("name", Rule::ClientName, REQ),
            ("status", Rule::Key(client_status), REQ),
            ("tool", Rule::Line(text::MAX_NAME_CHARS), OPT),
            ("review_day", Rule::Key(weekday), OPT),
            ("notes", Rule::Text, OPT),
            ("created_on", Rule::Date, REQ),
            ("review_snoozed_until", Rule::Date, OPT),
            ("rate_cents", Rule::Int(0, money::MAX_CENTS), OPT),
            ("currency", Rule::Key(currency), OPT),
            ("increment_min", Rule::Int(1, money::MAX_INCREMENT as i64), OPT),
            ("retainer_min", Rule::Int(1, money::MAX_RETAINER_MINUTES as i64), OPT),
            ("fee_cents", Rule::Int(0, money::MAX_CENTS), OPT),
            ("overage_cents", Rule::Int(0, money::MAX_CENTS), OPT),
        ],
    ),
    (
        "channels",
        &[
            ("id", Rule::Id, REQ),
            ("uuid", Rule::Uuid, OPT),
            ("client_id", Rule::Ref("clients"), REQ),
            ("kind", Rule::Key(channel_kind), REQ),
            ("handle", Rule::Line(text::MAX_NAME_CHARS), OPT),
        ],
    ),
    (
        "recurrences",
        &[
            ("id", Rule::Id, REQ),
            ("uuid", Rule::Uuid, OPT),
            ("rule", Rule::Key(every_rule), REQ),
            ("start", Rule::Date, REQ),
        ],
    ),
    (
        "tasks",
        &[
            ("id", Rule::Id, REQ),
            ("uuid", Rule::Uuid, OPT),
            ("client_id", Rule::Ref("clients"), REQ),
            ("title", Rule::Name, REQ),
            ("spec", Rule::Text, OPT),
            ("status", Rule::Key(task_status), REQ),
            ("due", Rule::Date, OPT),
            ("via", Rule::Key(channel_kind), OPT),
            ("clarifications", Rule::Int(0, 10_000), OPT),
            ("estimate_min", Rule::Int(0, 100_000), OPT),
            ("delivered_on", Rule::Date, OPT),
            ("outcome", Rule::Key(outcome), OPT),
            ("created_on", Rule::Date, REQ),
            ("closed_on", Rule::Date, OPT),
            ("snoozed_until", Rule::Date, OPT),
            ("recurrence_id", Rule::Ref("recurrences"), OPT),
            ("tool_seen", Rule::Key(super::import_tools::tool_seen), OPT),
        ],
    ),
    (
        "requests",
        &[
            ("id", Rule::Id, REQ),
            ("uuid", Rule::Uuid, OPT),
            ("task_id", Rule::Ref("tasks"), REQ),
            ("kind", Rule::Key(request_kind), REQ),
            ("what", Rule::Line(text::MAX_NAME_CHARS), OPT),
            ("asked_on", Rule::Date, REQ),
            ("expected_by", Rule::Date, REQ),
            ("received_on", Rule::Date, OPT),
            ("nudges", Rule::Int(0, 10_000), OPT),
            ("last_nudge", Rule::Date, OPT),
            ("snoozed_until", Rule::Date, OPT),
        ],
    ),
    (
        "quotes",
        &[
            ("id", Rule::Id, REQ),
            ("uuid", Rule::Uuid, OPT),
            ("client_id", Rule::Ref("clients"), REQ),
            ("amount_cents", Rule::Int(0, money::MAX_CENTS), REQ),
            ("prep_min", Rule::Int(0, 100_000), OPT),
            ("sent_on", Rule::Date, REQ),
            ("answer_by", Rule::Date, REQ),
            ("status", Rule::Key(quote_status), REQ),
            ("answered_on", Rule::Date, OPT),
            ("snoozed_until", Rule::Date, OPT),
            ("description", Rule::Text, OPT),
            ("nudges", Rule::Int(0, 10_000), OPT),
            ("last_nudge", Rule::Date, OPT),
        ],
    ),
    (
        "meetings",
        &[
            ("id", Rule::Id, REQ),
            ("uuid", Rule::Uuid, OPT),
            ("client_id", Rule::Ref("clients"), REQ),
            ("kind", Rule::Key(meeting_kind), REQ),
            ("at", Rule::Stamp, REQ),
            ("attendance", Rule::Key(attendance), REQ),
            ("late_minutes", Rule::Int(0, 1_440), OPT),
            ("snoozed_until", Rule::Date, OPT),
            ("length_min", Rule::Int(1, 1_440), OPT),
        ],
    ),
    (
        "flags",
        &[
            ("id", Rule::Id, REQ),
            ("uuid", Rule::Uuid, OPT),
            ("client_id", Rule::Ref("clients"), REQ),
            ("kind", Rule::Key(flag_kind), REQ),
            ("at", Rule::Date, REQ),
            ("note", Rule::Text, OPT),
            ("source", Rule::Key(flag_source), REQ),
            ("source_ref", Rule::Key(source_ref), OPT),
            ("dismissed", Rule::Bool, OPT),
            ("created_at", Rule::Stamp, REQ),
        ],
    ),
    (
        "weekly_reviews",
        &[
            ("id", Rule::Id, OPT),
            ("uuid", Rule::Uuid, OPT),
            ("client_id", Rule::Ref("clients"), REQ),
            ("on_date", Rule::Date, REQ),
            ("missed", Rule::Bool, OPT),
        ],
    ),
    (
        "time_entries",
        &[
            ("id", Rule::Id, REQ),
            ("uuid", Rule::Uuid, OPT),
            ("client_id", Rule::Ref("clients"), REQ),
            ("task_id", Rule::Ref("tasks"), OPT),
            ("start", Rule::Stamp, REQ),
            ("minutes", Rule::Int(0, money::MAX_ENTRY_MINUTES as i64), OPT),
            ("billable", Rule::Bool, OPT),
            ("note", Rule::Line(text::MAX_TEXT_CHARS), OPT),
            ("billed_on", Rule::Date, OPT),
            ("billed_min", Rule::Int(0, money::MAX_ENTRY_MINUTES as i64), OPT),
        ],
    ),
    (
        "billed_terms",
        &[
            ("id", Rule::Id, REQ),
            ("uuid", Rule::Uuid, OPT),
            ("client_id", Rule::Ref("clients"), REQ),
            ("month", Rule::Key(month_key), REQ),
            ("billed_on", Rule::Date, REQ),
            ("status", Rule::Key(client_status), REQ),
            ("currency", Rule::Key(currency), OPT),
            ("increment_min", Rule::Int(1, money::MAX_INCREMENT as i64), OPT),
            ("rate_cents", Rule::Int(0, money::MAX_CENTS), OPT),
            ("retainer_min", Rule::Int(1, money::MAX_RETAINER_MINUTES as i64), OPT),
            ("fee_cents", Rule::Int(0, money::MAX_CENTS), OPT),
            ("overage_cents", Rule::Int(0, money::MAX_CENTS), OPT),
        ],
    ),
    (
        "counter_events",
        &[
            ("id", Rule::Id, REQ),
            ("uuid", Rule::Uuid, OPT),
            ("task_id", Rule::Ref("tasks"), OPT),
            ("request_id", Rule::Ref("requests"), OPT),
            ("quote_id", Rule::Ref("quotes"), OPT),
            ("on_date", Rule::Date, REQ),
        ],
    ),
];

/// Exports before uuids (format 1) are still read.
pub const EXPORT_FORMAT: i64 = 2;

/// What an import added.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportReport {
    pub clients: usize,
    pub tasks: usize,
    pub other: usize,
    /// Records the store already had (matched by uuid) that the file changed: for Taskwarrior,
    /// the tasks changed there since the last import.
    pub updated: usize,
    /// Billed time entries the file would have changed, kept as they were invoiced.
    pub billed_kept: usize,
}

impl Store {
    /// Every record, table by table, as JSON.
    /// Every table, read in one snapshot: what other programs write meanwhile is all in it or
    /// all out of it, so the file always imports again.
    pub fn export(&self) -> Result<Json> {
        self.reading(Store::export_snapshot)
    }

    fn export_snapshot(&self) -> Result<Json> {
        let mut out = Map::new();
        out.insert("format".into(), Json::from(EXPORT_FORMAT));
        out.insert("schema".into(), Json::from(super::LATEST_VERSION));
        for (table, cols) in TABLES {
            let names: Vec<&str> = cols.iter().map(|c| c.0).collect();
            let mut q = self
                .conn
                .prepare(&format!("SELECT {} FROM {table} ORDER BY id", names.join(", ")))?;
            let rows = q.query_map([], |r| {
                let mut obj = Map::new();
                for (i, n) in names.iter().enumerate() {
                    let v = match r.get::<_, Value>(i)? {
                        Value::Null => Json::Null,
                        Value::Integer(n) => Json::from(n),
                        Value::Real(f) => Json::from(f),
                        Value::Text(s) => Json::from(s),
                        Value::Blob(_) => Json::Null,
                    };
                    obj.insert((*n).to_string(), v);
                }
                Ok(Json::Object(obj))
            })?;
            let list: Vec<Json> = rows.collect::<rusqlite::Result<_>>()?;
            out.insert((*table).into(), Json::Array(list));
        }
        Ok(Json::Object(out))
    }

    /// Imports an export. Into an empty store the ids are kept; with `merge` the records join
    /// the existing ones: a record whose uuid the store knows is updated in place (so importing
    /// the same export twice changes nothing), a client of the same name is joined, and new
    /// records get new ids. Every field is checked and cleaned as the command line would; one
    /// bad field imports nothing and the message names the record and the field.
    pub fn import(&mut self, data: &Json, merge: bool, source: &str) -> Result<ImportReport> {
        if !merge && !self.is_empty()? {
            return Err(Error::refused(T::ErrNotEmpty, &[]));
        }
        let not_export = || Error::invalid(T::ErrImportNotExport, &[&source]);
        let obj = data.as_object().ok_or_else(not_export)?;
        let format = obj.get("format").and_then(Json::as_i64).unwrap_or(0);
        if !matches!(format, 1 | 2) {
            return Err(not_export());
        }
        // An export of a newer version may mean something else by the same fields: refused,
        // as a table this version does not know is.
        if let Some(schema) = obj.get("schema") {
            if !schema
                .as_i64()
                .is_some_and(|v| (0..=i64::from(super::LATEST_VERSION)).contains(&v))
            {
                return Err(Error::invalid(T::ErrImportNewerSchema, &[&source, &schema]));
            }
        }
        // A table this version does not know (an export of a newer one) would be left out
        // without a word: the file is refused instead, as a record's unknown field is.
        if let Some(unknown) = obj
            .keys()
            .find(|k| !matches!(k.as_str(), "format" | "schema") && !TABLES.iter().any(|(t, _)| t == k))
        {
            return Err(Error::invalid(T::ErrImportUnknownTable, &[&source, &unknown]));
        }
        let now = self.clock();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut maps: HashMap<&str, HashMap<i64, i64>> = HashMap::new();
        let mut report = ImportReport::default();
        // Records already in the store that the file wrote over: their counters are counted
        // again from the events at the end (see below).
        let mut updated: Vec<(&str, i64)> = Vec::new();
        // Where each uuid of the file was first seen, across tables: a uuid names one record
        // (a sync keys records by it alone, so a task carrying a client's uuid would take the
        // client's place on the other machine).
        let mut uuid_at: HashMap<String, (&str, usize)> = HashMap::new();
        for (table, cols) in TABLES {
            let Some(rows) = obj.get(*table) else { continue };
            let rows = rows.as_array().ok_or_else(not_export)?;
            // Where each uuid and id of this table was first seen: a record given twice is
            // refused (the later row would take the earlier's place, and its children with it).
            let mut seen: HashMap<(&str, String), usize> = HashMap::new();
            for (n, row) in rows.iter().enumerate() {
                let mut row = row.as_object().ok_or_else(not_export)?.clone();
                if format == 1 {
                    // Before cents: `rate` and `amount` were decimal numbers.
                    for (old, new) in [("rate", "rate_cents"), ("amount", "amount_cents")] {
                        if let Some(v) = row.remove(old) {
                            let cents = match &v {
                                Json::Null => Some(Json::Null),
                                v => v.as_f64().and_then(money::cents_from_f64).map(Json::from),
                            };
                            row.insert(new.into(), cents.unwrap_or(v));
                        }
                    }
                }
                let row = &row;
                let field = |col: &str| errors::field(source, table, n, col);
                if let Some(extra) = row.keys().find(|k| *k != "name_key" && !cols.iter().any(|c| c.0 == *k)) {
                    return Err(field(extra));
                }
                let mut values: Vec<(&str, Value)> = Vec::new();
                for (col, rule, optional) in cols.iter() {
                    let v = match row.get(*col) {
                        None | Some(Json::Null) if *optional => continue,
                        None | Some(Json::Null) => return Err(field(col)),
                        Some(v) => checked(*rule, v, &maps).ok_or_else(|| field(col))?,
                    };
                    values.push((col, v));
                }
                for (col, v) in values.iter().filter(|(c, _)| *c == "uuid" || *c == "id") {
                    let key = match v {
                        Value::Integer(i) => i.to_string(),
                        Value::Text(t) => t.clone(),
                        _ => continue,
                    };
                    if let Some(first) = seen.insert((col, key), n) {
                        return Err(errors::twice(source, table, first, n, col));
                    }
                }
                if let Some((_, Value::Text(uuid))) = values.iter().find(|(c, _)| *c == "uuid") {
                    if let Some((first_table, first)) = uuid_at.insert(uuid.clone(), (table, n)) {
                        if first_table != *table {
                            return Err(errors::uuid_shared(source, (first_table, first), (table, n)));
                        }
                    }
                    if uuid_elsewhere(&tx, table, uuid)? {
                        return Err(errors::uuid_taken(source, table, n, uuid));
                    }
                }
                let old_id = row.get("id").and_then(Json::as_i64);
                if *table == "flags" {
                    if let Some(i) = values.iter().position(|(c, _)| *c == "source_ref") {
                        if let Value::Text(r) = &values[i].1 {
                            values[i].1 = Value::Text(remap_ref(r, &maps));
                        }
                    }
                }
                if !values.iter().any(|(c, _)| *c == "uuid") {
                    values.push(("uuid", Value::Text(crate::domain::identity::new_uuid())));
                }
                if *table == "clients" {
                    if let Some((_, Value::Text(name))) = values.iter().find(|(c, _)| *c == "name") {
                        let key = name.to_lowercase();
                        values.push(("name_key", Value::Text(key)));
                    }
                }
                let broken = match *table {
                    "time_entries" => super::import_rules::time_task_client(&tx, &values)?,
                    _ => None,
                };
                if let Some((col, why)) = broken {
                    return Err(errors::rule(source, table, n, col, why));
                }
                let existing = same_record(&tx, table, &values, merge)?;
                // A client of the same name but another uuid is another record of the same
                // person: the file's records join it, and its own fields (rate, currency,
                // retainer, notes) stay as the store has them.
                let joined = *table == "clients"
                    && existing.is_some_and(|id| {
                        let uuid = values.iter().find(|(c, _)| *c == "uuid").map(|(_, v)| v.clone());
                        tx.query_row(
                            "SELECT uuid IS NOT ? FROM clients WHERE id = ?",
                            params![uuid, id],
                            |r| r.get::<_, bool>(0),
                        )
                        .unwrap_or(false)
                    });
                if let (true, Some(id)) = (joined, existing) {
                    if let Some(old) = old_id {
                        maps.entry(table).or_default().insert(old, id);
                    }
                    continue;
                }
                // A month the store has billed keeps the terms it billed it under: the file's
                // terms for the same client and month (billed on another copy) stay out.
                if merge && *table == "billed_terms" && existing.is_none() {
                    let get = |col: &str| values.iter().find(|(c, _)| *c == col).map(|(_, v)| v.clone());
                    let billed: bool = tx.query_row(
                        "SELECT count(*) > 0 FROM billed_terms WHERE client_id = ?1 AND month = ?2",
                        params![get("client_id"), get("month")],
                        |r| r.get(0),
                    )?;
                    if billed {
                        continue;
                    }
                }
                // A task whose time is already billed stays with the client it was billed to
                // (as `task edit --client` refuses): the file that moves it is refused whole.
                if let (Some(id), "tasks") = (existing, *table) {
                    if let Some((_, to)) = values.iter().find(|(c, _)| *c == "client_id") {
                        if let Some(why) = super::import_rules::billed_task_moved(&tx, id, to)? {
                            return Err(errors::rule(source, table, n, "client_id", why));
                        }
                    }
                }
                let id = match existing {
                    Some(id) => {
                        let sets: Vec<(&str, Value)> = values
                            .iter()
                            .filter(|(c, _)| *c != "id" && *c != "uuid")
                            .cloned()
                            .collect();
                        if !sets.is_empty() {
                            // Only a record the file changes is written (and counted).
                            let assign: Vec<String> = sets.iter().map(|(c, _)| format!("{c} = ?")).collect();
                            let differs: Vec<String> = sets.iter().map(|(c, _)| format!("{c} IS NOT ?")).collect();
                            let values: Vec<Value> = sets.into_iter().map(|(_, v)| v).collect();
                            // A billed time entry is changed only with `time edit --force`:
                            // a file that would change it leaves it as it was invoiced.
                            if *table == "time_entries" {
                                let mut ask = vec![Value::Integer(id)];
                                ask.extend(values.iter().cloned());
                                let billed_change: bool = tx.query_row(
                                    &format!(
                                        "SELECT count(*) > 0 FROM time_entries WHERE id = ? AND billed_on IS NOT NULL AND ({})",
                                        differs.join(" OR ")
                                    ),
                                    params_from_iter(ask),
                                    |r| r.get(0),
                                )?;
                                if billed_change {
                                    report.billed_kept += 1;
                                    if let Some(old) = old_id {
                                        maps.entry(table).or_default().insert(old, id);
                                    }
                                    continue;
                                }
                            }
                            let mut params = values.clone();
                            params.push(Value::Integer(id));
                            params.extend(values);
                            let changed = tx
                                .execute(
                                    &format!(
                                        "UPDATE {table} SET {} WHERE id = ? AND ({})",
                                        assign.join(", "),
                                        differs.join(" OR ")
                                    ),
                                    params_from_iter(params),
                                )
                                .map_err(|e| errors::db(source, table, n, &e))?;
                            report.updated += changed;
                        }
                        updated.push((table, id));
                        id
                    }
                    None => {
                        let kept: Vec<(&str, Value)> =
                            values.into_iter().filter(|(c, _)| !(merge && *c == "id")).collect();
                        let holes = vec!["?"; kept.len()].join(", ");
                        let names: Vec<&str> = kept.iter().map(|(c, _)| *c).collect();
                        tx.execute(
                            &format!("INSERT INTO {table}({}) VALUES ({holes})", names.join(", ")),
                            params_from_iter(kept.into_iter().map(|(_, v)| v)),
                        )
                        .map_err(|e| errors::db(source, table, n, &e))?;
                        match *table {
                            "clients" => report.clients += 1,
                            "tasks" => report.tasks += 1,
                            _ => report.other += 1,
                        }
                        tx.last_insert_rowid()
                    }
                };
                // Judged on the record as written: in a merge, the store's fields the file
                // leaves out count too.
                if let Some((col, why)) = super::import_rules::broken(&tx, table, id, now)? {
                    return Err(errors::rule(source, table, n, col, why));
                }
                if let Some(old) = old_id {
                    maps.entry(table).or_default().insert(old, id);
                }
            }
        }
        // An export from before billed entries kept their minutes as invoiced: billed as they are.
        tx.execute(
            "UPDATE time_entries SET billed_min = minutes
             WHERE billed_on IS NOT NULL AND billed_min IS NULL AND billable = 1 AND minutes IS NOT NULL",
            [],
        )?;
        // An export from before counters were events: its counts become events.
        super::counters::backfill(&tx)?;
        // A record the store already held took the file's counts with its other fields, but
        // its events are the union of both (the store's and the file's): a file older than the
        // store's last nudges would otherwise leave fewer nudges than events.
        for (table, id) in updated {
            super::counters::recount(&tx, table, id)?;
        }
        tx.commit()?;
        Ok(report)
    }

    /// Imports Taskwarrior's `task export` (a JSON array, or one object per line).
    pub fn import_taskwarrior(
        &mut self,
        input: impl std::io::BufRead + Send,
        today: NaiveDate,
        source: &str,
    ) -> Result<ImportReport> {
        self.import_taskwarrior_bulk_after(input, today, source, Some(BULK_AFTER))
    }

    /// `import_taskwarrior`, going over to bulk work once `bulk_after` new tasks (and at least as
    /// many as the store held) are in; `None` keeps to row-by-row work. Public for the tests that
    /// compare both ways.
    #[doc(hidden)]
    pub fn import_taskwarrior_bulk_after(
        &mut self,
        input: impl std::io::BufRead + Send,
        today: NaiveDate,
        source: &str,
        bulk_after: Option<usize>,
    ) -> Result<ImportReport> {
        let journal = bulk_after.is_some() && self.rollback_journal_while_empty()?;
        let result = self.import_taskwarrior_in(input, today, source, bulk_after);
        if journal {
            // Back to the store's own mode; should another program hold the file now, the
            // next opening of the store sets it (every connection does), and the import stands.
            let _ = self
                .conn
                .query_row("PRAGMA journal_mode=WAL", [], |r| r.get::<_, String>(0));
        }
        result
    }

    /// A store without tasks that no other connection has open is written by a Taskwarrior
    /// import through a rollback journal instead of the WAL: the import writes the whole store
    /// anew (about 450 MB at a million tasks), which through the WAL would be written twice
    /// (once into the WAL, once more by the checkpoint after the commit) and read back from it
    /// through the WAL's index while the search index and the tasks' indexes are built. The
    /// journal holds only the pages the store had before, so a failed or killed import still
    /// leaves the store exactly as it was (the next opening rolls a killed one back). Only
    /// while nobody else has the store open (SQLite refuses the change otherwise, and the import
    /// then keeps to the WAL); a program that opens the store during such an import waits for
    /// its turn as for any writer (`Store::open` sets the WAL back once it can). Whether it
    /// switched.
    fn rollback_journal_while_empty(&mut self) -> Result<bool> {
        let empty: bool = self
            .conn
            .query_row("SELECT NOT EXISTS (SELECT 1 FROM tasks)", [], |r| r.get(0))?;
        if !empty {
            return Ok(false);
        }
        // Another connection holding the WAL open is answered at once, not after a wait.
        self.conn.busy_timeout(std::time::Duration::ZERO)?;
        let mode = self
            .conn
            .query_row("PRAGMA journal_mode=DELETE", [], |r| r.get::<_, String>(0));
        self.conn.busy_timeout(super::BUSY_TIMEOUT)?;
        Ok(mode.is_ok_and(|m| m.eq_ignore_ascii_case("delete")))
    }

    fn import_taskwarrior_in(
        &mut self,
        input: impl std::io::BufRead + Send,
        today: NaiveDate,
        source: &str,
        bulk_after: Option<usize>,
    ) -> Result<ImportReport> {
        let bad = |why: String| Error::invalid(T::ErrBadImport, &[&source, &why]);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (held, last_id): (i64, i64) =
            tx.query_row("SELECT count(*), coalesce(max(id), 0) FROM tasks", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        let bulk_after = bulk_after.map(|n| n.max(held.max(0) as usize));
        let mut bulk: Option<Bulk> = None;
        // A bigger page cache for the one long transaction: the tasks' indexes stay in memory
        // while a million rows go in (restored below; it is per connection).
        let cache: i64 = tx.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        tx.execute_batch("PRAGMA cache_size = -32768")?;
        let mut report = ImportReport::default();
        let mut clients: HashMap<String, i64> = HashMap::new();
        // The newest change of the tasks the last import brought (Taskwarrior's `modified`):
        // a task the store already has comes in again only when Taskwarrior changed it after
        // that; one unchanged there keeps what the VA made of it here.
        let since: Option<String> = tx.query_row("SELECT max(value) FROM meta WHERE key = ?1", [TW_MODIFIED], |r| {
            r.get(0)
        })?;
        let mut newest: Option<String> = None;
        {
            let mut find = tx.prepare("SELECT id FROM clients WHERE name_key = ?1")?;
            let mut task_of = tx.prepare("SELECT id FROM tasks WHERE uuid = ?1")?;
            let mut add_client =
                tx.prepare("INSERT INTO clients(name, name_key, status, created_on) VALUES (?1, ?2, 'active', ?3)")?;
            // Taskwarrior's uuid is the task's: importing the same export again updates the
            // tasks it brought instead of adding them twice.
            let mut add_task = tx.prepare(
                "INSERT INTO tasks(client_id, title, spec, status, due, created_on, closed_on, uuid)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT(uuid) DO NOTHING",
            )?;
            let mut update_task = tx.prepare(
                "UPDATE tasks SET client_id = ?1, title = ?2, spec = ?3, status = ?4, due = ?5, closed_on = ?7
                 WHERE uuid = ?8 RETURNING id",
            )?;
            // Which tasks the file already gave, to refuse a uuid given twice (the later task
            // would silently replace the earlier).
            let mut seen = TwSeen::new(&tx)?;
            // The file is read and each task checked on a second thread while this one writes;
            // a bounded channel of small batches keeps memory flat. Rows arrive in the file's
            // order, a task's error after the rows before it, so the first error stops the
            // import where it always did (and rolls it all back).
            let (send, recv) = std::sync::mpsc::sync_channel::<Vec<Result<Option<TwRow>>>>(TW_BATCHES);
            let today_day = day(today);
            std::thread::scope(|scope| -> Result<()> {
                let reader = scope.spawn(|| read_taskwarrior(input, send, source, today, &bad));
                let written = (|| -> Result<()> {
                    for batch in recv {
                        for row in batch {
                            let Some(row) = row? else { continue };
                            let client_id = match clients.get(&row.key) {
                                Some(id) => *id,
                                None => {
                                    let id = match rusqlite::OptionalExtension::optional(
                                        find.query_row([&row.key], |r| r.get::<_, i64>(0)),
                                    )? {
                                        Some(id) => id,
                                        None => {
                                            add_client.execute(params![row.client_name, row.key, today_day])?;
                                            report.clients += 1;
                                            tx.last_insert_rowid()
                                        }
                                    };
                                    clients.insert(row.key, id);
                                    id
                                }
                            };
                            let values = params![
                                client_id,
                                row.title,
                                row.spec,
                                row.status.key(),
                                row.due,
                                row.entry,
                                row.closed,
                                row.uuid
                            ];
                            if add_task.execute(values)? == 1 {
                                seen.added(tx.last_insert_rowid(), row.at);
                                report.tasks += 1;
                                if bulk.is_none() && bulk_after.is_some_and(|b| report.tasks >= b) {
                                    bulk = Some(Bulk::start(&tx)?);
                                }
                            } else {
                                let changed_there = match (&row.modified, &since) {
                                    (Some(m), Some(s)) => m > s,
                                    _ => false,
                                };
                                let id: i64 = if changed_there {
                                    // A task with billed time stays with the client it was
                                    // invoiced to: moved in Taskwarrior, the file is refused.
                                    let id: i64 = task_of.query_row([&row.uuid], |r| r.get(0))?;
                                    let to = rusqlite::types::Value::Integer(client_id);
                                    if let Some(why) = super::import_rules::billed_task_moved(&tx, id, &to)? {
                                        return Err(errors::rule(source, "tasks", row.at, "project", why));
                                    }
                                    report.updated += 1;
                                    update_task.query_row(values, |r| r.get(0))?
                                } else {
                                    task_of.query_row([&row.uuid], |r| r.get(0))?
                                };
                                if let Some(first) = seen.updated(id, row.at) {
                                    return Err(errors::twice(source, "tasks", first, row.at, "uuid"));
                                }
                            }
                            if row.modified > newest {
                                newest = row.modified.clone();
                            }
                        }
                    }
                    Ok(())
                })();
                // The reader stops at its next batch once the receiving end is gone.
                if let Err(panic) = reader.join() {
                    std::panic::resume_unwind(panic);
                }
                written
            })?;
        }
        if let Some(b) = bulk {
            b.finish(&tx)?;
        }
        // A task the file added with the uuid of another kind of record (a sync tells records
        // apart by their uuid alone). Each other table's records are looked up among the tasks
        // (by the uuid's index), never the file's tasks among them: its cost is the store's
        // other records, small beside a million imported tasks.
        for (other, _) in TABLES.iter().filter(|(t, _)| *t != "tasks") {
            let taken: Option<String> = rusqlite::OptionalExtension::optional(tx.query_row(
                &format!("SELECT t.uuid FROM {other} o CROSS JOIN tasks t ON t.uuid = o.uuid WHERE t.id > ?1 LIMIT 1"),
                [last_id],
                |r| r.get(0),
            ))?;
            if let Some(uuid) = taken {
                return Err(Error::invalid(T::ErrImportTwUuidTaken, &[&source, &uuid]));
            }
        }
        if let Some(newest) = newest {
            tx.execute(
                "INSERT INTO meta(key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = max(value, excluded.value)",
                params![TW_MODIFIED, newest],
            )?;
        }
        tx.execute_batch(&format!("PRAGMA cache_size = {cache}"))?;
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
            // Every page in one step, under one read of the store: a backup made of many steps
            // starts again whenever another connection writes between two of them, which a
            // steady writer (or a store whose shared memory cannot be written, which looks
            // changed at every step) turned into a copy that never ended. A busy destination
            // is waited for as a busy store is.
            let waited = std::time::Instant::now();
            loop {
                match b.step(-1)? {
                    rusqlite::backup::StepResult::Done => break,
                    _ if waited.elapsed() > super::BUSY_TIMEOUT => {
                        return Err(rusqlite::Error::SqliteFailure(
                            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                            None,
                        )
                        .into())
                    }
                    _ => std::thread::sleep(std::time::Duration::from_millis(10)),
                }
            }
            Ok(())
        })();
        if result.is_err() {
            // Only the file this call created is removed.
            let _ = std::fs::remove_file(dest);
        }
        result
    }
}

/// The tasks a Taskwarrior import has written so far, each with its place in the file, to tell
/// a uuid the file gives twice. Small at a million tasks: four bytes a task. The tasks it adds
/// get consecutive ids (one transaction, no other writer), so their places are a list; the
/// tasks the store held are found by id in a list as long as the largest id updated so far
/// or, when the store's ids are far apart (an import that kept huge ids), in a map of the
/// tasks updated.
struct TwSeen {
    /// The id of the first task added, and the place of each added task from it on.
    first_new: Option<i64>,
    added: Vec<u32>,
    /// The store's tasks updated: their place + 1 (0: not yet), by id - 1.
    held: Vec<u32>,
    held_sparse: HashMap<i64, u32>,
    dense: bool,
}

impl TwSeen {
    fn new(tx: &Transaction) -> Result<TwSeen> {
        let (max, count): (i64, i64) = tx.query_row("SELECT coalesce(max(id), 0), count(*) FROM tasks", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        Ok(TwSeen {
            first_new: None,
            added: Vec::new(),
            held: Vec::new(),
            held_sparse: HashMap::new(),
            // The list costs four bytes an id, the map about twenty a task: the list while the
            // ids are no further apart than four to a task.
            dense: max <= count.saturating_mul(4).saturating_add(65_536),
        })
    }

    fn place(at: usize) -> u32 {
        u32::try_from(at).unwrap_or(u32::MAX)
    }

    fn added(&mut self, id: i64, at: usize) {
        self.first_new.get_or_insert(id);
        self.added.push(Self::place(at));
    }

    /// A task the file gave again: the place where it gave it first, if it did.
    fn updated(&mut self, id: i64, at: usize) -> Option<usize> {
        if let Some(first) = self.first_new.filter(|f| id >= *f) {
            return self.added.get((id - first) as usize).map(|p| *p as usize);
        }
        let place = Self::place(at).saturating_add(1);
        let before = if self.dense {
            let i = (id - 1).max(0) as usize;
            if self.held.len() <= i {
                self.held.resize(i + 1, 0);
            }
            std::mem::replace(&mut self.held[i], place)
        } else {
            self.held_sparse.insert(id, place).unwrap_or(0)
        };
        (before > 0).then(|| before as usize - 1)
    }
}

/// New tasks after which a Taskwarrior import goes over to bulk work (when the store held
/// fewer tasks than that; otherwise once as many as it held are in). Small: before it, every
/// task's statement also writes its search row as a segment of its own.
const BULK_AFTER: usize = 1_000;

/// The search index's merge settings while a bulk import writes its rows: no merging as the
/// segments are written (a merge of at most this many segments when that many pile up), then
/// one merge of everything at the end ('optimize'), instead of merging the same rows again at
/// every level. The store's own settings (the defaults: no rows in `search_config`) come back
/// before the import commits.
const BULK_SEARCH_MERGE: [(&str, i64, i64); 2] = [("automerge", 0, 4), ("crisismerge", 256, 16)];

/// The page cache while the bulk work builds the search index and the tasks' indexes: both
/// read the tasks once in order and write new pages in order, and SQLite's sorter (building an
/// index) keeps runs of this size, which sort faster than bigger ones.
const BULK_FINISH_CACHE_KIB: i64 = 4096;

/// A bulk import's new tasks' rows of the search index (`?1` the first new id, `?2`
/// `TASK_ROWID_BASE`, `?3` `TASK_ROWID_TOP`): a task's rowid is `TASK_ROWID_TOP` minus its id,
/// so the new tasks' rows are the first of the tasks' range, one range of FTS5's rowids.
pub(crate) const BULK_SEARCH_DROP: &str = "DELETE FROM search WHERE rowid >= ?2 AND rowid <= ?3 - ?1";

/// The new tasks' rows written at the end of a bulk import (`?1` the first new id, `?2`
/// `TASK_ROWID_TOP`), newest first: in the index's rowid order, from the tasks' primary key.
pub(crate) const BULK_SEARCH_ROWS: &str = "INSERT INTO search(rowid, title, body, client_id)
     SELECT ?2 - id, title, spec, client_id FROM tasks WHERE id >= ?1 ORDER BY id DESC";

/// Work a big import does once at the end instead of once per task, inside its transaction:
/// the tasks' secondary indexes are dropped and built again from their own definitions, and the
/// search index gets the new tasks in one statement instead of through `search_task_ins` (its
/// segments merged once at the end, see `BULK_SEARCH_MERGE`), and the kept per-client counts
/// are counted again once instead of through `tally_task_*` (and so are the open requests of
/// live tasks, `live_requests`). The result is the same store as row by row
/// (tests/import_bulk.rs compares both); a failed import rolls all of it back. The sync
/// capture triggers are never touched: a replica records every operation as it would row by
/// row.
struct Bulk {
    /// New tasks from this id on go into the search index at the end.
    from_id: i64,
    /// The dropped objects' definitions, to run again at the end.
    again: Vec<String>,
}

impl Bulk {
    fn start(tx: &Transaction) -> Result<Bulk> {
        let from_id: i64 = tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM tasks", [], |r| r.get(0))?;
        let objects: Vec<(String, String, String, String)> = {
            // The indexes are the file's; the triggers this connection's own (schema step 25);
            // and vadesk's own guards against other programs' writes (their names, and the
            // call only vadesk's connections answer), since a trigger on the table makes SQLite
            // keep a statement journal for every insert (a temporary file written with the
            // pages each insert changes: a third of a million-task import's time). Another
            // program's trigger on the table keeps deciding each insert. Everything is in this
            // transaction: another program sees the store with all of them or before the import.
            let mut q = tx.prepare(
                "SELECT type, name, sql, 'main' FROM main.sqlite_master
                 WHERE tbl_name = 'tasks' AND sql IS NOT NULL
                   AND (type = 'index'
                        OR (type = 'trigger' AND name IN (?2, ?3, ?4) AND instr(sql, ?1) > 0))
                 UNION ALL
                 SELECT type, name, sql, 'temp' FROM temp.sqlite_master
                 WHERE tbl_name = 'tasks' AND type = 'trigger'
                   AND (name = 'search_task_ins' OR substr(name, 1, 11) = 'tally_task_')
                 ORDER BY 1, 2",
            )?;
            let mark = format!("{}()", super::schema::WRITER_MARK);
            let [ins, upd, del] = super::schema::guard_names("tasks");
            let rows = q.query_map(params![mark, ins, upd, del], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut again = Vec::new();
        for (kind, name, sql, schema) in objects {
            // Unique indexes stay: they decide what an insert does.
            if kind == "index" && sql.to_uppercase().starts_with("CREATE UNIQUE") {
                continue;
            }
            let (drop, again_sql) = match (kind.as_str(), schema.as_str()) {
                ("index", _) => ("DROP INDEX main", sql),
                (_, "main") => ("DROP TRIGGER main", sql),
                _ => (
                    "DROP TRIGGER temp",
                    sql.replacen("CREATE TRIGGER", "CREATE TEMP TRIGGER", 1),
                ),
            };
            tx.execute_batch(&format!("{drop}.\"{}\"", name.replace('"', "\"\"")))?;
            again.push(again_sql);
        }
        Ok(Bulk { from_id, again })
    }

    fn finish(self, tx: &Transaction) -> Result<()> {
        // A guard: a file giving a task's uuid twice is refused before this point now, so no
        // new task has a search row of its own yet; any that had one is written again with
        // the others.
        tx.execute(
            BULK_SEARCH_DROP,
            [
                self.from_id,
                crate::domain::search::TASK_ROWID_BASE,
                crate::domain::search::TASK_ROWID_TOP,
            ],
        )?;
        tx.execute_batch(&format!("PRAGMA cache_size = -{BULK_FINISH_CACHE_KIB}"))?;
        let kept: Vec<(String, Value)> = {
            let mut q = tx.prepare("SELECT k, v FROM search_config WHERE k IN ('automerge', 'crisismerge')")?;
            let rows = q.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let set = |key: &str, v: &dyn rusqlite::ToSql| {
            tx.execute("INSERT INTO search(search, rank) VALUES (?1, ?2)", params![key, v])
        };
        for (key, bulk, _) in BULK_SEARCH_MERGE {
            set(key, &bulk)?;
        }
        tx.execute(BULK_SEARCH_ROWS, [self.from_id, crate::domain::search::TASK_ROWID_TOP])?;
        tx.execute_batch("INSERT INTO search(search) VALUES ('optimize')")?;
        for (key, _, default) in BULK_SEARCH_MERGE {
            match kept.iter().find(|(k, _)| k == key) {
                Some((_, v)) => {
                    set(key, v)?;
                }
                None => {
                    // The default in force again (it also tells other connections the settings
                    // changed), and no row of its own, as before.
                    set(key, &default)?;
                    tx.execute("DELETE FROM search_config WHERE k = ?1", [key])?;
                }
            }
        }
        // The reading thread is done by now: one helper thread sorts the indexes' runs while
        // this one reads the tasks (the setting is per connection; put back below).
        let threads: i64 = tx.query_row("PRAGMA threads", [], |r| r.get(0))?;
        tx.execute_batch("PRAGMA threads = 1")?;
        let built = self.again.iter().try_for_each(|sql| tx.execute_batch(sql));
        tx.execute_batch(&format!("PRAGMA threads = {threads}"))?;
        built?;
        tx.execute_batch(super::clients::TALLY_AGAIN)?;
        tx.execute_batch(super::task_pages::DUE_TALLY_AGAIN)?;
        tx.execute_batch(super::detect::LIVE_REQUESTS_AGAIN)?;
        Ok(())
    }
}

/// Taskwarrior dates are `20261123T093000Z` (UTC); vadesk keeps the local calendar date.
fn tw_date(s: &str) -> Option<NaiveDate> {
    // The exact form read by hand (a million tasks hold three or four dates each); anything
    // else goes through chrono's parser, as it always did.
    let dt = tw_stamp(s).or_else(|| NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%SZ").ok())?;
    let utc = chrono::DateTime::<chrono::Utc>::from_naive_utc_and_offset(dt, chrono::Utc);
    Some(utc.with_timezone(&chrono::Local).date_naive()).filter(|d| dates::in_range(*d))
}

/// `YYYYMMDDTHHMMSSZ` exactly, or None (then chrono's parser decides).
fn tw_stamp(s: &str) -> Option<NaiveDateTime> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter()
            .try_fold(0u32, |n, c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(4..6)?, num(6..8)?)?.and_hms_opt(
        num(9..11)?,
        num(11..13)?,
        num(13..15)?,
    )
}

/// A store date (`YYYY-MM-DD`) as `day` writes it, for the years `dates::in_range` keeps.
fn tw_day(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// The store's record that an imported row stands for: the same uuid; in a merge, also a
/// client of the same name, a flag raised by the same source, a weekly review of the same day.
fn same_record(tx: &Transaction, table: &str, values: &[(&str, Value)], merge: bool) -> Result<Option<i64>> {
    let get = |col: &str| values.iter().find(|(c, _)| *c == col).map(|(_, v)| v.clone());
    let one = |sql: &str, params: Vec<Value>| -> Result<Option<i64>> {
        Ok(rusqlite::OptionalExtension::optional(tx.query_row(
            sql,
            params_from_iter(params),
            |r| r.get(0),
        ))?)
    };
    if let Some(id) = one(
        &format!("SELECT id FROM {table} WHERE uuid = ?1"),
        vec![get("uuid").unwrap_or(Value::Null)],
    )? {
        return Ok(Some(id));
    }
    if !merge {
        return Ok(None);
    }
    match table {
        "clients" => one(
            "SELECT id FROM clients WHERE name_key = ?1",
            vec![get("name_key").unwrap_or(Value::Null)],
        ),
        "flags" => match get("source_ref") {
            Some(r @ Value::Text(_)) => one("SELECT id FROM flags WHERE source_ref = ?1", vec![r]),
            _ => Ok(None),
        },
        "weekly_reviews" => one(
            "SELECT id FROM weekly_reviews WHERE client_id = ?1 AND on_date = ?2",
            vec![
                get("client_id").unwrap_or(Value::Null),
                get("on_date").unwrap_or(Value::Null),
            ],
        ),
        _ => Ok(None),
    }
}

/// Whether a record of a table other than `table` has `uuid` in the store.
fn uuid_elsewhere(tx: &Transaction, table: &str, uuid: &str) -> Result<bool> {
    for (other, _) in TABLES.iter().filter(|(t, _)| *t != table) {
        let found: bool = tx
            .prepare_cached(&format!("SELECT EXISTS (SELECT 1 FROM {other} WHERE uuid = ?1)"))?
            .query_row([uuid], |r| r.get(0))?;
        if found {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A field checked and cleaned by its rule, or None when it breaks it.
fn checked(rule: Rule, v: &Json, maps: &HashMap<&str, HashMap<i64, i64>>) -> Option<Value> {
    let text = || v.as_str();
    let int = || if v.is_boolean() { None } else { v.as_i64() };
    Some(match rule {
        Rule::Id => Value::Integer(int().filter(|n| (1..=crate::domain::search::MAX_IMPORTED_ID).contains(n))?),
        Rule::Uuid => Value::Text(text().filter(|s| crate::domain::identity::is_uuid(s))?.to_lowercase()),
        Rule::Ref(target) => {
            // Every reference points inside the file: its ids mean nothing to this store.
            Value::Integer(*maps.get(target)?.get(&int()?)?)
        }
        Rule::Name => Value::Text(text::name(text()?, T::FieldName).ok()?),
        Rule::ClientName => Value::Text(super::clients::client_name(text()?).ok()?),
        Rule::Line(max) => {
            let s = text::clean_line(text()?);
            (s.chars().count() <= max).then_some(Value::Text(s))?
        }
        Rule::Text => Value::Text(text::free_text(text()?, T::FieldNote).ok()?),
        Rule::Key(canonical) => Value::Text(canonical(text()?)?),
        Rule::Date => Value::Text(day(dates::parse_iso_date(text()?)?)),
        Rule::Stamp => Value::Text(super::stamp(dates::parse_stamp(text()?)?)),
        Rule::Int(min, max) => Value::Integer(int().filter(|n| (min..=max).contains(n))?),
        Rule::Bool => Value::Integer(match v {
            Json::Bool(b) => *b as i64,
            Json::Number(n) if n.as_i64() == Some(0) || n.as_i64() == Some(1) => n.as_i64()?,
            _ => return None,
        }),
    })
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

/// Reads the tasks of a Taskwarrior export one at a time, never the file whole: a JSON array of
/// objects, or objects one after another (one a line, as `task export` of old wrote them, even
/// with commas between them). `one` is called with each; its error stops the reading.
///
/// Each object is found whole in a buffer of the file (strings and nesting followed byte by
/// byte) and read from there, which costs a fraction of reading it through `io::Read` a byte at
/// a time. Anything else (a value that is not an object, broken JSON, text after the array, the
/// file ending inside an object) is read from where it starts on by the reader of old, given a
/// few bytes in front that put it in the same place of an array, on the same line and column:
/// the tasks and every message are exactly those of reading the whole file that way.
fn each_json<V: serde::de::DeserializeOwned>(
    input: impl std::io::BufRead,
    one: &mut dyn FnMut(V) -> Result<()>,
    bad: &dyn Fn(String) -> Error,
) -> Result<()> {
    let io = |e: std::io::Error| bad(e.to_string());
    let mut s = Scan {
        input,
        buf: Vec::new(),
        pos: 0,
        lines: 0,
        col: 0,
    };
    match s.skip(false).map_err(io)? {
        None => Ok(()),
        Some(b'[') => {
            // The reader of old counted lines and columns from the array's `[`.
            (s.lines, s.col) = (0, 0);
            s.take(1);
            let mut at = InArray::Open;
            loop {
                let Some(b) = s.skip(false).map_err(io)? else {
                    return s.slow_array(at, one, bad);
                };
                if b == b']' && at == InArray::Open {
                    s.take(1);
                    return s.after_array(one, bad);
                }
                if b != b'{' {
                    return s.slow_array(at, one, bad);
                }
                let Some(len) = s.object().map_err(io)? else {
                    return s.slow_array(at, one, bad);
                };
                match serde_json::from_slice::<V>(&s.buf[s.pos..s.pos + len]) {
                    Ok(v) => {
                        s.take(len);
                        one(v)?;
                    }
                    Err(_) => return s.slow_array(at, one, bad),
                }
                match s.skip(false).map_err(io)? {
                    Some(b',') => {
                        s.take(1);
                        at = InArray::AfterComma;
                    }
                    Some(b']') => {
                        s.take(1);
                        return s.after_array(one, bad);
                    }
                    _ => return s.slow_array(InArray::AfterValue, one, bad),
                }
            }
        }
        Some(_) => loop {
            let Some(b) = s.skip(true).map_err(io)? else {
                return Ok(());
            };
            if b != b'{' {
                return s.slow_values(one, bad);
            }
            let Some(len) = s.object().map_err(io)? else {
                return s.slow_values(one, bad);
            };
            match serde_json::from_slice::<V>(&s.buf[s.pos..s.pos + len]) {
                Ok(v) => {
                    s.take(len);
                    one(v)?;
                }
                Err(_) => return s.slow_values(one, bad),
            }
        },
    }
}

/// Where in the export's array the reading is.
#[derive(Clone, Copy, PartialEq)]
enum InArray {
    /// Right after `[`: a value or `]` comes next.
    Open,
    /// Right after a `,`: a value comes next.
    AfterComma,
    /// Right after a value: `,` or `]` comes next.
    AfterValue,
    /// Right after the closing `]`: only whitespace may follow.
    Closed,
}

impl InArray {
    /// The bytes that put the reader of old in this place of an array, and whether the value
    /// they hold (not the file's) is to be skipped.
    fn head(self) -> (&'static [u8], bool) {
        match self {
            InArray::Open => (b"[", false),
            InArray::AfterComma => (b"[0,", true),
            InArray::AfterValue => (b"[0", true),
            InArray::Closed => (b"[]", false),
        }
    }
}

/// A Taskwarrior export read through a buffer of its own: `buf[pos..]` is not read yet, and the
/// bytes before `pos` held `lines` line breaks, `col` bytes after the last one.
struct Scan<R> {
    input: R,
    buf: Vec<u8>,
    pos: usize,
    lines: u64,
    col: u64,
}

/// Bytes asked of the file at a time.
const SCAN_CHUNK: usize = 1 << 16;

/// An object longer than this is not held whole: it and the rest of the file are read by the
/// reader of old, as they come (small in the tests, so that they go that way too).
#[cfg(not(test))]
const SCAN_OBJECT_MAX: usize = 1 << 24;
#[cfg(test)]
const SCAN_OBJECT_MAX: usize = 256;

impl<R: std::io::BufRead> Scan<R> {
    /// More of the file after what the buffer holds; false at its end.
    fn fill(&mut self) -> std::io::Result<bool> {
        if self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        } else if self.pos >= SCAN_CHUNK {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        let got = {
            let chunk = self.input.fill_buf()?;
            self.buf.extend_from_slice(chunk);
            chunk.len()
        };
        self.input.consume(got);
        Ok(got > 0)
    }

    /// Counts `n` more bytes as read.
    fn take(&mut self, n: usize) {
        let bytes = &self.buf[self.pos..self.pos + n];
        match bytes.iter().rposition(|b| *b == b'\n') {
            Some(last) => {
                self.lines += bytes.iter().filter(|b| **b == b'\n').count() as u64;
                self.col = (n - last - 1) as u64;
            }
            None => self.col += n as u64,
        }
        self.pos += n;
    }

    /// Skips whitespace (and, when asked, commas); the next byte, if any, left unread.
    fn skip(&mut self, commas: bool) -> std::io::Result<Option<u8>> {
        loop {
            let rest = &self.buf[self.pos..];
            match rest
                .iter()
                .position(|b| !(b.is_ascii_whitespace() || (commas && *b == b',')))
            {
                Some(i) => {
                    let b = rest[i];
                    self.take(i);
                    return Ok(Some(b));
                }
                None => {
                    let n = rest.len();
                    self.take(n);
                    if !self.fill()? {
                        return Ok(None);
                    }
                }
            }
        }
    }

    /// The length of the object starting at `pos` (its `{`), through its closing `}`, once
    /// the buffer holds all of it; None when the file ends first or the object is longer than
    /// `SCAN_OBJECT_MAX`. Only strings and braces are followed: whether it is valid JSON is for
    /// the parser to say.
    fn object(&mut self) -> std::io::Result<Option<usize>> {
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        let mut i = 0;
        loop {
            let rest = &self.buf[self.pos..];
            while i < rest.len() {
                let b = rest[i];
                i += 1;
                if in_string {
                    if escaped {
                        escaped = false;
                    } else if b == b'\\' {
                        escaped = true;
                    } else if b == b'"' {
                        in_string = false;
                    }
                } else {
                    match b {
                        b'"' => in_string = true,
                        b'{' => depth += 1,
                        b'}' => {
                            depth -= 1;
                            if depth == 0 {
                                return Ok(Some(i));
                            }
                        }
                        _ => {}
                    }
                }
            }
            if i > SCAN_OBJECT_MAX || !self.fill()? {
                return Ok(None);
            }
        }
    }

    /// What is left of the file (from `pos`), for the reader of old. In an array (`head`: the
    /// bytes that put it in the same place of one), as it would have read it as part of the
    /// whole file: line breaks and spaces up to the same line and column.
    fn rest(self, head: Option<&[u8]>) -> impl std::io::BufRead {
        use std::io::Read as _;
        let (head, lines, pad) = match head {
            None => (&b""[..], 0, 0),
            Some(head) if self.lines == 0 => (head, 0, self.col.saturating_sub(head.len() as u64)),
            Some(head) => (head, self.lines, self.col),
        };
        let front = std::io::Cursor::new(head.to_vec())
            .chain(std::io::repeat(b'\n').take(lines))
            .chain(std::io::repeat(b' ').take(pad));
        let unread = std::io::Cursor::new(self.buf[self.pos..].to_vec());
        std::io::BufReader::with_capacity(SCAN_CHUNK, front.chain(unread).chain(self.input))
    }

    /// After the closing `]`: nothing but whitespace may follow.
    fn after_array<V: serde::de::DeserializeOwned>(
        mut self,
        one: &mut dyn FnMut(V) -> Result<()>,
        bad: &dyn Fn(String) -> Error,
    ) -> Result<()> {
        match self.skip(false).map_err(|e| bad(e.to_string()))? {
            None => Ok(()),
            Some(_) => self.slow_array(InArray::Closed, one, bad),
        }
    }

    /// The rest of an array, from `at`, by the reader of old.
    fn slow_array<V: serde::de::DeserializeOwned>(
        self,
        at: InArray,
        one: &mut dyn FnMut(V) -> Result<()>,
        bad: &dyn Fn(String) -> Error,
    ) -> Result<()> {
        use serde::de::{Deserializer as _, SeqAccess, Visitor};
        struct Each<'a, V> {
            one: &'a mut dyn FnMut(V) -> Result<()>,
            stopped: &'a mut Option<Error>,
            skip_first: bool,
        }
        impl<'de, V: serde::de::DeserializeOwned> Visitor<'de> for Each<'_, V> {
            type Value = ();
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an array of tasks")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
                if self.skip_first {
                    seq.next_element::<serde::de::IgnoredAny>()?;
                }
                while let Some(t) = seq.next_element::<V>()? {
                    if let Err(e) = (self.one)(t) {
                        *self.stopped = Some(e);
                        return Err(serde::de::Error::custom("stopped"));
                    }
                }
                Ok(())
            }
        }
        let (head, skip_first) = at.head();
        let mut stopped = None;
        let mut de = serde_json::Deserializer::from_reader(self.rest(Some(head)));
        let read = de
            .deserialize_seq(Each {
                one,
                stopped: &mut stopped,
                skip_first,
            })
            .and_then(|()| de.end());
        match (stopped, read) {
            (Some(e), _) => Err(e),
            (None, Err(e)) => Err(bad(e.to_string())),
            (None, Ok(())) => Ok(()),
        }
    }

    /// The rest of a file of values one after another, by the reader of old: each value is
    /// read on its own, so its lines and columns count from its start.
    fn slow_values<V: serde::de::DeserializeOwned>(
        self,
        one: &mut dyn FnMut(V) -> Result<()>,
        bad: &dyn Fn(String) -> Error,
    ) -> Result<()> {
        let mut input = self.rest(None);
        // Skips whitespace and commas; whether anything follows.
        fn more(input: &mut impl std::io::BufRead) -> std::io::Result<bool> {
            loop {
                let buf = input.fill_buf()?;
                if buf.is_empty() {
                    return Ok(false);
                }
                match buf.iter().position(|b| !(b.is_ascii_whitespace() || *b == b',')) {
                    Some(i) => {
                        input.consume(i);
                        return Ok(true);
                    }
                    None => {
                        let len = buf.len();
                        input.consume(len);
                    }
                }
            }
        }
        // One value at a time: the deserializer stops right after each closing brace, so the
        // reader is left at what follows it.
        while more(&mut input).map_err(|e| bad(e.to_string()))? {
            let mut de = serde_json::Deserializer::from_reader(&mut input);
            let t: V = serde::Deserialize::deserialize(&mut de).map_err(|e| bad(e.to_string()))?;
            one(t)?;
        }
        Ok(())
    }
}

/// Batches of tasks between the reading thread and the writing one, and tasks per batch: a few
/// thousand tasks in flight at most.
const TW_BATCHES: usize = 8;
const TW_BATCH: usize = 512;

/// The `meta` key of the newest Taskwarrior `modified` an import brought.
const TW_MODIFIED: &str = "taskwarrior_modified";

/// A Taskwarrior task read and checked, ready to be written (the client is found or made by
/// the writer).
struct TwRow {
    client_name: String,
    key: String,
    title: String,
    spec: String,
    status: TaskStatus,
    due: Option<String>,
    entry: String,
    closed: Option<String>,
    uuid: String,
    /// When Taskwarrior last changed it (`YYYYMMDDTHHMMSSZ`, which sorts as it reads), if the
    /// file says.
    modified: Option<String>,
    /// Its place in the file (0 for the first task).
    at: usize,
}

/// Reads and checks the tasks of `input`, sending them in batches; a task's error goes after
/// the rows before it and ends the reading, as does a file that is not JSON (its error last).
fn read_taskwarrior(
    input: impl std::io::BufRead,
    send: std::sync::mpsc::SyncSender<Vec<Result<Option<TwRow>>>>,
    source: &str,
    today: NaiveDate,
    bad: &dyn Fn(String) -> Error,
) {
    let mut batch = Vec::with_capacity(TW_BATCH);
    let mut n = 0usize;
    // Whether the reading stopped on a task's error (already sent) or because the writer is gone.
    let mut done = false;
    let read = each_json(
        input,
        &mut |t: TwTask| {
            n += 1;
            let row = tw_row(t, n - 1, source, today);
            let failed = row.is_err();
            batch.push(row);
            if failed || batch.len() == TW_BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(TW_BATCH));
                if send.send(full).is_err() || failed {
                    done = true;
                    // Only stops the reading: `done` keeps this error from being sent.
                    return Err(Error::invalid(T::ErrBadImport, &[&source, &""]));
                }
            }
            Ok(())
        },
        bad,
    );
    if done {
        return;
    }
    if let Err(e) = read {
        batch.push(Err(e));
    }
    let _ = send.send(batch);
}

/// One task checked and cleaned, in the order of checks (and messages) the import always had;
/// None for a recurring template, which is not a task of its own.
fn tw_row(t: TwTask, n: usize, source: &str, today: NaiveDate) -> Result<Option<TwRow>> {
    let TwTask::Object(t) = t else {
        return Err(errors::not_task(source, n));
    };
    let field = |col: &str| errors::field(source, "tasks", n, col);
    // A text refused for its length says so, with its length.
    let text_field = |e: Error, col: &str| match e {
        Error::Invalid(crate::error::Msg {
            key: T::ErrTooLong,
            args,
        }) if args.len() == 3 => errors::too_long(source, "tasks", n, col, &args[1..]),
        _ => field(col),
    };
    if let Some(k) = t.bad.iter().next() {
        return Err(field(k));
    }
    fn s(v: &Option<Scalar>) -> &str {
        match v {
            Some(Scalar::Str(s)) => s.as_str(),
            _ => "",
        }
    }
    let uuid = match &t.uuid {
        None => crate::domain::identity::new_uuid(),
        Some(u) => match u {
            Scalar::Str(u) if crate::domain::identity::is_uuid(u) => u.to_lowercase(),
            _ => return Err(field("uuid")),
        },
    };
    // A field that is there but not text (`"status": 5`) is refused, never read as absent.
    for (v, col) in [
        (&t.status, "status"),
        (&t.description, "description"),
        (&t.project, "project"),
        (&t.due, "due"),
        (&t.entry, "entry"),
        (&t.end, "end"),
    ] {
        if matches!(v, Some(Scalar::Num | Scalar::Other)) {
            return Err(field(col));
        }
    }
    let status = match s(&t.status) {
        "pending" | "waiting" | "" => TaskStatus::Todo,
        "completed" => TaskStatus::Done,
        "deleted" => TaskStatus::Cancelled,
        // A recurring template is not a task of its own; its instances are.
        "recurring" => return Ok(None),
        _ => return Err(field("status")),
    };
    let project = text::clean_line(s(&t.project));
    let client_name = if project.is_empty() {
        "(no project)".to_string()
    } else {
        project
    };
    let client_name = text::name(&client_name, T::FieldName).map_err(|e| text_field(e, "project"))?;
    // A project of digits alone would be a client whose name reads as an id.
    if client_name.chars().all(|c| c.is_ascii_digit()) {
        return Err(errors::digits_name(source, "tasks", n, "project", &client_name));
    }
    let key = client_name.to_lowercase();
    // Taskwarrior adds no task without a description: an object without one is not a task of
    // its export.
    let title = text::name(s(&t.description), T::FieldTitle).map_err(|e| text_field(e, "description"))?;
    let mut spec_lines: Vec<String> = Vec::new();
    if let Some(anns) = t.annotations.as_ref().and_then(Json::as_array) {
        for a in anns {
            if let Some(d) = a.get("description").and_then(Json::as_str) {
                spec_lines.push(text::clean_line(d));
            }
        }
    }
    if let Some(tags) = t.tags.as_ref().and_then(Json::as_array) {
        let tags: Vec<String> = tags
            .iter()
            .filter_map(Json::as_str)
            .map(|g| format!("#{}", text::clean_line(g)))
            .collect();
        if !tags.is_empty() {
            spec_lines.push(tags.join(" "));
        }
    }
    let date_of = |v: &Option<Scalar>, k: &str| -> Result<Option<NaiveDate>> {
        match s(v) {
            "" => Ok(None),
            v => tw_date(v).map(Some).ok_or_else(|| field(k)),
        }
    };
    let due = date_of(&t.due, "due")?;
    let entered = date_of(&t.entry, "entry")?;
    let entry = entered.unwrap_or(today);
    let closed = match status {
        TaskStatus::Done | TaskStatus::Cancelled => Some(date_of(&t.end, "end")?.unwrap_or(entry)),
        _ => None,
    };
    // Ended before it was entered: the file's clock is wrong somewhere, and the store would
    // hold a task closed before it was created.
    if closed.zip(entered).is_some_and(|(c, e)| c < e) {
        return Err(field("end"));
    }
    let spec = text::free_text(&spec_lines.join("\n"), T::FieldSpec).map_err(|e| text_field(e, "annotations"))?;
    Ok(Some(TwRow {
        client_name,
        key,
        title,
        spec,
        status,
        due: due.map(tw_day),
        entry: tw_day(entry),
        closed: closed.map(tw_day),
        uuid,
        modified: match &t.modified {
            Some(Scalar::Str(m)) if tw_stamp(m).is_some() => Some(m.clone()),
            _ => None,
        },
        at: n,
    }))
}

/// A value of a Taskwarrior task where text is expected: text (kept), a number (read as no
/// text, as always), or anything else (refused).
enum Scalar {
    Str(String),
    Num,
    Other,
}

/// What a task holds, read straight from the file without building a generic JSON map: the
/// fields the import uses, and the keys whose (last) value has the wrong type, in key order
/// (the first of them is the one the message names).
enum TwTask {
    Object(Box<TwFields>),
    /// Not an object: not a Taskwarrior export.
    Other,
}

#[derive(Default)]
struct TwFields {
    uuid: Option<Scalar>,
    description: Option<Scalar>,
    project: Option<Scalar>,
    status: Option<Scalar>,
    due: Option<Scalar>,
    entry: Option<Scalar>,
    end: Option<Scalar>,
    modified: Option<Scalar>,
    annotations: Option<Json>,
    tags: Option<Json>,
    bad: std::collections::BTreeSet<std::borrow::Cow<'static, str>>,
}

impl TwFields {
    fn mark(&mut self, key: std::borrow::Cow<'static, str>, ok: bool) {
        if !ok {
            self.bad.insert(key);
        } else if !self.bad.is_empty() {
            // A key given twice: its last value counts.
            self.bad.remove(&*key);
        }
    }
}

/// The keys the reader knows by name (the fields it keeps and those Taskwarrior writes on
/// every task), so that reading them allocates nothing.
const TW_KEYS: [&str; 20] = [
    "uuid",
    "description",
    "project",
    "status",
    "due",
    "entry",
    "end",
    "annotations",
    "tags",
    "depends",
    "urgency",
    "id",
    "imask",
    "modified",
    "wait",
    "scheduled",
    "until",
    "start",
    "priority",
    "recur",
];

/// A key of a task: one of `TW_KEYS` or another.
struct TwKey(std::borrow::Cow<'static, str>);

impl<'de> serde::Deserialize<'de> for TwKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = TwKey;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<TwKey, E> {
                Ok(TwKey(match TW_KEYS.iter().find(|k| **k == v) {
                    Some(k) => std::borrow::Cow::Borrowed(*k),
                    None => std::borrow::Cow::Owned(v.to_string()),
                }))
            }
        }
        d.deserialize_str(V)
    }
}

/// What type a value has, read without keeping it.
#[derive(PartialEq)]
enum Kind {
    Str,
    Num,
    Other,
}

/// The visitor of values of any type that reads them as a `T`.
struct AnyValue<T>(std::marker::PhantomData<T>);

macro_rules! any_value_visitor {
    ($out:ty, $num:expr, $other:expr) => {
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a value")
        }
        fn visit_bool<E: serde::de::Error>(self, _: bool) -> std::result::Result<$out, E> {
            Ok($other)
        }
        fn visit_i64<E: serde::de::Error>(self, _: i64) -> std::result::Result<$out, E> {
            Ok($num)
        }
        fn visit_u64<E: serde::de::Error>(self, _: u64) -> std::result::Result<$out, E> {
            Ok($num)
        }
        fn visit_f64<E: serde::de::Error>(self, _: f64) -> std::result::Result<$out, E> {
            Ok($num)
        }
        fn visit_unit<E: serde::de::Error>(self) -> std::result::Result<$out, E> {
            Ok($other)
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<$out, A::Error> {
            while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
            Ok($other)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<$out, A::Error> {
            while map
                .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                .is_some()
            {}
            Ok($other)
        }
    };
}

impl<'de> serde::Deserialize<'de> for Kind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(AnyValue::<Self>(std::marker::PhantomData))
    }
}

impl<'de> serde::Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(AnyValue::<Self>(std::marker::PhantomData))
    }
}

impl<'de> serde::Deserialize<'de> for TwTask {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(AnyValue::<Self>(std::marker::PhantomData))
    }
}

impl<'de> serde::de::Visitor<'de> for AnyValue<Kind> {
    type Value = Kind;
    any_value_visitor!(Kind, Kind::Num, Kind::Other);
    fn visit_str<E: serde::de::Error>(self, _: &str) -> std::result::Result<Kind, E> {
        Ok(Kind::Str)
    }
}

impl<'de> serde::de::Visitor<'de> for AnyValue<Scalar> {
    type Value = Scalar;
    any_value_visitor!(Scalar, Scalar::Num, Scalar::Other);
    fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Scalar, E> {
        Ok(Scalar::Str(v.to_string()))
    }
    fn visit_string<E: serde::de::Error>(self, v: String) -> std::result::Result<Scalar, E> {
        Ok(Scalar::Str(v))
    }
}

impl<'de> serde::de::Visitor<'de> for AnyValue<TwTask> {
    type Value = TwTask;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a task")
    }
    fn visit_bool<E: serde::de::Error>(self, _: bool) -> std::result::Result<TwTask, E> {
        Ok(TwTask::Other)
    }
    fn visit_i64<E: serde::de::Error>(self, _: i64) -> std::result::Result<TwTask, E> {
        Ok(TwTask::Other)
    }
    fn visit_u64<E: serde::de::Error>(self, _: u64) -> std::result::Result<TwTask, E> {
        Ok(TwTask::Other)
    }
    fn visit_f64<E: serde::de::Error>(self, _: f64) -> std::result::Result<TwTask, E> {
        Ok(TwTask::Other)
    }
    fn visit_str<E: serde::de::Error>(self, _: &str) -> std::result::Result<TwTask, E> {
        Ok(TwTask::Other)
    }
    fn visit_unit<E: serde::de::Error>(self) -> std::result::Result<TwTask, E> {
        Ok(TwTask::Other)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<TwTask, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(TwTask::Other)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<TwTask, A::Error> {
        let mut t = TwFields::default();
        while let Some(TwKey(k)) = map.next_key::<TwKey>()? {
            // The same checks as on a generic map: lists where lists are expected,
            // numbers for Taskwarrior's numbers, text or a number anywhere else.
            match &*k {
                "annotations" | "tags" | "depends" => {
                    let v: Json = map.next_value()?;
                    let ok = v.is_array() || (k == "depends" && v.is_string());
                    match &*k {
                        "annotations" => t.annotations = Some(v),
                        "tags" => t.tags = Some(v),
                        _ => {}
                    }
                    t.mark(k, ok);
                }
                "urgency" | "id" | "imask" => {
                    let ok = map.next_value::<Kind>()? == Kind::Num;
                    t.mark(k, ok);
                }
                "uuid" | "description" | "project" | "status" | "due" | "entry" | "end" | "modified" => {
                    let v: Scalar = map.next_value()?;
                    let ok = !matches!(v, Scalar::Other);
                    let slot = match &*k {
                        "uuid" => &mut t.uuid,
                        "description" => &mut t.description,
                        "project" => &mut t.project,
                        "status" => &mut t.status,
                        "due" => &mut t.due,
                        "entry" => &mut t.entry,
                        "modified" => &mut t.modified,
                        _ => &mut t.end,
                    };
                    *slot = Some(v);
                    t.mark(k, ok);
                }
                _ => {
                    let ok = map.next_value::<Kind>()? != Kind::Other;
                    t.mark(k, ok);
                }
            }
        }
        Ok(TwTask::Object(Box::new(t)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reader of old (every byte through `io::Read`), kept to compare the buffered one with.
    fn old_each_json<V: serde::de::DeserializeOwned>(
        mut input: impl std::io::BufRead,
        one: &mut dyn FnMut(V) -> Result<()>,
        bad: &dyn Fn(String) -> Error,
    ) -> Result<()> {
        use serde::de::{Deserializer as _, SeqAccess, Visitor};
        // Skips whitespace (and, between objects, commas); the next byte, if any.
        fn skip(input: &mut impl std::io::BufRead, commas: bool) -> std::io::Result<Option<u8>> {
            loop {
                let buf = input.fill_buf()?;
                let Some(i) = buf
                    .iter()
                    .position(|b| !(b.is_ascii_whitespace() || (commas && *b == b',')))
                else {
                    if buf.is_empty() {
                        return Ok(None);
                    }
                    let len = buf.len();
                    input.consume(len);
                    continue;
                };
                let b = buf[i];
                input.consume(i);
                return Ok(Some(b));
            }
        }
        let io = |e: std::io::Error| bad(e.to_string());
        match skip(&mut input, false).map_err(io)? {
            None => Ok(()),
            Some(b'[') => {
                struct Each<'a, V> {
                    one: &'a mut dyn FnMut(V) -> Result<()>,
                    stopped: &'a mut Option<Error>,
                }
                impl<'de, V: serde::de::DeserializeOwned> Visitor<'de> for Each<'_, V> {
                    type Value = ();
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str("an array of tasks")
                    }
                    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
                        while let Some(t) = seq.next_element::<V>()? {
                            if let Err(e) = (self.one)(t) {
                                *self.stopped = Some(e);
                                return Err(serde::de::Error::custom("stopped"));
                            }
                        }
                        Ok(())
                    }
                }
                let mut stopped = None;
                let mut de = serde_json::Deserializer::from_reader(&mut input);
                let read = de
                    .deserialize_seq(Each {
                        one,
                        stopped: &mut stopped,
                    })
                    .and_then(|()| de.end());
                match (stopped, read) {
                    (Some(e), _) => Err(e),
                    (None, Err(e)) => Err(bad(e.to_string())),
                    (None, Ok(())) => Ok(()),
                }
            }
            Some(_) => {
                // One value at a time: the deserializer stops right after each closing brace, so the
                // reader is left at what follows it.
                while skip(&mut input, true).map_err(io)?.is_some() {
                    let mut de = serde_json::Deserializer::from_reader(&mut input);
                    let t: V = serde::Deserialize::deserialize(&mut de).map_err(|e| bad(e.to_string()))?;
                    one(t)?;
                }
                Ok(())
            }
        }
    }

    /// What a reader makes of `text`: the values read, or the message it stopped with. A value
    /// with a key `stop` makes `one` fail.
    fn read(text: &[u8], old: bool, capacity: usize) -> std::result::Result<Vec<Json>, String> {
        let mut got = Vec::new();
        let bad = |why: String| Error::invalid(T::ErrBadImport, &[&"tw.json", &why]);
        let mut one = |v: Json| {
            if v.get("stop").is_some() {
                return Err(Error::invalid(T::ErrImportNotExport, &[&"tw.json"]));
            }
            got.push(v);
            Ok(())
        };
        let input = std::io::BufReader::with_capacity(capacity, text);
        let r = if old {
            old_each_json(input, &mut one, &bad)
        } else {
            each_json(input, &mut one, &bad)
        };
        r.map(|()| got).map_err(|e| e.localized(crate::i18n::Lang::En))
    }

    /// The buffered reader reads exactly what the reader of old read, and stops with exactly
    /// its message (the same line and column), on exports of both forms cut at every byte,
    /// with stray bytes put in at every place, and read through buffers of every size.
    #[test]
    fn the_buffered_reader_reads_and_fails_as_the_reader_of_old() {
        let long = format!(
            "[{{\"a\":1}},\n{{\"description\":\"{}\",\"n\":[{{}}]}},{{\"b\":2}}]",
            "y".repeat(300)
        );
        let texts: [&str; 6] = [
            &long,
            "[\n  {\"uuid\":\"a\",\"description\":\"with \\\"quotes\\\", {braces}, [brackets] and \\\\\",\"n\":1.5e3},\r\n\t{\"annotations\":[{\"description\":\"x}\"},{\"a\":{\"b\":[1,{\"c\":null}]}}],\"tags\":[\"é\",\"\\u00e9\\ud83d\\ude00\"]} ,\n\n{\"k\":\"{\\\\\"}\n,{}]\n  \n",
            "\n\n  [ {\"a\":1} ,{\"b\":\"}\"} ]",
            "{\"a\":1}\n{\"b\":\"}\\\"\"},\n\n  {\"c\":[{}],\"d\":\"Ñandú\"}\r\n,{}",
            "[{\"a\":1},{\"stop\":1},{\"b\":",
            "{\"a\":1}\n{\"stop\":1}\n{\"b\":",
        ];
        let mut cases: Vec<Vec<u8>> = Vec::new();
        for text in texts {
            let b = text.as_bytes();
            for cut in 0..=b.len() {
                cases.push(b[..cut].to_vec());
            }
            for at in 0..=b.len() {
                for stray in [
                    &b"x"[..],
                    b"]",
                    b",",
                    b"}",
                    b"{",
                    b"\"",
                    b"7",
                    b"\n",
                    b"[",
                    b"\\",
                    b"\xff",
                ] {
                    let mut c = b[..at].to_vec();
                    c.extend_from_slice(stray);
                    c.extend_from_slice(&b[at..]);
                    cases.push(c);
                }
            }
        }
        let mut failed = 0;
        for case in &cases {
            let want = read(case, true, 1 << 16);
            failed += usize::from(want.is_err());
            for capacity in [1, 5, 64, 1 << 16] {
                assert_eq!(
                    read(case, false, capacity),
                    want,
                    "{:?} through {capacity} bytes at a time",
                    String::from_utf8_lossy(case)
                );
            }
        }
        // Both kinds of outcome were compared, many times.
        assert!(
            failed > 1000 && cases.len() - failed > 100,
            "{failed} of {}",
            cases.len()
        );
    }
}

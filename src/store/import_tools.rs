//! `import --from trello|asana`: a client's own task tool, read into tasks for one client.
//! Each card or task gets the uuid derived from its source id, so a repeat import finds it
//! again: nothing is added twice, and a card changed since the last import (what it said then
//! is kept with its task, see `Seen`) brings the fields it changed; the fields the VA edited
//! here and the card did not change stay. One transaction.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use rusqlite::{params, OptionalExtension};
use serde_json::Value as Json;

use super::{day, Store};
use crate::domain::identity::derived;
use crate::domain::text;
use crate::error::{Arg, Error, Msg, Result};
use crate::i18n::{tf, T};

/// Larger than any board or project a VA exports; a bigger file is refused unread.
pub const MAX_IMPORT_BYTES: u64 = 20 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Trello,
    Asana,
}

impl Tool {
    pub fn from_key(s: &str) -> Option<Tool> {
        match s.trim().to_lowercase().as_str() {
            "trello" => Some(Tool::Trello),
            "asana" => Some(Tool::Asana),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Tool::Trello => "Trello",
            Tool::Asana => "Asana",
        }
    }
    fn record(self) -> T {
        match self {
            Tool::Trello => T::ToolCard,
            Tool::Asana => T::ToolTask,
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToolReport {
    pub client_created: bool,
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub skipped: usize,
    /// Updated tasks where the card changed a field the VA had changed here too: the card's
    /// version replaced the VA's.
    pub replaced: usize,
    /// Tasks an earlier import gave another client, moved to this one (counted in `updated`).
    pub moved: usize,
    /// The client imported into, as the store names it.
    pub client: String,
}

/// What a card or task said at its last import, kept with its task (`tasks.tool_seen`): a short
/// hash of the title, the spec and the due date it brought, and whether it was finished there,
/// as `title.spec.due.done` (three times 16 hex digits, then 0 or 1). Comparing the next import
/// with it tells a field the card changed from one the VA changed here.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    title: String,
    spec: String,
    due: String,
    done: bool,
}

/// A short stable hash of a field's value: the first 16 hex digits of its name-based uuid.
fn digest(value: &str) -> String {
    let u = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, value.as_bytes());
    u.simple().to_string()[..16].to_string()
}

impl Seen {
    fn of(title: &str, spec: &str, due: Option<&str>, done: bool) -> Seen {
        Seen {
            title: digest(title),
            spec: digest(spec),
            due: digest(due.unwrap_or_default()),
            done,
        }
    }
    fn parse(s: &str) -> Option<Seen> {
        let parts: Vec<&str> = s.split('.').collect();
        let hex = |p: &str| p.len() == 16 && p.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        match parts.as_slice() {
            [t, sp, d, x] if hex(t) && hex(sp) && hex(d) && (*x == "0" || *x == "1") => Some(Seen {
                title: t.to_string(),
                spec: sp.to_string(),
                due: d.to_string(),
                done: *x == "1",
            }),
            _ => None,
        }
    }
    fn key(&self) -> String {
        format!("{}.{}.{}.{}", self.title, self.spec, self.due, u8::from(self.done))
    }
}

/// `s` when it is a `tasks.tool_seen` value (for the export's import).
pub(crate) fn tool_seen(s: &str) -> Option<String> {
    Seen::parse(s).map(|_| s.to_string())
}

/// One card or task, cleaned and checked.
#[derive(Debug, Clone, PartialEq)]
struct Item {
    source_id: String,
    title: String,
    spec: String,
    due: Option<NaiveDate>,
    done_on: Option<NaiveDate>,
}

struct Ctx<'a> {
    tool: Tool,
    source: &'a str,
}

impl Ctx<'_> {
    fn shape(&self, why: impl std::fmt::Display) -> Error {
        Error::invalid(T::ErrToolShape, &[&self.source, &self.tool.name(), &why])
    }
    /// An error about one field of one record: "card 5f3a… ('Newsletter'), due: …".
    fn field(&self, id: &str, name: &str, field: T, key: T, extra: &[String]) -> Error {
        let shown: String = text::clean_line(name).chars().take(40).collect();
        let mut args = vec![
            Arg::Text(self.source.to_string()),
            Arg::Key(self.tool.record()),
            Arg::Text(text::clean_line(id)),
            Arg::Text(shown),
            Arg::Key(field),
        ];
        args.extend(extra.iter().cloned().map(Arg::Text));
        Error::Invalid(Msg { key, args })
    }
    /// The same card or task id a second time in one file: which one wins is anyone's guess,
    /// so the file is refused ("card number 1 and card number 3 have the same id '…'").
    fn twice(&self, seen: &mut HashMap<String, usize>, id: &str, n: usize, field: T) -> Result<()> {
        match seen.insert(id.to_string(), n) {
            None => Ok(()),
            Some(first) => Err(Error::Invalid(Msg {
                key: T::ErrToolTwice,
                args: vec![
                    Arg::Text(self.source.to_string()),
                    Arg::Key(self.tool.record()),
                    Arg::Text((first + 1).to_string()),
                    Arg::Text((n + 1).to_string()),
                    Arg::Key(field),
                    Arg::Text(text::clean_line(id)),
                ],
            })),
        }
    }
    fn title(&self, id: &str, raw: &str) -> Result<String> {
        let t = text::clean_line(raw);
        let n = t.chars().count();
        if t.is_empty() {
            return Err(self.field(id, raw, T::FieldTitle, T::ErrToolEmpty, &[]));
        }
        if n > text::MAX_NAME_CHARS {
            return Err(self.field(
                id,
                raw,
                T::FieldTitle,
                T::ErrToolTooLong,
                &[n.to_string(), text::MAX_NAME_CHARS.to_string()],
            ));
        }
        Ok(t)
    }
    fn spec(&self, id: &str, name: &str, raw: &str) -> Result<String> {
        let s = text::clean_multiline(raw);
        let n = s.chars().count();
        if n > text::MAX_TEXT_CHARS {
            return Err(self.field(
                id,
                name,
                T::FieldSpec,
                T::ErrToolTooLong,
                &[n.to_string(), text::MAX_TEXT_CHARS.to_string()],
            ));
        }
        Ok(s)
    }
    /// `2026-11-27`, or a timestamp such as Trello's `2026-11-27T16:00:00.000Z` (UTC, read as
    /// the local calendar day).
    fn date(&self, id: &str, name: &str, field: T, raw: &str) -> Result<Option<NaiveDate>> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(None);
        }
        let d = NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok().or_else(|| {
            chrono::DateTime::parse_from_rfc3339(raw)
                .ok()
                .map(|t| t.with_timezone(&chrono::Local).date_naive())
                .or_else(|| {
                    NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f")
                        .ok()
                        .map(|t| t.date())
                })
        });
        match d {
            Some(d) if (1900..=2999).contains(&d.year()) => Ok(Some(d)),
            _ => Err(self.field(id, name, field, T::ErrToolDate, &[text::clean_line(raw)])),
        }
    }
}

/// Reads at most the cap; a larger file is refused before it is parsed.
fn read_capped(path: &Path, c: &Ctx) -> Result<String> {
    let f = std::fs::File::open(path).map_err(|e| Error::invalid(T::ErrBadImport, &[&c.source, &e]))?;
    let mut buf = Vec::new();
    f.take(MAX_IMPORT_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|e| Error::invalid(T::ErrBadImport, &[&c.source, &e]))?;
    if buf.len() as u64 > MAX_IMPORT_BYTES {
        return Err(Error::invalid(
            T::ErrToolTooBig,
            &[&c.source, &(MAX_IMPORT_BYTES / (1024 * 1024))],
        ));
    }
    let s = String::from_utf8(buf).map_err(|e| c.shape(e))?;
    Ok(s.trim_start_matches('\u{feff}').to_string())
}

fn trello(text_in: &str, c: &Ctx) -> Result<(Vec<Item>, usize)> {
    let board: Json = serde_json::from_str(text_in).map_err(|e| c.shape(e))?;
    let obj = board.as_object().ok_or_else(|| c.shape("{ }"))?;
    let (Some(cards), Some(lists)) = (
        obj.get("cards").and_then(Json::as_array),
        obj.get("lists").and_then(Json::as_array),
    ) else {
        return Err(c.shape("cards, lists"));
    };
    let s = |v: &Json, k: &str| v.get(k).and_then(Json::as_str).unwrap_or_default().to_string();
    let closed = |v: &Json| v.get("closed").and_then(Json::as_bool).unwrap_or(false);
    let lists: HashMap<String, (String, bool)> = lists
        .iter()
        .map(|l| (s(l, "id"), (text::clean_line(&s(l, "name")), closed(l))))
        .collect();
    let mut checklists: HashMap<String, Vec<&Json>> = HashMap::new();
    for cl in obj.get("checklists").and_then(Json::as_array).into_iter().flatten() {
        checklists.entry(s(cl, "idCard")).or_default().push(cl);
    }
    let mut items = Vec::new();
    let mut skipped = 0;
    let mut seen = HashMap::new();
    for (n, card) in cards.iter().enumerate() {
        let id = s(card, "id");
        if id.trim().is_empty() || !card.is_object() {
            return Err(c.shape("cards[].id"));
        }
        c.twice(&mut seen, &id, n, T::FieldCardId)?;
        let name = s(card, "name");
        let list = lists.get(&s(card, "idList"));
        if closed(card) || list.is_some_and(|(_, lc)| *lc) {
            skipped += 1;
            continue;
        }
        let title = c.title(&id, &name)?;
        let mut parts = Vec::new();
        if let Some((list_name, _)) = list.filter(|(n, _)| !n.is_empty()) {
            parts.push(format!("[{list_name}]"));
        }
        let desc = s(card, "desc");
        if !desc.trim().is_empty() {
            parts.push(desc);
        }
        let mut cls = checklists.get(&id).cloned().unwrap_or_default();
        cls.sort_by(|a, b| pos(a).total_cmp(&pos(b)));
        for cl in cls {
            let mut lines = vec![format!("{}:", text::clean_line(&s(cl, "name")))];
            let mut its: Vec<&Json> = cl
                .get("checkItems")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .collect();
            its.sort_by(|a, b| pos(a).total_cmp(&pos(b)));
            for it in its {
                let mark = if s(it, "state") == "complete" { "[x]" } else { "[ ]" };
                lines.push(format!("{mark} {}", text::clean_line(&s(it, "name"))));
            }
            parts.push(lines.join("\n"));
        }
        let spec = c.spec(&id, &name, &parts.join("\n\n"))?;
        let due = c.date(&id, &name, T::FieldDue, &s(card, "due"))?;
        let done = card.get("dueComplete").and_then(Json::as_bool).unwrap_or(false);
        let done_on = if done {
            let last = s(card, "dateLastActivity");
            Some(
                c.date(&id, &name, T::FieldDue, &last)
                    .ok()
                    .flatten()
                    .or(due)
                    .unwrap_or_default(),
            )
        } else {
            None
        };
        items.push(Item {
            source_id: id,
            title,
            spec,
            due,
            done_on,
        });
    }
    Ok((items, skipped))
}

fn pos(v: &Json) -> f64 {
    v.get("pos").and_then(Json::as_f64).unwrap_or(0.0)
}

const ASANA_COLUMNS: [&str; 6] = ["Task ID", "Name", "Notes", "Due Date", "Completed At", "Section/Column"];

fn asana(text_in: &str, c: &Ctx) -> Result<(Vec<Item>, usize)> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text_in.as_bytes());
    let headers = rdr.headers().map_err(|e| c.shape(e))?.clone();
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    let missing: Vec<&str> = ASANA_COLUMNS.iter().copied().filter(|n| col(n).is_none()).collect();
    if !missing.is_empty() {
        return Err(Error::invalid(T::ErrToolColumns, &[&c.source, &missing.join(", ")]));
    }
    let at = |name: &str| col(name).unwrap_or(0);
    let (i_id, i_name, i_notes, i_due, i_done, i_section) = (
        at("Task ID"),
        at("Name"),
        at("Notes"),
        at("Due Date"),
        at("Completed At"),
        at("Section/Column"),
    );
    let (i_tags, i_parent) = (col("Tags"), col("Parent task"));
    let mut items = Vec::new();
    let mut seen = HashMap::new();
    for (n, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| c.shape(e))?;
        let get = |i: usize| rec.get(i).unwrap_or_default().to_string();
        let id = get(i_id);
        let name = get(i_name);
        if id.trim().is_empty() {
            return Err(c.field("?", &name, T::FieldTaskId, T::ErrToolEmpty, &[]));
        }
        c.twice(&mut seen, id.trim(), n, T::FieldTaskId)?;
        let title = c.title(&id, &name)?;
        let mut parts = Vec::new();
        let section = text::clean_line(&get(i_section));
        if !section.is_empty() {
            parts.push(format!("[{section}]"));
        }
        if let Some(p) = i_parent.map(get).filter(|p| !p.trim().is_empty()) {
            parts.push(format!("↳ {}", text::clean_line(&p)));
        }
        let notes = get(i_notes);
        if !notes.trim().is_empty() {
            parts.push(notes);
        }
        if let Some(tags) = i_tags.map(get).filter(|t| !t.trim().is_empty()) {
            let tags: Vec<String> = tags
                .split(',')
                .map(text::clean_line)
                .filter(|t| !t.is_empty())
                .map(|t| format!("#{t}"))
                .collect();
            parts.push(tags.join(" "));
        }
        let spec = c.spec(&id, &name, &parts.join("\n\n"))?;
        let due = c.date(&id, &name, T::FieldDue, &get(i_due))?;
        let done_on = c.date(&id, &name, T::FieldCompletedAt, &get(i_done))?;
        items.push(Item {
            source_id: id.trim().to_string(),
            title,
            spec,
            due,
            done_on,
        });
    }
    Ok((items, 0))
}

impl Store {
    /// Imports a Trello board export (JSON) or an Asana export (CSV) as tasks of `client`,
    /// created (active) when no client has that name. All or nothing.
    pub fn import_tool(&mut self, tool: Tool, path: &Path, client: &str, today: NaiveDate) -> Result<ToolReport> {
        let source = path.display().to_string();
        let c = Ctx { tool, source: &source };
        // The client a command names elsewhere (`--client 2` is client 2; a name matches
        // whatever its case); only a name new to the store makes a client, and never one of
        // digits alone.
        let client_name = match self.find_client(client) {
            Ok(found) => found.name,
            Err(_) => super::clients::client_name(client)?,
        };
        let text_in = read_capped(path, &c)?;
        let (items, skipped) = match tool {
            Tool::Trello => trello(&text_in, &c)?,
            Tool::Asana => asana(&text_in, &c)?,
        };
        // A task done on a day still to come is refused, as every import refuses it.
        if let Some(it) = items.iter().find(|it| it.done_on.is_some_and(|d| d > today)) {
            let done = it.done_on.map(|d| d.to_string()).unwrap_or_default();
            return Err(c.field(
                &it.source_id,
                &it.title,
                T::FieldCompletedAt,
                T::ErrToolDoneAhead,
                &[done],
            ));
        }
        let prefix = match tool {
            Tool::Trello => "trello",
            Tool::Asana => "asana",
        };
        let label_client = client_name.clone();
        self.write(
            |l| tf(l, T::UndoToolImport, &[&tool.name(), &label_client]),
            |tx| {
                let mut report = ToolReport {
                    skipped,
                    client: client_name.clone(),
                    ..ToolReport::default()
                };
                let key = client_name.to_lowercase();
                let found: Option<i64> = tx
                    .query_row("SELECT id FROM clients WHERE name_key = ?1", [&key], |r| r.get(0))
                    .optional()?;
                let client_id = match found {
                    Some(id) => id,
                    None => {
                        tx.execute(
                            "INSERT INTO clients(name, name_key, status, tool, created_on) VALUES (?1, ?2, 'active', ?3, ?4)",
                            params![client_name, key, tool.name(), day(today)],
                        )?;
                        report.client_created = true;
                        tx.last_insert_rowid()
                    }
                };
                for it in &items {
                    let uuid = derived(&format!("{prefix}:{}", it.source_id));
                    type Row = (i64, String, String, Option<String>, String, Option<String>, i64);
                    let existing: Option<Row> = tx
                        .query_row(
                            "SELECT id, title, spec, due, status, tool_seen, client_id FROM tasks WHERE uuid = ?1",
                            [&uuid],
                            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
                        )
                        .optional()?;
                    let due = it.due.map(day);
                    let card = Seen::of(&it.title, &it.spec, due.as_deref(), it.done_on.is_some());
                    match existing {
                        None => {
                            let (status, closed) = match it.done_on {
                                Some(d) => ("done", Some(day(d))),
                                None => ("todo", None),
                            };
                            tx.execute(
                                "INSERT INTO tasks(uuid, client_id, title, spec, status, due, created_on, closed_on, tool_seen)
                                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                                params![uuid, client_id, it.title, it.spec, status, due, day(today), closed, card.key()],
                            )?;
                            report.added += 1;
                        }
                        Some((id, title, spec, old_due, status, seen, was_client)) => {
                            // Imported again into another client: the task goes to it, with its
                            // time, as a task moved by hand does (never one with billed time).
                            let moved = was_client != client_id;
                            if moved {
                                if let Some(e) = super::import_rules::billed_task_moved(
                                    tx,
                                    id,
                                    &rusqlite::types::Value::Integer(client_id),
                                )? {
                                    return Err(e);
                                }
                                tx.execute("UPDATE tasks SET client_id = ?1 WHERE id = ?2", params![client_id, id])?;
                                report.moved += 1;
                            }
                            let last = seen.as_deref().and_then(Seen::parse);
                            let mine = Seen::of(&title, &spec, old_due.as_deref(), false);
                            // A field the card changed since the last import comes in; one it
                            // did not change stays as the VA left it. A task imported before
                            // vadesk kept what its card said takes every field that differs.
                            let mut replaced = false;
                            // Whether the card's value of a field comes in (its hashes: on the
                            // card now, at the last import, on the task here).
                            let mut take = |card_h: &str, last_h: Option<&str>, mine_h: &str| -> bool {
                                let changed_there = last_h.is_none_or(|l| l != card_h);
                                let bring = changed_there && mine_h != card_h;
                                if bring && last_h.is_some_and(|l| l != mine_h) {
                                    // Changed here too, to something else: the card's wins.
                                    replaced = true;
                                }
                                bring
                            };
                            let new_title = take(&card.title, last.as_ref().map(|l| l.title.as_str()), &mine.title);
                            let new_spec = take(&card.spec, last.as_ref().map(|l| l.spec.as_str()), &mine.spec);
                            let new_due = take(&card.due, last.as_ref().map(|l| l.due.as_str()), &mine.due);
                            // Finished in the tool since the last import: finished here too. A
                            // task moved on here (started, delivered, finished, reopened)
                            // keeps its own status otherwise.
                            let finish = it.done_on.is_some()
                                && !last.as_ref().is_some_and(|l| l.done)
                                && status != "done"
                                && status != "cancelled";
                            if new_title || new_spec || new_due || finish {
                                tx.execute(
                                    "UPDATE tasks SET title = ?1, spec = ?2, due = ?3 WHERE id = ?4",
                                    params![
                                        if new_title { &it.title } else { &title },
                                        if new_spec { &it.spec } else { &spec },
                                        if new_due { &due } else { &old_due },
                                        id
                                    ],
                                )?;
                                if finish {
                                    tx.execute(
                                        "UPDATE tasks SET status = 'done', closed_on = ?1 WHERE id = ?2",
                                        params![it.done_on.map(day), id],
                                    )?;
                                }
                                report.updated += 1;
                                report.replaced += usize::from(replaced);
                            } else if moved {
                                report.updated += 1;
                            } else {
                                report.unchanged += 1;
                            }
                            if last.as_ref() != Some(&card) {
                                tx.execute(
                                    "UPDATE tasks SET tool_seen = ?1 WHERE id = ?2",
                                    params![card.key(), id],
                                )?;
                            }
                        }
                    }
                }
                Ok(report)
            },
        )
    }
}

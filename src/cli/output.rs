//! How the command line prints: aligned columns for people, stable JSON for scripts. Nothing
//! printed can drive the terminal: every byte goes through [`TerminalSafe`], and JSON escapes
//! the characters it would otherwise carry raw.

use std::io::{self, Write};

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::red_flag::Assessment;
use crate::domain::text::{self, width};
use chrono::NaiveDateTime;

use crate::domain::{dates, Channel, Flag, FlagSource, Meeting, Quote, Task};
use crate::error::Result;
use crate::i18n::{Lang, T};
use crate::store::ClientSummary;

/// A writer that lets through only what a terminal shows: escape sequences, control
/// characters (but newlines) and bidi controls are removed, whatever the text's source.
pub struct TerminalSafe<'a> {
    inner: &'a mut dyn Write,
    scrubber: text::Scrubber,
    /// The start of a UTF-8 character cut between two writes.
    pending: Vec<u8>,
}

impl<'a> TerminalSafe<'a> {
    pub fn new(inner: &'a mut dyn Write) -> Self {
        TerminalSafe {
            inner,
            scrubber: text::Scrubber::new(true),
            pending: Vec::new(),
        }
    }

    fn emit(&mut self, s: &str, out: &mut String) {
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            // A line ending of CR LF (an iCalendar file) stays whole; a lone CR, which would
            // write over the line, does not.
            if c == '\r' && chars.peek() == Some(&'\n') {
                out.push(c);
            } else if let Some(c) = self.scrubber.feed(c) {
                out.push(c);
            }
        }
    }
}

impl TerminalSafe<'_> {
    /// The writer under the filter, for output inert by construction (the review's JSON:
    /// `print_review_json` writes texts of plain printable ASCII as they are and every other
    /// through `write_json`, which escapes each character a terminal acts on), so that it is
    /// not looked at again byte by byte. Only at a clean point of the stream (no character cut
    /// pending, no sequence begun); otherwise the filter itself.
    pub fn inert(&mut self) -> &mut dyn Write {
        if self.pending.is_empty() && self.scrubber.at_text() {
            &mut *self.inner
        } else {
            self
        }
    }

    /// Bytes that may hold more than printable ASCII, through the scrubber.
    fn scrub(&mut self, buf: &[u8]) -> io::Result<()> {
        let mut bytes = std::mem::take(&mut self.pending);
        bytes.extend_from_slice(buf);
        let mut out = String::with_capacity(bytes.len());
        let mut rest: &[u8] = &bytes;
        loop {
            match std::str::from_utf8(rest) {
                Ok(s) => {
                    self.emit(s, &mut out);
                    break;
                }
                Err(e) => {
                    let (good, bad) = rest.split_at(e.valid_up_to());
                    self.emit(std::str::from_utf8(good).unwrap_or_default(), &mut out);
                    match e.error_len() {
                        // Cut short: wait for the rest of the character.
                        None => {
                            self.pending = bad.to_vec();
                            break;
                        }
                        Some(n) => {
                            out.push('\u{FFFD}');
                            rest = &bad[n..];
                        }
                    }
                }
            }
        }
        self.inner.write_all(out.as_bytes())
    }
}

impl Write for TerminalSafe<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // Most output (every JSON document) is printable ASCII: it goes through as it is, without
        // a character-by-character copy. Anything else goes through the scrubber a line at a
        // time, so that one accent does not send a whole buffer of JSON the slow way.
        let mut rest = buf;
        while !rest.is_empty() {
            if self.pending.is_empty() && self.scrubber.at_text() {
                let mut n = 0;
                loop {
                    n += text::printable_ascii_prefix(&rest[n..], true);
                    // CR LF line endings go through as they are.
                    if rest[n..].starts_with(b"\r\n") {
                        n += 2;
                        continue;
                    }
                    break;
                }
                if n > 0 {
                    self.inner.write_all(&rest[..n])?;
                    rest = &rest[n..];
                    continue;
                }
            }
            let end = rest.iter().position(|&b| b == b'\n').map_or(rest.len(), |i| i + 1);
            self.scrub(&rest[..end])?;
            rest = &rest[end..];
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Pretty JSON whose strings carry no character a terminal acts on: besides what JSON always
/// escapes, DEL, C1 controls, line separators and bidi controls are written as `\uXXXX`. The
/// values read back exactly.
pub fn write_json(out: &mut dyn Write, v: &impl Serialize) -> serde_json::Result<()> {
    // The serializer writes many small pieces (a quote, a comma, an indent): they are gathered
    // here and reach `out` (a filter, a file) in big writes.
    let mut buf = io::BufWriter::with_capacity(32 * 1024, &mut *out);
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, SafeFormatter::default());
    v.serialize(&mut ser)?;
    buf.into_inner().map_err(|e| serde_json::Error::io(e.into_error()))?;
    Ok(())
}

/// A JSON value and a newline, as every `--json` command prints it.
pub fn print_json(out: &mut dyn Write, v: &impl Serialize) -> Result<()> {
    write_json(out, v)?;
    writeln!(out)?;
    Ok(())
}

/// The review as JSON (`{"now", "items"}`), the same bytes `print_json` writes for it, a row
/// at a time into one buffer: the review is the longest JSON a command prints (thousands of
/// rows at a hundred thousand tasks), and serde's writer spends most of its time on the
/// layout's small pieces. A text of anything but plain printable ASCII goes through
/// `write_json`, as every other JSON string does.
pub fn print_review_json<'a>(
    out: &mut dyn Write,
    now: &str,
    items: impl IntoIterator<Item = crate::domain::review::ReviewLine<'a>>,
) -> Result<()> {
    /// What is gathered before it is written on.
    const CHUNK: usize = 64 * 1024;
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK + 1024);
    let mut number = itoa::Buffer::new();
    buf.extend_from_slice(b"{\n  \"now\": ");
    json_text(&mut buf, now)?;
    buf.extend_from_slice(b",\n  \"items\": [");
    let mut any = false;
    for (i, it) in items.into_iter().enumerate() {
        any = true;
        buf.extend_from_slice(if i == 0 { b"\n    {" } else { b",\n    {" });
        buf.extend_from_slice(b"\n      \"kind\": ");
        // A section's key is plain snake_case ASCII (a test checks): as it is.
        buf.push(b'"');
        buf.extend_from_slice(it.kind.key().as_bytes());
        buf.push(b'"');
        buf.extend_from_slice(b",\n      \"client\": ");
        json_text(&mut buf, it.client)?;
        buf.extend_from_slice(b",\n      \"id\": ");
        buf.extend_from_slice(number.format(it.id).as_bytes());
        buf.extend_from_slice(b",\n      \"title\": ");
        json_text(&mut buf, it.title)?;
        buf.extend_from_slice(b",\n      \"days_late\": ");
        buf.extend_from_slice(number.format(it.days_late).as_bytes());
        buf.extend_from_slice(b"\n    }");
        if buf.len() >= CHUNK {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    if any {
        buf.extend_from_slice(b"\n  ");
    }
    buf.extend_from_slice(b"]\n}\n");
    out.write_all(&buf)?;
    Ok(())
}

/// A JSON string: plain printable ASCII as it is, anything else through `write_json`.
fn json_text(buf: &mut Vec<u8>, s: &str) -> Result<()> {
    if crate::domain::text::json_plain(s.as_bytes()) {
        buf.push(b'"');
        buf.extend_from_slice(s.as_bytes());
        buf.push(b'"');
        return Ok(());
    }
    write_json(buf, &s)?;
    Ok(())
}

/// serde_json's pretty layout (two spaces a level), each line's break and indent written at
/// once rather than a write a level (most of the output of a long list is indents).
#[derive(Default)]
struct SafeFormatter {
    depth: usize,
    has_value: bool,
}

/// ",", a line break and the indent of 40 levels; each new line takes the part it needs.
const BREAK: &[u8; 82] = b",\n                                                                                ";

impl SafeFormatter {
    /// A new line (after a comma when `comma`) at the current depth.
    fn line<W: ?Sized + Write>(&self, w: &mut W, comma: bool) -> io::Result<()> {
        let from = usize::from(!comma);
        let spaces = 2 * self.depth;
        if spaces + 2 <= BREAK.len() {
            return w.write_all(&BREAK[from..2 + spaces]);
        }
        w.write_all(&BREAK[from..2])?;
        for _ in 0..self.depth {
            w.write_all(b"  ")?;
        }
        Ok(())
    }

    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.line(w, false)?;
        }
        w.write_all(bracket)
    }
}

impl serde_json::ser::Formatter for SafeFormatter {
    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, fragment: &str) -> io::Result<()> {
        // Printable ASCII (most of what is printed) holds nothing a terminal acts on. A fragment
        // never holds what JSON escapes itself (C0 controls, quotes, backslashes): in ASCII,
        // only DEL is left to look for.
        if fragment.is_ascii() && !fragment.as_bytes().contains(&0x7f) {
            return w.write_all(fragment.as_bytes());
        }
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if text::is_terminal_active(c) {
                w.write_all(&fragment.as_bytes()[start..i])?;
                write!(w, "\\u{:04x}", c as u32)?;
                start = i + c.len_utf8();
            }
        }
        w.write_all(&fragment.as_bytes()[start..])
    }
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.line(w, !first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.line(w, !first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// What a list command prints when it is not JSON: the message for an empty list, and the
/// table's column headers.
pub struct Listing<'a> {
    pub empty: T,
    pub headers: &'a [T],
}

/// A list as every list command prints it: JSON when asked (`json_of` gives each record's
/// stable fields), the "nothing here" message when it is empty, else a table in the language.
pub fn print_list<R, J: Serialize>(
    out: &mut dyn Write,
    lang: Lang,
    as_json: bool,
    items: &[R],
    json_of: impl Fn(&R) -> J,
    listing: Listing,
    row: impl Fn(&R) -> Vec<String>,
) -> Result<()> {
    if as_json {
        let v: Vec<J> = items.iter().map(json_of).collect();
        return print_json(out, &v);
    }
    if items.is_empty() {
        writeln!(out, "{}", listing.empty.text(lang))?;
        return Ok(());
    }
    let rows: Vec<Vec<String>> = items.iter().map(row).collect();
    let headers: Vec<&str> = listing.headers.iter().map(|k| k.text(lang)).collect();
    write!(out, "{}", table(&headers, &rows))?;
    Ok(())
}

/// Columns aligned by display width; every column but the last is capped. Cells are cleaned
/// for the terminal first, so what is measured is what shows.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    const CAP: usize = 36;
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| text::terminal_line(c).into_owned()).collect())
        .collect();
    let rows = &rows;
    let n = headers.len();
    let mut widths: Vec<usize> = headers.iter().map(|h| width::of(h)).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate().take(n) {
            widths[i] = widths[i].max(width::of(c).min(if i + 1 == n { usize::MAX } else { CAP }));
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == n {
                s.push_str(c);
            } else {
                s.push_str(&width::pad(c, widths[i]));
                s.push_str("  ");
            }
        }
        s.trim_end().to_string()
    };
    let mut out = line(headers.to_vec());
    out.push('\n');
    for r in rows {
        out.push_str(&line(r.iter().map(String::as_str).collect()));
        out.push('\n');
    }
    out
}

pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[derive(Serialize)]
pub struct ClientJson {
    pub id: i64,
    pub uuid: String,
    pub name: String,
    pub status: String,
    pub channels: Vec<Channel>,
    /// In currency units (as the first wave printed it).
    pub rate: Option<f64>,
    pub currency: String,
    pub rate_cents: Option<i64>,
    pub increment_minutes: u32,
    pub retainer_hours: Option<f64>,
    pub fee_cents: Option<i64>,
    /// Billable minutes worked this month.
    pub month_minutes: u64,
    pub review_day: Option<&'static str>,
    pub score: f64,
    pub verdict: &'static str,
    pub open_tasks: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flags: Option<Vec<FlagJson>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Vec<ContributionJson>>,
}

impl ClientJson {
    pub fn new(s: &ClientSummary, money: &crate::domain::money::MoneyDefaults, month_minutes: u64) -> Self {
        let c = &s.client;
        ClientJson {
            currency: money.currency_of(c).code().to_string(),
            rate_cents: c.rate_cents,
            increment_minutes: money.increment_of(c),
            retainer_hours: c.retainer_min.map(|m| m as f64 / 60.0),
            fee_cents: c.fee_cents,
            month_minutes,
            id: s.client.id,
            uuid: s.client.uuid.clone(),
            name: s.client.name.clone(),
            status: s.client.status.key().into(),
            channels: s.client.channels.clone(),
            rate: s.client.rate(),
            review_day: s.client.review_day.map(dates::weekday_key),
            score: round2(s.score),
            verdict: s.verdict.key(),
            open_tasks: s.open_tasks,
            flags: None,
            explanation: None,
        }
    }
}

#[derive(Serialize)]
pub struct ContributionJson {
    pub flag: i64,
    pub kind: &'static str,
    pub weight: f64,
    pub age_days: i64,
    pub points: f64,
}

pub fn explanation(a: &Assessment) -> Vec<ContributionJson> {
    a.contributions
        .iter()
        .map(|c| ContributionJson {
            flag: c.flag.id,
            kind: c.flag.kind.key(),
            weight: c.weight,
            age_days: c.age_days,
            points: round2(c.points),
        })
        .collect()
}

/// One search hit: `kind` is client, task, material, feedback, quote or flag; `id` is that
/// record's id.
#[derive(Serialize)]
pub struct SearchJson {
    pub kind: &'static str,
    pub id: i64,
    pub client: String,
    pub title: String,
    pub snippet: String,
}

impl SearchJson {
    pub fn new(h: &crate::domain::SearchHit) -> Self {
        SearchJson {
            kind: h.kind.key(),
            id: h.id,
            client: h.client.clone(),
            title: h.title.clone(),
            snippet: h.snippet.clone(),
        }
    }
}

#[derive(Serialize)]
pub struct TaskJson {
    pub id: i64,
    pub uuid: String,
    pub client: String,
    pub title: String,
    pub status: &'static str,
    pub due: Option<NaiveDate>,
    pub waiting: bool,
    pub clarifications: u32,
    pub outcome: Option<&'static str>,
    /// The repeat rule as typed, or null.
    pub every: Option<String>,
}

impl TaskJson {
    pub fn new(t: &Task) -> Self {
        TaskJson {
            id: t.id,
            uuid: t.uuid.clone(),
            client: t.client.clone(),
            title: t.title.clone(),
            status: t.status.key(),
            due: t.due,
            waiting: t.is_waiting(),
            clarifications: t.clarifications,
            outcome: t.outcome.map(|o| o.key()),
            every: t.every.clone(),
        }
    }
}

#[derive(Serialize)]
pub struct QuoteJson {
    pub id: i64,
    pub uuid: String,
    pub client: String,
    pub amount_cents: i64,
    pub currency: String,
    pub description: String,
    pub prep_minutes: u32,
    pub sent: NaiveDate,
    pub answer_by: NaiveDate,
    pub status: &'static str,
    pub nudges: u32,
}

impl QuoteJson {
    /// `currency` is the client's (or the VA's default): a quote is in its client's money.
    pub fn new(q: &Quote, currency: iso_currency::Currency) -> Self {
        QuoteJson {
            id: q.id,
            uuid: q.uuid.clone(),
            client: q.client.clone(),
            amount_cents: q.amount_cents,
            currency: currency.code().to_string(),
            description: q.description.clone(),
            prep_minutes: q.prep_min,
            sent: q.sent_on,
            answer_by: q.answer_by,
            status: q.status.key(),
            nudges: q.nudges,
        }
    }
}

#[derive(Serialize)]
pub struct MeetingJson {
    pub id: i64,
    pub uuid: String,
    pub client: String,
    pub kind: &'static str,
    #[serde(serialize_with = "minute_stamp")]
    pub at: NaiveDateTime,
    pub length_minutes: Option<u32>,
    pub attendance: &'static str,
    pub late_minutes: Option<u32>,
}

fn minute_stamp<S: serde::Serializer>(t: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.format("%Y-%m-%dT%H:%M").to_string())
}

impl MeetingJson {
    pub fn new(m: &Meeting) -> Self {
        MeetingJson {
            id: m.id,
            uuid: m.uuid.clone(),
            client: m.client.clone(),
            kind: m.kind.key(),
            at: m.at,
            length_minutes: m.length_min,
            attendance: m.attendance.key(),
            late_minutes: m.late_minutes,
        }
    }
}

#[derive(Serialize)]
pub struct FlagJson {
    pub id: i64,
    pub uuid: String,
    pub client: String,
    pub kind: &'static str,
    pub at: NaiveDate,
    pub note: String,
    pub source: FlagSource,
    pub dismissed: bool,
}

impl FlagJson {
    pub fn new(f: &Flag) -> Self {
        FlagJson {
            id: f.id,
            uuid: f.uuid.clone(),
            client: f.client.clone(),
            kind: f.kind.key(),
            at: f.at,
            note: f.note.clone(),
            source: f.source,
            dismissed: f.dismissed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The review's own writer gives the same bytes as the general one, texts of every kind
    /// included (quotes, backslashes, accents, controls, bidi marks, emoji, an empty one).
    #[test]
    fn the_review_s_json_is_the_general_writer_s() {
        use crate::domain::review::ReviewLine;
        use crate::domain::{ReviewItem, ReviewKind};
        #[derive(serde::Serialize)]
        struct ReviewJson<'a> {
            now: &'a str,
            items: &'a [ReviewItem],
        }
        let texts = [
            "Plain client",
            "Café \"Sol\" \\ back",
            "line\nbreak\ttab\u{7f}del",
            "\u{202e}reversed\u{2028}sep\u{85}",
            "絵文字 🎉",
            "",
            "a/b <c> & 'd'",
        ];
        let mut items = Vec::new();
        for (i, kind) in ReviewKind::ALL.iter().enumerate() {
            let client = texts[i % texts.len()].to_string();
            let title = texts[(i + 3) % texts.len()].to_string();
            let mut it = ReviewItem::new(*kind, i as i64, client, i as i64 * 1_000_003 - 7, title);
            it.days_late = i as i64 * 37;
            items.push(it);
        }
        for n in [0, 1, items.len()] {
            let rows = &items[..n];
            let mut general = Vec::new();
            print_json(
                &mut general,
                &ReviewJson {
                    now: "2026-11-27T09:00:00",
                    items: rows,
                },
            )
            .unwrap();
            let mut own = Vec::new();
            print_review_json(&mut own, "2026-11-27T09:00:00", rows.iter().map(ReviewLine::of)).unwrap();
            assert_eq!(
                String::from_utf8(own).unwrap(),
                String::from_utf8(general).unwrap(),
                "{n} rows"
            );
        }
        // Longer than one chunk.
        let many: Vec<ReviewItem> = (0..3000).map(|i| items[i % items.len()].clone()).collect();
        let mut general = Vec::new();
        print_json(&mut general, &ReviewJson { now: "x", items: &many }).unwrap();
        let mut own = Vec::new();
        print_review_json(&mut own, "x", many.iter().map(ReviewLine::of)).unwrap();
        assert!(own == general, "3,000 rows differ");
    }

    #[test]
    fn every_review_section_s_key_is_written_as_it_is() {
        for kind in crate::domain::ReviewKind::ALL {
            let key = kind.key();
            assert!(crate::domain::text::json_plain(key.as_bytes()), "{key}");
            assert!(key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{key}");
        }
    }

    #[test]
    fn json_is_laid_out_as_serde_json_s_pretty_printer_lays_it_out() {
        // Empty and nested containers, and nesting deeper than the indent kept at hand (40).
        let mut deep = serde_json::json!({"end": []});
        for i in 0..45 {
            deep = serde_json::json!([i, {"k": deep, "e": {}, "a": [1, [], {"x": null}]}]);
        }
        let cases = [
            serde_json::json!({}),
            serde_json::json!([]),
            serde_json::json!({"now": "2026-11-26T09:00:00", "items": [{"kind": "task_overdue", "id": 1, "title": "ü \"q\""}, {"k": [true, 2.5, null]}]}),
            deep,
        ];
        for v in cases {
            let mut ours = Vec::new();
            write_json(&mut ours, &v).unwrap();
            let theirs = serde_json::to_vec_pretty(&v).unwrap();
            assert_eq!(String::from_utf8(ours).unwrap(), String::from_utf8(theirs).unwrap());
        }
    }

    #[test]
    fn the_safe_writer_cleans_across_writes() {
        let mut buf = Vec::new();
        {
            let mut w = TerminalSafe::new(&mut buf);
            // An escape sequence and a two-byte character, each cut between writes.
            let data = "a\x1b]0;PWNED\x07b ñ\u{202E}c\n";
            for b in data.as_bytes() {
                w.write_all(&[*b]).unwrap();
            }
        }
        assert_eq!(String::from_utf8(buf).unwrap(), "ab ñc\n");
    }

    #[test]
    fn plain_ascii_inside_a_sequence_cut_between_writes_is_still_removed() {
        let mut buf = Vec::new();
        {
            let mut w = TerminalSafe::new(&mut buf);
            // The fast path for printable ASCII must not apply while a sequence is open.
            for part in ["a\x1b]0;", "PWNED title", "\x07b", "\x1b[", "31", "m", "c\n", "plain\n"] {
                w.write_all(part.as_bytes()).unwrap();
            }
        }
        assert_eq!(String::from_utf8(buf).unwrap(), "abc\nplain\n");
    }

    #[test]
    fn the_safe_writer_cleans_the_same_whatever_the_pieces() {
        // Plain runs, sequences, accents, a sequence left open across a newline, cut anywhere.
        let data = "plain {\n  \x1b[31mred\x1b[0m ñandú\u{202E} ok\n\x1b]0;title\x07tail é\nx\x1b[1\nafter\n";
        let clean = |pieces: &[&[u8]]| -> String {
            let mut buf = Vec::new();
            {
                let mut w = TerminalSafe::new(&mut buf);
                for p in pieces {
                    w.write_all(p).unwrap();
                }
            }
            String::from_utf8(buf).unwrap()
        };
        let bytes = data.as_bytes();
        let whole = clean(&[bytes]);
        let one_by_one: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(clean(&one_by_one), whole);
        for cut in 0..bytes.len() {
            assert_eq!(clean(&[&bytes[..cut], &bytes[cut..]]), whole, "cut at {cut}");
        }
        assert_eq!(whole, "plain {\n  red ñandú ok\ntail é\nx\nafter\n");
    }

    #[test]
    fn json_escapes_what_a_terminal_acts_on_and_reads_back() {
        let v = serde_json::json!({"n": "a\x1b]0;x\x07\u{202E}\u{9b}\u{7f}\u{2028}ñ"});
        let mut buf = Vec::new();
        write_json(&mut buf, &v).unwrap();
        let s = String::from_utf8(buf).unwrap();
        assert!(!s.chars().any(|c| text::is_terminal_active(c) && c != '\n'), "{s:?}");
        assert!(s.contains("\\u202e"), "{s}");
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
        assert!(s.contains("\n  \"n\""), "still pretty: {s}");
    }

    #[test]
    fn columns_align_by_display_width() {
        let t = table(
            &["ID", "NAME", "NOTE"],
            &[
                vec!["1".into(), "咖啡店".into(), "x".into()],
                vec!["22".into(), "Ana".into(), "y".into()],
            ],
        );
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "ID  NAME    NOTE");
        assert_eq!(lines[1], "1   咖啡店  x");
        assert_eq!(lines[2], "22  Ana     y");
    }
}

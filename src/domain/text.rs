//! Cleaning what people type: no control characters or escape sequences reach the store,
//! and lengths are checked in characters, not bytes.

use crate::error::{Arg, Error, Msg, Result};
use crate::i18n::T;

pub const MAX_NAME_CHARS: usize = 120;
pub const MAX_TEXT_CHARS: usize = 20_000;
/// The most characters of a time entry's note (a line, not a page).
pub const MAX_ENTRY_NOTE_CHARS: usize = MAX_NAME_CHARS * 4;

/// One line of text: control characters (escape included) removed, newlines and tabs
/// become spaces, surrounding space trimmed.
pub fn clean_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\n' | '\t' | '\r' | '\u{2028}' | '\u{2029}') {
            out.push(' ');
        } else if !c.is_control() && !is_invisible_format(c) {
            out.push(c);
        }
    }
    out.trim().to_string()
}

/// Free text that keeps its line breaks but loses every other control character.
pub fn clean_multiline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\n' | '\u{2028}' | '\u{2029}') {
            out.push('\n');
        } else if c == '\t' {
            out.push(' ');
        } else if !c.is_control() && !is_invisible_format(c) {
            out.push(c);
        }
    }
    out.trim().to_string()
}

/// Bidirectional controls and invisible characters that could disguise text on screen: the
/// embeddings and overrides (U+202A-U+202E), the isolates (U+2066-U+2069), the marks (LRM,
/// RLM, ALM), zero-width space, the deprecated format controls, the byte-order mark.
pub fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{206A}'..='\u{206F}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{061C}'
            | '\u{200B}'
            | '\u{FEFF}'
    )
}

/// Whether a terminal could act on `c` rather than show it: control characters (C0, DEL, C1),
/// line and paragraph separators, bidi controls and invisible format characters.
pub fn is_terminal_active(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') || is_invisible_format(c)
}

/// How many bytes at the start of `b` are printable ASCII (`' '..='~'`), or also newlines when
/// `newlines`. Checked sixteen bytes at a time without a branch per byte: JSON and tables are
/// almost all such bytes, and this runs over every byte the command line prints.
pub fn printable_ascii_prefix(b: &[u8], newlines: bool) -> usize {
    let ok = |c: u8| c.wrapping_sub(b' ') < 95 || (newlines & (c == b'\n'));
    let mut n = 0;
    for chunk in b.chunks_exact(16) {
        // Every byte looked at, no early exit: the compiler makes this a few vector steps.
        let mut bad = 0u8;
        for &c in chunk {
            bad |= u8::from(c.wrapping_sub(b' ') >= 95) & !(u8::from(newlines) & u8::from(c == b'\n'));
        }
        if bad != 0 {
            break;
        }
        n += 16;
    }
    n + b[n..].iter().position(|&c| !ok(c)).unwrap_or(b.len() - n)
}

/// Whether a JSON string can hold `b` as it is: printable ASCII with no `"` and no backslash.
/// Checked sixteen bytes at a time, as [`printable_ascii_prefix`] does.
pub fn json_plain(b: &[u8]) -> bool {
    // Sixteen bytes looked at together, every one without an early exit (a few vector steps).
    let plain = |c: &[u8; 16]| {
        let mut bad = 0u8;
        for &c in c {
            bad |= u8::from(c.wrapping_sub(b' ') >= 95) | u8::from(c == b'"') | u8::from(c == b'\\');
        }
        bad == 0
    };
    let sixteen = |at: usize| <&[u8; 16]>::try_from(&b[at..at + 16]).is_ok_and(plain);
    if b.len() < 16 {
        // A short text padded with plain bytes.
        let mut padded = [b'a'; 16];
        padded[..b.len()].copy_from_slice(b);
        return plain(&padded);
    }
    // Whole chunks, then the last sixteen bytes (overlapping the chunk before).
    (0..b.len() / 16).all(|k| sixteen(k * 16)) && sixteen(b.len() - 16)
}

/// Text for a terminal, from any source (typed, imported, or written into the store by another
/// program): whole escape sequences (CSI, OSC, DCS and the other strings, in their 7-bit and
/// C1 forms) removed, every other control and bidi character removed, tabs and line
/// separators become spaces. Newlines become spaces too: one line.
pub fn terminal_line(s: &str) -> std::borrow::Cow<'_, str> {
    scrub(s, false)
}

/// As [`terminal_line`], keeping newlines.
pub fn terminal_text(s: &str) -> std::borrow::Cow<'_, str> {
    scrub(s, true)
}

fn scrub(s: &str, keep_newlines: bool) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(is_terminal_active) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut sc = Scrubber::new(keep_newlines);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if let Some(c) = sc.feed(c) {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Removes what drives a terminal from a stream of characters, one character at a time, so a
/// writer can clean output that arrives in pieces. A newline ends any unfinished sequence, so
/// a stray introducer can hide at most the rest of its line.
#[derive(Debug, Clone)]
pub struct Scrubber {
    state: Scrub,
    keep_newlines: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scrub {
    Text,
    /// After ESC.
    Esc,
    /// ESC followed by intermediate bytes (`ESC ( B`).
    EscIntermediate,
    /// A control sequence: parameters up to a final byte.
    Csi,
    /// OSC, DCS, SOS, PM, APC: up to BEL or ST.
    Str,
    /// ESC inside a string: `\\` ends it.
    StrEsc,
}

impl Scrubber {
    pub fn new(keep_newlines: bool) -> Scrubber {
        Scrubber {
            state: Scrub::Text,
            keep_newlines,
        }
    }

    /// Whether bytes that are all printable ASCII (or newlines) come out exactly as they are:
    /// true between sequences, when nothing is half read.
    pub fn at_text(&self) -> bool {
        self.state == Scrub::Text
    }

    /// The character to emit for `c`, if any.
    pub fn feed(&mut self, c: char) -> Option<char> {
        if c == '\n' {
            self.state = Scrub::Text;
            return Some(if self.keep_newlines { '\n' } else { ' ' });
        }
        match self.state {
            Scrub::Text => self.text(c),
            Scrub::Esc => self.esc(c),
            Scrub::EscIntermediate => match c {
                ' '..='/' => None,
                '0'..='~' => {
                    self.state = Scrub::Text;
                    None
                }
                _ => {
                    self.state = Scrub::Text;
                    self.text(c)
                }
            },
            Scrub::Csi => match c {
                ' '..='?' => None,
                '@'..='~' => {
                    self.state = Scrub::Text;
                    None
                }
                '\x1b' => {
                    self.state = Scrub::Esc;
                    None
                }
                _ => {
                    self.state = Scrub::Text;
                    self.text(c)
                }
            },
            Scrub::Str => {
                match c {
                    '\x07' | '\u{9c}' => self.state = Scrub::Text,
                    '\x1b' => self.state = Scrub::StrEsc,
                    _ => {}
                }
                None
            }
            Scrub::StrEsc => {
                if c == '\\' {
                    self.state = Scrub::Text;
                    None
                } else {
                    self.esc(c)
                }
            }
        }
    }

    fn text(&mut self, c: char) -> Option<char> {
        match c {
            '\x1b' => self.state = Scrub::Esc,
            '\u{9b}' => self.state = Scrub::Csi,
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => self.state = Scrub::Str,
            '\t' | '\u{2028}' | '\u{2029}' => return Some(' '),
            c if is_terminal_active(c) => {}
            c => return Some(c),
        }
        None
    }

    fn esc(&mut self, c: char) -> Option<char> {
        self.state = Scrub::Text;
        match c {
            '[' => self.state = Scrub::Csi,
            ']' | 'P' | 'X' | '^' | '_' => self.state = Scrub::Str,
            ' '..='/' => self.state = Scrub::EscIntermediate,
            '\x1b' => self.state = Scrub::Esc,
            '0'..='~' => {}
            c => return self.text(c),
        }
        None
    }
}

/// A name (client, task title): cleaned, not empty, not too long.
pub fn name(s: &str, what: T) -> Result<String> {
    let cleaned = clean_line(s);
    if cleaned.is_empty() {
        return Err(Error::Invalid(Msg {
            key: T::ErrEmpty,
            args: vec![Arg::Key(what)],
        }));
    }
    let n = cleaned.chars().count();
    if n > MAX_NAME_CHARS {
        return Err(too_long(what, MAX_NAME_CHARS, n));
    }
    Ok(cleaned)
}

/// Free text (spec, notes): cleaned, bounded.
pub fn free_text(s: &str, what: T) -> Result<String> {
    let cleaned = clean_multiline(s);
    let n = cleaned.chars().count();
    if n > MAX_TEXT_CHARS {
        return Err(too_long(what, MAX_TEXT_CHARS, n));
    }
    Ok(cleaned)
}

/// Parses an amount as people type it (`35`, `35.50`, `35,50`) and checks it.
pub fn parse_amount(s: &str) -> Result<f64> {
    let v: f64 = s
        .trim()
        .replace(',', ".")
        .parse()
        .map_err(|_| Error::invalid(T::ErrBadNumber, &[&s]))?;
    amount(v)
}

/// An amount of money or rate: finite, not negative.
pub fn amount(v: f64) -> Result<f64> {
    if !v.is_finite() || !(0.0..=1e12).contains(&v) {
        return Err(Error::invalid(T::ErrBadAmount, &[&v]));
    }
    Ok(v)
}

/// An amount of money in integer cents: the one place amounts are rounded to cents.
pub fn cents(amount: f64) -> i64 {
    (amount * 100.0).round() as i64
}

fn too_long(what: T, max: usize, got: usize) -> Error {
    Error::Invalid(Msg {
        key: T::ErrTooLong,
        args: vec![Arg::Key(what), Arg::Text(max.to_string()), Arg::Text(got.to_string())],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_prefix_stops_at_the_first_other_byte_wherever_it_is() {
        let naive = |b: &[u8], nl: bool| {
            b.iter()
                .position(|&c| !((b' '..=b'~').contains(&c) || (nl && c == b'\n')))
                .unwrap_or(b.len())
        };
        // Every length across two chunks, with each kind of byte at every place.
        for len in 0..40 {
            for at in 0..=len {
                for bad in [0u8, b'\t', b'\n', b'\r', 0x1b, 0x1f, 0x7f, 0x80, 0xc3, 0xff] {
                    let mut b = vec![b'a'; len];
                    if at < len {
                        b[at] = bad;
                    }
                    for nl in [false, true] {
                        assert_eq!(printable_ascii_prefix(&b, nl), naive(&b, nl), "{len} {at} {bad} {nl}");
                    }
                }
            }
        }
        assert_eq!(printable_ascii_prefix(b" ~", false), 2);
        assert_eq!(printable_ascii_prefix("é".as_bytes(), true), 0);
    }

    #[test]
    fn json_plain_refuses_quotes_backslashes_and_every_unprintable_byte_wherever_it_is() {
        let naive = |b: &[u8]| b.iter().all(|&c| (b' '..=b'~').contains(&c) && c != b'"' && c != b'\\');
        for len in 0..40 {
            for at in 0..=len {
                for bad in [
                    0u8, b'\t', b'\n', 0x1b, 0x1f, b'"', b'\\', 0x7f, 0x80, 0xc3, 0xff, b' ', b'~',
                ] {
                    let mut b = vec![b'a'; len];
                    if at < len {
                        b[at] = bad;
                    }
                    assert_eq!(json_plain(&b), naive(&b), "{len} {at} {bad}");
                }
            }
        }
        assert!(json_plain(b""));
        assert!(!json_plain("Zoë".as_bytes()));
    }

    #[test]
    fn control_characters_and_escapes_are_removed() {
        assert_eq!(clean_line("  Ana\x1b[31m Pérez\n\t"), "Ana[31m Pérez");
        assert_eq!(clean_line("a\u{202E}b\0c"), "abc");
        assert_eq!(clean_multiline("line 1\r\nline\x072"), "line 1\nline2");
        // The marks and separators that were once let through.
        assert_eq!(
            clean_line("a\u{200E}b\u{200F}c\u{061C}d\u{2028}e\u{2029}f\u{2066}g\u{2069}"),
            "abcd e fg"
        );
        assert_eq!(clean_multiline("a\u{2028}b"), "a\nb");
    }

    #[test]
    fn terminal_text_loses_whole_sequences() {
        assert_eq!(terminal_line("plain"), std::borrow::Cow::Borrowed("plain"));
        assert_eq!(terminal_line("Ana\x1b[31m Pérez\x1b[0m"), "Ana Pérez");
        assert_eq!(terminal_line("a\x1b]0;PWNED\x07b"), "ab");
        assert_eq!(terminal_line("a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\b"), "alinkb");
        assert_eq!(terminal_line("a\u{9b}2Jb\u{9d}0;T\u{9c}c"), "abc");
        assert_eq!(terminal_line("a\x1bPq#0\x1b\\b"), "ab");
        assert_eq!(terminal_line("a\x1b(Bb\x1bMc"), "abc");
        assert_eq!(terminal_line("a\u{202E}b\u{200E}c\u{061C}\x08\r\x7f\u{85}d"), "abcd");
        assert_eq!(terminal_line("a\nb\tc\u{2028}d"), "a b c d");
        assert_eq!(terminal_text("a\nb"), "a\nb");
        // An unfinished sequence hides at most the rest of its line.
        assert_eq!(terminal_text("a\x1b]0;never ends\nnext"), "a\nnext");
        assert_eq!(terminal_text("a\x1b[12;\nnext"), "a\nnext");
        // A sequence broken by text it cannot hold lets the text through.
        assert_eq!(terminal_line("a\x1b[1;咖b"), "a咖b");
        assert_eq!(terminal_line("咖啡店 ☕ ñ"), "咖啡店 ☕ ñ");
    }

    #[test]
    fn names_are_checked_in_characters() {
        assert!(name("", T::FieldName).is_err());
        assert!(name(" \x1b \n", T::FieldName).is_err());
        assert!(name(&"x".repeat(10_000), T::FieldName).is_err());
        assert_eq!(
            name(&"ñ".repeat(MAX_NAME_CHARS), T::FieldName).unwrap().chars().count(),
            MAX_NAME_CHARS
        );
        assert_eq!(name("咖啡店 ☕", T::FieldName).unwrap(), "咖啡店 ☕");
    }

    #[test]
    fn amounts() {
        assert!(amount(-1.0).is_err());
        assert!(amount(f64::NAN).is_err());
        assert!(amount(f64::INFINITY).is_err());
        assert_eq!(amount(35.5).unwrap(), 35.5);
    }
}

/// Display helpers: widths are terminal columns (CJK and emoji take two), never bytes.
pub mod width {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

    pub fn of(s: &str) -> usize {
        s.width()
    }

    /// Cuts `s` to at most `max` columns, ending with `…` when cut.
    pub fn truncate(s: &str, max: usize) -> String {
        if s.width() <= max {
            return s.to_string();
        }
        if max == 0 {
            return String::new();
        }
        let mut out = String::new();
        let mut used = 0;
        for c in s.chars() {
            let w = c.width().unwrap_or(0);
            if used + w > max - 1 {
                break;
            }
            out.push(c);
            used += w;
        }
        out.push('…');
        out
    }

    /// The end of `s` in at most `max` columns, starting with `…` when cut (what is being
    /// typed, whose end is where the cursor is).
    pub fn tail(s: &str, max: usize) -> String {
        if s.width() <= max {
            return s.to_string();
        }
        if max == 0 {
            return String::new();
        }
        let mut kept = Vec::new();
        let mut used = 0;
        for c in s.chars().rev() {
            let w = c.width().unwrap_or(0);
            if used + w > max - 1 {
                break;
            }
            kept.push(c);
            used += w;
        }
        std::iter::once('…').chain(kept.into_iter().rev()).collect()
    }

    /// Cuts `s` to at most `max` columns at a word boundary, ending with `…` when cut, so no
    /// word is ever shown half.
    pub fn truncate_words(s: &str, max: usize) -> String {
        if s.width() <= max {
            return s.to_string();
        }
        let cut = truncate(s, max);
        let body = cut.trim_end_matches('…');
        match body.rfind(' ') {
            Some(i) if i > 0 => format!("{}…", body[..i].trim_end_matches([' ', '·', ',', ':'])),
            _ => cut,
        }
    }

    /// As many whole ` · `-separated items of `s` as fit in `max` columns.
    pub fn fit_items(s: &str, max: usize) -> String {
        let mut out = String::new();
        for item in s.split(" · ") {
            let next = if out.is_empty() {
                item.to_string()
            } else {
                format!("{out} · {item}")
            };
            if next.width() > max {
                break;
            }
            out = next;
        }
        if out.is_empty() {
            truncate_words(s, max)
        } else {
            out
        }
    }

    /// Pads `s` with spaces to exactly `w` columns (truncating when longer).
    pub fn pad(s: &str, w: usize) -> String {
        // Printable ASCII (most rows of every frame): one column per byte.
        if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            let mut out = String::with_capacity(w.max(s.len()) + 2);
            if s.len() <= w {
                out.push_str(s);
                out.extend(std::iter::repeat_n(' ', w - s.len()));
            } else if w > 0 {
                out.push_str(&s[..w - 1]);
                out.push('…');
            }
            return out;
        }
        let t = truncate(s, w);
        let fill = w.saturating_sub(t.width());
        format!("{t}{}", " ".repeat(fill))
    }

    /// `s` right-aligned in `w` columns (never cut: a wider `s` is returned whole).
    pub fn pad_left(s: &str, w: usize) -> String {
        format!("{}{s}", " ".repeat(w.saturating_sub(of(s))))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn wide_characters_count_twice() {
            assert_eq!(of("咖啡"), 4);
            assert_eq!(truncate("咖啡店的老板", 5), "咖啡…");
            assert_eq!(truncate("Pérez", 5), "Pérez");
            assert_eq!(truncate("Pérez López", 6), "Pérez…");
            assert_eq!(pad("ab", 4), "ab  ");
            // Plain ASCII is padded and cut as any other text is.
            for text in ["", "a", "ab", "abcd", "Client 0000", "x y", "~!"] {
                for w in 0..14 {
                    let slow = {
                        let t = truncate(text, w);
                        format!("{t}{}", " ".repeat(w.saturating_sub(of(&t))))
                    };
                    assert_eq!(pad(text, w), slow, "{text:?} {w}");
                    assert_eq!(of(&pad(text, w)), w, "{text:?} {w}");
                }
            }
            assert_eq!(of(&pad("咖啡店", 5)), 5);
            assert_eq!(pad_left("2h", 5), "   2h");
            assert_eq!(pad_left("咖啡", 5), " 咖啡");
            assert_eq!(pad_left("trabajado", 4), "trabajado");
            assert_eq!(truncate_words("la fecha no es válida", 14), "la fecha no…");
            assert_eq!(fit_items("a añadir · e editar · D borrar", 20), "a añadir · e editar");
            assert_eq!(fit_items("a añadir · e editar", 40), "a añadir · e editar");
        }

        #[test]
        fn a_tail_keeps_the_end_in_its_columns() {
            assert_eq!(tail("report", 6), "report");
            assert_eq!(tail("report", 5), "…port");
            assert_eq!(tail("informe diseño", 8), "… diseño");
            // A wide character that does not fit whole is left out.
            assert_eq!(tail("日本語翻訳", 6), "…翻訳");
            assert_eq!(tail("日本語翻訳", 1), "…");
            assert_eq!(tail("abc", 0), "");
            for max in 0..12 {
                assert!(of(&tail("ab 日本 cd 🎉 ef", max)) <= max, "{max}");
            }
        }
    }
}

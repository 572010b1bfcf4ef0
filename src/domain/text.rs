//! Cleaning what people type: no control characters or escape sequences reach the store,
//! and lengths are checked in characters, not bytes.

use crate::error::{Arg, Error, Msg, Result};
use crate::i18n::T;

pub const MAX_NAME_CHARS: usize = 120;
pub const MAX_TEXT_CHARS: usize = 20_000;

/// One line of text: control characters (escape included) removed, newlines and tabs
/// become spaces, surrounding space trimmed.
pub fn clean_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '\n' || c == '\t' || c == '\r' {
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
        if c == '\n' {
            out.push('\n');
        } else if c == '\t' {
            out.push(' ');
        } else if !c.is_control() && !is_invisible_format(c) {
            out.push(c);
        }
    }
    out.trim().to_string()
}

/// Bidirectional overrides and similar characters that could disguise text on screen.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}' | '\u{FEFF}')
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
    fn control_characters_and_escapes_are_removed() {
        assert_eq!(clean_line("  Ana\x1b[31m Pérez\n\t"), "Ana[31m Pérez");
        assert_eq!(clean_line("a\u{202E}b\0c"), "abc");
        assert_eq!(clean_multiline("line 1\r\nline\x072"), "line 1\nline2");
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
        let t = truncate(s, w);
        let fill = w.saturating_sub(t.width());
        format!("{t}{}", " ".repeat(fill))
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
            assert_eq!(of(&pad("咖啡店", 5)), 5);
            assert_eq!(truncate_words("la fecha no es válida", 14), "la fecha no…");
            assert_eq!(fit_items("a añadir · e editar · D borrar", 20), "a añadir · e editar");
            assert_eq!(fit_items("a añadir · e editar", 40), "a añadir · e editar");
        }
    }
}

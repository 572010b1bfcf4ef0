//! What a Spanish reader must never meet: English words, keys, internal references, ISO dates,
//! numbers with a decimal point and lazy "(s)" plurals. Shared by the catalogue walk, the
//! Spanish week on the command line and the Spanish session at the desk.

use std::collections::BTreeSet;

use vadesk::domain::{
    Attendance, ChannelKind, ClientStatus, FlagKind, MeetingKind, Outcome, QuoteStatus, RequestKind, ReviewKind,
    TaskStatus, Verdict,
};
use vadesk::i18n::{Lang, P, T};

/// Every label a fixed value has in one language, with its key and its Spanish word.
pub fn labels(lang: Lang) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    macro_rules! each {
        ($($e:ty),+) => {$(
            for v in <$e>::ALL {
                out.push((v.key().to_string(), v.word(Lang::Es).to_string(), v.label(lang).to_string()));
            }
        )+};
    }
    each!(
        ClientStatus,
        ChannelKind,
        TaskStatus,
        Outcome,
        RequestKind,
        QuoteStatus,
        MeetingKind,
        Attendance,
        FlagKind
    );
    for k in MeetingKind::ALL {
        out.push((k.key().into(), k.word(Lang::Es).into(), k.phrase(lang).into()));
    }
    for v in [
        Verdict::Healthy,
        Verdict::Watch,
        Verdict::Talk,
        Verdict::End,
        Verdict::Screen,
        Verdict::Decline,
    ] {
        out.push((v.key().into(), v.label(Lang::Es).into(), v.label(lang).into()));
    }
    for k in ReviewKind::ALL {
        out.push((k.key().into(), k.label(Lang::Es).into(), k.label(lang).into()));
    }
    out
}

/// Every text of the catalogue in one language, plural forms filled for one and for three.
pub fn catalogue(lang: Lang) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = T::ALL
        .iter()
        .map(|k| (format!("{k:?}"), k.text(lang).to_string()))
        .collect();
    for p in P::ALL {
        for n in [1, 3] {
            out.push((format!("{p:?}({n})"), vadesk::i18n::pl(lang, *p, n, &[&"x"])));
        }
    }
    out
}

/// Words with letters (and `_`), lowercased.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty() && w.chars().any(char::is_alphabetic))
        .map(str::to_lowercase)
        .collect()
}

/// Drops what is command syntax rather than prose: `{placeholders}`, `--options`,
/// `` `quoted commands` `` and the command words after `vadesk` ("vadesk client add").
pub fn prose(text: &str) -> String {
    let mut out = String::new();
    let mut skip_until: Option<char> = None;
    for c in text.chars() {
        match skip_until {
            Some(end) if c == end => skip_until = None,
            Some(_) => {}
            None if c == '{' => skip_until = Some('}'),
            None if c == '`' => skip_until = Some('`'),
            None => out.push(c),
        }
    }
    let mut kept = Vec::new();
    let mut after_vadesk = false;
    for tok in out.split(' ') {
        if tok.trim_start_matches(['(', '"', '\'', '«', '[']).starts_with("--") {
            continue;
        }
        let bare = tok.trim_matches(|c: char| !c.is_alphanumeric());
        if after_vadesk && !bare.is_empty() && bare.chars().all(|c| c.is_ascii_lowercase()) {
            continue;
        }
        after_vadesk = bare == "vadesk";
        kept.push(tok);
    }
    kept.join(" ")
}

/// English keys a Spanish text must not show: every key that is not also the Spanish word.
pub fn english_keys() -> BTreeSet<String> {
    labels(Lang::Es)
        .into_iter()
        // "todo" is a key in English and an everyday word in Spanish ("todo bien").
        .filter(|(key, es, _)| key != es && key != "todo")
        .map(|(key, _, _)| key)
        .collect()
}

/// The English vocabulary of the interface: every word of the English catalogue and labels
/// that no Spanish text uses (as prose).
pub fn english_vocabulary() -> BTreeSet<String> {
    let mut en: BTreeSet<String> = BTreeSet::new();
    let mut es: BTreeSet<String> = BTreeSet::new();
    for (_, t) in catalogue(Lang::En) {
        en.extend(words(&prose(&t)));
    }
    for (key, _, label) in labels(Lang::En) {
        en.insert(key);
        en.extend(words(&label));
    }
    for (_, t) in catalogue(Lang::Es) {
        es.extend(words(&prose(&t)));
    }
    for (_, word, label) in labels(Lang::Es) {
        es.insert(word.to_lowercase());
        es.extend(words(&label));
    }
    en.retain(|w| w.chars().count() >= 3 && !es.contains(w) && !w.chars().all(|c| c.is_ascii_digit()));
    en.extend(english_keys());
    en
}

/// "bandera(s)", "aclaración(es)": a word glued to a bracketed ending.
pub fn lazy_plurals(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    for i in 1..chars.len() {
        if chars[i] == '(' && chars[i - 1].is_alphabetic() {
            let end = chars[i..].iter().position(|c| *c == ')').map(|p| p + i);
            if let Some(end) = end {
                let inside: String = chars[i + 1..end].iter().collect();
                if (1..=3).contains(&inside.len()) && inside.chars().all(|c| c.is_lowercase()) {
                    out.push(chars[i.saturating_sub(8)..=end].iter().collect());
                }
            }
        }
    }
    out
}

/// "8.39", "450.00": a digit, a point, a digit.
pub fn dot_decimals(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let digit = |i: usize| chars.get(i).is_some_and(char::is_ascii_digit);
    // A dot before exactly three digits groups thousands, as Spanish writes 12.500,00.
    let groups = |i: usize| (i + 1..i + 4).all(digit) && !digit(i + 4);
    (1..chars.len().saturating_sub(1))
        .filter(|&i| chars[i] == '.' && digit(i - 1) && digit(i + 1) && !groups(i))
        .map(|i| chars[i.saturating_sub(4)..(i + 4).min(chars.len())].iter().collect())
        .collect()
}

/// "2026-11-13" and references such as "rate:1:2026-11", "task:4:vague", "meeting:3".
pub fn iso_dates_and_refs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for tok in text.split(|c: char| c.is_whitespace() || "(),;".contains(c)) {
        let b = tok.as_bytes();
        let iso = b.len() >= 7
            && b[..4].iter().all(u8::is_ascii_digit)
            && b[4] == b'-'
            && b[5..7].iter().all(u8::is_ascii_digit);
        let reference = tok.split(':').count() >= 2
            && tok
                .split(':')
                .next()
                .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_lowercase()))
            && tok
                .split(':')
                .nth(1)
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
        if iso || reference {
            out.push(tok.to_string());
        }
    }
    out
}

/// Everything wrong for a Spanish reader in a program's output, leaving out what the user
/// typed (`names`: clients, titles, notes).
pub fn problems(output: &str, names: &[&str]) -> Vec<String> {
    let mut text = output.to_string();
    let mut names: Vec<&str> = names.to_vec();
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    for n in names {
        text = text.replace(n, " ");
    }
    let vocabulary = english_vocabulary();
    let mut out: Vec<String> = words(&prose(&text))
        .into_iter()
        .filter(|w| vocabulary.contains(w))
        .map(|w| format!("English word {w:?}"))
        .collect();
    out.extend(lazy_plurals(&text).into_iter().map(|s| format!("lazy plural {s:?}")));
    out.extend(dot_decimals(&text).into_iter().map(|s| format!("decimal point {s:?}")));
    out.extend(
        iso_dates_and_refs(&text)
            .into_iter()
            .map(|s| format!("ISO date or reference {s:?}")),
    );
    out.sort();
    out.dedup();
    out
}

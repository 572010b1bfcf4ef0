//! Remapped keys from the config's `[keys]`: an overlay on the default table of `keys.rs`.
//! Each remapped action's keys replace its default keys; the overlay is checked first, then
//! the default table without the remapped actions. Action names come from the `Intent` enum
//! (`AskMaterial` -> `ask_material`), so a new binding gets a name with no code here.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::keys::{Binding, Intent, KeyCtx, BINDINGS};
use crate::i18n::{Lang, T};

/// Texts that name desk keys in their prose ("Redo what {0} undid", "press {0} to add one"),
/// with the actions whose keys in effect fill them, after the text's own arguments: a
/// remapped key is named as the config sets it.
const KEYED: &[(T, &[Intent])] = &[
    (T::KeyRedo, &[Intent::Undo]),
    (T::NoticeUndoHint, &[Intent::Undo]),
    (T::EmptyClients, &[Intent::Add]),
    (T::EmptyTasks, &[Intent::Add]),
    (T::EmptyTasksAll, &[Intent::Add]),
    (T::EmptyTasksTab, &[Intent::NextPane, Intent::Add]),
    (T::EmptyTasksFiltered, &[Intent::Back]),
    (T::EmptyQuotes, &[Intent::Add, Intent::AddQuote]),
    (T::EmptyMeetings, &[Intent::Add, Intent::AddMeeting]),
    (T::EmptyTime, &[Intent::Add, Intent::Timer]),
    (T::MonthEmpty, &[Intent::Timer, Intent::LogTime]),
    (T::NoticeDemo, &[Intent::ShowReview]),
    (T::HelpLegendRecur, &[Intent::Edit]),
    (T::TooSmall, &[Intent::Quit]),
];

pub type Key = (KeyCode, KeyModifiers);

/// Names that read better than the enum's (the review row's done is the one people mean).
const RENAMES: &[(&str, &str)] = &[("row_done", "done")];

/// The action name of an intent: its variant in snake_case, `Move(Down)` -> `move_down`.
pub fn action_name(i: Intent) -> String {
    let debug = format!("{i:?}");
    let mut out = String::new();
    for c in debug.chars() {
        if c.is_ascii_uppercase() {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if c == '(' && !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_end_matches('_').to_string();
    RENAMES
        .iter()
        .find(|(from, _)| *from == out)
        .map(|(_, to)| to.to_string())
        .unwrap_or(out)
}

/// Every action of the table, in its order, with its name.
pub fn actions() -> Vec<(String, Intent)> {
    let mut out: Vec<(String, Intent)> = Vec::new();
    for b in BINDINGS {
        if !out.iter().any(|(_, i)| *i == b.intent) {
            out.push((action_name(b.intent), b.intent));
        }
    }
    out
}

/// Parses a key name: `x`, `X`, `ctrl-x`, `enter`, `esc`, `tab`, `backtab`, `up`, `down`,
/// `left`, `right`, `pgup`, `pgdn`, `home`, `end`, `space`, `backspace`, `delete`, `insert`,
/// `f1`..`f12`. The forms a terminal may send for the same key are all included.
pub fn parse_key(name: &str) -> Option<Vec<Key>> {
    const NONE: KeyModifiers = KeyModifiers::NONE;
    const SHIFT: KeyModifiers = KeyModifiers::SHIFT;
    let lower = name.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("ctrl-").or_else(|| lower.strip_prefix("ctrl+")) {
        let mut cs = rest.chars();
        return match (cs.next(), cs.next()) {
            (Some(c), None) if c.is_ascii_alphanumeric() => Some(vec![(KeyCode::Char(c), KeyModifiers::CONTROL)]),
            _ => None,
        };
    }
    let mut cs = name.chars();
    if let (Some(c), None) = (cs.next(), cs.next()) {
        if c.is_control() || c == ' ' {
            return None;
        }
        // Terminals report an upper-case letter or a shifted symbol with or without Shift.
        return Some(if c.is_ascii_lowercase() || c.is_ascii_digit() {
            vec![(KeyCode::Char(c), NONE)]
        } else {
            vec![(KeyCode::Char(c), NONE), (KeyCode::Char(c), SHIFT)]
        });
    }
    let code = match lower.as_str() {
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "backtab" | "shift-tab" => return Some(vec![(KeyCode::BackTab, NONE), (KeyCode::BackTab, SHIFT)]),
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "pgup" | "pageup" => KeyCode::PageUp,
        "pgdn" | "pagedown" => KeyCode::PageDown,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "space" => KeyCode::Char(' '),
        "backspace" => KeyCode::Backspace,
        "delete" | "del" => KeyCode::Delete,
        "insert" | "ins" => KeyCode::Insert,
        f => match f.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
            Some(n) if (1..=12).contains(&n) => KeyCode::F(n),
            _ => return None,
        },
    };
    Some(vec![(code, NONE)])
}

/// How a key is shown in the help and the hint bars.
pub fn key_label(k: Key) -> String {
    let (code, m) = k;
    let base = match code {
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "Shift-Tab".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        KeyCode::Backspace => "Backspace".into(),
        KeyCode::Delete => "Del".into(),
        KeyCode::Insert => "Ins".into(),
        KeyCode::F(n) => format!("F{n}"),
        other => format!("{other:?}"),
    };
    if m.contains(KeyModifiers::CONTROL) {
        format!("Ctrl-{base}")
    } else {
        base
    }
}

/// Labels of a list of keys, each key once (`X` and Shift-`X` are one).
fn labels(keys: &[Key]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for k in keys {
        let l = key_label(*k);
        if !out.contains(&l) {
            out.push(l);
        }
    }
    out
}

/// The keys in effect: the defaults with the config's remapped actions laid over them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Keymap {
    over: BTreeMap<String, (Intent, Vec<Key>)>,
}

impl Keymap {
    pub fn is_default(&self) -> bool {
        self.over.is_empty()
    }

    /// Replaces the keys of `intent`.
    pub fn set(&mut self, intent: Intent, keys: Vec<Key>) {
        self.over.insert(action_name(intent), (intent, keys));
    }

    fn remapped(&self, i: Intent) -> Option<&[Key]> {
        self.over.get(&action_name(i)).map(|(_, k)| k.as_slice())
    }

    /// The keys of a remapped action as shown (`z/Z`); `None` when it keeps its defaults.
    pub fn shown(&self, i: Intent) -> Option<String> {
        self.remapped(i).map(|k| labels(k).join("/"))
    }

    /// The keys of `i` in effect as prose names them: the remapped ones (`z/Z`), else its
    /// first default key (`u`).
    pub fn named(&self, i: Intent) -> String {
        if let Some(shown) = self.shown(i) {
            return shown;
        }
        BINDINGS
            .iter()
            .find(|b| b.intent == i)
            .and_then(|b| b.keys.first())
            .map(|k| key_label(*k))
            .unwrap_or_default()
    }

    /// A catalogue text with `args`, and the keys it names as they are in effect (see
    /// `KEYED`; a text that names no key is just filled).
    pub fn text(&self, key: T, lang: Lang, args: &[&dyn std::fmt::Display]) -> String {
        let mut all: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        if let Some((_, intents)) = KEYED.iter().find(|(k, _)| *k == key) {
            all.extend(intents.iter().map(|i| self.named(*i)));
        }
        crate::i18n::fill(key.text(lang), &all)
    }

    /// The keys of a binding in effect.
    pub fn keys_of<'a>(&'a self, b: &'a Binding) -> &'a [Key] {
        self.remapped(b.intent).unwrap_or(b.keys)
    }

    /// The intent of a key in the normal (no popup) mode, remaps first.
    pub fn intent(&self, key: KeyEvent, ctx: KeyCtx) -> Option<Intent> {
        let hit = |keys: &[Key]| keys.iter().any(|(code, m)| *code == key.code && key.modifiers == *m);
        let live = || BINDINGS.iter().filter(|b| b.scope.applies(ctx));
        live()
            .find(|b| self.remapped(b.intent).is_some_and(hit))
            .or_else(|| live().find(|b| self.remapped(b.intent).is_none() && hit(b.keys)))
            .map(|b| b.intent)
    }

    /// A key bound to two actions that can apply at the same place, one of them remapped:
    /// `(key label, first action, second action)`. The places are every combination of the
    /// `KeyCtx` flags (the struct update keeps this compiling when flags are added).
    #[allow(clippy::needless_update)]
    pub fn clash(&self) -> Option<(String, String, String)> {
        let contexts: Vec<KeyCtx> = (0u8..32)
            .map(|n| KeyCtx {
                review: n & 1 != 0,
                tasks_focused: n & 2 != 0,
                has_task: n & 4 != 0,
                has_client: n & 8 != 0,
                has_row: n & 16 != 0,
                ..KeyCtx::default()
            })
            .collect();
        for (i, a) in BINDINGS.iter().enumerate() {
            for b in &BINDINGS[i + 1..] {
                if a.intent == b.intent || (self.remapped(a.intent).is_none() && self.remapped(b.intent).is_none()) {
                    continue;
                }
                let shared = self.keys_of(a).iter().find(|k| self.keys_of(b).contains(k));
                if let Some(k) = shared {
                    if contexts.iter().any(|c| a.scope.applies(*c) && b.scope.applies(*c)) {
                        return Some((key_label(*k), action_name(a.intent), action_name(b.intent)));
                    }
                }
            }
        }
        None
    }

    /// The help screen's label for the binding at `index` of the table: its own, or, when it
    /// or the unlabelled bindings after it are remapped, the keys in effect (`z / Z`).
    pub fn help_label(&self, index: usize) -> String {
        let b = &BINDINGS[index];
        let group: Vec<&Binding> = std::iter::once(b)
            .chain(BINDINGS[index + 1..].iter().take_while(|n| n.label.is_empty()))
            .collect();
        if group.iter().all(|g| self.remapped(g.intent).is_none()) {
            return b.label.to_string();
        }
        group
            .iter()
            .map(|g| labels(self.keys_of(g)).join(" "))
            .collect::<Vec<_>>()
            .join(" / ")
    }

    /// A hint bar ("a add · e edit · ? help") with each remapped action's key replaced by the
    /// keys in effect; a key whose action was moved elsewhere and not replaced is dropped.
    pub fn hints(&self, text: &str, ctx: KeyCtx) -> String {
        if self.is_default() {
            return text.to_string();
        }
        let items: Vec<String> = text
            .split(" · ")
            .filter_map(|item| {
                // "u undo", "a / f log a flag": the keys, then what they do.
                let words: Vec<&str> = item.split(' ').collect();
                let mut n = 1;
                while n + 1 < words.len() && words[n] == "/" {
                    n += 2;
                }
                let keys: Vec<String> = words[..n]
                    .iter()
                    .filter(|w| **w != "/")
                    .map(|w| {
                        w.split('/')
                            .filter(|t| !t.is_empty())
                            .map(|t| self.hint_key(t, ctx))
                            .collect::<Vec<_>>()
                            .join("/")
                    })
                    .collect();
                let rest = words.get(n..)?.join(" ");
                Some(format!("{} {rest}", keys.join(" / ")))
            })
            .collect();
        if items.is_empty() {
            text.to_string()
        } else {
            items.join(" · ")
        }
    }

    /// One key of a hint: the default action it stands for here, and that action's keys now.
    fn hint_key(&self, token: &str, ctx: KeyCtx) -> String {
        let Some(keys) = parse_key(token).or_else(|| parse_key(&token.to_ascii_lowercase())) else {
            return token.to_string();
        };
        // The action of that key here; else (nothing selected yet) wherever it has one.
        let has = |b: &&Binding| b.keys.iter().any(|k| keys.contains(k));
        let default = BINDINGS
            .iter()
            .filter(|b| b.scope.applies(ctx))
            .find(has)
            .or_else(|| BINDINGS.iter().find(has));
        match default.and_then(|b| self.remapped(b.intent)) {
            Some(now) => labels(now).join("/"),
            None => token.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keys::Move;

    #[test]
    fn texts_name_the_keys_in_effect() {
        let mut km = Keymap::default();
        // The defaults read as the catalogue always did.
        assert_eq!(km.text(T::KeyRedo, Lang::En, &[]), "Redo what u undid");
        assert_eq!(
            km.text(T::EmptyQuotes, Lang::En, &[]),
            "No quotes: press a (or Q) to add one."
        );
        assert_eq!(
            km.text(T::EmptyTasksTab, Lang::En, &[]),
            "No tasks: Tab to the tasks pane, then a adds one."
        );
        assert_eq!(
            km.text(T::TooSmall, Lang::En, &[&60, &15, &40, &10]),
            "Terminal too small: vadesk needs 60×15, this is 40×10. Enlarge it, or q quits."
        );
        km.set(Intent::Undo, parse_key("z").unwrap());
        km.set(Intent::Add, parse_key("ctrl-n").unwrap());
        assert_eq!(km.text(T::KeyRedo, Lang::En, &[]), "Redo what z undid");
        assert_eq!(km.text(T::KeyRedo, Lang::Es, &[]), "rehacer lo que z deshizo");
        assert_eq!(km.text(T::NoticeUndoHint, Lang::En, &[]), "(z undoes)");
        assert_eq!(
            km.text(T::EmptyClients, Lang::Es, &[]),
            "Aún no hay clientes: pulsa Ctrl-n para añadir uno."
        );
        // Every keyed text has a place for each of its keys, in both languages.
        for (key, intents) in KEYED {
            for lang in [Lang::En, Lang::Es] {
                let t = key.text(lang);
                let own = (0..10).take_while(|n| t.contains(&format!("{{{n}}}"))).count();
                assert!(own >= intents.len(), "{key:?} {lang:?}: {t}");
            }
        }
    }

    #[test]
    fn names_come_from_the_intents() {
        assert_eq!(action_name(Intent::Undo), "undo");
        assert_eq!(action_name(Intent::AskMaterial), "ask_material");
        assert_eq!(action_name(Intent::Move(Move::PageDown)), "move_page_down");
        assert_eq!(action_name(Intent::RowDone), "done");
        let names: Vec<String> = actions().into_iter().map(|(n, _)| n).collect();
        for n in [
            "quit", "undo", "redo", "help", "filter", "add", "edit", "delete", "nudge", "resolve", "snooze",
        ] {
            assert!(names.contains(&n.to_string()), "{n} in {names:?}");
        }
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "{names:?}");
    }

    #[test]
    fn key_names() {
        assert_eq!(parse_key("x"), Some(vec![(KeyCode::Char('x'), KeyModifiers::NONE)]));
        assert!(parse_key("X")
            .unwrap()
            .contains(&(KeyCode::Char('X'), KeyModifiers::SHIFT)));
        assert_eq!(
            parse_key("ctrl-x"),
            Some(vec![(KeyCode::Char('x'), KeyModifiers::CONTROL)])
        );
        assert_eq!(parse_key("F1"), Some(vec![(KeyCode::F(1), KeyModifiers::NONE)]));
        assert_eq!(parse_key("pgdn"), Some(vec![(KeyCode::PageDown, KeyModifiers::NONE)]));
        for bad in ["", "ctrl-", "f13", "hyper-x", "enterr", "ctrl-xy"] {
            assert_eq!(parse_key(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_default_table_has_no_clash_and_labels_its_own() {
        let k = Keymap::default();
        assert_eq!(k.clash(), None);
        assert_eq!(k.help_label(0), BINDINGS[0].label);
        assert_eq!(k.hints("u undo · ? help", KeyCtx::default()), "u undo · ? help");
    }

    #[test]
    fn a_remap_replaces_the_default_keys() {
        let mut k = Keymap::default();
        k.set(Intent::Undo, parse_key("z").unwrap());
        let c = KeyCtx::default();
        let ev = |ch: char| KeyEvent::new(KeyCode::Char(ch), KeyModifiers::NONE);
        assert_eq!(k.intent(ev('z'), c), Some(Intent::Undo));
        assert_eq!(k.intent(ev('u'), c), None);
        assert_eq!(k.intent(ev('q'), c), Some(Intent::Quit));
        assert_eq!(k.hints("D dismiss · u undo · ? help", c), "D dismiss · z undo · ? help");
        k.set(Intent::LogFlag, parse_key("F").unwrap());
        assert_eq!(
            k.hints("a / f log a flag · Enter details", c),
            "a / F log a flag · Enter details"
        );
        // Bound where `d` already means done on a task: a clash.
        k.set(Intent::Undo, parse_key("d").unwrap());
        assert!(k.clash().is_some());
    }
}

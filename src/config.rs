//! The VA's settings: a TOML file in the platform config folder (or `--config PATH`).
//! No file means defaults; a bad file is a clear error that names the line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::domain::{FlagKind, ScoreRules};
use crate::error::{Arg, Error, Msg, Result};
use crate::i18n::{Lang, T};

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The VA's own name, used in greetings.
    pub name: Option<String>,
    /// Below this effective hourly rate a client raises `underpaying`.
    pub min_rate: Option<f64>,
    pub language: Option<Lang>,
    pub tick_seconds: u64,
    pub quote_answer_days: i64,
    pub rules: ScoreRules,
    /// Currency and billing increment of clients that set none.
    pub money: crate::domain::money::MoneyDefaults,
    /// `[keys]`: the remapped actions, laid over the default key table.
    pub keys: crate::tui::keymap::Keymap,
    /// `[theme]`: a colour per role (unused when colour is off).
    pub theme: crate::tui::ui::theme::Palette,
    /// The `[sync]` table: where the other machine's changes meet this one's.
    pub sync: Option<SyncConfig>,
    /// The file it was read from, or looked for (`doctor` names it).
    pub file: Option<std::path::PathBuf>,
}

/// `[sync]`: a server and the secret everything is encrypted with before it leaves.
#[derive(Clone, PartialEq)]
pub struct SyncConfig {
    pub server: SyncServer,
    pub encryption_secret: String,
    /// Seconds between syncs in the desk's background tick.
    pub every: Option<u64>,
}

/// Where replicas meet.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncServer {
    /// A folder both machines see (`local_dir`).
    Folder(PathBuf),
    /// A taskchampion-sync-server (`url` + `client_id`).
    Remote { url: String, client_id: uuid::Uuid },
}

impl std::fmt::Debug for SyncConfig {
    /// The secret is never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncConfig")
            .field("server", &self.server)
            .field("every", &self.every)
            .finish_non_exhaustive()
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            name: None,
            min_rate: None,
            language: None,
            tick_seconds: 60,
            quote_answer_days: 7,
            rules: ScoreRules::default(),
            money: crate::domain::money::MoneyDefaults::default(),
            keys: crate::tui::keymap::Keymap::default(),
            theme: crate::tui::ui::theme::Palette::default(),
            sync: None,
            file: None,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    name: Option<String>,
    min_rate: Option<f64>,
    language: Option<String>,
    tick_seconds: Option<u64>,
    quote_answer_days: Option<i64>,
    score: Option<RawScore>,
    weights: Option<BTreeMap<String, f64>>,
    currency: Option<String>,
    increment: Option<String>,
    keys: Option<BTreeMap<String, toml::Spanned<toml::Value>>>,
    theme: Option<BTreeMap<String, toml::Spanned<toml::Value>>>,
    sync: Option<RawSync>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSync {
    local_dir: Option<PathBuf>,
    url: Option<String>,
    client_id: Option<String>,
    encryption_secret: Option<String>,
    every: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScore {
    half_life_days: Option<f64>,
    watch: Option<f64>,
    talk: Option<f64>,
    end: Option<f64>,
    decline_prospect: Option<f64>,
}

/// Where the config lives when `--config` is not given.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "vadesk").map(|d| d.config_dir().join("config.toml"))
}

/// A config file is a few lines; reading stops past this (`--config /dev/zero` ends at once).
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// Loads the file at `path`; a missing file is the defaults only when `required` is false.
pub fn load(path: &Path, required: bool) -> Result<Config> {
    let read = match read_capped(path) {
        Ok(text) => parse(&text, path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => Ok(Config::default()),
        Err(e) if e.kind() == std::io::ErrorKind::FileTooLarge => Err(Error::refused(
            T::ErrConfigTooBig,
            &[&path.display(), &(MAX_CONFIG_BYTES / 1024)],
        )),
        Err(e) => Err(Error::Refused(Msg {
            key: T::ErrConfig,
            args: vec![Arg::Text(path.display().to_string()), Arg::io(&e)],
        })),
    };
    read.map(|c| Config {
        file: Some(path.to_path_buf()),
        ..c
    })
}

/// The file's text, refused past [`MAX_CONFIG_BYTES`] without reading further.
fn read_capped(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let mut text = String::new();
    file.take(MAX_CONFIG_BYTES + 1).read_to_string(&mut text)?;
    if text.len() as u64 > MAX_CONFIG_BYTES {
        return Err(std::io::ErrorKind::FileTooLarge.into());
    }
    Ok(text)
}

pub fn parse(text: &str, path: &Path) -> Result<Config> {
    let shown = path.display();
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        // Where, in numbers; what, in the parser's own (English) words, for English only.
        let at = e.span().map_or(0, |s| s.start);
        let line = line_of(text, at);
        let column = text
            .get(..at)
            .map_or(1, |b| b.rsplit('\n').next().unwrap_or("").chars().count() + 1);
        Error::Refused(Msg {
            key: T::ErrConfigSyntax,
            args: vec![
                Arg::Text(shown.to_string()),
                Arg::Text(line.to_string()),
                Arg::Text(column.to_string()),
                Arg::ByLang(format!(": {}", plain_types(e.message().trim_end())), String::new()),
            ],
        })
    })?;
    // Which value is wrong, on which line, and what it must be (in the user's language).
    let bad = |field: &str, must: T| {
        let (key, mut args) = match field_line(text, field) {
            Some(line) => (
                T::ErrConfigValueAt,
                vec![Arg::Text(shown.to_string()), Arg::Text(line.to_string())],
            ),
            None => (T::ErrConfigValue, vec![Arg::Text(shown.to_string())]),
        };
        args.extend([Arg::Text(field.to_string()), Arg::Key(must)]);
        Error::Refused(Msg { key, args })
    };
    let mut c = Config {
        name: raw
            .name
            .map(|n| crate::domain::text::clean_line(&n))
            .filter(|n| !n.is_empty()),
        ..Config::default()
    };
    if let Some(r) = raw.min_rate {
        // Past the largest amount vadesk keeps, no rate could be compared with it.
        if !r.is_finite() || !(0.0..=(crate::domain::money::MAX_CENTS / 100) as f64).contains(&r) {
            return Err(bad("min_rate", T::CfgMustRate));
        }
        c.min_rate = Some(r);
    }
    if let Some(code) = raw.currency {
        let cur = crate::domain::money::parse_currency(&code).map_err(|_| bad("currency", T::CfgMustCurrency))?;
        c.money.currency = cur.code().to_string();
    }
    if let Some(inc) = raw.increment {
        let m = crate::domain::dates::parse_duration(&inc)
            .ok()
            .filter(|m| (1..=crate::domain::money::MAX_INCREMENT).contains(m))
            .ok_or_else(|| bad("increment", T::CfgMustIncrement))?;
        c.money.increment_min = m;
    }
    if let Some(l) = raw.language {
        c.language = Some(Lang::from_key(&l).ok_or_else(|| bad("language", T::CfgMustLanguage))?);
    }
    if let Some(t) = raw.tick_seconds {
        if t == 0 || t > 86_400 {
            return Err(bad("tick_seconds", T::CfgMustTick));
        }
        c.tick_seconds = t;
    }
    if let Some(d) = raw.quote_answer_days {
        if !(0..=365).contains(&d) {
            return Err(bad("quote_answer_days", T::CfgMustAnswerDays));
        }
        c.quote_answer_days = d;
    }
    if let Some(s) = raw.score {
        let positive = |v: Option<f64>, field: &str, default: f64| match v {
            Some(x) if !x.is_finite() || x <= 0.0 => Err(bad(field, T::CfgMustPositive)),
            Some(x) => Ok(x),
            None => Ok(default),
        };
        let d = ScoreRules::default();
        c.rules.half_life_days = positive(s.half_life_days, "score.half_life_days", d.half_life_days)?;
        c.rules.watch = positive(s.watch, "score.watch", d.watch)?;
        c.rules.talk = positive(s.talk, "score.talk", d.talk)?;
        c.rules.end = positive(s.end, "score.end", d.end)?;
        c.rules.decline_prospect = positive(s.decline_prospect, "score.decline_prospect", d.decline_prospect)?;
        if !(c.rules.watch <= c.rules.talk && c.rules.talk <= c.rules.end) {
            return Err(bad("score", T::CfgMustOrdered));
        }
    }
    for (key, w) in raw.weights.unwrap_or_default() {
        let kind = FlagKind::from_key(&key).ok_or_else(|| bad(&format!("weights.{key}"), T::CfgMustFlagKind))?;
        if !w.is_finite() || w < 0.0 {
            return Err(bad(&format!("weights.{key}"), T::CfgMustNonNegative));
        }
        if let Some(slot) = c.rules.weights.iter_mut().find(|(k, _)| *k == kind) {
            slot.1 = w;
        }
    }
    c.keys = keys(raw.keys.unwrap_or_default(), text, &shown)?;
    for (role, value) in raw.theme.unwrap_or_default() {
        use crate::tui::ui::theme::{parse_color, Palette};
        let line = line_of(text, value.span().start);
        let given = match value.get_ref() {
            toml::Value::String(v) => v.clone(),
            other => other.to_string(),
        };
        let mut theme = c.theme;
        let slot = theme
            .role_mut(&role)
            .ok_or_else(|| Error::refused(T::ErrConfigRole, &[&shown, &line, &role, &Palette::ROLES.join(", ")]))?;
        *slot = parse_color(&given).ok_or_else(|| Error::refused(T::ErrConfigColour, &[&shown, &line, &given]))?;
        c.theme = theme;
    }
    if let Some(raw) = raw.sync {
        c.sync = Some(sync_table(raw, &shown.to_string())?);
    }
    Ok(c)
}

/// The parser's words with the program's own type names said plainly ("expected u64" is
/// "expected a whole number").
fn plain_types(detail: &str) -> String {
    let mut out = detail.to_string();
    for (ty, plain) in [
        ("u64", "a whole number"),
        ("u32", "a whole number"),
        ("i64", "a whole number"),
        ("i32", "a whole number"),
        ("i128", "a whole number"),
        ("f64", "a number"),
        ("a string", "text"),
    ] {
        out = out
            .replace(&format!("expected {ty}"), &format!("expected {plain}"))
            .replace(&format!(" as {ty}"), "");
    }
    out
}

/// The line (from 1) that sets `field` (`min_rate`, `score.watch`, `weights.late_material`),
/// in its table or as a dotted key; for a table's own check (`score`), its header.
fn field_line(text: &str, field: &str) -> Option<usize> {
    let (table, key) = match field.split_once('.') {
        Some((t, k)) => (Some(t), k),
        None => (None, field),
    };
    let mut current: Option<&str> = None;
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if let Some(h) = l.strip_prefix('[') {
            let h = h.split(']').next().unwrap_or("").trim();
            if h == field {
                return Some(i + 1);
            }
            current = Some(h);
            continue;
        }
        let Some((k, _)) = l.split_once('=') else { continue };
        let k = k.trim().trim_matches('"');
        if (current == table && k == key) || (current.is_none() && k == field) {
            return Some(i + 1);
        }
    }
    None
}

/// The line (from 1) of a byte offset of the file.
fn line_of(text: &str, at: usize) -> usize {
    text.get(..at).unwrap_or(text).matches('\n').count() + 1
}

/// `[keys]`: `action = "key"` or `action = ["key", "key"]`; unknown actions, bad key names and
/// a key that two actions would share are refused with the line.
fn keys(
    table: BTreeMap<String, toml::Spanned<toml::Value>>,
    text: &str,
    shown: &dyn std::fmt::Display,
) -> Result<crate::tui::keymap::Keymap> {
    use crate::tui::keymap::{actions, parse_key, Keymap};
    let all = actions();
    let names = all.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ");
    let mut map = Keymap::default();
    let mut lines: Vec<(String, usize)> = Vec::new();
    for (action, value) in table {
        let line = line_of(text, value.span().start);
        let Some((_, intent)) = all.iter().find(|(n, _)| *n == action) else {
            return Err(Error::refused(T::ErrConfigAction, &[shown, &line, &action, &names]));
        };
        let given: Vec<String> = match value.get_ref() {
            toml::Value::String(k) => vec![k.clone()],
            toml::Value::Array(a) => a
                .iter()
                .map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))
                .collect(),
            other => vec![other.to_string()],
        };
        if given.is_empty() {
            return Err(Error::refused(T::ErrConfigKeyName, &[shown, &line, &"[]"]));
        }
        let mut keys = Vec::new();
        for g in &given {
            let k = parse_key(g).ok_or_else(|| Error::refused(T::ErrConfigKeyName, &[shown, &line, g]))?;
            keys.extend(k);
        }
        map.set(*intent, keys);
        lines.push((action, line));
    }
    // Only a remapped action can clash (and every command reads the config: the check walks
    // every pair of bindings).
    if let Some((key, a, b)) = if lines.is_empty() { None } else { map.clash() } {
        let line = lines
            .iter()
            .find(|(n, _)| *n == a || *n == b)
            .map(|(_, l)| *l)
            .unwrap_or(1);
        return Err(Error::refused(T::ErrConfigKeyTwice, &[shown, &line, &key, &a, &b]));
    }
    Ok(map)
}

/// The `[sync]` table, with a clear word for what is missing or wrong.
fn sync_table(raw: RawSync, shown: &str) -> Result<SyncConfig> {
    let bad = |why: T| {
        Error::Refused(Msg {
            key: T::ErrSyncConfig,
            args: vec![Arg::Text(shown.to_string()), Arg::Key(why)],
        })
    };
    let server = match (raw.local_dir, raw.url) {
        (Some(_), Some(_)) => return Err(bad(T::SyncCfgBoth)),
        (None, None) => return Err(bad(T::SyncCfgNoServer)),
        (Some(dir), None) => {
            if dir.as_os_str().is_empty() {
                return Err(bad(T::SyncCfgNoServer));
            }
            if raw.client_id.is_some() {
                return Err(bad(T::SyncCfgClientIdFolder));
            }
            SyncServer::Folder(dir)
        }
        (None, Some(url)) => {
            let url = url.trim().to_string();
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(bad(T::SyncCfgUrl));
            }
            let id = raw.client_id.ok_or_else(|| bad(T::SyncCfgClientId))?;
            let client_id = uuid::Uuid::parse_str(id.trim()).map_err(|_| bad(T::SyncCfgClientId))?;
            SyncServer::Remote { url, client_id }
        }
    };
    let encryption_secret = raw
        .encryption_secret
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| bad(T::SyncCfgSecret))?;
    if let Some(e) = raw.every {
        if e == 0 || e > 86_400 {
            return Err(bad(T::SyncCfgEvery));
        }
    }
    Ok(SyncConfig {
        server,
        encryption_secret,
        every: raw.every,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<Config> {
        parse(text, Path::new("config.toml"))
    }

    #[test]
    fn empty_file_is_the_defaults() {
        assert_eq!(p("").unwrap(), Config::default());
    }

    #[test]
    fn the_shipped_example_parses() {
        let c = p(include_str!("../assets/config.example.toml")).unwrap();
        assert_eq!(c.min_rate, Some(25.0));
        assert_eq!(c.language, Some(Lang::Es));
    }

    #[test]
    fn values_are_read() {
        let c = p("name = \"Lucía\"\nmin_rate = 30\nlanguage = \"es\"\ntick_seconds = 5\n[score]\nhalf_life_days = 30\n[weights]\nno_show = 5\n").unwrap();
        assert_eq!(c.name.as_deref(), Some("Lucía"));
        assert_eq!(c.language, Some(Lang::Es));
        assert_eq!(c.tick_seconds, 5);
        assert_eq!(c.rules.half_life_days, 30.0);
        assert_eq!(c.rules.weight(FlagKind::NoShow), 5.0);
        assert_eq!(c.rules.weight(FlagKind::LateMaterial), 2.0);
    }

    #[test]
    fn bad_files_name_the_line() {
        let e = p("name = \"x\"\nmin_rate = = 3\n").unwrap_err().to_string();
        assert!(e.contains("line 2"), "{e}");
        let e = p("colour = \"red\"\n").unwrap_err().to_string();
        assert!(e.contains("colour"), "{e}");
        assert!(p("[weights]\nbogus = 1\n").is_err());
        assert!(p("language = \"fr\"\n").is_err());
        assert!(p("tick_seconds = 0\n").is_err());
        assert!(p("[score]\nwatch = 8\ntalk = 6\n").is_err());
    }

    #[test]
    fn sync_table_needs_one_server_and_a_secret() {
        let c = p("[sync]\nlocal_dir = \"/mnt/desk\"\nencryption_secret = \"s3cret\"\nevery = 300\n").unwrap();
        let s = c.sync.unwrap();
        assert_eq!(s.server, SyncServer::Folder(PathBuf::from("/mnt/desk")));
        assert_eq!(s.every, Some(300));
        assert!(!format!("{s:?}").contains("s3cret"));
        let remote = "[sync]\nurl = \"https://sync.example\"\nclient_id = \"0f8e3b0a-4f59-4c1e-9a57-3c1c2f0d4e11\"\nencryption_secret = \"x\"\n";
        assert!(matches!(
            p(remote).unwrap().sync.unwrap().server,
            SyncServer::Remote { .. }
        ));
        for bad in [
            "[sync]\nlocal_dir = \"/x\"\n",
            "[sync]\nencryption_secret = \"x\"\n",
            "[sync]\nlocal_dir = \"/x\"\nurl = \"https://a\"\nencryption_secret = \"x\"\n",
            "[sync]\nurl = \"https://a\"\nencryption_secret = \"x\"\n",
            "[sync]\nurl = \"https://a\"\nclient_id = \"nope\"\nencryption_secret = \"x\"\n",
            "[sync]\nlocal_dir = \"/x\"\nencryption_secret = \"x\"\nevery = 0\n",
        ] {
            let e = p(bad).unwrap_err();
            assert!(e.localized(Lang::Es).contains("[sync]"), "{bad}");
        }
    }
}

//! Every user-facing string, in English and Spanish. The catalogue is one macro call: an entry
//! without both languages does not compile, and a test checks none is empty or left untranslated.

use chrono::{Datelike, NaiveDate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Es,
}

impl Lang {
    pub fn from_key(s: &str) -> Option<Lang> {
        match s.trim().to_lowercase().as_str() {
            "en" | "english" => Some(Lang::En),
            "es" | "español" | "espanol" | "spanish" => Some(Lang::Es),
            _ => None,
        }
    }

    /// From a locale such as `es_ES.UTF-8` (`es_*` means Spanish).
    pub fn from_locale(s: &str) -> Option<Lang> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        let lower = s.to_lowercase();
        if lower == "es" || lower.starts_with("es_") || lower.starts_with("es-") || lower.starts_with("es.") {
            Some(Lang::Es)
        } else {
            Some(Lang::En)
        }
    }

    /// The language of the environment: `LC_ALL`, then `LC_MESSAGES`, then `LANG`.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Option<Lang> {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|v| get(v))
            .find(|v| !v.trim().is_empty() && v != "C" && v != "POSIX")
            .and_then(|v| Lang::from_locale(&v))
    }
}

/// A typed word folded for comparison: lowercase, accents dropped, spaces and hyphens as `_`
/// ("En pausa" and "en_pausa" match, so do "no_se_presentó" and "no_se_presento").
pub fn fold(s: &str) -> String {
    s.trim()
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            ' ' | '-' => '_',
            c => c,
        })
        .collect::<String>()
        .split('_')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// The text with its first letter in capitals, for a label that starts a line or a notice.
pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Fills `{0}`, `{1}`... in a template.
pub fn fill(template: &str, args: &[String]) -> String {
    let mut out = template.to_string();
    for (i, a) in args.iter().enumerate() {
        out = out.replace(&format!("{{{i}}}"), a);
    }
    out
}

/// `t(lang, key, &[..])`: a filled message.
pub fn tf(lang: Lang, key: T, args: &[&dyn std::fmt::Display]) -> String {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    fill(key.text(lang), &args)
}

const WEEKDAYS_EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const WEEKDAYS_ES: [&str; 7] = ["lun", "mar", "mié", "jue", "vie", "sáb", "dom"];
const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const MONTHS_ES: [&str; 12] = [
    "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic",
];

pub fn weekday_name(wd: chrono::Weekday, lang: Lang) -> &'static str {
    let i = wd.num_days_from_monday() as usize;
    match lang {
        Lang::En => WEEKDAYS_EN[i],
        Lang::Es => WEEKDAYS_ES[i],
    }
}

/// A date the way people read it: "Mon 24 Nov" / "lun 24 nov", with the year when it is not
/// this year's.
pub fn date(d: NaiveDate, today: NaiveDate, lang: Lang) -> String {
    let month = month_short(d, lang);
    let wd = weekday_name(d.weekday(), lang);
    if d.year() == today.year() {
        format!("{wd} {} {month}", d.day())
    } else {
        format!("{wd} {} {month} {}", d.day(), d.year())
    }
}

/// `date` for a list's date column of 11 cells: a day of another year drops its weekday
/// ("12 Jun 2024", "12 jun 2024"), so that the year is never the part cut off.
pub fn date_col(d: NaiveDate, today: NaiveDate, lang: Lang) -> String {
    if d.year() == today.year() {
        return date(d, today, lang);
    }
    format!("{} {month} {}", d.day(), d.year(), month = month_short(d, lang))
}

/// A day's month as dates write it: "Nov" / "nov".
fn month_short(d: NaiveDate, lang: Lang) -> &'static str {
    let m = d.month0() as usize;
    match lang {
        Lang::En => MONTHS_EN[m],
        Lang::Es => MONTHS_ES[m],
    }
}

/// `date_rel` for a list's date column (see `date_col`).
pub fn date_rel_col(d: NaiveDate, today: NaiveDate, lang: Lang) -> String {
    match (d - today).num_days() {
        -1..=1 => date_rel(d, today, lang),
        _ => date_col(d, today, lang),
    }
}

/// A stored `YYYY-MM-DD[ HH:MM]` the way the language writes a day ("sáb 14 nov 09:00"), the
/// year shown only when it is not `today`'s; anything else as it is.
pub fn stored_when(stored: &str, today: NaiveDate, lang: Lang) -> String {
    let day = stored
        .get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    match day {
        Some(d) => {
            let time = stored.get(11..16).map(|t| format!(" {t}")).unwrap_or_default();
            format!("{}{time}", date(d, today, lang))
        }
        None => stored.to_string(),
    }
}

/// A month the way people name it: "November 2026" / "noviembre de 2026".
pub fn month_year(year: i32, month: u32, lang: Lang) -> String {
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const ES: [&str; 12] = [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ];
    let i = (month.clamp(1, 12) - 1) as usize;
    match lang {
        Lang::En => format!("{} {year}", EN[i]),
        Lang::Es => format!("{} de {year}", ES[i]),
    }
}

/// A date relative to today when that is shorter: "today", "tomorrow", "yesterday".
pub fn date_rel(d: NaiveDate, today: NaiveDate, lang: Lang) -> String {
    match (d - today).num_days() {
        0 => T::Today.text(lang).to_string(),
        1 => T::Tomorrow.text(lang).to_string(),
        -1 => T::Yesterday.text(lang).to_string(),
        _ => date(d, today, lang),
    }
}

/// "1 day" / "3 days" late, in either language.
pub fn days(n: i64, lang: Lang) -> String {
    pl(lang, P::Days, n, &[])
}

/// How long ago: "today", "1 day ago", "3 days ago".
pub fn ago(n: i64, lang: Lang) -> String {
    if n <= 0 {
        T::Today.text(lang).to_string()
    } else {
        pl(lang, P::DaysAgo, n, &[])
    }
}

/// Which plural form a count takes: English and Spanish both have one form for exactly one
/// and another for every other count (zero included: "0 tareas", "0 tasks").
pub fn plural_form(n: i64, _lang: Lang) -> usize {
    usize::from(n != 1)
}

/// A plural catalogue entry for a count: `{0}` is the count, `{1}`... the other values.
pub fn pl(lang: Lang, key: P, n: i64, args: &[&dyn std::fmt::Display]) -> String {
    let mut all: Vec<String> = vec![n.to_string()];
    all.extend(args.iter().map(|a| a.to_string()));
    fill(key.forms(lang)[plural_form(n, lang)], &all)
}

/// Unsigned digits such as "1250.50" in the language's form, grouped and with its decimal
/// sign as CLDR gives them: "1,250.50" / "1250,50" (Spanish groups from five digits on).
/// Formatted by ICU4X with its compiled data; the formatter is built once per thread.
pub fn digits(plain: &str, lang: Lang) -> String {
    use icu_decimal::DecimalFormatter;
    use icu_locale_core::locale;
    thread_local! {
        static FORMATTERS: [Option<DecimalFormatter>; 2] = [
            DecimalFormatter::try_new(locale!("en").into(), Default::default()).ok(),
            DecimalFormatter::try_new(locale!("es").into(), Default::default()).ok(),
        ];
    }
    let parsed = icu_decimal::input::Decimal::try_from_str(plain).ok();
    let slot = match lang {
        Lang::En => 0,
        Lang::Es => 1,
    };
    let formatted = FORMATTERS.with(|f| match (&f[slot], &parsed) {
        (Some(f), Some(d)) => Some(f.format(d).to_string()),
        _ => None,
    });
    // Unreachable with the compiled data and a plain number; never worse than plain.
    formatted.unwrap_or_else(|| match lang {
        Lang::En => plain.to_string(),
        Lang::Es => plain.replace('.', ","),
    })
}

/// A number with `places` decimals in the language's form: "8.39" / "8,39"; thousands are
/// grouped as CLDR says ("1,250.50" / "1250,50" / "12.500,50").
pub fn decimal(x: f64, places: usize, lang: Lang) -> String {
    let x = if x.is_finite() { x } else { 0.0 };
    let plain = format!("{:.*}", places, x.abs());
    // A value that rounds to zero never prints as "-0.00".
    let negative = x < 0.0 && plain.chars().any(|c| c.is_ascii_digit() && c != '0');
    let body = digits(&plain, lang);
    if negative {
        format!("-{body}")
    } else {
        body
    }
}

/// A number as short as it can be, with at most two decimals: "2", "1.5" / "1,5", "0.25".
pub fn number(x: f64, lang: Lang) -> String {
    let s = decimal(x, 2, lang);
    let point = if lang == Lang::Es { ',' } else { '.' };
    if s.contains(point) {
        s.trim_end_matches('0').trim_end_matches(point).to_string()
    } else {
        s
    }
}

/// An amount in euros given as a number (what older notes hold), in the language's form:
/// "€450.00" / "450,00 €". Formatted by the one money formatter,
/// [`crate::domain::money::format_cents`].
pub fn money(amount: f64, lang: Lang) -> String {
    use crate::domain::money::{cents_from_f64, format_cents};
    match cents_from_f64(amount) {
        Some(cents) => format_cents(cents, iso_currency::Currency::EUR, lang),
        None => decimal(amount, 2, lang),
    }
}

/// An hourly rate: "€35.00/h" / "35,00 €/h".
pub fn rate(amount: f64, lang: Lang) -> String {
    format!("{}/h", money(amount, lang))
}

macro_rules! catalogue {
    (
        plurals { $($pkey:ident => ([$en1:expr, $enn:expr], [$es1:expr, $esn:expr])),+ $(,)? }
        $($key:ident => ($en:expr, $es:expr)),+ $(,)?
    ) => {
        /// A catalogue key.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum T { $($key),+ }

        impl T {
            pub const ALL: &'static [T] = &[$(T::$key),+];
            pub fn text(self, lang: Lang) -> &'static str {
                let (en, es) = self.pair();
                match lang { Lang::En => en, Lang::Es => es }
            }
            pub fn pair(self) -> (&'static str, &'static str) {
                match self { $(T::$key => ($en, $es)),+ }
            }
        }

        /// A catalogue entry that depends on a count: its forms for one and for any other
        /// count, in each language. Read through `pl`, so a count never meets the wrong form.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum P { $($pkey),+ }

        impl P {
            pub const ALL: &'static [P] = &[$(P::$pkey),+];
            pub fn forms(self, lang: Lang) -> [&'static str; 2] {
                let (en, es) = self.pair();
                match lang { Lang::En => en, Lang::Es => es }
            }
            pub fn pair(self) -> ([&'static str; 2], [&'static str; 2]) {
                match self { $(P::$pkey => ([$en1, $enn], [$es1, $esn])),+ }
            }
        }
    };
}

include!("i18n_catalogue.rs");

#[cfg(test)]
mod tests {
    use super::*;

    /// A date column's day fits its 11 cells in both languages, every day of four years, and
    /// a day of another year keeps its year.
    #[test]
    fn a_date_column_never_cuts_the_year() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let mut d = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        while d.year() < 2028 {
            for lang in [Lang::En, Lang::Es] {
                let col = date_rel_col(d, today, lang);
                assert!(crate::domain::text::width::of(&col) <= 11, "{col:?}");
                if d.year() != today.year() && (d - today).num_days().abs() > 1 {
                    assert!(col.ends_with(&d.year().to_string()), "{col:?}");
                } else {
                    assert_eq!(col, date_rel(d, today, lang));
                }
            }
            d = d.succ_opt().unwrap();
        }
        assert_eq!(
            date_col(NaiveDate::from_ymd_opt(2024, 6, 12).unwrap(), today, Lang::En),
            "12 Jun 2024"
        );
        assert_eq!(
            date_col(NaiveDate::from_ymd_opt(2024, 6, 12).unwrap(), today, Lang::Es),
            "12 jun 2024"
        );
    }

    /// Strings that read the same in both languages on purpose.
    const SAME_IN_BOTH: &[&str] = &[
        "{0}",
        "{0}: {1}",
        "material: {0} · {1}",
        "feedback: {0} · {1}",
        "1h30m, 45m, 2h",
        "whatsapp:+34 600…, email:ana@x.es",
        "auto",
        "material",
        "feedback",
        "OK",
        "Email",
        "WhatsApp",
        "Trello",
        "Asana",
        "Slack",
        "Drive",
        "Feedback",
        "Material",
        "{0} · {1}",
        "vadesk",
        "manual",
        "ID",
        "{0}, {1}, {2}",
        "Trello",
        "Asana",
        "email",
        // Brand names, the same in Spanish.
        "Telegram",
        "Instagram",
        "LinkedIn",
        "Teams",
        "Zoom",
        "Meet",
        "Notion",
        "ClickUp",
    ];

    #[test]
    fn every_string_exists_in_both_languages() {
        for k in T::ALL {
            let (en, es) = k.pair();
            assert!(!en.trim().is_empty(), "{k:?} has no English text");
            assert!(!es.trim().is_empty(), "{k:?} has no Spanish text");
            if en == es {
                assert!(SAME_IN_BOTH.contains(&en), "{k:?} is not translated: {en:?}");
            }
            let holes = |s: &str| (0..6).filter(|i| s.contains(&format!("{{{i}}}"))).count();
            assert_eq!(holes(en), holes(es), "{k:?}: the languages take different values");
        }
    }

    #[test]
    fn locale_detection() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
        };
        assert_eq!(Lang::from_env(env(&[("LANG", "es_ES.UTF-8")])), Some(Lang::Es));
        assert_eq!(
            Lang::from_env(env(&[("LANG", "es_MX.UTF-8"), ("LC_ALL", "en_US.UTF-8")])),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_env(env(&[("LANG", "en_GB"), ("LC_MESSAGES", "es_AR")])),
            Some(Lang::Es)
        );
        assert_eq!(Lang::from_env(env(&[("LANG", "C")])), None);
        assert_eq!(Lang::from_env(env(&[])), None);
    }

    #[test]
    fn dates_read_each_way() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let d = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        assert_eq!(date(d, today, Lang::En), "Tue 24 Nov");
        assert_eq!(date(d, today, Lang::Es), "mar 24 nov");
        assert_eq!(date_rel(d, today, Lang::Es), "mañana");
        let next_year = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
        assert_eq!(date(next_year, today, Lang::En), "Mon 4 Jan 2027");
        assert_eq!(days(1, Lang::Es), "1 día");
        assert_eq!(days(3, Lang::En), "3 days");
    }
}

//! Money and time, exactly: amounts in minor units (cents) as integers, hours as whole
//! minutes. Pure functions: the statement arithmetic, retainers and overage, the effective
//! rate, and the one function that prints an amount in the interface language.

use chrono::{Datelike, NaiveDate};
use iso_currency::Currency;

use crate::error::{Error, Result};
use crate::i18n::{Lang, T};

/// The longest a single time entry may be: a day.
pub const MAX_ENTRY_MINUTES: u32 = 24 * 60;
/// The largest amount accepted anywhere (a hundred million in major units).
pub const MAX_CENTS: i64 = 10_000_000_000;
/// The longest billing increment: a day.
pub const MAX_INCREMENT: u32 = 24 * 60;
/// The most hours a retainer may include in a month.
pub const MAX_RETAINER_MINUTES: u32 = 744 * 60;
/// Above this share of its hours a retainer month shows in the review.
pub const RETAINER_NEAR_PERCENT: u64 = 90;
/// A retainer month over its hours by more than this share raises `scope_creep`.
pub const SCOPE_CREEP_PERCENT: u64 = 10;

/// An ISO 4217 currency that has minor units (metals and funds have none and are refused).
pub fn parse_currency(code: &str) -> Result<Currency> {
    let up = code.trim().to_uppercase();
    Currency::from_code(&up)
        .filter(|c| c.exponent().is_some())
        .ok_or_else(|| Error::invalid(T::ErrBadCurrency, &[&code.trim()]))
}

/// `a * b / d` rounded half away from zero, without overflow for any stored amount.
pub fn mul_div_round(a: i64, b: i64, d: i64) -> i64 {
    if d == 0 {
        return 0;
    }
    let n = a as i128 * b as i128;
    let d = d as i128;
    let (n, d) = if d < 0 { (-n, -d) } else { (n, d) };
    let q = if n >= 0 {
        (2 * n + d) / (2 * d)
    } else {
        -((-2 * n + d) / (2 * d))
    };
    q as i64
}

/// A decimal amount as stored by older versions (REAL) to cents, rounding half away from
/// zero on value × 100. The shortest decimal that reads back as the same float is what the
/// user typed (`12.34`, not `12.339999…`), so that is what is rounded.
pub fn cents_from_f64(value: f64) -> Option<i64> {
    if !value.is_finite() || value.abs() >= (MAX_CENTS as f64) {
        return None;
    }
    cents_from_decimal(&format!("{value}"))
}

/// `"450"`, `"450.5"`, `"12,34"` to cents, half away from zero past the second decimal.
pub fn cents_from_decimal(s: &str) -> Option<i64> {
    let s = s.trim();
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let s = s.replace(',', ".");
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w.to_string(), f.to_string()),
        None => (s.clone(), String::new()),
    };
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    if !whole.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if whole.len() > 12 {
        return None;
    }
    let w: i64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let digit = |i: usize| frac.as_bytes().get(i).map(|b| (b - b'0') as i64).unwrap_or(0);
    let mut cents = w * 100 + digit(0) * 10 + digit(1);
    if digit(2) >= 5 {
        cents += 1;
    }
    Some(if neg { -cents } else { cents })
}

/// An amount as a person types it, the English or the Spanish way: `450`, `37.5`, `37,50`,
/// thousands grouped (`1,500`, `1.500`, `12.500,00`, `1,234.56`). A single separator followed
/// by three digits groups thousands (money has at most two decimals, so `1.500` is never one
/// and a half). More than two decimals, or groups not of three digits, are not an amount:
/// nothing is rounded away.
pub fn typed_cents(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
        return None;
    }
    let last_dot = s.rfind('.');
    let last_comma = s.rfind(',');
    let (whole, frac): (&str, &str) = match (last_dot, last_comma) {
        (None, None) => (s, ""),
        (Some(d), Some(c)) => {
            // Both: the last one marks the decimals, and appears once.
            let at = d.max(c);
            let (whole, frac) = (&s[..at], &s[at + 1..]);
            if frac.contains(['.', ',']) {
                return None;
            }
            (whole, frac)
        }
        (Some(at), None) | (None, Some(at)) => {
            let sep = s.as_bytes()[at] as char;
            let (whole, frac) = (&s[..at], &s[at + 1..]);
            if whole.contains(sep) || (frac.len() == 3 && !whole.is_empty() && !whole.starts_with('0')) {
                (s, "")
            } else {
                (whole, frac)
            }
        }
    };
    if frac.len() > 2 || (whole.is_empty() && frac.is_empty()) {
        return None;
    }
    let digits = grouped_digits(whole)?;
    if digits.len() > 12 {
        return None;
    }
    let w: i64 = if digits.is_empty() { 0 } else { digits.parse().ok()? };
    let f: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    Some(w * 100 + f)
}

/// The digits of a whole number written plainly or with one kind of thousands separator
/// (`1500`, `1.500`, `12,500,000`): groups of three after a first group of one to three.
fn grouped_digits(s: &str) -> Option<String> {
    let Some(sep) = s.chars().find(|c| *c == '.' || *c == ',') else {
        return Some(s.to_string());
    };
    let mut groups = s.split(sep);
    let first = groups.next()?;
    // Grouped digits never begin with a zero (`0.500` is not five hundred).
    if first.is_empty() || first.len() > 3 || first.starts_with('0') || first.contains(['.', ',']) {
        return None;
    }
    let mut digits = first.to_string();
    for g in groups {
        if g.len() != 3 || !g.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.push_str(g);
    }
    Some(digits)
}

/// An amount typed by a person (see [`typed_cents`]): zero or more, at most [`MAX_CENTS`].
pub fn parse_amount(s: &str) -> Result<i64> {
    match typed_cents(s) {
        Some(c) if (0..=MAX_CENTS).contains(&c) => Ok(c),
        _ => Err(Error::invalid(T::ErrBadAmount, &[&s])),
    }
}

/// Whether an amount in hundredths is whole in `currency`'s minor units (a yen amount has no
/// decimals, so `1500.5` is not one; nothing is rounded to make it fit).
pub fn fits_currency(cents: i64, currency: Currency) -> bool {
    currency.exponent() != Some(0) || cents % 100 == 0
}

/// Refuses an amount in hundredths that `currency` cannot hold without rounding, naming the
/// currency and the amount (`typed`: as the person typed it, else the amount itself).
pub fn check_decimals(cents: i64, currency: Currency, typed: Option<&str>) -> Result<()> {
    if fits_currency(cents, currency) {
        return Ok(());
    }
    let amount = match typed {
        Some(t) => crate::error::Arg::Text(t.trim().to_string()),
        None => {
            let plain = |l| crate::i18n::number(cents as f64 / 100.0, l);
            crate::error::Arg::ByLang(plain(Lang::En), plain(Lang::Es))
        }
    };
    Err(Error::Invalid(crate::error::Msg {
        key: T::ErrAmountNoDecimals,
        args: vec![amount, crate::error::Arg::Text(currency.code().to_string())],
    }))
}

/// An amount typed by a person in `currency` (see [`parse_amount`]), refused when it has more
/// decimals than the currency (never rounded), or when it reads two ways in `lang` (see
/// [`ambiguous_in`]).
pub fn parse_amount_in(s: &str, currency: Currency, lang: Lang) -> Result<i64> {
    // A currency without decimals reads `1.500` one way only.
    let ambiguous = ambiguous_in(s, lang).filter(|_| currency.exponent() != Some(0));
    if let Some((plain, grouped)) = ambiguous {
        return Err(Error::invalid(T::ErrAmountAmbiguous, &[&s.trim(), &plain, &grouped]));
    }
    let cents = parse_amount(s)?;
    check_decimals(cents, currency, Some(s))?;
    Ok(cents)
}

/// An amount whose one separator is `lang`'s decimal mark followed by three digits (`30.555`
/// in English, `30,555` in Spanish) reads as thousands by [`typed_cents`]'s rule, yet whoever
/// typed it in that language most likely meant decimals, a thousand times less: it is refused
/// rather than guessed. The whole number then, written plainly and grouped the language's way.
pub fn ambiguous_in(s: &str, lang: Lang) -> Option<(String, String)> {
    let s = s.trim();
    let (decimal, thousands) = match lang {
        Lang::En => ('.', ','),
        Lang::Es => (',', '.'),
    };
    let mut seps = s.match_indices(['.', ',']);
    let (at, sep) = seps.next()?;
    if seps.next().is_some() || !sep.starts_with(decimal) {
        return None;
    }
    let (whole, frac) = (&s[..at], &s[at + 1..]);
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if frac.len() != 3 || !digits(whole) || !digits(frac) || whole.starts_with('0') || whole.len() > 3 {
        return None;
    }
    Some((format!("{whole}{frac}"), format!("{whole}{thousands}{frac}")))
}

/// A billable entry's minutes as billed: rounded up to the increment.
pub fn round_up(minutes: u32, increment: u32) -> u32 {
    if increment <= 1 {
        return minutes;
    }
    minutes.div_ceil(increment) * increment
}

/// What a client pays and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Terms {
    /// Hourly rate in cents.
    pub rate_cents: Option<i64>,
    /// Minutes included per month, with the monthly fee in cents.
    pub retainer: Option<(u32, i64)>,
    /// Cents per hour beyond the retainer (default: the hourly rate).
    pub overage_cents: Option<i64>,
    /// The smallest amount the currency has, in cents: 100 for one without decimals (the
    /// yen), else 1 (0 reads as 1). Time is charged in whole units of it.
    pub unit_cents: i64,
}

impl Terms {
    /// These terms charged in `currency` (its smallest unit).
    pub fn in_currency(self, currency: Currency) -> Terms {
        Terms {
            unit_cents: if currency.exponent() == Some(0) { 100 } else { 1 },
            ..self
        }
    }
}

/// One entry as the arithmetic needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Worked {
    pub minutes: u32,
    pub billable: bool,
    /// Billed: the minutes as they were invoiced (the entry corrected since keeps them).
    pub invoiced: Option<u32>,
}

/// A month's totals for one client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MonthTotals {
    pub billable_minutes: u64,
    pub billed_minutes: u64,
    pub unbilled_minutes: u64,
    pub quote_prep_minutes: u64,
    pub retainer_minutes: u64,
    pub overage_minutes: u64,
    /// What the whole month earns.
    pub earned_cents: i64,
    /// What is still to invoice: the month's amount less what entries already billed covered.
    pub amount_cents: i64,
    /// Earned cents per hour over every hour spent; None without any hour.
    pub effective_rate_cents: Option<i64>,
}

/// The amount for `billed` minutes (already rounded per entry) under `terms`.
pub fn amount_for(billed: u64, terms: &Terms) -> i64 {
    // Rounded half away from zero to the currency's smallest unit (a whole yen).
    let unit = terms.unit_cents.max(1);
    let charged = |minutes: i64, rate: i64| mul_div_round(minutes, rate, 60 * unit) * unit;
    match terms.retainer {
        Some((included, fee)) => {
            let over = billed.saturating_sub(included as u64) as i64;
            let rate = terms.overage_cents.or(terms.rate_cents).unwrap_or(0);
            fee + charged(over, rate)
        }
        None => charged(billed as i64, terms.rate_cents.unwrap_or(0)),
    }
}

/// Cents per hour: `cents` over `minutes`, rounded half away from zero.
pub fn per_hour(cents: i64, minutes: u64) -> Option<i64> {
    (minutes > 0).then(|| mul_div_round(cents, 60, minutes as i64))
}

/// A month's minutes for one client, as summed from its entries (by SQL or by
/// [`month_totals`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sums {
    pub billable_minutes: u64,
    /// Billable minutes, each entry rounded up to the increment.
    pub billed_minutes: u64,
    pub unbilled_minutes: u64,
    pub quote_prep_minutes: u64,
    /// Billed minutes of the entries already invoiced, and whether there is any.
    pub invoiced_minutes: u64,
    pub any_invoiced: bool,
}

/// A month's statement arithmetic: billable entries rounded up to `increment` each, the
/// retainer and its overage, quote preparation counted as unbilled time.
pub fn month_totals(entries: &[Worked], increment: u32, quote_prep_minutes: u64, terms: &Terms) -> MonthTotals {
    totals(&worked_sums(entries, increment, quote_prep_minutes), terms)
}

/// A month's sums from its entries: billable entries rounded up to `increment` each, quote
/// preparation counted as unbilled time.
pub fn worked_sums(entries: &[Worked], increment: u32, quote_prep_minutes: u64) -> Sums {
    let mut s = Sums {
        quote_prep_minutes,
        ..Sums::default()
    };
    for e in entries {
        if e.billable {
            s.billable_minutes += e.minutes as u64;
            s.billed_minutes += round_up(e.minutes, increment) as u64;
        } else {
            s.unbilled_minutes += e.minutes as u64;
        }
        if let Some(m) = e.invoiced {
            s.invoiced_minutes += round_up(m, increment) as u64;
            s.any_invoiced = true;
        }
    }
    s
}

impl MonthTotals {
    /// How the month's amount reads: still to invoice, or, corrected below what was invoiced,
    /// owed back (as a positive amount).
    pub fn amount_line(&self) -> (crate::i18n::T, i64) {
        if self.amount_cents < 0 {
            (crate::i18n::T::StOwedBack, -self.amount_cents)
        } else {
            (crate::i18n::T::StAmount, self.amount_cents)
        }
    }
}

/// The totals of a month from its sums.
pub fn totals(s: &Sums, terms: &Terms) -> MonthTotals {
    let mut t = MonthTotals {
        billable_minutes: s.billable_minutes,
        billed_minutes: s.billed_minutes,
        unbilled_minutes: s.unbilled_minutes,
        quote_prep_minutes: s.quote_prep_minutes,
        ..MonthTotals::default()
    };
    if let Some((included, _)) = terms.retainer {
        t.retainer_minutes = included as u64;
        t.overage_minutes = t.billed_minutes.saturating_sub(included as u64);
    }
    t.earned_cents = amount_for(t.billed_minutes, terms);
    let invoiced = if s.any_invoiced {
        amount_for(s.invoiced_minutes, terms)
    } else {
        0
    };
    t.amount_cents = t.earned_cents - invoiced;
    let hours = t.billable_minutes + t.unbilled_minutes + t.quote_prep_minutes;
    // In the currency's smallest unit, as amounts are (a whole yen).
    let unit = terms.unit_cents.max(1);
    t.effective_rate_cents = per_hour(t.earned_cents, hours).map(|r| mul_div_round(r, 1, unit) * unit);
    t
}

/// Whether a closed retainer month went more than 10% over its hours.
pub fn scope_creep(billable_minutes: u64, retainer_minutes: u64) -> bool {
    retainer_minutes > 0 && billable_minutes * 100 > retainer_minutes * (100 + SCOPE_CREEP_PERCENT)
}

/// Whether a retainer month has used 90% or more of its hours.
pub fn retainer_near(billable_minutes: u64, retainer_minutes: u64) -> bool {
    retainer_minutes > 0 && billable_minutes * 100 >= retainer_minutes * RETAINER_NEAR_PERCENT
}

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn of(d: NaiveDate) -> Month {
        Month {
            year: d.year(),
            month: d.month(),
        }
    }

    /// `YYYY-MM`, with years 1900–2999 and months 01–12.
    pub fn parse(s: &str) -> Result<Month> {
        let bad = || Error::invalid(T::ErrBadMonth, &[&s]);
        let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.is_empty() || m.len() > 2 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        if !(1900..=2999).contains(&year) || !(1..=12).contains(&month) {
            return Err(bad());
        }
        Ok(Month { year, month })
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or_default()
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn prev(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    pub fn key(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.key())
    }
}

/// The currency's symbol, or its code where the symbol is generic or ambiguous across
/// currencies that share it only by chance.
fn symbol(c: Currency) -> String {
    let s = c.symbol().to_string();
    if s.is_empty() || s == "¤" {
        c.code().to_string()
    } else {
        s
    }
}

/// An amount as a plain number with two decimals and no symbol (`1450.00`, `-0.05`): the
/// review's JSON and the notes of flags about money.
pub fn plain_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// THE way an amount is printed: `€1,450.00` in English, `1450,00 €` in Spanish (Spanish
/// groups thousands only from five digits on, as the RAE recommends), with as many decimals
/// as the currency has.
pub fn format_cents(cents: i64, currency: Currency, lang: Lang) -> String {
    let exp = currency.exponent().unwrap_or(2) as u32;
    // Stored cents are hundredths; a currency with other minor units is shown from them.
    let abs = cents.unsigned_abs();
    let whole = abs / 100;
    let frac = abs % 100;
    let frac_text = match exp {
        0 => String::new(),
        1 => format!("{}", (frac + 5) / 10 % 10),
        2 => format!("{frac:02}"),
        n => format!("{frac:02}{}", "0".repeat(n as usize - 2)),
    };
    // With no decimals, round the hundredths away.
    let whole = if exp == 0 && frac >= 50 { whole + 1 } else { whole };
    let sign = if cents < 0 { "-" } else { "" };
    let sym = symbol(currency);
    let plain = if frac_text.is_empty() {
        whole.to_string()
    } else {
        format!("{whole}.{frac_text}")
    };
    // Digits, grouping and the decimal sign come from CLDR (ICU4X); the symbol goes where
    // each language's currency pattern puts it ("¤#,##0.00" / "#,##0.00 ¤").
    let w = crate::i18n::digits(&plain, lang);
    match lang {
        Lang::En => format!("{sign}{sym}{w}"),
        Lang::Es => format!("{sign}{w} {sym}"),
    }
}

/// An amount the way it is typed back into a field: no thousands separator, and no decimals
/// when it is whole (`1200`, `1200.50`, `1200,50`; a yen amount always whole), so that it
/// reads back as the same cents.
pub fn typed_amount(cents: i64, l: Lang) -> String {
    let point = if l == Lang::Es { ',' } else { '.' };
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    if c.is_multiple_of(100) {
        format!("{sign}{}", c / 100)
    } else {
        format!("{sign}{}{point}{:02}", c / 100, c % 100)
    }
}

/// Retainer hours as typed (`20`, `7.5`, `7,5`) to minutes.
pub fn parse_retainer_hours(s: &str) -> Result<u32> {
    let bad = || Error::invalid(T::ErrBadRetainer, &[&s]);
    let hundredths = typed_cents(s).ok_or_else(bad)?;
    let minutes = mul_div_round(hundredths, 60, 100);
    if minutes <= 0 || minutes > MAX_RETAINER_MINUTES as i64 {
        return Err(bad());
    }
    Ok(minutes as u32)
}

/// Retainer minutes as hours are typed (`20`, `7.5`; `7,5` in Spanish): what
/// [`parse_retainer_hours`] reads back.
pub fn retainer_hours_typed(minutes: u32, lang: Lang) -> String {
    crate::i18n::number(f64::from(minutes) / 60.0, lang)
}

/// Minutes as `7h 05m` / `45m`.
pub fn hours_text(minutes: u64) -> String {
    if minutes < 60 {
        format!("{minutes}m")
    } else {
        format!("{}h {:02}m", minutes / 60, minutes % 60)
    }
}

/// One stretch of work on a client (and maybe one of its tasks).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TimeEntry {
    pub id: i64,
    pub uuid: String,
    #[serde(skip)]
    pub client_id: i64,
    /// The client's name.
    pub client: String,
    /// The task's id, or None for time on the client alone.
    pub task: Option<i64>,
    #[serde(skip)]
    pub task_title: Option<String>,
    /// `YYYY-MM-DD HH:MM`.
    pub start: String,
    /// None while the timer runs.
    pub minutes: Option<u32>,
    pub billable: bool,
    pub note: String,
    pub billed_on: Option<NaiveDate>,
    /// Billed: its minutes as they were invoiced (a billed entry corrected since keeps them).
    pub invoiced_minutes: Option<u32>,
}

impl TimeEntry {
    /// The minutes this entry was invoiced for, if it was billed.
    pub fn invoiced(&self) -> Option<u32> {
        self.billed_on?;
        Some(
            self.invoiced_minutes
                .unwrap_or(if self.billable { self.minutes.unwrap_or(0) } else { 0 }),
        )
    }

    pub fn start_at(&self) -> chrono::NaiveDateTime {
        chrono::NaiveDateTime::parse_from_str(&self.start, "%Y-%m-%d %H:%M").unwrap_or_default()
    }
}

/// Defaults for clients that set no currency or increment (from the config).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoneyDefaults {
    pub currency: String,
    pub increment_min: u32,
}

impl Default for MoneyDefaults {
    fn default() -> Self {
        MoneyDefaults {
            currency: "EUR".into(),
            increment_min: 1,
        }
    }
}

impl MoneyDefaults {
    pub fn currency_of(&self, c: &crate::domain::Client) -> Currency {
        self.currency_or_default(c.currency.as_deref())
    }

    /// A client's currency code if it has one, else the VA's default, else the euro.
    pub fn currency_or_default(&self, code: Option<&str>) -> Currency {
        code.and_then(Currency::from_code)
            .or_else(|| Currency::from_code(&self.currency))
            .unwrap_or(Currency::EUR)
    }

    pub fn increment_of(&self, c: &crate::domain::Client) -> u32 {
        c.increment_min.unwrap_or(self.increment_min).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_cents_keeps_the_sign_in_front_of_the_whole_amount() {
        assert_eq!(plain_cents(145000), "1450.00");
        assert_eq!(plain_cents(5), "0.05");
        assert_eq!(plain_cents(0), "0.00");
        assert_eq!(plain_cents(-5), "-0.05");
        assert_eq!(plain_cents(-12345), "-123.45");
        assert_eq!(plain_cents(i64::MIN), "-92233720368547758.08");
    }

    fn terms(rate: i64) -> Terms {
        Terms {
            rate_cents: Some(rate),
            ..Terms::default()
        }
    }

    fn w(minutes: u32, billable: bool) -> Worked {
        Worked {
            minutes,
            billable,
            invoiced: None,
        }
    }

    #[test]
    fn rounding_half_away_from_zero() {
        assert_eq!(mul_div_round(1, 1, 2), 1);
        assert_eq!(mul_div_round(-1, 1, 2), -1);
        assert_eq!(mul_div_round(1, 1, 3), 0);
        assert_eq!(mul_div_round(2, 1, 3), 1);
        // 50 minutes at €37.50/h = €31.25 exactly.
        assert_eq!(mul_div_round(50, 3750, 60), 3125);
        // 7 minutes at €40/h = 466.67 cents → 467.
        assert_eq!(mul_div_round(7, 4000, 60), 467);
    }

    #[test]
    fn floats_to_cents_keep_every_cent() {
        assert_eq!(cents_from_f64(45.0), Some(4500));
        assert_eq!(cents_from_f64(12.34), Some(1234));
        assert_eq!(cents_from_f64(0.1 + 0.2), Some(30));
        assert_eq!(cents_from_f64(1.005), Some(101));
        assert_eq!(cents_from_f64(2.675), Some(268));
        assert_eq!(cents_from_f64(-2.675), Some(-268));
        assert_eq!(cents_from_f64(19.999), Some(2000));
        assert_eq!(cents_from_f64(1e-7), Some(0));
        assert_eq!(cents_from_f64(f64::NAN), None);
        assert_eq!(parse_amount("37,5").unwrap(), 3750);
        assert!(parse_amount("-5").is_err());
        assert!(parse_amount("abc").is_err());
    }

    /// What a form shows an amount as reads back as the same cents, in either language and
    /// in a currency without cents; whole amounts show no decimals, none a thousands separator.
    #[test]
    fn an_amount_typed_back_reads_as_the_same_cents() {
        for l in [Lang::En, Lang::Es] {
            for cents in [0, 5, 50, 100, 3_000, 120_000, 150_050, 300_000, 99_999_999] {
                let typed = typed_amount(cents, l);
                assert_eq!(parse_amount_in(&typed, Currency::EUR, l).unwrap(), cents, "{typed}");
                assert!(!typed.contains(if l == Lang::En { ',' } else { '.' }), "{typed}");
            }
            assert_eq!(typed_amount(300_000, l), "3000");
            assert_eq!(
                parse_amount_in(&typed_amount(300_000, l), Currency::JPY, l).unwrap(),
                300_000
            );
        }
        assert_eq!(typed_amount(150_050, Lang::Es), "1500,50");
    }

    #[test]
    fn typed_amounts_read_as_either_language_writes_them() {
        for (typed, cents) in [
            ("450", 45000),
            ("37.5", 3750),
            ("37,50", 3750),
            ("0,5", 50),
            (",5", 50),
            ("15.", 1500),
            ("1.500", 150000),
            ("1,500", 150000),
            ("12.500,00", 1250000),
            ("1,234.56", 123456),
            ("1.234,5", 123450),
            ("12.345.678", 1234567800),
            ("1,000,000.99", 100000099),
            (" 99 ", 9900),
        ] {
            assert_eq!(typed_cents(typed), Some(cents), "{typed}");
            assert_eq!(parse_amount(typed).unwrap(), cents, "{typed}");
        }
        // Never rounded, never guessed.
        for typed in [
            "1.234,567",
            "0.500",
            "12.3456",
            "1234.567",
            "1.50.0",
            "1.5,00",
            "12,34,567",
            "1,2345",
            "1..5",
            ".",
            ",",
            "",
            "1 500",
            "-3",
            "1e3",
            "1.000.000.000",
            "00.500",
            "000.500",
            "0.500,00",
            "0,500.00",
            "01.500",
        ] {
            assert_eq!(typed_cents(typed).filter(|c| *c <= MAX_CENTS), None, "{typed}");
            assert!(parse_amount(typed).is_err(), "{typed}");
        }
    }

    #[test]
    fn entries_round_up_to_the_increment() {
        assert_eq!(round_up(1, 15), 15);
        assert_eq!(round_up(15, 15), 15);
        assert_eq!(round_up(16, 15), 30);
        assert_eq!(round_up(0, 15), 0);
        assert_eq!(round_up(7, 1), 7);
    }

    #[test]
    fn statement_without_retainer() {
        // €40/h, 15-minute increment: 50m → 60m, 20m → 30m, 10m unbilled; 30m quote prep.
        let t = month_totals(&[w(50, true), w(20, true), w(10, false)], 15, 30, &terms(4000));
        assert_eq!(t.billable_minutes, 70);
        assert_eq!(t.billed_minutes, 90);
        assert_eq!(t.unbilled_minutes, 10);
        // 90 minutes at €40/h = €60.00.
        assert_eq!(t.amount_cents, 6000);
        // €60 over 70 + 10 + 30 = 110 minutes = 6000 × 60 / 110 = 3272.7 → 3273.
        assert_eq!(t.effective_rate_cents, Some(3273));
    }

    #[test]
    fn statement_with_retainer_and_overage() {
        // 10 h for €300, overage €35/h; 11 h 20 m billed (1-minute increment).
        let tr = Terms {
            unit_cents: 0,
            rate_cents: Some(3000),
            retainer: Some((600, 30000)),
            overage_cents: Some(3500),
        };
        let t = month_totals(&[w(400, true), w(280, true)], 1, 0, &tr);
        assert_eq!(t.retainer_minutes, 600);
        assert_eq!(t.overage_minutes, 80);
        // €300 + 80/60 × €35 = 300 + 46.666… → 30000 + 4667 = 34667.
        assert_eq!(t.amount_cents, 34667);
        // 34667 × 60 / 680 = 3058.85 → 3059.
        assert_eq!(t.effective_rate_cents, Some(3059));
        // Overage rate defaults to the hourly rate: 80/60 × €30 = €40.
        let tr2 = Terms {
            overage_cents: None,
            ..tr
        };
        assert_eq!(month_totals(&[w(680, true)], 1, 0, &tr2).amount_cents, 34000);
        // Under the hours: the fee alone.
        assert_eq!(month_totals(&[w(120, true)], 1, 0, &tr).amount_cents, 30000);
        // No time at all: the fee, and no effective rate.
        let none = month_totals(&[], 1, 0, &tr);
        assert_eq!(none.amount_cents, 30000);
        assert_eq!(none.effective_rate_cents, None);
    }

    #[test]
    fn billed_entries_are_not_invoiced_twice() {
        let billed = Worked {
            minutes: 60,
            billable: true,
            invoiced: Some(60),
        };
        let t = month_totals(&[billed, w(30, true)], 1, 0, &terms(5000));
        assert_eq!(t.earned_cents, 7500);
        assert_eq!(t.amount_cents, 2500);
        // With a retainer, the fee went with the first invoice: only the new overage is due.
        let tr = Terms {
            unit_cents: 0,
            rate_cents: Some(5000),
            retainer: Some((60, 20000)),
            overage_cents: None,
        };
        let t = month_totals(&[billed, w(30, true)], 1, 0, &tr);
        assert_eq!(t.earned_cents, 22500);
        assert_eq!(t.amount_cents, 2500);
        // Corrected after it was billed: what was invoiced stays, the difference is due (or,
        // below it, owed back).
        let more = Worked { minutes: 90, ..billed };
        assert_eq!(month_totals(&[more], 1, 0, &terms(6000)).amount_cents, 3000);
        let less = Worked { minutes: 15, ..billed };
        assert_eq!(month_totals(&[less], 1, 0, &terms(6000)).amount_cents, -4500);
    }

    #[test]
    fn retainer_thresholds() {
        assert!(!scope_creep(660, 600));
        assert!(scope_creep(661, 600));
        assert!(!retainer_near(539, 600));
        assert!(retainer_near(540, 600));
        assert!(!scope_creep(10, 0));
    }

    #[test]
    fn months() {
        assert_eq!(Month::parse("2026-03").unwrap().key(), "2026-03");
        assert!(Month::parse("2026-13").is_err());
        assert!(Month::parse("2026-00").is_err());
        assert!(Month::parse("26-01").is_err());
        assert!(Month::parse("3000-01").is_err());
        let m = Month::parse("2026-12").unwrap();
        assert_eq!(m.next().key(), "2027-01");
        assert_eq!(m.next().prev(), m);
    }

    #[test]
    fn amounts_in_each_language() {
        let eur = parse_currency("eur").unwrap();
        assert_eq!(format_cents(45000, eur, Lang::En), "€450.00");
        assert_eq!(format_cents(45000, eur, Lang::Es), "450,00 €");
        assert_eq!(format_cents(145050, eur, Lang::En), "€1,450.50");
        assert_eq!(format_cents(145050, eur, Lang::Es), "1450,50 €");
        assert_eq!(format_cents(1234567, eur, Lang::Es), "12.345,67 €");
        assert_eq!(format_cents(-500, eur, Lang::En), "-€5.00");
        let usd = parse_currency("USD").unwrap();
        assert_eq!(format_cents(999, usd, Lang::En), "$9.99");
        let jpy = parse_currency("JPY").unwrap();
        assert_eq!(format_cents(45000, jpy, Lang::En), "¥450");
        assert!(parse_currency("EURO").is_err());
        assert!(parse_currency("XAU").is_err());
    }
}

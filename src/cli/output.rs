//! How the command line prints: aligned columns for people, stable JSON for scripts.

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::red_flag::Assessment;
use crate::domain::text::width;
use crate::domain::{dates, Channel, Flag, FlagSource, Task};
use crate::store::ClientSummary;

/// Columns aligned by display width; every column but the last is capped.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    const CAP: usize = 36;
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

//! The red-flag catalogue, the decaying score and the verdict it leads to.

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::ClientStatus;
use crate::i18n::{Lang, T};
use crate::keyed_enum;

keyed_enum!(FlagKind, T::ErrBadFlagKind, {
    NoShow => "no_show" | "no_se_presentó", T::FlagNoShow,
    LateToMeeting => "late_to_meeting" | "llegó_tarde", T::FlagLateToMeeting,
    UnsureWhatToDelegate => "unsure_what_to_delegate" | "no_sabe_qué_delegar", T::FlagUnsure,
    QuoteUnanswered => "quote_unanswered" | "presupuesto_sin_respuesta", T::FlagQuoteUnanswered,
    VagueSpec => "vague_spec" | "mal_especificadas", T::FlagVagueSpec,
    LateMaterial => "late_material" | "material_tarde", T::FlagLateMaterial,
    NoFeedback => "no_feedback" | "sin_feedback", T::FlagNoFeedback,
    MindReading => "mind_reading" | "leer_la_mente", T::FlagMindReading,
    LateChanges => "late_changes" | "cambios_tras_aprobar", T::FlagLateChanges,
    WorkUnused => "work_unused" | "trabajo_sin_usar", T::FlagWorkUnused,
    ScatteredChannels => "scattered_channels" | "canales_dispersos", T::FlagScattered,
    CoreWorkDelegated => "core_work_delegated" | "trabajo_clave", T::FlagCoreWork,
    Underpaying => "underpaying" | "paga_poco", T::FlagUnderpaying,
    ScopeCreep => "scope_creep" | "más_horas_de_las_pagadas", T::FlagScopeCreep,
    Other => "other" | "otra", T::FlagOther,
});

impl FlagKind {
    pub fn default_weight(self) -> f64 {
        match self {
            FlagKind::NoShow => 3.0,
            FlagKind::QuoteUnanswered
            | FlagKind::LateMaterial
            | FlagKind::NoFeedback
            | FlagKind::LateChanges
            | FlagKind::WorkUnused
            | FlagKind::CoreWorkDelegated
            | FlagKind::Underpaying
            | FlagKind::ScopeCreep => 2.0,
            _ => 1.0,
        }
    }

    /// When the flag is raised without the VA, or None for kinds only the VA can judge.
    pub fn auto_rule(self) -> Option<T> {
        Some(match self {
            FlagKind::NoShow => T::RuleNoShow,
            FlagKind::LateToMeeting => T::RuleLateToMeeting,
            FlagKind::QuoteUnanswered => T::RuleQuoteUnanswered,
            FlagKind::VagueSpec => T::RuleVagueSpec,
            FlagKind::LateMaterial => T::RuleLateMaterial,
            FlagKind::NoFeedback => T::RuleNoFeedback,
            FlagKind::LateChanges => T::RuleLateChanges,
            FlagKind::WorkUnused => T::RuleWorkUnused,
            FlagKind::ScatteredChannels => T::RuleScattered,
            FlagKind::Underpaying => T::RuleUnderpaying,
            FlagKind::ScopeCreep => T::RuleScopeCreep,
            _ => return None,
        })
    }

    /// Kinds that make a prospect worth screening before any quote.
    pub fn screens_prospect(self) -> bool {
        matches!(
            self,
            FlagKind::NoShow | FlagKind::QuoteUnanswered | FlagKind::UnsureWhatToDelegate
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagSource {
    Manual,
    Auto,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Flag {
    pub id: i64,
    pub uuid: String,
    pub client_id: i64,
    pub client: String,
    pub kind: FlagKind,
    pub at: NaiveDate,
    pub note: String,
    pub source: FlagSource,
    /// For auto flags: the record that raised it (`material:12`, `quote:3`...).
    pub source_ref: Option<String>,
    pub dismissed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Healthy,
    Watch,
    Talk,
    End,
    Screen,
    Decline,
}

impl Verdict {
    pub fn key(self) -> &'static str {
        match self {
            Verdict::Healthy => "healthy",
            Verdict::Watch => "watch",
            Verdict::Talk => "talk",
            Verdict::End => "end",
            Verdict::Screen => "screen",
            Verdict::Decline => "decline",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Verdict::Healthy => T::VerdictHealthy,
            Verdict::Watch => T::VerdictWatch,
            Verdict::Talk => T::VerdictTalk,
            Verdict::End => T::VerdictEnd,
            Verdict::Screen => T::VerdictScreen,
            Verdict::Decline => T::VerdictDecline,
        }
        .text(lang)
    }

    /// How serious it is, for sorting and colour: 0 calm .. 3 act now.
    pub fn severity(self) -> u8 {
        match self {
            Verdict::Healthy => 0,
            Verdict::Watch | Verdict::Screen => 1,
            Verdict::Talk => 2,
            Verdict::End | Verdict::Decline => 3,
        }
    }
}

/// Weights, half-life and thresholds; the defaults are SPEC's, the config may change them.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreRules {
    pub weights: Vec<(FlagKind, f64)>,
    pub half_life_days: f64,
    pub watch: f64,
    pub talk: f64,
    pub end: f64,
    pub decline_prospect: f64,
}

impl Default for ScoreRules {
    fn default() -> Self {
        ScoreRules {
            weights: FlagKind::ALL.iter().map(|k| (*k, k.default_weight())).collect(),
            half_life_days: 90.0,
            watch: 3.0,
            talk: 6.0,
            end: 10.0,
            decline_prospect: 4.0,
        }
    }
}

impl ScoreRules {
    pub fn weight(&self, kind: FlagKind) -> f64 {
        self.weights
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, w)| *w)
            .unwrap_or(kind.default_weight())
    }

    /// What one flag adds today: weight × 0.5^(age / half-life), age in whole days, never negative.
    pub fn contribution(&self, kind: FlagKind, at: NaiveDate, today: NaiveDate) -> f64 {
        let age = (today - at).num_days().max(0) as f64;
        let half_life = if self.half_life_days > 0.0 {
            self.half_life_days
        } else {
            90.0
        };
        self.weight(kind) * 0.5f64.powf(age / half_life)
    }

    /// The verdict for a client's score; prospects are judged before any work starts.
    pub fn verdict(&self, status: ClientStatus, score: f64, kinds: &[FlagKind]) -> Verdict {
        if status == ClientStatus::Prospect {
            if score >= self.decline_prospect {
                return Verdict::Decline;
            }
            if kinds.iter().any(|k| k.screens_prospect()) {
                return Verdict::Screen;
            }
        }
        if score >= self.end {
            Verdict::End
        } else if score >= self.talk {
            Verdict::Talk
        } else if score >= self.watch {
            Verdict::Watch
        } else {
            Verdict::Healthy
        }
    }
}

/// One flag's share in a client's score.
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    pub flag: Flag,
    pub weight: f64,
    pub age_days: i64,
    pub points: f64,
}

/// A client's score, with every flag's share so it can be explained.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub score: f64,
    pub verdict: Verdict,
    pub contributions: Vec<Contribution>,
}

/// Scores a client from its flags (dismissed ones count nothing and are left out).
pub fn assess(rules: &ScoreRules, status: ClientStatus, flags: &[Flag], today: NaiveDate) -> Assessment {
    let mut contributions: Vec<Contribution> = flags
        .iter()
        .filter(|f| !f.dismissed)
        .map(|f| Contribution {
            flag: f.clone(),
            weight: rules.weight(f.kind),
            age_days: (today - f.at).num_days().max(0),
            points: rules.contribution(f.kind, f.at, today),
        })
        .collect();
    contributions.sort_by(|a, b| b.points.total_cmp(&a.points));
    // Folding from +0.0: an empty sum of floats is -0.0, which would print as "-0.0".
    let score: f64 = contributions.iter().fold(0.0, |acc, c| acc + c.points);
    let kinds: Vec<FlagKind> = contributions.iter().map(|c| c.flag.kind).collect();
    Assessment {
        score,
        verdict: rules.verdict(status, score, &kinds),
        contributions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn flag(kind: FlagKind, at: &str) -> Flag {
        Flag {
            id: 0,
            uuid: String::new(),
            client_id: 1,
            client: "c".into(),
            kind,
            at: d(at),
            note: String::new(),
            source: FlagSource::Manual,
            source_ref: None,
            dismissed: false,
        }
    }

    #[test]
    fn catalogue_has_spec_weights() {
        let r = ScoreRules::default();
        assert_eq!(FlagKind::ALL.len(), 15);
        assert_eq!(r.weight(FlagKind::NoShow), 3.0);
        assert_eq!(r.weight(FlagKind::LateMaterial), 2.0);
        assert_eq!(r.weight(FlagKind::MindReading), 1.0);
        assert_eq!(r.weight(FlagKind::Underpaying), 2.0);
        assert_eq!(r.weight(FlagKind::ScopeCreep), 2.0);
        assert!(FlagKind::MindReading.auto_rule().is_none());
        assert!(FlagKind::LateMaterial.auto_rule().is_some());
    }

    #[test]
    fn score_halves_every_ninety_days() {
        let r = ScoreRules::default();
        let today = d("2026-11-23");
        assert_eq!(r.contribution(FlagKind::NoShow, today, today), 3.0);
        let ninety = today - chrono::Duration::days(90);
        assert!((r.contribution(FlagKind::NoShow, ninety, today) - 1.5).abs() < 1e-9);
        let one_eighty = today - chrono::Duration::days(180);
        assert!((r.contribution(FlagKind::LateMaterial, one_eighty, today) - 0.5).abs() < 1e-9);
        // A flag dated in the future counts fully, never more.
        assert_eq!(
            r.contribution(FlagKind::NoShow, today + chrono::Duration::days(5), today),
            3.0
        );
    }

    #[test]
    fn verdict_edges() {
        let r = ScoreRules::default();
        let a = ClientStatus::Active;
        assert_eq!(r.verdict(a, 0.0, &[]), Verdict::Healthy);
        assert_eq!(r.verdict(a, 2.999, &[]), Verdict::Healthy);
        assert_eq!(r.verdict(a, 3.0, &[]), Verdict::Watch);
        assert_eq!(r.verdict(a, 5.99, &[]), Verdict::Watch);
        assert_eq!(r.verdict(a, 6.0, &[]), Verdict::Talk);
        assert_eq!(r.verdict(a, 9.99, &[]), Verdict::Talk);
        assert_eq!(r.verdict(a, 10.0, &[]), Verdict::End);
        // Prospect-only verdicts never apply to active clients.
        assert_eq!(r.verdict(a, 1.0, &[FlagKind::NoShow]), Verdict::Healthy);
    }

    #[test]
    fn prospects_are_screened_or_declined() {
        let r = ScoreRules::default();
        let p = ClientStatus::Prospect;
        assert_eq!(r.verdict(p, 0.0, &[]), Verdict::Healthy);
        assert_eq!(r.verdict(p, 1.0, &[FlagKind::UnsureWhatToDelegate]), Verdict::Screen);
        assert_eq!(r.verdict(p, 2.0, &[FlagKind::QuoteUnanswered]), Verdict::Screen);
        assert_eq!(r.verdict(p, 1.0, &[FlagKind::MindReading]), Verdict::Healthy);
        assert_eq!(r.verdict(p, 3.99, &[FlagKind::NoShow]), Verdict::Screen);
        assert_eq!(r.verdict(p, 4.0, &[FlagKind::NoShow]), Verdict::Decline);
        assert_eq!(r.verdict(p, 4.0, &[FlagKind::MindReading]), Verdict::Decline);
    }

    #[test]
    fn assessment_explains_and_ignores_dismissed() {
        let r = ScoreRules::default();
        let today = d("2026-11-23");
        let mut dismissed = flag(FlagKind::NoShow, "2026-11-23");
        dismissed.dismissed = true;
        let flags = vec![
            flag(FlagKind::LateMaterial, "2026-11-23"),
            flag(FlagKind::NoFeedback, "2026-08-25"), // 90 days old: counts 1.0
            dismissed,
        ];
        let a = assess(&r, ClientStatus::Active, &flags, today);
        assert_eq!(a.contributions.len(), 2);
        assert!((a.score - 3.0).abs() < 1e-9, "{}", a.score);
        assert_eq!(a.verdict, Verdict::Watch);
        assert_eq!(a.contributions[0].flag.kind, FlagKind::LateMaterial);
        assert_eq!(a.contributions[1].age_days, 90);
    }
}

use chrono::{NaiveDate, Weekday};
use serde::Serialize;

use crate::i18n::T;
use crate::keyed_enum;

keyed_enum!(
    /// Where a client stands with the VA.
    ClientStatus, T::ErrBadClientStatus, {
    Prospect => "prospect" | "potencial", T::CsProspect,
    Active => "active" | "activo", T::CsActive,
    Paused => "paused" | "en_pausa", T::CsPaused,
    Ended => "ended" | "finalizado", T::CsEnded,
    Declined => "declined" | "descartado", T::CsDeclined,
});

keyed_enum!(
    /// How a client reaches the VA, and how tasks arrive.
    ChannelKind, T::ErrBadChannel, {
    Email => "email" | "email", T::ChEmail,
    Whatsapp => "whatsapp" | "whatsapp", T::ChWhatsapp,
    Phone => "phone" | "teléfono", T::ChPhone,
    Trello => "trello" | "trello", T::ChTrello,
    Asana => "asana" | "asana", T::ChAsana,
    Slack => "slack" | "slack", T::ChSlack,
    Drive => "drive" | "drive", T::ChDrive,
    Telegram => "telegram" | "telegram", T::ChTelegram,
    Instagram => "instagram" | "instagram", T::ChInstagram,
    Linkedin => "linkedin" | "linkedin", T::ChLinkedin,
    Teams => "teams" | "teams", T::ChTeams,
    Zoom => "zoom" | "zoom", T::ChZoom,
    Meet => "meet" | "meet", T::ChMeet,
    Notion => "notion" | "notion", T::ChNotion,
    Clickup => "clickup" | "clickup", T::ChClickup,
    Other => "other" | "otro", T::ChOther,
});

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Channel {
    pub kind: ChannelKind,
    pub handle: String,
}

impl Channel {
    /// Parses `KIND[:HANDLE]`, e.g. `whatsapp:+34 600 000 000` or `email`.
    pub fn parse(s: &str) -> crate::error::Result<Channel> {
        let (kind, handle) = match s.split_once(':') {
            Some((k, h)) => (k, h),
            None => (s, ""),
        };
        Ok(Channel {
            kind: ChannelKind::parse(kind)?,
            handle: crate::domain::text::clean_line(handle),
        })
    }
}

/// Why a client's retainer fee is not owed for a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeeNotOwed {
    /// The month is before the client was added.
    BeforeAdded,
    /// The client is not active or paused (ended, a prospect, declined).
    Status,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Client {
    pub id: i64,
    pub uuid: String,
    pub name: String,
    pub status: ClientStatus,
    pub channels: Vec<Channel>,
    pub tool: String,
    /// Hourly rate in cents.
    pub rate_cents: Option<i64>,
    /// ISO 4217 code; None follows the config's `currency` (else EUR).
    pub currency: Option<String>,
    /// Billing increment in minutes; None follows the config's `increment` (else 1).
    pub increment_min: Option<u32>,
    /// Minutes included per month by a retainer, and its monthly fee in cents.
    pub retainer_min: Option<u32>,
    pub fee_cents: Option<i64>,
    /// Cents per hour beyond the retainer; None means the hourly rate.
    pub overage_cents: Option<i64>,
    pub review_day: Option<Weekday>,
    pub notes: String,
    pub created_on: NaiveDate,
}

impl Client {
    /// The hourly rate in currency units, as the first-wave JSON printed it.
    pub fn rate(&self) -> Option<f64> {
        self.rate_cents.map(|c| c as f64 / 100.0)
    }

    /// Why a retainer's fee is not owed for `month`, or None when it is (or there is no
    /// retainer): the one rule every statement, the month's lines and the Month view follow.
    /// The fee is owed from the month the client was added on (the database does not record
    /// when a retainer was set), while the client is active or paused. The database does not
    /// record when a client ended either, so an ended client (or a prospect, or a declined
    /// one) owes no fee for any month, and the statement says so.
    pub fn fee_not_owed(&self, month: crate::domain::money::Month) -> Option<FeeNotOwed> {
        self.retainer_min.zip(self.fee_cents)?;
        if month < crate::domain::money::Month::of(self.created_on) {
            return Some(FeeNotOwed::BeforeAdded);
        }
        if !matches!(self.status, ClientStatus::Active | ClientStatus::Paused) {
            return Some(FeeNotOwed::Status);
        }
        None
    }

    /// What the client pays and how in `month`: [`Client::terms`] without the retainer when
    /// its fee is not owed then (see [`Client::fee_not_owed`]).
    pub fn terms_in(&self, month: crate::domain::money::Month) -> crate::domain::money::Terms {
        let mut t = self.terms();
        if self.fee_not_owed(month).is_some() {
            t.retainer = None;
        }
        t
    }

    /// What the client pays and how, for the statement arithmetic.
    pub fn terms(&self) -> crate::domain::money::Terms {
        crate::domain::money::Terms {
            rate_cents: self.rate_cents,
            retainer: self.retainer_min.zip(self.fee_cents),
            overage_cents: self.overage_cents,
            // Its currency's unit is set where the default currency is known (`in_currency`).
            unit_cents: 0,
        }
    }
}

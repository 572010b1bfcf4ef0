use chrono::{NaiveDate, Weekday};
use serde::Serialize;

use crate::i18n::T;
use crate::keyed_enum;

keyed_enum!(
    /// Where a client stands with the VA.
    ClientStatus, T::ErrBadClientStatus, {
    Prospect => "prospect",
    Active => "active",
    Paused => "paused",
    Ended => "ended",
    Declined => "declined",
});

keyed_enum!(
    /// How a client reaches the VA, and how tasks arrive.
    ChannelKind, T::ErrBadChannel, {
    Email => "email",
    Whatsapp => "whatsapp",
    Phone => "phone",
    Trello => "trello",
    Asana => "asana",
    Slack => "slack",
    Drive => "drive",
    Other => "other",
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

#[derive(Debug, Clone, PartialEq)]
pub struct Client {
    pub id: i64,
    pub uuid: String,
    pub name: String,
    pub status: ClientStatus,
    pub channels: Vec<Channel>,
    pub tool: String,
    pub rate: Option<f64>,
    pub review_day: Option<Weekday>,
    pub notes: String,
    pub created_on: NaiveDate,
}

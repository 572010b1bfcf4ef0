//! A realistic sample, dated relative to today, built through the same methods and rules the
//! VA uses, so a newcomer's first review is never empty and every flag is explained.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime};

use super::{ClientFields, NewQuote, Store, TaskFields};
use crate::domain::{
    Attendance, Channel, ChannelKind, ClientStatus, FlagKind, MeetingKind, Outcome, RequestKind, TaskStatus,
};
use crate::error::{Error, Result};
use crate::i18n::T;

fn ch(kind: ChannelKind, handle: &str) -> Channel {
    Channel {
        kind,
        handle: handle.into(),
    }
}

/// What the demo added.
pub struct DemoReport {
    pub clients: usize,
    pub tasks: usize,
}

impl Store {
    /// Fills an empty store with the sample.
    pub fn load_demo(&mut self, today: NaiveDate) -> Result<DemoReport> {
        if !self.is_empty()? {
            return Err(Error::refused(T::ErrDemoNotEmpty, &[]));
        }
        let d = |n: i64| today + Duration::days(n);
        let at = |n: i64, h: u32| d(n).and_time(NaiveTime::from_hms_opt(h, 0, 0).unwrap_or(NaiveTime::MIN));
        let weekday = today.weekday();
        let mut tasks = 0;
        let mut task = |s: &mut Store,
                        client: i64,
                        title: &str,
                        due: Option<i64>,
                        via: ChannelKind,
                        created: i64,
                        est: u32|
         -> Result<i64> {
            tasks += 1;
            s.add_task(
                client,
                TaskFields {
                    title: Some(title.into()),
                    due: Some(due.map(d)),
                    via: Some(Some(via)),
                    estimate_min: Some(Some(est)),
                    ..Default::default()
                },
                d(created),
            )
        };

        // Sends materials late, every time.
        let lumen = self.add_client(
            ClientFields {
                name: Some("Casa Lumen Interiors".into()),
                status: Some(ClientStatus::Active),
                channels: Some(vec![
                    ch(ChannelKind::Email, "studio@casalumen.com"),
                    ch(ChannelKind::Trello, "casalumen/board"),
                ]),
                tool: Some("Trello".into()),
                rate: Some(Some(2800)),
                review_day: None,
                notes: Some("Always promises the photos 'tomorrow'.".into()),
                ..ClientFields::default()
            },
            d(-200),
        )?;
        let old = task(self, lumen, "Autumn catalogue", Some(-40), ChannelKind::Email, -60, 240)?;
        let m = self.ask(old, RequestKind::Material, "Product photos", d(-50), d(-58))?;
        self.detect(d(-45), None)?;
        self.receive(RequestKind::Material, m, d(-41))?;
        self.set_task_status(old, TaskStatus::Done, d(-38))?;
        let t = task(
            self,
            lumen,
            "Instagram carousel: December",
            Some(2),
            ChannelKind::Trello,
            -8,
            90,
        )?;
        let m = self.ask(t, RequestKind::Material, "Photos of the new lamps", d(-4), d(-7))?;
        self.nudge(RequestKind::Material, m, None, d(-2))?;
        let t = task(self, lumen, "Supplier price list", Some(5), ChannelKind::Email, -2, 60)?;
        self.ask(t, RequestKind::Material, "Supplier spreadsheet", d(1), d(-1))?;
        self.add_meeting(lumen, at(-1, 16), MeetingKind::Other)?;

        // A healthy retainer: on time, clear, weekly review today.
        let bloom = self.add_client(
            ClientFields {
                name: Some("Bloom Florist".into()),
                status: Some(ClientStatus::Active),
                channels: Some(vec![
                    ch(ChannelKind::Whatsapp, "+34 611 200 300"),
                    ch(ChannelKind::Email, "hola@bloomflorist.es"),
                ]),
                tool: Some("Trello".into()),
                rate: Some(Some(3200)),
                review_day: Some(Some(weekday)),
                notes: Some("Retainer, 20 h a month. Marta prefers voice notes before 10:00.".into()),
                ..ClientFields::default()
            },
            d(-120),
        )?;
        self.hold_weekly_review(bloom, d(-7))?;
        let t = task(
            self,
            bloom,
            "Christmas newsletter",
            Some(3),
            ChannelKind::Whatsapp,
            -6,
            120,
        )?;
        self.set_task_status(t, TaskStatus::Doing, d(-2))?;
        task(
            self,
            bloom,
            "Reply to wedding enquiries",
            Some(0),
            ChannelKind::Email,
            -3,
            45,
        )?;
        let t = task(
            self,
            bloom,
            "Update Google Business hours",
            None,
            ChannelKind::Whatsapp,
            -15,
            30,
        )?;
        self.set_task_status(t, TaskStatus::Delivered, d(-14))?;
        self.set_outcome(t, Outcome::Accepted, d(-13))?;
        self.set_task_status(t, TaskStatus::Done, d(-13))?;
        let t = task(
            self,
            bloom,
            "Valentine's campaign plan",
            Some(6),
            ChannelKind::Whatsapp,
            -4,
            90,
        )?;
        self.set_task_status(t, TaskStatus::Delivered, d(-1))?;
        self.ask(t, RequestKind::Feedback, "", d(1), d(-1))?;
        self.add_meeting(bloom, at(0, 11), MeetingKind::Review)?;

        // A prospect who missed the discovery meeting and left the quote unanswered.
        let north = self.add_client(
            ClientFields {
                name: Some("Northwind Yoga".into()),
                status: Some(ClientStatus::Prospect),
                channels: Some(vec![ch(ChannelKind::Email, "info@northwindyoga.com")]),
                notes: Some("Found me on LinkedIn. 'We need help with everything.'".into()),
                ..Default::default()
            },
            d(-20),
        )?;
        let meet = self.add_meeting(north, at(-12, 10), MeetingKind::Discovery)?;
        self.record_attendance(meet, Attendance::NoShow, None)?;
        self.add_flag(
            north,
            FlagKind::UnsureWhatToDelegate,
            d(-9),
            "Asked for 'a bit of everything', no list",
        )?;
        self.add_quote(
            north,
            NewQuote {
                amount_cents: 45000,
                prep_min: 90,
                sent_on: d(-9),
                answer_by: Some(d(-2)),
            },
            7,
        )?;

        // Changes everything after calling it perfect; requests arrive from everywhere.
        let pixel = self.add_client(
            ClientFields {
                name: Some("Pixel & Pine Studio".into()),
                status: Some(ClientStatus::Active),
                channels: Some(vec![
                    ch(ChannelKind::Slack, "pixelpine.slack.com"),
                    ch(ChannelKind::Whatsapp, "+34 622 900 100"),
                    ch(ChannelKind::Email, "jordi@pixelpine.studio"),
                ]),
                tool: Some("Asana".into()),
                rate: Some(Some(3500)),
                review_day: None,
                notes: Some("Jordi approves, then his partner rewrites everything.".into()),
                ..ClientFields::default()
            },
            d(-150),
        )?;
        for (title, via, created, outcome) in [
            ("Landing page copy", ChannelKind::Slack, -28, Outcome::ChangedAfterOk),
            (
                "Client onboarding email",
                ChannelKind::Email,
                -21,
                Outcome::ChangedAfterOk,
            ),
            ("Competitor research", ChannelKind::Whatsapp, -18, Outcome::Unused),
        ] {
            let t = task(self, pixel, title, Some(created + 5), via, created, 180)?;
            self.set_task_status(t, TaskStatus::Delivered, d(created + 4))?;
            self.set_outcome(t, outcome, d(created + 9))?;
        }
        let t = task(
            self,
            pixel,
            "Portfolio case study",
            Some(-6),
            ChannelKind::Phone,
            -12,
            150,
        )?;
        self.set_task_status(t, TaskStatus::Delivered, d(-7))?;
        self.ask(t, RequestKind::Feedback, "", d(-3), d(-7))?;
        self.clarify(t, d(-11))?;
        self.clarify(t, d(-10))?;
        task(self, pixel, "Newsletter draft", Some(-1), ChannelKind::Slack, -5, 60)?;

        // Paused and calm.
        let dental = self.add_client(
            ClientFields {
                name: Some("Clínica Dental Ramos".into()),
                status: Some(ClientStatus::Paused),
                channels: Some(vec![ch(ChannelKind::Phone, "+34 910 000 111")]),
                rate: Some(Some(3000)),
                notes: Some("Paused until the new receptionist starts.".into()),
                ..Default::default()
            },
            d(-300),
        )?;
        let t = task(
            self,
            dental,
            "Patient reminder templates",
            None,
            ChannelKind::Phone,
            -70,
            120,
        )?;
        self.set_task_status(t, TaskStatus::Done, d(-60))?;

        // An old client, ended long ago: its flags have faded.
        let sol = self.add_client(
            ClientFields {
                name: Some("Tienda Sol".into()),
                status: Some(ClientStatus::Ended),
                channels: Some(vec![ch(ChannelKind::Whatsapp, "+34 633 444 555")]),
                notes: Some("Ended: never paid on time.".into()),
                ..Default::default()
            },
            d(-400),
        )?;
        self.add_flag(sol, FlagKind::Underpaying, d(-240), "Asked for a 40% discount")?;
        self.add_flag(sol, FlagKind::MindReading, d(-230), "")?;

        self.detect(today, None)?;
        Ok(DemoReport { clients: 6, tasks })
    }
}

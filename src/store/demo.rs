//! A realistic sample, dated relative to today, built through the same methods and rules the
//! VA uses, so a newcomer's first review is never empty and every flag is explained.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime};

use super::{ClientFields, NewQuote, Store, TaskFields};
use crate::domain::{
    Attendance, Channel, ChannelKind, ClientStatus, FlagKind, MeetingKind, Outcome, RequestKind, TaskStatus,
};
use crate::error::{Error, Result};
use crate::i18n::{Lang, T};

fn ch(kind: ChannelKind, handle: &str) -> Channel {
    Channel {
        kind,
        handle: handle.into(),
    }
}

/// The sample's own words: sample content, not interface text, so it lives here rather than in
/// the catalogue. A Spanish VA gets a Spanish week; the English sample is the original one.
struct Words {
    lumen_name: &'static str,
    lumen_mail: &'static str,
    lumen_board: &'static str,
    lumen_notes: &'static str,
    catalogue: &'static str,
    product_photos: &'static str,
    carousel: &'static str,
    lamp_photos: &'static str,
    price_list: &'static str,
    spreadsheet: &'static str,
    bloom_name: &'static str,
    bloom_mail: &'static str,
    bloom_notes: &'static str,
    xmas: &'static str,
    weddings: &'static str,
    google: &'static str,
    valentine: &'static str,
    north_name: &'static str,
    north_mail: &'static str,
    north_notes: &'static str,
    north_flag: &'static str,
    north_quote: &'static str,
    pixel_name: &'static str,
    pixel_slack: &'static str,
    pixel_mail: &'static str,
    pixel_notes: &'static str,
    landing: &'static str,
    onboarding: &'static str,
    research: &'static str,
    case_study: &'static str,
    news_draft: &'static str,
    dental_name: &'static str,
    dental_notes: &'static str,
    reminders: &'static str,
    sol_name: &'static str,
    sol_notes: &'static str,
    sol_flag: &'static str,
}

const EN: Words = Words {
    lumen_name: "Casa Lumen Interiors",
    lumen_mail: "studio@casalumen.com",
    lumen_board: "casalumen/board",
    lumen_notes: "Always promises the photos 'tomorrow'.",
    catalogue: "Autumn catalogue",
    product_photos: "Product photos",
    carousel: "Instagram carousel: December",
    lamp_photos: "Photos of the new lamps",
    price_list: "Supplier price list",
    spreadsheet: "Supplier spreadsheet",
    bloom_name: "Bloom Florist",
    bloom_mail: "hola@bloomflorist.es",
    bloom_notes: "Retainer, 20 h a month. Marta prefers voice notes before 10:00.",
    xmas: "Christmas newsletter",
    weddings: "Reply to wedding enquiries",
    google: "Update Google Business hours",
    valentine: "Valentine's campaign plan",
    north_name: "Northwind Yoga",
    north_mail: "info@northwindyoga.com",
    north_notes: "Found me on LinkedIn. 'We need help with everything.'",
    north_flag: "Asked for 'a bit of everything', no list",
    north_quote: "Monthly bookkeeping and inbox triage",
    pixel_name: "Pixel & Pine Studio",
    pixel_slack: "pixelpine.slack.com",
    pixel_mail: "jordi@pixelpine.studio",
    pixel_notes: "Jordi approves, then his partner rewrites everything.",
    landing: "Landing page copy",
    onboarding: "Client onboarding email",
    research: "Competitor research",
    case_study: "Portfolio case study",
    news_draft: "Newsletter draft",
    dental_name: "Clínica Dental Ramos",
    dental_notes: "Paused until the new receptionist starts.",
    reminders: "Patient reminder templates",
    sol_name: "Tienda Sol",
    sol_notes: "Ended: never paid on time.",
    sol_flag: "Asked for a 40% discount",
};

const ES: Words = Words {
    lumen_name: "Estudio Lumen Interiorismo",
    lumen_mail: "estudio@lumeninteriorismo.es",
    lumen_board: "lumen/tablero",
    lumen_notes: "Siempre promete las fotos «para mañana».",
    catalogue: "Catálogo de otoño",
    product_photos: "Fotos de producto",
    carousel: "Carrusel de Instagram: diciembre",
    lamp_photos: "Fotos de las lámparas nuevas",
    price_list: "Lista de precios de proveedores",
    spreadsheet: "Hoja de cálculo del proveedor",
    bloom_name: "Floristería Amapola",
    bloom_mail: "hola@floristeriaamapola.es",
    bloom_notes: "Bono de 20 h al mes. Marta prefiere audios antes de las 10:00.",
    xmas: "Newsletter de Navidad",
    weddings: "Responder consultas de bodas",
    google: "Actualizar el horario en Google Business",
    valentine: "Plan de campaña de San Valentín",
    north_name: "Yoga Norte",
    north_mail: "info@yoganorte.es",
    north_notes: "Me encontró en LinkedIn. «Necesitamos ayuda con todo».",
    north_flag: "Pidió «un poco de todo», sin ninguna lista",
    north_quote: "Contabilidad mensual y gestión del correo",
    pixel_name: "Estudio Píxel y Pino",
    pixel_slack: "pixelypino.slack.com",
    pixel_mail: "jordi@pixelypino.es",
    pixel_notes: "Jordi da el visto bueno y luego su socia lo reescribe todo.",
    landing: "Textos de la landing",
    onboarding: "Email de bienvenida a clientes",
    research: "Análisis de la competencia",
    case_study: "Caso de éxito para el portfolio",
    news_draft: "Borrador de la newsletter",
    dental_name: "Clínica Dental Ramos",
    dental_notes: "En pausa hasta que empiece la nueva recepcionista.",
    reminders: "Plantillas de recordatorio para pacientes",
    sol_name: "Tienda Sol",
    sol_notes: "Terminamos: nunca pagaba a tiempo.",
    sol_flag: "Pidió un 40 % de descuento",
};

/// What the demo added.
pub struct DemoReport {
    pub clients: usize,
    pub tasks: usize,
}

impl Store {
    /// Fills an empty store with the sample, in one transaction: on a full disk or under a
    /// kill it is there whole or not at all. The sample is built in a scratch store in memory
    /// and imported from there.
    pub fn load_demo(&mut self, today: NaiveDate) -> Result<DemoReport> {
        if !self.is_empty()? {
            return Err(Error::refused(T::ErrDemoNotEmpty, &[]));
        }
        let mut sample = Store::scratch()?;
        sample.lang = self.lang;
        let report = sample.fill_demo(today)?;
        let data = sample.export()?;
        self.import(&data, false, "demo")?;
        Ok(report)
    }

    fn fill_demo(&mut self, today: NaiveDate) -> Result<DemoReport> {
        let w = match self.lang {
            Lang::En => &EN,
            Lang::Es => &ES,
        };
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
                name: Some(w.lumen_name.into()),
                status: Some(ClientStatus::Active),
                channels: Some(vec![
                    ch(ChannelKind::Email, w.lumen_mail),
                    ch(ChannelKind::Trello, w.lumen_board),
                ]),
                tool: Some("Trello".into()),
                rate: Some(Some(2800)),
                review_day: None,
                notes: Some(w.lumen_notes.into()),
                ..ClientFields::default()
            },
            d(-200),
        )?;
        let old = task(self, lumen, w.catalogue, Some(-40), ChannelKind::Email, -60, 240)?;
        let m = self.ask(old, RequestKind::Material, w.product_photos, d(-50), d(-58))?;
        self.detect(d(-45), None)?;
        self.receive(RequestKind::Material, m, d(-41))?;
        self.set_task_status(old, TaskStatus::Done, d(-38))?;
        let t = task(self, lumen, w.carousel, Some(2), ChannelKind::Trello, -8, 90)?;
        let m = self.ask(t, RequestKind::Material, w.lamp_photos, d(-4), d(-7))?;
        self.nudge(RequestKind::Material, m, None, d(-2))?;
        let t = task(self, lumen, w.price_list, Some(5), ChannelKind::Email, -2, 60)?;
        self.ask(t, RequestKind::Material, w.spreadsheet, d(1), d(-1))?;
        self.add_meeting(lumen, at(-1, 16), MeetingKind::Other, None)?;

        // A healthy retainer: on time, clear, weekly review today.
        let bloom = self.add_client(
            ClientFields {
                name: Some(w.bloom_name.into()),
                status: Some(ClientStatus::Active),
                channels: Some(vec![
                    ch(ChannelKind::Whatsapp, "+34 611 200 300"),
                    ch(ChannelKind::Email, w.bloom_mail),
                ]),
                tool: Some("Trello".into()),
                rate: Some(Some(3200)),
                review_day: Some(Some(weekday)),
                notes: Some(w.bloom_notes.into()),
                ..ClientFields::default()
            },
            d(-120),
        )?;
        self.hold_weekly_review(bloom, d(-7))?;
        let t = task(self, bloom, w.xmas, Some(3), ChannelKind::Whatsapp, -6, 120)?;
        self.set_task_status(t, TaskStatus::Doing, d(-2))?;
        task(self, bloom, w.weddings, Some(0), ChannelKind::Email, -3, 45)?;
        let t = task(self, bloom, w.google, None, ChannelKind::Whatsapp, -15, 30)?;
        self.set_task_status(t, TaskStatus::Delivered, d(-14))?;
        self.set_outcome(t, Outcome::Accepted, d(-13))?;
        self.set_task_status(t, TaskStatus::Done, d(-13))?;
        let t = task(self, bloom, w.valentine, Some(6), ChannelKind::Whatsapp, -4, 90)?;
        self.set_task_status(t, TaskStatus::Delivered, d(-1))?;
        self.ask(t, RequestKind::Feedback, "", d(1), d(-1))?;
        self.add_meeting(bloom, at(0, 11), MeetingKind::Review, None)?;

        // A prospect who missed the discovery meeting and left the quote unanswered.
        let north = self.add_client(
            ClientFields {
                name: Some(w.north_name.into()),
                status: Some(ClientStatus::Prospect),
                channels: Some(vec![ch(ChannelKind::Email, w.north_mail)]),
                notes: Some(w.north_notes.into()),
                ..Default::default()
            },
            d(-20),
        )?;
        let meet = self.add_meeting(north, at(-12, 10), MeetingKind::Discovery, None)?;
        self.record_attendance(meet, Attendance::NoShow, None)?;
        self.add_flag(north, FlagKind::UnsureWhatToDelegate, d(-9), w.north_flag)?;
        self.add_quote(
            north,
            NewQuote {
                amount_cents: 45000,
                prep_min: 90,
                sent_on: d(-9),
                answer_by: Some(d(-2)),
                description: w.north_quote.into(),
            },
            7,
        )?;

        // Changes everything after calling it perfect; requests arrive from everywhere.
        let pixel = self.add_client(
            ClientFields {
                name: Some(w.pixel_name.into()),
                status: Some(ClientStatus::Active),
                channels: Some(vec![
                    ch(ChannelKind::Slack, w.pixel_slack),
                    ch(ChannelKind::Whatsapp, "+34 622 900 100"),
                    ch(ChannelKind::Email, w.pixel_mail),
                ]),
                tool: Some("Asana".into()),
                rate: Some(Some(3500)),
                review_day: None,
                notes: Some(w.pixel_notes.into()),
                ..ClientFields::default()
            },
            d(-150),
        )?;
        for (title, via, created, outcome) in [
            (w.landing, ChannelKind::Slack, -28, Outcome::ChangedAfterOk),
            (w.onboarding, ChannelKind::Email, -21, Outcome::ChangedAfterOk),
            (w.research, ChannelKind::Whatsapp, -18, Outcome::Unused),
        ] {
            let t = task(self, pixel, title, Some(created + 5), via, created, 180)?;
            self.set_task_status(t, TaskStatus::Delivered, d(created + 4))?;
            self.set_outcome(t, outcome, d(created + 9))?;
        }
        let t = task(self, pixel, w.case_study, Some(-6), ChannelKind::Phone, -12, 150)?;
        self.set_task_status(t, TaskStatus::Delivered, d(-7))?;
        self.ask(t, RequestKind::Feedback, "", d(-3), d(-7))?;
        self.clarify(t, d(-11))?;
        self.clarify(t, d(-10))?;
        task(self, pixel, w.news_draft, Some(-1), ChannelKind::Slack, -5, 60)?;

        // Paused and calm.
        let dental = self.add_client(
            ClientFields {
                name: Some(w.dental_name.into()),
                status: Some(ClientStatus::Paused),
                channels: Some(vec![ch(ChannelKind::Phone, "+34 910 000 111")]),
                rate: Some(Some(3000)),
                notes: Some(w.dental_notes.into()),
                ..Default::default()
            },
            d(-300),
        )?;
        let t = task(self, dental, w.reminders, None, ChannelKind::Phone, -70, 120)?;
        self.set_task_status(t, TaskStatus::Done, d(-60))?;

        // An old client, ended long ago: its flags have faded.
        let sol = self.add_client(
            ClientFields {
                name: Some(w.sol_name.into()),
                status: Some(ClientStatus::Ended),
                channels: Some(vec![ch(ChannelKind::Whatsapp, "+34 633 444 555")]),
                notes: Some(w.sol_notes.into()),
                ..Default::default()
            },
            d(-400),
        )?;
        self.add_flag(sol, FlagKind::Underpaying, d(-240), w.sol_flag)?;
        self.add_flag(sol, FlagKind::MindReading, d(-230), "")?;

        self.demo_time(today, lumen, bloom, pixel, dental)?;
        self.detect(today, None)?;
        Ok(DemoReport { clients: 6, tasks })
    }

    /// A realistic month of time, this month and last, so the Month view is never empty: the
    /// retainer client (Bloom) near its hours, Pixel's redos leaving its effective rate below
    /// any sensible minimum, Lumen a little unbilled time chasing materials.
    fn demo_time(&mut self, today: NaiveDate, lumen: i64, bloom: i64, pixel: i64, dental: i64) -> Result<()> {
        // Bloom holds a retainer: 20 hours a month for 600.
        self.edit_client(
            bloom,
            ClientFields {
                retainer_min: Some(Some(20 * 60)),
                fee_cents: Some(Some(60_000)),
                ..ClientFields::default()
            },
        )?;
        let this = crate::domain::money::Month::of(today);
        let last = this.prev();
        // Days of this month up to yesterday (today alone on the 1st), and all of last month.
        let this_days: Vec<NaiveDate> = {
            let first = this.first_day();
            let n = (today - first).num_days().max(1);
            (0..n).map(|k| first + Duration::days(k)).collect()
        };
        let last_days: Vec<NaiveDate> = {
            let first = last.first_day();
            let n = (this.first_day() - first).num_days();
            (0..n).map(|k| first + Duration::days(k)).collect()
        };
        let first_task =
            |s: &Store, client: i64| -> Result<Option<i64>> { Ok(s.task_ids(Some(client))?.first().copied()) };
        // (client, billable minutes, unbilled minutes) per month; spread over its days.
        let plan = [
            (&this_days, bloom, 18 * 60 + 30, 60),
            (&this_days, pixel, 10 * 60, 9 * 60),
            (&this_days, lumen, 6 * 60, 30),
            (&last_days, bloom, 19 * 60, 45),
            (&last_days, pixel, 14 * 60, 6 * 60),
            (&last_days, lumen, 8 * 60, 2 * 60),
            (&last_days, dental, 2 * 60, 0),
        ];
        // Where each day's work has got to (minutes from midnight): the VA works one thing at a
        // time, so each chunk starts where the day's last one ended, from 9:00.
        let mut day_ends: std::collections::HashMap<NaiveDate, u32> = std::collections::HashMap::new();
        for (days, client, billable, unbilled) in plan {
            let task = first_task(self, client)?;
            for (minutes, is_billable) in [(billable, true), (unbilled, false)] {
                // Chunks of at most 2h30m, one a day from the start of the month, two at a
                // time when the days run out.
                let mut left: u32 = minutes;
                let mut k = 0usize;
                while left > 0 {
                    let m = left.min(150);
                    let day = days[k % days.len()];
                    let from = day_ends.entry(day).or_insert(9 * 60);
                    if *from + m > 24 * 60 {
                        // A day already full (a month only a day old): the rest is left out.
                        break;
                    }
                    let start =
                        day.and_time(NaiveTime::from_hms_opt(*from / 60, *from % 60, 0).unwrap_or(NaiveTime::MIN));
                    *from += m;
                    // Alternate between the client's first task and the client alone (calls,
                    // admin).
                    let on_task = if k.is_multiple_of(2) { task } else { None };
                    self.log_time(Some(client), on_task, start, m, is_billable, "")?;
                    left -= m;
                    k += 1;
                }
            }
        }
        Ok(())
    }
}

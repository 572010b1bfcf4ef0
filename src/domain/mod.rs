//! Plain types and pure rules of the VA's world: no SQL, no terminal.

pub mod client;
pub mod dates;
pub mod identity;
pub mod money;
pub mod recur;
pub mod red_flag;
pub mod review;
pub mod rules;
pub mod search;
pub mod task;
pub mod text;

pub use client::{Channel, ChannelKind, Client, ClientStatus, FeeNotOwed};
pub use red_flag::{Flag, FlagKind, FlagSource, ScoreRules, Verdict};
pub use review::{ReviewItem, ReviewKind};
pub use search::{SearchHit, SearchKind};
pub use task::{Attendance, Meeting, MeetingKind, Outcome, Quote, QuoteStatus, Request, RequestKind, Task, TaskStatus};

/// Declares a string-keyed enum: stable English keys for the store and JSON, a label from the
/// catalogue for people, and a Spanish word to type. There is deliberately no `Display`: a value
/// reaches a sentence only through `label(lang)`, so a key can never leak into a message.
#[macro_export]
macro_rules! keyed_enum {
    ($(#[$m:meta])* $name:ident, $err:expr, { $($variant:ident => $key:literal | $es:literal, $label:expr),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The stable key, for the store and `--json` only.
            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }
            /// The catalogue entry of its label.
            pub fn label_key(self) -> $crate::i18n::T {
                match self { $($name::$variant => $label),+ }
            }
            /// How it reads for a person.
            pub fn label(self, lang: $crate::i18n::Lang) -> &'static str {
                self.label_key().text(lang)
            }
            /// The word a person types for it: the key in English, a Spanish word in Spanish.
            pub fn word(self, lang: $crate::i18n::Lang) -> &'static str {
                match lang {
                    $crate::i18n::Lang::En => self.key(),
                    $crate::i18n::Lang::Es => match self { $($name::$variant => $es),+ },
                }
            }
            /// The stable key only (what the store holds).
            pub fn from_key(s: &str) -> Option<Self> {
                let s = s.trim().to_lowercase();
                match s.as_str() { $($key => Some($name::$variant),)+ _ => None }
            }
            /// What a person typed: the key, the Spanish word, or either label; case, accents,
            /// spaces and hyphens do not matter (`activo`, `En pausa`, `no_se_presento`).
            pub fn from_typed(s: &str) -> Option<Self> {
                let typed = $crate::i18n::fold(s);
                if typed.is_empty() {
                    return None;
                }
                Self::ALL.iter().copied().find(|v| {
                    typed == $crate::i18n::fold(v.key())
                        || typed == $crate::i18n::fold(v.word($crate::i18n::Lang::Es))
                        || typed == $crate::i18n::fold(v.label($crate::i18n::Lang::En))
                        || typed == $crate::i18n::fold(v.label($crate::i18n::Lang::Es))
                })
            }
            /// Parses a value typed by a person; the error lists what is accepted, in the
            /// language it is read in.
            pub fn parse(s: &str) -> $crate::error::Result<Self> {
                Self::from_typed(s).ok_or_else(|| Self::unknown(s))
            }
            /// The error for a value that is not one of these.
            pub fn unknown(s: &str) -> $crate::error::Error {
                let list = |l| Self::ALL.iter().map(|v| v.word(l)).collect::<Vec<_>>().join(", ");
                $crate::error::Error::Invalid($crate::error::Msg {
                    key: $err,
                    args: vec![
                        $crate::error::Arg::Text(s.trim().to_string()),
                        $crate::error::Arg::ByLang(list($crate::i18n::Lang::En), list($crate::i18n::Lang::Es)),
                    ],
                })
            }
        }
    };
}

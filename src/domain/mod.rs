//! Plain types and pure rules of the VA's world: no SQL, no terminal.

pub mod client;
pub mod dates;
pub mod identity;
pub mod money;
pub mod red_flag;
pub mod review;
pub mod rules;
pub mod task;
pub mod text;

pub use client::{Channel, ChannelKind, Client, ClientStatus};
pub use red_flag::{Flag, FlagKind, FlagSource, ScoreRules, Verdict};
pub use review::{ReviewItem, ReviewKind};
pub use task::{Attendance, Meeting, MeetingKind, Outcome, Quote, QuoteStatus, Request, RequestKind, Task, TaskStatus};

/// Declares a string-keyed enum: stable keys for the store and JSON, parsing with a clear error.
#[macro_export]
macro_rules! keyed_enum {
    ($(#[$m:meta])* $name:ident, $err:expr, { $($variant:ident => $key:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }
            pub fn from_key(s: &str) -> Option<Self> {
                let s = s.trim().to_lowercase();
                match s.as_str() { $($key => Some($name::$variant),)+ _ => None }
            }
            /// Parses a key typed by a person; the error lists what is accepted.
            pub fn parse(s: &str) -> $crate::error::Result<Self> {
                Self::from_key(s).ok_or_else(|| {
                    let all: Vec<&str> = Self::ALL.iter().map(|v| v.key()).collect();
                    $crate::error::Error::invalid($err, &[&s, &all.join(", ")])
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.key())
            }
        }
    };
}

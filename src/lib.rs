//! vadesk: a keyboard-driven terminal desk for freelance virtual assistants.
//!
//! The library holds everything the binary, the tests and the benchmark share: the domain
//! rules, the SQLite store, the command line and the terminal UI.

pub mod cli;
pub mod config;
pub mod describe;
pub mod domain;
pub mod error;
pub mod files;
pub mod i18n;
pub mod notify;
pub mod store;
pub mod sync;
pub mod tui;

pub use error::{Error, Result};
pub use store::Store;

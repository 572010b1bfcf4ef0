//! The terminal desk.

use crate::cli::Context;
use crate::error::Result;

pub fn run(_ctx: &Context) -> Result<()> {
    Ok(())
}

use crate::cli::BreakingArgs;
use crate::commands::Outcome;
use crate::{Error, Result};

pub fn run(_args: BreakingArgs) -> Result<Outcome> {
    Err(Error::new(
        "`protoforge breaking` is not available in this build yet",
    ))
}

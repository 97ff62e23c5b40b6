use crate::cli::ExplainArgs;
use crate::commands::Outcome;
use crate::{Error, Result};

pub fn run(_args: ExplainArgs) -> Result<Outcome> {
    Err(Error::new(
        "`protoforge explain` is not available in this build yet",
    ))
}

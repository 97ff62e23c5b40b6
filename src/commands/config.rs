use crate::cli::ConfigCommand;
use crate::commands::Outcome;
use crate::{Error, Result};

pub fn run(_cmd: ConfigCommand) -> Result<Outcome> {
    Err(Error::new(
        "`protoforge config` is not available in this build yet",
    ))
}

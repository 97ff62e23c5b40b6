use crate::cli::FormatArgs;
use crate::commands::Outcome;
use crate::{Error, Result};

pub fn run(_args: FormatArgs) -> Result<Outcome> {
    Err(Error::new(
        "`protoforge format` is not available in this build yet",
    ))
}

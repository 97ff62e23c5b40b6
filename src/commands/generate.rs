use crate::cli::GenerateArgs;
use crate::commands::Outcome;
use crate::{Error, Result};

pub fn run(_args: GenerateArgs) -> Result<Outcome> {
    Err(Error::new(
        "`protoforge generate` is not available in this build yet",
    ))
}

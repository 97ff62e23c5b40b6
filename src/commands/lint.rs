use crate::cli::LintArgs;
use crate::commands::Outcome;
use crate::{Error, Result};

pub fn run(_args: LintArgs) -> Result<Outcome> {
    Err(Error::new(
        "`protoforge lint` is not available in this build yet",
    ))
}

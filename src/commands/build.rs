use crate::cli::BuildArgs;
use crate::commands::Outcome;
use crate::{Error, Result};

pub fn run(_args: BuildArgs) -> Result<Outcome> {
    Err(Error::new("build: in progress"))
}

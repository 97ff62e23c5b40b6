use crate::cli::LsFilesArgs;
use crate::commands::Outcome;
use crate::{Error, Result};

pub fn run(_args: LsFilesArgs) -> Result<Outcome> {
    Err(Error::new("ls-files: in progress"))
}

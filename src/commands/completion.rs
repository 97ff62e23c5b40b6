use clap::CommandFactory;

use crate::cli::{Cli, CompletionArgs};
use crate::commands::Outcome;
use crate::Result;

/// `protoforge completion SHELL`: prints the completion script for bash, zsh, fish, elvish or powershell.
pub fn run(args: CompletionArgs) -> Result<Outcome> {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "protoforge", &mut script);
    crate::limits::stdout_write(&script);
    Ok(Outcome::Clean)
}

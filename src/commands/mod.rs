//! One module per command. Each only wires the pipeline steps together and picks the output.

mod breaking;
mod build;
mod cache;
mod completion;
mod config;
mod explain;
mod format;
mod generate;
mod lint;
mod ls_files;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

use crate::check::Finding;
use crate::cli::{Cli, Command, ErrorFormat};
use crate::{Error, Result};

/// How a command that ran to completion ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Clean,
    /// Exit 100: findings (lint, breaking, compile errors), or stale output in check modes.
    Findings,
}

/// Parses arguments, runs the command, prints any error, and returns buf's exit code:
/// 0 success, 100 findings, 1 any other failure (bad flag included).
pub fn main(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { 1 } else { 0 };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(100),
        Err(err) => {
            crate::report::print_error(&err);
            ExitCode::from(1)
        }
    }
}

pub fn run(cli: Cli) -> Result<Outcome> {
    crate::engine::set_cache_enabled(!cli.no_cache);
    match cli.command {
        Command::Build(args) => build::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Breaking(args) => breaking::run(args),
        Command::Generate(args) => generate::run(args),
        Command::Format(args) => format::run(args),
        Command::LsFiles(args) => ls_files::run(args),
        Command::Config(cmd) => config::run(cmd),
        Command::Explain(args) => explain::run(args),
        Command::Completion(args) => completion::run(args),
        Command::Cache(cmd) => cache::run(cmd),
    }
}

/// Leaves a large value (an image, a snapshot: millions of allocations) to the OS at exit instead
/// of freeing it one allocation at a time: a command ends the process right after.
pub(crate) fn keep_until_exit<T>(value: T) {
    std::mem::forget(value);
}

pub(crate) fn current_dir() -> Result<std::path::PathBuf> {
    std::env::current_dir().map_err(|e| Error::io("current directory", e))
}

/// Prints findings in the chosen format (stdout, or stderr for build errors as buf does).
pub(crate) fn emit_findings(
    findings: &[Finding],
    format: Option<ErrorFormat>,
    to_stderr: bool,
    command: &str,
    snapshot: Option<&crate::input::Snapshot>,
) {
    use std::io::IsTerminal;
    let color = if to_stderr {
        crate::report::use_color(std::io::stderr().is_terminal())
    } else {
        crate::report::use_color(std::io::stdout().is_terminal())
    };
    let no_sources = |_: &str| None;
    let sources = snapshot.map(crate::report::snapshot_sources);
    let ctx = crate::report::ReportContext::new(command).with_color(color);
    let ctx = match &sources {
        Some(f) => ctx.with_sources(f),
        None => ctx.with_sources(&no_sources),
    };
    let format = format.unwrap_or_else(crate::report::default_format);
    let out = crate::report::render(findings, format, &ctx);
    if to_stderr {
        eprint!("{out}");
    } else {
        print!("{out}");
    }
}

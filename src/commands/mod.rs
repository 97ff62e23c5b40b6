//! One module per command. Each only wires the pipeline steps together and picks the output.

mod breaking;
mod build;
mod cache;
mod completion;
mod config;
mod dep;
mod explain;
mod format;
mod generate;
mod lint;
mod ls_files;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

pub use lint::lint_image;

use crate::check::Finding;
use crate::cli::{Cli, Command, ErrorFormat};
use crate::{Error, Result};

/// `protoforge --version`: the buf release protoforge is a drop-in for, as a semver pre-release
/// of it (what editor extensions parse), then protoforge's own version.
pub const VERSION: &str = concat!(
    "1.75.0-protoforge.",
    env!("CARGO_PKG_VERSION"),
    " (protoforge ",
    env!("CARGO_PKG_VERSION"),
    ", compatible with buf 1.75.0)"
);

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
    crate::trace::start();
    let args: Vec<OsString> = args.into_iter().collect();
    if args.len() == 2 && (args[1] == "--version" || args[1] == "-V") {
        // Editor extensions (vscode-buf) read the first word as buf's semver version to pick the
        // language server's command line: say which buf release this one is compatible with.
        println!("{VERSION}");
        return ExitCode::SUCCESS;
    }
    let _ = ARGV.set(args.iter().skip(1).cloned().collect());
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { 1 } else { 0 };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    let outcome = run(cli);
    // The summary index may still be being written (see engine::index).
    {
        let _timing = crate::trace::phase("waiting for cache writes");
        crate::engine::finish_writes();
    }
    match outcome {
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
        Command::Lint(args) => {
            let inputs = [args.input.input.clone()];
            let configs = [args.input.config.clone()];
            let plain = args.input.includes.is_empty();
            // A `--path` run reads what its answer's fingerprint needs (see `memoized`).
            let limited = !args.input.paths.is_empty() || !args.input.exclude_paths.is_empty();
            let memo = Memo {
                command: "lint",
                plain,
                run_first: limited,
            };
            memoized(memo, &inputs, &configs, || lint::run(args))
        }
        Command::Breaking(args) => {
            let inputs = [args.input.input.clone(), args.against.clone()];
            let configs = [args.input.config.clone(), args.against_config.clone()];
            let plain = args.input.includes.is_empty() && !args.fix;
            let memo = Memo {
                command: "breaking",
                plain,
                run_first: false,
            };
            memoized(memo, &inputs, &configs, || breaking::run(args))
        }
        Command::Generate(args) => generate::run(args),
        Command::Format(args) => format::run(args),
        Command::LsFiles(args) => ls_files::run(args),
        Command::Dep(cmd) => dep::run(cmd),
        Command::Config(cmd) => config::run(cmd),
        Command::Explain(args) => explain::run(args),
        Command::Completion(args) => completion::run(args),
        Command::Cache(cmd) => cache::run(cmd),
        Command::Lsp(crate::cli::LspCommand::Serve(args))
        | Command::Beta(crate::cli::BetaCommand::Lsp(args)) => {
            let log = crate::lsp::LogOptions {
                format: cli.log_format,
                debug: cli.debug,
            };
            crate::lsp::serve(args, log).map(|()| Outcome::Clean)
        }
    }
}

/// The command line (without the program name) as [`main`] got it, for memoized answers.
static ARGV: std::sync::OnceLock<Vec<OsString>> = std::sync::OnceLock::new();

/// The command line (without the program name), when run through [`main`].
pub(crate) fn argv() -> Option<&'static [OsString]> {
    ARGV.get().map(Vec::as_slice)
}

/// Set by a run whose answer is already stored in another form (the incremental lint's state):
/// [`memoized`] does not store it again.
static KEPT_ELSEWHERE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub(crate) fn answer_kept_elsewhere() {
    KEPT_ELSEWHERE.store(true, std::sync::atomic::Ordering::Relaxed);
    // Nothing recorded from here on would be stored.
    if let Ok(mut c) = CAPTURE.lock() {
        *c = None;
    }
}

/// What a memoized run printed so far (stdout, stderr), while it runs.
static CAPTURE: std::sync::Mutex<Option<(Vec<u8>, Vec<u8>)>> = std::sync::Mutex::new(None);

/// Prints to stdout (and into the memoized answer, if one is being recorded).
pub(crate) fn out(text: &str) {
    if let Ok(mut c) = CAPTURE.lock() {
        if let Some((o, _)) = c.as_mut() {
            o.extend_from_slice(text.as_bytes());
        }
    }
    crate::limits::stdout_write(text.as_bytes());
}

/// [`out`] of the concatenation of `pieces`, bytes the caller knows to be text it printed
/// before (a stored report).
pub(crate) fn out_pieces(pieces: &[bytes::Bytes]) {
    if let Ok(mut c) = CAPTURE.lock() {
        if let Some((o, _)) = c.as_mut() {
            pieces.iter().for_each(|p| o.extend_from_slice(p));
        }
    }
    crate::limits::stdout_write_parts(pieces.iter().map(|p| &p[..]));
}

/// Prints to stderr (and into the memoized answer, if one is being recorded).
pub(crate) fn err(text: &str) {
    if let Ok(mut c) = CAPTURE.lock() {
        if let Some((_, e)) = c.as_mut() {
            e.extend_from_slice(text.as_bytes());
        }
    }
    crate::limits::stderr_write(text.as_bytes());
}

/// How a command is memoized.
struct Memo {
    command: &'static str,
    /// Whether its answer depends only on its command line, environment and inputs.
    plain: bool,
    /// Whether, for a command line never answered before, the run may go first and its answer's
    /// fingerprint be made from what it read ([`crate::engine::answer::record`]): the run then
    /// reads every file the fingerprint needs.
    run_first: bool,
}

/// Runs a command whose whole answer depends only on its command line, environment and inputs
/// (see [`crate::engine::answer`]): a stored answer is replayed; otherwise the run's output is
/// recorded. Runs that end in an error (exit 1) are never stored.
fn memoized(
    memo: Memo,
    inputs: &[String],
    configs: &[Option<String>],
    run: impl FnOnce() -> Result<Outcome>,
) -> Result<Outcome> {
    use crate::engine::answer;
    let Some(argv) = ARGV.get().filter(|_| memo.plain) else {
        return run();
    };
    let cwd = current_dir()?;
    let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let configs: Vec<Option<&str>> = configs.iter().map(Option::as_deref).collect();
    if memo.run_first {
        if let Some(recording) = answer::record(memo.command, argv, &cwd, &inputs, &configs) {
            let outcome = recorded(run);
            let question = {
                let _timing = crate::trace::phase("fingerprint");
                recording.finish()
            };
            return store(question, outcome);
        }
    }
    let question = {
        let _timing = crate::trace::phase("fingerprint");
        // An input that cannot be read is reported by the run itself.
        answer::question(memo.command, argv, &cwd, &inputs, &configs).unwrap_or(None)
    };
    let Some(question) = question else {
        return run();
    };
    if let Some(a) = answer::recall(question) {
        crate::limits::stdout_write(&a.stdout);
        crate::limits::stderr_write(&a.stderr);
        return Ok(if a.exit == 0 {
            Outcome::Clean
        } else {
            Outcome::Findings
        });
    }
    let outcome = recorded(run);
    store(Some(question), outcome)
}

/// A run's outcome and what it printed (stdout, stderr), if recorded.
type Recorded = (Result<Outcome>, Option<(Vec<u8>, Vec<u8>)>);

/// Runs `run` with what it prints recorded (for [`store`]).
fn recorded(run: impl FnOnce() -> Result<Outcome>) -> Recorded {
    if let Ok(mut c) = CAPTURE.lock() {
        *c = Some((Vec::new(), Vec::new()));
    }
    let outcome = run();
    let captured = CAPTURE.lock().ok().and_then(|mut c| c.take());
    (outcome, captured)
}

/// Stores what a [`recorded`] run printed as the answer to `question` (unless the run failed or
/// its answer is kept elsewhere); gives the run's outcome.
fn store(question: Option<crate::cache::Key>, (outcome, captured): Recorded) -> Result<Outcome> {
    let kept_elsewhere = KEPT_ELSEWHERE.load(std::sync::atomic::Ordering::Relaxed);
    if let (Some(question), Ok(o), Some((stdout, stderr)), false) =
        (question, &outcome, captured, kept_elsewhere)
    {
        let exit = match o {
            Outcome::Clean => 0,
            Outcome::Findings => 100,
        };
        crate::engine::answer::remember(
            question,
            &crate::engine::answer::Answer {
                stdout,
                stderr,
                exit,
            },
        );
    }
    outcome
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
        err(&out);
    } else {
        self::out(&out);
    }
}

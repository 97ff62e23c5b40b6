//! Command-line interface (clap derive). Flags follow buf's names so existing scripts keep working.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "protoforge",
    version,
    about = "A Protocol Buffers toolchain: build, lint, breaking, generate, format. buf-compatible, pure Rust, offline.",
    after_help = "Exit codes: 0 success, 100 findings (lint, breaking, compile errors, stale output), 1 any other error.\n\
                  Docs: protoforge explain RULE_ID, protoforge config ls-lint-rules"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Do not read or write the persistent cache (same answers, computed from scratch).
    #[arg(long, global = true)]
    pub no_cache: bool,
    /// Log format of `lsp serve` (buf's flag, as editors pass it): text, color or json. Logs go to
    /// stderr.
    #[arg(long, global = true, value_name = "FORMAT", hide = true)]
    pub log_format: Option<String>,
    /// Log more (buf's flag, as editors pass it).
    #[arg(long, global = true, hide = true)]
    pub debug: bool,
    /// Accepted for buf compatibility (`--timeout=0`, as older editor setups pass it); ignored.
    #[arg(long, global = true, value_name = "DURATION", hide = true)]
    pub timeout: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compile .proto files (proto2, proto3) and optionally write an image.
    #[command(
        after_help = "Examples:\n  protoforge build\n  protoforge build proto -o image.binpb\n  \
        protoforge build '.git#branch=main,subdir=proto' -o -\n  protoforge build --path foo/v1 --exclude-imports -o image.json"
    )]
    Build(BuildArgs),
    /// Check .proto files against buf's lint rules, configured by buf.yaml.
    #[command(
        after_help = "Examples:\n  protoforge lint\n  protoforge lint --path proto/foo/v1/foo.proto\n  \
        protoforge lint --error-format json"
    )]
    Lint(LintArgs),
    /// Check for breaking changes against a git ref, a directory or an image.
    #[command(
        after_help = "Examples:\n  protoforge breaking --against '.git#ref=HEAD'\n  \
        protoforge breaking proto --against '.git#branch=main,subdir=proto'\n  protoforge breaking --against old.binpb"
    )]
    Breaking(BreakingArgs),
    /// Generate a Rust crate with prost messages and tonic clients/servers.
    #[command(
        after_help = "Examples:\n  protoforge generate -o gen\n  protoforge generate --check\n  \
        protoforge generate proto --crate-name orders-api --skeleton"
    )]
    Generate(GenerateArgs),
    /// Format .proto files in buf's canonical style.
    #[command(
        after_help = "Examples:\n  protoforge format -d --exit-code\n  protoforge format -w\n  \
        protoforge format --stdin-filepath foo.proto < foo.proto"
    )]
    Format(FormatArgs),
    /// List the files of an input.
    #[command(name = "ls-files")]
    LsFiles(LsFilesArgs),
    /// Inspect the registry dependencies pinned in buf.lock (read from buf's module cache).
    #[command(subcommand)]
    Dep(DepCommand),
    /// Inspect rule sets.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print the documentation of a lint or breaking rule.
    Explain(ExplainArgs),
    /// Print a shell completion script.
    Completion(CompletionArgs),
    /// Inspect or empty the persistent cache ($PROTOFORGE_CACHE_DIR, else ~/.cache/protoforge).
    #[command(subcommand)]
    Cache(CacheCommand),
    /// The language server (LSP) for editors: `protoforge lsp serve`.
    #[command(subcommand)]
    Lsp(LspCommand),
    /// buf's older spelling of the language server: `beta lsp` (as older editor extensions run it).
    #[command(subcommand, hide = true)]
    Beta(BetaCommand),
}

#[derive(Debug, Subcommand)]
pub enum LspCommand {
    /// Serve the Language Server Protocol on standard input/output (or a UNIX socket with --pipe).
    #[command(
        after_help = "Examples:\n  protoforge lsp serve\n  protoforge --log-format text lsp serve\n  \
        protoforge lsp serve --pipe /tmp/protoforge.sock\n\nSetup for VS Code, Neovim, Zed, Helix: docs/lsp.md"
    )]
    Serve(LspServeArgs),
}

#[derive(Debug, Subcommand)]
pub enum BetaCommand {
    /// Same as `protoforge lsp serve`.
    Lsp(LspServeArgs),
}

#[derive(Debug, Args, Clone, Default)]
pub struct LspServeArgs {
    /// A buf.yaml file, or its contents inline as YAML/JSON, used for every workspace instead of
    /// the one found for each file.
    #[arg(long, value_name = "FILE_OR_YAML")]
    pub config: Option<String>,
    /// Listen on this UNIX socket path instead of standard input/output (one client).
    #[arg(long, value_name = "PATH")]
    pub pipe: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum CacheCommand {
    /// Print the cache's location, size and limit.
    Info,
    /// Delete every cache entry.
    Clean,
}

/// Flags every command that reads an input shares.
#[derive(Debug, Args, Clone, Default)]
pub struct InputArgs {
    /// The input: a directory, a .proto file, a git repository (`.git#branch=main,subdir=proto`),
    /// an archive (`x.tar.gz#strip_components=1`) or an image (`x.binpb`, `x.json`, `-` for stdin).
    #[arg(default_value = ".", allow_hyphen_values = true)]
    pub input: String,
    /// Limit to these files or directories (relative to the input; repeatable).
    #[arg(long = "path", value_name = "PATH")]
    pub paths: Vec<String>,
    /// Leave out these files or directories (repeatable).
    #[arg(long = "exclude-path", value_name = "PATH")]
    pub exclude_paths: Vec<String>,
    /// A buf.yaml file, or its contents inline as YAML/JSON, instead of the one found in the input.
    #[arg(long, value_name = "FILE_OR_YAML")]
    pub config: Option<String>,
    /// Extra import roots for imports not found in the input (also PROTOFORGE_INCLUDE, `:`-separated).
    #[arg(short = 'I', long = "include", value_name = "DIR")]
    pub includes: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ErrorFormat {
    // buf's `path:line:col:message`, the protoc plugins' default.
    #[default]
    Text,
    Json,
    Msvs,
    Junit,
    GithubActions,
    GitlabCodeQuality,
    Sarif,
    Pretty,
    ConfigIgnoreYaml,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Write the image here: `.binpb`/`.bin` (binary), `.json`, or `-` (binary on stdout).
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<String>,
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub error_format: Option<ErrorFormat>,
    /// Leave imported files (not targets) out of the image.
    #[arg(long)]
    pub exclude_imports: bool,
    /// Leave SourceCodeInfo out of the image.
    #[arg(long)]
    pub exclude_source_info: bool,
    /// Write a plain FileDescriptorSet (buf's images are compatible; this drops buf-specific extras).
    #[arg(long)]
    pub as_file_descriptor_set: bool,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub error_format: Option<ErrorFormat>,
}

#[derive(Debug, Args)]
pub struct BreakingArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The previous version to compare with (same syntax as INPUT).
    #[arg(long, value_name = "AGAINST")]
    pub against: String,
    /// Config for the against side (file or inline YAML); by default the one found there.
    #[arg(long, value_name = "FILE_OR_YAML")]
    pub against_config: Option<String>,
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub error_format: Option<ErrorFormat>,
    /// Leave imported files (buf.lock dependencies, -I roots, well-known types) out of the comparison;
    /// by default they are compared too, as buf does.
    #[arg(long)]
    pub exclude_imports: bool,
    /// Only check files of the against side that are also in the input (no FILE_NO_DELETE for others).
    #[arg(long)]
    pub limit_to_input_files: bool,
    /// Write `reserved` statements for deleted fields and enum values into the current sources.
    #[arg(long)]
    pub fix: bool,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output directory of the generated crate.
    #[arg(short = 'o', long = "out", value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Name of the generated crate (default: from the input's packages).
    #[arg(long, value_name = "NAME")]
    pub crate_name: Option<String>,
    /// A directory whose files override the embedded templates of the same name.
    #[arg(long, value_name = "DIR")]
    pub template_dir: Option<PathBuf>,
    /// Also generate code for imported files.
    #[arg(long)]
    pub include_imports: bool,
    /// Write nothing; print a diff and exit 100 when the crate on disk is stale.
    #[arg(long)]
    pub check: bool,
    /// Also write a starter server (examples/server.rs) if none exists.
    #[arg(long)]
    pub skeleton: bool,
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub error_format: Option<ErrorFormat>,
}

#[derive(Debug, Args)]
pub struct FormatArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// More files or directories to format (e.g. the changed files a pre-commit hook passes).
    #[arg(value_name = "MORE")]
    pub more_inputs: Vec<String>,
    /// Rewrite files in place.
    #[arg(short = 'w', long)]
    pub write: bool,
    /// Print a unified diff instead of the formatted files.
    #[arg(short = 'd', long)]
    pub diff: bool,
    /// Exit 100 when any file would change.
    #[arg(long)]
    pub exit_code: bool,
    /// Write the output to this file or directory.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Format standard input, reporting it under this path.
    #[arg(long, value_name = "PATH")]
    pub stdin_filepath: Option<String>,
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub error_format: Option<ErrorFormat>,
}

#[derive(Debug, Args)]
pub struct LsFilesArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// `text` (one path per line) or `json` (one object per line).
    #[arg(long, default_value = "text", value_name = "FORMAT")]
    pub format: String,
    /// Also list imported files.
    #[arg(long)]
    pub include_imports: bool,
}

#[derive(Debug, Subcommand)]
pub enum DepCommand {
    /// List the modules buf.lock pins (name, commit, digest, where they are in buf's cache), or with
    /// --imports every file the input imports and where it came from.
    #[command(
        after_help = "Examples:\n  protoforge dep ls\n  protoforge dep ls --imports\n  protoforge dep ls proto --format json"
    )]
    Ls(DepLsArgs),
}

#[derive(Debug, Args)]
pub struct DepLsArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// `text` (aligned columns) or `json` (one object per line).
    #[arg(long, default_value = "text", value_name = "FORMAT")]
    pub format: String,
    /// List every imported file with the module (or -I root, or well-known types) it came from.
    #[arg(long)]
    pub imports: bool,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// List lint rules.
    #[command(name = "ls-lint-rules")]
    LsLintRules(LsRulesArgs),
    /// List breaking rules.
    #[command(name = "ls-breaking-rules")]
    LsBreakingRules(LsRulesArgs),
}

#[derive(Debug, Args)]
pub struct LsRulesArgs {
    /// Rule set version: v1beta1, v1 or v2 (default: the config's, else v2).
    #[arg(long, value_name = "VERSION")]
    pub version: Option<String>,
    /// `text` or `json`.
    #[arg(long, default_value = "text", value_name = "FORMAT")]
    pub format: String,
    /// Only the rules the config selects.
    #[arg(long)]
    pub configured_only: bool,
    /// A buf.yaml file or inline YAML (for --configured-only).
    #[arg(long, value_name = "FILE_OR_YAML")]
    pub config: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A lint or breaking rule id, e.g. FIELD_LOWER_SNAKE_CASE.
    pub rule: String,
}

#[derive(Debug, Args)]
pub struct CompletionArgs {
    pub shell: clap_complete::Shell,
}

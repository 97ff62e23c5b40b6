//! protoforge's integration tests, as one test binary (`cargo test` builds one executable here, not
//! one per file: thirty binaries that each linked the whole crate took minutes to link and gigabytes
//! of disk). Each module is one area; run one with `cargo test --test suite hostile::`.
//!
//! Tests here share one process: none may change the process environment or current directory;
//! pass settings to the spawned `protoforge` through `Command::env` instead.

mod common;
mod generate_support;

mod breaking;
mod breaking_cli;
mod cache;
mod cli_build;
mod compile_errors;
mod config;
mod config_buf_verdicts;
mod config_cli;
mod conformance;
mod deps;
mod editions;
mod format;
mod format_cli;
mod generate;
mod generate_build;
mod hostile;
mod input_archive_image;
mod input_cli;
mod input_dir;
mod input_gapis;
mod input_git;
mod input_spec;
mod lint_cli;
mod lint_rules;
mod lower_proto;
mod lsp_e2e;
mod plugin;
mod plugin_buf_golden;
mod report;
mod report_buf_golden;
mod report_cli;
mod summary_scan;
mod syntax;

//! protoforge: a Protocol Buffers toolchain (build, lint, breaking, generate, format), buf-compatible,
//! pure Rust, offline.
//!
//! Data flows one way:
//! `input` (dir | git ref | archive | image) + `config` (buf.yaml, buf.work.yaml) + `deps` (buf.lock,
//! buf's module cache) -> `workspace` (modules, files, dependencies) -> `compile` (protox) -> [`image::Image`]
//! -> `lint` / `breaking` / `generate` -> [`check::Finding`]s -> `report` -> exit code.

pub mod allocator;
pub mod breaking;
pub mod cache;
pub mod check;
pub mod cli;
pub mod commands;
pub mod compile;
pub mod config;
pub mod deps;
pub mod engine;
pub mod error;
pub mod format;
pub mod generate;
pub mod image;
pub mod input;
pub mod limits;
pub mod lint;
pub mod lsp;
pub mod pipeline;
pub mod plugin;
pub mod report;
pub mod syntax;
#[cfg(test)]
pub(crate) mod test_support;
pub mod trace;
pub mod workspace;

pub use error::{Error, Result};

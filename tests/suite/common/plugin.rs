//! Running protoc plugins the way Bazel's rules_buf does: `protoc --plugin=protoc-gen-buf-plugin=PATH
//! --buf-plugin_opt=PARAM --buf-plugin_out=DIR [-I ROOT... | --descriptor_set_in=SET] FILES`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The name protoc knows the plugin by (rules_buf's).
pub const NAME: &str = "buf-plugin";

/// Our plugin executables.
pub fn lint_plugin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_protoc-gen-protoforge-lint"))
}

pub fn breaking_plugin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_protoc-gen-protoforge-breaking"))
}

/// Where protoc reads the files from.
pub enum Files<'a> {
    /// `-I` roots, relative to the working directory.
    Include(&'a [String]),
    /// `--descriptor_set_in` of a set protoc writes first from these roots (with source info or not).
    DescriptorSet {
        includes: &'a [String],
        source_info: bool,
        scratch: &'a Path,
    },
}

/// What protoc did.
#[derive(Debug)]
pub struct Answer {
    pub exit: i32,
    /// Everything protoc wrote on stderr (its warnings, the plugin's stderr, the findings).
    pub stderr: String,
    /// What protoc printed after `--buf-plugin_out: ` (the response's error), trailing newline off.
    pub payload: String,
    /// The plugin itself failed (exit code not 0): protoc says so instead of printing findings.
    pub plugin_failed: bool,
}

pub fn run(
    protoc: &Path,
    plugin: &Path,
    cwd: &Path,
    files: Files,
    parameter: &str,
    targets: &[String],
) -> Answer {
    let out = tempfile::tempdir().expect("tempdir");
    let mut cmd = Command::new(protoc);
    cmd.current_dir(cwd)
        .env("NO_COLOR", "1")
        .arg(format!("--plugin=protoc-gen-{NAME}={}", plugin.display()))
        .arg(format!("--{NAME}_opt={parameter}"))
        .arg(format!("--{NAME}_out={}", out.path().display()));
    match files {
        Files::Include(roots) => {
            cmd.args(roots.iter().map(|r| format!("-I{r}")));
        }
        Files::DescriptorSet {
            includes,
            source_info,
            scratch,
        } => {
            let set = scratch.join("set.binpb");
            let mut build = Command::new(protoc);
            build
                .current_dir(cwd)
                .args(includes.iter().map(|r| format!("-I{r}")))
                .arg("--include_imports")
                .arg(format!("--descriptor_set_out={}", set.display()));
            if source_info {
                build.arg("--include_source_info");
            }
            let built = build.args(targets).output().expect("run protoc");
            assert!(
                built.status.success(),
                "protoc could not write the descriptor set in {}: {}",
                cwd.display(),
                String::from_utf8_lossy(&built.stderr)
            );
            cmd.arg(format!("--descriptor_set_in={}", set.display()));
        }
    }
    let output = cmd.args(targets).output().expect("run protoc");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let marker = format!("--{NAME}_out: ");
    let payload = stderr
        .split_once(&marker)
        .map(|(_, rest)| rest.trim_end_matches('\n').to_string())
        .unwrap_or_default();
    let plugin_failed = payload.starts_with(&format!("protoc-gen-{NAME}: Plugin failed"));
    Answer {
        exit: output.status.code().unwrap_or(-1),
        stderr,
        payload,
        plugin_failed,
    }
}

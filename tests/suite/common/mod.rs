//! Helpers for CLI tests: run the built binary in a directory, capture exit code and output.
#![allow(dead_code)]

pub mod plugin;

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `protoforge ARGS` in `dir` with colours off.
pub fn protoforge(dir: &Path, args: &[&str]) -> Run {
    protoforge_env(dir, args, &[])
}

/// [`protoforge`] with environment variables set (`Some`) or removed (`None`).
pub fn protoforge_env(dir: &Path, args: &[&str], env: &[(&str, Option<&str>)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_protoforge"));
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("PROTOFORGE_INCLUDE");
    for (name, value) in env {
        match value {
            Some(v) => command.env(name, v),
            None => command.env_remove(name),
        };
    }
    let out = command.output().expect("run protoforge");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A temp dir holding the given files (`(path, contents)`).
pub fn workspace(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, contents) in files {
        write(dir.path(), path, contents.as_bytes());
    }
    dir
}

pub fn write(root: &Path, path: &str, contents: &[u8]) {
    let p = root.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, contents).unwrap();
}

/// The repository root (for testdata/).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The googleapis checkout: `PROTOFORGE_GOOGLEAPIS`, else a clone of `../shared/corpus/googleapis.bundle`
/// made once under the target dir.
pub fn googleapis() -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("PROTOFORGE_GOOGLEAPIS") {
        return Some(PathBuf::from(dir));
    }
    // `../shared` beside the checkout (CI), or two levels up (a worktree under `wt/`).
    let bundle = [
        "../shared/corpus/googleapis.bundle",
        "../../shared/corpus/googleapis.bundle",
    ]
    .iter()
    .map(|p| repo_root().join(p))
    .find(|p| p.is_file())?;
    let clone = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("googleapis-clone");
    if !clone.join("google/pubsub/v1").is_dir() {
        let _ = std::fs::remove_dir_all(&clone);
        let status = Command::new("git")
            .args(["-c", "init.defaultBranch=main", "clone", "--quiet"])
            .arg(&bundle)
            .arg(&clone)
            .status();
        match status {
            Ok(s) if s.success() => {}
            Ok(s) => panic!("git clone of {} failed: {s}", bundle.display()),
            Err(e) => {
                eprintln!("cannot run git to clone {}: {e}", bundle.display());
                return None;
            }
        }
    }
    Some(clone)
}

/// The environment variable `.ci/run` sets: there, a test that needs `protoc` fails when it is
/// missing instead of skipping.
pub const REQUIRE_PROTOC: &str = "PROTOFORGE_REQUIRE_PROTOC";

/// `protoc` (from `PROTOC`, else `PATH`). Missing: `None` after a SKIPPED line, or a panic when
/// [`REQUIRE_PROTOC`] is set (CI installs it, so a missing protoc there is a failure).
pub fn protoc(test: &str) -> Option<PathBuf> {
    let candidate = std::env::var_os("PROTOC")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("protoc"));
    let found = Command::new(&candidate)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Some(candidate);
    }
    assert!(
        std::env::var_os(REQUIRE_PROTOC).is_none(),
        "{test}: protoc is required ({REQUIRE_PROTOC} is set) but `{}` does not run; \
         install it: apt-get install -y protobuf-compiler",
        candidate.display()
    );
    eprintln!(
        "SKIPPED {test}: protoc not found (install protobuf-compiler, or set PROTOC); \
         set {REQUIRE_PROTOC}=1 to make this a failure"
    );
    None
}

/// buf's conformance cases in `../shared/conformance/buf`, when they are beside the checkout.
pub fn shared_conformance() -> Option<PathBuf> {
    ["../shared/conformance/buf", "../../shared/conformance/buf"]
        .iter()
        .map(|p| repo_root().join(p))
        .find(|p| p.join("lint").is_dir())
}

/// Copies a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

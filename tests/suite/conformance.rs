//! Fidelity against buf 1.75: runs `../shared/conformance/run` (buf's own lint and breaking test cases
//! with buf's recorded findings) and, when the googleapis bundle is there, `googleapis/run` (79,091
//! lint findings and two breaking comparisons on real history) on the built binary.
//!
//! Every case must pass except the ones listed in [`KNOWN_FAILURES`], each with the reason. A known
//! failure is not counted as passing: the runner's own `N passed, M failed` line is printed as is.

use crate::common;

use std::path::PathBuf;
use std::process::Command;

/// Cases that fail today, and why. Remove an entry when its case passes.
const KNOWN_FAILURES: &[(&str, &str)] = &[];

fn shared() -> Option<PathBuf> {
    let dir = common::repo_root().join("../shared/conformance");
    dir.join("run").is_file().then_some(dir)
}

/// Runs a runner script; returns (stdout, the FAIL case names).
fn run_script(script: &std::path::Path, args: &[&std::ffi::OsStr]) -> (String, Vec<String>) {
    let out = Command::new("python3")
        .arg(script)
        .args(args)
        .output()
        .expect("run python3");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let fails = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("FAIL "))
        .map(|l| l.split(':').next().unwrap_or(l).to_string())
        .collect();
    (stdout, fails)
}

#[test]
fn buf_conformance_cases() {
    let Some(dir) = shared() else {
        eprintln!(
            "SKIPPED: ../shared/conformance is not beside this checkout; buf conformance not run"
        );
        return;
    };
    let bin = env!("CARGO_BIN_EXE_protoforge");
    let (stdout, fails) = run_script(&dir.join("run"), &[bin.as_ref()]);
    println!("{stdout}");
    let unexpected: Vec<&String> = fails
        .iter()
        .filter(|f| !KNOWN_FAILURES.iter().any(|(k, _)| k == f))
        .collect();
    assert!(
        unexpected.is_empty(),
        "cases that regressed against buf: {unexpected:?}\n{stdout}"
    );
    for (case, why) in KNOWN_FAILURES {
        if !fails.iter().any(|f| f == case) {
            println!(
                "NOTE: known failure {case} ({why}) now passes: remove it from KNOWN_FAILURES"
            );
        }
    }
    assert!(
        stdout
            .lines()
            .last()
            .is_some_and(|l| l.starts_with("conformance: ")),
        "{stdout}"
    );
}

#[test]
fn googleapis_lint_and_breaking_match_buf() {
    let Some(dir) = shared() else {
        eprintln!("SKIPPED: ../shared/conformance is not beside this checkout");
        return;
    };
    let Some(clone) = common::googleapis() else {
        eprintln!("SKIPPED: no googleapis bundle or clone; googleapis comparison not run");
        return;
    };
    let bin = env!("CARGO_BIN_EXE_protoforge");
    let (stdout, fails) = run_script(
        &dir.join("googleapis/run"),
        &[bin.as_ref(), clone.as_os_str()],
    );
    println!("{stdout}");
    assert!(fails.is_empty(), "googleapis comparisons failed:\n{stdout}");
    assert!(
        stdout.contains("googleapis: 3 passed, 0 failed"),
        "{stdout}"
    );
}

//! Reading googleapis (a large real repository) through every source kind. Ignored by default: it
//! needs the clone at `/work/gapis` (or `PROTOFORGE_GAPIS`). Run with
//! `cargo test --test suite input_gapis:: -- --ignored --nocapture` to see the timings.

use std::path::PathBuf;
use std::time::Instant;

use protoforge::input::{load, Loaded};

fn gapis() -> PathBuf {
    PathBuf::from(std::env::var("PROTOFORGE_GAPIS").unwrap_or_else(|_| "/work/gapis".to_string()))
}

fn measure(input: &str) -> usize {
    let start = Instant::now();
    let loaded = load(input, &gapis()).unwrap_or_else(|e| panic!("{input}: {e}"));
    let Loaded::Sources(snapshot) = loaded else {
        panic!("{input}: expected sources")
    };
    let bytes: usize = snapshot.files.values().map(|b| b.len()).sum();
    eprintln!(
        "{input}: {} files, {} bytes, {:?} ({})",
        snapshot.files.len(),
        bytes,
        start.elapsed(),
        snapshot.origin
    );
    snapshot.files.len()
}

#[test]
#[ignore]
fn googleapis_git_tag_and_directory() {
    let at_tag = measure(".git#tag=upstream-2025-02-11");
    assert!(at_tag > 4000, "{at_tag}");
    let head = measure(".git");
    assert!(head > 5000, "{head}");
    let dir = measure(".");
    assert!(dir > 5000, "{dir}");
    // The committed buf.yaml is v2 with a module at `.`: a subdirectory is inside it (buf's error).
    let err = load(".git#tag=upstream-2025-02-11,subdir=google/api", &gapis())
        .unwrap_err()
        .to_string();
    assert!(err.contains("contained by module at path \".\""), "{err}");
}

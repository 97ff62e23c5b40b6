//! The slow generate tests: generated crates built with cargo (crates.io needed on the first run;
//! later runs reuse `target/tmp/generate-it-target`).
//! - orders: a loopback gRPC round trip over 127.0.0.1 for all four RPC kinds and an error status;
//! - a googleapis subset (google/api, google/rpc, google/longrunning, google/pubsub/v1) builds
//!   without warnings;
//! - editions files: field types and wire encoding follow the resolved features.

use crate::common;
use crate::generate_support;

use std::process::Command;
use std::time::Instant;

use generate_support::*;
use protoforge::generate::{generate, writer, GenerateOptions};

#[test]
fn orders_crate_round_trips_over_loopback() {
    let opts = GenerateOptions {
        skeleton: true,
        ..GenerateOptions::default()
    };
    let krate = generate_orders(&opts);

    let root = scratch("generate-roundtrip");
    let gen = root.join("gen");
    let _ = std::fs::remove_dir_all(&gen);
    writer::write(&krate, &gen).unwrap();
    assert!(
        gen.join("examples/server.rs").is_file(),
        "--skeleton writes the starter server"
    );

    let harness = root.join("harness");
    std::fs::create_dir_all(&harness).unwrap();
    let src = repo_root().join("testdata/generate/roundtrip");
    std::fs::copy(src.join("Cargo.toml"), harness.join("Cargo.toml")).unwrap();
    std::fs::copy(src.join("main.rs"), harness.join("main.rs")).unwrap();
    std::fs::write(
        root.join("Cargo.toml"),
        "[workspace]\nmembers = [\"gen\", \"harness\"]\nresolver = \"2\"\n",
    )
    .unwrap();

    // One build: the generated library (no warnings), its starter server example, the harness.
    let started = Instant::now();
    cargo(&root, &["build", "--workspace", "--all-targets"]);
    eprintln!("orders: cargo build took {:.1?}", started.elapsed());

    let exe = shared_target_dir()
        .join("debug")
        .join(format!("roundtrip{}", std::env::consts::EXE_SUFFIX));
    let out = Command::new(&exe)
        .output()
        .expect("the round trip binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "round trip failed:\n{stdout}\n{stderr}"
    );
    for line in [
        "unary: ok",
        "error status: ok (NotFound: order nope not found)",
        "server streaming: ok (3 messages)",
        "client streaming: ok (5 stored)",
        "bidi streaming: ok (2 events)",
        "empty: ok",
        "round trip ok",
    ] {
        assert!(stdout.contains(line), "missing `{line}` in:\n{stdout}");
    }
}

#[test]
fn googleapis_pubsub_subset_builds_without_warnings() {
    let Some(gapis) = common::googleapis() else {
        eprintln!(
            "SKIPPED googleapis_pubsub_subset_builds_without_warnings: no googleapis \
             (set PROTOFORGE_GOOGLEAPIS or provide ../shared/corpus/googleapis.bundle)"
        );
        return;
    };
    // google/api top level (the google.api package; its service* subdirectories are separate
    // APIs), google/rpc, google/longrunning, google/pubsub/v1.
    let mut files = proto_files(&gapis, &["google/api"], false);
    files.extend(proto_files(
        &gapis,
        &["google/rpc", "google/longrunning", "google/pubsub/v1"],
        true,
    ));
    files.sort();

    let started = Instant::now();
    let fds = compile(&gapis, &files);
    let compiled = started.elapsed();
    let krate = generate(
        &fds,
        &files,
        &GenerateOptions {
            crate_name: Some("googleapis-pubsub".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let generated = started.elapsed();
    eprintln!(
        "googleapis subset: {} files, compile {compiled:.1?}, compile+generate {generated:.1?}",
        files.len()
    );

    let root = scratch("generate-googleapis");
    let gen = root.join("gen");
    let _ = std::fs::remove_dir_all(&gen);
    writer::write(&krate, &gen).unwrap();
    let lib = std::fs::read_to_string(gen.join("src/lib.rs")).unwrap();
    for module in [
        "pub mod pubsub",
        "pub mod longrunning",
        "pub mod rpc",
        "pub mod api",
    ] {
        assert!(lib.contains(module), "lib.rs lacks `{module}`:\n{lib}");
    }
    std::fs::write(
        root.join("Cargo.toml"),
        "[workspace]\nmembers = [\"gen\"]\nresolver = \"2\"\n",
    )
    .unwrap();
    let started = Instant::now();
    cargo(&root, &["build", "--workspace"]);
    eprintln!(
        "googleapis subset: cargo build took {:.1?}",
        started.elapsed()
    );
}

/// The crate generated from editions files (features at every level) builds without warnings,
/// has the field types the features imply and writes the wire format they imply (packed or
/// expanded, groups for DELIMITED, zero values by presence): testdata/generate/editions_check.
#[test]
fn editions_crate_encodes_as_its_features_say() {
    let krate = generate_editions();
    let root = scratch("generate-editions");
    let gen = root.join("gen");
    let _ = std::fs::remove_dir_all(&gen);
    writer::write(&krate, &gen).unwrap();
    let harness = root.join("harness");
    std::fs::create_dir_all(&harness).unwrap();
    let src = repo_root().join("testdata/generate/editions_check");
    std::fs::copy(src.join("Cargo.toml"), harness.join("Cargo.toml")).unwrap();
    std::fs::copy(src.join("main.rs"), harness.join("main.rs")).unwrap();
    std::fs::write(
        root.join("Cargo.toml"),
        "[workspace]\nmembers = [\"gen\", \"harness\"]\nresolver = \"2\"\n",
    )
    .unwrap();
    let started = Instant::now();
    cargo(&root, &["build", "--workspace"]);
    eprintln!("editions: cargo build took {:.1?}", started.elapsed());
    let exe = shared_target_dir()
        .join("debug")
        .join(format!("editions-check{}", std::env::consts::EXE_SUFFIX));
    let out = Command::new(&exe).output().expect("the check binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "editions checks failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("editions wire: ok"), "{stdout}");
}

//! Our protoc plugins against buf's, under the same protoc: every run recorded in
//! `testdata/plugin/buf_golden.json` (by `testdata/plugin/regen.py` with buf 1.75's
//! `protoc-gen-buf-lint` / `protoc-gen-buf-breaking` and Debian's protoc 3.21) is replayed with
//! `protoc-gen-protoforge-lint` / `protoc-gen-protoforge-breaking` and must give the same protoc exit
//! code and the same findings, byte for byte.
//!
//! The inputs are buf's lint and breaking check cases in `../shared/conformance/buf` (read in place;
//! the test skips when they are absent) and `testdata/plugin/imports`. The against side of a breaking
//! run is an image `protoforge build` writes here (buf's run used one `buf build` wrote), or the
//! checked-in image `buf build` wrote, for the runs that name one.

use crate::common;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use common::plugin::{self, Answer, Files};
use serde_json::Value;
use sha3::{Digest, Sha3_256};

/// Runs whose answer differs from buf's on purpose, with the reason.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[];

struct Run<'a> {
    id: String,
    variant: String,
    case: &'a Value,
}

#[test]
fn plugins_answer_as_bufs_under_protoc() {
    let Some(protoc) = common::protoc("plugins_answer_as_bufs_under_protoc") else {
        return;
    };
    let Some(shared) = common::shared_conformance() else {
        eprintln!(
            "SKIPPED plugins_answer_as_bufs_under_protoc: ../shared/conformance/buf is not beside \
             this checkout"
        );
        return;
    };
    let repo = common::repo_root();
    let golden: Value = serde_json::from_str(
        &std::fs::read_to_string(repo.join("testdata/plugin/buf_golden.json")).unwrap(),
    )
    .unwrap();
    // Another protoc may send other requests (source info, syntax): compare under the recorded one.
    let recorded = golden["protoc"].as_str().unwrap_or_default();
    let local = std::process::Command::new(&protoc)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    if local != recorded {
        let why = format!(
            "buf's answers were recorded under {recorded:?}, this protoc is {local:?}; \
             run testdata/plugin/regen.py with this protoc to compare under it"
        );
        assert!(
            std::env::var_os(common::REQUIRE_PROTOC).is_none(),
            "{why} ({} is set)",
            common::REQUIRE_PROTOC
        );
        eprintln!("SKIPPED plugins_answer_as_bufs_under_protoc: {why}");
        return;
    }
    let cases = golden["cases"].as_array().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let base = |case: &Value| -> PathBuf {
        match case["root"].as_str().unwrap() {
            "shared" => shared.clone(),
            _ => repo.clone(),
        }
    };

    // The against images, built once per directory with our own `protoforge build`.
    let mut against: HashMap<String, PathBuf> = HashMap::new();
    for case in cases {
        let Some(dir) = case["against"].as_str() else {
            continue;
        };
        if case["buf_image"].is_string() || against.contains_key(dir) {
            continue;
        }
        let image = scratch
            .path()
            .join(format!("against-{}.binpb", against.len()));
        let built = common::protoforge(&base(case), &["build", dir, "-o", image.to_str().unwrap()]);
        assert_eq!(built.code, 0, "protoforge build {dir}: {}", built.stderr);
        against.insert(dir.to_string(), image);
    }

    let mut runs = Vec::new();
    let mut skipped = Vec::new();
    let mut left_out = Vec::new();
    for case in cases {
        let id = case["id"].as_str().unwrap().to_string();
        if let Some(why) = case["skipped"].as_str() {
            skipped.push(format!("{id}: {why}"));
            continue;
        }
        for (file, why) in case["left_out"].as_object().unwrap() {
            let line = format!("{id}: {file} ({})", why.as_str().unwrap_or(""));
            if !left_out.contains(&line) {
                left_out.push(line);
            }
        }
        for variant in case["variants"].as_array().unwrap() {
            runs.push(Run {
                id: id.clone(),
                variant: variant.as_str().unwrap().to_string(),
                case,
            });
        }
    }

    // Two at a time: each run is a protoc and a plugin process.
    let answers: Vec<(usize, Answer)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..2)
            .map(|w| {
                let runs = &runs;
                let (base, against, protoc, repo) = (&base, &against, &protoc, &repo);
                let scratch = scratch.path().join(format!("worker-{w}"));
                std::fs::create_dir_all(&scratch).unwrap();
                s.spawn(move || {
                    runs.iter()
                        .enumerate()
                        .filter(|(i, _)| i % 2 == w)
                        .map(|(i, run)| {
                            (
                                i,
                                replay(run, base(run.case), against, protoc, repo, &scratch),
                            )
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });

    let mut equal = 0;
    let mut failures = Vec::new();
    let mut known = Vec::new();
    for (i, answer) in answers {
        let run = &runs[i];
        let label = format!("{} [{}]", run.id, run.variant);
        match compare(run.case, &answer) {
            None => equal += 1,
            Some(diff) if KNOWN_DIFFERENCES.iter().any(|(k, _)| *k == run.id) => {
                known.push(format!("{label}: {diff}"))
            }
            Some(diff) => failures.push(format!("{label}: {diff}")),
        }
    }
    println!(
        "protoc plugins vs buf's ({}; buf {}): {} runs compared, {equal} equal",
        golden["protoc"].as_str().unwrap_or("?"),
        golden["buf"].as_str().unwrap_or("?"),
        runs.len()
    );
    for line in &skipped {
        println!("  not run (protoc cannot compile it): {line}");
    }
    for line in &left_out {
        println!("  file left out: {line}");
    }
    for line in &known {
        println!("  KNOWN DIFFERENCE (not counted as equal): {line}");
    }
    assert!(
        failures.is_empty(),
        "{} of {} runs differ from buf's plugins:\n{}",
        failures.len(),
        runs.len(),
        failures.join("\n")
    );
}

/// Runs our plugin as buf's was run for `run`.
fn replay(
    run: &Run,
    base: PathBuf,
    against: &HashMap<String, PathBuf>,
    protoc: &Path,
    repo: &Path,
    scratch: &Path,
) -> Answer {
    let case = run.case;
    let strings = |key: &str| -> Vec<String> {
        case[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    let (includes, targets) = (strings("includes"), strings("files"));
    let mut parameter = case["parameter"].clone();
    let kind = case["kind"].as_str().unwrap();
    if parameter["against_input"] == "@AGAINST@" {
        let image = match case["buf_image"].as_str() {
            Some(path) => repo.join(path),
            None => against[case["against"].as_str().unwrap()].clone(),
        };
        parameter["against_input"] = Value::from(image.to_str().unwrap());
    }
    let plugin = if kind == "lint" {
        plugin::lint_plugin()
    } else {
        plugin::breaking_plugin()
    };
    let files = match run.variant.as_str() {
        "include" => Files::Include(&includes),
        other => Files::DescriptorSet {
            includes: &includes,
            source_info: other == "descriptor_set_in",
            scratch,
        },
    };
    plugin::run(
        protoc,
        &plugin,
        &base.join(case["cwd"].as_str().unwrap()),
        files,
        &parameter.to_string(),
        &targets,
    )
}

/// How our answer differs from buf's (`None`: it does not).
fn compare(case: &Value, ours: &Answer) -> Option<String> {
    let want_exit = case["exit"].as_i64().unwrap() as i32;
    let want_failed = case["plugin_failed"].as_bool().unwrap();
    if ours.exit != want_exit || ours.plugin_failed != want_failed {
        return Some(format!(
            "protoc exit {} (buf: {want_exit}), plugin failed: {} (buf: {want_failed})\n{}",
            ours.exit, ours.plugin_failed, ours.stderr
        ));
    }
    if want_failed {
        return None;
    }
    if let Some(text) = case["text"].as_str() {
        return (ours.payload != text).then(|| {
            format!(
                "findings differ:\n--- buf\n{text}\n--- protoforge\n{}",
                ours.payload
            )
        });
    }
    let digest = format!("{:x}", Sha3_256::digest(ours.payload.as_bytes()));
    if digest == case["sha3_256"].as_str().unwrap() {
        return None;
    }
    let ours_keys = keys(&ours.payload);
    let buf_keys = from_golden_keys(&case["keys"]);
    if ours_keys == buf_keys {
        return Some(format!(
            "same findings (path, line, column, type), other bytes (messages or ends):\n{}",
            ours.payload
        ));
    }
    let missing: Vec<_> = buf_keys.iter().filter(|k| !ours_keys.contains(k)).collect();
    let extra: Vec<_> = ours_keys.iter().filter(|k| !buf_keys.contains(k)).collect();
    Some(format!(
        "findings differ: missing {missing:?}, extra {extra:?}"
    ))
}

/// JSON-lines findings as sorted `path:line:column:TYPE` keys.
fn keys(payload: &str) -> Vec<String> {
    let mut out: Vec<String> = payload
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .map(|f| {
            format!(
                "{}:{}:{}:{}",
                f["path"].as_str().unwrap_or(""),
                f["start_line"],
                f["start_column"],
                f["type"].as_str().unwrap_or("")
            )
        })
        .collect();
    out.sort();
    out
}

fn from_golden_keys(keys: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let by_path: BTreeMap<String, Value> = serde_json::from_value(keys.clone()).unwrap_or_default();
    for (path, types) in by_path {
        for (rule, positions) in types.as_object().into_iter().flatten() {
            for at in positions.as_array().into_iter().flatten() {
                out.push(format!("{path}:{}:{rule}", at.as_str().unwrap_or("")));
            }
        }
    }
    out.sort();
    out
}

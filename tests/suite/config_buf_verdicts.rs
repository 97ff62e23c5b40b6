//! Config files recorded with the real buf 1.75 (testdata/config/buf_verdicts.json): protoforge
//! must reject exactly the ones buf rejected (exit 1), accept the others, and put the same files
//! in the workspace as `buf ls-files` listed.

use std::sync::Arc;

use protoforge::config::load;
use protoforge::input::Snapshot;

#[test]
fn accepts_and_rejects_what_buf_does() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/config/buf_verdicts.json"
    );
    let text = std::fs::read_to_string(path).expect("read buf_verdicts.json");
    let verdicts: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let proto_sets = verdicts["proto_sets"].as_array().expect("proto_sets");
    let records = verdicts["cases"].as_array().expect("cases");
    assert!(
        records.len() >= 400,
        "expected the recorded cases, found {}",
        records.len()
    );
    let mut mismatches = Vec::new();
    for (i, record) in records.iter().enumerate() {
        let files = record["config_files"].as_object().expect("config_files");
        let protos = record["protos"]
            .as_u64()
            .and_then(|i| proto_sets.get(i as usize))
            .and_then(|set| set.as_object())
            .expect("a proto set");
        let snapshot = Snapshot {
            files: protos
                .iter()
                .chain(files.iter())
                .map(|(p, c)| {
                    (
                        p.clone(),
                        Arc::from(c.as_str().expect("content").as_bytes()),
                    )
                })
                .collect(),
            ..Snapshot::default()
        };
        let config = record["config"].as_str();
        let buf_rejected = record["buf_exit"].as_i64() == Some(1);
        let result = load(&snapshot, config);
        // For the configs buf accepts: the same files in the workspace as `buf ls-files` listed.
        if let (Ok(workspace), Some(expected)) = (&result, record["buf_ls_files"].as_array()) {
            let expected: Vec<&str> = expected.iter().filter_map(|v| v.as_str()).collect();
            let ours: Vec<&str> = snapshot
                .files
                .keys()
                .filter(|p| {
                    p.ends_with(".proto") && workspace.modules.iter().any(|m| m.contains(p))
                })
                .map(String::as_str)
                .collect();
            if ours != expected {
                mismatches.push(format!("case {i}: files differ\n  buf ls-files: {expected:?}\n  protoforge:   {ours:?}"));
            }
        }
        if result.is_err() != buf_rejected {
            let configs: Vec<String> = files
                .iter()
                .map(|(p, c)| format!("{p}:\n{}", c.as_str().unwrap_or_default()))
                .collect();
            mismatches.push(format!(
                "case {i} ({}){}\n{}\n  buf: {}\n  protoforge: {}",
                if buf_rejected {
                    "buf rejects"
                } else {
                    "buf accepts"
                },
                config.map(|c| format!(" --config {c}")).unwrap_or_default(),
                configs.join("\n"),
                record["buf_output"].as_str().unwrap_or_default(),
                match &result {
                    Ok(_) => "accepted".to_string(),
                    Err(e) => e.to_string(),
                }
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} differ from buf:\n{}",
        mismatches.len(),
        records.len(),
        mismatches.join("\n\n")
    );
}

//! The summary scanner (`engine::summary`) against the full parser on every googleapis file
//! (skipped without the clone): where the scanner reads a file, its summary is the full outline;
//! and a summary's head (what a `--path` lint reads of every other module file) is that summary
//! without its messages.

use std::path::Path;

use protoforge::engine::summary::{full_outline, scan};

fn proto_files(root: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(root).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != ".git") {
                proto_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "proto") {
            out.push(path);
        }
    }
}

#[test]
fn scanner_and_heads_agree_with_the_full_parser_on_googleapis() {
    let Some(gapis) = super::common::googleapis() else {
        eprintln!("skipped: no googleapis clone (../shared/corpus/googleapis.bundle)");
        return;
    };
    let mut files = Vec::new();
    proto_files(&gapis, &mut files);
    files.sort();
    assert!(files.len() > 7000, "only {} files", files.len());
    let mut scanned = 0;
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let text = std::str::from_utf8(&bytes).unwrap();
        let full = full_outline("", text);
        if let Some(fast) = scan("", text) {
            assert_eq!(Some(&fast), full.as_ref(), "{}", path.display());
            scanned += 1;
        }
        let known = protoforge::engine::know_bytes(&bytes);
        let mut expected = full.clone().map(|mut s| {
            s.name = None;
            s
        });
        assert_eq!(
            known.summary().as_deref(),
            expected.as_ref(),
            "{}",
            path.display()
        );
        if let Some(e) = expected.as_mut() {
            e.message_type.clear();
        }
        assert_eq!(known.head(), expected, "{}", path.display());
    }
    assert!(scanned > 7000, "only {scanned} files scanned");
}

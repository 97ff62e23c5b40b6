//! The summary scanner (`engine::summary`) against the full parser on every googleapis file
//! (skipped without the clone): where the scanner reads a file, its summary is the full outline;
//! and a summary's head (what a `--path` lint reads of every other module file) is that summary
//! without its messages.

use std::path::Path;

use prost_types::{DescriptorProto, FileDescriptorProto};
use protoforge::engine::head::head;
use protoforge::engine::summary::{full_outline, scan};

/// Every message name in `messages`, at any depth.
fn message_names<'a>(messages: &'a [DescriptorProto], out: &mut Vec<&'a str>) {
    for m in messages {
        out.push(m.name());
        message_names(&m.nested_type, out);
    }
}

/// Where the head scan gives a head, it is the full outline's package, imports and syntax, and
/// its words cover every RPC's types and every message name; returns whether it gave one.
#[track_caller]
fn head_agrees(text: &str, full: Option<&FileDescriptorProto>, what: &str) -> bool {
    let Some(h) = head(text) else {
        return false;
    };
    let Some(full) = full else {
        // The head does not say whether the file parses; nothing more to compare.
        return true;
    };
    let expected = FileDescriptorProto {
        package: full.package.clone(),
        dependency: full.dependency.clone(),
        public_dependency: full.public_dependency.clone(),
        weak_dependency: full.weak_dependency.clone(),
        syntax: full.syntax.clone(),
        ..FileDescriptorProto::default()
    };
    assert_eq!(h.summary, expected, "{what}");
    let last = |t: &str| t.rsplit('.').next().unwrap_or(t).to_string();
    let has = |mut words: protoforge::lint::scope::Words<'_>, w: &str| words.any(|x| x == w);
    for m in full.service.iter().flat_map(|s| &s.method) {
        assert!(
            has(h.rpcs.requests(), &last(m.input_type())),
            "{what}: {m:?}"
        );
        assert!(
            has(h.rpcs.responses(), &last(m.output_type())),
            "{what}: {m:?}"
        );
    }
    let mut names = Vec::new();
    message_names(&full.message_type, &mut names);
    for n in names {
        assert!(has(h.rpcs.messages(), n), "{what}: message {n}");
    }
    true
}

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
    let mut heads = 0;
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let text = std::str::from_utf8(&bytes).unwrap();
        let full = full_outline("", text);
        if head_agrees(text, full.as_ref(), &path.display().to_string()) {
            heads += 1;
        }
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
    // Nearly every file is known by head (the others have a late `import`/`package` word that
    // is not surely in a comment or a string, such as the field `bool package = 1`).
    assert!(heads > 7250, "only {heads} heads");
}

/// The head scan on every fixture file (see [`head_agrees`]).
#[test]
fn heads_agree_with_the_full_parser_on_the_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    proto_files(&root.join("testdata"), &mut files);
    proto_files(&root.join("examples"), &mut files);
    let mut heads = 0;
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let full = full_outline("", &text);
        if head_agrees(&text, full.as_ref(), &path.display().to_string()) {
            heads += 1;
        }
    }
    assert!(heads > 300, "only {heads} heads of {} files", files.len());
}

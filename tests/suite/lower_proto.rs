//! Our lowering of proto2/proto3 files ([`protoforge::compile::lower_proto`]) against protox's
//! parser: whenever ours gives a descriptor, protox must accept the file and encode the same bytes
//! (descriptor and source info). Over the repository's fixtures, the conformance corpus and the
//! googleapis clone (`/work/gapis` or `PROTOFORGE_GAPIS`; skipped with a message when absent), where
//! at least 99% of the files must take our path.

use std::path::{Path, PathBuf};

use prost::Message as _;
use protoforge::compile::lower_proto;

fn proto_files(root: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if name != ".git" && name != "target" {
                proto_files(&path, out);
            }
        } else if name.ends_with(".proto") {
            out.push(path);
        }
    }
}

/// (files lowered by us, files in all, files ours lowered that differ from protox).
fn compare(files: &[PathBuf], root: &Path) -> (usize, usize, Vec<String>) {
    let mut lowered = 0;
    let mut bad = Vec::new();
    for path in files {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        // As the compile path: a byte order mark becomes three spaces.
        let text = match text.strip_prefix('\u{FEFF}') {
            Some(rest) => format!("   {rest}"),
            None => text,
        };
        let name = path
            .strip_prefix(root)
            .unwrap_or(path)
            .to_string_lossy()
            .into_owned();
        let Some(ours) = lower_proto::lower(&name, &text) else {
            continue;
        };
        lowered += 1;
        match protox_parse::parse(&name, &text) {
            Ok(theirs) if theirs.encode_to_vec() == ours.encode_to_vec() => {}
            Ok(_) => bad.push(format!("{name}: descriptor differs from protox's")),
            Err(e) => bad.push(format!("{name}: lowered, but protox rejects it: {e}")),
        }
    }
    (lowered, files.len(), bad)
}

#[test]
fn fixtures_lower_exactly_as_protox_parses() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["testdata", "examples", "tests", "src"] {
        proto_files(&root.join(dir), &mut files);
    }
    let (lowered, total, bad) = compare(&files, root);
    eprintln!("fixtures: {lowered} of {total} files lowered by us");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert!(total > 200, "fixtures not found ({total})");
    // Most fixtures are valid proto2/proto3 files: the fast path must be taken for them.
    assert!(
        lowered * 2 > total,
        "only {lowered} of {total} fixtures lowered"
    );
}

#[test]
fn conformance_corpus_lowers_exactly_as_protox_parses() {
    let root = Path::new("/work/shared/conformance");
    if !root.is_dir() {
        eprintln!("SKIPPED: no conformance corpus at {}", root.display());
        return;
    }
    let mut files = Vec::new();
    proto_files(root, &mut files);
    let (lowered, total, bad) = compare(&files, root);
    eprintln!("conformance corpus: {lowered} of {total} files lowered by us");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn googleapis_lowers_exactly_as_protox_parses() {
    let root = PathBuf::from(
        std::env::var("PROTOFORGE_GAPIS").unwrap_or_else(|_| "/work/gapis".to_string()),
    );
    if !root.is_dir() {
        eprintln!(
            "SKIPPED: no googleapis clone at {} (set PROTOFORGE_GAPIS)",
            root.display()
        );
        return;
    }
    let mut files = Vec::new();
    proto_files(&root, &mut files);
    let (lowered, total, bad) = compare(&files, &root);
    eprintln!("googleapis: {lowered} of {total} files lowered by us");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert!(total > 1000, "googleapis clone looks empty ({total} files)");
    assert!(
        lowered * 100 >= total * 99,
        "only {lowered} of {total} googleapis files take the fast path"
    );
}

//! The formatter as a library: one snapshot per style rule, idempotency, buf's own cases, errors.

use std::path::{Path, PathBuf};

use protoforge::format::format_source;

fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/format/rules")
}

/// buf's formatter cases, recorded from buf 1.75 (present beside the checkout in CI).
fn conformance_cases() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/format/cases");
    dir.is_dir().then_some(dir)
}

fn protos_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            protos_under(&p, out);
        } else if p.extension().is_some_and(|e| e == "proto") {
            out.push(p);
        }
    }
}

#[test]
fn style_rules() {
    insta::glob!("../../testdata/format/rules", "*.proto", |path| {
        let source = std::fs::read_to_string(path).unwrap();
        let formatted =
            format_source(&source).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        insta::assert_snapshot!(formatted);
    });
}

#[test]
fn formatting_twice_changes_nothing() {
    let mut files = Vec::new();
    protos_under(&rules_dir(), &mut files);
    if let Some(cases) = conformance_cases() {
        protos_under(&cases, &mut files);
    }
    assert!(files.len() >= 13);
    for path in files {
        let source = std::fs::read_to_string(&path).unwrap();
        let once = format_source(&source).unwrap();
        let twice = format_source(&once)
            .unwrap_or_else(|e| panic!("{}: output does not parse: {e}", path.display()));
        assert_eq!(
            once,
            twice,
            "{}: second pass changed the output",
            path.display()
        );
    }
}

#[test]
fn buf_formatter_cases() {
    let Some(cases) = conformance_cases() else {
        eprintln!("SKIPPED: ../shared/conformance/format/cases not found beside the checkout");
        return;
    };
    let mut files = Vec::new();
    protos_under(&cases, &mut files);
    assert_eq!(files.len(), 56, "buf's formatter cases");
    let mut failed = Vec::new();
    for path in &files {
        let source = std::fs::read_to_string(path).unwrap();
        let expected = std::fs::read_to_string(path.with_extension("expected")).unwrap();
        match format_source(&source) {
            Ok(out) if out == expected => {}
            Ok(_) => failed.push(path.display().to_string()),
            Err(e) => failed.push(format!("{}: {e}", path.display())),
        }
    }
    assert!(failed.is_empty(), "differs from buf: {failed:#?}");
}

#[test]
fn empty_file_formats_to_nothing() {
    assert_eq!(format_source("").unwrap(), "");
    assert_eq!(format_source("\n\n  \n").unwrap(), "");
    assert_eq!(
        format_source("// only a comment").unwrap(),
        "// only a comment\n"
    );
}

#[test]
fn syntax_errors_carry_a_span_and_a_message() {
    let source = "syntax = \"proto3\";\nmessage A {\n  int32 a = ;\n}\n";
    let err = format_source(source).unwrap_err();
    assert_eq!(&source[err.span.start as usize..err.span.end as usize], ";");
    assert!(err.message.contains("unexpected ';'"), "{}", err.message);

    let err = format_source("syntax = \"proto3\";\nmessage A { /* never closed\n").unwrap_err();
    assert!(err.message.contains("block comment"), "{}", err.message);

    let err = format_source("message A { string s = 1 [default = \"open\n]; }").unwrap_err();
    assert!(err.message.contains("string literal"), "{}", err.message);

    let err = format_source("message A { int32 a = 1; } }").unwrap_err();
    assert_eq!(err.span.start, 27);

    let err = format_source("message A { int32 a = 1 # }").unwrap_err();
    assert_eq!(err.message, "invalid character");
}

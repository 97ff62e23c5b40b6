//! Byte-for-byte comparison with buf 1.75.
//!
//! `testdata/report/buf/<case>/<format>.out` is what `buf lint` / `buf breaking current --against
//! previous` printed with `--error-format <format>` on:
//! - `lint_field_lower_snake_case`: conformance case lint/field_lower_snake_case (v1 config, 17 findings
//!   in two files);
//! - `breaking_package_no_delete`, `breaking_file_no_delete`: conformance breaking cases with findings
//!   that have no file (`<input>`) and file-level 1:1 positions;
//! - `compile_errors`: two files that do not compile (COMPILE findings; config-ignore-yaml falls back to
//!   text);
//! - `escaped_path`: a file named `x/a&b<c>'d.proto` (JSON, XML escaping).
//!
//! The findings are rebuilt from buf's own `json.out` (a finding without `path` had no position in buf:
//! its gitlab positions are empty), fed in reverse order with a duplicate to exercise sorting and
//! deduplication, and rendered in every buf format; the result must equal buf's output exactly.

use std::fs;
use std::path::Path;

use protoforge::check::{Finding, Span};
use protoforge::cli::ErrorFormat;
use protoforge::config::ConfigVersion;
use protoforge::report::{render, ReportContext};

const FORMATS: &[(&str, ErrorFormat)] = &[
    ("text", ErrorFormat::Text),
    ("json", ErrorFormat::Json),
    ("msvs", ErrorFormat::Msvs),
    ("junit", ErrorFormat::Junit),
    ("github-actions", ErrorFormat::GithubActions),
    ("gitlab-code-quality", ErrorFormat::GitlabCodeQuality),
    ("config-ignore-yaml", ErrorFormat::ConfigIgnoreYaml),
];

fn findings_from_buf_json(text: &str) -> Vec<Finding> {
    text.lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).expect("buf json line");
            let num = |k: &str| v[k].as_u64().expect("position") as u32;
            let path = v.get("path").and_then(|p| p.as_str()).map(str::to_string);
            let span = path.as_ref().map(|_| Span {
                start_line: num("start_line"),
                start_column: num("start_column"),
                end_line: num("end_line"),
                end_column: num("end_column"),
            });
            Finding::new(
                v["type"].as_str().expect("type"),
                path,
                span,
                v["message"].as_str().expect("message"),
            )
        })
        .collect()
}

fn check_case(case: &str, command: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/report/buf")
        .join(case);
    let json = fs::read_to_string(dir.join("json.out")).expect("json.out");
    let mut findings = findings_from_buf_json(&json);
    assert!(!findings.is_empty(), "{case}: no findings in json.out");
    findings.reverse();
    findings.push(
        findings[0]
            .clone()
            .with_help("a duplicate that differs only in help"),
    );
    let locate = |_: &str| None;
    let ctx = ReportContext::new(command)
        .with_color(false)
        .with_baseline(ConfigVersion::V1, &locate);
    let mut compared = 0;
    for (name, format) in FORMATS {
        let Ok(expected) = fs::read_to_string(dir.join(format!("{name}.out"))) else {
            continue; // buf has no such format for this command (config-ignore-yaml is lint-only)
        };
        let actual = render(&findings, *format, &ctx);
        assert_eq!(
            actual, expected,
            "{case}: --error-format {name} differs from buf 1.75"
        );
        compared += 1;
    }
    assert!(compared >= 6, "{case}: only {compared} formats compared");
}

#[test]
fn lint_findings_match_buf() {
    check_case("lint_field_lower_snake_case", "lint");
}

#[test]
fn breaking_findings_with_and_without_files_match_buf() {
    check_case("breaking_package_no_delete", "breaking");
}

#[test]
fn breaking_findings_without_files_match_buf() {
    check_case("breaking_file_no_delete", "breaking");
}

#[test]
fn compile_errors_match_buf() {
    check_case("compile_errors", "lint");
}

#[test]
fn escaped_paths_match_buf() {
    check_case("escaped_path", "lint");
}

#[test]
fn no_findings_print_nothing_in_every_format() {
    let ctx = ReportContext::new("lint").with_color(false);
    for (name, format) in FORMATS {
        assert_eq!(render(&[], *format, &ctx), "", "{name}");
    }
    assert_eq!(render(&[], ErrorFormat::Sarif, &ctx), "");
    assert_eq!(render(&[], ErrorFormat::Pretty, &ctx), "");
}

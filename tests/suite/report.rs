//! Every output format on one fixture list of findings, as insta snapshots, plus structural checks of
//! SARIF and the config-ignore-yaml variants. (Byte-for-byte comparisons with buf are in
//! `report_buf_golden.rs`.)

use std::sync::Arc;

use protoforge::check::{Finding, Span};
use protoforge::cli::ErrorFormat;
use protoforge::config::ConfigVersion;
use protoforge::report::{render, render_error, ModulePath, ReportContext, RuleDoc};

const A_PROTO: &str = "syntax = \"proto3\";\n\npackage acme.v1;\n\nmessage Order {\n  string OrderId = 1;\n\tint32 itemCount = 2;\n}\n";
const B_PROTO: &str = "syntax = \"proto3\";\npackage acme.v1;\nmessage B { int32 b = 1 }\n";

fn span(sl: u32, sc: u32, el: u32, ec: u32) -> Option<Span> {
    Some(Span {
        start_line: sl,
        start_column: sc,
        end_line: el,
        end_column: ec,
    })
}

/// Lint-like findings with spans (one on a tab-indented line, one with help), a file-level one, a
/// finding without a file, a COMPILE error, and a duplicate; deliberately out of order.
fn fixture() -> Vec<Finding> {
    let order_id = Finding::new(
        "FIELD_LOWER_SNAKE_CASE",
        Some("proto/acme/v1/a.proto".into()),
        span(6, 10, 6, 17),
        "Field name \"OrderId\" should be lower_snake_case, such as \"order_id\".",
    );
    vec![
        Finding::new(
            "COMPILE",
            Some("proto/acme/v1/b.proto".into()),
            span(3, 25, 3, 26),
            "unexpected `}` after definition",
        ),
        order_id.clone(),
        Finding::new(
            "FIELD_LOWER_SNAKE_CASE",
            Some("proto/acme/v1/a.proto".into()),
            span(7, 11, 7, 20),
            "Field name \"itemCount\" should be lower_snake_case, such as \"item_count\".",
        )
        .with_help("Rename the field to `item_count`; the JSON name stays `itemCount`."),
        Finding::new(
            "PACKAGE_DIRECTORY_MATCH",
            Some("proto/acme/v1/a.proto".into()),
            span(3, 1, 3, 17),
            "Files with package \"acme.v1\" must be within a directory \"acme/v1\" relative to root but were in directory \".\".",
        ),
        Finding::new("FILE_NO_DELETE", None, None, "Previously present file \"old.proto\" was deleted."),
        order_id,
    ]
}

fn lint_only() -> Vec<Finding> {
    fixture()
        .into_iter()
        .filter(|f| f.rule != "COMPILE")
        .collect()
}

fn sources(path: &str) -> Option<Arc<str>> {
    match path {
        "proto/acme/v1/a.proto" => Some(A_PROTO.into()),
        "proto/acme/v1/b.proto" => Some(B_PROTO.into()),
        _ => None,
    }
}

fn rule_doc(rule: &str) -> Option<RuleDoc> {
    match rule {
        "FIELD_LOWER_SNAKE_CASE" => Some(RuleDoc {
            purpose: "Field names must be lower_snake_case.".into(),
            help: Some(
                "Rename the field to lower_snake_case; JSON names are derived from it.".into(),
            ),
            url: Some("https://buf.build/docs/lint/rules/#field_lower_snake_case".into()),
        }),
        "PACKAGE_DIRECTORY_MATCH" => Some(RuleDoc {
            purpose: "Files must be in a directory matching their package name.".into(),
            help: None,
            url: None,
        }),
        _ => None,
    }
}

/// The fixture lives in module `proto` of the config at the input root.
fn locate(path: &str) -> Option<ModulePath> {
    path.strip_prefix("proto/").map(|rest| ModulePath {
        module_dir: "proto".into(),
        path: rest.into(),
    })
}

fn ctx<'a>() -> ReportContext<'a> {
    ReportContext::new("lint")
        .with_color(false)
        .with_sources(&sources)
        .with_rule_doc(&rule_doc)
}

#[test]
fn text() {
    insta::assert_snapshot!(render(&fixture(), ErrorFormat::Text, &ctx()));
}

#[test]
fn json() {
    insta::assert_snapshot!(render(&fixture(), ErrorFormat::Json, &ctx()));
}

#[test]
fn msvs() {
    insta::assert_snapshot!(render(&fixture(), ErrorFormat::Msvs, &ctx()));
}

#[test]
fn junit() {
    insta::assert_snapshot!(render(&fixture(), ErrorFormat::Junit, &ctx()));
}

#[test]
fn github_actions() {
    insta::assert_snapshot!(render(&fixture(), ErrorFormat::GithubActions, &ctx()));
}

#[test]
fn gitlab_code_quality() {
    let out = render(&fixture(), ErrorFormat::GitlabCodeQuality, &ctx());
    let parsed: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(parsed.as_array().map(Vec::len), Some(5));
    insta::assert_snapshot!(out);
}

#[test]
fn pretty() {
    insta::assert_snapshot!(render(&fixture(), ErrorFormat::Pretty, &ctx()));
}

#[test]
fn pretty_without_sources_prints_plain_lines() {
    let ctx = ReportContext::new("lint").with_color(false);
    let out = render(&fixture(), ErrorFormat::Pretty, &ctx);
    assert!(
        out.contains("proto/acme/v1/a.proto:6:10:Field name \"OrderId\""),
        "{out}"
    );
    assert!(!out.contains('\u{1b}'), "no colour codes: {out}");
    insta::assert_snapshot!(out);
}

#[test]
fn pretty_in_colour_uses_ansi_codes() {
    let out = render(&fixture(), ErrorFormat::Pretty, &ctx().with_color(true));
    assert!(out.contains('\u{1b}'), "{out}");
}

#[test]
fn sarif() {
    insta::assert_snapshot!(render(&fixture(), ErrorFormat::Sarif, &ctx()));
}

#[test]
fn sarif_is_structurally_valid_2_1_0() {
    let out = render(&fixture(), ErrorFormat::Sarif, &ctx());
    let sarif: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif["$schema"]
        .as_str()
        .is_some_and(|s| s.contains("sarif-2.1.0")));
    let runs = sarif["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "protoforge");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules
        .iter()
        .map(|r| r["id"].as_str().expect("rule id"))
        .collect();
    assert_eq!(
        ids,
        [
            "COMPILE",
            "FIELD_LOWER_SNAKE_CASE",
            "FILE_NO_DELETE",
            "PACKAGE_DIRECTORY_MATCH"
        ]
    );
    for rule in rules {
        assert!(
            rule["shortDescription"]["text"]
                .as_str()
                .is_some_and(|t| !t.is_empty()),
            "{rule}"
        );
        assert!(
            rule["help"]["text"].as_str().is_some_and(|t| !t.is_empty()),
            "{rule}"
        );
    }
    assert_eq!(
        rules[1]["helpUri"],
        "https://buf.build/docs/lint/rules/#field_lower_snake_case"
    );
    assert_eq!(
        rules[1]["shortDescription"]["text"],
        "Field names must be lower_snake_case."
    );

    let results = runs[0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 5, "sorted and deduplicated");
    for result in results {
        let id = result["ruleId"].as_str().expect("ruleId");
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(ids[index], id);
        assert_eq!(result["level"], "error");
        assert!(result["message"]["text"]
            .as_str()
            .is_some_and(|t| !t.is_empty()));
        if let Some(locations) = result.get("locations") {
            let physical = &locations[0]["physicalLocation"];
            assert!(physical["artifactLocation"]["uri"]
                .as_str()
                .is_some_and(|u| u.starts_with("proto/")));
            let region = &physical["region"];
            for key in ["startLine", "startColumn", "endLine", "endColumn"] {
                assert!(
                    region[key].as_u64().is_some_and(|n| n >= 1),
                    "{key} in {region}"
                );
            }
        } else {
            assert_eq!(
                id, "FILE_NO_DELETE",
                "only the finding without a file has no location"
            );
        }
    }
    // The tab-indented `itemCount` is at buf column 11 = code point 8.
    let item_count = results.iter().find(|r| {
        r["message"]["text"]
            .as_str()
            .unwrap_or("")
            .contains("itemCount")
    });
    let region =
        &item_count.expect("itemCount result")["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startColumn"], 8);
    assert_eq!(region["snippet"]["text"], "\tint32 itemCount = 2;\n");
    // Deterministic.
    assert_eq!(out, render(&fixture(), ErrorFormat::Sarif, &ctx()));
}

#[test]
fn config_ignore_yaml_v2_uses_paths_relative_to_the_buf_yaml() {
    let out = render(
        &lint_only(),
        ErrorFormat::ConfigIgnoreYaml,
        &ctx().with_baseline(ConfigVersion::V2, &locate),
    );
    assert!(
        out.starts_with("version: v2\nlint:\n  ignore_only:\n"),
        "{out}"
    );
    assert!(out.contains("      - proto/acme/v1/a.proto\n"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn config_ignore_yaml_v1_uses_module_relative_paths() {
    let out = render(
        &lint_only(),
        ErrorFormat::ConfigIgnoreYaml,
        &ctx().with_baseline(ConfigVersion::V1, &locate),
    );
    assert!(out.starts_with("version: v1\n"), "{out}");
    assert!(
        out.contains("      - acme/v1/a.proto\n") && !out.contains("proto/acme"),
        "{out}"
    );
    insta::assert_snapshot!(out);
}

#[test]
fn config_ignore_yaml_v1_workspace_writes_one_document_per_module() {
    let mut findings = lint_only();
    findings.push(Finding::new(
        "PACKAGE_DEFINED",
        Some("other/c.proto".into()),
        span(1, 1, 1, 1),
        "Files must have a package defined.",
    ));
    let locate_both = |path: &str| {
        let (dir, rest) = path.split_once('/')?;
        Some(ModulePath {
            module_dir: dir.into(),
            path: rest.into(),
        })
    };
    let out = render(
        &findings,
        ErrorFormat::ConfigIgnoreYaml,
        &ctx().with_baseline(ConfigVersion::V1, &locate_both),
    );
    let docs: Vec<serde_yaml_ng::Value> = out
        .split("---\n")
        .map(|doc| serde_yaml_ng::from_str(doc).expect("each document is YAML"))
        .collect();
    assert_eq!(docs.len(), 2, "{out}");
    assert_eq!(
        docs[0]["lint"]["ignore_only"]["PACKAGE_DEFINED"][0],
        "c.proto"
    );
    assert_eq!(
        docs[1]["lint"]["ignore_only"]["FIELD_LOWER_SNAKE_CASE"][0],
        "acme/v1/a.proto"
    );
    insta::assert_snapshot!(out);
}

#[test]
fn config_ignore_yaml_for_breaking_writes_a_breaking_block() {
    let ctx = ReportContext::new("breaking")
        .with_color(false)
        .with_baseline(ConfigVersion::V2, &locate);
    let out = render(&lint_only(), ErrorFormat::ConfigIgnoreYaml, &ctx);
    assert!(
        out.starts_with("version: v2\nbreaking:\n  ignore_only:\n"),
        "{out}"
    );
}

#[test]
fn config_ignore_yaml_with_compile_errors_prints_text_as_buf() {
    let out = render(&fixture(), ErrorFormat::ConfigIgnoreYaml, &ctx());
    assert_eq!(out, render(&fixture(), ErrorFormat::Text, &ctx()));
}

#[test]
fn config_ignore_yaml_output_parses_back() {
    let out = render(
        &lint_only(),
        ErrorFormat::ConfigIgnoreYaml,
        &ctx().with_baseline(ConfigVersion::V2, &locate),
    );
    let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(&out).expect("YAML");
    assert_eq!(yaml["version"], "v2");
    let paths = &yaml["lint"]["ignore_only"]["FIELD_LOWER_SNAKE_CASE"];
    assert_eq!(
        paths.as_sequence().map(Vec::len),
        Some(1),
        "unique paths: {out}"
    );
}

#[test]
fn render_leaves_the_callers_findings_alone() {
    let findings = fixture();
    let before = findings.clone();
    let _ = render(&findings, ErrorFormat::Text, &ctx());
    assert_eq!(findings, before);
}

#[test]
fn errors_render_plainly_with_a_code_frame() {
    let err = protoforge::Error::new("unknown key \"lnt\"")
        .at("buf.yaml", "version: v2\nlnt:\n  use: []\n", 12, 3)
        .with_label("not a buf.yaml key")
        .with_help("did you mean `lint`?");
    let plain = render_error(&err, false);
    assert!(!plain.contains('\u{1b}'), "{plain}");
    assert!(plain.contains("buf.yaml"), "{plain}");
    insta::assert_snapshot!(plain);
    let fancy = render_error(&err, true);
    assert!(fancy.contains('\u{1b}'), "{fancy}");
}

//! One fixture folder per lint rule (`testdata/lint/<RULE_ID>[_variant]/`, with its own buf.yaml):
//! cases that must fire and near-misses that must not (correct casing, allowed forms, comment
//! ignores, config ignores). The snapshots were checked against buf 1.75 on the same folders.

use std::path::Path;

use protoforge::cli::InputArgs;
use protoforge::compile::Compiled;
use protoforge::config::{ConfigVersion, LintConfig, ModuleSpec};
use protoforge::pipeline;

/// Lints a fixture folder as `protoforge lint` run inside it would, and renders the findings.
fn lint_dir(dir: &Path) -> String {
    let args = InputArgs {
        input: ".".to_string(),
        ..InputArgs::default()
    };
    let built = pipeline::build(&args, dir).expect("fixture builds");
    let image = match built.compiled {
        Compiled::Image(image) => image,
        Compiled::Errors(errors) => {
            panic!("fixture {} does not compile: {errors:?}", dir.display())
        }
    };
    let modules = built.workspace.map(|w| w.modules).unwrap_or_default();
    let fallback = ModuleSpec {
        version: ConfigVersion::V2,
        lint: LintConfig {
            allow_comment_ignores: true,
            ..LintConfig::default()
        },
        ..ModuleSpec::default()
    };
    let outcome =
        protoforge::lint::run(&image, &modules, &fallback, &|f| !f.is_import).expect("lint runs");
    let mut out = String::new();
    for f in &outcome.findings {
        let s = f.span.unwrap_or_default();
        out.push_str(&format!(
            "{}:{}:{}-{}:{} {} {}\n",
            f.path.as_deref().unwrap_or(""),
            s.start_line,
            s.start_column,
            s.end_line,
            s.end_column,
            f.rule,
            f.message
        ));
    }
    for w in &outcome.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    out
}

#[test]
fn every_rule_fixture() {
    insta::glob!("../../testdata/lint", "*/buf.yaml", |path| {
        let dir = path.parent().expect("fixture folder");
        insta::assert_snapshot!(lint_dir(dir));
    });
}

#[test]
fn every_rule_has_a_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/lint");
    for rule in protoforge::lint::RULES {
        assert!(
            root.join(rule.meta.id).join("buf.yaml").is_file(),
            "no fixture for {}",
            rule.meta.id
        );
    }
}

#[test]
fn every_rule_doc_has_why_and_fix() {
    for rule in protoforge::lint::RULES {
        let doc = rule.meta.doc;
        assert!(
            doc.contains("Why"),
            "{} doc lacks a Why paragraph",
            rule.meta.id
        );
        assert!(
            doc.contains("Fix:"),
            "{} doc lacks a Fix paragraph",
            rule.meta.id
        );
        assert!(!protoforge::lint::help_line(rule.meta.id).is_empty());
    }
}

//! Snapshot tests over `testdata/breaking/<RULE_ID>/{previous,current}`: each fixture selects one
//! rule (in `current/buf.yaml`), holds changes that must fire and changes that must not, and its
//! findings (with their help) are snapshotted. The fixtures' findings were checked identical to
//! buf 1.75's (path, span, type and message).

use std::path::Path;

use protoforge::breaking::{self, Policy};
use protoforge::cli::InputArgs;
use protoforge::compile::Compiled;
use protoforge::image::Image;
use protoforge::pipeline;

fn image(dir: &Path, input: &str) -> (Image, Option<protoforge::workspace::Workspace>) {
    let args = InputArgs {
        input: input.to_string(),
        ..Default::default()
    };
    let built = pipeline::build_with_config(input, &args, None, dir).expect("input loads");
    match built.compiled {
        Compiled::Image(image) => (image, built.workspace),
        Compiled::Errors(errors) => panic!("{input} does not compile: {errors:?}"),
    }
}

fn render(dir: &Path) -> (String, Vec<String>) {
    let (previous, _) = image(dir, "previous");
    let (current, workspace) = image(dir, "current");
    let workspace = workspace.expect("a source input");
    let policies: Vec<Policy<'_>> = workspace
        .modules
        .iter()
        .map(|m| Policy {
            version: m.version,
            config: &m.breaking,
            config_file: m.config_file.as_deref(),
        })
        .collect();
    let outcome =
        breaking::check(&previous, &current, &policies, &|_, _| 0, true).expect("check runs");
    let mut out = String::new();
    let mut rules = Vec::new();
    for f in &outcome.findings {
        let span = f
            .span
            .map(|s| {
                format!(
                    "{}:{}-{}:{}",
                    s.start_line, s.start_column, s.end_line, s.end_column
                )
            })
            .unwrap_or_default();
        out.push_str(&format!(
            "{}:{span} {}\n  {}\n",
            f.path.as_deref().unwrap_or("<no file>"),
            f.rule,
            f.message
        ));
        if let Some(help) = &f.help {
            out.push_str(&format!("  help: {help}\n"));
        }
        rules.push(f.rule.clone());
    }
    (out, rules)
}

#[test]
fn every_rule_fixture() {
    insta::glob!("../../testdata/breaking", "*/current/buf.yaml", |path| {
        let dir = path.parent().and_then(Path::parent).expect("fixture dir");
        let rule = dir.file_name().and_then(|n| n.to_str()).expect("rule dir");
        let (rendered, rules) = render(dir);
        assert!(
            !rules.is_empty(),
            "{rule}: the must-fire changes did not fire"
        );
        assert!(
            rules.iter().all(|r| r == rule),
            "{rule}: other rules fired: {rules:?}"
        );
        insta::assert_snapshot!(rule, rendered);
    });
}

#[test]
fn every_v2_rule_has_a_fixture() {
    let set = breaking::rule_set(protoforge::config::ConfigVersion::V2);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/breaking");
    for rule in set.rules.iter().filter(|r| !r.categories.is_empty()) {
        assert!(
            root.join(rule.id()).join("current/buf.yaml").is_file(),
            "no fixture for {}",
            rule.id()
        );
    }
}

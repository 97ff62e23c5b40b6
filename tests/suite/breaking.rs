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

/// Both sides of a fixture: the input compiled, and the against side compiled whole and with
/// the files it shares with the input taken from the input's image.
fn both_ways(dir: &Path) -> (pipeline::Built, Image, Image) {
    let args = |input: &str| InputArgs {
        input: input.to_string(),
        ..Default::default()
    };
    let load = |input: &str| pipeline::load(input, &args(input), None, dir).expect("input loads");
    let current = pipeline::compile_loaded(load("current"), &args("current")).expect("compiles");
    let whole = pipeline::compile_loaded(load("previous"), &args("previous")).expect("compiles");
    let shared =
        pipeline::compile_loaded_sharing(load("previous"), &args("previous"), Some(&current))
            .expect("compiles");
    let image = |built: pipeline::Built| match built.compiled {
        Compiled::Image(image) => image,
        Compiled::Errors(errors) => panic!("{} does not compile: {errors:?}", dir.display()),
    };
    (current, image(whole), image(shared))
}

/// The against image made with shared files (`shared`) is the one compiled whole (`whole`): same
/// files in the same order, same descriptors (as the image and as linked), source info where it
/// has any, paths and text, and the same findings against `current`. Returns how many findings
/// there were.
fn assert_same_against(
    name: &str,
    current: &pipeline::Built,
    whole: &Image,
    shared: &Image,
) -> usize {
    let Compiled::Image(current_image) = &current.compiled else {
        unreachable!()
    };
    assert_eq!(whole.files.len(), shared.files.len(), "{name}");
    for (w, s) in whole.files.iter().zip(&shared.files) {
        let at = format!("{name}: {}", w.name());
        assert_eq!(w.name(), s.name(), "{at}");
        // The pool's copy of the option locations is never read (`ImageFile::proto`).
        let without_source_info =
            |p: &prost_types::FileDescriptorProto| prost_types::FileDescriptorProto {
                source_code_info: None,
                ..p.clone()
            };
        assert_eq!(
            without_source_info(w.proto()),
            without_source_info(s.proto()),
            "{at}"
        );
        // The against side's own files are compiled without source info (no rule reads it:
        // `Image::forget_sources`); the files taken from the input keep theirs.
        let info = s.encoded_source_info();
        assert!(
            info.is_none() || info == w.encoded_source_info(),
            "{at}: source info differs"
        );
        assert_eq!(
            (w.is_import, &w.external_path, &w.root_path, w.module),
            (s.is_import, &s.external_path, &s.root_path, s.module),
            "{at}"
        );
        assert_eq!(w.source, s.source, "{at}");
        assert_eq!(
            (w.edition, &w.option_dependency),
            (s.edition, &s.option_dependency)
        );
        let linked = |i: &Image| {
            i.file_descriptor(w.name())
                .map(|fd| without_source_info(fd.file_descriptor_proto()))
        };
        assert_eq!(linked(whole), linked(shared), "{at}");
    }
    let findings = |previous: &Image| {
        let ws = current.workspace.as_ref().unwrap();
        let default = protoforge::config::BreakingConfig::default();
        let policies = Policy::for_modules(&ws.modules, &default);
        let outcome = breaking::check(previous, current_image, &policies, &|_, _| 0, true)
            .expect("check runs");
        (format!("{:?}", outcome.findings), outcome.findings.len())
    };
    // Messages by name, as the rules look them up (the against side's own pools hold copies of
    // the shared files its own files import).
    for m in whole.all_messages() {
        let by_name = shared.message_by_name(m.full_name());
        let at = format!("{name}: {}", m.full_name());
        assert_eq!(
            Some(m.descriptor_proto()),
            by_name.as_ref().map(|m| m.descriptor_proto()),
            "{at}"
        );
        assert_eq!(
            Some(m.parent_file().name().to_string()),
            by_name.as_ref().map(|m| m.parent_file().name().to_string()),
            "{at}"
        );
    }
    let whole_findings = findings(whole);
    assert_eq!(whole_findings, findings(shared), "{name}");
    whole_findings.1
}

/// The against image made with shared files is the one compiled whole: same files in the same
/// order, same descriptors (as the image and as linked), source info, paths and text, and the
/// same findings — on every breaking fixture; and files are shared.
#[test]
fn shared_files_give_the_image_compiled_whole() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/breaking");
    let mut fixtures: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    fixtures.sort();
    let mut shared_count = 0;
    for dir in fixtures {
        let (current, whole, shared) = both_ways(&dir);
        let name = dir.display();
        let Compiled::Image(current_image) = &current.compiled else {
            unreachable!()
        };
        let previous_ws = {
            let args = InputArgs {
                input: "previous".into(),
                ..Default::default()
            };
            match pipeline::load("previous", &args, None, &dir).unwrap() {
                pipeline::Loaded::Sources { workspace, .. } => *workspace,
                pipeline::Loaded::Image(_) => unreachable!(),
            }
        };
        shared_count += protoforge::compile::shared_files(
            current_image,
            current.workspace.as_ref().unwrap(),
            &previous_ws,
        )
        .len();
        assert_same_against(&name.to_string(), &current, &whole, &shared);
    }
    assert!(shared_count >= 20, "only {shared_count} files were shared");
}

/// A tree large enough for the against side's own files to be linked in shards: the shared
/// files they import (custom options, JSON names, maps, nested enums) are handed to each shard's
/// linker as the input linked them, and the image is still the one compiled whole.
#[test]
fn shards_linking_the_shared_imports_as_linked_give_the_image_compiled_whole() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let opts = "syntax = \"proto3\";\npackage common;\nimport \"google/protobuf/descriptor.proto\";\n\
        extend google.protobuf.FieldOptions {\n  string tag = 50001;\n}\n\
        extend google.protobuf.MessageOptions {\n  Rule rule = 50002;\n}\n\
        message Rule {\n  string name = 1;\n  int32 level = 2;\n}\n\
        message Money {\n  string currency_code = 1 [json_name = \"cc\"];\n  map<string, int64> parts = 2;\n\
        enum Kind {\n    KIND_UNSPECIFIED = 0;\n    CASH = 1;\n  }\n  Kind kind = 3 [(tag) = \"k\"];\n}\n";
    for side in ["previous", "current"] {
        crate::common::write(d, &format!("{side}/buf.yaml"), b"version: v2\n");
        crate::common::write(d, &format!("{side}/common/opts.proto"), opts.as_bytes());
        for k in 0..20 {
            let text = format!(
                "syntax = \"proto3\";\npackage shared.s{k};\nimport \"common/opts.proto\";\n\
                 message S {{\n  option (common.rule) = {{ name: \"s\" level: {k} }};\n  \
                 common.Money m = 1 [(common.tag) = \"s\"];\n}}\n"
            );
            crate::common::write(d, &format!("{side}/shared/s{k}.proto"), text.as_bytes());
        }
        // Each side's own files (their field names differ), 600: more than two shards' worth.
        let level = if side == "current" { 2 } else { 1 };
        for i in 0..600 {
            let text = format!(
                "syntax = \"proto3\";\npackage api.g{};\nimport \"common/opts.proto\";\n\
                 import \"shared/s{}.proto\";\nmessage M{i} {{\n  \
                 option (common.rule) = {{ name: \"m{i}\" level: {level} }};\n  \
                 common.Money price = 1 [(common.tag) = \"p\"];\n  common.Money.Kind kind = 2;\n  \
                 shared.s{}.S s = 3;\n  string note_{side} = 4;\n}}\n",
                i / 50,
                i % 20,
                i % 20
            );
            crate::common::write(d, &format!("{side}/api/f{i}.proto"), text.as_bytes());
        }
    }
    let (current, whole, shared) = both_ways(d);
    let Compiled::Image(current_image) = &current.compiled else {
        unreachable!()
    };
    let args = InputArgs {
        input: "previous".into(),
        ..Default::default()
    };
    let pipeline::Loaded::Sources { workspace, .. } =
        pipeline::load("previous", &args, None, d).unwrap()
    else {
        unreachable!()
    };
    let names = protoforge::compile::shared_files(
        current_image,
        current.workspace.as_ref().unwrap(),
        &workspace,
    );
    assert!(
        names.contains("common/opts.proto") && names.contains("shared/s7.proto"),
        "{names:?}"
    );
    assert!(!names.contains("api/f7.proto"), "{names:?}");
    let found = assert_same_against("generated tree", &current, &whole, &shared);
    // Every own file's field was renamed.
    assert!(found >= 600, "{found} findings");
}

/// A file whose bytes are the same on both sides but which imports a changed file is not
/// shared: its field's type is a message before and an enum now. A file that imports nothing
/// changed is shared.
#[test]
fn a_same_file_importing_a_changed_file_is_not_shared() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let u = "syntax = \"proto3\";\npackage p;\nimport \"t.proto\";\nmessage U {\n  T t = 1;\n}\n";
    let v = "syntax = \"proto3\";\npackage p;\nmessage V {\n  string s = 1;\n}\n";
    let config = "version: v2\nbreaking:\n  use: [FIELD_SAME_TYPE]\n";
    for (path, text) in [
        ("previous/buf.yaml", config),
        ("current/buf.yaml", config),
        (
            "previous/t.proto",
            "syntax = \"proto3\";\npackage p;\nmessage T {}\n",
        ),
        (
            "current/t.proto",
            "syntax = \"proto3\";\npackage p;\nenum T {\n  T_UNSPECIFIED = 0;\n}\n",
        ),
        ("previous/u.proto", u),
        ("current/u.proto", u),
        ("previous/v.proto", v),
        ("current/v.proto", v),
    ] {
        crate::common::write(d, path, text.as_bytes());
    }
    let (current, whole, shared) = both_ways(d);
    let Compiled::Image(current_image) = &current.compiled else {
        unreachable!()
    };
    let args = InputArgs {
        input: "previous".into(),
        ..Default::default()
    };
    let pipeline::Loaded::Sources { workspace, .. } =
        pipeline::load("previous", &args, None, d).unwrap()
    else {
        unreachable!()
    };
    let names = protoforge::compile::shared_files(
        current_image,
        current.workspace.as_ref().unwrap(),
        &workspace,
    );
    assert!(names.contains("v.proto"), "{names:?}");
    assert!(
        !names.contains("u.proto") && !names.contains("t.proto"),
        "{names:?}"
    );
    // TYPE_MESSAGE (11) before, TYPE_ENUM (14) now.
    let field_type = |image: &Image| {
        let fd = image.file_descriptor("u.proto").unwrap();
        let field = fd.messages().next().unwrap().fields().next().unwrap();
        field.field_descriptor_proto().r#type
    };
    assert_eq!(field_type(&shared), Some(11));
    assert_eq!(field_type(current_image), Some(14));
    assert_eq!(field_type(&whole), field_type(&shared));
    // The shared file's descriptor is the input's, linked once.
    let current_v = current_image.file_descriptor("v.proto").unwrap();
    assert!(shared.file_descriptor("v.proto").unwrap() == current_v);
}

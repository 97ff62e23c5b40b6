//! Editions 2023/2024: resolved features (snapshots), forbidden constructs (compile errors),
//! proto3 -> editions migrations, and the editions form of written images.

mod common;

use std::fmt::Write as _;
use std::path::Path;

use protoforge::check::Finding;
use protoforge::cli::InputArgs;
use protoforge::compile::editions::features::{self, Features};
use protoforge::compile::Compiled;
use protoforge::image::Image;
use protoforge::pipeline;

fn compile_dir(dir: &Path) -> Compiled {
    let args = InputArgs {
        input: ".".to_string(),
        ..Default::default()
    };
    pipeline::build(&args, dir).expect("input loads").compiled
}

fn image(dir: &Path) -> Image {
    match compile_dir(dir) {
        Compiled::Image(image) => image,
        Compiled::Errors(errs) => panic!("{} does not compile: {errs:#?}", dir.display()),
    }
}

fn compact(f: &Features) -> String {
    format!(
        "presence={} enum={} repeated={} utf8={} message={} json={} naming={} cpp.string_type={} cpp.legacy_closed_enum={} java.utf8={} java.legacy_closed_enum={}",
        f.field_presence.name(),
        f.enum_type.name(),
        f.repeated_field_encoding.name(),
        f.utf8_validation.name(),
        f.message_encoding.name(),
        f.json_format.name(),
        f.enforce_naming_style.name(),
        f.cpp_string_type.name(),
        f.cpp_legacy_closed_enum,
        f.java_utf8_validation.name(),
        f.java_legacy_closed_enum,
    )
}

/// One line per element of the target files: kind, full name, resolved features.
fn feature_table(image: &Image) -> String {
    let mut out = String::new();
    for file in image.targets() {
        let fd = image.file_descriptor(file.name()).expect("file in pool");
        let _ = writeln!(
            out,
            "file {} ({:?}): {}",
            file.name(),
            features::file_edition(image, file.name()),
            compact(&features::file_features(image, &fd))
        );
        let mut messages: Vec<_> = fd.messages().collect();
        while let Some(m) = messages.pop() {
            messages.extend(m.child_messages());
            let _ = writeln!(
                out,
                "message {}: {}",
                m.full_name(),
                compact(&features::message_features(image, &m))
            );
            for f in m.fields() {
                let _ = writeln!(
                    out,
                    "field {}: {} effective_presence={:?} delimited={}",
                    f.full_name(),
                    compact(&features::field_features(image, &f)),
                    features::effective_presence(image, &f).map(|p| p.name()),
                    features::is_delimited(image, &f)
                );
            }
            for o in m.oneofs() {
                let _ = writeln!(
                    out,
                    "oneof {}: {}",
                    o.full_name(),
                    compact(&features::oneof_features(image, &o))
                );
            }
            for e in m.child_enums() {
                let _ = writeln!(
                    out,
                    "enum {}: {}",
                    e.full_name(),
                    compact(&features::enum_features(image, &e))
                );
            }
            for i in 0..m.descriptor_proto().extension_range.len() {
                let _ = writeln!(
                    out,
                    "extension_range {}[{i}]: {}",
                    m.full_name(),
                    compact(&features::extension_range_features(image, &m, i))
                );
            }
        }
        for e in fd.enums() {
            let _ = writeln!(
                out,
                "enum {}: {}",
                e.full_name(),
                compact(&features::enum_features(image, &e))
            );
            for v in e.values() {
                let _ = writeln!(
                    out,
                    "enum_value {}: {}",
                    v.full_name(),
                    compact(&features::enum_value_features(image, &v))
                );
            }
        }
        for x in fd.extensions() {
            let _ = writeln!(
                out,
                "extension {}: {}",
                x.full_name(),
                compact(&features::extension_features(image, &x))
            );
        }
        for s in fd.services() {
            let _ = writeln!(
                out,
                "service {}: {}",
                s.full_name(),
                compact(&features::service_features(image, &s))
            );
            for m in s.methods() {
                let _ = writeln!(
                    out,
                    "method {}: {}",
                    m.full_name(),
                    compact(&features::method_features(image, &m))
                );
            }
        }
    }
    out
}

#[test]
fn resolved_features() {
    insta::glob!("../testdata/editions/features", "*/a.proto", |path| {
        let dir = path.parent().unwrap();
        insta::assert_snapshot!(feature_table(&image(dir)));
    });
}

fn finding_lines(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            let span = f
                .span
                .as_ref()
                .map(|s| {
                    format!(
                        "{}:{}-{}:{}",
                        s.start_line, s.start_column, s.end_line, s.end_column
                    )
                })
                .unwrap_or_default();
            format!(
                "{}:{span}: {}{}",
                f.path.clone().unwrap_or_default(),
                f.message,
                f.help
                    .as_ref()
                    .map(|h| format!("\n  help: {h}"))
                    .unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn forbidden_constructs_are_compile_errors() {
    insta::glob!("../testdata/editions/errors", "*.proto", |path| {
        let ws = common::workspace(&[(
            path.file_name().unwrap().to_str().unwrap(),
            &std::fs::read_to_string(path).unwrap(),
        )]);
        match compile_dir(ws.path()) {
            Compiled::Errors(findings) => {
                assert!(
                    findings.iter().all(|f| f.span.is_some()),
                    "every error has a span: {findings:#?}"
                );
                insta::assert_snapshot!(finding_lines(&findings));
            }
            Compiled::Image(_) => panic!("{} compiled", path.display()),
        }
    });
}

/// Per field and enum of `mig.v1`: the behaviour that matters on the wire and in JSON.
fn semantics(image: &Image) -> Vec<String> {
    let mut out = Vec::new();
    let m = image.message_by_name("mig.v1.M").expect("mig.v1.M");
    for f in m.fields() {
        let r = features::field_features(image, &f);
        let encoding =
            if f.is_list() && f.kind().wire_type() != prost::encoding::WireType::LengthDelimited {
                Some(r.repeated_field_encoding.name())
            } else {
                None
            };
        out.push(format!(
            "{} presence={:?} encoding={encoding:?} utf8={} delimited={}",
            f.name(),
            features::effective_presence(image, &f).map(|p| p.name()),
            r.utf8_validation.name(),
            features::is_delimited(image, &f)
        ));
    }
    let e = image.enum_by_name("mig.v1.E").expect("mig.v1.E");
    out.push(format!(
        "enum E {}",
        features::enum_features(image, &e).enum_type.name()
    ));
    out
}

#[test]
fn proto3_to_editions_migration() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/editions/migration");
    let proto3 = semantics(&image(&root.join("proto3")));
    let faithful = semantics(&image(&root.join("editions_faithful")));
    let changed = semantics(&image(&root.join("editions_changed")));
    assert_eq!(proto3, faithful);
    let differences: Vec<(&String, &String)> = proto3
        .iter()
        .zip(&changed)
        .filter(|(a, b)| a != b)
        .collect();
    insta::assert_debug_snapshot!(differences);
}

const EDITION_FILE: &str = "edition = \"2023\";\npackage acme.v1;\n\n// A thing.\nmessage Thing {\n  string name = 1 [features.field_presence = IMPLICIT];\n  int32 id = 2 [features.field_presence = LEGACY_REQUIRED];\n}\n";

#[test]
fn image_keeps_the_editions_form() {
    let ws = common::workspace(&[("acme/v1/thing.proto", EDITION_FILE)]);
    let run = common::protoforge(ws.path(), &["build", "-o", "out.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ws.path().join("out.json")).unwrap()).unwrap();
    let files = json["file"].as_array().unwrap();
    // descriptor.proto is linked for `features` but not imported: not in the image.
    assert_eq!(files.len(), 1, "{json:#}");
    let file = &files[0];
    assert_eq!(file["syntax"], "editions");
    assert_eq!(file["edition"], "EDITION_2023");
    assert!(file.get("dependency").is_none(), "{file:#}");
    let fields = file["messageType"][0]["field"].as_array().unwrap();
    assert_eq!(
        fields[0]["options"]["features"]["fieldPresence"],
        "IMPLICIT"
    );
    assert_eq!(fields[1]["label"], "LABEL_OPTIONAL");
    assert_eq!(
        fields[1]["options"]["features"]["fieldPresence"],
        "LEGACY_REQUIRED"
    );
    let locations = file["sourceCodeInfo"]["location"].as_array().unwrap();
    let edition_loc = locations
        .iter()
        .find(|l| l["path"] == serde_json::json!([12]))
        .expect("edition statement location");
    assert_eq!(edition_loc["span"], serde_json::json!([0, 0, 17]));
    let message_loc = locations
        .iter()
        .find(|l| l["path"] == serde_json::json!([4, 0]))
        .unwrap();
    assert_eq!(message_loc["leadingComments"], " A thing.\n");

    // The binary image carries field 14 (edition) too.
    let run = common::protoforge(ws.path(), &["build", "-o", "out.binpb"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let bytes = std::fs::read(ws.path().join("out.binpb")).unwrap();
    let set: prost_types::FileDescriptorSet = prost::Message::decode(bytes.as_slice()).unwrap();
    assert_eq!(set.file[0].syntax(), "editions");
}

#[test]
fn legacy_required_is_required_for_linking() {
    let ws = common::workspace(&[("a.proto", EDITION_FILE)]);
    let image = image(ws.path());
    let id = image
        .message_by_name("acme.v1.Thing")
        .unwrap()
        .get_field_by_name("id")
        .unwrap();
    assert_eq!(
        features::effective_presence(&image, &id),
        Some(features::FieldPresence::LegacyRequired)
    );
    assert_eq!(
        image
            .files
            .iter()
            .find(|f| f.name() == "a.proto")
            .unwrap()
            .edition,
        Some(protoforge::compile::editions::Edition::E2023)
    );
}

#[test]
fn editions_file_importing_a_proto3_file_and_back() {
    let ws = common::workspace(&[
        ("a.proto", "edition = \"2023\";\npackage p;\nimport \"b.proto\";\nmessage A { B b = 1; E e = 2; }\n"),
        ("b.proto", "syntax = \"proto3\";\npackage p;\nimport \"c.proto\";\nmessage B { C c = 1; }\nenum E { E_UNSPECIFIED = 0; }\n"),
        ("c.proto", "edition = \"2023\";\npackage p;\nmessage C { string s = 1; }\n"),
    ]);
    let image = image(ws.path());
    assert_eq!(
        image.files.len(),
        3,
        "{:?}",
        image.files.iter().map(|f| f.name()).collect::<Vec<_>>()
    );
}

#[test]
fn reserved_identifiers_become_reserved_names() {
    let src = "edition = \"2023\";\npackage r;\nmessage M {\n  reserved 1 to 3;\n  reserved foo, bar_baz;\n  enum E {\n    E_ZERO = 0;\n    reserved OLD;\n  }\n}\n";
    let ws = common::workspace(&[("a.proto", src)]);
    let image = image(ws.path());
    let file = image.file("a.proto").unwrap();
    let m = &file.proto.message_type[0];
    assert_eq!(m.reserved_name, ["foo", "bar_baz"]);
    assert_eq!(m.reserved_range.len(), 1);
    assert_eq!(m.enum_type[0].reserved_name, ["OLD"]);
    assert!(m.enum_type[0].reserved_range.is_empty());
    let span = |path: &[i32]| file.locations().get(path).map(|l| l.span.clone());
    assert_eq!(span(&[4, 0, 10, 1]), Some(vec![4, 16, 23]));
    assert_eq!(span(&[4, 0, 10]), Some(vec![4, 2, 24]));
    assert_eq!(span(&[4, 0, 4, 0, 5, 0]), Some(vec![7, 13, 16]));
}

#[test]
fn default_values_keep_buf_locations() {
    let src = "edition = \"2023\";\npackage d;\nmessage M {\n  string s = 1 [default = \"abc\"];\n  int32 i = 2 [default = -5, json_name = \"eye\"];\n  bytes b = 3 [default = \"a\\nb\"];\n}\n";
    let ws = common::workspace(&[("a.proto", src)]);
    let image = image(ws.path());
    let file = image.file("a.proto").unwrap();
    let fields = &file.proto.message_type[0].field;
    assert_eq!(fields[0].default_value(), "abc");
    assert_eq!(fields[1].default_value(), "-5");
    assert_eq!(fields[1].json_name(), "eye");
    assert_eq!(fields[2].default_value(), "a\\nb");
    let span = |path: &[i32]| file.locations().get(path).map(|l| l.span.clone());
    assert_eq!(span(&[4, 0, 2, 0, 7]), Some(vec![3, 16, 31]));
    // As buf: no options location when only `default` / `json_name` are in the brackets.
    assert_eq!(span(&[4, 0, 2, 0, 8]), None);
    assert_eq!(span(&[4, 0, 2, 1, 8]), None);
    assert_eq!(span(&[4, 0, 2, 1, 7]), Some(vec![4, 15, 27]));
}

#[test]
fn proto3_message_cannot_use_a_closed_editions_enum() {
    let ws = common::workspace(&[
        ("a.proto", "edition = \"2023\";\npackage p;\nenum E { E_ZERO = 0; }\nenum C {\n  option features.enum_type = CLOSED;\n  C_ONE = 1;\n}\n"),
        ("b.proto", "syntax = \"proto3\";\npackage p;\nimport \"a.proto\";\nmessage M {\n  E e = 1;\n  C c = 2;\n}\n"),
    ]);
    let Compiled::Errors(findings) = compile_dir(ws.path()) else {
        panic!("compiled")
    };
    assert_eq!(
        finding_lines(&findings),
        "b.proto:6:3-6:4: closed enum `p.C` cannot be used in a \"proto3\" message"
    );
}

#[test]
fn editions_images_read_back() {
    let ws = common::workspace(&[("acme/v1/thing.proto", EDITION_FILE)]);
    assert_eq!(
        common::protoforge(ws.path(), &["build", "-o", "out.binpb"]).code,
        0
    );
    let run = common::protoforge(ws.path(), &["build", "out.binpb", "-o", "again.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ws.path().join("again.json")).unwrap()).unwrap();
    let file = &json["file"][0];
    assert_eq!(file["syntax"], "editions");
    assert_eq!(file["edition"], "EDITION_2023");
    let fields = file["messageType"][0]["field"].as_array().unwrap();
    assert_eq!(fields[1]["label"], "LABEL_OPTIONAL");
    assert_eq!(
        fields[1]["options"]["features"]["fieldPresence"],
        "LEGACY_REQUIRED"
    );
}

#[test]
fn generate_accepts_editions_files() {
    let ws = common::workspace(&[
        ("buf.yaml", "version: v2\nmodules:\n  - path: proto\n"),
        (
            "buf.gen.yaml",
            "version: v2\nplugins:\n  - remote: buf.build/community/neoeinstein-prost\n    out: gen/src\ninputs:\n  - directory: proto\n",
        ),
        (
            "proto/acme/v1/a.proto",
            "edition = \"2023\";\npackage acme.v1;\nmessage Thing {\n  string name = 1;\n  Thing child = 2 [features.message_encoding = DELIMITED];\n  int32 id = 3 [features.field_presence = LEGACY_REQUIRED];\n}\n",
        ),
    ]);
    let run = common::protoforge(ws.path(), &["generate"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let code = std::fs::read_to_string(ws.path().join("gen/src/acme.v1.rs")).unwrap();
    assert!(
        code.contains("#[prost(group, optional, boxed, tag = \"2\")]"),
        "{code}"
    );
    assert!(
        code.contains("#[prost(int32, required, tag = \"3\")]"),
        "{code}"
    );
}

//! Editions 2023/2024: resolved features (snapshots), forbidden constructs (compile errors),
//! proto3 -> editions migrations, and the editions form of written images.

use crate::common;

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
    insta::glob!("../../testdata/editions/features", "*/a.proto", |path| {
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
    insta::glob!("../../testdata/editions/errors", "*.proto", |path| {
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
    let m = &file.proto().message_type[0];
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
    let fields = &file.proto().message_type[0].field;
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

/// The files of a JSON image without `google/...`: per file, the descriptor without buf's
/// extension and source info, and the set of locations (buf and protox order them differently).
fn comparable(json: &serde_json::Value) -> Vec<(serde_json::Value, Vec<String>)> {
    json["file"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !f["name"].as_str().unwrap().starts_with("google/"))
        .map(|f| {
            let mut f = f.clone();
            let obj = f.as_object_mut().unwrap();
            obj.remove("bufExtension");
            let info = obj.remove("sourceCodeInfo").unwrap_or_default();
            let mut locations: Vec<String> = info["location"]
                .as_array()
                .map(|l| l.iter().map(|l| l.to_string()).collect())
                .unwrap_or_default();
            locations.sort();
            (f, locations)
        })
        .collect()
}

fn option_import_fixture() -> std::path::PathBuf {
    common::repo_root().join("testdata/editions/option_import")
}

/// `import option` (edition 2024): the image has the files in `option_dependency` (field 15),
/// not in `dependency` (public index renumbered, locations at `[15, i]`), exactly as buf 1.75
/// builds the same folder (`buf_image.json`); custom options from those files resolve.
#[test]
fn option_imports_build_as_buf() {
    let dir = option_import_fixture();
    let out = tempfile::tempdir().unwrap();
    let json_path = out.path().join("image.json");
    let run = common::protoforge(&dir, &["build", "-o", json_path.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ours: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    let buf: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("buf_image.json")).unwrap()).unwrap();
    let mut ours = comparable(&ours);
    let mut buf = comparable(&buf);
    let name = |f: &(serde_json::Value, Vec<String>)| f.0["name"].as_str().unwrap().to_string();
    ours.sort_by_key(name);
    buf.sort_by_key(name);
    assert_eq!(ours.len(), buf.len());
    for (o, b) in ours.iter().zip(&buf) {
        assert_eq!(o.0, b.0, "descriptor of {}", name(b));
        assert_eq!(o.1, b.1, "locations of {}", name(b));
    }
    let a = &buf.iter().find(|f| name(f) == "a/v1/a.proto").unwrap().0;
    assert_eq!(
        a["optionDependency"],
        serde_json::json!(["opts/v1/opts.proto", "google/protobuf/cpp_features.proto"])
    );

    // Binary: field 15 of the FileDescriptorProto, and it reads back.
    let bin_path = out.path().join("image.binpb");
    let run = common::protoforge(&dir, &["build", "-o", bin_path.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let bytes = std::fs::read(&bin_path).unwrap();
    let files = raw_fields(&bytes, 1);
    let a = files
        .iter()
        .find(|f| raw_fields(f, 1).first().map(|n| n.as_slice()) == Some(b"a/v1/a.proto"))
        .expect("a/v1/a.proto in the image");
    let strings = |n: u32| -> Vec<String> {
        raw_fields(a, n)
            .iter()
            .map(|b| String::from_utf8(b.clone()).unwrap())
            .collect()
    };
    assert_eq!(
        strings(15),
        ["opts/v1/opts.proto", "google/protobuf/cpp_features.proto"]
    );
    assert_eq!(strings(3), ["other/v1/other.proto", "other/v1/more.proto"]);

    let again = out.path().join("again.json");
    let run = common::protoforge(
        out.path(),
        &["build", "image.binpb", "-o", again.to_str().unwrap()],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let again: serde_json::Value = serde_json::from_slice(&std::fs::read(&again).unwrap()).unwrap();
    let mut again = comparable(&again);
    again.sort_by_key(name);
    for (o, b) in again.iter().zip(&buf) {
        assert_eq!(o.0, b.0, "descriptor of {} read back", name(b));
    }
}

/// Length-delimited values of field `number` of an encoded message.
fn raw_fields(mut buf: &[u8], number: u32) -> Vec<Vec<u8>> {
    use prost::encoding::{decode_key, decode_varint, WireType};
    let mut out = Vec::new();
    while !buf.is_empty() {
        let (tag, wire) = decode_key(&mut buf).unwrap();
        match wire {
            WireType::Varint => {
                decode_varint(&mut buf).unwrap();
            }
            WireType::LengthDelimited => {
                let len = decode_varint(&mut buf).unwrap() as usize;
                if tag == number {
                    out.push(buf[..len].to_vec());
                }
                buf = &buf[len..];
            }
            WireType::SixtyFourBit => buf = &buf[8..],
            WireType::ThirtyTwoBit => buf = &buf[4..],
            w => panic!("unexpected wire type {w:?}"),
        }
    }
    out
}

/// The pool links `import option` files as imports: custom options read through it resolve.
#[test]
fn option_import_extensions_resolve_in_the_pool() {
    let image = image(&option_import_fixture());
    let file = image.file("a/v1/a.proto").unwrap();
    assert_eq!(
        file.option_dependency,
        ["opts/v1/opts.proto", "google/protobuf/cpp_features.proto"]
    );
    assert_eq!(
        file.proto().dependency,
        ["other/v1/other.proto", "other/v1/more.proto"]
    );
    assert_eq!(file.proto().public_dependency, [0]);
    let pool = image.pool_of("a/v1/a.proto").expect("a.proto linked");
    let m = pool.get_message_by_name("a.v1.A").unwrap();
    let info = pool.get_extension_by_name("opts.v1.info").unwrap();
    let value = m.options().get_extension(&info).into_owned();
    let owner = value
        .as_message()
        .unwrap()
        .get_field_by_name("owner")
        .unwrap();
    assert_eq!(owner.as_str(), Some("team-a"));
    let name = m.get_field_by_name("name").unwrap();
    let f = features::field_features(&image, &name);
    assert_eq!(f.cpp_string_type, features::CppStringType::String);
}

/// Types of `import option` files cannot be used as field types, extendees or RPC types
/// (buf: "`T` is only imported for use in options", at the type as written); nor can the
/// `descriptor.proto` the front end links for `features` without an import.
#[test]
fn option_import_types_are_not_usable() {
    let opts = "edition = \"2023\";\npackage opts;\nimport \"google/protobuf/descriptor.proto\";\nextend google.protobuf.MessageOptions { string tag = 50001; }\nmessage OptMsg { string s = 1; }\n";
    let ws = common::workspace(&[
        ("opts.proto", opts),
        ("other.proto", "edition = \"2024\";\npackage other;\nmessage O {}\n"),
        (
            "t.proto",
            "edition = \"2024\";\npackage t;\nimport \"other.proto\";\nimport option \"opts.proto\";\nmessage A { option (opts.tag) = \"x\"; other.O o = 1; opts.OptMsg m = 2; map<string, .opts.OptMsg> mm = 3; }\nservice S { rpc M(opts.OptMsg) returns (opts.OptMsg); }\nextend google.protobuf.MessageOptions { opts.OptMsg x = 50077; }\n",
        ),
    ]);
    let Compiled::Errors(findings) = compile_dir(ws.path()) else {
        panic!("compiled")
    };
    insta::assert_snapshot!(finding_lines(&findings));
}

#[test]
fn descriptor_types_need_an_import_in_editions_files() {
    let ws = common::workspace(&[(
        "t.proto",
        "edition = \"2023\";\npackage t;\nmessage A { google.protobuf.FileOptions o = 1; }\n",
    )]);
    let Compiled::Errors(findings) = compile_dir(ws.path()) else {
        panic!("compiled")
    };
    assert_eq!(
        finding_lines(&findings),
        "t.proto:3:13-3:40: cannot find `google.protobuf.FileOptions` in this scope\n  help: add `import \"google/protobuf/descriptor.proto\";`"
    );
}

/// buf 1.75 ignores option imports in breaking checks: turning one into a plain import and
/// dropping the options it served breaks nothing.
#[test]
fn option_imports_are_not_breaking() {
    let opts = "edition = \"2023\";\npackage opts;\nimport \"google/protobuf/descriptor.proto\";\nextend google.protobuf.MessageOptions { string tag = 50001; }\nextend google.protobuf.FieldOptions { int32 weight = 50002; }\nmessage OptMsg { string s = 1; }\n";
    let ws = common::workspace(&[
        ("prev/buf.yaml", "version: v2\nbreaking:\n  use: [FILE, WIRE_JSON]\n"),
        ("prev/opts.proto", opts),
        (
            "prev/a.proto",
            "edition = \"2024\";\npackage a;\nimport option \"opts.proto\";\nmessage A {\n  option (opts.tag) = \"x\";\n  string name = 1 [(opts.weight) = 3];\n}\n",
        ),
        ("cur/buf.yaml", "version: v2\nbreaking:\n  use: [FILE, WIRE_JSON]\n"),
        ("cur/opts.proto", opts),
        (
            "cur/a.proto",
            "edition = \"2024\";\npackage a;\nimport \"opts.proto\";\nmessage A {\n  string name = 1;\n  opts.OptMsg m = 2;\n}\n",
        ),
    ]);
    let run = common::protoforge(ws.path(), &["breaking", "cur", "--against", "prev"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
    // The other way round, buf reports the deleted field (three rules), as for plain imports.
    let run = common::protoforge(ws.path(), &["breaking", "prev", "--against", "cur"]);
    assert_eq!(run.code, 100, "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 3, "{}", run.stdout);
}

/// Edition 2024 `export` / `local` and `features.default_symbol_visibility`: local types of
/// another file cannot be used (from any syntax), nor types nested in a local message; STRICT
/// files cannot export nested types. Findings checked against buf 1.75.
#[test]
fn symbol_visibility_as_buf() {
    let a = "edition = \"2024\";\npackage v;\nlocal message Outer { export message Nested {} }\nmessage Top { export message N2 {} message N3 {} export enum NE { NE_ZERO = 0; } }\nlocal enum LE { LE_ZERO = 0; }\nlocal message LExt { extensions 100 to 200; }\n";
    let b = "edition = \"2024\";\npackage v;\nimport \"a.proto\";\nmessage B {\n  Outer.Nested a = 1;\n  Top.N2 b = 2;\n  Top.N3 c = 3;\n  Top.NE d = 4;\n  LE e = 5;\n  map<string, Top.N3> m = 6;\n}\nextend LExt { int32 x = 100; }\nservice S { rpc M(Top.N3) returns (Outer); }\n";
    let c = "syntax = \"proto3\";\npackage v;\nimport \"a.proto\";\nmessage C { LE l = 1; Top t = 2; }\n";
    let ws = common::workspace(&[("a.proto", a), ("b.proto", b), ("c.proto", c)]);
    let Compiled::Errors(findings) = compile_dir(ws.path()) else {
        panic!("compiled")
    };
    insta::assert_snapshot!("visibility_default", finding_lines(&findings));

    let strict = "edition = \"2024\";\npackage v;\noption features.default_symbol_visibility = STRICT;\nexport message Top { export message N2 {} message N3 {} }\nmessage Holder { export enum E { E_ZERO = 0; } }\nmessage Caveat { export enum CE { CE_ZERO = 0; } reserved 1 to max; }\n";
    let ws = common::workspace(&[("a.proto", strict)]);
    let Compiled::Errors(findings) = compile_dir(ws.path()) else {
        panic!("compiled")
    };
    assert_eq!(
        finding_lines(&findings),
        "a.proto:4:22-4:28: nested message type marked as exported\na.proto:5:18-5:24: message type `v.Holder` does not reserve all field numbers"
    );

    // Same file: local types are usable; EXPORT_ALL exports nested types too.
    let ok_a = "edition = \"2024\";\npackage v;\noption features.default_symbol_visibility = EXPORT_ALL;\nmessage Top { message Nested {} }\nlocal message L {}\nmessage UsesL { L l = 1; }\n";
    let ok_b =
        "edition = \"2024\";\npackage v;\nimport \"a.proto\";\nmessage B { Top.Nested n = 1; }\n";
    let ws = common::workspace(&[("a.proto", ok_a), ("b.proto", ok_b)]);
    image(ws.path());
}

/// `edition="2023";` (shorter than a `syntax` statement), an edition statement over several
/// lines, CRLF: all compile, with buf's `[12]` location and every later position unchanged.
#[test]
fn edition_statement_in_any_layout() {
    let cases = [
        (
            "edition=\"2023\";\npackage g;\nmessage M {\n  int32 a = 1;\n}\n",
            vec![0, 0, 15],
        ),
        (
            "edition =\n  \"2023\";\npackage g;\nmessage M {\n  int32 a = 1;\n}\n",
            vec![0, 0, 1, 9],
        ),
        (
            "edition = \"2023\";\r\npackage g;\r\nmessage M {\r\n  int32 a = 1;\r\n}\r\n",
            vec![0, 0, 17],
        ),
    ];
    for (src, edition_span) in cases {
        let ws = common::workspace(&[("a.proto", src)]);
        let image = image(ws.path());
        let file = image.file("a.proto").unwrap();
        let span = |path: &[i32]| file.locations().get(path).map(|l| l.span.clone());
        assert_eq!(span(&[12]), Some(edition_span), "{src:?}");
        let line = src.lines().position(|l| l.contains("int32 a")).unwrap() as i32;
        assert_eq!(span(&[4, 0, 2, 0, 1]), Some(vec![line, 8, 9]), "{src:?}");
    }
    // Errors found by protox after a short edition statement keep their positions.
    let ws = common::workspace(&[(
        "a.proto",
        "edition=\"2023\";\npackage g;\nmessage M { int32 a = 1; int32 b = 1; }\n",
    )]);
    let Compiled::Errors(findings) = compile_dir(ws.path()) else {
        panic!("compiled")
    };
    assert_eq!(
        finding_lines(&findings),
        "a.proto:3:23-3:24: field number '1' is already used"
    );
}

/// Float and double defaults are written as buf writes them (checked against buf 1.75),
/// including `-inf` / `-nan`, which protox refuses as option values.
#[test]
fn float_defaults_as_buf() {
    let src = "edition = \"2023\";\npackage g;\nmessage M {\n  double a = 1 [default = 1.50];\n  float b = 2 [default = 1e5];\n  double c = 3 [default = -0.0];\n  double d = 4 [default = -nan];\n  float e = 5 [default = 1.5e-3];\n  double f = 6 [default = -inf];\n  float g = 7 [default = inf];\n  double h = 8 [default = 1e21];\n  double i = 9 [default = -2.5e-5];\n  double j = 10 [default = 1234567];\n  double k = 11 [default = 5];\n}\n";
    let ws = common::workspace(&[("a.proto", src)]);
    let image = image(ws.path());
    let fields = &image.file("a.proto").unwrap().proto().message_type[0].field;
    let defaults: Vec<&str> = fields.iter().map(|f| f.default_value()).collect();
    assert_eq!(
        defaults,
        [
            "1.5",
            "100000",
            "-0",
            "nan",
            "0.001500000013038516",
            "-inf",
            "inf",
            "1e+21",
            "-2.5e-05",
            "1.234567e+06",
            "5"
        ]
    );
}

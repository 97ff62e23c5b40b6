//! `protoforge build`: exit codes, images, and bad input (each names the file and exits 1, or 100 for
//! compile errors).

use crate::common;

use common::{protoforge, workspace};

const GOOD: &str = "syntax = \"proto3\";\npackage acme.v1;\n\nimport \"google/protobuf/timestamp.proto\";\n\nmessage Thing {\n  string name = 1;\n  google.protobuf.Timestamp at = 2;\n}\n";

#[test]
fn builds_clean_input_with_exit_0() {
    let ws = workspace(&[("acme/v1/thing.proto", GOOD)]);
    let run = protoforge(ws.path(), &["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn writes_binary_and_json_images_that_read_back() {
    let ws = workspace(&[("acme/v1/thing.proto", GOOD)]);
    let run = protoforge(ws.path(), &["build", "-o", "out.binpb"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let bytes = std::fs::read(ws.path().join("out.binpb")).unwrap();
    let set: prost_types::FileDescriptorSet = prost::Message::decode(bytes.as_slice()).unwrap();
    let names: Vec<&str> = set.file.iter().map(|f| f.name()).collect();
    assert_eq!(
        names,
        ["google/protobuf/timestamp.proto", "acme/v1/thing.proto"]
    );
    assert!(set.file[1].source_code_info.is_some());

    let run = protoforge(
        ws.path(),
        &[
            "build",
            "-o",
            "out.json",
            "--exclude-imports",
            "--exclude-source-info",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ws.path().join("out.json")).unwrap()).unwrap();
    let files = json["file"].as_array().unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["name"], "acme/v1/thing.proto");
    assert!(files[0].get("sourceCodeInfo").is_none());
}

#[test]
fn image_bytes_are_deterministic() {
    let ws = workspace(&[
        ("acme/v1/thing.proto", GOOD),
        (
            "acme/v1/other.proto",
            "syntax = \"proto3\";\npackage acme.v1;\nmessage Other {}\n",
        ),
    ]);
    assert_eq!(protoforge(ws.path(), &["build", "-o", "a.binpb"]).code, 0);
    assert_eq!(protoforge(ws.path(), &["build", "-o", "b.binpb"]).code, 0);
    assert_eq!(
        std::fs::read(ws.path().join("a.binpb")).unwrap(),
        std::fs::read(ws.path().join("b.binpb")).unwrap()
    );
}

#[test]
fn output_names_and_options_choose_format_and_compression_as_buf() {
    use std::io::Read;
    let ws = workspace(&[("acme/v1/thing.proto", GOOD)]);
    let read = |name: &str| std::fs::read(ws.path().join(name)).unwrap();
    let gunzip = |bytes: Vec<u8>| {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes.as_slice())
            .read_to_end(&mut out)
            .unwrap();
        out
    };
    for out in [
        "ref.binpb",
        "ref.json",
        "plain",
        "other.ext",
        "gz.binpb.gz",
        "gz.json.gz",
    ] {
        let run = protoforge(ws.path(), &["build", "-o", out]);
        assert_eq!(run.code, 0, "-o {out}: {}", run.stderr);
    }
    let options = protoforge(
        ws.path(),
        &["build", "-o", "opt#format=json,compression=gzip"],
    );
    assert_eq!(options.code, 0, "{}", options.stderr);
    // Any name that is not .json is a binary image, as in buf; .gz compresses.
    assert_eq!(read("plain"), read("ref.binpb"));
    assert_eq!(read("other.ext"), read("ref.binpb"));
    assert_eq!(gunzip(read("gz.binpb.gz")), read("ref.binpb"));
    assert_eq!(gunzip(read("gz.json.gz")), read("ref.json"));
    assert_eq!(gunzip(read("opt")), read("ref.json"));
}

#[test]
fn output_to_dev_null_writes_nothing_anywhere() {
    let ws = workspace(&[("acme/v1/thing.proto", GOOD)]);
    let run = protoforge(ws.path(), &["build", "-o", "/dev/null"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let meta = std::fs::metadata("/dev/null").unwrap();
    assert!(!meta.is_file(), "/dev/null was replaced by a file");
}

#[test]
fn output_formats_protoforge_does_not_write_are_refused_naming_the_option() {
    let ws = workspace(&[("acme/v1/thing.proto", GOOD)]);
    for (out, says) in [
        ("out.txtpb", "does not write txtpb images"),
        ("out.yaml", "does not write yaml images"),
        ("out.json.zst", "does not write zstd-compressed images"),
        ("out#format=xml", "unknown image format \"xml\""),
        ("out#compression=lz4", "unknown compression \"lz4\""),
        ("out#level=9", "unknown option \"level=9\""),
    ] {
        let run = protoforge(ws.path(), &["build", "-o", out]);
        assert_eq!(run.code, 1, "-o {out}: {}", run.stderr);
        assert!(run.stderr.contains(says), "-o {out}: {}", run.stderr);
        let written = out.split('#').next().unwrap();
        assert!(!ws.path().join(written).exists(), "-o {out} wrote a file");
    }
    // As buf: when the input does not compile, its errors are what is reported (exit 100).
    common::write(ws.path(), "bad.proto", b"syntax = ");
    let run = protoforge(ws.path(), &["build", "-o", "out#format=xml"]);
    assert_eq!(run.code, 100, "{}", run.stderr);
    assert!(run.stderr.contains("bad.proto:1:"), "{}", run.stderr);
}

#[test]
fn image_to_stdout() {
    let ws = workspace(&[("acme/v1/thing.proto", GOOD)]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_protoforge"))
        .args(["build", "-o", "-"])
        .current_dir(ws.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let set: prost_types::FileDescriptorSet =
        prost::Message::decode(out.stdout.as_slice()).unwrap();
    assert_eq!(set.file.len(), 2);
}

#[test]
fn syntax_error_is_a_compile_finding_with_exit_100() {
    let ws = workspace(&[(
        "a.proto",
        "syntax = \"proto3\";\nmessage A {\n  string name = ;\n}\n",
    )]);
    let run = protoforge(ws.path(), &["build", "--error-format", "json"]);
    assert_eq!(run.code, 100);
    let line: serde_json::Value = serde_json::from_str(run.stderr.lines().next().unwrap()).unwrap();
    assert_eq!(line["path"], "a.proto");
    assert_eq!(line["start_line"], 3);
    assert_eq!(line["type"], "COMPILE");
}

#[test]
fn import_not_found_names_the_import_and_how_to_supply_it() {
    let ws = workspace(&[(
        "a.proto",
        "syntax = \"proto3\";\nimport \"google/api/annotations.proto\";\nmessage A {}\n",
    )]);
    // buf's finding (json, text): the statement, "imported file does not exist".
    let run = protoforge(ws.path(), &["build", "--error-format", "json"]);
    assert_eq!(run.code, 100, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("\"message\":\"imported file does not exist\""),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("\"path\":\"a.proto\""),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("\"start_line\":2"), "{}", run.stderr);
    // The frame shows the import, the help says where it comes from and how to supply it.
    let pretty = protoforge(ws.path(), &["build", "--error-format", "pretty"]);
    assert!(
        pretty.stderr.contains("google/api/annotations.proto")
            && pretty.stderr.contains("buf.build/googleapis/googleapis")
            && pretty.stderr.contains("-I DIR"),
        "{}",
        pretty.stderr
    );
}

#[test]
fn include_roots_supply_missing_imports() {
    let ws = workspace(&[
        (
            "proto/a.proto",
            "syntax = \"proto3\";\nimport \"dep/d.proto\";\nmessage A { dep.D d = 1; }\n",
        ),
        (
            "third_party/dep/d.proto",
            "syntax = \"proto3\";\npackage dep;\nmessage D {}\n",
        ),
    ]);
    let run = protoforge(ws.path(), &["build", "proto", "-I", "third_party"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_protoforge"))
        .args(["build", "proto"])
        .env("PROTOFORGE_INCLUDE", ws.path().join("third_party"))
        .current_dir(ws.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn duplicate_definitions_across_roots_are_reported_once_each() {
    let m = "syntax = \"proto3\";\npackage x;\nmessage M {}\nenum E { E_UNSPECIFIED = 0; }\n";
    let ws = workspace(&[("a/m.proto", m), ("b/m.proto", m)]);
    let run = protoforge(ws.path(), &["build", "--error-format", "json"]);
    assert_eq!(run.code, 100);
    let lines: Vec<&str> = run.stderr.lines().collect();
    // As buf 1.75: once per clashing name (not again for the enum's values), at the first file.
    assert_eq!(lines.len(), 2, "{}", run.stderr);
    assert!(
        lines.iter().all(|l| l.contains("\"path\":\"a/m.proto\"")),
        "{}",
        run.stderr
    );
}

#[test]
fn binary_junk_in_a_proto_file_is_a_compile_error_naming_the_file() {
    let ws = workspace(&[]);
    common::write(ws.path(), "junk.proto", &[0xff, 0xfe, 0x00, 0x12, b'a']);
    let run = protoforge(ws.path(), &["build"]);
    assert_eq!(run.code, 100);
    assert!(
        run.stderr.contains(
            "junk.proto:1:1:input appears to be encoded with UTF-8, but found invalid byte"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn missing_input_is_exit_1() {
    let ws = workspace(&[]);
    let run = protoforge(ws.path(), &["build", "nope"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("nope"), "{}", run.stderr);
}

#[test]
fn unknown_flag_is_exit_1() {
    let ws = workspace(&[]);
    let run = protoforge(ws.path(), &["build", "--frobnicate"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("--frobnicate"));
}

#[test]
fn path_that_matches_nothing_is_exit_1() {
    let ws = workspace(&[("a.proto", "syntax = \"proto3\";\nmessage A {}\n")]);
    let run = protoforge(ws.path(), &["build", "--path", "b.proto"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("b.proto"), "{}", run.stderr);
}

#[test]
fn ls_files_lists_targets_sorted() {
    let ws = workspace(&[
        ("b.proto", "syntax = \"proto3\";\nmessage B {}\n"),
        ("a/a.proto", "syntax = \"proto3\";\nmessage A {}\n"),
    ]);
    let run = protoforge(ws.path(), &["ls-files"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "a/a.proto\nb.proto\n");
}

#[test]
fn version_and_help_exit_0() {
    let ws = workspace(&[]);
    assert_eq!(protoforge(ws.path(), &["--version"]).code, 0);
    let help = protoforge(ws.path(), &["build", "--help"]);
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("Examples:"));
    let completion = protoforge(ws.path(), &["completion", "bash"]);
    assert_eq!(completion.code, 0);
    assert!(completion.stdout.contains("protoforge"));
}

/// proto2 fields whose default JSON names clash (`foo_bar`, `fooBar`) compile, as in buf; both keep
/// their JSON name in the image, which reads back. An explicit `json_name` clash is an error.
#[test]
fn proto2_default_json_name_clashes_compile_as_in_buf() {
    const CLASH: &str = "syntax = \"proto2\";\npackage a.v1;\nmessage M {\n  optional string foo_bar = 1;\n  optional string fooBar = 2;\n  message N { optional int32 _x = 1; optional int32 X = 2; }\n}\n";
    let ws = workspace(&[("a/v1/a.proto", CLASH)]);
    let run = protoforge(ws.path(), &["build", "-o", "out.binpb"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let bytes = std::fs::read(ws.path().join("out.binpb")).unwrap();
    let set: prost_types::FileDescriptorSet = prost::Message::decode(bytes.as_slice()).unwrap();
    let m = &set.file[0].message_type[0];
    let json: Vec<&str> = m.field.iter().map(|f| f.json_name()).collect();
    assert_eq!(json, ["fooBar", "fooBar"]);
    let json: Vec<&str> = m.nested_type[0]
        .field
        .iter()
        .map(|f| f.json_name())
        .collect();
    assert_eq!(json, ["X", "X"]);

    let run = protoforge(ws.path(), &["build", "out.binpb", "-o", "again.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let again = std::fs::read_to_string(ws.path().join("again.json")).unwrap();
    assert_eq!(
        again.matches("\"jsonName\":\"fooBar\"").count(),
        2,
        "{again}"
    );

    let explicit = CLASH.replace("fooBar = 2;", "baz = 2 [json_name = \"fooBar\"];");
    let ws = workspace(&[("a/v1/a.proto", &explicit)]);
    let run = protoforge(ws.path(), &["build", "--error-format", "text"]);
    assert_eq!(run.code, 100, "{}", run.stderr);
    assert!(run.stderr.contains("a/v1/a.proto:5:"), "{}", run.stderr);
}

/// A `.proto` file that cannot be read: exit 1, and the message names the file and says what to do.
/// (The tests may run as root, who reads any file whatever its mode: `/proc/self/mem` cannot be
/// read at offset 0 by anyone.)
#[cfg(target_os = "linux")]
#[test]
fn an_unreadable_file_is_an_error_naming_it() {
    let ws = workspace(&[("acme/v1/thing.proto", GOOD)]);
    std::os::unix::fs::symlink("/proc/self/mem", ws.path().join("acme/v1/secret.proto")).unwrap();
    let run = protoforge(ws.path(), &["build"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("acme/v1/secret.proto"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("readable"), "{}", run.stderr);
}

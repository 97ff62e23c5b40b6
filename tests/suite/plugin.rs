//! The protoc plugins under a real protoc, as Bazel's rules run them: every parameter key in its
//! JSON and YAML forms, config and module selection, against inputs of every kind (images written
//! by buf and by protoforge, binary and JSON, directories), and the errors (stderr, exit 1). The
//! comparison with buf's own plugins on buf's check cases is `tests/plugin_buf_golden.rs`.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::plugin::{self, Answer, Files};
use prost::Message;
use prost_types::compiler::{CodeGeneratorRequest, CodeGeneratorResponse};

const LINTED: &str = r#"syntax = "proto3";

package acme.v1;

message user_profile {
  string Name = 1;
}
"#;

const V1_CONFIG: &str = "version: v1\nlint:\n  use:\n    - MESSAGE_PASCAL_CASE\n";

fn protoc(test: &str) -> Option<PathBuf> {
    common::protoc(test)
}

fn dot() -> Vec<String> {
    vec![".".to_string()]
}

fn targets(files: &[&str]) -> Vec<String> {
    files.iter().map(|f| f.to_string()).collect()
}

/// Lints `files` of `dir` (`-I .`) with `parameter`.
fn lint(protoc: &Path, dir: &Path, parameter: &str, files: &[&str]) -> Answer {
    plugin::run(
        protoc,
        &plugin::lint_plugin(),
        dir,
        Files::Include(&dot()),
        parameter,
        &targets(files),
    )
}

fn breaking(protoc: &Path, dir: &Path, parameter: &str, files: &[&str]) -> Answer {
    plugin::run(
        protoc,
        &plugin::breaking_plugin(),
        dir,
        Files::Include(&dot()),
        parameter,
        &targets(files),
    )
}

/// The plugin failed (exit 1) and said `needle` on stderr.
fn assert_failed(answer: &Answer, needle: &str) {
    assert!(
        answer.plugin_failed && answer.exit == 1,
        "expected the plugin to fail, got exit {} with {}",
        answer.exit,
        answer.stderr
    );
    assert!(
        answer.stderr.contains(needle),
        "stderr lacks {needle:?}:\n{}",
        answer.stderr
    );
    assert!(
        answer.stderr.contains("protoc-gen-protoforge-"),
        "the error does not name the plugin:\n{}",
        answer.stderr
    );
}

fn lines(answer: &Answer) -> Vec<&str> {
    answer.payload.lines().collect()
}

#[test]
fn findings_come_back_in_the_response_in_every_form_of_the_parameter() {
    let Some(protoc) = protoc("findings_come_back_in_the_response_in_every_form_of_the_parameter")
    else {
        return;
    };
    let ws = common::workspace(&[
        ("acme/v1/a.proto", LINTED),
        ("buf.yaml", V1_CONFIG),
        (
            "other.yaml",
            "version: v1\nlint:\n  use:\n    - FIELD_LOWER_SNAKE_CASE\n",
        ),
    ]);
    let dir = ws.path();
    let files = ["acme/v1/a.proto"];

    // No parameter: ./buf.yaml, text.
    let text = lint(&protoc, dir, "", &files);
    assert_eq!(text.exit, 1, "{}", text.stderr);
    assert!(!text.plugin_failed);
    assert_eq!(
        text.payload,
        "acme/v1/a.proto:5:9:Message name \"user_profile\" should be PascalCase, such as \"UserProfile\"."
    );
    // JSON and YAML forms of the same parameter give the same answer.
    let json = lint(&protoc, dir, r#"{"error_format":"json"}"#, &files);
    let yaml = lint(&protoc, dir, "error_format: json", &files);
    assert_eq!(json.payload, yaml.payload);
    assert!(json
        .payload
        .starts_with(r#"{"path":"acme/v1/a.proto","start_line":5,"start_column":9,"#));
    // input_config: a file, the config inline as a string, as an object (JSON) or mapping (YAML).
    let field_rule = "FIELD_LOWER_SNAKE_CASE";
    for parameter in [
        r#"{"input_config":"other.yaml","error_format":"json"}"#,
        r#"{"input_config":"version: v1\nlint:\n  use: [FIELD_LOWER_SNAKE_CASE]","error_format":"json"}"#,
        r#"{"input_config":{"version":"v1","lint":{"use":["FIELD_LOWER_SNAKE_CASE"]}},"error_format":"json"}"#,
        "input_config:\n  version: v1\n  lint:\n    use: [FIELD_LOWER_SNAKE_CASE]\nerror_format: json",
        "input_config: other.yaml\nerror_format: json",
    ] {
        let answer = lint(&protoc, dir, parameter, &files);
        assert_eq!(lines(&answer).len(), 1, "{parameter}: {}", answer.stderr);
        assert!(answer.payload.contains(field_rule), "{parameter}: {}", answer.payload);
    }
    // The other keys are accepted in both forms.
    for parameter in [
        r#"{"timeout":"30s","log_level":"debug","log_format":"json","module":"."}"#,
        r#"{"timeout":30000000000,"log_level":"warn","log_format":"text"}"#,
        "timeout: 1m\nlog_level: error\nlog_format: color\nmodule: .",
        r#"{"Error_Format":"msvs"}"#,
    ] {
        let answer = lint(&protoc, dir, parameter, &files);
        assert!(!answer.plugin_failed, "{parameter}: {}", answer.stderr);
        assert_eq!(lines(&answer).len(), 1, "{parameter}");
    }
    // plugin_overrides is accepted; protoforge runs no check plugins and says so.
    let overrides = lint(
        &protoc,
        dir,
        r#"{"plugin_overrides":{"x":"/bin/x"}}"#,
        &files,
    );
    assert!(!overrides.plugin_failed, "{}", overrides.stderr);
    assert!(
        overrides.stderr.contains("plugin_overrides"),
        "{}",
        overrides.stderr
    );
    // A clean run: protoc succeeds, nothing is printed.
    let clean = lint(
        &protoc,
        dir,
        r#"{"input_config":"version: v1\nlint:\n  use: [PACKAGE_DEFINED]"}"#,
        &files,
    );
    assert_eq!(
        (clean.exit, clean.payload.as_str()),
        (0, ""),
        "{}",
        clean.stderr
    );
}

#[test]
fn modules_of_a_v2_config_by_path_and_name() {
    let Some(protoc) = protoc("modules_of_a_v2_config_by_path_and_name") else {
        return;
    };
    let ws = common::workspace(&[
        (
            "buf.yaml",
            "version: v2\nmodules:\n  - path: proto\n    name: buf.build/acme/proto\n    lint:\n      use: [MESSAGE_PASCAL_CASE]\n      ignore: [proto/skip]\n  - path: other\n    lint:\n      use: [FIELD_LOWER_SNAKE_CASE]\n",
        ),
        ("proto/acme/v1/a.proto", LINTED),
        ("proto/skip/b.proto", "syntax = \"proto3\";\npackage skip;\nmessage bad_name {}\n"),
    ]);
    let dir = ws.path();
    let run = |parameter: &str| {
        plugin::run(
            &protoc,
            &plugin::lint_plugin(),
            dir,
            Files::Include(&["proto".to_string()]),
            parameter,
            &targets(&["acme/v1/a.proto", "skip/b.proto"]),
        )
    };
    let by_path = run(r#"{"module":"proto"}"#);
    let by_name = run("module: buf.build/acme/proto");
    assert_eq!(by_path.payload, by_name.payload);
    // Paths in the config are relative to it (`proto/skip`): the module's ignore applies.
    assert_eq!(
        lines(&by_path),
        ["acme/v1/a.proto:5:9:Message name \"user_profile\" should be PascalCase, such as \"UserProfile\"."]
    );
    let other = run(r#"{"module":"other"}"#);
    assert!(other.payload.contains("\"Name\""), "{}", other.payload);
    assert!(!other.payload.contains("user_profile"), "{}", other.payload);
    assert_failed(&run(r#"{"module":"nope"}"#), "no module found for \"nope\"");
    // Without `module`, a v2 config with modules has none at `.`.
    assert_failed(&run(""), "no module found for \".\"");
}

#[test]
fn bad_parameters_and_configs_fail_the_plugin() {
    let Some(protoc) = protoc("bad_parameters_and_configs_fail_the_plugin") else {
        return;
    };
    let ws = common::workspace(&[
        ("a.proto", LINTED),
        ("bad.yaml", "version: v1\nlint:\n  usex: [X]\n"),
    ]);
    let dir = ws.path();
    let files = ["a.proto"];
    for (parameter, needle) in [
        (r#"{"foo":1}"#, "unknown key \"foo\""),
        ("foo: 1", "unknown key \"foo\""),
        (r#"{"against_input":"x"}"#, "unknown key \"against_input\""),
        (
            r#"{"error_format":"sarif"}"#,
            "unknown error_format: \"sarif\"",
        ),
        (r#"{"log_level":"loud"}"#, "unknown log_level"),
        (r#"{"log_format":"xml"}"#, "unknown log_format"),
        (r#"{"timeout":"soon"}"#, "timeout"),
        ("timeout: 5", "duration"),
        (r#"{"module":["a"]}"#, "module"),
        ("error_format: json\nerror_format: text", "already defined"),
        ("  ", "blank"),
        (
            r#"{"input_config":"missing.yaml"}"#,
            "could not read input_config file missing.yaml",
        ),
        (
            r#"{"input_config":"bad.yaml"}"#,
            "unknown key \"usex\" in lint",
        ),
        (r#"{"input_config":"version: v9"}"#, "v9"),
        (r#"{"timeout":1}"#, "timed out after 1ns"),
    ] {
        assert_failed(&lint(&protoc, dir, parameter, &files), needle);
    }
    // The invalid buf.yaml of the working directory is an error too, pointing into it.
    std::fs::write(dir.join("buf.yaml"), "version: v1\nlint:\n  use: FOO: [\n").unwrap();
    assert_failed(&lint(&protoc, dir, "", &files), "buf.yaml");

    let breaking_needles = [
        ("{}", "\"against_input\" is required"),
        (r#"{"against_input":"missing.binpb"}"#, "missing.binpb"),
        (
            r#"{"against_input":"x.binpb","error_format":"config-ignore-yaml"}"#,
            "unknown error_format",
        ),
        (
            r#"{"against_input":"x.binpb","exclude_imports":"maybe"}"#,
            "exclude_imports",
        ),
    ];
    std::fs::remove_file(dir.join("buf.yaml")).unwrap();
    for (parameter, needle) in breaking_needles {
        assert_failed(&breaking(&protoc, dir, parameter, &files), needle);
    }
    // An against input that does not compile.
    common::write(dir, "prev/a.proto", b"syntax = \"proto3\";\nmessage {\n");
    assert_failed(
        &breaking(&protoc, dir, r#"{"against_input":"prev"}"#, &files),
        "against_input \"prev\" does not compile",
    );
}

#[test]
fn breaking_against_buf_and_protoforge_images_and_directories() {
    let Some(protoc) = protoc("breaking_against_buf_and_protoforge_images_and_directories") else {
        return;
    };
    let fixture = common::repo_root().join("testdata/plugin/imports");
    let scratch = tempfile::tempdir().unwrap();
    let mut against: Vec<String> = vec![
        fixture.join("previous.buf.binpb").display().to_string(),
        fixture.join("previous.buf.json").display().to_string(),
        "../previous".to_string(),
    ];
    for name in ["previous.binpb", "previous.json"] {
        let out = scratch.path().join(name);
        let built = common::protoforge(
            &fixture,
            &["build", "previous", "-o", out.to_str().unwrap()],
        );
        assert_eq!(built.code, 0, "{}", built.stderr);
        against.push(out.display().to_string());
    }
    // A gzipped image, as a build system may store it.
    let gz = scratch.path().join("previous.binpb.gz");
    let mut encoder =
        flate2::write::GzEncoder::new(std::fs::File::create(&gz).unwrap(), Default::default());
    std::io::Write::write_all(
        &mut encoder,
        &std::fs::read(scratch.path().join("previous.binpb")).unwrap(),
    )
    .unwrap();
    encoder.finish().unwrap();
    against.push(gz.display().to_string());
    let current = fixture.join("current");
    let mut answers = Vec::new();
    for input in &against {
        let parameter = serde_json::json!({ "against_input": input }).to_string();
        let answer = breaking(&protoc, &current, &parameter, &["a.proto"]);
        assert!(!answer.plugin_failed, "{input}: {}", answer.stderr);
        answers.push((input, answer.payload));
    }
    let (first, want) = &answers[0];
    for (input, got) in &answers {
        assert_eq!(got, want, "{input} differs from {first}");
    }
    assert_eq!(
        want.lines().collect::<Vec<_>>(),
        [
            "<input>:1:1:Previously present file \"c.proto\" was deleted.",
            "a.proto:8:1:Previously present field \"2\" with name \"z\" on message \"A\" was deleted.",
            "b.proto:5:1:Previously present field \"2\" with name \"y\" on message \"B\" was deleted.",
        ]
    );
}

#[test]
fn a_target_new_since_the_against_image_is_not_an_error() {
    let Some(protoc) = protoc("a_target_new_since_the_against_image_is_not_an_error") else {
        return;
    };
    let fixture = common::repo_root().join("testdata/plugin/imports");
    let ws = common::workspace(&[(
        "n.proto",
        "syntax = \"proto3\";\npackage n.v1;\nmessage N {}\n",
    )]);
    let parameter = serde_json::json!({
        "against_input": fixture.join("previous.buf.binpb"),
        "limit_to_input_files": true,
    })
    .to_string();
    // buf 1.75 fails here ("image contains no files"); there is nothing to compare.
    let answer = breaking(&protoc, ws.path(), &parameter, &["n.proto"]);
    assert_eq!(
        (answer.exit, answer.payload.as_str()),
        (0, ""),
        "{}",
        answer.stderr
    );
}

#[test]
fn protoforge_under_a_plugin_name_is_that_plugin() {
    let Some(protoc) = protoc("protoforge_under_a_plugin_name_is_that_plugin") else {
        return;
    };
    let ws = common::workspace(&[("acme/v1/a.proto", LINTED), ("buf.yaml", V1_CONFIG)]);
    let bin = tempfile::tempdir().unwrap();
    let link = bin.path().join("protoc-gen-protoforge-lint");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_protoforge"), &link).unwrap();
    let files = targets(&["acme/v1/a.proto"]);
    let via_link = plugin::run(
        &protoc,
        &link,
        ws.path(),
        Files::Include(&dot()),
        "",
        &files,
    );
    let direct = lint(&protoc, ws.path(), "", &["acme/v1/a.proto"]);
    assert_eq!(via_link.exit, 1, "{}", via_link.stderr);
    assert_eq!(via_link.payload, direct.payload);
}

/// The plugin without protoc: findings are a successful response (exit 0) carrying them; a bad
/// request is exit 1.
#[test]
fn the_response_carries_findings_with_exit_0() {
    let file = prost_types::FileDescriptorProto {
        name: Some("a/v1/a.proto".into()),
        package: Some("a.v1".into()),
        syntax: Some("proto3".into()),
        message_type: vec![prost_types::DescriptorProto {
            name: Some("bad_name".into()),
            ..Default::default()
        }],
        ..Default::default()
    };
    let request = CodeGeneratorRequest {
        file_to_generate: vec!["a/v1/a.proto".into()],
        parameter: Some(
            r#"{"input_config":"version: v2\nlint:\n  use: [MESSAGE_PASCAL_CASE]"}"#.into(),
        ),
        proto_file: vec![file],
        ..Default::default()
    };
    let (code, stdout, _) = pipe(&plugin::lint_plugin(), &request.encode_to_vec());
    assert_eq!(code, 0);
    let response = CodeGeneratorResponse::decode(&stdout[..]).unwrap();
    assert_eq!(
        response.error.as_deref(),
        Some(
            "a/v1/a.proto:1:1:Message name \"bad_name\" should be PascalCase, such as \"BadName\"."
        )
    );
    assert_eq!(response.supported_features, Some(3));

    let (code, _, stderr) = pipe(&plugin::lint_plugin(), b"\x0a\x05ab");
    assert_eq!(code, 1);
    assert!(stderr.contains("not a CodeGeneratorRequest"), "{stderr}");
}

/// Runs a plugin on `input` in an empty directory (no buf.yaml): exit code, stdout, stderr.
fn pipe(program: &Path, input: &[u8]) -> (i32, Vec<u8>, String) {
    use std::io::Write;
    let cwd = tempfile::tempdir().unwrap();
    let mut child = Command::new(program)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .current_dir(cwd.path())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A newer protoc sends editions files (the response says the plugins read editions 2023 and
/// 2024): they are linted as `protoforge lint` lints their sources.
#[test]
fn editions_files_in_a_request_are_linted() {
    let dir = common::repo_root().join("testdata/editions/features/2024_every_level");
    let scratch = tempfile::tempdir().unwrap();
    let image = scratch.path().join("set.binpb");
    let built = common::protoforge(
        &dir,
        &[
            "build",
            "--as-file-descriptor-set",
            "-o",
            image.to_str().unwrap(),
        ],
    );
    assert_eq!(built.code, 0, "{}", built.stderr);
    // The set's files (field 1) become the request's proto_file (field 15), bytes unchanged.
    let set = prost_types::FileDescriptorSet::decode(&std::fs::read(&image).unwrap()[..]).unwrap();
    assert!(set.file.iter().any(|f| f.syntax() == "editions"));
    let mut request = CodeGeneratorRequest {
        file_to_generate: vec!["a.proto".into()],
        ..Default::default()
    }
    .encode_to_vec();
    let mut raw = &std::fs::read(&image).unwrap()[..];
    while !raw.is_empty() {
        let (tag, _) = prost::encoding::decode_key(&mut raw).unwrap();
        assert_eq!(tag, 1);
        let len = prost::encoding::decode_varint(&mut raw).unwrap() as usize;
        prost::encoding::encode_key(15, prost::encoding::WireType::LengthDelimited, &mut request);
        prost::encoding::encode_varint(len as u64, &mut request);
        request.extend_from_slice(&raw[..len]);
        raw = &raw[len..];
    }
    let (code, stdout, stderr) = pipe(&plugin::lint_plugin(), &request);
    assert_eq!(code, 0, "{stderr}");
    let response = CodeGeneratorResponse::decode(&stdout[..]).unwrap();
    let cli = common::protoforge(&dir, &["lint", "--error-format", "text"]);
    assert_eq!(cli.code, 100, "{}", cli.stderr);
    assert_eq!(response.error.unwrap_or_default(), cli.stdout.trim_end());
}

//! `protoforge lint`, `config ls-lint-rules` and `explain` as a user runs them: exit codes, stdout, stderr.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/lint")
        .join(name)
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_protoforge"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("protoforge runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn clean_input_exits_0() {
    let o = run(&fixture("PROTOVALIDATE_clean"), &["lint"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    assert_eq!(stderr(&o), "");
}

#[test]
fn findings_exit_100_as_json() {
    let o = run(
        &fixture("SERVICE_SUFFIX"),
        &["lint", "--error-format", "json"],
    );
    assert_eq!(o.status.code(), Some(100));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["type"], "SERVICE_SUFFIX");
    assert_eq!(lines[0]["start_line"], 6);
}

#[test]
fn unknown_rule_id_exits_1() {
    let o = run(
        &fixture("SERVICE_SUFFIX"),
        &[
            "lint",
            "--config",
            r#"{"version":"v2","lint":{"use":["NOT_A_RULE"]}}"#,
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("NOT_A_RULE"), "{}", stderr(&o));
}

#[test]
fn deprecated_category_warns_and_still_runs() {
    let o = run(
        &fixture("SERVICE_SUFFIX"),
        &[
            "lint",
            "--config",
            r#"{"version":"v1","lint":{"use":["DEFAULT"]}}"#,
        ],
    );
    assert_eq!(o.status.code(), Some(100));
    assert!(
        stderr(&o).contains("DEFAULT is deprecated"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).contains("should be suffixed with \"Service\""));
}

#[test]
fn except_removes_rules() {
    let o = run(
        &fixture("SERVICE_SUFFIX"),
        &[
            "lint",
            "--config",
            r#"{"version":"v2","lint":{"use":["STANDARD"],"except":["SERVICE_SUFFIX","PACKAGE_VERSION_SUFFIX","PACKAGE_DIRECTORY_MATCH"]}}"#,
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn path_keeps_cross_file_rules_and_limits_reporting() {
    // buf reports nothing here: with --path it no longer sees b.proto's go_package.
    let o = run(
        &fixture("PACKAGE_SAME_GO_PACKAGE"),
        &["lint", "--path", "diff/v1/a.proto"],
    );
    assert_eq!(o.status.code(), Some(100));
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.starts_with("diff/v1/a.proto:5:1:"), "{out}");
}

#[test]
fn comment_ignores_off_in_v1_without_allow() {
    let dir = fixture("MESSAGE_PASCAL_CASE");
    let v1 = r#"{"version":"v1","lint":{"use":["MESSAGE_PASCAL_CASE"]}}"#;
    let o = run(&dir, &["lint", "--config", v1]);
    assert!(stdout(&o).contains("ignored_msg"), "{}", stdout(&o));
    let allowed =
        r#"{"version":"v1","lint":{"use":["MESSAGE_PASCAL_CASE"],"allow_comment_ignores":true}}"#;
    let o = run(&dir, &["lint", "--config", allowed]);
    assert!(!stdout(&o).contains("ignored_msg"), "{}", stdout(&o));
}

#[test]
fn ignore_path_drops_findings() {
    let o = run(
        &fixture("PACKAGE_VERSION_SUFFIX"),
        &[
            "lint",
            "--config",
            r#"{"version":"v2","lint":{"use":["PACKAGE_VERSION_SUFFIX"],"ignore":["a.proto","b.proto"]}}"#,
        ],
    );
    let out = stdout(&o);
    assert!(
        !out.contains("a.proto") && !out.contains("b.proto"),
        "{out}"
    );
    assert!(out.contains("c.proto"), "{out}");
}

#[test]
fn ls_lint_rules_versions() {
    let dir = fixture("SERVICE_SUFFIX");
    for (version, count) in [("v2", 45), ("v1", 43), ("v1beta1", 40)] {
        let o = run(&dir, &["config", "ls-lint-rules", "--version", version]);
        assert_eq!(o.status.code(), Some(0));
        assert_eq!(stdout(&o).lines().count(), count + 1, "{version}");
        let o = run(
            &dir,
            &[
                "config",
                "ls-lint-rules",
                "--version",
                version,
                "--format",
                "json",
            ],
        );
        assert_eq!(stdout(&o).lines().count(), count, "{version}");
    }
    let o = run(&dir, &["config", "ls-lint-rules", "--version", "v2"]);
    insta::assert_snapshot!(stdout(&o));
}

#[test]
fn ls_lint_rules_configured_only() {
    let o = run(
        &fixture("SERVICE_SUFFIX"),
        &["config", "ls-lint-rules", "--configured-only"],
    );
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(out
        .lines()
        .nth(1)
        .unwrap_or("")
        .starts_with("SERVICE_SUFFIX "));
}

#[test]
fn explain_prints_the_doc() {
    let dir = fixture("SERVICE_SUFFIX");
    let o = run(&dir, &["explain", "FIELD_LOWER_SNAKE_CASE"]);
    assert_eq!(o.status.code(), Some(0));
    insta::assert_snapshot!(stdout(&o));
    let o = run(&dir, &["explain", "NOT_A_RULE"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn path_with_a_broken_sibling_lints_the_targets_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("buf.yaml"),
        "version: v2\nlint:\n  use:\n    - PACKAGE_SAME_GO_PACKAGE\n    - MESSAGE_PASCAL_CASE\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("a.proto"),
        "syntax = \"proto3\";\npackage x;\noption go_package = \"a\";\nmessage bad_name {}\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("broken.proto"),
        "syntax = \"proto3\";\nmessage {\n",
    )
    .expect("write");
    let o = run(dir.path(), &["lint", "--path", "a.proto"]);
    assert_eq!(o.status.code(), Some(100), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.contains("MESSAGE_PASCAL_CASE") || out.contains("bad_name"),
        "{out}"
    );
    // Without --path the broken file is a compile error, as in buf.
    let o = run(dir.path(), &["lint", "--error-format", "json"]);
    assert_eq!(o.status.code(), Some(100));
    assert!(stdout(&o).contains("\"COMPILE\""), "{}", stdout(&o));
}

#[test]
fn path_sees_rpc_types_of_unimported_siblings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write =
        |name: &str, text: &str| std::fs::write(dir.path().join(name), text).expect("write");
    write(
        "buf.yaml",
        "version: v2\nlint:\n  use:\n    - RPC_REQUEST_RESPONSE_UNIQUE\n",
    );
    write(
        "c.proto",
        "syntax = \"proto3\";\npackage x.v1;\nmessage Shared {}\nmessage GetResponse {}\nmessage PutResponse {}\n",
    );
    write(
        "a.proto",
        "syntax = \"proto3\";\npackage x.v1;\nimport \"c.proto\";\nservice A {\n  rpc Get(Shared) returns (GetResponse);\n}\n",
    );
    write(
        "b.proto",
        "syntax = \"proto3\";\npackage x.v1;\nimport \"c.proto\";\nservice B {\n  rpc Put(x.v1.Shared) returns (PutResponse);\n}\n",
    );
    let o = run(dir.path(), &["lint", "--path", "a.proto"]);
    assert_eq!(o.status.code(), Some(100), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "a.proto:5:3:\"x.v1.Shared\" is used as the request or response type for multiple RPCs.\n"
    );
}

/// Other files' RPC types are resolved with protobuf scoping when they can be a target's type: a
/// nearer message of the same name (here `x.y.Shared`) shadows the target's `x.Shared`; a file
/// whose scope has none uses it. The `--path` run reads message names only for that search.
#[test]
fn path_resolves_other_files_rpc_types_with_scoping() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).expect("write");
    };
    write(
        "buf.yaml",
        "version: v2\nlint:\n  use:\n    - RPC_REQUEST_RESPONSE_UNIQUE\n",
    );
    write(
        "t.proto",
        "syntax = \"proto3\";\npackage x;\nmessage Shared {}\nmessage R1 {}\nmessage Only {}\nmessage R0 {}\n\
         service T {\n  rpc Get(Shared) returns (R1);\n  rpc Solo(Only) returns (R0);\n}\n",
    );
    write(
        "y/shadow.proto",
        "syntax = \"proto3\";\npackage x.y;\nimport \"t.proto\";\n\
         message Outer { message Only {} }\nmessage Shared {}\nmessage R2 {}\nmessage R4 {}\n\
         service S {\n  rpc Put(Shared) returns (R2);\n  rpc Other(Outer.Only) returns (R4);\n}\n",
    );
    write(
        "z/user.proto",
        "syntax = \"proto3\";\npackage x.z;\nimport \"t.proto\";\nmessage R3 {}\n\
         service U {\n  rpc Use(Shared) returns (R3);\n}\n",
    );
    let whole = stdout(&run(dir.path(), &["--no-cache", "lint"]));
    let expected: String = whole
        .lines()
        .filter(|l| l.starts_with("t.proto:"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(
        expected,
        "t.proto:8:3:\"x.Shared\" is used as the request or response type for multiple RPCs.\n"
    );
    for cache in [&["--no-cache"][..], &[][..], &[][..]] {
        let mut args = cache.to_vec();
        args.extend(["lint", "--path", "t.proto"]);
        let o = Command::new(env!("CARGO_BIN_EXE_protoforge"))
            .args(&args)
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .env("PROTOFORGE_CACHE_DIR", dir.path().join(".cache"))
            .output()
            .expect("protoforge runs");
        assert_eq!(stdout(&o), expected, "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn path_reports_what_a_whole_run_reports_for_the_target() {
    for rule in [
        "PACKAGE_SAME_CSHARP_NAMESPACE",
        "PACKAGE_SAME_GO_PACKAGE",
        "PACKAGE_SAME_JAVA_MULTIPLE_FILES",
        "PACKAGE_SAME_JAVA_PACKAGE",
        "PACKAGE_SAME_PHP_NAMESPACE",
        "PACKAGE_SAME_RUBY_PACKAGE",
        "PACKAGE_SAME_SWIFT_PREFIX",
        "DIRECTORY_SAME_PACKAGE",
        "PACKAGE_SAME_DIRECTORY",
        "PACKAGE_NO_IMPORT_CYCLE",
    ] {
        let dir = fixture(rule);
        let whole = stdout(&run(&dir, &["lint"]));
        let mut files: Vec<&str> = whole.lines().filter_map(|l| l.split(':').next()).collect();
        files.dedup();
        assert!(!files.is_empty(), "{rule}: fixture has findings");
        for file in files {
            let expected: String = whole
                .lines()
                .filter(|l| l.starts_with(&format!("{file}:")))
                .map(|l| format!("{l}\n"))
                .collect();
            let limited = stdout(&run(&dir, &["lint", "--path", file]));
            assert_eq!(limited, expected, "{rule} --path {file}");
        }
    }
}

#[test]
fn baseline_matches_the_config_version_in_use() {
    let dir = fixture("SERVICE_SUFFIX");
    let v1 = r#"{"version":"v1","lint":{"use":["SERVICE_SUFFIX"]}}"#;
    let o = run(
        &dir,
        &[
            "lint",
            "--config",
            v1,
            "--error-format",
            "config-ignore-yaml",
        ],
    );
    assert_eq!(o.status.code(), Some(100));
    assert!(stdout(&o).starts_with("version: v1\n"), "{}", stdout(&o));
    let o = run(&dir, &["lint", "--error-format", "config-ignore-yaml"]);
    assert!(stdout(&o).starts_with("version: v2\n"), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("SERVICE_SUFFIX:\n      - a.proto"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn sarif_and_pretty_carry_rule_id_and_fix() {
    let dir = fixture("SERVICE_SUFFIX");
    let o = run(&dir, &["lint", "--error-format", "sarif"]);
    let out = stdout(&o);
    assert!(out.contains("\"SERVICE_SUFFIX\""), "{out}");
    assert!(out.contains("rename the service"), "{out}");
    let o = run(&dir, &["lint", "--error-format", "pretty"]);
    let out = stdout(&o);
    assert!(out.contains("SERVICE_SUFFIX"), "{out}");
    assert!(out.contains("rename the service"), "{out}");
}

/// An `ignore` entry naming the module directory turns lint off for that module, as in buf.
#[test]
fn a_module_ignoring_its_own_directory_is_not_linted() {
    let dir = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write(
        "buf.yaml",
        "version: v2\nmodules:\n  - path: proto\n    lint:\n      ignore: [proto]\n  - path: other\n",
    );
    write(
        "proto/a.proto",
        "syntax = \"proto3\";\npackage a;\nmessage foo {}\n",
    );
    write(
        "other/b.proto",
        "syntax = \"proto3\";\npackage b;\nmessage bar {}\n",
    );
    let o = run(dir.path(), &["lint", "--error-format", "json"]);
    assert_eq!(o.status.code(), Some(100), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(!out.contains("proto/a.proto"), "{out}");
    assert!(out.contains("other/b.proto"), "{out}");
}

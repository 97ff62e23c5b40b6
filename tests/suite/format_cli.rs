//! `protoforge format` end to end: stdout, -w, -d, --exit-code, -o, stdin, directories, excludes,
//! and files that do not parse.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const UNFORMATTED: &str = "syntax = \"proto3\";\nmessage  A {\n    int32 a=1;\n}\n";
const FORMATTED: &str = "syntax = \"proto3\";\n\nmessage A {\n  int32 a = 1;\n}\n";
const CLEAN: &str = "syntax = \"proto3\";\n\nmessage B {}\n";

fn protoforge(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_protoforge"))
        .arg("format")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("sub/a.proto"), UNFORMATTED).unwrap();
    std::fs::write(dir.path().join("b.proto"), CLEAN).unwrap();
    dir
}

#[test]
fn prints_the_formatted_file_on_stdout() {
    let dir = workspace();
    let out = protoforge(dir.path(), &["sub/a.proto"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), FORMATTED);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("sub/a.proto")).unwrap(),
        UNFORMATTED
    );
}

#[test]
fn a_directory_prints_every_file_in_path_order() {
    let dir = workspace();
    let out = protoforge(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), format!("{CLEAN}{FORMATTED}"));
}

#[test]
fn exit_code_is_100_when_something_would_change() {
    let dir = workspace();
    let out = protoforge(dir.path(), &["--exit-code"]);
    assert_eq!(out.status.code(), Some(100));
    let out = protoforge(dir.path(), &["--exit-code", "b.proto"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), CLEAN);
}

#[test]
fn diff_prints_a_unified_diff_of_changed_files_only() {
    let dir = workspace();
    let out = protoforge(dir.path(), &["-d", "--exit-code"]);
    assert_eq!(out.status.code(), Some(100));
    insta::assert_snapshot!(stdout(&out), @r#"
    diff -u sub/a.proto.orig sub/a.proto
    --- sub/a.proto.orig
    +++ sub/a.proto
    @@ -1,4 +1,5 @@
     syntax = "proto3";
    -message  A {
    -    int32 a=1;
    +
    +message A {
    +  int32 a = 1;
     }
    "#);
    let out = protoforge(dir.path(), &["-d", "b.proto"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "");
}

#[test]
fn write_rewrites_only_files_that_change() {
    let dir = workspace();
    let clean = dir.path().join("b.proto");
    let before = std::fs::metadata(&clean).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let out = protoforge(dir.path(), &["-w"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("sub/a.proto")).unwrap(),
        FORMATTED
    );
    assert_eq!(
        std::fs::metadata(&clean).unwrap().modified().unwrap(),
        before,
        "unchanged file was rewritten"
    );
    // Nothing left behind by the atomic write.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("sub")).unwrap().collect();
    assert_eq!(leftovers.len(), 1);
    // A second run has nothing to do.
    let out = protoforge(dir.path(), &["-w", "--exit-code"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn output_to_a_file_or_a_directory() {
    let dir = workspace();
    let out = protoforge(dir.path(), &["sub/a.proto", "-o", "out.proto"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.proto")).unwrap(),
        FORMATTED
    );

    let out = protoforge(dir.path(), &[".", "-o", "formatted"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("formatted/sub/a.proto")).unwrap(),
        FORMATTED
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("formatted/b.proto")).unwrap(),
        CLEAN
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("sub/a.proto")).unwrap(),
        UNFORMATTED
    );
}

#[test]
fn stdin_is_formatted_under_the_given_path() {
    let dir = workspace();
    let mut child = Command::new(env!("CARGO_BIN_EXE_protoforge"))
        .args(["format", "--stdin-filepath", "x/y.proto", "-d"])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(UNFORMATTED.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).starts_with("diff -u x/y.proto.orig x/y.proto\n"),
        "{}",
        stdout(&out)
    );

    let mut child = Command::new(env!("CARGO_BIN_EXE_protoforge"))
        .args(["format", "--stdin-filepath", "x/y.proto"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(UNFORMATTED.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(stdout(&out), FORMATTED);
}

#[test]
fn excludes_from_buf_yaml_flags_and_the_ignore_file() {
    let dir = workspace();
    let root = dir.path();
    for p in [
        "gen/x.proto",
        "vendor/deep/y.proto",
        "keep/z_test.proto",
        "keep/z.proto",
    ] {
        std::fs::create_dir_all(root.join(p).parent().unwrap()).unwrap();
        std::fs::write(root.join(p), UNFORMATTED).unwrap();
    }
    std::fs::write(
        root.join("buf.yaml"),
        "version: v2\nmodules:\n  - path: .\n    excludes:\n      - gen\n",
    )
    .unwrap();
    std::fs::write(
        root.join(".protoforgeignore"),
        "# generated code\nvendor/\n",
    )
    .unwrap();
    let out = protoforge(
        root,
        &[
            "-d",
            "--exclude-path",
            "**/*_test.proto",
            "--exclude-path",
            "sub",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("+++ keep/z.proto"), "{text}");
    for skipped in [
        "gen/x.proto",
        "vendor/deep/y.proto",
        "keep/z_test.proto",
        "sub/a.proto",
    ] {
        assert!(
            !text.contains(skipped),
            "{skipped} was not excluded:\n{text}"
        );
    }
    let out = protoforge(root, &["-d", "--path", "sub"]);
    assert!(stdout(&out).contains("+++ sub/a.proto"));
    assert!(!stdout(&out).contains("keep/z.proto"));
}

#[test]
fn a_file_that_does_not_parse_fails_and_nothing_is_written() {
    let dir = workspace();
    let broken = "syntax = \"proto3\";\n}}} message {\n";
    std::fs::write(dir.path().join("broken.proto"), broken).unwrap();
    let out = protoforge(dir.path(), &["-w"]);
    assert_eq!(out.status.code(), Some(100));
    assert!(
        stderr(&out).contains("broken.proto:2:1:"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("sub/a.proto")).unwrap(),
        UNFORMATTED
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("broken.proto")).unwrap(),
        broken
    );
}

#[test]
fn a_missing_input_is_an_error() {
    let dir = workspace();
    let out = protoforge(dir.path(), &["nope.proto"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("nope.proto"));
}

#[test]
fn several_files_as_a_pre_commit_hook_passes_them() {
    let dir = workspace();
    std::fs::write(dir.path().join("c.proto"), UNFORMATTED).unwrap();
    std::fs::create_dir_all(dir.path().join("vendor")).unwrap();
    std::fs::write(dir.path().join("vendor/v.proto"), UNFORMATTED).unwrap();
    std::fs::write(dir.path().join(".protoforgeignore"), "vendor/**\n").unwrap();
    let out = protoforge(
        dir.path(),
        &[
            "-w",
            "--exit-code",
            "b.proto",
            "sub/a.proto",
            "c.proto",
            "vendor/v.proto",
        ],
    );
    assert_eq!(out.status.code(), Some(100));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("sub/a.proto")).unwrap(),
        FORMATTED
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("c.proto")).unwrap(),
        FORMATTED
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("vendor/v.proto")).unwrap(),
        UNFORMATTED
    );
}

#[test]
fn a_git_input_is_read_through_the_input_layer() {
    let dir = tempfile::tempdir().unwrap();
    let repo_dir = dir.path().join("repo");
    let repo = git2::Repository::init(&repo_dir).unwrap();
    std::fs::write(repo_dir.join("a.proto"), UNFORMATTED).unwrap();
    let mut index = repo.index().unwrap();
    index.add_path(Path::new("a.proto")).unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = git2::Signature::now("t", "t@example.com").unwrap();
    repo.commit(Some("HEAD"), &sig, &sig, "init", &tree, &[])
        .unwrap();
    // The working copy changes; the committed version is what gets formatted.
    std::fs::write(repo_dir.join("a.proto"), CLEAN).unwrap();
    let out = protoforge(dir.path(), &["repo/.git#ref=HEAD"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), FORMATTED);
    let out = protoforge(dir.path(), &["-w", "repo/.git#ref=HEAD"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("-w rewrites files on disk"),
        "{}",
        stderr(&out)
    );
}

//! `protoforge breaking` end to end: exit codes, output, config selection and ignores, and the
//! against side read from git (a repository made with git2; the shallow clone uses the `git`
//! binary, tests only).

use std::path::Path;
use std::process::Command;

use git2::{Repository, Signature};

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    run_env(dir, args, &[])
}

fn run_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_protoforge"))
        .arg("breaking")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn compare(dir: &Path) -> (i32, String, String) {
    run_both_ways(dir, &["current", "--against", "previous"])
}

const USER_V1: &str = "syntax = \"proto3\";\n\npackage acme.v1;\n\nmessage User {\n  string id = 1;\n  int32 age = 2;\n  string email = 3;\n}\n";

fn commit_all(repo: &Repository, message: &str) {
    let mut index = repo.index().unwrap();
    index
        .add_all(["*"].iter(), git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = Signature::now("t", "t@example.com").unwrap();
    let parents: Vec<git2::Commit> = repo
        .head()
        .ok()
        .and_then(|h| h.peel_to_commit().ok())
        .into_iter()
        .collect();
    let parents: Vec<&git2::Commit> = parents.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
        .unwrap();
}

#[test]
fn work_tree_against_head_reports_a_type_change() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repository::init(dir.path()).unwrap();
    write(dir.path(), &[("proto/acme/v1/user.proto", USER_V1)]);
    commit_all(&repo, "first");
    let changed = USER_V1.replace("int32 age", "int64 age");
    write(dir.path(), &[("proto/acme/v1/user.proto", &changed)]);

    let (code, stdout, stderr) = run(
        dir.path(),
        &["--against", ".git#ref=HEAD", "--error-format", "json"],
    );
    assert_eq!(code, 100, "{stderr}");
    assert_eq!(
        stdout.trim(),
        r#"{"path":"proto/acme/v1/user.proto","start_line":7,"start_column":3,"end_line":7,"end_column":8,"type":"FIELD_SAME_TYPE","message":"Field \"2\" with name \"age\" on message \"User\" changed type from \"int32\" to \"int64\"."}"#
    );
    // Unchanged work tree: clean.
    write(dir.path(), &[("proto/acme/v1/user.proto", USER_V1)]);
    let (code, stdout, _) = run_both_ways(dir.path(), &["--against", ".git#ref=HEAD"]);
    assert_eq!((code, stdout.as_str()), (0, ""));
}

#[test]
fn shallow_clone_against_branch_with_subdir() {
    let dir = tempfile::tempdir().unwrap();
    let origin = dir.path().join("origin");
    let repo = Repository::init(&origin).unwrap();
    write(&origin, &[("proto/acme/v1/user.proto", USER_V1)]);
    commit_all(&repo, "first");
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    repo.branch("main", &head, true).unwrap();
    let url = format!("file://{}", origin.display());
    let status = Command::new("git")
        .args([
            "clone", "-q", "--depth", "1", "--branch", "main", &url, "clone",
        ])
        .current_dir(dir.path())
        .status()
        .expect("git binary (tests only)");
    assert!(status.success());
    let clone = dir.path().join("clone");
    assert!(clone.join(".git/shallow").exists(), "not a shallow clone");
    let changed = USER_V1.replace("  string email = 3;\n", "");
    write(&clone, &[("proto/acme/v1/user.proto", &changed)]);

    let (code, stdout, stderr) = run(
        &clone,
        &["proto", "--against", ".git#branch=main,subdir=proto"],
    );
    assert_eq!(code, 100, "{stderr}");
    assert_eq!(
        stdout.trim(),
        "proto/acme/v1/user.proto:5:1:Previously present field \"3\" with name \"email\" on message \"User\" was deleted."
    );
}

#[test]
fn wire_allows_reserved_deletions_and_package_allows_moves() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let reserved = USER_V1.replace(
        "  string email = 3;\n",
        "  reserved 3;\n  reserved \"email\";\n",
    );
    write(
        d,
        &[
            ("previous/user.proto", USER_V1),
            ("current/user.proto", &reserved),
            (
                "current/buf.yaml",
                "version: v2\nbreaking:\n  use: [WIRE]\n",
            ),
        ],
    );
    assert_eq!(compare(d), (0, String::new(), String::new()));
    // The same change under the default FILE category breaks generated code.
    write(d, &[("current/buf.yaml", "version: v2\n")]);
    let (code, stdout, _) = compare(d);
    assert_eq!(code, 100);
    assert!(
        stdout.contains("Previously present field \"3\""),
        "{stdout}"
    );

    // A message moved to another file of its package: fine for PACKAGE, breaking for FILE.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let header = "syntax = \"proto3\";\n\npackage acme.v1;\n\n";
    write(
        d,
        &[
            (
                "previous/a.proto",
                &format!("{header}message A {{}}\nmessage B {{}}\n"),
            ),
            ("current/a.proto", &format!("{header}message A {{}}\n")),
            ("current/b.proto", &format!("{header}message B {{}}\n")),
            (
                "current/buf.yaml",
                "version: v2\nbreaking:\n  use: [PACKAGE]\n",
            ),
        ],
    );
    assert_eq!(compare(d).0, 0);
    write(
        d,
        &[(
            "current/buf.yaml",
            "version: v2\nbreaking:\n  use: [FILE]\n",
        )],
    );
    let (code, stdout, _) = compare(d);
    assert_eq!(code, 100);
    assert_eq!(
        stdout.trim(),
        "current/a.proto:1:1:Previously present message \"B\" was deleted from file."
    );
}

#[test]
fn ignore_ignore_only_and_unstable_packages() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let stable = "syntax = \"proto3\";\n\npackage acme.v1;\n\nmessage A { string x = 1; }\n";
    let beta = "syntax = \"proto3\";\n\npackage acme.v1beta1;\n\nmessage A { string x = 1; }\n";
    let gutted = |s: &str| s.replace(" string x = 1; ", "");
    write(
        d,
        &[
            ("previous/stable/a.proto", stable),
            ("previous/beta/a.proto", beta),
            ("current/stable/a.proto", &gutted(stable)),
            ("current/beta/a.proto", &gutted(beta)),
        ],
    );
    let config = |extra: &str| format!("version: v2\nbreaking:\n  use: [FIELD_NO_DELETE]\n{extra}");
    let files = |out: &str| -> Vec<String> {
        out.lines()
            .map(|l| l.split(':').next().unwrap_or("").to_string())
            .collect()
    };

    write(d, &[("current/buf.yaml", &config(""))]);
    let (code, stdout, _) = compare(d);
    assert_eq!(code, 100);
    assert_eq!(
        files(&stdout),
        ["current/beta/a.proto", "current/stable/a.proto"]
    );

    write(
        d,
        &[(
            "current/buf.yaml",
            &config("  ignore_unstable_packages: true\n"),
        )],
    );
    assert_eq!(files(&compare(d).1), ["current/stable/a.proto"]);

    write(d, &[("current/buf.yaml", &config("  ignore: [stable]\n"))]);
    assert_eq!(files(&compare(d).1), ["current/beta/a.proto"]);

    write(
        d,
        &[(
            "current/buf.yaml",
            &config("  ignore_only:\n    FIELD_NO_DELETE: [beta]\n"),
        )],
    );
    assert_eq!(files(&compare(d).1), ["current/stable/a.proto"]);

    // ignore_only by category.
    write(
        d,
        &[(
            "current/buf.yaml",
            &config("  ignore_only:\n    FILE: [beta, stable]\n"),
        )],
    );
    assert_eq!(compare(d), (0, String::new(), String::new()));
}

#[test]
fn deprecated_ids_select_their_replacements_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let repeated = USER_V1.replace("int32 age", "repeated int32 age");
    write(
        d,
        &[
            ("previous/user.proto", USER_V1),
            ("current/user.proto", &repeated),
            (
                "current/buf.yaml",
                "version: v1\nbreaking:\n  use:\n    - FIELD_SAME_LABEL\n",
            ),
        ],
    );
    let (code, stdout, stderr) = run(
        d,
        &["current", "--against", "previous", "--error-format", "json"],
    );
    assert_eq!(code, 100);
    let types: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.split("\"type\":\"").nth(1))
        .filter_map(|t| t.split('"').next())
        .collect();
    assert_eq!(
        types,
        [
            "FIELD_SAME_CARDINALITY",
            "FIELD_WIRE_COMPATIBLE_CARDINALITY",
            "FIELD_WIRE_JSON_COMPATIBLE_CARDINALITY"
        ]
    );
    assert!(
        stderr.contains("FIELD_SAME_LABEL is deprecated"),
        "{stderr}"
    );
}

#[test]
fn against_config_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        &[
            ("previous/user.proto", USER_V1),
            ("current/user.proto", "syntax = \"proto3\";\nmessage {\n"),
        ],
    );
    // A current side that does not compile: its errors as findings on stdout, exit 100 (as buf).
    let (code, stdout, stderr) = compare(d);
    assert_eq!(code, 100);
    assert!(stderr.is_empty(), "{stderr}");
    assert!(stdout.contains("current/user.proto:2"), "{stdout}");

    // An unknown rule in the config is a user error (exit 1) naming it.
    write(
        d,
        &[
            ("current/user.proto", USER_V1),
            (
                "current/buf.yaml",
                "version: v2\nbreaking:\n  use: [NOT_A_RULE]\n",
            ),
        ],
    );
    let (code, _, stderr) = compare(d);
    assert_eq!(code, 1);
    assert!(stderr.contains("NOT_A_RULE"), "{stderr}");

    // A missing against input is an error too.
    write(d, &[("current/buf.yaml", "version: v2\n")]);
    let (code, _, stderr) = run_both_ways(d, &["current", "--against", "nowhere"]);
    assert_eq!(code, 1, "{stderr}");

    // --against-config is read for the against side (its module layout).
    write(d, &[("moved/proto/user.proto", USER_V1)]);
    let (code, stdout, stderr) = run(
        d,
        &[
            "current",
            "--against",
            "moved",
            "--against-config",
            "version: v1beta1\nbuild:\n  roots: [proto]\n",
        ],
    );
    assert_eq!((code, stdout.as_str()), (0, ""), "{stderr}");
}

#[test]
fn fix_writes_reserved_statements_for_deleted_fields_and_values() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let previous = "syntax = \"proto3\";\n\npackage acme.v1;\n\nmessage User {\n  string id = 1;\n  string email = 2;\n  message Inner {\n    int32 a = 1;\n    int32 b = 2;\n  }\n}\n\nenum Status {\n  STATUS_UNSPECIFIED = 0;\n  STATUS_OLD = 1;\n}\n";
    let current = "syntax = \"proto3\";\n\npackage acme.v1;\n\nmessage User {\n  string id = 1;\n  message Inner {\n    int32 a = 1;\n  }\n}\n\nenum Status {\n  STATUS_UNSPECIFIED = 0;\n}\n";
    write(
        d,
        &[
            ("previous/user.proto", previous),
            ("current/user.proto", current),
            (
                "current/buf.yaml",
                "version: v2\nbreaking:\n  use: [WIRE_JSON]\n",
            ),
        ],
    );
    let (code, _, _) = compare(d);
    assert_eq!(code, 100);
    let (code, stdout, stderr) = run(d, &["current", "--against", "previous", "--fix"]);
    // After the fix the WIRE_JSON rules are satisfied.
    assert_eq!((code, stdout.as_str()), (0, ""), "{stderr}");
    assert_eq!(
        stderr,
        "current/user.proto: added `reserved 2; reserved \"email\";` to message User\n\
         current/user.proto: added `reserved 2; reserved \"b\";` to message Inner\n\
         current/user.proto: added `reserved 1; reserved \"STATUS_OLD\";` to enum Status\n"
    );
    let fixed = std::fs::read_to_string(d.join("current/user.proto")).unwrap();
    assert_eq!(
        fixed,
        "syntax = \"proto3\";\n\npackage acme.v1;\n\nmessage User {\n  reserved 2;\n  reserved \"email\";\n  string id = 1;\n  message Inner {\n    reserved 2;\n    reserved \"b\";\n    int32 a = 1;\n  }\n}\n\nenum Status {\n  reserved 1;\n  reserved \"STATUS_OLD\";\n  STATUS_UNSPECIFIED = 0;\n}\n"
    );
    // Nothing left to fix: a second run changes nothing.
    let (code, _, stderr) = run(d, &["current", "--against", "previous", "--fix"]);
    assert_eq!((code, stderr.as_str()), (0, ""));
}

#[test]
fn fix_does_not_reserve_a_name_still_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // `email` moved to number 4: only its old number can be reserved.
    let current = USER_V1.replace("  string email = 3;\n", "  string email = 4;\n");
    write(
        d,
        &[
            ("previous/user.proto", USER_V1),
            ("current/user.proto", &current),
            (
                "current/buf.yaml",
                "version: v2\nbreaking:\n  use: [WIRE]\n",
            ),
        ],
    );
    let (code, stdout, stderr) = run(d, &["current", "--against", "previous", "--fix"]);
    assert_eq!((code, stdout.as_str()), (0, ""), "{stderr}");
    assert_eq!(
        stderr,
        "current/user.proto: added `reserved 3;` to message User\n"
    );
    assert_eq!(
        std::fs::read_to_string(d.join("current/user.proto")).unwrap(),
        current.replace("message User {\n", "message User {\n  reserved 3;\n")
    );
}

#[test]
fn against_an_image() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let changed = USER_V1.replace("int32 age", "int64 age");
    write(
        d,
        &[
            ("previous/user.proto", USER_V1),
            ("current/user.proto", &changed),
        ],
    );
    let status = Command::new(env!("CARGO_BIN_EXE_protoforge"))
        .args(["build", "previous", "-o", "previous.binpb"])
        .current_dir(d)
        .status()
        .unwrap();
    assert!(status.success());
    let (code, stdout, stderr) = run_both_ways(d, &["current", "--against", "previous.binpb"]);
    assert_eq!(code, 100, "{stderr}");
    assert_eq!(
        stdout.trim(),
        "current/user.proto:7:3:Field \"2\" with name \"age\" on message \"User\" changed type from \"int32\" to \"int64\"."
    );
}

#[test]
fn pretty_output_carries_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let deleted = USER_V1.replace("  string email = 3;\n", "");
    write(
        d,
        &[
            ("previous/user.proto", USER_V1),
            ("current/user.proto", &deleted),
        ],
    );
    let (code, stdout, _) = run(
        d,
        &[
            "current",
            "--against",
            "previous",
            "--error-format",
            "pretty",
        ],
    );
    assert_eq!(code, 100);
    assert!(stdout.contains("FIELD_NO_DELETE"), "{stdout}");
    assert!(
        stdout.contains("help: add `reserved 3; reserved \"email\";` to message User"),
        "{stdout}"
    );
}

#[test]
fn path_limits_both_sides() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let header = "syntax = \"proto3\";\n\npackage acme.v1;\n\n";
    write(
        d,
        &[
            (
                "previous/a/a.proto",
                &format!("{header}message A {{ string x = 1; }}\n"),
            ),
            (
                "previous/b/b.proto",
                &format!("{header}message B {{ string x = 1; }}\n"),
            ),
            (
                "previous/gone/gone.proto",
                &format!("{header}message G {{}}\n"),
            ),
            ("current/a/a.proto", &format!("{header}message A {{}}\n")),
            ("current/b/b.proto", &format!("{header}message B {{}}\n")),
        ],
    );
    let (code, stdout, _) = compare(d);
    assert_eq!(code, 100);
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
    // --path is relative to the working directory, as in findings; files outside it are not
    // compared on either side (no FILE_NO_DELETE for gone/gone.proto).
    let (code, stdout, stderr) = run(
        d,
        &["current", "--against", "previous", "--path", "current/a"],
    );
    assert_eq!(code, 100, "{stderr}");
    assert_eq!(
        stdout.trim(),
        "current/a/a.proto:5:1:Previously present field \"1\" with name \"x\" on message \"A\" was deleted."
    );
    let (_, stdout, _) = run(
        d,
        &[
            "current",
            "--against",
            "previous",
            "--exclude-path",
            "current/a",
        ],
    );
    assert!(!stdout.contains("a/a.proto"), "{stdout}");
    assert!(stdout.contains("gone/gone.proto"), "{stdout}");
}

/// proto2 fields whose default JSON names clash are compared by their real JSON names: an unchanged
/// file is not breaking, and a changed JSON name is reported with the names buf shows.
#[test]
fn json_name_clashes_in_proto2_compare_by_real_names() {
    const CLASH: &str = "syntax = \"proto2\";\npackage acme.v1;\nmessage M {\n  optional string foo_bar = 1;\n  optional string fooBar = 2;\n}\n";
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let config = "version: v2\nbreaking:\n  use: [WIRE_JSON]\n";
    write(
        d,
        &[
            ("previous/m.proto", CLASH),
            ("current/m.proto", CLASH),
            ("current/buf.yaml", config),
        ],
    );
    assert_eq!(compare(d), (0, String::new(), String::new()));
    let renamed = CLASH.replace("fooBar = 2;", "fooBar = 2 [json_name = \"other\"];");
    write(d, &[("current/m.proto", &renamed)]);
    let (code, stdout, stderr) = compare(d);
    assert_eq!(code, 100, "{stderr}");
    assert!(
        stdout.contains("changed option \"json_name\" from \"fooBar\" to \"other\""),
        "{stdout}"
    );
}

/// As buf: with `--path`, the files the targeted files import are compared too; `--exclude-imports`
/// leaves them out; files neither targeted nor imported are not compared (no FILE_NO_DELETE).
#[test]
fn imports_are_compared_unless_excluded() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/plugin/imports");
    let cur = dir.path().join("cur");
    for name in ["a.proto", "b.proto"] {
        write(
            &cur,
            &[(
                name,
                &std::fs::read_to_string(fixture.join("current").join(name)).unwrap(),
            )],
        );
    }
    let against = fixture.join("previous.buf.binpb");
    let against = against.to_str().unwrap();
    let (code, out, err) = run_both_ways(&cur, &["--against", against, "--path", "a.proto"]);
    assert_eq!(code, 100, "{err}");
    assert_eq!(
        out,
        "a.proto:8:1:Previously present field \"2\" with name \"z\" on message \"A\" was deleted.\n\
         b.proto:5:1:Previously present field \"2\" with name \"y\" on message \"B\" was deleted.\n"
    );
    let (code, out, _) = run(
        &cur,
        &[
            "--against",
            against,
            "--path",
            "a.proto",
            "--exclude-imports",
        ],
    );
    assert_eq!(code, 100);
    assert_eq!(
        out,
        "a.proto:8:1:Previously present field \"2\" with name \"z\" on message \"A\" was deleted.\n"
    );
}

/// An `ignore` entry naming the module directory turns breaking checks off for that module.
#[test]
fn a_module_ignoring_its_own_directory_is_not_checked() {
    let dir = tempfile::tempdir().unwrap();
    let config = "version: v2\nmodules:\n  - path: proto\n    breaking:\n      ignore: [proto]\n";
    write(
        dir.path(),
        &[
            ("previous/buf.yaml", config),
            ("previous/proto/acme/v1/user.proto", USER_V1),
            ("current/buf.yaml", config),
            (
                "current/proto/acme/v1/user.proto",
                "syntax = \"proto3\";\n\npackage acme.v1;\n\nmessage User {\n  string id = 1;\n}\n",
            ),
        ],
    );
    let (code, out, err) = compare(dir.path());
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
}

/// Runs `breaking` with the files both sides share compiled once, and with the against side
/// compiled whole (`PROTOFORGE_NO_SHARING=1`): both must give the same exit, stdout and stderr.
fn run_both_ways(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let shared = run(dir, args);
    let whole = run_env(dir, args, &[("PROTOFORGE_NO_SHARING", "1")]);
    assert_eq!(shared, whole, "{args:?}");
    shared
}

const V_SAME: &str = "syntax = \"proto3\";\npackage p;\nmessage V {\n  string s = 1;\n}\n";

/// A file that is the same on both sides but imports a changed file is compiled on each side:
/// the finding on it needs its previous descriptor.
#[test]
fn a_same_file_importing_a_changed_file_keeps_its_finding() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let u = "syntax = \"proto3\";\npackage p;\nimport \"t.proto\";\nmessage U {\n  T t = 1;\n}\n";
    let config = "version: v2\nbreaking:\n  use: [FIELD_SAME_TYPE]\n";
    write(
        d,
        &[
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
            ("previous/v.proto", V_SAME),
            ("current/v.proto", V_SAME),
        ],
    );
    let (code, stdout, stderr) = run_both_ways(
        d,
        &["current", "--against", "previous", "--error-format", "json"],
    );
    assert_eq!(code, 100, "{stderr}");
    assert!(
        stdout.contains("\"path\":\"current/u.proto\"") && stdout.contains("FIELD_SAME_TYPE"),
        "{stdout}"
    );
    let (code, stdout, _) = run_both_ways(d, &["current", "--against", "previous"]);
    assert_eq!(code, 100);
    assert!(stdout.starts_with("current/u.proto:5:3:"), "{stdout}");
}

/// Compile errors of the against side are its findings whether or not files are shared: an
/// error in a file importing a shared file, and a name defined both in a shared file and in
/// another file (the two halves are compiled apart).
#[test]
fn against_compile_errors_with_shared_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        &[
            ("previous/v.proto", V_SAME),
            ("current/v.proto", V_SAME),
            (
                "previous/x.proto",
                "syntax = \"proto3\";\npackage p;\nimport \"v.proto\";\nmessage X {\n  Missing m = 1;\n  V v = 2;\n}\n",
            ),
            (
                "current/x.proto",
                "syntax = \"proto3\";\npackage p;\nimport \"v.proto\";\nmessage X {\n  V v = 2;\n}\n",
            ),
        ],
    );
    let (code, stdout, stderr) = run_both_ways(d, &["current", "--against", "previous"]);
    assert_eq!(code, 100, "{stderr}");
    assert!(
        stdout.contains("x.proto:5:3:") && stdout.contains("Missing"),
        "{stdout}"
    );

    // `V` twice on the against side: in the shared v.proto and in w.proto.
    write(
        d,
        &[
            (
                "previous/x.proto",
                "syntax = \"proto3\";\npackage p;\nimport \"v.proto\";\nmessage X {\n  V v = 2;\n}\n",
            ),
            ("previous/w.proto", "syntax = \"proto3\";\npackage p;\nmessage V {}\n"),
        ],
    );
    let (code, stdout, stderr) = run_both_ways(d, &["current", "--against", "previous"]);
    assert_eq!(code, 100, "{stderr}");
    assert!(stdout.contains("`V` declared multiple times"), "{stdout}");
    let (code, json, _) = run_both_ways(
        d,
        &["current", "--against", "previous", "--error-format", "json"],
    );
    assert_eq!(code, 100);
    assert!(json.contains("COMPILE"), "{json}");

    // The same sides without the clash: nothing breaks, and --path limits both.
    std::fs::remove_file(d.join("previous/w.proto")).unwrap();
    let (code, stdout, stderr) = run_both_ways(d, &["current", "--against", "previous"]);
    assert_eq!((code, stdout.as_str()), (0, ""), "{stderr}");
    let (code, stdout, stderr) = run_both_ways(
        d,
        &[
            "current",
            "--against",
            "previous",
            "--path",
            "current/v.proto",
        ],
    );
    assert_eq!((code, stdout.as_str()), (0, ""), "{stderr}");
}

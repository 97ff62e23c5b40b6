//! The persistent cache never changes an answer: every command run warm (cache filled by an
//! earlier run) prints byte for byte what a `--no-cache` run prints, on every fixture folder, after
//! edits that ripple through imports, a config change, a git branch switch, and with a corrupted
//! cache. Each test has its own cache directory.

use crate::common;

use common::copy_dir;

use std::path::{Path, PathBuf};
use std::process::Command;

struct Out {
    code: i32,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

fn run(dir: &Path, cache: &Path, args: &[&str]) -> Out {
    run_env(dir, cache, args, &[])
}

fn run_env(dir: &Path, cache: &Path, args: &[&str], env: &[(&str, &str)]) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_protoforge"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("PROTOFORGE_CACHE_DIR", cache)
        .env_remove("PROTOFORGE_INCLUDE")
        .env_remove("PROTOFORGE_NO_CACHE")
        .envs(env.iter().copied())
        .output()
        .expect("run protoforge");
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: out.stdout,
        stderr: out.stderr,
    }
}

/// Runs `args` cold, warm and with `--no-cache`: all three must agree.
#[track_caller]
fn transparent(dir: &Path, cache: &Path, args: &[&str]) -> Out {
    transparent_env(dir, cache, args, &[])
}

/// [`transparent`] with more environment variables.
#[track_caller]
fn transparent_env(dir: &Path, cache: &Path, args: &[&str], env: &[(&str, &str)]) -> Out {
    let cold = run_env(dir, cache, args, env);
    let warm = run_env(dir, cache, args, env);
    let mut no_cache_args = vec!["--no-cache"];
    no_cache_args.extend_from_slice(args);
    let fresh = run_env(dir, cache, &no_cache_args, env);
    for (what, got) in [("cold", &cold), ("warm", &warm)] {
        assert_eq!(
            (
                got.code,
                String::from_utf8_lossy(&got.stdout),
                String::from_utf8_lossy(&got.stderr)
            ),
            (
                fresh.code,
                String::from_utf8_lossy(&fresh.stdout),
                String::from_utf8_lossy(&fresh.stderr)
            ),
            "{what} run of {args:?} in {} differs from --no-cache",
            dir.display()
        );
    }
    fresh
}

fn dirs(root: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root)
        .map(|r| {
            r.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

#[test]
fn every_fixture_folder_answers_the_same_warm() {
    let cache = tempfile::tempdir().unwrap();
    let root = common::repo_root();
    let mut checked = 0;
    for dir in dirs(&root.join("testdata/lint"))
        .into_iter()
        .chain([root.join("examples/orders")])
    {
        transparent(&dir, cache.path(), &["lint"]);
        transparent(&dir, cache.path(), &["lint", "--error-format", "json"]);
        transparent(&dir, cache.path(), &["build"]);
        checked += 1;
    }
    for dir in dirs(&root.join("testdata/breaking")) {
        if dir.join("current").is_dir() && dir.join("previous").is_dir() {
            transparent(
                &dir,
                cache.path(),
                &["breaking", "current", "--against", "previous"],
            );
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} fixture folders");
}

/// A small module where many files import one.
fn module() -> tempfile::TempDir {
    common::workspace(&[
        ("buf.yaml", "version: v2\nlint:\n  use: [STANDARD]\n"),
        (
            "acme/base/v1/base.proto",
            "syntax = \"proto3\";\npackage acme.base.v1;\nmessage Money { int64 units = 1; string currency_code = 2; }\nmessage Shared { string id = 1; }\n",
        ),
        (
            "acme/orders/v1/orders.proto",
            "syntax = \"proto3\";\npackage acme.orders.v1;\nimport \"acme/base/v1/base.proto\";\nmessage Order { acme.base.v1.Money total = 1; acme.base.v1.Shared shared = 2; }\nservice OrderService { rpc GetOrder(GetOrderRequest) returns (GetOrderResponse); }\nmessage GetOrderRequest { string id = 1; }\nmessage GetOrderResponse { Order order = 1; }\n",
        ),
        (
            "acme/orders/v1/refunds.proto",
            "syntax = \"proto3\";\npackage acme.orders.v1;\nimport \"acme/orders/v1/orders.proto\";\nmessage Refund { Order order = 1; }\n",
        ),
        (
            "acme/billing/v1/billing.proto",
            "syntax = \"proto3\";\npackage acme.billing.v1;\nimport \"acme/base/v1/base.proto\";\nmessage Invoice { acme.base.v1.Money amount = 1; }\n",
        ),
    ])
}

fn all_questions(dir: &Path, cache: &Path) {
    transparent(dir, cache, &["lint"]);
    transparent(dir, cache, &["lint", "--error-format", "json"]);
    for path in [
        "acme/base/v1/base.proto",
        "acme/orders/v1/orders.proto",
        "acme/orders/v1/refunds.proto",
        "acme/billing",
    ] {
        transparent(dir, cache, &["lint", "--path", path]);
        transparent(dir, cache, &["build", "--path", path]);
    }
}

fn edit(dir: &Path, path: &str, from: &str, to: &str) {
    let p = dir.join(path);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{path} has no {from:?}");
    // A new size as well as new content: the test does not depend on timestamp resolution.
    std::fs::write(&p, text.replace(from, to)).unwrap();
}

#[test]
fn edits_that_ripple_through_imports_are_seen() {
    let dir = module();
    let cache = tempfile::tempdir().unwrap();
    all_questions(dir.path(), cache.path());
    // A field rename in a file everything imports.
    edit(
        dir.path(),
        "acme/base/v1/base.proto",
        "currency_code",
        "currencyCode",
    );
    all_questions(dir.path(), cache.path());
    // A message others use, deleted: compile errors in the importers.
    edit(
        dir.path(),
        "acme/base/v1/base.proto",
        "message Shared { string id = 1; }\n",
        "",
    );
    let out = transparent(dir.path(), cache.path(), &["lint"]);
    assert_eq!(out.code, 100);
    all_questions(dir.path(), cache.path());
    edit(
        dir.path(),
        "acme/base/v1/base.proto",
        "currencyCode",
        "currency_code",
    );
    edit(
        dir.path(),
        "acme/base/v1/base.proto",
        "message Money",
        "message Shared { string id = 1; }\nmessage Money",
    );
    all_questions(dir.path(), cache.path());
    // A package change (cross-file facts) and a go_package option on one file.
    edit(
        dir.path(),
        "acme/orders/v1/refunds.proto",
        "package acme.orders.v1;",
        "package acme.orders.v1;\noption go_package = \"x/y\";",
    );
    all_questions(dir.path(), cache.path());
    // buf.yaml: another rule set.
    edit(
        dir.path(),
        "buf.yaml",
        "use: [STANDARD]",
        "use: [MINIMAL]\n  except: [PACKAGE_DIRECTORY_MATCH]",
    );
    all_questions(dir.path(), cache.path());
    // A file added, then removed.
    common::write(
        dir.path(),
        "acme/billing/v1/extra.proto",
        b"syntax = \"proto3\";\npackage acme.billing.v2;\n",
    );
    all_questions(dir.path(), cache.path());
    std::fs::remove_file(dir.path().join("acme/billing/v1/extra.proto")).unwrap();
    all_questions(dir.path(), cache.path());
}

/// An edit that keeps an imported file's descriptor (comments only) re-checks that file alone; one
/// that changes it re-checks its importers too, even where only an option value of an importer
/// reads the changed field.
#[test]
fn comment_edits_and_field_edits_of_an_imported_file_are_seen() {
    let dir = common::workspace(&[
        ("buf.yaml", "version: v2\nlint:\n  use: [STANDARD]\n"),
        (
            "acme/opts/v1/opts.proto",
            "syntax = \"proto3\";\npackage acme.opts.v1;\nimport \"google/protobuf/descriptor.proto\";\n// Owner of a message.\nmessage Owner { string team = 1; string badName = 2; }\nextend google.protobuf.MessageOptions { Owner owner = 50001; }\n",
        ),
        (
            "acme/orders/v1/orders.proto",
            "syntax = \"proto3\";\npackage acme.orders.v1;\nimport \"acme/opts/v1/opts.proto\";\nmessage Order {\n  option (acme.opts.v1.owner) = { team: \"payments\" };\n  string id = 1;\n}\n",
        ),
        (
            "acme/orders/v1/refunds.proto",
            "syntax = \"proto3\";\npackage acme.orders.v1;\nimport \"acme/orders/v1/orders.proto\";\nmessage Refund { Order order = 1; }\n",
        ),
    ]);
    let cache = tempfile::tempdir().unwrap();
    let questions = |dir: &Path| {
        transparent(dir, cache.path(), &["lint"]);
        transparent(dir, cache.path(), &["lint", "--error-format", "json"])
    };
    let first = questions(dir.path());
    assert_eq!(first.code, 100, "badName is not lower_snake_case");
    // Comments only: the file's own findings change (an ignore comment), its importers' cannot.
    edit(
        dir.path(),
        "acme/opts/v1/opts.proto",
        "string badName = 2;",
        "\n  // buf:lint:ignore FIELD_LOWER_SNAKE_CASE\n  string badName = 2;",
    );
    let ignored = questions(dir.path());
    assert!(!String::from_utf8_lossy(&ignored.stdout).contains("badName"));
    edit(
        dir.path(),
        "acme/opts/v1/opts.proto",
        "// Owner of a message.",
        "// Who owns a message.\n\n// (detached)",
    );
    questions(dir.path());
    // The field the importer's option value names, renamed: the importer no longer compiles.
    edit(
        dir.path(),
        "acme/opts/v1/opts.proto",
        "string team = 1;",
        "string squad = 1;",
    );
    let broken = questions(dir.path());
    assert_eq!(broken.code, 100);
    assert!(
        String::from_utf8_lossy(&broken.stdout).contains("acme/orders/v1/orders.proto"),
        "{}",
        String::from_utf8_lossy(&broken.stdout)
    );
    edit(
        dir.path(),
        "acme/opts/v1/opts.proto",
        "string squad = 1;",
        "string team = 1;",
    );
    questions(dir.path());
}

/// What an incremental lint after `edit` says it linted again (`PROTOFORGE_TRACE`), with its
/// findings checked against a `--no-cache` run's.
#[track_caller]
fn linted_again(dir: &Path, cache: &Path) -> String {
    let traced = run_env(dir, cache, &["lint"], &[("PROTOFORGE_TRACE", "1")]);
    let fresh = run(dir, cache, &["--no-cache", "lint"]);
    assert_eq!(
        (traced.code, String::from_utf8_lossy(&traced.stdout)),
        (fresh.code, String::from_utf8_lossy(&fresh.stdout))
    );
    let stderr = String::from_utf8_lossy(&traced.stderr);
    stderr
        .lines()
        .find_map(|l| l.strip_prefix("protoforge: incremental lint: "))
        .unwrap_or_else(|| panic!("no incremental run:\n{stderr}"))
        .to_string()
}

/// A field renamed in a message that no option value can reach: importers that only name the
/// message are not linted again, one whose PROTOVALIDATE rule reads the field is (and its finding
/// appears), and one whose option value names a field of the edited file's messages is.
#[test]
fn a_field_edit_is_linted_again_where_importers_read_fields() {
    let dir = common::workspace(&[
        (
            "buf.yaml",
            "version: v2\nlint:\n  use: [STANDARD, PROTOVALIDATE]\n  ignore: [buf/validate]\n",
        ),
        (
            "acme/base/v1/date.proto",
            "syntax = \"proto3\";\npackage acme.base.v1;\nmessage Date {\n  int32 year = 1;\n  int32 month = 2;\n}\n",
        ),
        (
            "acme/cal/v1/cal.proto",
            "syntax = \"proto3\";\npackage acme.cal.v1;\nimport \"acme/base/v1/date.proto\";\nimport \"buf/validate/validate.proto\";\nmessage Event {\n  acme.base.v1.Date day = 1 [(buf.validate.field).cel = {id: \"y\", message: \"m\", expression: \"this.year > 0\"}];\n}\n",
        ),
        (
            "acme/notes/v1/notes.proto",
            "syntax = \"proto3\";\npackage acme.notes.v1;\nimport \"acme/base/v1/date.proto\";\nmessage Note {\n  acme.base.v1.Date day = 1;\n}\n",
        ),
        (
            "acme/notes/v1/more.proto",
            "syntax = \"proto3\";\npackage acme.notes.v1;\nimport \"acme/notes/v1/notes.proto\";\nmessage MoreNotes {\n  repeated Note notes = 1;\n}\n",
        ),
        (
            "acme/opts/v1/opts.proto",
            "syntax = \"proto3\";\npackage acme.opts.v1;\nimport \"google/protobuf/descriptor.proto\";\nmessage Owner {\n  string team = 1;\n}\nextend google.protobuf.MessageOptions {\n  Owner owner = 50001;\n}\n",
        ),
        (
            "acme/owned/v1/team.proto",
            "syntax = \"proto3\";\npackage acme.owned.v1;\nimport \"acme/opts/v1/opts.proto\";\nmessage Team {\n  acme.opts.v1.Owner owner = 1;\n}\n",
        ),
        (
            "acme/owned/v1/owned.proto",
            "syntax = \"proto3\";\npackage acme.owned.v1;\nimport \"acme/opts/v1/opts.proto\";\nmessage Owned {\n  option (acme.opts.v1.owner) = {team: \"payments\"};\n  string id = 1;\n}\n",
        ),
    ]);
    let validate = common::repo_root().join("testdata/lint/PROTOVALIDATE/buf");
    common::copy_dir(&validate, &dir.path().join("buf"));
    let cache = tempfile::tempdir().unwrap();
    let first = transparent(dir.path(), cache.path(), &["lint"]);
    assert!(
        !String::from_utf8_lossy(&first.stdout).contains("cal.proto"),
        "{}",
        String::from_utf8_lossy(&first.stdout)
    );
    let files = "of 8 files linted again";
    // A field renamed: the importer with a PROTOVALIDATE rule is linted again, the two files
    // that only name `Date` (one of them through the other) are not.
    edit(
        dir.path(),
        "acme/base/v1/date.proto",
        "int32 month = 2;",
        "int32 mon = 2;",
    );
    assert_eq!(
        linted_again(dir.path(), cache.path()),
        format!("2 {files} (1 changed)")
    );
    transparent(dir.path(), cache.path(), &["lint"]);
    // The field its CEL expression reads, renamed: it fails.
    edit(
        dir.path(),
        "acme/base/v1/date.proto",
        "int32 year = 1;",
        "int32 yr = 1;",
    );
    assert_eq!(
        linted_again(dir.path(), cache.path()),
        format!("2 {files} (1 changed)")
    );
    let broken = transparent(dir.path(), cache.path(), &["lint"]);
    assert!(
        String::from_utf8_lossy(&broken.stdout).contains("acme/cal/v1/cal.proto"),
        "{}",
        String::from_utf8_lossy(&broken.stdout)
    );
    // A field added to a message an option value reaches: every importer is linted again.
    edit(
        dir.path(),
        "acme/opts/v1/opts.proto",
        "string team = 1;",
        "string team = 1;\n  string squad = 2;",
    );
    assert_eq!(
        linted_again(dir.path(), cache.path()),
        format!("3 {files} (1 changed)")
    );
    transparent(dir.path(), cache.path(), &["lint"]);
}

/// googleapis, whole tree, in a private clone: a field renamed in `google/type/date.proto` (202
/// files import it; no option value reaches `Date`) is linted again alone, with the answer of a
/// `--no-cache` run.
#[test]
fn googleapis_field_edit_is_linted_again_alone() {
    let Some(gapis) = common::googleapis() else {
        eprintln!("skipped: no googleapis clone (../shared/corpus/googleapis.bundle)");
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let clone = work.path().join("gapis");
    let status = Command::new("git")
        .args(["clone", "--quiet", "--shared"])
        .arg(&gapis)
        .arg(&clone)
        .status()
        .expect("git clone");
    assert!(status.success());
    let cache = tempfile::tempdir().unwrap();
    let json = ["lint", "--error-format", "json"];
    let first = run(&clone, cache.path(), &json);
    assert_eq!(
        first.code,
        100,
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    edit(
        &clone,
        "google/type/date.proto",
        "int32 month = 2;",
        "int32 month_renamed = 2;",
    );
    let traced = run_env(&clone, cache.path(), &json, &[("PROTOFORGE_TRACE", "1")]);
    let fresh = run(
        &clone,
        cache.path(),
        &["--no-cache", "lint", "--error-format", "json"],
    );
    assert_eq!(traced.code, fresh.code);
    assert!(
        traced.stdout == fresh.stdout,
        "the incremental answer differs"
    );
    let stderr = String::from_utf8_lossy(&traced.stderr);
    assert!(
        stderr.contains("incremental lint: 1 of 7234 files linted again (1 changed)"),
        "{stderr}"
    );
}

/// An edit of a file imported by enough files that their compile is spread over shards (each
/// linking the common imports again): the same answers as `--no-cache`, with the importers'
/// findings (one of them breaks).
#[test]
fn an_edit_imported_by_many_files_is_seen() {
    let mut files: Vec<(String, String)> = vec![
        (
            "buf.yaml".into(),
            "version: v2\nlint:\n  use: [STANDARD]\n".into(),
        ),
        (
            "acme/base/v1/base.proto".into(),
            "syntax = \"proto3\";\npackage acme.base.v1;\nmessage Money { int64 units = 1; }\nmessage Shared { string id = 1; }\n".into(),
        ),
    ];
    for i in 0..150 {
        files.push((
            format!("acme/svc{i}/v1/svc.proto"),
            format!(
                "syntax = \"proto3\";\npackage acme.svc{i}.v1;\nimport \"acme/base/v1/base.proto\";\nmessage Item{i} {{ acme.base.v1.Money price = 1; acme.base.v1.Shared shared = 2; string badName = 3; }}\n"
            ),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_str()))
        .collect();
    let dir = common::workspace(&refs);
    let cache = tempfile::tempdir().unwrap();
    let first = transparent(dir.path(), cache.path(), &["lint"]);
    assert_eq!(first.code, 100);
    edit(
        dir.path(),
        "acme/base/v1/base.proto",
        "int64 units = 1;",
        "int64 units = 1; string currency_code = 2;",
    );
    transparent(dir.path(), cache.path(), &["lint"]);
    transparent(
        dir.path(),
        cache.path(),
        &["lint", "--error-format", "json"],
    );
    // A message the importers use, deleted: every importer fails to compile.
    edit(
        dir.path(),
        "acme/base/v1/base.proto",
        "message Shared { string id = 1; }\n",
        "",
    );
    let broken = transparent(dir.path(), cache.path(), &["lint"]);
    assert_eq!(broken.code, 100);
    assert!(String::from_utf8_lossy(&broken.stdout).contains("acme/svc149/v1/svc.proto"));
}

/// Every cache entry truncated, flipped, emptied or replaced by another version's: same answers.
#[test]
fn a_corrupted_cache_gives_the_same_answers() {
    let dir = module();
    let cache = tempfile::tempdir().unwrap();
    all_questions(dir.path(), cache.path());
    let damage: [fn(&mut Vec<u8>); 4] = [
        |b| b.truncate(b.len() / 2),
        |b| {
            let n = b.len();
            b[n - 1] ^= 0xff;
        },
        |b| b.clear(),
        |b| b[9] ^= 0x20, // the version string
    ];
    for hurt in damage {
        let mut files = Vec::new();
        let mut stack = vec![cache.path().to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                if e.path().is_dir() {
                    stack.push(e.path());
                } else {
                    files.push(e.path());
                }
            }
        }
        assert!(!files.is_empty());
        for f in files {
            let mut bytes = std::fs::read(&f).unwrap();
            if bytes.len() > 16 {
                hurt(&mut bytes);
                std::fs::write(&f, bytes).unwrap();
            }
        }
        all_questions(dir.path(), cache.path());
    }
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .status()
        .expect("git");
    assert!(status.success(), "git {args:?}");
}

#[test]
fn a_git_branch_switch_is_seen() {
    if Command::new("git").arg("--version").output().is_err() {
        eprintln!("skipped: no git");
        return;
    }
    let dir = module();
    let cache = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-qm", "one"]);
    git(dir.path(), &["checkout", "-qb", "two"]);
    edit(
        dir.path(),
        "acme/base/v1/base.proto",
        "int64 units = 1;",
        "",
    );
    edit(
        dir.path(),
        "acme/orders/v1/orders.proto",
        "GetOrder(",
        "Get_Order(",
    );
    git(dir.path(), &["commit", "-qam", "two"]);
    for branch in ["main", "two", "main", "two"] {
        git(dir.path(), &["checkout", "-q", branch]);
        all_questions(dir.path(), cache.path());
        transparent(
            dir.path(),
            cache.path(),
            &["breaking", "--against", ".git#branch=main"],
        );
        transparent(
            dir.path(),
            cache.path(),
            &[
                "breaking",
                "--against",
                ".git#branch=two",
                "--path",
                "acme/base",
            ],
        );
        transparent(dir.path(), cache.path(), &["lint", ".git#branch=two"]);
    }
}

#[test]
fn cache_info_clean_and_no_cache() {
    let dir = module();
    let cache = tempfile::tempdir().unwrap();
    let store = cache.path().join("store");
    run(dir.path(), &store, &["--no-cache", "lint"]);
    assert!(!store.exists(), "--no-cache wrote to the cache");
    run(dir.path(), &store, &["lint"]);
    let info = run(dir.path(), &store, &["cache", "info"]);
    assert_eq!(info.code, 0);
    let text = String::from_utf8_lossy(&info.stdout).into_owned();
    assert!(
        text.contains(&format!("location: {}", store.display())),
        "{text}"
    );
    assert!(!text.contains("entries: 0"), "{text}");
    let clean = run(dir.path(), &store, &["cache", "clean"]);
    assert_eq!(clean.code, 0);
    let info = run(dir.path(), &store, &["cache", "info"]);
    assert!(String::from_utf8_lossy(&info.stdout).contains("entries: 0"));
}

/// Past the time within which a file's stamp is not trusted (2 s): what was just written can be
/// remembered by stamp.
fn let_stamps_settle() {
    std::thread::sleep(std::time::Duration::from_millis(2_100));
}

/// Registry dependencies: buf's module cache changes under a warm protoforge cache (a module
/// deleted, a file corrupted and restored, the cache moved): every answer is the one of a
/// `--no-cache` run, errors included, and the digest of an unchanged entry is not checked again.
#[test]
fn a_changed_buf_module_cache_is_seen() {
    let tmp = tempfile::tempdir().unwrap();
    let deps = common::repo_root().join("testdata/deps");
    for dir in ["cache", "previous", "current"] {
        copy_dir(&deps.join(dir), &tmp.path().join(dir));
    }
    let cache = tmp.path().join("pf-cache");
    let current = tmp.path().join("current");
    let env = [("BUF_CACHE_DIR", "../cache"), ("XDG_CACHE_HOME", "")];
    let questions = |want: i32| {
        for args in [
            &["lint"][..],
            &["lint", "--error-format", "json"],
            &["lint", "--path", "proto/acme"],
            &["breaking", "--against", "../previous"],
            &[
                "breaking",
                "--against",
                "../previous",
                "--path",
                "proto/acme",
            ],
        ] {
            let out = transparent_env(&current, &cache, args, &env);
            let code = if out.code == 100 { 0 } else { out.code };
            assert_eq!(
                code,
                want,
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    };
    let_stamps_settle();
    questions(0);
    let verified = cache.join(format!(
        "v{}/deps-verified",
        protoforge::cache::FORMAT_VERSION
    ));
    assert!(
        verified.is_dir(),
        "verified digests are remembered by stamp"
    );
    // The googleapis module the current side pins: one of its files changed, then restored.
    let entry = tmp.path().join(
        "cache/v3/modules/b5/buf.build/googleapis/googleapis/90b70a11470049788464b5fc4ba17057",
    );
    let file = entry.join("files/google/type/date.proto");
    let original = std::fs::read(&file).unwrap();
    let mut changed = original.clone();
    changed.extend_from_slice(b"// changed\n");
    std::fs::write(&file, &changed).unwrap();
    questions(1);
    let_stamps_settle();
    questions(1);
    // Same size, other bytes.
    let mut flipped = original.clone();
    let last = flipped.len() - 2;
    flipped[last] ^= 0x01;
    std::fs::write(&file, &flipped).unwrap();
    let_stamps_settle();
    questions(1);
    std::fs::write(&file, &original).unwrap();
    let_stamps_settle();
    questions(0);
    // module.yaml gone: an incomplete entry.
    let module_yaml = entry.join("module.yaml");
    let yaml = std::fs::read(&module_yaml).unwrap();
    std::fs::remove_file(&module_yaml).unwrap();
    questions(1);
    std::fs::write(&module_yaml, &yaml).unwrap();
    let_stamps_settle();
    questions(0);
    // The whole module deleted, then the whole cache.
    std::fs::remove_dir_all(&entry).unwrap();
    questions(1);
    std::fs::remove_dir_all(tmp.path().join("cache")).unwrap();
    questions(1);
}

/// googleapis (skipped without the clone): warm answers equal --no-cache ones for the questions
/// of the benchmarks.
#[test]
fn googleapis_answers_the_same_warm() {
    let Some(gapis) = common::googleapis() else {
        eprintln!("skipped: no googleapis clone (../shared/corpus/googleapis.bundle)");
        return;
    };
    let cache = tempfile::tempdir().unwrap();
    // The first `--path` run fills the summary index; the next ones read other files' heads
    // from it (and the message names of the few files a scope search needs).
    for path in [
        "google/pubsub/v1/pubsub.proto",
        "google/api",
        "google/cloud/kms/v1",
    ] {
        transparent(&gapis, cache.path(), &["lint", "--path", path]);
    }
    transparent(
        &gapis,
        cache.path(),
        &[
            "breaking",
            "--against",
            ".git#tag=upstream-2026-05-12",
            "--path",
            "google/api",
        ],
    );
}

/// A module whose other files need more than their heads: a file option after a message, a late
/// `import` after messages that closes a package import cycle, an RPC in another package that
/// reuses a target's request type (and one that only mentions it in a comment), a directory
/// shared by two packages, the words `package` and `rpc` in comments, and a file that does not
/// parse. A `--path` run that reads most files by head gives, cold, warm and without the cache,
/// what it gives when every file is read whole (`PROTOFORGE_LINT_WHOLE_REST=1`), and the
/// cross-file rules do fire.
#[test]
fn path_runs_that_read_heads_answer_as_whole_reads() {
    let dir = common::workspace(&[
        ("buf.yaml", "version: v2\nlint:\n  use: [STANDARD]\n"),
        (
            "acme/pay/v1/pay.proto",
            "syntax = \"proto3\";\npackage acme.pay.v1;\nimport \"acme/ledger/v1/ledger.proto\";\n\
             option go_package = \"acme/pay/v1;payv1\";\nmessage ChargeRequest { acme.ledger.v1.Entry entry = 1; }\n\
             message ChargeResponse { string id = 1; }\n\
             service PayService { rpc Charge(ChargeRequest) returns (ChargeResponse); }\n",
        ),
        (
            "acme/pay/v1/refund.proto",
            "syntax = \"proto3\";\npackage acme.pay.v1;\n// This package's refunds: an rpc mention.\n\
             message Refund { string id = 1; }\noption go_package = \"acme/pay/v1;other\";\n",
        ),
        (
            "acme/pay/v1/stray.proto",
            "syntax = \"proto3\";\npackage acme.stray.v1;\nmessage Stray { string id = 1; }\n",
        ),
        (
            "acme/elsewhere/pay.proto",
            "syntax = \"proto3\";\npackage acme.pay.v1;\nmessage Elsewhere { string id = 1; }\n",
        ),
        (
            "acme/ledger/v1/ledger.proto",
            "syntax = \"proto3\";\npackage acme.ledger.v1;\nmessage Entry { string id = 1; }\n",
        ),
        (
            "acme/ledger/v1/audit.proto",
            "syntax = \"proto3\";\npackage acme.ledger.v1;\nmessage Audit { string id = 1; }\n\
             import \"acme/pay/v1/refund.proto\";\nmessage AuditRefund { acme.pay.v1.Refund refund = 1; }\n",
        ),
        (
            "acme/gateway/v1/gateway.proto",
            "syntax = \"proto3\";\npackage acme.gateway.v1;\nimport \"acme/pay/v1/pay.proto\";\n\
             message Note { string id = 1; }\n\
             service GatewayService {\n  // rpc Old(acme.pay.v1.ChargeResponse) was removed\n  \
             rpc /* same request */ Charge(acme.pay.v1.ChargeRequest) returns (Note);\n}\n",
        ),
        (
            "acme/gateway/v1/mirror.proto",
            "syntax = \"proto3\";\npackage acme.gateway.v1;\nimport \"acme/pay/v1/pay.proto\";\n\
             message Mirror { string id = 1; }\n\
             service MirrorService { rpc Charge(.acme.pay.v1.ChargeRequest) returns (Mirror); }\n",
        ),
        (
            "acme/broken/v1/broken.proto",
            "syntax = \"proto3\";\npackage acme.broken.v1;\nimport \"acme/pay/v1/pay.proto\";\n\
             message Broken { string id = 1 }\n\
             service BrokenService { rpc Charge(acme.pay.v1.ChargeRequest) returns (Broken); }\n",
        ),
    ]);
    let cache = tempfile::tempdir().unwrap();
    for path in ["acme/pay/v1/pay.proto", "acme/pay/v1", "acme/ledger"] {
        let args = ["lint", "--path", path];
        let heads = transparent(dir.path(), cache.path(), &args);
        let whole = transparent_env(
            dir.path(),
            cache.path(),
            &args,
            &[("PROTOFORGE_LINT_WHOLE_REST", "1")],
        );
        assert_eq!(
            (heads.code, String::from_utf8_lossy(&heads.stdout)),
            (whole.code, String::from_utf8_lossy(&whole.stdout)),
            "{path}"
        );
        assert_eq!(heads.code, 100, "{path}");
    }
    let out = run(
        dir.path(),
        cache.path(),
        &["lint", "--path", "acme/pay/v1/pay.proto"],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    // PACKAGE_SAME_GO_PACKAGE, PACKAGE_SAME_DIRECTORY, DIRECTORY_SAME_PACKAGE,
    // PACKAGE_NO_IMPORT_CYCLE (through the late import), RPC_REQUEST_RESPONSE_UNIQUE.
    for finding in [
        "have both values \"acme/pay/v1;other,acme/pay/v1;payv1\"",
        "Multiple directories \"acme/elsewhere,acme/pay/v1\"",
        "Multiple packages \"acme.pay.v1,acme.stray.v1\"",
        "Package import cycle: acme.pay.v1 -> acme.ledger.v1 -> acme.pay.v1",
        "\"acme.pay.v1.ChargeRequest\" is used as the request or response type",
    ] {
        assert!(text.contains(finding), "no {finding} in:\n{text}");
    }
}

/// A cold `--path` run stamps the files it reads by their open handles (no stat of the tree
/// first) and keeps their heads in the summary index; an edit to a file outside the targets
/// between runs, once its stamp can be trusted (a late `import` that closes a package import
/// cycle, then a late `package` that moves the file to another package), is seen by the next
/// warm run, which answers as `--no-cache` and as a whole read of every file.
#[test]
fn path_runs_see_edits_to_files_known_by_their_stamps() {
    let dir = common::workspace(&[
        ("buf.yaml", "version: v2\nlint:\n  use: [STANDARD]\n"),
        (
            "acme/pay/v1/pay.proto",
            "syntax = \"proto3\";\npackage acme.pay.v1;\nimport \"acme/ledger/v1/ledger.proto\";\n\
             message ChargeRequest { acme.ledger.v1.Entry entry = 1; }\n\
             message ChargeResponse { string id = 1; }\n\
             service PayService { rpc Charge(ChargeRequest) returns (ChargeResponse); }\n",
        ),
        (
            "acme/pay/v1/refund.proto",
            "syntax = \"proto3\";\npackage acme.pay.v1;\nmessage Refund { string id = 1; }\n",
        ),
        (
            "acme/ledger/v1/ledger.proto",
            "syntax = \"proto3\";\npackage acme.ledger.v1;\nmessage Entry { string id = 1; }\n",
        ),
        (
            "acme/ledger/v1/audit.proto",
            "syntax = \"proto3\";\npackage acme.ledger.v1;\nmessage Audit { string id = 1; }\n",
        ),
    ]);
    let cache = tempfile::tempdir().unwrap();
    let args = ["lint", "--path", "acme/pay/v1/pay.proto"];
    let check = |expect_cycle: bool| {
        let out = transparent(dir.path(), cache.path(), &args);
        let whole = run_env(
            dir.path(),
            cache.path(),
            &args,
            &[("PROTOFORGE_LINT_WHOLE_REST", "1")],
        );
        assert_eq!(
            (out.code, String::from_utf8_lossy(&out.stdout)),
            (whole.code, String::from_utf8_lossy(&whole.stdout))
        );
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert_eq!(
            text.contains("Package import cycle: acme.pay.v1 -> acme.ledger.v1 -> acme.pay.v1"),
            expect_cycle,
            "{text}"
        );
    };
    let_stamps_settle();
    check(false);
    edit(
        dir.path(),
        "acme/ledger/v1/audit.proto",
        "message Audit { string id = 1; }\n",
        "message Audit { string id = 1; }\nimport \"acme/pay/v1/refund.proto\";\n\
         message AuditRefund { acme.pay.v1.Refund refund = 1; }\n",
    );
    let_stamps_settle();
    check(true);
    // The importing file moves to a package of its own: no cycle through acme.ledger.v1.
    edit(
        dir.path(),
        "acme/ledger/v1/audit.proto",
        "syntax = \"proto3\";\npackage acme.ledger.v1;\nmessage Audit { string id = 1; }\n",
        "syntax = \"proto3\";\nmessage Audit { string id = 1; }\npackage acme.audit.v1;\n",
    );
    let_stamps_settle();
    check(false);
}

/// The answers stored in `cache` (one file each).
fn stored_answers(cache: &Path) -> usize {
    let mut count = 0;
    for version in dirs(cache) {
        for bucket in dirs(&version.join("answers")) {
            count += std::fs::read_dir(bucket).map_or(0, |r| r.flatten().count());
        }
    }
    count
}

/// The first `--path` run of a command line runs before its answer's fingerprint is taken, which
/// is then made from what the run read (files outside the module, one of them not text, and the
/// config included): its answer is stored under the key a later run computes first, so that run
/// replays it (no second answer is stored), and both print what `--no-cache` prints. An edit
/// between runs, to a file the first run knew by its head only, is seen; so is one to a file
/// outside the module (another key: the run answers again).
#[test]
fn a_first_path_run_stores_the_answer_a_later_run_finds() {
    let dir = common::workspace(&[
        (
            "buf.yaml",
            "version: v2\nmodules:\n  - path: .\n    excludes: [vendor]\nlint:\n  use: [STANDARD]\n",
        ),
        (
            "acme/pay/v1/pay.proto",
            "syntax = \"proto3\";\npackage acme.pay.v1;\nimport \"acme/ledger/v1/ledger.proto\";\n\
             message ChargeRequest { acme.ledger.v1.Entry entry = 1; }\n\
             message ChargeResponse { string id = 1; }\n\
             service PayService { rpc Charge(ChargeRequest) returns (ChargeResponse); }\n",
        ),
        (
            "acme/ledger/v1/ledger.proto",
            "syntax = \"proto3\";\npackage acme.ledger.v1;\nmessage Entry { string id = 1; }\n",
        ),
        (
            "acme/ledger/v1/audit.proto",
            "syntax = \"proto3\";\npackage acme.ledger.v1;\nmessage Audit { string id = 1; }\n",
        ),
        (
            "vendor/other.proto",
            "syntax = \"proto3\";\npackage vendor;\nmessage Other { string id = 1; }\n",
        ),
    ]);
    common::write(dir.path(), "vendor/binary.proto", b"\xff\xfe not text\0");
    let args = ["lint", "--path", "acme/pay/v1/pay.proto"];
    let no_cache = |dir: &Path| {
        let mut no_cache_args = vec!["--no-cache"];
        no_cache_args.extend_from_slice(&args);
        let out = run(dir, Path::new("/nonexistent"), &no_cache_args);
        (out.code, out.stdout, out.stderr)
    };
    let cache = tempfile::tempdir().unwrap();
    let_stamps_settle();
    for round in 0..3 {
        let expected = no_cache(dir.path());
        let before = stored_answers(cache.path());
        let first = run(dir.path(), cache.path(), &args);
        assert_eq!(
            (first.code, &first.stdout, &first.stderr),
            (expected.0, &expected.1, &expected.2),
            "round {round}"
        );
        assert_eq!(stored_answers(cache.path()), before + 1, "round {round}");
        let again = run(dir.path(), cache.path(), &args);
        assert_eq!(
            (again.code, &again.stdout, &again.stderr),
            (expected.0, &expected.1, &expected.2),
            "round {round}"
        );
        assert_eq!(
            stored_answers(cache.path()),
            before + 1,
            "round {round}: the second run did not replay the first run's answer"
        );
        match round {
            // A package import cycle through a file outside the targets, known by head.
            0 => edit(
                dir.path(),
                "acme/ledger/v1/audit.proto",
                "message Audit { string id = 1; }\n",
                "import \"acme/pay/v1/pay.proto\";\nmessage Audit { acme.pay.v1.ChargeRequest r = 1; }\n",
            ),
            // A file outside the module.
            1 => edit(dir.path(), "vendor/other.proto", "Other", "Another"),
            _ => {}
        }
        let_stamps_settle();
    }
    let text = String::from_utf8_lossy(&no_cache(dir.path()).1).into_owned();
    assert!(
        text.contains("Package import cycle: acme.pay.v1 -> acme.ledger.v1 -> acme.pay.v1"),
        "{text}"
    );
}

/// A recorded run only hashes the files outside the modules (the answer's fingerprint needs
/// nothing else of them), and the index keeps them so. When buf.yaml then takes those files into
/// the module, an entry that only has their hash does not stand for their heads: they are read,
/// and every answer is the one of a `--no-cache` run.
#[test]
fn files_known_only_by_their_hash_are_read_when_a_module_takes_them_in() {
    let dir = common::workspace(&[
        (
            "buf.yaml",
            "version: v2\nmodules:\n  - path: .\n    excludes: [vendor]\nlint:\n  use: [STANDARD]\n",
        ),
        (
            "acme/pay/v1/pay.proto",
            "syntax = \"proto3\";\npackage acme.pay.v1;\nmessage Charge { string id = 1; }\n",
        ),
        (
            "vendor/acme/pay/v1/more.proto",
            "syntax = \"proto3\";\npackage acme.pay.v1;\nmessage More { string id = 1; }\n",
        ),
    ]);
    let cache = tempfile::tempdir().unwrap();
    let args = ["lint", "--path", "acme/pay/v1/pay.proto"];
    let_stamps_settle();
    let before = transparent(dir.path(), cache.path(), &args);
    assert_eq!(
        before.code,
        0,
        "{}",
        String::from_utf8_lossy(&before.stdout)
    );
    edit(dir.path(), "buf.yaml", "    excludes: [vendor]\n", "");
    // The module now has acme.pay.v1 in two directories.
    let after = transparent(dir.path(), cache.path(), &args);
    let text = String::from_utf8_lossy(&after.stdout).into_owned();
    assert_eq!(after.code, 100, "{text}");
    assert!(text.contains("Multiple directories"), "{text}");
    transparent(dir.path(), cache.path(), &["lint"]);
}

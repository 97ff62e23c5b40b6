//! Registry dependencies read offline from buf's module cache, compared with buf 1.75.
//!
//! `testdata/deps/golden/` holds what buf printed offline (`testdata/deps/record.sh`) on:
//! - our fixture (`testdata/deps/`, made by `make_fixture.py`): a cache with part of googleapis at two
//!   commits, `buf.build/acme/geo` (which depends on googleapis) and a v1 (shake256) entry; a v2 workspace
//!   at both commits (`previous/`, `current/`) and a v1 one (`v1/`);
//! - buf's own cache test data in `../shared/conformance/deps` (cases `shared_*`; skipped when absent).
//!
//! protoforge runs the same commands in the same directories (with `BUF_CACHE_DIR=../cache`, read only)
//! and must print the same thing. One difference is allowed: buf shows well-known types in `ls-files
//! --format json` at their place in its own cache (`../cache/v3/wellknowntypes/<version>/...`), which
//! protoforge does not use (it compiles them in): it shows their import path.
//! Every error path has its own test below.

use crate::common;

use common::copy_dir;

use std::path::{Path, PathBuf};

use common::{repo_root, Run};

fn fixture(rel: &str) -> PathBuf {
    repo_root().join("testdata/deps").join(rel)
}

fn golden(case: &str, name: &str) -> String {
    let path = fixture("golden").join(case).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn golden_exit(case: &str, name: &str) -> i32 {
    golden(case, &format!("{name}.exit"))
        .trim()
        .parse()
        .unwrap()
}

/// `protoforge ARGS` in `dir` with `BUF_CACHE_DIR=cache` (and no other cache settings).
fn run(dir: &Path, cache: &str, args: &[&str]) -> Run {
    common::protoforge_env(
        dir,
        args,
        &[("BUF_CACHE_DIR", Some(cache)), ("XDG_CACHE_HOME", None)],
    )
}

/// buf's `ls-files --format json` with well-known types at their import path (see the module doc).
fn without_wkt_cache_paths(json: &str) -> String {
    json.lines()
        .map(|line| {
            let Some(start) = line.find("\"path\":\"") else {
                return line.to_string();
            };
            let value = &line[start + 8..];
            match value.find("/v3/wellknowntypes/") {
                Some(i) if !value[..i].contains('"') => {
                    let after = &value[i + "/v3/wellknowntypes/".len()..];
                    let rest = &after[after.find('/').map_or(0, |j| j + 1)..];
                    format!("{}\"path\":\"{rest}", &line[..start])
                }
                _ => line.to_string(),
            }
        })
        .map(|l| l + "\n")
        .collect()
}

/// Runs a recorded command and compares its stdout and exit code with buf's.
fn same_as_buf(case: &str, name: &str, dir: &Path, cache: &str, args: &[&str]) {
    let got = run(dir, cache, args);
    let mut want = golden(case, &format!("{name}.out"));
    if name.ends_with("json") {
        want = without_wkt_cache_paths(&want);
    }
    assert_eq!(
        got.stdout,
        want,
        "{case}/{name}: protoforge {} printed something else than buf (stderr: {})",
        args.join(" "),
        got.stderr
    );
    assert_eq!(
        got.code,
        golden_exit(case, name),
        "{case}/{name}: exit code (stderr: {})",
        got.stderr
    );
}

/// The image `protoforge build` writes: (file, is_import) in image order, as `buf build` lists them.
fn same_image_files_as_buf(case: &str, dir: &Path, cache: &str) {
    let out = tempfile::tempdir().unwrap();
    let image = out.path().join("image.binpb");
    let built = run(dir, cache, &["build", "-o", image.to_str().unwrap()]);
    assert_eq!(built.code, 0, "{case}: build failed: {}", built.stderr);
    let bytes = std::fs::read(&image).unwrap();
    let image = protoforge::compile::image_from_bytes(&bytes, "image.binpb").expect("decodes");
    let got: String = image
        .files
        .iter()
        .map(|f| format!("{}\t{}\n", f.name(), f.is_import))
        .collect();
    assert_eq!(got, golden(case, "build.files"), "{case}: image files");
}

#[test]
fn fixture_ls_files_lint_and_image_match_buf() {
    for side in ["previous", "current"] {
        let dir = fixture(side);
        same_as_buf(
            side,
            "ls-files",
            &dir,
            "../cache",
            &["ls-files", "--include-imports"],
        );
        same_as_buf(
            side,
            "ls-files-json",
            &dir,
            "../cache",
            &["ls-files", "--include-imports", "--format", "json"],
        );
        same_as_buf(
            side,
            "lint",
            &dir,
            "../cache",
            &["lint", "--error-format", "json"],
        );
        same_image_files_as_buf(side, &dir, "../cache");
    }
}

#[test]
fn fixture_breaking_compares_dependency_files_as_buf_does() {
    let dir = fixture("current");
    same_as_buf(
        "current",
        "breaking",
        &dir,
        "../cache",
        &[
            "breaking",
            "--against",
            "../previous",
            "--error-format",
            "json",
        ],
    );
    same_as_buf(
        "current",
        "breaking-exclude-imports",
        &dir,
        "../cache",
        &[
            "breaking",
            "--against",
            "../previous",
            "--exclude-imports",
            "--error-format",
            "json",
        ],
    );
}

/// Every file under a directory (relative path, size).
fn listing(dir: &Path) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                let rel = entry
                    .path()
                    .strip_prefix(dir)
                    .unwrap()
                    .display()
                    .to_string();
                out.push((rel, meta.len()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn breaking_against_a_git_ref_whose_buf_lock_pins_another_commit() {
    let tmp = tempfile::tempdir().unwrap();
    let repo_dir = tmp.path().join("repo");
    copy_dir(&fixture("previous"), &repo_dir);
    let repo = git2::Repository::init(&repo_dir).unwrap();
    let mut index = repo.index().unwrap();
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = git2::Signature::now("t", "t@example.com").unwrap();
    repo.commit(Some("refs/heads/main"), &sig, &sig, "previous", &tree, &[])
        .unwrap();
    std::fs::remove_dir_all(repo_dir.join("proto")).unwrap();
    copy_dir(&fixture("current/proto"), &repo_dir.join("proto"));
    std::fs::copy(fixture("current/buf.lock"), repo_dir.join("buf.lock")).unwrap();
    let cache = fixture("cache");
    same_as_buf(
        "git",
        "breaking",
        &repo_dir,
        cache.to_str().unwrap(),
        &[
            "breaking",
            "--against",
            ".git#branch=main",
            "--error-format",
            "json",
        ],
    );
}

#[test]
fn v1_buf_lock_with_a_shake256_digest() {
    let dir = fixture("v1");
    same_as_buf(
        "v1",
        "ls-files-json",
        &dir,
        "../cache",
        &["ls-files", "--include-imports", "--format", "json"],
    );
    same_image_files_as_buf("v1", &dir, "../cache");
}

#[test]
fn a_v1_workspace_reads_each_modules_buf_lock() {
    let dir = fixture("workspace");
    same_as_buf(
        "workspace",
        "ls-files-json",
        &dir,
        "../cache",
        &["ls-files", "--include-imports", "--format", "json"],
    );
    // Two buf.lock files pinning one module at two commits: buf asks the registry which is newer.
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&dir, tmp.path());
    let lock = tmp.path().join("b/buf.lock");
    let text = std::fs::read_to_string(&lock).unwrap();
    std::fs::write(
        &lock,
        text.replace(
            "1ab4cb86c99a43b6ab4535243b814f3d",
            "2ab4cb86c99a43b6ab4535243b814f3d",
        ),
    )
    .unwrap();
    let cache = fixture("cache");
    let got = run(tmp.path(), cache.to_str().unwrap(), &["build"]);
    assert_eq!(got.code, 1);
    assert!(
        got.stderr.contains("buf.build/googleapis/googleapis is pinned at commit 1ab4cb86c99a43b6ab4535243b814f3d in a/buf.lock and at commit 2ab4cb86c99a43b6ab4535243b814f3d in b/buf.lock"),
        "{}",
        got.stderr
    );
}

/// The two digests buf named when it rejected the case: (expected, actual).
fn buf_digests(case: &str) -> Vec<String> {
    golden(case, "build.digests")
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn a_tampered_buf_lock_digest_is_rejected_as_buf_rejects_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("previous");
    copy_dir(&fixture("previous"), &dir);
    let lock = std::fs::read_to_string(dir.join("buf.lock")).unwrap();
    let digests = buf_digests("tampered");
    assert_eq!(digests.len(), 2, "buf named the expected and actual digest");
    // buf.lock now pins the first digest buf named; the cache holds the second.
    let tampered = lock.replacen(&digests[1], &digests[0], 1);
    assert_ne!(tampered, lock);
    std::fs::write(dir.join("buf.lock"), &tampered).unwrap();
    let cache = fixture("cache");
    let got = run(&dir, cache.to_str().unwrap(), &["build"]);
    assert_eq!(got.code, golden_exit("tampered", "build"));
    assert!(
        got.stderr
            .contains("digest verification failed for buf.build/acme/geo"),
        "{}",
        got.stderr
    );
    for d in &digests {
        assert!(got.stderr.contains(d.as_str()), "{d} not in {}", got.stderr);
    }
    // It points at the line of buf.lock that pins the digest.
    assert!(got.stderr.contains("buf.lock:6:13"), "{}", got.stderr);
}

#[test]
fn a_corrupted_cache_file_is_rejected_as_buf_rejects_it() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    copy_dir(&fixture("cache"), &cache);
    let file = cache.join(
        "v3/modules/b5/buf.build/googleapis/googleapis/bf0d1650571f4d1a94abf9c1f1503d7e/files/google/type/date.proto",
    );
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("// changed\n");
    std::fs::write(&file, text).unwrap();
    let got = run(&fixture("previous"), cache.to_str().unwrap(), &["build"]);
    assert_eq!(got.code, golden_exit("corrupt_file", "build"));
    for d in buf_digests("corrupt_file") {
        assert!(got.stderr.contains(&d), "{d} not in {}", got.stderr);
    }
    assert!(got.stderr.contains("buf registry cc"), "{}", got.stderr);
}

#[test]
fn a_file_that_is_not_a_module_file_does_not_change_the_digest() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    copy_dir(&fixture("cache"), &cache);
    let files = cache.join(
        "v3/modules/b5/buf.build/googleapis/googleapis/90b70a11470049788464b5fc4ba17057/files",
    );
    // Not .proto, not LICENSE, not the documentation file (buf.md wins over README.md here).
    std::fs::write(files.join("google/api/BUILD.bazel"), "x").unwrap();
    std::fs::write(files.join("README.markdown"), "x").unwrap();
    let got = run(&fixture("current"), cache.to_str().unwrap(), &["build"]);
    assert_eq!(got.code, 0, "{}", got.stderr);
    // The README.md of that commit is not its documentation file either.
    std::fs::write(files.join("README.md"), "changed").unwrap();
    assert_eq!(
        run(&fixture("current"), cache.to_str().unwrap(), &["build"]).code,
        0
    );
    // buf.md is.
    std::fs::write(files.join("buf.md"), "changed").unwrap();
    let got = run(&fixture("current"), cache.to_str().unwrap(), &["build"]);
    assert_eq!(got.code, 1);
    assert!(got
        .stderr
        .contains("digest verification failed for buf.build/googleapis/googleapis"));
}

#[test]
fn an_incomplete_entry_without_module_yaml_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    copy_dir(&fixture("cache"), &cache);
    std::fs::remove_file(
        cache.join("v3/modules/b5/buf.build/acme/geo/9925402717db42adad81607c9a1406ed/module.yaml"),
    )
    .unwrap();
    let got = run(&fixture("previous"), cache.to_str().unwrap(), &["build"]);
    // buf exits 1 too (it tries the registry, which does not answer).
    assert_eq!(got.code, golden_exit("incomplete", "build"));
    assert!(
        got.stderr
            .contains("buf.build/acme/geo at commit 9925402717db42adad81607c9a1406ed"),
        "{}",
        got.stderr
    );
    assert!(got.stderr.contains("has no module.yaml"), "{}", got.stderr);
    assert!(got.stderr.contains("buf dep update"), "{}", got.stderr);
}

#[test]
fn a_module_missing_from_the_cache_is_named_with_where_protoforge_looked() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    copy_dir(&fixture("cache"), &cache);
    std::fs::remove_dir_all(cache.join("v3/modules/b5/buf.build/googleapis")).unwrap();
    let got = run(&fixture("previous"), cache.to_str().unwrap(), &["lint"]);
    assert_eq!(got.code, 1, "{}", got.stderr);
    let entry = format!(
        "{}/v3/modules/b5/buf.build/googleapis/googleapis/bf0d1650571f4d1a94abf9c1f1503d7e does not exist",
        cache.display()
    );
    assert!(got
        .stderr
        .contains("buf.build/googleapis/googleapis at commit bf0d1650571f4d1a94abf9c1f1503d7e"));
    assert!(got.stderr.contains(&entry), "{}", got.stderr);
    assert!(
        got.stderr.contains("(from $BUF_CACHE_DIR)"),
        "{}",
        got.stderr
    );
    assert!(
        got.stderr.contains(
            "buf export buf.build/googleapis/googleapis:bf0d1650571f4d1a94abf9c1f1503d7e -o DIR"
        ),
        "{}",
        got.stderr
    );
    assert!(
        !got.stderr.contains("acme/geo at commit"),
        "only the missing one: {}",
        got.stderr
    );
}

#[test]
fn a_missing_cache_directory_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("no-such-cache");
    let got = run(&fixture("previous"), cache.to_str().unwrap(), &["ls-files"]);
    assert_eq!(got.code, 1);
    assert!(
        got.stderr
            .contains("2 modules pinned in buf.lock are not in buf's module cache"),
        "{}",
        got.stderr
    );
    assert!(
        got.stderr.contains("which does not exist"),
        "{}",
        got.stderr
    );
    // Without BUF_CACHE_DIR: $XDG_CACHE_HOME/buf, then $HOME/.cache/buf.
    let tmp_dir = tmp.path().to_str().unwrap();
    let got = common::protoforge_env(
        &fixture("previous"),
        &["build"],
        &[("BUF_CACHE_DIR", None), ("XDG_CACHE_HOME", Some(tmp_dir))],
    );
    let stderr = got.stderr;
    assert_eq!(got.code, 1);
    assert!(
        stderr.contains(&format!(
            "{}/buf (from $XDG_CACHE_HOME/buf)",
            tmp.path().display()
        )),
        "{stderr}"
    );
    let got = common::protoforge_env(
        &fixture("previous"),
        &["build"],
        &[
            ("BUF_CACHE_DIR", None),
            ("XDG_CACHE_HOME", None),
            ("HOME", Some(tmp_dir)),
        ],
    );
    let stderr = got.stderr;
    assert!(
        stderr.contains(&format!(
            "{}/.cache/buf (from $HOME/.cache/buf)",
            tmp.path().display()
        )),
        "{stderr}"
    );
}

/// A copy of `previous/` with its buf.lock (or buf.yaml) rewritten.
fn previous_with(file: &str, edit: impl Fn(&str) -> String) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixture("previous"), tmp.path());
    let path = tmp.path().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, edit(&text)).unwrap();
    tmp
}

#[test]
fn an_unknown_digest_type_in_buf_lock_points_at_its_line_and_column() {
    let dir = previous_with("buf.lock", |t| t.replacen("digest: b5:", "digest: b6:", 1));
    let cache = fixture("cache");
    let got = run(dir.path(), cache.to_str().unwrap(), &["build"]);
    assert_eq!(got.code, 1);
    assert!(got.stderr.contains("buf.lock:6:13"), "{}", got.stderr);
    assert!(
        got.stderr
            .contains("could not parse module digest type \"b6\": unknown type: \"b6\""),
        "{}",
        got.stderr
    );
}

#[test]
fn a_malformed_buf_lock_points_at_its_line_and_column() {
    let cache = fixture("cache");
    let dir = previous_with("buf.lock", |t| t.replacen("    commit:", "    comit:", 1));
    let got = run(dir.path(), cache.to_str().unwrap(), &["lint"]);
    assert_eq!(got.code, 1);
    assert!(got.stderr.contains("buf.lock:5:5"), "{}", got.stderr);
    assert!(
        got.stderr.contains("unknown key \"comit\""),
        "{}",
        got.stderr
    );
    let dir = previous_with("buf.lock", |t| t.replacen("deps:\n", "deps:\n  - [\n", 1));
    let got = run(dir.path(), cache.to_str().unwrap(), &["lint"]);
    assert_eq!(got.code, 1);
    assert!(got.stderr.contains("invalid YAML"), "{}", got.stderr);
    assert!(got.stderr.contains("buf.lock:"), "{}", got.stderr);
}

#[test]
fn buf_lock_and_buf_yaml_must_agree() {
    let cache = fixture("cache");
    // A dep declared in buf.yaml that buf.lock does not pin (buf's words).
    let dir = previous_with("buf.yaml", |t| {
        t.replace(
            "  - buf.build/acme/geo\n",
            "  - buf.build/acme/geo\n  - buf.build/acme/units\n",
        )
    });
    let got = run(dir.path(), cache.to_str().unwrap(), &["build"]);
    assert_eq!(got.code, 1);
    assert!(
        got.stderr.contains(
            "\"buf.build/acme/units\" declared in buf.yaml deps but not present in buf.lock"
        ),
        "{}",
        got.stderr
    );
    // A v1 buf.lock beside a v2 buf.yaml.
    let v1 = fixture("v1/buf.lock");
    let dir = previous_with("buf.lock", |_| std::fs::read_to_string(&v1).unwrap());
    let got = run(dir.path(), cache.to_str().unwrap(), &["build"]);
    assert_eq!(got.code, 1);
    assert!(
        got.stderr
            .contains("got a v1 buf.lock file for a v2 buf.yaml"),
        "{}",
        got.stderr
    );
}

#[test]
fn deps_without_a_buf_lock() {
    let cache = fixture("cache");
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixture("previous"), tmp.path());
    std::fs::remove_file(tmp.path().join("buf.lock")).unwrap();
    // Imports that nothing provides: the missing buf.lock is the error (exit 1), not the imports.
    let got = run(tmp.path(), cache.to_str().unwrap(), &["build"]);
    assert_eq!(got.code, 1, "{}", got.stderr);
    assert!(
        got.stderr.contains(
            "buf.yaml declares deps (buf.build/acme/geo, buf.build/googleapis/googleapis)"
        ),
        "{}",
        got.stderr
    );
    assert!(
        got.stderr.contains("there is no buf.lock"),
        "{}",
        got.stderr
    );
    assert!(
        got.stderr
            .contains("imports not found: acme/geo/v1/place.proto"),
        "{}",
        got.stderr
    );
    // Nothing imported from them: as buf, it builds.
    std::fs::remove_dir_all(tmp.path().join("proto/acme")).unwrap();
    common::write(
        tmp.path(),
        "proto/acme/alone/v1/alone.proto",
        b"syntax = \"proto3\";\npackage acme.alone.v1;\nmessage Alone {}\n",
    );
    assert_eq!(run(tmp.path(), cache.to_str().unwrap(), &["build"]).code, 0);
}

#[test]
fn a_local_file_that_a_dependency_also_has_is_rejected() {
    let cache = fixture("cache");
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixture("previous"), tmp.path());
    // With module root proto/, this is the import path google/type/date.proto.
    common::write(
        tmp.path(),
        "proto/google/type/date.proto",
        b"syntax = \"proto3\";\npackage google.type;\nmessage Date {}\n",
    );
    let got = run(tmp.path(), cache.to_str().unwrap(), &["build"]);
    assert_eq!(got.code, 1);
    for part in [
        "google/type/date.proto is contained in multiple modules:",
        "buf.build/googleapis/googleapis",
        "buf.build/acme/weather",
    ] {
        assert!(got.stderr.contains(part), "{part}: {}", got.stderr);
    }
}

#[test]
fn include_roots_win_over_the_cache_and_stand_in_for_missing_modules() {
    let tmp = tempfile::tempdir().unwrap();
    let vendor = tmp.path().join("vendor");
    // A vendored date.proto with an extra message: -I is looked in before buf.lock's modules.
    common::write(
        &vendor,
        "google/type/date.proto",
        b"syntax = \"proto3\";\npackage google.type;\nmessage Date { int32 year = 1; int32 month = 2; int32 day = 3; }\nmessage Vendored {}\n",
    );
    let cache = fixture("cache");
    let got = run(
        &fixture("previous"),
        cache.to_str().unwrap(),
        &["dep", "ls", "--imports", "-I", vendor.to_str().unwrap()],
    );
    assert_eq!(got.code, 0, "{}", got.stderr);
    assert!(
        got.stdout
            .lines()
            .any(|l| l.starts_with("google/type/date.proto")
                && l.contains(&format!("-I {}", vendor.display()))),
        "{}",
        got.stdout
    );
    assert!(
        got.stdout.contains("google/rpc/status.proto   "),
        "{}",
        got.stdout
    );

    // The cache lacks googleapis: with -I roots that hold what is imported, it builds.
    let partial = tmp.path().join("cache");
    copy_dir(&cache, &partial);
    std::fs::remove_dir_all(partial.join("v3/modules/b5/buf.build/googleapis")).unwrap();
    let all = tmp.path().join("all");
    let files = cache.join(
        "v3/modules/b5/buf.build/googleapis/googleapis/bf0d1650571f4d1a94abf9c1f1503d7e/files",
    );
    copy_dir(&files, &all);
    let got = run(
        &fixture("previous"),
        partial.to_str().unwrap(),
        &["build", "-I", all.to_str().unwrap()],
    );
    assert_eq!(got.code, 0, "{}", got.stderr);
    // With -I roots that do not hold them, the missing module is the error.
    let got = run(
        &fixture("previous"),
        partial.to_str().unwrap(),
        &["build", "-I", vendor.to_str().unwrap()],
    );
    assert_eq!(got.code, 1, "{}", got.stderr);
    assert!(got.stderr.contains("imports not found: "), "{}", got.stderr);
    assert!(
        got.stderr
            .contains("buf.build/googleapis/googleapis at commit"),
        "{}",
        got.stderr
    );
}

#[test]
fn a_transitive_dependency_missing_from_buf_lock_is_named() {
    // buf.lock pins acme/geo but not googleapis, which geo imports (its module.yaml says so).
    let dir = previous_with("buf.lock", |t| {
        let start = t.find("  - name: buf.build/googleapis").unwrap();
        t[..start].to_string()
    });
    let dir2 = dir.path().join("buf.yaml");
    let yaml = std::fs::read_to_string(&dir2).unwrap();
    std::fs::write(
        &dir2,
        yaml.replace("  - buf.build/googleapis/googleapis\n", ""),
    )
    .unwrap();
    let cache = fixture("cache");
    let got = run(dir.path(), cache.to_str().unwrap(), &["build"]);
    // buf reports the import as a compile error (exit 100); the incomplete buf.lock is the error here.
    assert_eq!(got.code, 1, "{}", got.stderr);
    // Every import not found is listed (the workspace's own googleapis imports too, now that
    // every error of each file is collected), then the module buf.lock lacks.
    assert!(
        got.stderr.contains("imports not found: ")
            && got.stderr.contains("google/type/latlng.proto; buf.lock does not pin buf.build/googleapis/googleapis (a dependency of buf.build/acme/geo)"),
        "{}",
        got.stderr
    );
}

#[test]
fn dep_ls_lists_the_pinned_modules() {
    let got = run(
        &fixture("previous"),
        "../cache",
        &["dep", "ls", "--format", "json"],
    );
    assert_eq!(got.code, 0, "{}", got.stderr);
    let rows: Vec<serde_json::Value> = got
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let lock = std::fs::read_to_string(fixture("previous/buf.lock")).unwrap();
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert!(lock.contains(row["digest"].as_str().unwrap()));
        assert!(lock.contains(row["commit"].as_str().unwrap()));
        assert_eq!(row["status"], "verified");
    }
    assert_eq!(rows[1]["module"], "buf.build/googleapis/googleapis");
    assert_eq!(rows[1]["proto_files"], 9);
    let text = run(&fixture("v1"), "../cache", &["dep", "ls"]);
    assert!(
        text.stdout.starts_with(
            "buf.build/googleapis/googleapis  1ab4cb86c99a43b6ab4535243b814f3d  shake256:"
        ),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("2 .proto files in ../cache/v3/modules/shake256/"),
        "{}",
        text.stdout
    );
}

#[test]
fn generate_and_format_with_dependencies() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("gen");
    let got = run(
        &fixture("previous"),
        "../cache",
        &[
            "generate",
            "-o",
            out.to_str().unwrap(),
            "--crate-name",
            "weather",
        ],
    );
    assert_eq!(got.code, 0, "{}", got.stderr);
    // Format reads no dependency (buf format neither): a missing cache changes nothing.
    let got = run(
        &fixture("previous"),
        "/nonexistent/cache",
        &["format", "-d", "--exit-code"],
    );
    assert_eq!(got.code, 0, "{}{}", got.stdout, got.stderr);
}

#[test]
fn the_cache_is_never_written() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    copy_dir(&fixture("cache"), &cache);
    let before = listing(&cache);
    for args in [
        vec!["build"],
        vec!["lint"],
        vec!["ls-files", "--include-imports"],
        vec!["breaking", "--against", "../previous"],
    ] {
        run(&fixture("current"), cache.to_str().unwrap(), &args);
    }
    assert_eq!(listing(&cache), before);
}

#[test]
fn the_resolved_set_is_what_a_cached_answer_depends_on() {
    let dir = fixture("previous");
    let protoforge::input::Loaded::Sources(snapshot) = protoforge::input::load(".", &dir).unwrap()
    else {
        panic!("sources")
    };
    let config = protoforge::config::load(&snapshot, None).unwrap();
    let cache = protoforge::deps::CacheDir::from_vars(&dir, |name| {
        (name == "BUF_CACHE_DIR").then(|| "../cache".to_string())
    })
    .unwrap();
    let deps = protoforge::deps::resolve(&snapshot, &config, Some(&cache), false).unwrap();
    let pins: Vec<(&str, &str, &str)> = deps
        .pins()
        .iter()
        .map(|p| (p.name.as_str(), p.commit.as_str(), p.digest.as_str()))
        .collect();
    let lock = std::fs::read_to_string(dir.join("buf.lock")).unwrap();
    assert_eq!(pins.len(), 2);
    assert_eq!(pins[0].0, "buf.build/acme/geo");
    assert_eq!(pins[1].0, "buf.build/googleapis/googleapis");
    for (_, commit, digest) in &pins {
        assert!(lock.contains(commit) && lock.contains(digest));
    }
    let (module, bytes) = deps.file("google/api/http.proto").unwrap();
    assert_eq!(module.pin.name, "buf.build/googleapis/googleapis");
    assert!(std::str::from_utf8(bytes)
        .unwrap()
        .contains("message HttpRule"));
}

// --- buf's own cache test data ---

fn shared_deps() -> Option<PathBuf> {
    let dir = repo_root().join("../shared/conformance/deps");
    if dir.join("cache").is_dir() {
        Some(dir)
    } else {
        eprintln!("SKIPPED: ../shared/conformance/deps is not beside this checkout; buf's cache test data not compared");
        None
    }
}

#[test]
fn bufs_own_test_data_gives_bufs_answers() {
    let Some(shared) = shared_deps() else { return };
    for module in ["students", "school"] {
        let case = format!("shared_{module}");
        let dir = shared.join("success").join(module);
        same_as_buf(
            &case,
            "ls-files",
            &dir,
            "../../cache",
            &["ls-files", "--include-imports"],
        );
        same_as_buf(
            &case,
            "ls-files-json",
            &dir,
            "../../cache",
            &["ls-files", "--include-imports", "--format", "json"],
        );
        same_as_buf(
            &case,
            "lint",
            &dir,
            "../../cache",
            &["lint", "--error-format", "json"],
        );
        same_image_files_as_buf(&case, &dir, "../../cache");
    }
    let students = shared.join("success/students");
    // A corrupted file in a needed module: rejected with buf's two digests.
    let got = run(&students, "../../corrupted_cache_file", &["build"]);
    assert_eq!(got.code, golden_exit("shared_corrupted_file", "build"));
    for d in buf_digests("shared_corrupted_file") {
        assert!(got.stderr.contains(&d), "{d} not in {}", got.stderr);
    }
    // A corrupted entry that is not needed: as buf, no error.
    same_as_buf(
        "shared_corrupted_dep",
        "build",
        &students,
        "../../corrupted_cache_dep",
        &["build"],
    );
    same_as_buf(
        "shared_corrupted_dep",
        "ls-files",
        &students,
        "../../corrupted_cache_dep",
        &["ls-files", "--include-imports"],
    );
}

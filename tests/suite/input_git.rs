//! Git inputs, read with git2 from the object database. Repositories are made with git2 in a temp
//! dir; only the shallow-clone test runs the `git` binary (to make the clone).

use std::path::Path;

use git2::{Oid, Repository, Signature};
use protoforge::input::{load, Loaded, Snapshot};

fn sources(input: &str, cwd: &Path) -> Snapshot {
    match load(input, cwd) {
        Ok(Loaded::Sources(s)) => s,
        Ok(Loaded::Image(_)) => panic!("{input}: expected sources"),
        Err(e) => panic!("{input}: {e}"),
    }
}

fn error(input: &str, cwd: &Path) -> protoforge::Error {
    match load(input, cwd) {
        Ok(_) => panic!("{input}: expected an error"),
        Err(e) => e,
    }
}

fn keys(s: &Snapshot) -> Vec<&str> {
    s.files.keys().map(String::as_str).collect()
}

fn text(s: &Snapshot, path: &str) -> String {
    String::from_utf8(
        s.files
            .get(path)
            .unwrap_or_else(|| panic!("no {path}"))
            .to_vec(),
    )
    .unwrap()
}

/// Commits the given files (path -> contents, `None` deletes) on top of HEAD, returns the commit.
fn commit(repo: &Repository, files: &[(&str, Option<&str>)], message: &str) -> Oid {
    let workdir = repo.workdir().unwrap().to_path_buf();
    let mut index = repo.index().unwrap();
    for (path, contents) in files {
        let full = workdir.join(path);
        match contents {
            Some(c) => {
                std::fs::create_dir_all(full.parent().unwrap()).unwrap();
                std::fs::write(&full, c).unwrap();
                index.add_path(Path::new(path)).unwrap();
            }
            None => {
                std::fs::remove_file(&full).unwrap();
                index.remove_path(Path::new(path)).unwrap();
            }
        }
    }
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = Signature::now("t", "t@example.com").unwrap();
    let parents: Vec<git2::Commit> = repo
        .head()
        .ok()
        .and_then(|h| h.peel_to_commit().ok())
        .into_iter()
        .collect();
    let parent_refs: Vec<&git2::Commit> = parents.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parent_refs)
        .unwrap()
}

/// A repository with three commits on `main`, tags `v1` (lightweight, first commit) and `v2`
/// (annotated, second commit), a `dev` branch at the first commit, and a symlink and submodule
/// entry that must be skipped.
struct Fixture {
    dir: tempfile::TempDir,
    commits: Vec<Oid>,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let mut opts = git2::RepositoryInitOptions::new();
    opts.initial_head("main");
    let repo = Repository::init_opts(dir.path().join("repo"), &opts).unwrap();
    let c1 = commit(
        &repo,
        &[
            ("proto/buf.yaml", Some("version: v1\n")),
            ("proto/acme/v1/a.proto", Some("// one\n")),
            ("README.md", Some("readme")),
        ],
        "one",
    );
    repo.tag_lightweight("v1", &repo.find_object(c1, None).unwrap(), false)
        .unwrap();
    repo.branch("dev", &repo.find_commit(c1).unwrap(), false)
        .unwrap();
    let c2 = commit(
        &repo,
        &[
            ("proto/acme/v1/a.proto", Some("// two\n")),
            ("proto/acme/v1/b.proto", Some("// b\n")),
        ],
        "two",
    );
    let sig = Signature::now("t", "t@example.com").unwrap();
    repo.tag(
        "v2",
        &repo.find_object(c2, None).unwrap(),
        &sig,
        "annotated",
        false,
    )
    .unwrap();
    let c3 = commit(
        &repo,
        &[
            ("proto/acme/v1/a.proto", Some("// three\n")),
            ("top.proto", Some("// top\n")),
        ],
        "three",
    );

    // A symlink entry and a submodule (gitlink) entry in a fourth commit, on a branch.
    {
        let head = repo.find_commit(c3).unwrap();
        let mut builder = repo.treebuilder(Some(&head.tree().unwrap())).unwrap();
        let link = repo.blob(b"top.proto").unwrap();
        builder.insert("link.proto", link, 0o120000).unwrap();
        builder.insert("vendor.proto", c1, 0o160000).unwrap();
        let tree = repo.find_tree(builder.write().unwrap()).unwrap();
        let c4 = repo
            .commit(None, &sig, &sig, "links", &tree, &[&head])
            .unwrap();
        repo.branch("links", &repo.find_commit(c4).unwrap(), false)
            .unwrap();
    }
    Fixture {
        dir,
        commits: vec![c1, c2, c3],
    }
}

#[test]
fn head_branch_tag_ref_sha() {
    let f = fixture();
    let cwd = f.dir.path().join("repo");

    let s = sources(".git", &cwd);
    assert_eq!(
        keys(&s),
        [
            "proto/acme/v1/a.proto",
            "proto/acme/v1/b.proto",
            "proto/buf.yaml",
            "top.proto"
        ]
    );
    assert_eq!(text(&s, "proto/acme/v1/a.proto"), "// three\n");
    assert_eq!(s.display_prefix, "");
    assert!(s.disk_root.is_none());
    assert_eq!(s.origin, "HEAD of \".git\"");

    let s = sources(".git#branch=main", &cwd);
    assert_eq!(text(&s, "proto/acme/v1/a.proto"), "// three\n");
    let s = sources(".git#branch=dev", &cwd);
    assert_eq!(text(&s, "proto/acme/v1/a.proto"), "// one\n");
    assert!(!s.files.contains_key("proto/acme/v1/b.proto"));
    // Lightweight and annotated tags.
    assert_eq!(
        text(&sources(".git#tag=v1", &cwd), "proto/acme/v1/a.proto"),
        "// one\n"
    );
    assert_eq!(
        text(&sources(".git#tag=v2", &cwd), "proto/acme/v1/a.proto"),
        "// two\n"
    );
    // Any revision.
    assert_eq!(
        text(&sources(".git#ref=HEAD~1", &cwd), "proto/acme/v1/a.proto"),
        "// two\n"
    );
    assert_eq!(
        text(&sources(".git#ref=HEAD~2", &cwd), "proto/acme/v1/a.proto"),
        "// one\n"
    );
    assert_eq!(
        text(&sources(".git#ref=v2", &cwd), "proto/acme/v1/a.proto"),
        "// two\n"
    );
    let sha = f.commits[1].to_string();
    assert_eq!(
        text(
            &sources(&format!(".git#ref={sha}"), &cwd),
            "proto/acme/v1/a.proto"
        ),
        "// two\n"
    );
    assert_eq!(
        text(
            &sources(&format!(".git#ref={}", &sha[..8]), &cwd),
            "proto/acme/v1/a.proto"
        ),
        "// two\n"
    );
    assert_eq!(
        text(
            &sources(&format!(".git#commit={sha}"), &cwd),
            "proto/acme/v1/a.proto"
        ),
        "// two\n"
    );
    // ref with branch: HEAD is the branch tip.
    assert_eq!(
        text(
            &sources(".git#branch=main,ref=HEAD~1", &cwd),
            "proto/acme/v1/a.proto"
        ),
        "// two\n"
    );
    // depth and recurse_submodules are accepted.
    assert_eq!(
        text(
            &sources(".git#tag=v1,depth=1,recurse_submodules=true", &cwd),
            "proto/acme/v1/a.proto"
        ),
        "// one\n"
    );
}

#[test]
fn locations_work_tree_dot_git_and_bare() {
    let f = fixture();
    let t = f.dir.path();
    assert_eq!(keys(&sources("repo/.git#tag=v1", t)).len(), 2);
    assert_eq!(keys(&sources("repo#format=git,tag=v1", t)).len(), 2);
    let abs = t.join("repo/.git");
    assert_eq!(
        keys(&sources(
            &format!("{}#tag=v1", abs.display()),
            Path::new("/")
        ))
        .len(),
        2
    );
    Repository::init_bare(t.join("bare.git")).unwrap();
    let bare = Repository::open(t.join("bare.git")).unwrap();
    let mut remote = bare
        .remote_anonymous(t.join("repo").to_str().unwrap())
        .unwrap();
    remote
        .fetch(&["refs/heads/main:refs/heads/main"], None, None)
        .unwrap();
    let s = sources("bare.git#branch=main", t);
    assert_eq!(text(&s, "top.proto"), "// top\n");
}

#[test]
fn subdir_and_workspace_root() {
    let f = fixture();
    let cwd = f.dir.path().join("repo");
    // subdir with a buf.yaml: that is the root, shown as `proto/...` (as buf shows it).
    let s = sources(".git#subdir=proto", &cwd);
    assert_eq!(keys(&s), ["acme/v1/a.proto", "acme/v1/b.proto", "buf.yaml"]);
    assert_eq!(s.display_prefix, "proto");
    assert_eq!(s.display_path("acme/v1/a.proto"), "proto/acme/v1/a.proto");
    assert!(s.target_paths.is_empty());
    // A subdirectory inside that v1 module: buf's error.
    let e = error(".git#subdir=proto/acme", &cwd).to_string();
    assert!(
        e.contains("input \"proto/acme\"") && e.contains("module at path \"proto\""),
        "{e}"
    );
    // A v2 workspace at the top: the subdir names a module.
    let repo = Repository::open(&cwd).unwrap();
    commit(
        &repo,
        &[
            (
                "buf.yaml",
                Some("version: v2\nmodules:\n  - path: proto\n  - path: other\n"),
            ),
            ("other/o.proto", Some("// o\n")),
        ],
        "v2",
    );
    let s = sources(".git#subdir=proto", &cwd);
    assert_eq!(s.display_prefix, "");
    assert_eq!(s.target_paths, ["proto"]);
    assert!(s.files.contains_key("other/o.proto"));
}

#[test]
fn symlinks_and_submodules_are_skipped() {
    let f = fixture();
    let cwd = f.dir.path().join("repo");
    let s = sources(".git#branch=links", &cwd);
    assert!(s.files.contains_key("top.proto"));
    assert!(!s.files.contains_key("link.proto"));
    assert!(!s.files.contains_key("vendor.proto"));
    // Reading submodules is not supported: asking for it is an error, not a silent skip.
    let e = error(".git#branch=links,recurse_submodules=true", &cwd);
    assert!(
        e.to_string().contains("submodule at \"vendor.proto\""),
        "{e}"
    );
    // Without submodules in the tree the option changes nothing.
    assert_eq!(
        keys(&sources(".git#recurse_submodules=true", &cwd)).len(),
        4
    );
}

#[test]
fn branch_falls_back_to_origin() {
    let f = fixture();
    let cwd = f.dir.path().join("repo");
    let repo = Repository::open(&cwd).unwrap();
    // A remote-tracking ref only, as in a CI checkout.
    repo.reference("refs/remotes/origin/release", f.commits[0], false, "test")
        .unwrap();
    let s = sources(".git#branch=release", &cwd);
    assert_eq!(text(&s, "proto/acme/v1/a.proto"), "// one\n");
    assert_eq!(
        text(
            &sources(".git#ref=origin/release", &cwd),
            "proto/acme/v1/a.proto"
        ),
        "// one\n"
    );
    assert_eq!(
        text(&sources(".git#ref=release", &cwd), "proto/acme/v1/a.proto"),
        "// one\n"
    );
    // A local branch wins over origin/X.
    repo.reference("refs/remotes/origin/dev", f.commits[2], false, "test")
        .unwrap();
    assert_eq!(
        text(&sources(".git#branch=dev", &cwd), "proto/acme/v1/a.proto"),
        "// one\n"
    );
}

#[test]
fn shallow_clone() {
    let f = fixture();
    let t = f.dir.path();
    let url = format!("file://{}", t.join("repo").display());
    let status = std::process::Command::new("git")
        .args([
            "clone", "-q", "--depth", "1", "--branch", "main", &url, "shallow",
        ])
        .current_dir(t)
        .status()
        .expect("git binary (tests only)");
    assert!(status.success());
    assert!(
        t.join("shallow/.git/shallow").exists(),
        "not a shallow clone"
    );
    let cwd = t.join("shallow");
    let s = sources(".git", &cwd);
    assert_eq!(text(&s, "proto/acme/v1/a.proto"), "// three\n");
    // The clone has no local dev branch: origin/main is there.
    assert_eq!(
        text(&sources(".git#branch=main", &cwd), "top.proto"),
        "// top\n"
    );
    // Older commits are not in the clone: a clear error, not a panic.
    let e = error(".git#ref=HEAD~1", &cwd);
    assert!(e.to_string().contains("ref \"HEAD~1\" not found"), "{e}");
}

#[test]
fn errors() {
    let f = fixture();
    let t = f.dir.path();
    let cwd = t.join("repo");

    std::fs::create_dir_all(t.join("plain")).unwrap();
    let e = error("plain#format=git", t);
    assert!(
        e.to_string().contains("plain is not a git repository"),
        "{e}"
    );
    assert!(e.help_text().unwrap().contains(".git"));
    let e = error("nothere/.git", t);
    assert!(e.to_string().contains("does not exist"), "{e}");

    let e = error(".git#branch=mian", &cwd);
    assert!(e.to_string().contains("branch \"mian\" not found"), "{e}");
    assert!(
        e.help_text().unwrap().contains("similar refs: main"),
        "{:?}",
        e.help_text()
    );
    let e = error(".git#tag=v3", &cwd);
    assert!(e.to_string().contains("tag \"v3\" not found"), "{e}");
    assert!(
        e.help_text().unwrap().contains("v1") && e.help_text().unwrap().contains("v2"),
        "{:?}",
        e.help_text()
    );
    let e = error(".git#ref=nope", &cwd);
    assert!(e.to_string().contains("ref \"nope\" not found"), "{e}");
    let e = error(".git#commit=0123456789abcdef0123456789abcdef01234567", &cwd);
    assert!(e.to_string().contains("not found"), "{e}");

    let e = error(".git#subdir=missing", &cwd);
    assert!(
        e.to_string()
            .contains("subdir \"missing\" is not a directory"),
        "{e}"
    );
    let e = error(".git#subdir=top.proto", &cwd);
    assert!(e.to_string().contains("is not a directory"), "{e}");

    // An empty repository: no HEAD.
    Repository::init(t.join("empty")).unwrap();
    let e = error("empty/.git", t);
    assert!(e.to_string().contains("HEAD"), "{e}");
    assert!(
        e.help_text().unwrap().contains("no commits"),
        "{:?}",
        e.help_text()
    );
}

#[test]
fn missing_blob_is_a_clear_error() {
    let f = fixture();
    let cwd = f.dir.path().join("repo");
    let repo = Repository::open(&cwd).unwrap();
    // Remove the loose object of the file's newest blob.
    let tree = repo.find_commit(f.commits[2]).unwrap().tree().unwrap();
    let oid = tree.get_path(Path::new("top.proto")).unwrap().id();
    let hex = oid.to_string();
    std::fs::remove_file(cwd.join(".git/objects").join(&hex[..2]).join(&hex[2..])).unwrap();
    let e = error(".git", &cwd);
    let message = e.to_string();
    assert!(
        message.contains("top.proto") && message.contains(&hex) && message.contains("missing"),
        "{message}"
    );
    assert!(e.help_text().unwrap().contains("shallow"));
}

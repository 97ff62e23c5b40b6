//! Directory and single-file inputs, including where the root is when the input sits in a buf
//! workspace (each case mirrors what buf 1.75 does, measured with the real buf).

use std::path::{Path, PathBuf};

use protoforge::input::{load, Loaded, Snapshot};

fn write(root: &Path, path: &str, contents: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}

fn sources(input: &str, cwd: &Path) -> Snapshot {
    match load(input, cwd) {
        Ok(Loaded::Sources(s)) => s,
        Ok(Loaded::Image(_)) => panic!("{input}: expected sources, got an image"),
        Err(e) => panic!("{input}: {e}"),
    }
}

fn error(input: &str, cwd: &Path) -> String {
    match load(input, cwd) {
        Ok(_) => panic!("{input}: expected an error"),
        Err(e) => {
            assert!(e.help_text().is_some(), "{input}: error without help: {e}");
            e.to_string()
        }
    }
}

fn keys(s: &Snapshot) -> Vec<&str> {
    s.files.keys().map(String::as_str).collect()
}

fn canon(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap()
}

/// Layout of the buf experiments: a v1 workspace, a v2 workspace, a v1 module, a plain directory.
fn fixture() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    write(
        t,
        "ws/buf.work.yaml",
        "version: v1\ndirectories:\n  - a\n  - b\n",
    );
    write(t, "ws/a/buf.yaml", "version: v1\n");
    write(t, "ws/b/buf.yaml", "version: v1\n");
    write(
        t,
        "ws/a/foo/a.proto",
        "syntax = \"proto3\";\npackage foo;\nmessage A {}\n",
    );
    write(
        t,
        "ws/b/b.proto",
        "syntax = \"proto3\";\npackage b;\nimport \"foo/a.proto\";\n",
    );
    write(t, "ws/c/c.proto", "syntax = \"proto3\";\npackage c;\n");
    write(
        t,
        "v2/buf.yaml",
        "version: v2\nmodules:\n  - path: a\n  - path: b\n",
    );
    write(
        t,
        "v2/a/foo/a.proto",
        "syntax = \"proto3\";\npackage foo;\n",
    );
    write(t, "v2/b/b.proto", "syntax = \"proto3\";\npackage b;\n");
    write(t, "v2/c/c.proto", "syntax = \"proto3\";\npackage c;\n");
    write(t, "n/buf.yaml", "version: v2\n");
    write(t, "n/sub/f.proto", "syntax = \"proto3\";\n");
    write(t, "m/buf.yaml", "version: v1\n");
    write(t, "m/sub/f.proto", "syntax = \"proto3\";\npackage s;\n");
    write(t, "m/sub/g.proto", "syntax = \"proto3\";\npackage s;\n");
    write(
        t,
        "plain/x/y.proto",
        "syntax = \"proto3\";\npackage x.v1; // the package\nmessage Y {}\n",
    );
    write(
        t,
        "plain/x/z.proto",
        "/* package other; */ syntax = \"proto3\";\npackage  x.v1 ;\n",
    );
    write(
        t,
        "plain/x/w.proto",
        "syntax = \"proto3\";\npackage x.v2;\n",
    );
    tmp
}

#[test]
fn directory_reads_protos_and_config_only() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    write(t, "current/1.proto", "syntax = \"proto3\";");
    write(t, "current/sub/2.proto", "syntax = \"proto3\";");
    write(t, "current/buf.yaml", "version: v2\n");
    write(t, "current/buf.lock", "version: v2\n");
    write(t, "current/buf.gen.yaml", "version: v2\n");
    write(t, "current/README.md", "no");
    write(t, "current/sub/notes.txt", "no");
    write(t, "current/.git/config.proto", "skipped");
    let s = sources("current", t);
    assert_eq!(
        keys(&s),
        [
            "1.proto",
            "buf.gen.yaml",
            "buf.lock",
            "buf.yaml",
            "sub/2.proto"
        ]
    );
    assert_eq!(&*s.files["1.proto"], b"syntax = \"proto3\";");
    assert_eq!(s.display_path("1.proto"), "current/1.proto");
    assert_eq!(s.display_path("sub/2.proto"), "current/sub/2.proto");
    assert!(s.target_paths.is_empty());
    assert_eq!(s.origin, "directory \"current\"");
    assert_eq!(
        canon(s.disk_root.as_ref().unwrap()),
        canon(&t.join("current"))
    );

    // `.` and the empty input: no prefix.
    for input in [".", ""] {
        let s = sources(input, &t.join("current"));
        assert_eq!(s.display_path("1.proto"), "1.proto", "{input}");
        assert_eq!(keys(&s).len(), 5);
    }
    // `./current/` shows as `current/...` (buf cleans the path).
    assert_eq!(
        sources("./current/", t).display_path("1.proto"),
        "current/1.proto"
    );
    // An absolute input shows absolute paths.
    let abs = t.join("current");
    let s = sources(abs.to_str().unwrap(), Path::new("/"));
    assert_eq!(
        s.display_path("1.proto"),
        format!("{}/1.proto", abs.display())
    );
}

#[cfg(unix)]
#[test]
fn directory_follows_symlinks_without_looping() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    write(t, "d/a.proto", "a");
    write(t, "elsewhere/linked.proto", "l");
    std::os::unix::fs::symlink(t.join("d"), t.join("d/loop")).unwrap();
    std::os::unix::fs::symlink(t.join("elsewhere/linked.proto"), t.join("d/link.proto")).unwrap();
    std::os::unix::fs::symlink(t.join("elsewhere"), t.join("d/other")).unwrap();
    std::os::unix::fs::symlink(t.join("missing"), t.join("d/dangling.proto")).unwrap();
    let s = sources("d", t);
    assert_eq!(keys(&s), ["a.proto", "link.proto", "other/linked.proto"]);
}

#[test]
fn v1_workspace() {
    let tmp = fixture();
    let t = tmp.path();
    // The workspace itself.
    let s = sources("ws", t);
    assert!(s.target_paths.is_empty());
    assert_eq!(
        keys(&s),
        [
            "a/buf.yaml",
            "a/foo/a.proto",
            "b/b.proto",
            "b/buf.yaml",
            "buf.work.yaml",
            "c/c.proto"
        ]
    );
    assert_eq!(s.display_path("b/b.proto"), "ws/b/b.proto");
    // A module of it: the root is the workspace, the run limited to the module.
    let s = sources("ws/b", t);
    assert_eq!(canon(s.disk_root.as_ref().unwrap()), canon(&t.join("ws")));
    assert_eq!(s.target_paths, ["b"]);
    assert!(s.files.contains_key("a/foo/a.proto"));
    assert_eq!(s.display_path("b/b.proto"), "ws/b/b.proto");
    // From inside the module (the workspace is above the working directory): buf still finds it,
    // and shows paths relative to the working directory.
    let s = sources(".", &t.join("ws/b"));
    assert_eq!(s.target_paths, ["b"]);
    assert_eq!(s.display_path("b/b.proto"), "b.proto");
    assert_eq!(
        sources("../b", &t.join("ws/a")).display_path("b/b.proto"),
        "../b/b.proto"
    );
    assert_eq!(
        sources("../../ws/b", &t.join("ws/a")).display_path("b/b.proto"),
        "../b/b.proto"
    );
    // Inside a module but not its root: buf's error.
    let e = error("ws/a/foo", t);
    assert!(
        e.contains(
            "failed to build input \"a/foo\" because it is contained by module at path \"a\""
        ),
        "{e}"
    );
    let e = error(".", &t.join("ws/a/foo"));
    assert!(
        e.contains("input \"a/foo\"") && e.contains("module at path \"a\""),
        "{e}"
    );
    // A directory of the workspace that is not listed: its own root.
    let s = sources("ws/c", t);
    assert_eq!(keys(&s), ["c.proto"]);
    assert!(s.target_paths.is_empty());
    assert_eq!(s.display_path("c.proto"), "ws/c/c.proto");
}

#[test]
fn v2_workspace() {
    let tmp = fixture();
    let t = tmp.path();
    let s = sources("v2", t);
    assert!(s.target_paths.is_empty());
    let s = sources("v2/a", t);
    assert_eq!(s.target_paths, ["a"]);
    assert_eq!(canon(s.disk_root.as_ref().unwrap()), canon(&t.join("v2")));
    assert_eq!(s.display_path("a/foo/a.proto"), "v2/a/foo/a.proto");
    let e = error("v2/a/foo", t);
    assert!(
        e.contains("input \"a/foo\"") && e.contains("module at path \"a\""),
        "{e}"
    );
    // Not a module of the workspace: standalone.
    let s = sources("v2/c", t);
    assert_eq!(keys(&s), ["c.proto"]);
    // v2 without `modules`: one module at `.`, so a subdirectory is inside it.
    let e = error("n/sub", t);
    assert!(
        e.contains("input \"sub\"") && e.contains("module at path \".\""),
        "{e}"
    );
    let e = error(".", &t.join("n/sub"));
    assert!(e.contains("input \"sub\""), "{e}");
    // A directory holding several modules but none of them: standalone.
    write(
        t,
        "mm/buf.yaml",
        "version: v2\nmodules:\n  - path: proto/a\n  - path: proto/b\n",
    );
    write(t, "mm/proto/a/a.proto", "a");
    write(t, "mm/proto/b/b.proto", "b");
    let s = sources("mm/proto", t);
    assert_eq!(keys(&s), ["a/a.proto", "b/b.proto"]);
    assert_eq!(s.display_path("a/a.proto"), "mm/proto/a/a.proto");
}

#[test]
fn v1_module_is_seen_only_below_the_working_directory() {
    let tmp = fixture();
    let t = tmp.path();
    let e = error("m/sub", t);
    assert!(
        e.contains("input \"m/sub\"") && e.contains("module at path \"m\""),
        "{e}"
    );
    let e = error("sub", &t.join("m"));
    assert!(
        e.contains("input \"sub\"") && e.contains("module at path \".\""),
        "{e}"
    );
    // Above the working directory or outside it: not seen, the directory is its own root.
    assert_eq!(
        keys(&sources(".", &t.join("m/sub"))),
        ["f.proto", "g.proto"]
    );
    let s = sources("../m/sub", &t.join("plain"));
    assert_eq!(keys(&s), ["f.proto", "g.proto"]);
    assert_eq!(s.display_path("f.proto"), "../m/sub/f.proto");
    // The module directory itself.
    let s = sources("m", t);
    assert_eq!(keys(&s), ["buf.yaml", "sub/f.proto", "sub/g.proto"]);
}

#[test]
fn single_file() {
    let tmp = fixture();
    let t = tmp.path();
    // No config anywhere: the file's directory is the root.
    let s = sources("plain/x/y.proto", t);
    assert_eq!(
        canon(s.disk_root.as_ref().unwrap()),
        canon(&t.join("plain/x"))
    );
    assert_eq!(s.target_paths, ["y.proto"]);
    assert_eq!(keys(&s), ["w.proto", "y.proto", "z.proto"]);
    assert_eq!(s.display_path("y.proto"), "plain/x/y.proto");
    // In a v1 module below the working directory: the module is the root.
    let s = sources("m/sub/f.proto", t);
    assert_eq!(canon(s.disk_root.as_ref().unwrap()), canon(&t.join("m")));
    assert_eq!(s.target_paths, ["sub/f.proto"]);
    assert_eq!(s.display_path("sub/f.proto"), "m/sub/f.proto");
    // ... but not when the module is above the working directory or outside it.
    let s = sources("f.proto", &t.join("m/sub"));
    assert_eq!(s.target_paths, ["f.proto"]);
    assert_eq!(s.display_path("f.proto"), "f.proto");
    let s = sources("../m/sub/f.proto", &t.join("plain"));
    assert_eq!(s.target_paths, ["f.proto"]);
    assert_eq!(s.display_path("f.proto"), "../m/sub/f.proto");
    // In a workspace module (even deep inside it): the workspace is the root.
    let s = sources("v2/a/foo/a.proto", t);
    assert_eq!(canon(s.disk_root.as_ref().unwrap()), canon(&t.join("v2")));
    assert_eq!(s.target_paths, ["a/foo/a.proto"]);
    assert_eq!(s.display_path("a/foo/a.proto"), "v2/a/foo/a.proto");
    let s = sources("b/b.proto", &t.join("ws"));
    assert_eq!(s.target_paths, ["b/b.proto"]);
    assert_eq!(s.display_path("b/b.proto"), "b/b.proto");
    // In a workspace directory that is no module: standalone.
    let s = sources("v2/c/c.proto", t);
    assert_eq!(s.target_paths, ["c.proto"]);
    assert_eq!(keys(&s), ["c.proto"]);
    // include_package_files: the files of the same package in its directory (comments ignored).
    let s = sources("plain/x/y.proto#include_package_files=true", t);
    assert_eq!(s.target_paths, ["y.proto", "z.proto"]);
    // format=protofile for an unusual name.
    write(t, "plain/odd.txt", "syntax = \"proto3\";");
    let s = sources("plain/odd.txt#format=protofile", t);
    assert_eq!(s.target_paths, ["odd.txt"]);
}

#[test]
fn errors() {
    let tmp = fixture();
    let t = tmp.path();
    let e = error("nope", t);
    assert!(
        e.contains("input \"nope\"") && e.contains("does not exist"),
        "{e}"
    );
    let e = error("nope.proto", t);
    assert!(
        e.contains("input \"nope.proto\"") && e.contains("does not exist"),
        "{e}"
    );
    write(t, "notes.txt", "x");
    let e = error("notes.txt", t);
    assert!(e.contains("is not a directory"), "{e}");
    let e = error("plain#format=protofile", t);
    assert!(e.contains("is not a file"), "{e}");
    write(t, "bad/buf.work.yaml", "version: [v1\n");
    write(t, "bad/a/a.proto", "a");
    let e = error("bad/a", t);
    assert!(
        e.contains("buf.work.yaml") && e.contains("invalid YAML"),
        "{e}"
    );
    let e = error("plain#branch=main", t);
    assert!(e.contains("git options"), "{e}");
}

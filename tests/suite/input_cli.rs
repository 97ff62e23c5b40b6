//! Inputs through the command line: every bad input exits 1 with a message naming it; images on
//! stdin (`-`, `-#format=json`) are read.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

fn testdata() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/input"))
}

fn run(args: &[&str], cwd: &Path, stdin: Option<&[u8]>) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_protoforge"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(bytes) = stdin {
        child.stdin.take().unwrap().write_all(bytes).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_inputs_exit_1_naming_the_input() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    std::fs::create_dir_all(t.join("plain")).unwrap();
    std::fs::write(t.join("junk.binpb"), b"\xff\xff\xff garbage").unwrap();
    let repo = git2::Repository::init(t.join("repo")).unwrap();
    {
        std::fs::write(t.join("repo/a.proto"), "syntax = \"proto3\";\n").unwrap();
        let mut index = repo.index().unwrap();
        index.add_path(Path::new("a.proto")).unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let sig = git2::Signature::now("t", "t@example.com").unwrap();
        repo.commit(Some("HEAD"), &sig, &sig, "one", &tree, &[])
            .unwrap();
    }
    let cases: &[(&str, &str)] = &[
        ("plain#foo=bar", "unknown key \"foo\""),
        ("plain#branch=main", "git options"),
        (
            "x.tar#strip_components=abc",
            "could not parse strip_components",
        ),
        ("missing", "does not exist"),
        ("plain#format=git", "is not a git repository"),
        ("repo/.git#branch=nope", "branch \"nope\" not found"),
        ("repo/.git#tag=v9", "tag \"v9\" not found"),
        (
            "repo/.git#subdir=nope",
            "subdir \"nope\" is not a directory",
        ),
        ("junk.binpb", "not a valid binary image"),
        ("#format=dir", "starts with '#'"),
    ];
    for (input, fragment) in cases {
        for command in ["build", "ls-files"] {
            let (code, stdout, stderr) = run(&[command, input], t, None);
            assert_eq!(
                code, 1,
                "{command} {input}: stdout {stdout:?} stderr {stderr:?}"
            );
            assert!(
                stderr.contains(fragment),
                "{command} {input}: {stderr:?} lacks {fragment:?}"
            );
            assert!(
                stderr.contains(&format!("input \"{input}\"")),
                "{command} {input}: {stderr:?}"
            );
        }
    }
    // The git input itself works.
    let (code, stdout, stderr) = run(&["ls-files", "repo/.git#branch=HEAD"], t, None);
    assert_eq!(code, 1, "{stdout} {stderr}"); // HEAD is not a branch name
    let (code, stdout, _) = run(&["ls-files", "repo/.git#ref=HEAD"], t, None);
    assert_eq!((code, stdout.as_str()), (0, "a.proto\n"));
}

#[test]
fn images_on_stdin() {
    let json = std::fs::read(testdata().join("buf_image.json")).unwrap();
    let binary = std::fs::read(testdata().join("buf_image.binpb")).unwrap();
    let (code, stdout, stderr) = run(&["ls-files", "-#format=json"], testdata(), Some(&json));
    assert_eq!(
        (code, stdout.as_str()),
        (0, "acme/v1/thing.proto\n"),
        "{stderr}"
    );
    let (code, stdout, stderr) = run(&["ls-files", "-"], testdata(), Some(&binary));
    assert_eq!(
        (code, stdout.as_str()),
        (0, "acme/v1/thing.proto\n"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["build", "-"], testdata(), Some(b""));
    assert_eq!(code, 1);
    assert!(stderr.contains("image contains no files"), "{stderr}");
}

//! The binary renders compile errors in every `--error-format` (on stderr, exit 100, as `buf build`),
//! and `NO_COLOR` turns colour off. Shapes only: compile messages belong to the compiler.

use std::path::Path;
use std::process::Command;

fn build(format: &str) -> (i32, String, String) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/report/compile_error");
    let out = Command::new(env!("CARGO_BIN_EXE_protoforge"))
        .args(["build", "--error-format", format])
        .current_dir(dir)
        .output()
        .expect("run protoforge");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn build_errors_render_in_every_format_on_stderr() {
    let expectations: &[(&str, &str)] = &[
        ("text", "x/b.proto:3:25:"),
        (
            "json",
            "{\"path\":\"x/b.proto\",\"start_line\":3,\"start_column\":25,",
        ),
        ("msvs", "x/b.proto(3,25) : error COMPILE : "),
        (
            "junit",
            "<testsuites>\n  <testsuite name=\"x/b\" tests=\"1\" failures=\"1\" errors=\"0\">",
        ),
        ("github-actions", "::error file=x/b.proto,line=3,col=25,"),
        ("gitlab-code-quality", "\"check_name\":\"COMPILE\""),
        ("sarif", "\"version\": \"2.1.0\""),
        ("pretty", "COMPILE"),
    ];
    for (format, expected) in expectations {
        let (code, stdout, stderr) = build(format);
        assert_eq!(code, 100, "{format}: {stderr}");
        assert_eq!(stdout, "", "{format}: build errors go to stderr");
        assert!(stderr.contains(expected), "{format}: {stderr}");
        assert!(
            !stderr.contains('\u{1b}'),
            "{format}: no colour when not a terminal: {stderr}"
        );
    }
}

#[test]
fn no_color_turns_colour_off_even_on_a_terminal() {
    use protoforge::report::color_allowed;
    use std::ffi::OsStr;
    assert!(!color_allowed(true, Some(OsStr::new("1"))));
    assert!(
        color_allowed(true, Some(OsStr::new(""))),
        "an empty NO_COLOR does not count"
    );
    assert!(color_allowed(true, None));
    assert!(!color_allowed(false, None));
}

/// `protoforge lint | head -1`: when the reader closes the pipe, the process ends without a panic
/// message (killed by SIGPIPE, as other command-line tools).
#[cfg(unix)]
#[test]
fn a_closed_stdout_pipe_is_not_a_panic() {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    // Enough findings to fill the pipe buffer.
    let mut proto = String::from("syntax = \"proto3\";\npackage a.v1;\nmessage M {\n");
    for i in 1..3000 {
        proto.push_str(&format!("  string Bad_{i} = {i};\n"));
    }
    proto.push_str("}\n");
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("a/v1")).unwrap();
    std::fs::write(dir.path().join("a/v1/a.proto"), proto).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_protoforge"))
        .args(["lint", "--error-format", "text"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run protoforge");
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The read end is dropped here: the pipe is closed.
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(status.signal(), Some(libc_sigpipe()), "{status:?}");
}

#[cfg(unix)]
fn libc_sigpipe() -> i32 {
    13
}

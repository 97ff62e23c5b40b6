//! The hostile-input catalogue (issue 16): inputs a hostile or unlucky user gives, each checked
//! for the exit code (0/100/1, never a panic, a signal or a hang), a message that names the file,
//! and that nothing the user owns changed unless the command was asked to change it.
//! buf 1.75's behaviour for each case is in the comments (what the expectations follow).

use crate::common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::write;

/// Longest any case may take before it counts as a hang (generous: debug build, loaded machine).
const HANG: Duration = Duration::from_secs(240);

struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Outcome {
    fn assert_code(&self, want: i32, what: &str) {
        assert_eq!(
            self.code,
            Some(want),
            "{what}: exit {:?}\nstdout: {}\nstderr: {}",
            self.code,
            head(&self.stdout),
            head(&self.stderr)
        );
        assert!(!self.stderr.contains("panicked"), "{what}: {}", self.stderr);
    }
}

fn head(s: &str) -> &str {
    &s[..s.len().min(2000)]
}

/// Runs protoforge in `dir` with `stdin` (nothing when `None`), killing it after [`HANG`].
fn run(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Outcome {
    run_with(dir, args, stdin, Stdio::piped(), Stdio::piped())
}

fn run_with(
    dir: &Path,
    args: &[&str],
    stdin: Option<&[u8]>,
    stdout: Stdio,
    stderr: Stdio,
) -> Outcome {
    let mut child = Command::new(env!("CARGO_BIN_EXE_protoforge"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("PROTOFORGE_NO_CACHE", "1")
        .env_remove("PROTOFORGE_INCLUDE")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .expect("run protoforge");
    let feeder = stdin.map(|bytes| {
        let mut pipe = child.stdin.take().unwrap();
        let bytes = bytes.to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        })
    });
    let out_reader = child.stdout.take().map(|mut s| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = std::io::Read::read_to_end(&mut s, &mut v);
            v
        })
    });
    let err_reader = child.stderr.take().map(|mut s| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = std::io::Read::read_to_end(&mut s, &mut v);
            v
        })
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > HANG {
            let _ = child.kill();
            panic!("protoforge {args:?} hung (killed after {HANG:?})");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    if let Some(f) = feeder {
        let _ = f.join();
    }
    let text = |r: Option<std::thread::JoinHandle<Vec<u8>>>| {
        r.map(|r| String::from_utf8_lossy(&r.join().unwrap()).into_owned())
            .unwrap_or_default()
    };
    Outcome {
        code: status.code(),
        stdout: text(out_reader),
        stderr: text(err_reader),
    }
}

/// Every file under `dir`: contents and mode (what "nothing changed" compares).
fn tree(dir: &Path) -> BTreeMap<String, (Vec<u8>, u32)> {
    fn walk(root: &Path, d: &Path, out: &mut BTreeMap<String, (Vec<u8>, u32)>) {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            let p = e.path();
            let ft = e.file_type().unwrap();
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            if ft.is_dir() {
                walk(root, &p, out);
            } else if ft.is_file() {
                let meta = std::fs::metadata(&p).unwrap();
                out.insert(rel, (std::fs::read(&p).unwrap(), mode(&meta)));
            } else {
                out.insert(rel, (Vec::new(), 0));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[cfg(unix)]
fn mode(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn mode(_: &std::fs::Metadata) -> u32 {
    0
}

fn is_root() -> bool {
    #[cfg(unix)]
    {
        // SAFETY: geteuid has no preconditions.
        unsafe { libc::geteuid() == 0 }
    }
    #[cfg(not(unix))]
    false
}

const V2: &str = "version: v2\n";
const UNFORMATTED: &str = "syntax = \"proto3\";\nmessage A {}\n";
const FORMATTED: &str = "syntax = \"proto3\";\n\nmessage A {}\n";

fn dir_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (p, c) in files {
        write(dir.path(), p, c);
    }
    dir
}

// ---------------------------------------------------------------------------------------------
// 1. Depth: buf's limits where buf has them (with its message and position), no overflow elsewhere.

const WITH_OPTION: &str = "syntax = \"proto3\";\nimport \"google/protobuf/descriptor.proto\";\n\
    message A { A a = 1; int32 b = 2; }\nextend google.protobuf.FileOptions { A ao = 50000; }\n";

/// buf: `a.proto:5:315:expression nesting depth must be at most 100` (exit 100); format: exit 0.
#[test]
fn option_aggregate_5000_deep_is_buf_depth_error_and_formats() {
    let n = 5000;
    let text = format!(
        "{WITH_OPTION}option (ao) = {}1{};\n",
        "{a:".repeat(n),
        "}".repeat(n)
    );
    let dir = dir_with(&[("buf.yaml", V2.as_bytes()), ("a.proto", text.as_bytes())]);
    let before = tree(dir.path());
    let build = run(dir.path(), &["build"], None);
    build.assert_code(100, "build");
    assert!(
        build
            .stderr
            .contains("a.proto:5:315:expression nesting depth must be at most 100"),
        "{}",
        build.stderr
    );
    let lint = run(dir.path(), &["lint"], None);
    lint.assert_code(100, "lint");
    assert!(lint.stdout.contains("a.proto:5:315:"), "{}", lint.stdout);
    let format = run(dir.path(), &["format"], None);
    format.assert_code(0, "format");
    assert!(format.stdout.contains("option (ao) = {"));
    assert_eq!(tree(dir.path()), before);
}

/// buf: `a.proto:2:350:message nesting depth must be less than 32`; format: exit 0 (200 MB out).
#[test]
fn ten_thousand_nested_messages_are_buf_depth_error_and_format() {
    let n = 10_000;
    let text = format!(
        "syntax = \"proto3\";\n{}{}\n",
        "message M {".repeat(n),
        "}".repeat(n)
    );
    let dir = dir_with(&[("buf.yaml", V2.as_bytes()), ("a.proto", text.as_bytes())]);
    let build = run(dir.path(), &["build"], None);
    build.assert_code(100, "build");
    assert!(
        build
            .stderr
            .contains("a.proto:2:350:message nesting depth must be less than 32"),
        "{}",
        build.stderr
    );
    // 200 MB of output: thrown away.
    let format = run_with(
        dir.path(),
        &["format", "--exit-code"],
        None,
        Stdio::null(),
        Stdio::piped(),
    );
    format.assert_code(100, "format");
}

/// buf formats a deep list value (exit 0) and reports the depth when compiling. 20,000 levels
/// (the case was 100,000 deep: 10 GB of output and 18 GB of memory for a test).
#[test]
fn list_value_20000_deep_formats_and_is_a_depth_error() {
    let n = 20_000;
    let text = format!(
        "syntax = \"proto3\";\nimport \"google/protobuf/descriptor.proto\";\n\
         extend google.protobuf.FileOptions {{ repeated int32 lo = 50000; }}\noption (lo) = {}{};\n",
        "[".repeat(n),
        "]".repeat(n)
    );
    let dir = dir_with(&[("buf.yaml", V2.as_bytes()), ("a.proto", text.as_bytes())]);
    // 400 MB of output (one bracket per line, indented): thrown away.
    let format = run_with(dir.path(), &["format"], None, Stdio::null(), Stdio::piped());
    format.assert_code(0, "format");
    let build = run(dir.path(), &["build"], None);
    build.assert_code(100, "build");
    assert!(
        build
            .stderr
            .contains("a.proto:4:115:expression nesting depth must be at most 100"),
        "{}",
        build.stderr
    );
}

/// buf builds a chain of 1,500 files, each importing the next (exit 0).
#[test]
fn import_chain_of_1500_files_builds() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "buf.yaml", V2.as_bytes());
    let n = 1500;
    for i in 0..n {
        let import = if i + 1 < n {
            format!("import \"f{}.proto\";\n", i + 1)
        } else {
            String::new()
        };
        let text = format!("syntax = \"proto3\";\npackage p;\n{import}message M{i} {{}}\n");
        write(dir.path(), &format!("f{i}.proto"), text.as_bytes());
    }
    run(dir.path(), &["build"], None).assert_code(0, "build");
    // buf: 4,499 findings (3 per file but the last), exit 100.
    let lint = run(dir.path(), &["lint"], None);
    lint.assert_code(100, "lint");
    assert_eq!(lint.stdout.lines().count(), 4499);
}

// ---------------------------------------------------------------------------------------------
// 2. Unwritable stdout/stderr: exit 1 with one line (buf: `Failure: write /dev/stdout: no space
//    left on device`); a closed pipe stays quiet.

#[cfg(target_os = "linux")]
#[test]
fn full_stdout_is_one_line_and_exit_1() {
    let dir = dir_with(&[
        ("buf.yaml", V2.as_bytes()),
        ("a.proto", b"syntax = \"proto3\";\nmessage a {}\n"),
    ]);
    let full = || Stdio::from(std::fs::File::create("/dev/full").unwrap());
    for args in [
        &["lint"][..],
        &["lint", "--error-format", "json"],
        &["lint", "--error-format", "sarif"],
        &["ls-files"],
        &["explain", "FIELD_LOWER_SNAKE_CASE"],
        &["config", "ls-lint-rules"],
        &["completion", "bash"],
        &["build", "-o", "-"],
        &["format"],
    ] {
        let out = run_with(dir.path(), args, None, full(), Stdio::piped());
        out.assert_code(1, &format!("{args:?} > /dev/full"));
        assert_eq!(out.stderr.lines().count(), 1, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains("stdout") && out.stderr.contains("No space left on device"),
            "{args:?}: {}",
            out.stderr
        );
    }
    // Compile errors go to stderr: when it is full, exit 1 (nothing can be said).
    write(dir.path(), "b.proto", b"syntax = \"proto3\";\nmessage {");
    let out = run_with(dir.path(), &["build"], None, Stdio::piped(), full());
    assert_eq!(out.code, Some(1));
}

#[cfg(unix)]
#[test]
fn closed_pipe_is_quiet() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "buf.yaml", V2.as_bytes());
    for i in 0..300 {
        write(
            dir.path(),
            &format!("f{i}.proto"),
            b"syntax = \"proto3\";\nmessage a {}\n",
        );
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_protoforge"))
        .args(["lint"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.is_empty(), "{stderr}");
}

// ---------------------------------------------------------------------------------------------
// 3. FIFOs (and other non-regular files) are skipped as buf skips them, never read.

#[cfg(unix)]
#[test]
fn fifos_are_skipped_not_read() {
    for fifo in [
        "x.proto",
        "buf.yaml",
        "buf.lock",
        "buf.work.yaml",
        ".protoforgeignore",
    ] {
        let dir = tempfile::tempdir().unwrap();
        if fifo != "buf.yaml" {
            write(dir.path(), "buf.yaml", V2.as_bytes());
        }
        write(dir.path(), "a.proto", UNFORMATTED.as_bytes());
        let status = Command::new("mkfifo")
            .arg(dir.path().join(fifo))
            .status()
            .expect("mkfifo");
        assert!(status.success());
        // buf: build exit 0, format -d shows a.proto only, ls-files lists a.proto.
        run(dir.path(), &["build"], None).assert_code(0, &format!("build with FIFO {fifo}"));
        let ls = run(dir.path(), &["ls-files"], None);
        ls.assert_code(0, &format!("ls-files with FIFO {fifo}"));
        assert_eq!(ls.stdout, "a.proto\n", "{fifo}");
        let diff = run(dir.path(), &["format", "-d"], None);
        diff.assert_code(0, &format!("format -d with FIFO {fifo}"));
        assert!(diff.stdout.contains("a.proto.orig"), "{fifo}");
        // buf: the one finding of a.proto (no package), exit 100.
        let lint = run(dir.path(), &["lint"], None);
        lint.assert_code(100, &format!("lint with FIFO {fifo}"));
        assert_eq!(lint.stdout.lines().count(), 1, "{fifo}: {}", lint.stdout);
    }
}

// ---------------------------------------------------------------------------------------------
// 4. `format -d` stays linear on long runs of blank lines (a hang guard, not a timing test).

#[test]
fn format_diff_of_many_blank_lines_finishes() {
    let text = format!(
        "syntax = \"proto3\";\n{}message A {{}}\n",
        "\n".repeat(1_000_000)
    );
    let dir = dir_with(&[("a.proto", text.as_bytes())]);
    let out = run(dir.path(), &["format", "-d", "a.proto"], None);
    out.assert_code(0, "format -d");
    // The run of blank lines becomes one: 999,999 removed lines.
    assert_eq!(out.stdout.lines().filter(|l| *l == "-").count(), 999_999);
}

// ---------------------------------------------------------------------------------------------
// 5. `format -w` writes what it should and only that.

#[cfg(unix)]
#[test]
fn format_write_on_read_only_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = dir_with(&[("a.proto", UNFORMATTED.as_bytes())]);
    let path = dir.path().join("a.proto");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let out = run(dir.path(), &["format", "-w", "a.proto"], None);
    if is_root() {
        // Root may write it (buf too); the mode stays 0444.
        out.assert_code(0, "format -w as root");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), FORMATTED);
    } else {
        // buf: permission denied, exit 1, file untouched.
        out.assert_code(1, "format -w read-only");
        assert!(out.stderr.contains("a.proto"), "{}", out.stderr);
        assert!(out.stderr.contains("ermission denied"), "{}", out.stderr);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), UNFORMATTED);
    }
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o444);
}

#[cfg(unix)]
#[test]
fn format_write_goes_through_symlinks_and_keeps_hard_links() {
    use std::os::unix::fs::MetadataExt;
    let dir = dir_with(&[
        ("real/b.proto", UNFORMATTED.as_bytes()),
        ("c.proto", UNFORMATTED.as_bytes()),
    ]);
    let d = dir.path();
    std::fs::create_dir(d.join("sub")).unwrap();
    std::os::unix::fs::symlink("../real/b.proto", d.join("sub/l.proto")).unwrap();
    std::fs::hard_link(d.join("c.proto"), d.join("real/hard.proto")).unwrap();
    // A symlink named on the command line: the target is formatted, the link stays a link.
    run(d, &["format", "-w", "sub/l.proto"], None).assert_code(0, "format -w link");
    assert!(std::fs::symlink_metadata(d.join("sub/l.proto"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        std::fs::read_to_string(d.join("real/b.proto")).unwrap(),
        FORMATTED
    );
    // A hard link: both names see the new text, still one inode.
    run(d, &["format", "-w", "c.proto"], None).assert_code(0, "format -w hard link");
    let (a, b) = (
        std::fs::metadata(d.join("c.proto")).unwrap(),
        std::fs::metadata(d.join("real/hard.proto")).unwrap(),
    );
    assert_eq!(a.ino(), b.ino());
    assert_eq!(
        std::fs::read_to_string(d.join("real/hard.proto")).unwrap(),
        FORMATTED
    );
}

#[cfg(unix)]
#[test]
fn directory_format_follows_symlinked_protos() {
    let dir = dir_with(&[("real/b.proto", UNFORMATTED.as_bytes())]);
    let d = dir.path();
    std::fs::create_dir(d.join("sub")).unwrap();
    std::os::unix::fs::symlink("../real/b.proto", d.join("sub/l.proto")).unwrap();
    // buf: `format -d sub` shows sub/l.proto.
    let out = run(d, &["format", "-d", "sub"], None);
    out.assert_code(0, "format -d sub");
    assert!(
        out.stdout.contains("diff -u sub/l.proto.orig sub/l.proto"),
        "{}",
        out.stdout
    );
}

#[test]
fn format_write_with_stdin_filepath_is_refused() {
    let dir = dir_with(&[("a.proto", UNFORMATTED.as_bytes())]);
    let before = tree(dir.path());
    let out = run(
        dir.path(),
        &["format", "-w", "--stdin-filepath", "a.proto"],
        Some(UNFORMATTED.as_bytes()),
    );
    // buf: `Failure: cannot use --write when using --stdin-filepath`.
    out.assert_code(1, "format -w --stdin-filepath");
    assert!(
        out.stderr
            .contains("cannot use --write when using --stdin-filepath"),
        "{}",
        out.stderr
    );
    assert_eq!(tree(dir.path()), before);
}

// ---------------------------------------------------------------------------------------------
// 6. `generate` is all-or-nothing: an interrupted run is finished (or undone) by the next one, and
//    no staged file outlives it.

fn generated(dir: &Path) -> std::path::PathBuf {
    let orders = common::repo_root().join("testdata/generate/orders");
    let out = run(
        dir,
        &["generate", orders.to_str().unwrap(), "-o", "gen"],
        None,
    );
    out.assert_code(0, "generate");
    dir.join("gen")
}

fn staged_files(dir: &Path) -> Vec<String> {
    tree(dir)
        .into_keys()
        .filter(|p| p.contains(".protoforge-tmp") || p.contains(".protoforge-journal"))
        .collect()
}

#[test]
fn generate_finishes_a_run_interrupted_after_its_journal() {
    use protoforge::generate::writer::{recover, JOURNAL_FILE};
    let dir = tempfile::tempdir().unwrap();
    let gen = generated(dir.path());
    let lib = std::fs::read(gen.join("src/lib.rs")).unwrap();
    // As a run killed after its commit point leaves it: a staged file, its journal, the manifest
    // not yet replaced.
    write(&gen, "src/.protoforge-tmpAB12", b"// new lib\n");
    write(
        &gen,
        JOURNAL_FILE,
        b"# journal\nrename\tsrc/.protoforge-tmpAB12\tsrc/lib.rs\n",
    );
    recover(&gen).unwrap();
    assert_eq!(
        std::fs::read(gen.join("src/lib.rs")).unwrap(),
        b"// new lib\n"
    );
    assert!(staged_files(&gen).is_empty(), "{:?}", staged_files(&gen));
    // The next generate puts the crate back as generated.
    generated(dir.path());
    assert_eq!(std::fs::read(gen.join("src/lib.rs")).unwrap(), lib);
}

#[test]
fn generate_removes_files_staged_by_a_run_killed_before_its_journal() {
    let dir = tempfile::tempdir().unwrap();
    let gen = generated(dir.path());
    let before = tree(&gen);
    write(&gen, "src/.protoforge-tmpXY", b"half a file");
    write(&gen, ".protoforge-tmpZZ", b"a staged manifest");
    generated(dir.path());
    assert_eq!(tree(&gen), before);
}

#[test]
fn generate_refuses_a_tampered_journal_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let gen = generated(dir.path());
    write(
        &gen,
        ".protoforge-journal",
        b"rename\t../../etc/x\tsrc/lib.rs\n",
    );
    let before = tree(dir.path());
    let orders = common::repo_root().join("testdata/generate/orders");
    let out = run(
        dir.path(),
        &["generate", orders.to_str().unwrap(), "-o", "gen"],
        None,
    );
    out.assert_code(1, "tampered journal");
    assert!(
        out.stderr.contains(".protoforge-journal:1"),
        "{}",
        out.stderr
    );
    assert_eq!(tree(dir.path()), before);
}

// ---------------------------------------------------------------------------------------------
// 7. Files created by `build -o` and `format -o` are 0666 minus the umask (buf: 0644 under 022).

#[cfg(unix)]
#[test]
fn output_files_get_ordinary_modes() {
    let dir = dir_with(&[
        ("buf.yaml", V2.as_bytes()),
        ("a.proto", UNFORMATTED.as_bytes()),
    ]);
    let bin = env!("CARGO_BIN_EXE_protoforge");
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "umask 022 && '{bin}' build -o out.binpb && '{bin}' format a.proto -o f.proto"
        ))
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    for f in ["out.binpb", "f.proto"] {
        let meta = std::fs::metadata(dir.path().join(f)).unwrap();
        assert_eq!(mode(&meta), 0o644, "{f}");
    }
}

// ---------------------------------------------------------------------------------------------
// 13. Archive entries that would land outside the archive are errors (buf: `Failure:
//     ../x.proto: is outside the context directory`, `/tmp/abs.proto: expected to be relative`).

fn tar_with(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, data) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        // set_path refuses `..`: write the name bytes directly.
        let bytes = name.as_bytes();
        header.as_old_mut().name[..bytes.len()].copy_from_slice(bytes);
        header.set_cksum();
        builder.append(&header, *data).unwrap();
    }
    builder.into_inner().unwrap()
}

#[test]
fn archive_entries_outside_the_archive_are_errors() {
    let p = UNFORMATTED.as_bytes();
    for (entry, message) in [
        ("../x.proto", "is outside the context directory"),
        ("/tmp/abs.proto", "expected to be relative"),
    ] {
        let tar = tar_with(&[("buf.yaml", V2.as_bytes()), ("a.proto", p), (entry, p)]);
        let dir = dir_with(&[("in.tar", &tar)]);
        let before = tree(dir.path());
        let out = run(dir.path(), &["build", "in.tar"], None);
        out.assert_code(1, entry);
        assert!(out.stderr.contains("in.tar"), "{}", out.stderr);
        assert!(
            out.stderr.contains(entry) && out.stderr.contains(message),
            "{}",
            out.stderr
        );
        assert_eq!(tree(dir.path()), before);
    }
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("a.proto", opts).unwrap();
    zip.write_all(p).unwrap();
    zip.start_file("../x.proto", opts).unwrap();
    zip.write_all(p).unwrap();
    let zip = zip.finish().unwrap().into_inner();
    let dir = dir_with(&[("in.zip", &zip)]);
    let out = run(dir.path(), &["build", "in.zip"], None);
    out.assert_code(1, "zip");
    assert!(
        out.stderr.contains("../x.proto") && out.stderr.contains("outside"),
        "{}",
        out.stderr
    );
}

/// Found by the `image` fuzz target (fuzz/README.md): 25 bytes on which prost-reflect panics while
/// describing what is wrong. A clear exit 1 naming the file, no panic report.
#[test]
fn a_fuzzed_image_that_panicked_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let bytes: &[u8] = &[
        0x40, 0xa4, 0xa4, 0x40, 0x0a, 0x0a, 0xf0, 0xff, 0x08, 0x00, 0xe2, 0x00, 0x00, 0xe2, 0x00,
        0x00, 0x40, 0x40, 0xd5, 0xa4, 0x40, 0xf4, 0x95, 0x95, 0x95,
    ];
    write(dir.path(), "x.binpb", bytes);
    for cmd in [&["build", "x.binpb"][..], &["lint", "x.binpb"]] {
        let out = run(dir.path(), cmd, None);
        out.assert_code(1, cmd[0]);
        assert!(
            out.stderr.contains("x.binpb") && out.stderr.contains("image"),
            "{}",
            out.stderr
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 14. Limits on decompressed sizes (docs/limits.md): a zip bomb is a clear exit 1, not gigabytes.

/// A zip whose one entry, `a.proto`, says it decompresses to `declared` bytes (deflate of
/// nothing: the size is a claim, refused before anything is decompressed or allocated).
fn zip_declaring(declared: u32) -> Vec<u8> {
    let name = b"a.proto";
    let data = [0x03, 0x00]; // an empty final deflate block
    let mut local = Vec::new();
    local.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
    local.extend_from_slice(&[20, 0, 0, 0, 8, 0, 0, 0, 0, 0]); // version, flags, deflate, time, date
    local.extend_from_slice(&0u32.to_le_bytes()); // crc-32
    local.extend_from_slice(&(data.len() as u32).to_le_bytes());
    local.extend_from_slice(&declared.to_le_bytes());
    local.extend_from_slice(&(name.len() as u16).to_le_bytes());
    local.extend_from_slice(&0u16.to_le_bytes());
    local.extend_from_slice(name);
    local.extend_from_slice(&data);
    let mut central = Vec::new();
    central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
    central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 8, 0, 0, 0, 0, 0]);
    central.extend_from_slice(&0u32.to_le_bytes());
    central.extend_from_slice(&(data.len() as u32).to_le_bytes());
    central.extend_from_slice(&declared.to_le_bytes());
    central.extend_from_slice(&(name.len() as u16).to_le_bytes());
    central.extend_from_slice(&[0; 12]); // extra, comment, disk, attributes
    central.extend_from_slice(&0u32.to_le_bytes()); // offset of the local header
    central.extend_from_slice(name);
    let mut zip = local.clone();
    zip.extend_from_slice(&central);
    zip.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    zip.extend_from_slice(&[0, 0, 0, 0, 1, 0, 1, 0]);
    zip.extend_from_slice(&(central.len() as u32).to_le_bytes());
    zip.extend_from_slice(&(local.len() as u32).to_le_bytes());
    zip.extend_from_slice(&0u16.to_le_bytes());
    zip
}

/// An archive entry that says it is larger than the limit is refused from its header: a zip or
/// tar.gz bomb costs neither the decompression nor the memory (it used to peak at 815 MB).
#[test]
fn archive_bombs_are_refused_from_their_declared_sizes() {
    let zip = zip_declaring(300 << 20);
    // A tar entry that says 300 MiB follows, with no data: the header alone is refused.
    let mut header = tar::Header::new_gnu();
    header.set_path("a.proto").unwrap();
    header.set_size(300 << 20);
    header.set_mode(0o644);
    header.set_entry_type(tar::EntryType::Regular);
    header.set_cksum();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(header.as_bytes()).unwrap();
    let tgz = gz.finish().unwrap();
    for (name, bytes) in [("bomb.zip", &zip), ("bomb.tar.gz", &tgz)] {
        let dir = dir_with(&[(name, bytes)]);
        let before = tree(dir.path());
        let out = run(dir.path(), &["build", name], None);
        out.assert_code(1, name);
        assert!(out.stderr.contains(name), "{}", out.stderr);
        assert!(out.stderr.contains("a.proto"), "{}", out.stderr);
        assert!(out.stderr.contains("limit of 256 MiB"), "{}", out.stderr);
        assert_eq!(tree(dir.path()), before);
    }
    // Under the limit, the same claim is not an error by itself: the entry is read as it is.
    let dir = dir_with(&[("small.zip", &zip_declaring(1 << 20))]);
    let out = run(dir.path(), &["build", "small.zip"], None);
    assert_ne!(out.code, None, "{}", out.stderr);
    assert!(!out.stderr.contains("limit of"), "{}", out.stderr);
}

// ---------------------------------------------------------------------------------------------
// 8–13, 16. Compile errors where buf 1.75 puts them (file, line, column as buf prints them).

/// Builds a directory with `buf.yaml` and `files`, and returns the `build` outcome.
fn build(files: &[(&str, &[u8])]) -> (Outcome, tempfile::TempDir) {
    let mut all = vec![("buf.yaml", V2.as_bytes())];
    all.extend_from_slice(files);
    let dir = dir_with(&all);
    let before = tree(dir.path());
    let out = run(dir.path(), &["build"], None);
    assert_eq!(tree(dir.path()), before, "build changed the user's files");
    (out, dir)
}

fn assert_reports(files: &[(&str, &[u8])], want: &[&str]) {
    let (out, _dir) = build(files);
    out.assert_code(if want.is_empty() { 0 } else { 100 }, &format!("{want:?}"));
    let got: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(got.len(), want.len(), "{}", out.stderr);
    for (g, w) in got.iter().zip(want) {
        assert!(g.starts_with(w), "got {g:?}, want {w:?}");
    }
}

#[test]
fn duplicates_are_placed_where_buf_places_them() {
    // A number used twice: at the later use.
    assert_reports(
        &[(
            "a.proto",
            b"syntax = \"proto3\";\nenum E {\n  Z = 0;\n  A = 0x300;\n  B = 0x300;\n}\n",
        )],
        &["a.proto:5:7:"],
    );
    assert_reports(
        &[(
            "a.proto",
            b"syntax = \"proto3\";\nmessage M {\n  int32 a = 1;\n  int32 b = 1;\n}\n",
        )],
        &["a.proto:4:13:"],
    );
    // A name in two files: once, in the first file by path, whichever imports which.
    let x = b"syntax = \"proto3\";\npackage p;\nmessage X {}\n";
    let later = b"syntax = \"proto3\";\npackage p;\n\nmessage Y {}\nmessage X {}\n";
    assert_reports(&[("b.proto", later), ("a.proto", x)], &["a.proto:3:9:"]);
    assert_reports(&[("b.proto", x), ("a.proto", later)], &["a.proto:5:9:"]);
    assert_reports(
        &[("a.proto", x), ("b.proto", x), ("c.proto", x)],
        &["a.proto:3:9:"],
    );
}

#[test]
fn positions_of_unterminated_comments_big_numbers_and_cycles() {
    assert_reports(
        &[(
            "a.proto",
            b"syntax = \"proto3\";\nmessage M {\n  int32 a = 1;\n}\n/* unterminated\n\n",
        )],
        &["a.proto:5:1:"],
    );
    assert_reports(
        &[(
            "a.proto",
            b"syntax = \"proto3\";\nmessage M {\n  int32 a = 100000000000000000000000000;\n}\n",
        )],
        &["a.proto:3:13:"],
    );
    // A self-import: at the import.
    assert_reports(
        &[(
            "a.proto",
            b"syntax = \"proto3\";\npackage x;\n\nimport \"a.proto\";\nmessage M {}\n",
        )],
        &["a.proto:4:1:detected cyclic import while importing \"a.proto\""],
    );
    // a -> b -> c -> a: once, at b's import of c (buf).
    assert_reports(
        &[
            (
                "a.proto",
                b"syntax = \"proto3\";\n\nimport \"b.proto\";\nmessage A {}\n",
            ),
            (
                "b.proto",
                b"syntax = \"proto3\";\nimport \"c.proto\";\nmessage B {}\n",
            ),
            (
                "c.proto",
                b"syntax = \"proto3\";\n// x\n\nimport \"a.proto\";\nmessage C {}\n",
            ),
        ],
        &["b.proto:2:1:detected cyclic import while importing \"c.proto\""],
    );
    assert_reports(
        &[(
            "a.proto",
            b"syntax = \"proto3\";\nimport \"/etc/passwd\";\n",
        )],
        &["a.proto:2:8:import path must be relative"],
    );
    assert_reports(
        &[(
            "a.proto",
            b"syntax = \"proto3\";\nimport \"../../x.proto\";\n",
        )],
        &["a.proto:2:8:import path must not refer to parent directory"],
    );
}

#[test]
fn encodings_as_buf_reads_them() {
    // A byte order mark is accepted.
    assert_reports(
        &[(
            "a.proto",
            b"\xef\xbb\xbfsyntax = \"proto3\";\nmessage M {}\n",
        )],
        &[],
    );
    // Invalid UTF-8 (even in a comment) and NUL bytes are compile errors at the byte.
    assert_reports(
        &[(
            "a.proto",
            b"syntax = \"proto3\";\nmessage M {}\n// \xff\xfe bad\n",
        )],
        &["a.proto:3:4:input appears to be encoded with UTF-8, but found invalid byte"],
    );
    assert_reports(
        &[("a.proto", b"syntax = \"proto3\";\nmessage M {}\n\x00\n")],
        &["a.proto:3:1:unrecognized token"],
    );
}

#[test]
fn overlapping_modules_clash_as_in_buf() {
    // buf: `proto/a/a.proto:2:9:`A` declared multiple times`, exit 100.
    let dir = dir_with(&[
        (
            "buf.yaml",
            b"version: v2\nmodules:\n  - path: proto\n  - path: proto/a\n",
        ),
        ("proto/a/a.proto", b"syntax = \"proto3\";\nmessage A {}\n"),
    ]);
    let out = run(dir.path(), &["build"], None);
    out.assert_code(100, "overlapping modules");
    assert!(
        out.stderr.starts_with("proto/a/a.proto:2:9:"),
        "{}",
        out.stderr
    );
}

#[test]
fn breaking_reports_compile_errors_as_findings_on_stdout() {
    let dir = dir_with(&[
        ("current/buf.yaml", V2.as_bytes()),
        ("previous/buf.yaml", V2.as_bytes()),
        (
            "current/a.proto",
            b"syntax = \"proto3\";\nmessage A { int32 a = 1; int32 b = 1; }\n",
        ),
        ("previous/a.proto", b"syntax = \"proto3\";\nmessage A {}\n"),
    ]);
    for (input, against) in [("current", "previous"), ("previous", "current")] {
        let out = run(
            dir.path(),
            &[
                "breaking",
                input,
                "--against",
                against,
                "--error-format",
                "json",
            ],
            None,
        );
        out.assert_code(100, "breaking with a side that does not compile");
        assert!(out.stderr.is_empty(), "{}", out.stderr);
        assert!(
            out.stdout
                .contains("\"path\":\"current/a.proto\",\"start_line\":2"),
            "{}",
            out.stdout
        );
    }
}

#[test]
fn config_errors_name_the_file_and_stay_short() {
    // An unknown rule id: buf.yaml and its line.
    let dir = dir_with(&[
        (
            "buf.yaml",
            b"version: v2\nlint:\n  use:\n    - STANDARD\n    - NOT_A_RULE\n",
        ),
        (
            "a.proto",
            b"syntax = \"proto3\";\npackage a.v1;\nmessage A {}\n",
        ),
    ]);
    let out = run(dir.path(), &["lint"], None);
    out.assert_code(1, "unknown rule");
    assert!(out.stderr.contains("buf.yaml:5"), "{}", out.stderr);
    // The same in the `breaking` section (buf: `Failure: unknown rule ID: NOT_A_RULE`).
    write(
        dir.path(),
        "buf.yaml",
        b"version: v2\nbreaking:\n  use:\n    - FILE\n  except:\n    - FIELD_NO_DELETE\n    - NOT_A_RULE\n",
    );
    let out = run(dir.path(), &["breaking", "--against", "."], None);
    out.assert_code(1, "unknown breaking rule");
    assert!(out.stderr.contains("buf.yaml:7"), "{}", out.stderr);
    assert!(out.stderr.contains("NOT_A_RULE"), "{}", out.stderr);
    // A 1 MB key: a short error, not a 1 MB code frame.
    let yaml = format!("version: v2\n{}: 1\n", "k".repeat(1 << 20));
    write(dir.path(), "buf.yaml", yaml.as_bytes());
    let out = run(dir.path(), &["lint"], None);
    out.assert_code(1, "1 MB key");
    assert!(out.stderr.contains("buf.yaml:2:"), "{}", head(&out.stderr));
    assert!(out.stderr.len() < 4000, "{} bytes", out.stderr.len());
    // A bad glob says what is wrong with it.
    let out = run(dir.path(), &["format", "--exclude-path", "{{{"], None);
    out.assert_code(1, "bad glob");
    assert!(
        out.stderr.contains("unclosed alternate group"),
        "{}",
        out.stderr
    );
}

#[test]
fn dropping_a_well_known_import_is_file_no_delete_without_buf_yaml() {
    // buf 1.75: `<input>:1:1:Previously present file "google/protobuf/timestamp.proto" was deleted.`
    let dir = dir_with(&[
        (
            "previous/a.proto",
            b"syntax = \"proto3\";\nimport \"google/protobuf/timestamp.proto\";\nmessage A { google.protobuf.Timestamp t = 1; }\n",
        ),
        ("current/a.proto", b"syntax = \"proto3\";\nmessage A { reserved 1; }\n"),
    ]);
    let out = run(
        dir.path(),
        &["breaking", "current", "--against", "previous"],
        None,
    );
    out.assert_code(100, "breaking");
    assert!(
        out.stdout.contains(
            "<input>:1:1:Previously present file \"google/protobuf/timestamp.proto\" was deleted."
        ),
        "{}",
        out.stdout
    );
}

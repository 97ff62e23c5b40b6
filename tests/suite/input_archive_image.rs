//! Archive inputs (tar, tar.gz, zip; built in the test) and image inputs (binary, JSON, gzipped,
//! stdin; made with protox and with the real buf, whose images are checked in under
//! testdata/input).

use std::io::Write;
use std::path::{Path, PathBuf};

use prost::Message;
use protoforge::input::{load, Loaded, Snapshot};

fn sources(input: &str, cwd: &Path) -> Snapshot {
    match load(input, cwd) {
        Ok(Loaded::Sources(s)) => s,
        Ok(Loaded::Image(_)) => panic!("{input}: expected sources"),
        Err(e) => panic!("{input}: {e}"),
    }
}

fn image(input: &str, cwd: &Path) -> Vec<u8> {
    match load(input, cwd) {
        Ok(Loaded::Image(bytes)) => bytes,
        Ok(Loaded::Sources(_)) => panic!("{input}: expected an image"),
        Err(e) => panic!("{input}: {e}"),
    }
}

fn error(input: &str, cwd: &Path) -> String {
    match load(input, cwd) {
        Ok(_) => panic!("{input}: expected an error"),
        Err(e) => {
            assert!(e.help_text().is_some(), "{input}: no help: {e}");
            e.to_string()
        }
    }
}

fn keys(s: &Snapshot) -> Vec<&str> {
    s.files.keys().map(String::as_str).collect()
}

/// The files every archive holds: a top directory as release tarballs have.
const ENTRIES: &[(&str, &str)] = &[
    ("pkg-1.0/README.md", "readme"),
    ("pkg-1.0/proto/buf.yaml", "version: v1\n"),
    (
        "pkg-1.0/proto/acme/v1/a.proto",
        "syntax = \"proto3\";\npackage acme.v1;\n",
    ),
    (
        "pkg-1.0/proto/acme/v1/b.proto",
        "syntax = \"proto3\";\npackage acme.v1;\n",
    ),
    ("pkg-1.0/top.proto", "syntax = \"proto3\";\n"),
];

fn tar_bytes() -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, contents) in ENTRIES {
        let mut header = tar::Header::new_gnu();
        header.set_size(contents.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        builder
            .append_data(&mut header, path, contents.as_bytes())
            .unwrap();
    }
    // A symlink entry: skipped.
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Symlink);
    header.set_size(0);
    builder
        .append_link(&mut header, "pkg-1.0/link.proto", "top.proto")
        .unwrap();
    builder.into_inner().unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn zip_bytes() -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    writer.add_directory("pkg-1.0/", options).unwrap();
    for (path, contents) in ENTRIES {
        writer.start_file(*path, options).unwrap();
        writer.write_all(contents.as_bytes()).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn archives() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let tar = tar_bytes();
    std::fs::write(t.join("src.tar"), &tar).unwrap();
    std::fs::write(t.join("src.tar.gz"), gzip(&tar)).unwrap();
    std::fs::write(t.join("src.tgz"), gzip(&tar)).unwrap();
    std::fs::write(t.join("src.zip"), zip_bytes()).unwrap();
    std::fs::write(t.join("blob"), gzip(&tar)).unwrap();
    tmp
}

#[test]
fn archives_with_strip_components_and_subdir() {
    let tmp = archives();
    let t = tmp.path();
    for name in [
        "src.tar",
        "src.tar.gz",
        "src.tgz",
        "src.zip",
        "blob#format=tar,compression=gzip",
    ] {
        let s = sources(name, t);
        assert_eq!(
            keys(&s),
            [
                "pkg-1.0/proto/acme/v1/a.proto",
                "pkg-1.0/proto/acme/v1/b.proto",
                "pkg-1.0/proto/buf.yaml",
                "pkg-1.0/top.proto"
            ],
            "{name}"
        );
        assert_eq!(s.display_prefix, "");
        assert!(s.disk_root.is_none());

        let stripped = if name.contains('#') {
            format!("{name},strip_components=1")
        } else {
            format!("{name}#strip_components=1")
        };
        let s = sources(&stripped, t);
        assert_eq!(
            keys(&s),
            [
                "proto/acme/v1/a.proto",
                "proto/acme/v1/b.proto",
                "proto/buf.yaml",
                "top.proto"
            ],
            "{name}"
        );
        assert_eq!(&*s.files["top.proto"], b"syntax = \"proto3\";\n");

        // subdir with a buf.yaml: the module is the root, shown under its path (as buf shows it).
        let s = sources(&format!("{stripped},subdir=proto"), t);
        assert_eq!(
            keys(&s),
            ["acme/v1/a.proto", "acme/v1/b.proto", "buf.yaml"],
            "{name}"
        );
        assert_eq!(s.display_path("acme/v1/a.proto"), "proto/acme/v1/a.proto");
        assert!(s.target_paths.is_empty());

        let s = sources(&format!("{stripped},subdir=proto/acme/../"), t);
        assert_eq!(keys(&s).len(), 3);

        // Inside the v1 module: buf's error.
        let e = load(&format!("{stripped},subdir=proto/acme"), t)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("input \"proto/acme\"") && e.contains("module at path \"proto\""),
            "{e}"
        );

        let s = sources(
            &format!("{stripped},strip_components=2").replace("strip_components=1,", ""),
            t,
        );
        assert_eq!(
            keys(&s),
            ["acme/v1/a.proto", "acme/v1/b.proto", "buf.yaml"],
            "{name}"
        );
    }
}

#[test]
fn archive_errors() {
    let tmp = archives();
    let t = tmp.path();
    let e = error("src.tar#strip_components=5", t);
    assert!(e.contains("strip_components=5 removes every file"), "{e}");
    let e = error("src.zip#strip_components=9", t);
    assert!(e.contains("removes every file"), "{e}");
    let e = error("src.tar#strip_components=1,subdir=nope", t);
    assert!(
        e.contains("subdir \"nope\" is not a directory in the archive"),
        "{e}"
    );
    let e = error("missing.tar", t);
    assert!(
        e.contains("input \"missing.tar\"") && e.contains("cannot read"),
        "{e}"
    );

    std::fs::write(t.join("junk.tar.gz"), b"not gzip at all").unwrap();
    let e = error("junk.tar.gz", t);
    assert!(e.contains("not valid gzip"), "{e}");
    std::fs::write(t.join("junk.zip"), b"PK\x03\x04 nope").unwrap();
    let e = error("junk.zip", t);
    assert!(e.contains("not a valid zip archive"), "{e}");
    let mut bad_tar = tar_bytes();
    bad_tar[148..156].copy_from_slice(b"zzzzzzz\0"); // checksum of the first header
    std::fs::write(t.join("junk.tar"), &bad_tar).unwrap();
    let e = error("junk.tar", t);
    assert!(e.contains("not a valid tar archive"), "{e}");
    std::fs::write(t.join("x.tar.zst"), b"").unwrap();
    let e = error("x.tar.zst", t);
    assert!(e.contains("zstd compression is not supported"), "{e}");
}

fn testdata(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/input")
        .join(path)
}

/// A FileDescriptorSet of the testdata source, compiled with protox.
fn protox_image() -> prost_types::FileDescriptorSet {
    protox::Compiler::new([testdata("image_src")])
        .unwrap()
        .include_imports(true)
        .open_file("acme/v1/thing.proto")
        .unwrap()
        .file_descriptor_set()
}

/// The part of buf's image we check: names, and the import flag of `buf_extension`.
#[derive(Clone, PartialEq, Message)]
struct BufImage {
    #[prost(message, repeated, tag = "1")]
    file: Vec<BufImageFile>,
}
#[derive(Clone, PartialEq, Message)]
struct BufImageFile {
    #[prost(string, optional, tag = "1")]
    name: Option<String>,
    #[prost(message, optional, tag = "8042")]
    buf_extension: Option<BufExtension>,
}
#[derive(Clone, PartialEq, Message)]
struct BufExtension {
    #[prost(bool, optional, tag = "1")]
    is_import: Option<bool>,
}

#[test]
fn binary_images() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let set = protox_image();
    let bytes = set.encode_to_vec();
    std::fs::write(t.join("ours.binpb"), &bytes).unwrap();
    std::fs::write(t.join("ours.bin"), &bytes).unwrap();
    std::fs::write(t.join("ours.binpb.gz"), gzip(&bytes)).unwrap();
    std::fs::write(t.join("noext"), &bytes).unwrap();
    for input in [
        "ours.binpb",
        "ours.bin",
        "ours.binpb.gz",
        "noext#format=binpb",
        "noext#format=bin",
    ] {
        assert_eq!(image(input, t), bytes, "{input}");
    }
    // buf's binary image: passed through byte for byte (custom options and buf_extension kept).
    let buf_bytes = std::fs::read(testdata("buf_image.binpb")).unwrap();
    let loaded = image("buf_image.binpb", &testdata(""));
    assert_eq!(loaded, buf_bytes);
    let pool = prost_reflect::DescriptorPool::decode(&loaded[..]).unwrap();
    let field = pool
        .get_message_by_name("acme.v1.Thing")
        .unwrap()
        .get_field_by_name("name")
        .unwrap();
    let ext = pool.get_extension_by_name("acme.v1.sensitivity").unwrap();
    assert_eq!(field.options().get_extension(&ext).as_str(), Some("high"));
}

#[test]
fn json_images() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    // buf's JSON image converts to exactly buf's binary image (same content, no source info).
    let converted = image("buf_image.json", &testdata(""));
    let buf_binary = std::fs::read(testdata("buf_image_nosci.binpb")).unwrap();
    assert_eq!(converted, buf_binary);
    let decoded = BufImage::decode(&converted[..]).unwrap();
    let flags: Vec<(String, Option<bool>)> = decoded
        .file
        .iter()
        .map(|f| {
            (
                f.name.clone().unwrap(),
                f.buf_extension.as_ref().and_then(|e| e.is_import),
            )
        })
        .collect();
    assert_eq!(
        flags,
        [
            ("google/protobuf/descriptor.proto".to_string(), Some(true)),
            ("google/protobuf/timestamp.proto".to_string(), Some(true)),
            ("acme/v1/thing.proto".to_string(), Some(false)),
        ]
    );

    // A JSON image of our own (protox, with source info), gzipped and under other names.
    let set = protox_image();
    let pool = prost_reflect::DescriptorPool::global();
    let desc = pool
        .get_message_by_name("google.protobuf.FileDescriptorSet")
        .unwrap();
    let dynamic = prost_reflect::DynamicMessage::decode(desc, &set.encode_to_vec()[..]).unwrap();
    let json = serde_json::to_vec(&dynamic).unwrap();
    std::fs::write(t.join("ours.json"), &json).unwrap();
    std::fs::write(t.join("ours.json.gz"), gzip(&json)).unwrap();
    std::fs::write(t.join("ours.txt"), &json).unwrap();
    for input in ["ours.json", "ours.json.gz", "ours.txt#format=json"] {
        let bytes = image(input, t);
        assert_eq!(
            prost_types::FileDescriptorSet::decode(&bytes[..]).unwrap(),
            set,
            "{input}"
        );
    }
}

#[test]
fn image_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    std::fs::write(t.join("junk.binpb"), b"\xff\xff\xff\xff garbage").unwrap();
    let e = error("junk.binpb", t);
    assert!(
        e.contains("input \"junk.binpb\"") && e.contains("not a valid binary image"),
        "{e}"
    );
    std::fs::write(t.join("empty.binpb"), b"").unwrap();
    let e = error("empty.binpb", t);
    assert!(e.contains("image contains no files"), "{e}");
    std::fs::write(t.join("bad.json"), b"{not json").unwrap();
    let e = error("bad.json", t);
    assert!(e.contains("not a valid JSON image"), "{e}");
    std::fs::write(
        t.join("wrong.json"),
        br#"{"file": [{"name": "a.proto", "messageType": 7}]}"#,
    )
    .unwrap();
    let e = error("wrong.json", t);
    assert!(
        e.contains("not a valid JSON image") && e.contains("a.proto"),
        "{e}"
    );
    std::fs::write(t.join("other.json"), br#"{"files": []}"#).unwrap();
    let e = error("other.json", t);
    assert!(e.contains("unknown key \"files\""), "{e}");
    std::fs::write(t.join("nofiles.json"), br#"{}"#).unwrap();
    let e = error("nofiles.json", t);
    assert!(e.contains("image contains no files"), "{e}");
    let e = error("missing.binpb", t);
    assert!(e.contains("cannot read missing.binpb"), "{e}");
    std::fs::write(t.join("x.txtpb"), b"").unwrap();
    let e = error("x.txtpb", t);
    assert!(e.contains("txtpb images are not supported"), "{e}");
    std::fs::write(t.join("x.binpb.gz"), b"plain").unwrap();
    let e = error("x.binpb.gz", t);
    assert!(e.contains("not valid gzip"), "{e}");
}

/// Runs this test binary again as a child that loads `-` (with the given options) from a piped
/// stdin and prints the result; see `stdin_child`.
fn load_from_stdin(options: &str, stdin: &[u8]) -> (bool, String) {
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "input_archive_image::stdin_child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("PROTOFORGE_TEST_STDIN_INPUT", format!("-{options}"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let line = stdout
        .lines()
        .find_map(|l| l.find("RESULT ").map(|i| &l[i..]))
        .unwrap_or_else(|| panic!("no result: {stdout}"));
    let ok = line.starts_with("RESULT ok ");
    (ok, line.to_string())
}

#[test]
#[ignore = "runs only as the child of stdin_images"]
fn stdin_child() {
    let Ok(input) = std::env::var("PROTOFORGE_TEST_STDIN_INPUT") else {
        return;
    };
    match load(&input, Path::new(".")) {
        Ok(Loaded::Image(bytes)) => {
            let set = prost_types::FileDescriptorSet::decode(&bytes[..]).unwrap();
            let names: Vec<&str> = set.file.iter().map(|f| f.name()).collect();
            println!("RESULT ok {}", names.join(","));
        }
        Ok(Loaded::Sources(s)) => println!("RESULT ok sources {}", s.files.len()),
        Err(e) => println!("RESULT err {e}"),
    }
}

#[test]
fn stdin_images() {
    let binary = std::fs::read(testdata("buf_image_nosci.binpb")).unwrap();
    let json = std::fs::read(testdata("buf_image.json")).unwrap();
    let names = "RESULT ok google/protobuf/descriptor.proto,google/protobuf/timestamp.proto,acme/v1/thing.proto";
    assert_eq!(load_from_stdin("", &binary), (true, names.to_string()));
    assert_eq!(
        load_from_stdin("#format=json", &json),
        (true, names.to_string())
    );
    assert_eq!(
        load_from_stdin("#format=binpb,compression=gzip", &gzip(&binary)),
        (true, names.to_string())
    );
    let (ok, line) = load_from_stdin("", b"");
    assert!(!ok && line.contains("image contains no files"), "{line}");
    let (ok, line) = load_from_stdin("", &json);
    assert!(
        !ok && line.contains("standard input is not a valid binary image"),
        "{line}"
    );
    // A tar archive on stdin.
    let (ok, line) = load_from_stdin("#format=tar,strip_components=1", &tar_bytes());
    assert_eq!((ok, line.as_str()), (true, "RESULT ok sources 4"));
}

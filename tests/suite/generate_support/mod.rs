//! Helpers shared by the generate tests: compile fixtures with protox, generate, run cargo.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use protoforge::generate::{generate, GenerateOptions, GeneratedCrate};

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn orders_dir() -> PathBuf {
    repo_root().join("testdata/generate/orders")
}

/// `.proto` files under `dir/sub` (for each sub), relative to `dir`, sorted.
pub fn proto_files(dir: &Path, subs: &[&str], recursive: bool) -> Vec<String> {
    fn walk(root: &Path, d: &Path, recursive: bool, out: &mut Vec<String>) {
        let mut entries: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                if recursive {
                    walk(root, &p, recursive, out);
                }
            } else if p.extension().is_some_and(|e| e == "proto") {
                out.push(
                    p.strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    let mut out = Vec::new();
    for sub in subs {
        walk(dir, &dir.join(sub), recursive, &mut out);
    }
    out.sort();
    out
}

/// Compiles `files` under `root` the way the core does for generate: imports and source info kept.
pub fn compile(root: &Path, files: &[String]) -> Vec<u8> {
    let mut compiler = protox::Compiler::new([root]).unwrap();
    compiler.include_imports(true).include_source_info(true);
    compiler.open_files(files).unwrap();
    compiler.encode_file_descriptor_set()
}

pub fn generate_orders(opts: &GenerateOptions) -> GeneratedCrate {
    let files = proto_files(&orders_dir(), &["common", "orders"], true);
    let fds = compile(&orders_dir(), &files);
    generate(&fds, &files, opts).unwrap()
}

/// A fixed target directory shared by every cargo build of generated crates, so reruns are warm.
pub fn shared_target_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("generate-it-target")
}

/// A fresh scratch directory under the target dir's tmp (kept between runs for its Cargo.lock).
pub fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs cargo in `dir` with the shared target dir and `-D warnings` for workspace crates; panics
/// with cargo's output on failure.
pub fn cargo(dir: &Path, args: &[&str]) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let out = Command::new(cargo)
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", shared_target_dir())
        .env("RUSTFLAGS", "-D warnings")
        // The generated crates are built to be checked, never debugged: no debug info keeps the
        // shared target dir small (it was ~500 MB with it).
        .env("CARGO_PROFILE_DEV_DEBUG", "false")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTC_WRAPPER")
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "cargo {args:?} in {} failed:\n{stdout}\n{stderr}",
        dir.display()
    );
    format!("{stdout}{stderr}")
}

/// Compiles a directory through protoforge's own pipeline (editions files included), as
/// `protoforge generate` does: the encoded image and the target file names.
pub fn compile_with_protoforge(dir: &Path) -> (Vec<u8>, Vec<String>) {
    use protoforge::compile::{encode_image, Compiled, ImageEncoding};
    let args = protoforge::cli::InputArgs {
        input: ".".to_string(),
        ..Default::default()
    };
    let built = protoforge::pipeline::build(&args, dir).expect("input loads");
    let image = match built.compiled {
        Compiled::Image(image) => image,
        Compiled::Errors(errs) => panic!("{} does not compile: {errs:#?}", dir.display()),
    };
    let targets = image.targets().map(|f| f.name().to_string()).collect();
    let fds = encode_image(
        &image,
        ImageEncoding {
            json: false,
            exclude_imports: false,
            exclude_source_info: false,
            as_file_descriptor_set: true,
        },
    )
    .unwrap();
    (fds, targets)
}

pub fn editions_dir() -> PathBuf {
    repo_root().join("testdata/generate/editions")
}

/// The generated crate for `testdata/generate/editions` (messages only: no services there).
pub fn generate_editions() -> GeneratedCrate {
    let (fds, targets) = compile_with_protoforge(&editions_dir());
    generate(
        &fds,
        &targets,
        &GenerateOptions {
            crate_name: Some("feat-v1".into()),
            ..Default::default()
        },
    )
    .unwrap()
}

//! Fast generate tests (no cargo build of the generated crate): layout, determinism, `--check`,
//! the manifest, refusals, templates, buf.gen.yaml. The builds are in generate_build.rs.

use crate::generate_support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use generate_support::*;
use protoforge::config::buf_gen;
use protoforge::generate::{generate, writer, GenerateOptions, MANIFEST_FILE};

fn protoforge(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_protoforge"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("protoforge runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Every file under `dir`, relative path -> contents.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, d: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn orders_arg() -> String {
    orders_dir().to_string_lossy().into_owned()
}

#[test]
fn crate_layout_mirrors_packages() {
    let krate = generate_orders(&GenerateOptions::default());
    let paths: Vec<&str> = krate.files.keys().map(String::as_str).collect();
    assert_eq!(
        paths,
        [
            "Cargo.toml",
            "README.md",
            "src/common.v1.rs",
            "src/file_descriptor_set.bin",
            "src/lib.rs",
            "src/orders.v1.rs"
        ]
    );
    assert!(krate.write_once.is_empty(), "no skeleton unless asked");
    let file = |p: &str| text(&krate.files[p]);
    insta::assert_snapshot!("orders_cargo_toml", file("Cargo.toml"));
    insta::assert_snapshot!("orders_lib_rs", file("src/lib.rs"));
    insta::assert_snapshot!("orders_readme", file("README.md"));

    let orders = file("src/orders.v1.rs");
    // Cross-package references resolve through the mirrored module tree; WKTs come from prost_types.
    assert!(
        orders.contains("super::super::common::v1::AuditEntry"),
        "{orders}"
    );
    assert!(orders.contains("::prost_types::Timestamp"));
    assert!(orders.contains("pub mod order_service_client"));
    assert!(orders.contains("#[cfg(feature = \"server\")]"));
    // google.protobuf.Empty is ().
    assert!(orders.contains("tonic::Request<()>"), "{orders}");
    // Doc comments come from the proto comments.
    assert!(orders.contains("/// Returns one order; NOT_FOUND when the id is unknown."));
    let common = file("src/common.v1.rs");
    assert!(
        common.contains("super::super::orders::v1::OrderRef"),
        "{common}"
    );
}

#[test]
fn skeleton_implements_every_rpc() {
    let krate = generate_orders(&GenerateOptions {
        skeleton: true,
        ..Default::default()
    });
    let server = text(&krate.write_once["examples/server.rs"]);
    insta::assert_snapshot!("orders_skeleton_server", server);
    assert!(
        !krate.files.contains_key("examples/server.rs"),
        "the skeleton is not in the manifest"
    );
}

#[test]
fn descriptor_set_constant_holds_the_image() {
    use prost::Message;
    let krate = generate_orders(&GenerateOptions::default());
    let set = prost_types::FileDescriptorSet::decode(
        krate.files["src/file_descriptor_set.bin"].as_slice(),
    )
    .unwrap();
    let names: Vec<&str> = set.file.iter().map(|f| f.name()).collect();
    for name in [
        "orders/v1/orders.proto",
        "common/v1/audit.proto",
        "google/protobuf/timestamp.proto",
    ] {
        assert!(names.contains(&name), "{names:?}");
    }
}

#[test]
fn no_prost_types_without_well_known_types() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ping.proto"),
        "syntax = \"proto3\";\npackage ping.v1;\nimport \"google/protobuf/empty.proto\";\n\
         service Pinger { rpc Ping(google.protobuf.Empty) returns (google.protobuf.Empty); }\n",
    )
    .unwrap();
    let files = vec!["ping.proto".to_string()];
    let krate = generate(
        &compile(dir.path(), &files),
        &files,
        &GenerateOptions::default(),
    )
    .unwrap();
    let cargo = text(&krate.files["Cargo.toml"]);
    assert!(!cargo.contains("prost-types"), "{cargo}");
    assert!(cargo.contains("tonic-prost = \"0.14\""), "{cargo}");
    assert!(cargo.contains("name = \"ping-v1\""), "{cargo}");
}

#[test]
fn messages_only_crate_has_no_tonic() {
    let opts = GenerateOptions {
        client: false,
        server: false,
        ..Default::default()
    };
    let krate = generate_orders(&opts);
    let cargo = text(&krate.files["Cargo.toml"]);
    assert!(!cargo.contains("tonic"), "{cargo}");
    assert!(!text(&krate.files["src/orders.v1.rs"]).contains("order_service_client"));
}

#[test]
fn output_is_deterministic() {
    let a = generate_orders(&GenerateOptions {
        skeleton: true,
        ..Default::default()
    });
    let b = generate_orders(&GenerateOptions {
        skeleton: true,
        ..Default::default()
    });
    assert_eq!(a, b);

    let one = tempfile::tempdir().unwrap();
    let two = tempfile::tempdir().unwrap();
    for dir in [one.path(), two.path()] {
        let out = protoforge(dir, &["generate", &orders_arg(), "-o", "gen", "--skeleton"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let (t1, t2) = (tree(&one.path().join("gen")), tree(&two.path().join("gen")));
    assert!(t1.contains_key(MANIFEST_FILE) && t1.contains_key("examples/server.rs"));
    assert_eq!(t1, t2, "two runs are byte-identical");
}

#[test]
fn check_reports_current_and_stale() {
    let dir = tempfile::tempdir().unwrap();
    let gen = dir.path().join("gen");
    let args = ["generate", &orders_arg(), "-o", "gen", "--check"];

    // Nothing generated yet: stale.
    let out = protoforge(dir.path(), &args);
    assert_eq!(out.status.code(), Some(100), "{}", text(&out.stderr));
    assert!(!gen.exists(), "--check writes nothing");

    let out = protoforge(dir.path(), &["generate", &orders_arg(), "-o", "gen"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = protoforge(dir.path(), &args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "fresh output is current: {}",
        text(&out.stdout)
    );
    assert!(out.stdout.is_empty());

    // A hand edit makes it stale, with a diff, and --check leaves the edit alone.
    let lib = gen.join("src/lib.rs");
    let original = std::fs::read_to_string(&lib).unwrap();
    let edited = original.replace("pub mod orders {", "pub mod orders { // hand edit");
    std::fs::write(&lib, &edited).unwrap();
    let out = protoforge(dir.path(), &args);
    assert_eq!(out.status.code(), Some(100));
    let diff = text(&out.stdout);
    assert!(
        diff.contains("--- a/src/lib.rs\n+++ b/src/lib.rs\n"),
        "{diff}"
    );
    assert!(
        diff.contains("-pub mod orders { // hand edit\n+pub mod orders {\n"),
        "{diff}"
    );
    assert!(
        text(&out.stderr).contains("is stale"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&lib).unwrap(), edited);

    // Regenerating restores it.
    assert!(
        protoforge(dir.path(), &["generate", &orders_arg(), "-o", "gen"])
            .status
            .success()
    );
    assert_eq!(std::fs::read_to_string(&lib).unwrap(), original);
}

#[test]
fn user_files_survive_and_stale_generated_files_go() {
    let dir = tempfile::tempdir().unwrap();
    let gen = dir.path().join("gen");
    let out = protoforge(
        dir.path(),
        &["generate", &orders_arg(), "-o", "gen", "--skeleton"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(gen.join("src/common.v1.rs").is_file());

    // The user's own files, and their edits to the starter server.
    std::fs::write(gen.join("src/extra.rs"), "// mine\n").unwrap();
    std::fs::create_dir_all(gen.join("tests")).unwrap();
    std::fs::write(gen.join("tests/it.rs"), "// my test\n").unwrap();
    std::fs::write(gen.join("examples/server.rs"), "// my server\n").unwrap();

    // Regenerate from one file only: common.v1 is no longer generated.
    let out = protoforge(
        dir.path(),
        &[
            "generate",
            &orders_arg(),
            "-o",
            "gen",
            "--skeleton",
            "--path",
            "orders/v1/order_ref.proto",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        !gen.join("src/common.v1.rs").exists(),
        "our stale file is removed"
    );
    assert!(gen.join("src/orders.v1.rs").is_file());
    assert_eq!(
        std::fs::read_to_string(gen.join("src/extra.rs")).unwrap(),
        "// mine\n"
    );
    assert_eq!(
        std::fs::read_to_string(gen.join("tests/it.rs")).unwrap(),
        "// my test\n"
    );
    assert_eq!(
        std::fs::read_to_string(gen.join("examples/server.rs")).unwrap(),
        "// my server\n"
    );
    let manifest = std::fs::read_to_string(gen.join(MANIFEST_FILE)).unwrap();
    assert!(
        !manifest.contains("common.v1.rs") && manifest.contains("src/orders.v1.rs"),
        "{manifest}"
    );
}

#[test]
fn refuses_to_overwrite_files_it_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("gen")).unwrap();
    std::fs::write(
        dir.path().join("gen/Cargo.toml"),
        "[package]\nname = \"mine\"\n",
    )
    .unwrap();
    let out = protoforge(dir.path(), &["generate", &orders_arg(), "-o", "gen"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("was not generated by protoforge"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("gen/Cargo.toml")).unwrap(),
        "[package]\nname = \"mine\"\n"
    );
    assert!(
        !dir.path().join("gen/src").exists(),
        "nothing written when refusing"
    );
}

#[test]
fn refuses_an_out_that_is_a_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("gen"), "not a dir").unwrap();
    for extra in [&[][..], &["--check"][..]] {
        let mut args = vec![
            "generate",
            &*Box::leak(orders_arg().into_boxed_str()),
            "-o",
            "gen",
        ];
        args.extend_from_slice(extra);
        let out = protoforge(dir.path(), &args);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            text(&out.stderr).contains("is a file, not a directory"),
            "{}",
            text(&out.stderr)
        );
    }
    let krate = generate_orders(&GenerateOptions::default());
    let err = writer::write(&krate, &dir.path().join("gen")).unwrap_err();
    assert!(err.message().contains("is a file"), "{err}");
}

#[test]
fn refuses_template_paths_escaping_out() {
    let templates = tempfile::tempdir().unwrap();
    std::fs::write(
        templates.path().join("README.md.jinja"),
        "{% set output_path = \"../escaped.md\" %}hi\n",
    )
    .unwrap();
    let opts = GenerateOptions {
        template_dir: Some(templates.path().to_path_buf()),
        ..Default::default()
    };
    let files = proto_files(&orders_dir(), &["common", "orders"], true);
    let err = generate(&compile(&orders_dir(), &files), &files, &opts).unwrap_err();
    assert!(err.message().contains("README.md.jinja"), "{err}");
    assert!(err.message().contains("escapes --out"), "{err}");

    for bad in ["/etc/passwd", "src/../../x", MANIFEST_FILE] {
        std::fs::write(
            templates.path().join("README.md.jinja"),
            format!("{{% set output_path = \"{bad}\" %}}x"),
        )
        .unwrap();
        assert!(
            generate(&compile(&orders_dir(), &files), &files, &opts).is_err(),
            "{bad} accepted"
        );
    }
}

#[test]
fn refuses_a_tampered_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let gen = dir.path().join("gen");
    let krate = generate_orders(&GenerateOptions::default());
    writer::write(&krate, &gen).unwrap();
    std::fs::write(gen.join(MANIFEST_FILE), "../outside.txt\n").unwrap();
    let err = writer::write(&krate, &gen).unwrap_err();
    assert!(err.message().contains("escapes --out"), "{err}");
}

#[test]
fn template_dir_overrides_by_name_and_adds_templates() {
    let templates = tempfile::tempdir().unwrap();
    std::fs::write(
        templates.path().join("README.md.jinja"),
        "# {{ crate.name }}\n{% for s in services %}{% for m in s.methods %}{{ m.name }} {{ m.kind }}\n{% endfor %}{% endfor %}",
    )
    .unwrap();
    std::fs::create_dir_all(templates.path().join("docs")).unwrap();
    std::fs::write(
        templates.path().join("docs/packages.txt.jinja"),
        "{{ packages | map(attribute=\"name\") | join(\" \") }}\n",
    )
    .unwrap();
    let opts = GenerateOptions {
        template_dir: Some(templates.path().to_path_buf()),
        crate_name: Some("orders-api".into()),
        ..Default::default()
    };
    let krate = generate_orders(&opts);
    assert_eq!(
        text(&krate.files["README.md"]),
        "# orders-api\nGetOrder unary\nListOrders server_streaming\nUploadOrders client_streaming\n\
         TrackOrders bidi_streaming\nPing unary\n"
    );
    assert_eq!(
        text(&krate.files["docs/packages.txt"]),
        "common.v1 orders.v1\n"
    );
    // The others stay embedded.
    assert!(text(&krate.files["Cargo.toml"]).contains("name = \"orders-api\""));
}

#[test]
fn template_errors_name_the_template() {
    let templates = tempfile::tempdir().unwrap();
    std::fs::write(
        templates.path().join("lib.rs.jinja"),
        "{{ crate.no_such_field }}",
    )
    .unwrap();
    let opts = GenerateOptions {
        template_dir: Some(templates.path().to_path_buf()),
        ..Default::default()
    };
    let files = proto_files(&orders_dir(), &["common", "orders"], true);
    let err = generate(&compile(&orders_dir(), &files), &files, &opts).unwrap_err();
    assert!(
        err.message().starts_with("template `lib.rs.jinja` line 1"),
        "{err}"
    );
}

#[test]
fn bad_crate_name_is_an_error() {
    let files = proto_files(&orders_dir(), &["common", "orders"], true);
    let opts = GenerateOptions {
        crate_name: Some("../evil".into()),
        ..Default::default()
    };
    let err = generate(&compile(&orders_dir(), &files), &files, &opts).unwrap_err();
    assert!(err.message().contains("not a valid crate name"), "{err}");
}

#[test]
fn garbage_input_is_an_error_not_a_panic() {
    let err = generate(
        b"\xff\xff\xff",
        &["x.proto".to_string()],
        &GenerateOptions::default(),
    )
    .unwrap_err();
    assert!(err.message().contains("FileDescriptorSet"), "{err}");
    let files = proto_files(&orders_dir(), &["common", "orders"], true);
    let fds = compile(&orders_dir(), &files);
    let err = generate(
        &fds,
        &["missing.proto".to_string()],
        &GenerateOptions::default(),
    )
    .unwrap_err();
    assert!(err.message().contains("missing.proto"), "{err}");
}

// ---- buf.gen.yaml ----

fn write_buf_gen(dir: &Path, yaml: &str) {
    std::fs::write(dir.join("buf.gen.yaml"), yaml).unwrap();
}

#[test]
fn buf_gen_yaml_drives_generation() {
    let dir = tempfile::tempdir().unwrap();
    write_buf_gen(
        dir.path(),
        &format!(
            "version: v2\n\
             plugins:\n\
             \x20 - remote: buf.build/community/neoeinstein-prost:v0.4.0\n\
             \x20   out: out/src\n\
             \x20   opt:\n\
             \x20     - type_attribute=.orders.v1.OrderRef=#[derive(Eq, PartialOrd)]\n\
             \x20     - btree_map=.\n\
             \x20 - remote: buf.build/community/neoeinstein-tonic:v0.4.1\n\
             \x20   out: out/src\n\
             \x20   opt: no_server\n\
             \x20 - local: protoc-gen-prost-crate\n\
             \x20   out: out\n\
             inputs:\n\
             \x20 - directory: {}\n",
            orders_arg()
        ),
    );
    let out = protoforge(dir.path(), &["generate"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let code = std::fs::read_to_string(dir.path().join("out/src/orders.v1.rs")).unwrap();
    assert!(
        code.contains("#[derive(Eq, PartialOrd)]"),
        "type_attribute applied"
    );
    assert!(
        code.contains("::prost::alloc::collections::BTreeMap"),
        "btree_map applied"
    );
    assert!(
        code.contains("order_service_client") && !code.contains("order_service_server"),
        "no_server"
    );
    let cargo = std::fs::read_to_string(dir.path().join("out/Cargo.toml")).unwrap();
    assert!(cargo.contains("default = [\"client\"]"), "{cargo}");
}

#[test]
fn buf_gen_yaml_refuses_other_plugins() {
    let dir = tempfile::tempdir().unwrap();
    write_buf_gen(dir.path(), "version: v2\nplugins:\n  - remote: buf.build/community/neoeinstein-prost\n    out: gen\n  - remote: buf.build/grpc/go:v1.5.1\n    out: gen/go\n");
    let out = protoforge(dir.path(), &["generate", &orders_arg()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("plugin `buf.build/grpc/go:v1.5.1` is not supported"),
        "{stderr}"
    );
    assert!(stderr.contains("runs no external plugins"), "{stderr}");
    assert!(stderr.contains("buf.gen.yaml:5:13"), "{stderr}");
    assert!(!dir.path().join("gen").exists());

    let err = buf_gen::parse(
        "buf.gen.yaml",
        "version: v2\nplugins:\n  - local: [cargo, run, --bin, protoc-gen-prost]\n    out: gen\n",
    )
    .unwrap_err();
    assert!(err.message().contains("is not supported"), "{err}");
    let err = buf_gen::parse(
        "buf.gen.yaml",
        "version: v2\nplugins:\n  - protoc_builtin: cpp\n    out: gen\n",
    )
    .unwrap_err();
    assert!(err.message().contains("`cpp` is not supported"), "{err}");
}

#[test]
fn buf_gen_yaml_unknown_keys_and_options_name_the_position() {
    let err = buf_gen::parse("buf.gen.yaml", "version: v2\nplugins:\n  - remote: buf.build/community/neoeinstein-prost\n    out: gen\n    outt: x\n")
        .unwrap_err();
    assert_eq!(
        err.position(),
        Some(("buf.gen.yaml".to_string(), 5, 5)),
        "{err}"
    );
    assert!(err.message().contains("unknown field `outt`"), "{err}");

    let err =
        buf_gen::parse("buf.gen.yaml", "version: v2\ncleen: true\nplugins: []\n").unwrap_err();
    assert_eq!(
        err.position(),
        Some(("buf.gen.yaml".to_string(), 2, 1)),
        "{err}"
    );

    let err = buf_gen::parse(
        "buf.gen.yaml",
        "version: v2\nplugins:\n  - remote: buf.build/community/neoeinstein-prost\n    out: gen\n    opt: [compile_well_known_types, frobnicate]\n",
    )
    .unwrap_err();
    assert!(err.message().contains("option `frobnicate`"), "{err}");
    assert_eq!(
        err.position(),
        Some(("buf.gen.yaml".to_string(), 5, 37)),
        "{err}"
    );

    let err = buf_gen::parse("buf.gen.yaml", "version: v1\nplugins: []\n").unwrap_err();
    assert!(err.message().contains("only v2"), "{err}");
}

#[test]
fn buf_gen_yaml_options_map_to_generator_options() {
    let cfg = buf_gen::parse(
        "buf.gen.yaml",
        "version: v2\nplugins:\n\
         \x20 - local: protoc-gen-prost\n    out: gen/src\n    include_imports: true\n\
         \x20   opt: compile_well_known_types,extern_path=.common.v1=::common_types,field_attribute=.orders.v1.Order.id=#[doc = \"a\\,b\"]\n\
         \x20 - local: /usr/local/bin/protoc-gen-tonic\n    out: gen/src\n    opt: [no_client, no_transport]\n\
         inputs:\n  - git_repo: https://example.com/protos.git\n    branch: main\n    subdir: proto\n    paths: [orders]\n",
    )
    .unwrap();
    assert_eq!(
        cfg.out,
        PathBuf::from("gen"),
        "no crate plugin: the parent of `src`"
    );
    let o = &cfg.options;
    assert!(o.compile_well_known_types && o.include_imports);
    assert_eq!(
        o.extern_paths,
        [(".common.v1".to_string(), "::common_types".to_string())]
    );
    assert_eq!(
        o.field_attributes,
        [(
            ".orders.v1.Order.id".to_string(),
            "#[doc = \"a,b\"]".to_string()
        )]
    );
    assert!(!o.client && o.server && !o.transport);
    let input = cfg.input.unwrap();
    assert_eq!(
        input.input,
        "https://example.com/protos.git#branch=main,subdir=proto"
    );
    assert_eq!(input.paths, ["orders"]);
}

#[test]
fn example_workspace_matches_the_fixture() {
    let example = repo_root().join("examples/orders");
    let fixture = orders_dir();
    let protos = proto_files(&fixture, &["common", "orders"], true);
    assert_eq!(
        proto_files(&example.join("proto"), &["common", "orders"], true),
        protos
    );
    for p in &protos {
        assert_eq!(
            std::fs::read_to_string(example.join("proto").join(p)).unwrap(),
            std::fs::read_to_string(fixture.join(p)).unwrap(),
            "examples/orders/proto/{p} differs from testdata/generate/orders/{p}"
        );
    }
    let cfg = buf_gen::load(&example)
        .unwrap()
        .expect("examples/orders/buf.gen.yaml");
    assert_eq!(cfg.input.map(|i| i.input).as_deref(), Some("proto"));
}

#[test]
fn pinned_runtime_versions_match_our_lockfile() {
    let lock = std::fs::read_to_string(repo_root().join("Cargo.lock")).unwrap();
    for (krate, want) in [
        ("prost", protoforge::generate::context::PROST_VERSION),
        ("tonic-build", protoforge::generate::context::TONIC_VERSION),
    ] {
        let needle = format!("name = \"{krate}\"\nversion = \"{want}.");
        assert!(
            lock.contains(&needle),
            "Cargo.lock has no {krate} {want}.x: update context.rs"
        );
    }
}

#[test]
fn custom_options_reach_the_templates_through_the_cli() {
    let templates = tempfile::tempdir().unwrap();
    std::fs::write(
        templates.path().join("routes.txt.jinja"),
        "{% for s in services %}{% for m in s.methods %}{{ m.path }} {{ m.options[\"[opts.v1.route]\"] }} deprecated={{ m.deprecated }}\n{% endfor %}{% endfor %}",
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = repo_root().join("testdata/generate/options");
    let out = protoforge(
        dir.path(),
        &[
            "generate",
            input.to_str().unwrap(),
            "-o",
            "gen",
            "--template-dir",
            templates.path().to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("gen/routes.txt")).unwrap(),
        "/opts.v1.Routed/Get /v1/things/{id} deprecated=True\n"
    );
}

#[test]
fn compile_errors_exit_100_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("proto")).unwrap();
    std::fs::write(
        dir.path().join("proto/bad.proto"),
        "syntax = \"proto3\";\nmessage {\n",
    )
    .unwrap();
    let out = protoforge(dir.path(), &["generate", "proto", "-o", "gen"]);
    assert_eq!(out.status.code(), Some(100), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("bad.proto"),
        "{}",
        text(&out.stderr)
    );
    assert!(!dir.path().join("gen").exists());
}

#[test]
fn example_workspace_generates_and_checks_clean() {
    let dir = tempfile::tempdir().unwrap();
    let example = repo_root().join("examples/orders");
    for f in ["buf.yaml", "buf.gen.yaml"] {
        std::fs::copy(example.join(f), dir.path().join(f)).unwrap();
    }
    for p in proto_files(&example.join("proto"), &["common", "orders"], true) {
        let to = dir.path().join("proto").join(&p);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(example.join("proto").join(&p), to).unwrap();
    }
    let out = protoforge(dir.path(), &["generate"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let code = std::fs::read_to_string(dir.path().join("gen/src/orders.v1.rs")).unwrap();
    assert!(
        code.contains("#[allow(clippy::enum_variant_names)]"),
        "buf.gen.yaml opt applied"
    );
    let out = protoforge(dir.path(), &["generate", "--check"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}

#[test]
fn no_skeleton_without_servers() {
    let opts = GenerateOptions {
        skeleton: true,
        server: false,
        ..Default::default()
    };
    assert!(generate_orders(&opts).write_once.is_empty());
}

#[test]
fn descriptor_set_constant_keeps_custom_options() {
    let root = repo_root().join("testdata/generate/options");
    let files = vec!["opts/v1/routes.proto".to_string()];
    let fds = compile(&root, &files);
    let krate = generate(&fds, &files, &GenerateOptions::default()).unwrap();
    let set = &krate.files["src/file_descriptor_set.bin"];
    let pool = prost_reflect::DescriptorPool::decode(set.as_slice()).unwrap();
    let method = pool
        .get_service_by_name("opts.v1.Routed")
        .unwrap()
        .methods()
        .next()
        .unwrap();
    let route = pool.get_extension_by_name("opts.v1.route").unwrap();
    let options = method.options();
    assert_eq!(
        options.get_extension(&route).as_str(),
        Some("/v1/things/{id}")
    );
}

#[test]
fn include_imports_generates_unreferenced_imports_too() {
    let root = repo_root().join("testdata/generate/imports");
    let dir = tempfile::tempdir().unwrap();
    let root_arg = root.to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["generate", root_arg, "-o", "gen", "--path", "app"];
        args.extend_from_slice(extra);
        let out = protoforge(dir.path(), &args);
        assert!(out.status.success(), "{}", text(&out.stderr));
        tree(&dir.path().join("gen"))
    };
    let plain = run(&[]);
    assert!(plain.contains_key("src/app.v1.rs") && !plain.contains_key("src/lib.v1.rs"));
    let with_imports = run(&["--include-imports"]);
    assert!(
        with_imports.contains_key("src/lib.v1.rs"),
        "{:?}",
        with_imports.keys()
    );
    // And back: the import's module is ours, so it is removed again.
    assert!(!run(&[]).contains_key("src/lib.v1.rs"));
}

/// The example overrides in docs/generate.md stay valid templates.
#[test]
fn documented_template_examples_render() {
    let doc = std::fs::read_to_string(repo_root().join("docs/generate.md")).unwrap();
    let blocks: Vec<&str> = doc
        .split("```jinja\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap())
        .collect();
    assert_eq!(
        blocks.len(),
        2,
        "docs/generate.md has two template examples"
    );
    let templates = tempfile::tempdir().unwrap();
    std::fs::write(templates.path().join("README.md.jinja"), blocks[0]).unwrap();
    std::fs::create_dir_all(templates.path().join("src")).unwrap();
    std::fs::write(templates.path().join("src/services.rs.jinja"), blocks[1]).unwrap();
    let opts = GenerateOptions {
        template_dir: Some(templates.path().to_path_buf()),
        ..Default::default()
    };
    let krate = generate_orders(&opts);
    let readme = text(&krate.files["README.md"]);
    assert!(readme.contains("- `GetOrder` (unary)"), "{readme}");
    let services = text(&krate.files["src/services.rs"]);
    assert!(
        services.contains("pub const GET_ORDER: &str = \"/orders.v1.OrderService/GetOrder\";"),
        "{services}"
    );
}

#[cfg(unix)]
#[test]
fn refuses_to_write_through_symlinks() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let gen = dir.path().join("gen");
    std::fs::create_dir_all(&gen).unwrap();
    std::os::unix::fs::symlink(&elsewhere, gen.join("src")).unwrap();
    let err = writer::write(&generate_orders(&GenerateOptions::default()), &gen).unwrap_err();
    assert!(err.message().contains("symbolic link"), "{err}");
    assert_eq!(
        std::fs::read_dir(&elsewhere).unwrap().count(),
        0,
        "nothing written through the link"
    );
}

/// Editions files generate the code of the proto2/proto3 files they were migrated from
/// (prototiller-style, same behaviour): presence, packing, groups, required, defaults.
#[test]
fn editions_generate_like_the_files_they_were_migrated_from() {
    let code = |dir: &str, module: &str| {
        let (fds, targets) = compile_with_protoforge(&repo_root().join(dir));
        let krate = generate(&fds, &targets, &GenerateOptions::default()).unwrap();
        text(&krate.files[&format!("src/{module}.rs")])
    };
    let proto3 = code("testdata/editions/migration/proto3", "mig.v1");
    let editions = code("testdata/editions/migration/editions_faithful", "mig.v1");
    assert_eq!(proto3, editions);
    // Implicit presence is a plain field, explicit (`optional`) an Option.
    assert!(
        proto3.contains("pub a: ::prost::alloc::string::String,"),
        "{proto3}"
    );
    assert!(
        proto3.contains("#[prost(int32, optional, tag = \"2\")]"),
        "{proto3}"
    );
    assert!(proto3.contains("#[prost(int32, repeated, packed = \"false\", tag = \"6\")]"));

    let proto2 = code("testdata/editions/migration_proto2/proto2", "mig2.v1");
    let editions = code("testdata/editions/migration_proto2/editions", "mig2.v1");
    assert_eq!(proto2, editions);
    for line in [
        "#[prost(string, required, tag = \"2\")]",
        "#[prost(int32, repeated, packed = \"false\", tag = \"3\")]",
        "#[prost(int32, repeated, tag = \"4\")]",
        "#[prost(enumeration = \"E\", optional, tag = \"5\", default = \"Two\")]",
        "#[prost(group, optional, tag = \"6\")]",
        "#[prost(group, repeated, tag = \"7\")]",
    ] {
        assert!(proto2.contains(line), "missing {line}:\n{proto2}");
    }
}

/// Features at every level decide field types and encodings (the build test encodes them).
#[test]
fn editions_features_shape_the_generated_code() {
    let krate = generate_editions();
    let code = text(&krate.files["src/feat.v1.rs"]);
    insta::assert_snapshot!("editions_feat_v1", code);
    assert_eq!(krate, generate_editions(), "deterministic");
    // The embedded descriptor set keeps the editions form (`syntax = "editions"`).
    use prost::Message;
    let set = prost_types::FileDescriptorSet::decode(
        krate.files["src/file_descriptor_set.bin"].as_slice(),
    )
    .unwrap();
    let scalars = set
        .file
        .iter()
        .find(|f| f.name() == "feat/v1/scalars.proto")
        .unwrap();
    assert_eq!(scalars.syntax(), "editions");
    assert!(
        scalars.message_type[0].oneof_decl.len() == 1,
        "no synthetic oneofs"
    );
}

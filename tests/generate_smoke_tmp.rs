use protoforge::generate::{generate, GenerateOptions};
#[test]
fn smoke() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/generate/orders");
    let files = ["common/v1/money.proto","common/v1/audit.proto","orders/v1/order_ref.proto","orders/v1/orders.proto"];
    let mut c = protox::Compiler::new([root]).unwrap();
    c.include_imports(true).include_source_info(true);
    c.open_files(files).unwrap();
    let fds = c.encode_file_descriptor_set();
    let targets: Vec<String> = files.iter().map(|s| s.to_string()).collect();
    let mut o = GenerateOptions::default(); o.skeleton = true;
    let k = generate(&fds, &targets, &o).unwrap();
    let out = std::path::Path::new("/tmp/pf-smoke");
    let _ = std::fs::remove_dir_all(out);
    protoforge::generate::writer::write(&k, out).unwrap();
}

//! The compile front end (pre-checks, protox, editions, duplicates, linking) on one file: any
//! bytes give an image or compile findings, never a panic.
#![no_main]
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use protoforge::config::{parse_buf_yaml, WorkspaceConfig};
use protoforge::input::Snapshot;
use protoforge::workspace::{TargetFilter, Workspace};

fuzz_target!(|data: &[u8]| {
    // On the large stack the commands use.
    let data = data.to_vec();
    protoforge::limits::with_large_stack(move || compile(&data));
});

fn compile(data: &[u8]) {
    let mut snapshot = Snapshot::default();
    snapshot.files.insert("a.proto".to_string(), Arc::from(data));
    let yaml = parse_buf_yaml("buf.yaml", "version: v2\n").expect("buf.yaml");
    let config = WorkspaceConfig {
        modules: yaml.modules,
        ..WorkspaceConfig::default()
    };
    let Ok(workspace) = Workspace::new(&snapshot, config, &TargetFilter::default()) else {
        return;
    };
    let _ = protoforge::compile::compile(&workspace, &[]);
}

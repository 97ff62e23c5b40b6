//! Placeholder until the buf.yaml reader lands: one module at the root with default rules.

use super::{ModuleSpec, WorkspaceConfig};
use crate::input::Snapshot;
use crate::Result;

pub fn load(_snapshot: &Snapshot, _config_override: Option<&str>) -> Result<WorkspaceConfig> {
    Ok(WorkspaceConfig {
        file: None,
        version: Default::default(),
        modules: vec![ModuleSpec::default()],
    })
}

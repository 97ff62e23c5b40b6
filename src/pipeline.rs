//! The shared front half of every command: input -> config -> workspace -> compile.

use std::path::Path;

use crate::cli::InputArgs;
use crate::compile::{self, Compiled};
use crate::config;
use crate::input::{self, Loaded, Snapshot};
use crate::workspace::{TargetFilter, Workspace};
use crate::Result;

/// An input, read and compiled.
#[derive(Debug)]
pub struct Built {
    /// The sources and their modules (`None` for image inputs).
    pub workspace: Option<Workspace>,
    pub snapshot: Option<Snapshot>,
    pub compiled: Compiled,
}

/// Reads an input (as named on the command line) and compiles it.
pub fn build(args: &InputArgs, cwd: &Path) -> Result<Built> {
    build_with_config(&args.input, args, args.config.as_deref(), cwd)
}

/// Like [`build`], for another input (e.g. `--against`) with its own config override.
pub fn build_with_config(
    input: &str,
    args: &InputArgs,
    config_override: Option<&str>,
    cwd: &Path,
) -> Result<Built> {
    let includes = compile::include_roots(&args.includes);
    match input::load(input, cwd)? {
        Loaded::Image(set) => {
            let bytes = prost::Message::encode_to_vec(&set);
            let mut image = compile::image_from_bytes(&bytes, input)?;
            let filter = TargetFilter {
                paths: args.paths.clone(),
                exclude_paths: args.exclude_paths.clone(),
            };
            for f in &mut image.files {
                if !filter.matches(&f.root_path) {
                    f.is_import = true;
                }
            }
            Ok(Built {
                workspace: None,
                snapshot: None,
                compiled: Compiled::Image(image),
            })
        }
        Loaded::Sources(snapshot) => {
            let config = config::load(&snapshot, config_override)?;
            let filter = TargetFilter {
                paths: args.paths.iter().map(|p| normalize(p)).collect(),
                exclude_paths: args.exclude_paths.iter().map(|p| normalize(p)).collect(),
            };
            let workspace = Workspace::new(&snapshot, config, &filter)?;
            let compiled = compile::compile(&workspace, &includes)?;
            Ok(Built {
                workspace: Some(workspace),
                snapshot: Some(snapshot),
                compiled,
            })
        }
    }
}

/// `./a/b/` -> `a/b`.
fn normalize(path: &str) -> String {
    let p = path.trim_start_matches("./").trim_end_matches('/');
    if p.is_empty() {
        ".".to_string()
    } else {
        p.to_string()
    }
}

//! `protoforge dep ls`: the modules buf.lock pins, as resolved from buf's module cache
//! ([`crate::deps`]), or (`--imports`) every file the input imports and where it came from: a
//! pinned module at a commit, an `-I` root, or the well-known types.

use crate::cli::{DepCommand, DepLsArgs};
use crate::commands::{current_dir, emit_findings, Outcome};
use crate::compile::{self, Compiled};
use crate::pipeline;
use crate::{Error, Result};

pub fn run(cmd: DepCommand) -> Result<Outcome> {
    match cmd {
        DepCommand::Ls(args) => ls(args),
    }
}

fn ls(args: DepLsArgs) -> Result<Outcome> {
    let json = match args.format.as_str() {
        "text" => false,
        "json" => true,
        other => {
            return Err(Error::new(format!("--format {other:?}: unknown format"))
                .with_help("use text or json"))
        }
    };
    if args.imports {
        return imports(&args, json);
    }
    let cwd = current_dir()?;
    let workspace = match pipeline::load(
        &args.input.input,
        &args.input,
        args.input.config.as_deref(),
        &cwd,
    )? {
        pipeline::Loaded::Sources { workspace, .. } => workspace,
        pipeline::Loaded::Image(_) => return Err(image_input(&args.input.input)),
    };
    let deps = &workspace.deps;
    // (pin, buf.lock, where in the cache, .proto files, status, the text column)
    let listed = deps
        .modules
        .iter()
        .map(|m| {
            let files = format!(
                "{} .proto file{} in {}",
                m.proto_count,
                if m.proto_count == 1 { "" } else { "s" },
                m.files_shown
            );
            (
                &m.pin,
                &m.lock_file,
                &m.files_shown,
                m.proto_count,
                "verified".to_string(),
                files,
            )
        })
        .chain(deps.missing.iter().map(|m| {
            let status = format!("missing: {}", m.problem);
            let text = format!("MISSING: {} {}", m.entry, m.problem);
            (&m.pin, &m.lock_file, &m.entry, 0, status, text)
        }));
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut out = String::new();
    for (pin, lock_file, cache_path, proto_files, status, text) in listed {
        if json {
            out.push_str(&format!(
                "{}\n",
                serde_json::json!({
                    "module": pin.name, "commit": pin.commit, "digest": pin.digest,
                    "lock_file": lock_file, "cache_path": cache_path, "proto_files": proto_files,
                    "status": status,
                })
            ));
        } else {
            rows.push(vec![
                pin.name.clone(),
                pin.commit.clone(),
                pin.digest.clone(),
                text,
            ]);
        }
    }
    if !json {
        out.push_str(&columns(&rows));
        if !deps.unlocked.is_empty() {
            out.push_str(&format!(
                "buf.yaml declares {} but there is no buf.lock (looked for {}): run `buf dep update` once with network access\n",
                deps.unlocked.join(", "),
                deps.lock_files.join(", ")
            ));
        } else if deps.modules.is_empty() && deps.missing.is_empty() {
            out.push_str("no registry dependencies (no buf.lock pins a module)\n");
        }
    }
    crate::commands::out(&out);
    Ok(Outcome::Clean)
}

/// `--imports`: compiles the input and lists each imported file with its origin.
fn imports(args: &DepLsArgs, json: bool) -> Result<Outcome> {
    let cwd = current_dir()?;
    let built = pipeline::build(&args.input, &cwd)?;
    let image = match &built.compiled {
        Compiled::Errors(findings) => {
            emit_findings(findings, None, true, "dep ls", built.snapshot.as_ref());
            return Ok(Outcome::Findings);
        }
        Compiled::Image(image) => image,
    };
    let Some(workspace) = built.workspace.as_ref() else {
        return Err(image_input(&args.input.input));
    };
    let roots = compile::include_roots(&args.input.includes);
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut out = String::new();
    let mut files: Vec<_> = image
        .files
        .iter()
        .filter(|f| f.is_import && f.module.is_none())
        .collect();
    files.sort_by(|a, b| a.name().cmp(b.name()));
    for f in files {
        let name = f.name();
        // The same order the compiler looks in: -I roots, then buf.lock's modules, then the
        // well-known types.
        let root = roots.iter().find(|r| r.join(name).is_file());
        let (origin, module, commit) = match (root, workspace.deps.file(name)) {
            (Some(root), _) => (
                format!("-I {}", root.display()),
                String::new(),
                String::new(),
            ),
            (None, Some((m, _))) => (
                workspace.deps.local_path(name).unwrap_or_default(),
                m.pin.name.clone(),
                m.pin.commit.clone(),
            ),
            (None, None) => ("well-known type".to_string(), String::new(), String::new()),
        };
        if json {
            out.push_str(&format!(
                "{}\n",
                serde_json::json!({"import_path": name, "module": module, "commit": commit, "from": origin})
            ));
        } else {
            let module = if module.is_empty() {
                origin
            } else {
                format!("{module}:{commit}")
            };
            rows.push(vec![name.to_string(), module]);
        }
    }
    if !json {
        out.push_str(&columns(&rows));
    }
    crate::commands::out(&out);
    Ok(Outcome::Clean)
}

fn image_input(input: &str) -> Error {
    Error::new(format!("input {input:?} is an image: it has no buf.lock"))
        .with_help("give the directory (or git ref, or archive) the image was built from")
}

/// Rows as left-aligned columns, two spaces apart (the last column is not padded).
fn columns(rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..rows.first().map_or(0, Vec::len))
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        let last = row.len() - 1;
        for (i, cell) in row.iter().enumerate() {
            if i == last {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<width$}  ", width = widths[i]));
            }
        }
        out.push('\n');
    }
    out
}

//! The crate templates: embedded from `templates/`, overridable by name from `--template-dir`.
//!
//! Every template renders to one file. Its output path defaults to the table below (extra
//! templates from `--template-dir`: their path in that directory without `.jinja`); a template can
//! set another with `{% set output_path = "..." %}` at top level, or `""` to write nothing. Output
//! paths must stay under `--out`.

use std::collections::BTreeMap;
use std::path::Path;

use minijinja::{Environment, UndefinedBehavior, Value};

use super::context::Context;
use super::validate_relative_path;
use crate::{Error, Result};

/// One embedded template: name, source, default output path, written once (never overwritten).
struct Builtin {
    name: &'static str,
    source: &'static str,
    output: &'static str,
    write_once: bool,
    /// Rendered only with `--skeleton`.
    skeleton: bool,
}

const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "Cargo.toml.jinja",
        source: include_str!("../../templates/Cargo.toml.jinja"),
        output: "Cargo.toml",
        write_once: false,
        skeleton: false,
    },
    Builtin {
        name: "lib.rs.jinja",
        source: include_str!("../../templates/lib.rs.jinja"),
        output: "src/lib.rs",
        write_once: false,
        skeleton: false,
    },
    Builtin {
        name: "README.md.jinja",
        source: include_str!("../../templates/README.md.jinja"),
        output: "README.md",
        write_once: false,
        skeleton: false,
    },
    Builtin {
        name: "server.rs.jinja",
        source: include_str!("../../templates/server.rs.jinja"),
        output: "examples/server.rs",
        write_once: true,
        skeleton: true,
    },
];

/// Names of the embedded templates, for docs and errors.
pub fn builtin_names() -> Vec<&'static str> {
    BUILTINS.iter().map(|b| b.name).collect()
}

/// The embedded source of a template, by name.
pub fn builtin_source(name: &str) -> Option<&'static str> {
    BUILTINS.iter().find(|b| b.name == name).map(|b| b.source)
}

struct Entry {
    output: String,
    write_once: bool,
    skeleton: bool,
}

/// The template set of one run.
pub struct Templates {
    env: Environment<'static>,
    entries: BTreeMap<String, Entry>,
}

/// A rendered template.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub template: String,
    pub path: String,
    pub contents: String,
    pub write_once: bool,
}

impl Templates {
    /// The embedded templates, each replaced by `<dir>/<name>` when that file exists; other
    /// `*.jinja` files of `dir` (recursively) are extra templates.
    pub fn load(dir: Option<&Path>) -> Result<Templates> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_keep_trailing_newline(true);
        env.add_filter("doc", doc_filter);
        env.add_filter("rust_string", |s: String| format!("{s:?}"));

        let mut sources: BTreeMap<String, (String, Entry)> = BTreeMap::new();
        for b in BUILTINS {
            sources.insert(
                b.name.to_string(),
                (
                    b.source.to_string(),
                    Entry {
                        output: b.output.to_string(),
                        write_once: b.write_once,
                        skeleton: b.skeleton,
                    },
                ),
            );
        }
        if let Some(dir) = dir {
            let meta = std::fs::metadata(dir).map_err(|e| Error::io(dir.display(), e))?;
            if !meta.is_dir() {
                return Err(Error::new(format!(
                    "--template-dir {} is not a directory",
                    dir.display()
                )));
            }
            for (name, path) in list_templates(dir)? {
                let source =
                    std::fs::read_to_string(&path).map_err(|e| Error::io(path.display(), e))?;
                match sources.get_mut(&name) {
                    Some(existing) => existing.0 = source,
                    None => {
                        let output = name.trim_end_matches(".jinja").to_string();
                        sources.insert(
                            name,
                            (
                                source,
                                Entry {
                                    output,
                                    write_once: false,
                                    skeleton: false,
                                },
                            ),
                        );
                    }
                }
            }
        }
        let mut entries = BTreeMap::new();
        for (name, (source, entry)) in sources {
            env.add_template_owned(name.clone(), source)
                .map_err(|e| template_error(&name, e))?;
            entries.insert(name, entry);
        }
        Ok(Templates { env, entries })
    }

    /// Renders every template (skeleton ones only when asked), sorted by name.
    pub fn render_all(&self, ctx: &Context, skeleton: bool) -> Result<Vec<Rendered>> {
        let value = Value::from_serialize(ctx);
        let mut out = Vec::new();
        for (name, entry) in &self.entries {
            if entry.skeleton && !skeleton {
                continue;
            }
            let template = self
                .env
                .get_template(name)
                .map_err(|e| template_error(name, e))?;
            let captured = template
                .render_captured(value.clone())
                .map_err(|e| template_error(name, e))?;
            let path = match captured.state().lookup("output_path") {
                Some(v) if !v.is_undefined() => match v.as_str() {
                    Some(s) => s.to_string(),
                    None => {
                        return Err(Error::new(format!(
                            "template `{name}` sets `output_path` to a non-string"
                        )))
                    }
                },
                _ => entry.output.clone(),
            };
            let contents = captured.into_output();
            if path.is_empty() {
                continue;
            }
            validate_relative_path(&path).map_err(|e| {
                Error::new(format!("template `{name}`: {}", e.message()))
                    .with_help("set `output_path` to a path relative to --out, without `..`")
            })?;
            out.push(Rendered {
                template: name.clone(),
                path,
                contents,
                write_once: entry.write_once,
            });
        }
        Ok(out)
    }
}

/// `*.jinja` files under `dir`, by path relative to it (`/`-separated), sorted.
fn list_templates(dir: &Path) -> Result<Vec<(String, std::path::PathBuf)>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| Error::io(d.display(), e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(d.display(), e))?;
            let path = entry.path();
            let ft = entry
                .file_type()
                .map_err(|e| Error::io(path.display(), e))?;
            if ft.is_dir() {
                stack.push(path);
            } else if ft.is_file() && path.extension().is_some_and(|e| e == "jinja") {
                let rel = path.strip_prefix(dir).unwrap_or(&path);
                let name: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.push((name.join("/"), path));
            }
        }
    }
    out.sort();
    Ok(out)
}

fn template_error(name: &str, err: minijinja::Error) -> Error {
    let mut msg = format!("template `{name}`");
    if let Some(line) = err.line() {
        msg.push_str(&format!(" line {line}"));
    }
    msg.push_str(&format!(": {}", err.kind()));
    if let Some(detail) = err.detail() {
        msg.push_str(&format!(": {detail}"));
    }
    Error::new(msg).with_help("the template context is documented in docs/generate.md")
}

/// `{{ text | doc("    ") }}`: a proto comment as Rust `///` lines with the given indentation
/// (empty for empty text).
fn doc_filter(text: String, indent: Option<String>) -> String {
    let indent = indent.unwrap_or_default();
    let mut out = String::new();
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            out.push_str(&format!("{indent}///\n"));
        } else {
            out.push_str(&format!(
                "{indent}/// {}\n",
                line.strip_prefix(' ').unwrap_or(line)
            ));
        }
    }
    out
}

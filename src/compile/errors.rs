//! protox errors -> `COMPILE` findings (path, 1-based line/column from the first label, message).

use std::collections::BTreeSet;

use miette::Diagnostic;

use crate::check::{Finding, Span};
use crate::workspace::Workspace;

/// Returned for an import of a workspace file that failed to parse: its parse error is already
/// reported, so this one is dropped instead of becoming a second finding.
#[derive(Debug)]
pub struct ImportFailedToParse(pub String);

impl std::fmt::Display for ImportFailedToParse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{IMPORT_FAILED_MARKER}{}", self.0)
    }
}

impl std::error::Error for ImportFailedToParse {}

const IMPORT_FAILED_MARKER: &str = "imported file failed to parse: ";

/// A dependency file (buf.lock, buf's module cache) that is not UTF-8 text.
#[derive(Debug)]
pub struct DependencyNotUtf8 {
    pub file: String,
    pub module: String,
}

impl std::fmt::Display for DependencyNotUtf8 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} (from the dependency {}) is not valid UTF-8; .proto files must be UTF-8",
            self.file, self.module
        )
    }
}

impl std::error::Error for DependencyNotUtf8 {}

/// Registry dependencies a missing import most likely comes from, by import path prefix.
const KNOWN_DEPS: &[(&str, &str)] = &[
    ("google/api/", "buf.build/googleapis/googleapis"),
    ("google/type/", "buf.build/googleapis/googleapis"),
    ("google/rpc/", "buf.build/googleapis/googleapis"),
    ("google/longrunning/", "buf.build/googleapis/googleapis"),
    ("google/cloud/", "buf.build/googleapis/googleapis"),
    ("google/iam/", "buf.build/googleapis/googleapis"),
    ("google/geo/", "buf.build/googleapis/googleapis"),
    ("buf/validate/", "buf.build/bufbuild/protovalidate"),
    ("validate/", "buf.build/envoyproxy/protoc-gen-validate"),
    ("grpc/", "buf.build/grpc/grpc"),
    (
        "protoc-gen-openapiv2/",
        "buf.build/grpc-ecosystem/grpc-gateway",
    ),
    ("opentelemetry/", "buf.build/opentelemetry/opentelemetry"),
    ("envoy/", "buf.build/envoyproxy/envoy"),
];

/// All findings in a protox error (the error itself and its related errors).
pub fn to_findings(err: &protox::Error, workspace: &Workspace) -> Vec<Finding> {
    let mut out = Vec::new();
    collect(err, err.file(), workspace, &mut out);
    out
}

fn collect(
    diag: &dyn Diagnostic,
    file_hint: Option<&str>,
    workspace: &Workspace,
    out: &mut Vec<Finding>,
) {
    let message = diag.to_string();
    let related: Vec<&dyn Diagnostic> = diag.related().map(|r| r.collect()).unwrap_or_default();
    if !message.contains(IMPORT_FAILED_MARKER) {
        let (mut file, mut span) = locate(diag);
        if span.is_none() {
            // Some link errors (e.g. an unknown type inside a map<>, or any error in an editions
            // file, linked without its source) carry no span: fall back to the file the error is
            // about, and the first use of the quoted name in it.
            if let Some(name) = file.clone().or(file_hint.map(str::to_string)) {
                span = workspace
                    .files
                    .get(&name)
                    .and_then(|f| find_quoted_name(&message, &f.text));
                file = Some(name);
            }
        }
        let path = file.map(|name| {
            workspace
                .files
                .get(&name)
                .map(|f| f.external_path.clone())
                .unwrap_or(name)
        });
        let mut finding = Finding::new("COMPILE", path, span, message.clone());
        if let Some(help) = diag.help() {
            finding = finding.with_help(help.to_string());
        } else if let Some(import) = missing_import(&message) {
            finding = finding.with_help(import_help(import, workspace));
        }
        out.push(finding);
    }
    for r in related {
        collect(r, file_hint, workspace, out);
    }
}

/// The span of the first whole-word occurrence (outside comments) of the name quoted in `message`
/// (`name 'Foo' is not defined`).
fn find_quoted_name(message: &str, text: &str) -> Option<Span> {
    // Every quoted name in turn ('type' 'option' 'value'): the first one found in the file wins.
    message
        .split('\'')
        .skip(1)
        .step_by(2)
        .filter(|n| !n.is_empty())
        .find_map(|name| find_word(name, text))
}

fn find_word(name: &str, text: &str) -> Option<Span> {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.';
    for (line_no, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut from = 0;
        while let Some(pos) = code[from..].find(name) {
            let start = from + pos;
            let end = start + name.len();
            let before_ok = !code[..start].chars().next_back().is_some_and(is_word);
            let after_ok = !code[end..].chars().next().is_some_and(is_word);
            if before_ok && after_ok {
                let col = code[..start].chars().count() as u32 + 1;
                return Some(Span {
                    start_line: line_no as u32 + 1,
                    start_column: col,
                    end_line: line_no as u32 + 1,
                    end_column: col + name.chars().count() as u32,
                });
            }
            from = end;
        }
    }
    None
}

/// The file name and span of a diagnostic's label: the second occurrence of a duplicate (a field
/// or enum number used twice, a name defined twice: "defined again here"), where buf places it;
/// else the first label.
fn locate(diag: &dyn Diagnostic) -> (Option<String>, Option<Span>) {
    let Some(source) = diag.source_code() else {
        return (None, None);
    };
    let labels: Vec<_> = diag.labels().map(|l| l.collect()).unwrap_or_default();
    let again = labels
        .iter()
        .find(|l| l.label().is_some_and(|t| t.contains("again")));
    let Some(label) = again.or(labels.first()) else {
        return (None, None);
    };
    let Ok(contents) = source.read_span(label.inner(), 0, 0) else {
        return (None, None);
    };
    let name = contents.name().map(str::to_string);
    // Line/column of the end: count through the span's own text.
    let start_line = contents.line() as u32 + 1;
    let start_column = contents.column() as u32 + 1;
    let text = String::from_utf8_lossy(contents.data());
    let (mut end_line, mut end_column) = (start_line, start_column);
    for ch in text.chars() {
        if ch == '\n' {
            end_line += 1;
            end_column = 1;
        } else {
            end_column += 1;
        }
    }
    (
        name,
        Some(Span {
            start_line,
            start_column,
            end_line,
            end_column,
        }),
    )
}

/// The import paths that were not found, from compile findings: protox's "import 'x' not found",
/// and buf's "imported file does not exist" (placed on the import statement, which names it).
pub fn missing_imports(findings: &[Finding], workspace: &Workspace) -> Vec<String> {
    findings
        .iter()
        .filter_map(|f| {
            if let Some(import) = missing_import(&f.message) {
                return Some(import.to_string());
            }
            if f.message != super::semantic::IMPORT_MISSING {
                return None;
            }
            let path = f.path.as_deref()?;
            let file = workspace.files.values().find(|w| w.external_path == path)?;
            let line = file.text.lines().nth(f.span?.start_line as usize - 1)?;
            let quoted = line.split(['"', '\'']).nth(1)?;
            Some(quoted.to_string())
        })
        .collect()
}

/// The import path of an "import not found" compile error message.
pub fn missing_import(message: &str) -> Option<&str> {
    message
        .strip_prefix("import '")?
        .strip_suffix("' not found")
}

pub(super) fn import_help(import: &str, workspace: &Workspace) -> String {
    let deps: Vec<&str> = workspace
        .modules
        .iter()
        .flat_map(|m| m.deps.iter().map(String::as_str))
        .collect();
    let likely = KNOWN_DEPS
        .iter()
        .find(|(prefix, _)| import.starts_with(prefix))
        .map(|(_, dep)| *dep);
    let pinned = |dep: &str| workspace.deps.modules.iter().any(|m| m.pin.name == dep);
    let belongs = match likely {
        Some(dep) if pinned(dep) => {
            format!("the dependency {dep} (buf.lock) has no such file; ")
        }
        Some(dep) if deps.iter().any(|d| d.starts_with(dep)) => {
            format!("it belongs to the dependency {dep} (listed in buf.yaml `deps`); ")
        }
        Some(dep) => format!("it probably comes from {dep}; "),
        None if !deps.is_empty() => format!(
            "it may come from one of the buf.yaml deps ({}); ",
            deps.join(", ")
        ),
        None => String::new(),
    };
    let hint = workspace
        .deps
        .import_hint()
        .map(|h| format!("{h}; "))
        .unwrap_or_default();
    format!(
        "{belongs}{hint}protoforge reads buf.lock's modules from buf's module cache and never downloads: \
         add the module to buf.yaml `deps` and run `buf dep update` once with network access, or put a directory \
         that contains {import} on the import path with -I DIR (or the PROTOFORGE_INCLUDE list, ':'-separated)"
    )
}

const CYCLE_PREFIX: &str = "import cycle detected: ";

/// Import cycles as buf 1.75 reports them: once per cycle (protox reports it from every file on
/// it), from the first file by path, at an import statement: for the chain `f0 -> f1 -> f2 ...`
/// found from `f0`, the import of `f2` in `f1` (a file importing itself: that import in `f0`).
pub fn place_import_cycles(findings: &mut Vec<Finding>, workspace: &Workspace) {
    let chain = |f: &Finding| -> Option<Vec<String>> {
        let rest = f.message.strip_prefix(CYCLE_PREFIX)?;
        Some(rest.split(" -> ").map(str::to_string).collect())
    };
    let mut cycles: Vec<(usize, Vec<String>)> = findings
        .iter()
        .enumerate()
        .filter_map(|(i, f)| chain(f).map(|c| (i, c)))
        .collect();
    if cycles.is_empty() {
        return;
    }
    cycles.sort_by(|a, b| a.1.cmp(&b.1));
    let mut seen: Vec<BTreeSet<String>> = Vec::new();
    let mut drop = BTreeSet::new();
    for (i, chain) in cycles {
        let Some(last) = chain.last() else { continue };
        let start = chain.iter().position(|f| f == last).unwrap_or(0);
        let members: BTreeSet<String> = chain[start..].iter().cloned().collect();
        if seen.contains(&members) {
            drop.insert(i);
            continue;
        }
        seen.push(members);
        let (file, import) = if chain.len() >= 3 {
            (&chain[1], &chain[2])
        } else if chain.len() == 2 {
            (&chain[0], &chain[1])
        } else {
            continue;
        };
        let Some(wf) = workspace.files.get(file) else {
            continue;
        };
        if let Some(span) = import_statement(&wf.text, import) {
            findings[i].path = Some(wf.external_path.clone());
            findings[i].span = Some(span);
            findings[i].message = format!("detected cyclic import while importing \"{import}\"");
        }
    }
    let mut index = 0;
    findings.retain(|_| {
        index += 1;
        !drop.contains(&(index - 1))
    });
}

/// The span of the statement importing `path` (as buf places an import cycle).
fn import_statement(text: &str, path: &str) -> Option<Span> {
    for (line_no, line) in text.lines().enumerate() {
        let code = line.trim_start();
        let Some(rest) = code.strip_prefix("import") else {
            continue;
        };
        let quoted = rest.contains(&format!("\"{path}\"")) || rest.contains(&format!("'{path}'"));
        if quoted {
            // The whole statement, through its `;` when it is on the line.
            let col = (line.len() - code.len()) as u32 + 1;
            let end = match code.find(';') {
                Some(semicolon) => col + semicolon as u32 + 1,
                None => col + "import".len() as u32,
            };
            return Some(Span {
                start_line: line_no as u32 + 1,
                start_column: col,
                end_line: line_no as u32 + 1,
                end_column: end,
            });
        }
    }
    None
}

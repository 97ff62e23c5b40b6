//! Findings (compile errors, lint findings) as LSP diagnostics: compile errors are errors, lint
//! findings warnings with the rule id as `code` and a link to the rule's documentation, as buf's
//! language server gives them; and, beyond buf, breaking changes against a git ref of the
//! workspace's repository (with the `reserved` fixes of deletions).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use lsp_types as lt;

use super::convert::LineIndex;
use crate::breaking::Policy;
use crate::check::Finding;
use crate::cli::InputArgs;
use crate::compile::Compiled;
use crate::config::{BreakingConfig, ModuleSpec};
use crate::image::{Image, ImageFile};
use crate::workspace::TargetFilter;

/// The diagnostics of `findings` by file (`doc_path` gets `doc_text`'s positions; other files are
/// read from disk for theirs). Findings without a file go to the document.
pub fn to_lsp(
    workspace: &Path,
    doc_path: &Path,
    doc_text: &str,
    findings: &[Finding],
    breaking: &[Finding],
) -> BTreeMap<PathBuf, Vec<lt::Diagnostic>> {
    let mut out: BTreeMap<PathBuf, Vec<lt::Diagnostic>> = BTreeMap::new();
    out.insert(doc_path.to_path_buf(), Vec::new());
    let mut texts: BTreeMap<PathBuf, String> = BTreeMap::new();
    let all = findings
        .iter()
        .map(|f| (f, false))
        .chain(breaking.iter().map(|f| (f, true)));
    for (f, is_breaking) in all {
        let path = f
            .path
            .as_ref()
            .map(|p| workspace.join(p))
            .filter(|p| p.is_file() || p == doc_path)
            .unwrap_or_else(|| doc_path.to_path_buf());
        let text: &str = if path == doc_path {
            doc_text
        } else {
            texts
                .entry(path.clone())
                .or_insert_with(|| std::fs::read_to_string(&path).unwrap_or_default())
        };
        let index = LineIndex::new(text);
        out.entry(path)
            .or_default()
            .push(diagnostic(&index, f, is_breaking));
    }
    out
}

/// One finding as a diagnostic.
pub fn diagnostic(index: &LineIndex, f: &Finding, breaking: bool) -> lt::Diagnostic {
    let range = index.finding_range(f);
    match f.rule.as_str() {
        "COMPILE" | "PROTOFORGE" => lt::Diagnostic {
            range,
            severity: Some(lt::DiagnosticSeverity::ERROR),
            source: Some("protoforge".into()),
            message: f.message.clone(),
            ..Default::default()
        },
        rule => {
            let href = format!(
                "https://buf.build/docs/{}/rules/#{}",
                if breaking { "breaking" } else { "lint" },
                rule.to_lowercase()
            );
            lt::Diagnostic {
                range,
                severity: Some(lt::DiagnosticSeverity::WARNING),
                code: Some(lt::NumberOrString::String(rule.to_string())),
                code_description: lt::Uri::from_str(&href)
                    .ok()
                    .map(|href| lt::CodeDescription { href }),
                source: Some(if breaking {
                    "protoforge breaking".into()
                } else {
                    "protoforge lint".into()
                }),
                message: f.message.clone(),
                ..Default::default()
            }
        }
    }
}

/// A fix for the diagnostics in a range: (the range, a title, the edits).
pub type QuickFix = (lt::Range, String, Vec<lt::TextEdit>);

/// Compiled against sides, by (workspace, commit, file): a commit never changes.
pub type AgainstCache = HashMap<(PathBuf, String, String), Option<Arc<Image>>>;

/// Breaking changes of the file at `root_path` (compiled in `current`) against the git ref
/// `against` of the repository holding the workspace, and the `reserved` fixes of deletions
/// (the range they answer, a title, the edits). Nothing when the workspace is not in a git
/// repository or the file is new there.
pub fn breaking(
    cache: &mut AgainstCache,
    current: &Image,
    modules: &[ModuleSpec],
    workspace: &Path,
    root_path: &str,
    against: &str,
) -> (Vec<Finding>, Vec<QuickFix>) {
    let none = (Vec::new(), Vec::new());
    let Some(previous) = against_image(cache, workspace, root_path, against) else {
        return none;
    };
    let default_config = BreakingConfig::default();
    let policies = Policy::for_modules(modules, &default_config);
    let module_of = |f: Option<&ImageFile>, _: Option<&ImageFile>| -> usize {
        f.and_then(|f| f.module).unwrap_or(0)
    };
    let Ok(outcome) = crate::breaking::check(&previous, current, &policies, &module_of, false)
    else {
        return none;
    };
    let findings: Vec<Finding> = outcome
        .findings
        .into_iter()
        .filter(|f| f.path.as_deref() == Some(root_path))
        .collect();
    let mut fixes = Vec::new();
    let own: Vec<_> = outcome
        .fixes
        .into_iter()
        .filter(|f| f.root_path == root_path)
        .collect();
    if let Ok(edits) = crate::breaking::fix::plan(&own, current, workspace) {
        for e in edits {
            let text_edits = super::features::diff_edits(&e.original, &e.fixed, None);
            let index = LineIndex::new(&e.original);
            let whole = index.range(0, e.original.len());
            fixes.push((
                whole,
                format!("Reserve what was deleted ({})", e.changes.join("; ")),
                text_edits,
            ));
        }
    }
    (findings, fixes)
}

/// The against side for one file: the file at `root_path` and its imports at `against`.
fn against_image(
    cache: &mut AgainstCache,
    workspace: &Path,
    root_path: &str,
    against: &str,
) -> Option<Arc<Image>> {
    let repo = git2::Repository::discover(workspace).ok()?;
    let workdir = std::fs::canonicalize(repo.workdir()?).ok()?;
    let commit = repo
        .revparse_single(against)
        .ok()?
        .peel_to_commit()
        .ok()?
        .id()
        .to_string();
    let key = (
        workspace.to_path_buf(),
        commit.clone(),
        root_path.to_string(),
    );
    if let Some(hit) = cache.get(&key) {
        return hit.clone();
    }
    let subdir = workspace
        .strip_prefix(&workdir)
        .ok()?
        .to_string_lossy()
        .replace('\\', "/");
    let mut spec = format!("{}#ref={commit}", repo.path().display());
    if !subdir.is_empty() {
        spec.push_str(&format!(",subdir={subdir}"));
    }
    let limit = TargetFilter {
        paths: vec![root_path.to_string()],
        exclude_paths: Vec::new(),
    };
    let args = InputArgs::default();
    let image = crate::pipeline::load_limited(&spec, &args, None, workspace, Some(&limit), None)
        .and_then(|loaded| crate::pipeline::compile_loaded(loaded, &args))
        .ok()
        .and_then(|built| match built.compiled {
            Compiled::Image(mut image) => {
                if !image.files.iter().any(|f| f.root_path == root_path) {
                    return None;
                }
                for f in &mut image.files {
                    f.is_import = f.root_path != root_path;
                }
                Some(Arc::new(image))
            }
            Compiled::Errors(_) => None,
        });
    cache.insert(key, image.clone());
    image
}

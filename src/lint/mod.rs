//! `protoforge lint`: buf's lint rules over an [`Image`].
//!
//! Each rule is one small file under `rules/` whose doc comment is its documentation; the registry
//! (`registry.rs`) says which categories a rule has in each config version. [`run`] runs the rules a
//! module's config selects over that module's files, then one filter pass (in `crate::check`) drops
//! findings on ignored paths and findings silenced by `// buf:lint:ignore RULE_ID` comments.
//!
//! Cross-file rules (`PACKAGE_SAME_*`, `DIRECTORY_SAME_PACKAGE`, `RPC_REQUEST_RESPONSE_UNIQUE`, ...)
//! see every file of the module that is in the image, but findings are only reported for target files:
//! with `--path`, the files outside it still count (buf turns these rules blind instead).

pub mod naming;
mod registry;
mod rules;
pub mod scope;
pub mod walk;

use std::collections::{BTreeMap, HashSet};

use rayon::prelude::*;

use crate::check::{sort_and_dedup, CommentIgnores, Finding, PathFilter, Span};
use crate::config::{LintConfig, ModuleSpec};
use crate::image::{Image, ImageFile};
use crate::Result;

pub use registry::{help_line, is_listed, rule_set, Rule, RULES};
use walk::Elements;

/// The prefix of comment ignores: `// buf:lint:ignore RULE_ID`.
pub const COMMENT_IGNORE_PREFIX: &str = "buf:lint:ignore";

/// Whether linting a module with `spec` reads comments other than comment ignores: when one of
/// its selected rules is in the COMMENTS category (the `COMMENT_*` rules), or (to be safe) when
/// no selection can be made of its config.
pub fn rules_read_comments(spec: &ModuleSpec) -> bool {
    if spec.lint.disabled {
        return false;
    }
    let set = rule_set(spec.version);
    match set.select(&spec.lint.use_, &spec.lint.except) {
        Ok(selection) => set
            .rules
            .iter()
            .filter(|r| r.categories.contains(&"COMMENTS"))
            .any(|r| selection.ids.iter().any(|id| *id == r.id())),
        Err(_) => true,
    }
}

/// The lint options of a module, with buf's defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub enum_zero_value_suffix: String,
    pub service_suffix: String,
    pub rpc_allow_same_request_response: bool,
    pub rpc_allow_google_protobuf_empty_requests: bool,
    pub rpc_allow_google_protobuf_empty_responses: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options::from_config(&LintConfig::default())
    }
}

impl Options {
    pub fn from_config(config: &LintConfig) -> Self {
        let non_empty = |s: &Option<String>, default: &str| match s {
            Some(s) if !s.is_empty() => s.clone(),
            _ => default.to_string(),
        };
        Options {
            enum_zero_value_suffix: non_empty(&config.enum_zero_value_suffix, "_UNSPECIFIED"),
            service_suffix: non_empty(&config.service_suffix, "Service"),
            rpc_allow_same_request_response: config.rpc_allow_same_request_response,
            rpc_allow_google_protobuf_empty_requests: config
                .rpc_allow_google_protobuf_empty_requests,
            rpc_allow_google_protobuf_empty_responses: config
                .rpc_allow_google_protobuf_empty_responses,
        }
    }
}

/// One file a rule looks at.
pub struct CheckedFile<'a> {
    pub file: &'a ImageFile,
    /// Index into `Image::files`.
    pub index: usize,
    pub elements: Elements<'a>,
    /// Whether findings on this file are reported (with `--path`, the rest of the module is
    /// only there for cross-file rules).
    pub is_target: bool,
}

impl CheckedFile<'_> {
    pub fn name(&self) -> &str {
        self.file.name()
    }

    pub fn package(&self) -> &str {
        self.file.package()
    }
}

/// What a rule sees: the module's files (targets and, with `--path`, the rest of the module), the
/// whole image (for import cycles) and the module's options.
pub struct Context<'a> {
    pub image: &'a Image,
    pub files: Vec<CheckedFile<'a>>,
    pub options: &'a Options,
}

impl<'a> Context<'a> {
    /// Builds the context for the given files of `image`.
    pub fn new(
        image: &'a Image,
        file_indexes: &[usize],
        options: &'a Options,
        is_target: &(dyn Fn(&ImageFile) -> bool + Sync),
    ) -> Self {
        let files = file_indexes
            .par_iter()
            .map(|&index| {
                let file = &image.files[index];
                CheckedFile {
                    file,
                    index,
                    elements: Elements::of(file.proto()),
                    is_target: is_target(file),
                }
            })
            .collect();
        Context {
            image,
            files,
            options,
        }
    }

    /// The files findings are reported for: what per-file rules look at.
    pub fn targets(&self) -> impl Iterator<Item = &CheckedFile<'a>> {
        self.files.iter().filter(|f| f.is_target)
    }
}

/// A finding before placement and filtering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawFinding {
    pub rule: &'static str,
    /// Index into `Image::files`.
    pub file: usize,
    /// The `SourceCodeInfo` path of the element; `None` for file-level findings (line 1, column 1).
    pub path: Option<Vec<i32>>,
    /// Where to report, when not at `path`'s own location (e.g. inside an option's message
    /// literal, which `SourceCodeInfo` does not break down); `path` still places comment ignores.
    pub span: Option<Span>,
    pub message: String,
}

/// Where rules write their findings.
pub struct Sink {
    rule: &'static str,
    pub findings: Vec<RawFinding>,
}

impl Sink {
    pub fn new(rule: &'static str) -> Self {
        Sink {
            rule,
            findings: Vec::new(),
        }
    }

    /// A finding on the element at `path` of `file`.
    pub fn at(&mut self, file: &CheckedFile, path: &[i32], message: impl Into<String>) {
        self.at_index(file.index, Some(path.to_vec()), message);
    }

    /// A finding about a whole file (placed at line 1, column 1).
    pub fn file(&mut self, file: &CheckedFile, message: impl Into<String>) {
        self.at_index(file.index, None, message);
    }

    pub fn at_index(&mut self, file: usize, path: Option<Vec<i32>>, message: impl Into<String>) {
        self.findings.push(RawFinding {
            rule: self.rule,
            file,
            path,
            span: None,
            message: message.into(),
        });
    }

    /// A finding reported at `span`, about the element at `path` (whose comments may ignore it).
    pub fn at_span(
        &mut self,
        file: &CheckedFile,
        path: &[i32],
        span: Span,
        message: impl Into<String>,
    ) {
        self.findings.push(RawFinding {
            rule: self.rule,
            file: file.index,
            path: Some(path.to_vec()),
            span: Some(span),
            message: message.into(),
        });
    }
}

/// What a lint run produced.
#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    /// Notes for stderr (deprecated ids, checks not done).
    pub warnings: Vec<String>,
}

/// Lints the target files of `image`, module by module. `modules` are the workspace's modules
/// (`ImageFile::module` indexes them); files without a module (image inputs) use `fallback`.
/// `is_target` says which files findings are reported for.
pub fn run(
    image: &Image,
    modules: &[ModuleSpec],
    fallback: &ModuleSpec,
    is_target: &(dyn Fn(&ImageFile) -> bool + Sync),
) -> Result<Outcome> {
    let (mut findings, by_module) = run_by_module(image, modules, fallback, is_target)?;
    sort_and_dedup(&mut findings);
    Ok(Outcome {
        findings,
        warnings: merge_warnings(by_module),
    })
}

/// Warnings by the module they are about (`None`: files without a module).
pub type ModuleWarnings = BTreeMap<Option<usize>, Vec<String>>;

/// The warnings of each module linted ([`run_by_module`]) as [`run`] gives them: in module
/// order, each once.
pub fn merge_warnings(by_module: ModuleWarnings) -> Vec<String> {
    let mut warnings: Vec<String> = Vec::new();
    for w in by_module.into_values().flatten() {
        if !warnings.contains(&w) {
            warnings.push(w);
        }
    }
    warnings
}

/// [`run`] before its findings are sorted and deduplicated, with each linted module's warnings
/// (they depend on the module's config only), by module.
pub fn run_by_module(
    image: &Image,
    modules: &[ModuleSpec],
    fallback: &ModuleSpec,
    is_target: &(dyn Fn(&ImageFile) -> bool + Sync),
) -> Result<(Vec<Finding>, ModuleWarnings)> {
    // Group the files that belong to a module (or to no module but are not imports).
    let mut groups: BTreeMap<Option<usize>, Vec<usize>> = BTreeMap::new();
    for (i, f) in image.files.iter().enumerate() {
        match f.module {
            Some(m) => groups.entry(Some(m)).or_default().push(i),
            None if !f.is_import => groups.entry(None).or_default().push(i),
            None => {}
        }
    }
    let mut findings = Vec::new();
    let mut by_module = BTreeMap::new();
    for (module, indexes) in groups {
        let spec = module.and_then(|m| modules.get(m)).unwrap_or(fallback);
        // An `ignore` entry naming the module directory turns lint off for the module.
        if spec.lint.disabled || !indexes.iter().any(|&i| is_target(&image.files[i])) {
            continue;
        }
        let (found, warnings) = run_module(image, spec, &indexes, is_target)?;
        findings.extend(found);
        by_module.insert(module, warnings);
    }
    Ok((findings, by_module))
}

/// Runs one module's selected rules and filters.
fn run_module(
    image: &Image,
    spec: &ModuleSpec,
    indexes: &[usize],
    is_target: &(dyn Fn(&ImageFile) -> bool + Sync),
) -> Result<(Vec<Finding>, Vec<String>)> {
    let lint = &spec.lint;
    let set = rule_set(spec.version);
    let selection = set.select(&lint.use_, &lint.except).map_err(|e| {
        // Name the config file and the line of the unknown entry.
        let item = lint
            .use_
            .iter()
            .chain(&lint.except)
            .find(|i| e.message().contains(&format!("{i:?}")));
        match item {
            Some(item) => crate::config::at_config_item(e, spec.config_file.as_deref(), item),
            None => e,
        }
    })?;
    let filter = PathFilter::new(&lint.ignore, &lint.ignore_only, &set)?;
    let options = Options::from_config(lint);
    let cx = Context::new(image, indexes, &options, is_target);
    let mut warnings = selection.warnings.clone();
    for id in &selection.ids {
        if !is_listed(id) {
            warnings.push(format!(
                "rule {id} is deprecated in buf (buf 1.75 fails when it is the only rule); protoforge still runs it"
            ));
        }
    }
    // Rules are independent: run them in parallel, keep their findings in selection order.
    let rules: Vec<&Rule> = selection
        .ids
        .iter()
        .filter_map(|id| RULES.iter().find(|r| r.meta.id == *id))
        .collect();
    let ran: Vec<(Vec<RawFinding>, Option<String>)> = rules
        .par_iter()
        .map(|rule| {
            let mut sink = Sink::new(rule.meta.id);
            let _timing = crate::trace::phase(rule.meta.id);
            (rule.check)(&cx, &mut sink);
            (sink.findings, (rule.note)(&cx))
        })
        .collect();
    // Findings by file, so that each file's source info is scanned once for the few locations
    // needed (building the whole path index of every file costs more memory than the lint).
    let mut by_file: BTreeMap<usize, Vec<RawFinding>> = BTreeMap::new();
    for (found, note) in ran {
        for r in found {
            by_file.entry(r.file).or_default().push(r);
        }
        warnings.extend(note);
    }
    let comment_ignores = lint
        .allow_comment_ignores
        .then_some(CommentIgnores::new(COMMENT_IGNORE_PREFIX));
    let placed: Vec<Vec<Finding>> = by_file
        .into_par_iter()
        .map(|(index, raws)| {
            place(
                &image.files[index],
                raws,
                &filter,
                comment_ignores.as_ref(),
                is_target,
            )
        })
        .collect();
    Ok((placed.into_iter().flatten().collect(), warnings))
}

/// One file's findings, with their spans, less those on ignored paths or silenced by comments.
fn place(
    file: &ImageFile,
    raws: Vec<RawFinding>,
    filter: &PathFilter,
    comment_ignores: Option<&CommentIgnores>,
    is_target: &(dyn Fn(&ImageFile) -> bool + Sync),
) -> Vec<Finding> {
    if file.is_import && file.module.is_none() || !is_target(file) {
        return Vec::new();
    }
    let raws: Vec<RawFinding> = raws
        .into_iter()
        .filter(|r| !filter.ignores(r.rule, &file.root_path))
        .collect();
    let mut wanted: HashSet<Vec<i32>> = HashSet::new();
    for r in &raws {
        if let Some(path) = &r.path {
            wanted.insert(path.clone());
            if comment_ignores.is_some() {
                wanted.extend(crate::check::associated_paths(path));
            }
        }
    }
    let locations = file.locations_at(&wanted);
    let leading = |p: &[i32]| locations.get(p).and_then(|l| l.leading_comments.as_deref());
    raws.into_iter()
        .filter(|r| match (comment_ignores, &r.path) {
            (Some(ci), Some(path)) => !ci.ignores_with(&leading, path, r.rule),
            _ => true,
        })
        .map(|r| {
            let span = r.span.unwrap_or_else(|| {
                r.path
                    .as_ref()
                    .and_then(|p| locations.get(p.as_slice()))
                    .and_then(|l| Span::from_source_code_info(&l.span))
                    .unwrap_or_else(Span::file_start)
            });
            Finding::new(
                r.rule,
                Some(file.external_path.clone()),
                Some(span),
                r.message,
            )
            .with_help(help_line(r.rule))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(use_: &[&str], except: &[&str]) -> ModuleSpec {
        let mut spec = ModuleSpec::default();
        spec.lint.use_ = use_.iter().map(|s| s.to_string()).collect();
        spec.lint.except = except.iter().map(|s| s.to_string()).collect();
        spec
    }

    /// The default rules and every category but COMMENTS read no comments; selecting a
    /// `COMMENT_*` rule (by id or category) does; a config whose selection fails counts as reading.
    #[test]
    fn which_rule_selections_read_comments() {
        assert!(!rules_read_comments(&spec(&[], &[])));
        assert!(!rules_read_comments(&spec(&["STANDARD"], &[])));
        assert!(rules_read_comments(&spec(&["COMMENTS"], &[])));
        assert!(rules_read_comments(&spec(
            &["STANDARD", "COMMENT_RPC"],
            &[]
        )));
        assert!(!rules_read_comments(&spec(&["COMMENTS"], &["COMMENTS"])));
        assert!(rules_read_comments(&spec(&["NO_SUCH_RULE"], &[])));
        let mut disabled = spec(&["COMMENTS"], &[]);
        disabled.lint.disabled = true;
        assert!(!rules_read_comments(&disabled));
    }
}

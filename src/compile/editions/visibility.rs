//! Edition 2024 symbol visibility, as buf 1.75 checks it.
//!
//! A message or enum is `export`ed or `local`: written with the keyword, or by default from the
//! file's `features.default_symbol_visibility` (`EXPORT_ALL`: all exported, as every file before
//! 2024; `EXPORT_TOP_LEVEL`, the 2024 default: top-level exported, nested local; `LOCAL_ALL`
//! and `STRICT`: all local). Other files (of any syntax) cannot use a local type ("found
//! unexported message type `T`") nor reach a type through a local message ("cannot find `T` in
//! this scope"). `STRICT` files cannot export nested types, except enums nested in a message that
//! reserves all field numbers.

use std::collections::HashMap;

use prost::Message as _;

use super::features::{explicit_features, features_field};
use super::{type_refs, Edition};
use crate::check::{Finding, Span};
use crate::image::{Image, ImageFile};
use crate::syntax::{self, Decl};

/// `VisibilityFeature.DefaultSymbolVisibility`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Default {
    ExportAll,
    ExportTopLevel,
    LocalAll,
    Strict,
}

/// Whether each message and enum (by full name) of the image's 2024 files is local; `None`
/// when there is no such file (nothing to check).
pub(super) fn local_symbols(image: &Image) -> Option<HashMap<String, bool>> {
    let mut out = HashMap::new();
    let mut any = false;
    for file in &image.files {
        if file.edition.is_none_or(|e| e < Edition::E2024) {
            continue;
        }
        let (Some(source), Some(fd)) = (file.source.as_deref(), image.file_descriptor(file.name()))
        else {
            continue;
        };
        let Ok(tree) = syntax::parse(source) else {
            continue;
        };
        any = true;
        let default = default_visibility(&fd);
        let mut walk = Walk {
            tree: &tree,
            default,
            out: &mut out,
            strict_errors: None,
        };
        walk.decls(&tree.decls, fd.package_name(), true, None);
    }
    any.then_some(out)
}

fn default_visibility(fd: &prost_reflect::FileDescriptor) -> Default {
    let set = explicit_features(&fd.options().encode_to_vec(), features_field::FILE);
    match set
        .core
        .iter()
        .rev()
        .find(|(n, _)| *n == 8)
        .map(|(_, v)| *v)
    {
        Some(1) => Default::ExportAll,
        Some(3) => Default::LocalAll,
        Some(4) => Default::Strict,
        _ => Default::ExportTopLevel,
    }
}

/// A message being walked: whether it reserves all field numbers (`reserved 1 to max;`, no
/// fields), for `STRICT`'s nested enum exception, and its full name.
struct Parent<'a> {
    full_name: &'a str,
    reserves_all: bool,
}

struct Walk<'a> {
    tree: &'a syntax::File,
    default: Default,
    out: &'a mut HashMap<String, bool>,
    /// `(span of export, message)` for `STRICT` files being checked.
    strict_errors: Option<&'a mut Vec<(syntax::Span, String)>>,
}

impl Walk<'_> {
    fn decls(&mut self, decls: &[Decl], scope: &str, top: bool, parent: Option<&Parent>) {
        for decl in decls {
            let (visibility, name, body, is_enum) = match decl {
                Decl::Message(d) => (d.visibility, d.name, Some(&d.body), false),
                Decl::Enum(d) => (d.visibility, d.name, None, true),
                _ => continue,
            };
            let name = self.tree.text(name);
            let full_name = match scope {
                "" => name.to_string(),
                s => format!("{s}.{name}"),
            };
            let keyword = visibility.map(|t| self.tree.text(t));
            let local = match keyword {
                Some("local") => true,
                Some(_) => false,
                None => match self.default {
                    Default::ExportAll => false,
                    Default::ExportTopLevel => !top,
                    Default::LocalAll | Default::Strict => true,
                },
            };
            if let (Some("export"), false, Default::Strict, Some(errors)) = (
                keyword,
                top,
                self.default,
                self.strict_errors.as_deref_mut(),
            ) {
                let span = self.tree.token(visibility.unwrap_or_default()).span;
                match (is_enum, parent) {
                    (false, _) => {
                        errors.push((span, "nested message type marked as exported".into()))
                    }
                    (true, Some(p)) if !p.reserves_all => errors.push((
                        span,
                        format!(
                            "message type `{}` does not reserve all field numbers",
                            p.full_name
                        ),
                    )),
                    _ => {}
                }
            }
            self.out.insert(full_name.clone(), local);
            if let Some(body) = body {
                let me = Parent {
                    full_name: &full_name,
                    reserves_all: reserves_all(self.tree, &body.decls),
                };
                self.decls(&body.decls, &full_name, false, Some(&me));
            }
        }
    }
}

/// `reserved 1 to max;` and no fields.
fn reserves_all(tree: &syntax::File, decls: &[Decl]) -> bool {
    let has_fields = decls.iter().any(|d| {
        matches!(
            d,
            Decl::Field(_) | Decl::MapField(_) | Decl::Oneof(_) | Decl::Group(_)
        )
    });
    let all = decls.iter().any(|d| match d {
        Decl::Reserved(r) => r.items.iter().any(|item| match item {
            syntax::ReservedItem::Range(range) => {
                let start = tree.text(range.start.first_token());
                let end = range.end.as_ref().map(|v| tree.text(v.first_token()));
                start == "1" && end == Some("max")
            }
            _ => false,
        }),
        _ => false,
    });
    all && !has_fields
}

/// `STRICT` files: nested types marked `export`.
pub(super) fn strict_exports(image: &Image, file: &ImageFile, out: &mut Vec<Finding>) {
    if file.edition.is_none_or(|e| e < Edition::E2024) {
        return;
    }
    let (Some(source), Some(fd)) = (file.source.as_deref(), image.file_descriptor(file.name()))
    else {
        return;
    };
    if default_visibility(&fd) != Default::Strict {
        return;
    }
    let Ok(tree) = syntax::parse(source) else {
        return;
    };
    let mut errors = Vec::new();
    let mut names = HashMap::new();
    let mut walk = Walk {
        tree: &tree,
        default: Default::Strict,
        out: &mut names,
        strict_errors: Some(&mut errors),
    };
    walk.decls(&tree.decls, fd.package_name(), true, None);
    for (span, message) in errors {
        let span = Span::from_byte_range(source, span.start as usize, span.end as usize);
        out.push(Finding::new(
            "COMPILE",
            Some(file.external_path.clone()),
            Some(span),
            message,
        ));
    }
}

/// Uses, from `file`, of local types of other files.
pub(super) fn unexported_uses(
    image: &Image,
    file: &ImageFile,
    local: &HashMap<String, bool>,
    out: &mut Vec<Finding>,
) {
    let Some(fd) = image.file_descriptor(file.name()) else {
        return;
    };
    for r in type_refs(&fd) {
        if r.file == file.name() || !local.contains_key(&r.full_name) {
            continue;
        }
        // Enclosing messages: `a.B.C` -> `a.B`, then `a` (not a type, so not in the map).
        let mut through_local = false;
        let mut name = r.full_name.as_str();
        while let Some((parent, _)) = name.rsplit_once('.') {
            if local.get(parent) == Some(&true) {
                through_local = true;
            }
            name = parent;
        }
        let (written, span) = r.written(file);
        let message = if through_local {
            format!(
                "cannot find `{}` in this scope",
                written.unwrap_or_else(|| r.full_name.clone())
            )
        } else if local[&r.full_name] {
            let kind = if r.is_enum { "enum" } else { "message" };
            format!("found unexported {kind} type `{}`", r.full_name)
        } else {
            continue;
        };
        let help = format!(
            "`{}` is local to {}: mark it (and the messages it is nested in) `export`, or set `option features.default_symbol_visibility = EXPORT_ALL;` there",
            r.full_name, r.file
        );
        out.push(
            Finding::new("COMPILE", Some(file.external_path.clone()), span, message)
                .with_help(help),
        );
    }
}

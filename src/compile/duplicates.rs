//! Duplicate top-level definitions across files, found before linking.
//!
//! Two files that define the same fully-qualified name (typically a second root that re-declares
//! `google/...`, like googleapis' `preview/`) would make the linker report one error per symbol, each
//! located by a linear scan of its file: minutes on large trees. Checking top-level names of the
//! parsed files first is linear and lets us report each clash once and leave the file out of linking.

use std::collections::BTreeSet;

use prost_types::{
    DescriptorProto, EnumDescriptorProto, EnumValueDescriptorProto, FieldDescriptorProto,
    FileDescriptorProto, ServiceDescriptorProto,
};

use crate::check::{Finding, Span};
use crate::image::tag;

/// One clash: the later file (by import path order, left out of linking), and the finding. As buf
/// 1.75 does, a name defined in several files is reported once, at its first definition (the
/// file first by path), whichever file imports which.
pub struct Duplicate {
    pub file: String,
    /// The file the finding is placed in (the first definition's), with its span; `None` when
    /// the name was already reported for another file.
    pub finding: Option<(String, Option<Span>)>,
    pub message: String,
}

/// Files are visited in the given order; the first definition of a name wins.
pub fn find<'a>(files: impl Iterator<Item = &'a FileDescriptorProto>) -> Vec<Duplicate> {
    // Looked up only, never iterated: foldhash changes no order (std's SipHash showed in profiles).
    let mut first: foldhash::HashMap<String, (String, Option<Span>)> = foldhash::HashMap::default();
    let mut out = Vec::new();
    let mut reported = BTreeSet::new();
    for file in files {
        let spans = SpanIndex::new(file);
        let prefix = if file.package().is_empty() {
            String::new()
        } else {
            format!("{}.", file.package())
        };
        // The values of an enum that is itself defined twice are not reported again (buf).
        let enum_elsewhere: Vec<bool> = file
            .enum_type
            .iter()
            .map(|e| {
                first
                    .get(&format!("{prefix}{}", e.name()))
                    .is_some_and(|(other, _)| other != file.name())
            })
            .collect();
        for (name, decl) in declarations(file) {
            if matches!(decl, Decl::Value(i, _) if enum_elsewhere[i]) {
                continue;
            }
            let full = format!("{prefix}{name}");
            let span = spans.span(&decl.path());
            match first.get(&full) {
                Some((other, other_span)) if other != file.name() => {
                    let finding = reported
                        .insert(full.clone())
                        .then(|| (other.clone(), *other_span));
                    out.push(Duplicate {
                        file: file.name().to_string(),
                        finding,
                        message: format!("`{name}` declared multiple times"),
                    });
                }
                Some(_) => {}
                None => {
                    first.insert(full, (file.name().to_string(), span));
                }
            }
        }
    }
    out
}

/// Whether [`find`] would find any clash: some package-level name (message, enum, enum value,
/// service or extension) defined in two files. Without building findings (no names copied, no
/// spans): a streamed googleapis build checks 200,000 names this way.
pub fn any<'a>(files: impl Iterator<Item = &'a FileDescriptorProto>) -> bool {
    // (package, name) stands for `package.name`: a name has no dot, so the pair is the full name.
    let mut first: foldhash::HashMap<(&str, &str), &str> = foldhash::HashMap::default();
    files.into_iter().any(|file| {
        declarations(file).any(|(name, _)| {
            *first.entry((file.package(), name)).or_insert(file.name()) != file.name()
        })
    })
}

/// A package-level declaration of a file, by its position there.
#[derive(Debug, Clone, Copy)]
enum Decl {
    Message(usize),
    Enum(usize),
    /// Enum `.0`'s value `.1`.
    Value(usize, usize),
    Service(usize),
    Extension(usize),
}

impl Decl {
    /// The source-info path of the declaration's name.
    fn path(self) -> Vec<i32> {
        let i = |n: usize| n as i32;
        match self {
            Decl::Message(m) => vec![tag::file::MESSAGE_TYPE, i(m), tag::message::NAME],
            Decl::Enum(e) => vec![tag::file::ENUM_TYPE, i(e), tag::enum_::NAME],
            Decl::Value(e, v) => vec![
                tag::file::ENUM_TYPE,
                i(e),
                tag::enum_::VALUE,
                i(v),
                tag::enum_value::NAME,
            ],
            Decl::Service(s) => vec![tag::file::SERVICE, i(s), tag::service::NAME],
            Decl::Extension(x) => vec![tag::file::EXTENSION, i(x), tag::field::NAME],
        }
    }
}

/// Every package-level name `file` declares, in file order: messages, each enum then its values,
/// services, extensions.
fn declarations(file: &FileDescriptorProto) -> impl Iterator<Item = (&str, Decl)> {
    let messages = file.message_type.iter().enumerate();
    let enums = file.enum_type.iter().enumerate().flat_map(|(e, en)| {
        let values = en.value.iter().enumerate();
        std::iter::once((en.name(), Decl::Enum(e)))
            .chain(values.map(move |(v, value)| (value.name(), Decl::Value(e, v))))
    });
    messages
        .map(|(m, message)| (message.name(), Decl::Message(m)))
        .chain(enums)
        .chain(
            file.service
                .iter()
                .enumerate()
                .map(|(s, service)| (service.name(), Decl::Service(s))),
        )
        .chain(
            file.extension
                .iter()
                .enumerate()
                .map(|(x, ext)| (ext.name(), Decl::Extension(x))),
        )
}

/// Spans of top-level declaration names (the only paths looked up here), indexed once per file.
struct SpanIndex {
    spans: foldhash::HashMap<Vec<i32>, Span>,
}

impl SpanIndex {
    fn new(file: &FileDescriptorProto) -> Self {
        let mut spans = foldhash::HashMap::default();
        if let Some(info) = &file.source_code_info {
            for l in &info.location {
                let top_level_name = matches!(l.path.len(), 3 | 5) && (4..=7).contains(&l.path[0]);
                if top_level_name {
                    if let Some(span) = Span::from_source_code_info(&l.span) {
                        spans.entry(l.path.clone()).or_insert(span);
                    }
                }
            }
        }
        SpanIndex { spans }
    }

    fn span(&self, path: &[i32]) -> Option<Span> {
        self.spans.get(path).copied()
    }
}

/// What [`find`] reads of a file: its name, package and top-level names.
pub fn top_level_names(file: &FileDescriptorProto) -> FileDescriptorProto {
    let named = |name: &Option<String>| name.clone();
    FileDescriptorProto {
        name: file.name.clone(),
        package: file.package.clone(),
        message_type: file
            .message_type
            .iter()
            .map(|m| DescriptorProto {
                name: named(&m.name),
                ..DescriptorProto::default()
            })
            .collect(),
        enum_type: file
            .enum_type
            .iter()
            .map(|e| EnumDescriptorProto {
                name: named(&e.name),
                value: e
                    .value
                    .iter()
                    .map(|v| EnumValueDescriptorProto {
                        name: named(&v.name),
                        ..EnumValueDescriptorProto::default()
                    })
                    .collect(),
                ..EnumDescriptorProto::default()
            })
            .collect(),
        service: file
            .service
            .iter()
            .map(|s| ServiceDescriptorProto {
                name: named(&s.name),
                ..ServiceDescriptorProto::default()
            })
            .collect(),
        extension: file
            .extension
            .iter()
            .map(|x| FieldDescriptorProto {
                name: named(&x.name),
                ..FieldDescriptorProto::default()
            })
            .collect(),
        ..FileDescriptorProto::default()
    }
}

/// Turns clashes into findings with user-facing paths.
pub fn to_findings(dups: &[Duplicate], external_path: impl Fn(&str) -> String) -> Vec<Finding> {
    dups.iter()
        .filter_map(|d| {
            let (file, span) = d.finding.as_ref()?;
            Some(Finding::new("COMPILE", Some(external_path(file)), *span, d.message.clone()).with_help(
                "two files define the same name: if a directory is a second copy or root of the same protos \
                 (like googleapis' preview/), exclude it in buf.yaml (`excludes`) or with --exclude-path",
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(
        name: &str,
        package: &str,
        messages: &[&str],
        enums: &[(&str, &[&str])],
    ) -> FileDescriptorProto {
        FileDescriptorProto {
            name: Some(name.into()),
            package: (!package.is_empty()).then(|| package.into()),
            message_type: messages
                .iter()
                .map(|m| DescriptorProto {
                    name: Some(m.to_string()),
                    ..DescriptorProto::default()
                })
                .collect(),
            enum_type: enums
                .iter()
                .map(|(e, values)| EnumDescriptorProto {
                    name: Some(e.to_string()),
                    value: values
                        .iter()
                        .map(|v| EnumValueDescriptorProto {
                            name: Some(v.to_string()),
                            ..EnumValueDescriptorProto::default()
                        })
                        .collect(),
                    ..EnumDescriptorProto::default()
                })
                .collect(),
            ..FileDescriptorProto::default()
        }
    }

    /// `any` answers whether `find` finds anything, on clashes and on near misses.
    #[test]
    fn any_is_whether_find_finds_a_clash() {
        let cases: Vec<(Vec<FileDescriptorProto>, bool)> = vec![
            // The same message in two files of a package.
            (
                vec![
                    file("a.proto", "p", &["M"], &[]),
                    file("b.proto", "p", &["M"], &[]),
                ],
                true,
            ),
            // Twice in one file: the linker's to report, not a clash across files.
            (vec![file("a.proto", "p", &["M", "M"], &[])], false),
            // Other packages, and a package that only looks like a prefix.
            (
                vec![
                    file("a.proto", "p", &["M"], &[]),
                    file("b.proto", "q", &["M"], &[]),
                ],
                false,
            ),
            (
                vec![
                    file("a.proto", "a", &["b"], &[]),
                    file("b.proto", "a.b", &["c"], &[]),
                ],
                false,
            ),
            // Enum values live in the package's scope.
            (
                vec![
                    file("a.proto", "p", &[], &[("E", &["X"])]),
                    file("b.proto", "p", &["X"], &[]),
                ],
                true,
            ),
            (
                vec![file("a.proto", "p", &[], &[("E", &["X"]), ("F", &["Y"])])],
                false,
            ),
            // An enum defined twice (its values are then not reported again).
            (
                vec![
                    file("a.proto", "p", &[], &[("E", &["X"])]),
                    file("b.proto", "p", &[], &[("E", &["X"])]),
                ],
                true,
            ),
            // No package.
            (
                vec![
                    file("a.proto", "", &["M"], &[]),
                    file("b.proto", "", &["M"], &[]),
                ],
                true,
            ),
            (
                vec![
                    file("a.proto", "", &["M"], &[]),
                    file("b.proto", "p", &["M"], &[]),
                ],
                false,
            ),
        ];
        for (i, (files, clash)) in cases.iter().enumerate() {
            assert_eq!(!find(files.iter()).is_empty(), *clash, "find, case {i}");
            assert_eq!(any(files.iter()), *clash, "any, case {i}");
        }
    }
}

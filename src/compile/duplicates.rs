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
        let mut names: Vec<(String, Vec<i32>)> = Vec::new();
        for (i, m) in file.message_type.iter().enumerate() {
            names.push((
                m.name().to_string(),
                vec![tag::file::MESSAGE_TYPE, i as i32, tag::message::NAME],
            ));
        }
        for (i, e) in file.enum_type.iter().enumerate() {
            names.push((
                e.name().to_string(),
                vec![tag::file::ENUM_TYPE, i as i32, tag::enum_::NAME],
            ));
            // The values of an enum that is itself defined twice are not reported again (buf).
            if first
                .get(&format!("{prefix}{}", e.name()))
                .is_some_and(|(other, _)| other != file.name())
            {
                continue;
            }
            for (j, v) in e.value.iter().enumerate() {
                let path = vec![
                    tag::file::ENUM_TYPE,
                    i as i32,
                    tag::enum_::VALUE,
                    j as i32,
                    tag::enum_value::NAME,
                ];
                names.push((v.name().to_string(), path));
            }
        }
        for (i, s) in file.service.iter().enumerate() {
            names.push((
                s.name().to_string(),
                vec![tag::file::SERVICE, i as i32, tag::service::NAME],
            ));
        }
        for (i, x) in file.extension.iter().enumerate() {
            names.push((
                x.name().to_string(),
                vec![tag::file::EXTENSION, i as i32, tag::field::NAME],
            ));
        }
        for (name, path) in names {
            let full = format!("{prefix}{name}");
            let span = spans.span(&path);
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

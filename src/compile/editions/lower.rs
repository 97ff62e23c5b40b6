//! Editions front end: `edition = "2023";` / `"2024"` source -> descriptors protox can link.
//!
//! protox 0.10 cannot parse editions and prost-reflect 0.16 cannot link `syntax = "editions"`.
//! Instead of re-implementing protox's `SourceCodeInfo` generation, this module:
//!
//! 1. parses the file with our lossless parser ([`crate::syntax`]) and reports the constructs
//!    editions forbid (labels `optional`/`required`, groups, `packed`, string reserved names,
//!    `export`/`local` before 2024, ...) with their exact spans;
//! 2. rewrites the source *in place, keeping every byte offset*: the edition statement becomes a
//!    `syntax ="proto3";` statement of the same length, `export`/`local` become spaces. protox then
//!    parses it (proto3 grammar = label-less fields, like editions), so every location and comment
//!    is exactly where protox/protoc put it (buf also records the edition statement at path `[12]`);
//! 3. returns two descriptors: the editions form (`syntax = "editions"`, kept in the image) and a
//!    proto2-shaped copy for linking (`LEGACY_REQUIRED` fields become `LABEL_REQUIRED`, and
//!    `google/protobuf/descriptor.proto` is added as a dependency so `features` options resolve
//!    against the modern `FeatureSet`).

use prost_types::field_descriptor_proto::Label;
use prost_types::{
    DescriptorProto, FieldDescriptorProto, FileDescriptorProto, UninterpretedOption,
};

use crate::syntax::{self, CompactOptions, Decl, OptionDecl, ReservedItem, Span, TokenKind};

/// Edition of a file; proto2 and proto3 are the legacy editions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Edition {
    Proto2,
    Proto3,
    E2023,
    E2024,
}

impl Edition {
    /// The `google.protobuf.Edition` number (`EDITION_2023` = 1000).
    pub fn number(self) -> i32 {
        match self {
            Edition::Proto2 => 998,
            Edition::Proto3 => 999,
            Edition::E2023 => 1000,
            Edition::E2024 => 1001,
        }
    }

    /// As written in the `edition` statement or `syntax` statement.
    pub fn name(self) -> &'static str {
        match self {
            Edition::Proto2 => "proto2",
            Edition::Proto3 => "proto3",
            Edition::E2023 => "2023",
            Edition::E2024 => "2024",
        }
    }

    /// True for `edition = ...` files (2023 and later).
    pub fn is_editions(self) -> bool {
        self >= Edition::E2023
    }
}

/// The import path of the descriptor.proto that declares `FeatureSet`.
pub const DESCRIPTOR_PROTO: &str = "google/protobuf/descriptor.proto";

/// An editions file ready for linking.
#[derive(Debug, Clone)]
pub struct Lowered {
    pub edition: Edition,
    /// The editions form: `syntax = "editions"`, labels as written, `SourceCodeInfo` (the
    /// edition statement at path `[12]`, as buf records it).
    pub proto: FileDescriptorProto,
    /// The proto2-shaped copy handed to protox for linking.
    pub link: protox::file::File,
    /// True when `google/protobuf/descriptor.proto` was added to the link copy's imports.
    pub added_descriptor_import: bool,
    /// Indexes in the link copy's `dependency` of the `import option` files (edition 2024).
    pub option_imports: Vec<usize>,
}

impl Lowered {
    /// What [`super::restore_editions_form`] needs to undo the link copy's changes.
    pub fn restore(&self) -> Restore {
        Restore {
            added_descriptor_import: self.added_descriptor_import,
            option_imports: self.option_imports.clone(),
        }
    }
}

/// How a linked (proto2-shaped) copy differs from the editions form, beyond syntax and labels.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Restore {
    /// `google/protobuf/descriptor.proto` was appended to `dependency` (for `features`).
    pub added_descriptor_import: bool,
    /// Indexes in `dependency` that are really `option_dependency` (`import option`): linking
    /// sees them as imports so that their extensions resolve in options.
    pub option_imports: Vec<usize>,
}

/// An error in an editions file, at a byte span of its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditionsError {
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
}

/// Why an editions file could not be lowered.
#[derive(Debug)]
pub enum LowerError {
    /// Forbidden or unsupported constructs, each at its span.
    Editions(Vec<EditionsError>),
    /// protox rejected the rewritten source (same offsets as the original).
    Protox(protox::Error),
}

/// Parses `source` with our parser when it has an `edition` statement (cheap pre-check first).
/// `None` for proto2/proto3 files; a syntax error of an editions file is reported by our parser
/// (protox would only say that it expected `syntax`).
pub fn editions_tree(source: &str) -> Option<Result<syntax::File, EditionsError>> {
    // No `edition` anywhere: not an editions file (a SIMD substring search over the text).
    memchr::memmem::find(source.as_bytes(), b"edition")?;
    match syntax::parse(source) {
        Ok(tree) => match &tree.syntax {
            Some(s) if s.is_edition => Some(Ok(tree)),
            _ => None,
        },
        Err(e) if starts_with_edition(source) => Some(Err(EditionsError {
            span: e.span,
            message: e.message,
            help: None,
        })),
        Err(_) => None,
    }
}

/// buf's error for a proto2/proto3 file that protox could not parse because it has an
/// `import option` statement (only edition 2024 has them); `None` when that is not the cause.
pub fn legacy_option_import(source: &str) -> Option<EditionsError> {
    if !source.contains("option") {
        return None;
    }
    let tree = syntax::parse(source).ok()?;
    let syntax = match &tree.syntax {
        Some(s) if s.is_edition => return None,
        Some(s) => tree.string_value(&s.value),
        None => "proto2".to_string(),
    };
    tree.decls.iter().find_map(|decl| match decl {
        Decl::Import(d) => {
            d.modifier
                .filter(|m| tree.text(*m) == "option")
                .map(|m| {
                    EditionsError {
                span: tree.token(m).span,
                message: format!("`import option` is not supported in \"{syntax}\""),
                help: Some(
                    "`import option` needs `edition = \"2024\";`; otherwise use a plain `import`"
                        .into(),
                ),
            }
                })
        }
        _ => None,
    })
}

/// True when the first statement (after comments and blank lines) is `edition ...`.
fn starts_with_edition(source: &str) -> bool {
    let mut rest = source;
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("//") {
            rest = after.split_once('\n').map(|(_, r)| r).unwrap_or("");
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map(|(_, r)| r).unwrap_or("");
        } else {
            return rest.starts_with("edition")
                && !rest[7..].starts_with(|c: char| c.is_alphanumeric() || c == '_');
        }
    }
}

/// Lowers a parsed editions file (see the module doc).
pub fn lower(name: &str, tree: &syntax::File) -> Result<Lowered, LowerError> {
    let mut cx = Checker {
        tree,
        errors: Vec::new(),
        rewrite: tree.source.as_bytes().to_vec(),
        edition: Edition::E2023,
        reserved_names: Vec::new(),
        reserved_statements: Vec::new(),
        imports: Vec::new(),
        statement: None,
    };
    cx.edition_statement();
    for decl in &tree.decls {
        cx.decl(decl, Parent::File);
    }
    if !cx.errors.is_empty() {
        return Err(LowerError::Editions(cx.errors));
    }
    let edition = cx.edition;
    let reserved = ReservedNames::new(tree, &cx.reserved_names, &cx.reserved_statements);
    let statement = cx
        .statement
        .map(|whole| (whole, cx.syntax_statement(whole)));
    let mut rewrite = cx.rewrite;
    if let Some((whole, new)) = &statement {
        rewrite.splice(whole.range(), new.bytes());
    }
    let rewritten = String::from_utf8(rewrite).map_err(|_| {
        LowerError::Editions(vec![EditionsError {
            span: Span::new(0, 0),
            message: "internal error: rewriting the editions source broke its UTF-8".into(),
            help: None,
        }])
    })?;
    let parsed = protox::file::File::from_source(name, &rewritten).map_err(LowerError::Protox)?;
    let mut proto = parsed.file_descriptor_proto().clone();
    proto.syntax = Some("editions".to_string());
    if let (Some((whole, _)), Some(info)) = (&statement, &mut proto.source_code_info) {
        // As buf: the edition statement as written (`[12]` is protox's syntax statement).
        let (sl, sc) = tree.line_col(whole.start as usize);
        let (el, ec) = tree.line_col(whole.end as usize);
        let span = match sl == el {
            true => vec![sl as i32, sc as i32, ec as i32],
            false => vec![sl as i32, sc as i32, el as i32, ec as i32],
        };
        for loc in info.location.iter_mut().filter(|l| l.path == [12]) {
            loc.span = span.clone();
        }
    }
    restore_defaults(&mut proto, &tree.source);
    if !reserved.names.is_empty() {
        restore_reserved_names(&mut proto, &reserved);
    }

    let mut link = proto.clone();
    link.syntax = Some("proto2".to_string());
    for msg in &mut link.message_type {
        copy_map_features(msg);
    }
    // `LEGACY_REQUIRED` can only be set on fields (the file level is refused above).
    for msg in &mut link.message_type {
        mark_required(msg);
    }
    for ext in &mut link.extension {
        mark_field_required(ext);
    }
    let added_descriptor_import = !link.dependency.iter().any(|d| d == DESCRIPTOR_PROTO);
    if added_descriptor_import {
        link.dependency.push(DESCRIPTOR_PROTO.to_string());
    }
    let option_imports: Vec<usize> = cx
        .imports
        .iter()
        .enumerate()
        .filter(|(_, (_, is_option))| *is_option)
        .map(|(i, _)| i)
        .collect();
    Ok(Lowered {
        edition,
        proto,
        link: protox::file::File::from_file_descriptor_proto(link),
        added_descriptor_import,
        option_imports,
    })
}

/// Where the identifier reserved names are, by 0-based (line, column) as `SourceCodeInfo` has them.
struct ReservedNames {
    names: std::collections::HashMap<(i32, i32), String>,
    statements: std::collections::HashSet<(i32, i32)>,
}

impl ReservedNames {
    fn new(tree: &syntax::File, names: &[Span], statements: &[u32]) -> ReservedNames {
        let pos = |offset: u32| {
            let (l, c) = tree.line_col(offset as usize);
            (l as i32, c as i32)
        };
        ReservedNames {
            names: names
                .iter()
                .map(|s| (pos(s.start), tree.source[s.range()].to_string()))
                .collect(),
            statements: statements.iter().map(|&o| pos(o)).collect(),
        }
    }
}

/// Turns the placeholder reserved ranges back into `reserved_name`s, with their locations
/// (`[.., 9, j]` -> `[.., 10, k]`, statement `[.., 9]` -> `[.., 10]`).
fn restore_reserved_names(proto: &mut FileDescriptorProto, reserved: &ReservedNames) {
    let Some(mut info) = proto.source_code_info.take() else {
        return;
    };
    let start = |span: &[i32]| {
        (
            span.first().copied().unwrap_or(-1),
            span.get(1).copied().unwrap_or(-1),
        )
    };
    // Messages and enums: (path, is_enum).
    let mut containers: Vec<(Vec<i32>, bool)> = Vec::new();
    fn walk(m: &DescriptorProto, path: Vec<i32>, out: &mut Vec<(Vec<i32>, bool)>) {
        for i in 0..m.enum_type.len() {
            out.push(([path.clone(), vec![4, i as i32]].concat(), true));
        }
        for (i, n) in m.nested_type.iter().enumerate() {
            walk(n, [path.clone(), vec![3, i as i32]].concat(), out);
        }
        out.push((path, false));
    }
    for (i, m) in proto.message_type.iter().enumerate() {
        walk(m, vec![4, i as i32], &mut containers);
    }
    for i in 0..proto.enum_type.len() {
        containers.push((vec![5, i as i32], true));
    }
    for (path, is_enum) in containers {
        let (range_field, name_field) = if is_enum { (4, 5) } else { (9, 10) };
        let range_path = [path.clone(), vec![range_field]].concat();
        // Which ranges are names, in order.
        let mut ranges_total = 0usize;
        let mut name_of: std::collections::HashMap<i32, String> = std::collections::HashMap::new();
        for loc in &info.location {
            if loc.path.len() == range_path.len() + 1 && loc.path.starts_with(&range_path) {
                ranges_total = ranges_total.max(loc.path[range_path.len()] as usize + 1);
                if let Some(name) = reserved.names.get(&start(&loc.span)) {
                    name_of.insert(loc.path[range_path.len()], name.clone());
                }
            }
        }
        if name_of.is_empty() {
            continue;
        }
        let mut new_index = std::collections::HashMap::new();
        let (mut next_range, mut next_name) = (0i32, 0i32);
        let mut names = Vec::new();
        for j in 0..ranges_total as i32 {
            if let Some(n) = name_of.get(&j) {
                new_index.insert(j, (true, next_name));
                next_name += 1;
                names.push(n.clone());
            } else {
                new_index.insert(j, (false, next_range));
                next_range += 1;
            }
        }
        info.location.retain_mut(|loc| {
            if loc.path == range_path {
                if reserved.statements.contains(&start(&loc.span)) {
                    *loc.path.last_mut().unwrap_or(&mut 0) = name_field;
                }
                return true;
            }
            if loc.path.len() > range_path.len() && loc.path.starts_with(&range_path) {
                let j = loc.path[range_path.len()];
                match new_index.get(&j) {
                    Some(&(true, k)) => {
                        if loc.path.len() > range_path.len() + 1 {
                            return false;
                        }
                        loc.path[range_path.len() - 1] = name_field;
                        loc.path[range_path.len()] = k;
                        // The placeholder number is one character: span the whole name.
                        if let (Some(name), [_, col, end]) =
                            (reserved.names.get(&start(&loc.span)), &mut loc.span[..])
                        {
                            *end = *col + name.chars().count() as i32;
                        }
                    }
                    Some(&(false, k)) => loc.path[range_path.len()] = k,
                    None => {}
                }
            }
            true
        });
        let keep: Vec<bool> = (0..ranges_total as i32)
            .map(|j| !name_of.contains_key(&j))
            .collect();
        set_reserved(proto, &path, is_enum, &keep, names);
    }
    proto.source_code_info = Some(info);
}

fn set_reserved(
    proto: &mut FileDescriptorProto,
    path: &[i32],
    is_enum: bool,
    keep: &[bool],
    names: Vec<String>,
) {
    if path[0] == 5 {
        if let Some(e) = proto.enum_type.get_mut(path[1] as usize) {
            let mut i = 0;
            e.reserved_range.retain(|_| {
                i += 1;
                keep.get(i - 1).copied().unwrap_or(true)
            });
            e.reserved_name.extend(names);
        }
        return;
    }
    let Some(mut m) = proto.message_type.get_mut(path[1] as usize) else {
        return;
    };
    let mut rest = &path[2..];
    while rest.len() >= 2 && rest[0] == 3 {
        let Some(n) = m.nested_type.get_mut(rest[1] as usize) else {
            return;
        };
        m = n;
        rest = &rest[2..];
    }
    if is_enum {
        if let [4, i] = rest {
            if let Some(e) = m.enum_type.get_mut(*i as usize) {
                let mut k = 0;
                e.reserved_range.retain(|_| {
                    k += 1;
                    keep.get(k - 1).copied().unwrap_or(true)
                });
                e.reserved_name.extend(names);
            }
        }
        return;
    }
    let mut k = 0;
    m.reserved_range.retain(|_| {
        k += 1;
        keep.get(k - 1).copied().unwrap_or(true)
    });
    m.reserved_name.extend(names);
}

/// `default` written as a custom option name of the same length (see [`Checker::compact`]).
const DEFAULT_PLACEHOLDER: &str = "(dEfLt)";

/// Turns the placeholder options back into `default_value`, with buf's locations: `[.., 7]` spans
/// `default = value`, and the `[.., 8]` options location goes when nothing else is in the brackets.
fn restore_defaults(proto: &mut FileDescriptorProto, source: &str) {
    let mut fields: Vec<(Vec<i32>, &mut FieldDescriptorProto)> = Vec::new();
    fn collect<'a>(
        msg: &'a mut DescriptorProto,
        path: Vec<i32>,
        out: &mut Vec<(Vec<i32>, &'a mut FieldDescriptorProto)>,
    ) {
        for (i, f) in msg.field.iter_mut().enumerate() {
            out.push(([path.clone(), vec![2, i as i32]].concat(), f));
        }
        for (i, f) in msg.extension.iter_mut().enumerate() {
            out.push(([path.clone(), vec![6, i as i32]].concat(), f));
        }
        for (i, m) in msg.nested_type.iter_mut().enumerate() {
            collect(m, [path.clone(), vec![3, i as i32]].concat(), out);
        }
    }
    let mut info = proto.source_code_info.take();
    for (i, m) in proto.message_type.iter_mut().enumerate() {
        collect(m, vec![4, i as i32], &mut fields);
    }
    for (i, f) in proto.extension.iter_mut().enumerate() {
        fields.push((vec![7, i as i32], f));
    }
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(source.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    for (path, field) in fields {
        let Some(opts) = &mut field.options else {
            continue;
        };
        let Some(idx) = opts
            .uninterpreted_option
            .iter()
            .position(|o| matches!(&o.name[..], [n] if n.is_extension && n.name_part == "dEfLt"))
        else {
            continue;
        };
        let opt = opts.uninterpreted_option.remove(idx);
        let now_empty = opts.uninterpreted_option.is_empty();
        if now_empty {
            field.options = None;
        }
        let opt_path = [path.clone(), vec![8, 999, idx as i32]].concat();
        let mut text_value = None;
        if let Some(info) = &mut info {
            let mut new_loc = None;
            info.location.retain_mut(|loc| {
                if loc.path == opt_path {
                    let mut l = loc.clone();
                    l.path = [path.clone(), vec![7]].concat();
                    text_value = span_text(source, &line_starts, &loc.span).and_then(|t| {
                        t.split_once('=')
                            .map(|(_, v)| v.split_whitespace().collect::<String>())
                    });
                    new_loc = Some(l);
                    return false;
                }
                if now_empty
                    && loc.path.len() == path.len() + 1
                    && loc.path.starts_with(&path)
                    && loc.path[path.len()] == 8
                {
                    return false;
                }
                if loc.path.len() > opt_path.len() - 1
                    && loc.path[..opt_path.len() - 1] == opt_path[..opt_path.len() - 1]
                    && loc.path[opt_path.len() - 1] > idx as i32
                {
                    loc.path[opt_path.len() - 1] -= 1;
                }
                true
            });
            if let Some(l) = new_loc {
                info.location.push(l);
            }
        }
        field.default_value = Some(default_text(field.r#type(), &opt, text_value));
    }
    proto.source_code_info = info;
}

fn span_text<'a>(source: &'a str, line_starts: &[usize], span: &[i32]) -> Option<&'a str> {
    let (sl, sc, el, ec) = match *span {
        [sl, sc, ec] => (sl, sc, sl, ec),
        [sl, sc, el, ec] => (sl, sc, el, ec),
        _ => return None,
    };
    let at = |l: i32, c: i32| -> Option<usize> {
        let start = *line_starts.get(l as usize)?;
        let line = &source[start..];
        Some(
            start
                + line
                    .char_indices()
                    .nth(c as usize)
                    .map(|(i, _)| i)
                    .unwrap_or(line.len()),
        )
    };
    source.get(at(sl, sc)?..at(el, ec)?)
}

/// `default_value` as protoc writes it: strings as is, bytes C-escaped, numbers and identifiers as written.
fn default_text(
    ty: prost_types::field_descriptor_proto::Type,
    opt: &UninterpretedOption,
    written: Option<String>,
) -> String {
    use prost_types::field_descriptor_proto::Type;
    if matches!(ty, Type::Double | Type::Float) {
        if let Some(mut value) = float_default(opt, written.as_deref()) {
            // As buf: the shortest form of the value (a `float` rounded to 32 bits first, then
            // printed as a double: `1.5e-3` -> `0.001500000013038516`), lower case.
            if ty == Type::Float {
                value = value as f32 as f64;
            }
            return go_float(value);
        }
    }
    if let Some(bytes) = &opt.string_value {
        return if ty == Type::Bytes {
            bytes
                .iter()
                .map(|&b| match b {
                    b'\n' => "\\n".to_string(),
                    b'\r' => "\\r".to_string(),
                    b'\t' => "\\t".to_string(),
                    b'"' => "\\\"".to_string(),
                    b'\'' => "\\'".to_string(),
                    b'\\' => "\\\\".to_string(),
                    0x20..=0x7e => (b as char).to_string(),
                    _ => format!("\\{b:03o}"),
                })
                .collect()
        } else {
            String::from_utf8_lossy(bytes).into_owned()
        };
    }
    if let Some(id) = &opt.identifier_value {
        return id.clone();
    }
    if let Some(v) = opt.positive_int_value {
        return v.to_string();
    }
    if let Some(v) = opt.negative_int_value {
        return v.to_string();
    }
    written.unwrap_or_default()
}

/// A double as buf writes default values (Go's `strconv.FormatFloat(v, 'g', -1, 64)`, lower
/// case): the shortest digits that round-trip, in exponent form (`1e+21`, `1e-07`) when the
/// decimal exponent is below -4 or at least 6 (the precision Go uses for shortest forms).
fn go_float(value: f64) -> String {
    if value.is_nan() {
        return "nan".into();
    }
    if value.is_infinite() {
        return if value < 0.0 { "-inf" } else { "inf" }.into();
    }
    let sci = format!("{value:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if value != 0.0 && !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    } else {
        value.to_string()
    }
}

/// The value of a float or double default: from the source text (`-inf`, `nan`, `1e5`), else
/// from what protox parsed.
fn float_default(opt: &UninterpretedOption, written: Option<&str>) -> Option<f64> {
    if let Some(text) = written {
        let (negative, rest) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let value = match rest {
            "inf" => Some(f64::INFINITY),
            "nan" => Some(f64::NAN),
            _ if rest.starts_with(|c: char| c.is_ascii_digit() || c == '.') => rest.parse().ok(),
            _ => None,
        };
        if let Some(v) = value {
            return Some(if negative { -v } else { v });
        }
    }
    opt.double_value
        .or(opt.positive_int_value.map(|v| v as f64))
        .or(opt.negative_int_value.map(|v| v as f64))
}

/// The value of an uninterpreted `features.field_presence` option, if set.
fn presence_option(opts: Option<&[UninterpretedOption]>) -> Option<&str> {
    opts?.iter().rev().find_map(|o| {
        let names: Vec<&str> = o.name.iter().map(|n| n.name_part.as_str()).collect();
        let plain = o.name.iter().all(|n| !n.is_extension);
        (plain && names == ["features", "field_presence"])
            .then_some(o.identifier_value.as_deref())
            .flatten()
    })
}

/// Like protoc and buf: the `features` of a map field also apply to its entry's key and value.
fn copy_map_features(msg: &mut DescriptorProto) {
    for f in msg.field.clone() {
        let Some(opts) = &f.options else { continue };
        let features: Vec<UninterpretedOption> = opts
            .uninterpreted_option
            .iter()
            .filter(|o| {
                o.name
                    .first()
                    .is_some_and(|n| !n.is_extension && n.name_part == "features")
            })
            .cloned()
            .collect();
        if features.is_empty() {
            continue;
        }
        let Some(entry_name) = f.type_name.as_deref().and_then(|t| t.rsplit('.').next()) else {
            continue;
        };
        for nested in &mut msg.nested_type {
            let is_entry = nested.options.as_ref().is_some_and(|o| o.map_entry());
            if is_entry && nested.name() == entry_name {
                for kv in &mut nested.field {
                    kv.options
                        .get_or_insert_with(Default::default)
                        .uninterpreted_option
                        .extend(features.iter().cloned());
                }
            }
        }
    }
    for nested in &mut msg.nested_type {
        copy_map_features(nested);
    }
}

fn mark_required(msg: &mut DescriptorProto) {
    for f in &mut msg.field {
        mark_field_required(f);
    }
    for f in &mut msg.extension {
        mark_field_required(f);
    }
    for m in &mut msg.nested_type {
        mark_required(m);
    }
}

fn mark_field_required(f: &mut FieldDescriptorProto) {
    if f.label() != Label::Optional || f.oneof_index.is_some() {
        return;
    }
    let presence = presence_option(f.options.as_ref().map(|o| &o.uninterpreted_option[..]));
    if presence == Some("LEGACY_REQUIRED") {
        f.set_label(Label::Required);
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Parent {
    File,
    Message,
    Enum,
    Service,
    Oneof,
    Extend,
}

struct Checker<'a> {
    tree: &'a syntax::File,
    errors: Vec<EditionsError>,
    rewrite: Vec<u8>,
    edition: Edition,
    /// Identifier reserved names, parsed as numbers (see [`restore_reserved_names`]).
    reserved_names: Vec<Span>,
    /// Start offsets of the `reserved` keywords of statements holding them.
    reserved_statements: Vec<u32>,
    /// The import statements in order: path as written, and whether it is `import option`.
    imports: Vec<(String, bool)>,
    /// The edition statement, from `edition` to `;` (replaced by a `syntax` statement last).
    statement: Option<Span>,
}

impl Checker<'_> {
    fn span(&self, id: syntax::TokenId) -> Span {
        self.tree.token(id).span
    }

    fn error(&mut self, span: Span, message: impl Into<String>, help: Option<&str>) {
        self.errors.push(EditionsError {
            span,
            message: message.into(),
            help: help.map(str::to_string),
        });
    }

    fn blank(&mut self, span: Span) {
        for b in &mut self.rewrite[span.range()] {
            if *b != b'\n' && *b != b'\r' {
                *b = b' ';
            }
        }
    }

    fn edition_statement(&mut self) {
        let Some(decl) = &self.tree.syntax else {
            return;
        };
        let value_span = {
            let first = self.span(decl.value.parts[0]);
            let last = self.span(*decl.value.parts.last().unwrap_or(&decl.value.parts[0]));
            Span {
                start: first.start,
                end: last.end,
            }
        };
        let value = self.tree.string_value(&decl.value);
        self.edition = match value.as_str() {
            "2023" => Edition::E2023,
            "2024" => Edition::E2024,
            other => {
                self.error(
                    value_span,
                    format!("edition \"{other}\" is not supported"),
                    Some("the supported editions are \"2023\" and \"2024\""),
                );
                return;
            }
        };
        let Some(semi) = decl.semicolon else {
            self.error(value_span, "expected ';' after the edition", None);
            return;
        };
        let whole = Span {
            start: self.span(decl.keyword).start,
            end: self.span(semi).end,
        };
        self.statement = Some(whole);
    }

    /// The `syntax ="proto3";` statement that replaces the edition statement `whole`, keeping
    /// every line break, and the columns after it on its last line (so all later line/column
    /// positions stay; byte offsets after it shift when the edition statement is shorter than
    /// 16 bytes, as in `edition="2023";`).
    fn syntax_statement(&self, whole: Span) -> String {
        const REPLACEMENT: &str = "syntax=\"proto3\";";
        let text = &self.tree.source[whole.range()];
        let lines: Vec<&str> = text.split('\n').collect();
        if lines.len() == 1 {
            let pad = text.chars().count().saturating_sub(REPLACEMENT.len());
            return format!("{REPLACEMENT}{}", " ".repeat(pad));
        }
        let mut out = String::from(REPLACEMENT);
        let first = lines[0].trim_end_matches('\r').chars().count();
        out.push_str(&" ".repeat(first.saturating_sub(REPLACEMENT.len())));
        for (i, line) in lines.iter().enumerate().skip(1) {
            if lines[i - 1].ends_with('\r') {
                out.push('\r');
            }
            out.push('\n');
            // The last line keeps its width: what follows the `;` stays in its column.
            if i == lines.len() - 1 {
                out.push_str(&" ".repeat(line.chars().count()));
            }
        }
        out
    }

    fn decl(&mut self, decl: &Decl, parent: Parent) {
        match decl {
            Decl::Import(d) => self.import(d),
            Decl::Option(d) => self.option(d, parent),
            Decl::Message(d) => {
                self.visibility(d.visibility);
                for inner in &d.body.decls {
                    self.decl(inner, Parent::Message);
                }
            }
            Decl::Enum(d) => {
                self.visibility(d.visibility);
                for inner in &d.body.decls {
                    self.decl(inner, Parent::Enum);
                }
            }
            Decl::Service(d) => {
                for inner in &d.body.decls {
                    self.decl(inner, Parent::Service);
                }
            }
            Decl::Extend(d) => {
                for inner in &d.body.decls {
                    self.decl(inner, Parent::Extend);
                }
            }
            Decl::Oneof(d) => {
                for inner in &d.body.decls {
                    self.decl(inner, Parent::Oneof);
                }
            }
            Decl::Field(d) => {
                if let Some(label) = d.label {
                    match self.tree.text(label) {
                        "optional" => self.error(
                            self.span(label),
                            "label 'optional' is not allowed in editions: singular fields have explicit presence by default",
                            Some("remove 'optional'; to get implicit presence use `[features.field_presence = IMPLICIT]`"),
                        ),
                        "required" => self.error(
                            self.span(label),
                            "label 'required' is not allowed in editions",
                            Some("remove 'required' and use `[features.field_presence = LEGACY_REQUIRED]`"),
                        ),
                        _ => {}
                    }
                }
                self.compact(d.options.as_ref());
            }
            Decl::MapField(d) => self.compact(d.options.as_ref()),
            Decl::Group(d) => self.error(
                self.span(d.keyword),
                "group syntax is not allowed in editions",
                Some("declare a message and a message field with `[features.message_encoding = DELIMITED]`"),
            ),
            Decl::ExtensionRange(d) => self.compact(d.options.as_ref()),
            Decl::Reserved(d) => {
                for item in &d.items {
                    match item {
                        ReservedItem::Name(s) => self.error(
                            self.span(s.parts[0]),
                            "reserved names must be identifiers in editions, not string literals",
                            Some("remove the quotes: `reserved foo;`"),
                        ),
                        // protox only knows `reserved "name";`: parse the name as a number of the
                        // same length and turn it back into a reserved name afterwards.
                        ReservedItem::Ident(t) => {
                            let span = self.span(*t);
                            self.rewrite[span.range()].fill(b' ');
                            self.rewrite[span.start as usize] = b'1';
                            self.reserved_names.push(span);
                            self.reserved_statements.push(self.span(d.keyword).start);
                        }
                        ReservedItem::Range(_) => {}
                    }
                }
            }
            Decl::EnumValue(d) => self.compact(d.options.as_ref()),
            Decl::Rpc(d) => {
                if let Some(body) = &d.body {
                    for inner in &body.decls {
                        self.decl(inner, Parent::Service);
                    }
                }
            }
            Decl::Package(_) | Decl::Empty(_) => {}
        }
    }

    /// `import` statements: `weak` is gone in 2024, `import option` arrived in 2024 (it is
    /// linked as a plain import, see [`Restore::option_imports`]) and comes after the plain
    /// imports, as buf requires.
    fn import(&mut self, d: &syntax::ImportDecl) {
        let statement = Span {
            start: self.span(d.keyword).start,
            end: self.span(d.semicolon).end,
        };
        let path = self.tree.string_value(&d.path);
        let mut is_option = false;
        if let Some(m) = d.modifier {
            match self.tree.text(m) {
                "weak" if self.edition >= Edition::E2024 => self.error(
                    self.span(m),
                    "`import weak` is not supported in Edition 2024",
                    Some("remove `weak`"),
                ),
                "option" if self.edition < Edition::E2024 => self.error(
                    self.span(m),
                    format!(
                        "`import option` is not supported in Edition {}",
                        self.edition.name()
                    ),
                    Some("use `edition = \"2024\";`, or a plain `import`"),
                ),
                "option" => {
                    is_option = true;
                    self.blank(self.span(m));
                }
                _ => {}
            }
        }
        let after_option = self.imports.iter().any(|(_, o)| *o);
        let duplicate = self
            .imports
            .iter()
            .any(|(p, o)| *p == path && (*o || is_option));
        if duplicate {
            self.error(
                statement,
                "file imported multiple times",
                Some("import each file once"),
            );
        }
        if after_option && !is_option {
            self.error(
                statement,
                "import after `import option`",
                Some("list the plain imports before the `import option` statements"),
            );
        }
        self.imports.push((path, is_option));
    }

    fn visibility(&mut self, visibility: Option<syntax::TokenId>) {
        let Some(v) = visibility else { return };
        if self.edition < Edition::E2024 {
            self.error(
                self.span(v),
                format!(
                    "'{}' is only allowed in edition 2024 and later",
                    self.tree.text(v)
                ),
                Some("use `edition = \"2024\";` or remove the visibility keyword"),
            );
        } else {
            self.blank(self.span(v));
        }
    }

    fn option_name(&self, d: &OptionDecl) -> String {
        d.name.tokens.iter().map(|t| self.tree.text(*t)).collect()
    }

    fn option(&mut self, d: &OptionDecl, parent: Parent) {
        let name = self.option_name(d);
        let span = Span {
            start: self.span(d.name.tokens[0]).start,
            end: self
                .span(*d.name.tokens.last().unwrap_or(&d.name.tokens[0]))
                .end,
        };
        if parent == Parent::File && name == "java_string_check_utf8" {
            self.error(
                span,
                "file option java_string_check_utf8 is not allowed in editions",
                Some("use `option features.(pb.java).utf8_validation = VERIFY;` (import \"google/protobuf/java_features.proto\")"),
            );
        }
        // descriptor.proto: `feature_support = { edition_removed: EDITION_2024 }`.
        if parent == Parent::File && name == "java_multiple_files" && self.edition >= Edition::E2024
        {
            self.error(
                span,
                format!(
                    "`java_multiple_files` is not supported in Edition {}",
                    self.edition.name()
                ),
                Some("every message, enum and service gets its own Java file by default since edition 2024; to nest one in the file class, set `features.(pb.java).nest_in_file_class = YES` on it"),
            );
        }
        if parent == Parent::File
            && name == "features.field_presence"
            && self.tree.text(d.value.first_token()) == "LEGACY_REQUIRED"
        {
            self.error(
                self.span(d.value.first_token()),
                "cannot set `LEGACY_REQUIRED` at the file level",
                Some("set `features.field_presence = LEGACY_REQUIRED` on each required field"),
            );
        }
    }

    fn compact(&mut self, options: Option<&CompactOptions>) {
        let Some(options) = options else { return };
        for d in &options.options {
            let name = self.option_name(d);
            let first = d.name.tokens[0];
            let span = self.span(first);
            if self.tree.token(first).kind != TokenKind::Ident {
                continue;
            }
            match name.as_str() {
                "packed" => self.error(
                    span,
                    "field option 'packed' is not allowed in editions",
                    Some("use `[features.repeated_field_encoding = EXPANDED]` (PACKED is the default)"),
                ),
                // protox refuses defaults in its proto3 grammar: parse it as a custom option of the
                // same length and turn it back into `default_value` afterwards.
                "default" => {
                    self.rewrite[span.range()].copy_from_slice(DEFAULT_PLACEHOLDER.as_bytes());
                    // Custom option values cannot be `-inf` / `-nan`: write a float of the same
                    // length (`-9.0`); the default is restored from the source text.
                    if let syntax::Value::Signed { value, .. } = &d.value {
                        let token = self.tree.token(*value);
                        if token.kind == TokenKind::Ident && token.span.range().len() >= 2 {
                            let n = token.span.range().len();
                            let float = format!("9.{}", "0".repeat(n - 2));
                            self.rewrite[token.span.range()].copy_from_slice(float.as_bytes());
                        }
                    }
                }
                "ctype" if self.edition >= Edition::E2024 => self.error(
                    span,
                    "field option 'ctype' is not allowed in edition 2024",
                    Some("use `[features.(pb.cpp).string_type = ...]` (import \"google/protobuf/cpp_features.proto\")"),
                ),
                _ => {}
            }
        }
    }
}

//! Checks buf makes after linking that depend on what `descriptor.proto` and the language
//! feature files declare, plus edition 2024's naming style:
//!
//! - every explicitly set feature (core, `pb.cpp`, `pb.java`, `pb.go`) must exist in the file's
//!   edition (`feature_support.edition_introduced` / `edition_removed` of the feature, and of
//!   its value): "`X` is not supported in Edition 2023";
//! - and be set on an element its `targets` allow: "unsupported option target for `X`" (buf
//!   checks files, messages, fields, extensions, oneofs, enums and enum values; not services,
//!   methods or extension ranges);
//! - `enforce_naming_style = STYLE2024` (the 2024 default): PascalCase types, services and
//!   methods, snake_case fields, oneofs and extensions, SCREAMING_SNAKE_CASE enum values,
//!   lower_snake_case package components;
//! - enums with `json_format = ALLOW` (proto3, editions): no two values with the same name
//!   once the enum name prefix is stripped and case ignored (unless they share a number).
//!
//! The metadata is read from the linked pool's `google.protobuf.FeatureSet`, `pb.CppFeatures`,
//! `pb.JavaFeatures` and `pb.GoFeatures`, so it follows the descriptor.proto we ship.

use crate::compile::json_names::enum_value_pascal;
use std::collections::HashMap;

use prost::Message as _;
use prost_reflect::{DescriptorPool, FileDescriptor, MessageDescriptor, Value};

use super::features::{self, explicit_features, features_field, EnforceNamingStyle, JsonFormat};
use super::Edition;
use crate::check::{Finding, Span};
use crate::image::{Image, ImageFile};

/// `google.protobuf.FieldOptions.OptionTargetType` numbers.
mod target {
    pub const FILE: i32 = 1;
    pub const MESSAGE: i32 = 3;
    pub const FIELD: i32 = 4;
    pub const ONEOF: i32 = 5;
    pub const ENUM: i32 = 6;
    pub const ENUM_ENTRY: i32 = 7;
}

/// Plural names of target types, for help lines.
fn target_name(t: i32) -> Option<&'static str> {
    Some(match t {
        1 => "files",
        2 => "extension ranges",
        3 => "messages",
        4 => "fields",
        5 => "oneofs",
        6 => "enums",
        7 => "enum values",
        8 => "services",
        9 => "methods",
        _ => return None,
    })
}

/// One place where features can be written.
struct Site {
    /// `SourceCodeInfo` path of the element's options (`[4, 0, 7]` for message 0).
    options_path: Vec<i32>,
    /// Number of the `features` field in those options.
    features_field: u32,
    /// The element's target type, when buf checks targets there.
    target: Option<i32>,
    set: features::FeatureSet,
}

/// A feature field: name, allowed targets, the editions it exists in, and the same for the
/// values of its enum type.
#[derive(Debug, Clone)]
struct FeatureMeta {
    name: String,
    targets: Vec<i32>,
    support: Support,
    values: HashMap<i32, (String, Support)>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Support {
    introduced: Option<i32>,
    removed: Option<i32>,
}

impl Support {
    fn from_options(options: &prost_reflect::DynamicMessage) -> Support {
        if !options.has_field_by_name("feature_support") {
            return Support::default();
        }
        let value = options.get_field_by_name("feature_support");
        let Some(Value::Message(fs)) = value.as_deref() else {
            return Support::default();
        };
        let number = |name: &str| match fs.get_field_by_name(name).as_deref() {
            Some(Value::EnumNumber(n)) if fs.has_field_by_name(name) => Some(*n),
            _ => None,
        };
        Support {
            introduced: number("edition_introduced"),
            removed: number("edition_removed"),
        }
    }

    /// "`x` exists from edition 2024 on" and the like, for help lines.
    fn describe(self, name: &str) -> String {
        let edition = |n: i32| match n {
            998 => "proto2".to_string(),
            999 => "proto3".to_string(),
            9999 => "the unstable edition".to_string(),
            n if n >= 1000 => format!("edition {}", n - 1000 + 2023),
            n => format!("edition number {n}"),
        };
        match (self.introduced, self.removed) {
            (Some(i), Some(r)) if i >= r => format!("`{name}` cannot be set in any edition"),
            (Some(i), Some(r)) => format!(
                "`{name}` exists from {} until before {}",
                edition(i),
                edition(r)
            ),
            (Some(i), None) => format!("`{name}` exists from {} on", edition(i)),
            (None, Some(r)) => format!("`{name}` was removed in {}", edition(r)),
            (None, None) => format!("`{name}` is not available here"),
        }
    }

    fn allows(self, edition: Edition) -> bool {
        let n = edition.number();
        self.introduced.is_none_or(|i| n >= i) && self.removed.is_none_or(|r| n < r)
    }
}

/// Feature metadata by (extension number, 0 for core features; field number).
struct Metas<'a> {
    pool: &'a DescriptorPool,
    cache: HashMap<(u32, u32), Option<FeatureMeta>>,
}

impl Metas<'_> {
    fn get(&mut self, ext: u32, number: u32) -> Option<&FeatureMeta> {
        let pool = self.pool;
        self.cache
            .entry((ext, number))
            .or_insert_with(|| {
                let message = match ext {
                    0 => "google.protobuf.FeatureSet",
                    1000 => "pb.CppFeatures",
                    1001 => "pb.JavaFeatures",
                    1002 => "pb.GoFeatures",
                    _ => return None,
                };
                let field = pool.get_message_by_name(message)?.get_field(number)?;
                let options = field.options();
                let targets = match options.get_field_by_name("targets").as_deref() {
                    Some(Value::List(items)) => items
                        .iter()
                        .filter_map(|v| match v {
                            Value::EnumNumber(n) => Some(*n),
                            _ => None,
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                let values = match field.kind() {
                    prost_reflect::Kind::Enum(e) => e
                        .values()
                        .map(|v| {
                            let support = Support::from_options(&v.options());
                            (v.number(), (v.name().to_string(), support))
                        })
                        .collect(),
                    _ => HashMap::new(),
                };
                Some(FeatureMeta {
                    name: field.name().to_string(),
                    targets,
                    support: Support::from_options(&options),
                    values,
                })
            })
            .as_ref()
    }
}

/// Feature existence (edition) and target checks for every feature set written in `file`.
pub(super) fn feature_sets(image: &Image, file: &ImageFile, out: &mut Vec<Finding>) {
    let (Some(edition), Some(fd)) = (file.edition, image.file_descriptor(file.name())) else {
        return;
    };
    let Some(pool) = image.pool_of(file.name()) else {
        return;
    };
    let mut metas = Metas {
        pool,
        cache: HashMap::new(),
    };
    for site in sites(&fd) {
        let groups = [
            (0u32, &site.set.core),
            (1000, &site.set.cpp),
            (1001, &site.set.java),
            (1002, &site.set.go),
        ];
        for (ext, values) in groups {
            for &(number, value) in values {
                let Some(meta) = metas.get(ext, number).cloned() else {
                    continue;
                };
                let mut path = site.options_path.clone();
                path.push(site.features_field as i32);
                if ext != 0 {
                    path.push(ext as i32);
                }
                path.push(number as i32);
                let found = find_feature(file, &path, &meta.name);
                let mut report = |part: Option<(usize, usize)>, message: String, help: String| {
                    let span = match (part, file.source.as_deref()) {
                        (Some((a, b)), Some(src)) => Some(Span::from_byte_range(src, a, b)),
                        _ => file.locations().span(&path),
                    };
                    let finding =
                        Finding::new("COMPILE", Some(file.external_path.clone()), span, message);
                    out.push(finding.with_help(help));
                };
                if !meta.support.allows(edition) {
                    report(
                        found.map(|f| f.option_name),
                        format!(
                            "`{}` is not supported in Edition {}",
                            meta.name,
                            edition.name()
                        ),
                        meta.support.describe(&meta.name),
                    );
                    continue;
                }
                if let Some((value_name, support)) = meta.values.get(&(value as i32)) {
                    if !support.allows(edition) {
                        report(
                            found.and_then(|f| f.value),
                            format!(
                                "`{value_name}` is not supported in Edition {}",
                                edition.name()
                            ),
                            support.describe(value_name),
                        );
                        continue;
                    }
                }
                if let Some(t) = site.target {
                    if !meta.targets.is_empty() && !meta.targets.contains(&t) {
                        let allowed: Vec<&str> = meta
                            .targets
                            .iter()
                            .filter_map(|&t| target_name(t))
                            .collect();
                        report(
                            found.map(|f| f.feature_name),
                            format!("unsupported option target for `{}`", meta.name),
                            format!("`{}` can be set on: {}", meta.name, allowed.join(", ")),
                        );
                    }
                }
            }
        }
    }
}

/// Byte ranges in the source of one written feature: `features.(pb.java).x`, `x`, the value.
#[derive(Debug, Clone, Copy)]
struct FoundFeature {
    option_name: (usize, usize),
    feature_name: (usize, usize),
    value: Option<(usize, usize)>,
}

/// Finds `features[.(ext)].name = value` inside the location of `path` (or of its parents).
fn find_feature(file: &ImageFile, path: &[i32], name: &str) -> Option<FoundFeature> {
    let source = file.source.as_deref()?;
    let locs = file.locations();
    let (start, end) = (1..=path.len())
        .rev()
        .find_map(|len| locs.get(&path[..len]))
        .and_then(|l| byte_range(source, &l.span))?;
    let text = &source[start..end];
    let bytes = text.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut from = 0;
    while let Some(rel) = text[from..].find(name) {
        let at = from + rel;
        from = at + name.len();
        let before = text[..at].trim_end();
        let whole_word = !before.is_empty()
            && before.ends_with('.')
            && bytes.get(at + name.len()).is_none_or(|&c| !word(c));
        if !whole_word {
            continue;
        }
        let Some(features_at) = text[..at].rfind("features") else {
            continue;
        };
        let after = &text[from..];
        let value = after.trim_start().strip_prefix('=').map(|rest| {
            let lead = after.len() - rest.len() + (rest.len() - rest.trim_start().len());
            let len = rest
                .trim_start()
                .bytes()
                .take_while(|&c| word(c) || c == b'-' || c == b'.')
                .count();
            (start + from + lead, start + from + lead + len)
        });
        return Some(FoundFeature {
            option_name: (start + features_at, start + from),
            feature_name: (start + at, start + from),
            value,
        });
    }
    None
}

/// Byte offsets of a `SourceCodeInfo` span (0-based lines, columns in characters).
fn byte_range(source: &str, span: &[i32]) -> Option<(usize, usize)> {
    let (sl, sc, el, ec) = match *span {
        [sl, sc, ec] => (sl, sc, sl, ec),
        [sl, sc, el, ec] => (sl, sc, el, ec),
        _ => return None,
    };
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(source.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let at = |l: i32, c: i32| -> Option<usize> {
        let start = *line_starts.get(usize::try_from(l).ok()?)?;
        let line = &source[start..];
        let line = &line[..line.find('\n').unwrap_or(line.len())];
        Some(
            start
                + line
                    .char_indices()
                    .nth(usize::try_from(c).ok()?)
                    .map(|(i, _)| i)
                    .unwrap_or(line.len()),
        )
    };
    let (a, b) = (at(sl, sc)?, at(el, ec)?);
    (a <= b).then_some((a, b))
}

/// Every element of a file that can carry features, with its explicit features.
fn sites(fd: &FileDescriptor) -> Vec<Site> {
    let mut out = Vec::new();
    let mut push = |options_path: Vec<i32>, field: u32, target: Option<i32>, opts: Vec<u8>| {
        let set = explicit_features(&opts, field);
        if !set.is_empty() {
            out.push(Site {
                options_path,
                features_field: field,
                target,
                set,
            });
        }
    };
    push(
        vec![8],
        features_field::FILE,
        Some(target::FILE),
        fd.options().encode_to_vec(),
    );
    let file_bytes = fd.encode_to_vec();
    let mut stack: Vec<(MessageDescriptor, Vec<i32>)> = fd
        .messages()
        .enumerate()
        .map(|(i, m)| (m, vec![4, i as i32]))
        .collect();
    while let Some((m, path)) = stack.pop() {
        if m.is_map_entry() {
            continue;
        }
        let at = |tail: &[i32]| [path.as_slice(), tail].concat();
        push(
            at(&[7]),
            features_field::MESSAGE,
            Some(target::MESSAGE),
            m.options().encode_to_vec(),
        );
        for (i, f) in m.fields().enumerate() {
            push(
                at(&[2, i as i32, 8]),
                features_field::FIELD,
                Some(target::FIELD),
                f.options().encode_to_vec(),
            );
        }
        for (i, o) in m.oneofs().enumerate() {
            push(
                at(&[8, i as i32, 2]),
                features_field::ONEOF,
                Some(target::ONEOF),
                o.options().encode_to_vec(),
            );
        }
        for (i, x) in m.child_extensions().enumerate() {
            push(
                at(&[6, i as i32, 8]),
                features_field::FIELD,
                Some(target::FIELD),
                x.options().encode_to_vec(),
            );
        }
        // prost-types drops `features` from ExtensionRangeOptions: read the file's bytes.
        for i in 0..m.descriptor_proto().extension_range.len() {
            let range_path = at(&[5, i as i32]);
            if let Some(range) = features::raw_at(&file_bytes, &range_path) {
                for opts in features::raw_messages(range, 3) {
                    push(
                        at(&[5, i as i32, 3]),
                        features_field::EXTENSION_RANGE,
                        None,
                        opts.to_vec(),
                    );
                }
            }
        }
        for (i, e) in m.child_enums().enumerate() {
            enum_sites(&e, at(&[4, i as i32]), &mut push);
        }
        for (i, n) in m.child_messages().enumerate() {
            stack.push((n, at(&[3, i as i32])));
        }
    }
    for (i, e) in fd.enums().enumerate() {
        enum_sites(&e, vec![5, i as i32], &mut push);
    }
    for (i, x) in fd.extensions().enumerate() {
        push(
            vec![7, i as i32, 8],
            features_field::FIELD,
            Some(target::FIELD),
            x.options().encode_to_vec(),
        );
    }
    for (i, s) in fd.services().enumerate() {
        push(
            vec![6, i as i32, 3],
            features_field::SERVICE,
            None,
            s.options().encode_to_vec(),
        );
        for (j, m) in s.methods().enumerate() {
            push(
                vec![6, i as i32, 2, j as i32, 4],
                features_field::METHOD,
                None,
                m.options().encode_to_vec(),
            );
        }
    }
    out
}

fn enum_sites(
    e: &prost_reflect::EnumDescriptor,
    path: Vec<i32>,
    push: &mut dyn FnMut(Vec<i32>, u32, Option<i32>, Vec<u8>),
) {
    push(
        [path.as_slice(), &[3]].concat(),
        features_field::ENUM,
        Some(target::ENUM),
        e.options().encode_to_vec(),
    );
    for (j, v) in e.values().enumerate() {
        push(
            [path.as_slice(), &[2, j as i32, 3]].concat(),
            features_field::ENUM_VALUE,
            Some(target::ENUM_ENTRY),
            v.options().encode_to_vec(),
        );
    }
}

/// `^[A-Z][A-Za-z0-9]*$`
fn is_pascal_case(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase()) && chars.all(|c| c.is_ascii_alphanumeric())
}

/// Words of `[a-z][a-z0-9]*` (or upper case) joined by single underscores.
fn is_snake_case(name: &str, upper: bool) -> bool {
    name.split('_').all(|word| {
        let mut chars = word.chars();
        let first_ok = chars.next().is_some_and(|c| match upper {
            true => c.is_ascii_uppercase(),
            false => c.is_ascii_lowercase(),
        });
        first_ok
            && chars.all(|c| {
                c.is_ascii_digit()
                    || match upper {
                        true => c.is_ascii_uppercase(),
                        false => c.is_ascii_lowercase(),
                    }
            })
    })
}

/// Edition 2024's `enforce_naming_style = STYLE2024`, element by element (the feature can be
/// switched off anywhere below the file).
pub(super) fn naming_style(image: &Image, file: &ImageFile, out: &mut Vec<Finding>) {
    let Some(fd) = image.file_descriptor(file.name()) else {
        return;
    };
    let style = |f: features::Features| f.enforce_naming_style == EnforceNamingStyle::Style2024;
    let locs = file.locations();
    let package = fd.package_name();
    if style(features::file_features(image, &fd))
        && !package.is_empty()
        && !package.split('.').all(|p| is_snake_case(p, false))
    {
        // As buf: at the name, not the whole statement.
        let name_span = file.source.as_deref().and_then(|src| {
            let (a, b) = byte_range(src, &locs.get(&[2])?.span)?;
            let at = a + src[a..b].find(package)?;
            Some(Span::from_byte_range(src, at, at + package.len()))
        });
        out.push(Finding::new(
            "COMPILE",
            Some(file.external_path.clone()),
            name_span.or_else(|| locs.span(&[2])),
            "package name should be lower_snake_case".to_string(),
        ));
    }
    let mut report = |path: Vec<i32>, message: &str| {
        out.push(Finding::new(
            "COMPILE",
            Some(file.external_path.clone()),
            locs.span(&path),
            message.to_string(),
        ));
    };
    let mut stack: Vec<(MessageDescriptor, Vec<i32>)> = fd
        .messages()
        .enumerate()
        .map(|(i, m)| (m, vec![4, i as i32]))
        .collect();
    while let Some((m, path)) = stack.pop() {
        if m.is_map_entry() {
            continue;
        }
        let at = |tail: &[i32]| [path.as_slice(), tail].concat();
        if style(features::message_features(image, &m)) && !is_pascal_case(m.name()) {
            report(at(&[1]), "message type name should be PascalCase");
        }
        for (i, f) in m.fields().enumerate() {
            if style(features::field_features(image, &f)) && !is_snake_case(f.name(), false) {
                report(at(&[2, i as i32, 1]), "field name should be snake_case");
            }
        }
        for (i, o) in m.oneofs().enumerate() {
            if style(features::oneof_features(image, &o)) && !is_snake_case(o.name(), false) {
                report(at(&[8, i as i32, 1]), "oneof name should be snake_case");
            }
        }
        for (i, x) in m.child_extensions().enumerate() {
            if style(features::extension_features(image, &x)) && !is_snake_case(x.name(), false) {
                report(at(&[6, i as i32, 1]), "extension name should be snake_case");
            }
        }
        for (i, e) in m.child_enums().enumerate() {
            enum_naming(image, &e, at(&[4, i as i32]), &mut report);
        }
        for (i, n) in m.child_messages().enumerate() {
            stack.push((n, at(&[3, i as i32])));
        }
    }
    for (i, e) in fd.enums().enumerate() {
        enum_naming(image, &e, vec![5, i as i32], &mut report);
    }
    for (i, x) in fd.extensions().enumerate() {
        if style(features::extension_features(image, &x)) && !is_snake_case(x.name(), false) {
            report(vec![7, i as i32, 1], "extension name should be snake_case");
        }
    }
    for (i, s) in fd.services().enumerate() {
        if style(features::service_features(image, &s)) && !is_pascal_case(s.name()) {
            report(vec![6, i as i32, 1], "service name should be PascalCase");
        }
        for (j, m) in s.methods().enumerate() {
            if style(features::method_features(image, &m)) && !is_pascal_case(m.name()) {
                report(
                    vec![6, i as i32, 2, j as i32, 1],
                    "RPC method name should be PascalCase",
                );
            }
        }
    }
}

fn enum_naming(
    image: &Image,
    e: &prost_reflect::EnumDescriptor,
    path: Vec<i32>,
    report: &mut dyn FnMut(Vec<i32>, &str),
) {
    let style = |f: features::Features| f.enforce_naming_style == EnforceNamingStyle::Style2024;
    if style(features::enum_features(image, e)) && !is_pascal_case(e.name()) {
        report(
            [path.as_slice(), &[1]].concat(),
            "enum type name should be PascalCase",
        );
    }
    for (j, v) in e.values().enumerate() {
        if style(features::enum_value_features(image, &v)) && !is_snake_case(v.name(), true) {
            report(
                [path.as_slice(), &[2, j as i32, 1]].concat(),
                "enum value name should be SCREAMING_SNAKE_CASE",
            );
        }
    }
}

/// protoc's enum value uniqueness check for enums with `json_format = ALLOW`: the value names,
/// with the enum name prefix stripped (case and underscores ignored) and PascalCased, must
/// differ unless the values share a number.
pub(super) fn enum_value_conflicts(image: &Image, file: &ImageFile, out: &mut Vec<Finding>) {
    // Outside editions (the caller asks for proto3 files) nothing can set `json_format`: every
    // enum allows JSON. In editions each enum's features say, from the pool.
    let pool = match file.edition {
        Some(_) => match image.file_descriptor(file.name()) {
            Some(fd) => Some(fd.parent_pool().clone()),
            None => return,
        },
        None => None,
    };
    let proto = file.proto();
    // Each enum with its path and full name (looked up in the pool: editions only): the file's
    // own first, then those of its messages.
    let mut enums: Vec<(&prost_types::EnumDescriptorProto, Vec<i32>, String)> = Vec::new();
    let scoped = |scope: &str, name: &str| match (&pool, scope) {
        (None, _) => String::new(),
        (Some(_), "") => name.to_string(),
        (Some(_), _) => format!("{scope}.{name}"),
    };
    for (i, e) in proto.enum_type.iter().enumerate() {
        enums.push((e, vec![5, i as i32], scoped(proto.package(), e.name())));
    }
    let mut stack: Vec<(&prost_types::DescriptorProto, Vec<i32>, String)> = proto
        .message_type
        .iter()
        .enumerate()
        .map(|(i, m)| (m, vec![4, i as i32], scoped(proto.package(), m.name())))
        .collect();
    while let Some((m, path, name)) = stack.pop() {
        for (i, e) in m.enum_type.iter().enumerate() {
            let at = [path.as_slice(), &[4, i as i32]].concat();
            enums.push((e, at, scoped(&name, e.name())));
        }
        for (i, n) in m.nested_type.iter().enumerate() {
            let at = [path.as_slice(), &[3, i as i32]].concat();
            stack.push((n, at, scoped(&name, n.name())));
        }
    }
    for (e, path, full_name) in enums {
        if let Some(pool) = &pool {
            let Some(resolved) = pool.get_enum_by_name(&full_name) else {
                continue;
            };
            if features::enum_features(image, &resolved).json_format != JsonFormat::Allow {
                continue;
            }
        }
        let values = e.value.iter().map(|v| (v.name(), v.number()));
        conflicts_in(file, e.name(), values, &path, out);
    }
}

/// The conflicts among one enum's `values` (name, number), the enum at `path` in `file`.
fn conflicts_in<'a>(
    file: &ImageFile,
    enum_name: &str,
    values: impl Iterator<Item = (&'a str, i32)>,
    path: &[i32],
    out: &mut Vec<Finding>,
) {
    let mut seen: HashMap<String, (&str, i32)> = HashMap::new();
    for (j, (name, number)) in values.enumerate() {
        let key = enum_value_pascal(enum_name, name);
        match seen.get(&key) {
            Some(&(first, first_number)) if first != name && first_number != number => {
                out.push(Finding::new(
                    "COMPILE",
                    Some(file.external_path.clone()),
                    file.locations().span(&[path, &[2, j as i32, 1]].concat()),
                    format!("enum values have the same name with the `{enum_name}` prefix removed"),
                ));
            }
            Some(_) => {}
            None => {
                seen.insert(key, (name, number));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naming_styles_match_buf() {
        for ok in ["Foo", "F", "F2", "FOO", "HTTPThing", "A1B2"] {
            assert!(is_pascal_case(ok), "{ok}");
        }
        for bad in ["Foo_Bar", "foo", "X_", ""] {
            assert!(!is_pascal_case(bad), "{bad}");
        }
        for ok in ["a", "a1b", "field1", "ab_c1", "a_b_c", "x9_y", "http2_ok"] {
            assert!(is_snake_case(ok, false), "{ok}");
        }
        for bad in ["field_1", "f_1", "_x", "a__b", "a_", "aB", "a_1b", ""] {
            assert!(!is_snake_case(bad, false), "{bad}");
        }
        for ok in ["E_A", "E2_A1", "EA_B", "E_A1_B", "E1"] {
            assert!(is_snake_case(ok, true), "{ok}");
        }
        for bad in ["E_1", "E__B", "E_", "e_one", "E_Two"] {
            assert!(!is_snake_case(bad, true), "{bad}");
        }
    }

    #[test]
    fn enum_prefixes_strip_as_protoc() {
        use crate::compile::json_names::{pascal_value, strip_enum_prefix as strip_prefix};
        assert_eq!(strip_prefix("COLOR_RED", "color"), "RED");
        assert_eq!(strip_prefix("COLORRED", "color"), "RED");
        assert_eq!(strip_prefix("COLOR", "color"), "COLOR");
        assert_eq!(strip_prefix("RED", "color"), "RED");
        assert_eq!(pascal_value("RED"), "Red");
        assert_eq!(pascal_value("E_1"), pascal_value("E1"));
    }
}

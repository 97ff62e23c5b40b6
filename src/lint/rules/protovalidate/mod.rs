//! `PROTOVALIDATE`: buf's checks of `buf.validate` annotations, over the prost-reflect pool (custom
//! options are only visible there). The pieces:
//! - `locate`: where buf puts a finding inside an option (it breaks message literals down);
//! - `report`: the per-field reporter (rule names such as `(buf.validate.field).string.min_len`);
//! - `field`: rules vs. the field's type, repeated/map/oneof rules, `required` and `ignore`;
//! - `scalar`: consistency of string, bytes, numeric, duration, timestamp and field-mask rules;
//! - `examples` and `formats`: `example` values judged by the standard rules next to them;
//! - `message`: `(buf.validate.message)` rules (`cel`, `oneof`) and predefined rule extensions;
//! - `cel`, `cel_types` and `cel_funcs`: CEL expressions parsed (cel crate, cel-go's grammar and
//!   messages) and type-checked (our checker, after cel-go's).

mod cel;
mod cel_funcs;
mod cel_types;
mod examples;
mod field;
mod formats;
mod gofmt;
mod locate;
mod message;
mod report;
mod scalar;

use prost_reflect::{DescriptorPool, ExtensionDescriptor, MessageDescriptor};

use crate::image::Image;
use crate::lint::{CheckedFile, Context, Sink};

crate::declare_rule! {
    /// Checks that protovalidate (`buf.validate`) annotations are valid and that their CEL
    /// expressions compile, as buf does when `buf/validate/validate.proto` is among the files
    /// (sources or include roots).
    ///
    /// Per field: the rule kind fits the field's type (`string.min_len` on an int32, `int32`
    /// rules on a `google.protobuf.StringValue`, scalar rules on a repeated field, `repeated`
    /// rules on a singular field, `map` rules on a non-map, `repeated.unique` on messages);
    /// `required` in a oneof or on an extension, `required` with `ignore = IGNORE_IF_ZERO_VALUE`,
    /// `IGNORE_ALWAYS` beside other rules, `IGNORE_IF_ZERO_VALUE` on a field that tracks presence;
    /// rules that contradict each other or leave no value (`min_len > max_len`, equal `min_len`
    /// and `max_len`, `len` with `min_len`, `min_items > max_items`, `min_pairs > max_pairs`,
    /// equal `gt` and `lt`, `const` with other rules, NaN bounds, `lt_now` with `gt_now`, a
    /// `prefix` longer than `max_len`, a `prefix` containing `not_contains`, a field-mask path in
    /// both `in` and `not_in`); a `pattern` that does not compile; `strict` without
    /// `well_known_regex`; invalid durations and timestamps, a `within` that is not positive;
    /// `required` on repeated items, map keys or map values; `example` values that break the
    /// rules beside them. Per message: `(buf.validate.message).oneof` entries that are empty,
    /// repeat a field, name a field that does not exist, or share a field. CEL rules (`cel` on
    /// fields and messages, `(buf.validate.predefined).cel` on rule extensions): the `id` uses
    /// only `a-z A-Z 0-9 . _ -` and is unique, the expression is set, parses, type-checks, and
    /// yields a bool or a string (a string result makes a `message` redundant).
    ///
    /// Why: protovalidate rejects such rules at runtime, or accepts them and never lets a value
    /// through; the schema is the place to find out.
    ///
    /// Bad:
    /// ```proto
    /// int32 age = 1 [(buf.validate.field).string.min_len = 1];
    /// string name = 2 [(buf.validate.field).string = {min_len: 5, max_len: 2}];
    /// ```
    /// Good:
    /// ```proto
    /// int32 age = 1 [(buf.validate.field).int32.gte = 0];
    /// string name = 2 [(buf.validate.field).string = {min_len: 2, max_len: 5}];
    /// ```
    ///
    /// Not checked by protoforge (buf does): CEL type-checking knows cel-go's standard library,
    /// its strings extension and protovalidate's functions, and types the rest (e.g. `getField`,
    /// optional values) as `dyn`, so some expressions buf rejects pass; `example` values are not
    /// judged against URI, IP-prefix and host-and-port formats, IPv6 zones, predefined rules and
    /// `cel` rules, nor when `required` or `ignore` is set; examples of message types (durations,
    /// timestamps, `any`, field masks) are not judged, as buf's message for them prints a Go
    /// pointer address.
    ///
    /// Fix: make the rule fit the field and agree with itself; fix the CEL expression.
    pub PROTOVALIDATE = "Checks that protovalidate rules are valid and all CEL expressions compile."
}

/// The descriptors of `buf/validate/validate.proto` the checks need.
pub(crate) struct Validate<'a> {
    pub image: &'a Image,
    pub pool: DescriptorPool,
    pub field_ext: ExtensionDescriptor,
    pub message_ext: ExtensionDescriptor,
    pub predefined_ext: Option<ExtensionDescriptor>,
    pub field_rules: MessageDescriptor,
}

impl<'a> Validate<'a> {
    /// The validate descriptors in `pool` (the pool a linted file was linked in).
    fn of(image: &'a Image, pool: &DescriptorPool) -> Option<Validate<'a>> {
        let field_ext = pool.get_extension_by_name("buf.validate.field")?;
        let message_ext = pool.get_extension_by_name("buf.validate.message")?;
        // `FieldRules` (`FieldConstraints` in older protovalidate releases): read by field numbers.
        let prost_reflect::Kind::Message(field_rules) = field_ext.kind() else {
            return None;
        };
        Some(Validate {
            image,
            pool: pool.clone(),
            field_ext,
            message_ext,
            predefined_ext: pool.get_extension_by_name("buf.validate.predefined"),
            field_rules,
        })
    }
}

pub fn check(cx: &Context, out: &mut Sink) {
    // A large input is linked in several pools: each file is read through the pool that holds it
    // (with everything it imports, validate.proto included when it uses it).
    let mut cached: Option<(DescriptorPool, Option<Validate>)> = None;
    for f in cx.targets() {
        let Some(pool) = cx.image.pool_of(f.name()) else {
            continue;
        };
        let same = matches!(&cached, Some((p, _)) if p == pool);
        if !same {
            cached = Some((pool.clone(), Validate::of(cx.image, pool)));
        }
        if let Some((_, Some(v))) = &cached {
            check_file(v, f, out);
        }
    }
}

fn check_file(v: &Validate, f: &CheckedFile, out: &mut Sink) {
    let Some(fd) = v.pool.get_file_by_name(f.name()) else {
        return;
    };
    let index = locate::FileIndex::new(f.file);
    // Element paths come from the walker; descriptors by full name from the pool.
    for m in &f.elements.messages {
        let Some(md) = v.pool.get_message_by_name(&m.full_name) else {
            continue;
        };
        message::check_message(v, f, &index, &md, &m.path, out);
        // Declaration order (the pool lists fields by number).
        for (i, proto) in m.proto.field.iter().enumerate() {
            let Some(field) = md.get_field_by_name(proto.name()) else {
                continue;
            };
            let mut path = m.path.clone();
            path.extend([crate::image::tag::message::FIELD, i as i32]);
            field::check_field(
                v,
                f,
                &index,
                &field::Target::field(v.image, &field),
                &path,
                out,
            );
        }
    }
    for field in &f.elements.fields {
        // Extensions (file-level or nested in a message).
        if !field.proto.extendee().is_empty() {
            if let Some(ext) = find_extension(&fd, field.proto) {
                let target = field::Target::extension(&ext);
                field::check_field(v, f, &index, &target, &field.path, out);
                message::check_predefined(v, f, &index, &ext, &field.path, out);
            }
        }
    }
}

/// The pool's extension for an extension field of `fd` (matched by extendee and number).
fn find_extension(
    fd: &prost_reflect::FileDescriptor,
    proto: &prost_types::FieldDescriptorProto,
) -> Option<ExtensionDescriptor> {
    let extendee = crate::lint::walk::strip_dot(proto.extendee());
    let all = fd
        .extensions()
        .chain(fd.messages().flat_map(|m| nested_extensions(&m)));
    all.into_iter().find(|e| {
        e.number() as i32 == proto.number()
            && e.containing_message().full_name() == extendee
            && e.name() == proto.name()
    })
}

fn nested_extensions(m: &MessageDescriptor) -> Vec<ExtensionDescriptor> {
    let mut out: Vec<ExtensionDescriptor> = m.child_extensions().collect();
    for n in m.child_messages() {
        out.extend(nested_extensions(&n));
    }
    out
}

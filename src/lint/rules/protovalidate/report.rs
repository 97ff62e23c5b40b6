//! The reporter of one field's `(buf.validate.field)` findings: it knows where each rule is in the
//! source and how buf names it (`(buf.validate.field).repeated.items.string.min_len`).

use prost_reflect::{Kind, MessageDescriptor};

use super::locate::OptionLocations;
use crate::check::Span;
use crate::lint::{CheckedFile, Sink};

pub(crate) struct Reporter<'a> {
    pub file: &'a CheckedFile<'a>,
    /// The element's own path (where findings go when the option has no location).
    pub element: &'a [i32],
    pub locations: &'a OptionLocations,
    pub field_rules: &'a MessageDescriptor,
    /// Prepended to every rule path (`[18, 4]` inside `repeated.items`).
    pub base: Vec<i32>,
    pub field_name: String,
    /// The field's type as buf prints it (`int32`, `map<string, int32>`, `foo.v1.Bar`).
    pub pretty_type: String,
}

impl<'a> Reporter<'a> {
    /// The same reporter for the rules under `base` (`repeated.items`, `map.keys`, `map.values`).
    pub fn nested(&self, base: &[i32]) -> Reporter<'a> {
        Reporter {
            file: self.file,
            element: self.element,
            locations: self.locations,
            field_rules: self.field_rules,
            base: base.to_vec(),
            field_name: self.field_name.clone(),
            pretty_type: self.pretty_type.clone(),
        }
    }

    fn full(&self, path: &[i32]) -> Vec<i32> {
        let mut p = self.base.clone();
        p.extend_from_slice(path);
        p
    }

    fn span(&self, path: &[i32]) -> Option<Span> {
        self.locations.find(&self.full(path))
    }

    fn emit(&self, out: &mut Sink, span: Option<Span>, message: &str) {
        match span {
            Some(span) => out.at_span(self.file, self.element, span, message),
            None => out.at(self.file, self.element, message),
        }
    }

    /// One finding at the rule at `path` (below `base`).
    pub fn add(&self, out: &mut Sink, path: &[i32], message: impl AsRef<str>) {
        self.emit(out, self.span(path), message.as_ref());
    }

    /// One finding at each of the rules at `paths`, once per distinct location.
    pub fn add_each(&self, out: &mut Sink, paths: &[&[i32]], message: impl AsRef<str>) {
        let mut seen: Vec<Option<Span>> = Vec::new();
        for p in paths {
            let span = self.span(p);
            if !seen.contains(&span) {
                seen.push(span);
                self.emit(out, span, message.as_ref());
            }
        }
    }

    /// buf's name of the rule at `path` (below `base`): `(buf.validate.field).string.min_len`.
    pub fn rule_name(&self, path: &[i32]) -> String {
        let mut name = "(buf.validate.field)".to_string();
        let mut md = Some(self.field_rules.clone());
        for n in self.full(path) {
            let Some(field) = md
                .as_ref()
                .and_then(|m| m.get_field(u32::try_from(n).ok()?))
            else {
                return name;
            };
            name.push('.');
            name.push_str(field.name());
            md = match field.kind() {
                Kind::Message(m) => Some(m),
                _ => return name,
            };
        }
        name
    }
}

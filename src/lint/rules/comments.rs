//! The `COMMENT_*` family (category COMMENTS): elements need a leading comment.

use crate::lint::{CheckedFile, Context, Sink, COMMENT_IGNORE_PREFIX};
use prost_types::field_descriptor_proto::Type;

crate::declare_rule! {
    /// Checks that every enum has a non-empty leading comment.
    ///
    /// Why: comments become the API documentation in generated code and docs sites. A comment
    /// made only of `buf:lint:ignore` lines does not count.
    ///
    /// Bad: `enum Color { ... }` with no comment above it.
    ///
    /// Good:
    /// ```proto
    /// // Color is the paint color of a car.
    /// enum Color { ... }
    /// ```
    ///
    /// Fix: write a `//` comment directly above the declaration.
    pub COMMENT_ENUM = "Checks that enums have non-empty comments."
}

crate::declare_rule! {
    /// Checks that every enum value has a non-empty leading comment.
    ///
    /// Why: comments become the API documentation in generated code and docs sites.
    ///
    /// Bad: `COLOR_RED = 1;` with no comment above it.
    ///
    /// Good:
    /// ```proto
    /// // The color of a fire truck.
    /// COLOR_RED = 1;
    /// ```
    ///
    /// Fix: write a `//` comment directly above the value.
    pub COMMENT_ENUM_VALUE = "Checks that enum values have non-empty comments."
}

crate::declare_rule! {
    /// Checks that every field has a non-empty leading comment (map entry fields and group
    /// fields are skipped: they cannot carry comments).
    ///
    /// Why: comments become the API documentation in generated code and docs sites.
    ///
    /// Bad: `string name = 1;` with no comment above it.
    ///
    /// Good:
    /// ```proto
    /// // The display name, at most 64 characters.
    /// string name = 1;
    /// ```
    ///
    /// Fix: write a `//` comment directly above the field.
    pub COMMENT_FIELD = "Checks that fields have non-empty comments."
}

crate::declare_rule! {
    /// Checks that every message has a non-empty leading comment (map entries are skipped).
    ///
    /// Why: comments become the API documentation in generated code and docs sites.
    ///
    /// Bad: `message User {}` with no comment above it.
    ///
    /// Good:
    /// ```proto
    /// // A user of the shop.
    /// message User {}
    /// ```
    ///
    /// Fix: write a `//` comment directly above the message.
    pub COMMENT_MESSAGE = "Checks that messages have non-empty comments."
}

crate::declare_rule! {
    /// Checks that every oneof has a non-empty leading comment (synthetic oneofs of proto3
    /// `optional` fields are skipped).
    ///
    /// Why: comments become the API documentation in generated code and docs sites.
    ///
    /// Bad: `oneof id { ... }` with no comment above it.
    ///
    /// Good:
    /// ```proto
    /// // How the user is identified.
    /// oneof id { ... }
    /// ```
    ///
    /// Fix: write a `//` comment directly above the oneof.
    pub COMMENT_ONEOF = "Checks that oneofs have non-empty comments."
}

crate::declare_rule! {
    /// Checks that every RPC has a non-empty leading comment.
    ///
    /// Why: comments become the API documentation in generated code and docs sites.
    ///
    /// Bad: `rpc GetUser(GetUserRequest) returns (GetUserResponse);` with no comment above it.
    ///
    /// Good:
    /// ```proto
    /// // Returns the user with the given id, or NOT_FOUND.
    /// rpc GetUser(GetUserRequest) returns (GetUserResponse);
    /// ```
    ///
    /// Fix: write a `//` comment directly above the RPC.
    pub COMMENT_RPC = "Checks that RPCs have non-empty comments."
}

crate::declare_rule! {
    /// Checks that every service has a non-empty leading comment.
    ///
    /// Why: comments become the API documentation in generated code and docs sites.
    ///
    /// Bad: `service UserService {}` with no comment above it.
    ///
    /// Good:
    /// ```proto
    /// // Manages the users of the shop.
    /// service UserService {}
    /// ```
    ///
    /// Fix: write a `//` comment directly above the service.
    pub COMMENT_SERVICE = "Checks that services have non-empty comments."
}

/// A comment counts when one of its lines is not blank and is not a comment ignore.
fn valid_comment(comment: Option<&str>) -> bool {
    comment.is_some_and(|c| {
        c.split('\n')
            .map(str::trim)
            .any(|l| !l.is_empty() && !l.starts_with(COMMENT_IGNORE_PREFIX))
    })
}

fn require(out: &mut Sink, f: &CheckedFile, path: &[i32], what: &str, name: &str) {
    let locations = f.file.locations();
    if locations.get(path).is_none() {
        return;
    }
    if !valid_comment(locations.leading_comments(path)) {
        out.at(
            f,
            path,
            format!("{what} {name:?} should have a non-empty comment for documentation."),
        );
    }
}

pub fn check_enum(cx: &Context, out: &mut Sink) {
    for f in cx.targets() {
        for e in &f.elements.enums {
            require(out, f, &e.path, "Enum", e.proto.name());
        }
    }
}

pub fn check_enum_value(cx: &Context, out: &mut Sink) {
    for f in cx.targets() {
        for v in &f.elements.enum_values {
            require(out, f, &v.path, "Enum value", v.proto.name());
        }
    }
}

pub fn check_field(cx: &Context, out: &mut Sink) {
    for f in cx.targets() {
        for field in &f.elements.fields {
            if field.parent_is_map_entry || field.proto.r#type() == Type::Group {
                continue;
            }
            require(out, f, &field.path, "Field", field.proto.name());
        }
    }
}

pub fn check_message(cx: &Context, out: &mut Sink) {
    for f in cx.targets() {
        for m in &f.elements.messages {
            if m.is_map_entry() {
                continue;
            }
            require(out, f, &m.path, "Message", m.proto.name());
        }
    }
}

pub fn check_oneof(cx: &Context, out: &mut Sink) {
    for f in cx.targets() {
        for o in &f.elements.oneofs {
            let members: Vec<_> = o
                .parent
                .field
                .iter()
                .filter(|fd| fd.oneof_index == Some(o.index as i32))
                .collect();
            if members.len() == 1 && members[0].proto3_optional() {
                continue;
            }
            require(out, f, &o.path, "Oneof", o.proto.name());
        }
    }
}

pub fn check_rpc(cx: &Context, out: &mut Sink) {
    for f in cx.targets() {
        for m in &f.elements.methods {
            require(out, f, &m.path, "RPC", m.proto.name());
        }
    }
}

pub fn check_service(cx: &Context, out: &mut Sink) {
    for f in cx.targets() {
        for s in &f.elements.services {
            require(out, f, &s.path, "Service", s.proto.name());
        }
    }
}

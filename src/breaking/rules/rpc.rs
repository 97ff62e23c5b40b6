//! RPCs: deletion, request and response types, streaming, idempotency level.

use prost_reflect::MethodDescriptor;

use super::relax_help;
use crate::breaking::{Pairs, Report};
use crate::image::{tag, ImageFile};

crate::declare_rule! {
    /// Checks that no RPC is deleted from a service. Reported on the service.
    pub RPC_NO_DELETE = "Checks that RPCs are not deleted from services."
}

crate::declare_rule! {
    /// Checks that an RPC keeps its client streaming (unary request or stream of requests).
    pub RPC_SAME_CLIENT_STREAMING = "Checks that RPCs keep their client streaming."
}

crate::declare_rule! {
    /// Checks that an RPC keeps its `idempotency_level` option (it decides e.g. whether Connect
    /// clients may use GET).
    pub RPC_SAME_IDEMPOTENCY_LEVEL = "Checks that RPCs keep their idempotency level."
}

crate::declare_rule! {
    /// Checks that an RPC keeps its request type.
    pub RPC_SAME_REQUEST_TYPE = "Checks that RPCs keep their request type."
}

crate::declare_rule! {
    /// Checks that an RPC keeps its response type.
    pub RPC_SAME_RESPONSE_TYPE = "Checks that RPCs keep their response type."
}

crate::declare_rule! {
    /// Checks that an RPC keeps its server streaming (unary response or stream of responses).
    pub RPC_SAME_SERVER_STREAMING = "Checks that RPCs keep their server streaming."
}

fn files<'a>(
    p: &Pairs<'a>,
    prev: &MethodDescriptor,
    cur: &MethodDescriptor,
) -> (Option<&'a ImageFile>, Option<&'a ImageFile>) {
    (
        p.current.file(cur.parent_file().name()),
        p.previous.file(prev.parent_file().name()),
    )
}

pub(super) fn no_delete<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    for (prev, cur) in &p.services {
        for m in prev.methods() {
            if cur.methods().any(|c| c.name() == m.name()) {
                continue;
            }
            r.at(
                p.current.file(cur.parent_file().name()),
                cur.path(),
                p.previous.file(prev.parent_file().name()),
                format!(
                    "Previously present RPC {:?} on service {:?} was deleted.",
                    m.name(),
                    cur.name()
                ),
            )
            .help(relax_help("RPC_NO_DELETE", "an RPC"));
        }
    }
}

fn streaming<'a>(
    p: &Pairs<'a>,
    r: &mut Report<'a>,
    side: &str,
    get: fn(&MethodDescriptor) -> bool,
) {
    for (prev, cur) in &p.methods {
        if get(prev) == get(cur) {
            continue;
        }
        let (from, to) = if get(cur) {
            ("unary", "streaming")
        } else {
            ("streaming", "unary")
        };
        let (file, against) = files(p, prev, cur);
        r.at(
            file,
            cur.path(),
            against,
            format!(
                "RPC {:?} on service {:?} changed from {side} {from} to {side} {to}.",
                cur.name(),
                cur.parent_service().name()
            ),
        );
    }
}

pub(super) fn same_client_streaming<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    streaming(p, r, "client", MethodDescriptor::is_client_streaming)
}

pub(super) fn same_server_streaming<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    streaming(p, r, "server", MethodDescriptor::is_server_streaming)
}

fn same_type<'a>(
    p: &Pairs<'a>,
    r: &mut Report<'a>,
    what: &str,
    field: i32,
    name: fn(&MethodDescriptor) -> String,
) {
    for (prev, cur) in &p.methods {
        let (before, after) = (name(prev), name(cur));
        if before == after {
            continue;
        }
        let (file, against) = files(p, prev, cur);
        let mut path = cur.path().to_vec();
        path.push(field);
        r.at(
            file,
            &path,
            against,
            format!(
                "RPC {:?} on service {:?} changed {what} type from {before:?} to {after:?}.",
                cur.name(),
                cur.parent_service().name()
            ),
        );
    }
}

pub(super) fn same_request_type<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    same_type(p, r, "request", tag::method::INPUT_TYPE, |m| {
        m.method_descriptor_proto()
            .input_type()
            .trim_start_matches('.')
            .to_string()
    })
}

pub(super) fn same_response_type<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    same_type(p, r, "response", tag::method::OUTPUT_TYPE, |m| {
        m.method_descriptor_proto()
            .output_type()
            .trim_start_matches('.')
            .to_string()
    })
}

pub(super) fn same_idempotency_level<'a>(p: &Pairs<'a>, r: &mut Report<'a>) {
    let level = |m: &MethodDescriptor| {
        m.method_descriptor_proto()
            .options
            .as_ref()
            .map(|o| o.idempotency_level())
            .unwrap_or_default()
            .as_str_name()
    };
    for (prev, cur) in &p.methods {
        let (before, after) = (level(prev), level(cur));
        if before == after {
            continue;
        }
        let (file, against) = files(p, prev, cur);
        let mut path = cur.path().to_vec();
        path.extend([tag::method::OPTIONS, 34]);
        let message = format!(
            "RPC {:?} on service {:?} changed option \"idempotency_level\" from {before:?} to {after:?}.",
            cur.name(),
            cur.parent_service().name()
        );
        r.at(file, &path, against, message);
    }
}

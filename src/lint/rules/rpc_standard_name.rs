//! `RPC_REQUEST_STANDARD_NAME` and `RPC_RESPONSE_STANDARD_NAME`.

use crate::image::tag;
use crate::lint::naming::to_pascal_case;
use crate::lint::{Context, Sink};

crate::declare_rule! {
    /// Checks that an RPC's request type is named `<Rpc>Request` or `<Service><Rpc>Request`
    /// (`google.protobuf.Empty` is allowed with `rpc_allow_google_protobuf_empty_requests`).
    ///
    /// Why: a request message per RPC can grow new fields without touching other RPCs.
    ///
    /// Bad:
    /// ```proto
    /// rpc GetUser(UserId) returns (GetUserResponse);
    /// ```
    /// Good:
    /// ```proto
    /// rpc GetUser(GetUserRequest) returns (GetUserResponse);
    /// ```
    ///
    /// Fix: define a dedicated request message with the standard name.
    pub RPC_REQUEST_STANDARD_NAME = "Checks that RPC request type names are RPCNameRequest or ServiceNameRPCNameRequest (configurable)."
}

crate::declare_rule! {
    /// Checks that an RPC's response type is named `<Rpc>Response` or `<Service><Rpc>Response`
    /// (`google.protobuf.Empty` is allowed with `rpc_allow_google_protobuf_empty_responses`).
    ///
    /// Why: a response message per RPC can grow new fields without touching other RPCs.
    ///
    /// Bad:
    /// ```proto
    /// rpc GetUser(GetUserRequest) returns (User);
    /// ```
    /// Good:
    /// ```proto
    /// rpc GetUser(GetUserRequest) returns (GetUserResponse);
    /// ```
    ///
    /// Fix: define a dedicated response message with the standard name (it may wrap `User`).
    pub RPC_RESPONSE_STANDARD_NAME = "Checks that RPC response type names are RPCNameResponse or ServiceNameRPCNameResponse (configurable)."
}

const EMPTY: &str = "google.protobuf.Empty";

pub fn check_request(cx: &Context, out: &mut Sink) {
    standard_name(
        cx,
        out,
        "request",
        "Request",
        cx.options.rpc_allow_google_protobuf_empty_requests,
    );
}

pub fn check_response(cx: &Context, out: &mut Sink) {
    standard_name(
        cx,
        out,
        "response",
        "Response",
        cx.options.rpc_allow_google_protobuf_empty_responses,
    );
}

fn standard_name(cx: &Context, out: &mut Sink, what: &str, suffix: &str, allow_empty: bool) {
    let is_request = suffix == "Request";
    for f in cx.targets() {
        for m in &f.elements.methods {
            let full = if is_request {
                m.proto.input_type()
            } else {
                m.proto.output_type()
            };
            let full = full.strip_prefix('.').unwrap_or(full);
            if allow_empty && full == EMPTY {
                continue;
            }
            let name = full.rsplit('.').next().unwrap_or(full);
            let expected1 = format!("{}{suffix}", to_pascal_case(m.proto.name()));
            let expected2 = format!("{}{expected1}", to_pascal_case(m.service.name()));
            if name != expected1 && name != expected2 {
                let mut path = m.path.clone();
                path.push(if is_request {
                    tag::method::INPUT_TYPE
                } else {
                    tag::method::OUTPUT_TYPE
                });
                out.at(
                    f,
                    &path,
                    format!(
                        "RPC {what} type {name:?} should be named {expected1:?} or {expected2:?}."
                    ),
                );
            }
        }
    }
}

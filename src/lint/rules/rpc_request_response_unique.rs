use std::collections::BTreeMap;

use crate::lint::walk::{strip_dot, Method};
use crate::lint::{CheckedFile, Context, Sink};

crate::declare_rule! {
    /// Checks that every request and response type is used by one RPC only, and that no RPC
    /// uses one type as both its request and its response. Cross-file: all RPCs of the module
    /// count, also under `--path`. Options: `rpc_allow_same_request_response`,
    /// `rpc_allow_google_protobuf_empty_requests`, `rpc_allow_google_protobuf_empty_responses`.
    ///
    /// Why: a shared request type cannot evolve for one RPC without changing the others.
    ///
    /// Bad:
    /// ```proto
    /// rpc GetUser(UserRequest) returns (GetUserResponse);
    /// rpc DeleteUser(UserRequest) returns (DeleteUserResponse);
    /// ```
    /// Good:
    /// ```proto
    /// rpc GetUser(GetUserRequest) returns (GetUserResponse);
    /// rpc DeleteUser(DeleteUserRequest) returns (DeleteUserResponse);
    /// ```
    ///
    /// Fix: give each RPC its own request and response messages.
    pub RPC_REQUEST_RESPONSE_UNIQUE = "Checks that RPC request and response types are only used in one RPC (configurable)."
}

const EMPTY: &str = "google.protobuf.Empty";

pub fn check(cx: &Context, out: &mut Sink) {
    let o = cx.options;
    let allow_req = o.rpc_allow_google_protobuf_empty_requests;
    let allow_resp = o.rpc_allow_google_protobuf_empty_responses;
    // Methods by full name (`pkg.Service.Method`), as buf keys them.
    let mut methods: BTreeMap<String, (&CheckedFile, &Method)> = BTreeMap::new();
    for f in &cx.files {
        for m in &f.elements.methods {
            let pkg = f.package();
            let full = if pkg.is_empty() {
                format!("{}.{}", m.service.name(), m.proto.name())
            } else {
                format!("{pkg}.{}.{}", m.service.name(), m.proto.name())
            };
            methods.entry(full).or_insert((f, m));
        }
    }
    let input = |m: &Method| strip_dot(m.proto.input_type()).to_string();
    let output = |m: &Method| strip_dot(m.proto.output_type()).to_string();
    if !o.rpc_allow_same_request_response {
        for (f, m) in methods.values() {
            let (i, r) = (input(m), output(m));
            if i == r && !(i == EMPTY && allow_req && allow_resp) {
                out.at(
                    f,
                    &m.path,
                    format!(
                        "RPC {:?} has the same type {i:?} for the request and response.",
                        m.proto.name()
                    ),
                );
            }
        }
    }
    let mut by_type: BTreeMap<String, BTreeMap<&str, (&CheckedFile, &Method)>> = BTreeMap::new();
    for (full, &(f, m)) in &methods {
        for t in [input(m), output(m)] {
            by_type.entry(t).or_default().insert(full.as_str(), (f, m));
        }
    }
    for (t, users) in by_type {
        if users.len() == 1 {
            continue;
        }
        if t == EMPTY && (allow_req || allow_resp) {
            if allow_req && allow_resp {
                continue;
            }
            let requests: Vec<_> = users.values().filter(|(_, m)| input(m) == EMPTY).collect();
            let responses: Vec<_> = users.values().filter(|(_, m)| output(m) == EMPTY).collect();
            if !allow_req && requests.len() > 1 {
                for (f, m) in requests {
                    out.at(
                        f,
                        &m.path,
                        format!("{t:?} is used as the request for multiple RPCs."),
                    );
                }
            }
            if !allow_resp && responses.len() > 1 {
                for (f, m) in responses {
                    out.at(
                        f,
                        &m.path,
                        format!("{t:?} is used as the response for multiple RPCs."),
                    );
                }
            }
        } else {
            for (f, m) in users.values() {
                out.at(
                    f,
                    &m.path,
                    format!("{t:?} is used as the request or response type for multiple RPCs."),
                );
            }
        }
    }
}

//! `RPC_NO_CLIENT_STREAMING` and `RPC_NO_SERVER_STREAMING` (category UNARY_RPC).

use crate::lint::{Context, Sink};

crate::declare_rule! {
    /// Checks that RPCs are not client streaming (`rpc Upload(stream Chunk) returns (...)`).
    ///
    /// Why: streaming RPCs are not supported by every transport (browsers, some proxies,
    /// HTTP/1.1 gateways); teams that need plain request/response APIs turn this on.
    ///
    /// Bad:
    /// ```proto
    /// rpc Upload(stream UploadRequest) returns (UploadResponse);
    /// ```
    /// Good:
    /// ```proto
    /// rpc Upload(UploadRequest) returns (UploadResponse);
    /// ```
    ///
    /// Fix: make the request a single message (batch it, or page through it).
    pub RPC_NO_CLIENT_STREAMING = "Checks that RPCs are not client streaming."
}

crate::declare_rule! {
    /// Checks that RPCs are not server streaming (`rpc Watch(...) returns (stream Event)`).
    ///
    /// Why: streaming RPCs are not supported by every transport (browsers, some proxies,
    /// HTTP/1.1 gateways); teams that need plain request/response APIs turn this on.
    ///
    /// Bad:
    /// ```proto
    /// rpc Watch(WatchRequest) returns (stream WatchResponse);
    /// ```
    /// Good:
    /// ```proto
    /// rpc List(ListRequest) returns (ListResponse);
    /// ```
    ///
    /// Fix: return a single message (use pagination for large results).
    pub RPC_NO_SERVER_STREAMING = "Checks that RPCs are not server streaming."
}

pub fn check_client(cx: &Context, out: &mut Sink) {
    for f in cx.targets() {
        for m in &f.elements.methods {
            if m.proto.client_streaming() {
                out.at(
                    f,
                    &m.path,
                    format!("RPC {:?} is client streaming.", m.proto.name()),
                );
            }
        }
    }
}

pub fn check_server(cx: &Context, out: &mut Sink) {
    for f in cx.targets() {
        for m in &f.elements.methods {
            if m.proto.server_streaming() {
                out.at(
                    f,
                    &m.path,
                    format!("RPC {:?} is server streaming.", m.proto.name()),
                );
            }
        }
    }
}

//! tonic clients and servers for prost-build's services: the service generator of tonic-prost-build
//! (same `tonic_build` code generator, same options, same adapters from prost's services and
//! methods), except that the code is generated after prost-build ran, on the thread pool, and comes
//! as a token string: [`super::codegen`] formats every package once, in parallel. tonic-prost-build
//! parsed and pretty-printed each service on its own, one after the other, and the package was then
//! parsed and printed again (prettyplease gives the same text either way: printing is a function of
//! the syntax tree, and parsing printed code gives back that tree).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use proc_macro2::TokenStream;
use prost_build::{Method, Service};
use quote::{quote, ToTokens};
use tonic_build::{Attributes, CodeGenBuilder};

/// What tonic-prost-build's `configure()` sets up, with protoforge's choices.
#[derive(Debug, Default)]
pub(crate) struct ServiceOptions {
    pub client: bool,
    pub server: bool,
    pub transport: bool,
    pub compile_well_known_types: bool,
    pub generate_default_stubs: bool,
    pub disable_comments: HashSet<String>,
    pub client_attributes: Attributes,
    pub server_attributes: Attributes,
}

/// The module path the generated code reaches message types through (tonic-prost-build's default).
const PROTO_PATH: &str = "super";
/// The codec the generated code uses (tonic-prost-build's default).
const CODEC_PATH: &str = "tonic_prost::ProstCodec";

/// A [`prost_build::ServiceGenerator`] that leaves a marker line ([`marker`]) where each service's
/// code goes and keeps the service: [`code`] generates that code later, on any thread (the code of
/// a service depends on the service and the options only), so that it is generated and formatted
/// in parallel with the rest of the package instead of one service after the other inside
/// prost-build.
#[derive(Debug, Default)]
pub(crate) struct DeferredServices(pub Arc<Mutex<Vec<Service>>>);

impl prost_build::ServiceGenerator for DeferredServices {
    fn generate(&mut self, service: Service, buf: &mut String) {
        let mut services = self.0.lock().unwrap_or_else(|e| e.into_inner());
        buf.push_str(&marker(services.len()));
        services.push(service);
    }
}

/// The line standing for the `index`th service's code: a whole line (prost-build starts every
/// line it writes of comments or attributes with `//` or `#`, never this), itself a valid item.
pub(crate) fn marker(index: usize) -> String {
    format!("\n{MARKER_START}{index});\n")
}

/// How a [`marker`] line starts.
pub(crate) const MARKER_START: &str = "__protoforge_deferred_service!(";

/// One of the two halves of a service's code (each whole items: a module).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Half {
    Client,
    Server,
}

impl ServiceOptions {
    /// The halves generated, in the order tonic-prost-build writes them.
    pub(crate) fn halves(&self) -> impl Iterator<Item = Half> {
        [(self.client, Half::Client), (self.server, Half::Server)]
            .into_iter()
            .filter_map(|(on, half)| on.then_some(half))
    }
}

/// tonic's client or server for `service`, as unformatted Rust tokens (prettyplease gives the
/// text tonic-prost-build would write; the client comes first, then the server).
pub(crate) fn code(opts: &ServiceOptions, service: &Service, half: Half) -> String {
    let service = TonicService::new(service.clone());
    let mut builder = CodeGenBuilder::new();
    builder
        .emit_package(true)
        .build_transport(opts.transport)
        .compile_well_known_types(opts.compile_well_known_types)
        .disable_comments(opts.disable_comments.clone())
        .use_arc_self(false)
        .generate_default_stubs(opts.generate_default_stubs);
    let tokens = match half {
        Half::Client => builder
            .attributes(opts.client_attributes.clone())
            .generate_client(&service, PROTO_PATH),
        Half::Server => builder
            .attributes(opts.server_attributes.clone())
            .generate_server(&service, PROTO_PATH),
    };
    let mut code = tokens.to_string();
    code.push('\n');
    code
}

/// A prost service seen as a `tonic_build` service.
struct TonicService {
    service: Service,
    methods: Vec<TonicMethod>,
}

impl TonicService {
    fn new(service: Service) -> Self {
        TonicService {
            methods: service.methods.iter().cloned().map(TonicMethod).collect(),
            service,
        }
    }
}

impl tonic_build::Service for TonicService {
    type Method = TonicMethod;
    type Comment = String;

    fn name(&self) -> &str {
        &self.service.name
    }

    fn package(&self) -> &str {
        &self.service.package
    }

    fn identifier(&self) -> &str {
        &self.service.proto_name
    }

    fn methods(&self) -> &[TonicMethod] {
        &self.methods
    }

    fn comment(&self) -> &[String] {
        &self.service.comments.leading
    }
}

/// A prost method seen as a `tonic_build` method.
struct TonicMethod(Method);

impl tonic_build::Method for TonicMethod {
    type Comment = String;

    fn name(&self) -> &str {
        &self.0.name
    }

    fn identifier(&self) -> &str {
        &self.0.proto_name
    }

    fn codec_path(&self) -> &str {
        CODEC_PATH
    }

    fn client_streaming(&self) -> bool {
        self.0.client_streaming
    }

    fn server_streaming(&self) -> bool {
        self.0.server_streaming
    }

    fn comment(&self) -> &[String] {
        &self.0.comments.leading
    }

    fn deprecated(&self) -> bool {
        self.0.options.deprecated()
    }

    fn request_response_name(
        &self,
        proto_path: &str,
        compile_well_known_types: bool,
    ) -> (TokenStream, TokenStream) {
        (
            rust_type(&self.0.input_type, proto_path, compile_well_known_types),
            rust_type(&self.0.output_type, proto_path, compile_well_known_types),
        )
    }
}

/// The Rust type of a method's input or output (`ty`: prost-build's name for it, relative to the
/// package's module) as tonic-prost-build names it: well-known types from `prost_types` (or plain
/// Rust types), absolute (extern) paths as given, other messages under `proto_path`.
fn rust_type(ty: &str, proto_path: &str, compile_well_known_types: bool) -> TokenStream {
    // tonic-prost-build unwraps here (prost-build names are paths); a panic is caught and reported
    // by `codegen` as for any panic of prost-build's.
    let path = |path: String| {
        syn::parse_str::<syn::Path>(&path)
            .unwrap()
            .to_token_stream()
    };
    if ty.starts_with(".google.protobuf") && !compile_well_known_types {
        match ty {
            ".google.protobuf.Empty" => quote!(()),
            ".google.protobuf.Any" => quote!(::prost_types::Any),
            ".google.protobuf.StringValue" => quote!(::prost::alloc::string::String),
            _ => path(format!(
                "::prost_types::{}",
                ty.trim_start_matches(".google.protobuf.")
            )),
        }
    } else if ty.ends_with("()") || ty.starts_with("::") || ty.starts_with("crate::") {
        // tonic-prost-build's allowlist of non-path types is `()` unless changed (it never is here).
        ty.parse().unwrap()
    } else {
        let rust = ty.replace('.', "::");
        path(format!("{proto_path}::{}", rust.trim_start_matches("::")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_types_are_named_as_tonic_prost_build_names_them() {
        let name = |ty: &str, wkt: bool| rust_type(ty, "super", wkt).to_string();
        assert_eq!(name(".google.protobuf.Empty", false), "()");
        assert_eq!(name(".google.protobuf.Any", false), ":: prost_types :: Any");
        assert_eq!(
            name(".google.protobuf.StringValue", false),
            ":: prost :: alloc :: string :: String"
        );
        assert_eq!(
            name(".google.protobuf.Timestamp", false),
            ":: prost_types :: Timestamp"
        );
        assert_eq!(name("()", false), "()");
        assert_eq!(name("Order", false), "super :: Order");
        assert_eq!(
            name("super::common::v1::Money", true),
            "super :: super :: common :: v1 :: Money"
        );
        assert_eq!(
            name("::prost_types::Duration", false),
            ":: prost_types :: Duration"
        );
        assert_eq!(
            name("crate::extern_::Order", false),
            "crate :: extern_ :: Order"
        );
    }
}

//! `protoc-gen-protoforge-breaking`: protoforge's breaking change detection as a protoc plugin, a
//! drop-in for buf's `protoc-gen-buf-breaking` (see `protoforge::plugin`). It keeps the system
//! allocator: a plugin run checks a few files, and mimalloc's set-up costs more than it saves there.

use std::process::ExitCode;

fn main() -> ExitCode {
    protoforge::limits::with_large_stack(|| {
        protoforge::plugin::main(protoforge::plugin::Kind::Breaking)
    })
}

//! `protoc-gen-protoforge-breaking`: protoforge's breaking change detection as a protoc plugin, a
//! drop-in for buf's `protoc-gen-buf-breaking` (see `protoforge::plugin`).

use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    protoforge::plugin::main(protoforge::plugin::Kind::Breaking)
}

//! `protoc-gen-protoforge-lint`: protoforge's lint as a protoc plugin, a drop-in for buf's
//! `protoc-gen-buf-lint` (see `protoforge::plugin`).

use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    protoforge::plugin::main(protoforge::plugin::Kind::Lint)
}

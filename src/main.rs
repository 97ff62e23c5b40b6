use std::process::ExitCode;

// Compiling thousands of files is allocation-heavy (descriptors, source info) and parsed in
// parallel: mimalloc is markedly faster than the system allocator here.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    protoforge::allocator::keep_freed_memory();
    protoforge::commands::main(std::env::args_os())
}

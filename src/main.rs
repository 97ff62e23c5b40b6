use std::process::ExitCode;

// Compiling thousands of files is allocation-heavy (descriptors, source info) and parsed in
// parallel: mimalloc is markedly faster than the system allocator here.
#[cfg(not(feature = "heap-stats"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
// Heap profile by phase (`PROTOFORGE_TRACE=1`): mimalloc with a byte count around it.
#[cfg(feature = "heap-stats")]
#[global_allocator]
static GLOBAL: protoforge::allocator::Counting<mimalloc::MiMalloc> =
    protoforge::allocator::Counting(mimalloc::MiMalloc);

/// Turns transparent huge pages off before mimalloc's constructor touches its first arena (see
/// `protoforge::allocator::no_huge_pages`).
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array.00101"]
static NO_HUGE_PAGES_BEFORE_MIMALLOC: extern "C" fn() = protoforge::allocator::no_huge_pages;

fn main() -> ExitCode {
    protoforge::allocator::keep_freed_memory();
    stop_quietly_on_closed_pipe();
    protoforge::limits::install_print_failure_hook();
    // Deeply nested (legal) files are handled by recursive code: run on a large stack.
    protoforge::limits::with_large_stack(run)
}

fn run() -> ExitCode {
    // Under a plugin's name (a copy or link named `protoc-gen-protoforge-lint`), be that plugin.
    if let Some(kind) = std::env::args_os()
        .next()
        .and_then(|program| protoforge::plugin::Kind::from_program(&program))
    {
        return protoforge::plugin::main(kind);
    }
    protoforge::commands::main(std::env::args_os())
}

/// `protoforge lint | head`: when the reader goes away, end as other command-line tools do (killed
/// by SIGPIPE, nothing printed) instead of panicking on the failed write (Rust ignores SIGPIPE).
fn stop_quietly_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of a signal at startup, before any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

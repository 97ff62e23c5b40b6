//! Links the binaries on Linux as position-dependent executables (`-no-pie`). A position-independent
//! one is relocated by the dynamic loader at every start: ~37,000 relocations over ~130 pages of
//! tables and vtables (`.data.rel.ro`), written (so copied) before `main` runs. That was ~0.7 ms of
//! the ~4 ms `protoforge --version` takes, and part of every command. Position-dependent, those
//! pages are read-only file pages, mapped only where used. The library and its dependencies are
//! compiled as before; only the final link changes. The trade-off: the executable's own code is
//! not placed at a random address (shared libraries, heap and stack still are), which is how buf's
//! own release binary is built too (a static, position-dependent Go executable).
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}

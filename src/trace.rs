//! Phase timings for performance work: with `PROTOFORGE_TRACE=1`, each [`phase`] prints its wall
//! time to stderr when it ends (`protoforge: parse 412.3 ms`). Off by default; costs one branch.

use std::sync::OnceLock;
use std::time::Instant;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("PROTOFORGE_TRACE").is_some_and(|v| !v.is_empty()))
}

/// A running phase; reported when dropped.
pub struct Phase {
    name: &'static str,
    start: Option<Instant>,
}

/// Starts timing a phase named `name`.
pub fn phase(name: &'static str) -> Phase {
    Phase {
        name,
        start: enabled().then(Instant::now),
    }
}

impl Drop for Phase {
    fn drop(&mut self) {
        if let Some(start) = self.start {
            let ms = start.elapsed().as_secs_f64() * 1000.0;
            eprintln!("protoforge: {} {ms:.1} ms", self.name);
        }
    }
}

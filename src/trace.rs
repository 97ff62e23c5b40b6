//! Phase timings for performance work: with `PROTOFORGE_TRACE=1`, each [`phase`] prints to stderr
//! when it ends: its wall time, the CPU time the process spent meanwhile (user + system, all
//! threads), and memory: the process's resident set now and its peak so far (`/proc/self/status`).
//! A binary built with `--features heap-stats` also prints the live heap and its peak so far
//! ([`crate::allocator::Counting`]):
//!
//! `protoforge: link 550.1 ms (ended at 812.4 ms), cpu 1010 ms, rss 640 MB (peak 660 MB), heap 590 MB (peak 610 MB)`
//!
//! Off by default; costs one branch.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| {
        started();
        std::env::var_os("PROTOFORGE_TRACE").is_some_and(|v| !v.is_empty())
    })
}

/// Starts the clock phases tell their end by (called first thing in a run, so that "ended at"
/// counts from the start of the command).
pub fn start() {
    enabled();
}

/// When tracing was first asked about (early in the run): phases say when they ended from there.
fn started() -> Instant {
    static START: OnceLock<Instant> = OnceLock::new();
    *START.get_or_init(Instant::now)
}

/// A running phase; reported when dropped.
pub struct Phase {
    name: &'static str,
    start: Option<(Instant, Duration)>,
}

/// Starts timing a phase named `name`.
pub fn phase(name: &'static str) -> Phase {
    Phase {
        name,
        start: enabled().then(|| (Instant::now(), cpu_time())),
    }
}

/// Prints `protoforge: ` and what `message` makes (a count, a decision) when tracing is on.
pub fn note(message: impl FnOnce() -> String) {
    if enabled() {
        eprintln!("protoforge: {}", message());
    }
}

impl Drop for Phase {
    fn drop(&mut self) {
        if let Some((start, cpu_start)) = self.start {
            let ms = start.elapsed().as_secs_f64() * 1000.0;
            let cpu = cpu_time().saturating_sub(cpu_start).as_secs_f64() * 1000.0;
            let at = started().elapsed().as_secs_f64() * 1000.0;
            let mut line = format!(
                "protoforge: {} {ms:.1} ms (ended at {at:.1} ms), cpu {cpu:.0} ms",
                self.name
            );
            if let Some((rss, peak)) = resident_kb() {
                line += &format!(", rss {} MB (peak {} MB)", rss / 1024, peak / 1024);
            }
            if let Some((live, peak)) = crate::allocator::heap_bytes() {
                line += &format!(", heap {} MB (peak {} MB)", live >> 20, peak >> 20);
            }
            eprintln!("{line}");
        }
    }
}

/// User + system CPU time of the whole process so far.
fn cpu_time() -> Duration {
    #[cfg(unix)]
    {
        // SAFETY: getrusage fills the struct it is given; a zeroed rusage is a valid value.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } == 0 {
            let tv = |t: libc::timeval| {
                Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
            };
            return tv(usage.ru_utime) + tv(usage.ru_stime);
        }
    }
    Duration::ZERO
}

/// The resident set size now and its peak so far, in KB (Linux only).
fn resident_kb() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        line[name.len()..]
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

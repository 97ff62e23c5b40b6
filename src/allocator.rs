//! Tuning of the mimalloc allocator the binary uses, and a counting wrapper for heap profiles.
//!
//! By default mimalloc gives freed memory back to the OS after a second ("purging"); a compile frees
//! and reallocates large amounts in phases (parse, link, image), so the same memory was faulted in
//! and zeroed by the kernel again and again (a third of the CPU time of a googleapis build, as
//! kernel time). protoforge is a short-lived process: it keeps freed memory until it exits.

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// mimalloc 3's `mi_option_purge_delay` (position in `mi_option_e`; libmimalloc-sys does not name
/// it). Milliseconds before freed memory is returned to the OS; -1 means never.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
/// mimalloc 3's default for that option (1 s), to check that the position is the right one.
const DEFAULT_PURGE_DELAY: std::ffi::c_long = 1000;

/// Keeps freed memory in the process and turns off transparent huge pages (see the module docs
/// and [`no_huge_pages`]). Leaves the purge delay alone if the option at [`MI_OPTION_PURGE_DELAY`]
/// does not have the default value expected there (another mimalloc version, or set through the
/// environment).
pub fn keep_freed_memory() {
    // SAFETY: plain option getters/setters of the linked mimalloc; any option index is accepted.
    unsafe {
        if libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) == DEFAULT_PURGE_DELAY {
            libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1);
        }
    }
    no_huge_pages();
}

/// mimalloc asks the kernel for transparent huge pages for its arenas (`madvise`), and the
/// kernel then backs every 2 MiB region touched at all with a whole huge page: the scattered
/// small objects of a compile (7,000 source files, descriptors) made the resident set of a
/// googleapis build ~70 MB larger for the same heap, with no time saved. mimalloc's own switch
/// (`MIMALLOC_ALLOW_THP=0`) is only read before `main`; the process-wide one works at any time
/// (the kernel checks it on every page fault).
///
/// mimalloc initializes itself in a C constructor, before `main`, and its first arena's first
/// pages are touched there: zeroing those as huge pages was ~8% of a small command's time
/// (`generate --check` on `examples/orders`). The binaries therefore also call this from a
/// constructor placed in `.init_array.00101` (entries with a priority run first, lowest number
/// first; C constructors without one, mimalloc's among them, after them all).
pub extern "C" fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_THP_DISABLE only sets a flag of this process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// A global allocator that counts the bytes it has out (and their peak) around another one: the
/// `heap-stats` build (`cargo build --release --features heap-stats`) installs it around mimalloc,
/// and `PROTOFORGE_TRACE=1` then reports the live heap at the end of every phase ([`crate::trace`]).
/// Two atomic updates per allocation: not in the default build.
pub struct Counting<A>(pub A);

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static COUNTING: AtomicBool = AtomicBool::new(false);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    if now > PEAK.load(Ordering::Relaxed) {
        PEAK.fetch_max(now, Ordering::Relaxed);
    }
}

fn shrank(by: usize) {
    LIVE.fetch_sub(by, Ordering::Relaxed);
}

// SAFETY: every call is forwarded to the wrapped allocator unchanged; only counters are updated.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Counting<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = self.0.alloc(layout);
        if !p.is_null() {
            COUNTING.store(true, Ordering::Relaxed);
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = self.0.alloc_zeroed(layout);
        if !p.is_null() {
            COUNTING.store(true, Ordering::Relaxed);
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.0.dealloc(ptr, layout);
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = self.0.realloc(ptr, layout, new_size);
        if !p.is_null() {
            shrank(layout.size());
            grew(new_size);
        }
        p
    }
}

/// The bytes allocated and not yet freed, and their peak so far; `None` unless [`Counting`] is
/// the global allocator.
pub fn heap_bytes() -> Option<(usize, usize)> {
    COUNTING
        .load(Ordering::Relaxed)
        .then(|| (LIVE.load(Ordering::Relaxed), PEAK.load(Ordering::Relaxed)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_purge_delay_option_is_where_we_expect_it() {
        // SAFETY: as above.
        let default = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        assert!(
            default == DEFAULT_PURGE_DELAY || default == -1,
            "option {MI_OPTION_PURGE_DELAY} of mimalloc is {default}: update MI_OPTION_PURGE_DELAY"
        );
    }
}

//! Tuning of the mimalloc allocator the binary uses.
//!
//! By default mimalloc gives freed memory back to the OS after a second ("purging"); a compile frees
//! and reallocates large amounts in phases (parse, link, image), so the same memory was faulted in
//! and zeroed by the kernel again and again (a third of the CPU time of a googleapis build, as
//! kernel time). protoforge is a short-lived process: it keeps freed memory until it exits.

/// mimalloc 3's `mi_option_purge_delay` (position in `mi_option_e`; libmimalloc-sys does not name
/// it). Milliseconds before freed memory is returned to the OS; -1 means never.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
/// mimalloc 3's default for that option (1 s), to check that the position is the right one.
const DEFAULT_PURGE_DELAY: std::ffi::c_long = 1000;

/// Keeps freed memory in the process (see the module docs). Does nothing if the option at
/// [`MI_OPTION_PURGE_DELAY`] is not the purge delay of the mimalloc version linked in.
pub fn keep_freed_memory() {
    // SAFETY: plain option getters/setters of the linked mimalloc; any option index is accepted.
    unsafe {
        if libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) == DEFAULT_PURGE_DELAY {
            libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1);
        }
    }
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

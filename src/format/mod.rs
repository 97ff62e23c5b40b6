//! See the crate docs; filled in by the format work.

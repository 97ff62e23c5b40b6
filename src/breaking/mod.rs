//! See the crate docs; filled in by the breaking work.

//! See the crate docs; filled in by the generate work.

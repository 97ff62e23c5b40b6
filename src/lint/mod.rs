//! See the crate docs; filled in by the lint work.

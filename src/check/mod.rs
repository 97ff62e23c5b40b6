//! What lint and breaking share: the [`Finding`] they produce, rule metadata, rule selection
//! (use/except with categories and deprecated ids) and the ignore filters applied after all rules ran.

mod finding;

pub use finding::{sort_and_dedup, Finding, Span};

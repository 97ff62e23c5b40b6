//! `json`: one JSON object per line, buf's keys in buf's order.
//!
//! Observed with buf 1.75: `{"path":..,"start_line":..,"start_column":..,"end_line":..,"end_column":..,
//! "type":..,"message":..}`, compact, Go's escaping (`&`, `<`, `>` as `\u0026`, `\u003c`, `\u003e`).
//! Empty keys are omitted: no path -> no `path` key; an empty type or message -> no key. Unknown lines
//! and columns are written as 1 (buf's `atLeast1`), so the four position keys are always there.
//! `help` is ours and not written (buf has no such key).

use super::{at_least_1, push_go_json_string};
use crate::check::Finding;

pub(super) fn render(findings: &[&Finding]) -> String {
    use std::fmt::Write;
    // Room for every line up front (its strings and ~110 bytes of keys and numbers): a whole-tree
    // report is ~16 MB, which growing by doubling would copy over and over.
    let room = findings
        .iter()
        .map(|f| f.path.as_ref().map_or(0, String::len) + f.rule.len() + f.message.len() + 110)
        .sum();
    let mut out = String::with_capacity(room);
    for f in findings {
        let (sl, sc, el, ec) = f.position();
        out.push('{');
        if let Some(path) = &f.path {
            if !path.is_empty() {
                out.push_str("\"path\":");
                push_go_json_string(&mut out, path);
                out.push(',');
            }
        }
        // Writing to a `String` cannot fail.
        let _ = write!(
            out,
            "\"start_line\":{},\"start_column\":{},\"end_line\":{},\"end_column\":{}",
            at_least_1(sl),
            at_least_1(sc),
            at_least_1(el),
            at_least_1(ec)
        );
        if !f.rule.is_empty() {
            out.push_str(",\"type\":");
            push_go_json_string(&mut out, &f.rule);
        }
        if !f.message.is_empty() {
            out.push_str(",\"message\":");
            push_go_json_string(&mut out, &f.message);
        }
        out.push_str("}\n");
    }
    out
}

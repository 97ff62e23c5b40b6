//! `text`: buf's `path:line:column:message`, one finding per line.
//!
//! Observed with buf 1.75: no path prints `<input>`, an unknown line or column prints 1
//! (`<input>:1:1:Previously present file "a/a.proto" was deleted.`), the type is not shown, every line
//! ends with `\n`. Also buf's `gcc` alias.

use super::push_text_line;
use crate::check::Finding;

pub(super) fn render(findings: &[&Finding]) -> String {
    // Room for every line up front (path, message and ~16 bytes of positions and separators): a
    // whole-tree report is ~8 MB, which growing by doubling would copy over and over.
    let room = findings
        .iter()
        .map(|f| f.path.as_ref().map_or(0, String::len) + f.message.len() + 16)
        .sum();
    let mut out = String::with_capacity(room);
    for f in findings {
        push_text_line(&mut out, f);
        out.push('\n');
    }
    out
}

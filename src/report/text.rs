//! `text`: buf's `path:line:column:message`, one finding per line.
//!
//! Observed with buf 1.75: no path prints `<input>`, an unknown line or column prints 1
//! (`<input>:1:1:Previously present file "a/a.proto" was deleted.`), the type is not shown, every line
//! ends with `\n`. Also buf's `gcc` alias.

use super::text_line;
use crate::check::Finding;

pub(super) fn render(findings: &[&Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        out.push_str(&text_line(f));
        out.push('\n');
    }
    out
}

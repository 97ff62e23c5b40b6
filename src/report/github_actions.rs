//! `github-actions`: GitHub workflow commands, `::error file=..,line=..,col=..,endLine=..,endColumn=..::message`.
//!
//! Observed with buf 1.75: no path prints `file=<input>`; a position part is only printed when known
//! (a finding without a span is `::error file=<input>::message`); columns only after their line. The
//! message is printed as is: buf does not escape `%`, `\r` or `\n` (a multi-line message would break
//! the command; no buf or protoforge message has one).

use super::NO_PATH;
use crate::check::Finding;

pub(super) fn render(findings: &[&Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let (sl, sc, el, ec) = f.position();
        out.push_str("::error file=");
        out.push_str(f.path.as_deref().unwrap_or(NO_PATH));
        if sl > 0 {
            out.push_str(&format!(",line={sl}"));
            if sc > 0 {
                out.push_str(&format!(",col={sc}"));
            }
            if el > 0 {
                out.push_str(&format!(",endLine={el}"));
                if ec > 0 {
                    out.push_str(&format!(",endColumn={ec}"));
                }
            }
        }
        out.push_str("::");
        out.push_str(&f.message);
        out.push('\n');
    }
    out
}

//! `msvs`: Visual Studio's `path(line,column) : error TYPE : message`.
//!
//! Observed with buf 1.75: `a.proto(8,9) : error FIELD_LOWER_SNAKE_CASE : Field name ...`; no path
//! prints `<input>`, unknown line and column print 1 (so the column is always there).

use super::{at_least_1, message_or_type, NO_PATH};
use crate::check::Finding;

pub(super) fn render(findings: &[&Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let (line, column, _, _) = f.position();
        let kind = if f.rule.is_empty() {
            "FAILURE"
        } else {
            f.rule.as_str()
        };
        out.push_str(&format!(
            "{}({},{}) : error {} : {}\n",
            f.path.as_deref().unwrap_or(NO_PATH),
            at_least_1(line),
            at_least_1(column),
            kind,
            message_or_type(f)
        ));
    }
    out
}

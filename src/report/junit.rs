//! `junit`: JUnit XML, one `<testsuite>` per file, one `<testcase>` per finding.
//!
//! Observed with buf 1.75 (and its bufanalysis source):
//! - suites in the order their file first appears in the sorted findings; findings without a file go
//!   to a suite named `<input>`; the suite name is the path without its `.proto` suffix (`current/a1`);
//!   `tests` and `failures` are the finding count, `errors="0"`;
//! - a test case is named `TYPE_line_column` (`FIELD_LOWER_SNAKE_CASE_8_9`), `TYPE_line` with no
//!   column, `TYPE` with no position; it holds one empty `<failure message=".." type=".."></failure>`
//!   whose message is the `text` line (`a.proto:8:9:Field name ...`);
//! - two-space indentation, no XML declaration, a final newline;
//! - attribute values escaped as Go's `encoding/xml` does: `"` as `&#34;`, `'` as `&#39;`, `&`, `<`,
//!   `>` as entities, tab/newline/carriage return as `&#x9;`/`&#xA;`/`&#xD;`, characters XML cannot
//!   hold as U+FFFD.

use super::{text_line, NO_PATH};
use crate::check::Finding;

pub(super) fn render(findings: &[&Finding]) -> String {
    // Group by path, keeping the order in which paths first appear.
    let mut groups: Vec<(&str, Vec<&Finding>)> = Vec::new();
    for f in findings {
        let path = f.path.as_deref().unwrap_or(NO_PATH);
        match groups.iter_mut().find(|(p, _)| *p == path) {
            Some((_, group)) => group.push(f),
            None => groups.push((path, vec![f])),
        }
    }
    let mut out = String::from("<testsuites>");
    for (path, group) in &groups {
        let name = path.strip_suffix(".proto").unwrap_or(path);
        out.push_str(&format!(
            "\n  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\">",
            escape_attr(name),
            group.len(),
            group.len()
        ));
        for f in group {
            let (line, column, _, _) = f.position();
            let mut case = f.rule.clone();
            if column != 0 {
                case.push_str(&format!("_{line}_{column}"));
            } else if line != 0 {
                case.push_str(&format!("_{line}"));
            }
            out.push_str(&format!("\n    <testcase name=\"{}\">", escape_attr(&case)));
            out.push_str(&format!(
                "\n      <failure message=\"{}\" type=\"{}\"></failure>",
                escape_attr(&text_line(f)),
                escape_attr(&f.rule)
            ));
            out.push_str("\n    </testcase>");
        }
        out.push_str("\n  </testsuite>");
    }
    out.push_str("\n</testsuites>\n");
    out
}

/// Go's `xml.EscapeText` as used for attribute values.
fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape_attr;

    #[test]
    fn escapes_like_go_encoding_xml() {
        assert_eq!(
            escape_attr("a\"b'c&d<e>f\tg\nh\ri\u{1}j"),
            "a&#34;b&#39;c&amp;d&lt;e&gt;f&#x9;g&#xA;h&#xD;i\u{FFFD}j"
        );
    }
}

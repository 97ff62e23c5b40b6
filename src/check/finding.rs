//! A finding: one problem in one place. Findings are data, not errors: lint rules, breaking rules and
//! the compiler (type `COMPILE`) all produce them, filters drop some, and a report renders the rest.

use std::cmp::Ordering;

/// A 1-based source range, as buf reports it: lines and columns start at 1 and `end_column` is exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub start_line: u32,
    pub start_column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

impl Span {
    /// Builds a span from a `SourceCodeInfo.Location.span` (0-based `[line, col, end_col]` or
    /// `[line, col, end_line, end_col]`).
    pub fn from_source_code_info(span: &[i32]) -> Option<Span> {
        let (sl, sc, el, ec) = match *span {
            [sl, sc, ec] => (sl, sc, sl, ec),
            [sl, sc, el, ec] => (sl, sc, el, ec),
            _ => return None,
        };
        Some(Span {
            start_line: sl as u32 + 1,
            start_column: sc as u32 + 1,
            end_line: el as u32 + 1,
            end_column: ec as u32 + 1,
        })
    }

    /// Builds a span from a byte range of `text`. Columns count bytes, as buf's compile errors do
    /// (its lint and breaking findings count characters: see `compile::source_info`).
    pub fn from_byte_range(text: &str, start: usize, end: usize) -> Span {
        let line_col = |offset: usize| {
            let before = &text.as_bytes()[..offset.min(text.len())];
            let line = before.iter().filter(|&&b| b == b'\n').count();
            let line_start = before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1);
            (line, before.len() - line_start)
        };
        let (sl, sc) = line_col(start);
        let (el, ec) = line_col(end.max(start));
        Span {
            start_line: sl as u32 + 1,
            start_column: sc as u32 + 1,
            end_line: el as u32 + 1,
            end_column: ec as u32 + 1,
        }
    }

    /// The span buf uses for findings that concern a whole file with no better place: line 1, column 1.
    pub fn file_start() -> Span {
        Span {
            start_line: 1,
            start_column: 1,
            end_line: 1,
            end_column: 1,
        }
    }
}

/// One problem found by a rule or by the compiler.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Finding {
    /// The rule id (`FIELD_LOWER_SNAKE_CASE`) or `COMPILE` for compile errors.
    pub rule: String,
    /// The path as the user sees it (relative to the input they gave), when the finding has a file.
    pub path: Option<String>,
    /// Where in the file; `None` for findings about a file or package that no longer exists.
    pub span: Option<Span>,
    pub message: String,
    /// What to do about it (shown by `pretty` and `sarif`; not part of buf's JSON).
    pub help: Option<String>,
}

impl Finding {
    pub fn new(
        rule: impl Into<String>,
        path: Option<String>,
        span: Option<Span>,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            rule: rule.into(),
            path,
            span,
            message: message.into(),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The span buf compares and prints: `(start_line, start_column, end_line, end_column)`, all 0 when the
    /// finding has no position (buf's "unknown").
    pub fn position(&self) -> (u32, u32, u32, u32) {
        match self.span {
            Some(s) => (s.start_line, s.start_column, s.end_line, s.end_column),
            None => (0, 0, 0, 0),
        }
    }

    /// buf's order (bufanalysis `sortFileAnnotations`, checked against buf 1.75 output): findings without a
    /// path first, then by path (bytewise), start line, start column, type, message, end line, end column.
    pub fn buf_order(&self, other: &Self) -> Ordering {
        let (a_sl, a_sc, a_el, a_ec) = self.position();
        let (b_sl, b_sc, b_el, b_ec) = other.position();
        self.path
            .cmp(&other.path)
            .then_with(|| (a_sl, a_sc).cmp(&(b_sl, b_sc)))
            .then_with(|| self.rule.cmp(&other.rule))
            .then_with(|| self.message.cmp(&other.message))
            .then_with(|| (a_el, a_ec).cmp(&(b_el, b_ec)))
    }

    /// Whether buf considers the two the same finding (it deduplicates on path, span, type and message;
    /// `help` is ours and does not count).
    pub fn same_as_buf(&self, other: &Self) -> bool {
        self.path == other.path
            && self.position() == other.position()
            && self.rule == other.rule
            && self.message == other.message
    }
}

/// Sorts findings as buf does and removes duplicates (as buf: same path, span, type and message; the first
/// one seen is kept). The sort is stable.
pub fn sort_and_dedup(findings: &mut Vec<Finding>) {
    // A whole-tree googleapis lint has 79,000 findings: sorted on the thread pool (the same
    // stable sort, so the same order).
    if findings.len() > 4096 {
        use rayon::slice::ParallelSliceMut;
        findings.par_sort_by(|a, b| a.buf_order(b));
    } else {
        findings.sort_by(|a, b| a.buf_order(b));
    }
    findings.dedup_by(|later, earlier| later.same_as_buf(earlier));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(
        path: Option<&str>,
        sl: u32,
        sc: u32,
        el: u32,
        ec: u32,
        rule: &str,
        msg: &str,
    ) -> Finding {
        let span = Span {
            start_line: sl,
            start_column: sc,
            end_line: el,
            end_column: ec,
        };
        Finding::new(rule, path.map(str::to_string), Some(span), msg)
    }

    #[test]
    fn type_and_message_come_before_the_end_of_the_span() {
        let mut findings = vec![
            at(Some("a.proto"), 3, 1, 9, 2, "A_RULE", "m"),
            at(Some("a.proto"), 3, 1, 3, 5, "B_RULE", "m"),
            at(Some("a.proto"), 3, 1, 3, 5, "A_RULE", "z"),
            at(None, 1, 1, 1, 1, "FILE_NO_DELETE", "gone"),
            at(Some("a.proto"), 2, 7, 2, 9, "Z_RULE", "m"),
        ];
        sort_and_dedup(&mut findings);
        let order: Vec<_> = findings
            .iter()
            .map(|f| {
                (
                    f.path.as_deref().unwrap_or("-"),
                    f.position(),
                    f.rule.as_str(),
                    f.message.as_str(),
                )
            })
            .collect();
        assert_eq!(
            order,
            vec![
                ("-", (1, 1, 1, 1), "FILE_NO_DELETE", "gone"),
                ("a.proto", (2, 7, 2, 9), "Z_RULE", "m"),
                ("a.proto", (3, 1, 9, 2), "A_RULE", "m"),
                ("a.proto", (3, 1, 3, 5), "A_RULE", "z"),
                ("a.proto", (3, 1, 3, 5), "B_RULE", "m"),
            ]
        );
    }

    #[test]
    fn duplicates_differing_only_in_help_are_dropped_keeping_the_first() {
        let first = at(Some("a.proto"), 1, 1, 1, 4, "R", "m").with_help("first");
        let second = at(Some("a.proto"), 1, 1, 1, 4, "R", "m").with_help("second");
        let other_end = at(Some("a.proto"), 1, 1, 1, 5, "R", "m");
        let mut findings = vec![first, other_end.clone(), second];
        sort_and_dedup(&mut findings);
        assert_eq!(findings.len(), 2);
        assert_eq!(findings[0].help.as_deref(), Some("first"));
        assert_eq!(findings[1], other_end);
    }
}

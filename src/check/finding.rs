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

    /// The span buf uses for findings that concern a whole file with no better place: line 1, column 1.
    pub fn file_start() -> Span {
        Span { start_line: 1, start_column: 1, end_line: 1, end_column: 1 }
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
    pub fn new(rule: impl Into<String>, path: Option<String>, span: Option<Span>, message: impl Into<String>) -> Self {
        Finding { rule: rule.into(), path, span, message: message.into(), help: None }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// buf's order: path, then position, then type, then message.
    pub fn buf_order(&self, other: &Self) -> Ordering {
        self.path
            .cmp(&other.path)
            .then_with(|| self.span.cmp(&other.span))
            .then_with(|| self.rule.cmp(&other.rule))
            .then_with(|| self.message.cmp(&other.message))
    }
}

/// Sorts findings as buf does and removes exact duplicates.
pub fn sort_and_dedup(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| a.buf_order(b));
    findings.dedup();
}

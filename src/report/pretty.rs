//! `pretty`: one miette report per finding, for people at a terminal. Beyond buf.
//!
//! Each report names the rule id as the diagnostic code, the message, a code frame of the source with
//! the span underlined (the frame header is `path:line:column`), and a help line: the finding's own
//! help, else the rule's purpose from the rule documentation. When the source is not known, or the
//! finding has no position, the report has no frame and its message starts with `path:line:column:`
//! (`<input>` for no file, as buf's text). Colours only when asked ([`super::ReportContext::color`]:
//! stdout is a terminal and `NO_COLOR` is unset); without colour the frames are plain Unicode. Lines
//! are not wrapped; reports are separated by a blank line, and a last line counts the findings and files.
//! Tabs are expanded to buf's tab stop (4) in the frame, so the header's `line:column` is buf's; it
//! differs from buf's only after non-ASCII characters on the line (miette counts bytes there).

use std::fmt;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use super::{text_line, ReportContext, SourceCache, SourceFile};
use crate::check::Finding;

pub(super) fn render(findings: &[&Finding], ctx: &ReportContext) -> String {
    let theme = if ctx.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_wrap_lines(false)
        .with_links(false);
    let mut sources = SourceCache::new(ctx.sources, expand_tabs);
    let mut out = String::new();
    for (i, f) in findings.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let diagnostic = FindingDiagnostic::new(f, ctx, &mut sources);
        if handler.render_report(&mut out, &diagnostic).is_err() {
            out.push_str(&text_line(f));
            out.push('\n');
        }
    }
    let mut files: Vec<&str> = findings.iter().filter_map(|f| f.path.as_deref()).collect();
    files.sort_unstable();
    files.dedup();
    out.push_str(&format!(
        "\n{} finding{} in {} file{}.\n",
        findings.len(),
        plural(findings.len()),
        files.len(),
        plural(files.len())
    ));
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Replaces each tab with spaces up to the next multiple of 4 columns, buf's tab stop: the frame then
/// looks as buf counts and miette's header column (which counts bytes) equals buf's column on ASCII
/// lines.
fn expand_tabs(source: Arc<str>) -> Arc<str> {
    if !source.contains('\t') {
        return source;
    }
    let mut out = String::with_capacity(source.len() + 16);
    let mut column = 0usize;
    for c in source.chars() {
        match c {
            '\t' => {
                let next = (column / 4 + 1) * 4;
                out.extend(std::iter::repeat_n(' ', next - column));
                column = next;
            }
            '\n' => {
                out.push(c);
                column = 0;
            }
            c => {
                out.push(c);
                column += 1;
            }
        }
    }
    out.into()
}

/// A source file that hands miette only the lines around a span (found through the line index), so a
/// report costs the size of its frame, not of its file.
#[derive(Debug)]
struct IndexedSource {
    name: String,
    file: Arc<SourceFile>,
}

impl SourceCode for IndexedSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let starts = &self.file.line_starts;
        let text: &str = &self.file.text;
        let line_of = |offset: usize| starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let first = line_of(span.offset()).saturating_sub(context_lines_before);
        let last = line_of(span.offset() + span.len()) + context_lines_after + 1;
        let window_start = starts[first];
        let window_end = starts.get(last + 1).copied().unwrap_or(text.len());
        let window = &text[window_start..window_end];
        let inner_span = SourceSpan::new((span.offset() - window_start).into(), span.len());
        let inner = window.read_span(&inner_span, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            SourceSpan::new(
                (inner.span().offset() + window_start).into(),
                inner.span().len(),
            ),
            inner.line() + first,
            inner.column(),
            inner.line_count() + first,
        )))
    }
}

#[derive(Debug)]
struct FindingDiagnostic {
    message: String,
    code: String,
    help: Option<String>,
    frame: Option<(IndexedSource, SourceSpan)>,
}

impl FindingDiagnostic {
    fn new(f: &Finding, ctx: &ReportContext, sources: &mut SourceCache) -> Self {
        let help = f.help.clone().or_else(|| {
            (ctx.rule_doc)(&f.rule)
                .map(|d| d.purpose)
                .filter(|p| !p.is_empty())
        });
        let frame = f.path.as_deref().zip(f.span).and_then(|(path, span)| {
            let source = sources.get(path)?;
            let start = source.offset(span.start_line, span.start_column)?;
            let end = source
                .offset(span.end_line, span.end_column)
                .unwrap_or(start)
                .max(start);
            Some((
                IndexedSource {
                    name: path.to_string(),
                    file: source,
                },
                SourceSpan::new(start.into(), end - start),
            ))
        });
        let message = if frame.is_some() {
            f.message.clone()
        } else {
            text_line(f)
        };
        FindingDiagnostic {
            message,
            code: f.rule.clone(),
            help,
            frame,
        }
    }
}

impl fmt::Display for FindingDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FindingDiagnostic {}

impl Diagnostic for FindingDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.frame
            .as_ref()
            .map(|(source, _)| source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (_, span) = self.frame.as_ref()?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            None, *span,
        ))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use miette::NamedSource;

    #[derive(Debug)]
    struct Probe<S: SourceCode + fmt::Debug> {
        source: S,
        span: SourceSpan,
    }

    impl<S: SourceCode + fmt::Debug> fmt::Display for Probe<S> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("probe")
        }
    }

    impl<S: SourceCode + fmt::Debug> std::error::Error for Probe<S> {}

    impl<S: SourceCode + fmt::Debug> Diagnostic for Probe<S> {
        fn source_code(&self) -> Option<&dyn SourceCode> {
            Some(&self.source)
        }

        fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
            Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
                Some("here".into()),
                self.span,
            ))))
        }
    }

    fn rendered(diagnostic: &dyn Diagnostic) -> String {
        let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
            .with_wrap_lines(false);
        let mut out = String::new();
        handler.render_report(&mut out, diagnostic).expect("render");
        out
    }

    #[test]
    fn frames_from_the_line_index_equal_frames_from_the_whole_file() {
        let text: String = (1..=40)
            .map(|i| format!("line {i} {}\n", "x".repeat(i % 7)))
            .collect();
        let crlf = text.replace('\n', "\r\n");
        for text in [text, crlf, "only line".to_string(), "a\n\nb\n".to_string()] {
            let file = Arc::new(SourceFile::new(text.as_str().into()));
            let len = text.len();
            let spans = [
                (0, 0),
                (0, 4),
                (5, 30),
                (len / 2, 3),
                (len / 3, len / 3),
                (len - 1, 1),
                (len, 0),
            ];
            for (offset, span_len) in spans {
                let offset = offset.min(len);
                let span = SourceSpan::new(offset.into(), span_len.min(len - offset));
                let whole = Probe {
                    source: NamedSource::new("f.proto", text.clone()),
                    span,
                };
                let indexed = Probe {
                    source: IndexedSource {
                        name: "f.proto".into(),
                        file: file.clone(),
                    },
                    span,
                };
                assert_eq!(
                    rendered(&indexed),
                    rendered(&whole),
                    "span {offset}+{span_len} of {text:?}"
                );
            }
        }
    }
}

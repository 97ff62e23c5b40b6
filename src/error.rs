//! The one error type for failures that are not findings: bad flags, bad config, bad input, I/O.
//! Every such error exits with code 1. It is a [`miette::Diagnostic`], so it can carry the file,
//! a labelled span in that file, and a help line saying what to do.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode, SourceSpan};

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Longest line a code frame shows whole, and longest message kept whole (bytes).
const MAX_FRAME_LINE: usize = 240;
const MAX_MESSAGE: usize = 600;

/// The largest char boundary at or before `i`.
fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A message that echoes input (a key, a value) is cut in the middle past [`MAX_MESSAGE`] bytes.
fn crop(message: &str) -> String {
    if message.len() <= MAX_MESSAGE {
        return message.to_string();
    }
    let head = floor_char(message, 300);
    let tail = floor_char(message, message.len() - 200);
    let tail = if message.is_char_boundary(tail) {
        tail
    } else {
        message.len()
    };
    format!(
        "{} … ({} bytes left out) … {}",
        &message[..head],
        tail - head,
        &message[tail..]
    )
}

/// A user-facing error: what is wrong, optionally where (file + span) and what to do (help).
#[derive(Debug, Clone)]
pub struct Error {
    message: String,
    help: Option<String>,
    location: Option<Location>,
}

#[derive(Debug, Clone)]
struct Location {
    source: Arc<NamedSource<String>>,
    span: SourceSpan,
    label: Option<String>,
}

impl Error {
    pub fn new(message: impl Into<String>) -> Self {
        Error {
            message: message.into(),
            help: None,
            location: None,
        }
    }

    /// Adds a help line: what the user should do about it.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Points the error at a byte range of a named file, shown as a code frame. A frame never
    /// echoes more than [`MAX_FRAME_LINE`] bytes of a line (a 1 MB YAML key stays a short error):
    /// longer lines are cut around the span, and the message then carries the exact position.
    pub fn at(mut self, file: &str, source: &str, offset: usize, len: usize) -> Self {
        let mut offset = floor_char(source, offset.min(source.len()));
        let mut len = len.min(source.len() - offset);
        self.message = crop(&self.message);
        let line_start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[offset..]
            .find('\n')
            .map_or(source.len(), |i| offset + i);
        let mut text = source.to_string();
        if line_end - line_start > MAX_FRAME_LINE {
            let line = source[..offset].matches('\n').count() + 1;
            let column = source[line_start..offset].chars().count() + 1;
            if !self.message.starts_with(file) {
                self.message = format!("{file}:{line}:{column}: {}", self.message);
            }
            // Keep the lines before (line numbers stay right) and a window of this line.
            let from = floor_char(source, offset.saturating_sub(40).max(line_start));
            let to = floor_char(source, (offset + 80).min(line_end));
            let cut_left = if from > line_start { "…" } else { "" };
            text = format!("{}{cut_left}{}…", &source[..line_start], &source[from..to]);
            len = len.min(to.saturating_sub(offset));
            offset = line_start + cut_left.len() + (offset - from);
        }
        self.location = Some(Location {
            source: Arc::new(NamedSource::new(file, text)),
            span: SourceSpan::new(offset.into(), len),
            label: None,
        });
        self
    }

    /// Labels the span set by [`Error::at`].
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        if let Some(loc) = &mut self.location {
            loc.label = Some(label.into());
        }
        self
    }

    /// An I/O error on a named path.
    pub fn io(path: impl fmt::Display, err: std::io::Error) -> Self {
        Error::new(format!("{path}: {err}"))
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn help_text(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// `file:line:column` of the error's location (1-based), when it has one.
    pub fn position(&self) -> Option<(String, usize, usize)> {
        let loc = self.location.as_ref()?;
        let contents = loc.source.read_span(&loc.span, 0, 0).ok()?;
        Some((
            loc.source.name().to_string(),
            contents.line() + 1,
            contents.column() + 1,
        ))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position() {
            Some((file, line, col)) if !self.message.starts_with(&file) => {
                write!(f, "{file}:{line}:{col}: {}", self.message)
            }
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {}

impl Diagnostic for Error {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.location
            .as_ref()
            .map(|l| l.source.as_ref() as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let loc = self.location.as_ref()?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            loc.label.clone(),
            loc.span,
        ))))
    }
}

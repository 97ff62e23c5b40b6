//! The one error type for failures that are not findings: bad flags, bad config, bad input, I/O.
//! Every such error exits with code 1. It is a [`miette::Diagnostic`], so it can carry the file,
//! a labelled span in that file, and a help line saying what to do.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode, SourceSpan};

pub type Result<T, E = Error> = std::result::Result<T, E>;

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

    /// Points the error at a byte range of a named file, shown as a code frame.
    pub fn at(mut self, file: &str, source: &str, offset: usize, len: usize) -> Self {
        let offset = offset.min(source.len());
        let len = len.min(source.len() - offset);
        self.location = Some(Location {
            source: Arc::new(NamedSource::new(file, source.to_string())),
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

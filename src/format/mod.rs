//! `protoforge format`: buf's canonical `.proto` style, printed from the lossless syntax tree.

mod printer;

use crate::syntax::{self, SyntaxError};

/// Formats one `.proto` source in buf's style.
pub fn format_source(source: &str) -> Result<String, SyntaxError> {
    let file = syntax::parse(source)?;
    Ok(format_file(&file))
}

/// Formats an already parsed file.
pub fn format_file(file: &syntax::File) -> String {
    printer::Printer::new(file).run()
}

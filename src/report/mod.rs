//! Renders findings and errors. One file per output format.

use crate::Error;

/// Prints an error (exit-1 class) to stderr.
pub fn print_error(err: &Error) {
    eprintln!("{:?}", miette::Report::new(err.clone()));
}

//! Positions and paths between the editor's terms (LSP: 0-based lines, UTF-16 columns, `file:`
//! URIs) and ours (byte offsets, 1-based finding spans in bytes or buf columns, paths).

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::{Position, Range, Uri};

use crate::check::{Finding, Span as FindingSpan};

/// Line starts of a text, for offset <-> position conversions.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { text, starts }
    }

    /// The text of a 0-based line, without its newline (empty past the end).
    pub fn line(&self, line: usize) -> &'a str {
        let Some(&start) = self.starts.get(line) else {
            return "";
        };
        let end = self.starts.get(line + 1).map_or(self.text.len(), |e| e - 1);
        self.text[start..end].trim_end_matches('\r')
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.text.len())
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The LSP position of a byte offset.
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let col: usize = self.text[start..floor_char(self.text, offset)]
            .chars()
            .map(char::len_utf16)
            .sum();
        Position::new(line as u32, col as u32)
    }

    pub fn range(&self, start: usize, end: usize) -> Range {
        Range::new(self.position(start), self.position(end))
    }

    /// The byte offset of an LSP position (clamped to the line and the text).
    pub fn offset(&self, pos: Position) -> usize {
        let line = pos.line as usize;
        if line >= self.starts.len() {
            return self.text.len();
        }
        let start = self.starts[line];
        let text = self.line(line);
        let mut units = 0usize;
        for (i, c) in text.char_indices() {
            if units >= pos.character as usize {
                return start + i;
            }
            units += c.len_utf16();
        }
        start + text.len()
    }

    /// The range of a finding's span: compile errors count bytes, lint and breaking findings
    /// count buf columns (characters, tab stops of 4).
    pub fn finding_range(&self, finding: &Finding) -> Range {
        let Some(span) = finding.span else {
            return Range::default();
        };
        let bytes = finding.rule == "COMPILE";
        let at = |line: u32, col: u32| -> usize {
            let line = line.saturating_sub(1) as usize;
            let text = self.line(line);
            let col = col.saturating_sub(1) as usize;
            let within = if bytes {
                floor_char(text, col.min(text.len()))
            } else {
                crate::compile::byte_of_buf_column(text, col).unwrap_or(text.len())
            };
            self.line_start(line) + within
        };
        let FindingSpan {
            start_line,
            start_column,
            end_line,
            end_column,
        } = span;
        let start = at(start_line, start_column);
        let end = at(end_line, end_column).max(start);
        self.range(start, end)
    }
}

/// The largest char boundary at or before `i`.
fn floor_char(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The `file:` URI of a path.
pub fn path_to_uri(path: &Path) -> Uri {
    let mut s = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    Uri::from_str(&s).unwrap_or_else(|_| Uri::from_str("file:///").expect("a valid URI"))
}

/// The path of a `file:` URI (`None` for other schemes).
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let s = uri.as_str();
    let rest = s.strip_prefix("file://")?;
    // `file://localhost/x` and `file:///x`.
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    let mut bytes = Vec::with_capacity(rest.len());
    let raw = rest.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'%' && i + 2 < raw.len() {
            if let Ok(b) = u8::from_str_radix(&rest[i + 1..i + 3], 16) {
                bytes.push(b);
                i += 3;
                continue;
            }
        }
        bytes.push(raw[i]);
        i += 1;
    }
    let path = String::from_utf8(bytes).ok()?;
    Some(PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units() {
        let text = "a\n\u{e9}\u{1F600}x\n";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(index.position(x), Position::new(1, 3));
        assert_eq!(index.offset(Position::new(1, 3)), x);
        assert_eq!(index.offset(Position::new(9, 0)), text.len());
    }

    #[test]
    fn uris_round_trip() {
        let path = Path::new("/tmp/a b/c%.proto");
        let uri = path_to_uri(path);
        assert_eq!(uri.as_str(), "file:///tmp/a%20b/c%25.proto");
        assert_eq!(uri_to_path(&uri).unwrap(), path);
    }

    #[test]
    fn finding_columns_by_kind() {
        let text = "\tab\u{e9}c\n";
        let index = LineIndex::new(text);
        // Lint: buf columns (tab to 4): `c` is at buf column 7 (1-based 8).
        let lint = Finding::new(
            "X",
            None,
            Some(FindingSpan {
                start_line: 1,
                start_column: 8,
                end_line: 1,
                end_column: 9,
            }),
            "",
        );
        assert_eq!(index.finding_range(&lint).start, Position::new(0, 4));
        // Compile errors: bytes (`c` is byte 5, 1-based 6).
        let compile = Finding::new("COMPILE", None, lint.span, "");
        let mut c = compile.clone();
        c.span = Some(FindingSpan {
            start_line: 1,
            start_column: 6,
            end_line: 1,
            end_column: 7,
        });
        assert_eq!(index.finding_range(&c).start, Position::new(0, 4));
    }
}

//! Keeping `SourceCodeInfo` out of the descriptor pool, and encoded until someone reads it.
//!
//! prost-reflect keeps three copies of every file it links (its own raw descriptor, a clone made
//! while collecting names, and a prost-types copy), and when it interprets an option it rewrites
//! the paths of the option's locations by scanning all locations of the file: quadratic in a file
//! with many options. Source info is most of a descriptor's size (a location with a path, a span
//! and comments for every element; decoded, several hundred bytes each), so handing it to the pool
//! dominated the time and memory of a large compile.
//!
//! So right after parsing, [`Detached::split`] encodes a file's source info (a few bytes per
//! location) and leaves in the descriptor only the locations of option statements: those are the
//! ones the pool rewrites (their paths go through `uninterpreted_option`, field 999). After linking,
//! [`Detached::rejoin`] puts the rewritten option locations back into the encoded stream. The image
//! file keeps that encoding and decodes it when a check needs positions or comments.
//!
//! Columns: protox counts a location's columns in bytes with a tab as one column; buf counts
//! characters, with tab stops every 4 columns (its images, and so its lint and breaking findings,
//! say so). [`BufColumns`] rewrites the spans the image keeps to buf's columns; the pool keeps
//! protox's, which its error messages are computed from.

use std::ops::Range;

use prost::encoding::{decode_key, decode_varint, encode_key, encode_varint, WireType};
use prost::Message;
use prost_types::source_code_info::Location;
use prost_types::{FileDescriptorProto, SourceCodeInfo};

/// `uninterpreted_option` in every `*Options` message of descriptor.proto.
pub(super) const UNINTERPRETED_OPTION: i32 = 999;
/// `location` in `SourceCodeInfo`.
const LOCATION_FIELD: u32 = 1;

/// A file's own source info, as parsing leaves it for its image file ([`super::image_file`]).
#[derive(Debug)]
pub enum Own {
    /// Taken out of the descriptor before linking.
    Split(Detached),
    /// Not made: only the option locations went to the linker ([`super::Linking::Deferred`]); the
    /// image file makes it again from the text when it is first read.
    Later,
}

/// A file's source info, encoded and taken out of its descriptor before linking.
#[derive(Debug)]
pub struct Detached {
    /// The encoded `SourceCodeInfo` as parsed.
    encoded: Vec<u8>,
    /// Where the option locations left in the descriptor are in `encoded`, in order.
    option_locations: Vec<Range<usize>>,
    /// Their spans as the pool has them (protox's columns), to check that they line up.
    option_spans: Vec<Vec<i32>>,
}

impl Detached {
    /// Takes the source info out of `file` (parsed from `text`), leaving only the locations of
    /// option statements; the kept copy has buf's columns.
    pub fn split(file: &mut FileDescriptorProto, text: &str) -> Option<Detached> {
        let mut full = file.source_code_info.take()?;
        let mut left = Vec::new();
        let mut option_indices = Vec::new();
        for (i, location) in full.location.iter().enumerate() {
            if location.path.contains(&UNINTERPRETED_OPTION) {
                option_indices.push(i);
                left.push(location.clone());
            }
        }
        if let Some(columns) = BufColumns::new(text) {
            columns.apply(&mut full);
        }
        // Each location's length once (prost's `encoded_len` of the whole info, then of each
        // location again while encoding, walked every path and span twice).
        let lengths: Vec<usize> = full.location.iter().map(Message::encoded_len).collect();
        let total = lengths
            .iter()
            .map(|&len| 1 + prost::encoding::encoded_len_varint(len as u64) + len)
            .sum();
        let mut encoded = Vec::with_capacity(total);
        let mut option_locations = Vec::with_capacity(option_indices.len());
        let mut next_option = option_indices.iter().peekable();
        for (i, (location, &len)) in full.location.iter().zip(&lengths).enumerate() {
            let start = encoded.len();
            encode_location(location, len, &mut encoded);
            if next_option.next_if(|&&o| o == i).is_some() {
                option_locations.push(start..encoded.len());
            }
        }
        let option_spans = left.iter().map(|l| l.span.clone()).collect();
        if !left.is_empty() {
            file.source_code_info = Some(SourceCodeInfo { location: left });
        }
        Some(Detached {
            encoded,
            option_locations,
            option_spans,
        })
    }

    /// The encoded source info, with the option paths as the linker rewrote them in `linked` (the
    /// pool's copy of the locations left by [`Detached::split`]). `None` if `linked` does not hold
    /// those locations (then the caller cannot trust the paths and must link with full info).
    pub fn rejoin(self, linked: Option<&SourceCodeInfo>) -> Option<Vec<u8>> {
        let linked = linked.map(|l| l.location.as_slice()).unwrap_or(&[]);
        if linked.len() != self.option_locations.len() {
            return None;
        }
        if linked.is_empty() {
            return Some(self.encoded);
        }
        let mut out = Vec::with_capacity(self.encoded.len() + 16 * linked.len());
        let mut copied = 0;
        for ((range, span), location) in self
            .option_locations
            .iter()
            .zip(&self.option_spans)
            .zip(linked)
        {
            if *span != location.span {
                return None;
            }
            let mut own = decode_location(&self.encoded[range.clone()])?;
            own.path.clone_from(&location.path);
            out.extend_from_slice(&self.encoded[copied..range.start]);
            encode_location(&own, own.encoded_len(), &mut out);
            copied = range.end;
        }
        out.extend_from_slice(&self.encoded[copied..]);
        Some(out)
    }
}

/// Converts protox's columns (bytes, a tab is one) to buf's (characters, tab stops every 4) on the
/// lines of a source that need it.
pub struct BufColumns<'a> {
    text: &'a str,
    /// Byte offset where each line starts, and whether it has a tab or a non-ASCII character.
    lines: Vec<(usize, bool)>,
}

impl<'a> BufColumns<'a> {
    /// `None` when every column is the same in both conventions (no tab, ASCII only).
    pub fn new(text: &'a str) -> Option<BufColumns<'a>> {
        // Word-at-a-time and SIMD scans (`is_ascii`, memchr): this runs on every file compiled.
        let special = |s: &str| !s.is_ascii() || memchr::memchr(b'\t', s.as_bytes()).is_some();
        if !special(text) {
            return None;
        }
        let mut lines = Vec::new();
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', text.as_bytes()) {
            lines.push((start, special(&text[start..end])));
            start = end + 1;
        }
        if start < text.len() {
            lines.push((start, special(&text[start..])));
        }
        Some(BufColumns { text, lines })
    }

    /// Rewrites the spans (`[line, col, end_col]` or `[line, col, end_line, end_col]`).
    pub fn apply(&self, info: &mut SourceCodeInfo) {
        for location in &mut info.location {
            let span = &mut location.span;
            let (line, end_line, end_at) = match span.len() {
                3 => (span[0], span[0], 2),
                4 => (span[0], span[2], 3),
                _ => continue,
            };
            span[1] = self.column(line, span[1]);
            span[end_at] = self.column(end_line, span[end_at]);
        }
    }

    /// buf's 0-based column of protox's 0-based column `col` on 0-based line `line`.
    fn column(&self, line: i32, col: i32) -> i32 {
        let Some(&(start, true)) = usize::try_from(line).ok().and_then(|l| self.lines.get(l))
        else {
            return col;
        };
        let Ok(col) = usize::try_from(col) else {
            return col;
        };
        let before = self
            .text
            .get(start..(start + col).min(self.text.len()))
            .unwrap_or("");
        buf_column(before) as i32
    }
}

/// buf's 0-based column after `before` (the start of a line): characters, tab stops every 4.
pub fn buf_column(before: &str) -> usize {
    before.chars().fold(0, |col, c| {
        if c == '\t' {
            col + 4 - col % 4
        } else {
            col + 1
        }
    })
}

/// The byte offset in `line` of buf's 0-based column `column` (the inverse of [`buf_column`]);
/// `None` past the end of the line or inside a tab.
pub fn byte_of_buf_column(line: &str, column: usize) -> Option<usize> {
    let mut col = 0;
    for (i, c) in line.char_indices() {
        if col == column {
            return Some(i);
        }
        if col > column || c == '\n' {
            return None;
        }
        col = if c == '\t' {
            col + 4 - col % 4
        } else {
            col + 1
        };
    }
    (col == column).then_some(line.len())
}

/// Walks an encoded `SourceCodeInfo`, decoding only each location's path: `visit(path, location)`
/// gets the path and the location's own encoding (decode it with `Location::decode` if wanted).
/// Stops at the first malformed byte (our encodings are well-formed).
pub fn scan(mut encoded: &[u8], mut visit: impl FnMut(&[i32], &[u8])) {
    let mut path = Vec::new();
    while !encoded.is_empty() {
        let Some(location) = next_location(&mut encoded) else {
            return;
        };
        path.clear();
        if read_path(location, &mut path).is_none() {
            return;
        }
        visit(&path, location);
    }
}

/// The body of the next `location` field; other fields (buf writes an extension of its own into
/// `SourceCodeInfo`) are skipped.
fn next_location<'a>(encoded: &mut &'a [u8]) -> Option<&'a [u8]> {
    while !encoded.is_empty() {
        let field = super::wire::next_field(encoded).ok()?;
        if let (LOCATION_FIELD, Some(body)) = (field.tag, field.body) {
            return Some(body);
        }
    }
    None
}

/// The `path` of an encoded location (field 1, packed; prost writes it first).
fn read_path(mut location: &[u8], path: &mut Vec<i32>) -> Option<()> {
    while !location.is_empty() {
        let (tag, wire) = decode_key(&mut location).ok()?;
        match (tag, wire) {
            (1, WireType::LengthDelimited) => {
                let len = decode_varint(&mut location).ok()? as usize;
                let mut packed = location.get(..len)?;
                location = &location[len..];
                while !packed.is_empty() {
                    path.push(decode_varint(&mut packed).ok()? as i32);
                }
            }
            (1, WireType::Varint) => path.push(decode_varint(&mut location).ok()? as i32),
            // Every other field comes after the path: stop.
            _ => return Some(()),
        }
    }
    Some(())
}

/// One `location` field of a `SourceCodeInfo`; `len` is the location's `encoded_len()`.
fn encode_location(location: &Location, len: usize, out: &mut Vec<u8>) {
    encode_key(LOCATION_FIELD, WireType::LengthDelimited, out);
    encode_varint(len as u64, out);
    location.encode_raw(out);
}

fn decode_location(mut field: &[u8]) -> Option<Location> {
    let location = super::wire::next_field(&mut field).ok()?;
    match (location.tag, location.body) {
        (LOCATION_FIELD, Some(body)) if field.is_empty() => Location::decode(body).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(path: &[i32], line: i32) -> Location {
        Location {
            path: path.to_vec(),
            span: vec![line, 0, 5],
            leading_comments: Some(format!(" comment {line}\n")),
            ..Location::default()
        }
    }

    #[test]
    fn split_leaves_option_locations_and_rejoin_takes_their_new_paths() {
        let mut file = FileDescriptorProto {
            name: Some("a.proto".into()),
            source_code_info: Some(SourceCodeInfo {
                location: vec![
                    loc(&[], 0),
                    loc(&[4, 0], 1),
                    loc(&[4, 0, 7, 999, 0], 2),
                    loc(&[4, 0, 2, 0], 3),
                    loc(&[4, 0, 2, 0, 8, 999, 0], 4),
                ],
            }),
            ..FileDescriptorProto::default()
        };
        let detached = Detached::split(&mut file, "").expect("has source info");
        let left = file
            .source_code_info
            .as_ref()
            .expect("option locations left");
        assert_eq!(left.location.len(), 2);

        let mut linked = left.clone();
        linked.location[0].path = vec![4, 0, 7, 50001];
        linked.location[1].path = vec![4, 0, 2, 0, 8, 50002, 1];
        let encoded = detached.rejoin(Some(&linked)).expect("paths line up");
        let full = SourceCodeInfo::decode(encoded.as_slice()).expect("valid encoding");
        let paths: Vec<&[i32]> = full.location.iter().map(|l| l.path.as_slice()).collect();
        assert_eq!(
            paths,
            [
                &[][..],
                &[4, 0],
                &[4, 0, 7, 50001],
                &[4, 0, 2, 0],
                &[4, 0, 2, 0, 8, 50002, 1]
            ]
        );
        assert_eq!(
            full.location[4].leading_comments.as_deref(),
            Some(" comment 4\n")
        );
    }

    #[test]
    fn columns_become_bufs() {
        let text = "a\n  \tstring x;\n/* é */ int32 y;\n\t\tz\n";
        let mut info = SourceCodeInfo {
            location: vec![
                Location {
                    span: vec![0, 0, 1],
                    ..Location::default()
                },
                Location {
                    span: vec![1, 10, 11],
                    ..Location::default()
                },
                Location {
                    span: vec![2, 15, 3, 2],
                    ..Location::default()
                },
            ],
        };
        BufColumns::new(text).expect("has tabs").apply(&mut info);
        let spans: Vec<&[i32]> = info.location.iter().map(|l| l.span.as_slice()).collect();
        assert_eq!(spans, [&[0, 0, 1][..], &[1, 11, 12], &[2, 14, 3, 8]]);
        assert!(BufColumns::new("plain ascii\n").is_none());
        assert_eq!(byte_of_buf_column("  \tstring x;", 11), Some(10));
        assert_eq!(byte_of_buf_column("/* é */ int32 y;", 14), Some(15));
        assert_eq!(byte_of_buf_column("\tx", 2), None, "inside the tab");
        assert_eq!(byte_of_buf_column("ab", 2), Some(2));
        assert_eq!(byte_of_buf_column("ab", 3), None);
    }

    /// The line table marks exactly the lines with a tab or a non-ASCII character, the last
    /// line too when the text does not end with a newline.
    #[test]
    fn the_line_table_marks_the_lines_that_need_buf_columns() {
        let text = "\tx\n\nplain\r\nnon-ascii é\n\nlast\t";
        let columns = BufColumns::new(text).expect("has tabs");
        let want: Vec<(usize, bool)> = {
            let mut start = 0;
            let mut out = Vec::new();
            for line in text.split_inclusive('\n') {
                out.push((start, line.contains('\t') || !line.is_ascii()));
                start += line.len();
            }
            out
        };
        assert_eq!(columns.lines, want);
        assert_eq!(
            columns.lines.iter().filter(|l| l.1).count(),
            3,
            "{:?}",
            columns.lines
        );
        assert!(BufColumns::new("a\n\nb").is_none());
    }

    #[test]
    fn scan_reads_every_path() {
        let info = SourceCodeInfo {
            location: vec![loc(&[], 0), loc(&[4, 0, 2, 300], 1), loc(&[12], 2)],
        };
        let mut seen = Vec::new();
        scan(&info.encode_to_vec(), |path, raw| {
            seen.push((path.to_vec(), Location::decode(raw).expect("location").span));
        });
        assert_eq!(
            seen,
            [
                (vec![], vec![0, 0, 5]),
                (vec![4, 0, 2, 300], vec![1, 0, 5]),
                (vec![12], vec![2, 0, 5])
            ]
        );
        let mut count = 0;
        scan(&[0x0a, 0x09, 0x0a], |_, _| count += 1);
        assert_eq!(count, 0, "a truncated encoding stops the scan");
        // An extension field (as buf writes one) before a location is skipped.
        let mut with_extension = vec![0x82, 0xe0, 0xd6, 0xfc, 0x0f, 0x03, 0x1a, 0x01, 0x03];
        with_extension.extend(info.encode_to_vec());
        let mut paths = Vec::new();
        scan(&with_extension, |path, _| paths.push(path.to_vec()));
        assert_eq!(paths.len(), 3);
    }

    #[test]
    fn without_options_the_encoding_is_the_whole_source_info() {
        let info = SourceCodeInfo {
            location: vec![loc(&[], 0), loc(&[4, 0], 1)],
        };
        let mut file = FileDescriptorProto {
            source_code_info: Some(info.clone()),
            ..FileDescriptorProto::default()
        };
        let detached = Detached::split(&mut file, "").expect("has source info");
        assert!(file.source_code_info.is_none());
        assert_eq!(detached.rejoin(None), Some(info.encode_to_vec()));
    }

    #[test]
    fn rejoin_refuses_locations_that_do_not_line_up() {
        let file = FileDescriptorProto {
            source_code_info: Some(SourceCodeInfo {
                location: vec![loc(&[8, 999, 0], 2)],
            }),
            ..FileDescriptorProto::default()
        };
        let mut moved = file.source_code_info.clone().expect("has source info");
        moved.location[0].span = vec![3, 0, 5];
        let detached = || Detached::split(&mut file.clone(), "").expect("has source info");
        assert!(detached().rejoin(Some(&moved)).is_none());
        assert!(detached().rejoin(None).is_none());
        assert!(Detached::split(&mut FileDescriptorProto::default(), "").is_none());
    }
}

//! Where a finding about one part of a `buf.validate` option goes.
//!
//! buf's compiler records a location for every field set inside an option's message literal
//! (`[(buf.validate.field).string = {min_len: 5, max_len: 2}]` has one for `min_len: 5` and one
//! for `max_len: 2`); protox, like protoc, records only the whole option. So the literals of the
//! validate options of an element are re-read from the source here, with buf's rules:
//! - a singular scalar field gets a location (`path + [number]`), from its name to its value;
//! - a singular message field gets none of its own, its fields do;
//! - a repeated field gets one location per occurrence (`path + [number, index]`, the index of the
//!   occurrence's first element), and nothing inside it is broken down further;
//! - nothing inside an option that sets one element of a repeated field is broken down.
//!
//! Lookups then follow buf's `OptionExtensionLocation`: the exact path if it has a location, else
//! the first location inside the path, else the longest location that contains the path.

use std::collections::HashMap;

use prost::Message;
use prost_reflect::{DescriptorPool, ExtensionDescriptor, Kind, MessageDescriptor};
use prost_types::source_code_info::Location;

use crate::check::Span;
use crate::image::ImageFile;

/// One location: a `SourceCodeInfo` path and its span.
#[derive(Debug, Clone)]
struct Loc {
    path: Vec<i32>,
    span: Span,
}

/// The locations under one element's validate option (`element path + [options tag, extension]`).
pub struct OptionLocations {
    base_len: usize,
    locs: Vec<Loc>,
}

/// The locations of a file's validate options (`... + [7 or 8, 1159 or 1160, ...]`), grouped by
/// option (element path + options tag + extension number), and the file's line starts: built
/// once per file, so that each element's lookups only see its own options.
pub struct FileIndex<'a> {
    file: &'a ImageFile,
    lines: Vec<usize>,
    by_option: HashMap<Vec<i32>, Vec<Location>>,
}

impl<'a> FileIndex<'a> {
    /// Decodes only the locations of validate options from the file's encoded source info.
    pub fn new(file: &'a ImageFile) -> Self {
        let mut by_option: HashMap<Vec<i32>, Vec<Location>> = HashMap::new();
        if let Some(bytes) = file.encoded_source_info() {
            crate::compile::scan_source_info(bytes, |path, raw| {
                // Element paths have an even length; the options tag follows, then the extension.
                let base = (1..path.len())
                    .step_by(2)
                    .find(|&k| matches!(path[k - 1], 7 | 8) && matches!(path[k], 1159 | 1160));
                if let (Some(k), Ok(loc)) = (base, Location::decode(raw)) {
                    by_option.entry(path[..=k].to_vec()).or_default().push(loc);
                }
            });
        }
        FileIndex {
            file,
            lines: file.source.as_deref().map(line_starts).unwrap_or_default(),
            by_option,
        }
    }
}

impl OptionLocations {
    /// Collects the locations under `element + [options_tag, ext.number()]`, adding the ones
    /// buf's compiler would record inside message literals.
    pub fn new(
        index: &FileIndex,
        pool: &DescriptorPool,
        element: &[i32],
        options_tag: i32,
        ext: &ExtensionDescriptor,
    ) -> Self {
        let mut base = element.to_vec();
        base.extend([options_tag, ext.number() as i32]);
        let mut locs = Vec::new();
        let source = index.file.source.as_deref();
        for loc in index.by_option.get(&base).into_iter().flatten() {
            // Re-measured from the source, as the literal fields below are.
            let span = match source.and_then(|src| {
                let start = offset(src, &index.lines, &loc.span, false)?;
                let end = offset(src, &index.lines, &loc.span, true)?;
                Some(char_span(src, &index.lines, start, end))
            }) {
                Some(span) => span,
                None => match Span::from_source_code_info(&loc.span) {
                    Some(span) => span,
                    None => continue,
                },
            };
            locs.push(Loc {
                path: loc.path.clone(),
                span,
            });
            let Some(source) = source else {
                continue;
            };
            // Only an option whose value is a whole singular message is broken down.
            let Some(md) = message_at(ext, &loc.path[base.len()..]) else {
                continue;
            };
            let (Some(start), Some(end)) = (
                offset(source, &index.lines, &loc.span, false),
                offset(source, &index.lines, &loc.span, true),
            ) else {
                continue;
            };
            if let Some(open) = aggregate_start(source, start, end) {
                let mut scanner = Scanner {
                    src: source,
                    lines: &index.lines,
                    pos: open + 1,
                    end,
                    pool,
                    out: Vec::new(),
                };
                let close = if source.as_bytes()[open] == b'<' {
                    b'>'
                } else {
                    b'}'
                };
                scanner.message(&md, &loc.path, close);
                locs.extend(scanner.out);
            }
        }
        OptionLocations {
            base_len: base.len(),
            locs,
        }
    }

    /// The span buf reports for `base + extra`, or `None` when the option has no location.
    pub fn find(&self, extra: &[i32]) -> Option<Span> {
        let first = self.locs.first()?;
        let mut path = first.path[..self.base_len].to_vec();
        path.extend_from_slice(extra);
        if let Some(l) = self.locs.iter().find(|l| l.path == path) {
            return Some(l.span);
        }
        let mut best: Option<&Loc> = None;
        for l in &self.locs {
            if l.path.len() >= self.base_len
                && path.starts_with(&l.path)
                && l.path.len() > best.map_or(0, |b| b.path.len())
            {
                best = Some(l);
            } else if l.path.starts_with(&path) {
                return Some(l.span);
            }
        }
        best.map(|l| l.span)
    }
}

/// The message type set by an option at `rest` (the path below the extension), when it is a
/// singular message (not an element of a repeated field).
fn message_at(ext: &ExtensionDescriptor, rest: &[i32]) -> Option<MessageDescriptor> {
    if ext.is_list() || ext.is_map() {
        return None;
    }
    let Kind::Message(mut md) = ext.kind() else {
        return None;
    };
    for &number in rest {
        // Predefined rule extensions are scalars: nothing to descend into.
        let field = md.get_field(u32::try_from(number).ok()?)?;
        if field.is_list() || field.is_map() {
            return None;
        }
        let Kind::Message(next) = field.kind() else {
            return None;
        };
        md = next;
    }
    Some(md)
}

/// What the scanner needs of a field (or extension) named in a literal.
struct Named {
    number: i32,
    repeated: bool,
    message: Option<MessageDescriptor>,
}

impl Named {
    fn of(number: u32, repeated: bool, kind: Kind) -> Named {
        Named {
            number: number as i32,
            repeated,
            message: match kind {
                Kind::Message(m) if !repeated => Some(m),
                _ => None,
            },
        }
    }
}

/// The 1-based span of a byte range of `src`, in buf's columns (characters, tab stops of 4).
fn char_span(src: &str, lines: &[usize], start: usize, end: usize) -> Span {
    let at = |offset: usize| {
        let line = lines.partition_point(|&l| l <= offset).saturating_sub(1);
        let line_start = lines.get(line).copied().unwrap_or(0);
        let col = src.get(line_start..offset).map_or(
            offset.saturating_sub(line_start),
            crate::compile::buf_column,
        );
        (line as u32 + 1, col as u32 + 1)
    };
    let (start_line, start_column) = at(start);
    let (end_line, end_column) = at(end.max(start));
    Span {
        start_line,
        start_column,
        end_line,
        end_column,
    }
}

/// Byte offsets of the start of each line.
fn line_starts(source: &str) -> Vec<usize> {
    let mut out = vec![0];
    out.extend(source.match_indices('\n').map(|(i, _)| i + 1));
    out
}

/// The byte offset of a `SourceCodeInfo` span's start (or end); the image's columns are buf's.
fn offset(source: &str, lines: &[usize], span: &[i32], end: bool) -> Option<usize> {
    let (line, col) = match (span, end) {
        ([l, c, _], false) | ([l, c, _, _], false) => (*l, *c),
        ([l, _, c], true) | ([_, _, l, c], true) => (*l, *c),
        _ => return None,
    };
    let start = *lines.get(usize::try_from(line).ok()?)?;
    let line_text = source.get(start..)?;
    Some(start + crate::compile::byte_of_buf_column(line_text, usize::try_from(col).ok()?)?)
}

/// The offset of the `{` or `<` that opens an option's message literal (`name = {`), if any.
fn aggregate_start(source: &str, start: usize, end: usize) -> Option<usize> {
    let text = source.get(start..end)?;
    let eq = text.find('=')?;
    let rest = &text[eq + 1..];
    let skipped = skip_trivia(rest, 0);
    match rest.as_bytes().get(skipped) {
        Some(b'{') | Some(b'<') => Some(start + eq + 1 + skipped),
        _ => None,
    }
}

/// Skips whitespace and comments (`//`, `/* */`, `#`) from `i`.
fn skip_trivia(s: &str, mut i: usize) -> usize {
    let b = s.as_bytes();
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if b[i..].starts_with(b"//") || b.get(i) == Some(&b'#') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            i = s[i + 2..].find("*/").map_or(b.len(), |j| i + 2 + j + 2);
        } else {
            return i;
        }
    }
}

/// A text-format scanner over one message literal, recording buf's locations.
struct Scanner<'s> {
    src: &'s str,
    lines: &'s [usize],
    pos: usize,
    end: usize,
    pool: &'s DescriptorPool,
    out: Vec<Loc>,
}

impl Scanner<'_> {
    fn peek(&mut self) -> Option<u8> {
        self.pos = skip_trivia(&self.src[..self.end], self.pos);
        self.src
            .as_bytes()
            .get(self.pos)
            .copied()
            .filter(|_| self.pos < self.end)
    }

    fn span(&self, start: usize, end: usize) -> Span {
        char_span(self.src, self.lines, start, end)
    }

    /// Fields until `close`; records their locations under `path`.
    fn message(&mut self, md: &MessageDescriptor, path: &[i32], close: u8) {
        let mut counts: Vec<(i32, i32)> = Vec::new();
        loop {
            match self.peek() {
                None => return,
                Some(c) if c == close => {
                    self.pos += 1;
                    return;
                }
                Some(b',') | Some(b';') => {
                    self.pos += 1;
                    continue;
                }
                _ => {}
            }
            let name_start = self.pos;
            let field = self.field_name(md);
            if self.pos == name_start {
                // Not a field name: give up on this literal rather than loop.
                self.pos = self.end;
                return;
            }
            if self.peek() == Some(b':') {
                self.pos += 1;
            }
            let mut sub_path = path.to_vec();
            if let Some(f) = &field {
                sub_path.push(f.number);
            }
            let sub = field.as_ref().and_then(|f| f.message.clone());
            let elements = self.value(sub.as_ref().map(|m| (m, sub_path.as_slice())));
            let value_end = self.pos;
            let Some(f) = field else { continue };
            if f.repeated {
                let count = match counts.iter_mut().find(|(n, _)| *n == f.number) {
                    Some((_, c)) => c,
                    None => {
                        counts.push((f.number, 0));
                        &mut counts.last_mut().expect("just pushed").1
                    }
                };
                let mut p = sub_path.clone();
                p.push(*count);
                *count += elements;
                self.out.push(Loc {
                    path: p,
                    span: self.span(name_start, value_end),
                });
            } else if sub.is_none() {
                self.out.push(Loc {
                    path: sub_path,
                    span: self.span(name_start, value_end),
                });
            }
        }
    }

    /// A field name (`min_len`, `[pkg.ext]`), resolved against `md`.
    fn field_name(&mut self, md: &MessageDescriptor) -> Option<Named> {
        let b = self.src.as_bytes();
        if b.get(self.pos) == Some(&b'[') {
            let close = self.src[self.pos..self.end].find(']')? + self.pos;
            let name: String = self.src[self.pos + 1..close]
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            self.pos = close + 1;
            let ext = self.pool.get_extension_by_name(&name)?;
            if ext.containing_message().full_name() != md.full_name() {
                return None;
            }
            return Some(Named::of(ext.number(), ext.is_list(), ext.kind()));
        }
        let start = self.pos;
        while self.pos < self.end && (b[self.pos].is_ascii_alphanumeric() || b[self.pos] == b'_') {
            self.pos += 1;
        }
        let f = md.get_field_by_name(&self.src[start..self.pos])?;
        Some(Named::of(f.number(), f.is_list() || f.is_map(), f.kind()))
    }

    /// One value (scalar, message or list); returns how many elements it holds.
    fn value(&mut self, message: Option<(&MessageDescriptor, &[i32])>) -> i32 {
        match self.peek() {
            Some(b'[') => {
                self.pos += 1;
                let mut n = 0;
                loop {
                    match self.peek() {
                        None => return n,
                        Some(b']') => {
                            self.pos += 1;
                            return n;
                        }
                        Some(b',') => self.pos += 1,
                        _ => {
                            let before = self.pos;
                            self.value(None);
                            if self.pos == before {
                                self.pos = self.end;
                                return n;
                            }
                            n += 1;
                        }
                    }
                }
            }
            Some(open @ (b'{' | b'<')) => {
                self.pos += 1;
                let close = if open == b'<' { b'>' } else { b'}' };
                match message {
                    Some((md, path)) => self.message(md, path, close),
                    None => self.skip_message(),
                }
                1
            }
            _ => {
                self.scalar();
                1
            }
        }
    }

    fn skip_message(&mut self) {
        let mut depth = 1;
        while let Some(c) = self.peek() {
            match c {
                b'{' | b'<' => {
                    depth += 1;
                    self.pos += 1;
                }
                b'}' | b'>' => {
                    self.pos += 1;
                    depth -= 1;
                    if depth == 0 {
                        return;
                    }
                }
                b'"' | b'\'' => self.string(),
                _ => self.pos += 1,
            }
        }
    }

    fn string(&mut self) {
        let b = self.src.as_bytes();
        let quote = b[self.pos];
        self.pos += 1;
        while self.pos < self.end && b[self.pos] != quote {
            if b[self.pos] == b'\\' {
                self.pos += 1;
            }
            self.pos += 1;
        }
        self.pos = (self.pos + 1).min(self.end);
    }

    /// A scalar: `-`? then an identifier, a number, or adjacent strings.
    fn scalar(&mut self) {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'"' | b'\'') => {
                // Adjacent strings concatenate; the value ends after the last one.
                let mut end = self.pos;
                while matches!(self.peek(), Some(b'"' | b'\'')) {
                    self.string();
                    end = self.pos;
                }
                self.pos = end;
            }
            Some(_) => {
                let b = self.src.as_bytes();
                while self.pos < self.end {
                    let c = b[self.pos];
                    let exp_sign = (c == b'-' || c == b'+')
                        && matches!(b.get(self.pos.wrapping_sub(1)), Some(b'e' | b'E'));
                    if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || exp_sign {
                        self.pos += 1;
                    } else {
                        break;
                    }
                }
            }
            None => {}
        }
    }
}

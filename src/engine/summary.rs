//! File summaries: what the cross-file lint rules read of a file that is not compiled (package,
//! imports, the standard file options, message names, services and their RPC types as written), as
//! the outline `FileDescriptorProto` of [`crate::syntax::outline`].
//!
//! [`summarize`] first runs a one-pass scanner over the bytes (no syntax tree; several times faster
//! than the full parse), which gives up on anything it does not fully understand; then the full
//! lossless parser; then protox's parser. A file none of them can read has no summary (it is left
//! out of the cross-file rules, as before).

use prost_types::{
    DescriptorProto, FileDescriptorProto, FileOptions, MethodDescriptorProto,
    ServiceDescriptorProto,
};

/// The summary of the file known by import path `name`, or `None` if it cannot be parsed.
pub fn summarize(name: &str, text: &str) -> Option<FileDescriptorProto> {
    if let Some(fast) = scan(name, text) {
        return Some(fast);
    }
    full_outline(name, text)
}

/// The summary from the full parsers (the reference the scanner must agree with).
pub fn full_outline(name: &str, text: &str) -> Option<FileDescriptorProto> {
    if let Ok(tree) = crate::syntax::parse(text) {
        return Some(crate::syntax::outline::outline(name, &tree));
    }
    let mut proto = protox_parse::parse(name, text).ok()?;
    interpret_file_options(&mut proto);
    // Findings are never reported on these files: no positions needed.
    proto.source_code_info = None;
    Some(proto)
}

/// A parsed (unlinked) file keeps its options uninterpreted; set the standard file options the
/// cross-file rules compare (`go_package`, `java_package`, ...).
fn interpret_file_options(proto: &mut FileDescriptorProto) {
    let Some(options) = proto.options.as_mut() else {
        return;
    };
    let uninterpreted = std::mem::take(&mut options.uninterpreted_option);
    for option in uninterpreted {
        let [part] = option.name.as_slice() else {
            continue;
        };
        if part.is_extension {
            continue;
        }
        let string = || {
            option
                .string_value
                .as_ref()
                .map(|b| String::from_utf8_lossy(b).into_owned())
        };
        match part.name_part.as_str() {
            "go_package" => options.go_package = string(),
            "java_package" => options.java_package = string(),
            "csharp_namespace" => options.csharp_namespace = string(),
            "php_namespace" => options.php_namespace = string(),
            "ruby_package" => options.ruby_package = string(),
            "swift_prefix" => options.swift_prefix = string(),
            "java_multiple_files" => {
                options.java_multiple_files = match option.identifier_value.as_deref() {
                    Some("true") => Some(true),
                    Some("false") => Some(false),
                    _ => None,
                }
            }
            _ => {}
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok<'a> {
    Ident(&'a str),
    /// A string literal with its quotes.
    Str(&'a str),
    /// A number (only skipped).
    Num,
    Sym(u8),
    Eof,
}

struct Scanner<'a> {
    src: &'a str,
    pos: usize,
    peeked: Option<(Tok<'a>, usize)>,
}

impl<'a> Scanner<'a> {
    fn new(src: &'a str) -> Self {
        let pos = if src.as_bytes().starts_with(&[0xEF, 0xBB, 0xBF]) {
            3
        } else {
            0
        };
        Scanner {
            src,
            pos,
            peeked: None,
        }
    }

    /// The next token; `None` for anything the scanner does not understand.
    fn lex(&mut self) -> Option<Tok<'a>> {
        let b = self.src.as_bytes();
        loop {
            while self.pos < b.len()
                && matches!(b[self.pos], b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c)
            {
                self.pos += 1;
            }
            if self.pos + 1 < b.len() && b[self.pos] == b'/' {
                match b[self.pos + 1] {
                    b'/' => {
                        self.pos = memchr(b'\n', &b[self.pos..]).map_or(b.len(), |i| self.pos + i);
                        continue;
                    }
                    b'*' => {
                        let rest = &b[self.pos + 2..];
                        self.pos += 2 + memchr::memmem::find(rest, b"*/")? + 2;
                        continue;
                    }
                    _ => {}
                }
            }
            break;
        }
        if self.pos >= b.len() {
            return Some(Tok::Eof);
        }
        let start = self.pos;
        let c = b[start];
        if c.is_ascii_alphabetic() || c == b'_' {
            self.pos += 1;
            while self.pos < b.len() && (b[self.pos].is_ascii_alphanumeric() || b[self.pos] == b'_')
            {
                self.pos += 1;
            }
            return Some(Tok::Ident(&self.src[start..self.pos]));
        }
        if c.is_ascii_digit() || (c == b'.' && b.get(start + 1).is_some_and(u8::is_ascii_digit)) {
            // Numbers (ints, floats, exponents): only skipped; `-`/`+` are symbols.
            self.pos += 1;
            while self.pos < b.len() {
                let d = b[self.pos];
                let sign = (d == b'-' || d == b'+') && matches!(b[self.pos - 1], b'e' | b'E');
                if d.is_ascii_alphanumeric() || d == b'.' || d == b'_' || sign {
                    self.pos += 1;
                } else {
                    break;
                }
            }
            return Some(Tok::Num);
        }
        if c == b'"' || c == b'\'' {
            self.pos += 1;
            // From one escape, line end or quote to the next (a literal is mostly plain text).
            while let Some(i) = memchr::memchr3(b'\\', b'\n', c, b.get(self.pos..)?) {
                self.pos += i;
                match b[self.pos] {
                    b'\\' => self.pos += 2,
                    b'\n' => return None,
                    _ => {
                        self.pos += 1;
                        return Some(Tok::Str(&self.src[start..self.pos]));
                    }
                }
            }
            return None;
        }
        match c {
            b';' | b',' | b'.' | b':' | b'=' | b'-' | b'+' | b'(' | b')' | b'{' | b'}' | b'['
            | b']' | b'<' | b'>' | b'/' => {
                self.pos += 1;
                Some(Tok::Sym(c))
            }
            _ => None,
        }
    }

    fn next(&mut self) -> Option<Tok<'a>> {
        if let Some((t, pos)) = self.peeked.take() {
            self.pos = pos;
            return Some(t);
        }
        self.lex()
    }

    fn peek(&mut self) -> Option<Tok<'a>> {
        if let Some((t, _)) = self.peeked {
            return Some(t);
        }
        let t = self.lex()?;
        self.peeked = Some((t, self.pos));
        Some(t)
    }

    fn expect_sym(&mut self, s: u8) -> Option<()> {
        (self.next()? == Tok::Sym(s)).then_some(())
    }

    fn ident(&mut self) -> Option<&'a str> {
        match self.next()? {
            Tok::Ident(i) => Some(i),
            _ => None,
        }
    }

    /// Adjacent string literals, decoded.
    fn strings(&mut self) -> Option<String> {
        let Tok::Str(first) = self.peek()? else {
            return None;
        };
        self.next();
        let first = &first[1..first.len() - 1];
        // One literal with nothing escaped (nearly every import path and option value): its text.
        if !matches!(self.peek()?, Tok::Str(_)) && !first.contains('\\') {
            return Some(first.to_string());
        }
        let mut bytes = Vec::new();
        crate::syntax::unescape(first, &mut bytes);
        while let Tok::Str(s) = self.peek()? {
            self.next();
            crate::syntax::unescape(&s[1..s.len() - 1], &mut bytes);
        }
        Some(
            String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        )
    }

    /// What [`Scanner::strings`] reads (one string literal or more), not decoded.
    fn skip_strings(&mut self) -> Option<()> {
        let Tok::Str(_) = self.next()? else {
            return None;
        };
        while let Tok::Str(_) = self.peek()? {
            self.next();
        }
        Some(())
    }

    /// A possibly qualified name, as written (`.a.B`, `a.B`).
    fn qual_name(&mut self) -> Option<String> {
        // Room for most names at once (a package is a few words).
        let mut out = String::with_capacity(48);
        if self.peek()? == Tok::Sym(b'.') {
            self.next();
            out.push('.');
        }
        out.push_str(self.ident()?);
        while self.peek()? == Tok::Sym(b'.') {
            self.next();
            out.push('.');
            out.push_str(self.ident()?);
        }
        Some(out)
    }

    /// Skips to the end of the current statement: past its `;` or its balanced `{...}` block,
    /// whichever comes first at this depth.
    fn skip_statement(&mut self) -> Option<()> {
        let mut depth = 0usize;
        loop {
            match self.next()? {
                Tok::Eof => return None,
                Tok::Sym(b'(' | b'[' | b'<') => depth += 1,
                Tok::Sym(b')' | b']' | b'>') => depth = depth.checked_sub(1)?,
                Tok::Sym(b'{') => {
                    self.skip_block()?;
                    if depth == 0 {
                        // `message X {..}`-like statement without a `;`; a trailing `;` is its own
                        // empty statement.
                        return Some(());
                    }
                }
                Tok::Sym(b'}') => return None,
                Tok::Sym(b';') if depth == 0 => return Some(()),
                _ => {}
            }
        }
    }

    /// Skips the rest of a block whose `{` was just read.
    fn skip_block(&mut self) -> Option<()> {
        if self.peeked.is_none() {
            return self.skip_bytes(1, Until::BlockEnd);
        }
        let mut depth = 1usize;
        while depth > 0 {
            match self.next()? {
                Tok::Eof => return None,
                Tok::Sym(b'{') => depth += 1,
                Tok::Sym(b'}') => depth -= 1,
                _ => {}
            }
        }
        Some(())
    }

    /// What [`Scanner::skip_block`] and [`field_rest`] do token by token, over the bytes: the
    /// tokens in between are only skipped, so only brackets, strings and comments are looked at.
    /// It accepts and rejects exactly what the lexer does (a byte the lexer has no token for, a
    /// string with a newline, an unterminated comment or string). With [`Until::BlockEnd`]:
    /// until the `}` that brings `depth` to zero; with [`Until::FieldEnd`]: until a `;` at depth
    /// zero, where `[`, `(`, `<` and (inside those) `{` open and a `{` outside them gives up.
    fn skip_bytes(&mut self, mut depth: usize, until: Until) -> Option<()> {
        debug_assert!(self.peeked.is_none());
        let b = self.src.as_bytes();
        loop {
            let c = *b.get(self.pos)?;
            match c {
                b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c => self.pos += 1,
                b'/' => match b.get(self.pos + 1) {
                    Some(b'/') => {
                        self.pos = memchr(b'\n', &b[self.pos..]).map_or(b.len(), |i| self.pos + i);
                    }
                    Some(b'*') => {
                        self.pos += 2 + memchr::memmem::find(&b[self.pos + 2..], b"*/")? + 2;
                    }
                    _ => self.pos += 1,
                },
                b'"' | b'\'' => {
                    self.pos += 1;
                    loop {
                        self.pos += memchr::memchr3(b'\\', b'\n', c, b.get(self.pos..)?)?;
                        match b[self.pos] {
                            b'\\' => self.pos += 2,
                            b'\n' => return None,
                            _ => break,
                        }
                    }
                    self.pos += 1;
                }
                b'{' => {
                    self.pos += 1;
                    if until == Until::FieldEnd && depth == 0 {
                        return None;
                    }
                    depth += 1;
                }
                b'}' => {
                    self.pos += 1;
                    depth = depth.checked_sub(1)?;
                    if until == Until::BlockEnd && depth == 0 {
                        return Some(());
                    }
                }
                b'[' | b'(' | b'<' => {
                    self.pos += 1;
                    if until == Until::FieldEnd {
                        depth += 1;
                    }
                }
                b']' | b')' | b'>' => {
                    self.pos += 1;
                    if until == Until::FieldEnd {
                        depth = depth.checked_sub(1)?;
                    }
                }
                b';' => {
                    self.pos += 1;
                    if until == Until::FieldEnd && depth == 0 {
                        return Some(());
                    }
                }
                c if c.is_ascii_alphanumeric() || b"_.,:=-+".contains(&c) => self.pos += 1,
                _ => return None,
            }
        }
    }
}

/// Where [`Scanner::skip_bytes`] stops.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Until {
    BlockEnd,
    FieldEnd,
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    memchr::memchr(needle, hay)
}

/// The one-pass scanner: `None` whenever the file is anything but plainly well formed.
pub fn scan(name: &str, text: &str) -> Option<FileDescriptorProto> {
    scan_file(name, text, &mut Vec::new(), None)
}

/// The scanner over the file's head only: its statements up to the first `message`, `enum`,
/// `service` or `extend`, and the byte offset where that definition starts (`None` when the file
/// ends first). Its file options are read but not kept (their values are not copied): the result
/// has the package, imports and syntax of [`scan`]'s. `None` whenever [`scan`] would give up on
/// the head. What [`super::head`] checks the rest of the file against.
pub fn scan_head(text: &str) -> Option<(FileDescriptorProto, Option<usize>)> {
    let mut first_definition = None;
    let file = scan_file("", text, &mut Vec::new(), Some(&mut first_definition))?;
    Some((file, first_definition))
}

/// Every file `text` imports, `import option` files included (what compiling it needs), as far as
/// it can be parsed.
pub fn imports(text: &str) -> Vec<String> {
    let mut options = Vec::new();
    if let Some(file) = scan_file("", text, &mut options, None) {
        let mut all = file.dependency;
        all.extend(options);
        return all;
    }
    if let Ok(tree) = crate::syntax::parse(text) {
        return tree
            .decls
            .iter()
            .filter_map(|d| match d {
                crate::syntax::Decl::Import(i) => Some(tree.string_value(&i.path)),
                _ => None,
            })
            .collect();
    }
    protox_parse::parse("", text)
        .map(|f| f.dependency)
        .unwrap_or_default()
}

fn scan_file(
    name: &str,
    text: &str,
    option_imports: &mut Vec<String>,
    mut head_only: Option<&mut Option<usize>>,
) -> Option<FileDescriptorProto> {
    let mut s = Scanner::new(text);
    let mut file = FileDescriptorProto {
        name: Some(name.to_string()),
        ..FileDescriptorProto::default()
    };
    loop {
        let tok = s.next()?;
        let word = match tok {
            Tok::Eof => break,
            Tok::Sym(b';') => continue,
            Tok::Ident(w) => w,
            _ => return None,
        };
        if let Some(stop) = head_only.as_deref_mut() {
            if matches!(word, "message" | "service" | "enum" | "extend") {
                // The lexer's position is just past the keyword (peeked or not).
                *stop = Some(s.pos - word.len());
                return Some(file);
            }
        }
        match word {
            "syntax" | "edition" => {
                if file.syntax.is_some() || !file.dependency.is_empty() || file.package.is_some() {
                    return None;
                }
                s.expect_sym(b'=')?;
                let value = s.strings()?;
                s.expect_sym(b';')?;
                file.syntax = Some(if word == "edition" {
                    "editions".into()
                } else {
                    value
                });
            }
            "package" => {
                if file.package.is_some() {
                    return None;
                }
                let name = s.qual_name()?;
                if name.starts_with('.') {
                    return None;
                }
                s.expect_sym(b';')?;
                file.package = Some(name);
            }
            "import" => {
                let mut modifier = None;
                if let Tok::Ident(m) = s.peek()? {
                    if matches!(m, "public" | "weak" | "option") {
                        modifier = Some(m);
                        s.next();
                    } else {
                        return None;
                    }
                }
                let path = s.strings()?;
                s.expect_sym(b';')?;
                let index = file.dependency.len() as i32;
                match modifier {
                    Some("option") => {
                        option_imports.push(path);
                        continue;
                    }
                    Some("public") => file.public_dependency.push(index),
                    Some("weak") => file.weak_dependency.push(index),
                    _ => {}
                }
                file.dependency.push(path);
            }
            // The head keeps no option: their values are checked, not copied.
            "option" => file_option(&mut s, &mut file, head_only.is_none())?,
            "message" => {
                let name = s.ident()?;
                s.expect_sym(b'{')?;
                file.message_type.push(message_body(&mut s, name)?);
            }
            "service" => {
                let name = s.ident()?;
                s.expect_sym(b'{')?;
                file.service.push(service_body(&mut s, name)?);
            }
            "enum" => {
                s.ident()?;
                s.expect_sym(b'{')?;
                s.skip_block()?;
            }
            "extend" => {
                s.qual_name()?;
                s.expect_sym(b'{')?;
                s.skip_block()?;
            }
            _ => return None,
        }
    }
    Some(file)
}

/// A file-level `option`: the standard options the cross-file rules compare are kept; others are
/// skipped (their value may be a message literal).
///
/// With `keep` false the statement is read exactly as it would be (the same ones give up) but
/// nothing is set.
fn file_option(s: &mut Scanner, file: &mut FileDescriptorProto, keep: bool) -> Option<()> {
    let first = s.next()?;
    let name = match first {
        Tok::Ident(n) if s.peek()? == Tok::Sym(b'=') => n,
        Tok::Ident(_) => return s.skip_statement(),
        Tok::Sym(b'(') => {
            // A custom option: skip its name, then the statement.
            loop {
                match s.next()? {
                    Tok::Sym(b')') => break,
                    Tok::Eof => return None,
                    _ => {}
                }
            }
            return s.skip_statement();
        }
        _ => return None,
    };
    s.expect_sym(b'=')?;
    // The head keeps no option (`keep` false): the same statements are read into a scratch copy,
    // and string values are not copied.
    let mut scratch;
    let options = if keep {
        file.options.get_or_insert_with(FileOptions::default)
    } else {
        scratch = FileOptions::default();
        &mut scratch
    };
    let slot = match name {
        "go_package" => Some(&mut options.go_package),
        "java_package" => Some(&mut options.java_package),
        "csharp_namespace" => Some(&mut options.csharp_namespace),
        "php_namespace" => Some(&mut options.php_namespace),
        "ruby_package" => Some(&mut options.ruby_package),
        "swift_prefix" => Some(&mut options.swift_prefix),
        _ => None,
    };
    if let Some(slot) = slot {
        // As the outline: a string value is kept, anything else clears the option.
        match s.peek()? {
            Tok::Str(_) if keep => *slot = Some(s.strings()?),
            Tok::Str(_) => s.skip_strings()?,
            _ => return None,
        }
        return s.expect_sym(b';');
    }
    if name == "java_multiple_files" {
        options.java_multiple_files = match s.next()? {
            Tok::Ident("true") => Some(true),
            Tok::Ident("false") => Some(false),
            _ => return None,
        };
        return s.expect_sym(b';');
    }
    s.skip_statement()
}

const LABELS: &[&str] = &["optional", "required", "repeated"];

/// The body of a message (after its `{`): nested messages and groups.
fn message_body(s: &mut Scanner, name: &str) -> Option<DescriptorProto> {
    let mut out = DescriptorProto {
        name: Some(name.to_string()),
        ..DescriptorProto::default()
    };
    loop {
        match s.next()? {
            Tok::Sym(b'}') => return Some(out),
            Tok::Sym(b';') => {}
            Tok::Ident("message") if matches!(s.peek()?, Tok::Ident(_)) => {
                let n = s.ident()?;
                s.expect_sym(b'{')?;
                out.nested_type.push(message_body(s, n)?);
            }
            Tok::Ident("enum") if matches!(s.peek()?, Tok::Ident(_)) => {
                s.ident()?;
                s.expect_sym(b'{')?;
                s.skip_block()?;
            }
            Tok::Ident("oneof") if matches!(s.peek()?, Tok::Ident(_)) => {
                s.ident()?;
                s.expect_sym(b'{')?;
                oneof_body(s, &mut out)?;
            }
            Tok::Ident("extend") if !matches!(s.peek()?, Tok::Sym(b'=')) => {
                s.qual_name()?;
                s.expect_sym(b'{')?;
                s.skip_block()?;
            }
            // Options may have message literal values.
            Tok::Ident("option") if !matches!(s.peek()?, Tok::Sym(b'=')) => s.skip_statement()?,
            Tok::Ident(word) => {
                let mut word = word;
                if LABELS.contains(&word) {
                    match s.next()? {
                        Tok::Ident(w) => word = w,
                        Tok::Sym(b'.') => word = "",
                        _ => return None,
                    }
                }
                if word == "group" && matches!(s.peek()?, Tok::Ident(_)) {
                    out.nested_type.push(group(s)?);
                } else {
                    field_rest(s)?;
                }
            }
            Tok::Sym(b'.') => field_rest(s)?,
            _ => return None,
        }
    }
}

/// `group Name = N [opts] { ... }` after `group`.
fn group(s: &mut Scanner) -> Option<DescriptorProto> {
    let name = s.ident()?;
    s.expect_sym(b'=')?;
    if s.next()? != Tok::Num {
        return None;
    }
    if s.peek()? == Tok::Sym(b'[') {
        skip_brackets(s)?;
    }
    s.expect_sym(b'{')?;
    message_body(s, name)
}

fn skip_brackets(s: &mut Scanner) -> Option<()> {
    s.expect_sym(b'[')?;
    let mut depth = 1usize;
    while depth > 0 {
        match s.next()? {
            Tok::Eof => return None,
            Tok::Sym(b'[' | b'{' | b'(') => depth += 1,
            Tok::Sym(b']' | b'}' | b')') => depth -= 1,
            _ => {}
        }
    }
    Some(())
}

/// The rest of a field, option, reserved or extensions statement: up to its `;`. A `{` outside
/// brackets (a group the scanner did not recognise) gives up.
fn field_rest(s: &mut Scanner) -> Option<()> {
    if s.peeked.is_none() {
        return s.skip_bytes(0, Until::FieldEnd);
    }
    let mut depth = 0usize;
    loop {
        match s.next()? {
            Tok::Eof => return None,
            Tok::Sym(b'[' | b'(' | b'<') => depth += 1,
            Tok::Sym(b'{') if depth > 0 => depth += 1,
            Tok::Sym(b'{') => return None,
            Tok::Sym(b']' | b')' | b'>' | b'}') => depth = depth.checked_sub(1)?,
            Tok::Sym(b';') if depth == 0 => return Some(()),
            _ => {}
        }
    }
}

/// A oneof's body: its groups become nested messages of the enclosing message.
fn oneof_body(s: &mut Scanner, message: &mut DescriptorProto) -> Option<()> {
    loop {
        match s.next()? {
            Tok::Sym(b'}') => return Some(()),
            Tok::Sym(b';') => {}
            Tok::Ident("group") if matches!(s.peek()?, Tok::Ident(_)) => {
                message.nested_type.push(group(s)?);
            }
            Tok::Ident(_) | Tok::Sym(b'.') => field_rest(s)?,
            _ => return None,
        }
    }
}

fn service_body(s: &mut Scanner, name: &str) -> Option<ServiceDescriptorProto> {
    let mut out = ServiceDescriptorProto {
        name: Some(name.to_string()),
        ..ServiceDescriptorProto::default()
    };
    loop {
        match s.next()? {
            Tok::Sym(b'}') => return Some(out),
            Tok::Sym(b';') => {}
            Tok::Ident("option") => s.skip_statement()?,
            Tok::Ident("rpc") => {
                let name = s.ident()?;
                let (client_streaming, input) = rpc_type(s)?;
                if s.ident()? != "returns" {
                    return None;
                }
                let (server_streaming, output) = rpc_type(s)?;
                match s.next()? {
                    Tok::Sym(b';') => {}
                    Tok::Sym(b'{') => s.skip_block()?,
                    _ => return None,
                }
                out.method.push(MethodDescriptorProto {
                    name: Some(name.to_string()),
                    input_type: Some(input),
                    output_type: Some(output),
                    client_streaming: Some(client_streaming),
                    server_streaming: Some(server_streaming),
                    ..MethodDescriptorProto::default()
                });
            }
            _ => return None,
        }
    }
}

/// `( [stream] Type )`; a type that could also be read as `stream` + name gives up.
fn rpc_type(s: &mut Scanner) -> Option<(bool, String)> {
    s.expect_sym(b'(')?;
    let mut streaming = false;
    if s.peek()? == Tok::Ident("stream") {
        s.next();
        match s.peek()? {
            Tok::Ident(_) => streaming = true,
            // `stream.Foo` or `stream .Foo`: ambiguous without whitespace rules; let the parser decide.
            _ => return None,
        }
    }
    let name = s.qual_name()?;
    s.expect_sym(b')')?;
    Some((streaming, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn agrees(source: &str) {
        let fast = scan("x/y.proto", source).expect("the scanner reads it");
        let full = full_outline("x/y.proto", source).expect("the parser reads it");
        assert_eq!(fast, full);
    }

    /// The head scan reads file options without keeping them, and gives up on exactly the
    /// options the whole scan gives up on.
    #[test]
    fn the_head_scan_gives_up_where_the_scan_does() {
        let options = [
            "option java_package = \"a.b\";",
            "option java_package = \"a\" 'b' \"c\\x41\";",
            "option java_package = 5;",
            "option java_package = a.b;",
            "option java_package \"x\";",
            "option go_package = \"x\"",
            "option java_multiple_files = true;",
            "option java_multiple_files = 1;",
            "option java_multiple_files = true",
            "option optimize_for = SPEED;",
            "option (a.b).c = { d: 1 e: \"}\" };",
            "option (a.b = 1;",
            "option = 1;",
            "option swift_prefix = \"\";",
        ];
        let mut given_up = 0;
        for option in options {
            let text = format!(
                "syntax = \"proto3\";\npackage p.q;\nimport \"x.proto\";\n{option}\nmessage M {{}}\n"
            );
            let whole = scan("", &text);
            let head = scan_head(&text);
            assert_eq!(whole.is_some(), head.is_some(), "{option}");
            given_up += usize::from(head.is_none());
            if let (Some(whole), Some((head, at))) = (whole, head) {
                assert_eq!(head.package, whole.package, "{option}");
                assert_eq!(head.dependency, whole.dependency, "{option}");
                assert_eq!(head.syntax, whole.syntax, "{option}");
                assert_eq!(head.options, None, "{option}");
                assert_eq!(&text[at.expect("a definition")..], "message M {}\n");
            }
        }
        assert_eq!(given_up, 7);
    }

    #[test]
    fn scanner_agrees_with_the_outline() {
        agrees(
            r#"
            syntax = "proto3";
            package acme.v1;
            import "a.proto";
            import public "b.proto";
            import weak "c.proto";
            option go_package = "example.com/acme\x2fv1;acmev1";
            option java_multiple_files = true;
            option (custom) = { a: 1 b: { c: "}" } };
            option (x).y = "z";
            option optimize_for = SPEED;
            message Outer {
              message Inner { map<string, Inner> m = 1 [(a) = { b: 1 }]; }
              oneof o { string s = 1; }
              reserved 2, 3 to 5;
              extend Other { optional int32 e = 100; }
              enum E { A = 0; }
              .acme.v1.Outer self = 6;
              string message = 7;
            }
            enum Top { option allow_alias = true; X = 0; }
            service Users {
              option deprecated = true;
              rpc Get(GetRequest) returns (stream acme.v1.User);
              rpc Other(.acme.v1.GetRequest) returns (.acme.v1.User);
              rpc Put(stream Outer.Inner) returns (Empty) { option deprecated = true; };
            }
        "#,
        );
        agrees(
            "syntax = 'proto2';\nmessage M { optional group G = 1 { optional int32 a = 1; }\n \
             oneof o { group H = 2 [deprecated = true] { } } repeated group R = 3 {} }\n\
             extend M { optional group X = 10 { } }",
        );
        agrees("edition = \"2024\";\nimport option \"opts.proto\";\nimport \"a.proto\";\n");
        agrees("// nothing but a comment\n/* and\n another */");
    }

    #[test]
    fn scanner_gives_up_where_unsure() {
        // Ambiguous or malformed: the full parser decides.
        assert!(scan("a.proto", "service S { rpc A(stream.Foo) returns (B); }").is_none());
        assert!(scan("a.proto", "message M { int32 a = 1 ").is_none());
        assert!(scan("a.proto", "message M { \"oops\" }").is_none());
        assert!(scan("a.proto", "package a; package b;").is_none());
        assert!(scan("a.proto", "message M { string s = 1; } }").is_none());
    }

    /// String literals, read token by token (`lex`) and skipped inside blocks (`skip_bytes`):
    /// escaped quotes and backslashes stay inside, the other quote kind is text, and a literal
    /// that reaches a line end or the end of the file (also right after a backslash) gives up.
    #[test]
    fn string_literals_end_where_the_parser_ends_them() {
        for value in [
            r#""a\"b""#,
            r#""a\\""#,
            r#"'it''s'"#,
            r#""say 'hi'""#,
            r#"'say "hi"'"#,
            r#""""#,
            r#""\x41\n" 'b'"#,
        ] {
            agrees(&format!(
                "package p;\noption java_package = {value};\nmessage M {{ option (x) = {value}; }}\n"
            ));
        }
        for broken in [
            "option java_package = \"a\nb\";",
            "option java_package = \"abc",
            "option java_package = \"abc\\",
            "message M { option (x) = \"a\nb\"; }",
            "message M { option (x) = \"abc",
            "message M { option (x) = 'abc\\",
        ] {
            assert!(scan("a.proto", broken).is_none(), "{broken}");
        }
    }

    /// Every fixture file: the scanner either agrees with the full outline or gives up.
    #[test]
    fn scanner_agrees_on_every_fixture() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut stack = vec![root.join("testdata"), root.join("examples")];
        let mut scanned = 0;
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "proto") {
                    let Ok(text) = std::fs::read_to_string(&path) else {
                        continue;
                    };
                    if let Some(fast) = scan("f.proto", &text) {
                        if let Ok(tree) = crate::syntax::parse(&text) {
                            let full = crate::syntax::outline::outline("f.proto", &tree);
                            assert_eq!(fast, full, "{}", path.display());
                            scanned += 1;
                        }
                    }
                }
            }
        }
        assert!(scanned > 400, "only {scanned} files scanned");
    }
}

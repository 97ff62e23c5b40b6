//! The printer: walks a [`syntax::File`] and writes buf's canonical layout.
//!
//! The output model follows buf's formatter: a line writer with a pending space, an indent level
//! that moves with brackets, and per-token comment placement (leading comments above a
//! declaration, trailing comments at the end of its line, comments inside a line as `/* */`).

use std::collections::HashMap;

use crate::syntax::{
    ArrayLiteral, Body, Comment, CompactOptions, Decl, File, ImportDecl, LiteralField,
    MessageLiteral, OptionDecl, QualName, RangeExpr, ReservedItem, RpcType, TokenId, TokenKind,
    Value,
};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Prev {
    None,
    OpenBrace,
    Other,
}

pub(crate) struct Printer<'a> {
    f: &'a File,
    out: String,
    indent: usize,
    last: char,
    prev: Prev,
    pending_space: bool,
    in_compact_options: bool,
    pending_indent: i32,
    inline: bool,
    /// Inside `(...)` of an rpc signature, a space after `(` before a comment is kept.
    in_rpc_parens: bool,
    leading_override: HashMap<TokenId, Vec<Comment>>,
    trailing_override: HashMap<TokenId, Vec<Comment>>,
    brace_text: HashMap<TokenId, &'static str>,
}

fn newlines(s: &str) -> usize {
    s.bytes().filter(|&b| b == b'\n').count()
}

impl<'a> Printer<'a> {
    pub(crate) fn new(f: &'a File) -> Self {
        Printer {
            f,
            out: String::with_capacity(f.source.len() + f.source.len() / 8),
            indent: 0,
            last: '\0',
            prev: Prev::None,
            pending_space: false,
            in_compact_options: false,
            pending_indent: 0,
            inline: false,
            in_rpc_parens: false,
            leading_override: HashMap::new(),
            trailing_override: HashMap::new(),
            brace_text: HashMap::new(),
        }
    }

    // ---- comments and token facts ----

    fn leading(&self, t: TokenId) -> &[Comment] {
        if !self.leading_override.is_empty() {
            if let Some(c) = self.leading_override.get(&t) {
                return c;
            }
        }
        self.f.leading_comments(t)
    }
    fn trailing(&self, t: TokenId) -> &[Comment] {
        if !self.trailing_override.is_empty() {
            if let Some(c) = self.trailing_override.get(&t) {
                return c;
            }
        }
        self.f.trailing_comments(t)
    }
    fn ws(&self, t: TokenId) -> &'a str {
        self.f.ws_before(t)
    }
    fn ctext(&self, c: &Comment) -> &'a str {
        &self.f.source[c.span.range()]
    }
    fn cws(&self, c: &Comment) -> &'a str {
        &self.f.source[c.ws_before.range()]
    }
    fn text(&self, t: TokenId) -> &'a str {
        if !self.brace_text.is_empty() {
            if let Some(s) = self.brace_text.get(&t) {
                return s;
            }
        }
        self.f.text(t)
    }
    fn is_open_brace(&self, t: TokenId) -> bool {
        matches!(self.text(t), "{" | "[" | "<")
    }
    fn set_prev(&mut self, t: TokenId) {
        self.prev = if self.is_open_brace(t) {
            Prev::OpenBrace
        } else {
            Prev::Other
        };
    }

    // ---- low-level writer ----

    fn p(&mut self, elem: &str) {
        if !elem.trim().is_empty() {
            self.indent_for(None);
            self.write_str(elem);
        }
        self.write_str("\n");
        if self.pending_indent > 0 {
            self.indent += 1;
        } else if self.pending_indent < 0 {
            self.indent = self.indent.saturating_sub(1);
        }
        self.pending_indent = 0;
    }
    fn space(&mut self) {
        self.pending_space = true;
    }
    fn indent_for(&mut self, next: Option<&str>) {
        if self.last != '\n' {
            return;
        }
        let mut n = self.indent;
        if let Some(s) = next {
            if n > 0 && matches!(s, "}" | "]" | ")" | ">") {
                n -= 1;
            }
        }
        let spaces = "  ".repeat(n);
        self.write_str(&spaces);
    }
    fn write_str(&mut self, elem: &str) {
        if self.pending_space {
            self.pending_space = false;
            let first = elem.chars().next().unwrap_or('\u{FFFD}');
            let (prev_block, next_block): (&str, &str) = if self.inline {
                ("\0 \t\n<[{(", "\n;,)]}>")
            } else {
                ("\0 \t\n", "\n;,")
            };
            if !prev_block.contains(self.last) && !next_block.contains(first) {
                self.out.push(' ');
            }
        }
        if let Some(c) = elem.chars().next_back() {
            self.last = c;
            self.out.push_str(elem);
        }
    }
    /// Writes a token's text (no comments).
    fn node(&mut self, t: TokenId) {
        let text = self.text(t);
        if self.f.token(t).kind == TokenKind::Sym(text.as_bytes()[0])
            || self.brace_text.contains_key(&t)
        {
            match text {
                "{" | "[" | "(" | "<" => self.pending_indent += 1,
                "}" | "]" | ")" | ">" => self.pending_indent -= 1,
                _ => {}
            }
        }
        self.write_str(text);
    }

    // ---- token writers ----

    fn start(&mut self, t: TokenId) {
        self.start_maybe_compact(t, false);
    }
    fn start_maybe_compact(&mut self, t: TokenId, force_compact: bool) {
        let nl = newlines(self.ws(t));
        let compact = force_compact || self.prev == Prev::OpenBrace || self.last == '\0';
        if !self.leading(t).is_empty() {
            let comments = self.leading(t).to_vec();
            self.multiline_comments(&comments, force_compact);
            if !force_compact && nl > 1 && self.last != '\0' {
                self.p("");
            }
        } else if !compact && nl > 1 {
            self.p("");
        }
        let text = self.text(t);
        self.indent_for(Some(text));
        self.node(t);
        if !self.trailing(t).is_empty() {
            let comments = self.trailing(t).to_vec();
            self.inline_comments(&comments, true);
        }
        self.set_prev(t);
    }
    fn inline_tok(&mut self, t: TokenId) {
        self.inline = true;
        if self.last == '\n' {
            self.indent_for(None);
        }
        if !self.leading(t).is_empty() {
            let had_space = self.pending_space;
            let comments = self.leading(t).to_vec();
            self.inline_comments(&comments, false);
            if had_space || !self.ws(t).is_empty() {
                self.space();
            }
        }
        self.node(t);
        if !self.trailing(t).is_empty() {
            let comments = self.trailing(t).to_vec();
            self.inline_comments(&comments, true);
        }
        self.set_prev(t);
        self.inline = false;
    }
    fn line_end(&mut self, t: TokenId) {
        if !self.leading(t).is_empty() {
            let had_space = self.pending_space;
            let comments = self.leading(t).to_vec();
            self.inline_comments(&comments, false);
            if had_space || !self.ws(t).is_empty() {
                self.space();
            }
        }
        self.node(t);
        self.space();
        let comments = self.trailing(t).to_vec();
        self.trailing_end_comments(&comments);
        self.set_prev(t);
    }
    fn body_end(&mut self, t: TokenId, leading_endline: bool) {
        if leading_endline {
            if !self.leading(t).is_empty() {
                let had_space = self.pending_space;
                let comments = self.leading(t).to_vec();
                self.inline_comments(&comments, false);
                if had_space || !self.ws(t).is_empty() {
                    self.space();
                }
            }
        } else {
            self.closing_comments(t);
            let text = self.text(t);
            self.indent_for(Some(text));
        }
        self.node(t);
        let comments = self.trailing(t).to_vec();
        self.trailing_end_comments(&comments);
        self.set_prev(t);
    }
    fn body_end_inline(&mut self, t: TokenId, leading_inline: bool) {
        if leading_inline {
            if !self.leading(t).is_empty() {
                let had_space = self.pending_space;
                let comments = self.leading(t).to_vec();
                self.inline_comments(&comments, false);
                if had_space || !self.ws(t).is_empty() {
                    self.space();
                }
            }
        } else {
            self.closing_comments(t);
            let text = self.text(t);
            self.indent_for(Some(text));
        }
        self.node(t);
        if !self.trailing(t).is_empty() {
            let comments = self.trailing(t).to_vec();
            self.inline_comments(&comments, true);
        }
        self.set_prev(t);
    }

    // ---- comments ----

    fn multiline_comments(&mut self, comments: &[Comment], force_compact: bool) {
        let mut compact = force_compact || self.prev == Prev::OpenBrace || self.last == '\0';
        for c in comments {
            if !compact && newlines(self.cws(c)) > 1 {
                self.p("");
            }
            compact = false;
            let text = self.ctext(c);
            self.write_comment(text);
            self.write_str("\n");
        }
    }
    fn inline_comments(&mut self, comments: &[Comment], trailing: bool) {
        for (i, c) in comments.iter().enumerate() {
            let ws = self.cws(c);
            if (i > 0 && !ws.is_empty())
                || (i == 0 && trailing)
                || self.last == ';'
                || self.last == '}'
            {
                self.space();
            } else if !ws.is_empty() {
                if matches!(self.last, '(' | '[') && !self.in_rpc_parens {
                    // No space right after an opening bracket.
                } else if !self.pending_space && !matches!(self.last, ' ' | '\n' | '\0' | '\t') {
                    self.out.push(' ');
                    self.last = ' ';
                } else {
                    self.space();
                }
            }
            let raw = self.ctext(c);
            if let Some(rest) = raw.strip_prefix("//") {
                self.write_str(&format!("/* {} */", rest.trim()));
            } else if raw.contains('\n') {
                // Brackets opened earlier on this line do not indent the comment's lines.
                let saved = std::mem::take(&mut self.pending_indent);
                self.write_comment(raw);
                self.pending_indent += saved;
            } else {
                self.write_str(raw);
            }
        }
    }
    fn trailing_end_comments(&mut self, comments: &[Comment]) {
        for c in comments {
            self.space();
            let text = self.ctext(c);
            self.write_comment(text);
        }
        self.p("");
    }
    fn write_comment(&mut self, comment: &str) {
        if !(comment.starts_with("/*") && comment.contains('\n')) {
            self.indent_for(None);
            self.write_str(comment.trim());
            return;
        }
        let lines: Vec<&str> = comment.split('\n').collect();
        let mut min_indent: Option<usize> = None;
        // The shared one-byte prefix of the interior lines (`*`, `|`, `=`...), if any.
        let mut prefix: Option<u8> = None;
        for (i, line) in lines.iter().enumerate().skip(1) {
            if let Some(ind) = compute_indent(line) {
                if min_indent.is_none_or(|m| ind < m) {
                    min_indent = Some(ind);
                }
            }
            if i > 1 && prefix.is_none() {
                continue;
            }
            let t = line.trim();
            if t == "*/" {
                continue;
            }
            let line_prefix = t
                .as_bytes()
                .first()
                .copied()
                .filter(|&b| is_comment_prefix(b));
            if i == 1 {
                prefix = line_prefix;
            } else if line_prefix != prefix {
                prefix = None;
            }
        }
        let min_indent = min_indent.unwrap_or(0);
        let n = lines.len();
        for (i, line) in lines.iter().enumerate() {
            let trimmed = line.trim();
            let mut l: String = if trimmed.is_empty() || trimmed == "*/" || prefix.is_some() {
                trimmed.to_string()
            } else {
                unindent(line, min_indent).trim_end().to_string()
            };
            if i > 0 && l != "*/" {
                l = if prefix.is_none() {
                    format!("   {l}")
                } else {
                    format!(" {l}")
                };
            }
            if l == "*/" && prefix == Some(b'*') {
                l = " */".to_string();
            }
            if i != n - 1 {
                self.p(&l);
            } else {
                self.indent_for(None);
                self.write_str(&l);
            }
        }
    }

    /// Leading comments of a closing token on their own lines. Before a `}`, the comments up to
    /// the last blank line stay with the declaration above: no blank lines among or before them.
    fn closing_comments(&mut self, t: TokenId) {
        let comments = self.leading(t).to_vec();
        if comments.is_empty() {
            return;
        }
        let mut detached = 0;
        if self.text(t) == "}" {
            for i in 0..comments.len() {
                let ws_after = match comments.get(i + 1) {
                    Some(next) => self.cws(next),
                    None => self.ws(t),
                };
                if newlines(ws_after) > 1 {
                    detached = i + 1;
                }
            }
        }
        for c in &comments[..detached] {
            let text = self.ctext(c);
            self.write_comment(text);
            self.write_str("\n");
        }
        if detached > 0 {
            self.prev = Prev::Other;
        }
        self.multiline_comments(&comments[detached..], false);
    }

    fn has_interior_comments(&self, nodes: &[(TokenId, TokenId)]) -> bool {
        let n = nodes.len();
        for (i, &(first, last)) in nodes.iter().enumerate() {
            if i > 0 && !self.leading(first).is_empty() {
                return true;
            }
            if i + 1 < n && !self.trailing(last).is_empty() {
                return true;
            }
        }
        false
    }
}

/// buf treats the first byte of a line as a Latin-1 character: a prefix is anything but a letter
/// or a number.
fn is_comment_prefix(b: u8) -> bool {
    let ch = char::from(b);
    !ch.is_alphabetic() && !ch.is_numeric()
}

impl Printer<'_> {
    /// Whether a blank line precedes the token or its first leading comment in the source.
    fn starts_after_blank_line(&self, t: TokenId) -> bool {
        match self.leading(t).first() {
            Some(c) => newlines(self.cws(c)) > 1,
            None => newlines(self.ws(t)) > 1,
        }
    }
}

fn compute_indent(s: &str) -> Option<usize> {
    if s.trim() == "*/" {
        return None;
    }
    let mut indent = 0;
    for ch in s.chars() {
        match ch {
            ' ' => indent += 1,
            '\t' => indent += 8 - (indent % 8),
            _ => return Some(indent),
        }
    }
    None
}

fn unindent(s: &str, amount: usize) -> String {
    let mut pos = 0;
    for (i, ch) in s.char_indices() {
        if pos == amount {
            return s[i..].to_string();
        }
        if pos > amount {
            return format!("{}{}", " ".repeat(pos - amount), &s[i..]);
        }
        match ch {
            ' ' => pos += 1,
            '\t' => pos += 8 - (pos % 8),
            _ => return s[i..].to_string(),
        }
    }
    String::new()
}

// ---- declarations and values ----

impl<'a> Printer<'a> {
    pub(crate) fn run(mut self) -> String {
        let f = self.f;
        self.move_empty_decl_comments(&f.decls, f.eof);
        self.file_header();
        for (i, decl) in f.decls.iter().enumerate() {
            match decl {
                Decl::Package(_) | Decl::Import(_) | Decl::Option(_) | Decl::Empty(_) => {}
                _ => {
                    // A type right after `syntax` is set apart by a blank line.
                    let first = decl.first_token();
                    if i == 0 && self.prev != Prev::None && !self.starts_after_blank_line(first) {
                        self.p("");
                    }
                    self.decl(decl)
                }
            }
        }
        let eof_comments = self.leading(f.eof).to_vec();
        self.multiline_comments(&eof_comments, false);
        if self.last != '\0' && self.last != '\n' {
            self.p("");
        }
        self.out
    }

    /// A lone `;` is dropped; its comments move to the next declaration (or the closing token).
    fn move_empty_decl_comments(&mut self, decls: &[Decl], close: TokenId) {
        let mut pending: Vec<Comment> = Vec::new();
        for decl in decls {
            match decl {
                Decl::Empty(t) => {
                    pending.extend_from_slice(self.f.leading_comments(*t));
                    pending.extend_from_slice(self.f.trailing_comments(*t));
                }
                _ => {
                    if !pending.is_empty() {
                        let first = decl.first_token();
                        let mut comments = std::mem::take(&mut pending);
                        comments.extend_from_slice(self.f.leading_comments(first));
                        self.leading_override.insert(first, comments);
                    }
                    if let Some(body) = decl_body(decl) {
                        self.move_empty_decl_comments(&body.decls, body.close);
                    }
                }
            }
        }
        if !pending.is_empty() {
            pending.extend_from_slice(self.f.leading_comments(close));
            self.leading_override.insert(close, pending);
        }
    }

    fn file_header(&mut self) {
        let f = self.f;
        if let Some(s) = &f.syntax {
            self.start(s.keyword);
            self.space();
            self.inline_tok(s.equals);
            self.space();
            self.string_value_inline(&s.value.parts);
            if let Some(semi) = s.semicolon {
                self.line_end(semi);
            }
        }
        let mut imports: Vec<&ImportDecl> = Vec::new();
        let mut options: Vec<&OptionDecl> = Vec::new();
        let mut package = None;
        for decl in &f.decls {
            match decl {
                Decl::Package(p) => package = Some(p),
                Decl::Import(i) => imports.push(i),
                Decl::Option(o) => options.push(o),
                _ => {}
            }
        }
        if let Some(p) = package {
            self.start(p.keyword);
            self.space();
            self.tokens_inline(&p.name.tokens);
            self.line_end(p.semicolon);
        }
        if !imports.is_empty() {
            let firsts: Vec<TokenId> = imports.iter().map(|i| i.keyword).collect();
            self.section_start(&firsts);
            let mut sorted = imports.clone();
            // A stable sort by path, `import option` after the others; duplicates are kept.
            sorted.sort_by(|a, b| {
                self.import_is_option(a)
                    .cmp(&self.import_is_option(b))
                    .then_with(|| self.import_name(a).cmp(&self.import_name(b)))
            });
            for imp in &sorted {
                self.start_section_member(imp.keyword);
                self.space();
                if let Some(m) = imp.modifier {
                    self.inline_tok(m);
                    self.space();
                }
                self.string_value_inline(&imp.path.parts);
                self.line_end(imp.semicolon);
            }
        }
        if !options.is_empty() {
            let firsts: Vec<TokenId> = options.iter().filter_map(|o| o.keyword).collect();
            self.section_start(&firsts);
            let mut sorted = options.clone();
            sorted.sort_by(|a, b| {
                let l = self.option_name_string(&a.name.tokens);
                let r = self.option_name_string(&b.name.tokens);
                l.starts_with('(')
                    .cmp(&r.starts_with('('))
                    .then_with(|| l.cmp(&r))
            });
            for opt in sorted {
                let Some(keyword) = opt.keyword else { continue };
                self.start_section_member(keyword);
                self.space();
                self.tokens_inline(&opt.name.tokens);
                self.space();
                self.inline_tok(opt.equals);
                if let Value::Strings(s) = &opt.value {
                    if s.parts.len() > 1 {
                        self.compound_string(&s.parts, true, true);
                        if let Some(semi) = opt.semicolon {
                            self.line_end(semi);
                        }
                        continue;
                    }
                }
                self.space();
                self.value_inline(&opt.value);
                if let Some(semi) = opt.semicolon {
                    self.line_end(semi);
                }
            }
        }
    }

    /// Starts a sorted section (imports or options): a blank line after what came before, then
    /// the comments detached (by a blank line) from the section's first declaration in source
    /// order, which stay at the top, then a blank line. Other comments move with their declaration.
    fn section_start(&mut self, firsts: &[TokenId]) {
        if self.prev != Prev::None {
            self.p("");
        }
        let Some(&t) = firsts.first() else { return };
        let comments = self.leading(t).to_vec();
        // Everything up to the last blank line is detached.
        let mut split = 0;
        for (i, c) in comments.iter().enumerate() {
            if i > 0 && newlines(self.cws(c)) > 1 {
                split = i;
            }
        }
        if newlines(self.ws(t)) > 1 {
            split = comments.len();
        }
        if split == 0 {
            return;
        }
        self.leading_override.insert(t, comments[split..].to_vec());
        self.prev = Prev::None;
        self.multiline_comments(&comments[..split], true);
        self.p("");
        self.prev = Prev::Other;
    }

    /// A sorted declaration: no blank line before its comments, but blank lines among them and
    /// between them and the declaration are kept.
    fn start_section_member(&mut self, t: TokenId) {
        let had_comments = !self.leading(t).is_empty();
        let blank_after_comments = had_comments && newlines(self.ws(t)) > 1;
        if blank_after_comments {
            let comments = self.leading(t).to_vec();
            self.multiline_comments(&comments, true);
            self.p("");
            self.leading_override.insert(t, Vec::new());
        }
        self.start_maybe_compact(t, true);
    }

    fn import_is_option(&self, i: &ImportDecl) -> bool {
        i.modifier.is_some_and(|m| self.f.text(m) == "option")
    }
    fn import_name(&self, i: &ImportDecl) -> String {
        i.path
            .parts
            .iter()
            .map(|&t| unquote(self.f.text(t)))
            .collect()
    }
    fn option_name_string(&self, tokens: &[TokenId]) -> String {
        tokens.iter().map(|&t| self.f.text(t)).collect()
    }

    fn tokens_inline(&mut self, tokens: &[TokenId]) {
        for &t in tokens {
            self.inline_tok(t);
        }
    }
    fn string_value_inline(&mut self, parts: &[TokenId]) {
        if parts.len() > 1 {
            self.compound_string(parts, true, false);
        } else {
            self.inline_tok(parts[0]);
        }
    }

    fn decl(&mut self, decl: &Decl) {
        match decl {
            Decl::Empty(_) => {}
            Decl::Package(_) | Decl::Import(_) => {}
            Decl::Option(o) => self.option(o),
            Decl::Message(m) => {
                if let Some(v) = m.visibility {
                    self.start(v);
                    self.space();
                    self.inline_tok(m.keyword);
                } else {
                    self.start(m.keyword);
                }
                self.space();
                self.inline_tok(m.name);
                self.space();
                self.type_body(&m.body);
            }
            Decl::Enum(e) => {
                if let Some(v) = e.visibility {
                    self.start(v);
                    self.space();
                    self.inline_tok(e.keyword);
                } else {
                    self.start(e.keyword);
                }
                self.space();
                self.inline_tok(e.name);
                self.space();
                self.type_body(&e.body);
            }
            Decl::Service(s) => {
                self.start(s.keyword);
                self.space();
                self.inline_tok(s.name);
                self.space();
                self.type_body(&s.body);
            }
            Decl::Oneof(o) => {
                self.start(o.keyword);
                self.space();
                self.inline_tok(o.name);
                self.space();
                self.type_body(&o.body);
            }
            Decl::Extend(e) => {
                self.start(e.keyword);
                self.space();
                self.tokens_inline(&e.extendee.tokens);
                self.space();
                self.type_body(&e.body);
            }
            Decl::Field(fd) => {
                if let Some(l) = fd.label {
                    self.start(l);
                    self.space();
                    self.tokens_inline(&fd.field_type.tokens);
                } else {
                    self.type_start(&fd.field_type);
                }
                self.space();
                self.inline_tok(fd.name);
                self.space();
                self.inline_tok(fd.equals);
                self.space();
                self.inline_tok(fd.number);
                if let Some(o) = &fd.options {
                    self.space();
                    self.compact_options(o);
                }
                self.line_end(fd.semicolon);
            }
            Decl::MapField(m) => {
                self.start(m.keyword);
                self.inline_tok(m.open);
                self.tokens_inline(&m.key_type.tokens);
                self.inline_tok(m.comma);
                self.space();
                self.tokens_inline(&m.value_type.tokens);
                self.inline_tok(m.close);
                self.space();
                self.inline_tok(m.name);
                self.space();
                self.inline_tok(m.equals);
                self.space();
                self.inline_tok(m.number);
                if let Some(o) = &m.options {
                    self.space();
                    self.compact_options(o);
                }
                self.line_end(m.semicolon);
            }
            Decl::Group(g) => {
                if let Some(l) = g.label {
                    self.start(l);
                    self.space();
                    self.inline_tok(g.keyword);
                } else {
                    self.start(g.keyword);
                }
                self.space();
                self.inline_tok(g.name);
                self.space();
                self.inline_tok(g.equals);
                self.space();
                self.inline_tok(g.number);
                if let Some(o) = &g.options {
                    self.space();
                    self.compact_options(o);
                }
                self.space();
                self.type_body(&g.body);
            }
            Decl::ExtensionRange(x) => {
                self.start(x.keyword);
                self.space();
                for (i, r) in x.ranges.iter().enumerate() {
                    if i > 0 {
                        if let Some(&c) = x.commas.get(i - 1) {
                            self.inline_tok(c);
                        }
                        self.space();
                    }
                    self.range(r);
                }
                if let Some(o) = &x.options {
                    self.space();
                    self.compact_options(o);
                }
                self.line_end(x.semicolon);
            }
            Decl::Reserved(r) => {
                self.start(r.keyword);
                self.space();
                for (i, item) in r.items.iter().enumerate() {
                    if i > 0 {
                        if let Some(&c) = r.commas.get(i - 1) {
                            self.inline_tok(c);
                        }
                        self.space();
                    }
                    match item {
                        ReservedItem::Range(rg) => self.range(rg),
                        ReservedItem::Name(s) => self.tokens_inline(&s.parts),
                        ReservedItem::Ident(t) => self.inline_tok(*t),
                    }
                }
                self.line_end(r.semicolon);
            }
            Decl::EnumValue(v) => {
                self.start(v.name);
                self.space();
                self.inline_tok(v.equals);
                self.space();
                self.value_inline(&v.number);
                if let Some(o) = &v.options {
                    self.space();
                    self.compact_options(o);
                }
                self.line_end(v.semicolon);
            }
            Decl::Rpc(r) => {
                self.start(r.keyword);
                self.space();
                self.inline_tok(r.name);
                self.rpc_type(&r.input);
                self.space();
                self.inline_tok(r.returns);
                self.space();
                self.rpc_type(&r.output);
                match (&r.body, r.semicolon) {
                    (Some(body), _) => {
                        self.space();
                        self.type_body(body);
                    }
                    (None, Some(semi)) => self.line_end(semi),
                    (None, None) => {}
                }
            }
        }
    }

    fn type_start(&mut self, q: &QualName) {
        self.start(q.tokens[0]);
        self.tokens_inline(&q.tokens[1..]);
    }

    fn rpc_type(&mut self, r: &RpcType) {
        self.inline_tok(r.open);
        self.in_rpc_parens = true;
        if let Some(s) = r.stream {
            self.inline_tok(s);
            self.space();
        }
        self.tokens_inline(&r.message_type.tokens);
        self.in_rpc_parens = false;
        self.inline_tok(r.close);
    }

    fn range(&mut self, r: &RangeExpr) {
        self.value_inline(&r.start);
        if let Some(to) = r.to {
            self.space();
            self.inline_tok(to);
        }
        if let Some(end) = &r.end {
            self.space();
            self.value_inline(end);
        }
    }

    fn option(&mut self, o: &OptionDecl) {
        // `option name = value;`
        if let Some(k) = o.keyword {
            self.start(k);
            self.space();
            self.tokens_inline(&o.name.tokens);
        }
        self.space();
        self.inline_tok(o.equals);
        self.space();
        if let Value::Strings(s) = &o.value {
            if s.parts.len() > 1 {
                self.compound_string(&s.parts, true, o.semicolon.is_some());
                if let Some(semi) = o.semicolon {
                    self.line_end(semi);
                }
                return;
            }
        }
        self.value_inline(&o.value);
        if let Some(semi) = o.semicolon {
            self.line_end(semi);
        }
    }

    /// The name of an option inside `[...]`: its first token's leading comments go above it.
    fn compact_option_prefix(&mut self, o: &OptionDecl) {
        let toks = &o.name.tokens;
        let first = toks[0];
        let comments = self.leading(first).to_vec();
        let nl = newlines(self.ws(first));
        let compact = self.prev == Prev::OpenBrace;
        if !comments.is_empty() {
            self.multiline_comments(&comments, false);
            if nl > 1 {
                self.p("");
            }
        } else if !compact && nl > 1 {
            self.p("");
        }
        self.indent_for(None);
        self.node(first);
        if !self.trailing(first).is_empty() {
            let c = self.trailing(first).to_vec();
            self.inline_comments(&c, true);
        }
        self.set_prev(first);
        self.tokens_inline(&toks[1..]);
        self.prev = Prev::Other;
        self.space();
        self.inline_tok(o.equals);
        self.space();
    }

    fn compact_options(&mut self, co: &CompactOptions) {
        self.in_compact_options = true;
        let first_name = co.options[0].name.tokens[0];
        if co.options.len() == 1
            && !self.has_interior_comments(&[(co.open, co.open), (first_name, first_name)])
        {
            let o = &co.options[0];
            self.inline_tok(co.open);
            self.tokens_inline(&o.name.tokens);
            self.space();
            self.inline_tok(o.equals);
            if let Value::Strings(s) = &o.value {
                if s.parts.len() > 1 {
                    self.compound_string(&s.parts, false, true);
                    self.inline_tok(co.close);
                    self.in_compact_options = false;
                    return;
                }
            }
            self.space();
            self.value_inline(&o.value);
            self.inline_tok(co.close);
            self.in_compact_options = false;
            return;
        }
        self.open_brace_prefix(co.open);
        let n = co.options.len();
        for (i, o) in co.options.iter().enumerate() {
            self.compact_option_prefix(o);
            let last = i == n - 1;
            if let Value::Strings(s) = &o.value {
                if s.parts.len() > 1 {
                    self.compound_string(&s.parts, true, !last);
                    if !last {
                        if let Some(&c) = co.commas.get(i) {
                            self.line_end(c);
                        }
                    }
                    continue;
                }
            }
            if last {
                // The last option ends the line; a `//` comment after it becomes `/* */`.
                self.value_inline(&o.value);
                if self.last != '\n' {
                    self.p("");
                }
            } else {
                self.value_inline(&o.value);
                if let Some(&c) = co.commas.get(i) {
                    self.line_end(c);
                }
            }
        }
        self.body_end_inline(co.close, false);
        self.in_compact_options = false;
    }

    fn type_body(&mut self, body: &Body) {
        let has_decls = body.decls.iter().any(|d| !matches!(d, Decl::Empty(_)));
        if !has_decls {
            if !self.trailing(body.open).is_empty() {
                // Comments after `{` of an empty body go inside it.
                let mut comments = self.trailing(body.open).to_vec();
                comments.extend_from_slice(self.leading(body.close));
                self.trailing_override.insert(body.open, Vec::new());
                self.leading_override.insert(body.close, comments);
            }
            if !self.has_interior_comments(&[(body.open, body.open), (body.close, body.close)]) {
                self.inline_tok(body.open);
                self.body_end(body.close, true);
                return;
            }
        }
        self.open_brace_prefix(body.open);
        for d in &body.decls {
            self.decl(d);
        }
        self.body_end(body.close, false);
    }

    fn open_brace_prefix(&mut self, open: TokenId) {
        if !self.leading(open).is_empty() {
            let c = self.leading(open).to_vec();
            self.inline_comments(&c, false);
            if !self.ws(open).is_empty() {
                self.space();
            }
        }
        self.node(open);
        if !self.trailing(open).is_empty() {
            let c = self.trailing(open).to_vec();
            self.trailing_end_comments(&c);
        } else {
            self.p("");
        }
        self.set_prev(open);
    }

    fn open_brace_prefix_for_array(&mut self, open: TokenId) {
        let c = self.leading(open).to_vec();
        if !c.is_empty() {
            self.multiline_comments(&c, false);
        }
        let text = self.text(open);
        self.indent_for(Some(text));
        self.node(open);
        if !self.trailing(open).is_empty() {
            let c = self.trailing(open).to_vec();
            self.trailing_end_comments(&c);
        } else {
            self.p("");
        }
        self.set_prev(open);
    }

    // ---- values ----

    fn value_is_terminal(v: &Value) -> bool {
        match v {
            Value::Scalar(_) => true,
            Value::Strings(s) => s.parts.len() == 1,
            _ => false,
        }
    }

    /// writeInline of a value.
    fn value_inline(&mut self, v: &Value) {
        if Self::value_is_terminal(v) {
            self.inline_tok(v.first_token());
            return;
        }
        self.inline = true;
        self.value_node(v);
        self.inline = false;
    }

    /// writeLineEnd of a value.
    fn value_line_end(&mut self, v: &Value) {
        if Self::value_is_terminal(v) {
            self.line_end(v.first_token());
            return;
        }
        self.value_node(v);
        if self.last != '\n' {
            self.p("");
        }
    }

    /// writeNode of a value (no comments of its own at this level).
    fn value_node(&mut self, v: &Value) {
        match v {
            Value::Scalar(t) => self.node(*t),
            Value::Signed { sign, value } => {
                self.inline_tok(*sign);
                self.inline_tok(*value);
            }
            Value::Strings(s) => {
                if s.parts.len() > 1 {
                    self.compound_string(&s.parts, true, false);
                } else {
                    self.node(s.parts[0]);
                }
            }
            Value::Message(m) => self.message_literal(m),
            Value::Array(a) => self.array_literal(a),
        }
    }

    fn compound_string(
        &mut self,
        parts: &[TokenId],
        needs_indent: bool,
        has_trailing_punctuation: bool,
    ) {
        self.p("");
        if needs_indent {
            self.indent += 1;
        }
        let n = parts.len();
        for (i, &part) in parts.iter().enumerate() {
            if has_trailing_punctuation && i == n - 1 {
                self.start(part);
                break;
            }
            self.body_end(part, false);
        }
        if needs_indent {
            self.indent = self.indent.saturating_sub(1);
        }
    }

    fn set_braces(&mut self, m: &MessageLiteral) {
        // Comments after `{` go inside, above the first field.
        if !self.trailing(m.open).is_empty() {
            let target = m.fields.first().map(|f| f.name[0]).unwrap_or(m.close);
            let mut comments = self.trailing(m.open).to_vec();
            comments.extend_from_slice(self.leading(target));
            self.trailing_override.insert(m.open, Vec::new());
            self.leading_override.insert(target, comments);
        }
        if self.f.text(m.open) == "<" {
            self.brace_text.insert(m.open, "{");
            self.brace_text.insert(m.close, "}");
        }
    }

    fn message_children(&self, m: &MessageLiteral) -> Vec<(TokenId, TokenId)> {
        let mut v = vec![(m.open, m.open)];
        for (field, sep) in m.fields.iter().zip(&m.separators) {
            v.push((field.name[0], field.value.last_token()));
            if let Some(s) = sep {
                v.push((*s, *s));
            }
        }
        v.push((m.close, m.close));
        v
    }

    fn literal_is_compact(&self, m: &MessageLiteral) -> bool {
        m.fields.len() == 1
            && !self.has_interior_comments(&self.message_children(m))
            && !matches!(m.fields[0].value, Value::Message(_) | Value::Array(_))
    }

    fn compact_message_literal(&mut self, m: &MessageLiteral, in_array: bool) {
        if in_array {
            let text = self.text(m.open);
            self.indent_for(Some(text));
        }
        self.inline_tok(m.open);
        let field = &m.fields[0];
        self.tokens_inline(&field.name);
        match field.colon {
            Some(c) => self.inline_tok(c),
            None => self.write_str(":"),
        }
        self.space();
        self.move_separator_comments(m, 0);
        self.value_inline(&field.value);
        self.inline_tok(m.close);
    }

    fn move_separator_comments(&mut self, m: &MessageLiteral, i: usize) {
        if let Some(Some(sep)) = m.separators.get(i) {
            let sep_trailing = self.trailing(*sep).to_vec();
            let value_last = m.fields[i].value.last_token();
            if !sep_trailing.is_empty() && self.trailing(value_last).is_empty() {
                self.trailing_override.insert(value_last, sep_trailing);
            }
        }
    }

    fn message_literal(&mut self, m: &MessageLiteral) {
        self.set_braces(m);
        if self.literal_is_compact(m) {
            self.compact_message_literal(m, false);
            return;
        }
        if m.fields.is_empty()
            && !self.has_interior_comments(&[(m.open, m.open), (m.close, m.close)])
        {
            self.inline_tok(m.open);
            self.body_end_inline(m.close, true);
            return;
        }
        self.open_brace_prefix(m.open);
        self.literal_fields(m);
        self.body_end_inline(m.close, false);
    }

    fn message_literal_for_array(&mut self, m: &MessageLiteral, last: bool) {
        self.set_braces(m);
        if self.literal_is_compact(m) {
            self.compact_message_literal(m, true);
            return;
        }
        if m.fields.is_empty()
            && !self.has_interior_comments(&[(m.open, m.open), (m.close, m.close)])
        {
            self.inline_tok(m.open);
            if last {
                self.body_end(m.close, true);
            } else {
                self.body_end_inline(m.close, true);
            }
            return;
        }
        self.open_brace_prefix_for_array(m.open);
        self.literal_fields(m);
        if last {
            self.body_end(m.close, false);
        } else {
            self.body_end_inline(m.close, false);
        }
    }

    fn literal_fields(&mut self, m: &MessageLiteral) {
        for i in 0..m.fields.len() {
            self.move_separator_comments(m, i);
            self.literal_field(&m.fields[i]);
        }
    }

    fn literal_field(&mut self, field: &LiteralField) {
        let n = field.name.len();
        let bracketed = n > 2 && self.f.text(field.name[0]) == "[";
        let inner_comments = bracketed
            && (field.name[1..].iter().any(|&t| !self.leading(t).is_empty())
                || field.name[..n - 1]
                    .iter()
                    .any(|&t| !self.trailing(t).is_empty()));
        if inner_comments {
            // `[ /* c */ ext.name ]` with comments inside: one piece per line.
            self.start(field.name[0]);
            if self.last != '\n' {
                self.p("");
            }
            self.start(field.name[1]);
            self.tokens_inline(&field.name[2..n - 1]);
            if self.last != '\n' {
                self.p("");
            }
            self.body_end_inline(field.name[n - 1], false);
        } else {
            self.start(field.name[0]);
            self.tokens_inline(&field.name[1..]);
        }
        match field.colon {
            Some(c) => self.inline_tok(c),
            None => self.write_str(":"),
        }
        self.space();
        if let Value::Strings(s) = &field.value {
            if s.parts.len() > 1 {
                self.compound_string(&s.parts, true, false);
                return;
            }
        }
        self.value_line_end(&field.value);
    }

    fn array_literal(&mut self, a: &ArrayLiteral) {
        let mut children = vec![(a.open, a.open)];
        for (i, e) in a.elements.iter().enumerate() {
            children.push((e.first_token(), e.last_token()));
            if let Some(&c) = a.commas.get(i) {
                children.push((c, c));
            }
        }
        children.push((a.close, a.close));
        if a.elements.len() == 1
            && !self.has_interior_comments(&children)
            && !matches!(a.elements[0], Value::Message(_) | Value::Array(_))
        {
            self.inline_tok(a.open);
            self.value_inline(&a.elements[0]);
            self.inline_tok(a.close);
            return;
        }
        if a.elements.is_empty()
            && !self.has_interior_comments(&[(a.open, a.open), (a.close, a.close)])
        {
            self.inline_tok(a.open);
            self.body_end_inline(a.close, true);
            return;
        }
        self.open_brace_prefix(a.open);
        let n = a.elements.len();
        for (i, e) in a.elements.iter().enumerate() {
            let last = i == n - 1;
            match e {
                Value::Strings(s) if s.parts.len() > 1 => {
                    for (j, &part) in s.parts.iter().enumerate() {
                        if !last && j == s.parts.len() - 1 {
                            self.start(part);
                            break;
                        }
                        self.body_end(part, false);
                    }
                }
                Value::Signed { sign, value } => {
                    self.start(*sign);
                    if last {
                        self.line_end(*value);
                    } else {
                        self.inline_tok(*value);
                    }
                }
                Value::Message(m) => self.message_literal_for_array(m, last),
                Value::Array(inner) => {
                    self.array_literal(inner);
                    if last && self.last != '\n' {
                        self.p("");
                    }
                }
                _ => {
                    if last {
                        self.body_end(e.first_token(), false);
                    } else {
                        self.start(e.first_token());
                    }
                }
            }
            if !last {
                if let Some(&c) = a.commas.get(i) {
                    self.line_end(c);
                }
            }
        }
        self.body_end_inline(a.close, false);
    }
}

fn decl_body(decl: &Decl) -> Option<&Body> {
    match decl {
        Decl::Message(m) => Some(&m.body),
        Decl::Enum(e) => Some(&e.body),
        Decl::Service(s) => Some(&s.body),
        Decl::Oneof(o) => Some(&o.body),
        Decl::Extend(e) => Some(&e.body),
        Decl::Group(g) => Some(&g.body),
        Decl::Rpc(r) => r.body.as_ref(),
        _ => None,
    }
}

fn unquote(s: &str) -> &str {
    if s.len() >= 2 {
        &s[1..s.len() - 1]
    } else {
        s
    }
}

//! File heads: the little a `--path` lint needs of most other module files, read without scanning
//! their definitions.
//!
//! The cross-file rules ([`crate::lint::scope`]) need of a module file outside the image its
//! package and imports (for the package graph and `PACKAGE_NO_IMPORT_CYCLE`); its file options and
//! services only when it can change the targets' findings (same package or directory, a package
//! reachable from a target's, or an RPC that uses a target's request or response type); and
//! whether it parses at all (a file that does not is left out). [`head`] gives the first part
//! cheaply: the summary scanner ([`super::summary::scan_head`]) reads the statements before the
//! first `message`/`enum`/`service`/`extend` (package, imports and syntax come first in practice),
//! and a byte search over the rest of the file rules out a later `import`, `package`, `syntax` or
//! `edition` (any such word it cannot be sure is in a comment or a string, or names a value, and
//! the caller falls back to the full summary: the head is exact or not given). It also collects, for every word `rpc` in the rest,
//! the identifiers of what could be that RPC's request and response types ([`RpcWords`]): an RPC
//! whose type is a target's type names it with that type's last identifier, so a file none of
//! whose words match cannot use a target's type. Which files then need their full summary (read
//! again and scanned whole) is [`super::rest`]'s business.

use prost_types::FileDescriptorProto;

/// Identifiers that may be the request and response types of a file's RPCs, as written: every
/// RPC's request type ends with one of [`RpcWords::requests`] and its response type with one of
/// [`RpcWords::responses`] (words seen after an `rpc` that is not an RPC — in a block comment or a
/// string — only add names); and every message (or group) the file defines, at any depth, is
/// named by one of [`RpcWords::messages`] (the word after each word `message` or `group`). Such a
/// word surely in a line comment (see `in_line_comment`) is passed over: it defines nothing.
///
/// Kept as one text, each list sorted and deduplicated, each word ended by a newline: a cold run
/// keeps these for 7,000 files, and one allocation each is much cheaper than one per word.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RpcWords {
    text: Box<str>,
    /// Where the responses and the messages start in `text`.
    starts: [usize; 2],
}

impl RpcWords {
    /// The three lists (each sorted and deduplicated here).
    pub fn new<'a>(
        requests: impl IntoIterator<Item = &'a str>,
        responses: impl IntoIterator<Item = &'a str>,
        messages: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let sorted = |list: &mut dyn Iterator<Item = &'a str>| {
            let mut list: Vec<&str> = list.collect();
            list.sort_unstable();
            list.dedup();
            list
        };
        let lists = [
            sorted(&mut requests.into_iter()),
            sorted(&mut responses.into_iter()),
            sorted(&mut messages.into_iter()),
        ];
        let len = lists.iter().flatten().map(|w| w.len() + 1).sum();
        let mut text = String::with_capacity(len);
        let mut starts = [0; 2];
        for (i, list) in lists.iter().enumerate() {
            if i > 0 {
                starts[i - 1] = text.len();
            }
            for w in list {
                text.push_str(w);
                text.push('\n');
            }
        }
        RpcWords {
            text: text.into_boxed_str(),
            starts,
        }
    }

    /// The words of a file's RPCs as its summary resolves them: the identifiers of each method's
    /// request and response type as written (no message words). What [`RpcWords`] of the file's
    /// head over-approximates: a summary's RPC types can name a type only with these.
    pub fn of_summary(summary: &FileDescriptorProto) -> Self {
        let methods = || summary.service.iter().flat_map(|s| &s.method);
        RpcWords::new(
            methods().flat_map(|m| m.input_type().split('.').filter(|w| !w.is_empty())),
            methods().flat_map(|m| m.output_type().split('.').filter(|w| !w.is_empty())),
            [],
        )
    }

    /// The three lists (requests, responses, messages) as they are kept: each word ended by a
    /// newline.
    pub fn lists(&self) -> [&[u8]; 3] {
        let text = self.text.as_bytes();
        [
            &text[..self.starts[0]],
            &text[self.starts[0]..self.starts[1]],
            &text[self.starts[1]..],
        ]
    }

    fn list(&self, from: usize, to: usize) -> crate::lint::scope::Words<'_> {
        self.text[from..to].split_terminator('\n')
    }

    /// What the request types may end with, sorted.
    pub fn requests(&self) -> crate::lint::scope::Words<'_> {
        self.list(0, self.starts[0])
    }

    /// What the response types may end with, sorted.
    pub fn responses(&self) -> crate::lint::scope::Words<'_> {
        self.list(self.starts[0], self.starts[1])
    }

    /// The names of the messages (and groups) the file may define, sorted.
    pub fn messages(&self) -> crate::lint::scope::Words<'_> {
        self.list(self.starts[1], self.text.len())
    }
}

/// A file's head: its summary's package, imports (public and weak marks) and syntax, with nothing
/// else set; and the words of its RPCs.
#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    pub summary: FileDescriptorProto,
    pub rpcs: RpcWords,
}

/// The head of `text`, or `None` when only the full summary can tell (the head scan gives up, the
/// file has no definition, or a word after its first definition could be a head statement).
pub fn head(text: &str) -> Option<Head> {
    let (summary, first_definition) = super::summary::scan_head(text)?;
    let rest = &text.as_bytes()[first_definition?..];
    // The words as slices of `text` first: sorted and deduplicated before they are copied.
    let mut words = Words {
        requests: Vec::with_capacity(16),
        responses: Vec::with_capacity(16),
        messages: Vec::with_capacity(32),
    };
    // One pass for every keyword (no keyword starts where another may: their first letters
    // differ, so leftmost matches miss no whole word, see [`keywords`]).
    for m in keywords().find_iter(rest) {
        let (at, end) = (m.start(), m.end());
        if (at > 0 && is_word_byte(rest[at - 1])) || rest.get(end).is_some_and(|&b| is_word_byte(b))
        {
            continue;
        }
        match KEYWORDS[m.pattern().as_usize()] {
            // An `rpc`, `message` or `group` surely in a line comment defines nothing (comments
            // are mostly prose: their words would only add names, each a file to read whole).
            "rpc" | "message" | "group" if in_line_comment(line_before(rest, at)) => {}
            "rpc" => rpc_words(&rest[end..], &mut words),
            "message" | "group" => next_word(&rest[end..], &mut words.messages),
            // import, package, syntax, edition
            _ if !surely_not_a_statement(rest, at, end) => return None,
            _ => {}
        }
    }
    let rpcs = words.into_owned();
    Some(Head {
        summary: FileDescriptorProto {
            package: summary.package,
            dependency: summary.dependency,
            public_dependency: summary.public_dependency,
            weak_dependency: summary.weak_dependency,
            syntax: summary.syntax,
            ..FileDescriptorProto::default()
        },
        rpcs,
    })
}

/// [`RpcWords`] as found, borrowed from the text.
#[derive(Default)]
struct Words<'a> {
    requests: Vec<&'a str>,
    responses: Vec<&'a str>,
    messages: Vec<&'a str>,
}

impl Words<'_> {
    /// Each list sorted and deduplicated, then copied.
    fn into_owned(self) -> RpcWords {
        RpcWords::new(self.requests, self.responses, self.messages)
    }
}

/// Whether the head keyword (`import`, `package`, `syntax`, `edition`) at `at..end` of `bytes`
/// surely does not start a statement: it is in a string or comment however its line starts
/// ([`in_literal_or_comment`], which includes every word [`in_line_comment`] finds), or a name
/// followed by `=` ([`names_a_value`]).
fn surely_not_a_statement(bytes: &[u8], at: usize, end: usize) -> bool {
    in_literal_or_comment(line_before(bytes, at)) || names_a_value(bytes, at, end)
}

/// The line of the word at `at` of `bytes` up to the word (the head's text starts at a
/// definition, outside any comment).
fn line_before(bytes: &[u8], at: usize) -> &[u8] {
    let line_start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
    &bytes[line_start..at]
}

/// Whether a word whose line before it is `line` is surely in a string literal
/// (`post: "/v1/{name=projects/*}:import"`) or a comment: lexed from the line's start, it is
/// inside one both if the line starts in code and if it starts inside a block comment (strings do
/// not span lines, so a line starts in one of the two).
fn in_literal_or_comment(line: &[u8]) -> bool {
    lexed_to_end(line, false) != Lexed::Code && lexed_to_end(line, true) != Lexed::Code
}

/// Where the end of `line` is, lexed from its start (in code, or inside a block comment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lexed {
    Code,
    String(u8),
    BlockComment,
    LineComment,
}

fn lexed_to_end(line: &[u8], starts_in_block_comment: bool) -> Lexed {
    let mut state = if starts_in_block_comment {
        Lexed::BlockComment
    } else {
        Lexed::Code
    };
    let mut i = 0;
    while i < line.len() {
        let next = line.get(i + 1).copied();
        match (state, line[i]) {
            (Lexed::Code, quote @ (b'"' | b'\'')) => state = Lexed::String(quote),
            (Lexed::Code, b'/') if next == Some(b'/') => return Lexed::LineComment,
            (Lexed::Code, b'/') if next == Some(b'*') => {
                state = Lexed::BlockComment;
                i += 1;
            }
            // An escape: the next byte is part of the string, whatever it is.
            (Lexed::String(_), b'\\') => i += 1,
            (Lexed::String(quote), c) if c == quote => state = Lexed::Code,
            (Lexed::BlockComment, b'*') if next == Some(b'/') => {
                state = Lexed::Code;
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    state
}

/// Whether the word at `at..end` is followed by `=` (whitespace between): a field or enum value
/// named `import` or `package` (no statement of theirs has an `=`), or named `syntax` or
/// `edition` when a number follows the `=` (their statements take a string).
fn names_a_value(bytes: &[u8], at: usize, end: usize) -> bool {
    let after_blanks = |from: usize| {
        bytes[from..]
            .iter()
            .position(|b| !b.is_ascii_whitespace() && *b != 0x0b)
            .map(|n| from + n)
    };
    let Some(eq) = after_blanks(end).filter(|&i| bytes[i] == b'=') else {
        return false;
    };
    match &bytes[at..end] {
        b"import" | b"package" => true,
        _ => after_blanks(eq + 1).is_some_and(|i| bytes[i].is_ascii_digit()),
    }
}

/// Whether a word whose line before it is `line` is surely in a comment: `line` has a `//` with
/// no quote before it (strings do not span lines, so that `//` is not in a string), not preceded
/// by `*`, and no `*/` between it and the word (were the `//` inside a block comment, the word still
/// is). A word in a block comment alone is not recognised: the caller then falls back.
fn in_line_comment(line: &[u8]) -> bool {
    // Lines are short: the first `//` by a byte search for `/` (no searcher is built per call).
    let mut from = 0;
    let slashes = loop {
        let Some(i) = memchr::memchr(b'/', &line[from..]) else {
            return false;
        };
        let at = from + i;
        if line.get(at + 1) == Some(&b'/') {
            break at;
        }
        from = at + 1;
    };
    let before = &line[..slashes];
    !before.iter().any(|&b| b == b'"' || b == b'\'')
        && before.last() != Some(&b'*')
        && !line[slashes..].windows(2).any(|w| w == b"*/")
}

/// A word of [`is_word_byte`]s as text, without checking it again: every such byte is ASCII.
fn ascii_word(word: &[u8]) -> &str {
    debug_assert!(word.iter().all(|&b| is_word_byte(b)));
    // SAFETY: the caller's bytes are all word bytes, which are ASCII, hence valid UTF-8.
    unsafe { std::str::from_utf8_unchecked(word) }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The words [`head`] looks for after the first definition: a head statement's (the head is then
/// not exact unless the word is in a line comment), an RPC's, and a message's or group's.
const KEYWORDS: [&str; 7] = [
    "import", "package", "syntax", "edition", "rpc", "message", "group",
];

/// A searcher for [`KEYWORDS`], leftmost-first. Every whole-word occurrence of a keyword is a
/// match: a match that overlaps it would start before it (then the byte before it is a word
/// byte, so it is not a whole word) or at it (no keyword is a prefix of another: their first
/// letters differ).
fn keywords() -> &'static aho_corasick::AhoCorasick {
    static SEARCHER: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    SEARCHER.get_or_init(|| {
        aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostFirst)
            .build(KEYWORDS)
            .expect("fixed keywords build a searcher")
    })
}

/// The identifier after `after`'s whitespace and comments, if any (into `out`).
fn next_word<'a>(after: &'a [u8], out: &mut Vec<&'a str>) {
    let mut i = 0;
    while i < after.len() {
        match after[i] {
            b'/' if after.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &after[i..]).map_or(after.len(), |n| i + n);
            }
            b'/' if after.get(i + 1) == Some(&b'*') => {
                i = memchr::memmem::find(&after[i + 2..], b"*/").map_or(after.len(), |n| i + n + 4);
                continue;
            }
            c if c.is_ascii_whitespace() || c == 0x0b => {}
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < after.len() && is_word_byte(after[i]) {
                    i += 1;
                }
                out.push(ascii_word(&after[start..i]));
                return;
            }
            _ => return,
        }
        i += 1;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok<'a> {
    Ident(&'a str),
    Sym(u8),
}

/// The words after an `rpc` (`after` starts just past it), up to the `;`, `{` or `}` that ends an
/// RPC's signature: `Name ( Type ) returns ( Type )`, comments skipped. When the tokens have that
/// shape, the identifiers in the first parentheses are request words and those in the second
/// response words; otherwise every identifier seen is both (this `rpc` is then not an RPC, or the
/// file does not parse: either way nothing is missed).
fn rpc_words<'a>(after: &'a [u8], out: &mut Words<'a>) {
    let mut tokens: Vec<Tok<'a>> = Vec::new();
    let mut i = 0;
    while i < after.len() {
        let c = after[i];
        match c {
            b'/' if after.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &after[i..]).map_or(after.len(), |n| i + n);
            }
            b'/' if after.get(i + 1) == Some(&b'*') => {
                i = memchr::memmem::find(&after[i + 2..], b"*/").map_or(after.len(), |n| i + n + 4);
            }
            b';' | b'{' | b'}' | b'"' | b'\'' => break,
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < after.len() && is_word_byte(after[i]) {
                    i += 1;
                }
                let ident = ascii_word(&after[start..i]);
                tokens.push(Tok::Ident(ident));
                continue;
            }
            c if c.is_ascii_whitespace() || c == 0x0b => {}
            c => tokens.push(Tok::Sym(c)),
        }
        i += 1;
    }
    let push = |list: &mut Vec<&'a str>, toks: &[Tok<'a>]| {
        for t in toks {
            if let Tok::Ident(i) = t {
                list.push(i);
            }
        }
    };
    if let Some((request, response)) = signature(&tokens) {
        push(&mut out.requests, request);
        push(&mut out.responses, response);
    } else {
        push(&mut out.requests, &tokens);
        push(&mut out.responses, &tokens);
    }
}

/// `Name ( ... ) returns ( ... )`, each `...` only identifiers and dots: the two `...`.
fn signature<'t, 'a>(tokens: &'t [Tok<'a>]) -> Option<(&'t [Tok<'a>], &'t [Tok<'a>])> {
    let [Tok::Ident(_), Tok::Sym(b'('), rest @ ..] = tokens else {
        return None;
    };
    let close = rest.iter().position(|t| *t == Tok::Sym(b')'))?;
    let (request, rest) = (&rest[..close], &rest[close + 1..]);
    let [Tok::Ident("returns"), Tok::Sym(b'('), rest @ ..] = rest else {
        return None;
    };
    let close = rest.iter().position(|t| *t == Tok::Sym(b')'))?;
    let (response, tail) = (&rest[..close], &rest[close + 1..]);
    let plain = |ts: &[Tok<'_>]| {
        ts.iter()
            .all(|t| matches!(t, Tok::Ident(_) | Tok::Sym(b'.')))
    };
    (tail.is_empty() && plain(request) && plain(response)).then_some((request, response))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`head`] as it was before the one-pass search: a search per keyword.
    fn head_by_words(text: &str) -> Option<Head> {
        let words = |bytes: &[u8], word: &str| -> Vec<usize> {
            memchr::memmem::find_iter(bytes, word.as_bytes())
                .filter(|&at| {
                    (at == 0 || !is_word_byte(bytes[at - 1]))
                        && bytes.get(at + word.len()).is_none_or(|&b| !is_word_byte(b))
                })
                .collect()
        };
        let (summary, first_definition) = super::super::summary::scan_head(text)?;
        let rest = &text.as_bytes()[first_definition?..];
        for word in ["import", "package", "syntax", "edition"] {
            if words(rest, word)
                .iter()
                .any(|&at| !surely_not_a_statement(rest, at, at + word.len()))
            {
                return None;
            }
        }
        let mut found = Words::default();
        let commented = |at: usize| in_line_comment(line_before(rest, at));
        for at in words(rest, "rpc") {
            if !commented(at) {
                rpc_words(&rest[at + 3..], &mut found);
            }
        }
        for keyword in ["message", "group"] {
            for at in words(rest, keyword) {
                if !commented(at) {
                    next_word(&rest[at + keyword.len()..], &mut found.messages);
                }
            }
        }
        let rpcs = found.into_owned();
        Some(Head {
            summary: FileDescriptorProto {
                package: summary.package,
                dependency: summary.dependency,
                public_dependency: summary.public_dependency,
                weak_dependency: summary.weak_dependency,
                syntax: summary.syntax,
                ..FileDescriptorProto::default()
            },
            rpcs,
        })
    }

    #[test]
    fn a_summary_gives_the_words_of_its_rpc_types_as_written() {
        let text = "syntax = \"proto3\";\npackage a.b;\nmessage Req {}\n\
                    service S {\n  rpc M(stream a.b.Req) returns (google.protobuf.Empty);\n  \
                    rpc N(.a.b.Req) returns (stream c.Resp);\n}\n";
        let summary = super::super::summary::scan("f.proto", text).expect("scans");
        let words = RpcWords::of_summary(&summary);
        assert_eq!(words.requests().collect::<Vec<_>>(), ["Req", "a", "b"]);
        assert_eq!(
            words.responses().collect::<Vec<_>>(),
            ["Empty", "Resp", "c", "google", "protobuf"]
        );
        assert_eq!(words.messages().count(), 0);
        // The head's words of the same file include them all.
        let head = head(text).expect("a head");
        for w in words.requests() {
            assert!(head.rpcs.requests().any(|h| h == w), "{w}");
        }
        for w in words.responses() {
            assert!(head.rpcs.responses().any(|h| h == w), "{w}");
        }
    }

    #[test]
    fn one_pass_finds_what_a_search_per_keyword_finds() {
        let texts = [
            "package a;\nmessage M {}\nservice S { rpc Get(A) returns (B); }\n",
            // Keywords inside longer words, next to each other, at the very end.
            "package a;\nmessage grpc {} message messagerpc {} // rpcmessage\nmessage X { group",
            "package a;\nmessage M { string importance = 1; string packages = 2; }\nrpc",
            "package a;\nenum E { A = 0; } service S { rpc A(.x.Y) returns (stream Z) {}\n\
             rpc/**/B(C)returns(D); }\nmessage_ M {} _message N {} message\tO {}",
            "package a;\nmessage M {}\n// package import syntax edition\nrpc rpc rpc",
            "package a;\nmessage M {}\nimport \"x.proto\";\n",
            "package a;\nmessage M {}\n/* edition */\n",
            // In strings, and names of fields and enum values; or not.
            "package a;\nmessage M { option (o) = { post: \"/v1/{name}:import\" }; }\n",
            "package a;\nmessage M { E edition = 3; string package = 4 [json_name = \"p\"]; }\n",
            "package a;\nenum E { import = 0; syntax = 1; }\n",
            "package a;\nmessage M {}\nsyntax = \"proto3\";\n",
            "package a;\nmessage M {}\nedition = /* c */ 3;\n",
            "package a;\nmessage M { string s = 1 [default = 'x\"']; } import \"x.proto\";\n",
            "package a;\nmessage M {} /* \" */ import \"x.proto\";\n",
            "package a;\nmessage M { string s = 1 [default = \"a\\\"b\"]; } import \"x.proto\";\n",
            "syntax = \"proto3\";\nmessage M { message N { group G = 1 {} } }\n",
        ];
        for text in texts {
            assert_eq!(head(text), head_by_words(text), "{text}");
        }
    }

    #[test]
    fn a_late_keyword_in_a_string_or_naming_a_value_keeps_the_head() {
        let heads = [
            "package a;\nmessage M { option (o) = { post: \"/v1/{name}:import\" }; }\n",
            // `/*` and `*/` in the string before the word (URL patterns).
            "package a;\nservice S { rpc I(R) returns (R) { option (google.api.http) = {\n  \
             post: \"/v1/{parent=projects/*/locations/*}/models:import\"\n }; } }\n",
            "package a;\nmessage M { string s = 1 [default = \"a\\\"b:import\"]; }\n",
            "package a;\nmessage M { string s = 1 [default = 'it\"s:import']; }\n",
            // In a block comment on its line, however the line starts.
            "package a;\nmessage M {} /* see the package */\n",
            "package a;\nmessage M {}\n/* a\n b */ /* import */\n",
            "package a;\nmessage M { E edition = 3; string package = 4; Syntax syntax = 5; }\n",
            "package a;\nenum E { import = 0; package\n = 1; }\n",
        ];
        for text in heads {
            let head = head(text).unwrap_or_else(|| panic!("a head: {text}"));
            assert_eq!(head.summary.package(), "a");
        }
        let not_sure = [
            // A statement, or maybe one.
            "package a;\nmessage M {}\nsyntax = \"proto3\";\n",
            "package a;\nmessage M {}\nedition = /* c */ 3;\n",
            "package a;\nmessage M {}\nimport \"x.proto\"; // \"\n",
            // Quotes that do not open a string: in a character string, escaped, in a comment.
            "package a;\nmessage M { string s = 1 [default = 'x\"']; } import \"x.proto\";\n",
            "package a;\nmessage M { string s = 1 [default = \"a\\\"b\"]; } import \"x.proto\";\n",
            "package a;\nmessage M {} /* \" */ import \"x.proto\";\n",
            "package a;\nmessage M {} // \"\n import \"x.proto\";\n",
            // A string, but code if the line starts inside a block comment (`*/` in it).
            "package a;\nmessage M {}\n/*\n \"a */ import \"x.proto\";\n",
            // Closed strings and comments before the word.
            "package a;\nmessage M { string s = 1 [default = \"/*\"]; } import \"x.proto\";\n",
            // An even number of quotes: outside the strings.
            "package a;\nmessage M { string s = 1 [default = \"\"]; } import \"x.proto\";\n",
        ];
        for text in not_sure {
            assert_eq!(head(text), None, "{text}");
        }
    }

    #[test]
    fn rpc_words_keep_each_list_sorted_and_apart() {
        let words = RpcWords::new(["b", "a", "b"], [], ["M", "", "A"]);
        assert_eq!(words.requests().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(words.responses().count(), 0);
        assert_eq!(words.messages().collect::<Vec<_>>(), ["", "A", "M"]);
        let empty = RpcWords::new([], [], []);
        assert_eq!(empty, RpcWords::default());
        assert_eq!(empty.requests().chain(empty.messages()).count(), 0);
        let only_responses = RpcWords::new([], ["R"], []);
        assert_eq!(only_responses.requests().count(), 0);
        assert_eq!(only_responses.responses().collect::<Vec<_>>(), ["R"]);
        assert_eq!(only_responses.messages().count(), 0);
    }

    #[test]
    fn head_is_the_summary_head_or_nothing() {
        let text = "// license: import package\nsyntax = \"proto3\";\npackage a.b;\n\
                    import public \"x.proto\";\nimport \"y.proto\";\noption go_package = \"g\";\n\
                    message M { string s = 1; }\nservice S {\n  rpc Get(.a.b.GetRequest) returns \
                    (stream M) {}\n  rpc /* c */ Put ( PutRequest ) // x\n returns (M);\n}\n";
        let h = head(text).unwrap();
        assert_eq!(h.summary.package(), "a.b");
        assert_eq!(h.summary.dependency, ["x.proto", "y.proto"]);
        assert_eq!(h.summary.public_dependency, [0]);
        assert_eq!(h.summary.syntax(), "proto3");
        assert!(h.summary.options.is_none());
        assert_eq!(
            h.rpcs.requests().collect::<Vec<_>>(),
            ["GetRequest", "PutRequest", "a", "b"]
        );
        assert_eq!(h.rpcs.responses().collect::<Vec<_>>(), ["M", "stream"]);
        assert_eq!(h.rpcs.messages().collect::<Vec<_>>(), ["M"]);
        let h = head("message /* c */ A { group\n // x\n G = 1 {} message\tB {} }").unwrap();
        assert_eq!(h.rpcs.messages().collect::<Vec<_>>(), ["A", "B", "G"]);
        // A late import, package or syntax (even in a block comment the line may not start
        // in, or after a `//` in a string), or no definition: no head.
        assert!(head("package a;\nmessage M {}\nimport \"z.proto\";\n").is_none());
        assert!(head("message M {}\n/* a\n*/ package b;\n").is_none());
        // Surely in a comment (or a string) however its line starts: not a statement.
        assert!(head("message M {}\n/* the package */\n").is_some());
        assert!(head("message M {}\noption x = \"a//b\"; import \"z.proto\";\n").is_none());
        assert!(head("message M {}\n/* a *// import \"z.proto\";\n").is_none());
        assert!(head("message M {}\n/* a // b */ package b;\n").is_none());
        // A word in a line comment is not a statement.
        let h = head("package a;\nmessage M {} // this package; see import.proto\n").unwrap();
        assert_eq!(h.summary.package(), "a");
        assert!(head("package a;\nimport \"z.proto\";\n").is_none());
        // A word `rpc`, `message` or `group` surely in a line comment names nothing.
        let h =
            head("message M {}\n// an rpc that fails, a message X\nenum E { A = 0; }\n").unwrap();
        assert_eq!(h.rpcs.requests().count(), 0);
        assert_eq!(h.rpcs.messages().collect::<Vec<_>>(), ["M"]);
        let h = head("message M {} // rpc X(Y) returns (Z); message Q\n").unwrap();
        assert_eq!(h.rpcs.responses().count(), 0);
        assert_eq!(h.rpcs.messages().collect::<Vec<_>>(), ["M"]);
        // In a block comment (not recognised as one) its words are added; `rpcs` is not the word.
        let h = head("message M {}\n/* an rpc that fails, rpcs */\nenum E { A = 0; }\n").unwrap();
        assert_eq!(
            h.rpcs.requests().collect::<Vec<_>>(),
            ["E", "enum", "fails", "rpcs", "that"]
        );
        // After a `*/` on its line the word is not in that comment.
        let h = head("message M {}\n/* a\n // b */ message N {}\n").unwrap();
        assert_eq!(h.rpcs.messages().collect::<Vec<_>>(), ["M", "N"]);
    }
}

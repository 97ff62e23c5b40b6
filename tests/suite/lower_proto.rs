//! Our lowering of proto2/proto3 files ([`protoforge::compile::lower_proto`]) against protox's
//! parser: whenever ours gives a descriptor, protox must accept the file and encode the same bytes
//! (descriptor and source info). Over the repository's fixtures, the conformance corpus and the
//! googleapis clone ([`crate::common::googleapis`]; skipped with a message when absent), where
//! at least 99% of the files must take our path. Lowered with fewer locations (only those of
//! options, or none), every file must give the same answer (handled or not) and the same
//! descriptor with only those locations.

use std::path::{Path, PathBuf};

use prost::Message as _;
use prost_types::source_code_info::Location;
use prost_types::{FileDescriptorProto, SourceCodeInfo};
use protoforge::compile::lower_proto::{self, Locations};

fn proto_files(root: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if name != ".git" && name != "target" {
                proto_files(&path, out);
            }
        } else if name.ends_with(".proto") {
            out.push(path);
        }
    }
}

/// What is wrong with lowering `text` with fewer locations, given `with` (the lowering with all
/// of them): it must be handled exactly when `with` is, and be `with` without comments
/// ([`Locations::WithoutComments`]), with only the locations of option statements, without
/// comments ([`Locations::OfOptions`]; no `SourceCodeInfo` when there are none), or with none
/// ([`Locations::None`]).
fn with_fewer_locations(
    name: &str,
    text: &str,
    with: Option<&FileDescriptorProto>,
) -> Option<String> {
    for kept in [
        Locations::WithoutComments,
        Locations::OfOptions,
        Locations::None,
    ] {
        let fewer = lower_proto::lower(name, text, kept);
        let expected = with.map(|w| {
            let of_options: Vec<Location> = w
                .source_code_info
                .iter()
                .flat_map(|i| &i.location)
                .filter(|l| match kept {
                    Locations::WithoutComments => true,
                    Locations::OfOptions => l.path.contains(&999),
                    _ => false,
                })
                .map(|l| Location {
                    path: l.path.clone(),
                    span: l.span.clone(),
                    ..Location::default()
                })
                .collect();
            FileDescriptorProto {
                source_code_info: (!of_options.is_empty()).then_some(SourceCodeInfo {
                    location: of_options,
                }),
                ..w.clone()
            }
        });
        let problem = match (&fewer, &expected) {
            (Some(_), Some(_)) if fewer != expected => "the descriptor differs",
            (Some(_), None) => "handled, but not with all locations",
            (None, Some(_)) => "not handled, but handled with all locations",
            _ => continue,
        };
        return Some(format!(
            "{name}: lowered with {kept:?} locations, {problem}"
        ));
    }
    None
}

/// (files lowered by us, files in all, files ours lowered that differ from protox).
fn compare(files: &[PathBuf], root: &Path) -> (usize, usize, Vec<String>) {
    let mut lowered = 0;
    let mut bad = Vec::new();
    for path in files {
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        // As the compile path: a byte order mark becomes three spaces.
        let text = match text.strip_prefix('\u{FEFF}') {
            Some(rest) => format!("   {rest}"),
            None => text,
        };
        let name = path
            .strip_prefix(root)
            .unwrap_or(path)
            .to_string_lossy()
            .into_owned();
        let ours = lower_proto::lower(&name, &text, Locations::All);
        if let Some(problem) = with_fewer_locations(&name, &text, ours.as_ref()) {
            bad.push(problem);
        }
        let Some(ours) = ours else {
            continue;
        };
        lowered += 1;
        match protox_parse::parse(&name, &text) {
            Ok(theirs) if theirs.encode_to_vec() == ours.encode_to_vec() => {}
            Ok(_) => bad.push(format!("{name}: descriptor differs from protox's")),
            Err(e) => bad.push(format!("{name}: lowered, but protox rejects it: {e}")),
        }
    }
    (lowered, files.len(), bad)
}

#[test]
fn fixtures_lower_exactly_as_protox_parses() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["testdata", "examples", "tests", "src"] {
        proto_files(&root.join(dir), &mut files);
    }
    let (lowered, total, bad) = compare(&files, root);
    eprintln!("fixtures: {lowered} of {total} files lowered by us");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert!(total > 200, "fixtures not found ({total})");
    // Most fixtures are valid proto2/proto3 files: the fast path must be taken for them.
    assert!(
        lowered * 2 > total,
        "only {lowered} of {total} fixtures lowered"
    );
}

#[test]
fn conformance_corpus_lowers_exactly_as_protox_parses() {
    let root = Path::new("/work/shared/conformance");
    if !root.is_dir() {
        eprintln!("SKIPPED: no conformance corpus at {}", root.display());
        return;
    }
    let mut files = Vec::new();
    proto_files(root, &mut files);
    let (lowered, total, bad) = compare(&files, root);
    eprintln!("conformance corpus: {lowered} of {total} files lowered by us");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn googleapis_lowers_exactly_as_protox_parses() {
    let Some(root) = crate::common::googleapis() else {
        eprintln!(
            "SKIPPED: no googleapis clone (set PROTOFORGE_GOOGLEAPIS, or put ../shared/corpus/googleapis.bundle beside the checkout)"
        );
        return;
    };
    let mut files = Vec::new();
    proto_files(&root, &mut files);
    let (lowered, total, bad) = compare(&files, &root);
    eprintln!("googleapis: {lowered} of {total} files lowered by us");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert!(total > 1000, "googleapis clone looks empty ({total} files)");
    assert!(
        lowered * 100 >= total * 99,
        "only {lowered} of {total} googleapis files take the fast path"
    );
}

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const SNIPPETS: &[&str] = &[
    " /* c */ ",
    "/* c */\n",
    "/* c */",
    "// c\n",
    "\n",
    "\n\n",
    "\n// d\n\n",
    "/*\n * x\n   */",
    "/** a */ // b\n",
    "\t",
    ";",
    "\r\n",
    "//\n",
    "/**/",
    " [default = 1]",
    " [json_name = \"x\"]",
    " [default = -inf]",
    " [(a).b = {x: 1 y: \"\\001\" z: [1, 2] w: -1.5}]",
    " [default = \"\\xzz\"]",
    " [default = -5, json_name = 'j']",
    "reserved 1 to max;",
    "reserved \"a\", \"_b\";",
    "extensions 5 to 10 [(x) = 1];",
    "optional group G = 3 { }",
    "oneof o { }",
    "map<int32, string> m = 7;",
    "option (a) = -foo;",
    "option b = \"\\u00e9\";",
    "option c = 18446744073709551616;",
    "option d = -9223372036854775809;",
];

const WORDS: &[&str] = &[
    "optional",
    "required",
    "repeated",
    "map",
    "group",
    "stream",
    "max",
    "to",
    "option",
    "reserved",
    "message",
    "enum",
    "default",
    "json_name",
    "inf",
    "nan",
    "true",
    "extend",
    "oneof",
    "extensions",
    "string",
    "0",
    "-1",
    "536870911",
    "536870912",
    "0x10",
    "077",
    "1.5",
    "1e3",
    "08",
    "1f",
    "\"\\400\"",
    "'x'",
    ".a.B",
    "_x",
];

const COMMENTS: &[&str] = &[
    " /* c */ ",
    "/* c */\n",
    "/* c */",
    "// c\n",
    "\n",
    "\n\n",
    "\n// d\n\n",
    "/*\n * x\n   */",
    "/** a */ // b\n",
    "//\n",
    "/**/",
    "\r\n",
];

/// `comments_only`: one to three comments or newlines between tokens (the file stays valid);
/// otherwise one arbitrary edit.
fn mutate(text: &str, rng: &mut Rng, comments_only: bool) -> String {
    let mut s = text.to_string();
    let edits = if comments_only { 1 + rng.below(3) } else { 1 };
    for _ in 0..edits {
        if s.is_empty() {
            break;
        }
        let mut at = rng.below(s.len() + 1);
        while !s.is_char_boundary(at) {
            at -= 1;
        }
        if comments_only {
            // Move to the next whitespace outside a word (close enough to a token boundary).
            let b = s.as_bytes();
            while at < b.len() && !b[at].is_ascii_whitespace() {
                at += 1;
            }
            s.insert_str(at, rng.pick(COMMENTS));
            continue;
        }
        match rng.below(3) {
            0 => s.insert_str(at, rng.pick(SNIPPETS)),
            1 => {
                let mut end = (at + 1 + rng.below(12)).min(s.len());
                while !s.is_char_boundary(end) {
                    end -= 1;
                }
                s.replace_range(at..end, "");
            }
            _ => {
                // Replace the word around `at`.
                let b = s.as_bytes();
                let is_word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
                let mut start = at;
                while start > 0 && is_word(b[start - 1]) {
                    start -= 1;
                }
                let mut end = at;
                while end < b.len() && is_word(b[end]) {
                    end += 1;
                }
                let word = rng.pick(WORDS);
                s.replace_range(start..end, word);
            }
        }
    }
    s
}

/// Mutants of the fixtures (comments moved in, words swapped, options added, bytes deleted):
/// whenever our lowering accepts one, protox must accept it and give the same bytes.
#[test]
fn mutated_fixtures_never_lower_differently() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["testdata", "examples"] {
        proto_files(&root.join(dir), &mut files);
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut tried, mut lowered) = (0, 0);
    let mut bad = Vec::new();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        for i in 0..16 {
            let mutant = mutate(&text, &mut rng, i % 2 == 0);
            tried += 1;
            let ours = lower_proto::lower("m.proto", &mutant, Locations::All);
            if let Some(problem) = with_fewer_locations("m.proto", &mutant, ours.as_ref()) {
                bad.push(format!("{problem}:\n{mutant}\n"));
            }
            let Some(ours) = ours else {
                continue;
            };
            lowered += 1;
            match protox_parse::parse("m.proto", &mutant) {
                Ok(theirs) if theirs.encode_to_vec() == ours.encode_to_vec() => {}
                Ok(_) => bad.push(format!("differs:\n{mutant}\n")),
                Err(e) => bad.push(format!("protox rejects ({e}):\n{mutant}\n")),
            }
            if bad.len() > 5 {
                break;
            }
        }
    }
    eprintln!("mutants: {lowered} of {tried} lowered by us");
    assert!(bad.is_empty(), "{}", bad.join("\n-----\n"));
    assert!(
        lowered * 3 > tried,
        "too few mutants lowered: {lowered} of {tried}"
    );
}

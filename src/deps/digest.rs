//! buf's module digests, computed as buf 1.75 computes them (`private/bufpkg/bufmodule/digest.go`,
//! `private/pkg/cas`), and checked against buf's own cache test data.
//!
//! Both kinds are SHAKE256 with 64 bytes of output, written `type:hex`:
//! - `b5:` (v2 buf.lock): the digest of the text `shake256:<files digest>` followed by the sorted
//!   `b5:` digests of the module's own dependencies, one per line (joined with `\n`, no final newline);
//! - `shake256:` (buf calls it b4; v1beta1/v1 buf.lock): the files digest of the module files plus
//!   the module's v1 `buf.yaml` and `buf.lock`, under those names.
//!
//! The files digest is the digest of a manifest: one line `shake256:<hex of the file's digest>  <path>\n`
//! per file, sorted by path (bytewise). A module's files are its `.proto` files, `LICENSE` at the root
//! and the first of `buf.md`, `README.md`, `README.markdown` at the root that exists ([`module_file`]).

use std::fmt;

use sha3::digest::{ExtendableOutput, Update};
use sha3::Shake256;

/// The two digest kinds buf writes in buf.lock files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DigestType {
    /// `shake256:` (b4): v1beta1 and v1 buf.lock files.
    B4,
    /// `b5:`: v2 buf.lock files.
    B5,
}

impl DigestType {
    /// As written before the colon, and as the cache directory is named (`v3/modules/<this>/`).
    pub fn as_str(self) -> &'static str {
        match self {
            DigestType::B4 => "shake256",
            DigestType::B5 => "b5",
        }
    }
}

/// A module digest: its type and the 64 bytes of SHAKE256 output.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest {
    pub kind: DigestType,
    pub value: [u8; 64],
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind.as_str(), hex(&self.value))
    }
}

impl Digest {
    /// Parses `type:hex`; the error is buf's message for the same text.
    pub fn parse(text: &str) -> Result<Digest, String> {
        let bad = |why: &str| format!("could not parse module digest \"{text}\": {why}");
        let Some((kind, value)) = text.split_once(':') else {
            return Err(bad("must in the form \"digest_type:digest_hex_value\""));
        };
        let kind = match kind {
            "shake256" => DigestType::B4,
            "b5" => DigestType::B5,
            other => {
                return Err(bad(&format!(
                    "could not parse module digest type \"{other}\": unknown type: \"{other}\""
                )))
            }
        };
        let Some(bytes) = unhex(value) else {
            return Err(bad(
                "could not parse hex: must in the form \"digest_type:digest_hex_value\"",
            ));
        };
        let value: [u8; 64] = bytes.as_slice().try_into().map_err(|_| {
            format!(
                "invalid shake256 digest value: expected 64 bytes, got {}",
                bytes.len()
            )
        })?;
        Ok(Digest { kind, value })
    }
}

/// SHAKE256 with 64 bytes of output.
pub fn shake256(data: &[u8]) -> [u8; 64] {
    let mut hasher = Shake256::default();
    hasher.update(data);
    let mut out = [0u8; 64];
    hasher.finalize_xof_into(&mut out);
    out
}

/// Whether a path (relative to the module root, `/`-separated) is one of the module's files, given
/// the documentation file the module has (see [`doc_file`]).
pub fn module_file(path: &str, doc: Option<&str>) -> bool {
    path.ends_with(".proto") || path == "LICENSE" || Some(path) == doc
}

/// The module's documentation file: the first of `buf.md`, `README.md`, `README.markdown` present.
pub fn doc_file<'a>(mut exists: impl FnMut(&str) -> bool) -> Option<&'a str> {
    ["buf.md", "README.md", "README.markdown"]
        .into_iter()
        .find(|name| exists(name))
}

/// The digest of a manifest of `(path, file digest)` entries (any order; paths unique).
fn manifest_digest(entries: &mut [(&str, [u8; 64])]) -> [u8; 64] {
    entries.sort_by(|a, b| a.0.cmp(b.0));
    let mut manifest = String::with_capacity(entries.len() * 160);
    for (path, digest) in entries.iter() {
        manifest.push_str("shake256:");
        manifest.push_str(&hex(digest));
        manifest.push_str("  ");
        manifest.push_str(path);
        manifest.push('\n');
    }
    shake256(manifest.as_bytes())
}

/// The b5 digest of a module: its files (`(path, digest of the content)`, module files only) and
/// the b5 digests of its dependencies.
pub fn b5(files: &[(&str, [u8; 64])], deps: &[&Digest]) -> Digest {
    let mut entries = files.to_vec();
    let files_digest = manifest_digest(&mut entries);
    let mut lines: Vec<String> = deps.iter().map(|d| d.to_string()).collect();
    lines.sort();
    lines.insert(0, format!("shake256:{}", hex(&files_digest)));
    Digest {
        kind: DigestType::B5,
        value: shake256(lines.join("\n").as_bytes()),
    }
}

/// The b4 (`shake256:`) digest of a v1 module: its files plus its `buf.yaml` and `buf.lock` (each
/// `(name, content)`, when the module has them).
pub fn b4(files: &[(&str, [u8; 64])], v1_files: &[(&str, &[u8])]) -> Digest {
    let mut entries = files.to_vec();
    for (name, content) in v1_files {
        entries.push((name, shake256(content)));
    }
    Digest {
        kind: DigestType::B4,
        value: manifest_digest(&mut entries),
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

/// Lower- or upper-case hex (as Go's `hex.DecodeString`), `None` if it is not hex.
fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    text.as_bytes()
        .chunks(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files<'a>(list: &[(&'a str, &str)]) -> Vec<(&'a str, [u8; 64])> {
        list.iter()
            .map(|(p, c)| (*p, shake256(c.as_bytes())))
            .collect()
    }

    #[test]
    fn shake256_of_nothing_is_the_known_value() {
        // FIPS 202 test vector: SHAKE256("") with 512 bits of output.
        assert!(hex(&shake256(b""))
            .starts_with("46b9dd2b0ba88d13233b3feb743eeb243fcd52ea62b81b82b50c27646ed5762f"));
    }

    #[test]
    fn digests_parse_and_print_as_buf_writes_them() {
        let text = format!("b5:{}", "ab".repeat(64));
        let digest = Digest::parse(&text).expect("parses");
        assert_eq!(digest.kind, DigestType::B5);
        assert_eq!(digest.to_string(), text);
        let upper = format!("shake256:{}", "AB".repeat(64));
        assert_eq!(
            Digest::parse(&upper).expect("parses").to_string(),
            format!("shake256:{}", "ab".repeat(64))
        );
    }

    #[test]
    fn bad_digests_get_bufs_messages() {
        let err = |t: &str| Digest::parse(t).unwrap_err();
        assert_eq!(
            err("b6:00"),
            "could not parse module digest \"b6:00\": could not parse module digest type \"b6\": unknown type: \"b6\""
        );
        assert_eq!(
            err("b5:zz"),
            "could not parse module digest \"b5:zz\": could not parse hex: must in the form \"digest_type:digest_hex_value\""
        );
        assert_eq!(
            err("b5:00"),
            "invalid shake256 digest value: expected 64 bytes, got 1"
        );
        assert!(err("nocolon").contains("must in the form"));
    }

    #[test]
    fn b5_sorts_files_and_dependency_digests() {
        let a = files(&[("b.proto", "b"), ("a.proto", "a")]);
        let b = files(&[("a.proto", "a"), ("b.proto", "b")]);
        let d1 = Digest {
            kind: DigestType::B5,
            value: [1; 64],
        };
        let d2 = Digest {
            kind: DigestType::B5,
            value: [2; 64],
        };
        assert_eq!(b5(&a, &[&d1, &d2]), b5(&b, &[&d2, &d1]));
        assert_ne!(b5(&a, &[&d1]), b5(&a, &[]));
        assert_eq!(b5(&a, &[]).kind, DigestType::B5);
    }

    #[test]
    fn b4_covers_the_v1_config_files() {
        let f = files(&[("a.proto", "a")]);
        let plain = b4(&f, &[]);
        let with_yaml = b4(&f, &[("buf.yaml", b"version: v1\n")]);
        assert_ne!(plain, with_yaml);
        assert_eq!(plain.kind, DigestType::B4);
    }

    #[test]
    fn module_files_are_protos_license_and_one_doc_file() {
        let doc = doc_file(|n| n == "README.md" || n == "README.markdown");
        assert_eq!(doc, Some("README.md"));
        assert!(module_file("a/b.proto", doc));
        assert!(module_file("LICENSE", doc));
        assert!(module_file("README.md", doc));
        assert!(!module_file("README.markdown", doc));
        assert!(!module_file("a/LICENSE", doc));
        assert!(!module_file("buf.yaml", doc));
        assert_eq!(doc_file(|_| false), None);
    }
}

//! The summary index: for one input root (a directory on disk, or a git repository), each file's
//! stamp (size, modification and change times, inode; or git blob id) and content hash with its
//! summary ([`super::summary`]), kept in one cache entry so that a warm run stats the tree instead
//! of reading it. An entry whose stamp differs, or whose modification time was too close to the
//! time it was read to be trusted (a write in the same clock tick), is recomputed.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use prost::Message;
use prost_types::FileDescriptorProto;

use crate::cache::{content_hash, Cache, Key, KeyBuilder};
use crate::input::Pending;

use super::head::RpcWords;

const KIND: &str = "summaries";
/// Modification times this close to the read (or later) are not trusted.
const RACY_NANOS: i64 = 2_000_000_000;

/// The index's format (read and written by hand, [`decode_entries`] and [`Index::encode_to`];
/// the tests check both against prost's codec of these messages).
#[cfg_attr(not(test), allow(dead_code))]
#[derive(Clone, PartialEq, Message)]
struct IndexProto {
    #[prost(message, repeated, tag = "1")]
    entries: Vec<EntryProto>,
}

#[cfg_attr(not(test), allow(dead_code))]
#[derive(Clone, PartialEq, Message)]
struct EntryProto {
    #[prost(string, tag = "1")]
    path: String,
    /// The file's stamp: its encoding (see [`Stamp::bytes`]).
    #[prost(bytes = "vec", tag = "2")]
    stamp: Vec<u8>,
    #[prost(bytes = "vec", tag = "3")]
    content: Vec<u8>,
    /// The summary without its name; absent when the file cannot be parsed.
    #[prost(bytes = "vec", optional, tag = "4")]
    summary: Option<Vec<u8>>,
    #[prost(bool, tag = "5")]
    not_text: bool,
    /// The summary is only the file's head ([`super::head`]), with these RPC words.
    #[prost(bool, tag = "6")]
    head_only: bool,
    #[prost(string, repeated, tag = "7")]
    rpc_requests: Vec<String>,
    #[prost(string, repeated, tag = "8")]
    rpc_responses: Vec<String>,
    #[prost(string, repeated, tag = "9")]
    message_words: Vec<String>,
    /// Only the content hash is known ([`know_content`]).
    #[prost(bool, tag = "10")]
    content_only: bool,
}

/// The fields of an encoded summary ([`FileDescriptorProto`]) but its messages (tag 4), which
/// decoding skips without allocating (see [`Known::head`]). Summaries have no enums,
/// extensions or source info.
#[derive(Clone, PartialEq, Message)]
struct HeadProto {
    #[prost(string, optional, tag = "1")]
    name: Option<String>,
    #[prost(string, optional, tag = "2")]
    package: Option<String>,
    #[prost(string, repeated, tag = "3")]
    dependency: Vec<String>,
    #[prost(int32, repeated, packed = "false", tag = "10")]
    public_dependency: Vec<i32>,
    #[prost(int32, repeated, packed = "false", tag = "11")]
    weak_dependency: Vec<i32>,
    #[prost(message, repeated, tag = "6")]
    service: Vec<prost_types::ServiceDescriptorProto>,
    #[prost(message, optional, tag = "8")]
    options: Option<prost_types::FileOptions>,
    #[prost(string, optional, tag = "12")]
    syntax: Option<String>,
}

/// What identifies a file's content without reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stamp {
    Disk {
        size: u64,
        mtime_ns: i64,
        ctime_ns: i64,
        ino: u64,
    },
    Blob([u8; 20]),
    /// Not trustworthy: always recomputed.
    Racy,
}

impl Stamp {
    /// The stamp of an unread file (`None` if it cannot be stat'ed: the read will report why).
    pub fn of(pending: &Pending) -> Option<Stamp> {
        match pending {
            Pending::Blob(id) => Some(Stamp::Blob(*id)),
            Pending::Disk(path) => Stamp::of_path(path),
        }
    }

    pub fn of_path(path: &Path) -> Option<Stamp> {
        Stamp::of_metadata(&std::fs::metadata(path).ok()?)
    }

    /// The stamp of a file by its metadata (of an open file: one `fstat`, no path lookup).
    pub fn of_metadata(meta: &std::fs::Metadata) -> Option<Stamp> {
        #[cfg(unix)]
        let (ctime_ns, ino) = {
            use std::os::unix::fs::MetadataExt;
            (meta.ctime() * 1_000_000_000 + meta.ctime_nsec(), meta.ino())
        };
        #[cfg(not(unix))]
        let (ctime_ns, ino) = (0, 0);
        let mtime_ns = meta
            .modified()
            .ok()?
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as i64)
            .unwrap_or(-1);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as i64)
            .unwrap_or(0);
        if mtime_ns >= now - RACY_NANOS || ctime_ns >= now - RACY_NANOS {
            return Some(Stamp::Racy);
        }
        Some(Stamp::Disk {
            size: meta.len(),
            mtime_ns,
            ctime_ns,
            ino,
        })
    }

    fn bytes(&self) -> Vec<u8> {
        match self {
            Stamp::Disk {
                size,
                mtime_ns,
                ctime_ns,
                ino,
            } => {
                let mut out = Vec::with_capacity(33);
                out.push(b'd');
                out.extend_from_slice(&size.to_le_bytes());
                out.extend_from_slice(&mtime_ns.to_le_bytes());
                out.extend_from_slice(&ctime_ns.to_le_bytes());
                out.extend_from_slice(&ino.to_le_bytes());
                out
            }
            Stamp::Blob(id) => {
                let mut out = Vec::with_capacity(1 + id.len());
                out.push(b'b');
                out.extend_from_slice(id);
                out
            }
            Stamp::Racy => Vec::new(),
        }
    }
}

/// A file's content hash and summary, or only its head ([`Known::rpc_words`] is then set).
#[derive(Debug, Clone)]
pub struct Known {
    pub content: Key,
    summary: Arc<Lazy>,
    /// Not UTF-8, or has NUL bytes: reading the file reports the error.
    pub not_text: bool,
    /// Set when only the head is known ([`know_head`]): then the summary has only package,
    /// imports and syntax, and the file is not known to parse.
    head_only: Option<Arc<RpcWords>>,
    /// Set when only the content hash is known ([`know_content`]): no summary, no head, and
    /// nothing said of whether the file is text.
    content_only: bool,
}

/// A summary as stored (encoded) and as used (decoded on first use): a warm run that only needs
/// content hashes (an answer's fingerprint) decodes none of the 7,000 summaries it loads.
#[derive(Debug, Default)]
struct Lazy {
    encoded: Option<Bytes>,
    decoded: std::sync::OnceLock<Option<Arc<FileDescriptorProto>>>,
}

impl Lazy {
    /// A summary kept encoded, decoded on first use.
    fn encoded(bytes: Bytes) -> Lazy {
        Lazy {
            encoded: Some(bytes),
            decoded: std::sync::OnceLock::new(),
        }
    }

    /// A summary kept decoded (`None`: the file does not parse).
    fn decoded(summary: Option<Arc<FileDescriptorProto>>) -> Lazy {
        Lazy {
            encoded: None,
            decoded: std::sync::OnceLock::from(summary),
        }
    }
}

impl Known {
    /// Whether the whole summary is known (else only the head, see [`know_head`], or only the
    /// content, see [`know_content`]).
    pub fn is_full(&self) -> bool {
        self.head_only.is_none() && !self.content_only
    }

    /// Whether at least the head is known (not only the content hash, see [`know_content`]).
    pub fn has_head(&self) -> bool {
        !self.content_only
    }

    /// How much is known: 0 the content hash only, 1 the head, 2 the whole summary.
    fn level(&self) -> u8 {
        match (self.content_only, self.head_only.is_some()) {
            (true, _) => 0,
            (false, true) => 1,
            (false, false) => 2,
        }
    }

    /// Whether the file parses (as far as known: a head says it does).
    pub fn parses(&self) -> bool {
        match self.summary.decoded.get() {
            Some(decoded) => decoded.is_some(),
            None => self.summary.encoded.is_some(),
        }
    }

    /// The words of the file's RPCs when only its head is known ([`super::head::RpcWords`]).
    pub fn rpc_words(&self) -> Option<&RpcWords> {
        self.head_only.as_deref()
    }

    /// The file's summary (without its name), or `None` when the file cannot be parsed; when
    /// only the head is known ([`Known::is_full`] false), that head.
    pub fn summary(&self) -> Option<Arc<FileDescriptorProto>> {
        self.summary
            .decoded
            .get_or_init(|| {
                let bytes = self.summary.encoded.as_ref()?;
                FileDescriptorProto::decode(&bytes[..]).ok().map(Arc::new)
            })
            .clone()
    }

    /// The summary's head: everything but its messages (package, imports, services with their
    /// RPC types as written, file options, syntax), decoded without the message names that make
    /// up most of a summary; `None` when the file cannot be parsed. What a `--path` run reads of
    /// every other module file ([`super::rest_of_modules`]); the messages of the few files whose
    /// names can decide an RPC type are read with [`Known::summary`].
    pub fn head(&self) -> Option<FileDescriptorProto> {
        if let Some(decoded) = self.summary.decoded.get() {
            // Field by field: a clone of the whole summary would copy every message name.
            let FileDescriptorProto {
                name,
                package,
                dependency,
                public_dependency,
                weak_dependency,
                message_type: _,
                enum_type,
                service,
                extension,
                options,
                source_code_info,
                syntax,
            } = &**decoded.as_ref()?;
            return Some(FileDescriptorProto {
                name: name.clone(),
                package: package.clone(),
                dependency: dependency.clone(),
                public_dependency: public_dependency.clone(),
                weak_dependency: weak_dependency.clone(),
                message_type: Vec::new(),
                enum_type: enum_type.clone(),
                service: service.clone(),
                extension: extension.clone(),
                options: options.clone(),
                source_code_info: source_code_info.clone(),
                syntax: syntax.clone(),
            });
        }
        let bytes = self.summary.encoded.as_ref()?;
        let h = HeadProto::decode(&bytes[..]).ok()?;
        Some(FileDescriptorProto {
            name: h.name,
            package: h.package,
            dependency: h.dependency,
            public_dependency: h.public_dependency,
            weak_dependency: h.weak_dependency,
            service: h.service,
            options: h.options,
            syntax: h.syntax,
            ..FileDescriptorProto::default()
        })
    }

    /// The summary encoded, as the index stores it.
    #[cfg(test)]
    fn encoded_summary(&self) -> Option<Vec<u8>> {
        match &self.summary.encoded {
            Some(bytes) => Some(bytes.to_vec()),
            None => self.summary().map(|s| s.encode_to_vec()),
        }
    }
}

/// Index writes under way ([`Index::save`]).
static WRITES: std::sync::Mutex<Vec<std::thread::JoinHandle<()>>> =
    std::sync::Mutex::new(Vec::new());

/// Waits for the index writes under way: before an index is loaded (a process reads back what it
/// wrote) and before the process ends ([`crate::commands::main`]).
pub fn finish_writes() {
    let writes = match WRITES.lock() {
        Ok(mut writes) => std::mem::take(&mut *writes),
        Err(_) => return,
    };
    for handle in writes {
        let _ = handle.join();
    }
}

/// An index as stored, not decoded yet ([`Index::read`]).
pub struct Stored {
    key: Option<Key>,
    bytes: Option<Bytes>,
}

impl Stored {
    /// Whether there is an index to decode.
    pub fn exists(&self) -> bool {
        self.bytes.is_some()
    }
}

/// The index of one input root.
pub struct Index {
    key: Option<Key>,
    entries: foldhash::HashMap<String, (Bytes, Known)>,
    changed: bool,
}

impl Index {
    /// The index of the root identified by `root_identity` (from the cache, or empty; after the
    /// writes under way).
    #[cfg(test)]
    pub fn load(cache: Option<&Cache>, root_identity: &str) -> Index {
        Index::decode(Index::read(cache, root_identity))
    }

    /// The first half of [`Index::load`]: the stored bytes, checked, not decoded yet (a caller
    /// that knows there is an index to decode can stat the tree meanwhile).
    pub fn read(cache: Option<&Cache>, root_identity: &str) -> Stored {
        finish_writes();
        let key = cache.map(|_| KeyBuilder::new(KIND).str(root_identity).finish());
        let bytes = match (cache, key) {
            (Some(cache), Some(key)) => cache.get_shared(KIND, key),
            _ => None,
        };
        Stored { key, bytes }
    }

    /// The second half of [`Index::load`].
    pub fn decode(stored: Stored) -> Index {
        let _timing = crate::trace::phase("load summary index");
        let entries = stored
            .bytes
            .as_ref()
            .and_then(decode_entries)
            .unwrap_or_default();
        Index {
            key: stored.key,
            entries,
            changed: false,
        }
    }

    /// Whether the index has an entry for `path` (whatever its stamp).
    pub fn has(&self, path: &str) -> bool {
        self.entries.contains_key(path)
    }

    /// What is known about `path` if its stamp still matches.
    pub fn get(&self, path: &str, stamp: &Stamp) -> Option<&Known> {
        if *stamp == Stamp::Racy {
            return None;
        }
        let (stored, known) = self.entries.get(path)?;
        (stored[..] == stamp.bytes()[..]).then_some(known)
    }

    /// Records `text` (the content of `path`, whose stamp was taken before reading it).
    #[cfg(test)]
    pub fn insert(&mut self, path: &str, stamp: &Stamp, known: Known) {
        self.insert_owned(path.to_string(), stamp, known);
    }

    fn insert_owned(&mut self, path: String, stamp: &Stamp, known: Known) {
        let bytes = Bytes::from(stamp.bytes());
        if let Some((old, k)) = self.entries.get(&path) {
            if *old == bytes && k.content == known.content && k.level() >= known.level() {
                return;
            }
        }
        self.entries.insert(path, (bytes, known));
        self.changed = true;
    }

    /// Whether the index has no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Drops entries of files that are gone.
    pub fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        let before = self.entries.len();
        self.entries.retain(|p, _| keep(p));
        self.changed |= self.entries.len() != before;
    }

    /// Records `updates` ([`Index::insert`] of each: path, stamp taken before the file was read,
    /// what is known of it) and writes the index back if anything changed, on a thread of its
    /// own: the run goes on while the entries are built, encoded and written (a cold run of a
    /// 7,000-file tree records every file). [`finish_writes`] waits for it; loading an index does
    /// first.
    pub fn save_with(mut self, cache: Option<&Cache>, updates: Vec<(String, Stamp, Known)>) {
        let (Some(cache), Some(key)) = (cache, self.key) else {
            return;
        };
        if !self.changed && updates.is_empty() {
            return;
        }
        let cache = cache.clone();
        let exits_soon = super::short_lived();
        let write = move || {
            if self.entries.is_empty() && !updates.is_empty() {
                let mut updates = updates;
                write_first(&cache, key, &mut updates);
                if exits_soon {
                    std::mem::forget(updates);
                }
                return;
            }
            self.entries.reserve(updates.len());
            for (path, stamp, known) in updates {
                self.insert_owned(path, &stamp, known);
            }
            if self.changed {
                self.write(&cache, key);
            }
            if exits_soon {
                // A CLI run exits once its writes are done: freeing 7,000 entries one by one
                // would only delay it (a long-lived session frees them).
                std::mem::forget(self);
            }
        };
        // Without a thread the entry is not written: a cache entry is never needed.
        if let Ok(handle) = std::thread::Builder::new()
            .name("index write".into())
            .spawn(write)
        {
            if let Ok(mut writes) = WRITES.lock() {
                writes.push(handle);
            }
        }
    }

    fn write(&self, cache: &Cache, key: Key) {
        cache.put_streamed(KIND, key, |out| self.encode_to(out));
    }

    /// The index encoded whole ([`Index::encode_to`] into memory).
    #[cfg(test)]
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_to(&mut out).expect("writing to memory");
        out
    }

    /// Writes the index as an [`IndexProto`], entries in path order, encoded from the entries as
    /// they are (building the message would copy every path, word and summary first), one entry
    /// at a time.
    fn encode_to(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        // Sorted by reference: moving the entries themselves would copy each many times.
        let mut sorted: Vec<(&String, &(Bytes, Known))> = self.entries.iter().collect();
        sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
        encode_entries(
            sorted
                .into_iter()
                .map(|(path, (stamp, known))| (path.as_str(), &stamp[..], known)),
            out,
        )
    }
}

/// The first index of a tree (a cold run, [`Index::save_with`] on an empty index) written
/// straight from its updates: sorted by path (the last update of a path wins, as
/// [`Index::insert`] has it), with no map of the entries built first.
fn write_first(cache: &Cache, key: Key, updates: &mut [(String, Stamp, Known)]) {
    updates.sort_by(|a, b| a.0.cmp(&b.0));
    let last_of_each = updates
        .iter()
        .enumerate()
        .filter(|(i, (path, _, _))| updates.get(i + 1).is_none_or(|next| next.0 != *path));
    cache.put_streamed(KIND, key, |out| {
        encode_entries(
            last_of_each.map(|(_, (path, stamp, known))| (path.as_str(), stamp.bytes(), known)),
            out,
        )
    });
}

/// Encodes index entries (path, stamp bytes, what is known), in the order given, as
/// [`EntryProto`]s of an [`IndexProto`]; entries with no stamp (racy) are left out.
fn encode_entries<'a, S: AsRef<[u8]>>(
    entries: impl Iterator<Item = (&'a str, S, &'a Known)>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    use prost::encoding::{encode_key, encode_varint, WireType};
    fn field(tag: u32, bytes: &[u8], buf: &mut Vec<u8>) {
        encode_key(tag, WireType::LengthDelimited, buf);
        encode_varint(bytes.len() as u64, buf);
        buf.extend_from_slice(bytes);
    }
    fn flag(tag: u32, on: bool, buf: &mut Vec<u8>) {
        if on {
            encode_key(tag, WireType::Varint, buf);
            encode_varint(1, buf);
        }
    }
    let mut entry = Vec::new();
    let mut framed = Vec::new();
    let mut summary = Vec::new();
    for (path, stamp, known) in entries {
        let stamp = stamp.as_ref();
        if stamp.is_empty() {
            continue;
        }
        // The fields of an [`EntryProto`] in tag order, as prost writes them (empty singular
        // strings, bytes and false flags left out).
        entry.clear();
        if !path.is_empty() {
            field(1, path.as_bytes(), &mut entry);
        }
        field(2, stamp, &mut entry);
        field(3, &known.content.0.to_le_bytes(), &mut entry);
        match &known.summary.encoded {
            Some(bytes) => field(4, bytes, &mut entry),
            None => {
                if let Some(s) = known.summary() {
                    summary.clear();
                    s.encode_raw(&mut summary);
                    field(4, &summary, &mut entry);
                }
            }
        }
        flag(5, known.not_text, &mut entry);
        flag(6, known.head_only.is_some(), &mut entry);
        if let Some(words) = known.rpc_words() {
            for (tag, list) in [7, 8, 9].into_iter().zip(words.lists()) {
                // Words are short: a byte loop finds their ends faster than a search.
                if let Some(list) = list.strip_suffix(b"\n") {
                    for w in list.split(|&b| b == b'\n') {
                        field(tag, w, &mut entry);
                    }
                }
            }
        }
        flag(10, known.content_only, &mut entry);
        // The entry's own key and length, then the entry (as `field` frames it).
        framed.clear();
        encode_key(1, WireType::LengthDelimited, &mut framed);
        encode_varint(entry.len() as u64, &mut framed);
        out.write_all(&framed)?;
        out.write_all(&entry)?;
    }
    Ok(())
}

/// The entries of an encoded index ([`IndexProto`]), read in place: stamps and summaries stay
/// slices of `bytes`, and each file's RPC words are gathered straight into its [`RpcWords`] (prost
/// would allocate every path, stamp, summary and word, and a warm run loads all 7,000 entries to
/// use a few fields of each). `None` if the bytes are not a well-formed index: then it is a miss.
fn decode_entries(bytes: &Bytes) -> Option<foldhash::HashMap<String, (Bytes, Known)>> {
    use prost::encoding::{decode_key, decode_varint, WireType};
    /// The next field of `buf` at `*at`: its tag and, for a length-delimited field, its range
    /// in `buf` (a varint's value as an empty range's start).
    fn field(buf: &[u8], at: &mut usize) -> Option<(u32, WireType, Range<usize>)> {
        let mut rest = &buf[*at..];
        let (tag, wire) = decode_key(&mut rest).ok()?;
        let value = match wire {
            WireType::LengthDelimited => {
                let len = usize::try_from(decode_varint(&mut rest).ok()?).ok()?;
                let start = buf.len() - rest.len();
                let end = start.checked_add(len).filter(|&e| e <= buf.len())?;
                rest = &buf[end..];
                start..end
            }
            WireType::Varint => {
                let v = usize::try_from(decode_varint(&mut rest).ok()?).ok()?;
                v..v
            }
            WireType::SixtyFourBit => {
                rest = rest.get(8..)?;
                0..0
            }
            WireType::ThirtyTwoBit => {
                rest = rest.get(4..)?;
                0..0
            }
            _ => return None,
        };
        *at = buf.len() - rest.len();
        Some((tag, wire, value))
    }
    let text = |range: Range<usize>| simdutf8::basic::from_utf8(&bytes[range]).ok();
    let mut entries = foldhash::HashMap::default();
    let mut at = 0;
    let mut words: [Vec<&str>; 3] = Default::default();
    while at < bytes.len() {
        let (tag, wire, entry) = field(bytes, &mut at)?;
        if tag != 1 || wire != WireType::LengthDelimited {
            continue;
        }
        let (mut path, mut stamp, mut content, mut summary) = ("", Bytes::new(), None, None);
        let (mut not_text, mut head_only, mut content_only) = (false, false, false);
        words.iter_mut().for_each(Vec::clear);
        let mut at_field = entry.start;
        while at_field < entry.end {
            let (tag, wire, value) = field(&bytes[..entry.end], &mut at_field)?;
            let delimited = wire == WireType::LengthDelimited;
            match (tag, delimited) {
                (1, true) => path = text(value)?,
                (2, true) => stamp = bytes.slice(value),
                (3, true) => content = <[u8; 16]>::try_from(&bytes[value]).ok(),
                (4, true) => summary = Some(bytes.slice(value)),
                (5, false) => not_text = value.start != 0,
                (6, false) => head_only = value.start != 0,
                (7..=9, true) => words[tag as usize - 7].push(text(value)?),
                (10, false) => content_only = value.start != 0,
                (1..=10, _) => return None,
                _ => {}
            }
        }
        // An entry without a well-formed content hash is left out (as before: a miss).
        let Some(content) = content else { continue };
        let known = Known {
            content: Key(u128::from_le_bytes(content)),
            // Decoded on first use. The entry's checksum covers these bytes, written by this
            // version: a summary that does not decode would take a checksum collision.
            summary: Arc::new(summary.map_or_else(|| Lazy::decoded(None), Lazy::encoded)),
            not_text,
            content_only,
            head_only: (head_only && !content_only).then(|| {
                let [requests, responses, messages] = &words;
                Arc::new(RpcWords::new(
                    requests.iter().copied(),
                    responses.iter().copied(),
                    messages.iter().copied(),
                ))
            }),
        };
        entries.insert(path.to_string(), (stamp, known));
    }
    Some(entries)
}

/// `bytes` as source text: UTF-8 without NUL bytes.
fn as_text(bytes: &[u8]) -> Option<&str> {
    // simdutf8 checks valid UTF-8 (the same answer as `std::str::from_utf8`) several times faster
    // on the mostly ASCII text of `.proto` files: a cold run checks every file of the module.
    simdutf8::basic::from_utf8(bytes)
        .ok()
        .filter(|t| memchr::memchr(0, t.as_bytes()).is_none())
}

/// Summarizes `text` (of a file known by import path `name`, stored without it).
pub fn know(bytes: &[u8]) -> Known {
    know_whole(bytes, as_text(bytes), false)
}

/// Like [`know`], but the summary is kept decoded (for a caller that reads it whole at once).
pub fn know_decoded(bytes: &[u8]) -> Known {
    know_whole(bytes, as_text(bytes), true)
}

/// The whole summary of `bytes` (`text`, if they are text), kept decoded or encoded.
fn know_whole(bytes: &[u8], text: Option<&str>, decoded: bool) -> Known {
    let summary = text
        .and_then(|t| super::summary::summarize("", t))
        .map(|mut s| {
            s.name = None;
            s
        });
    // Kept encoded unless asked (a tenth of the decoded size): a cold run knows every file of the
    // input, and most of them are only asked for their head ([`Known::head`]).
    let summary = match summary {
        Some(s) if !decoded => Lazy::encoded(Bytes::from(s.encode_to_vec())),
        s => Lazy::decoded(s.map(Arc::new)),
    };
    Known {
        content: content_hash(bytes),
        summary: Arc::new(summary),
        not_text: text.is_none(),
        head_only: None,
        content_only: false,
    }
}

/// Only the content hash of a file (`content`, its [`content_hash`]): what an answer's
/// fingerprint needs of a file outside every module, which nothing else reads.
pub fn know_content(content: Key) -> Known {
    Known {
        content,
        summary: Arc::new(Lazy::decoded(None)),
        not_text: false,
        head_only: None,
        content_only: true,
    }
}

/// Like [`know`], but only the head ([`super::head::head`]) when that is exact: most files of a
/// module are only asked for their package and imports.
pub fn know_head(bytes: &[u8]) -> Known {
    let text = as_text(bytes);
    let Some(head) = text.and_then(super::head::head) else {
        return know_whole(bytes, text, false);
    };
    Known {
        content: content_hash(bytes),
        summary: Arc::new(Lazy::decoded(Some(Arc::new(head.summary)))),
        not_text: false,
        head_only: Some(Arc::new(head.rpcs)),
        content_only: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The index as prost encodes it from [`EntryProto`]s (what [`Index::encode`] writes
    /// without building them).
    fn encoded_by_prost(index: &Index) -> Vec<u8> {
        let mut entries: Vec<EntryProto> = index
            .entries
            .iter()
            .filter(|(_, (stamp, _))| !stamp.is_empty())
            .map(|(path, (stamp, known))| EntryProto {
                path: path.clone(),
                stamp: stamp.to_vec(),
                content: known.content.0.to_le_bytes().to_vec(),
                summary: known.encoded_summary(),
                not_text: known.not_text,
                head_only: known.rpc_words().is_some(),
                rpc_requests: known
                    .rpc_words()
                    .map(|w| w.requests().map(str::to_string).collect())
                    .unwrap_or_default(),
                rpc_responses: known
                    .rpc_words()
                    .map(|w| w.responses().map(str::to_string).collect())
                    .unwrap_or_default(),
                message_words: known
                    .rpc_words()
                    .map(|w| w.messages().map(str::to_string).collect())
                    .unwrap_or_default(),
                content_only: !known.has_head(),
            })
            .collect();
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        IndexProto { entries }.encode_to_vec()
    }

    #[test]
    fn an_index_is_encoded_as_prost_encodes_its_entries() {
        let mut index = Index::load(None, "dir\0/x");
        let stamp = |n: u64| Stamp::Disk {
            size: n,
            mtime_ns: 1,
            ctime_ns: 2,
            ino: n,
        };
        let texts: [&[u8]; 7] = [
            b"package p;\nimport \"a.proto\";\nmessage M {}\nservice S { rpc A(M) returns (M); }\n",
            b"package p;\nmessage X { message Y {} }\nservice S { rpc A(a.M) returns (stream b.N);\n\
              rpc B(C) returns (D) {} }\nmessage Z {}\n",
            b"syntax = \"proto3\";\npackage q.r;\noption go_package = \"x\";\nmessage N { message O {} }\n",
            b"package p;\nmessage M {}\nimport \"late.proto\";\n",
            b"message { not a file",
            b"\xff\xfe not text",
            b"",
        ];
        for (i, text) in texts.iter().enumerate() {
            index.insert(&format!("{i}.proto"), &stamp(i as u64), know_head(text));
            index.insert(&format!("full/{i}.proto"), &stamp(i as u64), know(text));
        }
        index.insert("racy.proto", &Stamp::Racy, know(b"package p;"));
        let encoded = index.encode();
        assert_eq!(encoded, encoded_by_prost(&index));
        assert_eq!(
            IndexProto::decode(encoded.as_slice())
                .unwrap()
                .entries
                .len(),
            14
        );
    }

    /// The hand-written decoder reads what prost's codec reads: every entry with its stamp,
    /// content hash, flags, summary and RPC words; and bytes cut short or altered anywhere give
    /// `None` or some entries, never a panic.
    #[test]
    fn an_index_is_decoded_as_prost_decodes_it() {
        let mut index = Index::load(None, "dir\0/x");
        let texts: [&[u8]; 5] = [
            b"package p;\nimport \"a.proto\";\nmessage M {}\nservice S { rpc A(M) returns (M); }\n",
            b"syntax = \"proto3\";\npackage q.r;\noption go_package = \"x\";\nmessage N { message O {} }\n",
            b"message { not a file",
            b"\xff\xfe not text",
            b"",
        ];
        for (i, text) in texts.iter().enumerate() {
            let stamp = Stamp::Disk {
                size: i as u64,
                mtime_ns: 1,
                ctime_ns: 2,
                ino: 3,
            };
            index.insert(&format!("{i}.proto"), &stamp, know_head(text));
            index.insert(
                &format!("full/{i}.proto"),
                &Stamp::Blob([i as u8; 20]),
                know(text),
            );
            index.insert(
                &format!("content/{i}.proto"),
                &stamp,
                know_content(content_hash(text)),
            );
        }
        let encoded = Bytes::from(index.encode());
        let by_prost = IndexProto::decode(&encoded[..]).unwrap();
        let decoded = decode_entries(&encoded).unwrap();
        assert_eq!(decoded.len(), by_prost.entries.len());
        for e in &by_prost.entries {
            let (stamp, known) = &decoded[&e.path];
            assert_eq!(stamp[..], e.stamp[..]);
            assert_eq!(known.content.0.to_le_bytes()[..], e.content[..]);
            assert_eq!(known.encoded_summary(), e.summary);
            assert_eq!(known.not_text, e.not_text);
            assert_eq!(known.rpc_words().is_some(), e.head_only);
            assert_eq!(!known.has_head(), e.content_only);
            assert_eq!(known.level(), index.entries[&e.path].1.level());
            let words = |list: Option<Vec<String>>| list.unwrap_or_default();
            let w = known.rpc_words();
            assert_eq!(
                words(w.map(|w| w.requests().map(String::from).collect())),
                e.rpc_requests
            );
            assert_eq!(
                words(w.map(|w| w.responses().map(String::from).collect())),
                e.rpc_responses
            );
            assert_eq!(
                words(w.map(|w| w.messages().map(String::from).collect())),
                e.message_words
            );
            // What the index had of each file is what the file gives now.
            let original = &index.entries[&e.path].1;
            assert_eq!(known.summary(), original.summary());
            assert_eq!(known.head(), original.head());
        }
        for cut in 0..encoded.len() {
            let _ = decode_entries(&encoded.slice(..cut));
            let mut altered = encoded.to_vec();
            altered[cut] ^= 0x80;
            let _ = decode_entries(&Bytes::from(altered));
        }
        assert!(decode_entries(&Bytes::from_static(&[0x0a, 0x05, 0x0a])).is_none());
    }

    /// A summary kept decoded is the one kept encoded, and is indexed the same.
    #[test]
    fn a_summary_kept_decoded_is_the_encoded_one() {
        let texts: [&[u8]; 4] = [
            b"package p;\nimport \"a.proto\";\nmessage M { message N {} }\nservice S { rpc A(M) returns (M.N); }\n",
            b"message { not a file",
            b"\xff\xfe not text",
            b"",
        ];
        for text in texts {
            let (encoded, decoded) = (know(text), know_decoded(text));
            assert!(decoded.summary.encoded.is_none());
            assert_eq!(encoded.summary(), decoded.summary());
            assert_eq!(encoded.content, decoded.content);
            assert_eq!(encoded.not_text, decoded.not_text);
            assert!(decoded.is_full());
            assert_eq!(encoded.encoded_summary(), decoded.encoded_summary());
        }
        assert!(know_decoded(texts[0]).summary().is_some());
    }

    /// A first index written straight from its updates (out of order, a path updated twice, a
    /// racy stamp) is the index those updates make when inserted one by one.
    #[test]
    fn a_first_index_is_written_as_inserting_its_updates_makes_it() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::at(dir.path().to_path_buf());
        let stamp = |n: u64| Stamp::Disk {
            size: n,
            mtime_ns: 1,
            ctime_ns: 2,
            ino: n,
        };
        let updates = vec![
            (
                "b.proto".to_string(),
                stamp(1),
                know_head(b"package b;\nmessage B {}\n"),
            ),
            ("a.proto".to_string(), stamp(2), know(b"package a;\n")),
            ("c.proto".to_string(), Stamp::Racy, know(b"package c;\n")),
            (
                "a.proto".to_string(),
                stamp(3),
                know_head(b"package a2;\nmessage A {}\n"),
            ),
            ("\u{e9}.proto".to_string(), stamp(4), know(b"\xff not text")),
        ];
        let mut inserted = Index::load(None, "dir\0/x");
        for (path, stamp, known) in &updates {
            inserted.insert(path, stamp, known.clone());
        }
        let key = KeyBuilder::new(KIND).str("dir\0/x").finish();
        write_first(&cache, key, &mut updates.clone());
        let written = cache.get_shared(KIND, key).expect("written");
        assert_eq!(&written[..], &inserted.encode()[..]);
        // And loaded back, the last update of a path is its entry.
        let back = Index::load(Some(&cache), "dir\0/x");
        assert_eq!(
            back.get("a.proto", &stamp(3)).map(|k| k.content),
            Some(updates[3].2.content)
        );
        assert!(back.get("a.proto", &stamp(2)).is_none());
        assert!(!back.has("c.proto"));
    }

    #[test]
    fn an_index_saved_in_the_background_is_loaded_back() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::at(dir.path().to_path_buf());
        let stamp = Stamp::Disk {
            size: 3,
            mtime_ns: 1,
            ctime_ns: 2,
            ino: 4,
        };
        let mut index = Index::load(Some(&cache), "dir\0/x");
        assert!(index.get("a.proto", &stamp).is_none());
        let known = know_head(b"package p;\nmessage M {}\n");
        index.insert("a.proto", &stamp, known.clone());
        // An update given to the save is recorded on the writing thread.
        let other = know(b"package q;\n");
        index.save_with(
            Some(&cache),
            vec![("b.proto".to_string(), stamp.clone(), other.clone())],
        );
        // Loading waits for the write under way.
        let index = Index::load(Some(&cache), "dir\0/x");
        let back = index
            .get("a.proto", &stamp)
            .expect("written before the load");
        assert_eq!(back.content, known.content);
        assert_eq!(back.rpc_words(), known.rpc_words());
        assert!(index.get("a.proto", &Stamp::Racy).is_none());
        let back = index.get("b.proto", &stamp).expect("recorded by the save");
        assert_eq!(back.content, other.content);
        assert_eq!(back.summary(), other.summary());
        assert!(back.is_full());
        // Saving nothing new writes nothing (a fresh load still has both entries).
        index.save_with(Some(&cache), Vec::new());
        let index = Index::load(Some(&cache), "dir\0/x");
        assert!(index.has("a.proto") && index.has("b.proto"));
    }

    /// An index keeps the most it was told of a file's content: what is known of a file only by
    /// its content hash does not replace its head or summary, and the head replaces the hash.
    #[test]
    fn an_index_keeps_the_most_known_of_a_content() {
        let text: &[u8] = b"package p;\nmessage M {}\nservice S { rpc A(M) returns (M); }\n";
        let stamp = Stamp::Blob([7; 20]);
        let hash_only = know_content(content_hash(text));
        assert!(!hash_only.has_head() && !hash_only.is_full() && hash_only.rpc_words().is_none());
        assert_eq!(hash_only.content, know_head(text).content);
        let mut index = Index::load(None, "dir\0/x");
        index.insert("a.proto", &stamp, know_head(text));
        index.insert("a.proto", &stamp, hash_only.clone());
        assert!(index.get("a.proto", &stamp).unwrap().has_head());
        let mut index = Index::load(None, "dir\0/x");
        index.insert("a.proto", &stamp, hash_only.clone());
        assert!(!index.get("a.proto", &stamp).unwrap().has_head());
        index.insert("a.proto", &stamp, know_head(text));
        let known = index.get("a.proto", &stamp).unwrap();
        assert!(known.has_head() && known.rpc_words().is_some());
        index.insert("a.proto", &stamp, know(text));
        assert!(index.get("a.proto", &stamp).unwrap().is_full());
        // Written and read back, a hash-only entry is still only a hash.
        index.insert("b.proto", &stamp, hash_only);
        let decoded = decode_entries(&Bytes::from(index.encode())).unwrap();
        let (_, b) = &decoded["b.proto"];
        assert!(!b.has_head() && b.summary().is_none() && b.rpc_words().is_none());
        assert_eq!(b.content, content_hash(text));
        assert!(decoded["a.proto"].1.is_full());
    }
}

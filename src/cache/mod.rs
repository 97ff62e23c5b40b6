//! The persistent cache under the engine ([`crate::engine`]): a directory of self-checking entries
//! that separate protoforge processes (pre-commit hooks, CI jobs, editor saves) share.
//!
//! - **Where**: `$PROTOFORGE_CACHE_DIR`, else `$XDG_CACHE_HOME/protoforge`, else
//!   `~/.cache/protoforge`; never inside the user's repository unless they point it there.
//!   `--no-cache` (or `PROTOFORGE_NO_CACHE=1`) turns it off.
//! - **Layout**: `v2/<kind>/<2 hex>/<30 hex>` (`v<FORMAT_VERSION>`): one file per entry, named by a 128-bit key the
//!   caller derives from everything the value depends on (contents, config, protoforge's version).
//! - **Never a wrong answer**: every entry starts with a header (magic, format version, protoforge's
//!   version, the key itself, payload length, xxh3 checksum of the payload). A missing, truncated,
//!   corrupted or foreign-version entry is a miss; the caller recomputes and writes it again.
//! - **Concurrency**: entries are written to a temporary file in the same directory and renamed into
//!   place (atomic on POSIX): readers see a whole old entry, a whole new one, or none. No lock is held;
//!   two processes writing the same key write equivalent values.
//! - **Bounded**: reading an entry refreshes its modification time; after writes, at most once a
//!   minute, the least recently used entries are deleted until the cache is under 80% of its limit
//!   ([`DEFAULT_MAX_BYTES`], or `PROTOFORGE_CACHE_MAX_SIZE` in bytes with an optional K/M/G suffix).
//!
//! Nothing but the engine uses this module.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use xxhash_rust::xxh3::{xxh3_128, xxh3_64, Xxh3};

/// Bumped whenever the layout or any entry's encoding changes.
pub const FORMAT_VERSION: u32 = 2;
/// The size the cache is kept under unless `PROTOFORGE_CACHE_MAX_SIZE` says otherwise: 1 GiB.
pub const DEFAULT_MAX_BYTES: u64 = 1 << 30;
const MAGIC: &[u8; 4] = b"PFC\x01";
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Which build of protoforge is running: the size and modification time of its executable. Two
/// builds with the same version number (a developer's rebuild, a patched package) can answer
/// differently, so entries written by one are never read by the other.
fn build_stamp() -> &'static str {
    static STAMP: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    STAMP.get_or_init(|| {
        let meta = std::env::current_exe().and_then(std::fs::metadata);
        match meta {
            Ok(m) => {
                let modified = m
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                format!("{}:{modified}", m.len())
            }
            Err(_) => String::new(),
        }
    })
}

/// A 128-bit cache key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Key(pub u128);

impl Key {
    pub fn hex(self) -> String {
        format!("{:032x}", self.0)
    }
}

/// Builds a [`Key`] from the parts a value depends on. Each part is length-prefixed, so
/// `("ab", "c")` and `("a", "bc")` differ. protoforge's version, the format version and the running build are mixed in.
pub struct KeyBuilder(Xxh3);

impl KeyBuilder {
    pub fn new(kind: &str) -> Self {
        let mut b = KeyBuilder(Xxh3::new());
        b.str(VERSION)
            .u64(FORMAT_VERSION as u64)
            .str(build_stamp())
            .str(kind);
        b
    }
    pub fn bytes(&mut self, bytes: &[u8]) -> &mut Self {
        self.0.update(&(bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }
    pub fn str(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.0.update(&v.to_le_bytes());
        self
    }
    pub fn key(&mut self, k: Key) -> &mut Self {
        self.0.update(&k.0.to_le_bytes());
        self
    }
    pub fn finish(&self) -> Key {
        Key(self.0.digest128())
    }
}

/// The content hash of a file's bytes.
pub fn content_hash(bytes: &[u8]) -> Key {
    Key(xxh3_128(bytes))
}

/// [`content_hash`] of bytes given piece by piece (a file hashed as it is read, never whole in
/// memory): the same key as the bytes hashed at once.
pub struct ContentHasher(Xxh3);

impl ContentHasher {
    pub fn new() -> Self {
        ContentHasher(Xxh3::new())
    }

    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    pub fn finish(&self) -> Key {
        Key(self.0.digest128())
    }
}

impl Default for ContentHasher {
    fn default() -> Self {
        Self::new()
    }
}

/// An open cache directory.
#[derive(Debug, Clone)]
pub struct Cache {
    root: PathBuf,
    max_bytes: u64,
}

/// What `protoforge cache info` prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Info {
    pub location: PathBuf,
    pub entries: u64,
    pub bytes: u64,
    pub max_bytes: u64,
}

impl Cache {
    /// The cache at its configured location, or `None` when it is turned off (`no_cache`,
    /// `PROTOFORGE_NO_CACHE`) or no location can be found (no home directory).
    pub fn open(no_cache: bool) -> Option<Cache> {
        if no_cache || env_flag("PROTOFORGE_NO_CACHE") {
            return None;
        }
        Some(Cache::at(location()?))
    }

    /// The cache rooted at `dir` (created on first write).
    pub fn at(dir: PathBuf) -> Cache {
        Cache {
            root: dir,
            max_bytes: max_bytes(),
        }
    }

    pub fn location(&self) -> &Path {
        &self.root
    }

    fn entries_dir(&self) -> PathBuf {
        self.root.join(format!("v{FORMAT_VERSION}"))
    }

    fn path(&self, kind: &str, key: Key) -> PathBuf {
        let hex = key.hex();
        self.entries_dir()
            .join(kind)
            .join(&hex[..2])
            .join(&hex[2..])
    }

    /// The payload stored under `key`, if a whole, intact entry of this version is there.
    pub fn get(&self, kind: &str, key: Key) -> Option<Vec<u8>> {
        let path = self.path(kind, key);
        let mut bytes = fs::read(&path).ok()?;
        let start = {
            let payload = decode_entry(&bytes, key)?;
            bytes.len() - payload.len()
        };
        touch(&path);
        // The payload moved to the front in place (no second buffer for a large entry).
        bytes.drain(..start);
        Some(bytes)
    }

    /// [`Cache::get`] as shared bytes: the payload is not moved, and a message decoded from it
    /// keeps its `bytes::Bytes` fields as slices of it (no copy of a large entry).
    pub fn get_shared(&self, kind: &str, key: Key) -> Option<bytes::Bytes> {
        let path = self.path(kind, key);
        let bytes = fs::read(&path).ok()?;
        let start = bytes.len() - decode_entry(&bytes, key)?.len();
        touch(&path);
        Some(bytes::Bytes::from(bytes).slice(start..))
    }

    /// Stores under `key` the payload that `write` produces piece by piece, straight into the
    /// entry's file (no buffer of the whole payload: a 7,000-file summary index is megabytes). The
    /// header goes in last, over a placeholder of its length, once the payload's length and
    /// checksum are known; readers never see the file before it is renamed into place whole.
    /// Every write of an entry comes through here ([`Cache::put`], [`Cache::put_parts`]).
    pub fn put_streamed(
        &self,
        kind: &str,
        key: Key,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) {
        use std::io::{Seek, SeekFrom};
        let path = self.path(kind, key);
        let Some(dir) = path.parent() else {
            return;
        };
        if fs::create_dir_all(dir).is_err() {
            return;
        }
        let Ok(mut tmp) = tempfile::NamedTempFile::new_in(dir) else {
            return;
        };
        let placeholder = header(key, 0, 0);
        if tmp.write_all(&placeholder).is_err() {
            return;
        }
        // Summed as buffered (in large writes), after the placeholder header.
        let mut out = std::io::BufWriter::with_capacity(
            1 << 16,
            Summing {
                out: tmp,
                sum: Xxh3::new(),
                len: 0,
            },
        );
        if write(&mut out).is_err() {
            return;
        }
        let Ok(Summing {
            out: mut tmp,
            sum,
            len,
        }) = out.into_inner()
        else {
            return;
        };
        let sum = sum.digest();
        let header = header(key, len, sum);
        debug_assert_eq!(header.len(), placeholder.len());
        if tmp.seek(SeekFrom::Start(0)).is_err()
            || tmp.write_all(&header).is_err()
            || tmp.persist(&path).is_err()
        {
            return;
        }
        self.evict_now_and_then();
    }

    /// [`Cache::put`] of a payload given in parts, written one after the other (no whole copy).
    pub fn put_parts(&self, kind: &str, key: Key, parts: &[&[u8]]) {
        self.put_streamed(kind, key, |out| {
            parts.iter().try_for_each(|part| out.write_all(part))
        });
    }

    /// Stores `payload` under `key`. Failures (read-only disk, full disk) are ignored: the cache is
    /// an optimisation, the answer does not depend on it.
    pub fn put(&self, kind: &str, key: Key, payload: &[u8]) {
        self.put_streamed(kind, key, |out| out.write_all(payload));
    }

    /// Size and location.
    pub fn info(&self) -> Info {
        let mut entries = 0;
        let mut bytes = 0;
        for (_, size, _) in walk_entries(&self.root) {
            entries += 1;
            bytes += size;
        }
        Info {
            location: self.root.clone(),
            entries,
            bytes,
            max_bytes: self.max_bytes,
        }
    }

    /// Deletes every entry (of every format version); returns how many bytes were freed.
    pub fn clean(&self) -> std::io::Result<u64> {
        let freed = walk_entries(&self.root).map(|(_, s, _)| s).sum();
        let Ok(dirs) = fs::read_dir(&self.root) else {
            return Ok(0);
        };
        for entry in dirs.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            // Only what protoforge writes: version directories and the eviction marker.
            if is_version_dir(&name) {
                fs::remove_dir_all(entry.path())?;
            } else if name == GC_MARKER {
                fs::remove_file(entry.path())?;
            }
        }
        Ok(freed)
    }

    /// Runs [`Cache::evict`] if the last run is more than a minute old.
    fn evict_now_and_then(&self) {
        let marker = self.root.join(GC_MARKER);
        let recent = fs::metadata(&marker)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .is_some_and(|age| age < Duration::from_secs(60));
        if recent {
            return;
        }
        let _ = fs::write(&marker, b"");
        self.evict();
    }

    /// Deletes the least recently used entries until the cache is under 80% of its limit.
    pub fn evict(&self) {
        let mut all: Vec<(PathBuf, u64, SystemTime)> = walk_entries(&self.root).collect();
        let total: u64 = all.iter().map(|e| e.1).sum();
        if total <= self.max_bytes {
            return;
        }
        all.sort_by_key(|e| e.2);
        let goal = self.max_bytes / 10 * 8;
        let mut left = total;
        for (path, size, _) in all {
            if left <= goal {
                break;
            }
            if fs::remove_file(&path).is_ok() {
                left -= size;
            }
        }
    }
}

const GC_MARKER: &str = "last-eviction";

fn is_version_dir(name: &str) -> bool {
    name.strip_prefix('v')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Every entry file under the cache root: path, size, last use.
fn walk_entries(root: &Path) -> impl Iterator<Item = (PathBuf, u64, SystemTime)> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| is_version_dir(&e.file_name().to_string_lossy()))
        .map(|e| e.path())
        .collect();
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
            let Ok(meta) = entry.metadata() else {
                continue;
            };
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                let used = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
                out.push((entry.path(), meta.len(), used));
            }
        }
    }
    out.into_iter()
}

/// Marks an entry as used (its modification time is its last use) when it was last marked more
/// than an hour ago: most reads cost no write.
fn touch(path: &Path) {
    let stale = fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .is_some_and(|age| age > Duration::from_secs(3600));
    if stale {
        if let Ok(f) = fs::File::options().append(true).open(path) {
            let _ = f.set_modified(SystemTime::now());
        }
    }
}

/// A writer that passes bytes on and keeps their length and xxh3-64 ([`Cache::put_streamed`]).
struct Summing<W> {
    out: W,
    sum: Xxh3,
    len: u64,
}

impl<W: Write> Write for Summing<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(bytes)?;
        self.sum.update(&bytes[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// An entry's header for a payload of `len` bytes whose xxh3-64 is `sum`.
fn header(key: Key, len: u64, sum: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.push(VERSION.len() as u8);
    out.extend_from_slice(VERSION.as_bytes());
    out.extend_from_slice(&key.0.to_le_bytes());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

/// The payload of an entry, if it is whole, of this format and version, for this key.
fn decode_entry(bytes: &[u8], key: Key) -> Option<&[u8]> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let (format, rest) = rest.split_at_checked(4)?;
    if format != FORMAT_VERSION.to_le_bytes() {
        return None;
    }
    let (&len, rest) = rest.split_first()?;
    let (version, rest) = rest.split_at_checked(len as usize)?;
    if version != VERSION.as_bytes() {
        return None;
    }
    let (stored_key, rest) = rest.split_at_checked(16)?;
    if stored_key != key.0.to_le_bytes() {
        return None;
    }
    let (len, rest) = rest.split_at_checked(8)?;
    let (sum, payload) = rest.split_at_checked(8)?;
    let len = u64::from_le_bytes(len.try_into().ok()?);
    if payload.len() as u64 != len || xxh3_64(payload).to_le_bytes() != sum {
        return None;
    }
    Some(payload)
}

fn env_flag(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0")
}

/// `$PROTOFORGE_CACHE_DIR`, else `$XDG_CACHE_HOME/protoforge`, else `$HOME/.cache/protoforge`.
pub fn location() -> Option<PathBuf> {
    let non_empty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = non_empty("PROTOFORGE_CACHE_DIR") {
        return Some(PathBuf::from(dir));
    }
    if let Some(xdg) = non_empty("XDG_CACHE_HOME").map(PathBuf::from) {
        if xdg.is_absolute() {
            return Some(xdg.join("protoforge"));
        }
    }
    let home = non_empty("HOME").map(PathBuf::from)?;
    Some(home.join(".cache").join("protoforge"))
}

/// `PROTOFORGE_CACHE_MAX_SIZE` (`500M`, `2G`, `1048576`), else [`DEFAULT_MAX_BYTES`].
fn max_bytes() -> u64 {
    std::env::var("PROTOFORGE_CACHE_MAX_SIZE")
        .ok()
        .and_then(|v| parse_size(&v))
        .unwrap_or(DEFAULT_MAX_BYTES)
}

fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let (digits, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => t.split_at(i),
        None => (t, ""),
    };
    let n: u64 = digits.parse().ok()?;
    let mult = match unit
        .trim()
        .to_ascii_uppercase()
        .trim_end_matches(['B', 'I'])
    {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        _ => return None,
    };
    n.checked_mul(mult)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_content_hashed_in_pieces_has_the_key_of_the_whole() {
        let bytes: Vec<u8> = (0..700_000u32).map(|i| (i * 7 % 251) as u8).collect();
        for len in [0, 1, 16, 128, 240, 241, 1024, 65_536, 262_144, 700_000] {
            let whole = &bytes[..len];
            for piece in [1, 64, 1000, 262_144] {
                let mut hasher = ContentHasher::new();
                for chunk in whole.chunks(piece) {
                    hasher.update(chunk);
                }
                assert_eq!(
                    hasher.finish(),
                    content_hash(whole),
                    "len {len}, piece {piece}"
                );
            }
        }
    }

    fn cache() -> (tempfile::TempDir, Cache) {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = Cache::at(dir.path().to_path_buf());
        (dir, cache)
    }

    #[test]
    fn round_trip_and_misses() {
        let (_dir, cache) = cache();
        let key = KeyBuilder::new("t").str("a").finish();
        assert_eq!(cache.get("t", key), None);
        cache.put("t", key, b"hello");
        assert_eq!(cache.get("t", key).as_deref(), Some(&b"hello"[..]));
        let other = KeyBuilder::new("t").str("b").finish();
        assert_eq!(cache.get("t", other), None);
    }

    #[test]
    fn an_entry_streamed_is_the_entry_put_whole() {
        let (_dir, cache) = cache();
        let key = KeyBuilder::new("t").str("s").finish();
        cache.put_streamed("t", key, |w| {
            w.write_all(b"hel")?;
            w.write_all(b"")?;
            w.write_all(b"lo world")
        });
        let streamed = fs::read(cache.path("t", key)).unwrap();
        assert_eq!(cache.get("t", key).as_deref(), Some(&b"hello world"[..]));
        cache.put("t", key, b"hello world");
        assert_eq!(fs::read(cache.path("t", key)).unwrap(), streamed);
        // A payload that fails half-way leaves the entry as it was, and no temporary file.
        let other = KeyBuilder::new("t").str("failed").finish();
        cache.put_streamed("t", other, |w| {
            w.write_all(b"half")?;
            Err(std::io::Error::other("stopped"))
        });
        assert_eq!(cache.get("t", other), None);
        let dir = cache.path("t", other);
        let leftovers = fs::read_dir(dir.parent().unwrap())
            .unwrap()
            .filter(|e| {
                let name = e.as_ref().unwrap().file_name();
                name.to_string_lossy().starts_with(".tmp")
            })
            .count();
        assert_eq!(leftovers, 0);
    }

    #[test]
    fn an_entry_put_in_parts_is_the_entry_of_their_concatenation() {
        let (_dir, cache) = cache();
        let key = KeyBuilder::new("t").str("a").finish();
        cache.put_parts("t", key, &[b"hel", b"", b"lo world"]);
        let parts_entry = fs::read(cache.path("t", key)).unwrap();
        assert_eq!(cache.get("t", key).as_deref(), Some(&b"hello world"[..]));
        assert_eq!(
            cache.get_shared("t", key).as_deref(),
            Some(&b"hello world"[..])
        );
        cache.put("t", key, b"hello world");
        assert_eq!(fs::read(cache.path("t", key)).unwrap(), parts_entry);
        // A damaged entry is a miss for the shared read too.
        let path = cache.path("t", key);
        fs::write(&path, &parts_entry[..parts_entry.len() - 1]).unwrap();
        assert_eq!(cache.get_shared("t", key), None);
        let mut flipped = parts_entry.clone();
        *flipped.last_mut().unwrap() ^= 1;
        fs::write(&path, &flipped).unwrap();
        assert_eq!(cache.get_shared("t", key), None);
    }

    #[test]
    fn damaged_entries_are_misses() {
        let (_dir, cache) = cache();
        let key = KeyBuilder::new("t").str("a").finish();
        cache.put("t", key, b"hello world");
        let path = cache.path("t", key);
        let whole = fs::read(&path).unwrap();
        // Truncated.
        fs::write(&path, &whole[..whole.len() - 3]).unwrap();
        assert_eq!(cache.get("t", key), None);
        // A flipped payload byte.
        let mut flipped = whole.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        fs::write(&path, &flipped).unwrap();
        assert_eq!(cache.get("t", key), None);
        // Another protoforge version wrote it.
        let mut foreign = whole.clone();
        foreign[9] ^= 0x20;
        fs::write(&path, &foreign).unwrap();
        assert_eq!(cache.get("t", key), None);
        // Garbage and empty files.
        fs::write(&path, b"not an entry").unwrap();
        assert_eq!(cache.get("t", key), None);
        fs::write(&path, b"").unwrap();
        assert_eq!(cache.get("t", key), None);
        // Another key's entry renamed into place.
        let other = KeyBuilder::new("t").str("b").finish();
        cache.put("t", other, b"hello world");
        fs::copy(cache.path("t", other), &path).unwrap();
        assert_eq!(cache.get("t", key), None);
    }

    #[test]
    fn keys_separate_their_parts() {
        let a = KeyBuilder::new("t").str("ab").str("c").finish();
        let b = KeyBuilder::new("t").str("a").str("bc").finish();
        assert_ne!(a, b);
        assert_ne!(
            KeyBuilder::new("x").str("a").finish(),
            KeyBuilder::new("y").str("a").finish()
        );
    }

    #[test]
    fn eviction_keeps_the_recently_used() {
        let (_dir, mut cache) = cache();
        cache.max_bytes = 10_000;
        let payload = vec![7u8; 3000];
        let keys: Vec<Key> = (0..6)
            .map(|i| KeyBuilder::new("t").u64(i).finish())
            .collect();
        for (i, k) in keys.iter().enumerate() {
            cache.put("t", *k, &payload);
            let when = SystemTime::now() - Duration::from_secs(1000 - i as u64 * 10);
            let f = fs::File::options()
                .append(true)
                .open(cache.path("t", *k))
                .unwrap();
            f.set_modified(when).unwrap();
        }
        cache.evict();
        let info = cache.info();
        assert!(info.bytes <= 8_000, "{info:?}");
        // The newest entries survive, the oldest are gone.
        assert!(cache.get("t", keys[5]).is_some());
        assert!(cache.get("t", keys[0]).is_none());
    }

    #[test]
    fn clean_removes_only_protoforge_entries() {
        let (dir, cache) = cache();
        let key = KeyBuilder::new("t").finish();
        cache.put("t", key, b"x");
        fs::write(dir.path().join("keep.txt"), b"mine").unwrap();
        assert!(cache.info().entries >= 1);
        cache.clean().unwrap();
        assert_eq!(cache.info().entries, 0);
        assert!(dir.path().join("keep.txt").exists());
    }

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("1024"), Some(1024));
        assert_eq!(parse_size("2M"), Some(2 << 20));
        assert_eq!(parse_size("1GiB"), Some(1 << 30));
        assert_eq!(parse_size("5k"), Some(5 << 10));
        assert_eq!(parse_size("lots"), None);
    }
}

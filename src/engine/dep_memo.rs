//! Verified registry dependencies: a digest that [`crate::deps`] checked once (hashing every file
//! of a cached module, about a second for a large module) is remembered under a key of the cache
//! entry's location, the pin (module, commit, digest from buf.lock) and the entry's stamp (every
//! file's path, size, times and inode: [`crate::deps::cache::stamp_entry`], taken before and after
//! the read). A later run whose stamp is the same skips the hashing; any change to the entry (a
//! file edited, added, removed or replaced, module.yaml rewritten) gives another stamp and the
//! digest is computed again. Failed verifications are never remembered.

use crate::cache::{Key, KeyBuilder};

const KIND: &str = "deps-verified";

/// The key of a verified entry (see the module doc).
pub fn key(
    entry_dir: &std::path::Path,
    name: &str,
    commit: &str,
    digest: &str,
    stamp: &[u8],
) -> Key {
    KeyBuilder::new(KIND)
        .str(&entry_dir.to_string_lossy())
        .str(name)
        .str(commit)
        .str(digest)
        .bytes(stamp)
        .finish()
}

/// Whether an earlier run verified the entry with this key.
pub fn verified(key: Key) -> bool {
    super::cache()
        .and_then(|c| c.get(KIND, key))
        .is_some_and(|v| v == b"verified")
}

/// Remembers that the entry with this key was verified.
pub fn remember(key: Key) {
    if let Some(cache) = super::cache() {
        cache.put(KIND, key, b"verified");
    }
}

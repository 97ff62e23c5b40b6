//! `protoforge cache info | clean`: where the persistent cache is, how large, and emptying it.

use crate::cache::{location, Cache};
use crate::cli::CacheCommand;
use crate::commands::Outcome;
use crate::{Error, Result};

pub fn run(cmd: CacheCommand) -> Result<Outcome> {
    let Some(dir) = location() else {
        return Err(
            Error::new("no cache location: neither PROTOFORGE_CACHE_DIR nor HOME is set")
                .with_help("set PROTOFORGE_CACHE_DIR to a directory for the cache"),
        );
    };
    let cache = Cache::at(dir);
    match cmd {
        CacheCommand::Info => {
            let info = cache.info();
            println!("location: {}", info.location.display());
            println!("entries: {}", info.entries);
            println!("size: {} ({} bytes)", human(info.bytes), info.bytes);
            println!(
                "limit: {} (least recently used entries are evicted past it; PROTOFORGE_CACHE_MAX_SIZE)",
                human(info.max_bytes)
            );
        }
        CacheCommand::Clean => {
            let freed = cache
                .clean()
                .map_err(|e| Error::io(cache.location().display(), e))?;
            println!(
                "removed {} from {}",
                human(freed),
                cache.location().display()
            );
        }
    }
    Ok(Outcome::Clean)
}

fn human(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

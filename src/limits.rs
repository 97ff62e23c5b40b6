//! Defences against hostile input: what a command may cost and how it fails when the input asks for
//! more.
//!
//! This module owns the process-wide limits: the stack every command runs on (deeply nested but
//! legal files are handled by recursive code, so commands and the rayon workers get a large stack
//! instead of overflowing), reading only regular files (a FIFO or a device named `x.proto` or
//! `buf.yaml` is skipped as buf skips it, never read), the caps on decompressed archives, images and
//! standard input (each a clear exit 1), and writing to stdout/stderr (a full disk is a one-line
//! error, exit 1, never a panic). The nesting limits buf has for compiling (expression and message
//! depth) are checked before parsing (`compile/precheck.rs`) with buf's messages.

use std::io::{self, Read, Write};
use std::path::Path;

/// Stack of the thread a command runs on, and of each rayon worker. Only what is touched is
/// committed; this is enough for a 100,000-deep option value in `format` and an import chain of
/// thousands of files.
pub const STACK_SIZE: usize = 1 << 30;

/// Largest source or config file, and largest archive entry once decompressed (bytes): 256 MiB.
pub const MAX_FILE_BYTES: u64 = 256 << 20;

/// Largest image, standard input, or whole archive once decompressed (bytes): 1 GiB.
pub const MAX_INPUT_BYTES: u64 = 1 << 30;

/// Runs `f` on a thread with a [`STACK_SIZE`] stack, the rayon pool configured likewise.
pub fn with_large_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    // A second configuration (tests, plugins) keeps the first one.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(STACK_SIZE)
        .build_global();
    match std::thread::Builder::new()
        .name("protoforge".into())
        .stack_size(STACK_SIZE)
        .spawn(f)
    {
        Ok(handle) => match handle.join() {
            Ok(value) => value,
            Err(panic) => std::panic::resume_unwind(panic),
        },
        // No thread could be made (address space limits): run here with the default stack.
        Err(_) => unreachable_spawn_fallback(),
    }
}

fn unreachable_spawn_fallback<T>() -> T {
    let _ = writeln!(
        io::stderr(),
        "protoforge: cannot start the command thread (not enough address space for a {} MB stack)",
        STACK_SIZE >> 20
    );
    std::process::exit(1)
}

/// Reads a file only if it is a regular file (after following symlinks): a FIFO, socket or device
/// is reported as [`io::ErrorKind::NotFound`] (buf skips such files) and never blocks. Files over
/// [`MAX_FILE_BYTES`] are an error.
pub fn read_regular(path: &Path) -> io::Result<Vec<u8>> {
    read_regular_capped(path, MAX_FILE_BYTES)
}

/// [`read_regular`] with another cap (images: [`MAX_INPUT_BYTES`]).
pub fn read_regular_capped(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let (file, len) = open_regular(path, limit)?;
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64, limit));
    }
    Ok(bytes)
}

/// [`read_regular`] as UTF-8 text (invalid UTF-8 is [`io::ErrorKind::InvalidData`]).
pub fn read_regular_to_string(path: &Path) -> io::Result<String> {
    String::from_utf8(read_regular(path)?).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        )
    })
}

/// Whether `path` is a regular file (after following symlinks).
pub fn is_regular(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// Opens `path` for reading if it is a regular file of at most `limit` bytes (a FIFO is never
/// waited on), with its size.
pub fn open_regular(path: &Path, limit: u64) -> io::Result<(std::fs::File, u64)> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Opening a FIFO for reading blocks until a writer comes, unless non-blocking.
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            "not a regular file",
        ));
    }
    if meta.len() > limit {
        return Err(too_large(meta.len(), limit));
    }
    Ok((file, meta.len()))
}

/// Reads all of `reader` (standard input, a decompressor), at most `limit` bytes: more is an
/// error (nothing past the limit is read).
pub fn read_capped(reader: impl Read, limit: u64) -> io::Result<Vec<u8>> {
    read_capped_sized(reader, limit, 0)
}

/// [`read_capped`] of something that says how large it is (`declared`, e.g. an archive entry's
/// header): more than `limit` is refused before anything is read, and the buffer is sized once.
pub fn read_capped_sized(reader: impl Read, limit: u64, declared: u64) -> io::Result<Vec<u8>> {
    if declared > limit {
        return Err(too_large(declared, limit));
    }
    let mut bytes = Vec::with_capacity(declared as usize);
    reader.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64, limit));
    }
    Ok(bytes)
}

/// The error for input over a limit; its message names the limit (docs/limits.md).
pub fn too_large(len: u64, limit: u64) -> io::Error {
    let over = if len > limit { "more than " } else { "" };
    io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!(
            "{over}{} MiB, over protoforge's limit of {} MiB (see docs/limits.md)",
            len.min(limit) >> 20,
            limit >> 20
        ),
    )
}

/// Writes to stdout; a failed write (a full disk, a closed file) ends the process with a one-line
/// message and exit 1 (a closed pipe already ended it quietly through SIGPIPE).
pub fn stdout_write(bytes: &[u8]) {
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_all(bytes).and_then(|()| out.flush()) {
        write_failed("stdout", &e);
    }
}

/// [`stdout_write`] of several pieces in turn, through one buffer (not a write per piece).
pub fn stdout_write_parts<'a>(parts: impl IntoIterator<Item = &'a [u8]>) {
    let mut out = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
    for part in parts {
        if let Err(e) = out.write_all(part) {
            write_failed("stdout", &e);
        }
    }
    if let Err(e) = out.flush() {
        write_failed("stdout", &e);
    }
}

/// Writes to stderr; on failure, ends the process with exit 1 (there is nowhere to say why).
pub fn stderr_write(bytes: &[u8]) {
    let mut err = io::stderr().lock();
    if let Err(e) = err.write_all(bytes).and_then(|()| err.flush()) {
        write_failed("stderr", &e);
    }
}

/// Ends the process after a failed write to a standard stream: a one-line message on stderr (if it
/// can still be written) and exit 1.
pub fn write_failed(stream: &str, err: &io::Error) -> ! {
    if err.kind() == io::ErrorKind::BrokenPipe {
        // The reader went away (SIGPIPE is ignored, e.g. under a test harness): end quietly.
        std::process::exit(1);
    }
    let _ = writeln!(io::stderr(), "protoforge: cannot write to {stream}: {err}");
    std::process::exit(1)
}

thread_local! {
    /// Set while [`catch_dependency_panic`] runs: the panic hook stays quiet.
    static CATCHING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, a call into a dependency that may panic on malformed input it was asked to read (the
/// fuzzer found prost-reflect indexing out of bounds while building the error for a corrupt image);
/// a panic becomes `None`, without the panic report, and the caller reports the input as bad.
pub fn catch_dependency_panic<T>(f: impl FnOnce() -> T) -> Option<T> {
    let was = CATCHING.with(|c| c.replace(true));
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok();
    CATCHING.with(|c| c.set(was));
    out
}

/// A panic hook that turns std's "failed printing to stdout/stderr" panics (a `print!` somewhere,
/// a dependency writing to stdout) into [`write_failed`]; other panics keep the default report
/// (but for those [`catch_dependency_panic`] catches, which are not reported).
pub fn install_print_failure_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if CATCHING.with(|c| c.get()) {
            return;
        }
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        for stream in ["stdout", "stderr"] {
            if let Some(rest) = message.strip_prefix(&format!("failed printing to {stream}: ")) {
                if rest.contains("Broken pipe") {
                    std::process::exit(1);
                }
                let _ = writeln!(io::stderr(), "protoforge: cannot write to {stream}: {rest}");
                std::process::exit(1);
            }
        }
        default(info);
    }));
}

/// Replaces the contents of a user's file (`format -w`, `format -o`, `build -o`) so that it is
/// never left half-written and never silently changes kind:
/// - a symlink is written through (its target is formatted, the link stays a link);
/// - a file we may not write (mode 0444 as a non-root user) is refused with "permission denied",
///   as buf refuses it, instead of being replaced by rename;
/// - a file with several hard links is rewritten in place (a rename would split the links);
/// - otherwise the new text goes to a temporary file in the same directory that takes the old
///   file's mode (and, as root, its owner) and is renamed over it;
/// - a new file gets mode 0666 minus the umask (0644 usually), as other tools create files.
pub fn replace_file(path: &Path, contents: &[u8]) -> io::Result<()> {
    replace_file_with(path, |out| out.write_all(contents))
}

/// [`replace_file`] with the new contents written by `write` (buffered), so a large output is
/// streamed to disk instead of assembled in memory first.
pub fn replace_file_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let target = match std::fs::canonicalize(path) {
        Ok(target) => target,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            // A dangling symlink is written through to where it points.
            match std::fs::read_link(path) {
                Ok(link) => path.parent().unwrap_or(Path::new(".")).join(link),
                Err(_) => path.to_path_buf(),
            }
        }
        Err(e) => return Err(e),
    };
    let existing = match std::fs::metadata(&target) {
        Ok(meta) => Some(meta),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    if let Some(meta) = &existing {
        if !meta.is_file() {
            return Err(io::Error::other("not a regular file"));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            may_write(&target)?;
            if meta.nlink() > 1 {
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .truncate(true)
                    .open(&target)?;
                let mut out = io::BufWriter::with_capacity(1 << 16, file);
                write(&mut out)?;
                return out.flush();
            }
        }
    }
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".protoforge-tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // The mode is given to open(2), so the umask applies (tempfile's default is 0600).
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let tmp = builder.tempfile_in(dir)?;
    let mut out = io::BufWriter::with_capacity(1 << 16, tmp);
    write(&mut out)?;
    out.flush()?;
    let tmp = out.into_inner().map_err(|e| e.into_error())?;
    if let Some(meta) = &existing {
        std::fs::set_permissions(tmp.path(), meta.permissions())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            // Keep the owner when we can (root formatting another user's file); else it is ours.
            let _ = std::os::unix::fs::fchown(tmp.as_file(), Some(meta.uid()), Some(meta.gid()));
        }
    }
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}

/// `access(2)` for writing: the error a write would give (permission denied, read-only file
/// system), without touching the file.
#[cfg(unix)]
fn may_write(path: &Path) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path contains a NUL byte"))?;
    // SAFETY: a valid NUL-terminated path; access(2) only reads it.
    if unsafe { libc::access(c_path.as_ptr(), libc::W_OK) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

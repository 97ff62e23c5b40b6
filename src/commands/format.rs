//! `protoforge format`: prints, diffs, checks or rewrites `.proto` files in buf's style.
//!
//! Inputs: a `.proto` file, a directory (every `.proto` below it, minus buf.yaml `excludes`,
//! `--exclude-path`, and the globs of a `.protoforgeignore` file), or stdin with `--stdin-filepath`.
//! Exit codes follow buf: 0 done, 100 with `--exit-code` when something would change, 1 on errors.
//! A file that cannot be parsed is a `COMPILE` finding (exit 100) and nothing is written.

use std::io::Write;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::cli::FormatArgs;
use crate::commands::Outcome;
use crate::{Error, Result};

/// One file to format: the path shown to the user, where it lives, and its text.
struct Job {
    display: String,
    path: Option<PathBuf>,
    /// Path relative to the input (used for `-o DIR`).
    rel: PathBuf,
    source: String,
}

pub fn run(args: FormatArgs) -> Result<Outcome> {
    let jobs = collect(&args)?;
    // Parse and format everything first: an unparsable file means nothing is written.
    let formatted: Vec<_> = {
        use rayon::prelude::*;
        jobs.par_iter()
            .map(|job| crate::format::format_source(&job.source))
            .collect()
    };
    let mut results = Vec::with_capacity(jobs.len());
    let mut failures = Vec::new();
    for (job, outcome) in jobs.into_iter().zip(formatted) {
        match outcome {
            Ok(out) => results.push((job, out)),
            Err(e) => {
                let span = crate::check::Span::from_byte_range(
                    &job.source,
                    e.span.start as usize,
                    e.span.end as usize,
                );
                failures.push(crate::check::Finding::new(
                    "COMPILE",
                    Some(job.display.clone()),
                    Some(span),
                    e.message.clone(),
                ));
            }
        }
    }
    if !failures.is_empty() {
        // As a compile error: exit 100 with a COMPILE finding per file; nothing is written.
        crate::commands::emit_findings(&failures, args.error_format, true, "format", None);
        return Ok(Outcome::Findings);
    }
    let changed = results.iter().any(|(job, out)| &job.source != out);
    let stdout = std::io::stdout();
    let mut stdout = stdout.lock();
    if args.diff {
        for (job, out) in &results {
            if &job.source != out {
                let diff = similar::TextDiff::from_lines(job.source.as_str(), out.as_str());
                let text = diff
                    .unified_diff()
                    .context_radius(3)
                    .header(&format!("{}.orig", job.display), &job.display)
                    .to_string();
                write_out(
                    &mut stdout,
                    &format!("diff -u {}.orig {}\n", job.display, job.display),
                )?;
                write_out(&mut stdout, &text)?;
            }
        }
    }
    if args.write {
        for (job, out) in &results {
            if &job.source != out {
                if let Some(path) = &job.path {
                    write_atomic(path, out)?;
                }
            }
        }
    } else if let Some(output) = &args.output {
        write_output(output, &results)?;
    } else if !args.diff {
        for (_, out) in &results {
            write_out(&mut stdout, out)?;
        }
    }
    if args.exit_code && changed {
        Ok(Outcome::Findings)
    } else {
        Ok(Outcome::Clean)
    }
}

fn write_out(w: &mut impl Write, s: &str) -> Result<()> {
    w.write_all(s.as_bytes())
        .map_err(|e| Error::io("stdout", e))
}

/// `-o`: a single file input may go to a file; several files go under a directory.
fn write_output(output: &Path, results: &[(Job, String)]) -> Result<()> {
    let single = results.len() == 1
        && (output.extension().is_some_and(|e| e == "proto") || !output.is_dir());
    if single
        && results.len() == 1
        && !output.is_dir()
        && output.extension().is_some_and(|e| e == "proto")
    {
        return write_atomic(output, &results[0].1);
    }
    if output.as_os_str() == "-" {
        let stdout = std::io::stdout();
        let mut stdout = stdout.lock();
        for (_, out) in results {
            write_out(&mut stdout, out)?;
        }
        return Ok(());
    }
    for (job, out) in results {
        let dest = output.join(&job.rel);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent.display(), e))?;
        }
        write_atomic(&dest, out)?;
    }
    Ok(())
}

/// Writes `contents` to `path` without ever leaving a half-written file: see
/// [`crate::limits::replace_file`] (through symlinks, keeping hard links, owner and mode, refusing
/// read-only files as buf does).
fn write_atomic(path: &Path, contents: &str) -> Result<()> {
    crate::limits::replace_file(path, contents.as_bytes()).map_err(|e| Error::io(path.display(), e))
}

fn collect(args: &FormatArgs) -> Result<Vec<Job>> {
    if let Some(stdin_path) = &args.stdin_filepath {
        if args.write {
            // The result would have nowhere to go (buf refuses the combination too).
            return Err(Error::new("cannot use --write when using --stdin-filepath")
                .with_help("the formatted text goes to stdout; redirect it, or format the file itself with -w"));
        }
        let bytes =
            crate::limits::read_capped(std::io::stdin().lock(), crate::limits::MAX_FILE_BYTES)
                .map_err(|e| Error::io("stdin", e))?;
        let source = String::from_utf8(bytes)
            .map_err(|_| Error::new(format!("{stdin_path} (stdin): file is not valid UTF-8")))?;
        return Ok(vec![Job {
            display: stdin_path.clone(),
            path: None,
            rel: PathBuf::from(stdin_path),
            source,
        }]);
    }
    let mut jobs = Vec::new();
    for input in std::iter::once(&args.input.input).chain(&args.more_inputs) {
        collect_input(input, args, &mut jobs)?;
    }
    Ok(jobs)
}

fn collect_input(input: &str, args: &FormatArgs, jobs: &mut Vec<Job>) -> Result<()> {
    let input_path = PathBuf::from(input);
    let meta = match std::fs::metadata(&input_path) {
        Ok(meta) => meta,
        Err(e)
            if input.contains('#')
                || input.contains(".git")
                || input.contains(".tar")
                || input.ends_with(".zip") =>
        {
            // A git repository or an archive: read through the input layer (no in-place rewrite).
            return collect_snapshot(input, args, jobs)
                .map_err(|load_err| Error::new(format!("{input}: {e}; {}", load_err.message())));
        }
        Err(e) => {
            return Err(Error::new(format!("{input}: {e}"))
                .with_help("give a .proto file or a directory (default: the current one)"))
        }
    };
    if meta.is_file() {
        // Named files honour the excludes too (a pre-commit hook passes every changed file).
        let filters = Filters::new(Path::new("."), args)?;
        if filters.excludes(&normalize(input)) {
            return Ok(());
        }
        let source = read(&input_path)?;
        let rel = input_path
            .file_name()
            .map(PathBuf::from)
            .unwrap_or_else(|| input_path.clone());
        jobs.push(Job {
            display: input.to_string(),
            path: Some(input_path),
            rel,
            source,
        });
        return Ok(());
    }
    let filters = Filters::new(&input_path, args)?;
    let mut files = Vec::new();
    walk(&input_path, &input_path, &filters, &mut files)?;
    files.sort();
    for rel in files {
        let path = input_path.join(&rel);
        let display = if input == "." {
            rel.display().to_string()
        } else {
            path.display().to_string()
        };
        let source = read(&path)?;
        jobs.push(Job {
            display,
            path: Some(path),
            rel,
            source,
        });
    }
    Ok(())
}

fn collect_snapshot(input: &str, args: &FormatArgs, jobs: &mut Vec<Job>) -> Result<()> {
    if args.write {
        return Err(Error::new(format!(
            "{input}: -w rewrites files on disk; use -o DIR or -d for this input"
        )));
    }
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    let crate::input::Loaded::Sources(snapshot) = crate::input::load(input, &cwd)? else {
        return Err(Error::new(format!(
            "{input}: an image has no .proto sources to format"
        )));
    };
    for (key, bytes) in &snapshot.files {
        if !key.ends_with(".proto") {
            continue;
        }
        let source = String::from_utf8(bytes.to_vec())
            .map_err(|_| Error::new(format!("{key}: file is not valid UTF-8")))?;
        jobs.push(Job {
            display: snapshot.display_path(key),
            path: None,
            rel: PathBuf::from(key),
            source,
        });
    }
    Ok(())
}

fn read(path: &Path) -> Result<String> {
    let bytes = crate::limits::read_regular(path).map_err(|e| Error::io(path.display(), e))?;
    String::from_utf8(bytes)
        .map_err(|_| Error::new(format!("{}: file is not valid UTF-8", path.display())))
}

/// Which files of a directory input are formatted.
struct Filters {
    /// `--path`: only these files or directories (relative to the input).
    only: Vec<PathBuf>,
    /// `--exclude-path` plain paths and buf.yaml `excludes`.
    excluded: Vec<PathBuf>,
    /// `--exclude-path` globs and `.protoforgeignore` globs.
    globs: GlobSet,
}

impl Filters {
    fn new(root: &Path, args: &FormatArgs) -> Result<Filters> {
        let mut excluded = Vec::new();
        let mut builder = GlobSetBuilder::new();
        let mut any_glob = false;
        for p in &args.input.exclude_paths {
            if p.contains(['*', '?', '[', '{']) {
                let glob =
                    Glob::new(p).map_err(|e| Error::new(format!("--exclude-path {p}: {e}")))?;
                builder.add(glob);
                any_glob = true;
            } else {
                excluded.push(normalize(p));
            }
        }
        excluded.extend(buf_yaml_excludes(root));
        let ignore_file = root.join(".protoforgeignore");
        if let Ok(text) = crate::limits::read_regular_to_string(&ignore_file) {
            for (n, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let pattern = line.trim_start_matches('/');
                let pattern = if pattern.ends_with('/') {
                    format!("{pattern}**")
                } else {
                    pattern.to_string()
                };
                let glob = Glob::new(&pattern).map_err(|e| {
                    Error::new(format!(
                        "{}:{}: bad glob {line:?}: {e}",
                        ignore_file.display(),
                        n + 1
                    ))
                })?;
                builder.add(glob);
                // A directory pattern also matches everything below it.
                if !pattern.ends_with("**") {
                    if let Ok(g) = Glob::new(&format!("{pattern}/**")) {
                        builder.add(g);
                    }
                }
                any_glob = true;
            }
        }
        let globs = if any_glob {
            builder
                .build()
                .map_err(|e| Error::new(format!("exclude globs: {e}")))?
        } else {
            GlobSet::empty()
        };
        Ok(Filters {
            only: args.input.paths.iter().map(|p| normalize(p)).collect(),
            excluded,
            globs,
        })
    }

    fn skip_dir(&self, rel: &Path) -> bool {
        self.excluded.iter().any(|e| rel.starts_with(e)) || self.globs.is_match(rel)
    }

    fn excludes(&self, rel: &Path) -> bool {
        self.excluded.iter().any(|e| rel.starts_with(e)) || self.globs.is_match(rel)
    }

    fn keep_file(&self, rel: &Path) -> bool {
        if self.excludes(rel) {
            return false;
        }
        self.only.is_empty() || self.only.iter().any(|p| rel.starts_with(p))
    }
}

fn normalize(p: &str) -> PathBuf {
    let p = p.trim_start_matches("./").trim_end_matches('/');
    PathBuf::from(p)
}

/// The `excludes` of the module at the root of a buf.yaml (v1 `build.excludes`, v2 module `.`),
/// read with the config reader; a buf.yaml that does not parse excludes nothing here (lint and
/// build report it).
fn buf_yaml_excludes(root: &Path) -> Vec<PathBuf> {
    let Ok(text) = crate::limits::read_regular_to_string(&root.join("buf.yaml")) else {
        return Vec::new();
    };
    let Ok(config) = crate::config::parse_buf_yaml("buf.yaml", &text) else {
        return Vec::new();
    };
    config
        .modules
        .iter()
        .filter(|m| m.dir.is_empty())
        .flat_map(|m| m.excludes.iter().map(|e| normalize(e)))
        .collect()
}

/// Whether a symlinked directory leads back to one already on the way down (a loop).
fn visited_through_link(root: &Path, link: &Path) -> bool {
    let Ok(target) = std::fs::canonicalize(link) else {
        return true;
    };
    let Ok(root) = std::fs::canonicalize(root) else {
        return true;
    };
    let parent = link.parent().and_then(|p| std::fs::canonicalize(p).ok());
    target == root || parent.is_some_and(|p| p.starts_with(&target))
}

fn walk(root: &Path, dir: &Path, filters: &Filters, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir.display(), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir.display(), e))?;
        let path = entry.path();
        let rel = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
        let mut file_type = entry
            .file_type()
            .map_err(|e| Error::io(path.display(), e))?;
        if file_type.is_symlink() {
            // Followed, as buf follows them; a dangling link is skipped.
            match std::fs::metadata(&path) {
                Ok(meta) => file_type = meta.file_type(),
                Err(_) => continue,
            }
            if file_type.is_dir() && visited_through_link(root, &path) {
                continue;
            }
        }
        if file_type.is_dir() {
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') || filters.skip_dir(&rel) {
                continue;
            }
            walk(root, &path, filters, out)?;
        } else if file_type.is_file()
            && path.extension().is_some_and(|e| e == "proto")
            && filters.keep_file(&rel)
        {
            out.push(rel);
        }
    }
    Ok(())
}

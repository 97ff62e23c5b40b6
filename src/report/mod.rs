//! Renders findings (and exit-1 errors) for people and machines. One file per output format.
//!
//! Every command that produces [`Finding`]s hands them to [`render`] with an output format and a
//! [`ReportContext`]; `render` sorts and deduplicates them as buf does, then formats them:
//!
//! | format | shape |
//! | --- | --- |
//! | `text` | buf's `path:line:col:message` ([`text`]) |
//! | `json` | buf's JSON lines ([`json`]) |
//! | `msvs` | buf's `path(line,col) : error TYPE : message` ([`msvs`]) |
//! | `junit` | buf's JUnit XML, one test suite per file ([`junit`]) |
//! | `github-actions` | buf's `::error file=...` workflow commands ([`github_actions`]) |
//! | `gitlab-code-quality` | buf's GitLab Code Quality JSON array ([`gitlab_code_quality`]) |
//! | `config-ignore-yaml` | an `ignore_only` baseline for the config version in use ([`config_ignore_yaml`]) |
//! | `sarif` | SARIF 2.1.0 with a rules table (beyond buf, [`sarif`]) |
//! | `pretty` | miette code frames with the rule id and a help line (beyond buf, [`pretty`]) |
//!
//! The buf formats were compared byte for byte with buf 1.75 output (lint, breaking and compile-error
//! cases); what was observed is written down in each format's module docs and pinned by
//! `tests/suite/report_buf_golden.rs`. With no findings every format renders the empty string, as buf prints
//! nothing then.

mod config_ignore_yaml;
mod github_actions;
mod gitlab_code_quality;
mod json;
mod junit;
mod msvs;
mod pretty;
mod sarif;
mod text;

use std::io::IsTerminal;
use std::sync::Arc;

use crate::check::Finding;
use crate::cli::ErrorFormat;
use crate::config::ConfigVersion;
use crate::input::Snapshot;
use crate::Error;

/// What a report may say about a rule beyond its id: `sarif` fills its rules table from it, `pretty`
/// shows the purpose as the help line of findings that carry no help of their own.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RuleDoc {
    /// One sentence: what the rule checks (`Field names must be lower_snake_case.`).
    pub purpose: String,
    /// Longer documentation (why, how to fix), plain text; SARIF's rule `help`.
    pub help: Option<String>,
    /// Where the rule is documented on the web, if anywhere.
    pub url: Option<String>,
}

/// Where a file lives relative to the config that `config-ignore-yaml` writes a baseline for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModulePath {
    /// The module's directory relative to the directory of the config file (`""` for the config's own
    /// directory, `proto` for a v2 `modules: [{path: proto}]` or a `buf.work.yaml` directory).
    pub module_dir: String,
    /// The file's path relative to the module root (what v1 `ignore_only` takes).
    pub path: String,
}

/// Source texts for [`ReportContext::with_sources`] from an input snapshot: findings print the
/// snapshot's display paths (`display_prefix/root-relative path`). Files that are not UTF-8 are read
/// lossily.
pub fn snapshot_sources(snapshot: &Snapshot) -> impl Fn(&str) -> Option<Arc<str>> + '_ {
    move |path: &str| {
        let bytes = snapshot.files.get(snapshot.root_path(path)?)?;
        Some(String::from_utf8_lossy(bytes).into())
    }
}

/// Finds the module of `path` (relative to the config's directory) among module directories (relative
/// to the same directory; `""` or `.` is the config's own directory): the longest directory that
/// contains the path. For [`ReportContext::with_baseline`]:
/// `let locate = |p: &str| locate_in_modules(p, &dirs);`.
pub fn locate_in_modules(path: &str, module_dirs: &[&str]) -> Option<ModulePath> {
    module_dirs
        .iter()
        .map(|dir| dir.trim_end_matches('/'))
        .filter_map(|dir| {
            if dir.is_empty() || dir == "." {
                Some(("", path))
            } else {
                path.strip_prefix(dir)
                    .and_then(|rest| rest.strip_prefix('/'))
                    .map(|rest| (dir, rest))
            }
        })
        .max_by_key(|(dir, _)| dir.len())
        .map(|(dir, rest)| ModulePath {
            module_dir: dir.to_string(),
            path: rest.to_string(),
        })
}

/// The config a `config-ignore-yaml` baseline is meant to be pasted into.
#[derive(Clone, Copy)]
pub struct Baseline<'a> {
    /// The version of the config in use: v2 paths are relative to the buf.yaml directory (module path
    /// included); v1 and v1beta1 paths are relative to the module root.
    pub version: ConfigVersion,
    /// Maps a finding's path (as printed) to its module; `None` keeps the printed path as it is.
    pub locate: &'a dyn Fn(&str) -> Option<ModulePath>,
}

/// Everything a format may need besides the findings. Build it with [`ReportContext::new`] and the
/// `with_*` methods; every part is optional.
#[derive(Clone, Copy)]
pub struct ReportContext<'a> {
    /// Which command produced the findings (`lint`, `breaking`, `build`, `format`): names the SARIF run
    /// (`automationDetails.id`). buf's formats do not show it.
    pub command: &'a str,
    /// The source text of a finding's path, for `pretty` code frames and SARIF snippets.
    pub sources: &'a dyn Fn(&str) -> Option<Arc<str>>,
    /// Documentation of a rule id, for the SARIF rules table and `pretty` help lines.
    pub rule_doc: &'a dyn Fn(&str) -> Option<RuleDoc>,
    /// The config a `config-ignore-yaml` baseline is for (v2 with printed paths when not set).
    pub baseline: Baseline<'a>,
    /// ANSI colours in `pretty` output (default: stdout is a terminal and `NO_COLOR` is not set).
    pub color: bool,
}

fn no_source(_: &str) -> Option<Arc<str>> {
    None
}

fn no_rule_doc(_: &str) -> Option<RuleDoc> {
    None
}

fn printed_path(_: &str) -> Option<ModulePath> {
    None
}

impl<'a> ReportContext<'a> {
    /// A context with no sources, no rule docs, a v2 baseline with printed paths, and colour decided by
    /// stdout.
    pub fn new(command: &'a str) -> Self {
        ReportContext {
            command,
            sources: &no_source,
            rule_doc: &no_rule_doc,
            baseline: Baseline {
                version: ConfigVersion::V2,
                locate: &printed_path,
            },
            color: use_color(std::io::stdout().is_terminal()),
        }
    }

    pub fn with_sources(mut self, sources: &'a dyn Fn(&str) -> Option<Arc<str>>) -> Self {
        self.sources = sources;
        self
    }

    pub fn with_rule_doc(mut self, rule_doc: &'a dyn Fn(&str) -> Option<RuleDoc>) -> Self {
        self.rule_doc = rule_doc;
        self
    }

    pub fn with_baseline(
        mut self,
        version: ConfigVersion,
        locate: &'a dyn Fn(&str) -> Option<ModulePath>,
    ) -> Self {
        self.baseline = Baseline { version, locate };
        self
    }

    pub fn with_color(mut self, color: bool) -> Self {
        self.color = color;
        self
    }
}

/// Renders findings in a format. Sorts and deduplicates them first, as buf does (see
/// [`crate::check::sort_and_dedup`]); the caller's slice is left as it is.
pub fn render(findings: &[Finding], format: ErrorFormat, ctx: &ReportContext) -> String {
    let findings = buf_sorted(findings);
    if findings.is_empty() {
        return String::new();
    }
    match format {
        ErrorFormat::Text => in_parts(&findings, text::render),
        ErrorFormat::Json => in_parts(&findings, json::render),
        ErrorFormat::Msvs => in_parts(&findings, msvs::render),
        ErrorFormat::Junit => junit::render(&findings),
        ErrorFormat::GithubActions => in_parts(&findings, github_actions::render),
        ErrorFormat::GitlabCodeQuality => gitlab_code_quality::render(&findings),
        ErrorFormat::ConfigIgnoreYaml => {
            config_ignore_yaml::render(&findings, &ctx.baseline, ctx.command)
        }
        ErrorFormat::Sarif => sarif::render(&findings, ctx),
        ErrorFormat::Pretty => pretty::render(&findings, ctx),
    }
}

/// The report of a per-finding format ([`is_per_finding`]): a large one is rendered in parts on
/// the thread pool and the parts put together (a whole-tree googleapis lint prints 79,000 lines;
/// rendering them was the longest stretch of the run on one thread).
fn in_parts(findings: &[&Finding], render: fn(&[&Finding]) -> String) -> String {
    use rayon::prelude::*;
    if findings.len() <= PART {
        return render(findings);
    }
    let parts: Vec<String> = findings.par_chunks(PART).map(render).collect();
    let mut out = String::with_capacity(parts.iter().map(String::len).sum());
    for part in parts {
        out.push_str(&part);
    }
    out
}

/// Findings per part in [`in_parts`].
const PART: usize = 8192;

/// Whether `format` prints each finding on lines of its own with nothing around them (`text`,
/// `json`, `msvs`, `github-actions`): then the report of a set of findings is the reports of each
/// path's findings concatenated in path order (findings are sorted by path first), which lets the
/// incremental whole-tree lint keep each file's report and print them without the findings.
pub fn is_per_finding(format: ErrorFormat) -> bool {
    matches!(
        format,
        ErrorFormat::Text | ErrorFormat::Json | ErrorFormat::Msvs | ErrorFormat::GithubActions
    )
}

/// The format used when `--error-format` is not given: `pretty` when stdout is a terminal, `text`
/// otherwise (what buf prints, so scripts and CI logs see buf's lines).
pub fn default_format() -> ErrorFormat {
    if std::io::stdout().is_terminal() {
        ErrorFormat::Pretty
    } else {
        ErrorFormat::Text
    }
}

/// Whether to colour output going to a stream: only a terminal, and never when `NO_COLOR` is set to
/// a non-empty value (<https://no-color.org>).
pub fn use_color(is_terminal: bool) -> bool {
    color_allowed(is_terminal, std::env::var_os("NO_COLOR").as_deref())
}

/// [`use_color`] with the value of `NO_COLOR` passed in (tests must not change the environment).
pub fn color_allowed(is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    is_terminal && no_color.is_none_or(|v| v.is_empty())
}

/// Prints an error (exit-1 class) to stderr: a miette report with a code frame when the error points
/// into a file. Colours and Unicode frames on a terminal; plain ASCII without colour when stderr is not
/// a terminal or `NO_COLOR` is set.
pub fn print_error(err: &Error) {
    let fancy = use_color(std::io::stderr().is_terminal());
    crate::limits::stderr_write(render_error(err, fancy).as_bytes());
}

/// The text [`print_error`] prints; `fancy` picks colours and Unicode frames over plain ASCII.
pub fn render_error(err: &Error, fancy: bool) -> String {
    let theme = if fancy {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::none()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme)
        .with_wrap_lines(false)
        .with_links(false);
    let mut out = String::new();
    if handler.render_report(&mut out, err).is_err() {
        out = format!("{err}\n");
    }
    out
}

/// The findings as buf would print them: sorted, without duplicates.
fn buf_sorted(findings: &[Finding]) -> Vec<&Finding> {
    let mut sorted: Vec<&Finding> = findings.iter().collect();
    sorted.sort_by(|a, b| a.buf_order(b));
    sorted.dedup_by(|later, earlier| later.same_as_buf(earlier));
    sorted
}

/// buf's text for a finding without a file (bufanalysis prints `<input>`).
const NO_PATH: &str = "<input>";

/// buf prints unknown (0) lines and columns as 1 in text, msvs and json (`atLeast1`).
fn at_least_1(n: u32) -> u32 {
    n.max(1)
}

/// buf's message fallbacks: an empty message prints the type, an empty type `FAILURE`.
fn message_or_type(f: &Finding) -> &str {
    if !f.message.is_empty() {
        &f.message
    } else if !f.rule.is_empty() {
        &f.rule
    } else {
        "FAILURE"
    }
}

/// buf's one-line form of a finding (`FileAnnotation.String()`): text output and the JUnit failure
/// message.
fn text_line(f: &Finding) -> String {
    let mut out = String::new();
    push_text_line(&mut out, f);
    out
}

/// Appends [`text_line`] to `out` (a whole-tree report is 79,000 of them: no line made apart).
fn push_text_line(out: &mut String, f: &Finding) {
    use std::fmt::Write;
    let (line, column, _, _) = f.position();
    out.push_str(f.path.as_deref().unwrap_or(NO_PATH));
    // Writing to a `String` cannot fail.
    let _ = write!(out, ":{}:{}:", at_least_1(line), at_least_1(column));
    out.push_str(message_or_type(f));
}

/// Appends `s` as a JSON string the way Go's `encoding/json` writes it (buf's json and
/// gitlab-code-quality outputs): HTML-sensitive `<`, `>`, `&` as `\u003c`, `\u003e`, `\u0026`,
/// U+2028/U+2029 escaped, `\n`, `\r`, `\t`, `\b`, `\f` short, other control characters as `\u00xx`.
/// buf 1.75 prints `x/a&b<c>.proto` as `"x/a\u0026b\u003cc\u003e.proto"`.
fn push_go_json_string(out: &mut String, s: &str) {
    use std::fmt::Write;
    /// The bytes that start something escaped: control characters, `"`, `\\`, `<`, `>`, `&`, and
    /// 0xE2, the first byte of U+2028 and U+2029 (and of other characters, written as they are).
    const SPECIAL: [bool; 256] = {
        let mut table = [false; 256];
        let mut b = 0;
        while b < 0x20 {
            table[b] = true;
            b += 1;
        }
        table[b'"' as usize] = true;
        table[b'\\' as usize] = true;
        table[b'<' as usize] = true;
        table[b'>' as usize] = true;
        table[b'&' as usize] = true;
        table[0xE2] = true;
        table
    };
    out.push('"');
    let bytes = s.as_bytes();
    // Runs of bytes written as they are go in whole (most paths and messages are one run); every
    // byte where a run ends starts a character, so the slices below are on character boundaries.
    let mut plain = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !SPECIAL[b as usize] {
            i += 1;
            continue;
        }
        let (escaped, len): (&str, usize) = match b {
            b'"' => ("\\\"", 1),
            b'\\' => ("\\\\", 1),
            b'\n' => ("\\n", 1),
            b'\r' => ("\\r", 1),
            b'\t' => ("\\t", 1),
            0x08 => ("\\b", 1),
            0x0c => ("\\f", 1),
            0xE2 if bytes.get(i + 1) == Some(&0x80)
                && matches!(bytes.get(i + 2), Some(0xA8 | 0xA9)) =>
            {
                ("", 3)
            }
            0xE2 => {
                i += 1;
                continue;
            }
            _ => ("", 1),
        };
        out.push_str(&s[plain..i]);
        if escaped.is_empty() {
            let c = s[i..].chars().next().map_or(0, u32::from);
            // Writing to a `String` cannot fail.
            let _ = write!(out, "\\u{c:04x}");
        } else {
            out.push_str(escaped);
        }
        i += len;
        plain = i;
    }
    out.push_str(&s[plain..]);
    out.push('"');
}

/// Converts buf's 1-based column on a line of source to a byte offset into that line. buf counts
/// columns in Unicode code points and advances a tab to the next multiple of 4 (measured with buf 1.75:
/// `\tint32 Bad` puts `Bad` at column 11, `  int32\tBad` at 9, `/* é */` is 7 columns wide). A column
/// past the end of the line gives the line's length.
fn column_to_byte(line: &str, column: u32) -> usize {
    let target = column.saturating_sub(1);
    let mut col = 0u32;
    for (i, c) in line.char_indices() {
        if col >= target {
            return i;
        }
        col = if c == '\t' {
            (col / 4 + 1) * 4
        } else {
            col + 1
        };
    }
    line.len()
}

/// A source file indexed by line, so that many findings in one file cost one pass over it.
#[derive(Debug)]
struct SourceFile {
    text: Arc<str>,
    /// Byte offset where each line starts; a text ending in `\n` has an empty last line.
    line_starts: Vec<usize>,
}

impl SourceFile {
    fn new(text: Arc<str>) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceFile { text, line_starts }
    }

    /// The byte range of a 1-based line, without its line terminator.
    fn line(&self, line: u32) -> Option<(usize, usize)> {
        let index = (line as usize).checked_sub(1)?;
        let start = *self.line_starts.get(index)?;
        let end = self
            .line_starts
            .get(index + 1)
            .map_or(self.text.len(), |next| next - 1);
        let body = self.text[start..end].trim_end_matches('\r');
        Some((start, start + body.len()))
    }

    /// The byte offset of a buf (line, column).
    fn offset(&self, line: u32, column: u32) -> Option<usize> {
        let (start, end) = self.line(line)?;
        Some(start + column_to_byte(&self.text[start..end], column))
    }
}

/// The sources of one render, read and indexed once per path.
struct SourceCache<'a> {
    read: &'a dyn Fn(&str) -> Option<Arc<str>>,
    /// Applied to a text when it is first read (pretty expands tabs).
    prepare: fn(Arc<str>) -> Arc<str>,
    files: std::collections::HashMap<String, Option<Arc<SourceFile>>>,
}

impl<'a> SourceCache<'a> {
    fn new(read: &'a dyn Fn(&str) -> Option<Arc<str>>, prepare: fn(Arc<str>) -> Arc<str>) -> Self {
        SourceCache {
            read,
            prepare,
            files: std::collections::HashMap::new(),
        }
    }

    fn get(&mut self, path: &str) -> Option<Arc<SourceFile>> {
        if let Some(file) = self.files.get(path) {
            return file.clone();
        }
        let file = (self.read)(path).map(|text| Arc::new(SourceFile::new((self.prepare)(text))));
        self.files.insert(path.to_string(), file.clone());
        file
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_placed_in_the_innermost_module() {
        let dirs = ["", "proto", "proto/vendor/"];
        let at = |p: &str| locate_in_modules(p, &dirs).map(|m| (m.module_dir, m.path));
        assert_eq!(at("a.proto"), Some(("".into(), "a.proto".into())));
        assert_eq!(
            at("proto/a/b.proto"),
            Some(("proto".into(), "a/b.proto".into()))
        );
        assert_eq!(
            at("proto/vendor/x.proto"),
            Some(("proto/vendor".into(), "x.proto".into()))
        );
        assert_eq!(
            at("protos/x.proto"),
            Some(("".into(), "protos/x.proto".into()))
        );
        assert_eq!(locate_in_modules("other/x.proto", &["proto"]), None);
    }

    #[test]
    fn sources_come_from_the_snapshot_by_display_path() {
        let mut snapshot = Snapshot {
            display_prefix: "current".into(),
            ..Snapshot::default()
        };
        snapshot.files.insert(
            "x/a.proto".into(),
            Arc::from(&b"syntax = \"proto3\";\n"[..]),
        );
        let sources = snapshot_sources(&snapshot);
        assert_eq!(
            sources("current/x/a.proto").as_deref(),
            Some("syntax = \"proto3\";\n")
        );
        assert_eq!(sources("x/a.proto"), None);
        assert_eq!(sources("current/x/b.proto"), None);
        drop(sources);
        snapshot.display_prefix = String::new();
        let sources = snapshot_sources(&snapshot);
        assert!(sources("x/a.proto").is_some());
    }

    #[test]
    fn per_finding_formats_concatenate_by_path() {
        let at = |path: &str, line: u32, rule: &str| {
            let span = crate::check::Span {
                start_line: line,
                start_column: 2,
                end_line: line,
                end_column: 5,
            };
            Finding::new(
                rule,
                Some(path.to_string()),
                Some(span),
                format!("{rule} at {line}"),
            )
        };
        let findings = vec![
            at("b/x.proto", 3, "B"),
            at("a.proto", 9, "A"),
            at("b/x.proto", 1, "C"),
            at("a.proto", 9, "A"),
            at("a/z.proto", 1, "D"),
        ];
        let ctx = ReportContext::new("lint");
        let formats = [
            ErrorFormat::Text,
            ErrorFormat::Json,
            ErrorFormat::Msvs,
            ErrorFormat::GithubActions,
            ErrorFormat::Junit,
            ErrorFormat::GitlabCodeQuality,
            ErrorFormat::Sarif,
            ErrorFormat::Pretty,
            ErrorFormat::ConfigIgnoreYaml,
        ];
        for format in formats {
            let whole = render(&findings, format, &ctx);
            let mut paths: Vec<&str> = findings.iter().filter_map(|f| f.path.as_deref()).collect();
            paths.sort();
            paths.dedup();
            let parts: String = paths
                .iter()
                .map(|p| {
                    let mine: Vec<Finding> = findings
                        .iter()
                        .filter(|f| f.path.as_deref() == Some(*p))
                        .cloned()
                        .collect();
                    render(&mine, format, &ctx)
                })
                .collect();
            if is_per_finding(format) {
                assert_eq!(parts, whole, "{format:?}");
            } else {
                assert_ne!(
                    parts, whole,
                    "{format:?} is per finding: say so in is_per_finding"
                );
            }
        }
    }

    /// A large report rendered in parts is the report rendered whole, in every per-finding format.
    #[test]
    fn a_report_in_parts_is_the_report_whole() {
        let findings: Vec<Finding> = (0..3 * PART as u32 + 17)
            .map(|i| {
                let span = crate::check::Span {
                    start_line: i % 50,
                    start_column: i % 7,
                    end_line: i % 50 + 1,
                    end_column: 3,
                };
                let path = (i % 11 != 0).then(|| format!("dir{}/f<{}>.proto", i % 13, i / 100));
                let message = format!("Message \"{i}\" & more\u{2028}");
                Finding::new("RULE_X", path, Some(span).filter(|_| i % 5 != 0), &message)
            })
            .collect();
        let refs: Vec<&Finding> = findings.iter().collect();
        let renders: [fn(&[&Finding]) -> String; 4] = [
            text::render,
            json::render,
            msvs::render,
            github_actions::render,
        ];
        for render in renders {
            assert!(in_parts(&refs, render) == render(&refs));
        }
    }

    #[test]
    fn go_json_escapes_html_characters_like_buf() {
        let mut out = String::new();
        push_go_json_string(&mut out, "x/a&b<c>.proto \"q\" \\ \n\t\u{1}\u{2028}é");
        assert_eq!(
            out,
            r#""x/a\u0026b\u003cc\u003e.proto \"q\" \\ \n\t\u0001\u2028é""#
        );
        // Every character on its own and between others, against a character-by-character
        // reference (U+2027 and U+202A share U+2028's first two bytes, € its first).
        let reference = |s: &str| {
            let mut out = String::from('"');
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    '\u{8}' => out.push_str("\\b"),
                    '\u{c}' => out.push_str("\\f"),
                    '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                        out.push_str(&format!("\\u{:04x}", c as u32))
                    }
                    c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        };
        let chars = (0u32..0x80)
            .chain([0x7f, 0xe9, 0x2027, 0x2028, 0x2029, 0x202a, 0x20ac, 0x1f600])
            .filter_map(char::from_u32);
        for c in chars {
            for s in [
                format!("{c}"),
                format!("a{c}b"),
                format!("{c}{c}\u{2028}{c}"),
            ] {
                let mut out = String::new();
                push_go_json_string(&mut out, &s);
                assert_eq!(out, reference(&s), "{s:?}");
            }
        }
    }

    #[test]
    fn columns_count_code_points_and_tabs_to_multiples_of_4() {
        assert_eq!(column_to_byte("\tint32 Bad = 1;", 11), 7);
        assert_eq!(column_to_byte("  int32\tBad = 1;", 9), 8);
        assert_eq!(column_to_byte("  /* é */ int32 Bad2 = 2;", 17), 17);
        assert_eq!(column_to_byte("abc", 99), 3);
        assert_eq!(column_to_byte("abc", 1), 0);
    }

    #[test]
    fn positions_map_to_byte_offsets() {
        let src = SourceFile::new("ab\r\ncd\n".into());
        assert_eq!(src.offset(1, 2), Some(1));
        assert_eq!(src.offset(2, 1), Some(4));
        assert_eq!(src.offset(2, 9), Some(6));
        assert_eq!(src.offset(3, 1), Some(7));
        assert_eq!(src.offset(4, 1), None);
        assert_eq!(src.offset(0, 1), None);
        assert_eq!(src.line(1), Some((0, 2)));
        let no_final_newline = SourceFile::new("ab\ncd".into());
        assert_eq!(no_final_newline.line(2), Some((3, 5)));
        assert_eq!(no_final_newline.line(3), None);
    }
}

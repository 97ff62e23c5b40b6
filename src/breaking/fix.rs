//! `breaking --fix`: write the `reserved` statements that make field and enum value deletions
//! safe into the current sources. Nothing else is ever changed; the caller recompiles and restores
//! the previous text if the result does not compile.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::Fix;
use crate::image::Image;
use crate::{Error, Result};

/// One file rewritten by [`plan`]: its new text and the previous one (to restore).
#[derive(Debug, Clone)]
pub struct Edit {
    pub disk_path: PathBuf,
    pub display_path: String,
    pub original: String,
    pub fixed: String,
    /// `added `reserved 3; reserved "email";` to message User`, one per container.
    pub changes: Vec<String>,
}

/// Computes the new text of every file with fixes (files are not written).
pub fn plan(fixes: &[Fix], current: &Image, disk_root: &Path) -> Result<Vec<Edit>> {
    let mut by_file: BTreeMap<&str, Vec<&Fix>> = BTreeMap::new();
    for fix in fixes {
        by_file.entry(fix.root_path.as_str()).or_default().push(fix);
    }
    let mut edits = Vec::new();
    for (root_path, fixes) in by_file {
        // Only the input's own files are edited, never an import (a dependency, a -I root).
        let Some(file) = current
            .files
            .iter()
            .find(|f| f.root_path == root_path && !f.is_import)
        else {
            continue;
        };
        let Some(source) = file.source.as_deref() else {
            continue;
        };
        // Insert from the end of the file backwards so earlier offsets stay valid.
        let mut inserts: Vec<(usize, String, String)> = Vec::new();
        for fix in fixes {
            let span = file.locations().span(&fix.container).ok_or_else(|| {
                Error::new(format!(
                    "{}: no source location for {}",
                    fix.display_path, fix.container_name
                ))
            })?;
            let start = offset(source, span.start_line, span.start_column).ok_or_else(|| {
                Error::new(format!("{}: location out of range", fix.display_path))
            })?;
            let Some(brace) = body_brace(&source[start..]).map(|i| start + i) else {
                return Err(Error::new(format!(
                    "{}: cannot find the body of {}",
                    fix.display_path, fix.container_name
                )));
            };
            let indent = " ".repeat(span.start_column.saturating_sub(1) as usize + 2);
            let mut text = String::new();
            for statement in &fix.statements {
                text.push('\n');
                text.push_str(&indent);
                text.push_str(statement);
            }
            inserts.push((
                brace + 1,
                text,
                format!(
                    "added `{}` to {}",
                    fix.statements.join(" "),
                    fix.container_name
                ),
            ));
        }
        inserts.sort_by_key(|insert| std::cmp::Reverse(insert.0));
        let mut fixed = source.to_string();
        let mut changes = Vec::new();
        for (at, text, change) in inserts {
            fixed.insert_str(at, &text);
            changes.push(change);
        }
        changes.reverse();
        edits.push(Edit {
            disk_path: disk_root.join(root_path),
            display_path: file.external_path.clone(),
            original: source.to_string(),
            fixed,
            changes,
        });
    }
    Ok(edits)
}

/// The offset of the `{` opening a declaration's body, skipping comments and string literals.
fn body_brace(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => return Some(i),
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i += text[i..].find('\n')?;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += text[i + 2..].find("*/")? + 3;
            }
            quote @ (b'"' | b'\'') => {
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Byte offset of a 1-based line and column (buf's columns: characters, tab stops of 4).
fn offset(source: &str, line: u32, column: u32) -> Option<usize> {
    let mut start = 0;
    for _ in 1..line {
        start += source[start..].find('\n')? + 1;
    }
    let column = column.saturating_sub(1) as usize;
    Some(start + crate::compile::byte_of_buf_column(&source[start..], column)?)
}

/// Writes the fixed texts (or, with `restore`, the original ones).
pub fn write(edits: &[Edit], restore: bool) -> Result<()> {
    for edit in edits {
        let text = if restore { &edit.original } else { &edit.fixed };
        std::fs::write(&edit.disk_path, text)
            .map_err(|e| Error::io(edit.disk_path.display(), e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{body_brace, offset};

    #[test]
    fn brace_after_comments_and_strings() {
        assert_eq!(body_brace("message A {"), Some(10));
        assert_eq!(body_brace("message A // {\n{"), Some(15));
        assert_eq!(body_brace("message A /* { */ {"), Some(18));
        assert_eq!(body_brace("enum E"), None);
    }

    #[test]
    fn offsets() {
        let s = "ab\ncdé\nf";
        assert_eq!(offset(s, 1, 1), Some(0));
        assert_eq!(offset(s, 2, 3), Some(5));
        assert_eq!(offset(s, 3, 1), Some(8));
        assert_eq!(offset(s, 4, 1), None);
    }
}

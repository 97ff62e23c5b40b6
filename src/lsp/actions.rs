//! Code actions: the safe fixes of lint findings (rename to the suggested name everywhere, the
//! `// buf:lint:ignore RULE` comment, removing an unused import), organize imports, marking a
//! declaration deprecated, and the `reserved` statements that make a breaking deletion safe.

use std::collections::{BTreeSet, HashMap};

use lsp_types as lt;

use super::analysis::Kind;
use super::convert::LineIndex;
use super::features;
use super::Server;

/// Rules whose finding suggests a name (`..., such as "bad_name".`), fixed by a rename.
const NAMING_RULES: [&str; 8] = [
    "FIELD_LOWER_SNAKE_CASE",
    "ONEOF_LOWER_SNAKE_CASE",
    "MESSAGE_PASCAL_CASE",
    "ENUM_PASCAL_CASE",
    "ENUM_VALUE_UPPER_SNAKE_CASE",
    "SERVICE_PASCAL_CASE",
    "RPC_PASCAL_CASE",
    "ENUM_VALUE_PREFIX",
];

/// The name a naming finding suggests.
fn suggested_name(rule: &str, message: &str) -> Option<String> {
    if let Some(i) = message.find("such as \"") {
        let rest = &message[i + 9..];
        return rest.find('"').map(|e| rest[..e].to_string());
    }
    if rule == "ENUM_VALUE_PREFIX" {
        // `Enum value name "active" should be prefixed with "STATUS_".`
        let quoted: Vec<&str> = message.split('"').skip(1).step_by(2).collect();
        if let [name, prefix] = quoted[..] {
            return Some(format!("{prefix}{name}"));
        }
    }
    None
}

// lsp-types keys workspace edits by `Uri`, which clippy takes for a mutable key.
#[allow(clippy::mutable_key_type)]
fn edit(uri: &lt::Uri, edits: Vec<lt::TextEdit>) -> lt::WorkspaceEdit {
    lt::WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..Default::default()
    }
}

fn action(
    title: String,
    kind: lt::CodeActionKind,
    diagnostic: Option<&lt::Diagnostic>,
    edit: lt::WorkspaceEdit,
    preferred: bool,
) -> lt::CodeActionOrCommand {
    lt::CodeActionOrCommand::CodeAction(lt::CodeAction {
        title,
        kind: Some(kind),
        diagnostics: diagnostic.map(|d| vec![d.clone()]),
        edit: Some(edit),
        is_preferred: preferred.then_some(true),
        ..Default::default()
    })
}

fn overlaps(a: &lt::Range, b: &lt::Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

pub fn code_actions(s: &mut Server, p: lt::CodeActionParams) -> Option<lt::CodeActionResponse> {
    let uri = p.text_document.uri.clone();
    let wants = |k: &lt::CodeActionKind| {
        p.context
            .only
            .as_ref()
            .is_none_or(|only| only.iter().any(|o| k.as_str().starts_with(o.as_str())))
    };
    let key = uri.as_str().to_string();
    let text = s.docs.get(&key)?.text.clone();
    let checked = s.ensure_checked(&key)?;
    let (index, file) = (checked.index.clone(), checked.file);
    let breaking_fixes = checked_breaking_fixes(s, &key);
    let lines = LineIndex::new(&text);
    let mut out = Vec::new();

    // The diagnostics the editor sent, else ours at the range.
    let mut diagnostics = p.context.diagnostics.clone();
    if diagnostics.is_empty() {
        if let (Some(doc), Some(c)) = (s.docs.get(&key), s.checked.get(&key)) {
            diagnostics = super::diagnostics::to_lsp(
                &doc.workspace,
                &doc.path,
                &doc.text,
                &c.findings,
                &c.breaking,
            )
            .remove(&doc.path)
            .unwrap_or_default()
            .into_iter()
            .filter(|d| overlaps(&d.range, &p.range))
            .collect();
        }
    }
    for d in &diagnostics {
        let Some(lt::NumberOrString::String(rule)) = &d.code else {
            continue;
        };
        let is_lint = d.source.as_deref() == Some("protoforge lint");
        let is_breaking = d.source.as_deref() == Some("protoforge breaking");
        if is_lint && wants(&lt::CodeActionKind::QUICKFIX) {
            if NAMING_RULES.contains(&rule.as_str()) {
                if let Some(name) = suggested_name(rule, &d.message) {
                    if let Ok(e) = features::rename_edit(s, &uri, d.range.start, &name) {
                        out.push(action(
                            format!("Rename to {name} (everywhere)"),
                            lt::CodeActionKind::QUICKFIX,
                            Some(d),
                            e,
                            true,
                        ));
                    }
                }
            }
            if rule == "IMPORT_USED" {
                let offset = lines.offset(d.range.start);
                if let Some(i) = index.files[file]
                    .imports
                    .iter()
                    .find(|i| i.decl.start as usize <= offset && offset <= i.decl.end as usize)
                {
                    let range = whole_lines(&lines, i.decl.start as usize, i.decl.end as usize);
                    out.push(action(
                        format!("Remove unused import \"{}\"", i.path),
                        lt::CodeActionKind::QUICKFIX,
                        Some(d),
                        edit(
                            &uri,
                            vec![lt::TextEdit {
                                range,
                                new_text: String::new(),
                            }],
                        ),
                        true,
                    ));
                }
            }
            let line = d.range.start.line as usize;
            let indent: String = lines
                .line(line)
                .chars()
                .take_while(|c| c.is_whitespace())
                .collect();
            let at = lt::Position::new(line as u32, 0);
            out.push(action(
                format!("Ignore {rule} here (// buf:lint:ignore {rule})"),
                lt::CodeActionKind::QUICKFIX,
                Some(d),
                edit(
                    &uri,
                    vec![lt::TextEdit {
                        range: lt::Range::new(at, at),
                        new_text: format!("{indent}// buf:lint:ignore {rule}\n"),
                    }],
                ),
                false,
            ));
        }
        if is_breaking && wants(&lt::CodeActionKind::QUICKFIX) {
            if let Some((title, edits)) = breaking_fixes
                .iter()
                .find(|(r, _, _)| overlaps(r, &d.range))
                .map(|(_, t, e)| (t.clone(), e.clone()))
            {
                out.push(action(
                    title,
                    lt::CodeActionKind::QUICKFIX,
                    Some(d),
                    edit(&uri, edits),
                    true,
                ));
            }
        }
    }

    if wants(&lt::CodeActionKind::SOURCE_ORGANIZE_IMPORTS) {
        if let Some(edits) = organize_imports(&index, file, &lines) {
            out.push(action(
                "Organize imports".into(),
                lt::CodeActionKind::SOURCE_ORGANIZE_IMPORTS,
                None,
                edit(&uri, edits),
                false,
            ));
        }
    }
    if wants(&lt::CodeActionKind::REFACTOR_REWRITE) {
        if let Some((title, edits)) = deprecate(&index.files[file], &lines, p.range.start) {
            out.push(action(
                title,
                lt::CodeActionKind::REFACTOR_REWRITE,
                None,
                edit(&uri, edits),
                false,
            ));
        }
    }
    Some(out)
}

/// The range of the whole lines from `start` to `end` (with the last newline).
fn whole_lines(lines: &LineIndex, start: usize, end: usize) -> lt::Range {
    let a = lines.position(start).line;
    let b = lines.position(end).line;
    lt::Range::new(lt::Position::new(a, 0), lt::Position::new(b + 1, 0))
}

/// Imports sorted, deduplicated, and without the ones nothing in the file uses (kept when the
/// imported file is not known, or is imported `public`). `None` when nothing would change or the
/// imports are interleaved with other declarations or comments.
fn organize_imports(
    index: &super::analysis::Index,
    file: usize,
    lines: &LineIndex,
) -> Option<Vec<lt::TextEdit>> {
    let f = &index.files[file];
    let tree = f.tree.as_ref()?;
    if f.imports.is_empty() {
        return None;
    }
    let mut used: BTreeSet<&str> = BTreeSet::new();
    for r in &f.refs {
        if let Some(name) = index.resolve(file, r) {
            for (fi, _) in index.definitions(&name) {
                used.insert(index.files[fi].name.as_str());
            }
        }
    }
    // A file imported for what it publicly imports is used through those.
    let used_through = |path: &str| {
        index.file(path).is_some_and(|g| {
            g.imports
                .iter()
                .any(|j| j.public && used.contains(j.path.as_str()))
        })
    };
    let mut kept: Vec<String> = Vec::new();
    for i in &f.imports {
        let known = index.file(&i.path).is_some();
        if i.public || !known || used.contains(i.path.as_str()) || used_through(&i.path) {
            let decl = &f.text[i.decl.start as usize..i.decl.end as usize];
            let modifier = if i.public {
                "public "
            } else if decl.split_whitespace().nth(1) == Some("weak") {
                "weak "
            } else {
                ""
            };
            kept.push(format!("import {modifier}\"{}\";", i.path));
        }
    }
    kept.sort_by(|a, b| {
        let key = |s: &str| s.split('"').nth(1).unwrap_or("").to_string();
        key(a).cmp(&key(b))
    });
    kept.dedup();
    let first = f.imports.first()?.decl;
    let last = f.imports.iter().map(|i| i.decl.end).max()?;
    // Only imports (and blank space) between the first and the last import.
    let between = &f.text[first.start as usize..last as usize];
    let mut rest = between.to_string();
    for i in &f.imports {
        rest = rest.replacen(&f.text[i.decl.start as usize..i.decl.end as usize], "", 1);
    }
    if !rest.trim().is_empty() {
        return None;
    }
    let _ = tree;
    let new_text = kept.join("\n");
    if new_text == between {
        return None;
    }
    let range = lines.range(first.start as usize, last as usize);
    if new_text.is_empty() {
        let whole = whole_lines(lines, first.start as usize, last as usize);
        return Some(vec![lt::TextEdit {
            range: whole,
            new_text: String::new(),
        }]);
    }
    Some(vec![lt::TextEdit { range, new_text }])
}

/// `[deprecated = true]` for the field or enum value at `pos`, or `option deprecated = true;` for
/// the message, enum or service.
fn deprecate(
    f: &super::analysis::FileSyms,
    lines: &LineIndex,
    pos: lt::Position,
) -> Option<(String, Vec<lt::TextEdit>)> {
    let offset = lines.offset(pos);
    // The innermost declaration at the cursor.
    let d = f
        .defs
        .iter()
        .filter(|d| d.kind != Kind::Package)
        .filter(|d| d.decl.start as usize <= offset && offset <= d.decl.end as usize)
        .min_by_key(|d| d.decl.end - d.decl.start)?;
    let decl = &f.text[d.decl.start as usize..d.decl.end as usize];
    if decl.contains("deprecated") {
        return None;
    }
    let title = format!("Deprecate {}", d.full_name);
    match d.kind {
        Kind::Field | Kind::EnumValue | Kind::Extension => {
            let semicolon = d.decl.end as usize - 1;
            let (at, text) = match decl.rfind(']') {
                Some(close) => (d.decl.start as usize + close, ", deprecated = true"),
                None => (semicolon, " [deprecated = true]"),
            };
            let p = lines.position(at);
            Some((
                title,
                vec![lt::TextEdit {
                    range: lt::Range::new(p, p),
                    new_text: text.to_string(),
                }],
            ))
        }
        Kind::Message | Kind::Enum | Kind::Service => {
            let brace = d.name.end as usize + f.text[d.name.end as usize..].find('{')?;
            let line = lines.position(d.decl.start as usize).line as usize;
            let indent: String = lines
                .line(line)
                .chars()
                .take_while(|c| c.is_whitespace())
                .collect();
            let p = lines.position(brace + 1);
            Some((
                title,
                vec![lt::TextEdit {
                    range: lt::Range::new(p, p),
                    new_text: format!("\n{indent}  option deprecated = true;"),
                }],
            ))
        }
        _ => None,
    }
}

/// The `reserved` fixes of the document's breaking findings: (range of the finding, title,
/// edits).
fn checked_breaking_fixes(s: &Server, key: &str) -> Vec<(lt::Range, String, Vec<lt::TextEdit>)> {
    s.checked
        .get(key)
        .map(|c| c.breaking_fixes.clone())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(
            suggested_name(
                "FIELD_LOWER_SNAKE_CASE",
                "Field name \"badName\" should be lower_snake_case, such as \"bad_name\"."
            )
            .as_deref(),
            Some("bad_name")
        );
        assert_eq!(
            suggested_name(
                "ENUM_VALUE_PREFIX",
                "Enum value name \"ACTIVE\" should be prefixed with \"STATUS_\"."
            )
            .as_deref(),
            Some("STATUS_ACTIVE")
        );
    }
}

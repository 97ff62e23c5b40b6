//! `sarif`: SARIF 2.1.0 (OASIS), for GitHub code scanning and other SARIF viewers. Beyond buf.
//!
//! One run whose `tool.driver` is protoforge (name, version, `informationUri` when the package names a
//! repository or homepage) with a rules table: every rule id that has findings, sorted, each with
//! `shortDescription` (the rule's purpose), `help` (its documentation), `helpUri` when known and
//! `defaultConfiguration.level` `error`. Each finding is a result with `ruleId`, `ruleIndex` (into the
//! table), `level` `error`, `message.text`, and, when it has a file, a `physicalLocation` with a
//! relative `artifactLocation.uri` (percent-encoded) and a 1-based `region` (end column exclusive,
//! as SARIF wants) with the spanned source lines as `snippet` when the source is known. A finding's
//! own help goes to `properties.help`. `automationDetails.id` is `protoforge/<command>/` so that runs
//! of lint and breaking on one repository stay apart.
//!
//! Columns are Unicode code points (`columnKind`); buf's columns advance a tab to the next multiple of
//! 4, so a column on a line with tabs is converted when the source is known. The output is pretty JSON,
//! deterministic (no times, no absolute paths), with a final newline.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::{column_to_byte, ReportContext, RuleDoc, SourceCache, SourceFile};
use crate::check::Finding;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// What COMPILE means when no rule documentation names it.
fn builtin_doc(rule: &str) -> Option<RuleDoc> {
    (rule == "COMPILE").then(|| RuleDoc {
        purpose:
            "Protobuf sources must compile: valid syntax, resolvable imports and type references."
                .to_string(),
        help: Some(
            "Fix the reported syntax or reference error; an import that cannot be found must be \
                    supplied with -I/--include or PROTOFORGE_INCLUDE."
                .to_string(),
        ),
        url: None,
    })
}

pub(super) fn render(findings: &[&Finding], ctx: &ReportContext) -> String {
    let rule_ids: Vec<&str> = {
        let mut ids: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let index: BTreeMap<&str, usize> = rule_ids
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, i))
        .collect();

    let rules: Vec<Value> = rule_ids
        .iter()
        .map(|id| {
            let doc = (ctx.rule_doc)(id).or_else(|| builtin_doc(id));
            let purpose = doc
                .as_ref()
                .map(|d| d.purpose.clone())
                .filter(|p| !p.is_empty());
            let short = purpose.clone().unwrap_or_else(|| id.to_string());
            let help = doc
                .as_ref()
                .and_then(|d| d.help.clone())
                .or(purpose)
                .unwrap_or_else(|| {
                    format!("Run `protoforge explain {id}` for the rule's documentation.")
                });
            let mut rule = Map::new();
            rule.insert("id".into(), json!(id));
            rule.insert("shortDescription".into(), json!({ "text": short }));
            rule.insert("help".into(), json!({ "text": help }));
            if let Some(url) = doc.as_ref().and_then(|d| d.url.clone()) {
                rule.insert("helpUri".into(), json!(url));
            }
            rule.insert("defaultConfiguration".into(), json!({ "level": "error" }));
            Value::Object(rule)
        })
        .collect();

    let mut sources = SourceCache::new(ctx.sources, |text| text);
    let results: Vec<Value> = findings
        .iter()
        .map(|f| result(f, index[f.rule.as_str()], &mut sources))
        .collect();

    let mut driver = Map::new();
    driver.insert("name".into(), json!("protoforge"));
    driver.insert("version".into(), json!(env!("CARGO_PKG_VERSION")));
    driver.insert("semanticVersion".into(), json!(env!("CARGO_PKG_VERSION")));
    let info = [env!("CARGO_PKG_REPOSITORY"), env!("CARGO_PKG_HOMEPAGE")]
        .into_iter()
        .find(|u| !u.is_empty());
    if let Some(uri) = info {
        driver.insert("informationUri".into(), json!(uri));
    }
    driver.insert("rules".into(), Value::Array(rules));

    let sarif = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": Value::Object(driver) },
            "automationDetails": { "id": format!("protoforge/{}/", ctx.command) },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut out = serde_json::to_string_pretty(&sarif).unwrap_or_default();
    out.push('\n');
    out
}

fn result(f: &Finding, rule_index: usize, sources: &mut SourceCache) -> Value {
    let mut result = Map::new();
    result.insert("ruleId".into(), json!(f.rule));
    result.insert("ruleIndex".into(), json!(rule_index));
    result.insert("level".into(), json!("error"));
    result.insert("message".into(), json!({ "text": f.message }));
    if let Some(path) = f.path.as_deref() {
        let mut physical = Map::new();
        physical.insert("artifactLocation".into(), json!({ "uri": uri_path(path) }));
        if let Some(span) = f.span.filter(|s| s.start_line > 0) {
            let source = sources.get(path);
            let source = source.as_deref();
            let column = |line: u32, column: u32| code_point_column(source, line, column);
            let mut region = Map::new();
            region.insert("startLine".into(), json!(span.start_line));
            region.insert(
                "startColumn".into(),
                json!(column(span.start_line, span.start_column)),
            );
            if span.end_line > 0 {
                region.insert("endLine".into(), json!(span.end_line));
                region.insert(
                    "endColumn".into(),
                    json!(column(span.end_line, span.end_column)),
                );
            }
            if let Some(snippet) =
                source.and_then(|s| snippet(s, span.start_line, span.end_line.max(span.start_line)))
            {
                region.insert("snippet".into(), json!({ "text": snippet }));
            }
            physical.insert("region".into(), Value::Object(region));
        }
        result.insert(
            "locations".into(),
            json!([{ "physicalLocation": Value::Object(physical) }]),
        );
    }
    if let Some(help) = &f.help {
        result.insert("properties".into(), json!({ "help": help }));
    }
    Value::Object(result)
}

/// buf's column (tabs to multiples of 4) as a code-point column, when the source line is known.
fn code_point_column(source: Option<&SourceFile>, line: u32, column: u32) -> u32 {
    let Some((source, (start, end))) = source.and_then(|s| Some((s, s.line(line)?))) else {
        return column.max(1);
    };
    let text = &source.text[start..end];
    let byte = column_to_byte(text, column);
    let chars = text[..byte].chars().count() as u32;
    // A column past the end of the line (an exclusive end at the line end) keeps its distance.
    let past_end = if byte == text.len() {
        column.saturating_sub(display_width(text) + 1)
    } else {
        0
    };
    chars + 1 + past_end
}

/// The width of a line in buf's columns.
fn display_width(text: &str) -> u32 {
    text.chars().fold(0, |col, c| {
        if c == '\t' {
            (col / 4 + 1) * 4
        } else {
            col + 1
        }
    })
}

/// Source lines `first..=last` (1-based) with their line breaks.
fn snippet(source: &SourceFile, first: u32, last: u32) -> Option<String> {
    let (start, _) = source.line(first)?;
    let (_, end) = source.line(last)?;
    let mut text = source.text[start..end].to_string();
    text.push('\n');
    Some(text)
}

/// A relative path as a URI reference: RFC 3986 unreserved characters and `/` as they are, every other
/// byte percent-encoded.
fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri_path("x/a b&é.proto"), "x/a%20b%26%C3%A9.proto");
    }

    #[test]
    fn tab_columns_become_code_point_columns() {
        let src = SourceFile::new("a\n\tint32 Bad = 1;\n".into());
        assert_eq!(code_point_column(Some(&src), 2, 11), 8);
        assert_eq!(code_point_column(Some(&src), 2, 14), 11);
        assert_eq!(code_point_column(None, 2, 11), 11);
        // exclusive end just past the last character, and beyond
        let abc = SourceFile::new("abc".into());
        assert_eq!(code_point_column(Some(&abc), 1, 4), 4);
        assert_eq!(code_point_column(Some(&abc), 1, 6), 6);
    }
}

//! A YAML document as a tree of nodes with byte spans, and decoding helpers that follow the rules
//! of the YAML library buf uses (gopkg.in/yaml.v3 in strict mode), so that a file buf accepts is
//! accepted here and a file buf rejects is rejected here, with the file, line and column.
//!
//! The rules mirrored (each checked against buf 1.75):
//! - only the first document of a stream is read; an empty stream is an error;
//! - a null value (`~`, `null`, empty) decodes to the zero value of the target;
//! - any non-null scalar decodes into a string target as its text (`version: 1` is `"1"`);
//! - a bool target takes `true`/`false` (plain) and, for YAML 1.1 compatibility, `y`, `yes`,
//!   `on`, `n`, `no`, `off` (and their capitalised forms, quoted or not); anything else is an error;
//! - unknown keys and duplicate keys in a mapping are errors;
//! - a sequence or mapping where a scalar is expected (and the other way round) is an error.

use std::collections::HashMap;

use granit_parser::{Event, Parser, ScalarStyle};

use crate::{Error, Result};

/// One YAML node and where it is in the source (byte offsets).
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub value: Value,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone)]
pub(crate) enum Value {
    Null,
    Scalar { text: String, plain: bool },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The YAML type name of the node, as buf's messages spell it (`!!str`, `!!seq`, ...).
    pub fn tag(&self) -> &'static str {
        match &self.value {
            Value::Null => "!!null",
            Value::Seq(_) => "!!seq",
            Value::Map(_) => "!!map",
            Value::Scalar { text, plain } => {
                if !plain {
                    "!!str"
                } else if is_plain_bool(text) {
                    "!!bool"
                } else if is_plain_int(text) {
                    "!!int"
                } else if is_plain_float(text) {
                    "!!float"
                } else {
                    "!!str"
                }
            }
        }
    }

    /// The node as JSON, as buf hands YAML values to JSON consumers (plugin options): plain
    /// `true`/`false`, integers and floats keep their type, every other scalar is a string.
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Scalar { text, plain } => {
                if *plain {
                    match text.as_str() {
                        "true" | "True" | "TRUE" => return serde_json::Value::Bool(true),
                        "false" | "False" | "FALSE" => return serde_json::Value::Bool(false),
                        _ => {}
                    }
                    if let Ok(i) = text.parse::<i64>() {
                        return serde_json::Value::from(i);
                    }
                    if self.tag() == "!!float" {
                        if let Some(n) = text
                            .parse::<f64>()
                            .ok()
                            .and_then(serde_json::Number::from_f64)
                        {
                            return serde_json::Value::Number(n);
                        }
                    }
                }
                serde_json::Value::String(text.clone())
            }
            Value::Seq(items) => {
                serde_json::Value::Array(items.iter().map(Node::to_json).collect())
            }
            Value::Map(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| {
                        let key = match &k.value {
                            Value::Scalar { text, .. } => text.clone(),
                            _ => String::new(),
                        };
                        (key, v.to_json())
                    })
                    .collect(),
            ),
        }
    }

    fn describe(&self) -> String {
        match &self.value {
            Value::Scalar { text, .. } => format!("{} `{}`", self.tag(), text),
            _ => self.tag().to_string(),
        }
    }
}

fn is_plain_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

fn is_plain_bool(text: &str) -> bool {
    matches!(text, "true" | "True" | "TRUE" | "false" | "False" | "FALSE")
}

fn is_plain_int(text: &str) -> bool {
    let t = text
        .strip_prefix(['-', '+'])
        .unwrap_or(text)
        .replace('_', "");
    if t.is_empty() {
        return false;
    }
    if let Some(hex) = t.strip_prefix("0x") {
        return !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit());
    }
    if let Some(oct) = t.strip_prefix("0o") {
        return !oct.is_empty() && oct.chars().all(|c| ('0'..='7').contains(&c));
    }
    if let Some(bin) = t.strip_prefix("0b") {
        return !bin.is_empty() && bin.chars().all(|c| c == '0' || c == '1');
    }
    t.chars().all(|c| c.is_ascii_digit())
}

fn is_plain_float(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    if matches!(lower.as_str(), ".inf" | "-.inf" | "+.inf" | ".nan") {
        return true;
    }
    let t = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (mantissa, None),
    };
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = match frac_part {
        Some(frac) => digits(int_part) && digits(frac) && !(int_part.is_empty() && frac.is_empty()),
        None => !int_part.is_empty() && digits(int_part),
    };
    let exponent_ok = match exponent {
        Some(e) => {
            let e = e.strip_prefix(['-', '+']).unwrap_or(e);
            !e.is_empty() && digits(e)
        }
        None => true,
    };
    mantissa_ok && exponent_ok
}

/// A config file's text with its display name, for errors that point into it.
#[derive(Clone, Copy)]
pub(crate) struct Source<'a> {
    pub file: &'a str,
    pub text: &'a str,
    /// The text is `--config` data that is valid JSON: buf decodes it as JSON first, where a
    /// repeated key is not an error (the last one wins).
    pub json: bool,
}

impl<'a> Source<'a> {
    /// An error pointing at a node.
    pub fn error_at(&self, node: &Node, message: impl Into<String>) -> Error {
        let len = node.end.saturating_sub(node.start).max(1);
        Error::new(message).at(self.file, self.text, node.start, len)
    }

    /// An error pointing at a byte offset.
    pub fn error_at_offset(&self, offset: usize, message: impl Into<String>) -> Error {
        Error::new(message).at(self.file, self.text, offset, 1)
    }

    fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        self.text.as_bytes()[..offset]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    }

    /// Parses the first YAML document of the text. `None` when the stream has no document
    /// (an empty file or only comments), which buf reports as an error.
    pub fn parse(&self) -> Result<Option<Node>> {
        let char_to_byte = CharToByte::new(self.text);
        let mut builder = TreeBuilder::default();
        for next in Parser::new_from_str(self.text) {
            let (event, span) = match next {
                Ok(ok) => ok,
                Err(err) => {
                    let marker = err.marker();
                    let offset = marker
                        .byte_offset()
                        .unwrap_or_else(|| char_to_byte.get(marker.index()));
                    return Err(self
                        .error_at_offset(offset, format!("invalid YAML: {}", err.info()))
                        .with_help(
                            "fix the YAML syntax (indentation, quotes, brackets) at this position",
                        ));
                }
            };
            let start = span
                .start
                .byte_offset()
                .unwrap_or_else(|| char_to_byte.get(span.start.index()));
            let end = span
                .end
                .byte_offset()
                .unwrap_or_else(|| char_to_byte.get(span.end.index()));
            match event {
                Event::StreamStart => {}
                Event::DocumentStart(_, version) => {
                    // buf's YAML library only reads YAML 1.1 documents when a %YAML directive is given.
                    if let Some(v) = version.filter(|v| (v.major, v.minor) != (1, 1)) {
                        return Err(self
                            .error_at_offset(start, format!("found incompatible YAML document (%YAML {}.{})", v.major, v.minor))
                            .with_help("remove the %YAML directive (or use %YAML 1.1), as buf rejects other versions"));
                    }
                }
                Event::StreamEnd => break,
                Event::DocumentEnd if builder.root.is_some() => break,
                Event::Scalar(text, style, anchor, tag) => {
                    let tagged = |suffix: &str| {
                        tag.as_ref()
                            .is_some_and(|t| t.is_yaml_core_schema_tag(suffix))
                    };
                    // An explicit core tag must match the text, as in buf's YAML library.
                    for (suffix, matches) in [
                        ("int", is_plain_int as fn(&str) -> bool),
                        ("float", |t: &str| is_plain_float(t) || is_plain_int(t)),
                        ("bool", is_plain_bool),
                        ("null", is_plain_null),
                    ] {
                        if tagged(suffix) && !matches(&text) {
                            return Err(self.error_at_offset(
                                start,
                                format!("cannot decode !!str `{text}` as a !!{suffix}"),
                            ));
                        }
                    }
                    let plain = (style == ScalarStyle::Plain && !tagged("str"))
                        || ["int", "float", "bool", "null"].iter().any(|s| tagged(s));
                    let value = if plain && is_plain_null(&text) {
                        Value::Null
                    } else {
                        Value::Scalar {
                            text: text.into_owned(),
                            plain,
                        }
                    };
                    builder.push_node(Node { value, start, end }, anchor);
                }
                Event::SequenceStart(_, anchor, _) => builder.open(start, anchor, false),
                Event::MappingStart(_, anchor, _) => builder.open(start, anchor, true),
                Event::SequenceEnd | Event::MappingEnd => builder.close(end),
                Event::Alias(id) => {
                    // Aliases are expanded; bound the expansion (a "billion laughs" file would
                    // otherwise exhaust memory), as buf's YAML library does.
                    builder.expanded += builder.anchor_sizes.get(&id).copied().unwrap_or(1);
                    if builder.expanded > MAX_ALIAS_EXPANSION {
                        return Err(self
                            .error_at_offset(start, "document contains excessive aliasing")
                            .with_help("expand the aliases by hand, or reuse fewer of them"));
                    }
                    let node = builder.anchors.get(&id).cloned().unwrap_or(Node {
                        value: Value::Null,
                        start,
                        end,
                    });
                    builder.push_node(node, 0);
                }
                _ => {}
            }
        }
        let mut root = builder.root;
        if self.json {
            if let Some(root) = &mut root {
                last_key_wins(root);
            }
        }
        Ok(root)
    }

    /// The keys of a mapping node, checked against the keys the target accepts: unknown and
    /// duplicate keys are errors. A null node is an empty mapping. `what` names the target in
    /// messages (`lint`, `modules[0]`); `hint` may add help for a given unknown key.
    pub fn fields<'n>(
        &self,
        node: &'n Node,
        what: &str,
        allowed: &[&'static str],
        hint: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Fields<'n>> {
        let entries = match &node.value {
            Value::Null => {
                return Ok(Fields {
                    entries: Vec::new(),
                })
            }
            Value::Map(entries) => entries,
            _ => {
                return Err(self
                    .error_at(
                        node,
                        format!(
                            "cannot unmarshal {} into {what}: expected a mapping of keys",
                            node.describe()
                        ),
                    )
                    .with_help(format!("{what} takes the keys: {}", allowed.join(", "))));
            }
        };
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut out = Vec::new();
        for (key, value) in entries {
            let name = match &key.value {
                Value::Scalar { text, .. } => text.clone(),
                Value::Null => String::new(),
                _ => {
                    return Err(self.error_at(
                        key,
                        format!("a key of {what} must be a string, found {}", key.describe()),
                    ));
                }
            };
            if let Some(first) = seen.get(&name) {
                return Err(self
                    .error_at(
                        key,
                        format!(
                            "mapping key \"{name}\" already defined at line {}",
                            self.line_of(*first)
                        ),
                    )
                    .with_help("remove one of the two entries"));
            }
            seen.insert(name.clone(), key.start);
            let Some(known) = allowed.iter().find(|k| **k == name) else {
                let keys = format!("{what} takes the keys: {}", allowed.join(", "));
                let help = hint(&name).unwrap_or_else(|| match closest(&name, allowed) {
                    Some(close) => format!("did you mean `{close}`? {keys}"),
                    None => keys,
                });
                return Err(self
                    .error_at(key, format!("unknown key \"{name}\" in {what}"))
                    .with_help(help));
            };
            out.push((*known, key, value));
        }
        Ok(Fields { entries: out })
    }

    /// A string target: null is `""`, any scalar is its text.
    pub fn string(&self, node: &Node, what: &str) -> Result<String> {
        match &node.value {
            Value::Null => Ok(String::new()),
            Value::Scalar { text, .. } => Ok(text.clone()),
            _ => Err(self.error_at(
                node,
                format!(
                    "cannot unmarshal {} into {what}: expected a string",
                    node.describe()
                ),
            )),
        }
    }

    /// A bool target (see the module docs for the accepted spellings).
    pub fn bool(&self, node: &Node, what: &str) -> Result<bool> {
        let bad = || {
            self.error_at(
                node,
                format!(
                    "cannot unmarshal {} into {what}: expected a boolean",
                    node.describe()
                ),
            )
            .with_help("use true or false")
        };
        match &node.value {
            Value::Null => Ok(false),
            Value::Scalar { text, plain } => {
                if *plain {
                    match text.as_str() {
                        "true" | "True" | "TRUE" => return Ok(true),
                        "false" | "False" | "FALSE" => return Ok(false),
                        _ => {}
                    }
                }
                match text.as_str() {
                    "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Ok(true),
                    "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Ok(false),
                    _ => Err(bad()),
                }
            }
            _ => Err(bad()),
        }
    }

    /// A list-of-strings target: null is empty; each element as [`Source::string`].
    pub fn strings<'n>(&self, node: &'n Node, what: &str) -> Result<Vec<(String, &'n Node)>> {
        match &node.value {
            Value::Null => Ok(Vec::new()),
            // As in buf's YAML library, null items of a list are dropped.
            Value::Seq(items) => items
                .iter()
                .filter(|item| !matches!(item.value, Value::Null))
                .map(|item| Ok((self.string(item, what)?, item)))
                .collect(),
            _ => Err(self
                .error_at(
                    node,
                    format!(
                        "cannot unmarshal {} into {what}: expected a list of strings",
                        node.describe()
                    ),
                )
                .with_help(format!(
                    "write it as a list: `[{}]` or one `- item` per line",
                    scalar_text(node)
                ))),
        }
    }

    /// A map of string to list of strings (`ignore_only`).
    #[allow(clippy::type_complexity)]
    pub fn string_to_strings<'n>(
        &self,
        node: &'n Node,
        what: &str,
    ) -> Result<Vec<(String, &'n Node, Vec<(String, &'n Node)>)>> {
        let entries = match &node.value {
            Value::Null => return Ok(Vec::new()),
            Value::Map(entries) => entries,
            _ => {
                return Err(self
                    .error_at(node, format!("cannot unmarshal {} into {what}: expected a mapping of rule or category IDs to lists of paths", node.describe())));
            }
        };
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut out = Vec::new();
        for (key, value) in entries {
            let name = self.string(key, &format!("a key of {what}"))?;
            if let Some(first) = seen.get(&name) {
                return Err(self
                    .error_at(
                        key,
                        format!(
                            "mapping key \"{name}\" already defined at line {}",
                            self.line_of(*first)
                        ),
                    )
                    .with_help("merge the two lists under one key"));
            }
            seen.insert(name.clone(), key.start);
            let values = self.strings(value, &format!("{what}.{name}"))?;
            out.push((name, key, values));
        }
        Ok(out)
    }
}

/// The allowed key nearest to a misspelt one, when it is close enough to be a typo.
fn closest<'a>(name: &str, allowed: &[&'a str]) -> Option<&'a str> {
    let limit = (name.len() / 4).clamp(1, 3);
    allowed
        .iter()
        .map(|k| (edit_distance(name, k), *k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

fn scalar_text(node: &Node) -> String {
    match &node.value {
        Value::Scalar { text, .. } => text.clone(),
        _ => "...".to_string(),
    }
}

/// The known keys of a mapping with their key and value nodes, in document order.
pub(crate) struct Fields<'n> {
    entries: Vec<(&'static str, &'n Node, &'n Node)>,
}

impl<'n> Fields<'n> {
    /// The value node of a key, when present.
    pub fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, _, v)| *v)
    }

    /// The key node of a key, when present (for errors about the key itself).
    pub fn key_node(&self, key: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, k, _)| *k)
    }
}

#[derive(Default)]
struct TreeBuilder {
    stack: Vec<Open>,
    anchors: HashMap<usize, Node>,
    /// Node count of each anchored subtree.
    anchor_sizes: HashMap<usize, usize>,
    /// Nodes added by alias expansion so far.
    expanded: usize,
    root: Option<Node>,
}

/// At most this many nodes may come from expanding aliases.
const MAX_ALIAS_EXPANSION: usize = 100_000;

fn node_count(node: &Node) -> usize {
    1 + match &node.value {
        Value::Seq(items) => items.iter().map(node_count).sum(),
        Value::Map(entries) => entries
            .iter()
            .map(|(k, v)| node_count(k) + node_count(v))
            .sum(),
        _ => 0,
    }
}

struct Open {
    start: usize,
    anchor: usize,
    is_map: bool,
    items: Vec<Node>,
}

impl TreeBuilder {
    fn open(&mut self, start: usize, anchor: usize, is_map: bool) {
        self.stack.push(Open {
            start,
            anchor,
            is_map,
            items: Vec::new(),
        });
    }

    fn close(&mut self, end: usize) {
        let Some(open) = self.stack.pop() else { return };
        let value = if open.is_map {
            let mut pairs = Vec::with_capacity(open.items.len() / 2);
            let mut items = open.items.into_iter();
            while let Some(key) = items.next() {
                let value = items.next().unwrap_or(Node {
                    value: Value::Null,
                    start: key.end,
                    end: key.end,
                });
                pairs.push((key, value));
            }
            Value::Map(expand_merge_keys(pairs))
        } else {
            Value::Seq(open.items)
        };
        self.push_node(
            Node {
                value,
                start: open.start,
                end: end.max(open.start),
            },
            open.anchor,
        );
    }

    fn push_node(&mut self, node: Node, anchor: usize) {
        if anchor != 0 {
            self.anchor_sizes.insert(anchor, node_count(&node));
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            Some(parent) => parent.items.push(node),
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
        }
    }
}

/// Drops the earlier entries of repeated mapping keys (JSON decoding semantics).
fn last_key_wins(node: &mut Node) {
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(last_key_wins),
        Value::Map(entries) => {
            let key_of = |k: &Node| match &k.value {
                Value::Scalar { text, .. } => Some(text.clone()),
                _ => None,
            };
            let mut kept: Vec<(Node, Node)> = Vec::new();
            for (key, mut value) in std::mem::take(entries) {
                last_key_wins(&mut value);
                let name = key_of(&key);
                if name.is_some() {
                    kept.retain(|(k, _)| key_of(k) != name);
                }
                kept.push((key, value));
            }
            *entries = kept;
        }
        _ => {}
    }
}

/// YAML merge keys (`<<: *defaults`, `<<: [*a, *b]`), as buf's YAML library reads them: the
/// merged mappings' entries are added unless the mapping sets the key itself (earlier merged
/// mappings win over later ones).
fn expand_merge_keys(pairs: Vec<(Node, Node)>) -> Vec<(Node, Node)> {
    let is_merge =
        |key: &Node| matches!(&key.value, Value::Scalar { text, plain: true } if text == "<<");
    if !pairs.iter().any(|(k, _)| is_merge(k)) {
        return pairs;
    }
    let key_text = |key: &Node| match &key.value {
        Value::Scalar { text, .. } => Some(text.clone()),
        _ => None,
    };
    let explicit: Vec<Option<String>> = pairs
        .iter()
        .filter(|(k, _)| !is_merge(k))
        .map(|(k, _)| key_text(k))
        .collect();
    let mut out = Vec::new();
    let mut merged: Vec<Option<String>> = Vec::new();
    for (key, value) in pairs {
        if !is_merge(&key) {
            out.push((key, value));
            continue;
        }
        let sources = match value.value {
            Value::Map(entries) => vec![entries],
            Value::Seq(items) => items
                .into_iter()
                .filter_map(|item| match item.value {
                    Value::Map(entries) => Some(entries),
                    _ => None,
                })
                .collect(),
            _ => {
                // Not a mapping: keep it, so that decoding reports the key.
                out.push((key, value));
                continue;
            }
        };
        for entries in sources {
            for (k, v) in entries {
                let text = key_text(&k);
                if !explicit.contains(&text) && !merged.contains(&text) {
                    merged.push(text);
                    out.push((k, v));
                }
            }
        }
    }
    out
}

/// Converts character indices to byte offsets (the parser reports characters when it has no
/// byte offset).
struct CharToByte<'a> {
    text: &'a str,
}

impl<'a> CharToByte<'a> {
    fn new(text: &'a str) -> Self {
        CharToByte { text }
    }

    fn get(&self, char_index: usize) -> usize {
        self.text
            .char_indices()
            .nth(char_index)
            .map(|(i, _)| i)
            .unwrap_or(self.text.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Node {
        Source {
            file: "t.yaml",
            text,
            json: false,
        }
        .parse()
        .expect("parses")
        .expect("has a document")
    }

    #[test]
    fn spans_are_byte_offsets() {
        let text = "# é comment\nversion: v1\nlint:\n  use: [A]\n";
        let root = parse(text);
        let Value::Map(entries) = &root.value else {
            panic!("map")
        };
        let (key, value) = &entries[0];
        assert_eq!(&text[key.start..key.end], "version");
        assert_eq!(&text[value.start..value.end], "v1");
    }

    #[test]
    fn plain_scalars_resolve_like_go_yaml() {
        assert!(is_plain_int("12") && is_plain_int("0x1F") && is_plain_int("-1_000"));
        assert!(!is_plain_int("v1") && !is_plain_int(""));
        assert!(
            is_plain_float("1.5")
                && is_plain_float(".5")
                && is_plain_float("1e3")
                && is_plain_float(".inf")
        );
        assert!(!is_plain_float("1.2.3") && !is_plain_float("e3"));
        let root = parse("a: ~\nb: null\nc:\nd: '~'\n");
        let Value::Map(entries) = &root.value else {
            panic!("map")
        };
        assert!(matches!(entries[0].1.value, Value::Null));
        assert!(matches!(entries[1].1.value, Value::Null));
        assert!(matches!(entries[2].1.value, Value::Null));
        assert!(matches!(entries[3].1.value, Value::Scalar { .. }));
    }

    #[test]
    fn bools_follow_yaml_v3() {
        let src = Source {
            file: "t.yaml",
            text: "",
            json: false,
        };
        let node = |text: &str, plain: bool| Node {
            value: Value::Scalar {
                text: text.into(),
                plain,
            },
            start: 0,
            end: 0,
        };
        assert!(src.bool(&node("true", true), "x").unwrap());
        assert!(src.bool(&node("yes", true), "x").unwrap());
        assert!(src.bool(&node("yes", false), "x").unwrap());
        assert!(!src.bool(&node("Off", true), "x").unwrap());
        assert!(src.bool(&node("true", false), "x").is_err());
        assert!(src.bool(&node("1", true), "x").is_err());
    }

    #[test]
    fn only_the_first_document_is_read_and_aliases_resolve() {
        let root = parse("a: &x [1, 2]\nb: *x\n---\nc: 3\n");
        let Value::Map(entries) = &root.value else {
            panic!("map")
        };
        assert_eq!(entries.len(), 2);
        assert!(matches!(&entries[1].1.value, Value::Seq(items) if items.len() == 2));
    }

    #[test]
    fn typos_get_a_suggestion() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(
            closest("allow_coment_ignores", &["use", "allow_comment_ignores"]),
            Some("allow_comment_ignores")
        );
        assert_eq!(closest("excludes", &["use", "except"]), None);
        assert_eq!(closest("Lint", &["lint", "breaking"]), Some("lint"));
    }

    #[test]
    fn merge_keys_and_explicit_tags() {
        let root = parse("base: &b {use: [A], except: [B]}\nlint:\n  <<: *b\n  use: [C]\n");
        let Value::Map(entries) = &root.value else {
            panic!("map")
        };
        let Value::Map(lint) = &entries[1].1.value else {
            panic!("lint map")
        };
        let keys: Vec<String> = lint
            .iter()
            .map(|(k, _)| match &k.value {
                Value::Scalar { text, .. } => text.clone(),
                _ => String::new(),
            })
            .collect();
        assert_eq!(keys, ["except", "use"]);
        assert!(Source {
            file: "t.yaml",
            text: "version: !!int v1\n",
            json: false,
        }
        .parse()
        .is_err());
        assert!(Source {
            file: "t.yaml",
            text: "version: !!int 1\n",
            json: false,
        }
        .parse()
        .is_ok());
    }

    #[test]
    fn alias_expansion_is_bounded() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let err = Source {
            file: "t.yaml",
            text: &text,
            json: false,
        }
        .parse()
        .expect_err("bounded");
        assert!(err.message().contains("excessive aliasing"), "{err}");
    }

    #[test]
    fn empty_stream_has_no_document() {
        assert!(Source {
            file: "t.yaml",
            text: "",
            json: false,
        }
        .parse()
        .unwrap()
        .is_none());
        assert!(Source {
            file: "t.yaml",
            text: "# only a comment\n",
            json: false,
        }
        .parse()
        .unwrap()
        .is_none());
    }
}

//! CEL rules (`cel = {id, message, expression}`) on fields, messages and predefined rules: ids,
//! expressions that parse (cel crate, cel-go's grammar and messages) and type-check
//! (`cel_types`), and the result type (bool or string).

use std::collections::BTreeMap;

use prost_reflect::{DescriptorPool, DynamicMessage, Value};

use super::cel_types::{Checker, Ty};
use super::field::Target;
use super::gofmt::go_quote;
use super::report::Reporter;
use super::Validate;
use crate::lint::Sink;

/// `cel` in `FieldRules`.
const FIELD_CEL: i32 = 23;

/// One `buf.validate.Rule`.
pub struct CelRule {
    pub id: String,
    pub message: String,
    pub expression: String,
}

/// How findings name the place of a list of rules.
pub struct CelSite {
    /// `message "Foo"`, `field "bar"`, `extension field`.
    pub parent: String,
    pub parent_capitalized: String,
    /// `(buf.validate.message).cel`, `(buf.validate.field).repeated.items.cel`.
    pub rule_name: String,
}

/// The `buf.validate.Rule` list in field `name` of `rules`.
pub fn rules_of(rules: &DynamicMessage, name: &str) -> Vec<CelRule> {
    let Some(Value::List(items)) = rules.get_field_by_name(name).map(|v| v.into_owned()) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|v| match v {
            Value::Message(m) => {
                let s = |n: &str| {
                    m.get_field_by_name(n)
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                };
                Some(CelRule {
                    id: s("id"),
                    message: s("message"),
                    expression: s("expression"),
                })
            }
            _ => None,
        })
        .collect()
}

/// `cel` rules of a field (`this` is the field's value, or one item when `for_items`).
pub(crate) fn check_field_cel(
    v: &Validate,
    r: &Reporter,
    rules: &DynamicMessage,
    target: &Target,
    for_items: bool,
    out: &mut Sink,
) {
    let list = rules_of(rules, "cel");
    if list.is_empty() {
        return;
    }
    let this = if for_items {
        Ty::of_field(&target.kind, false, false)
    } else {
        Ty::of_field(&target.kind, target.is_list, target.is_map)
    };
    let site = CelSite {
        parent: format!("field {:?}", r.field_name),
        parent_capitalized: format!("Field {:?}", r.field_name),
        rule_name: r.rule_name(&[FIELD_CEL]),
    };
    let mut add = |index: usize, message: String| {
        r.add(out, &[FIELD_CEL, index as i32], message);
    };
    check_rules(&v.pool, &site, &list, &[("this", this)], &mut add);
}

fn valid_id(id: &str) -> bool {
    id.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
}

/// Checks a list of CEL rules; `add(index, message)` reports at rule `index`.
pub(crate) fn check_rules(
    pool: &DescriptorPool,
    site: &CelSite,
    rules: &[CelRule],
    vars: &[(&str, Ty)],
    add: &mut dyn FnMut(usize, String),
) {
    let CelSite {
        parent,
        parent_capitalized: cap,
        rule_name: name,
    } = site;
    let mut ids: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, rule) in rules.iter().enumerate() {
        if !rule.id.is_empty() {
            if !valid_id(&rule.id) {
                add(i, format!(
                    "{cap} has invalid characters for {name}.id. IDs must contain only characters a-z, A-Z, 0-9, '.', '_', '-'."
                ));
            }
            ids.entry(&rule.id).or_default().push(i);
        }
        if rule.expression.is_empty() {
            add(
                i,
                format!(
                    "{cap} has an empty {name}.expression. Expressions should always be specified."
                ),
            );
            continue;
        }
        let (ty, issues) = compile(pool, &rule.expression, vars);
        match &ty {
            Some(Ty::String) => {
                if !rule.message.is_empty() {
                    add(i, format!(
                        "{cap} has a {name} with an expression that evaluates to a string, and also has a message. The message is redundant - since the expression evaluates to a string, its result will be printed instead of the message, so the message should be removed."
                    ));
                }
            }
            Some(Ty::Bool | Ty::Dyn | Ty::Error) | None => {}
            Some(other) => add(
                i,
                format!(
                    "{name}.expression on {parent} evaluates to a {other}, only string and boolean are allowed."
                ),
            ),
        }
        for issue in issues {
            add(
                i,
                format!("{name}.expression on {parent} fails to compile: {issue}"),
            );
        }
    }
    for (id, indexes) in ids {
        if indexes.len() > 1 {
            for i in indexes {
                add(
                    i,
                    format!(
                        "{name}.id ({}) is not unique within {parent}.",
                        go_quote(id)
                    ),
                );
            }
        }
    }
}

/// Tokens that only continue an expression (binary operators, `?`, index, select).
const CONTINUATIONS: &[&str] = &[
    "'=='", "'!='", "'in'", "'<'", "'<='", "'>='", "'>'", "'&&'", "'||'", "'['", "'.'", "'-'",
    "'?'", "'+'", "'*'", "'/'", "'%'",
];

/// A syntax error worded as cel-go's: where an expression could go on, ANTLR's Go runtime lists
/// only what the enclosing rule expects (`expecting ':'`), the Rust one also every operator that
/// could continue the expression.
fn like_cel_go(message: &str) -> String {
    let Some((head, set)) = message.split_once(" expecting {") else {
        return message.to_string();
    };
    let Some(set) = set.strip_suffix('}') else {
        return message.to_string();
    };
    let tokens: Vec<&str> = set.split(", ").collect();
    if !tokens.contains(&"'=='") {
        return message.to_string();
    }
    let kept: Vec<&str> = tokens
        .into_iter()
        .filter(|t| !CONTINUATIONS.contains(t))
        .collect();
    match kept.as_slice() {
        [] => message.to_string(),
        [one] => format!("{head} expecting {one}"),
        more => format!("{head} expecting {{{}}}", more.join(", ")),
    }
}

/// Parses and checks one expression: its type (`None` when it does not parse) and the issues.
fn compile(
    pool: &DescriptorPool,
    expression: &str,
    vars: &[(&str, Ty)],
) -> (Option<Ty>, Vec<String>) {
    let parsed =
        crate::limits::catch_dependency_panic(|| cel::parser::Parser::new().parse(expression));
    let ast = match parsed {
        Some(Ok(ast)) => ast,
        Some(Err(errors)) => {
            let issues = errors
                .errors
                .iter()
                .map(|e| e.msg.strip_prefix("Syntax error: ").unwrap_or(&e.msg))
                // The cel crate adds notes of its own after a syntax error; cel-go does not.
                .filter(|m| !m.starts_with("Incomplete `"))
                .map(like_cel_go)
                .collect();
            return (None, issues);
        }
        // The parser must not take the lint down; an expression it cannot handle is not judged.
        None => return (None, Vec::new()),
    };
    let mut checker = Checker::new(pool, vars);
    let ty = checker.check(&ast);
    let ty = if checker.errors.is_empty() {
        ty
    } else {
        Ty::Error
    };
    (Some(ty), checker.errors)
}

#[cfg(test)]
mod tests {
    use prost_reflect::{DescriptorPool, Value};

    use super::*;

    fn validate_pool() -> DescriptorPool {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/lint/PROTOVALIDATE");
        let mut compiler = protox::Compiler::new([root]).expect("include root");
        compiler
            .open_file("buf/validate/validate.proto")
            .expect("validate.proto compiles");
        compiler.descriptor_pool()
    }

    /// protovalidate's own standard rules are CEL that cel-go accepts: the checker must too
    /// (`this` is the rule type's value, `rules` the rules message, `rule` the rule field).
    #[test]
    fn standard_rules_type_check() {
        let pool = validate_pool();
        let predefined = pool
            .get_extension_by_name("buf.validate.predefined")
            .expect("predefined");
        let mut checked = 0;
        let mut failures = Vec::new();
        for md in pool.all_messages() {
            let Some(this) = Ty::for_rules_message(&pool, md.name()) else {
                continue;
            };
            if !md.full_name().starts_with("buf.validate.") {
                continue;
            }
            for field in md.fields() {
                let options = field.options();
                if !options.has_extension(&predefined) {
                    continue;
                }
                let Value::Message(rules) = options.get_extension(&predefined).into_owned() else {
                    continue;
                };
                let rule = Ty::of_field(&field.kind(), field.is_list(), field.is_map());
                let vars = [
                    ("this", this.clone()),
                    ("rules", Ty::Message(md.clone())),
                    ("rule", rule),
                ];
                for r in rules_of(&rules, "cel") {
                    let (ty, issues) = compile(&pool, &r.expression, &vars);
                    if !issues.is_empty() || !matches!(ty, Some(Ty::Bool | Ty::String | Ty::Dyn)) {
                        failures.push(format!("{}: {:?}: {ty:?} {issues:?}", r.id, r.expression));
                    }
                    checked += 1;
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        assert!(checked > 300, "only {checked} rules found");
    }
}

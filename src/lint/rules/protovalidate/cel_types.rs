//! A small CEL type checker over the cel crate's AST, after cel-go's: declared variables, fields
//! of proto messages (from the pool), the standard operators and functions, and protovalidate's
//! extension functions. It reports only what it is sure of: anything it does not know types as
//! `dyn`, which cel-go accepts everywhere.

use prost_reflect::{DescriptorPool, Kind, MessageDescriptor};

use cel::common::ast::{EntryExpr, Expr, IdedExpr, LiteralValue};

use super::cel_funcs::overload;

/// A CEL type.
#[derive(Debug, Clone)]
pub enum Ty {
    Dyn,
    /// A subexpression that already failed: no further errors about it.
    Error,
    Null,
    Bool,
    Int,
    Uint,
    Double,
    String,
    Bytes,
    Duration,
    Timestamp,
    List(Box<Ty>),
    Map(Box<Ty>, Box<Ty>),
    Message(MessageDescriptor),
    /// A wrapper type (`google.protobuf.Int32Value` is `wrapper(int)`).
    Wrapper(Box<Ty>),
    /// A type value (`int`, `google.protobuf.Timestamp`).
    Type,
}

impl PartialEq for Ty {
    fn eq(&self, other: &Ty) -> bool {
        use Ty::*;
        match (self, other) {
            (List(a), List(b)) | (Wrapper(a), Wrapper(b)) => a == b,
            (Map(a, b), Map(c, d)) => a == c && b == d,
            (Message(a), Message(b)) => a.full_name() == b.full_name(),
            _ => std::mem::discriminant(self) == std::mem::discriminant(other),
        }
    }
}

impl std::fmt::Display for Ty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ty::Dyn => write!(f, "dyn"),
            Ty::Error => write!(f, "*error*"),
            Ty::Null => write!(f, "null_type"),
            Ty::Bool => write!(f, "bool"),
            Ty::Int => write!(f, "int"),
            Ty::Uint => write!(f, "uint"),
            Ty::Double => write!(f, "double"),
            Ty::String => write!(f, "string"),
            Ty::Bytes => write!(f, "bytes"),
            Ty::Duration => write!(f, "duration"),
            Ty::Timestamp => write!(f, "timestamp"),
            Ty::List(e) => write!(f, "list({e})"),
            Ty::Map(k, v) => write!(f, "map({k}, {v})"),
            Ty::Message(m) => write!(f, "{}", m.full_name()),
            Ty::Wrapper(t) => write!(f, "wrapper({t})"),
            Ty::Type => write!(f, "type"),
        }
    }
}

impl Ty {
    /// The CEL type of a proto field value (`is_list`/`is_map` for the whole field).
    pub fn of_field(kind: &Kind, is_list: bool, is_map: bool) -> Ty {
        if is_map {
            if let Kind::Message(entry) = kind {
                let part = |n| {
                    entry
                        .get_field(n)
                        .map(|f| Ty::of_field(&f.kind(), false, false))
                        .unwrap_or(Ty::Dyn)
                };
                return Ty::Map(Box::new(part(1)), Box::new(part(2)));
            }
        }
        let elem = match kind {
            Kind::Double | Kind::Float => Ty::Double,
            Kind::Int32 | Kind::Int64 | Kind::Sint32 | Kind::Sint64 | Kind::Sfixed32 => Ty::Int,
            Kind::Sfixed64 | Kind::Enum(_) => Ty::Int,
            Kind::Uint32 | Kind::Uint64 | Kind::Fixed32 | Kind::Fixed64 => Ty::Uint,
            Kind::Bool => Ty::Bool,
            Kind::String => Ty::String,
            Kind::Bytes => Ty::Bytes,
            Kind::Message(m) => Ty::of_message(m),
        };
        if is_list {
            Ty::List(Box::new(elem))
        } else {
            elem
        }
    }

    /// Well-known messages map to CEL's own types.
    pub fn of_message(m: &MessageDescriptor) -> Ty {
        match m.full_name() {
            "google.protobuf.Duration" => Ty::Duration,
            "google.protobuf.Timestamp" => Ty::Timestamp,
            "google.protobuf.Any" | "google.protobuf.Value" => Ty::Dyn,
            "google.protobuf.Struct" => Ty::Map(Box::new(Ty::String), Box::new(Ty::Dyn)),
            "google.protobuf.ListValue" => Ty::List(Box::new(Ty::Dyn)),
            "google.protobuf.BoolValue" => Ty::Wrapper(Box::new(Ty::Bool)),
            "google.protobuf.BytesValue" => Ty::Wrapper(Box::new(Ty::Bytes)),
            "google.protobuf.DoubleValue" | "google.protobuf.FloatValue" => {
                Ty::Wrapper(Box::new(Ty::Double))
            }
            "google.protobuf.Int32Value" | "google.protobuf.Int64Value" => {
                Ty::Wrapper(Box::new(Ty::Int))
            }
            "google.protobuf.UInt32Value" | "google.protobuf.UInt64Value" => {
                Ty::Wrapper(Box::new(Ty::Uint))
            }
            "google.protobuf.StringValue" => Ty::Wrapper(Box::new(Ty::String)),
            _ => Ty::Message(m.clone()),
        }
    }

    /// The type of `this` in a predefined rule on `buf.validate.<name>` (e.g. `StringRules`).
    pub fn for_rules_message(pool: &DescriptorPool, name: &str) -> Option<Ty> {
        let m = |n: &str| pool.get_message_by_name(n).map(|m| Ty::of_message(&m));
        Some(match name {
            "FloatRules" | "DoubleRules" => Ty::Double,
            "Int32Rules" | "Int64Rules" | "SInt32Rules" | "SInt64Rules" | "SFixed32Rules"
            | "SFixed64Rules" | "EnumRules" => Ty::Int,
            "UInt32Rules" | "UInt64Rules" | "Fixed32Rules" | "Fixed64Rules" => Ty::Uint,
            "BoolRules" => Ty::Bool,
            "StringRules" => Ty::String,
            "BytesRules" => Ty::Bytes,
            "RepeatedRules" => Ty::List(Box::new(Ty::Dyn)),
            "MapRules" => Ty::Map(Box::new(Ty::Dyn), Box::new(Ty::Dyn)),
            "DurationRules" => Ty::Duration,
            "TimestampRules" => Ty::Timestamp,
            "AnyRules" => m("google.protobuf.Any").unwrap_or(Ty::Dyn),
            "FieldMaskRules" => m("google.protobuf.FieldMask").unwrap_or(Ty::Dyn),
            _ => return None,
        })
    }

    pub(super) fn is_dyn(&self) -> bool {
        matches!(self, Ty::Dyn | Ty::Error)
    }

    pub(super) fn is_error(&self) -> bool {
        matches!(self, Ty::Error)
    }

    /// A wrapper is used as its primitive.
    pub(super) fn unwrap(&self) -> Ty {
        match self {
            Ty::Wrapper(t) => (**t).clone(),
            t => t.clone(),
        }
    }

    pub(super) fn is_number(&self) -> bool {
        matches!(self.unwrap(), Ty::Int | Ty::Uint | Ty::Double)
    }

    /// Whether a value of `other` may stand where `self` is expected (dyn on either side).
    pub(super) fn accepts(&self, other: &Ty) -> bool {
        if self.is_dyn() || other.is_dyn() {
            return true;
        }
        match (self.unwrap(), other.unwrap()) {
            (Ty::List(a), Ty::List(b)) => a.accepts(&b),
            (Ty::Map(a, b), Ty::Map(c, d)) => a.accepts(&c) && b.accepts(&d),
            (a, Ty::Null) | (Ty::Null, a) => {
                matches!(a, Ty::Message(_) | Ty::Timestamp | Ty::Duration)
                    || matches!(self, Ty::Wrapper(_))
                    || matches!(other, Ty::Wrapper(_))
            }
            (a, b) => a == b,
        }
    }

    /// The more precise of two compatible types.
    pub(super) fn join(&self, other: &Ty) -> Ty {
        if self.is_dyn() || matches!(self, Ty::Null) {
            return other.clone();
        }
        match (self, other) {
            (Ty::List(a), Ty::List(b)) => Ty::List(Box::new(a.join(b))),
            _ => self.clone(),
        }
    }
}

/// The checker of one expression: variables in scope, the pool for messages and enums, errors.
pub struct Checker<'a> {
    pool: &'a DescriptorPool,
    scopes: Vec<(String, Ty)>,
    pub errors: Vec<String>,
}

impl<'a> Checker<'a> {
    pub fn new(pool: &'a DescriptorPool, vars: &[(&str, Ty)]) -> Self {
        let mut scopes: Vec<(String, Ty)> = vars
            .iter()
            .map(|(n, t)| (n.to_string(), t.clone()))
            .collect();
        scopes.push(("now".into(), Ty::Timestamp));
        Checker {
            pool,
            scopes,
            errors: Vec::new(),
        }
    }

    fn var(&self, name: &str) -> Option<Ty> {
        self.scopes
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.clone())
    }

    fn error(&mut self, message: String) -> Ty {
        self.errors.push(message);
        Ty::Error
    }

    pub fn check(&mut self, e: &IdedExpr) -> Ty {
        match &e.expr {
            Expr::Literal(l) => match l {
                LiteralValue::Boolean(_) => Ty::Bool,
                LiteralValue::Bytes(_) => Ty::Bytes,
                LiteralValue::Double(_) => Ty::Double,
                LiteralValue::Int(_) => Ty::Int,
                LiteralValue::UInt(_) => Ty::Uint,
                LiteralValue::Null => Ty::Null,
                LiteralValue::String(_) => Ty::String,
            },
            Expr::Ident(name) => self.ident(name),
            Expr::Select(s) => {
                if let Some(t) = self.qualified(e) {
                    return t;
                }
                let operand = self.check(&s.operand);
                let t = self.select(&operand, &s.field);
                if s.test {
                    if t.is_error() {
                        return Ty::Error;
                    }
                    return Ty::Bool;
                }
                t
            }
            Expr::Call(c) => {
                let target = c.target.as_ref().map(|t| self.check(t));
                let args: Vec<Ty> = c.args.iter().map(|a| self.check(a)).collect();
                self.call(&c.func_name, target, args)
            }
            Expr::List(l) => {
                let mut elem = Ty::Dyn;
                let mut first = true;
                for el in &l.elements {
                    let t = self.check(el);
                    if first {
                        elem = t;
                        first = false;
                    } else if !elem.accepts(&t) {
                        elem = Ty::Dyn;
                    }
                }
                Ty::List(Box::new(elem))
            }
            Expr::Map(m) => {
                let (mut k, mut v) = (None::<Ty>, None::<Ty>);
                for entry in &m.entries {
                    if let EntryExpr::MapEntry(me) = &entry.expr {
                        let kt = self.check(&me.key);
                        let vt = self.check(&me.value);
                        k = Some(match k {
                            Some(k) if k.accepts(&kt) => k,
                            Some(_) => Ty::Dyn,
                            None => kt,
                        });
                        v = Some(match v {
                            Some(v) if v.accepts(&vt) => v,
                            Some(_) => Ty::Dyn,
                            None => vt,
                        });
                    }
                }
                Ty::Map(
                    Box::new(k.unwrap_or(Ty::Dyn)),
                    Box::new(v.unwrap_or(Ty::Dyn)),
                )
            }
            Expr::Struct(s) => {
                for entry in &s.entries {
                    if let EntryExpr::StructField(f) = &entry.expr {
                        self.check(&f.value);
                    }
                }
                let name = s.type_name.trim_start_matches('.');
                match self.pool.get_message_by_name(name) {
                    Some(m) => Ty::of_message(&m),
                    // Well-known types are known to cel-go even when not imported.
                    None if name.starts_with("google.protobuf.") => Ty::Dyn,
                    None => self.error(format!(
                        "undeclared reference to '{name}' (in container '')"
                    )),
                }
            }
            Expr::Comprehension(c) => {
                let range = self.check(&c.iter_range);
                let iter = match range.unwrap() {
                    Ty::List(e) => *e,
                    Ty::Map(k, _) => *k,
                    _ => Ty::Dyn,
                };
                let accu = self.check(&c.accu_init);
                self.scopes.push((c.iter_var.clone(), iter));
                self.scopes.push((c.accu_var.clone(), accu.clone()));
                self.check(&c.loop_cond);
                let step = self.check(&c.loop_step);
                // The accumulator takes the step's type (`[]` grows into `list(int)`).
                if let Some(last) = self.scopes.last_mut() {
                    last.1 = accu.join(&step);
                }
                let result = self.check(&c.result);
                self.scopes.pop();
                self.scopes.pop();
                result
            }
            Expr::Unspecified => Ty::Dyn,
        }
    }

    fn ident(&mut self, name: &str) -> Ty {
        if let Some(t) = self.var(name) {
            return t;
        }
        if let Some(t) = self.named(name) {
            return t;
        }
        self.error(format!(
            "undeclared reference to '{name}' (in container '')"
        ))
    }

    /// Type names and enum values, when `name` is one.
    fn named(&self, name: &str) -> Option<Ty> {
        match name {
            "int" | "uint" | "double" | "bool" | "string" | "bytes" | "list" | "map"
            | "null_type" | "type" | "dyn" => return Some(Ty::Type),
            _ => {}
        }
        let name = name.trim_start_matches('.');
        if self.pool.get_message_by_name(name).is_some()
            || self.pool.get_enum_by_name(name).is_some()
        {
            return Some(Ty::Type);
        }
        let (parent, value) = name.rsplit_once('.')?;
        let e = self.pool.get_enum_by_name(parent)?;
        e.get_value_by_name(value).map(|_| Ty::Int)
    }

    /// `a.b.c` as a qualified name (an enum value or type) when `a` is not a variable.
    fn qualified(&self, e: &IdedExpr) -> Option<Ty> {
        let mut parts = Vec::new();
        let mut cur = e;
        loop {
            match &cur.expr {
                Expr::Select(s) if !s.test => {
                    parts.push(s.field.as_str());
                    cur = &s.operand;
                }
                Expr::Ident(root) => {
                    if self.var(root).is_some() {
                        return None;
                    }
                    parts.push(root.as_str());
                    break;
                }
                _ => return None,
            }
        }
        parts.reverse();
        self.named(&parts.join("."))
    }

    fn select(&mut self, operand: &Ty, field: &str) -> Ty {
        match operand {
            Ty::Error => Ty::Error,
            Ty::Dyn => Ty::Dyn,
            Ty::Message(m) => match m.get_field_by_name(field) {
                Some(f) => Ty::of_field(&f.kind(), f.is_list(), f.is_map()),
                None => self.error(format!("undefined field '{field}'")),
            },
            // cel-go lets any map be selected into, whatever its key type.
            Ty::Map(_, v) => (**v).clone(),
            Ty::Duration | Ty::Timestamp | Ty::Type => Ty::Dyn,
            other => self.error(format!("type '{other}' does not support field selection")),
        }
    }

    fn no_overload(&mut self, name: &str, target: Option<&Ty>, args: &[Ty]) -> Ty {
        let list = args
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let applied = match target {
            Some(t) => format!("{t}.({list})"),
            None => format!("({list})"),
        };
        self.error(format!(
            "found no matching overload for '{name}' applied to '{applied}'"
        ))
    }

    fn call(&mut self, name: &str, target: Option<Ty>, args: Vec<Ty>) -> Ty {
        // `&&`, `||` and the condition of `?:` want a bool, with their own message.
        let wants_bool: &[Ty] = match name {
            "_&&_" | "_||_" => &args,
            "_?_:_" => &args[..1.min(args.len())],
            _ => &[],
        };
        let mut mismatched = false;
        for t in wants_bool {
            if !t.is_error() && !Ty::Bool.accepts(t) {
                self.errors
                    .push(format!("expected type 'bool' but found '{t}'"));
                mismatched = true;
            }
        }
        if mismatched {
            return Ty::Error;
        }
        // cel-go reports an unknown function even when its arguments already failed.
        let Some(result) = overload(name, target.as_ref(), &args) else {
            return self.error(format!(
                "undeclared reference to '{name}' (in container '')"
            ));
        };
        if target.as_ref().is_some_and(Ty::is_error) || args.iter().any(Ty::is_error) {
            return Ty::Error;
        }
        let any_dyn = target.as_ref().is_some_and(Ty::is_dyn) || args.iter().any(Ty::is_dyn);
        match result {
            Some(t) => t,
            None if any_dyn => Ty::Dyn,
            None => self.no_overload(name, target.as_ref(), &args),
        }
    }
}

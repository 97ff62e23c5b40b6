//! The functions and operators the CEL checker knows (cel-go's standard library, its strings
//! extension, and protovalidate's functions), with their result types.

use super::cel_types::Ty;

/// The result type of `name` applied to `target` (member calls) and `args`: `None` when no
/// library declares the function, `Some(None)` when it is declared but no overload fits.
pub(super) fn overload(name: &str, target: Option<&Ty>, args: &[Ty]) -> Option<Option<Ty>> {
    let known = match target {
        Some(_) => MEMBERS.contains(&name),
        None => GLOBALS.contains(&name) || is_operator(name),
    };
    if !known {
        return None;
    }
    let string = |t: &Ty| Ty::String.accepts(t);
    let int = |t: &Ty| Ty::Int.accepts(t);
    let result = match (name, target, args) {
        ("_&&_" | "_||_", None, [a, b]) => {
            (Ty::Bool.accepts(a) && Ty::Bool.accepts(b)).then_some(Ty::Bool)
        }
        ("!_", None, [a]) => Ty::Bool.accepts(a).then_some(Ty::Bool),
        ("@not_strictly_false", None, [_]) => Some(Ty::Bool),
        ("-_", None, [a]) => {
            matches!(a.unwrap(), Ty::Int | Ty::Double | Ty::Dyn).then(|| a.unwrap())
        }
        // Equality wants one type on both sides (`1 == 1.0` does not check); ordering
        // compares numbers across types.
        ("_==_" | "_!=_", None, [a, b]) => a.accepts(b).then_some(Ty::Bool),
        ("_<_" | "_<=_" | "_>_" | "_>=_", None, [a, b]) => {
            let ordered = |t: &Ty| {
                matches!(
                    t.unwrap(),
                    Ty::Int
                        | Ty::Uint
                        | Ty::Double
                        | Ty::String
                        | Ty::Bytes
                        | Ty::Bool
                        | Ty::Duration
                        | Ty::Timestamp
                )
            };
            let ok = (a.is_number() && b.is_number())
                || (ordered(a) && a.unwrap() == b.unwrap())
                || (a.is_dyn() && (ordered(b) || b.is_dyn()))
                || (b.is_dyn() && ordered(a));
            ok.then_some(Ty::Bool)
        }
        ("_+_", None, [a, b]) => arith_add(a, b),
        ("_-_", None, [a, b]) => match (a.unwrap(), b.unwrap()) {
            (Ty::Timestamp, Ty::Timestamp) => Some(Ty::Duration),
            (Ty::Timestamp, Ty::Duration) => Some(Ty::Timestamp),
            (Ty::Duration, Ty::Duration) => Some(Ty::Duration),
            (x, y) if same_number(&x, &y) => Some(x),
            _ => None,
        },
        ("_*_" | "_/_", None, [a, b]) => same_number(&a.unwrap(), &b.unwrap()).then(|| a.unwrap()),
        ("_%_", None, [a, b]) => (matches!(a.unwrap(), Ty::Int | Ty::Uint)
            && a.unwrap() == b.unwrap())
        .then(|| a.unwrap()),
        ("_?_:_", None, [c, a, b]) => {
            if !Ty::Bool.accepts(c) || !a.accepts(b) {
                None
            } else {
                Some(a.join(b))
            }
        }
        ("_[_]" | "_[?_]", None, [c, i]) => match c.unwrap() {
            Ty::List(e) => matches!(i.unwrap(), Ty::Int | Ty::Uint)
                .then_some(*e)
                .or_else(|| i.is_dyn().then(|| Ty::Dyn)),
            Ty::Map(k, v) => k.accepts(i).then_some(*v),
            _ => None,
        },
        ("@in", None, [e, c]) => match c.unwrap() {
            Ty::List(t) => (t.accepts(e) || (t.is_number() && e.is_number())).then_some(Ty::Bool),
            Ty::Map(k, _) => k.accepts(e).then_some(Ty::Bool),
            _ => None,
        },
        ("size", None, [a]) | ("size", Some(a), []) => matches!(
            a.unwrap(),
            Ty::String | Ty::Bytes | Ty::List(_) | Ty::Map(..)
        )
        .then_some(Ty::Int),
        ("matches", Some(t), [a]) => (string(t) && string(a)).then_some(Ty::Bool),
        // protovalidate adds the bytes overloads.
        ("contains" | "startsWith" | "endsWith", Some(t), [a]) => ((string(t) && string(a))
            || (Ty::Bytes.accepts(t) && Ty::Bytes.accepts(a)))
        .then_some(Ty::Bool),
        ("matches", None, [t, a]) => {
            (Ty::String.accepts(t) && Ty::String.accepts(a)).then_some(Ty::Bool)
        }
        (
            "isEmail" | "isHostname" | "isUri" | "isUriRef" | "isIp" | "isIpPrefix"
            | "isHostAndPort",
            Some(t),
            _,
        ) => Ty::String.accepts(t).then_some(Ty::Bool),
        ("isNan" | "isInf", Some(t), _) => Ty::Double.accepts(t).then_some(Ty::Bool),
        ("unique", Some(t), []) => matches!(t.unwrap(), Ty::List(_)).then_some(Ty::Bool),
        ("format", Some(t), [a]) => {
            (Ty::String.accepts(t) && matches!(a.unwrap(), Ty::List(_))).then_some(Ty::String)
        }
        ("int", None, [_]) => Some(Ty::Int),
        ("uint", None, [_]) => Some(Ty::Uint),
        ("double", None, [_]) => Some(Ty::Double),
        ("string", None, [_]) => Some(Ty::String),
        ("bytes", None, [_]) => Some(Ty::Bytes),
        ("bool", None, [_]) => Some(Ty::Bool),
        ("dyn", None, [_]) => Some(Ty::Dyn),
        ("type", None, [_]) => Some(Ty::Type),
        ("duration", None, [_]) => Some(Ty::Duration),
        ("timestamp", None, [_]) => Some(Ty::Timestamp),
        (
            "getFullYear" | "getMonth" | "getDayOfYear" | "getDayOfMonth" | "getDate"
            | "getDayOfWeek",
            Some(t),
            _,
        ) => Ty::Timestamp.accepts(t).then_some(Ty::Int),
        ("getHours" | "getMinutes" | "getSeconds" | "getMilliseconds", Some(t), _) => {
            (Ty::Timestamp.accepts(t) || Ty::Duration.accepts(t)).then_some(Ty::Int)
        }
        // Strings extension.
        ("charAt", Some(t), [i]) => (string(t) && int(i)).then_some(Ty::String),
        ("indexOf" | "lastIndexOf", Some(t), [s]) => (string(t) && string(s)).then_some(Ty::Int),
        ("indexOf" | "lastIndexOf", Some(t), [s, i]) => {
            (string(t) && string(s) && int(i)).then_some(Ty::Int)
        }
        ("lowerAscii" | "upperAscii" | "trim" | "reverse", Some(t), []) => {
            string(t).then_some(Ty::String)
        }
        ("replace", Some(t), [a, b]) => (string(t) && string(a) && string(b)).then_some(Ty::String),
        ("replace", Some(t), [a, b, n]) => {
            (string(t) && string(a) && string(b) && int(n)).then_some(Ty::String)
        }
        ("split", Some(t), [s]) => (string(t) && string(s)).then(|| Ty::List(Box::new(Ty::String))),
        ("split", Some(t), [s, n]) => {
            (string(t) && string(s) && int(n)).then(|| Ty::List(Box::new(Ty::String)))
        }
        ("substring", Some(t), [a]) => (string(t) && int(a)).then_some(Ty::String),
        ("substring", Some(t), [a, b]) => (string(t) && int(a) && int(b)).then_some(Ty::String),
        ("join", Some(t), []) => Ty::List(Box::new(Ty::String))
            .accepts(t)
            .then_some(Ty::String),
        ("join", Some(t), [s]) => {
            (Ty::List(Box::new(Ty::String)).accepts(t) && string(s)).then_some(Ty::String)
        }
        // Optional values and protovalidate's field access: typed loosely.
        ("hasValue" | "value" | "orValue" | "or" | "optMap" | "optFlatMap", Some(_), _) => {
            Some(Ty::Dyn)
        }
        ("getField", None, _) => Some(Ty::Dyn),
        _ => None,
    };
    Some(result)
}

/// Member functions.
const MEMBERS: &[&str] = &[
    "size",
    "contains",
    "startsWith",
    "endsWith",
    "matches",
    "getFullYear",
    "getMonth",
    "getDayOfYear",
    "getDayOfMonth",
    "getDate",
    "getDayOfWeek",
    "getHours",
    "getMinutes",
    "getSeconds",
    "getMilliseconds",
    "isEmail",
    "isHostname",
    "isUri",
    "isUriRef",
    "isIp",
    "isIpPrefix",
    "isHostAndPort",
    "isNan",
    "isInf",
    "unique",
    "format",
    "charAt",
    "indexOf",
    "lastIndexOf",
    "lowerAscii",
    "upperAscii",
    "trim",
    "reverse",
    "replace",
    "split",
    "substring",
    "join",
    "hasValue",
    "value",
    "orValue",
    "or",
    "optMap",
    "optFlatMap",
];

/// Global functions.
const GLOBALS: &[&str] = &[
    "size",
    "int",
    "uint",
    "double",
    "string",
    "bytes",
    "bool",
    "dyn",
    "type",
    "duration",
    "timestamp",
    "matches",
    "getField",
];

fn is_operator(name: &str) -> bool {
    name.starts_with('_') || name.starts_with('@') || name.ends_with('_')
}

fn same_number(a: &Ty, b: &Ty) -> bool {
    matches!(a, Ty::Int | Ty::Uint | Ty::Double) && a == b
}

fn arith_add(a: &Ty, b: &Ty) -> Option<Ty> {
    match (a.unwrap(), b.unwrap()) {
        (Ty::List(x), Ty::List(y)) => Some(Ty::List(Box::new(x.join(&y)))),
        (Ty::Timestamp, Ty::Duration) | (Ty::Duration, Ty::Timestamp) => Some(Ty::Timestamp),
        (Ty::Duration, Ty::Duration) => Some(Ty::Duration),
        (x @ (Ty::String | Ty::Bytes), y) if x == y => Some(x),
        (x, y) if same_number(&x, &y) => Some(x),
        _ => None,
    }
}

use crate::lint::{Context, Sink};

crate::declare_rule! {
    /// Checks that protovalidate (`buf.validate`) annotations are valid and their CEL
    /// expressions compile.
    ///
    /// NOT IMPLEMENTED YET in protoforge: the rule is known (so configs that select or except
    /// it work) but it checks nothing. When a linted file imports `buf/validate/validate.proto`,
    /// `protoforge lint` prints a warning on stderr saying that its annotations were not checked.
    ///
    /// Why (in buf): a rule that does not fit its field (`string.min_len` on an int32), that
    /// contradicts itself (`min > max`), or a CEL expression that does not compile fails only at
    /// runtime otherwise.
    ///
    /// Fix: run `buf lint` for this rule until protoforge implements it.
    pub PROTOVALIDATE = "Checks that protovalidate rules are valid and all CEL expressions compile."
}

const VALIDATE_PROTO: &str = "buf/validate/validate.proto";

pub fn check(_cx: &Context, _out: &mut Sink) {}

/// A warning when files use protovalidate, since the checks are not implemented.
pub fn note(cx: &Context) -> Option<String> {
    let users: Vec<&str> = cx
        .targets()
        .filter(|f| f.file.proto.dependency.iter().any(|d| d == VALIDATE_PROTO))
        .map(|f| f.file.external_path.as_str())
        .collect();
    (!users.is_empty()).then(|| {
        format!(
            "PROTOVALIDATE is not implemented in protoforge yet: the buf.validate annotations of {} file(s) (first: {}) were not checked",
            users.len(),
            users[0]
        )
    })
}

//! `buf.lock`, read strictly as buf 1.75 reads it (`private/bufpkg/bufconfig/buf_lock_file.go`):
//! v1beta1 and v1 (`remote`/`owner`/`repository`/`commit`/`digest: shake256:...`) and v2 (`name`,
//! `commit`, `digest: b5:...`, plus `plugins` and `policies`, which are checked and not used).
//! Unknown and repeated keys, wrong types, bad names, commits and digests are errors with the file,
//! line and column, in buf's words where buf has some.

use std::sync::Arc;

use super::digest::{Digest, DigestType};
use crate::config::yaml::{Fields, Node, Source, Value};
use crate::config::{full_name_problem, ConfigVersion};
use crate::{Error, Result};

/// A parsed buf.lock.
#[derive(Debug, Clone)]
pub struct LockFile {
    /// The version it declares (buf's default for a buf.lock without one: v1beta1).
    pub version: ConfigVersion,
    /// Its module dependencies (all of them: buf writes the transitive ones too), sorted by name.
    pub deps: Vec<LockedDep>,
    /// Where it is and what it says, for errors that point into it later.
    pub source: Arc<LockSource>,
}

/// A buf.lock's path as users see it, and its text.
#[derive(Debug)]
pub struct LockSource {
    pub display: String,
    pub text: String,
}

impl LockSource {
    /// An error pointing at a byte range of the buf.lock.
    pub fn error_at(&self, (start, len): (usize, usize), message: impl Into<String>) -> Error {
        Error::new(message).at(&self.display, &self.text, start, len.max(1))
    }
}

/// One pinned module.
#[derive(Debug, Clone)]
pub struct LockedDep {
    /// `registry/owner/name`.
    pub name: String,
    /// The commit id, dashless and lower case (as buf names cache directories).
    pub commit: String,
    pub digest: Digest,
    /// Byte offset and length of the entry's digest (or of the entry) in the buf.lock.
    pub digest_span: (usize, usize),
}

const TOP_V1: &[&str] = &["version", "deps"];
const DEP_V1: &[&str] = &[
    "remote",
    "owner",
    "repository",
    "branch",
    "commit",
    "digest",
    "create_time",
];
const TOP_V2: &[&str] = &["version", "deps", "plugins", "policies"];
const DEP_V2: &[&str] = &["name", "commit", "digest"];
const POLICY_V2: &[&str] = &["name", "commit", "digest", "plugins"];

/// Parses a buf.lock read as `display`.
pub fn parse(display: &str, text: &str) -> Result<LockFile> {
    let source = Arc::new(LockSource {
        display: display.to_string(),
        text: text.to_string(),
    });
    let src = Source {
        file: display,
        text,
        json: false,
    };
    let empty = |version| LockFile {
        version,
        deps: Vec::new(),
        source: source.clone(),
    };
    // buf reads zero bytes as a buf.lock of the default version with nothing in it.
    if text.is_empty() {
        return Ok(empty(ConfigVersion::V1Beta1));
    }
    let Some(root) = src.parse()? else {
        return Err(src
            .error_at_offset(0, "decode buf.lock: EOF: the file holds no YAML document")
            .with_help(HELP_REGENERATE));
    };
    let entries = match &root.value {
        Value::Map(entries) => entries,
        Value::Null => return Ok(empty(ConfigVersion::V1Beta1)),
        _ => {
            return Err(src
                .error_at(
                    &root,
                    format!(
                    "cannot unmarshal {} into a buf.lock: the document must be a mapping of keys",
                    root.tag()
                ),
                )
                .with_help(HELP_REGENERATE))
        }
    };
    let version_node = entries
        .iter()
        .find(|(k, _)| matches!(&k.value, Value::Scalar { text, .. } if text == "version"))
        .map(|(_, v)| v);
    let version = match version_node {
        None => ConfigVersion::V1Beta1,
        Some(node) => match src.string(node, "version")?.as_str() {
            "" => ConfigVersion::V1Beta1,
            "v1beta1" => ConfigVersion::V1Beta1,
            "v1" => ConfigVersion::V1,
            "v2" => ConfigVersion::V2,
            other => {
                return Err(src
                    .error_at(node, format!("unknown file version: \"{other}\""))
                    .with_help("buf.lock versions are v1beta1, v1 and v2"))
            }
        },
    };
    let mut deps = match version {
        ConfigVersion::V1Beta1 | ConfigVersion::V1 => read_v1(&src, &root)?,
        ConfigVersion::V2 => read_v2(&src, &root)?,
    };
    for (i, dep) in deps.iter().enumerate() {
        if deps[..i].iter().any(|d| d.name == dep.name) {
            return Err(source
                .error_at(
                    dep.digest_span,
                    format!(
                        "duplicate module \"{}\" attempted to be added to lock file",
                        dep.name
                    ),
                )
                .with_help(HELP_REGENERATE));
        }
    }
    deps.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(LockFile {
        version,
        deps,
        source,
    })
}

const HELP_REGENERATE: &str =
    "buf.lock is written by buf: restore it from version control, or run `buf dep update` to write it again";

fn span(node: &Node) -> (usize, usize) {
    (node.start, node.end.saturating_sub(node.start))
}

/// The items of a list-of-mappings key (`deps`, `plugins`, ...); null is empty.
fn items<'n>(src: &Source, node: Option<&'n Node>, what: &str) -> Result<Vec<&'n Node>> {
    match node.map(|n| &n.value) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Seq(items)) => Ok(items.iter().collect()),
        Some(_) => {
            let node = node.expect("matched");
            Err(src.error_at(
                node,
                format!(
                    "cannot unmarshal {} into {what}: expected a list of entries",
                    node.tag()
                ),
            ))
        }
    }
}

fn read_v1(src: &Source, root: &Node) -> Result<Vec<LockedDep>> {
    let top = src.fields(root, "buf.lock", TOP_V1, &|key| {
        matches!(key, "plugins" | "policies")
            .then(|| format!("`{key}` exists only in v2 buf.lock files"))
    })?;
    let mut deps = Vec::new();
    for item in items(src, top.get("deps"), "deps")? {
        let fields = src.fields(item, "deps[]", DEP_V1, &|_| None)?;
        let text = |key: &str| -> Result<String> {
            match fields.get(key) {
                Some(node) => Ok(src
                    .string(node, &format!("deps[].{key}"))?
                    .trim()
                    .to_string()),
                None => Ok(String::new()),
            }
        };
        let (remote, owner, repository) = (text("remote")?, text("owner")?, text("repository")?);
        for (value, what) in [
            (&remote, "remote"),
            (&owner, "owner"),
            (&repository, "repository"),
        ] {
            if value.is_empty() {
                return Err(src
                    .error_at(item, format!("{what} missing"))
                    .with_help(HELP_REGENERATE));
            }
        }
        if let Some(node) = fields.get("create_time") {
            src.string(node, "deps[].create_time")?;
        }
        let name = format!("{remote}/{owner}/{repository}");
        if let Some(problem) = full_name_problem(&name) {
            return Err(src
                .error_at(
                    item,
                    format!("invalid module name: could not parse full name \"{name}\": {problem}"),
                )
                .with_help(HELP_REGENERATE));
        }
        deps.push(pinned(src, item, name, &fields, ConfigVersion::V1)?);
    }
    Ok(deps)
}

fn read_v2(src: &Source, root: &Node) -> Result<Vec<LockedDep>> {
    let top = src.fields(root, "buf.lock", TOP_V2, &|_| None)?;
    let mut deps = Vec::new();
    for item in items(src, top.get("deps"), "deps")? {
        let fields = src.fields(item, "deps[]", DEP_V2, &|key| {
            matches!(key, "remote" | "owner" | "repository").then(|| {
                "v2 buf.lock files name a module with `name: registry/owner/name`".to_string()
            })
        })?;
        let name = module_name(src, item, fields.get("name"), "module")?;
        deps.push(pinned(src, item, name, &fields, ConfigVersion::V2)?);
    }
    // Remote plugins and policies are not used here; their entries are still checked as buf does.
    let check_plugins = |node: Option<&Node>, what: &str| -> Result<()> {
        for item in items(src, node, what)? {
            let fields = src.fields(item, &format!("{what}[]"), DEP_V2, &|_| None)?;
            let name = module_name(src, item, fields.get("name"), "plugin")?;
            required(src, item, fields.get("commit"), "commit", "plugin", &name)?;
            required(src, item, fields.get("digest"), "digest", "plugin", &name)?;
        }
        Ok(())
    };
    check_plugins(top.get("plugins"), "plugins")?;
    for item in items(src, top.get("policies"), "policies")? {
        let fields = src.fields(item, "policies[]", POLICY_V2, &|_| None)?;
        let name = match fields.get("name") {
            Some(node) => src.string(node, "policies[].name")?,
            None => String::new(),
        };
        if name.is_empty() {
            return Err(src.error_at(item, "no policy name specified"));
        }
        check_plugins(fields.get("plugins"), "policies[].plugins")?;
    }
    Ok(deps)
}

/// A `name: registry/owner/name` value (`kind`: module or plugin).
fn module_name(src: &Source, item: &Node, node: Option<&Node>, kind: &str) -> Result<String> {
    let name = match node {
        Some(node) => src.string(node, "name")?.trim().to_string(),
        None => String::new(),
    };
    if name.is_empty() {
        return Err(src
            .error_at(item, format!("no {kind} name specified"))
            .with_help(HELP_REGENERATE));
    }
    if let Some(problem) = full_name_problem(&name) {
        return Err(src
            .error_at(
                node.unwrap_or(item),
                format!("invalid {kind} name: could not parse full name \"{name}\": {problem}"),
            )
            .with_help(HELP_REGENERATE));
    }
    Ok(name)
}

fn required<'n>(
    src: &Source,
    item: &'n Node,
    node: Option<&'n Node>,
    key: &str,
    kind: &str,
    name: &str,
) -> Result<(String, &'n Node)> {
    let value = match node {
        Some(node) => src.string(node, key)?.trim().to_string(),
        None => String::new(),
    };
    if value.is_empty() {
        return Err(src
            .error_at(item, format!("no {key} specified for {kind} {name}"))
            .with_help(HELP_REGENERATE));
    }
    Ok((value, node.unwrap_or(item)))
}

/// The commit and digest of a module entry, checked.
fn pinned(
    src: &Source,
    item: &Node,
    name: String,
    fields: &Fields,
    version: ConfigVersion,
) -> Result<LockedDep> {
    let (commit, digest) = (fields.get("commit"), fields.get("digest"));
    let (commit, commit_node) = required(src, item, commit, "commit", "module", &name)?;
    let digest_text = match digest {
        Some(node) => src.string(node, "digest")?.trim().to_string(),
        None => String::new(),
    };
    // Digests older than buf 1.32 (b1, b3) can only be turned into current ones by the registry.
    let deprecated = ["b1", "b3"]
        .into_iter()
        .find(|kind| digest_text.starts_with(&format!("{kind}-")));
    if let (Some(kind), ConfigVersion::V2) = (deprecated, version) {
        return Err(src
            .error_at(
                digest.unwrap_or(item),
                format!(
                    "{kind} digests are no longer supported as of v1.32.0, run \"buf mod update\" to update your buf.lock"
                ),
            )
            .with_help("run `buf dep update` once with network access to write current digests"));
    }
    if digest_text.is_empty() || deprecated.is_some() {
        return Err(src
            .error_at(
                digest.unwrap_or(item),
                format!("no digest specified for module {name}"),
            )
            .with_help(
                "buf looks such digests up in the registry and protoforge never uses the network: run \
                 `buf dep update` once with network access to write the digests into buf.lock",
            ));
    }
    let commit = dashless_uuid(&commit)
        .map_err(|why| src.error_at(commit_node, why).with_help(HELP_REGENERATE))?;
    let digest_node = digest.unwrap_or(item);
    let parsed = Digest::parse(&digest_text)
        .map_err(|why| src.error_at(digest_node, why).with_help(HELP_REGENERATE))?;
    let expected = match version {
        ConfigVersion::V2 => DigestType::B5,
        _ => DigestType::B4,
    };
    if parsed.kind != expected {
        return Err(src
            .error_at(
                digest_node,
                format!(
                    "{} lock files must use digest type {}, but dep {name}:{commit} had a digest type of {}",
                    version.as_str(),
                    expected.as_str(),
                    parsed.kind.as_str()
                ),
            )
            .with_help(HELP_REGENERATE));
    }
    Ok(LockedDep {
        name,
        commit,
        digest: parsed,
        digest_span: span(digest_node),
    })
}

/// A commit id: a UUID written without dashes (buf's `uuidutil.FromDashless`), lower-cased.
pub(crate) fn dashless_uuid(text: &str) -> std::result::Result<String, String> {
    if text.len() != 32 {
        return Err(format!(
            "expected dashless uuid to be of length 32 but was {}: {text}",
            text.len()
        ));
    }
    if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("invalid UUID format: {text}"));
    }
    Ok(text.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMIT: &str = "fc7d540124fd42db92511c19a60a1d98";

    fn digest(kind: &str) -> String {
        format!("{kind}:{}", "ab".repeat(64))
    }

    fn v2(name: &str, commit: &str, digest: &str) -> String {
        format!(
            "version: v2\ndeps:\n  - name: {name}\n    commit: {commit}\n    digest: {digest}\n"
        )
    }

    /// The error's `line:column` and message.
    fn error(text: &str) -> (usize, usize, String) {
        let err = parse("buf.lock", text).expect_err("rejected");
        let (_, line, column) = err.position().expect("has a position");
        (line, column, err.message().to_string())
    }

    #[test]
    fn reads_v2() {
        let text = format!(
            "# Generated by buf. DO NOT EDIT.\n{}  - name: buf.build/acme/a\n    commit: {}\n    digest: {}\n",
            v2("buf.build/acme/b", COMMIT, &digest("b5")),
            COMMIT.to_uppercase(),
            digest("b5")
        );
        let lock = parse("buf.lock", &text).expect("parses");
        assert_eq!(lock.version, ConfigVersion::V2);
        let names: Vec<&str> = lock.deps.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["buf.build/acme/a", "buf.build/acme/b"]);
        assert_eq!(lock.deps[0].commit, COMMIT);
        assert_eq!(lock.deps[0].digest.kind, DigestType::B5);
    }

    #[test]
    fn reads_v1_and_v1beta1() {
        for version in ["version: v1\n", "version: v1beta1\n", ""] {
            let text = format!(
                "{version}deps:\n  - remote: buf.build\n    owner: acme\n    repository: units\n    branch: main\n    commit: {COMMIT}\n    digest: {}\n    create_time: 2024-01-02T03:04:05.123Z\n",
                digest("shake256")
            );
            let lock = parse("buf.lock", &text).expect("parses");
            assert_ne!(lock.version, ConfigVersion::V2);
            assert_eq!(lock.deps[0].name, "buf.build/acme/units");
            assert_eq!(lock.deps[0].digest.kind, DigestType::B4);
        }
    }

    #[test]
    fn empty_and_versions_only() {
        assert_eq!(
            parse("buf.lock", "").unwrap().version,
            ConfigVersion::V1Beta1
        );
        let lock = parse("buf.lock", "version: v2\ndeps:\n").unwrap();
        assert!(lock.deps.is_empty());
        // Comments only: no document (buf: "decode buf.lock: EOF").
        assert_eq!(error("# nothing\n").0, 1);
    }

    #[test]
    fn errors_point_at_the_line_and_column() {
        let (line, column, message) = error(&v2("buf.build/acme/a", COMMIT, &digest("b6")));
        assert_eq!((line, column), (5, 13));
        assert!(message.contains("unknown type: \"b6\""), "{message}");

        let (line, column, message) = error(&v2("buf.build/acme/a", &COMMIT[1..], &digest("b5")));
        assert_eq!((line, column), (4, 13));
        assert_eq!(
            message,
            format!(
                "expected dashless uuid to be of length 32 but was 31: {}",
                &COMMIT[1..]
            )
        );

        let text =
            v2("buf.build/acme/a", COMMIT, &digest("b5")).replace("    commit:", "    comit:");
        let (line, column, message) = error(&text);
        assert_eq!((line, column), (4, 5));
        assert_eq!(message, "unknown key \"comit\" in deps[]");

        let (line, _, message) = error(&v2("buf.build/acme/a", COMMIT, &digest("shake256")));
        assert_eq!(line, 5);
        assert_eq!(
            message,
            format!("v2 lock files must use digest type b5, but dep buf.build/acme/a:{COMMIT} had a digest type of shake256")
        );

        let (_, _, message) = error(&v2("acme", COMMIT, &digest("b5")));
        assert_eq!(
            message,
            "invalid module name: could not parse full name \"acme\": must be in the form registry/owner/name"
        );

        let (line, _, message) = error(&format!(
            "version: v2\ndeps:\n  - name: buf.build/acme/a\n    commit: {COMMIT}\n"
        ));
        assert_eq!(line, 3);
        assert_eq!(message, "no digest specified for module buf.build/acme/a");

        let (_, _, message) = error(&v2("buf.build/acme/a", COMMIT, "b1-abc"));
        assert!(message.starts_with("b1 digests are no longer supported"));

        let (line, _, message) = error("version: v3\n");
        assert_eq!(
            (line, message.as_str()),
            (1, "unknown file version: \"v3\"")
        );

        let twice = format!(
            "{}  - name: buf.build/acme/a\n    commit: {COMMIT}\n    digest: {}\n",
            v2("buf.build/acme/a", COMMIT, &digest("b5")),
            digest("b5")
        );
        assert!(error(&twice).2.starts_with("duplicate module"));

        let v1_missing = format!(
            "version: v1\ndeps:\n  - owner: acme\n    repository: a\n    commit: {COMMIT}\n"
        );
        assert_eq!(error(&v1_missing).2, "remote missing");
        assert!(error("version: v2\ndeps: nope\n")
            .2
            .contains("expected a list"));
        assert!(error("version: v2\nversion: v2\n")
            .2
            .contains("already defined"));
        assert!(error("- a\n").2.contains("must be a mapping"));
        assert!(error("version: v1\nplugins: []\n")
            .2
            .contains("unknown key"));
    }

    #[test]
    fn plugins_and_policies_are_checked() {
        let ok = format!(
            "version: v2\nplugins:\n  - name: buf.build/acme/p\n    commit: {COMMIT}\n    digest: p1:00\npolicies:\n  - name: local\n    plugins: []\n"
        );
        assert!(parse("buf.lock", &ok).is_ok());
        let bad = "version: v2\nplugins:\n  - name: buf.build/acme/p\n";
        assert_eq!(
            error(bad).2,
            "no commit specified for plugin buf.build/acme/p"
        );
    }
}

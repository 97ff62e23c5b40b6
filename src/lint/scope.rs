//! Which files outside a `--path` run's targets can change the findings on the targets.
//!
//! The cross-file rules read, of the files that are not targets, only their summaries (package,
//! imports, standard file options, RPC types); and they report only on targets. So a module file
//! matters to a run only if:
//! - it has a target's package (`PACKAGE_SAME_*`, `PACKAGE_SAME_DIRECTORY`) or sits in a target's
//!   directory (`DIRECTORY_SAME_PACKAGE`);
//! - its package is reachable from a target's package in the package import graph
//!   (`PACKAGE_NO_IMPORT_CYCLE`: which cycle is reported depends on every edge it can walk);
//! - one of its RPCs is among the first two other users (as request, and as response) of a
//!   request or response type of a target's RPCs (`RPC_REQUEST_RESPONSE_UNIQUE` only asks
//!   whether a type has more than one user).
//!
//! Other files are known by their summary heads (no message names); [`target_rpc_types`] resolves
//! their RPC types only as far as telling a target's request/response type from any other needs.
//!
//! [`relevant`] keeps those and drops the rest, so a one-file run on a 7,000-file module lints
//! tens of files instead of thousands. `STABLE_PACKAGE_NO_IMPORT_UNSTABLE`, `IMPORT_USED` and the
//! per-file rules read only the targets and their imports, which are compiled into the image.

// Thousands of import paths and packages per `--path` run: a fast hash (no order is relied on).
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use prost_types::DescriptorProto;
use rayon::prelude::*;

use prost_types::FileDescriptorProto;

use crate::image::Image;

/// A module file outside the image, by summary: its import path, its summary (whose own name is
/// not used) and the RPC request/response types of its methods resolved to `.full.Name`, in
/// service and method order ([`resolved_rpc_types`]).
pub struct Rest<'a> {
    pub name: &'a str,
    pub summary: &'a FileDescriptorProto,
    pub rpc_types: &'a [(String, String)],
}

impl Rest<'_> {
    fn name(&self) -> &str {
        self.name
    }
    fn package(&self) -> &str {
        self.summary.package()
    }
}

/// For each of `rest` (summaries of module files not in `image`), whether it can change the
/// findings on the image's targets (see the module doc).
pub fn relevant(image: &Image, rest: &[Rest<'_>]) -> Vec<bool> {
    let targets: Vec<_> = image.targets().collect();
    let packages: HashSet<&str> = targets.iter().map(|f| f.package()).collect();
    let dirs: HashSet<&str> = targets.iter().map(|f| directory_of(f.name())).collect();
    // Packages reachable from the targets' packages, over every file's imports; and RPC types
    // (resolved, see [`resolve_rpc_types`]): for each request/response type of a target RPC, up
    // to two other RPCs that use it as a request and two as a response ([`RpcUsers`]). The two
    // are independent: computed side by side.
    let (reachable, users) = rayon::join(
        || {
            reachable_packages(
                image,
                rest.iter()
                    .map(|r| (r.name(), r.package(), r.summary.dependency.as_slice())),
            )
        },
        || {
            let mut users = RpcUsers::new(image);
            rest.iter()
                .map(|r| users.add(r.package(), r.summary, r.rpc_types))
                .collect::<Vec<bool>>()
        },
    );
    rest.iter()
        .zip(users)
        .map(|(r, user)| {
            packages.contains(r.package())
                || dirs.contains(directory_of(r.name()))
                || reachable.contains(r.package())
                || user
        })
        .collect()
}

/// The directory of an import path (`.` for a file at the root), as DIRECTORY_SAME_PACKAGE and
/// PACKAGE_SAME_DIRECTORY group files.
pub fn directory_of(name: &str) -> &str {
    name.rfind('/').map_or(".", |i| &name[..i])
}

/// The packages reachable from the image's targets' packages in the package import graph of the
/// image's files and `rest` (each a module file outside the image: import path, package,
/// imports); an import of a file that is neither adds no edge.
pub fn reachable_packages<'a>(
    image: &'a Image,
    rest: impl Iterator<Item = (&'a str, &'a str, &'a [String])>,
) -> HashSet<String> {
    // Each file's package by import path, and each package's files' imports; the walk then looks
    // only at the imports of the packages it reaches (a `--path` run reaches a few of thousands).
    // Sized for every file (a filtered iterator's upper bound): no rehash while 7,000 go in.
    let (lower, upper) = rest.size_hint();
    let files = image.files.len() + upper.unwrap_or(lower);
    let mut package_of: HashMap<&str, &str> = HashMap::with_capacity(files);
    // Room for a package per four files (googleapis has one per eleven).
    let mut imports_of: HashMap<&str, Vec<&[String]>> = HashMap::with_capacity(files / 4);
    let all = image
        .files
        .iter()
        .map(|f| (f.name(), f.package(), f.proto().dependency.as_slice()))
        .chain(rest);
    for (name, package, deps) in all {
        package_of.insert(name, package);
        imports_of.entry(package).or_default().push(deps);
    }
    let mut reachable: HashSet<&str> = image.targets().map(|f| f.package()).collect();
    let mut queue: Vec<&str> = reachable.iter().copied().collect();
    while let Some(p) = queue.pop() {
        for deps in imports_of.get(p).into_iter().flatten() {
            for d in deps.iter() {
                if let Some(&dp) = package_of.get(d.as_str()) {
                    if reachable.insert(dp) {
                        queue.push(dp);
                    }
                }
            }
        }
    }
    reachable.into_iter().map(str::to_string).collect()
}

/// The other users of the targets' RPC request and response types, as `RPC_REQUEST_RESPONSE_UNIQUE`
/// can see them: for each type of a target RPC, the first two other RPCs (by full name) that use
/// it as a request and the first two that use it as a response. The rule reports a target RPC
/// when its type has more than one user (per kind, for google.protobuf.Empty with the allow
/// options): counts past two change nothing.
pub struct RpcUsers<'a> {
    target_methods: HashSet<String>,
    target_types: HashSet<&'a str>,
    /// A target type's last identifier -> the target types that end with it.
    by_last: HashMap<&'a str, Vec<&'a str>>,
    /// (type, is_response) -> distinct users kept so far.
    users: HashMap<(&'a str, bool), HashSet<String>>,
}

fn method_name(pkg: &str, service: &str, method: &str) -> String {
    if pkg.is_empty() {
        format!("{service}.{method}")
    } else {
        format!("{pkg}.{service}.{method}")
    }
}

impl<'a> RpcUsers<'a> {
    pub fn new(image: &'a Image) -> Self {
        let mut target_methods: HashSet<String> = HashSet::new();
        let mut target_types: HashSet<&str> = HashSet::new();
        for f in image.targets() {
            for svc in &f.proto().service {
                for m in &svc.method {
                    target_methods.insert(method_name(f.package(), svc.name(), m.name()));
                    target_types.insert(m.input_type().trim_start_matches('.'));
                    target_types.insert(m.output_type().trim_start_matches('.'));
                }
            }
        }
        let mut by_last: HashMap<&str, Vec<&str>> = HashMap::new();
        for t in &target_types {
            let last = t.rfind('.').map_or(*t, |i| &t[i + 1..]);
            by_last.entry(last).or_default().push(t);
        }
        RpcUsers {
            target_methods,
            target_types,
            by_last,
            users: HashMap::new(),
        }
    }

    /// Adds the RPCs of a file outside the image (its package, its summary, and its methods'
    /// resolved types in service and method order); true when one of them is kept as a user.
    pub fn add(
        &mut self,
        package: &str,
        summary: &FileDescriptorProto,
        types: &[(String, String)],
    ) -> bool {
        let mut added = false;
        let methods = summary
            .service
            .iter()
            .flat_map(|svc| svc.method.iter().map(move |m| (svc, m)));
        for ((svc, m), (input, output)) in methods.zip(types) {
            for (t, is_response) in [(input.as_str(), false), (output.as_str(), true)] {
                let t = t.trim_start_matches('.');
                let Some(&t) = self.target_types.get(t) else {
                    continue;
                };
                let full = method_name(package, svc.name(), m.name());
                if self.target_methods.contains(&full) {
                    continue;
                }
                let kept = self.users.entry((t, is_response)).or_default();
                if kept.len() < 2 && kept.insert(full) {
                    added = true;
                }
            }
        }
        added
    }

    /// Whether a file of `package` whose RPCs' request types are written with identifiers among
    /// `requests` and response types with identifiers among `responses` could still add a user.
    /// A type as written resolves to a target type `T` only as `S.N` (see [`RpcResolver`]): `N`,
    /// as written, is made of `T`'s last identifiers, and `S`, the rest of `T`, is `package` or
    /// one of its enclosing scopes (empty for a fully qualified name).
    pub fn may_add<'w>(&self, package: &str, requests: Words<'w>, responses: Words<'w>) -> bool {
        self.may_add_if(package, requests, responses, true)
    }

    /// [`RpcUsers::may_add`] as if no user were kept yet: false means the file can never add
    /// one.
    pub fn may_ever_add<'w>(
        &self,
        package: &str,
        requests: Words<'w>,
        responses: Words<'w>,
    ) -> bool {
        self.may_add_if(package, requests, responses, false)
    }

    fn may_add_if<'w>(
        &self,
        package: &str,
        requests: Words<'w>,
        responses: Words<'w>,
        only_open: bool,
    ) -> bool {
        let open = |words: Words<'w>, is_response: bool| {
            words.clone().any(|w| {
                self.by_last.get(w).is_some_and(|types| {
                    types.iter().any(|t| {
                        (!only_open
                            || self
                                .users
                                .get(&(*t, is_response))
                                .is_none_or(|kept| kept.len() < 2))
                            && may_name(t, package, words.clone())
                    })
                })
            })
        };
        open(requests, false) || open(responses, true)
    }
}

/// The words of a file's RPCs as [`crate::engine::head::RpcWords`] keeps them.
pub type Words<'w> = std::str::SplitTerminator<'w, char>;

/// Whether a type name written in a file of `package` with identifiers among `words` can resolve
/// to `full` (no leading dot): `full` is `scope.name` (or `name`) with `scope` the package or
/// one of its enclosing scopes, and every identifier of `name` among `words`.
fn may_name<'w>(full: &str, package: &str, words: impl Iterator<Item = &'w str> + Clone) -> bool {
    let has = |ident: &str| words.clone().any(|w| w == ident);
    let encloses = |scope: &str| {
        scope.is_empty()
            || (package.starts_with(scope)
                && (package.len() == scope.len() || package.as_bytes()[scope.len()] == b'.'))
    };
    let splits = std::iter::once(None).chain(full.match_indices('.').map(|(i, _)| Some(i)));
    for split in splits {
        let (scope, name) = match split {
            None => ("", full),
            Some(i) => (&full[..i], &full[i + 1..]),
        };
        if encloses(scope) && name.split('.').all(has) {
            return true;
        }
    }
    false
}

/// Everything of `image` that [`resolve_rpc_types`] and [`relevant`] read: each file's name,
/// package, imports and whether it is a target, the targets' RPCs (with their types) and every
/// message's full name. Two images with the same key get the same answers from both.
pub fn image_key(image: &Image) -> String {
    use std::fmt::Write as _;
    let mut key = String::new();
    for f in &image.files {
        let _ = writeln!(
            key,
            "{}\0{}\0{}\0{:?}",
            f.name(),
            f.package(),
            f.is_import,
            f.proto().dependency
        );
        if !f.is_import {
            for svc in &f.proto().service {
                for m in &svc.method {
                    let _ = writeln!(
                        key,
                        "\t{}\0{}\0{}\0{}",
                        svc.name(),
                        m.name(),
                        m.input_type(),
                        m.output_type()
                    );
                }
            }
        }
    }
    for m in image.all_messages() {
        key.push_str(m.full_name());
        key.push('\n');
    }
    key
}

/// Resolves the RPC request and response types of `rest` (as written, relative) to `.full.Name`
/// with protobuf scoping (the innermost enclosing package that has the name wins), against the
/// messages of `image` and of all of `rest`.
pub fn resolve_rpc_types(image: &Image, rest: &mut [FileDescriptorProto]) {
    let refs: Vec<&FileDescriptorProto> = rest.iter().collect();
    let resolved = resolved_rpc_types(image, &refs);
    for (r, methods) in rest.iter_mut().zip(resolved) {
        let slots = r.service.iter_mut().flat_map(|svc| svc.method.iter_mut());
        for (m, (input, output)) in slots.zip(methods) {
            m.input_type = Some(input);
            m.output_type = Some(output);
        }
    }
}

/// [`resolve_rpc_types`] without changing the summaries: for each of `rest`, the (input, output)
/// types of its methods in service and method order.
pub fn resolved_rpc_types(
    image: &Image,
    rest: &[&FileDescriptorProto],
) -> Vec<Vec<(String, String)>> {
    if rest.iter().all(|r| r.service.is_empty()) {
        return vec![Vec::new(); rest.len()];
    }
    let image_names: HashSet<String> = image
        .all_messages()
        .map(|m| m.full_name().to_string())
        .collect();
    {
        let mut by_package: HashMap<&str, Vec<&FileDescriptorProto>> =
            HashMap::with_capacity(rest.len() / 4);
        for r in rest.iter() {
            by_package.entry(r.package()).or_default().push(r);
        }
        let exists = |full: &str| -> bool {
            if image_names.contains(full) {
                return true;
            }
            // A file whose package is a dotted prefix of the name, with the rest as a message path.
            let splits = std::iter::once(None).chain(full.match_indices('.').map(|(i, _)| Some(i)));
            for split in splits {
                let (package, path) = match split {
                    None => ("", full),
                    Some(i) => (&full[..i], &full[i + 1..]),
                };
                for f in by_package.get(package).into_iter().flatten() {
                    if has_message_path(&f.message_type, path) {
                        return true;
                    }
                }
            }
            false
        };
        // In parallel: a whole-tree lint resolves the RPC types of every module file here.
        rest.par_iter()
            .map(|r| {
                let package = r.package();
                let mut out = Vec::new();
                for svc in &r.service {
                    for m in &svc.method {
                        out.push((
                            resolve(package, m.input_type(), &exists),
                            resolve(package, m.output_type(), &exists),
                        ));
                    }
                }
                out
            })
            .collect()
    }
}

/// The RPC request and response types of `rest` (summary heads, without messages) as far as the
/// targets' findings can tell them apart: for each of `rest`, the (input, output) types of its
/// methods in service and method order, each either the `.full.Name` [`resolve_rpc_types`] gives
/// when that is the request or response type of a target RPC (or when a name ahead of one in the
/// scope search exists), or else a name that is none of those types. Only
/// `RPC_REQUEST_RESPONSE_UNIQUE` reads other files' RPC types, and it only reports on targets'
/// types, so the findings are the same as with [`resolve_rpc_types`]; the message names of a file
/// (`has_message(i, path)`: whether `rest[i]` defines a message at `path`, `A.B`; see
/// [`has_message_path`]) are read only for the packages a scope search has to look into before it
/// reaches a target's type, which is seldom.
pub fn target_rpc_types(
    image: &Image,
    rest: &[&FileDescriptorProto],
    messages: &(dyn Fn(usize, &str) -> bool + Sync),
) -> Vec<Vec<(String, String)>> {
    if rest.iter().all(|r| r.service.is_empty()) {
        return vec![Vec::new(); rest.len()];
    }
    let resolver = RpcResolver::new(image, rest.iter().map(|r| r.package()), messages);
    rest.par_iter().map(|r| resolver.types_of(r)).collect()
}

/// [`target_rpc_types`] one file at a time: the module files outside the image are known by
/// their packages (by index), and `messages(i, path)` tells whether the `i`th defines a message at
/// `path`.
pub struct RpcResolver<'a> {
    image: &'a Image,
    target_types: HashSet<&'a str>,
    /// Every dotted suffix of a target type (`b.C` and `C` of `a.b.C`).
    suffixes: HashSet<&'a str>,
    image_names: std::sync::OnceLock<HashSet<String>>,
    by_package: HashMap<&'a str, Vec<usize>>,
    messages: &'a (dyn Fn(usize, &str) -> bool + Sync),
    /// Whether a message exists, by full name, as far as asked: the RPCs of a package ask the
    /// same scope search again and again (every `google.protobuf.Empty` of a package looks for
    /// the same names ahead of it), and each answer looks through a package's files.
    exists: std::sync::Mutex<HashMap<String, bool>>,
}

impl<'a> RpcResolver<'a> {
    pub fn new(
        image: &'a Image,
        packages: impl Iterator<Item = &'a str>,
        messages: &'a (dyn Fn(usize, &str) -> bool + Sync),
    ) -> Self {
        let mut target_types: HashSet<&str> = HashSet::new();
        for f in image.targets() {
            for svc in &f.proto().service {
                for m in &svc.method {
                    target_types.insert(m.input_type().trim_start_matches('.'));
                    target_types.insert(m.output_type().trim_start_matches('.'));
                }
            }
        }
        let suffixes: HashSet<&str> = target_types
            .iter()
            .flat_map(|t| std::iter::once(*t).chain(t.match_indices('.').map(|(i, _)| &t[i + 1..])))
            .collect();
        // Room for a package per four files (googleapis has one per eleven): no rehash on the way.
        let mut by_package: HashMap<&str, Vec<usize>> =
            HashMap::with_capacity(packages.size_hint().0 / 4);
        for (i, p) in packages.enumerate() {
            by_package.entry(p).or_default().push(i);
        }
        RpcResolver {
            image,
            target_types,
            suffixes,
            image_names: std::sync::OnceLock::new(),
            by_package,
            messages,
            exists: std::sync::Mutex::default(),
        }
    }

    /// The (input, output) types of `file`'s methods (a module file outside the image), in
    /// service and method order, as [`target_rpc_types`] gives them.
    pub fn types_of(&self, file: &FileDescriptorProto) -> Vec<(String, String)> {
        let package = file.package();
        let mut out = Vec::new();
        for svc in &file.service {
            for m in &svc.method {
                let input = self.resolve_one(package, m.input_type());
                let output = self.resolve_one(package, m.output_type());
                out.push((input, output));
            }
        }
        out
    }

    fn resolve_one(&self, package: &str, name: &str) -> String {
        if name.starts_with('.') {
            return name.to_string();
        }
        // Cheap first: only a name that ends a target type can resolve to one; any other
        // resolves to no target type (a target's type is a linked message, which exists), and the
        // innermost candidate is none of them either.
        if !self.suffixes.contains(name) {
            return if package.is_empty() {
                format!(".{name}")
            } else {
                format!(".{package}.{name}")
            };
        }
        // The scope search's candidates, innermost first (as [`resolve`]): the scopes are the
        // package and its parents, down to the empty one.
        let scopes: Vec<&str> = std::iter::successors(Some(package), |p| {
            (!p.is_empty()).then(|| p.rfind('.').map_or("", |i| &p[..i]))
        })
        .collect();
        let candidate = |scope: &str| {
            if scope.is_empty() {
                name.to_string()
            } else {
                format!("{scope}.{name}")
            }
        };
        // Cheap first: only a name that ends a target type can resolve to one.
        let may_hit = self.suffixes.contains(name);
        let candidates: Vec<String> = if may_hit {
            scopes.iter().map(|s| candidate(s)).collect()
        } else {
            Vec::new()
        };
        let Some(hit) = candidates
            .iter()
            .position(|c| self.target_types.contains(c.as_str()))
        else {
            // Resolves to no target type (a target's type is a linked message, which exists):
            // the innermost candidate is none of them either.
            return format!(".{}", candidate(scopes[0]));
        };
        let names = self.image_names.get_or_init(|| {
            self.image
                .all_messages()
                .map(|m| m.full_name().to_string())
                .collect()
        });
        let exists = |full: &str| -> bool {
            if names.contains(full) {
                return true;
            }
            let known = self.exists.lock().ok().and_then(|m| m.get(full).copied());
            if let Some(known) = known {
                return known;
            }
            let found = self.message_exists(full);
            if let Ok(mut memo) = self.exists.lock() {
                memo.insert(full.to_string(), found);
            }
            found
        };
        let first = candidates[..hit]
            .iter()
            .position(|c| exists(c))
            .unwrap_or(hit);
        format!(".{}", candidates[first])
    }

    /// Whether one of the module files outside the image defines the message `full`.
    fn message_exists(&self, full: &str) -> bool {
        let splits = std::iter::once(None).chain(full.match_indices('.').map(|(i, _)| Some(i)));
        for split in splits {
            let (package, path) = match split {
                None => ("", full),
                Some(i) => (&full[..i], &full[i + 1..]),
            };
            for &i in self.by_package.get(package).into_iter().flatten() {
                if (self.messages)(i, path) {
                    return true;
                }
            }
        }
        false
    }
}

/// Whether `path` (`A.B.C`) names a message nested in `messages`.
pub fn has_message_path(messages: &[DescriptorProto], path: &str) -> bool {
    let (first, rest) = match path.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (path, None),
    };
    messages.iter().any(|m| {
        m.name() == first
            && match rest {
                None => true,
                Some(rest) => has_message_path(&m.nested_type, rest),
            }
    })
}

/// Resolves a type reference as written in `package` to `.full.Name`.
fn resolve(package: &str, name: &str, exists: &dyn Fn(&str) -> bool) -> String {
    if let Some(full) = name.strip_prefix('.') {
        return format!(".{full}");
    }
    let mut scope = package;
    loop {
        let candidate = if scope.is_empty() {
            name.to_string()
        } else {
            format!("{scope}.{name}")
        };
        if exists(&candidate) {
            return format!(".{candidate}");
        }
        if scope.is_empty() {
            return format!(".{name}");
        }
        scope = scope.rfind('.').map(|i| &scope[..i]).unwrap_or("");
    }
}

#[cfg(test)]
mod tests {
    use super::may_name;

    fn words<'a>(list: &'a [&'a str]) -> impl Iterator<Item = &'a str> + Clone {
        list.iter().copied()
    }

    #[test]
    fn a_name_can_resolve_to_a_type_only_from_an_enclosing_scope() {
        let t = "acme.pay.v1.ChargeRequest";
        // As written in the type's own package, or one nested in it.
        assert!(may_name(t, "acme.pay.v1", words(&["ChargeRequest"])));
        assert!(may_name(t, "acme.pay.v1.inner", words(&["ChargeRequest"])));
        // Elsewhere the last identifier alone cannot name it...
        assert!(!may_name(t, "acme.gateway.v1", words(&["ChargeRequest"])));
        assert!(!may_name(t, "acme.pay.v10", words(&["ChargeRequest"])));
        assert!(!may_name(t, "", words(&["ChargeRequest", "v1"])));
        // ...but a partly or fully qualified name can.
        assert!(may_name(
            t,
            "acme.gateway.v1",
            words(&["ChargeRequest", "pay", "v1"])
        ));
        assert!(may_name(
            t,
            "other",
            words(&["ChargeRequest", "acme", "pay", "v1"])
        ));
        assert!(may_name(
            t,
            "",
            words(&["ChargeRequest", "acme", "pay", "v1"])
        ));
        assert!(!may_name(
            t,
            "acme.gateway.v1",
            words(&["ChargeRequest", "v1"])
        ));
        assert!(may_name("Top", "", words(&["Top"])));
        assert!(may_name("Top", "any.package", words(&["Top"])));
    }
}

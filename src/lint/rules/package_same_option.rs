//! The `PACKAGE_SAME_<OPTION>` family: all files of a package agree on a file option.

use std::collections::{BTreeMap, BTreeSet};

use prost_types::FileOptions;

use crate::image::tag;
use crate::lint::{CheckedFile, Context, Sink};

crate::declare_rule! {
    /// Checks that all files of a package have the same `csharp_namespace` (or all have none).
    /// Cross-file: the whole module counts, also under `--path`.
    ///
    /// Why: one package must generate into one C# namespace, or types of one package end up split.
    ///
    /// Bad: `a.proto` with `option csharp_namespace = "Acme.V1";`, `b.proto` (same package) without it.
    ///
    /// Good: both files set the same value.
    ///
    /// Fix: set the same value in every file of the package (or remove it everywhere).
    pub PACKAGE_SAME_CSHARP_NAMESPACE = "Checks that all files with a given package have the same value for the csharp_namespace option."
}

crate::declare_rule! {
    /// Checks that all files of a package have the same `go_package` (or all have none).
    /// Cross-file: the whole module counts, also under `--path`, so a one-file pre-commit run
    /// still sees a sibling's conflicting value.
    ///
    /// Why: one proto package must map to one Go package, or generated code does not compile.
    ///
    /// Bad: `a.proto` with `option go_package = "acme/v1;acmev1";`, `b.proto` (same package) with `"acme/v1/other"`.
    ///
    /// Good: both files set `option go_package = "acme/v1;acmev1";`
    ///
    /// Fix: set the same value in every file of the package.
    pub PACKAGE_SAME_GO_PACKAGE = "Checks that all files with a given package have the same value for the go_package option."
}

crate::declare_rule! {
    /// Checks that all files of a package have the same `java_multiple_files` (or all leave it unset).
    /// Cross-file: the whole module counts, also under `--path`.
    ///
    /// Why: a mixed setting generates some types as nested classes and others as top-level ones.
    ///
    /// Bad: `a.proto` with `option java_multiple_files = true;`, `b.proto` (same package) with `false`.
    ///
    /// Good: both files set `option java_multiple_files = true;`
    ///
    /// Fix: set the same value in every file of the package.
    pub PACKAGE_SAME_JAVA_MULTIPLE_FILES = "Checks that all files with a given package have the same value for the java_multiple_files option."
}

crate::declare_rule! {
    /// Checks that all files of a package have the same `java_package` (or all have none).
    /// Cross-file: the whole module counts, also under `--path`.
    ///
    /// Why: one proto package must generate into one Java package.
    ///
    /// Bad: `a.proto` with `option java_package = "com.acme.v1";`, `b.proto` (same package) with `"com.acme"`.
    ///
    /// Good: both files set `option java_package = "com.acme.v1";`
    ///
    /// Fix: set the same value in every file of the package.
    pub PACKAGE_SAME_JAVA_PACKAGE = "Checks that all files with a given package have the same value for the java_package option."
}

crate::declare_rule! {
    /// Checks that all files of a package have the same `php_namespace` (or all have none).
    /// Cross-file: the whole module counts, also under `--path`.
    ///
    /// Why: one proto package must generate into one PHP namespace.
    ///
    /// Bad: `a.proto` with `option php_namespace = "Acme\\V1";`, `b.proto` (same package) without it.
    ///
    /// Good: both files set the same value.
    ///
    /// Fix: set the same value in every file of the package.
    pub PACKAGE_SAME_PHP_NAMESPACE = "Checks that all files with a given package have the same value for the php_namespace option."
}

crate::declare_rule! {
    /// Checks that all files of a package have the same `ruby_package` (or all have none).
    /// Cross-file: the whole module counts, also under `--path`.
    ///
    /// Why: one proto package must generate into one Ruby module.
    ///
    /// Bad: `a.proto` with `option ruby_package = "Acme::V1";`, `b.proto` (same package) without it.
    ///
    /// Good: both files set the same value.
    ///
    /// Fix: set the same value in every file of the package.
    pub PACKAGE_SAME_RUBY_PACKAGE = "Checks that all files with a given package have the same value for the ruby_package option."
}

crate::declare_rule! {
    /// Checks that all files of a package have the same `swift_prefix` (or all have none).
    /// Cross-file: the whole module counts, also under `--path`.
    ///
    /// Why: one proto package must generate Swift types with one prefix.
    ///
    /// Bad: `a.proto` with `option swift_prefix = "AV1";`, `b.proto` (same package) without it.
    ///
    /// Good: both files set the same value.
    ///
    /// Fix: set the same value in every file of the package.
    pub PACKAGE_SAME_SWIFT_PREFIX = "Checks that all files with a given package have the same value for the swift_prefix option."
}

/// `FileOptions` field numbers.
const JAVA_PACKAGE: i32 = 1;
const JAVA_MULTIPLE_FILES: i32 = 10;
const GO_PACKAGE: i32 = 11;
const CSHARP_NAMESPACE: i32 = 37;
const SWIFT_PREFIX: i32 = 39;
const PHP_NAMESPACE: i32 = 41;
const RUBY_PACKAGE: i32 = 45;

fn string(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

pub fn check_csharp_namespace(cx: &Context, out: &mut Sink) {
    same_value(cx, out, "csharp_namespace", CSHARP_NAMESPACE, |o| {
        string(&o.csharp_namespace)
    });
}

pub fn check_go_package(cx: &Context, out: &mut Sink) {
    same_value(cx, out, "go_package", GO_PACKAGE, |o| string(&o.go_package));
}

pub fn check_java_multiple_files(cx: &Context, out: &mut Sink) {
    same_value(cx, out, "java_multiple_files", JAVA_MULTIPLE_FILES, |o| {
        o.java_multiple_files
            .map(|b| b.to_string())
            .unwrap_or_default()
    });
}

pub fn check_java_package(cx: &Context, out: &mut Sink) {
    same_value(cx, out, "java_package", JAVA_PACKAGE, |o| {
        string(&o.java_package)
    });
}

pub fn check_php_namespace(cx: &Context, out: &mut Sink) {
    same_value(cx, out, "php_namespace", PHP_NAMESPACE, |o| {
        string(&o.php_namespace)
    });
}

pub fn check_ruby_package(cx: &Context, out: &mut Sink) {
    same_value(cx, out, "ruby_package", RUBY_PACKAGE, |o| {
        string(&o.ruby_package)
    });
}

pub fn check_swift_prefix(cx: &Context, out: &mut Sink) {
    same_value(cx, out, "swift_prefix", SWIFT_PREFIX, |o| {
        string(&o.swift_prefix)
    });
}

fn same_value(
    cx: &Context,
    out: &mut Sink,
    option: &str,
    field: i32,
    value: impl Fn(&FileOptions) -> String,
) {
    let mut by_package: BTreeMap<&str, Vec<&CheckedFile>> = BTreeMap::new();
    for f in &cx.files {
        by_package.entry(f.package()).or_default().push(f);
    }
    let default_options = FileOptions::default();
    for (pkg, files) in by_package {
        let values: Vec<String> = files
            .iter()
            .map(|f| value(f.file.proto().options.as_ref().unwrap_or(&default_options)))
            .collect();
        let mut distinct: BTreeSet<&str> = values.iter().map(String::as_str).collect();
        if distinct.len() < 2 {
            continue;
        }
        let has_empty = distinct.remove("");
        let joined = distinct.into_iter().collect::<Vec<_>>().join(",");
        let message = if has_empty {
            format!("Files in package {pkg:?} have both values {joined:?} and no value for option {option:?} and all values must be equal.")
        } else {
            format!("Files in package {pkg:?} have multiple values {joined:?} for option {option:?} and all values must be equal.")
        };
        for f in files {
            out.at(f, &[tag::file::OPTIONS, field], message.clone());
        }
    }
}

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::image::tag;
use crate::lint::{Context, Sink};

crate::declare_rule! {
    /// Checks that packages do not import each other in a cycle (`a` imports `b` imports `a`),
    /// looking at every file of the image, imports included; findings go on the import
    /// statements of target files that start a cycle.
    ///
    /// Why: many languages (Go first) cannot compile packages that import each other.
    ///
    /// Bad: `a/v1/a.proto` (package `a.v1`) imports `b/v1/b.proto`, which imports `a/v1/other.proto`.
    ///
    /// Good: move the shared types into a third package both import.
    ///
    /// Fix: break the cycle by moving the types one side needs into a package of their own.
    pub PACKAGE_NO_IMPORT_CYCLE = "Checks that packages do not have import cycles."
}

/// package -> directly imported package -> (importing file index, dependency index).
type Graph<'a> = BTreeMap<&'a str, BTreeMap<&'a str, Vec<(usize, i32)>>>;

pub fn check(cx: &Context, out: &mut Sink) {
    let image = cx.image;
    let by_name: HashMap<&str, usize> = image
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.name(), i))
        .collect();
    let mut graph: Graph = BTreeMap::new();
    for (fi, f) in image.files.iter().enumerate() {
        let pkg = f.package();
        let entry = graph.entry(pkg).or_default();
        for (di, dep) in f.proto().dependency.iter().enumerate() {
            let Some(&target) = by_name.get(dep.as_str()) else {
                continue;
            };
            let dep_pkg = image.files[target].package();
            if dep_pkg != pkg {
                entry.entry(dep_pkg).or_default().push((fi, di as i32));
            }
        }
    }
    let checked: BTreeSet<usize> = cx.files.iter().map(|f| f.index).collect();
    for (&pkg, imported) in &graph {
        if pkg.is_empty() {
            continue;
        }
        for (&direct, imports) in imported {
            if direct.is_empty() {
                continue;
            }
            let mut on_path: BTreeSet<&str> = BTreeSet::from([pkg]);
            let Some(cycle) = find_cycle(direct, &graph, &mut on_path, vec![pkg]) else {
                continue;
            };
            let message = format!("Package import cycle: {}", cycle.join(" -> "));
            for &(fi, di) in imports {
                if image.files[fi].is_import || !checked.contains(&fi) {
                    continue;
                }
                out.at_index(fi, Some(vec![tag::file::DEPENDENCY, di]), message.clone());
            }
        }
    }
}

/// Depth-first from `pkg`; returns the cycle when it leads back to the first package of `list`.
fn find_cycle<'a>(
    pkg: &'a str,
    graph: &Graph<'a>,
    on_path: &mut BTreeSet<&'a str>,
    mut list: Vec<&'a str>,
) -> Option<Vec<&'a str>> {
    list.push(pkg);
    if on_path.contains(pkg) {
        return (list.first() == list.last()).then_some(list);
    }
    on_path.insert(pkg);
    if let Some(next) = graph.get(pkg) {
        for &n in next.keys() {
            if n.is_empty() {
                continue;
            }
            if let Some(cycle) = find_cycle(n, graph, on_path, list.clone()) {
                return Some(cycle);
            }
        }
    }
    on_path.remove(pkg);
    None
}

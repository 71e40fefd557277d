//! The layering of the crate, read from its sources: only the HTTP layer (and the CLI that
//! starts it) knows the web framework, no domain module reaches up into it, and the
//! top-level modules depend on each other without a cycle.
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Crates only `http` (and `cli`) may name.
const WEB_CRATES: &[&str] = &[
    "axum",
    "tower",
    "tower_http",
    "tower_sessions",
    "utoipa",
    "utoipa_axum",
    "minijinja",
];

/// May use the web crates and the HTTP layer.
const ABOVE_THE_DOMAIN: &[&str] = &["http", "cli"];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Each top-level module of `src/` with the text of its files.
fn modules() -> BTreeMap<String, Vec<(PathBuf, String)>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut modules: BTreeMap<String, Vec<(PathBuf, String)>> = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        let top = relative.components().next().unwrap().as_os_str();
        let name = top.to_string_lossy().trim_end_matches(".rs").to_owned();
        if name == "lib" || name == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        modules.entry(name).or_default().push((file, text));
    }
    modules
}

/// The top-level modules a file names through `crate::x` or `crate::{x, y}`.
fn named_modules(text: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let single = regex::Regex::new(r"crate::([a-z_]+)").unwrap();
    let grouped = regex::Regex::new(r"crate::\{([^}]*)\}").unwrap();
    let mut found: BTreeSet<String> = single
        .captures_iter(text)
        .map(|c| c[1].to_owned())
        .collect();
    for group in grouped.captures_iter(text) {
        found.extend(
            group[1]
                .split(',')
                .map(|p| p.trim().split("::").next().unwrap_or_default().to_owned()),
        );
    }
    found.retain(|m| known.contains(m));
    found
}

#[test]
fn only_the_http_layer_knows_the_web_framework() {
    let uses = regex::Regex::new(&format!(r"\b({})::", WEB_CRATES.join("|"))).unwrap();
    let mut offenders = Vec::new();
    for (module, files) in modules() {
        if ABOVE_THE_DOMAIN.contains(&module.as_str()) {
            continue;
        }
        for (path, text) in files {
            for (n, line) in text.lines().enumerate() {
                if let Some(m) = uses.find(line) {
                    offenders.push(format!("{}:{}: {}", path.display(), n + 1, m.as_str()));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "domain modules using the web crates:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn domain_modules_do_not_import_the_http_layer() {
    let modules = modules();
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    let mut offenders = Vec::new();
    for (module, files) in &modules {
        if ABOVE_THE_DOMAIN.contains(&module.as_str()) {
            continue;
        }
        for (path, text) in files {
            if named_modules(text, &known).contains("http") {
                offenders.push(path.display().to_string());
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "domain files importing crate::http: {offenders:?}"
    );
}

/// A file without its unit tests (a `#[cfg(test)]` module at its end, by convention): a
/// test may use any module, say the catalogue generator, without making a dependency.
fn without_tests(text: &str) -> &str {
    text.find("#[cfg(test)]").map_or(text, |end| &text[..end])
}

#[test]
fn top_level_modules_form_no_cycle() {
    let modules = modules();
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    let graph: BTreeMap<String, BTreeSet<String>> = modules
        .iter()
        .map(|(module, files)| {
            let mut deps = BTreeSet::new();
            for (_, text) in files {
                deps.extend(named_modules(without_tests(text), &known));
            }
            deps.remove(module);
            (module.clone(), deps)
        })
        .collect();
    assert!(graph.contains_key("store") && graph.contains_key("http"));
    // Depth-first search for a path back to where it started.
    fn cycle_from(
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        let last = path.last().unwrap().clone();
        for next in &graph[&last] {
            if let Some(i) = path.iter().position(|m| m == next) {
                let mut cycle = path[i..].to_vec();
                cycle.push(next.clone());
                return Some(cycle);
            }
            path.push(next.clone());
            if let Some(cycle) = cycle_from(graph, path) {
                return Some(cycle);
            }
            path.pop();
        }
        None
    }
    for module in graph.keys() {
        let cycle = cycle_from(&graph, &mut vec![module.clone()]);
        assert!(
            cycle.is_none(),
            "import cycle: {}",
            cycle.unwrap().join(" → ")
        );
    }
}

//! The layout's promises, checked: no import cycles between the files of the plugin crate or
//! of the simulator, each room (a top-level folder or file of src/) using only rooms below it
//! in the order lib.rs gives, and no production file over 500 lines. A `mod` declaration is containment, not an edge; `crate::a::b::C` (in `use` trees
//! and inline paths) is an edge to the deepest file among `a`, `a/b`; `super::` likewise.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The module path of each `.rs` file under `dir` (the crate root is `[]`).
fn modules(dir: &Path) -> BTreeMap<Vec<String>, PathBuf> {
    fn walk(dir: &Path, prefix: &[String], out: &mut BTreeMap<Vec<String>, PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            if path.is_dir() {
                // src/bin holds separate binary crates.
                if name != "bin" {
                    let mut p = prefix.to_vec();
                    p.push(name);
                    walk(&path, &p, out);
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let module = match name.as_str() {
                "lib" | "mod" => prefix.to_vec(),
                // main.rs is a binary crate of its own beside lib.rs.
                "main" if prefix.is_empty() => continue,
                _ => {
                    let mut p = prefix.to_vec();
                    p.push(name);
                    p
                }
            };
            out.insert(module, path);
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, &[], &mut out);
    out
}

/// Source without comments and string contents, so examples in docs are not edges.
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        '\n' => out.push('\n'),
                        _ => {}
                    }
                }
                out.push_str("\"\"");
            }
            _ => out.push(c),
        }
    }
    out
}

/// Every path a use tree or inline path names after `anchor` (`crate::` or `super::`),
/// braces expanded: `a::{b, c::{self, D}}` gives `a::b`, `a::c`, `a::c::D`.
fn paths_after(code: &str, anchor: &str) -> Vec<Vec<String>> {
    fn tree(chars: &[char], at: &mut usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
        let mut path = prefix;
        let mut word = String::new();
        while *at < chars.len() {
            let c = chars[*at];
            if c.is_alphanumeric() || c == '_' {
                word.push(c);
                *at += 1;
            } else if c == ':' && chars.get(*at + 1) == Some(&':') {
                if !word.is_empty() {
                    path.push(std::mem::take(&mut word));
                }
                *at += 2;
                if chars.get(*at) == Some(&'{') {
                    *at += 1;
                    loop {
                        while chars
                            .get(*at)
                            .is_some_and(|c| c.is_whitespace() || *c == ',')
                        {
                            *at += 1;
                        }
                        if chars.get(*at).is_none_or(|c| *c == '}') {
                            *at += 1;
                            return;
                        }
                        tree(chars, at, path.clone(), out);
                    }
                }
            } else {
                break;
            }
        }
        if !word.is_empty() && word != "self" {
            path.push(word);
        }
        out.push(path);
    }
    let chars: Vec<char> = code.chars().collect();
    let anchor: Vec<char> = anchor.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i + anchor.len() <= chars.len() {
        let boundary = i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
        if boundary && chars[i..i + anchor.len()] == anchor[..] {
            let mut at = i + anchor.len();
            if chars.get(at) == Some(&'{') {
                at += 1;
                loop {
                    while chars
                        .get(at)
                        .is_some_and(|c| c.is_whitespace() || *c == ',')
                    {
                        at += 1;
                    }
                    if chars.get(at).is_none_or(|c| *c == '}') {
                        break;
                    }
                    tree(&chars, &mut at, Vec::new(), &mut out);
                }
            } else {
                tree(&chars, &mut at, Vec::new(), &mut out);
            }
            i = at.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// The part of a file before its test module (`#[cfg(test)]` or `#[cfg(all(test, ...))]`).
fn production_part(text: &str) -> &str {
    let end = ["#[cfg(test)]", "#[cfg(all(test"]
        .iter()
        .filter_map(|m| text.find(m))
        .min()
        .unwrap_or(text.len());
    &text[..end]
}

/// File → files it uses.
fn graph(dir: &Path) -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
    let modules = modules(dir);
    let resolve = |path: &[String]| -> Option<&PathBuf> {
        (0..=path.len()).rev().find_map(|n| modules.get(&path[..n]))
    };
    let mut edges = BTreeMap::new();
    for (module, file) in &modules {
        let text = std::fs::read_to_string(file).unwrap();
        // Inside `mod tests`, `super` is the file itself: only the production part counts
        // for `super::`; `crate::` counts everywhere.
        let production = production_part(&text);
        let mut targets = BTreeSet::new();
        for path in paths_after(&code_only(&text), "crate::") {
            if let Some(to) = resolve(&path) {
                targets.insert(to.clone());
            }
        }
        let is_mod_file = file.file_stem().is_some_and(|s| s == "mod" || s == "lib");
        for path in paths_after(&code_only(production), "super::") {
            // `super` of m/a.rs (module m::a) is m; of m/mod.rs (module m) it is m's parent:
            // the module path minus its last part either way.
            let mut full = module[..module.len().saturating_sub(1)].to_vec();
            full.extend(path);
            if let Some(to) = resolve(&full) {
                targets.insert(to.clone());
            }
        }
        // `use child::X` (or `pub use child::*`) in a mod.rs or lib.rs names its own child;
        // other first words (`std`, `crate`, a crate's name) are not children.
        if is_mod_file {
            for path in paths_after(&code_only(production), "use ") {
                let mut full = module.clone();
                full.extend(path);
                if full.len() > module.len()
                    && modules.contains_key(&full[..=module.len()])
                    && let Some(to) = resolve(&full)
                {
                    targets.insert(to.clone());
                }
            }
        }
        targets.remove(file);
        edges.insert(file.clone(), targets);
    }
    edges
}

/// Each cycle found, as the files around it.
fn cycles(edges: &BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> Vec<Vec<PathBuf>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    fn visit(
        node: &PathBuf,
        edges: &BTreeMap<PathBuf, BTreeSet<PathBuf>>,
        marks: &mut BTreeMap<PathBuf, Mark>,
        stack: &mut Vec<PathBuf>,
        found: &mut Vec<Vec<PathBuf>>,
    ) {
        marks.insert(node.clone(), Mark::Open);
        stack.push(node.clone());
        for next in edges.get(node).into_iter().flatten() {
            match marks.get(next).copied().unwrap_or(Mark::New) {
                Mark::New => visit(next, edges, marks, stack, found),
                Mark::Open => {
                    let from = stack.iter().position(|n| n == next).unwrap();
                    found.push(stack[from..].to_vec());
                }
                Mark::Done => {}
            }
        }
        stack.pop();
        marks.insert(node.clone(), Mark::Done);
    }
    let mut marks = BTreeMap::new();
    let mut found = Vec::new();
    for node in edges.keys() {
        if marks.get(node).copied().unwrap_or(Mark::New) == Mark::New {
            visit(node, edges, &mut marks, &mut Vec::new(), &mut found);
        }
    }
    found
}

fn assert_acyclic(dir: &str) {
    let root = Path::new(ROOT).join(dir);
    let edges = graph(&root);
    assert!(edges.len() > 5, "no sources found under {}", root.display());
    let shown: Vec<String> = cycles(&edges)
        .iter()
        .map(|cycle| {
            cycle
                .iter()
                .map(|p| p.strip_prefix(&root).unwrap().display().to_string())
                .collect::<Vec<_>>()
                .join(" → ")
        })
        .collect();
    assert!(
        shown.is_empty(),
        "import cycles in {dir}:\n{}",
        shown.join("\n")
    );
}

#[test]
fn the_plugin_has_no_import_cycles() {
    assert_acyclic("src");
}

/// The plugin's rooms, top to bottom, as lib.rs documents them: each may use only rooms after
/// it. `lib.rs` itself (the entry) is above them all.
const ROOMS: [&str; 9] = [
    "commands",
    "ui",
    "cli",
    "coder",
    "exit_codes",
    "hardening",
    "kube",
    "text",
    "platform",
];

/// The room of a file under `root`: its first path component, without `.rs`.
fn room(root: &Path, file: &Path) -> String {
    let first = file
        .strip_prefix(root)
        .unwrap()
        .components()
        .next()
        .unwrap();
    let first = first.as_os_str().to_string_lossy();
    first.strip_suffix(".rs").unwrap_or(&first).to_string()
}

/// Room → rooms it uses, from the file graph (the crate root left out).
fn room_edges(root: &Path) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (from, targets) in graph(root) {
        if from == root.join("lib.rs") {
            continue;
        }
        for to in targets {
            let (a, b) = (room(root, &from), room(root, &to));
            if a != b {
                out.insert((a, b));
            }
        }
    }
    out
}

/// Edges that go up (or to a room the order does not name).
fn upward(edges: &BTreeSet<(String, String)>, order: &[&str]) -> Vec<String> {
    let rank = |r: &str| order.iter().position(|o| *o == r);
    edges
        .iter()
        .filter(|(a, b)| match (rank(a), rank(b)) {
            (Some(a), Some(b)) => a >= b,
            _ => true,
        })
        .map(|(a, b)| format!("{a} → {b}"))
        .collect()
}

#[test]
fn each_room_of_the_plugin_uses_only_rooms_below_it() {
    let root = Path::new(ROOT).join("src");
    let edges = room_edges(&root);
    assert!(
        edges.len() > 5,
        "no room edges found under {}",
        root.display()
    );
    let up = upward(&edges, &ROOMS);
    assert!(
        up.is_empty(),
        "rooms used from below (order: {ROOMS:?}): {up:?}"
    );
    let lib = std::fs::read_to_string(root.join("lib.rs")).unwrap();
    let documented: Vec<usize> = ROOMS
        .iter()
        .filter(|r| !matches!(**r, "exit_codes" | "hardening"))
        .map(|r| {
            lib.find(&format!("[`{r}`]"))
                .unwrap_or_else(|| panic!("lib.rs does not name {r}"))
        })
        .collect();
    assert!(
        documented.is_sorted(),
        "lib.rs lists the rooms in another order than {ROOMS:?}"
    );
}

#[test]
fn the_room_check_sees_an_upward_edge() {
    let edges: BTreeSet<(String, String)> = [("ui", "cli"), ("cli", "ui"), ("ui", "text")]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(upward(&edges, &["ui", "cli", "text"]), vec!["cli → ui"]);
    let unknown: BTreeSet<(String, String)> = [("ui".to_string(), "extra".to_string())].into();
    assert_eq!(upward(&unknown, &["ui"]), vec!["ui → extra"]);
}

#[test]
fn the_simulator_has_no_import_cycles() {
    assert_acyclic("sim/src");
}

#[test]
fn no_production_file_is_over_500_lines() {
    let mut long = Vec::new();
    for dir in ["src", "sim/src", "passwordvalidator/src"] {
        for file in modules(&Path::new(ROOT).join(dir)).values() {
            let text = std::fs::read_to_string(file).unwrap();
            let production = production_part(&text);
            let lines = production.lines().count();
            if lines > 500 {
                long.push(format!("{} ({lines} lines)", file.display()));
            }
        }
    }
    assert!(long.is_empty(), "over 500 lines before the tests: {long:?}");
}

#[test]
fn the_checker_sees_edges_and_cycles() {
    let code = "use crate::a::{b, c::{self, D}};\nfn f() { crate::e::F::g(); }\n// crate::comment\n\"crate::string\"";
    let found = paths_after(&code_only(code), "crate::");
    let want: Vec<Vec<String>> = [
        vec!["a", "b"],
        vec!["a", "c"],
        vec!["a", "c", "D"],
        vec!["e", "F", "g"],
    ]
    .iter()
    .map(|p| p.iter().map(|s| s.to_string()).collect())
    .collect();
    assert_eq!(found, want);

    let edges: BTreeMap<PathBuf, BTreeSet<PathBuf>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec!["a"]),
    ]
    .into_iter()
    .map(|(k, v)| (PathBuf::from(k), v.into_iter().map(PathBuf::from).collect()))
    .collect();
    assert_eq!(
        cycles(&edges),
        vec![vec![
            PathBuf::from("a"),
            PathBuf::from("b"),
            PathBuf::from("c")
        ]]
    );
}

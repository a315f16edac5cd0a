//! The `vault` command: the layers above the on-disk format (`vaultfmt`).

pub mod batch;
pub mod cli;
pub mod control;
pub mod drives;
pub mod error;
pub mod exit;
pub mod fs;
pub mod gate;
pub mod mirror;
pub mod mount;
pub mod mounts;
pub mod notify;
pub mod ocr;
pub mod open;
pub mod parallel;
pub mod passphrase;
pub mod receive;
pub mod scrub;
pub mod settings;
pub mod size;
pub mod status;
pub mod verify;
pub mod version;

#[cfg(test)]
mod layers {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::{Path, PathBuf};

    /// Every source file under `src/` but `main.rs` and `lib.rs`, with its code: comments and
    /// unit tests (what follows `#[cfg(test)]`) left out.
    fn sources() -> Vec<(PathBuf, String)> {
        fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
            for entry in std::fs::read_dir(dir).expect("the source folder") {
                let path = entry.expect("an entry").path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs")
                    && !path.ends_with("main.rs")
                    && !path.ends_with("src/lib.rs")
                {
                    let text = std::fs::read_to_string(&path).expect("a source file");
                    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
                    let code: Vec<&str> =
                        code.lines().filter(|l| !l.trim_start().starts_with("//")).collect();
                    out.push((path, code.join("\n")));
                }
            }
        }
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut out = Vec::new();
        walk(&src, &mut out);
        out.into_iter().map(|(p, c)| (p.strip_prefix(&src).expect("under src").to_path_buf(), c)).collect()
    }

    /// The crate's top-level modules, each with those it names (`crate::x`, or `super::x` from a
    /// top-level file).
    fn uses() -> BTreeMap<String, BTreeSet<String>> {
        let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (path, code) in sources() {
            let top =
                path.iter().next().expect("a name").to_string_lossy().trim_end_matches(".rs").to_string();
            let mut prefixes = vec!["crate::"];
            if path.components().count() == 1 {
                prefixes.push("super::");
            }
            let named = uses.entry(top.clone()).or_default();
            for prefix in prefixes {
                for (at, _) in code.match_indices(prefix) {
                    let rest = &code[at + prefix.len()..];
                    let name: String =
                        rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    if !name.is_empty() && name != top {
                        named.insert(name);
                    }
                }
            }
        }
        uses
    }

    /// DESIGN.md's layers as the code has them: no module names one that names it back, by any
    /// path (a loop such as mirror → gate → error → mirror would make two layers one).
    #[test]
    fn no_module_reaches_back_to_one_that_reaches_it() {
        fn visit(
            m: &str,
            uses: &BTreeMap<String, BTreeSet<String>>,
            path: &mut Vec<String>,
            done: &mut BTreeSet<String>,
        ) -> Option<Vec<String>> {
            if let Some(at) = path.iter().position(|p| p == m) {
                let mut cycle = path[at..].to_vec();
                cycle.push(m.to_string());
                return Some(cycle);
            }
            if !done.insert(m.to_string()) {
                return None;
            }
            path.push(m.to_string());
            for next in uses.get(m).into_iter().flatten() {
                if let Some(cycle) = visit(next, uses, path, done) {
                    return Some(cycle);
                }
            }
            path.pop();
            None
        }
        let uses = uses();
        assert!(
            uses["cli"].contains("gate") && uses["mirror"].contains("gate"),
            "the scan finds uses: {uses:?}"
        );
        let mut done = BTreeSet::new();
        for m in uses.keys() {
            let cycle = visit(m, &uses, &mut Vec::new(), &mut done);
            assert!(cycle.is_none(), "a loop between layers: {}", cycle.unwrap_or_default().join(" → "));
        }
    }

    /// `anyhow` is for the edge: the command files and `main`. Below them every operation
    /// returns a typed error (`crate::error::Error`, or its layer's own).
    #[test]
    fn anyhow_only_at_the_edge() {
        let found: Vec<String> = sources()
            .into_iter()
            .filter(|(path, code)| !path.starts_with("cli") && code.contains("anyhow"))
            .map(|(path, _)| path.display().to_string())
            .collect();
        assert!(found.is_empty(), "these use anyhow below the command files: {found:?}");
    }

    /// The layers of DESIGN.md: a command file (`src/cli/`) parses, calls one operation and shows
    /// the result; the operations below it never call back up into a command file.
    #[test]
    fn nothing_below_the_commands_reaches_up_into_them() {
        fn walk(dir: &std::path::Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).expect("the source folder") {
                let path = entry.expect("an entry").path();
                if path.is_dir() {
                    if !path.ends_with("cli") {
                        walk(&path, found);
                    }
                } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("main.rs") {
                    let text = std::fs::read_to_string(&path).expect("a source file");
                    // Spelt in two so that this file's own text does not match.
                    let up =
                        [concat!("crate::", "cli"), concat!("vault::", "cli"), concat!("super::", "cli")];
                    if up.iter().any(|u| text.contains(u)) {
                        found.push(path.display().to_string());
                    }
                }
            }
        }
        let mut found = Vec::new();
        walk(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut found);
        assert!(found.is_empty(), "these reach up into the command files: {found:?}");
    }
}

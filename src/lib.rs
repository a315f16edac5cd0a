//! The `vault` command: the layers above the on-disk format (`vaultfmt`).

pub mod batch;
pub mod cli;
pub mod control;
pub mod drives;
pub mod exit;
pub mod fs;
pub mod gate;
pub mod mirror;
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

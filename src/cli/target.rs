//! `DEVICE:PATH` arguments and opening a vault's store for the commands that use it.

use std::path::{Path, PathBuf};

use vaultfmt::dev::FileDevice;
use vaultfmt::store::Store;

use super::{PassphraseArgs, unlock};
use crate::open::open_unlocked;

/// A vault and a path inside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub device: PathBuf,
    /// Absolute, with `/` separators; "/" is the vault's top folder.
    pub path: String,
}

impl Target {
    /// Reads `DEVICE:PATH` or `DEVICE`. The device part is the longest prefix before a `:`
    /// that exists, so devices and images whose names hold `:` still work.
    pub fn parse(arg: &str) -> Target {
        for (i, _) in arg.match_indices(':').collect::<Vec<_>>().into_iter().rev() {
            let (dev, path) = (&arg[..i], &arg[i + 1..]);
            if Path::new(dev).exists() {
                return Target { device: PathBuf::from(dev), path: normalise(path) };
            }
        }
        Target { device: PathBuf::from(arg), path: "/".into() }
    }
}

/// `a/b/../c/` → `/a/c`. `..` never climbs above the top folder.
pub fn normalise(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Unlocks the vault on `device` and opens its store, recording the opening in the audit log.
pub fn open_store(device: &Path, pass: &PassphraseArgs, command: &str) -> anyhow::Result<Store<FileDevice>> {
    Ok(open_unlocked(unlock(device, pass, None)?, command)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(normalise("a/b/../c/"), "/a/c");
        assert_eq!(normalise("../../x"), "/x");
        assert_eq!(normalise(""), "/");
        let t = Target::parse("/definitely/missing.img:/x");
        assert_eq!(t.device, PathBuf::from("/definitely/missing.img:/x"));
        let t = Target::parse("/dev/null:/study/a.dcm");
        assert_eq!((t.device, t.path), (PathBuf::from("/dev/null"), "/study/a.dcm".to_string()));
        let t = Target::parse("/dev/null");
        assert_eq!(t.path, "/");
    }
}

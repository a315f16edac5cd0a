//! Records the git commit vault is built from (`vault --version`). A build outside a git work
//! tree (a source tarball) says "unknown" unless `VAULT_COMMIT` names the commit.

use std::path::Path;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn main() {
    println!("cargo:rerun-if-env-changed=VAULT_COMMIT");
    // A commit moves HEAD or the branch it names; an edit changes the sources, and so whether
    // the tree is clean (told by `git status` without refreshing the index, which would be a
    // change of its own). Only files that exist are watched: a missing one is always stale.
    // What goes into the binary; whether these differ from the commit is what "+changes" says.
    let sources = ["src", "vaultfmt/src", "Cargo.toml", "Cargo.lock", "vaultfmt/Cargo.toml", "build.rs"];
    let mut watched: Vec<String> = sources.iter().map(|s| s.to_string()).collect();
    // HEAD's log moves with every commit and checkout, even when the branch's ref is packed.
    let branch = git(&["symbolic-ref", "-q", "HEAD"]);
    for name in ["HEAD", "logs/HEAD", "packed-refs"].into_iter().chain(branch.as_deref()) {
        watched.extend(git(&["rev-parse", "--git-path", name]));
    }
    for path in watched.iter().filter(|p| Path::new(p).exists()) {
        println!("cargo:rerun-if-changed={path}");
    }
    let commit = std::env::var("VAULT_COMMIT").ok().or_else(|| {
        let id = git(&["rev-parse", "--short=12", "HEAD"])?;
        let mut status = vec!["--no-optional-locks", "status", "--porcelain", "--untracked-files=no", "--"];
        status.extend(sources);
        let dirty = git(&status).is_some_and(|s| !s.is_empty());
        Some(if dirty { format!("{id}+changes") } else { id })
    });
    println!("cargo:rustc-env=VAULT_COMMIT={}", commit.as_deref().unwrap_or("unknown"));
}

//! A vault mounted through FUSE for a test, and the mount's process killed.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::Vault;

/// A mounted vault, unmounted on drop.
pub struct Mounted<'a> {
    pub v: &'a Vault,
    pub dir: PathBuf,
}

impl<'a> Mounted<'a> {
    pub fn new(v: &'a Vault, image: &str, dir: &str) -> Mounted<'a> {
        let path = v.path(dir);
        fs::create_dir_all(&path).unwrap();
        v.ok(&["mount", image, dir, "--passphrase-file", "pass"]);
        Mounted { v, dir: path }
    }

    pub fn umount(mut self) {
        let dir = std::mem::take(&mut self.dir);
        self.v.ok(&["umount", dir.to_str().unwrap()]);
    }
}

impl Drop for Mounted<'_> {
    fn drop(&mut self) {
        if !self.dir.as_os_str().is_empty() {
            let _ = Command::new("fusermount3").arg("-uz").arg(&self.dir).status();
        }
    }
}

pub fn run(cmd: &str, args: &[&str], dir: &Path) -> String {
    let out = Command::new(cmd).args(args).current_dir(dir).output().unwrap_or_else(|e| panic!("{cmd}: {e}"));
    assert!(
        out.status.success(),
        "{cmd} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Kills (SIGKILL) the mount process whose command line contains `pattern`, and waits until it
/// is gone (a process in an uninterruptible wait dies only when the wait ends: until then it
/// may still serve requests).
pub fn kill_mount(v: &Vault, pattern: &str) {
    let pids = run("pgrep", &["-f", pattern], v.dir.path());
    let pids: Vec<i32> = pids.lines().map(|p| p.trim().parse().unwrap()).collect();
    for &pid in &pids {
        // SAFETY: signalling the test's own mount process.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
    let started = std::time::Instant::now();
    while pids.iter().any(|p| Path::new(&format!("/proc/{p}")).exists() && !zombie(*p)) {
        assert!(started.elapsed() < std::time::Duration::from_secs(30), "the killed mount lives on");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

fn zombie(pid: i32) -> bool {
    fs::read_to_string(format!("/proc/{pid}/stat"))
        .map_or(true, |s| s.rsplit(") ").next().is_some_and(|r| r.starts_with('Z')))
}

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
/// Past the documented bound on durability (`vault mount --help`: "within 3 seconds") by
/// `margin_ms`: how long a test waits before it kills a mount whose changes must have landed.
pub fn past_durability_bound(margin_ms: u64) -> std::time::Duration {
    vault::fs::DURABLE_WITHIN + std::time::Duration::from_millis(margin_ms)
}

pub fn kill_mount(v: &Vault, pattern: &str) {
    kill_now(&mount_pids(v, pattern));
}

/// The processes whose command line matches `pattern` (a mount's, to be killed later at once).
pub fn mount_pids(v: &Vault, pattern: &str) -> Vec<i32> {
    let pids = run("pgrep", &["-f", pattern], v.dir.path());
    pids.lines().map(|p| p.trim().parse().unwrap()).collect()
}

/// Kills `pids` (SIGKILL) and waits until each is gone: every thread of it, not its first alone
/// (a process's first thread is a zombie while the others still exit, holding its descriptors
/// and so its claim on the vault: CI met a remount refused so).
pub fn kill_now(pids: &[i32]) {
    for &pid in pids {
        // SAFETY: signalling the test's own mount process.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
    let started = std::time::Instant::now();
    while pids.iter().any(|&p| exiting(p)) {
        assert!(started.elapsed() < std::time::Duration::from_secs(30), "the killed mount lives on");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// Whether a thread of `pid` is still there and no zombie.
fn exiting(pid: i32) -> bool {
    let Ok(threads) = fs::read_dir(format!("/proc/{pid}/task")) else { return false };
    threads.flatten().any(|t| {
        fs::read_to_string(t.path().join("stat"))
            .is_ok_and(|s| s.rsplit(") ").next().is_some_and(|r| !r.starts_with('Z') && !r.starts_with('X')))
    })
}

/// A process that copies each (source, destination) with direct I/O (so the bytes reach the
/// vault without a close: the kernel would otherwise keep them in its cache until then) and
/// holds the destinations open until it is killed. A process of its own: every close of any
/// descriptor of a FUSE file — a forked child's copy closed at exec among them — is a flush
/// the gate answers, and the test harness forks.
pub fn hold_open(v: &Vault, files: &[(&str, &str)]) -> std::process::Child {
    let pairs: Vec<String> = files.iter().flat_map(|(a, b)| [a.to_string(), b.to_string()]).collect();
    let script = "import os, sys, time\n\
        args = sys.argv[1:]\n\
        fds = []\n\
        for src, dst in zip(args[0::2], args[1::2]):\n\
        \x20   fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_DIRECT, 0o644)\n\
        \x20   data = open(src, 'rb').read()\n\
        \x20   assert os.pwrite(fd, data, 0) == len(data)\n\
        \x20   fds.append(fd)\n\
        print('written', flush=True)\n\
        time.sleep(600)\n";
    super::python_ready(script, &pairs, Some(v.dir.path()), None, "written")
}

/// The audit log of a mounted vault (read through its mount's process) once it holds `record`:
/// a refusal through the mount is recorded at the file's last close, which the kernel sends
/// after `close` has returned. Panics, showing the log, after 5 seconds without it.
pub fn log_holding(v: &Vault, image: &str, record: &str) -> String {
    let started = std::time::Instant::now();
    loop {
        let log = v.ok(&["log", image, "--passphrase-file", "pass"]);
        if log.contains(record) {
            return log;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "no {record:?} in:\n{log}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// A tree of DICOM-like files: nested series, sizes from 0 to a few MB, a link.
pub fn study(root: &Path) {
    for s in 0..3 {
        let dir = root.join(format!("study/series{s}"));
        fs::create_dir_all(&dir).unwrap();
        for i in 0..20 {
            let len = [0, 1, 4095, 4096, 65_535, 65_536, 65_537, 300_000, 524_288][(i + s) % 9] + i * 13;
            let data: Vec<u8> = (0..len).map(|b| (b * 31 + i + s) as u8).collect();
            fs::write(dir.join(format!("im{i:03}.dcm")), data).unwrap();
        }
    }
    fs::write(root.join("study/big.bin"), vec![0x42u8; 5 << 20]).unwrap();
    std::os::unix::fs::symlink("series0/im000.dcm", root.join("study/first")).unwrap();
}

/// A made-up identifying DICOM file (explicit VR little endian, Part 10), built by hand.
pub fn identifying_dicom() -> Vec<u8> {
    fn el(out: &mut Vec<u8>, group: u16, elem: u16, vr: &[u8; 2], value: &[u8]) {
        let mut v = value.to_vec();
        if v.len() % 2 == 1 {
            v.push(if vr == b"UI" { 0 } else { b' ' });
        }
        out.extend_from_slice(&group.to_le_bytes());
        out.extend_from_slice(&elem.to_le_bytes());
        out.extend_from_slice(vr);
        out.extend_from_slice(&(v.len() as u16).to_le_bytes());
        out.extend_from_slice(&v);
    }
    let mut meta = Vec::new();
    el(&mut meta, 0x0002, 0x0010, b"UI", b"1.2.840.10008.1.2.1");
    let mut out = vec![0u8; 128];
    out.extend_from_slice(b"DICM");
    el(&mut out, 0x0002, 0x0000, b"UL", &(meta.len() as u32).to_le_bytes());
    out.extend_from_slice(&meta);
    el(&mut out, 0x0008, 0x0060, b"CS", b"CT");
    el(&mut out, 0x0010, 0x0010, b"PN", b"Madeup^Patient");
    out
}

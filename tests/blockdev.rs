//! Real block devices: loop devices over image files (needs root and `losetup`, as in CI).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::Vault;

/// A loop device attached to a file, detached on drop.
struct Loop(PathBuf);

impl Loop {
    fn attach(file: &Path) -> Loop {
        let out = Command::new("losetup").args(["-f", "--show"]).arg(file).output().expect("losetup runs");
        assert!(
            out.status.success(),
            "losetup failed (these tests need root): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Loop(PathBuf::from(String::from_utf8(out.stdout).unwrap().trim()))
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for Loop {
    fn drop(&mut self) {
        let _ = Command::new("losetup").arg("-d").arg(&self.0).status();
    }
}

fn run(cmd: &str, args: &[&str]) {
    let out = Command::new(cmd).args(args).output().unwrap();
    assert!(out.status.success(), "{cmd} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn init_info_and_unlock_on_a_loop_device() {
    let v = Vault::new();
    std::fs::write(v.path("backing.img"), vec![0u8; 48 << 20]).unwrap();
    let dev = Loop::attach(&v.path("backing.img"));
    // A loop device is a drive whose kind vault cannot tell: refused, naming the rule, and
    // untouched; accepted when the user says so.
    let (code, _, err) =
        v.run(&[&["init", dev.path(), "--passphrase-file", "pass"][..], &common::CHEAP].concat());
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("rule unknown-kind") && err.contains("--accept-drive"), "{err}");
    assert!(
        std::fs::read(v.path("backing.img")).unwrap().iter().all(|&b| b == 0),
        "a refused drive was written"
    );
    let out = v.json_cheap(&["init", dev.path(), "--accept-drive", "--passphrase-file", "pass", "--json"]);
    // The size comes from the kernel (BLKGETSIZE64).
    assert_eq!(out["volume_bytes"], 48 << 20);
    let info = v.json(&["info", dev.path(), "--json"]);
    assert_eq!(info["uuid"], out["uuid"]);
    v.ok(&["passwd", dev.path(), "--test", "--passphrase-file", "pass"]);
    drop(dev);
    // The same vault, seen through the image file the loop device wrote to.
    v.ok(&["passwd", "backing.img", "--test", "--passphrase-file", "pass"]);
}

#[test]
fn a_mounted_device_is_never_formatted() {
    let v = Vault::new();
    std::fs::write(v.path("fs.img"), vec![0u8; 32 << 20]).unwrap();
    let dev = Loop::attach(&v.path("fs.img"));
    run("mkfs.ext4", &["-q", "-F", dev.path()]);
    let mnt = v.path("mnt");
    std::fs::create_dir(&mnt).unwrap();
    run("mount", &[dev.path(), mnt.to_str().unwrap()]);
    let (code, _, err) = v.run(&["init", dev.path(), "--yes", "--accept-drive", "--passphrase-file", "pass"]);
    let _ = Command::new("umount").arg(&mnt).status();
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("rule mounted") && err.contains("never formatted"), "{err}");

    // Unmounted, it holds an ext4 filesystem: refused without --yes, formatted with it.
    let (code, _, err) = v.run(&["init", dev.path(), "--accept-drive", "--passphrase-file", "pass"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("ext2/3/4 filesystem"), "{err}");
    v.json_cheap(&["init", dev.path(), "--yes", "--accept-drive", "--passphrase-file", "pass", "--json"]);
    v.ok(&["passwd", dev.path(), "--test", "--passphrase-file", "pass"]);
}

/// `vault eject` of a vault on a block device, by its folder and by the device: committed,
/// unmounted, the device released; a loop device is said to have no drive to power down.
#[test]
fn eject_unmounts_and_releases_a_device() {
    let v = Vault::new();
    std::fs::write(v.path("backing.img"), vec![0u8; 32 << 20]).unwrap();
    let dev = Loop::attach(&v.path("backing.img"));
    v.json_cheap(&["init", dev.path(), "--yes", "--accept-drive", "--passphrase-file", "pass", "--json"]);
    for by in ["folder", "device"] {
        std::fs::create_dir_all(v.path("mnt")).unwrap();
        v.ok(&["mount", dev.path(), "mnt", "--passphrase-file", "pass"]);
        std::fs::write(v.path("mnt").join(format!("{by}.txt")), "made-up note\n").unwrap();
        let target = if by == "folder" { "mnt" } else { dev.path() };
        let out = v.ok(&["eject", target]);
        assert!(out.contains("not powered down: a loop device has no drive"), "{out}");
        let table = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
        assert!(!table.contains(v.path("mnt").to_str().unwrap()), "still mounted");
        // Released: nothing holds the device, and what was written is there.
        v.ok(&["fsck", dev.path(), "--passphrase-file", "pass"]);
        let listing = v.ok(&["ls", dev.path(), "--passphrase-file", "pass"]);
        assert!(listing.contains(&format!("{by}.txt")), "{listing}");
    }
    // Not mounted, not in use: nothing to wait for.
    assert!(v.ok(&["eject", dev.path()]).contains("a loop device has no drive"));
    std::fs::create_dir(v.path("plain")).unwrap();
    let (code, _, err) = v.run(&["eject", "plain"]);
    assert_eq!((code, err.trim()), (66, "vault: plain: no vault is mounted there"));
}

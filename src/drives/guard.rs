//! The guard's operations: a USB drive the drive policy refuses (or cannot classify) is made
//! read-only in the kernel the moment it appears; and the udev rule and systemd unit that run
//! the guard from boot, put in place or removed. `vault guard` (`src/cli/guard.rs`) says what
//! was done.

use std::path::{Path, PathBuf};

use super::classify::{self, Bus, Classification, DeviceFacts, DrivePolicy, Verdict};

/// `_IO(0x12, 93)`: set a block device read-only.
const BLKROSET: libc::c_ulong = 0x125d;

/// Makes a block device read-only in the kernel: writes fail with EPERM until it is made
/// writable again (`blockdev --setrw`) or replugged.
pub fn make_read_only(path: &Path) -> std::io::Result<()> {
    use std::os::unix::io::AsRawFd;
    let file = std::fs::File::open(path)?;
    let on: libc::c_int = 1;
    // SAFETY: BLKROSET reads one int through the pointer.
    let rc = unsafe { libc::ioctl(file.as_raw_fd(), BLKROSET as _, &on as *const libc::c_int) };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// What the guard did with one drive.
#[derive(Debug)]
pub enum Action {
    /// Not USB storage, or a drive the policy accepts.
    LeftAlone,
    MadeReadOnly,
    /// It should have been made read-only and could not (the error says why).
    Failed(std::io::Error),
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Action::LeftAlone => f.write_str("left alone"),
            Action::MadeReadOnly => f.write_str("made read-only"),
            Action::Failed(e) => write!(f, "could not be made read-only: {e}"),
        }
    }
}

/// Classifies one drive with the policy and, when it is USB storage the policy does not accept,
/// makes it read-only.
pub fn guard(facts: &DeviceFacts, policy: &DrivePolicy) -> (Classification, Action) {
    let c = classify::classify(facts, policy);
    if facts.bus != Some(Bus::Usb) || c.verdict == Verdict::Ok {
        return (c, Action::LeftAlone);
    }
    let action = match make_read_only(Path::new(&facts.path)) {
        Ok(()) => Action::MadeReadOnly,
        Err(e) => Action::Failed(e),
    };
    (c, action)
}

const RULE: &str = "etc/udev/rules.d/70-vault-guard.rules";
const UNIT: &str = "etc/systemd/system/vault-guard.service";
/// What the Debian package installs (in /usr/lib), for /usr/bin/vault.
const PACKAGED_RULE: &str = include_str!("../../packaging/udev/70-vault-guard.rules");
const PACKAGED_UNIT: &str = include_str!("../../packaging/systemd/vault-guard.service");

/// Writes the udev rule and the systemd unit under `root`, pointed at the binary that runs
/// this, and with `root` `/` reloads udev and enables the unit. Returns the files written.
pub fn install(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let exe = std::env::current_exe()?;
    let exe =
        exe.to_str().ok_or_else(|| std::io::Error::other(format!("{}: not a UTF-8 path", exe.display())))?;
    let rule = PACKAGED_RULE.replace("/usr/bin/vault", exe);
    let unit = PACKAGED_UNIT.replace("/usr/bin/vault", exe);
    let mut written = Vec::new();
    for (path, text) in [(RULE, rule), (UNIT, unit)] {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().expect("a folder"))?;
        std::fs::write(&path, text)?;
        written.push(path);
    }
    if root == Path::new("/") {
        let _ = std::process::Command::new("udevadm").args(["control", "--reload"]).status();
        let _ =
            std::process::Command::new("systemctl").args(["enable", "--now", "vault-guard.service"]).status();
    }
    Ok(written)
}

/// Removes what [`install`] wrote (with `root` `/`, disabling the unit first). Returns the files
/// removed.
pub fn uninstall(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    if root == Path::new("/") {
        let _ = std::process::Command::new("systemctl")
            .args(["disable", "--now", "vault-guard.service"])
            .status();
    }
    let mut removed = Vec::new();
    for path in [RULE, UNIT] {
        let path = root.join(path);
        match std::fs::remove_file(&path) {
            Ok(()) => removed.push(path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    if root == Path::new("/") {
        let _ = std::process::Command::new("udevadm").args(["control", "--reload"]).status();
    }
    Ok(removed)
}

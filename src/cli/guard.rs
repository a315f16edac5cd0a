//! `vault guard`: USB storage that the drive policy refuses (memory sticks, card readers, small
//! drives) is made read-only the moment it appears, and the guard says why on standard output
//! (the journal, when systemd runs it). Nothing can then be copied onto a stick by accident.
//!
//! Two ways in, both installed by `--install`: a udev rule that runs `vault guard --device
//! $devnode` for every USB disk as it is added (before anything can mount it), and a systemd
//! unit that runs `vault guard` from boot, watching hotplug through a udev monitor.

use std::path::{Path, PathBuf};

use clap::Args;

use super::drives::{json, verdict_word};
use super::print_json;
use crate::drives::classify::{self, Bus, DeviceFacts, DrivePolicy, Verdict};
use crate::drives::discover;
use crate::exit::{Exit, UsageError};

#[derive(Args, Debug)]
#[command(after_help = "Without options it runs until stopped, handling each USB disk as it is \
    plugged in. It acts on USB storage only: a refused or unclassified USB drive is made \
    read-only (BLKROSET); other drives are reported, never touched. --install writes \
    /etc/udev/rules.d/70-vault-guard.rules and /etc/systemd/system/vault-guard.service (under \
    --root) and, with --root /, enables the unit; --uninstall removes them.")]
pub struct GuardArgs {
    /// Handle one device now (as the udev rule does) instead of watching
    #[arg(long, value_name = "DEVICE", conflicts_with_all = ["install", "uninstall"])]
    pub device: Option<PathBuf>,
    /// Stop after the first device handled
    #[arg(long)]
    pub once: bool,
    /// Put the udev rule and the systemd unit in place, so the guard runs from boot
    #[arg(long, conflicts_with = "uninstall")]
    pub install: bool,
    /// Remove the udev rule and the systemd unit
    #[arg(long)]
    pub uninstall: bool,
    /// The root of the system to install into or remove from
    #[arg(long, value_name = "DIR", default_value = "/")]
    pub root: PathBuf,
    /// One JSON object per device handled, one per line (JSON Lines)
    #[arg(long)]
    pub json: bool,
}

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

/// Classifies one device and acts on it; returns true when it was (or should have been) made
/// read-only.
fn handle(facts: &DeviceFacts, policy: &DrivePolicy, as_json: bool) -> bool {
    let c = classify::classify(facts, policy);
    let act = facts.bus == Some(Bus::Usb) && c.verdict != Verdict::Ok;
    let outcome = if !act {
        "left alone".to_string()
    } else {
        match make_read_only(Path::new(&facts.path)) {
            Ok(()) => "made read-only".to_string(),
            Err(e) => format!("could not be made read-only: {e}"),
        }
    };
    if as_json {
        let mut v = json(facts, &c);
        v["action"] = outcome.into();
        print_json(&v);
    } else {
        let model = facts.model.as_deref().unwrap_or("unknown model").replace('_', " ");
        println!(
            "vault guard: {} ({model}): {} ({}: {}); {outcome}",
            facts.path,
            verdict_word(c.verdict),
            c.rule,
            c.why
        );
    }
    act
}

const RULE: &str = "etc/udev/rules.d/70-vault-guard.rules";
const UNIT: &str = "etc/systemd/system/vault-guard.service";
/// What the Debian package installs (in /usr/lib), for /usr/bin/vault.
const PACKAGED_RULE: &str = include_str!("../../packaging/udev/70-vault-guard.rules");
const PACKAGED_UNIT: &str = include_str!("../../packaging/systemd/vault-guard.service");

fn install(root: &Path) -> anyhow::Result<()> {
    // The packaged rule and unit, pointed at the binary that runs this.
    let exe = std::env::current_exe()?;
    let exe = exe.to_str().ok_or_else(|| anyhow::anyhow!("{}: not a UTF-8 path", exe.display()))?;
    let rule = PACKAGED_RULE.replace("/usr/bin/vault", exe);
    let unit = PACKAGED_UNIT.replace("/usr/bin/vault", exe);
    for (path, text) in [(RULE, rule), (UNIT, unit)] {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().expect("a folder"))?;
        std::fs::write(&path, text)?;
        println!("wrote {}", path.display());
    }
    if root == Path::new("/") {
        let _ = std::process::Command::new("udevadm").args(["control", "--reload"]).status();
        let _ =
            std::process::Command::new("systemctl").args(["enable", "--now", "vault-guard.service"]).status();
    }
    Ok(())
}

fn uninstall(root: &Path) -> anyhow::Result<()> {
    if root == Path::new("/") {
        let _ = std::process::Command::new("systemctl")
            .args(["disable", "--now", "vault-guard.service"])
            .status();
    }
    for path in [RULE, UNIT] {
        let path = root.join(path);
        match std::fs::remove_file(&path) {
            Ok(()) => println!("removed {}", path.display()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    if root == Path::new("/") {
        let _ = std::process::Command::new("udevadm").args(["control", "--reload"]).status();
    }
    Ok(())
}

pub fn run(args: GuardArgs) -> anyhow::Result<Exit> {
    if args.install {
        install(&args.root)?;
        return Ok(Exit::Ok);
    }
    if args.uninstall {
        uninstall(&args.root)?;
        return Ok(Exit::Ok);
    }
    let policy = discover::load_policy()?;
    if let Some(device) = &args.device {
        let facts = discover::for_path(device)?
            .ok_or_else(|| UsageError(format!("{}: not a block device", device.display())))?;
        handle(&facts, &policy, args.json);
        return Ok(Exit::Ok);
    }
    // On standard error, so that standard output holds only results (and JSON stays JSON).
    eprintln!("vault guard: watching for USB storage");
    // The policy is read again for each drive: a drive accepted since (vault init
    // --accept-drive) is not made read-only by a guard that started before. A policy that no
    // longer reads keeps the last good one, said once per drive.
    let mut policy = policy;
    discover::watch(|facts| {
        match discover::load_policy() {
            Ok(now) => policy = now,
            Err(e) => eprintln!("vault guard: {e}; keeping the policy read before"),
        }
        handle(&facts, &policy, args.json);
        !args.once
    })?;
    Ok(Exit::Ok)
}

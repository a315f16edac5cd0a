//! `vault eject`: everything committed, the vault unmounted, work on it (a mirror, an import)
//! finished, the drive powered down where the system allows; only then "safe to unplug".

use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;

use super::mount::{UmountArgs, run_umount};
use crate::control::Client;
use crate::exit::{Decided, Exit};

#[derive(Args, Debug)]
#[command(after_help = "Given the folder a vault is mounted on, or its drive or image file: waits \
    for a mirror of the vault to finish, commits and unmounts (as vault umount), waits for any \
    other vault process that holds it (an import, a mirror of the unmounted vault), and for a \
    drive powers it down (udisksctl power-off, as a file manager's eject does, where udisks is \
    installed; else the kernel is told to let the disk go). It says \"safe to unplug\" only \
    then. An image file is closed and flushed; the drive it lies on is not touched.")]
pub struct EjectArgs {
    /// The folder a vault is mounted on, or the vault's drive or image file
    pub target: PathBuf,
}

/// How often a wait looks again.
const POLL: Duration = Duration::from_millis(200);

pub fn run(args: EjectArgs) -> anyhow::Result<Exit> {
    let vaults = crate::mounts::vaults();
    let target = &args.target;
    let (device, dir) = match crate::mounts::at(target) {
        Some(m) if m.is_vault() => {
            (PathBuf::from(m.vault_device().unwrap_or_default()), Some(target.clone()))
        }
        Some(m) => {
            return Err(crate::exit::Refusal(format!(
                "{}: {} ({}) is mounted there, not a vault",
                target.display(),
                m.source,
                m.fs_type
            ))
            .into());
        }
        None if target.is_dir() => {
            return Err(Decided {
                exit: Exit::NoInput,
                message: format!("{}: no vault is mounted there", target.display()),
            }
            .into());
        }
        None => {
            let dir = vaults
                .iter()
                .find(|(_, m)| m.vault_device().is_some_and(|d| same_file(Path::new(d), target)))
                .map(|(d, _)| d.clone());
            (target.clone(), dir)
        }
    };
    let meta = super::with_path(std::fs::metadata(&device), &device, "cannot open")?;
    if let Some(dir) = &dir {
        // A mirror through the mount's process finishes first.
        let mut said = false;
        while let Some(status) = Client::connect(&device).and_then(|c| c.status().ok()) {
            if !status.mirror_running {
                break;
            }
            if !said {
                eprintln!("vault: waiting for the mirror of {} to finish", device.display());
                said = true;
            }
            std::thread::sleep(POLL);
        }
        run_umount(UmountArgs { dir: dir.clone() })?;
    }
    // Another vault process (an import, a mirror of the unmounted vault) holds it: wait.
    let mut said = false;
    loop {
        match vaultfmt::dev::FileDevice::open(&device, vaultfmt::dev::Access::ReadWrite) {
            Ok(dev) => {
                drop(dev);
                break;
            }
            Err(vaultfmt::dev::DevError::InUse { .. }) => {
                if !said {
                    eprintln!(
                        "vault: waiting for the vault process that holds {} to finish",
                        device.display()
                    );
                    said = true;
                }
                std::thread::sleep(POLL);
            }
            Err(e) => return Err(e.into()),
        }
    }
    if !meta.file_type().is_block_device() {
        // SAFETY: sync takes no arguments and cannot fail.
        unsafe { libc::sync() };
        println!("{}: closed and flushed; the image file can be moved or copied.", device.display());
        return Ok(Exit::Ok);
    }
    let disk = whole_disk(meta.rdev())?;
    let file = std::fs::File::open(&device)?;
    file.sync_all()?;
    drop(file);
    if power_off(&disk)? {
        println!("{}: safe to unplug.", disk.display());
    } else {
        println!("{}: closed and flushed (a loop device: no drive to power down).", disk.display());
    }
    Ok(Exit::Ok)
}

fn same_file(a: &Path, b: &Path) -> bool {
    matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
}

/// The whole disk a block device (or partition) belongs to: /dev/sdb for /dev/sdb1.
fn whole_disk(rdev: u64) -> anyhow::Result<PathBuf> {
    let context = udev::Device::from_devnum(udev::DeviceType::Block, rdev)?;
    let disk = match context.devtype() {
        Some(t) if t == "partition" => context.parent().unwrap_or(context),
        _ => context,
    };
    disk.devnode().map(Path::to_path_buf).ok_or_else(|| anyhow::anyhow!("the drive has no device node"))
}

/// Powers the drive down: udisks's way when it is installed, else the kernel lets go of the
/// disk (the SCSI device is deleted, as `udisksctl power-off` also does before it cuts the USB
/// port's power). A loop device is only detached from nothing: there is no drive to power down.
/// False for a loop device, which has no drive.
fn power_off(disk: &Path) -> anyhow::Result<bool> {
    let name = disk.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
    if name.starts_with("loop") {
        return Ok(false);
    }
    if let Ok(out) = std::process::Command::new("udisksctl").args(["power-off", "-b"]).arg(disk).output()
        && out.status.success()
    {
        return Ok(true);
    }
    let delete = PathBuf::from(format!("/sys/block/{name}/device/delete"));
    super::with_path(std::fs::write(&delete, "1"), &delete, "cannot power the drive down")?;
    Ok(true)
}

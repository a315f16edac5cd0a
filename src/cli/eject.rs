//! `vault eject`: everything committed, the vault unmounted, work on it (a mirror, an import)
//! finished, the drive powered down where the system allows; only then "safe to unplug".

use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;

use crate::control::Client;
use crate::error::Decided;
use crate::exit::Exit;

#[derive(Args, Debug)]
#[command(after_help = "Given the folder a vault is mounted on, or its drive or image file: waits \
    for a mirror of the vault to finish, commits and unmounts (as vault umount), waits for any \
    other vault process that holds it (an import, a mirror of the unmounted vault), and for a \
    drive powers it down (udisksctl power-off, as a file manager's eject does, where udisks is \
    installed; else the kernel is told to let the disk go) when it is an external drive none of \
    whose other parts is mounted. It says \"safe to unplug\" only then. An image file is closed \
    and flushed; the drive it lies on is not touched.")]
pub struct EjectArgs {
    /// The folder a vault is mounted on, or the vault's drive or image file
    pub target: PathBuf,
}

/// How often a wait looks again.
const POLL: Duration = Duration::from_millis(200);

pub fn run(args: EjectArgs) -> anyhow::Result<Exit> {
    let target = &args.target;
    let (device, dir) = match crate::mounts::at(target) {
        Some(m) if m.is_vault() => {
            (PathBuf::from(m.vault_device().unwrap_or_default()), Some(target.clone()))
        }
        Some(m) => {
            return Err(crate::error::Refusal(format!(
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
        None => (target.clone(), crate::mounts::folder_of(target)),
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
        super::mount::say_unmounted(dir, crate::mount::umount(dir)?);
    }
    // Another vault process (an import, a mirror of the unmounted vault) holds it: wait until
    // this one can claim it as they do (a drive opened exclusively, an image locked).
    let mut said = false;
    while held_by_another(&device)? {
        if !said {
            eprintln!("vault: waiting for the vault process that holds {} to finish", device.display());
            said = true;
        }
        std::thread::sleep(POLL);
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
    match power_off(&disk)? {
        None => println!("{}: safe to unplug.", disk.display()),
        Some(why) => println!("{}: closed and flushed; not powered down: {why}.", disk.display()),
    }
    Ok(Exit::Ok)
}

/// True while another process holds the vault as vault processes do: a drive opened with
/// O_EXCL (EBUSY here), or an image or drive whose lock another holds.
fn held_by_another(device: &Path) -> anyhow::Result<bool> {
    use vaultfmt::dev::{Access, BlockDevice, DevError, FileDevice};
    match FileDevice::open(device, Access::ReadWrite) {
        Ok(dev) => match dev.claim(true) {
            Ok(()) => Ok(false),
            Err(DevError::InUse { .. }) => Ok(true),
            Err(e) => Err(e.into()),
        },
        Err(DevError::Open { source, .. }) if source.raw_os_error() == Some(libc::EBUSY) => {
            // Busy by a mounted filesystem is not a vault process to wait for.
            let rdev = std::fs::metadata(device)?.rdev();
            if crate::drives::discover::mounted(rdev) {
                return Err(crate::error::Refusal(format!(
                    "{}: a filesystem on it is mounted; it is not a vault to eject",
                    device.display()
                ))
                .into());
            }
            Ok(true)
        }
        Err(e) => Err(e.into()),
    }
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

/// Powers the drive down, or says why not (None: done). Only an external drive (USB or
/// FireWire, or one the kernel calls removable) none of whose parts is mounted or holds the
/// system. udisks's way when it is installed (it refuses a drive still in use: then so does
/// this); without udisks, the kernel lets go of the disk (the SCSI device is deleted, as
/// `udisksctl power-off` also does before it cuts the port's power).
fn power_off(disk: &Path) -> anyhow::Result<Option<String>> {
    use crate::drives::classify::Bus;
    let name = disk.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
    if name.starts_with("loop") {
        return Ok(Some("a loop device has no drive".into()));
    }
    let Some(facts) = crate::drives::discover::for_path(disk)? else {
        return Ok(Some("not a block device".into()));
    };
    if facts.system {
        return Ok(Some("it holds the running system".into()));
    }
    if facts.mounted {
        return Ok(Some("another part of it is mounted".into()));
    }
    if !(matches!(facts.bus, Some(Bus::Usb | Bus::Ieee1394)) || facts.removable) {
        return Ok(Some("not an external (USB or FireWire) drive".into()));
    }
    match std::process::Command::new("udisksctl")
        .args(["power-off", "--no-user-interaction", "-b"])
        .arg(disk)
        .output()
    {
        Ok(out) if out.status.success() => return Ok(None),
        Ok(out) => {
            return Err(crate::error::Refusal(format!(
                "{}: udisks would not power it down: {}",
                disk.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            ))
            .into());
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    let delete = PathBuf::from(format!("/sys/block/{name}/device/delete"));
    super::with_path(std::fs::write(&delete, "1"), &delete, "cannot power the drive down")?;
    Ok(None)
}

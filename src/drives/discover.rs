//! Facts about block devices from udev (libudev, through the `udev` crate) and sysfs, and the
//! drive policy's file. Thin on purpose: every decision is in `classify`, over the
//! [`DeviceFacts`] this builds. Under `umockdev-run` the same code reads recorded devices.

use std::collections::BTreeSet;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use super::classify::{Bus, DeviceFacts, DrivePolicy};
use crate::error::Error;

/// Where the drive policy lives (minimum size, accepted drives): `/etc/vault/drives.json`, or
/// the file `VAULT_DRIVES_CONFIG` names (for tests and unusual setups; it holds no secret).
pub fn policy_path() -> PathBuf {
    std::env::var_os("VAULT_DRIVES_CONFIG")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/etc/vault/drives.json"))
}

/// The drive policy, or the default when the file does not exist.
pub fn load_policy() -> crate::error::Result<DrivePolicy> {
    let path = policy_path();
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| {
            Error::file(
                &path,
                "not a valid drive policy",
                std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(DrivePolicy::default()),
        Err(e) => Err(Error::file(&path, "cannot read the drive policy", e)),
    }
}

pub fn save_policy(policy: &DrivePolicy) -> crate::error::Result<()> {
    let path = policy_path();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let text = serde_json::to_string_pretty(policy)? + "\n";
    let temp = path.with_extension("json.new");
    std::fs::write(&temp, text)?;
    std::fs::rename(&temp, &path)?;
    Ok(())
}

fn property(dev: &udev::Device, name: &str) -> Option<String> {
    dev.property_value(name).map(|v| v.to_string_lossy().trim().to_string()).filter(|v| !v.is_empty())
}

fn attribute(dev: &udev::Device, name: &str) -> Option<String> {
    dev.attribute_value(name).map(|v| v.to_string_lossy().trim().to_string()).filter(|v| !v.is_empty())
}

fn bus_of(dev: &udev::Device) -> Option<Bus> {
    let name = dev.sysname().to_string_lossy().to_string();
    let syspath = dev.syspath().to_string_lossy().to_string();
    let by_id = property(dev, "ID_BUS").map(|b| match b.as_str() {
        "usb" => Bus::Usb,
        "ieee1394" => Bus::Ieee1394,
        "ata" => Bus::Ata,
        "scsi" => Bus::Scsi,
        "nvme" => Bus::Nvme,
        "mmc" => Bus::Mmc,
        _ => Bus::Unknown,
    });
    let mut parents = std::iter::successors(dev.parent(), |p| p.parent());
    let parent_subsystems: Vec<String> =
        parents.by_ref().filter_map(|p| p.subsystem().map(|s| s.to_string_lossy().into_owned())).collect();
    // udev's ID_BUS is "ata" or "scsi" for a SATA disk behind a USB bridge only when no USB
    // parent is seen; a USB parent wins.
    if parent_subsystems.iter().any(|s| s == "usb") {
        return Some(Bus::Usb);
    }
    if parent_subsystems.iter().any(|s| s == "firewire" || s == "ieee1394") {
        return Some(Bus::Ieee1394);
    }
    if name.starts_with("nvme") || parent_subsystems.iter().any(|s| s == "nvme") {
        return Some(Bus::Nvme);
    }
    if name.starts_with("mmcblk") || parent_subsystems.iter().any(|s| s == "mmc") {
        return Some(Bus::Mmc);
    }
    if syspath.contains("/virtual/")
        || name.starts_with("loop")
        || parent_subsystems.iter().any(|s| s == "virtio")
    {
        return Some(Bus::Virtual);
    }
    by_id
}

fn link_mbps(dev: &udev::Device) -> Option<u32> {
    std::iter::successors(dev.parent(), |p| p.parent())
        .find(|p| p.devtype().is_some_and(|t| t == "usb_device"))
        .and_then(|p| attribute(&p, "speed"))
        .and_then(|s| s.parse::<f64>().ok())
        .map(|s| s as u32)
}

/// Devices (major:minor) mounted or used as swap, and those holding the running system.
struct InUse {
    mounted: BTreeSet<u64>,
    system: BTreeSet<u64>,
}

fn devnum(major: u64, minor: u64) -> u64 {
    libc::makedev(major as u32, minor as u32)
}

/// True when the block device `rdev` is mounted or used as swap.
pub fn mounted(rdev: u64) -> bool {
    in_use().mounted.contains(&rdev)
}

fn in_use() -> InUse {
    let mut out = InUse { mounted: BTreeSet::new(), system: BTreeSet::new() };
    let system_mounts = ["/", "/boot", "/boot/efi", "/usr", "/var"];
    if let Ok(info) = std::fs::read_to_string("/proc/self/mountinfo") {
        for line in info.lines() {
            let fields: Vec<&str> = line.split(' ').collect();
            let (Some(numbers), Some(mount_point)) = (fields.get(2), fields.get(4)) else { continue };
            let Some((major, minor)) = numbers.split_once(':') else { continue };
            let (Ok(major), Ok(minor)) = (major.parse(), minor.parse()) else { continue };
            let n = devnum(major, minor);
            out.mounted.insert(n);
            if system_mounts.contains(mount_point) {
                out.system.insert(n);
            }
        }
    }
    if let Ok(swaps) = std::fs::read_to_string("/proc/swaps") {
        for line in swaps.lines().skip(1) {
            if let Some(dev) = line.split_whitespace().next()
                && let Ok(meta) = std::fs::metadata(dev)
                && meta.file_type().is_block_device()
            {
                out.mounted.insert(meta.rdev());
                out.system.insert(meta.rdev());
            }
        }
    }
    out
}

/// The facts of one whole-disk device.
fn facts(context: &udev::Udev, dev: &udev::Device, used: &InUse) -> DeviceFacts {
    let path = dev
        .devnode()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| format!("/dev/{}", dev.sysname().to_string_lossy()));
    let mut numbers = vec![dev.devnum().unwrap_or(0)];
    let mut partitioned = property(dev, "ID_PART_TABLE_TYPE").is_some();
    if let Ok(mut children) = udev::Enumerator::with_udev(context.clone()) {
        let _ = children.match_parent(dev);
        let _ = children.match_subsystem("block");
        for child in children.scan_devices().into_iter().flatten() {
            if child.devtype().is_some_and(|t| t == "partition") {
                partitioned = true;
                numbers.extend(child.devnum());
            }
        }
    }
    let flash_media = dev
        .properties()
        .filter_map(|p| {
            let name = p.name().to_string_lossy();
            let media = name.strip_prefix("ID_DRIVE_FLASH_")?;
            (p.value() == "1").then(|| media.to_string())
        })
        .collect();
    DeviceFacts {
        holds_vault: first_bytes(&path).is_some_and(|b| b.starts_with(b"VAULTHDR")),
        path,
        bus: bus_of(dev),
        usb_driver: property(dev, "ID_USB_DRIVER"),
        link_mbps: link_mbps(dev),
        removable: attribute(dev, "removable").as_deref() == Some("1"),
        rotational: attribute(dev, "queue/rotational").map(|r| r == "1"),
        size_bytes: attribute(dev, "size").and_then(|s| s.parse::<u64>().ok()).unwrap_or(0) * 512,
        thumb: property(dev, "ID_DRIVE_THUMB").as_deref() == Some("1"),
        flash_media,
        vendor: property(dev, "ID_VENDOR"),
        model: property(dev, "ID_MODEL"),
        serial: property(dev, "ID_SERIAL_SHORT"),
        wwn: property(dev, "ID_WWN"),
        partitioned,
        filesystem: property(dev, "ID_FS_TYPE"),
        mounted: numbers.iter().any(|n| used.mounted.contains(n)),
        system: numbers.iter().any(|n| used.system.contains(n)),
    }
}

fn first_bytes(path: &str) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).ok()?;
    let mut head = vec![0u8; 8];
    f.read_exact(&mut head).ok()?;
    Some(head)
}

/// Every whole-disk block device with a medium (size above zero), by name.
pub fn all() -> std::io::Result<Vec<DeviceFacts>> {
    let context = udev::Udev::new()?;
    let mut e = udev::Enumerator::with_udev(context.clone())?;
    e.match_subsystem("block")?;
    e.match_property("DEVTYPE", "disk")?;
    let used = in_use();
    let mut out: Vec<DeviceFacts> = e
        .scan_devices()?
        .filter(|d| {
            let name = d.sysname().to_string_lossy();
            !name.starts_with("ram") && !name.starts_with("zram")
        })
        .map(|d| facts(&context, &d, &used))
        .filter(|f| f.size_bytes > 0)
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// The facts of the block device at `path`; None when it is not a block device (an image file).
/// A partition is described by its disk's facts, with its own mount state.
pub fn for_path(path: &Path) -> crate::error::Result<Option<DeviceFacts>> {
    let meta = crate::error::with_path(std::fs::metadata(path), path, "cannot open")?;
    if !meta.file_type().is_block_device() {
        return Ok(None);
    }
    let context = udev::Udev::new()?;
    let dev = udev::Device::from_devnum(udev::DeviceType::Block, meta.rdev())?;
    let used = in_use();
    let mut facts = facts(&context, &dev, &used);
    if dev.devtype().is_some_and(|t| t == "partition")
        && let Some(disk) = dev.parent()
    {
        // The disk's facts (bus, size, serial, whether it holds the system), the partition's
        // own mount state.
        let whole = self::facts(&context, &disk, &used);
        facts = DeviceFacts { mounted: facts.mounted, ..whole };
    }
    facts.path = path.display().to_string();
    Ok(Some(facts))
}

/// Watches block devices being added; calls `each` with the facts of every new disk.
pub fn watch(mut each: impl FnMut(DeviceFacts) -> bool) -> std::io::Result<()> {
    let context = udev::Udev::new()?;
    let socket = udev::MonitorBuilder::new()?.match_subsystem_devtype("block", "disk")?.listen()?;
    let fd = std::os::unix::io::AsRawFd::as_raw_fd(&socket);
    loop {
        let mut poll = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
        // SAFETY: one pollfd for a descriptor the socket owns.
        let rc = unsafe { libc::poll(&mut poll, 1, -1) };
        if rc < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        for event in socket.iter() {
            if event.event_type() != udev::EventType::Add {
                continue;
            }
            let dev = event.device();
            let used = in_use();
            if !each(facts(&context, &dev, &used)) {
                return Ok(());
            }
        }
    }
}

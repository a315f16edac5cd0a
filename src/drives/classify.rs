//! The drive policy: may this drive hold a vault? Pure: [`DeviceFacts`] and a [`DrivePolicy`] in,
//! a [`Classification`] out, with the rule that decided and every piece of evidence it used.
//!
//! No operating system tells a memory stick from an external disk reliably, so the decision is
//! made from evidence, most telling first:
//!
//! 1. A drive that holds the running system, or is mounted, is never a vault's drive.
//! 2. Internal disks (SATA, NVMe, SCSI, virtio) are not external drives.
//! 3. Card readers (udev's ID_DRIVE_FLASH_* flags, an MMC bus) and memory sticks (udev's
//!    ID_DRIVE_THUMB) are refused; so is a USB drive that is solid-state, says it is removable
//!    and speaks only the old Bulk-Only protocol: the fingerprint of a stick.
//! 4. Anything smaller than the policy's minimum size is refused: sticks are small, the drives
//!    the rules have in mind are 500 GB to 1 TB.
//! 5. FireWire disks and USB enclosures — UAS (USB 3) or a spinning disk behind usb-storage —
//!    are accepted. A USB 2 link is accepted with a note: slow, but not a stick.
//! 6. Whatever else (a solid-state drive behind usb-storage that says it is fixed, a loop
//!    device, a bus we do not know) is unclassified: refused unless the user accepted that one
//!    drive (pinned by serial and WWN).

use serde::{Deserialize, Serialize};

/// The bus a drive hangs on, as udev names it (ID_BUS) or the kernel shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Bus {
    Usb,
    Ieee1394,
    Ata,
    Scsi,
    Nvme,
    Mmc,
    Virtual,
    Unknown,
}

/// What is known about one block device, each fact from udev or sysfs (see `discover`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceFacts {
    /// The device node, e.g. /dev/sdb.
    pub path: String,
    pub bus: Option<Bus>,
    /// The USB interface driver: "uas" or "usb-storage".
    pub usb_driver: Option<String>,
    /// The USB link speed in Mbit/s (480 for USB 2, 5000 and up for USB 3).
    pub link_mbps: Option<u32>,
    /// The kernel's removable flag.
    pub removable: bool,
    /// Spinning (true) or solid-state (false), when the kernel knows.
    pub rotational: Option<bool>,
    pub size_bytes: u64,
    /// udev's ID_DRIVE_THUMB: a memory stick.
    pub thumb: bool,
    /// udev's ID_DRIVE_FLASH_* flags (SD, CF, MS, …): a card reader's slot.
    pub flash_media: Vec<String>,
    pub vendor: Option<String>,
    pub model: Option<String>,
    pub serial: Option<String>,
    pub wwn: Option<String>,
    /// A partition table, or partitions.
    pub partitioned: bool,
    /// A filesystem on the whole device (udev's ID_FS_TYPE).
    pub filesystem: Option<String>,
    /// A vault's header at its start.
    pub holds_vault: bool,
    /// It or one of its partitions is mounted or used as swap.
    pub mounted: bool,
    /// It holds the running system (/, /boot, /usr or swap).
    pub system: bool,
}

/// A drive the user accepted explicitly: pinned by what identifies the hardware.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcceptedDrive {
    pub serial: Option<String>,
    pub wwn: Option<String>,
    pub model: Option<String>,
}

impl AcceptedDrive {
    pub fn of(facts: &DeviceFacts) -> AcceptedDrive {
        AcceptedDrive { serial: facts.serial.clone(), wwn: facts.wwn.clone(), model: facts.model.clone() }
    }

    /// The same drive: the serial (and the WWN, when either side knows one) match.
    pub fn matches(&self, facts: &DeviceFacts) -> bool {
        let serial = self.serial.is_some() && self.serial == facts.serial;
        let wwn = match (&self.wwn, &facts.wwn) {
            (Some(a), Some(b)) => a == b,
            (None, None) => true,
            _ => false,
        };
        serial && wwn
    }
}

/// The drive policy's settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DrivePolicy {
    /// Drives smaller than this are refused.
    pub min_size_bytes: u64,
    /// Drives the user accepted although unclassified.
    pub accepted: Vec<AcceptedDrive>,
}

/// 120 GB: above every memory stick the rules mean, below every external disk they mean.
pub const DEFAULT_MIN_SIZE: u64 = 120_000_000_000;

impl Default for DrivePolicy {
    fn default() -> DrivePolicy {
        DrivePolicy { min_size_bytes: DEFAULT_MIN_SIZE, accepted: Vec::new() }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Ok,
    Refuse,
    Unclassified,
}

/// One signal the decision looked at: its name, its value, where it came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub signal: &'static str,
    pub value: String,
    pub source: &'static str,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Classification {
    pub verdict: Verdict,
    /// The rule that decided, e.g. "usb-stick", "usb3-enclosure".
    pub rule: &'static str,
    /// In words, for people.
    pub why: String,
    pub evidence: Vec<Evidence>,
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(|v| v.to_string()).unwrap_or_else(|| "unknown".into())
}

/// Every signal, with its source, in the order `--explain` shows them.
pub fn evidence(f: &DeviceFacts) -> Vec<Evidence> {
    let e = |signal, value: String, source| Evidence { signal, value, source };
    vec![
        e(
            "bus",
            f.bus.map(|b| format!("{b:?}").to_lowercase()).unwrap_or_else(|| "unknown".into()),
            "udev ID_BUS / sysfs",
        ),
        e("usb-driver", opt(&f.usb_driver), "udev ID_USB_DRIVER"),
        e(
            "link-speed",
            f.link_mbps.map(|m| format!("{m} Mbit/s")).unwrap_or_else(|| "unknown".into()),
            "sysfs usb_device speed",
        ),
        e("removable", f.removable.to_string(), "sysfs removable"),
        e("rotational", opt(&f.rotational), "sysfs queue/rotational"),
        e("size", f.size_bytes.to_string(), "sysfs size"),
        e("thumb-drive", f.thumb.to_string(), "udev ID_DRIVE_THUMB"),
        e(
            "flash-media",
            if f.flash_media.is_empty() { "none".into() } else { f.flash_media.join(",") },
            "udev ID_DRIVE_FLASH_*",
        ),
        e("vendor", opt(&f.vendor), "udev ID_VENDOR"),
        e("model", opt(&f.model), "udev ID_MODEL"),
        e("serial", opt(&f.serial), "udev ID_SERIAL_SHORT"),
        e("wwn", opt(&f.wwn), "udev ID_WWN"),
        e("partitioned", f.partitioned.to_string(), "udev ID_PART_TABLE_TYPE / partitions"),
        e("filesystem", opt(&f.filesystem), "udev ID_FS_TYPE"),
        e("holds-vault", f.holds_vault.to_string(), "the device's first sector"),
        e("mounted", f.mounted.to_string(), "/proc/self/mountinfo, /proc/swaps"),
        e("system", f.system.to_string(), "/proc/self/mountinfo, /proc/swaps"),
    ]
}

/// Decides, from the facts, whether this drive may hold a vault.
pub fn classify(f: &DeviceFacts, policy: &DrivePolicy) -> Classification {
    let decide = |verdict, rule, why: String| Classification { verdict, rule, why, evidence: evidence(f) };
    use Verdict::*;
    if f.system {
        return decide(Refuse, "system-disk", "it holds the running system".into());
    }
    if f.mounted {
        return decide(
            Refuse,
            "mounted",
            "it or a partition of it is in use (mounted, or swap); a mounted drive is never formatted".into(),
        );
    }
    match f.bus {
        Some(Bus::Ata | Bus::Scsi | Bus::Nvme) => {
            return decide(Refuse, "internal-disk", "an internal disk, not an external drive".into());
        }
        Some(Bus::Mmc) => return decide(Refuse, "card-reader", "a memory card (MMC/SD bus)".into()),
        _ => {}
    }
    if !f.flash_media.is_empty() {
        return decide(Refuse, "card-reader", format!("a card reader's slot ({})", f.flash_media.join(", ")));
    }
    if f.thumb {
        return decide(Refuse, "usb-stick", "udev knows it as a memory stick".into());
    }
    let usb = f.bus == Some(Bus::Usb);
    let bot = f.usb_driver.as_deref() == Some("usb-storage");
    if usb && bot && f.removable && f.rotational != Some(true) {
        return decide(
            Refuse,
            "usb-stick",
            "solid-state, removable, Bulk-Only USB storage: the signature of a memory stick".into(),
        );
    }
    let pinned = policy.accepted.iter().any(|a| a.matches(f));
    if f.bus == Some(Bus::Virtual) || f.bus.is_none() || f.bus == Some(Bus::Unknown) {
        if pinned {
            return decide(Ok, "accepted-drive", "accepted by the user (pinned by serial and WWN)".into());
        }
        return decide(Unclassified, "unknown-kind", "not a drive whose kind vault can tell".into());
    }
    if f.size_bytes < policy.min_size_bytes {
        return decide(
            Refuse,
            "too-small",
            format!("{} bytes, below the minimum of {} bytes", f.size_bytes, policy.min_size_bytes),
        );
    }
    if f.bus == Some(Bus::Ieee1394) {
        return decide(Ok, "firewire-disk", "a FireWire disk".into());
    }
    if usb && f.usb_driver.as_deref() == Some("uas") {
        return decide(Ok, "usb3-enclosure", "a USB Attached SCSI (USB 3) drive".into());
    }
    if usb && bot && f.rotational == Some(true) {
        let slow = f.link_mbps.is_some_and(|m| m < 5000);
        let why = if slow {
            "a spinning disk in a USB enclosure, on a USB 2 link (slow, but not a stick)"
        } else {
            "a spinning disk in a USB enclosure"
        };
        return decide(Ok, "usb-hdd-enclosure", why.into());
    }
    if pinned {
        return decide(Ok, "accepted-drive", "accepted by the user (pinned by serial and WWN)".into());
    }
    decide(Unclassified, "unknown-kind", "an external drive whose kind vault cannot tell from a stick".into())
}

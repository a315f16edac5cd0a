//! The drive policy: the pure classifier over many `DeviceFacts`; hand-written device
//! descriptions (tests/drives/*.umockdev: a SanDisk Cruzer stick, a stick that says it is fixed,
//! a UAS SSD enclosure, a USB 2 disk enclosure, a FireWire disk, an SD card reader, an internal
//! SATA disk and an NVMe disk) replayed with Debian's umockdev through the real libudev;
//! `vault guard` reacting to a replayed hotplug event; BLKROSET on a real loop device. Serial
//! numbers and names are made up.

mod common;

use std::path::Path;
use std::process::Command;

use vault::drives::classify::{AcceptedDrive, Bus, DeviceFacts, DrivePolicy, Verdict, classify};

const GB: u64 = 1_000_000_000;

fn usb(driver: &str, removable: bool, rotational: bool, size: u64, mbps: u32) -> DeviceFacts {
    DeviceFacts {
        path: "/dev/sdx".into(),
        bus: Some(Bus::Usb),
        usb_driver: Some(driver.into()),
        link_mbps: Some(mbps),
        removable,
        rotational: Some(rotational),
        size_bytes: size,
        serial: Some("MADEUP-SERIAL".into()),
        ..DeviceFacts::default()
    }
}

fn decided(f: &DeviceFacts) -> (Verdict, &'static str) {
    let c = classify(f, &DrivePolicy::default());
    (c.verdict, c.rule)
}

#[test]
fn the_classifier_decides_from_the_evidence() {
    use Verdict::*;
    let cases: Vec<(&str, DeviceFacts, (Verdict, &str))> = vec![
        ("UAS SSD", usb("uas", false, false, 1000 * GB, 10000), (Ok, "usb3-enclosure")),
        ("UAS on a USB 2 port", usb("uas", false, false, 500 * GB, 480), (Ok, "usb3-enclosure")),
        (
            "USB 3 HDD on usb-storage",
            usb("usb-storage", false, true, 2000 * GB, 5000),
            (Ok, "usb-hdd-enclosure"),
        ),
        ("USB 2 HDD", usb("usb-storage", false, true, 500 * GB, 480), (Ok, "usb-hdd-enclosure")),
        ("stick, removable", usb("usb-storage", true, false, 64 * GB, 480), (Refuse, "usb-stick")),
        (
            "stick with unknown rotation",
            DeviceFacts { rotational: None, ..usb("usb-storage", true, false, 256 * GB, 5000) },
            (Refuse, "usb-stick"),
        ),
        ("stick saying fixed, small", usb("usb-storage", false, false, 32 * GB, 480), (Refuse, "too-small")),
        (
            "big solid-state on usb-storage, fixed",
            usb("usb-storage", false, false, 512 * GB, 5000),
            (Unclassified, "unknown-kind"),
        ),
        (
            "thumb flag wins over size",
            DeviceFacts { thumb: true, ..usb("uas", false, false, 1000 * GB, 5000) },
            (Refuse, "usb-stick"),
        ),
        (
            "card reader",
            DeviceFacts { flash_media: vec!["SD".into()], ..usb("usb-storage", true, false, 64 * GB, 480) },
            (Refuse, "card-reader"),
        ),
        ("small UAS", usb("uas", false, false, 64 * GB, 5000), (Refuse, "too-small")),
        (
            "FireWire",
            DeviceFacts { bus: Some(Bus::Ieee1394), usb_driver: None, ..usb("", false, true, 500 * GB, 0) },
            (Ok, "firewire-disk"),
        ),
        (
            "SATA",
            DeviceFacts { bus: Some(Bus::Ata), ..usb("", false, true, 1000 * GB, 0) },
            (Refuse, "internal-disk"),
        ),
        (
            "NVMe",
            DeviceFacts { bus: Some(Bus::Nvme), ..usb("", false, false, 1000 * GB, 0) },
            (Refuse, "internal-disk"),
        ),
        (
            "SD slot",
            DeviceFacts { bus: Some(Bus::Mmc), ..usb("", true, false, 64 * GB, 0) },
            (Refuse, "card-reader"),
        ),
        (
            "loop device",
            DeviceFacts { bus: Some(Bus::Virtual), ..usb("", false, false, GB, 0) },
            (Unclassified, "unknown-kind"),
        ),
        (
            "no bus known",
            DeviceFacts { bus: None, ..usb("", false, true, 1000 * GB, 0) },
            (Unclassified, "unknown-kind"),
        ),
        (
            "mounted UAS",
            DeviceFacts { mounted: true, ..usb("uas", false, false, 1000 * GB, 5000) },
            (Refuse, "mounted"),
        ),
        (
            "system disk",
            DeviceFacts { system: true, mounted: true, ..usb("uas", false, false, 1000 * GB, 5000) },
            (Refuse, "system-disk"),
        ),
    ];
    for (what, facts, want) in cases {
        assert_eq!(decided(&facts), want, "{what}");
        // Every decision carries all of its evidence.
        assert_eq!(classify(&facts, &DrivePolicy::default()).evidence.len(), 17, "{what}");
    }
}

#[test]
fn an_accepted_drive_is_pinned_by_serial_and_wwn_and_a_smaller_minimum_is_honoured() {
    let unclassified = usb("usb-storage", false, false, 512 * GB, 5000);
    assert_eq!(decided(&unclassified).0, Verdict::Unclassified);
    let policy = DrivePolicy { accepted: vec![AcceptedDrive::of(&unclassified)], ..DrivePolicy::default() };
    assert_eq!(classify(&unclassified, &policy).rule, "accepted-drive");
    // Another drive of the same model with another serial is not accepted.
    let other = DeviceFacts { serial: Some("MADEUP-OTHER".into()), ..unclassified.clone() };
    assert_eq!(classify(&other, &policy).verdict, Verdict::Unclassified);
    // Nor is the same serial with a different WWN (a cloned serial).
    let cloned = DeviceFacts { wwn: Some("0x5000000000000099".into()), ..unclassified.clone() };
    assert_eq!(classify(&cloned, &policy).verdict, Verdict::Unclassified);
    // Acceptance never overrides a refusal.
    let stick = usb("usb-storage", true, false, 64 * GB, 480);
    let policy = DrivePolicy { accepted: vec![AcceptedDrive::of(&stick)], ..DrivePolicy::default() };
    assert_eq!(classify(&stick, &policy).rule, "usb-stick");
    let small = usb("uas", false, false, 64 * GB, 5000);
    let lenient = DrivePolicy { min_size_bytes: 32 * GB, ..DrivePolicy::default() };
    assert_eq!(classify(&small, &lenient).rule, "usb3-enclosure");
}

fn record(name: &str) -> String {
    format!("{}/tests/drives/{name}.umockdev", env!("CARGO_MANIFEST_DIR"))
}

/// `vault drives --json` run under umockdev with the given recorded devices.
fn drives_under_umockdev(records: &[&str]) -> Vec<serde_json::Value> {
    let mut cmd = Command::new("umockdev-run");
    for r in records {
        cmd.arg("-d").arg(record(r));
    }
    let out = cmd
        .args(["--", env!("CARGO_BIN_EXE_vault"), "drives", "--json"])
        .env("VAULT_DRIVES_CONFIG", "/nonexistent/drives.json")
        .output()
        .expect("umockdev-run is installed by the README's setup (Debian umockdev)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn recorded_devices_replayed_through_libudev_get_their_verdicts() {
    let expected = [
        ("sandisk-cruzer", "/dev/sdb", "refuse", "usb-stick"),
        ("stick-fixed", "/dev/sdc", "refuse", "too-small"),
        ("uas-ssd-enclosure", "/dev/sdd", "ok", "usb3-enclosure"),
        ("usb2-hdd-enclosure", "/dev/sde", "ok", "usb-hdd-enclosure"),
        ("firewire-disk", "/dev/sdf", "ok", "firewire-disk"),
        ("sd-card-reader", "/dev/sdg", "refuse", "card-reader"),
        ("sata-internal", "/dev/sda", "refuse", "internal-disk"),
        ("nvme-internal", "/dev/nvme0n1", "refuse", "internal-disk"),
    ];
    for (name, path, verdict, rule) in expected {
        let drives = drives_under_umockdev(&[name]);
        assert_eq!(drives.len(), 1, "{name}: {drives:?}");
        let d = &drives[0];
        assert_eq!(
            (d["path"].as_str(), d["verdict"].as_str(), d["rule"].as_str()),
            (Some(path), Some(verdict), Some(rule)),
            "{name}: {d}"
        );
    }
    // All at once, and the evidence names its sources.
    let names: Vec<&str> = expected.iter().map(|e| e.0).collect();
    let drives = drives_under_umockdev(&names);
    assert_eq!(drives.len(), 8);
    let uas = drives.iter().find(|d| d["path"] == "/dev/sdd").unwrap();
    assert_eq!(uas["facts"]["usb_driver"], "uas");
    assert_eq!(uas["facts"]["link_mbps"], 10000);
    assert_eq!(uas["facts"]["wwn"], "0x5000000000000003");
    let explain = Command::new("umockdev-run")
        .args(["-d", &record("usb2-hdd-enclosure"), "--", env!("CARGO_BIN_EXE_vault"), "drives", "--explain"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&explain.stdout);
    assert!(
        text.contains("480 Mbit/s") && text.contains("sysfs usb_device speed") && text.contains("USB 2 link"),
        "{text}"
    );
}

/// A hotplug replayed: `vault guard` sees the stick's "add" event and refuses it, trying to make
/// it read-only (the testbed's device node is not a real block device, so the ioctl itself is
/// tested on a loop device below).
#[test]
fn the_guard_reacts_to_a_replayed_hotplug_event() {
    let sys = "/sys/devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0/block/sdb";
    let script = format!("{}/tests/drives/hotplug.py", env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("umockdev-wrapper")
        .args(["/usr/bin/python3", &script, env!("CARGO_BIN_EXE_vault"), &record("sandisk-cruzer"), sys])
        .env("VAULT_DRIVES_CONFIG", "/nonexistent/drives.json")
        .output()
        .expect("umockdev-wrapper and python3-gi are installed by the README's setup");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let event: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(event["path"], "/dev/sdb");
    assert_eq!((event["verdict"].as_str(), event["rule"].as_str()), (Some("refuse"), Some("usb-stick")));
    // It tried: the testbed's node is no block device, so the ioctl fails there, and says so.
    let action = event["action"].as_str().unwrap();
    assert!(action.starts_with("could not be made read-only: "), "{event}");
}

/// The guard reads the drive policy again for each drive (a drive accepted after it started is
/// not made read-only); a policy spoilt meanwhile is said, and the last good one kept.
#[test]
fn the_guard_reads_its_policy_again_for_each_drive() {
    let sys = "/sys/devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0/block/sdb";
    let script = format!("{}/tests/drives/hotplug.py", env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("drives.json");
    std::fs::write(&policy, "{\"min_size_bytes\": 1000000000}\n").unwrap();
    let out = Command::new("umockdev-wrapper")
        .args(["/usr/bin/python3", &script, env!("CARGO_BIN_EXE_vault"), &record("sandisk-cruzer"), sys])
        .arg(&policy)
        .env("VAULT_DRIVES_CONFIG", &policy)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("not a valid drive policy") && err.contains("keeping the policy read before"),
        "{err}"
    );
    let event: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((event["verdict"].as_str(), event["rule"].as_str()), (Some("refuse"), Some("usb-stick")));
}

#[test]
fn blkroset_makes_a_real_block_device_read_only_and_the_guard_leaves_other_drives_alone() {
    let v = common::Vault::new();
    std::fs::write(v.path("disk.img"), vec![0u8; 8 << 20]).unwrap();
    let out = Command::new("losetup").args(["-f", "--show"]).arg(v.path("disk.img")).output().unwrap();
    assert!(out.status.success(), "losetup (needs root): {}", String::from_utf8_lossy(&out.stderr));
    let dev = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let getro = || {
        String::from_utf8(Command::new("blockdev").args(["--getro", &dev]).output().unwrap().stdout).unwrap()
    };
    // The guard acts on USB storage only: a loop device is reported and left writable.
    let (code, out, err) = v.run(&["guard", "--device", &dev]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("unclassified") && out.contains("left alone"), "{out}");
    assert_eq!(getro().trim(), "0");
    vault::drives::guard::make_read_only(Path::new(&dev)).unwrap();
    assert_eq!(getro().trim(), "1");
    let write = Command::new("dd")
        .args(["if=/dev/zero", &format!("of={dev}"), "bs=4096", "count=1", "oflag=direct", "status=none"])
        .output()
        .unwrap();
    let _ = Command::new("blockdev").args(["--setrw", &dev]).status();
    let _ = Command::new("losetup").args(["-d", &dev]).status();
    assert!(!write.status.success(), "a write reached a read-only device");
    assert!(String::from_utf8_lossy(&write.stderr).contains("Operation not permitted"), "{write:?}");
}

#[test]
fn guard_install_puts_a_udev_rule_and_a_unit_in_place_and_uninstall_removes_them() {
    let v = common::Vault::new();
    let root = v.path("root");
    let root = root.to_str().unwrap();
    v.ok(&["guard", "--install", "--root", root]);
    let rule = std::fs::read_to_string(v.path("root/etc/udev/rules.d/70-vault-guard.rules")).unwrap();
    assert!(rule.contains("SUBSYSTEMS==\"usb\"") && rule.contains("guard --device $devnode"), "{rule}");
    let unit = std::fs::read_to_string(v.path("root/etc/systemd/system/vault-guard.service")).unwrap();
    assert!(unit.contains(" guard\n") && unit.contains("WantedBy=multi-user.target"), "{unit}");
    v.ok(&["guard", "--uninstall", "--root", root]);
    assert!(!v.path("root/etc/udev/rules.d/70-vault-guard.rules").exists());
    assert!(!v.path("root/etc/systemd/system/vault-guard.service").exists());
}

/// Invariant 7: a drive the drive policy refuses is never formatted, and the refusal names the
/// rule. Under umockdev, `vault init` on the recorded stick, card reader and internal disk is
/// refused before the device is opened; on the recorded UAS drive the policy lets it through,
/// and it goes on to open the device (which, being a recording, has no size to give).
#[test]
fn invariant_7_a_drive_the_policy_refuses_is_never_formatted() {
    let v = common::Vault::new();
    let init = |rec: &str, dev: &str| {
        let out = Command::new("umockdev-run")
            .args([
                "-d",
                &record(rec),
                "--",
                env!("CARGO_BIN_EXE_vault"),
                "init",
                dev,
                "--yes",
                "--accept-drive",
            ])
            .args(["--passphrase-file", v.path("pass").to_str().unwrap()])
            .args(common::CHEAP)
            .env("VAULT_DRIVES_CONFIG", v.path("drives.json"))
            .output()
            .unwrap();
        (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    for (rec, dev, rule) in [
        ("sandisk-cruzer", "/dev/sdb", "usb-stick"),
        ("sd-card-reader", "/dev/sdg", "card-reader"),
        ("sata-internal", "/dev/sda", "internal-disk"),
        ("stick-fixed", "/dev/sdc", "too-small"),
    ] {
        let (code, err) = init(rec, dev);
        assert_eq!(code, 1, "{rec}: {err}");
        assert!(err.contains(&format!("refused by the drive policy, rule {rule}")), "{rec}: {err}");
    }
    let (code, err) = init("uas-ssd-enclosure", "/dev/sdd");
    assert_ne!(code, 1, "{err}");
    assert!(!err.contains("drive policy") && err.contains("cannot open"), "{err}");
    assert!(!v.path("drives.json").exists(), "nothing was pinned");
}

/// An unclassified drive (a solid-state drive behind Bulk-Only USB that says it is fixed) is
/// refused until the user accepts it; accepting pins it by serial in the drive policy, and from
/// then on `vault drives` shows it accepted.
#[test]
fn accept_drive_pins_an_unclassified_drive() {
    let v = common::Vault::new();
    let config = v.path("drives.json");
    let run = |args: &[&str]| {
        let out = Command::new("umockdev-run")
            .args(["-d", &record("ssd-bot-fixed"), "--", env!("CARGO_BIN_EXE_vault")])
            .args(args)
            .env("VAULT_DRIVES_CONFIG", &config)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let pass = v.path("pass");
    let init = [
        "init",
        "/dev/sdh",
        "--yes",
        "--passphrase-file",
        pass.to_str().unwrap(),
        "--kdf-time",
        "1",
        "--kdf-memory",
        "1",
    ];
    let (code, _, err) = run(&init);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("rule unknown-kind") && err.contains("--accept-drive"), "{err}");
    let (_, _, err) = run(&[&init[..], &["--accept-drive"]].concat());
    assert!(err.contains("pinned by serial and WWN"), "{err}");
    let policy: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&config).unwrap()).unwrap();
    assert_eq!(policy["accepted"][0]["serial"], "MADEUP000009");
    let (_, out, _) = run(&["drives", "--json"]);
    let d: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!((d["verdict"].as_str(), d["rule"].as_str()), (Some("ok"), Some("accepted-drive")));
}

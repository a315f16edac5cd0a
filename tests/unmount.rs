//! Invariant 5 at unmount: when a mounted vault is unmounted, its process holds none of its keys
//! any more. The mount is served in this test's own process (the same `vault::mount` the
//! command's mount process runs, over a real FUSE mount), so that what it holds afterwards can
//! be counted; `vaultfmt::secret`'s own test shows that each key's page is wiped as it goes.
//! A separate test binary: no other test's keys are alive in this process.

mod common;

use common::{PASS, Vault};
use vaultfmt::dev::{Access, FileDevice};
use vaultfmt::store::Store;
use vaultfmt::{Secret, Volume};

#[test]
fn unmounting_drops_every_key_the_mount_held() {
    let v = Vault::new();
    v.init_image("v.img", "64M");
    let (image, mnt) = (v.path("v.img"), v.path("mnt"));
    std::fs::create_dir(&mnt).unwrap();
    assert_eq!(vaultfmt::secret::live(), 0, "no key before the vault is opened");

    let dev = FileDevice::open(&image, Access::ReadWrite).unwrap();
    let volume = Volume::unlock(dev, Secret::Passphrase(PASS.as_bytes()), None).unwrap();
    let fs = vault::fs::VaultFs::new(Store::open(volume).unwrap(), false).unwrap();
    let (mount, control_error) = vault::mount::mount(fs, &image, &mnt, false).unwrap();
    assert!(control_error.is_none(), "no control socket: {control_error:?}");
    let held = vaultfmt::secret::live();
    assert!(held > 0, "an open vault holds its keys");

    let server = std::thread::spawn(move || mount.serve());
    // Work through both doors while mounted: a file written through FUSE, and a peer command
    // answered through the control socket (its thread takes a share of the store).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !vault::mounts::at(&mnt).is_some_and(|m| m.is_vault()) {
        assert!(std::time::Instant::now() < deadline, "the mount did not appear");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::fs::write(mnt.join("notes.txt"), b"made-up teaching notes\n").unwrap();
    let status = v.command(&["status", "v.img", "--json"]).output().unwrap();
    let shown: serde_json::Value = serde_json::from_slice(&status.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&status.stderr)));
    assert!(shown["mounted_at"].as_str().is_some_and(|m| m.ends_with("/mnt")), "{shown}");
    // Committed as `vault umount` does it: the folder synced, then unmounted. (A file synced
    // while open is not written here: an fsync from the mount's own process waits on itself.)
    std::fs::File::open(&mnt).unwrap().sync_all().unwrap();
    vault::mount::unmount(&mnt, false).unwrap();
    server.join().unwrap().unwrap();
    assert_eq!(vaultfmt::secret::live(), 0, "keys still held after unmounting (held {held} while mounted)");

    // What was written is there, through a new opening.
    v.ok(&["export", "v.img:/notes.txt", "notes.txt", "--passphrase-file", "pass"]);
    assert_eq!(std::fs::read(v.path("notes.txt")).unwrap(), b"made-up teaching notes\n");
}

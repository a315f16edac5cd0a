//! Volumes: create, unlock, keyslots, damaged headers, interrupted init, and what reaches the
//! device (invariant 1 for the header area).

use std::sync::Arc;

use vaultfmt::dev::{BlockDevice, Faults, MemDevice, SimDevice};
use vaultfmt::header::recovery::RecoveryKey;
use vaultfmt::header::{self, Copy, CopyFault, HeaderError, KdfParams, SlotKind};
use vaultfmt::{SECTOR_SIZE, Secret, Volume, VolumeError};

const CHEAP: KdfParams = KdfParams { memory_kib: 64, time: 1, lanes: 1 };
const SIZE: u64 = 32 << 20;
const PASS: &[u8] = b"correct horse made-up staple";

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn create_then_unlock_with_passphrase_and_recovery_key() {
    let created = Volume::create(MemDevice::new(SIZE), PASS, CHEAP).unwrap();
    let shown = created.recovery_key.display().to_string();
    let mut data = vec![0x5au8; 2 * SECTOR_SIZE];
    created.volume.write_sectors(1, &mut data).unwrap();
    let dev = created.volume.close();

    let vol = Volume::unlock(dev, Secret::Passphrase(PASS), None).unwrap();
    assert_eq!(vol.unlocked_slot(), 0);
    let mut back = vec![0u8; 2 * SECTOR_SIZE];
    vol.read_sectors(1, &mut back).unwrap();
    assert_eq!(back, vec![0x5au8; 2 * SECTOR_SIZE]);
    let dev = vol.close();

    let key = RecoveryKey::parse(&shown).unwrap();
    let vol = Volume::unlock(dev, Secret::Recovery(&key), None).unwrap();
    assert_eq!(vol.unlocked_slot(), 1);
}

#[test]
fn wrong_passphrase_is_refused_and_changes_nothing() {
    let dev = Arc::new(Volume::create(MemDevice::new(SIZE), PASS, CHEAP).unwrap().volume.close());
    let before = dev.to_bytes();
    let err = Volume::unlock(dev.clone(), Secret::Passphrase(b"not the made-up one"), None).err().unwrap();
    assert!(matches!(err, VolumeError::WrongSecret { what: "passphrase", .. }), "{err}");
    assert!(!err.to_string().contains("not the made-up"), "the error repeats the passphrase");
    assert!(dev.to_bytes() == before, "a failed unlock changed the device");
    Volume::unlock(dev, Secret::Passphrase(PASS), None).unwrap();
}

#[test]
fn slots_add_change_remove() {
    let mut vol = Volume::create(MemDevice::new(SIZE), PASS, CHEAP).unwrap().volume;
    let second = vol.add_slot(SlotKind::Passphrase, b"second made-up", CHEAP).unwrap();
    assert_eq!(second, 2);
    vol.replace_slot(0, b"changed made-up", CHEAP).unwrap();
    let vol = Volume::unlock(vol.close(), Secret::Passphrase(b"changed made-up"), None).unwrap();
    assert_eq!(vol.unlocked_slot(), 0);
    let mut vol = Volume::unlock(vol.close(), Secret::Passphrase(b"second made-up"), None).unwrap();
    vol.remove_slot(0).unwrap();
    assert!(matches!(vol.remove_slot(2), Err(VolumeError::LastPassphrase { slot: 2, .. })));
    assert!(matches!(vol.remove_slot(5), Err(VolumeError::EmptySlot { slot: 5, .. })));
    let dev = vol.close();
    assert!(matches!(
        Volume::unlock(dev, Secret::Passphrase(b"changed made-up"), None),
        Err(VolumeError::WrongSecret { .. })
    ));
}

#[test]
fn all_slots_full_is_a_clear_error() {
    let mut vol = Volume::create(MemDevice::new(SIZE), PASS, CHEAP).unwrap().volume;
    for _ in 2..8 {
        vol.add_slot(SlotKind::Passphrase, b"another", CHEAP).unwrap();
    }
    let err = vol.add_slot(SlotKind::Passphrase, b"one too many", CHEAP).unwrap_err();
    assert!(matches!(err, VolumeError::SlotsFull { .. }), "{err}");
}

#[test]
fn corrupt_primary_opens_from_backup_and_repair_rewrites_it() {
    let dev = Volume::create(MemDevice::new(SIZE), PASS, CHEAP).unwrap().volume.close();
    let mut sector = vec![0u8; SECTOR_SIZE];
    dev.read_at(0, &mut sector).unwrap();
    sector[200] ^= 0xff;
    dev.write_at(0, &sector).unwrap();

    let mut vol = Volume::unlock(dev, Secret::Passphrase(PASS), None).unwrap();
    let read = vol.opened_from();
    assert_eq!(read.source, Copy::Backup);
    assert_eq!(read.other_fault, Some((Copy::Primary, CopyFault::Checksum)));
    let warning = vaultfmt::volume::header_warning(read, "x.img").unwrap();
    assert!(warning.contains("vault header repair"), "{warning}");

    vol.repair_headers().unwrap();
    assert!(vol.opened_from().both_good());
    let dev = vol.close();
    let read = header::read_headers(&dev).unwrap();
    assert!(read.both_good() && read.source == Copy::Primary);
}

#[test]
fn both_headers_corrupt_names_header_restore() {
    let dev = Volume::create(MemDevice::new(SIZE), PASS, CHEAP).unwrap().volume.close();
    for offset in [0, header::backup_offset(SIZE)] {
        let mut sector = vec![0u8; SECTOR_SIZE];
        dev.read_at(offset, &mut sector).unwrap();
        sector[1000] ^= 1;
        dev.write_at(offset, &sector).unwrap();
    }
    let err = Volume::unlock(dev, Secret::Passphrase(PASS), None).err().unwrap();
    assert!(matches!(err, VolumeError::Header(HeaderError::BothDamaged { .. })), "{err}");
    assert!(err.to_string().contains("vault header restore"), "{err}");
}

#[test]
fn device_too_small_is_refused() {
    let err = Volume::create(MemDevice::new(15 << 20), PASS, CHEAP).err().unwrap();
    assert!(matches!(err, VolumeError::TooSmall { .. }), "{err}");
    // 16 MiB is the minimum and works.
    Volume::create(MemDevice::new(16 << 20), PASS, CHEAP).unwrap();
}

#[test]
fn invariant_1_no_passphrase_or_key_material_on_the_device() {
    let created = Volume::create(MemDevice::new(SIZE), PASS, CHEAP).unwrap();
    let recovery = *created.recovery_key.as_bytes();
    let master = *created.volume.master_key_for_tests();
    let header = created.volume.header().clone();
    let dev = created.volume.close();
    let image = dev.to_bytes();
    assert!(!contains(&image, PASS), "passphrase on the device");
    assert!(!contains(&image, &master[..32]), "XTS Key1 on the device");
    assert!(!contains(&image, &master[32..]), "XTS Key2 on the device");
    assert!(!contains(&image, &recovery), "recovery key on the device");
    // Nor the keyslots' wrapping keys (derived again here from the stored salts).
    for (_, slot) in header.active_slots() {
        let secret: &[u8] = if slot.kind == SlotKind::Passphrase { PASS } else { &recovery };
        let wrapping = slot.kdf.derive(secret, &slot.salt).unwrap();
        assert!(!contains(&image, &wrapping[..]), "a wrapping key on the device");
    }
    // The superblock's magic exists only encrypted.
    assert!(!contains(&image, b"VAULTSB1"));
}

/// Interrupted init, on the simulated disk (a real power cut cannot be driven from a test):
/// cut the power at every write and flush of `create`, over a device that held an older vault,
/// with several seeds. Afterwards the device is either not a vault, or a vault that opens in
/// full with the old or the new passphrase: never a header in front of a half-made vault.
#[test]
fn interrupted_init_never_leaves_a_half_vault_that_looks_valid() {
    let old = Volume::create(MemDevice::new(SIZE), b"old made-up", CHEAP).unwrap().volume.close();
    let counting = SimDevice::from_image(&old, Faults::default());
    let created = Volume::create(counting, PASS, CHEAP).unwrap();
    let ops = created.volume.device().ops();
    assert!(ops >= 6, "init issues writes and flushes ({ops})");
    let mut outcomes = [0usize; 3];
    for cut in 0..ops {
        for seed in 0..8 {
            let sim = SimDevice::from_image(&old, Faults { seed, cut_at: Some(cut), ..Faults::default() });
            let sim = Arc::new(sim);
            let result = Volume::create(sim.clone(), PASS, CHEAP);
            assert!(result.is_err(), "cut at op {cut} did not stop init");
            sim.restart();
            let dev = sim;
            match header::read_headers(&dev) {
                Err(HeaderError::NotAVault { .. }) | Err(HeaderError::BothDamaged { .. }) => outcomes[0] += 1,
                Err(e) => panic!("cut {cut} seed {seed}: {e}"),
                Ok(_) => {
                    let new = Volume::unlock(dev.clone(), Secret::Passphrase(PASS), None);
                    let old = Volume::unlock(dev, Secret::Passphrase(b"old made-up"), None);
                    match (new, old) {
                        (Ok(_), _) => outcomes[1] += 1,
                        (_, Ok(_)) => outcomes[2] += 1,
                        (Err(a), Err(b)) => {
                            panic!("cut {cut} seed {seed}: a header that opens nothing: {a} / {b}")
                        }
                    }
                }
            }
        }
    }
    // The cuts cover the old vault surviving, no vault, and the new vault complete.
    assert!(outcomes.iter().all(|&n| n > 0), "outcomes (none, new, old) = {outcomes:?}");
}

//! A vault volume: a device with its header, unlocked into a master key and a sector cipher.
//!
//! Layout: primary header area (1 MiB) | data area | backup header area (the last MiB).
//! The first sector of the data area is the superblock, encrypted like all the data area; its
//! keyed MAC proves at unlock that the master key and the data area belong together.
//!
//! Init order (a power cut or kill at any point leaves no valid-looking half vault):
//! erase both old header copies → write the superblock (and whatever later layers put in the
//! data area) → flush → write the headers (backup, flush, primary, flush). A header is valid
//! only once everything it points at is durable.

use std::sync::Arc;

use thiserror::Error;

use crate::crypt::{CryptError, SectorCipher};
use crate::dev::{BlockDevice, DevError};
use crate::header::kdf::KdfError;
use crate::header::keyslot::UnwrapError;
use crate::header::recovery::RecoveryKey;
use crate::header::{
    self, Copy, FORMAT_VERSION, HEADER_AREA_BYTES, Header, HeaderError, HeaderRead, KEYSLOTS, KdfParams,
    Keyslot, MIN_DEVICE_BYTES, SlotKind,
};
use crate::secret::{Locked, random_key};
use crate::{MASTER_KEY_BYTES, SECTOR_SIZE};

/// "VAULTSB1": the superblock's magic, inside the encryption.
pub const SUPERBLOCK_MAGIC: [u8; 8] = *b"VAULTSB1";

#[derive(Debug, Error)]
pub enum VolumeError {
    #[error(transparent)]
    Header(#[from] HeaderError),
    #[error(transparent)]
    Dev(#[from] DevError),
    #[error("{device}: no keyslot opens with that {what}")]
    WrongSecret { device: String, what: &'static str },
    #[error("{device}: keyslot {slot}: {source}")]
    Kdf { device: String, slot: usize, source: KdfError },
    #[error("{device}: all {KEYSLOTS} keyslots are in use; remove one first")]
    SlotsFull { device: String },
    #[error("{device}: keyslot {slot} is empty")]
    EmptySlot { device: String, slot: usize },
    #[error("{device}: keyslot {slot} is the last passphrase slot; add another before removing it")]
    LastPassphrase { device: String, slot: usize },
    #[error("{device}: the device is {size} bytes; a vault needs at least {MIN_DEVICE_BYTES} bytes (16 MiB)")]
    TooSmall { device: String, size: u64 },
    #[error(
        "{device}: the key opens the header but the data area does not verify \
         (superblock {reason}); the data area is damaged or belongs to another vault"
    )]
    Superblock { device: String, reason: &'static str },
    #[error("{device}: {source}")]
    Key { device: String, source: CryptError },
    #[error("{device}: laying out the new vault failed: {source}")]
    Prepare { device: String, source: BoxError },
}

/// An error from a layer above, carried through `create_with`.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A secret that opens a keyslot.
pub enum Secret<'a> {
    Passphrase(&'a [u8]),
    Recovery(&'a RecoveryKey),
}

impl Secret<'_> {
    fn kind(&self) -> SlotKind {
        match self {
            Secret::Passphrase(_) => SlotKind::Passphrase,
            Secret::Recovery(_) => SlotKind::Recovery,
        }
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Secret::Passphrase(p) => p,
            Secret::Recovery(k) => &k.as_bytes()[..],
        }
    }
}

/// Encrypted I/O to the data area of an unlocked volume: the device and the sector cipher.
/// Shared (`Arc`) between the volume and the layers above it that read and write sectors.
pub struct SectorIo<D: BlockDevice> {
    dev: D,
    cipher: Locked<SectorCipher>,
    data_sectors: u64,
}

impl<D: BlockDevice> SectorIo<D> {
    fn device_sector(&self, data_sector: u64, len: usize) -> u64 {
        let count = (len / SECTOR_SIZE) as u64;
        assert!(
            len.is_multiple_of(SECTOR_SIZE)
                && data_sector.checked_add(count).is_some_and(|end| end <= self.data_sectors),
            "data-area I/O outside the data area"
        );
        HEADER_AREA_BYTES / SECTOR_SIZE as u64 + data_sector
    }

    /// Sectors in the data area (sector 0 is the superblock).
    pub fn data_sectors(&self) -> u64 {
        self.data_sectors
    }

    /// Reads and decrypts whole sectors of the data area.
    pub fn read_sectors(&self, data_sector: u64, buf: &mut [u8]) -> Result<(), DevError> {
        let sector = self.device_sector(data_sector, buf.len());
        self.dev.read_at(sector * SECTOR_SIZE as u64, buf)?;
        self.cipher.decrypt_sectors(sector, buf);
        Ok(())
    }

    /// Encrypts `buf` in place and writes it to the data area. On return `buf` holds
    /// ciphertext: callers that need the plaintext again keep their own copy.
    pub fn write_sectors(&self, data_sector: u64, buf: &mut [u8]) -> Result<(), DevError> {
        let sector = self.device_sector(data_sector, buf.len());
        self.cipher.encrypt_sectors(sector, buf);
        self.dev.write_at(sector * SECTOR_SIZE as u64, buf)
    }

    /// The durability barrier: every write before it survives a power cut.
    pub fn flush(&self) -> Result<(), DevError> {
        self.dev.flush()
    }

    /// Drops the device's cached copies of whole sectors of the data area, so that the next
    /// read of them comes from the medium. Flush first: only clean copies can be dropped.
    pub fn drop_cache(&self, data_sector: u64, count: u64) -> Result<(), DevError> {
        let sector = self.device_sector(data_sector, count as usize * SECTOR_SIZE);
        self.dev.drop_cache(sector * SECTOR_SIZE as u64, count * SECTOR_SIZE as u64)
    }

    pub fn device(&self) -> &D {
        &self.dev
    }
}

/// An unlocked volume.
pub struct Volume<D: BlockDevice> {
    io: Arc<SectorIo<D>>,
    header: Header,
    opened_from: HeaderRead,
    master: Locked<[u8; MASTER_KEY_BYTES]>,
    slot: usize,
}

/// What `create` returns besides the volume: the recovery key, to be shown once.
pub struct Created<D: BlockDevice> {
    pub volume: Volume<D>,
    pub recovery_key: RecoveryKey,
}

/// A fresh master key whose two XTS halves differ.
fn new_master_key() -> Locked<[u8; MASTER_KEY_BYTES]> {
    loop {
        let key = random_key::<MASTER_KEY_BYTES>();
        if key[..MASTER_KEY_BYTES / 2] != key[MASTER_KEY_BYTES / 2..] {
            return key;
        }
    }
}

/// Subkeys are derived from the master key with BLAKE3's key derivation, one context each.
pub fn derive_subkey(master: &[u8; MASTER_KEY_BYTES], context: &str) -> Locked<[u8; 32]> {
    let mut out = Locked::new([0u8; 32]);
    let mut hasher = blake3::Hasher::new_derive_key(context);
    hasher.update(master);
    hasher.finalize_xof().fill(&mut out[..]);
    out
}

const SUPERBLOCK_MAC_CONTEXT: &str = "vault 2026-11 superblock MAC";

impl<D: BlockDevice> Volume<D> {
    /// Formats `dev` as a new vault with one passphrase slot (slot 0) and a recovery slot
    /// (slot 1). Everything on the device is abandoned.
    pub fn create(dev: D, passphrase: &[u8], kdf: KdfParams) -> Result<Created<D>, VolumeError> {
        Volume::create_with(dev, passphrase, kdf, |_| Ok(()))
    }

    /// Like [`Volume::create`], running `prepare` (which lays out the data area: the store)
    /// after the superblock is written and before the headers, so that the headers come last.
    pub fn create_with(
        dev: D,
        passphrase: &[u8],
        kdf: KdfParams,
        prepare: impl FnOnce(&Volume<D>) -> Result<(), BoxError>,
    ) -> Result<Created<D>, VolumeError> {
        let size = dev.size();
        if size < MIN_DEVICE_BYTES {
            return Err(VolumeError::TooSmall { device: dev.name().to_string(), size });
        }
        let master = new_master_key();
        let recovery_key = RecoveryKey::generate();
        let mut uuid = [0u8; 16];
        getrandom::fill(&mut uuid).expect("random source");
        uuid[6] = (uuid[6] & 0x0f) | 0x40; // RFC 4122 version 4
        uuid[8] = (uuid[8] & 0x3f) | 0x80; // RFC 4122 variant
        let kdf_err = |slot, source| VolumeError::Kdf { device: dev.name().to_string(), slot, source };
        let mut slots: [Option<Keyslot>; KEYSLOTS] = Default::default();
        slots[0] = Some(
            Keyslot::wrap(SlotKind::Passphrase, kdf, passphrase, &master, &uuid, 0)
                .map_err(|e| kdf_err(0, e))?,
        );
        slots[1] = Some(
            Keyslot::wrap(SlotKind::Recovery, kdf, recovery_key.as_bytes(), &master, &uuid, 1)
                .map_err(|e| kdf_err(1, e))?,
        );
        let header = Header {
            version: FORMAT_VERSION,
            uuid,
            sequence: 0,
            volume_bytes: header::volume_bytes_for(size),
            slots,
        };
        let cipher = Locked::new(
            SectorCipher::new(&master)
                .map_err(|source| VolumeError::Key { device: dev.name().to_string(), source })?,
        );

        header::erase_headers(&dev)?;
        let data_sectors = header.data_bytes() / SECTOR_SIZE as u64;
        let io = Arc::new(SectorIo { dev, cipher, data_sectors });
        let mut superblock = superblock_bytes(&master, &uuid);
        io.write_sectors(0, &mut superblock)?;
        io.flush()?;
        let not_yet = HeaderRead {
            header: header.clone(),
            source: Copy::Primary,
            other_fault: None,
            other_stale: false,
        };
        let mut volume = Volume { io, header, opened_from: not_yet, master, slot: 0 };
        prepare(&volume)
            .map_err(|source| VolumeError::Prepare { device: volume.device().name().to_string(), source })?;
        volume.io.flush()?;
        header::write_headers(&volume.io.dev, &mut volume.header)?;
        volume.opened_from = header::read_headers(&volume.io.dev)?;
        Ok(Created { volume, recovery_key })
    }

    /// Opens `dev` with a passphrase or the recovery key, trying every slot of that kind
    /// (or only `only_slot`).
    pub fn unlock(dev: D, secret: Secret<'_>, only_slot: Option<usize>) -> Result<Volume<D>, VolumeError> {
        let opened_from = header::read_headers(&dev)?;
        let header = opened_from.header.clone();
        let device = dev.name().to_string();
        let what = match secret.kind() {
            SlotKind::Passphrase => "passphrase",
            SlotKind::Recovery => "recovery key",
        };
        let mut found = None;
        for (i, slot) in header.active_slots() {
            if slot.kind != secret.kind() || only_slot.is_some_and(|only| only != i) {
                continue;
            }
            match slot.unwrap(secret.bytes(), &header.uuid, i) {
                Ok(master) => {
                    found = Some((i, master));
                    break;
                }
                Err(UnwrapError::WrongSecret) => {}
                Err(UnwrapError::Kdf(source)) => {
                    return Err(VolumeError::Kdf { device, slot: i, source });
                }
            }
        }
        let Some((slot, master)) = found else {
            return Err(VolumeError::WrongSecret { device, what });
        };
        let cipher = Locked::new(
            SectorCipher::new(&master)
                .map_err(|source| VolumeError::Key { device: device.clone(), source })?,
        );
        let data_sectors = header.data_bytes() / SECTOR_SIZE as u64;
        let io = Arc::new(SectorIo { dev, cipher, data_sectors });
        let volume = Volume { io, header, opened_from, master, slot };
        volume.check_superblock()?;
        Ok(volume)
    }

    fn check_superblock(&self) -> Result<(), VolumeError> {
        let mut sb = vec![0u8; SECTOR_SIZE];
        self.read_sectors(0, &mut sb)?;
        let device = self.io.dev.name().to_string();
        if sb[..8] != SUPERBLOCK_MAGIC {
            return Err(VolumeError::Superblock { device, reason: "magic is wrong" });
        }
        if sb != superblock_bytes(&self.master, &self.header.uuid) {
            return Err(VolumeError::Superblock { device, reason: "MAC or identity does not match" });
        }
        Ok(())
    }

    pub fn header(&self) -> &Header {
        &self.header
    }

    /// How the header was read at open (which copy, and what was wrong with the other).
    pub fn opened_from(&self) -> &HeaderRead {
        &self.opened_from
    }

    /// The keyslot that opened the volume.
    pub fn unlocked_slot(&self) -> usize {
        self.slot
    }

    pub fn device(&self) -> &D {
        &self.io.dev
    }

    /// The encrypted data-area I/O, for the layers above (the store).
    pub fn io(&self) -> Arc<SectorIo<D>> {
        self.io.clone()
    }

    /// The master key, for tests that scan a device for key material. Nothing else uses it.
    #[doc(hidden)]
    pub fn master_key_for_tests(&self) -> &[u8; MASTER_KEY_BYTES] {
        &self.master
    }

    pub fn cipher_engine(&self) -> &'static str {
        self.io.cipher.engine()
    }

    /// A subkey of the master key for `context` (store MACs and the like).
    pub fn subkey(&self, context: &str) -> Locked<[u8; 32]> {
        derive_subkey(&self.master, context)
    }

    /// Sectors of the data area (sector 0 is the superblock).
    pub fn data_sectors(&self) -> u64 {
        self.io.data_sectors
    }

    /// Reads and decrypts whole sectors of the data area.
    pub fn read_sectors(&self, data_sector: u64, buf: &mut [u8]) -> Result<(), DevError> {
        self.io.read_sectors(data_sector, buf)
    }

    /// Encrypts `buf` in place and writes it to the data area (see [`SectorIo::write_sectors`]).
    pub fn write_sectors(&self, data_sector: u64, buf: &mut [u8]) -> Result<(), DevError> {
        self.io.write_sectors(data_sector, buf)
    }

    pub fn flush(&self) -> Result<(), DevError> {
        self.io.flush()
    }

    /// Adds a slot for `secret` with `kdf`; returns its index.
    pub fn add_slot(&mut self, kind: SlotKind, secret: &[u8], kdf: KdfParams) -> Result<usize, VolumeError> {
        let device = self.io.dev.name().to_string();
        let index = self.header.free_slot().ok_or(VolumeError::SlotsFull { device })?;
        self.put_slot(index, kind, secret, kdf)?;
        Ok(index)
    }

    /// Empties slot `index`. The last passphrase slot is kept.
    pub fn remove_slot(&mut self, index: usize) -> Result<(), VolumeError> {
        let device = self.io.dev.name().to_string();
        let Some(Some(slot)) = self.header.slots.get(index) else {
            return Err(VolumeError::EmptySlot { device, slot: index });
        };
        let passphrases = self.header.active_slots().filter(|(_, s)| s.kind == SlotKind::Passphrase).count();
        if slot.kind == SlotKind::Passphrase && passphrases == 1 {
            return Err(VolumeError::LastPassphrase { device, slot: index });
        }
        self.header.slots[index] = None;
        header::write_headers(&self.io.dev, &mut self.header)?;
        Ok(())
    }

    /// Replaces the secret of slot `index` in one header update.
    pub fn replace_slot(&mut self, index: usize, secret: &[u8], kdf: KdfParams) -> Result<(), VolumeError> {
        let Some(Some(old)) = self.header.slots.get(index) else {
            return Err(VolumeError::EmptySlot { device: self.io.dev.name().to_string(), slot: index });
        };
        self.put_slot(index, old.kind, secret, kdf)
    }

    /// Wraps the master key for `secret` into slot `index` and writes the header.
    fn put_slot(
        &mut self,
        index: usize,
        kind: SlotKind,
        secret: &[u8],
        kdf: KdfParams,
    ) -> Result<(), VolumeError> {
        let slot =
            Keyslot::wrap(kind, kdf, secret, &self.master, &self.header.uuid, index).map_err(|source| {
                VolumeError::Kdf { device: self.io.dev.name().to_string(), slot: index, source }
            })?;
        self.header.slots[index] = Some(slot);
        header::write_headers(&self.io.dev, &mut self.header)?;
        Ok(())
    }

    /// Rewrites both header copies from the one in use (after a damaged or stale copy).
    pub fn repair_headers(&mut self) -> Result<(), VolumeError> {
        header::write_headers(&self.io.dev, &mut self.header)?;
        self.opened_from = header::read_headers(&self.io.dev)?;
        Ok(())
    }

    /// Gives the device back, wiping the keys.
    pub fn close(self) -> D {
        let io = Arc::try_unwrap(self.io).ok().expect("the store is closed before its volume");
        io.dev
    }
}

/// The superblock's plaintext: magic, UUID, format version, zeros, and a keyed BLAKE3 MAC of
/// the bytes before it.
fn superblock_bytes(master: &[u8; MASTER_KEY_BYTES], uuid: &[u8; 16]) -> Vec<u8> {
    let mut sb = vec![0u8; SECTOR_SIZE];
    sb[..8].copy_from_slice(&SUPERBLOCK_MAGIC);
    sb[8..24].copy_from_slice(uuid);
    sb[24..26].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    let key = derive_subkey(master, SUPERBLOCK_MAC_CONTEXT);
    let mac = blake3::keyed_hash(&key, &sb[..SECTOR_SIZE - 32]);
    sb[SECTOR_SIZE - 32..].copy_from_slice(mac.as_bytes());
    sb
}

/// Which header copy was used, for messages: `None` when both copies were good.
pub fn header_warning(read: &HeaderRead, device: &str) -> Option<String> {
    if let Some((copy, fault)) = &read.other_fault {
        let used = match copy {
            Copy::Primary => Copy::Backup,
            Copy::Backup => Copy::Primary,
        };
        return Some(format!(
            "{device}: the {} header is unusable ({fault}); opened from the {} header. \
             Run `vault header repair {device}` to rewrite it.",
            copy.name(),
            used.name()
        ));
    }
    if read.other_stale {
        return Some(format!(
            "{device}: the two header copies differ (an interrupted update); using the newer {} copy. \
             Run `vault header repair {device}` to rewrite both.",
            read.source.name()
        ));
    }
    None
}

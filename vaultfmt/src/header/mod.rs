//! The plaintext header: two copies, the primary in the first sector of the device and the
//! backup in the first sector of the last MiB of the volume.
//!
//! Each copy is one 4096-byte sector with a BLAKE3 checksum of everything before it.
//! Opening reads both and uses the valid copy with the higher sequence number, so a header
//! update interrupted half-way leaves the previous or the new header, never a mix. Updates
//! write the backup first, flush, then the primary, and flush again.
//!
//! Byte layout (little-endian): see `man/vaultfmt.5`, which this file must match (a test
//! compares them).

pub mod kdf;
pub mod keyslot;
pub mod recovery;

use thiserror::Error;

use crate::dev::{BlockDevice, DevError};
use crate::{MASTER_KEY_BYTES, SECTOR_SIZE};
pub use kdf::KdfParams;
pub use keyslot::{KEYSLOT_BYTES, Keyslot, SlotKind};

/// "VAULTHDR": the first eight bytes of each header copy.
pub const MAGIC: [u8; 8] = *b"VAULTHDR";
pub const FORMAT_VERSION: u16 = 1;
/// Each header area is 1 MiB: the primary at the start, the backup in the last MiB.
pub const HEADER_AREA_BYTES: u64 = 1 << 20;
/// The volume is a whole number of MiB; a device's trailing partial MiB is not used.
pub const VOLUME_ALIGN: u64 = 1 << 20;
/// The smallest device that can hold a vault.
pub const MIN_DEVICE_BYTES: u64 = 16 << 20;
pub const KEYSLOTS: usize = 8;
/// AES-256-XTS, tweak = absolute 4096-byte sector number (plain64), 4096-byte data units.
pub const CIPHER_AES256_XTS_PLAIN64: u16 = 1;
/// Argon2id, version 0x13.
pub const KDF_ARGON2ID: u16 = 1;
/// AES-256-GCM with a 96-bit nonce and a 128-bit tag.
pub const AEAD_AES256_GCM: u16 = 1;

const OFF_SLOTS: usize = 128;
const OFF_CHECKSUM: usize = SECTOR_SIZE - 32;

/// What a header copy says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub version: u16,
    pub uuid: [u8; 16],
    pub sequence: u64,
    /// Bytes of the device the volume covers (a multiple of 1 MiB).
    pub volume_bytes: u64,
    pub slots: [Option<Keyslot>; KEYSLOTS],
}

/// Which copy a header was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Copy {
    Primary,
    Backup,
}

impl Copy {
    pub fn name(self) -> &'static str {
        match self {
            Copy::Primary => "primary",
            Copy::Backup => "backup",
        }
    }
}

/// Why one header copy could not be used.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CopyFault {
    #[error("no vault header (magic missing)")]
    NoMagic,
    #[error("checksum mismatch (damaged)")]
    Checksum,
    #[error("format version {0} is not supported by this vault (it reads version {FORMAT_VERSION})")]
    Version(u16),
    #[error("malformed: {0}")]
    Malformed(&'static str),
    #[error("unreadable: {0}")]
    Unreadable(String),
}

#[derive(Debug, Error)]
pub enum HeaderError {
    #[error("{device}: not a vault (no vault header at the start or in the last MiB)")]
    NotAVault { device: String },
    #[error(
        "{device}: both vault headers are damaged (primary: {primary}; backup: {backup}); \
         restore one from a header backup with `vault header restore {device} FILE`"
    )]
    BothDamaged { device: String, primary: CopyFault, backup: CopyFault },
    #[error("{device}: not a vault ({size} bytes; a vault is at least 16 MiB)")]
    TooSmall { device: String, size: u64 },
    #[error("{device}: the header says the vault is {volume} bytes but the device has only {size}")]
    Truncated { device: String, volume: u64, size: u64 },
    #[error(transparent)]
    Dev(#[from] DevError),
}

/// The outcome of reading both copies.
#[derive(Debug)]
pub struct HeaderRead {
    pub header: Header,
    /// The copy `header` came from.
    pub source: Copy,
    /// The other copy's fault, if it was not a valid copy of the same sequence.
    pub other_fault: Option<(Copy, CopyFault)>,
    /// True when the other copy was valid but older (an interrupted update).
    pub other_stale: bool,
}

impl HeaderRead {
    /// True when both copies are valid and identical: nothing to repair.
    pub fn both_good(&self) -> bool {
        self.other_fault.is_none() && !self.other_stale
    }
}

/// A vault's UUID as text (8-4-4-4-12 hex digits).
pub fn uuid_text(uuid: &[u8; 16]) -> String {
    let hex: String = uuid.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// The volume size for a device of `device_bytes`: rounded down to whole MiB.
pub fn volume_bytes_for(device_bytes: u64) -> u64 {
    device_bytes / VOLUME_ALIGN * VOLUME_ALIGN
}

/// Byte offset of the backup header for a volume of `volume_bytes`.
pub fn backup_offset(volume_bytes: u64) -> u64 {
    volume_bytes - HEADER_AREA_BYTES
}

impl Header {
    /// Byte offset of the data area (after the primary header area).
    pub fn data_offset(&self) -> u64 {
        HEADER_AREA_BYTES
    }

    /// Bytes in the data area (between the two header areas).
    pub fn data_bytes(&self) -> u64 {
        self.volume_bytes - 2 * HEADER_AREA_BYTES
    }

    pub fn active_slots(&self) -> impl Iterator<Item = (usize, &Keyslot)> {
        self.slots.iter().enumerate().filter_map(|(i, s)| s.as_ref().map(|s| (i, s)))
    }

    pub fn free_slot(&self) -> Option<usize> {
        self.slots.iter().position(Option::is_none)
    }

    /// The 4096 bytes of one header copy.
    pub fn encode(&self) -> [u8; SECTOR_SIZE] {
        let mut b = [0u8; SECTOR_SIZE];
        b[0..8].copy_from_slice(&MAGIC);
        b[8..10].copy_from_slice(&self.version.to_le_bytes());
        b[10..12].copy_from_slice(&(SECTOR_SIZE as u16).to_le_bytes());
        // 12..16: flags, zero.
        b[16..32].copy_from_slice(&self.uuid);
        b[32..40].copy_from_slice(&self.sequence.to_le_bytes());
        b[40..48].copy_from_slice(&self.volume_bytes.to_le_bytes());
        b[48..56].copy_from_slice(&self.data_offset().to_le_bytes());
        b[56..64].copy_from_slice(&self.data_bytes().to_le_bytes());
        b[64..66].copy_from_slice(&(SECTOR_SIZE as u16).to_le_bytes());
        b[66..68].copy_from_slice(&CIPHER_AES256_XTS_PLAIN64.to_le_bytes());
        b[68..70].copy_from_slice(&KDF_ARGON2ID.to_le_bytes());
        b[70..72].copy_from_slice(&AEAD_AES256_GCM.to_le_bytes());
        b[72..74].copy_from_slice(&(MASTER_KEY_BYTES as u16).to_le_bytes());
        b[74..76].copy_from_slice(&(KEYSLOTS as u16).to_le_bytes());
        b[76..78].copy_from_slice(&(KEYSLOT_BYTES as u16).to_le_bytes());
        for (i, slot) in self.slots.iter().enumerate() {
            if let Some(slot) = slot {
                let at = OFF_SLOTS + i * KEYSLOT_BYTES;
                b[at..at + KEYSLOT_BYTES].copy_from_slice(&slot.encode());
            }
        }
        let sum = blake3::hash(&b[..OFF_CHECKSUM]);
        b[OFF_CHECKSUM..].copy_from_slice(sum.as_bytes());
        b
    }

    /// Parses one header copy, checking magic, checksum and every fixed field.
    pub fn decode(b: &[u8; SECTOR_SIZE]) -> Result<Header, CopyFault> {
        if b[0..8] != MAGIC {
            return Err(CopyFault::NoMagic);
        }
        if blake3::hash(&b[..OFF_CHECKSUM]).as_bytes() != &b[OFF_CHECKSUM..] {
            return Err(CopyFault::Checksum);
        }
        let u16_at = |at: usize| u16::from_le_bytes([b[at], b[at + 1]]);
        let u64_at = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"));
        let version = u16_at(8);
        if version != FORMAT_VERSION {
            return Err(CopyFault::Version(version));
        }
        let fixed = [
            (10, SECTOR_SIZE as u16, "header length"),
            (64, SECTOR_SIZE as u16, "sector size"),
            (66, CIPHER_AES256_XTS_PLAIN64, "cipher id"),
            (68, KDF_ARGON2ID, "KDF id"),
            (70, AEAD_AES256_GCM, "key-wrap id"),
            (72, MASTER_KEY_BYTES as u16, "master key length"),
            (74, KEYSLOTS as u16, "keyslot count"),
            (76, KEYSLOT_BYTES as u16, "keyslot length"),
        ];
        for (at, want, what) in fixed {
            if u16_at(at) != want {
                return Err(CopyFault::Malformed(what));
            }
        }
        let volume_bytes = u64_at(40);
        if volume_bytes % VOLUME_ALIGN != 0 || volume_bytes < MIN_DEVICE_BYTES {
            return Err(CopyFault::Malformed("volume size"));
        }
        if u64_at(48) != HEADER_AREA_BYTES || u64_at(56) != volume_bytes - 2 * HEADER_AREA_BYTES {
            return Err(CopyFault::Malformed("data area"));
        }
        let end_of_slots = OFF_SLOTS + KEYSLOTS * KEYSLOT_BYTES;
        if b[12..16].iter().chain(&b[78..OFF_SLOTS]).chain(&b[end_of_slots..OFF_CHECKSUM]).any(|&x| x != 0) {
            return Err(CopyFault::Malformed("reserved bytes are not zero"));
        }
        let mut slots: [Option<Keyslot>; KEYSLOTS] = Default::default();
        for (i, slot) in slots.iter_mut().enumerate() {
            let at = OFF_SLOTS + i * KEYSLOT_BYTES;
            *slot = Keyslot::decode(b[at..at + KEYSLOT_BYTES].try_into().expect("slot bytes"))
                .map_err(CopyFault::Malformed)?;
        }
        Ok(Header {
            version,
            uuid: b[16..32].try_into().expect("16 bytes"),
            sequence: u64_at(32),
            volume_bytes,
            slots,
        })
    }
}

fn read_copy(dev: &dyn BlockDevice, offset: u64) -> Result<Header, CopyFault> {
    let mut buf = [0u8; SECTOR_SIZE];
    match dev.read_at(offset, &mut buf) {
        Ok(()) => Header::decode(&buf),
        Err(e) if e.is_gone() => Err(CopyFault::Unreadable(e.to_string())),
        Err(e) => Err(CopyFault::Unreadable(e.to_string())),
    }
}

/// Reads both header copies and picks the one to use.
pub fn read_headers(dev: &dyn BlockDevice) -> Result<HeaderRead, HeaderError> {
    let device = dev.name().to_string();
    let size = dev.size();
    if size < MIN_DEVICE_BYTES {
        return Err(HeaderError::TooSmall { device, size });
    }
    // Probe that the device answers at all: a pulled drive is "absent", not "damaged".
    let mut probe = [0u8; SECTOR_SIZE];
    if let Err(e) = dev.read_at(0, &mut probe)
        && e.is_gone()
    {
        return Err(e.into());
    }
    let primary = read_copy(dev, 0);
    // The backup is where the primary says the volume ends; if the primary is unusable, where
    // the device's size says it ends.
    let volume = match &primary {
        Ok(h) if h.volume_bytes <= size => h.volume_bytes,
        Ok(h) => {
            return Err(HeaderError::Truncated { device, volume: h.volume_bytes, size });
        }
        Err(_) => volume_bytes_for(size),
    };
    let backup = read_copy(dev, backup_offset(volume));
    match (primary, backup) {
        (Ok(p), Ok(b)) => {
            if p == b {
                Ok(HeaderRead { header: p, source: Copy::Primary, other_fault: None, other_stale: false })
            } else if b.sequence > p.sequence {
                Ok(HeaderRead { header: b, source: Copy::Backup, other_fault: None, other_stale: true })
            } else {
                Ok(HeaderRead { header: p, source: Copy::Primary, other_fault: None, other_stale: true })
            }
        }
        (Ok(p), Err(f)) => Ok(HeaderRead {
            header: p,
            source: Copy::Primary,
            other_fault: Some((Copy::Backup, f)),
            other_stale: false,
        }),
        (Err(f), Ok(b)) => Ok(HeaderRead {
            header: b,
            source: Copy::Backup,
            other_fault: Some((Copy::Primary, f)),
            other_stale: false,
        }),
        (Err(CopyFault::NoMagic), Err(CopyFault::NoMagic)) => Err(HeaderError::NotAVault { device }),
        (Err(primary), Err(backup)) => Err(HeaderError::BothDamaged { device, primary, backup }),
    }
}

/// Writes `header` to both copies with the next sequence number: backup, flush, primary,
/// flush. After a power cut at any point, `read_headers` finds either the old header or the
/// new one.
pub fn write_headers(dev: &dyn BlockDevice, header: &mut Header) -> Result<(), DevError> {
    header.sequence += 1;
    let bytes = header.encode();
    dev.write_at(backup_offset(header.volume_bytes), &bytes)?;
    dev.flush()?;
    dev.write_at(0, &bytes)?;
    dev.flush()
}

/// Overwrites both header copies with zeros (the start of `init`, so that an interrupted
/// re-format never leaves the old vault's header in front of a half-written new one).
pub fn erase_headers(dev: &dyn BlockDevice) -> Result<(), DevError> {
    let zero = [0u8; SECTOR_SIZE];
    let volume = volume_bytes_for(dev.size());
    dev.write_at(0, &zero)?;
    dev.write_at(backup_offset(volume), &zero)?;
    dev.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dev::MemDevice;

    fn sample() -> Header {
        let slot = Keyslot::wrap(
            SlotKind::Passphrase,
            KdfParams { memory_kib: 64, time: 1, lanes: 1 },
            b"made-up",
            &[3; MASTER_KEY_BYTES],
            &[9; 16],
            0,
        )
        .unwrap();
        let mut slots: [Option<Keyslot>; KEYSLOTS] = Default::default();
        slots[0] = Some(slot);
        Header { version: FORMAT_VERSION, uuid: [9; 16], sequence: 0, volume_bytes: 32 << 20, slots }
    }

    #[test]
    fn encode_decode_round_trip_and_every_flipped_bit_is_caught() {
        let h = sample();
        let bytes = h.encode();
        assert_eq!(Header::decode(&bytes).unwrap(), h);
        for at in (0..SECTOR_SIZE).step_by(7) {
            let mut bad = bytes;
            bad[at] ^= 0x10;
            assert!(Header::decode(&bad).is_err(), "flip at {at} not caught");
        }
    }

    #[test]
    fn the_newer_valid_copy_wins_and_damage_is_reported() {
        let dev = MemDevice::new(32 << 20);
        let mut h = sample();
        write_headers(&dev, &mut h).unwrap();
        let read = read_headers(&dev).unwrap();
        assert!(read.both_good() && read.source == Copy::Primary && read.header.sequence == 1);

        // An update that wrote only the backup: the backup is newer and wins.
        let mut newer = h.clone();
        newer.sequence += 1;
        dev.write_at(backup_offset(newer.volume_bytes), &newer.encode()).unwrap();
        let read = read_headers(&dev).unwrap();
        assert_eq!((read.source, read.other_stale, read.header.sequence), (Copy::Backup, true, 2));

        // A damaged primary: the backup is used and the fault named.
        dev.write_at(0, &[0xee; SECTOR_SIZE]).unwrap();
        let read = read_headers(&dev).unwrap();
        assert_eq!(read.source, Copy::Backup);
        assert_eq!(read.other_fault, Some((Copy::Primary, CopyFault::NoMagic)));

        // Both damaged: the error names `vault header restore`.
        let mut bad = h.encode();
        bad[100] ^= 1;
        dev.write_at(backup_offset(h.volume_bytes), &bad).unwrap();
        let err = read_headers(&dev).unwrap_err();
        assert!(matches!(err, HeaderError::BothDamaged { .. }));
        assert!(err.to_string().contains("vault header restore"), "{err}");

        // Nothing at all: not a vault.
        let blank = MemDevice::new(32 << 20);
        assert!(matches!(read_headers(&blank), Err(HeaderError::NotAVault { .. })));
        let tiny = MemDevice::new(8 << 20);
        assert!(matches!(read_headers(&tiny), Err(HeaderError::TooSmall { .. })));
    }

    proptest::proptest! {
        /// Any sector, even one with the magic and a correct checksum (so that the field
        /// checks run), decodes to a header or a named fault, and never panics.
        #[test]
        fn decode_never_panics(mut bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), SECTOR_SIZE),
                               valid_shape in proptest::prelude::any::<bool>()) {
            if valid_shape {
                // Every fixed field right, so that the random keyslots are what gets parsed.
                let good = sample().encode();
                bytes[..OFF_SLOTS].copy_from_slice(&good[..OFF_SLOTS]);
                bytes[OFF_SLOTS + KEYSLOTS * KEYSLOT_BYTES..].copy_from_slice(&good[OFF_SLOTS + KEYSLOTS * KEYSLOT_BYTES..]);
                for slot in 0..KEYSLOTS {
                    // Kinds 0..3 and zeroed reserved bytes in most slots.
                    let at = OFF_SLOTS + slot * KEYSLOT_BYTES;
                    bytes[at] %= 3;
                    bytes[at + 1..at + 4].fill(0);
                    bytes[at + 60..at + 64].fill(0);
                    bytes[at + 144..at + KEYSLOT_BYTES].fill(0);
                }
                let sum = blake3::hash(&bytes[..OFF_CHECKSUM]);
                bytes[OFF_CHECKSUM..].copy_from_slice(sum.as_bytes());
            }
            let sector: [u8; SECTOR_SIZE] = bytes.try_into().unwrap();
            let _ = Header::decode(&sector);
        }
    }
}

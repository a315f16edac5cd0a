//! Keyslots: the master key wrapped under a key derived from a passphrase or a recovery key.
//!
//! A slot holds the Argon2id parameters, a random salt, and the 64-byte master key encrypted
//! with AES-256-GCM under the Argon2id output. The associated data binds the slot to its
//! volume and position and covers its KDF parameters, so a slot cannot be moved to another
//! vault or slot, and its cost cannot be lowered, without the tag failing.

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};

use super::kdf::{KdfError, KdfParams};
use crate::MASTER_KEY_BYTES;
use crate::secret::Locked;

/// Bytes of one keyslot on disk.
pub const KEYSLOT_BYTES: usize = 192;
/// Offset within the slot of the bytes covered as associated data (kind … salt).
const AAD_SLOT_BYTES: usize = 48;

/// What unlocks a slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotKind {
    Passphrase = 1,
    Recovery = 2,
}

impl SlotKind {
    pub fn name(self) -> &'static str {
        match self {
            SlotKind::Passphrase => "passphrase",
            SlotKind::Recovery => "recovery",
        }
    }
}

/// An active keyslot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keyslot {
    pub kind: SlotKind,
    pub kdf: KdfParams,
    pub salt: [u8; 32],
    pub nonce: [u8; 12],
    pub wrapped: [u8; MASTER_KEY_BYTES],
    pub tag: [u8; 16],
}

/// Why a slot did not open.
#[derive(Debug, PartialEq, Eq)]
pub enum UnwrapError {
    /// The tag did not verify: wrong passphrase (or a damaged slot).
    WrongSecret,
    Kdf(KdfError),
}

impl Keyslot {
    /// Wraps `master` for slot `index` of volume `uuid` under `secret`.
    pub fn wrap(
        kind: SlotKind,
        kdf: KdfParams,
        secret: &[u8],
        master: &[u8; MASTER_KEY_BYTES],
        uuid: &[u8; 16],
        index: usize,
    ) -> Result<Keyslot, KdfError> {
        let mut salt = [0u8; 32];
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut salt).expect("random source");
        getrandom::fill(&mut nonce).expect("random source");
        let mut slot = Keyslot { kind, kdf, salt, nonce, wrapped: [0; MASTER_KEY_BYTES], tag: [0; 16] };
        let key = kdf.derive(secret, &salt)?;
        let aead = Aes256Gcm::new(&(*key).into());
        let mut buf = Locked::new(*master);
        let tag = aead
            .encrypt_inout_detached(&Nonce::from(nonce), &slot.aad(uuid, index), (&mut buf[..]).into())
            .expect("64 bytes are within AES-GCM's limits");
        slot.wrapped.copy_from_slice(&buf[..]);
        slot.tag.copy_from_slice(&tag);
        Ok(slot)
    }

    /// Unwraps the master key with `secret`; costs one Argon2id derivation.
    pub fn unwrap(
        &self,
        secret: &[u8],
        uuid: &[u8; 16],
        index: usize,
    ) -> Result<Locked<[u8; MASTER_KEY_BYTES]>, UnwrapError> {
        let key = self.kdf.derive(secret, &self.salt).map_err(UnwrapError::Kdf)?;
        let aead = Aes256Gcm::new(&(*key).into());
        let mut master = Locked::new(self.wrapped);
        aead.decrypt_inout_detached(
            &Nonce::from(self.nonce),
            &self.aad(uuid, index),
            (&mut master[..]).into(),
            &Tag::from(self.tag),
        )
        .map_err(|_| UnwrapError::WrongSecret)?;
        Ok(master)
    }

    /// Associated data: a label, the volume UUID, the slot index and the slot's kind, KDF
    /// parameters and salt as encoded on disk.
    fn aad(&self, uuid: &[u8; 16], index: usize) -> Vec<u8> {
        let mut aad = Vec::with_capacity(16 + 16 + 1 + AAD_SLOT_BYTES);
        aad.extend_from_slice(b"vault keyslot v1");
        aad.extend_from_slice(uuid);
        aad.push(index as u8);
        aad.extend_from_slice(&self.encode()[..AAD_SLOT_BYTES]);
        aad
    }

    /// The slot's 192 bytes (layout in `man/vaultfmt.5`).
    pub fn encode(&self) -> [u8; KEYSLOT_BYTES] {
        let mut b = [0u8; KEYSLOT_BYTES];
        b[0] = self.kind as u8;
        b[4..8].copy_from_slice(&self.kdf.memory_kib.to_le_bytes());
        b[8..12].copy_from_slice(&self.kdf.time.to_le_bytes());
        b[12..16].copy_from_slice(&self.kdf.lanes.to_le_bytes());
        b[16..48].copy_from_slice(&self.salt);
        b[48..60].copy_from_slice(&self.nonce);
        b[64..128].copy_from_slice(&self.wrapped);
        b[128..144].copy_from_slice(&self.tag);
        b
    }

    /// Reads a slot; `Ok(None)` for an empty slot, `Err` with the reason for a malformed one.
    pub fn decode(b: &[u8; KEYSLOT_BYTES]) -> Result<Option<Keyslot>, &'static str> {
        let kind = match b[0] {
            0 => {
                return if b.iter().all(|&x| x == 0) { Ok(None) } else { Err("empty slot is not zeroed") };
            }
            1 => SlotKind::Passphrase,
            2 => SlotKind::Recovery,
            _ => return Err("unknown slot kind"),
        };
        let u32_at = |at: usize| u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"));
        if b[1..4].iter().chain(&b[60..64]).chain(&b[144..]).any(|&x| x != 0) {
            return Err("reserved bytes are not zero");
        }
        Ok(Some(Keyslot {
            kind,
            kdf: KdfParams { memory_kib: u32_at(4), time: u32_at(8), lanes: u32_at(12) },
            salt: b[16..48].try_into().expect("32 bytes"),
            nonce: b[48..60].try_into().expect("12 bytes"),
            wrapped: b[64..128].try_into().expect("64 bytes"),
            tag: b[128..144].try_into().expect("16 bytes"),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHEAP: KdfParams = KdfParams { memory_kib: 64, time: 1, lanes: 1 };

    #[test]
    fn wrap_unwrap_and_every_binding() {
        let master = [0x42u8; MASTER_KEY_BYTES];
        let uuid = [7u8; 16];
        let slot = Keyslot::wrap(SlotKind::Passphrase, CHEAP, b"made-up words", &master, &uuid, 3).unwrap();
        assert_eq!(slot.unwrap(b"made-up words", &uuid, 3).unwrap()[..], master[..]);
        assert_eq!(slot.unwrap(b"made-up wordz", &uuid, 3).err(), Some(UnwrapError::WrongSecret));
        assert_eq!(slot.unwrap(b"made-up words", &[8; 16], 3).err(), Some(UnwrapError::WrongSecret));
        assert_eq!(slot.unwrap(b"made-up words", &uuid, 4).err(), Some(UnwrapError::WrongSecret));
        let weaker = Keyslot { kdf: KdfParams { time: 2, ..CHEAP }, ..slot.clone() };
        assert_eq!(weaker.unwrap(b"made-up words", &uuid, 3).err(), Some(UnwrapError::WrongSecret));
        let other_kind = Keyslot { kind: SlotKind::Recovery, ..slot.clone() };
        assert_eq!(other_kind.unwrap(b"made-up words", &uuid, 3).err(), Some(UnwrapError::WrongSecret));
        assert_ne!(slot.wrapped, master, "the key is stored encrypted");
    }

    #[test]
    fn encode_decode_round_trip() {
        let slot = Keyslot::wrap(SlotKind::Recovery, CHEAP, b"k", &[1; 64], &[0; 16], 0).unwrap();
        assert_eq!(Keyslot::decode(&slot.encode()).unwrap(), Some(slot.clone()));
        assert_eq!(Keyslot::decode(&[0; KEYSLOT_BYTES]).unwrap(), None);
        let mut bad = slot.encode();
        bad[0] = 9;
        assert!(Keyslot::decode(&bad).is_err());
        let mut bad = slot.encode();
        bad[150] = 1;
        assert!(Keyslot::decode(&bad).is_err());
    }
}

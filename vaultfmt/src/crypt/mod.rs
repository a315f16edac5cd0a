//! The sector cipher: AES-256-XTS over 4096-byte sectors, tweak = the absolute sector number
//! on the device, little-endian (dm-crypt's `plain64`, widened to 128 bits).
//!
//! Everything after the header areas is encrypted with it; see `man/vaultfmt.5`.

#[cfg(target_arch = "x86_64")]
mod vaes;
pub mod xts;

use thiserror::Error;
use zeroize::Zeroize;

use crate::SECTOR_SIZE;
pub use xts::{Xts, engine_here};

/// Length of a sector-cipher key: Key1 (data) followed by Key2 (tweak).
pub const XTS_KEY_BYTES: usize = 64;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum CryptError {
    /// XTS with Key1 = Key2 loses the distinction between tweak and data encryption
    /// (IEEE 1619-2007 clause 5.1 and the attack on it); such a key is refused.
    #[error("the XTS key's two halves are equal; refusing the key")]
    EqualKeyHalves,
}

/// AES-256-XTS with 4096-byte data units numbered by absolute sector.
pub struct SectorCipher {
    xts: Xts,
}

impl SectorCipher {
    /// Which XTS implementation this CPU runs (see [`Xts::engine`]).
    pub fn engine(&self) -> &'static str {
        self.xts.engine()
    }

    /// Builds the cipher from Key1 ‖ Key2. Refuses equal halves.
    pub fn new(key: &[u8; XTS_KEY_BYTES]) -> Result<SectorCipher, CryptError> {
        let (k1, k2) = key.split_at(XTS_KEY_BYTES / 2);
        if k1 == k2 {
            return Err(CryptError::EqualKeyHalves);
        }
        let mut key1: [u8; 32] = k1.try_into().expect("half key");
        let mut key2: [u8; 32] = k2.try_into().expect("half key");
        let xts = Xts::new(&key1, &key2);
        key1.zeroize();
        key2.zeroize();
        Ok(SectorCipher { xts })
    }

    /// Encrypts whole sectors in place; `buf` starts at sector `first_sector` of the device.
    pub fn encrypt_sectors(&self, first_sector: u64, buf: &mut [u8]) {
        assert_eq!(buf.len() % SECTOR_SIZE, 0, "sector cipher takes whole sectors");
        self.xts.encrypt_units(first_sector as u128, SECTOR_SIZE, buf);
    }

    /// Decrypts whole sectors in place; the inverse of [`SectorCipher::encrypt_sectors`].
    pub fn decrypt_sectors(&self, first_sector: u64, buf: &mut [u8]) {
        assert_eq!(buf.len() % SECTOR_SIZE, 0, "sector cipher takes whole sectors");
        self.xts.decrypt_units(first_sector as u128, SECTOR_SIZE, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_key_halves_are_refused() {
        let mut key = [0x5au8; XTS_KEY_BYTES];
        assert_eq!(SectorCipher::new(&key).err(), Some(CryptError::EqualKeyHalves));
        key[63] ^= 1;
        assert!(SectorCipher::new(&key).is_ok());
    }

    #[test]
    #[cfg(target_arch = "x86_64")]
    fn the_fast_engine_is_chosen_where_the_cpu_has_it() {
        let cipher = SectorCipher::new(&core::array::from_fn(|i| i as u8)).unwrap();
        let expected = if vaes::available() { "avx512-vaes" } else { "aes-crate" };
        assert_eq!(cipher.engine(), expected);
        assert_eq!(engine_here(), expected, "what --version says is what a key gets");
    }

    #[test]
    fn sector_number_is_the_tweak() {
        let mut key = [0u8; XTS_KEY_BYTES];
        for (i, b) in key.iter_mut().enumerate() {
            *b = i as u8;
        }
        let cipher = SectorCipher::new(&key).unwrap();
        let plain = vec![7u8; 2 * SECTOR_SIZE];
        let mut two = plain.clone();
        cipher.encrypt_sectors(10, &mut two);
        // The same plaintext in two sectors encrypts differently.
        assert_ne!(two[..SECTOR_SIZE], two[SECTOR_SIZE..]);
        // Sector 11 alone encrypts as the second half of the pair.
        let mut one = vec![7u8; SECTOR_SIZE];
        cipher.encrypt_sectors(11, &mut one);
        assert_eq!(one[..], two[SECTOR_SIZE..]);
        cipher.decrypt_sectors(10, &mut two);
        assert_eq!(two, plain);
    }
}

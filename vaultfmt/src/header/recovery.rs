//! The recovery key: 128 random bits, shown once at init as eight groups of six digits.
//!
//! Each group is one 16-bit piece of the key multiplied by 11 (0 to 720885), so every group is
//! divisible by 11: a mistyped digit is caught in the group where it was made, before any slow
//! key derivation runs. (BitLocker's recovery passwords use the same construction.)

use thiserror::Error;

use crate::secret::{Locked, random_key};

pub const RECOVERY_KEY_BYTES: usize = 16;
const GROUPS: usize = 8;

/// A recovery key in locked memory.
pub struct RecoveryKey {
    bytes: Locked<[u8; RECOVERY_KEY_BYTES]>,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum RecoveryKeyError {
    #[error("a recovery key has 8 groups of 6 digits; this has {0} groups")]
    GroupCount(usize),
    #[error("group {0} of the recovery key is not 6 digits")]
    GroupLength(usize),
    #[error("group {0} of the recovery key has a typing mistake (it fails its check)")]
    GroupCheck(usize),
}

impl RecoveryKey {
    pub fn generate() -> RecoveryKey {
        RecoveryKey { bytes: random_key() }
    }

    pub fn as_bytes(&self) -> &[u8; RECOVERY_KEY_BYTES] {
        &self.bytes
    }

    /// Reads the digit groups, with any spaces or dashes between them.
    pub fn parse(text: &str) -> Result<RecoveryKey, RecoveryKeyError> {
        let groups: Vec<&str> =
            text.split(|c: char| c.is_whitespace() || c == '-').filter(|g| !g.is_empty()).collect();
        if groups.len() != GROUPS {
            return Err(RecoveryKeyError::GroupCount(groups.len()));
        }
        let mut bytes = Locked::new([0u8; RECOVERY_KEY_BYTES]);
        for (i, group) in groups.iter().enumerate() {
            if group.len() != 6 || !group.bytes().all(|b| b.is_ascii_digit()) {
                return Err(RecoveryKeyError::GroupLength(i + 1));
            }
            let value: u32 = group.parse().expect("six digits");
            if !value.is_multiple_of(11) || value / 11 > u16::MAX as u32 {
                return Err(RecoveryKeyError::GroupCheck(i + 1));
            }
            bytes[2 * i..2 * i + 2].copy_from_slice(&((value / 11) as u16).to_le_bytes());
        }
        Ok(RecoveryKey { bytes })
    }

    /// The key as the user writes it down: `123456-234567-…`, eight groups.
    pub fn display(&self) -> zeroize::Zeroizing<String> {
        let mut out = zeroize::Zeroizing::new(String::with_capacity(GROUPS * 7));
        for (i, pair) in self.bytes.chunks_exact(2).enumerate() {
            if i > 0 {
                out.push('-');
            }
            let value = u16::from_le_bytes([pair[0], pair[1]]) as u32 * 11;
            out.push_str(&format!("{value:06}"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_parse_round_trip() {
        for _ in 0..100 {
            let key = RecoveryKey::generate();
            let text = key.display();
            assert_eq!(text.len(), 8 * 6 + 7);
            assert_eq!(RecoveryKey::parse(&text).unwrap().as_bytes(), key.as_bytes());
            let spaced = text.replace('-', " ");
            assert_eq!(RecoveryKey::parse(&spaced).unwrap().as_bytes(), key.as_bytes());
        }
    }

    #[test]
    fn typing_mistakes_are_caught_in_their_group() {
        let key = RecoveryKey::generate();
        let text = key.display().to_string();
        let mut digits: Vec<u8> = text.clone().into_bytes();
        // Change one digit of group 3 (bytes 14..20) to another digit.
        digits[16] = if digits[16] == b'9' { b'0' } else { digits[16] + 1 };
        let typo = String::from_utf8(digits).unwrap();
        assert_eq!(RecoveryKey::parse(&typo).err(), Some(RecoveryKeyError::GroupCheck(3)));
        assert_eq!(RecoveryKey::parse(&text[..text.len() - 7]).err(), Some(RecoveryKeyError::GroupCount(7)));
        let short = text.replacen('-', "", 1);
        assert!(RecoveryKey::parse(&short).is_err());
    }
}

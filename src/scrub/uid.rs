//! UIDs replaced deterministically: the same original UID and the same secret always give the
//! same new UID, so a study scrubbed in two runs keeps one StudyInstanceUID and its series stay
//! together, and every reference to a UID (in sequences too) follows it.
//!
//! A new UID is `2.25.` and a 128-bit number (ISO/IEC 9834-8, the form DICOM allows without a
//! registered root): 96 bits of keyed BLAKE3 of the original, then 32 bits of keyed BLAKE3 of
//! those 96. The last 32 bits let a UID this secret made be recognised and left alone, so that
//! scrubbing a scrubbed file again changes nothing.

/// The secret UIDs (and date offsets) are made with: one per vault.
#[derive(Clone)]
pub struct ScrubKey(pub [u8; 32]);

impl ScrubKey {
    fn hash(&self, domain: &[u8], data: &[u8]) -> [u8; 32] {
        let mut h = blake3::Hasher::new_keyed(&self.0);
        h.update(&(domain.len() as u32).to_le_bytes());
        h.update(domain);
        h.update(data);
        *h.finalize().as_bytes()
    }

    fn mark(&self, high: &[u8]) -> [u8; 4] {
        self.hash(b"vault uid mark", high)[..4].try_into().expect("4 bytes")
    }

    /// True when this key made `uid`.
    pub fn made(&self, uid: &str) -> bool {
        let Some(n) = uid.strip_prefix("2.25.").and_then(|d| d.parse::<u128>().ok()) else { return false };
        let bytes = n.to_be_bytes();
        bytes[12..] == self.mark(&bytes[..12])
    }

    /// The new UID for `uid` (an empty one stays empty; one this key made stays as it is).
    pub fn uid(&self, uid: &str) -> String {
        let uid = uid.trim_end_matches(['\0', ' ']);
        if uid.is_empty() || self.made(uid) {
            return uid.to_string();
        }
        let mut bytes = [0u8; 16];
        bytes[..12].copy_from_slice(&self.hash(b"vault uid", uid.as_bytes())[..12]);
        let mark = self.mark(&bytes[..12]);
        bytes[12..].copy_from_slice(&mark);
        format!("2.25.{}", u128::from_be_bytes(bytes))
    }

    /// Days to shift a patient's dates by: 1 to 10 years back, the same for every file of the
    /// patient (keyed by what identifies the patient in the original).
    pub fn date_offset(&self, patient: &str) -> i64 {
        let h = self.hash(b"vault date shift", patient.as_bytes());
        -(365 + (u64::from_le_bytes(h[..8].try_into().expect("8 bytes")) % 3288) as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uids_are_deterministic_valid_and_recognised() {
        let key = ScrubKey([7; 32]);
        let a = key.uid("1.2.826.0.1.3680043.10.999.1");
        assert_eq!(a, key.uid("1.2.826.0.1.3680043.10.999.1\0"));
        assert_ne!(a, key.uid("1.2.826.0.1.3680043.10.999.2"));
        assert_ne!(a, ScrubKey([8; 32]).uid("1.2.826.0.1.3680043.10.999.1"));
        assert!(a.len() <= 64 && a.starts_with("2.25.") && !a[5..].starts_with('0'));
        assert!(a.chars().all(|c| c.is_ascii_digit() || c == '.'));
        assert_eq!(key.uid(&a), a, "a UID this key made is left alone");
        assert!(!ScrubKey([8; 32]).made(&a));
        assert_eq!(key.uid(""), "");
        let offset = key.date_offset("MADEUP-1");
        assert!((-3653..=-365).contains(&offset));
        assert_eq!(offset, key.date_offset("MADEUP-1"));
    }
}

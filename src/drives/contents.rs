//! What a device already holds, from its first bytes: a vault, a partition table, a
//! filesystem, an encrypted container, or unknown data. Pure: bytes in, description out.
//!
//! Used before formatting: `vault init` refuses to overwrite something without confirmation
//! and says what it would destroy.

/// How many leading bytes [`describe`] looks at.
pub const PROBE_BYTES: usize = 1 << 20;

/// (offset, signature, what it means) — the common ones on external drives.
const SIGNATURES: &[(usize, &[u8], &str)] = &[
    (0, b"VAULTHDR", "a vault"),
    (0, b"LUKS\xba\xbe", "a LUKS encrypted container"),
    (0, b"SKUL\xba\xbe", "a LUKS2 encrypted container"),
    (512, b"EFI PART", "a GPT partition table"),
    (3, b"NTFS    ", "an NTFS filesystem"),
    (3, b"EXFAT   ", "an exFAT filesystem"),
    (82, b"FAT32   ", "a FAT32 filesystem"),
    (54, b"FAT16   ", "a FAT16 filesystem"),
    (54, b"FAT12   ", "a FAT12 filesystem"),
    (1080, b"\x53\xef", "an ext2/3/4 filesystem"),
    (0, b"XFSB", "an XFS filesystem"),
    (65600, b"_BHRfS_M", "a Btrfs filesystem"),
    (1024, b"H+", "an HFS+ filesystem"),
    (1024, b"HX", "an HFSX filesystem"),
    (32, b"NXSB", "an APFS container"),
    (32769, b"CD001", "an ISO 9660 image"),
];

/// Describes what the bytes from the start of a device hold, or `None` when they are all zero.
pub fn describe(head: &[u8]) -> Option<String> {
    for (offset, magic, what) in SIGNATURES {
        if head.get(*offset..offset + magic.len()) == Some(*magic) {
            return Some(what.to_string());
        }
    }
    // An MBR: the 0x55AA boot signature with at least one partition entry in use.
    if head.len() >= 512 && head[510..512] == [0x55, 0xaa] && head[446..510].iter().any(|&b| b != 0) {
        return Some("an MBR partition table".to_string());
    }
    if head.iter().any(|&b| b != 0) {
        return Some(format!(
            "data of an unknown kind in its first {} KiB",
            head.len().min(PROBE_BYTES) / 1024
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_what_drives_hold() {
        let mut head = vec![0u8; PROBE_BYTES];
        assert_eq!(describe(&head), None);
        head[1080..1082].copy_from_slice(&[0x53, 0xef]);
        assert_eq!(describe(&head).unwrap(), "an ext2/3/4 filesystem");
        let mut mbr = vec![0u8; PROBE_BYTES];
        mbr[510] = 0x55;
        mbr[511] = 0xaa;
        mbr[450] = 0x0c;
        assert_eq!(describe(&mbr).unwrap(), "an MBR partition table");
        let mut vault = vec![0u8; 4096];
        vault[..8].copy_from_slice(b"VAULTHDR");
        assert_eq!(describe(&vault).unwrap(), "a vault");
        let mut noise = vec![0u8; 8192];
        noise[5000] = 1;
        assert!(describe(&noise).unwrap().starts_with("data of an unknown kind"));
    }
}

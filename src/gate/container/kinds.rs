//! What kind of container bytes are: signatures and the checks that keep a chance match from
//! counting.

use super::*;

/// The end of a zip's central directory within reach of the end (a zip's comment is at most
/// 65535 bytes), whose comment runs exactly to the end and whose directory lies before it:
/// where readers look, whatever comes before. (A program that merely holds the signature among
/// its constants has no such record.)
pub(super) fn zip_end(bytes: &[u8]) -> bool {
    let from = bytes.len().saturating_sub(65535 + 22);
    let tail = &bytes[from..bytes.len().saturating_sub(18).max(from)];
    memchr::memmem::find_iter(tail, b"PK\x05\x06").map(|i| from + i).any(|at| {
        let r = &bytes[at..];
        if r.len() < 22 {
            return false;
        }
        let u16_at = |i: usize| u16::from_le_bytes([r[i], r[i + 1]]) as usize;
        let u32_at = |i: usize| u32::from_le_bytes(r[i..i + 4].try_into().expect("4 bytes")) as usize;
        let (cd_size, cd_offset, comment) = (u32_at(12), u32_at(16), u16_at(20));
        at + 22 + comment == bytes.len() && (cd_size <= at || cd_offset == u32::MAX as usize)
    })
}

/// A tar header at the start: ustar's magic, or (old V7 and GNU headers) a valid checksum.
pub(super) fn tar_header(bytes: &[u8]) -> bool {
    (bytes.len() >= 262 && &bytes[257..262] == b"ustar") || tar_checksum(bytes)
}

/// A tar header at the start whose form and checksum are right.
pub(super) fn tar_checksum(bytes: &[u8]) -> bool {
    let Some(h) = bytes.get(..512) else { return false };
    // The header's form: a printable name, octal numbers (mode, size, checksum) padded with
    // spaces or NULs; then the checksum.
    let octal = |f: &[u8]| f.iter().all(|&b| (b'0'..=b'7').contains(&b) || b == b' ' || b == 0);
    let name_end = h[..100].iter().position(|&b| b == 0).unwrap_or(100);
    let printable =
        name_end > 0 && h[..name_end].iter().all(|&b| b.is_ascii_graphic() || b == b' ' || b >= 0x80);
    if !printable || !octal(&h[100..108]) || !octal(&h[124..136]) || !octal(&h[148..156]) {
        return false;
    }
    let field = &h[148..156];
    let digits: Vec<u8> = field.iter().copied().filter(|b| (b'0'..=b'7').contains(b)).collect();
    if digits.is_empty() {
        return false;
    }
    let Ok(stated) = u32::from_str_radix(std::str::from_utf8(&digits).unwrap_or("x"), 8) else {
        return false;
    };
    // Unsigned, as POSIX says; signed, as old tars wrote it and GNU tar still accepts.
    let field = |i: usize, b: u8| if (148..156).contains(&i) { 32 } else { i64::from(b) };
    let unsigned: i64 = h.iter().enumerate().map(|(i, &b)| field(i, b)).sum();
    let signed: i64 = h
        .iter()
        .enumerate()
        .map(|(i, &b)| if (148..156).contains(&i) { 32 } else { i64::from(b as i8) })
        .sum();
    i64::from(stated) == unsigned || i64::from(stated) == signed.rem_euclid(1 << 24)
}

/// An .lzma (LZMA alone) header: properties, a dictionary of a usual size, a plausible length.
pub(super) fn lzma_header(bytes: &[u8]) -> bool {
    let Some(h) = bytes.get(..13) else { return false };
    let dict = u32::from_le_bytes(h[1..5].try_into().expect("4 bytes"));
    let len = u64::from_le_bytes(h[5..13].try_into().expect("8 bytes"));
    let usual_dict = (10..=31).any(|n: u32| dict == 1 << n || dict == (1u32 << n).wrapping_add(1 << (n - 1)));
    let plausible_len = len == u64::MAX || len <= (bytes.len() as u64).saturating_mul(MAX_RATIO).max(MIN_CAP);
    h[0] < 225 && usual_dict && plausible_len
}

/// Lines of the base64 alphabet (standard or URL-safe) and nothing else (no spaces: prose is not
/// base64), long enough to hold a file.
pub(super) fn base64_text(bytes: &[u8]) -> bool {
    bytes.len() >= 180
        && bytes.iter().all(|&b| {
            b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_' | b'=' | b'\n' | b'\r')
        })
}

/// Lines of hex digits and nothing else, an even count of them, long enough to hold a file.
pub(super) fn hex_text(bytes: &[u8]) -> bool {
    // The test that fails on the first byte of a binary file first: the count reads them all.
    bytes.iter().all(|&b| b.is_ascii_hexdigit() || b == b'\n' || b == b'\r') && {
        let digits = unbroken(bytes).count();
        digits >= 360 && digits.is_multiple_of(2)
    }
}

/// Text without its line breaks: what a hex decoder reads.
pub(super) fn unbroken(text: &[u8]) -> impl Iterator<Item = u8> + '_ {
    text.iter().copied().filter(|&b| b != b'\n' && b != b'\r')
}

/// A zlib stream's two-byte header: deflate with a window up to 32 KiB, its check bits right.
pub(super) fn zlib_header(bytes: &[u8]) -> bool {
    bytes.len() > 2 && bytes[0] == 0x78 && u16::from_be_bytes([bytes[0], bytes[1]]).is_multiple_of(31)
}

/// Every kind of container the bytes could be taken for (a polyglot is more than one).
pub fn kinds(bytes: &[u8]) -> Vec<Kind> {
    let mut out = Vec::new();
    let starts = |sig: &[u8]| bytes.starts_with(sig);
    if starts(&[0x1f, 0x8b]) {
        out.push(Kind::Gzip);
    }
    if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") || starts(b"PK\x07\x08") || zip_end(bytes) {
        out.push(Kind::Zip);
    }
    if starts(b"PK\x03\x04") {
        out.push(Kind::ZipLocal);
    }
    if tar_header(bytes) {
        out.push(Kind::Tar);
    }
    if starts(&[0xFD, b'7', b'z', b'X', b'Z', 0]) {
        out.push(Kind::Xz);
    }
    if lzma_header(bytes) {
        out.push(Kind::Lzma);
    }
    if starts(b"LZIP") {
        out.push(Kind::Lzip);
    }
    if bytes.len() >= 4 && starts(b"BZh") && (b'1'..=b'9').contains(&bytes[3]) {
        out.push(Kind::Bzip2);
    }
    if starts(&[0x28, 0xB5, 0x2F, 0xFD])
        || (bytes.len() >= 4 && (bytes[0] & 0xF0) == 0x50 && bytes[1..4] == [0x2A, 0x4D, 0x18])
    {
        out.push(Kind::Zstd);
    }
    if starts(&[0x04, 0x22, 0x4D, 0x18]) {
        out.push(Kind::Lz4);
    }
    let at = |offset: usize, sig: &[u8]| bytes.get(offset..offset + sig.len()) == Some(sig);
    // The volume recognition sequence from sector 16: ISO 9660 descriptors (CD001), UDF's
    // (BEA01, NSR02, NSR03), a boot record (El Torito).
    let descriptors: Vec<&[u8]> = (16..64).filter_map(|s| bytes.get(s * 2048..s * 2048 + 40)).collect();
    let udf = descriptors.iter().any(|d| matches!(&d[1..6], b"NSR02" | b"NSR03" | b"BEA01"));
    let boot = descriptors
        .iter()
        .any(|d| d[0] == 0 && &d[1..6] == b"CD001" && &d[7..30] == b"EL TORITO SPECIFICATION");
    if udf {
        out.push(Kind::Unsupported("UDF disc image"));
    } else if boot {
        out.push(Kind::Unsupported("bootable disc image"));
    } else if at(0x8001, b"CD001") {
        out.push(Kind::Iso9660);
    }
    // Disk and filesystem images: files inside vault does not read.
    let at_end = |sig: &[u8]| bytes.len() >= 512 && bytes[bytes.len() - 512..].starts_with(sig);
    for (found, name) in [
        (
            at(1080, &[0x53, 0xEF]) && bytes.get(1024..1028).is_some_and(|c| c != [0; 4]),
            "ext2/3/4 filesystem image",
        ),
        (at(3, b"NTFS    "), "NTFS filesystem image"),
        (at(510, &[0x55, 0xAA]) && (at(54, b"FAT") || at(82, b"FAT32")), "FAT filesystem image"),
        (at(510, &[0x55, 0xAA]) && at(512, b"EFI PART"), "partitioned disk image (GPT)"),
        (
            at(510, &[0x55, 0xAA])
                && bytes.get(446).is_some_and(|&b| b == 0x80 || b == 0)
                && bytes.get(450).is_some_and(|&b| b != 0),
            "partitioned disk image (MBR)",
        ),
        (at(1024, b"H+\0\x04") || at(1024, b"HX\0\x05"), "HFS+ filesystem image"),
        (at(32, b"NXSB"), "APFS container"),
        (at(0, b"XFSB"), "XFS filesystem image"),
        (at(0x10040, b"_BHRfS_M"), "Btrfs filesystem image"),
        (at(0, b"hsqs") || at(0, b"sqsh"), "squashfs image"),
        (at(0, b"QFI\xfb"), "qcow2 disk image"),
        (at(0x40, &[0x7F, 0x10, 0xDA, 0xBE]), "VirtualBox disk image"),
        (at(0, b"conectix") || at_end(b"conectix"), "VHD disk image"),
        (at(0, b"vhdxfile"), "VHDX disk image"),
        (at(0, b"KDMV") || at(0, b"# Disk DescriptorFile"), "VMDK disk image"),
        (at(0, b"MSWIM\0\0\0"), "WIM image"),
    ] {
        if found {
            out.push(Kind::Unsupported(name));
        }
    }
    if starts(b"070701")
        || starts(b"070702")
        || starts(b"070707")
        || starts(&[0xC7, 0x71])
        || starts(&[0x71, 0xC7])
    {
        out.push(Kind::Cpio);
    }
    if starts(b"!<arch>\n") {
        out.push(Kind::Ar);
    }
    if base64_text(bytes) {
        out.push(Kind::Base64);
    }
    if hex_text(bytes) {
        out.push(Kind::Hex);
    }
    if zlib_header(bytes) {
        out.push(Kind::Zlib);
    }
    for (sig, name) in [
        (&b"7z\xBC\xAF\x27\x1C"[..], "7z"),
        (b"Rar!\x1A\x07", "rar"),
        (b"MSCF\0\0\0\0", "cab"),
        (&[0x1F, 0x9D][..], "compress (.Z)"),
        (&[0x02, 0x21, 0x4C, 0x18][..], "lz4 (legacy)"),
        (&b"\x89LZO\0\r\n\x1a\n"[..], "lzop"),
    ] {
        if starts(sig) {
            out.push(Kind::Unsupported(name));
        }
    }
    // LHA (`-lh5-` and its kin after a header's size and check bytes).
    if bytes.get(2..4) == Some(b"-l")
        && bytes.get(6) == Some(&b'-')
        && matches!(bytes.get(4), Some(b'h' | b'z'))
    {
        out.push(Kind::Unsupported("lha"));
    }
    if bytes.len() >= 512 && bytes[bytes.len() - 512..].starts_with(b"koly") {
        out.push(Kind::Unsupported("Apple disk image"));
    }
    out
}

//! Containers a study can arrive in are opened: every member passes the gate as a file of its
//! own. Compressed streams (gzip, xz, lzma, lzip, bzip2, zstd, lz4), archives (zip — also with
//! bytes in front of it —, tar of every member type and header form, cpio in its three forms,
//! ar), disc images (ISO 9660, every tree: a patient CD) and base64 text. A container vault
//! cannot open (7z, rar, cab, compress, UDF and bootable discs, disk and filesystem images,
//! Apple disk images) is refused naming its format, never passed as "not DICOM".
//!
//! Bounds keep a bomb from being expanded: at most [`MAX_DEPTH`] containers inside each other;
//! a member may expand at most [`MAX_RATIO`] times its compressed size (or [`MIN_CAP`], if
//! more); all members of one file, at every depth together, at most [`MAX_RATIO`] times the
//! file's own size (or [`MIN_CAP`]) and never past [`MAX_EXPANDED`]; decoders' dictionaries
//! and windows are held to [`MAX_WINDOW`]. Past a bound
//! the container is refused, not expanded further. Members are expanded one at a time and
//! dropped once checked; members of stored formats (tar, cpio, ar, ISO) are slices of the input.
//!
//! cpio and ISO 9660 are read here by hand: the `cpio` crate reads one of cpio's three forms,
//! and an ISO reader over a slice is a few dozen lines whose every record is held to the image's
//! bounds, with no allocation sized by what the image declares.

use std::io::Read;

use super::Reason;

pub const MAX_DEPTH: usize = 4;
pub const MAX_EXPANDED: u64 = 4 << 30;
pub const MAX_RATIO: u64 = 200;
/// The largest dictionary or window a decoder may ask for.
pub const MAX_WINDOW: u64 = 64 << 20;
/// What any member may expand to whatever its ratio (a zero-filled image compresses a
/// thousandfold and is no bomb): memory this much is no danger.
pub const MIN_CAP: u64 = 64 << 20;

/// What kind of container the bytes are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Gzip,
    Zip,
    /// A zip read as streaming readers do: local headers one after another from the first,
    /// whatever the central directory lists (or whether there is one).
    ZipLocal,
    /// One zip member read from its local header alone, as a file carver takes it out.
    ZipEntry,
    Tar,
    Xz,
    Lzma,
    Lzip,
    Bzip2,
    Zstd,
    Lz4,
    Iso9660,
    Cpio,
    Ar,
    /// Base64 text (lines of the base64 alphabet only, the URL-safe one too, padded or not):
    /// what it decodes to.
    Base64,
    /// Hexadecimal text (lines of hex digits only): what it decodes to.
    Hex,
    /// A bare zlib stream (RFC 1950), as programs write them without gzip's header.
    Zlib,
    /// A container vault does not open: refused, named.
    Unsupported(&'static str),
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Gzip => "gzip",
            Kind::Zip => "zip",
            Kind::ZipLocal => "zip (local headers)",
            Kind::ZipEntry => "zip member",
            Kind::Tar => "tar",
            Kind::Xz => "xz",
            Kind::Lzma => "lzma",
            Kind::Lzip => "lzip",
            Kind::Bzip2 => "bzip2",
            Kind::Zstd => "zstd",
            Kind::Lz4 => "lz4",
            Kind::Iso9660 => "ISO 9660",
            Kind::Cpio => "cpio",
            Kind::Ar => "ar",
            Kind::Base64 => "base64",
            Kind::Hex => "hex",
            Kind::Zlib => "zlib",
            Kind::Unsupported(name) => name,
        }
    }
}

/// The end of a zip's central directory within reach of the end (a zip's comment is at most
/// 65535 bytes), whose comment runs exactly to the end and whose directory lies before it:
/// where readers look, whatever comes before. (A program that merely holds the signature among
/// its constants has no such record.)
fn zip_end(bytes: &[u8]) -> bool {
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
fn tar_header(bytes: &[u8]) -> bool {
    (bytes.len() >= 262 && &bytes[257..262] == b"ustar") || tar_checksum(bytes)
}

/// A tar header at the start whose form and checksum are right.
fn tar_checksum(bytes: &[u8]) -> bool {
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
fn lzma_header(bytes: &[u8]) -> bool {
    let Some(h) = bytes.get(..13) else { return false };
    let dict = u32::from_le_bytes(h[1..5].try_into().expect("4 bytes"));
    let len = u64::from_le_bytes(h[5..13].try_into().expect("8 bytes"));
    let usual_dict = (10..=31).any(|n: u32| dict == 1 << n || dict == (1u32 << n).wrapping_add(1 << (n - 1)));
    let plausible_len = len == u64::MAX || len <= (bytes.len() as u64).saturating_mul(MAX_RATIO).max(MIN_CAP);
    h[0] < 225 && usual_dict && plausible_len
}

/// Lines of the base64 alphabet (standard or URL-safe) and nothing else (no spaces: prose is not
/// base64), long enough to hold a file.
fn base64_text(bytes: &[u8]) -> bool {
    bytes.len() >= 180
        && bytes.iter().all(|&b| {
            b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'-' | b'_' | b'=' | b'\n' | b'\r')
        })
}

/// Lines of hex digits and nothing else, an even count of them, long enough to hold a file.
fn hex_text(bytes: &[u8]) -> bool {
    // The test that fails on the first byte of a binary file first: the count reads them all.
    bytes.iter().all(|&b| b.is_ascii_hexdigit() || b == b'\n' || b == b'\r') && {
        let digits = unbroken(bytes).count();
        digits >= 360 && digits.is_multiple_of(2)
    }
}

/// Text without its line breaks: what a hex decoder reads.
fn unbroken(text: &[u8]) -> impl Iterator<Item = u8> + '_ {
    text.iter().copied().filter(|&b| b != b'\n' && b != b'\r')
}

/// A zlib stream's two-byte header: deflate with a window up to 32 KiB, its check bits right.
fn zlib_header(bytes: &[u8]) -> bool {
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

/// The budget of one check: bytes that may still be expanded.
pub struct Budget {
    pub left: u64,
}

impl Budget {
    /// The budget for checking a file of `len` bytes.
    pub fn for_input(len: usize) -> Budget {
        Budget { left: (len as u64).saturating_mul(MAX_RATIO).clamp(MIN_CAP, MAX_EXPANDED) }
    }
}

pub fn refusal(rule: &'static str, location: &str, detail: &'static str) -> Reason {
    Reason {
        rule,
        tag: String::new(),
        keyword: String::new(),
        location: location.to_string(),
        detail,
        option: None,
        region: None,
    }
}

/// A name a container carries beside its members' bytes (a member's path, a link's target, an
/// owner, a gzip's stored file name, a disc's labels), judged as the text of a value the profile
/// keeps (`Family^Given`, a labelled field, a title and a name), with underscores read as the
/// spaces they stand for and UCS-2's zero bytes dropped. `what` says which name; the reason never
/// holds it, and its location stops at the container.
pub fn judge_name(name: &[u8], location: &str, what: &'static str) -> Result<(), Reason> {
    let text: Vec<u8> = name.iter().filter(|&&b| b != 0).map(|&b| if b == b'_' { b' ' } else { b }).collect();
    match super::shape::find(&text, super::shape::Strength::Labels) {
        Some(_) => Err(refusal("identity-in-name", location, what)),
        None => Ok(()),
    }
}

/// Expands one member: at most its ratio bound and what is left of the budget. The reason
/// names the bound that stopped it, or says the member could not be read.
pub(super) fn expand(
    r: impl Read,
    compressed: u64,
    budget: &mut Budget,
    location: &str,
) -> Result<Vec<u8>, Reason> {
    match expand_partly(r, compressed, budget, location)? {
        (out, true) => Ok(out),
        (_, false) => Err(refusal("unreadable-archive", location, "a member cannot be read")),
    }
}

/// [`expand`], keeping what a stream that fails part way decoded before it failed: (the bytes,
/// whether the stream read to its end — its checks passed).
fn expand_partly(
    mut r: impl Read,
    compressed: u64,
    budget: &mut Budget,
    location: &str,
) -> Result<(Vec<u8>, bool), Reason> {
    let ratio_cap = compressed.max(1).saturating_mul(MAX_RATIO).max(MIN_CAP);
    let cap = ratio_cap.min(budget.left);
    let mut out = Vec::new();
    // `read_to_end` keeps what it read before an error.
    let read = r.by_ref().take(cap + 1).read_to_end(&mut out);
    if out.len() as u64 > cap {
        let rule = if cap == ratio_cap { "archive-ratio" } else { "archive-too-large" };
        return Err(refusal(rule, location, ""));
    }
    budget.left -= out.len() as u64;
    Ok((out, read.is_ok()))
}

/// What each member is handed to: (name, bytes, budget).
pub type Each<'e> = dyn FnMut(&str, &[u8], &mut Budget) + 'e;

/// Calls `each` with every member of a container, one at a time, or returns the reason the
/// container is refused (members before it have been seen already).
pub fn for_each_member(
    kind: Kind,
    bytes: &[u8],
    location: &str,
    budget: &mut Budget,
    each: &mut Each<'_>,
) -> Result<(), Reason> {
    let unreadable = |detail| refusal("unreadable-archive", location, detail);
    let whole = bytes.len() as u64;
    let mut stream = |name: &str, r: &mut dyn Read, budget: &mut Budget| -> Result<(), Reason> {
        let data = expand(r, whole, budget, location)?;
        each(name, &data, budget);
        Ok(())
    };
    match kind {
        Kind::Gzip => {
            // Member after member, as `gunzip` reads them, their contents one file. Each header's
            // extra field is bytes any reader can take out (read as a member; refused when it
            // holds text) and its comment free text `gzip -lv` shows (refused). The original file
            // name is a name, as a member's is.
            let mut rest = bytes;
            let mut content = Vec::new();
            loop {
                let mut member = flate2::bufread::GzDecoder::new(rest);
                content.extend(expand(&mut member, whole, budget, location)?);
                if let Some(header) = member.header() {
                    gzip_header(header, true, location, budget, each)?;
                }
                rest = member.into_inner();
                if !rest.starts_with(&[0x1f, 0x8b]) {
                    break;
                }
            }
            // Zeros pad a gzip to a tape's block; anything else after it `gunzip` skips.
            if rest.iter().any(|&b| b != 0) {
                return Err(unreadable("data after the end of the archive"));
            }
            each("(gunzip)", &content, budget);
        }
        Kind::Bzip2 => stream("(bunzip2)", &mut bzip2::read::MultiBzDecoder::new(bytes), budget)?,
        Kind::Xz => stream("(unxz)", &mut xz_reader(bytes, true), budget)?,
        Kind::Lzma => {
            // The .lzma header is thirteen bytes of numbers, no magic: other files can start like
            // one. What does not decode is not taken for lzma (a dictionary past the bound is
            // refused all the same).
            let limit_kb = (MAX_WINDOW >> 10) as u32;
            let dict = u32::from_le_bytes(bytes[1..5].try_into().expect("4 bytes"));
            if u64::from(dict) > MAX_WINDOW {
                return Err(refusal("archive-too-large", location, "an lzma dictionary past the bound"));
            }
            let Ok(mut r) = lzma_rust2::LzmaReader::new_mem_limit(bytes, limit_kb, None) else {
                return Ok(());
            };
            match expand(&mut r, whole, budget, location) {
                Ok(data) => each("(unlzma)", &data, budget),
                Err(reason) if reason.rule == "unreadable-archive" => {}
                Err(reason) => return Err(reason),
            }
        }
        Kind::Lzip => {
            // The dictionary size (byte 5) is held to the bound before a decoder allocates it.
            let b = *bytes.get(5).ok_or_else(|| unreadable("a truncated lzip header"))?;
            let base = 1u64 << (b & 0x1F);
            let dict = base - (base / 16) * u64::from(b >> 5);
            if dict > MAX_WINDOW {
                return Err(refusal("archive-too-large", location, "an lzip dictionary past the bound"));
            }
            stream("(lunzip)", &mut lzma_rust2::LzipReader::new(bytes), budget)?
        }
        Kind::Zstd => {
            let mut rest = bytes;
            while !rest.is_empty() {
                let mut d =
                    ruzstd::decoding::StreamingDecoder::new_with_max_window_size(&mut rest, MAX_WINDOW)
                        .map_err(|_| {
                            unreadable("a zstd frame this reader refuses (or a window past the bound)")
                        })?;
                stream("(unzstd)", &mut d, budget)?;
            }
        }
        Kind::Lz4 => {
            // Frames one after another, as `lz4 -d` reads them.
            let mut rest: &[u8] = bytes;
            while rest.starts_with(&[0x04, 0x22, 0x4D, 0x18]) {
                let before = rest.len();
                let mut d = lz4_flex::frame::FrameDecoder::new(rest);
                stream("(unlz4)", &mut d, budget)?;
                rest = d.into_inner();
                if rest.len() == before {
                    break;
                }
            }
        }
        Kind::Tar => tar_members(bytes, location, budget, each)?,
        Kind::Zip => {
            let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
                .map_err(|_| unreadable("not a zip it can read"))?;
            if !archive.comment().is_empty() {
                return Err(refusal("archive-text", location, "a zip archive's comment"));
            }
            // Where each member's header and data lie: the bytes between them are read too.
            let mut held = Vec::with_capacity(archive.len() + 1);
            held.push((archive.central_directory_start(), whole));
            for i in 0..archive.len() {
                let file =
                    archive.by_index(i).map_err(|_| unreadable("a member it cannot read (encrypted?)"))?;
                let data_end =
                    file.data_start().unwrap_or(file.header_start()).saturating_add(file.compressed_size());
                held.push((file.header_start(), data_end));
                if !file.comment_raw().is_empty() {
                    return Err(refusal("archive-text", location, "a zip member's comment"));
                }
                zip_extra(&file, location)?;
                judge_name(file.name_raw(), location, "a zip member's name")?;
                if file.is_dir() {
                    continue;
                }
                let name = file.name().map(|n| n.to_string()).unwrap_or_default();
                let compressed = file.compressed_size();
                let data = expand(file, compressed, budget, location)?;
                each(&name, &data, budget);
            }
            between_members(bytes, held, budget, each);
        }
        Kind::ZipEntry => unreachable!("a zip member alone is read by `carve`"),
        Kind::ZipLocal => {
            let mut rest = std::io::Cursor::new(bytes);
            loop {
                let before = rest.position();
                match zip::read::read_zipfile_from_stream(&mut rest) {
                    Ok(Some(file)) => {
                        zip_extra(&file, location)?;
                        judge_name(file.name_raw(), location, "a zip member's name")?;
                        let name = file.name().map(|n| n.to_string()).unwrap_or_default();
                        let compressed = file.compressed_size().max(1);
                        if file.is_dir() {
                            continue;
                        }
                        match expand(file, compressed, budget, location) {
                            Ok(data) => each(&name, &data, budget),
                            // A member this reading cannot follow (see below): it stops here.
                            Err(r) if r.rule == "unreadable-archive" => break,
                            Err(r) => return Err(r),
                        }
                    }
                    // The central directory (or the end): the local headers are all read.
                    Ok(None) => break,
                    // A member streaming readers cannot read either (stored, with its size in a
                    // data descriptor): they stop there, and so does this reading (the central
                    // directory's reading has the members).
                    Err(_) => break,
                }
                if rest.position() == before {
                    break;
                }
            }
        }
        Kind::Ar => {
            let mut archive = ar::Archive::new(bytes);
            while let Some(entry) = archive.next_entry() {
                let entry = entry.map_err(|_| unreadable("a member it cannot read"))?;
                judge_name(entry.header().identifier(), location, "an ar member's name")?;
                let name = String::from_utf8_lossy(entry.header().identifier()).into_owned();
                let size = entry.header().size();
                let data = expand(entry, size, budget, location)?;
                each(&name, &data, budget);
            }
        }
        Kind::Cpio => cpio_members(bytes, location, budget, each)?,
        Kind::Base64 => {
            for (_, data) in super::in_text::decodings(bytes) {
                each("(base64)", &data, budget);
            }
        }
        Kind::Hex => {
            let digits: Vec<u8> = unbroken(bytes).collect();
            each("(hex)", &super::textcodes::pairs(&digits), budget);
        }
        Kind::Zlib => {
            // Two bytes say little: what does not inflate is not taken for zlib.
            match expand(flate2::read::ZlibDecoder::new(bytes), whole, budget, location) {
                Ok(data) => each("(zlib)", &data, budget),
                Err(reason) if reason.rule == "unreadable-archive" => {}
                Err(reason) => return Err(reason),
            }
        }
        Kind::Iso9660 => iso_members(bytes, location, budget, each)?,
        Kind::Unsupported(name) => {
            let _ = name;
            return Err(refusal("unsupported-container", location, kind.name()));
        }
    }
    Ok(())
}

/// Bytes a zip reader skips between its members (or before its first, or before its central
/// directory) that a carver does not: read as a file of their own (`(between members)`), where
/// the gate searches them. The few bytes of a data descriptor after a member's data, and zeros,
/// are not.
fn between_members(bytes: &[u8], mut held: Vec<(u64, u64)>, budget: &mut Budget, each: &mut Each<'_>) {
    /// A zip64 data descriptor with its signature.
    const DESCRIPTOR: u64 = 24;
    held.sort_unstable();
    let mut at = 0u64;
    for (start, end) in held {
        if start > at.saturating_add(DESCRIPTOR)
            && let Some(gap) = bytes.get(at as usize..start as usize)
            && gap.iter().any(|&b| b != 0)
        {
            each("(between members)", gap, budget);
        }
        at = at.max(end);
    }
}

/// A gzip header's stored file name is a name, as a member's is; its comment is free text
/// `gzip -lv` shows (refused); its extra field is bytes any reader can take out (read as a
/// member, refused when it holds text).
fn gzip_header(
    header: &flate2::GzHeader,
    whole: bool,
    location: &str,
    budget: &mut Budget,
    each: &mut Each<'_>,
) -> Result<(), Reason> {
    if let Some(name) = header.filename() {
        judge_name(name, location, "a gzip header's file name")?;
    }
    // Free text is judged where the stream read to a good check (`whole`): a carved signature
    // may be chance, and its "comment" or "extra field" the bytes that follow.
    if !whole {
        return Ok(());
    }
    if header.comment().is_some_and(|c| !c.is_empty()) {
        return Err(refusal("archive-text", location, "a gzip header's comment"));
    }
    if let Some(extra) = header.extra() {
        if super::longest_text(extra) >= super::HIDDEN_TEXT {
            return Err(refusal("archive-text", location, "text in a gzip header's extra field"));
        }
        let extra = extra.to_vec();
        each("(gzip extra field)", &extra, budget);
    }
    Ok(())
}

/// An xz reader whose dictionaries are held to [`MAX_WINDOW`].
/// `streams`: every stream one after another, as `xz -d` reads a file; or the first alone, as a
/// carver takes one out of other bytes.
fn xz_reader(bytes: &[u8], streams: bool) -> lzma_rust2::XzReader<&[u8]> {
    lzma_rust2::XzReader::new_mem_limit(bytes, streams, (MAX_WINDOW >> 10) as u32)
}

/// At most this many containers found part way into one file's bytes are read; more are refused.
pub const MAX_CARVED: usize = 64;

/// The signatures a file carver looks for part way into bytes, and what it takes each for.
const CARVED: &[(&[u8], Kind)] = &[
    (b"PK\x03\x04", Kind::ZipEntry),
    (&[0x1f, 0x8b, 0x08], Kind::Gzip),
    (b"ustar", Kind::Tar),
    (b"BZh", Kind::Bzip2),
    (&[0xFD, b'7', b'z', b'X', b'Z', 0], Kind::Xz),
    (&[0x28, 0xB5, 0x2F, 0xFD], Kind::Zstd),
    (&[0x04, 0x22, 0x4D, 0x18], Kind::Lz4),
    (b"LZIP\x01", Kind::Lzip),
    (b"07070", Kind::Cpio),
    (b"7z\xBC\xAF\x27\x1C", Kind::Unsupported("7z")),
    (b"Rar!\x1A\x07", Kind::Unsupported("rar")),
    (b"MSCF\0\0\0\0", Kind::Unsupported("cab")),
];

fn crc32(data: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(data);
    crc.sum()
}

/// Where the container whose signature `kind`'s stands at `p` begins, when the bytes after the
/// signature fit it, so that a signature standing by chance in pixel data or compressed bytes is
/// seldom taken for one: a zip member's version and method; gzip's flags, extra flags and
/// system; bzip2's block magic; xz's header check; lz4's version; cpio's hex header; a tar
/// header's checksum; 7z's start header check; rar's first header. Where the bytes stop short of
/// what would tell (a piece of a file looked at piece by piece), the signature counts.
fn carved_at(bytes: &[u8], p: usize, kind: Kind) -> Option<usize> {
    let at = |i: usize| bytes.get(p + i).copied();
    let fits = |i: usize, ok: &dyn Fn(u8) -> bool| at(i).is_none_or(ok);
    let le16 = |i: usize| Some(u16::from_le_bytes([at(i)?, at(i + 1)?]));
    let le32 = |i: usize| Some(u32::from_le_bytes(bytes.get(p + i..p + i + 4)?.try_into().ok()?));
    let checked =
        |crc_at: usize, from: usize, len: usize| match (le32(crc_at), bytes.get(p + from..p + from + len)) {
            (Some(crc), Some(data)) => crc32(data) == crc,
            _ => true,
        };
    let ok = match kind {
        Kind::ZipEntry => {
            fits(4, &|v| v <= 63)
                && fits(5, &|v| v == 0)
                && le16(8).is_none_or(|m| matches!(m, 0 | 8 | 9 | 12 | 14 | 93 | 95 | 98 | 99))
        }
        Kind::Gzip => {
            fits(3, &|f| f & 0xE0 == 0)
                && fits(8, &|x| matches!(x, 0 | 2 | 4))
                && fits(9, &|os| os <= 13 || os == 255)
        }
        Kind::Bzip2 => {
            fits(3, &|b| (b'1'..=b'9').contains(&b))
                && bytes.get(p + 4..p + 10).is_none_or(|m| m == b"1AY&SY")
        }
        Kind::Xz => checked(8, 6, 2),
        Kind::Lz4 => fits(4, &|flg| flg >> 6 == 1),
        Kind::Cpio => {
            fits(5, &|f| f == b'1' || f == b'2')
                && bytes
                    .get(p + 6..(p + 110).min(bytes.len()))
                    .is_none_or(|h| h.iter().all(u8::is_ascii_hexdigit))
        }
        Kind::Tar => {
            return if p >= 257 {
                let header = &bytes[p - 257..];
                (header.len() < 512 || tar_checksum(header)).then(|| p - 257)
            } else {
                Some(0)
            };
        }
        Kind::Unsupported("7z") => checked(8, 12, 20),
        Kind::Unsupported("rar") => match at(6) {
            // RAR 4: the archive header (type 0x73) after the marker, its CRC's low half.
            Some(0) => {
                fits(9, &|t| t == 0x73) && {
                    match (le16(7), le16(12)) {
                        (Some(crc), Some(size)) if size >= 7 => {
                            bytes.get(p + 9..p + 7 + usize::from(size)).is_none_or(|h| crc32(h) as u16 == crc)
                        }
                        (Some(_), Some(_)) => false,
                        _ => true,
                    }
                }
            }
            // RAR 5: a header whose CRC32 covers its size and itself.
            // RAR 5: a header whose CRC32 covers its size (one byte, here) and itself.
            Some(1) => {
                fits(7, &|z| z == 0)
                    && match at(12) {
                        Some(size) if size < 0x80 => checked(8, 12, 1 + usize::from(size)),
                        _ => true,
                    }
            }
            None => true,
            _ => false,
        },
        _ => true,
    };
    ok.then_some(p)
}

/// Where a container begins part way into bytes that are not one themselves (after a made-up
/// header, in a DICOM file's pixel data, before other bytes): each place a file carver (binwalk,
/// foremost, `7z` when it scans a file) would take one out, and the kind it would take. A zip
/// is found member by member (each local header); a tar by its ustar magic and its checksum;
/// streams by their signatures; each where the bytes after the signature fit it ([`carved_at`]).
pub fn embedded(bytes: &[u8]) -> Vec<(usize, Kind)> {
    let mut out: Vec<(usize, Kind)> = CARVED
        .iter()
        .flat_map(|&(sig, kind)| {
            memchr::memmem::find_iter(bytes, sig)
                .filter_map(move |p| Some((carved_at(bytes, p, kind)?, kind)))
        })
        .filter(|&(start, _)| start > 0)
        .collect();
    out.sort_by_key(|&(p, _)| p);
    out
}

/// True when a piece of a file's middle holds a signature [`embedded`] would look at (one cut
/// at the piece's edge counts): then the whole file is read.
pub fn signature_in(piece: &[u8]) -> bool {
    CARVED.iter().any(|&(sig, kind)| {
        memchr::memmem::find_iter(piece, sig).any(|p| carved_at(piece, p, kind).is_some())
    })
}

/// Reads a container found part way into a file ([`embedded`]), starting at `bytes[0]`, as a
/// carver does: what decodes counts (a stream cut short, or followed by other bytes, gives
/// what it decoded), and what does not decode is taken for no container (its signature may be
/// chance). Bounds are held as [`for_each_member`] holds them and names judged as it judges
/// them; a gzip header's free text is judged where its stream reads to a good check. A zip
/// member or xz stream whose header fits ([`carved_at`]) but that cannot be read is refused.
pub fn carve(
    kind: Kind,
    bytes: &[u8],
    location: &str,
    budget: &mut Budget,
    each: &mut Each<'_>,
) -> Result<(), Reason> {
    let whole = bytes.len() as u64;
    let mut stream = |name: &str, r: &mut dyn Read, budget: &mut Budget| -> Result<(), Reason> {
        let (data, _) = expand_partly(r, whole, budget, location)?;
        if !data.is_empty() {
            each(name, &data, budget);
        }
        Ok(())
    };
    let unreadable = |detail| refusal("unreadable-archive", location, detail);
    match kind {
        Kind::Gzip => {
            let mut member = flate2::bufread::GzDecoder::new(bytes);
            let (data, whole) = expand_partly(&mut member, whole, budget, location)?;
            if let Some(header) = member.header() {
                gzip_header(header, whole, location, budget, each)?;
            }
            if !data.is_empty() {
                each("(gunzip)", &data, budget);
            }
        }
        Kind::Bzip2 => stream("(bunzip2)", &mut bzip2::read::BzDecoder::new(bytes), budget)?,
        Kind::Xz => {
            // Its header's check passed ([`carved_at`]): an xz stream, which is read to its end
            // or refused (cut short, or a dictionary past the bound), what it gave read first.
            let (data, whole) = expand_partly(&mut xz_reader(bytes, false), whole, budget, location)?;
            if !data.is_empty() {
                each("(unxz)", &data, budget);
            }
            if !whole {
                return Err(unreadable("an xz stream it cannot read to its end"));
            }
        }
        Kind::Zstd => {
            let mut rest = bytes;
            if let Ok(mut d) =
                ruzstd::decoding::StreamingDecoder::new_with_max_window_size(&mut rest, MAX_WINDOW)
            {
                stream("(unzstd)", &mut d, budget)?;
            }
        }
        Kind::ZipEntry => {
            // Its version and method fit ([`carved_at`]): a member this reader cannot read
            // (encrypted, its sizes after its data, a method it lacks) is refused, as it is at a
            // file's start.
            let mut at = std::io::Cursor::new(bytes);
            match zip::read::read_zipfile_from_stream(&mut at) {
                Ok(Some(file)) => {
                    zip_extra(&file, location)?;
                    judge_name(file.name_raw(), location, "a zip member's name")?;
                    let name = file.name().map(|n| n.to_string()).unwrap_or_default();
                    if !file.is_dir() {
                        let compressed = file.compressed_size().max(1);
                        let (data, _) = expand_partly(file, compressed, budget, location)?;
                        if !data.is_empty() {
                            each(&name, &data, budget);
                        }
                    }
                }
                Ok(None) => {}
                Err(_) => {
                    return Err(unreadable(
                        "a zip member it cannot read (encrypted, or its sizes after its data?)",
                    ));
                }
            }
        }
        other => match for_each_member(other, bytes, location, budget, each) {
            Err(r) if r.rule == "unreadable-archive" => {}
            done => return done,
        },
    }
    Ok(())
}

/// A zip member's extra fields (in its local header, and the directory's) are numbers: times,
/// owners, sizes. Text there (an extra field of a writer's own, Info-ZIP's Unicode path or
/// comment) is refused.
fn zip_extra<R: Read + ?Sized>(file: &zip::read::ZipFile<'_, R>, location: &str) -> Result<(), Reason> {
    let extra = file.extra_data().unwrap_or_default();
    if super::longest_text(&extra) >= super::HIDDEN_TEXT {
        return Err(refusal("archive-text", location, "text in a zip member's extra field"));
    }
    Ok(())
}

/// The pax records (POSIX.1-2001 and the extensions GNU tar, star and libarchive write) that say
/// what a member is: a name, an owner, a time, a size, a sparse map, an access control list or
/// a system's extended attribute. Any other record (a `comment`, a writer's own keyword, a
/// user's extended attribute) is free text the archive carries beside its members.
fn pax_record(key: &[u8], value: &[u8], location: &str) -> Result<(), Reason> {
    const KEYS: &[&[u8]] = &[
        b"atime",
        b"charset",
        b"ctime",
        b"gid",
        b"gname",
        b"hdrcharset",
        b"linkpath",
        b"mtime",
        b"path",
        b"size",
        b"uid",
        b"uname",
    ];
    const PREFIXES: &[&[u8]] = &[
        b"GNU.sparse.",
        b"GNU.volume.",
        b"SCHILY.dev",
        b"SCHILY.ino",
        b"SCHILY.nlink",
        b"SCHILY.fflags",
        b"SCHILY.acl.",
        b"SCHILY.xattr.security.",
        b"SCHILY.xattr.system.",
        b"SCHILY.xattr.trusted.",
        b"LIBARCHIVE.creationtime",
        b"LIBARCHIVE.xattr.security.",
        b"LIBARCHIVE.xattr.system.",
        b"RHT.security.",
        b"security.",
        b"realtime.",
    ];
    if matches!(key, b"path" | b"linkpath" | b"uname" | b"gname" | b"GNU.sparse.name") {
        return judge_name(value, location, "a pax header's name, link or owner");
    }
    if value.is_empty() || KEYS.contains(&key) || PREFIXES.iter().any(|p| key.starts_with(p)) {
        return Ok(());
    }
    Err(refusal(
        "archive-text",
        location,
        "a pax header's record of free text (a comment, a keyword of its own)",
    ))
}

/// Every member of a tar archive that carries data, whatever its type says: GNU tar extracts a
/// member of a type it does not know as a plain file, so the gate reads it as one too. A pax
/// sparse member (GNU.sparse.*, formats 0.0, 0.1 and 1.0) is read as GNU tar restores it.
fn tar_members(bytes: &[u8], location: &str, budget: &mut Budget, each: &mut Each<'_>) -> Result<(), Reason> {
    let unreadable = |detail| refusal("unreadable-archive", location, detail);
    let mut archive = tar::Archive::new(bytes);
    // Where the last member's data ends: after it, only the end-of-archive blocks' zeros (`tar
    // -i` reads members past them).
    let mut end = 0u64;
    for entry in archive.entries().map_err(|_| unreadable("not a tar it can read"))? {
        let mut entry = entry.map_err(|_| unreadable("a header it cannot read"))?;
        let data_end = entry.raw_file_position().saturating_add(entry.header().entry_size().unwrap_or(0));
        let block_end = data_end.checked_next_multiple_of(512).unwrap_or(u64::MAX);
        end = end.max(block_end);
        // What pads the member's last block (zeros, as tar writes it) is bytes a carver reads.
        if let Some(pad) = bytes.get(data_end as usize..block_end as usize)
            && pad.iter().any(|&b| b != 0)
        {
            each("(padding)", pad, budget);
        }
        judge_name(&entry.path_bytes(), location, "a tar member's name")?;
        if let Some(target) = entry.link_name_bytes() {
            judge_name(&target, location, "a tar link's target")?;
        }
        for owner in [entry.header().username_bytes(), entry.header().groupname_bytes()].into_iter().flatten()
        {
            judge_name(owner, location, "a tar member's owner")?;
        }
        // Whatever the type says, data that is there is read (7z extracts a link's data too),
        // a folder's as well (its header may carry a size, and the data follow it).
        if entry.size() == 0 {
            continue;
        }
        let mut sparse: Vec<(String, String)> = Vec::new();
        if let Ok(Some(pax)) = entry.pax_extensions() {
            for ext in pax.flatten() {
                pax_record(ext.key_bytes(), ext.value_bytes(), location)?;
                if let (Ok(k), Ok(v)) = (ext.key(), ext.value())
                    && k.starts_with("GNU.sparse.")
                {
                    sparse.push((k.to_string(), v.to_string()));
                }
            }
        }
        let name = sparse
            .iter()
            .find(|(k, _)| k == "GNU.sparse.name")
            .map(|(_, v)| v.clone())
            .or_else(|| entry.path().ok().map(|p| p.display().to_string()))
            .unwrap_or_default();
        // Stored, not compressed: a member is as large as its header says (a sparse one may
        // expand, within the ratio).
        let stored = entry.header().entry_size().unwrap_or(0).max(1);
        let data = expand(&mut entry, stored, budget, location)?;
        if sparse.is_empty() {
            each(&name, &data, budget);
        } else {
            let restored = pax_sparse(&sparse, &data, stored, budget)
                .ok_or_else(|| unreadable("a sparse member it cannot restore"))?;
            each(&name, &restored, budget);
        }
    }
    if bytes.get(end as usize..).is_some_and(|rest| rest.iter().any(|&b| b != 0)) {
        return Err(unreadable("data after the end of the archive"));
    }
    Ok(())
}

/// A pax sparse member as GNU tar restores it: its data blocks at the offsets its map gives (in
/// the header for formats 0.0 and 0.1, at the start of the data for 1.0), zeros between.
fn pax_sparse(keys: &[(String, String)], data: &[u8], stored: u64, budget: &mut Budget) -> Option<Vec<u8>> {
    let get = |k: &str| keys.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    let num = |s: &str| s.trim().parse::<u64>().ok();
    let real = num(get("GNU.sparse.realsize").or(get("GNU.sparse.size"))?)?;
    let mut map: Vec<(u64, u64)> = Vec::new();
    let mut body = data;
    match (get("GNU.sparse.major"), get("GNU.sparse.minor")) {
        (Some("1"), Some("0")) => {
            // Decimal lines: the count, then offset and size pairs; padded to 512 bytes.
            let mut lines = data.split(|&b| b == b'\n');
            let mut next = || std::str::from_utf8(lines.next()?).ok().and_then(num);
            let count = next()?;
            for _ in 0..count.min(1 << 20) {
                map.push((next()?, next()?));
            }
            let text_len: usize = {
                let mut n = 0;
                let mut seen = 0;
                for (i, &b) in data.iter().enumerate() {
                    if b == b'\n' {
                        seen += 1;
                        if seen == 1 + 2 * count as usize {
                            n = i + 1;
                            break;
                        }
                    }
                }
                n
            };
            body = data.get(text_len.next_multiple_of(512)..)?;
        }
        _ => {
            if let Some(m) = get("GNU.sparse.map") {
                let nums: Vec<u64> = m.split(',').map(num).collect::<Option<_>>()?;
                map = nums.chunks(2).filter(|c| c.len() == 2).map(|c| (c[0], c[1])).collect();
            } else {
                let offsets: Vec<u64> = keys
                    .iter()
                    .filter(|(k, _)| k == "GNU.sparse.offset")
                    .filter_map(|(_, v)| num(v))
                    .collect();
                let sizes: Vec<u64> = keys
                    .iter()
                    .filter(|(k, _)| k == "GNU.sparse.numbytes")
                    .filter_map(|(_, v)| num(v))
                    .collect();
                map = offsets.into_iter().zip(sizes).collect();
            }
        }
    }
    let cap = stored.saturating_mul(MAX_RATIO).min(budget.left);
    if real > cap {
        return None;
    }
    let mut out = vec![0u8; real as usize];
    let mut pos = 0usize;
    for (offset, size) in map {
        let (o, n) = (usize::try_from(offset).ok()?, usize::try_from(size).ok()?);
        let src = body.get(pos..pos.checked_add(n)?)?;
        out.get_mut(o..o.checked_add(n)?)?.copy_from_slice(src);
        pos += n;
    }
    budget.left -= real;
    Some(out)
}

/// cpio: "newc" and "crc" (`070701`, `070702`: hex fields, 4-byte alignment), "odc" (`070707`:
/// octal fields) and the old binary form (either byte order, 2-byte alignment).
fn cpio_members(
    bytes: &[u8],
    location: &str,
    budget: &mut Budget,
    each: &mut Each<'_>,
) -> Result<(), Reason> {
    let bad = || refusal("unreadable-archive", location, "a cpio header it cannot read");
    let field = |at: usize, len: usize, radix: u32| -> Result<usize, Reason> {
        let s = bytes.get(at..at + len).ok_or_else(bad)?;
        usize::from_str_radix(std::str::from_utf8(s).map_err(|_| bad())?, radix).map_err(|_| bad())
    };
    let mut pos = 0;
    let _ = budget;
    loop {
        let head = bytes.get(pos..pos + 6).ok_or_else(bad)?;
        let (name_at, name_len, size, align, data_align) = if head == b"070701" || head == b"070702" {
            (pos + 110, field(pos + 94, 8, 16)?, field(pos + 54, 8, 16)?, 4, 4)
        } else if head == b"070707" {
            (pos + 76, field(pos + 59, 6, 8)?, field(pos + 65, 11, 8)?, 1, 1)
        } else if head[..2] == [0xC7, 0x71] || head[..2] == [0x71, 0xC7] {
            let h = bytes.get(pos..pos + 26).ok_or_else(bad)?;
            let word = |i: usize| {
                if head[0] == 0xC7 {
                    u16::from_le_bytes([h[i], h[i + 1]])
                } else {
                    u16::from_be_bytes([h[i], h[i + 1]])
                }
            };
            let size = (usize::from(word(22)) << 16) | usize::from(word(24));
            (pos + 26, usize::from(word(20)), size, 2, 2)
        } else {
            return Err(bad());
        };
        let name_end = name_at.checked_add(name_len).filter(|&e| e <= bytes.len()).ok_or_else(bad)?;
        let name_bytes = &bytes[name_at..name_end];
        let name = String::from_utf8_lossy(name_bytes.strip_suffix(&[0]).unwrap_or(name_bytes)).into_owned();
        let data_at = name_end.next_multiple_of(align).min(bytes.len());
        let data_end = data_at.checked_add(size).filter(|&e| e <= bytes.len()).ok_or_else(bad)?;
        if name == "TRAILER!!!" {
            // Only padding may follow (the kernel reads archives one after another).
            if bytes[data_end..].iter().any(|&b| b != 0) {
                return Err(refusal("unreadable-archive", location, "data after the trailer"));
            }
            return Ok(());
        }
        judge_name(name.as_bytes(), location, "a cpio member's name")?;
        if size > 0 {
            each(&name, &bytes[data_at..data_end], budget);
        }
        pos = data_end.next_multiple_of(data_align);
    }
}

/// ISO 9660: the primary volume descriptor's root, then every directory record, each extent
/// held to the image (a directory visited twice, or deeper than 16, ends the walk).
fn iso_members(bytes: &[u8], location: &str, budget: &mut Budget, each: &mut Each<'_>) -> Result<(), Reason> {
    const SECTOR: usize = 2048;
    let bad = || refusal("unreadable-archive", location, "an ISO 9660 record it cannot read");
    let u32le = |b: &[u8], at: usize| -> Result<usize, Reason> {
        Ok(u32::from_le_bytes(b.get(at..at + 4).ok_or_else(bad)?.try_into().expect("4 bytes")) as usize)
    };
    // The primary volume descriptor (type 1) and any supplementary ones (type 2: Joliet),
    // among the descriptors from sector 16: every tree is walked (a file may be in one only).
    let mut roots = Vec::new();
    for sector in 16..64 {
        let d = bytes.get(sector * SECTOR..(sector + 1) * SECTOR).ok_or_else(bad)?;
        if &d[1..6] != b"CD001" {
            return Err(bad());
        }
        match d[0] {
            1 | 2 => {
                // The volume's labels (system, volume, set, publisher, preparer, application,
                // and the copyright, abstract and bibliographic file names).
                for (from, to) in [(8, 72), (190, 702), (702, 776)] {
                    judge_name(&d[from..to], location, "a disc's volume label or publisher")?;
                }
                roots.push(d[156..190].to_vec())
            }
            255 => break,
            _ => {}
        }
    }
    if roots.is_empty() {
        return Err(bad());
    }
    let extent = |record: &[u8]| -> Result<(usize, usize), Reason> {
        let lba = u32le(record, 2)?;
        let len = u32le(record, 10)?;
        let start = lba.checked_mul(SECTOR).ok_or_else(bad)?;
        let end = start.checked_add(len).filter(|&e| e <= bytes.len()).ok_or_else(bad)?;
        Ok((start, end))
    };
    let mut seen = std::collections::BTreeSet::new();
    let mut seen_files = std::collections::BTreeSet::new();
    let mut stack = Vec::new();
    for root in &roots {
        stack.push((extent(root)?, String::new(), 0usize));
    }
    while let Some(((start, end), path, depth)) = stack.pop() {
        if depth > 16 || !seen.insert(start) {
            continue;
        }
        let mut pos = start;
        while pos < end {
            let len = usize::from(bytes[pos]);
            if len == 0 {
                // Records do not cross sectors: the rest of this one is padding.
                pos = (pos / SECTOR + 1) * SECTOR;
                continue;
            }
            let record = bytes.get(pos..pos + len).filter(|_| pos + len <= end).ok_or_else(bad)?;
            pos += len;
            let name_len = usize::from(*record.get(32).ok_or_else(bad)?);
            let name = record.get(33..33 + name_len).ok_or_else(bad)?;
            if name == [0] || name == [1] {
                continue; // "." and ".."
            }
            judge_name(name, location, "a disc's file or folder name")?;
            // The system use area: Rock Ridge's and others' entries (an alternate name, `NM`).
            judge_name(&record[33 + name_len..], location, "a disc's file or folder name")?;
            let name = format!("{path}{}", String::from_utf8_lossy(name));
            let (s, e) = extent(record)?;
            if record[25] & 0x02 != 0 {
                stack.push(((s, e), format!("{name}/"), depth + 1));
            } else if e > s && seen_files.insert((s, e)) {
                each(&name, &bytes[s..e], budget);
            }
        }
    }
    Ok(())
}

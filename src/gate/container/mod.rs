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

mod carve;
mod kinds;
mod stored;

pub use carve::{CARVED, MAX_CARVED, carve, carved_at, embedded};
pub use kinds::kinds;
use kinds::unbroken;
use stored::{cpio_members, iso_members, tar_members, zip_extra};

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
/// keeps (`Family^Given`, a labelled field, a title and a name, a bare name, a street, an NHS
/// number in its groups), with underscores read as the spaces they stand for and UCS-2's zero
/// bytes dropped. `what` says which name; the reason never holds it, and its location stops at
/// the container.
pub fn judge_name(name: &[u8], location: &str, what: &'static str) -> Result<(), Reason> {
    match super::names::shape_of(name) {
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
        if super::runs::has_text(extra) {
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

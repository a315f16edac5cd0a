//! Containers that begin part way into other bytes, as a file carver finds them.

use super::kinds::tar_checksum;
use super::*;

/// At most this many containers found part way into one file's bytes are read; more are refused.
pub const MAX_CARVED: usize = 64;

/// The signatures a file carver looks for part way into bytes, and what it takes each for.
pub const CARVED: &[(&[u8], Kind)] = &[
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

pub(super) fn crc32(data: &[u8]) -> u32 {
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
pub fn carved_at(bytes: &[u8], p: usize, kind: Kind) -> Option<usize> {
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
                    let readable = matches!(
                        file.compression(),
                        zip::CompressionMethod::Stored | zip::CompressionMethod::Deflated
                    );
                    if !file.is_dir() && !readable {
                        return Err(unreadable("a zip member compressed by a method vault does not read"));
                    }
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

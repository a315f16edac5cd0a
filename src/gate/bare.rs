//! Compressed streams with no header to know them by: raw deflate (RFC 1951, what `zlib`'s
//! `wbits=-15` and a zip member's data are) and raw LZMA2 (`lzma --format=raw`, an xz block's
//! data), from a file's first byte. A file nothing else recognises is tried as each; what
//! decodes to its stream's end, and ends where the file does, is a member, read as a file of its
//! own. Random bytes decode so only by rare chance (a deflate stream must reach a final block's
//! end, an LZMA2 stream its end marker, at the file's last bytes), so a plain binary file costs a
//! few hundred bytes of decoding and is taken for nothing.

use std::io::Read;

use flate2::{Decompress, FlushDecompress, Status};

use super::Reason;
use super::container::{Budget, Each, MAX_RATIO, MAX_WINDOW, MIN_CAP, refusal};

/// Calls `each` with what `bytes` decode to, as raw deflate and as raw LZMA2, wherever they
/// decode to their end; or the reason they are refused (a stream that would expand past the
/// bounds).
pub fn streams(bytes: &[u8], location: &str, budget: &mut Budget, each: &mut Each<'_>) -> Result<(), Reason> {
    if let Some(data) = deflate(bytes, location, budget)? {
        each("(raw deflate)", &data, budget);
    }
    if let Some(data) = lzma2(bytes, location, budget)? {
        each("(raw lzma2)", &data, budget);
    }
    Ok(())
}

/// Bytes a stream may end before the file does: a zlib stream's checksum, a gzip trailer.
const TRAILER: usize = 8;

/// The most `bytes` may expand to: their ratio bound, and what is left of the budget.
fn cap(bytes: &[u8], budget: &Budget) -> u64 {
    (bytes.len() as u64).saturating_mul(MAX_RATIO).max(MIN_CAP).min(budget.left)
}

/// How far a raw deflate decode went.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Went {
    /// The final block ended, this many bytes in.
    Ended(usize),
    /// The input ran out before the final block ended.
    Starved,
    /// The bytes are no deflate stream (from here on).
    Failed,
    /// It decoded past the limit it was given.
    Limit,
}

/// Raw deflate from the first byte of `bytes`: what it decoded (kept when it fails part way),
/// and how far it went; at most `limit` bytes.
fn inflate(bytes: &[u8], limit: usize) -> (Vec<u8>, Went) {
    // Block type 3 does not exist: a quarter of all byte strings end here.
    if bytes.first().is_none_or(|b| (b >> 1) & 3 == 3) {
        return (Vec::new(), Went::Failed);
    }
    let mut z = Decompress::new(false);
    let mut out = Vec::with_capacity(bytes.len().min(1 << 16));
    loop {
        if out.len() == out.capacity() {
            out.reserve(out.len().max(1 << 16));
        }
        let (read, written) = (z.total_in(), z.total_out());
        let went = match z.decompress_vec(&bytes[read as usize..], &mut out, FlushDecompress::None) {
            Ok(Status::StreamEnd) => Some(Went::Ended(z.total_in() as usize)),
            Ok(_) if z.total_in() as usize == bytes.len() && z.total_out() == written => Some(Went::Starved),
            Ok(_) if z.total_in() == read && z.total_out() == written => Some(Went::Failed),
            Ok(_) => None,
            Err(_) => Some(Went::Failed),
        };
        if out.len() > limit {
            return (out, Went::Limit);
        }
        if let Some(went) = went {
            return (out, went);
        }
    }
}

/// Bytes of a made-up header a raw deflate stream is looked for after (`zlib`'s two, a
/// program's own few): from each of these offsets a stream counts when it decodes to a Part 10
/// file, whole or cut short.
const JUNK: usize = 16;

/// True when decoded bytes are a Part 10 file (its `DICM`), however much of it.
fn a_file(out: &[u8]) -> bool {
    out.get(128..132) == Some(b"DICM")
}

/// What `bytes` inflate to as raw deflate: a whole stream from the first byte to the file's
/// end, or from any of the first [`JUNK`] bytes a Part 10 file, whole or as much as decodes
/// (a stream with no final block, cut short, or with bytes after it).
fn deflate(bytes: &[u8], location: &str, budget: &mut Budget) -> Result<Option<Vec<u8>>, Reason> {
    let cap = cap(bytes, budget);
    for skip in 0..=JUNK.min(bytes.len()) {
        let rest = &bytes[skip..];
        let (out, went) = inflate(rest, usize::try_from(cap).unwrap_or(usize::MAX));
        if went == Went::Limit {
            return Err(over(cap, bytes, location));
        }
        // At the end of the file (or a checksum's or a trailer's few bytes before it): a final
        // block that random bytes reach by chance ends anywhere.
        let whole = matches!(went, Went::Ended(n) if skip == 0 && rest.len() - n <= TRAILER);
        if whole || a_file(&out) {
            budget.left -= out.len() as u64;
            return Ok(Some(out));
        }
    }
    Ok(None)
}

/// What `bytes` decode to as raw LZMA2, when they start with a chunk that resets the dictionary
/// and holds whole chunks to the end marker.
fn lzma2(bytes: &[u8], location: &str, budget: &mut Budget) -> Result<Option<Vec<u8>>, Reason> {
    let chunk = match bytes {
        // An LZMA chunk with new properties: its sizes, properties a decoder takes.
        [0xE0..=0xFF, _, _, p1, p2, props, ..] => {
            *props < 225 && usize::from(u16::from_be_bytes([*p1, *p2])) + 7 <= bytes.len()
        }
        // A stored chunk that resets the dictionary.
        [0x01, s1, s2, ..] => usize::from(u16::from_be_bytes([*s1, *s2])) + 4 <= bytes.len(),
        _ => false,
    };
    if !chunk {
        return Ok(None);
    }
    let cap = cap(bytes, budget);
    let mut rest = bytes;
    let mut reader = lzma_rust2::Lzma2Reader::new(&mut rest, MAX_WINDOW as u32, None);
    let mut out = Vec::new();
    let read = reader.by_ref().take(cap + 1).read_to_end(&mut out);
    drop(reader);
    if out.len() as u64 > cap {
        return Err(over(cap, bytes, location));
    }
    if read.is_err() || out.is_empty() || rest.len() > TRAILER {
        return Ok(None);
    }
    budget.left -= out.len() as u64;
    Ok(Some(out))
}

/// True when a file whose first bytes are `head` may be such a stream: its head decodes
/// without an error as far as it goes (a door then checks the whole file, not its head and
/// tail alone).
pub fn may_begin(head: &[u8]) -> bool {
    const ENOUGH: usize = 64 << 10;
    // From the first byte, a stream that goes on past the head (or ends at its end); from the
    // next few, one that decodes to a Part 10 file.
    let deflate = (0..=JUNK.min(head.len())).any(|skip| {
        let (out, went) = inflate(&head[skip..], ENOUGH);
        match went {
            _ if skip > 0 => a_file(&out),
            Went::Ended(n) => head.len() - n <= TRAILER || a_file(&out),
            Went::Starved | Went::Limit => true,
            Went::Failed => a_file(&out),
        }
    });
    let lzma2 = matches!(head.first(), Some(0x01 | 0xE0..=0xFF)) && {
        let mut out = Vec::new();
        let reader = lzma_rust2::Lzma2Reader::new(head, MAX_WINDOW as u32, None);
        let read = reader.take(ENOUGH as u64).read_to_end(&mut out);
        // Cut short by the head's end, having decoded as much as a stream's head holds (random
        // bytes taken for one decode a little, then fail).
        match read {
            Ok(_) => !out.is_empty(),
            Err(e) => e.kind() == std::io::ErrorKind::UnexpectedEof && out.len() >= head.len() / 2,
        }
    };
    deflate || lzma2
}

/// The bound a stream went past.
fn over(cap: u64, bytes: &[u8], location: &str) -> Reason {
    let ratio_cap = (bytes.len() as u64).saturating_mul(MAX_RATIO).max(MIN_CAP);
    refusal(if cap == ratio_cap { "archive-ratio" } else { "archive-too-large" }, location, "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn members(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
        let mut found = Vec::new();
        let mut budget = Budget::for_input(bytes.len());
        streams(bytes, "", &mut budget, &mut |name, data, _| found.push((name.to_string(), data.to_vec())))
            .unwrap();
        found
    }

    #[test]
    fn raw_streams_are_read_and_other_bytes_are_taken_for_nothing() {
        let text = b"Patient Madeup^Zelda 19710203 ".repeat(40);
        let mut raw = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        raw.write_all(&text).unwrap();
        assert_eq!(members(&raw.finish().unwrap()), [("(raw deflate)".to_string(), text.clone())]);
        // A stored chunk of LZMA2 (control byte 1, size - 1, the bytes, the end marker).
        let lzma2 = [&[1u8, 0, 255][..], &text[..256], &[0]].concat();
        assert_eq!(members(&lzma2), [("(raw lzma2)".to_string(), text[..256].to_vec())]);
        // A stream cut short, and bytes that are no stream.
        let mut raw = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        raw.write_all(&text).unwrap();
        let raw = raw.finish().unwrap();
        assert!(members(&raw[..raw.len() / 2]).is_empty());
        // A Part 10 file: after a few bytes of a made-up header, cut short, with bytes after it.
        let file = [&[0u8; 128][..], b"DICM\x02\x00\x10\x00UI\x02\x001\0", &text].concat();
        let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(&file).unwrap();
        let stream = z.finish().unwrap();
        for (what, bytes) in [
            ("after junk", [&b"JNK"[..], &stream].concat()),
            ("cut short", stream[..stream.len() - 20].to_vec()),
            ("with bytes after it", [&stream[..], &[7u8; 64]].concat()),
        ] {
            let found = members(&bytes);
            assert!(found.iter().any(|(_, d)| d.get(128..132) == Some(b"DICM")), "{what}");
            assert!(may_begin(&bytes), "{what}");
        }
        assert!(may_begin(&raw[..raw.len() / 2]), "a head of a stream");
        assert!(may_begin(&lzma2[..100]), "a head of a stream");
        let mut begins = 0;
        for seed in 0..2000 {
            let noise = crate::gate::runs::noise(4096, seed);
            assert!(members(&noise).is_empty());
            if may_begin(&noise) {
                begins += 1;
            }
        }
        assert!(begins < 20, "{begins} of 2000 random heads taken for streams");
    }
}

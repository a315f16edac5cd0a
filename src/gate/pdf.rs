//! A PDF's streams (`stream` … `endstream`): page contents, images, fonts and embedded files —
//! an attachment is a stream like the others — inflated where they are FlateDecode (zlib, as
//! almost every writer writes them) and read as files of their own. A file attached to a PDF
//! (a case report with its DICOM study) is then judged as the file it is.
//!
//! Written here rather than with a PDF library: the gate needs the streams' bytes, not the
//! document's structure, and reads them as a carver does, without trusting the cross-reference
//! table (which a crafted file can make lie).

use super::Reason;
use super::container::{Budget, expand};

/// At most this many streams of one PDF are read; more are refused, as too many files in one.
pub const MAX_STREAMS: usize = 4096;

/// Whether the bytes are a PDF: its header in the first kilobyte, as readers look for it.
pub fn is_pdf(bytes: &[u8]) -> bool {
    memchr::memmem::find(&bytes[..bytes.len().min(1024)], b"%PDF-").is_some()
}

/// Whether the bytes hold a PDF's objects with a stream among them, wherever they stand: PDF
/// readers find a document from its end (its cross-reference table), and forgive what comes
/// before its header.
pub fn has_objects(bytes: &[u8]) -> bool {
    let found = |word: &[u8]| memchr::memmem::find(bytes, word).is_some();
    found(b"endobj") && found(b"endstream")
}

/// Each stream's offset and bytes (inflated where they inflate), until `each` has seen them all
/// or a bound is passed.
pub fn streams(
    bytes: &[u8],
    location: &str,
    budget: &mut Budget,
    each: &mut dyn FnMut(usize, &[u8], &mut Budget),
) -> Result<(), Reason> {
    let mut from = 0;
    let mut n = 0;
    while let Some(at) = memchr::memmem::find(&bytes[from..], b"stream").map(|p| from + p) {
        from = at + 6;
        // `stream` then CRLF or LF, not the end of `endstream`.
        if at >= 3 && &bytes[at - 3..at] == b"end" {
            continue;
        }
        let start = match &bytes[from..] {
            [b'\r', b'\n', ..] => from + 2,
            [b'\n', ..] => from + 1,
            _ => continue,
        };
        let end = memchr::memmem::find(&bytes[start..], b"endstream").map_or(bytes.len(), |p| start + p);
        n += 1;
        if n > MAX_STREAMS {
            return Err(super::container::refusal("archive-depth", location, "too many streams in one PDF"));
        }
        let data = &bytes[start..end];
        match expand(flate2::read::ZlibDecoder::new(data), data.len() as u64, budget, location) {
            Ok(inflated) => each(start, &inflated, budget),
            Err(r) if r.rule == "unreadable-archive" => each(start, data, budget),
            Err(r) => return Err(r),
        }
        from = end;
    }
    Ok(())
}

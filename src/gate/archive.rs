//! Archives a study arrives in — zip, gzip, tar, nested — are looked into: every member passes
//! the gate as a file of its own. Bounds keep an archive bomb from being expanded: at most
//! [`MAX_DEPTH`] archives inside each other; a member may expand at most [`MAX_RATIO`] times its
//! compressed size; and all members of one file, at every depth together, at most
//! [`MAX_RATIO`] times the file's own size and never past [`MAX_EXPANDED`]. Past a bound the
//! archive is refused, not expanded further. Members are expanded one at a time and dropped
//! once checked, so memory holds at most one member per level of nesting.

use std::io::Read;

use super::Reason;

pub const MAX_DEPTH: usize = 4;
pub const MAX_EXPANDED: u64 = 4 << 30;
pub const MAX_RATIO: u64 = 200;

/// What kind of archive the bytes are, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Gzip,
    Zip,
    Tar,
}

pub fn kind(bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        Some(Kind::Gzip)
    } else if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        Some(Kind::Zip)
    } else if bytes.len() >= 262 && &bytes[257..262] == b"ustar" {
        Some(Kind::Tar)
    } else {
        None
    }
}

/// The budget of one check: bytes that may still be expanded.
pub struct Budget {
    pub left: u64,
}

impl Budget {
    /// The budget for checking a file of `len` bytes.
    pub fn for_input(len: usize) -> Budget {
        Budget { left: (len as u64).saturating_mul(MAX_RATIO).min(MAX_EXPANDED) }
    }
}

fn bound(rule: &'static str, location: &str) -> Reason {
    Reason { rule, tag: String::new(), keyword: String::new(), location: location.to_string() }
}

/// Expands one member: at most its ratio bound and what is left of the budget. The reason
/// names the bound that stopped it, or says the member could not be read.
pub(super) fn expand(
    mut r: impl Read,
    compressed: u64,
    budget: &mut Budget,
    location: &str,
) -> Result<Vec<u8>, Reason> {
    let ratio_cap = compressed.max(1).saturating_mul(MAX_RATIO);
    let cap = ratio_cap.min(budget.left);
    let mut out = Vec::new();
    r.by_ref().take(cap + 1).read_to_end(&mut out).map_err(|_| bound("unreadable-archive", location))?;
    if out.len() as u64 > cap {
        let rule = if cap == ratio_cap { "archive-ratio" } else { "archive-too-large" };
        return Err(bound(rule, location));
    }
    budget.left -= out.len() as u64;
    Ok(out)
}

/// Calls `each` with every member of an archive as (name, bytes), one at a time, or returns
/// the reason the archive is refused (members before it have been seen already).
pub fn for_each_member(
    kind: Kind,
    bytes: &[u8],
    location: &str,
    budget: &mut Budget,
    each: &mut dyn FnMut(&str, &[u8], &mut Budget),
) -> Result<(), Reason> {
    let unreadable = || bound("unreadable-archive", location);
    match kind {
        Kind::Gzip => {
            let data =
                expand(flate2::read::MultiGzDecoder::new(bytes), bytes.len() as u64, budget, location)?;
            each("(gunzip)", &data, budget);
        }
        Kind::Tar => {
            let mut archive = tar::Archive::new(bytes);
            for entry in archive.entries().map_err(|_| unreadable())? {
                let entry = entry.map_err(|_| unreadable())?;
                if !entry.header().entry_type().is_file() {
                    continue;
                }
                let name = entry.path().map(|p| p.display().to_string()).unwrap_or_default();
                // Stored, not compressed: the member is as large as its header says.
                let stored = entry.size();
                let data = expand(entry, stored, budget, location)?;
                each(&name, &data, budget);
            }
        }
        Kind::Zip => {
            let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|_| unreadable())?;
            for i in 0..archive.len() {
                let file = archive.by_index(i).map_err(|_| unreadable())?;
                if !file.is_file() {
                    continue;
                }
                let name = file.name().map(|n| n.to_string()).unwrap_or_default();
                let compressed = file.compressed_size();
                let data = expand(file, compressed, budget, location)?;
                each(&name, &data, budget);
            }
        }
    }
    Ok(())
}

//! Archives a study arrives in — zip, gzip, tar, nested — are looked into: every member passes
//! the gate as a file of its own. Bounds keep an archive bomb from being expanded: at most
//! [`MAX_DEPTH`] archives inside each other, [`MAX_EXPANDED`] bytes expanded from one file in
//! all, and a member may expand at most [`MAX_RATIO`] times its compressed size. Past a bound
//! the archive is refused, not expanded further.

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

fn bound(rule: &'static str, location: &str) -> Reason {
    Reason { rule, tag: String::new(), keyword: String::new(), location: location.to_string() }
}

/// Reads at most `limit` bytes; `Err` when there is more.
fn read_bounded(mut r: impl Read, limit: u64) -> Result<Vec<u8>, ()> {
    let mut out = Vec::new();
    r.by_ref().take(limit + 1).read_to_end(&mut out).map_err(|_| ())?;
    if out.len() as u64 > limit { Err(()) } else { Ok(out) }
}

/// The members of an archive as (name, bytes), or the reason it is refused.
pub fn members(
    kind: Kind,
    bytes: &[u8],
    location: &str,
    budget: &mut Budget,
) -> Result<Vec<(String, Vec<u8>)>, Reason> {
    let unreadable = || bound("unreadable-archive", location);
    let too_big = || bound("archive-too-large", location);
    let limit = |compressed: u64, budget: &Budget| (compressed.max(1) * MAX_RATIO).min(budget.left);
    let mut out = Vec::new();
    match kind {
        Kind::Gzip => {
            let cap = limit(bytes.len() as u64, budget);
            let data = read_bounded(flate2::read::MultiGzDecoder::new(bytes), cap)
                .map_err(|_| if cap < budget.left { bound("archive-ratio", location) } else { too_big() })?;
            budget.left -= data.len() as u64;
            out.push(("(gunzip)".to_string(), data));
        }
        Kind::Tar => {
            let mut archive = tar::Archive::new(bytes);
            for entry in archive.entries().map_err(|_| unreadable())? {
                let entry = entry.map_err(|_| unreadable())?;
                if !entry.header().entry_type().is_file() {
                    continue;
                }
                let name = entry.path().map(|p| p.display().to_string()).unwrap_or_default();
                let data = read_bounded(entry, budget.left).map_err(|_| too_big())?;
                budget.left -= data.len() as u64;
                out.push((name, data));
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
                let cap = limit(file.compressed_size(), budget);
                let data = read_bounded(file, cap).map_err(|_| {
                    if cap < budget.left { bound("archive-ratio", location) } else { too_big() }
                })?;
                budget.left -= data.len() as u64;
                out.push((name, data));
            }
        }
    }
    Ok(out)
}

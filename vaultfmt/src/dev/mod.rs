//! Block devices behind one trait: image files and real block devices (`file`), memory
//! (`mem`), and a seeded fault-injecting simulator for crash tests (`sim`).
//!
//! All I/O is in whole 4096-byte sectors at sector-aligned offsets; `flush` is the durability
//! barrier (everything written before it survives a power cut once it returns).

mod file;
mod mem;
pub mod sim;

use std::io;

use thiserror::Error;

pub use file::{Access, FileDevice};
pub use mem::MemDevice;
pub use sim::{Faults, SimDevice};

use crate::SECTOR_SIZE;

/// A device holding a vault.
pub trait BlockDevice: Send + Sync {
    /// What the user calls it (a path, or "memory"): used in every error.
    fn name(&self) -> &str;
    /// Size in bytes, as the kernel (or the image file) reports it.
    fn size(&self) -> u64;
    /// Reads whole sectors at `offset`.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), DevError>;
    /// Writes whole sectors at `offset`. Not durable until [`BlockDevice::flush`] returns.
    fn write_at(&self, offset: u64, buf: &[u8]) -> Result<(), DevError>;
    /// Makes every write before it durable (fdatasync; a cache flush on a real disk).
    fn flush(&self) -> Result<(), DevError>;
    /// True when writes are refused (opened read-only).
    fn read_only(&self) -> bool {
        false
    }
    /// Claims the device for this process: exclusively to write its store, shared to read it.
    /// Fails with [`DevError::InUse`] when another process holds a claim that conflicts; held
    /// until the device is dropped. Devices only one process can see need no claim.
    fn claim(&self, _exclusive: bool) -> Result<(), DevError> {
        Ok(())
    }
    /// Drops cached copies of `[offset, offset + len)` so the next read comes from the medium
    /// (for read-back checks). Only clean data can be dropped: flush first.
    fn drop_cache(&self, _offset: u64, _len: u64) -> Result<(), DevError> {
        Ok(())
    }
}

#[derive(Debug, Error)]
pub enum DevError {
    #[error("{device}: {op} at byte {offset}: {source}")]
    Io { device: String, op: &'static str, offset: u64, source: io::Error },
    #[error("{device}: cannot open: {source}")]
    Open { device: String, source: io::Error },
    #[error("{device}: is a folder, not a vault; give the vault's drive or image file")]
    Folder { device: String },
    #[error("{device}: {op} of {len} bytes at byte {offset} is outside the device ({size} bytes)")]
    OutOfRange { device: String, op: &'static str, offset: u64, len: usize, size: u64 },
    #[error("{device}: {op} at byte {offset} of {len} bytes is not in whole {SECTOR_SIZE}-byte sectors")]
    Unaligned { device: String, op: &'static str, offset: u64, len: usize },
    #[error("{device}: the device is gone (power cut or unplugged)")]
    Gone { device: String },
    #[error("{device}: {op} at byte {offset}: injected I/O error")]
    Injected { device: String, op: &'static str, offset: u64 },
    #[error("{device}: opened read-only")]
    ReadOnly { device: String },
    #[error(
        "{device}: in use by another vault process (mounted, or an import or mirror is running); \
         unmount it or let it finish"
    )]
    InUse { device: String },
}

impl DevError {
    /// True when the device itself has disappeared (unplugged, powered off, or an image file on
    /// a FUSE mount whose server is gone): "drive absent" applies rather than a data error.
    pub fn is_gone(&self) -> bool {
        match self {
            DevError::Gone { .. } => true,
            DevError::Io { source, .. } | DevError::Open { source, .. } => {
                matches!(
                    source.raw_os_error(),
                    Some(libc::ENODEV) | Some(libc::ENXIO) | Some(libc::ENOMEDIUM)
                ) || source.kind() == io::ErrorKind::NotFound
            }
            _ => false,
        }
    }
}

/// Checks an I/O request against the device's size and the sector rule.
pub(crate) fn check_io(
    name: &str,
    op: &'static str,
    offset: u64,
    len: usize,
    size: u64,
) -> Result<(), DevError> {
    if !offset.is_multiple_of(SECTOR_SIZE as u64) || !len.is_multiple_of(SECTOR_SIZE) {
        return Err(DevError::Unaligned { device: name.to_string(), op, offset, len });
    }
    if offset.checked_add(len as u64).is_none_or(|end| end > size) {
        return Err(DevError::OutOfRange { device: name.to_string(), op, offset, len, size });
    }
    Ok(())
}

/// A shared device is a device: a test keeps one handle on a simulator while a volume owns
/// another.
impl<T: BlockDevice + ?Sized> BlockDevice for std::sync::Arc<T> {
    fn name(&self) -> &str {
        (**self).name()
    }
    fn size(&self) -> u64 {
        (**self).size()
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), DevError> {
        (**self).read_at(offset, buf)
    }
    fn write_at(&self, offset: u64, buf: &[u8]) -> Result<(), DevError> {
        (**self).write_at(offset, buf)
    }
    fn flush(&self) -> Result<(), DevError> {
        (**self).flush()
    }
    fn read_only(&self) -> bool {
        (**self).read_only()
    }
    fn claim(&self, exclusive: bool) -> Result<(), DevError> {
        (**self).claim(exclusive)
    }
    fn drop_cache(&self, offset: u64, len: u64) -> Result<(), DevError> {
        (**self).drop_cache(offset, len)
    }
}

//! Image files and real block devices (a USB disk, a loop device), through one type.
//!
//! A block device's size comes from the kernel (`BLKGETSIZE64`). Opened for writing, a block
//! device is opened `O_EXCL`: the kernel then refuses it while a filesystem on it is mounted
//! or another program holds it exclusively, which is the guard against formatting a drive in
//! use. `flush` is `fdatasync`, which on a block device also flushes the drive's write cache.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::{FileExt, FileTypeExt, OpenOptionsExt};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};

use super::{BlockDevice, DevError, check_io};

/// How a device is opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    ReadOnly,
    ReadWrite,
}

pub struct FileDevice {
    file: File,
    name: String,
    path: PathBuf,
    size: u64,
    block: bool,
    access: Access,
}

/// `_IOR(0x12, 114, size_t)`: the size of a block device in bytes.
const BLKGETSIZE64: libc::c_ulong = 0x8008_1272;

impl FileDevice {
    /// Opens an existing image file or block device.
    pub fn open(path: &Path, access: Access) -> Result<FileDevice, DevError> {
        let name = path.display().to_string();
        let open_err = |source| DevError::Open { device: name.clone(), source };
        let meta = std::fs::metadata(path).map_err(open_err)?;
        if meta.is_dir() {
            return Err(DevError::Folder { device: name });
        }
        let block = meta.file_type().is_block_device();
        let mut options = OpenOptions::new();
        options.read(true).write(access == Access::ReadWrite);
        if block && access == Access::ReadWrite {
            options.custom_flags(libc::O_EXCL);
        }
        let file = options.open(path).map_err(open_err)?;
        let size = if block { block_device_size(&file).map_err(open_err)? } else { meta.len() };
        Ok(FileDevice { file, name, path: path.to_path_buf(), size, block, access })
    }

    /// Creates a new image file of `size` bytes (sparse); fails if the path exists.
    pub fn create_image(path: &Path, size: u64) -> Result<FileDevice, DevError> {
        let name = path.display().to_string();
        let open_err = |source| DevError::Open { device: name.clone(), source };
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(open_err)?;
        file.set_len(size).map_err(open_err)?;
        Ok(FileDevice { file, name, path: path.to_path_buf(), size, block: false, access: Access::ReadWrite })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True for a block device (a drive, a partition, a loop device), false for an image file.
    pub fn is_block_device(&self) -> bool {
        self.block
    }

    /// The underlying file, for the callers that must sync or rename it as a whole.
    pub fn file(&self) -> &File {
        &self.file
    }
}

fn block_device_size(file: &File) -> std::io::Result<u64> {
    let mut size: u64 = 0;
    // SAFETY: BLKGETSIZE64 writes one u64 through the pointer.
    let rc = unsafe { libc::ioctl(file.as_raw_fd(), BLKGETSIZE64 as _, &mut size as *mut u64) };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(size)
}

impl BlockDevice for FileDevice {
    fn name(&self) -> &str {
        &self.name
    }

    fn size(&self) -> u64 {
        self.size
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), DevError> {
        check_io(&self.name, "read", offset, buf.len(), self.size)?;
        self.file.read_exact_at(buf, offset).map_err(|source| DevError::Io {
            device: self.name.clone(),
            op: "read",
            offset,
            source,
        })
    }

    fn write_at(&self, offset: u64, buf: &[u8]) -> Result<(), DevError> {
        if self.access == Access::ReadOnly {
            return Err(DevError::ReadOnly { device: self.name.clone() });
        }
        check_io(&self.name, "write", offset, buf.len(), self.size)?;
        self.file.write_all_at(buf, offset).map_err(|source| DevError::Io {
            device: self.name.clone(),
            op: "write",
            offset,
            source,
        })
    }

    fn read_only(&self) -> bool {
        self.access == Access::ReadOnly
    }

    /// `flock`: advisory, so it guards vault against vault (a second mount, an import or a
    /// mirror while mounted), which is the danger; the kernel drops it when the process dies.
    fn claim(&self, exclusive: bool) -> Result<(), DevError> {
        let how = if exclusive { libc::LOCK_EX } else { libc::LOCK_SH };
        // SAFETY: flock on a file descriptor this value owns.
        if unsafe { libc::flock(self.file.as_raw_fd(), how | libc::LOCK_NB) } == 0 {
            return Ok(());
        }
        let source = std::io::Error::last_os_error();
        if source.raw_os_error() == Some(libc::EWOULDBLOCK) {
            return Err(DevError::InUse { device: self.name.clone() });
        }
        Err(DevError::Io { device: self.name.clone(), op: "lock", offset: 0, source })
    }

    fn drop_cache(&self, offset: u64, len: u64) -> Result<(), DevError> {
        // SAFETY: posix_fadvise on a file descriptor this value owns; it only drops clean pages.
        let rc = unsafe {
            libc::posix_fadvise(self.file.as_raw_fd(), offset as i64, len as i64, libc::POSIX_FADV_DONTNEED)
        };
        if rc != 0 {
            let source = std::io::Error::from_raw_os_error(rc);
            return Err(DevError::Io { device: self.name.clone(), op: "drop cache", offset, source });
        }
        Ok(())
    }

    fn flush(&self) -> Result<(), DevError> {
        if self.access == Access::ReadOnly {
            return Ok(());
        }
        self.file.sync_data().map_err(|source| DevError::Io {
            device: self.name.clone(),
            op: "flush",
            offset: 0,
            source,
        })
    }
}

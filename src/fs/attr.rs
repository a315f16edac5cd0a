//! Store values as FUSE sees them: attributes and error numbers.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fuser::{Errno, FileAttr, FileType, INodeNo};
use vaultfmt::store::{Inode, Kind, StoreError, Time};

pub fn file_type(kind: Kind) -> FileType {
    match kind {
        Kind::File => FileType::RegularFile,
        Kind::Dir => FileType::Directory,
        Kind::Symlink => FileType::Symlink,
    }
}

fn system_time(t: Time) -> SystemTime {
    if t.secs >= 0 {
        UNIX_EPOCH + Duration::new(t.secs as u64, t.nanos)
    } else {
        UNIX_EPOCH - Duration::new(t.secs.unsigned_abs(), 0)
    }
}

/// The preferred I/O size that `stat` reports: one chunk, so that programs that size their
/// buffers by it write whole chunks.
pub const BLKSIZE: u32 = 64 * 1024;

pub fn file_attr(ino: u64, i: &Inode) -> FileAttr {
    FileAttr {
        ino: INodeNo(ino),
        size: i.size,
        blocks: i.size.div_ceil(512),
        atime: system_time(i.atime),
        mtime: system_time(i.mtime),
        ctime: system_time(i.ctime),
        crtime: system_time(i.ctime),
        kind: file_type(i.kind),
        perm: (i.mode & 0o7777) as u16,
        nlink: i.nlink,
        uid: i.uid,
        gid: i.gid,
        rdev: 0,
        blksize: BLKSIZE,
        flags: 0,
    }
}

/// The error number for a store error.
pub fn errno(e: &StoreError) -> Errno {
    match e {
        StoreError::NotFound { .. } => Errno::ENOENT,
        StoreError::NotADirectory { .. } => Errno::ENOTDIR,
        StoreError::IsADirectory { .. } => Errno::EISDIR,
        StoreError::Exists { .. } => Errno::EEXIST,
        StoreError::NotEmpty { .. } => Errno::ENOTEMPTY,
        StoreError::InvalidName { name } if name.len() > 255 => Errno::ENAMETOOLONG,
        StoreError::InvalidName { .. } | StoreError::IntoItself { .. } => Errno::EINVAL,
        StoreError::NoSpace { .. } => Errno::ENOSPC,
        StoreError::NoAttribute { .. } => Errno::ENODATA,
        StoreError::ReadOnly => Errno::EROFS,
        _ => Errno::EIO,
    }
}

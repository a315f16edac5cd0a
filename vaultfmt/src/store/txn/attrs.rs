//! A transaction's attributes: mode, owner, times, extended attributes.

use super::{SetAttrs, Txn};
use crate::dev::BlockDevice;
use crate::store::StoreError;
use crate::store::records::{self, Inode, Time, XATTRS};

impl<'s, D: BlockDevice + 'static> Txn<'s, D> {
    /// Sets extended attribute `name`. `create`: fail if it exists; `replace`: fail if not.
    pub fn set_xattr(
        &mut self,
        ino: u64,
        name: &str,
        value: &[u8],
        create: bool,
        replace: bool,
    ) -> Result<(), StoreError> {
        self.must_inode(ino)?;
        let exists = self.xattr(ino, name)?.is_some();
        if create && exists {
            return Err(StoreError::Exists { path: format!("{} (attribute {name})", self.path_of(ino)) });
        }
        if replace && !exists {
            return Err(StoreError::NoAttribute { path: self.path_of(ino), name: name.to_string() });
        }
        let sealed = self.seal("xattrs", &records::dirent_key(ino, name), &value.to_vec());
        self.tx.open_table(XATTRS)?.insert((ino, name), sealed.as_slice())?;
        self.touch_ctime(ino)
    }

    pub fn xattr(&self, ino: u64, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.records().xattr(&self.tx.open_table(XATTRS)?, ino, name)
    }

    pub fn xattr_names(&self, ino: u64) -> Result<Vec<String>, StoreError> {
        self.records().xattr_names(&self.tx.open_table(XATTRS)?, ino)
    }

    pub fn remove_xattr(&mut self, ino: u64, name: &str) -> Result<(), StoreError> {
        if self.tx.open_table(XATTRS)?.remove((ino, name))?.is_none() {
            return Err(StoreError::NoAttribute { path: self.path_of(ino), name: name.to_string() });
        }
        self.touch_ctime(ino)
    }

    pub(super) fn touch_ctime(&mut self, ino: u64) -> Result<(), StoreError> {
        let mut inode = self.must_inode(ino)?;
        inode.ctime = Time::now();
        self.put_inode(ino, &inode)
    }

    pub fn set_attrs(&mut self, ino: u64, attrs: &SetAttrs) -> Result<Inode, StoreError> {
        let mut inode = self.must_inode(ino)?;
        if let Some(m) = attrs.mode {
            inode.mode = m & 0o7777;
        }
        if let Some(u) = attrs.uid {
            inode.uid = u;
        }
        if let Some(g) = attrs.gid {
            inode.gid = g;
        }
        if let Some(t) = attrs.atime {
            inode.atime = t;
        }
        if let Some(t) = attrs.mtime {
            inode.mtime = t;
        }
        inode.ctime = Time::now();
        self.put_inode(ino, &inode)?;
        Ok(inode)
    }

    /// What a write, a truncation by an unprivileged process or a change of owner takes from a
    /// file, as Linux filesystems do: the set-user-ID bit, the set-group-ID bit where it means
    /// one (group execute set), and file capabilities (`security.capability`). The mount asks the
    /// kernel to leave this to it (FUSE_HANDLE_KILLPRIV_V2), which spares a round trip per write.
    pub fn kill_privileges(&mut self, ino: u64) -> Result<(), StoreError> {
        let mut inode = self.must_inode(ino)?;
        let mut kill = libc::S_ISUID;
        if inode.mode & libc::S_IXGRP != 0 {
            kill |= libc::S_ISGID;
        }
        if inode.mode & kill != 0 {
            inode.mode &= !kill;
            inode.ctime = Time::now();
            self.put_inode(ino, &inode)?;
        }
        self.tx.open_table(XATTRS)?.remove((ino, "security.capability"))?;
        Ok(())
    }
}

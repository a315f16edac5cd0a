//! A transaction's names: folders and their entries, creating, linking, renaming and
//! removing, and the orphans (files unlinked while open).

use redb::ReadableTable;

use super::{ORPHANS_SETTING, Txn};
use crate::dev::BlockDevice;
use crate::store::StoreError;
use crate::store::ops::{self, DirEntry};
use crate::store::records::{self, DIRENTS, INODES, Inode, Kind, META, Time, XATTRS};

fn valid_name(name: &str) -> Result<(), StoreError> {
    if name.is_empty()
        || name == "."
        || name == ".."
        || name.contains('/')
        || name.contains('\0')
        || name.len() > 255
    {
        return Err(StoreError::InvalidName { name: name.to_string() });
    }
    Ok(())
}

impl<'s, D: BlockDevice + 'static> Txn<'s, D> {
    pub fn lookup(&self, parent: u64, name: &str) -> Result<Option<u64>, StoreError> {
        self.records().dirent(&self.tx.open_table(DIRENTS)?, parent, name)
    }

    pub fn entries(&self, dir: u64) -> Result<Vec<DirEntry>, StoreError> {
        ops::dir_entries(&self.records(), &self.tx.open_table(INODES)?, &self.tx.open_table(DIRENTS)?, dir)
    }

    pub fn resolve(&self, path: &str) -> Result<Option<u64>, StoreError> {
        ops::resolve(&self.records(), &self.tx.open_table(INODES)?, &self.tx.open_table(DIRENTS)?, path)
    }

    pub fn path_of(&self, ino: u64) -> String {
        match (self.tx.open_table(INODES), self.tx.open_table(DIRENTS)) {
            (Ok(i), Ok(d)) => ops::path_of(&self.records(), &i, &d, ino),
            _ => format!("#{ino}"),
        }
    }

    pub(super) fn child_path(&self, parent: u64, name: &str) -> String {
        ops::join_path(&self.path_of(parent), name)
    }

    pub(super) fn put_dirent(&mut self, parent: u64, name: &str, child: u64) -> Result<(), StoreError> {
        let sealed = self.seal("dirents", &records::dirent_key(parent, name), &child);
        self.tx.open_table(DIRENTS)?.insert((parent, name), sealed.as_slice())?;
        Ok(())
    }

    pub(super) fn next_inode(&mut self) -> Result<u64, StoreError> {
        let mut meta = self.tx.open_table(META)?;
        let ino = self.records().meta_u64(&meta, "next_inode")?.max(2);
        meta.insert("next_inode", self.seal("meta", b"next_inode", &(ino + 1)).as_slice())?;
        Ok(ino)
    }

    /// Creates a file, folder or symbolic link in folder `parent`.
    pub fn create(
        &mut self,
        parent: u64,
        name: &str,
        kind: Kind,
        mode: u32,
        target: Option<&str>,
    ) -> Result<u64, StoreError> {
        valid_name(name)?;
        let mut dir = self.must_inode(parent)?;
        if dir.kind != Kind::Dir {
            return Err(StoreError::NotADirectory { path: self.path_of(parent) });
        }
        if self.lookup(parent, name)?.is_some() {
            return Err(StoreError::Exists { path: self.child_path(parent, name) });
        }
        let ino = self.next_inode()?;
        let mut inode = Inode::new(kind, mode, parent);
        if let Some(t) = target {
            inode.size = t.len() as u64;
            inode.target = Some(t.to_string());
        }
        if kind == Kind::File {
            inode.content_hash = Some(*blake3::hash(b"").as_bytes());
        }
        self.put_inode(ino, &inode)?;
        self.put_dirent(parent, name, ino)?;
        if kind == Kind::Dir {
            dir.nlink += 1;
        }
        dir.mtime = Time::now();
        dir.ctime = dir.mtime;
        self.put_inode(parent, &dir)?;
        Ok(ino)
    }

    /// Creates every missing folder of `path` (like `mkdir -p`); returns the last one.
    pub fn mkdir_all(&mut self, path: &str, mode: u32) -> Result<u64, StoreError> {
        let mut at = records::ROOT;
        for part in path.split('/').filter(|p| !p.is_empty() && *p != ".") {
            at = match self.lookup(at, part)? {
                Some(child) => {
                    if self.must_inode(child)?.kind != Kind::Dir {
                        return Err(StoreError::NotADirectory { path: self.path_of(child) });
                    }
                    child
                }
                None => self.create(at, part, Kind::Dir, mode, None)?,
            };
        }
        Ok(at)
    }

    /// Removes a file or symbolic link's name; the file goes when its last name does.
    pub fn unlink(&mut self, parent: u64, name: &str) -> Result<(), StoreError> {
        let child = self
            .lookup(parent, name)?
            .ok_or_else(|| StoreError::NotFound { path: self.child_path(parent, name) })?;
        let inode = self.must_inode(child)?;
        if inode.kind == Kind::Dir {
            return Err(StoreError::IsADirectory { path: self.child_path(parent, name) });
        }
        self.tx.open_table(DIRENTS)?.remove((parent, name))?;
        self.drop_link(child, inode)?;
        self.touch(parent)
    }

    /// Names the files that are open, for this transaction's unlinks and renames.
    pub fn keep_open(&mut self, open: impl IntoIterator<Item = u64>) {
        self.open = open.into_iter().collect();
    }

    pub(super) fn drop_link(&mut self, ino: u64, mut inode: Inode) -> Result<(), StoreError> {
        inode.nlink = inode.nlink.saturating_sub(1);
        if inode.nlink == 0 && self.open.contains(&ino) {
            let mut orphans: Vec<u64> = self.setting(ORPHANS_SETTING)?.unwrap_or_default();
            orphans.push(ino);
            self.put_setting(ORPHANS_SETTING, &orphans)?;
            inode.ctime = Time::now();
            self.put_inode(ino, &inode)
        } else if inode.nlink == 0 {
            self.drop_inode(ino)
        } else {
            inode.ctime = Time::now();
            self.put_inode(ino, &inode)
        }
    }

    /// Frees a file's chunks (and its prior version's) and removes its record and attributes.
    pub(super) fn drop_inode(&mut self, ino: u64) -> Result<(), StoreError> {
        self.drop_prior(ino)?;
        self.drop_chunks(ino, 0)?;
        self.tx.open_table(INODES)?.remove(ino)?;
        let names: Vec<String> = self.xattr_names(ino)?;
        let mut x = self.tx.open_table(XATTRS)?;
        for name in names {
            x.remove((ino, name.as_str()))?;
        }
        Ok(())
    }

    /// Frees an orphan (an unlinked file whose last handle has closed).
    pub fn reap_orphan(&mut self, ino: u64) -> Result<bool, StoreError> {
        let mut orphans: Vec<u64> = self.setting(ORPHANS_SETTING)?.unwrap_or_default();
        let Some(pos) = orphans.iter().position(|&o| o == ino) else { return Ok(false) };
        orphans.remove(pos);
        self.put_setting(ORPHANS_SETTING, &orphans)?;
        if self.inode(ino)?.is_some_and(|i| i.nlink == 0) {
            self.drop_inode(ino)?;
        }
        Ok(true)
    }

    /// Frees every orphan (at open: no handle survives a restart). Returns how many.
    pub fn reap_orphans(&mut self) -> Result<usize, StoreError> {
        let orphans: Vec<u64> = self.setting(ORPHANS_SETTING)?.unwrap_or_default();
        for &ino in &orphans {
            self.reap_orphan(ino)?;
        }
        Ok(orphans.len())
    }

    /// Removes an empty folder.
    pub fn rmdir(&mut self, parent: u64, name: &str) -> Result<(), StoreError> {
        let child = self
            .lookup(parent, name)?
            .ok_or_else(|| StoreError::NotFound { path: self.child_path(parent, name) })?;
        let inode = self.must_inode(child)?;
        if inode.kind != Kind::Dir {
            return Err(StoreError::NotADirectory { path: self.child_path(parent, name) });
        }
        if !self.entries(child)?.is_empty() {
            return Err(StoreError::NotEmpty { path: self.child_path(parent, name) });
        }
        self.tx.open_table(DIRENTS)?.remove((parent, name))?;
        self.tx.open_table(INODES)?.remove(child)?;
        let mut dir = self.must_inode(parent)?;
        dir.nlink = dir.nlink.saturating_sub(1);
        self.put_inode(parent, &dir)?;
        self.touch(parent)
    }

    /// Moves `parent/name` to `new_parent/new_name`, replacing what is there unless
    /// `no_replace` (then `Exists`).
    pub fn rename(
        &mut self,
        parent: u64,
        name: &str,
        new_parent: u64,
        new_name: &str,
        no_replace: bool,
    ) -> Result<(), StoreError> {
        valid_name(new_name)?;
        let child = self
            .lookup(parent, name)?
            .ok_or_else(|| StoreError::NotFound { path: self.child_path(parent, name) })?;
        let mut inode = self.must_inode(child)?;
        if self.must_inode(new_parent)?.kind != Kind::Dir {
            return Err(StoreError::NotADirectory { path: self.path_of(new_parent) });
        }
        if parent == new_parent && name == new_name {
            return Ok(());
        }
        if inode.kind == Kind::Dir {
            // Refuse to move a folder below itself.
            let mut at = new_parent;
            for _ in 0..4096 {
                if at == child {
                    return Err(StoreError::IntoItself { path: self.child_path(parent, name) });
                }
                if at == records::ROOT {
                    break;
                }
                at = self.must_inode(at)?.parent;
            }
        }
        if let Some(existing) = self.lookup(new_parent, new_name)? {
            if no_replace {
                return Err(StoreError::Exists { path: self.child_path(new_parent, new_name) });
            }
            let target = self.must_inode(existing)?;
            match (inode.kind == Kind::Dir, target.kind == Kind::Dir) {
                (true, true) => self.rmdir(new_parent, new_name)?,
                (false, false) => self.unlink(new_parent, new_name)?,
                (true, false) => {
                    return Err(StoreError::NotADirectory { path: self.child_path(new_parent, new_name) });
                }
                (false, true) => {
                    return Err(StoreError::IsADirectory { path: self.child_path(new_parent, new_name) });
                }
            }
        }
        self.tx.open_table(DIRENTS)?.remove((parent, name))?;
        self.put_dirent(new_parent, new_name, child)?;
        if inode.kind == Kind::Dir && parent != new_parent {
            let mut old = self.must_inode(parent)?;
            old.nlink = old.nlink.saturating_sub(1);
            self.put_inode(parent, &old)?;
            let mut new = self.must_inode(new_parent)?;
            new.nlink += 1;
            self.put_inode(new_parent, &new)?;
        }
        if inode.parent == parent {
            inode.parent = new_parent;
        }
        inode.ctime = Time::now();
        self.put_inode(child, &inode)?;
        self.touch(parent)?;
        if new_parent != parent {
            self.touch(new_parent)?;
        }
        Ok(())
    }

    /// Adds another name for a file.
    pub fn link(&mut self, ino: u64, parent: u64, name: &str) -> Result<(), StoreError> {
        valid_name(name)?;
        let mut inode = self.must_inode(ino)?;
        if inode.kind == Kind::Dir {
            return Err(StoreError::IsADirectory { path: self.path_of(ino) });
        }
        if self.lookup(parent, name)?.is_some() {
            return Err(StoreError::Exists { path: self.child_path(parent, name) });
        }
        self.put_dirent(parent, name, ino)?;
        inode.nlink += 1;
        inode.ctime = Time::now();
        self.put_inode(ino, &inode)?;
        self.touch(parent)
    }

    /// One (folder, name) under which `ino` is linked, if any.
    pub fn a_name_of(&self, ino: u64) -> Result<Option<(u64, String)>, StoreError> {
        let parent = match self.inode(ino)? {
            Some(i) => i.parent,
            None => return Ok(None),
        };
        // Its first folder first; a hard link elsewhere means a scan of all entries.
        if let Some((name, _)) = self
            .records()
            .entries(&self.tx.open_table(DIRENTS)?, parent)?
            .into_iter()
            .find(|(_, c)| *c == ino)
        {
            return Ok(Some((parent, name)));
        }
        for item in self.tx.open_table(DIRENTS)?.iter()? {
            let (k, v) = item?;
            let (dir, name) = k.value();
            let child: u64 = self.sealer().open("dirents", &records::dirent_key(dir, name), v.value())?;
            if child == ino {
                return Ok(Some((dir, name.to_string())));
            }
        }
        Ok(None)
    }

    pub(super) fn touch(&mut self, dir: u64) -> Result<(), StoreError> {
        let mut inode = self.must_inode(dir)?;
        inode.mtime = Time::now();
        inode.ctime = inode.mtime;
        self.put_inode(dir, &inode)
    }
}

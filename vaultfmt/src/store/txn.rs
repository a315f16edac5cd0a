//! Write transactions: every change to the store happens in one, and becomes visible and
//! durable together at `commit`. Dropping a transaction without committing abandons it: the
//! sectors it wrote were free in the last commit, so nothing committed is touched.

use std::io::Read;

use redb::{ReadableTable, WriteTransaction};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::alloc::Allocator;
use super::ops::{self, DirEntry};
use super::records::{
    self, AUDIT, AuditRecord, CHUNK_BYTES, CHUNKS, Chunk, DIRENTS, FREE, INODES, Inode, Kind, META, Records,
    Time, XATTRS,
};
use super::{Store, StoreError};
use crate::SECTOR_SIZE;
use crate::dev::BlockDevice;

/// Sectors written in one device write when a file is stored (1 MiB).
const RUN_SECTORS: u64 = 256;

/// Attribute changes (`None` leaves one as it is).
#[derive(Clone, Debug, Default)]
pub struct SetAttrs {
    pub mode: Option<u32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    pub atime: Option<Time>,
    pub mtime: Option<Time>,
}

pub struct Txn<'s, D: BlockDevice + 'static> {
    store: &'s Store<D>,
    tx: WriteTransaction,
    /// Sector runs this transaction stopped referencing; released at commit.
    freed: Vec<(u64, u64)>,
    /// Where the next allocation starts looking.
    hint: u64,
    /// Files still open somewhere: when their last name goes, they become orphans (kept until
    /// `reap_orphan`) instead of being freed.
    open: std::collections::BTreeSet<u64>,
}

/// The setting that lists orphans: files unlinked while open.
pub const ORPHANS_SETTING: &str = "orphans";

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
    pub(crate) fn new(store: &'s Store<D>, tx: WriteTransaction) -> Self {
        let hint = store.layout().data_first;
        Txn { store, tx, freed: Vec::new(), hint, open: Default::default() }
    }

    fn records(&self) -> Records<'s> {
        Records { sealer: &self.store.keys().sealer }
    }

    fn seal<T: Serialize>(&self, table: &str, key: &[u8], value: &T) -> Vec<u8> {
        self.store.keys().sealer.seal(table, key, value)
    }

    pub fn inode(&self, ino: u64) -> Result<Option<Inode>, StoreError> {
        self.records().inode(&self.tx.open_table(INODES)?, ino)
    }

    fn must_inode(&self, ino: u64) -> Result<Inode, StoreError> {
        self.inode(ino)?.ok_or_else(|| StoreError::NotFound { path: self.path_of(ino) })
    }

    pub fn put_inode(&mut self, ino: u64, inode: &Inode) -> Result<(), StoreError> {
        let sealed = self.seal("inodes", &records::ino_key(ino), inode);
        self.tx.open_table(INODES)?.insert(ino, sealed.as_slice())?;
        Ok(())
    }

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

    fn child_path(&self, parent: u64, name: &str) -> String {
        let p = self.path_of(parent);
        if p == "/" { format!("/{name}") } else { format!("{p}/{name}") }
    }

    fn put_dirent(&mut self, parent: u64, name: &str, child: u64) -> Result<(), StoreError> {
        let sealed = self.seal("dirents", &records::dirent_key(parent, name), &child);
        self.tx.open_table(DIRENTS)?.insert((parent, name), sealed.as_slice())?;
        Ok(())
    }

    fn next_inode(&mut self) -> Result<u64, StoreError> {
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

    fn chunk_records(&self, ino: u64, from: u64) -> Result<Vec<(u64, Chunk)>, StoreError> {
        self.records().chunks(&self.tx.open_table(CHUNKS)?, ino, from)
    }

    /// Forgets chunks `from..` of a file; their sectors are freed at commit.
    fn drop_chunks(&mut self, ino: u64, from: u64) -> Result<(), StoreError> {
        let old = self.chunk_records(ino, from)?;
        let mut table = self.tx.open_table(CHUNKS)?;
        for (index, chunk) in old {
            table.remove((ino, index))?;
            self.freed.push((chunk.sector, chunk.sectors()));
        }
        Ok(())
    }

    fn put_chunk(&mut self, ino: u64, index: u64, chunk: &Chunk) -> Result<(), StoreError> {
        let sealed = self.seal("chunks", &records::chunk_key(ino, index), chunk);
        self.tx.open_table(CHUNKS)?.insert((ino, index), sealed.as_slice())?;
        Ok(())
    }

    /// Takes up to `want` free sectors (at least `min`) for file `ino`.
    fn allocate(&mut self, ino: u64, want: u64, min: u64) -> Result<(u64, u64), StoreError> {
        let alloc = Allocator { sealer: &self.store.keys().sealer };
        let got = {
            let mut free = self.tx.open_table(FREE)?;
            let mut meta = self.tx.open_table(META)?;
            alloc.allocate(&mut free, &mut meta, want, min, self.hint)?
        };
        match got {
            Some((start, len)) => {
                self.hint = start + len;
                Ok((start, len))
            }
            None => Err(StoreError::NoSpace { path: self.path_of(ino) }),
        }
    }

    /// Encrypts and writes consecutive chunks of plaintext into one run of sectors starting at
    /// `start`; returns their records.
    fn write_run(&self, start: u64, pieces: &[&[u8]]) -> Result<Vec<Chunk>, StoreError> {
        let sectors: u64 = pieces.iter().map(|p| (p.len() as u64).div_ceil(SECTOR_SIZE as u64)).sum();
        // Filled by copying, only the ends of short pieces zeroed (no memset of the whole run).
        let mut buf = Vec::with_capacity(sectors as usize * SECTOR_SIZE);
        let mut out = Vec::with_capacity(pieces.len());
        for piece in pieces {
            let at = buf.len();
            buf.extend_from_slice(piece);
            buf.resize(at + piece.len().div_ceil(SECTOR_SIZE) * SECTOR_SIZE, 0);
            let hash = *blake3::keyed_hash(&self.store.keys().chunk, piece).as_bytes();
            out.push(Chunk { sector: start + (at / SECTOR_SIZE) as u64, len: piece.len() as u32, hash });
        }
        self.store.io().write_sectors(start, &mut buf)?;
        Ok(out)
    }

    /// Stores chunks `first_index..` of a file from `data` (each `CHUNK_BYTES` but the last),
    /// allocating as few runs as it can.
    fn store_chunks(&mut self, ino: u64, first_index: u64, data: &[u8]) -> Result<(), StoreError> {
        let pieces: Vec<&[u8]> = data.chunks(CHUNK_BYTES).collect();
        let mut next = 0usize;
        while next < pieces.len() {
            let need: u64 =
                pieces[next..].iter().map(|p| (p.len() as u64).div_ceil(SECTOR_SIZE as u64)).sum();
            let first_need = (pieces[next].len() as u64).div_ceil(SECTOR_SIZE as u64);
            let (start, got) = self.allocate(ino, need.min(RUN_SECTORS.max(first_need)), first_need)?;
            // As many whole chunks as fit in the run; give back what is left over.
            let mut used = 0u64;
            let mut end = next;
            while end < pieces.len() {
                let s = (pieces[end].len() as u64).div_ceil(SECTOR_SIZE as u64);
                if used + s > got {
                    break;
                }
                used += s;
                end += 1;
            }
            if used < got {
                let alloc = Allocator { sealer: &self.store.keys().sealer };
                let mut free = self.tx.open_table(FREE)?;
                let mut meta = self.tx.open_table(META)?;
                alloc.release(&mut free, &mut meta, start + used, got - used)?;
            }
            let chunks = self.write_run(start, &pieces[next..end])?;
            for (i, chunk) in chunks.iter().enumerate() {
                self.put_chunk(ino, first_index + (next + i) as u64, chunk)?;
            }
            next = end;
        }
        Ok(())
    }

    /// Replaces a file's whole content with what `reader` yields; returns its length.
    pub fn write_file(&mut self, ino: u64, reader: &mut dyn Read) -> Result<u64, StoreError> {
        let mut inode = self.must_inode(ino)?;
        if inode.kind != Kind::File {
            return Err(StoreError::IsADirectory { path: self.path_of(ino) });
        }
        self.drop_chunks(ino, 0)?;
        let mut hasher = blake3::Hasher::new();
        let mut total = 0u64;
        let mut buf = vec![0u8; RUN_SECTORS as usize * SECTOR_SIZE];
        loop {
            let n = read_full(reader, &mut buf)
                .map_err(|e| StoreError::Input { path: self.path_of(ino), source: e })?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            self.store_chunks(ino, total / CHUNK_BYTES as u64, &buf[..n])?;
            total += n as u64;
            if n < buf.len() {
                break;
            }
        }
        inode.size = total;
        inode.content_hash = Some(*hasher.finalize().as_bytes());
        inode.mtime = Time::now();
        inode.ctime = inode.mtime;
        self.put_inode(ino, &inode)?;
        Ok(total)
    }

    /// Writes `data` at `offset`, copy-on-write: every chunk touched is rewritten elsewhere.
    pub fn write_at(&mut self, ino: u64, offset: u64, data: &[u8]) -> Result<(), StoreError> {
        let mut inode = self.must_inode(ino)?;
        if inode.kind != Kind::File {
            return Err(StoreError::IsADirectory { path: self.path_of(ino) });
        }
        if data.is_empty() {
            return Ok(());
        }
        let end = offset + data.len() as u64;
        let first = offset / CHUNK_BYTES as u64;
        let last = (end - 1) / CHUNK_BYTES as u64;
        let existing: Vec<(u64, Chunk)> =
            self.chunk_records(ino, first)?.into_iter().take_while(|(i, _)| *i <= last).collect();
        for index in first..=last {
            let chunk_start = index * CHUNK_BYTES as u64;
            let old = existing.iter().find(|(i, _)| *i == index).map(|(_, c)| *c);
            let mut plain = match &old {
                Some(c) => ops::read_chunk(self.store, c, || self.path_of(ino))?,
                None => Vec::new(),
            };
            // Bytes of the file inside this chunk before the write (a chunk shorter than its
            // share of the file size ends in a hole that reads as zeros).
            let before = inode.size.saturating_sub(chunk_start).min(CHUNK_BYTES as u64) as usize;
            plain.resize(plain.len().max(before), 0);
            let from = offset.max(chunk_start) - chunk_start;
            let to = end.min(chunk_start + CHUNK_BYTES as u64) - chunk_start;
            if plain.len() < to as usize {
                plain.resize(to as usize, 0);
            }
            plain[from as usize..to as usize].copy_from_slice(
                &data[(chunk_start + from - offset) as usize..(chunk_start + to - offset) as usize],
            );
            if let Some(c) = old {
                self.tx.open_table(CHUNKS)?.remove((ino, index))?;
                self.freed.push((c.sector, c.sectors()));
            }
            self.store_chunks(ino, index, &plain)?;
        }
        inode.size = inode.size.max(end);
        inode.content_hash = None;
        inode.mtime = Time::now();
        inode.ctime = inode.mtime;
        self.put_inode(ino, &inode)
    }

    /// Sets a file's length: cuts its last chunk (copy-on-write) or extends it with a hole.
    pub fn truncate(&mut self, ino: u64, size: u64) -> Result<(), StoreError> {
        let mut inode = self.must_inode(ino)?;
        if inode.kind != Kind::File {
            return Err(StoreError::IsADirectory { path: self.path_of(ino) });
        }
        if size < inode.size {
            let keep = size.div_ceil(CHUNK_BYTES as u64);
            self.drop_chunks(ino, keep)?;
            let tail = size % CHUNK_BYTES as u64;
            if tail != 0 {
                let index = size / CHUNK_BYTES as u64;
                if let Some((_, c)) = self.chunk_records(ino, index)?.into_iter().find(|(i, _)| *i == index)
                    && c.len as u64 > tail
                {
                    let mut plain = ops::read_chunk(self.store, &c, || self.path_of(ino))?;
                    plain.truncate(tail as usize);
                    self.tx.open_table(CHUNKS)?.remove((ino, index))?;
                    self.freed.push((c.sector, c.sectors()));
                    self.store_chunks(ino, index, &plain)?;
                }
            }
        }
        if size != inode.size {
            inode.content_hash = if size == 0 { Some(*blake3::hash(b"").as_bytes()) } else { None };
        }
        inode.size = size;
        inode.mtime = Time::now();
        inode.ctime = inode.mtime;
        self.put_inode(ino, &inode)
    }

    /// Reads file bytes as this transaction sees them, verified.
    pub fn read_at(&self, ino: u64, offset: u64, buf: &mut [u8]) -> Result<usize, StoreError> {
        let inode = self.must_inode(ino)?;
        let path = || self.path_of(ino);
        ops::read_at(self.store, &self.tx.open_table(CHUNKS)?, ino, &inode, offset, buf, &path)
    }

    /// Reads files back from the medium as this transaction wrote them, and compares the
    /// BLAKE3 of each one's content with the hash given with it: the device is flushed once and
    /// its cached copies of the files' sectors dropped, so what is checked is what the drive
    /// holds, each chunk also against its keyed hash. One answer per file: false on a mismatch
    /// (or a chunk that does not verify); a read that fails is an error.
    /// (The mirror's invariant 6: nothing is committed as a copy until this says true.)
    pub fn read_back_matches(&self, files: &[(u64, [u8; 32])]) -> Result<Vec<bool>, StoreError> {
        let table = self.tx.open_table(CHUNKS)?;
        let mut maps = Vec::with_capacity(files.len());
        for (ino, _) in files {
            maps.push((self.must_inode(*ino)?, self.records().chunks(&table, *ino, 0)?));
        }
        let io = self.store.io();
        io.flush()?;
        for (_, chunks) in &maps {
            for (_, chunk) in chunks {
                io.drop_cache(chunk.sector, chunk.sectors())?;
            }
        }
        let mut out = Vec::with_capacity(files.len());
        for ((ino, expected), (inode, _)) in files.iter().zip(&maps) {
            let mut hasher = blake3::Hasher::new();
            let path = || self.path_of(*ino);
            match ops::copy_out(
                self.store,
                &table,
                self.records(),
                *ino,
                inode,
                &mut hasher,
                &mut |_| {},
                &path,
            ) {
                Ok(_) => out.push(hasher.finalize().as_bytes() == expected),
                Err(StoreError::Corrupt { .. }) => out.push(false),
                Err(e) => return Err(e),
            }
        }
        Ok(out)
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

    fn drop_link(&mut self, ino: u64, mut inode: Inode) -> Result<(), StoreError> {
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

    /// Frees a file's chunks and removes its record and attributes.
    fn drop_inode(&mut self, ino: u64) -> Result<(), StoreError> {
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

    fn touch_ctime(&mut self, ino: u64) -> Result<(), StoreError> {
        let mut inode = self.must_inode(ino)?;
        inode.ctime = Time::now();
        self.put_inode(ino, &inode)
    }

    fn touch(&mut self, dir: u64) -> Result<(), StoreError> {
        let mut inode = self.must_inode(dir)?;
        inode.mtime = Time::now();
        inode.ctime = inode.mtime;
        self.put_inode(dir, &inode)
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

    /// Appends an audit record (names of rules and tags only, never a value).
    pub fn audit(&mut self, event: &str, fields: &[(&str, &str)]) -> Result<(), StoreError> {
        let mut table = self.tx.open_table(AUDIT)?;
        let next = match table.last()? {
            Some((k, _)) => k.value() + 1,
            None => 0,
        };
        let record = AuditRecord {
            time: Time::now(),
            event: event.to_string(),
            fields: fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        };
        let sealed = self.store.keys().sealer.seal("audit", &next.to_le_bytes(), &record);
        table.insert(next, sealed.as_slice())?;
        Ok(())
    }

    /// Stores a setting (a policy, a position) under `name`.
    pub fn put_setting<T: Serialize>(&mut self, name: &str, value: &T) -> Result<(), StoreError> {
        let sealed = self.seal("meta", name.as_bytes(), value);
        self.tx.open_table(META)?.insert(name, sealed.as_slice())?;
        Ok(())
    }

    pub fn setting<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, StoreError> {
        match self.tx.open_table(META)?.get(name)? {
            Some(v) => Ok(Some(self.store.keys().sealer.open("meta", name.as_bytes(), v.value())?)),
            None => Ok(None),
        }
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

    /// The redb transaction, for fsck's repairs of raw records.
    pub(crate) fn raw(&self) -> &WriteTransaction {
        &self.tx
    }

    pub(crate) fn sealer(&self) -> &super::records::Sealer {
        &self.store.keys().sealer
    }

    /// Rebuilds the free-space table as the data region less every chunk still recorded
    /// (fsck repair).
    pub(crate) fn rebuild_free(&mut self) -> Result<(), StoreError> {
        let layout = self.store.layout();
        let mut used = Vec::new();
        for item in self.tx.open_table(CHUNKS)?.iter()? {
            let (k, v) = item?;
            let (ino, index) = k.value();
            if let Ok(c) = self.sealer().open::<Chunk>("chunks", &records::chunk_key(ino, index), v.value()) {
                used.push((c.sector, c.sectors(), ino));
            }
        }
        let free = super::fsck::complement(&used, layout.data_first, layout.data_sectors);
        let mut table = self.tx.open_table(FREE)?;
        table.retain(|_, _| false)?;
        let mut total = 0;
        for (start, len) in free {
            table.insert(
                start,
                self.store.keys().sealer.seal("free", &start.to_le_bytes(), &len).as_slice(),
            )?;
            total += len;
        }
        drop(table);
        self.tx.open_table(META)?.insert(
            super::alloc::FREE_COUNTER,
            self.seal("meta", super::alloc::FREE_COUNTER.as_bytes(), &total).as_slice(),
        )?;
        self.freed.clear();
        Ok(())
    }

    /// Makes every change of this transaction durable and visible, then lets the sectors it
    /// stopped referencing be reused by later transactions (at once when no read view could
    /// still read them, otherwise at a later durable commit: see `frees.rs`).
    pub fn commit(mut self) -> Result<(), StoreError> {
        let dropped = std::mem::take(&mut self.freed);
        let store = self.store;
        let Txn { tx, .. } = self;
        store.frees().commit_durable(dropped, |release| {
            let alloc = Allocator { sealer: &store.keys().sealer };
            let mut free = tx.open_table(FREE)?;
            let mut meta = tx.open_table(META)?;
            for &(start, len) in release {
                alloc.release(&mut free, &mut meta, start, len)?;
            }
            drop((free, meta));
            tx.commit()?;
            Ok(())
        })
    }

    /// Makes the changes visible to later transactions and reads without waiting for the
    /// device: a power cut may lose them (back to the last durable commit), never tear them.
    /// The sectors this transaction stopped referencing wait for the next durable commit.
    pub fn commit_volatile(mut self) -> Result<(), StoreError> {
        self.tx.set_durability(redb::Durability::None).map_err(|e| StoreError::Db(e.into()))?;
        let freed = std::mem::take(&mut self.freed);
        self.tx.commit()?;
        self.store.frees().committed_volatile(freed);
        Ok(())
    }

    /// Abandons the transaction (as dropping it does).
    pub fn abort(self) -> Result<(), StoreError> {
        self.tx.abort()?;
        Ok(())
    }
}

/// Reads until `buf` is full or the reader ends; returns the bytes read.
fn read_full(reader: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

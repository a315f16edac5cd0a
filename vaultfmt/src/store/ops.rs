//! Reading the store: lookups, paths, and verified reads of file contents. Shared by read
//! views and write transactions through redb's `ReadableTable`.

use std::io::Write;

use redb::{ReadTransaction, ReadableTable, ReadableTableMetadata};

use super::records::{
    AUDIT, CHUNK_BYTES, CHUNKS, Chunk, DIRENTS, INODES, Inode, Kind, META, ROOT, Records, XATTRS,
};
use super::{AuditRecord, Store, StoreError, alloc};
use crate::SECTOR_SIZE;
use crate::dev::BlockDevice;

/// One directory entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    pub name: String,
    pub ino: u64,
    pub kind: Kind,
}

/// Reads and verifies one chunk; a mismatch names the file.
pub(crate) fn read_chunk<D: BlockDevice + 'static>(
    store: &Store<D>,
    chunk: &Chunk,
    path: impl Fn() -> String,
) -> Result<Vec<u8>, StoreError> {
    let mut out = Vec::new();
    read_run(store, &[(0, *chunk)], &path, &mut |_, data| out.extend_from_slice(data))?;
    Ok(out)
}

/// Most bytes read from the device at once for chunks that lie next to each other.
const RUN_BYTES: u64 = 1 << 20;

/// Reads chunks that lie next to each other on the device (each starts where the one before
/// ends) with one device read, checks each against its hash, and hands each to `sink` with its
/// index, in order.
fn read_run<D: BlockDevice + 'static>(
    store: &Store<D>,
    run: &[(u64, Chunk)],
    path: &dyn Fn() -> String,
    sink: &mut dyn FnMut(u64, &[u8]),
) -> Result<(), StoreError> {
    let layout = store.layout();
    let Some((_, first)) = run.first() else { return Ok(()) };
    let mut sectors = 0;
    for (_, chunk) in run {
        if chunk.len as usize > CHUNK_BYTES
            || chunk.sector != first.sector + sectors
            || chunk.sector < layout.data_first
            || chunk.sector + chunk.sectors() > layout.data_first + layout.data_sectors
        {
            return Err(StoreError::Corrupt {
                path: path(),
                what: "a chunk points outside the data region".into(),
            });
        }
        sectors += chunk.sectors();
    }
    crate::scratch::with(sectors as usize * SECTOR_SIZE, |buf| {
        store.io().read_sectors(first.sector, buf)?;
        let mut at = 0;
        for (index, chunk) in run {
            let data = &buf[at..at + chunk.len as usize];
            at += chunk.sectors() as usize * SECTOR_SIZE;
            if blake3::keyed_hash(&store.keys().chunk, data).as_bytes() != &chunk.hash {
                return Err(StoreError::Corrupt {
                    path: path(),
                    what: format!(
                        "the data in sectors {}..{} does not verify",
                        chunk.sector,
                        chunk.sector + chunk.sectors()
                    ),
                });
            }
            sink(*index, data);
        }
        Ok(())
    })
}

/// Takes a chunk's index and its verified bytes.
type ChunkSink<'a> = dyn FnMut(u64, &[u8]) -> Result<(), StoreError> + 'a;

/// Reads `chunks` (in index order) in runs of neighbours on the device, handing each chunk's
/// verified bytes to `sink`.
fn read_chunks<D: BlockDevice + 'static>(
    store: &Store<D>,
    chunks: &[(u64, Chunk)],
    path: &dyn Fn() -> String,
    sink: &mut ChunkSink<'_>,
) -> Result<(), StoreError> {
    let mut start = 0;
    while start < chunks.len() {
        let mut end = start + 1;
        let mut bytes = chunks[start].1.sectors() * SECTOR_SIZE as u64;
        while end < chunks.len() {
            let (prev, next) = (&chunks[end - 1].1, &chunks[end].1);
            bytes += next.sectors() * SECTOR_SIZE as u64;
            if next.sector != prev.sector + prev.sectors() || bytes > RUN_BYTES {
                break;
            }
            end += 1;
        }
        let mut failed = Ok(());
        read_run(store, &chunks[start..end], path, &mut |index, data| {
            if failed.is_ok() {
                failed = sink(index, data);
            }
        })?;
        failed?;
        start = end;
    }
    Ok(())
}

/// Copies bytes `[offset, offset + buf.len())` of a file into `buf`, verified; returns how
/// many bytes the file has there (short at its end). Holes read as zeros.
pub(crate) fn read_at<D: BlockDevice + 'static>(
    store: &Store<D>,
    chunks: &impl ReadableTable<(u64, u64), &'static [u8]>,
    ino: u64,
    inode: &Inode,
    offset: u64,
    buf: &mut [u8],
    path: &dyn Fn() -> String,
) -> Result<usize, StoreError> {
    if offset >= inode.size {
        return Ok(0);
    }
    let n = ((inode.size - offset) as usize).min(buf.len());
    let out = &mut buf[..n];
    out.fill(0);
    let records = Records { sealer: &store.keys().sealer };
    let first = offset / CHUNK_BYTES as u64;
    let last = (offset + n as u64 - 1) / CHUNK_BYTES as u64;
    let wanted = records.chunk_range(chunks, ino, first, last)?;
    read_chunks(store, &wanted, path, &mut |index, data| {
        let chunk_start = index * CHUNK_BYTES as u64;
        let from = offset.max(chunk_start);
        let to = (offset + n as u64).min(chunk_start + data.len() as u64);
        if from < to {
            out[(from - offset) as usize..(to - offset) as usize]
                .copy_from_slice(&data[(from - chunk_start) as usize..(to - chunk_start) as usize]);
        }
        Ok(())
    })?;
    Ok(n)
}

/// The path of `ino` from the root, for messages ("/study/ct-001.dcm").
pub(crate) fn path_of(
    records: &Records,
    inodes: &impl ReadableTable<u64, &'static [u8]>,
    dirents: &impl ReadableTable<(u64, &'static str), &'static [u8]>,
    ino: u64,
) -> String {
    let mut parts = Vec::new();
    let mut at = ino;
    for _ in 0..4096 {
        if at == ROOT {
            break;
        }
        let Ok(Some(inode)) = records.inode(inodes, at) else { break };
        let name = records
            .entries(dirents, inode.parent)
            .ok()
            .and_then(|e| e.into_iter().find(|(_, child)| *child == at).map(|(n, _)| n))
            .unwrap_or_else(|| format!("#{at}"));
        parts.push(name);
        at = inode.parent;
    }
    parts.reverse();
    format!("/{}", parts.join("/"))
}

/// A folder's entries with their kinds, in name order.
pub(crate) fn dir_entries(
    records: &Records,
    inodes: &impl ReadableTable<u64, &'static [u8]>,
    dirents: &impl ReadableTable<(u64, &'static str), &'static [u8]>,
    dir: u64,
) -> Result<Vec<DirEntry>, StoreError> {
    let mut out = Vec::new();
    for (name, ino) in records.entries(dirents, dir)? {
        let kind = records
            .inode(inodes, ino)?
            .map(|i| i.kind)
            .ok_or(StoreError::Inconsistent("a folder entry names a missing inode"))?;
        out.push(DirEntry { name, ino, kind });
    }
    Ok(out)
}

/// Follows a path from the root (no symlinks followed); `None` when a component is missing.
/// Streams a whole file to `out`, every chunk verified before it is written (holes as zeros);
/// returns the bytes written. Shared by read views and write transactions.
#[allow(clippy::too_many_arguments)]
pub(crate) fn copy_out<D: BlockDevice + 'static>(
    store: &Store<D>,
    chunks: &impl ReadableTable<(u64, u64), &'static [u8]>,
    records: Records<'_>,
    ino: u64,
    inode: &Inode,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(u64),
    path: &dyn Fn() -> String,
) -> Result<u64, StoreError> {
    let mut written = 0u64;
    let last = inode.size.div_ceil(CHUNK_BYTES as u64).saturating_sub(1);
    let all = if inode.size == 0 { Vec::new() } else { records.chunk_range(chunks, ino, 0, last)? };
    read_chunks(store, &all, path, &mut |index, data| {
        let start = index * CHUNK_BYTES as u64;
        if start > written {
            write_zeros(out, start - written, path)?;
            written = start;
        }
        let take = (data.len() as u64).min(inode.size - start) as usize;
        out.write_all(&data[..take]).map_err(|e| io_error(&path(), e))?;
        written += take as u64;
        progress(take as u64);
        Ok(())
    })?;
    if written < inode.size {
        write_zeros(out, inode.size - written, path)?;
        written = inode.size;
    }
    Ok(written)
}

/// An absolute store path's folder and last name: "/a/b" → ("/a", "b"), "/b" → ("/", "b").
pub fn split_path(path: &str) -> (&str, &str) {
    let i = path.rfind('/').expect("an absolute store path");
    (if i == 0 { "/" } else { &path[..i] }, &path[i + 1..])
}

/// A store path's child: ("/a", "b") → "/a/b", ("/", "b") → "/b" (what [`split_path`] splits).
pub fn join_path(dir: &str, name: &str) -> String {
    if dir == "/" { format!("/{name}") } else { format!("{dir}/{name}") }
}

pub(crate) fn resolve(
    records: &Records,
    inodes: &impl ReadableTable<u64, &'static [u8]>,
    dirents: &impl ReadableTable<(u64, &'static str), &'static [u8]>,
    path: &str,
) -> Result<Option<u64>, StoreError> {
    let mut at = ROOT;
    for part in path.split('/').filter(|p| !p.is_empty() && *p != ".") {
        let inode =
            records.inode(inodes, at)?.ok_or(StoreError::Inconsistent("a path leads to a missing inode"))?;
        if inode.kind != Kind::Dir {
            return Err(StoreError::NotADirectory { path: path.to_string() });
        }
        match records.dirent(dirents, at, part)? {
            Some(child) => at = child,
            None => return Ok(None),
        }
    }
    Ok(Some(at))
}

/// A consistent read-only view of the last commit.
pub struct ReadView<'s, D: BlockDevice + 'static> {
    store: &'s Store<D>,
    tx: ReadTransaction,
    /// The commit it was begun after: sectors dropped since stay unused until it ends.
    seen: u64,
}

impl<D: BlockDevice + 'static> Drop for ReadView<'_, D> {
    fn drop(&mut self) {
        self.store.frees().closed(self.seen);
    }
}

impl<'s, D: BlockDevice + 'static> ReadView<'s, D> {
    pub(crate) fn new(store: &'s Store<D>, tx: ReadTransaction, seen: u64) -> Self {
        ReadView { store, tx, seen }
    }

    fn records(&self) -> Records<'s> {
        Records { sealer: &self.store.keys().sealer }
    }

    /// A setting (see [`super::Txn::put_setting`]) as this view's commit has it.
    pub fn setting<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<Option<T>, StoreError> {
        match self.tx.open_table(META)?.get(name)? {
            Some(v) => Ok(Some(self.store.keys().sealer.open("meta", name.as_bytes(), v.value())?)),
            None => Ok(None),
        }
    }

    pub fn inode(&self, ino: u64) -> Result<Option<Inode>, StoreError> {
        self.records().inode(&self.tx.open_table(INODES)?, ino)
    }

    pub fn lookup(&self, parent: u64, name: &str) -> Result<Option<u64>, StoreError> {
        self.records().dirent(&self.tx.open_table(DIRENTS)?, parent, name)
    }

    pub fn entries(&self, dir: u64) -> Result<Vec<DirEntry>, StoreError> {
        dir_entries(&self.records(), &self.tx.open_table(INODES)?, &self.tx.open_table(DIRENTS)?, dir)
    }

    pub fn xattr(&self, ino: u64, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.records().xattr(&self.tx.open_table(XATTRS)?, ino, name)
    }

    pub fn xattr_names(&self, ino: u64) -> Result<Vec<String>, StoreError> {
        self.records().xattr_names(&self.tx.open_table(XATTRS)?, ino)
    }

    /// The inode at `path` ("/" or "" is the root).
    pub fn resolve(&self, path: &str) -> Result<Option<u64>, StoreError> {
        resolve(&self.records(), &self.tx.open_table(INODES)?, &self.tx.open_table(DIRENTS)?, path)
    }

    pub fn path_of(&self, ino: u64) -> Result<String, StoreError> {
        Ok(path_of(&self.records(), &self.tx.open_table(INODES)?, &self.tx.open_table(DIRENTS)?, ino))
    }

    /// Reads file bytes at `offset`, verified.
    pub fn read_at(&self, ino: u64, offset: u64, buf: &mut [u8]) -> Result<usize, StoreError> {
        let inode = self.inode(ino)?.ok_or(StoreError::NotFound { path: format!("#{ino}") })?;
        let path = || self.path_of(ino).unwrap_or_else(|_| format!("#{ino}"));
        read_at(self.store, &self.tx.open_table(CHUNKS)?, ino, &inode, offset, buf, &path)
    }

    /// Streams a whole file to `out`, every chunk verified before it is written; returns the
    /// bytes written. `progress` is told the bytes of each chunk.
    pub fn copy_out(
        &self,
        ino: u64,
        out: &mut dyn Write,
        progress: &mut dyn FnMut(u64),
    ) -> Result<u64, StoreError> {
        let inode = self.inode(ino)?.ok_or(StoreError::NotFound { path: format!("#{ino}") })?;
        let path = || self.path_of(ino).unwrap_or_else(|_| format!("#{ino}"));
        copy_out(self.store, &self.tx.open_table(CHUNKS)?, self.records(), ino, &inode, out, progress, &path)
    }

    /// The chunks of a file (for fsck and verification).
    pub fn chunks(&self, ino: u64) -> Result<Vec<(u64, Chunk)>, StoreError> {
        self.records().chunks(&self.tx.open_table(CHUNKS)?, ino, 0)
    }

    pub fn free_sectors(&self) -> Result<u64, StoreError> {
        self.records().meta_u64(&self.tx.open_table(META)?, alloc::FREE_COUNTER)
    }

    /// Bytes of file data the store can still take, and its total.
    pub fn space(&self) -> Result<(u64, u64), StoreError> {
        let layout = self.store.layout();
        Ok((self.free_sectors()? * SECTOR_SIZE as u64, layout.data_sectors * SECTOR_SIZE as u64))
    }

    /// Number of inodes (files, folders, links), for statistics.
    pub fn inode_count(&self) -> Result<u64, StoreError> {
        Ok(self.tx.open_table(INODES)?.len()?)
    }

    /// The whole audit log, oldest first.
    pub fn audit(&self) -> Result<Vec<(u64, AuditRecord)>, StoreError> {
        self.audit_after(None)
    }

    /// The audit log's records after sequence number `after` (all of them with `None`), oldest
    /// first: what a reader following the log has not seen yet.
    pub fn audit_after(&self, after: Option<u64>) -> Result<Vec<(u64, AuditRecord)>, StoreError> {
        let table = self.tx.open_table(AUDIT)?;
        let mut out = Vec::new();
        let from = match after {
            Some(u64::MAX) => return Ok(out),
            Some(seq) => seq + 1,
            None => 0,
        };
        for item in table.range(from..)? {
            let (k, v) = item?;
            out.push((
                k.value(),
                self.store.keys().sealer.open("audit", &k.value().to_le_bytes(), v.value())?,
            ));
        }
        Ok(out)
    }

    pub(crate) fn tx(&self) -> &ReadTransaction {
        &self.tx
    }
}

fn write_zeros(out: &mut dyn Write, mut n: u64, path: &dyn Fn() -> String) -> Result<(), StoreError> {
    let zeros = [0u8; 8192];
    while n > 0 {
        let take = n.min(zeros.len() as u64) as usize;
        out.write_all(&zeros[..take]).map_err(|e| io_error(&path(), e))?;
        n -= take as u64;
    }
    Ok(())
}

fn io_error(path: &str, e: std::io::Error) -> StoreError {
    StoreError::Output { path: path.to_string(), source: e }
}

//! A transaction's file contents: chunks written to free sectors in runs, read back, cut
//! short.

use std::io::Read;

use super::Txn;
use crate::SECTOR_SIZE;
use crate::dev::BlockDevice;
use crate::store::StoreError;
use crate::store::alloc::Allocator;
use crate::store::ops;
use crate::store::records::{self, CHUNK_BYTES, CHUNKS, Chunk, FREE, Kind, META, Time};

/// Sectors written in one device write when a file is stored (1 MiB).
const RUN_SECTORS: u64 = 256;

impl<'s, D: BlockDevice + 'static> Txn<'s, D> {
    pub(super) fn chunk_records(&self, ino: u64, from: u64) -> Result<Vec<(u64, Chunk)>, StoreError> {
        self.records().chunks(&self.tx.open_table(CHUNKS)?, ino, from)
    }

    /// Chunk `index` of a file, if it has one.
    pub(super) fn chunk_at(&self, ino: u64, index: u64) -> Result<Option<Chunk>, StoreError> {
        let range = self.records().chunk_range(&self.tx.open_table(CHUNKS)?, ino, index, index)?;
        Ok(range.into_iter().next().map(|(_, c)| c))
    }

    /// Forgets chunks `from..` of a file; their sectors are freed at commit (or kept aside as
    /// its prior version's, `prior.rs`).
    pub(super) fn drop_chunks(&mut self, ino: u64, from: u64) -> Result<(), StoreError> {
        let old = self.chunk_records(ino, from)?;
        {
            let mut table = self.tx.open_table(CHUNKS)?;
            for (index, _) in &old {
                table.remove((ino, *index))?;
            }
        }
        for (index, chunk) in old {
            self.let_go(ino, index, chunk)?;
        }
        Ok(())
    }

    pub(super) fn put_chunk(&mut self, ino: u64, index: u64, chunk: &Chunk) -> Result<(), StoreError> {
        let sealed = self.seal("chunks", &records::chunk_key(ino, index), chunk);
        self.tx.open_table(CHUNKS)?.insert((ino, index), sealed.as_slice())?;
        Ok(())
    }

    /// Takes up to `want` free sectors (at least `min`) for file `ino`.
    pub(super) fn allocate(&mut self, ino: u64, want: u64, min: u64) -> Result<(u64, u64), StoreError> {
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
    pub(super) fn write_run(&self, start: u64, pieces: &[&[u8]]) -> Result<Vec<Chunk>, StoreError> {
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
    pub(super) fn store_chunks(&mut self, ino: u64, first_index: u64, data: &[u8]) -> Result<(), StoreError> {
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
        let inode = self.emptied(ino)?;
        let mut hasher = blake3::Hasher::new();
        let mut total = 0u64;
        let mut buf = vec![0u8; RUN_SECTORS as usize * SECTOR_SIZE];
        loop {
            let n = read_full(reader, &mut buf)
                .map_err(|e| StoreError::Input { path: self.path_of(ino), source: e })?;
            if n == 0 {
                break;
            }
            self.store_hashed(ino, total / CHUNK_BYTES as u64, &buf[..n], &mut hasher)?;
            total += n as u64;
            if n < buf.len() {
                break;
            }
        }
        self.filled(ino, inode, total, hasher)
    }

    /// Replaces a file's whole content with `data`, which is in memory already (not copied
    /// through a reader's buffer first); returns its length.
    pub fn write_bytes(&mut self, ino: u64, data: &[u8]) -> Result<u64, StoreError> {
        let inode = self.emptied(ino)?;
        let mut hasher = blake3::Hasher::new();
        self.store_hashed(ino, 0, data, &mut hasher)?;
        self.filled(ino, inode, data.len() as u64, hasher)
    }

    /// A file's inode, its chunks dropped, for its content to be replaced.
    fn emptied(&mut self, ino: u64) -> Result<records::Inode, StoreError> {
        let inode = self.must_inode(ino)?;
        if inode.kind != Kind::File {
            return Err(StoreError::IsADirectory { path: self.path_of(ino) });
        }
        self.drop_chunks(ino, 0)?;
        Ok(inode)
    }

    /// Stores chunks `first_index..` from `data` and hashes it into the file's hash. (Hashing on
    /// another core while this one encrypts measured slower: 0.54–0.59 × storescp against
    /// 0.62–0.63 in `benches/receive.sh --tmpfs`, and a fifth more CPU.)
    fn store_hashed(
        &mut self,
        ino: u64,
        first_index: u64,
        data: &[u8],
        hasher: &mut blake3::Hasher,
    ) -> Result<(), StoreError> {
        hasher.update(data);
        self.store_chunks(ino, first_index, data)
    }

    /// The inode of a file whose content is now `len` bytes hashed by `hasher`, written.
    fn filled(
        &mut self,
        ino: u64,
        mut inode: records::Inode,
        len: u64,
        hasher: blake3::Hasher,
    ) -> Result<u64, StoreError> {
        inode.size = len;
        inode.content_hash = Some(*hasher.finalize().as_bytes());
        inode.mtime = Time::now();
        inode.ctime = inode.mtime;
        self.put_inode(ino, &inode)?;
        Ok(len)
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
                self.let_go(ino, index, c)?;
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
                    self.let_go(ino, index, c)?;
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

//! The metadata region: redb's "file", held in a fixed run of encrypted sectors.
//!
//! redb asks its backend for a length, reads and writes at byte offsets, grows the file with
//! `set_len`, and calls `sync_data` as its commit barrier. Here:
//!
//! - Reads and writes go through the sector cipher; a write that covers part of a sector
//!   reads, decrypts, patches and re-encrypts that sector.
//! - Growing writes encrypted zeros over the new range ("new positions must be initialized to
//!   zero": an unwritten encrypted sector would otherwise read as noise).
//! - The length must survive a restart, so it lives in the *anchor*: two sectors written
//!   alternately, each with a sequence number and a keyed MAC. `sync_data` writes the anchor
//!   (when the length changed) and then flushes. A torn anchor write leaves the other copy,
//!   whose length is the one the last durable redb commit relied on: redb writes its commit
//!   header only after a `sync_data` has returned, and every page that header references lies
//!   within the length that sync made durable.
//! - The region's capacity is fixed at format time; growing past it is a "no space for
//!   metadata" error, which aborts the transaction and leaves the last commit intact.

use std::fmt;
use std::io;
use std::sync::{Arc, Mutex};

use redb::StorageBackend;

use crate::SECTOR_SIZE;
use crate::dev::BlockDevice;
use crate::secret::Locked;
use crate::volume::SectorIo;

/// "VAULTST1": the store anchor's magic (inside the encryption).
pub const ANCHOR_MAGIC: [u8; 8] = *b"VAULTST1";
/// Data-area sectors of the two anchor copies.
pub const ANCHOR_SECTORS: [u64; 2] = [1, 2];

/// Where the store's parts lie in the data area, in data-area sectors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    pub meta_first: u64,
    pub meta_sectors: u64,
    pub data_first: u64,
    pub data_sectors: u64,
}

impl Layout {
    /// The layout for a data area of `data_area_sectors`: metadata gets 1/64 of it (at least
    /// 4 MiB), file data the rest.
    pub fn for_data_area(data_area_sectors: u64) -> Layout {
        let meta_first = 3;
        let meta_sectors = (data_area_sectors / 64).max(1024);
        let data_first = meta_first + meta_sectors;
        Layout {
            meta_first,
            meta_sectors,
            data_first,
            data_sectors: data_area_sectors.saturating_sub(data_first),
        }
    }
}

/// One anchor copy's contents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Anchor {
    pub sequence: u64,
    /// redb's file length in bytes.
    pub meta_len: u64,
    pub layout: Layout,
}

impl Anchor {
    pub fn encode(&self, key: &[u8; 32]) -> Vec<u8> {
        let mut b = vec![0u8; SECTOR_SIZE];
        b[0..8].copy_from_slice(&ANCHOR_MAGIC);
        b[8..16].copy_from_slice(&self.sequence.to_le_bytes());
        b[16..24].copy_from_slice(&self.meta_len.to_le_bytes());
        b[24..32].copy_from_slice(&self.layout.meta_first.to_le_bytes());
        b[32..40].copy_from_slice(&self.layout.meta_sectors.to_le_bytes());
        b[40..48].copy_from_slice(&self.layout.data_first.to_le_bytes());
        b[48..56].copy_from_slice(&self.layout.data_sectors.to_le_bytes());
        let mac = blake3::keyed_hash(key, &b[..SECTOR_SIZE - 32]);
        b[SECTOR_SIZE - 32..].copy_from_slice(mac.as_bytes());
        b
    }

    pub fn decode(b: &[u8], key: &[u8; 32]) -> Option<Anchor> {
        if b[0..8] != ANCHOR_MAGIC
            || blake3::keyed_hash(key, &b[..SECTOR_SIZE - 32]).as_bytes()[..] != b[SECTOR_SIZE - 32..]
        {
            return None;
        }
        let at = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
        Some(Anchor {
            sequence: at(8),
            meta_len: at(16),
            layout: Layout {
                meta_first: at(24),
                meta_sectors: at(32),
                data_first: at(40),
                data_sectors: at(48),
            },
        })
    }
}

/// Reads both anchor copies and returns the valid one with the higher sequence.
pub fn read_anchor<D: BlockDevice>(io: &SectorIo<D>, key: &[u8; 32]) -> io::Result<Option<Anchor>> {
    let mut best: Option<Anchor> = None;
    for sector in ANCHOR_SECTORS {
        let mut buf = vec![0u8; SECTOR_SIZE];
        io.read_sectors(sector, &mut buf).map_err(io::Error::other)?;
        if let Some(a) = Anchor::decode(&buf, key)
            && best.is_none_or(|b| a.sequence > b.sequence)
        {
            best = Some(a);
        }
    }
    Ok(best)
}

struct State {
    len: u64,
    anchor: Anchor,
}

/// redb's storage: the metadata region of one store.
pub struct MetaRegion<D: BlockDevice> {
    io: Arc<SectorIo<D>>,
    key: Locked<[u8; 32]>,
    state: Mutex<State>,
}

impl<D: BlockDevice> fmt::Debug for MetaRegion<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.state.lock().unwrap_or_else(|e| e.into_inner());
        f.debug_struct("MetaRegion").field("len", &st.len).field("layout", &st.anchor.layout).finish()
    }
}

fn no_space() -> io::Error {
    io::Error::new(io::ErrorKind::StorageFull, "the vault's metadata region is full")
}

impl<D: BlockDevice> MetaRegion<D> {
    /// A region described by `anchor` (read from the device, or about to be written by format).
    pub fn new(io: Arc<SectorIo<D>>, key: Locked<[u8; 32]>, anchor: Anchor) -> MetaRegion<D> {
        MetaRegion { io, key, state: Mutex::new(State { len: anchor.meta_len, anchor }) }
    }

    /// Writes the anchor for the current length into the older copy's sector.
    fn write_anchor(&self, st: &mut State) -> io::Result<()> {
        let next = Anchor { sequence: st.anchor.sequence + 1, meta_len: st.len, layout: st.anchor.layout };
        let mut bytes = next.encode(&self.key);
        let sector = ANCHOR_SECTORS[(next.sequence % 2) as usize];
        self.io.write_sectors(sector, &mut bytes).map_err(io::Error::other)?;
        st.anchor = next;
        Ok(())
    }

    /// Writes the first anchor of a new store (format).
    pub fn format_anchor(&self) -> io::Result<()> {
        let mut st = self.state.lock().unwrap();
        self.write_anchor(&mut st)
    }

    fn capacity(&self, st: &State) -> u64 {
        st.anchor.layout.meta_sectors * SECTOR_SIZE as u64
    }

    /// Applies `f` to the plaintext of the sectors covering `[offset, offset+len)`, reading
    /// them first; writes them back when `write` is set.
    fn with_sectors(
        &self,
        layout: &Layout,
        offset: u64,
        len: usize,
        write: bool,
        f: impl FnOnce(&mut [u8], usize),
    ) -> io::Result<()> {
        let first = offset / SECTOR_SIZE as u64;
        let last = (offset + len as u64).div_ceil(SECTOR_SIZE as u64);
        let mut buf = vec![0u8; ((last - first) as usize) * SECTOR_SIZE];
        let within = (offset - first * SECTOR_SIZE as u64) as usize;
        let whole = within == 0 && len.is_multiple_of(SECTOR_SIZE);
        if !(write && whole) {
            self.io.read_sectors(layout.meta_first + first, &mut buf).map_err(io::Error::other)?;
        }
        f(&mut buf, within);
        if write {
            self.io.write_sectors(layout.meta_first + first, &mut buf).map_err(io::Error::other)?;
        }
        Ok(())
    }
}

impl<D: BlockDevice + 'static> StorageBackend for MetaRegion<D> {
    fn len(&self) -> io::Result<u64> {
        Ok(self.state.lock().unwrap().len)
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> io::Result<()> {
        let st = self.state.lock().unwrap();
        if offset + out.len() as u64 > st.len {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "read past the end of the metadata"));
        }
        let layout = st.anchor.layout;
        drop(st);
        if out.is_empty() {
            return Ok(());
        }
        self.with_sectors(&layout, offset, out.len(), false, |buf, within| {
            out.copy_from_slice(&buf[within..within + out.len()]);
        })
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        let mut st = self.state.lock().unwrap();
        if len > self.capacity(&st) {
            return Err(no_space());
        }
        if len > st.len {
            // Zero the new range, in batches of whole sectors.
            let layout = st.anchor.layout;
            let old = st.len;
            let head = old.next_multiple_of(SECTOR_SIZE as u64).min(len);
            if head > old {
                self.with_sectors(&layout, old, (head - old) as usize, true, |buf, within| {
                    buf[within..].fill(0);
                })?;
            }
            let mut at = head;
            const BATCH: u64 = 256 * SECTOR_SIZE as u64;
            while at < len {
                let end = (at + BATCH).min(len.next_multiple_of(SECTOR_SIZE as u64));
                let mut zeros = vec![0u8; (end - at) as usize];
                self.io
                    .write_sectors(layout.meta_first + at / SECTOR_SIZE as u64, &mut zeros)
                    .map_err(io::Error::other)?;
                at = end;
            }
        }
        st.len = len;
        Ok(())
    }

    fn sync_data(&self) -> io::Result<()> {
        let mut st = self.state.lock().unwrap();
        if st.len != st.anchor.meta_len {
            self.write_anchor(&mut st)?;
        }
        drop(st);
        self.io.flush().map_err(io::Error::other)
    }

    fn write(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        let st = self.state.lock().unwrap();
        if offset + data.len() as u64 > st.len {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "write past the end of the metadata"));
        }
        let layout = st.anchor.layout;
        drop(st);
        if data.is_empty() {
            return Ok(());
        }
        self.with_sectors(&layout, offset, data.len(), true, |buf, within| {
            buf[within..within + data.len()].copy_from_slice(data);
        })
    }
}

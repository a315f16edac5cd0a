//! The store: files, directories and symbolic links inside a vault, copy-on-write and
//! crash-safe.
//!
//! Data area layout (data-area sectors): 0 superblock (the volume's), 1–2 the store anchor
//! (two alternating copies, see `region.rs`), then the metadata region (redb, on encrypted
//! sectors), then the data region (file contents in chunks).
//!
//! Metadata lives in redb tables (`records.rs`), each value MAC'd. File contents are cut into
//! 64 KiB chunks; each chunk is written to free sectors and recorded with its keyed BLAKE3
//! hash, and every read checks that hash before returning bytes (invariant 3).
//!
//! Write order, which is what makes a power cut at any instant leave the last committed
//! state (invariant 2): new data goes to sectors that the last commit does not reference →
//! redb's two-phase commit (its first `sync_data` makes the data and the new metadata pages
//! durable, then the commit header is written and synced) → only after that may the sectors
//! the commit stopped referencing be reused (they enter the free table in the committing
//! transaction, so the next transaction is the first that can allocate them).

mod alloc;
pub mod audit;
mod frees;
pub mod fsck;
mod ops;
pub mod records;
pub mod region;
mod txn;

use std::io;
use std::sync::Arc;

use redb::{Builder, Database, ReadOnlyDatabase, ReadableDatabase};
use thiserror::Error;

use crate::dev::{BlockDevice, DevError};
use crate::volume::{BoxError, SectorIo, Volume};
pub use ops::{DirEntry, ReadView, join_path, split_path};
use records::{AUDIT, CHUNKS, DIRENTS, FREE, INODES, META, Sealer, XATTRS};
pub use records::{AuditRecord, CHUNK_BYTES, Chunk, Inode, Kind, ROOT, Time};
pub use region::Layout;
use region::{Anchor, MetaRegion};
pub use txn::{ORPHANS_SETTING, PRIORS_SETTING, Prior, SetAttrs, Txn};

const RECORD_MAC_CONTEXT: &str = "vault 2026-11 store record MAC";
const CHUNK_HASH_CONTEXT: &str = "vault 2026-11 chunk hash";
const ANCHOR_MAC_CONTEXT: &str = "vault 2026-11 store anchor MAC";

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("{path}: no space left in the vault")]
    NoSpace { path: String },
    #[error("{path}: no such file or folder")]
    NotFound { path: String },
    #[error("{path}: not a folder")]
    NotADirectory { path: String },
    #[error("{path}: is a folder")]
    IsADirectory { path: String },
    #[error("{path}: already exists")]
    Exists { path: String },
    #[error("{path}: folder not empty")]
    NotEmpty { path: String },
    #[error("{name:?}: not a valid file name")]
    InvalidName { name: String },
    #[error("the vault is open read-only")]
    ReadOnly,
    #[error("{path}: no attribute {name:?}")]
    NoAttribute { path: String, name: String },
    #[error("{path}: cannot move a folder into itself")]
    IntoItself { path: String },
    #[error("{path}: damaged: {what} (run `vault fsck`)")]
    Corrupt { path: String, what: String },
    #[error("damaged metadata record in table {table} (key {key}); run `vault fsck`")]
    BadRecord { table: &'static str, key: String },
    #[error("the store is inconsistent: {0}; run `vault fsck`")]
    Inconsistent(&'static str),
    #[error("this vault has no store (its anchor is missing or damaged); run `vault fsck`")]
    NoAnchor,
    #[error("{path}: reading the file to store failed: {source}")]
    Input { path: String, source: std::io::Error },
    #[error("{path}: {source}")]
    Output { path: String, source: std::io::Error },
    #[error(transparent)]
    Dev(#[from] DevError),
    #[error("metadata: {0}")]
    Db(redb::Error),
}

impl StoreError {
    /// The device error underneath, if any (for "drive absent").
    pub fn device_error(&self) -> Option<&DevError> {
        match self {
            StoreError::Dev(d) => Some(d),
            StoreError::Db(redb::Error::Io(e)) => {
                e.get_ref().and_then(|inner| inner.downcast_ref::<DevError>())
            }
            _ => None,
        }
    }

    /// True when metadata ran out of room (the metadata region is full).
    fn is_storage_full(e: &redb::Error) -> bool {
        matches!(e, redb::Error::Io(io) if io.kind() == io::ErrorKind::StorageFull)
    }
}

macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> StoreError {
                let e = redb::Error::from(e);
                if StoreError::is_storage_full(&e) {
                    return StoreError::NoSpace { path: "(metadata)".into() };
                }
                if let redb::Error::Io(io) = &e {
                    if let Some(dev) = io.get_ref().and_then(|i| i.downcast_ref::<DevError>()) {
                        if dev.is_gone() {
                            return StoreError::Dev(DevError::Gone { device: dev_name(dev) });
                        }
                    }
                }
                StoreError::Db(e)
            }
        }
    )*};
}
from_redb!(
    redb::Error,
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);

fn dev_name(e: &DevError) -> String {
    match e {
        DevError::Io { device, .. }
        | DevError::Open { device, .. }
        | DevError::OutOfRange { device, .. }
        | DevError::Unaligned { device, .. }
        | DevError::Gone { device }
        | DevError::Injected { device, .. }
        | DevError::ReadOnly { device }
        | DevError::InUse { device }
        | DevError::Folder { device } => device.clone(),
    }
}

/// Space in use (see [`Store::usage`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Usage {
    pub files: u64,
    /// Sum of the files' sizes.
    pub file_bytes: u64,
    /// Data-region bytes allocated to chunks.
    pub data_bytes: u64,
    /// Bytes of the metadata region redb uses.
    pub metadata_bytes: u64,
    /// Data-region bytes in all.
    pub capacity_bytes: u64,
}

/// Keys derived from the master key for the store.
pub(crate) struct Keys {
    pub sealer: Sealer,
    pub chunk: crate::secret::Locked<[u8; 32]>,
}

/// redb opened for writing, or (on a read-only device) only for reading.
enum Db {
    ReadWrite(Database),
    ReadOnly(ReadOnlyDatabase),
}

impl Db {
    fn begin_read(&self) -> Result<redb::ReadTransaction, redb::TransactionError> {
        match self {
            Db::ReadWrite(db) => db.begin_read(),
            Db::ReadOnly(db) => db.begin_read(),
        }
    }
}

/// An open store.
pub struct Store<D: BlockDevice + 'static> {
    volume: Volume<D>,
    io: Arc<SectorIo<D>>,
    db: Db,
    keys: Keys,
    layout: Layout,
    /// Sectors commits stopped referencing that may not be reused yet (`frees.rs`).
    frees: frees::Frees,
}

fn keys<D: BlockDevice>(volume: &Volume<D>) -> Keys {
    Keys { sealer: Sealer::new(volume.subkey(RECORD_MAC_CONTEXT)), chunk: volume.subkey(CHUNK_HASH_CONTEXT) }
}

fn builder() -> Builder {
    let mut b = Builder::new();
    b.set_cache_size(32 << 20);
    b
}

impl<D: BlockDevice + 'static> Store<D> {
    /// Lays out a new, empty store in a freshly created volume: the anchor, the metadata
    /// tables with the root folder, and the whole data region free. Called through
    /// `Volume::create_with`, before the volume's headers are written.
    pub fn format(volume: &Volume<D>) -> Result<(), BoxError> {
        let layout = Layout::for_data_area(volume.data_sectors());
        if layout.data_sectors < 16 {
            return Err(Box::new(StoreError::NoSpace {
                path: "(the vault is too small for a store)".into(),
            }));
        }
        let anchor = Anchor { sequence: 0, meta_len: 0, layout };
        let region = MetaRegion::new(volume.io(), volume.subkey(ANCHOR_MAC_CONTEXT), anchor);
        region.format_anchor()?;
        let db = builder().create_with_backend(region).map_err(StoreError::from)?;
        let keys = keys(volume);
        let mut tx = db.begin_write().map_err(StoreError::from)?;
        tx.set_two_phase_commit(true);
        {
            let sealer = &keys.sealer;
            let mut inodes = tx.open_table(INODES).map_err(StoreError::from)?;
            let root = Inode::new(Kind::Dir, 0o755, ROOT);
            inodes
                .insert(ROOT, sealer.seal("inodes", &records::ino_key(ROOT), &root).as_slice())
                .map_err(StoreError::from)?;
            let mut meta = tx.open_table(META).map_err(StoreError::from)?;
            meta.insert("next_inode", sealer.seal("meta", b"next_inode", &2u64).as_slice())
                .map_err(StoreError::from)?;
            let mut free = tx.open_table(FREE).map_err(StoreError::from)?;
            let (start, len) = (layout.data_first, layout.data_sectors);
            free.insert(start, sealer.seal("free", &start.to_le_bytes(), &len).as_slice())
                .map_err(StoreError::from)?;
            meta.insert(
                alloc::FREE_COUNTER,
                sealer.seal("meta", alloc::FREE_COUNTER.as_bytes(), &len).as_slice(),
            )
            .map_err(StoreError::from)?;
            tx.open_table(DIRENTS).map_err(StoreError::from)?;
            tx.open_table(CHUNKS).map_err(StoreError::from)?;
            tx.open_table(XATTRS).map_err(StoreError::from)?;
            let mut audit = tx.open_table(AUDIT).map_err(StoreError::from)?;
            let record = AuditRecord { time: Time::now(), event: "init".into(), fields: vec![] };
            audit
                .insert(0, sealer.seal("audit", &0u64.to_le_bytes(), &record).as_slice())
                .map_err(StoreError::from)?;
        }
        tx.commit().map_err(StoreError::from)?;
        drop(db);
        Ok(())
    }

    /// Opens the store of an unlocked volume.
    pub fn open(volume: Volume<D>) -> Result<Store<D>, StoreError> {
        let io = volume.io();
        let anchor_key = volume.subkey(ANCHOR_MAC_CONTEXT);
        let anchor = region::read_anchor(&io, &anchor_key).map_err(|e| StoreError::Db(redb::Error::Io(e)))?;
        let anchor = anchor.ok_or(StoreError::NoAnchor)?;
        let layout = anchor.layout;
        let region = MetaRegion::new(io.clone(), anchor_key, anchor);
        let keys = keys(&volume);
        // One writer at a time, and no reader while it writes: invariant 2 assumes it.
        io.device().claim(!io.device().read_only())?;
        if io.device().read_only() {
            // Nothing may be written: a database that needs recovery is refused, not repaired.
            let db = Db::ReadOnly(builder().open_read_only_with_backend(region)?);
            return Ok(Store { volume, io, db, keys, layout, frees: Default::default() });
        }
        let db = Db::ReadWrite(builder().create_with_backend(region)?);
        let store = Store { volume, io, db, keys, layout, frees: Default::default() };
        let mut tx = store.begin()?;
        // Tables added since the vault was made are created empty.
        let missing = store.db.begin_read()?.open_table(XATTRS).is_err();
        if missing {
            tx.raw().open_table(XATTRS)?;
        }
        // Files unlinked while open, whose last handle never closed (a crash, a kill): gone now.
        if tx.reap_orphans()? > 0 || missing {
            tx.commit()?;
        }
        Ok(store)
    }

    /// Closes the store (every commit is already durable) and gives the volume back.
    pub fn close(self) -> Volume<D> {
        drop(self.db);
        drop(self.io);
        self.volume
    }

    pub fn volume(&self) -> &Volume<D> {
        &self.volume
    }

    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Starts a write transaction. Only one runs at a time.
    pub fn begin(&self) -> Result<Txn<'_, D>, StoreError> {
        let Db::ReadWrite(db) = &self.db else { return Err(StoreError::ReadOnly) };
        let mut tx = db.begin_write()?;
        tx.set_two_phase_commit(true);
        Ok(Txn::new(self, tx))
    }

    /// A setting (see [`Txn::put_setting`]) as the last commit has it.
    pub fn begin_read_setting<T: serde::de::DeserializeOwned>(
        &self,
        name: &str,
    ) -> Result<Option<T>, StoreError> {
        let read = self.db.begin_read()?;
        let table = read.open_table(META)?;
        let value = redb::ReadableTable::get(&table, name)?;
        match value {
            Some(v) => Ok(Some(self.keys.sealer.open("meta", name.as_bytes(), v.value())?)),
            None => Ok(None),
        }
    }

    /// A consistent read-only view of the last commit.
    pub fn read(&self) -> Result<ReadView<'_, D>, StoreError> {
        let (tx, seen) = self.frees.opened(|| self.db.begin_read())?;
        Ok(ReadView::new(self, tx, seen))
    }

    /// What the store holds and what it takes on the device.
    pub fn usage(&self) -> Result<Usage, StoreError> {
        let view = self.read()?;
        let records = records::Records { sealer: &self.keys.sealer };
        let mut file_bytes = 0;
        let mut files = 0;
        {
            use redb::ReadableTable;
            for item in view.tx().open_table(INODES)?.iter()? {
                let (k, _) = item?;
                if let Some(inode) = records.inode(&view.tx().open_table(INODES)?, k.value())?
                    && inode.kind == Kind::File
                    && inode.nlink > 0
                {
                    file_bytes += inode.size;
                    files += 1;
                }
            }
        }
        let used_sectors = self.layout.data_sectors - view.free_sectors()?;
        let anchor = region::read_anchor(&self.io, &self.volume.subkey(ANCHOR_MAC_CONTEXT))
            .map_err(|e| StoreError::Db(redb::Error::Io(e)))?
            .ok_or(StoreError::NoAnchor)?;
        Ok(Usage {
            files,
            file_bytes,
            data_bytes: used_sectors * crate::SECTOR_SIZE as u64,
            metadata_bytes: anchor.meta_len,
            capacity_bytes: self.layout.data_sectors * crate::SECTOR_SIZE as u64,
        })
    }

    pub(crate) fn io(&self) -> &SectorIo<D> {
        &self.io
    }

    pub(crate) fn keys(&self) -> &Keys {
        &self.keys
    }

    pub(crate) fn frees(&self) -> &frees::Frees {
        &self.frees
    }

    /// True when a durable commit now would free sectors that earlier commits stopped
    /// referencing (they wait for one, and for the read views that could read them to end).
    pub fn frees_waiting(&self) -> bool {
        self.frees.any_releasable()
    }
}

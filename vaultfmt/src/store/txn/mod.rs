//! Write transactions: every change to the store happens in one, and becomes visible and
//! durable together at `commit`. Dropping a transaction without committing abandons it: the
//! sectors it wrote were free in the last commit, so nothing committed is touched.
//!
//! By concern: names (`names.rs`), contents (`data.rs`), a file's prior version while it is
//! changed (`prior.rs`), attributes (`attrs.rs`); here the
//! records, the audit log, the settings and the commit.

mod attrs;
mod data;
mod names;
mod prior;

use redb::{ReadableTable, WriteTransaction};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::alloc::Allocator;
use super::records::{self, AUDIT, AuditRecord, CHUNKS, Chunk, FREE, INODES, Inode, META, Records, Time};
use super::{Store, StoreError};
use crate::dev::BlockDevice;
pub use prior::{PRIORS_SETTING, Prior};

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
    /// The prior versions kept (`prior.rs`), once read.
    priors: Option<Vec<Prior>>,
}

/// The setting that lists orphans: files unlinked while open.
pub const ORPHANS_SETTING: &str = "orphans";

impl<'s, D: BlockDevice + 'static> Txn<'s, D> {
    pub(crate) fn new(store: &'s Store<D>, tx: WriteTransaction) -> Self {
        let hint = store.layout().data_first;
        Txn { store, tx, freed: Vec::new(), hint, open: Default::default(), priors: None }
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

//! The store's tables and records. Every value carries a 16-byte keyed-BLAKE3 MAC over the
//! table's name, the key and the value, checked on every read: redb's own page checksums
//! (XXH3) detect accidents but not deliberate changes, and a record moved to another key or
//! table fails its MAC.

use redb::{ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};

use super::StoreError;
use crate::secret::Locked;

/// Inode number → [`Inode`].
pub const INODES: TableDefinition<u64, &[u8]> = TableDefinition::new("inodes");
/// (directory inode, name) → child inode number.
pub const DIRENTS: TableDefinition<(u64, &str), &[u8]> = TableDefinition::new("dirents");
/// (file inode, chunk index) → [`Chunk`].
pub const CHUNKS: TableDefinition<(u64, u64), &[u8]> = TableDefinition::new("chunks");
/// First free data sector → number of free sectors from there.
pub const FREE: TableDefinition<u64, &[u8]> = TableDefinition::new("free");
/// Name → value: counters and settings.
pub const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// (inode, attribute name) → value: extended attributes.
pub const XATTRS: TableDefinition<(u64, &str), &[u8]> = TableDefinition::new("xattrs");
/// Sequence number → [`AuditRecord`]: append-only.
pub const AUDIT: TableDefinition<u64, &[u8]> = TableDefinition::new("audit");

pub const ROOT: u64 = 1;
/// Plaintext bytes in one chunk: the unit of allocation and of verification.
pub const CHUNK_BYTES: usize = 64 * 1024;
const TAG_BYTES: usize = 16;

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    Symlink,
}

/// Seconds and nanoseconds since the epoch.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Time {
    pub secs: i64,
    pub nanos: u32,
}

impl Time {
    pub fn now() -> Time {
        let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        Time { secs: d.as_secs() as i64, nanos: d.subsec_nanos() }
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Inode {
    pub kind: Kind,
    /// Permission bits (07777).
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub nlink: u32,
    pub size: u64,
    pub atime: Time,
    pub mtime: Time,
    pub ctime: Time,
    /// The directory this inode was first linked into (for paths in messages).
    pub parent: u64,
    /// A symbolic link's target.
    pub target: Option<String>,
    /// BLAKE3 of the whole content, when known (set by whole-file writes; cleared by
    /// partial writes until recomputed).
    pub content_hash: Option<[u8; 32]>,
}

impl Inode {
    pub fn new(kind: Kind, mode: u32, parent: u64) -> Inode {
        let now = Time::now();
        Inode {
            kind,
            mode: mode & 0o7777,
            uid: 0,
            gid: 0,
            nlink: if kind == Kind::Dir { 2 } else { 1 },
            size: 0,
            atime: now,
            mtime: now,
            ctime: now,
            parent,
            target: None,
            content_hash: None,
        }
    }
}

/// Where one chunk of a file lies, and its keyed hash.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunk {
    /// First data-area sector.
    pub sector: u64,
    /// Plaintext bytes (at most `CHUNK_BYTES`); it fills `len.div_ceil(4096)` sectors.
    pub len: u32,
    /// Keyed BLAKE3 of the plaintext.
    pub hash: [u8; 32],
}

impl Chunk {
    pub fn sectors(&self) -> u64 {
        (self.len as u64).div_ceil(crate::SECTOR_SIZE as u64)
    }
}

/// One audit-log entry: what happened, with names of rules and tags but never a value.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct AuditRecord {
    pub time: Time,
    pub event: String,
    pub fields: Vec<(String, String)>,
}

/// Seals and opens record values with the record MAC key.
pub struct Sealer {
    key: Locked<[u8; 32]>,
}

impl Sealer {
    pub fn new(key: Locked<[u8; 32]>) -> Sealer {
        Sealer { key }
    }

    fn tag(&self, table: &str, key: &[u8], payload: &[u8]) -> [u8; TAG_BYTES] {
        let mut h = blake3::Hasher::new_keyed(&self.key);
        h.update(&(table.len() as u32).to_le_bytes());
        h.update(table.as_bytes());
        h.update(&(key.len() as u32).to_le_bytes());
        h.update(key);
        h.update(payload);
        h.finalize().as_bytes()[..TAG_BYTES].try_into().expect("16 bytes")
    }

    pub fn seal<T: Serialize>(&self, table: &str, key: &[u8], value: &T) -> Vec<u8> {
        let mut bytes = postcard::to_stdvec(value).expect("records serialize");
        let tag = self.tag(table, key, &bytes);
        bytes.extend_from_slice(&tag);
        bytes
    }

    pub fn open<T: for<'a> Deserialize<'a>>(
        &self,
        table: &'static str,
        key: &[u8],
        sealed: &[u8],
    ) -> Result<T, StoreError> {
        let bad = || StoreError::BadRecord { table, key: hex(key) };
        if sealed.len() < TAG_BYTES {
            return Err(bad());
        }
        let (payload, tag) = sealed.split_at(sealed.len() - TAG_BYTES);
        if self.tag(table, key, payload) != tag {
            return Err(bad());
        }
        postcard::from_bytes(payload).map_err(|_| bad())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Key bytes as the MAC sees them.
pub fn ino_key(ino: u64) -> [u8; 8] {
    ino.to_le_bytes()
}

pub fn dirent_key(parent: u64, name: &str) -> Vec<u8> {
    let mut k = parent.to_le_bytes().to_vec();
    k.extend_from_slice(name.as_bytes());
    k
}

pub fn chunk_key(ino: u64, index: u64) -> [u8; 16] {
    let mut k = [0u8; 16];
    k[..8].copy_from_slice(&ino.to_le_bytes());
    k[8..].copy_from_slice(&index.to_le_bytes());
    k
}

/// Typed reads shared by write and read transactions.
pub struct Records<'a> {
    pub sealer: &'a Sealer,
}

impl Records<'_> {
    pub fn inode(
        &self,
        t: &impl ReadableTable<u64, &'static [u8]>,
        ino: u64,
    ) -> Result<Option<Inode>, StoreError> {
        match t.get(ino)? {
            Some(v) => Ok(Some(self.sealer.open("inodes", &ino_key(ino), v.value())?)),
            None => Ok(None),
        }
    }

    pub fn dirent(
        &self,
        t: &impl ReadableTable<(u64, &'static str), &'static [u8]>,
        parent: u64,
        name: &str,
    ) -> Result<Option<u64>, StoreError> {
        match t.get((parent, name))? {
            Some(v) => Ok(Some(self.sealer.open("dirents", &dirent_key(parent, name), v.value())?)),
            None => Ok(None),
        }
    }

    /// A directory's entries, in name order.
    pub fn entries(
        &self,
        t: &impl ReadableTable<(u64, &'static str), &'static [u8]>,
        dir: u64,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        let mut out = Vec::new();
        for item in t.range((dir, "")..(dir + 1, ""))? {
            let (k, v) = item?;
            let (parent, name) = k.value();
            let child: u64 = self.sealer.open("dirents", &dirent_key(parent, name), v.value())?;
            out.push((name.to_string(), child));
        }
        Ok(out)
    }

    /// A file's chunks from index `from` on, in order.
    pub fn chunks(
        &self,
        t: &impl ReadableTable<(u64, u64), &'static [u8]>,
        ino: u64,
        from: u64,
    ) -> Result<Vec<(u64, Chunk)>, StoreError> {
        self.chunk_range(t, ino, from, u64::MAX)
    }

    /// The chunks of `ino` with indexes `from..=to`.
    pub fn chunk_range(
        &self,
        t: &impl ReadableTable<(u64, u64), &'static [u8]>,
        ino: u64,
        from: u64,
        to: u64,
    ) -> Result<Vec<(u64, Chunk)>, StoreError> {
        let mut out = Vec::new();
        for item in t.range((ino, from)..=(ino, to))? {
            let (k, v) = item?;
            let (_, index) = k.value();
            out.push((index, self.sealer.open("chunks", &chunk_key(ino, index), v.value())?));
        }
        Ok(out)
    }

    pub fn xattr(
        &self,
        t: &impl ReadableTable<(u64, &'static str), &'static [u8]>,
        ino: u64,
        name: &str,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        match t.get((ino, name))? {
            Some(v) => Ok(Some(self.sealer.open("xattrs", &dirent_key(ino, name), v.value())?)),
            None => Ok(None),
        }
    }

    pub fn xattr_names(
        &self,
        t: &impl ReadableTable<(u64, &'static str), &'static [u8]>,
        ino: u64,
    ) -> Result<Vec<String>, StoreError> {
        let mut out = Vec::new();
        for item in t.range((ino, "")..(ino + 1, ""))? {
            let (k, _) = item?;
            out.push(k.value().1.to_string());
        }
        Ok(out)
    }

    pub fn meta_u64(
        &self,
        t: &impl ReadableTable<&'static str, &'static [u8]>,
        name: &'static str,
    ) -> Result<u64, StoreError> {
        match t.get(name)? {
            Some(v) => self.sealer.open("meta", name.as_bytes(), v.value()),
            None => Ok(0),
        }
    }
}

//! A file's prior version: what it held when it was last passed, kept while it is changed in
//! place until the change is passed too (then the prior version is freed, [`Txn::drop_prior`])
//! or refused (then it is put back, [`Txn::restore_prior`], as a file of its own under the
//! names the changed one had). So a refused edit of a file, or a refused copy over it, loses
//! nothing of what it held.
//!
//! Nothing is copied. From [`Txn::keep_prior`] on, a change that replaces or cuts away one of
//! the file's chunks moves that chunk to a nameless *shadow* file instead of freeing it, the
//! first time that chunk goes; a chunk written since (past the old end, or in a hole the file
//! had) is freed as before. The kept versions are listed in the store ([`PRIORS_SETTING`]),
//! written in the transaction that starts keeping, so that no crash leaves a version half kept.
//! A shadow's chunks are the store's like any file's (fsck counts them in use); the shadow is
//! in no folder and is not an orphan.

use std::collections::BTreeSet;

use redb::ReadableTable;
use serde::{Deserialize, Serialize};

use super::Txn;
use crate::dev::BlockDevice;
use crate::store::StoreError;
use crate::store::records::{self, CHUNK_BYTES, CHUNKS, Chunk, Inode, Kind, Time, XATTRS};

/// The setting that lists the prior versions kept.
pub const PRIORS_SETTING: &str = "priors";

/// A file put back ([`Txn::restore_prior`]): its new inode number and its names (folder, name).
pub type PutBack = (u64, Vec<(u64, String)>);

/// A file whose prior version is kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prior {
    /// The file.
    pub ino: u64,
    /// The nameless file its replaced chunks go to; its record is the file's as it was.
    pub shadow: u64,
    /// How many chunks the prior version spans.
    pub chunks: u64,
    /// Runs of chunk indexes (`first..end`) below that where the prior version had no chunk (a
    /// hole): a chunk written there since is not the prior version's.
    pub holes: Vec<(u64, u64)>,
}

impl Prior {
    /// True when chunk `index` of the file, the first time it goes, is the prior version's.
    fn holds(&self, index: u64) -> bool {
        index < self.chunks && !self.holes.iter().any(|&(a, b)| (a..b).contains(&index))
    }
}

/// The runs of indexes below `count` that `present` lacks.
fn holes(present: &BTreeSet<u64>, count: u64) -> Vec<(u64, u64)> {
    let mut runs = Vec::new();
    let mut next = 0;
    for &i in present.range(..count) {
        if i > next {
            runs.push((next, i));
        }
        next = i + 1;
    }
    if next < count {
        runs.push((next, count));
    }
    runs
}

impl<'s, D: BlockDevice + 'static> Txn<'s, D> {
    /// Every prior version kept, read from the store once a transaction.
    fn kept(&mut self) -> Result<&[Prior], StoreError> {
        if self.priors.is_none() {
            self.priors = Some(self.setting(PRIORS_SETTING)?.unwrap_or_default());
        }
        Ok(self.priors.as_deref().unwrap_or_default())
    }

    /// Every prior version kept.
    pub fn priors(&mut self) -> Result<Vec<Prior>, StoreError> {
        Ok(self.kept()?.to_vec())
    }

    fn put_priors(&mut self, priors: Vec<Prior>) -> Result<(), StoreError> {
        self.put_setting(PRIORS_SETTING, &priors)?;
        self.priors = Some(priors);
        Ok(())
    }

    fn prior_of(&mut self, ino: u64) -> Result<Option<Prior>, StoreError> {
        Ok(self.kept()?.iter().find(|p| p.ino == ino).cloned())
    }

    /// True when file `ino`'s prior version is kept.
    pub fn has_prior(&mut self, ino: u64) -> Result<bool, StoreError> {
        Ok(self.prior_of(ino)?.is_some())
    }

    /// Keeps what file `ino` holds now as its prior version, until [`Txn::drop_prior`] or
    /// [`Txn::restore_prior`]. True when it starts keeping; false when a version is kept already
    /// (the earlier one stays: it is the one that was passed) or `ino` is no regular file.
    pub fn keep_prior(&mut self, ino: u64) -> Result<bool, StoreError> {
        let inode = self.must_inode(ino)?;
        if inode.kind != Kind::File || self.has_prior(ino)? {
            return Ok(false);
        }
        let chunks = inode.size.div_ceil(CHUNK_BYTES as u64);
        // The chunks' indexes only: no record need be opened.
        let present: BTreeSet<u64> = {
            let table = self.tx.open_table(CHUNKS)?;
            let mut present = BTreeSet::new();
            for item in table.range((ino, 0)..=(ino, u64::MAX))? {
                present.insert(item?.0.value().1);
            }
            present
        };
        let shadow = self.next_inode()?;
        let mut kept = inode;
        kept.nlink = 0;
        self.put_inode(shadow, &kept)?;
        let mut priors = self.priors()?;
        priors.push(Prior { ino, shadow, chunks, holes: holes(&present, chunks) });
        self.put_priors(priors)?;
        Ok(true)
    }

    /// A chunk of `ino` that a change replaces or cuts away (its record removed already): moved
    /// to the shadow when it is the prior version's and the first to go from its place, freed
    /// otherwise.
    pub(super) fn let_go(&mut self, ino: u64, index: u64, chunk: Chunk) -> Result<(), StoreError> {
        if let Some(p) = self.prior_of(ino)?
            && p.holds(index)
            && self.chunk_at(p.shadow, index)?.is_none()
        {
            return self.put_chunk(p.shadow, index, &chunk);
        }
        self.freed.push((chunk.sector, chunk.sectors()));
        Ok(())
    }

    /// Takes `ino`'s entry off the list of prior versions.
    fn take_prior(&mut self, ino: u64) -> Result<Option<Prior>, StoreError> {
        let mut priors = self.priors()?;
        let Some(at) = priors.iter().position(|p| p.ino == ino) else { return Ok(None) };
        let prior = priors.remove(at);
        self.put_priors(priors)?;
        Ok(Some(prior))
    }

    /// Stops keeping file `ino`'s prior version (its change was passed): what was kept aside is
    /// freed. False when none was kept.
    pub fn drop_prior(&mut self, ino: u64) -> Result<bool, StoreError> {
        let Some(p) = self.take_prior(ino)? else { return Ok(false) };
        self.drop_inode(p.shadow)?;
        Ok(true)
    }

    /// Puts back what file `ino` held when its prior version was kept — its content, size,
    /// modification time and hash — as a file of its own under every name `ino` had (with its
    /// mode, owner and extended attributes), and stops keeping it. `ino` goes, and every chunk
    /// written since with it. Returns the file's new inode number and its names (folder, name):
    /// a new number, because what a cache holds of `ino` (the kernel's page cache and the size
    /// it trusts while it caches written pages) is not true of the file put back. None when no
    /// version was kept, or the file has no name left (an orphan, freed at its last close).
    pub fn restore_prior(&mut self, ino: u64) -> Result<Option<PutBack>, StoreError> {
        let Some(p) = self.take_prior(ino)? else { return Ok(None) };
        let (Some(now), Some(was)) = (self.inode(ino)?, self.inode(p.shadow)?) else {
            if self.inode(p.shadow)?.is_some() {
                self.drop_inode(p.shadow)?;
            }
            return Ok(None);
        };
        if now.nlink == 0 {
            self.drop_inode(p.shadow)?;
            return Ok(None);
        }
        // The chunks no change reached join those kept aside; the rest stay with `ino`.
        let kept: BTreeSet<u64> = self.chunk_records(p.shadow, 0)?.into_iter().map(|(i, _)| i).collect();
        for (index, chunk) in self.chunk_records(ino, 0)? {
            if p.holds(index) && !kept.contains(&index) {
                self.tx.open_table(CHUNKS)?.remove((ino, index))?;
                self.put_chunk(p.shadow, index, &chunk)?;
            }
        }
        let mut names = Vec::new();
        while let Some((parent, name)) = self.a_name_of(ino)? {
            self.put_dirent(parent, &name, p.shadow)?;
            names.push((parent, name));
        }
        for name in self.xattr_names(ino)? {
            if let Some(value) = self.xattr(ino, &name)? {
                let sealed = self.seal("xattrs", &records::dirent_key(p.shadow, &name), &value);
                self.tx.open_table(XATTRS)?.insert((p.shadow, name.as_str()), sealed.as_slice())?;
            }
        }
        let back = Inode {
            nlink: names.len() as u32,
            size: was.size,
            mtime: was.mtime,
            content_hash: was.content_hash,
            ctime: Time::now(),
            parent: names.first().map_or(now.parent, |(parent, _)| *parent),
            ..now
        };
        self.put_inode(p.shadow, &back)?;
        self.drop_inode(ino)?;
        Ok(Some((p.shadow, names)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holes_are_the_runs_a_file_has_no_chunk_in() {
        let present: BTreeSet<u64> = [0, 1, 4, 5, 9].into_iter().collect();
        assert_eq!(holes(&present, 8), vec![(2, 4), (6, 8)]);
        assert_eq!(holes(&present, 12), vec![(2, 4), (6, 9), (10, 12)]);
        assert_eq!(holes(&BTreeSet::new(), 3), vec![(0, 3)]);
        assert_eq!(holes(&present, 2), Vec::<(u64, u64)>::new());
        let p = Prior { ino: 5, shadow: 6, chunks: 8, holes: holes(&present, 8) };
        let held: Vec<u64> = (0..10).filter(|&i| p.holds(i)).collect();
        assert_eq!(held, vec![0, 1, 4, 5]);
    }
}

//! Free space: a table of free extents (first sector → length) in the data region, and a
//! counter of free sectors.
//!
//! Sectors freed by a transaction are returned to the table only at its commit (see
//! `Txn::commit`), so a transaction never overwrites a sector that the last durable commit
//! still references: a power cut before the commit leaves that commit's data intact
//! (invariant 2).

use redb::{ReadableTable, Table};

use super::StoreError;
use super::records::Sealer;

pub const FREE_COUNTER: &str = "free_sectors";

pub struct Allocator<'a> {
    pub sealer: &'a Sealer,
}

impl Allocator<'_> {
    fn len_of(&self, start: u64, sealed: &[u8]) -> Result<u64, StoreError> {
        self.sealer.open("free", &start.to_le_bytes(), sealed)
    }

    fn put(&self, free: &mut Table<u64, &[u8]>, start: u64, len: u64) -> Result<(), StoreError> {
        free.insert(start, self.sealer.seal("free", &start.to_le_bytes(), &len).as_slice())?;
        Ok(())
    }

    fn adjust_counter(&self, meta: &mut Table<&str, &[u8]>, delta: i64) -> Result<(), StoreError> {
        let now: u64 = match meta.get(FREE_COUNTER)? {
            Some(v) => self.sealer.open("meta", FREE_COUNTER.as_bytes(), v.value())?,
            None => 0,
        };
        let next = now
            .checked_add_signed(delta)
            .ok_or(StoreError::Inconsistent("free-sector counter below zero"))?;
        meta.insert(FREE_COUNTER, self.sealer.seal("meta", FREE_COUNTER.as_bytes(), &next).as_slice())?;
        Ok(())
    }

    /// Takes up to `want` contiguous sectors (at least `min`): the first extent at or after
    /// `hint` that holds `want`, else the first anywhere that does, else the largest one if it
    /// holds at least `min`. Returns (start, length).
    pub fn allocate(
        &self,
        free: &mut Table<u64, &[u8]>,
        meta: &mut Table<&str, &[u8]>,
        want: u64,
        min: u64,
        hint: u64,
    ) -> Result<Option<(u64, u64)>, StoreError> {
        let mut pick: Option<(u64, u64)> = None;
        let mut largest: Option<(u64, u64)> = None;
        for range in [free.range(hint..)?, free.range(..hint)?] {
            for item in range {
                let (k, v) = item?;
                let (start, len) = (k.value(), self.len_of(k.value(), v.value())?);
                if len >= want {
                    pick = Some((start, len));
                    break;
                }
                if largest.is_none_or(|(_, l)| len > l) {
                    largest = Some((start, len));
                }
            }
            if pick.is_some() {
                break;
            }
        }
        let (start, len) = match (pick, largest) {
            (Some(p), _) => p,
            (None, Some(l)) if l.1 >= min => l,
            _ => return Ok(None),
        };
        let take = len.min(want);
        free.remove(start)?;
        if len > take {
            self.put(free, start + take, len - take)?;
        }
        self.adjust_counter(meta, -(take as i64))?;
        Ok(Some((start, take)))
    }

    /// Returns sectors to the free table, merging with neighbouring extents.
    pub fn release(
        &self,
        free: &mut Table<u64, &[u8]>,
        meta: &mut Table<&str, &[u8]>,
        start: u64,
        len: u64,
    ) -> Result<(), StoreError> {
        if len == 0 {
            return Ok(());
        }
        let (mut new_start, mut new_len) = (start, len);
        let before = match free.range(..start)?.next_back() {
            Some(item) => {
                let (k, v) = item?;
                Some((k.value(), self.len_of(k.value(), v.value())?))
            }
            None => None,
        };
        if let Some((b_start, b_len)) = before {
            if b_start + b_len > start {
                return Err(StoreError::Inconsistent("freeing sectors that are already free"));
            }
            if b_start + b_len == start {
                free.remove(b_start)?;
                new_start = b_start;
                new_len += b_len;
            }
        }
        let after = match free.range(start..)?.next() {
            Some(item) => {
                let (k, v) = item?;
                Some((k.value(), self.len_of(k.value(), v.value())?))
            }
            None => None,
        };
        if let Some((a_start, a_len)) = after {
            if a_start < start + len {
                return Err(StoreError::Inconsistent("freeing sectors that are already free"));
            }
            if a_start == start + len {
                free.remove(a_start)?;
                new_len += a_len;
            }
        }
        self.put(free, new_start, new_len)?;
        self.adjust_counter(meta, len as i64)
    }
}

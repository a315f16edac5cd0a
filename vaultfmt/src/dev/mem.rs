//! A device in memory: sparse, so a simulated 1 TB drive costs only the sectors written.

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::{BlockDevice, DevError, check_io};
use crate::SECTOR_SIZE;

/// Sector number → contents; sectors never written read as zeros.
#[derive(Clone, Default)]
pub(crate) struct SectorMap {
    sectors: BTreeMap<u64, Box<[u8; SECTOR_SIZE]>>,
}

impl SectorMap {
    pub(crate) fn read(&self, sector: u64, out: &mut [u8]) {
        match self.sectors.get(&sector) {
            Some(data) => out.copy_from_slice(&data[..]),
            None => out.fill(0),
        }
    }

    pub(crate) fn write(&mut self, sector: u64, data: &[u8]) {
        let slot = self.sectors.entry(sector).or_insert_with(|| Box::new([0; SECTOR_SIZE]));
        slot.copy_from_slice(data);
    }

    /// Every written sector, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u64, &[u8; SECTOR_SIZE])> {
        self.sectors.iter().map(|(s, d)| (*s, &**d))
    }
}

/// A block device held in memory. Flush is a no-op: memory never loses writes.
pub struct MemDevice {
    size: u64,
    map: Mutex<SectorMap>,
}

impl MemDevice {
    pub fn new(size: u64) -> MemDevice {
        MemDevice { size, map: Mutex::new(SectorMap::default()) }
    }

    pub(crate) fn from_map(size: u64, map: SectorMap) -> MemDevice {
        MemDevice { size, map: Mutex::new(map) }
    }

    /// The whole device as bytes (for tests that scan an image).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![0u8; self.size as usize];
        for (sector, data) in self.map.lock().unwrap().iter() {
            let at = sector as usize * SECTOR_SIZE;
            out[at..at + SECTOR_SIZE].copy_from_slice(data);
        }
        out
    }
}

impl BlockDevice for MemDevice {
    fn name(&self) -> &str {
        "memory"
    }

    fn size(&self) -> u64 {
        self.size
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), DevError> {
        check_io(self.name(), "read", offset, buf.len(), self.size)?;
        let map = self.map.lock().unwrap();
        for (i, chunk) in buf.chunks_exact_mut(SECTOR_SIZE).enumerate() {
            map.read(offset / SECTOR_SIZE as u64 + i as u64, chunk);
        }
        Ok(())
    }

    fn write_at(&self, offset: u64, buf: &[u8]) -> Result<(), DevError> {
        check_io(self.name(), "write", offset, buf.len(), self.size)?;
        let mut map = self.map.lock().unwrap();
        for (i, chunk) in buf.chunks_exact(SECTOR_SIZE).enumerate() {
            map.write(offset / SECTOR_SIZE as u64 + i as u64, chunk);
        }
        Ok(())
    }

    fn flush(&self) -> Result<(), DevError> {
        Ok(())
    }
}

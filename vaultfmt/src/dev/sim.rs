//! A simulated disk for crash tests: power cuts, torn sectors and I/O errors, from a seed.
//!
//! A real power cut cannot be driven from a test, so this simulator stands in for one. Its
//! fault model, which is what every crash test in this project assumes of a real drive:
//!
//! - **Volatile cache.** A write is held in a cache until the next `flush`. Reads see the
//!   cache (as the OS page cache and the drive's cache do). `flush` makes every cached write
//!   durable, then returns.
//! - **Power cut.** At a cut, each cached (not yet flushed) sector write independently is
//!   lost, reaches the medium whole, or is *torn*: each of its eight 512-byte physical sectors
//!   independently holds the old or the new bytes. Cached writes may therefore reach the medium
//!   in any order and any subset. Flushed data is never lost or torn.
//! - **Crash points.** Every `write_at` and `flush` call is one operation, numbered from 0.
//!   [`Faults::cut_at`] = N cuts the power just before operation N takes effect; from then on
//!   every call fails with [`DevError::Gone`] until [`SimDevice::restart`], which applies the
//!   power-cut model above and brings the device back. A test runs a workload once to count
//!   its operations, then again cutting at each one.
//! - **Pulled drive.** [`SimDevice::pull`] makes every later call fail with `Gone` at once,
//!   like an unplugged disk; the cache is lost as at a cut.
//! - **I/O errors.** Reads of the sectors in [`Faults::bad_sectors`] fail with
//!   [`DevError::Injected`]; [`Faults::fail_write_at`] = N makes write operation N fail without
//!   writing (and without cutting the power).
//! - **Silent corruption.** [`Faults::corrupt_writes`] = (sectors, n): the next n writes that
//!   touch those sectors land with one bit flipped in the first such sector, and report success
//!   (a bad cable or a failing drive). Reads return what landed: only a read-back check sees it.
//!
//! Everything random comes from one ChaCha8 generator seeded by [`Faults::seed`], so a failing
//! case is replayed exactly by its seed and cut point.

use std::collections::BTreeSet;
use std::sync::Mutex;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::mem::SectorMap;
use super::{BlockDevice, DevError, MemDevice, check_io};
use crate::SECTOR_SIZE;

/// The physical sector size inside a 4096-byte logical sector, the unit a cut can tear at.
pub const PHYSICAL_SECTOR: usize = 512;

/// What goes wrong, and when.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// Seed for every random choice.
    pub seed: u64,
    /// Cut the power just before this operation (writes and flushes, counted from 0).
    pub cut_at: Option<u64>,
    /// Sectors whose reads fail.
    pub bad_sectors: BTreeSet<u64>,
    /// This operation, if a write, fails with an injected error and writes nothing.
    pub fail_write_at: Option<u64>,
    /// The next n writes touching these sectors land with a bit flipped, silently.
    pub corrupt_writes: Option<(std::ops::Range<u64>, u32)>,
}

struct State {
    durable: SectorMap,
    /// Writes since the last flush, in the order issued: (sector, bytes).
    cache: Vec<(u64, Box<[u8; SECTOR_SIZE]>)>,
    /// The reads' view: durable with the cache applied.
    view: SectorMap,
    ops: u64,
    gone: bool,
    faults: Faults,
    rng: ChaCha8Rng,
}

/// The simulated disk. See the module documentation for its fault model.
pub struct SimDevice {
    size: u64,
    state: Mutex<State>,
}

impl SimDevice {
    pub fn new(size: u64, faults: Faults) -> SimDevice {
        SimDevice::with_contents(size, SectorMap::default(), faults)
    }

    /// A simulated disk that starts with the contents of `image` (all durable).
    pub fn from_image(image: &MemDevice, faults: Faults) -> SimDevice {
        let bytes = image.to_bytes();
        let mut map = SectorMap::default();
        for (i, chunk) in bytes.chunks_exact(SECTOR_SIZE).enumerate() {
            if chunk.iter().any(|&b| b != 0) {
                map.write(i as u64, chunk);
            }
        }
        SimDevice::with_contents(image.size(), map, faults)
    }

    fn with_contents(size: u64, durable: SectorMap, faults: Faults) -> SimDevice {
        let rng = ChaCha8Rng::seed_from_u64(faults.seed);
        let state =
            State { view: durable.clone(), durable, cache: Vec::new(), ops: 0, gone: false, faults, rng };
        SimDevice { size, state: Mutex::new(state) }
    }

    /// A new simulated disk whose contents are this one's durable contents now.
    pub fn fork(&self, faults: Faults) -> SimDevice {
        let durable = self.state.lock().unwrap().durable.clone();
        SimDevice::with_contents(self.size, durable, faults)
    }

    /// Operations (writes and flushes) issued so far, including the one that met a cut.
    pub fn ops(&self) -> u64 {
        self.state.lock().unwrap().ops
    }

    /// True once the power has been cut or the drive pulled, until `restart`.
    pub fn is_gone(&self) -> bool {
        self.state.lock().unwrap().gone
    }

    /// Unplugs the drive now: every later call fails until `restart`.
    pub fn pull(&self) {
        self.state.lock().unwrap().gone = true;
    }

    /// Cuts the power now (if it is not already off) and brings the device back: cached writes
    /// are lost, kept or torn as the fault model says, and the schedule of faults is cleared
    /// (a new one can be set with [`SimDevice::set_faults`]).
    pub fn restart(&self) {
        let mut st = self.state.lock().unwrap();
        let cache = std::mem::take(&mut st.cache);
        for (sector, new) in cache {
            match st.rng.random_range(0..3u8) {
                0 => {}
                1 => st.durable.write(sector, &new[..]),
                _ => {
                    let mut torn = [0u8; SECTOR_SIZE];
                    st.durable.read(sector, &mut torn);
                    for (i, part) in torn.chunks_exact_mut(PHYSICAL_SECTOR).enumerate() {
                        if st.rng.random_bool(0.5) {
                            part.copy_from_slice(&new[i * PHYSICAL_SECTOR..][..PHYSICAL_SECTOR]);
                        }
                    }
                    st.durable.write(sector, &torn);
                }
            }
        }
        st.view = st.durable.clone();
        st.gone = false;
        st.faults.cut_at = None;
        st.faults.fail_write_at = None;
    }

    /// Replaces the fault schedule; operations keep counting from where they are.
    pub fn set_faults(&self, faults: Faults) {
        let mut st = self.state.lock().unwrap();
        st.rng = ChaCha8Rng::seed_from_u64(faults.seed);
        st.faults = faults;
    }

    /// The durable contents as a memory device: what a power cut now could at best leave.
    pub fn durable_image(&self) -> MemDevice {
        MemDevice::from_map(self.size, self.state.lock().unwrap().durable.clone())
    }

    /// Counts an operation; fails if the power is off or this is the cut point.
    fn begin_op(&self, st: &mut State) -> Result<u64, DevError> {
        if st.gone {
            return Err(self.gone());
        }
        let op = st.ops;
        st.ops += 1;
        if st.faults.cut_at == Some(op) {
            st.gone = true;
            return Err(self.gone());
        }
        Ok(op)
    }

    fn gone(&self) -> DevError {
        DevError::Gone { device: self.name().to_string() }
    }
}

impl BlockDevice for SimDevice {
    fn name(&self) -> &str {
        "simulated disk"
    }

    fn size(&self) -> u64 {
        self.size
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), DevError> {
        check_io(self.name(), "read", offset, buf.len(), self.size)?;
        let st = self.state.lock().unwrap();
        if st.gone {
            return Err(self.gone());
        }
        let first = offset / SECTOR_SIZE as u64;
        for (i, chunk) in buf.chunks_exact_mut(SECTOR_SIZE).enumerate() {
            let sector = first + i as u64;
            if st.faults.bad_sectors.contains(&sector) {
                let offset = sector * SECTOR_SIZE as u64;
                return Err(DevError::Injected { device: self.name().to_string(), op: "read", offset });
            }
            st.view.read(sector, chunk);
        }
        Ok(())
    }

    fn write_at(&self, offset: u64, buf: &[u8]) -> Result<(), DevError> {
        check_io(self.name(), "write", offset, buf.len(), self.size)?;
        let mut st = self.state.lock().unwrap();
        let op = self.begin_op(&mut st)?;
        if st.faults.fail_write_at == Some(op) {
            return Err(DevError::Injected { device: self.name().to_string(), op: "write", offset });
        }
        let first = offset / SECTOR_SIZE as u64;
        let count = (buf.len() / SECTOR_SIZE) as u64;
        let mut flip = None;
        if let Some((range, left)) = &mut st.faults.corrupt_writes {
            let hit = range.start.max(first);
            if *left > 0 && hit < range.end.min(first + count) {
                *left -= 1;
                flip = Some(hit - first);
            }
        }
        for (i, chunk) in buf.chunks_exact(SECTOR_SIZE).enumerate() {
            let mut data: Box<[u8; SECTOR_SIZE]> = Box::new(chunk.try_into().expect("one sector"));
            if flip == Some(i as u64) {
                data[0] ^= 1;
            }
            let chunk = &data[..];
            st.view.write(first + i as u64, chunk);
            st.cache.push((first + i as u64, data.clone()));
        }
        Ok(())
    }

    fn flush(&self) -> Result<(), DevError> {
        let mut st = self.state.lock().unwrap();
        self.begin_op(&mut st)?;
        let cache = std::mem::take(&mut st.cache);
        for (sector, data) in cache {
            st.durable.write(sector, &data[..]);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sector(byte: u8) -> Vec<u8> {
        vec![byte; SECTOR_SIZE]
    }

    fn read(dev: &SimDevice, s: u64) -> Vec<u8> {
        let mut buf = sector(0);
        dev.read_at(s * SECTOR_SIZE as u64, &mut buf).unwrap();
        buf
    }

    #[test]
    fn flushed_writes_survive_a_cut_and_reads_see_the_cache() {
        for seed in 0..50 {
            let dev = SimDevice::new(16 * SECTOR_SIZE as u64, Faults { seed, ..Faults::default() });
            dev.write_at(0, &sector(1)).unwrap();
            dev.flush().unwrap();
            dev.write_at(0, &sector(2)).unwrap();
            assert_eq!(read(&dev, 0), sector(2), "reads see cached writes");
            dev.restart();
            let after = read(&dev, 0);
            // Each 512-byte part is old or new, never anything else.
            for part in after.chunks(PHYSICAL_SECTOR) {
                assert!(part.iter().all(|&b| b == 1) || part.iter().all(|&b| b == 2), "seed {seed}");
            }
        }
    }

    #[test]
    fn a_cut_can_lose_keep_or_tear_each_unflushed_write() {
        let (mut lost, mut kept, mut torn) = (0, 0, 0);
        for seed in 0..200 {
            let dev = SimDevice::new(16 * SECTOR_SIZE as u64, Faults { seed, ..Faults::default() });
            dev.write_at(0, &sector(9)).unwrap();
            dev.restart();
            let after = read(&dev, 0);
            match after.iter().filter(|&&b| b == 9).count() {
                0 => lost += 1,
                SECTOR_SIZE => kept += 1,
                _ => torn += 1,
            }
        }
        assert!(lost > 20 && kept > 20 && torn > 20, "lost {lost} kept {kept} torn {torn}");
    }

    #[test]
    fn the_cut_point_stops_the_device_until_restart() {
        let dev = SimDevice::new(16 * SECTOR_SIZE as u64, Faults { cut_at: Some(2), ..Faults::default() });
        dev.write_at(0, &sector(1)).unwrap(); // op 0
        dev.flush().unwrap(); // op 1
        assert!(matches!(dev.write_at(4096, &sector(2)), Err(DevError::Gone { .. }))); // op 2
        assert!(matches!(dev.flush(), Err(DevError::Gone { .. })));
        assert!(dev.is_gone());
        dev.restart();
        assert_eq!(read(&dev, 0), sector(1));
        assert_eq!(read(&dev, 1), sector(0), "the write at the cut point never happened");
        dev.write_at(4096, &sector(3)).unwrap();
    }

    #[test]
    fn same_seed_same_outcome() {
        let run = |seed| {
            let dev = SimDevice::new(64 * SECTOR_SIZE as u64, Faults { seed, ..Faults::default() });
            for s in 0..64u64 {
                dev.write_at(s * SECTOR_SIZE as u64, &sector(s as u8 + 1)).unwrap();
            }
            dev.restart();
            dev.durable_image().to_bytes()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
    }

    #[test]
    fn injected_errors() {
        let faults = Faults { bad_sectors: [3].into(), fail_write_at: Some(1), ..Faults::default() };
        let dev = SimDevice::new(16 * SECTOR_SIZE as u64, faults);
        let mut buf = sector(0);
        assert!(matches!(dev.read_at(3 * 4096, &mut buf), Err(DevError::Injected { .. })));
        dev.write_at(0, &sector(1)).unwrap();
        assert!(matches!(dev.write_at(4096, &sector(1)), Err(DevError::Injected { .. })));
        assert_eq!(read(&dev, 1), sector(0));
        dev.pull();
        assert!(dev.read_at(0, &mut buf).unwrap_err().is_gone());
    }
}

//! Argon2id: deriving a keyslot's wrapping key from a passphrase, and choosing its cost.
//!
//! Calibration follows `cryptsetup benchmark --pbkdf argon2id`: at least 4 passes, up to 4
//! lanes (never more than the CPUs), memory up to 1 GiB but never more than half the RAM, and
//! the memory (then the passes) scaled until one derivation takes about the target time
//! (2 s by default).

use std::time::{Duration, Instant};

use argon2::{Algorithm, Argon2, Params, Version};
use thiserror::Error;

use crate::secret::Locked;

/// Cost parameters of one Argon2id derivation, as stored in a keyslot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over the memory.
    pub time: u32,
    /// Lanes (parallelism).
    pub lanes: u32,
}

/// The fewest passes calibration chooses (cryptsetup's minimum for Argon2).
pub const MIN_TIME: u32 = 4;
/// The most lanes calibration chooses.
pub const MAX_LANES: u32 = 4;
/// The default memory ceiling: 1 GiB.
pub const DEFAULT_MAX_MEMORY_KIB: u32 = 1024 * 1024;
/// The default target time of one derivation.
pub const DEFAULT_TARGET: Duration = Duration::from_secs(2);

/// Bounds on parameters read from a header: a checksum-valid but hostile or damaged header
/// must not make `vault` allocate absurd memory or spin for hours.
pub const LIMIT_MEMORY_KIB: u32 = 4 * 1024 * 1024;
pub const LIMIT_TIME: u32 = 1000;
pub const LIMIT_LANES: u32 = 64;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum KdfError {
    #[error("Argon2id parameters out of range (memory {memory_kib} KiB, {time} passes, {lanes} lanes)")]
    OutOfRange { memory_kib: u32, time: u32, lanes: u32 },
}

impl KdfParams {
    /// Checks the parameters against Argon2's rules and this format's limits.
    pub fn validate(&self) -> Result<(), KdfError> {
        let ok = self.lanes >= 1
            && self.lanes <= LIMIT_LANES
            && self.time >= 1
            && self.time <= LIMIT_TIME
            && self.memory_kib >= 8 * self.lanes
            && self.memory_kib <= LIMIT_MEMORY_KIB;
        if ok {
            Ok(())
        } else {
            Err(KdfError::OutOfRange { memory_kib: self.memory_kib, time: self.time, lanes: self.lanes })
        }
    }

    /// Derives a 32-byte key from `secret` and `salt` into locked memory.
    pub fn derive(&self, secret: &[u8], salt: &[u8; 32]) -> Result<Locked<[u8; 32]>, KdfError> {
        self.validate()?;
        let params = Params::new(self.memory_kib, self.time, self.lanes, Some(32)).map_err(|_| {
            KdfError::OutOfRange { memory_kib: self.memory_kib, time: self.time, lanes: self.lanes }
        })?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut out = Locked::new([0u8; 32]);
        argon
            .hash_password_into(secret, salt, &mut out[..])
            .expect("validated parameters and a 32-byte salt are accepted");
        Ok(out)
    }
}

/// Total RAM in KiB.
pub fn total_ram_kib() -> u64 {
    // SAFETY: sysinfo fills the struct it is given.
    let mut info: libc::sysinfo = unsafe { std::mem::zeroed() };
    if unsafe { libc::sysinfo(&mut info) } != 0 {
        return 0;
    }
    info.totalram as u64 * info.mem_unit as u64 / 1024
}

/// The memory ceiling for this machine: `requested` (KiB), but never more than half the RAM.
pub fn memory_ceiling_kib(requested: u32) -> u32 {
    let half_ram = total_ram_kib() / 2;
    if half_ram == 0 { requested } else { requested.min(half_ram.min(u32::MAX as u64) as u32) }
}

/// Chooses parameters so that one derivation takes about `target` on this machine.
///
/// The cost of a KiB-pass grows with the memory (page faults, cache misses), so a small probe
/// underestimates a large derivation. Probes therefore run at half the memory the previous
/// probe suggested (starting at 64 MiB), until the suggestion moves by less than 10 % or three
/// probes have run; each probe costs about half the target. Memory is scaled up to the
/// ceiling with 4 passes; passes are added only when the memory is at the ceiling.
pub fn calibrate(target: Duration, max_memory_kib: u32) -> KdfParams {
    let cpus = std::thread::available_parallelism().map(|n| n.get() as u32).unwrap_or(1);
    let lanes = cpus.clamp(1, MAX_LANES);
    let floor = 8 * lanes;
    let ceiling = memory_ceiling_kib(max_memory_kib).max(floor);
    let want = target.as_secs_f64();
    let mut probe_kib = ceiling.min(64 * 1024);
    let mut chosen = KdfParams { memory_kib: probe_kib, time: MIN_TIME, lanes };
    for _ in 0..3 {
        let probe = KdfParams { memory_kib: probe_kib, time: MIN_TIME, lanes };
        let started = Instant::now();
        probe.derive(b"calibration", &[0u8; 32]).expect("probe parameters are valid");
        let per_kib_pass = started.elapsed().as_secs_f64().max(1e-6) / (probe_kib as f64 * MIN_TIME as f64);
        let memory = (want / (per_kib_pass * MIN_TIME as f64)).clamp(floor as f64, ceiling as f64) as u32;
        let time = (want / (per_kib_pass * memory as f64)).clamp(MIN_TIME as f64, LIMIT_TIME as f64) as u32;
        let previous = chosen.memory_kib as f64;
        chosen = KdfParams { memory_kib: memory, time, lanes };
        let next_probe = (memory / 2).max(probe_kib);
        if (memory as f64 - previous).abs() < 0.1 * previous || next_probe == probe_kib {
            break;
        }
        probe_kib = next_probe;
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivation_depends_on_secret_salt_and_parameters() {
        let p = KdfParams { memory_kib: 64, time: 1, lanes: 1 };
        let a = p.derive(b"made-up passphrase", &[1; 32]).unwrap();
        assert_eq!(a[..], p.derive(b"made-up passphrase", &[1; 32]).unwrap()[..]);
        assert_ne!(a[..], p.derive(b"made-up passphrasf", &[1; 32]).unwrap()[..]);
        assert_ne!(a[..], p.derive(b"made-up passphrase", &[2; 32]).unwrap()[..]);
        let q = KdfParams { time: 2, ..p };
        assert_ne!(a[..], q.derive(b"made-up passphrase", &[1; 32]).unwrap()[..]);
    }

    #[test]
    fn agrees_with_the_reference_argon2_command() {
        // Debian's `argon2` is the reference implementation (the README's setup installs it).
        // Salt: 32 ASCII bytes, so it can be passed on its command line.
        let salt = *b"made-up-salt-for-the-oracle-test";
        let p = KdfParams { memory_kib: 256, time: 4, lanes: 2 };
        let ours = p.derive(b"made-up passphrase", &salt).unwrap();
        let mut child = std::process::Command::new("argon2")
            .args([
                std::str::from_utf8(&salt).unwrap(),
                "-id",
                "-t",
                "4",
                "-k",
                "256",
                "-p",
                "2",
                "-l",
                "32",
                "-r",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("the argon2 command (Debian package argon2) is installed");
        use std::io::Write;
        child.stdin.take().unwrap().write_all(b"made-up passphrase").unwrap();
        let out = child.wait_with_output().unwrap();
        let hex: String = ours.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), hex);
    }

    #[test]
    fn hostile_parameters_are_refused() {
        for p in [
            KdfParams { memory_kib: LIMIT_MEMORY_KIB + 1, time: 4, lanes: 4 },
            KdfParams { memory_kib: 1024, time: 0, lanes: 4 },
            KdfParams { memory_kib: 1024, time: LIMIT_TIME + 1, lanes: 4 },
            KdfParams { memory_kib: 1024, time: 4, lanes: 0 },
            KdfParams { memory_kib: 8, time: 4, lanes: 4 },
        ] {
            assert!(p.derive(b"x", &[0; 32]).is_err(), "{p:?}");
        }
    }

    #[test]
    fn calibration_respects_the_ceilings_and_lands_near_the_target() {
        let p = calibrate(Duration::from_millis(300), 16 * 1024);
        assert!(p.memory_kib <= 16 * 1024, "{p:?}");
        assert!(p.time >= MIN_TIME && p.lanes >= 1 && p.lanes <= MAX_LANES, "{p:?}");
        assert!(p.memory_kib as u64 <= total_ram_kib() / 2);
        let started = Instant::now();
        p.derive(b"x", &[0; 32]).unwrap();
        let took = started.elapsed();
        // Generous bounds: the machine may be busy (while calibrating, which makes the cost too
        // high, or now, which makes it take longer), but an order of magnitude off is a bug.
        assert!(
            took > Duration::from_millis(30) && took < Duration::from_millis(3000),
            "{p:?} took {took:?}"
        );
    }
}

//! XTS-AES-256 (IEEE 1619-2007, NIST SP 800-38E) over data units of whole 16-byte blocks.
//!
//! Written here rather than taken from the `xts-mode` crate because that crate encrypts one
//! block at a time and reaches about 0.46 GB/s on this machine class; the speed target is
//! 0.8 × OpenSSL (5–7 GB/s). What makes the difference is handing the block cipher a whole
//! data unit at once: the tweaks of a unit are computed first, XORed in, the `aes` crate
//! encrypts all 256 blocks in one `encrypt_blocks` call (it picks AES-NI, VAES-256 or VAES-512
//! at run time), and the tweaks are XORed in again. The block cipher itself is the `aes`
//! crate's; only the mode is written here.
//!
//! Ciphertext stealing (data units that are not a whole number of blocks) is not
//! implemented: vault's data units are 4096-byte sectors, and a length that is not a
//! multiple of 16 is a programming error that panics.

use aes::cipher::{
    Array, BlockCipherDecBackend, BlockCipherDecClosure, BlockCipherDecrypt, BlockCipherEncBackend,
    BlockCipherEncClosure, BlockCipherEncrypt, BlockSizeUser, KeyInit, ParBlocksSizeUser, consts::U16,
    typenum::Unsigned,
};
use aes::{Aes256, Aes256Enc};

/// Bytes in one AES block.
pub const BLOCK_BYTES: usize = 16;

/// How many blocks have their tweaks computed in one batch (one 4096-byte sector).
const BATCH_BLOCKS: usize = 256;

/// Number of independent doubling chains used to compute a batch of tweaks. Each chain steps by
/// α^CHAINS, so the chains' multiplications do not wait on each other.
const CHAINS: usize = 8;

/// An XTS-AES-256 key pair: Key1 encrypts the data, Key2 encrypts the tweak.
pub struct Xts {
    engine: Engine,
}

enum Engine {
    /// AVX-512 + VAES, chosen at run time where the CPU has it (`vaes.rs`).
    #[cfg(target_arch = "x86_64")]
    Vaes(super::vaes::VaesXts),
    /// The `aes` crate's backends (AES-NI, VAES-256, ARMv8, software) with the mode below.
    Portable { data: Aes256, tweak: Aes256Enc },
}

/// The reduction of the bits that a shift by 8 pushes out of a 128-bit tweak: entry `b` is the
/// carry-less product `b · (x^7 + x^2 + x + 1)`, the polynomial of GF(2^128) in IEEE 1619.
const REDUCE_BY_8: [u16; 256] = {
    let mut table = [0u16; 256];
    let mut b = 0;
    while b < 256 {
        let mut product = 0u16;
        let mut bit = 0;
        while bit < 8 {
            if b & (1 << bit) != 0 {
                product ^= 0x87 << bit;
            }
            bit += 1;
        }
        table[b] = product;
        b += 1;
    }
    table
};

/// Multiplies a tweak by α (one doubling in GF(2^128), little-endian as IEEE 1619 5.2 says).
#[inline(always)]
pub(super) fn mul_alpha(t: u128) -> u128 {
    let carry = ((t >> 127) as u64).wrapping_neg() as u128 & 0x87;
    (t << 1) ^ carry
}

/// Multiplies a tweak by α^8.
#[inline(always)]
fn mul_alpha8(t: u128) -> u128 {
    (t << 8) ^ REDUCE_BY_8[(t >> 120) as usize] as u128
}

const VAES: &str = "avx512-vaes";
const PORTABLE: &str = "aes-crate";

/// The implementation [`Xts::new`] picks on this CPU, without a key (`vault --version`).
pub fn engine_here() -> &'static str {
    #[cfg(target_arch = "x86_64")]
    if super::vaes::available() {
        return VAES;
    }
    PORTABLE
}

impl Xts {
    /// Key1 and Key2, each 32 bytes. Refusing equal halves is the caller's rule
    /// (`SectorCipher`): the IEEE vectors themselves never use them.
    /// The fastest implementation this CPU runs.
    pub fn new(key1: &[u8; 32], key2: &[u8; 32]) -> Xts {
        #[cfg(target_arch = "x86_64")]
        if let Some(vaes) = super::vaes::VaesXts::new(key1, key2) {
            return Xts { engine: Engine::Vaes(vaes) };
        }
        Xts::portable(key1, key2)
    }

    /// The implementation over the `aes` crate, whatever the CPU; tests check it against the
    /// same vectors as the fast one.
    pub fn portable(key1: &[u8; 32], key2: &[u8; 32]) -> Xts {
        let engine = Engine::Portable {
            data: Aes256::new(&Array::from(*key1)),
            tweak: Aes256Enc::new(&Array::from(*key2)),
        };
        Xts { engine }
    }

    /// Which implementation runs: "avx512-vaes" or "aes-crate".
    pub fn engine(&self) -> &'static str {
        match self.engine {
            #[cfg(target_arch = "x86_64")]
            Engine::Vaes(_) => VAES,
            Engine::Portable { .. } => PORTABLE,
        }
    }

    /// Encrypts one data unit in place. `unit` is the data unit sequence number, which becomes
    /// the 128-bit little-endian tweak. `buf` must be a non-empty multiple of 16 bytes.
    pub fn encrypt_unit(&self, unit: u128, buf: &mut [u8]) {
        self.encrypt_units(unit, buf.len(), buf);
    }

    /// Decrypts one data unit in place; the inverse of [`Xts::encrypt_unit`].
    pub fn decrypt_unit(&self, unit: u128, buf: &mut [u8]) {
        self.decrypt_units(unit, buf.len(), buf);
    }

    /// Encrypts consecutive data units of `unit_bytes` each, numbered from `first_unit`.
    pub fn encrypt_units(&self, first_unit: u128, unit_bytes: usize, buf: &mut [u8]) {
        check_units(unit_bytes, buf.len());
        let (data, tweak) = match &self.engine {
            #[cfg(target_arch = "x86_64")]
            Engine::Vaes(vaes) => {
                return vaes.encrypt_units(first_unit, unit_bytes, buf);
            }
            Engine::Portable { data, tweak } => (data, tweak),
        };
        for (g, group) in buf.chunks_mut(GROUP_UNITS * unit_bytes).enumerate() {
            let first_tweaks = first_tweaks(tweak, first_unit, g, group.len() / unit_bytes);
            data.encrypt_with_backend(Pass { buf: group, unit_bytes, first_tweaks: &first_tweaks });
        }
    }

    /// Decrypts consecutive data units; the inverse of [`Xts::encrypt_units`].
    pub fn decrypt_units(&self, first_unit: u128, unit_bytes: usize, buf: &mut [u8]) {
        check_units(unit_bytes, buf.len());
        let (data, tweak) = match &self.engine {
            #[cfg(target_arch = "x86_64")]
            Engine::Vaes(vaes) => {
                return vaes.decrypt_units(first_unit, unit_bytes, buf);
            }
            Engine::Portable { data, tweak } => (data, tweak),
        };
        for (g, group) in buf.chunks_mut(GROUP_UNITS * unit_bytes).enumerate() {
            let first_tweaks = first_tweaks(tweak, first_unit, g, group.len() / unit_bytes);
            data.decrypt_with_backend(Pass { buf: group, unit_bytes, first_tweaks: &first_tweaks });
        }
    }
}

/// The first tweak of each unit of group `g` (Key2 applied to the unit number), the whole
/// group in one `encrypt_blocks` call.
fn first_tweaks(tweak: &Aes256Enc, first_unit: u128, g: usize, units: usize) -> TweakGroup {
    let mut blocks = [Block::default(); GROUP_UNITS];
    for (i, block) in blocks[..units].iter_mut().enumerate() {
        let unit = first_unit.wrapping_add((g * GROUP_UNITS + i) as u128);
        *block = Array::from(unit.to_le_bytes());
    }
    tweak.encrypt_blocks(&mut blocks[..units]);
    let mut group = TweakGroup { tweaks: [0; GROUP_UNITS], len: units };
    for (t, block) in group.tweaks.iter_mut().zip(&blocks[..units]) {
        *t = u128::from_le_bytes((*block).into());
    }
    group
}

fn check_units(unit_bytes: usize, buf_bytes: usize) {
    assert!(
        unit_bytes > 0 && unit_bytes.is_multiple_of(BLOCK_BYTES) && buf_bytes.is_multiple_of(unit_bytes),
        "XTS data unit of {unit_bytes} bytes (buffer {buf_bytes}) is not a whole number of blocks"
    );
}

/// How many data units have their first tweaks computed in one call.
const GROUP_UNITS: usize = 16;

type Block = Array<u8, U16>;

struct TweakGroup {
    tweaks: [u128; GROUP_UNITS],
    len: usize,
}

impl std::ops::Deref for TweakGroup {
    type Target = [u128];
    fn deref(&self) -> &[u128] {
        &self.tweaks[..self.len]
    }
}

/// One pass of XTS over a group of data units, run inside the `aes` crate's backend closure.
///
/// Running the whole mode inside the closure is what makes it fast: the `aes` crate calls the
/// closure from a function compiled for the CPU features it detected at run time (AES-NI,
/// VAES-256, AVX-512 + VAES), so the tweak arithmetic, the XORs and the parallel block
/// encryption below are inlined into that function and compiled for those features, without
/// building the whole binary for one CPU (`-C target-cpu=native`).
struct Pass<'a> {
    buf: &'a mut [u8],
    unit_bytes: usize,
    first_tweaks: &'a [u128],
}

impl BlockSizeUser for Pass<'_> {
    type BlockSize = U16;
}

impl BlockCipherEncClosure for Pass<'_> {
    #[inline(always)]
    fn call<B: BlockCipherEncBackend<BlockSize = U16>>(self, backend: &B) {
        self.run::<B>(
            |par| backend.encrypt_par_blocks_inplace(par),
            |tail| backend.encrypt_tail_blocks_inplace(tail),
        );
    }
}

impl BlockCipherDecClosure for Pass<'_> {
    #[inline(always)]
    fn call<B: BlockCipherDecBackend<BlockSize = U16>>(self, backend: &B) {
        self.run::<B>(
            |par| backend.decrypt_par_blocks_inplace(par),
            |tail| backend.decrypt_tail_blocks_inplace(tail),
        );
    }
}

impl Pass<'_> {
    #[inline(always)]
    fn run<B: ParBlocksSizeUser<BlockSize = U16>>(
        self,
        par: impl Fn(&mut Array<Block, B::ParBlocksSize>),
        tail: impl Fn(&mut [Block]),
    ) {
        let par_blocks = B::ParBlocksSize::USIZE;
        let mut tweaks = [0u128; BATCH_BLOCKS];
        for (unit, &first) in self.buf.chunks_exact_mut(self.unit_bytes).zip(self.first_tweaks) {
            let mut next = first;
            for batch in unit.chunks_mut(BATCH_BLOCKS * BLOCK_BYTES) {
                let n = batch.len() / BLOCK_BYTES;
                next = fill_tweaks(next, &mut tweaks[..n]);
                xor_tweaks(batch, &tweaks[..n]);
                let (blocks, _) = Block::slice_as_chunks_mut(batch);
                let (head, rest) = blocks.split_at_mut(n - n % par_blocks);
                let (chunks, _) = Array::<Block, B::ParBlocksSize>::slice_as_chunks_mut(head);
                for chunk in chunks {
                    par(chunk);
                }
                if !rest.is_empty() {
                    tail(rest);
                }
                xor_tweaks(batch, &tweaks[..n]);
            }
        }
    }
}

/// Writes `first, first·α, first·α², …` into `tweaks` and returns the tweak after the last.
#[inline(always)]
fn fill_tweaks(first: u128, tweaks: &mut [u128]) -> u128 {
    let n = tweaks.len();
    if n < 2 * CHAINS {
        let mut t = first;
        for slot in tweaks.iter_mut() {
            *slot = t;
            t = mul_alpha(t);
        }
        return t;
    }
    let mut t = first;
    for slot in tweaks[..CHAINS].iter_mut() {
        *slot = t;
        t = mul_alpha(t);
    }
    for i in CHAINS..n {
        tweaks[i] = mul_alpha8(tweaks[i - CHAINS]);
    }
    mul_alpha(tweaks[n - 1])
}

#[inline(always)]
fn xor_tweaks(buf: &mut [u8], tweaks: &[u128]) {
    for (block, tweak) in buf.chunks_exact_mut(BLOCK_BYTES).zip(tweaks) {
        let bytes: &mut [u8; BLOCK_BYTES] = block.try_into().expect("16-byte chunk");
        *bytes = (u128::from_le_bytes(*bytes) ^ tweak).to_le_bytes();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alpha8_is_eight_doublings() {
        let mut x = 0x8000_0000_0000_0000_0000_0000_0000_0001u128;
        for _ in 0..1000 {
            let mut y = x;
            for _ in 0..8 {
                y = mul_alpha(y);
            }
            assert_eq!(mul_alpha8(x), y);
            x = x.wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835).rotate_left(17) ^ 0xff;
        }
    }

    #[test]
    fn batched_tweaks_equal_the_plain_chain() {
        for n in [1, 2, 15, 16, 17, 255, 256] {
            let mut batched = vec![0u128; n];
            let after = fill_tweaks(0x1234_5678_9abc_def0_0fed_cba9_8765_4321, &mut batched);
            let mut t = 0x1234_5678_9abc_def0_0fed_cba9_8765_4321u128;
            for (i, b) in batched.iter().enumerate() {
                assert_eq!(*b, t, "tweak {i} of {n}");
                t = mul_alpha(t);
            }
            assert_eq!(after, t);
        }
    }
}

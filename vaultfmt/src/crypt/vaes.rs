//! XTS-AES-256 with AVX-512 + VAES + VPCLMULQDQ: four blocks per instruction, sixteen blocks
//! in flight, the tweaks of four blocks advanced by one instruction sequence.
//!
//! Why by hand: the `aes` crate encrypts a batch of blocks quickly, but the XTS mode around it
//! (256 tweaks per sector, two XOR passes) ran at 0.69 × OpenSSL even when compiled inside its
//! backend (see `xts.rs`). Here the tweak arithmetic, the XORs and the rounds share registers,
//! as in OpenSSL's and Linux's assembly. The whole file runs only after
//! `is_x86_feature_detected!` has confirmed every feature it is compiled for; elsewhere
//! `xts.rs` (the `aes` crate's AES-NI, VAES-256 or software backends) is used. Both are
//! checked against the IEEE 1619 and NIST vectors and against OpenSSL.

// Every function here is unsafe only for its target features and raw loads; its body is one
// unsafe region.
#![allow(unsafe_op_in_unsafe_fn)]

use core::arch::x86_64::*;
use zeroize::Zeroize;

const ROUNDS: usize = 14;

/// The expanded AES-256 keys for one XTS key pair.
pub struct VaesXts {
    /// Key1's encryption round keys.
    enc: [[u8; 16]; ROUNDS + 1],
    /// Key1's decryption round keys (equivalent inverse cipher order).
    dec: [[u8; 16]; ROUNDS + 1],
    /// Key2's encryption round keys (the tweak).
    tweak: [[u8; 16]; ROUNDS + 1],
}

impl Drop for VaesXts {
    fn drop(&mut self) {
        self.enc.zeroize();
        self.dec.zeroize();
        self.tweak.zeroize();
    }
}

/// True when this CPU has every feature the fast path is compiled for.
pub fn available() -> bool {
    is_x86_feature_detected!("aes")
        && is_x86_feature_detected!("avx512f")
        && is_x86_feature_detected!("avx512bw")
        && is_x86_feature_detected!("vaes")
        && is_x86_feature_detected!("vpclmulqdq")
}

impl VaesXts {
    /// Expands Key1 and Key2. Returns `None` when the CPU lacks the features.
    pub fn new(key1: &[u8; 32], key2: &[u8; 32]) -> Option<VaesXts> {
        if !available() {
            return None;
        }
        // SAFETY: `available()` confirmed AES-NI.
        unsafe {
            let enc = expand_key(key1);
            let tweak = expand_key(key2);
            let dec = inverse_keys(&enc);
            Some(VaesXts { enc, dec, tweak })
        }
    }

    /// Encrypts consecutive data units of `unit_bytes` (a multiple of 16) in place.
    pub fn encrypt_units(&self, first_unit: u128, unit_bytes: usize, buf: &mut [u8]) {
        for (i, unit) in buf.chunks_exact_mut(unit_bytes).enumerate() {
            // SAFETY: `new` succeeded only after `available()` confirmed every feature.
            unsafe { self.unit::<true>(first_unit.wrapping_add(i as u128), unit) }
        }
    }

    /// Decrypts consecutive data units in place.
    pub fn decrypt_units(&self, first_unit: u128, unit_bytes: usize, buf: &mut [u8]) {
        for (i, unit) in buf.chunks_exact_mut(unit_bytes).enumerate() {
            // SAFETY: as above.
            unsafe { self.unit::<false>(first_unit.wrapping_add(i as u128), unit) }
        }
    }

    #[target_feature(enable = "aes,avx512f,avx512bw,vaes,vpclmulqdq")]
    unsafe fn unit<const ENCRYPT: bool>(&self, unit: u128, buf: &mut [u8]) {
        debug_assert!(buf.len().is_multiple_of(16));
        let first = self.first_tweak(unit);
        // Lanes 0..3 hold the tweaks of blocks 0..3.
        let t1 = super::xts::mul_alpha(first);
        let t2 = super::xts::mul_alpha(t1);
        let t3 = super::xts::mul_alpha(t2);
        let lanes = [first, t1, t2, t3];
        let mut tweak = _mm512_loadu_si512(lanes.as_ptr() as *const __m512i);
        let keys = if ENCRYPT { &self.enc } else { &self.dec };
        let mut rk = [_mm512_setzero_si512(); ROUNDS + 1];
        for (r, key) in rk.iter_mut().zip(keys) {
            *r = _mm512_broadcast_i32x4(_mm_loadu_si128(key.as_ptr() as *const __m128i));
        }

        let mut chunks = buf.chunks_exact_mut(256);
        for chunk in &mut chunks {
            let p = chunk.as_mut_ptr() as *mut __m512i;
            let mut t = [tweak; 4];
            for j in 1..4 {
                t[j] = mul_alpha4(t[j - 1]);
            }
            tweak = mul_alpha4(t[3]);
            let mut x = [_mm512_setzero_si512(); 4];
            for j in 0..4 {
                x[j] = _mm512_xor_si512(_mm512_loadu_si512(p.add(j)), t[j]);
                x[j] = _mm512_xor_si512(x[j], rk[0]);
            }
            for r in rk.iter().take(ROUNDS).skip(1) {
                for xj in x.iter_mut() {
                    *xj = if ENCRYPT { _mm512_aesenc_epi128(*xj, *r) } else { _mm512_aesdec_epi128(*xj, *r) };
                }
            }
            for j in 0..4 {
                let last = if ENCRYPT {
                    _mm512_aesenclast_epi128(x[j], rk[ROUNDS])
                } else {
                    _mm512_aesdeclast_epi128(x[j], rk[ROUNDS])
                };
                _mm512_storeu_si512(p.add(j), _mm512_xor_si512(last, t[j]));
            }
        }
        // The last 1 to 15 blocks, four at a time; a group of fewer than four is loaded and
        // stored through a byte mask, so nothing outside the unit is touched.
        for group in chunks.into_remainder().chunks_mut(64) {
            let mask: u64 = if group.len() == 64 { !0 } else { (1u64 << group.len()) - 1 };
            let p = group.as_mut_ptr() as *mut i8;
            let mut x = _mm512_xor_si512(_mm512_maskz_loadu_epi8(mask, p), tweak);
            x = _mm512_xor_si512(x, rk[0]);
            for r in rk.iter().take(ROUNDS).skip(1) {
                x = if ENCRYPT { _mm512_aesenc_epi128(x, *r) } else { _mm512_aesdec_epi128(x, *r) };
            }
            x = if ENCRYPT {
                _mm512_aesenclast_epi128(x, rk[ROUNDS])
            } else {
                _mm512_aesdeclast_epi128(x, rk[ROUNDS])
            };
            _mm512_mask_storeu_epi8(p, mask, _mm512_xor_si512(x, tweak));
            tweak = mul_alpha4(tweak);
        }
    }

    /// Key2 applied to the unit number.
    #[target_feature(enable = "aes")]
    unsafe fn first_tweak(&self, unit: u128) -> u128 {
        let mut x = _mm_xor_si128(
            _mm_loadu_si128(unit.to_le_bytes().as_ptr() as *const __m128i),
            _mm_loadu_si128(self.tweak[0].as_ptr() as *const __m128i),
        );
        for key in &self.tweak[1..ROUNDS] {
            x = _mm_aesenc_si128(x, _mm_loadu_si128(key.as_ptr() as *const __m128i));
        }
        x = _mm_aesenclast_si128(x, _mm_loadu_si128(self.tweak[ROUNDS].as_ptr() as *const __m128i));
        let mut out = [0u8; 16];
        _mm_storeu_si128(out.as_mut_ptr() as *mut __m128i, x);
        u128::from_le_bytes(out)
    }
}

/// Multiplies each of the four 128-bit tweaks in `t` by α^4 (x^4 in GF(2^128)).
///
/// Each lane is shifted left by 4 bits as two 64-bit halves; the 4 bits that leave the low half
/// enter the high half, and the 4 that leave the lane are reduced: multiplied (carry-less) by
/// 0x87 and XORed into the low half.
#[inline]
#[target_feature(enable = "avx512f,avx512bw,vpclmulqdq")]
fn mul_alpha4(t: __m512i) -> __m512i {
    let shifted = _mm512_slli_epi64::<4>(t);
    let carries = _mm512_srli_epi64::<60>(t);
    // Swap the halves of each lane: the low half's carry moves up, the overflow moves down.
    let swapped = _mm512_shuffle_epi32::<0x4e>(carries);
    let into_high = _mm512_maskz_mov_epi64(0b1010_1010, swapped);
    let poly = _mm512_set1_epi64(0x87);
    let reduced = _mm512_clmulepi64_epi128::<0x00>(swapped, poly);
    _mm512_ternarylogic_epi64::<0x96>(shifted, into_high, reduced)
}

macro_rules! expand_round {
    ($prev:expr, $other:expr, $rcon:literal, $shuffle:literal) => {{
        let assist = _mm_shuffle_epi32::<$shuffle>(_mm_aeskeygenassist_si128::<$rcon>($other));
        let mut k = $prev;
        k = _mm_xor_si128(k, _mm_slli_si128::<4>(k));
        k = _mm_xor_si128(k, _mm_slli_si128::<4>(k));
        k = _mm_xor_si128(k, _mm_slli_si128::<4>(k));
        _mm_xor_si128(k, assist)
    }};
}

/// The AES-256 key schedule (FIPS 197 5.2) with AES-NI's key-generation assist.
#[target_feature(enable = "aes")]
unsafe fn expand_key(key: &[u8; 32]) -> [[u8; 16]; ROUNDS + 1] {
    let mut rk = [_mm_setzero_si128(); ROUNDS + 1];
    rk[0] = _mm_loadu_si128(key.as_ptr() as *const __m128i);
    rk[1] = _mm_loadu_si128(key.as_ptr().add(16) as *const __m128i);
    rk[2] = expand_round!(rk[0], rk[1], 0x01, 0xff);
    rk[3] = expand_round!(rk[1], rk[2], 0x00, 0xaa);
    rk[4] = expand_round!(rk[2], rk[3], 0x02, 0xff);
    rk[5] = expand_round!(rk[3], rk[4], 0x00, 0xaa);
    rk[6] = expand_round!(rk[4], rk[5], 0x04, 0xff);
    rk[7] = expand_round!(rk[5], rk[6], 0x00, 0xaa);
    rk[8] = expand_round!(rk[6], rk[7], 0x08, 0xff);
    rk[9] = expand_round!(rk[7], rk[8], 0x00, 0xaa);
    rk[10] = expand_round!(rk[8], rk[9], 0x10, 0xff);
    rk[11] = expand_round!(rk[9], rk[10], 0x00, 0xaa);
    rk[12] = expand_round!(rk[10], rk[11], 0x20, 0xff);
    rk[13] = expand_round!(rk[11], rk[12], 0x00, 0xaa);
    rk[14] = expand_round!(rk[12], rk[13], 0x40, 0xff);
    let mut out = [[0u8; 16]; ROUNDS + 1];
    for (o, k) in out.iter_mut().zip(rk) {
        _mm_storeu_si128(o.as_mut_ptr() as *mut __m128i, k);
    }
    out
}

/// Decryption round keys for the equivalent inverse cipher (FIPS 197 5.3.5): reversed, with
/// InvMixColumns applied to all but the first and last.
#[target_feature(enable = "aes")]
unsafe fn inverse_keys(enc: &[[u8; 16]; ROUNDS + 1]) -> [[u8; 16]; ROUNDS + 1] {
    let mut dec = [[0u8; 16]; ROUNDS + 1];
    dec[0] = enc[ROUNDS];
    dec[ROUNDS] = enc[0];
    for i in 1..ROUNDS {
        let k = _mm_aesimc_si128(_mm_loadu_si128(enc[ROUNDS - i].as_ptr() as *const __m128i));
        _mm_storeu_si128(dec[i].as_mut_ptr() as *mut __m128i, k);
    }
    dec
}

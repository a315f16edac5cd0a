//! The sector cipher against published vectors and against OpenSSL.
//!
//! - IEEE Std 1619-2007 XTS-AES-256 vectors 10–14 (`tests/data/ieee1619_xts_aes256.txt`).
//! - NIST CAVP `XTSGenAES256.rsp`, data-unit-sequence-number form, every vector whose data
//!   unit is whole bytes and whole blocks (256 and 384 bits: 600 of the 1000; the 140- and
//!   250-bit units need ciphertext stealing of partial bytes, which no 4096-byte sector needs).
//!   The file is read from PyPI's `cryptography_vectors` package, which the README's test
//!   command installs; `VAULT_XTS_VECTORS` may name the folder instead.
//! - Property tests: random keys, sectors and data, compared with OpenSSL's `aes-256-xts`.
//!
//! Each runs on both implementations: the one this CPU picks and the portable one.

use std::path::PathBuf;
use std::process::Command;

use openssl::symm::{Cipher, Crypter, Mode};
use proptest::prelude::*;
use vaultfmt::SECTOR_SIZE;
use vaultfmt::crypt::{SectorCipher, Xts};

fn engines(key: &[u8]) -> Vec<Xts> {
    let k1: [u8; 32] = key[..32].try_into().unwrap();
    let k2: [u8; 32] = key[32..].try_into().unwrap();
    vec![Xts::new(&k1, &k2), Xts::portable(&k1, &k2)]
}

fn check_vector(name: &str, key: &[u8], unit: u128, plain: &[u8], cipher: &[u8]) {
    for xts in engines(key) {
        let mut buf = plain.to_vec();
        xts.encrypt_unit(unit, &mut buf);
        assert_eq!(hex::encode(&buf), hex::encode(cipher), "{name} encrypt ({})", xts.engine());
        xts.decrypt_unit(unit, &mut buf);
        assert_eq!(buf, plain, "{name} decrypt ({})", xts.engine());
    }
}

#[test]
fn ieee_1619_vectors_10_to_14() {
    let text = include_str!("data/ieee1619_xts_aes256.txt");
    let key = hex::decode(field(text, "key").next().unwrap()).unwrap();
    let plain: Vec<u8> = (0..512).map(|i| i as u8).collect();
    let vectors: Vec<_> =
        field(text, "vector").zip(field(text, "sequence")).zip(field(text, "ciphertext")).collect();
    assert_eq!(vectors.len(), 5);
    for ((number, sequence), ciphertext) in vectors {
        let unit = u128::from_str_radix(sequence, 16).unwrap();
        let cipher = hex::decode(ciphertext).unwrap();
        check_vector(&format!("IEEE 1619 vector {number}"), &key, unit, &plain, &cipher);
    }
}

fn field<'a>(text: &'a str, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    text.lines().filter_map(move |l| l.strip_prefix(name)?.trim_start().strip_prefix('=').map(str::trim))
}

fn nist_file() -> PathBuf {
    let dir = match std::env::var_os("VAULT_XTS_VECTORS") {
        Some(dir) => PathBuf::from(dir),
        None => {
            let out = Command::new("python3")
                .args([
                    "-c",
                    "import cryptography_vectors, os; print(os.path.dirname(cryptography_vectors.__file__))",
                ])
                .output()
                .expect("python3 runs");
            assert!(
                out.status.success(),
                "the NIST XTS vectors come from PyPI's cryptography_vectors: \
                 `pip install cryptography_vectors` (the README's test command does)"
            );
            PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
                .join("ciphers/AES/XTS/tweak-dataunitseqno")
        }
    };
    dir.join("XTSGenAES256.rsp")
}

#[test]
fn nist_cavp_xtsgenaes256_whole_block_vectors() {
    let path = nist_file();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut mode = "";
    let mut current: Vec<(String, String)> = Vec::new();
    let mut checked = 0;
    let mut run = |mode: &str, rec: &[(String, String)]| {
        let get = |k: &str| rec.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str()).unwrap();
        let bits: usize = get("DataUnitLen").parse().unwrap();
        if !bits.is_multiple_of(128) {
            return;
        }
        let key = hex::decode(get("Key")).unwrap();
        let unit: u128 = get("DataUnitSeqNumber").parse().unwrap();
        let (pt, ct) = (hex::decode(get("PT")).unwrap(), hex::decode(get("CT")).unwrap());
        let name = format!("NIST {mode} COUNT {}", get("COUNT"));
        check_vector(&name, &key, unit, &pt, &ct);
        checked += 1;
    };
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            mode = if line == "[ENCRYPT]" { "encrypt" } else { "decrypt" };
        } else if let Some((k, v)) = line.split_once(" = ") {
            if k == "COUNT" && !current.is_empty() {
                run(mode, &current);
                current.clear();
            }
            current.push((k.to_string(), v.to_string()));
        }
    }
    run(mode, &current);
    assert_eq!(checked, 600, "whole-block vectors checked in {}", path.display());
}

fn openssl_xts(key: &[u8], first_sector: u64, data: &[u8], mode: Mode) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    for (i, sector) in data.chunks(SECTOR_SIZE).enumerate() {
        let mut iv = [0u8; 16];
        iv[..8].copy_from_slice(&(first_sector + i as u64).to_le_bytes());
        let mut c = Crypter::new(Cipher::aes_256_xts(), mode, key, Some(&iv)).unwrap();
        let mut buf = vec![0u8; sector.len() + 16];
        let n = c.update(sector, &mut buf).unwrap();
        let m = c.finalize(&mut buf[n..]).unwrap();
        out.extend_from_slice(&buf[..n + m]);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn sector_cipher_agrees_with_openssl(
        key in prop::array::uniform32(any::<u8>()).prop_flat_map(|k1|
            (Just(k1), prop::array::uniform32(any::<u8>()).prop_filter("halves differ", move |k2| *k2 != k1))),
        first_sector in prop_oneof![0u64..4, any::<u64>().prop_map(|s| s >> 1), Just(u64::MAX - 3)],
        sectors in 1usize..5,
        seed in any::<u64>(),
    ) {
        let mut full = [0u8; 64];
        full[..32].copy_from_slice(&key.0);
        full[32..].copy_from_slice(&key.1);
        let mut data = vec![0u8; sectors * SECTOR_SIZE];
        let mut x = seed | 1;
        for b in data.iter_mut() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            *b = x as u8;
        }
        let first_sector = first_sector.min(u64::MAX - sectors as u64);
        let expected = openssl_xts(&full, first_sector, &data, Mode::Encrypt);
        let cipher = SectorCipher::new(&full).unwrap();
        let mut buf = data.clone();
        cipher.encrypt_sectors(first_sector, &mut buf);
        prop_assert_eq!(&buf, &expected);
        prop_assert_eq!(openssl_xts(&full, first_sector, &buf, Mode::Decrypt), data.clone());
        cipher.decrypt_sectors(first_sector, &mut buf);
        prop_assert_eq!(&buf, &data);
        let portable = Xts::portable(&key.0, &key.1);
        let mut buf = data.clone();
        portable.encrypt_units(first_sector as u128, SECTOR_SIZE, &mut buf);
        prop_assert_eq!(&buf, &expected);
    }
}

//! `vault bench`: the sector cipher's throughput on 4096-byte units on one core, beside
//! OpenSSL's `aes-256-xts` measured in the same run, and the cost of the key derivation.

use std::process::Command;
use std::time::{Duration, Instant};

use clap::Args;
use vaultfmt::SECTOR_SIZE;
use vaultfmt::crypt::SectorCipher;
use vaultfmt::header::kdf;

use super::{kdf_human, kdf_json, print_json};
use crate::exit::Exit;
use crate::size::human;

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Seconds to measure each cipher direction (and OpenSSL)
    #[arg(long, value_name = "S", default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=60))]
    pub seconds: u64,
    /// Target time for the key-derivation calibration, in milliseconds
    #[arg(long, value_name = "MS", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(1..=60_000))]
    pub kdf_time: u64,
    /// Memory ceiling for the key derivation, in MiB
    #[arg(long, value_name = "MIB", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub kdf_memory: u32,
    /// Do not run `openssl speed` as the peer
    #[arg(long)]
    pub no_peer: bool,
    /// Print the result as one JSON object (key `xts_bytes_per_sec` among others)
    #[arg(long)]
    pub json: bool,
}

/// Bytes per second of one direction of the sector cipher, one 4096-byte unit per call.
fn cipher_speed(cipher: &SectorCipher, encrypt: bool, seconds: u64) -> f64 {
    let mut buf = vec![0x5au8; SECTOR_SIZE];
    let budget = Duration::from_secs(seconds);
    let started = Instant::now();
    let mut bytes = 0u64;
    let mut sector = 0u64;
    while started.elapsed() < budget {
        for _ in 0..4096 {
            if encrypt {
                cipher.encrypt_sectors(sector, &mut buf);
            } else {
                cipher.decrypt_sectors(sector, &mut buf);
            }
            sector += 1;
        }
        bytes += 4096 * SECTOR_SIZE as u64;
    }
    std::hint::black_box(&buf);
    bytes as f64 / started.elapsed().as_secs_f64()
}

/// `openssl speed -evp aes-256-xts -bytes 4096`: bytes per second, if openssl runs here.
fn openssl_speed(seconds: u64) -> Option<f64> {
    let out = Command::new("openssl")
        .args(["speed", "-evp", "aes-256-xts", "-bytes", "4096", "-seconds", &seconds.to_string()])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    // The last line: "AES-256-XTS    6843082.23k" (thousands of bytes per second).
    let line = text.lines().rev().find(|l| l.to_ascii_uppercase().starts_with("AES-256-XTS"))?;
    let value = line.split_whitespace().last()?.trim_end_matches('k');
    value.parse::<f64>().ok().map(|k| k * 1000.0)
}

pub fn run(args: BenchArgs) -> anyhow::Result<Exit> {
    let mut key = [0u8; 64];
    getrandom::fill(&mut key).expect("random source");
    key[63] ^= key[31] ^ 1; // the halves differ
    let cipher = SectorCipher::new(&key)?;
    let encrypt = cipher_speed(&cipher, true, args.seconds);
    let decrypt = cipher_speed(&cipher, false, args.seconds);
    let peer = if args.no_peer { None } else { openssl_speed(args.seconds) };
    let params = kdf::calibrate(Duration::from_millis(args.kdf_time), args.kdf_memory * 1024);
    let started = Instant::now();
    params.derive(b"benchmark", &[0u8; 32])?;
    let kdf_ms = started.elapsed().as_secs_f64() * 1000.0;
    let ratio = peer.map(|p| encrypt / p);
    if args.json {
        print_json(&serde_json::json!({
            "cipher": "aes-256-xts", "unit_bytes": SECTOR_SIZE, "cipher_engine": cipher.engine(),
            "xts_bytes_per_sec": encrypt.round(),
            "xts_decrypt_bytes_per_sec": decrypt.round(),
            "openssl_xts_bytes_per_sec": peer.map(f64::round),
            "ratio_vs_openssl": ratio,
            "kdf": kdf_json(&params),
            "kdf_millis": kdf_ms.round(),
        }));
    } else {
        let gbs = |b: f64| format!("{:.2} GB/s", b / 1e9);
        println!("AES-256-XTS, 4096-byte units, one core ({})", cipher.engine());
        println!("  vault encrypt   {}", gbs(encrypt));
        println!("  vault decrypt   {}", gbs(decrypt));
        match (peer, ratio) {
            (Some(p), Some(r)) => {
                println!("  openssl speed   {}   (vault / openssl = {r:.2})", gbs(p))
            }
            _ if args.no_peer => {}
            _ => println!("  openssl speed   not measured (no openssl command)"),
        }
        println!(
            "Key derivation: {} ({} of memory) took {kdf_ms:.0} ms",
            kdf_human(&params),
            human(params.memory_kib as u64 * 1024)
        );
    }
    Ok(Exit::Ok)
}

//! Sector-cipher throughput on 4 KiB units, one core. `vault bench` reports the same number
//! beside OpenSSL's; this bench exists for profiling the cipher alone.
use std::time::{Duration, Instant};
use vaultfmt::crypt::SectorCipher;

fn main() {
    let mut key = [0u8; 64];
    for (i, b) in key.iter_mut().enumerate() {
        *b = (i * 7 + 1) as u8;
    }
    let cipher = SectorCipher::new(&key).unwrap();
    let mut buf = vec![0xa5u8; 4096];
    for direction in ["encrypt", "decrypt"] {
        let start = Instant::now();
        let mut bytes = 0u64;
        let mut sector = 0u64;
        while start.elapsed() < Duration::from_secs(2) {
            for _ in 0..1024 {
                if direction == "encrypt" {
                    cipher.encrypt_sectors(sector, &mut buf);
                } else {
                    cipher.decrypt_sectors(sector, &mut buf);
                }
                sector += 1;
                bytes += 4096;
            }
        }
        let secs = start.elapsed().as_secs_f64();
        println!("xts {direction} 4096-byte units: {:.2} GB/s", bytes as f64 / secs / 1e9);
    }
}

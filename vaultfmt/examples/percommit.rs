// Temporary measurement (not committed): cost of per-request volatile commits.
use std::sync::Arc;
use std::time::Instant;
use vaultfmt::dev::{Access, FileDevice};
use vaultfmt::header::KdfParams;
use vaultfmt::store::{Kind, ROOT, Store};
use vaultfmt::Volume;

fn main() {
    let path = std::path::Path::new("/tmp/percommit.img");
    let _ = std::fs::remove_file(path);
    let dev = FileDevice::create_image(path, 1 << 30).unwrap();
    let created = Volume::create_with(dev, b"made-up", KdfParams { memory_kib: 64, time: 1, lanes: 1 }, |v| Store::format(v)).unwrap();
    let store = Store::open(created.volume).unwrap();
    let data = vec![7u8; 512 * 1024];
    for mode in ["per-op volatile", "per-file volatile", "one txn"] {
        let t = Instant::now();
        let mut tx = store.begin().unwrap();
        let d = tx.mkdir_all(&format!("/{}", mode.replace(' ', "-")), 0o755).unwrap();
        tx.commit_volatile().unwrap();
        let mut tx = store.begin().unwrap();
        for i in 0..600 {
            let f = tx.create(d, &format!("f{i}"), Kind::File, 0o644, None).unwrap();
            if mode == "per-op volatile" { tx.commit_volatile().unwrap(); tx = store.begin().unwrap(); }
            tx.write_at(f, 0, &data).unwrap();
            if mode != "one txn" { tx.commit_volatile().unwrap(); tx = store.begin().unwrap(); }
        }
        tx.commit().unwrap();
        let s = t.elapsed().as_secs_f64();
        println!("{mode}: {:.2} s, {:.0} MB/s", s, 600.0 * 512.0 * 1024.0 / s / 1e6);
    }
    let _ = Arc::new(0);
    drop(store);
    let _ = std::fs::remove_file(path);
    let _ = Access::ReadOnly;
}

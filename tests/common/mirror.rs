//! Helpers for the mirror's tests: vaults with a made-up study in them, the mirror run with
//! `--json`, trees compared, stores on the simulated disk.

use std::path::Path;
use std::sync::Arc;

use rand::{Rng, SeedableRng};
use vaultfmt::Volume;
use vaultfmt::dev::{Faults, SimDevice};
use vaultfmt::header::KdfParams;
use vaultfmt::store::Store;

use super::Vault;

pub fn write_tree(root: &Path, files: usize, seed: u64) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    for i in 0..files {
        let dir = root.join(format!("series{}", i % 3));
        std::fs::create_dir_all(&dir).unwrap();
        let len = rng.random_range(0..300_000);
        let mut data = format!("made-up image {i}\n").into_bytes();
        data.extend((0..len).map(|_| rng.random::<u8>()));
        std::fs::write(dir.join(format!("im{i:03}.dat")), data).unwrap();
    }
    std::fs::write(root.join("notes.txt"), b"made-up teaching note\n").unwrap();
}

/// Two vaults: src.img with a study in it, and an empty dst.img; both open with `pass`.
pub fn two_vaults(files: usize) -> Vault {
    let v = Vault::new();
    v.init_image("src.img", "96M");
    v.init_image("dst.img", "96M");
    write_tree(&v.path("study"), files, 7);
    v.ok(&["import", "study", "src.img", "--passphrase-file", "pass"]);
    v
}

pub fn mirror_json(v: &Vault, extra: &[&str]) -> (i32, Vec<serde_json::Value>, String) {
    let args = [&["mirror", "src.img", "dst.img", "--passphrase-file", "pass", "--json"][..], extra].concat();
    let (code, out, err) = v.run(&args);
    let events = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    (code, events, err)
}

pub fn summary(events: &[serde_json::Value]) -> &serde_json::Value {
    events.iter().find(|e| e["event"] == "summary").expect("a summary")
}

/// Exports a vault's tree and compares it with a folder.
pub fn assert_same(v: &Vault, image: &str, path: &str, folder: &str) {
    assert_same_with(v, image, path, folder, "pass");
}

pub fn assert_same_with(v: &Vault, image: &str, path: &str, folder: &str, pass: &str) {
    let out = v.path(&format!("out-{image}-{}", path.replace('/', "_")));
    let _ = std::fs::remove_dir_all(&out);
    v.ok(&["export", &format!("{image}:{path}"), out.to_str().unwrap(), "--passphrase-file", pass]);
    let diff = std::process::Command::new("diff").arg("-r").arg(v.path(folder)).arg(&out).output().unwrap();
    assert!(diff.status.success(), "{}", String::from_utf8_lossy(&diff.stdout));
}

/// The simulated vaults' made-up passphrase.
pub const SIM_PASS: &[u8] = b"made-up simulated passphrase";

pub fn sim_store(faults: Faults) -> (Arc<SimDevice>, Store<Arc<SimDevice>>) {
    let dev = Arc::new(SimDevice::new(48 << 20, faults));
    let cheap = KdfParams { memory_kib: 64, time: 1, lanes: 1 };
    let created = Volume::create_with(dev.clone(), SIM_PASS, cheap, Store::format).unwrap();
    (dev, Store::open(created.volume).unwrap())
}

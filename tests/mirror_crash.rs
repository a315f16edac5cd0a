//! The mirror interrupted and betrayed: SIGKILLed runs that converge, a backup medium that
//! corrupts writes silently and power cuts, on the simulated disk (which stands in for a bad
//! cable or a failing drive that no test can drive for real), and a source that changes during a
//! run (invariant 6). Every name and value here is made up.

mod common;

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use rand::{Rng, SeedableRng};
use vault::gate::Policy;
use vault::mirror::{self, MirrorError, Options};
use vaultfmt::dev::{BlockDevice, Faults, SimDevice};
use vaultfmt::header::{HEADER_AREA_BYTES, KdfParams};
use vaultfmt::store::{Kind, ROOT, Store};
use vaultfmt::{SECTOR_SIZE, Volume};

use common::mirror::*;

/// The mirror SIGKILLed at random points, then run to the end: the backup converges on the
/// source, opens clean, and a run after a kill says that it resumed.
#[test]
fn a_killed_mirror_converges_on_rerun() {
    let v = two_vaults(120);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let mut resumed = 0;
    for _ in 0..30 {
        let mut child = v
            .command(&["mirror", "src.img", "dst.img", "--passphrase-file", "pass", "--delete"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.random_range(0..250)));
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        if String::from_utf8_lossy(&out.stderr).contains("resuming") {
            resumed += 1;
        }
        // Between kills the source changes now and then.
        if rng.random_bool(0.2) {
            let i = rng.random_range(0..120);
            let path = v.path(&format!("study/series{}/im{i:03}.dat", i % 3));
            std::fs::write(&path, format!("made-up rewrite {i}\n")).unwrap();
            v.ok(&["import", "study", "src.img", "--passphrase-file", "pass"]);
        }
        let (code, out, _) = v.run(&["fsck", "dst.img", "--passphrase-file", "pass"]);
        assert_eq!(code, 0, "the backup does not check clean after a kill: {out}");
    }
    let (code, _, err) = v.run(&["mirror", "src.img", "dst.img", "--passphrase-file", "pass", "--delete"]);
    assert_eq!(code, 0, "{err}");
    assert_same(&v, "dst.img", "/study", "study");

    // A kill in the middle of copying, for certain: once the first copy is reported (the run's
    // mark is committed before any copy), the next run must say that it resumed.
    for i in 0..60 {
        let mut data = format!("made-up v2 {i}\n").into_bytes();
        data.extend((0..400_000).map(|_| rng.random::<u8>()));
        std::fs::write(v.path(&format!("study/series{}/im{i:03}.dat", i % 3)), data).unwrap();
    }
    v.ok(&["import", "study", "src.img", "--passphrase-file", "pass"]);
    let mut child = v
        .command(&["mirror", "src.img", "dst.img", "--passphrase-file", "pass", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(child.stdout.take().unwrap()));
    assert!(lines.any(|l| l.unwrap().contains("\"copied\"")), "the mirror reported no copy");
    child.kill().unwrap();
    child.wait().unwrap();
    let (code, _, err) = v.run(&["mirror", "src.img", "dst.img", "--passphrase-file", "pass"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("resuming"), "{err}");
    assert_same(&v, "dst.img", "/study", "study");
    eprintln!("{resumed} of 30 randomly killed runs were followed by one that resumed");
}

/// Invariant 6: a copy that does not read back as written is written once more; when it still
/// does not, the run fails naming the file and the backup never shows it.
#[test]
fn invariant_6_a_copy_is_committed_only_after_it_reads_back() {
    let (_, source) = sim_store(Faults::default());
    let data: Vec<u8> = (0..200_000u32).map(|i| (i * 7) as u8).collect();
    let mut tx = source.begin().unwrap();
    let dir = tx.mkdir_all("/study", 0o755).unwrap();
    let ino = tx.create(dir, "im.dat", Kind::File, 0o644, None).unwrap();
    tx.write_file(ino, &mut &data[..]).unwrap();
    tx.commit().unwrap();
    let opts = Options::default();

    for (bad_writes, should_pass) in [(1, true), (1000, false)] {
        let (dev, backup) = sim_store(Faults::default());
        let layout = backup.layout();
        let first = HEADER_AREA_BYTES / SECTOR_SIZE as u64 + layout.data_first;
        dev.set_faults(Faults {
            corrupt_writes: Some((first..first + layout.data_sectors, bad_writes)),
            ..Faults::default()
        });
        let mut retried = 0;
        let result = mirror::mirror(&source, &backup, &Policy::default(), &opts, &mut |e| {
            if matches!(e, mirror::Event::Retried { .. }) {
                retried += 1;
            }
        });
        let view = backup.read().unwrap();
        if should_pass {
            result.unwrap();
            assert_eq!(retried, 1);
            let ino = view.resolve("/study/im.dat").unwrap().unwrap();
            let mut out = Vec::new();
            view.copy_out(ino, &mut out, &mut |_| {}).unwrap();
            assert_eq!(out, data);
        } else {
            match result {
                Err(MirrorError::Mismatch { path }) => assert_eq!(path, "/study/im.dat"),
                other => panic!("expected a mismatch, got {other:?}"),
            }
            assert_eq!(view.resolve("/study/im.dat").unwrap(), None, "an unverified copy became visible");
            assert!(view.entries(ROOT).unwrap().iter().all(|e| e.name != "study" || e.kind == Kind::Dir));
        }
        let _ = dev.size();
    }
}

/// A source that changes during a run (as a mounted one does): the run lists it once; a file
/// rewritten or deleted after the listing is left for the next run, never copied half old, half
/// new; the next run copies what it is then.
#[test]
fn files_that_change_during_a_run_are_left_for_the_next() {
    let (_, source) = sim_store(Faults::default());
    let write = |name: &str, data: &[u8]| {
        let mut tx = source.begin().unwrap();
        let dir = tx.mkdir_all("/study", 0o755).unwrap();
        let ino = match tx.lookup(dir, name).unwrap() {
            Some(ino) => ino,
            None => tx.create(dir, name, Kind::File, 0o644, None).unwrap(),
        };
        // A partial write, as through the mount: no recorded BLAKE3, so the run hashes it.
        tx.write_at(ino, 0, data).unwrap();
        tx.commit().unwrap();
    };
    for name in ["a.dat", "b.dat", "c.dat"] {
        write(name, format!("made-up first version of {name}").as_bytes());
    }
    let (_, backup) = sim_store(Faults::default());
    let mut changed = Vec::new();
    let summary =
        mirror::mirror(&source, &backup, &Policy::default(), &Options::default(), &mut |e| match e {
            // Once a.dat is copied, b.dat is rewritten and c.dat deleted.
            mirror::Event::Copied { path, .. } if path == "/study/a.dat" => {
                write("b.dat", b"made-up second version, longer than the first");
                let mut tx = source.begin().unwrap();
                let dir = tx.resolve("/study").unwrap().unwrap();
                tx.unlink(dir, "c.dat").unwrap();
                tx.commit().unwrap();
            }
            mirror::Event::Changed { path } => changed.push(path.clone()),
            _ => {}
        })
        .unwrap();
    assert_eq!(changed, ["/study/b.dat", "/study/c.dat"]);
    assert_eq!((summary.copied, summary.changed), (1, 2));
    let names = |store: &Store<Arc<SimDevice>>| -> Vec<String> {
        let view = store.read().unwrap();
        let dir = view.resolve("/study").unwrap().unwrap();
        view.entries(dir).unwrap().into_iter().map(|e| e.name).collect()
    };
    assert_eq!(names(&backup), ["a.dat"]);
    // The next run copies the file as it is now.
    let summary =
        mirror::mirror(&source, &backup, &Policy::default(), &Options::default(), &mut |_| {}).unwrap();
    assert_eq!((summary.copied, summary.changed), (1, 0));
    assert_eq!(names(&backup), ["a.dat", "b.dat"]);
    let view = backup.read().unwrap();
    let mut out = Vec::new();
    view.copy_out(view.resolve("/study/b.dat").unwrap().unwrap(), &mut out, &mut |_| {}).unwrap();
    assert_eq!(out, b"made-up second version, longer than the first");
}

/// A device that counts the bytes read from it.
struct Counting {
    inner: vaultfmt::dev::MemDevice,
    read: std::sync::atomic::AtomicU64,
}

impl BlockDevice for Counting {
    fn name(&self) -> &str {
        "counting"
    }
    fn size(&self) -> u64 {
        self.inner.size()
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), vaultfmt::dev::DevError> {
        self.read.fetch_add(buf.len() as u64, std::sync::atomic::Ordering::SeqCst);
        self.inner.read_at(offset, buf)
    }
    fn write_at(&self, offset: u64, buf: &[u8]) -> Result<(), vaultfmt::dev::DevError> {
        self.inner.write_at(offset, buf)
    }
    fn flush(&self) -> Result<(), vaultfmt::dev::DevError> {
        self.inner.flush()
    }
}

/// A source file with no recorded BLAKE3 (written in place, as through the mount) is read once
/// by a run that copies it: the bytes read to hash it are the bytes copied.
#[test]
fn a_file_without_a_recorded_hash_is_read_once_to_copy_it() {
    let dev = Arc::new(Counting { inner: vaultfmt::dev::MemDevice::new(48 << 20), read: Default::default() });
    let cheap = KdfParams { memory_kib: 64, time: 1, lanes: 1 };
    let source =
        Store::open(Volume::create_with(dev.clone(), SIM_PASS, cheap, Store::format).unwrap().volume)
            .unwrap();
    let file_bytes = 20 * 300_000u64;
    let mut tx = source.begin().unwrap();
    for i in 0..20u32 {
        let ino = tx.create(ROOT, &format!("im{i}.dat"), Kind::File, 0o644, None).unwrap();
        let data: Vec<u8> = (0..300_000u32).map(|b| (b * 13 + i) as u8).collect();
        tx.write_at(ino, 0, &data).unwrap();
        assert_eq!(tx.inode(ino).unwrap().unwrap().content_hash, None);
    }
    tx.commit().unwrap();
    let (_, backup) = sim_store(Faults::default());
    let before = dev.read.load(std::sync::atomic::Ordering::SeqCst);
    let summary =
        mirror::mirror(&source, &backup, &Policy::default(), &Options::default(), &mut |_| {}).unwrap();
    let read = dev.read.load(std::sync::atomic::Ordering::SeqCst) - before;
    assert_eq!(summary.copied, 20);
    assert!(
        read >= file_bytes && read < file_bytes * 3 / 2,
        "{read} bytes read for {file_bytes} bytes copied"
    );
}

/// A power cut (on the simulated disk: cached writes lost, kept or torn) at evenly spread points
/// of a mirror run: the backup opens, checks clean, every file it shows equals the source's, and
/// the next run completes it. Replay one point with VAULT_MIRROR_CUT=N.
#[test]
fn a_power_cut_during_a_mirror_leaves_the_last_commit_and_the_next_run_completes() {
    use vaultfmt::dev::MemDevice;
    use vaultfmt::store::fsck;
    let (_, source) = sim_store(Faults::default());
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    let mut files = Vec::new();
    let mut tx = source.begin().unwrap();
    for i in 0..40 {
        let dir = tx.mkdir_all(&format!("/study/s{}", i % 4), 0o755).unwrap();
        let data: Vec<u8> = (0..rng.random_range(1..150_000)).map(|_| rng.random()).collect();
        let ino = tx.create(dir, &format!("im{i:02}"), Kind::File, 0o644, None).unwrap();
        tx.write_file(ino, &mut &data[..]).unwrap();
        files.push((format!("/study/s{}/im{i:02}", i % 4), data));
    }
    tx.commit().unwrap();
    // Small batches, so that cuts fall between commits as well as inside them.
    let opts = Options { batch_files: 5, ..Options::default() };
    let cheap = KdfParams { memory_kib: 64, time: 1, lanes: 1 };
    let image = Arc::new(MemDevice::new(48 << 20));
    Volume::create_with(image.clone(), SIM_PASS, cheap, Store::format).unwrap();
    let open = |sim: &Arc<SimDevice>| {
        Store::open(Volume::unlock(sim.clone(), vaultfmt::Secret::Passphrase(SIM_PASS), None).unwrap())
            .unwrap()
    };
    let total = {
        let sim = Arc::new(SimDevice::from_image(&image, Faults::default()));
        let backup = open(&sim);
        let before = sim.ops();
        mirror::mirror(&source, &backup, &Policy::default(), &opts, &mut |_| {}).unwrap();
        sim.ops() - before
    };
    let cuts: Vec<u64> = match std::env::var("VAULT_MIRROR_CUT") {
        Ok(c) => vec![c.parse().unwrap()],
        Err(_) => (0..40).map(|k| k * total / 40).collect(),
    };
    let mut resumed_runs = 0;
    let points = cuts.len();
    for cut in cuts {
        let sim = Arc::new(SimDevice::from_image(&image, Faults::default()));
        {
            let backup = open(&sim);
            sim.set_faults(Faults { seed: cut, cut_at: Some(sim.ops() + cut), ..Faults::default() });
            assert!(mirror::mirror(&source, &backup, &Policy::default(), &opts, &mut |_| {}).is_err());
        }
        sim.restart();
        let backup = open(&sim);
        let report = fsck::check(&backup, &mut |_| {}).unwrap();
        assert!(report.clean(), "VAULT_MIRROR_CUT={cut}: {:?}", report.problems);
        {
            let view = backup.read().unwrap();
            for (path, data) in &files {
                if let Some(ino) = view.resolve(path).unwrap() {
                    let mut out = Vec::new();
                    view.copy_out(ino, &mut out, &mut |_| {}).unwrap();
                    assert_eq!(&out, data, "VAULT_MIRROR_CUT={cut}: {path} is not the source's");
                }
            }
        }
        let mut resumed = false;
        mirror::mirror(&source, &backup, &Policy::default(), &opts, &mut |e| {
            resumed |= matches!(e, mirror::Event::Resumed);
        })
        .unwrap();
        resumed_runs += resumed as usize;
        let view = backup.read().unwrap();
        for (path, data) in &files {
            let ino = view
                .resolve(path)
                .unwrap()
                .unwrap_or_else(|| panic!("VAULT_MIRROR_CUT={cut}: {path} missing"));
            let mut out = Vec::new();
            view.copy_out(ino, &mut out, &mut |_| {}).unwrap();
            assert_eq!(&out, data);
        }
    }
    eprintln!("{points} cut points checked, {resumed_runs} resumed");
    // Every cut after the run's first commit leaves a mark that the next run reports.
    assert!(
        points == 1 || resumed_runs >= points - 2,
        "only {resumed_runs} of {points} runs said they resumed"
    );
}

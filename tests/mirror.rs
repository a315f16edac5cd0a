//! `vault mirror` and `vault verify` end to end on image files, and the mirror's read-back check
//! (invariant 6) on the simulated disk, whose silent write corruption stands in for a bad cable
//! or a failing drive that no test can drive for real. Every name and value here is made up.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use common::Vault;
use rand::{Rng, SeedableRng};
use vault::gate::Policy;
use vault::mirror::{self, MirrorError, Options};
use vaultfmt::dev::{BlockDevice, Faults, SimDevice};
use vaultfmt::header::{HEADER_AREA_BYTES, KdfParams};
use vaultfmt::store::{Kind, ROOT, Store};
use vaultfmt::{SECTOR_SIZE, Volume};

fn write_tree(root: &Path, files: usize, seed: u64) {
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
fn two_vaults(files: usize) -> Vault {
    let v = Vault::new();
    v.init_image("src.img", "96M");
    v.init_image("dst.img", "96M");
    write_tree(&v.path("study"), files, 7);
    v.ok(&["import", "study", "src.img", "--passphrase-file", "pass"]);
    v
}

fn mirror_json(v: &Vault, extra: &[&str]) -> (i32, Vec<serde_json::Value>, String) {
    let args = [&["mirror", "src.img", "dst.img", "--passphrase-file", "pass", "--json"][..], extra].concat();
    let (code, out, err) = v.run(&args);
    let events = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    (code, events, err)
}

fn summary(events: &[serde_json::Value]) -> &serde_json::Value {
    events.iter().find(|e| e["event"] == "summary").expect("a summary")
}

/// Exports a vault's tree and compares it with a folder.
fn assert_same(v: &Vault, image: &str, path: &str, folder: &str) {
    assert_same_with(v, image, path, folder, "pass");
}

fn assert_same_with(v: &Vault, image: &str, path: &str, folder: &str, pass: &str) {
    let out = v.path(&format!("out-{image}-{}", path.replace('/', "_")));
    let _ = std::fs::remove_dir_all(&out);
    v.ok(&["export", &format!("{image}:{path}"), out.to_str().unwrap(), "--passphrase-file", pass]);
    let diff = std::process::Command::new("diff").arg("-r").arg(v.path(folder)).arg(&out).output().unwrap();
    assert!(diff.status.success(), "{}", String::from_utf8_lossy(&diff.stdout));
}

#[test]
fn mirror_copies_verifies_and_then_copies_nothing_that_is_the_same() {
    let v = two_vaults(30);
    let (code, events, err) = mirror_json(&v, &[]);
    assert_eq!(code, 0, "{err}");
    let s = summary(&events);
    assert_eq!((s["copied"].as_u64(), s["unchanged"].as_u64()), (Some(31), Some(0)), "{s}");
    assert_eq!(s["verified"].as_u64(), Some(31), "{s}");
    assert_same(&v, "dst.img", "/study", "study");
    // Second run: nothing to copy.
    let (code, events, _) = mirror_json(&v, &[]);
    assert_eq!(code, 0);
    let s = summary(&events);
    assert_eq!((s["copied"].as_u64(), s["unchanged"].as_u64()), (Some(0), Some(31)), "{s}");
    // The source changes: one file rewritten, one added; only those two are copied.
    std::fs::write(v.path("study/series0/im000.dat"), b"made-up new content\n").unwrap();
    std::fs::write(v.path("study/series1/added.dat"), b"made-up added file\n").unwrap();
    v.ok(&["import", "study", "src.img", "--passphrase-file", "pass"]);
    let (_, events, _) = mirror_json(&v, &[]);
    let copied: Vec<_> =
        events.iter().filter(|e| e["event"] == "copied").map(|e| e["path"].clone()).collect();
    assert_eq!(copied, ["/study/series0/im000.dat", "/study/series1/added.dat"]);
    assert_same(&v, "dst.img", "/study", "study");
    v.ok(&["verify", "dst.img", "--passphrase-file", "pass"]);
    let log = v.ok(&["log", "dst.img", "--passphrase-file", "pass"]);
    assert!(log.contains("mirror"), "{log}");
}

#[test]
fn renames_are_linked_not_copied_and_deletions_need_delete_within_max_delete() {
    let v = two_vaults(12);
    assert_eq!(mirror_json(&v, &[]).0, 0);
    // Rename a folder in the source (through the library: the test has no mount here).
    {
        let dev =
            vaultfmt::dev::FileDevice::open(&v.path("src.img"), vaultfmt::dev::Access::ReadWrite).unwrap();
        let vol = Volume::unlock(dev, vaultfmt::Secret::Passphrase(common::PASS.as_bytes()), None).unwrap();
        let store = Store::open(vol).unwrap();
        let mut tx = store.begin().unwrap();
        let study = tx.resolve("/study").unwrap().unwrap();
        tx.rename(study, "series2", study, "renamed", true).unwrap();
        tx.commit().unwrap();
    }
    std::fs::rename(v.path("study/series2"), v.path("study/renamed")).unwrap();
    let moved = std::fs::read_dir(v.path("study/renamed")).unwrap().count() as u64;

    // Without --delete: linked under the new names, the old names stay.
    let (code, events, err) = mirror_json(&v, &[]);
    assert_eq!(code, 0, "{err}");
    let s = summary(&events);
    assert_eq!(
        (s["copied"].as_u64(), s["linked"].as_u64(), s["deleted"].as_u64()),
        (Some(0), Some(moved), Some(0))
    );
    let ls = v.ok(&["ls", "dst.img:/study", "--passphrase-file", "pass"]);
    assert!(ls.contains("series2") && ls.contains("renamed"), "{ls}");

    // With --delete but a bound below what it would delete: refused, nothing changes.
    let (code, _, err) = mirror_json(&v, &["--delete", "--max-delete", "2"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("--max-delete 2"), "{err}");
    assert!(v.ok(&["ls", "dst.img:/study", "--passphrase-file", "pass"]).contains("series2"));
    // A dry run says what it would do and does nothing.
    let (code, events, _) = mirror_json(&v, &["--delete", "--dry-run"]);
    assert_eq!(code, 0);
    assert_eq!(summary(&events)["deleted"].as_u64(), Some(moved + 1));
    assert!(v.ok(&["ls", "dst.img:/study", "--passphrase-file", "pass"]).contains("series2"));
    // Then for real.
    let (code, events, _) = mirror_json(&v, &["--delete"]);
    assert_eq!(code, 0);
    assert_eq!(summary(&events)["deleted"].as_u64(), Some(moved + 1));
    assert_same(&v, "dst.img", "/study", "study");
    let (code, out, _) = v.run(&["fsck", "dst.img", "--passphrase-file", "pass"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_source_that_looks_empty_never_empties_the_backup() {
    let v = two_vaults(5);
    assert_eq!(mirror_json(&v, &[]).0, 0);
    v.init_image("empty.img", "32M");
    let (code, _, err) = v.run(&[
        "mirror",
        "empty.img",
        "dst.img",
        "--delete",
        "--max-delete",
        "1000",
        "--passphrase-file",
        "pass",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("source holds no file"), "{err}");
    assert_same(&v, "dst.img", "/study", "study");
}

#[test]
fn the_backup_is_a_door_its_policy_refuses_identifying_files() {
    let v = two_vaults(3);
    // A made-up file the source's policy lets in (it keeps patient IDs) but the backup's does not.
    let mut obj = dicom_object::InMemDicomObject::new_empty();
    obj.put(dicom_core::DataElement::new(
        dicom_dictionary_std::tags::PATIENT_ID,
        dicom_core::VR::LO,
        dicom_core::PrimitiveValue::from("MADEUP-0042"),
    ));
    let mut bytes = Vec::new();
    obj.write_dataset_with_ts(
        &mut bytes,
        &dicom_transfer_syntax_registry::entries::EXPLICIT_VR_LITTLE_ENDIAN.erased(),
    )
    .unwrap();
    std::fs::write(v.path("keeps-id.dcm"), &bytes).unwrap();
    v.ok(&["policy", "set", "src.img", "--retain-patient-id", "yes", "--passphrase-file", "pass"]);
    v.ok(&["import", "keeps-id.dcm", "src.img:/", "--passphrase-file", "pass"]);
    let (code, events, _) = mirror_json(&v, &[]);
    assert_eq!(code, 1);
    let refused: Vec<_> = events.iter().filter(|e| e["event"] == "refused").collect();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0]["path"], "/keeps-id.dcm");
    assert_eq!(refused[0]["reasons"][0]["rule"], "patient-id");
    let ls = v.ok(&["ls", "dst.img", "--passphrase-file", "pass"]);
    assert!(!ls.contains("keeps-id"), "{ls}");
    let log = v.ok(&["log", "dst.img", "--passphrase-file", "pass"]);
    assert!(log.contains("door=mirror") && !log.contains("MADEUP-0042"), "{log}");
}

#[test]
fn wrong_backup_passphrase_and_a_full_backup() {
    let v = two_vaults(150);
    std::fs::write(v.path("other"), "another made-up passphrase\n").unwrap();
    let (code, _, err) = v.run(&[
        "mirror",
        "src.img",
        "dst.img",
        "--passphrase-file",
        "pass",
        "--dst-passphrase-file",
        "other",
    ]);
    assert_eq!(code, 77, "{err}");
    assert!(err.contains("dst.img"), "{err}");
    // A mirror into itself is a usage error that says so (not "in use by another process").
    let (code, _, err) = v.run(&["mirror", "src.img", "src.img", "--passphrase-file", "pass"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("src.img and src.img are the same vault"), "{err}");
    // A backup too small for the study: exit 73, and what it holds is whole and verifies.
    v.init_image("small.img", "16M");
    let (code, _, err) = v.run(&["mirror", "src.img", "small.img", "--passphrase-file", "pass"]);
    assert_eq!(code, 73, "{err}");
    v.ok(&["fsck", "small.img", "--passphrase-file", "pass"]);
    v.ok(&["verify", "small.img", "--passphrase-file", "pass"]);
}

#[test]
fn verify_names_a_damaged_file_and_a_budget_rolls_on() {
    let v = two_vaults(20);
    assert_eq!(mirror_json(&v, &[]).0, 0);
    let offset = common::chunk_offset(&v.path("dst.img"), "/study/series1/im004.dat");
    v.corrupt("dst.img", offset + 99);
    let (code, out, err) = v.run(&["verify", "dst.img", "--passphrase-file", "pass", "--json"]);
    assert_eq!(code, 65, "{err}");
    let damaged: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|e: &serde_json::Value| e["event"] == "damaged")
        .collect();
    assert_eq!(damaged.len(), 1, "{out}");
    assert_eq!(damaged[0]["path"], "/study/series1/im004.dat");
    // A rolling budget: a run stops when its time is up (after one file at least), the next
    // goes on where it stopped, and together they cover every file once; then a pass begins
    // again.
    let v = two_vaults(40);
    let mut covered = 0;
    let mut runs = 0;
    loop {
        let (code, out, err) =
            v.run(&["verify", "src.img", "--budget", "1ms", "--passphrase-file", "pass", "--json"]);
        assert_eq!(code, 0, "{err}");
        let s: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
        let files = s["files"].as_u64().unwrap();
        assert!(files >= 1, "a run under budget verified nothing: {s}");
        covered += files;
        runs += 1;
        if s["pass_complete"] == true {
            break;
        }
        // At least one file a run: a slow machine may need one run per file, never more.
        assert!(runs < 41, "the budget never lets a pass end");
    }
    assert_eq!(covered, 41, "forty files and the notes, each once");
    assert!(runs > 1, "a 1 ms budget did not stop a run");
    let (_, out, _) = v.run(&["verify", "src.img", "--passphrase-file", "pass", "--json"]);
    let s: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!((s["files"].as_u64(), s["started_at"].as_u64()), (Some(41), Some(0)), "{s}");
}

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

const PASS: &[u8] = b"made-up simulated passphrase";

fn sim_store(faults: Faults) -> (Arc<SimDevice>, Store<Arc<SimDevice>>) {
    let dev = Arc::new(SimDevice::new(48 << 20, faults));
    let cheap = KdfParams { memory_kib: 64, time: 1, lanes: 1 };
    let created = Volume::create_with(dev.clone(), PASS, cheap, Store::format).unwrap();
    (dev, Store::open(created.volume).unwrap())
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
        Store::open(Volume::create_with(dev.clone(), PASS, cheap, Store::format).unwrap().volume).unwrap();
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
    Volume::create_with(image.clone(), PASS, cheap, Store::format).unwrap();
    let open = |sim: &Arc<SimDevice>| {
        Store::open(Volume::unlock(sim.clone(), vaultfmt::Secret::Passphrase(PASS), None).unwrap()).unwrap()
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
    // Every cut after the run's first commit leaves a mark that the next run reports.
    assert!(
        points == 1 || resumed_runs >= points - 2,
        "only {resumed_runs} of {points} runs said they resumed"
    );
}

#[test]
fn init_formats_the_backup_with_its_own_passphrase_then_mirrors() {
    let v = Vault::new();
    v.init_image("src.img", "64M");
    write_tree(&v.path("study"), 5, 3);
    v.ok(&["import", "study", "src.img", "--passphrase-file", "pass"]);
    std::fs::File::create(v.path("new.img")).unwrap().set_len(64 << 20).unwrap();
    std::fs::write(v.path("other"), "a made-up backup passphrase\n").unwrap();
    let args = [
        &[
            "mirror",
            "src.img",
            "new.img",
            "--init",
            "--passphrase-file",
            "pass",
            "--dst-passphrase-file",
            "other",
        ][..],
        &common::CHEAP[..],
    ]
    .concat();
    let (code, out, err) = v.run(&args);
    assert_eq!(code, 0, "{err}");
    assert!(out.to_lowercase().contains("recovery key"), "{out}");
    assert_same_with(&v, "new.img", "/study", "study", "other");
    // The backup does not open with the source's passphrase.
    let (code, _, _) = v.run(&["ls", "new.img", "--passphrase-file", "pass"]);
    assert_eq!(code, 77);
}

/// Unmounts `dir` (lazily, when a test failed with it still mounted).
struct Mount<'a>(&'a Vault, &'static str);

impl<'a> Mount<'a> {
    fn new(v: &'a Vault, image: &str, dir: &'static str) -> Mount<'a> {
        std::fs::create_dir_all(v.path(dir)).unwrap();
        v.ok(&["mount", image, dir, "--passphrase-file", "pass"]);
        Mount(v, dir)
    }
}

impl Drop for Mount<'_> {
    fn drop(&mut self) {
        let _ = std::process::Command::new("fusermount3")
            .arg("-uz")
            .arg(self.0.path(self.1))
            .stderr(Stdio::null())
            .status();
    }
}

/// A vault that stays mounted is still backed up: its mount's process does the mirror (asked
/// through its control socket, after proof that the asker unlocked the vault), while files are
/// written, rewritten and deleted through the mount; what the mirror's snapshot reads is never
/// reused under it. The next run catches up with the changes.
#[test]
fn a_mounted_source_is_mirrored_by_its_mount_while_it_is_written() {
    let v = two_vaults(250);
    let m = Mount::new(&v, "src.img", "mnt");
    let mnt = v.path("mnt");
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (mnt, stop) = (mnt.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
            let mut round = 0u32;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) || round < 30 {
                let i = rng.random_range(0..250);
                let file = mnt.join(format!("study/series{}/im{i:03}.dat", i % 3));
                // Each change made durable at once (fsync), so that what it frees is free for
                // the next write at once, were it not for the mirror's snapshot.
                let write = |path: &Path, data: Vec<u8>| {
                    let mut f = std::fs::File::create(path).unwrap();
                    std::io::Write::write_all(&mut f, &data).unwrap();
                    f.sync_all().unwrap();
                };
                match rng.random_range(0..3) {
                    0 => {
                        if std::fs::remove_file(&file).is_ok() {
                            std::fs::File::open(file.parent().unwrap()).unwrap().sync_all().unwrap();
                        }
                    }
                    1 => write(&file, (0..rng.random_range(1..400_000)).map(|_| rng.random()).collect()),
                    _ => write(
                        &mnt.join(format!("new{}.dat", round % 40)),
                        (0..200_000).map(|_| rng.random()).collect(),
                    ),
                }
                round += 1;
            }
            round
        })
    };
    let mut runs = Vec::new();
    for _ in 0..3 {
        let (code, events, err) = mirror_json(&v, &["--delete"]);
        assert_eq!(code, 0, "{err}");
        runs.push(summary(&events).clone());
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let rounds = writer.join().unwrap();
    assert!(runs.iter().all(|s| s["through_mount"] == true), "{runs:?}");
    assert!(runs[0]["copied"].as_u64() > Some(0), "{runs:?}");
    assert!(rounds >= 30);
    // Quiet now: one more run and the backup equals what the mount shows.
    let (code, events, err) = mirror_json(&v, &["--delete"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(summary(&events)["through_mount"], true);
    assert_same(&v, "dst.img", "/", "mnt");
    let log = v.ok(&["log", "dst.img", "--passphrase-file", "pass"]);
    assert!(log.contains("mirror"), "{log}");

    // Proof is asked for: a wrong source passphrase never reaches the mount, and a peer that
    // cannot answer the challenge is refused.
    std::fs::write(v.path("other"), "another made-up passphrase\n").unwrap();
    let (code, _, err) = v.run(&["mirror", "src.img", "dst.img", "--passphrase-file", "other"]);
    assert_eq!(code, 77, "{err}");
    {
        use std::io::{BufRead, Write};
        let sock = vault::control::socket_path(&v.path("src.img")).unwrap();
        let conn = std::os::unix::net::UnixStream::connect(&sock).unwrap();
        let mut lines = std::io::BufReader::new(conn.try_clone().unwrap()).lines();
        assert!(lines.next().unwrap().unwrap().starts_with("vault-control 1 "));
        writeln!(&conn, "{}\n{{\"op\":\"log\",\"follow\":false}}", "0".repeat(64)).unwrap();
        let answer: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
        assert_eq!(
            (answer["event"].as_str(), answer["code"].as_i64()),
            (Some("error"), Some(77)),
            "{answer}"
        );
    }
    {
        // Status alone is answered without a proof, and it holds no value of the vault's.
        use std::io::{BufRead, Write};
        let sock = vault::control::socket_path(&v.path("src.img")).unwrap();
        let conn = std::os::unix::net::UnixStream::connect(&sock).unwrap();
        let mut lines = std::io::BufReader::new(conn.try_clone().unwrap()).lines();
        assert!(lines.next().unwrap().unwrap().starts_with("vault-control 1 "));
        writeln!(&conn, "-\n{{\"op\":\"status\"}}").unwrap();
        let answer: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
        assert_eq!(answer["event"], "summary", "{answer}");
        assert!(answer["last_mirror"]["backup"].as_str().unwrap().ends_with("dst.img"), "{answer}");
    }
    // Verify, too, is done by the mount's process, its rolling position kept in the vault.
    let verify = |extra: &[&str]| -> serde_json::Value {
        let args = [&["verify", "src.img", "--passphrase-file", "pass", "--json"][..], extra].concat();
        let (code, out, err) = v.run(&args);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str(out.lines().last().unwrap()).unwrap()
    };
    let whole = verify(&[]);
    assert_eq!(whole["pass_complete"], true, "{whole}");
    fn count_files(dir: &Path) -> u64 {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap())
            .map(|e| if e.file_type().unwrap().is_dir() { count_files(&e.path()) } else { 1 })
            .sum()
    }
    assert_eq!(whole["files"].as_u64(), Some(count_files(&mnt)), "{whole}");
    // The exchange itself, as a peer speaks it: the proof made from the unlocked vault, a
    // verify request, then a progress event for every file before the summary.
    {
        use std::io::{BufRead, Write};
        let dev =
            vaultfmt::dev::FileDevice::open(&v.path("src.img"), vaultfmt::dev::Access::ReadOnly).unwrap();
        let vol = Volume::unlock(dev, vaultfmt::Secret::Passphrase(common::PASS.as_bytes()), None).unwrap();
        let key = vol.subkey(vault::control::KEY_CONTEXT);
        let sock = vault::control::socket_path(&v.path("src.img")).unwrap();
        let conn = std::os::unix::net::UnixStream::connect(&sock).unwrap();
        let mut lines = std::io::BufReader::new(conn.try_clone().unwrap()).lines();
        let hello = lines.next().unwrap().unwrap();
        let challenge = hello.strip_prefix("vault-control 1 ").unwrap();
        writeln!(&conn, "{}", blake3::keyed_hash(&key, challenge.as_bytes()).to_hex()).unwrap();
        writeln!(&conn, r#"{{"op":"verify","budget_ms":null}}"#).unwrap();
        let answers: Vec<serde_json::Value> =
            lines.map(|l| serde_json::from_str(&l.unwrap()).unwrap()).collect();
        let (last, progress) = answers.split_last().unwrap();
        assert_eq!(last["event"], "summary", "{last}");
        assert_eq!(progress.len() as u64, last["files"].as_u64().unwrap());
        assert!(progress.iter().all(|p| p["event"] == "progress" && p["path"].as_str().is_some()));
        let bytes: u64 = progress.iter().map(|p| p["bytes"].as_u64().unwrap()).sum();
        // The last file's bytes are in the summary only.
        assert!(bytes <= last["bytes"].as_u64().unwrap() && bytes > 0, "{bytes} {last}");
    }
    let first = verify(&["--budget", "1ms"]);
    assert_eq!(first["pass_complete"], false, "{first}");
    let second = verify(&["--budget", "1ms"]);
    assert_eq!(second["started_at"], first["next"], "{first} {second}");
    v.ok(&["umount", "mnt"]);
    drop(m);
    // The source's freed sectors all came back once the mirror's snapshot ended: fsck finds
    // neither leaks nor damage.
    v.ok(&["fsck", "src.img", "--passphrase-file", "pass"]);
    v.ok(&["fsck", "dst.img", "--passphrase-file", "pass"]);
}

/// Unmounting a vault while its mount's process mirrors it stops the mirror at its next file:
/// the command says so (exit 130), both vaults are clean, and the next run resumes.
#[test]
fn unmounting_during_a_mirror_stops_it_and_the_next_run_resumes() {
    let v = Vault::new();
    v.init_image("src.img", "400M");
    v.init_image("dst.img", "400M");
    write_tree(&v.path("study"), 900, 3);
    v.ok(&["import", "study", "src.img", "--passphrase-file", "pass"]);
    let m = Mount::new(&v, "src.img", "mnt");
    let mut child = v
        .command(&["mirror", "src.img", "dst.img", "--passphrase-file", "pass", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(child.stdout.take().unwrap()));
    // The plan first (a bar's total), then the copies.
    let planned = lines.next().unwrap().unwrap();
    assert!(planned.contains("\"planned\"") && planned.contains("\"files\":901"), "{planned}");
    let first = lines.next().unwrap().unwrap();
    assert!(first.contains("\"copied\""), "{first}");
    v.ok(&["umount", "mnt"]);
    drop(m);
    let rest: Vec<String> = lines.map(|l| l.unwrap()).collect();
    let status = child.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(err.contains("stopped before the end") && err.contains("resumes"), "{err}");
    assert!(rest.len() < 900, "the mirror ran to its end ({} events)", rest.len());
    v.ok(&["fsck", "src.img", "--passphrase-file", "pass"]);
    v.ok(&["fsck", "dst.img", "--passphrase-file", "pass"]);
    let (code, events, err) = mirror_json(&v, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(summary(&events)["resumed"], true);
    assert_same(&v, "dst.img", "/study", "study");
}

/// Only a mount that runs as the same user (or root) hears a passphrase: a socket another user
/// listens on where the mount's would be gets nothing, and the mirror reports the vault in use.
/// (The other user is `nobody`: the fake server binds as root, then drops to uid 65534 before
/// it listens, which is the identity the kernel reports for it.)
#[test]
fn a_socket_another_user_listens_on_hears_nothing() {
    let v = two_vaults(3);
    let sock = vault::control::socket_path(&v.path("src.img")).unwrap();
    std::fs::create_dir_all(sock.parent().unwrap()).unwrap();
    let heard = v.path("heard");
    let script = format!(
        r#"
import fcntl, os, socket, sys
held = open({img:?}, "rb+"); fcntl.flock(held, fcntl.LOCK_EX)   # the vault "in use"
s = socket.socket(socket.AF_UNIX); s.bind({sock:?}); os.chmod({sock:?}, 0o666)
os.setgid(65534); os.setuid(65534); s.listen(1)
print("ready", flush=True)
c, _ = s.accept(); c.sendall(b"vault-control 1 " + b"0" * 64 + b"\n"); c.settimeout(5)
got = b""
try:
    while True:
        d = c.recv(4096)
        if not d: break
        got += d
except Exception: pass
sys.stderr.write("heard %d bytes\n" % len(got))
"#,
        img = v.path("src.img").to_str().unwrap(),
        sock = sock.to_str().unwrap(),
    );
    let _ = std::fs::remove_file(&sock);
    let mut fake = std::process::Command::new("python3")
        .args(["-c", &script])
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&heard).unwrap())
        .spawn()
        .unwrap();
    let mut ready = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(fake.stdout.take().unwrap()), &mut ready)
        .unwrap();
    assert_eq!(ready.trim(), "ready");
    let (code, _, err) = v.run(&["mirror", "src.img", "dst.img", "--passphrase-file", "pass"]);
    let _ = std::fs::remove_file(&sock);
    let _ = fake.kill();
    let _ = fake.wait();
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("in use by another vault process"), "{err}");
    let heard = std::fs::read_to_string(&heard).unwrap();
    assert!(!heard.contains("heard") || heard.contains("heard 0 bytes"), "{heard}");
}

/// `vault eject` waits for work on the vault: a mirror its mount's process runs ends whole
/// (exit 0) before the vault is unmounted, and an import of the unmounted vault ends whole
/// before the image is said to be closed.
#[test]
fn eject_waits_for_a_mirror_and_an_import() {
    let v = two_vaults(300);
    let m = Mount::new(&v, "src.img", "mnt");
    let mut mirror = v
        .command(&["mirror", "src.img", "dst.img", "--passphrase-file", "pass", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(mirror.stdout.take().unwrap()));
    // Under way: its plan and a first copy.
    while let Some(Ok(line)) = lines.next() {
        if line.contains("\"copied\"") {
            break;
        }
    }
    let (code, out, err) = v.run(&["eject", "mnt"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("waiting for the mirror of ") && err.contains("src.img to finish"), "{err}");
    let rest: Vec<String> = lines.map(|l| l.unwrap()).collect();
    assert!(mirror.wait().unwrap().success(), "the mirror was cut short");
    let summary: serde_json::Value = serde_json::from_str(rest.last().unwrap()).unwrap();
    assert_eq!(summary["event"], "summary", "{summary}");
    assert!(out.contains("src.img: closed and flushed"), "{out}");
    std::mem::forget(m);
    // The backup equals the source: a second run copies nothing.
    let (code, events, _) = mirror_json(&v, &[]);
    assert_eq!(code, 0);
    assert_eq!(events.iter().find(|e| e["event"] == "summary").unwrap()["copied"], 0);

    // An import of the unmounted vault: eject waits for it.
    write_tree(&v.path("more"), 150, 9);
    let import =
        v.command(&["import", "more", "src.img:/more", "--passphrase-file", "pass"]).spawn().unwrap();
    let started = std::time::Instant::now();
    // Until the import holds the vault.
    // Seen in /proc/locks (a probe that took the lock itself could keep the import out).
    let ino = std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(v.path("src.img")).unwrap());
    let mut held = false;
    while !held && started.elapsed().as_secs() < 10 {
        let locks = std::fs::read_to_string("/proc/locks").unwrap();
        held = locks.lines().any(|l| l.contains("FLOCK") && l.contains(&format!(":{ino} ")));
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    assert!(held, "the import was never seen holding the vault");
    let (code, out, err) = v.run(&["eject", "src.img"]);
    let mut import = import;
    let finished = import.try_wait().unwrap();
    assert_eq!(code, 0, "{out}{err}");
    assert!(finished.is_some_and(|s| s.success()), "eject returned while the import ran: {err}");
    assert!(err.contains("waiting for the vault process that holds src.img to finish"), "{err}");
    assert!(out.contains("closed and flushed"), "{out}");
    v.ok(&["fsck", "src.img", "--passphrase-file", "pass"]);
}

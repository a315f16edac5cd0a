//! The store through its library API, on memory and simulated devices.

use std::sync::Arc;

use vaultfmt::dev::MemDevice;
use vaultfmt::header::KdfParams;
use vaultfmt::store::{Kind, ROOT, Store, StoreError};
use vaultfmt::{Secret, Volume};

const CHEAP: KdfParams = KdfParams { memory_kib: 64, time: 1, lanes: 1 };
const PASS: &[u8] = b"made-up store passphrase";

fn new_store(size: u64) -> Store<Arc<MemDevice>> {
    let dev = Arc::new(MemDevice::new(size));
    let created = Volume::create_with(dev, PASS, CHEAP, Store::format).unwrap();
    Store::open(created.volume).unwrap()
}

fn reopen(store: Store<Arc<MemDevice>>) -> Store<Arc<MemDevice>> {
    let dev = store.close().close();
    Store::open(Volume::unlock(dev, Secret::Passphrase(PASS), None).unwrap()).unwrap()
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect()
}

fn read_all(store: &Store<Arc<MemDevice>>, path: &str) -> Vec<u8> {
    let view = store.read().unwrap();
    let ino = view.resolve(path).unwrap().unwrap();
    let mut out = Vec::new();
    view.copy_out(ino, &mut out, &mut |_| {}).unwrap();
    out
}

#[test]
fn files_and_folders_survive_reopen() {
    let store = new_store(64 << 20);
    let big = pattern(1_000_000, 7);
    {
        let mut tx = store.begin().unwrap();
        let dir = tx.mkdir_all("/study/series1", 0o755).unwrap();
        let f = tx.create(dir, "ct-001.dcm", Kind::File, 0o644, None).unwrap();
        tx.write_file(f, &mut &big[..]).unwrap();
        let g = tx.create(ROOT, "notes.txt", Kind::File, 0o600, None).unwrap();
        tx.write_file(g, &mut &b"made-up teaching note"[..]).unwrap();
        tx.create(ROOT, "link", Kind::Symlink, 0o777, Some("notes.txt")).unwrap();
        tx.commit().unwrap();
    }
    let store = reopen(store);
    assert_eq!(read_all(&store, "/study/series1/ct-001.dcm"), big);
    assert_eq!(read_all(&store, "/notes.txt"), b"made-up teaching note");
    let view = store.read().unwrap();
    let names: Vec<_> = view.entries(ROOT).unwrap().into_iter().map(|e| e.name).collect();
    assert_eq!(names, ["link", "notes.txt", "study"]);
    let link = view.inode(view.resolve("/link").unwrap().unwrap()).unwrap().unwrap();
    assert_eq!(link.target.as_deref(), Some("notes.txt"));
    let f = view.inode(view.resolve("/study/series1/ct-001.dcm").unwrap().unwrap()).unwrap().unwrap();
    assert_eq!(f.content_hash, Some(*blake3::hash(&big).as_bytes()));
}

#[test]
fn partial_writes_truncate_and_holes() {
    let store = new_store(64 << 20);
    let mut model = pattern(200_000, 1);
    let mut tx = store.begin().unwrap();
    let f = tx.create(ROOT, "f", Kind::File, 0o644, None).unwrap();
    tx.write_file(f, &mut &model[..]).unwrap();
    tx.write_at(f, 65_000, &[9u8; 1000]).unwrap();
    model[65_000..66_000].fill(9);
    tx.write_at(f, 300_000, b"tail").unwrap();
    model.resize(300_000, 0);
    model.extend_from_slice(b"tail");
    tx.commit().unwrap();
    assert_eq!(read_all(&store, "/f"), model);
    let mut tx = store.begin().unwrap();
    tx.truncate(f, 70_001).unwrap();
    model.truncate(70_001);
    tx.truncate(f, 80_000).unwrap();
    model.resize(80_000, 0);
    let mut buf = vec![0u8; 20];
    assert_eq!(tx.read_at(f, 69_990, &mut buf).unwrap(), 20);
    assert_eq!(buf, model[69_990..70_010]);
    tx.commit().unwrap();
    let store = reopen(store);
    assert_eq!(read_all(&store, "/f"), model);
}

#[test]
fn rename_unlink_rmdir_and_errors() {
    let store = new_store(64 << 20);
    let mut tx = store.begin().unwrap();
    let a = tx.mkdir_all("/a/b", 0o755).unwrap();
    let f = tx.create(a, "x", Kind::File, 0o644, None).unwrap();
    tx.write_file(f, &mut &b"x"[..]).unwrap();
    assert!(matches!(tx.create(a, "x", Kind::File, 0o644, None), Err(StoreError::Exists { .. })));
    assert!(matches!(tx.create(a, "a/b", Kind::File, 0o644, None), Err(StoreError::InvalidName { .. })));
    let top = tx.resolve("/a").unwrap().unwrap();
    assert!(matches!(tx.rename(ROOT, "a", a, "loop", false), Err(StoreError::IntoItself { .. })));
    tx.rename(a, "x", ROOT, "y", false).unwrap();
    assert!(matches!(tx.rmdir(ROOT, "a"), Err(StoreError::NotEmpty { .. })));
    tx.rmdir(top, "b").unwrap();
    tx.link(f, ROOT, "y2").unwrap();
    tx.unlink(ROOT, "y").unwrap();
    tx.commit().unwrap();
    let store = reopen(store);
    assert_eq!(read_all(&store, "/y2"), b"x");
    let view = store.read().unwrap();
    assert!(view.resolve("/y").unwrap().is_none());
    assert!(view.resolve("/a/b").unwrap().is_none());
}

#[test]
fn a_full_vault_says_no_space_and_deleting_frees_it() {
    let store = new_store(24 << 20);
    let (free_before, _) = store.read().unwrap().space().unwrap();
    let mut tx = store.begin().unwrap();
    let f = tx.create(ROOT, "keep", Kind::File, 0o644, None).unwrap();
    tx.write_file(f, &mut &pattern(1 << 20, 3)[..]).unwrap();
    tx.commit().unwrap();

    let huge = pattern(free_before as usize + (1 << 20), 5);
    let mut tx = store.begin().unwrap();
    let g = tx.create(ROOT, "huge", Kind::File, 0o644, None).unwrap();
    let err = tx.write_file(g, &mut &huge[..]).unwrap_err();
    assert!(matches!(&err, StoreError::NoSpace { path } if path == "/huge"), "{err}");
    drop(tx);
    // What was committed is intact, and the failed file never appeared.
    assert_eq!(read_all(&store, "/keep"), pattern(1 << 20, 3));
    assert!(store.read().unwrap().resolve("/huge").unwrap().is_none());

    let (free_now, _) = store.read().unwrap().space().unwrap();
    let mut tx = store.begin().unwrap();
    tx.unlink(ROOT, "keep").unwrap();
    tx.commit().unwrap();
    let (free_after, _) = store.read().unwrap().space().unwrap();
    assert_eq!(free_after, free_now + (1 << 20));
    assert_eq!(free_after, free_before);
}

/// Flips one byte of a file's first chunk on the device.
fn damage_first_chunk(store: Store<Arc<MemDevice>>, path: &str) -> Store<Arc<MemDevice>> {
    damage_chunk(store, path, |chunks| chunks.first())
}

/// Flips one byte of the chunk of a file `which` picks, on the device.
fn damage_chunk(
    store: Store<Arc<MemDevice>>,
    path: &str,
    which: impl Fn(&[(u64, vaultfmt::store::Chunk)]) -> Option<&(u64, vaultfmt::store::Chunk)>,
) -> Store<Arc<MemDevice>> {
    use vaultfmt::dev::BlockDevice;
    let sector = {
        let view = store.read().unwrap();
        let ino = view.resolve(path).unwrap().unwrap();
        which(&view.chunks(ino).unwrap()).unwrap().1.sector
    };
    let dev = store.close().close();
    let offset = vaultfmt::header::HEADER_AREA_BYTES + sector * vaultfmt::SECTOR_SIZE as u64;
    let mut buf = vec![0u8; vaultfmt::SECTOR_SIZE];
    dev.read_at(offset, &mut buf).unwrap();
    buf[100] ^= 0x01;
    dev.write_at(offset, &buf).unwrap();
    Store::open(Volume::unlock(dev, Secret::Passphrase(PASS), None).unwrap()).unwrap()
}

#[test]
fn invariant_3_a_flipped_byte_is_an_error_naming_the_file_and_fsck_sets_it_aside() {
    let store = new_store(64 << 20);
    let mut tx = store.begin().unwrap();
    let d = tx.mkdir_all("/study", 0o755).unwrap();
    let f = tx.create(d, "ct-007.dcm", Kind::File, 0o644, None).unwrap();
    tx.write_file(f, &mut &pattern(300_000, 9)[..]).unwrap();
    let g = tx.create(d, "ct-008.dcm", Kind::File, 0o644, None).unwrap();
    tx.write_file(g, &mut &pattern(1000, 2)[..]).unwrap();
    tx.commit().unwrap();
    let store = damage_first_chunk(store, "/study/ct-007.dcm");

    // Reading the damaged file fails and names it; nothing is returned.
    let view = store.read().unwrap();
    let ino = view.resolve("/study/ct-007.dcm").unwrap().unwrap();
    let mut out = Vec::new();
    let err = view.copy_out(ino, &mut out, &mut |_| {}).unwrap_err();
    assert!(matches!(&err, StoreError::Corrupt { path, .. } if path == "/study/ct-007.dcm"), "{err}");
    assert!(out.is_empty(), "bytes of a damaged chunk were returned");
    let mut buf = [0u8; 10];
    assert!(view.read_at(ino, 0, &mut buf).is_err());
    drop(view);
    assert_eq!(read_all(&store, "/study/ct-008.dcm"), pattern(1000, 2), "an undamaged file still reads");

    // fsck reports the file; repair sets it aside; a second check is clean.
    let report = vaultfmt::store::fsck::check(&store, &mut |_| {}).unwrap();
    assert!(!report.clean());
    assert!(report.damaged.contains("/study/ct-007.dcm"), "{:?}", report.problems);
    let repaired = vaultfmt::store::fsck::repair(&store, &report).unwrap();
    assert_eq!(repaired.set_aside, ["/study/ct-007.dcm"]);
    let again = vaultfmt::store::fsck::check(&store, &mut |_| {}).unwrap();
    assert!(again.clean(), "{:?}", again.problems);
    let view = store.read().unwrap();
    assert!(view.resolve("/study/ct-007.dcm").unwrap().is_none());
    let names: Vec<_> = view.entries(view.resolve("/lost+found").unwrap().unwrap()).unwrap();
    assert_eq!(names.len(), 1);
    assert!(names[0].name.ends_with("ct-007.dcm"));
    // The damaged chunk reads as zeros now; the rest of the file is intact.
    let mut data = Vec::new();
    view.copy_out(names[0].ino, &mut data, &mut |_| {}).unwrap();
    let want = pattern(300_000, 9);
    assert!(data[..65536].iter().all(|&b| b == 0));
    assert_eq!(data[65536..], want[65536..]);
}

/// A large file is read in runs of many chunks: damage at either end of a run is found and
/// named, and the undamaged whole reads back as written.
#[test]
fn invariant_3_damage_at_either_end_of_a_large_run_is_found() {
    for last in [false, true] {
        let store = new_store(64 << 20);
        let mut tx = store.begin().unwrap();
        let d = tx.mkdir_all("/study", 0o755).unwrap();
        let f = tx.create(d, "cine.dcm", Kind::File, 0o644, None).unwrap();
        tx.write_file(f, &mut &pattern(1 << 20, 5)[..]).unwrap();
        tx.commit().unwrap();
        assert_eq!(read_all(&store, "/study/cine.dcm"), pattern(1 << 20, 5));
        let store = damage_chunk(store, "/study/cine.dcm", |c| if last { c.last() } else { c.first() });
        let view = store.read().unwrap();
        let ino = view.resolve("/study/cine.dcm").unwrap().unwrap();
        let err = view.copy_out(ino, &mut Vec::new(), &mut |_| {}).unwrap_err();
        assert!(matches!(&err, StoreError::Corrupt { path, .. } if path == "/study/cine.dcm"), "{err}");
    }
}

#[test]
fn invariant_1_names_and_contents_never_reach_the_device_in_plaintext() {
    let store = new_store(32 << 20);
    let marker = b"MADE-UP-MARKER-Q7XJ";
    let mut tx = store.begin().unwrap();
    let d = tx.mkdir_all("/MADE-UP-MARKER-Q7XJ-folder", 0o755).unwrap();
    let f = tx.create(d, "MADE-UP-MARKER-Q7XJ.dcm", Kind::File, 0o644, None).unwrap();
    let mut content = Vec::new();
    for _ in 0..5000 {
        content.extend_from_slice(marker);
    }
    tx.write_file(f, &mut &content[..]).unwrap();
    tx.audit("import", &[("dest", "/MADE-UP-MARKER-Q7XJ-folder")]).unwrap();
    tx.commit().unwrap();
    let dev = store.close().close();
    let image = dev.to_bytes();
    assert!(!image.windows(marker.len()).any(|w| w == marker), "the marker reached the device");
    let short = &marker[..8];
    assert!(!image.windows(short.len()).any(|w| w == short), "part of the marker reached the device");
}

#[test]
fn extended_attributes_and_files_unlinked_while_open() {
    let store = new_store(32 << 20);
    let mut tx = store.begin().unwrap();
    let f = tx.create(ROOT, "scan.dcm", Kind::File, 0o644, None).unwrap();
    tx.write_file(f, &mut &pattern(100_000, 4)[..]).unwrap();
    tx.set_xattr(f, "com.apple.FinderInfo", &[1, 2, 3], false, false).unwrap();
    assert!(matches!(
        tx.set_xattr(f, "com.apple.FinderInfo", b"x", true, false),
        Err(StoreError::Exists { .. })
    ));
    assert!(matches!(tx.set_xattr(f, "user.none", b"x", false, true), Err(StoreError::NoAttribute { .. })));
    assert_eq!(tx.xattr(f, "com.apple.FinderInfo").unwrap(), Some(vec![1, 2, 3]));
    assert_eq!(tx.xattr_names(f).unwrap(), ["com.apple.FinderInfo"]);
    // Unlinked while open: kept as an orphan, readable, until reaped.
    tx.keep_open([f]);
    tx.unlink(ROOT, "scan.dcm").unwrap();
    let mut buf = [0u8; 10];
    assert_eq!(tx.read_at(f, 0, &mut buf).unwrap(), 10);
    tx.commit().unwrap();
    let report = vaultfmt::store::fsck::check(&store, &mut |_| {}).unwrap();
    assert!(report.clean(), "{:?}", report.problems);
    let (free_with_orphan, _) = store.read().unwrap().space().unwrap();
    // A restart reaps it (no handle survives one), attributes and all.
    let store = reopen(store);
    let (free_after, _) = store.read().unwrap().space().unwrap();
    assert!(free_after > free_with_orphan);
    let tx = store.begin().unwrap();
    assert!(tx.inode(f).unwrap().is_none());
    assert!(tx.xattr_names(f).unwrap().is_empty());
    drop(tx);
    assert!(vaultfmt::store::fsck::check(&store, &mut |_| {}).unwrap().clean());
}

/// A read view open across commits (the mirror of a mounted vault reads one snapshot for
/// minutes while the mount writes): what it sees stays readable, even when later commits delete
/// or overwrite those files and fill the space they had; the sectors count as free again once
/// the view has ended and a durable commit follows.
#[test]
fn a_long_read_view_keeps_its_snapshot_while_the_space_is_reused() {
    let store = new_store(24 << 20);
    let mut tx = store.begin().unwrap();
    for (name, seed) in [("a", 1), ("b", 2)] {
        let f = tx.create(ROOT, name, Kind::File, 0o644, None).unwrap();
        tx.write_file(f, &mut &pattern(3 << 20, seed)[..]).unwrap();
    }
    tx.commit().unwrap();
    let view = store.read().unwrap();
    let (free_at_start, _) = view.space().unwrap();

    // "a" deleted durably, "b" overwritten volatilely then made durable.
    let mut tx = store.begin().unwrap();
    tx.unlink(ROOT, "a").unwrap();
    tx.commit().unwrap();
    let mut tx = store.begin().unwrap();
    let b = tx.resolve("/b").unwrap().unwrap();
    tx.write_file(b, &mut &pattern(3 << 20, 9)[..]).unwrap();
    tx.commit_volatile().unwrap();
    store.begin().unwrap().commit().unwrap();
    // New files take every free sector there is.
    let mut n = 0;
    loop {
        let mut tx = store.begin().unwrap();
        let f = tx.create(ROOT, &format!("fill{n}"), Kind::File, 0o644, None).unwrap();
        match tx.write_file(f, &mut &pattern(1 << 20, 100 + n as u8)[..]) {
            Ok(_) => tx.commit().unwrap(),
            Err(StoreError::NoSpace { .. }) => break,
            Err(e) => panic!("{e}"),
        }
        n += 1;
    }
    // The old snapshot still reads as it was.
    for (name, seed) in [("/a", 1), ("/b", 2)] {
        let ino = view.resolve(name).unwrap().unwrap();
        let mut out = Vec::new();
        view.copy_out(ino, &mut out, &mut |_| {}).unwrap();
        assert!(out == pattern(3 << 20, seed), "{name} changed under a read view");
    }
    assert!(!store.frees_waiting(), "nothing may be freed while the view is open");
    drop(view);
    assert!(store.frees_waiting());
    store.begin().unwrap().commit().unwrap();
    // What "a" and the old "b" took is free again.
    let mut tx = store.begin().unwrap();
    for i in 0..n {
        tx.unlink(ROOT, &format!("fill{i}")).unwrap();
    }
    tx.commit().unwrap();
    let (free_now, _) = store.read().unwrap().space().unwrap();
    assert_eq!(free_now, free_at_start + (3 << 20));
    assert_eq!(read_all(&store, "/b"), pattern(3 << 20, 9));
    let store = reopen(store);
    let report = vaultfmt::store::fsck::check(&store, &mut |_| {}).unwrap();
    assert!(report.clean(), "{report:?}");
}

/// A file's prior version (`txn/prior.rs`): kept from `keep_prior` while the file is changed in
/// place, cut short and written past its end, across commits and a reopen; put back whole by
/// `restore_prior` (content, size, hash), or freed by `drop_prior` — and either way every
/// sector the change took is free again and fsck finds nothing wrong.
#[test]
fn a_prior_version_is_put_back_whole_or_freed_and_no_sector_is_lost() {
    let store = new_store(48 << 20);
    let original = pattern(300_000, 11);
    // A hole in the prior version (chunk 5 of 6 never written), so that a chunk written there
    // later is known not to be the prior version's.
    let mut holed = pattern(330_000, 12);
    holed[5 * 65_536..].fill(0);
    let (f, h) = {
        let mut tx = store.begin().unwrap();
        let f = tx.create(ROOT, "ct.dcm", Kind::File, 0o644, None).unwrap();
        tx.write_file(f, &mut &original[..]).unwrap();
        let h = tx.create(ROOT, "holed.dcm", Kind::File, 0o644, None).unwrap();
        tx.write_at(h, 0, &holed[..5 * 65_536]).unwrap();
        tx.truncate(h, holed.len() as u64).unwrap();
        tx.commit().unwrap();
        (f, h)
    };
    let (free_before, _) = store.read().unwrap().space().unwrap();
    let hash_before = store.read().unwrap().inode(f).unwrap().unwrap().content_hash;

    let change = |store: &Store<Arc<MemDevice>>, f: u64, h: u64| {
        let mut tx = store.begin().unwrap();
        assert!(tx.keep_prior(f).unwrap());
        assert!(!tx.keep_prior(f).unwrap(), "a version kept already stays the one kept");
        tx.write_at(f, 70_000, b"Quellmark^Zelda").unwrap();
        tx.write_at(f, 70_010, b"twice over").unwrap();
        tx.commit().unwrap();
        let mut tx = store.begin().unwrap();
        tx.truncate(f, 100_000).unwrap();
        tx.write_at(f, 500_000, b"past the old end").unwrap();
        assert!(tx.keep_prior(h).unwrap());
        tx.write_at(h, 5 * 65_536 + 10, b"in the hole").unwrap();
        tx.write_at(h, 10, b"over chunk 0").unwrap();
        tx.commit().unwrap();
    };
    change(&store, f, h);
    let report = vaultfmt::store::fsck::check(&store, &mut |_| {}).unwrap();
    assert!(report.clean(), "while kept: {:?}", report.problems);
    assert_eq!(report.files, 2, "a shadow is no file of the vault's");
    assert_ne!(read_all(&store, "/ct.dcm"), original);
    let store = reopen(store);

    let mut tx = store.begin().unwrap();
    tx.set_xattr(f, "user.teaching", b"made-up label", false, false).unwrap();
    let (f_back, names) = tx.restore_prior(f).unwrap().expect("f's prior version");
    assert_eq!(names, [(ROOT, "ct.dcm".to_string())]);
    let (h_back, _) = tx.restore_prior(h).unwrap().expect("h's prior version");
    assert!(tx.restore_prior(f).unwrap().is_none(), "restored once");
    assert!(tx.inode(f).unwrap().is_none() && tx.inode(h).unwrap().is_none(), "the changed files go");
    assert_eq!(tx.xattr(f_back, "user.teaching").unwrap().as_deref(), Some(&b"made-up label"[..]));
    tx.commit().unwrap();
    assert_eq!(read_all(&store, "/ct.dcm"), original);
    assert_eq!(read_all(&store, "/holed.dcm"), holed);
    let view = store.read().unwrap();
    assert_eq!(view.resolve("/ct.dcm").unwrap(), Some(f_back));
    let back = view.inode(f_back).unwrap().unwrap();
    assert_eq!((back.content_hash, back.nlink, back.size), (hash_before, 1, original.len() as u64));
    drop(view);
    let (f, h) = (f_back, h_back);
    let report = vaultfmt::store::fsck::check(&store, &mut |_| {}).unwrap();
    assert!(report.clean(), "after restore: {:?}", report.problems);
    let store = reopen(store);
    assert_eq!(store.read().unwrap().space().unwrap().0, free_before);

    // Passed this time: the change stays and the prior version is freed.
    change(&store, f, h);
    let mut tx = store.begin().unwrap();
    assert!(tx.drop_prior(f).unwrap());
    assert!(tx.drop_prior(h).unwrap());
    assert!(tx.priors().unwrap().is_empty());
    tx.commit().unwrap();
    let mut want = original[..100_000].to_vec();
    want[70_000..70_010].copy_from_slice(b"Quellmark^");
    want[70_010..70_020].copy_from_slice(b"twice over");
    want.resize(500_000, 0);
    want.extend_from_slice(b"past the old end");
    assert_eq!(read_all(&store, "/ct.dcm"), want);
    let report = vaultfmt::store::fsck::check(&store, &mut |_| {}).unwrap();
    assert!(report.clean(), "after drop: {:?}", report.problems);

    // A file deleted while its prior version is kept takes the version with it.
    let mut tx = store.begin().unwrap();
    assert!(tx.keep_prior(f).unwrap());
    tx.truncate(f, 0).unwrap();
    tx.unlink(ROOT, "ct.dcm").unwrap();
    tx.unlink(ROOT, "holed.dcm").unwrap();
    assert!(tx.priors().unwrap().is_empty());
    tx.commit().unwrap();
    let store = reopen(store);
    let report = vaultfmt::store::fsck::check(&store, &mut |_| {}).unwrap();
    assert!(report.clean(), "after delete: {:?}", report.problems);
    // Both files' sectors, and every kept one, are free again.
    assert!(store.read().unwrap().space().unwrap().0 >= free_before + 600_000);
}

//! The mount killed, its drive pulled, its vault full: what was fsynced survives, no file is left
//! half written, and nothing unchecked becomes readable. Needs root, as CI runs.

mod common;

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use common::Vault;
use common::mount::{
    Mounted, hold_open, kill_mount, kill_now, mount_pids, past_durability_bound, run, study,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The mount's process killed with SIGKILL in the middle of a copy: remount works, fsck is
/// clean, and every file fsynced before the kill is intact.
#[test]
fn killed_mount_keeps_every_fsynced_file() {
    let v = Vault::new();
    v.init_image("v.img", "96M");
    let m = Mounted::new(&v, "v.img", "kill-mnt");
    let mut synced = Vec::new();
    for i in 0..20 {
        let data: Vec<u8> = (0..(100_000 + i * 7_000)).map(|b| (b * 13 + i) as u8).collect();
        let path = m.dir.join(format!("synced{i:02}.dcm"));
        let mut f = fs::File::create(&path).unwrap();
        f.write_all(&data).unwrap();
        f.sync_all().unwrap();
        synced.push((path.file_name().unwrap().to_owned(), data));
    }
    // Start a copy, then kill the mount's process in the middle of it: once the copy has begun
    // (its folder is there) and while `cp` still runs. A copy that ended first is started
    // again, into a new folder.
    study(&v.dir.path().join("src"));
    let mount = mount_pids(&v, "vault mount v.img kill-mnt");
    let mut tries = 0;
    let mut cp = loop {
        let copy = format!("copy{tries}");
        let mut cp = Command::new("cp")
            .args(["-a", "src/study", &format!("kill-mnt/{copy}")])
            .current_dir(v.dir.path())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        while !m.dir.join(&copy).exists() && cp.try_wait().unwrap().is_none() {
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        if cp.try_wait().unwrap().is_none() {
            break cp;
        }
        tries += 1;
        assert!(tries < 10, "ten copies each ended before the kill could land");
    };
    kill_now(&mount);
    let copied = cp.wait().unwrap();
    assert!(!copied.success(), "cp finished: the kill did not land in the middle of the copy");
    drop(m);
    // A stale mount is cleaned up by the next mount.
    assert_eq!(v.run(&["fsck", "v.img", "--passphrase-file", "pass"]).0, 0);
    let m = Mounted::new(&v, "v.img", "kill-mnt");
    for (name, data) in &synced {
        assert_eq!(&fs::read(m.dir.join(name)).unwrap(), data, "{name:?} lost after the kill");
    }
    m.umount();
}

/// A drive pulled while mounted: the inner vault's image lives on an outer vault mount, and the
/// outer mount's process is killed, so the inner vault's device vanishes (reads and writes fail
/// with ENOTCONN) as an unplugged disk's does. The inner mount must answer with errors, never
/// hang, and what it had committed must be intact once the "drive" is back.
#[test]
fn a_pulled_drive_gives_io_errors_not_hangs_and_loses_nothing_committed() {
    let v = Vault::new();
    v.init_image("outer.img", "160M");
    let outer = Mounted::new(&v, "outer.img", "outer");
    v.ok(&[
        &["init", "--image", "outer/inner.img", "--size", "64M", "--passphrase-file", "pass"][..],
        &common::CHEAP[..],
    ]
    .concat());
    let inner = Mounted::new(&v, "outer/inner.img", "inner");
    let mut committed = Vec::new();
    for i in 0..5 {
        let data = vec![i as u8 + 1; 200_000];
        let mut f = fs::File::create(inner.dir.join(format!("kept{i}"))).unwrap();
        f.write_all(&data).unwrap();
        f.sync_all().unwrap();
        committed.push(data);
    }
    kill_mount(&v, "vault mount outer.img outer");
    std::thread::sleep(std::time::Duration::from_millis(300));
    // Every operation on the inner mount fails promptly.
    let dir = inner.dir.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let new = fs::File::create(dir.join("after-pull")).and_then(|mut f| {
            f.write_all(&[7u8; 100_000])?;
            f.sync_all()
        });
        let fresh_read = fs::read(dir.join("kept3")).map(|_| ()).and_then(|_| {
            // The page cache may still hold it; a durable commit cannot succeed.
            fs::File::open(&dir)?.sync_all()
        });
        tx.send((new.is_err(), fresh_read.is_err())).unwrap();
    });
    let (write_failed, sync_failed) =
        rx.recv_timeout(std::time::Duration::from_secs(20)).expect("the inner mount hung after the pull");
    assert!(write_failed, "a write and fsync after the pull succeeded");
    assert!(sync_failed, "an fsync after the pull succeeded");
    drop(inner);
    drop(outer);
    // The drive comes back: the inner vault is whole.
    let _outer = Mounted::new(&v, "outer.img", "outer");
    assert_eq!(v.run(&["fsck", "outer/inner.img", "--passphrase-file", "pass"]).0, 0);
    let inner = Mounted::new(&v, "outer/inner.img", "inner");
    for (i, data) in committed.iter().enumerate() {
        assert_eq!(&fs::read(inner.dir.join(format!("kept{i}"))).unwrap(), data);
    }
    assert!(!inner.dir.join("after-pull").exists(), "a file made after the pull was never durable");
    inner.umount();
}

/// Data closed without fsync is durable within the documented bound (3 seconds): written, left
/// for 3.5 s, then the mount's process is killed; after a remount the file is there, whole.
#[test]
fn closed_without_fsync_is_durable_within_three_seconds() {
    let v = Vault::new();
    v.init_image("v.img", "32M");
    let m = Mounted::new(&v, "v.img", "bound-mnt");
    let data: Vec<u8> = (0..300_000).map(|b| (b * 7) as u8).collect();
    fs::write(m.dir.join("unsynced.dcm"), &data).unwrap();
    std::thread::sleep(past_durability_bound(500));
    kill_mount(&v, "vault mount v.img bound-mnt");
    drop(m);
    let m = Mounted::new(&v, "v.img", "bound-mnt");
    assert_eq!(fs::read(m.dir.join("unsynced.dcm")).unwrap(), data);
    m.umount();
}

/// Every file a listing shows through `mnt`, with the size `stat` gives; each must read back
/// whole and equal to the source of the same name (a file is whole or it is not there).
fn whole_or_absent(mnt: &Path, src: &Path, when: &str) -> Vec<String> {
    let mut names = Vec::new();
    for e in fs::read_dir(mnt).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().into_string().unwrap();
        let size = e.metadata().unwrap().len();
        let read = fs::read(e.path()).unwrap_or_else(|err| panic!("{when}: {name} does not read: {err}"));
        let want = fs::read(src.join(&name)).unwrap();
        assert_eq!((size, read.len()), (want.len() as u64, want.len()), "{when}: {name} is not whole");
        assert!(read == want, "{when}: {name} reads other bytes than were copied");
        names.push(name);
    }
    names.sort();
    names
}

/// A vault that fills up through the mount leaves no file that looks whole and is not: a copy
/// that failed for space leaves no file; every file listed has its whole size and bytes, after
/// the kernel's caches drop and after a remount; fsck is clean; the space comes back.
#[test]
fn a_full_vault_leaves_no_half_files() {
    let v = Vault::new();
    v.init_image("v.img", "32M");
    let src = v.path("src");
    fs::create_dir(&src).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(19);
    for i in 0..5 {
        let data: Vec<u8> = (0..10 << 20).map(|_| rng.random()).collect();
        fs::write(src.join(format!("f{i}.bin")), data).unwrap();
    }
    let m = Mounted::new(&v, "v.img", "full-mnt");
    let mut copied = Vec::new();
    for i in 0..5 {
        let name = format!("f{i}.bin");
        let out = Command::new("cp").arg(src.join(&name)).arg(m.dir.join(&name)).output().unwrap();
        if out.status.success() {
            copied.push(name);
        } else {
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains("No space left on device"), "{name}: {err}");
        }
    }
    assert!((1..5).contains(&copied.len()), "the vault was meant to fill: {copied:?}");
    assert_eq!(whole_or_absent(&m.dir, &src, "at once"), copied);
    fs::write("/proc/sys/vm/drop_caches", "3").unwrap();
    assert_eq!(whole_or_absent(&m.dir, &src, "caches dropped"), copied);
    m.umount();
    let (code, out, err) = v.run(&["fsck", "v.img", "--passphrase-file", "pass"]);
    assert_eq!(code, 0, "{out}{err}");
    // Each removal is in the audit log, with its reason.
    let log = v.ok(&["log", "v.img", "--passphrase-file", "pass"]);
    for i in copied.len()..5 {
        let line = format!("incomplete  door=mount path=/f{i}.bin reason=ENOSPC");
        assert!(log.contains(&line), "{line} not in {log}");
    }
    let m = Mounted::new(&v, "v.img", "full-mnt");
    assert_eq!(whole_or_absent(&m.dir, &src, "remounted"), copied);
    // The space comes back: with the first file gone, a failed one fits.
    fs::remove_file(m.dir.join(&copied[0])).unwrap();
    let last = "f4.bin";
    run("cp", &[src.join(last).to_str().unwrap(), m.dir.join(last).to_str().unwrap()], v.dir.path());
    let mut expect: Vec<String> = copied[1..].to_vec();
    expect.push(last.into());
    expect.sort();
    expect.dedup();
    assert_eq!(whole_or_absent(&m.dir, &src, "after freeing"), expect);
    m.umount();
}

/// Writes 1 MiB blocks of `byte` (aligned, for a descriptor opened `O_DIRECT`) until the vault is
/// full: returns how many bytes landed; panics unless the last write failed with ENOSPC.
fn fill(f: &mut fs::File, byte: u8) -> usize {
    let mut buf = vec![0u8; (1 << 20) + 4096];
    let at = buf.as_ptr().align_offset(4096);
    let block = &mut buf[at..at + (1 << 20)];
    block.fill(byte);
    let mut written = 0;
    let err = loop {
        match f.write(block) {
            Ok(n) => written += n,
            Err(e) => break e,
        }
        assert!(written < 64 << 20, "the vault never filled");
    };
    assert_eq!(err.raw_os_error(), Some(libc::ENOSPC), "{err}");
    written
}

/// An edit of a file the gate had passed that fills the vault (its overwritten chunks are kept
/// aside until the edit passes, so it needs room for both): the write fails for space, the
/// close says so, and the file is put back as it was, not removed — bytes and size, at once and
/// after a remount; fsck is clean and the vault uses what it used before the edit.
#[test]
fn an_edit_of_a_passed_file_that_fills_the_vault_puts_it_back() {
    use std::os::unix::fs::OpenOptionsExt;
    let v = Vault::new();
    v.init_image("v.img", "32M");
    let mut rng = ChaCha8Rng::seed_from_u64(23);
    let original: Vec<u8> = (0..8 << 20).map(|_| rng.random()).collect();
    let m = Mounted::new(&v, "v.img", "edit-mnt");
    fs::write(m.dir.join("kept.bin"), &original).unwrap();
    m.umount();
    let used = |v: &Vault| {
        let (code, out, err) = v.run(&["fsck", "v.img", "--json", "--passphrase-file", "pass"]);
        assert_eq!(code, 0, "{out}{err}");
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        report["usage"]["data_bytes"].as_u64().unwrap()
    };
    let before = used(&v);
    let m = Mounted::new(&v, "v.img", "edit-mnt");
    // O_DIRECT: each write reaches the mount at once. Over the file from its start, then on past
    // its end, until the vault is full.
    let mut f =
        fs::OpenOptions::new().write(true).custom_flags(libc::O_DIRECT).open(m.dir.join("kept.bin")).unwrap();
    let written = fill(&mut f, 0xa5);
    assert!(written > original.len(), "the edit filled the vault after {written} bytes");
    let fd = std::os::fd::IntoRawFd::into_raw_fd(f);
    // SAFETY: closing the descriptor this test owns, once.
    assert_eq!(unsafe { libc::close(fd) }, -1, "the close of a failed write passed");
    let started = std::time::Instant::now();
    let path = m.dir.join("kept.bin");
    while fs::metadata(&path).map(|m| m.len()).ok() != Some(original.len() as u64)
        || fs::read(&path).ok().as_deref() != Some(&original[..])
    {
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "kept.bin was not put back");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    m.umount();
    assert_eq!(used(&v), before, "the space the edit took did not come back");
    let m = Mounted::new(&v, "v.img", "edit-mnt");
    assert!(fs::read(m.dir.join("kept.bin")).unwrap() == original, "after a remount");
    m.umount();
    let log = v.ok(&["log", "v.img", "--passphrase-file", "pass"]);
    assert!(log.contains("incomplete  door=mount path=/kept.bin reason=ENOSPC"), "{log}");
    assert!(log.contains("restored  door=mount path=/kept.bin"), "{log}");
}

/// A write that failed for space, then the mount killed before the file was closed: the next
/// mount removes the file (it is listed as incomplete in the store), never checks and shows
/// what part of it landed.
#[test]
fn a_file_whose_write_failed_is_gone_after_a_crash() {
    use std::os::unix::fs::OpenOptionsExt;
    let v = Vault::new();
    v.init_image("v.img", "32M");
    let m = Mounted::new(&v, "v.img", "crash-mnt");
    // O_DIRECT: each write reaches the mount at once (no cache to hold it until the close).
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .custom_flags(libc::O_DIRECT)
        .open(m.dir.join("big.bin"))
        .unwrap();
    let written = fill(&mut f, 0x5a);
    kill_mount(&v, "vault mount v.img crash-mnt");
    drop(f);
    drop(m);
    let m = Mounted::new(&v, "v.img", "crash-mnt");
    assert!(!m.dir.join("big.bin").exists(), "the half-written file came back ({written} bytes landed)");
    m.umount();
    let log = v.ok(&["log", "v.img", "--passphrase-file", "pass"]);
    assert!(log.contains("incomplete  door=mount path=/big.bin"), "{log}");
    let (code, out, err) = v.run(&["fsck", "v.img", "--passphrase-file", "pass"]);
    assert_eq!(code, 0, "{out}{err}");
}

/// A copy cut short by a crash (the mount killed while the file is still being written, never
/// closed): the next mount removes the new file instead of checking and showing what landed.
/// A file that was whole and fsynced before, then changed, is kept (its fsynced data is the
/// durability promise).
#[test]
fn a_copy_cut_short_by_a_crash_leaves_no_file() {
    let v = Vault::new();
    v.init_image("v.img", "32M");
    let m = Mounted::new(&v, "v.img", "cut-mnt");
    let mut kept = fs::File::create(m.dir.join("kept.txt")).unwrap();
    kept.write_all(b"made-up note, fsynced\n").unwrap();
    kept.sync_all().unwrap();
    kept.write_all(b"an appended line\n").unwrap();
    // Written and held open by a process of its own (a fork of this one would close a copy of
    // the descriptor: a flush, which the gate answers).
    fs::write(v.path("source.bin"), vec![0x42u8; 5 << 20]).unwrap();
    let mut writer = hold_open(&v, &[("source.bin", "cut-mnt/copy.bin")]);
    // Long enough for the committer to make what landed durable.
    std::thread::sleep(past_durability_bound(500));
    kill_mount(&v, "vault mount v.img cut-mnt");
    writer.kill().unwrap();
    writer.wait().unwrap();
    drop(kept);
    drop(m);
    let m = Mounted::new(&v, "v.img", "cut-mnt");
    let back = fs::metadata(m.dir.join("copy.bin")).map(|x| x.len());
    assert!(back.is_err(), "a copy that never finished came back: {back:?}");
    assert!(fs::read_to_string(m.dir.join("kept.txt")).unwrap().starts_with("made-up note, fsynced\n"));
    m.umount();
    let log = v.ok(&["log", "v.img", "--passphrase-file", "pass"]);
    assert!(log.contains("incomplete  door=mount path=/copy.bin"), "{log}");
}

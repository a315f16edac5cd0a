//! The vault through a real FUSE mount (`/dev/fuse`, Debian `fuse3`): what users do, a
//! seeded model-based random-operation test against a plain folder, stress-ng and fio, and a
//! mount process killed in the middle of a copy. Needs root, as CI runs.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::Vault;
use common::mount::{Mounted, hold_open, kill_mount, run};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A tree of DICOM-like files: nested series, sizes from 0 to a few MB, a link.
fn study(root: &Path) {
    for s in 0..3 {
        let dir = root.join(format!("study/series{s}"));
        fs::create_dir_all(&dir).unwrap();
        for i in 0..20 {
            let len = [0, 1, 4095, 4096, 65_535, 65_536, 65_537, 300_000, 524_288][(i + s) % 9] + i * 13;
            let data: Vec<u8> = (0..len).map(|b| (b * 31 + i + s) as u8).collect();
            fs::write(dir.join(format!("im{i:03}.dcm")), data).unwrap();
        }
    }
    fs::write(root.join("study/big.bin"), vec![0x42u8; 5 << 20]).unwrap();
    std::os::unix::fs::symlink("series0/im000.dcm", root.join("study/first")).unwrap();
}

#[test]
fn cp_a_and_rsync_a_in_then_diff_equal_before_and_after_remount() {
    let v = Vault::new();
    v.init_image("v.img", "96M");
    study(&v.dir.path().join("src"));
    let m = Mounted::new(&v, "v.img", "mnt");
    run("cp", &["-a", "src/study", "mnt/cp"], v.dir.path());
    run("rsync", &["-a", "src/study/", "mnt/rsync/"], v.dir.path());
    run("diff", &["-r", "--no-dereference", "src/study", "mnt/cp"], v.dir.path());
    run("diff", &["-r", "--no-dereference", "src/study", "mnt/rsync"], v.dir.path());
    // cp -a kept modes and times.
    let (a, b) =
        (fs::metadata(v.path("src/study/big.bin")).unwrap(), fs::metadata(v.path("mnt/cp/big.bin")).unwrap());
    assert_eq!((a.mode(), a.mtime()), (b.mode(), b.mtime()));
    m.umount();
    assert_eq!(v.run(&["fsck", "v.img", "--passphrase-file", "pass"]).0, 0);
    let _m = Mounted::new(&v, "v.img", "mnt");
    run("diff", &["-r", "--no-dereference", "src/study", "mnt/cp"], v.dir.path());
    run("diff", &["-r", "--no-dereference", "src/study", "mnt/rsync"], v.dir.path());
    // statfs tells the truth: the space used grew by about what was copied.
    let df = run("df", &["-B1", "--output=used", "mnt"], v.dir.path());
    let used: u64 = df.lines().nth(1).unwrap().trim().parse().unwrap();
    assert!(used >= 2 * (5 << 20), "df says {used} bytes used");
}

#[test]
fn posix_behaviour_renames_links_xattrs_and_errors() {
    let v = Vault::new();
    v.init_image("v.img", "32M");
    let m = Mounted::new(&v, "v.img", "mnt");
    let d = &m.dir;
    fs::create_dir(d.join("a")).unwrap();
    fs::write(d.join("a/x"), b"made-up").unwrap();
    assert_eq!(fs::create_dir(d.join("a")).unwrap_err().raw_os_error(), Some(libc::EEXIST));
    assert_eq!(fs::remove_dir(d.join("a")).unwrap_err().raw_os_error(), Some(libc::ENOTEMPTY));
    assert_eq!(fs::rename(d.join("a"), d.join("a/inside")).unwrap_err().raw_os_error(), Some(libc::EINVAL));
    // RENAME_NOREPLACE refuses; RENAME_EXCHANGE is a clean EINVAL.
    fs::write(d.join("y"), b"other").unwrap();
    let c = |p: &Path| std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).unwrap();
    let (from, to) = (c(&d.join("a/x")), c(&d.join("y")));
    // SAFETY: renameat2 with valid C strings.
    let rc = unsafe {
        libc::renameat2(libc::AT_FDCWD, from.as_ptr(), libc::AT_FDCWD, to.as_ptr(), libc::RENAME_NOREPLACE)
    };
    assert_eq!((rc, std::io::Error::last_os_error().raw_os_error()), (-1, Some(libc::EEXIST)));
    // SAFETY: as above.
    let rc = unsafe {
        libc::renameat2(libc::AT_FDCWD, from.as_ptr(), libc::AT_FDCWD, to.as_ptr(), libc::RENAME_EXCHANGE)
    };
    assert_eq!((rc, std::io::Error::last_os_error().raw_os_error()), (-1, Some(libc::EINVAL)));
    fs::rename(d.join("a/x"), d.join("y")).unwrap();
    assert_eq!(fs::read(d.join("y")).unwrap(), b"made-up");
    fs::hard_link(d.join("y"), d.join("y2")).unwrap();
    assert_eq!(fs::metadata(d.join("y")).unwrap().nlink(), 2);
    std::os::unix::fs::symlink("y", d.join("l")).unwrap();
    assert_eq!(fs::read_link(d.join("l")).unwrap(), Path::new("y"));
    assert_eq!(fs::read(d.join("l")).unwrap(), b"made-up");
    // chmod, utimens, truncate.
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(d.join("y"), fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(fs::metadata(d.join("y")).unwrap().mode() & 0o777, 0o600);
    let f = fs::OpenOptions::new().write(true).open(d.join("y")).unwrap();
    f.set_len(3).unwrap();
    f.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000)).unwrap();
    drop(f);
    assert_eq!(fs::metadata(d.join("y")).unwrap().mtime(), 1_000_000);
    assert_eq!(fs::read(d.join("y2")).unwrap(), b"mad");
    // Extended attributes, as macOS file managers write them.
    run("setfattr", &["-n", "user.com.apple.FinderInfo", "-v", "0x0102", "mnt/y"], v.dir.path());
    let got = run("getfattr", &["-d", "-e", "hex", "mnt/y"], v.dir.path());
    assert!(got.contains("user.com.apple.FinderInfo=0x0102"), "{got}");
    run("setfattr", &["-x", "user.com.apple.FinderInfo", "mnt/y"], v.dir.path());
    assert!(!run("getfattr", &["-d", "mnt/y"], v.dir.path()).contains("FinderInfo"));
    // A file unlinked while open stays readable through its handle.
    let mut open = fs::File::open(d.join("y2")).unwrap();
    fs::remove_file(d.join("y2")).unwrap();
    fs::remove_file(d.join("y")).unwrap();
    let mut s = String::new();
    open.read_to_string(&mut s).unwrap();
    assert_eq!(s, "mad");
    drop(open);
    // Special files are refused.
    let fifo = c(&d.join("fifo"));
    // SAFETY: mkfifo with a valid C string.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, -1);
    m.umount();
    assert_eq!(v.run(&["fsck", "v.img", "--passphrase-file", "pass"]).0, 0);
}

/// Set-ID bits go as Linux takes them: on a write by a process without CAP_FSETID, on a change
/// of owner; not on root's own write. (The mount takes them itself: FUSE_HANDLE_KILLPRIV_V2.)
#[test]
fn set_id_bits_are_taken_away_as_linux_takes_them() {
    use std::os::unix::fs::PermissionsExt;
    let v = Vault::new();
    v.init_image("v.img", "32M");
    let m = Mounted::new(&v, "v.img", "suid-mnt");
    let file = m.dir.join("tool");
    fs::write(&file, b"made-up\n").unwrap();
    let mode = |f: &Path| fs::metadata(f).unwrap().mode() & 0o7777;
    let set = |f: &Path, bits: u32| fs::set_permissions(f, fs::Permissions::from_mode(bits)).unwrap();
    // Root (with CAP_FSETID) writes: the bits stay.
    set(&file, 0o6755);
    fs::OpenOptions::new().append(true).open(&file).unwrap().write_all(b"more\n").unwrap();
    assert_eq!(mode(&file), 0o6755);
    // Without CAP_FSETID: set-user-ID goes, and set-group-ID with group execute.
    let append = |f: &Path| {
        let status = std::process::Command::new("setpriv")
            .args([
                "--bounding-set",
                "-fsetid",
                "--inh-caps",
                "-fsetid",
                "sh",
                "-c",
                "echo made-up >> \"$0\"",
            ])
            .arg(f)
            .status()
            .unwrap();
        assert!(status.success());
    };
    append(&file);
    assert_eq!(mode(&file), 0o755);
    // Set-group-ID without group execute (mandatory locking's mark) is not a privilege: it stays.
    set(&file, 0o4745 | 0o2000);
    append(&file);
    assert_eq!(mode(&file), 0o2745);
    // A change of owner takes them away, even by root; an explicit mode is kept.
    set(&file, 0o6755);
    std::os::unix::fs::chown(&file, Some(1000), Some(1000)).unwrap();
    assert_eq!(mode(&file), 0o755);
    set(&file, 0o6755);
    assert_eq!(mode(&file), 0o6755);
    assert_eq!(fs::read_to_string(&file).unwrap(), "made-up\nmore\nmade-up\nmade-up\n");
    m.umount();
}

#[test]
fn read_only_mount_refuses_changes() {
    let v = Vault::new();
    v.init_image("v.img", "32M");
    let m = Mounted::new(&v, "v.img", "rw");
    fs::write(m.dir.join("kept"), b"made-up").unwrap();
    m.umount();
    fs::create_dir(v.path("ro")).unwrap();
    v.ok(&["mount", "v.img", "ro", "--read-only", "--passphrase-file", "pass"]);
    let m = Mounted { v: &v, dir: v.path("ro") };
    assert_eq!(fs::read(m.dir.join("kept")).unwrap(), b"made-up");
    assert_eq!(fs::write(m.dir.join("new"), b"x").unwrap_err().raw_os_error(), Some(libc::EROFS));
    m.umount();
}

#[derive(Debug, Clone)]
enum Op {
    Create(String),
    Write(String, u64, usize, u8),
    Read(String, u64, usize),
    Truncate(String, u64),
    Rename(String, String),
    Unlink(String),
    Mkdir(String),
    Rmdir(String),
    Readdir(String),
    Fsync(String),
}

/// Applies an operation to a root folder; returns what the caller can observe.
fn apply(root: &Path, op: &Op) -> Result<String, i32> {
    let p = |s: &str| root.join(s);
    let err = |e: std::io::Error| e.raw_os_error().unwrap_or(-1);
    match op {
        Op::Create(f) => {
            fs::OpenOptions::new().write(true).create_new(true).open(p(f)).map(|_| String::new()).map_err(err)
        }
        Op::Write(f, off, len, seed) => {
            let file = fs::OpenOptions::new().write(true).open(p(f)).map_err(err)?;
            let data: Vec<u8> =
                (0..*len).map(|i| (i as u8).wrapping_mul(*seed | 1).wrapping_add(*seed)).collect();
            file.write_all_at(&data, *off).map_err(err)?;
            Ok(String::new())
        }
        Op::Read(f, off, len) => {
            let mut file = fs::File::open(p(f)).map_err(err)?;
            file.seek(SeekFrom::Start(*off)).map_err(err)?;
            let mut buf = vec![0u8; *len];
            let mut n = 0;
            while n < buf.len() {
                match file.read(&mut buf[n..]).map_err(err)? {
                    0 => break,
                    k => n += k,
                }
            }
            Ok(format!("{n}:{}", blake3::hash(&buf[..n]).to_hex()))
        }
        Op::Truncate(f, len) => fs::OpenOptions::new()
            .write(true)
            .open(p(f))
            .and_then(|f| f.set_len(*len))
            .map(|_| String::new())
            .map_err(err),
        Op::Rename(a, b) => fs::rename(p(a), p(b)).map(|_| String::new()).map_err(err),
        Op::Unlink(f) => fs::remove_file(p(f)).map(|_| String::new()).map_err(err),
        Op::Mkdir(d) => fs::create_dir(p(d)).map(|_| String::new()).map_err(err),
        Op::Rmdir(d) => fs::remove_dir(p(d)).map(|_| String::new()).map_err(err),
        Op::Readdir(d) => {
            let mut names: Vec<String> = fs::read_dir(p(d))
                .map_err(err)?
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            Ok(names.join(","))
        }
        Op::Fsync(f) => fs::OpenOptions::new()
            .write(true)
            .open(p(f))
            .and_then(|f| f.sync_all())
            .map(|_| String::new())
            .map_err(err),
    }
}

fn random_op(rng: &mut ChaCha8Rng) -> Op {
    let names = ["a", "b", "c", "d", "d1/a", "d1/b", "d1/d2/a", "d2/x"];
    let dirs = ["d1", "d2", "d1/d2", "d3"];
    let f = names[rng.random_range(0..names.len())].to_string();
    let d = dirs[rng.random_range(0..dirs.len())].to_string();
    let offset = match rng.random_range(0..4) {
        0 => 0,
        1 => rng.random_range(0..70_000),
        2 => rng.random_range(0..400_000),
        _ => 65_536 * rng.random_range(0..6),
    };
    match rng.random_range(0..20) {
        0..=2 => Op::Create(f),
        3..=7 => Op::Write(f, offset, rng.random_range(1..200_000), rng.random()),
        8..=10 => Op::Read(f, offset, rng.random_range(1..300_000)),
        11 => Op::Truncate(f, rng.random_range(0..300_000)),
        12 | 13 => Op::Rename(f, names[rng.random_range(0..names.len())].to_string()),
        14 => Op::Unlink(f),
        15 => Op::Mkdir(d),
        16 => Op::Rmdir(d),
        17 | 18 => Op::Readdir(if rng.random_bool(0.5) { d } else { ".".into() }),
        _ => Op::Fsync(f),
    }
}

/// The whole tree under a root: path → file bytes (or a folder).
fn snapshot(root: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for e in fs::read_dir(root.join(&rel)).unwrap() {
            let e = e.unwrap();
            let r = rel.join(e.file_name());
            if e.file_type().unwrap().is_dir() {
                out.insert(r.display().to_string(), None);
                stack.push(r);
            } else {
                out.insert(r.display().to_string(), Some(fs::read(e.path()).unwrap()));
            }
        }
    }
    out
}

/// fsx-style: random operations on the mount and on a plain folder, checked step by step
/// (result and error number), and the whole tree compared every 100 steps and at the end.
/// `VAULT_FSX_SEED` and `VAULT_FSX_OPS` replay or lengthen a run.
#[test]
fn model_based_random_operations_match_a_plain_folder() {
    let seed: u64 = std::env::var("VAULT_FSX_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20261125);
    let count: usize = std::env::var("VAULT_FSX_OPS").ok().and_then(|s| s.parse().ok()).unwrap_or(3000);
    let v = Vault::new();
    v.init_image("v.img", "128M");
    let model = v.path("model");
    fs::create_dir(&model).unwrap();
    let m = Mounted::new(&v, "v.img", "mnt");
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for step in 0..count {
        let op = random_op(&mut rng);
        let expected = apply(&model, &op);
        let got = apply(&m.dir, &op);
        assert_eq!(got, expected, "seed {seed} step {step}: {op:?} (replay: VAULT_FSX_SEED={seed})");
        if step % 100 == 99 {
            assert!(snapshot(&m.dir) == snapshot(&model), "seed {seed} step {step}: trees differ");
        }
    }
    assert!(snapshot(&m.dir) == snapshot(&model), "seed {seed}: trees differ at the end");
    m.umount();
    assert_eq!(v.run(&["fsck", "v.img", "--passphrase-file", "pass"]).0, 0);
    let _m = Mounted::new(&v, "v.img", "mnt");
    assert!(snapshot(&v.path("mnt")) == snapshot(&model), "seed {seed}: trees differ after remount");
}

#[test]
fn stress_ng_filesystem_stressors_pass() {
    let v = Vault::new();
    v.init_image("v.img", "256M");
    let m = Mounted::new(&v, "v.img", "mnt");
    let dir = m.dir.to_str().unwrap();
    for stressor in [
        vec!["--hdd", "1", "--hdd-bytes", "16M", "--hdd-opts", "wr-seq,rd-seq,fsync", "--verify"],
        vec!["--dir", "1", "--dir-dirs", "256"],
        vec!["--rename", "1"],
        vec!["--dentry", "1", "--dentries", "512"],
        vec!["--seek", "1", "--seek-size", "8M"],
    ] {
        let mut args = vec!["--temp-path", dir, "--timeout", "8s", "--metrics-brief"];
        args.extend(stressor.iter().copied());
        let out =
            Command::new("stress-ng").args(&args).stdin(Stdio::null()).output().expect("stress-ng runs");
        let text =
            format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "stress-ng {stressor:?} failed:\n{text}");
        assert!(!text.contains("fail"), "stress-ng {stressor:?} reports a failure:\n{text}");
    }
    m.umount();
    assert_eq!(v.run(&["fsck", "v.img", "--passphrase-file", "pass"]).0, 0);
}

#[test]
fn fio_with_verification_passes() {
    let v = Vault::new();
    v.init_image("v.img", "256M");
    let m = Mounted::new(&v, "v.img", "mnt");
    for (name, rw, bs) in [("seq", "write", "1M"), ("rand", "randwrite", "16k")] {
        let args = [
            &format!("--name={name}"),
            &format!("--directory={}", m.dir.display()),
            &format!("--rw={rw}"),
            &format!("--bs={bs}"),
            "--size=24M",
            "--verify=crc32c",
            "--do_verify=1",
            "--verify_fatal=1",
            "--ioengine=psync",
            "--end_fsync=1",
        ];
        // fio leaves its verify state files in its working folder: the test's, not the repo.
        let out = Command::new("fio")
            .args(args)
            .current_dir(v.dir.path())
            .stdin(Stdio::null())
            .output()
            .expect("fio runs");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "fio {name}: {text}{}", String::from_utf8_lossy(&out.stderr));
        assert!(text.contains("err= 0"), "fio {name}: {text}");
    }
    m.umount();
    assert_eq!(v.run(&["fsck", "v.img", "--passphrase-file", "pass"]).0, 0);
}

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
    // Start a copy, then kill the mount's process in the middle of it.
    study(&v.dir.path().join("src"));
    let mut cp = Command::new("cp")
        .args(["-a", "src/study", "kill-mnt/copy"])
        .current_dir(v.dir.path())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(150));
    kill_mount(&v, "vault mount v.img kill-mnt");
    let _ = cp.wait();
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
    std::thread::sleep(std::time::Duration::from_millis(3500));
    kill_mount(&v, "vault mount v.img bound-mnt");
    drop(m);
    let m = Mounted::new(&v, "v.img", "bound-mnt");
    assert_eq!(fs::read(m.dir.join("unsynced.dcm")).unwrap(), data);
    m.umount();
}

/// True once `path` no longer exists: a name the gate removed leaves the kernel's caches by a
/// notice sent after the refusal, and at the latest when its 1-second TTL ends.
fn gone_soon(path: &Path) -> bool {
    let started = std::time::Instant::now();
    while started.elapsed() < std::time::Duration::from_secs(2) {
        if !path.exists() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    false
}

/// A made-up identifying DICOM file (explicit VR little endian, Part 10), built by hand.
fn identifying_dicom() -> Vec<u8> {
    fn el(out: &mut Vec<u8>, group: u16, elem: u16, vr: &[u8; 2], value: &[u8]) {
        let mut v = value.to_vec();
        if v.len() % 2 == 1 {
            v.push(if vr == b"UI" { 0 } else { b' ' });
        }
        out.extend_from_slice(&group.to_le_bytes());
        out.extend_from_slice(&elem.to_le_bytes());
        out.extend_from_slice(vr);
        out.extend_from_slice(&(v.len() as u16).to_le_bytes());
        out.extend_from_slice(&v);
    }
    let mut meta = Vec::new();
    el(&mut meta, 0x0002, 0x0010, b"UI", b"1.2.840.10008.1.2.1");
    let mut out = vec![0u8; 128];
    out.extend_from_slice(b"DICM");
    el(&mut out, 0x0002, 0x0000, b"UL", &(meta.len() as u32).to_le_bytes());
    out.extend_from_slice(&meta);
    el(&mut out, 0x0008, 0x0060, b"CS", b"CT");
    el(&mut out, 0x0010, 0x0010, b"PN", b"Madeup^Patient");
    out
}

/// Every door of the mount lets no identifying file in: cp, mv from another filesystem,
/// truncate and rewrite, attributes; a file not yet passed cannot be read by another handle
/// or linked; refusals are audited without values.
#[test]
fn invariant_4_no_identifying_file_through_any_door_of_the_mount() {
    let v = Vault::new();
    v.init_image("v.img", "32M");
    fs::write(v.path("identified.dcm"), identifying_dicom()).unwrap();
    let m = Mounted::new(&v, "v.img", "door-mnt");
    let d = m.dir.clone();
    // cp in: the close fails with EACCES and the file is gone.
    let out =
        Command::new("cp").args(["identified.dcm", "door-mnt/"]).current_dir(v.dir.path()).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Permission denied"));
    assert!(gone_soon(&d.join("identified.dcm")));
    // mv from another filesystem: the copy fails, so the source stays where it was.
    let out = Command::new("mv")
        .args(["identified.dcm", "door-mnt/moved.dcm"])
        .current_dir(v.dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(gone_soon(&d.join("moved.dcm")) && v.path("identified.dcm").exists());
    // A clean file passes; renaming it inside is fine.
    fs::write(d.join("notes.txt"), b"made-up teaching note").unwrap();
    fs::rename(d.join("notes.txt"), d.join("renamed.txt")).unwrap();
    assert_eq!(fs::read(d.join("renamed.txt")).unwrap(), b"made-up teaching note");
    // Truncate and rewrite an accepted file with identifying content: refused and removed.
    let mut f = fs::OpenOptions::new().write(true).truncate(true).open(d.join("renamed.txt")).unwrap();
    f.write_all(&identifying_dicom()).unwrap();
    assert_eq!(f.sync_all().unwrap_err().raw_os_error(), Some(libc::EACCES));
    drop(f);
    assert!(gone_soon(&d.join("renamed.txt")));
    // While a file is being written, no other handle reads it and it gets no second name.
    let mut w = fs::File::create(d.join("pending.txt")).unwrap();
    w.write_all(b"made-up").unwrap();
    assert_eq!(fs::File::open(d.join("pending.txt")).unwrap_err().raw_os_error(), Some(libc::EACCES));
    assert_eq!(
        fs::hard_link(d.join("pending.txt"), d.join("link.txt")).unwrap_err().raw_os_error(),
        Some(libc::EACCES)
    );
    drop(w);
    assert_eq!(fs::read(d.join("pending.txt")).unwrap(), b"made-up");
    fs::hard_link(d.join("pending.txt"), d.join("link.txt")).unwrap();
    // DICOM in an attribute's value.
    let path = std::ffi::CString::new(d.join("pending.txt").as_os_str().as_encoded_bytes()).unwrap();
    let value = identifying_dicom();
    // SAFETY: setxattr with a valid path, name and buffer.
    let rc = unsafe {
        libc::setxattr(path.as_ptr(), c"user.hidden".as_ptr(), value.as_ptr().cast(), value.len(), 0)
    };
    assert_eq!((rc, std::io::Error::last_os_error().raw_os_error()), (-1, Some(libc::EACCES)));
    m.umount();
    let log = v.ok(&["log", "v.img", "--passphrase-file", "pass"]);
    assert!(
        log.contains("refused  door=mount path=/identified.dcm rule=identifying-attribute tag=(0010,0010)"),
        "{log}"
    );
    assert!(!log.contains("Madeup"), "a value reached the audit log");
}

/// Names are a door too: a new file, folder or link, a rename's or a hard link's new name, and a
/// link's target with a patient's shape (`Family^Given`, a labelled field, a title and a name)
/// are refused with EACCES and audited against their folder, without the name. Names as
/// modalities and viewers write them pass.
#[test]
fn names_with_a_patients_shape_are_refused_at_the_mount() {
    let v = Vault::new();
    v.init_image("v.img", "32M");
    let m = Mounted::new(&v, "v.img", "names-mnt");
    let d = m.dir.clone();
    let denied = |r: std::io::Result<()>, what: &str| {
        assert_eq!(r.map_err(|e| e.raw_os_error()), Err(Some(libc::EACCES)), "{what}");
    };
    denied(fs::create_dir(d.join("Doe^Jane")), "mkdir");
    denied(fs::write(d.join("MRN_4711913.dcm"), b"made-up"), "create");
    fs::create_dir(d.join("CT_2024-01-05")).unwrap();
    fs::write(d.join("CT_2024-01-05/IM000001.txt"), b"made-up teaching note").unwrap();
    denied(fs::rename(d.join("CT_2024-01-05/IM000001.txt"), d.join("DOB 1971-02-03.txt")), "rename");
    denied(fs::hard_link(d.join("CT_2024-01-05/IM000001.txt"), d.join("Mr_Jane_Doe.txt")), "link");
    denied(std::os::unix::fs::symlink("Doe^Jane/ct.dcm", d.join("latest")), "a link's target");
    // A file manager's copy of a folder so named: nothing of it lands.
    fs::create_dir_all(v.path("export/Doe^Jane")).unwrap();
    fs::write(v.path("export/Doe^Jane/note.txt"), b"made-up").unwrap();
    let out = Command::new("cp")
        .args(["-r", "export/Doe^Jane", "names-mnt/"])
        .current_dir(v.dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("Permission denied"));
    let mut names: Vec<String> =
        fs::read_dir(&d).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, ["CT_2024-01-05"]);
    assert_eq!(fs::read(d.join("CT_2024-01-05/IM000001.txt")).unwrap(), b"made-up teaching note");
    m.umount();
    let log = v.ok(&["log", "v.img", "--passphrase-file", "pass"]);
    assert!(log.matches("door=mount path=/ rule=identity-in-name").count() >= 6, "{log}");
    for value in ["Doe", "Jane", "4711913", "1971"] {
        assert!(!log.contains(value), "a name reached the audit log: {log}");
    }
}

/// A refusal at drag and drop can be read while the vault is mounted: `vault log` asks the
/// mount's process, and `vault log --follow` prints a new refusal as it is committed and ends
/// when the vault is unmounted.
#[test]
fn the_log_is_read_and_followed_while_mounted() {
    let v = Vault::new();
    v.init_image("v.img", "32M");
    fs::write(v.path("identified.dcm"), identifying_dicom()).unwrap();
    let m = Mounted::new(&v, "v.img", "log-mnt");
    let out = Command::new("cp")
        .args(["identified.dcm", "log-mnt/first.dcm"])
        .current_dir(v.dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    common::mount::log_holding(
        &v,
        "v.img",
        "refused  door=mount path=/first.dcm rule=identifying-attribute tag=(0010,0010)",
    );
    // Followed: the next refusal arrives as it happens.
    let mut follow = v
        .command(&["log", "v.img", "--follow", "--json", "--passphrase-file", "pass"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = follow.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufRead::lines(std::io::BufReader::new(stdout)) {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let refused_second = |line: &str| {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        v["event"] == "refused" && v["fields"]["path"] == "/second.dcm"
    };
    // Everything so far first; then the copy.
    let started = std::time::Instant::now();
    while rx.recv_timeout(std::time::Duration::from_millis(500)).is_ok() {}
    let copied = std::time::Instant::now();
    let out = Command::new("cp")
        .args(["identified.dcm", "log-mnt/second.dcm"])
        .current_dir(v.dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let mut seen = None;
    while let Ok(line) = rx.recv_timeout(std::time::Duration::from_secs(10)) {
        assert!(!line.contains("Madeup"), "a value in the log: {line}");
        if refused_second(&line) {
            seen = Some(copied.elapsed());
            break;
        }
    }
    let seen = seen.expect("the refusal was not followed");
    eprintln!(
        "the refusal reached `vault log --follow` {seen:?} after the copy began ({:?} in all)",
        started.elapsed()
    );
    // Unmounting ends it, successfully.
    m.umount();
    let status = follow.wait().unwrap();
    assert!(status.success(), "{status}");
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

/// `vault umount` of a folder that is not a vault's mount, and `vault mount` onto a mount, say
/// what the folder is and change nothing.
#[test]
fn umount_and_mount_say_what_the_folder_is() {
    let v = Vault::new();
    v.init_image("v.img", "32M");
    v.init_image("w.img", "32M");
    fs::create_dir(v.path("plain")).unwrap();
    let (code, _, err) = v.run(&["umount", "plain"]);
    assert_eq!((code, err.trim()), (66, "vault: plain: no vault is mounted there"));
    let (code, _, err) = v.run(&["umount", "nothere"]);
    assert_eq!((code, err.trim()), (66, "vault: nothere: no such folder"));
    let m = Mounted::new(&v, "v.img", "stack-mnt");
    // An empty vault is mounted: the folder is empty, but it is a mount point.
    let (code, _, err) = v.run(&["mount", "w.img", "stack-mnt", "--passphrase-file", "pass"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("stack-mnt: already a mount point: the vault ")
            && err.contains("v.img is mounted there"),
        "{err}"
    );
    // The first mount goes on serving, and one umount ends it.
    fs::write(m.dir.join("note.txt"), "made-up note\n").unwrap();
    assert_eq!(fs::read_to_string(m.dir.join("note.txt")).unwrap(), "made-up note\n");
    m.umount();
    assert!(crate_mounts_none(&v.path("stack-mnt")), "still a mount point");
    let (code, _, err) = v.run(&["umount", "stack-mnt"]);
    assert_eq!((code, err.trim()), (66, "vault: stack-mnt: no vault is mounted there"));
}

/// True when nothing is mounted on `dir` (by /proc/self/mountinfo).
fn crate_mounts_none(dir: &Path) -> bool {
    let dir = dir.canonicalize().unwrap();
    let table = fs::read_to_string("/proc/self/mountinfo").unwrap();
    !table.lines().any(|l| l.split(' ').nth(4) == Some(dir.to_str().unwrap()))
}

/// Rule: always a backup. A complete mirror is recorded in the vault; `vault status` shows it
/// (mounted or not) with the files still unchecked; mounting warns while there is none.
#[test]
fn status_shows_the_backup_and_mounting_warns_without_one() {
    let v = Vault::new();
    v.init_image("v.img", "32M");
    v.init_image("b.img", "32M");
    fs::create_dir(v.path("status-mnt")).unwrap();
    let (code, _, err) = v.run(&["mount", "v.img", "status-mnt", "--passphrase-file", "pass"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("warning: this vault has no complete mirror yet"), "{err}");
    let m = Mounted { v: &v, dir: v.path("status-mnt") };
    fs::write(m.dir.join("note.txt"), "made-up note\n").unwrap();
    // Every mounted vault, without a passphrase; this one has no backup yet: exit 1.
    let (code, out, err) = v.run(&["status"]);
    assert_eq!(code, 1, "{out}{err}");
    let mnt = m.dir.canonicalize().unwrap();
    assert!(out.contains(&format!("v.img: mounted at {}", mnt.display())), "{out}");
    assert!(out.contains("last mirror   none") && out.contains("unchecked     0 files"), "{out}");
    v.ok(&["mirror", "v.img", "b.img", "--passphrase-file", "pass"]);
    // Named, a mounted vault is still asked through its mount, without a passphrase. (Named, so
    // that other tests' mounts, without backups, do not decide the exit status.)
    let (code, out, err) = v.run(&["status", "v.img", "--json"]);
    assert_eq!(code, 0, "{out}{err}");
    let s: serde_json::Value =
        serde_json::from_str(out.lines().find(|l| l.contains("v.img")).unwrap()).unwrap();
    assert_eq!(s["mounted_at"], mnt.to_str().unwrap());
    assert!(s["last_mirror"]["backup"].as_str().unwrap().ends_with("b.img"), "{s}");
    assert_eq!((s["last_mirror"]["files"].as_u64(), s["backup_overdue"].as_bool()), (Some(1), Some(false)));
    assert!(s["backup_age_seconds"].as_i64().unwrap() < 60, "{s}");
    m.umount();
    // Not mounted: opened with its passphrase; the record is the same.
    let out = v.ok(&["status", "v.img", "--passphrase-file", "pass"]);
    assert!(out.starts_with("v.img: not mounted\n  last mirror   ") && out.contains("to "), "{out}");
    assert!(out.contains("b.img, 1 file") && !out.contains("warning"), "{out}");
    // Mounting after a complete mirror says nothing of the backup.
    let (code, _, err) = v.run(&["mount", "v.img", "status-mnt", "--passphrase-file", "pass"]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("warning"), "{err}");
    Mounted { v: &v, dir: v.path("status-mnt") }.umount();
}

/// `vault eject` of an image's mount: committed, unmounted, closed; the data is there after.
#[test]
fn eject_of_an_image_closes_it() {
    let v = Vault::new();
    v.init_image("v.img", "32M");
    let m = Mounted::new(&v, "v.img", "eject-mnt");
    fs::write(m.dir.join("note.txt"), "made-up note\n").unwrap();
    let out = v.ok(&["eject", "eject-mnt"]);
    assert!(out.contains("v.img: closed and flushed"), "{out}");
    assert!(crate_mounts_none(&v.path("eject-mnt")), "still mounted");
    std::mem::forget(m);
    assert_eq!(v.ok(&["ls", "v.img", "--passphrase-file", "pass"]).trim(), "note.txt");
}

/// A private session bus (`dbus-daemon --session`) and a monitor of the notifications sent on
/// it (`dbus-monitor`): each line it prints, with when it came.
struct SessionBus {
    daemon: std::process::Child,
    monitor: std::process::Child,
    address: String,
    lines: std::sync::mpsc::Receiver<(std::time::Instant, String)>,
}

impl SessionBus {
    fn start() -> SessionBus {
        use std::io::BufRead;
        let mut daemon = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("dbus-daemon (Debian package dbus-daemon)");
        let mut address = String::new();
        std::io::BufReader::new(daemon.stdout.take().unwrap()).read_line(&mut address).unwrap();
        let address = address.trim().to_string();
        let mut monitor = Command::new("dbus-monitor")
            .args(["--address", &address, "interface='org.freedesktop.Notifications'"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("dbus-monitor (Debian package dbus-bin)");
        let out = monitor.stdout.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send((std::time::Instant::now(), line)).is_err() {
                    break;
                }
            }
        });
        // The monitor is listening once it has printed its own name's signals.
        let started = std::time::Instant::now();
        while let Ok((_, l)) = lines.recv_timeout(std::time::Duration::from_secs(5)) {
            if l.contains("NameLost") || started.elapsed().as_secs() > 5 {
                break;
            }
        }
        SessionBus { daemon, monitor, address, lines }
    }

    /// The notices' titles (Notify's fourth argument) and bodies seen within `wait`, each with
    /// when it came.
    fn notices(&self, wait: std::time::Duration) -> Vec<(std::time::Instant, String, String)> {
        let mut strings: Vec<(std::time::Instant, Vec<String>)> = Vec::new();
        let end = std::time::Instant::now() + wait;
        while let Ok((at, line)) =
            self.lines.recv_timeout(end.saturating_duration_since(std::time::Instant::now()))
        {
            if line.starts_with("method call") && line.contains("member=Notify") {
                strings.push((at, Vec::new()));
            } else if let (Some(last), Some(s)) = (strings.last_mut(), line.trim().strip_prefix("string \""))
            {
                last.1.push(s.trim_end_matches('"').to_string());
            } else if let (Some(last), true) = (strings.last_mut(), !line.starts_with(' ')) {
                // A body goes on over several lines.
                if let Some(b) = last.1.last_mut() {
                    b.push('\n');
                    b.push_str(line.trim_end_matches('"'));
                }
            }
        }
        strings
            .into_iter()
            .map(|(at, s)| (at, s.get(2).cloned().unwrap_or_default(), s.get(3).cloned().unwrap_or_default()))
            .collect()
    }
}

impl Drop for SessionBus {
    fn drop(&mut self) {
        let _ = self.monitor.kill();
        let _ = self.daemon.kill();
        let _ = self.monitor.wait();
        let _ = self.daemon.wait();
    }
}

/// A refusal at drag and drop reaches the desktop: a notification on the session bus names the
/// file, the rule, the tag and the fix, never a value; a whole refused study is one notice that
/// counts the files, not one each.
#[test]
fn a_refusal_at_the_mount_is_a_desktop_notification() {
    let bus = SessionBus::start();
    let v = Vault::new();
    v.init_image("v.img", "64M");
    fs::write(v.path("identified.dcm"), identifying_dicom()).unwrap();
    fs::create_dir(v.path("study")).unwrap();
    for i in 0..20 {
        fs::write(v.path(&format!("study/im{i:02}.dcm")), identifying_dicom()).unwrap();
    }
    fs::create_dir(v.path("note-mnt")).unwrap();
    let out = v
        .command(&["mount", "v.img", "note-mnt", "--passphrase-file", "pass"])
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let m = Mounted { v: &v, dir: v.path("note-mnt") };
    let copied = std::time::Instant::now();
    let out = Command::new("cp")
        .args(["identified.dcm", "note-mnt/first.dcm"])
        .current_dir(v.dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let notices = bus.notices(std::time::Duration::from_secs(4));
    assert_eq!(notices.len(), 1, "{notices:?}");
    let (at, title, body) = &notices[0];
    eprintln!("the notification came {:?} after the copy began", at.duration_since(copied));
    assert_eq!(title, "vault refused first.dcm");
    assert!(body.contains("/first.dcm") && body.contains("(0010,0010) PatientName"), "{body}");
    assert!(body.contains("Fix: de-identify it first: vault scrub SOURCE --out CLEANED"), "{body}");
    let log = format!("vault log {} lists each", v.path("v.img").display());
    assert!(body.contains(&log), "the notice names the vault for `vault log`: {body}");
    assert!(!body.contains("Madeup") && !title.contains("Madeup"), "a value in a notice");
    // A study of 20: the first at once, then one notice that counts them all.
    let out =
        Command::new("cp").args(["-r", "study", "note-mnt/"]).current_dir(v.dir.path()).output().unwrap();
    assert!(!out.status.success());
    let notices = bus.notices(std::time::Duration::from_secs(5));
    let titles: Vec<&str> = notices.iter().map(|(_, t, _)| t.as_str()).collect();
    assert_eq!(titles, ["vault refused im00.dcm", "vault refused 20 files"], "{notices:?}");
    m.umount();
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
    let mut buf = vec![0u8; (1 << 20) + 4096];
    let at = buf.as_ptr().align_offset(4096);
    let block = &mut buf[at..at + (1 << 20)];
    block.fill(0x5a);
    let mut written = 0;
    let err = loop {
        match f.write(block) {
            Ok(n) => written += n,
            Err(e) => break e,
        }
        assert!(written < 64 << 20, "the vault never filled");
    };
    assert_eq!(err.raw_os_error(), Some(libc::ENOSPC), "{err}");
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
    std::thread::sleep(std::time::Duration::from_millis(3500));
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

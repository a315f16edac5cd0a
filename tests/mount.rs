//! The vault through a real FUSE mount (`/dev/fuse`, Debian `fuse3`): what users do, POSIX
//! behaviour, a seeded model-based random-operation test against a plain folder, stress-ng and
//! fio. Needs root, as CI runs. (Crashes and full vaults: `mount_crash.rs`; the gate at the
//! mount, the log, status, notices: `mount_everyday.rs`.)

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::Vault;
use common::mount::{Mounted, run, study};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

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
    eprintln!("{count} random operations checked (VAULT_FSX_SEED={seed})");
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

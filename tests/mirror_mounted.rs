//! A mounted vault mirrored by its mount's process: while it is written, when it is unmounted,
//! when someone else listens on its socket, and `vault eject` waiting for the work. Every name and
//! value here is made up.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;

use common::Vault;
use common::mount::Mounted;
use rand::{Rng, SeedableRng};
use vaultfmt::Volume;

use common::mirror::*;

/// A vault that stays mounted is still backed up: its mount's process does the mirror (asked
/// through its control socket, after proof that the asker unlocked the vault), while files are
/// written, rewritten and deleted through the mount; what the mirror's snapshot reads is never
/// reused under it. The next run catches up with the changes.
#[test]
fn a_mounted_source_is_mirrored_by_its_mount_while_it_is_written() {
    let v = two_vaults(250);
    let m = Mounted::new(&v, "src.img", "mnt");
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
    let m = Mounted::new(&v, "src.img", "mnt");
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
c, _ = s.accept(); c.settimeout(5)
got = b""
try:
    c.sendall(b"vault-control 1 " + b"0" * 64 + b"\n")   # a peer that left at once breaks the pipe
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
    let mut fake =
        common::python_ready(&script, &[], None, Some(std::fs::File::create(&heard).unwrap()), "ready");
    let (code, _, err) = v.run(&["mirror", "src.img", "dst.img", "--passphrase-file", "pass"]);
    // The fake ends by itself once the mirror has connected and gone; one the mirror never
    // tried is still waiting in accept, and is killed.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while fake.try_wait().unwrap().is_none() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let _ = fake.kill();
    let _ = fake.wait();
    let _ = std::fs::remove_file(&sock);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("in use by another vault process"), "{err}");
    let heard = std::fs::read_to_string(&heard).unwrap();
    assert!(
        heard.contains("heard 0 bytes"),
        "the mirror never tried the socket, or it heard something: {heard:?}"
    );
}

/// `vault eject` waits for work on the vault: a mirror its mount's process runs ends whole
/// (exit 0) before the vault is unmounted, and an import of the unmounted vault ends whole
/// before the image is said to be closed.
#[test]
fn eject_waits_for_a_mirror_and_an_import() {
    let v = two_vaults(300);
    let m = Mounted::new(&v, "src.img", "mnt");
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

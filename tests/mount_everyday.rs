//! What a person meets every day at the mount: the gate at its every door, names refused,
//! the log while mounted, `umount` and `mount` of the wrong folder, `status`, `eject`, and the
//! desktop notice of a refusal. Needs root, as CI runs.

mod common;

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use common::Vault;
use common::mount::{Mounted, identifying_dicom};

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
    // Truncate and rewrite an accepted file with identifying content: refused, and the file
    // holds what it held before (at its last close, which comes after close(2) returns).
    let mut f = fs::OpenOptions::new().write(true).truncate(true).open(d.join("renamed.txt")).unwrap();
    f.write_all(&identifying_dicom()).unwrap();
    assert_eq!(f.sync_all().unwrap_err().raw_os_error(), Some(libc::EACCES));
    drop(f);
    let started = std::time::Instant::now();
    while fs::read(d.join("renamed.txt")).ok().as_deref() != Some(&b"made-up teaching note"[..]) {
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "renamed.txt is not what it was");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
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
    // A document that labels a patient (a list saved beside the study) is refused the same way.
    fs::write(v.path("patients.csv"), b"name,dob,mrn\nZelda Madeup,1971-02-03,4711913\n").unwrap();
    let out =
        Command::new("cp").args(["patients.csv", "door-mnt/"]).current_dir(v.dir.path()).output().unwrap();
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("Permission denied"));
    assert!(gone_soon(&d.join("patients.csv")));
    m.umount();
    let log = v.ok(&["log", "v.img", "--passphrase-file", "pass"]);
    assert!(
        log.contains("refused  door=mount path=/identified.dcm rule=identifying-attribute tag=(0010,0010)"),
        "{log}"
    );
    assert!(log.contains("refused  door=mount path=/patients.csv rule=identity-in-document"), "{log}");
    assert!(log.contains("restored  door=mount path=/renamed.txt"), "{log}");
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

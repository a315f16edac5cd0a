//! Names are stored as plainly as bytes: a file's or a folder's name, a link's target, an
//! extended attribute's name, a receiver's folder, a caller's AE title. An adversary's round
//! (2026-12-06) stored a patient's name, birth date, MRN and NHS number in each, and a whole
//! identified data set, compressed and written as hex, in a link's target. Each door is tried
//! here with those attacks and with a teaching collection's own names. Real FUSE mounts, real
//! image files, the `vault` binary; made-up values only. Needs root, as CI runs.

mod common;

use std::fs;
use std::io::Write;
use std::sync::Arc;

use common::Vault;
use common::dicom::{conformant, identified, part10};
use common::mirror::sim_store;
use common::mount::Mounted;
use vault::gate::Policy;
use vault::mirror::{self, Options};
use vaultfmt::dev::{Faults, SimDevice};
use vaultfmt::store::{Kind, Store};

const EXPLICIT: &str = "1.2.840.10008.1.2.1";

/// An identified data set, gzip-compressed and written as hex: text a link's target can hold.
fn identified_as_hex() -> String {
    let mut gzip = std::process::Command::new("gzip")
        .arg("-9c")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("gzip");
    gzip.stdin.take().unwrap().write_all(&part10(identified(), EXPLICIT)).unwrap();
    let out = gzip.wait_with_output().unwrap();
    let hex: String = out.stdout.iter().map(|b| format!("{b:02x}")).collect();
    assert!(hex.len() < 4000, "{} characters: too long for a link", hex.len());
    hex
}

/// Values the tests' names carry; none may reach a message or the audit log.
const VALUES: &[&str] = &["Madeup", "Zelda", "4711913", "19710203", "5919"];

fn assert_unsaid(what: &str, text: &str) {
    for value in VALUES {
        assert!(!text.contains(value), "{what} shows {value}: {text}");
    }
}

#[test]
fn the_mount_refuses_names_attributes_and_link_targets_that_identify() {
    let v = Vault::new();
    v.init_image("v.img", "64M");
    let m = Mounted::new(&v, "v.img", "mnt");
    let refused = |r: std::io::Result<()>, what: &str| {
        let e = r.expect_err(what);
        assert_eq!(e.raw_os_error(), Some(libc::EACCES), "{what}: {e}");
    };
    let clean = part10(conformant(), EXPLICIT);
    // A name alone: a bare name with a date, a labelled name behind an extension, an NHS number.
    refused(fs::create_dir(m.dir.join("Madeup_Zelda_19710203")), "a bare name");
    refused(fs::write(m.dir.join("Patient Zelda Madeup.dcm"), &clean), "a label and an extension");
    refused(fs::write(m.dir.join("943 476 5919.dcm"), &clean), "an NHS number");
    // A label in a folder's name, its value in the next.
    fs::create_dir(m.dir.join("MRN")).unwrap();
    refused(fs::create_dir(m.dir.join("MRN/4711913")), "a label split over two names");
    fs::create_dir_all(m.dir.join("teaching/Patient")).unwrap();
    refused(fs::write(m.dir.join("teaching/Patient/Zelda Madeup"), b"made-up note"), "a split label, deeper");
    // A rename into such a name, after a rename of the folder it goes into.
    fs::write(m.dir.join("teaching/note.txt"), b"made-up note").unwrap();
    fs::create_dir(m.dir.join("teaching/x")).unwrap();
    fs::rename(m.dir.join("teaching/x"), m.dir.join("teaching/DOB")).unwrap();
    refused(
        fs::rename(m.dir.join("teaching/note.txt"), m.dir.join("teaching/DOB/19710203")),
        "a renamed label",
    );
    // A folder renamed to a label over names that passed alone: its children and theirs.
    fs::create_dir_all(m.dir.join("teaching/y")).unwrap();
    fs::write(m.dir.join("teaching/y/4711913"), b"made-up note").unwrap();
    refused(fs::rename(m.dir.join("teaching/y"), m.dir.join("teaching/MRN")), "a folder renamed to a label");
    fs::create_dir_all(m.dir.join("teaching/z/Madeup")).unwrap();
    fs::write(m.dir.join("teaching/z/Madeup/Zelda"), b"made-up note").unwrap();
    refused(fs::rename(m.dir.join("teaching/z"), m.dir.join("teaching/Name")), "a label two deep");
    fs::rename(m.dir.join("teaching/y"), m.dir.join("teaching/Case 4")).unwrap();
    fs::rename(m.dir.join("teaching/z"), m.dir.join("teaching/Neuro")).unwrap();
    // A link whose target is an identified data set, compressed, as hex.
    refused(std::os::unix::fs::symlink(identified_as_hex(), m.dir.join("link")), "a link's target");
    // An extended attribute's name.
    fs::write(m.dir.join("teaching/IM-0001-0001.dcm"), &clean).unwrap();
    let set_to = |name: &str, value: &[u8]| {
        let path = std::ffi::CString::new(m.dir.join("teaching/IM-0001-0001.dcm").to_str().unwrap()).unwrap();
        let name = std::ffi::CString::new(name).unwrap();
        // SAFETY: two NUL-terminated strings and a value this test owns.
        let r =
            unsafe { libc::setxattr(path.as_ptr(), name.as_ptr(), value.as_ptr().cast(), value.len(), 0) };
        if r == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) }
    };
    let set = |name: &str| set_to(name, b"note");
    refused(set("user.Madeup^Zelda"), "an attribute's name");
    refused(set("user.MRN 4711913"), "an attribute's labelled name");
    let hex: String = "PatientName=Madeup^Zelda DOB=19710203".bytes().map(|b| format!("{b:02x}")).collect();
    refused(set_to("user.comment", hex.as_bytes()), "an attribute's value as hex");
    // The label in an attribute's name, the value in its value (as `getfattr -d` shows them:
    // `user.dob="1971-02-03"`): an adversary's round, 2026-12-06, stored these.
    for (name, value) in [
        ("user.dob", "1971-02-03"),
        ("user.birthdate", "19710203"),
        ("user.mrn", "4711913"),
        ("user.patientid", "4711913"),
        ("user.PatientName", "Madeup"),
        ("user.surname", "Madeup"),
        ("user.postcode", "ZX1 9QQ"),
    ] {
        refused(set_to(name, value.as_bytes()), name);
    }
    // A teaching collection's own names pass.
    for dir in ["teaching/Case 12 - pneumothorax", "teaching/2024-03-15", "teaching/Neuro/Multiple sclerosis"]
    {
        fs::create_dir_all(m.dir.join(dir)).unwrap_or_else(|e| panic!("{dir}: {e}"));
    }
    for file in [
        "teaching/Case 12 - pneumothorax/1.2.840.113619.2.55.3.604688119.969.1268071029.320.dcm",
        "teaching/2024-03-15/CT_HEAD_20240315.dcm",
        "teaching/Neuro/Multiple sclerosis/Series 3 AX T2.dcm",
    ] {
        fs::write(m.dir.join(file), &clean).unwrap_or_else(|e| panic!("{file}: {e}"));
    }
    std::os::unix::fs::symlink("../2024-03-15/CT_HEAD_20240315.dcm", m.dir.join("teaching/Neuro/latest"))
        .unwrap();
    set("user.comment").unwrap();
    for (name, value) in [
        ("user.mime_type", "application/dicom"),
        ("user.xdg.comment", "Case 12, day 3"),
        ("user.checksum", "4711913"),
    ] {
        set_to(name, value.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    m.umount();
    let log = v.ok(&["log", "v.img", "--passphrase-file", "pass"]);
    let refusals = log.lines().filter(|l| l.contains("refused") && l.contains("door=mount")).count();
    assert_eq!(refusals, 19, "{log}");
    // Every name's refusal, and the link's: as a name or for its bytes.
    assert!(log.matches("rule=identity-in-name").count() >= 11, "{log}");
    assert_unsaid("the audit log", &log);
    let listing = v.ok(&["ls", "v.img:/teaching", "--passphrase-file", "pass"]);
    assert_unsaid("the listing", &listing);
}

/// A file being written is opened by no other handle, and a file open is not opened to be
/// written: the kernel's page cache is shared, so a second handle (opened to read and write, or
/// before the writer) read what the writer wrote before the gate saw it.
#[test]
fn a_file_being_written_is_opened_by_no_other_handle() {
    let v = Vault::new();
    v.init_image("v.img", "64M");
    let m = Mounted::new(&v, "v.img", "mnt");
    let path = m.dir.join("f.dcm");
    let mut writer = fs::File::create(&path).unwrap();
    writer.write_all(&part10(identified(), EXPLICIT)).unwrap();
    for (read, write) in [(true, false), (true, true), (false, true)] {
        let e = fs::OpenOptions::new().read(read).write(write).open(&path).expect_err("a second handle");
        assert!(matches!(e.raw_os_error(), Some(libc::EBUSY) | Some(libc::EACCES)), "{read} {write}: {e}");
    }
    // Its close refuses it: it is gone.
    drop(writer);
    assert!(fs::read(&path).is_err());
    // A clean file open for reading is not opened to be written.
    let path = m.dir.join("g.dcm");
    fs::write(&path, part10(conformant(), EXPLICIT)).unwrap();
    let reader = fs::File::open(&path).unwrap();
    let e = fs::OpenOptions::new().write(true).open(&path).expect_err("a writer beside a reader");
    assert_eq!(e.raw_os_error(), Some(libc::EBUSY), "{e}");
    drop(reader);
    fs::OpenOptions::new().append(true).open(&path).expect("a writer once the reader has gone");
    m.umount();
}

#[test]
fn vault_check_judges_the_names_a_door_would_store() {
    let v = Vault::new();
    let clean = part10(conformant(), EXPLICIT);
    fs::create_dir_all(v.path("Quiz/MRN/4711913")).unwrap();
    fs::write(v.path("Quiz/MRN/4711913/IM1.dcm"), &clean).unwrap();
    fs::write(v.path("Madeup_Zelda_19710203.dcm"), &clean).unwrap();
    fs::write(v.path("IM-0001-0001.dcm"), &clean).unwrap();
    // What a door stores beside files: an empty folder's name, a link's name and target.
    fs::create_dir_all(v.path("Quiz/Patient Zelda Madeup")).unwrap();
    fs::create_dir_all(v.path("Quiz/Case 4")).unwrap();
    std::os::unix::fs::symlink(identified_as_hex(), v.path("Quiz/notes")).unwrap();
    std::os::unix::fs::symlink("../IM-0001-0001.dcm", v.path("Quiz/latest")).unwrap();
    let (code, out, err) = v.run(&["check", "Quiz", "Madeup_Zelda_19710203.dcm", "IM-0001-0001.dcm"]);
    assert_eq!(code, 1, "{out}{err}");
    let verdicts: Vec<&str> = out.lines().filter(|l| !l.starts_with(' ')).collect();
    let refused: Vec<&str> = verdicts.iter().filter(|l| l.starts_with("refuse")).copied().collect();
    assert_eq!(verdicts.len(), 6, "{out}");
    for name in
        ["Quiz/MRN/4711913/IM1.dcm", "Madeup_Zelda_19710203.dcm", "Quiz/Patient Zelda Madeup", "Quiz/notes"]
    {
        assert!(refused.iter().any(|l| l.ends_with(name)), "{name} not refused: {out}");
    }
    assert_eq!(refused.len(), 4, "{out}");
    assert!(verdicts.iter().any(|l| l.starts_with("accept") && l.ends_with("Quiz/latest")), "{out}");
    assert!(out.matches("identity-in-name").count() >= 3, "{out}");
    assert!(err.contains("2 folder or link names refused"), "{err}");
}

#[test]
fn the_receiver_s_folder_and_the_senders_ae_titles_are_judged_as_names() {
    let v = Vault::new();
    v.init_image("v.img", "32M");
    for into in ["/Patient: Zelda Madeup", "/MRN/4711913"] {
        let (code, out, err) = v.run(&["receive", "v.img", "--into", into, "--passphrase-file", "pass"]);
        assert_eq!(code, 1, "{into}: {out}{err}");
        assert!(err.contains("identity-in-name"), "{err}");
        assert_unsaid("the message", &format!("{out}{err}"));
    }
    for ae in ["MADEUP^ZELDA", "MRN 4711913"] {
        let (code, out, err) =
            v.run(&["policy", "set", "v.img", "--sender", ae, "--passphrase-file", "pass"]);
        assert_eq!(code, 2, "{ae}: {out}{err}");
        assert!(err.contains("identity-in-name"), "{err}");
        assert_unsaid("the message", &format!("{out}{err}"));
    }
    v.ok(&["policy", "set", "v.img", "--sender", "HOROS_WS1", "--passphrase-file", "pass"]);
    let log = v.ok(&["log", "v.img", "--passphrase-file", "pass"]);
    assert!(log.contains("HOROS_WS1"), "{log}");
    assert_unsaid("the audit log", &log);
}

/// A source that holds names the gate refuses (made before it read names as it does) is
/// mirrored without them: not copied, nor anything under them, audited against the folder they
/// are in, and told without the name.
#[test]
fn the_mirror_copies_no_name_the_gate_refuses() {
    let (_, source) = sim_store(Faults::default());
    let clean = part10(conformant(), EXPLICIT);
    {
        let mut tx = source.begin().unwrap();
        for (dir, name) in
            [("/study/MRN/4711913", "a.dcm"), ("/study", "Madeup_Zelda.dcm"), ("/study", "ok.dcm")]
        {
            let parent = tx.mkdir_all(dir, 0o755).unwrap();
            let ino = tx.create(parent, name, Kind::File, 0o644, None).unwrap();
            tx.write_at(ino, 0, &clean).unwrap();
        }
        let study = tx.resolve("/study").unwrap().unwrap();
        tx.create(study, "link", Kind::Symlink, 0o777, Some(&identified_as_hex())).unwrap();
        tx.commit().unwrap();
    }
    let (_, backup) = sim_store(Faults::default());
    let mut told = Vec::new();
    let summary = mirror::mirror(&source, &backup, &Policy::default(), &Options::default(), &mut |e| {
        if let mirror::Event::Refused { path, reasons } = e {
            told.push(format!("{path} {}", reasons[0].rule));
        }
    })
    .unwrap();
    // The folder 4711913 and the file in it, the bare name, the link.
    assert_eq!(summary.refused, 4, "{told:?}");
    assert_unsaid("the mirror's events", &told.join("\n"));
    let names = |store: &Store<Arc<SimDevice>>, dir: &str| -> Vec<String> {
        let view = store.read().unwrap();
        let dir = view.resolve(dir).unwrap().unwrap();
        view.entries(dir).unwrap().into_iter().map(|e| e.name).collect()
    };
    assert_eq!(names(&backup, "/study"), ["MRN", "ok.dcm"]);
    assert!(names(&backup, "/study/MRN").is_empty());
}

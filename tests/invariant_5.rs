//! Invariant 5: no passphrase, key or patient value in any log, error, audit record or output.
//! An identified file with made-up values of unusual spelling goes through every door that can
//! refuse it, and through scrub, and every word each command prints (human and JSON), the audit
//! log (read unmounted and through the mount's process), the mount's refusals as a file manager
//! sees them, and the image itself are searched for each value. Real FUSE mount, real image file,
//! the `vault` binary; needs root, as CI runs.

mod common;

use std::fs;

use common::dicom::{conformant, part10, text};
use common::mount::Mounted;
use common::{PASS, Vault, contains};
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;
use vault::gate::{self, Policy};

const EXPLICIT: &str = "1.2.840.10008.1.2.1";

/// The made-up patient's values, each spelt so that nothing else in a run could show it.
const VALUES: [&str; 6] =
    ["Zqxmadeup", "Wyvernfake", "ZQX-8841207", "19430217", "Quillfake", "07700 931 442"];

fn identified() -> InMemDicomObject {
    use dicom_core::VR;
    let mut obj = conformant();
    obj.put(text(tags::PATIENT_NAME, VR::PN, "Zqxmadeup^Wyvernfake"));
    obj.put(text(tags::PATIENT_ID, VR::LO, "ZQX-8841207"));
    obj.put(text(tags::PATIENT_BIRTH_DATE, VR::DA, "19430217"));
    obj.put(text(tags::PATIENT_ADDRESS, VR::LO, "12 Quillfake Lane"));
    obj.put(text(tags::PATIENT_TELEPHONE_NUMBERS, VR::SH, "07700 931 442"));
    obj.put(text(tags::STUDY_DESCRIPTION, VR::LO, "CT for Zqxmadeup"));
    obj
}

/// Runs `vault ARGS`, keeps what it printed for the search, and returns its exit code.
fn run(v: &Vault, printed: &mut Vec<(String, String)>, args: &[&str]) -> i32 {
    let (code, out, err) = v.run(args);
    printed.push((args.join(" "), format!("{out}\n{err}")));
    code
}

#[test]
fn invariant_5_no_passphrase_or_patient_value_in_any_output_log_or_audit_record() {
    let v = Vault::new();
    let mut printed = Vec::new();
    let pass = ["--passphrase-file", "pass"];
    let with = |args: &[&'static str]| [args, &pass[..]].concat();
    let init = ["init", "--image", "v.img", "--size", "64M", "--passphrase-file", "pass"];
    assert_eq!(run(&v, &mut printed, &[&init[..], &common::CHEAP[..]].concat()), 0);
    fs::create_dir(v.path("src")).unwrap();
    let bytes = part10(identified(), EXPLICIT);
    assert!(!gate::check(&bytes, &Policy::default()).accept, "the file must be one the gate refuses");
    fs::write(v.path("src/IM1.dcm"), &bytes).unwrap();

    // Every command that reads the file, refusing or scrubbing it.
    assert_eq!(run(&v, &mut printed, &["check", "src/IM1.dcm"]), 1);
    assert_eq!(run(&v, &mut printed, &["check", "src/IM1.dcm", "--json"]), 1);
    assert_eq!(run(&v, &mut printed, &with(&["import", "src", "v.img:/refused"])), 1);
    assert_eq!(run(&v, &mut printed, &with(&["import", "src", "v.img:/refused", "--json"])), 1);
    assert_eq!(run(&v, &mut printed, &with(&["import", "src", "v.img:/scrubbed", "--scrub"])), 0);
    assert_eq!(
        run(&v, &mut printed, &["scrub", "src/IM1.dcm", "--out", "out", "--key-file", "scrub.key", "--json"]),
        0
    );
    assert_eq!(run(&v, &mut printed, &with(&["log", "v.img"])), 0);
    assert_eq!(run(&v, &mut printed, &with(&["log", "v.img", "--json"])), 0);
    assert_eq!(run(&v, &mut printed, &with(&["ls", "v.img:/scrubbed/src", "--json"])), 0);

    // Through the mount: a file manager's copy is refused; the log is read through the mount's
    // process while it is mounted.
    let m = Mounted::new(&v, "v.img", "mnt");
    let cp = std::process::Command::new("cp")
        .arg(v.path("src/IM1.dcm"))
        .arg(m.dir.join("IM1.dcm"))
        .output()
        .unwrap();
    assert!(!cp.status.success(), "the mount took the identified file");
    printed.push(("cp into the mount".into(), String::from_utf8_lossy(&cp.stderr).into_owned()));
    assert_eq!(run(&v, &mut printed, &with(&["log", "v.img", "--json"])), 0);
    // 1: no mirror has been made, so the backup is old.
    assert_eq!(run(&v, &mut printed, &["status", "--json"]), 1);
    m.umount();
    assert_eq!(run(&v, &mut printed, &with(&["fsck", "v.img", "--json"])), 0);

    // The search can fail: the refusals were printed, naming the rule and the tag.
    let all: String = printed.iter().map(|(_, p)| p.as_str()).collect();
    assert!(all.contains("(0010,0010)"), "no refusal named the tag");
    assert!(all.contains("\"import\"") || all.contains("refuse"), "no refusal in the audit log");
    for (command, output) in &printed {
        for value in VALUES.iter().chain([&PASS]) {
            assert!(!output.contains(value), "`vault {command}` printed a patient value or the passphrase");
        }
    }
    let image = fs::read(v.path("v.img")).unwrap();
    for value in VALUES.iter().chain([&PASS]) {
        assert!(!contains(&image, value.as_bytes()), "a patient value or the passphrase in the image");
    }
    // And the scrubbed copies hold none of them either.
    let scrubbed = fs::read(v.path("out/IM1.dcm")).unwrap();
    assert!(gate::check(&scrubbed, &Policy::default()).accept);
    for value in VALUES {
        assert!(!contains(&scrubbed, value.as_bytes()), "scrub left a patient value");
    }
}

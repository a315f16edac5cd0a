//! `vault mirror` end to end on image files: what it copies, links, deletes and refuses, and
//! what a dry run says it would do. Interruptions and the read-back check are in
//! `mirror_crash.rs`, a mounted source in `mirror_mounted.rs`. Every name and value here is made
//! up.

mod common;

use common::Vault;
use vaultfmt::Volume;
use vaultfmt::store::Store;

use common::mirror::*;

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
fn invariant_4_the_backup_is_a_door_its_policy_refuses_identifying_files() {
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

/// A dry run reports what the run would do — copies, refusals and conflicts alike — and changes
/// nothing: a file of the source where the backup has a folder is a conflict without `--delete`
/// in both, and is copied (the folder deleted) with it.
#[test]
fn a_dry_run_reports_what_the_run_then_does_and_changes_nothing() {
    let v = two_vaults(6);
    std::fs::create_dir_all(v.path("clash")).unwrap();
    std::fs::write(v.path("clash/inside.dat"), b"made-up file in the way\n").unwrap();
    v.ok(&["import", "clash", "dst.img:/study/notes.txt", "--passphrase-file", "pass"]);
    let listing = || {
        ["dst.img:/", "dst.img:/study", "dst.img:/study/notes.txt"]
            .map(|at| v.ok(&["ls", "-l", at, "--passphrase-file", "pass"]))
            .concat()
    };
    let before = listing();
    let counts = |events: &[serde_json::Value]| {
        let s = summary(events);
        ["copied", "linked", "unchanged", "deleted", "refused", "conflicts"].map(|k| s[k].as_u64())
    };
    let conflicts = |events: &[serde_json::Value]| -> Vec<String> {
        events.iter().filter(|e| e["event"] == "conflict").map(|e| e["path"].to_string()).collect()
    };

    // Both exit 1: a run with a conflict is not complete, and its dry run says so.
    let (code, dry, err) = mirror_json(&v, &["--dry-run"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(conflicts(&dry), ["\"/study/notes.txt\""]);
    assert_eq!(listing(), before, "a dry run wrote");
    let (code, real, err) = mirror_json(&v, &[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(counts(&dry), counts(&real));
    assert_eq!(conflicts(&real), conflicts(&dry));

    let (code, dry, err) = mirror_json(&v, &["--delete", "--dry-run"]);
    assert_eq!(code, 0, "{err}");
    assert!(conflicts(&dry).is_empty(), "{dry:?}");
    let (code, real, err) = mirror_json(&v, &["--delete"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(counts(&dry), counts(&real));
    assert_eq!(counts(&real)[0], Some(1), "notes.txt copied in place of the folder");
    assert_same(&v, "dst.img", "/study", "study");
}

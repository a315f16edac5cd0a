//! `vault scrub` on the real files of pydicom and pydicom-data (accepted by the gate, read by
//! pydicom, no residual identifying value by an independent pydicom reading, idempotent, the
//! same UIDs in two runs), and on crafted files for every action, option, the UID references,
//! redaction and the failure paths. Every name and value written here is made up.

mod common;

use std::process::Command;

use common::Vault;
use common::dicom::{seq, text};
use common::scrub::*;
use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
use dicom_dictionary_std::{tags, uids};
use dicom_object::InMemDicomObject;
use dicom_transfer_syntax_registry::entries;

#[test]
fn real_files_come_out_accepted_readable_without_residue_and_stable() {
    let v = Vault::new();
    let [test_files, data_store] = real_files();
    let (code, results, err) =
        scrub(&v, &[&test_files, &data_store, "--out", "out", "--redact", "default", "--basic"]);
    assert_eq!(code, 1, "some real files are refused (unreadable, compressed burned-in): {err}");
    let scrubbed: Vec<&serde_json::Value> = results.iter().filter(|r| r["result"] == "scrubbed").collect();
    assert!(scrubbed.len() >= 150, "only {} scrubbed", scrubbed.len());
    for r in results.iter().filter(|r| r["result"] == "refused") {
        let why = r["reasons"].to_string();
        // Unreadable, burned in, or malformed in a way the scrub will not guess at (a value
        // that is not its VR's, such as badVR.dcm's NumberOfFrames "1A"); or a document that
        // labels a patient, which vault cannot clean (pydicom's READMEs name its samples').
        assert!(
            why.contains("unreadable-dicom")
                || why.contains("burned-in")
                || why.contains("value-not-its-vr")
                || why.contains("identity-in-document"),
            "{}: refused for another reason: {why}",
            r["path"]
        );
    }
    // Native pixels of 32 bits a sample (RT dose grids, 32-bit captures) are read, not refused
    // unread (dicom-pixeldata's RLE decoder does not take 32 bits: those are).
    let wide: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| {
            r["path"]
                .as_str()
                .is_some_and(|p| (p.contains("rtdose") || p.contains("_32bit")) && !p.contains("rle"))
        })
        .collect();
    assert!(wide.len() >= 6, "only {} files of 32-bit samples", wide.len());
    for r in wide {
        assert_eq!(r["result"], "scrubbed", "{}: {}", r["path"], r["reasons"]);
    }
    // Every output passes the gate.
    let (code, out, err) = v.run(&["check", "out"]);
    assert_eq!(code, 0, "{out}{err}");
    // pydicom reads every output, and finds none of its input's identifying values in it.
    let mut pairs: Vec<String> = Vec::new();
    for r in &scrubbed {
        pairs.push(r["path"].as_str().unwrap().into());
        pairs.push(r["out"].as_str().unwrap().into());
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scrub/residual.py");
    let residual =
        Command::new("python3").arg(script).arg("3").args(&pairs).current_dir(v.dir.path()).output().unwrap();
    assert!(residual.status.success(), "{}", String::from_utf8_lossy(&residual.stderr));
    let checked = lines(&residual.stdout);
    assert_eq!(checked.len(), scrubbed.len());
    for c in &checked {
        assert_eq!(c["readable"], true, "{}: pydicom cannot read the output", c["input"]);
        assert_eq!(c["found"], serde_json::json!([]), "{}: identifying values left", c["input"]);
    }
    // dciodvfy (Debian dicom3tools) finds no error in an output that its input did not have.
    let script_v = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scrub/dciodvfy_compare.py");
    let verified =
        Command::new("python3").arg(script_v).args(&pairs).current_dir(v.dir.path()).output().unwrap();
    assert!(verified.status.success(), "{}", String::from_utf8_lossy(&verified.stderr));
    let verified = lines(&verified.stdout);
    let with_iod: Vec<_> = verified.iter().filter(|r| r["iod"] == true).collect();
    assert!(with_iod.len() >= 150, "only {} outputs of a known IOD", with_iod.len());
    for r in with_iod {
        assert_eq!(r["new_errors"], serde_json::json!([]), "{}: dciodvfy finds new errors", r["input"]);
    }
    // An independent application of the table with pydicom agrees element for element.
    let script_e = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scrub/annex_e.py");
    let table = concat!(env!("CARGO_MANIFEST_DIR"), "/src/gate/annex_e_2026c.tsv");
    let agreed = Command::new("python3")
        .arg(script_e)
        .arg(table)
        .args(&pairs)
        .current_dir(v.dir.path())
        .output()
        .unwrap();
    assert!(agreed.status.success(), "{}", String::from_utf8_lossy(&agreed.stderr));
    let agreed = lines(&agreed.stdout);
    assert!(agreed.iter().filter(|r| r["compared"] == true).count() >= 150);
    for r in &agreed {
        assert_eq!(
            r["differences"],
            serde_json::json!([]),
            "{}: vault and the pydicom reading differ",
            r["input"]
        );
    }
    // The residual check can fail: an input against itself is full of identity.
    let identified = scrubbed.iter().find(|r| r["path"].as_str().unwrap().ends_with("CT_small.dcm")).unwrap();
    let p = identified["path"].as_str().unwrap();
    let control = Command::new("python3").args([script, "3", p, p]).output().unwrap();
    assert_ne!(lines(&control.stdout)[0]["found"], serde_json::json!([]));

    // What follows is about the header: the same runs without OCR (the first run's OCR, and the
    // gate's over its outputs, is above; each OCR run over these files costs about 250 processor
    // seconds, and CI has two cores). Scrubbing the outputs again changes nothing; a second run
    // over the inputs gives the same bytes (UIDs included).
    let policy = header_only(&v);
    let (code, results, err) = scrub(
        &v,
        &[&test_files, &data_store, "--out", "header", "--redact", "default", "--basic", "--policy", policy],
    );
    assert_eq!(code, 1, "{err}");
    let headed = results.iter().filter(|r| r["result"] == "scrubbed").count();
    assert!(headed >= scrubbed.len(), "reading pixels refused {} more", scrubbed.len() - headed);
    let (code, _, err) =
        scrub(&v, &["header", "--out", "again", "--redact", "default", "--basic", "--policy", policy]);
    assert_eq!(code, 0, "{err}");
    assert!(diff_equal(&v.path("header"), &v.path("again/header")), "scrubbing twice changed something");
    let (_, _, _) =
        scrub(&v, &[&test_files, "--out", "second", "--redact", "default", "--basic", "--policy", policy]);
    assert!(diff_equal(&v.path("header/test_files"), &v.path("second/test_files")), "two runs differ");
    // Another key gives other UIDs.
    let out = v
        .command(&[
            "scrub",
            &test_files,
            "--out",
            "other",
            "--key-file",
            "other.key",
            "--basic",
            "--policy",
            policy,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!diff_equal(&v.path("header/test_files"), &v.path("other/test_files")));

    // With the default options (descriptions cleaned, patient characteristics kept): every
    // output passes the gate, holds none of its input's identifying values, and the
    // descriptions a teaching file needs are still there.
    let (code, results, err) = scrub(
        &v,
        &[&test_files, &data_store, "--out", "defaults", "--redact", "default", "--policy", policy],
    );
    assert_eq!(code, 1, "{err}");
    let kept: Vec<&serde_json::Value> = results.iter().filter(|r| r["result"] == "scrubbed").collect();
    assert_eq!(kept.len(), headed, "the options changed which files pass");
    let (code, out, err) = v.run(&["check", "defaults", "--policy", policy]);
    assert_eq!(code, 0, "{out}{err}");
    let mut pairs: Vec<String> = Vec::new();
    for r in &kept {
        pairs.push(r["path"].as_str().unwrap().into());
        pairs.push(r["out"].as_str().unwrap().into());
    }
    let residual =
        Command::new("python3").arg(script).arg("3").args(&pairs).current_dir(v.dir.path()).output().unwrap();
    assert!(residual.status.success(), "{}", String::from_utf8_lossy(&residual.stderr));
    for c in lines(&residual.stdout) {
        assert_eq!(c["found"], serde_json::json!([]), "{}: identifying values left", c["input"]);
    }
    let described = kept
        .iter()
        .filter(|r| {
            let o =
                dicom_object::OpenFileOptions::new().open_file(v.path(r["out"].as_str().unwrap())).unwrap();
            value(&o, tags::SERIES_DESCRIPTION).is_some_and(|d| !d.is_empty() && d != "CLEANED")
        })
        .count();
    assert!(described >= 20, "only {described} outputs keep a series description");
}

#[test]
fn the_basic_profile_acts_at_every_depth_and_uids_stay_consistent() {
    let v = Vault::new();
    write(&v, "in/a.dcm", slice(1, "Madeup^Patient"), entries::EXPLICIT_VR_LITTLE_ENDIAN.uid());
    write(&v, "in/b.dcm", slice(2, "Madeup^Patient"), entries::IMPLICIT_VR_LITTLE_ENDIAN.uid());
    let (code, results, err) = scrub(&v, &["in", "--out", "out", "--basic"]);
    assert_eq!(code, 0, "{err} {results:?}");
    let (a, b) = (read(&v, "out/in/a.dcm"), read(&v, "out/in/b.dcm"));
    // Z: present and empty; X: gone; D (and Z/D, X/Z/D, which keep a type 1 or 2 attribute
    // present): a dummy; kept: what the table does not name.
    assert_eq!(value(&a, tags::PATIENT_NAME).as_deref(), Some(""));
    assert_eq!(value(&a, tags::PATIENT_ID).as_deref(), Some("ANONYMIZED"));
    assert_eq!(value(&a, tags::INSTITUTION_NAME).as_deref(), Some("ANONYMIZED"));
    assert_eq!(value(&a, tags::PATIENT_BIRTH_DATE).as_deref(), Some(""));
    assert_eq!(value(&a, tags::STUDY_DATE).as_deref(), Some(""));
    assert!(a.element(tags::PATIENT_ADDRESS).is_err());
    assert!(a.element(tags::STUDY_DESCRIPTION).is_err());
    assert_eq!(value(&a, tags::DEVICE_SERIAL_NUMBER).as_deref(), Some("ANONYMIZED"));
    assert_eq!(value(&a, tags::MODALITY).as_deref(), Some("CT"));
    assert_eq!(value(&a, tags::IMAGE_TYPE).as_deref(), Some("ORIGINAL\\PRIMARY\\AXIAL"));
    assert_eq!(a.element(tags::PIXEL_DATA).unwrap().value().to_bytes().unwrap().len(), 32);
    // Private elements are gone.
    assert!(a.element(Tag(0x0029, 0x1001)).is_err() && a.element(Tag(0x0029, 0x0010)).is_err());
    // UIDs: replaced, the same study and series in both files, references followed.
    let study = value(&a, tags::STUDY_INSTANCE_UID).unwrap();
    assert!(study.starts_with("2.25.") && study != STUDY);
    assert_eq!(value(&b, tags::STUDY_INSTANCE_UID).unwrap(), study);
    assert_eq!(value(&a, tags::SERIES_INSTANCE_UID), value(&b, tags::SERIES_INSTANCE_UID));
    let a_sop = value(&a, tags::SOP_INSTANCE_UID).unwrap();
    assert_eq!(a.meta().media_storage_sop_instance_uid().trim_end_matches('\0'), a_sop);
    let item = &b.element(tags::REFERENCED_IMAGE_SEQUENCE).unwrap().items().unwrap()[0];
    assert_eq!(value(item, tags::REFERENCED_SOP_INSTANCE_UID).unwrap(), a_sop, "the reference follows");
    assert_eq!(value(item, tags::REFERENCED_SOP_CLASS_UID).as_deref(), Some(uids::CT_IMAGE_STORAGE));
    // A name two sequences deep: a dummy (PersonName is D in the table).
    let person = &item.element(tags::CONTENT_SEQUENCE).unwrap().items().unwrap()[0];
    assert_eq!(value(person, tags::PERSON_NAME).as_deref(), Some("ANONYMOUS"));
    // What was done is recorded.
    assert_eq!(value(&a, tags::PATIENT_IDENTITY_REMOVED).as_deref(), Some("YES"));
    assert_eq!(value(&a, tags::LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED).as_deref(), Some("REMOVED"));
    let codes = a.element(tags::DEIDENTIFICATION_METHOD_CODE_SEQUENCE).unwrap().items().unwrap();
    assert_eq!(codes.len(), 1);
    assert_eq!(value(&codes[0], tags::CODE_VALUE).as_deref(), Some("113100"));
    // The transfer syntax is kept.
    assert_eq!(b.meta().transfer_syntax(), entries::IMPLICIT_VR_LITTLE_ENDIAN.uid());
}

#[test]
fn options_keep_what_they_name_and_dates_move_together() {
    let v = Vault::new();
    write(&v, "in/a.dcm", slice(1, "Madeup^Patient"), entries::EXPLICIT_VR_LITTLE_ENDIAN.uid());
    write(&v, "in/b.dcm", slice(2, "Madeup^Patient"), entries::EXPLICIT_VR_LITTLE_ENDIAN.uid());
    let retain = "longitudinal-dates,patient-characteristics,device-identity,clean-descriptors";
    let (code, _, err) = scrub(&v, &["in", "--out", "out", "--retain", retain]);
    assert_eq!(code, 0, "{err}");
    let (a, b) = (read(&v, "out/in/a.dcm"), read(&v, "out/in/b.dcm"));
    let date =
        |o: &InMemDicomObject, t| chrono::NaiveDate::parse_from_str(&value(o, t).unwrap(), "%Y%m%d").unwrap();
    let study = date(&a, tags::STUDY_DATE);
    assert_ne!(study, chrono::NaiveDate::from_ymd_opt(2020, 1, 15).unwrap(), "the date was not shifted");
    // Intervals are kept: b's content date is one day after a's, in both.
    assert_eq!((date(&b, tags::CONTENT_DATE) - date(&a, tags::CONTENT_DATE)).num_days(), 1);
    assert_eq!(date(&a, tags::STUDY_DATE), date(&b, tags::STUDY_DATE), "one patient, one offset");
    assert_eq!(value(&a, tags::STUDY_TIME).as_deref(), Some("101500"));
    assert_eq!(value(&a, tags::PATIENT_BIRTH_DATE).as_deref(), Some(""), "birth dates still go");
    assert_eq!(value(&a, tags::LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED).as_deref(), Some("MODIFIED"));
    assert_eq!(value(&a, tags::PATIENT_SEX).as_deref(), Some("F"));
    assert_eq!(value(&a, tags::DEVICE_SERIAL_NUMBER).as_deref(), Some("SN-MADEUP-1"));
    // Clean: the description names the patient, so it is cleaned; the series one is kept.
    assert_eq!(value(&a, tags::STUDY_DESCRIPTION).as_deref(), Some("CLEANED"));
    assert_eq!(value(&a, tags::SERIES_DESCRIPTION).as_deref(), Some("axial 5mm"));
    let codes = method_codes(&a);
    assert_eq!(codes, ["113100", "113107", "113108", "113109", "113105"]);
    // Scrubbing again (same options) does not shift the dates a second time.
    let (code, _, err) = scrub(&v, &["out", "--out", "again", "--retain", retain]);
    assert_eq!(code, 0, "{err}");
    assert!(diff_equal(&v.path("out"), &v.path("again/out")));
    // Patient ID is kept only where a policy allows it.
    let (code, _, err) = scrub(&v, &["in", "--out", "ids", "--retain", "patient-id"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("the policy does not allow keeping patient IDs"), "{err}");
    std::fs::write(v.path("keep-ids.json"), r#"{"retain_patient_id": true}"#).unwrap();
    let (code, _, err) =
        scrub(&v, &["in", "--out", "ids", "--retain", "patient-id", "--policy", "keep-ids.json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(value(&read(&v, "ids/in/a.dcm"), tags::PATIENT_ID).as_deref(), Some("MADEUP-4711"));
}

#[test]
fn inputs_are_never_written_over_and_one_bad_file_does_not_stop_the_rest() {
    let v = Vault::new();
    write(&v, "study/a.dcm", slice(1, "Madeup^Patient"), entries::EXPLICIT_VR_LITTLE_ENDIAN.uid());
    write(&v, "study/b.dcm", slice(2, "Madeup^Patient"), entries::EXPLICIT_VR_LITTLE_ENDIAN.uid());
    let good = std::fs::read(v.path("study/a.dcm")).unwrap();
    std::fs::write(v.path("study/c-truncated.dcm"), &good[..good.len() / 2]).unwrap();
    std::fs::write(v.path("study/notes.txt"), "made-up teaching note\n").unwrap();
    let (code, results, _) = scrub(&v, &["study", "--out", "out"]);
    assert_eq!(code, 1);
    let by_name = |n: &str| {
        results.iter().find(|r| r["path"].as_str().unwrap().ends_with(n)).unwrap()["result"].clone()
    };
    assert_eq!(by_name("a.dcm"), "scrubbed");
    assert_eq!(by_name("b.dcm"), "scrubbed");
    assert_eq!(by_name("c-truncated.dcm"), "refused");
    assert_eq!(by_name("notes.txt"), "copied");
    // The output folder is the input's own parent: every destination is an input.
    let (code, results, _) = scrub(&v, &["study", "--out", "."]);
    assert_eq!(code, 74, "a file not written is an input/output error");
    assert!(results.iter().all(|r| r["result"] == "error" || r["result"] == "refused"), "{results:?}");
    assert_eq!(std::fs::read(v.path("study/a.dcm")).unwrap(), good, "an input was written over");
}

#[test]
fn import_scrub_de_identifies_on_the_way_in_with_the_vaults_key() {
    let v = Vault::new();
    v.init_image("v.img", "64M");
    write(&v, "study/a.dcm", slice(1, "Madeup^Patient"), entries::EXPLICIT_VR_LITTLE_ENDIAN.uid());
    write(&v, "study/b.dcm", slice(2, "Madeup^Patient"), entries::EXPLICIT_VR_LITTLE_ENDIAN.uid());
    write(&v, "study/us.dcm", ultrasound(false), entries::EXPLICIT_VR_LITTLE_ENDIAN.uid());
    // The header decides what is burned in (OCR off in the vault's policy): the ultrasound,
    // which does not say BurnedInAnnotation NO, is.
    v.ok(&["policy", "set", "v.img", "--ocr", "no", "--passphrase-file", "pass"]);
    // Without --scrub the gate refuses them all.
    let (code, _, _) = v.run(&["import", "study", "v.img:/raw", "--passphrase-file", "pass"]);
    assert_eq!(code, 1);
    let (code, out, err) = v.run(&["import", "--scrub", "study", "v.img:/one", "--passphrase-file", "pass"]);
    assert_eq!(code, 1, "the ultrasound is burned-in and not redacted: {out}{err}");
    assert!(err.contains("us.dcm") && err.contains("burned-in"), "{err}");
    let (code, _, err) = v.run(&[
        "import",
        "--scrub",
        "--redact",
        "default",
        "study",
        "v.img:/two",
        "--passphrase-file",
        "pass",
    ]);
    assert_eq!(code, 0, "{err}");
    v.ok(&["export", "v.img:/one", "one", "--passphrase-file", "pass"]);
    v.ok(&["export", "v.img:/two", "two", "--passphrase-file", "pass"]);
    let a = read(&v, "one/study/a.dcm");
    assert_eq!(value(&a, tags::PATIENT_NAME).as_deref(), Some(""));
    assert!(value(&a, tags::STUDY_INSTANCE_UID).unwrap().starts_with("2.25."));
    // The vault's key: the same study imported twice gets the same UIDs (the same bytes).
    assert_eq!(
        std::fs::read(v.path("one/study/a.dcm")).unwrap(),
        std::fs::read(v.path("two/study/a.dcm")).unwrap()
    );
    assert_eq!(value(&read(&v, "two/study/us.dcm"), tags::BURNED_IN_ANNOTATION).as_deref(), Some("NO"));
    v.ok(&["check", "one", "two"]);
    let log = v.ok(&["log", "v.img", "--passphrase-file", "pass"]);
    assert!(log.contains("scrub-key") && !log.contains("Madeup"), "{log}");
    // The scrub's refusal is recorded as the receiver records one: its rules, each once.
    let refusal = log.lines().find(|l| l.contains("door=import --scrub") && l.contains("us.dcm"));
    let refusal = refusal.unwrap_or_else(|| panic!("no refusal recorded: {log}"));
    assert!(refusal.contains("rule=scrub why=burned-in"), "{refusal}");
    assert_eq!(refusal.matches("burned-in-not-redacted").count(), 1, "{refusal}");
}

/// A file that declares a value of 2 GB in a few KB (what the gate's fuzzer found first, here
/// in a Part 10 file) is refused without the scrub touching that much memory: its peak
/// resident size, as GNU time reports it, stays far below the 2 GB.
#[test]
fn a_file_declaring_huge_lengths_is_refused_without_allocating_them() {
    let v = Vault::new();
    let mut o = slice(1, "Madeup^Patient");
    o.put(DataElement::new(Tag(0x0009, 0x1010), VR::OB, PrimitiveValue::U8(vec![1u8; 8].into())));
    write(&v, "in/huge.dcm", o, entries::EXPLICIT_VR_LITTLE_ENDIAN.uid());
    let mut bytes = std::fs::read(v.path("in/huge.dcm")).unwrap();
    let at = bytes.windows(6).position(|w| w == [0x09, 0x00, 0x10, 0x10, b'O', b'B']).unwrap();
    bytes[at + 8..at + 12].copy_from_slice(&0x7FFF_0000u32.to_le_bytes());
    std::fs::write(v.path("in/huge.dcm"), bytes).unwrap();
    let out = Command::new("/usr/bin/time")
        .args(["-f", "peak-kib %M", env!("CARGO_BIN_EXE_vault"), "scrub", "in", "--out", "out", "--json"])
        .args(["--key-file", "scrub.key"])
        .current_dir(v.dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let peak: u64 = err.rsplit("peak-kib ").next().unwrap().trim().parse().unwrap();
    assert!(peak < 256 << 10, "the scrub touched {peak} KiB for a file of a few KB");
    let r = &lines(&out.stdout)[0];
    assert_eq!(r["result"], "refused");
    assert!(r["reasons"].to_string().contains("unreadable-dicom"), "{r}");
}

/// Retain Safe Private keeps exactly the private elements the policy lists (by creator, group
/// and element within the block) and their creator; every other private element goes.
#[test]
fn retain_safe_private_keeps_only_what_the_policy_lists() {
    let v = Vault::new();
    let mut o = slice(1, "Madeup^Patient");
    o.put(text(Tag(0x0019, 0x0010), VR::LO, "MADEUP SAFE"));
    o.put(DataElement::new(Tag(0x0019, 0x100C), VR::DS, PrimitiveValue::from("1000")));
    o.put(text(Tag(0x0019, 0x100D), VR::LO, "made-up unlisted text"));
    o.put(text(Tag(0x0019, 0x0011), VR::LO, "MADEUP OTHER"));
    o.put(DataElement::new(Tag(0x0019, 0x110C), VR::DS, PrimitiveValue::from("7")));
    write(&v, "in/a.dcm", o, entries::EXPLICIT_VR_LITTLE_ENDIAN.uid());
    // Without a list the option is refused, not silently empty.
    let (code, _, err) = scrub(&v, &["in", "--out", "none", "--retain", "safe-private"]);
    assert_eq!(code, 2, "{err}");
    std::fs::write(
        v.path("safe.json"),
        r#"{"options": ["safe-private"], "safe_private": [{"creator": "MADEUP SAFE", "group": 25, "element": 12}]}"#,
    )
    .unwrap();
    let (code, _, err) =
        scrub(&v, &["in", "--out", "out", "--retain", "safe-private", "--policy", "safe.json"]);
    assert_eq!(code, 0, "{err}");
    let a = read(&v, "out/in/a.dcm");
    assert_eq!(value(&a, Tag(0x0019, 0x0010)).as_deref(), Some("MADEUP SAFE"));
    assert_eq!(value(&a, Tag(0x0019, 0x100C)).as_deref(), Some("1000"));
    for gone in [Tag(0x0019, 0x100D), Tag(0x0019, 0x0011), Tag(0x0019, 0x110C), Tag(0x0029, 0x1001)] {
        assert!(a.element(gone).is_err(), "{gone} was kept");
    }
    let codes = method_codes(&a);
    assert_eq!(codes, ["113100", "113111"]);
}

/// A mounted vault lends its key and policy to `vault scrub --vault` (its mount's process
/// answers, after proof that the command unlocked it), so a study can be scrubbed straight into
/// the mounted folder; the outputs equal what the unmounted vault's import --scrub makes, and
/// the mount's gate lets them in.
#[test]
fn scrub_into_a_mounted_vault_with_its_key() {
    let v = Vault::new();
    v.init_image("v.img", "64M");
    write(&v, "study/a.dcm", slice(1, "Madeup^Patient"), entries::EXPLICIT_VR_LITTLE_ENDIAN.uid());
    write(&v, "study/b.dcm", slice(2, "Madeup^Patient"), entries::EXPLICIT_VR_LITTLE_ENDIAN.uid());
    v.ok(&["import", "--scrub", "study", "v.img:/unmounted", "--passphrase-file", "pass"]);
    std::fs::create_dir(v.path("mnt")).unwrap();
    v.ok(&["mount", "v.img", "mnt", "--passphrase-file", "pass"]);
    let out = v
        .command(&[
            "scrub",
            "study",
            "--vault",
            "v.img",
            "--passphrase-file",
            "pass",
            "--out",
            "mnt/mounted",
            "--json",
        ])
        .output()
        .unwrap();
    let ok = out.status.code() == Some(0);
    let same = ok && diff_equal(&v.path("mnt/mounted/study"), &v.path("mnt/unmounted/study"));
    // A wrong passphrase gets nothing from the mount.
    std::fs::write(v.path("other"), "another made-up passphrase\n").unwrap();
    let (wrong, _, _) =
        v.run(&["scrub", "study", "--vault", "v.img", "--passphrase-file", "other", "--out", "x"]);
    v.ok(&["umount", "mnt"]);
    assert!(ok, "{}", String::from_utf8_lossy(&out.stderr));
    assert!(same, "the mounted vault's key made other outputs");
    assert_eq!(wrong, 77);
    assert!(!v.path("x").exists());
    let log = v.ok(&["log", "v.img", "--passphrase-file", "pass"]);
    assert!(log.contains("scrub (through its mount)") && !log.contains("Madeup"), "{log}");
}

/// An Encrypted Attributes Sequence another de-identifier wrote holds the original identity,
/// encrypted for whoever has its key (or, as an adversary wrote it, a plain data set that any
/// reader given the offset shows): `vault scrub` keeps no way back to a patient, so it goes, and
/// the output passes the gate.
#[test]
fn encrypted_attributes_from_another_de_identifier_are_not_carried_over() {
    let v = Vault::new();
    let ts = entries::EXPLICIT_VR_LITTLE_ENDIAN.uid();
    let plain = common::dicom::raw(&slice(9, "Madeup^Zelda"), ts);
    let sealed: Vec<u8> =
        (0..plain.len() as u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    for (name, content) in [("plain.dcm", plain), ("sealed.dcm", sealed)] {
        let mut obj = slice(1, "Madeup^Zelda");
        let mut item = InMemDicomObject::new_empty();
        item.put(text(tags::ENCRYPTED_CONTENT_TRANSFER_SYNTAX_UID, VR::UI, ts));
        item.put(DataElement::new(tags::ENCRYPTED_CONTENT, VR::OB, PrimitiveValue::from(content)));
        obj.put(DataElement::new(
            tags::ENCRYPTED_ATTRIBUTES_SEQUENCE,
            VR::SQ,
            common::dicom::seq(vec![item]),
        ));
        write(&v, &format!("in/{name}"), obj, ts);
    }
    let (code, results, err) = scrub(&v, &["in", "--out", "out"]);
    assert_eq!(code, 0, "{err} {results:?}");
    for name in ["plain.dcm", "sealed.dcm"] {
        let out = read(&v, &format!("out/in/{name}"));
        assert!(out.element(tags::ENCRYPTED_ATTRIBUTES_SEQUENCE).is_err(), "{name} keeps it");
    }
}

/// A word or a number written into a coded string (`Modality` `MADEUP`, `SpecificCharacterSet`
/// `ISO_IR MADEUP 4711913`, `ScanOptions` `HELICAL_4711913`) is refused by the gate's law
/// (`not-a-defined-term`, `identity-in-text`): scrub keeps only the terms the standard lists (a
/// modality with none left says OT) and replaces a numbered code, and its output passes.
#[test]
fn words_and_numbers_in_coded_strings_are_taken_out_and_terms_kept() {
    let v = Vault::new();
    let ts = entries::EXPLICIT_VR_LITTLE_ENDIAN.uid();
    let coded = [
        (tags::MODALITY, "MADEUP", "OT"),
        (tags::MODALITIES_IN_STUDY, "CT\\MADEUP", "CT"),
        (tags::SPECIFIC_CHARACTER_SET, "ISO_IR MADEUP 4711913", ""),
        (tags::PATIENT_POSITION, "MADEUP", ""),
        (tags::SCAN_OPTIONS, "HELICAL_4711913\\AXIAL", "CLEANED\\AXIAL"),
    ];
    let mut obj = slice(1, "Madeup^Zelda");
    // Pixels a reader can decode: a modality of OT is read for burned-in text.
    for (tag, n) in [
        (tags::SAMPLES_PER_PIXEL, 1u16),
        (tags::BITS_ALLOCATED, 16),
        (tags::BITS_STORED, 12),
        (tags::HIGH_BIT, 11),
        (tags::PIXEL_REPRESENTATION, 0),
    ] {
        obj.put(DataElement::new(tag, VR::US, PrimitiveValue::from(n)));
    }
    obj.put(text(tags::PHOTOMETRIC_INTERPRETATION, VR::CS, "MONOCHROME2"));
    for (tag, value, _) in coded {
        obj.put(text(tag, VR::CS, value));
    }
    write(&v, "in/coded.dcm", obj, ts);
    let (code, out, err) = v.run(&["check", "in"]);
    assert_ne!(code, 0, "{out}");
    for rule in ["not-a-defined-term: (0008,0060)", "not-a-defined-term: (0008,0005)", "(0018,0022)"] {
        assert!(err.contains(rule) || out.contains(rule), "{rule} not named: {out} {err}");
    }
    let (code, results, err) = scrub(&v, &["in", "--out", "out"]);
    assert_eq!(code, 0, "{err} {results:?}");
    let scrubbed = read(&v, "out/in/coded.dcm");
    for (tag, _, kept) in coded {
        assert_eq!(value(&scrubbed, tag).as_deref().map(str::trim), Some(kept), "{tag}");
    }
    v.ok(&["check", "out"]);
}

/// What the gate's law refuses in what the profile keeps, scrub does not keep: a bare number as
/// a code's meaning (`47119`), a name split over two codes' meanings (`Zelda`, `Quellmark`) or
/// two TEXT items in a row (`ZELDA`, `QUELLMARK`), which the law reads as one line. Scrub writes
/// CLEANED over each of them, keeps the findings beside them, and its output passes.
#[test]
fn scrub_writes_what_the_law_accepts_numbers_in_meanings_and_names_over_items() {
    let v = Vault::new();
    let ts = entries::EXPLICIT_VR_LITTLE_ENDIAN.uid();
    let code = |value: &str, scheme: &str, meaning: &str| {
        let mut item = InMemDicomObject::new_empty();
        item.put(text(tags::CODE_VALUE, VR::SH, value));
        item.put(text(tags::CODING_SCHEME_DESIGNATOR, VR::SH, scheme));
        item.put(text(tags::CODE_MEANING, VR::LO, meaning));
        item
    };
    let text_item = |said: &str| {
        let mut item = InMemDicomObject::new_empty();
        item.put(text(tags::RELATIONSHIP_TYPE, VR::CS, "CONTAINS"));
        item.put(text(tags::VALUE_TYPE, VR::CS, "TEXT"));
        let concept = code("121071", "DCM", "Finding");
        item.put(DataElement::new(tags::CONCEPT_NAME_CODE_SEQUENCE, VR::SQ, seq(vec![concept])));
        item.put(text(tags::TEXT_VALUE, VR::UT, said));
        item
    };
    let code_item = |meaning: &str| {
        let mut item = InMemDicomObject::new_empty();
        item.put(text(tags::RELATIONSHIP_TYPE, VR::CS, "CONTAINS"));
        item.put(text(tags::VALUE_TYPE, VR::CS, "CODE"));
        let concept = code("121071", "DCM", "Finding");
        item.put(DataElement::new(tags::CONCEPT_NAME_CODE_SEQUENCE, VR::SQ, seq(vec![concept])));
        let value = code("T-D1100", "SRT", meaning);
        item.put(DataElement::new(tags::CONCEPT_CODE_SEQUENCE, VR::SQ, seq(vec![value])));
        item
    };
    let mut obj = slice(1, "Madeup^Person");
    let regions = vec![code("T-D1100", "SRT", "Zelda"), code("T-D1200", "SRT", "Quellmark")];
    obj.put(DataElement::new(tags::ANATOMIC_REGION_SEQUENCE, VR::SQ, seq(regions)));
    // A date as a code's value, beside a long code value the law once read instead.
    let mut dated = code("19710203", "SRT", "Head");
    dated.put(text(tags::LONG_CODE_VALUE, VR::UC, "HEAD-LONG"));
    let procedure = vec![code("CTHEAD", "99HOSP", "47119"), dated];
    obj.put(DataElement::new(tags::PROCEDURE_CODE_SEQUENCE, VR::SQ, seq(procedure)));
    let mut items =
        ["No acute findings.", "ZELDA", "QUELLMARK", "Small hiatus hernia."].map(text_item).to_vec();
    items.extend(["Zelda", "Quellmark"].map(code_item));
    obj.put(DataElement::new(tags::CONTENT_SEQUENCE, VR::SQ, seq(items)));
    write(&v, "in/turn.dcm", obj, ts);
    let (code, out, err) = v.run(&["check", "in"]);
    assert_ne!(code, 0, "{out}");
    for tag in [
        "(0008,0104) CodeMeaning in AnatomicRegionSequence",
        "(0008,0104) CodeMeaning in ProcedureCode",
        "(0008,0100) CodeValue in ProcedureCodeSequence[1]",
    ] {
        assert!(out.contains(tag) || err.contains(tag), "{tag} not named: {out} {err}");
    }
    let (code, results, err) = scrub(&v, &["in", "--out", "out"]);
    assert_eq!(code, 0, "{err} {results:?}");
    let scrubbed = read(&v, "out/in/turn.dcm");
    let said = |sequence, tag| -> Vec<String> {
        let items = scrubbed.element(sequence).unwrap().items().unwrap().to_vec();
        items.iter().map(|i| value(i, tag).unwrap_or_default().trim().to_string()).collect()
    };
    assert_eq!(said(tags::ANATOMIC_REGION_SEQUENCE, tags::CODE_MEANING), ["CLEANED", "CLEANED"]);
    assert_eq!(said(tags::PROCEDURE_CODE_SEQUENCE, tags::CODE_MEANING), ["CLEANED", "CLEANED"]);
    assert_eq!(said(tags::PROCEDURE_CODE_SEQUENCE, tags::CODE_VALUE), ["CTHEAD", "CLEANED"]);
    assert_eq!(
        said(tags::CONTENT_SEQUENCE, tags::TEXT_VALUE),
        ["No acute findings.", "CLEANED", "CLEANED", "Small hiatus hernia.", "", ""]
    );
    let concepts: Vec<String> = scrubbed.element(tags::CONTENT_SEQUENCE).unwrap().items().unwrap()[4..]
        .iter()
        .map(|i| {
            let concept = &i.element(tags::CONCEPT_CODE_SEQUENCE).unwrap().items().unwrap()[0];
            value(concept, tags::CODE_MEANING).unwrap().trim().to_string()
        })
        .collect();
    assert_eq!(concepts, ["CLEANED", "CLEANED"]);
    v.ok(&["check", "out"]);
}

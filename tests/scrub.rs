//! `vault scrub` on the real files of pydicom and pydicom-data (accepted by the gate, read by
//! pydicom, no residual identifying value by an independent pydicom reading, idempotent, the
//! same UIDs in two runs), and on crafted files for every action, option, the UID references,
//! redaction and the failure paths. Every name and value written here is made up.

mod common;

use std::path::Path;
use std::process::Command;

use common::Vault;
use dicom_core::value::{DataSetSequence, PixelFragmentSequence, Value};
use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
use dicom_dictionary_std::{tags, uids};
use dicom_object::{FileMetaTableBuilder, InMemDicomObject};
use dicom_transfer_syntax_registry::entries;

fn python_dir(expr: &str) -> String {
    let out = Command::new("python3").args(["-c", &format!("import os, {expr}")]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn real_files() -> [String; 2] {
    [
        python_dir("pydicom; print(os.path.join(os.path.dirname(pydicom.__file__), 'data', 'test_files'))"),
        python_dir("data_store; print(os.path.join(os.path.dirname(data_store.__file__), 'data'))"),
    ]
}

fn lines(out: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(out).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn scrub(v: &Vault, args: &[&str]) -> (i32, Vec<serde_json::Value>, String) {
    let out =
        v.command(&[&["scrub", "--json", "--key-file", "scrub.key"][..], args].concat()).output().unwrap();
    (out.status.code().unwrap_or(-1), lines(&out.stdout), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn diff_equal(a: &Path, b: &Path) -> bool {
    Command::new("diff").arg("-r").arg(a).arg(b).output().unwrap().status.success()
}

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
        // that is not its VR's, such as badVR.dcm's NumberOfFrames "1A").
        assert!(
            why.contains("unreadable-dicom") || why.contains("burned-in") || why.contains("value-not-its-vr"),
            "{}: refused for another reason: {why}",
            r["path"]
        );
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

fn text(tag: Tag, vr: VR, value: &str) -> DataElement<InMemDicomObject> {
    DataElement::new(tag, vr, PrimitiveValue::from(value))
}

fn seq(items: Vec<InMemDicomObject>) -> Value<InMemDicomObject> {
    Value::from(DataSetSequence::from(items))
}

const STUDY: &str = "1.2.826.0.1.3680043.10.999.100";

/// A made-up CT slice of a made-up patient, identified every way the profile acts on.
fn slice(n: u32, patient: &str) -> InMemDicomObject {
    let mut o = InMemDicomObject::new_empty();
    o.put(text(tags::SOP_CLASS_UID, VR::UI, uids::CT_IMAGE_STORAGE));
    o.put(text(tags::SOP_INSTANCE_UID, VR::UI, &format!("1.2.826.0.1.3680043.10.999.{n}")));
    o.put(text(tags::STUDY_INSTANCE_UID, VR::UI, STUDY));
    o.put(text(tags::SERIES_INSTANCE_UID, VR::UI, "1.2.826.0.1.3680043.10.999.200"));
    o.put(text(tags::MODALITY, VR::CS, "CT"));
    o.put(text(tags::PATIENT_NAME, VR::PN, patient));
    o.put(text(tags::PATIENT_ID, VR::LO, "MADEUP-4711"));
    o.put(text(tags::PATIENT_BIRTH_DATE, VR::DA, "19610203"));
    o.put(text(tags::PATIENT_ADDRESS, VR::LO, "1 Madeup Lane"));
    o.put(text(tags::PATIENT_SEX, VR::CS, "F"));
    o.put(text(tags::ACCESSION_NUMBER, VR::SH, "ACCMADEUP9"));
    o.put(text(tags::STUDY_DATE, VR::DA, "20200115"));
    o.put(text(tags::STUDY_TIME, VR::TM, "101500"));
    o.put(text(tags::CONTENT_DATE, VR::DA, format!("202001{:02}", 15 + n % 3).as_str()));
    o.put(text(tags::STUDY_DESCRIPTION, VR::LO, "CT head for Madeup"));
    o.put(text(tags::SERIES_DESCRIPTION, VR::LO, "axial 5mm"));
    o.put(text(tags::DEVICE_SERIAL_NUMBER, VR::LO, "SN-MADEUP-1"));
    o.put(text(tags::INSTITUTION_NAME, VR::LO, "Madeup General Hospital"));
    o.put(text(tags::IMAGE_TYPE, VR::CS, "ORIGINAL\\PRIMARY\\AXIAL"));
    let mut referenced = InMemDicomObject::new_empty();
    referenced.put(text(tags::REFERENCED_SOP_CLASS_UID, VR::UI, uids::CT_IMAGE_STORAGE));
    referenced.put(text(tags::REFERENCED_SOP_INSTANCE_UID, VR::UI, "1.2.826.0.1.3680043.10.999.1"));
    let mut person = InMemDicomObject::new_empty();
    person.put(text(tags::PERSON_NAME, VR::PN, "Observer^Madeup"));
    referenced.put(DataElement::new(tags::CONTENT_SEQUENCE, VR::SQ, seq(vec![person])));
    o.put(DataElement::new(tags::REFERENCED_IMAGE_SEQUENCE, VR::SQ, seq(vec![referenced])));
    o.put(text(Tag(0x0029, 0x0010), VR::LO, "MADEUP VENDOR"));
    o.put(text(Tag(0x0029, 0x1001), VR::LO, "private madeup text"));
    o.put(DataElement::new(tags::PIXEL_DATA, VR::OW, PrimitiveValue::U16(vec![7u16; 16].into())));
    o.put(DataElement::new(tags::ROWS, VR::US, PrimitiveValue::from(4u16)));
    o.put(DataElement::new(tags::COLUMNS, VR::US, PrimitiveValue::from(4u16)));
    o
}

fn write(v: &Vault, name: &str, o: InMemDicomObject, ts: &str) {
    let sop = o.element(tags::SOP_CLASS_UID).unwrap().value().to_str().unwrap().to_string();
    let inst = o.element(tags::SOP_INSTANCE_UID).unwrap().value().to_str().unwrap().to_string();
    let file = o
        .with_meta(
            FileMetaTableBuilder::new()
                .transfer_syntax(ts)
                .media_storage_sop_class_uid(sop)
                .media_storage_sop_instance_uid(inst),
        )
        .unwrap();
    let path = v.path(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    file.write_to_file(path).unwrap();
}

fn read(v: &Vault, name: &str) -> dicom_object::DefaultDicomObject {
    dicom_object::open_file(v.path(name)).unwrap()
}

/// The code values of the DeidentificationMethodCodeSequence, in order.
fn method_codes(o: &InMemDicomObject) -> Vec<String> {
    let items = o.element(tags::DEIDENTIFICATION_METHOD_CODE_SEQUENCE).unwrap().items().unwrap();
    items.iter().map(|i| value(i, tags::CODE_VALUE).unwrap()).collect()
}

fn value(o: &InMemDicomObject, tag: Tag) -> Option<String> {
    o.element(tag)
        .ok()
        .map(|e| e.value().to_str().map(|s| s.trim_end_matches('\0').trim().to_string()).unwrap_or_default())
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

/// A made-up ultrasound frame, 8 bits, 16 x 16, with no BurnedInAnnotation; encapsulated, its
/// one fragment is no JPEG at all (so it cannot be decoded).
fn ultrasound(encapsulated: bool) -> InMemDicomObject {
    let mut o = slice(9, "Madeup^Scan");
    o.put(text(tags::SOP_CLASS_UID, VR::UI, "1.2.840.10008.5.1.4.1.1.6.1"));
    o.put(text(tags::MODALITY, VR::CS, "US"));
    o.put(DataElement::new(tags::ROWS, VR::US, PrimitiveValue::from(16u16)));
    o.put(DataElement::new(tags::COLUMNS, VR::US, PrimitiveValue::from(16u16)));
    o.put(DataElement::new(tags::BITS_ALLOCATED, VR::US, PrimitiveValue::from(8u16)));
    o.put(DataElement::new(tags::SAMPLES_PER_PIXEL, VR::US, PrimitiveValue::from(1u16)));
    o.put(DataElement::new(tags::BITS_STORED, VR::US, PrimitiveValue::from(8u16)));
    o.put(DataElement::new(tags::HIGH_BIT, VR::US, PrimitiveValue::from(7u16)));
    o.put(DataElement::new(tags::PIXEL_REPRESENTATION, VR::US, PrimitiveValue::from(0u16)));
    o.put(text(tags::PHOTOMETRIC_INTERPRETATION, VR::CS, "MONOCHROME2"));
    if encapsulated {
        let fragments = PixelFragmentSequence::new(vec![], vec![vec![0xAAu8; 64]]);
        o.put(DataElement::new(tags::PIXEL_DATA, VR::OB, Value::PixelSequence(fragments)));
    } else {
        o.put(DataElement::new(tags::PIXEL_DATA, VR::OB, PrimitiveValue::U8(vec![200u8; 256].into())));
    }
    o
}

/// A policy file with OCR off: the header decides what is burned in, and the redaction rules
/// (not OCR) blank it. Rule-based redaction is what these tests are about; tests/ocr.rs has
/// `--redact auto`.
fn header_only(v: &Vault) -> &'static str {
    std::fs::write(v.path("header-only.json"), r#"{"ocr": false}"#).unwrap();
    "header-only.json"
}

#[test]
fn burned_in_images_are_refused_or_redacted_and_undecodable_ones_never_pass_through() {
    let v = Vault::new();
    write(&v, "in/us.dcm", ultrasound(false), entries::EXPLICIT_VR_LITTLE_ENDIAN.uid());
    // With OCR (the default), a 16 x 16 ultrasound shows no text: written as it is.
    let (code, results, _) = scrub(&v, &["in", "--out", "read"]);
    assert_eq!(code, 0, "{results:?}");
    assert_eq!(value(&read(&v, "read/in/us.dcm"), tags::BURNED_IN_ANNOTATION), None);
    let policy = header_only(&v);
    let (code, results, _) = scrub(&v, &["in", "--out", "plain", "--policy", policy]);
    assert_eq!(code, 1);
    assert!(results[0]["reasons"].to_string().contains("burned-in-likely"), "{results:?}");
    assert!(!v.path("plain/in/us.dcm").exists());
    // A user rectangle: the top-left 8 x 4 pixels.
    std::fs::write(v.path("rules.json"), r#"{"rules": [{"modality": "US", "regions": [[0, 0, 8, 4]]}]}"#)
        .unwrap();
    let (code, _, err) = scrub(&v, &["in", "--out", "red", "--redact", "rules.json", "--policy", policy]);
    assert_eq!(code, 0, "{err}");
    let out = read(&v, "red/in/us.dcm");
    assert_eq!(value(&out, tags::BURNED_IN_ANNOTATION).as_deref(), Some("NO"));
    let pixels = out.element(tags::PIXEL_DATA).unwrap().value().to_bytes().unwrap().into_owned();
    for (i, p) in pixels.iter().enumerate() {
        let (row, col) = (i / 16, i % 16);
        assert_eq!(*p, if row < 4 && col < 8 { 0 } else { 200 }, "pixel ({row}, {col})");
    }
    v.ok(&["check", "red"]);
    // A rule that matches nothing leaves it refused.
    std::fs::write(v.path("other.json"), r#"{"rules": [{"manufacturer": "Nobody", "top_percent": 50}]}"#)
        .unwrap();
    assert_eq!(scrub(&v, &["in", "--out", "none", "--redact", "other.json", "--policy", policy]).0, 1);
    // Compressed pixel data that cannot be decoded: refused, not passed through.
    write(&v, "enc/us.dcm", ultrasound(true), entries::JPEG_BASELINE.uid());
    let (code, results, _) =
        scrub(&v, &["enc", "--out", "enc-out", "--redact", "rules.json", "--policy", policy]);
    assert_eq!(code, 1);
    assert!(results[0]["reasons"].to_string().contains("not redacted"), "{results:?}");
    assert!(!v.path("enc-out/enc/us.dcm").exists());
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

/// A compressed (JPEG baseline) secondary capture from pydicom's test files: decoded, redacted,
/// and written uncompressed.
#[test]
fn compressed_images_are_decoded_redacted_and_written_uncompressed() {
    let v = Vault::new();
    let [test_files, _] = real_files();
    std::fs::create_dir(v.path("in")).unwrap();
    std::fs::copy(Path::new(&test_files).join("SC_rgb_jpeg_gdcm.dcm"), v.path("in/sc.dcm")).unwrap();
    std::fs::write(v.path("rules.json"), r#"{"rules": [{"modality": "OT", "regions": [[0, 0, 20, 10]]}]}"#)
        .unwrap();
    let policy = header_only(&v);
    let (code, results, err) =
        scrub(&v, &["in", "--out", "out", "--redact", "rules.json", "--policy", policy]);
    assert_eq!(code, 0, "{err} {results:?}");
    let out = read(&v, "out/in/sc.dcm");
    assert_eq!(out.meta().transfer_syntax(), entries::EXPLICIT_VR_LITTLE_ENDIAN.uid());
    assert_eq!(value(&out, tags::BURNED_IN_ANNOTATION).as_deref(), Some("NO"));
    assert_eq!(value(&out, tags::PHOTOMETRIC_INTERPRETATION).as_deref(), Some("RGB"));
    let pixels = out.element(tags::PIXEL_DATA).unwrap().value().to_bytes().unwrap().into_owned();
    assert_eq!(pixels.len(), 100 * 100 * 3);
    let at = |row: usize, col: usize| &pixels[(row * 100 + col) * 3..(row * 100 + col) * 3 + 3];
    for row in 0..10 {
        for col in 0..20 {
            assert_eq!(at(row, col), [0, 0, 0], "pixel ({row}, {col}) not blanked");
        }
    }
    assert!((10..100).any(|row| at(row, 50) != [0, 0, 0]), "the rest of the image was blanked too");
    v.ok(&["check", "out"]);
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

/// The shipped rules know the banner layouts of the ultrasound devices in pydicom-data: with
/// `--redact default` the institution, patient and date rows come out blank (checked by eye on
/// the rendered images when the rules were written; here, row by row), the image below not.
#[test]
fn the_default_rules_blank_the_banners_of_known_devices() {
    let v = Vault::new();
    let [_, data_store] = real_files();
    std::fs::create_dir(v.path("in")).unwrap();
    // (file, rows that must be blank, a row that must not be)
    let cases = [
        ("US1_UNCR.dcm", 0..110, 200),
        ("OBXXXX1A.dcm", 0..60, 150),
        ("gdcm-US-ALOKA-16.dcm", 444..480, 300),
    ];
    for (name, _, _) in &cases {
        std::fs::copy(Path::new(&data_store).join(name), v.path(&format!("in/{name}"))).unwrap();
    }
    let policy = header_only(&v);
    let (code, results, err) = scrub(&v, &["in", "--out", "out", "--redact", "default", "--policy", policy]);
    assert_eq!(code, 0, "{err} {results:?}");
    for (name, blank, kept) in cases {
        let out = read(&v, &format!("out/in/{name}"));
        assert_eq!(value(&out, tags::BURNED_IN_ANNOTATION).as_deref(), Some("NO"));
        let number = |t| value(&out, t).unwrap().parse::<usize>().unwrap();
        let (columns, samples, bits) =
            (number(tags::COLUMNS), number(tags::SAMPLES_PER_PIXEL), number(tags::BITS_ALLOCATED));
        let row_bytes = columns * samples * bits / 8;
        let pixels = out.element(tags::PIXEL_DATA).unwrap().value().to_bytes().unwrap().into_owned();
        let row = |r: usize| &pixels[r * row_bytes..(r + 1) * row_bytes];
        for r in blank {
            assert!(row(r).iter().all(|&b| b == 0), "{name}: row {r} is not blank");
        }
        assert!(row(kept).iter().any(|&b| b != 0), "{name}: row {kept} was blanked too");
    }
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

/// Colour images are blanked to black: YBR_FULL's chroma samples to their middle value (a YBR
/// zero is green), and YBR_FULL_422 — two luma samples sharing a chroma pair, as ultrasound
/// machines write it — in whole pairs, so a region starting on an odd column widens by one.
#[test]
fn colour_images_are_blanked_to_black_including_subsampled_ybr() {
    let v = Vault::new();
    std::fs::write(v.path("rules.json"), r#"{"rules": [{"modality": "US", "regions": [[3, 0, 4, 2]]}]}"#)
        .unwrap();
    for (photometric, bytes_per_pixel) in [("YBR_FULL_422", 2usize), ("YBR_FULL", 3)] {
        let mut o = ultrasound(false);
        o.put(DataElement::new(tags::SAMPLES_PER_PIXEL, VR::US, PrimitiveValue::from(3u16)));
        o.put(DataElement::new(tags::PLANAR_CONFIGURATION, VR::US, PrimitiveValue::from(0u16)));
        o.put(text(tags::PHOTOMETRIC_INTERPRETATION, VR::CS, photometric));
        let original: Vec<u8> = (0..16 * 16 * bytes_per_pixel).map(|i| (i % 251) as u8).collect();
        o.put(DataElement::new(tags::PIXEL_DATA, VR::OB, PrimitiveValue::U8(original.clone().into())));
        let dir = format!("in-{photometric}");
        write(&v, &format!("{dir}/us.dcm"), o, entries::EXPLICIT_VR_LITTLE_ENDIAN.uid());
        let out_dir = format!("out-{photometric}");
        let (code, _, err) =
            scrub(&v, &[&dir, "--out", &out_dir, "--redact", "rules.json", "--policy", header_only(&v)]);
        assert_eq!(code, 0, "{photometric}: {err}");
        let out = read(&v, &format!("{out_dir}/{dir}/us.dcm"));
        let pixels = out.element(tags::PIXEL_DATA).unwrap().value().to_bytes().unwrap().into_owned();
        assert_eq!(pixels.len(), original.len());
        for (i, (&p, &was)) in pixels.iter().zip(&original).enumerate() {
            let row = i / (16 * bytes_per_pixel);
            let in_row = i % (16 * bytes_per_pixel);
            let expected = if photometric == "YBR_FULL_422" {
                // Pairs of pixels: columns 2..8 (the region 3..7 widened to whole pairs).
                let (pair, k) = (in_row / 4, in_row % 4);
                if row < 2 && (1..4).contains(&pair) { [0, 0, 128, 128][k] } else { was }
            } else {
                let (col, sample) = (in_row / 3, in_row % 3);
                if row < 2 && (3..7).contains(&col) { [0, 128, 128][sample] } else { was }
            };
            assert_eq!(p, expected, "{photometric}: byte {i} (row {row})");
        }
        v.ok(&["check", &out_dir]);
    }
}

/// An image file whose metadata names the patient (a viewer's PNG export with text chunks; a
/// phone's JPEG with EXIF artist, date and GPS, and an XMP packet): `vault check` refuses each,
/// naming the field and never its value; `vault scrub` writes the pixels again without any of
/// it, and the output passes. Made with Pillow, read back with Pillow.
#[test]
fn image_metadata_is_refused_and_scrub_writes_the_image_without_it() {
    let v = Vault::new();
    let made = Command::new("python3")
        .args([
            "-c",
            r#"
import numpy as np
from PIL import Image, PngImagePlugin
rng = np.random.default_rng(7)
img = Image.fromarray(rng.integers(0, 255, (64, 96), dtype=np.uint8))
info = PngImagePlugin.PngInfo()
info.add_text('Patient', 'Zqxmadeup Wyvernfake')
info.add_text('Comment', 'DOB 17/02/1943', zip=True)
img.save('in/viewer.png', pnginfo=info)
exif = Image.Exif()
exif[0x013B] = 'Zqxmadeup Wyvernfake'
exif[0x0132] = '2026:02:17 10:22:01'
exif.get_ifd(0x8825)[1] = 'N'
xmp = b'<x:xmpmeta><dc:description>MRN: ZQX8841207</dc:description></x:xmpmeta>'
img.convert('RGB').save('in/phone.jpg', exif=exif, xmp=xmp, quality=95)
img.save('in/plain.png')
"#,
        ])
        .current_dir({
            std::fs::create_dir(v.path("in")).unwrap();
            v.dir.path()
        })
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let (code, out, err) = v.run(&["check", "in", "--json"]);
    assert_eq!(code, 1, "{err}");
    let mut fields = Vec::new();
    for line in lines(out.as_bytes()) {
        for r in line["reasons"].as_array().into_iter().flatten() {
            if r["rule"] == "image-metadata" {
                fields.push(format!(
                    "{} {}",
                    line["path"].as_str().unwrap_or(""),
                    r["keyword"].as_str().unwrap_or("")
                ));
            }
        }
    }
    fields.sort();
    for expected in [
        "in/phone.jpg EXIF Artist",
        "in/phone.jpg EXIF DateTime",
        "in/phone.jpg EXIF GPS",
        "in/phone.jpg XMP",
        "in/viewer.png PNG text Comment",
        "in/viewer.png PNG text Patient",
    ] {
        assert!(fields.iter().any(|f| f.ends_with(expected)), "{expected} not refused: {fields:?}");
    }
    assert!(!fields.iter().any(|f| f.contains("plain.png")), "{fields:?}");
    assert!(!out.contains("Zqxmadeup") && !out.contains("1943") && !out.contains("8841207"));

    let (code, _, err) = scrub(&v, &["in", "--out", "out"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = v.run(&["check", "out"]);
    assert_eq!(code, 0, "the scrubbed images are refused: {err}");
    for name in ["viewer.png", "phone.jpg"] {
        let bytes = std::fs::read(v.path("out/in").join(name)).unwrap();
        assert!(
            !common::contains(&bytes, b"Zqxmadeup") && !common::contains(&bytes, b"ZQX8841207"),
            "{name}"
        );
    }
    // The pixels are the same (PNG is lossless).
    let same = Command::new("python3")
        .args(["-c", "from PIL import Image; import sys; sys.exit(list(Image.open('in/viewer.png').getdata()) != list(Image.open('out/in/viewer.png').getdata()))"])
        .current_dir(v.dir.path())
        .status()
        .unwrap();
    assert!(same.success(), "the scrubbed PNG's pixels differ");
}

//! The gate: crafted data sets for every detection path, and real files (pydicom's test files
//! and PyPI's pydicom-data) whose expected verdicts a small pydicom script derives on its own
//! (`tests/gate/expected_verdicts.py`). All names and values here are made up.

use std::process::Command;

use dicom_core::value::{DataSetSequence, Value};
use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
use dicom_dictionary_std::{tags, uids};
use dicom_object::{FileMetaTableBuilder, InMemDicomObject};
use dicom_transfer_syntax_registry::entries;
use vault::gate::{self, Policy};

fn text(tag: Tag, vr: VR, value: &str) -> DataElement<InMemDicomObject> {
    DataElement::new(tag, vr, PrimitiveValue::from(value))
}

/// A CT slice with made-up identifying values.
fn identified() -> InMemDicomObject {
    let mut obj = InMemDicomObject::new_empty();
    obj.put(text(tags::SOP_CLASS_UID, VR::UI, uids::CT_IMAGE_STORAGE));
    obj.put(text(tags::SOP_INSTANCE_UID, VR::UI, "1.2.826.0.1.3680043.10.999.1"));
    obj.put(text(tags::MODALITY, VR::CS, "CT"));
    obj.put(text(tags::PATIENT_NAME, VR::PN, "Madeup^Testpatient"));
    obj.put(text(tags::PATIENT_BIRTH_DATE, VR::DA, "19700101"));
    obj
}

/// The same slice with nothing identifying left.
fn clean() -> InMemDicomObject {
    let mut obj = InMemDicomObject::new_empty();
    obj.put(text(tags::SOP_CLASS_UID, VR::UI, uids::CT_IMAGE_STORAGE));
    obj.put(text(tags::SOP_INSTANCE_UID, VR::UI, "1.2.826.0.1.3680043.10.999.2"));
    obj.put(text(tags::MODALITY, VR::CS, "CT"));
    obj.put(text(tags::PATIENT_NAME, VR::PN, "ANONYMOUS"));
    obj.put(text(tags::PATIENT_BIRTH_DATE, VR::DA, ""));
    obj
}

fn seq(item: InMemDicomObject) -> Value<InMemDicomObject> {
    Value::from(DataSetSequence::from(vec![item]))
}

fn part10(obj: InMemDicomObject, ts: &str) -> Vec<u8> {
    let file = obj
        .with_meta(
            FileMetaTableBuilder::new()
                .transfer_syntax(ts)
                .media_storage_sop_class_uid(uids::CT_IMAGE_STORAGE),
        )
        .unwrap();
    let mut out = Vec::new();
    file.write_all(&mut out).unwrap();
    out
}

fn rules(bytes: &[u8]) -> Vec<(&'static str, String)> {
    gate::check(bytes, &Policy::default()).reasons.into_iter().map(|r| (r.rule, r.keyword)).collect()
}

#[test]
fn every_transfer_syntax_and_raw_data_sets_are_read() {
    for ts in [
        entries::IMPLICIT_VR_LITTLE_ENDIAN.uid(),
        entries::EXPLICIT_VR_LITTLE_ENDIAN.uid(),
        entries::EXPLICIT_VR_BIG_ENDIAN.uid(),
        entries::DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN.uid(),
    ] {
        let bytes = part10(identified(), ts);
        let v = gate::check(&bytes, &Policy::default());
        assert!(!v.accept && v.dicom, "{ts}");
        assert!(rules(&bytes).contains(&("identifying-attribute", "PatientName".into())), "{ts}");
        assert!(gate::check(&part10(clean(), ts), &Policy::default()).accept, "{ts}: clean refused");
        // Without the preamble: DICM at offset 0.
        assert!(!gate::check(&bytes[128..], &Policy::default()).accept, "{ts} without preamble");
    }
    // Raw data sets: no preamble, no meta group.
    for ts in [
        entries::IMPLICIT_VR_LITTLE_ENDIAN.erased(),
        entries::EXPLICIT_VR_LITTLE_ENDIAN.erased(),
        entries::EXPLICIT_VR_BIG_ENDIAN.erased(),
    ] {
        let mut raw = Vec::new();
        identified().write_dataset_with_ts(&mut raw, &ts).unwrap();
        assert!(!gate::check(&raw, &Policy::default()).accept, "raw {}", ts.uid());
        let mut raw = Vec::new();
        clean().write_dataset_with_ts(&mut raw, &ts).unwrap();
        assert!(gate::check(&raw, &Policy::default()).accept, "clean raw {}", ts.uid());
    }
}

#[test]
fn names_are_found_at_any_depth_in_private_elements_and_after_the_pixel_data() {
    // A person name three sequences deep.
    let mut inner = InMemDicomObject::new_empty();
    inner.put(text(tags::PERSON_NAME, VR::PN, "Madeup^Doctor"));
    let mut middle = InMemDicomObject::new_empty();
    middle.put(DataElement::new(tags::CONTENT_SEQUENCE, VR::SQ, seq(inner)));
    let mut outer = InMemDicomObject::new_empty();
    outer.put(DataElement::new(tags::CONTENT_SEQUENCE, VR::SQ, seq(middle)));
    let mut obj = clean();
    obj.put(DataElement::new(tags::REFERENCED_IMAGE_SEQUENCE, VR::SQ, seq(outer)));
    let v = gate::check(&part10(obj, entries::EXPLICIT_VR_LITTLE_ENDIAN.uid()), &Policy::default());
    assert_eq!(v.reasons.len(), 1, "{:?}", v.reasons);
    assert_eq!(v.reasons[0].rule, "person-name");
    assert_eq!(v.reasons[0].location, "ReferencedImageSequence[0]/ContentSequence[0]/ContentSequence[0]/");

    // A private element with VR PN, and one after the pixel data.
    let mut obj = clean();
    obj.put(text(Tag(0x0009, 0x0010), VR::LO, "MADEUP VENDOR"));
    obj.put(text(Tag(0x0009, 0x1001), VR::PN, "Madeup^Technologist"));
    assert!(
        rules(&part10(obj, entries::EXPLICIT_VR_LITTLE_ENDIAN.uid()))
            .contains(&("person-name", "(private)".into()))
    );
    let mut obj = clean();
    obj.put(DataElement::new(tags::PIXEL_DATA, VR::OW, PrimitiveValue::U16(vec![0u16; 16].into())));
    obj.put(text(Tag(0x7FE1, 0x0010), VR::LO, "MADEUP VENDOR"));
    obj.put(text(Tag(0x7FE1, 0x1001), VR::PN, "Madeup^After"));
    assert!(!gate::check(&part10(obj, entries::EXPLICIT_VR_LITTLE_ENDIAN.uid()), &Policy::default()).accept);
}

/// A DICOMDIR (a media's index) names patients in its directory records: refused where a record
/// holds a name or an ID, accepted once the records carry none.
#[test]
fn dicomdir_directory_records_are_walked() {
    let record = |kind: &str, name: Option<&str>| {
        let mut r = InMemDicomObject::new_empty();
        r.put(text(tags::DIRECTORY_RECORD_TYPE, VR::CS, kind));
        if let Some(n) = name {
            r.put(text(tags::PATIENT_NAME, VR::PN, n));
            r.put(text(tags::PATIENT_ID, VR::LO, "MADEUP-DIR"));
        }
        r
    };
    let dicomdir = |records: Vec<InMemDicomObject>| {
        let mut obj = InMemDicomObject::new_empty();
        obj.put(text(tags::FILE_SET_ID, VR::CS, "MADEUP"));
        obj.put(DataElement::new(
            tags::DIRECTORY_RECORD_SEQUENCE,
            VR::SQ,
            Value::from(DataSetSequence::from(records)),
        ));
        let file = obj
            .with_meta(
                FileMetaTableBuilder::new()
                    .transfer_syntax(entries::EXPLICIT_VR_LITTLE_ENDIAN.uid())
                    .media_storage_sop_class_uid(uids::MEDIA_STORAGE_DIRECTORY_STORAGE)
                    .media_storage_sop_instance_uid("1.2.826.0.1.3680043.10.999.3"),
            )
            .unwrap();
        let mut out = Vec::new();
        file.write_all(&mut out).unwrap();
        out
    };
    let named = dicomdir(vec![record("STUDY", None), record("PATIENT", Some("Madeup^Dirpatient"))]);
    let v = gate::check(&named, &Policy::default());
    assert!(!v.accept);
    let found: Vec<_> = v.reasons.iter().map(|r| (r.rule, r.keyword.as_str(), r.location.as_str())).collect();
    assert_eq!(
        found,
        [
            ("identifying-attribute", "PatientName", "DirectoryRecordSequence[1]/"),
            ("patient-id", "PatientID", "DirectoryRecordSequence[1]/"),
        ]
    );
    let blank = dicomdir(vec![record("PATIENT", Some("ANONYMOUS")), record("STUDY", None)]);
    let v = gate::check(&blank, &Policy::default());
    assert_eq!(v.reasons.iter().map(|r| r.rule).collect::<Vec<_>>(), ["patient-id"]);
    let keep = Policy { retain_patient_id: true, ..Policy::default() };
    assert!(gate::check(&blank, &keep).accept);
}

#[test]
fn patient_id_and_accession_number_follow_the_policy_switches() {
    let mut obj = clean();
    obj.put(text(tags::PATIENT_ID, VR::LO, "MADEUP-0001"));
    obj.put(text(tags::ACCESSION_NUMBER, VR::SH, "ACC-MADEUP"));
    let bytes = part10(obj, entries::EXPLICIT_VR_LITTLE_ENDIAN.uid());
    let found = rules(&bytes);
    assert!(
        found.contains(&("patient-id", "PatientID".into()))
            && found.contains(&("accession-number", "AccessionNumber".into()))
    );
    let keep = Policy { retain_patient_id: true, retain_accession_number: true, ..Policy::default() };
    assert!(gate::check(&bytes, &keep).accept);
    // A dummy value of the policy's is no identity.
    let mut obj = clean();
    obj.put(text(tags::PATIENT_NAME, VR::PN, "TEACHING^FILE"));
    let bytes = part10(obj, entries::EXPLICIT_VR_LITTLE_ENDIAN.uid());
    assert!(!gate::check(&bytes, &Policy::default()).accept);
    let dummy = Policy { dummy_values: vec!["TEACHING^FILE".into()], ..Policy::default() };
    assert!(gate::check(&bytes, &dummy).accept);
}

#[test]
fn burned_in_patient_data() {
    let with_pixels = |modality: &str, burned: Option<&str>| {
        let mut obj = clean();
        obj.put(text(tags::MODALITY, VR::CS, modality));
        if let Some(b) = burned {
            obj.put(text(tags::BURNED_IN_ANNOTATION, VR::CS, b));
        }
        obj.put(DataElement::new(tags::PIXEL_DATA, VR::OW, PrimitiveValue::U16(vec![0u16; 16].into())));
        gate::check(&part10(obj, entries::EXPLICIT_VR_LITTLE_ENDIAN.uid()), &Policy::default())
    };
    assert_eq!(with_pixels("CT", Some("YES")).reasons[0].rule, "burned-in-annotation");
    assert_eq!(with_pixels("US", None).reasons[0].rule, "burned-in-likely");
    assert_eq!(with_pixels("NM", None).reasons[0].rule, "burned-in-likely");
    assert!(with_pixels("US", Some("NO")).accept, "a redacted ultrasound (BurnedInAnnotation NO)");
    assert!(with_pixels("CT", None).accept);
}

#[test]
fn unreadable_dicom_is_refused_and_other_files_pass() {
    let bytes = part10(identified(), entries::EXPLICIT_VR_LITTLE_ENDIAN.uid());
    let truncated = &bytes[..bytes.len() - 7];
    let v = gate::check(truncated, &Policy::default());
    assert!(!v.accept, "a truncated file was accepted");
    let mut corrupt = bytes.clone();
    corrupt[140..150].fill(0xff);
    assert!(!gate::check(&corrupt, &Policy::default()).accept, "a corrupt file was accepted");
    for plain in [&b"made-up teaching notes\n"[..], b"%PDF-1.7\n...", &[0u8; 0], &[0x5a; 4096]] {
        let v = gate::check(plain, &Policy::default());
        assert!(v.accept && !v.dicom, "{:?}", &plain[..plain.len().min(8)]);
    }
    // Random bytes: never a panic; accepted unless they happen to look like DICOM.
    let mut x = 0x9e3779b97f4a7c15u64;
    for _ in 0..2000 {
        let len = (x % 3000) as usize;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        let _ = gate::check(&bytes, &Policy::default());
    }
}

fn python_dir(expr: &str) -> String {
    let out =
        Command::new("python3").args(["-c", &format!("import os, {expr}")]).output().expect("python3 runs");
    assert!(
        out.status.success(),
        "pydicom and pydicom-data are installed by the README's setup: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// The real files: vault's verdicts against the independent pydicom reading. No file that the
/// pydicom reading refuses may be accepted; where vault refuses and pydicom accepts, it must be
/// because vault's parser cannot read the file (failing closed), and those files are listed.
#[test]
fn verdicts_agree_with_an_independent_pydicom_reading() {
    let test_files =
        python_dir("pydicom; print(os.path.join(os.path.dirname(pydicom.__file__), 'data', 'test_files'))");
    let data_store =
        python_dir("data_store; print(os.path.join(os.path.dirname(data_store.__file__), 'data'))");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/gate/expected_verdicts.py");
    let expected = Command::new("python3").arg(script).args([&test_files, &data_store]).output().unwrap();
    assert!(expected.status.success(), "{}", String::from_utf8_lossy(&expected.stderr));
    let got = Command::new(env!("CARGO_BIN_EXE_vault"))
        .args(["check", "--json", &test_files, &data_store])
        .output()
        .unwrap();
    let parse = |out: &[u8]| -> std::collections::BTreeMap<String, serde_json::Value> {
        String::from_utf8_lossy(out)
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .map(|v| (v["path"].as_str().unwrap().to_string(), v))
            .collect()
    };
    let (expected, got) = (parse(&expected.stdout), parse(&got.stdout));
    assert!(expected.len() >= 240, "only {} real files found", expected.len());
    assert_eq!(expected.keys().collect::<Vec<_>>(), got.keys().collect::<Vec<_>>());
    let mut fail_closed = Vec::new();
    for (path, want) in &expected {
        let v = &got[path];
        if want["verdict"] == v["verdict"] {
            continue;
        }
        assert_eq!(want["verdict"], "accept", "{path}: pydicom's reading refuses it, vault accepts it");
        let reasons = v["reasons"].as_array().unwrap();
        assert!(reasons.iter().all(|r| r["rule"] == "unreadable-dicom"), "{path}: {reasons:?}");
        fail_closed.push(path.rsplit('/').next().unwrap().to_string());
    }
    fail_closed.sort();
    assert_eq!(fail_closed, ["UN_sequence.dcm", "meta_missing_tsyntax.dcm", "no_meta_group_length.dcm"]);
    assert!(got.values().filter(|v| v["verdict"] == "refuse").count() > 100);
    assert!(got.values().filter(|v| v["verdict"] == "accept").count() > 10);
}

/// The import door: identifying files are refused with rule and tag, recorded in the audit log
/// without their values; the rest are imported.
#[test]
fn vault_import_lets_no_identifying_file_in() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    std::fs::write(p("pass"), "made-up gate passphrase\n").unwrap();
    std::fs::create_dir(p("study")).unwrap();
    std::fs::write(p("study/identified.dcm"), part10(identified(), entries::EXPLICIT_VR_LITTLE_ENDIAN.uid()))
        .unwrap();
    std::fs::write(p("study/clean.dcm"), part10(clean(), entries::EXPLICIT_VR_LITTLE_ENDIAN.uid())).unwrap();
    std::fs::write(p("study/notes.txt"), "made-up teaching note\n").unwrap();
    let vault = |args: &[&str]| {
        let out =
            Command::new(env!("CARGO_BIN_EXE_vault")).args(args).current_dir(dir.path()).output().unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, _, err) = vault(&[
        "init",
        "--image",
        "v.img",
        "--size",
        "32M",
        "--passphrase-file",
        "pass",
        "--kdf-time",
        "1",
        "--kdf-memory",
        "1",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = vault(&["import", "study", "v.img", "--passphrase-file", "pass"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("identified.dcm: refused by the gate: identifying-attribute (0010,0010)"), "{err}");
    assert!(!err.contains("Madeup"), "a value reached a message");
    let (_, listing, _) = vault(&["ls", "v.img:/study", "--passphrase-file", "pass"]);
    assert_eq!(listing.lines().collect::<Vec<_>>(), ["clean.dcm", "notes.txt"]);
    let (_, log, _) = vault(&["log", "v.img", "--passphrase-file", "pass"]);
    assert!(
        log.contains(
            "refused  door=import path=/study/identified.dcm rule=identifying-attribute tag=(0010,0010)"
        ),
        "{log}"
    );
    assert!(!log.contains("Madeup") && !log.contains("19700101"), "a value reached the audit log");
}

/// The policy the vault keeps: patient ID refused by default, kept once `vault policy set`
/// allows it; the change is audited.
#[test]
fn the_vaults_policy_decides_and_its_changes_are_audited() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    std::fs::write(p("pass"), "made-up gate passphrase\n").unwrap();
    let mut obj = clean();
    obj.put(text(tags::PATIENT_ID, VR::LO, "MADEUP-0042"));
    std::fs::write(p("with-id.dcm"), part10(obj, entries::EXPLICIT_VR_LITTLE_ENDIAN.uid())).unwrap();
    let vault = |args: &[&str]| {
        let out =
            Command::new(env!("CARGO_BIN_EXE_vault")).args(args).current_dir(dir.path()).output().unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let pass = ["--passphrase-file", "pass"];
    let (code, _, err) = vault(&[
        "init",
        "--image",
        "v.img",
        "--size",
        "32M",
        "--kdf-time",
        "1",
        "--kdf-memory",
        "1",
        "--json",
        pass[0],
        pass[1],
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = vault(&["import", "with-id.dcm", "v.img", pass[0], pass[1]]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("patient-id (0010,0020)"), "{err}");
    let (code, _, err) = vault(&["policy", "set", "v.img", "--retain-patient-id", "yes", pass[0], pass[1]]);
    assert_eq!(code, 0, "{err}");
    let (_, shown, _) = vault(&["policy", "show", "v.img", "--json", pass[0], pass[1]]);
    let shown: serde_json::Value = serde_json::from_str(shown.trim()).unwrap();
    assert_eq!(shown["retain_patient_id"], true);
    assert_eq!(shown["retain_accession_number"], false);
    let (code, _, err) = vault(&["import", "with-id.dcm", "v.img", pass[0], pass[1]]);
    assert_eq!(code, 0, "{err}");
    let (_, log, _) = vault(&["log", "v.img", pass[0], pass[1]]);
    assert!(log.contains("policy  retain_patient_id=yes retain_accession_number=no"), "{log}");
    assert!(!log.contains("MADEUP-0042"));
    // `vault check --policy FILE` reads the same format.
    std::fs::write(p("policy.json"), serde_json::to_string(&shown).unwrap()).unwrap();
    let (code, _, _) = vault(&["check", "--policy", "policy.json", "with-id.dcm"]);
    assert_eq!(code, 0);
    let (code, _, _) = vault(&["check", "with-id.dcm"]);
    assert_eq!(code, 1);
}

mod property {
    use super::*;
    use proptest::prelude::*;

    /// Harmless elements random data sets are made of.
    fn harmless(i: u8, n: u32) -> DataElement<InMemDicomObject> {
        match i % 4 {
            0 => text(tags::STUDY_DESCRIPTION, VR::LO, &format!("MADEUP STUDY {n}")),
            1 => text(tags::SERIES_NUMBER, VR::IS, &(n % 1000).to_string()),
            2 => text(tags::IMAGE_COMMENTS, VR::LT, &format!("made-up comment {n}")),
            _ => text(tags::BODY_PART_EXAMINED, VR::CS, "CHEST"),
        }
    }

    /// What gets inserted, and the rule it must trip.
    fn identifying(i: u8) -> (DataElement<InMemDicomObject>, &'static str) {
        match i % 6 {
            0 => (text(tags::PATIENT_NAME, VR::PN, "Madeup^Person"), "identifying-attribute"),
            1 => (text(tags::PATIENT_BIRTH_DATE, VR::DA, "19800229"), "identifying-attribute"),
            2 => (text(tags::PATIENT_ADDRESS, VR::LO, "1 Madeup Street"), "identifying-attribute"),
            3 => (text(tags::PATIENT_ID, VR::LO, "MADEUP-7"), "patient-id"),
            4 => (text(tags::REFERRING_PHYSICIAN_NAME, VR::PN, "Madeup^Referrer"), "person-name"),
            _ => (text(Tag(0x0011, 0x1010), VR::PN, "Madeup^Private"), "person-name"),
        }
    }

    /// A random data set: harmless elements and nested sequences, `depth` levels at most.
    fn dataset(shape: &[(u8, u32)], depth: usize) -> InMemDicomObject {
        let mut obj = InMemDicomObject::new_empty();
        obj.put(text(tags::MODALITY, VR::CS, "CT"));
        for &(i, n) in shape {
            obj.put(harmless(i, n));
        }
        if depth > 0 {
            obj.put(DataElement::new(tags::CONTENT_SEQUENCE, VR::SQ, seq(dataset(shape, depth - 1))));
        }
        obj
    }

    /// Puts `element` into the data set at nesting level `level` (through ContentSequence).
    fn insert(obj: &mut InMemDicomObject, level: usize, element: DataElement<InMemDicomObject>) {
        if level == 0 {
            obj.put(element);
            return;
        }
        let mut item = obj
            .get(tags::CONTENT_SEQUENCE)
            .and_then(|e| e.value().items())
            .map(|i| i[0].clone())
            .expect("nested item");
        insert(&mut item, level - 1, element);
        obj.put(DataElement::new(tags::CONTENT_SEQUENCE, VR::SQ, seq(item)));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn an_identifying_element_anywhere_is_refused(
            shape in prop::collection::vec((any::<u8>(), any::<u32>()), 0..12),
            depth in 0usize..5,
            level_seed in any::<usize>(),
            which in any::<u8>(),
            ts in 0usize..4,
        ) {
            let ts = [
                entries::IMPLICIT_VR_LITTLE_ENDIAN.uid(),
                entries::EXPLICIT_VR_LITTLE_ENDIAN.uid(),
                entries::EXPLICIT_VR_BIG_ENDIAN.uid(),
                entries::DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN.uid(),
            ][ts];
            let base = dataset(&shape, depth);
            let clean_bytes = part10(base.clone(), ts);
            prop_assert!(gate::check(&clean_bytes, &Policy::default()).accept, "the clean data set was refused");
            let level = level_seed % (depth + 1);
            let (element, rule) = identifying(which);
            let mut dirty = base;
            insert(&mut dirty, level, element);
            let v = gate::check(&part10(dirty, ts), &Policy::default());
            prop_assert!(!v.accept, "accepted with the element at level {level} in {ts}");
            prop_assert!(v.reasons.iter().any(|r| r.rule == rule && r.location.matches('[').count() == level), "{:?}", v.reasons);
        }
    }
}

mod archives {
    use std::io::Write;

    use super::*;

    fn zip_of(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut out);
        for (name, data) in members {
            z.start_file(
                *name,
                zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated),
            )
            .unwrap();
            z.write_all(data).unwrap();
        }
        z.finish().unwrap();
        out.into_inner()
    }

    fn tar_of(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, data) in members {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, name, &data[..]).unwrap();
        }
        b.into_inner().unwrap()
    }

    fn gzip_of(data: &[u8]) -> Vec<u8> {
        let mut g = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        g.write_all(data).unwrap();
        g.finish().unwrap()
    }

    #[test]
    fn identifying_files_inside_archives_are_found_and_clean_archives_pass() {
        let dirty = part10(identified(), entries::EXPLICIT_VR_LITTLE_ENDIAN.uid());
        let cleaned = part10(clean(), entries::EXPLICIT_VR_LITTLE_ENDIAN.uid());
        let zipped = zip_of(&[("study/notes.txt", b"made-up".to_vec()), ("study/ct.dcm", dirty.clone())]);
        let v = gate::check(&zipped, &Policy::default());
        assert!(!v.accept);
        assert!(
            v.reasons.iter().any(|r| r.keyword == "PatientName" && r.location == "study/ct.dcm!/"),
            "{:?}",
            v.reasons
        );
        // tar inside gzip inside zip.
        let nested = zip_of(&[("study.tar.gz", gzip_of(&tar_of(&[("s/ct.dcm", dirty.clone())])))]);
        let v = gate::check(&nested, &Policy::default());
        assert!(!v.accept);
        assert!(
            v.reasons.iter().any(|r| r.location == "study.tar.gz!/(gunzip)!/s/ct.dcm!/"),
            "{:?}",
            v.reasons
        );
        assert!(
            gate::check(
                &zip_of(&[("ct.dcm", cleaned.clone()), ("n.txt", b"made-up".to_vec())]),
                &Policy::default()
            )
            .accept
        );
        assert!(gate::check(&gzip_of(&tar_of(&[("ct.dcm", cleaned)])), &Policy::default()).accept);
    }

    #[test]
    fn archive_bombs_are_refused_not_expanded() {
        // 200 MB of zeros compresses about a thousandfold: past the ratio bound.
        let bomb = gzip_of(&vec![0u8; 200 << 20]);
        let started = std::time::Instant::now();
        let v = gate::check(&bomb, &Policy::default());
        assert!(!v.accept);
        assert_eq!(v.reasons[0].rule, "archive-ratio");
        let zip_bomb = zip_of(&[("zeros", vec![0u8; 64 << 20])]);
        assert_eq!(gate::check(&zip_bomb, &Policy::default()).reasons[0].rule, "archive-ratio");
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
        // Nesting past the depth bound.
        let mut deep = b"made-up".to_vec();
        for _ in 0..6 {
            deep = gzip_of(&deep);
        }
        assert_eq!(gate::check(&deep, &Policy::default()).reasons[0].rule, "archive-depth");
        // A damaged archive is refused.
        let mut broken = zip_of(&[("ct.dcm", b"made-up".to_vec())]);
        broken.truncate(20);
        assert!(!gate::check(&broken, &Policy::default()).accept);
    }
}

//! The gate through the command line: verdicts against an independent pydicom reading of the
//! real sample files, `vault import` at the door, `check --explain`, and the vault's policy.
//! All names and values here are made up.

mod common;

use std::process::Command;

use common::dicom::*;
use dicom_core::VR;
use dicom_dictionary_std::tags;

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

/// The real files against an independent application of the law with pydicom
/// (`tests/gate/expected_verdicts.py`): nothing it finds identifying may be accepted, and the
/// same files scrubbed are accepted by both.
#[test]
fn verdicts_agree_with_an_independent_pydicom_reading() {
    let test_files =
        python_dir("pydicom; print(os.path.join(os.path.dirname(pydicom.__file__), 'data', 'test_files'))");
    let data_store =
        python_dir("data_store; print(os.path.join(os.path.dirname(data_store.__file__), 'data'))");
    // The header's law is compared here, so the pixels are not read (OCR over these files costs
    // about 250 processor seconds a run; tests/scrub.rs has the gate with OCR over the same
    // scrubbed outputs, and tests/ocr.rs the pixels).
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("header-only.json"), r#"{"ocr": false}"#).unwrap();
    let policy = dir.path().join("header-only.json").display().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_vault"))
        .args(["scrub", &test_files, &data_store, "--out", "out", "--redact", "default", "--key-file", "key"])
        .args(["--policy", &policy])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let scrubbed = dir.path().join("out").display().to_string();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/gate/expected_verdicts.py");
    let table = concat!(env!("CARGO_MANIFEST_DIR"), "/src/gate/annex_e_2026c.tsv");
    let expected = Command::new("python3")
        .arg(script)
        .arg(table)
        .args([&test_files, &data_store, &scrubbed])
        .output()
        .unwrap();
    assert!(expected.status.success(), "{}", String::from_utf8_lossy(&expected.stderr));
    let got = Command::new(env!("CARGO_BIN_EXE_vault"))
        .args(["check", "--json", "--policy", &policy, &test_files, &data_store, &scrubbed])
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
    assert!(expected.len() >= 440, "only {} files", expected.len());
    assert_eq!(expected.keys().collect::<Vec<_>>(), got.keys().collect::<Vec<_>>());
    let mut stricter = Vec::new();
    for (path, want) in &expected {
        let v = &got[path];
        if want["verdict"] == v["verdict"] {
            continue;
        }
        assert_eq!(
            want["verdict"], "accept",
            "{path}: the pydicom reading refuses it ({}), vault accepts it",
            want["why"]
        );
        stricter.push(format!("{path}: {}", v["reasons"]));
    }
    // Where vault alone refuses, it is for what the pydicom reading cannot see: readings
    // pydicom does not take, the shapes of identity in kept text, text in the pixels, and
    // documents that label a patient (pydicom reads no README).
    for s in &stricter {
        assert!(
            [
                "unreadable-dicom",
                "identity-in-document",
                "identity-in-text",
                "@",
                "value-not-its-vr",
                "duplicate-element",
                "burned-in"
            ]
            .iter()
            .any(|k| s.contains(k)),
            "vault refuses for a reason the independent reading should share: {s}"
        );
    }
    let scrubbed_got: Vec<_> = got.iter().filter(|(p, _)| p.starts_with(&scrubbed)).collect();
    assert!(scrubbed_got.len() >= 200, "only {} scrubbed outputs", scrubbed_got.len());
    assert!(scrubbed_got.iter().all(|(_, v)| v["verdict"] == "accept"));
    let originals_refused =
        got.iter().filter(|(p, v)| !p.starts_with(&scrubbed) && v["verdict"] == "refuse").count();
    assert!(originals_refused > 200, "only {originals_refused} real files refused before scrubbing");
}

/// The import door: identifying files are refused with rule and tag, recorded in the audit log
/// without their values; the rest are imported.
#[test]
fn vault_import_lets_no_identifying_file_in() {
    let v = common::Vault::new();
    std::fs::create_dir(v.path("study")).unwrap();
    std::fs::write(v.path("study/identified.dcm"), part10(identified(), EXPLICIT)).unwrap();
    std::fs::write(v.path("study/clean.dcm"), part10(conformant(), EXPLICIT)).unwrap();
    std::fs::write(v.path("study/notes.txt"), "made-up teaching note\n").unwrap();
    v.init_image("v.img", "32M");
    let (code, _, err) = v.run(&["import", "study", "v.img", "--passphrase-file", "pass"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("identified.dcm: refused by the gate: "), "{err}");
    assert!(err.contains("identifying-attribute: (0010,0010) PatientName"), "{err}");
    assert!(err.contains("vault import --scrub"), "no hint: {err}");
    assert!(!err.contains("Madeup"), "a value reached a message");
    let listing = v.ok(&["ls", "v.img:/study", "--passphrase-file", "pass"]);
    assert_eq!(listing.lines().collect::<Vec<_>>(), ["clean.dcm", "notes.txt"]);
    let log = v.ok(&["log", "v.img", "--passphrase-file", "pass"]);
    assert!(
        log.contains(
            "refused  door=import path=/study/identified.dcm rule=identifying-attribute tag=(0010,0010)"
        ),
        "{log}"
    );
    assert!(!log.contains("Madeup") && !log.contains("19700101"), "a value reached the audit log");
    // A refused file replaces nothing: the clean one stays what it was.
    std::fs::write(v.path("study/clean.dcm"), part10(identified(), EXPLICIT)).unwrap();
    let (code, _, _) = v.run(&["import", "study/clean.dcm", "v.img:/study", "--passphrase-file", "pass"]);
    assert_eq!(code, 1);
    v.ok(&["export", "v.img:/study/clean.dcm", "back.dcm", "--passphrase-file", "pass"]);
    assert_eq!(std::fs::read(v.path("back.dcm")).unwrap(), part10(conformant(), EXPLICIT));
}

/// The import door judges names as the mount does: an entry whose name has a patient's shape is
/// not copied (nor anything under it), audited against its folder, and neither the message nor
/// the record shows the name; a destination so named is refused before anything is copied.
#[test]
fn vault_import_refuses_names_with_a_patients_shape() {
    let v = common::Vault::new();
    std::fs::create_dir_all(v.path("study/Doe^Jane")).unwrap();
    std::fs::create_dir_all(v.path("study/CT_2024-01-05")).unwrap();
    std::fs::write(v.path("study/Doe^Jane/clean.dcm"), part10(conformant(), EXPLICIT)).unwrap();
    std::fs::write(v.path("study/CT_2024-01-05/clean.dcm"), part10(conformant(), EXPLICIT)).unwrap();
    std::fs::write(v.path("study/MRN_4711913.txt"), "made-up teaching note\n").unwrap();
    std::os::unix::fs::symlink("Mr_Jane_Doe.dcm", v.path("study/latest")).unwrap();
    v.init_image("v.img", "32M");
    let (code, out, err) = v.run(&["import", "study", "v.img", "--passphrase-file", "pass"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(err.matches("identity-in-name").count(), 3, "{err}");
    assert!(err.contains("rename it"), "{err}");
    for value in ["Doe", "Jane", "4711913"] {
        assert!(!out.contains(value) && !err.contains(value), "a name reached a message: {out}{err}");
    }
    let listing = v.ok(&["ls", "v.img:/study", "--passphrase-file", "pass"]);
    assert_eq!(listing.lines().collect::<Vec<_>>(), ["CT_2024-01-05/"]);
    let log = v.ok(&["log", "v.img", "--passphrase-file", "pass"]);
    assert_eq!(log.matches("door=import path=/study rule=identity-in-name").count(), 3, "{log}");
    assert!(!log.contains("Doe") && !log.contains("4711913"), "a name reached the audit log");
    let (code, _, err) =
        v.run(&["import", "study/CT_2024-01-05", "v.img:/Doe^Jane", "--passphrase-file", "pass"]);
    assert_ne!(code, 0);
    assert!(err.contains("identity-in-name") && !err.contains("Doe"), "{err}");
    let top = v.ok(&["ls", "v.img:/", "--passphrase-file", "pass"]);
    assert_eq!(top.lines().collect::<Vec<_>>(), ["study/"], "{top}");
}

/// `vault check --explain`: each reason with what fixes it, never a value.
#[test]
fn check_explains_which_scrub_option_fixes_each_refusal() {
    let v = common::Vault::new();
    let mut obj = conformant();
    obj.put(text(tags::SERIES_DESCRIPTION, VR::LO, "AXIAL 5MM"));
    obj.put(text(tags::PATIENT_NAME, VR::PN, "Madeup^Person"));
    std::fs::write(v.path("a.dcm"), part10(obj, EXPLICIT)).unwrap();
    let (code, out, _) = v.run(&["check", "--explain", "a.dcm"]);
    assert_eq!(code, 1);
    assert!(out.contains("identifying-attribute: (0010,0010) PatientName"), "{out}");
    assert!(
        out.contains("fix: de-identify it first: vault scrub SOURCE --out CLEANED, then bring in CLEANED; with --retain clean-descriptors it stays, cleaned"),
        "{out}"
    );
    assert!(!out.contains("Madeup"), "{out}");
    let (_, json, _) = v.run(&["check", "--explain", "--json", "a.dcm"]);
    let j: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert!(
        j["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["fix"].as_str().is_some_and(|f| f.contains("vault scrub")))
    );
}

/// The policy the vault keeps: patient ID refused by default, kept once `vault policy set`
/// allows it; options allowed and withdrawn; every change audited.
#[test]
fn the_vaults_policy_decides_and_its_changes_are_audited() {
    let v = common::Vault::new();
    let mut obj = conformant();
    obj.put(text(tags::PATIENT_ID, VR::LO, "MADEUP-0042"));
    std::fs::write(v.path("with-id.dcm"), part10(obj, EXPLICIT)).unwrap();
    let mut obj = conformant();
    obj.put(text(tags::SERIES_DESCRIPTION, VR::LO, "AXIAL 5MM"));
    declare(&mut obj, &["113100", "113105"]);
    std::fs::write(v.path("described.dcm"), part10(obj, EXPLICIT)).unwrap();
    let pass = ["--passphrase-file", "pass"];
    v.init_image("v.img", "32M");
    let (code, _, err) = v.run(&["import", "with-id.dcm", "v.img", pass[0], pass[1]]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("patient-id: (0010,0020) PatientID"), "{err}");
    v.ok(&["policy", "set", "v.img", "--retain-patient-id", "yes", pass[0], pass[1]]);
    let shown: serde_json::Value =
        serde_json::from_str(v.ok(&["policy", "show", "v.img", "--json", pass[0], pass[1]]).trim()).unwrap();
    assert_eq!(shown["retain_patient_id"], true);
    assert_eq!(shown["retain_accession_number"], false);
    v.ok(&["import", "with-id.dcm", "v.img", pass[0], pass[1]]);
    v.ok(&["import", "described.dcm", "v.img", pass[0], pass[1]]);
    v.ok(&["policy", "set", "v.img", "--disallow", "clean-descriptors", pass[0], pass[1]]);
    let (code, _, err) = v.run(&["import", "described.dcm", "v.img:/again", pass[0], pass[1]]);
    assert_eq!(code, 1, "{err}");
    let log = v.ok(&["log", "v.img", pass[0], pass[1]]);
    assert!(log.contains("retain_patient_id=yes retain_accession_number=no"), "{log}");
    assert!(!log.contains("MADEUP-0042"));
    // `vault check --policy FILE` reads the same format.
    std::fs::write(v.path("policy.json"), serde_json::to_string(&shown).unwrap()).unwrap();
    assert_eq!(v.run(&["check", "--policy", "policy.json", "with-id.dcm"]).0, 0);
    assert_eq!(v.run(&["check", "with-id.dcm"]).0, 1);
}

/// A whole data set in dcmtk's text forms (`dcmdump`'s listing, which `dump2dcm` makes DICOM
/// of again, and `dcm2xml`'s XML, which `xml2dcm` does), and DICOM JSON saved as UTF-32: judged
/// as the file is. Real files that name their patient are refused in every form; the same
/// files scrubbed are accepted in every form.
#[test]
fn text_forms_of_a_data_set_are_judged_as_the_data_set() {
    let test_files =
        python_dir("pydicom; print(os.path.join(os.path.dirname(pydicom.__file__), 'data', 'test_files'))");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("header-only.json"), r#"{"ocr": false}"#).unwrap();
    let policy = dir.path().join("header-only.json").display().to_string();
    let originals = dir.path().join("in");
    std::fs::create_dir(&originals).unwrap();
    for name in ["CT_small.dcm", "MR_small.dcm", "rtplan.dcm", "test-SR.dcm"] {
        std::fs::copy(std::path::Path::new(&test_files).join(name), originals.join(name)).unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_vault"))
        .args(["scrub", "in", "--out", "out", "--key-file", "key", "--policy", &policy])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let forms = dir.path().join("forms");
    std::fs::create_dir(&forms).unwrap();
    let mut made = Vec::new();
    for (kind, folder) in [("original", originals.clone()), ("scrubbed", dir.path().join("out/in"))] {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let file = entry.unwrap().path();
            let stem = format!("{kind}_{}", file.file_stem().unwrap().to_str().unwrap());
            let dump = Command::new("dcmdump").args(["-q", "+L"]).arg(&file).output().unwrap();
            assert!(dump.status.success(), "dcmdump {}", file.display());
            let xml = Command::new("dcm2xml").arg("-q").arg(&file).output().unwrap();
            assert!(xml.status.success(), "dcm2xml {}", file.display());
            let json = Command::new("python3")
                .args(["-c", "import sys, pydicom; sys.stdout.buffer.write(pydicom.dcmread(sys.argv[1]).to_json().encode('utf-32'))"])
                .arg(&file)
                .output()
                .unwrap();
            assert!(json.status.success(), "{}", String::from_utf8_lossy(&json.stderr));
            for (ext, bytes) in [("txt", dump.stdout), ("xml", xml.stdout), ("json", json.stdout)] {
                let path = forms.join(format!("{stem}.{ext}"));
                std::fs::write(&path, bytes).unwrap();
                made.push((kind, path));
            }
        }
    }
    assert_eq!(made.len(), 24);
    let got = Command::new(env!("CARGO_BIN_EXE_vault"))
        .args(["check", "--json", "--policy", &policy])
        .args(made.iter().map(|(_, p)| p))
        .output()
        .unwrap();
    let verdicts: Vec<serde_json::Value> =
        String::from_utf8_lossy(&got.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(verdicts.len(), made.len());
    for ((kind, path), v) in made.iter().zip(&verdicts) {
        let want = if *kind == "original" { "refuse" } else { "accept" };
        assert_eq!(v["verdict"], want, "{}: {v}", path.display());
    }
}

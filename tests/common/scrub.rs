//! Files for `vault scrub`'s tests, and running it: made-up values only.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use super::Vault;
use super::dicom::{seq, text};
use dicom_core::value::{PixelFragmentSequence, Value};
use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
use dicom_dictionary_std::{tags, uids};
use dicom_object::{FileMetaTableBuilder, InMemDicomObject};

pub fn python_dir(expr: &str) -> String {
    let out = Command::new("python3").args(["-c", &format!("import os, {expr}")]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

pub fn real_files() -> [String; 2] {
    [
        python_dir("pydicom; print(os.path.join(os.path.dirname(pydicom.__file__), 'data', 'test_files'))"),
        python_dir("data_store; print(os.path.join(os.path.dirname(data_store.__file__), 'data'))"),
    ]
}

pub fn lines(out: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(out).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

pub fn scrub(v: &Vault, args: &[&str]) -> (i32, Vec<serde_json::Value>, String) {
    let out =
        v.command(&[&["scrub", "--json", "--key-file", "scrub.key"][..], args].concat()).output().unwrap();
    (out.status.code().unwrap_or(-1), lines(&out.stdout), String::from_utf8_lossy(&out.stderr).into_owned())
}

pub fn diff_equal(a: &Path, b: &Path) -> bool {
    Command::new("diff").arg("-r").arg(a).arg(b).output().unwrap().status.success()
}

pub const STUDY: &str = "1.2.826.0.1.3680043.10.999.100";

/// A made-up CT slice of a made-up patient, identified every way the profile acts on.
pub fn slice(n: u32, patient: &str) -> InMemDicomObject {
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

pub fn write(v: &Vault, name: &str, o: InMemDicomObject, ts: &str) {
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

pub fn read(v: &Vault, name: &str) -> dicom_object::DefaultDicomObject {
    dicom_object::open_file(v.path(name)).unwrap()
}

/// The code values of the DeidentificationMethodCodeSequence, in order.
pub fn method_codes(o: &InMemDicomObject) -> Vec<String> {
    let items = o.element(tags::DEIDENTIFICATION_METHOD_CODE_SEQUENCE).unwrap().items().unwrap();
    items.iter().map(|i| value(i, tags::CODE_VALUE).unwrap()).collect()
}

pub fn value(o: &InMemDicomObject, tag: Tag) -> Option<String> {
    o.element(tag)
        .ok()
        .map(|e| e.value().to_str().map(|s| s.trim_end_matches('\0').trim().to_string()).unwrap_or_default())
}

/// A made-up ultrasound frame, 8 bits, 16 x 16, with no BurnedInAnnotation; encapsulated, its
/// one fragment is no JPEG at all (so it cannot be decoded).
pub fn ultrasound(encapsulated: bool) -> InMemDicomObject {
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
pub fn header_only(v: &Vault) -> &'static str {
    std::fs::write(v.path("header-only.json"), r#"{"ocr": false}"#).unwrap();
    "header-only.json"
}

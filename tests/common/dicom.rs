//! Data sets for the gate's and the scrub's tests: made-up values only.
#![allow(dead_code)]

use dicom_core::dictionary::{DataDictionary, DataDictionaryEntry};
use dicom_core::value::{DataSetSequence, Value};
use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
use dicom_dictionary_std::{StandardDataDictionary, tags, uids};
use dicom_object::{FileMetaTableBuilder, InMemDicomObject};

pub fn text(tag: Tag, vr: VR, value: &str) -> DataElement<InMemDicomObject> {
    DataElement::new(tag, vr, PrimitiveValue::from(value))
}

pub fn seq(items: Vec<InMemDicomObject>) -> Value<InMemDicomObject> {
    Value::from(DataSetSequence::from(items))
}

/// A `2.25.` UID, as `vault scrub` writes them (made up from `n`).
pub fn replaced_uid(n: u64) -> String {
    format!("2.25.{}", 100_000_000_000_000_000_000_000_000_000_000u128 + u128::from(n))
}

/// A CT slice that conforms to the basic profile: replaced UIDs, emptied patient attributes,
/// nothing else that identifies.
pub fn conformant() -> InMemDicomObject {
    let mut obj = InMemDicomObject::new_empty();
    obj.put(text(tags::SOP_CLASS_UID, VR::UI, uids::CT_IMAGE_STORAGE));
    obj.put(text(tags::SOP_INSTANCE_UID, VR::UI, &replaced_uid(1)));
    obj.put(text(tags::STUDY_DATE, VR::DA, ""));
    obj.put(text(tags::MODALITY, VR::CS, "CT"));
    obj.put(text(tags::MANUFACTURER, VR::LO, "MADEUP SCANNERS"));
    obj.put(text(tags::PATIENT_NAME, VR::PN, ""));
    obj.put(text(tags::PATIENT_ID, VR::LO, ""));
    obj.put(text(tags::PATIENT_BIRTH_DATE, VR::DA, ""));
    obj.put(text(tags::PATIENT_IDENTITY_REMOVED, VR::CS, "YES"));
    obj.put(text(tags::SLICE_THICKNESS, VR::DS, "1.25"));
    obj.put(text(tags::STUDY_INSTANCE_UID, VR::UI, &replaced_uid(2)));
    obj.put(text(tags::SERIES_INSTANCE_UID, VR::UI, &replaced_uid(3)));
    obj.put(text(tags::SERIES_NUMBER, VR::IS, "3"));
    obj.put(text(tags::IMAGE_TYPE, VR::CS, "ORIGINAL\\PRIMARY\\AXIAL"));
    obj
}

/// The same slice as it came from the scanner: a made-up patient's name, ID and birth date.
pub fn identified() -> InMemDicomObject {
    let mut obj = conformant();
    obj.put(text(tags::SOP_INSTANCE_UID, VR::UI, "1.2.826.0.1.3680043.10.999.1"));
    obj.put(text(tags::PATIENT_NAME, VR::PN, "Madeup^Testpatient"));
    obj.put(text(tags::PATIENT_ID, VR::LO, "MADEUP-0001"));
    obj.put(text(tags::PATIENT_BIRTH_DATE, VR::DA, "19700101"));
    obj
}

/// The options a file declares, in its DeidentificationMethodCodeSequence (CID 7050 codes).
pub fn declare(obj: &mut InMemDicomObject, codes: &[&str]) {
    let items = codes
        .iter()
        .map(|c| {
            InMemDicomObject::from_element_iter([
                text(tags::CODE_VALUE, VR::SH, c),
                text(tags::CODING_SCHEME_DESIGNATOR, VR::SH, "DCM"),
                text(tags::CODE_MEANING, VR::LO, "made-up meaning"),
            ])
        })
        .collect();
    obj.put(DataElement::new(tags::DEIDENTIFICATION_METHOD_CODE_SEQUENCE, VR::SQ, seq(items)));
}

/// A Part 10 file in the transfer syntax `ts`.
pub fn part10(obj: InMemDicomObject, ts: &str) -> Vec<u8> {
    let sop = obj
        .element(tags::SOP_INSTANCE_UID)
        .ok()
        .and_then(|e| e.value().to_str().ok())
        .map(|s| s.to_string())
        .unwrap_or_else(|| replaced_uid(1));
    let file = obj
        .with_meta(
            FileMetaTableBuilder::new()
                .transfer_syntax(ts)
                .media_storage_sop_class_uid(uids::CT_IMAGE_STORAGE)
                .media_storage_sop_instance_uid(sop),
        )
        .unwrap();
    let mut out = Vec::new();
    file.write_all(&mut out).unwrap();
    out
}

/// A data set with no preamble and no meta group.
pub fn raw(obj: &InMemDicomObject, ts: &str) -> Vec<u8> {
    use dicom_encoding::transfer_syntax::TransferSyntaxIndex;
    let ts = dicom_transfer_syntax_registry::TransferSyntaxRegistry.get(ts).unwrap();
    let mut out = Vec::new();
    obj.write_dataset_with_ts(&mut out, ts).unwrap();
    out
}

/// An element by hand in explicit VR little endian (for what writers will not write: a VR the
/// dictionary does not give, an undefined-length UN).
pub fn explicit(tag: (u16, u16), vr: &[u8; 2], value: &[u8]) -> Vec<u8> {
    let long = matches!(
        vr,
        b"OB" | b"OD" | b"OF" | b"OL" | b"OV" | b"OW" | b"SQ" | b"SV" | b"UC" | b"UN" | b"UR" | b"UT" | b"UV"
    );
    let mut out = Vec::new();
    out.extend(tag.0.to_le_bytes());
    out.extend(tag.1.to_le_bytes());
    out.extend(vr);
    if long {
        out.extend([0, 0]);
        out.extend((value.len() as u32).to_le_bytes());
    } else {
        out.extend((value.len() as u16).to_le_bytes());
    }
    out.extend(value);
    out
}

/// An element by hand in implicit VR little endian; `len` u32::MAX for an undefined length.
pub fn implicit(tag: (u16, u16), len: u32, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend(tag.0.to_le_bytes());
    out.extend(tag.1.to_le_bytes());
    out.extend(len.to_le_bytes());
    out.extend(value);
    out
}

/// Elements (explicit VR little endian) made into a Part 10 file with a preamble.
pub fn part10_of(elements: &[u8], preamble: &[u8; 128]) -> Vec<u8> {
    let mut meta = Vec::new();
    meta.extend(explicit((0x0002, 0x0001), b"OB", &[0, 1]));
    meta.extend(explicit((0x0002, 0x0002), b"UI", b"1.2.840.10008.5.1.4.1.1.2\0"));
    meta.extend(explicit((0x0002, 0x0003), b"UI", b"2.25.100000000000000000000000000000001\0"));
    meta.extend(explicit((0x0002, 0x0010), b"UI", b"1.2.840.10008.1.2.1\0"));
    let mut out = preamble.to_vec();
    out.extend(b"DICM");
    out.extend(explicit((0x0002, 0x0000), b"UL", &(meta.len() as u32).to_le_bytes()));
    out.extend(meta);
    out.extend(elements);
    out
}

/// The explicit VR elements of [`conformant`], for files made by hand.
pub fn conformant_elements() -> Vec<u8> {
    raw(&conformant(), "1.2.840.10008.1.2.1")
}

/// The gate's verdict on `bytes` under the default policy.
pub fn verdict(bytes: &[u8]) -> vault::gate::Verdict {
    vault::gate::check(bytes, &vault::gate::Policy::default())
}

pub fn accepted(bytes: &[u8]) -> bool {
    verdict(bytes).accept
}

/// (rule, keyword, where) of every reason.
pub fn reasons(bytes: &[u8]) -> Vec<(&'static str, String, String)> {
    verdict(bytes).reasons.into_iter().map(|r| (r.rule, r.keyword, r.location)).collect()
}

/// Transfer syntaxes.
pub const EXPLICIT: &str = "1.2.840.10008.1.2.1";
pub const IMPLICIT: &str = "1.2.840.10008.1.2";
pub const BIG: &str = "1.2.840.10008.1.2.2";
pub const DEFLATED: &str = "1.2.840.10008.1.2.1.99";

/// The table's rows for single tags outside the meta group: (tag, keyword).
pub fn table_rows() -> Vec<(Tag, String)> {
    let table = include_str!("../../src/gate/annex_e_2026c.tsv");
    table
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            let t = cols[0].trim_matches(|c| c == '(' || c == ')');
            let (g, e) = t.split_once(',')?;
            let tag = Tag(u16::from_str_radix(g, 16).ok()?, u16::from_str_radix(e, 16).ok()?);
            (tag.group() != 0x0002).then(|| (tag, cols.get(3).unwrap_or(&"").to_string()))
        })
        .collect()
}

pub fn dictionary_vr(tag: Tag) -> VR {
    StandardDataDictionary.by_tag(tag).map(|e| e.vr().relaxed()).unwrap_or(VR::LO)
}

/// An element of `tag` holding a made-up identity, in the VR `vr`.
pub fn identity(tag: Tag, vr: VR) -> DataElement<InMemDicomObject> {
    let v = |s: &str| PrimitiveValue::from(s);
    let value = match vr {
        VR::PN => v("Madeup^Person"),
        VR::DA => v("19710203"),
        VR::TM => v("101010"),
        VR::DT => v("19710203101010"),
        VR::AS => v("047Y"),
        VR::IS => v("4711913"),
        VR::DS => v("47.11"),
        VR::UI => v("1.2.826.0.1.3680043.10.999.4711913"),
        VR::AE => v("MADEUP4711913"),
        VR::US | VR::SS => PrimitiveValue::U16(vec![7u16].into()),
        VR::UL | VR::SL => PrimitiveValue::U32(vec![7u32].into()),
        VR::FL | VR::FD => PrimitiveValue::F64(vec![7.0].into()),
        VR::AT => PrimitiveValue::Tags(vec![Tag(0x0010, 0x0010)].into()),
        VR::OB | VR::OW | VR::UN | VR::OF | VR::OD | VR::OL | VR::OV | VR::SV | VR::UV => {
            PrimitiveValue::U8(b"MADEUP PERSON".to_vec().into())
        }
        VR::SQ => {
            let item =
                InMemDicomObject::from_element_iter([text(tags::PATIENT_NAME, VR::PN, "Madeup^Person")]);
            return DataElement::new(tag, VR::SQ, seq(vec![item]));
        }
        _ => v("MADEUP PERSON 4711913"),
    };
    let vr = match (vr, &value) {
        (VR::FL, _) => VR::FD,
        (VR::SS, _) => VR::US,
        (VR::SL, _) => VR::UL,
        (VR::OW | VR::OF | VR::OD | VR::OL | VR::OV | VR::SV | VR::UV, _) => VR::OB,
        (vr, _) => vr,
    };
    DataElement::new(tag, vr, value)
}

/// The same element, empty.
pub fn emptied(tag: Tag, vr: VR) -> DataElement<InMemDicomObject> {
    match vr {
        VR::SQ => DataElement::new(tag, VR::SQ, seq(vec![])),
        _ => DataElement::new(tag, identity(tag, vr).vr(), PrimitiveValue::Empty),
    }
}

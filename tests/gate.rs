//! The gate's law: a DICOM file is accepted only when it conforms to the de-identification
//! profile (PS3.15 Annex E basic profile and the options the policy allows and the file
//! declares), judged by tag wherever the element stands and however it is encoded. Each test
//! is an attack first: a file a real reader shows a made-up identity in, which must be refused;
//! then the conforming twin, which must pass. All names and values here are made up.

mod common;

use std::process::Command;

use common::dicom::*;
use dicom_core::dictionary::{DataDictionary, DataDictionaryEntry};
use dicom_core::value::Value;
use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
use dicom_dictionary_std::{StandardDataDictionary, tags};
use dicom_object::InMemDicomObject;
use vault::gate::{self, Policy, Retain};

const EXPLICIT: &str = "1.2.840.10008.1.2.1";
const IMPLICIT: &str = "1.2.840.10008.1.2";
const BIG: &str = "1.2.840.10008.1.2.2";
const DEFLATED: &str = "1.2.840.10008.1.2.1.99";

fn verdict(bytes: &[u8]) -> gate::Verdict {
    gate::check(bytes, &Policy::default())
}

fn accepted(bytes: &[u8]) -> bool {
    verdict(bytes).accept
}

/// (rule, keyword, where) of every reason.
fn reasons(bytes: &[u8]) -> Vec<(&'static str, String, String)> {
    verdict(bytes).reasons.into_iter().map(|r| (r.rule, r.keyword, r.location)).collect()
}

/// The table's rows for single tags outside the meta group: (tag, keyword).
fn table_rows() -> Vec<(Tag, String)> {
    let table = include_str!("../src/gate/annex_e_2026c.tsv");
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

fn dictionary_vr(tag: Tag) -> VR {
    StandardDataDictionary.by_tag(tag).map(|e| e.vr().relaxed()).unwrap_or(VR::LO)
}

/// An element of `tag` holding a made-up identity, in the VR `vr`.
fn identity(tag: Tag, vr: VR) -> DataElement<InMemDicomObject> {
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
fn emptied(tag: Tag, vr: VR) -> DataElement<InMemDicomObject> {
    match vr {
        VR::SQ => DataElement::new(tag, VR::SQ, seq(vec![])),
        _ => DataElement::new(tag, identity(tag, vr).vr(), PrimitiveValue::Empty),
    }
}

#[test]
fn the_law_every_attribute_the_table_acts_on_is_refused_with_a_value_and_passes_without() {
    let rows = table_rows();
    assert!(rows.len() > 550, "only {} rows in the table", rows.len());
    let mut missed = Vec::new();
    let mut false_refusals = Vec::new();
    for (tag, keyword) in &rows {
        let vr = dictionary_vr(*tag);
        for encoding in [EXPLICIT, IMPLICIT] {
            let mut dirty = conformant();
            dirty.put(identity(*tag, vr));
            let v = verdict(&part10(dirty, encoding));
            let named = v
                .reasons
                .iter()
                .any(|r| r.tag == format!("({:04X},{:04X})", tag.0, tag.1) || r.keyword == "PatientName");
            if v.accept || !named {
                missed.push(format!("{keyword} {tag} {vr:?} {encoding}: {:?}", v.reasons));
            }
        }
        let mut clean = conformant();
        clean.put(emptied(*tag, vr));
        let v = verdict(&part10(clean, EXPLICIT));
        if !v.accept {
            false_refusals.push(format!("{keyword} {tag} empty: {:?}", v.reasons));
        }
    }
    assert!(missed.is_empty(), "{} table attributes let through:\n{}", missed.len(), missed.join("\n"));
    assert!(
        false_refusals.is_empty(),
        "{} empty attributes refused:\n{}",
        false_refusals.len(),
        false_refusals.join("\n")
    );
    // The conforming slice itself passes in every encoding, raw too.
    for ts in [EXPLICIT, IMPLICIT, BIG, DEFLATED] {
        assert!(accepted(&part10(conformant(), ts)), "{ts}");
        assert!(!accepted(&part10(identified(), ts)), "{ts}");
    }
    for ts in [EXPLICIT, IMPLICIT, BIG] {
        assert!(accepted(&raw(&conformant(), ts)), "raw {ts}");
        assert!(!accepted(&raw(&identified(), ts)), "raw {ts}");
    }
}

/// A deflated data set's stream ends where the inflater says; readers (dcmdump, pydicom) stop
/// there. Bytes after it — an identified data set, a name — are read by nobody and kept by every
/// copy: refused. What writers put there (one NUL of padding; a gzip trailer with the stream's
/// CRC-32 and length, as pydicom's own test file has) is not.
#[test]
fn bytes_after_a_deflated_data_set_are_refused_and_a_writers_trailer_is_not() {
    let clean = part10(conformant(), DEFLATED);
    assert!(accepted(&clean));
    // Where the deflated stream starts: after the meta group (explicit VR little endian).
    let data_at = {
        let len = u32::from_le_bytes(clean[140..144].try_into().unwrap()) as usize;
        144 + len
    };
    let inflated = {
        use std::io::Read;
        let mut out = Vec::new();
        flate2::read::DeflateDecoder::new(&clean[data_at..]).read_to_end(&mut out).unwrap();
        out
    };
    let with = |tail: &[u8]| [&clean[..], tail].concat();
    assert!(!accepted(&with(&raw(&identified(), EXPLICIT))), "an identified data set after the stream");
    assert!(!accepted(&with(b"\x10\x00\x10\x00PN\x0c\x00Madeup^Zelda")), "a name after the stream");
    assert!(!accepted(&with(&[0, 0])), "two bytes of padding are not padding");
    assert!(accepted(&with(&[0])), "one NUL pads the stream");
    let mut crc = flate2::Crc::new();
    crc.update(&inflated);
    let trailer = [crc.sum().to_le_bytes(), (inflated.len() as u32).to_le_bytes()].concat();
    assert!(accepted(&with(&trailer)), "a gzip trailer that matches");
    assert!(accepted(&with(&[&trailer[..], &[0]].concat())), "a gzip trailer, padded");
    let mut wrong = trailer.clone();
    wrong[0] ^= 1;
    assert!(!accepted(&with(&wrong)), "eight bytes that are not the stream's trailer");
}

#[test]
fn a_name_is_a_name_in_any_vr_at_any_depth_and_after_the_pixel_data() {
    // Person names the table does not name, written as LO, SH, UT, UN.
    for vr in [VR::PN, VR::LO, VR::SH, VR::UT, VR::UN, VR::UC] {
        for tag in [tags::REFERRING_PHYSICIAN_NAME, tags::OPERATORS_NAME, tags::PERFORMING_PHYSICIAN_NAME] {
            let mut obj = conformant();
            let value = PrimitiveValue::from("Madeup Referrer");
            obj.put(DataElement::new(tag, vr, value));
            for ts in [EXPLICIT, BIG] {
                assert!(!accepted(&part10(obj.clone(), ts)), "{tag} as {vr:?} in {ts}");
            }
        }
    }
    // Three sequences deep, in an SR's content.
    let mut inner = InMemDicomObject::new_empty();
    inner.put(text(tags::TEXT_VALUE, VR::UT, "seen with Madeup Person"));
    let mut middle = InMemDicomObject::new_empty();
    middle.put(DataElement::new(tags::CONTENT_SEQUENCE, VR::SQ, seq(vec![inner])));
    let mut obj = conformant();
    obj.put(DataElement::new(tags::CONTENT_SEQUENCE, VR::SQ, seq(vec![middle])));
    let found = reasons(&part10(obj, EXPLICIT));
    assert_eq!(
        found,
        [("free-text", "TextValue".to_string(), "ContentSequence[0]/ContentSequence[0]/".to_string())]
    );
    // After the pixel data.
    let mut obj = conformant();
    obj.put(DataElement::new(tags::PIXEL_DATA, VR::OW, PrimitiveValue::U16(vec![0u16; 16].into())));
    obj.put(text(Tag(0xFFFA, 0xFFFA), VR::SQ, ""));
    obj.put(DataElement::new(
        Tag(0xFFFC, 0xFFFC),
        VR::OB,
        PrimitiveValue::U8(b"Madeup Person ".to_vec().into()),
    ));
    assert!(!accepted(&part10(obj, EXPLICIT)), "a name in the trailing padding");
}

#[test]
fn free_text_only_under_clean_descriptors_and_never_identity_shaped() {
    let with = |desc: &str, codes: &[&str]| {
        let mut obj = conformant();
        obj.put(text(tags::SERIES_DESCRIPTION, VR::LO, desc));
        obj.put(text(tags::CONTENT_DESCRIPTION, VR::LO, "AXIAL"));
        declare(&mut obj, codes);
        part10(obj, EXPLICIT)
    };
    // The basic profile removes descriptions.
    let basic = reasons(&with("AXIAL 5MM", &["113100"]));
    assert_eq!(basic[0].0, "identifying-attribute");
    assert!(basic.iter().any(|r| r.1 == "ContentDescription"));
    // Declared and allowed: kept, if nothing in them is identity-shaped.
    assert!(accepted(&with("AXIAL 5MM", &["113100", "113105"])));
    for shaped in
        ["Madeup^Person", "Name: Madeup Person", "DOB 03/02/1971", "MRN 4711913", "call 020 7946 0000"]
    {
        let r = reasons(&with(shaped, &["113100", "113105"]));
        assert_eq!(r.len(), 1, "{shaped}: {r:?}");
        assert_eq!(r[0].0, "identity-in-text", "{shaped}");
    }
    // Spelt out so that no colon, digit run or caret shows it: a name label in a sentence,
    // numbers in words, letters spaced apart, letters for digits, a month in Roman numerals.
    for spelt in [
        "Pt name Zelda Madeup",
        "Madeup, born on the third of February 1971",
        "MADEUP, ZELDA born 3rd of Feb. nineteen seventy-one",
        "hospital no. four seven one one nine one three",
        "Zelda Madeup, M R N 4 7 1 1 9 1 3",
        "Zelda Madeup O3.O2.l97l",
        "Madeup/Zelda 3.II.1971",
    ] {
        let r = reasons(&with(spelt, &["113100", "113105"]));
        assert!(r.iter().any(|r| r.0 == "identity-in-text"), "{spelt}: {r:?}");
    }
    // The same text escaped as the web, e-mail and program text escape it: percent-encoding
    // (twice over too, and `+` for a space), quoted-printable, HTML and XML character
    // references, and the escapes of C, JSON and Python strings. A reader shows what they stand for.
    for escaped in [
        "Madeup%5EPerson",
        "Name%3A%20Madeup%20Person",
        "Name%253A%2520Madeup",
        "MRN%3A+4711913",
        "Madeup=5EPerson",
        "Name=3A=20Madeup",
        "Madeup&#94;Person",
        "Madeup&#x5e;Person",
        "Name&colon; Madeup",
        "Madeup&Hat;Person",
        "DOB&#58; 03&#47;02&#47;1971",
    ] {
        let r = reasons(&with(escaped, &["113100", "113105"]));
        assert!(r.iter().any(|r| r.0 == "identity-in-text"), "{escaped}: {r:?}");
        assert!(gate::check_name(escaped).is_some(), "a name {escaped}");
    }
    // Disguised as a person reads past it: letters that show nothing inside a label (a zero-width
    // space, a soft hyphen, a word joiner), Cyrillic letters that look like Latin ones, a
    // combining accent, mathematical bold letters, a modifier circumflex for the caret, a ratio
    // sign for the colon, a no-break space.
    for disguised in [
        "N\u{200B}ame: Madeup Person",
        "Na\u{00AD}me: Madeup Person",
        "M\u{2060}RN 4711913",
        "\u{041C}RN: 4711913",
        "Na\u{0301}me: Madeup",
        "\u{1D40D}\u{1D41A}\u{1D426}\u{1D41E}: Madeup",
        "Madeup\u{02C6}Person",
        "Name\u{2236} Madeup",
        "Name:\u{00A0}Madeup",
    ] {
        let mut obj = conformant();
        obj.put(text(tags::SPECIFIC_CHARACTER_SET, VR::CS, "ISO_IR 192"));
        obj.put(text(tags::SERIES_DESCRIPTION, VR::LO, disguised));
        declare(&mut obj, &["113100", "113105"]);
        let r = reasons(&part10(obj, EXPLICIT));
        assert!(r.iter().any(|r| r.0 == "identity-in-text"), "{}: {r:?}", disguised.escape_unicode());
        assert!(gate::check_name(disguised).is_some(), "a name {}", disguised.escape_unicode());
    }
    // A description that is base64: of a name (a decoder shows it), of a whole file.
    use base64::Engine;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    for (what, encoded) in
        [("a name", b64(b"Madeup^Person 19710203")), ("a file", b64(&part10(conformant(), EXPLICIT)))]
    {
        let mut obj = conformant();
        obj.put(text(tags::IMAGE_COMMENTS, VR::LT, &encoded));
        declare(&mut obj, &["113100", "113105"]);
        let r = reasons(&part10(obj, EXPLICIT));
        assert!(r.iter().any(|r| r.0 == "identity-in-text"), "{what} in base64: {r:?}");
    }
    // In a DICOM value a backslash parts values; in a name it may escape.
    for escaped in ["Madeup\\x5EPerson", "Madeup\\u005ePerson", "Name\\x3a Madeup"] {
        assert!(gate::check_name(escaped).is_some(), "a name {escaped}");
    }
    // Descriptions with a percent or an equals sign in them are no escapes.
    for plain in [
        "CONTRAST 50% 5MM",
        "KV=120 MAS=250",
        "A&B VIEW",
        "RATIO=3A",
        "First pass, two phase liver",
        "I-131 whole body 3 of 5",
    ] {
        assert!(accepted(&with(plain, &["113100", "113105"])), "{plain}");
    }
    // Declared but not allowed by the policy: refused, and the reason says which option.
    let strict = Policy { options: vec![], ..Policy::default() };
    let v = gate::check(&with("AXIAL 5MM", &["113100", "113105"]), &strict);
    assert!(!v.accept);
    assert_eq!(v.reasons[0].option, None, "the policy does not allow the option: none offered");
    let v = gate::check(&with("AXIAL 5MM", &["113100"]), &Policy::default());
    assert_eq!(v.reasons[0].option, Some(Retain::CleanDescriptors));
    assert!(v.reasons[0].fix().contains("--retain clean-descriptors"), "{}", v.reasons[0].fix());
    // Kept text that is not a description may still not hold a name in DICOM's form.
    let mut obj = conformant();
    obj.put(text(tags::MANUFACTURER, VR::LO, "Madeup^Person"));
    assert_eq!(reasons(&part10(obj, EXPLICIT))[0].0, "identity-in-text");
}

#[test]
fn options_count_where_the_policy_allows_them_and_the_file_declares_them() {
    let dated = |codes: &[&str]| {
        let mut obj = conformant();
        obj.put(text(tags::STUDY_DATE, VR::DA, "20170512"));
        obj.put(text(tags::PATIENT_AGE, VR::AS, "047Y"));
        obj.put(text(tags::LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED, VR::CS, "MODIFIED"));
        declare(&mut obj, codes);
        part10(obj, EXPLICIT)
    };
    assert_eq!(reasons(&dated(&["113100"])).len(), 2, "dates and age without the options");
    assert!(accepted(&dated(&["113100", "113107", "113108"])));
    let r = reasons(&dated(&["113100", "113107"]));
    assert_eq!(r.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(), ["PatientAge"]);
    // A birth date stays refused whatever is declared.
    let mut obj = conformant();
    obj.put(text(tags::PATIENT_BIRTH_DATE, VR::DA, "19710203"));
    declare(&mut obj, &["113100", "113107", "113108", "113109", "113110", "113105"]);
    assert_eq!(reasons(&part10(obj, EXPLICIT))[0].1, "PatientBirthDate");
    // Original UIDs only under Retain UIDs, when the policy allows it.
    let mut obj = conformant();
    obj.put(text(tags::STUDY_INSTANCE_UID, VR::UI, "1.2.826.0.1.3680043.10.999.4711913"));
    declare(&mut obj, &["113100", "113110"]);
    let bytes = part10(obj, EXPLICIT);
    assert_eq!(reasons(&bytes)[0].0, "uid-not-replaced");
    let uids = Policy { options: vec![Retain::Uids], ..Policy::default() };
    assert!(gate::check(&bytes, &uids).accept);
    // A `2.25.` UID's number is a UUID's random bytes: one whose sixteen bytes are text (a birth
    // date and a record number) is no replaced UID.
    let mut obj = conformant();
    let text_uid = format!("2.25.{}", u128::from_be_bytes(*b"19710203MRN47119"));
    obj.put(text(tags::STUDY_INSTANCE_UID, VR::UI, &text_uid));
    declare(&mut obj, &["113100"]);
    assert_eq!(reasons(&part10(obj, EXPLICIT))[0].0, "uid-not-replaced");
    // Patient ID and accession number: the policy's switches alone.
    let mut obj = conformant();
    obj.put(text(tags::PATIENT_ID, VR::LO, "MADEUP-0001"));
    obj.put(text(tags::ACCESSION_NUMBER, VR::SH, "ACC-MADEUP"));
    let bytes = part10(obj, EXPLICIT);
    let found: Vec<_> = reasons(&bytes).into_iter().map(|r| r.0).collect();
    assert_eq!(found, ["accession-number", "patient-id"]);
    let keep = Policy { retain_patient_id: true, retain_accession_number: true, ..Policy::default() };
    assert!(gate::check(&bytes, &keep).accept);
    // A site's dummy is no identity.
    let mut obj = conformant();
    obj.put(text(tags::PATIENT_NAME, VR::PN, "TEACHING^FILE"));
    let bytes = part10(obj, EXPLICIT);
    assert!(!accepted(&bytes));
    let dummy = Policy { dummy_values: vec!["TEACHING^FILE".into()], ..Policy::default() };
    assert!(gate::check(&bytes, &dummy).accept);
}

#[test]
fn private_elements_only_where_the_safe_private_list_names_them() {
    let with_private = |creator: &str, value: &str, vr: VR, codes: &[&str]| {
        let mut obj = conformant();
        obj.put(text(Tag(0x0029, 0x0010), VR::LO, creator));
        obj.put(DataElement::new(Tag(0x0029, 0x1001), vr, PrimitiveValue::from(value)));
        declare(&mut obj, codes);
        part10(obj, EXPLICIT)
    };
    let listed = Policy {
        options: vec![Retain::SafePrivate],
        safe_private: vec![gate::policy::SafePrivate {
            creator: "MADEUP VENDOR".into(),
            group: 0x0029,
            element: 0x01,
        }],
        ..Policy::default()
    };
    // Unlisted, whatever the VR: refused (names, dates, IDs hide in LO, DA, UN alike).
    for vr in [VR::LO, VR::DA, VR::UN, VR::OB, VR::SH] {
        let bytes = with_private("MADEUP VENDOR", "19710203", vr, &["113100", "113111"]);
        assert!(!accepted(&bytes), "{vr:?}");
    }
    let bytes = with_private("MADEUP VENDOR", "120 KV", VR::LO, &["113100", "113111"]);
    assert!(gate::check(&bytes, &listed).accept, "{:?}", gate::check(&bytes, &listed).reasons);
    // Listed, but not declared; or holding a name; or under a creator that is a name.
    assert!(!gate::check(&with_private("MADEUP VENDOR", "120 KV", VR::LO, &["113100"]), &listed).accept);
    assert!(
        !gate::check(&with_private("MADEUP VENDOR", "Madeup^Person", VR::LO, &["113100", "113111"]), &listed)
            .accept
    );
    assert!(
        !gate::check(&with_private("Madeup^Person", "120 KV", VR::LO, &["113100", "113111"]), &listed).accept
    );
    // In implicit VR (no VR at all) and in a sequence's item.
    let mut obj = conformant();
    obj.put(text(Tag(0x0029, 0x0010), VR::LO, "MADEUP VENDOR"));
    obj.put(text(Tag(0x0029, 0x1002), VR::LO, "Madeup Person"));
    assert!(!accepted(&part10(obj.clone(), IMPLICIT)));
    let mut outer = conformant();
    outer.put(DataElement::new(tags::REFERENCED_IMAGE_SEQUENCE, VR::SQ, seq(vec![obj])));
    let r = reasons(&part10(outer, EXPLICIT));
    assert!(r.iter().all(|r| r.0 == "private-element" && r.2 == "ReferencedImageSequence[0]/"), "{r:?}");
}

#[test]
fn sequences_written_as_un_are_read_as_the_sequences_they_are() {
    // Defined length, on a tag the dictionary calls a sequence: the items read in implicit VR.
    let item = implicit((0x0010, 0x0010), 14, b"Madeup^Person ");
    let items = [implicit((0xFFFE, 0xE000), item.len() as u32, &item)].concat();
    let mut elements = conformant_elements();
    elements.extend(explicit((0x0040, 0xA043), b"UN", &items)); // ConceptNameCodeSequence
    let r = reasons(&part10_of(&elements, &[0; 128]));
    assert!(
        r.contains(&("identifying-attribute", "PatientName".into(), "ConceptNameCodeSequence[0]/".into())),
        "{r:?}"
    );
    // Undefined length: read as dcmtk and pydicom do, and a clean one is readable (not refused
    // as unreadable).
    let undefined = |value: &str| {
        let inner = implicit((0x0008, 0x0100), value.len() as u32, value.as_bytes());
        let mut body = implicit((0xFFFE, 0xE000), u32::MAX, &inner);
        body.extend(implicit((0xFFFE, 0xE00D), 0, &[]));
        body.extend(implicit((0xFFFE, 0xE0DD), 0, &[]));
        let mut elements = conformant_elements();
        let mut un = Vec::new();
        un.extend(0x0040u16.to_le_bytes());
        un.extend(0xA043u16.to_le_bytes());
        un.extend(b"UN\0\0");
        un.extend(u32::MAX.to_le_bytes());
        un.extend(body);
        elements.extend(un);
        part10_of(&elements, &[0; 128])
    };
    assert!(accepted(&undefined("121071")), "{:?}", reasons(&undefined("121071")));
    assert_eq!(reasons(&undefined("Madeup^Person"))[0].0, "identity-in-text");
}

#[test]
fn every_reading_a_reader_could_take_is_judged() {
    let dirty_elements = raw(&identified(), EXPLICIT);
    // A preamble that is an empty zip (its end record with a comment that runs to the end):
    // zip tools see an empty archive, DICOM readers a whole file.
    let mut preamble = [0u8; 128];
    preamble[..4].copy_from_slice(b"PK\x05\x06");
    let polyglot = part10_of(&dirty_elements, &preamble);
    assert!(!accepted(&polyglot));
    assert!(reasons(&polyglot).iter().any(|r| r.1 == "PatientName"));
    // A gzip signature in front.
    preamble[..4].copy_from_slice(&[0x1f, 0x8b, 8, 0]);
    assert!(reasons(&part10_of(&dirty_elements, &preamble)).iter().any(|r| r.1 == "PatientName"));
    // A 128-byte preamble without DICM, then the data set.
    let mut no_magic = vec![0u8; 128];
    no_magic.extend(&dirty_elements);
    assert!(reasons(&no_magic).iter().any(|r| r.1 == "PatientName" && r.2.starts_with("@128 ")));
    // Raw data sets that start with the command group, a private group, or out of order.
    for first in [implicit((0x0000, 0x0002), 4, b"1.2\0"), explicit((0x0009, 0x0010), b"LO", b"MADEUP  ")] {
        let mut bytes = first;
        bytes.extend(raw(&identified(), if bytes[4] == b'L' { EXPLICIT } else { IMPLICIT }));
        assert!(reasons(&bytes).iter().any(|r| r.1 == "PatientName"), "{:?}", reasons(&bytes));
    }
    // The same element twice, clean then identified, and identified then clean.
    let name = |v: &str| explicit((0x0010, 0x0010), b"PN", v.as_bytes());
    for pair in [[name("ANONYMOUS "), name("Madeup^Person ")], [name("Madeup^Person "), name("ANONYMOUS ")]] {
        let mut elements = explicit((0x0008, 0x0060), b"CS", b"CT");
        elements.extend(pair.concat());
        let r = reasons(&part10_of(&elements, &[0; 128]));
        assert!(r.iter().any(|r| r.0 == "duplicate-element"), "{r:?}");
        assert!(r.iter().any(|r| r.0 == "identifying-attribute"), "{r:?}");
    }
    // Out of order.
    let mut elements = explicit((0x0010, 0x0040), b"CS", b"F ");
    elements.extend(explicit((0x0008, 0x0060), b"CS", b"CT"));
    assert!(reasons(&part10_of(&elements, &[0; 128])).iter().any(|r| r.0 == "element-out-of-order"));
    // A meta group that says explicit VR over a data set in implicit VR (pydicom reads it).
    let mut meta_says_explicit = part10_of(&[], &[0; 128]);
    meta_says_explicit.extend(raw(&identified(), IMPLICIT));
    assert!(reasons(&meta_says_explicit).iter().any(|r| r.1 == "PatientName"));
    // Identity in the meta group.
    let mut obj = conformant();
    obj.put(text(tags::STUDY_DESCRIPTION, VR::LO, ""));
    let mut bytes = part10(obj, EXPLICIT);
    let at = bytes.windows(4).position(|w| w == [0x02, 0x00, 0x10, 0x00]).unwrap();
    let aet = explicit((0x0002, 0x0016), b"AE", b"MADEUP PERSON ");
    bytes.splice(at..at, aet.iter().copied());
    let group_length = u32::from_le_bytes(bytes[140..144].try_into().unwrap()) + aet.len() as u32;
    bytes[140..144].copy_from_slice(&group_length.to_le_bytes());
    let r = reasons(&bytes);
    assert!(r.iter().any(|r| r.1 == "SourceApplicationEntityTitle"), "{r:?}");
    // A truncated file: what comes before the cut is still read (and the file refused).
    let whole = part10(identified(), EXPLICIT);
    let r = reasons(&whole[..whole.len() - 3]);
    assert!(r.iter().any(|r| r.0 == "unreadable-dicom"));
    let cut_raw = raw(&identified(), EXPLICIT);
    assert!(reasons(&cut_raw[..cut_raw.len() - 3]).iter().any(|r| r.1 == "PatientName"));
}

#[test]
fn dicom_json_and_xml_are_read_as_dicom() {
    let json = r#"[{"00080060": {"vr": "CS", "Value": ["CT"]},
                   "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Madeup^Person"}]}}]"#;
    let r = reasons(json.as_bytes());
    assert_eq!(r[0].1, "PatientName", "{r:?}");
    let clean = r#"{"00080060": {"vr": "CS", "Value": ["CT"]}, "00100010": {"vr": "PN"}}"#;
    assert!(accepted(clean.as_bytes()), "{:?}", reasons(clean.as_bytes()));
    // A key twice (JSON readers keep one or the other).
    let twice =
        r#"{"00100010": {"vr": "PN"}, "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Madeup^Person"}]}}"#;
    assert!(!accepted(twice.as_bytes()));
    // Inline binary: a UN value's bytes.
    let b64 = "TWFkZXVwXlBlcnNvbg=="; // "Madeup^Person"
    let inline = format!(
        r#"{{"00090010": {{"vr": "LO", "Value": ["MADEUP"]}}, "00091001": {{"vr": "UN", "InlineBinary": "{b64}"}}}}"#
    );
    assert!(!accepted(inline.as_bytes()));
    let xml = r#"<?xml version="1.0"?><NativeDicomModel>
        <DicomAttribute tag="00080060" vr="CS" keyword="Modality"><Value number="1">CT</Value></DicomAttribute>
        <DicomAttribute tag="00081115" vr="SQ" keyword="ReferencedSeriesSequence"><Item number="1">
          <DicomAttribute tag="00100010" vr="PN" keyword="PatientName"><PersonName number="1"><Alphabetic>
            <FamilyName>Madeup</FamilyName><GivenName>Person</GivenName></Alphabetic></PersonName></DicomAttribute>
        </Item></DicomAttribute></NativeDicomModel>"#;
    let r = reasons(xml.as_bytes());
    assert!(r.iter().any(|r| r.1 == "PatientName" && r.2 == "ReferencedSeriesSequence[0]/"), "{r:?}");
    // Plain JSON and XML are plain.
    assert!(accepted(br#"{"name": "Madeup Person", "list": [1, 2]}"#));
    assert!(accepted(b"<notes><p>made-up teaching note</p></notes>"));
}

#[test]
fn a_file_that_says_its_identity_was_not_removed_is_refused() {
    // PatientIdentityRemoved NO: the file's writer says it still identifies someone, wherever
    // that is (a name in an attribute the profile keeps has no shape the law can see).
    for said in ["NO", "no ", "No", "N", "YES\\NO"] {
        let mut obj = conformant();
        obj.put(text(tags::PATIENT_IDENTITY_REMOVED, VR::CS, said));
        let rules: Vec<_> = reasons(&part10(obj, EXPLICIT)).into_iter().map(|r| r.0).collect();
        assert_eq!(rules, ["identity-not-removed"], "{said:?}");
    }
    for said in ["YES", "yes", ""] {
        let mut obj = conformant();
        obj.put(text(tags::PATIENT_IDENTITY_REMOVED, VR::CS, said));
        assert!(accepted(&part10(obj, EXPLICIT)), "{said:?}");
    }
}

#[test]
fn burned_in_patient_data_by_the_header() {
    let with_pixels = |modality: &str, burned: Option<&str>, policy: &Policy| {
        let mut obj = conformant();
        obj.put(text(tags::MODALITY, VR::CS, modality));
        if let Some(b) = burned {
            obj.put(text(tags::BURNED_IN_ANNOTATION, VR::CS, b));
        }
        for (tag, v) in [
            (tags::ROWS, 4u16),
            (tags::COLUMNS, 4),
            (tags::SAMPLES_PER_PIXEL, 1),
            (tags::BITS_ALLOCATED, 16),
            (tags::BITS_STORED, 12),
            (tags::HIGH_BIT, 11),
            (tags::PIXEL_REPRESENTATION, 0),
        ] {
            obj.put(DataElement::new(tag, VR::US, PrimitiveValue::from(v)));
        }
        obj.put(text(tags::PHOTOMETRIC_INTERPRETATION, VR::CS, "MONOCHROME2"));
        obj.put(DataElement::new(tags::PIXEL_DATA, VR::OW, PrimitiveValue::U16(vec![0u16; 16].into())));
        gate::check(&part10(obj, EXPLICIT), policy)
    };
    // OCR off: the header decides alone.
    let header = Policy { ocr: false, ..Policy::default() };
    assert_eq!(with_pixels("CT", Some("YES"), &header).reasons[0].rule, "burned-in-annotation");
    assert_eq!(with_pixels("US", None, &header).reasons[0].rule, "burned-in-likely");
    assert_eq!(with_pixels("NM", None, &header).reasons[0].rule, "burned-in-likely");
    assert!(with_pixels("US", Some("NO"), &header).accept, "a redacted ultrasound (BurnedInAnnotation NO)");
    assert!(with_pixels("CT", None, &header).accept);
    // OCR on (the default): a file that says YES is refused whatever its pixels show; one that
    // does not is read, and these pixels show nothing.
    let ocr = Policy::default();
    assert_eq!(with_pixels("CT", Some("YES"), &ocr).reasons[0].rule, "burned-in-annotation");
    assert!(with_pixels("US", None, &ocr).accept, "{:?}", with_pixels("US", None, &ocr).reasons);
    assert!(with_pixels("NM", Some("NO"), &ocr).accept);
}

#[test]
fn plain_files_pass_and_nothing_panics() {
    let image = {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pass"), "a made-up passphrase\n").unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_vault"))
            .args([
                "init",
                "--image",
                "v.img",
                "--size",
                "16M",
                "--passphrase-file",
                "pass",
                "--kdf-time",
                "1",
                "--kdf-memory",
                "1",
            ])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        std::fs::read(dir.path().join("v.img")).unwrap()
    };
    // An image file with no text in it (read by OCR, nothing found).
    let mut png = Vec::new();
    image::GrayImage::from_pixel(64, 48, image::Luma([200]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    for plain in [
        &b"made-up teaching notes\n"[..],
        b"%PDF-1.7\n%made-up\n",
        &[0u8; 0],
        &[0u8; 70000],
        &[0x5a; 4096],
        &png,
        &image,
    ] {
        let v = verdict(plain);
        assert!(v.accept && !v.dicom, "{:?}: {:?}", &plain[..plain.len().min(8)], v.reasons);
    }
    // A PNG that does not decode is refused, named: what a viewer might still show of it is
    // unread.
    let mut broken = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    broken.extend([0u8; 200]);
    assert_eq!(verdict(&broken).reasons[0].rule, "burned-in-unread");
    // Random bytes, and the identified file mutated: never a panic, and random bytes pass.
    let mut x = 0x9e3779b97f4a7c15u64;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut refused = 0;
    for _ in 0..3000 {
        let len = (next() % 3000) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        refused += usize::from(!verdict(&bytes).accept);
    }
    assert!(refused <= 3, "{refused} of 3000 random files refused");
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
    // pydicom does not take, the shapes of identity in kept text, and text in the pixels.
    for s in &stricter {
        assert!(
            [
                "unreadable-dicom",
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

mod property {
    use super::*;
    use proptest::prelude::*;

    /// Harmless, conforming elements random data sets are made of.
    fn harmless(i: u8, n: u32) -> DataElement<InMemDicomObject> {
        match i % 5 {
            0 => text(tags::SLICE_LOCATION, VR::DS, &format!("{}.5", n % 400)),
            1 => text(tags::INSTANCE_NUMBER, VR::IS, &(n % 1000).to_string()),
            2 => text(tags::BODY_PART_EXAMINED, VR::CS, "CHEST"),
            3 => text(tags::KVP, VR::DS, "120"),
            _ => text(tags::CODE_VALUE, VR::SH, "121071"),
        }
    }

    /// A random conforming data set: harmless elements and nested content sequences.
    fn dataset(shape: &[(u8, u32)], depth: usize) -> InMemDicomObject {
        let mut obj = if depth == usize::MAX { InMemDicomObject::new_empty() } else { conformant() };
        for &(i, n) in shape {
            obj.put(harmless(i, n));
        }
        if depth > 0 && depth != usize::MAX {
            let mut item = dataset(shape, usize::MAX);
            if depth > 1 {
                item.put(DataElement::new(
                    tags::CONTENT_SEQUENCE,
                    VR::SQ,
                    seq(vec![dataset(shape, depth - 1)]),
                ));
            }
            obj.put(DataElement::new(tags::CONTENT_SEQUENCE, VR::SQ, seq(vec![item])));
        }
        obj
    }

    /// Puts `element` at nesting level `level` (through ContentSequence).
    fn insert(obj: &mut InMemDicomObject, level: usize, element: DataElement<InMemDicomObject>) {
        if level == 0 {
            obj.put(element);
            return;
        }
        let mut item = obj
            .get(tags::CONTENT_SEQUENCE)
            .and_then(|e| e.value().items())
            .map(|i| i[0].clone())
            .expect("an item");
        insert(&mut item, level - 1, element);
        obj.put(DataElement::new(tags::CONTENT_SEQUENCE, VR::SQ, seq(vec![item])));
    }

    /// The file wrapped as it may arrive: as it is, or in a container.
    fn wrap(bytes: Vec<u8>, how: usize) -> Vec<u8> {
        use std::io::Write;
        match how {
            0 => bytes,
            1 => {
                let mut g = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                g.write_all(&bytes).unwrap();
                g.finish().unwrap()
            }
            2 => {
                let mut out = std::io::Cursor::new(Vec::new());
                let mut z = zip::ZipWriter::new(&mut out);
                z.start_file("study/IM1", zip::write::SimpleFileOptions::default()).unwrap();
                z.write_all(&bytes).unwrap();
                z.finish().unwrap();
                out.into_inner()
            }
            3 => {
                let mut b = tar::Builder::new(Vec::new());
                let mut h = tar::Header::new_ustar();
                h.set_size(bytes.len() as u64);
                h.set_mode(0o644);
                h.set_cksum();
                b.append_data(&mut h, "DICOM/IM1", &bytes[..]).unwrap();
                b.into_inner().unwrap()
            }
            4 => {
                let mut w = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
                w.write_all(&bytes).unwrap();
                w.finish().unwrap()
            }
            _ => {
                let mut w = lz4_flex::frame::FrameEncoder::new(Vec::new());
                w.write_all(&bytes).unwrap();
                w.finish().unwrap()
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// An identifying value in a random attribute of the Annex E table, at a random depth,
        /// in a random VR encoding and transfer syntax, wrapped in a random container: refused,
        /// and the reason names where. Its conforming twin passes.
        #[test]
        fn an_identifying_value_anywhere_in_any_encoding_is_refused(
            shape in prop::collection::vec((any::<u8>(), any::<u32>()), 0..8),
            depth in 0usize..4,
            level_seed in any::<usize>(),
            row_seed in any::<usize>(),
            as_un in any::<bool>(),
            ts in 0usize..4,
            container in 0usize..6,
        ) {
            let rows = table_rows();
            let (tag, keyword) = &rows[row_seed % rows.len()];
            let ts = [IMPLICIT, EXPLICIT, BIG, DEFLATED][ts];
            let base = dataset(&shape, depth);
            let clean = wrap(part10(base.clone(), ts), container);
            let v = gate::check(&clean, &Policy::default());
            prop_assert!(v.accept, "the conforming data set was refused: {:?}", v.reasons);
            let level = level_seed % (depth + 1);
            let vr = dictionary_vr(*tag);
            let mut element = identity(*tag, vr);
            if as_un && vr != VR::SQ {
                let bytes = match element.value() {
                    Value::Primitive(p) => p.to_bytes().into_owned(),
                    _ => unreachable!(),
                };
                element = DataElement::new(*tag, VR::UN, PrimitiveValue::U8(bytes.into()));
            }
            let mut dirty = base;
            insert(&mut dirty, level, element);
            let v = gate::check(&wrap(part10(dirty, ts), container), &Policy::default());
            prop_assert!(!v.accept, "{keyword} accepted at level {level} in {ts}, container {container}");
            let want = format!("({:04X},{:04X})", tag.0, tag.1);
            prop_assert!(
                v.reasons.iter().any(|r| (r.tag == want || r.keyword == "PatientName") && r.location.matches('[').count() >= level),
                "{keyword} at level {level}: {:?}", v.reasons
            );
        }
    }
}

mod containers {
    use std::io::Write;

    use super::*;

    fn zip_of(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut out);
        for (name, data) in members {
            let opts =
                zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
            z.start_file(*name, opts).unwrap();
            z.write_all(data).unwrap();
        }
        z.finish().unwrap();
        out.into_inner()
    }

    fn tar_of(members: &[(&str, Vec<u8>, u8)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, data, kind) in members {
            let mut h = tar::Header::new_old();
            h.set_path(name).unwrap();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_entry_type(tar::EntryType::new(*kind));
            h.set_cksum();
            out.extend(h.as_bytes());
            out.extend(data);
            out.resize(out.len().next_multiple_of(512), 0);
        }
        out.resize(out.len() + 1024, 0);
        out
    }

    fn gzip_of(data: &[u8]) -> Vec<u8> {
        let mut g = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        g.write_all(data).unwrap();
        g.finish().unwrap()
    }

    /// A cpio archive in the "newc" form.
    fn cpio_of(name: &str, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for (n, d) in [(name, data), ("TRAILER!!!", &[][..])] {
            let header = format!(
                "070701{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}",
                1,
                0o100644,
                0,
                0,
                1,
                0,
                d.len(),
                0,
                0,
                0,
                0,
                n.len() + 1,
                0
            );
            out.extend(header.as_bytes());
            out.extend(n.as_bytes());
            out.push(0);
            out.resize(out.len().next_multiple_of(4), 0);
            out.extend(d);
            out.resize(out.len().next_multiple_of(4), 0);
        }
        out
    }

    #[test]
    fn identity_inside_every_container_is_found_and_clean_containers_pass() {
        let dirty = part10(identified(), EXPLICIT);
        let clean = part10(conformant(), EXPLICIT);
        let zipped = zip_of(&[("study/notes.txt", b"made-up".to_vec()), ("study/ct.dcm", dirty.clone())]);
        assert!(reasons(&zipped).iter().any(|r| r.1 == "PatientName" && r.2 == "study/ct.dcm!/"));
        // Bytes in front of a zip (a self-extracting archive): unzip still finds it.
        let mut prefixed = b"#!/bin/sh\necho made-up self-extractor\nexit 0\n".to_vec();
        prefixed.extend(&zipped);
        assert!(reasons(&prefixed).iter().any(|r| r.1 == "PatientName"), "{:?}", reasons(&prefixed));
        // tar inside gzip inside zip.
        let nested = zip_of(&[("study.tar.gz", gzip_of(&tar_of(&[("s/ct.dcm", dirty.clone(), b'0')])))]);
        assert!(
            reasons(&nested).iter().any(|r| r.2 == "study.tar.gz!/(gunzip)!/s/ct.dcm!/"),
            "{:?}",
            reasons(&nested)
        );
        // Old V7 headers (no ustar magic) and member types GNU tar extracts as files.
        for kind in [b'0', b'\0', b'7', b'X', b'A'] {
            let t = tar_of(&[("ct.dcm", dirty.clone(), kind)]);
            assert!(reasons(&t).iter().any(|r| r.1 == "PatientName"), "type {kind}");
        }
        let cpio = cpio_of("DICOM/IM1", &dirty);
        assert!(reasons(&cpio).iter().any(|r| r.1 == "PatientName" && r.2 == "DICOM/IM1!/"));
        let mut ar = ar::Builder::new(Vec::new());
        ar.append(&ar::Header::new(b"ct.dcm".to_vec(), dirty.len() as u64), &dirty[..]).unwrap();
        let ar = ar.into_inner().unwrap();
        assert!(reasons(&ar).iter().any(|r| r.1 == "PatientName"));
        let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        bz.write_all(&dirty).unwrap();
        assert!(reasons(&bz.finish().unwrap()).iter().any(|r| r.1 == "PatientName"));
        // Containers vault does not open are refused, named.
        let mut seven = b"7z\xBC\xAF\x27\x1C\0\x04".to_vec();
        seven.extend([0u8; 64]);
        let r = verdict(&seven);
        assert!(!r.accept && r.reasons[0].rule == "unsupported-container" && r.reasons[0].detail == "7z");
        for (name, head) in
            [("lzop", &b"\x89LZO\0\r\n\x1a\n\x10\x30"[..]), ("lha", b"\x2a\x15-lh5-\x10\0\0\0")]
        {
            let mut file = head.to_vec();
            file.extend([0u8; 64]);
            let r = verdict(&file);
            assert!(!r.accept && r.reasons[0].detail == name, "{name}: {r:?}");
        }
        // Clean ones pass.
        assert!(accepted(&zip_of(&[("ct.dcm", clean.clone()), ("n.txt", b"made-up".to_vec())])));
        assert!(accepted(&gzip_of(&tar_of(&[("ct.dcm", clean.clone(), b'0')]))));
        assert!(accepted(&cpio_of("ct.dcm", &clean)));
    }

    /// Bytes no reader takes for anything (made-up, the same each run).
    fn noise(len: usize, seed: u8) -> Vec<u8> {
        let mut out = vec![0u8; len];
        blake3::Hasher::new().update(&[seed]).finalize_xof().fill(&mut out);
        out
    }

    /// A container part way into other bytes (after a made-up header, before a made-up tail), as a
    /// file carver (binwalk, foremost, `7z` when it scans) takes it out: opened where it starts,
    /// what decodes counts — a stream cut short gives what it decoded — and a format vault does
    /// not open is refused. Noise, and the same containers holding a clean file, pass.
    #[test]
    fn containers_part_way_into_other_bytes_are_opened_as_a_carver_would() {
        let dirty = part10(identified(), EXPLICIT);
        let clean = part10(conformant(), EXPLICIT);
        let inside = |container: &[u8], seed: u8| {
            let mut out = noise(70_001, seed);
            out.extend(container);
            out.extend(noise(70_003, seed + 1));
            out
        };
        let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        bz.write_all(&dirty).unwrap();
        let bz = bz.finish().unwrap();
        let mut cut_gzip = gzip_of(&dirty);
        cut_gzip.truncate(cut_gzip.len() - 12);
        let zipped = zip_of(&[("a/notes.txt", b"made-up".to_vec()), ("a/ct.dcm", dirty.clone())]);
        let cases: [(&str, Vec<u8>); 6] = [
            ("a zip with bytes before and after it", inside(&zipped, 1)),
            ("a gzip stream", inside(&gzip_of(&dirty), 3)),
            ("a gzip stream cut short", inside(&cut_gzip, 5)),
            ("a tar at an offset no block starts at", inside(&tar_of(&[("ct.dcm", dirty.clone(), b'0')]), 7)),
            ("a bzip2 stream", inside(&bz, 9)),
            ("a gzip inside a clean file's pixel data", {
                let mut with = part10(conformant(), EXPLICIT);
                let mut pixels = noise(4_000, 11);
                pixels.extend(gzip_of(&dirty));
                pixels.resize(pixels.len().next_multiple_of(2), 0);
                with.extend([0xE0, 0x7F, 0x10, 0x00, b'O', b'B', 0, 0]);
                with.extend((pixels.len() as u32).to_le_bytes());
                with.extend(pixels);
                with
            }),
        ];
        let door = |bytes: &[u8]| {
            gate::door::check_in_memory(bytes, &Policy::default(), &gate::burned::Sight::system())
        };
        for (what, bytes) in &cases {
            let r = reasons(bytes);
            assert!(r.iter().any(|r| r.1 == "PatientName"), "{what}: {r:?}");
            // The doors look at a plain file's head and tail first: what hides in its middle
            // still reaches the gate.
            assert!(!door(bytes).accept, "{what}: passed a door");
        }
        // A Part 10 file itself in the middle of other bytes.
        let hidden = inside(&dirty, 20);
        assert!(!door(&hidden).accept && reasons(&hidden).iter().any(|r| r.1 == "PatientName"));
        // The reviewer's ways past the first cut: a file whose first bytes a zlib guess takes;
        // an empty zip end record at the end; a zip written as a stream (sizes after the data).
        let mut guessed = b"\x78\x01\xFF".to_vec();
        guessed.extend(inside(&zipped, 23));
        let mut ended = inside(&zipped, 25);
        ended.extend(b"PK\x05\x06");
        ended.extend([0u8; 18]);
        let mut streamed = zip::ZipWriter::new_stream(Vec::new());
        let opts =
            zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        streamed.start_file("ct.dcm", opts).unwrap();
        streamed.write_all(&dirty).unwrap();
        let streamed = inside(&streamed.finish().unwrap().into_inner(), 27);
        for (what, bytes) in
            [("a zlib guess first", &guessed), ("an end record last", &ended), ("a streamed zip", &streamed)]
        {
            assert!(!verdict(bytes).accept && !door(bytes).accept, "{what}");
        }
        // Escapes over escapes, a megabyte of them: read a few rounds deep, in time.
        let mut deep = "%".to_string();
        deep.push_str(&"25".repeat(500_000));
        deep.push_str("5E");
        let started = std::time::Instant::now();
        let _ = gate::check_name(&format!("Madeup{deep}Person"));
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
        // A 7z start header (its check right), part way in: refused, named. The signature alone
        // (a constant in a program that reads 7z) is not an archive.
        let mut seven = b"7z\xBC\xAF\x27\x1C\0\x04".to_vec();
        let next_header = noise(20, 13);
        let mut crc = flate2::Crc::new();
        crc.update(&next_header);
        seven.extend(crc.sum().to_le_bytes());
        seven.extend(&next_header);
        let mut constant = b"7z\xBC\xAF\x27\x1C\0\x04".to_vec();
        constant.extend(noise(24, 24));
        assert!(accepted(&inside(&constant, 26)));
        let r = verdict(&inside(&seven, 14));
        assert!(
            r.reasons.iter().any(|r| r.rule == "unsupported-container" && r.detail == "7z"),
            "{:?}",
            r.reasons
        );
        for (what, bytes) in [
            ("noise", noise(1 << 20, 15)),
            ("a clean zip inside", inside(&zip_of(&[("ct.dcm", clean.clone())]), 16)),
            ("a clean gzip inside", inside(&gzip_of(&clean), 18)),
            // gzip's signature by chance (speckle holds one every hundred megabytes or so), its
            // flags saying an extra field, text there, and no stream after it: no container.
            ("a gzip signature by chance", {
                let mut chance = b"\x1f\x8b\x08\x04\0\0\0\0\0\x03\x10\0made-up text ok!".to_vec();
                chance.extend([0xFF; 64]);
                inside(&chance, 22)
            }),
        ] {
            let v = verdict(&bytes);
            assert!(v.accept && door(&bytes).accept, "{what}: {:?}", v.reasons);
        }
    }

    /// `gap` put before the zip's `member`-th local header, the offsets after it moved on: a
    /// zip every reader opens (`unzip` warns of extra bytes) with bytes no member holds.
    fn zip_with_gap(zip: &[u8], member: usize, gap: &[u8]) -> Vec<u8> {
        let u32_at = |b: &[u8], at: usize| u32::from_le_bytes(b[at..at + 4].try_into().unwrap());
        let u16_at = |b: &[u8], at: usize| usize::from(u16::from_le_bytes(b[at..at + 2].try_into().unwrap()));
        let end = zip.len() - 22;
        assert_eq!(&zip[end..end + 4], b"PK\x05\x06");
        let directory = u32_at(zip, end + 16) as usize;
        let (mut tail, mut at, mut index) = (zip[directory..].to_vec(), 0, 0);
        let mut gap_at = directory;
        while tail[at..].starts_with(b"PK\x01\x02") {
            let header = u32_at(&tail, at + 42);
            if index == member {
                gap_at = header as usize;
            }
            if index >= member {
                tail[at + 42..at + 46].copy_from_slice(&(header + gap.len() as u32).to_le_bytes());
            }
            at += 46 + u16_at(&tail, at + 28) + u16_at(&tail, at + 30) + u16_at(&tail, at + 32);
            index += 1;
        }
        let record = tail.len() - 22 + 16;
        tail[record..record + 4].copy_from_slice(&((directory + gap.len()) as u32).to_le_bytes());
        let mut out = zip[..gap_at].to_vec();
        out.extend(gap);
        out.extend(&zip[gap_at..directory]);
        out.extend(tail);
        out
    }

    /// Bytes an archive's reader skips and a carver reads: between a zip's members, before its
    /// central directory, and in the padding of a tar member's last block. Each is read as a file
    /// of its own; noise and zeros there pass.
    #[test]
    fn bytes_an_archive_skips_between_its_members_are_read() {
        let dirty = part10(identified(), EXPLICIT);
        let hidden = gzip_of(&dirty);
        let zipped = zip_of(&[("a/notes.txt", b"made-up".to_vec()), ("a/more.txt", b"made-up too".to_vec())]);
        let mut gap = noise(301, 31);
        gap.extend(&hidden);
        for (what, bytes) in [
            ("between two members", zip_with_gap(&zipped, 1, &gap)),
            ("before the central directory", zip_with_gap(&zipped, 2, &gap)),
        ] {
            let unzipped = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap().len();
            assert_eq!(unzipped, 2, "{what}: not a zip a reader opens");
            let r = reasons(&bytes);
            assert!(r.iter().any(|r| r.1 == "PatientName"), "{what}: {r:?}");
        }
        let mut tarred = tar_of(&[("a.txt", b"m".to_vec(), b'0'), ("b.txt", b"made-up".to_vec(), b'0')]);
        assert!(hidden.len() < 511, "the gzip fits no padding: {} bytes", hidden.len());
        tarred[513..513 + hidden.len()].copy_from_slice(&hidden);
        assert_eq!(tar::Archive::new(&tarred[..]).entries().unwrap().count(), 2);
        let r = reasons(&tarred);
        assert!(r.iter().any(|r| r.1 == "PatientName"), "tar padding: {r:?}");
        for (what, bytes) in [
            ("noise between members", zip_with_gap(&zipped, 1, &noise(4_000, 32))),
            ("zeros between members", zip_with_gap(&zipped, 1, &[0; 4_000])),
            (
                "a clean gzip between members",
                zip_with_gap(&zipped, 1, &gzip_of(&part10(conformant(), EXPLICIT))),
            ),
        ] {
            let v = verdict(&bytes);
            assert!(v.accept, "{what}: {:?}", v.reasons);
        }
    }

    /// A Part 10 file's data set alone (explicit VR little endian): its bytes after the meta group.
    fn raw_of(part10: &[u8]) -> Vec<u8> {
        assert_eq!(&part10[132..138], b"\x02\x00\x00\x00UL");
        let meta = u32::from_le_bytes(part10[140..144].try_into().unwrap()) as usize;
        part10[144 + meta..].to_vec()
    }

    /// A raw data set (no preamble, no `DICM`) part way into other bytes — after noise, a byte, a
    /// line of text, in a clean file's pixel data — as pydicom's `read_dataset` reads it given the
    /// offset: judged from its patient elements. Bytes that hold a patient element's header by
    /// chance (16-bit pixels) and a clean data set in noise pass.
    #[test]
    fn raw_data_sets_part_way_into_other_bytes_are_read() {
        let dirty = raw_of(&part10(identified(), EXPLICIT));
        let door = |bytes: &[u8]| {
            gate::door::check_in_memory(bytes, &Policy::default(), &gate::burned::Sight::system())
        };
        let around = |prefix: Vec<u8>, set: &[u8]| {
            let mut out = prefix;
            out.extend(set);
            out.extend(noise(2_001, 41));
            out
        };
        let in_pixels = {
            let mut with = part10(conformant(), EXPLICIT);
            let mut pixels = noise(4_000, 42);
            pixels.extend(&dirty);
            pixels.resize(pixels.len().next_multiple_of(2), 0);
            with.extend([0xE0, 0x7F, 0x10, 0x00, b'O', b'B', 0, 0]);
            with.extend((pixels.len() as u32).to_le_bytes());
            with.extend(pixels);
            with
        };
        for (what, bytes) in [
            ("after noise", around(noise(1_001, 43), &dirty)),
            ("after one byte", around(vec![0], &dirty)),
            ("after a line of text", around(b"Exported record follows:\n".to_vec(), &dirty)),
            ("in a clean file's pixel data", in_pixels),
        ] {
            let r = reasons(&bytes);
            assert!(r.iter().any(|r| r.1 == "PatientName"), "{what}: {r:?}");
            assert!(!door(&bytes).accept, "{what}: passed a door");
        }
        let mut sixteen_bit = Vec::new();
        for i in 0..100_000u32 {
            sixteen_bit.extend([16, 0, 16, 0, (i % 7) as u8, 0, 0, 0]);
        }
        for (what, bytes) in [
            ("16-bit pixels holding the header's bytes", sixteen_bit),
            ("a clean data set in noise", around(noise(1_001, 44), &raw_of(&part10(conformant(), EXPLICIT)))),
        ] {
            let v = verdict(&bytes);
            assert!(v.accept && door(&bytes).accept, "{what}: {:?}", v.reasons);
        }
    }

    #[test]
    fn container_bombs_are_refused_not_expanded() {
        let bomb = gzip_of(&vec![0u8; 200 << 20]);
        let started = std::time::Instant::now();
        let v = verdict(&bomb);
        assert!(!v.accept);
        let bound = |rule: &str| matches!(rule, "archive-ratio" | "archive-too-large");
        assert!(bound(v.reasons[0].rule), "{:?}", v.reasons);
        let zip_bomb = zip_of(&[("zeros", vec![0u8; 256 << 20])]);
        assert!(bound(verdict(&zip_bomb).reasons[0].rule));
        // A zero-filled image a thousandfold smaller zipped is no bomb: within 64 MiB it opens.
        assert!(accepted(&zip_of(&[("zeros.img", vec![0u8; 4 << 20])])));
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
        let mut deep = b"made-up".to_vec();
        for _ in 0..6 {
            deep = gzip_of(&deep);
        }
        assert_eq!(verdict(&deep).reasons[0].rule, "archive-depth");
        let mut broken = zip_of(&[("ct.dcm", b"made-up".to_vec())]);
        broken.truncate(20);
        assert!(!accepted(&broken));
        // An lzip header that asks for a 512 MiB dictionary: refused before any allocation.
        let mut lz = b"LZIP\x01\x1d".to_vec();
        lz.extend([0u8; 40]);
        assert_eq!(verdict(&lz).reasons[0].rule, "archive-too-large");
    }

    /// The rules of one verdict, and that none of them holds a made-up value.
    fn named_rules(bytes: &[u8], values: &[&str]) -> Vec<&'static str> {
        let v = verdict(bytes);
        let shown = format!("{:?}", v.reasons);
        for value in values {
            assert!(!shown.contains(value), "a reason holds the value: {shown}");
        }
        v.reasons.iter().map(|r| r.rule).collect()
    }

    /// A name a container carries (a member's path, a link's target, an owner, a gzip's stored
    /// file name, a disc's labels) is judged as kept text: `Family^Given`, a labelled field, a
    /// title and a name are refused, and the reason holds no name. Names of studies as modalities
    /// and viewers write them pass.
    #[test]
    fn names_a_container_carries_are_judged_and_never_shown() {
        let clean = part10(conformant(), EXPLICIT);
        let values = ["Doe", "Jane", "4711913", "1971"];
        let refused = |bytes: &[u8], what: &str| {
            let rules = named_rules(bytes, &values);
            assert!(rules.contains(&"identity-in-name"), "{what}: {rules:?}");
        };
        refused(&zip_of(&[("Doe^Jane/ct.dcm", clean.clone())]), "a zip folder with a person name");
        refused(&zip_of(&[("study/MRN_4711913.dcm", clean.clone())]), "a zip member with a labelled MRN");
        refused(&zip_of(&[("DOB 1971-02-03/", Vec::new())]), "a zip folder with a labelled birth date");
        refused(&tar_of(&[("Doe^Jane/ct.dcm", clean.clone(), b'0')]), "a tar member's name");
        refused(&gzip_of(&tar_of(&[("Mr_Jane_Doe/ct.dcm", clean.clone(), b'0')])), "a title and a name");
        refused(&cpio_of("Patient_Name=Doe/ct.dcm", &clean), "a cpio member's name");
        let mut ar = ar::Builder::new(Vec::new());
        ar.append(&ar::Header::new(b"Doe^Jane".to_vec(), clean.len() as u64), &clean[..]).unwrap();
        refused(&ar.into_inner().unwrap(), "an ar member's name");
        // A tar's owner and a link's target, with a member that is itself clean.
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_ustar();
        h.set_size(clean.len() as u64);
        h.set_mode(0o644);
        h.set_username("Doe^Jane").unwrap();
        h.set_cksum();
        b.append_data(&mut h, "ct.dcm", &clean[..]).unwrap();
        refused(&b.into_inner().unwrap(), "a tar owner");
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        b.append_link(&mut h, "latest", "Doe^Jane/ct.dcm").unwrap();
        refused(&b.into_inner().unwrap(), "a link's target");
        // A gzip's stored file name (`gzip -N` restores it).
        let mut g =
            flate2::GzBuilder::new().filename("Doe^Jane.dcm").write(Vec::new(), flate2::Compression::fast());
        g.write_all(&clean).unwrap();
        refused(&g.finish().unwrap(), "a gzip's file name");
        // A disc's volume label and publisher (genisoimage, as a CD writer makes them).
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("IM1"), &clean).unwrap();
        for opts in [["-V", "DOE^JANE"], ["-publisher", "Name: Jane Doe"]] {
            let iso = dir.path().join("disc.iso");
            let made = Command::new("genisoimage")
                .args(["-quiet", "-o"])
                .arg(&iso)
                .args(opts)
                .arg(dir.path().join("IM1"))
                .status()
                .expect("genisoimage (packaging/install-deps.sh installs it)");
            assert!(made.success());
            refused(&std::fs::read(&iso).unwrap(), opts[0]);
            std::fs::remove_file(&iso).unwrap();
        }
        // The names studies carry: UIDs, series numbers, modality and date folders, IDs that are
        // a viewer's counters.
        for name in [
            "1.2.840.113619.2.55.3.604688119.969.1/1.3.12.2.1107.5.2.dcm",
            "DICOM/PT000000/ST000000/SE000000/IM000000",
            "CT_2024-01-05/Series_003_AX_SOFT/ID-0001.dcm",
            "Teaching/Chest PA (2)/IMG_0001.dcm",
            "export_20240105/Anonymized_case_12/slice_0004.dcm",
        ] {
            let z = zip_of(&[(name, clean.clone())]);
            assert!(accepted(&z), "{name}: {:?}", verdict(&z).reasons);
            assert!(accepted(&tar_of(&[(name, clean.clone(), b'0')])), "{name} in a tar");
        }
        let mut g =
            flate2::GzBuilder::new().filename("IM000001.dcm").write(Vec::new(), flate2::Compression::fast());
        g.write_all(&clean).unwrap();
        assert!(accepted(&g.finish().unwrap()));
    }
}

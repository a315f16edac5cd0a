//! The gate's law: a DICOM file is accepted only when it conforms to the de-identification
//! profile (PS3.15 Annex E basic profile and the options the policy allows and the file
//! declares), judged by tag wherever the element stands and however it is encoded. Each test
//! is an attack first: a file a real reader shows a made-up identity in, which must be refused;
//! then the conforming twin, which must pass. All names and values here are made up.

mod common;

use std::process::Command;

use common::dicom::*;
use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;
use vault::gate::{self, Policy, Retain};

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

/// A description in an 8-bit set its data set declares (ISO_IR 100, Latin-1) is judged as a
/// reader that honours the set shows it: a dictionary's words with their accents pass
/// (adversary round 24 met them refused, judged without their accents or read as Cyrillic); a
/// name no list knows is refused in that reading, and so is the same text where no set is
/// declared (its letters are then a guess).
#[test]
fn a_description_in_a_declared_latin_1_set_is_read_in_it() {
    let with = |set: Option<&str>, latin1: &[u8]| {
        let mut obj = conformant();
        if let Some(set) = set {
            obj.put(text(tags::SPECIFIC_CHARACTER_SET, VR::CS, set));
        }
        obj.put(DataElement::new(
            tags::SERIES_DESCRIPTION,
            VR::LO,
            PrimitiveValue::U8(latin1.to_vec().into()),
        ));
        declare(&mut obj, &["113100", "113105"]);
        part10(obj, EXPLICIT)
    };
    for clean in [
        &b"Ingen lungeemboli p\xe5vist "[..],
        b"Of\xf6r\xe4ndrat j\xe4mf\xf6rt med f\xf6reg\xe5ende unders\xf6kning.",
        b"Pleur\xe1ln\xed v\xfdpotek vlevo ",
    ] {
        let shown = String::from_utf8_lossy(clean);
        assert!(accepted(&with(Some("ISO_IR 100"), clean)), "{shown}");
        assert!(!accepted(&with(None, clean)), "{shown}, no set declared");
    }
    // Refused in the set's reading; and where the set declared does not fit the bytes (Latin-1
    // declared as Cyrillic, Arabic, Hebrew, Thai, Japanese), in the guesses at them too.
    for (set, name) in [
        ("ISO_IR 100", &b"Ingrid S\xf8vdsnes"[..]),
        ("ISO_IR 100", b"Zelda Madeup \xe5r 3"),
        ("ISO_IR 144", b"Seen by Jos\xe9 M\xfcller"),
        ("ISO_IR 127", b"Seen by Jos\xe9 M\xfcller"),
        ("ISO_IR 138", b"Seen by Jos\xe9 M\xfcller"),
        ("ISO_IR 166", b"Seen by Jos\xe9 M\xfcller"),
        ("ISO_IR 13", b"Seen by Jos\xe9 M\xfcller"),
    ] {
        let r = reasons(&with(Some(set), name));
        assert!(
            r.iter().any(|r| r.0 == "identity-in-text"),
            "{set} {}: {r:?}",
            String::from_utf8_lossy(name)
        );
    }
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
    // But not one an ID, a date or a labelled field could be (an adversary's round, 2026-12-06,
    // set a patient's MRN and birth date as dummies): such a dummy counts for nothing, and
    // `vault policy set` refuses it.
    for (tag, vr, value) in [
        (tags::PATIENT_ID, VR::LO, "4711913"),
        (tags::PATIENT_BIRTH_DATE, VR::DA, "19710203"),
        (tags::ISSUER_OF_PATIENT_ID, VR::LO, "943 476 5919"),
        (tags::ISSUER_OF_PATIENT_ID, VR::LO, "03/02/1971"),
        (tags::PATIENT_NAME, VR::PN, "MRN 4711913"),
    ] {
        let mut obj = conformant();
        obj.put(text(tag, vr, value));
        let dummy = Policy { dummy_values: vec![value.into()], ..Policy::default() };
        assert!(!gate::check(&part10(obj, EXPLICIT), &dummy).accept, "{value} as a dummy");
        assert!(gate::unfit_dummy(value).is_some(), "{value}");
    }
    assert_eq!(gate::unfit_dummy("TEACHING^FILE"), None);
    let v = common::Vault::new();
    v.init_image("v.img", "64M");
    let (code, _, err) =
        v.run(&["policy", "set", "v.img", "--passphrase-file", "pass", "--dummy", "19710203"]);
    assert_eq!(code, 2, "a usage error: {err}");
    assert!(err.contains("--dummy") && !err.contains("19710203"), "{err}");
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

/// A preamble that is a TIFF's header whose first directory lies past the file's end (pydicom's
/// CT_small and MR_small keep one): no TIFF reader reads an image or a field there, and the file
/// is judged as the DICOM it is. One whose directory lies inside the file is a TIFF too, and
/// read as an image (here one with no pixels: refused unread).
#[test]
fn a_preamble_that_is_a_tiff_header_pointing_past_the_end_is_no_image() {
    let elements = conformant_elements();
    let mut preamble = [0u8; 128];
    preamble[..8].copy_from_slice(b"II*\0\x54\x18\x08\0");
    let pointing_away = part10_of(&elements, &preamble);
    assert!(accepted(&pointing_away), "{:?}", reasons(&pointing_away));
    preamble[4..8].copy_from_slice(&8u32.to_le_bytes());
    let inside = part10_of(&elements, &preamble);
    assert!(reasons(&inside).iter().any(|r| r.0 == "burned-in-unread"), "{:?}", reasons(&inside));
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
    // Plain JSON and XML are documents: judged by their labels, not as DICOM.
    assert!(accepted(br#"{"course": "neuro", "list": [1, 2]}"#));
    let labelled = reasons(br#"{"name": "Madeup Person", "list": [1, 2]}"#);
    assert!(labelled.iter().all(|r| r.0 == "identity-in-document"), "{labelled:?}");
    assert!(!labelled.is_empty());
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
        put_pixels(&mut obj, 4, PrimitiveValue::U16(vec![0u16; 16].into()));
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

/// Native pixel data that holds a whole frame more than its header declares (an adversary's
/// round, 2026-12-06: an ultrasound saying one frame held two, the second with a name on it):
/// no viewer shows it and OCR does not read it, but a reader of the bytes does. Refused; one
/// frame, a few bytes some writers leave after it, and a frame of one value pass.
#[test]
fn a_frame_more_than_the_header_declares_is_refused() {
    let varied = |n: usize, seed: u32| -> Vec<u8> {
        (0..n as u32).map(|i| (i.wrapping_mul(2_654_435_761) ^ seed) as u8 & 0x0F).collect()
    };
    let with_pixels = |pixels: Vec<u8>| {
        let mut obj = conformant();
        obj.put(text(tags::NUMBER_OF_FRAMES, VR::IS, "1"));
        put_pixels(&mut obj, 16, PrimitiveValue::from(pixels));
        part10(obj, EXPLICIT)
    };
    let frame = varied(512, 1);
    let more = |extra: Vec<u8>| [frame.clone(), extra].concat();
    let v = verdict(&with_pixels(more(varied(512, 2))));
    assert!(!v.accept, "a second frame");
    assert!(v.reasons.iter().any(|r| r.rule == "hidden-text"), "{:?}", v.reasons);
    for (what, pixels) in [
        ("one frame", frame.clone()),
        ("16 bytes after it", more(varied(16, 3))),
        ("a frame of zeros after it", more(vec![0; 512])),
    ] {
        let v = verdict(&with_pixels(pixels));
        assert!(v.accept, "{what}: {:?}", v.reasons);
    }
}

/// A square 12-bit grey image of `side` pixels a side, `pixels` its data.
fn put_pixels(obj: &mut InMemDicomObject, side: u16, pixels: PrimitiveValue) {
    for (tag, v) in [
        (tags::ROWS, side),
        (tags::COLUMNS, side),
        (tags::SAMPLES_PER_PIXEL, 1),
        (tags::BITS_ALLOCATED, 16),
        (tags::BITS_STORED, 12),
        (tags::HIGH_BIT, 11),
        (tags::PIXEL_REPRESENTATION, 0),
    ] {
        obj.put(DataElement::new(tag, VR::US, PrimitiveValue::from(v)));
    }
    obj.put(text(tags::PHOTOMETRIC_INTERPRETATION, VR::CS, "MONOCHROME2"));
    obj.put(DataElement::new(tags::PIXEL_DATA, VR::OW, pixels));
}

/// Text a presentation state writes a letter (or a word) to each text object, each placed
/// where it shows (an adversary's finding, 2026-12-06): a viewer draws them side by side and a
/// person reads the line, though no one value says anything. The text objects of a data set
/// are laid out by their boxes or anchors, in their own units, and read as lines, whatever the
/// order the file gives them in or the annotation items they are spread over. Markers and
/// measurements laid out so pass.
#[test]
fn text_objects_are_read_as_a_viewer_lays_them_out() {
    // Letters of 8 × 12 pixels (or a hundredth of the display a letter), at `(x, y)` on.
    let letters = |line: &str, x: f32, y: f32, step: f32| -> Vec<(String, f32, f32)> {
        line.chars()
            .enumerate()
            .filter(|(_, c)| *c != ' ')
            .map(|(i, c)| (c.to_string(), x + i as f32 * step, y))
            .collect()
    };
    let object = |(t, x, y): &(String, f32, f32), anchored: bool| {
        let mut o = InMemDicomObject::new_empty();
        let floats = |tag, v: [f32; 2]| DataElement::new(tag, VR::FL, PrimitiveValue::F32(v.to_vec().into()));
        o.put(text(tags::UNFORMATTED_TEXT_VALUE, VR::ST, t));
        if anchored {
            o.put(text(tags::ANCHOR_POINT_ANNOTATION_UNITS, VR::CS, "DISPLAY"));
            o.put(floats(tags::ANCHOR_POINT, [*x, *y]));
            o.put(text(tags::ANCHOR_POINT_VISIBILITY, VR::CS, "N"));
        } else {
            o.put(text(tags::BOUNDING_BOX_ANNOTATION_UNITS, VR::CS, "PIXEL"));
            o.put(floats(tags::BOUNDING_BOX_TOP_LEFT_HAND_CORNER, [*x, *y]));
            let right = x + 8.0 * t.chars().count() as f32;
            o.put(floats(tags::BOUNDING_BOX_BOTTOM_RIGHT_HAND_CORNER, [right, y + 12.0]));
            o.put(text(tags::BOUNDING_BOX_TEXT_HORIZONTAL_JUSTIFICATION, VR::CS, "LEFT"));
        }
        o
    };
    let annotation = |objects: Vec<InMemDicomObject>| {
        let mut a = InMemDicomObject::new_empty();
        a.put(text(tags::GRAPHIC_LAYER, VR::CS, "L1"));
        a.put(DataElement::new(tags::TEXT_OBJECT_SEQUENCE, VR::SQ, seq(objects)));
        a
    };
    // `spread`: each text object in an annotation item of its own.
    let state = |glyphs: &[(String, f32, f32)], anchored: bool, spread: bool| {
        let objects: Vec<InMemDicomObject> = glyphs.iter().map(|g| object(g, anchored)).collect();
        let items = match spread {
            true => objects.into_iter().map(|o| annotation(vec![o])).collect(),
            false => vec![annotation(objects)],
        };
        let mut obj = conformant();
        obj.put(DataElement::new(tags::GRAPHIC_ANNOTATION_SEQUENCE, VR::SQ, seq(items)));
        declare(&mut obj, &["113100", "113105"]);
        part10(obj, EXPLICIT)
    };
    let mut reversed = letters("MRN 4711913", 40.0, 300.0, 8.0);
    reversed.reverse();
    let words = vec![
        ("Name:".to_string(), 20.0, 20.0),
        ("Madeup".to_string(), 120.0, 21.0),
        ("Zelda".to_string(), 70.0, 19.0),
    ];
    let two_lines =
        [letters("Zelda Madeup", 20.0, 20.0, 8.0), letters("DOB 03/02/1971", 20.0, 34.0, 8.0)].concat();
    for (what, bytes) in [
        ("a letter an object", state(&letters("DOB 03/02/1971", 20.0, 30.0, 8.0), false, false)),
        ("in reverse order", state(&reversed, false, false)),
        ("an annotation item a letter", state(&letters("Name: Zelda Madeup", 20.0, 30.0, 8.0), false, true)),
        ("a word an object", state(&words, false, false)),
        ("anchored, in display units", state(&letters("MRN 4711913", 0.1, 0.2, 0.01), true, false)),
        ("a name over a birth date", state(&two_lines, false, true)),
    ] {
        let v = verdict(&bytes);
        assert!(!v.accept, "{what}");
        assert!(
            v.reasons.iter().any(|r| r.rule == "identity-in-text" && r.keyword == "UnformattedTextValue"),
            "{what}: {:?}",
            v.reasons
        );
    }
    let markers = [("L".to_string(), 5.0, 250.0), ("R".to_string(), 500.0, 250.0)];
    let notes = [letters("arrow", 40.0, 40.0, 8.0), letters("5 mm", 40.0, 60.0, 8.0)].concat();
    let apart = [("AXIAL".to_string(), 10.0, 10.0), ("1971".to_string(), 400.0, 480.0)];
    for (what, bytes) in [
        ("markers apart", state(&markers, false, false)),
        ("a note and a measure", state(&notes, false, true)),
        ("a word and a number far apart", state(&apart, false, false)),
    ] {
        let v = verdict(&bytes);
        assert!(v.accept, "{what}: {:?}", v.reasons);
    }
}

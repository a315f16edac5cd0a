//! Coded strings whose terms the standard lists: a value that is none of them is a word someone
//! wrote there (`Modality` `QUELLMARK`, `SpecificCharacterSet` `ISO_IR Quellmark 4711913`).
//!
//! The lists are written out here from PS3.3 (C.7.3.1.1.1 Modality, C.12.1.1.2 Specific
//! Character Set, C.7.3.1.1.2 Patient Position, C.7.6.3.1.2 Photometric Interpretation,
//! C.7.6.1.1.5 Lossy Image Compression Method, and the enumerated YES/NO, sex and laterality
//! values): dicom-rs's dictionary gives each attribute's VR, not its terms. Retired terms stay
//! listed, since old files carry them. Terms are compared as readers compare them in practice:
//! case, padding and the spelling of separators aside (`ISO-IR 100` is `ISO_IR 100`).

use dicom_core::Tag;
use dicom_dictionary_std::tags;

#[rustfmt::skip]
const MODALITIES: &[&str] = &[
    "ANN", "AR", "ASMT", "AU", "BDUS", "BI", "BMD", "CFM", "CR", "CT", "CTPROTOCOL", "DMS", "DG", "DOC", "DX", "ECG",
    "EEG", "EMG", "EOG", "EPS", "ES", "FID", "GM", "HC", "HD", "IO", "IOL", "IVOCT", "IVUS", "KER", "KO", "LEN",
    "LS", "MG", "MR", "M3D", "NM", "OAM", "OCT", "OP", "OPM", "OPT", "OPTBSV", "OPTENF", "OPV", "OSS", "OT", "PA",
    "PLAN", "POS", "PR", "PT", "PX", "REG", "RESP", "RF", "RG", "RTDOSE", "RTIMAGE", "RTINTENT", "RTPLAN", "RTRAD",
    "RTRECORD", "RTSEGANN", "RTSTRUCT", "RWV", "SEG", "SM", "SMR", "SR", "SRF", "STAIN", "TEXTUREMAP", "TG", "US",
    "VA", "XA", "XAPROTOCOL", "XC",
    // Retired:
    "AS", "CD", "CF", "CP", "CS", "DD", "DF", "DM", "DS", "EC", "FA", "FS", "LP", "MA", "MS", "OPR", "ST", "VF",
];

#[rustfmt::skip]
const CHARACTER_SETS: &[&str] = &[
    "ISO_IR 6", "ISO_IR 100", "ISO_IR 101", "ISO_IR 109", "ISO_IR 110", "ISO_IR 144", "ISO_IR 127", "ISO_IR 126",
    "ISO_IR 138", "ISO_IR 148", "ISO_IR 203", "ISO_IR 13", "ISO_IR 166", "ISO_IR 192", "ISO 2022 IR 6",
    "ISO 2022 IR 100", "ISO 2022 IR 101", "ISO 2022 IR 109", "ISO 2022 IR 110", "ISO 2022 IR 144", "ISO 2022 IR 127",
    "ISO 2022 IR 126", "ISO 2022 IR 138", "ISO 2022 IR 148", "ISO 2022 IR 203", "ISO 2022 IR 13", "ISO 2022 IR 166",
    "ISO 2022 IR 87", "ISO 2022 IR 159", "ISO 2022 IR 149", "ISO 2022 IR 58", "GB18030", "GBK",
    // Not the standard's, written by real writers (pydicom and dwv read them).
    "GB2312", "ISO 2022 IR 165",
];

#[rustfmt::skip]
const PATIENT_POSITIONS: &[&str] = &[
    "HFP", "HFS", "HFDR", "HFDL", "FFDR", "FFDL", "FFP", "FFS", "LFP", "LFS", "RFP", "RFS", "AFDR", "AFDL", "PFDR",
    "PFDL",
];

#[rustfmt::skip]
const PHOTOMETRIC: &[&str] = &[
    "MONOCHROME1", "MONOCHROME2", "PALETTE COLOR", "RGB", "HSV", "ARGB", "CMYK", "YBR_FULL", "YBR_FULL_422",
    "YBR_PARTIAL_422", "YBR_PARTIAL_420", "YBR_ICT", "YBR_RCT", "XYB",
];

#[rustfmt::skip]
const COMPRESSION_METHODS: &[&str] = &[
    "ISO_10918_1", "ISO_14495_1", "ISO_15444_1", "ISO_15444_15", "ISO_13818_2", "ISO_14496_10", "ISO_23008_2",
    "ISO_18181_1",
];

const CONVERSION_TYPES: &[&str] = &["DV", "DI", "DF", "WSD", "SD", "SI", "DRW", "SYN"];

/// The terms an attribute may hold, where the standard lists them (some of its lists may grow: a
/// vendor's own term is refused all the same, and `vault scrub` takes it out).
pub fn terms(tag: Tag) -> Option<&'static [&'static str]> {
    Some(match tag {
        tags::MODALITY | tags::MODALITIES_IN_STUDY => MODALITIES,
        tags::SPECIFIC_CHARACTER_SET => CHARACTER_SETS,
        tags::PATIENT_POSITION => PATIENT_POSITIONS,
        tags::PHOTOMETRIC_INTERPRETATION => PHOTOMETRIC,
        tags::LOSSY_IMAGE_COMPRESSION_METHOD => COMPRESSION_METHODS,
        tags::CONVERSION_TYPE => CONVERSION_TYPES,
        tags::LATERALITY => &["R", "L"],
        tags::IMAGE_LATERALITY | tags::FRAME_LATERALITY => &["R", "L", "U", "B"],
        tags::PATIENT_SEX => &["M", "F", "O"],
        tags::BURNED_IN_ANNOTATION | tags::RECOGNIZABLE_VISUAL_FEATURES | tags::PATIENT_IDENTITY_REMOVED => {
            &["YES", "NO"]
        }
        tags::LOSSY_IMAGE_COMPRESSION => &["00", "01"],
        tags::PRESENTATION_INTENT_TYPE => &["FOR PRESENTATION", "FOR PROCESSING"],
        _ => return None,
    })
}

/// A term as readers compare it: its letters and digits, upper case.
fn key(term: &[u8]) -> impl Iterator<Item = u8> + '_ {
    term.iter().filter(|b| b.is_ascii_alphanumeric()).map(u8::to_ascii_uppercase)
}

/// True when `component` (one value, padding and all) is one of `terms`, or too short to say
/// anything (two letters at most: a sex of `U`, a laterality of `B`, which writers use though
/// the lists have none; not digits, which a date split over values is made of).
pub fn is_term(terms: &[&str], component: &[u8]) -> bool {
    (key(component).nth(2).is_none() && key(component).all(|b| b.is_ascii_alphabetic()))
        || terms.iter().any(|t| key(t.as_bytes()).eq(key(component)))
}

/// True when a value of `tag` holds a component its terms do not list.
pub fn undefined(tag: Tag, value: &[u8]) -> bool {
    terms(tag).is_some_and(|terms| value.split(|&b| b == b'\\').any(|c| !is_term(terms, c)))
}

/// The value with what is no term taken out (a modality none is left of says `OT`, other);
/// None when nothing needed taking out.
pub fn defined_only(tag: Tag, value: &str) -> Option<String> {
    let terms = terms(tag)?;
    if !undefined(tag, value.as_bytes()) {
        return None;
    }
    // An empty value stays where it is: the first of a Specific Character Set says the default.
    let kept: Vec<&str> =
        value.split('\\').filter(|c| c.trim().is_empty() || is_term(terms, c.as_bytes())).collect();
    let none = kept.iter().all(|c| c.trim().is_empty());
    Some(if none && tag == tags::MODALITY { "OT".into() } else { kept.join("\\") })
}

/// Coded strings whose values are numbers: a template's and a context group's identifiers
/// (`10011`, a CT dose report's).
pub fn numbered(tag: Tag) -> bool {
    matches!(tag, tags::TEMPLATE_IDENTIFIER | tags::CONTEXT_IDENTIFIER)
}

/// True when a code holds a run of five digits or more (separators inside it aside): a date, an
/// MRN or an NHS number, where a code is a keyword (`HELICAL_4711913`). The attributes above
/// that list their terms are judged by their lists instead (`ISO_10918_1`, `GB18030`).
pub fn number_in_code(tag: Tag, component: &[u8]) -> bool {
    if terms(tag).is_some() || numbered(tag) {
        return false;
    }
    let mut run = 0;
    let mut longest = 0;
    for (k, &b) in component.iter().enumerate() {
        let inside = matches!(b, b' ' | b'-' | b'/' | b'.' | b'_')
            && run > 0
            && component.get(k + 1).is_some_and(u8::is_ascii_digit);
        if b.is_ascii_digit() {
            run += 1;
        } else if !inside {
            run = 0;
        }
        longest = longest.max(run);
    }
    longest >= 5
}

/// True when a coded string's values, read one after another as a viewer lists them (with a
/// space between, or none), hold a run of five digits or more that no one value holds
/// (`HELICAL\\4711\\913`).
pub fn number_across_values(tag: Tag, value: &[u8]) -> bool {
    value.contains(&b'\\') && {
        let spaced: Vec<u8> = value.iter().map(|&b| if b == b'\\' { b' ' } else { b }).collect();
        let joined: Vec<u8> = value.iter().copied().filter(|&b| b != b'\\').collect();
        number_in_code(tag, &spaced) || number_in_code(tag, &joined)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_compared_as_readers_compare_them_and_words_are_no_terms() {
        assert!(!undefined(tags::MODALITY, b"CT"));
        assert!(!undefined(tags::MODALITY, b"ct "));
        assert!(!undefined(tags::MODALITIES_IN_STUDY, b"CT\\PR\\SR"));
        assert!(!undefined(tags::SPECIFIC_CHARACTER_SET, b"\\ISO 2022 IR 87"));
        assert!(!undefined(tags::SPECIFIC_CHARACTER_SET, b"ISO-IR 100"));
        assert!(!undefined(tags::LOSSY_IMAGE_COMPRESSION_METHOD, b"ISO_10918_1"));
        assert!(undefined(tags::MODALITY, b"MADEUP"));
        assert!(undefined(tags::MODALITIES_IN_STUDY, b"CT\\MADEUP"));
        assert!(undefined(tags::SPECIFIC_CHARACTER_SET, b"ISO_IR MADEUP 4711913"));
        assert!(undefined(tags::PATIENT_SEX, b"MADEUP"));
        assert!(!undefined(tags::PATIENT_SEX, b"U"));
        assert!(!undefined(tags::STUDY_DESCRIPTION, b"anything at all"));
        assert_eq!(defined_only(tags::MODALITY, "MADEUP").as_deref(), Some("OT"));
        assert_eq!(defined_only(tags::MODALITIES_IN_STUDY, "CT\\MADEUP").as_deref(), Some("CT"));
        assert_eq!(defined_only(tags::SPECIFIC_CHARACTER_SET, "ISO_IR MADEUP 4711913").as_deref(), Some(""));
        assert_eq!(defined_only(tags::MODALITY, "MR"), None);
        assert!(number_in_code(tags::SCAN_OPTIONS, b"HELICAL_4711913"));
        assert!(number_in_code(tags::SCAN_OPTIONS, b"DOB 1971-02-03"));
        assert!(!number_in_code(tags::SCAN_OPTIONS, b"HELICAL_1.5\\2024"));
        assert!(!number_in_code(tags::LOSSY_IMAGE_COMPRESSION_METHOD, b"ISO_15444_1"));
        assert!(number_in_code(tags::SCAN_OPTIONS, b"HELICAL_4711_913"));
        assert!(number_across_values(tags::SCAN_OPTIONS, b"HELICAL\\4711\\913"));
        assert!(!number_across_values(tags::SCAN_OPTIONS, b"HELICAL\\AXIAL"));
        assert!(undefined(tags::MODALITIES_IN_STUDY, b"19\\71\\02\\03"));
        assert_eq!(
            defined_only(tags::SPECIFIC_CHARACTER_SET, "\\ISO 2022 IR 87\\MADEUP").as_deref(),
            Some("\\ISO 2022 IR 87")
        );
    }
}

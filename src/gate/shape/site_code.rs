//! A code of a site's own scheme (`99HOSP`, `99RIS`) is a site's own words: what a viewer shows
//! beside it, read as a description is; and a code of any scheme holds that scheme's codes, not
//! a date or someone's number. The gate's law refuses a code item this finds in; the scrub
//! writes CLEANED over the part it names, and its output passes the same test.

use super::{Shape, Strength, find};

/// Coding schemes whose code values are concepts' codes (`121030` in DICOM's own is `Subject
/// ID`, not a subject's): a code of another scheme — a site's own (`99HOSP`) — is a value that
/// its meaning labels.
#[rustfmt::skip]
pub const STANDARD_SCHEMES: &[&str] = &[
    "DCM", "SCT", "SRT", "SNM3", "LN", "UCUM", "UMLS", "RADLEX", "NCIt", "NCIT", "FMA", "MDC",
    "ICD10", "I10", "I9", "I9C", "I10P", "ACR", "HL7", "NEU", "DCMUID", "NICIP", "CPT4", "C4", "C5",
    "ISO3166_1", "ISO639_1", "ISO639_2", "ITIS_TSN", "PUBCHEM_CID", "RXNORM", "ATC", "MSH", "UNS",
    "NBD", "ICDO3", "LOINC", "SNOMED", "IBSI", "BARI", "MAYONRISBSASRG", "PATHLEX", "NYUMCCG",
];

/// The part of a code item that holds identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Value,
    Meaning,
}

/// Where a code item holds identity, and its shape: in any scheme, a value its scheme could not
/// have given ([`not_the_schemes`]: a date, an MRN as a DICOM or SNOMED CT code); and in a
/// site's own scheme (none of [`STANDARD_SCHEMES`]; the scheme may be missing):
/// - its meaning as free text (`Madeup Zelda 1971-02-03`), where a scheme is named and the
///   meaning is not a label alone (a concept's name: `PATIENT`, `Patient ID`);
/// - its value, where the value could be someone's ([`could_be_someones`]), labelled by the
///   scheme's name (`99MRN`: `4711913`) or by its meaning (`Medical record number`: `4711913`),
///   as a viewer shows a code beside them; or an NHS number whatever labels it.
pub fn site_code(
    scheme: Option<&[u8]>,
    value: Option<&[u8]>,
    meaning: Option<&[u8]>,
) -> Option<(Part, Shape)> {
    let scheme = scheme.unwrap_or_default();
    if let Some(shape) = value.and_then(|v| not_the_schemes(scheme, v)) {
        return Some((Part::Value, shape));
    }
    if STANDARD_SCHEMES.iter().any(|s| s.as_bytes() == scheme) {
        return None;
    }
    // A meaning that is a label alone is a concept's name (`PATIENT`, `Patient ID`): its value
    // is what the item says, read below.
    if !scheme.is_empty()
        && let Some(shape) =
            meaning.filter(|m| !super::keys::lone_label(m)).and_then(|m| find(m, Strength::FreeText))
    {
        return Some((Part::Meaning, shape));
    }
    let (value, meaning) = (value?, meaning?);
    // A site's concepts have codes too (`IHE.05`, `Recording Observer's Name`): only a value
    // that could be someone's is read as labelled.
    if !could_be_someones(value) {
        return None;
    }
    if super::nhs::nhs_digits(value) {
        return Some((Part::Value, Shape::IdNumber));
    }
    let named = scheme.strip_prefix(b"99").unwrap_or(scheme);
    [named, meaning]
        .iter()
        .find_map(|label| find(&[label, &b": "[..], value].concat(), Strength::Labels))
        .map(|shape| (Part::Value, shape))
}

/// [`site_code`] of a code item with any number of values (Code Value, Long Code Value, URN Code
/// Value): each value read with the scheme and the meaning, and with none the meaning alone.
/// With the part and shape, the index of the value it was found with (none where the item has
/// no value).
pub fn site_code_of(
    scheme: Option<&[u8]>,
    values: &[&[u8]],
    meaning: Option<&[u8]>,
) -> Option<(Option<usize>, Part, Shape)> {
    if values.is_empty() {
        return site_code(scheme, None, meaning).map(|(part, shape)| (None, part, shape));
    }
    values.iter().enumerate().find_map(|(i, value)| {
        site_code(scheme, Some(value), meaning).map(|(part, shape)| (Some(i), part, shape))
    })
}

/// A code value its scheme could not have given, by what it is instead:
/// - a date written as eight digits (`19710203`), in any scheme — but a SNOMED CT identifier
///   that passes its check (about one date in forty has a concept's partition, and one in ten
///   of those its check digit: one in four hundred passes);
/// - a number of five digits or more as a code of DICOM's own scheme, whose numbered codes have
///   six (`113100`), or of SNOMED CT's, whose identifiers name their partition and end in a
///   check digit ([`sctid`]): `4711913` as either is someone's number.
///
/// Other schemes' numbers are left alone: their codes are numbers of any length (FMA, PubChem).
fn not_the_schemes(scheme: &[u8], value: &[u8]) -> Option<Shape> {
    let v = super::unpadded(value);
    if v.len() < 5 || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let snomed = matches!(scheme, b"SCT" | b"SNOMED");
    if snomed && (sctid(v) || NOT_SCTIDS_IN_PS3_16.contains(&v)) {
        return None;
    }
    if v.len() == 8 && super::numbers::date(v) {
        return Some(Shape::Date);
    }
    let numbered = if scheme == b"DCM" { v.len() != 6 } else { snomed };
    numbered.then_some(Shape::IdNumber)
}

/// SCT codes PS3.16 lists that fail SNOMED CT's check: tools that write the standard's values
/// write them (CID 12325's `115347700`, Serum albumin below reference range).
const NOT_SCTIDS_IN_PS3_16: &[&[u8]] = &[b"115347700"];

/// A SNOMED CT concept's identifier (SNOMED CT's Technical Implementation Guide, "SCTID"): six
/// to eighteen digits, the first not zero; the two before the last name the partition, a
/// concept's `00` (or `10`, with a namespace of seven digits before it); and the last is the
/// Verhoeff check digit of the rest. Written here: the check is a dozen lines, no crate needed.
pub fn sctid(digits: &[u8]) -> bool {
    let n = digits.len();
    (6..=18).contains(&n)
        && digits.iter().all(u8::is_ascii_digit)
        && digits[0] != b'0'
        && (&digits[n - 3..n - 1] == b"00" || (&digits[n - 3..n - 1] == b"10" && n >= 11))
        && verhoeff(digits)
}

/// Verhoeff's check over decimal digits, the last of which is the check digit: each digit is
/// permuted by its place (`P` applied once per place, eight places round), and the results
/// composed in the dihedral group D5 (`D`); the number is whole when they compose to zero.
fn verhoeff(digits: &[u8]) -> bool {
    #[rustfmt::skip]
    const D: [[u8; 10]; 10] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
        [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
        [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3], [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
        [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    ];
    const P: [u8; 10] = [1, 5, 7, 6, 2, 8, 3, 0, 9, 4];
    let sum = digits.iter().rev().enumerate().fold(0u8, |c, (place, &b)| {
        let permuted = (0..place % 8).fold(b - b'0', |x, _| P[usize::from(x)]);
        D[usize::from(c)][usize::from(permuted)]
    });
    sum == 0
}

/// A value that could name or number someone: two words of letters, or five digits or more.
pub fn could_be_someones(value: &[u8]) -> bool {
    let words = value.split(|b| !b.is_ascii_alphabetic()).filter(|w| w.len() >= 2).count();
    words >= 2 || value.iter().filter(|b| b.is_ascii_digit()).count() >= 5
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_code_holding_identity_is_found_in_its_part() {
        let found =
            |s: &str, v: &str, m: &str| site_code(Some(s.as_bytes()), Some(v.as_bytes()), Some(m.as_bytes()));
        assert_eq!(found("99LOCAL", "ZM1", "Madeup Zelda 1971-02-03"), Some((Part::Meaning, Shape::Date)));
        assert_eq!(found("99MRN", "4711913", "CT Chest").map(|f| f.0), Some(Part::Value));
        assert_eq!(found("99HOSP", "4711913", "Medical record number").map(|f| f.0), Some(Part::Value));
        assert_eq!(found("99LOCAL", "9434765919", "CT CHEST"), Some((Part::Value, Shape::IdNumber)));
        assert_eq!(found("99RIS", "CTCAP", "CT CHEST ABDOMEN PELVIS W CONTRAST"), None);
        assert_eq!(found("DCM", "121030", "Subject ID"), None);
        assert_eq!(found("SCT", "12738006", "Madeup Zelda 1971-02-03"), None);
        assert_eq!(found("99RIS", "4711913", "CT Chest"), None);
        assert_eq!(found("99_OFFIS_DCMTK", "IHE.07", "PATIENT"), None);
        // A code value its scheme could not have given.
        assert_eq!(found("SRT", "19710203", "Head"), Some((Part::Value, Shape::Date)));
        assert_eq!(found("99HOSP", "19710203", "CT Head"), Some((Part::Value, Shape::Date)));
        assert_eq!(found("DCM", "4711913", "Head"), Some((Part::Value, Shape::IdNumber)));
        assert_eq!(found("SCT", "4711913", "Head"), Some((Part::Value, Shape::IdNumber)));
        assert_eq!(found("SCT", "9434765919", "Head"), Some((Part::Value, Shape::IdNumber)));
        assert_eq!(found("DCM", "113691", "IEC Body Dosimetry Phantom"), None);
        assert_eq!(found("SCT", "77477000", "CT"), None);
        assert_eq!(found("FMA", "50801", "Brain"), None);
        assert_eq!(found("PUBCHEM_CID", "264776", "Iohexol"), None);
        assert_eq!(found("SCT", "115347700", "Serum albumin below reference range"), None);
        assert_eq!(found("99HOSP", "12345678", "CT Head"), None);
    }

    #[test]
    fn snomed_ct_identifiers_have_their_partition_and_check_digit() {
        // Concepts' identifiers, as SNOMED CT publishes them.
        for id in ["12738006", "39607008", "80891009", "77477000", "399068003", "254837009", "840539006"] {
            assert!(sctid(id.as_bytes()), "{id}");
        }
        // One digit changed, two swapped, a description's partition, a date, an MRN, too short.
        for id in ["12738007", "12378006", "254837019", "19710203", "4711913", "10006"] {
            assert!(!sctid(id.as_bytes()), "{id}");
        }
        // Verhoeff's own example: 236 has check digit 3.
        assert!(verhoeff(b"2363") && !verhoeff(b"2364"));
    }
}

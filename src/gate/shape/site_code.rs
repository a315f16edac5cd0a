//! A code of a site's own scheme (`99HOSP`, `99RIS`) is a site's own words: what a viewer shows
//! beside it, read as a description is. The gate's law refuses a code item this finds in; the
//! scrub writes CLEANED over the part it names, and its output passes the same test.

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

/// Where a code item of a site's own scheme (none of [`STANDARD_SCHEMES`]; the scheme may be
/// missing) holds identity, and its shape:
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
        assert_eq!(found("SCT", "1971020", "Madeup Zelda 1971-02-03"), None);
        assert_eq!(found("99RIS", "4711913", "CT Chest"), None);
        assert_eq!(found("99_OFFIS_DCMTK", "IHE.07", "PATIENT"), None);
    }
}

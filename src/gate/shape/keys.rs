//! Labels a machine writes: a DICOM attribute's keyword or tag before its value (`PatientName
//! Zelda Madeup`, `(0010,0010) Zelda Madeup`), a URL's query key (`?PatientID=4711913`,
//! `&family=Madeup`), and a description that is a label alone, its value in the next field a
//! viewer shows (`Patient:`, `PATIENT_NAME`).

use super::vocabulary::{LABELS, LONG_NUMBER_LABELS, NUMBER_LABELS};

/// The patient's identifying attributes as DICOM names them: their keywords and their tags
/// (group and element, as hex).
const ATTRIBUTES: &[(&str, &str)] = &[
    ("patientname", "00100010"),
    ("patientid", "00100020"),
    ("patientbirthdate", "00100030"),
    ("patientbirthtime", "00100032"),
    ("otherpatientnames", "00101001"),
    ("otherpatientids", "00101000"),
    ("patientbirthname", "00101005"),
    ("patientaddress", "00101040"),
    ("patientmotherbirthname", "00101060"),
    ("patienttelephonenumbers", "00102154"),
    ("medicalrecordlocator", "00101090"),
    ("accessionnumber", "00080050"),
];

/// A query's keys that name a patient in FHIR and in web forms, besides [`ATTRIBUTES`].
const QUERY_KEYS: &[&str] = &[
    "family",
    "given",
    "name",
    "birthdate",
    "dob",
    "identifier",
    "mrn",
    "nhs",
    "phone",
    "telecom",
    "address",
    "address-postalcode",
    "postcode",
    "email",
    "patient",
    "patient.name",
    "patient.identifier",
    "surname",
    "forename",
];

/// A keyword or a tag of [`ATTRIBUTES`] in `lower` (tags as `(0010,0010)`, `0010,0010` or
/// `00100010`), then a value: a letter or a digit after spaces, `:`, `=` or `-`.
pub(super) fn attribute_labelled(lower: &[u8]) -> bool {
    let squeezed: Vec<u8> =
        lower.iter().copied().filter(|b| !matches!(b, b'(' | b')' | b',' | b'|')).collect();
    ATTRIBUTES.iter().any(|(keyword, tag)| {
        [keyword, tag].iter().any(|label| {
            super::words::word_starts(&squeezed, label.as_bytes()).any(|i| {
                let after = &squeezed[i + label.len()..];
                let gap = after.iter().take_while(|b| matches!(b, b' ' | b'\t' | b':' | b'=' | b'-')).count();
                gap >= 1 && after.get(gap).is_some_and(|b| b.is_ascii_alphanumeric() || *b >= 0x80)
            })
        })
    })
}

/// A URL's query (after `?`, between `&` or `;`) with a key that names a patient and a value:
/// `?PatientID=4711913`, `&00100030=19710203`, `&family=Madeup`.
pub(super) fn query_identity(lower: &[u8]) -> bool {
    let Some(start) = memchr::memchr(b'?', lower) else { return false };
    let query = &lower[start + 1..];
    let end = query.iter().position(|b| b.is_ascii_whitespace() || *b == b'#').unwrap_or(query.len());
    query[..end].split(|b| matches!(b, b'&' | b';')).any(|pair| {
        let mut kv = pair.splitn(2, |&b| b == b'=');
        let (Some(key), Some(value)) = (kv.next(), kv.next()) else { return false };
        let key = key.strip_suffix(b":exact").unwrap_or(key);
        !value.is_empty()
            && (ATTRIBUTES.iter().any(|(k, t)| k.as_bytes() == key || t.as_bytes() == key)
                || QUERY_KEYS.iter().any(|k| k.as_bytes() == key))
    })
}

/// A description that is a label alone (`Patient:`, `MRN #`, `PATIENT_NAME`, `DOB`): its value
/// is in the next field a viewer shows beside it. Without a separator only the labels no
/// description is (not `PT`, a modality; not `Mobile` or `Chart`).
pub(super) fn lone_label(text: &[u8]) -> bool {
    let lower: Vec<u8> =
        text.trim_ascii().iter().map(|b| if *b == b'_' { b' ' } else { b.to_ascii_lowercase() }).collect();
    let separated = [b':', b'#', b'='].iter().find_map(|&s| lower.strip_suffix(&[s]));
    match separated {
        Some(label) => {
            let label = label.trim_ascii();
            LABELS.iter().chain(NUMBER_LABELS).chain(LONG_NUMBER_LABELS).any(|l| l.as_bytes() == label)
        }
        None => BARE_LABELS.iter().any(|l| l.as_bytes() == lower.as_slice()),
    }
}

/// Labels a description never is alone.
const BARE_LABELS: &[&str] = &[
    "patient",
    "patient name",
    "patient id",
    "pt name",
    "name",
    "surname",
    "forename",
    "dob",
    "d.o.b.",
    "date of birth",
    "birth date",
    "mrn",
    "nhs no",
    "nhs number",
    "hospital number",
    "accession number",
    "address",
    "postcode",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_machines_labels_are_read() {
        for text in
            ["patientname zelda madeup", "(0010,0010) zelda madeup", "00100020: 4711913", "patientid=4711913"]
        {
            assert!(attribute_labelled(text.as_bytes()), "{text}");
        }
        for text in ["patientname", "patient position hfs", "(0010,0040) f", "patientidentityremoved yes"] {
            assert!(!attribute_labelled(text.as_bytes()), "{text}");
        }
        for text in [
            "https://pacs.example/studies?patientid=4711913",
            "http://x/?a=1&00100030=19710203",
            "https://fhir.example/patient?family=madeup&given=zelda",
        ] {
            assert!(query_identity(text.as_bytes()), "{text}");
        }
        for text in ["https://pacs.example/studies?limit=10&offset=20", "https://x/?patientid=", "a ? b = c"]
        {
            assert!(!query_identity(text.as_bytes()), "{text}");
        }
        for text in ["Patient:", "MRN #", "PATIENT_NAME", "DOB", "Patient"] {
            assert!(lone_label(text.as_bytes()), "{text}");
        }
        for text in ["PT", "Mobile", "Chart", "Patient supine", "CT Head"] {
            assert!(!lone_label(text.as_bytes()), "{text}");
        }
    }
}

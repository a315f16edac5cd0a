//! Scrub: de-identify a data set so that the gate accepts it, and change nothing else. Pure: a
//! data set, a [`Profile`] and a [`ScrubKey`] in, the scrubbed data set out.
//!
//! - Every attribute the DICOM PS3.15 Annex E basic profile names gets its action (see
//!   `profile`), at every depth of nested sequences; attributes it does not name are kept.
//! - Private elements are removed. A person name the table does not name is emptied too: the
//!   gate refuses any name.
//! - UIDs are replaced through the key (see `uid`), references included.
//! - PatientIdentityRemoved, DeidentificationMethod and its code sequence (CID 7050) say what
//!   was done; LongitudinalTemporalInformationModified says what happened to dates.
//! - Scrubbing a scrubbed data set again changes nothing: dummies stay dummies, UIDs the key
//!   made are recognised, dates already shifted (MODIFIED) are not shifted again, and the
//!   method attributes are rebuilt, not appended to.

pub mod file;
mod items;
pub mod key;
pub mod options;
pub mod redact;
pub mod uid;

use dicom_core::header::HasLength;
use dicom_core::value::{DataSetSequence, PrimitiveValue, Value};
use dicom_core::{DataElement, Length, Tag, VR};
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;
use dicom_object::mem::InMemElement;

pub use crate::gate::profile::{Action, Profile, Retain};
use crate::gate::shape::{self, Strength};
use items::{clean_in_turn, clean_site_code};
pub use uid::ScrubKey;

/// What the data set says about its patient, collected before anything changes: the values
/// that Clean looks for, and the key of the date offset.
struct Identity {
    /// Name components, IDs, birth date: each at least 2 characters, upper case; the parts of
    /// an address or a telephone number ([`WHERE`]).
    values: Vec<String>,
    /// The days dates move by (0 when they moved already).
    offset: i64,
}

/// An attribute's value as trimmed text; empty when absent.
pub(crate) fn text(obj: &InMemDicomObject, tag: Tag) -> String {
    obj.element(tag)
        .ok()
        .and_then(|e| e.value().to_str().ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// The tags whose values identify the patient, for Clean.
const IDENTIFYING: [Tag; 8] = [
    tags::PATIENT_NAME,
    tags::PATIENT_ID,
    Tag(0x0010, 0x1000), // OtherPatientIDs (retired, still found)
    tags::OTHER_PATIENT_NAMES,
    tags::PATIENT_BIRTH_DATE,
    tags::ACCESSION_NUMBER,
    tags::PATIENT_BIRTH_NAME,
    tags::PATIENT_MOTHER_BIRTH_NAME,
];

/// The tags that say where the patient lives or is reached, for Clean: their values' parts
/// between commas as phrases.
const WHERE: [Tag; 2] = [tags::PATIENT_ADDRESS, tags::PATIENT_TELEPHONE_NUMBERS];

/// Collects the identifying values at every depth (a DICOMDIR keeps them in its records).
fn collect_values(obj: &InMemDicomObject, values: &mut Vec<String>) {
    for e in obj {
        if let Some(items) = e.value().items() {
            for item in items {
                collect_values(item, values);
            }
        } else if IDENTIFYING.contains(&e.header().tag)
            && let Ok(text) = e.value().to_str()
        {
            for part in text.split(['^', '\\', '=', ' ']) {
                if part.trim().len() >= 2 {
                    values.push(part.trim().to_uppercase());
                }
            }
        } else if WHERE.contains(&e.header().tag)
            && let Ok(text) = e.value().to_str()
        {
            // An address's parts as phrases (`12 Nowhere Lane`, `Fakeham`): its words one by one
            // would clean every `12` and `lane`.
            for part in text.split([',', ';', '\\', '^', '\n', '\r']) {
                let part = part.trim();
                if part.len() >= 4 && part.chars().any(char::is_alphanumeric) {
                    values.push(part.to_uppercase());
                }
            }
        }
    }
}

fn identity(obj: &InMemDicomObject, profile: &Profile, key: &ScrubKey) -> Identity {
    let mut values = Vec::new();
    collect_values(obj, &mut values);
    values.sort();
    values.dedup();
    let shifted = text(obj, tags::LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED) == "MODIFIED";
    let offset = if profile.retains(Retain::LongitudinalDates) && !shifted {
        key.date_offset(&format!("{}\u{0}{}", text(obj, tags::PATIENT_ID), text(obj, tags::PATIENT_NAME)))
    } else {
        0
    };
    Identity { values, offset }
}

/// The alphanumeric words of a text, upper-cased.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| w.to_uppercase()).collect()
}

/// True when `text` holds the patient's `value` as whole words (a name part "LI" is in "MR LI
/// SHOULDER", not in "SLICE"; an ID "MRN-12" is in "see MRN 12").
fn holds_value(text: &str, value: &str) -> bool {
    let (text, value) = (words(text), words(value));
    !value.is_empty() && text.windows(value.len()).any(|w| w == value.as_slice())
}

/// A coded string as the gate's law lets it stay: where the standard lists the attribute's terms,
/// the terms alone (`gate::terms`); elsewhere a code that holds a number of five digits or more
/// replaced by CLEANED. None when the value is so already.
fn codes(tag: Tag, value: &str) -> Option<String> {
    use crate::gate::terms;
    if let Some(defined) = terms::defined_only(tag, value) {
        return Some(defined);
    }
    let numbered = |c: &str| terms::number_in_code(tag, c.as_bytes());
    if terms::number_across_values(tag, value.as_bytes()) && !value.split('\\').any(numbered) {
        // A number written across values (`HELICAL\4711\913`): none of them stays.
        return Some("CLEANED".into());
    }
    value.split('\\').any(numbered).then(|| {
        value.split('\\').map(|c| if numbered(c) { "CLEANED" } else { c }).collect::<Vec<_>>().join("\\")
    })
}

/// A dummy value of a VR: one the gate (and people) read as no value at all.
fn dummy(vr: VR) -> PrimitiveValue {
    match vr {
        VR::PN => PrimitiveValue::from("ANONYMOUS"),
        VR::DA => PrimitiveValue::from("19000101"),
        VR::TM => PrimitiveValue::from("000000"),
        VR::DT => PrimitiveValue::from("19000101000000"),
        VR::AS => PrimitiveValue::from("000Y"),
        VR::IS | VR::DS => PrimitiveValue::from("0"),
        VR::US => PrimitiveValue::from(0u16),
        VR::SS => PrimitiveValue::from(0i16),
        VR::UL => PrimitiveValue::from(0u32),
        VR::SL => PrimitiveValue::from(0i32),
        VR::FL => PrimitiveValue::from(0f32),
        VR::FD => PrimitiveValue::from(0f64),
        VR::OB | VR::OW | VR::UN | VR::OF | VR::OD | VR::OL | VR::OV => PrimitiveValue::Empty,
        _ => PrimitiveValue::from("ANONYMIZED"),
    }
}

/// Moves the date part (YYYYMMDD) of each value by `days`; a value that is not a date is
/// replaced by the dummy date.
fn shift(value: &str, days: i64) -> String {
    value
        .split('\\')
        .map(|v| {
            let v = v.trim();
            if v.len() < 8 || days == 0 {
                return v.to_string();
            }
            match chrono::NaiveDate::parse_from_str(&v[..8], "%Y%m%d") {
                Ok(d) => {
                    let moved = d + chrono::Duration::days(days);
                    format!("{}{}", moved.format("%Y%m%d"), &v[8..])
                }
                Err(_) => "19000101".to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("\\")
}

struct Scrubber<'a> {
    profile: &'a Profile,
    key: &'a ScrubKey,
    identity: Identity,
}

/// Where in the data set an element stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Dataset,
    /// In a DICOMDIR's directory record, where the table's Z and X attributes are type 1 or 2
    /// (the study record needs its date): a dummy instead of empty, empty instead of gone.
    DirectoryRecord,
}

impl Scrubber<'_> {
    fn items(&self, tag: Tag, items: impl IntoIterator<Item = InMemDicomObject>) -> Vec<InMemDicomObject> {
        let place =
            if tag == tags::DIRECTORY_RECORD_SEQUENCE { Place::DirectoryRecord } else { Place::Dataset };
        let mut items: Vec<InMemDicomObject> = items.into_iter().map(|i| self.object(i, place)).collect();
        clean_in_turn(&mut items);
        items
    }

    fn sequence(tag: Tag, items: Vec<InMemDicomObject>) -> InMemElement {
        DataElement::new(tag, VR::SQ, Value::from(DataSetSequence::new(items, Length::UNDEFINED)))
    }

    fn uids(&self, value: &str) -> String {
        value.split('\\').map(|u| self.key.uid(u)).collect::<Vec<_>>().join("\\")
    }

    /// The value with every component (between backslashes) that holds identity-shaped text
    /// (`gate::shape`, at this strength), that is nothing but a date, a number or a postcode
    /// (`shape::bare_value`), or, with `values`, one of the patient's identifying
    /// values (as whole words), replaced by CLEANED; None when nothing needed cleaning. (Only
    /// descriptions are searched for the patient's values: a short name part is in too many
    /// coded words.)
    fn clean(&self, tag: Tag, value: &str, strength: Strength, values: bool) -> Option<String> {
        // Not in what an option retains (a patient ID, a serial number): numbers are what it is.
        let bare = || strength != Strength::Kept || crate::gate::law::kept_by_the_basic_profile(tag);
        let mut changed = false;
        let parts: Vec<&str> = value
            .split('\\')
            .map(|part| {
                let shaped = shape::find(part.as_bytes(), strength).is_some()
                    || (shape::bare_value(tag, part.as_bytes()).is_some() && bare());
                if shaped || (values && self.identity.values.iter().any(|v| holds_value(part, v))) {
                    changed = true;
                    "CLEANED"
                } else {
                    part
                }
            })
            .collect();
        changed.then(|| parts.join("\\"))
    }

    /// The element as the profile leaves it. Taken by value: what is kept (pixel data above
    /// all) moves into the output rather than being copied.
    fn element(&self, e: InMemElement, place: Place, creators: &[(Tag, String)]) -> Option<InMemElement> {
        let tag = e.header().tag;
        let vr = e.vr();
        if tag.group() % 2 == 1 {
            return self.safe_private(tag, creators).then_some(e);
        }
        // Another de-identifier's Encrypted Attributes Sequence holds the original identity for
        // whoever has its key (or, unencrypted, for anyone): a teaching copy keeps no way back.
        if tag == tags::ENCRYPTED_ATTRIBUTES_SEQUENCE {
            return None;
        }
        let known = crate::gate::scan::dictionary_vr(tag).unwrap_or(vr);
        let mut action = Some(self.profile.action(tag, known));
        if place == Place::DirectoryRecord {
            action = match action {
                Some(Action::Zero) if known != VR::PN => Some(Action::Dummy),
                Some(Action::Remove) => Some(Action::Zero),
                other => other,
            };
        }
        // The value as text, made only where an action reads it (pixel data as text would be
        // a string of every number in it).
        // Text the profile keeps as it is still may not hold a name, a labelled field, an address
        // or an NHS number (the gate's law: `gate::shape` at `Strength::Kept`), value by value.
        let kept_text = matches!(action, Some(Action::Keep))
            && matches!(vr, VR::AE | VR::CS | VR::LO | VR::LT | VR::SH | VR::ST | VR::UC | VR::UR | VR::UT);
        let reads_text = match action {
            Some(Action::Dummy | Action::Uid) => vr == VR::UI,
            Some(Action::Clean | Action::Shift) => true,
            _ => kept_text,
        };
        let text = if reads_text {
            e.value().to_str().map(|s| s.into_owned()).unwrap_or_default()
        } else {
            String::new()
        };
        let empty = e.value().is_empty();
        let (header, value) = e.into_parts();
        let (items, value) = match value {
            Value::Sequence(seq) => (Some(seq.into_items()), None),
            other => (None, Some(other)),
        };
        let kept = |value: Option<Value<InMemDicomObject>>| {
            Some(DataElement::new(header.tag, header.vr, value.expect("not a sequence")))
        };
        let primitive = |v: PrimitiveValue| Some(DataElement::new(tag, vr, Value::Primitive(v)));
        match action {
            None | Some(Action::Keep) => match items {
                Some(items) => Some(Self::sequence(tag, self.items(tag, items))),
                None if kept_text => {
                    let coded = (vr == VR::CS).then(|| codes(tag, &text)).flatten();
                    let mut cleaned =
                        self.clean(tag, coded.as_deref().unwrap_or(&text), Strength::Kept, false).or(coded);
                    // What the law still refuses (a bare number as a code's meaning, a name read
                    // across two values) goes whole.
                    let out = cleaned.as_deref().unwrap_or(&text);
                    if !crate::gate::law::keeps(tag, vr, out.as_bytes()) {
                        // Where CLEANED is no term the standard lists, nothing.
                        let word = crate::gate::law::keeps(tag, vr, b"CLEANED");
                        cleaned = Some(if word { "CLEANED" } else { "" }.into());
                    }
                    match cleaned {
                        None => kept(value),
                        Some(cleaned) => primitive(PrimitiveValue::from(cleaned)),
                    }
                }
                None => kept(value),
            },
            Some(Action::Remove) => None,
            Some(Action::Zero) => match items {
                Some(_) => Some(Self::sequence(tag, Vec::new())),
                None => primitive(PrimitiveValue::Empty),
            },
            Some(Action::Dummy) => match items {
                Some(items) => Some(Self::sequence(tag, self.items(tag, items))),
                None if vr == VR::UI => primitive(PrimitiveValue::from(self.uids(&text))),
                None if empty => kept(value),
                None => primitive(dummy(vr)),
            },
            Some(Action::Uid) => match items {
                Some(items) => Some(Self::sequence(tag, self.items(tag, items))),
                None if vr == VR::UI => primitive(PrimitiveValue::from(self.uids(&text))),
                None => primitive(dummy(vr)),
            },
            Some(Action::Clean) => match items {
                Some(items) => Some(Self::sequence(tag, self.items(tag, items))),
                // A DICOMDIR's file paths are numbered by their writer: names and labels only.
                None => match self.clean(
                    tag,
                    &text,
                    if tag == tags::REFERENCED_FILE_ID { Strength::Paths } else { Strength::FreeText },
                    true,
                ) {
                    None => kept(value),
                    Some(cleaned) => primitive(PrimitiveValue::from(cleaned)),
                },
            },
            Some(Action::Shift) => match items {
                Some(items) => Some(Self::sequence(tag, self.items(tag, items))),
                None if matches!(vr, VR::DA | VR::DT) => {
                    primitive(PrimitiveValue::from(shift(&text, self.identity.offset)))
                }
                None => kept(value),
            },
        }
    }

    /// True when a private element stays: with Retain Safe Private, an element the policy
    /// lists (by its block's creator), and the creator element of a block that has one. Every
    /// other private element goes.
    fn safe_private(&self, tag: Tag, creators: &[(Tag, String)]) -> bool {
        if !self.profile.retains(Retain::SafePrivate) {
            return false;
        }
        let listed = |creator: &str, element: Option<u8>| {
            self.profile.safe_private.iter().any(|s| {
                s.group == tag.group() && s.creator == creator && element.is_none_or(|e| e == s.element)
            })
        };
        let creator_of = |block: u16| {
            creators
                .iter()
                .find(|(t, _)| t.group() == tag.group() && t.element() == block)
                .map(|(_, c)| c.as_str())
        };
        match tag.element() {
            0x0010..=0x00FF => creator_of(tag.element()).is_some_and(|c| listed(c, None)),
            e if e >= 0x1000 => creator_of(e >> 8).is_some_and(|c| listed(c, Some((e & 0xFF) as u8))),
            _ => false,
        }
    }

    fn object(&self, obj: InMemDicomObject, place: Place) -> InMemDicomObject {
        let obj = InMemDicomObject::from_element_iter(obj.into_iter().filter_map(as_its_vr));
        // The private creators of this level, read before anything moves.
        let creators: Vec<(Tag, String)> = obj
            .iter()
            .filter(|e| e.header().tag.group() % 2 == 1 && (0x10..=0xFF).contains(&e.header().tag.element()))
            .filter_map(|e| Some((e.header().tag, e.value().to_str().ok()?.trim().to_string())))
            .collect();
        let mut out = InMemDicomObject::from_element_iter(
            obj.into_iter().filter_map(|e| self.element(e, place, &creators)),
        );
        clean_site_code(&mut out);
        out
    }
}

/// A standard attribute the file wrote as UN, as the dictionary says it is (the gate judges it
/// so): a sequence read from its implicit-VR items, text as text. A UN sequence whose items this
/// reader cannot read is dropped (it could not be scrubbed, so it cannot stay).
fn as_its_vr(e: InMemElement) -> Option<InMemElement> {
    let tag = e.header().tag;
    if e.vr() != VR::UN || tag.group() % 2 == 1 {
        return Some(e);
    }
    let Some(vr) = crate::gate::scan::dictionary_vr(tag) else { return Some(e) };
    let Ok(bytes) = e.value().to_bytes() else { return Some(e) };
    match vr {
        VR::SQ => {
            let spans = crate::gate::scan::item_spans(&bytes)?;
            let ts = dicom_transfer_syntax_registry::entries::IMPLICIT_VR_LITTLE_ENDIAN.erased();
            let items = spans
                .into_iter()
                .map(|r| InMemDicomObject::read_dataset_with_ts(&bytes[r], &ts).ok())
                .collect::<Option<Vec<_>>>()?;
            Some(DataElement::new(tag, VR::SQ, Value::from(DataSetSequence::new(items, Length::UNDEFINED))))
        }
        VR::AE
        | VR::AS
        | VR::CS
        | VR::DA
        | VR::DS
        | VR::DT
        | VR::IS
        | VR::LO
        | VR::LT
        | VR::PN
        | VR::SH
        | VR::ST
        | VR::TM
        | VR::UC
        | VR::UI
        | VR::UR
        | VR::UT => {
            let text = String::from_utf8_lossy(&bytes);
            let text = text.trim_end_matches([' ', '\0']);
            Some(DataElement::new(tag, vr, PrimitiveValue::from(text)))
        }
        _ => Some(e),
    }
}

/// The code sequence item for one de-identification method (CID 7050).
fn method_code(value: &str, meaning: &str) -> InMemDicomObject {
    InMemDicomObject::from_element_iter([
        DataElement::new(tags::CODE_VALUE, VR::SH, PrimitiveValue::from(value)),
        DataElement::new(tags::CODING_SCHEME_DESIGNATOR, VR::SH, PrimitiveValue::from("DCM")),
        DataElement::new(tags::CODE_MEANING, VR::LO, PrimitiveValue::from(meaning)),
    ])
}

/// The data set, scrubbed.
pub fn scrub(obj: InMemDicomObject, profile: &Profile, key: &ScrubKey) -> InMemDicomObject {
    let scrubber = Scrubber { profile, key, identity: identity(&obj, profile, key) };
    let mut out = scrubber.object(obj, Place::Dataset);
    let mut codes = vec![method_code("113100", "Basic Application Confidentiality Profile")];
    let mut names = vec!["DICOM PS3.15 Annex E Basic Profile".to_string()];
    for option in &profile.options {
        if let Some((code, meaning)) = option.code() {
            codes.push(method_code(code, meaning));
            names.push(meaning.trim_end_matches(" Option").to_string());
        }
    }
    let shifted = profile.retains(Retain::LongitudinalDates);
    let put = |out: &mut InMemDicomObject, tag, vr, value: &str| {
        out.put(DataElement::new(tag, vr, PrimitiveValue::from(value)));
    };
    put(&mut out, tags::PATIENT_IDENTITY_REMOVED, VR::CS, "YES");
    // LO holds 64 characters: the method's name, its options in the code sequence.
    let method = format!("vault scrub: {}", names.join("; "));
    put(&mut out, tags::DEIDENTIFICATION_METHOD, VR::LO, &method.chars().take(64).collect::<String>());
    out.put(Scrubber::sequence(tags::DEIDENTIFICATION_METHOD_CODE_SEQUENCE, codes));
    put(
        &mut out,
        tags::LONGITUDINAL_TEMPORAL_INFORMATION_MODIFIED,
        VR::CS,
        if shifted { "MODIFIED" } else { "REMOVED" },
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_patients_values_count_as_whole_words() {
        assert!(holds_value("MR LI shoulder", "LI"));
        assert!(!holds_value("AXIAL SLICE", "LI"));
        assert!(holds_value("see MRN 4711", "MRN-4711"));
        assert!(!holds_value("MRN 47110", "MRN-4711"));
        assert!(!holds_value("anything", ""));
    }

    #[test]
    fn kept_text_and_urls_that_hold_identity_are_cleaned() {
        let mut obj = InMemDicomObject::new_empty();
        let url = "https://pacs.example/patient/9434765919";
        obj.put(DataElement::new(tags::RETRIEVE_URL, VR::UR, PrimitiveValue::from(url)));
        obj.put(DataElement::new(tags::SCAN_OPTIONS, VR::CS, PrimitiveValue::from("HELICAL")));
        let out = scrub(obj, &Profile::new(&[]), &ScrubKey([7; 32]));
        assert_eq!(text(&out, tags::RETRIEVE_URL), "CLEANED");
        assert_eq!(text(&out, tags::SCAN_OPTIONS), "HELICAL");
    }

    #[test]
    fn the_patients_address_copied_into_a_description_is_cleaned() {
        let mut obj = InMemDicomObject::new_empty();
        let put = |obj: &mut InMemDicomObject, tag, vr, value: &str| {
            obj.put(DataElement::new(tag, vr, PrimitiveValue::from(value)));
        };
        // A street type no list of the gate's holds: only the patient's own value tells.
        put(&mut obj, tags::PATIENT_ADDRESS, VR::LO, "Flat 3, Nowhere Yard, Fakeham");
        put(&mut obj, tags::IMAGE_COMMENTS, VR::LT, "seen at Nowhere Yard");
        put(&mut obj, tags::SERIES_DESCRIPTION, VR::LO, "fakeham clinic");
        put(&mut obj, tags::STUDY_DESCRIPTION, VR::LO, "CT chest 3 mm yard");
        let out = scrub(obj, &Profile::new(&[Retain::CleanDescriptors]), &ScrubKey([7; 32]));
        assert_eq!(text(&out, tags::IMAGE_COMMENTS), "CLEANED");
        assert_eq!(text(&out, tags::SERIES_DESCRIPTION), "CLEANED");
        assert_eq!(text(&out, tags::STUDY_DESCRIPTION), "CT chest 3 mm yard", "no part of it alone");
        assert_eq!(text(&out, tags::PATIENT_ADDRESS), "");
    }

    #[test]
    fn dates_shift_and_keep_their_time_part() {
        assert_eq!(shift("20200115", -10), "20200105");
        assert_eq!(shift("20200301120000.5", -1), "20200229120000.5");
        assert_eq!(shift("20200115\\20200116", 1), "20200116\\20200117");
        assert_eq!(shift("garbage!", 5), "19000101");
        assert_eq!(shift("", 5), "");
    }
}

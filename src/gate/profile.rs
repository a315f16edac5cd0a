//! The de-identification profile: what happens to each attribute. The DICOM PS3.15 Annex E
//! basic application level confidentiality profile, read from its table (the same file the
//! gate's defaults are checked against), and the options Annex E names, which keep (or clean)
//! attributes the basic profile would remove.

use std::collections::HashMap;

use dicom_core::Tag;
use dicom_core::dictionary::{DataDictionary, DataDictionaryEntry};
use dicom_dictionary_std::StandardDataDictionary;
use serde::Serialize;

use super::policy::ANNEX_E;

/// What happens to one attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Action {
    /// K: kept as it is.
    Keep,
    /// X: removed.
    Remove,
    /// Z: kept, with an empty value (or an empty sequence).
    Zero,
    /// D: replaced by a dummy value of its VR (a sequence keeps its items, each scrubbed).
    Dummy,
    /// U: a UID replaced by one made from it and the vault's secret (the same every time).
    Uid,
    /// C: kept only when it holds none of the data set's identifying values; else a dummy.
    Clean,
    /// Dates shifted by the patient's offset (Retain Longitudinal Temporal Information with
    /// Modified Dates).
    Shift,
}

/// An option of Annex E's, by the name `--retain` takes.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum Retain {
    /// Patient ID (0010,0020) — only where the vault's policy allows it
    PatientId,
    /// Accession Number (0008,0050) — only where the vault's policy allows it
    AccessionNumber,
    /// Dates shifted by a per-patient offset that keeps intervals (modified dates)
    LongitudinalDates,
    /// Age, sex, size, weight and the like
    PatientCharacteristics,
    /// Device serial numbers, station names and the like
    DeviceIdentity,
    /// The original UIDs
    Uids,
    /// Descriptions and comments, cleaned of the data set's identifying values
    CleanDescriptors,
    /// Private elements the policy lists as safe (vault lists none of its own)
    SafePrivate,
}

impl Retain {
    /// The code of DICOM's CID 7050 (De-identification Method) for this option.
    pub fn code(self) -> Option<(&'static str, &'static str)> {
        match self {
            Retain::LongitudinalDates => {
                Some(("113107", "Retain Longitudinal Temporal Information Modified Dates Option"))
            }
            Retain::PatientCharacteristics => Some(("113108", "Retain Patient Characteristics Option")),
            Retain::DeviceIdentity => Some(("113109", "Retain Device Identity Option")),
            Retain::Uids => Some(("113110", "Retain UIDs Option")),
            Retain::CleanDescriptors => Some(("113105", "Clean Descriptors Option")),
            Retain::SafePrivate => Some(("113111", "Retain Safe Private Option")),
            Retain::PatientId | Retain::AccessionNumber => None,
        }
    }

    /// The option a CID 7050 code names, as a file declares it in its
    /// DeidentificationMethodCodeSequence.
    pub fn from_code(code: &[u8]) -> Option<Retain> {
        Retain::ALL.into_iter().find(|o| o.code().is_some_and(|(c, _)| c.as_bytes() == code))
    }

    /// Every option, in the order `--retain` lists them.
    pub const ALL: [Retain; 8] = [
        Retain::PatientId,
        Retain::AccessionNumber,
        Retain::LongitudinalDates,
        Retain::PatientCharacteristics,
        Retain::DeviceIdentity,
        Retain::Uids,
        Retain::CleanDescriptors,
        Retain::SafePrivate,
    ];

    /// The name `--retain` takes.
    pub fn name(self) -> &'static str {
        match self {
            Retain::PatientId => "patient-id",
            Retain::AccessionNumber => "accession-number",
            Retain::LongitudinalDates => "longitudinal-dates",
            Retain::PatientCharacteristics => "patient-characteristics",
            Retain::DeviceIdentity => "device-identity",
            Retain::Uids => "uids",
            Retain::CleanDescriptors => "clean-descriptors",
            Retain::SafePrivate => "safe-private",
        }
    }
}

/// Attributes the Retain Patient Characteristics option keeps.
const PATIENT_CHARACTERISTICS: &[&str] = &[
    "PatientAge",
    "PatientSex",
    "PatientSize",
    "PatientWeight",
    "EthnicGroup",
    "SmokingStatus",
    "PregnancyStatus",
    "PatientSexNeutered",
    "PatientBodyMassIndex",
    "MeasuredAPDimension",
    "MeasuredLateralDimension",
];

/// Attributes the Retain Patient Characteristics option keeps cleaned (PS3.15 Table E.1-1's C):
/// a patient's state, allergies, alerts and needs are written in words, and a name or a
/// telephone number can be among them.
const PATIENT_CHARACTERISTICS_IN_WORDS: &[&str] =
    &["PatientState", "Allergies", "MedicalAlerts", "SpecialNeeds"];

/// Attributes the Retain Device Identity option keeps.
const DEVICE_IDENTITY: &[&str] = &[
    "DeviceSerialNumber",
    "StationName",
    "DeviceUID",
    "DeviceID",
    "DeviceDescription",
    "DetectorID",
    "PlateID",
    "CassetteID",
    "GantryID",
    "GeneratorID",
    "ManufacturerDeviceIdentifier",
    "PerformedStationName",
    "ScheduledStationName",
    "SourceSerialNumber",
    "DeviceLabel",
];

/// Descriptions and comments the Clean Descriptors option keeps, cleaned.
const DESCRIPTORS: &[&str] = &[
    "StudyDescription",
    "SeriesDescription",
    "ProtocolName",
    "ImageComments",
    "StudyComments",
    "AcquisitionComments",
    "PerformedProcedureStepDescription",
    "RequestedProcedureDescription",
    "ScheduledProcedureStepDescription",
    "AdmittingDiagnosesDescription",
    "DerivationDescription",
    "ContrastBolusAgent",
    "BodyPartExamined",
    "AdditionalPatientHistory",
    "UnformattedTextValue",
    "AcquisitionDeviceProcessingDescription",
];

/// Explanations a viewer shows beside an image, not in the table: cleaned, always.
const EXPLANATIONS: &[&str] = &["WindowCenterWidthExplanation", "LUTExplanation"];

/// Attributes of the file meta group that name the systems a file passed through, or hold
/// what a vendor chose to put there: not in the table (it covers the data set), removed all the
/// same.
const META_IDENTITY: &[&str] = &[
    "SourceApplicationEntityTitle",
    "SendingApplicationEntityTitle",
    "ReceivingApplicationEntityTitle",
    "SourcePresentationAddress",
    "SendingPresentationAddress",
    "ReceivingPresentationAddress",
    "PrivateInformationCreatorUID",
    "PrivateInformation",
];

/// Attributes of the patient module (group 0010) the table does not name that are not about
/// who the patient is: kept. Every other attribute of group 0010 the table does not name is
/// removed (a birth date in another calendar is a birth date).
const PATIENT_GROUP_KEPT: &[&str] = &[
    "TypeOfPatientID",
    "SubjectRelativePositionInImage",
    "PatientAlternativeCalendar",
    "QualityControlSubject",
    "QualityControlSubjectTypeCodeSequence",
    "PatientSpeciesDescription",
    "PatientSpeciesCodeSequence",
    "PatientBreedDescription",
    "PatientBreedCodeSequence",
    "AnatomicalOrientationType",
    "ExaminedBodyThickness",
];

/// Words in the keyword of a text attribute that make it a description someone typed (a
/// label, a comment, a note): treated as free text when the table does not name it.
const DESCRIPTOR_WORDS: &[&str] =
    &["Description", "Comment", "Label", "Text", "Title", "Reason", "History", "Diagnos", "Note", "Remark"];

fn keyword_of(tag: Tag) -> Option<&'static str> {
    StandardDataDictionary.by_tag(tag).map(|e| e.alias())
}

/// A rule for a range of tags (curves, overlays): group & mask == group, element & mask ==
/// element.
#[derive(Clone, Copy, Debug)]
struct Range {
    group: u16,
    element: u16,
    group_mask: u16,
    element_mask: u16,
}

#[derive(Clone, Debug)]
pub struct Profile {
    actions: HashMap<Tag, Action>,
    ranges: Vec<(Range, Action)>,
    pub options: Vec<Retain>,
    /// With Retain Safe Private: the private elements that stay.
    pub safe_private: Vec<crate::gate::policy::SafePrivate>,
    /// What becomes of free text the table does not name (Dummy, or Clean with the Clean
    /// Descriptors option).
    free_text: Action,
}

/// The basic profile's action, where it depends on the attribute's type in its IOD (X/Z, X/D,
/// Z/D, X/Z/D, X/Z/U*): the choice that keeps a type 1 or 2 attribute present, so that the
/// output stays a valid instance of its IOD.
fn basic(action: &str) -> Action {
    match action {
        "X" => Action::Remove,
        "Z" => Action::Zero,
        "D" | "X/D" | "Z/D" | "X/Z/D" => Action::Dummy,
        "X/Z" => Action::Zero,
        "U" | "X/Z/U*" => Action::Uid,
        "K" => Action::Keep,
        "C" => Action::Clean,
        _ => Action::Remove, // an action this table version adds: remove, the safe side
    }
}

fn tag_of(keyword: &str) -> Tag {
    StandardDataDictionary
        .by_name(keyword)
        .map(|e| e.tag_range().inner())
        .unwrap_or_else(|| panic!("{keyword} is a standard keyword"))
}

impl Profile {
    pub fn new(options: &[Retain]) -> Profile {
        let mut actions = HashMap::new();
        let mut ranges = Vec::new();
        for line in ANNEX_E.lines().filter(|l| !l.starts_with('#')) {
            let cols: Vec<&str> = line.split('\t').collect();
            let (Some(tag), Some(action)) = (cols.first(), cols.get(2)) else { continue };
            // A sequence the table lets stay (X/Z, X/D, Z/D, X/Z/D) stays with its items, each
            // scrubbed by the same table: emptying or removing it would break the IOD (a
            // reference the instance needs), while what its items hold is de-identified anyway.
            let sequence_may_stay = cols.get(1) == Some(&"SQ") && action.contains('/');
            let numbers: Vec<&str> =
                tag.trim_matches(|c| c == '(' || c == ')').split(',').map(str::trim).collect();
            match numbers.as_slice() {
                [g, e] => {
                    if let (Ok(g), Ok(e)) = (u16::from_str_radix(g, 16), u16::from_str_radix(e, 16)) {
                        let action = if sequence_may_stay { Action::Dummy } else { basic(action) };
                        actions.insert(Tag(g, e), action);
                    }
                }
                [g, e, gm, em] => {
                    let n = |s: &str| s.parse::<u32>().ok().map(|v| v as u16);
                    if let (Some(group), Some(element), Some(group_mask), Some(element_mask)) =
                        (n(g), n(e), n(gm), n(em))
                    {
                        ranges.push((Range { group, element, group_mask, element_mask }, basic(action)));
                    }
                }
                _ => {}
            }
        }
        // Overlays go whole: the table removes their data and comments, and an overlay without
        // its data is an incomplete module.
        ranges
            .push((Range { group: 0x6000, element: 0, group_mask: 0xFF00, element_mask: 0 }, Action::Remove));
        // Not in the table, but a path a DICOMDIR names files by, and sites name folders after
        // patients: cleaned of the patient's values, always.
        actions.insert(tag_of("ReferencedFileID"), Action::Clean);
        // Not in the table either: the words a site explains a window or a look-up table
        // with, which a viewer shows on every image (`Bone`, `Lung`), and a site can write a
        // patient's banner into. Cleaned as a description is.
        for name in EXPLANATIONS {
            actions.insert(tag_of(name), Action::Clean);
        }
        for name in META_IDENTITY {
            actions.insert(tag_of(name), Action::Remove);
        }
        let mut free_text = Action::Dummy;
        let mut options = options.to_vec();
        options.sort();
        options.dedup();
        let set = |actions: &mut HashMap<Tag, Action>, names: &[&str], action| {
            for name in names {
                actions.insert(tag_of(name), action);
            }
        };
        for option in &options {
            match option {
                Retain::PatientId => set(&mut actions, &["PatientID"], Action::Keep),
                Retain::AccessionNumber => set(&mut actions, &["AccessionNumber"], Action::Keep),
                Retain::PatientCharacteristics => {
                    set(&mut actions, PATIENT_CHARACTERISTICS, Action::Keep);
                    set(&mut actions, PATIENT_CHARACTERISTICS_IN_WORDS, Action::Clean);
                }
                Retain::DeviceIdentity => set(&mut actions, DEVICE_IDENTITY, Action::Keep),
                Retain::CleanDescriptors => {
                    set(&mut actions, DESCRIPTORS, Action::Clean);
                    free_text = Action::Clean;
                }
                Retain::SafePrivate => {} // by the policy's list, in the scrub itself
                Retain::Uids => {
                    for a in actions.values_mut() {
                        if *a == Action::Uid {
                            *a = Action::Keep;
                        }
                    }
                }
                Retain::LongitudinalDates => {
                    // Every date the table acts on is shifted instead; times are kept.
                    for line in ANNEX_E.lines() {
                        let cols: Vec<&str> = line.split('\t').collect();
                        if let (Some(tag), Some(vr)) = (cols.first(), cols.get(1))
                            && let Some((g, e)) = tag.trim_matches(|c| c == '(' || c == ')').split_once(',')
                            && let (Ok(g), Ok(e)) = (u16::from_str_radix(g, 16), u16::from_str_radix(e, 16))
                        {
                            match *vr {
                                "DA" | "DT" => {
                                    actions.insert(Tag(g, e), Action::Shift);
                                }
                                "TM" => {
                                    actions.insert(Tag(g, e), Action::Keep);
                                }
                                _ => {}
                            }
                        }
                    }
                    // Birth dates still go: they identify, shifted or not.
                    set(&mut actions, &["PatientBirthDate", "PatientBirthTime"], Action::Zero);
                }
            }
        }
        Profile { actions, ranges, options, safe_private: Vec::new(), free_text }
    }

    pub fn retains(&self, option: Retain) -> bool {
        self.options.contains(&option)
    }

    /// True when the table (or what vault adds to it) names the attribute by its tag.
    pub fn named(&self, tag: Tag) -> bool {
        self.actions.contains_key(&tag)
            || self.ranges.iter().any(|(r, _)| {
                tag.group() & r.group_mask == r.group && tag.element() & r.element_mask == r.element
            })
    }

    /// What happens to a standard attribute (the caller decides private ones): by its tag, as
    /// the table and the options say; else by what it is. `vr` is the dictionary's VR for the
    /// tag (the file's only where the dictionary does not know the tag).
    ///
    /// Beyond the table: a person name it does not name is emptied (a name is identity wherever
    /// it stands); free text (LT, ST, UT) it does not name is a dummy, or cleaned with the Clean
    /// Descriptors option (SR text values, comments a vendor invented); an attribute the
    /// dictionary does not know is removed (nobody can say what it holds).
    pub fn action(&self, tag: Tag, vr: dicom_core::VR) -> Action {
        use dicom_core::VR;
        if let Some(a) = self.actions.get(&tag) {
            return *a;
        }
        if let Some((_, a)) = self.ranges.iter().find(|(r, _)| {
            tag.group() & r.group_mask == r.group && tag.element() & r.element_mask == r.element
        }) {
            return *a;
        }
        if tag.element() == 0x0000 {
            return Action::Keep; // a group length
        }
        let Some(keyword) = keyword_of(tag) else {
            return Action::Remove; // unknown: nobody can say what it holds
        };
        if tag == Tag(0xFFFC, 0xFFFC) {
            return Action::Remove; // trailing padding holds nothing
        }
        if tag.group() == 0x0010 {
            return if PATIENT_GROUP_KEPT.contains(&keyword)
                || (self.retains(Retain::PatientCharacteristics)
                    && PATIENT_CHARACTERISTICS.contains(&keyword))
            {
                Action::Keep
            } else {
                Action::Remove
            };
        }
        match vr {
            VR::PN => Action::Zero,
            VR::LT | VR::ST | VR::UT => self.free_text,
            VR::LO | VR::SH | VR::UC | VR::CS if DESCRIPTOR_WORDS.iter().any(|w| keyword.contains(w)) => {
                self.free_text
            }
            _ => Action::Keep,
        }
    }
}

#[cfg(test)]
mod tests {
    use dicom_core::VR;
    use dicom_dictionary_std::tags;

    use super::*;
    use crate::gate::scan::dictionary_vr;

    fn act(p: &Profile, tag: Tag) -> Action {
        p.action(tag, dictionary_vr(tag).unwrap_or(VR::UN))
    }

    #[test]
    fn the_table_drives_the_actions() {
        let p = Profile::new(&[]);
        assert_eq!(act(&p, tags::PATIENT_NAME), Action::Zero);
        assert_eq!(act(&p, tags::PATIENT_BIRTH_DATE), Action::Zero);
        assert_eq!(act(&p, tags::PATIENT_ADDRESS), Action::Remove);
        assert_eq!(act(&p, tags::STUDY_INSTANCE_UID), Action::Uid);
        assert_eq!(act(&p, tags::REFERENCED_IMAGE_SEQUENCE), Action::Dummy);
        assert_eq!(act(&p, tags::MODALITY), Action::Keep);
        // Curves, overlay data and overlay comments, by range.
        assert_eq!(act(&p, Tag(0x5002, 0x3000)), Action::Remove);
        assert_eq!(act(&p, Tag(0x6002, 0x3000)), Action::Remove);
        assert_eq!(act(&p, Tag(0x6000, 0x0010)), Action::Remove);
        assert_eq!(act(&p, tags::REFERENCED_STUDY_SEQUENCE), Action::Dummy);
        assert_eq!(act(&p, tags::REFERENCED_PATIENT_SEQUENCE), Action::Remove);
        let kept = Profile::new(&[Retain::Uids, Retain::LongitudinalDates, Retain::PatientId]);
        assert_eq!(act(&kept, tags::STUDY_INSTANCE_UID), Action::Keep);
        assert_eq!(act(&kept, tags::STUDY_DATE), Action::Shift);
        assert_eq!(act(&kept, tags::STUDY_TIME), Action::Keep);
        assert_eq!(act(&kept, tags::PATIENT_BIRTH_DATE), Action::Zero);
        assert_eq!(act(&kept, tags::PATIENT_ID), Action::Keep);
    }

    #[test]
    fn beyond_the_table_names_free_text_meta_identity_and_unknown_tags_go() {
        let p = Profile::new(&[]);
        // A person name the table does not name; free text (an SR text value).
        assert_eq!(act(&p, tags::PERSON_NAME), Action::Dummy, "the table's own action");
        assert_eq!(act(&p, tags::NAME_OF_PHYSICIANS_READING_STUDY), Action::Remove);
        assert_eq!(act(&p, tags::TEXT_VALUE), Action::Dummy);
        assert_eq!(act(&Profile::new(&[Retain::CleanDescriptors]), tags::TEXT_VALUE), Action::Clean);
        assert_eq!(act(&Profile::new(&[Retain::CleanDescriptors]), tags::SERIES_DESCRIPTION), Action::Clean);
        assert_eq!(act(&p, tags::SOURCE_APPLICATION_ENTITY_TITLE), Action::Remove);
        assert_eq!(act(&p, tags::PRIVATE_INFORMATION), Action::Remove);
        assert_eq!(act(&p, Tag(0x0010, 0xABCD)), Action::Remove, "not in the dictionary");
        assert_eq!(act(&p, Tag(0x0028, 0x0000)), Action::Keep, "a group length");
        assert_eq!(act(&p, tags::SOP_CLASS_UID), Action::Keep);
        assert_eq!(act(&p, tags::PATIENT_BIRTH_DATE_IN_ALTERNATIVE_CALENDAR), Action::Remove);
        assert_eq!(act(&p, tags::PATIENT_SPECIES_DESCRIPTION), Action::Keep);
        assert_eq!(act(&p, tags::CONTENT_DESCRIPTION), Action::Dummy);
        assert_eq!(act(&Profile::new(&[Retain::CleanDescriptors]), tags::CONTENT_LABEL), Action::Clean);
        assert_eq!(act(&p, Tag(0xFFFC, 0xFFFC)), Action::Remove);
        assert_eq!(Retain::from_code(b"113105"), Some(Retain::CleanDescriptors));
        assert_eq!(Retain::from_code(b"113100"), None);
    }
}

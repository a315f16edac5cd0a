//! The de-identification profile: what happens to each attribute. The DICOM PS3.15 Annex E
//! basic application level confidentiality profile, read from its table (the same file the
//! gate's defaults are checked against), and the options Annex E names, which keep (or clean)
//! attributes the basic profile would remove.

use std::collections::HashMap;

use dicom_core::Tag;
use dicom_core::dictionary::{DataDictionary, DataDictionaryEntry};
use dicom_dictionary_std::StandardDataDictionary;
use serde::Serialize;

use crate::gate::policy::ANNEX_E;

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
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, clap::ValueEnum)]
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
    "PatientState",
    "Allergies",
    "MedicalAlerts",
    "SpecialNeeds",
];

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
];

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
                Retain::PatientCharacteristics => set(&mut actions, PATIENT_CHARACTERISTICS, Action::Keep),
                Retain::DeviceIdentity => set(&mut actions, DEVICE_IDENTITY, Action::Keep),
                Retain::CleanDescriptors => set(&mut actions, DESCRIPTORS, Action::Clean),
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
        Profile { actions, ranges, options, safe_private: Vec::new() }
    }

    pub fn retains(&self, option: Retain) -> bool {
        self.options.contains(&option)
    }

    /// What happens to the attribute with this tag; None: not in the table (kept).
    pub fn action(&self, tag: Tag) -> Option<Action> {
        if let Some(a) = self.actions.get(&tag) {
            return Some(*a);
        }
        self.ranges
            .iter()
            .find(|(r, _)| {
                tag.group() & r.group_mask == r.group && tag.element() & r.element_mask == r.element
            })
            .map(|(_, a)| *a)
    }
}

#[cfg(test)]
mod tests {
    use dicom_dictionary_std::tags;

    use super::*;

    #[test]
    fn the_table_drives_the_actions() {
        let p = Profile::new(&[]);
        assert_eq!(p.action(tags::PATIENT_NAME), Some(Action::Zero));
        assert_eq!(p.action(tags::PATIENT_BIRTH_DATE), Some(Action::Zero));
        assert_eq!(p.action(tags::PATIENT_ADDRESS), Some(Action::Remove));
        assert_eq!(p.action(tags::STUDY_INSTANCE_UID), Some(Action::Uid));
        assert_eq!(p.action(tags::REFERENCED_IMAGE_SEQUENCE), Some(Action::Dummy));
        assert_eq!(p.action(tags::MODALITY), None);
        // Curves, overlay data and overlay comments, by range.
        assert_eq!(p.action(Tag(0x5002, 0x3000)), Some(Action::Remove));
        assert_eq!(p.action(Tag(0x6002, 0x3000)), Some(Action::Remove));
        assert_eq!(p.action(Tag(0x6000, 0x0010)), Some(Action::Remove));
        assert_eq!(p.action(tags::REFERENCED_STUDY_SEQUENCE), Some(Action::Dummy));
        assert_eq!(p.action(tags::REFERENCED_PATIENT_SEQUENCE), Some(Action::Remove));
        let kept = Profile::new(&[Retain::Uids, Retain::LongitudinalDates, Retain::PatientId]);
        assert_eq!(kept.action(tags::STUDY_INSTANCE_UID), Some(Action::Keep));
        assert_eq!(kept.action(tags::STUDY_DATE), Some(Action::Shift));
        assert_eq!(kept.action(tags::STUDY_TIME), Some(Action::Keep));
        assert_eq!(kept.action(tags::PATIENT_BIRTH_DATE), Some(Action::Zero));
        assert_eq!(kept.action(tags::PATIENT_ID), Some(Action::Keep));
    }
}

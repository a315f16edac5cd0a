//! The gate's policy: which attributes identify a patient, what may be kept, what counts as
//! no value at all. Defaults follow the identifying attributes of the DICOM PS3.15 Annex E
//! basic profile; a policy file (JSON) can change them.

use serde::{Deserialize, Serialize};

/// The Annex E table (2026c): tag, VR, basic-profile action, keyword.
pub const ANNEX_E: &str = include_str!("annex_e_2026c.tsv");

/// Patient demographics of the Annex E basic profile that identify a person: names, birth date
/// and time, address, telephone numbers, other patient IDs and names, mother's birth name,
/// military rank, and their kin. (Patient ID and accession number have their own switches.)
pub const DEFAULT_IDENTIFYING: &[&str] = &[
    "PatientName",
    "PatientBirthDate",
    "PatientBirthTime",
    "PatientBirthName",
    "PatientAddress",
    "PatientTelephoneNumbers",
    "PatientTelecomInformation",
    "OtherPatientIDs",
    "OtherPatientIDsSequence",
    "OtherPatientNames",
    "PatientMotherBirthName",
    "MilitaryRank",
    "BranchOfService",
    "IssuerOfPatientID",
    "MedicalRecordLocator",
    "CountryOfResidence",
    "RegionOfResidence",
    "ResponsiblePerson",
    "PatientInsurancePlanCodeSequence",
    "Occupation",
    "PatientReligiousPreference",
];

/// Values that are not identity: these (case-insensitive) and anything made only of carets,
/// spaces and backslashes.
pub const DEFAULT_DUMMIES: &[&str] = &["ANONYMOUS", "ANONYMIZED", "ANONYMISED", "REMOVED"];

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// Keywords of attributes that may not carry a value.
    pub identifying: Vec<String>,
    /// Keep Patient ID (0010,0020): only where the local trust allows it.
    pub retain_patient_id: bool,
    /// Keep Accession Number (0008,0050): only where the local trust allows it.
    pub retain_accession_number: bool,
    /// Values that count as no value (a policy's dummy names).
    pub dummy_values: Vec<String>,
    /// Refuse a person name (VR PN) wherever it stands, private elements included.
    pub refuse_person_names: bool,
    /// Refuse images that carry, or likely carry, patient data burned into the pixels.
    pub refuse_burned_in: bool,
    /// Private elements the site knows to be safe, kept by `vault scrub --retain safe-private`
    /// (the Annex E Retain Safe Private option). vault ships none: a site lists what it has
    /// checked for its own devices.
    pub safe_private: Vec<SafePrivate>,
}

/// One private element, by its block's creator, its group and its element within the block
/// (the low byte: (0019,xx0C) is group 0x0019, element 0x0C).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SafePrivate {
    pub creator: String,
    pub group: u16,
    pub element: u8,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            identifying: DEFAULT_IDENTIFYING.iter().map(|s| s.to_string()).collect(),
            retain_patient_id: false,
            retain_accession_number: false,
            dummy_values: DEFAULT_DUMMIES.iter().map(|s| s.to_string()).collect(),
            refuse_person_names: true,
            refuse_burned_in: true,
            safe_private: Vec::new(),
        }
    }
}

impl Policy {
    /// True when `value` carries nothing: empty, only carets/spaces/backslashes, or a dummy.
    pub fn is_blank(&self, value: &str) -> bool {
        let trimmed =
            value.trim_matches(|c: char| c == '^' || c == '\\' || c == '=' || c.is_whitespace() || c == '\0');
        trimmed.is_empty() || self.dummy_values.iter().any(|d| d.eq_ignore_ascii_case(trimmed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_attribute_is_one_the_basic_profile_removes() {
        for keyword in DEFAULT_IDENTIFYING {
            let row = ANNEX_E
                .lines()
                .find(|l| l.split('\t').nth(3) == Some(keyword))
                .unwrap_or_else(|| panic!("{keyword} is not in the Annex E table"));
            let action = row.split('\t').nth(2).unwrap();
            assert!(
                !action.starts_with('K') && !action.starts_with('U'),
                "{keyword}: Annex E keeps it ({action})"
            );
        }
    }

    #[test]
    fn blank_values() {
        let p = Policy::default();
        for v in ["", "  ", "^^^", "anonymous", "ANONYMIZED", "^ ^", "\\"] {
            assert!(p.is_blank(v), "{v:?}");
        }
        for v in ["Doe^Jane", "X", "19700101"] {
            assert!(!p.is_blank(v), "{v:?}");
        }
    }
}

//! The gate's policy: which options of the de-identification profile a site allows, whether
//! the local trust lets patient IDs and accession numbers stay, what counts as no value, and
//! which private elements the site has found safe. The profile itself (Annex E's basic profile)
//! is not a setting: it is the law (`law`).
//!
//! A vault keeps its policy in its store as JSON text (setting [`crate::settings::GATE_POLICY`]), so that fields can
//! be added without breaking what older versions wrote; a policy an older vault kept in the
//! first, binary form ([`crate::settings::GATE_POLICY_LEGACY`]) is read and carried over. A damaged policy record is
//! an error, never the default.

use serde::{Deserialize, Serialize};

use super::profile::Retain;

/// The Annex E table (2026c): tag, VR, basic-profile action, keyword.
pub const ANNEX_E: &str = include_str!("annex_e_2026c.tsv");

/// Values that are not identity: these (case-insensitive) and anything made only of carets,
/// spaces and backslashes.
pub const DEFAULT_DUMMIES: &[&str] = &["ANONYMOUS", "ANONYMIZED", "ANONYMISED", "REMOVED", "CLEANED"];

/// Mounting warns when the last complete mirror is older than this many days.
pub const DEFAULT_BACKUP_MAX_AGE_DAYS: u32 = 7;

/// The options a vault allows unless its policy says otherwise: what a teaching file needs and
/// the governance rules let stay (descriptions cleaned, age and sex, dates shifted, which device).
pub const DEFAULT_OPTIONS: &[Retain] = &[
    Retain::LongitudinalDates,
    Retain::PatientCharacteristics,
    Retain::DeviceIdentity,
    Retain::CleanDescriptors,
];

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// Annex E options the site allows. A file's declaration of an option (in its
    /// DeidentificationMethodCodeSequence) counts only for these. Patient ID and accession
    /// number have their own switches.
    pub options: Vec<Retain>,
    /// Keep Patient ID (0010,0020): only where the local trust allows it.
    pub retain_patient_id: bool,
    /// Keep Accession Number (0008,0050): only where the local trust allows it.
    pub retain_accession_number: bool,
    /// Values that count as no value (a policy's dummy names).
    pub dummy_values: Vec<String>,
    /// Refuse images that carry, or likely carry, patient data burned into the pixels.
    pub refuse_burned_in: bool,
    /// Read the text in images' pixels (OCR) and refuse what identifies; off, the header
    /// decides alone (images of the classes that usually carry text are refused unless they
    /// say BurnedInAnnotation NO).
    pub ocr: bool,
    /// Have OCR read every image, original CT, MR and PET slices too.
    pub ocr_every_image: bool,
    /// Private elements the site knows to be safe, kept under the Annex E Retain Safe Private
    /// option. vault ships none: a site lists what it has checked for its own devices.
    pub safe_private: Vec<SafePrivate>,
    /// Days after the last complete mirror at which mounting warns that the backup is old
    /// (there is always a backup); 0: never warn. Not a rule of the gate: kept here so that
    /// one record holds the vault's policy.
    pub backup_max_age_days: u32,
    /// The calling AE titles `vault receive` takes associations from (exact, case-sensitive,
    /// as DICOM compares them); none: it takes none. Not a rule of the gate either: every
    /// instance a sender sends still passes the gate.
    pub senders: Vec<String>,
    /// The peer addresses (IP, as the receiver sees them) senders must come from; none: any.
    pub sender_addresses: Vec<String>,
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
            options: DEFAULT_OPTIONS.to_vec(),
            retain_patient_id: false,
            retain_accession_number: false,
            dummy_values: DEFAULT_DUMMIES.iter().map(|s| s.to_string()).collect(),
            refuse_burned_in: true,
            ocr: true,
            ocr_every_image: false,
            safe_private: Vec::new(),
            backup_max_age_days: DEFAULT_BACKUP_MAX_AGE_DAYS,
            senders: Vec::new(),
            sender_addresses: Vec::new(),
        }
    }
}

/// The policy as vaults made before the law kept it (postcard: field order is the format).
#[derive(Deserialize)]
pub struct LegacyPolicy {
    _identifying: Vec<String>,
    retain_patient_id: bool,
    retain_accession_number: bool,
    dummy_values: Vec<String>,
    _refuse_person_names: bool,
    refuse_burned_in: bool,
    safe_private: Vec<SafePrivate>,
}

impl From<LegacyPolicy> for Policy {
    /// What it said carries over; the attribute list it had is the law's now.
    fn from(old: LegacyPolicy) -> Policy {
        let mut dummy_values = old.dummy_values;
        for d in DEFAULT_DUMMIES {
            if !dummy_values.iter().any(|v| v.eq_ignore_ascii_case(d)) {
                dummy_values.push(d.to_string());
            }
        }
        let mut options = DEFAULT_OPTIONS.to_vec();
        if !old.safe_private.is_empty() {
            options.push(Retain::SafePrivate);
        }
        Policy {
            options,
            retain_patient_id: old.retain_patient_id,
            retain_accession_number: old.retain_accession_number,
            dummy_values,
            refuse_burned_in: old.refuse_burned_in,
            safe_private: old.safe_private,
            ..Policy::default()
        }
    }
}

/// Why `value` may not be a dummy: a dummy counts as no value wherever it stands, so one that
/// a patient's ID, date or labelled field could be would let that value through. Five digits or
/// more, however punctuated (an MRN, `03/02/1971`, an NHS number), or a labelled field's shape.
/// A name in DICOM's form (`TEACHING^FILE`) may be one: a site names its teaching files so.
pub fn unfit_dummy(value: &str) -> Option<&'static str> {
    if value.chars().filter(|c| c.is_ascii_digit()).count() >= 5 {
        return Some("five digits or more, as an ID or a date has");
    }
    crate::gate::shape::labelled(value.as_bytes()).then_some("a labelled field's shape")
}

impl Policy {
    /// True when `value` carries nothing: empty, only carets/spaces/backslashes, or a dummy.
    pub fn is_blank(&self, value: &str) -> bool {
        // ASCII blanks only: a non-breaking space is a character of a name in other encodings
        // (GBK's 0xC2 0xA0 is one), not nothing.
        let trimmed = value.trim_matches(|c: char| {
            c == '^' || c == '\\' || c == '=' || c.is_ascii_whitespace() || c == '\0'
        });
        trimmed.is_empty()
            || (self.dummy_values.iter().any(|d| d.eq_ignore_ascii_case(trimmed))
                && unfit_dummy(trimmed).is_none())
    }

    /// True when the site allows this option.
    pub fn allows(&self, option: Retain) -> bool {
        match option {
            Retain::PatientId => self.retain_patient_id,
            Retain::AccessionNumber => self.retain_accession_number,
            _ => self.options.contains(&option),
        }
    }

    /// The policy as the store keeps it.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a policy serializes")
    }

    pub fn from_json(text: &str) -> Result<Policy, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Reads a policy file (JSON, as `vault policy show --json` prints it).
    pub fn load(path: &std::path::Path) -> crate::error::Result<Policy> {
        let text = crate::error::with_path(std::fs::read_to_string(path), path, "cannot read the policy")?;
        Policy::from_json(&text).map_err(|e| {
            crate::error::UsageError(format!("{}: not a valid policy: {e}", path.display())).into()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_values() {
        let p = Policy::default();
        for v in ["", "  ", "^^^", "anonymous", "ANONYMIZED", "^ ^", "\\", "CLEANED"] {
            assert!(p.is_blank(v), "{v:?}");
        }
        for v in ["Doe^Jane", "X", "19700101"] {
            assert!(!p.is_blank(v), "{v:?}");
        }
    }

    #[test]
    fn a_legacy_policy_carries_over() {
        #[derive(Serialize)]
        struct Old(Vec<String>, bool, bool, Vec<String>, bool, bool, Vec<SafePrivate>);
        let old = Old(vec!["PatientName".into()], true, false, vec!["NOBODY".into()], true, false, vec![]);
        let bytes = postcard::to_stdvec(&old).unwrap();
        let p: Policy = postcard::from_bytes::<LegacyPolicy>(&bytes).unwrap().into();
        assert!(p.retain_patient_id && !p.retain_accession_number && !p.refuse_burned_in);
        assert!(p.is_blank("nobody") && p.is_blank("ANONYMOUS"));
        assert_eq!(p.options, DEFAULT_OPTIONS);
        assert_eq!(Policy::from_json(&p.to_json()).unwrap(), p);
    }
}

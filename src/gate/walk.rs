//! Walking a data set: every element at every depth, against the policy.

use std::collections::BTreeSet;

use dicom_core::dictionary::{DataDictionary, DataDictionaryEntry};
use dicom_core::header::HasLength;
use dicom_core::{Tag, VR};
use dicom_dictionary_std::{StandardDataDictionary, tags};
use dicom_object::InMemDicomObject;

use super::{Policy, Reason};

/// SOP classes whose images usually carry burned-in patient data: ultrasound, nuclear
/// medicine, and the secondary-capture family (screen captures).
const BURNED_IN_SOP_CLASSES: &[&str] = &[
    "1.2.840.10008.5.1.4.1.1.6.1", // Ultrasound Image
    "1.2.840.10008.5.1.4.1.1.6",   // Ultrasound Image (retired)
    "1.2.840.10008.5.1.4.1.1.3.1", // Ultrasound Multi-frame Image
    "1.2.840.10008.5.1.4.1.1.3",   // Ultrasound Multi-frame Image (retired)
    "1.2.840.10008.5.1.4.1.1.20",  // Nuclear Medicine Image
    "1.2.840.10008.5.1.4.1.1.7",   // Secondary Capture Image
    "1.2.840.10008.5.1.4.1.1.7.1", // Multi-frame Single Bit Secondary Capture
    "1.2.840.10008.5.1.4.1.1.7.2", // Multi-frame Grayscale Byte Secondary Capture
    "1.2.840.10008.5.1.4.1.1.7.3", // Multi-frame Grayscale Word Secondary Capture
    "1.2.840.10008.5.1.4.1.1.7.4", // Multi-frame True Color Secondary Capture
];
const BURNED_IN_MODALITIES: &[&str] = &["US", "NM"];

fn tag_text(tag: Tag) -> String {
    format!("({:04X},{:04X})", tag.group(), tag.element())
}

fn keyword(tag: Tag) -> String {
    StandardDataDictionary
        .by_tag(tag)
        .map(|e| e.alias().to_string())
        .unwrap_or_else(|| if tag.group() % 2 == 1 { "(private)".into() } else { "(unknown)".into() })
}

fn text(object: &InMemDicomObject, tag: Tag) -> Option<String> {
    object.element(tag).ok().and_then(|e| e.value().to_str().ok()).map(|s| s.trim().to_string())
}

/// A private element whose VR the file does not say (implicit VR: read as UN) and whose value
/// is printable text in the form of a person name (`Family^Given`): a name it is taken for.
fn looks_like_a_name(element: &dicom_object::mem::InMemElement) -> bool {
    if element.vr() != VR::UN || element.header().tag.group() % 2 == 0 {
        return false;
    }
    let Ok(bytes) = element.value().to_bytes() else { return false };
    let text = bytes.strip_suffix(b" ").or(bytes.strip_suffix(b"\0")).unwrap_or(&bytes);
    text.contains(&b'^')
        && text.iter().any(|b| b.is_ascii_alphabetic())
        && text.iter().all(|&b| b.is_ascii_graphic() || b == b' ' || b == 0)
}

struct Walk<'p> {
    policy: &'p Policy,
    identifying: BTreeSet<Tag>,
    reasons: Vec<Reason>,
}

impl Walk<'_> {
    fn refuse(&mut self, rule: &'static str, tag: Tag, location: &str) {
        self.reasons.push(Reason {
            rule,
            tag: tag_text(tag),
            keyword: keyword(tag),
            location: location.to_string(),
        });
    }

    fn has_value(&self, element: &dicom_object::mem::InMemElement) -> bool {
        match element.value().to_str() {
            Ok(text) => !self.policy.is_blank(&text),
            // A value that cannot be read as text (binary, bad encoding) counts as present.
            Err(_) => !element.value().is_empty(),
        }
    }

    fn walk(&mut self, object: &InMemDicomObject, location: &str) {
        for element in object {
            let tag = element.header().tag;
            if let Some(items) = element.value().items() {
                if self.identifying.contains(&tag) && !items.is_empty() {
                    self.refuse("identifying-attribute", tag, location);
                }
                for (i, item) in items.iter().enumerate() {
                    self.walk(item, &format!("{location}{}[{i}]/", keyword(tag)));
                }
                continue;
            }
            if tag == tags::PIXEL_DATA {
                continue;
            }
            // Which rule would refuse this element if it has a value; the value itself (text
            // made from it) is looked at only then.
            let rule = if self.identifying.contains(&tag) {
                "identifying-attribute"
            } else if tag == tags::PATIENT_ID && !self.policy.retain_patient_id {
                "patient-id"
            } else if tag == tags::ACCESSION_NUMBER && !self.policy.retain_accession_number {
                "accession-number"
            } else if self.policy.refuse_person_names
                && (element.vr() == VR::PN || looks_like_a_name(element))
            {
                "person-name"
            } else {
                continue;
            };
            if self.has_value(element) {
                self.refuse(rule, tag, location);
            }
        }
    }

    fn burned_in(&mut self, object: &InMemDicomObject) {
        if !self.policy.refuse_burned_in || object.element(tags::PIXEL_DATA).is_err() {
            return;
        }
        match text(object, tags::BURNED_IN_ANNOTATION).map(|v| v.to_ascii_uppercase()).as_deref() {
            Some("YES") => self.refuse("burned-in-annotation", tags::BURNED_IN_ANNOTATION, ""),
            Some("NO") => {}
            _ => {
                let modality = text(object, tags::MODALITY).unwrap_or_default();
                let sop = text(object, tags::SOP_CLASS_UID).unwrap_or_default();
                let sop = sop.trim_end_matches('\0');
                let image_type = text(object, tags::IMAGE_TYPE).unwrap_or_default().to_ascii_uppercase();
                if BURNED_IN_MODALITIES.contains(&modality.as_str())
                    || BURNED_IN_SOP_CLASSES.contains(&sop)
                    || image_type.contains("SCREEN SAVE")
                {
                    self.refuse("burned-in-likely", tags::BURNED_IN_ANNOTATION, "");
                }
            }
        }
    }
}

/// Every reason the policy has to refuse this data set.
pub fn reasons(object: &InMemDicomObject, policy: &Policy) -> Vec<Reason> {
    let identifying = policy
        .identifying
        .iter()
        .filter_map(|k| StandardDataDictionary.by_name(k).and_then(|e| e.tag_range().inner().into()))
        .collect();
    let mut walk = Walk { policy, identifying, reasons: Vec::new() };
    walk.walk(object, "");
    walk.burned_in(object);
    walk.reasons
}

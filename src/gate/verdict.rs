//! What the gate says of a file: accept, or refuse with reasons that name the rule, the
//! element and where, never a value.

use serde::Serialize;

use super::Retain;

/// Why a file was refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// The rule: identifying-attribute, person-name, patient-id, accession-number, free-text,
    /// identity-in-text, uid-not-replaced, value-not-its-vr, not-a-defined-term, private-element, unknown-attribute,
    /// duplicate-element, element-out-of-order, burned-in-annotation, burned-in-likely,
    /// burned-in-text, burned-in-unread, image-metadata, unreadable-dicom, unreadable-archive,
    /// unsupported-container, archive-text, identity-in-name, archive-depth, archive-ratio, archive-too-large,
    /// hidden-text, embedded-dicom, outside-the-model, identity-not-removed, identity-in-document,
    /// too-many-text-objects.
    pub rule: &'static str,
    /// "(gggg,eeee)", or empty when the rule is about the whole file.
    pub tag: String,
    pub keyword: String,
    /// Where: members of containers as `name!/`, nested sequences as `Keyword[item]/`, and a
    /// reading other than the file's own as `@offset encoding/`.
    #[serde(rename = "where")]
    pub location: String,
    /// More about the rule (which shape of text; which container format), never the value.
    #[serde(skip_serializing_if = "str::is_empty")]
    pub detail: &'static str,
    /// An option of the profile under which the element would conform, where the policy
    /// allows it (the file does not declare it, or its value does not pass even then).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub option: Option<Retain>,
    /// Where in the pixels (burned-in text): the frame and the box.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Box<Region>>,
}

/// A box in one frame of an image (frames counted from 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Region {
    pub frame: u32,
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl std::fmt::Display for Region {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "frame {}, {}x{} at ({},{})", self.frame, self.width, self.height, self.x, self.y)
    }
}

/// `rule: (gggg,eeee) Keyword in where, in frame N, box (detail)`: never a value.
impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:", self.rule)?;
        for part in [&self.tag, &self.keyword] {
            if !part.is_empty() {
                write!(f, " {part}")?;
            }
        }
        if !self.location.is_empty() {
            write!(f, " in {}", self.location)?;
        }
        if let Some(region) = &self.region {
            write!(f, " in {region}")?;
        }
        if !self.detail.is_empty() {
            write!(f, " ({})", self.detail)?;
        }
        Ok(())
    }
}

/// The fix for what the profile removes or replaces: a command a person can run as it stands but
/// for the two folders (the file's own, which no door knows, and a new one).
const SCRUB_FIRST: &str = "de-identify it first: vault scrub SOURCE --out CLEANED, then bring in CLEANED";

impl Reason {
    /// What would let the file in, in words: the scrub option, or what else to do.
    pub fn fix(&self) -> String {
        match self.rule {
            "burned-in-annotation" | "burned-in-likely" | "burned-in-text" => {
                "vault scrub --redact auto blanks the text and proves nothing legible is left (or leave the image out)"
                    .into()
            }
            "drawn-text" => {
                "the value draws letters with characters: remove it (vault scrub does, unless a --retain option keeps it), or leave the file out"
                    .into()
            }
            "burned-in-unread" => match self.detail {
                d if d.contains("not installed") => {
                    "install the OCR engine (apt install tesseract-ocr tesseract-ocr-eng)".into()
                }
                _ => "leave the image out, or re-export it uncompressed from its source".into(),
            },
            "embedded-dicom" => {
                "the file hides another DICOM file in its bytes: leave it out, or re-export it from its source"
                    .into()
            }
            "unreadable-dicom" | "duplicate-element" | "element-out-of-order" | "outside-the-model" => {
                "the file is malformed: readers disagree on it; re-export it from its source, or leave it out"
                    .into()
            }
            "identity-in-document" => {
                "the document names a patient: take the patient's details out of it, or leave it out".into()
            }
            "identity-in-name" if self.detail == "a file or folder name" => {
                "rename it (a name in the vault may not hold a patient's name, a labelled ID or a birth date)"
                    .into()
            }
            "identity-in-name" => {
                "a name the archive carries looks like a patient's: unpack it, rename what is named so, and give vault the files"
                    .into()
            }
            "unreadable-archive"
            | "archive-text"
            | "unsupported-container"
            | "archive-depth"
            | "archive-ratio"
            | "archive-too-large" => "unpack it and give vault the files".into(),
            _ => match self.option {
                Some(o) => format!(
                    "{SCRUB_FIRST}; with --retain {} it stays{}",
                    o.name(),
                    if matches!(o, Retain::CleanDescriptors) { ", cleaned" } else { "" }
                ),
                None => SCRUB_FIRST.into(),
            },
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// False when the file may not enter the vault.
    pub accept: bool,
    /// True when some reading took the content for DICOM.
    pub dicom: bool,
    pub reasons: Vec<Reason>,
    /// True when OCR read (or tried to read) pixels of the file: an image file, or a DICOM
    /// image of a class the policy has read.
    pub pixels_read: bool,
    /// True when a reading that took the content for DICOM stopped part way: what lies past
    /// where it stopped was judged by no reading of it.
    pub torn: bool,
}

impl Verdict {
    pub fn plain() -> Verdict {
        Verdict { accept: true, dicom: false, reasons: vec![], pixels_read: false, torn: false }
    }

    /// The reason to tell first where only one is told (a desktop notice): one about the patient's
    /// own attributes where there is one, else the first.
    pub fn telling_reason(&self) -> Option<&Reason> {
        let patients = |r: &&Reason| {
            matches!(r.rule, "person-name" | "identifying-attribute" | "patient-id" | "accession-number")
        };
        self.reasons.iter().find(patients).or(self.reasons.first())
    }

    pub(super) fn refuse(&mut self, reasons: impl IntoIterator<Item = Reason>) {
        for r in reasons {
            self.accept = false;
            if !self.reasons.contains(&r) {
                self.reasons.push(r);
            }
        }
    }

    pub(super) fn merge(&mut self, other: Verdict) {
        self.dicom |= other.dicom;
        self.pixels_read |= other.pixels_read;
        self.refuse(other.reasons);
    }
}

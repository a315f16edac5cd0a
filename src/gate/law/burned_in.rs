//! The header's facts about the pixels, and the burned-in rules they decide.

use super::*;

/// SOP classes whose images usually carry burned-in patient data: ultrasound, nuclear
/// medicine, and the secondary-capture family (screen captures). Where OCR is off, the header
/// alone refuses them unless they say BurnedInAnnotation NO.
pub(super) const BURNED_IN_SOP_CLASSES: &[&[u8]] = &[
    b"1.2.840.10008.5.1.4.1.1.6.1", // Ultrasound Image
    b"1.2.840.10008.5.1.4.1.1.6",   // Ultrasound Image (retired)
    b"1.2.840.10008.5.1.4.1.1.3.1", // Ultrasound Multi-frame Image
    b"1.2.840.10008.5.1.4.1.1.3",   // Ultrasound Multi-frame Image (retired)
    b"1.2.840.10008.5.1.4.1.1.20",  // Nuclear Medicine Image
    b"1.2.840.10008.5.1.4.1.1.7",   // Secondary Capture Image
    b"1.2.840.10008.5.1.4.1.1.7.1", // Multi-frame Single Bit Secondary Capture
    b"1.2.840.10008.5.1.4.1.1.7.2", // Multi-frame Grayscale Byte Secondary Capture
    b"1.2.840.10008.5.1.4.1.1.7.3", // Multi-frame Grayscale Word Secondary Capture
    b"1.2.840.10008.5.1.4.1.1.7.4", // Multi-frame True Color Secondary Capture
];
const BURNED_IN_MODALITIES: &[&[u8]] = &[b"US", b"NM"];

/// Modalities whose original slices OCR does not read unless the policy asks: cross-sections
/// reconstructed by the scanner, grey, with no text in their pixels.
const CROSS_SECTIONS: &[&[u8]] = &[b"CT", b"MR", b"PT"];

/// The SOP classes of those slices: a header that says CT on a digital X-ray or a photograph
/// is read all the same.
const CROSS_SECTION_SOP_CLASSES: &[&[u8]] = &[
    b"1.2.840.10008.5.1.4.1.1.2",     // CT Image
    b"1.2.840.10008.5.1.4.1.1.2.1",   // Enhanced CT Image
    b"1.2.840.10008.5.1.4.1.1.2.2",   // Legacy Converted Enhanced CT Image
    b"1.2.840.10008.5.1.4.1.1.4",     // MR Image
    b"1.2.840.10008.5.1.4.1.1.4.1",   // Enhanced MR Image
    b"1.2.840.10008.5.1.4.1.1.4.3",   // Enhanced MR Color Image
    b"1.2.840.10008.5.1.4.1.1.4.4",   // Legacy Converted Enhanced MR Image
    b"1.2.840.10008.5.1.4.1.1.128",   // Positron Emission Tomography Image
    b"1.2.840.10008.5.1.4.1.1.128.1", // Legacy Converted Enhanced PET Image
    b"1.2.840.10008.5.1.4.1.1.130",   // Enhanced PET Image
];

impl Law<'_> {
    /// Top-level facts and declared options, noted whatever else happens.
    pub(super) fn note(&mut self, e: &Element<'_>) {
        self.note_identity(e);
        if matches!(
            e.tag,
            tags::GRAPHIC_DATA
                | tags::CONTOUR_DATA
                | tags::POINT_COORDINATES_DATA
                | tags::DOUBLE_POINT_COORDINATES_DATA
                | tags::BLOCK_DATA
        ) {
            self.facts.drawings = true;
        }
        if e.tag != tags::PIXEL_DATA && drawn::may_draw(e.value) {
            self.written.add(e.tag, e.value);
        }
        let value = || Some(trim(e.value).to_vec());
        match self.levels.len() {
            0 => match e.tag {
                tags::BURNED_IN_ANNOTATION if self.facts.burned_in.is_none() => {
                    self.facts.burned_in = value()
                }
                tags::MODALITY if self.facts.modality.is_none() => self.facts.modality = value(),
                tags::SOP_CLASS_UID if self.facts.sop_class.is_none() => self.facts.sop_class = value(),
                tags::IMAGE_TYPE if self.facts.image_type.is_none() => self.facts.image_type = value(),
                tags::PHOTOMETRIC_INTERPRETATION if self.facts.photometric.is_none() => {
                    self.facts.photometric = value()
                }
                tags::PIXEL_DATA | Tag(0x7FE0, 0x0008) | Tag(0x7FE0, 0x0009) => self.facts.pixels = true,
                t => {
                    if let Some(i) = pixels::GEOMETRY.iter().position(|&g| g == t) {
                        self.facts.geometry[i] = header_number(e);
                    }
                }
            },
            1 if self.levels[0].tag == tags::DEIDENTIFICATION_METHOD_CODE_SEQUENCE
                && e.tag == tags::CODE_VALUE =>
            {
                if let Some(o) = Retain::from_code(trim(e.value)) {
                    self.declared.insert(o);
                }
            }
            _ => {}
        }
    }

    /// The patient's own values, which OCR looks for in the pixels (also as a value's declared
    /// character set shows it).
    pub(super) fn note_identity(&mut self, e: &Element<'_>) {
        if IDENTITY_TAGS.contains(&e.tag) {
            // A dummy (ANONYMIZED, REMOVED…) is no one's value: looking for it in the pixels
            // would only stop the memory of what OCR saw from being used.
            for v in e.value.split(|&b| b == b'\\') {
                if !self.policy.is_blank(&String::from_utf8_lossy(v)) {
                    self.identity.note(e.tag, v);
                }
            }
        }
    }

    /// The header's burned-in rules. A file that says its pixels carry patient data
    /// (BurnedInAnnotation YES) is refused. Where OCR is off, so is an image of a class that
    /// usually does (ultrasound, nuclear medicine, secondary capture, screen saves) unless it
    /// says NO; where OCR is on, the pixels of those are read instead ([`Law::needs_ocr`]).
    pub(super) fn burned_in(&mut self) {
        if !self.policy.refuse_burned_in || !self.facts.pixels {
            return;
        }
        let f = &self.facts;
        match f.burned_in.as_deref().map(|v| v.to_ascii_uppercase()).as_deref() {
            Some(b"YES") => {
                // Said whatever else was found: make room for it when the list is full.
                self.findings.truncate(MAX_REASONS - 1);
                self.find("burned-in-annotation", tags::BURNED_IN_ANNOTATION, None, false, None)
            }
            Some(b"NO") => {}
            _ if self.policy.ocr => {}
            _ => {
                let sop = f.sop_class.as_deref().map(|s| s.strip_suffix(b"\0").unwrap_or(s));
                let screen = f
                    .image_type
                    .as_deref()
                    .is_some_and(|t| t.to_ascii_uppercase().windows(11).any(|w| w == b"SCREEN SAVE"));
                if f.modality.as_deref().is_some_and(|m| BURNED_IN_MODALITIES.contains(&m))
                    || sop.is_some_and(|s| BURNED_IN_SOP_CLASSES.contains(&s))
                    || screen
                {
                    self.find("burned-in-likely", tags::BURNED_IN_ANNOTATION, None, false, None);
                }
            }
        }
    }

    /// True when the policy has OCR read this data set's pixels: every image, but for the
    /// original grey slices of CT, MR and PET (their modality, their image type and their SOP
    /// class all say so) unless the policy reads every image. What a
    /// header does not say (no image type, no photometric interpretation) is read.
    /// True when the policy has OCR read the lines this data set has a viewer draw (a
    /// presentation state's graphics, a structure set's contours): wherever there are any.
    pub fn needs_drawings_read(&self) -> bool {
        self.policy.refuse_burned_in && self.policy.ocr && self.facts.drawings
    }

    /// True when the policy has OCR read the values that draw letters with characters, and
    /// there are some.
    pub fn needs_art_read(&self) -> bool {
        self.policy.refuse_burned_in && self.policy.ocr && !self.written.drawings().is_empty()
    }

    pub fn needs_ocr(&self) -> bool {
        let (p, f) = (self.policy, &self.facts);
        if !(p.refuse_burned_in && p.ocr && f.pixels) {
            return false;
        }
        if p.ocr_every_image {
            return true;
        }
        let first_value = |v: &Option<Vec<u8>>| -> Vec<u8> {
            let v = v.as_deref().unwrap_or_default();
            let first = v.split(|&b| b == b'\\').next().unwrap_or_default();
            first.trim_ascii().to_ascii_uppercase()
        };
        let cross_section = CROSS_SECTIONS.contains(&first_value(&f.modality).as_slice());
        let original = first_value(&f.image_type) == b"ORIGINAL";
        // Absent, it is shown as grey by the viewers that show it at all.
        let grey = f.photometric.is_none() || first_value(&f.photometric).starts_with(b"MONOCHROME");
        let sop = f.sop_class.as_deref().map(|s| s.strip_suffix(b"\0").unwrap_or(s));
        let capture = sop.is_some_and(|s| BURNED_IN_SOP_CLASSES.contains(&s));
        let slice_class = sop.is_some_and(|s| CROSS_SECTION_SOP_CLASSES.contains(&s));
        !(cross_section && slice_class && original && grey && !capture)
    }
}

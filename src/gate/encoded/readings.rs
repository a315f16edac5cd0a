//! A text encoding's reading of a whole data set — DICOM JSON, DICOM XML, dcmtk's XML and
//! dcmdump's listing, or such text inside other text — through the law, keeping the binary
//! values it decodes for the gate to read as files.

use crate::gate::scan;
use crate::gate::{Policy, Reason, law};

/// DICOM JSON and XML readings: Some(reasons, binary values) when the bytes are one of them.
pub(in crate::gate) fn readings(bytes: &[u8], policy: &Policy) -> Option<(Vec<Reason>, Vec<Binary>)> {
    let mut json = Binaries { law: law::Law::new(policy), values: Vec::new() };
    if super::json(bytes, &mut json).is_some() {
        return Some((json.law.reasons(false), json.values));
    }
    // The file is DICOM XML, or other text with DICOM JSON or XML inside it.
    let mut xml = Binaries { law: law::Law::new(policy), values: Vec::new() };
    let mut read = super::xml(bytes, &mut xml);
    // dcmtk's own text forms of a whole data set: its XML, and dcmdump's listing.
    if read.is_none() {
        xml = Binaries { law: law::Law::new(policy), values: Vec::new() };
        read = super::dcmtk_xml(bytes, &mut xml);
    }
    if read.is_none() {
        xml = Binaries { law: law::Law::new(policy), values: Vec::new() };
        read = super::dcmdump(bytes, &mut xml).map(Ok);
    }
    if read.is_none() {
        xml = Binaries { law: law::Law::new(policy), values: Vec::new() };
        read = super::within(bytes, &mut xml);
    }
    match read {
        Some(Ok(_)) => Some((xml.law.reasons(false), xml.values)),
        Some(Err(())) => {
            let mut reasons = xml.law.reasons(true);
            reasons.push(crate::gate::unreadable("DICOM XML that cannot be read", String::new()));
            Some((reasons, xml.values))
        }
        None if super::claims_json(bytes) => {
            Some((vec![crate::gate::unreadable("DICOM JSON that cannot be read", String::new())], Vec::new()))
        }
        None => None,
    }
}

/// The law, and the values of binary VRs it saw: what a text encoding's readers decode to bytes.
struct Binaries<'p> {
    law: law::Law<'p>,
    values: Vec<Binary>,
}

/// A binary value of a text encoding, decoded: its tag and bytes.
type Binary = (dicom_core::Tag, Vec<u8>);

impl scan::Visitor for Binaries<'_> {
    fn element(&mut self, e: &scan::Element<'_>) {
        use dicom_core::VR;
        // No VR given: the reader takes the dictionary's, or UN.
        let binary =
            matches!(e.vr, None | Some(VR::OB | VR::OW | VR::OF | VR::OD | VR::OL | VR::OV | VR::UN));
        if binary && !e.value.is_empty() {
            self.values.push((e.tag, e.value.to_vec()));
        }
        self.law.element(e);
    }
    fn sequence(&mut self, tag: dicom_core::Tag, vr: Option<dicom_core::VR>) {
        self.law.sequence(tag, vr);
    }
    fn item(&mut self, index: usize) {
        self.law.item(index);
    }
    fn end_item(&mut self) {
        self.law.end_item();
    }
    fn end_sequence(&mut self) {
        self.law.end_sequence();
    }
    fn oddity(&mut self, oddity: scan::Oddity, tag: dicom_core::Tag) {
        self.law.oddity(oddity, tag);
    }
}

//! A text encoding's reading of a whole data set — DICOM JSON, DICOM XML, dcmtk's XML and
//! dcmdump's listing, or such text inside other text — through the law, keeping the binary
//! values it decodes for the gate to read as files.

use dicom_core::{Tag, VR};
use dicom_dictionary_std::tags;

use crate::gate::scan;
use crate::gate::{Policy, Reason, law};

/// What a text encoding's reading gives the gate: the law's reasons, the binary values it
/// decoded, and the image of each data set that has pixels, as a Part 10 file ([`Binaries::images`]).
pub(in crate::gate) struct Reading {
    pub reasons: Vec<Reason>,
    pub binaries: Vec<Binary>,
    pub images: Vec<Vec<u8>>,
}

/// DICOM JSON and XML readings: Some(reading) when the bytes are one of them.
pub(in crate::gate) fn readings(bytes: &[u8], policy: &Policy) -> Option<Reading> {
    let fresh = || Binaries { law: law::Law::new(policy), values: Vec::new(), images: Vec::new(), depth: 0 };
    let mut json = fresh();
    if super::json(bytes, &mut json).is_some() {
        let images = json.images();
        return Some(Reading { reasons: json.law.reasons(false), binaries: json.values, images });
    }
    // The file is DICOM XML, or other text with DICOM JSON or XML inside it.
    let mut xml = fresh();
    let mut read = super::xml(bytes, &mut xml);
    // dcmtk's own text forms of a whole data set: its XML, and dcmdump's listing.
    if read.is_none() {
        xml = fresh();
        read = super::dcmtk_xml(bytes, &mut xml);
    }
    if read.is_none() {
        xml = fresh();
        read = super::dcmdump(bytes, &mut xml).map(Ok);
    }
    if read.is_none() {
        xml = fresh();
        read = super::within(bytes, &mut xml);
    }
    match read {
        Some(Ok(_)) => {
            let images = xml.images();
            Some(Reading { reasons: xml.law.reasons(false), binaries: xml.values, images })
        }
        Some(Err(())) => {
            let images = xml.images();
            let mut reasons = xml.law.reasons(true);
            reasons.push(crate::gate::unreadable("DICOM XML that cannot be read", String::new()));
            Some(Reading { reasons, binaries: xml.values, images })
        }
        None if super::claims_json(bytes) => Some(Reading {
            reasons: vec![crate::gate::unreadable("DICOM JSON that cannot be read", String::new())],
            binaries: Vec::new(),
            images: Vec::new(),
        }),
        None => None,
    }
}

/// The top-level elements that say what the pixels are and how a viewer shows them: what an
/// image made of a text encoding's pixels keeps ([`Binaries::images`]).
const IMAGE_TAGS: &[Tag] = &[
    tags::IMAGE_TYPE,
    tags::SOP_CLASS_UID,
    tags::MODALITY,
    tags::SAMPLES_PER_PIXEL,
    tags::PHOTOMETRIC_INTERPRETATION,
    tags::PLANAR_CONFIGURATION,
    tags::NUMBER_OF_FRAMES,
    tags::ROWS,
    tags::COLUMNS,
    tags::PIXEL_ASPECT_RATIO,
    tags::BITS_ALLOCATED,
    tags::BITS_STORED,
    tags::HIGH_BIT,
    tags::PIXEL_REPRESENTATION,
    tags::BURNED_IN_ANNOTATION,
    tags::WINDOW_CENTER,
    tags::WINDOW_WIDTH,
    tags::RESCALE_INTERCEPT,
    tags::RESCALE_SLOPE,
    tags::RED_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
    tags::GREEN_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
    tags::BLUE_PALETTE_COLOR_LOOKUP_TABLE_DESCRIPTOR,
    tags::RED_PALETTE_COLOR_LOOKUP_TABLE_DATA,
    tags::GREEN_PALETTE_COLOR_LOOKUP_TABLE_DATA,
    tags::BLUE_PALETTE_COLOR_LOOKUP_TABLE_DATA,
    tags::PIXEL_DATA,
];

/// The law, and the values of binary VRs it saw: what a text encoding's readers decode to bytes.
struct Binaries<'p> {
    law: law::Law<'p>,
    values: Vec<Binary>,
    /// The top-level elements of [`IMAGE_TAGS`] with a value, as read (tag, VR, value): one
    /// list for each data set (a tag again, or a lower one, starts the next: DICOM JSON may hold
    /// an array of them).
    images: Vec<Vec<Kept>>,
    depth: usize,
}

impl Binaries<'_> {
    /// The pixels a text encoding decodes (InlineBinary) as the image a reader makes of them: for
    /// each data set with pixels, a Part 10 file in explicit VR little endian of the elements
    /// that describe them, for the gate to read as it reads any (OCR where the law asks for it).
    fn images(&self) -> Vec<Vec<u8>> {
        self.images.iter().filter_map(|elements| image(elements)).collect()
    }
}

/// An element an image keeps: its tag, the VR the encoding gives, its value.
type Kept = (Tag, Option<VR>, Vec<u8>);

/// One data set's image ([`Binaries::images`]); None without pixels.
fn image(elements: &[Kept]) -> Option<Vec<u8>> {
    elements.iter().any(|(t, _, _)| *t == tags::PIXEL_DATA).then_some(())?;
    let bits = elements.iter().find(|(t, _, _)| *t == tags::BITS_ALLOCATED).and_then(|(_, _, v)| number(v));
    let mut sorted: Vec<&Kept> = elements.iter().collect();
    sorted.sort_by_key(|(t, _, _)| *t);
    let mut set = Vec::new();
    for (tag, vr, value) in sorted {
        let vr = match (*tag, vr) {
            (tags::PIXEL_DATA, Some(vr @ (VR::OB | VR::OW))) => *vr,
            (tags::PIXEL_DATA, _) => {
                if bits.is_some_and(|b| b > 8) {
                    VR::OW
                } else {
                    VR::OB
                }
            }
            (_, Some(vr)) => *vr,
            (t, None) => crate::gate::scan::dictionary_vr(t).unwrap_or(VR::UN),
        };
        let value = match vr {
            // Numbers as text (JSON, XML) as the binary a file holds.
            VR::US => {
                let Some(n) = numbers::<u16>(value) else { continue };
                n.iter().flat_map(|n| n.to_le_bytes()).collect()
            }
            VR::SS => {
                let Some(n) = numbers::<i16>(value) else { continue };
                n.iter().flat_map(|n| n.to_le_bytes()).collect()
            }
            VR::OB | VR::OW | VR::UN => value.clone(),
            _ if value.iter().all(|b| b.is_ascii_graphic() || *b == b' ') => value.clone(),
            _ => continue,
        };
        put(&mut set, *tag, vr, &value);
    }
    let mut meta = Vec::new();
    put(&mut meta, Tag(0x0002, 0x0001), VR::OB, &[0, 1]);
    put(&mut meta, Tag(0x0002, 0x0002), VR::UI, b"1.2.840.10008.5.1.4.1.1.7");
    // A UID of the form `vault scrub` writes (the law holds the meta group to it too).
    put(&mut meta, Tag(0x0002, 0x0003), VR::UI, b"2.25.1000000000000000000000000000000000000");
    put(&mut meta, Tag(0x0002, 0x0010), VR::UI, b"1.2.840.10008.1.2.1");
    let mut out = vec![0u8; 128];
    out.extend_from_slice(b"DICM");
    put(&mut out, Tag(0x0002, 0x0000), VR::UL, &(meta.len() as u32).to_le_bytes());
    out.extend(meta);
    out.extend(set);
    Some(out)
}

/// A number of a text encoding's value (text, one number).
fn number(value: &[u8]) -> Option<u64> {
    std::str::from_utf8(value).ok()?.trim().parse().ok()
}

/// The numbers of a text encoding's value (text, `\`-separated).
fn numbers<N: std::str::FromStr>(value: &[u8]) -> Option<Vec<N>> {
    std::str::from_utf8(value).ok()?.split('\\').map(|n| n.trim().parse().ok()).collect()
}

/// An element in explicit VR little endian, its value padded to even length (a value too long
/// for its VR's two-byte length is written as UN, whose length has four).
fn put(out: &mut Vec<u8>, tag: Tag, vr: VR, value: &[u8]) {
    let pad = u8::from(value.len() % 2 == 1);
    let len = value.len() + usize::from(pad);
    let vr = if !scan::long_length(vr) && len > usize::from(u16::MAX) { VR::UN } else { vr };
    out.extend(tag.group().to_le_bytes());
    out.extend(tag.element().to_le_bytes());
    out.extend(vr.to_bytes());
    if scan::long_length(vr) {
        out.extend([0, 0]);
        out.extend((len as u32).to_le_bytes());
    } else {
        out.extend((len as u16).to_le_bytes());
    }
    out.extend_from_slice(value);
    if pad == 1 {
        out.push(if matches!(vr, VR::UI | VR::OB | VR::OW | VR::UN) { 0 } else { b' ' });
    }
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
        if self.depth == 0 && IMAGE_TAGS.contains(&e.tag) && !e.value.is_empty() {
            let next = self.images.last().is_none_or(|i| i.last().is_some_and(|(t, _, _)| *t >= e.tag));
            if next {
                self.images.push(Vec::new());
            }
            self.images.last_mut().expect("one").push((e.tag, e.vr, trim_text(e).to_vec()));
        }
        self.law.element(e);
    }
    fn sequence(&mut self, tag: dicom_core::Tag, vr: Option<dicom_core::VR>) {
        self.depth += 1;
        self.law.sequence(tag, vr);
    }
    fn item(&mut self, index: usize) {
        self.law.item(index);
    }
    fn end_item(&mut self) {
        self.law.end_item();
    }
    fn end_sequence(&mut self) {
        self.depth = self.depth.saturating_sub(1);
        self.law.end_sequence();
    }
    fn oddity(&mut self, oddity: scan::Oddity, tag: dicom_core::Tag) {
        self.law.oddity(oddity, tag);
    }
}

/// A value as the image keeps it: text trimmed of its padding, binary as it is.
fn trim_text<'a>(e: &scan::Element<'a>) -> &'a [u8] {
    match e.vr {
        Some(VR::OB | VR::OW | VR::UN) => e.value,
        _ if e.tag == tags::PIXEL_DATA => e.value,
        _ => scan::trim(e.value),
    }
}

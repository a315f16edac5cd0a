//! Redaction: regions of the image where patient data is burned into the pixels are blanked.
//! Which regions comes from rules, matched by manufacturer, model, modality and image size; a
//! rule with no match fields applies to every image (the user's own rectangles).
//!
//! Native (uncompressed) pixel data is redacted in place. Compressed pixel data is decoded first
//! where dicom-pixeldata can (JPEG baseline, extended and lossless, JPEG-LS, JPEG 2000, RLE) and
//! then written uncompressed; what it cannot decode is refused, never passed through.

use dicom_core::value::{PrimitiveValue, Value};
use dicom_core::{DataElement, Tag, VR};
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;
use serde::Deserialize;

use super::text;

/// The rules shipped with vault: the banner layouts of the ultrasound devices seen in the real
/// sample files (GE LOGIQ 700, Philips CX50, Aloka SSD-4000: where their screens put the
/// institution, the patient and the date), then generic bands along the top of ultrasound,
/// nuclear-medicine and secondary-capture images. Every matching rule applies. A site adds its
/// own devices' rules in a file of its own.
pub const DEFAULT_RULES: &str = include_str!("redact_default.json");

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    pub rules: Vec<Rule>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Compared case-insensitively with Manufacturer (0008,0070), as a prefix.
    #[serde(default)]
    pub manufacturer: Option<String>,
    /// Compared case-insensitively with ManufacturerModelName (0008,1090), as a prefix.
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub modality: Option<String>,
    #[serde(default)]
    pub rows: Option<u32>,
    #[serde(default)]
    pub columns: Option<u32>,
    /// Rectangles in pixels: [x, y, width, height].
    #[serde(default)]
    pub regions: Vec<[u32; 4]>,
    /// A band along the top, this percentage of the rows.
    #[serde(default)]
    pub top_percent: Option<u32>,
}

fn number(obj: &InMemDicomObject, tag: Tag) -> Option<u32> {
    let e = obj.element(tag).ok()?;
    e.value().to_int::<u32>().ok().or_else(|| e.value().to_str().ok()?.trim().parse().ok())
}

fn prefix(rule: &Option<String>, value: &str) -> bool {
    rule.as_ref().is_none_or(|r| value.to_uppercase().starts_with(&r.to_uppercase()))
}

impl Rules {
    pub fn parse(text: &str) -> Result<Rules, String> {
        serde_json::from_str(text).map_err(|e| format!("not a valid rules file: {e}"))
    }

    /// The rectangles every matching rule asks for; empty when none matches.
    pub fn regions(&self, obj: &InMemDicomObject) -> Vec<[u32; 4]> {
        let (rows, columns) = (number(obj, tags::ROWS).unwrap_or(0), number(obj, tags::COLUMNS).unwrap_or(0));
        let mut out = Vec::new();
        for r in &self.rules {
            let matches = prefix(&r.manufacturer, &text(obj, tags::MANUFACTURER))
                && prefix(&r.model, &text(obj, tags::MANUFACTURER_MODEL_NAME))
                && r.modality.as_ref().is_none_or(|m| m.eq_ignore_ascii_case(&text(obj, tags::MODALITY)))
                && r.rows.is_none_or(|n| n == rows)
                && r.columns.is_none_or(|n| n == columns);
            if !matches {
                continue;
            }
            out.extend(r.regions.iter().copied());
            if let Some(p) = r.top_percent {
                out.push([0, 0, columns, (rows * p.min(100)).div_ceil(100)]);
            }
        }
        out
    }
}

/// Decodes compressed pixel data into native pixels (little endian, interleaved samples), and
/// sets the attributes that describe them. The caller then writes the file uncompressed.
pub fn decode_to_native(obj: &mut InMemDicomObject, transfer_syntax: &str) -> Result<(), String> {
    use dicom_pixeldata::PixelDecoder;
    let meta = dicom_object::FileMetaTableBuilder::new()
        .transfer_syntax(transfer_syntax)
        .media_storage_sop_class_uid(text(obj, tags::SOP_CLASS_UID))
        .media_storage_sop_instance_uid(text(obj, tags::SOP_INSTANCE_UID));
    let file = obj.clone().with_meta(meta).map_err(|e| format!("cannot decode: {e}"))?;
    let decoded =
        file.decode_pixel_data().map_err(|e| format!("compressed pixel data that cannot be decoded: {e}"))?;
    let bits = decoded.bits_allocated();
    let samples = decoded.samples_per_pixel();
    let photometric = decoded.photometric_interpretation().as_str().to_string();
    let planar = decoded.planar_configuration() as u16;
    let data = decoded.data().to_vec();
    drop(decoded);
    let vr = if bits > 8 { VR::OW } else { VR::OB };
    obj.put(DataElement::new(tags::PIXEL_DATA, vr, PrimitiveValue::U8(data.into())));
    obj.put(DataElement::new(
        tags::PHOTOMETRIC_INTERPRETATION,
        VR::CS,
        PrimitiveValue::from(photometric.as_str()),
    ));
    if samples > 1 {
        obj.put(DataElement::new(tags::PLANAR_CONFIGURATION, VR::US, PrimitiveValue::from(planar)));
    }
    Ok(())
}

/// Blanks the regions in every frame and sample of native pixel data and records that no
/// burned-in annotation is left. Blank is black: every sample 0, but a YBR image's chroma
/// samples their middle value (a YBR zero is green). YBR_FULL_422 (two luma samples share one
/// pair of chroma samples) is blanked in whole pairs, so a region widens to even columns. An
/// error says why it cannot (and nothing is changed).
pub fn redact(obj: &mut InMemDicomObject, regions: &[[u32; 4]]) -> Result<(), String> {
    let pixels = obj.element(tags::PIXEL_DATA).map_err(|_| "no pixel data".to_string())?;
    let vr = pixels.vr();
    let Value::Primitive(value) = pixels.value() else {
        return Err("compressed (encapsulated) pixel data: decode it first".into());
    };
    let mut bytes = value.to_bytes().into_owned();
    let get = |tag, default| number(obj, tag).unwrap_or(default);
    let (rows, columns) = (get(tags::ROWS, 0) as usize, get(tags::COLUMNS, 0) as usize);
    let samples = get(tags::SAMPLES_PER_PIXEL, 1) as usize;
    let bits = get(tags::BITS_ALLOCATED, 16) as usize;
    let frames = get(tags::NUMBER_OF_FRAMES, 1).max(1) as usize;
    let planar = get(tags::PLANAR_CONFIGURATION, 0) == 1;
    let photometric = text(obj, tags::PHOTOMETRIC_INTERPRETATION);
    let photometric = photometric.trim();
    if !bits.is_multiple_of(8) || rows == 0 || columns == 0 {
        return Err(format!("{bits}-bit pixels of {rows}x{columns}: not redacted"));
    }
    let bpp = bits / 8;
    let subsampled = photometric == "YBR_FULL_422";
    if subsampled && (samples != 3 || bpp != 1 || planar || !columns.is_multiple_of(2)) {
        return Err("YBR_FULL_422 pixels other than 8-bit, interleaved, of even width: not redacted".into());
    }
    // Bytes per row of one sample plane (or of the interleaved samples).
    let frame_bytes = if subsampled { rows * columns * 2 } else { rows * columns * samples * bpp };
    if bytes.len() < frame_bytes * frames {
        return Err("the pixel data is shorter than its rows, columns and frames say".into());
    }
    // What one sample is set to: a YBR image's chroma samples to their middle, so that the blank
    // is black.
    let mid = (1u64 << (bits - 1)).to_le_bytes();
    let blank = |s: usize| -> &[u8] {
        if photometric.starts_with("YBR") && s > 0 { &mid[..bpp] } else { &[0u8; 8][..bpp] }
    };
    for f in 0..frames {
        let frame = &mut bytes[f * frame_bytes..(f + 1) * frame_bytes];
        for &[x, y, w, h] in regions {
            let (x0, y0) = (x as usize, y as usize);
            let (x1, y1) = ((x0 + w as usize).min(columns), (y0 + h as usize).min(rows));
            for row in y0..y1 {
                if subsampled {
                    // Y1 Y2 Cb Cr for each pair of pixels.
                    for pair in x0 / 2..x1.div_ceil(2) {
                        let at = (row * columns + pair * 2) * 2;
                        frame[at..at + 4].copy_from_slice(&[0, 0, mid[0], mid[0]]);
                    }
                    continue;
                }
                for s in 0..samples {
                    let (start, stride) = if planar {
                        ((s * rows * columns + row * columns + x0) * bpp, bpp)
                    } else {
                        ((row * columns + x0) * samples * bpp + s * bpp, samples * bpp)
                    };
                    for col in 0..x1.saturating_sub(x0) {
                        let at = start + col * stride;
                        frame[at..at + bpp].copy_from_slice(blank(s));
                    }
                }
            }
        }
    }
    let value = if vr == VR::OW {
        PrimitiveValue::U16(bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect())
    } else {
        PrimitiveValue::U8(bytes.into())
    };
    obj.put(DataElement::new(tags::PIXEL_DATA, vr, value));
    obj.put(DataElement::new(tags::BURNED_IN_ANNOTATION, VR::CS, PrimitiveValue::from("NO")));
    Ok(())
}

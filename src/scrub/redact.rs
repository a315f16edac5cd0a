//! Redaction: regions of the image where patient data is burned into the pixels are blanked.
//! Which regions comes from rules, matched by manufacturer, model, modality and image size; a
//! rule with no match fields applies to every image (the user's own rectangles). With OCR
//! ([`Redaction::ocr`], `--redact auto`), also every box of text OCR reads ([`text_regions`]).
//! Whatever blanked it, the output is read again by the gate, OCR and all, before it is
//! written: redaction is proven, not assumed.
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
use crate::gate::Identity;
use crate::gate::burned;
use crate::ocr::{Frame, OcrError, Reader};

/// How to redact: by rules, and by what OCR reads too.
#[derive(Clone, Debug)]
pub struct Redaction {
    pub rules: Rules,
    pub ocr: bool,
}

/// Words OCR reads at least this sure of are blanked, whatever they say; a line that identifies
/// is blanked whole however unsure. (Lower, and the speckle of an ultrasound image read as
/// letters would be blanked too.)
pub const MIN_CONFIDENCE: f32 = 50.0;

/// The margin around a box of text, at least: a glyph's antialiased edge, and the strokes OCR
/// leaves outside its box, go with it.
const MIN_MARGIN: u32 = 4;

/// The boxes ([x, y, width, height]) of the text OCR reads in `frames` (the sampled frames of
/// an image): the lines that identify (a value of `identity`, or an identity's shape) as a band
/// across the image, and every other word read with [`MIN_CONFIDENCE`], each with a margin of a
/// third of its height.
pub fn text_regions(
    frames: &[(u32, Frame)],
    identity: &Identity,
    reader: &dyn Reader,
) -> Result<Vec<[u32; 4]>, OcrError> {
    let mut out = Vec::new();
    for ((_, frame), lines) in frames.iter().zip(burned::read_lines(frames, reader)?) {
        let image = &frame.gray;
        let grow = |a: crate::ocr::Box2| {
            let g = a.grown((a.height / 3).max(MIN_MARGIN), image.width, image.height);
            [g.x, g.y, g.width, g.height]
        };
        for line in &lines {
            if identity.find(&line.text()).is_some() || burned::line_shape(line).is_some() {
                // Across the whole image: OCR often reads a line in pieces, and the piece it did
                // not read (the label, the rest of the name) is as identifying.
                let band = grow(line.area());
                out.push([0, band[1], image.width, band[3]]);
                continue;
            }
            for w in &line.words {
                if w.confidence >= MIN_CONFIDENCE && w.text.chars().any(char::is_alphanumeric) {
                    out.push(grow(w.area));
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// An image file (PNG, JPEG, TIFF, BMP, PNM, WebP) with `regions` blanked black, written again
/// in its format (JPEG at quality 95; WebP lossless). Its metadata (EXIF, text chunks) does not
/// survive the rewrite. An animated GIF (only its first frame would be written), or a format the
/// `image` crate cannot write, is an error.
pub fn redact_image(bytes: &[u8], regions: &[[u32; 4]]) -> Result<Vec<u8>, String> {
    use image::ImageFormat as F;
    let format = crate::gate::pixels::image_format(bytes).ok_or("not an image vault reads")?;
    if format == F::Gif && gif_frames(bytes) != Some(1) {
        return Err("an animated GIF is not redacted: save its frames as PNG".into());
    }
    let img =
        image::load_from_memory_with_format(bytes, format).map_err(|_| "an image that cannot be decoded")?;
    let mut img = if img.color().has_alpha() && format != F::Jpeg {
        image::DynamicImage::ImageRgba8(img.to_rgba8())
    } else if img.color().has_color() {
        image::DynamicImage::ImageRgb8(img.to_rgb8())
    } else {
        image::DynamicImage::ImageLuma8(img.to_luma8())
    };
    let (w, h) = (img.width(), img.height());
    for &[x, y, rw, rh] in regions {
        for py in y.min(h)..(y.saturating_add(rh)).min(h) {
            for px in x.min(w)..(x.saturating_add(rw)).min(w) {
                match &mut img {
                    image::DynamicImage::ImageRgba8(b) => b.put_pixel(px, py, image::Rgba([0, 0, 0, 255])),
                    image::DynamicImage::ImageRgb8(b) => b.put_pixel(px, py, image::Rgb([0, 0, 0])),
                    image::DynamicImage::ImageLuma8(b) => b.put_pixel(px, py, image::Luma([0])),
                    _ => unreachable!("converted above"),
                }
            }
        }
    }
    let mut out = std::io::Cursor::new(Vec::new());
    let written = if format == F::Jpeg {
        img.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 95))
    } else {
        img.write_to(&mut out, format)
    };
    written.map_err(|e| format!("cannot write the image again: {e}"))?;
    Ok(out.into_inner())
}

/// How many frames a GIF holds (None: it does not decode).
fn gif_frames(bytes: &[u8]) -> Option<usize> {
    use image::AnimationDecoder;
    let decoder = image::codecs::gif::GifDecoder::new(std::io::Cursor::new(bytes)).ok()?;
    let mut n = 0;
    for frame in decoder.into_frames() {
        frame.ok()?;
        n += 1;
        if n > 1 {
            break;
        }
    }
    Some(n)
}

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

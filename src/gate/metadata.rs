//! The text an image file carries beside its pixels: EXIF (JPEG, TIFF, PNG, WebP), PNG's text
//! chunks, JPEG comments, XMP packets (JPEG, PNG, WebP). A viewer that exports a screenshot, or
//! a phone that takes a clinical photograph, writes names, dates and places there; the law
//! treats them as it treats a DICOM header: a person's name (EXIF Artist, camera owner, author),
//! a date (when the picture was taken), a place (GPS) and any text of an identity's shape are
//! refused. `vault scrub` writes the image again without any of it.
//!
//! EXIF is read with kamadak-exif; PNG's chunks, JPEG's segments and WebP's RIFF chunks are
//! walked here (a dozen lines each: the image decoders skip them and expose no text).

use std::io::Read;

use exif::{Context, Tag};

use super::Reason;
use super::shape::{self, Strength};

/// Text fields larger than this are read up to it (a packet of XMP is a few KiB).
const MOST_TEXT: u64 = 1 << 20;

/// Why `bytes` (an image file) is refused for what it carries beside its pixels.
pub fn reasons(bytes: &[u8]) -> Vec<Reason> {
    let mut out = Vec::new();
    let mut refuse = |field: String, detail: &'static str| {
        if !out.iter().any(|r: &Reason| r.keyword == field && r.detail == detail) {
            out.push(Reason {
                rule: "image-metadata",
                tag: String::new(),
                keyword: field,
                location: String::new(),
                detail,
                option: None,
                region: None,
            });
        }
    };
    exif_reasons(bytes, &mut refuse);
    for (field, text) in texts(bytes) {
        if let Some(s) = shape::find(&text, Strength::FreeText) {
            refuse(field, s.describe());
        }
    }
    out
}

/// EXIF's person names, dates, places, and its text of an identity's shape.
fn exif_reasons(bytes: &[u8], refuse: &mut dyn FnMut(String, &'static str)) {
    let Ok(exif) = exif::Reader::new().read_from_container(&mut std::io::Cursor::new(bytes)) else { return };
    // Windows' XP fields (UCS-2) are not in the crate's list.
    let (xp_title, xp_comment, xp_author, xp_keywords, xp_subject) = (
        Tag(Context::Tiff, 0x9C9B),
        Tag(Context::Tiff, 0x9C9C),
        Tag(Context::Tiff, 0x9C9D),
        Tag(Context::Tiff, 0x9C9E),
        Tag(Context::Tiff, 0x9C9F),
    );
    for field in exif.fields() {
        let name = format!("EXIF {}", field.tag);
        if field.tag.context() == Context::Gps {
            refuse("EXIF GPS".into(), "a place (GPS position)");
            continue;
        }
        let text = field_text(
            &field.value,
            [xp_title, xp_comment, xp_author, xp_keywords, xp_subject].contains(&field.tag),
        );
        if text.iter().all(|b| b.is_ascii_whitespace() || *b == 0) {
            continue;
        }
        let t = field.tag;
        if t == Tag::Artist || t == Tag::CameraOwnerName || t == xp_author {
            refuse(name, "a person's name");
        } else if t == Tag::DateTime || t == Tag::DateTimeOriginal || t == Tag::DateTimeDigitized {
            refuse(name, "a date");
        } else if let Some(s) = shape::find(&text, Strength::FreeText) {
            refuse(name, s.describe());
        }
    }
}

/// A field's text: ASCII as it is; UserComment past its 8-byte character-set code; Windows' XP
/// fields from UCS-2; other values none.
fn field_text(value: &exif::Value, ucs2: bool) -> Vec<u8> {
    match value {
        exif::Value::Ascii(parts) => parts.join(&b' '),
        exif::Value::Byte(b) if ucs2 => {
            let units: Vec<u16> = b.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
            String::from_utf16_lossy(&units).into_bytes()
        }
        exif::Value::Undefined(b, _) if b.len() > 8 => {
            let (code, text) = b.split_at(8);
            if code.starts_with(b"UNICODE") {
                let units: Vec<u16> =
                    text.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
                String::from_utf16_lossy(&units).into_bytes()
            } else {
                text.to_vec()
            }
        }
        _ => Vec::new(),
    }
}

/// The text chunks and segments of a PNG, a JPEG or a WebP: (where, text).
fn texts(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        png_texts(bytes)
    } else if bytes.starts_with(&[0xFF, 0xD8]) {
        jpeg_texts(bytes)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        webp_texts(bytes)
    } else {
        Vec::new()
    }
}

/// zlib's stream inflated, up to [`MOST_TEXT`] bytes (a bomb stops there).
fn inflate(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = flate2::read::ZlibDecoder::new(data).take(MOST_TEXT).read_to_end(&mut out);
    out
}

fn png_texts(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut at = 8;
    while at + 12 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().expect("4 bytes")) as usize;
        let kind = &bytes[at + 4..at + 8];
        let Some(data) = bytes.get(at + 8..(at + 8).saturating_add(len)) else { break };
        let (keyword, rest) = match data.iter().position(|&b| b == 0) {
            Some(i) => (String::from_utf8_lossy(&data[..i]).into_owned(), &data[i + 1..]),
            None => (String::new(), data),
        };
        let text = match kind {
            b"tEXt" => Some(rest.to_vec()),
            b"zTXt" => rest.get(1..).map(inflate),
            b"iTXt" if rest.len() >= 2 => {
                // Compressed or not, method, language tag, translated keyword, then the text.
                let (compressed, mut tail) = (rest[0] == 1, &rest[2..]);
                for _ in 0..2 {
                    tail = tail.iter().position(|&b| b == 0).map_or(&[][..], |i| &tail[i + 1..]);
                }
                Some(if compressed { inflate(tail) } else { tail.to_vec() })
            }
            b"IEND" => break,
            _ => None,
        };
        if let Some(text) = text {
            out.push((format!("PNG text {keyword}"), text));
            // The keyword itself may be the value's label ("Patient"): read them together.
            if let Some((_, t)) = out.last_mut() {
                let mut labelled = format!("{keyword}: ").into_bytes();
                labelled.extend_from_slice(t);
                *t = labelled;
            }
        }
        at = at + 12 + len;
    }
    out
}

fn jpeg_texts(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut at = 2;
    while at + 4 <= bytes.len() && bytes[at] == 0xFF {
        let marker = bytes[at + 1];
        if marker == 0xD9 || marker == 0xDA {
            break; // the end, or the scan: no segments of text follow it that readers show
        }
        if (0xD0..=0xD7).contains(&marker) || marker == 0x01 || marker == 0xFF {
            at += if marker == 0xFF { 1 } else { 2 };
            continue;
        }
        let len = u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]) as usize;
        let Some(data) = bytes.get(at + 4..(at + 2 + len).max(at + 4)) else { break };
        const XMP: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
        match marker {
            0xFE => out.push(("JPEG comment".into(), data.to_vec())),
            0xE1 if data.starts_with(XMP) => out.push(("XMP".into(), data[XMP.len()..].to_vec())),
            _ => {}
        }
        at += 2 + len;
    }
    out
}

fn webp_texts(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut at = 12;
    while at + 8 <= bytes.len() {
        let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().expect("4 bytes")) as usize;
        let Some(data) = bytes.get(at + 8..(at + 8).saturating_add(len)) else { break };
        if &bytes[at..at + 4] == b"XMP " {
            out.push(("XMP".into(), data.to_vec()));
        }
        at = at + 8 + len + (len & 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(chunks: &[(&[u8; 4], Vec<u8>)]) -> Vec<u8> {
        let mut encoded = Vec::new();
        image::GrayImage::from_pixel(8, 8, image::Luma([200]))
            .write_to(&mut std::io::Cursor::new(&mut encoded), image::ImageFormat::Png)
            .unwrap();
        // The chunks go before IEND (the last 12 bytes); the CRC is not checked by the walk, but
        // is written right so that other readers take the file too.
        let (body, end) = encoded.split_at(encoded.len() - 12);
        let mut out = body.to_vec();
        for (kind, data) in chunks {
            out.extend((data.len() as u32).to_be_bytes());
            let mut crc = flate2::Crc::new();
            crc.update(&kind[..]);
            crc.update(data);
            out.extend(&kind[..]);
            out.extend(data);
            out.extend(crc.sum().to_be_bytes());
        }
        out.extend(end);
        out
    }

    fn jpeg_with(segments: &[(u8, Vec<u8>)]) -> Vec<u8> {
        let mut encoded = Vec::new();
        image::GrayImage::from_pixel(8, 8, image::Luma([200]))
            .write_to(&mut std::io::Cursor::new(&mut encoded), image::ImageFormat::Jpeg)
            .unwrap();
        let mut out = encoded[..2].to_vec();
        for (marker, data) in segments {
            out.extend([0xFF, *marker]);
            out.extend(((data.len() + 2) as u16).to_be_bytes());
            out.extend(data);
        }
        out.extend(&encoded[2..]);
        out
    }

    /// EXIF in TIFF form (little-endian): IFD0 holding one ASCII field.
    fn exif_ascii(tag: u16, text: &str) -> Vec<u8> {
        let mut value = text.as_bytes().to_vec();
        value.push(0);
        let mut t = b"II*\0".to_vec();
        t.extend(8u32.to_le_bytes());
        t.extend(1u16.to_le_bytes());
        t.extend(tag.to_le_bytes());
        t.extend(2u16.to_le_bytes()); // ASCII
        t.extend((value.len() as u32).to_le_bytes());
        if value.len() <= 4 {
            // Four bytes or fewer sit in the field itself.
            value.resize(4, 0);
            t.extend(&value);
            t.extend(0u32.to_le_bytes());
        } else {
            t.extend((8 + 2 + 12 + 4u32).to_le_bytes()); // the value follows the IFD
            t.extend(0u32.to_le_bytes());
            t.extend(value);
        }
        t
    }

    fn exif_segment(tag: u16, text: &str) -> (u8, Vec<u8>) {
        let mut d = b"Exif\0\0".to_vec();
        d.extend(exif_ascii(tag, text));
        (0xE1, d)
    }

    fn rules(bytes: &[u8]) -> Vec<(String, &'static str)> {
        reasons(bytes).into_iter().map(|r| (r.keyword, r.detail)).collect()
    }

    #[test]
    fn png_text_chunks_of_every_kind_are_read() {
        let mut z = b"Comment\0\0".to_vec();
        z.extend(miniz_like(b"DOB 12/03/1970"));
        let mut i = b"Description\0\0\0en\0\0".to_vec();
        i.extend(b"Madeup^Persona");
        for (chunk, field) in [
            ((b"tEXt", b"Patient\0Persona Madeup".to_vec()), "PNG text Patient"),
            ((b"zTXt", z), "PNG text Comment"),
            ((b"iTXt", i), "PNG text Description"),
        ] {
            let r = rules(&png(&[chunk]));
            assert_eq!(r.len(), 1, "{field}: {r:?}");
            assert_eq!(r[0].0, field);
        }
        // A screenshot tool's own words are no identity.
        assert!(rules(&png(&[(b"tEXt", b"Software\0Greenshot".to_vec())])).is_empty());
        assert!(rules(&png(&[])).is_empty());
    }

    fn miniz_like(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut e, data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn exif_names_dates_places_and_shaped_text_are_refused() {
        let jpeg = |tag, text| jpeg_with(&[exif_segment(tag, text)]);
        assert_eq!(rules(&jpeg(0x013B, "A Photographer")), [("EXIF Artist".to_string(), "a person's name")]);
        assert_eq!(rules(&jpeg(0x0132, "2024:03:12 10:22:01")), [("EXIF DateTime".to_string(), "a date")]);
        assert_eq!(rules(&jpeg(0x010E, "Patient: Persona Madeup"))[0].1, "a labelled identity field");
        assert!(rules(&jpeg(0x010E, "Left forearm, lateral view")).is_empty());
        let empty = rules(&jpeg(0x013B, ""));
        assert!(empty.is_empty(), "an empty field says nothing: {empty:?}");
        // GPS: an IFD0 pointing at a GPS IFD with a latitude reference.
        let mut t = b"II*\0".to_vec();
        t.extend(8u32.to_le_bytes());
        t.extend(1u16.to_le_bytes());
        t.extend(0x8825u16.to_le_bytes()); // GPSInfo pointer
        t.extend(4u16.to_le_bytes()); // LONG
        t.extend(1u32.to_le_bytes());
        t.extend(26u32.to_le_bytes());
        t.extend(0u32.to_le_bytes());
        t.extend(1u16.to_le_bytes());
        t.extend(1u16.to_le_bytes()); // GPSLatitudeRef
        t.extend(2u16.to_le_bytes());
        t.extend(2u32.to_le_bytes());
        t.extend(*b"N\0\0\0");
        t.extend(0u32.to_le_bytes());
        let mut d = b"Exif\0\0".to_vec();
        d.extend(t);
        assert_eq!(rules(&jpeg_with(&[(0xE1, d)])), [("EXIF GPS".to_string(), "a place (GPS position)")]);
    }

    #[test]
    fn jpeg_comments_and_xmp_are_read_and_a_tiff_is_its_own_exif() {
        let r = rules(&jpeg_with(&[(0xFE, b"MRN: 4711913".to_vec())]));
        assert_eq!(r, [("JPEG comment".to_string(), "a labelled identity field")]);
        let mut xmp = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
        xmp.extend(b"<x:xmpmeta><dc:creator>Madeup^Persona</dc:creator></x:xmpmeta>");
        assert_eq!(rules(&jpeg_with(&[(0xE1, xmp)]))[0].0, "XMP");
        assert!(rules(&jpeg_with(&[(0xFE, b"teaching case 12".to_vec())])).is_empty());
        assert_eq!(rules(&exif_ascii(0x013B, "A Photographer"))[0].0, "EXIF Artist");
    }
}

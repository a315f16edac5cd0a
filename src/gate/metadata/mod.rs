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

mod icc;

use super::Reason;
use super::shape::{self, Strength};

/// Text fields larger than this are read up to it, and refused as too long to read whole (a
/// packet of XMP is a few KiB).
const MOST_TEXT: u64 = 1 << 20;

/// Keywords of PNG text whose value is a person however it is written (PNG's own `Author`).
const PERSON_KEYWORDS: &[&str] = &["author", "artist", "creator", "owner", "patient", "patient name", "name"];

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
    let found = texts(bytes);
    for blob in found.exif {
        exif_reasons(blob, bytes, &mut refuse);
    }
    let name = ("name".to_string(), found.icc_name.clone());
    for (tag, text) in icc::texts(&found.icc).into_iter().chain([name]) {
        if let Some(s) = readings(&text).iter().find_map(|t| shape::find(t, Strength::Labels)) {
            refuse(format!("ICC profile {tag}"), s.describe());
        }
    }
    for (field, text, person) in found.texts {
        if text.len() as u64 >= MOST_TEXT {
            refuse(field, "text too long to read whole");
        } else if field.to_ascii_lowercase().contains("xmp") && xmp_creator(&text) {
            refuse("XMP dc:creator".into(), "a person's name");
        } else if person && text.iter().any(|b| b.is_ascii_alphanumeric() || *b >= 0x80) {
            refuse(field, "a person's name");
        } else if let Some(s) = readings(&text).iter().find_map(|t| shape::find(t, Strength::FreeText)) {
            refuse(field, s.describe());
        }
    }
    out
}

/// True when an XMP packet names a creator (Dublin Core's `dc:creator`: a person, however
/// written) in an element's text.
fn xmp_creator(xmp: &[u8]) -> bool {
    let text = String::from_utf8_lossy(xmp);
    text.split("<dc:creator").skip(1).any(|after| {
        let body = after.split_once('>').map_or("", |(_, body)| body);
        let body = body.split("</dc:creator").next().unwrap_or(body);
        let mut in_tag = false;
        body.chars().any(|c| {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                _ => {}
            }
            !in_tag && c.is_alphanumeric()
        })
    })
}

/// The ways a piece of metadata's text may read: as it is; with NULs taken out (UTF-16, or
/// letters spaced by NULs); as UTF-16 (little- or big-endian); with XML's entities and tags
/// undone (`Patient&#58;`, `<b>MRN</b>:`).
fn readings(text: &[u8]) -> Vec<Vec<u8>> {
    let mut out = vec![text.to_vec()];
    let no_nul: Vec<u8> = text.iter().copied().filter(|&b| b != 0).collect();
    if no_nul.len() != text.len() {
        out.push(no_nul);
    }
    for big in [false, true] {
        let units: Vec<u16> = text
            .chunks_exact(2)
            .map(|c| if big { u16::from_be_bytes([c[0], c[1]]) } else { u16::from_le_bytes([c[0], c[1]]) })
            .collect();
        let decoded = String::from_utf16_lossy(&units);
        if decoded.chars().filter(|c| c.is_ascii_alphanumeric()).count() * 2 >= units.len() {
            out.push(decoded.into_bytes());
        }
    }
    if text.contains(&b'<') || text.contains(&b'&') {
        let s = String::from_utf8_lossy(text);
        let mut plain = String::with_capacity(s.len());
        let mut in_tag = false;
        for c in s.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => {
                    in_tag = false;
                    plain.push(' ');
                }
                c if !in_tag => plain.push(c),
                _ => {}
            }
        }
        out.push(unescape(&plain).into_bytes());
        out.push(unescape(&s).into_bytes());
    }
    out
}

/// XML's character references and its five named entities, undone.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';').filter(|&e| e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..end];
        let c = match name {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            n if n.starts_with("#x") || n.starts_with("#X") => {
                u32::from_str_radix(&n[2..], 16).ok().and_then(char::from_u32)
            }
            n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// EXIF's person names, dates, places, and its text of an identity's shape. `raw`: one blob of
/// EXIF (`None`: the file, a TIFF, is it). EXIF that does not read whole is refused:
/// the fields past the error could hold anything.
fn exif_reasons(raw: Option<Vec<u8>>, bytes: &[u8], refuse: &mut dyn FnMut(String, &'static str)) {
    let mut reader = exif::Reader::new();
    reader.continue_on_error(true);
    let read = match raw {
        Some(raw) => reader.read_raw(raw),
        None => reader.read_from_container(&mut std::io::Cursor::new(bytes)),
    };
    let mut broken = false;
    let exif = match read {
        Ok(exif) => exif,
        Err(exif::Error::NotFound(_)) => return,
        Err(e) => match e.distill_partial_result(|errors| broken = !errors.is_empty()) {
            Ok(exif) => exif,
            Err(_) => {
                refuse("EXIF".into(), "EXIF that does not read whole");
                return;
            }
        },
    };
    if broken {
        refuse("EXIF".into(), "EXIF that does not read whole");
    }
    // Windows' XP fields (UCS-2) are not in the crate's list.
    let xp = |n: u16| Tag(Context::Tiff, n);
    let little = exif.little_endian();
    for field in exif.fields() {
        let name = format!("EXIF {}", field.tag);
        if field.tag.context() == Context::Gps {
            refuse("EXIF GPS".into(), "a place (GPS position)");
            continue;
        }
        let t = field.tag;
        let text = field_text(&field.value, t, little);
        if text.iter().all(|b| b.is_ascii_whitespace() || *b == 0) {
            continue;
        }
        if t == Tag::Artist || t == Tag::CameraOwnerName || t == xp(0x9C9D) {
            refuse(name, "a person's name");
        } else if t == Tag::DateTime || t == Tag::DateTimeOriginal || t == Tag::DateTimeDigitized {
            refuse(name, "a date");
        } else if let Some(s) = readings(&text).iter().find_map(|r| shape::find(r, Strength::FreeText)) {
            refuse(name, s.describe());
        }
    }
}

/// A field's text, whatever type it was written as: ASCII as it is; UserComment past its 8-byte
/// character-set code (UNICODE in the EXIF's own byte order); bytes and undefined as bytes;
/// shorts as UTF-16 units (Windows' XP fields are bytes of UCS-2, read by [`readings`]).
fn field_text(value: &exif::Value, tag: Tag, little: bool) -> Vec<u8> {
    match value {
        exif::Value::Ascii(parts) => parts.join(&b' '),
        exif::Value::Undefined(b, _) if tag.number() == Tag::UserComment.number() && b.len() >= 8 => {
            let (code, text) = b.split_at(8);
            if code.starts_with(b"UNICODE") {
                let units: Vec<u16> = text
                    .chunks_exact(2)
                    .map(|c| {
                        if little {
                            u16::from_le_bytes([c[0], c[1]])
                        } else {
                            u16::from_be_bytes([c[0], c[1]])
                        }
                    })
                    .collect();
                String::from_utf16_lossy(&units).into_bytes()
            } else {
                text.to_vec()
            }
        }
        exif::Value::Byte(b) | exif::Value::Undefined(b, _) => b.clone(),
        exif::Value::SByte(b) => b.iter().map(|&x| x as u8).collect(),
        exif::Value::Short(units) => String::from_utf16_lossy(units).into_bytes(),
        _ => Vec::new(),
    }
}

/// What a file carries beside its pixels, found by walking it: EXIF blobs (each of JPEG's APP1s,
/// PNG's eXIf, WebP's EXIF; `None`: the file is a TIFF, EXIF's own form) and (where, text,
/// whether the field names a person).
#[derive(Default)]
struct Found {
    exif: Vec<Option<Vec<u8>>>,
    texts: Vec<(String, Vec<u8>, bool)>,
    /// An ICC colour profile (a JPEG's APP2 pieces joined): its texts are a maker's words
    /// (`Copyright (c) 1998 Hewlett-Packard Company` in every sRGB image), read for labels and
    /// `Family^Given` only.
    icc: Vec<u8>,
    /// A PNG's name for its profile.
    icc_name: Vec<u8>,
}

fn texts(bytes: &[u8]) -> Found {
    let mut found = Found::default();
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        png_texts(bytes, &mut found);
    } else if bytes.starts_with(&[0xFF, 0xD8]) {
        jpeg_texts(bytes, &mut found);
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        webp_texts(bytes, &mut found);
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        gif_comments(bytes, &mut found);
    } else if bytes.len() >= 2 && bytes[0] == b'P' && (b'1'..=b'7').contains(&bytes[1]) {
        pnm_comments(bytes, &mut found);
    } else if (bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*"))
        && crate::gate::pixels::tiff_directory(bytes)
    {
        // A TIFF is EXIF's own form: read whole (where it has a directory to read).
        found.exif.push(None);
    }
    found
}

/// zlib's stream inflated, up to [`MOST_TEXT`] bytes (a bomb stops there, and is refused as
/// too long).
fn inflate(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = flate2::read::ZlibDecoder::new(data).take(MOST_TEXT).read_to_end(&mut out);
    out
}

fn png_texts(bytes: &[u8], found: &mut Found) {
    let mut at = 8;
    while at + 12 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().expect("4 bytes")) as usize;
        let kind = &bytes[at + 4..at + 8];
        let Some(data) = bytes.get(at + 8..(at + 8).saturating_add(len)) else {
            // A length past the end: what follows is read as text, as a lenient reader might.
            found.texts.push(("PNG chunk".into(), bytes[at..].to_vec(), false));
            return;
        };
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
            b"iCCP" => {
                // The profile's name is the keyword; the profile follows, deflated.
                found.icc = rest.get(1..).map(inflate).unwrap_or_default();
                found.icc_name = keyword.as_bytes().to_vec();
                None
            }
            b"eXIf" => {
                found.exif.push(Some(data.to_vec()));
                None
            }
            b"IEND" => {
                let after = &bytes[(at + 12).min(bytes.len())..];
                if !after.is_empty() {
                    found.texts.push(("bytes after the image".into(), after.to_vec(), false));
                }
                return;
            }
            _ => None,
        };
        if let Some(text) = text {
            let person = PERSON_KEYWORDS.contains(&keyword.to_ascii_lowercase().as_str());
            // The keyword itself may be the value's label ("Patient"): read them together.
            let mut labelled = format!("{keyword}: ").into_bytes();
            labelled.extend_from_slice(&text);
            if text.len() as u64 >= MOST_TEXT {
                labelled = text;
            }
            found.texts.push((format!("PNG text {keyword}"), labelled, person));
        }
        at = at + 12 + len;
    }
}

fn jpeg_texts(bytes: &[u8], found: &mut Found) {
    const XMP: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
    const XMP_MORE: &[u8] = b"http://ns.adobe.com/xmp/extension/\0";
    let mut at = 2;
    while at + 1 < bytes.len() {
        if bytes[at] != 0xFF {
            // A stray byte between segments: readers skip to the next marker, and so does this.
            at += 1;
            continue;
        }
        let marker = bytes[at + 1];
        if marker == 0xD9 {
            let after = &bytes[at + 2..];
            if !after.is_empty() {
                found.texts.push(("bytes after the image".into(), after.to_vec(), false));
            }
            return;
        }
        if (0xD0..=0xD7).contains(&marker) || marker == 0x01 || marker == 0xFF || marker == 0x00 {
            at += if marker == 0xFF { 1 } else { 2 };
            continue;
        }
        if at + 4 > bytes.len() {
            return;
        }
        let len = u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]) as usize;
        let data = &bytes[(at + 4).min(bytes.len())..(at + 2 + len).max(at + 4).min(bytes.len())];
        match marker {
            0xFE => found.texts.push(("JPEG comment".into(), data.to_vec(), false)),
            0xE1 if data.starts_with(b"Exif\0\0") => found.exif.push(Some(data[6..].to_vec())),
            0xE1 if data.starts_with(XMP) => {
                found.texts.push(("XMP".into(), data[XMP.len()..].to_vec(), false))
            }
            0xE1 if data.starts_with(XMP_MORE) => found.texts.push((
                "XMP".into(),
                data.get(XMP_MORE.len() + 40..).unwrap_or_default().to_vec(),
                false,
            )),
            0xED if data.starts_with(PHOTOSHOP) => photoshop_texts(&data[PHOTOSHOP.len()..], found),
            // A piece of an ICC profile: its number and the count, then its bytes.
            0xE2 if data.starts_with(b"ICC_PROFILE\0") => {
                found.icc.extend_from_slice(data.get(14..).unwrap_or_default())
            }
            // An application's segment of no format read above (APP0's JFIF, APP2's ICC
            // profile and APP14's Adobe marker are binary): its text, as `strings` shows it.
            0xE3..=0xEC | 0xEF | 0xE1 | 0xED => {
                found.texts.push(("JPEG application segment".into(), data.to_vec(), false))
            }
            _ => {}
        }
        at += 2 + len.max(2);
        if marker == 0xDA {
            // The scan's coded data: skip to the next marker that is not a stuffed byte or a
            // restart; segments (and comments) may follow it.
            while at + 1 < bytes.len()
                && !(bytes[at] == 0xFF && bytes[at + 1] != 0 && !(0xD0..=0xD7).contains(&bytes[at + 1]))
            {
                at += 1;
            }
        }
    }
}

/// A JPEG's APP13 segment of Photoshop's image resources, where photo tools keep IPTC.
const PHOTOSHOP: &[u8] = b"Photoshop 3.0\0";

/// The IPTC records in Photoshop's image resources (`8BIM`, the resource 0x0404), which photo
/// tools and viewers show as a photo's caption, headline, keywords and by-line.
fn photoshop_texts(resources: &[u8], found: &mut Found) {
    let mut at = 0;
    while resources.get(at..at + 4) == Some(b"8BIM") && at + 7 <= resources.len() {
        let id = u16::from_be_bytes([resources[at + 4], resources[at + 5]]);
        // A Pascal string, padded to an even length.
        let name = 1 + resources[at + 6] as usize;
        let size_at = at + 6 + name + name % 2;
        let Some(size) = resources.get(size_at..size_at + 4) else { return };
        let size = u32::from_be_bytes([size[0], size[1], size[2], size[3]]) as usize;
        let data = &resources
            [(size_at + 4).min(resources.len())..(size_at + 4).saturating_add(size).min(resources.len())];
        if id == 0x0404 {
            iptc_texts(data, found);
        }
        at = (size_at + 4).saturating_add(size).saturating_add(size % 2);
    }
}

/// Each dataset of IPTC's application record (2:5 object name, 2:25 keywords, 2:105 headline,
/// 2:120 caption, …) as a field; its by-line (2:80), contact (2:118) and writer (2:122) name a
/// person.
fn iptc_texts(records: &[u8], found: &mut Found) {
    let mut at = 0;
    while at + 5 <= records.len() {
        if records[at] != 0x1C {
            at += 1;
            continue;
        }
        let (record, dataset) = (records[at + 1], records[at + 2]);
        let mut len = u16::from_be_bytes([records[at + 3], records[at + 4]]) as usize;
        let mut start = at + 5;
        if len & 0x8000 != 0 {
            // An extended dataset: the length's own length, then the length.
            let n = (len & 0x7FFF).min(4);
            let bytes = records.get(start..start + n).unwrap_or_default();
            len = bytes.iter().fold(0usize, |l, &b| (l << 8) | b as usize);
            start += n;
        }
        let value = &records[start.min(records.len())..start.saturating_add(len).min(records.len())];
        if record == 2 && dataset != 0 {
            let person = matches!(dataset, 80 | 118 | 122);
            found.texts.push((format!("IPTC {record}:{dataset}"), value.to_vec(), person));
        }
        at = start.saturating_add(len);
    }
}

fn webp_texts(bytes: &[u8], found: &mut Found) {
    let mut at = 12;
    while at + 8 <= bytes.len() {
        let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().expect("4 bytes")) as usize;
        let data = &bytes[at + 8..(at + 8).saturating_add(len).min(bytes.len())];
        match &bytes[at..at + 4] {
            b"XMP " => found.texts.push(("XMP".into(), data.to_vec(), false)),
            b"EXIF" => found.exif.push(Some(data.strip_prefix(b"Exif\0\0").unwrap_or(data).to_vec())),
            _ => {}
        }
        at = at.saturating_add(8 + len + (len & 1));
    }
}

/// A GIF's comment extensions (and its application extensions' data, where XMP goes).
fn gif_comments(bytes: &[u8], found: &mut Found) {
    // The sub-blocks from `at`: (their data joined, where the next block starts).
    fn blocks(bytes: &[u8], mut at: usize) -> (Vec<u8>, usize) {
        let mut data = Vec::new();
        while let Some(&n) = bytes.get(at) {
            at += 1;
            if n == 0 {
                break;
            }
            data.extend_from_slice(&bytes[at.min(bytes.len())..(at + n as usize).min(bytes.len())]);
            at += n as usize;
        }
        (data, at)
    }
    let colours = |flags: u8| if flags & 0x80 != 0 { 3 << ((flags & 7) + 1) } else { 0 };
    let Some(&flags) = bytes.get(10) else { return };
    let mut at = 13 + colours(flags);
    while let Some(&b) = bytes.get(at) {
        match b {
            0x21 => {
                let label = bytes.get(at + 1).copied().unwrap_or(0);
                let (data, next) = blocks(bytes, at + 2);
                match label {
                    0xFE => found.texts.push(("GIF comment".into(), data, false)),
                    0xFF => found.texts.push(("GIF application data".into(), data, false)),
                    _ => {}
                }
                at = next;
            }
            0x2C => {
                let Some(&f) = bytes.get(at + 9) else { return };
                at = blocks(bytes, at + 10 + colours(f) + 1).1;
            }
            _ => return, // the trailer (0x3B), or not a block
        }
    }
}

/// A PNM's header comments (`# …` lines among the magic, width, height and maximum).
fn pnm_comments(bytes: &[u8], found: &mut Found) {
    let fields = if matches!(bytes[1], b'1' | b'4') { 3 } else { 4 };
    let (mut at, mut seen) = (2, 1);
    while at < bytes.len() && seen < fields {
        match bytes[at] {
            b'#' => {
                let end = bytes[at..]
                    .iter()
                    .position(|&b| b == b'\n' || b == b'\r')
                    .map_or(bytes.len(), |e| at + e);
                found.texts.push(("PNM comment".into(), bytes[at + 1..end].to_vec(), false));
                at = end;
            }
            b if b.is_ascii_whitespace() => at += 1,
            _ => {
                while at < bytes.len() && !bytes[at].is_ascii_whitespace() && bytes[at] != b'#' {
                    at += 1;
                }
                seen += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests;

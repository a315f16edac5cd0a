//! DICOM in its JSON (PS3.18 Annex F) and XML (PS3.19 Native DICOM Model) encodings, read
//! into the same visitor the binary reader feeds, so the law judges them the same way.
//!
//! JSON objects are read keeping every key as written (a key twice is told, as a tag twice is
//! in a binary file: JSON readers disagree on which one wins). Values become the text a binary
//! file would hold: strings and numbers joined by `\`, a person name's groups by `=`; inline
//! binary is decoded; a bulk data reference counts as a value that is there.

use base64::Engine;
use dicom_core::{Tag, VR};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor as SerdeVisitor};

use super::scan::{Element, Oddity, Visitor};

mod dcmtk;
mod readings;
mod within;
mod xml;

pub use dcmtk::{dcmdump, dcmtk_xml};
pub(super) use readings::{Reading, readings};
pub use within::within;
use xml::bulk_data;
pub use xml::xml;

/// A JSON value with every key kept, in order.
enum Node {
    Null,
    Text(String),
    List(Vec<Node>),
    Object(Vec<(String, Node)>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        struct V;
        impl<'de> SerdeVisitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("JSON")
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
                Ok(Node::Text(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
                Ok(Node::Text(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
                Ok(Node::Text(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
                Ok(Node::Text(v.to_string()))
            }
            fn visit_str<E>(self, v: &str) -> Result<Node, E> {
                Ok(Node::Text(v.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Node, A::Error> {
                let mut out = Vec::new();
                while let Some(n) = a.next_element()? {
                    out.push(n);
                }
                Ok(Node::List(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Node, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = a.next_entry()? {
                    out.push((k, v));
                }
                Ok(Node::Object(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// A tag as readers take a key: eight hex digits, with or without `0x`, brackets, commas,
/// underscores or spaces (`(0010,0010)`, `0010_0010`), in either case; or a keyword
/// (`PatientName`, which pydicom takes).
fn parse_tag(key: &str) -> Option<Tag> {
    let k = key.trim();
    let k = k.strip_prefix("0x").or_else(|| k.strip_prefix("0X")).unwrap_or(k);
    let digits: String = k.chars().filter(|c| !matches!(c, '(' | ')' | ',' | '_' | ' ' | '-')).collect();
    if digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        let n = u32::from_str_radix(&digits, 16).ok()?;
        return Some(Tag((n >> 16) as u16, n as u16));
    }
    use dicom_core::dictionary::{DataDictionary, DataDictionaryEntry};
    let entry = dicom_dictionary_std::StandardDataDictionary.by_name(k)?;
    Some(entry.tag_range().inner())
}

fn vr_of(text: &str) -> Option<VR> {
    let b = text.as_bytes();
    (b.len() == 2).then(|| VR::from_binary([b[0], b[1]])).flatten()
}

/// An attribute object: one with a `vr` that names a VR (PS3.18 F.2.2 requires it).
fn is_attribute(n: &Node) -> bool {
    match n {
        Node::Object(fields) => {
            fields.iter().any(|(k, v)| k == "vr" && matches!(v, Node::Text(t) if vr_of(t).is_some()))
        }
        _ => false,
    }
}

/// A data set object: a member whose key reads as a tag and whose value is an attribute.
fn is_dataset(n: &Node) -> bool {
    match n {
        Node::Object(kv) => kv.iter().any(|(k, v)| parse_tag(k).is_some() && is_attribute(v)),
        _ => false,
    }
}

/// The text of a JSON or XML file as UTF-8: a byte-order mark dropped, UTF-16 decoded.
pub(in crate::gate) fn as_utf8(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    use std::borrow::Cow;
    let utf16 = |le: bool, body: &[u8]| -> Cow<'_, [u8]> {
        let units: Vec<u16> = body
            .chunks_exact(2)
            .map(|c| if le { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) })
            .collect();
        Cow::Owned(String::from_utf16_lossy(&units).into_bytes())
    };
    let utf32 = |le: bool, body: &[u8]| -> Cow<'_, [u8]> {
        let text: String = body
            .chunks_exact(4)
            .map(|c| {
                let n = if le {
                    u32::from_le_bytes([c[0], c[1], c[2], c[3]])
                } else {
                    u32::from_be_bytes([c[0], c[1], c[2], c[3]])
                };
                char::from_u32(n).unwrap_or('\u{FFFD}')
            })
            .collect();
        Cow::Owned(text.into_bytes())
    };
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => Cow::Borrowed(rest),
        // UTF-32, with its mark or without (three zero bytes to each ASCII one).
        [0xFF, 0xFE, 0, 0, rest @ ..] => utf32(true, rest),
        [0, 0, 0xFE, 0xFF, rest @ ..] => utf32(false, rest),
        [a, 0, 0, 0, b, 0, 0, 0, ..] if a.is_ascii() && b.is_ascii() && *a != 0 => utf32(true, bytes),
        [0, 0, 0, a, 0, 0, 0, b, ..] if a.is_ascii() && b.is_ascii() && *a != 0 => utf32(false, bytes),
        // EBCDIC (code page 037): `<?xml` or `{` as it writes them.
        [0x4C, 0x6F, 0xA7, 0x94, 0x93, ..] | [0xC0, ..] => Cow::Owned(ebcdic_037(bytes).into_bytes()),
        [0xFF, 0xFE, rest @ ..] => utf16(true, rest),
        [0xFE, 0xFF, rest @ ..] => utf16(false, rest),
        // UTF-16 without a mark: every other byte of the first characters is zero.
        [a, 0, b, 0, ..] if a.is_ascii() && b.is_ascii() && *a != 0 => utf16(true, bytes),
        [0, a, 0, b, ..] if a.is_ascii() && b.is_ascii() && *a != 0 => utf16(false, bytes),
        // XML that declares an 8-bit Latin encoding (dcm2xml writes ISO-8859-1): as the
        // characters its bytes stand for.
        _ if declares_latin(bytes) && std::str::from_utf8(bytes).is_err() => {
            Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect::<String>().into_bytes())
        }
        _ => Cow::Borrowed(bytes),
    }
}

/// True when an XML declaration at the start names ISO 8859, Latin-1 or Windows-1252.
fn declares_latin(bytes: &[u8]) -> bool {
    let head = bytes[..bytes.len().min(120)].to_ascii_lowercase();
    head.starts_with(b"<?xml")
        && [&b"iso-8859-"[..], b"latin", b"windows-125"]
            .iter()
            .any(|e| memchr::memmem::find(&head, e).is_some())
}

/// EBCDIC code page 037 (IBM's US and Canada) as the Latin-1 characters each byte stands for.
/// The table is the code page's (generated from Python's `cp037` codec): no crate the project
/// uses decodes EBCDIC.
#[rustfmt::skip]
const EBCDIC_037: [u8; 256] = [
    0x00, 0x01, 0x02, 0x03, 0x9C, 0x09, 0x86, 0x7F, 0x97, 0x8D, 0x8E, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F,
    0x10, 0x11, 0x12, 0x13, 0x9D, 0x85, 0x08, 0x87, 0x18, 0x19, 0x92, 0x8F, 0x1C, 0x1D, 0x1E, 0x1F,
    0x80, 0x81, 0x82, 0x83, 0x84, 0x0A, 0x17, 0x1B, 0x88, 0x89, 0x8A, 0x8B, 0x8C, 0x05, 0x06, 0x07,
    0x90, 0x91, 0x16, 0x93, 0x94, 0x95, 0x96, 0x04, 0x98, 0x99, 0x9A, 0x9B, 0x14, 0x15, 0x9E, 0x1A,
    0x20, 0xA0, 0xE2, 0xE4, 0xE0, 0xE1, 0xE3, 0xE5, 0xE7, 0xF1, 0xA2, 0x2E, 0x3C, 0x28, 0x2B, 0x7C,
    0x26, 0xE9, 0xEA, 0xEB, 0xE8, 0xED, 0xEE, 0xEF, 0xEC, 0xDF, 0x21, 0x24, 0x2A, 0x29, 0x3B, 0xAC,
    0x2D, 0x2F, 0xC2, 0xC4, 0xC0, 0xC1, 0xC3, 0xC5, 0xC7, 0xD1, 0xA6, 0x2C, 0x25, 0x5F, 0x3E, 0x3F,
    0xF8, 0xC9, 0xCA, 0xCB, 0xC8, 0xCD, 0xCE, 0xCF, 0xCC, 0x60, 0x3A, 0x23, 0x40, 0x27, 0x3D, 0x22,
    0xD8, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0xAB, 0xBB, 0xF0, 0xFD, 0xFE, 0xB1,
    0xB0, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F, 0x70, 0x71, 0x72, 0xAA, 0xBA, 0xE6, 0xB8, 0xC6, 0xA4,
    0xB5, 0x7E, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0xA1, 0xBF, 0xD0, 0xDD, 0xDE, 0xAE,
    0x5E, 0xA3, 0xA5, 0xB7, 0xA9, 0xA7, 0xB6, 0xBC, 0xBD, 0xBE, 0x5B, 0x5D, 0xAF, 0xA8, 0xB4, 0xD7,
    0x7B, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0xAD, 0xF4, 0xF6, 0xF2, 0xF3, 0xF5,
    0x7D, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F, 0x50, 0x51, 0x52, 0xB9, 0xFB, 0xFC, 0xF9, 0xFA, 0xFF,
    0x5C, 0xF7, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5A, 0xB2, 0xD4, 0xD6, 0xD2, 0xD3, 0xD5,
    0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0xB3, 0xDB, 0xDC, 0xD9, 0xDA, 0x9F,
];

pub(in crate::gate) fn ebcdic_037(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(EBCDIC_037[usize::from(b)])).collect()
}

/// True when text that could not be read says it is DICOM JSON: a `"vr"` member and a key that
/// reads as a tag. Such a file is refused (unreadable DICOM), not passed as plain.
pub fn claims_json(bytes: &[u8]) -> bool {
    let text = as_utf8(bytes);
    let has = |pat: &[u8]| text.windows(pat.len()).any(|w| w == pat);
    let first = text.iter().find(|b| !b.is_ascii_whitespace());
    matches!(first, Some(b'{' | b'['))
        && has(b"\"vr\"")
        && (has(b"\"Value\"") || has(b"\"InlineBinary\"") || has(b"\"BulkDataURI\""))
}

/// Tells one data set's elements to the visitor.
fn json_dataset(kv: &[(String, Node)], v: &mut impl Visitor) -> usize {
    let mut last: Option<Tag> = None;
    let mut count = 0;
    for (key, attr) in kv {
        let Some(tag) = parse_tag(key).filter(|_| is_attribute(attr)) else {
            v.oddity(Oddity::OutsideTheModel, last.unwrap_or(Tag(0, 0)));
            continue;
        };
        match last {
            Some(l) if l == tag => v.oddity(Oddity::Duplicate, tag),
            Some(l) if l > tag => v.oddity(Oddity::OutOfOrder, tag),
            _ => {}
        }
        last = Some(tag);
        count += 1;
        let Node::Object(fields) = attr else { continue };
        if fields.iter().any(|(k, _)| !matches!(k.as_str(), "vr" | "Value" | "InlineBinary" | "BulkDataURI"))
        {
            v.oddity(Oddity::OutsideTheModel, tag);
        }
        let field = |name: &'static str| fields.iter().filter(move |(k, _)| k == name).map(|(_, n)| n);
        let vr = field("vr").find_map(|n| if let Node::Text(t) = n { vr_of(t) } else { None });
        if vr == Some(VR::SQ) {
            v.sequence(tag, vr);
            let mut index = 0;
            for items in field("Value") {
                if let Node::List(items) = items {
                    for item in items {
                        v.item(index);
                        if let Node::Object(kv) = item {
                            json_dataset(kv, v);
                        }
                        v.end_item();
                        index += 1;
                    }
                }
            }
            v.end_sequence();
            continue;
        }
        let mut value: Vec<u8> = Vec::new();
        for values in field("Value") {
            if let Node::List(list) = values {
                let parts: Vec<String> = list.iter().map(json_text).collect();
                if !value.is_empty() {
                    value.push(b'\\');
                }
                value.extend(parts.join("\\").into_bytes());
            }
        }
        for b64 in field("InlineBinary") {
            if let Node::Text(t) = b64 {
                // Undecodable base64 is kept as it is: a value is there.
                match base64::engine::general_purpose::STANDARD.decode(t.trim()) {
                    Ok(bytes) => value.extend(bytes),
                    Err(_) => value.extend(t.as_bytes()),
                }
            }
        }
        for uri in field("BulkDataURI") {
            let uri = if let Node::Text(t) = uri { t.as_bytes() } else { b"" };
            value.extend(bulk_data(uri));
        }
        v.element(&Element { tag, vr, value: &value, big_endian: false, text: true });
    }
    count
}

/// One value as text: a person name object's groups joined by `=`.
fn json_text(n: &Node) -> String {
    match n {
        Node::Null => String::new(),
        Node::Text(t) => t.clone(),
        Node::List(l) => l.iter().map(json_text).collect::<Vec<_>>().join("\\"),
        Node::Object(kv) => kv.iter().map(|(_, v)| json_text(v)).collect::<Vec<_>>().join("="),
    }
}

/// Reads DICOM JSON: Some(elements read) when the bytes are it.
pub fn json(bytes: &[u8], v: &mut impl Visitor) -> Option<usize> {
    let text = as_utf8(bytes);
    let first = text.iter().find(|b| !b.is_ascii_whitespace())?;
    if *first != b'{' && *first != b'[' {
        return None;
    }
    let node: Node = serde_json::from_slice(&text).ok()?;
    let datasets: Vec<&Node> = match &node {
        Node::List(items) => items.iter().filter(|n| is_dataset(n)).collect(),
        n if is_dataset(n) => vec![n],
        _ => return None,
    };
    if datasets.is_empty() {
        return None;
    }
    if let Node::List(items) = &node
        && items.len() > datasets.len()
    {
        v.oddity(Oddity::OutsideTheModel, Tag(0, 0));
    }
    let mut count = 0;
    for d in datasets {
        if let Node::Object(kv) = d {
            count += json_dataset(kv, v);
        }
    }
    Some(count)
}

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

mod within;
mod xml;

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
fn as_utf8(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    use std::borrow::Cow;
    let utf16 = |le: bool, body: &[u8]| -> Cow<'_, [u8]> {
        let units: Vec<u16> = body
            .chunks_exact(2)
            .map(|c| if le { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) })
            .collect();
        Cow::Owned(String::from_utf16_lossy(&units).into_bytes())
    };
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => Cow::Borrowed(rest),
        [0xFF, 0xFE, rest @ ..] => utf16(true, rest),
        [0xFE, 0xFF, rest @ ..] => utf16(false, rest),
        // UTF-16 without a mark: every other byte of the first characters is zero.
        [a, 0, b, 0, ..] if a.is_ascii() && b.is_ascii() && *a != 0 => utf16(true, bytes),
        [0, a, 0, b, ..] if a.is_ascii() && b.is_ascii() && *a != 0 => utf16(false, bytes),
        _ => Cow::Borrowed(bytes),
    }
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

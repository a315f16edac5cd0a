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

/// DICOM JSON and XML inside other text, as a reader (or a person) finds them: a data set in a
/// code block of a note or a web page, under a key of another JSON document (an API's answer), a
/// Native DICOM Model after a line of text. Each JSON object whose first key is quoted and which
/// reads as a data set, to its end; each `<NativeDicomModel` (or, without one, the first
/// `<DicomAttribute`) to the end of its closing tag. Some(Ok(elements read)) when any was found,
/// Some(Err) when XML that claims to be DICOM cannot be read.
///
/// Where none is found in text, the text is read again as what it quotes (up to three rounds: a
/// string inside a string): HTML character references of quotes and marks, a JSON or JavaScript
/// string's escapes, a CSV cell's doubled quotes, with comments taken out (JSON with
/// comments), and a JavaScript object literal's single quotes and bare keys as JSON's.
pub fn within(bytes: &[u8], v: &mut impl Visitor) -> Option<Result<usize, ()>> {
    let text = as_utf8(bytes);
    let found = within_once(&text, v);
    let is_text = !text[..text.len().min(4096)].contains(&0);
    if found.is_some() || !is_text {
        return found;
    }
    let mut now = text.into_owned();
    for _ in 0..3 {
        let next = unquoted(&now);
        if next == now {
            break;
        }
        if let Some(found) = within_once(&next, v) {
            return Some(found);
        }
        now = next;
    }
    None
}

/// Text as what it quotes: see [`within`].
fn unquoted(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let (shown, len): (&[u8], usize) = match rest {
            [b'&', b'q', b'u', b'o', b't', b';', ..] => (b"\"", 6),
            [b'&', b'#', b'3', b'4', b';', ..] => (b"\"", 5),
            [b'&', b'a', b'm', b'p', b';', ..] => (b"&", 5),
            [b'&', b'l', b't', b';', ..] => (b"<", 4),
            [b'&', b'g', b't', b';', ..] => (b">", 4),
            [b'\\', c @ (b'"' | b'\\' | b'/' | b'\''), ..] => (std::slice::from_ref(c), 2),
            [b'\\', b'n', ..] => (b"\n", 2),
            [b'\\', b't', ..] => (b"\t", 2),
            [b'"', b'"', ..] => (b"\"", 2),
            [b'/', b'*', ..] => {
                let end = memchr::memmem::find(&rest[2..], b"*/").map_or(rest.len(), |e| e + 4);
                (b" ", end)
            }
            [b'/', b'/', ..] if i == 0 || text[i - 1].is_ascii_whitespace() => {
                (b"", memchr::memchr(b'\n', rest).unwrap_or(rest.len()))
            }
            // A JavaScript object literal's single-quoted strings and bare keys, as JSON.
            [b'\'', ..] if opens_value(&out) => match memchr::memchr(b'\'', &rest[1..]) {
                Some(end) => {
                    out.push(b'"');
                    for &c in &rest[1..=end] {
                        out.extend_from_slice(if c == b'"' { b"\\\"" } else { std::slice::from_ref(&c) });
                    }
                    (b"\"", end + 2)
                }
                None => (&rest[..1], 1),
            },
            [c, ..] if (c.is_ascii_alphabetic() || *c == b'_') && opens_key(&out) => {
                let key = rest.iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count();
                let colon = rest[key..].iter().find(|b| !b.is_ascii_whitespace()) == Some(&b':');
                if colon {
                    out.push(b'"');
                    out.extend_from_slice(&rest[..key]);
                    (b"\"", key)
                } else {
                    (&rest[..key], key)
                }
            }
            _ => (&rest[..1], 1),
        };
        out.extend_from_slice(shown);
        i += len;
    }
    out
}

/// The last mark written, past spaces.
fn last_mark(out: &[u8]) -> Option<u8> {
    out.iter().rev().find(|b| !b.is_ascii_whitespace()).copied()
}

/// Where an object's key starts: after `{` or `,`.
fn opens_key(out: &[u8]) -> bool {
    matches!(last_mark(out), Some(b'{' | b','))
}

/// Where a value starts: after `{`, `[`, `,` or `:`.
fn opens_value(out: &[u8]) -> bool {
    matches!(last_mark(out), Some(b'{' | b'[' | b',' | b':'))
}

fn within_once(text: &[u8], v: &mut impl Visitor) -> Option<Result<usize, ()>> {
    let mut count = 0;
    let mut read_to = 0;
    for at in memchr::memchr_iter(b'{', text) {
        let quoted = text[at + 1..].iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'"');
        if at < read_to || !quoted {
            continue;
        }
        let mut values = serde_json::Deserializer::from_slice(&text[at..]).into_iter::<Node>();
        // An object nested in one that is not a data set is tried in its turn.
        if let Some(Ok(node @ Node::Object(_))) = values.next()
            && is_dataset(&node)
            && let Node::Object(kv) = &node
        {
            count += json_dataset(kv, v);
            read_to = at + values.byte_offset();
        }
    }
    let find = |pat: &[u8], from: usize| memchr::memmem::find(&text[from..], pat).map(|p| from + p);
    let mut found_xml = false;
    let mut from = 0;
    while let Some(start) = find(b"<NativeDicomModel", from) {
        let end =
            find(b"</NativeDicomModel>", start).map_or(text.len(), |e| e + b"</NativeDicomModel>".len());
        match xml(&text[start..end], v) {
            Some(Ok(n)) => count += n,
            _ => return Some(Err(())),
        }
        found_xml = true;
        from = end;
    }
    if !found_xml && let Some(start) = find(b"<DicomAttribute", 0) {
        let last = memchr::memmem::rfind(text, b"</DicomAttribute>").map(|e| e + b"</DicomAttribute>".len());
        let end = last.filter(|&e| e > start).unwrap_or(text.len());
        match xml(&text[start..end], v) {
            Some(Ok(n)) => count += n,
            _ => return Some(Err(())),
        }
        found_xml = true;
    }
    (count > 0 || found_xml).then_some(Ok(count))
}

/// Reads DICOM XML (the Native DICOM Model): Some(elements read) when the bytes are it, or
/// Err when they claim to be and cannot be read.
pub fn xml(bytes: &[u8], v: &mut impl Visitor) -> Option<Result<usize, ()>> {
    use quick_xml::events::{BytesStart, Event};
    let text = as_utf8(bytes);
    let bytes: &[u8] = &text;
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace())?;
    if *first != b'<' {
        return None;
    }
    let claims = |pat: &[u8]| bytes.windows(pat.len()).any(|w| w == pat);
    if !claims(b"NativeDicomModel") && !claims(b"DicomAttribute") {
        return None;
    }
    fn attr_of(e: &BytesStart<'_>, name: &str) -> Option<String> {
        e.attributes()
            .flatten()
            .find(|a| a.key.local_name().into_inner() == name)
            .map(|a| a.value.into_owned())
    }
    /// A new attribute: its tag and VR, told in order against its siblings.
    fn open(
        e: &BytesStart<'_>,
        stack: &mut [Attr],
        top_last: &mut Option<Tag>,
        v: &mut impl Visitor,
    ) -> Option<Attr> {
        let tag = attr_of(e, "tag").and_then(|t| parse_tag(&t))?;
        let vr = attr_of(e, "vr").and_then(|t| vr_of(&t));
        // The model's attributes, each saying what the tag says: a keyword other than the
        // dictionary's, or a private creator on a public tag, is text no DICOM reader reads.
        let keyword_ok =
            attr_of(e, "keyword").is_none_or(|k| k.is_empty() || k == crate::gate::law::keyword(tag));
        let creator_ok = attr_of(e, "privateCreator").is_none() || tag.group() % 2 == 1;
        let names_ok = e
            .attributes()
            .flatten()
            .all(|a| matches!(a.key.local_name().into_inner(), "tag" | "vr" | "keyword" | "privateCreator"));
        if !(keyword_ok && creator_ok && names_ok) {
            v.oddity(Oddity::OutsideTheModel, tag);
        }
        let last = match stack.last_mut() {
            Some(parent) => &mut parent.last_child,
            None => top_last,
        };
        match *last {
            Some(l) if l == tag => v.oddity(Oddity::Duplicate, tag),
            Some(l) if l > tag => v.oddity(Oddity::OutOfOrder, tag),
            _ => {}
        }
        *last = Some(tag);
        if vr == Some(VR::SQ) {
            v.sequence(tag, vr);
        }
        Some(Attr { tag, vr, value: Vec::new(), parts: 0, last_child: None, items: 0 })
    }
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut stack: Vec<Attr> = Vec::new();
    let mut top_last: Option<Tag> = None;
    let mut count = 0;
    let mut in_binary = false;
    // Inside a Value or PersonName: where an attribute's text is (not the layout between).
    let mut inside = 0usize;
    let mut buf = Vec::new();
    loop {
        // An error before any DicomAttribute: a document that only mentions DICOM (HTML).
        let Ok(event) = reader.read_event_into(&mut buf) else {
            return if count == 0 { None } else { Some(Err(())) };
        };
        match &event {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) if e.local_name().into_inner() == "DicomAttribute" => {
                let Some(a) = open(e, &mut stack, &mut top_last, v) else { return Some(Err(())) };
                count += 1;
                if matches!(event, Event::Empty(_)) {
                    finish(&a, v);
                } else {
                    stack.push(a);
                }
            }
            Event::End(e) if e.local_name().into_inner() == "DicomAttribute" => {
                let Some(a) = stack.pop() else { return Some(Err(())) };
                finish(&a, v);
            }
            Event::Start(e) if e.local_name().into_inner() == "Item" => {
                if let Some(a) = stack.last_mut() {
                    v.item(a.items);
                    a.items += 1;
                    a.last_child = None;
                }
            }
            Event::End(e) if e.local_name().into_inner() == "Item" => v.end_item(),
            // What the model has no place for: comments and processing instructions, elements
            // it does not name.
            Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {
                v.oddity(Oddity::OutsideTheModel, current(&stack, top_last));
            }
            Event::Start(e) | Event::Empty(e) if !MODEL.contains(&e.local_name().into_inner()) => {
                v.oddity(Oddity::OutsideTheModel, current(&stack, top_last));
                // Its text is kept as the attribute's value (or told, outside one).
                if matches!(event, Event::Start(_)) {
                    inside += 1;
                }
            }
            Event::End(e) if !MODEL.contains(&e.local_name().into_inner()) => {
                inside = inside.saturating_sub(1)
            }
            Event::Start(e) => {
                let Some(a) = stack.last_mut() else {
                    buf.clear();
                    continue;
                };
                match e.local_name().into_inner() {
                    "Value" | "PersonName" => {
                        inside += 1;
                        if a.parts > 0 {
                            a.value.push(b'\\');
                        }
                        a.parts += 1;
                    }
                    "InlineBinary" => in_binary = true,
                    "BulkData" => a.value.extend(bulk_data(&uri_of(e))),
                    "Ideographic" | "Phonetic" => a.value.push(b'='),
                    "GivenName" | "MiddleName" | "NamePrefix" | "NameSuffix" => a.value.push(b'^'),
                    _ => {}
                }
            }
            Event::Empty(e) if e.local_name().into_inner() == "BulkData" => {
                if let Some(a) = stack.last_mut() {
                    a.value.extend(bulk_data(&uri_of(e)));
                }
            }
            Event::End(e) if e.local_name().into_inner() == "InlineBinary" => in_binary = false,
            Event::End(e) if matches!(e.local_name().into_inner(), "Value" | "PersonName") => {
                inside = inside.saturating_sub(1);
            }
            // Character and entity references, and CDATA: text like any other. An entity the
            // document defines itself stays as written (it is there, whatever it expands to).
            Event::GeneralRef(r) => {
                if let Some(a) = stack.last_mut() {
                    let name: &str = r.as_ref();
                    let resolved = match r.resolve_char_ref() {
                        Ok(Some(c)) => Some(c.to_string()),
                        _ => match name {
                            "amp" => Some("&".into()),
                            "lt" => Some("<".into()),
                            "gt" => Some(">".into()),
                            "quot" => Some("\"".into()),
                            "apos" => Some("'".into()),
                            _ => None,
                        },
                    };
                    a.value.extend(resolved.unwrap_or_else(|| format!("&{name};")).as_bytes());
                }
            }
            Event::CData(t) => {
                if let Some(a) = stack.last_mut() {
                    let c: &str = t.as_ref();
                    a.value.extend(c.as_bytes());
                }
            }
            Event::Text(t) => {
                if let Some(a) = stack.last_mut() {
                    let raw: &str = t.as_ref();
                    let text = quick_xml::escape::unescape(raw)
                        .map(|c| c.into_owned())
                        .unwrap_or_else(|_| raw.to_string());
                    if in_binary {
                        match base64::engine::general_purpose::STANDARD.decode(text.trim()) {
                            Ok(bytes) => a.value.extend(bytes),
                            Err(_) => a.value.extend(text.as_bytes()),
                        }
                    } else if inside > 0 {
                        a.value.extend(text.trim().as_bytes());
                    } else if !text.trim().is_empty() {
                        v.oddity(Oddity::OutsideTheModel, a.tag);
                    }
                } else {
                    let raw: &str = t.as_ref();
                    if !raw.trim().is_empty() {
                        v.oddity(Oddity::OutsideTheModel, current(&stack, top_last));
                    }
                }
            }
            _ => {}
        }
        buf.clear();
    }
    if !stack.is_empty() {
        return Some(Err(()));
    }
    Some(Ok(count))
}

/// A bulk data reference's value as a reader takes it: the bytes of a `data:` URI (RFC 2397,
/// base64 or percent-encoded), which carries them in the reference itself; for any other URI, a
/// value that is there, elsewhere.
fn bulk_data(uri: &[u8]) -> Vec<u8> {
    let data = uri.trim_ascii();
    let Some((head, body)) = data
        .get(..5)
        .filter(|s| s.eq_ignore_ascii_case(b"data:"))
        .and_then(|_| data[5..].iter().position(|&b| b == b',').map(|c| (&data[5..5 + c], &data[6 + c..])))
    else {
        return b"(bulk data elsewhere)".to_vec();
    };
    let percent = percent_decoded(body);
    if head.to_ascii_lowercase().ends_with(b";base64") {
        let text: Vec<u8> = percent.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
        use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
        if let Some(bytes) = [STANDARD, STANDARD_NO_PAD].iter().find_map(|e| e.decode(&text).ok()) {
            return bytes;
        }
    }
    percent
}

/// `%XX` escapes decoded; a `%` without two hex digits kept as it is.
fn percent_decoded(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let hex =
            text.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match (text[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// The `uri` attribute of a BulkData element.
fn uri_of(e: &quick_xml::events::BytesStart<'_>) -> Vec<u8> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().into_inner() == "uri")
        .map(|a| {
            let raw: &str = &a.value;
            quick_xml::escape::unescape(raw)
                .map(|c| c.into_owned())
                .unwrap_or_else(|_| raw.to_string())
                .into_bytes()
        })
        .unwrap_or_default()
}

/// The elements of the Native DICOM Model (PS3.19 A.1).
const MODEL: &[&str] = &[
    "NativeDicomModel",
    "DicomAttribute",
    "Item",
    "Value",
    "PersonName",
    "Alphabetic",
    "Ideographic",
    "Phonetic",
    "FamilyName",
    "GivenName",
    "MiddleName",
    "NamePrefix",
    "NameSuffix",
    "InlineBinary",
    "BulkData",
];

/// The tag of the attribute being read, or the last read at the top, for a reason.
fn current(stack: &[Attr], top_last: Option<Tag>) -> Tag {
    stack.last().map(|a| a.tag).or(top_last).unwrap_or(Tag(0, 0))
}

/// An XML attribute being read.
struct Attr {
    tag: Tag,
    vr: Option<VR>,
    value: Vec<u8>,
    parts: usize,
    last_child: Option<Tag>,
    items: usize,
}

fn finish(a: &Attr, v: &mut impl Visitor) {
    if a.vr == Some(VR::SQ) {
        v.end_sequence();
    } else {
        v.element(&Element { tag: a.tag, vr: a.vr, value: &a.value, big_endian: false, text: true });
    }
}

//! DICOM XML: the Native DICOM Model (PS3.19).

use super::*;

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
pub(super) fn bulk_data(uri: &[u8]) -> Vec<u8> {
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

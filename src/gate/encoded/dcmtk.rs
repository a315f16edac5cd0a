//! DICOM in the two text forms dcmtk writes and reads back: `dcm2xml`'s own XML (`xml2dcm`
//! turns it into a Part 10 file again) and `dcmdump`'s listing (`dump2dcm` does the same). A
//! whole data set in either is a file a person reads, and a tool makes DICOM of, as it stands.
//! Both are read into the visitor the binary reader feeds. (Written here: no crate reads them.)

use super::*;

/// Reads dcmtk's XML (`<file-format>`, `<data-set>`, `<element tag="0010,0010" vr="PN">`,
/// `<sequence>`, `<item>`): Some(elements read) when the bytes are it, or Err when they claim
/// to be and cannot be read.
pub fn dcmtk_xml(bytes: &[u8], v: &mut impl Visitor) -> Option<Result<usize, ()>> {
    use quick_xml::events::{BytesStart, Event};
    let text = as_utf8(bytes);
    let bytes: &[u8] = &text;
    // Every file the gate reads comes here: what does not start as XML leaves at once.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'<') {
        return None;
    }
    let claims = |pat: &[u8]| memchr::memmem::find(bytes, pat).is_some();
    if !(claims(b"<data-set") || claims(b"<file-format")) || !claims(b"<element") {
        return None;
    }
    fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
        e.attributes()
            .flatten()
            .find(|a| a.key.local_name().into_inner() == name)
            .map(|a| a.value.into_owned())
    }
    let head = |e: &BytesStart<'_>| -> Option<(Tag, Option<VR>)> {
        Some((attr(e, "tag").and_then(|t| parse_tag(&t))?, attr(e, "vr").and_then(|t| vr_of(&t))))
    };
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let (mut buf, mut count) = (Vec::new(), 0);
    // The element being read (its tag, VR and text), and each open sequence's items so far.
    let mut element: Option<(Tag, Option<VR>, Vec<u8>)> = None;
    let mut items: Vec<usize> = Vec::new();
    loop {
        let Ok(event) = reader.read_event_into(&mut buf) else {
            return if count == 0 { None } else { Some(Err(())) };
        };
        match &event {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => match e.local_name().into_inner() {
                "element" => {
                    let Some((tag, vr)) = head(e) else { return Some(Err(())) };
                    count += 1;
                    if tag.element() == 0 {
                        // A group length, which the tool computes: no one's value.
                    } else if matches!(event, Event::Empty(_)) {
                        v.element(&Element { tag, vr, value: b"", big_endian: false, text: true });
                    } else {
                        element = Some((tag, vr, Vec::new()));
                    }
                }
                "sequence" => {
                    let Some((tag, _)) = head(e) else { return Some(Err(())) };
                    count += 1;
                    v.sequence(tag, Some(VR::SQ));
                    if matches!(event, Event::Empty(_)) {
                        v.end_sequence();
                    } else {
                        items.push(0);
                    }
                }
                "item" => {
                    if let Some(n) = items.last_mut() {
                        v.item(*n);
                        *n += 1;
                    }
                    if matches!(event, Event::Empty(_)) {
                        v.end_item();
                    }
                }
                _ => {}
            },
            Event::End(e) => match e.local_name().into_inner() {
                "element" => {
                    if let Some((tag, vr, value)) = element.take() {
                        v.element(&Element { tag, vr, value: &value, big_endian: false, text: true });
                    }
                }
                "sequence" => {
                    items.pop();
                    v.end_sequence();
                }
                "item" => v.end_item(),
                _ => {}
            },
            Event::Text(t) => {
                if let Some((_, _, value)) = element.as_mut() {
                    let raw: &str = t.as_ref();
                    let text = quick_xml::escape::unescape(raw)
                        .map(|c| c.into_owned())
                        .unwrap_or_else(|_| raw.into());
                    value.extend(text.as_bytes());
                }
            }
            Event::GeneralRef(r) => {
                if let Some((_, _, value)) = element.as_mut() {
                    let name: &str = r.as_ref();
                    let c = r.resolve_char_ref().ok().flatten().map(String::from);
                    let known = match name {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "",
                    };
                    value.extend(
                        c.unwrap_or_else(
                            || if known.is_empty() { format!("&{name};") } else { known.into() },
                        )
                        .as_bytes(),
                    );
                }
            }
            _ => {}
        }
        buf.clear();
    }
    (count > 0).then_some(Ok(count))
}

/// Reads `dcmdump`'s listing: lines `(0010,0010) PN [MADEUP^ZELDA]  # 12, 1 PatientName`,
/// sequences and items as it writes them. Some(elements read) when at least three lines are
/// elements and the listing says it is one (its `# Dicom-` headings, or each element's `#`
/// length and keyword).
pub fn dcmdump(bytes: &[u8], v: &mut impl Visitor) -> Option<usize> {
    let text = as_utf8(bytes);
    // Every file the gate reads comes here: what does not start as a listing (a `#` heading or
    // an element's `(`), or holds NUL bytes, leaves before any copy of it is made.
    let head = &text[..text.len().min(4096)];
    if !matches!(text.iter().find(|b| !b.is_ascii_whitespace()), Some(b'#' | b'(')) || head.contains(&0) {
        return None;
    }
    let text = String::from_utf8_lossy(&text);
    let lines: Vec<(Tag, &str, &str)> = text.lines().filter_map(listed).collect();
    let headed = text.contains("# Dicom-Data-Set") || text.contains("# Dicom-Meta-Information-Header");
    let commented = lines.iter().filter(|(_, _, rest)| rest.contains('#')).count();
    if lines.len() < 3 || !(headed || commented * 2 >= lines.len()) {
        return None;
    }
    let mut items: Vec<usize> = Vec::new();
    let mut count = 0;
    for (tag, vr, rest) in lines {
        match (tag, vr) {
            (Tag(0xFFFE, 0xE000), _) => {
                if let Some(n) = items.last_mut() {
                    v.item(*n);
                    *n += 1;
                }
            }
            (Tag(0xFFFE, 0xE00D), _) => v.end_item(),
            (Tag(0xFFFE, 0xE0DD), _) => {
                items.pop();
                v.end_sequence();
            }
            (_, "SQ") => {
                count += 1;
                v.sequence(tag, Some(VR::SQ));
                items.push(0);
            }
            // A group length, which the tool computes: no one's value.
            (Tag(_, 0), _) => {}
            _ => {
                count += 1;
                // `[text]` as it is; a UID as `=Keyword` or digits; numbers as they stand;
                // `(no value available)` as no value.
                let value = match rest.trim_start() {
                    r if r.starts_with('[') => r[1..].rsplit_once(']').map_or(&r[1..], |(value, _)| value),
                    r if r.starts_with("(no value") => "",
                    // A UID dcmdump names (`=CTImageStorage`): one of DICOM's own.
                    r if r.starts_with('=') => "1.2.840.10008",
                    r => r.split(" #").next().unwrap_or(r).trim(),
                };
                let vr = vr_of(vr);
                // Bytes and words as hex (`ff\d8`, `0011\0022`): the bytes they are, as a
                // binary file holds them.
                let binary = matches!(vr, Some(VR::OB | VR::OW | VR::UN));
                match binary.then(|| hex_values(value)).flatten() {
                    Some(bytes) => {
                        v.element(&Element { tag, vr, value: &bytes, big_endian: false, text: false })
                    }
                    None => v.element(&Element {
                        tag,
                        vr,
                        value: value.as_bytes(),
                        big_endian: false,
                        text: true,
                    }),
                }
            }
        }
    }
    Some(count)
}

/// A line of a `dcmdump` listing: `(gggg,eeee) VR rest`, indented or not.
fn listed(line: &str) -> Option<(Tag, &str, &str)> {
    let line = line.trim_start();
    let inner = line.strip_prefix('(')?;
    let (tag, after) = inner.split_once(')')?;
    let (group, element) = tag.split_once(',')?;
    let hex = |s: &str| (s.len() == 4).then(|| u16::from_str_radix(s, 16).ok()).flatten();
    let tag = Tag(hex(group)?, hex(element)?);
    let after = after.strip_prefix(' ')?;
    let vr = after.get(..2).filter(|vr| vr.bytes().all(|b| b.is_ascii_alphabetic()))?;
    Some((tag, vr, after.get(2..).unwrap_or_default()))
}

/// Hex values joined by `\\`, each of two digits (a byte) or four (a little-endian word), as
/// bytes; None when they are not.
fn hex_values(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 2);
    for part in text.split('\\') {
        match part.len() {
            2 => out.push(u8::from_str_radix(part, 16).ok()?),
            4 => out.extend(u16::from_str_radix(part, 16).ok()?.to_le_bytes()),
            _ => return None,
        }
    }
    Some(out)
}

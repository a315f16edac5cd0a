//! DICOM JSON and XML inside other text.

use super::*;

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
    // What unquoting could make a data set of holds a `{` (JSON, quoted any way here) or a `<`
    // (XML, or `&lt;` escaped).
    let may_quote =
        memchr::memchr2(b'{', b'<', &text).is_some() || memchr::memmem::find(&text, b"&lt;").is_some();
    if found.is_some() || !is_text || !may_quote {
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
    // Bytes none of the readings below starts at, copied a run at a time (a letter starts one
    // only where a key may: after `{` or `,`, which end a run).
    let plain = |b: &u8| !matches!(b, b'&' | b'\\' | b'"' | b'/' | b'\'' | b'{' | b',');
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if !opens_key(&out) {
            let run = text[i..].iter().take_while(|b| plain(b)).count();
            if run > 0 {
                out.extend_from_slice(&text[i..i + run]);
                i += run;
                continue;
            }
        }
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

//! A document's text, as a person who opens it reads it: a note, a list, a web page, a form's
//! fields, a PDF page, an HL7 message. DICOM's profile says nothing of documents; the rule the
//! vault keeps does (nothing on the drive identifies a patient). So a document that *labels* a
//! patient's identity is refused (`identity-in-document`): a name after a name label, a date
//! after a birth-date label, a number after an ID, accession, national-ID or telephone label, an
//! address after an address label ([`shape::fields`]), a name in DICOM's `Family^Given` form, and
//! an HL7 v2 message's patient fields. Patient IDs and accession numbers stay where the policy
//! retains them. A document's prose is not judged beyond that: a name in a sentence, a lecturer
//! or a date of a lecture pass (README says so).
//!
//! Each document is read in the ways its readers show it: as lines; with its markup's tags
//! taken out (HTML, XML, SVG, an Office file's XML members) and its character references
//! decoded; with a data file's quotes and brackets taken out (JSON, YAML, an INI file); as a
//! table whose header labels its columns (CSV, TSV); and as a PDF page's text (the strings its
//! content stream shows). Written here: what a library extracts (a PDF's text, an HTML page's)
//! is each one reading; the gate needs every reading, of bytes that may be none of them.

use super::Policy;
use super::shape::fields::{self, Field};
use super::shape::{self, Shape, Strength};
use super::verdict::Reason;

const RULE: &str = "identity-in-document";

/// The reasons a document's text gives to refuse it (none when `bytes` are no text): one for
/// each kind of field, where it is first found.
pub(super) fn reasons(bytes: &[u8], policy: &Policy, location: &str) -> Vec<Reason> {
    let Some(text) = as_text(bytes) else { return Vec::new() };
    let allowed = |f: Field| match f {
        Field::PatientId => policy.retain_patient_id,
        Field::Accession => policy.retain_accession_number,
        _ => false,
    };
    // Each kind of field where it is first found, whether the policy keeps it or not.
    let mut found: Vec<(Field, &'static str, String)> = Vec::new();
    let mut note = |field: Field, detail: &'static str, at: String| {
        if !found.iter().any(|(_, d, _)| *d == detail) {
            found.push((field, detail, at));
        }
    };
    for (segment, field) in hl7(&text) {
        note(field, "an HL7 v2 message's patient field", segment);
    }
    for (view, shown) in views(&text) {
        for (n, line) in shown.lines().enumerate() {
            let at = match view {
                "" => format!("line {}", n + 1),
                _ => format!("line {} ({view})", n + 1),
            };
            for field in fields::fields(line) {
                note(field, field.describe(), at.clone());
            }
            if caret_name(line) {
                note(Field::Name, Shape::PersonName.describe(), at);
            }
        }
    }
    for (n, cell) in table(&text) {
        for field in fields::fields(&cell) {
            note(field, field.describe(), format!("line {} (table)", n + 1));
        }
    }
    // A telephone number or an address is a patient's beside a patient's field; alone, it is as
    // often a department's (a teaching note's contact line).
    let a_patient = found.iter().any(|(f, _, _)| !matches!(f, Field::Phone | Field::Address));
    found
        .into_iter()
        .filter(|(f, _, _)| !allowed(*f) && (a_patient || !matches!(f, Field::Phone | Field::Address)))
        .map(|(_, detail, at)| super::container::refusal(RULE, &format!("{location}{at}"), detail))
        .collect()
}

/// The text of `bytes` when they are text: UTF-16 with its byte-order mark, UTF-8, or else
/// Latin-1 (each byte a character).
fn as_text(bytes: &[u8]) -> Option<String> {
    let utf16 = |bytes: &[u8], unit: fn([u8; 2]) -> u16| {
        let units: Vec<u16> = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]])).collect();
        String::from_utf16_lossy(&units)
    };
    let text = match bytes {
        [0xFF, 0xFE, rest @ ..] => utf16(rest, u16::from_le_bytes),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, u16::from_be_bytes),
        _ if super::text_like(bytes) => match std::str::from_utf8(bytes) {
            Ok(s) => s.to_string(),
            Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
        },
        _ => return None,
    };
    let shown = text.chars().all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r' | '\u{c}'));
    shown.then_some(text)
}

/// The text in each way a reader shows it, named (the empty name: as it is), each also with
/// its character references and escapes decoded.
fn views(text: &str) -> Vec<(&'static str, String)> {
    let mut out = vec![("", text.replace('\r', "\n"))];
    if let Some(at) = text.find('<')
        && text[at + 1..].starts_with(|c: char| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'))
    {
        // Tags as nothing (a word split by a tag: `Zel<b>da</b>`, Word's runs) and as line ends.
        out.push(("markup", untagged(text, "")));
        out.push(("markup", untagged(text, "\n")));
    }
    if text.contains(['{', '[', '"', '\'', '=']) {
        let fields: String = text
            .chars()
            .filter(|c| !matches!(c, '"' | '\'' | '`'))
            .map(|c| if matches!(c, '{' | '}' | '[' | ']' | ',') { '\n' } else { c })
            .collect();
        out.push(("fields", fields));
    }
    if let Some(shown) = pdf_text(text) {
        out.push(("pdf text", shown));
    }
    let decoded: Vec<(&'static str, String)> = out
        .iter()
        .filter_map(|(view, t)| {
            let d = shape::unescaped(t.as_bytes())?;
            Some((*view, String::from_utf8_lossy(&d).into_owned()))
        })
        .collect();
    out.extend(decoded);
    out
}

/// `text` with each tag (`<` to `>`) replaced by `with`.
fn untagged(text: &str, with: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        match rest[open..].find('>') {
            Some(close) => {
                out.push_str(with);
                rest = &rest[open + close + 1..];
            }
            None => {
                rest = &rest[open..];
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The text a PDF content stream shows: its strings (literal and hex), those of one `TJ` array
/// run together, a space after `Tj`, a line end where the stream moves to a new line or ends a
/// text object. None when the text is no content stream.
fn pdf_text(text: &str) -> Option<String> {
    if !text.contains("BT") || !(text.contains("Tj") || text.contains("TJ")) {
        return None;
    }
    let b: Vec<u8> = text.chars().map(|c| u8::try_from(c).unwrap_or(b'?')).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'(' => {
                let mut depth = 1;
                i += 1;
                while i < b.len() && depth > 0 {
                    match b[i] {
                        b'\\' => {
                            i += 1;
                            let octal =
                                b[i.min(b.len())..].iter().take(3).take_while(|c| (b'0'..=b'7').contains(c));
                            let digits: Vec<u8> = octal.copied().collect();
                            if digits.is_empty() {
                                out.push(match b.get(i) {
                                    Some(b'n' | b'r') => b'\n',
                                    Some(b't') => b'\t',
                                    Some(&c) => c,
                                    None => break,
                                });
                            } else {
                                let n = digits.iter().fold(0u32, |n, d| n * 8 + u32::from(d - b'0'));
                                out.push(u8::try_from(n).unwrap_or(b'?'));
                                i += digits.len() - 1;
                            }
                        }
                        b'(' => {
                            depth += 1;
                            out.push(b'(');
                        }
                        b')' => {
                            depth -= 1;
                            if depth > 0 {
                                out.push(b')');
                            }
                        }
                        c => out.push(c),
                    }
                    i += 1;
                }
                continue;
            }
            b'<' if b.get(i + 1) != Some(&b'<') => {
                let end = b[i..].iter().position(|&c| c == b'>').map_or(b.len(), |p| i + p);
                let hex: Vec<u8> = b[i + 1..end].iter().copied().filter(u8::is_ascii_hexdigit).collect();
                let digit = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
                out.extend(hex.chunks(2).map(|p| digit(p[0]) * 16 + p.get(1).map_or(0, |&c| digit(c))));
                i = end;
            }
            b'<' => i += 1,
            b'T' if b.get(i + 1) == Some(&b'j') => out.push(b' '),
            b'T' if matches!(b.get(i + 1), Some(b'*' | b'd' | b'D' | b'm')) => out.push(b'\n'),
            b'E' if b.get(i + 1) == Some(&b'T') => out.push(b'\n'),
            b'\'' | b'"' => out.push(b'\n'),
            _ => {}
        }
        i += 1;
    }
    Some(out.iter().map(|&c| char::from(c)).collect())
}

/// A word of two letters or more, a caret, and another: DICOM's `Family^Given` in a document
/// (where `a ^ b` and `x^2` are a program's or a formula's).
fn caret_name(line: &str) -> bool {
    line.split(|c: char| c.is_whitespace() || matches!(c, '|' | '"' | '<' | '>' | ',' | ';' | '(' | ')'))
        .filter(|token| token.contains('^'))
        .any(|token| {
            let mut parts = token.split('^');
            let named = |p: Option<&str>| {
                p.is_some_and(|p| {
                    let letters = p.chars().take_while(|c| c.is_alphabetic()).count();
                    letters >= 2 && p.starts_with(char::is_uppercase)
                })
            };
            named(parts.next())
                && named(parts.next())
                && shape::find(token.as_bytes(), Strength::Labels) == Some(Shape::PersonName)
        })
}

/// A table's cells under the columns its header labels as identity, each as `header: cell`
/// with its line: comma, semicolon, tab or bar separated, the header its first line. A column
/// headed `name` alone counts only beside another identity column (a case list names its cases).
fn table(text: &str) -> Vec<(usize, String)> {
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else { return Vec::new() };
    let Some((sep, columns)) = [',', ';', '\t', '|'].into_iter().find_map(|sep| {
        let cells = cells(header, sep);
        let columns: Vec<Option<(Field, bool)>> = cells.iter().map(|c| fields::column(c)).collect();
        (cells.len() >= 2 && columns.iter().any(Option::is_some)).then_some((sep, columns))
    }) else {
        return Vec::new();
    };
    let firm = columns.iter().flatten().any(|(_, loose)| !loose);
    let headers = cells(header, sep);
    let mut out = Vec::new();
    for (n, line) in lines {
        for (i, cell) in cells(line, sep).into_iter().enumerate() {
            match columns.get(i) {
                Some(Some((_, loose))) if firm || !loose => out.push((n, format!("{}: {cell}", headers[i]))),
                _ => {}
            }
        }
    }
    out
}

/// A line's cells: split at `sep` outside double quotes, the quotes taken off.
fn cells(line: &str, sep: char) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c == sep && !quoted => out.push(String::new()),
            c => out.last_mut().expect("one cell at least").push(c),
        }
    }
    out.into_iter().map(|c| c.trim().to_string()).collect()
}

/// The patient fields an HL7 v2 message fills (its segments PID, NK1, GT1 and IN1), each as
/// `SEG-n` and the field it is. None unless the text begins with an `MSH` segment.
fn hl7(text: &str) -> Vec<(String, Field)> {
    let t = text.trim_start_matches(['\u{feff}', ' ', '\n', '\r', '\u{b}']);
    let Some(sep) = t.strip_prefix("MSH").and_then(|r| r.chars().next()) else { return Vec::new() };
    if sep.is_alphanumeric() || sep.is_whitespace() {
        return Vec::new();
    }
    #[rustfmt::skip]
    const PATIENT: &[(&str, usize, Field)] = &[
        ("PID", 2, Field::PatientId), ("PID", 3, Field::PatientId), ("PID", 4, Field::PatientId),
        ("PID", 5, Field::Name), ("PID", 6, Field::Name), ("PID", 7, Field::BirthDate),
        ("PID", 9, Field::Name), ("PID", 11, Field::Address), ("PID", 13, Field::Phone),
        ("PID", 14, Field::Phone), ("PID", 19, Field::NationalId), ("PID", 20, Field::NationalId),
        ("NK1", 2, Field::Name), ("NK1", 4, Field::Address), ("NK1", 5, Field::Phone),
        ("GT1", 3, Field::Name), ("GT1", 5, Field::Address), ("GT1", 6, Field::Phone),
        ("IN1", 16, Field::Name), ("IN1", 18, Field::BirthDate), ("IN1", 19, Field::Address),
    ];
    let mut out = Vec::new();
    for segment in t.split(['\r', '\n']) {
        let values: Vec<&str> = segment.split(sep).collect();
        for &(name, n, field) in PATIENT {
            let filled = values.get(n).is_some_and(|v| v.chars().any(char::is_alphanumeric) && *v != "\"\"");
            if values[0].trim() == name && filled {
                out.push((format!("{name}-{n}"), field));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(text: &[u8]) -> Vec<Reason> {
        reasons(text, &Policy::default(), "")
    }

    #[test]
    fn documents_that_label_a_patient_are_refused() {
        for doc in [
            &b"Patient: Zelda Madeup\nDOB: 1971-02-03\n"[..],
            b"name,dob,mrn\nZelda Madeup,1971-02-03,4711913\n",
            b"<html><h1>Patient: Zel<b>da</b> Madeup</h1></html>",
            b"<p>Patient&#58; Zelda Madeup</p>",
            br#"{"patient":"Zelda Madeup","dob":"1971-02-03"}"#,
            b"MSH|^~\\&|RIS|HOSP|PACS|HOSP|202001010000||ORM^O01|1|P|2.3\rPID|1||||MADEUP^ZELDA\r",
            b"BT /F1 24 Tf 50 700 Td [(Pati) -20 (ent: Zelda Made) 10 (up)] TJ ET",
            b"BT <50617469656E743A205A656C6461204D616465757020> Tj ET",
            b"Study of MADEUP^ZELDA, shared for teaching",
            b"\xFF\xFEP\0a\0t\0i\0e\0n\0t\0:\0 \0Z\0e\0l\0d\0a\0 \0M\0a\0d\0e\0u\0p\0",
        ] {
            assert!(!refused(doc).is_empty(), "{}", String::from_utf8_lossy(doc));
        }
    }

    #[test]
    fn notes_without_a_patient_pass() {
        for doc in [
            &b"Teaching set: pneumothorax. Lecture 2024-03-01, Dr Smith.\n"[..],
            b"case,name,modality\n1,Tension Pneumothorax,CT\n",
            b"name: build\nversion: 2\n",
            b"x = a ^ b; y = x^2\n",
            b"<html><title>Chest teaching</title><p>Normal PA film</p></html>",
            b"MSH|^~\\&|RIS|HOSP|PACS|HOSP|202001010000||ORM^O01|1|P|2.3\rPID|1||||\r",
            b"Radiology, 1 Hospital Road. Address: 1 Hospital Road, Springfield. Tel: 01632 960000\n",
        ] {
            assert!(refused(doc).is_empty(), "{}: {:?}", String::from_utf8_lossy(doc), refused(doc));
        }
    }

    #[test]
    fn a_telephone_or_an_address_counts_beside_a_patient() {
        let doc = b"Patient: Zelda Madeup\nAddress: 12 Nowhere Lane\nTel: 01632 960123\n";
        assert_eq!(refused(doc).len(), 3, "{:?}", refused(doc));
    }

    #[test]
    fn retained_ids_stay_where_the_policy_says() {
        let doc = b"MRN: 4711913\nAccession: 20240611\n";
        assert_eq!(refused(doc).len(), 2);
        let policy = Policy { retain_patient_id: true, retain_accession_number: true, ..Policy::default() };
        assert!(reasons(doc, &policy, "").is_empty());
    }
}

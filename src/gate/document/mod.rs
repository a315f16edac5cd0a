//! A document's text, as a person who opens it reads it: a note, a list, a web page, a form's
//! fields, a PDF page, an HL7 message. DICOM's profile says nothing of documents; the rule the
//! vault keeps does (nothing on the drive identifies a patient). So a document that *labels* a
//! patient's identity is refused (`identity-in-document`): a name after a name label, a date
//! after a birth-date label, a number after an ID, accession, national-ID or telephone label, an
//! address after an address label ([`shape::fields`]), a name in DICOM's `Family^Given` form, an
//! NHS number in the NHS's own grouping whose check digit holds, and an HL7 v2 message's patient
//! fields. Patient IDs and accession numbers stay where the policy retains them. A document's prose is not judged beyond that: a name in a sentence, a lecturer
//! or a date of a lecture pass (README says so).
//!
//! Each document is read in the ways its readers show it: as lines; with its markup's tags
//! taken out (HTML, XML, SVG, an Office file's XML members) and its character references
//! decoded, what a browser hides taken out and a form's values shown ([`markup`]); with a data
//! file's quotes and brackets taken out (JSON, YAML, an INI file); as a table whose header labels
//! its columns (CSV, TSV); with the control words of RTF and TeX taken out ([`commands`]); and as
//! a PDF page's text (the strings its content stream shows). Written here: what a library extracts (a PDF's text, an HTML page's)
//! is each one reading; the gate needs every reading, of bytes that may be none of them.

use super::Policy;
use super::shape::fields::{self, Field};
use super::shape::{self, Shape, Strength};
use super::verdict::Reason;

mod cards;
mod commands;
mod markup;
mod pdf;
mod tables;
use markup::{elements, rows, untagged};
use pdf::pdf_text;
use tables::{header_runs, table};

const RULE: &str = "identity-in-document";

/// The reasons a document's text ([`as_text`]) gives to refuse it: one for each kind of field,
/// where it is first found.
pub(super) fn reasons(text: &str, policy: &Policy, location: &str) -> Vec<Reason> {
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
    let record = record(text);
    for (segment, field) in hl7(text) {
        note(field, "an HL7 v2 message's patient field", segment);
    }
    for (view, shown) in views(text, record) {
        let lines: Vec<&str> = shown.lines().collect();
        // Which lines may hold a label (one quick look each, for every reading below).
        let hold: Vec<bool> = lines.iter().map(|l| fields::may_hold(l)).collect();
        for (n, line) in lines.iter().enumerate() {
            if view.is_empty() && shape::nhs::nhs_number(line) {
                note(Field::NationalId, "an NHS number (its check digit holds)", format!("line {}", n + 1));
            }
            if !hold[n] && !line.contains('^') {
                continue;
            }
            let at = match view {
                "" => format!("line {}", n + 1),
                _ => format!("line {} ({view})", n + 1),
            };
            for field in line_fields(line) {
                note(field, field.describe(), at.clone());
            }
            // A label on a line of its own (a form's, a PDF's text drawn apart; YAML's `?
            // key`): the value is on the next line that has one, or after the colon that starts
            // it (Markdown's definition list, YAML's `: value`).
            let own = line.trim().trim_start_matches("? ");
            if fields::column(own).is_some()
                && let Some(next) = lines[n + 1..].iter().find(|l| !l.trim().is_empty())
                && let Some(value) = next.trim().strip_prefix(':').or((!next.contains(':')).then_some(next))
            {
                for field in fields::fields(&format!("{}: {}", own.trim_end_matches(':'), value.trim())) {
                    note(field, field.describe(), at.clone());
                }
            }
            if caret_name(line) {
                note(Field::Name, Shape::PersonName.describe(), at);
            }
        }
        for (n, pair) in header_runs(&lines, &hold) {
            for field in fields::fields(&pair) {
                note(
                    field,
                    field.describe(),
                    format!("line {} ({view}{}header)", n + 1, if view.is_empty() { "" } else { ", " }),
                );
            }
        }
        for (n, cell) in table(&lines, &hold, record) {
            for field in fields::fields(&cell) {
                let view = if view.is_empty() { "table".to_string() } else { format!("table, {view}") };
                note(field, field.describe(), format!("line {} ({view})", n + 1));
            }
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

/// The text of `bytes` when a reader shows them as text, with what it shows as nothing taken
/// out: UTF-8, UTF-16 and UTF-32 (with a byte-order mark or without, as [`as_utf8`] reads JSON),
/// Latin-1 where the bytes are no UTF-8 but mostly ASCII, and EBCDIC. Control characters a
/// viewer skips or draws as nothing (a NUL, a DOS end of file, a terminal's colour escape, a
/// backspace) are dropped, and those that frame a message (MLLP's VT and FS) are line ends — as
/// long as they are few: bytes one in ten of which are controls are no text.
///
/// [`as_utf8`]: super::encoded::as_utf8
pub(super) fn as_text(bytes: &[u8]) -> Option<String> {
    let decoded = super::encoded::as_utf8(bytes);
    let text = match std::str::from_utf8(&decoded) {
        Ok(s) => s.to_string(),
        // A head cut inside a character.
        Err(e) if e.error_len().is_none() => {
            String::from_utf8_lossy(&decoded[..e.valid_up_to()]).into_owned()
        }
        Err(_) if share(&decoded, |b| b.is_ascii_graphic() || b.is_ascii_whitespace()) >= 0.9 => {
            decoded.iter().map(|&b| char::from(b)).collect()
        }
        Err(_) if ebcdic(bytes) => super::encoded::ebcdic_037(bytes),
        Err(_) => return None,
    };
    let total = text.chars().count();
    let controls =
        text.chars().filter(|&c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}')).count();
    if total == 0 || controls * 10 > total {
        return None;
    }
    if controls == 0 {
        return Some(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // An ANSI escape: ESC [ parameters, then a final letter.
            '\u{1b}' if chars.peek() == Some(&'[') => {
                chars.next();
                while chars.next().is_some_and(|p| !('\u{40}'..='\u{7e}').contains(&p)) {}
            }
            '\u{b}' | '\u{1c}' | '\u{1d}' | '\u{1e}' | '\u{85}' => out.push('\n'),
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}') => {}
            c => out.push(c),
        }
    }
    Some(out)
}

/// The share of `bytes` that `keep` keeps.
fn share(bytes: &[u8], keep: impl Fn(u8) -> bool) -> f64 {
    bytes.iter().filter(|&&b| keep(b)).count() as f64 / bytes.len().max(1) as f64
}

/// Text in EBCDIC: spaces (0x40) and EBCDIC's letters, digits and common marks nearly
/// throughout.
fn ebcdic(bytes: &[u8]) -> bool {
    let letter = |b: u8| matches!(b, 0x81..=0x89 | 0x91..=0x99 | 0xA2..=0xA9 | 0xC1..=0xC9 | 0xD1..=0xD9 | 0xE2..=0xE9 | 0xF0..=0xF9);
    let mark = |b: u8| {
        matches!(b, 0x40 | 0x4B | 0x6B | 0x7A | 0x60 | 0x61 | 0x25 | 0x15 | 0x0D | 0x05 | 0x7D | 0x4D | 0x5D)
    };
    share(bytes, |b| b == 0x40) >= 0.03 && share(bytes, |b| letter(b) || mark(b)) >= 0.9
}

/// The fields of one line, and of each way its characters show (letters of other scripts that
/// look like Latin ones, full-width forms, characters that show nothing: [`shape::views`]).
fn line_fields(line: &str) -> Vec<Field> {
    let mut found = fields::fields(line);
    if !line.is_ascii() {
        for view in shape::views(line.as_bytes()).iter().skip(1) {
            for f in fields::fields(&String::from_utf8_lossy(view)) {
                if !found.contains(&f) {
                    found.push(f);
                }
            }
        }
    }
    found
}

/// The text in each way a reader shows it, named (the empty name: as it is), each also with
/// its character references and escapes decoded.
fn views(text: &str, record: bool) -> Vec<(&'static str, String)> {
    let mut out = vec![("", text.replace('\r', "\n"))];
    if let Some(at) = text.find('<')
        && text[at + 1..].starts_with(|c: char| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'))
    {
        // Tags as nothing (a word split by a tag: `Zel<b>da</b>`, Word's runs) and as line ends.
        out.push(("markup", untagged(text, "")));
        out.push(("markup", untagged(text, "\n")));
        out.push(("markup", markup::laid_out(text)));
        // A table's rows as lines and its cells apart (HTML, Word, OpenDocument): [`table`]
        // reads its header; and each element's name as the label of the text it holds
        // (`<PatientName>Zelda Madeup</PatientName>`).
        out.push(("markup table", rows(text)));
        out.push(("markup elements", elements(text, record)));
    }
    // A data file's quotes and brackets taken out, and its keys that are labels written as
    // words (`dateOfBirth`, `hospital_number`; JSON, YAML, INI).
    let fields: String = untyped(text)
        .chars()
        .filter(|c| !matches!(c, '"' | '\'' | '`'))
        .map(|c| if matches!(c, '{' | '}' | '[' | ']' | ',') { '\n' } else { c })
        .collect();
    let fields: Vec<String> = fields.lines().map(|l| keyed(l, record)).collect();
    out.push(("fields", fields.join("\n")));
    // Markdown's emphasis and links as the words they mark (`**Patient**:`, `[Patient][1]:`).
    if text.contains('*') || text.contains("][") || text.contains("](") {
        out.push(("markdown", markdown(text)));
    }
    // A vCard's or an iCalendar's properties, unfolded and decoded.
    if let Some(shown) = cards::shown(text) {
        out.push(("card", shown));
    }
    // Letters spaced apart (`P a t i e n t :  Z e l d a`), as the words they show.
    if let Some(shown) = unspaced(text) {
        out.push(("letters spaced", shown));
    }
    // An RTF or a TeX document's text, its control words out.
    if let Some(shown) = commands::shown(text) {
        out.push(("control words out", shown));
    }
    // A PDF page's text: each piece drawn apart on a line of its own, and the pieces of one
    // text object run together (a word split across `Tj`s, words placed one by one).
    if let Some(shown) = pdf_text(text, false) {
        out.push(("pdf text", shown));
    }
    if let Some(shown) = pdf::ps_text(text) {
        out.push(("postscript text", shown));
    }
    if let Some(shown) = pdf_text(text, true) {
        // Each letter placed by its own move (`(P) Tj 14 0 Td (a) Tj`): the moves read as
        // spaces between letters, which are read as the words they show.
        if let Some(letters) = unspaced(&shown) {
            out.push(("pdf letters", letters));
        }
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

/// A `key: value` (or `key = value`) line with its key written as the label it ends in
/// ([`fields::key`]: `dateOfBirth`, `patient_last_name`, `patient.name`); other lines as they are.
fn keyed(line: &str, record: bool) -> String {
    let Some(at) = line.find([':', '=']) else { return line.to_string() };
    let key = line[..at].trim();
    let identifier =
        !key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-'));
    match identifier.then(|| fields::key(&words(&key.replace(['.', '-'], " ")), record)).flatten() {
        Some((label, _)) => format!("{label}{}", &line[at..]),
        None => line.to_string(),
    }
}

/// Whether a document holds both keys of a structured name (FHIR's and CDA's `family` and
/// `given`): only then are they labels.
fn record(text: &str) -> bool {
    let keyed = |k: &str| {
        [format!("<{k}"), format!(":{k}>"), format!("\"{k}\""), format!("{k}:")]
            .iter()
            .any(|p| text.contains(p.as_str()))
    };
    keyed("given") && keyed("family")
}

/// Text written with a space between its letters (`P a t i e n t :  Z e l d a   M a d e u p`)
/// as the words it shows: a run of three characters or more that stand alone is one word, a
/// wider gap a word's space. None where no run is.
fn unspaced(text: &str) -> Option<String> {
    let mut changed = false;
    let mut word = |group: &str| {
        let tokens: Vec<&str> = group.split(' ').collect();
        let mut out = Vec::with_capacity(tokens.len());
        let mut i = 0;
        while i < tokens.len() {
            // A letter alone, or the last one with the mark after it (`T:`).
            let mut run = tokens[i..].iter().take_while(|t| t.chars().count() == 1).count();
            let marked = |t: &str| t.chars().count() == 2 && t.ends_with([':', '.', ',', ';']);
            if run > 0 && tokens.get(i + run).is_some_and(|t| marked(t)) {
                run += 1;
            }
            changed |= run >= 3;
            let take = if run >= 3 { run } else { 1 };
            out.push(tokens[i..i + take].concat());
            i += take;
        }
        out.join(" ")
    };
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            line.split("  ")
                .filter(|g| !g.trim().is_empty())
                .map(|g| word(g.trim()))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    changed.then(|| lines.join("\n"))
}

/// A data file's text without YAML's type tags (`patient: !!str Zelda Madeup`).
fn untyped(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("!!") {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("!!") {
        out.push_str(&rest[..at]);
        let tag =
            rest[at + 2..].find(|c: char| !c.is_ascii_alphanumeric()).map_or(rest.len(), |e| at + 2 + e);
        rest = rest[tag..].strip_prefix(' ').unwrap_or(&rest[tag..]);
    }
    out.push_str(rest);
    out.into()
}

/// Markdown as the words it shows: emphasis marks out, a link or a reference as its text.
fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(['*', ']']) {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        // `](url)` or `][ref]`: the link's target is not shown.
        let close = match (rest.as_bytes()[at], after.chars().next()) {
            (b']', Some('(')) => after.find(')'),
            (b']', Some('[')) => after.find(']'),
            _ => None,
        };
        rest = close.map_or(after, |c| &after[c + 1..]);
    }
    out.push_str(rest);
    out.replace('[', "")
}

/// `text` with identifiers written as words: a capital after a small letter starts a new word
/// (`dateOfBirth`), and an underscore is a space.
fn words(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut last = ' ';
    for c in text.chars() {
        if c.is_uppercase() && last.is_lowercase() {
            out.push(' ');
        }
        out.push(if c == '_' { ' ' } else { c });
        last = c;
    }
    out
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

    fn refused(bytes: &[u8]) -> Vec<Reason> {
        as_text(bytes).map(|t| reasons(&t, &Policy::default(), "")).unwrap_or_default()
    }

    #[test]
    fn documents_that_label_a_patient_are_refused() {
        for doc in [
            &b"Patient: Zelda Madeup\nDOB: 1971-02-03\n"[..],
            b"name,dob,mrn\nZelda Madeup,1971-02-03,4711913\n",
            b"<html><h1>Patient: Zel<b>da</b> Madeup</h1></html>",
            b"<html><p>Patient: Zel<span></span>da Made<b></b>up</p><p>DOB: 03/<i></i>02/1971</p></html>",
            b"%!PS\n72 720 moveto (Patient: Zel) show (da Made) show (up) show\nshowpage\n",
            b"<p>Patient&#58; Zelda Madeup</p>",
            br#"{"patient":"Zelda Madeup","dob":"1971-02-03"}"#,
            b"MSH|^~\\&|RIS|HOSP|PACS|HOSP|202001010000||ORM^O01|1|P|2.3\rPID|1||||MADEUP^ZELDA\r",
            b"BT /F1 24 Tf 50 700 Td [(Pati) -20 (ent: Zelda Made) 10 (up)] TJ ET",
            b"BT <50617469656E743A205A656C6461204D616465757020> Tj ET",
            b"Study of MADEUP^ZELDA, shared for teaching",
            b"\xFF\xFEP\0a\0t\0i\0e\0n\0t\0:\0 \0Z\0e\0l\0d\0a\0 \0M\0a\0d\0e\0u\0p\0",
            // What a browser hides or shows apart, control words, an unlabelled NHS number.
            b"<p>Pa&shy;tient: Zelda Madeup</p>",
            b"<p>Patient: <span style=\"display:none\">x</span>Zelda Madeup</p>",
            b"<p>Patient: <script>var a = 1;</script>Zelda Madeup</p>",
            b"<label>Patient</label><input type=\"text\" value=\"Zelda Madeup\">",
            b"{\\rtf1\\ansi Pa\\b tient\\b0 : Zelda Madeup\\par}",
            b"\\documentclass{article}\\begin{document}\\textbf{Pa\\-tient}: Zelda Madeup\\end{document}",
            b"Case 4: liver lesion, 943 476 5919\n",
            b"BEGIN:VCARD\nFN:Zelda Madeup\nEND:VCARD\n",
            b"N a m e :  Z e l d a   M a d e u p\n",
            b"P A T I E N T: ZELDA MADEUP\n",
            b"Age/DOB: 54y / 1971-02-03\n",
            br#"{"name": [{"family": "Madeup", "given": ["Zelda"]}]}"#,
        ] {
            assert!(!refused(doc).is_empty(), "{}", String::from_utf8_lossy(doc));
        }
        // A PDF page whose letters are each placed by a move of their own (an adversary's round).
        let placed = |text: &str| -> String {
            let glyphs: Vec<String> = text.chars().map(|c| format!("({c}) Tj 7 0 Td")).collect();
            format!("BT /F1 12 Tf 50 700 Td {} ET", glyphs.join(" "))
        };
        assert!(!refused(placed("Patient: Zelda Madeup").as_bytes()).is_empty(), "letters placed one by one");
        assert!(refused(placed("Chest teaching: normal PA film").as_bytes()).is_empty());
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
            // What changelogs and manuals say (each was refused once).
            b"This could be a hostname or an IPv4 address. On the server side this is passed on.\n",
            b"\ttail: with --pid, ensure all inotify events are processed\n\tcopy: don't fail\n",
            b"Client1: (groupid=0, jobs=1): err= 0: pid=16109: Sat Jun 24 12:07:54 2017\n",
            b"3.3.5 \"Happy Birthday Beddy\" (2014-01-22)\n",
            b"which has a case insensitive match of a given name. It is implemented\n",
            b"<match><edit name=\"family\"><string>Arial</string></edit><family>Bitstream Vera</family></match>\n",
            b"--key-attributes Environment=generic:default,Name=PetSite,Type=Service\n",
            b"means that a tab will complete the word up to the full name, but not\n  Two Words  Here\n",
            b"\taddress.\n\tAdded Zelda Madeup, Arlo Fakename\n",
            b"Options: a b c d  Name: x y z\n",
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
        assert!(reasons(&as_text(doc).unwrap(), &policy, "").is_empty());
    }
}

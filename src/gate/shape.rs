//! Identity-shaped text: what a name, a date of birth, a record number or a telephone number
//! looks like when it is written into a description, whoever's it is. The gate refuses text
//! of these shapes where the profile lets text stay, and the scrub's Clean replaces it.
//!
//! Two strengths. [`Strength::Labels`], for every text value the profile keeps as it is
//! (manufacturer, code meanings, a vendor's labels): a name in DICOM's own `Family^Given` form,
//! a labelled field (`Name: …`, `DOB …`, `MRN: …`), or a title before a capitalised name (`Dr
//! Smith`). [`Strength::FreeText`], for descriptions and free text kept under Clean Descriptors:
//! also dates in any common form, ID-like digit runs (six digits or more in one run, or seven or
//! more in spaced or dashed groups: NHS numbers, MRNs, telephone numbers).
//!
//! What it cannot see: a bare name written like any other words (`JOHN SMITH`). The gate's
//! law keeps free text out unless the policy allows Clean Descriptors; README says so.

/// How hard to look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strength {
    Labels,
    /// A file's path in a DICOMDIR: names, labels and dates (its writer numbers the files).
    Paths,
    FreeText,
    /// Text an OCR engine read in an image: as free text, and a name written `SURNAME,GIVEN`
    /// in capitals (a scanner's banner writes names so).
    Pixels,
}

/// What the text looked like (for the reason; never the text itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Shape {
    PersonName,
    LabelledField,
    TitledName,
    Date,
    IdNumber,
    /// A value that is a file in base64: bytes no description holds, that a decoder takes out.
    EncodedFile,
}

impl Shape {
    pub fn describe(self) -> &'static str {
        match self {
            Shape::PersonName => "a person name (Family^Given)",
            Shape::LabelledField => "a labelled identity field",
            Shape::TitledName => "a title and a name",
            Shape::Date => "a date",
            Shape::IdNumber => "an ID-like or telephone number",
            Shape::EncodedFile => "a file in base64",
        }
    }
}

/// Words that label an identity field when a `:`, `#` or `=` and a value follow.
const LABELS: &[&str] = &[
    "name",
    "patient",
    "pt",
    "patient name",
    "pt name",
    "surname",
    "forename",
    "first name",
    "last name",
    "given name",
    "family name",
    "dob",
    "d.o.b",
    "d.o.b.",
    "date of birth",
    "birth date",
    "birthdate",
    "born",
    "mrn",
    "nhs",
    "nhs no",
    "nhs number",
    "hospital number",
    "hosp no",
    "hospital no",
    "id",
    "pid",
    "patient id",
    "pt id",
    "acc",
    "acc no",
    "accession",
    "accession number",
    "address",
    "addr",
    "tel",
    "phone",
    "telephone",
    "mobile",
    "email",
    "e-mail",
    "ssn",
    "postcode",
    "zip",
];

/// Labels specific enough that a number after them is an identity even without `:` (`MRN
/// 4711913`, `DOB 03/02/1971`, `NHS9434765919`).
const NUMBER_LABELS: &[&str] = &["mrn", "nhs", "dob", "d.o.b", "d.o.b.", "pid", "ssn", "hosp no", "acc no"];

/// Titles a capitalised name follows.
const TITLES: &[&str] = &["Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Sir", "Dame", "Rev"];

const MONTHS: &[&str] = &["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

fn letter(b: u8) -> bool {
    b.is_ascii_alphabetic() || b >= 0x80
}

/// The first identity shape in `text`, if any, in any of the ways a reader may show it: its
/// character sets' views ([`views`]), and what its escapes stand for ([`unescaped`], up to
/// [`UNESCAPES`] times: escapes escaped again). What OCR read is not unescaped: a screen shows
/// no escapes.
pub fn find(text: &[u8], strength: Strength) -> Option<Shape> {
    let mut found = find_once(text, strength);
    if strength == Strength::Pixels {
        return found;
    }
    let mut now = std::borrow::Cow::Borrowed(text);
    for _ in 0..UNESCAPES {
        if found.is_some() {
            break;
        }
        let Some(next) = unescaped(&now) else { break };
        found = find_once(&next, strength);
        now = std::borrow::Cow::Owned(next);
    }
    found
}

/// How many times text is unescaped: a value escaped more often than this (`%252525…`) is
/// read no further (each round is a pass over it).
const UNESCAPES: usize = 4;

fn find_once(text: &[u8], strength: Strength) -> Option<Shape> {
    let found = if text.iter().all(|b| b.is_ascii() && *b != 0x1B) {
        find_in(text, strength)
    } else {
        views(text).iter().find_map(|v| find_in(v, strength))
    };
    // NUL bytes a viewer skips (`Madeup\0^Person`, a name in UTF-16 bytes); and a value that is
    // one token of base64 whose bytes are text, as a decoder shows it.
    found
        .or_else(|| {
            let shown: Vec<u8> = text.iter().copied().filter(|&b| b != 0).collect();
            (shown.len() < text.len()).then(|| find_once(&shown, strength)).flatten()
        })
        .or_else(|| match (strength, base64_text(text)) {
            (Strength::Pixels, _) | (_, None) => None,
            (_, Some(Base64::Text(t))) => find_once(&t, strength),
            (_, Some(Base64::Bytes)) => Some(Shape::EncodedFile),
        })
}

/// What a value that is one token of base64 decodes to.
enum Base64 {
    Text(Vec<u8>),
    /// Bytes that are not text, from 180 letters or more: a file.
    Bytes,
}

/// What a value that is one token of base64 (12 letters or more, whole groups of four) decodes
/// to: text, or (from 180 letters) bytes that are not.
fn base64_text(text: &[u8]) -> Option<Base64> {
    use base64::Engine;
    let token = text.trim_ascii();
    if token.len() < 12 || !token.len().is_multiple_of(4) || !token.iter().all(|&b| super::in_text::letter(b))
    {
        return None;
    }
    let e = &base64::engine::general_purpose::STANDARD;
    let u = &base64::engine::general_purpose::URL_SAFE;
    let decoded = e.decode(token).or_else(|_| u.decode(token)).ok()?;
    let is_text = std::str::from_utf8(&decoded)
        .is_ok_and(|t| t.chars().all(|c| !c.is_control() || c == '\n' || c == '\t'));
    match is_text {
        true => Some(Base64::Text(decoded)),
        false => (token.len() >= super::in_text::LEAST).then_some(Base64::Bytes),
    }
}

/// Named character references a reader shows as marks a shape is made of (HTML's, and XML's
/// five).
const ENTITIES: &[(&str, char)] = &[
    ("colon", ':'),
    ("Hat", '^'),
    ("comma", ','),
    ("num", '#'),
    ("equals", '='),
    ("sol", '/'),
    ("period", '.'),
    ("lowbar", '_'),
    ("hyphen", '-'),
    ("dash", '-'),
    ("nbsp", ' '),
    ("amp", '&'),
    ("quot", '"'),
    ("apos", '\''),
    ("lt", '<'),
    ("gt", '>'),
];

/// `text` with its escapes as a reader shows them, or None when it has none: percent-encoding
/// (`%5E`, and `+` for a space, as forms send it), quoted-printable (`=5E`), HTML and XML
/// character references (`&#94;`, `&#x5E;`, `&Hat;`), and the escapes of C, JSON and Python
/// strings (`\x5E`, `\u005E`).
pub fn unescaped(text: &[u8]) -> Option<Vec<u8>> {
    if !text.iter().any(|&b| matches!(b, b'%' | b'=' | b'&' | b'\\' | b'+')) {
        return None;
    }
    let digit = |b: Option<&u8>, radix: u32| b.and_then(|&b| (b as char).to_digit(radix));
    let number = |digits: &[u8], radix: u32| -> Option<char> {
        let n =
            digits.iter().try_fold(0u32, |n, &d| Some(n.checked_mul(radix)? + digit(Some(&d), radix)?))?;
        (!digits.is_empty()).then_some(char::from_u32(n)?)
    };
    let mut out = Vec::with_capacity(text.len());
    let push = |out: &mut Vec<u8>, c: char| out.extend(c.encode_utf8(&mut [0; 4]).as_bytes());
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let shown: Option<(char, usize)> = match rest[0] {
            b'%' | b'=' => {
                let byte =
                    digit(rest.get(1), 16).zip(digit(rest.get(2), 16)).map(|(h, l)| (h << 4 | l) as u8);
                // A byte, not a character: percent-encoded UTF-8 is bytes one by one.
                if let Some(b) = byte {
                    out.push(b);
                    i += 3;
                    continue;
                }
                None
            }
            b'+' => Some((' ', 1)),
            b'\\' if rest.get(1) == Some(&b'x') && rest.len() >= 4 => number(&rest[2..4], 16).map(|c| (c, 4)),
            b'\\' if rest.get(1) == Some(&b'u') && rest.len() >= 6 => number(&rest[2..6], 16).map(|c| (c, 6)),
            b'&' => rest.iter().take(12).position(|&b| b == b';').and_then(|end| {
                let name = &rest[1..end];
                let c = match name {
                    [b'#', b'x' | b'X', hex @ ..] => number(hex, 16),
                    [b'#', dec @ ..] => number(dec, 10),
                    _ => ENTITIES.iter().find(|(n, _)| n.as_bytes() == name).map(|&(_, c)| c),
                };
                c.map(|c| (c, end + 1))
            }),
            _ => None,
        };
        match shown {
            Some((c, len)) => {
                push(&mut out, c);
                i += len;
            }
            None => {
                out.push(rest[0]);
                i += 1;
            }
        }
    }
    (out != text).then_some(out)
}

fn find_in(text: &[u8], strength: Strength) -> Option<Shape> {
    // Every shape needs letters or digits (each test below has a quicker refusal of its own).
    if text.len() < 3 || !text.iter().any(|&b| b.is_ascii_alphanumeric() || b >= 0x80) {
        return None;
    }
    let free = matches!(strength, Strength::FreeText | Strength::Pixels);
    if person_name(text)
        || (free && surname_first(text))
        || (strength == Strength::Pixels && (capital_pair(text) || marked_pair(text)))
    {
        return Some(Shape::PersonName);
    }
    if labelled(text) || (strength == Strength::Pixels && misread_label(text)) {
        return Some(Shape::LabelledField);
    }
    if titled(text) {
        return Some(Shape::TitledName);
    }
    if strength != Strength::Labels && date(text) {
        return Some(Shape::Date);
    }
    if free && id_number(text, if strength == Strength::Pixels { 7 } else { 6 }) {
        return Some(Shape::IdNumber);
    }
    None
}

/// The ways a value's bytes can read as text: as they are; with ISO 2022 escape sequences
/// taken out and JIS X 0208's full-width Latin letters, digits and marks (`Ｍ`, `＾`, `：`)
/// as the ASCII they stand for; with the full-width forms of EUC and GB character sets (row
/// 0xA3) likewise; and as UTF-8 with its full-width forms (U+FF01–U+FF5E) folded.
pub fn views(text: &[u8]) -> Vec<std::borrow::Cow<'_, [u8]>> {
    use std::borrow::Cow;
    let mut out = vec![Cow::Borrowed(text)];
    if text.iter().all(|b| b.is_ascii() && *b != 0x1B) {
        return out;
    }
    // ISO 2022: escapes out; inside a two-byte set (ESC $ …), JIS X 0208 rows 1 and 3.
    let mut folded = Vec::with_capacity(text.len());
    let (mut i, mut double) = (0, false);
    while i < text.len() {
        if text[i] == 0x1B {
            let mut j = i + 1;
            while j < text.len() && (0x20..=0x2F).contains(&text[j]) {
                j += 1;
            }
            double = text.get(i + 1) == Some(&b'$');
            i = j + 1;
            continue;
        }
        if double && i + 1 < text.len() {
            let (a, b) = (text[i], text[i + 1]);
            match (a, b) {
                (0x23, 0x21..=0x7E) => folded.push(b),
                (0x21, 0x21) => folded.push(b' '),
                (0x21, 0x27) => folded.push(b':'),
                (0x21, 0x30) => folded.push(b'^'),
                _ => folded.extend([a | 0x80, b | 0x80]),
            }
            i += 2;
            continue;
        }
        folded.push(text[i]);
        i += 1;
    }
    // EUC and GB: row 0xA3 is full-width ASCII.
    let mut euc = Vec::with_capacity(folded.len());
    let mut i = 0;
    while i < folded.len() {
        if folded[i] == 0xA3 && folded.get(i + 1).is_some_and(|&b| b >= 0xA1 && b != 0xFF) {
            euc.push(folded[i + 1] - 0x80);
            i += 2;
        } else {
            euc.push(folded[i]);
            i += 1;
        }
    }
    if euc != text {
        out.push(Cow::Owned(euc));
    }
    match std::str::from_utf8(text) {
        Ok(s) => {
            let plain = plain(s);
            if plain.as_bytes() != text {
                out.push(Cow::Owned(plain.into_bytes()));
            }
        }
        // An 8-bit character set's no-break space and soft hyphen (Latin-1's, and most others').
        Err(_) if text.iter().any(|&b| b == 0xA0 || b == 0xAD) => out.push(Cow::Owned(
            text.iter().filter(|&&b| b != 0xAD).map(|&b| if b == 0xA0 { b' ' } else { b }).collect(),
        )),
        Err(_) => {}
    }
    out
}

/// UTF-8 text as the letters it shows: compatibility forms as what they stand for (NFKD:
/// full-width and mathematical letters, ligatures, other spaces), marks that join a letter and
/// characters that show nothing (zero-width spaces and joiners, soft hyphens, direction marks,
/// variation selectors) taken out, and Cyrillic and Greek capitals and small letters that look
/// like Latin ones (and marks that look like `^`, `:` and `-`) as those. A label or a caret
/// disguised so still reads as one to a person.
fn plain(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let unseen = |c: char| {
        matches!(c,
            '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}'
            | '\u{FE20}'..='\u{FE2F}' | '\u{FE00}'..='\u{FE0F}' | '\u{E0000}'..='\u{E01EF}'
            | '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}' | '\u{FEFF}')
    };
    s.nfkd()
        .filter(|&c| !unseen(c))
        .map(|c| match c {
            '\u{3000}' | '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' => ' ',
            '\u{02C6}' | '\u{2038}' | '\u{2303}' | '\u{1DBA}' => '^',
            '\u{2236}' | '\u{A789}' | '\u{02D0}' | '\u{0589}' | '\u{05C3}' | '\u{FE13}' => ':',
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' => '-',
            c => look_alike(c).or_else(|| digit_of(c)).unwrap_or(c),
        })
        .collect()
}

/// The ASCII digit a decimal digit of another script is (Arabic-Indic, Devanagari, Thai …):
/// a date or a number written in them reads as one.
fn digit_of(c: char) -> Option<char> {
    const ZEROS: &[u32] = &[
        0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66,
        0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0xA620, 0xA8D0,
        0xA900, 0xA9D0, 0xAA50, 0xABF0,
    ];
    let n = c as u32;
    ZEROS.iter().find(|&&z| (z..z + 10).contains(&n)).and_then(|&z| char::from_digit(n - z, 10))
}

/// The Latin letter a Cyrillic or Greek one looks like, where it looks like one.
fn look_alike(c: char) -> Option<char> {
    const PAIRS: &[(char, char)] = &[
        ('А', 'A'),
        ('В', 'B'),
        ('Е', 'E'),
        ('К', 'K'),
        ('М', 'M'),
        ('Н', 'H'),
        ('О', 'O'),
        ('Р', 'P'),
        ('С', 'C'),
        ('Т', 'T'),
        ('У', 'Y'),
        ('Х', 'X'),
        ('Ѕ', 'S'),
        ('І', 'I'),
        ('Ј', 'J'),
        ('Ԁ', 'D'),
        ('а', 'a'),
        ('е', 'e'),
        ('о', 'o'),
        ('р', 'p'),
        ('с', 'c'),
        ('у', 'y'),
        ('х', 'x'),
        ('ѕ', 's'),
        ('і', 'i'),
        ('ј', 'j'),
        ('ԁ', 'd'),
        ('һ', 'h'),
        ('ӏ', 'l'),
        ('Α', 'A'),
        ('Β', 'B'),
        ('Ε', 'E'),
        ('Ζ', 'Z'),
        ('Η', 'H'),
        ('Ι', 'I'),
        ('Κ', 'K'),
        ('Μ', 'M'),
        ('Ν', 'N'),
        ('Ο', 'O'),
        ('Ρ', 'P'),
        ('Τ', 'T'),
        ('Υ', 'Y'),
        ('Χ', 'X'),
        ('ο', 'o'),
        ('ν', 'v'),
        ('ι', 'i'),
    ];
    PAIRS.iter().find(|&&(from, _)| from == c).map(|&(_, to)| to)
}

/// A caret with a letter on either side, spaces, dots and more carets between: DICOM's form of
/// a person name (`Family^Given`, `Family^^Given`, `Family ^Given`).
fn person_name(text: &[u8]) -> bool {
    let skip = |b: u8| matches!(b, b' ' | b'.' | b'^' | b'\t');
    text.iter().enumerate().any(|(i, &b)| {
        b == b'^'
            && text[..i].iter().rev().find(|&&c| !skip(c)).is_some_and(|&c| letter(c))
            && text[i + 1..].iter().find(|&&c| !skip(c)).is_some_and(|&c| letter(c))
    })
}

/// `SURNAME, Given`: a capitalised word after a comma and an upper-case word.
fn surname_first(text: &[u8]) -> bool {
    text.windows(2).enumerate().any(|(i, w)| {
        if w != b", " && !(w[0] == b',' && w[1].is_ascii_uppercase()) {
            return false;
        }
        let before = text[..i].iter().rev().take_while(|b| b.is_ascii_alphabetic()).collect::<Vec<_>>();
        let after_at = if w[1] == b' ' { i + 2 } else { i + 1 };
        let after: Vec<u8> =
            text[after_at..].iter().take_while(|b| b.is_ascii_alphabetic()).copied().collect();
        before.len() >= 2
            && before.iter().all(|b| b.is_ascii_uppercase())
            && after.len() >= 2
            && after[0].is_ascii_uppercase()
            && after[1..].iter().all(|b| b.is_ascii_lowercase())
    })
}

/// Label words OCR may misread a letter or two of (`MAME:` for `NAME:`, `Pavent:` for
/// `Patient:`): four letters or more, so that one wrong letter still leaves them apart from
/// other words.
const MISREAD_LABELS: &[&str] =
    &["name", "patient", "surname", "forename", "birth", "born", "hospital", "accession", "address", "phone"];

/// The edit distance between two short words (Levenshtein).
fn edits(a: &[u8], b: &[u8]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, &x) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &y) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(x != y)).min(row[j] + 1).min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// A word a letter or two away from a label (one for labels of five letters or fewer; three for
/// labels of seven or more, when the word is at most a letter shorter and keeps the label's
/// first and last letters: `Putieiit:`), then a
/// colon and a value: a label as OCR may read it.
fn misread_label(text: &[u8]) -> bool {
    text.iter().enumerate().any(|(i, &b)| {
        if b != b':' {
            return false;
        }
        let word: Vec<u8> = text[..i]
            .iter()
            .rev()
            .take_while(|c| c.is_ascii_alphabetic())
            .map(u8::to_ascii_lowercase)
            .collect();
        let word: Vec<u8> = word.into_iter().rev().collect();
        let value = text[i + 1..].iter().find(|c| !matches!(c, b' ' | b'\t' | b'.'));
        value.is_some_and(|c| c.is_ascii_alphanumeric())
            && MISREAD_LABELS.iter().any(|l| {
                // Three only where the word keeps the label's first and last letters (`Gradient:`,
                // `Ambient:`, `Pattern:` are three letters from `patient` too).
                let ends = word.first() == l.as_bytes().first() && word.last() == l.as_bytes().last();
                let allowed = match l.len() {
                    ..=5 => 1,
                    7.. if word.len() + 1 >= l.len() && ends => 3,
                    _ => 2,
                };
                word.len() + allowed >= l.len() && edits(&word, l.as_bytes()) <= allowed
            })
    })
}

/// `SURNAME,GIVEN` or `SURNAME, GIVEN`: two words of two capitals or more either side of a
/// comma (spaces before it too, as OCR may read them); or of four or more either side of a full
/// stop (OCR's reading of a small comma).
fn capital_pair(text: &[u8]) -> bool {
    let word_before = |end: usize| text[..end].iter().rev().take_while(|b| b.is_ascii_uppercase()).count();
    text.iter().enumerate().any(|(i, &b)| {
        let least = match b {
            b',' => 2,
            b'.' => 4,
            _ => return false,
        };
        let end = i - text[..i].iter().rev().take_while(|&&c| c == b' ').count();
        let before = word_before(end);
        let at = i + 1 + text[i + 1..].iter().take_while(|&&c| c == b' ').count().min(1);
        let after = text[at..].iter().take_while(|b| b.is_ascii_uppercase()).count();
        let ends = text.get(at + after).is_none_or(|c| !c.is_ascii_alphanumeric());
        let starts = end < before + 1 || !text[end - before - 1].is_ascii_alphanumeric();
        before >= least && after >= least && ends && starts
    })
}

/// Marks OCR reads a small caret as: `Family^Given` comes out `Family*Given`, `Family” Given`,
/// `Family~ Given`.
const CARET_READINGS: &[char] = &['^', '*', '~', '"', '\'', '`', '“', '”', '‘', '’', '´', '°', '®', '¢', '#'];

/// A capitalised word, a mark OCR reads a caret as, and a capitalised word: `Family^Given` as
/// OCR read it (the first word's capital may be split off when the mark joins them tight).
fn marked_pair(text: &[u8]) -> bool {
    let text = String::from_utf8_lossy(text);
    let chars: Vec<char> = text.chars().collect();
    let word = |from: usize, step: isize| -> (usize, bool) {
        // Letters from `from` going `step`; (count, first letter is a capital).
        let mut n = 0;
        let mut i = from as isize;
        while i >= 0 && (i as usize) < chars.len() && chars[i as usize].is_alphabetic() {
            n += 1;
            i += step;
        }
        let first = if step < 0 { (i + 1) as usize } else { from };
        (n, n > 0 && chars[first].is_uppercase())
    };
    chars.iter().enumerate().any(|(i, c)| {
        if !CARET_READINGS.contains(c) || i == 0 {
            return false;
        }
        // The family name ends right before the mark (or one space before it).
        // A space on one side at most: "Liver * Sag" is two words and a mark.
        let space_before = chars[i - 1] == ' ' && i >= 2;
        let end = if space_before { i - 2 } else { i - 1 };
        let (before, capital_before) = word(end, -1);
        let mut at = i + 1;
        if chars.get(at) == Some(&' ') {
            if space_before {
                return false;
            }
            at += 1;
        }
        let (after, capital_after) = if at < chars.len() { word(at, 1) } else { (0, false) };
        // A mark with no space on either side joins the words; then the family name's capital
        // may have been split off it: a fragment of one to three letters, a capital first, at
        // a word's start, a space, then the rest (`Sh amsby~Rowan`; not `dell'Addome`).
        let tight = !space_before && at == i + 1;
        let split_capital = tight && end + 1 >= before + 2 && {
            let space = end + 1 - before - 1;
            let (fragment, capital) =
                if space >= 1 && chars[space] == ' ' { word(space - 1, -1) } else { (0, false) };
            let starts = space < fragment + 1 || !chars[space - fragment - 1].is_alphanumeric();
            (1..=3).contains(&fragment) && capital && starts
        };
        // A long family name may carry a given name OCR read two letters of (`Fakenham"Ra igs`).
        let long_family = tight && before >= 7 && capital_before && after >= 2;
        capital_after && ((before >= 3 && after >= 3 && (capital_before || split_capital)) || long_family)
    })
}

/// A label word, at a word boundary, then spaces or dots, then `:`, `#`, `=` or `-`, then a
/// value (after spaces, tabs, dots or quotes).
pub fn labelled(text: &[u8]) -> bool {
    // A label needs a separator after it, or (for the number labels) a digit.
    if !text.iter().any(|&b| matches!(b, b':' | b'#' | b'=' | b'-') || b.is_ascii_digit()) {
        return false;
    }
    let lower: Vec<u8> = text.to_ascii_lowercase();
    for label in NUMBER_LABELS {
        let l = label.as_bytes();
        let mut from = 0;
        while let Some(i) = find_from(&lower, l, from) {
            from = i + 1;
            if i > 0 && lower[i - 1].is_ascii_alphanumeric() {
                continue;
            }
            let mut j = i + l.len();
            while matches!(lower.get(j), Some(b' ' | b'\t' | b'.' | b'#' | b':' | b'-')) {
                j += 1;
            }
            if lower.get(j).is_some_and(|b| b.is_ascii_digit()) {
                return true;
            }
        }
    }
    for label in LABELS {
        let l = label.as_bytes();
        let mut from = 0;
        while let Some(i) = find_from(&lower, l, from) {
            from = i + 1;
            let starts_word = i == 0 || !lower[i - 1].is_ascii_alphanumeric();
            if !starts_word {
                continue;
            }
            let mut j = i + l.len();
            if lower.get(j).is_some_and(|b| b.is_ascii_alphanumeric()) {
                continue; // not the end of a word
            }
            let gap = j;
            while matches!(lower.get(j), Some(b' ' | b'\t' | b'.')) {
                j += 1;
            }
            // A dash separates only with a space before it ("Name - X"; "ACC-123" is a code).
            let dash = lower.get(j) == Some(&b'-') && j > gap;
            if !matches!(lower.get(j), Some(b':' | b'#' | b'=')) && !dash {
                continue;
            }
            j += 1;
            while matches!(lower.get(j), Some(b' ' | b'\t' | b'.' | b'"' | b'\'')) {
                j += 1;
            }
            if lower.get(j).is_some_and(|&b| b.is_ascii_alphanumeric() || b >= 0x80) {
                return true;
            }
        }
    }
    false
}

fn find_from(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    memchr::memmem::find(hay.get(from..)?, needle).map(|p| p + from)
}

/// A title (as written: `Dr`, `Mrs.`) then a capitalised word: `Dr Smith`.
fn titled(text: &[u8]) -> bool {
    // A title is a capital and lower case letters, and a capitalised name follows.
    if !text.windows(2).any(|w| w[0].is_ascii_uppercase() && w[1].is_ascii_lowercase()) {
        return false;
    }
    for title in TITLES {
        let t = title.as_bytes();
        let mut from = 0;
        while let Some(i) = find_from(text, t, from) {
            from = i + 1;
            if i > 0 && text[i - 1].is_ascii_alphanumeric() {
                continue;
            }
            let mut j = i + t.len();
            let dot = text.get(j) == Some(&b'.');
            if dot {
                j += 1;
            }
            if text.get(j) != Some(&b' ') && !dot {
                continue;
            }
            while text.get(j) == Some(&b' ') {
                j += 1;
            }
            let upper = text.get(j).is_some_and(|b| b.is_ascii_uppercase());
            let lower_next = text.get(j + 1).is_some_and(|b| b.is_ascii_lowercase());
            if upper && lower_next {
                return true;
            }
        }
    }
    false
}

/// Runs of digits: (start, end) of each.
fn digit_runs(text: &[u8]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut i = 0;
    while i < text.len() {
        if text[i].is_ascii_digit() {
            let start = i;
            while i < text.len() && text[i].is_ascii_digit() {
                i += 1;
            }
            runs.push((start, i));
        } else {
            i += 1;
        }
    }
    runs
}

fn number(text: &[u8], run: (usize, usize)) -> u32 {
    text[run.0..run.1].iter().fold(0u32, |n, &d| n.saturating_mul(10).saturating_add(u32::from(d - b'0')))
}

fn plausible(year: u32, month: u32, day: u32) -> bool {
    (1900..=2100).contains(&year) && (1..=12).contains(&month) && (1..=31).contains(&day)
}

/// A date: `YYYYMMDD`, `YYYY-MM-DD`, `DD/MM/YYYY`, `DD.MM.YY`, `12 Mar 1970`, `March 12, 1970`.
fn date(text: &[u8]) -> bool {
    if text.iter().filter(|b| b.is_ascii_digit()).count() < 2 {
        return false;
    }
    let runs = digit_runs(text);
    for (k, &run) in runs.iter().enumerate() {
        let len = run.1 - run.0;
        if len == 8 {
            let s = &text[run.0..run.1];
            let n = |a: usize, b: usize| number(s, (a, b));
            if plausible(n(0, 4), n(4, 6), n(6, 8)) || plausible(n(4, 8), n(2, 4), n(0, 2)) {
                return true;
            }
        }
        // Three runs joined by one and the same separator.
        if let (Some(&b), Some(&c)) = (runs.get(k + 1), runs.get(k + 2)) {
            let sep1 = &text[run.1..b.0];
            let sep2 = &text[b.1..c.0];
            let joined = sep1.len() == 1 && sep1 == sep2 && matches!(sep1[0], b'-' | b'/' | b'.');
            if joined {
                let (l1, l2, l3) = (len, b.1 - b.0, c.1 - c.0);
                let (x, y, z) = (number(text, run), number(text, b), number(text, c));
                let ymd = l1 == 4 && l2 <= 2 && l3 <= 2 && plausible(x, y, z);
                let dmy = l1 <= 2 && l2 <= 2 && (l3 == 4 || l3 == 2) && {
                    let year = if l3 == 2 { 1900 + z } else { z };
                    plausible(year, y, x) || plausible(year, x, y)
                };
                if ymd || dmy {
                    return true;
                }
            }
        }
    }
    // A month's name beside a day (3, 3rd) and a year (1971, 71): two numbers near it.
    let lower = text.to_ascii_lowercase();
    for month in MONTHS {
        let mut from = 0;
        while let Some(i) = find_from(&lower, month.as_bytes(), from) {
            from = i + 1;
            if i > 0 && lower[i - 1].is_ascii_alphabetic() {
                continue;
            }
            let window = &text[i.saturating_sub(8)..(i + 20).min(text.len())];
            let runs = digit_runs(window);
            let days: Vec<_> =
                runs.iter().filter(|&&r| r.1 - r.0 <= 2 && (1..=31).contains(&number(window, r))).collect();
            let years: Vec<_> = runs
                .iter()
                .filter(|&&r| {
                    (r.1 - r.0 == 4 && (1900..=2100).contains(&number(window, r))) || r.1 - r.0 == 2
                })
                .collect();
            if days.iter().any(|d| years.iter().any(|y| y != d)) {
                return true;
            }
        }
    }
    false
}

/// `run` digits or more in one run (six in text; seven in what OCR read, where it runs the
/// numbers of a ruler together: `0 5 10 15` as `051015`); or groups of at least two digits joined
/// by single spaces, dashes or brackets, seven digits or more in all (`943 476 5919`, `+44 20
/// 7946 0000`).
fn id_number(text: &[u8], run: usize) -> bool {
    let runs = digit_runs(text);
    if runs.iter().any(|r| r.1 - r.0 >= run) {
        return true;
    }
    let mut digits = 0;
    let mut prev: Option<(usize, usize)> = None;
    for &run in &runs {
        let len = run.1 - run.0;
        let joined = prev.is_some_and(|p| {
            let sep = &text[p.1..run.0];
            !sep.is_empty() && sep.len() <= 2 && sep.iter().all(|&b| matches!(b, b' ' | b'-' | b'(' | b')'))
        });
        if len >= 2 && (joined || prev.is_none()) {
            digits = if joined { digits + len } else { len };
        } else if len >= 2 {
            digits = len;
        } else {
            digits = 0;
        }
        if digits >= 7 {
            return true;
        }
        prev = Some(run);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(t: &str) -> Option<Shape> {
        find(t.as_bytes(), Strength::FreeText)
    }

    #[test]
    fn names_as_ocr_reads_them_off_a_screen_are_person_names() {
        let pixels = |t: &str| find(t.as_bytes(), Strength::Pixels);
        for t in [
            "MADEUP,PERSONA",
            "MADEUP, PERSONA 8:48:26 AM",
            "MADEUP. PERSONA",
            "Madeup*Persona",
            "Madeup“Persona",
            "Madeup” Persona",
            "Madeup~ Persona",
            "Madeup *Persona",
            "Ma deup~Persona",
            "Fakenham\"Ra igs",
        ] {
            assert_eq!(pixels(t), Some(Shape::PersonName), "{t}");
        }
        for t in ["MAME: Persona Madeup", "Pavent: MADEUP PERSONA", "Putieiit: FAKENHAM CASEY"] {
            assert_eq!(pixels(t), Some(Shape::LabelledField), "{t}");
        }
        for t in [
            "MI 1.2, TIs 0.4",
            "2D, THI",
            "H4.00 MHz",
            "C5-1 3.5MHz",
            "Gain 55 DR 60 dB",
            "ABC. DEF",
            "Liver * Sag",
            "liver *Sag",
            "liver* Sag",
            "Ecografia dell'Addome",
            "eee~Sss",
            "abc*Def",
            "xy abc*Def",
            "ABCD ef ghi'Jkl",
            "x*y",
            "Gain: 55",
            "Frame: 12",
            "Series: 3",
            "Time: 08:48",
            "Zoom: 1.5",
            "Frames: 12",
            "Liver*Sa",
            "Kidney*Rt",
            "Gradient: 40",
            "Ambient: 22",
            "Pattern: A",
            "Protocol \"Ax T2\"",
        ] {
            assert_eq!(pixels(t), None, "{t}");
        }
        // Not in text the profile keeps: only in pixels.
        assert_eq!(find(b"MADEUP,PERSONA", Strength::FreeText), None);
    }

    #[test]
    fn identity_is_found_in_its_common_shapes() {
        for (text, expected) in [
            ("Madeup^Person", Shape::PersonName),
            ("CT for MADEUP^PERSON^J", Shape::PersonName),
            ("Name: Madeup Person", Shape::LabelledField),
            ("pt id #A1234", Shape::LabelledField),
            ("DOB 12/03/1970", Shape::LabelledField),
            ("seen 12/03/1970", Shape::Date),
            ("DOB: 12/03/1970", Shape::LabelledField),
            ("seen by Dr Madeup", Shape::TitledName),
            ("Mrs. Madeup follow-up", Shape::TitledName),
            ("study of 1970-03-12", Shape::Date),
            ("19700312", Shape::Date),
            ("12.03.70 scan", Shape::Date),
            ("12 Mar 1970", Shape::Date),
            ("March 12, 1970", Shape::Date),
            ("MRN 12345678", Shape::LabelledField),
            ("case 12345678", Shape::IdNumber),
            ("call 020 7946 0000", Shape::IdNumber),
            ("NHS 943 476 5919", Shape::LabelledField),
            ("ref 943 476 5919", Shape::IdNumber),
            ("+44 (20) 7946-0000", Shape::IdNumber),
            ("Madeup^^Attacker", Shape::PersonName),
            ("Madeup ^Attacker", Shape::PersonName),
            ("Madeup.^Attacker", Shape::PersonName),
            ("ATTACKER, Madeup", Shape::PersonName),
            ("Name - Madeup Attacker", Shape::LabelledField),
            ("Name:\tMadeup", Shape::LabelledField),
            ("Name: \"Madeup\"", Shape::LabelledField),
            ("Mr.Madeup", Shape::TitledName),
            ("born 03-Feb-71", Shape::Date),
            ("D.O.B. Feb 3rd 71", Shape::Date),
            ("Ｍａｄｅｕｐ＾Ａｔｔａｃｋｅｒ", Shape::PersonName),
            ("ＭＲＮ ４７１１９１３", Shape::LabelledField),
            ("ｒｅｆ ４７１１９１３", Shape::IdNumber),
        ] {
            assert_eq!(shape(text), Some(expected), "{text}");
        }
    }

    #[test]
    fn teaching_descriptions_are_not_identity() {
        for text in [
            "AXIAL 5MM",
            "CT HEAD W/O CONTRAST",
            "MR BRAIN T2 FLAIR",
            "DR CHEST PA",
            "Series 3 1.25mm B30f",
            "120 kV 250 mAs",
            "3D 0.625 x 0.625",
            "ORIGINAL\\PRIMARY\\AXIAL",
            "Thorax^1HCT_Standard",
            "SLICE 12 of 400",
            "5.0 10.0 15.0",
            "syngo CT 2012B",
            "GE MEDICAL SYSTEMS",
            "Basic Application Confidentiality Profile",
        ] {
            assert_eq!(find(text.as_bytes(), Strength::FreeText), None, "{text}");
        }
        assert_eq!(find(b"MRN 12345678", Strength::Labels), Some(Shape::LabelledField));
        assert_eq!(find(b"MRN4711913", Strength::Labels), Some(Shape::LabelledField));
        assert_eq!(find(b"SERIES 12345678", Strength::Labels), None, "digits alone only in free text");
        assert_eq!(find(b"ATTACKER\\MADEUP\\19710203\\IM000001", Strength::Paths), Some(Shape::Date));
        assert_eq!(find(b"DICOM\\ST000001\\SE000001\\IM000001", Strength::Paths), None);
    }

    #[test]
    fn disguised_letters_are_read_as_the_letters_they_show() {
        for (text, expected) in [
            ("N\u{200B}ame: Madeup Zelda", Shape::LabelledField),
            ("Na\u{00AD}me: Madeup Zelda", Shape::LabelledField),
            ("MR\u{2060}N: 4711913", Shape::LabelledField),
            ("N\u{0430}me: Madeup Zelda", Shape::LabelledField),
            ("D\u{041E}B: 1971-02-03", Shape::LabelledField),
            ("\u{041C}RN: 4711913", Shape::LabelledField),
            ("\u{1D40D}\u{1D41A}\u{1D426}\u{1D41E}: Madeup Zelda", Shape::LabelledField),
            ("Na\u{0301}me: Madeup Zelda", Shape::LabelledField),
            ("Name\u{2236} Madeup Zelda", Shape::LabelledField),
            ("Madeup\u{02C6}Zelda", Shape::PersonName),
            ("Name:\u{00A0}Madeup", Shape::LabelledField),
            ("DOB\u{2009}1971\u{2011}02\u{2011}03", Shape::LabelledField),
        ] {
            assert_eq!(
                find(text.as_bytes(), Strength::Labels),
                Some(expected),
                "{:?}",
                text.escape_unicode()
            );
        }
        // Digits of another script; NUL bytes between letters (UTF-16); a value in base64.
        assert_eq!(
            find(
                "seen \u{0660}\u{0663}/\u{0660}\u{0662}/\u{0661}\u{0669}\u{0667}\u{0661}".as_bytes(),
                Strength::FreeText
            ),
            Some(Shape::Date)
        );
        assert_eq!(find(b"M\0a\0d\0e\0u\0p\0^\0Z\0e\0l\0d\0a\0", Strength::Labels), Some(Shape::PersonName));
        assert_eq!(find(b"Madeup\0^Zelda", Strength::Labels), Some(Shape::PersonName));
        assert_eq!(find(b"TWFkZXVwXlplbGRhIDE5NzEwMjAz", Strength::Labels), Some(Shape::PersonName));
        assert_eq!(find(b"QVhJQUwgNU1N", Strength::FreeText), None, "base64 of AXIAL 5MM");
        use base64::Engine;
        let file =
            base64::engine::general_purpose::STANDARD.encode([&[0u8; 128][..], b"DICM\x02\0\0\0"].concat());
        assert_eq!(find(file.as_bytes(), Strength::Labels), Some(Shape::EncodedFile));
        // Latin-1 bytes (ISO_IR 100): a soft hyphen and a no-break space.
        assert_eq!(find(b"Na\xadme:\xa0Madeup", Strength::Labels), Some(Shape::LabelledField));
        // Letters of other scripts that are no disguise stay as they are.
        assert_eq!(find("Κεφαλή αξονική".as_bytes(), Strength::FreeText), None);
        assert_eq!(find("КТ головы".as_bytes(), Strength::FreeText), None);
    }

    #[test]
    fn escapes_and_wide_forms_are_read_as_the_letters_they_show() {
        // ISO 2022: an escape inside the caret form; JIS X 0208 full-width letters and caret.
        assert_eq!(find(b"Madeup^\x1b(BAttacker", Strength::Labels), Some(Shape::PersonName));
        let jis = b"\x1b$B\x23\x4d\x23\x61\x21\x30\x23\x41\x23\x74\x1b(B";
        assert_eq!(find(jis, Strength::Labels), Some(Shape::PersonName));
        assert_eq!(find(b"Name\x1b-A:\x1b(B Madeup", Strength::Labels), Some(Shape::LabelledField));
        // GB2312 full-width: row 0xA3.
        assert_eq!(
            find(b"\xa3\xcd\xa3\xe1\xa3\xde\xa3\xc1\xa3\xf4", Strength::Labels),
            Some(Shape::PersonName)
        );
    }
}

//! The ways text can show letters other than as plain ASCII: character sets' views, disguised
//! letters, escapes, and one token of base64.

/// What a value that is one token of base64 decodes to.
pub(super) enum Base64 {
    Text(Vec<u8>),
    /// Bytes that are not text, from 180 letters or more: a file.
    Bytes,
}

/// What a value that is one token of base64 (12 letters or more, whole groups of four) decodes
/// to: text, or (from 180 letters) bytes that are not.
pub(super) fn base64_text(text: &[u8]) -> Option<Base64> {
    use base64::Engine;
    let token = text.trim_ascii();
    if token.len() < 12
        || !token.len().is_multiple_of(4)
        || !token.iter().all(|&b| crate::gate::in_text::letter(b))
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
        false => (token.len() >= crate::gate::in_text::LEAST).then_some(Base64::Bytes),
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

#[cfg(test)]
mod tests {
    use crate::gate::shape::{Shape, Strength, find};

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

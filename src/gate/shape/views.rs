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
    ("ensp", ' '),
    ("emsp", ' '),
    ("thinsp", ' '),
    // What shows nothing: a soft hyphen, zero-width joiners and spaces, direction marks
    // (taken out where the text is read as it shows).
    ("shy", '\u{AD}'),
    ("zwnj", '\u{200C}'),
    ("zwj", '\u{200D}'),
    ("lrm", '\u{200E}'),
    ("rlm", '\u{200F}'),
    ("ZeroWidthSpace", '\u{200B}'),
    ("NoBreak", '\u{2060}'),
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
            b'&' => rest.iter().take(18).position(|&b| b == b';').and_then(|end| {
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
            let latin = jis_letter(a, b).and_then(look_alike);
            match (a, b) {
                (0x23, 0x21..=0x7E) => folded.push(b),
                (0x21, 0x21) => folded.push(b' '),
                (0x21, 0x27) => folded.push(b':'),
                (0x21, 0x30) => folded.push(b'^'),
                // Rows 6 and 7: Greek and Cyrillic letters, as the Latin ones they look like.
                (0x26 | 0x27, _) if latin.is_some() => folded.push(latin.map_or(b'?', |c| c as u8)),
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
            if let Some(back) = reversed(s) {
                out.push(Cow::Owned(plain(&back).into_bytes()));
            }
            let plain = plain(s);
            if plain.as_bytes() != text {
                out.push(Cow::Owned(plain.into_bytes()));
            }
        }
        // An 8-bit character set's no-break space and soft hyphen (Latin-1's, and most others').
        Err(_) => {
            if text.iter().any(|&b| b == 0xA0 || b == 0xAD) {
                out.push(Cow::Owned(
                    text.iter().filter(|&&b| b != 0xAD).map(|&b| if b == 0xA0 { b' ' } else { b }).collect(),
                ));
            }
            // ISO 8859-5 (ISO_IR 144, Cyrillic) and ISO 8859-7 (ISO_IR 126, Greek): their
            // letters that look like Latin ones read as those; and the Latin sets (ISO_IR 100,
            // 101, 148 …, whose accented vowels mostly share Latin-1's bytes) without accents.
            if text.iter().any(|&b| b >= 0xA1) {
                for decode in [cyrillic_8859_5, greek_8859_7, char::from] {
                    let shown: String = text.iter().map(|&b| decode(b)).collect();
                    out.push(Cow::Owned(plain(&shown).into_bytes()));
                }
            }
        }
    }
    out
}

/// A byte of ISO 8859-5 as the character it stands for (the C1 controls and what it leaves out
/// as themselves: no reader shows them as letters).
fn cyrillic_8859_5(b: u8) -> char {
    match b {
        0xA1..=0xFF if b != 0xAD && b != 0xF0 && b != 0xFD => {
            char::from_u32(0x360 + u32::from(b)).unwrap_or('?')
        }
        _ => char::from(b),
    }
}

/// A byte of ISO 8859-7 as the character it stands for (its Greek letters; the rest as Latin-1).
fn greek_8859_7(b: u8) -> char {
    match b {
        0xB4..=0xFE if b != 0xB7 && b != 0xBB && b != 0xBD && b != 0xD2 => {
            char::from_u32(0x2D0 + u32::from(b)).unwrap_or('?')
        }
        _ => char::from(b),
    }
}

/// A JIS X 0208 Greek (row 6) or Cyrillic (row 7) letter as its Unicode character.
fn jis_letter(row: u8, cell: u8) -> Option<char> {
    const GREEK: &str = "ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ";
    const CYRILLIC: &str = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ";
    let (letters, capitals, smalls) = match row {
        0x26 => (GREEK, 0x21, 0x41),
        0x27 => (CYRILLIC, 0x21, 0x51),
        _ => return None,
    };
    let (index, small) = match cell {
        c if (capitals..capitals + 33).contains(&c) => (c - capitals, false),
        c if (smalls..smalls + 33).contains(&c) => (c - smalls, true),
        _ => return None,
    };
    let c = letters.chars().nth(usize::from(index))?;
    Some(if small { c.to_lowercase().next()? } else { c })
}

/// Text that holds right-to-left controls (an override, an embedding, an isolate, a mark) or
/// right-to-left letters, in the order a reader's screen shows its Latin letters when all are
/// reversed: `\u{202E}3191174 :NRM` is shown as `MRN: 4711913`.
fn reversed(s: &str) -> Option<String> {
    let rtl = |c: char| {
        matches!(c, '\u{200F}' | '\u{202B}' | '\u{202E}' | '\u{2067}' | '\u{061C}')
            || ('\u{0590}'..='\u{08FF}').contains(&c)
            || ('\u{FB1D}'..='\u{FDFF}').contains(&c)
            || ('\u{FE70}'..='\u{FEFF}').contains(&c)
    };
    s.chars().any(rtl).then(|| s.chars().rev().collect())
}

/// Combining marks, and every code point Unicode says a renderer shows nothing for
/// (Default_Ignorable_Code_Point: format controls, fillers, variation selectors, tags).
fn unseen(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}' | '\u{FE00}'..='\u{FE0F}' | '\u{E0000}'..='\u{E0FFF}'
        | '\u{00AD}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}'
        | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}')
}

/// True when UTF-8 text holds a character that shows nothing or a mark written apart from its
/// letter ([`unseen`]); a letter written as another form of a Latin one (full width,
/// mathematical, circled, small capitals: `Ｚｅｌｄａ`, `ᴢᴇʟᴅᴀ`); or a word of Latin letters with
/// a Greek or Cyrillic one among them (`Zеlda` with a Cyrillic `е`), or a word of four or more
/// Greek or Cyrillic capitals that all look like Latin ones (`НЕАТН`): its words as written are
/// not the words a person reads. A letter with its accent (`ó`, `ě`) is written as it is read,
/// and so is a word all in Greek or Cyrillic.
pub(super) fn hides_letters(s: &str) -> bool {
    use unicode_normalization::UnicodeNormalization;
    let other_script = |c: char| matches!(c, '\u{0370}'..='\u{03FF}' | '\u{0400}'..='\u{04FF}');
    // Not a letter of Latin's own alphabets with a stroke or a hook (`ł`, `đ`, `ø`), which a
    // look-alike reads as its plain letter.
    let latin = |c: char| matches!(c, '\u{00C0}'..='\u{024F}');
    let another_form = |c: char| {
        !c.is_ascii()
            && !other_script(c)
            && (std::iter::once(c).nfkd().ne(std::iter::once(c).nfd())
                || (look_alike(c).is_some() && !latin(c)))
    };
    // A word all of Greek or Cyrillic capitals that look like Latin ones (`НЕАТН`).
    let looks_latin = |word: &str| {
        word.chars().count() >= 4
            && word.chars().all(|c| c.is_uppercase() && other_script(c) && look_alike(c).is_some())
    };
    s.chars().any(|c| unseen(c) || another_form(c))
        || s.split(|c: char| !c.is_alphabetic()).any(|word| {
            (word.chars().any(|c| c.is_ascii_alphabetic()) && word.chars().any(other_script))
                || looks_latin(word)
        })
}

/// UTF-8 text as the letters it shows: compatibility forms as what they stand for (NFKD:
/// full-width and mathematical letters, ligatures, other spaces), marks that join a letter and
/// characters that show nothing (zero-width spaces and joiners, soft hyphens, direction marks,
/// variation selectors) taken out, and Cyrillic and Greek capitals and small letters that look
/// like Latin ones (and marks that look like `^`, `:` and `-`) as those. A label or a caret
/// disguised so still reads as one to a person.
fn plain(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
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

/// The Latin letter a Cyrillic, Greek, Lisu, Cherokee, Coptic, Canadian syllabic or Armenian
/// one, a small capital, a Latin letter with a stroke or an enclosed letter looks like, where it
/// looks like one.
fn look_alike(c: char) -> Option<char> {
    // Letters in boxes, circles and flags that Unicode gives no decomposition (negative
    // squared and circled letters, regional indicators): each block runs A to Z.
    const ENCLOSED: &[u32] = &[0x1F130, 0x1F150, 0x1F170, 0x1F1E6];
    let n = c as u32;
    if let Some(&first) = ENCLOSED.iter().find(|&&z| (z..z + 26).contains(&n)) {
        return char::from_u32(u32::from(b'A') + n - first);
    }
    // Lisu, Cherokee and small capitals that look like Latin letters (code point, letter).
    #[rustfmt::skip]
    const OTHERS: &[(u32, char)] = &[
        // Lisu
        (0xA4D0, 'B'), (0xA4D1, 'P'), (0xA4D2, 'd'), (0xA4D3, 'D'), (0xA4D4, 'T'), (0xA4D6, 'G'),
        (0xA4D7, 'K'), (0xA4D9, 'J'), (0xA4DA, 'C'), (0xA4DC, 'Z'), (0xA4DD, 'F'), (0xA4DF, 'M'),
        (0xA4E0, 'N'), (0xA4E1, 'L'), (0xA4E2, 'S'), (0xA4E3, 'R'), (0xA4E6, 'V'), (0xA4E7, 'H'),
        (0xA4EA, 'W'), (0xA4EB, 'X'), (0xA4EC, 'Y'), (0xA4EE, 'A'), (0xA4F0, 'E'), (0xA4F2, 'I'),
        (0xA4F3, 'O'), (0xA4F4, 'U'),
        // Cherokee
        (0x13A0, 'D'), (0x13A1, 'R'), (0x13A2, 'T'), (0x13A5, 'i'), (0x13A9, 'Y'), (0x13AA, 'A'),
        (0x13AB, 'J'), (0x13AC, 'E'), (0x13B3, 'W'), (0x13B7, 'M'), (0x13BB, 'H'), (0x13C0, 'G'),
        (0x13C3, 'Z'), (0x13D2, 'R'), (0x13D5, 'S'), (0x13D9, 'V'), (0x13DA, 'S'), (0x13DE, 'L'),
        (0x13DF, 'C'), (0x13E2, 'P'), (0x13E6, 'K'), (0x13F4, 'B'),
        // small capitals
        (0x1D00, 'A'), (0x0299, 'B'), (0x1D04, 'C'), (0x1D05, 'D'), (0x1D07, 'E'), (0xA730, 'F'),
        (0x0262, 'G'), (0x029C, 'H'), (0x026A, 'I'), (0x1D0A, 'J'), (0x1D0B, 'K'), (0x029F, 'L'),
        (0x1D0D, 'M'), (0x0274, 'N'), (0x1D0F, 'O'), (0x1D18, 'P'), (0x0280, 'R'), (0xA731, 'S'),
        (0x1D1B, 'T'), (0x1D1C, 'U'), (0x1D20, 'V'), (0x1D21, 'W'), (0x028F, 'Y'), (0x1D22, 'Z'),
        // Coptic capitals (each small letter follows its capital)
        (0x2C80, 'A'), (0x2C82, 'B'), (0x2C88, 'E'), (0x2C8C, 'Z'), (0x2C8E, 'H'), (0x2C92, 'I'),
        (0x2C94, 'K'), (0x2C98, 'M'), (0x2C9A, 'N'), (0x2C9E, 'O'), (0x2CA2, 'P'), (0x2CA4, 'C'),
        (0x2CA6, 'T'), (0x2CA8, 'Y'), (0x2CAC, 'X'),
        (0x2C81, 'a'), (0x2C83, 'b'), (0x2C89, 'e'), (0x2C8D, 'z'), (0x2C8F, 'h'), (0x2C93, 'i'),
        (0x2C95, 'k'), (0x2C99, 'm'), (0x2C9B, 'n'), (0x2C9F, 'o'), (0x2CA3, 'p'), (0x2CA5, 'c'),
        (0x2CA7, 't'), (0x2CA9, 'y'), (0x2CAD, 'x'),
        // Canadian syllabics
        (0x15E9, 'A'), (0x1431, 'A'), (0x15F7, 'B'), (0x1455, 'C'), (0x15EA, 'D'), (0x157C, 'H'),
        (0x148D, 'J'), (0x14AA, 'L'), (0x15F0, 'M'), (0x144E, 'N'), (0x146D, 'P'), (0x1587, 'R'),
        (0x1515, 'S'), (0x144C, 'U'), (0x142F, 'V'), (0x15EF, 'W'), (0x1614, 'Z'),
        // Armenian
        (0x054D, 'U'), (0x0555, 'O'), (0x0548, 'N'), (0x054F, 'S'), (0x0570, 'h'), (0x0578, 'n'),
        (0x057D, 'u'), (0x0585, 'o'), (0x0581, 'g'), (0x0566, 'q'), (0x0561, 'w'),
        // Latin letters with a stroke or a bar, which no decomposition takes apart
        (0x0110, 'D'), (0x0111, 'd'), (0x00D8, 'O'), (0x00F8, 'o'), (0x0141, 'L'), (0x0142, 'l'),
        (0x023A, 'A'), (0x2C65, 'a'), (0x0246, 'E'), (0x0247, 'e'), (0x019D, 'N'), (0x0272, 'n'),
        (0x0244, 'U'), (0x0289, 'u'), (0x2C63, 'P'), (0x1D7D, 'p'), (0x01B5, 'Z'), (0x01B6, 'z'),
        (0x0126, 'H'), (0x0127, 'h'), (0x0166, 'T'), (0x0167, 't'), (0x0197, 'I'), (0x0268, 'i'),
        (0x023B, 'C'), (0x023C, 'c'), (0x024C, 'R'), (0x024D, 'r'), (0x024E, 'Y'), (0x024F, 'y'),
        (0x01E4, 'G'), (0x01E5, 'g'), (0x0248, 'J'), (0x0249, 'j'), (0xA740, 'K'), (0xA741, 'k'),
        (0x0243, 'B'), (0x0180, 'b'), (0x023E, 'T'), (0x2C66, 't'), (0x2C6B, 'Z'), (0x2C6C, 'z'),
    ];
    if let Some(&(_, to)) = OTHERS.iter().find(|&&(from, _)| from == n) {
        return Some(to);
    }
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
            ("N\u{180B}ame: Madeup Zelda", Shape::LabelledField),
            ("MR\u{3164}N: 4711913", Shape::LabelledField),
            ("\u{202E}3191174 :NRM\u{202C}", Shape::LabelledField),
            ("\u{1D0D}\u{0280}\u{0274}: 4711913", Shape::LabelledField),
            ("\u{A4DF}\u{A4E3}\u{A4E0}: 4711913", Shape::LabelledField),
            ("\u{13A0}O\u{13F4}: 1971-02-03", Shape::LabelledField),
            ("\u{1F17C}\u{1F181}\u{1F17D}: 4711913", Shape::LabelledField),
            ("\u{2C9A}\u{2C80}\u{2C98}\u{2C88}: Zelda Madeup", Shape::LabelledField),
            ("\u{144E}\u{15E9}\u{15F0}E: Zelda Madeup", Shape::LabelledField),
            ("D\u{0555}B: 1971-02-03", Shape::LabelledField),
            ("\u{019D}\u{023A}M\u{0246}: Zelda Madeup", Shape::LabelledField),
            ("\u{0110}\u{00D8}B: 1971-02-03", Shape::LabelledField),
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
        // Latin-1 (and Latin-2, Latin-5: the same bytes for these) accents on a label.
        assert_eq!(find(b"P\xe1tient: Z\xe9lda M\xe1deup", Strength::Labels), Some(Shape::LabelledField));
        assert_eq!(find(b"TWFkZXVwXlplbGRhIDE5NzEwMjAz", Strength::Labels), Some(Shape::PersonName));
        assert_eq!(find(b"QVhJQUwgNU1N", Strength::FreeText), None, "base64 of AXIAL 5MM");
        use base64::Engine;
        let file =
            base64::engine::general_purpose::STANDARD.encode([&[0u8; 128][..], b"DICM\x02\0\0\0"].concat());
        assert_eq!(find(file.as_bytes(), Strength::Labels), Some(Shape::EncodedFile));
        // Latin-1 bytes (ISO_IR 100): a soft hyphen and a no-break space.
        assert_eq!(find(b"Na\xadme:\xa0Madeup", Strength::Labels), Some(Shape::LabelledField));
        // Greek (ISO 8859-7) and Cyrillic (ISO 8859-5) capitals, and JIS X 0208's Greek row.
        assert_eq!(find(b"\xccR\xcd: 4711913", Strength::Labels), Some(Shape::LabelledField));
        assert_eq!(find(b"\xbcRN: 4711913", Strength::Labels), Some(Shape::LabelledField));
        assert_eq!(find(b"\x1b$B\x26\x2c\x1b(BRN: 4711913", Strength::Labels), Some(Shape::LabelledField));
        assert_eq!(find(b"\xca\xe5\xf6\xe1\xeb\xde", Strength::FreeText), None, "head, in Greek");
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

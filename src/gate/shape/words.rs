//! Shapes made of words: a person name's DICOM form, labelled fields, titles.

use super::vocabulary::*;

pub(super) fn letter(b: u8) -> bool {
    b.is_ascii_alphabetic() || b >= 0x80
}

/// A caret with a letter on either side, spaces, dots and more carets between: DICOM's form of
/// a person name (`Family^Given`, `Family^^Given`, `Family ^Given`) — unless the words either
/// side are both a scanner's protocol tree's ([`PROTOCOL_WORDS`]: `Abdomen^AbdomenRoutine`,
/// `CT^Chest`, `Cardiac^CaScore`).
pub(super) fn person_name(text: &[u8]) -> bool {
    let text = &*without_mass_numbers(text);
    let skip = |b: u8| matches!(b, b' ' | b'.' | b'^' | b'\t');
    text.iter().enumerate().any(|(i, &b)| {
        b == b'^'
            && text[..i].iter().rev().find(|&&c| !skip(c)).is_some_and(|&c| letter(c))
            && text[i + 1..].iter().find(|&&c| !skip(c)).is_some_and(|&c| letter(c))
            && !protocol_step(&text[..i], &text[i + 1..])
    }) || family_alone(text)
}

/// `text` without the carets that code meanings write a nuclide's mass number between, as a
/// superscript: after an element's symbol and before a space or a mark (`Technetium Tc^99m^
/// medronate`), or at a word's start before the element (`^18^Fluorine`). No name's part is a
/// number, but one between two names' parts is still a caret between them (`Madeup^99m^Zelda`).
fn without_mass_numbers(text: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let mass_number = |rest: &[u8]| Some(mass_number(rest)).filter(|&n| n > 0 && rest.get(n) == Some(&b'^'));
    let word_start = |i: usize| i == 0 || !text[i - 1].is_ascii_alphanumeric();
    // A nuclide's element's symbol ends at `i`, as a word of its own.
    let symbol_before = |i: usize| {
        let letters = text[..i].iter().rev().take_while(|b| b.is_ascii_alphabetic()).count();
        NUCLIDE_SYMBOLS.contains(&&text[i - letters..i]) && word_start(i - letters)
    };
    if !text.windows(2).any(|w| w[0] == b'^' && w[1].is_ascii_digit()) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let superscript = (text[i] == b'^').then(|| mass_number(&text[i + 1..])).flatten().filter(|&n| {
            let after = text.get(i + n + 2);
            (symbol_before(i) && !after.is_some_and(u8::is_ascii_alphanumeric))
                || (word_start(i) && element(&text[i + n + 2..]))
        });
        match superscript {
            Some(n) => {
                out.extend_from_slice(&text[i + 1..i + 1 + n]);
                i += n + 2;
            }
            None => {
                out.push(text[i]);
                i += 1;
            }
        }
    }
    std::borrow::Cow::Owned(out)
}

/// How long the mass number `text` starts with is (`99m` in `99m^`, `18`): one to three digits,
/// and `m` for a metastable state; 0 when it starts with none.
pub(super) fn mass_number(text: &[u8]) -> usize {
    let digits = text.iter().take_while(|b| b.is_ascii_digit()).count();
    match digits {
        1..=3 => digits + usize::from(text.get(digits) == Some(&b'm')),
        _ => 0,
    }
}

/// Whether `text` starts with the symbol or the name of an element whose nuclides nuclear
/// medicine uses, as a word.
fn element(text: &[u8]) -> bool {
    let word: Vec<u8> = text.iter().take_while(|b| b.is_ascii_alphabetic()).copied().collect();
    NUCLIDE_SYMBOLS.contains(&word.as_slice())
        || NUCLIDE_ELEMENTS.iter().any(|e| e.as_bytes().eq_ignore_ascii_case(&word))
}

/// The symbols of [`NUCLIDE_ELEMENTS`], in their order.
pub(super) const NUCLIDE_SYMBOLS: &[&[u8]] = &[
    b"Tc", b"F", b"I", b"In", b"Ga", b"Tl", b"Xe", b"Kr", b"Rb", b"Lu", b"Y", b"Sm", b"Sr", b"Ra", b"Cu",
    b"Zr", b"C", b"N", b"O", b"Cr", b"Co", b"Se", b"Er", b"Re", b"Ho", b"Bi", b"Pb", b"Ac", b"At", b"Tb",
    b"Sc", b"P",
];

/// Elements whose nuclides nuclear medicine and PET use.
const NUCLIDE_ELEMENTS: &[&str] = &[
    "technetium",
    "fluorine",
    "iodine",
    "indium",
    "gallium",
    "thallium",
    "xenon",
    "krypton",
    "rubidium",
    "lutetium",
    "yttrium",
    "samarium",
    "strontium",
    "radium",
    "copper",
    "zirconium",
    "carbon",
    "nitrogen",
    "oxygen",
    "chromium",
    "cobalt",
    "selenium",
    "erbium",
    "rhenium",
    "holmium",
    "bismuth",
    "lead",
    "actinium",
    "astatine",
    "terbium",
    "scandium",
    "phosphorus",
];

/// A family name alone in DICOM's form: a word of two letters or more, then carets to the end
/// (`MADEUP^`, `Madeup^^`), unless a protocol tree's word (`Thorax^`).
fn family_alone(text: &[u8]) -> bool {
    let t = text.trim_ascii_end();
    let carets = t.iter().rev().take_while(|&&b| b == b'^').count();
    let word: Vec<u8> = t[..t.len() - carets]
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_alphabetic())
        .map(u8::to_ascii_lowercase)
        .collect();
    let word: Vec<u8> = word.into_iter().rev().collect();
    carets >= 1
        && word.len() >= 2
        && !PROTOCOL_WORDS.iter().chain(EXAMINED).any(|p| p.as_bytes() == word.as_slice())
}

/// True when the word before a caret and the first word after it are both protocol words.
fn protocol_step(before: &[u8], after: &[u8]) -> bool {
    let back: Vec<u8> =
        before.iter().rev().take_while(|b| b.is_ascii_alphabetic()).map(u8::to_ascii_lowercase).collect();
    let back: Vec<u8> = back.into_iter().rev().collect();
    // Or its first word where words are written together (`ThoraxAbdomen`).
    let run: Vec<u8> = before.iter().rev().take_while(|b| b.is_ascii_alphabetic()).copied().collect();
    let run: Vec<u8> = run.into_iter().rev().collect();
    let lead = match run.as_slice() {
        [a, b, ..] if a.is_ascii_uppercase() && b.is_ascii_lowercase() => {
            1 + run[1..].iter().take_while(|c| c.is_ascii_lowercase()).count()
        }
        _ => run.len(),
    };
    let back_lead = run[..lead].to_ascii_lowercase();
    // The first word after, a capitalised word of a run written together ending at the next
    // capital (`AbdomenRoutine`), or a run of capitals (`CTA_Carotid`).
    let letters: Vec<u8> = after.iter().take_while(|b| b.is_ascii_alphabetic()).copied().collect();
    let first = match letters.as_slice() {
        [a, b, ..] if a.is_ascii_uppercase() && b.is_ascii_lowercase() => {
            1 + letters[1..].iter().take_while(|c| c.is_ascii_lowercase()).count()
        }
        _ => letters.len(),
    };
    let front = letters[..first].to_ascii_lowercase();
    let known = |w: &[u8]| PROTOCOL_WORDS.iter().chain(EXAMINED).any(|p| p.as_bytes() == w);
    (known(&back) || known(&back_lead)) && known(&front)
}

/// `SURNAME, Given`: a capitalised word after a comma and an upper-case word; or a name's two
/// words in capitals split by a slash ([`slashed`]).
pub(super) fn surname_first(text: &[u8]) -> bool {
    text.windows(2).enumerate().any(|(i, w)| {
        if w != b", " && !(w[0] == b',' && w[1].is_ascii_uppercase()) {
            return false;
        }
        let before = text[..i].iter().rev().take_while(|b| b.is_ascii_alphabetic()).collect::<Vec<_>>();
        let after_at = if w[1] == b' ' { i + 2 } else { i + 1 };
        let after: Vec<u8> =
            text[after_at..].iter().take_while(|b| b.is_ascii_alphabetic()).copied().collect();
        let before: Vec<u8> = before.into_iter().rev().copied().collect();
        // A family name in capitals has a vowel, or is `NG` (`PZ, Gleason 3+4` is a
        // prostate's zone).
        let capitals = |w: &[u8]| {
            w.len() >= 2
                && w.iter().all(u8::is_ascii_uppercase)
                && (w.iter().any(|b| VOWELS.contains(b)) || w == b"NG")
        };
        capitals(&before)
            && after.len() >= 2
            && after[0].is_ascii_uppercase()
            && (after[1..].iter().all(u8::is_ascii_lowercase)
                // `MADEUP, ZELDA`, as a hospital's systems write a name (a comma and a space: a
                // list of codes runs on without one): unless either word is one a description
                // is made of (`HEAD, NECK`, `AXIAL, CORONAL`).
                || (w == b", "
                    && name_in_capitals(&before)
                    && name_in_capitals(&after)
                    && !listed(text, i, after_at + after.len())))
    }) || slashed(text)
}

/// Whether the pair of words around the comma at `comma`, the second ending at `end`, is part
/// of a longer list (`CBF, CBV, MTT`): another comma just before the first word or just after
/// the second.
fn listed(text: &[u8], comma: usize, end: usize) -> bool {
    let first = text[..comma].iter().rposition(|b| !b.is_ascii_alphabetic()).map_or(0, |p| p + 1);
    let before = text[..first].trim_ascii_end();
    let after = text[end..].trim_ascii_start();
    before.ends_with(b",") || after.starts_with(b",")
}

/// `MADEUP/ZELDA`: a family and a given name in capitals joined by a slash, as some hospitals'
/// and airlines' systems write a name — unless either word is one a description is made of
/// (`HEAD/NECK`, `PRE/POST`, `CT/MR`), or the pair is part of a longer list (`T1/T2/FLAIR`).
fn slashed(text: &[u8]) -> bool {
    text.split(|b| b.is_ascii_whitespace() || matches!(b, b',' | b';' | b'(' | b')')).any(|token| {
        let words: Vec<&[u8]> = token.split(|&b| b == b'/').collect();
        matches!(words.as_slice(), [family, given] if name_in_capitals(family) && name_in_capitals(given))
    })
}

const VOWELS: &[u8] = b"AEIOUY";

/// A word in capitals that may be a name's: three letters or more with a vowel among them
/// (`CTPA`, `MLO`, `TIA` and `RT` are abbreviations), and no word a description is written
/// with ([`described`]).
fn name_in_capitals(word: &[u8]) -> bool {
    word.len() >= 3
        && word.iter().all(u8::is_ascii_uppercase)
        && word.iter().any(|b| VOWELS.contains(b))
        && word.iter().any(|b| !VOWELS.contains(b))
        && !described(word)
}

/// A patient label of another language, then a name with no separator between (`Пациент
/// Мэйдап З.`, `患者 Zelda Madeup`, `Paciente Zelda Madeup`): two capitalised words, or one and
/// an initial; after a label that says a name (`姓名`, `ФИО`), a run of letters of a script
/// without case (`姓名 张三`).
fn foreign_named(text: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(text) else { return false };
    if !text.contains(|c: char| !c.is_ascii()) && !may_hold_foreign(text) {
        return false;
    }
    let words: Vec<&str> =
        text.split(|c: char| c.is_whitespace() || c == ',').filter(|w| !w.is_empty()).collect();
    let capitalised = |w: &str| {
        w.chars().next().is_some_and(char::is_uppercase)
            && w.chars().count() >= 2
            && w.chars().all(|c| c.is_alphabetic() || c == '-')
            && !described(w.as_bytes())
    };
    let initial = |w: &str| {
        let mut c = w.chars();
        c.next().is_some_and(char::is_uppercase) && matches!(c.as_str(), "" | ".")
    };
    let caseless = |w: &str| {
        (2..=8).contains(&w.chars().count())
            && w.chars().all(|c| c.is_alphabetic() && !c.is_uppercase() && !c.is_lowercase())
    };
    words.iter().enumerate().any(|(i, label)| {
        let label = label.to_lowercase();
        let (next, after) =
            (words.get(i + 1).copied().unwrap_or(""), words.get(i + 2).copied().unwrap_or(""));
        (FOREIGN_PATIENT.contains(&label.as_str())
            && capitalised(next)
            && (capitalised(after) || initial(after)))
            || (FOREIGN_NAME.contains(&label.as_str()) && caseless(next))
    })
}

/// Whether an ASCII `text` holds one of [`FOREIGN_PATIENT`]'s words written in ASCII.
fn may_hold_foreign(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    FOREIGN_PATIENT.iter().filter(|w| w.is_ascii()).any(|w| lower.contains(w))
}

/// True when `word` (in any case) is one a description is written with: a body part, a
/// protocol's or an imaging word, a position, a thing.
pub(super) fn described(word: &[u8]) -> bool {
    let word = word.to_ascii_lowercase();
    EXAMINED
        .iter()
        .chain(PROTOCOL_WORDS)
        .chain(IMAGING)
        .chain(POSITIONS)
        .chain(THINGS)
        .chain(NO_ONE)
        .any(|w| w.as_bytes() == word.as_slice())
}

/// A word in title case: a capital and then small letters only (`Zelda`; not `ZELDA`, `McRae`).
pub(super) fn title_case(w: &[u8]) -> bool {
    w.len() >= 2 && w[0].is_ascii_uppercase() && w[1..].iter().all(u8::is_ascii_lowercase)
}

/// Where `needle` stands in `hay` with no letter or digit before it.
pub(super) fn word_starts<'a>(hay: &'a [u8], needle: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    memchr::memmem::find_iter(hay, needle).filter(move |&i| i == 0 || !hay[i - 1].is_ascii_alphanumeric())
}

pub(super) fn find_from(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    memchr::memmem::find(hay.get(from..)?, needle).map(|p| p + from)
}

/// A title (as written: `Dr`, `Mrs.`) then a capitalised word: `Dr Smith`.
pub(super) fn titled(text: &[u8]) -> bool {
    if capital_titled(text) {
        return true;
    }
    // A title is a capital and lower case letters, and a capitalised name follows.
    if !text.windows(2).any(|w| w[0].is_ascii_uppercase() && w[1].is_ascii_lowercase()) {
        return false;
    }
    for title in TITLES {
        let t = title.as_bytes();
        for i in word_starts(text, t) {
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
            // Initials before the name (`Miss Z. Madeup`, `Dr J.R. Smith`, `Miss Z Madeup`).
            let initial = |j: usize| {
                text.get(j).is_some_and(u8::is_ascii_uppercase)
                    && (text.get(j + 1) == Some(&b'.')
                        || (text.get(j + 1) == Some(&b' ')
                            && text.get(j + 2).is_some_and(u8::is_ascii_uppercase)))
            };
            // A doctor's subject after the title (`Dr. med. Madeup`, `Dr. rer. nat. Madeup`).
            while let Some(q) = DEGREES.iter().find(|q| text[j..].starts_with(q.as_bytes())) {
                j += q.len();
                while text.get(j) == Some(&b' ') {
                    j += 1;
                }
            }
            while initial(j) {
                j += 2;
                while text.get(j) == Some(&b' ') {
                    j += 1;
                }
            }
            // A capital and a small letter of any alphabet (`Dr. Ágnes`, `Dr Łukasz`).
            let start: String =
                String::from_utf8_lossy(&text[j..(j + 8).min(text.len())]).chars().take(2).collect();
            let mut letters = start.chars();
            let capitalised = letters.next().is_some_and(char::is_uppercase)
                && letters.next().is_some_and(char::is_lowercase);
            if capitalised && !examined(&text[j..]) {
                return true;
            }
        }
    }
    false
}

/// What a doctor's degree names between the title and the name, as German and Austrian
/// doctors write it (`Dr. med.`, `Dr. med. dent.`, `Dr. rer. nat.`), each with its space.
const DEGREES: &[&str] = &[
    "med. ", "dent. ", "vet. ", "rer. ", "nat. ", "phil. ", "jur. ", "habil. ", "univ. ", "h.c. ", "mult. ",
];

/// A name label, spaces, then a capitalised word: a labelled name written as a sentence.
pub(super) fn named(text: &[u8]) -> bool {
    let lower = text.to_ascii_lowercase();
    NAME_LABELS.iter().any(|label| {
        let l = label.as_bytes();
        let mut from = 0;
        while let Some(i) = find_from(&lower, l, from) {
            from = i + 1;
            let end = i + l.len();
            if (i > 0 && lower[i - 1].is_ascii_alphanumeric())
                || lower.get(end).is_some_and(u8::is_ascii_alphanumeric)
            {
                continue;
            }
            let gap = text[end..].iter().take_while(|&&b| matches!(b, b' ' | b'\t' | b'"' | b'\'')).count();
            let word = &text[end + gap..];
            let capitalised = |w: &[u8]| {
                w.first().is_some_and(u8::is_ascii_uppercase)
                    && w.iter().take_while(|b| b.is_ascii_alphabetic()).count() >= 2
            };
            if gap >= 1 && capitalised(word) {
                return true;
            }
        }
        false
    }) || two_capitalised_after(text)
        || foreign_named(text)
}

fn two_capitalised_after(text: &[u8]) -> bool {
    let words: Vec<&[u8]> = text
        .split(|&b| matches!(b, b' ' | b',' | b'\t' | b'\n' | b'\r' | b'/'))
        .filter(|w| !w.is_empty())
        .collect();
    let capitalised = |w: &[u8]| {
        w.len() >= 2 && w[0].is_ascii_uppercase() && w.iter().all(|b| b.is_ascii_alphabetic() || *b == b'-')
    };
    // One of the two may be an initial (`Pt Z. Madeup`, `Pat. Madeup, Z.`).
    let initial = |w: &[u8]| w.len() == 2 && w[0].is_ascii_uppercase() && w[1] == b'.';
    let is = |list: &[&str], word: &[u8]| list.iter().any(|l| l.as_bytes() == word);
    words.windows(3).enumerate().any(|(i, w)| {
        // A label in brackets or quotes (`[Patient]`, `"Pt"`).
        let bracket = |b: &u8| matches!(b, b'[' | b']' | b'(' | b')' | b'<' | b'>' | b'"' | b'\'' | b'*');
        let start = w[0].iter().position(|b| !bracket(b)).unwrap_or(w[0].len());
        let end = w[0].iter().rposition(|b| !bracket(b)).map_or(start, |p| p + 1);
        let bare = &w[0][start..end.max(start)];
        let label = bare.to_ascii_lowercase();
        let first = w[1].to_ascii_lowercase();
        let colon = label.strip_suffix(b":").filter(|l| is(COLON_LABELS, l)).is_some();
        // `PATIENT` in capitals, then no word of an attribute named after the patient
        // (`PATIENT POSITION HFS`); or `Patient` in title case and two words in title case that
        // end the phrase (`Patient Madeup Zelda`, `… seen`; not `Retain Patient
        // Characteristics Option`, `Patient Did Not Attend`), neither an attribute's word nor a
        // description's.
        let no_attribute = ![w[1], w[2]].iter().any(|x| is(PATIENT_WORDS, &x.to_ascii_lowercase()));
        let ends = words.get(i + 3).is_none_or(|next| !next.first().is_some_and(u8::is_ascii_uppercase));
        let patient = (bare == b"PATIENT" && no_attribute)
            || (bare == b"Patient"
                && no_attribute
                && title_case(w[1])
                && title_case(w[2])
                && ends
                && !described(w[1])
                && !described(w[2]));
        let labelled = is(LOOSE_LABELS, &label) && no_attribute || colon;
        let one_initial = labelled && (initial(w[1]) != initial(w[2]));
        (labelled || patient)
            && (capitalised(w[1]) || one_initial && initial(w[1]))
            && (capitalised(w[2]) || one_initial && initial(w[2]))
            && !examined(w[1])
            && ![w[1], w[2]]
                .iter()
                .any(|x| FILLERS.iter().chain(NOT_NAMES).any(|f| f.as_bytes().eq_ignore_ascii_case(x)))
            && !POSITIONS.iter().any(|p| p.split(' ').next() == std::str::from_utf8(&first).ok())
            // `Inpatient CT Head`: a modality or a body part is no name.
            && ![w[1], w[2]].iter().any(|x| {
                let x = x.to_ascii_lowercase();
                PROTOCOL_WORDS.iter().chain(EXAMINED).any(|p| p.as_bytes() == x.as_slice())
            })
    })
}

/// True when `after` (what follows a title) begins with a word [`EXAMINED`] lists.
fn examined(after: &[u8]) -> bool {
    let word: Vec<u8> =
        after.iter().take_while(|b| b.is_ascii_alphabetic()).map(u8::to_ascii_lowercase).collect();
    EXAMINED.iter().any(|w| w.as_bytes() == word.as_slice())
}

/// A title in capitals and a word in capitals: one of [`CAPITAL_TITLES`] and a space, or any
/// title with a full stop (`MS. MADEUP`, `DR. MADEUP`: a modality takes none) — but not before a
/// body part ([`examined`]).
fn capital_titled(text: &[u8]) -> bool {
    let words: Vec<&[u8]> = text.split(|&b| b == b' ').filter(|w| !w.is_empty()).collect();
    words.windows(2).any(|pair| {
        let (title, name) = (pair[0], pair[1]);
        let capitals = |w: &[u8]| w.len() >= 2 && w.iter().all(u8::is_ascii_uppercase);
        let bare = CAPITAL_TITLES.iter().any(|t| t.as_bytes() == title);
        let dotted = title.strip_suffix(b".").is_some_and(|t| {
            TITLES.iter().chain(CAPITAL_TITLES).any(|x| x.as_bytes().eq_ignore_ascii_case(t)) && capitals(t)
        });
        (bare || dotted) && capitals(name) && !examined(name)
    })
}

/// `b.` as a word, and a year a living patient was born in (1900 to 2029), as a biography
/// writes a birth (`Zelda Madeup (b. 1971)`): not a round fifty, which is a diffusion b-value
/// (`DWI b. 1000`, `b. 2000`).
fn abbreviated_birth(lower: &[u8]) -> bool {
    let year = |at: &[u8]| {
        let digits = at.iter().take_while(|b| b.is_ascii_digit()).count();
        let value = std::str::from_utf8(&at[..digits]).ok().and_then(|y| y.parse::<u32>().ok());
        digits == 4 && value.is_some_and(|y| (1900..=2029).contains(&y) && y % 50 != 0)
    };
    // Also with no space (`b.1971-02`), before a month (`b. Feb 1971`), and as a genealogy
    // writes a birth, a star before the year (`*1971`).
    word_starts(lower, b"b.").any(|i| {
        let at = &lower[i + 2..];
        let at = at.strip_prefix(b" ").unwrap_or(at);
        let dated = at.iter().take(12).any(u8::is_ascii_digit);
        // A month's number before the year (`b. 02/1971`), or the year cut short (`b.'71`).
        let month = at.iter().take_while(|b| b.is_ascii_digit()).count();
        let numbered = (1..=2).contains(&month)
            && at.get(month).is_some_and(|b| matches!(b, b'/' | b'-' | b'.'))
            && year(&at[month + 1..]);
        let cut = at.first() == Some(&b'\'')
            && at.len() >= 3
            && at[1..3].iter().all(u8::is_ascii_digit)
            && !at.get(3).is_some_and(u8::is_ascii_digit);
        year(at) || numbered || cut || (!at.is_empty() && super::numbers::month_word(at, 0) && dated)
    }) || memchr::memchr_iter(b'*', lower).any(|i| {
        // Not a guideline's year (`Fleischner *2017`): none a patient here is born in.
        let born = std::str::from_utf8(lower.get(i + 1..i + 5).unwrap_or(b""))
            .ok()
            .and_then(|y| y.parse::<u32>().ok());
        (i == 0 || !lower[i - 1].is_ascii_alphanumeric())
            && year(&lower[i + 1..])
            && born.is_some_and(|y| y <= 2005)
    })
}

/// A birth-date label without a colon, then a value of three parts split by the same mark
/// (`DOB III.II.MCMLXXI`, `DOB 3.II.seventy-one`): a date however its parts are written, as a
/// reader takes it after such a label. Not a word that says there is none (`DOB n/a`).
fn masked_birth_date(lower: &[u8]) -> bool {
    BIRTH_LABELS.iter().any(|label| {
        word_starts(lower, label.as_bytes()).any(|i| {
            let after = &lower[i + label.len()..];
            let gap = after.iter().take_while(|&&b| b == b' ').count();
            let token: &[u8] = after[gap..].split(|b| b.is_ascii_whitespace()).next().unwrap_or_default();
            let token = token.strip_suffix(b",").unwrap_or(token);
            gap >= 1
                && [b'.', b'/', b'-'].iter().any(|&mark| {
                    let parts: Vec<&[u8]> = token.split(|&b| b == mark).collect();
                    parts.len() == 3
                        && parts.iter().all(|p| !p.is_empty() && p.iter().all(u8::is_ascii_alphanumeric))
                })
                && !NO_ONE.iter().any(|w| w.as_bytes() == token)
        })
    })
}

/// An e-mail address: a local part, `@`, and a domain of two labels or more ending in two
/// letters or more. Spelt out too: `at` and `dot` as words or in brackets.
pub(super) fn email(text: &[u8]) -> bool {
    let local = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-');
    let address = |t: &[u8]| {
        memchr::memchr_iter(b'@', t).any(|at| {
            let before = t[..at].iter().rev().take_while(|&&b| local(b)).count();
            let domain: Vec<&[u8]> = t[at + 1..]
                .split(|b| !(b.is_ascii_alphanumeric() || *b == b'-' || *b == b'.'))
                .next()
                .unwrap_or_default()
                .split(|&b| b == b'.')
                .collect();
            let tld = domain.last().is_some_and(|l| l.len() >= 2 && l.iter().all(u8::is_ascii_alphabetic));
            before >= 1 && domain.len() >= 2 && domain.iter().all(|l| !l.is_empty()) && tld
        })
    };
    if address(text) {
        return true;
    }
    // Spelt: ` at `, `[at]`, `(at)` for `@` and the same of `dot` for `.`, where there is one of
    // each; or `@` alone in brackets, where the dots are written (`zelda.madeup(at)example.org`).
    let lower = text.to_ascii_lowercase();
    let has = |w: &[u8]| memchr::memmem::find(&lower, w).is_some();
    if !has(b"dot") {
        let bracketed = replace_all(&replace_all(&lower, b"(at)", b"@"), b"[at]", b"@");
        return bracketed != lower && address(&bracketed);
    }
    if !has(b"at") {
        return false;
    }
    let mut spelt = lower.clone();
    for (from, to) in [
        (&b" [at] "[..], &b"@"[..]),
        (b"[at]", b"@"),
        (b" (at) ", b"@"),
        (b"(at)", b"@"),
        (b" at ", b"@"),
        (b" [dot] ", b"."),
        (b"[dot]", b"."),
        (b" (dot) ", b"."),
        (b"(dot)", b"."),
        (b" dot ", b"."),
    ] {
        spelt = replace_all(&spelt, from, to);
    }
    address(&spelt)
}

pub(super) fn replace_all(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(hay.len());
    let mut i = 0;
    while let Some(p) = find_from(hay, from, i) {
        out.extend_from_slice(&hay[i..p]);
        out.extend_from_slice(to);
        i = p + from.len();
    }
    out.extend_from_slice(&hay[i..]);
    out
}

/// A word of [`BORN`], then (past small words) a number or a month: `born February 1971`,
/// `born in 1971`, `geboren am 3.` (not weeks of a gestation, `born 32+4 weeks`); a word of
/// [`YEAR_OF_BIRTH`] before a year (`geb. 1971`, `YOB 1971`); `b.` before a year of birth (`Zelda Madeup (b. 1971)`); a
/// birth-date label before a date of any marks ([`masked_birth_date`]).
pub(super) fn born(text: &[u8]) -> bool {
    let lower = text.to_ascii_lowercase();
    if abbreviated_birth(&lower) || masked_birth_date(&lower) {
        return true;
    }
    let years = YEAR_OF_BIRTH.iter().map(|w| (w, true));
    BORN.iter().map(|w| (w, false)).chain(years).any(|(word, year_only)| {
        let w = word.as_bytes();
        let mut from = 0;
        while let Some(i) = find_from(&lower, w, from) {
            from = i + 1;
            let end = i + w.len();
            if (i > 0 && letter(lower[i - 1])) || lower.get(end).is_some_and(|&b| letter(b)) {
                continue;
            }
            let mut j = end;
            loop {
                j += lower[j..].iter().take_while(|&&b| matches!(b, b' ' | b',' | b'.' | b':')).count();
                let next = lower[j..].iter().take_while(|b| b.is_ascii_alphabetic()).count();
                if next > 0 && FILLERS.iter().any(|f| f.as_bytes() == &lower[j..j + next]) {
                    j += next;
                    continue;
                }
                break;
            }
            // A year cut short (`born '71`).
            let cut = lower.get(j) == Some(&b'\'') && lower.get(j + 1).is_some_and(u8::is_ascii_digit);
            let digits = lower[j.min(lower.len())..].iter().take_while(|b| b.is_ascii_digit()).count();
            // Weeks of a gestation (`born 32+4 weeks`, `born at 24 weeks`), not a date.
            let after = lower[j + digits..].trim_ascii_start();
            let weeks = after.windows(2).take(12).any(|w| w == b"wk" || w == b"we");
            let gestation = digits > 0 && (after.starts_with(b"+") || weeks);
            let found = if year_only {
                // A year of birth's words: a year, whole (binary bytes spell `jg9` by chance;
                // a course's or a journal's year, `Jahrgang 2023`, `RöFo Jg. 2019`, is after the
                // years a patient is taken to be born in here: 1900 to 2009).
                let year =
                    std::str::from_utf8(&lower[j..j + digits]).ok().and_then(|y| y.parse::<u32>().ok());
                // Or two digits, a year from 1930 to 1999 (`Ausbildung Jg. 21` is a course's
                // year), after a word of three letters or more or after a mark (`Jahrgang 71`,
                // `YOB71`, `Jg. 71`; not `jg71`, which binary bytes spell by chance), and not a
                // measure's (`YOB 71.5`, `71%`).
                let short = digits == 2
                    && (w.len() >= 3 || j > end)
                    && year.is_some_and(|y| y >= 30)
                    && !lower.get(j + 2).is_some_and(|&b| b == b'.' || b == b',' || b == b'%');
                // Or a whole date (`geb. 03.02.1971`).
                let dated = digits >= 1 && super::numbers::date(&lower[j..(j + 12).min(lower.len())]);
                (digits == 4 && year.is_some_and(|y| (1900..=2009).contains(&y)))
                    || (cut && digits == 0)
                    || short
                    || dated
            } else {
                (digits > 0 && !gestation)
                    || cut
                    || (j < lower.len() && super::numbers::any_month_word(&lower, j))
            };
            if found {
                return true;
            }
        }
        false
    })
}

//! Identity-shaped text: what a name, a date of birth, a record number or a telephone number
//! looks like when it is written into a description, whoever's it is. The gate refuses text
//! of these shapes where the profile lets text stay, and the scrub's Clean replaces it.
//!
//! Three strengths for what a site wrote. [`Strength::Labels`], for a vendor's labels and
//! values (private elements, a report's fields, a container's text): a name in DICOM's own
//! `Family^Given` form, a labelled field (`Name: …`, `DOB …`, `MRN: …`), or a title before a
//! capitalised name (`Dr Smith`). [`Strength::Kept`], for every text value the profile keeps as
//! it is (manufacturer, model, software versions, body part, a standard scheme's code meanings):
//! also a bare name, a patient's label before a name, a street address, an NHS number.
//! [`Strength::FreeText`], for descriptions and free text kept under Clean Descriptors: also
//! dates in any common form, ID-like digit runs (six digits or more in one run, or seven or more
//! in spaced or dashed groups: NHS numbers, MRNs, telephone numbers).
//!
//! A bare name written like any other words is seen only where neither of its
//! words is a word of a dictionary's ([`unknown`]: `Zelda Madeup`, not `Grace Baker`). The
//! gate's law keeps free text out unless the policy allows Clean Descriptors; README says so.

/// How hard to look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strength {
    Labels,
    /// Every text value the profile keeps as it is where a site writes words (a maker's and a
    /// model's names, software versions, body parts, image types, a standard scheme's code
    /// meanings): labels, and what is a name or an address however it is written — a bare
    /// name, a patient's label before one, a street. Not dates or digit runs: a version's build
    /// date and number are no patient's.
    Kept,
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
    /// An e-mail address (`zelda.madeup@example.org`, or spelt `zelda dot madeup at example dot
    /// org`).
    Email,
    /// A social network's handle, a profile's address or a user's folder (`@zelda_madeup`,
    /// `linkedin.com/in/zelda-madeup`, `C:\Users\zmadeup`).
    Handle,
    /// A value that is a file in base64: bytes no description holds, that a decoder takes out.
    EncodedFile,
    /// A street address (`12 Nowhere Lane`).
    Address,
    /// Two capitalised words side by side that no word list has (`Zelda Madeup`).
    BareName,
    /// Two capitalised words side by side, and no word list installed to tell words from names.
    NoWordList,
}

impl Shape {
    pub fn describe(self) -> &'static str {
        match self {
            Shape::PersonName => "a person name (Family^Given)",
            Shape::LabelledField => "a labelled identity field",
            Shape::TitledName => "a title and a name",
            Shape::Date => "a date",
            Shape::IdNumber => "an ID-like or telephone number",
            Shape::Email => "an e-mail address",
            Shape::Handle => "a handle, a profile's address or a user's folder",
            Shape::EncodedFile => "a file in base64",
            Shape::Address => "a postal address",
            Shape::BareName => "a name written as words (capitalised, in no word list)",
            Shape::NoWordList => {
                "two capitalised words, and no word list to tell them from a name (install wamerican, \
                 wbritish, hunspell-en-us, hunspell-en-med)"
            }
        }
    }
}

mod address;
pub mod fields;
mod handles;
pub mod hunspell;
mod keys;
mod labels;
pub mod nhs;
mod numbers;
mod ocr;
pub mod site_code;
mod spelt;
pub mod unknown;
mod views;
mod vocabulary;
mod words;

use keys::lone_label;
pub use labels::labelled;
use numbers::{date, id_number};
use ocr::{capital_pair, marked_pair, misread_label};
use views::{Base64, base64_text};
pub use views::{unescaped, views};
use words::{named, person_name, surname_first, titled};

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

thread_local!(static DECLARED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });

/// Runs `judge` on values whose data set declares a Latin 8-bit character set that fits their
/// bytes, and whose reading in that set is judged as well (the law judges both, as a reader may
/// show either): names written as words no list knows are judged in that reading alone, not in
/// the guesses at the bytes that are not UTF-8. Every other shape is still looked for in every
/// view of the bytes.
pub fn in_declared_set<R>(judge: impl FnOnce() -> R) -> R {
    /// Puts the flag back as it was, on a panic too.
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            DECLARED.set(self.0);
        }
    }
    let _restore = Restore(DECLARED.replace(true));
    judge()
}

/// How many times text is unescaped: a value escaped more often than this (`%252525…`) is
/// read no further (each round is a pass over it).
const UNESCAPES: usize = 4;

fn find_once(text: &[u8], strength: Strength) -> Option<Shape> {
    // Each view as it is, then with what is spelt out written as digits (not in what OCR
    // read: a screen's layout spaces letters apart, and its rulers are rows of digits).
    let read = |v: &[u8], names: bool| {
        find_in(v, strength, names).or_else(|| match strength {
            Strength::Pixels => None,
            _ => spelt::spelt(v).and_then(|s| find_in(&s, strength, names)),
        })
    };
    let found = if text.iter().all(|b| b.is_ascii() && *b != 0x1B) {
        read(text, true)
    } else {
        // Names written as words no list knows are judged in the text as it is, where its
        // accents and its script still are (`porównanie`, `очаговых` are words of a list;
        // `porownanie` and a Cyrillic word with Latin look-alikes are none); in the other views
        // only where the text is not UTF-8, holds ISO 2022's escapes, or hides letters
        // ([`views::hides_letters`]: `Made\u{200B}up`, `Ｍａｄｅｕｐ`).
        let utf8 = std::str::from_utf8(text);
        let as_is = utf8.is_ok_and(|s| !s.contains('\u{1B}') && !views::hides_letters(s));
        // Bytes of a Latin 8-bit set the data set declares are judged for such names in that
        // set's reading ([`in_declared_set`]), not in these guesses: a guess at the wrong set, or
        // one without accents, makes words no dictionary has (`Pleurální` read as ISO 8859-5).
        let guessed = utf8.is_err() && DECLARED.get();
        views(text).iter().enumerate().find_map(|(k, v)| read(v, (k == 0 || !as_is) && !guessed))
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

/// A value (one of an element's values) that is nothing but what identifies a patient: a date
/// (`1971-02-03`, `03/02/71`, `19710203`), a number of six digits or more (`4711913`,
/// `943 476 5919`), or a British postcode (`ZX1 9QQ`). Where an attribute the profile keeps holds
/// words — a version, a model, a kernel, a coding scheme's name or version — a date or a number
/// stands beside the words (`V4.5.3 Build 1234567 2019-03-12`, which [`Strength::Kept`] passes),
/// never alone. A code's value (`code`) is a number in many schemes (DICOM's `113100`,
/// SNOMED's): there only a date written with separators counts, which no scheme writes. A date
/// of dots ends in a year of four digits (`1.10.12` and `2023.1.1` are versions). Not in the
/// Basic Directory's group (0004), whose writers number their files.
/// A value with its padding taken off: trailing NULs and white space, leading white space.
pub(super) fn unpadded(value: &[u8]) -> &[u8] {
    let end = value.iter().rposition(|&b| b != 0 && !b.is_ascii_whitespace()).map_or(0, |i| i + 1);
    value[..end].trim_ascii_start()
}

pub fn bare_value(tag: dicom_core::Tag, component: &[u8]) -> Option<Shape> {
    use dicom_dictionary_std::tags;
    if tag.group() == 0x0004 {
        return None;
    }
    let code = matches!(tag, tags::CODE_VALUE | tags::LONG_CODE_VALUE | tags::URN_CODE_VALUE);
    let t = unpadded(component);
    let digits = t.iter().filter(|b| b.is_ascii_digit()).count();
    let numeric = t.iter().all(|&b| b.is_ascii_digit() || matches!(b, b' ' | b'-' | b'/' | b'.'));
    if numeric && digits >= 4 && digits < t.len() && date(t) {
        let dotted = t.contains(&b'.');
        let year_last = t.split(|b| !b.is_ascii_digit()).next_back().is_some_and(|run| run.len() == 4);
        if !dotted || year_last {
            return Some(Shape::Date);
        }
    }
    if code {
        return None;
    }
    if numeric && digits >= 6 && !t.iter().any(|&b| matches!(b, b'.' | b'/')) {
        return Some(if date(t) { Shape::Date } else { Shape::IdNumber });
    }
    address::postcode_alone(t).then_some(Shape::Address)
}

/// A patient's record among binary bytes (a LUT, a waveform, 8-bit pixels): a run of words (a
/// space among them, letters, digits and spaces four fifths of it) holding a name in DICOM's
/// `Family^Given` form whose parts are capitalised words of three letters or more, and a date
/// or an ID-like digit run (`Madeup^Zelda 19710203 4711913`). Chance spells a caret between
/// capitals beside a long number in 8-bit pixels' mid-greys (pydicom's `examples_palette.dcm`:
/// `GGIPWWZ^ZSPQ`, eleven digits in the same run), but among marks, not as words.
pub fn record(run: &[u8]) -> bool {
    let wordy = run.iter().filter(|b| b.is_ascii_alphanumeric() || **b == b' ').count();
    if !run.contains(&b' ') || wordy * 5 < run.len() * 4 {
        return false;
    }
    let word_before = |i: usize| {
        let w = &run[..i];
        let n = w.iter().rev().take_while(|b| b.is_ascii_alphabetic()).count();
        n >= 3 && w[w.len() - n].is_ascii_uppercase()
    };
    let word_after = |i: usize| {
        let w = &run[i + 1..];
        let n = w.iter().take_while(|b| b.is_ascii_alphabetic()).count();
        n >= 3 && w[0].is_ascii_uppercase()
    };
    memchr::memchr_iter(b'^', run).any(|i| word_before(i) && word_after(i))
        && (date(run) || id_number(run, 6))
}

/// The first shape in one view of a value; names written as words no list knows only where
/// `names` says.
fn find_in(text: &[u8], strength: Strength, names: bool) -> Option<Shape> {
    // Every shape needs letters or digits (each test below has a quicker refusal of its own).
    if text.len() < 3 || !text.iter().any(|&b| b.is_ascii_alphanumeric() || b >= 0x80) {
        return None;
    }
    let free = matches!(strength, Strength::FreeText | Strength::Pixels);
    // Words a site wrote, as opposed to what OCR read or a file's path.
    let prose = matches!(strength, Strength::FreeText | Strength::Kept);
    if person_name(text)
        || (free && surname_first(text))
        || (strength == Strength::Pixels && (capital_pair(text) || marked_pair(text)))
    {
        return Some(Shape::PersonName);
    }
    if labelled(text)
        || named(text)
        || (strength == Strength::FreeText && lone_label(text))
        || (strength == Strength::Pixels && misread_label(text))
    {
        return Some(Shape::LabelledField);
    }
    if titled(text) {
        return Some(Shape::TitledName);
    }
    if words::email(text) {
        return Some(Shape::Email);
    }
    if strength == Strength::FreeText && handles::handle(text) {
        return Some(Shape::Handle);
    }
    // A patient's address in free text and kept text; not in what OCR reads (a department's
    // own address is on many a screen).
    if prose && address::address(text) {
        return Some(Shape::Address);
    }
    if !matches!(strength, Strength::Labels | Strength::Kept) && date(text) {
        return Some(Shape::Date);
    }
    // An NHS number in its groups split by a mark no other number is (`943/476/5919`), where
    // its check digit holds.
    if (free && id_number(text, if strength == Strength::Pixels { 7 } else { 6 }))
        || (prose && std::str::from_utf8(text).is_ok_and(nhs::nhs_number))
        || (strength == Strength::Kept && numbers::international_phone(text))
    {
        return Some(Shape::IdNumber);
    }
    // Last: the word lists are read the first time it asks.
    if prose && names && unknown::unknown_pair(text) {
        return Some(if unknown::word_lists_present() { Shape::BareName } else { Shape::NoWordList });
    }
    None
}

#[cfg(test)]
mod tests;

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
    FreeText,
}

/// What the text looked like (for the reason; never the text itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    PersonName,
    LabelledField,
    TitledName,
    Date,
    IdNumber,
}

impl Shape {
    pub fn describe(self) -> &'static str {
        match self {
            Shape::PersonName => "a person name (Family^Given)",
            Shape::LabelledField => "a labelled identity field",
            Shape::TitledName => "a title and a name",
            Shape::Date => "a date",
            Shape::IdNumber => "an ID-like or telephone number",
        }
    }
}

/// Words that label an identity field when a `:`, `#` or `=` and a value follow.
const LABELS: &[&str] = &[
    "name", "patient", "pt", "patient name", "pt name", "surname", "forename", "first name", "last name",
    "given name", "family name", "dob", "d.o.b", "d.o.b.", "date of birth", "birth date", "birthdate",
    "born", "mrn", "nhs", "nhs no", "nhs number", "hospital number", "hosp no", "hospital no", "id",
    "pid", "patient id", "pt id", "acc", "acc no", "accession", "accession number", "address", "addr",
    "tel", "phone", "telephone", "mobile", "email", "e-mail", "ssn", "postcode", "zip",
];

/// Titles a capitalised name follows.
const TITLES: &[&str] = &["Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Sir", "Dame", "Rev"];

const MONTHS: &[&str] =
    &["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

fn letter(b: u8) -> bool {
    b.is_ascii_alphabetic() || b >= 0x80
}

/// The first identity shape in `text`, if any.
pub fn find(text: &[u8], strength: Strength) -> Option<Shape> {
    if person_name(text) {
        return Some(Shape::PersonName);
    }
    if labelled(text) {
        return Some(Shape::LabelledField);
    }
    if titled(text) {
        return Some(Shape::TitledName);
    }
    if strength == Strength::FreeText {
        if date(text) {
            return Some(Shape::Date);
        }
        if id_number(text) {
            return Some(Shape::IdNumber);
        }
    }
    None
}

/// `Letters^Letters`: DICOM's form of a person name.
fn person_name(text: &[u8]) -> bool {
    text.windows(3).enumerate().any(|(i, w)| {
        w[1] == b'^' && letter(w[0]) && (letter(w[2]) || (w[2] == b' ' && text.get(i + 3).is_some_and(|&b| letter(b))))
    })
}

/// A label word, at a word boundary, then spaces, then `:`, `#`, `=` or `-`, then a value.
fn labelled(text: &[u8]) -> bool {
    let lower: Vec<u8> = text.to_ascii_lowercase();
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
            while lower.get(j) == Some(&b' ') {
                j += 1;
            }
            if !matches!(lower.get(j), Some(b':' | b'#' | b'=')) {
                continue;
            }
            j += 1;
            while matches!(lower.get(j), Some(b' ' | b'.')) {
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
    hay.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

/// A title (as written: `Dr`, `Mrs.`) then a capitalised word: `Dr Smith`.
fn titled(text: &[u8]) -> bool {
    for title in TITLES {
        let t = title.as_bytes();
        let mut from = 0;
        while let Some(i) = find_from(text, t, from) {
            from = i + 1;
            if i > 0 && text[i - 1].is_ascii_alphanumeric() {
                continue;
            }
            let mut j = i + t.len();
            if text.get(j) == Some(&b'.') {
                j += 1;
            }
            if text.get(j) != Some(&b' ') {
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
    // A month's name beside a day and a four-digit year.
    let lower = text.to_ascii_lowercase();
    for month in MONTHS {
        let mut from = 0;
        while let Some(i) = find_from(&lower, month.as_bytes(), from) {
            from = i + 1;
            if i > 0 && lower[i - 1].is_ascii_alphabetic() {
                continue;
            }
            let window = &text[i.saturating_sub(4)..(i + 20).min(text.len())];
            let has_year = digit_runs(window).iter().any(|&r| r.1 - r.0 == 4 && (1900..=2100).contains(&number(window, r)));
            let has_day = digit_runs(window).iter().any(|&r| r.1 - r.0 <= 2 && (1..=31).contains(&number(window, r)));
            if has_year && has_day {
                return true;
            }
        }
    }
    false
}

/// Six or more digits in one run; or groups of at least two digits joined by single spaces,
/// dashes or brackets, seven digits or more in all (`943 476 5919`, `+44 20 7946 0000`).
fn id_number(text: &[u8]) -> bool {
    let runs = digit_runs(text);
    if runs.iter().any(|r| r.1 - r.0 >= 6) {
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
    fn identity_is_found_in_its_common_shapes() {
        for (text, expected) in [
            ("Madeup^Person", Shape::PersonName),
            ("CT for MADEUP^PERSON^J", Shape::PersonName),
            ("Name: Madeup Person", Shape::LabelledField),
            ("pt id #A1234", Shape::LabelledField),
            ("DOB 12/03/1970", Shape::Date),
            ("DOB: 12/03/1970", Shape::LabelledField),
            ("seen by Dr Madeup", Shape::TitledName),
            ("Mrs. Madeup follow-up", Shape::TitledName),
            ("study of 1970-03-12", Shape::Date),
            ("19700312", Shape::Date),
            ("12.03.70 scan", Shape::Date),
            ("12 Mar 1970", Shape::Date),
            ("March 12, 1970", Shape::Date),
            ("MRN 12345678", Shape::IdNumber),
            ("call 020 7946 0000", Shape::IdNumber),
            ("NHS 943 476 5919", Shape::IdNumber),
            ("+44 (20) 7946-0000", Shape::IdNumber),
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
        assert_eq!(find(b"MRN 12345678", Strength::Labels), None, "digits only in free text");
        assert_eq!(find(b"MRN: 12345678", Strength::Labels), Some(Shape::LabelledField));
    }
}

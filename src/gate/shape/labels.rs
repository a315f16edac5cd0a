//! Labelled fields: a label word a patient's value follows (`Name:`, `DOB -`, `MRN#`), a
//! DICOM attribute's name as a label, a record's path after a patient's segment in a URL, and
//! the words after a label that say no one is meant (`Name: none`, `Patient: supine`).

use super::vocabulary::*;
use super::words::{born, find_from, replace_all, title_case, word_starts};

/// A label word, at a word boundary, then spaces or dots, then `:`, `#`, `=` or `-`, then a
/// value (after spaces, tabs, dots or quotes).
pub fn labelled(text: &[u8]) -> bool {
    if born(text) {
        return true;
    }
    let lower: Vec<u8> = text.to_ascii_lowercase();
    // DICOM's own names for a patient's attributes, as labels (`PatientName Zelda Madeup`).
    if text.len() >= 8 && super::keys::attribute_labelled(&lower) {
        return true;
    }
    // A URL's path with no scheme (`pacs.example/patients/madeup_zelda`).
    if resource(text, &lower) {
        return true;
    }
    // A label needs a separator after it, or (for the number labels) a digit.
    if !text.iter().any(|&b| matches!(b, b':' | b'#' | b'=' | b'-') || b.is_ascii_digit()) {
        return false;
    }
    if number_after(&lower, NUMBER_LABELS, 1)
        || number_after(&lower, LONG_NUMBER_LABELS, 5)
        || super::address::addressed(&lower)
        || super::keys::query_identity(&lower)
    {
        return true;
    }
    let person = PERSON_LABELS.iter().map(|l| (l, true));
    for (label, of_a_person) in LABELS.iter().map(|l| (l, false)).chain(person) {
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
            while matches!(lower.get(j), Some(b' ' | b'\t' | b'.' | b'\r' | b'\n')) {
                j += 1;
            }
            // A dash separates only with a space before it ("Name - X"; "ACC-123" is a code).
            let dash = lower.get(j) == Some(&b'-') && j > gap;
            if !matches!(lower.get(j), Some(b':' | b'#' | b'=')) && !dash {
                continue;
            }
            j += 1;
            // An arrow (`Name -> X`, `Name => X`) points at the value as a colon does.
            while matches!(lower.get(j), Some(b' ' | b'\t' | b'.' | b'"' | b'\'' | b'>')) {
                j += 1;
            }
            // After a relative's or a doctor's label, a word of a person's name (read in `text`,
            // whose capitals tell one).
            let named = || {
                let value = std::str::from_utf8(&text[j..]).unwrap_or("");
                // Past a title (`Consultant: Dr Velthorpe`; `Dr on call` names no one).
                let mut words =
                    value.split(|c: char| !c.is_alphabetic() && c != '\'').filter(|w| !w.is_empty());
                let first = words.next().unwrap_or("");
                let titled = TITLES.iter().any(|t| t.eq_ignore_ascii_case(first));
                super::unknown::person_word(if titled { words.next().unwrap_or("") } else { first })
            };
            if lower.get(j).is_some_and(|&b| b.is_ascii_alphanumeric() || b >= 0x80)
                && !of_a_thing(&lower[..i], label)
                && !says_no_one(&lower[j..], label)
                && (!of_a_person || named())
            {
                return true;
            }
        }
    }
    false
}

/// True when one of `labels` starts a word in `lower` and, after spaces, dots, `#`, `:`, `-`,
/// `/`, `_` or `=` (a URL's path or query, `…/mrn/4711913`, `…/DOB_1971-02-03`), a number of at
/// least `digits` digits follows (spaces between its digits allowed).
fn number_after(lower: &[u8], labels: &[&str], digits: usize) -> bool {
    labels.iter().any(|label| {
        let l = label.as_bytes();
        for i in word_starts(lower, l) {
            let mut j = i + l.len();
            let marks = |j: &mut usize| {
                while matches!(
                    lower.get(*j),
                    Some(b' ' | b'\t' | b'.' | b'#' | b':' | b'-' | b'/' | b'_' | b'=')
                ) {
                    *j += 1;
                }
            };
            marks(&mut j);
            // A word that says a number (`Req. no. 77120`, `Order-Nr 77120`), or a part of
            // the number said to be one (`MRN ending 1913`, `NHS no last 4: 5919`): a part is
            // as short as its words say, three digits or more.
            let mut digits = digits;
            for _ in 0..4 {
                let rest = &lower[j.min(lower.len())..];
                let whole = |w: &&&str| {
                    rest.starts_with(w.as_bytes())
                        && !rest.get(w.len()).is_some_and(u8::is_ascii_alphanumeric)
                };
                if let Some(w) = NUMBER_WORDS.iter().find(whole) {
                    j += w.len();
                } else if let Some(w) = PART_OF_A_NUMBER.iter().find(whole) {
                    j += w.len();
                    digits = digits.min(3);
                } else {
                    break;
                }
                marks(&mut j);
            }
            // A long number's letters written onto it (`Accession RX40981`): up to three.
            let letters = lower[j.min(lower.len())..].iter().take_while(|b| b.is_ascii_alphabetic()).count();
            if digits >= 5
                && (1..=3).contains(&letters)
                && lower.get(j + letters).is_some_and(u8::is_ascii_digit)
            {
                j += letters;
            }
            // Digits hidden but the last (`MRN xxx1913`, `MRN ***1913`).
            let hidden = lower[j.min(lower.len())..].iter().take_while(|b| matches!(b, b'x' | b'*')).count();
            if hidden >= 2 && lower.get(j + hidden).is_some_and(u8::is_ascii_digit) {
                j += hidden;
                digits = digits.min(3);
            }
            // Its digits in groups split by spaces or dashes (`Fallnummer 2023-55671`).
            let part = |b: &&u8| b.is_ascii_digit() || matches!(**b, b' ' | b'-');
            let number = lower[j.min(lower.len())..].iter().take_while(part);
            let end = j + lower[j.min(lower.len())..].iter().take_while(part).count();
            // Not a count or a measure (`ACC 500000 cts`, `Req 10000 counts`).
            if number.filter(|b| b.is_ascii_digit()).count() >= digits
                && !super::numbers::unit_after(lower, end.min(lower.len()))
            {
                return true;
            }
        }
        false
    })
}

/// Words that say a number's part follows (`ending 1913`, `last 4: 1913`, `ends in 913`,
/// German's `endet auf 1913`). The longer first: each is taken where it stands whole.
#[rustfmt::skip]
const PART_OF_A_NUMBER: &[&str] = &[
    "ending in", "ending with", "ends in", "ends with", "last 4", "last four", "last 3", "last three",
    "final 4", "final four", "ending", "ends", "suffix", "endet auf", "endet mit", "endend auf",
];

/// Words between a label and its number that say a number follows (`Acc. No. 77120`,
/// `Order-Nr 77120`, `MRN is 4711913`).
#[rustfmt::skip]
const NUMBER_WORDS: &[&str] = &["number", "nummer", "num", "no", "nr", "digits", "is"];

/// A URL's path that names a patient's record, as REST and FHIR servers do (`…/patient/4711913`,
/// `/Patients/9434765919/studies`, `/patients/Zelda-Madeup/4711913`): a segment that says whose,
/// then in one of the two segments after it a number of five digits or more, or a name (two
/// capitalised words joined by `-`, `_`, `.`, `+` or `%20`). The segment is found in `lower`
/// (`text` in small letters) and read in `text` as written: a name's capitals tell it.
fn resource(text: &[u8], lower: &[u8]) -> bool {
    ["/patient/", "/patients/", "/subject/", "/subjects/", "/person/", "/people/"].iter().any(|segment| {
        memchr::memmem::find_iter(lower, segment.as_bytes()).any(|at| {
            let rest = &text[at + segment.len()..];
            let end = rest.iter().position(|b| matches!(b, b'?' | b'#' | b'&') || b.is_ascii_whitespace());
            rest[..end.unwrap_or(rest.len())]
                .split(|&b| b == b'/')
                .take(2)
                .any(|s| s.iter().filter(|b| b.is_ascii_digit()).count() >= 5 || url_name(s))
        })
    })
}

/// Two words or more joined by `-`, `_`, `.`, `+` or `%20`, all capitalised (`Zelda-Madeup`), or
/// all letters with one no list knows (`zelda-madeup`, a slug; not `search-results`).
fn url_name(segment: &[u8]) -> bool {
    let spaced = replace_all(segment, b"%20", b" ");
    let words: Vec<&[u8]> = spaced.split(|b| matches!(b, b'-' | b'_' | b'.' | b'+' | b' ')).collect();
    words.len() >= 2 && (words.iter().all(|w| title_case(w)) || super::unknown::slug(&words))
}

/// True when the label is a name or an ID of a thing the word before it names.
fn of_a_thing(before: &[u8], label: &str) -> bool {
    matches!(label, "name" | "id")
        && THINGS.iter().any(|thing| {
            before
                .trim_ascii_end()
                .strip_suffix(thing.as_bytes())
                .is_some_and(|rest| rest.last().is_none_or(|b| !b.is_ascii_alphanumeric()))
        })
}

/// True when the value after a label (up to a comma, a semicolon or the end) is only a word
/// that says no one is named: a dummy, or (after a patient label) a position or a state.
fn says_no_one(value: &[u8], label: &str) -> bool {
    let end =
        value.iter().position(|b| matches!(b, b',' | b';' | b'|' | b'\n' | b'\\')).unwrap_or(value.len());
    let value = value[..end].trim_ascii();
    let value = value.strip_suffix(b".").unwrap_or(value);
    let patient = matches!(label, "patient" | "pt");
    // Or only letters x or stars, as a mask writes for any value (`MRN: XXXXXXX`).
    let masked = value.len() >= 3 && value.iter().all(|b| matches!(b, b'x' | b'*'));
    NO_ONE.iter().any(|w| w.as_bytes() == value)
        || masked
        || (patient && POSITIONS.iter().any(|w| w.as_bytes() == value))
}

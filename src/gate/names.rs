//! Names a door is asked to store: a file's or a folder's name, a link's target, an extended
//! attribute's name. A name is text the drive keeps as plainly as a file's bytes, so it is held
//! to the strength of a value the profile keeps as it is (`Family^Given`, a labelled field, a
//! title and a name, a bare name, a street, an NHS number in its groups), read with its
//! underscores as spaces, once more without its extension (`Patient Zelda Madeup.dcm`), and as
//! the bytes it stands for where it is hex. A name that is one NHS number whose check digit holds
//! (`9434765919.dcm`, `943-476-5919`) is refused too, unless its digits read as a date or a
//! time in seconds since 1970 (a camera's or a program's names). A patient's label may be a
//! folder's whole name and its value in the names under it (`/MRN/4711913`, `/Patient/Zelda/Madeup`),
//! so a name under such a folder is also read with the one or two folder names before it.
//!
//! Not dates or digit runs: a study's folder is named for its date, and a file for its UIDs.
//! Without the word lists (`shape::unknown`), a bare name is not looked for in names: a folder
//! a file manager makes (`New Folder`) would be refused.

use super::Reason;
use super::shape::{self, Shape, Strength};

const WHAT: &str = "a file or folder name";

/// Folder names that are a patient's label whole (in small letters, a mark after them dropped):
/// the names under them are read with them.
const LABEL_FOLDERS: &[&str] = &[
    "mrn",
    "dob",
    "nhs",
    "nhs number",
    "nhs no",
    "patient",
    "patients",
    "patient id",
    "patient name",
    "pt",
    "pid",
    "hospital number",
    "hospital no",
    "name",
    "names",
    "id",
    "birth date",
    "date of birth",
    "born",
    "chi",
    "accession",
    "accession number",
    "acc",
    "case of",
    "subject",
];

/// The shape of identity `text` has as a kept value's text, underscores read as the spaces they
/// stand for and NUL bytes (UCS-2's) dropped: a name's and an archive member's reading.
pub(super) fn shape_of(text: &[u8]) -> Option<Shape> {
    let text: Vec<u8> = text.iter().filter(|&&b| b != 0).map(|&b| if b == b'_' { b' ' } else { b }).collect();
    shape::find(&text, Strength::Kept)
}

/// True when `text` has a shape of identity ([`shape_of`]) other than wanting the word lists.
fn shaped(text: &[u8]) -> bool {
    shape_of(text).is_some_and(|s| s != Shape::NoWordList)
}

/// The judgement on one name alone: the reason it is refused (`identity-in-name`), or None.
/// The reason holds no part of the name.
pub fn check_name(name: &str) -> Option<Reason> {
    let name = without_temporary_suffix(name);
    let stem = without_extension(name);
    // A name written as hex (`517565…`): what `xxd -r -p` makes of it.
    let hex = stem.len() >= 8 && stem.len().is_multiple_of(2) && stem.bytes().all(|b| b.is_ascii_hexdigit());
    let decoded = || -> Vec<u8> {
        (0..stem.len()).step_by(2).filter_map(|i| u8::from_str_radix(&stem[i..i + 2], 16).ok()).collect()
    };
    let refused = shaped(name.as_bytes())
        || (stem.len() < name.len() && shaped(stem.as_bytes()))
        || (hex && shaped(&decoded()))
        || nhs_alone(stem);
    refused.then(|| super::container::refusal("identity-in-name", "", WHAT))
}

/// A name that is an NHS number alone: ten digits, or three, three and four split by one space
/// or hyphen, whose check digit holds — not digits that read as a date (`2024031501`) or as a
/// time in seconds since 1970 (`1710000074`, 2001 to 2036).
fn nhs_alone(stem: &str) -> bool {
    let b = stem.as_bytes();
    let grouped = b.len() == 12 && matches!(b[3], b' ' | b'-') && b[7] == b[3];
    let digits: Vec<u8> = match (b.len(), grouped) {
        (10, _) => b.to_vec(),
        (12, true) => [&b[..3], &b[4..7], &b[8..]].concat(),
        _ => return false,
    };
    if !digits.iter().all(u8::is_ascii_digit) || !shape::nhs::nhs_digits(&digits) {
        return false;
    }
    let number: u64 = std::str::from_utf8(&digits).ok().and_then(|d| d.parse().ok()).unwrap_or(0);
    let date = |d: &[u8]| {
        let n =
            |r: std::ops::Range<usize>| std::str::from_utf8(&d[r]).ok().and_then(|t| t.parse::<u32>().ok());
        matches!((n(0..4), n(4..6), n(6..8)), (Some(1900..=2099), Some(1..=12), Some(1..=31)))
    };
    !(date(&digits) || (1_000_000_000..=2_100_000_000).contains(&number))
}

/// The judgement on `name`, made in the folder `folder` (a path, `/` between names): the name
/// alone, then — where one of the folder's last two names is a patient's label whole — with the
/// folder names from the label on, read as one text ([`check_labelled`]). The folder's own
/// names are taken as judged when they were made. With the reason, the folder a refusal may be
/// told against: `folder`, or where the name was read with folder names, the folder above them
/// (a label's value may be in them).
pub fn check_named_in(folder: &str, name: &str) -> Option<(String, Reason)> {
    if let Some(reason) = check_name(name) {
        return Some((folder.to_string(), reason));
    }
    check_labelled(folder, name)
}

/// The part of [`check_named_in`] a folder's path decides: where one of `folder`'s last two
/// names is a patient's label whole, `name` read with the folder names from the label on. A
/// name that passed alone where it was made is read this way again when a folder above it is
/// renamed (`mv y MRN` over `y/4711913`).
pub fn check_labelled(folder: &str, name: &str) -> Option<(String, Reason)> {
    let folders: Vec<&str> = folder.split('/').filter(|n| !n.is_empty()).collect();
    (1..=folders.len().min(2)).find_map(|k| {
        let from = folders.len() - k;
        let label = folders[from].trim_end_matches([':', '-', '_', '#', ' ']).to_lowercase();
        if !LABEL_FOLDERS.contains(&label.as_str()) {
            return None;
        }
        let mut text = folders[from..].join(" ");
        text.push(' ');
        text.push_str(name);
        check_name(&text).map(|reason| (format!("/{}", folders[..from].join("/")), reason))
    })
}

/// The judgement on every name of a path (`a/b/c`, `/a/b/c`): each in the folders before it.
pub fn check_path(path: &str) -> Option<Reason> {
    refused_in(path).map(|(_, reason)| reason)
}

/// The first name of `path` the gate refuses: the folder it may be told against (names before
/// it, which pass, and none of a label's value) and the reason.
pub fn refused_in(path: &str) -> Option<(String, Reason)> {
    let names: Vec<&str> = path.split('/').filter(|n| !n.is_empty()).collect();
    (0..names.len()).find_map(|i| check_named_in(&format!("/{}", names[..i].join("/")), names[i]))
}

/// The judgement on a link's target: every name of it ([`check_path`]), and its text as a
/// file's bytes ([`link_content`]).
pub fn check_link(target: &str, policy: &super::Policy) -> Option<Reason> {
    check_path(target).or_else(|| link_content(target, policy))
}

/// The judgement on a link's target as the bytes of a file (`vault check` of a file holding
/// it): a target is any text up to 4 KiB, and an encoded file fits in one (hex of a compressed
/// data set). Its names are [`check_path`]'s.
pub fn link_content(target: &str, policy: &super::Policy) -> Option<Reason> {
    let verdict = super::check(target.as_bytes(), policy);
    (!verdict.accept).then(|| {
        verdict
            .reasons
            .into_iter()
            .next()
            .unwrap_or_else(|| super::container::refusal("identity-in-name", "", WHAT))
    })
}

/// A name without the random letters a program adds to a temporary file's (`mkstemp`'s six:
/// rsync's `.IM1.dcm.FjeMrm`, gedit's `.goutputstream-x8Gh2K`): six letters and digits after a
/// full stop or a hyphen, with a digit or a capital after the first. Read as it is, they are
/// taken for a name written together (`FjeMrm`) often enough to fail a copy of a study.
fn without_temporary_suffix(name: &str) -> &str {
    let Some(at) = name.rfind(['.', '-']) else { return name };
    let suffix = &name.as_bytes()[at + 1..];
    let random = suffix.len() == 6
        && suffix.iter().all(u8::is_ascii_alphanumeric)
        && suffix[1..].iter().any(|b| b.is_ascii_digit() || b.is_ascii_uppercase());
    if random && at > 0 { &name[..at] } else { name }
}

/// A name without its extension: what follows its last full stop, one to five letters or
/// digits (`IM1.dcm` is `IM1`; `1.2.840.10008` is `1.2.840`, which is no name either).
fn without_extension(name: &str) -> &str {
    match name.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty()
                && (1..=5).contains(&ext.len())
                && ext.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            stem
        }
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_identify_are_refused_and_a_collection_s_names_are_not() {
        for (folder, name) in [
            ("", "Madeup^Zelda.dcm"),
            ("", "Madeup_Zelda_19710203"),
            ("", "MADEUP ZELDA 03-02-1971 4711913"),
            ("", "Madeup, Zelda"),
            ("", "Patient Zelda Madeup.dcm"),
            ("", "Pt Zelda Madeup.txt"),
            ("", "943 476 5919.dcm"),
            ("", "9434765919"),
            ("", "943-476-5919"),
            ("", "NHS 9434765919"),
            ("/teaching/MRN", "4711913"),
            ("/DOB", "19710203"),
            ("/Patient", "Zelda Madeup"),
            ("/x/NHS number", "943 476 5919"),
            ("", "4d61646575705e5a656c6461"),
            ("", ".Madeup_Zelda.dcm.FjeMrm"),
            ("/Patient/Zelda", "Madeup"),
        ] {
            assert!(check_named_in(folder, name).is_some(), "{folder}/{name}");
        }
        for (folder, name) in [
            ("", "IM-0001-0001.dcm"),
            ("", "1.2.840.113619.2.55.3.604688119.969.1268071029.320.dcm"),
            ("/teaching/Case 12 - pneumothorax", "CT_HEAD_20240315"),
            ("/teaching", "Series 3 AX T2"),
            ("/DICOM/PA000000/ST000000", "SE000000"),
            ("/teaching/2024-03-15", "Screenshot 2024-03-15 at 10.22.33.png"),
            ("", "Clinical notes.docx"),
            ("/teaching/Neuro", "Multiple sclerosis"),
            ("/Patient positioning", "Prone"),
            ("", "9434765918"),
            ("", "1268071029"),
            ("/teaching", "DICOMDIR"),
            ("", "0123456789abcdef"),
            ("", "20240315"),
            ("", ".im015.dcm.FjeMrm"),
            ("", ".goutputstream-ZeKaMo"),
            ("", "IM1.dcm.QuMaZe"),
            ("", "20240315-01.dcm"),
            ("", "1710000074.png"),
            ("/Phone", "20240315_101010.jpg"),
            ("/Manchester", "Salford"),
            ("/teaching/Patient positioning", "Prone 4711913"),
            // Eponyms a teaching file is named after, and a scanner's protocol (5 of 60 real
            // file names were refused for these).
            ("/teaching/GI", "Mallory_Weiss_tear.dcm"),
            ("/teaching/GI", "Mallory-Weiss"),
            ("/teaching/MSK", "Weber_B_ankle.dcm"),
            ("/teaching/MSK", "Weber C"),
            ("/teaching/MSK", "Weber_B.dcm"),
            ("/teaching/Neuro", "Sturge Weber.dcm"),
            ("/teaching/GI", "Zollinger_Ellison"),
            ("/teaching/Neuro", "MRBRAIN_GEIIS.dcm"),
            ("/teaching/Neuro", "CTHEAD_NONCON"),
        ] {
            assert!(check_named_in(folder, name).is_none(), "{folder}/{name}");
        }
        // Not every name beside a letter is a classification, nor every pair of names an eponym.
        for name in
            ["Weber Z.dcm", "Weber, B.dcm", "Weber B.", "Mallory Madeup", "Zelda Weiss.dcm", "MRMADEUP ZELDA"]
        {
            assert!(check_named_in("/teaching", name).is_some(), "{name}");
        }
        assert!(check_path("/teaching/MRN/4711913/IM1.dcm").is_some());
        assert!(check_path("teaching/Neuro/Case 3/IM1.dcm").is_none());
        let (folder, _) = refused_in("/teaching/Madeup Zelda/IM1.dcm").expect("refused");
        assert_eq!(folder, "/teaching");
        // A folder renamed to a label: the names under it, read in its new path.
        assert!(check_named_in("/teaching/Name", "Madeup").is_none());
        assert!(check_named_in("/teaching", "Zelda").is_none());
        assert!(check_labelled("/teaching/Name/Madeup", "Zelda").is_some());
        assert!(check_labelled("/teaching/Neuro/Zelda", "Madeup").is_none());
        // Told against the folder above the label, not the label's value.
        let (folder, _) = check_named_in("/teaching/Patient/Zelda", "Madeup").expect("refused");
        assert_eq!(folder, "/teaching");
    }
}

//! Names a door is asked to store: a file's or a folder's name, a link's target, an extended
//! attribute's name. A name is text the drive keeps as plainly as a file's bytes, so it is held
//! to the strength of a value the profile keeps as it is (`Family^Given`, a labelled field, a
//! title and a name, a bare name, a street, an NHS number in its groups), read with its
//! underscores as spaces and once more without its extension (`Patient Zelda Madeup.dcm`). A
//! name that is one NHS number whose check digit holds (`9434765919.dcm`) is refused too. A
//! label may sit in a folder's name and its value in the next (`/MRN/4711913`), so each name is
//! also read with the one or two folder names before it as one text.
//!
//! A name written as hex is read as the bytes it stands for too.
//!
//! Not dates or digit runs: a study's folder is named for its date, and a file for its UIDs.

use super::Reason;
use super::container::judge_name;

const WHAT: &str = "a file or folder name";

/// The judgement on one name alone: the reason it is refused (`identity-in-name`), or None.
/// The reason holds no part of the name.
pub fn check_name(name: &str) -> Option<Reason> {
    let refused = || Some(super::container::refusal("identity-in-name", "", WHAT));
    if judge_name(name.as_bytes(), "", WHAT).is_err() {
        return refused();
    }
    let stem = without_extension(name);
    if stem.len() < name.len() && judge_name(stem.as_bytes(), "", WHAT).is_err() {
        return refused();
    }
    // A name written as hex (`517565…`): what `xxd -r -p` makes of it.
    if stem.len() >= 8 && stem.len().is_multiple_of(2) && stem.bytes().all(|b| b.is_ascii_hexdigit()) {
        let bytes: Vec<u8> =
            (0..stem.len()).step_by(2).filter_map(|i| u8::from_str_radix(&stem[i..i + 2], 16).ok()).collect();
        if judge_name(&bytes, "", WHAT).is_err() {
            return refused();
        }
    }
    let digits: String = stem.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if stem.len() <= 12 && super::shape::nhs::nhs_digits(digits.as_bytes()) {
        return refused();
    }
    None
}

/// The judgement on `name`, made in the folder `folder` (a path, `/` between names): the name
/// alone, then with the last one and two of the folder's names before it, read as one text.
/// The folder's own names are taken as judged when they were made.
pub fn check_named(folder: &str, name: &str) -> Option<Reason> {
    check_name(name).or_else(|| {
        let folders: Vec<&str> = folder.split('/').filter(|n| !n.is_empty()).collect();
        (1..=folders.len().min(2)).find_map(|k| {
            let mut text = folders[folders.len() - k..].join(" ");
            text.push(' ');
            text.push_str(name);
            check_name(&text)
        })
    })
}

/// The judgement on every name of a path (`a/b/c`, `/a/b/c`): each in the folders before it.
pub fn check_path(path: &str) -> Option<Reason> {
    refused_in(path).map(|(_, reason)| reason)
}

/// The first name of `path` the gate refuses: the folder it is in (`/` and the names before
/// it, which pass: what a refusal may be told against) and the reason.
pub fn refused_in(path: &str) -> Option<(String, Reason)> {
    let names: Vec<&str> = path.split('/').filter(|n| !n.is_empty()).collect();
    (0..names.len()).find_map(|i| {
        let folder = format!("/{}", names[..i].join("/"));
        check_named(&folder, names[i]).map(|reason| (folder, reason))
    })
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
            ("/Patient/Zelda", "Madeup"),
        ] {
            assert!(check_named(folder, name).is_some(), "{folder}/{name}");
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
        ] {
            assert!(check_named(folder, name).is_none(), "{folder}/{name}");
        }
        assert!(check_path("/teaching/MRN/4711913/IM1.dcm").is_some());
        assert!(check_path("teaching/Neuro/Case 3/IM1.dcm").is_none());
        let (folder, _) = refused_in("/teaching/Madeup Zelda/IM1.dcm").expect("refused");
        assert_eq!(folder, "/teaching");
    }
}

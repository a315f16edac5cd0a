//! Shapes only what OCR read is judged by: a label a letter or two wrong, `SURNAME,GIVEN` in
//! capitals, a caret read as another mark.

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
pub(super) fn misread_label(text: &[u8]) -> bool {
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
pub(super) fn capital_pair(text: &[u8]) -> bool {
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
pub(super) fn marked_pair(text: &[u8]) -> bool {
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

#[cfg(test)]
mod tests {
    use crate::gate::shape::{Shape, Strength, find};

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
}

//! What a value must be to stay: its VR's form, blank or a dummy, a replaced UID.

use super::*;

pub(super) fn text_vr(vr: VR) -> bool {
    matches!(vr, VR::AE | VR::CS | VR::LO | VR::LT | VR::SH | VR::ST | VR::UC | VR::UT | VR::PN | VR::UR)
}

/// Values of these VRs are numbers: a dummy is zero.
pub(super) fn binary_vr(vr: VR) -> bool {
    matches!(
        vr,
        VR::US
            | VR::SS
            | VR::UL
            | VR::SL
            | VR::FL
            | VR::FD
            | VR::AT
            | VR::SV
            | VR::UV
            | VR::OB
            | VR::OW
            | VR::OF
            | VR::OD
            | VR::OL
            | VR::OV
            | VR::UN
    )
}

/// The dummies `vault scrub` writes, by VR; and what always counts as none.
pub(super) fn is_dummy(vr: VR, component: &[u8], policy: &Policy) -> bool {
    let t = trim_name(component);
    if t.is_empty() {
        return true;
    }
    let text = String::from_utf8_lossy(t);
    if policy.is_blank(&text) {
        return true;
    }
    match vr {
        VR::DA => t == b"19000101",
        VR::TM => t.iter().all(|&b| b == b'0' || b == b'.'),
        VR::DT => t == b"19000101000000" || t == b"19000101",
        VR::AS => t == b"000Y",
        VR::IS | VR::DS => t.iter().all(|&b| b == b'0' || b == b'.'),
        _ => false,
    }
}

/// Padding, carets and the `=` of name groups taken off.
pub(super) fn trim_name(v: &[u8]) -> &[u8] {
    let v = trim(v);
    let start = v.iter().position(|&b| !matches!(b, b'^' | b'=' | b' ')).unwrap_or(v.len());
    let end = v.iter().rposition(|&b| !matches!(b, b'^' | b'=' | b' ')).map_or(start, |i| i + 1);
    &v[start..end.max(start)]
}

/// True when the value is no value: empty, or a dummy in every component.
pub(super) fn blank(vr: VR, value: &[u8], policy: &Policy) -> bool {
    if binary_vr(vr) && !(vr == VR::UN && value.iter().all(|&b| b.is_ascii_graphic() || b == b' ')) {
        return value.iter().all(|&b| b == 0) || trim(value) == b"0";
    }
    value.split(|&b| b == b'\\').all(|c| is_dummy(vr, c, policy))
}

/// True when every component has the form its VR allows (where the VR is a strict one).
pub(super) fn has_its_form(vr: VR, value: &[u8]) -> bool {
    let allowed: fn(u8) -> bool = match vr {
        VR::DA => |b| b.is_ascii_digit() || b == b'-' || b == b'.',
        VR::TM => |b| b.is_ascii_digit() || b == b'.' || b == b':' || b == b'-',
        VR::DT => |b| b.is_ascii_digit() || matches!(b, b'.' | b'+' | b'-'),
        VR::AS => |b| b.is_ascii_digit() || matches!(b, b'D' | b'W' | b'M' | b'Y'),
        VR::IS => |b| b.is_ascii_digit() || matches!(b, b'+' | b'-'),
        VR::DS => |b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'),
        VR::UI => |b| b.is_ascii_digit() || b == b'.',
        // Upper case, digits, space and underscore by the standard; lower case, '/', '.' and
        // '-' are found in real files. A caret or a colon is not a code.
        VR::CS => |b| b.is_ascii_alphanumeric() || matches!(b, b' ' | b'_' | b'/' | b'.' | b'-'),
        _ => return true,
    };
    value.split(|&b| b == b'\\').all(|c| trim(c).iter().all(|&b| allowed(b)))
}

/// A UID `vault scrub` could have written: `2.25.` and a 128-bit number (a UUID's: 30 to 39
/// digits, no leading zero) whose sixteen bytes are not text ([`text_in_uuid`]). A shorter
/// `2.25.` number is not a UUID's, and could be anything (`2.25.4711913019710203` is an MRN and
/// a birth date).
pub(super) fn replaced_uid(component: &[u8]) -> bool {
    let t = trim(component);
    t.is_empty()
        || t.strip_prefix(b"2.25.").is_some_and(|n| {
            (30..=39).contains(&n.len())
                && n.iter().all(|b| b.is_ascii_digit())
                && n[0] != b'0'
                && std::str::from_utf8(n)
                    .ok()
                    .and_then(|d| d.parse::<u128>().ok())
                    .is_some_and(|n| !text_in_uuid(n.to_be_bytes()))
        })
}

/// A UUID's sixteen bytes that are text, not random: all of them printable ASCII, or twelve or
/// more and a date, an ID-like number or a labelled field among them (`2.25.654292…` reads
/// `19710203MRN47119`). Random bytes are all printable about once in eight million, and make
/// such a shape less often still; a caret between letters is no test here (one UUID in forty
/// has one).
pub(super) fn text_in_uuid(bytes: [u8; 16]) -> bool {
    let printable = |b: u8| (0x20..0x7F).contains(&b);
    let count = bytes.iter().filter(|&&b| printable(b)).count();
    let shown: Vec<u8> = bytes.iter().map(|&b| if printable(b) { b } else { b' ' }).collect();
    count == bytes.len()
        || (count >= 12
            && matches!(
                shape::find(&shown, Strength::FreeText),
                Some(shape::Shape::Date | shape::Shape::IdNumber | shape::Shape::LabelledField)
            ))
}

/// Printable text with at least two letters or digits: something a person could read.
pub(super) fn readable(value: &[u8]) -> bool {
    let t = trim(value);
    t.iter().filter(|b| b.is_ascii_alphanumeric()).count() >= 2
        && t.iter().all(|&b| b.is_ascii_graphic() || b == b' ' || b >= 0x80)
}

/// A text value as a reader may show it: each of its values (split at `\`), then — when it has
/// several — all of them in one line, as a viewer lists them (`Name:\MADEUP ZELDA` reads
/// `Name: MADEUP ZELDA`), and [`rejoined`] where a separator cuts a word or a number.
pub(super) fn read_as_text(value: &[u8]) -> impl Iterator<Item = std::borrow::Cow<'_, [u8]>> {
    use std::borrow::Cow;
    let several = value.contains(&b'\\');
    let spaced: Option<Cow<'_, [u8]>> =
        several.then(|| Cow::Owned(value.iter().map(|&b| if b == b'\\' { b' ' } else { b }).collect()));
    // Where no separator cuts a word it reads as the spaced line: not searched twice.
    let rejoined = several.then(|| rejoined(value)).filter(|r| spaced.as_deref() != Some(r.as_slice()));
    value.split(|&b| b == b'\\').map(Cow::Borrowed).chain(spaced).chain(rejoined.map(Cow::Owned))
}

/// The values of `value` in one line, joined without a space where a separator cuts a word or a
/// number — a small letter after it (`Z\elda`), a letter on both sides standing alone
/// (`M\R\N:`), a word of one letter ending the value before or starting the one after
/// (`MADEUP Z\ELDA`), a caret after it (`MADEUP\^ZELDA`), digits on both sides (`1971\02\03`) —
/// and with a space elsewhere: values that are words stay words
/// (`ORIGINAL\PRIMARY\M_FFE\M\FFE`).
fn rejoined(value: &[u8]) -> Vec<u8> {
    let pieces: Vec<&[u8]> = value.split(|&b| b == b'\\').collect();
    let mut out = Vec::with_capacity(value.len());
    for (k, piece) in pieces.iter().enumerate() {
        if k > 0 {
            let before = pieces[k - 1];
            let (end, start) = (before.last().copied(), piece.first().copied());
            let last_run = before.iter().rev().take_while(|b| b.is_ascii_alphanumeric()).count();
            let first_run = piece.iter().take_while(|b| b.is_ascii_alphanumeric()).count();
            let letter_word_at_end = matches!(before, [.., b' ', c] if c.is_ascii_alphabetic());
            let letter_word_at_start = matches!(piece, [c, b' ', ..] if c.is_ascii_alphabetic());
            let cut = (start.is_some_and(|b| b.is_ascii_lowercase())
                && end.is_some_and(|b| b.is_ascii_alphabetic()))
                || (last_run == 1 && first_run == 1)
                || letter_word_at_end
                || letter_word_at_start
                || start == Some(b'^')
                || (end.is_some_and(|b| b.is_ascii_digit()) && start.is_some_and(|b| b.is_ascii_digit()));
            if !cut {
                out.push(b' ');
            }
        }
        out.extend_from_slice(piece);
    }
    out
}

/// A kept value that is a bare number of five digits or more (a date, an MRN, an NHS number) —
/// or, in a coded string, holds one ([`crate::gate::terms::number_in_code`]) —
/// where what the attribute holds is words: a code stands in the code's value, a code's meaning
/// says it in words (`4711913` as a Code Meaning); a coded string is a keyword (`ORIGINAL`,
/// `AXIAL`); an implementation names its version (`OFFIS_DCMTK_367`). Not in the Basic
/// Directory's group, whose file IDs and file-set IDs are numbered by their writers. Measured:
/// none of the 303 files of the DICOM sample packages holds one outside a DICOMDIR.
pub(super) fn bare_number(tag: dicom_core::Tag, vr: VR, value: &[u8]) -> bool {
    use dicom_dictionary_std::tags;
    let words_here = (vr == VR::CS && tag.group() != 0x0004 && !crate::gate::terms::numbered(tag))
        || tag == tags::CODE_MEANING
        || tag == tags::IMPLEMENTATION_VERSION_NAME;
    words_here
        && (value.split(|&b| b == b'\\').any(|component| {
            let digits: Vec<u8> =
                component.iter().copied().filter(|b| !matches!(b, b' ' | 0 | b'-' | b'/' | b'.')).collect();
            (digits.len() >= 5 && digits.iter().all(u8::is_ascii_digit))
                || (vr == VR::CS && crate::gate::terms::number_in_code(tag, component))
        }) || (vr == VR::CS && crate::gate::terms::number_across_values(tag, value)))
}

/// A text value one of whose values is nothing but a date, a number or a postcode
/// ([`shape::bare_value`]).
pub(super) fn bare_value(tag: dicom_core::Tag, vr: VR, value: &[u8]) -> Option<shape::Shape> {
    if !text_vr(vr) {
        return None;
    }
    value.split(|&b| b == b'\\').find_map(|c| shape::bare_value(tag, c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_read_apart_spaced_and_joined_where_a_separator_cuts_a_word() {
        let readings: Vec<Vec<u8>> = read_as_text(b"ORIGINAL\\WHOLE BODY").map(|c| c.into_owned()).collect();
        assert_eq!(readings, [b"ORIGINAL".to_vec(), b"WHOLE BODY".to_vec(), b"ORIGINAL WHOLE BODY".to_vec()]);
        assert_eq!(read_as_text(b"AXIAL").count(), 1);
        assert_eq!(read_as_text(b"Z\\elda").last().as_deref(), Some(&b"Zelda"[..]));
        for (value, joined) in [
            (&b"Z\\elda Madeup"[..], &b"Zelda Madeup"[..]),
            (b"MADEUP Z\\ELDA", b"MADEUP ZELDA"),
            (b"M\\R\\N: 4711913", b"MRN: 4711913"),
            (b"MADEUP\\^ZELDA", b"MADEUP^ZELDA"),
            (b"1971\\02\\03", b"19710203"),
            (b"BRAIN\\LUNG W:1500", b"BRAIN LUNG W:1500"),
            (b"ORIGINAL\\PRIMARY\\M_FFE\\M\\FFE", b"ORIGINAL PRIMARY M_FFE M FFE"),
        ] {
            assert_eq!(rejoined(value), joined, "{}", String::from_utf8_lossy(value));
        }
    }

    #[test]
    fn a_bare_number_is_refused_where_words_are_held() {
        use dicom_dictionary_std::tags;
        assert!(bare_number(tags::CODE_MEANING, VR::LO, b"4711913 "));
        assert!(bare_number(tags::SCAN_OPTIONS, VR::CS, b"HELICAL\\1971-03-02"));
        assert!(bare_number(tags::IMPLEMENTATION_VERSION_NAME, VR::SH, b"19710302"));
        // Words, short numbers, other attributes, a DICOMDIR's file IDs.
        assert!(!bare_number(tags::CODE_MEANING, VR::LO, b"CT Chest 2024"));
        assert!(!bare_number(tags::SCAN_OPTIONS, VR::CS, b"HELICAL\\1.5"));
        assert!(!bare_number(tags::CODE_VALUE, VR::SH, b"399068003"));
        assert!(!bare_number(tags::REFERENCED_FILE_ID, VR::CS, b"DIR\\77654033"));
    }

    #[test]
    fn blanks_dummies_and_forms() {
        let p = Policy::default();
        assert!(blank(VR::PN, b"ANONYMOUS ", &p));
        assert!(blank(VR::PN, b"^^", &p));
        assert!(blank(VR::DA, b"19000101", &p));
        assert!(!blank(VR::DA, b"19700312", &p));
        assert!(blank(VR::US, &[0, 0], &p));
        assert!(!blank(VR::US, &[1, 0], &p));
        assert!(!blank(VR::UN, b"Madeup^Person", &p));
        assert!(blank(VR::LO, b"ANONYMIZED\\", &p));
        assert!(!blank(VR::LO, b"ANONYMIZED\\Madeup", &p));
        assert!(has_its_form(VR::DA, b"20200101 "));
        assert!(!has_its_form(VR::DA, b"Madeup^Person"));
        assert!(replaced_uid(b"2.25.123456789012345678901234567890\0"));
        assert!(!replaced_uid(b"2.25.4711913019710203"));
        assert!(!replaced_uid(b"1.2.826.0.1.3680043.10.999.1"));
        assert!(!replaced_uid(b"2.25.0123"));
        // Sixteen bytes of text: a birth date and a record number.
        let text = u128::from_be_bytes(*b"19710203MRN47119");
        assert!(!replaced_uid(format!("2.25.{text}").as_bytes()));
        // A UUID's random bytes pass, whatever marks happen to be among them.
        let random = u128::from_be_bytes(*b"O\x03\xfbq(p\x95L \xae\xc1^t\xd7\xbc\xa1");
        assert!(replaced_uid(format!("2.25.{random}").as_bytes()));
        let refused = crate::gate::runs::noise(16 * 100_000, 11)
            .chunks(16)
            .filter(|b| text_in_uuid((*b).try_into().expect("16 bytes")))
            .count();
        assert_eq!(refused, 0, "random UUIDs read as text");
        assert!(
            !replaced_uid(format!("2.25.{}", u128::MAX).replace("455", "999").as_bytes()),
            "over 128 bits"
        );
    }
}

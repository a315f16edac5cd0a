//! DICOM inside other bytes: a Part 10 file's `DICM` part way in, and raw data sets read from
//! a patient element's header, as a reader given the offset or a carver takes them out.

use super::*;

/// At most this many Part 10 files found inside one file's bytes are read; more are refused.
pub(super) const MAX_EMBEDDED: usize = 8;

/// The longest value [`embedded_raw`] reads from: a PN value's five components of 64 characters.
const PERSON_TEXT: usize = 324;

/// Raw readings from patient element headers part way into one file ([`embedded_raw`]): a
/// 16-bit image holds the header's bytes by chance here and there, and a reading from each
/// stops within a few elements.
pub(super) const MAX_RAW_READINGS: usize = 4096;

/// The element headers a raw data set's patient module starts with — the patient's name, ID and
/// birth date, little and big endian — and the encodings to read from each.
pub(super) const PATIENT_TAGS: [(&[u8], &[Syntax]); 6] = {
    const LITTLE: &[Syntax] = &[Syntax::ExplicitLittle, Syntax::ImplicitLittle];
    const BIG: &[Syntax] = &[Syntax::ExplicitBig];
    [
        (b"\x10\x00\x10\x00", LITTLE),
        (b"\x10\x00\x20\x00", LITTLE),
        (b"\x10\x00\x30\x00", LITTLE),
        (b"\x00\x10\x00\x10", BIG),
        (b"\x00\x10\x00\x20", BIG),
        (b"\x00\x10\x00\x30", BIG),
    ]
};

/// Raw data sets part way into a file (after a made-up header, in noise, in another file's
/// pixel data), as a reader given the offset (pydicom's `read_dataset`) or a carver takes them:
/// read from each patient element header whose value fits, in the encodings that header
/// allows; a reading counts only when it looks like a data set ([`other_reading`]). Offsets
/// the raw readings at the start cover are left to them.
pub(super) fn embedded_raw(bytes: &[u8], from: usize) -> impl Iterator<Item = (usize, Syntax)> + '_ {
    patient_readings(bytes, from, false)
}

/// The readings from each patient element header in `bytes` from `from` on whose value is a
/// person's text; with `at_start`, also at the offsets the readings at a file's start cover.
fn patient_readings(bytes: &[u8], from: usize, at_start: bool) -> impl Iterator<Item = (usize, Syntax)> + '_ {
    PATIENT_TAGS.iter().flat_map(move |&(tag, syntaxes)| {
        let after = bytes.get(from..).unwrap_or_default();
        let hits = memchr::memmem::find_iter(after, tag).map(move |p| p + from);
        hits.flat_map(move |at| readings_at(bytes, at, syntaxes, at_start).map(move |s| (at, s)))
    })
}

/// The encodings among `syntaxes` in which a patient element header at `at` (one of
/// [`PATIENT_TAGS`]) starts a raw reading: not where the readings at the start stand, and with a
/// value a person's text could be — a name's, an ID's or a date's length, no control characters
/// (16-bit pixels hold the header's bytes by chance, with binary after them).
pub(super) fn raw_readings_at<'a>(
    bytes: &'a [u8],
    at: usize,
    syntaxes: &'a [Syntax],
) -> impl Iterator<Item = Syntax> + 'a {
    readings_at(bytes, at, syntaxes, false)
}

/// [`raw_readings_at`]; with `at_start`, also at the offsets the readings at a file's start
/// cover.
fn readings_at<'a>(
    bytes: &'a [u8],
    at: usize,
    syntaxes: &'a [Syntax],
    at_start: bool,
) -> impl Iterator<Item = Syntax> + 'a {
    let read = at_start || ![0, 128, 132].contains(&at);
    syntaxes.iter().copied().filter(move |&s| read && person_value(bytes, at, s))
}

/// Whether the element header at `at`, read in `syntax`, has a value a person's text could be:
/// a name's, an ID's or a date's length, no control characters.
fn person_value(bytes: &[u8], at: usize, syntax: Syntax) -> bool {
    scan::first_header(bytes, at, syntax).is_some_and(|(value_at, value_len)| {
        value_len
            .and_then(|l| bytes.get(value_at..value_at + l as usize))
            .is_some_and(|v| (1..=PERSON_TEXT).contains(&v.len()) && v.iter().all(|&b| b >= 0x20))
    })
}

/// The raw readings a binary value holds (not pixel data: a plain data set where the profile
/// keeps encrypted ones, in EncryptedContent; in a LUT's unused entries; in a waveform's
/// samples): from each patient element header in it, at its start too, whose value is a
/// person's text.
pub(super) fn value_readings(value: &[u8]) -> impl Iterator<Item = (usize, Syntax)> + '_ {
    patient_readings(value, 0, true)
}

/// Where a patient element header (one of [`PATIENT_TAGS`], at the start or anywhere) has a
/// value that runs past the end of the bytes, and what is there is a person's text: a reader
/// that forgives a torn last element (pydicom's, forced) shows it (`Madeup` of a 16-byte name
/// cut at 6; a name whose VR was smashed, read as implicit VR with a length past the end). No
/// reading reads such a value, since its length does not fit.
pub(super) fn torn_patient_value(bytes: &[u8]) -> Option<usize> {
    let fits = |at: usize, s: Syntax| {
        scan::first_header(bytes, at, s).is_some_and(|(value_at, len)| {
            len.is_none_or(|l| value_at as u64 + u64::from(l) <= bytes.len() as u64)
        })
    };
    PATIENT_TAGS.iter().find_map(|&(tag, syntaxes)| {
        memchr::memmem::find_iter(bytes, tag).find(|&at| {
            // Torn in every encoding that reads a header there: an explicit VR element read as
            // implicit has a length past the end, and is whole all the same.
            !syntaxes.iter().any(|&s| fits(at, s))
                && syntaxes.iter().any(|&s| {
                    scan::first_header(bytes, at, s).is_some_and(|(value_at, len)| {
                        let torn = len.is_some_and(|l| value_at as u64 + u64::from(l) > bytes.len() as u64);
                        let rest = &bytes[value_at..];
                        // At the start, where a reader starts reading anyway, whatever follows the
                        // text (the next element's header, read as part of the value); part way in,
                        // text alone (pixel values hold the header's bytes by chance).
                        let start = [0, 128, 132].contains(&at);
                        torn && (1..=PERSON_TEXT).contains(&rest.len())
                            && (start || rest.iter().all(|&b| b >= 0x20))
                            && rest.windows(3).any(|w| w.iter().all(u8::is_ascii_alphanumeric))
                    })
                })
        })
    })
}

/// True when a reading stopped at a patient's element (its VR smashed, its length past the
/// end), which a forgiving reader reads on to: pydicom takes a smashed VR for implicit VR, a
/// length past the end for the rest of the bytes.
fn stops_at_a_patient(bytes: &[u8], stop: usize) -> bool {
    let from = stop.saturating_sub(8);
    let near = bytes.get(from..(stop + 4).min(bytes.len())).unwrap_or_default();
    PATIENT_TAGS.iter().any(|(tag, _)| {
        memchr::memmem::find_iter(near, tag).any(|p| {
            // With a person's text after its header (16-bit pixels hold the header's bytes by
            // chance, with numbers after them).
            let after = bytes.get(from + p + 8..(from + p + 8 + 64).min(bytes.len())).unwrap_or_default();
            after.windows(3).any(|w| w.iter().all(u8::is_ascii_alphabetic))
        })
    })
}

/// The raw readings whose first element header is well formed and whose value fits in a file
/// of `len` bytes: (offset, syntax).
pub(super) fn raw_starts(bytes: &[u8], len: u64) -> impl Iterator<Item = (usize, Syntax)> + '_ {
    [0usize, 128, 132].into_iter().flat_map(move |at| {
        Syntax::ALL.into_iter().filter_map(move |s| {
            let (value_at, value_len) = scan::first_header(bytes, at, s)?;
            let fits = value_len.is_none_or(|l| value_at as u64 + u64::from(l) <= len);
            fits.then_some((at, s))
        })
    })
}

/// Where a Part 10 file starts inside `bytes` other than at its own beginning: `DICM` followed by
/// a meta group element (group 0002, little endian), 128 bytes after the start where there is
/// room for a preamble. A DICOM file in another's pixel data, in a fragment or a JPEG segment of
/// it, in an image's private chunk or an archive's header is a file a reader can take out whole.
pub(super) fn embedded_part10(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    memchr::memmem::find_iter(bytes, b"DICM")
        .filter(move |&p| bytes.get(p + 4..p + 6) == Some(&[0x02, 0x00][..]))
        .map(|p| p.saturating_sub(128))
        .filter(|&start| start > 0)
}

/// A reading other than the file's own. It counts only when what it read looks like a data set
/// (`Law::known`: elements the dictionary knows, in order): then a reading to the end is judged
/// whole, one that stops part way counts what it read that reads as a person's text, and a raw
/// reading (no `DICM`) that stops after three such elements, after a patient's value, or before
/// one, is unreadable DICOM. Bytes that only
/// happen to parse as an element or two (executables, compiled code, zeros) do not count, unless
/// what they read is a patient's name, ID or birth date.
pub(super) fn other_reading(
    bytes: &[u8],
    at: usize,
    syntax: Syntax,
    policy: &Policy,
    sight: &Sight<'_>,
    v: &mut Verdict,
) {
    let mut law = law::Law::with_patience(policy, 64);
    let reading = scan::read(bytes, at, syntax, &mut law);
    let (known, elements) = (law.known, reading.elements);
    let whole = reading.stopped.is_none();
    // A patient's name, ID or birth date read is a reader's to show, however little else reads
    // (a fragment that is one PatientName element and a torn tail).
    let named = !law.identity.is_empty();
    let counts = named || if whole { known >= 2 || (known == 1 && elements == 1) } else { known >= 2 };
    let raw = bytes.get(128..132) != Some(b"DICM") && !bytes.starts_with(b"DICM");
    let label = format!("@{at} {}/", syntax_name(syntax));
    if !counts {
        // Elements read one after another up to a patient's element the reading stops at (its
        // VR smashed, its length past the end), which a forgiving reader reads on: a data set.
        if let Some(stop) = reading.stopped
            && raw
            && stops_at_a_patient(bytes, stop.at)
        {
            v.refuse([unreadable(stop.why, label)]);
        }
        return;
    }
    let mut reasons = if whole {
        let data = DataSet::Raw { bytes, at, transfer_syntax: syntax.uid() };
        pixel_reasons(data, &law, sight)
    } else {
        Vec::new()
    };
    reasons.extend(law.reasons(!whole));
    for r in &mut reasons {
        r.location = format!("{label}{}", r.location);
    }
    v.dicom = true;
    v.torn |= !whole;
    v.refuse(reasons);
    // Past where it stopped, a patient's element a forgiving reader reads on to (pydicom takes
    // a smashed VR for implicit VR, a length past the end for the rest of the bytes).
    if let Some(stop) = reading.stopped
        && raw
        && (known >= 3 || named || stops_at_a_patient(bytes, stop.at))
    {
        v.refuse([unreadable(stop.why, label)]);
    }
}

//! Text that binary bytes carry: the runs of printable characters `strings` shows, and which of
//! them read as a note about a patient. The doors search every piece of a plain file for them;
//! the law searches a private element's binary value and a container's slack.

/// A run of this many printable characters where a file holds binary no reader shows (a Part 10
/// preamble, the bytes after the last frame of native pixel data) is text, not an application's
/// binary header (a TIFF header's longest is 3).
pub(crate) const HIDDEN_TEXT: usize = 8;

/// The runs of printable ASCII (letters, digits, punctuation, spaces) in `bytes` at least
/// [`HIDDEN_TEXT`] long: the text `strings` shows in binary bytes.
///
/// The doors search every piece of a plain file for them, so binary bytes are skipped a window
/// at a time: where the last byte of a window of [`HIDDEN_TEXT`] from a run's possible start is
/// no text, no run that long starts before it (splitting at every byte spent ten times the
/// time of the rest of `vault check` on random bytes).
pub(crate) fn text_runs(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let text = |b: &u8| b.is_ascii_graphic() || *b == b' ';
    let mut at = 0;
    std::iter::from_fn(move || {
        // `at` follows a byte that is no text (or is the start).
        while at + HIDDEN_TEXT <= bytes.len() {
            match bytes[at..at + HIDDEN_TEXT].iter().rposition(|b| !text(b)) {
                Some(last) => at += last + 1,
                None => {
                    let start = at;
                    let end = bytes[start + HIDDEN_TEXT..].iter().position(|b| !text(b));
                    let end = end.map_or(bytes.len(), |p| start + HIDDEN_TEXT + p);
                    at = end + 1;
                    return Some(&bytes[start..end]);
                }
            }
        }
        None
    })
}

/// Whether `bytes` hold a run of text ([`text_runs`]) that reads as words (letters, digits and
/// spaces make most of it) and has a labelled field's shape (`Name: Madeup, Zelda`, `MRN
/// 4711913`): what `strings` shows of a note among binary bytes. Not a name's shape alone:
/// binary bytes spell short capitalised words by chance.
pub(crate) fn labelled_run(bytes: &[u8]) -> bool {
    text_runs(bytes).any(labelled_words)
}

/// Whether one run of text ([`text_runs`]) reads as words (letters, digits and spaces make four
/// fifths of it, a space among them) and has a labelled field's shape: [`labelled_run`]'s test
/// of each run.
pub(crate) fn labelled_words(run: &[u8]) -> bool {
    let wordy = run.iter().filter(|b| b.is_ascii_alphanumeric() || **b == b' ').count();
    run.contains(&b' ') && wordy * 5 >= run.len() * 4 && super::shape::labelled(run)
}

/// A note among binary bytes (a text padded with NULs, cut by them, after a made-up header, in
/// random bytes): a [`labelled_run`] in bytes that are no text file. In a program (by its
/// signature, [`program`]) only where the bytes other than NULs are at least 85 % text: a
/// program's strings label things (`bad ID: Allocated using…`, `Patientname RIS` in dcmtk) and
/// the labelled shape, made for values, takes about one program in ten on this machine for a
/// patient's — but its code is no text.
pub(crate) fn labelled_note(bytes: &[u8]) -> bool {
    if text_like(bytes) || messages(bytes) {
        // Text in an 8-bit encoding the document reader does not decode (a vim tutor in
        // KOI8): its ASCII runs are pieces of words, not a note's.
        return false;
    }
    if !program(bytes) {
        return labelled_run(bytes);
    }
    let (mut shown, mut text) = (0usize, 0usize);
    for &b in bytes.iter().filter(|&&b| b != 0) {
        shown += 1;
        text += usize::from(b.is_ascii_graphic() || matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
    }
    shown > 0 && text * 20 >= shown * 17 && labelled_run(bytes)
}

/// A program or a library by its signature: ELF, PE (`MZ`), Mach-O (either byte order, fat
/// binaries), a Java class, WebAssembly, a static library.
fn program(bytes: &[u8]) -> bool {
    const SIGNS: &[&[u8]] = &[
        b"\x7fELF",
        b"MZ",
        b"\xfe\xed\xfa\xce",
        b"\xfe\xed\xfa\xcf",
        b"\xce\xfa\xed\xfe",
        b"\xcf\xfa\xed\xfe",
        b"\xca\xfe\xba\xbe",
        b"\0asm",
        b"!<arch>\n",
    ];
    SIGNS.iter().any(|s| bytes.starts_with(s))
}

/// A program's translated messages (gettext's catalogue, either byte order): labels and their
/// translations, text through and through, and no note.
fn messages(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\xde\x12\x04\x95") || bytes.starts_with(b"\x95\x04\x12\xde")
}

/// Whether `bytes` hold a run of text ([`text_runs`]).
pub(crate) fn has_text(bytes: &[u8]) -> bool {
    text_runs(bytes).next().is_some()
}

/// The most letters and digits in a run of text in a preamble as `strings -el` or an editor
/// shows it: NULs skipped (UTF-16's high bytes), other control bytes as spaces between words
/// (`MADEUP\x01ZELDA`). An application's binary header (a TIFF's) has no such run.
pub(super) fn preamble_words(bytes: &[u8]) -> usize {
    let shown = bytes.iter().filter(|&&b| b != 0).map(|&b| if b < 0x20 { b' ' } else { b });
    let mut most = 0;
    let mut run = 0;
    for b in shown {
        run = match b {
            b if b.is_ascii_alphanumeric() => run + 1,
            b' '..=b'~' => run,
            _ => 0,
        };
        most = most.max(run);
    }
    most
}

/// Text, as far as `bytes` show: no control characters but tab, line breaks and form feed (UTF-8
/// and other 8-bit text pass).
pub(super) fn text_like(bytes: &[u8]) -> bool {
    bytes.iter().all(|&b| b >= 0x20 || matches!(b, b'\t' | b'\n' | b'\r' | 0x0C))
}

/// Made-up random bytes for tests (xorshift64 from `seed`): the same seed, the same bytes.
#[cfg(test)]
pub(crate) fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

#[cfg(test)]
mod text_run_tests {
    use super::*;

    /// The runs as a split at every byte that is no text finds them.
    fn by_splitting(bytes: &[u8]) -> Vec<&[u8]> {
        bytes
            .split(|b| !(b.is_ascii_graphic() || *b == b' '))
            .filter(|run| run.len() >= HIDDEN_TEXT)
            .collect()
    }

    #[test]
    fn runs_skipped_a_window_at_a_time_are_the_runs_a_split_finds() {
        let mut cases: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b"1234567".to_vec(),
            b"12345678".to_vec(),
            b"\x00Name: Madeup\x01ab\x00abcdefgh".to_vec(),
            b"abcdefg\x00abcdefgh\x00\x00abcdefghijk".to_vec(),
        ];
        for seed in 1..200 {
            // Noise, and noise with text mixed in at every density.
            let mut n = noise(600, seed);
            for (i, b) in n.iter_mut().enumerate() {
                if (i as u64 * seed) % 7 < seed % 8 {
                    *b = b'a' + (*b % 26);
                }
            }
            cases.push(n);
        }
        for case in &cases {
            assert_eq!(text_runs(case).collect::<Vec<_>>(), by_splitting(case), "{case:?}");
        }
    }
}

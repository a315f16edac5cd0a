//! Whether a piece of a file holds what a carver could take out as a file of its own: every
//! signature looked for in one pass over the bytes.
//!
//! The doors read every byte of every file stored for these signatures (a plain file is passed
//! on its head and tail only when none stands anywhere in it), so the search is on the path
//! of every copy into the mount. One search per signature read each piece nineteen times; one
//! multi-pattern search (`aho-corasick`'s vectorised Teddy: no hand-written searcher) reads it
//! once. Leftmost-first matches restarted one byte after each match's start find every place
//! any signature starts, because no signature begins another (a test holds this): at most one
//! can start at any one place.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, Input, MatchKind};

use super::container::{self, CARVED, Kind};
use super::embedded::{PATIENT_TAGS, raw_readings_at};
use super::scan::Syntax;

/// What a signature is taken for, and so how the bytes after it are told from chance.
#[derive(Clone, Copy)]
enum Sign {
    /// A Part 10 file's `DICM`, with a meta group element after it where there is room.
    Part10,
    /// A container or compressed stream part way in ([`container::carved_at`]).
    Carved(Kind),
    /// A raw data set's patient element header ([`raw_readings_at`]).
    Patient(&'static [Syntax]),
}

/// The signatures, in one searcher, with what each is taken for (by pattern number).
static SIGNATURES: LazyLock<(AhoCorasick, Vec<Sign>)> = LazyLock::new(|| {
    let all = signatures();
    let finder = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .build(all.iter().map(|(pattern, _)| pattern))
        .expect("a fixed set of short signatures builds");
    (finder, all.into_iter().map(|(_, sign)| sign).collect())
});

fn signatures() -> Vec<(&'static [u8], Sign)> {
    let part10: (&[u8], Sign) = (b"DICM", Sign::Part10);
    let carved = CARVED.iter().map(|&(sig, kind)| (sig, Sign::Carved(kind)));
    let patient = PATIENT_TAGS.iter().map(|&(tag, syntaxes)| (tag, Sign::Patient(syntaxes)));
    std::iter::once(part10).chain(carved).chain(patient).collect()
}

/// True when `piece` (any part of a file: a head, a tail, a piece of its middle) holds what a
/// carver could take out as a file of its own: a Part 10 file's `DICM`, a container's
/// signature, a raw data set's patient element. A signature cut off at the piece's end counts.
pub fn may_hold_a_file(piece: &[u8]) -> bool {
    let (finder, signs) = &*SIGNATURES;
    let mut from = 0;
    while let Some(found) = finder.find(Input::new(piece).span(from..piece.len())) {
        let p = found.start();
        let holds = match signs[found.pattern().as_usize()] {
            Sign::Part10 => piece.get(p + 4..p + 6).is_none_or(|g| g == [0x02, 0x00]),
            Sign::Carved(kind) => container::carved_at(piece, p, kind).is_some(),
            Sign::Patient(syntaxes) => raw_readings_at(piece, p, syntaxes).next().is_some(),
        };
        if holds {
            return true;
        }
        from = p + 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The search as it was, one signature at a time: what the one pass must agree with.
    fn by_each_signature(piece: &[u8]) -> bool {
        signatures().into_iter().any(|(pattern, sign)| {
            memchr::memmem::find_iter(piece, pattern).any(|p| match sign {
                Sign::Part10 => piece.get(p + 4..p + 6).is_none_or(|g| g == [0x02, 0x00]),
                Sign::Carved(kind) => container::carved_at(piece, p, kind).is_some(),
                Sign::Patient(syntaxes) => raw_readings_at(piece, p, syntaxes).next().is_some(),
            })
        })
    }

    #[test]
    fn no_signature_begins_another() {
        let all = signatures();
        for (i, (a, _)) in all.iter().enumerate() {
            for (j, (b, _)) in all.iter().enumerate() {
                assert!(i == j || !b.starts_with(a), "signature {i} begins signature {j}");
            }
        }
    }

    /// A made-up patient's name element, little endian, explicit VR: what a raw reading finds.
    const NAME_ELEMENT: &[u8] = b"\x10\x00\x10\x00PN\x0c\x00MADEUP^ZELDA";

    #[test]
    fn one_pass_finds_what_a_search_for_each_signature_finds() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let signs: Vec<&[u8]> = signatures().into_iter().map(|(p, _)| p).collect();
        let plants: Vec<&[u8]> = [
            &signs[..],
            &[
                NAME_ELEMENT,
                b"DICM\x02\x00",
                b"PK\x03\x04\x14\x00\x00\x00\x08\x00",
                b"\x10\x00\x10\x00\x20\x00",
            ],
        ]
        .concat();
        let (mut held, mut plain) = (0, 0);
        for round in 0..4000 {
            let len = 1 + (next() % 4096) as usize;
            // Noise, or 16-bit pixels of small values (their bytes hold element headers often).
            let mut piece: Vec<u8> = if round % 2 == 0 {
                (0..len).map(|_| next() as u8).collect()
            } else {
                (0..len).map(|i| if i % 2 == 0 { (next() % 0x40) as u8 } else { 0 }).collect()
            };
            for _ in 0..next() % 4 {
                let plant = plants[(next() % plants.len() as u64) as usize];
                let at = (next() % len as u64) as usize;
                let end = (at + plant.len()).min(len);
                piece[at..end].copy_from_slice(&plant[..end - at]);
            }
            let want = by_each_signature(&piece);
            assert_eq!(may_hold_a_file(&piece), want, "round {round}: {piece:02x?}");
            if want { held += 1 } else { plain += 1 }
        }
        assert!(held > 500 && plain > 500, "both answers tried: {held} holding, {plain} plain");
    }

    #[test]
    fn overlapping_signatures_are_each_looked_at() {
        // The name's tag (no text after it) overlaps the ID's tag, which has a value.
        let mut piece = vec![0xFFu8; 64];
        let id = b"\x10\x00\x10\x00\x20\x00LO\x08\x00MRN47119";
        piece[20..20 + id.len()].copy_from_slice(id);
        assert!(by_each_signature(&piece[..]) && may_hold_a_file(&piece));
    }
}

//! Burned-in text: what OCR reads in an image's pixels, and whether it identifies a patient.
//!
//! A line of text identifies when it holds one of the file's own identifying values (its
//! patient's name parts, IDs, accession number, birth date: [`Identity`], read from the header
//! before any scrub), or text of an identity's shape ([`shape::Strength::Pixels`]: labelled
//! fields, dates, ID-like digit runs, person-name forms). Values are compared as OCR misreads
//! them: upper case, and the letters OCR takes for digits folded with those digits (`O`/`0`,
//! `I`/`L`/`1`, `S`/`5`, `B`/`8`, `Z`/`2`).
//!
//! What OCR made of a frame is remembered only as its spots' shapes and boxes, keyed by the
//! BLAKE3 of the frame's pixels and the engine ([`Memo`]): never the text. A re-check of a frame
//! already read costs a hash; a file that still carries identifying values in its header is
//! read again, since its values are looked for in the text itself.

use dicom_core::Tag;
use dicom_dictionary_std::tags;
use serde::{Deserialize, Serialize};

use super::shape::{self, Shape, Strength};
use crate::ocr::{self, Box2, Frame, Line, OcrError, Prepare, Reader};

/// Other Patient IDs (0010,1000): retired, and still written.
const OTHER_PATIENT_IDS: Tag = Tag(0x0010, 0x1000);

/// The attributes whose values identify the patient, looked for in the pixels, at any depth.
pub const IDENTITY_TAGS: &[Tag] = &[
    tags::PATIENT_NAME,
    tags::OTHER_PATIENT_NAMES,
    tags::PATIENT_BIRTH_NAME,
    tags::PATIENT_MOTHER_BIRTH_NAME,
    tags::PATIENT_ID,
    OTHER_PATIENT_IDS,
    tags::ACCESSION_NUMBER,
    tags::PATIENT_BIRTH_DATE,
];

/// Name parts shorter than this are not looked for (too many words hold two letters).
const MIN_NAME_PART: usize = 3;
/// IDs shorter than this are not looked for.
const MIN_ID: usize = 4;

/// A patient's identifying values, folded as OCR reads them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Identity {
    names: Vec<Vec<u8>>,
    ids: Vec<Vec<u8>>,
    /// A birth date's renderings, as digits.
    dates: Vec<Vec<u8>>,
}

/// Upper case, with the letters OCR confuses with digits as those digits.
fn fold(b: u8) -> u8 {
    match b.to_ascii_uppercase() {
        b'O' | b'Q' => b'0',
        b'I' | b'L' | b'|' => b'1',
        b'S' => b'5',
        b'B' => b'8',
        b'Z' => b'2',
        c => c,
    }
}

fn folded(text: &[u8]) -> Vec<u8> {
    text.iter().filter(|b| b.is_ascii_alphanumeric()).map(|&b| fold(b)).collect()
}

impl Identity {
    pub fn is_empty(&self) -> bool {
        self.names.is_empty() && self.ids.is_empty() && self.dates.is_empty()
    }

    /// Notes the value of one of [`IDENTITY_TAGS`] (as its bytes; backslash-separated values).
    pub fn note(&mut self, tag: Tag, value: &[u8]) {
        for v in value.split(|&b| b == b'\\') {
            let v = v.trim_ascii_end();
            let v = v.strip_suffix(b"\0").unwrap_or(v);
            match tag {
                tags::PATIENT_ID | OTHER_PATIENT_IDS | tags::ACCESSION_NUMBER => {
                    let id = folded(v);
                    if id.len() >= MIN_ID && !self.ids.contains(&id) {
                        self.ids.push(id);
                    }
                }
                tags::PATIENT_BIRTH_DATE => self.note_date(v),
                _ => {
                    // Each part of the name (family, given, middle: between carets, spaces,
                    // commas, hyphens), alone.
                    for part in v.split(|b| !b.is_ascii_alphabetic()) {
                        let part = folded(part);
                        if part.len() >= MIN_NAME_PART && !self.names.contains(&part) {
                            self.names.push(part);
                        }
                    }
                }
            }
        }
    }

    /// A DA value's renderings: YYYYMMDD, DDMMYYYY, MMDDYYYY and the two-digit-year forms, with
    /// and without the leading zeros of day and month.
    fn note_date(&mut self, v: &[u8]) {
        let digits: Vec<u8> = v.iter().filter(|b| b.is_ascii_digit()).copied().collect();
        if digits.len() != 8 {
            return;
        }
        let (y, m, d) = (&digits[0..4], &digits[4..6], &digits[6..8]);
        let short = |p: &[u8]| -> Vec<u8> { if p[0] == b'0' { p[1..].to_vec() } else { p.to_vec() } };
        let mut forms = Vec::new();
        for (m, d) in [(m.to_vec(), d.to_vec()), (short(m), short(d))] {
            for year in [y, &y[2..]] {
                forms.push([year, &m, &d].concat());
                forms.push([&d[..], &m, year].concat());
                forms.push([&m[..], &d, year].concat());
            }
        }
        for f in forms {
            // Five digits or fewer match too much of any number.
            if f.len() >= 6 && !self.dates.contains(&f) {
                self.dates.push(f);
            }
        }
    }

    /// The identifying values in a data set, at any depth.
    pub fn of(obj: &dicom_object::InMemDicomObject) -> Identity {
        fn walk(obj: &dicom_object::InMemDicomObject, id: &mut Identity) {
            for e in obj.iter() {
                if let Some(items) = e.items() {
                    for item in items {
                        walk(item, id);
                    }
                } else if IDENTITY_TAGS.contains(&e.header().tag)
                    && let Ok(v) = e.value().to_str()
                {
                    id.note(e.header().tag, v.as_bytes());
                }
            }
        }
        let mut id = Identity::default();
        walk(obj, &mut id);
        id
    }

    pub fn extend(&mut self, other: &Identity) {
        for (mine, theirs) in
            [(&mut self.names, &other.names), (&mut self.ids, &other.ids), (&mut self.dates, &other.dates)]
        {
            for v in theirs {
                if !mine.contains(v) {
                    mine.push(v.clone());
                }
            }
        }
    }

    /// Which of the values `text` (one line) holds, if any.
    pub fn find(&self, text: &str) -> Option<&'static str> {
        let text = text.as_bytes();
        let words: Vec<Vec<u8>> = text.split(|b| !b.is_ascii_alphanumeric()).map(folded).collect();
        let all = folded(text);
        let contains = |hay: &[u8], needle: &[u8]| memchr::memmem::find(hay, needle).is_some();
        // A long name part anywhere in the line (OCR runs words together); a short one as a word.
        if self.names.iter().any(|n| words.contains(n) || (n.len() >= 5 && contains(&all, n))) {
            return Some("the patient's name");
        }
        if self.ids.iter().any(|id| contains(&all, id)) {
            return Some("the patient's ID or accession number");
        }
        // A date in digits, its separators left out; each run of digits and separators alone.
        let runs = text.split(|b| !(b.is_ascii_digit() || matches!(b, b'/' | b'.' | b'-' | b' ')));
        for run in runs {
            let digits: Vec<u8> = run.iter().filter(|b| b.is_ascii_digit()).copied().collect();
            if self.dates.iter().any(|d| contains(&digits, d)) {
                return Some("the patient's birth date");
            }
        }
        None
    }
}

/// OCR as the gate uses it: the engine, where to remember what it read, and values to look for
/// besides the file's own (the scrub's input's, when it checks its output).
pub struct Sight<'a> {
    pub reader: &'a dyn Reader,
    pub memo: Option<&'a dyn Memo>,
    pub also: Identity,
}

impl Sight<'static> {
    /// The Tesseract on `PATH` (looked for once a process), remembering nothing.
    pub fn system() -> Sight<'static> {
        static ENGINE: std::sync::OnceLock<ocr::tesseract::Tesseract> = std::sync::OnceLock::new();
        Sight {
            reader: ENGINE.get_or_init(ocr::tesseract::Tesseract::find),
            memo: None,
            also: Identity::default(),
        }
    }
}

impl<'a> Sight<'a> {
    /// The same engine, remembering in `memo`.
    pub fn with_memo(&self, memo: &'a dyn Memo) -> Sight<'a> {
        Sight { reader: self.reader, memo: Some(memo), also: self.also.clone() }
    }
}

/// Why OCR could not read, in a reason's words.
pub fn describe(e: &OcrError) -> &'static str {
    match e {
        OcrError::Missing(p) if p.ends_with("-eng") => {
            "the OCR engine's English model is not installed (tesseract-ocr-eng)"
        }
        OcrError::Missing(_) => "the OCR engine is not installed (tesseract-ocr)",
        OcrError::Failed(_) => "the OCR engine failed on it",
        OcrError::TimedOut(_) => "the OCR engine took too long on it",
    }
}

/// What OCR found in one frame, as remembered: where, and what shape. Never the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    pub area: Box2,
    pub shape: Shape,
}

/// Where a vault remembers what OCR read in frames it has seen.
pub trait Memo {
    fn recall(&self, key: &[u8; 32]) -> Option<Vec<Seen>>;
    fn remember(&self, key: [u8; 32], seen: &[Seen]);
}

/// A line of text in a frame that identifies: the frame (0-based), its box, what it held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spot {
    pub frame: u32,
    pub area: Box2,
    pub detail: &'static str,
}

/// What changes how a frame is read: a new value here makes every memo key new.
const READING: &str = "vault burned-in reading 6";

fn key(engine: &str, prepare: Prepare, frame: &Frame) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    h.update(READING.as_bytes());
    h.update(engine.as_bytes());
    if prepare != Prepare::DEFAULT {
        // Read otherwise, remembered apart (the memo of default readings stays as it was).
        h.update(format!("{prepare:?}").as_bytes());
    }
    for g in std::iter::once(&frame.gray).chain(&frame.chroma).chain(&frame.hue) {
        h.update(&g.width.to_le_bytes());
        h.update(&g.height.to_le_bytes());
        h.update(&g.pixels);
    }
    *h.finalize().as_bytes()
}

/// A line's text with the letters OCR reads for digits, inside words that are mostly digits,
/// turned to the digits (`4/14/2O20`, `O0047431395`), so that dates and numbers keep their shape.
fn as_digits(text: &str) -> String {
    text.split(' ')
        .map(|w| {
            let digits = w.bytes().filter(u8::is_ascii_digit).count();
            let letters = w.bytes().filter(u8::is_ascii_alphabetic).count();
            if digits >= 2 && digits >= letters {
                w.chars()
                    .map(|c| match c {
                        'O' | 'o' | 'Q' | 'D' => '0',
                        'I' | 'l' | 'L' | '|' | 'i' => '1',
                        'S' | 's' => '5',
                        'B' => '8',
                        'Z' | 'z' => '2',
                        c => c,
                    })
                    .collect()
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A line's text with a caret OCR read as a capital A put back: a word that is a capitalised
/// word of three letters or more, `A`, and another (`NotrealASage`) is `Notreal^Sage`. Not after
/// an `m` (`SmartmA`, milliamperes). Two words run together round a lone A (`PlaneASagittal`)
/// read the same, and are taken for a name: a refusal, never a pass.
fn caret_as_a(text: &str) -> Option<String> {
    let mut changed = false;
    let words: Vec<String> = text
        .split(' ')
        .map(|w| {
            let c: Vec<char> = w.chars().collect();
            let capitalised = |part: &[char]| {
                part.len() >= 3 && part[0].is_uppercase() && part[1..].iter().all(|c| c.is_lowercase())
            };
            let at = (3..c.len().saturating_sub(3)).find(|&i| {
                c[i] == 'A' && c[i - 1] != 'm' && capitalised(&c[..i]) && capitalised(&c[i + 1..])
            });
            match at {
                Some(i) => {
                    changed = true;
                    format!("{}^{}", c[..i].iter().collect::<String>(), c[i + 1..].iter().collect::<String>())
                }
                None => w.to_string(),
            }
        })
        .collect();
    changed.then(|| words.join(" "))
}

/// The identity shape of a line of text OCR read, if it has one.
pub fn line_shape(line: &Line) -> Option<Shape> {
    let text = line.text();
    shape::find(text.as_bytes(), Strength::Pixels)
        .or_else(|| shape::find(as_digits(&text).as_bytes(), Strength::Pixels))
        .or_else(|| shape::find(caret_as_a(&text)?.as_bytes(), Strength::Pixels))
}

/// The identity-shaped lines of one frame's text.
fn shapes(lines: &[Line]) -> Vec<Seen> {
    lines.iter().filter_map(|l| Some(Seen { area: l.area(), shape: line_shape(l)? })).collect()
}

/// Reads each frame (the sampled frames of one image) as vault prepares frames for OCR.
pub fn read_lines(frames: &[(u32, Frame)], reader: &dyn Reader) -> Result<Vec<Vec<Line>>, OcrError> {
    let frames: Vec<&Frame> = frames.iter().map(|(_, f)| f).collect();
    ocr::read(reader, &frames, Prepare::DEFAULT, &|l| line_shape(l).is_some())
}

/// The lines in `frames` that identify: that hold a value of `identity`, or text of an
/// identity's shape. What the memo remembers of a frame is used where `identity` is empty (it
/// remembers shapes, not text); every frame read now is remembered.
pub fn spots(
    frames: &[(u32, Frame)],
    identity: &Identity,
    sight: &Sight<'_>,
    prepare: Prepare,
) -> Result<Vec<Spot>, OcrError> {
    let engine = sight.reader.engine()?;
    let keys: Vec<[u8; 32]> = frames.iter().map(|(_, g)| key(&engine, prepare, g)).collect();
    let spot = |frame: u32, s: &Seen| Spot { frame, area: s.area, detail: s.shape.describe() };
    let mut out = Vec::new();
    let mut unread = Vec::new();
    for (i, (frame, _)) in frames.iter().enumerate() {
        let memo = sight.memo.filter(|_| identity.is_empty());
        match memo.and_then(|m| m.recall(&keys[i])) {
            Some(seen) => out.extend(seen.iter().map(|s| spot(*frame, s))),
            None => unread.push(i),
        }
    }
    let unread_frames: Vec<&Frame> = unread.iter().map(|&i| &frames[i].1).collect();
    // Settled by its shape alone, not by this file's values: what is read here is remembered
    // for the same pixels under a header with no values left, where the second look at a line
    // that held a value must have been taken.
    let read = ocr::read(sight.reader, &unread_frames, prepare, &|l| line_shape(l).is_some())?;
    for (&i, lines) in unread.iter().zip(read) {
        let frame = frames[i].0;
        let seen = shapes(&lines);
        if let Some(memo) = sight.memo {
            memo.remember(keys[i], &seen);
        }
        for line in &lines {
            if let Some(detail) = identity.find(&line.text()) {
                out.push(Spot { frame, area: line.area(), detail });
            }
        }
        out.extend(seen.iter().map(|s| spot(frame, s)));
    }
    // One spot for one text read in several renderings: the finest of those that overlap (a
    // reading from afar boxes two lines in one, and would hide what each says).
    out.sort_by_key(|s| {
        (s.frame, u64::from(s.area.width) * u64::from(s.area.height), s.area.y, s.area.x, s.detail)
    });
    let mut kept: Vec<Spot> = Vec::new();
    for s in out {
        if !kept.iter().any(|k| k.frame == s.frame && k.area.overlaps(s.area)) {
            kept.push(s);
        }
    }
    kept.sort_by_key(|s| (s.frame, s.area.y, s.area.x, s.detail));
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity() -> Identity {
        let mut id = Identity::default();
        id.note(tags::PATIENT_NAME, b"MADEUP^PERSONA^Q");
        id.note(tags::PATIENT_ID, b"MU12345 ");
        id.note(tags::PATIENT_BIRTH_DATE, b"19700314");
        id
    }

    #[test]
    fn own_values_are_found_as_ocr_reads_them() {
        let id = identity();
        assert_eq!(id.find("ZZ MADEUP,PERSONA 4:48 PM"), Some("the patient's name"));
        assert_eq!(id.find("Pt: PERS0NA"), Some("the patient's name"), "O read as 0");
        assert_eq!(id.find("MADEUPPERSONA"), Some("the patient's name"), "words run together");
        assert_eq!(id.find("ID MU 12345"), Some("the patient's ID or accession number"));
        assert_eq!(id.find("14/3/1970"), Some("the patient's birth date"));
        assert_eq!(id.find("03.14.70"), Some("the patient's birth date"));
        assert_eq!(id.find("Liver Sag 16cm 2D 63%"), None);
        assert_eq!(id.find("Q"), None, "a one-letter part is not looked for");
    }

    #[test]
    fn ocr_digits_read_as_letters_keep_a_dates_shape() {
        assert_eq!(as_digits("4/14/2O2O 12:09"), "4/14/2020 12:09");
        assert_eq!(as_digits("SOLO 2D"), "SOLO 2D");
        // A capital L read for a 1 in an ID (Hosp No: MU1416502): the number keeps its run.
        assert_eq!(as_digits("Hosp Not MUL416502"), "Hosp Not MU1416502");
        let line = |t: &str| Line {
            words: t
                .split(' ')
                .map(|w| ocr::Word {
                    text: w.into(),
                    area: Box2 { x: 0, y: 0, width: 1, height: 1 },
                    confidence: 90.0,
                })
                .collect(),
        };
        assert!(line_shape(&line("Hosp Not MUL416502")).is_some());
        assert!(line_shape(&line("LEVEL 12")).is_none(), "a word mostly letters keeps its L");
    }

    #[test]
    fn a_caret_read_as_a_capital_a_is_a_caret() {
        assert_eq!(caret_as_a("NotrealASage 12cm").as_deref(), Some("Notreal^Sage 12cm"));
        let line = |t: &str| Line {
            words: vec![ocr::Word {
                text: t.into(),
                area: Box2 { x: 0, y: 0, width: 1, height: 1 },
                confidence: 90.0,
            }],
        };
        assert!(line_shape(&line("NotrealASage")).is_some());
        // Device words with a capital A keep it: none is lower-case, A, then a capitalised word.
        for word in [
            "SagAx",
            "TGC",
            "AUTO",
            "ApexAxial",
            "Area",
            "PWR",
            "LtACCA",
            "CAROTID",
            "SmartmANoise",
            "ooAThe",
        ] {
            assert_eq!(caret_as_a(word), None, "{word}");
        }
        assert!(line_shape(&line("ApexAxial")).is_none());
    }

    /// An engine that reads one half-read line in every rendering, and the line whole on a
    /// second look's sheet.
    struct HalfRead;

    fn words(texts: &[&str], x: u32, y: u32) -> Line {
        let words = texts.iter().enumerate().map(|(i, t)| ocr::Word {
            text: (*t).into(),
            area: Box2 { x: x + 45 * i as u32, y, width: 40, height: 12 },
            confidence: 90.0,
        });
        Line { words: words.collect() }
    }

    impl Reader for HalfRead {
        fn engine(&self) -> Result<String, OcrError> {
            Ok("half-read".into())
        }
        fn lines(&self, _: &ocr::Gray) -> Result<Vec<Line>, OcrError> {
            Ok(vec![words(&["MADEUP", "Hosp", "Noi1E", "33362"], 10, 10)])
        }
        fn sheet_lines(&self, _: &ocr::Gray) -> Result<Vec<Line>, OcrError> {
            let gap = ocr::second::GAP;
            Ok(vec![words(&["Hosp", "No:", "1556333"], gap + 3, gap + 3)])
        }
    }

    #[derive(Default)]
    struct Remembered(std::sync::Mutex<Vec<([u8; 32], Vec<Seen>)>>);

    impl Memo for Remembered {
        fn recall(&self, key: &[u8; 32]) -> Option<Vec<Seen>> {
            self.0.lock().unwrap().iter().find(|(k, _)| k == key).map(|(_, s)| s.clone())
        }
        fn remember(&self, key: [u8; 32], seen: &[Seen]) {
            self.0.lock().unwrap().push((key, seen.to_vec()));
        }
    }

    #[test]
    fn a_line_that_held_the_files_own_value_is_looked_at_again_before_it_is_remembered() {
        // The first reading holds the patient's name, and an ID read half; the second look reads
        // the ID whole. Remembered with the name's header, the frame must still show the ID when
        // the same pixels come again under a header with no values left.
        assert!(line_shape(&words(&["MADEUP", "Hosp", "Noi1E", "33362"], 0, 0)).is_none());
        let frames = [(0u32, Frame::grey(ocr::Gray::new(400, 60, vec![128; 24_000])))];
        let memo = Remembered::default();
        let sight = Sight { reader: &HalfRead, memo: Some(&memo), also: Identity::default() };
        let first = spots(&frames, &identity(), &sight, Prepare::DEFAULT).unwrap();
        assert!(!first.is_empty());
        let again = spots(&frames, &Identity::default(), &sight, Prepare::DEFAULT).unwrap();
        assert!(
            again.iter().any(|s| s.detail == Shape::LabelledField.describe()),
            "the memo kept the second look's ID: {again:?}"
        );
    }
}

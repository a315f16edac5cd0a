//! The gate's law: a data set is accepted only when it conforms to the vault policy's
//! de-identification profile — DICOM PS3.15 Annex E's basic profile and the options the policy
//! allows and the file declares.
//!
//! Every element at every depth is judged by its tag, whatever VR the file gives it (the
//! dictionary's VR decides what the value is; a file that writes a name as LO or UN has still
//! written a name):
//!
//! - what the profile removes, empties or replaces by a dummy holds no value, or a dummy;
//! - a UID the profile replaces is a replaced one (`2.25.` and a number: the form `vault scrub`
//!   writes, which carries no organisation's root), unless the Retain UIDs option is in force;
//! - what the profile keeps is kept only if its value has its VR's form and no identity-shaped
//!   text (`shape`), and free text only under Clean Descriptors, without identity-shaped text;
//! - private elements only where the policy's safe-private list names them, under Retain Safe
//!   Private; an attribute the dictionary does not know, never;
//! - an option counts when the policy allows it and the file declares it in its
//!   DeidentificationMethodCodeSequence (patient ID and accession number: the policy alone);
//! - a tag twice in one data set, or out of order, is malformed: readers disagree on it.
//!
//! The law is a [`Visitor`] of the element reader (`scan`), so it sees the file as encoded.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use dicom_core::dictionary::{DataDictionary, DataDictionaryEntry};
use dicom_core::{Tag, VR};
use dicom_dictionary_std::{StandardDataDictionary, tags};

use super::burned::{IDENTITY_TAGS, Identity};
use super::pixels;
use super::profile::{Action, Profile, Retain};
use super::scan::{self, Element, Oddity, Visitor, trim};
use super::shape::{self, Strength};
use super::{Policy, Reason};

/// SOP classes whose images usually carry burned-in patient data: ultrasound, nuclear
/// medicine, and the secondary-capture family (screen captures). Where OCR is off, the header
/// alone refuses them unless they say BurnedInAnnotation NO.
const BURNED_IN_SOP_CLASSES: &[&[u8]] = &[
    b"1.2.840.10008.5.1.4.1.1.6.1", // Ultrasound Image
    b"1.2.840.10008.5.1.4.1.1.6",   // Ultrasound Image (retired)
    b"1.2.840.10008.5.1.4.1.1.3.1", // Ultrasound Multi-frame Image
    b"1.2.840.10008.5.1.4.1.1.3",   // Ultrasound Multi-frame Image (retired)
    b"1.2.840.10008.5.1.4.1.1.20",  // Nuclear Medicine Image
    b"1.2.840.10008.5.1.4.1.1.7",   // Secondary Capture Image
    b"1.2.840.10008.5.1.4.1.1.7.1", // Multi-frame Single Bit Secondary Capture
    b"1.2.840.10008.5.1.4.1.1.7.2", // Multi-frame Grayscale Byte Secondary Capture
    b"1.2.840.10008.5.1.4.1.1.7.3", // Multi-frame Grayscale Word Secondary Capture
    b"1.2.840.10008.5.1.4.1.1.7.4", // Multi-frame True Color Secondary Capture
];
const BURNED_IN_MODALITIES: &[&[u8]] = &[b"US", b"NM"];

/// Modalities whose original slices OCR does not read unless the policy asks: cross-sections
/// reconstructed by the scanner, grey, with no text in their pixels.
const CROSS_SECTIONS: &[&[u8]] = &[b"CT", b"MR", b"PT"];

/// At most this many reasons are kept for one file (the first ones; the file is refused).
const MAX_REASONS: usize = 64;
/// Letters and digits after a frame's pixels that make text, however spread (a pad byte or a
/// writer's stray bytes hold few).
const SLACK_LETTERS: usize = 8;

/// The basic profile, and the basic profile with each option alone: to tell which option
/// would let an element stay.
struct Profiles {
    basic: Profile,
    with: Vec<(Retain, Profile)>,
}

fn profiles() -> &'static Profiles {
    static P: OnceLock<Profiles> = OnceLock::new();
    P.get_or_init(|| Profiles {
        basic: Profile::new(&[]),
        with: Retain::ALL.iter().map(|&o| (o, Profile::new(&[o]))).collect(),
    })
}

pub fn tag_text(tag: Tag) -> String {
    format!("({:04X},{:04X})", tag.group(), tag.element())
}

pub fn keyword(tag: Tag) -> String {
    StandardDataDictionary
        .by_tag(tag)
        .map(|e| e.alias().to_string())
        .unwrap_or_else(|| if tag.group() % 2 == 1 { "(private)".into() } else { "(unknown)".into() })
}

/// Why an element does not conform.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Problem {
    /// It holds a value where the profile leaves none (or only a dummy).
    HasValue,
    UidNotReplaced,
    IdentityInText(shape::Shape),
    NotItsVr,
}

/// One thing found, before the options the file declares are known.
#[derive(Clone, Debug)]
struct Finding {
    reason: Reason,
    /// Each option under which the element is judged otherwise, and how it fares there: the
    /// options the file declares are known only at the end.
    alternatives: Vec<(Retain, Result<(), Problem>)>,
    /// A value that reads as text of a person's: counts even in a partial reading.
    strong: bool,
    /// To name the rule again under an option.
    tag: Tag,
    vr: VR,
    named: bool,
}

/// Facts about the top level, for the burned-in rules.
#[derive(Default)]
struct Facts {
    burned_in: Option<Vec<u8>>,
    modality: Option<Vec<u8>>,
    sop_class: Option<Vec<u8>>,
    image_type: Option<Vec<u8>>,
    photometric: Option<Vec<u8>>,
    pixels: bool,
    /// The size of native pixel data ([`pixels::GEOMETRY`]).
    geometry: [Option<u64>; 5],
}

/// A number as a header gives it: US (either byte order), or text (IS, or any number in DICOM
/// JSON and XML).
fn header_number(e: &Element<'_>) -> Option<u64> {
    if e.text || e.tag == tags::NUMBER_OF_FRAMES {
        return std::str::from_utf8(trim(e.value)).ok()?.trim().parse().ok();
    }
    let two: [u8; 2] = e.value.get(..2)?.try_into().ok()?;
    Some(u64::from(if e.big_endian { u16::from_be_bytes(two) } else { u16::from_le_bytes(two) }))
}

/// One level of nesting: the sequence that holds it and the private blocks it reserves.
struct Level {
    tag: Tag,
    keyword: String,
    index: usize,
    /// Private creators of this item: (group, block) → creator.
    creators: Vec<((u16, u8), Vec<u8>)>,
    /// The sequence may have no items (the profile removes or empties it).
    must_be_empty: bool,
}

/// The law, as a visitor: collects findings while a reading goes.
pub struct Law<'p> {
    policy: &'p Policy,
    findings: Vec<Finding>,
    levels: Vec<Level>,
    /// Top-level creators.
    creators: Vec<((u16, u8), Vec<u8>)>,
    /// Set while inside a sequence that is refused whole: the depth it starts at.
    refused_from: Option<usize>,
    declared: BTreeSet<Retain>,
    facts: Facts,
    /// The patient's identifying values, to look for in the pixels.
    pub identity: Identity,
    /// Elements judged.
    pub elements: usize,
    /// Top-level elements that look like a data set's: distinct tags the dictionary knows (not
    /// group lengths), each with the VR the dictionary gives it (or UN, or none in implicit VR),
    /// in whatever order (readers read unsorted data sets). Bytes that only happen to parse as
    /// elements (zeros, an executable, a compiled Python file) score none or one; a data set,
    /// however it starts, scores on.
    pub known: usize,
    /// The tags that scored.
    scored: Vec<Tag>,
    /// A reading other than the file's own gives up after this many elements with none scored.
    patience: Option<usize>,
}

fn text_vr(vr: VR) -> bool {
    matches!(vr, VR::AE | VR::CS | VR::LO | VR::LT | VR::SH | VR::ST | VR::UC | VR::UT | VR::PN | VR::UR)
}

/// Values of these VRs are numbers: a dummy is zero.
fn binary_vr(vr: VR) -> bool {
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
fn is_dummy(vr: VR, component: &[u8], policy: &Policy) -> bool {
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
fn trim_name(v: &[u8]) -> &[u8] {
    let v = trim(v);
    let start = v.iter().position(|&b| !matches!(b, b'^' | b'=' | b' ')).unwrap_or(v.len());
    let end = v.iter().rposition(|&b| !matches!(b, b'^' | b'=' | b' ')).map_or(start, |i| i + 1);
    &v[start..end.max(start)]
}

/// True when the value is no value: empty, or a dummy in every component.
fn blank(vr: VR, value: &[u8], policy: &Policy) -> bool {
    if binary_vr(vr) && !(vr == VR::UN && value.iter().all(|&b| b.is_ascii_graphic() || b == b' ')) {
        return value.iter().all(|&b| b == 0) || trim(value) == b"0";
    }
    value.split(|&b| b == b'\\').all(|c| is_dummy(vr, c, policy))
}

/// True when every component has the form its VR allows (where the VR is a strict one).
fn has_its_form(vr: VR, value: &[u8]) -> bool {
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
fn replaced_uid(component: &[u8]) -> bool {
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
fn text_in_uuid(bytes: [u8; 16]) -> bool {
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
fn readable(value: &[u8]) -> bool {
    let t = trim(value);
    t.iter().filter(|b| b.is_ascii_alphanumeric()).count() >= 2
        && t.iter().all(|&b| b.is_ascii_graphic() || b == b' ' || b >= 0x80)
}

impl<'p> Law<'p> {
    pub fn new(policy: &'p Policy) -> Law<'p> {
        Law {
            policy,
            findings: Vec::new(),
            levels: Vec::new(),
            creators: Vec::new(),
            refused_from: None,
            declared: BTreeSet::new(),
            facts: Facts::default(),
            identity: Identity::default(),
            elements: 0,
            known: 0,
            scored: Vec::new(),
            patience: None,
        }
    }

    /// The law for a reading other than the file's own: one that gives up after `elements`
    /// elements none of which looked like a data set's.
    pub fn with_patience(policy: &'p Policy, elements: usize) -> Law<'p> {
        Law { patience: Some(elements), ..Law::new(policy) }
    }

    fn location(&self) -> String {
        self.levels.iter().map(|l| format!("{}[{}]/", l.keyword, l.index)).collect()
    }

    fn find(
        &mut self,
        rule: &'static str,
        tag: Tag,
        option: Option<Retain>,
        strong: bool,
        detail: Option<&'static str>,
    ) {
        let alternatives = option.map(|o| vec![(o, Ok(()))]).unwrap_or_default();
        self.find_with(rule, tag, alternatives, strong, detail, (VR::UN, false));
    }

    fn find_with(
        &mut self,
        rule: &'static str,
        tag: Tag,
        alternatives: Vec<(Retain, Result<(), Problem>)>,
        strong: bool,
        detail: Option<&'static str>,
        (vr, named): (VR, bool),
    ) {
        if self.findings.len() >= MAX_REASONS {
            return;
        }
        let reason = Reason {
            rule,
            tag: tag_text(tag),
            keyword: keyword(tag),
            location: self.location(),
            detail: detail.unwrap_or_default(),
            option: None,
            region: None,
        };
        self.findings.push(Finding { reason, alternatives, strong, tag, vr, named });
    }

    fn refused_here(&self) -> bool {
        self.refused_from.is_some_and(|d| self.levels.len() >= d)
    }

    fn creators_mut(&mut self) -> &mut Vec<((u16, u8), Vec<u8>)> {
        match self.levels.last_mut() {
            Some(l) => &mut l.creators,
            None => &mut self.creators,
        }
    }

    fn creator_of(&self, group: u16, block: u8) -> Option<&[u8]> {
        let creators = self.levels.last().map_or(&self.creators, |l| &l.creators);
        creators.iter().find(|(k, _)| *k == (group, block)).map(|(_, c)| c.as_slice())
    }

    /// Whether a value conforms under an action.
    fn judge(&self, tag: Tag, action: Action, vr: VR, value: &[u8]) -> Result<(), Problem> {
        let components = || value.split(|&b| b == b'\\');
        match action {
            Action::Keep => {
                if !has_its_form(vr, value) {
                    return Err(Problem::NotItsVr);
                }
                if text_vr(vr)
                    && let Some(s) = components().find_map(|c| shape::find(c, Strength::Labels))
                {
                    return Err(Problem::IdentityInText(s));
                }
                Ok(())
            }
            Action::Remove | Action::Zero | Action::Dummy => {
                if blank(vr, value, self.policy) {
                    Ok(())
                } else {
                    Err(Problem::HasValue)
                }
            }
            Action::Uid => {
                if components().all(replaced_uid) {
                    Ok(())
                } else {
                    Err(Problem::UidNotReplaced)
                }
            }
            // A file's path in a DICOMDIR is numbered by its writer (IM000001): names and labels
            // are what identify there.
            Action::Clean => match components().find_map(|c| {
                let strength =
                    if tag == tags::REFERENCED_FILE_ID { Strength::Paths } else { Strength::FreeText };
                shape::find(c, strength)
            }) {
                Some(s) => Err(Problem::IdentityInText(s)),
                None => Ok(()),
            },
            Action::Shift => {
                if has_its_form(vr, value) {
                    Ok(())
                } else {
                    Err(Problem::NotItsVr)
                }
            }
        }
    }

    fn rule(problem: Problem, tag: Tag, vr: VR, named: bool) -> (&'static str, Option<&'static str>) {
        match problem {
            Problem::HasValue if tag == tags::PATIENT_ID => ("patient-id", None),
            Problem::HasValue if tag == tags::ACCESSION_NUMBER => ("accession-number", None),
            Problem::HasValue if named => ("identifying-attribute", None),
            Problem::HasValue if dicom_dictionary_std::StandardDataDictionary.by_tag(tag).is_none() => {
                ("unknown-attribute", None)
            }
            Problem::HasValue if vr == VR::PN => ("person-name", None),
            Problem::HasValue => ("free-text", None),
            Problem::UidNotReplaced => ("uid-not-replaced", None),
            Problem::IdentityInText(s) => ("identity-in-text", Some(s.describe())),
            Problem::NotItsVr => ("value-not-its-vr", None),
        }
    }

    /// An element whose form is wrong for its tag, whatever the profile does with it: a group
    /// length that is not four bytes; pixel data written as text; a value the file writes as
    /// text (or as a name) where the dictionary has a number or a sequence — a reader shows the
    /// text, the law would read a number.
    fn misshapen(&self, e: &Element<'_>, known: Option<VR>) -> Option<Problem> {
        if e.tag.element() == 0x0000 {
            return (!e.value.is_empty() && e.value.len() != 4).then_some(Problem::NotItsVr);
        }
        let declared = e.vr?;
        if matches!(e.tag, tags::PIXEL_DATA | Tag(0x7FE0, 0x0008) | Tag(0x7FE0, 0x0009)) {
            let pixels = matches!(declared, VR::OB | VR::OW | VR::OF | VR::OD | VR::OL | VR::UN);
            return (!pixels).then_some(Problem::NotItsVr);
        }
        let known = known?;
        if declared == known || declared == VR::UN || blank(declared, e.value, self.policy) {
            return None;
        }
        if declared == VR::PN {
            return Some(Problem::HasValue);
        }
        (text_vr(declared) && !text_vr(known)).then_some(Problem::NotItsVr)
    }

    fn standard(&mut self, e: &Element<'_>) {
        let tag = e.tag;
        let known = scan::dictionary_vr(tag);
        if let Some(problem) = self.misshapen(e, known) {
            let vr = e.vr.unwrap_or(VR::UN);
            let (rule, detail) = Self::rule(problem, tag, vr, false);
            self.find_with(rule, tag, vec![], readable(e.value), detail, (vr, false));
            return;
        }
        // Text the file writes with another text VR than the dictionary's is judged as both.
        if let (Some(declared), Some(k)) = (e.vr, known)
            && declared != k
            && text_vr(declared)
            && text_vr(k)
            && let Err(problem) = self.judge(tag, Action::Keep, declared, e.value)
        {
            let (rule, detail) = Self::rule(problem, tag, declared, false);
            self.find_with(rule, tag, vec![], readable(e.value), detail, (declared, false));
        }
        let vr = known.or(e.vr).unwrap_or(VR::UN);
        let p = profiles();
        let action = p.basic.action(tag, vr);
        let Err(problem) = self.judge(tag, action, vr, e.value) else { return };
        // How it fares under each option that acts on it otherwise.
        let alternatives: Vec<(Retain, Result<(), Problem>)> = p
            .with
            .iter()
            .filter_map(|(o, profile)| {
                let a = profile.action(tag, vr);
                (a != action).then(|| (*o, self.judge(tag, a, vr, e.value)))
            })
            .collect();
        let named = p.basic.named(tag);
        let (rule, detail) = Self::rule(problem, tag, vr, named);
        // In a partial reading only what a reader would show as a person's text counts: a
        // value of a known attribute that names, dates or numbers someone.
        let strong = readable(e.value)
            && matches!(
                rule,
                "identifying-attribute"
                    | "person-name"
                    | "patient-id"
                    | "accession-number"
                    | "identity-in-text"
                    | "free-text"
            );
        self.find_with(rule, tag, alternatives, strong, detail, (vr, named));
    }

    /// The safe-private entry that names this element, if any.
    fn listed(&self, tag: Tag) -> bool {
        let (group, element) = (tag.group(), tag.element());
        let (block, low) = match element {
            0x0010..=0x00FF => (element as u8, None),
            e if e >= 0x1000 => ((e >> 8) as u8, Some((e & 0xFF) as u8)),
            _ => return false,
        };
        let Some(creator) = self.creator_of(group, block) else { return false };
        let creator = trim(creator);
        self.policy.safe_private.iter().any(|s| {
            s.group == group && s.creator.as_bytes() == creator && low.is_none_or(|l| l == s.element)
        })
    }

    fn private(&mut self, e: &Element<'_>) {
        let tag = e.tag;
        if tag.element() == 0x0000 {
            // A group length: four bytes, a number, nothing else.
            if !e.value.is_empty() && e.value.len() != 4 {
                self.find("value-not-its-vr", tag, None, readable(e.value), None);
            }
            return;
        }
        if (0x0010..=0x00FF).contains(&tag.element()) {
            let creator = e.value.to_vec();
            self.creators_mut().push(((tag.group(), tag.element() as u8), creator));
        }
        let strong = readable(e.value);
        if !self.listed(tag) {
            self.find("private-element", tag, None, strong, None);
            return;
        }
        let text = e.vr.is_none_or(text_vr) || e.vr == Some(VR::UN);
        if text && let Some(s) = shape::find(e.value, Strength::FreeText) {
            self.find("identity-in-text", tag, None, strong, Some(s.describe()));
            return;
        }
        self.find("private-element", tag, Some(Retain::SafePrivate), false, None);
    }

    /// Native pixel data longer than its frames (and the byte that pads them to even length)
    /// has bytes no viewer shows and any reader can take out: refused when they hold text.
    fn slack(&mut self, e: &Element<'_>) {
        let Some(frames) = pixels::native_len(self.facts.geometry) else { return };
        let slack = usize::try_from(frames).ok().and_then(|f| e.value.get(f..)).unwrap_or_default();
        // Text however it is spread: a run, UTF-16, letters between control bytes.
        let letters = slack.iter().filter(|b| b.is_ascii_alphanumeric()).count();
        if self.levels.is_empty()
            && (super::longest_text(slack) >= super::HIDDEN_TEXT || letters >= SLACK_LETTERS)
        {
            self.find("hidden-text", e.tag, None, true, Some("text after the last frame's pixels"));
        }
    }

    /// A binary value (a LUT, a list of numbers, data after the pixels) holds numbers: a run of
    /// text in it with a labelled field's shape (`Name:`, `DOB 03/02/1971`, `MRN4711913`) is
    /// identity a `strings` shows. Only that shape: a LUT's ramp writes `00112233…` (a digit
    /// run), and a segmented LUT of pydicom's test files holds a name's shape by chance
    /// (`gdcm-US-ALOKA-16.dcm`). Not pixel data: OCR reads that.
    fn text_in_binary(&mut self, e: &Element<'_>) {
        let vr = e.vr.or_else(|| scan::dictionary_vr(e.tag));
        let pixels = matches!(e.tag, tags::PIXEL_DATA | Tag(0x7FE0, 0x0008) | Tag(0x7FE0, 0x0009));
        if pixels || !vr.is_some_and(binary_vr) || e.value.len() < super::HIDDEN_TEXT {
            return;
        }
        let shaped = e
            .value
            .split(|b| !(b.is_ascii_graphic() || *b == b' '))
            .filter(|run| run.len() >= super::HIDDEN_TEXT)
            .any(shape::labelled);
        if shaped {
            self.find("identity-in-text", e.tag, None, true, Some(shape::Shape::LabelledField.describe()));
        }
    }

    /// Scores a top-level element (see [`Law::known`]): one with a value, outside the command
    /// group (whose small tags, (0000,0100) and the like, binaries are full of).
    fn score(&mut self, tag: Tag, vr: Option<VR>, len: usize) {
        // Cheap tests first: most elements of a file score nothing past its first few.
        if self.known >= 16 || len == 0 || tag.group() == 0x0000 || tag.element() == 0x0000 {
            return;
        }
        let Some(known) = scan::dictionary_vr(tag) else { return };
        let fits = vr.is_none_or(|v| v == known || v == VR::UN);
        let shaped =
            tag.element() != 0x0000 && tag.group().is_multiple_of(2) && tag.group() != 0x0000 && len > 0;
        if shaped && fits && !self.scored.contains(&tag) && self.known < 16 {
            self.known += 1;
            self.scored.push(tag);
        }
    }

    /// Top-level facts and declared options, noted whatever else happens.
    fn note(&mut self, e: &Element<'_>) {
        if IDENTITY_TAGS.contains(&e.tag) {
            // A dummy (ANONYMIZED, REMOVED…) is no one's value: looking for it in the pixels
            // would only stop the memory of what OCR saw from being used.
            for v in e.value.split(|&b| b == b'\\') {
                if !self.policy.is_blank(&String::from_utf8_lossy(v)) {
                    self.identity.note(e.tag, v);
                }
            }
        }
        let value = || Some(trim(e.value).to_vec());
        match self.levels.len() {
            0 => match e.tag {
                tags::BURNED_IN_ANNOTATION if self.facts.burned_in.is_none() => {
                    self.facts.burned_in = value()
                }
                tags::MODALITY if self.facts.modality.is_none() => self.facts.modality = value(),
                tags::SOP_CLASS_UID if self.facts.sop_class.is_none() => self.facts.sop_class = value(),
                tags::IMAGE_TYPE if self.facts.image_type.is_none() => self.facts.image_type = value(),
                tags::PHOTOMETRIC_INTERPRETATION if self.facts.photometric.is_none() => {
                    self.facts.photometric = value()
                }
                tags::PIXEL_DATA | Tag(0x7FE0, 0x0008) | Tag(0x7FE0, 0x0009) => self.facts.pixels = true,
                t => {
                    if let Some(i) = pixels::GEOMETRY.iter().position(|&g| g == t) {
                        self.facts.geometry[i] = header_number(e);
                    }
                }
            },
            1 if self.levels[0].tag == tags::DEIDENTIFICATION_METHOD_CODE_SEQUENCE
                && e.tag == tags::CODE_VALUE =>
            {
                if let Some(o) = Retain::from_code(trim(e.value)) {
                    self.declared.insert(o);
                }
            }
            _ => {}
        }
    }

    /// The header's burned-in rules. A file that says its pixels carry patient data
    /// (BurnedInAnnotation YES) is refused. Where OCR is off, so is an image of a class that
    /// usually does (ultrasound, nuclear medicine, secondary capture, screen saves) unless it
    /// says NO; where OCR is on, the pixels of those are read instead ([`Law::needs_ocr`]).
    fn burned_in(&mut self) {
        if !self.policy.refuse_burned_in || !self.facts.pixels {
            return;
        }
        let f = &self.facts;
        match f.burned_in.as_deref().map(|v| v.to_ascii_uppercase()).as_deref() {
            Some(b"YES") => {
                // Said whatever else was found: make room for it when the list is full.
                self.findings.truncate(MAX_REASONS - 1);
                self.find("burned-in-annotation", tags::BURNED_IN_ANNOTATION, None, false, None)
            }
            Some(b"NO") => {}
            _ if self.policy.ocr => {}
            _ => {
                let sop = f.sop_class.as_deref().map(|s| s.strip_suffix(b"\0").unwrap_or(s));
                let screen = f
                    .image_type
                    .as_deref()
                    .is_some_and(|t| t.to_ascii_uppercase().windows(11).any(|w| w == b"SCREEN SAVE"));
                if f.modality.as_deref().is_some_and(|m| BURNED_IN_MODALITIES.contains(&m))
                    || sop.is_some_and(|s| BURNED_IN_SOP_CLASSES.contains(&s))
                    || screen
                {
                    self.find("burned-in-likely", tags::BURNED_IN_ANNOTATION, None, false, None);
                }
            }
        }
    }

    /// True when the policy has OCR read this data set's pixels: every image, but for the
    /// original grey slices of CT, MR and PET unless the policy reads every image. What a
    /// header does not say (no image type, no photometric interpretation) is read.
    pub fn needs_ocr(&self) -> bool {
        let (p, f) = (self.policy, &self.facts);
        if !(p.refuse_burned_in && p.ocr && f.pixels) {
            return false;
        }
        if p.ocr_every_image {
            return true;
        }
        let first_value = |v: &Option<Vec<u8>>| -> Vec<u8> {
            let v = v.as_deref().unwrap_or_default();
            let first = v.split(|&b| b == b'\\').next().unwrap_or_default();
            first.trim_ascii().to_ascii_uppercase()
        };
        let cross_section = CROSS_SECTIONS.contains(&first_value(&f.modality).as_slice());
        let original = first_value(&f.image_type) == b"ORIGINAL";
        // Absent, it is shown as grey by the viewers that show it at all.
        let grey = f.photometric.is_none() || first_value(&f.photometric).starts_with(b"MONOCHROME");
        let sop = f.sop_class.as_deref().map(|s| s.strip_suffix(b"\0").unwrap_or(s));
        let capture = sop.is_some_and(|s| BURNED_IN_SOP_CLASSES.contains(&s));
        !(cross_section && original && grey && !capture)
    }

    /// True when an option counts: the policy allows it and, but for patient ID and accession
    /// number, the file declares it.
    fn in_force(&self, option: Retain) -> bool {
        match option {
            Retain::PatientId => self.policy.retain_patient_id,
            Retain::AccessionNumber => self.policy.retain_accession_number,
            Retain::SafePrivate => {
                self.policy.allows(option)
                    && !self.policy.safe_private.is_empty()
                    && self.declared.contains(&option)
            }
            _ => self.policy.allows(option) && self.declared.contains(&option),
        }
    }

    /// The reasons to refuse, once the reading is over. `strong_only`: a partial reading, of
    /// which only what reads as a person's text counts.
    /// True when what was read so far is refused whatever the pixels show (some finding that
    /// no option in force lets through): OCR need not read them.
    pub fn refuses(&self) -> bool {
        self.findings
            .iter()
            .any(|f| !matches!(f.alternatives.iter().find(|(o, _)| self.in_force(*o)), Some((_, Ok(())))))
    }

    pub fn reasons(mut self, strong_only: bool) -> Vec<Reason> {
        if !strong_only {
            self.burned_in();
        }
        let mut out: Vec<Reason> = Vec::new();
        for f in &self.findings {
            if strong_only && !f.strong {
                continue;
            }
            let mut r = f.reason.clone();
            match f.alternatives.iter().find(|(o, _)| self.in_force(*o)) {
                // An option in force decides: the element conforms under it, or is refused for
                // what it fails there.
                Some((_, Ok(()))) => continue,
                Some((_, Err(problem))) => {
                    let (rule, detail) = Self::rule(*problem, f.tag, f.vr, f.named);
                    r.rule = rule;
                    r.detail = detail.unwrap_or_default();
                }
                // None in force: the reason offers the first the policy allows that would do.
                None => {
                    r.option = f
                        .alternatives
                        .iter()
                        .find(|(o, res)| res.is_ok() && self.policy.allows(*o))
                        .map(|(o, _)| *o);
                }
            }
            if !out.contains(&r) {
                out.push(r);
            }
        }
        out
    }
}

impl Visitor for Law<'_> {
    /// A compressed frame carries what an image file does beside its pixels (a JPEG's comment
    /// and EXIF, …): judged as an image file's would be.
    fn fragment(&mut self, bytes: &[u8]) {
        for mut reason in super::metadata::reasons(bytes) {
            reason.tag = tag_text(tags::PIXEL_DATA);
            reason.location = format!("{}PixelData fragment/", self.location());
            self.findings.push(Finding {
                reason,
                alternatives: Vec::new(),
                strong: true,
                tag: tags::PIXEL_DATA,
                vr: VR::OB,
                named: false,
            });
        }
    }

    fn element(&mut self, e: &Element<'_>) {
        if self.levels.is_empty() {
            self.score(e.tag, e.vr, e.value.len());
        }
        self.elements += 1;
        self.note(e);
        if self.refused_here() {
            return;
        }
        self.text_in_binary(e);
        match e.tag {
            tags::PIXEL_DATA | Tag(0x7FE0, 0x0008) | Tag(0x7FE0, 0x0009) => {
                if let Some(problem) = self.misshapen(e, None) {
                    let (rule, detail) = Self::rule(problem, e.tag, VR::OB, false);
                    self.find(rule, e.tag, None, readable(e.value), detail);
                }
                self.slack(e);
            }
            // YES or nothing: NO, or anything else (N, YES\NO), is not the word of a writer that
            // removed the identity.
            tags::PATIENT_IDENTITY_REMOVED
                if !trim(e.value).is_empty() && !trim(e.value).eq_ignore_ascii_case(b"YES") =>
            {
                self.find("identity-not-removed", e.tag, None, false, None);
            }
            t if t.group() % 2 == 1 => self.private(e),
            _ => self.standard(e),
        }
    }

    fn sequence(&mut self, tag: Tag, vr: Option<VR>) {
        if self.levels.is_empty() {
            self.score(tag, vr, 1);
            self.elements += 1;
        }
        let refused_above = self.refused_here();
        let mut must_be_empty = false;
        if !refused_above {
            if tag.group() % 2 == 1 {
                if !self.listed(tag) {
                    self.find("private-element", tag, None, false, None);
                    self.levels.push(Level {
                        tag,
                        keyword: keyword(tag),
                        index: 0,
                        creators: vec![],
                        must_be_empty,
                    });
                    self.refused_from = Some(self.levels.len());
                    return;
                }
            } else {
                let p = profiles();
                let action = p.basic.action(tag, VR::SQ);
                must_be_empty = matches!(action, Action::Remove | Action::Zero)
                    && !p.with.iter().any(|(o, pr)| {
                        !matches!(pr.action(tag, VR::SQ), Action::Remove | Action::Zero) && self.in_force(*o)
                    });
            }
        }
        self.levels.push(Level { tag, keyword: keyword(tag), index: 0, creators: vec![], must_be_empty });
    }

    fn item(&mut self, index: usize) {
        let refused = self.refused_here();
        let Some(level) = self.levels.last_mut() else { return };
        level.index = index;
        level.creators.clear();
        if level.must_be_empty && !refused {
            let tag = level.tag;
            level.index = 0;
            // The sequence itself is the finding (its location is where it stands).
            let at = self.levels.pop().expect("a level");
            self.find("identifying-attribute", tag, None, true, None);
            self.levels.push(at);
            self.refused_from = Some(self.levels.len());
        }
    }

    fn end_item(&mut self) {}

    fn end_sequence(&mut self) {
        self.levels.pop();
        if self.refused_from.is_some_and(|d| self.levels.len() < d) {
            self.refused_from = None;
        }
    }

    fn gives_up(&self) -> bool {
        self.patience.is_some_and(|p| self.known == 0 && self.elements >= p)
    }

    fn oddity(&mut self, oddity: Oddity, tag: Tag) {
        let rule = match oddity {
            Oddity::Duplicate => "duplicate-element",
            Oddity::OutOfOrder => "element-out-of-order",
            Oddity::OutsideTheModel => "outside-the-model",
        };
        self.find(rule, tag, None, false, None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
        let refused = (0..100_000)
            .filter(|_| {
                let mut b = [0u8; 16];
                for chunk in b.chunks_mut(8) {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    chunk.copy_from_slice(&seed.to_le_bytes());
                }
                text_in_uuid(b)
            })
            .count();
        assert_eq!(refused, 0, "random UUIDs read as text");
        assert!(
            !replaced_uid(format!("2.25.{}", u128::MAX).replace("455", "999").as_bytes()),
            "over 128 bits"
        );
    }
}

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

use dicom_core::dictionary::{DataDictionary, DataDictionaryEntry};
use dicom_core::{Tag, VR};
use dicom_dictionary_std::{StandardDataDictionary, tags};

use super::burned::{IDENTITY_TAGS, Identity};
use super::profile::{Action, Retain};
use super::scan::{self, Element, Oddity, Visitor, trim};
use super::shape::{self, Strength};
use super::{Policy, Reason};
use super::{drawn, pixels};

mod burned_in;
mod glyphs;
mod kept;
pub use kept::{keeps, kept_by_the_basic_profile};
use kept::{kept, profiles};
mod private;
mod report;
pub use report::IN_TURN;
mod values;
mod visit;

use dicom_encoding::text::{SpecificCharacterSet, TextCodec};
use values::*;

/// At most this many reasons are kept for one file of each kind of finding (the same options
/// letting it through or not: many a declared option forgives never crowd out one it does not);
/// and this many kinds. Past those the file is refused for holding too many.
const MAX_REASONS: usize = 64;
const MAX_KINDS: usize = 16;
/// Letters and digits after a frame's pixels that make text, however spread (a pad byte or a
/// writer's stray bytes hold few).
const SLACK_LETTERS: usize = 8;

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
    /// A coded string whose terms the standard lists holds one it does not.
    NotATerm,
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
    /// Lines a viewer draws: GraphicData or ContourData, at any depth.
    drawings: bool,
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
    /// In a structured report's content item (this level's current item): what its concept
    /// name says, and its values (each with its tag), read together at the item's end
    /// ([`Law::said`]).
    concept: Option<Vec<u8>>,
    values: Vec<(Tag, Vec<u8>)>,
    /// What the item's children said (their concepts and values) and its values' units: a
    /// label may stand there (`Person` = `ZELDA MADEUP`, with `Role` = `Patient (name)`).
    heard: Vec<Vec<u8>>,
    /// The character set this level's current item declares (its own (0008,0005)).
    charset: Option<SpecificCharacterSet>,
    /// The current item's code, where it is one: its value (with its tag), its scheme and its
    /// meaning ([`Law::coded`] reads them together at the item's end).
    code: Code,
    /// What the last items of this sequence said, one after another: their text values, and
    /// their codes' meanings ([`Law::in_turn`]).
    recent: [std::collections::VecDeque<Vec<u8>>; 2],
}

/// A code item's parts.
#[derive(Default)]
struct Code {
    /// Each of its values (Code Value, Long Code Value, URN Code Value): an item may hold more
    /// than one, and each is judged.
    values: Vec<(Tag, Vec<u8>)>,
    scheme: Option<Vec<u8>>,
    meaning: Option<Vec<u8>>,
}

impl Level {
    fn new(tag: Tag, must_be_empty: bool) -> Level {
        Level {
            tag,
            keyword: keyword(tag),
            index: 0,
            creators: vec![],
            must_be_empty,
            concept: None,
            values: vec![],
            heard: vec![],
            charset: None,
            code: Code::default(),
            recent: Default::default(),
        }
    }
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
    /// The character set the data set declares, where it is one whose text a plain reading of
    /// the bytes does not show ([`Law::shown`]).
    charset: Option<SpecificCharacterSet>,
    /// The patient's identifying values, to look for in the pixels.
    pub identity: Identity,
    /// The text values, read as a viewer shows them for the letters they draw with characters
    /// ([`drawn`]), to be read as pictures.
    pub written: drawn::Page<Tag>,
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
    /// Binary values (not pixel data) that hold a patient element's header with a person's text
    /// after it ([`crate::gate::embedded::value_readings`]): the tag and the bytes, for the gate
    /// to read as raw data sets. At most [`MAX_HELD`] bytes of them.
    pub held: Vec<(Tag, Vec<u8>)>,
    held_bytes: usize,
    /// The text objects read since the last top-level sequence ended, to be laid out
    /// ([`glyphs`]); and how many there were.
    glyphs: Vec<glyphs::Glyph>,
    text_objects: usize,
}

/// The most bytes of binary values a law holds for the gate to read ([`Law::held`]); a file
/// that has more is refused (`embedded-dicom`).
pub(crate) const MAX_HELD: usize = 64 << 20;

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
            charset: None,
            identity: Identity::default(),
            written: drawn::Page::default(),
            elements: 0,
            known: 0,
            scored: Vec::new(),
            patience: None,
            held: Vec::new(),
            held_bytes: 0,
            glyphs: Vec::new(),
            text_objects: 0,
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
        if self.findings.len() >= MAX_REASONS * MAX_KINDS {
            if self.findings.last().is_none_or(|f| f.reason.rule != "too-many-findings") {
                let reason = Reason {
                    rule: "too-many-findings",
                    tag: String::new(),
                    keyword: String::new(),
                    location: self.location(),
                    detail: "more elements than vault keeps reasons for: the rest are not judged",
                    option: None,
                    region: None,
                };
                let named = false;
                self.findings.push(Finding {
                    reason,
                    alternatives: Vec::new(),
                    strong: true,
                    tag,
                    vr,
                    named,
                });
            }
            return;
        }
        // Past the whole bound (above) no finding is scanned again: a file of a million
        // private elements costs one comparison each.
        if self.findings.iter().filter(|f| f.alternatives == alternatives).nth(MAX_REASONS - 1).is_some() {
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
}

impl Law<'_> {
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
            Action::Keep => kept(tag, vr, value),
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
            Action::Clean => match read_as_text(value).find_map(|c| {
                let strength =
                    if tag == tags::REFERENCED_FILE_ID { Strength::Paths } else { Strength::FreeText };
                shape::find(&c, strength)
            }) {
                Some(s) => Err(Problem::IdentityInText(s)),
                None => match bare_value(tag, vr, value) {
                    Some(s) => Err(Problem::IdentityInText(s)),
                    None => Ok(()),
                },
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
            Problem::NotATerm => ("not-a-defined-term", None),
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

    /// True when what was read so far is refused whatever the pixels show (some finding that
    /// no option in force lets through): OCR need not read them.
    pub fn refuses(&self) -> bool {
        self.findings
            .iter()
            .any(|f| !matches!(f.alternatives.iter().find(|(o, _)| self.in_force(*o)), Some((_, Ok(())))))
    }

    /// The reasons to refuse, once the reading is over. `strong_only`: a partial reading, of
    /// which only what reads as a person's text counts.
    pub fn reasons(mut self, strong_only: bool) -> Vec<Reason> {
        if self.text_objects > 0 {
            self.read_glyphs();
        }
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

impl Law<'_> {
    /// One element judged: its facts noted, its value held to the profile.
    /// The law on one element. `again`: the value as its declared character set shows it,
    /// after its bytes were judged (facts and drawings are not noted twice).
    fn judged(&mut self, e: &Element<'_>, again: bool) {
        match again {
            false => self.note(e),
            true => self.note_identity(e),
        }
        if self.refused_here() {
            return;
        }
        self.glyph(e, again);
        self.text_in_binary(e);
        self.content_item(e);
        match e.tag {
            tags::PIXEL_DATA | Tag(0x7FE0, 0x0008) | Tag(0x7FE0, 0x0009) => {
                if let Some(problem) = self.misshapen(e, None) {
                    let (rule, detail) = Self::rule(problem, e.tag, VR::OB, false);
                    self.find(rule, e.tag, None, readable(e.value), detail);
                }
                self.slack(e);
                self.text_in_pixels(e);
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
}

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
use super::profile::{Action, Profile, Retain};
use super::scan::{self, Element, Oddity, Visitor, trim};
use super::shape::{self, Strength};
use super::{Policy, Reason};
use super::{drawn, pixels};

mod burned_in;
mod private;
mod values;

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
}

/// A code item's parts.
#[derive(Default)]
struct Code {
    value: Option<(Tag, Vec<u8>)>,
    scheme: Option<Vec<u8>>,
    meaning: Option<Vec<u8>>,
}

/// Coding schemes whose code values are concepts' codes (`121030` in DICOM's own is `Subject
/// ID`, not a subject's): a code of another scheme — a site's own (`99HOSP`) — is a value that
/// its meaning labels.
#[rustfmt::skip]
const STANDARD_SCHEMES: &[&str] = &[
    "DCM", "SCT", "SRT", "SNM3", "LN", "UCUM", "UMLS", "RADLEX", "NCIt", "NCIT", "FMA", "MDC",
    "ICD10", "I10", "I9", "I9C", "I10P", "ACR", "HL7", "NEU", "DCMUID", "NICIP", "CPT4", "C4", "C5",
    "ISO3166_1", "ISO639_1", "ISO639_2", "ITIS_TSN", "PUBCHEM_CID", "RXNORM", "ATC", "MSH", "UNS",
    "NBD", "ICDO3", "LOINC", "SNOMED", "IBSI", "BARI", "MAYONRISBSASRG", "PATHLEX", "NYUMCCG",
];

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
            charset: None,
            identity: Identity::default(),
            written: drawn::Page::default(),
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

    /// A structured report's content item says a label in its concept name and the value in
    /// its value (`"Patient name" = "ZELDA MADEUP"`, `"Medical record number" = 4711913`), as
    /// `dsrdump` and every SR viewer show them side by side: the concept name's meaning and
    /// each value are gathered here ([`Law::said`] reads them together at the item's end). A
    /// coded value's meaning counts as a value.
    fn content_item(&mut self, e: &Element<'_>) {
        const VALUES: [Tag; 7] = [
            tags::TEXT_VALUE,
            tags::PERSON_NAME,
            tags::DATE_TIME,
            tags::DATE,
            tags::TIME,
            tags::NUMERIC_VALUE,
            tags::UID,
        ];
        let n = self.levels.len();
        // Copied only for the elements kept: this runs for every element of every reading.
        let value = || trim(e.value).to_vec();
        if n >= 1 {
            let code = &mut self.levels[n - 1].code;
            match e.tag {
                tags::CODE_VALUE | tags::LONG_CODE_VALUE | tags::URN_CODE_VALUE => {
                    code.value = Some((e.tag, value()))
                }
                tags::CODING_SCHEME_DESIGNATOR => code.scheme = Some(value()),
                tags::CODE_MEANING => code.meaning = Some(value()),
                _ => {}
            }
        }
        if e.tag == tags::CODE_MEANING && n >= 2 {
            match self.levels[n - 1].tag {
                tags::CONCEPT_NAME_CODE_SEQUENCE => self.levels[n - 2].concept = Some(value()),
                tags::CONCEPT_CODE_SEQUENCE => {
                    self.levels[n - 2].values.push((tags::CONCEPT_CODE_SEQUENCE, value()))
                }
                tags::MEASUREMENT_UNITS_CODE_SEQUENCE => self.levels[n - 2].heard.push(value()),
                _ => {}
            }
        } else if n >= 1 && VALUES.contains(&e.tag) {
            self.levels[n - 1].values.push((e.tag, value()));
        }
    }

    /// At a content item's end: its concept name's meaning and each of its values read as one
    /// text (`Patient name: ZELDA MADEUP`), for a label and its value.
    ///
    /// A value that could be someone's (two words, or five digits or more) is read too after
    /// each label its context gives: the concept of each content item it lies in (`Patient
    /// name` → `Value` = `ZELDA MADEUP`), and what its own children said and its units
    /// (`Person` = `ZELDA MADEUP` with `Role` = `Patient (name)`; `4711913` in units of
    /// `medical record number`). A measured value's group (no concept of its own) hands its
    /// values and units to the item it is in.
    fn said(&mut self) {
        let n = self.levels.len();
        let Some(level) = self.levels.last_mut() else { return };
        let (values, heard) = (std::mem::take(&mut level.values), std::mem::take(&mut level.heard));
        let Some(concept) = level.concept.take() else {
            if n >= 2 {
                let parent = &mut self.levels[n - 2];
                parent.values.extend(values);
                parent.heard.extend(heard);
            }
            return;
        };
        let context: Vec<Vec<u8>> = self.levels[..n - 1]
            .iter()
            .rev()
            .filter_map(|l| l.concept.clone())
            .chain(heard.iter().map(|h| h.iter().copied().filter(|b| !matches!(b, b'(' | b')')).collect()))
            .collect();
        for (tag, value) in &values {
            let labels = std::iter::once(&concept).chain(context.iter().filter(|_| could_be_someones(value)));
            for label in labels {
                let said = [&label[..], b": ", value].concat();
                if let Some(shape) = shape::find(&said, Strength::Labels) {
                    self.find("identity-in-text", *tag, None, true, Some(shape.describe()));
                    return;
                }
            }
        }
        // What this item said, for the item it lies in.
        if n >= 2 {
            let parent = &mut self.levels[n - 2];
            parent.heard.push(concept);
            parent.heard.extend(values.into_iter().map(|(_, v)| v));
        }
    }
}

impl Law<'_> {
    /// At an item's end: a code of a site's own scheme read as its meaning labels it
    /// (`Medical record number: 4711913`), as a viewer shows a code beside its meaning, where
    /// the code could be someone's (two words, or five digits or more).
    fn coded(&mut self) {
        let Some(level) = self.levels.last_mut() else { return };
        let code = std::mem::take(&mut level.code);
        let (Some((tag, value)), Some(meaning)) = (code.value, code.meaning) else { return };
        let scheme = code.scheme.unwrap_or_default();
        // A site's concepts have codes too (`IHE.05`, `Recording Observer's Name`): only a
        // value that could be someone's is read as labelled.
        if STANDARD_SCHEMES.iter().any(|s| s.as_bytes() == scheme.as_slice()) || !could_be_someones(&value) {
            return;
        }
        // An NHS number as a site's code, whatever its meaning says.
        if shape::nhs::nhs_digits(&value) {
            self.find("identity-in-text", tag, None, true, Some(shape::Shape::IdNumber.describe()));
            return;
        }
        let said = [&meaning[..], b": ", &value].concat();
        if let Some(shape) = shape::find(&said, Strength::Labels) {
            self.find("identity-in-text", tag, None, true, Some(shape.describe()));
        }
    }
}

/// A value that could name or number someone: two words of letters, or five digits or more.
fn could_be_someones(value: &[u8]) -> bool {
    let words = value.split(|b| !b.is_ascii_alphabetic()).filter(|w| w.len() >= 2).count();
    words >= 2 || value.iter().filter(|b| b.is_ascii_digit()).count() >= 5
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
            Action::Keep => {
                if !has_its_form(vr, value) {
                    return Err(Problem::NotItsVr);
                }
                if text_vr(vr)
                    && let Some(s) = read_as_text(value).find_map(|c| shape::find(&c, Strength::Labels))
                {
                    return Err(Problem::IdentityInText(s));
                }
                if bare_number(tag, vr, value) {
                    return Err(Problem::IdentityInText(shape::Shape::IdNumber));
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
            Action::Clean => match read_as_text(value).find_map(|c| {
                let strength =
                    if tag == tags::REFERENCED_FILE_ID { Strength::Paths } else { Strength::FreeText };
                shape::find(&c, strength)
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

    /// The character set in force where the reading stands: the current item's, else the one
    /// its data set declares, up to the top.
    fn charset(&self) -> Option<&SpecificCharacterSet> {
        self.levels.iter().rev().find_map(|l| l.charset.as_ref()).or(self.charset.as_ref())
    }

    /// A text value as a reader that honours the declared character set shows it, where that
    /// differs from its bytes read plainly (as ASCII, UTF-8, or the 8-bit views
    /// [`shape::views`] takes): two-byte sets, and ISO 2022's escapes.
    fn shown(&self, e: &Element<'_>) -> Option<Vec<u8>> {
        // An implicit VR's element by the dictionary's VR (Rows and Columns are no text).
        let vr = e.vr.or_else(|| StandardDataDictionary.by_tag(e.tag).and_then(|d| d.vr().exact()));
        let text =
            vr.is_some_and(|vr| matches!(vr, VR::SH | VR::LO | VR::ST | VR::LT | VR::UT | VR::UC | VR::PN));
        if !text || e.value.iter().all(|&b| b < 0x80 && b != 0x1B) || e.value.len() > 1 << 20 {
            return None;
        }
        let shown = self.charset()?.decode(e.value).ok()?.into_bytes();
        (shown != e.value).then_some(shown)
    }
}

/// The character set a (0008,0005) value declares that a plain reading does not show: the last
/// of its values a reader knows (the code extension ISO 2022 switches to), unless that is
/// ASCII or UTF-8.
fn declared_charset(value: &[u8]) -> Option<SpecificCharacterSet> {
    let codes = String::from_utf8_lossy(value);
    let last = codes.split('\\').rev().find_map(|c| SpecificCharacterSet::from_code(c.trim()))?;
    (!matches!(last.name().as_ref(), "ISO_IR 6" | "ISO_IR 192")).then_some(last)
}

impl Visitor for Law<'_> {
    /// A compressed frame carries what an image file does beside its pixels (a JPEG's comment
    /// and EXIF, …): judged as an image file's would be; and a labelled field in its bytes is
    /// refused.
    fn fragment(&mut self, bytes: &[u8]) {
        // A fragment's bytes are a codestream, whose runs of printable bytes are short and say
        // nothing; a labelled field in one is text put there (an extra fragment of plain text),
        // and `strings` shows it.
        let labelled = crate::gate::text_runs(bytes).any(shape::labelled);
        if labelled {
            self.find(
                "identity-in-text",
                tags::PIXEL_DATA,
                None,
                true,
                Some(shape::Shape::LabelledField.describe()),
            );
        }
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
        if e.tag == tags::SPECIFIC_CHARACTER_SET {
            let declared = declared_charset(e.value);
            match self.levels.last_mut() {
                Some(level) => level.charset = declared,
                None => self.charset = declared,
            }
        }
        self.judged(e, false);
        // Text in a character set whose letters the bytes do not show plainly (GB18030, ISO
        // 2022's Japanese): judged again as a reader that honours the set shows it.
        if let Some(shown) = self.shown(e) {
            self.judged(&Element { value: &shown, ..*e }, true);
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
                    self.levels.push(Level::new(tag, must_be_empty));
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
        self.levels.push(Level::new(tag, must_be_empty));
    }

    fn item(&mut self, index: usize) {
        let refused = self.refused_here();
        let Some(level) = self.levels.last_mut() else { return };
        level.index = index;
        level.creators.clear();
        level.concept = None;
        level.values.clear();
        level.charset = None;
        level.code = Code::default();
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

    fn end_item(&mut self) {
        if !self.refused_here() {
            self.coded();
            self.said();
        }
    }

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

//! The gate: may these bytes become visible in the vault? Pure: bytes and a policy in, a
//! verdict with reasons out. Reasons name the rule, the tag and where it stands, never the
//! value.
//!
//! The law is the de-identification profile (`law`): a DICOM file is accepted only when it
//! conforms to DICOM PS3.15 Annex E's basic profile and the options the policy allows.
//!
//! A file is read as everything a reader could take it for, and refused when any reading
//! finds what the law refuses (`check_in`):
//! - Part 10 (`DICM` at byte 128, or at 0 without the preamble), its data set in the transfer
//!   syntax the meta group names (deflated too), and in the other encodings besides (pydicom
//!   falls back to implicit VR when a file that says explicit is not);
//! - a raw data set (no `DICM`) at byte 0, 128 or 132, in each of implicit VR little endian and
//!   explicit VR little and big endian, starting with any group;
//! - DICOM JSON and DICOM XML;
//! - every container signature the bytes carry (`container`), each member as a file of its own.
//!
//! A reading that reads to the end is judged whole. One that stops part way (a truncated file,
//! or bytes that only begin like a data set) counts what it read that reads as a person's text;
//! for Part 10, or a raw reading of several well-formed elements, a reading that stops is itself
//! a refusal (unreadable DICOM). Files no reading takes for DICOM or a container pass.

pub mod container;
pub mod door;
mod encoded;
pub mod law;
pub mod policy;
pub mod profile;
pub mod scan;
pub mod shape;

use serde::Serialize;

pub use policy::Policy;
pub use profile::Retain;
use scan::Syntax;

/// Why a file was refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// The rule: identifying-attribute, person-name, patient-id, accession-number, free-text,
    /// identity-in-text, uid-not-replaced, value-not-its-vr, private-element, unknown-attribute,
    /// duplicate-element, element-out-of-order, burned-in-annotation, burned-in-likely,
    /// unreadable-dicom, unreadable-archive, unsupported-container, archive-depth,
    /// archive-ratio, archive-too-large.
    pub rule: &'static str,
    /// "(gggg,eeee)", or empty when the rule is about the whole file.
    pub tag: String,
    pub keyword: String,
    /// Where: members of containers as `name!/`, nested sequences as `Keyword[item]/`, and a
    /// reading other than the file's own as `@offset encoding/`.
    #[serde(rename = "where")]
    pub location: String,
    /// More about the rule (which shape of text; which container format), never the value.
    #[serde(skip_serializing_if = "str::is_empty")]
    pub detail: &'static str,
    /// An option of the profile under which the element would conform, where the policy
    /// allows it (the file does not declare it, or its value does not pass even then).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub option: Option<Retain>,
}

impl Reason {
    /// What would let the file in, in words: the scrub option, or what else to do.
    pub fn fix(&self) -> String {
        match self.rule {
            "burned-in-annotation" | "burned-in-likely" => {
                "vault scrub --redact RULES blanks the burned-in regions (or leave the image out)".into()
            }
            "unreadable-dicom" | "duplicate-element" | "element-out-of-order" => {
                "the file is malformed: readers disagree on it; re-export it from its source, or leave it out"
                    .into()
            }
            "unreadable-archive"
            | "unsupported-container"
            | "archive-depth"
            | "archive-ratio"
            | "archive-too-large" => "unpack it and give vault the files".into(),
            _ => match self.option {
                Some(o) => format!(
                    "vault scrub fixes it; with --retain {} it stays{}",
                    o.name(),
                    if matches!(o, Retain::CleanDescriptors) { ", cleaned" } else { "" }
                ),
                None => "vault scrub fixes it".into(),
            },
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// False when the file may not enter the vault.
    pub accept: bool,
    /// True when some reading took the content for DICOM.
    pub dicom: bool,
    pub reasons: Vec<Reason>,
}

impl Verdict {
    fn plain() -> Verdict {
        Verdict { accept: true, dicom: false, reasons: vec![] }
    }

    fn refuse(&mut self, reasons: impl IntoIterator<Item = Reason>) {
        for r in reasons {
            self.accept = false;
            if !self.reasons.contains(&r) {
                self.reasons.push(r);
            }
        }
    }

    fn merge(&mut self, other: Verdict) {
        self.dicom |= other.dicom;
        self.refuse(other.reasons);
    }
}

/// Bytes a file's head must hold for [`might_need_all`] to decide (an ISO 9660 image says so
/// at byte 32769).
pub const HEAD_BYTES: usize = 0x8000 + 2048;
/// Bytes of a file's tail that [`might_need_all`] looks at (where a zip's directory ends).
pub const TAIL_BYTES: usize = 65535 + 22;

/// False when a file of `len` bytes whose first bytes are `head` and last bytes `tail` is
/// neither DICOM nor a container by any reading: the gate accepts it without the rest (all of a
/// short file is in `head`). True when the whole content must be checked.
pub fn might_need_all(head: &[u8], tail: &[u8], len: u64) -> bool {
    if !container::kinds(head).is_empty() || container::kinds(tail).contains(&container::Kind::Zip) {
        return true;
    }
    // Text that may be DICOM JSON or XML (or is blank as far as the head goes, or UTF-16).
    let first = head.iter().find(|b| !b.is_ascii_whitespace() && **b != 0);
    if head.len() < 8 || matches!(first, None | Some(b'<' | b'{' | b'[' | 0xEF | 0xFF | 0xFE)) {
        return true;
    }
    head.get(128..132) == Some(b"DICM") || head.starts_with(b"DICM") || raw_starts(head, len).next().is_some()
}

/// The raw readings whose first element header is well formed and whose value fits in a file
/// of `len` bytes: (offset, syntax).
fn raw_starts(bytes: &[u8], len: u64) -> impl Iterator<Item = (usize, Syntax)> + '_ {
    [0usize, 128, 132].into_iter().flat_map(move |at| {
        Syntax::ALL.into_iter().filter_map(move |s| {
            let (value_at, value_len) = scan::first_header(bytes, at, s)?;
            let fits = value_len.is_none_or(|l| value_at as u64 + u64::from(l) <= len);
            fits.then_some((at, s))
        })
    })
}

/// The verdict on one file's bytes.
pub fn check(bytes: &[u8], policy: &Policy) -> Verdict {
    let mut budget = container::Budget::for_input(bytes.len());
    check_in(bytes, policy, "", 0, &mut budget)
}

fn check_in(
    bytes: &[u8],
    policy: &Policy,
    location: &str,
    depth: usize,
    budget: &mut container::Budget,
) -> Verdict {
    let mut all = Verdict::plain();
    let at = |mut reasons: Vec<Reason>| {
        for r in &mut reasons {
            r.location = format!("{location}{}", r.location);
        }
        reasons
    };
    let v = dicom(bytes, policy, budget);
    all.dicom |= v.dicom;
    all.refuse(at(v.reasons));
    if let Some(v) = encoded_readings(bytes, policy) {
        all.dicom = true;
        all.refuse(at(v));
    }
    for kind in container::kinds(bytes) {
        if depth >= container::MAX_DEPTH {
            all.refuse([container::refusal("archive-depth", location, "")]);
            break;
        }
        let walked = container::for_each_member(kind, bytes, location, budget, &mut |name, data, budget| {
            let inner = format!("{location}{name}!/");
            all.merge(check_in(data, policy, &inner, depth + 1, budget));
        });
        if let Err(reason) = walked {
            all.refuse([reason]);
        }
    }
    all
}

fn unreadable(why: &'static str, location: String) -> Reason {
    Reason {
        rule: "unreadable-dicom",
        tag: String::new(),
        keyword: String::new(),
        location,
        detail: why,
        option: None,
    }
}

fn syntax_name(s: Syntax) -> &'static str {
    match s {
        Syntax::ImplicitLittle => "implicit VR little endian",
        Syntax::ExplicitLittle => "explicit VR little endian",
        Syntax::ExplicitBig => "explicit VR big endian",
    }
}

/// Every binary DICOM reading of the bytes.
fn dicom(bytes: &[u8], policy: &Policy, budget: &mut container::Budget) -> Verdict {
    let mut v = Verdict::plain();
    let magic = if bytes.get(128..132) == Some(b"DICM") {
        Some(128)
    } else if bytes.starts_with(b"DICM") {
        Some(0)
    } else {
        None
    };
    if let Some(m) = magic {
        v.dicom = true;
        let mut law = law::Law::new(policy);
        let reading = scan::read_with(bytes, m + 4, Syntax::ExplicitLittle, &mut law, &mut |rest, law| {
            let inflater = flate2::read::DeflateDecoder::new(rest);
            let data = container::expand(inflater, rest.len() as u64, budget, "").ok()?;
            Some(scan::read(&data, 0, Syntax::ExplicitLittle, law))
        });
        if let Some(stop) = reading.stopped {
            v.refuse([unreadable(stop.why, String::new())]);
        }
        v.refuse(law.reasons(false));
        // The data set in the encodings the meta group does not name.
        if let Some((data_at, named)) = scan::after_meta(bytes, m + 4) {
            for s in Syntax::ALL.into_iter().filter(|&s| Some(s) != named) {
                other_reading(bytes, data_at, s, policy, &mut v);
            }
        }
    }
    // Raw readings are what readers fall back to without `DICM`; with it, none reads from
    // elsewhere.
    if magic.is_none() {
        for (at, s) in raw_starts(bytes, bytes.len() as u64) {
            other_reading(bytes, at, s, policy, &mut v);
        }
    }
    v
}

/// A reading other than the file's own. It counts only when what it read looks like a data set
/// (`Law::known`: elements the dictionary knows, in order): then a reading to the end is judged
/// whole, one that stops part way counts what it read that reads as a person's text, and a raw
/// reading (no `DICM`) that stops after three such elements is unreadable DICOM. Bytes that only
/// happen to parse as an element or two (executables, compiled code, zeros) do not count.
fn other_reading(bytes: &[u8], at: usize, syntax: Syntax, policy: &Policy, v: &mut Verdict) {
    let mut law = law::Law::with_patience(policy, 64);
    let reading = scan::read(bytes, at, syntax, &mut law);
    let (known, elements) = (law.known, reading.elements);
    let whole = reading.stopped.is_none();
    let counts = if whole { known >= 2 || (known == 1 && elements == 1) } else { known >= 2 };
    if !counts {
        return;
    }
    let label = format!("@{at} {}/", syntax_name(syntax));
    let mut reasons = law.reasons(!whole);
    for r in &mut reasons {
        r.location = format!("{label}{}", r.location);
    }
    v.dicom = true;
    v.refuse(reasons);
    let raw = bytes.get(128..132) != Some(b"DICM") && !bytes.starts_with(b"DICM");
    if let Some(stop) = reading.stopped
        && raw
        && known >= 3
    {
        v.refuse([unreadable(stop.why, label)]);
    }
}

/// DICOM JSON and XML readings: Some(reasons) when the bytes are one of them.
fn encoded_readings(bytes: &[u8], policy: &Policy) -> Option<Vec<Reason>> {
    let mut law = law::Law::new(policy);
    if encoded::json(bytes, &mut law).is_some() {
        return Some(law.reasons(false));
    }
    if encoded::claims_json(bytes) {
        return Some(vec![unreadable("DICOM JSON that cannot be read", String::new())]);
    }
    let mut law = law::Law::new(policy);
    match encoded::xml(bytes, &mut law)? {
        Ok(_) => Some(law.reasons(false)),
        Err(()) => {
            let mut reasons = law.reasons(true);
            reasons.push(unreadable("DICOM XML that cannot be read", String::new()));
            Some(reasons)
        }
    }
}

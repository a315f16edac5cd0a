//! The gate: may these bytes become visible in the vault? Pure: bytes and a policy in, a
//! verdict with reasons out. It fails closed: what looks like DICOM but cannot be read is
//! refused. Reasons name the rule and the tag, never the value.
//!
//! Detection is by content, never by name: a Part 10 file (`DICM` at offset 128, or at 0 when
//! the preamble is missing), or a raw data set without preamble or meta group in implicit or
//! explicit VR, little or big endian. Every transfer syntax dicom-object reads is read,
//! deflated included; sequences are walked at every depth, and elements after the pixel data.

pub mod archive;
pub mod policy;
mod read;
mod walk;

use dicom_object::InMemDicomObject;
use dicom_transfer_syntax_registry::entries;
use serde::Serialize;

pub use policy::Policy;

/// Why a file was refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// The rule: identifying-attribute, person-name, patient-id, accession-number,
    /// burned-in-annotation, burned-in-likely, unreadable-dicom.
    pub rule: &'static str,
    /// "(gggg,eeee)", or empty when the rule is about the whole file.
    pub tag: String,
    pub keyword: String,
    /// Where in the data set: nested sequences as `Keyword[item]/`.
    #[serde(rename = "where")]
    pub location: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// False when the file may not enter the vault.
    pub accept: bool,
    /// True when the content is DICOM (or looked like it).
    pub dicom: bool,
    pub reasons: Vec<Reason>,
}

impl Verdict {
    fn accept_plain() -> Verdict {
        Verdict { accept: true, dicom: false, reasons: vec![] }
    }

    fn unreadable() -> Verdict {
        let reason = Reason {
            rule: "unreadable-dicom",
            tag: String::new(),
            keyword: String::new(),
            location: String::new(),
        };
        Verdict { accept: false, dicom: true, reasons: vec![reason] }
    }
}

/// How the bytes present themselves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// `DICM` at this offset (128 with a preamble, 0 without).
    Part10(usize),
    /// A data set with no meta group: candidate encodings, most likely first.
    Raw(&'static [Encoding]),
    NotDicom,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
    ImplicitLittle,
    ExplicitLittle,
    ExplicitBig,
}

/// Groups a data set usually starts with.
const FIRST_GROUPS: [u16; 7] = [0x0002, 0x0004, 0x0008, 0x0010, 0x0018, 0x0020, 0x0028];

fn valid_vr(b: &[u8]) -> bool {
    b.len() == 2 && b[0].is_ascii_uppercase() && b[1].is_ascii_uppercase()
}

fn shape(bytes: &[u8]) -> Shape {
    if bytes.len() >= 132 && &bytes[128..132] == b"DICM" {
        return Shape::Part10(128);
    }
    if bytes.starts_with(b"DICM") {
        return Shape::Part10(0);
    }
    if bytes.len() < 8 {
        return Shape::NotDicom;
    }
    let le_group = u16::from_le_bytes([bytes[0], bytes[1]]);
    let be_group = u16::from_be_bytes([bytes[0], bytes[1]]);
    if FIRST_GROUPS.contains(&le_group) {
        if valid_vr(&bytes[4..6]) {
            return Shape::Raw(&[Encoding::ExplicitLittle, Encoding::ImplicitLittle]);
        }
        let len = u32::from_le_bytes(bytes[4..8].try_into().expect("4 bytes"));
        if (len as usize) <= bytes.len() || len == u32::MAX {
            return Shape::Raw(&[Encoding::ImplicitLittle, Encoding::ExplicitLittle]);
        }
    }
    if FIRST_GROUPS.contains(&be_group) && valid_vr(&bytes[4..6]) {
        return Shape::Raw(&[Encoding::ExplicitBig]);
    }
    Shape::NotDicom
}

fn read_raw(bytes: &[u8], encoding: Encoding) -> Option<InMemDicomObject> {
    let ts = match encoding {
        Encoding::ImplicitLittle => entries::IMPLICIT_VR_LITTLE_ENDIAN.erased(),
        Encoding::ExplicitLittle => entries::EXPLICIT_VR_LITTLE_ENDIAN.erased(),
        Encoding::ExplicitBig => entries::EXPLICIT_VR_BIG_ENDIAN.erased(),
    };
    read::data_set(bytes, &ts)
}

/// Bytes a file must start with for [`might_be_dicom`] to decide (a tar archive says so at
/// byte 257).
pub const HEAD_BYTES: usize = 262;

/// False when a file starting with `head` (its first [`HEAD_BYTES`] bytes, or all of a shorter
/// file) can be neither DICOM nor an archive: the gate accepts it without reading the rest.
pub fn might_be_dicom(head: &[u8]) -> bool {
    shape(head) != Shape::NotDicom || archive::kind(head).is_some() || head.len() < 8
}

/// The policy a vault keeps (in its store, under this setting), or the default.
pub const POLICY_SETTING: &str = "gate_policy";

/// The verdict on one file's bytes; an archive is looked into, member by member.
pub fn check(bytes: &[u8], policy: &Policy) -> Verdict {
    let mut budget = archive::Budget::for_input(bytes.len());
    check_in(bytes, policy, "", 0, &mut budget)
}

fn check_in(
    bytes: &[u8],
    policy: &Policy,
    location: &str,
    depth: usize,
    budget: &mut archive::Budget,
) -> Verdict {
    let Some(kind) = archive::kind(bytes) else {
        let mut v = check_file(bytes, policy, budget);
        for r in &mut v.reasons {
            r.location = format!("{location}{}", r.location);
        }
        return v;
    };
    if depth >= archive::MAX_DEPTH {
        let reason = Reason {
            rule: "archive-depth",
            tag: String::new(),
            keyword: String::new(),
            location: location.into(),
        };
        return Verdict { accept: false, dicom: false, reasons: vec![reason] };
    }
    let mut all = Verdict { accept: true, dicom: false, reasons: vec![] };
    let walked = archive::for_each_member(kind, bytes, location, budget, &mut |name, data, budget| {
        let v = check_in(data, policy, &format!("{location}{name}!/"), depth + 1, budget);
        all.accept &= v.accept;
        all.dicom |= v.dicom;
        all.reasons.extend(v.reasons);
    });
    if let Err(reason) = walked {
        all.accept = false;
        all.reasons.push(reason);
    }
    all
}

/// The verdict on one file that is not an archive.
fn check_file(bytes: &[u8], policy: &Policy, budget: &mut archive::Budget) -> Verdict {
    let object = match shape(bytes) {
        Shape::NotDicom => return Verdict::accept_plain(),
        Shape::Part10(at) => match read::part10(&bytes[at..], budget) {
            Some(object) => object,
            None => return Verdict::unreadable(),
        },
        Shape::Raw(encodings) => match encodings.iter().find_map(|&e| read_raw(bytes, e)) {
            Some(object) => object,
            None => return Verdict::unreadable(),
        },
    };
    let reasons = walk::reasons(&object, policy);
    Verdict { accept: reasons.is_empty(), dicom: true, reasons }
}

//! What the basic profile keeps as it is, and when a kept value may stay.

use std::sync::OnceLock;

use dicom_core::{Tag, VR};

use super::values::*;
use super::{Problem, Strength, scan, shape};
use crate::gate::profile::{Action, Profile, Retain};

/// The basic profile, and the basic profile with each option alone: to tell which option
/// would let an element stay.
pub(super) struct Profiles {
    pub(super) basic: Profile,
    pub(super) with: Vec<(Retain, Profile)>,
}

pub(super) fn profiles() -> &'static Profiles {
    static P: OnceLock<Profiles> = OnceLock::new();
    P.get_or_init(|| Profiles {
        basic: Profile::new(&[]),
        with: Retain::ALL.iter().map(|&o| (o, Profile::new(&[o]))).collect(),
    })
}

/// True when the basic profile keeps the attribute as it is (Annex E does not name it): what it
/// holds is no patient's by its nature (a version, a kernel, a scheme), unlike what an option
/// retains (an ID, a serial number, a date).
pub fn kept_by_the_basic_profile(tag: Tag) -> bool {
    let vr = scan::dictionary_vr(tag).unwrap_or(VR::LO);
    matches!(profiles().basic.action(tag, vr), Action::Keep)
}

/// Whether a value the profile keeps as it is may stay: it has its VR's form, a coded string
/// whose terms the standard lists holds them, no identity is read in it (its values apart and in
/// one line, at the kept strength), and it is no bare number, date or postcode where the
/// attribute holds words. `vault scrub` asks this of every value it keeps, so that it writes
/// what the law accepts.
pub fn keeps(tag: Tag, vr: VR, value: &[u8]) -> bool {
    kept(tag, vr, value).is_ok()
}

pub(super) fn kept(tag: Tag, vr: VR, value: &[u8]) -> Result<(), Problem> {
    if !has_its_form(vr, value) {
        return Err(Problem::NotItsVr);
    }
    if text_vr(vr) && crate::gate::terms::undefined(tag, value) {
        return Err(Problem::NotATerm);
    }
    if text_vr(vr)
        && let Some(s) = read_as_text(value).find_map(|c| shape::find(&c, Strength::Kept))
    {
        return Err(Problem::IdentityInText(s));
    }
    if bare_number(tag, vr, value) {
        return Err(Problem::IdentityInText(shape::Shape::IdNumber));
    }
    match bare_value(tag, vr, value).filter(|_| kept_by_the_basic_profile(tag)) {
        Some(s) => Err(Problem::IdentityInText(s)),
        None => Ok(()),
    }
}

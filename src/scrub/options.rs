//! What a scrub is asked to do, decided against the vault's policy: the Annex E options kept
//! (`--retain`, `--basic`), the redaction (`--redact`), and for a door (`import --scrub`,
//! `receive --scrub`) the whole [`Scrubbing`].

use std::path::Path;

use super::file::Scrubbing;
use super::redact::{DEFAULT_RULES, Redaction, Rules};
use super::uid::ScrubKey;
use super::{Profile, Retain};
use crate::error::{Result, UsageError, with_path};
use crate::gate::Policy;

/// What the command line asked of a scrub.
#[derive(Clone, Copy, Debug, Default)]
pub struct Asked<'a> {
    /// Annex E options to keep (none: [`DEFAULT_RETAIN`] where the policy allows it).
    pub retain: &'a [Retain],
    /// The basic profile alone.
    pub basic: bool,
    /// `auto`, `default`, or a rules file.
    pub redact: Option<&'a str>,
}

/// The options a scrub applies when `--retain` names none: what a teaching file needs, where
/// the policy allows it — descriptions kept but cleaned ("AXIAL 5MM" stays, a name in it does
/// not), and the patient's age, sex, size and weight.
pub const DEFAULT_RETAIN: &[Retain] = &[Retain::CleanDescriptors, Retain::PatientCharacteristics];

/// How a door scrubs what comes in (`import --scrub`, `receive --scrub`): the profile asked
/// for, checked against the vault's policy, the vault's key (`key` gives it), the redaction
/// asked for.
pub fn scrubbing_for(
    asked: &Asked<'_>,
    policy: &Policy,
    key: impl FnOnce() -> Result<ScrubKey>,
) -> Result<Scrubbing> {
    Ok(Scrubbing {
        profile: profile_for(asked, policy)?,
        key: key()?,
        redaction: load_redaction(asked.redact)?,
    })
}

/// The redaction `--redact` names: `auto` (vault's device rules and every box of text OCR
/// reads), `default` (the device rules alone), or a rules file.
pub fn load_redaction(arg: Option<&str>) -> Result<Option<Redaction>> {
    let Some(arg) = arg else { return Ok(None) };
    let text = if arg == "default" || arg == "auto" {
        DEFAULT_RULES.to_string()
    } else {
        with_path(std::fs::read_to_string(arg), Path::new(arg), "cannot read the redaction rules")?
    };
    let rules = Rules::parse(&text).map_err(|e| UsageError(format!("{arg}: {e}")))?;
    Ok(Some(Redaction { rules, ocr: arg == "auto" }))
}

/// The profile a scrub applies: the options given, checked against the policy (patient ID and
/// accession number only where it allows them); with none given, [`DEFAULT_RETAIN`] as far as
/// the policy allows; with `--basic`, none.
pub fn profile_for(options: &Asked<'_>, policy: &Policy) -> Result<Profile> {
    let defaults: Vec<Retain> = DEFAULT_RETAIN.iter().copied().filter(|o| policy.allows(*o)).collect();
    let retain: &[Retain] = if options.basic {
        &[]
    } else if options.retain.is_empty() {
        &defaults
    } else {
        options.retain
    };
    for o in retain {
        if !policy.allows(*o) && !matches!(o, Retain::PatientId | Retain::AccessionNumber) {
            return Err(UsageError(format!(
                "--retain {}: the vault's policy does not allow this option (vault policy set --allow {})",
                o.name(),
                o.name()
            ))
            .into());
        }
    }
    if retain.contains(&Retain::PatientId) && !policy.retain_patient_id {
        return Err(
            UsageError("--retain patient-id: the policy does not allow keeping patient IDs".into()).into()
        );
    }
    if retain.contains(&Retain::AccessionNumber) && !policy.retain_accession_number {
        return Err(UsageError(
            "--retain accession-number: the policy does not allow keeping accession numbers".into(),
        )
        .into());
    }
    if retain.contains(&Retain::SafePrivate) && policy.safe_private.is_empty() {
        return Err(UsageError(
            "--retain safe-private: the policy lists no safe private elements (safe_private)".into(),
        )
        .into());
    }
    let mut profile = Profile::new(retain);
    profile.safe_private = policy.safe_private.clone();
    Ok(profile)
}

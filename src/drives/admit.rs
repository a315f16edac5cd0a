//! Invariant 7: a drive the drive policy refuses is never formatted, and the refusal names the
//! rule. `vault init` asks here before it opens the device for writing.

use std::path::Path;

use super::classify::{self, AcceptedDrive, Verdict};
use super::discover;
use crate::error::Refusal;

/// Why a device may hold a vault.
#[derive(Debug, PartialEq, Eq)]
pub enum Admitted {
    /// Not a drive the system knows (an image file, a loop device).
    NotADrive,
    /// The policy accepts it.
    ByPolicy,
    /// The policy could not classify it and the person accepted it (`--accept-drive`): pinned
    /// by serial and WWN in the drive policy from now on.
    Pinned,
    /// … accepted for this once: it has no serial to pin.
    ThisOnce,
}

/// Whether the device at `path` may hold a vault; `accept_drive` accepts one the policy cannot
/// classify (never one it refuses). The refusal is a [`Refusal`] naming the rule.
pub fn admit(path: &Path, accept_drive: bool) -> crate::error::Result<Admitted> {
    let Some(facts) = discover::for_path(path)? else { return Ok(Admitted::NotADrive) };
    let mut policy = discover::load_policy()?;
    let c = classify::classify(&facts, &policy);
    match c.verdict {
        Verdict::Ok => Ok(Admitted::ByPolicy),
        Verdict::Refuse => Err(Refusal(format!(
            "{}: refused by the drive policy, rule {}: {}; a vault is never made on such a drive \
             (vault drives --explain shows the evidence)",
            path.display(),
            c.rule,
            c.why
        ))
        .into()),
        Verdict::Unclassified if accept_drive => {
            if facts.serial.is_none() {
                return Ok(Admitted::ThisOnce);
            }
            policy.accepted.push(AcceptedDrive::of(&facts));
            discover::save_policy(&policy)?;
            Ok(Admitted::Pinned)
        }
        Verdict::Unclassified => Err(Refusal(format!(
            "{}: refused by the drive policy, rule {}: {}. If it is the external drive you mean, \
             pass --accept-drive (vault drives --explain shows the evidence)",
            path.display(),
            c.rule,
            c.why
        ))
        .into()),
    }
}

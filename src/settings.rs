//! The names a vault keeps its settings under in its store (the store's settings table, sealed
//! like every record), all in one place: no two parts of vault can take one name for two things,
//! and a reader sees at once what a vault remembers besides its files. The format library keeps
//! two of its own ([`vaultfmt::store::ORPHANS_SETTING`]: files unlinked while open;
//! [`vaultfmt::store::PRIORS_SETTING`]: files' prior versions kept while they are changed).

/// The vault's gate policy, as JSON text.
pub const GATE_POLICY: &str = "gate_policy.json";
/// Where vaults made before the gate's law kept their policy (postcard); read and carried over.
pub const GATE_POLICY_LEGACY: &str = "gate_policy";
/// Files stored and not yet checked by the gate (inode numbers).
pub const UNCHECKED: &str = "unchecked";
/// Files a mount could not finish writing (a write failed: the vault was full): never checked,
/// only removed — by the writer's close, or after a crash by the next mount or `fsck --repair`.
pub const INCOMPLETE: &str = "incomplete";
/// What OCR saw in a frame: this, then the frame's key in hex (one setting a frame).
pub const OCR_MEMO_PREFIX: &str = "ocr/";
/// The vault's scrub key (pseudonyms and UIDs are derived from it).
pub const SCRUB_KEY: &str = "scrub_key";
/// Where the rolling `vault verify` goes on from.
pub const VERIFY_POSITION: &str = "verify_position";
/// On a backup: a mirror run in progress.
pub const MIRROR_IN_PROGRESS: &str = "mirror_in_progress";
/// On a source: its last complete mirror (`vault status`, the mount's warning when the backup is
/// old).
pub const MIRROR_LAST: &str = "mirror_last";

/// Every name above, and the format library's.
pub const ALL: &[&str] = &[
    GATE_POLICY,
    GATE_POLICY_LEGACY,
    UNCHECKED,
    INCOMPLETE,
    OCR_MEMO_PREFIX,
    SCRUB_KEY,
    VERIFY_POSITION,
    MIRROR_IN_PROGRESS,
    MIRROR_LAST,
    vaultfmt::store::ORPHANS_SETTING,
    vaultfmt::store::PRIORS_SETTING,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_has_a_name_of_its_own() {
        for (i, a) in ALL.iter().enumerate() {
            for b in &ALL[i + 1..] {
                assert_ne!(a, b);
            }
            // An OCR memo's name (the prefix, then hex) never falls on another setting.
            assert!(*a == OCR_MEMO_PREFIX || !a.starts_with(OCR_MEMO_PREFIX), "{a}");
        }
    }
}

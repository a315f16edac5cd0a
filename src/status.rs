//! What `vault status` shows of a vault, and the warning a mount gives when its backup is old
//! (the rule: there is always an encrypted backup on a second drive).

use serde::{Deserialize, Serialize};

use crate::mirror::LastMirror;

/// A vault's state as a person needs it on the day: where it is mounted, whether its backup is
/// recent, what the gate has still to check, and whether a mirror is running.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Status {
    /// The vault's drive or image file.
    pub device: String,
    /// The folder it is mounted on, if it is.
    pub mounted_at: Option<String>,
    pub read_only: bool,
    /// Files written through a mount that the gate has not checked yet.
    pub unchecked: u64,
    /// A mirror of this vault is running (through its mount's process).
    pub mirror_running: bool,
    /// The last complete mirror, if any.
    pub last_mirror: Option<LastMirror>,
    /// The policy's limit on the backup's age, in days (0: none).
    pub backup_max_age_days: u32,
}

/// Seconds in a day.
const DAY: i64 = 86_400;

/// The backup's age in seconds at `now`, if the vault has been mirrored.
pub fn backup_age(last: Option<&LastMirror>, now: i64) -> Option<i64> {
    last.map(|l| (now - l.time).max(0))
}

/// An age in words: "3 hours", "2 days".
pub fn age_words(secs: i64) -> String {
    use crate::size::count;
    match secs {
        s if s < 120 => count(s.max(0), "second"),
        s if s < 2 * 3600 => count(s / 60, "minute"),
        s if s < 2 * DAY => count(s / 3600, "hour"),
        s => count(s / DAY, "day"),
    }
}

/// The warning due when the backup is older than the policy's limit, or there is none.
pub fn backup_warning(last: Option<&LastMirror>, max_age_days: u32, now: i64) -> Option<String> {
    if max_age_days == 0 {
        return None;
    }
    match backup_age(last, now) {
        None => Some(
            "this vault has no complete mirror yet: back it up to an encrypted vault on a second \
             drive (vault mirror DEVICE BACKUP)"
                .to_string(),
        ),
        Some(age) if age > i64::from(max_age_days) * DAY => Some(format!(
            "the last complete mirror (to {}) was {} ago, more than the policy's {}: run vault mirror",
            last.map(|l| l.backup.as_str()).unwrap_or_default(),
            age_words(age),
            crate::size::count(max_age_days, "day")
        )),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mirrored(time: i64) -> LastMirror {
        LastMirror { time, backup: "b.img".into(), backup_uuid: "u".into(), files: 3 }
    }

    #[test]
    fn the_backup_is_old_after_the_policys_days() {
        let now = 100 * DAY;
        assert!(backup_warning(None, 7, now).unwrap().contains("no complete mirror yet"));
        assert_eq!(backup_warning(Some(&mirrored(now - 7 * DAY)), 7, now), None);
        let old = backup_warning(Some(&mirrored(now - 8 * DAY)), 7, now).unwrap();
        assert!(old.contains("to b.img) was 8 days ago, more than the policy's 7 days"), "{old}");
        assert_eq!(backup_warning(None, 0, now), None);
        assert_eq!(age_words(3 * 3600 + 5), "3 hours");
        assert_eq!(age_words(90), "90 seconds");
    }
}

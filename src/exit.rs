//! Exit codes: one table, used by every command, printed in `--help` and `vault(1)`.

use vaultfmt::VolumeError;
use vaultfmt::dev::DevError;
use vaultfmt::header::HeaderError;
use vaultfmt::store::StoreError;

/// Every way `vault` can end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Success.
    Ok = 0,
    /// Refused by a rule, or findings to report (a drive the policy refuses, a device that
    /// holds data and was not confirmed, an identifying file).
    Refused = 1,
    /// Bad usage: unknown options, malformed arguments, no way to ask for a passphrase.
    Usage = 2,
    /// Data does not verify: a damaged header or data area, a read-back mismatch.
    Damaged = 65,
    /// Not found: the file or device does not exist, or holds no vault.
    NoInput = 66,
    /// The drive is absent: unplugged or gone while in use.
    DriveAbsent = 69,
    /// No space left in the vault.
    NoSpace = 73,
    /// Another input/output error.
    Io = 74,
    /// Wrong passphrase or recovery key.
    WrongSecret = 77,
    /// Interrupted (SIGINT).
    Interrupted = 130,
}

/// The table as `--help` and the man page show it.
pub const TABLE: &[(Exit, &str)] = &[
    (Exit::Ok, "success"),
    (Exit::Refused, "refused by a rule, or findings reported"),
    (Exit::Usage, "usage error"),
    (Exit::Damaged, "data or header does not verify (damaged)"),
    (Exit::NoInput, "no such file or device, or it holds no vault"),
    (Exit::DriveAbsent, "the drive is absent or was unplugged"),
    (Exit::NoSpace, "no space left in the vault"),
    (Exit::Io, "other input/output error"),
    (Exit::WrongSecret, "wrong passphrase or recovery key"),
    (Exit::Interrupted, "interrupted"),
];

/// `--help`'s closing text: the exit-code table.
impl Exit {
    /// For commands that go through many files: 74 (an input/output error) when any could not
    /// be read, else 1 when any was refused, else 0.
    pub fn for_files(refused: usize, errors: usize) -> Exit {
        if errors > 0 {
            Exit::Io
        } else if refused > 0 {
            Exit::Refused
        } else {
            Exit::Ok
        }
    }
}

impl Exit {
    /// The exit for a status number another `vault` process reported (74 when unknown).
    pub fn from_code(code: i32) -> Exit {
        TABLE.iter().map(|(e, _)| *e).find(|e| *e as i32 == code).unwrap_or(Exit::Io)
    }
}

pub fn help_table() -> String {
    let mut out = String::from("Exit codes:\n");
    for (code, meaning) in TABLE {
        out.push_str(&format!("  {:>3}  {meaning}\n", *code as i32));
    }
    out
}

/// An error's message for the person: its causes after it, each once (a message that already
/// ends with its cause's text, as `cannot open: No such file or directory` does, does not repeat
/// it).
pub fn message(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if out.ends_with(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

/// An error whose exit code was decided where the work was done (by a mount's process, for a
/// command that asked it through its control socket).
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Decided {
    pub exit: Exit,
    pub message: String,
}

/// A refusal by a rule: exit 1, with the rule named in the message.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(pub String);

/// A usage error found after parsing: exit 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

fn for_dev(e: &DevError) -> Exit {
    match e {
        DevError::InUse { .. } => Exit::Refused,
        DevError::Folder { .. } => Exit::NoInput,
        e if e.is_gone() => match e {
            DevError::Open { .. } => Exit::NoInput,
            _ => Exit::DriveAbsent,
        },
        DevError::Open { source, .. } if source.kind() == std::io::ErrorKind::NotFound => Exit::NoInput,
        _ => Exit::Io,
    }
}

fn for_header(e: &HeaderError) -> Exit {
    match e {
        HeaderError::NotAVault { .. } => Exit::NoInput,
        HeaderError::BothDamaged { .. } | HeaderError::Truncated { .. } => Exit::Damaged,
        HeaderError::TooSmall { .. } => Exit::NoInput,
        HeaderError::Dev(d) => for_dev(d),
    }
}

fn for_store(e: &StoreError) -> Exit {
    if let Some(d) = e.device_error() {
        return for_dev(d);
    }
    match e {
        StoreError::NoSpace { .. } => Exit::NoSpace,
        StoreError::NotFound { .. } => Exit::NoInput,
        StoreError::NotADirectory { .. }
        | StoreError::IsADirectory { .. }
        | StoreError::Exists { .. }
        | StoreError::NotEmpty { .. }
        | StoreError::IntoItself { .. } => Exit::Refused,
        StoreError::InvalidName { .. } => Exit::Usage,
        StoreError::Corrupt { .. }
        | StoreError::BadRecord { .. }
        | StoreError::Inconsistent(_)
        | StoreError::NoAnchor => Exit::Damaged,
        StoreError::Input { source, .. } if source.kind() == std::io::ErrorKind::NotFound => Exit::NoInput,
        _ => Exit::Io,
    }
}

/// The exit code for an error that reached the command line.
pub fn for_error(err: &anyhow::Error) -> Exit {
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<crate::mirror::MirrorError>() {
            use crate::mirror::MirrorError as M;
            return match e {
                M::Source(s) | M::Backup(s) => for_store(s),
                M::Mismatch { .. } | M::SourceDamaged { .. } => Exit::Damaged,
                M::TooManyDeletions { .. } | M::SourceLooksEmpty => Exit::Refused,
                M::Stopped => Exit::Interrupted,
            };
        }
        if let Some(e) = cause.downcast_ref::<VolumeError>() {
            if let VolumeError::Prepare { .. } = e {
                continue; // decided by its source, next in the chain
            }
            return match e {
                VolumeError::Header(h) => for_header(h),
                VolumeError::Dev(d) => for_dev(d),
                VolumeError::WrongSecret { .. } => Exit::WrongSecret,
                VolumeError::Superblock { .. } => Exit::Damaged,
                VolumeError::Kdf { .. } => Exit::Damaged,
                VolumeError::TooSmall { .. }
                | VolumeError::SlotsFull { .. }
                | VolumeError::EmptySlot { .. }
                | VolumeError::LastPassphrase { .. }
                | VolumeError::Key { .. } => Exit::Refused,
                VolumeError::Prepare { .. } => unreachable!("handled above"),
            };
        }
        if let Some(e) = cause.downcast_ref::<StoreError>() {
            return for_store(e);
        }
        if let Some(e) = cause.downcast_ref::<HeaderError>() {
            return for_header(e);
        }
        if let Some(e) = cause.downcast_ref::<DevError>() {
            return for_dev(e);
        }
        if let Some(e) = cause.downcast_ref::<Decided>() {
            return e.exit;
        }
        if cause.downcast_ref::<Refusal>().is_some() {
            return Exit::Refused;
        }
        if cause.downcast_ref::<UsageError>().is_some() {
            return Exit::Usage;
        }
        if cause.downcast_ref::<crate::passphrase::PassphraseError>().is_some() {
            return Exit::Usage;
        }
        if let Some(e) = cause.downcast_ref::<vaultfmt::header::recovery::RecoveryKeyError>() {
            let _ = e;
            return Exit::WrongSecret;
        }
        if let Some(e) = cause.downcast_ref::<std::io::Error>() {
            return if e.kind() == std::io::ErrorKind::NotFound { Exit::NoInput } else { Exit::Io };
        }
    }
    Exit::Io
}

/// Adds the path to an I/O error's message.
pub fn with_path<T>(r: std::io::Result<T>, path: &std::path::Path, what: &str) -> anyhow::Result<T> {
    anyhow::Context::with_context(r, || format!("{}: {what}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cause_the_message_already_ends_with_is_said_once() {
        let missing = || std::io::Error::from(std::io::ErrorKind::NotFound);
        let dev = DevError::Open { device: "v.img".into(), source: missing() };
        let said = message(&anyhow::Error::new(dev));
        assert_eq!(said.matches(&missing().to_string()).count(), 1, "{said}");
        assert!(said.starts_with("v.img: cannot open: "), "{said}");
        // A context that does not end with its cause keeps it.
        let err = anyhow::Error::new(missing()).context("copying a.dcm");
        assert_eq!(message(&err), format!("copying a.dcm: {}", missing()));
    }

    #[test]
    fn many_files_an_unreadable_one_outweighs_a_refused_one() {
        assert_eq!(Exit::for_files(0, 0), Exit::Ok);
        assert_eq!(Exit::for_files(3, 0), Exit::Refused);
        assert_eq!(Exit::for_files(3, 1), Exit::Io);
        assert_eq!(Exit::Io as i32, 74, "the table's I/O code");
    }

    #[test]
    fn io_errors_map_by_kind_and_every_code_is_in_the_table() {
        let io = |k| anyhow::Error::new(std::io::Error::from(k));
        assert_eq!(for_error(&io(std::io::ErrorKind::NotFound)), Exit::NoInput);
        assert_eq!(for_error(&io(std::io::ErrorKind::PermissionDenied)), Exit::Io);
        assert_eq!(for_error(&anyhow::Error::new(UsageError("x".into()))), Exit::Usage);
        assert_eq!(for_error(&anyhow::Error::new(Refusal("x".into()))), Exit::Refused);
        let decided = Decided { exit: Exit::NoSpace, message: "full".into() };
        assert_eq!(for_error(&anyhow::Error::new(decided)), Exit::NoSpace);
        for (exit, _) in TABLE {
            assert_eq!(Exit::from_code(*exit as i32), *exit);
        }
        assert_eq!(Exit::from_code(12345), Exit::Io);
    }

    #[test]
    fn too_small_and_folders_hold_no_vault() {
        let small = HeaderError::TooSmall { device: "z".into(), size: 1024 };
        assert_eq!(for_error(&anyhow::Error::new(small)), Exit::NoInput);
        let folder = DevError::Folder { device: "d".into() };
        assert_eq!(for_error(&anyhow::Error::new(folder)), Exit::NoInput);
    }
}

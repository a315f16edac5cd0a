//! The operations' error: one typed error below the command line, each kind of failure a
//! variant, so that a caller can match on it and [`crate::exit`] can map it to an exit code.
//! `anyhow` is used only by the command files (`src/cli/`) and `main`, at the edge.
//!
//! This module sits under every layer of the crate: it knows the format library's errors and
//! the exit table (`crate::exit`), and a layer above with an error of its own (the mirror's)
//! turns it into [`Error::Layer`] with the exit code it decides.

use std::error::Error as StdError;
use std::path::{Path, PathBuf};

use vaultfmt::VolumeError;
use vaultfmt::dev::DevError;
use vaultfmt::header::HeaderError;
use vaultfmt::header::recovery::RecoveryKeyError;
use vaultfmt::store::StoreError;

use crate::exit::Exit;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Volume(#[from] VolumeError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Header(#[from] HeaderError),
    #[error(transparent)]
    Dev(#[from] DevError),
    #[error(transparent)]
    Passphrase(#[from] crate::passphrase::PassphraseError),
    #[error(transparent)]
    RecoveryKey(#[from] RecoveryKeyError),
    /// Refused by a rule (exit 1).
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// A usage error found after parsing (exit 2).
    #[error(transparent)]
    Usage(#[from] UsageError),
    /// Decided where the work was done (a mount's process).
    #[error(transparent)]
    Decided(#[from] Decided),
    /// An input or output error on a named file or folder.
    #[error("{}: {what}", path.display())]
    File {
        path: PathBuf,
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// The other side of the control socket broke its protocol or went away.
    #[error("{0}")]
    Control(String),
    #[error("the mount's process sent something that is not its protocol")]
    Protocol(#[from] serde_json::Error),
    /// A record the vault keeps (a setting) that cannot be read as what it should be.
    #[error("{0}")]
    Damaged(String),
    /// A layer's own error (the mirror's), with the exit code it decides.
    #[error("{source}")]
    Layer {
        exit: Exit,
        #[source]
        source: Box<dyn StdError + Send + Sync>,
    },
    /// What was being done when `source` happened.
    #[error("{what}")]
    Context {
        what: String,
        #[source]
        source: Box<Error>,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An I/O error on `path`, with what was being done (`cannot read`).
    pub fn file(path: &Path, what: &str, source: std::io::Error) -> Error {
        Error::File { path: path.to_path_buf(), what: what.to_string(), source }
    }
}

/// Says what was being done, as `anyhow::Context` does for the command files.
pub trait Context<T> {
    fn context(self, what: impl Into<String>) -> Result<T>;
}

impl<T, E: Into<Error>> Context<T> for std::result::Result<T, E> {
    fn context(self, what: impl Into<String>) -> Result<T> {
        self.map_err(|e| Error::Context { what: what.into(), source: Box::new(e.into()) })
    }
}

/// Adds the path to an I/O error's message.
pub fn with_path<T>(r: std::io::Result<T>, path: &Path, what: &str) -> Result<T> {
    r.map_err(|e| Error::file(path, what, e))
}

/// An error's message for the person: its causes after it, each once (a message that already
/// ends with its cause's text, as `cannot open: No such file or directory` does, does not repeat
/// it).
pub fn message(err: &(dyn StdError + 'static)) -> String {
    let mut out = String::new();
    for cause in chain(err) {
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

/// An error and its causes, outermost first.
fn chain<'a>(err: &'a (dyn StdError + 'static)) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(err), |e| (*e).source())
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

/// The exit code for a store error (also what a layer's own error holding one decides).
pub fn for_store(e: &StoreError) -> Exit {
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

/// The exit code for an error that reached the command line: decided by the outermost cause
/// that decides one.
pub fn for_error(err: &(dyn StdError + 'static)) -> Exit {
    chain(err).find_map(decides).unwrap_or(Exit::Io)
}

/// The exit code one cause decides; `None` leaves it to the cause under it.
fn decides(cause: &(dyn StdError + 'static)) -> Option<Exit> {
    if let Some(e) = cause.downcast_ref::<Error>() {
        return e.exit();
    }
    if let Some(e) = cause.downcast_ref::<VolumeError>() {
        return for_volume(e);
    }
    if let Some(e) = cause.downcast_ref::<StoreError>() {
        return Some(for_store(e));
    }
    if let Some(e) = cause.downcast_ref::<HeaderError>() {
        return Some(for_header(e));
    }
    if let Some(e) = cause.downcast_ref::<DevError>() {
        return Some(for_dev(e));
    }
    if let Some(e) = cause.downcast_ref::<Decided>() {
        return Some(e.exit);
    }
    if cause.is::<Refusal>() {
        return Some(Exit::Refused);
    }
    if cause.is::<UsageError>() || cause.is::<crate::passphrase::PassphraseError>() {
        return Some(Exit::Usage);
    }
    if cause.is::<RecoveryKeyError>() {
        return Some(Exit::WrongSecret);
    }
    cause.downcast_ref::<std::io::Error>().map(for_io)
}

impl Error {
    /// The exit code this error decides; `None` for a context, which its cause decides.
    pub fn exit(&self) -> Option<Exit> {
        Some(match self {
            Error::Volume(e) => return for_volume(e),
            Error::Store(e) => for_store(e),
            Error::Header(e) => for_header(e),
            Error::Dev(e) => for_dev(e),
            Error::Layer { exit, .. } => *exit,
            Error::Damaged(_) => Exit::Damaged,
            Error::Passphrase(_) | Error::Usage(_) => Exit::Usage,
            Error::RecoveryKey(_) => Exit::WrongSecret,
            Error::Refused(_) => Exit::Refused,
            Error::Decided(d) => d.exit,
            Error::File { source, .. } | Error::Io(source) => for_io(source),
            Error::Control(_) | Error::Protocol(_) => Exit::Io,
            Error::Context { .. } => return None,
        })
    }
}

fn for_io(e: &std::io::Error) -> Exit {
    if e.kind() == std::io::ErrorKind::NotFound { Exit::NoInput } else { Exit::Io }
}

/// `None` for a failure to lay out a new vault, which its source decides.
fn for_volume(e: &VolumeError) -> Option<Exit> {
    Some(match e {
        VolumeError::Prepare { .. } => return None,
        VolumeError::Header(h) => for_header(h),
        VolumeError::Dev(d) => for_dev(d),
        VolumeError::WrongSecret { .. } => Exit::WrongSecret,
        VolumeError::Superblock { .. } | VolumeError::Kdf { .. } => Exit::Damaged,
        VolumeError::TooSmall { .. }
        | VolumeError::SlotsFull { .. }
        | VolumeError::EmptySlot { .. }
        | VolumeError::LastPassphrase { .. }
        | VolumeError::Key { .. } => Exit::Refused,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn missing() -> std::io::Error {
        std::io::Error::from(std::io::ErrorKind::NotFound)
    }

    #[test]
    fn a_cause_the_message_already_ends_with_is_said_once() {
        let dev = Error::from(DevError::Open { device: "v.img".into(), source: missing() });
        let said = message(&dev);
        assert_eq!(said.matches(&missing().to_string()).count(), 1, "{said}");
        assert!(said.starts_with("v.img: cannot open: "), "{said}");
        // A context that does not end with its cause keeps it.
        let err = Err::<(), _>(missing()).context("copying a.dcm").unwrap_err();
        assert_eq!(message(&err), format!("copying a.dcm: {}", missing()));
        let file = Error::file(std::path::Path::new("a.dcm"), "cannot read", missing());
        assert_eq!(message(&file), format!("a.dcm: cannot read: {}", missing()));
    }

    #[test]
    fn each_kind_of_error_maps_to_its_exit_code() {
        let io = |k| Error::from(std::io::Error::from(k));
        let exit = |e: Error| for_error(&e);
        assert_eq!(exit(io(std::io::ErrorKind::NotFound)), Exit::NoInput);
        assert_eq!(exit(io(std::io::ErrorKind::PermissionDenied)), Exit::Io);
        let unreadable =
            Error::file(std::path::Path::new("a.dcm"), "cannot read", std::io::Error::other("EIO"));
        assert_eq!(exit(unreadable), Exit::Io, "an unreadable input file is an I/O error (74)");
        assert_eq!(exit(UsageError("x".into()).into()), Exit::Usage);
        assert_eq!(exit(Refusal("x".into()).into()), Exit::Refused);
        assert_eq!(exit(Decided { exit: Exit::NoSpace, message: "full".into() }.into()), Exit::NoSpace);
        assert_eq!(exit(Error::Control("gone".into())), Exit::Io);
        let wrong = VolumeError::WrongSecret { device: "v.img".into(), what: "passphrase" };
        assert_eq!(exit(wrong.into()), Exit::WrongSecret);
        let full = StoreError::NoSpace { path: "a.dcm".into() };
        assert_eq!(exit(full.into()), Exit::NoSpace);
        assert_eq!(exit(Error::Damaged("the policy record".into())), Exit::Damaged);
        // A context says what was being done; its cause decides the code.
        let gone = DevError::Open { device: "v.img".into(), source: missing() };
        assert_eq!(exit(Err::<(), _>(gone).context("opening the backup").unwrap_err()), Exit::NoInput);
        // At the edge, the command files' anyhow errors decide the same way.
        let edge =
            anyhow::Error::new(Error::from(StoreError::NoSpace { path: "a.dcm".into() })).context("copying");
        assert_eq!(for_error(edge.as_ref()), Exit::NoSpace);
    }

    #[test]
    fn too_small_and_folders_hold_no_vault() {
        let small = HeaderError::TooSmall { device: "z".into(), size: 1024 };
        assert_eq!(for_error(&Error::from(small)), Exit::NoInput);
        let folder = DevError::Folder { device: "d".into() };
        assert_eq!(for_error(&Error::from(folder)), Exit::NoInput);
    }
}

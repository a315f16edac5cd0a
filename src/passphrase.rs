//! Where passphrases and recovery keys come from: a terminal prompt, a file, or an inherited
//! file descriptor. Never argv or the environment (both are visible to other processes).

use std::fs::File;
use std::io::Read;
use std::os::fd::FromRawFd;
use std::path::PathBuf;

use zeroize::Zeroizing;

/// The shortest new passphrase accepted.
pub const MIN_NEW_PASSPHRASE: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum PassphraseError {
    #[error("no terminal to ask for the {what}; use --{flag}-file FILE or --{flag}-fd N")]
    NoTerminal { what: &'static str, flag: &'static str },
    #[error("cannot read the {what} from {from}: {source}")]
    Read { what: &'static str, from: String, source: std::io::Error },
    #[error("the {what} from {from} is empty")]
    Empty { what: &'static str, from: String },
    #[error("the new passphrase is shorter than {MIN_NEW_PASSPHRASE} characters; choose a longer one")]
    TooShort,
    #[error("the two passphrases typed differ")]
    Mismatch,
}

/// Where one secret comes from.
#[derive(Clone, Debug, Default)]
pub struct Source {
    pub file: Option<PathBuf>,
    pub fd: Option<i32>,
}

/// What is asked for: names used in prompts, messages and flag names.
#[derive(Clone, Copy)]
pub struct Ask {
    pub what: &'static str,
    pub flag: &'static str,
    pub prompt: &'static str,
}

pub const CURRENT: Ask = Ask { what: "passphrase", flag: "passphrase", prompt: "Passphrase: " };
pub const NEW: Ask = Ask { what: "new passphrase", flag: "new-passphrase", prompt: "New passphrase: " };
pub const RECOVERY: Ask = Ask { what: "recovery key", flag: "recovery-key", prompt: "Recovery key: " };

/// The first line of `bytes`, without its line ending.
fn first_line(mut bytes: Zeroizing<Vec<u8>>) -> Zeroizing<Vec<u8>> {
    if let Some(end) = bytes.iter().position(|&b| b == b'\n') {
        bytes.truncate(end);
    }
    if bytes.last() == Some(&b'\r') {
        bytes.pop();
    }
    bytes
}

fn read_all(mut reader: impl Read, ask: Ask, from: String) -> Result<Zeroizing<Vec<u8>>, PassphraseError> {
    let mut bytes = Zeroizing::new(Vec::new());
    reader.read_to_end(&mut bytes).map_err(|source| PassphraseError::Read {
        what: ask.what,
        from: from.clone(),
        source,
    })?;
    let line = first_line(bytes);
    if line.is_empty() {
        return Err(PassphraseError::Empty { what: ask.what, from });
    }
    Ok(line)
}

fn prompt(ask: Ask, text: &str) -> Result<Zeroizing<Vec<u8>>, PassphraseError> {
    let typed = rpassword::prompt_password(text).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound | std::io::ErrorKind::Other | std::io::ErrorKind::Unsupported => {
            PassphraseError::NoTerminal { what: ask.what, flag: ask.flag }
        }
        _ => PassphraseError::Read { what: ask.what, from: "the terminal".into(), source: e },
    })?;
    let bytes = Zeroizing::new(typed.into_bytes());
    if bytes.is_empty() {
        return Err(PassphraseError::Empty { what: ask.what, from: "the terminal".into() });
    }
    Ok(bytes)
}

fn has_terminal() -> bool {
    std::fs::OpenOptions::new().read(true).write(true).open("/dev/tty").is_ok()
}

/// Reads one secret from its source; `confirm` asks twice on a terminal.
pub fn read(source: &Source, ask: Ask, confirm: bool) -> Result<Zeroizing<Vec<u8>>, PassphraseError> {
    if let Some(path) = &source.file {
        let from = path.display().to_string();
        let file = File::open(path).map_err(|e| PassphraseError::Read {
            what: ask.what,
            from: from.clone(),
            source: e,
        })?;
        return read_all(file, ask, from);
    }
    if let Some(fd) = source.fd {
        // SAFETY: the caller handed us this descriptor to read a secret from; we own it now.
        let file = unsafe { File::from_raw_fd(fd) };
        return read_all(file, ask, format!("file descriptor {fd}"));
    }
    if !has_terminal() {
        return Err(PassphraseError::NoTerminal { what: ask.what, flag: ask.flag });
    }
    let first = prompt(ask, ask.prompt)?;
    if confirm {
        let again = prompt(ask, "Repeat it: ")?;
        if *again != *first {
            return Err(PassphraseError::Mismatch);
        }
    }
    Ok(first)
}

/// Reads a new passphrase and checks its length.
pub fn read_new(source: &Source, ask: Ask) -> Result<Zeroizing<Vec<u8>>, PassphraseError> {
    let pass = read(source, ask, true)?;
    if String::from_utf8_lossy(&pass).chars().count() < MIN_NEW_PASSPHRASE {
        return Err(PassphraseError::TooShort);
    }
    Ok(pass)
}

//! Exit codes: one table, used by every command, printed in `--help` and `vault(1)`.

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

/// A command's exit note, each code taken from the table with when the command ends so:
/// `Exit status: 0 when every file is accepted; 1 when any is refused.` A command's `--help`
/// and man page say its codes with this, so they cannot drift from what it returns.
pub fn status(cases: &[(Exit, &str)]) -> String {
    let cases: Vec<String> = cases.iter().map(|(exit, when)| format!("{} {when}", *exit as i32)).collect();
    format!("Exit status: {}.", cases.join("; "))
}

pub fn help_table() -> String {
    let mut out = String::from("Exit codes:\n");
    for (code, meaning) in TABLE {
        out.push_str(&format!("  {:>3}  {meaning}\n", *code as i32));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_files_an_unreadable_one_outweighs_a_refused_one() {
        assert_eq!(Exit::for_files(0, 0), Exit::Ok);
        assert_eq!(Exit::for_files(3, 0), Exit::Refused);
        assert_eq!(Exit::for_files(3, 1), Exit::Io);
        assert_eq!(Exit::Io as i32, 74, "the table's I/O code");
    }

    #[test]
    fn a_commands_exit_note_takes_its_numbers_from_the_table() {
        let note = status(&[
            (Exit::Ok, "when clean"),
            (Exit::Io, "when unreadable"),
            (Exit::Usage, "on a usage error"),
        ]);
        assert_eq!(note, "Exit status: 0 when clean; 74 when unreadable; 2 on a usage error.");
    }

    #[test]
    fn every_code_is_in_the_table() {
        for (exit, _) in TABLE {
            assert_eq!(Exit::from_code(*exit as i32), *exit);
        }
        assert_eq!(Exit::from_code(12345), Exit::Io);
    }
}

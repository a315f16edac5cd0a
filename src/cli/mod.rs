//! The command line: one module per command, each a thin layer over `vaultfmt`.
//!
//! Every flag is defined once here with clap; `--help`, `vault(1)` and the tests that keep
//! them in step all come from these definitions.

pub mod bench;
pub mod check;
pub mod completions;
pub mod drives;
pub mod eject;
pub mod export;
pub mod fsck;
pub mod guard;
pub mod header;
pub mod import;
pub mod info;
pub mod init;
pub mod log;
pub mod ls;
pub mod man;
pub mod mirror;
pub mod mount;
pub mod passwd;
pub mod policy;
pub mod receive;
pub mod recovery;
pub mod scrub;
pub mod status;
pub mod target;
pub mod verify;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use vaultfmt::Volume;
use vaultfmt::dev::FileDevice;
use vaultfmt::header::kdf::{self, KdfParams};

use crate::error;
pub use crate::error::with_path;
use crate::exit::{self, Exit};
pub use crate::open::{open_device, unlock_with, warn_header};
use crate::passphrase::{self, Source};

#[derive(Parser, Debug)]
#[command(
    name = "vault",
    version,
    about = "Encrypted, de-identifying DICOM vaults on external drives",
    long_about = "vault formats an external drive (or an image file) as an encrypted container \
                  for teaching collections of DICOM studies, and keeps the keys to it.",
    after_help = exit::help_table(),
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Format a drive or a new image file as a vault; prints the recovery key once
    Init(init::InitArgs),
    /// Show what a vault's plaintext header says (no passphrase needed)
    Info(info::InfoArgs),
    /// Change, add or remove a passphrase
    Passwd(passwd::PasswdArgs),
    /// Open a vault with its recovery key and set a new passphrase, or make a new recovery key
    Recovery(recovery::RecoveryArgs),
    /// Back up, restore or repair the vault's header
    #[command(subcommand)]
    Header(header::HeaderCommand),
    /// Unlock a vault and show it as a folder (FUSE), for drag and drop
    Mount(mount::MountArgs),
    /// Commit everything and unmount a vault's folder; the keys are wiped
    Umount(mount::UmountArgs),
    /// Copy files and folders into a vault (without mounting it)
    Import(import::ImportArgs),
    /// Copy a file or folder out of a vault, every byte verified
    Export(export::ExportArgs),
    /// List a folder of a vault
    Ls(ls::LsArgs),
    /// Check every record and every byte of a vault; --repair sets damaged files aside
    Fsck(fsck::FsckArgs),
    /// Show the vault's audit log
    Log(log::LogArgs),
    /// Mounted vaults, the age of their backup, files still unchecked, a mirror in progress
    Status(status::StatusArgs),
    /// Commit, unmount, wait for work on the vault, power the drive down: then safe to unplug
    Eject(eject::EjectArgs),
    /// The gate's verdict on files and folders: would they be refused as identifying?
    Check(check::CheckArgs),
    /// De-identify DICOM files into a folder, so that the gate accepts them
    Scrub(scrub::ScrubArgs),
    /// Show or change the gate policy a vault keeps
    #[command(subcommand)]
    Policy(policy::PolicyCommand),
    /// Copy a vault into a backup vault; every copy read back and compared by BLAKE3
    Mirror(mirror::MirrorArgs),
    /// Take DICOM "send to" from a PACS, OsiriX or Horos: a Storage SCP behind the gate
    Receive(receive::ReceiveArgs),
    /// Read every file of a vault and check every hash; with --budget, a part per run
    Verify(verify::VerifyArgs),
    /// The attached drives, each with the drive policy's verdict and its evidence
    Drives(drives::DrivesArgs),
    /// Make USB storage the drive policy refuses read-only as it is plugged in
    Guard(guard::GuardArgs),
    /// Measure the sector cipher and the key derivation on this machine, beside OpenSSL
    Bench(bench::BenchArgs),
    /// Print the completion script for bash, zsh or fish
    Completions(completions::CompletionsArgs),
}

/// Where the current passphrase comes from.
#[derive(Args, Debug, Clone, Default)]
pub struct PassphraseArgs {
    /// Read the passphrase from the first line of FILE instead of the terminal
    #[arg(long, value_name = "FILE", conflicts_with = "passphrase_fd")]
    pub passphrase_file: Option<PathBuf>,
    /// Read the passphrase from file descriptor N instead of the terminal
    #[arg(long, value_name = "N")]
    pub passphrase_fd: Option<i32>,
}

impl PassphraseArgs {
    pub fn source(&self) -> Source {
        Source { file: self.passphrase_file.clone(), fd: self.passphrase_fd }
    }
}

/// Where a new passphrase comes from.
#[derive(Args, Debug, Clone, Default)]
pub struct NewPassphraseArgs {
    /// Read the new passphrase from the first line of FILE instead of the terminal
    #[arg(long, value_name = "FILE", conflicts_with = "new_passphrase_fd")]
    pub new_passphrase_file: Option<PathBuf>,
    /// Read the new passphrase from file descriptor N instead of the terminal
    #[arg(long, value_name = "N")]
    pub new_passphrase_fd: Option<i32>,
}

impl NewPassphraseArgs {
    pub fn source(&self) -> Source {
        Source { file: self.new_passphrase_file.clone(), fd: self.new_passphrase_fd }
    }
}

/// The cost of the key derivation for new keyslots.
#[derive(Args, Debug, Clone)]
pub struct KdfArgs {
    /// Target time of one Argon2id derivation, in milliseconds
    #[arg(long, value_name = "MS", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(1..=60_000))]
    pub kdf_time: u64,
    /// Most memory one Argon2id derivation may use, in MiB (never more than half the RAM)
    #[arg(long, value_name = "MIB", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub kdf_memory: u32,
}

impl KdfArgs {
    /// Calibrates Argon2id for this machine within these limits.
    pub fn calibrate(&self) -> KdfParams {
        if std::io::stderr().is_terminal() {
            eprintln!("Calibrating the key derivation (about {} ms)…", self.kdf_time);
        }
        kdf::calibrate(Duration::from_millis(self.kdf_time), self.kdf_memory * 1024)
    }
}

pub fn kdf_json(p: &KdfParams) -> serde_json::Value {
    serde_json::json!({"algorithm": "argon2id", "memory_kib": p.memory_kib, "time": p.time, "lanes": p.lanes})
}

pub fn kdf_human(p: &KdfParams) -> String {
    format!("Argon2id, {} KiB, {} passes, {} lanes", p.memory_kib, p.time, p.lanes)
}

/// Formats a UUID as 8-4-4-4-12 hex digits.
pub fn uuid_string(uuid: &[u8; 16]) -> String {
    vaultfmt::header::uuid_text(uuid)
}

/// How to scrub: shared by `vault scrub`, `vault import --scrub` and `vault receive --scrub`.
#[derive(Args, Debug, Clone, Default)]
pub struct ScrubOptions {
    /// Annex E options: keep what the basic profile removes (without this: clean-descriptors
    /// and patient-characteristics, where the policy allows them)
    #[arg(long, value_name = "OPTION", value_delimiter = ',', conflicts_with = "basic")]
    pub retain: Vec<crate::scrub::Retain>,
    /// The basic profile alone, no option (descriptions removed, not cleaned)
    #[arg(long)]
    pub basic: bool,
    /// Blank burned-in text: "auto" (every box of text OCR reads, and vault's device rules;
    /// the output is read again and written only if nothing identifying is legible), "default"
    /// (the device rules alone), or the rules in FILE (JSON)
    #[arg(long, value_name = "auto|default|FILE")]
    pub redact: Option<String>,
}

impl ScrubOptions {
    pub fn given(&self) -> bool {
        !self.retain.is_empty() || self.basic || self.redact.is_some()
    }

    pub fn asked(&self) -> crate::scrub::options::Asked<'_> {
        crate::scrub::options::Asked {
            retain: &self.retain,
            basic: self.basic,
            redact: self.redact.as_deref(),
        }
    }

    /// How a door scrubs what comes in with `--scrub` (`scrub`); None without it.
    pub fn scrubbing(
        &self,
        scrub: bool,
        policy: &crate::gate::Policy,
        key: impl FnOnce() -> crate::error::Result<crate::scrub::uid::ScrubKey>,
    ) -> crate::error::Result<Option<crate::scrub::file::Scrubbing>> {
        scrub.then(|| crate::scrub::options::scrubbing_for(&self.asked(), policy, key)).transpose()
    }
}

/// Opens and unlocks a vault with a passphrase.
pub fn unlock(path: &Path, pass: &PassphraseArgs, slot: Option<usize>) -> anyhow::Result<Volume<FileDevice>> {
    Ok(unlock_with(path, slot, || Ok(passphrase::read(&pass.source(), passphrase::CURRENT, false)?))?)
}

/// A progress bar on standard error when it is a terminal and the output is not JSON; hidden
/// otherwise. `total` makes a bar, `None` a spinner.
pub fn progress_bar(json: bool, total: Option<u64>, template: &str) -> indicatif::ProgressBar {
    if json || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = match total {
        Some(n) => indicatif::ProgressBar::new(n),
        None => indicatif::ProgressBar::new_spinner(),
    };
    bar.set_style(indicatif::ProgressStyle::with_template(template).expect("a valid template"));
    bar
}

/// Terminals at least this wide get a drawn bar and the rate; narrower ones (80 columns) the
/// percentage, so that the file's name still shows.
const WIDE: usize = 110;

/// The bar's template for a copy of known size: how far, bytes, (rate,) time left, then
/// [`bar_message`].
pub fn copy_bar() -> &'static str {
    if terminal_columns() >= WIDE {
        "{bar:20} {bytes}/{total_bytes} {bytes_per_sec} {eta} left  {wide_msg}"
    } else {
        "{percent:>3}% {bytes}/{total_bytes} {eta} left  {wide_msg}"
    }
}

/// What a copy's bar says after its numbers: "12/120 files  …/series1/im003.dcm", the path cut
/// from the front so that its end (the file's name) shows on the terminal's line.
pub fn bar_message(done: u64, total: u64, path: &str) -> String {
    let count = format!("{done}/{total} files");
    // What the template's numbers take at their usual widths.
    let columns = terminal_columns();
    let numbers = if columns >= WIDE { 66 } else { 40 };
    let room = columns.saturating_sub(numbers + count.len() + 2).max(16);
    format!("{count}  {}", tail(path, room))
}

/// The last `room` characters of `path`, with "…" in front when it was cut.
pub fn tail(path: &str, room: usize) -> String {
    let chars = path.chars().count();
    if chars <= room {
        return path.to_string();
    }
    let keep: String = path.chars().skip(chars - room.saturating_sub(1)).collect();
    format!("…{keep}")
}

/// A message for standard error, wrapped between words to the terminal's width (continuation
/// lines indented) when standard error is a terminal; as it is otherwise.
pub fn wrapped(text: &str) -> String {
    if !std::io::stderr().is_terminal() {
        return text.to_string();
    }
    wrap(text, terminal_columns(), "    ")
}

/// Wraps `text` between words at `width` characters; lines after the first start with `indent`.
pub fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    let mut line = 0;
    for word in text.split(' ') {
        let len = word.chars().count();
        if line > 0 && line + 1 + len > width {
            out.push('\n');
            out.push_str(indent);
            line = indent.chars().count();
        } else if line > 0 || !out.is_empty() {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += len;
    }
    out
}

/// The width of the terminal on standard error (80 when it cannot be told).
fn terminal_columns() -> usize {
    // SAFETY: winsize is plain integers; all zeros is a valid value.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    // SAFETY: TIOCGWINSZ fills the winsize we own.
    let ok = unsafe { libc::ioctl(libc::STDERR_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
    if ok && size.ws_col > 0 { size.ws_col as usize } else { 80 }
}

/// Prints one JSON object on stdout.
pub fn print_json(value: &serde_json::Value) {
    println!("{value}");
}

/// Parses the arguments, runs the command, and maps its outcome to an exit code.
pub fn run() -> ExitCode {
    use clap::{CommandFactory, FromArgMatches};
    // The commit and the cipher engine are known at build and at run time, not to the derive.
    let parsed = Cli::command()
        .version(crate::version::line())
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { Exit::Usage as u8 } else { Exit::Ok as u8 });
        }
    };
    let result = match cli.command {
        Command::Init(args) => init::run(args),
        Command::Info(args) => info::run(args),
        Command::Passwd(args) => passwd::run(args),
        Command::Recovery(args) => recovery::run(args),
        Command::Header(cmd) => header::run(cmd),
        Command::Mount(args) => mount::run(args),
        Command::Umount(args) => mount::run_umount(args),
        Command::Import(args) => import::run(args),
        Command::Export(args) => export::run(args),
        Command::Ls(args) => ls::run(args),
        Command::Fsck(args) => fsck::run(args),
        Command::Log(args) => log::run(args),
        Command::Status(args) => status::run(args),
        Command::Eject(args) => eject::run(args),
        Command::Check(args) => check::run(args),
        Command::Scrub(args) => scrub::run(args),
        Command::Policy(cmd) => policy::run(cmd),
        Command::Mirror(args) => mirror::run(args),
        Command::Receive(args) => receive::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Drives(args) => drives::run(args),
        Command::Guard(args) => guard::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Completions(args) => completions::run(args),
    };
    if vaultfmt::secret::memory_lock_failed() {
        eprintln!(
            "vault: warning: key memory could not be locked into RAM (RLIMIT_MEMLOCK); keys may reach swap"
        );
    }
    match result {
        Ok(code) => ExitCode::from(code as u8),
        Err(err) => {
            eprintln!("vault: {}", error::message(err.as_ref()));
            ExitCode::from(error::for_error(err.as_ref()) as u8)
        }
    }
}

/// For commands that handle one file after another, each taking a few buffers of its own size
/// (scrub, receive): buffers kept on the heap and reused rather than mapped fresh (and zeroed by
/// the kernel, a page fault a page) for every file. Called before worker threads start.
pub fn reuse_large_buffers() {
    // SAFETY: mallopt only tunes the allocator.
    #[cfg(target_env = "gnu")]
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 64 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_paths_keep_their_end_and_messages_wrap_between_words() {
        assert_eq!(tail("/study/series1/im003.dcm", 12), "…1/im003.dcm");
        assert_eq!(tail("/a.dcm", 12), "/a.dcm");
        let text = "vault: skipped study/id.dcm: refused by the gate: identifying-attribute: (0010,0010) PatientName";
        let w = wrap(text, 40, "    ");
        assert!(w.lines().all(|l| l.chars().count() <= 40), "{w}");
        assert_eq!(w.replace("\n    ", " "), text);
    }

    /// Every command that says its exit codes says codes of the one table, each once, in one
    /// sentence [`exit::status`] writes.
    #[test]
    fn each_commands_exit_note_is_the_tables() {
        use clap::CommandFactory;
        let codes: Vec<i32> = exit::TABLE.iter().map(|(e, _)| *e as i32).collect();
        let mut noted = 0;
        for command in Cli::command().get_subcommands() {
            let help = command.get_after_help().map(|h| h.to_string()).unwrap_or_default();
            let Some(at) = help.find("Exit status:") else { continue };
            noted += 1;
            assert_eq!(help.matches("Exit status").count(), 1, "{}", command.get_name());
            let sentence = &help[at..at + help[at..].find(".\n").map_or(help.len() - at, |e| e + 1)];
            let said: Vec<i32> = sentence
                .split(['\n', ';', ':'])
                .filter_map(|case| case.split_whitespace().next()?.parse().ok())
                .collect();
            assert!(
                !said.is_empty() && said.iter().all(|c| codes.contains(c)),
                "{}: {sentence}",
                command.get_name()
            );
        }
        assert!(noted >= 6, "exit notes found in only {noted} commands");
    }
}

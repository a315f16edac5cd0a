//! `vault mirror`: copy a vault into a backup vault, incrementally, every copy read back and
//! compared by BLAKE3 before it is committed (see `crate::mirror`).

use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;

use super::{KdfArgs, PassphraseArgs, print_json, progress_bar};
use crate::control::{self, Opened};
use crate::error::UsageError;
use crate::exit::Exit;
use crate::mirror::{Options, Summary, mirror_into};
use crate::passphrase::{self, Source};
use crate::size::{count, human};

/// What `vault mirror --help` says before its exit note.
const MIRROR_BEFORE: &str = "Files that are the same in both (size and BLAKE3) are not copied; a file \
    the backup holds under an old name is linked to its new one, not copied again. Every copy is \
    read back from the backup drive (its cache dropped) and compared by BLAKE3 before the commit \
    that makes it visible; a mismatch is retried once, then the run stops with exit status 65 \
    naming the file. Every file passes the gate with the backup's policy: refusals are listed, \
    audited in the backup, and give exit status 1. Interrupted, the backup keeps its last commit \
    and the next run resumes. Deletions happen only with --delete, at the end, never more than \
    --max-delete, and never when the source holds no file.\n\nThe backup's passphrase comes from \
    --dst-passphrase-file or --dst-passphrase-fd; without them the source's passphrase is tried.";

/// What `vault mirror --help` says after its exit note.
const MIRROR_AFTER: &str = "A mounted source is mirrored by its mount's process (asked \
    through its control socket, after proof that this command unlocked the vault) while the mount \
    goes on serving: the files as the run found them; one that changes during the run is left \
    for the next (counted as changed). A mounted backup is refused with 1.";

#[derive(Args, Debug)]
#[command(after_help = format!("{MIRROR_BEFORE}\n\n{}\n\n{MIRROR_AFTER}", crate::exit::status(&[
    (Exit::Ok, "when the backup equals the source"),
    (Exit::Refused, "when a file was refused by the gate or a deletion was refused"),
    (Exit::Damaged, "when a copy does not read back or the source is damaged"),
    (Exit::NoSpace, "when the backup is full"),
    (Exit::WrongSecret, "for a wrong passphrase"),
    (Exit::DriveAbsent, "when a drive went away"),
    (Exit::Interrupted, "when the mounted source was unmounted during the run"),
])))]
pub struct MirrorArgs {
    /// The vault to copy from (drive or image file)
    #[arg(value_name = "SRC")]
    pub source: PathBuf,
    /// The backup vault to copy into (drive or image file)
    #[arg(value_name = "DST")]
    pub dest: PathBuf,
    /// Delete from DST what SRC no longer has (at the end)
    #[arg(long)]
    pub delete: bool,
    /// Refuse (change nothing) when more than N entries would be deleted
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub max_delete: usize,
    /// Say what would be copied, linked, deleted, refused and in conflict (exiting as the run
    /// would); change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Format DST as a new vault first (as vault init DST does: it prints a recovery key)
    #[arg(long, conflicts_with = "dst_passphrase_fd")]
    pub init: bool,
    /// With --init: format DST even though it holds data (a filesystem, a vault)
    #[arg(long, requires = "init")]
    pub yes: bool,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
    /// Read DST's passphrase from the first line of FILE
    #[arg(long, value_name = "FILE", conflicts_with = "dst_passphrase_fd")]
    pub dst_passphrase_file: Option<PathBuf>,
    /// Read DST's passphrase from file descriptor N
    #[arg(long, value_name = "N")]
    pub dst_passphrase_fd: Option<i32>,
    /// Key-derivation cost for the new vault made by --init
    #[command(flatten)]
    pub kdf: KdfArgs,
    /// One JSON object per event, then a summary, one per line (JSON Lines)
    #[arg(long)]
    pub json: bool,
}

/// True when two paths name one file or one drive (however spelt: `./v.img`, a link).
fn same_vault(a: &Path, b: &Path) -> bool {
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => {
            (a.dev(), a.ino()) == (b.dev(), b.ino())
                || (a.file_type().is_block_device()
                    && b.file_type().is_block_device()
                    && a.rdev() == b.rdev())
        }
        _ => false,
    }
}

pub fn run(args: MirrorArgs) -> anyhow::Result<Exit> {
    if same_vault(&args.source, &args.dest) {
        return Err(UsageError(format!(
            "{} and {} are the same vault; a mirror copies into a second vault, on another drive",
            args.source.display(),
            args.dest.display()
        ))
        .into());
    }
    let src_secret = passphrase::read(&args.passphrase.source(), passphrase::CURRENT, false)?;
    let dst_source = Source { file: args.dst_passphrase_file.clone(), fd: args.dst_passphrase_fd };
    let dst_given = dst_source.file.is_some() || dst_source.fd.is_some();
    let ask_dst =
        passphrase::Ask { what: "backup passphrase", flag: "dst-passphrase", prompt: "Backup passphrase: " };
    if args.init {
        let init = super::init::InitArgs {
            device: Some(args.dest.clone()),
            image: None,
            size: None,
            yes: args.yes,
            accept_drive: false,
            passphrase: PassphraseArgs {
                passphrase_file: args.dst_passphrase_file.clone(),
                passphrase_fd: args.dst_passphrase_fd,
            },
            kdf: args.kdf.clone(),
            json: args.json,
        };
        let code = super::init::run(init)?;
        if code != Exit::Ok {
            return Ok(code);
        }
    }
    let volume = super::unlock_with(&args.source, None, || Ok(src_secret.clone()))?;
    // A mounted source is mirrored by its mount's process.
    let source = control::open_or_ask_mount(&args.source, volume, "mirror (source)")?;
    // Without a source of its own, the backup's passphrase is the source's; a backup just made
    // by --init on the terminal is asked for again.
    let dst_secret = if dst_given || args.init {
        passphrase::read(&dst_source, ask_dst, false)?
    } else {
        src_secret.clone()
    };
    drop(src_secret);
    let opts = Options {
        delete: args.delete,
        max_delete: args.max_delete,
        dry_run: args.dry_run,
        ..Options::default()
    };
    let mut show = Show::new(args.json, args.dry_run);
    let started = Instant::now();
    let through_mount = matches!(source, Opened::Mounted(..));
    let result = match source {
        Opened::Here(source) => mirror_into(&source, &args.dest, &dst_secret, &opts, &mut |v| show.event(&v)),
        Opened::Mounted(client, control_key) => {
            if !args.json {
                eprintln!(
                    "vault: {} is mounted: its mount's process does the mirror (a file that changes during \
                     the run is left for the next)",
                    args.source.display()
                );
            }
            client.mirror(&control_key, &args.dest, &opts, &dst_secret, &mut |v| show.event(&v))
        }
    };
    drop(dst_secret);
    show.bar.finish_and_clear();
    Ok(show.finish(&result?, started.elapsed().as_secs_f64(), through_mount))
}

/// What the user sees of a run: a progress bar and messages, or JSON lines.
struct Show {
    json: bool,
    dry_run: bool,
    bar: indicatif::ProgressBar,
    /// Files copied so far, and the plan's count.
    files: (u64, u64),
}

impl Show {
    fn new(json: bool, dry_run: bool) -> Show {
        let bar = progress_bar(json, None, "{spinner} {bytes} copied {bytes_per_sec} {wide_msg}");
        Show { json, dry_run, bar, files: (0, 0) }
    }

    fn event(&mut self, event: &serde_json::Value) {
        let json = self.json;
        if json {
            print_json(event);
        }
        let text = |key: &str| event[key].as_str().unwrap_or_default().to_string();
        let path = text("path");
        match event["event"].as_str().unwrap_or_default() {
            "planned" if !json && !self.dry_run => {
                // The plan is known: the spinner becomes a bar with a total and time left.
                self.files.1 = event["files"].as_u64().unwrap_or(0);
                self.bar.set_length(event["bytes"].as_u64().unwrap_or(0));
                if let Ok(style) = indicatif::ProgressStyle::with_template(super::copy_bar()) {
                    self.bar.set_style(style);
                }
            }
            "copied" => {
                self.files.0 += 1;
                self.bar.inc(event["bytes"].as_u64().unwrap_or(0));
                self.bar.set_message(super::bar_message(self.files.0, self.files.1.max(self.files.0), &path));
            }
            "resumed" if !json => eprintln!("vault: resuming a mirror run that was interrupted"),
            "refused" => {
                let reasons = event["reasons"].as_array().map(Vec::as_slice).unwrap_or_default();
                let rules: Vec<String> = reasons
                    .iter()
                    .map(|r| {
                        let part = |k: &str| r[k].as_str().unwrap_or_default().to_string();
                        format!("{}: {} {}", part("rule"), part("tag"), part("keyword"))
                            .trim_end()
                            .to_string()
                    })
                    .collect();
                if !json {
                    // Said as it happens, above the bar.
                    let rules = rules.join("; ");
                    let line = super::wrapped(&format!("vault: {path}: refused by the gate: {rules}"));
                    self.bar.suspend(|| eprintln!("{line}"));
                }
            }
            "retried" if !json => {
                eprintln!("vault: {path}: the copy did not read back as written; writing it again")
            }
            "conflict" if !json => eprintln!("vault: {path}: not copied: {}", text("why")),
            "warning" if !json => eprintln!("vault: warning: {}", text("message")),
            "deleted" if !json && self.dry_run => println!("would delete {path}"),
            "linked" if !json && self.dry_run => println!("would link {path} (from {})", text("from")),
            _ => {}
        }
    }

    /// Prints the summary; the run's exit status.
    fn finish(self, summary: &Summary, secs: f64, through_mount: bool) -> Exit {
        if self.json {
            let mut v = serde_json::to_value(summary).expect("summary serializes");
            v["event"] = "summary".into();
            v["seconds"] = secs.into();
            v["through_mount"] = through_mount.into();
            print_json(&v);
        } else {
            let verb = if summary.dry_run { "Would copy" } else { "Copied" };
            println!(
                "{verb} {} ({}, {} read back and verified), linked {} renamed, {} unchanged, deleted {}, \
                 refused {}{}{} in {secs:.1} s{}.",
                count(summary.copied, "file"),
                human(summary.copied_bytes),
                summary.verified,
                summary.linked,
                summary.unchanged,
                summary.deleted,
                summary.refused,
                if summary.conflicts > 0 {
                    format!(", {}", count(summary.conflicts, "conflict"))
                } else {
                    String::new()
                },
                if summary.changed > 0 {
                    format!(", {} changed during the run (left for the next)", summary.changed)
                } else {
                    String::new()
                },
                if summary.resumed { " (resumed)" } else { "" },
            );
        }
        if summary.refused > 0 || summary.conflicts > 0 { Exit::Refused } else { Exit::Ok }
    }
}

//! `vault mirror`: copy a vault into a backup vault, incrementally, every copy read back and
//! compared by BLAKE3 before it is committed (see `crate::mirror`).

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use vaultfmt::dev::FileDevice;
use vaultfmt::store::Store;

use super::{KdfArgs, PassphraseArgs, print_json, progress_bar};
use crate::exit::Exit;
use crate::mirror::{self, Event, Options};
use crate::passphrase::{self, Source};
use crate::size::human;

#[derive(Args, Debug)]
#[command(after_help = "Files that are the same in both (size and BLAKE3) are not copied; a file \
    the backup holds under an old name is linked to its new one, not copied again. Every copy is \
    read back from the backup drive (its cache dropped) and compared by BLAKE3 before the commit \
    that makes it visible; a mismatch is retried once, then the run stops with exit status 65 \
    naming the file. Every file passes the gate with the backup's policy: refusals are listed, \
    audited in the backup, and give exit status 1. Interrupted, the backup keeps its last commit \
    and the next run resumes. Deletions happen only with --delete, at the end, never more than \
    --max-delete, and never when the source holds no file.\n\nThe backup's passphrase comes from \
    --dst-passphrase-file or --dst-passphrase-fd; without them the source's passphrase is tried.\n\n\
    Exit status: 0 when the backup equals the source; 1 when a file was refused by the gate or a \
    deletion was refused; 65 when a copy does not read back or the source is damaged; 73 when the \
    backup is full; 77 for a wrong passphrase; 69 when a drive went away. Either vault in use by \
    another vault process (mounted) is refused with 1.")]
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
    /// Say what would be copied, linked and deleted; change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Format DST as a new vault first (as vault init DST does: it prints a recovery key)
    #[arg(long, conflicts_with = "dst_passphrase_fd")]
    pub init: bool,
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
    /// One JSON object per event and a summary, one per line
    #[arg(long)]
    pub json: bool,
}

/// Unlocks a vault with a passphrase already read, and opens its store.
fn open(
    path: &Path,
    secret: &zeroize::Zeroizing<Vec<u8>>,
    command: &str,
) -> anyhow::Result<Store<FileDevice>> {
    super::target::open_unlocked(super::unlock_with(path, None, || Ok(secret.clone()))?, command)
}

pub fn run(args: MirrorArgs) -> anyhow::Result<Exit> {
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
            yes: false,
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
    let source = open(&args.source, &src_secret, "mirror (source)")?;
    // Without a source of its own, the backup's passphrase is the source's; a backup just made
    // by --init on the terminal is asked for again.
    let dst_secret = if dst_given || args.init {
        passphrase::read(&dst_source, ask_dst, false)?
    } else {
        src_secret.clone()
    };
    let backup = open(&args.dest, &dst_secret, "mirror")?;
    drop((src_secret, dst_secret));
    let policy = super::policy::vault_policy(&backup)?;
    let opts = Options {
        delete: args.delete,
        max_delete: args.max_delete,
        dry_run: args.dry_run,
        ..Options::default()
    };

    let bar = progress_bar(args.json, None, "{spinner} {bytes} copied {bytes_per_sec} {wide_msg}");
    let started = Instant::now();
    let mut refused = Vec::new();
    let json = args.json;
    let result = mirror::mirror(&source, &backup, &policy, &opts, &mut |event| {
        if json {
            print_json(&serde_json::to_value(event).expect("events serialize"));
        }
        match event {
            Event::Copied { path, bytes } => {
                bar.inc(*bytes);
                bar.set_message(path.clone());
            }
            Event::Resumed if !json => eprintln!("vault: resuming a mirror run that was interrupted"),
            Event::Refused { path, reasons } => {
                let rules: Vec<String> = reasons.iter().map(|r| format!("{} {}", r.rule, r.tag)).collect();
                refused.push((path.clone(), rules.join(", ")));
            }
            Event::Retried { path } if !json => {
                eprintln!("vault: {path}: the copy did not read back as written; writing it again")
            }
            Event::Conflict { path, why } if !json => eprintln!("vault: {path}: not copied: {why}"),
            Event::Deleted { path } if !json && opts.dry_run => println!("would delete {path}"),
            Event::Linked { path, from } if !json && opts.dry_run => {
                println!("would link {path} (from {from})")
            }
            _ => {}
        }
    });
    bar.finish_and_clear();
    let summary = result?;
    let secs = started.elapsed().as_secs_f64();
    if args.json {
        let mut v = serde_json::to_value(&summary).expect("summary serializes");
        v["event"] = "summary".into();
        v["seconds"] = secs.into();
        print_json(&v);
    } else {
        for (path, rules) in &refused {
            eprintln!("vault: {path}: refused by the gate: {rules}");
        }
        let verb = if summary.dry_run { "Would copy" } else { "Copied" };
        println!(
            "{verb} {} files ({}, {} read back and verified), linked {} renamed, {} unchanged, deleted {}, \
             refused {}{} in {secs:.1} s{}.",
            summary.copied,
            human(summary.copied_bytes),
            summary.verified,
            summary.linked,
            summary.unchanged,
            summary.deleted,
            summary.refused,
            if summary.conflicts > 0 { format!(", {} conflicts", summary.conflicts) } else { String::new() },
            if summary.resumed { " (resumed)" } else { "" },
        );
    }
    Ok(if summary.refused > 0 || summary.conflicts > 0 { Exit::Refused } else { Exit::Ok })
}

//! `vault verify`: read every file of a vault and check every hash: each 64 KiB chunk against
//! its keyed BLAKE3, each whole file against its recorded BLAKE3. With `--budget`, a run stops
//! when its time is up and the next run goes on from where it stopped (the position is kept in
//! the vault), so that repeated short runs cover everything.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use clap::Args;
use serde::{Deserialize, Serialize};
use vaultfmt::dev::BlockDevice;
use vaultfmt::store::{Kind, Store, StoreError};

use super::{PassphraseArgs, print_json, progress_bar};
use crate::control::{self, Opened};
use crate::exit::Exit;
use crate::settings::VERIFY_POSITION;
use crate::size::{count, human};

#[derive(Serialize, Deserialize, Default)]
struct Position {
    /// The next file (by inode number) to verify.
    next: u64,
}

#[derive(Args, Debug)]
#[command(after_help = "Exit status: 0 when everything read verifies; 65 when a file is damaged \
    (each one named). With --budget, the files not reached are verified by the next run, which \
    starts where this one stopped; a pass that reaches the end starts again from the beginning.\n\n\
    A mounted vault is verified by its mount's process (asked through its control socket, after \
    proof that this command unlocked the vault) while the mount goes on serving; a file deleted \
    meanwhile is passed over; unmounting ends the run at its next file. On a read-only mount the \
    position is not kept.")]
pub struct VerifyArgs {
    /// The vault's drive or image file
    pub device: std::path::PathBuf,
    /// Stop after this long (for example 90s, 20m, 2h; at least one file) and go on from
    /// there next time
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub budget: Option<Duration>,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
    /// One JSON object per damaged file, then a summary, one per line (JSON Lines)
    #[arg(long)]
    pub json: bool,
}

/// `90`, `90s`, `20m`, `2h`, `1h30m`, `500ms`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("{text:?} is not a duration (try 90s, 20m or 2h)");
    let mut total_ms = 0u64;
    let mut number = String::new();
    let mut chars = text.trim().chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit_ms = match c {
            'm' if chars.peek() == Some(&'s') => {
                chars.next();
                1
            }
            's' => 1000,
            'm' => 60_000,
            'h' => 3_600_000,
            _ => return Err(bad()),
        };
        total_ms += number.parse::<u64>().map_err(|_| bad())? * unit_ms;
        number.clear();
    }
    if !number.is_empty() {
        total_ms += number.parse::<u64>().map_err(|_| bad())? * 1000;
    }
    if total_ms == 0 {
        return Err(bad());
    }
    Ok(Duration::from_millis(total_ms))
}

/// A damaged file and what is wrong with it.
#[derive(Serialize, Deserialize)]
pub struct Damaged {
    pub path: String,
    pub what: String,
}

/// What one run found.
#[derive(Serialize, Deserialize)]
pub struct Report {
    /// Files verified.
    pub files: u64,
    pub bytes: u64,
    pub damaged: Vec<Damaged>,
    /// Where this run began (0: at the beginning of a pass).
    pub started_at: u64,
    /// Where the next run goes on (0: this run ended the pass).
    pub next: u64,
    /// Files left for the next run.
    pub left: usize,
}

/// Verifies `store`'s files from the kept position, for `budget` at most (one file at least)
/// or until `stop` is set, and keeps the position for the next run (not in a vault opened
/// read-only). The files are
/// listed once and each read in a read view of its own: a mounted vault's mount goes on meanwhile
/// (`crate::control`), and a file deleted since the listing is passed over.
pub fn verify_store<D: BlockDevice + 'static>(
    store: &Store<D>,
    budget: Option<Duration>,
    stop: Option<&std::sync::atomic::AtomicBool>,
    on_file: &mut dyn FnMut(&str),
    on_bytes: &mut dyn FnMut(u64),
) -> anyhow::Result<Report> {
    let start: Position = store.begin_read_setting(VERIFY_POSITION)?.unwrap_or_default();
    let started = Instant::now();
    // Files the gate has not passed are left out, as from every way out of the vault.
    let unchecked = crate::gate::door::unchecked(store)?;
    let files: BTreeMap<u64, String> = crate::mirror::tree(&store.read()?, &unchecked)?
        .into_iter()
        .filter(|(_, e)| e.inode.kind == Kind::File)
        .map(|(path, e)| (e.ino, path))
        .collect();
    let mut report =
        Report { files: 0, bytes: 0, damaged: Vec::new(), started_at: start.next, next: 0, left: 0 };
    for (&ino, path) in files.range(start.next..) {
        // At least one file a run, so that any budget makes progress.
        let stopped = stop.is_some_and(|s| s.load(std::sync::atomic::Ordering::SeqCst));
        if report.files > 0 && (stopped || budget.is_some_and(|b| started.elapsed() >= b)) {
            report.next = ino;
            report.left = files.range(ino..).count();
            break;
        }
        on_file(path);
        let view = store.read()?;
        let Some(inode) = view.inode(ino)? else { continue };
        let mut hasher = blake3::Hasher::new();
        let read = view.copy_out(ino, &mut hasher, on_bytes);
        report.files += 1;
        match read {
            Ok(n) => {
                report.bytes += n;
                if inode.content_hash.is_some_and(|h| &h != hasher.finalize().as_bytes()) {
                    let what = "the content does not match its recorded BLAKE3".into();
                    report.damaged.push(Damaged { path: path.clone(), what });
                }
            }
            Err(StoreError::Corrupt { what, .. }) => {
                report.damaged.push(Damaged { path: path.clone(), what })
            }
            Err(e) => return Err(e.into()),
        }
    }
    let mut tx = match store.begin() {
        Err(StoreError::ReadOnly) => return Ok(report),
        tx => tx?,
    };
    tx.put_setting(VERIFY_POSITION, &Position { next: report.next })?;
    tx.audit(
        "verify",
        &[
            ("files", &report.files.to_string()),
            ("bytes", &report.bytes.to_string()),
            ("damaged", &report.damaged.len().to_string()),
            ("complete", if report.next == 0 { "yes" } else { "no" }),
        ],
    )?;
    tx.commit()?;
    Ok(report)
}

pub fn run(args: VerifyArgs) -> anyhow::Result<Exit> {
    let volume = super::unlock(&args.device, &args.passphrase, None)?;
    let started = Instant::now();
    let bar = progress_bar(args.json, None, "{spinner} verified {bytes} {bytes_per_sec} {wide_msg}");
    let report = match control::open_or_ask_mount(&args.device, volume, "verify")? {
        Opened::Here(store) => {
            let (on_file, on_bytes) =
                (&mut |path: &str| bar.set_message(path.to_string()), &mut |n| bar.inc(n));
            verify_store(&store, args.budget, None, on_file, on_bytes)?
        }
        Opened::Mounted(client, key) => {
            if !args.json {
                eprintln!("vault: {} is mounted: its mount's process verifies it", args.device.display());
            }
            client.verify(&key, args.budget, &mut |path, bytes| {
                bar.inc(bytes);
                bar.set_message(path.to_string());
            })?
        }
    };
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    let (checked, bytes) = (report.files, report.bytes);
    if args.json {
        for d in &report.damaged {
            print_json(&serde_json::json!({"event": "damaged", "path": d.path, "what": d.what}));
        }
        print_json(&serde_json::json!({
            "event": "summary", "files": checked, "bytes": bytes, "damaged": report.damaged.len(),
            "started_at": report.started_at, "pass_complete": report.next == 0, "next": report.next,
            "seconds": secs,
        }));
    } else {
        for d in &report.damaged {
            eprintln!("vault: {}: damaged: {}", d.path, d.what);
        }
        let whence = if report.started_at > 0 { " (going on from the last run)" } else { "" };
        let rest = if report.next == 0 {
            "the pass is complete".to_string()
        } else {
            format!("{} left for the next run", count(report.left, "file"))
        };
        println!(
            "Verified {} ({}) in {secs:.1} s ({}/s){whence}; {} damaged; {rest}.",
            count(checked, "file"),
            human(bytes),
            human((bytes as f64 / secs.max(1e-9)) as u64),
            report.damaged.len()
        );
    }
    Ok(if report.damaged.is_empty() { Exit::Ok } else { Exit::Damaged })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("20m").unwrap(), Duration::from_secs(1200));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        for bad in ["", "0", "x", "5d", "m"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}

//! `vault verify`: read every file of a vault and check every hash: each 64 KiB chunk against
//! its keyed BLAKE3, each whole file against its recorded BLAKE3. With `--budget`, a run stops
//! when its time is up and the next run goes on from where it stopped (the position is kept in
//! the vault), so that repeated short runs cover everything.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use clap::Args;
use serde::{Deserialize, Serialize};
use vaultfmt::store::{Kind, StoreError};

use super::target::open_store;
use super::{PassphraseArgs, print_json, progress_bar};
use crate::exit::Exit;
use crate::size::human;

/// The vault's setting that keeps the rolling position.
const POSITION: &str = "verify_position";

#[derive(Serialize, Deserialize, Default)]
struct Position {
    /// The next file (by inode number) to verify.
    next: u64,
}

#[derive(Args, Debug)]
#[command(after_help = "Exit status: 0 when everything read verifies; 65 when a file is damaged \
    (each one named). With --budget, the files not reached are verified by the next run, which \
    starts where this one stopped; a pass that reaches the end starts again from the beginning.")]
pub struct VerifyArgs {
    /// The vault's drive or image file
    pub device: std::path::PathBuf,
    /// Stop after this long (for example 90s, 20m, 2h; at least one file) and go on from
    /// there next time
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub budget: Option<Duration>,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
    /// One JSON object per damaged file and a summary, one per line
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

pub fn run(args: VerifyArgs) -> anyhow::Result<Exit> {
    let store = open_store(&args.device, &args.passphrase, "verify")?;
    let start: Position = store.begin_read_setting(POSITION)?.unwrap_or_default();
    let started = Instant::now();
    let view = store.read()?;
    let files: BTreeMap<u64, String> = crate::mirror::tree(&view)?
        .into_iter()
        .filter(|(_, e)| e.inode.kind == Kind::File)
        .map(|(path, e)| (e.ino, path))
        .collect();
    let bar = progress_bar(args.json, None, "{spinner} verified {bytes} {bytes_per_sec} {wide_msg}");
    let (mut checked, mut bytes) = (0u64, 0u64);
    let mut damaged: Vec<(String, String)> = Vec::new();
    let mut next = 0u64; // 0: the pass reached the end
    for (&ino, path) in files.range(start.next..) {
        // At least one file a run, so that any budget makes progress.
        if checked > 0 && args.budget.is_some_and(|b| started.elapsed() >= b) {
            next = ino;
            break;
        }
        bar.set_message(path.clone());
        let inode = view.inode(ino)?.ok_or_else(|| StoreError::NotFound { path: path.clone() })?;
        let mut hasher = blake3::Hasher::new();
        let read = view.copy_out(ino, &mut hasher, &mut |n| bar.inc(n));
        checked += 1;
        match read {
            Ok(n) => {
                bytes += n;
                if inode.content_hash.is_some_and(|h| &h != hasher.finalize().as_bytes()) {
                    damaged.push((path.clone(), "the content does not match its recorded BLAKE3".into()));
                }
            }
            Err(StoreError::Corrupt { what, .. }) => damaged.push((path.clone(), what)),
            Err(e) => return Err(e.into()),
        }
    }
    drop(view);
    bar.finish_and_clear();
    let mut tx = store.begin()?;
    tx.put_setting(POSITION, &Position { next })?;
    tx.audit(
        "verify",
        &[
            ("files", &checked.to_string()),
            ("bytes", &bytes.to_string()),
            ("damaged", &damaged.len().to_string()),
            ("complete", if next == 0 { "yes" } else { "no" }),
        ],
    )?;
    tx.commit()?;
    let secs = started.elapsed().as_secs_f64();
    if args.json {
        for (path, what) in &damaged {
            print_json(&serde_json::json!({"event": "damaged", "path": path, "what": what}));
        }
        print_json(&serde_json::json!({
            "event": "summary", "files": checked, "bytes": bytes, "damaged": damaged.len(),
            "started_at": start.next, "pass_complete": next == 0, "next": next, "seconds": secs,
        }));
    } else {
        for (path, what) in &damaged {
            eprintln!("vault: {path}: damaged: {what}");
        }
        let whence = if start.next > 0 { " (going on from the last run)" } else { "" };
        let rest = if next == 0 {
            "the pass is complete".to_string()
        } else {
            format!("{} files left for the next run", files.range(next..).count())
        };
        println!(
            "Verified {checked} files ({}) in {secs:.1} s ({}/s){whence}; {} damaged; {rest}.",
            human(bytes),
            human((bytes as f64 / secs.max(1e-9)) as u64),
            damaged.len()
        );
    }
    Ok(if damaged.is_empty() { Exit::Ok } else { Exit::Damaged })
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

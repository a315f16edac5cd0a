//! `vault verify`: read every file of a vault and check every hash: each 64 KiB chunk against
//! its keyed BLAKE3, each whole file against its recorded BLAKE3. With `--budget`, a run stops
//! when its time is up and the next run goes on from where it stopped (the position is kept in
//! the vault), so that repeated short runs cover everything.

use std::time::{Duration, Instant};

use clap::Args;

use super::{PassphraseArgs, print_json, progress_bar};
use crate::control::{self, Opened};
use crate::exit::Exit;
use crate::size::{count, human};
use crate::verify::verify_store;

/// What `vault verify --help` says after its exit note.
const VERIFY_AFTER: &str = "With --budget, the files not reached are verified by the next run, which \
    starts where this one stopped; a pass that reaches the end starts again from the beginning.\n\n\
    A mounted vault is verified by its mount's process (asked through its control socket, after \
    proof that this command unlocked the vault) while the mount goes on serving; a file deleted \
    meanwhile is passed over; unmounting ends the run at its next file. On a read-only mount the \
    position is not kept.";

#[derive(Args, Debug)]
#[command(after_help = format!("{} {VERIFY_AFTER}", crate::exit::status(&[
    (Exit::Ok, "when everything read verifies"),
    (Exit::Damaged, "when a file is damaged (each one named)"),
])))]
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

//! Verifying a vault: every file read in a read view of its own, each 64 KiB chunk checked
//! against its keyed BLAKE3 (by the store, as it reads), each whole file against its recorded
//! BLAKE3; a position kept in the vault so that runs with a time budget go on where the last
//! stopped. `vault verify` shows it; a mounted vault's process runs it for the command
//! (`crate::control`).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use vaultfmt::dev::BlockDevice;
use vaultfmt::store::{Kind, Store, StoreError};

use crate::settings::VERIFY_POSITION;

#[derive(Serialize, Deserialize, Default)]
struct Position {
    /// The next file (by inode number) to verify.
    next: u64,
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
) -> crate::error::Result<Report> {
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

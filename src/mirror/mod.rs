//! The mirror: one vault copied into another (the backup), incrementally.
//!
//! - What is the same is not copied: a file whose size and BLAKE3 match the backup's copy at the
//!   same path stays; one whose content the backup holds under a path the source no longer has
//!   (a rename) is linked to its new name, not copied again.
//! - Invariant 6: every copied file is read back from the backup's medium (flushed once per
//!   batch, cached copies dropped) and compared by BLAKE3 with the source's content before the
//!   commit that makes it visible. A mismatch is written and checked once more, then the run
//!   fails naming the file; the batch it was in is abandoned, so nothing unverified is ever
//!   committed.
//! - Files enter the backup only through the gate, with the backup's own policy: the mirror is
//!   a door like any other (invariant 4). Refusals are audited in the backup.
//! - Interrupted at any point, the backup holds its last commit (batches as `crate::batch`
//!   says); a mark in it says a run was cut short, and the next run
//!   says it resumed and skips what was verified and committed.
//! - A source may change during a run (a mounted vault, mirrored by its mount's process): the
//!   run lists it once, then reads each file in a read view of its own, so nothing of the
//!   source is held back from reuse for longer than one file; a file that changed since it was
//!   listed is left for the next run (an event says so), never copied half old, half new.
//! - Deletions only when asked, after everything else, and never more than the caller allows or
//!   when the source holds no file while the backup holds some: a source that looks empty is
//!   taken for a mistake (a wrong drive), not for an instruction to empty the backup.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};
use vaultfmt::dev::BlockDevice;
use vaultfmt::store::{Inode, Kind, ROOT, ReadView, Store, StoreError};

use crate::exit::Exit;
use crate::gate::{Policy, Reason};
use crate::settings::{MIRROR_IN_PROGRESS, MIRROR_LAST};

mod apply;
pub mod plan;

/// A complete mirror: the backup equalled the source when it ended, every copy read back.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct LastMirror {
    /// When it ended, in seconds since 1970 (UTC).
    pub time: i64,
    /// The backup's drive or image, as the command named it.
    pub backup: String,
    /// The backup vault's UUID.
    pub backup_uuid: String,
    /// Files the backup held of the source's.
    pub files: u64,
}

/// The source's last complete mirror, if it has had one.
pub fn last<S: BlockDevice + 'static>(
    source: &Store<S>,
) -> std::result::Result<Option<LastMirror>, StoreError> {
    source.read()?.setting(MIRROR_LAST)
}

/// Records a complete mirror in its source (nothing for a run that was not: a dry run, refusals,
/// conflicts, files changed during the run).
pub fn record<S: BlockDevice + 'static, D: BlockDevice + 'static>(
    source: &Store<S>,
    backup: &Store<D>,
    backup_name: &str,
    summary: &Summary,
) -> std::result::Result<bool, StoreError> {
    if summary.dry_run || summary.refused > 0 || summary.conflicts > 0 || summary.changed > 0 {
        return Ok(false);
    }
    let last = LastMirror {
        time: vaultfmt::store::Time::now().secs,
        backup: backup_name.to_string(),
        backup_uuid: vaultfmt::header::uuid_text(&backup.volume().header().uuid),
        files: summary.copied + summary.unchanged + summary.linked,
    };
    let mut tx = source.begin()?;
    tx.put_setting(MIRROR_LAST, &last)?;
    tx.audit("mirrored", &[("backup", &last.backup_uuid), ("files", &last.files.to_string())])?;
    tx.commit()?;
    Ok(true)
}

#[derive(Debug, thiserror::Error)]
pub enum MirrorError {
    #[error("source: {0}")]
    Source(StoreError),
    #[error("backup: {0}")]
    Backup(StoreError),
    #[error(
        "{path}: the copy in the backup does not read back as written, twice; nothing of this batch was committed"
    )]
    Mismatch { path: String },
    #[error("{path}: the source's content does not match its recorded BLAKE3 (damaged source)")]
    SourceDamaged { path: String },
    #[error("refused: --delete would delete {would} entries from the backup (more than --max-delete {max})")]
    TooManyDeletions { would: usize, max: usize },
    #[error("refused: the source holds no file but the backup does; not deleting (a wrong source drive?)")]
    SourceLooksEmpty,
    #[error(
        "stopped before the end (the source was unmounted, or the command that asked went away); \
         the backup keeps every copy verified so far, and the next run resumes"
    )]
    Stopped,
}

impl From<MirrorError> for crate::error::Error {
    fn from(e: MirrorError) -> crate::error::Error {
        let exit = match &e {
            MirrorError::Source(s) | MirrorError::Backup(s) => crate::error::for_store(s),
            MirrorError::Mismatch { .. } | MirrorError::SourceDamaged { .. } => Exit::Damaged,
            MirrorError::TooManyDeletions { .. } | MirrorError::SourceLooksEmpty => Exit::Refused,
            MirrorError::Stopped => Exit::Interrupted,
        };
        crate::error::Error::Layer { exit, source: Box::new(e) }
    }
}

type Result<T> = std::result::Result<T, MirrorError>;

fn src<T>(r: std::result::Result<T, StoreError>) -> Result<T> {
    r.map_err(MirrorError::Source)
}

fn dst<T>(r: std::result::Result<T, StoreError>) -> Result<T> {
    r.map_err(MirrorError::Backup)
}

#[derive(Clone, Debug)]
pub struct Options {
    pub delete: bool,
    pub max_delete: usize,
    pub dry_run: bool,
    /// Files in one commit, at most (`crate::batch`: never more than its rule, whose bytes
    /// also end a batch).
    pub batch_files: usize,
    /// Set by someone else to stop the run before its next path: what is verified is
    /// committed, and the run fails with [`MirrorError::Stopped`].
    pub stop: Option<Arc<AtomicBool>>,
}

impl Options {
    fn stopped(&self) -> bool {
        self.stop.as_ref().is_some_and(|s| s.load(Ordering::SeqCst))
    }
}

impl Default for Options {
    fn default() -> Options {
        Options {
            delete: false,
            max_delete: 100,
            dry_run: false,
            batch_files: crate::batch::FILES,
            stop: None,
        }
    }
}

/// What happened to one path; the caller shows it (a progress bar, JSON lines).
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Event {
    Resumed,
    /// What the run expects to copy, from sizes and the hashes stored (a progress bar's total;
    /// a file found unchanged or renamed is not copied after all).
    Planned {
        files: u64,
        bytes: u64,
    },
    Copied {
        path: String,
        bytes: u64,
    },
    Linked {
        path: String,
        from: String,
    },
    Refused {
        path: String,
        reasons: Vec<Reason>,
    },
    Retried {
        path: String,
    },
    Deleted {
        path: String,
    },
    Conflict {
        path: String,
        why: &'static str,
    },
    /// Changed in the source since the run listed it (a mounted source): left for the next run.
    Changed {
        path: String,
    },
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Summary {
    pub resumed: bool,
    pub dry_run: bool,
    pub copied: u64,
    pub copied_bytes: u64,
    /// Copies read back from the backup's medium and found equal (all that were committed).
    pub verified: u64,
    pub linked: u64,
    pub unchanged: u64,
    pub folders: u64,
    pub links: u64,
    pub deleted: u64,
    pub refused: u64,
    pub conflicts: u64,
    /// Files that changed in the source during the run (a mounted source), left for the next.
    #[serde(default)]
    pub changed: u64,
}

/// One entry of a vault's tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub ino: u64,
    pub inode: Inode,
}

/// Every path of a vault with its inode, parents before children ("/" itself left out), but
/// the files in `hidden` (files the gate has not passed: `gate::door::unchecked`).
pub fn tree<D: BlockDevice + 'static>(
    view: &ReadView<'_, D>,
    hidden: &std::collections::BTreeSet<u64>,
) -> std::result::Result<plan::Tree, StoreError> {
    let mut out = BTreeMap::new();
    let mut dirs = vec![(ROOT, String::new())];
    while let Some((dir, path)) = dirs.pop() {
        for e in view.entries(dir)? {
            if hidden.contains(&e.ino) {
                continue;
            }
            let child = format!("{path}/{}", e.name);
            let inode = view.inode(e.ino)?.ok_or_else(|| StoreError::NotFound { path: child.clone() })?;
            if inode.kind == Kind::Dir {
                dirs.push((e.ino, child.clone()));
            }
            out.insert(child, Entry { ino: e.ino, inode });
        }
    }
    Ok(out)
}

/// Mirrors `source` into `backup`: lists both, plans ([`plan::plan`]), applies
/// ([`apply::Apply`]). `events` hears of every path that changes.
pub fn mirror<S: BlockDevice + 'static, D: BlockDevice + 'static>(
    source: &Store<S>,
    backup: &Store<D>,
    policy: &Policy,
    opts: &Options,
    events: &mut dyn FnMut(&Event),
) -> Result<Summary> {
    // What the gate has not passed in the source is not mirrored (invariant 4).
    let unchecked = src(crate::gate::door::unchecked(source))?;
    let from = src(tree(&src(source.read())?, &unchecked))?;
    let to = dst(tree(&dst(backup.read())?, &Default::default()))?;
    let resumed =
        dst(backup.begin_read_setting::<apply::Mark>(MIRROR_IN_PROGRESS))?.is_some_and(|m| m.in_progress);
    if resumed {
        events(&Event::Resumed);
    }
    let plan = plan::plan(&from, &to, opts)?;
    events(&Event::Planned { files: plan.files, bytes: plan.bytes });
    let summary = Summary { resumed, dry_run: opts.dry_run, ..Summary::default() };
    apply::Apply::begin(source, backup, policy, opts, summary, events)?.run(plan, opts, events)
}

/// Unlocks a vault with a passphrase already read, and opens its store.
fn open(
    path: &std::path::Path,
    secret: &zeroize::Zeroizing<Vec<u8>>,
    command: &str,
) -> crate::error::Result<Store<vaultfmt::dev::FileDevice>> {
    crate::open::open_unlocked(crate::open::unlock_with(path, None, || Ok(secret.clone()))?, command)
}

/// Opens the backup at `dest` and mirrors `source` into it; every event goes to `emit` as JSON.
/// The mirror's whole work, whichever process holds the source (this one, or its mount's:
/// `crate::control`).
pub fn mirror_into<S: BlockDevice + 'static>(
    source: &Store<S>,
    dest: &std::path::Path,
    dst_secret: &zeroize::Zeroizing<Vec<u8>>,
    opts: &Options,
    emit: &mut dyn FnMut(serde_json::Value),
) -> crate::error::Result<Summary> {
    let backup = open(dest, dst_secret, "mirror")?;
    let policy = crate::gate::door::vault_policy(&backup)?;
    let summary = mirror(source, &backup, &policy, opts, &mut |event| {
        emit(serde_json::to_value(event).expect("events serialize"))
    })?;
    // The source remembers a complete mirror (`vault status`); a source mounted read-only
    // cannot, and says so.
    if let Err(e) = record(source, &backup, &dest.display().to_string(), &summary) {
        emit(
            serde_json::json!({"event": "warning", "message": format!("the mirror is complete, but the source could not record it: {e}")}),
        );
    }
    Ok(summary)
}

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
//! - Interrupted at any point, the backup holds its last commit (batches of [`BATCH_FILES`]
//!   files or [`BATCH_BYTES`] bytes); a mark in it says a run was cut short, and the next run
//!   says it resumed and skips what was verified and committed.
//! - A source may change during a run (a mounted vault, mirrored by its mount's process): the
//!   run lists it once, then reads each file in a read view of its own, so nothing of the
//!   source is held back from reuse for longer than one file; a file that changed since it was
//!   listed is left for the next run (an event says so), never copied half old, half new.
//! - Deletions only when asked, after everything else, and never more than the caller allows or
//!   when the source holds no file while the backup holds some: a source that looks empty is
//!   taken for a mistake (a wrong drive), not for an instruction to empty the backup.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};
use vaultfmt::dev::BlockDevice;
use vaultfmt::store::{Inode, Kind, ROOT, ReadView, SetAttrs, Store, StoreError, Txn, split_path};

use crate::gate::{self, Policy, Reason};
use crate::settings::{MIRROR_IN_PROGRESS, MIRROR_LAST};

/// A batch is committed after this many files or bytes (and at the end).
pub const BATCH_FILES: usize = 256;
pub const BATCH_BYTES: u64 = 256 << 20;

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

impl MirrorError {
    /// The store error inside, for the exit code (a damaged or pulled drive).
    pub fn store_error(&self) -> Option<&StoreError> {
        match self {
            MirrorError::Source(e) | MirrorError::Backup(e) => Some(e),
            _ => None,
        }
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
    /// Files in one commit (at most; [`BATCH_BYTES`] also ends a batch).
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
        Options { delete: false, max_delete: 100, dry_run: false, batch_files: BATCH_FILES, stop: None }
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
#[derive(Clone, Debug)]
pub struct Entry {
    pub ino: u64,
    pub inode: Inode,
}

/// Every path of a vault with its inode, parents before children ("/" itself left out), but
/// the files in `hidden` (files the gate has not passed: `gate::door::unchecked`).
pub fn tree<D: BlockDevice + 'static>(
    view: &ReadView<'_, D>,
    hidden: &std::collections::BTreeSet<u64>,
) -> std::result::Result<BTreeMap<String, Entry>, StoreError> {
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

/// The source file as listed, read in a read view of its own (`out` gets its bytes); `None`
/// when it has changed since it was listed (a mounted source goes on changing during a run).
/// Each read has its own short view, so that a long run keeps nothing of the source's
/// metadata or freed sectors from being reused for more than one file's time.
fn read_listed<S: BlockDevice + 'static>(
    source: &Store<S>,
    e: &Entry,
    out: &mut dyn std::io::Write,
) -> Result<Option<()>> {
    let view = src(source.read())?;
    let Some(now) = src(view.inode(e.ino))? else { return Ok(None) };
    if (now.size, now.ctime, now.content_hash) != (e.inode.size, e.inode.ctime, e.inode.content_hash) {
        return Ok(None);
    }
    src(view.copy_out(e.ino, out, &mut |_| {}))?;
    Ok(Some(()))
}

/// A source file's content hash, and its bytes when they had to be read for it.
type Hashed = ([u8; 32], Option<Vec<u8>>);

/// The content hash of a source file: recorded, or computed by reading it (verified) — keeping
/// the bytes when `keep` (a copy is likely, and need not read them again); `None` when it
/// changed since it was listed.
fn content_hash<S: BlockDevice + 'static>(
    source: &Store<S>,
    e: &Entry,
    keep: bool,
) -> Result<Option<Hashed>> {
    if let Some(h) = e.inode.content_hash {
        return Ok(Some((h, None)));
    }
    if keep {
        let mut data = Vec::with_capacity(e.inode.size as usize);
        return Ok(read_listed(source, e, &mut data)?.map(|()| (*blake3::hash(&data).as_bytes(), Some(data))));
    }
    let mut hasher = blake3::Hasher::new();
    Ok(read_listed(source, e, &mut hasher)?.map(|()| (*hasher.finalize().as_bytes(), None)))
}

fn attrs_of(inode: &Inode) -> SetAttrs {
    SetAttrs {
        mode: Some(inode.mode),
        uid: Some(inode.uid),
        gid: Some(inode.gid),
        atime: Some(inode.atime),
        mtime: Some(inode.mtime),
    }
}

fn same_attrs(a: &Inode, b: &Inode) -> bool {
    (a.mode, a.uid, a.gid, a.mtime) == (b.mode, b.uid, b.gid, b.mtime)
}

#[derive(Serialize, Deserialize)]
struct Mark {
    in_progress: bool,
}

/// A copy written in the open batch, not yet read back.
struct Pending {
    /// In the backup.
    ino: u64,
    /// In the source as listed, to write it again after a mismatch.
    src: Entry,
    path: String,
    hash: [u8; 32],
}

/// The mirror at work: the backup's open transaction and the copies in its batch.
struct Run<'a, D: BlockDevice + 'static> {
    dst: &'a Store<D>,
    batch_files: usize,
    tx: Option<Txn<'a, D>>,
    pending: Vec<Pending>,
    batch_bytes: u64,
    /// Copies committed after reading back equal.
    verified: u64,
}

impl<'a, D: BlockDevice + 'static> Run<'a, D> {
    fn tx(&mut self) -> Result<&mut Txn<'a, D>> {
        if self.tx.is_none() {
            self.tx = Some(dst(self.dst.begin())?);
        }
        Ok(self.tx.as_mut().expect("just begun"))
    }

    /// Commits the batch once it is full (or when `force`), after every copy in it has read
    /// back from the medium as the source's content (invariant 6). A copy that does not is
    /// written once more from the source and read back again; if it still does not, the batch is
    /// abandoned and the run fails naming the file.
    fn maybe_commit<S: BlockDevice + 'static>(
        &mut self,
        source: &Store<S>,
        force: bool,
        events: &mut dyn FnMut(&Event),
    ) -> Result<()> {
        if !force && self.pending.len() < self.batch_files && self.batch_bytes < BATCH_BYTES {
            return Ok(());
        }
        let Some(mut tx) = self.tx.take() else { return Ok(()) };
        let mut suspect: Vec<&Pending> = self.pending.iter().collect();
        for attempt in 0..2 {
            let files: Vec<(u64, [u8; 32])> = suspect.iter().map(|p| (p.ino, p.hash)).collect();
            let good = dst(tx.read_back_matches(&files))?;
            suspect = suspect.into_iter().zip(good).filter(|(_, ok)| !ok).map(|(p, _)| p).collect();
            if suspect.is_empty() {
                break;
            }
            if attempt == 1 {
                // Abandon the batch: nothing unverified may be committed.
                let path = suspect[0].path.clone();
                let _ = tx.abort();
                return Err(MirrorError::Mismatch { path });
            }
            for p in &suspect {
                events(&Event::Retried { path: p.path.clone() });
                let mut data = Vec::new();
                // Changed in the source since: what is rewritten would not match either.
                if read_listed(source, &p.src, &mut data)?.is_none() {
                    let _ = tx.abort();
                    return Err(MirrorError::Mismatch { path: p.path.clone() });
                }
                dst(tx.write_file(p.ino, &mut &data[..]))?;
                dst(tx.set_attrs(p.ino, &attrs_of(&p.src.inode)))?;
            }
        }
        dst(tx.commit())?;
        self.verified += self.pending.len() as u64;
        self.pending.clear();
        self.batch_bytes = 0;
        Ok(())
    }

    /// Removes whatever the backup has at `path` (a folder only with everything in it, and only
    /// when deletions are allowed). False when it had to stay.
    fn clear(&mut self, path: &str, existing: Option<&Entry>, delete: bool) -> Result<bool> {
        let Some(existing) = existing else { return Ok(true) };
        let tx = self.tx()?;
        let (dir, name) = split_path(path);
        let Some(parent) = dst(tx.resolve(dir))? else { return Ok(true) };
        if dst(tx.lookup(parent, name))?.is_none() {
            return Ok(true);
        }
        if existing.inode.kind == Kind::Dir {
            if !delete {
                return Ok(false);
            }
            remove_tree(tx, parent, name)?;
        } else {
            dst(tx.unlink(parent, name))?;
        }
        Ok(true)
    }
}

/// Removes a folder and everything in it.
fn remove_tree<D: BlockDevice + 'static>(tx: &mut Txn<'_, D>, parent: u64, name: &str) -> Result<()> {
    let ino = dst(tx.lookup(parent, name))?.expect("present");
    for e in dst(tx.entries(ino))? {
        if e.kind == Kind::Dir {
            remove_tree(tx, ino, &e.name)?;
        } else {
            dst(tx.unlink(ino, &e.name))?;
        }
    }
    dst(tx.rmdir(parent, name))
}

/// Mirrors `source` into `backup`. `events` hears of every path that changes.
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
    let to = {
        let v = dst(backup.read())?;
        dst(tree(&v, &Default::default()))?
    };
    let mut summary = Summary { dry_run: opts.dry_run, ..Summary::default() };
    summary.resumed =
        dst(backup.begin_read_setting::<Mark>(MIRROR_IN_PROGRESS))?.is_some_and(|m| m.in_progress);
    if summary.resumed {
        events(&Event::Resumed);
    }

    // Deletions are decided before anything changes, so a refusal leaves the backup as it was.
    let doomed: Vec<&String> =
        if opts.delete { to.keys().filter(|p| !from.contains_key(*p)).collect() } else { Vec::new() };
    if !doomed.is_empty() {
        let files = |t: &BTreeMap<String, Entry>| t.values().filter(|e| e.inode.kind != Kind::Dir).count();
        if files(&from) == 0 && files(&to) > 0 {
            return Err(MirrorError::SourceLooksEmpty);
        }
        if doomed.len() > opts.max_delete {
            return Err(MirrorError::TooManyDeletions { would: doomed.len(), max: opts.max_delete });
        }
    }
    // Content the backup holds under a path the source no longer has: a rename's old name.
    let mut moved: HashMap<[u8; 32], &String> = HashMap::new();
    for (path, e) in &to {
        if let (Kind::File, Some(h), false) = (e.inode.kind, e.inode.content_hash, from.contains_key(path)) {
            moved.entry(h).or_insert(path);
        }
    }

    let (mut files, mut bytes) = (0u64, 0u64);
    for (path, e) in from.iter().filter(|(_, e)| e.inode.kind == Kind::File) {
        let same = to.get(path).is_some_and(|x| {
            x.inode.kind == Kind::File
                && x.inode.size == e.inode.size
                && (e.inode.content_hash.is_none() || x.inode.content_hash == e.inode.content_hash)
        });
        if !same {
            files += 1;
            bytes += e.inode.size;
        }
    }
    events(&Event::Planned { files, bytes });

    let mut run = Run {
        dst: backup,
        batch_files: opts.batch_files,
        tx: None,
        pending: Vec::new(),
        batch_bytes: 0,
        verified: 0,
    };
    if !opts.dry_run {
        let tx = run.tx()?;
        dst(tx.put_setting(MIRROR_IN_PROGRESS, &Mark { in_progress: true }))?;
        run.maybe_commit(source, true, events)?;
    }
    for (path, e) in &from {
        if opts.stopped() {
            run.maybe_commit(source, true, events)?;
            return Err(MirrorError::Stopped);
        }
        let existing = to.get(path);
        let (dir, name) = split_path(path);
        match e.inode.kind {
            Kind::Dir => {
                summary.folders += 1;
                if existing.is_some_and(|x| x.inode.kind == Kind::Dir && same_attrs(&x.inode, &e.inode))
                    || opts.dry_run
                {
                    continue;
                }
                if existing.is_some_and(|x| x.inode.kind != Kind::Dir) {
                    run.clear(path, existing, true)?;
                }
                let tx = run.tx()?;
                let ino = dst(tx.mkdir_all(path, e.inode.mode))?;
                dst(tx.set_attrs(ino, &attrs_of(&e.inode)))?;
            }
            Kind::Symlink => {
                summary.links += 1;
                if existing.is_some_and(|x| x.inode.kind == Kind::Symlink && x.inode.target == e.inode.target)
                    || opts.dry_run
                {
                    continue;
                }
                if !run.clear(path, existing, opts.delete)? {
                    summary.conflicts += 1;
                    events(&Event::Conflict {
                        path: path.clone(),
                        why: "a folder in the backup (use --delete)",
                    });
                    continue;
                }
                let tx = run.tx()?;
                let parent = dst(tx.mkdir_all(dir, 0o755))?;
                dst(tx.create(parent, name, Kind::Symlink, 0o777, e.inode.target.as_deref()))?;
            }
            Kind::File => {
                // Bytes read to hash a file are kept when the backup has no file of that size
                // there: it will most likely be copied.
                let likely_copy =
                    existing.is_none_or(|x| x.inode.kind != Kind::File || x.inode.size != e.inode.size);
                let Some((hash, read)) = content_hash(source, e, likely_copy)? else {
                    summary.changed += 1;
                    events(&Event::Changed { path: path.clone() });
                    continue;
                };
                if let Some(x) = existing.filter(|x| {
                    x.inode.kind == Kind::File
                        && x.inode.size == e.inode.size
                        && x.inode.content_hash == Some(hash)
                }) {
                    summary.unchanged += 1;
                    if !same_attrs(&x.inode, &e.inode) && !opts.dry_run {
                        dst(run.tx()?.set_attrs(x.ino, &attrs_of(&e.inode)))?;
                    }
                    continue;
                }
                // A rename: the backup has this content under a name the source dropped. Each
                // old copy serves one new name; it must still be there (not cleared above).
                if let Some(old) = moved.remove(&hash) {
                    let still_there = opts.dry_run || dst(run.tx()?.resolve(old))? == Some(to[old].ino);
                    if still_there {
                        summary.linked += 1;
                        events(&Event::Linked { path: path.clone(), from: old.clone() });
                        if opts.dry_run {
                            continue;
                        }
                        if run.clear(path, existing, opts.delete)? {
                            let tx = run.tx()?;
                            let parent = dst(tx.mkdir_all(dir, 0o755))?;
                            dst(tx.link(to[old].ino, parent, name))?;
                            dst(tx.set_attrs(to[old].ino, &attrs_of(&e.inode)))?;
                            continue;
                        }
                        summary.linked -= 1;
                    }
                }
                copy(source, &mut run, path, e, &hash, read, policy, opts, &mut summary, events)?;
            }
        }
    }

    for path in doomed.iter().rev() {
        summary.deleted += 1;
        events(&Event::Deleted { path: (*path).clone() });
        if opts.dry_run {
            continue;
        }
        let tx = run.tx()?;
        let (dir, name) = split_path(path);
        // Already gone when a folder it was in was replaced by a file earlier in this run.
        let Some(parent) = dst(tx.resolve(dir))? else { continue };
        if dst(tx.lookup(parent, name))?.is_none() {
            continue;
        }
        if to[*path].inode.kind == Kind::Dir {
            dst(tx.rmdir(parent, name))?;
        } else {
            dst(tx.unlink(parent, name))?;
        }
    }
    if !opts.dry_run {
        let tx = run.tx()?;
        let counts = [
            ("copied", summary.copied),
            ("bytes", summary.copied_bytes),
            ("linked", summary.linked),
            ("deleted", summary.deleted),
            ("refused", summary.refused),
        ]
        .map(|(k, v)| (k, v.to_string()));
        let fields: Vec<(&str, &str)> = counts.iter().map(|(k, v)| (*k, v.as_str())).collect();
        dst(tx.audit("mirror", &fields))?;
        dst(tx.put_setting(MIRROR_IN_PROGRESS, &Mark { in_progress: false }))?;
        run.maybe_commit(source, true, events)?;
    }
    summary.verified = run.verified;
    Ok(summary)
}

/// Copies one file through the gate into the backup's open batch, and reads it back.
#[allow(clippy::too_many_arguments)]
fn copy<S: BlockDevice + 'static, D: BlockDevice + 'static>(
    source: &Store<S>,
    run: &mut Run<'_, D>,
    path: &str,
    e: &Entry,
    hash: &[u8; 32],
    read: Option<Vec<u8>>,
    policy: &Policy,
    opts: &Options,
    summary: &mut Summary,
    events: &mut dyn FnMut(&Event),
) -> Result<()> {
    // Bytes already read (and hashed) to decide, or read now: those are checked against the
    // recorded hash by the hash the backup's write computes anyway (below), or here in a dry run.
    let (data, hashed) = match read {
        Some(data) => (data, true),
        None => {
            let mut data = Vec::with_capacity(e.inode.size as usize);
            if read_listed(source, e, &mut data)?.is_none() {
                summary.changed += 1;
                events(&Event::Changed { path: path.to_string() });
                return Ok(());
            }
            (data, false)
        }
    };
    let damaged = || MirrorError::SourceDamaged { path: path.to_string() };
    if opts.dry_run && !hashed && blake3::hash(&data).as_bytes() != hash {
        return Err(damaged());
    }
    // What OCR saw in the source's frames is looked up there (its records carry the source's
    // MACs) and remembered in the backup.
    let (verdict, learned) = {
        let memo = gate::door::VaultMemo::new(|name| source.begin_read_setting(name));
        let verdict = gate::check_with(&data, policy, &gate::Sight::system().with_memo(&memo));
        (verdict, memo.learned())
    };
    if !opts.dry_run && !learned.is_empty() {
        dst(gate::door::save_memo(run.tx()?, &learned))?;
    }
    if !verdict.accept {
        summary.refused += 1;
        if !opts.dry_run {
            dst(crate::gate::door::audit_refusal(
                run.tx()?,
                crate::gate::door::Door::named("mirror"),
                path,
                &verdict.reasons,
            ))?;
        }
        events(&Event::Refused { path: path.to_string(), reasons: verdict.reasons });
        return Ok(());
    }
    summary.copied += 1;
    summary.copied_bytes += data.len() as u64;
    if opts.dry_run {
        events(&Event::Copied { path: path.to_string(), bytes: data.len() as u64 });
        return Ok(());
    }
    let existing = run_existing(run, path)?;
    if !run.clear(path, existing.as_ref(), opts.delete)? {
        summary.copied -= 1;
        summary.copied_bytes -= data.len() as u64;
        summary.conflicts += 1;
        events(&Event::Conflict { path: path.to_string(), why: "a folder in the backup (use --delete)" });
        return Ok(());
    }
    let (dir, name) = split_path(path);
    let tx = run.tx()?;
    let parent = dst(tx.mkdir_all(dir, 0o755))?;
    let ino = dst(tx.create(parent, name, Kind::File, e.inode.mode, None))?;
    dst(tx.write_file(ino, &mut &data[..]))?;
    // The content hash the write recorded is the source's, or the source does not match its own
    // record (the batch is then never committed).
    if dst(tx.inode(ino))?.and_then(|i| i.content_hash) != Some(*hash) {
        return Err(damaged());
    }
    dst(tx.set_attrs(ino, &attrs_of(&e.inode)))?;
    events(&Event::Copied { path: path.to_string(), bytes: data.len() as u64 });
    run.pending.push(Pending { ino, src: e.clone(), path: path.to_string(), hash: *hash });
    run.batch_bytes += data.len() as u64;
    run.maybe_commit(source, false, events)
}

/// What the backup has at `path` now, as the open batch sees it.
fn run_existing<D: BlockDevice + 'static>(run: &mut Run<'_, D>, path: &str) -> Result<Option<Entry>> {
    let tx = run.tx()?;
    let Some(ino) = dst(tx.resolve(path))? else { return Ok(None) };
    Ok(dst(tx.inode(ino))?.map(|inode| Entry { ino, inode }))
}
/// Unlocks a vault with a passphrase already read, and opens its store.
fn open(
    path: &std::path::Path,
    secret: &zeroize::Zeroizing<Vec<u8>>,
    command: &str,
) -> anyhow::Result<Store<vaultfmt::dev::FileDevice>> {
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
) -> anyhow::Result<Summary> {
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

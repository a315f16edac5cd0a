//! A plan carried out in the backup, in batches, every copy read back before the commit that
//! makes it visible (invariant 6) — or, for a dry run, carried out nowhere: [`Apply`] holds the
//! backup's open batch only when it writes, and each of its steps asks that one question once.

use serde::{Deserialize, Serialize};
use vaultfmt::dev::BlockDevice;
use vaultfmt::store::{Inode, Kind, SetAttrs, Store, StoreError, Txn, split_path};

use super::plan::{FileStep, Plan, Step, same_attrs};
use super::{Entry, Event, MirrorError, Options, Result, Summary, dst, src};
use crate::gate::{self, Policy};
use crate::settings::MIRROR_IN_PROGRESS;

/// The mark a run leaves in the backup while it works: a run that finds it set resumed one cut
/// short.
#[derive(Serialize, Deserialize)]
pub(super) struct Mark {
    pub in_progress: bool,
}

/// Why a path could not be written: the backup has a folder there, and deletions were not asked.
const FOLDER_IN_THE_WAY: &str = "a folder in the backup (use --delete)";

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

/// A copy written in the open batch, not yet read back.
struct Pending {
    /// In the backup.
    ino: u64,
    /// In the source as listed, to write it again after a mismatch.
    src: Entry,
    path: String,
    hash: [u8; 32],
}

/// The backup's open transaction and the copies in its batch.
struct Batch<'a, D: BlockDevice + 'static> {
    dst: &'a Store<D>,
    batch_files: usize,
    tx: Option<Txn<'a, D>>,
    pending: Vec<Pending>,
    batch_bytes: u64,
    /// Copies committed after reading back equal.
    verified: u64,
}

impl<'a, D: BlockDevice + 'static> Batch<'a, D> {
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
        if !force && !crate::batch::full(self.pending.len(), self.batch_bytes, self.batch_files) {
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
                dst(tx.write_bytes(p.ino, &data))?;
                dst(tx.set_attrs(p.ino, &attrs_of(&p.src.inode)))?;
            }
        }
        dst(tx.commit())?;
        self.verified += self.pending.len() as u64;
        self.pending.clear();
        self.batch_bytes = 0;
        Ok(())
    }

    /// Removes whatever the backup has at `path` now (a folder only with everything in it, and
    /// only when `delete`). False when it had to stay.
    fn clear(&mut self, path: &str, delete: bool) -> Result<bool> {
        let tx = self.tx()?;
        let Some(ino) = dst(tx.resolve(path))? else { return Ok(true) };
        let (dir, name) = split_path(path);
        let parent = dst(tx.resolve(dir))?.expect("the parent of a path that resolves");
        if dst(tx.inode(ino))?.is_some_and(|i| i.kind == Kind::Dir) {
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

/// A plan at work: the source, the backup's batch (none in a dry run), the counts so far.
pub(super) struct Apply<'a, S: BlockDevice + 'static, D: BlockDevice + 'static> {
    source: &'a Store<S>,
    /// `None`: a dry run, which reads and judges the source but writes nothing.
    batch: Option<Batch<'a, D>>,
    policy: &'a Policy,
    delete: bool,
    pub summary: Summary,
}

impl<'a, S: BlockDevice + 'static, D: BlockDevice + 'static> Apply<'a, S, D> {
    /// Ready to carry out a plan in `backup` (marked as in progress, unless a dry run).
    pub fn begin(
        source: &'a Store<S>,
        backup: &'a Store<D>,
        policy: &'a Policy,
        opts: &Options,
        summary: Summary,
        events: &mut dyn FnMut(&Event),
    ) -> Result<Apply<'a, S, D>> {
        let mut batch = (!opts.dry_run).then(|| Batch {
            dst: backup,
            batch_files: opts.batch_files,
            tx: None,
            pending: Vec::new(),
            batch_bytes: 0,
            verified: 0,
        });
        if let Some(b) = batch.as_mut() {
            dst(b.tx()?.put_setting(MIRROR_IN_PROGRESS, &Mark { in_progress: true }))?;
            b.maybe_commit(source, true, events)?;
        }
        Ok(Apply { source, batch, policy, delete: opts.delete, summary })
    }

    /// Carries out every step of `plan`, stopping (after committing what is verified) when
    /// `opts.stop` is set; then audits the run in the backup and clears its mark.
    pub fn run<'t>(
        mut self,
        mut plan: Plan<'t>,
        opts: &Options,
        events: &mut dyn FnMut(&Event),
    ) -> Result<Summary> {
        self.summary.folders = plan.folders;
        self.summary.links = plan.links;
        let steps = std::mem::take(&mut plan.steps);
        for step in steps {
            if opts.stopped() {
                self.commit(events)?;
                return Err(MirrorError::Stopped);
            }
            if let Step::Folder { path, src, .. }
            | Step::Symlink { path, src, .. }
            | Step::File { path, src, .. } = &step
                && let Some((folder, reason)) = self.named(path, src)
            {
                self.refuse_name(&folder, reason, events)?;
                continue;
            }
            match step {
                Step::Folder { path, src, existing } => self.folder(path, src, existing)?,
                Step::Symlink { path, src, existing } => self.symlink(path, src, existing, events)?,
                Step::File { path, src, existing } => self.file(&mut plan, path, src, existing, events)?,
                Step::Delete { path, existing } => self.remove(path, existing, events)?,
            }
        }
        if let Some(b) = self.batch.as_mut() {
            let s = &self.summary;
            let counts = [
                ("copied", s.copied),
                ("bytes", s.copied_bytes),
                ("linked", s.linked),
                ("deleted", s.deleted),
                ("refused", s.refused),
            ]
            .map(|(k, v)| (k, v.to_string()));
            let fields: Vec<(&str, &str)> = counts.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let tx = b.tx()?;
            dst(tx.audit("mirror", &fields))?;
            dst(tx.put_setting(MIRROR_IN_PROGRESS, &Mark { in_progress: false }))?;
        }
        self.commit(events)?;
        self.summary.verified = self.batch.as_ref().map_or(0, |b| b.verified);
        Ok(self.summary)
    }

    /// Commits the open batch (nothing in a dry run).
    fn commit(&mut self, events: &mut dyn FnMut(&Event)) -> Result<()> {
        match self.batch.as_mut() {
            Some(b) => b.maybe_commit(self.source, true, events),
            None => Ok(()),
        }
    }

    /// Removes what the backup has at `path` before something else is written there; false
    /// (and a conflict reported) when it is a folder and deletions were not asked. A dry run
    /// answers from what the backup held when the run listed it (`listed`).
    fn make_room(
        &mut self,
        path: &str,
        listed: Option<&Entry>,
        events: &mut dyn FnMut(&Event),
    ) -> Result<bool> {
        let room = match self.batch.as_mut() {
            Some(b) => b.clear(path, self.delete)?,
            None => self.delete || listed.is_none_or(|x| x.inode.kind != Kind::Dir),
        };
        if !room {
            self.summary.conflicts += 1;
            events(&Event::Conflict { path: path.to_string(), why: FOLDER_IN_THE_WAY });
        }
        Ok(room)
    }

    /// The first name of `path` the backup's gate refuses, or its link's target: names are
    /// stored as plainly as bytes (the source may hold one its own policy let in, or one made
    /// before the gate read names as it does).
    fn named(&self, path: &str, e: &Entry) -> Option<(String, gate::Reason)> {
        gate::names::refused_in(path).or_else(|| {
            let target = e.inode.target.as_deref()?;
            let reason = gate::names::check_link(target, self.policy)?;
            Some((split_path(path).0.to_string(), reason))
        })
    }

    /// A name refused: not copied (nor anything under it), audited against its folder, told
    /// without the name.
    fn refuse_name(
        &mut self,
        folder: &str,
        reason: gate::Reason,
        events: &mut dyn FnMut(&Event),
    ) -> Result<()> {
        if let Some(b) = self.batch.as_mut() {
            let door = gate::door::Door::named("mirror");
            dst(gate::door::audit_refusal(b.tx()?, door, folder, std::slice::from_ref(&reason)))?;
        }
        self.summary.refused += 1;
        let path = format!("{}/(a name)", folder.trim_end_matches('/'));
        events(&Event::Refused { path, reasons: vec![reason] });
        Ok(())
    }

    fn folder(&mut self, path: &str, e: &Entry, existing: Option<&Entry>) -> Result<()> {
        let Some(b) = self.batch.as_mut() else { return Ok(()) };
        if existing.is_some_and(|x| x.inode.kind != Kind::Dir) {
            b.clear(path, true)?;
        }
        let tx = b.tx()?;
        let ino = dst(tx.mkdir_all(path, e.inode.mode))?;
        dst(tx.set_attrs(ino, &attrs_of(&e.inode)))?;
        Ok(())
    }

    fn symlink(
        &mut self,
        path: &str,
        e: &Entry,
        listed: Option<&Entry>,
        events: &mut dyn FnMut(&Event),
    ) -> Result<()> {
        if !self.make_room(path, listed, events)? {
            return Ok(());
        }
        let Some(b) = self.batch.as_mut() else { return Ok(()) };
        let (dir, name) = split_path(path);
        let tx = b.tx()?;
        let parent = dst(tx.mkdir_all(dir, 0o755))?;
        dst(tx.create(parent, name, Kind::Symlink, 0o777, e.inode.target.as_deref()))?;
        Ok(())
    }

    fn file<'t>(
        &mut self,
        plan: &mut Plan<'t>,
        path: &str,
        e: &Entry,
        existing: Option<&'t Entry>,
        events: &mut dyn FnMut(&Event),
    ) -> Result<()> {
        // Bytes read to hash a file are kept when the backup has no file of that size there: it
        // will most likely be copied.
        let likely_copy = existing.is_none_or(|x| x.inode.kind != Kind::File || x.inode.size != e.inode.size);
        let Some((hash, read)) = content_hash(self.source, e, likely_copy)? else {
            self.summary.changed += 1;
            events(&Event::Changed { path: path.to_string() });
            return Ok(());
        };
        match plan.decide(e, existing, &hash) {
            FileStep::Unchanged { backup } => {
                self.summary.unchanged += 1;
                if let Some(b) = self.batch.as_mut().filter(|_| !same_attrs(&backup.inode, &e.inode)) {
                    dst(b.tx()?.set_attrs(backup.ino, &attrs_of(&e.inode)))?;
                }
                Ok(())
            }
            // Each old copy serves one new name; it must still be there (not cleared by an
            // earlier step), or the file is copied.
            FileStep::Link { from, old } if self.link(path, from, old, e, existing, events)? => Ok(()),
            FileStep::Link { .. } | FileStep::Copy => self.copy(path, e, existing, &hash, read, events),
        }
    }

    /// Links the backup's copy at `from` (a name the source dropped) to `path`; false when that
    /// copy is no longer there (the file is then copied).
    fn link(
        &mut self,
        path: &str,
        from: &str,
        old: &Entry,
        e: &Entry,
        listed: Option<&Entry>,
        events: &mut dyn FnMut(&Event),
    ) -> Result<bool> {
        if let Some(b) = self.batch.as_mut()
            && dst(b.tx()?.resolve(from))? != Some(old.ino)
        {
            return Ok(false);
        }
        if !self.make_room(path, listed, events)? {
            return Ok(true);
        }
        self.summary.linked += 1;
        events(&Event::Linked { path: path.to_string(), from: from.to_string() });
        let Some(b) = self.batch.as_mut() else { return Ok(true) };
        let (dir, name) = split_path(path);
        let tx = b.tx()?;
        let parent = dst(tx.mkdir_all(dir, 0o755))?;
        dst(tx.link(old.ino, parent, name))?;
        dst(tx.set_attrs(old.ino, &attrs_of(&e.inode)))?;
        Ok(true)
    }

    /// Copies one file through the gate into the backup's open batch, and reads it back.
    fn copy(
        &mut self,
        path: &str,
        e: &Entry,
        listed: Option<&Entry>,
        hash: &[u8; 32],
        read: Option<Vec<u8>>,
        events: &mut dyn FnMut(&Event),
    ) -> Result<()> {
        // Bytes already read (and hashed) to decide, or read now: those are checked against the
        // recorded hash by the hash the backup's write computes anyway (below), or here in a dry
        // run.
        let (data, hashed) = match read {
            Some(data) => (data, true),
            None => {
                let mut data = Vec::with_capacity(e.inode.size as usize);
                if read_listed(self.source, e, &mut data)?.is_none() {
                    self.summary.changed += 1;
                    events(&Event::Changed { path: path.to_string() });
                    return Ok(());
                }
                (data, false)
            }
        };
        let damaged = || MirrorError::SourceDamaged { path: path.to_string() };
        if self.batch.is_none() && !hashed && blake3::hash(&data).as_bytes() != hash {
            return Err(damaged());
        }
        // What OCR saw in the source's frames is looked up there (its records carry the source's
        // MACs) and remembered in the backup.
        let source = self.source;
        let (verdict, learned) = {
            let memo = gate::door::VaultMemo::new(|name| source.begin_read_setting(name));
            let verdict = gate::check_with(&data, self.policy, &gate::Sight::system().with_memo(&memo));
            (verdict, memo.learned())
        };
        if let Some(b) = self.batch.as_mut() {
            if !learned.is_empty() {
                dst(gate::door::save_memo(b.tx()?, &learned))?;
            }
            if !verdict.accept {
                let door = gate::door::Door::named("mirror");
                dst(gate::door::audit_refusal(b.tx()?, door, path, &verdict.reasons))?;
            }
        }
        if !verdict.accept {
            self.summary.refused += 1;
            events(&Event::Refused { path: path.to_string(), reasons: verdict.reasons });
            return Ok(());
        }
        if !self.make_room(path, listed, events)? {
            return Ok(());
        }
        self.summary.copied += 1;
        self.summary.copied_bytes += data.len() as u64;
        let Some(b) = self.batch.as_mut() else {
            events(&Event::Copied { path: path.to_string(), bytes: data.len() as u64 });
            return Ok(());
        };
        let (dir, name) = split_path(path);
        let tx = b.tx()?;
        let parent = dst(tx.mkdir_all(dir, 0o755))?;
        let ino = dst(tx.create(parent, name, Kind::File, e.inode.mode, None))?;
        dst(tx.write_bytes(ino, &data))?;
        // The content hash the write recorded is the source's, or the source does not match its
        // own record (the batch is then never committed).
        if dst(tx.inode(ino))?.and_then(|i| i.content_hash) != Some(*hash) {
            return Err(damaged());
        }
        dst(tx.set_attrs(ino, &attrs_of(&e.inode)))?;
        events(&Event::Copied { path: path.to_string(), bytes: data.len() as u64 });
        b.pending.push(Pending { ino, src: e.clone(), path: path.to_string(), hash: *hash });
        b.batch_bytes += data.len() as u64;
        b.maybe_commit(self.source, false, events)
    }

    /// Deletes a path the source no longer has (its children went first).
    fn remove(&mut self, path: &str, existing: &Entry, events: &mut dyn FnMut(&Event)) -> Result<()> {
        self.summary.deleted += 1;
        events(&Event::Deleted { path: path.to_string() });
        let Some(b) = self.batch.as_mut() else { return Ok(()) };
        let tx = b.tx()?;
        let (dir, name) = split_path(path);
        // Already gone when a folder it was in, at any depth, was replaced by a file earlier in
        // this run.
        let parent = match tx.resolve(dir) {
            Ok(parent) => parent,
            Err(StoreError::NotADirectory { .. }) => None,
            Err(e) => return Err(MirrorError::Backup(e)),
        };
        let Some(parent) = parent else { return Ok(()) };
        if dst(tx.lookup(parent, name))?.is_none() {
            return Ok(());
        }
        if existing.inode.kind == Kind::Dir {
            dst(tx.rmdir(parent, name))
        } else {
            dst(tx.unlink(parent, name))
        }
    }
}

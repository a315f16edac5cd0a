//! The mount's door through the gate (invariant 4). A file written through the mount is
//! *unchecked* from before its first change lands until a close or an fsync runs the gate on
//! its whole content (`gate::door::check_stored`, through a read view: the bytes stored). Until
//! then no handle that did not open it for writing may read it, and it cannot be linked. A
//! refused file is removed, the close or fsync returns EACCES, and the refusal (rule and tag)
//! goes to the audit log — unless the gate had passed it before this change: then the store
//! kept its prior version from the change's first write on (`Txn::keep_prior`, in the
//! transaction that marks it unchecked), and the refusal puts that back instead
//! (`gate::door::undo`), as a new inode under the same names so that the kernel drops what it
//! cached of the refused bytes. A passed change lets the prior version go.
//!
//! The check is atomic against changes through every handle. Each change to a file's content
//! is bracketed ([`Inner::begin_change`], [`ChangeGuard`]): it marks the file unchecked and
//! moves the file's generation on when it starts, and again when its data has landed; a check
//! takes its snapshot only while no change is in flight, and marks the file checked only if the
//! generation is still the one it saw — all under the state lock the changes take. So a change
//! racing a check leaves the file unchecked, and the next close checks again: a file is never
//! marked checked with bytes the gate did not see.
//!
//! A refusal takes effect at a file description's last close (`release`), not at every close
//! (`flush`): a close of one descriptor may be a forked child's copy closed at its exec (every
//! such close is a flush), while the writer is still writing. A check at a flush or an fsync
//! that refuses tells the closer (EACCES) and keeps the file unchecked — unreadable by any
//! other handle, as before — and the last close removes it and audits the refusal (from the
//! same verdict when nothing changed since). A change no close follows (a truncate with no
//! handle open) is a last close.
//!
//! A file a write to which failed (the vault is full) is not what its writer wrote: its close
//! (or fsync) removes it — or puts back its prior version, when it had been passed before —
//! audited as `incomplete`, and returns the write's error, so that every file a listing shows
//! is whole (`failed`).
//!
//! A prior version is a version passed at a last close (or before this mount): a file made or
//! truncated to nothing through a description not yet released (*fresh*) keeps none, so that a
//! copy fsynced part way, whose first part a check passed, is never put back as that part. A
//! passed change lets the prior version go at its last close, not at an fsync: until then a
//! refusal puts back the version passed before the change.
//!
//! The set of unchecked files is kept in the store too (`settings::UNCHECKED`, written in the
//! same transaction that first marks a file), so that after a crash the next mount checks them
//! before anyone can see them, and every way out of the vault leaves them out meanwhile. Files
//! that were being written anew (made, or truncated to nothing, through the mount) and that no
//! close had passed, and files a write to which failed, are listed apart
//! (`settings::INCOMPLETE`, written in the transaction that makes the file or in which its
//! content starts over): after a crash they are removed, not checked — a copy cut short is not
//! shown with what part of it landed.

use fuser::Errno;
use vaultfmt::dev::BlockDevice;

use super::failed::errno_name;
use super::{Inner, Res, State};
use crate::gate::door::{
    Door, INCOMPLETE, UNCHECKED, Undone, VaultMemo, audit_refusal, check_stored, save_memo, undo,
};
use crate::gate::{self, Policy, Sight};

/// A change to a file's content in flight; its drop says the data has landed.
pub(super) struct ChangeGuard<'a, D: BlockDevice + 'static> {
    inner: &'a Inner<D>,
    ino: u64,
}

impl<D: BlockDevice + 'static> Drop for ChangeGuard<'_, D> {
    fn drop(&mut self) {
        let mut st = self.inner.state();
        if let Some(n) = st.in_flight.get_mut(&self.ino) {
            *n -= 1;
            if *n == 0 {
                st.in_flight.remove(&self.ino);
            }
        }
        st.bump(self.ino);
    }
}

/// Which close a check answers ([`Inner::admit`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Close {
    /// A close of one descriptor (a flush), or an fsync: the description may live on (in a
    /// forked child, say), so its writer may not be done; a refusal is told, not carried out.
    One,
    /// The description's last close (a release), or a change no close follows: a refusal
    /// removes the file.
    Last,
}

/// What the store lists as [`INCOMPLETE`]: files a write to which failed, and new files not yet
/// passed at a close. A mount that starts after a crash removes them.
pub(super) fn incomplete_list(st: &State) -> Vec<u64> {
    let mut all: Vec<u64> = st.failed.keys().chain(st.unfinished.iter()).copied().collect();
    all.sort_unstable();
    all.dedup();
    all
}

pub(super) fn unchecked_list(st: &State) -> Vec<u64> {
    st.unchecked.iter().copied().collect()
}

impl State {
    /// True when a file is unchecked with no handle open and no change in flight: no close is
    /// coming that would check it.
    fn left(&self, ino: u64) -> bool {
        self.unchecked.contains(&ino) && !self.open.contains_key(&ino) && !self.in_flight.contains_key(&ino)
    }

    /// Drops what the mount kept about an unchecked file once it is checked or gone.
    pub(super) fn forget(&mut self, ino: u64) {
        self.unchecked.remove(&ino);
        self.generation.remove(&ino);
        self.failed.remove(&ino);
        self.unfinished.remove(&ino);
        self.refused.remove(&ino);
    }

    /// Moves a file's generation on: to a value no file has had before (one counter for the
    /// mount), so that a check's generation can never come round again once a file's entry is
    /// dropped and made anew (a check that saw generation 2 must not match a later 2).
    fn bump(&mut self, ino: u64) {
        self.generations += 1;
        self.generation.insert(ino, self.generations);
    }
}

impl<D: BlockDevice + 'static> Inner<D> {
    pub(super) fn policy(&self) -> &Policy {
        &self.policy
    }

    pub(super) fn is_unchecked(&self, ino: u64) -> bool {
        self.state().unchecked.contains(&ino)
    }

    /// Starts a change to a file's content: marks it unchecked (in the store too, before the
    /// change can land) and moves its generation on. The guard ends the change.
    pub(super) fn begin_change(&self, ino: u64) -> Res<ChangeGuard<'_, D>> {
        self.begin(ino, false)
    }

    /// [`Inner::begin_change`]; with `anew`, the file's content starts over (a new file, or one
    /// truncated to nothing): it is *unfinished* until a close or fsync passes it, and a crash
    /// before then removes it instead of showing what landed.
    fn begin(&self, ino: u64, anew: bool) -> Res<ChangeGuard<'_, D>> {
        // In flight first: from here no check can start, and none under way can mark the file
        // checked (a check that waited while the mark below was written would otherwise see
        // the file unchecked, no change in flight, and its generation unmoved).
        let marked = {
            let mut st = self.state();
            *st.in_flight.entry(ino).or_default() += 1;
            st.bump(ino);
            st.unchecked.contains(&ino) && (!anew || st.unfinished.contains(&ino))
        };
        let guard = ChangeGuard { inner: self, ino };
        if !marked {
            self.change_with_state(|tx, st| {
                // A file the gate had passed keeps what it held until its change is passed too:
                // a refused change puts it back. Not one passed only part way through its copy.
                if !st.unchecked.contains(&ino) && !st.fresh.contains(&ino) && tx.keep_prior(ino)? {
                    st.priors.insert(ino);
                }
                if anew {
                    st.fresh.insert(ino);
                }
                st.unchecked.insert(ino);
                tx.put_setting(UNCHECKED, &unchecked_list(st))?;
                if anew && st.unfinished.insert(ino) {
                    tx.put_setting(INCOMPLETE, &incomplete_list(st))?;
                }
                Ok(())
            })?;
        }
        Ok(guard)
    }

    /// A name the mount is asked to give (a new file, folder or link, a rename's or a hard link's
    /// new name, a link's target): refused, EACCES, when the gate refuses it
    /// ([`gate::names::check_named_in`]: alone, and after its folder's names), audited against its folder and told to the desktop as a file's
    /// refusal is — without the name.
    pub(super) fn judge_name(&self, parent: u64, name: &str) -> Res<()> {
        let folder = self.folder_path(parent)?;
        match gate::names::check_named_in(&folder, name) {
            Some((told, reason)) => self.refuse_name(&told, reason),
            None => Ok(()),
        }
    }

    /// A link's target, made in `parent` ([`gate::names::check_link`]): refused as
    /// [`Inner::judge_name`] refuses a name.
    pub(super) fn judge_link(&self, parent: u64, target: &str) -> Res<()> {
        let folder = self.folder_path(parent)?;
        match gate::names::check_link(target, &self.policy) {
            Some(reason) => self.refuse_name(&folder, reason),
            None => Ok(()),
        }
    }

    /// A folder about to be renamed from `from` in `from_parent` to `name` in `parent`: the
    /// names under it, two deep, read again in its new path ([`gate::names::check_labelled`]),
    /// for the label that path may give them (`mv y MRN` over `y/4711913`, `mv z Patient` over
    /// `z/Zelda/Madeup`). Each name alone was judged when it was made, and a name deeper than
    /// two is read with no name the rename changes. A file's rename changes no name under it.
    pub(super) fn judge_moved(&self, from_parent: u64, from: &str, parent: u64, name: &str) -> Res<()> {
        let path = format!("{}/{name}", self.folder_path(parent)?.trim_end_matches('/'));
        let refused = {
            let view = self.store.read().map_err(|e| self.fail(e))?;
            let below = |dir: u64| view.entries(dir).map_err(|e| self.fail(e));
            let Some(ino) = view.lookup(from_parent, from).map_err(|e| self.fail(e))? else { return Ok(()) };
            let inode = view.inode(ino).map_err(|e| self.fail(e))?;
            if !inode.is_some_and(|i| i.kind == vaultfmt::store::Kind::Dir) {
                return Ok(());
            }
            let mut refused = None;
            'walk: for child in below(ino)? {
                if let Some(r) = gate::names::check_labelled(&path, &child.name) {
                    refused = Some(r);
                    break;
                }
                if child.kind == vaultfmt::store::Kind::Dir {
                    let folder = format!("{path}/{}", child.name);
                    for grandchild in below(child.ino)? {
                        if let Some(r) = gate::names::check_labelled(&folder, &grandchild.name) {
                            refused = Some(r);
                            break 'walk;
                        }
                    }
                }
            }
            refused
        };
        match refused {
            Some((told, reason)) => self.refuse_name(&told, reason),
            None => Ok(()),
        }
    }

    fn refuse_name(&self, folder: &str, reason: gate::Reason) -> Res<()> {
        self.change(|tx| audit_refusal(tx, Door::named("mount"), folder, std::slice::from_ref(&reason)))?;
        if let Some(n) = self.notices.get() {
            n.tell(crate::notify::Notice {
                path: format!("{}/(a new name)", folder.trim_end_matches('/')),
                what: reason.to_string(),
                fix: reason.fix(),
                verb: "refused",
            });
        }
        Err(Errno::EACCES)
    }

    /// A folder's path, remembered for the next name made in it.
    fn folder_path(&self, folder: u64) -> Res<String> {
        let mut last = self.last_folder.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, path)) = last.as_ref().filter(|(ino, _)| *ino == folder) {
            return Ok(path.clone());
        }
        let path = {
            let view = self.store.read().map_err(|e| self.fail(e))?;
            view.path_of(folder).map_err(|e| self.fail(e))?
        };
        *last = Some((folder, path.clone()));
        Ok(path)
    }

    /// Forgets the folder path [`Inner::folder_path`] remembers (a rename or a folder's removal
    /// may have changed it).
    pub(super) fn forget_folder_path(&self) {
        *self.last_folder.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// [`Inner::judge_name`] of a name the kernel gives, once it is a name at all.
    pub(super) fn new_name<'n>(&self, parent: u64, name: &'n std::ffi::OsStr) -> Res<&'n str> {
        let name = super::name_str(name)?;
        self.judge_name(parent, name)?;
        Ok(name)
    }

    /// Makes a new regular file, unchecked and unfinished in the same commit (it has no content
    /// yet; its writer's close checks it): no crash can leave it listed as neither.
    pub(super) fn create_new(&self, parent: u64, name: &str, mode: u32) -> Res<u64> {
        self.change_with_state(|tx, st| {
            let ino = tx.create(parent, name, vaultfmt::store::Kind::File, mode, None)?;
            st.bump(ino);
            st.fresh.insert(ino);
            st.unchecked.insert(ino);
            st.unfinished.insert(ino);
            tx.put_setting(UNCHECKED, &unchecked_list(st))?;
            tx.put_setting(INCOMPLETE, &incomplete_list(st))?;
            Ok(ino)
        })
    }

    /// Starts a truncation to nothing (`O_TRUNC`, a copy over a file): the content starts over.
    pub(super) fn begin_anew(&self, ino: u64) -> Res<ChangeGuard<'_, D>> {
        self.begin(ino, true)
    }

    /// Runs the gate on an unchecked file: Ok when it may stay (or a change is still in flight
    /// or raced the check, and it stays unchecked for the next close); EACCES when it was
    /// refused — and, at a [`Close::Last`], removed.
    pub(super) fn admit(&self, ino: u64, close: Close) -> Res<()> {
        self.check()?;
        let failed = self.state().failed.get(&ino).copied();
        if let Some(failed) = failed {
            return self.discard(ino, failed, errno_name(failed));
        }
        let (seen, view) = {
            let mut st = self.state();
            if close == Close::Last {
                st.fresh.remove(&ino);
                if !st.unchecked.contains(&ino) && st.priors.contains(&ino) {
                    // Passed at an earlier close and unchanged since: its prior version goes.
                    drop(st);
                    return self.let_prior_go(ino);
                }
            }
            if !st.unchecked.contains(&ino) || st.in_flight.contains_key(&ino) {
                return Ok(());
            }
            let seen = st.generation.get(&ino).copied().unwrap_or(0);
            // Refused at an earlier close, and unchanged since: that verdict stands.
            if let Some((at, verdict, path)) = st.refused.get(&ino)
                && *at == seen
            {
                let refused = Some((verdict.clone(), path.clone()));
                drop(st);
                return match close {
                    Close::One => Err(Errno::EACCES),
                    Close::Last => self.settle(ino, seen, close, refused, &[]),
                };
            }
            // The snapshot is taken under the lock every change takes to start: it holds every
            // change made before `seen`.
            (seen, self.store.read().map_err(|e| self.fail(e))?)
        };
        let Some(inode) = view.inode(ino).map_err(|e| self.fail(e))? else {
            drop(view);
            return self.settle(ino, seen, close, None, &[]);
        };
        let memo = VaultMemo::new(|name| view.setting(name));
        let sight = Sight::system().with_memo(&memo);
        let verdict =
            check_stored(inode.size, &mut |at, buf| view.read_at(ino, at, buf), self.policy(), &sight)
                .map_err(|e| self.fail(e))?;
        let learned = memo.learned();
        // The path names a refusal (audit, notice); finding it reads the folders' entries, so
        // an accepted file is not made to pay for it.
        let path =
            if verdict.accept { String::new() } else { view.path_of(ino).map_err(|e| self.fail(e))? };
        drop(view);
        if close == Close::One && !verdict.accept {
            // Told to the closer; the file stays unchecked for its last close to remove.
            self.change_with_state(|tx, st| {
                save_memo(tx, &learned)?;
                st.refused.insert(ino, (seen, verdict, path));
                Ok(())
            })?;
            return Err(Errno::EACCES);
        }
        self.settle(ino, seen, close, Some((verdict, path)), &learned)
    }

    /// A file the committer found left unchecked with no handle open and no change in flight at
    /// two looks in a row: one whose content had started over is a copy no close will finish,
    /// and goes as after a crash (put back as it was, or removed); any other is checked.
    pub(super) fn check_left(&self, ino: u64) -> Res<()> {
        let unfinished = {
            let st = self.state();
            if !st.left(ino) {
                return Ok(());
            }
            st.unfinished.contains(&ino)
        };
        if unfinished {
            return match self.discard(ino, Errno::EIO, "its writing never finished (no close came)") {
                Err(Errno::EIO) => Ok(()),
                other => other,
            };
        }
        self.admit(ino, Close::Last)
    }

    /// The files unchecked with no handle open and no change in flight.
    pub(super) fn left_unchecked(&self) -> std::collections::BTreeSet<u64> {
        let st = self.state();
        st.unchecked.iter().copied().filter(|&i| st.left(i)).collect()
    }

    /// Checks a file left unchecked with no handle open and no change in flight (no close is
    /// coming that would): as at a last close.
    pub(super) fn admit_if_left(&self, ino: u64) -> Res<()> {
        let left = self.state().left(ino);
        if left { self.admit(ino, Close::Last) } else { Ok(()) }
    }

    /// The end of a check: nothing if the file changed since its snapshot; otherwise it is
    /// checked (accepted, or gone: every name removed and the refusal audited).
    fn settle(
        &self,
        ino: u64,
        seen: u64,
        close: Close,
        checked: Option<(gate::Verdict, String)>,
        learned: &[(String, Vec<gate::burned::Seen>)],
    ) -> Res<()> {
        let refused = self.change_with_state(|tx, st| {
            // What OCR learned holds whatever became of the file.
            save_memo(tx, learned)?;
            let current = st.generation.get(&ino).copied().unwrap_or(0);
            if current != seen
                || st.in_flight.contains_key(&ino)
                || !st.unchecked.contains(&ino)
                || st.failed.contains_key(&ino)
            {
                // Changed since, or a write to it failed: its writer's close removes it.
                return Ok(None);
            }
            let mut undone = Undone::Removed(Vec::new());
            match &checked {
                Some((verdict, path)) if !verdict.accept => {
                    audit_refusal(tx, Door::named("mount"), path, &verdict.reasons)?;
                    undone = undo(tx, "mount", ino)?;
                    st.priors.remove(&ino);
                }
                // Passed: its prior version goes at the last close (until then its writer may
                // change it again, and a refusal then puts back the version passed before).
                _ if close == Close::Last => {
                    tx.drop_prior(ino)?;
                    st.priors.remove(&ino);
                }
                _ => {}
            }
            let was_unfinished = st.unfinished.contains(&ino);
            st.forget(ino);
            tx.put_setting(UNCHECKED, &unchecked_list(st))?;
            if was_unfinished {
                tx.put_setting(INCOMPLETE, &incomplete_list(st))?;
            }
            let refused = checked.as_ref().is_some_and(|(v, _)| !v.accept);
            Ok(refused.then_some(undone))
        })?;
        let Some(undone) = refused else { return Ok(()) };
        let restored = matches!(undone, Undone::Restored(_));
        self.undone(ino, undone);
        if let (Some(n), Some((verdict, path))) = (self.notices.get(), &checked)
            && let Some(r) = verdict.telling_reason()
        {
            n.tell(crate::notify::Notice {
                path: path.clone(),
                what: if restored {
                    format!("{r} (the file holds what it held before)")
                } else {
                    r.to_string()
                },
                fix: r.fix(),
                verb: "refused",
            });
        }
        Err(Errno::EACCES)
    }

    /// Lets a passed file's prior version go (`Txn::drop_prior`).
    fn let_prior_go(&self, ino: u64) -> Res<()> {
        self.change_with_state(|tx, st| {
            tx.drop_prior(ino)?;
            st.priors.remove(&ino);
            Ok(())
        })
    }

    /// At mount: files left unchecked by a crash are checked before anyone sees them.
    pub(super) fn sweep_unchecked(&self) -> Res<()> {
        let left = gate::door::unchecked(&self.store).map_err(|e| self.fail(e))?;
        let unfinished = gate::door::incomplete(&self.store).map_err(|e| self.fail(e))?;
        // Prior versions of files a check had passed before the mount ended go; the others stay
        // for the checks below.
        let priors = self.change_with_state(|tx, _| {
            let mut kept = std::collections::BTreeSet::new();
            for p in tx.priors()? {
                if left.contains(&p.ino) {
                    kept.insert(p.ino);
                } else {
                    tx.drop_prior(p.ino)?;
                }
            }
            Ok(kept)
        })?;
        {
            let mut st = self.state();
            st.unchecked = left.clone();
            st.failed = unfinished.iter().map(|&ino| (ino, Errno::EIO)).collect();
            st.priors = priors;
        }
        // Files whose writing failed, or that were being written anew, when the mount ended
        // are removed, not checked: what landed of them is not what was meant.
        for &ino in &unfinished {
            match self.discard(ino, Errno::EIO, "its writing never finished (the mount ended first)") {
                Ok(()) | Err(Errno::EIO) => {}
                Err(e) => return Err(e),
            }
        }
        for ino in left.difference(&unfinished).copied() {
            match self.admit(ino, Close::Last) {
                Ok(()) | Err(Errno::EACCES) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

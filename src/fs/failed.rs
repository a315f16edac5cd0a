//! A file the mount does not keep as written: a write to it failed (the vault is full), or its
//! writing never finished before the mount ended. Its close (or fsync) removes it — or puts back
//! its prior version, when the gate had passed it before — audited as `incomplete`, and returns
//! the write's error, so that every file a listing shows is whole. The kernel and the desktop
//! are told.

use fuser::Errno;
use vaultfmt::dev::BlockDevice;

use super::door::{incomplete_list, unchecked_list};
use super::{Inner, Res};
use crate::gate::door::{INCOMPLETE, UNCHECKED, Undone, undo};

/// The errno's name, for the audit log (`ENOSPC`).
pub(super) fn errno_name(e: Errno) -> &'static str {
    match e.code() {
        libc::ENOSPC => "ENOSPC",
        libc::EDQUOT => "EDQUOT",
        libc::EFBIG => "EFBIG",
        _ => "EIO",
    }
}

/// What became of a file not kept as written ([`undo_audited`]), and its path (none when it had no
/// name left).
pub(super) type Removed = (Undone, Option<String>);

/// A file that is not kept as written, with an `incomplete` audit record naming it and the
/// reason: put back as it was before its change when it had been passed before, every name of
/// it removed otherwise ([`undo`]).
pub(super) fn undo_audited<D: BlockDevice + 'static>(
    tx: &mut vaultfmt::store::Txn<'_, D>,
    ino: u64,
    reason: &str,
) -> Result<Removed, vaultfmt::store::StoreError> {
    if tx.a_name_of(ino)?.is_none() {
        // No name left: nothing to show or put back (a prior version goes with the file).
        return Ok((Undone::Removed(Vec::new()), None));
    }
    let path = tx.path_of(ino);
    tx.audit("incomplete", &[("door", "mount"), ("path", &path), ("reason", reason)])?;
    Ok((undo(tx, "mount", ino)?, Some(path)))
}

impl<D: BlockDevice + 'static> Inner<D> {
    /// Records that a write to a file failed (the vault is full, say): the file is no longer
    /// what its writer wrote, and its close removes it ([`Inner::discard`]).
    /// Kept in the store too ([`INCOMPLETE`], made durable at once): after a crash the next mount removes the file
    /// instead of checking what part of it landed. Called before the write's change ends, so
    /// that no check can pass the file in between.
    pub(super) fn write_failed(&self, ino: u64, e: Errno) {
        let recorded = self.change_with_state(|tx, st| {
            if st.failed.insert(ino, e).is_some() {
                return Ok(false);
            }
            tx.put_setting(INCOMPLETE, &incomplete_list(st))?;
            Ok(true)
        });
        if recorded == Ok(true) {
            // Durable at once: a crash before the close must find it listed.
            let _ = self.durable();
        }
        // Even when the store could not record it, this mount knows.
        self.state().failed.entry(ino).or_insert(e);
        // Its names go now, not at its close: when the kernel's write-back is what failed, the
        // close returns the error without asking the mount, which learns of it only at the
        // release, after the writer has moved on (and a listing could have shown the file).
        let _ = self.unlink_failed(ino, e, errno_name(e));
    }

    /// Removes every name of a file a write to which failed (one with a prior version is left
    /// for its close to put back), audits it (`incomplete`, with the reason) and says so on the
    /// desktop; the mount's state of it stays until its close. Does
    /// nothing when it has no name left (removed already).
    fn unlink_failed(&self, ino: u64, failed: Errno, reason: &str) -> Res<()> {
        let removed = self.change_with_state(|tx, _| {
            // One the gate had passed is put back at its close (its writer may write on until
            // then): meanwhile it is unchecked, and no other handle reads it.
            if tx.has_prior(ino)? {
                return Ok(None);
            }
            undo_audited(tx, ino, reason).map(Some)
        })?;
        if let Some(removed) = removed {
            self.removed(ino, removed, failed, reason);
        }
        Ok(())
    }

    /// Removes a file a write to which failed (or whose writing never finished), so that no file
    /// that looks whole and is not stays behind: in one change, every name left goes (audited,
    /// unless its failed write removed them already) and the mount forgets the file; the writer's
    /// close or fsync gets the error.
    pub(super) fn discard(&self, ino: u64, failed: Errno, reason: &str) -> Res<()> {
        let removed = self.change_with_state(|tx, st| {
            let removed = undo_audited(tx, ino, reason)?;
            st.priors.remove(&ino);
            st.fresh.remove(&ino);
            st.forget(ino);
            tx.put_setting(UNCHECKED, &unchecked_list(st))?;
            tx.put_setting(INCOMPLETE, &incomplete_list(st))?;
            Ok(removed)
        })?;
        self.removed(ino, removed, failed, reason);
        Err(failed)
    }

    /// After [`undo_audited`]: the kernel told, the desktop told of the file.
    pub(super) fn removed(&self, ino: u64, (undone, path): Removed, failed: Errno, reason: &str) {
        let restored = matches!(undone, Undone::Restored(_));
        self.undone(ino, undone);
        if let (Some(n), Some(path)) = (self.notices.get(), path) {
            n.tell(crate::notify::Notice {
                path,
                what: if restored {
                    format!("not kept: {reason} (the file holds what it held before)")
                } else {
                    format!("not kept: {reason}")
                },
                fix: if failed == Errno::ENOSPC {
                    "free space in the vault (delete files), or use a larger one; then copy it again".into()
                } else {
                    "copy it again".into()
                },
                verb: "could not keep",
            });
        }
    }

    /// Tells the kernel that names [`undo`] took from the file's inode no longer lead to it: gone,
    /// or leading to the file put back, a new inode (what the kernel holds of the old one, its
    /// pages and the size it trusts while it caches written pages, is not true of it).
    pub(super) fn undone(&self, ino: u64, undone: Undone) {
        if let Some(notifier) = self.notifier.get().cloned() {
            // From another thread: the kernel holds the file while it waits for this request's
            // answer, so a notice sent from here would deadlock; from there it completes once the
            // answer is in. A notice that fails only leaves the name cached until its TTL (1 s).
            std::thread::spawn(move || {
                for (parent, name) in undone.names() {
                    let _ = notifier.delete(
                        fuser::INodeNo(parent),
                        fuser::INodeNo(ino),
                        std::ffi::OsStr::new(&name),
                    );
                }
            });
        }
    }
}

//! The mount's door through the gate (invariant 4). A file written through the mount is
//! *unchecked* until a close or an fsync of a handle that wrote it runs the gate on its whole
//! content. Until then no other handle may open or read it. A refused file is removed, the
//! close or fsync returns EACCES, and the refusal (rule and tag) goes to the audit log.
//!
//! The set of unchecked files is kept in the store too (marked before the first write lands),
//! so that after a crash the next mount checks them again before anyone can see them.

use std::collections::BTreeSet;

use fuser::Errno;
use vaultfmt::dev::BlockDevice;

use super::{Inner, Res};
use crate::gate::{self, Policy};

/// The store setting that lists unchecked files.
const UNCHECKED: &str = "unchecked";

impl<D: BlockDevice + 'static> Inner<D> {
    pub(super) fn policy(&self) -> &Policy {
        &self.policy
    }

    pub(super) fn is_unchecked(&self, ino: u64) -> bool {
        self.state().unchecked.contains(&ino)
    }

    /// Marks a file unchecked before a change to its content lands.
    pub(super) fn mark_unchecked(&self, ino: u64) -> Res<()> {
        if !self.state().unchecked.insert(ino) {
            return Ok(());
        }
        let all: Vec<u64> = self.state().unchecked.iter().copied().collect();
        self.change(|tx| tx.put_setting(UNCHECKED, &all))
    }

    fn forget_unchecked(&self, ino: u64) -> Res<()> {
        if !self.state().unchecked.remove(&ino) {
            return Ok(());
        }
        let all: Vec<u64> = self.state().unchecked.iter().copied().collect();
        self.change(|tx| tx.put_setting(UNCHECKED, &all))
    }

    /// Runs the gate on an unchecked file: Ok when it may stay; EACCES when it was refused and
    /// removed.
    pub(super) fn admit(&self, ino: u64) -> Res<()> {
        if !self.is_unchecked(ino) {
            return Ok(());
        }
        let view = self.store.read().map_err(|e| self.fail(e))?;
        let Some(inode) = view.inode(ino).map_err(|e| self.fail(e))? else {
            drop(view);
            return self.forget_unchecked(ino);
        };
        let mut head = vec![0u8; gate::HEAD_BYTES];
        let n = view.read_at(ino, 0, &mut head).map_err(|e| self.fail(e))?;
        let verdict = if gate::might_be_dicom(&head[..n]) {
            let mut bytes = Vec::with_capacity(inode.size as usize);
            view.copy_out(ino, &mut bytes, &mut |_| {}).map_err(|e| self.fail(e))?;
            gate::check(&bytes, self.policy())
        } else {
            gate::check(&head[..n], self.policy())
        };
        let path = view.path_of(ino).map_err(|e| self.fail(e))?;
        drop(view);
        if verdict.accept {
            return self.forget_unchecked(ino);
        }
        // Refused: every name goes, and the refusal is recorded without any value.
        let names = self.change(|tx| {
            for r in &verdict.reasons {
                tx.audit(
                    "refused",
                    &[("door", "mount"), ("path", &path), ("rule", r.rule), ("tag", &r.tag)],
                )?;
            }
            let mut names = Vec::new();
            while let Some((parent, name)) = tx.a_name_of(ino)? {
                tx.unlink(parent, &name)?;
                names.push((parent, name));
            }
            Ok(names)
        })?;
        self.forget_unchecked(ino)?;
        if let Some(notifier) = self.notifier.get().cloned() {
            // From another thread: the kernel holds the file while it waits for this request's
            // answer, so a notice sent from here would deadlock; from there it completes once the
            // answer is in. A notice that fails only leaves the name cached until its TTL (1 s).
            std::thread::spawn(move || {
                for (parent, name) in names {
                    let _ = notifier.delete(
                        fuser::INodeNo(parent),
                        fuser::INodeNo(ino),
                        std::ffi::OsStr::new(&name),
                    );
                }
            });
        }
        Err(Errno::EACCES)
    }

    /// At mount: files left unchecked by a crash are checked before anyone sees them.
    pub(super) fn sweep_unchecked(&self) {
        let left: Vec<u64> = self.store.begin_read_setting(UNCHECKED).ok().flatten().unwrap_or_default();
        let set: BTreeSet<u64> = left.into_iter().collect();
        self.state().unchecked = set.clone();
        for ino in set {
            let _ = self.admit(ino);
        }
    }
}

//! Sectors that commits stopped referencing, held back until nothing can read them any more.
//!
//! A run of sectors joins the free table (and may then be written again) only when both hold:
//! - a durable commit records that it is no longer referenced: until then a power cut brings back
//!   a tree that still points at it (so a volatile commit's frees wait for the next durable one);
//! - no read view open in this process sees a commit that still references it: a long read (the
//!   mirror of a mounted vault reads one snapshot for minutes) must never find a sector that a
//!   later write has reused.
//!
//! Commits are numbered in this process. A view records the number of the last commit it may
//! see; a run dropped by commit `n` is referenced only by snapshots before `n`, so it may be
//! released once every open view has seen commit `n` or a later one.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

/// A run of sectors: (first, count).
pub(crate) type Run = (u64, u64);

#[derive(Default)]
struct Book {
    /// Commits so far in this process.
    commits: u64,
    /// Runs dropped by commit `n`, not yet in the free table: (n, run).
    waiting: Vec<(u64, Run)>,
    /// Open read views by the commit they saw last → how many.
    views: BTreeMap<u64, usize>,
}

#[derive(Default)]
pub(crate) struct Frees {
    book: Mutex<Book>,
}

impl Frees {
    fn book(&self) -> MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Begins a read (with `begin`) and records it as open; returns what `begin` gave and the
    /// number to pass to [`Frees::closed`]. A view begun while a commit is becoming visible may
    /// record the commit before it: that only holds sectors back longer.
    pub(crate) fn opened<T, E>(&self, begin: impl FnOnce() -> Result<T, E>) -> Result<(T, u64), E> {
        let mut book = self.book();
        let value = begin()?;
        let seen = book.commits;
        *book.views.entry(seen).or_default() += 1;
        Ok((value, seen))
    }

    /// A read view begun by [`Frees::opened`] has ended.
    pub(crate) fn closed(&self, seen: u64) {
        let mut book = self.book();
        if let Some(n) = book.views.get_mut(&seen) {
            *n -= 1;
            if *n == 0 {
                book.views.remove(&seen);
            }
        }
    }

    /// A volatile commit has become visible; `dropped` wait for a durable commit.
    pub(crate) fn committed_volatile(&self, dropped: Vec<Run>) {
        let mut book = self.book();
        book.commits += 1;
        let n = book.commits;
        book.waiting.extend(dropped.into_iter().map(|r| (n, r)));
    }

    /// Runs a durable commit: `commit` is given the runs it may put in the free table (it must
    /// do so inside the transaction it commits). `dropped` are the runs this commit stops
    /// referencing: with no view open they are released by this same commit (no view can begin
    /// until it is visible), otherwise they wait like any other. If `commit` fails, what it was
    /// given waits again.
    pub(crate) fn commit_durable<E>(
        &self,
        dropped: Vec<Run>,
        commit: impl FnOnce(&[Run]) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut book = self.book();
        let oldest_view = book.views.keys().next().copied();
        let (ready, still): (Vec<_>, Vec<_>) = std::mem::take(&mut book.waiting)
            .into_iter()
            .partition(|&(n, _)| oldest_view.is_none_or(|v| n <= v));
        book.waiting = still;
        let mut release: Vec<Run> = ready.iter().map(|&(_, r)| r).collect();
        let result = if oldest_view.is_none() {
            // The lock stays held: a view beginning now would see the snapshot before this
            // commit, which still references `dropped`.
            release.extend(dropped.iter().copied());
            let result = commit(&release);
            book.commits += 1;
            result
        } else {
            drop(book);
            let result = commit(&release);
            book = self.book();
            book.commits += 1;
            if result.is_ok() {
                let n = book.commits;
                book.waiting.extend(dropped.into_iter().map(|r| (n, r)));
            }
            result
        };
        if result.is_err() {
            book.waiting.extend(ready);
        }
        result
    }

    /// True when a durable commit now would put some waiting runs in the free table.
    pub(crate) fn any_releasable(&self) -> bool {
        let book = self.book();
        let oldest_view = book.views.keys().next().copied();
        book.waiting.iter().any(|&(n, _)| oldest_view.is_none_or(|v| n <= v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn released(frees: &Frees, dropped: Vec<Run>) -> Vec<Run> {
        let mut got = Vec::new();
        frees
            .commit_durable::<()>(dropped, |r| {
                got = r.to_vec();
                Ok(())
            })
            .unwrap();
        got
    }

    #[test]
    fn an_open_view_holds_back_what_it_may_read() {
        let frees = Frees::default();
        // No view: a durable commit releases what it dropped at once.
        assert_eq!(released(&frees, vec![(10, 1)]), vec![(10, 1)]);
        // A view of commit 1 is open: what commit 2 drops waits, through commit 3 too.
        let ((), seen) = frees.opened::<(), ()>(|| Ok(())).unwrap();
        assert_eq!(released(&frees, vec![(20, 2)]), vec![]);
        frees.committed_volatile(vec![(30, 3)]);
        assert_eq!(released(&frees, vec![]), vec![]);
        assert!(!frees.any_releasable());
        // A newer view does not hold back what its snapshot no longer references.
        let ((), newer) = frees.opened::<(), ()>(|| Ok(())).unwrap();
        frees.closed(seen);
        assert!(frees.any_releasable());
        assert_eq!(released(&frees, vec![]), vec![(20, 2), (30, 3)]);
        frees.closed(newer);
        assert!(!frees.any_releasable());
    }

    #[test]
    fn a_failed_commit_keeps_what_it_was_given_waiting() {
        let frees = Frees::default();
        frees.committed_volatile(vec![(5, 1)]);
        assert!(frees.commit_durable(vec![(6, 1)], |_| Err("pulled")).is_err());
        // The volatile commit's run waits again; the failed commit's own never left its tree.
        assert_eq!(released(&frees, vec![]), vec![(5, 1)]);
    }
}

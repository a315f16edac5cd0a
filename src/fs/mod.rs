//! The FUSE adapter: the vault's store as an ordinary folder. It holds no crypto and no DICOM
//! logic: every request becomes calls on the store (`vaultfmt::store`).
//!
//! Durability: each changing request runs in its own store transaction, committed *volatilely*
//! (visible at once, not yet forced to the drive). `fsync`/`fsyncdir` make everything durable
//! before they return (invariant 2); otherwise a committer thread makes changes durable within
//! 3 seconds (see [`COMMIT_INTERVAL`]); unmounting commits everything.
//!
//! Files unlinked while open stay readable through their handles (store orphans) and go when
//! the last handle closes, or at the next mount after a crash.

mod attr;
mod door;
mod failed;
mod ops;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use fuser::{Errno, TimeOrNow};

use crate::error::Context;
use vaultfmt::dev::BlockDevice;
use vaultfmt::store::{Inode, Store, StoreError, Time, Txn};

pub use attr::errno;
use attr::file_attr;

/// Changes are made durable once the last durable commit is this old; the committer looks
/// every quarter of it, so a change is durable within 1.25 × this plus one commit's time
/// (documented as "within 3 seconds").
pub const COMMIT_INTERVAL: Duration = Duration::from_secs(2);
/// The documented bound: a change closed without fsync is durable within this long.
pub const DURABLE_WITHIN: Duration = Duration::from_secs(3);
const _: () = assert!(COMMIT_INTERVAL.as_millis() * 5 / 4 < DURABLE_WITHIN.as_millis());
/// How long the kernel may cache attributes and names.
const TTL: Duration = Duration::from_secs(1);
/// Largest write the kernel sends in one request.
pub const MAX_WRITE: u32 = 1 << 20;

struct State {
    /// Open handle → (inode, opened for writing).
    handles: BTreeMap<u64, (u64, bool)>,
    /// Files written through the mount that the gate has not yet passed (`door.rs`).
    unchecked: std::collections::BTreeSet<u64>,
    /// Inode → changes to its content begun (and landed) so far, while it is unchecked.
    generation: BTreeMap<u64, u64>,
    /// The last generation given (`door.rs`: `State::bump`).
    generations: u64,
    /// Inode → changes to its content in flight.
    in_flight: BTreeMap<u64, u32>,
    /// Inode → the error of a write to it that failed (`door.rs`: removed at its close).
    failed: BTreeMap<u64, Errno>,
    /// Files whose content started over through this mount (new, or truncated to nothing) and
    /// that no close has passed yet (`door.rs`: a crash before then removes them).
    unfinished: std::collections::BTreeSet<u64>,
    /// Files whose prior version the store keeps (`door.rs`: from a passed file's first change
    /// until its last close).
    priors: std::collections::BTreeSet<u64>,
    /// Files whose content started over (made, or truncated to nothing) through a description
    /// not yet released: a check that passes them at a close that is not the last (an fsync
    /// part way) passes part of a copy, which is no version to put back (`door.rs`).
    fresh: std::collections::BTreeSet<u64>,
    /// Inode → a refusal at a close that was not the last (`door.rs`): the generation it saw,
    /// the verdict and the file's path, for the last close to carry out.
    refused: BTreeMap<u64, (u64, crate::gate::Verdict, String)>,
    next_handle: u64,
    /// Inode → number of open handles.
    open: BTreeMap<u64, u32>,
    /// Volatile commits not yet made durable.
    dirty: bool,
    last_durable: Instant,
}

impl State {
    /// A new handle on `ino`, counted open.
    fn register(&mut self, ino: u64, writer: bool) -> u64 {
        let fh = self.next_handle;
        self.next_handle += 1;
        self.handles.insert(fh, (ino, writer));
        *self.open.entry(ino).or_default() += 1;
        fh
    }
}

struct Inner<D: BlockDevice + 'static> {
    store: Store<D>,
    state: Mutex<State>,
    read_only: bool,
    /// Set when the device has gone (unplugged): every later request fails at once.
    gone: AtomicBool,
    stop: (Mutex<bool>, Condvar),
    /// Tells the kernel to forget names the gate removed (set once the session exists).
    notifier: Arc<std::sync::OnceLock<fuser::Notifier>>,
    /// The vault's gate policy, read once: nothing else can change it while the mount holds the
    /// vault (the store is claimed by this process).
    policy: crate::gate::Policy,
    /// Where refusals are told to the desktop (`crate::notify`), when there is a session bus.
    notices: std::sync::OnceLock<crate::notify::Notifier>,
    /// The path of the folder a name was last made in, for the gate's reading of a name with its
    /// folder's ([`Inner::judge_name`]): a copy makes its names in one folder after another.
    /// Forgotten at every rename and removal of a folder.
    last_folder: Mutex<Option<(u64, String)>>,
    /// Told whenever a handle is released: an open that found its file in use waits on it a
    /// moment ([`Inner::try_open`]).
    released: Condvar,
}

/// The filesystem handed to fuser.
pub struct VaultFs<D: BlockDevice + 'static> {
    inner: Arc<Inner<D>>,
    committer: Option<std::thread::JoinHandle<()>>,
}

type Res<T> = Result<T, Errno>;

/// How long an open waits for a file's other handles to be released ([`Inner::try_open`]).
const RELEASE_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

impl<D: BlockDevice + 'static> Inner<D> {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn fail(&self, e: StoreError) -> Errno {
        if e.device_error().is_some_and(|d| d.is_gone()) {
            self.gone.store(true, Ordering::SeqCst);
        }
        errno(&e)
    }

    fn check(&self) -> Res<()> {
        if self.gone.load(Ordering::SeqCst) { Err(Errno::EIO) } else { Ok(()) }
    }

    /// Runs a change in one transaction, committed volatilely.
    fn change<T>(&self, f: impl FnOnce(&mut Txn<'_, D>) -> Result<T, StoreError>) -> Res<T> {
        self.change_with_state(|tx, _| f(tx))
    }

    /// [`Inner::change`], with the mount's state (locked for the whole change) at hand.
    fn change_with_state<T>(
        &self,
        f: impl FnOnce(&mut Txn<'_, D>, &mut State) -> Result<T, StoreError>,
    ) -> Res<T> {
        self.check()?;
        if self.read_only {
            return Err(Errno::EROFS);
        }
        let mut st = self.state();
        let mut tx = self.store.begin().map_err(|e| self.fail(e))?;
        tx.keep_open(st.open.keys().copied());
        let value = f(&mut tx, &mut st).map_err(|e| self.fail(e))?;
        tx.commit_volatile().map_err(|e| self.fail(e))?;
        st.dirty = true;
        Ok(value)
    }

    /// Makes every change so far durable.
    fn durable(&self) -> Res<()> {
        self.check()?;
        if self.read_only {
            return Ok(());
        }
        let mut st = self.state();
        // Sectors held back for a read view that has ended since are released by this commit.
        if !st.dirty && !self.store.frees_waiting() {
            return Ok(());
        }
        let tx = self.store.begin().map_err(|e| self.fail(e))?;
        tx.commit().map_err(|e| self.fail(e))?;
        st.dirty = false;
        st.last_durable = Instant::now();
        Ok(())
    }

    fn inode(&self, ino: u64) -> Res<Inode> {
        self.check()?;
        let view = self.store.read().map_err(|e| self.fail(e))?;
        view.inode(ino).map_err(|e| self.fail(e))?.ok_or(Errno::ENOENT)
    }

    fn entry(&self, ino: u64) -> Res<fuser::FileAttr> {
        Ok(file_attr(ino, &self.inode(ino)?))
    }

    /// Creates a regular file; returns its inode and attributes.
    fn create_file(&self, parent: u64, name: &OsStr, mode: u32, umask: u32) -> Res<(u64, fuser::FileAttr)> {
        let name = self.new_name(parent, name)?;
        // Unchecked and unfinished until its writer closes it, from the commit that makes it.
        let ino = self.create_new(parent, name, mode & !umask)?;
        Ok((ino, self.entry(ino)?))
    }

    /// The handle's inode and whether it was opened for writing.
    fn handle(&self, fh: u64) -> Option<(u64, bool)> {
        self.state().handles.get(&fh).copied()
    }

    fn statfs(&self) -> Res<(u64, u64, u64)> {
        self.check()?;
        let view = self.store.read().map_err(|e| self.fail(e))?;
        let (free, total) = view.space().map_err(|e| self.fail(e))?;
        let files = view.inode_count().map_err(|e| self.fail(e))?;
        Ok((free, total, files))
    }

    /// Opens a handle on `ino` unless another handle holds it in a way that forbids this open
    /// (`writing` or not): a file being written is opened by no one else, a file open is not
    /// opened to be written, and an unchecked file (one just made, whose writer's handle is
    /// being registered) is not opened to be written. The kernel releases a closed file's handle
    /// after close(2) returns, so a program that closes a file and opens it again finds it in
    /// use for a moment: this waits up to `wait` for that, then gives up (EBUSY). The test and
    /// the handle's registration are one step under the state's lock.
    ///
    /// A file whose writer's close was refused has lost its names before that writer's handle
    /// goes: an open that waited on it finds it nameless once registered, and gets no handle
    /// (ENOENT) — a handle would read the refused bytes until the file is reaped.
    fn try_open(&self, ino: u64, writing: bool, wait: std::time::Duration) -> Res<u64> {
        let deadline = std::time::Instant::now() + wait;
        let mut st = self.state();
        let fh = loop {
            let open = st.open.get(&ino).copied().unwrap_or(0);
            let written = open > 0 && st.handles.values().any(|&(i, w)| i == ino && w);
            let unchecked = st.unchecked.contains(&ino);
            if !(written || (writing && (open > 0 || unchecked))) {
                // A writer's close that left it unchecked (a check that failed): not readable.
                if !writing && unchecked {
                    return Err(Errno::EACCES);
                }
                break st.register(ino, writing);
            }
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return Err(Errno::EBUSY);
            }
            st = self.released.wait_timeout(st, left).unwrap_or_else(|e| e.into_inner()).0;
        };
        drop(st);
        match self.inode(ino) {
            Ok(i) if i.nlink > 0 => Ok(fh),
            found => {
                self.close_handle(fh)?;
                Err(found.err().unwrap_or(Errno::ENOENT))
            }
        }
    }

    fn open_handle(&self, ino: u64, writer: bool) -> u64 {
        self.state().register(ino, writer)
    }

    fn close_handle(&self, fh: u64) -> Res<()> {
        let ino = {
            let mut st = self.state();
            let Some((ino, _)) = st.handles.remove(&fh) else { return Ok(()) };
            self.released.notify_all();
            let count = st.open.get_mut(&ino).expect("an open handle counts");
            *count -= 1;
            if *count > 0 {
                return Ok(());
            }
            st.open.remove(&ino);
            ino
        };
        // The last handle: a file unlinked while open goes now.
        if !self.read_only && self.inode(ino).is_ok_and(|i| i.nlink == 0) {
            self.change(|tx| tx.reap_orphan(ino))?;
        }
        Ok(())
    }
}

fn name_str(name: &OsStr) -> Res<&str> {
    let s = name.to_str().ok_or(Errno::EINVAL)?;
    if s.len() > 255 {
        return Err(Errno::ENAMETOOLONG);
    }
    Ok(s)
}

fn to_time(t: TimeOrNow) -> Time {
    match t {
        TimeOrNow::Now => Time::now(),
        TimeOrNow::SpecificTime(st) => {
            let d = st.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            Time { secs: d.as_secs() as i64, nanos: d.subsec_nanos() }
        }
    }
}

impl<D: BlockDevice + 'static> VaultFs<D> {
    /// The filesystem over an opened store. Fails when the vault's gate policy cannot be read
    /// (a damaged record is never taken for the default), or files left unchecked cannot be
    /// checked.
    pub fn new(store: Store<D>, read_only: bool) -> crate::error::Result<VaultFs<D>> {
        let policy = crate::gate::door::vault_policy(&store)?;
        let state = State {
            handles: BTreeMap::new(),
            unchecked: Default::default(),
            generation: BTreeMap::new(),
            generations: 0,
            in_flight: BTreeMap::new(),
            failed: BTreeMap::new(),
            unfinished: Default::default(),
            priors: Default::default(),
            fresh: Default::default(),
            refused: BTreeMap::new(),
            next_handle: 1,
            open: BTreeMap::new(),
            dirty: false,
            last_durable: Instant::now(),
        };
        let inner = Arc::new(Inner {
            policy,
            store,
            state: Mutex::new(state),
            read_only,
            gone: AtomicBool::new(false),
            stop: (Mutex::new(false), Condvar::new()),
            notifier: Arc::new(std::sync::OnceLock::new()),
            notices: std::sync::OnceLock::new(),
            last_folder: Mutex::new(None),
            released: Condvar::new(),
        });
        let committer = {
            let inner = inner.clone();
            std::thread::spawn(move || {
                let (lock, wake) = &inner.stop;
                let mut stop = lock.lock().unwrap_or_else(|e| e.into_inner());
                let mut left_before = std::collections::BTreeSet::new();
                while !*stop {
                    stop = wake.wait_timeout(stop, COMMIT_INTERVAL / 4).unwrap_or_else(|e| e.into_inner()).0;
                    let due = {
                        let st = inner.state();
                        (st.dirty || inner.store.frees_waiting())
                            && st.last_durable.elapsed() >= COMMIT_INTERVAL
                    };
                    if due {
                        let _ = inner.durable();
                    }
                    if !inner.read_only {
                        // A file left unchecked with no handle open and no change in flight, at two
                        // looks in a row: no close is coming that would check it (a truncate(2)
                        // racing a last close leaves one, rarely), so it is checked here.
                        let left_now = inner.left_unchecked();
                        let stuck: Vec<u64> = left_now.intersection(&left_before).copied().collect();
                        left_before = left_now;
                        if !stuck.is_empty() {
                            drop(stop);
                            for ino in stuck {
                                let _ = inner.check_left(ino);
                            }
                            stop = lock.lock().unwrap_or_else(|e| e.into_inner());
                        }
                    }
                }
            })
        };
        let fs = VaultFs { inner, committer: Some(committer) };
        if read_only {
            // Nothing can be checked (or removed) read-only: unchecked files stay unreadable.
            fs.inner.state().unchecked = crate::gate::door::unchecked(&fs.inner.store)?;
        } else {
            fs.inner
                .sweep_unchecked()
                .map_err(|e| std::io::Error::from_raw_os_error(e.code()))
                .context("cannot check the files a mount left unchecked")?;
        }
        Ok(fs)
    }

    /// Where the session's notifier goes once the session exists (fuser keeps the filesystem
    /// to itself), so that names the gate removes leave the kernel's caches (at the latest
    /// when their 1-second TTL ends).
    pub fn notifier_slot(&self) -> Arc<std::sync::OnceLock<fuser::Notifier>> {
        self.inner.notifier.clone()
    }

    /// Tells refusals and files removed for want of space to the desktop through `notifier`.
    pub fn notify_with(&self, notifier: crate::notify::Notifier) {
        let _ = self.inner.notices.set(notifier);
    }

    /// The mounted store, for work the mount's process does besides serving requests (the
    /// control socket, `crate::control`).
    pub fn shared(&self) -> Shared<D> {
        Shared(self.inner.clone())
    }

    fn stop_committer(&mut self) {
        let (lock, wake) = &self.inner.stop;
        *lock.lock().unwrap_or_else(|e| e.into_inner()) = true;
        wake.notify_all();
        if let Some(handle) = self.committer.take() {
            let _ = handle.join();
        }
    }
}

/// The store a mount serves, shared with other work in the mount's process. It stays open while
/// a value of this kind lives.
pub struct Shared<D: BlockDevice + 'static>(Arc<Inner<D>>);

impl<D: BlockDevice + 'static> Clone for Shared<D> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<D: BlockDevice + 'static> Shared<D> {
    pub fn store(&self) -> &Store<D> {
        &self.0.store
    }

    pub fn read_only(&self) -> bool {
        self.0.read_only
    }

    /// Files written through the mount that the gate has not passed yet.
    pub fn unchecked_count(&self) -> u64 {
        self.0.state().unchecked.len() as u64
    }

    /// The vault's gate policy, as the mount read it (nothing can change it while mounted).
    pub fn policy(&self) -> &crate::gate::Policy {
        &self.0.policy
    }

    /// Makes every change durable, and frees what read views held back (see
    /// `vaultfmt::store::Store::frees_waiting`).
    pub fn commit(&self) -> Result<(), Errno> {
        self.0.durable()
    }
}

impl<D: BlockDevice + 'static> Drop for VaultFs<D> {
    fn drop(&mut self) {
        // Joining the committer releases its share of the store, so that dropping this value
        // closes the store and wipes the keys (invariant 5).
        self.stop_committer();
    }
}

//! Memory for keys (invariant 5).
//!
//! Each [`Locked`] value lives in its own anonymous mapping that is locked into RAM (`mlock`,
//! so it is never written to swap), excluded from core dumps (`MADV_DONTDUMP`), and wiped
//! before it is unmapped. Creating the first one also makes the process non-dumpable
//! (`PR_SET_DUMPABLE` = 0: no core file, no ptrace attach by other processes of the same user)
//! for the rest of its life.
//!
//! What this cannot promise: a value built on the stack and then moved in (an AES key
//! schedule, say) leaves its stack copy behind until that stack is reused. Key bytes are
//! therefore written into their locked page directly wherever the code can arrange it.
//!
//! If `mlock` is refused (RLIMIT_MEMLOCK), the value is still used, and
//! [`memory_lock_failed`] reports it so the command line can warn, as cryptsetup does.

use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use zeroize::Zeroize;

static NON_DUMPABLE: Once = Once::new();
static LOCK_FAILED: AtomicBool = AtomicBool::new(false);
static LIVE: AtomicUsize = AtomicUsize::new(0);

#[cfg(test)]
thread_local! {
    /// Set by a test to read a dropped value's page after its wipe: the mapping is then left
    /// for the test to unmap.
    static KEEP_MAPPED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// How many [`Locked`] values (keys, and the ciphers made from them) this process holds now.
/// Once a vault is closed (unmounted, its command done) none of its own is left: a test of
/// unmounting holds it to that.
pub fn live() -> usize {
    LIVE.load(Ordering::SeqCst)
}

/// True if any key memory could not be locked into RAM.
pub fn memory_lock_failed() -> bool {
    LOCK_FAILED.load(Ordering::Relaxed)
}

/// A value in locked, non-dumpable memory, wiped on drop.
pub struct Locked<T> {
    ptr: NonNull<T>,
    map_len: usize,
}

// SAFETY: `Locked<T>` owns its T exclusively, like a Box.
unsafe impl<T: Send> Send for Locked<T> {}
unsafe impl<T: Sync> Sync for Locked<T> {}

fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    unsafe { libc::sysconf(libc::_SC_PAGESIZE) as usize }
}

impl<T> Locked<T> {
    /// Moves `value` into a new locked mapping.
    pub fn new(value: T) -> Locked<T> {
        NON_DUMPABLE.call_once(|| {
            // SAFETY: prctl with PR_SET_DUMPABLE takes one integer argument.
            unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) };
        });
        let page = page_size();
        assert!(std::mem::align_of::<T>() <= page);
        let map_len = std::mem::size_of::<T>().max(1).div_ceil(page) * page;
        // SAFETY: an anonymous private mapping; the result is checked.
        let addr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                map_len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert!(addr != libc::MAP_FAILED, "cannot map memory for a key: {}", std::io::Error::last_os_error());
        // SAFETY: `addr` is our mapping of `map_len` bytes.
        unsafe {
            libc::madvise(addr, map_len, libc::MADV_DONTDUMP);
            if libc::mlock(addr, map_len) != 0 {
                LOCK_FAILED.store(true, Ordering::Relaxed);
            }
        }
        let ptr = NonNull::new(addr as *mut T).expect("mmap returned a non-null address");
        // SAFETY: the mapping is large enough and page-aligned, so aligned for T.
        unsafe { ptr.as_ptr().write(value) };
        LIVE.fetch_add(1, Ordering::SeqCst);
        Locked { ptr, map_len }
    }

    /// The address of the mapping, for tests that inspect `/proc/self/smaps`.
    pub fn address(&self) -> usize {
        self.ptr.as_ptr() as usize
    }
}

impl<T> Deref for Locked<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: initialised in `new`, alive until drop.
        unsafe { self.ptr.as_ref() }
    }
}

impl<T> DerefMut for Locked<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as above, and `&mut self` is exclusive.
        unsafe { self.ptr.as_mut() }
    }
}

impl<T> Drop for Locked<T> {
    fn drop(&mut self) {
        // SAFETY: the value is dropped once, then its whole mapping is wiped, unlocked and
        // unmapped; nothing refers to it afterwards.
        unsafe {
            std::ptr::drop_in_place(self.ptr.as_ptr());
            let bytes = std::slice::from_raw_parts_mut(self.ptr.as_ptr() as *mut u8, self.map_len);
            bytes.zeroize();
            LIVE.fetch_sub(1, Ordering::SeqCst);
            #[cfg(test)]
            if KEEP_MAPPED.with(|k| k.get()) {
                return;
            }
            libc::munlock(self.ptr.as_ptr() as *mut libc::c_void, self.map_len);
            libc::munmap(self.ptr.as_ptr() as *mut libc::c_void, self.map_len);
        }
    }
}

/// Fills a locked byte array with random bytes from the operating system.
pub fn random_key<const N: usize>() -> Locked<[u8; N]> {
    let mut key = Locked::new([0u8; N]);
    getrandom::fill(&mut key[..]).expect("the operating system's random source works");
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The VmFlags line of the mapping that contains `addr`.
    fn vm_flags(addr: usize) -> String {
        let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
        let mut inside = false;
        for line in smaps.lines() {
            if let Some((range, _)) = line.split_once(' ')
                && let Some((lo, hi)) = range.split_once('-')
                && let (Ok(lo), Ok(hi)) = (usize::from_str_radix(lo, 16), usize::from_str_radix(hi, 16))
            {
                inside = lo <= addr && addr < hi;
                continue;
            }
            if inside && line.starts_with("VmFlags:") {
                return line.to_string();
            }
        }
        panic!("no mapping holds {addr:#x}");
    }

    #[test]
    fn keys_are_locked_not_dumped_and_the_process_is_not_dumpable() {
        let key = random_key::<64>();
        let flags = vm_flags(key.address());
        assert!(flags.split_whitespace().any(|f| f == "dd"), "not excluded from dumps: {flags}");
        // Whether locking may be refused is decided here, not by asking the code under test:
        // as root (CAP_IPC_LOCK) or with no memory-lock limit, a key that is not locked is a
        // failure; only under a limit (which the other tests' keys share) may the code report a
        // refusal, and then it must.
        let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        // SAFETY: getrlimit writes one rlimit.
        assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_MEMLOCK, &mut limit) }, 0);
        // SAFETY: geteuid has no preconditions.
        let may_lock = unsafe { libc::geteuid() } == 0 || limit.rlim_cur == libc::RLIM_INFINITY;
        let locked = flags.split_whitespace().any(|f| f == "lo");
        if may_lock {
            assert!(locked, "not locked though the limit allows it: {flags}");
        } else {
            assert!(locked || memory_lock_failed(), "neither locked nor reported: {flags}");
        }
        // SAFETY: PR_GET_DUMPABLE takes no further arguments.
        assert_eq!(unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) }, 0);
        assert_ne!(key[..], [0u8; 64][..], "random key is not all zeros");
    }

    #[test]
    fn drop_wipes_the_whole_mapping_before_unmapping_it() {
        let key = random_key::<64>();
        let (addr, len) = (key.address(), key.map_len);
        assert_ne!(key[..], [0u8; 64][..]);
        KEEP_MAPPED.with(|k| k.set(true));
        drop(key);
        KEEP_MAPPED.with(|k| k.set(false));
        // SAFETY: the test asked drop to leave the mapping in place; it is unmapped below.
        let page = unsafe { std::slice::from_raw_parts(addr as *const u8, len) };
        let left = page.iter().filter(|b| **b != 0).count();
        // SAFETY: the mapping drop left, unmapped once.
        unsafe { libc::munmap(addr as *mut libc::c_void, len) };
        assert_eq!(left, 0, "bytes of a dropped key left in its page");
    }

    #[test]
    fn drop_runs_the_values_destructor() {
        use std::rc::Rc;
        let shared = Rc::new(());
        let locked = Locked::new(shared.clone());
        assert_eq!(Rc::strong_count(&shared), 2);
        drop(locked);
        assert_eq!(Rc::strong_count(&shared), 1);
    }
}

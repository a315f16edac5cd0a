//! A buffer each thread keeps for work it does over and over (a run of chunks read from the
//! device, a piece of a file searched by the gate), instead of a fresh zeroed allocation each
//! time: a copy into the mount read each file twice this way, and zeroing a megabyte for each
//! read was a tenth of the mount's time in `perf`.

use std::cell::RefCell;

thread_local! {
    static SCRATCH: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` on a buffer of `len` bytes whose contents are left over from earlier work (the
/// caller fills what it reads). Calls may nest: each holds a buffer of its own.
pub fn with<T>(len: usize, f: impl FnOnce(&mut [u8]) -> T) -> T {
    let mut buf = SCRATCH.with_borrow_mut(|free| free.pop()).unwrap_or_default();
    if buf.len() < len {
        buf.resize(len, 0);
    }
    let out = f(&mut buf[..len]);
    SCRATCH.with_borrow_mut(|free| free.push(buf));
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn nested_calls_get_buffers_of_their_own() {
        super::with(16, |outer| {
            outer.fill(1);
            super::with(8, |inner| inner.fill(2));
            assert!(outer.iter().all(|&b| b == 1));
        });
        // The buffers are kept: a later call sees what was left (callers fill what they read).
        super::with(4, |again| assert!(again.iter().all(|&b| b == 1 || b == 2)));
    }
}

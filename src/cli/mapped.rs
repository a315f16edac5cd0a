//! Large input files mapped rather than read: what a command does not look at (the pixel data
//! the gate skips) is never copied, nor even read from the disk.

/// Files this large are mapped, not read.
pub const MAP_AT_LEAST: u64 = 128 << 10;

/// A file mapped read-only and private. Its bytes are the file's as long as nobody truncates it
/// meanwhile (a truncation under the map ends this process with SIGBUS, as it does for every
/// tool that maps files; the commands that map only read their inputs).
pub struct Mapped {
    ptr: *mut libc::c_void,
    len: usize,
}

impl Mapped {
    pub fn new(file: &std::fs::File, len: u64) -> Option<Mapped> {
        use std::os::unix::io::AsRawFd;
        let len = usize::try_from(len).ok()?;
        // SAFETY: a fresh read-only private mapping of a file descriptor we hold open.
        let ptr = unsafe {
            libc::mmap(std::ptr::null_mut(), len, libc::PROT_READ, libc::MAP_PRIVATE, file.as_raw_fd(), 0)
        };
        (ptr != libc::MAP_FAILED).then_some(Mapped { ptr, len })
    }

    pub fn bytes(&self) -> &[u8] {
        // SAFETY: the mapping is `len` readable bytes, alive as long as `self`.
        unsafe { std::slice::from_raw_parts(self.ptr as *const u8, self.len) }
    }
}

impl Drop for Mapped {
    fn drop(&mut self) {
        // SAFETY: unmapping exactly what `new` mapped.
        unsafe { libc::munmap(self.ptr, self.len) };
    }
}

//! One batching rule for the doors that write many files into a vault (import, mirror): a
//! batch is committed, made durable, after [`FILES`] files or [`BYTES`] bytes, and at the end.
//! An interruption keeps every batch committed before it, each file whole; the rule bounds both
//! what an interruption loses and what one commit holds.

pub const FILES: usize = 256;
pub const BYTES: u64 = 256 << 20;

/// True when a batch of `files` files and `bytes` bytes is to be committed now; `max_files` is
/// [`FILES`], or fewer where a caller asks (a test that wants many batches).
pub fn full(files: usize, bytes: u64, max_files: usize) -> bool {
    files >= max_files.min(FILES) || bytes >= BYTES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_ends_at_its_files_or_its_bytes_whichever_comes_first() {
        assert!(!full(FILES - 1, BYTES - 1, FILES));
        assert!(full(FILES, 0, FILES));
        assert!(full(1, BYTES, FILES));
        assert!(full(3, 0, 3), "a caller may ask for smaller batches");
        assert!(full(FILES, 0, usize::MAX), "never larger ones");
    }
}

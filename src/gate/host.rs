//! Files of the host, as the commands that read them and store nothing (`vault check`, `vault
//! scrub`) take them: every file under a folder, in name order; a large file mapped rather than
//! read, so that what the gate or the scrub does not look at is never read from the disk nor
//! copied.

use std::path::{Path, PathBuf};

use crate::error::with_path;

/// Every file under `path` (itself, when it is one), in name order, each with its path relative
/// to `path`'s parent (`rel` is `path`'s own name).
///
/// Links to files inside a folder are followed; links to folders are not (a link to `.` would
/// never end), unless given by name.
pub fn files(path: &Path, rel: PathBuf, out: &mut Vec<(PathBuf, PathBuf)>) -> crate::error::Result<()> {
    files_in(path, rel, out, None, true)
}

/// What a door stores under a folder beside its files' bytes: a folder with no file under it
/// (its name), and a link (its name and its target).
pub enum Named {
    Folder,
    Link(String),
}

/// [`files`], and with them what else under `path` a door would store ([`Named`]), each with
/// its path and its path relative to `path`'s parent.
pub fn files_and_names(
    path: &Path,
    rel: PathBuf,
    out: &mut Vec<(PathBuf, PathBuf)>,
    names: &mut Vec<(PathBuf, PathBuf, Named)>,
) -> crate::error::Result<()> {
    files_in(path, rel, out, Some(names), true)
}

fn files_in(
    path: &Path,
    rel: PathBuf,
    out: &mut Vec<(PathBuf, PathBuf)>,
    mut names: Option<&mut Vec<(PathBuf, PathBuf, Named)>>,
    named: bool,
) -> crate::error::Result<()> {
    let link =
        !named && with_path(std::fs::symlink_metadata(path), path, "cannot read")?.file_type().is_symlink();
    if link && let Some(names) = names.as_deref_mut() {
        let target = with_path(std::fs::read_link(path), path, "cannot read the link")?;
        names.push((path.to_path_buf(), rel.clone(), Named::Link(target.to_string_lossy().into_owned())));
    }
    let Ok(meta) = std::fs::metadata(path) else {
        // A dangling link inside a folder: nothing to read.
        return if link {
            Ok(())
        } else {
            with_path(std::fs::metadata(path), path, "cannot read").map(|_| ())
        };
    };
    if meta.is_dir() && !link {
        let mut entries: Vec<_> =
            with_path(std::fs::read_dir(path), path, "cannot list")?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        let before = out.len();
        for e in entries {
            files_in(&e.path(), rel.join(e.file_name()), out, names.as_deref_mut(), false)?;
        }
        if out.len() == before
            && let Some(names) = names
        {
            names.push((path.to_path_buf(), rel, Named::Folder));
        }
    } else if meta.is_file() {
        out.push((path.to_path_buf(), rel));
    }
    Ok(())
}

/// A host file's bytes: mapped when it holds at least the bytes asked, read otherwise (and
/// where it cannot be mapped).
pub enum HostFile {
    Read(Vec<u8>),
    Mapped(Mapped),
}

impl HostFile {
    pub fn open(path: &Path, map_at_least: u64) -> std::io::Result<HostFile> {
        let file = std::fs::File::open(path)?;
        let len = file.metadata()?.len();
        if len >= map_at_least
            && let Some(map) = Mapped::new(&file, len)
        {
            return Ok(HostFile::Mapped(map));
        }
        let mut bytes = Vec::with_capacity(len as usize);
        std::io::Read::read_to_end(&mut { file }, &mut bytes)?;
        Ok(HostFile::Read(bytes))
    }

    pub fn bytes(&self) -> &[u8] {
        match self {
            HostFile::Read(b) => b,
            HostFile::Mapped(m) => m.bytes(),
        }
    }
}

/// A file mapped read-only and private. Its bytes are the file's as long as nobody truncates it
/// meanwhile (a truncation under the map ends this process with SIGBUS, as it does for every
/// tool that maps files; only commands that read their inputs and store nothing map them).
pub struct Mapped {
    ptr: *mut libc::c_void,
    len: usize,
}

impl Mapped {
    pub fn new(file: &std::fs::File, len: u64) -> Option<Mapped> {
        use std::os::unix::io::AsRawFd;
        let len = usize::try_from(len).ok().filter(|&l| l > 0)?;
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

// SAFETY: the mapping is read-only and owned by the value.
unsafe impl Send for Mapped {}
unsafe impl Sync for Mapped {}

//! The mount's process: a vault's filesystem (`crate::fs`) served through FUSE at a folder, with
//! the control socket (`crate::control`) through which the other commands ask it for work, and
//! the pid file through which `vault umount` waits for it. When the folder is unmounted the
//! session ends: work asked through the socket stops at its next file, everything is committed,
//! and dropping the store wipes the keys (`vaultfmt::secret`).

use std::path::{Path, PathBuf};

use fuser::{Config, MountOption, SessionACL};
use vaultfmt::dev::FileDevice;

use crate::error::{Decided, Error, Refusal, Result};
use crate::exit::Exit;
use crate::fs::{Shared, VaultFs};

/// A mounted vault, not yet served.
pub struct Mount {
    session: fuser::Session<VaultFs<FileDevice>>,
    shared: Shared<FileDevice>,
    control: Option<crate::control::Server>,
    pid_path: PathBuf,
    dir: PathBuf,
}

/// Mounts `fs` (the vault on `device`) at `dir`, with its control socket and pid file. The
/// error of a control socket that could not be made is returned beside the mount: the mount
/// works without it (mirroring the vault then needs it unmounted).
pub fn mount(
    fs: VaultFs<FileDevice>,
    device: &Path,
    dir: &Path,
    read_only: bool,
) -> Result<(Mount, Option<std::io::Error>)> {
    let shared = fs.shared();
    let mut options = vec![
        // Absolute, so that `vault status` finds the vault from any folder.
        MountOption::FSName(format!("vault:{}", std::path::absolute(device)?.display())),
        MountOption::Subtype("vault".into()),
        MountOption::DefaultPermissions,
        MountOption::NoDev,
        MountOption::NoSuid,
    ];
    if read_only {
        options.push(MountOption::RO);
    }
    let mut config = Config::default();
    config.mount_options = options;
    config.acl = SessionACL::Owner;
    // Two request threads: reads (which need no lock) go on while a write holds the store.
    config.n_threads = Some(2);
    let notifier_slot = fs.notifier_slot();
    let session = fuser::Session::new(fs, dir, &config).map_err(|e| Error::file(dir, "cannot mount", e))?;
    let _ = notifier_slot.set(session.notifier());
    // A peer that goes away must not end this process when an answer is written to it.
    // SAFETY: ignoring one signal; its writes then fail with EPIPE instead.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    let (control, control_error) = match crate::control::Server::listen(device, shared.clone()) {
        Ok(server) => (Some(server), None),
        Err(e) => (None, Some(e)),
    };
    let pid_path = pid_file(dir);
    if let Some(parent) = pid_path.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    let _ = std::fs::write(&pid_path, std::process::id().to_string());
    Ok((Mount { session, shared, control, pid_path, dir: dir.to_path_buf() }, control_error))
}

impl Mount {
    /// Serves until the folder is unmounted; then stops the control socket's work, commits,
    /// and drops the store (wiping its keys) before it returns. The session's end drops the
    /// filesystem; the last holder of the store is this function's `shared`.
    pub fn serve(self) -> Result<()> {
        let Mount { session, shared, control, pid_path, dir } = self;
        let result = session.run();
        // Work asked through the control socket stops at its next file; what it held back is
        // freed by one more commit.
        if let Some(control) = control {
            control.shutdown();
        }
        let _ = shared.commit();
        drop(shared);
        let _ = std::fs::remove_file(&pid_path);
        result.map_err(|e| Error::file(&dir, "the mount ended", e))
    }
}

/// Where a mount's process records its pid, so that `vault umount` can wait for it.
pub fn pid_file(dir: &Path) -> PathBuf {
    let canonical = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let hash = blake3::hash(canonical.as_os_str().as_encoded_bytes()).to_hex();
    crate::control::runtime_dir().join(format!("mount-{}.pid", &hash[..16]))
}

/// True when `dir` is a mount point whose FUSE server is gone ("Transport endpoint is not
/// connected"), as a killed mount leaves it.
pub fn is_stale(dir: &Path) -> bool {
    matches!(std::fs::metadata(dir), Err(e) if e.raw_os_error() == Some(libc::ENOTCONN))
}

/// Unmounts `dir` (`lazy`: detached now, let go when no longer busy) with fusermount3.
pub fn unmount(dir: &Path, lazy: bool) -> Result<()> {
    let mut cmd = std::process::Command::new("fusermount3");
    cmd.arg(if lazy { "-uz" } else { "-u" }).arg(dir);
    let out = cmd.output().map_err(|e| Error::file(Path::new("fusermount3"), "(Debian package fuse3)", e))?;
    if !out.status.success() {
        let msg = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(Refusal(format!("{}: cannot unmount: {msg}", dir.display())).into());
    }
    Ok(())
}

/// How an unmount went.
pub enum Unmounted {
    /// The mount's process had ended (killed): the folder was let go of.
    Stale,
    /// Everything was committed, and the mount's process has closed the store and wiped its keys.
    Committed,
    /// Unmounted, but the last commit before it failed: the mount's process committed what it
    /// could as it ended.
    CommitFailed(std::io::Error),
}

/// Unmounts the vault mounted on `dir`: commits everything first, and waits (up to a minute)
/// for the mount's process to close the store and wipe its keys. Refuses a folder where
/// something else is mounted.
pub fn umount(dir: &Path) -> Result<Unmounted> {
    match crate::mounts::at(dir) {
        Some(m) if m.is_vault() => {}
        Some(m) => {
            return Err(Refusal(format!(
                "{}: {} ({}) is mounted there, not a vault; vault umount unmounts vaults only",
                dir.display(),
                m.source,
                m.fs_type
            ))
            .into());
        }
        None => {
            let why = if dir.exists() { "no vault is mounted there" } else { "no such folder" };
            return Err(Decided { exit: Exit::NoInput, message: format!("{}: {why}", dir.display()) }.into());
        }
    }
    if is_stale(dir) {
        unmount(dir, true)?;
        return Ok(Unmounted::Stale);
    }
    let pid: Option<i32> = std::fs::read_to_string(pid_file(dir)).ok().and_then(|p| p.trim().parse().ok());
    // Commit everything before the kernel lets go of the folder.
    let committed = std::fs::File::open(dir).and_then(|d| d.sync_all());
    unmount(dir, false)?;
    if let Some(pid) = pid {
        let started = std::time::Instant::now();
        // SAFETY: kill with signal 0 only checks that the process exists.
        while unsafe { libc::kill(pid, 0) } == 0 && started.elapsed() < std::time::Duration::from_secs(60) {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
    Ok(match committed {
        Ok(()) => Unmounted::Committed,
        Err(e) => Unmounted::CommitFailed(e),
    })
}

//! `vault mount` and `vault umount`: the vault as a folder, through FUSE.
//!
//! `vault mount` reads the passphrase, then (unless `--foreground`) forks: the child unlocks
//! the vault — so that its keys are locked in the memory of the process that keeps them —
//! mounts, and tells the parent through a pipe that the folder is ready (or why it is not).
//! The parent returns only then. The child leaves the terminal's session and serves until the
//! folder is unmounted; then it commits, closes the store and wipes the keys.

use std::fs::File;
use std::io::{BufRead, IsTerminal, Read, Write};
use std::os::fd::{FromRawFd, IntoRawFd};
use std::path::{Path, PathBuf};

use clap::Args;
use fuser::{Config, MountOption, SessionACL};
use vaultfmt::dev::Access;
use vaultfmt::store::Store;
use vaultfmt::{Secret, Volume};
use zeroize::Zeroizing;

use super::{PassphraseArgs, open_device, warn_header, with_path};
use crate::error::{self, Decided, Refusal, UsageError};
use crate::exit::Exit;
use crate::fs::VaultFs;
use crate::passphrase;

#[derive(Args, Debug)]
#[command(after_help = "Changes are durable when fsync returns; changes closed without fsync are \
    durable within 3 seconds; vault umount commits everything and wipes the keys. The folder must \
    exist and be empty. A file a write to which failed (the vault is full) is removed at its close, \
    which reports the error: every file listed is whole. Files, folders and symbolic links can be kept, with extended attributes; \
    not POSIX ACLs, device files or pipes.\n\nWhile mounted, the vault is claimed by the mount's \
    process; a refusal at its door is also sent as a desktop notification (on the session bus of \
    DBUS_SESSION_BUS_ADDRESS, else /run/user/UID/bus) naming the file, the rule, the tag and the fix; \
    `vault mirror`, `vault verify` and `vault scrub --vault` of it ask that process (through a control socket only \
    its user can reach, in /run/vault for root) to do the work. Unmounting stops such work at its \
    next file.")]
pub struct MountArgs {
    /// The vault's drive or image file
    pub device: PathBuf,
    /// The folder to show the vault in
    pub dir: PathBuf,
    /// Mount read-only: nothing can be changed
    #[arg(long)]
    pub read_only: bool,
    /// Stay in the foreground until unmounted (for services and debugging)
    #[arg(long)]
    pub foreground: bool,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
}

#[derive(Args, Debug)]
pub struct UmountArgs {
    /// The folder a vault is mounted on
    pub dir: PathBuf,
}

/// Where a mount's process records its pid, so that `vault umount` can wait for it.
fn pid_file(dir: &Path) -> PathBuf {
    let canonical = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let hash = blake3::hash(canonical.as_os_str().as_encoded_bytes()).to_hex();
    crate::control::runtime_dir().join(format!("mount-{}.pid", &hash[..16]))
}

/// True when `dir` is a mount point whose FUSE server is gone ("Transport endpoint is not
/// connected"), as a killed mount leaves it.
fn is_stale_mount(dir: &Path) -> bool {
    matches!(std::fs::metadata(dir), Err(e) if e.raw_os_error() == Some(libc::ENOTCONN))
}

fn unmount(dir: &Path, lazy: bool) -> anyhow::Result<()> {
    let mut cmd = std::process::Command::new("fusermount3");
    cmd.arg(if lazy { "-uz" } else { "-u" }).arg(dir);
    let out = cmd.output().map_err(|e| anyhow::anyhow!("fusermount3 (Debian package fuse3): {e}"))?;
    if !out.status.success() {
        let msg = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(Refusal(format!("{}: cannot unmount: {msg}", dir.display())).into());
    }
    Ok(())
}

pub fn run(args: MountArgs) -> anyhow::Result<Exit> {
    // A vault's mount whose process ended is cleaned up; any other mount there is refused below.
    if is_stale_mount(&args.dir) && crate::mounts::at(&args.dir).is_some_and(|m| m.is_vault()) {
        eprintln!("vault: {}: cleaning up a mount whose process ended", args.dir.display());
        unmount(&args.dir, true)?;
    }
    if let Some(there) = crate::mounts::at(&args.dir) {
        let what = match there.vault_device() {
            Some(device) => format!("the vault {device} is mounted there"),
            None => format!("{} ({}) is mounted there", there.source, there.fs_type),
        };
        return Err(Refusal(format!(
            "{}: already a mount point: {what}; unmount it first, or choose another folder",
            args.dir.display()
        ))
        .into());
    }
    let meta = with_path(std::fs::metadata(&args.dir), &args.dir, "cannot use as a mount folder")?;
    if !meta.is_dir() {
        return Err(UsageError(format!("{}: not a folder", args.dir.display())).into());
    }
    if std::fs::read_dir(&args.dir)?.next().is_some() {
        return Err(Refusal(format!("{}: the folder is not empty", args.dir.display())).into());
    }
    // Fail on a missing device or a non-vault before asking for the passphrase.
    let access = if args.read_only { Access::ReadOnly } else { Access::ReadWrite };
    vaultfmt::header::read_headers(&open_device(&args.device, access)?)?;
    let secret = passphrase::read(&args.passphrase.source(), passphrase::CURRENT, false)?;
    if args.foreground {
        return serve(&args, secret, None);
    }
    let mut fds = [0; 2];
    // SAFETY: pipe fills two descriptors.
    if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
        return Err(std::io::Error::last_os_error().into());
    }
    // SAFETY: no other thread runs yet in this process (nothing has spawned one), so the child
    // may go on running Rust code.
    match unsafe { libc::fork() } {
        -1 => Err(std::io::Error::last_os_error().into()),
        0 => {
            // SAFETY: the descriptors are ours; setsid detaches from the terminal's session.
            unsafe {
                libc::close(fds[0]);
                libc::setsid();
            }
            // SAFETY: fds[1] is the pipe's write end, owned here from now on.
            let ready = unsafe { File::from_raw_fd(fds[1]) };
            let code = match serve(&args, secret, Some(ready.try_clone().expect("dup"))) {
                Ok(code) => code,
                Err(err) => {
                    let code = error::for_error(err.as_ref());
                    let mut ready = ready;
                    let _ = writeln!(ready, "ERR {}\n{}", code as i32, error::message(err.as_ref()));
                    code
                }
            };
            std::process::exit(code as i32);
        }
        _child => {
            drop(secret);
            // SAFETY: fds[0] is the pipe's read end; the write end belongs to the child.
            unsafe { libc::close(fds[1]) };
            // SAFETY: fds[0] is ours.
            let mut pipe = std::io::BufReader::new(unsafe { File::from_raw_fd(fds[0]) });
            // The first line is READY (the child keeps serving, the pipe stays open) or ERR n,
            // followed by the message until the child exits.
            let mut answer = String::new();
            pipe.read_line(&mut answer)?;
            if answer.starts_with("ERR") {
                pipe.read_to_string(&mut answer)?;
            }
            match answer.strip_prefix("READY") {
                Some(_) => {
                    println!("Mounted {} at {}.", args.device.display(), args.dir.display());
                    Ok(Exit::Ok)
                }
                None => {
                    let (head, message) =
                        answer.split_once('\n').unwrap_or((&answer, "the mount process ended"));
                    let code: i32 =
                        head.strip_prefix("ERR ").and_then(|c| c.trim().parse().ok()).unwrap_or(74);
                    eprintln!("vault: {}", message.trim());
                    Ok(Exit::from_code(code))
                }
            }
        }
    }
}

/// Unlocks, mounts, reports readiness, and serves until unmounted.
fn serve(args: &MountArgs, secret: Zeroizing<Vec<u8>>, ready: Option<File>) -> anyhow::Result<Exit> {
    let access = if args.read_only { Access::ReadOnly } else { Access::ReadWrite };
    let dev = open_device(&args.device, access)?;
    let volume = Volume::unlock(dev, Secret::Passphrase(&secret), None)?;
    drop(secret);
    warn_header(&volume);
    let slot = volume.unlocked_slot().to_string();
    let store = Store::open(volume)?;
    if !args.read_only {
        let mut tx = store.begin()?;
        tx.audit("mount", &[("keyslot", &slot), ("read_only", "no")])?;
        tx.commit()?;
    }
    let last = crate::mirror::last(&store)?;
    let fs = VaultFs::new(store, args.read_only)?;
    let vault_name = std::path::absolute(&args.device)?.display().to_string();
    match crate::notify::Notifier::start(&vault_name) {
        Some(n) => fs.notify_with(n),
        // Said where a person reads it; a service's log needs no such note.
        None if std::io::stderr().is_terminal() => eprintln!(
            "vault: note: no desktop session bus here, so a file the gate refuses shows only as \
             \"Permission denied\"; `vault log {vault_name}` says why"
        ),
        None => {}
    }
    let max_age = fs.shared().policy().backup_max_age_days;
    if let Some(w) = crate::status::backup_warning(last.as_ref(), max_age, vaultfmt::store::Time::now().secs)
    {
        // Before READY: the terminal still hears this process.
        eprintln!("vault: warning: {w}");
    }
    let shared = fs.shared();
    let mut options = vec![
        // Absolute, so that `vault status` finds the vault from any folder.
        MountOption::FSName(format!("vault:{}", std::path::absolute(&args.device)?.display())),
        MountOption::Subtype("vault".into()),
        MountOption::DefaultPermissions,
        MountOption::NoDev,
        MountOption::NoSuid,
    ];
    if args.read_only {
        options.push(MountOption::RO);
    }
    let mut config = Config::default();
    config.mount_options = options;
    config.acl = SessionACL::Owner;
    // Two request threads: reads (which need no lock) go on while a write holds the store.
    config.n_threads = Some(2);
    let notifier_slot = fs.notifier_slot();
    let session = fuser::Session::new(fs, &args.dir, &config)
        .map_err(|e| anyhow::anyhow!("{}: cannot mount: {e}", args.dir.display()))?;
    let _ = notifier_slot.set(session.notifier());
    // A peer that goes away must not end this process when an answer is written to it.
    // SAFETY: ignoring one signal; its writes then fail with EPIPE instead.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    let control = crate::control::Server::listen(&args.device, shared.clone())
        .inspect_err(|e| {
            eprintln!("vault: warning: no control socket ({e}): mirroring this vault needs it unmounted")
        })
        .ok();
    let pid_path = pid_file(&args.dir);
    if let Some(parent) = pid_path.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    let _ = std::fs::write(&pid_path, std::process::id().to_string());
    if let Some(mut ready) = ready {
        writeln!(ready, "READY")?;
        drop(ready);
        // Nothing more for the terminal: standard streams go to /dev/null.
        if let Ok(null) = std::fs::OpenOptions::new().read(true).write(true).open("/dev/null") {
            let fd = null.into_raw_fd();
            // SAFETY: replacing our own standard descriptors.
            unsafe {
                libc::dup2(fd, 0);
                libc::dup2(fd, 1);
                libc::dup2(fd, 2);
                libc::close(fd);
            }
        }
    } else {
        eprintln!(
            "Mounted {} at {} (changes durable at fsync, or within 3 s).",
            args.device.display(),
            args.dir.display()
        );
    }
    let result = session.run();
    // Work asked through the control socket stops at its next file; what it held back is
    // freed by one more commit.
    if let Some(control) = control {
        control.shutdown();
    }
    let _ = shared.commit();
    drop(shared);
    let _ = std::fs::remove_file(&pid_path);
    result.map_err(|e| anyhow::anyhow!("{}: {e}", args.dir.display()))?;
    Ok(Exit::Ok)
}

pub fn run_umount(args: UmountArgs) -> anyhow::Result<Exit> {
    match crate::mounts::at(&args.dir) {
        Some(m) if m.is_vault() => {}
        Some(m) => {
            return Err(Refusal(format!(
                "{}: {} ({}) is mounted there, not a vault; vault umount unmounts vaults only",
                args.dir.display(),
                m.source,
                m.fs_type
            ))
            .into());
        }
        None => {
            let why = if args.dir.exists() { "no vault is mounted there" } else { "no such folder" };
            return Err(
                Decided { exit: Exit::NoInput, message: format!("{}: {why}", args.dir.display()) }.into()
            );
        }
    }
    if is_stale_mount(&args.dir) {
        unmount(&args.dir, true)?;
        println!("{}: the mount's process had ended; unmounted.", args.dir.display());
        return Ok(Exit::Ok);
    }
    let pid_path = pid_file(&args.dir);
    let pid: Option<i32> = std::fs::read_to_string(&pid_path).ok().and_then(|p| p.trim().parse().ok());
    // Commit everything before the kernel lets go of the folder.
    if let Ok(dir) = File::open(&args.dir)
        && let Err(e) = dir.sync_all()
    {
        eprintln!("vault: {}: the last commit failed: {e}", args.dir.display());
    }
    unmount(&args.dir, false)?;
    // Wait for the mount's process to close the store and wipe its keys.
    if let Some(pid) = pid {
        let started = std::time::Instant::now();
        // SAFETY: kill with signal 0 only checks that the process exists.
        while unsafe { libc::kill(pid, 0) } == 0 && started.elapsed() < std::time::Duration::from_secs(60) {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
    println!("Unmounted {}.", args.dir.display());
    Ok(Exit::Ok)
}

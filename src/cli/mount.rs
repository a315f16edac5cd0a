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
use std::path::PathBuf;

use clap::Args;
use vaultfmt::dev::Access;
use vaultfmt::store::Store;
use vaultfmt::{Secret, Volume};
use zeroize::Zeroizing;

use super::{PassphraseArgs, open_device, warn_header, with_path};
use crate::error::{self, Refusal, UsageError};
use crate::exit::Exit;
use crate::fs::VaultFs;
use crate::mount::Unmounted;
use crate::passphrase;

#[derive(Args, Debug)]
#[command(after_help = "Changes are durable when fsync returns; changes closed without fsync are \
    durable within 3 seconds; vault umount commits everything and wipes the keys. The folder must \
    exist and be empty. A file a write to which failed (the vault is full) is removed at its close, \
    which reports the error: every file listed is whole. Files, folders and symbolic links can be kept, with extended attributes; \
    not POSIX ACLs, device files or pipes. A name the gate refuses (a patient's name, label or \
    number, also with a patient's label in the folder names above it) is refused with EACCES, and \
    so is a folder's rename that would put such a label above the names in it. A \
    file being written is opened by no other handle, and a file open is not opened for writing \
    beside it: such an open waits up to 2 s for the other handle to be released, then fails with \
    EBUSY.\n\nWhile mounted, the vault is claimed by the mount's \
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

pub fn run(args: MountArgs) -> anyhow::Result<Exit> {
    // A vault's mount whose process ended is cleaned up; any other mount there is refused below.
    if crate::mount::is_stale(&args.dir) && crate::mounts::at(&args.dir).is_some_and(|m| m.is_vault()) {
        eprintln!("vault: {}: cleaning up a mount whose process ended", args.dir.display());
        crate::mount::unmount(&args.dir, true)?;
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
    let (mount, control_error) = crate::mount::mount(fs, &args.device, &args.dir, args.read_only)?;
    if let Some(e) = control_error {
        eprintln!("vault: warning: no control socket ({e}): mirroring this vault needs it unmounted");
    }
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
    mount.serve()?;
    Ok(Exit::Ok)
}

pub fn run_umount(args: UmountArgs) -> anyhow::Result<Exit> {
    say_unmounted(&args.dir, crate::mount::umount(&args.dir)?);
    Ok(Exit::Ok)
}

/// What `vault umount` (and `vault eject`) say once the folder is let go of.
pub fn say_unmounted(dir: &std::path::Path, how: Unmounted) {
    match how {
        Unmounted::Stale => println!("{}: the mount's process had ended; unmounted.", dir.display()),
        Unmounted::Committed => println!("Unmounted {}.", dir.display()),
        Unmounted::CommitFailed(e) => {
            eprintln!("vault: {}: the last commit failed: {e}", dir.display());
            println!("Unmounted {}.", dir.display());
        }
    }
}

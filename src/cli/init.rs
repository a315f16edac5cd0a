//! `vault init`: format a drive, an existing image file, or a new image file.

use std::ffi::CString;
use std::io::{IsTerminal, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicPtr, Ordering};

use clap::{ArgGroup, Args};
use vaultfmt::dev::{Access, BlockDevice, FileDevice};
use vaultfmt::header::MIN_DEVICE_BYTES;
use vaultfmt::store::Store;
use vaultfmt::volume::Created;
use vaultfmt::{SECTOR_SIZE, Volume};

use super::{KdfArgs, PassphraseArgs, kdf_human, kdf_json, print_json, uuid_string, with_path};
use crate::drives::admit::{self, Admitted};
use crate::drives::{contents, discover};
use crate::error::{Decided, Refusal, UsageError};
use crate::exit::Exit;
use crate::passphrase;
use crate::size::{human, parse_size};

#[derive(Args, Debug)]
#[command(group(ArgGroup::new("target").required(true).args(["device", "image"])))]
#[command(after_help = "The new passphrase is asked for twice on the terminal, or read from \
    --passphrase-file / --passphrase-fd. The recovery key is printed once, on standard output.")]
pub struct InitArgs {
    /// The drive (for example /dev/sdb) or an existing image file to format
    pub device: Option<PathBuf>,
    /// Create the new image file FILE and format it (FILE must not exist)
    #[arg(long, value_name = "FILE", requires = "size")]
    pub image: Option<PathBuf>,
    /// Size of the new image file: bytes, or a number with K, M, G or T (at least 16M)
    #[arg(long, value_name = "SIZE", value_parser = parse_size, requires = "image")]
    pub size: Option<u64>,
    /// Format even though the device holds data (a filesystem, a partition table, a vault)
    #[arg(long)]
    pub yes: bool,
    /// Accept a drive the drive policy cannot classify (see vault drives --explain); it is
    /// pinned by serial and WWN so that it is accepted from then on
    #[arg(long)]
    pub accept_drive: bool,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
    #[command(flatten)]
    pub kdf: KdfArgs,
    /// Print the result as one JSON object (the recovery key included)
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: InitArgs) -> anyhow::Result<Exit> {
    match (&args.device, &args.image, args.size) {
        (Some(device), None, None) => format_device(&args, device),
        (None, Some(image), Some(size)) => format_new_image(&args, image, size),
        _ => Err(UsageError("give a DEVICE, or --image FILE --size SIZE".into()).into()),
    }
}

/// Invariant 7 (`drives::admit`), said: a drive accepted by the person, pinned or for this once.
fn check_drive_policy(args: &InitArgs, path: &Path) -> anyhow::Result<()> {
    match admit::admit(path, args.accept_drive)? {
        Admitted::Pinned => eprintln!(
            "vault: {}: accepted by you; pinned by serial and WWN in {}",
            path.display(),
            discover::policy_path().display()
        ),
        Admitted::ThisOnce => {
            eprintln!("vault: {}: accepted by you for this once (it has no serial to pin)", path.display())
        }
        Admitted::NotADrive | Admitted::ByPolicy => {}
    }
    Ok(())
}

fn format_device(args: &InitArgs, path: &Path) -> anyhow::Result<Exit> {
    check_drive_policy(args, path)?;
    let dev = FileDevice::open(path, Access::ReadWrite).map_err(|e| match &e {
        vaultfmt::dev::DevError::Open { source, .. } if source.raw_os_error() == Some(libc::EBUSY) => {
            anyhow::Error::new(Refusal(format!(
                "{}: refused: the device is in use (mounted, or held by another program); \
                 a mounted drive is never formatted",
                path.display()
            )))
        }
        _ => e.into(),
    })?;
    if dev.size() < MIN_DEVICE_BYTES {
        return Err(Refusal(format!(
            "{}: refused: {} is too small; a vault needs at least 16 MiB",
            path.display(),
            human(dev.size())
        ))
        .into());
    }
    let probe = (contents::PROBE_BYTES as u64).min(dev.size() / SECTOR_SIZE as u64 * SECTOR_SIZE as u64);
    let mut head = vec![0u8; probe as usize];
    dev.read_at(0, &mut head)?;
    if let Some(found) = contents::describe(&head) {
        confirm_destroy(args, path, &found)?;
    }
    let pass = passphrase::read_new(&args.passphrase.source(), passphrase::NEW)?;
    let kdf = args.kdf.calibrate();
    let created = Volume::create_with(dev, &pass, kdf, Store::format)?;
    report(args, path, created);
    Ok(Exit::Ok)
}

/// Asks before destroying what a device holds; without a terminal, `--yes` is required.
fn confirm_destroy(args: &InitArgs, path: &Path, found: &str) -> anyhow::Result<()> {
    if args.yes {
        return Ok(());
    }
    let refusal = || {
        Refusal(format!(
            "{}: refused: it holds {found}; formatting destroys it. Pass --yes to format it anyway",
            path.display()
        ))
    };
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Err(refusal().into());
    }
    eprint!("{} holds {found}. Formatting destroys it. Type YES to go on: ", path.display());
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    if answer.trim() != "YES" {
        return Err(refusal().into());
    }
    Ok(())
}

fn format_new_image(args: &InitArgs, path: &Path, size: u64) -> anyhow::Result<Exit> {
    let folder = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !folder.is_dir() {
        return Err(Decided {
            exit: Exit::NoInput,
            message: format!(
                "{}: no such folder; the new image is made in a folder that exists",
                folder.display()
            ),
        }
        .into());
    }
    if path.is_dir() {
        return Err(UsageError(format!(
            "{}: is a folder; --image names the new image file to make (for example {}/vault.img)",
            path.display(),
            path.display()
        ))
        .into());
    }
    if path.symlink_metadata().is_ok() {
        return Err(Refusal(format!(
            "{}: refused: the file exists; --image makes a new file (to format an existing image \
             in place: vault init {})",
            path.display(),
            path.display()
        ))
        .into());
    }
    if size < MIN_DEVICE_BYTES {
        return Err(UsageError(format!("--size {size}: a vault needs at least 16 MiB (16M)")).into());
    }
    let pass = passphrase::read_new(&args.passphrase.source(), passphrase::NEW)?;
    let kdf = args.kdf.calibrate();
    // Built under a temporary name and linked into place only when complete: an interrupted
    // init never leaves a file of the requested name that looks like a vault.
    let temp = temp_name(path);
    let cleanup = TempFile::new(&temp);
    let dev = FileDevice::create_image(&temp, size)?;
    let created = Volume::create_with(dev, &pass, kdf, Store::format)?;
    with_path(created.volume.device().file().sync_all(), &temp, "sync")?;
    match std::fs::hard_link(&temp, path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(
                Refusal(format!("{}: refused: the file appeared while formatting", path.display())).into()
            );
        }
        Err(e) => return Ok(with_path(Err(e), path, "cannot create")?),
    }
    drop(cleanup);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
    report(args, path, created);
    Ok(Exit::Ok)
}

fn temp_name(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.vault-init-{}", std::process::id()))
}

/// Removes the temporary image when init ends, whether it succeeded (after the link) or not,
/// and when it is interrupted by SIGINT, SIGTERM or SIGHUP. (SIGKILL cannot be caught: then
/// the temporary file stays, but the requested name never names a half-made vault.)
struct TempFile(PathBuf);

/// The temporary file's path for the signal handler: a leaked C string, or null.
static TEMP_PATH: AtomicPtr<libc::c_char> = AtomicPtr::new(std::ptr::null_mut());

extern "C" fn remove_temp_and_die(signal: libc::c_int) {
    let path = TEMP_PATH.swap(std::ptr::null_mut(), Ordering::SeqCst);
    // SAFETY: unlink, signal and raise are async-signal-safe; `path` is a valid C string
    // leaked by `TempFile::new` and never freed.
    unsafe {
        if !path.is_null() {
            libc::unlink(path);
        }
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
}

impl TempFile {
    fn new(path: &Path) -> TempFile {
        let c = CString::new(path.as_os_str().as_bytes()).expect("a path has no NUL byte");
        TEMP_PATH.store(c.into_raw(), Ordering::SeqCst);
        for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            // SAFETY: installing a handler that only calls async-signal-safe functions.
            unsafe { libc::signal(signal, remove_temp_and_die as *const () as libc::sighandler_t) };
        }
        TempFile(path.to_path_buf())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        TEMP_PATH.store(std::ptr::null_mut(), Ordering::SeqCst);
        let _ = std::fs::remove_file(&self.0);
    }
}

fn report(args: &InitArgs, path: &Path, created: Created<FileDevice>) {
    let header = created.volume.header().clone();
    let engine = created.volume.cipher_engine();
    let kdf = header.slots[0].as_ref().expect("slot 0 was just written").kdf;
    let key = created.recovery_key.display();
    if args.json {
        print_json(&serde_json::json!({
            "device": path.display().to_string(),
            "uuid": uuid_string(&header.uuid),
            "volume_bytes": header.volume_bytes,
            "data_bytes": header.data_bytes(),
            "cipher": "aes-256-xts-plain64",
            "cipher_engine": engine,
            "kdf": kdf_json(&kdf),
            "keyslots": [{"slot": 0, "kind": "passphrase"}, {"slot": 1, "kind": "recovery"}],
            "recovery_key": key.as_str(),
        }));
        return;
    }
    println!("Formatted {} as a vault.", path.display());
    println!("  UUID      {}", uuid_string(&header.uuid));
    println!("  size      {} (data area {})", human(header.volume_bytes), human(header.data_bytes()));
    println!("  cipher    AES-256-XTS, 4096-byte sectors ({engine})");
    println!("  keyslots  0 passphrase, 1 recovery key ({})", kdf_human(&kdf));
    println!();
    println!("Recovery key. It is shown only now: write it down and keep it apart from the drive.");
    println!("It opens the vault if the passphrase is forgotten (vault recovery).");
    println!();
    println!("    {}", key.as_str());
    println!();
}

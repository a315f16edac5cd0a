//! A mounted vault's control socket. While a mount's process holds a vault, no other process may
//! open its store (it is claimed); commands that only need to read it — `vault mirror` of a
//! mounted source, `vault verify`, the key and policy for `vault scrub --vault` — ask the mount's
//! process to do the work instead, through a Unix socket. So does `vault log` (`--follow`
//! too), and so does `vault receive`: it serves the network itself and sends each instance it
//! takes to the mount's process, which judges and stores it ([`MountKeeper`]).
//!
//! Who may ask: the socket lives in a folder only its user can enter (`/run/vault` for root),
//! each side checks the other's user (`SO_PEERCRED`: the same user, or root), and the peer must
//! prove that it unlocked the vault itself: it answers a random challenge with a keyed BLAKE3
//! whose key derives from the vault's master key. What crosses the socket besides: the backup's
//! passphrase, which a mirror needs (read into memory that is wiped after use), and, for scrub,
//! the vault's scrub key — to a peer that has just proven it holds the vault's master key.
//! `vault status` alone asks without a proof: what it gets (the last mirror's time and backup,
//! counts) holds no secret and no patient value.
//!
//! The exchange, one request a connection, one line each (JSON unless said):
//! ```text
//! mount  → "vault-control 1 <challenge, 64 hex digits>"
//! client → "<keyed BLAKE3 of the challenge's hex digits, 64 hex digits>", or "-" (status only)
//! client → the request, e.g. {"op":"mirror","dest":"/dev/sdc","delete":false,...}
//! client → the backup's passphrase, as bytes (mirror only); an instance's bytes (keep only)
//! mount  → events (the mirror's, or verify's progress), then {"event":"summary",...} or
//!          {"event":"error","code":N,"message":"..."}
//! ```
//! The mount keeps serving meanwhile. The work lists the vault once and reads each file in a read
//! view of its own; what the vault's commits stop referencing is not reused while a view can
//! still read it (`vaultfmt/src/store/frees.rs`). Unmounting stops the work at its next file.

use std::io::Read;
use std::os::fd::AsRawFd;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use vaultfmt::Volume;
use vaultfmt::dev::{DevError, FileDevice};
use vaultfmt::secret::Locked;
use vaultfmt::store::Store;
use zeroize::Zeroizing;

use crate::gate::Policy;
use crate::scrub::uid::ScrubKey;

mod client;
mod server;

pub use client::{Client, MountKeeper};
pub use server::Server;

/// The context of the key that proves a peer unlocked the vault.
pub const KEY_CONTEXT: &str = "vault mount control v1";
const HELLO: &str = "vault-control 1";
/// Longest line read before the work begins (a request, a passphrase).
const MAX_LINE: usize = 64 << 10;
/// How long a peer may take to send its request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long an unmount waits for work in progress to stop.
const STOP_WAIT: Duration = Duration::from_secs(60);

#[derive(Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
enum Request {
    Mirror {
        dest: PathBuf,
        delete: bool,
        max_delete: usize,
        dry_run: bool,
    },
    Verify {
        budget_ms: Option<u64>,
    },
    /// The vault's gate policy and scrub key (made if missing), and whether the mount is
    /// read-only: for `vault scrub --vault` and `vault receive`.
    Settings {
        command: Asker,
        /// The scrub key too (made if missing; not on a read-only mount).
        key: bool,
    },
    /// Keep one instance a receiver took (`crate::receive::keep::keep_instance`); its `len`
    /// bytes follow the request. Answered with what became of it.
    Keep {
        into: String,
        /// `receive` or `receive --scrub`.
        door: String,
        /// The calling AE title and the peer's address, for the audit records.
        calling_ae: String,
        peer: String,
        len: u64,
    },
    /// One of a receiver's audit records (a rejected association, a scrub's refusal).
    Audit {
        event: String,
        fields: Vec<(String, String)>,
    },
    /// The audit log's records, each as an event; with `follow`, then each new one as it is
    /// committed, until the peer goes away or the vault is unmounted.
    Log {
        follow: bool,
    },
    /// What `vault status` shows: asked without a proof (it holds no secret and no patient
    /// value; the socket answers only its user).
    Status,
}

/// What the mount's process sends while the work runs, and its error, one JSON line each (the
/// summary is the work's own type with `"event": "summary"`; a mirror's events pass through as
/// the mirror made them).
#[derive(Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
enum Answer {
    /// A verify begins `path`; `bytes` were verified since the last.
    Progress { path: String, bytes: u64 },
    /// One audit record of a log.
    Record { seq: u64, record: vaultfmt::store::AuditRecord },
    /// The work failed, with its exit code.
    Error { code: i32, message: String },
}

/// The commands that ask a mount for its settings (named in its audit log).
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Asker {
    Scrub,
    Receive,
}

/// The largest instance a mount keeps for a receiver (a receiver's own limit, `--max-instance`,
/// is 512 MiB unless raised).
const MAX_KEPT: u64 = 2 << 30;
/// Instances a mount holds for receivers at once (one each association; a receiver's default is
/// 4): past it, a receiver is told the mount is busy (A700, out of resources).
const KEEPING_AT_ONCE: usize = 8;

/// The audit records a receiver may ask a mount to write (their fields and values:
/// `crate::receive::audit_value_allowed`).
const RECEIVER_EVENTS: &[&str] = &["refused", "rejected", "rejected-unrecorded"];

/// Mirrors this process is running for peers (`vault status` shows one in progress).
static MIRRORS_RUNNING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How often a followed log is looked at for new records.
const FOLLOW_EVERY: Duration = Duration::from_millis(250);
/// How long a log's reader may leave a record unread.
const FOLLOWER_PATIENCE: Duration = Duration::from_secs(5);

/// A vault unlocked by this process: its store opened here, or — when a mount's process holds
/// it — that process to ask, with the key that proves this one unlocked it.
pub enum Opened {
    Here(Box<Store<FileDevice>>),
    Mounted(Client, Locked<[u8; 32]>),
}

/// Opens an unlocked vault's store (recording `command` in its audit log); when a mount's
/// process holds it, connects to that process instead. Any other holder is an error.
pub fn open_or_ask_mount(
    device: &Path,
    volume: Volume<FileDevice>,
    command: &str,
) -> crate::error::Result<Opened> {
    let key = volume.subkey(KEY_CONTEXT);
    match crate::open::open_unlocked(volume, command) {
        Ok(store) => Ok(Opened::Here(Box::new(store))),
        Err(e) if in_use(&e) => match Client::connect(device) {
            Some(client) => Ok(Opened::Mounted(client, key)),
            None => Err(e),
        },
        Err(e) => Err(e),
    }
}

/// True when the error says the vault is claimed by another vault process.
fn in_use(err: &crate::error::Error) -> bool {
    use crate::error::Error;
    let dev = match err {
        Error::Store(e) => e.device_error(),
        Error::Dev(d) => Some(d),
        _ => None,
    };
    matches!(dev, Some(DevError::InUse { .. }))
}

/// The folder for this user's sockets and pid files: `/run/vault` for root, else under
/// `/run/user/UID`, else the temporary folder. Not taken from the environment, so a scheduled
/// run finds what a login shell's mount made.
pub fn runtime_dir() -> PathBuf {
    // SAFETY: geteuid cannot fail.
    let uid = unsafe { libc::geteuid() };
    if uid == 0 {
        return PathBuf::from("/run/vault");
    }
    let user = PathBuf::from(format!("/run/user/{uid}"));
    if user.is_dir() { user.join("vault") } else { std::env::temp_dir().join(format!("vault-{uid}")) }
}

/// The socket of the mount that holds `device`, named after the device's identity (its device
/// number, or an image file's file system and inode), so any path to it finds it.
pub fn socket_path(device: &Path) -> std::io::Result<PathBuf> {
    let meta = std::fs::metadata(device)?;
    let name = if meta.file_type().is_block_device() {
        format!("dev-{:x}.sock", meta.rdev())
    } else {
        format!("img-{:x}-{:x}.sock", meta.dev(), meta.ino())
    };
    Ok(runtime_dir().join(name))
}

/// Reads one line (without its newline) straight from the socket, byte by byte, so that no
/// buffer outside the returned (wiped) one ever holds it. Room for 4 KiB is made first: a
/// passphrase never outgrows it, so no copy of one is left behind by a reallocation.
fn read_line(conn: &mut UnixStream) -> std::io::Result<Zeroizing<Vec<u8>>> {
    let mut line = Zeroizing::new(Vec::with_capacity(4096));
    let mut byte = [0u8; 1];
    loop {
        if conn.read(&mut byte)? == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the other side closed"));
        }
        if byte[0] == b'\n' {
            return Ok(line);
        }
        if line.len() >= MAX_LINE {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "a line too long"));
        }
        line.push(byte[0]);
    }
}

fn proof(key: &Locked<[u8; 32]>, challenge: &str) -> blake3::Hash {
    blake3::keyed_hash(key, challenge.as_bytes())
}

fn peer_uid(conn: &UnixStream) -> std::io::Result<u32> {
    let mut cred = libc::ucred { pid: 0, uid: u32::MAX, gid: u32::MAX };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: SO_PEERCRED fills a ucred of the size given, on a socket this value owns.
    let rc = unsafe {
        libc::getsockopt(
            conn.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(cred.uid)
}

/// What `vault scrub --vault` and `vault receive` take from a mounted vault.
#[derive(Serialize, Deserialize)]
struct Settings {
    policy: Policy,
    /// The scrub key, hex, when asked for.
    key: Option<String>,
    read_only: bool,
}

/// A mounted vault's settings, as its mount's process gave them.
pub struct MountSettings {
    pub policy: Policy,
    /// When asked for.
    pub key: Option<ScrubKey>,
    pub read_only: bool,
}

/// What a log request sent.
#[derive(Serialize, Deserialize)]
pub struct LogSummary {
    pub records: u64,
}

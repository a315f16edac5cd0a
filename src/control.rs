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

use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use vaultfmt::Volume;
use vaultfmt::dev::{BlockDevice, DevError, FileDevice};
use vaultfmt::secret::Locked;
use vaultfmt::store::{Store, StoreError};
use zeroize::Zeroizing;

use crate::exit::{Decided, Exit};
use crate::fs::Shared;
use crate::gate::Policy;
use crate::gate::door::Door;
use crate::mirror::{Options, Summary};
use crate::receive::dimse::PROCESSING_FAILURE;
use crate::receive::keep::{Keeper, Taken, failed, keep_instance};
use crate::scrub::uid::ScrubKey;
use crate::verify::Report;

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

/// The commands that ask a mount for its settings (named in its audit log).
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Asker {
    Scrub,
    Receive,
}

/// The largest instance a mount keeps for a receiver (a receiver's own limit is lower).
const MAX_KEPT: u64 = 4 << 30;

/// The audit records a receiver may ask a mount to write, and the fields they may carry.
const RECEIVER_EVENTS: &[&str] = &["refused", "rejected", "rejected-unrecorded"];
const RECEIVER_FIELDS: &[&str] = &["door", "path", "rule", "why", "calling_ae", "peer", "count"];

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
pub fn open_or_ask_mount(device: &Path, volume: Volume<FileDevice>, command: &str) -> anyhow::Result<Opened> {
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
fn in_use(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<StoreError>()
            .and_then(StoreError::device_error)
            .or_else(|| c.downcast_ref::<DevError>())
            .is_some_and(|d| matches!(d, DevError::InUse { .. }))
    })
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

/// Work in progress, so that an unmount can stop it and wait.
#[derive(Default)]
struct Running {
    stops: Mutex<Vec<Arc<AtomicBool>>>,
    ended: Condvar,
}

/// A mount's control socket, answering in threads of the mount's process.
pub struct Server {
    path: PathBuf,
    running: Arc<Running>,
    /// Set to make the listening thread end at its next connection.
    closing: Arc<AtomicBool>,
    /// The listening thread, which holds a share of the store until it ends.
    listener: std::thread::JoinHandle<()>,
}

impl Server {
    /// Listens for the mount that holds `device`. Work is done on `shared`, the mounted store.
    pub fn listen<D: BlockDevice + 'static>(device: &Path, shared: Shared<D>) -> std::io::Result<Server> {
        let path = socket_path(device)?;
        let dir = path.parent().expect("a socket has a folder");
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
        // A folder someone else made first (under /tmp) is not used.
        // SAFETY: geteuid cannot fail.
        if std::fs::symlink_metadata(dir)?.uid() != unsafe { libc::geteuid() } {
            return Err(std::io::Error::other(format!("{}: owned by another user", dir.display())));
        }
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        // A socket left by a mount that was killed.
        let _ = std::fs::remove_file(&path);
        let listener = UnixListener::bind(&path)?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
        let running = Arc::new(Running::default());
        let closing = Arc::new(AtomicBool::new(false));
        let listener = {
            let (running, closing) = (running.clone(), closing.clone());
            std::thread::spawn(move || accept(listener, shared, running, closing))
        };
        Ok(Server { path, running, closing, listener })
    }

    /// Stops the work in progress at its next file and waits for it (a minute at most), then
    /// removes the socket.
    pub fn shutdown(self) {
        // No more peers: the listening thread is woken by one last connection and ends.
        self.closing.store(true, Ordering::SeqCst);
        let _ = UnixStream::connect(&self.path);
        let _ = self.listener.join();
        let _ = std::fs::remove_file(&self.path);
        let mut stops = self.running.stops.lock().unwrap_or_else(|e| e.into_inner());
        for s in stops.iter() {
            s.store(true, Ordering::SeqCst);
        }
        let deadline = std::time::Instant::now() + STOP_WAIT;
        while !stops.is_empty() {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                break;
            }
            stops = self.running.ended.wait_timeout(stops, left).unwrap_or_else(|e| e.into_inner()).0;
        }
    }
}

/// Answers each peer in a thread of its own until `closing` is set.
fn accept<D: BlockDevice + 'static>(
    listener: UnixListener,
    shared: Shared<D>,
    running: Arc<Running>,
    closing: Arc<AtomicBool>,
) {
    for conn in listener.incoming().flatten() {
        if closing.load(Ordering::SeqCst) {
            break;
        }
        let stop = Arc::new(AtomicBool::new(false));
        running.stops.lock().unwrap_or_else(|e| e.into_inner()).push(stop.clone());
        let (shared, running) = (shared.clone(), running.clone());
        std::thread::spawn(move || {
            // Counts as ended when the thread does, even by a panic, and only after its share of
            // the store is gone (declared first, dropped last).
            let _ended = Ended { running, stop: stop.clone() };
            let shared = shared;
            answer(conn, &shared, &stop);
        });
    }
}

/// Marks one peer's work as ended when dropped.
struct Ended {
    running: Arc<Running>,
    stop: Arc<AtomicBool>,
}

impl Drop for Ended {
    fn drop(&mut self) {
        let mut stops = self.running.stops.lock().unwrap_or_else(|e| e.into_inner());
        stops.retain(|s| !Arc::ptr_eq(s, &self.stop));
        self.running.ended.notify_all();
    }
}

fn send(conn: &mut UnixStream, value: &serde_json::Value) -> std::io::Result<()> {
    let mut line = value.to_string();
    line.push('\n');
    conn.write_all(line.as_bytes())
}

/// The work's outcome: its summary, or the error with its exit code.
fn reply<T: Serialize>(conn: &mut UnixStream, result: anyhow::Result<T>) {
    match result {
        Ok(summary) => {
            let mut v = serde_json::to_value(&summary).expect("a summary serializes");
            v["event"] = "summary".into();
            let _ = send(conn, &v);
        }
        Err(err) => send_error(conn, crate::exit::for_error(&err), &crate::exit::message(&err)),
    }
}

fn send_error(conn: &mut UnixStream, exit: Exit, message: &str) {
    let _ = send(conn, &serde_json::json!({"event": "error", "code": exit as i32, "message": message}));
}

/// Answers one peer; what goes wrong is told to it (the mount's process has no terminal).
fn answer<D: BlockDevice + 'static>(mut conn: UnixStream, shared: &Shared<D>, stop: &Arc<AtomicBool>) {
    // SAFETY: geteuid cannot fail.
    let me = unsafe { libc::geteuid() };
    match peer_uid(&conn) {
        Ok(uid) if uid == me || uid == 0 => {}
        _ => return send_error(&mut conn, Exit::Refused, "refused: another user's mount"),
    }
    let _ = conn.set_read_timeout(Some(REQUEST_TIMEOUT));
    let mut nonce = [0u8; 32];
    if getrandom::fill(&mut nonce).is_err() {
        return send_error(&mut conn, Exit::Io, "no randomness for the challenge");
    }
    let challenge = blake3::Hash::from_bytes(nonce).to_hex();
    if writeln!(conn, "{HELLO} {challenge}").is_err() {
        return;
    }
    let Ok(answer) = read_line(&mut conn) else { return };
    let key = shared.store().volume().subkey(KEY_CONTEXT);
    let expected = proof(&key, &challenge);
    drop(key);
    let proven = std::str::from_utf8(&answer).ok().and_then(|a| blake3::Hash::from_hex(a).ok());
    // blake3::Hash compares in constant time.
    let proven = proven == Some(expected);
    let request = match read_line(&mut conn).map(|l| serde_json::from_slice::<Request>(&l)) {
        Ok(Ok(r)) => r,
        Ok(Err(_)) if !proven => return refuse_proof(&mut conn),
        Ok(Err(e)) => {
            return send_error(&mut conn, Exit::Usage, &format!("a request this mount does not know: {e}"));
        }
        Err(_) => return,
    };
    if !proven && !matches!(request, Request::Status) {
        return refuse_proof(&mut conn);
    }
    match request {
        Request::Status => {
            let result = crate::mirror::last(shared.store()).map(|last_mirror| crate::status::Status {
                device: shared.store().volume().device().name().to_string(),
                mounted_at: None,
                read_only: shared.read_only(),
                unchecked: shared.unchecked_count(),
                mirror_running: MIRRORS_RUNNING.load(Ordering::SeqCst) > 0,
                last_mirror,
                backup_max_age_days: shared.policy().backup_max_age_days,
            });
            reply(&mut conn, result.map_err(anyhow::Error::from));
        }
        Request::Mirror { dest, delete, max_delete, dry_run } => {
            let Ok(secret) = read_line(&mut conn) else { return };
            let _ = conn.set_read_timeout(None);
            let opts =
                Options { delete, max_delete, dry_run, stop: Some(stop.clone()), ..Options::default() };
            MIRRORS_RUNNING.fetch_add(1, Ordering::SeqCst);
            let result = mirror(&mut conn, shared, &dest, &secret, &opts, stop);
            MIRRORS_RUNNING.fetch_sub(1, Ordering::SeqCst);
            drop(secret);
            reply(&mut conn, result);
        }
        Request::Settings { command } => {
            let command = match command {
                Asker::Scrub => "scrub (through its mount)",
                Asker::Receive => "receive (through its mount)",
            };
            let result = audit_open(shared, command).and_then(|()| {
                let policy = shared.policy().clone();
                let key = crate::scrub::key::vault_key(shared.store())?;
                let key = blake3::Hash::from_bytes(key.0).to_hex().to_string();
                Ok(Settings { policy, key, read_only: shared.read_only() })
            });
            reply(&mut conn, result);
        }
        Request::Keep { into, door, calling_ae, peer, len } => {
            if shared.read_only() {
                return send_error(&mut conn, Exit::Refused, "the vault is mounted read-only");
            }
            let door = match door.as_str() {
                "receive" => "receive",
                "receive --scrub" => "receive --scrub",
                _ => return send_error(&mut conn, Exit::Usage, "a door this mount does not know"),
            };
            if len > MAX_KEPT {
                return send_error(&mut conn, Exit::Usage, "an instance larger than a mount keeps");
            }
            let mut bytes = vec![0u8; len as usize];
            if conn.read_exact(&mut bytes).is_err() {
                return;
            }
            let from = [("calling_ae", calling_ae.as_str()), ("peer", peer.as_str())];
            let door = crate::gate::door::Door { name: door, from: &from };
            let taken = keep_instance(shared.store(), shared.policy(), &into, &bytes, door);
            reply(&mut conn, Ok::<_, anyhow::Error>(taken.unwrap_or_else(failed)));
        }
        Request::Audit { event, fields } => {
            if shared.read_only() {
                return send_error(&mut conn, Exit::Refused, "the vault is mounted read-only");
            }
            if !RECEIVER_EVENTS.contains(&event.as_str())
                || fields.iter().any(|(k, _)| !RECEIVER_FIELDS.contains(&k.as_str()))
            {
                return send_error(&mut conn, Exit::Usage, "an audit record a receiver does not write");
            }
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let result = shared.store().begin().and_then(|mut tx| {
                tx.audit(&event, &fields)?;
                tx.commit()
            });
            reply(&mut conn, result.map(|()| serde_json::json!({})).map_err(anyhow::Error::from));
        }
        Request::Log { follow } => {
            let _ = conn.set_read_timeout(None);
            // A follower that stops reading (`| less`, Ctrl-Z) must not hold up an unmount: a
            // record it does not take within this long ends the request.
            let _ = conn.set_write_timeout(Some(FOLLOWER_PATIENCE));
            let result = audit_open(shared, "log (through its mount)")
                .and_then(|()| log(&mut conn, shared, follow, stop));
            reply(&mut conn, result);
        }
        Request::Verify { budget_ms } => {
            let _ = conn.set_read_timeout(None);
            let budget = budget_ms.map(Duration::from_millis);
            // Progress: each file's path as it begins, with the bytes verified since the last.
            let bytes = std::cell::Cell::new(0u64);
            let Ok(mut events) = conn.try_clone() else { return };
            let mut on_file = |path: &str| {
                let event = serde_json::json!({"event": "progress", "path": path, "bytes": bytes.replace(0)});
                if send(&mut events, &event).is_err() {
                    stop.store(true, Ordering::SeqCst);
                }
            };
            let mut on_bytes = |n: u64| bytes.set(bytes.get() + n);
            let result = audit_open(shared, "verify (through its mount)").and_then(|()| {
                // Unmounting ends the run at its next file, as a budget would.
                crate::verify::verify_store(shared.store(), budget, Some(stop), &mut on_file, &mut on_bytes)
            });
            reply(&mut conn, result);
        }
    }
}

fn refuse_proof(conn: &mut UnixStream) {
    send_error(conn, Exit::WrongSecret, "the mounted vault did not accept the proof of its passphrase")
}

/// What `vault scrub --vault` and `vault receive` take from a mounted vault.
#[derive(Serialize, Deserialize)]
struct Settings {
    policy: Policy,
    /// The scrub key, hex.
    key: String,
    read_only: bool,
}

/// A mounted vault's settings, as its mount's process gave them.
pub struct MountSettings {
    pub policy: Policy,
    pub key: ScrubKey,
    pub read_only: bool,
}

/// Records in the vault's audit log that a peer's command opened it (not on a read-only mount).
fn audit_open<D: BlockDevice + 'static>(shared: &Shared<D>, command: &str) -> anyhow::Result<()> {
    if !shared.read_only() {
        let mut tx = shared.store().begin()?;
        tx.audit("open", &[("command", command)])?;
        tx.commit()?;
    }
    Ok(())
}

/// What a log request sent.
#[derive(Serialize, Deserialize)]
pub struct LogSummary {
    pub records: u64,
}

/// Sends the audit log's records (then, with `follow`, each new one) as events. Ends when the
/// peer has gone (its end of the socket closed) or the mount stops.
fn log<D: BlockDevice + 'static>(
    conn: &mut UnixStream,
    shared: &Shared<D>,
    follow: bool,
    stop: &AtomicBool,
) -> anyhow::Result<LogSummary> {
    let mut last = None;
    let mut records = 0;
    loop {
        for (seq, record) in shared.store().read()?.audit_after(last)? {
            send(conn, &serde_json::json!({"event": "record", "seq": seq, "record": record}))?;
            last = Some(seq);
            records += 1;
        }
        if !follow || stop.load(Ordering::SeqCst) || peer_gone(conn) {
            return Ok(LogSummary { records });
        }
        std::thread::sleep(FOLLOW_EVERY);
    }
}

/// True when the peer has closed its end (a read would find the end of the stream).
fn peer_gone(conn: &UnixStream) -> bool {
    let mut byte = [0u8; 1];
    // SAFETY: a one-byte buffer we own; MSG_PEEK | MSG_DONTWAIT neither consumes nor blocks.
    let n = unsafe {
        libc::recv(conn.as_raw_fd(), byte.as_mut_ptr().cast(), 1, libc::MSG_PEEK | libc::MSG_DONTWAIT)
    };
    n == 0 || (n < 0 && std::io::Error::last_os_error().kind() != std::io::ErrorKind::WouldBlock)
}

fn mirror<D: BlockDevice + 'static>(
    conn: &mut UnixStream,
    shared: &Shared<D>,
    dest: &Path,
    secret: &Zeroizing<Vec<u8>>,
    opts: &Options,
    stop: &AtomicBool,
) -> anyhow::Result<Summary> {
    audit_open(shared, "mirror (source, through its mount)")?;
    let mut events = conn.try_clone()?;
    crate::mirror::mirror_into(shared.store(), dest, secret, opts, &mut |event| {
        // The peer went away (killed, or its terminal closed): stop at the next file.
        if send(&mut events, &event).is_err() {
            stop.store(true, Ordering::SeqCst);
        }
    })
}

/// A peer's side: the mount that holds a vault, when one answers.
pub struct Client {
    conn: UnixStream,
}

impl Client {
    /// Connects to the mount's process that holds `device`; `None` when there is none (no
    /// socket, or one a killed mount left).
    /// The other side must run as this user or as root: a socket someone else left where
    /// this user's would be (a folder under /tmp made first by another user) is not answered,
    /// and so never hears a passphrase.
    pub fn connect(device: &Path) -> Option<Client> {
        let conn = UnixStream::connect(socket_path(device).ok()?).ok()?;
        // SAFETY: geteuid cannot fail.
        let me = unsafe { libc::geteuid() };
        match peer_uid(&conn) {
            Ok(uid) if uid == me || uid == 0 => Some(Client { conn }),
            _ => None,
        }
    }

    /// Asks the mount's process to mirror its vault into `dest` (opened there with
    /// `dst_secret`), proving with `key` (the vault's [`KEY_CONTEXT`] subkey) that this side
    /// unlocked it. Every event goes to `emit` as the mirror made it.
    pub fn mirror(
        self,
        key: &Locked<[u8; 32]>,
        dest: &Path,
        opts: &Options,
        dst_secret: &Zeroizing<Vec<u8>>,
        emit: &mut dyn FnMut(serde_json::Value),
    ) -> anyhow::Result<Summary> {
        // A relative backup path means the same file to the mount's process.
        let dest = std::path::absolute(dest)?;
        let request =
            Request::Mirror { dest, delete: opts.delete, max_delete: opts.max_delete, dry_run: opts.dry_run };
        Ok(serde_json::from_value(self.ask(Some(key), &request, Some(dst_secret), &[], emit)?)?)
    }

    /// Asks the mount's process to verify its vault (see `crate::verify::verify_store`).
    /// `progress` hears each file's path as it begins, with the bytes verified since the last.
    pub fn verify(
        self,
        key: &Locked<[u8; 32]>,
        budget: Option<Duration>,
        progress: &mut dyn FnMut(&str, u64),
    ) -> anyhow::Result<Report> {
        let request = Request::Verify { budget_ms: budget.map(|b| b.as_millis() as u64) };
        let mut emit = |v: serde_json::Value| {
            progress(v["path"].as_str().unwrap_or_default(), v["bytes"].as_u64().unwrap_or(0))
        };
        Ok(serde_json::from_value(self.ask(Some(key), &request, None, &[], &mut emit)?)?)
    }

    /// Asks the mount's process for its vault's audit log: every record to `emit`, and with
    /// `follow` each new one as it is committed, until the vault is unmounted.
    pub fn log(
        self,
        key: &Locked<[u8; 32]>,
        follow: bool,
        emit: &mut dyn FnMut(u64, vaultfmt::store::AuditRecord),
    ) -> anyhow::Result<LogSummary> {
        let mut bad = None;
        let mut on_event =
            |v: serde_json::Value| match (v["seq"].as_u64(), serde_json::from_value(v["record"].clone())) {
                (Some(seq), Ok(record)) => emit(seq, record),
                _ => bad = Some(anyhow::anyhow!("the mount's process sent a log record that is not one")),
            };
        let summary = self.ask(Some(key), &Request::Log { follow }, None, &[], &mut on_event)?;
        if let Some(e) = bad {
            return Err(e);
        }
        Ok(serde_json::from_value(summary)?)
    }

    /// Asks the mount's process what `vault status` shows (no proof needed).
    pub fn status(self) -> anyhow::Result<crate::status::Status> {
        Ok(serde_json::from_value(self.ask(None, &Request::Status, None, &[], &mut |_| {})?)?)
    }

    /// Asks the mount's process for its vault's gate policy and scrub key, for `command`.
    pub fn settings(self, key: &Locked<[u8; 32]>, command: Asker) -> anyhow::Result<MountSettings> {
        let request = Request::Settings { command };
        let settings: Settings =
            serde_json::from_value(self.ask(Some(key), &request, None, &[], &mut |_| {})?)?;
        let scrub_key = blake3::Hash::from_hex(&settings.key)
            .map_err(|_| anyhow::anyhow!("the mount's process sent a scrub key that is not one"))?;
        Ok(MountSettings {
            policy: settings.policy,
            key: ScrubKey(*scrub_key.as_bytes()),
            read_only: settings.read_only,
        })
    }

    /// The exchange: proof, request, the secret the work needs, the bytes it takes; then events to `emit` until
    /// the summary, which is returned.
    fn ask(
        mut self,
        key: Option<&Locked<[u8; 32]>>,
        request: &Request,
        secret: Option<&Zeroizing<Vec<u8>>>,
        payload: &[u8],
        emit: &mut dyn FnMut(serde_json::Value),
    ) -> anyhow::Result<serde_json::Value> {
        let lost = |e: std::io::Error| anyhow::anyhow!("the mount's process stopped answering: {e}");
        let hello = read_line(&mut self.conn).map_err(lost)?;
        let hello = String::from_utf8_lossy(&hello).into_owned();
        let Some(challenge) = hello.strip_prefix(HELLO).map(str::trim) else {
            return Err(self.refusal(&hello));
        };
        let request = serde_json::to_string(request)?;
        // Sized first: growing it would leave a copy of the passphrase behind.
        let room = 65 + request.len() + 1 + secret.map_or(0, |s| s.len() + 1);
        let mut out = Zeroizing::new(Vec::with_capacity(room));
        match key {
            Some(key) => out.extend_from_slice(proof(key, challenge).to_hex().as_bytes()),
            None => out.push(b'-'),
        }
        out.push(b'\n');
        out.extend_from_slice(request.as_bytes());
        out.push(b'\n');
        if let Some(secret) = secret {
            out.extend_from_slice(secret);
            out.push(b'\n');
        }
        self.conn.write_all(&out).map_err(lost)?;
        drop(out);
        self.conn.write_all(payload).map_err(lost)?;
        // Nothing secret comes back: the answers may be read through a buffer.
        let mut answers = std::io::BufRead::lines(std::io::BufReader::new(self.conn));
        loop {
            let line = answers.next().and_then(Result::ok).ok_or_else(|| {
                anyhow::anyhow!(
                    "the mount's process ended before the work did (unmounted or killed); what \
                     it committed stays, and the next run goes on"
                )
            })?;
            let value: serde_json::Value = serde_json::from_str(&line)?;
            match value["event"].as_str() {
                Some("summary") => return Ok(value),
                Some("error") => return Err(decided(&value)),
                _ => emit(value),
            }
        }
    }

    /// What the mount said instead of its greeting (it refused this user).
    fn refusal(&self, line: &str) -> anyhow::Error {
        match serde_json::from_str::<serde_json::Value>(line) {
            Ok(v) if v["event"] == "error" => decided(&v),
            _ => anyhow::anyhow!("the mount's process answered something unknown"),
        }
    }
}

fn decided(value: &serde_json::Value) -> anyhow::Error {
    let exit = Exit::from_code(value["code"].as_i64().unwrap_or(74) as i32);
    let message = value["message"].as_str().unwrap_or("the mount's process failed").to_string();
    Decided { exit, message }.into()
}

/// A receiver's keeper when a mount's process holds the vault: each instance, and each audit
/// record, is sent to that process (a connection each), which keeps it as a receiver that had
/// opened the store would. Unmounting ends it: what comes after is answered "processing
/// failure" (0110), and the sender sends it again later.
pub struct MountKeeper {
    device: PathBuf,
    key: Locked<[u8; 32]>,
}

impl MountKeeper {
    /// Keeps through the mount that holds `device`, proving with `key` (its [`KEY_CONTEXT`]
    /// subkey) that this side unlocked it.
    pub fn new(device: PathBuf, key: Locked<[u8; 32]>) -> MountKeeper {
        MountKeeper { device, key }
    }

    fn ask(&self, request: &Request, payload: &[u8]) -> anyhow::Result<serde_json::Value> {
        let client =
            Client::connect(&self.device).ok_or_else(|| anyhow::anyhow!("the vault is no longer mounted"))?;
        client.ask(Some(&self.key), request, None, payload, &mut |_| {})
    }
}

impl Keeper for MountKeeper {
    fn keep(&self, into: &str, bytes: &[u8], door: Door<'_>) -> Taken {
        let from = |key: &str| door.from.iter().find(|(k, _)| *k == key).map(|(_, v)| v.to_string());
        let request = Request::Keep {
            into: into.to_string(),
            door: door.name.to_string(),
            calling_ae: from("calling_ae").unwrap_or_default(),
            peer: from("peer").unwrap_or_default(),
            len: bytes.len() as u64,
        };
        match self.ask(&request, bytes).and_then(|v| Ok(serde_json::from_value::<Taken>(v)?)) {
            Ok(taken) => taken,
            Err(e) => Taken::Failed(PROCESSING_FAILURE, format!("the mount could not keep it: {e}")),
        }
    }

    fn audit(&self, event: &str, fields: &[(&str, &str)]) -> Result<(), String> {
        let fields = fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        self.ask(&Request::Audit { event: event.to_string(), fields }, &[])
            .map(drop)
            .map_err(|e| e.to_string())
    }
}

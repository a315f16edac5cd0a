//! A mount's side of the control socket: listens, checks each peer and its proof, and does the
//! work it asks for in a thread of its own (see the module above for the exchange).

use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use serde::Serialize;
use vaultfmt::dev::BlockDevice;
use zeroize::Zeroizing;

use super::{
    Answer, Asker, FOLLOW_EVERY, FOLLOWER_PATIENCE, HELLO, KEEPING_AT_ONCE, KEY_CONTEXT, LogSummary,
    MAX_KEPT, MIRRORS_RUNNING, RECEIVER_EVENTS, REQUEST_TIMEOUT, Request, STOP_WAIT, Settings, peer_uid,
    proof, read_line, socket_path,
};
use crate::exit::Exit;
use crate::fs::Shared;
use crate::mirror::{Options, Summary};
use crate::receive::audit_value_allowed;
use crate::receive::dimse::OUT_OF_RESOURCES;
use crate::receive::keep::{Taken, failed, keep_instance};

/// Instances being kept for receivers now.
static KEEPING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// One of the [`KEEPING_AT_ONCE`] places for an instance being kept, given back when dropped.
struct Keeping;

impl Keeping {
    fn take() -> Option<Keeping> {
        let before = KEEPING.fetch_add(1, Ordering::SeqCst);
        if before >= KEEPING_AT_ONCE {
            KEEPING.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        Some(Keeping)
    }
}

impl Drop for Keeping {
    fn drop(&mut self) {
        KEEPING.fetch_sub(1, Ordering::SeqCst);
    }
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
fn reply<T: Serialize>(conn: &mut UnixStream, result: crate::error::Result<T>) {
    match result {
        Ok(summary) => {
            let mut v = serde_json::to_value(&summary).expect("a summary serializes");
            v["event"] = "summary".into();
            let _ = send(conn, &v);
        }
        Err(err) => send_error(conn, crate::error::for_error(&err), &crate::error::message(&err)),
    }
}

fn send_answer(conn: &mut UnixStream, answer: &Answer) -> std::io::Result<()> {
    send(conn, &serde_json::to_value(answer).expect("an answer serializes"))
}

fn send_error(conn: &mut UnixStream, exit: Exit, message: &str) {
    let _ = send_answer(conn, &Answer::Error { code: exit as i32, message: message.to_string() });
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
            reply(&mut conn, result.map_err(crate::error::Error::from));
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
        Request::Settings { command, key } => {
            let command = match command {
                Asker::Scrub => "scrub (through its mount)",
                Asker::Receive => "receive (through its mount)",
            };
            let result = audit_open(shared, command).and_then(|()| {
                let policy = shared.policy().clone();
                let key = match key {
                    true => {
                        let key = crate::scrub::key::vault_key(shared.store())?;
                        Some(blake3::Hash::from_bytes(key.0).to_hex().to_string())
                    }
                    false => None,
                };
                Ok(Settings { policy, key, read_only: shared.read_only() })
            });
            reply(&mut conn, result);
        }
        Request::Keep { into, door, calling_ae, peer, len } => {
            if shared.read_only() {
                return send_error(&mut conn, Exit::Refused, "the vault is mounted read-only");
            }
            if !audit_value_allowed("door", &door) {
                return send_error(&mut conn, Exit::Usage, "a door this mount does not know");
            }
            if len > MAX_KEPT {
                return send_error(&mut conn, Exit::Usage, "an instance larger than a mount keeps");
            }
            if !audit_value_allowed("calling_ae", &calling_ae) || !audit_value_allowed("peer", &peer) {
                return send_error(&mut conn, Exit::Usage, "a sender a receiver does not name so");
            }
            // The folder's names are stored as the mount's own doors judge names.
            if crate::gate::check_path(&into).is_some() {
                return send_error(
                    &mut conn,
                    Exit::Refused,
                    "a folder name the gate refuses (identity-in-name)",
                );
            }
            let Some(_keeping) = Keeping::take() else {
                let busy = Taken::Failed(
                    OUT_OF_RESOURCES,
                    "the mount is keeping all it can; send it again later".into(),
                );
                return reply(&mut conn, Ok::<_, crate::error::Error>(busy));
            };
            let mut bytes = vec![0u8; len as usize];
            if conn.read_exact(&mut bytes).is_err() {
                return;
            }
            let from = [("calling_ae", calling_ae.as_str()), ("peer", peer.as_str())];
            let door = crate::gate::door::Door { name: &door, from: &from };
            let taken = keep_instance(shared.store(), shared.policy(), &into, &bytes, door);
            reply(&mut conn, Ok::<_, crate::error::Error>(taken.unwrap_or_else(failed)));
        }
        Request::Audit { event, fields } => {
            if shared.read_only() {
                return send_error(&mut conn, Exit::Refused, "the vault is mounted read-only");
            }
            if !RECEIVER_EVENTS.contains(&event.as_str())
                || fields.iter().any(|(k, v)| !audit_value_allowed(k, v))
            {
                return send_error(&mut conn, Exit::Usage, "an audit record a receiver does not write");
            }
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let result = shared.store().begin().and_then(|mut tx| {
                tx.audit(&event, &fields)?;
                tx.commit()
            });
            reply(&mut conn, result.map_err(crate::error::Error::from));
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
                let event = Answer::Progress { path: path.to_string(), bytes: bytes.replace(0) };
                if send_answer(&mut events, &event).is_err() {
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

/// Records in the vault's audit log that a peer's command opened it (not on a read-only mount).
fn audit_open<D: BlockDevice + 'static>(shared: &Shared<D>, command: &str) -> crate::error::Result<()> {
    if !shared.read_only() {
        let mut tx = shared.store().begin()?;
        tx.audit("open", &[("command", command)])?;
        tx.commit()?;
    }
    Ok(())
}

/// Sends the audit log's records (then, with `follow`, each new one) as events. Ends when the
/// peer has gone (its end of the socket closed) or the mount stops.
fn log<D: BlockDevice + 'static>(
    conn: &mut UnixStream,
    shared: &Shared<D>,
    follow: bool,
    stop: &AtomicBool,
) -> crate::error::Result<LogSummary> {
    let mut last = None;
    let mut records = 0;
    loop {
        for (seq, record) in shared.store().read()?.audit_after(last)? {
            send_answer(conn, &Answer::Record { seq, record })?;
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
) -> crate::error::Result<Summary> {
    audit_open(shared, "mirror (source, through its mount)")?;
    let mut events = conn.try_clone()?;
    crate::mirror::mirror_into(shared.store(), dest, secret, opts, &mut |event| {
        // The peer went away (killed, or its terminal closed): stop at the next file.
        if send(&mut events, &event).is_err() {
            stop.store(true, Ordering::SeqCst);
        }
    })
}

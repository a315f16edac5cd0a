//! A peer's side of the control socket: `vault mirror`, `verify`, `log`, `status`, `scrub` and
//! `receive` asking the mount's process that holds a vault (see the module above for the
//! exchange).

use std::io::Write;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use vaultfmt::secret::Locked;
use zeroize::Zeroizing;

use super::{
    Answer, Asker, HELLO, LogSummary, MountSettings, Request, Settings, peer_uid, proof, read_line,
    socket_path,
};
use crate::error::Decided;
use crate::error::Error;
use crate::exit::Exit;
use crate::gate::door::Door;
use crate::mirror::{Options, Summary};
use crate::receive::dimse::PROCESSING_FAILURE;
use crate::receive::keep::{Keeper, Taken};
use crate::scrub::uid::ScrubKey;
use crate::verify::Report;

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
    /// `dst_secret`), proving with `key` (the vault's [`KEY_CONTEXT`](super::KEY_CONTEXT) subkey) that this side
    /// unlocked it. Every event goes to `emit` as the mirror made it.
    pub fn mirror(
        self,
        key: &Locked<[u8; 32]>,
        dest: &Path,
        opts: &Options,
        dst_secret: &Zeroizing<Vec<u8>>,
        emit: &mut dyn FnMut(serde_json::Value),
    ) -> crate::error::Result<Summary> {
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
    ) -> crate::error::Result<Report> {
        let request = Request::Verify { budget_ms: budget.map(|b| b.as_millis() as u64) };
        let mut emit = |v: serde_json::Value| {
            if let Ok(Answer::Progress { path, bytes }) = serde_json::from_value(v) {
                progress(&path, bytes)
            }
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
    ) -> crate::error::Result<LogSummary> {
        let mut bad = None;
        let mut on_event = |v: serde_json::Value| match serde_json::from_value(v) {
            Ok(Answer::Record { seq, record }) => emit(seq, record),
            _ => bad = Some(Error::Control("the mount's process sent a log record that is not one".into())),
        };
        let summary = self.ask(Some(key), &Request::Log { follow }, None, &[], &mut on_event)?;
        if let Some(e) = bad {
            return Err(e);
        }
        Ok(serde_json::from_value(summary)?)
    }

    /// Asks the mount's process what `vault status` shows (no proof needed).
    pub fn status(self) -> crate::error::Result<crate::status::Status> {
        Ok(serde_json::from_value(self.ask(None, &Request::Status, None, &[], &mut |_| {})?)?)
    }

    /// Asks the mount's process for its vault's gate policy and scrub key, for `command`.
    /// With `scrub_key`, its scrub key too (made if missing).
    pub fn settings(
        self,
        key: &Locked<[u8; 32]>,
        command: Asker,
        scrub_key: bool,
    ) -> crate::error::Result<MountSettings> {
        let request = Request::Settings { command, key: scrub_key };
        let settings: Settings =
            serde_json::from_value(self.ask(Some(key), &request, None, &[], &mut |_| {})?)?;
        let scrub_key = match settings.key {
            Some(hex) => Some(ScrubKey(
                *blake3::Hash::from_hex(&hex)
                    .map_err(|_| {
                        Error::Control("the mount's process sent a scrub key that is not one".into())
                    })?
                    .as_bytes(),
            )),
            None => None,
        };
        Ok(MountSettings { policy: settings.policy, key: scrub_key, read_only: settings.read_only })
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
    ) -> crate::error::Result<serde_json::Value> {
        let lost = |e: std::io::Error| Error::Control(format!("the mount's process stopped answering: {e}"));
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
        // A mount that refuses the work before its payload (read-only, too large) has said why:
        // its answer is read even when the payload could not all be sent.
        let sent = self.conn.write_all(payload);
        // Nothing secret comes back: the answers may be read through a buffer.
        let mut answers = std::io::BufRead::lines(std::io::BufReader::new(self.conn));
        loop {
            let line = answers.next().and_then(Result::ok);
            let line = match (line, &sent) {
                (None, Err(e)) => {
                    return Err(Error::Control(format!("the mount's process stopped answering: {e}")));
                }
                (line, _) => line,
            };
            let line = line.ok_or_else(|| {
                Error::Control(
                    "the mount's process ended before the work did (unmounted or killed); what \
                     it committed stays, and the next run goes on"
                        .into(),
                )
            })?;
            let value: serde_json::Value = serde_json::from_str(&line)?;
            match value["event"].as_str() {
                Some("summary") => return Ok(value),
                Some("error") => return Err(decided(value)),
                _ => emit(value),
            }
        }
    }

    /// What the mount said instead of its greeting (it refused this user).
    fn refusal(&self, line: &str) -> Error {
        match serde_json::from_str::<serde_json::Value>(line) {
            Ok(v) if v["event"] == "error" => decided(v),
            _ => Error::Control("the mount's process answered something unknown".into()),
        }
    }
}

/// The error the mount's process sent, with the exit code it decided.
fn decided(value: serde_json::Value) -> Error {
    match serde_json::from_value(value) {
        Ok(Answer::Error { code, message }) => Decided { exit: Exit::from_code(code), message }.into(),
        _ => Error::Control("the mount's process failed, and did not say how".into()),
    }
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
    /// Keeps through the mount that holds `device`, proving with `key` (its [`KEY_CONTEXT`](super::KEY_CONTEXT)
    /// subkey) that this side unlocked it.
    pub fn new(device: PathBuf, key: Locked<[u8; 32]>) -> MountKeeper {
        MountKeeper { device, key }
    }

    fn ask(&self, request: &Request, payload: &[u8]) -> crate::error::Result<serde_json::Value> {
        let client = Client::connect(&self.device)
            .ok_or_else(|| Error::Control("the vault is no longer mounted".into()))?;
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

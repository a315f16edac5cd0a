//! The DICOM network door (`vault receive`): a Storage SCP, so that a PACS workstation, OsiriX
//! or Horos can "send to" the vault.
//!
//! An association is taken only from a calling AE title the vault's policy lists (and, when it
//! lists addresses, from one of them), addressed to the receiver's own AE title. Each instance
//! a C-STORE brings is made a Part 10 file (the meta group from the command and the presentation
//! context, the data set as sent), de-identified with the vault's key when asked (`--scrub`),
//! and kept ([`keep`]): judged by the gate, then stored from the very memory the gate read.
//! Success (0000) is answered only after the transaction that holds the instance
//! is committed, durably; a refusal gets the configured failure status with an Error Comment that
//! names the rule and tag (never a value), and an audit record with the calling AE and the
//! peer's address. An instance the gate passes takes its name from its (replaced) UIDs:
//! `DIR/STUDY/SERIES/INSTANCE.dcm`, never a patient's name.
//!
//! Memory: each association holds one instance at most, up to [`Options::max_instance`]
//! bytes; a larger one is read to its end, not kept, and answered "out of resources". At most
//! [`Options::max_associations`] run at once; one more is rejected at association. A peer that
//! sends nothing for [`Options::timeout`], or sends what is not DICOM's upper layer, is aborted
//! and the event logged: never a panic, never a partial instance in the vault (an instance is
//! one transaction).

pub mod dimse;
pub mod keep;
pub mod tls;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use dicom_object::FileMetaTableBuilder;
use dicom_ul::association::Association;
use dicom_ul::association::CloseSocket;
use dicom_ul::association::server::AccessControl;
use dicom_ul::pdu::{
    AssociationRJServiceUserReason, PDataValue, PDataValueType, Pdu, PresentationContextResultReason,
    UserIdentity,
};
use dicom_ul::{ServerAssociation, ServerAssociationOptions};

use self::dimse::Command;
use self::keep::{Keeper, Taken};
use crate::gate::Policy;
use crate::gate::door::Door;
use crate::scrub::file::{Outcome, Scrubbing};

/// The largest PDU the receiver takes (what it offers at association): fewer, larger reads.
const MAX_PDU: u32 = 128 << 10;

/// The Verification SOP class (C-ECHO).
const VERIFICATION: &str = "1.2.840.10008.1.1";

/// The implementation class UID the files vault receives carry in their meta group (a UUID's
/// UID, made once for vault).
pub const IMPLEMENTATION_CLASS_UID: &str = "2.25.104718698879472717604631250820620082459";

/// The implementation version name (at most 16 characters).
pub const IMPLEMENTATION_VERSION_NAME: &str = concat!("VAULT_", env!("CARGO_PKG_VERSION"));

/// What a receiver is told at start.
#[derive(Clone, Debug)]
pub struct Options {
    /// The receiver's own AE title: associations called to another are rejected.
    pub ae_title: String,
    /// The vault folder instances go into (`/` for the top).
    pub into: String,
    pub max_associations: usize,
    /// A peer silent this long is aborted.
    pub timeout: Duration,
    /// The largest instance taken, in bytes.
    pub max_instance: u64,
    /// The status a refused instance is answered with.
    pub refusal_status: u16,
    /// With TLS: every peer's connection is TLS ([`tls`]).
    pub tls: Option<std::sync::Arc<rustls::ServerConfig>>,
}

/// What happened, as the receiver reports it: AE titles, addresses, vault paths made of
/// replaced UIDs, rules and tags; never a patient value.
#[derive(Debug, serde::Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Event {
    Rejected { calling: String, peer: SocketAddr, why: &'static str },
    Opened { calling: String, peer: SocketAddr },
    Echo { calling: String },
    Stored { calling: String, path: String },
    Refused { calling: String, why: String },
    Failed { calling: String, status: u16, why: String },
    Aborted { peer: SocketAddr, why: String },
    Closed { calling: String, stored: usize, refused: usize },
}

impl std::fmt::Display for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Event::Rejected { calling, peer, why } => write!(f, "rejected {calling:?} from {peer}: {why}"),
            Event::Opened { calling, peer } => write!(f, "association from {calling:?} at {peer}"),
            Event::Echo { calling } => write!(f, "{calling:?}: echo"),
            Event::Stored { calling, path } => write!(f, "{calling:?}: stored {path}"),
            Event::Refused { calling, why } => write!(f, "{calling:?}: refused an instance: {why}"),
            Event::Failed { calling, status, why } => {
                write!(f, "{calling:?}: could not store an instance (status {status:04X}): {why}")
            }
            Event::Aborted { peer, why } => write!(f, "aborted the association with {peer}: {why}"),
            Event::Closed { calling, stored, refused } => {
                write!(f, "{calling:?} released: {stored} stored, {refused} refused")
            }
        }
    }
}

/// Counts over the receiver's life.
#[derive(Debug, Default, serde::Serialize)]
pub struct Summary {
    pub associations: AtomicUsize,
    pub rejected: AtomicUsize,
    /// Connections closed unanswered: from an address that has as many waiting to associate
    /// as one fewer than the associations allowed, or beyond four times those.
    pub dropped: AtomicUsize,
    pub stored: AtomicUsize,
    pub refused: AtomicUsize,
}

/// Rejections written to the audit log in a minute at most: a caller the policy does not know
/// must not be able to fill the vault with records. Past it, they are counted, and the count
/// is written once the minute is over (or the receiver stops).
const REJECTIONS_AUDITED_PER_MINUTE: u32 = 20;

/// The rejections of the current minute: when it began, how many were audited, how many not.
#[derive(Debug)]
struct Rejections {
    since: Instant,
    audited: u32,
    unrecorded: u32,
}

/// A receiver on an open vault.
pub struct Receiver<'a> {
    /// Where instances are kept and audit records written.
    pub keeper: &'a dyn Keeper,
    pub policy: &'a Policy,
    pub scrubbing: Option<&'a Scrubbing>,
    pub options: &'a Options,
    /// Where events go (the command prints them).
    pub events: &'a (dyn Fn(Event) + Sync),
    pub summary: Summary,
    rejections: Mutex<Rejections>,
    /// Connections per address that have not yet associated.
    waiting: Mutex<HashMap<IpAddr, usize>>,
}

/// The association gate: the policy's senders and the receiver's AE title (the policy's
/// addresses are checked as a connection is accepted, before any of this).
struct Access<'p> {
    senders: &'p [String],
    why: Cell<Option<&'static str>>,
    calling: RefCell<String>,
}

impl AccessControl for &Access<'_> {
    fn check_access(
        &self,
        this_ae_title: &str,
        calling_ae_title: &str,
        called_ae_title: &str,
        _user_identity: Option<&UserIdentity>,
    ) -> Result<(), AssociationRJServiceUserReason> {
        *self.calling.borrow_mut() = ae_text(calling_ae_title);
        let (why, reason) = if !self.senders.iter().any(|s| s == calling_ae_title.trim()) {
            (
                "calling AE title not in the policy's senders",
                AssociationRJServiceUserReason::CallingAETitleNotRecognized,
            )
        } else if called_ae_title.trim() != this_ae_title {
            (
                "called AE title is not this receiver's",
                AssociationRJServiceUserReason::CalledAETitleNotRecognized,
            )
        } else {
            return Ok(());
        };
        self.why.set(Some(why));
        Err(reason)
    }
}

/// An AE title as the receiver prints and audits it: what a peer sent, cut to 16 characters of
/// printable ASCII (anything else a `?`).
fn ae_text(ae: &str) -> String {
    ae.trim().chars().take(16).map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '?' }).collect()
}

/// An instance being received: its command, its presentation context, and the file it is
/// becoming (the meta group first, then the data set as it comes: one buffer, one copy).
struct Pending {
    command: Command,
    context: u8,
    file: Vec<u8>,
    /// The length of the preamble and meta group at the start of `file`.
    head: usize,
    /// Why it will not be taken, found before its end (its data is read and dropped).
    unusable: Option<(u16, String)>,
}

impl Pending {
    fn new(command: Command, context: u8, syntax: &str) -> Pending {
        let uids =
            (command.uid(dimse::AFFECTED_SOP_CLASS_UID), command.uid(dimse::AFFECTED_SOP_INSTANCE_UID));
        let (file, unusable) = match uids {
            (Some(class), Some(instance)) => match part10_head(&class, &instance, syntax) {
                Ok(head) => (head, None),
                Err(e) => {
                    (Vec::new(), Some((dimse::CANNOT_UNDERSTAND, format!("cannot make a file of it: {e}"))))
                }
            },
            _ => (
                Vec::new(),
                Some((dimse::CANNOT_UNDERSTAND, "no affected SOP class or instance UID".to_string())),
            ),
        };
        let head = file.len();
        Pending { command, context, file, head, unusable }
    }
}

/// Takes one from a count when dropped (a slot given back, a flag set, however a thread ends).
struct Released<'c>(&'c AtomicUsize);

impl Drop for Released<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One connection from an address, not yet associated; dropped, it no longer counts.
struct Waiting<'w> {
    counts: &'w Mutex<HashMap<IpAddr, usize>>,
    ip: IpAddr,
}

impl<'w> Waiting<'w> {
    /// Counts a connection from `ip`, unless its address has `most` waiting already.
    fn take(counts: &'w Mutex<HashMap<IpAddr, usize>>, ip: IpAddr, most: usize) -> Option<Waiting<'w>> {
        let mut c = counts.lock().unwrap_or_else(|e| e.into_inner());
        let n = c.entry(ip).or_default();
        if *n >= most {
            return None;
        }
        *n += 1;
        Some(Waiting { counts, ip })
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let mut c = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = c.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                c.remove(&self.ip);
            }
        }
    }
}

/// Sets a flag when dropped, and wakes the thread that waits on it.
struct Raised<'f> {
    flag: &'f AtomicBool,
    /// The thread that waits on the flag, woken when it is set.
    wake: std::thread::Thread,
}

impl Drop for Raised<'_> {
    fn drop(&mut self) {
        self.flag.store(true, Ordering::SeqCst);
        self.wake.unpark();
    }
}

/// An association request must have come whole within this, or the timeout if shorter: a
/// caller that has not said who it is holds a slot no longer.
const SETUP_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a watchdog ended an association.
const WATCH_NONE: u8 = 0;
const WATCH_SILENT: u8 = 1;
const WATCH_STOPPING: u8 = 2;

/// How an association tells its watchdog what it is doing: waiting for the peer (the timeout
/// runs), or working on what came (it does not).
struct Clock<'c> {
    waiting: &'c dyn Fn(),
    working: &'c dyn Fn(),
}

/// What an association's watchdog watches: the instant by which the next PDU must have come
/// whole (milliseconds since the receiver started), and whether the association is over.
struct Watch {
    deadline_ms: AtomicU64,
    over: AtomicBool,
    fired: AtomicU8,
    /// The TLS error that ended the peer's connection, if one did.
    tls_failure: Mutex<Option<String>>,
}

impl<'a> Receiver<'a> {
    pub fn new(
        keeper: &'a dyn Keeper,
        policy: &'a Policy,
        scrubbing: Option<&'a Scrubbing>,
        options: &'a Options,
        events: &'a (dyn Fn(Event) + Sync),
    ) -> Receiver<'a> {
        Receiver {
            keeper,
            policy,
            scrubbing,
            options,
            events,
            summary: Summary::default(),
            waiting: Mutex::new(HashMap::new()),
            rejections: Mutex::new(Rejections { since: Instant::now(), audited: 0, unrecorded: 0 }),
        }
    }

    /// Takes associations on `listener` until `stop` is set, each on a thread of its own; then
    /// ends the open ones (an instance not yet answered is not stored: its sender sends it
    /// again) and returns.
    pub fn serve(&self, listener: &TcpListener, stop: &AtomicBool) -> std::io::Result<()> {
        listener.set_nonblocking(true)?;
        let active = AtomicUsize::new(0);
        let started = Instant::now();
        std::thread::scope(|scope| {
            while !stop.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((socket, peer)) => {
                        // An address the policy does not list holds no slot: closed at once.
                        if !address_allowed(&self.policy.sender_addresses, peer.ip()) {
                            drop(socket);
                            self.reject(String::new(), peer, "address not in the policy's sender addresses");
                            continue;
                        }
                        // Callers that have not yet said who they are hold, from one address,
                        // one slot fewer than there are: one host cannot take every slot.
                        let most = self.options.max_associations.saturating_sub(1).max(1);
                        let Some(waiting) = Waiting::take(&self.waiting, peer.ip(), most) else {
                            self.summary.dropped.fetch_add(1, Ordering::SeqCst);
                            continue;
                        };
                        // A flood of connections beyond the limit is not answered at all.
                        let now = active.fetch_add(1, Ordering::SeqCst);
                        if now >= 4 * self.options.max_associations.max(1) {
                            active.fetch_sub(1, Ordering::SeqCst);
                            self.summary.dropped.fetch_add(1, Ordering::SeqCst);
                            continue;
                        }
                        let busy = now >= self.options.max_associations;
                        // The slot is given back however the thread ends (a panic included),
                        // or when it cannot be started.
                        let slot = Released(&active);
                        let _ = std::thread::Builder::new().spawn_scoped(scope, move || {
                            let _slot = slot;
                            let run = std::panic::AssertUnwindSafe(|| {
                                self.association(socket, peer, busy, waiting, stop, started)
                            });
                            if std::panic::catch_unwind(run).is_err() {
                                let why = "an internal error (a panic) ended it".to_string();
                                self.emit(Event::Aborted { peer, why });
                            }
                        });
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(50))
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(200)),
                }
            }
        });
        self.flush_rejections(true);
        Ok(())
    }

    fn emit(&self, event: Event) {
        (self.events)(event)
    }

    /// Audits a rejection, unless this minute's allowance is spent (then it is counted).
    fn reject(&self, calling: String, peer: SocketAddr, why: &'static str) {
        self.summary.rejected.fetch_add(1, Ordering::SeqCst);
        self.flush_rejections(false);
        let audit = {
            let mut r = self.rejections.lock().unwrap_or_else(|e| e.into_inner());
            if r.audited < REJECTIONS_AUDITED_PER_MINUTE {
                r.audited += 1;
                true
            } else {
                r.unrecorded += 1;
                false
            }
        };
        if audit {
            let peer_text = peer.to_string();
            self.audit(
                "rejected",
                &[("door", "receive"), ("calling_ae", &calling), ("peer", &peer_text), ("why", why)],
            );
            self.emit(Event::Rejected { calling, peer, why });
        }
    }

    /// Starts a new minute of rejections when the last is over (or `now`), writing how many
    /// went unrecorded in it.
    fn flush_rejections(&self, now: bool) {
        let unrecorded = {
            let mut r = self.rejections.lock().unwrap_or_else(|e| e.into_inner());
            if !now && r.since.elapsed() < Duration::from_secs(60) {
                return;
            }
            let n = r.unrecorded;
            *r = Rejections { since: Instant::now(), audited: 0, unrecorded: 0 };
            n
        };
        if unrecorded > 0 {
            self.audit("rejected-unrecorded", &[("door", "receive"), ("count", &unrecorded.to_string())]);
            eprintln!("vault receive: {unrecorded} more associations rejected (not each audited)");
        }
    }

    /// One association, from its request to its release or abort. A watchdog ends it when the
    /// association is not set up, or a PDU does not come whole, within the timeout (a peer that
    /// trickles a byte at a time is ended all the same), and when the receiver stops.
    fn association(
        &self,
        socket: TcpStream,
        peer: SocketAddr,
        busy: bool,
        waiting: Waiting<'_>,
        stop: &AtomicBool,
        started: Instant,
    ) {
        // Without TCP_NODELAY each PDU's last segment waits on the peer's delayed ACK: about 40
        // ms a PDU, 30 PDUs to a CT slice.
        if socket.set_nonblocking(false).is_err() || socket.set_nodelay(true).is_err() {
            return;
        }
        let Ok(watched) = socket.try_clone() else { return };
        let timeout_ms = self.options.timeout.as_millis() as u64;
        let now_ms = || started.elapsed().as_millis() as u64;
        let setup_ms = self.options.timeout.min(SETUP_TIMEOUT).as_millis() as u64;
        let watch = Watch {
            deadline_ms: AtomicU64::new(now_ms() + setup_ms),
            over: AtomicBool::new(false),
            fired: AtomicU8::new(WATCH_NONE),
            tls_failure: Mutex::new(None),
        };
        std::thread::scope(|scope| {
            let watchdog = scope.spawn(|| {
                while !watch.over.load(Ordering::SeqCst) {
                    let why = if stop.load(Ordering::SeqCst) {
                        WATCH_STOPPING
                    } else if now_ms() > watch.deadline_ms.load(Ordering::SeqCst) {
                        WATCH_SILENT
                    } else {
                        std::thread::park_timeout(Duration::from_millis(50));
                        continue;
                    };
                    watch.fired.store(why, Ordering::SeqCst);
                    let _ = watched.shutdown(std::net::Shutdown::Both);
                    return;
                }
            });
            // The watchdog stops however the association ends, a panic included, and at once:
            // the association's slot is free as soon as it is over.
            let _over = Raised { flag: &watch.over, wake: watchdog.thread().clone() };
            let clock = Clock {
                waiting: &|| watch.deadline_ms.store(now_ms() + timeout_ms, Ordering::SeqCst),
                working: &|| watch.deadline_ms.store(u64::MAX, Ordering::SeqCst),
            };
            // With TLS, the upper layer has the peer's plaintext over a loopback connection of its
            // own; the watchdog still watches (and ends) the peer's.
            let socket = match &self.options.tls {
                None => socket,
                Some(config) => {
                    let Ok((upper, relayed)) = tls::loopback_pair() else {
                        let why = "no loopback connection to relay TLS over".into();
                        return self.emit(Event::Aborted { peer, why });
                    };
                    let (config, failure) = (config.clone(), &watch.tls_failure);
                    scope.spawn(move || tls::relay(socket, relayed, config, failure));
                    upper
                }
            };
            self.converse(socket, peer, busy, waiting, &clock, &watch);
        });
    }

    /// Why the watchdog ended an association, if it did.
    fn ended_by(&self, watch: &Watch, otherwise: String) -> String {
        match watch.fired.load(Ordering::SeqCst) {
            WATCH_SILENT => format!("no PDU came whole within {} s", self.options.timeout.as_secs()),
            WATCH_STOPPING => "the receiver is stopping".into(),
            _ => match watch.tls_failure.lock().unwrap_or_else(|e| e.into_inner()).take() {
                Some(e) => format!("TLS: {e}"),
                None => otherwise,
            },
        }
    }

    fn converse(
        &self,
        socket: TcpStream,
        peer: SocketAddr,
        busy: bool,
        waiting: Waiting<'_>,
        clock: &Clock<'_>,
        watch: &Watch,
    ) {
        if busy {
            return self.turn_away(socket, peer, waiting, watch);
        }
        let access = Access {
            senders: &self.policy.senders,
            why: Cell::new(None),
            calling: RefCell::new(String::new()),
        };
        let options = ServerAssociationOptions::new()
            .ae_access_control(&access)
            .ae_title(self.options.ae_title.as_str())
            .with_abstract_syntax(VERIFICATION)
            .promiscuous(true)
            .max_pdu_length(MAX_PDU)
            .read_timeout(self.options.timeout)
            .write_timeout(self.options.timeout);
        let failed = |e: dicom_ul::association::Error| match access.why.get() {
            Some(why) => self.reject(access.calling.take(), peer, why),
            None => {
                let why = self.ended_by(watch, format!("no association: {}", error_kind(&e)));
                self.emit(Event::Aborted { peer, why })
            }
        };
        match options.establish(socket) {
            Ok(a) => {
                drop(waiting);
                self.talk(a, peer, clock, watch)
            }
            Err(e) => {
                // Answered: no longer waiting to associate, while its audit record is written.
                drop(waiting);
                failed(e)
            }
        }
    }

    /// A caller that came while every slot is taken: its request is read (within the setup time)
    /// and rejected as *transient*, local limit exceeded (PS3.8 9.3.4), so that a sender tries
    /// again later rather than giving up; audited as a rejection.
    fn turn_away(&self, mut socket: TcpStream, peer: SocketAddr, waiting: Waiting<'_>, watch: &Watch) {
        use dicom_ul::pdu::{
            AssociationRJ, AssociationRJResult, AssociationRJServiceProviderPresentationReason as Why,
            AssociationRJSource,
        };
        let request = read_request(&mut socket);
        drop(waiting);
        let Some(calling) = request else {
            let why = self.ended_by(watch, "no association request".into());
            return self.emit(Event::Aborted { peer, why });
        };
        let rj = Pdu::AssociationRJ(AssociationRJ {
            result: AssociationRJResult::Transient,
            source: AssociationRJSource::ServiceProviderPresentation(Why::LocalLimitExceeded),
        });
        let mut out = Vec::new();
        if dicom_ul::pdu::write_pdu(&mut out, &rj).is_ok() {
            use std::io::Write;
            let _ = socket.write_all(&out);
        }
        let _ = socket.shutdown(std::net::Shutdown::Both);
        self.reject(calling, peer, "too many associations at once");
    }

    /// An association, once set up: commands and data sets until its release or abort.
    fn talk<S>(
        &self,
        mut association: ServerAssociation<S>,
        peer: SocketAddr,
        clock: &Clock<'_>,
        watch: &Watch,
    ) where
        S: std::io::Read + std::io::Write + CloseSocket,
    {
        let calling = ae_text(association.peer_ae_title());
        self.summary.associations.fetch_add(1, Ordering::SeqCst);
        self.emit(Event::Opened { calling: calling.clone(), peer });
        let contexts: Vec<(u8, String)> = association
            .presentation_contexts()
            .iter()
            .filter(|pc| pc.reason == PresentationContextResultReason::Acceptance)
            .map(|pc| (pc.id, pc.transfer_syntax.trim_end_matches('\0').to_string()))
            .collect();
        let peer_text = peer.to_string();
        let from = [("calling_ae", calling.as_str()), ("peer", peer_text.as_str())];
        let (mut stored, mut refused) = (0usize, 0usize);
        let mut command_bytes: Vec<u8> = Vec::new();
        let mut pending: Option<Pending> = None;
        let abort = |association: ServerAssociation<S>, why: String| {
            self.emit(Event::Aborted { peer, why: self.ended_by(watch, why) });
            let _ = association.abort();
        };
        loop {
            // The peer has the timeout to send the next PDU whole; the receiver's own work on it
            // (the gate, a scrub, OCR, waiting for the store) is not counted against it.
            (clock.waiting)();
            let pdu = match association.receive() {
                Ok(pdu) => pdu,
                Err(e) => return abort(association, error_kind(&e)),
            };
            (clock.working)();
            let values = match pdu {
                Pdu::PData { data } => data,
                Pdu::ReleaseRQ => {
                    let _ = association.send(&Pdu::ReleaseRP);
                    self.emit(Event::Closed { calling, stored, refused });
                    return;
                }
                Pdu::AbortRQ { .. } => {
                    return self.emit(Event::Aborted { peer, why: "the peer aborted".into() });
                }
                other => return abort(association, format!("an unexpected {}", pdu_kind(&other))),
            };
            for value in values {
                let Some(syntax) =
                    contexts.iter().find(|(id, _)| *id == value.presentation_context_id).map(|c| &c.1)
                else {
                    return abort(association, "a fragment on a presentation context not accepted".into());
                };
                match value.value_type {
                    PDataValueType::Command => {
                        if pending.is_some() {
                            return abort(
                                association,
                                "a command before the last one's data set ended".into(),
                            );
                        }
                        if command_bytes.len() + value.data.len() > dimse::MAX_COMMAND {
                            return abort(association, "a command set too large".into());
                        }
                        command_bytes.extend_from_slice(&value.data);
                        if !value.is_last {
                            continue;
                        }
                        let command = match Command::parse(&std::mem::take(&mut command_bytes)) {
                            Ok(c) => c,
                            Err(e) => return abort(association, format!("{e}")),
                        };
                        if command.field() & dimse::RESPONSE != 0 {
                            return abort(association, "a response where a request was due".into());
                        }
                        if command.field() == dimse::C_CANCEL_RQ {
                            continue; // nothing here runs long enough to cancel; no answer is due
                        }
                        if command.has_data_set() {
                            pending = Some(Pending::new(command, value.presentation_context_id, syntax));
                            continue;
                        }
                        let status = match command.field() {
                            dimse::C_ECHO_RQ => {
                                self.emit(Event::Echo { calling: calling.clone() });
                                dimse::SUCCESS
                            }
                            dimse::C_STORE_RQ => dimse::CANNOT_UNDERSTAND,
                            _ => dimse::UNRECOGNIZED_OPERATION,
                        };
                        let answer = dimse::response(&command, status, None);
                        if let Err(e) = send_command(&mut association, value.presentation_context_id, answer)
                        {
                            return abort(association, error_kind(&e));
                        }
                    }
                    PDataValueType::Data => {
                        let Some(p) = pending.as_mut() else {
                            return abort(association, "data with no command before it".into());
                        };
                        if p.context != value.presentation_context_id {
                            return abort(
                                association,
                                "data on another presentation context than its command".into(),
                            );
                        }
                        if p.unusable.is_none() {
                            let size = (p.file.len() - p.head) as u64 + value.data.len() as u64;
                            if size > self.options.max_instance {
                                let why = format!(
                                    "larger than the receiver takes ({} bytes)",
                                    self.options.max_instance
                                );
                                p.unusable = Some((dimse::OUT_OF_RESOURCES, why));
                                p.file = Vec::new();
                            } else {
                                p.file.extend_from_slice(&value.data);
                            }
                        }
                        if !value.is_last {
                            continue;
                        }
                        let p = pending.take().expect("pending above");
                        let taken = if p.command.field() != dimse::C_STORE_RQ {
                            Taken::Failed(dimse::UNRECOGNIZED_OPERATION, "not a C-STORE".into())
                        } else if let Some((status, why)) = p.unusable {
                            Taken::Failed(status, why)
                        } else {
                            self.instance(p.file, Door { name: self.door(), from: &from })
                        };
                        let (status, comment) = match taken {
                            Taken::Stored(path) => {
                                stored += 1;
                                self.summary.stored.fetch_add(1, Ordering::SeqCst);
                                self.emit(Event::Stored { calling: calling.clone(), path });
                                (dimse::SUCCESS, None)
                            }
                            Taken::Refused(why) => {
                                refused += 1;
                                self.summary.refused.fetch_add(1, Ordering::SeqCst);
                                self.emit(Event::Refused { calling: calling.clone(), why: why.clone() });
                                (self.options.refusal_status, Some(why))
                            }
                            Taken::Failed(status, why) => {
                                self.emit(Event::Failed {
                                    calling: calling.clone(),
                                    status,
                                    why: why.clone(),
                                });
                                (status, Some(why))
                            }
                        };
                        let answer = dimse::response(&p.command, status, comment.as_deref());
                        if let Err(e) = send_command(&mut association, p.context, answer) {
                            return abort(association, error_kind(&e));
                        }
                    }
                }
            }
        }
    }

    fn door(&self) -> &'static str {
        if self.scrubbing.is_some() { "receive --scrub" } else { "receive" }
    }

    fn audit(&self, event: &str, fields: &[(&str, &str)]) {
        if let Err(e) = self.keeper.audit(event, fields) {
            eprintln!("vault receive: the audit record could not be written: {e}");
        }
    }

    /// Takes one instance (a Part 10 file): scrubbed if asked, then kept (judged by the gate and
    /// stored, or refused and audited).
    fn instance(&self, file: Vec<u8>, door: Door<'_>) -> Taken {
        let bytes = match self.scrubbing {
            Some(s) => match s.apply(&file, self.policy) {
                Outcome::Scrubbed(out) => out,
                Outcome::Unchanged => file,
                Outcome::Refused(why) => {
                    // The scrub's reasons can name where (a container's members, by their
                    // names): the peer and the log get the rules alone.
                    let rules = scrub_rules(&why);
                    let path = keep::receiving(&self.options.into);
                    let fields = [("door", door.name), ("path", &path), ("rule", "scrub"), ("why", &rules)];
                    if let Err(e) = self.keeper.audit("refused", &[&fields[..], door.from].concat()) {
                        return Taken::Failed(
                            dimse::PROCESSING_FAILURE,
                            format!("the vault could not record it: {e}"),
                        );
                    }
                    return Taken::Refused(format!("not scrubbed: {rules}"));
                }
            },
            None => file,
        };
        self.keeper.keep(&self.options.into, &bytes, door)
    }
}

/// The rules a scrub's refusal names, without where (a container's member names can be
/// anything): the words before each reason's first colon.
fn scrub_rules(why: &[String]) -> String {
    let rules: Vec<String> = why
        .iter()
        .map(|w| w.split(':').next().unwrap_or_default())
        .map(|r| {
            r.chars().filter(|c| c.is_ascii_lowercase() || matches!(c, '-' | ',' | ' ')).collect::<String>()
        })
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    if rules.is_empty() { "refused".into() } else { rules.join("; ") }
}

/// Reads an association request whole (a PDU of type 1, at most 64 KiB); its calling AE title as
/// the receiver prints it, or None when what came is not one.
fn read_request(socket: &mut TcpStream) -> Option<String> {
    use std::io::Read;
    let mut head = [0u8; 6];
    socket.read_exact(&mut head).ok()?;
    let len = u32::from_be_bytes([head[2], head[3], head[4], head[5]]);
    if head[0] != 0x01 || len > 64 << 10 {
        return None;
    }
    let mut pdu = head.to_vec();
    pdu.resize(6 + len as usize, 0);
    socket.read_exact(&mut pdu[6..]).ok()?;
    match dicom_ul::pdu::read_pdu(&pdu[..], MAX_PDU, false) {
        Ok(Some(Pdu::AssociationRQ(rq))) => Some(ae_text(&rq.calling_ae_title)),
        _ => None,
    }
}

/// An upper-layer error as the receiver prints it: what went wrong, not what the peer sent.
fn error_kind(e: &dicom_ul::association::Error) -> String {
    let text = e.to_string();
    text.split(['`', '{']).next().unwrap_or_default().trim().trim_end_matches(':').to_string()
}

/// A PDU's kind, not its contents (an association request carries user identities).
fn pdu_kind(pdu: &Pdu) -> &'static str {
    match pdu {
        Pdu::Unknown { .. } => "PDU of an unknown type",
        Pdu::AssociationRQ(_) => "A-ASSOCIATE-RQ",
        Pdu::AssociationAC(_) => "A-ASSOCIATE-AC",
        Pdu::AssociationRJ(_) => "A-ASSOCIATE-RJ",
        Pdu::PData { .. } => "P-DATA",
        Pdu::ReleaseRQ => "A-RELEASE-RQ",
        Pdu::ReleaseRP => "A-RELEASE-RP",
        Pdu::AbortRQ { .. } => "A-ABORT",
    }
}

fn send_command<S: std::io::Read + std::io::Write + CloseSocket>(
    association: &mut ServerAssociation<S>,
    context: u8,
    data: Vec<u8>,
) -> Result<(), dicom_ul::association::Error> {
    association.send(&Pdu::PData {
        data: vec![PDataValue {
            presentation_context_id: context,
            value_type: PDataValueType::Command,
            is_last: true,
            data,
        }],
    })
}

/// True when the policy lists no addresses, or lists this one (an IPv4 peer seen as an
/// IPv6-mapped address counts as itself).
fn address_allowed(allowed: &[String], ip: IpAddr) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    };
    allowed.is_empty() || allowed.iter().any(|a| a.parse::<IpAddr>().is_ok_and(|a| a == ip))
}

/// The head of a Part 10 file: preamble, `DICM` and the meta group the command and the
/// presentation context say. The data set follows as it came (in the context's syntax).
pub fn part10_head(class: &str, instance: &str, syntax: &str) -> Result<Vec<u8>, dicom_object::meta::Error> {
    let meta = FileMetaTableBuilder::new()
        .media_storage_sop_class_uid(class)
        .media_storage_sop_instance_uid(instance)
        .transfer_syntax(syntax)
        .implementation_class_uid(IMPLEMENTATION_CLASS_UID)
        .implementation_version_name(IMPLEMENTATION_VERSION_NAME)
        .build()?;
    let mut out = vec![0u8; 128];
    out.extend_from_slice(b"DICM");
    meta.write(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scrub_refusal_is_told_by_its_rules_alone() {
        let why = vec![
            "unsupported-container: in Madeup^Zelda!/ (7z)".to_string(),
            "burned-in, not redacted: (7FE0,0010) PixelData".to_string(),
        ];
        assert_eq!(scrub_rules(&why), "unsupported-container; burned-in, not redacted");
        assert_eq!(ae_text("MADE\nUP\u{7}AE-TITLE-TOO-LONG"), "MADE?UP?AE-TITLE");
    }

    #[test]
    fn addresses_allowed() {
        let v4: IpAddr = "127.0.0.1".parse().unwrap();
        assert!(address_allowed(&[], v4));
        assert!(address_allowed(&["127.0.0.1".into()], v4));
        assert!(address_allowed(&["127.0.0.1".into()], "::ffff:127.0.0.1".parse().unwrap()));
        assert!(!address_allowed(&["10.0.0.7".into()], v4));
    }
}

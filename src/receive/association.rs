//! One association, from its request to its release or abort: the AE title check, a watchdog
//! for silent peers, TLS's relay, a transient rejection when every slot is taken, and the
//! commands and data sets of an association set up.

use std::cell::{Cell, RefCell};
use std::net::{SocketAddr, TcpStream};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use dicom_ul::association::server::AccessControl;
use dicom_ul::association::{Association, CloseSocket};
use dicom_ul::pdu::{
    AssociationRJServiceUserReason, PDataValue, PDataValueType, Pdu, PresentationContextResultReason,
    UserIdentity,
};
use dicom_ul::{ServerAssociation, ServerAssociationOptions};

use super::dimse::{self, Command};
use super::keep::Taken;
use super::pdu::{self, Incoming};
use super::{
    Event, MAX_PDU, REJECTED_BUSY, REJECTED_CALLED, REJECTED_CALLING, Receiver, VERIFICATION, Waiting,
    part10_head, tls,
};
use crate::gate::door::Door;

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
            (REJECTED_CALLING, AssociationRJServiceUserReason::CallingAETitleNotRecognized)
        } else if called_ae_title.trim() != this_ae_title {
            (REJECTED_CALLED, AssociationRJServiceUserReason::CalledAETitleNotRecognized)
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
    let text: String =
        ae.trim().chars().take(16).map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '?' }).collect();
    // A caller's title is the caller's to choose: one the gate would refuse as a name (a
    // patient's, `MRN 4711913`) is not written down.
    if crate::gate::check_name(&text).is_some() { WITHHELD.to_string() } else { text }
}

/// What the audit log and the messages say of a calling AE title the gate refuses as a name.
pub const WITHHELD: &str = "(withheld)";

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

impl Receiver<'_> {
    /// One association, from its request to its release or abort. A watchdog ends it when the
    /// association is not set up, or a PDU does not come whole, within the timeout (a peer that
    /// trickles a byte at a time is ended all the same), and when the receiver stops.
    pub(super) fn association(
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
            // Over: with TLS, the relay sees the upper layer's end close, sends what it answered
            // last (a release) and ends.
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
        self.reject(calling, peer, REJECTED_BUSY);
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
        let mut pdus = pdu::Reader::new(MAX_PDU);
        let abort = |association: ServerAssociation<S>, why: String| {
            self.emit(Event::Aborted { peer, why: self.ended_by(watch, why) });
            let _ = association.abort();
        };
        loop {
            // The peer has the timeout to send the next PDU whole; the receiver's own work on it
            // (the gate, a scrub, OCR, waiting for the store) is not counted against it.
            (clock.waiting)();
            let values = match pdus.next(association.inner_stream()) {
                Ok(Incoming::Data(values)) => values,
                Ok(Incoming::Release) => {
                    let _ = association.send(&Pdu::ReleaseRP);
                    self.emit(Event::Closed { calling, stored, refused });
                    return;
                }
                Ok(Incoming::Abort) => {
                    return self.emit(Event::Aborted { peer, why: "the peer aborted".into() });
                }
                Ok(Incoming::Unexpected(kind)) => return abort(association, format!("an unexpected {kind}")),
                Err(e) => return abort(association, e.to_string()),
            };
            (clock.working)();
            for value in values {
                let Some(syntax) = contexts.iter().find(|(id, _)| *id == value.context).map(|c| &c.1) else {
                    return abort(association, "a fragment on a presentation context not accepted".into());
                };
                if value.command {
                    if pending.is_some() {
                        return abort(association, "a command before the last one's data set ended".into());
                    }
                    if command_bytes.len() + value.data.len() > dimse::MAX_COMMAND {
                        return abort(association, "a command set too large".into());
                    }
                    command_bytes.extend_from_slice(value.data);
                    if !value.last {
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
                        pending = Some(Pending::new(command, value.context, syntax));
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
                    if let Err(e) = send_command(&mut association, value.context, answer) {
                        return abort(association, error_kind(&e));
                    }
                } else {
                    let Some(p) = pending.as_mut() else {
                        return abort(association, "data with no command before it".into());
                    };
                    if p.context != value.context {
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
                            p.file.extend_from_slice(value.data);
                        }
                    }
                    if !value.last {
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
                            self.emit(Event::Failed { calling: calling.clone(), status, why: why.clone() });
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ae_title_is_printed_as_printable_ascii_of_16_characters() {
        assert_eq!(ae_text("MADE\nUP\u{7}AE-TITLE-TOO-LONG"), "MADE?UP?AE-TITLE");
    }
}

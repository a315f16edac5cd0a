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

mod association;
pub mod dimse;
pub mod keep;
pub mod pdu;
pub mod tls;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use dicom_object::FileMetaTableBuilder;

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

/// Why an association was rejected, as its audit record says (`why=`): these and no other.
pub const REJECTED_ADDRESS: &str = "address not in the policy's sender addresses";
pub const REJECTED_BUSY: &str = "too many associations at once";
pub const REJECTED_CALLING: &str = "calling AE title not in the policy's senders";
pub const REJECTED_CALLED: &str = "called AE title is not this receiver's";
pub const REJECTIONS: &[&str] = &[REJECTED_ADDRESS, REJECTED_BUSY, REJECTED_CALLING, REJECTED_CALLED];

/// True when `value` is what a receiver's audit record may carry as `field` (the mount checks a
/// receiver's records with it before writing them): door names, AE titles as printed, peer
/// addresses, the rejections' reasons and a scrub's rules (lowercase words), counts; a path
/// ending in the name an instance is received under.
pub fn audit_value_allowed(field: &str, value: &str) -> bool {
    match field {
        "door" => matches!(value, "receive" | "receive --scrub"),
        "calling_ae" => {
            value.len() <= 16
                && value.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
                && crate::gate::check_name(value).is_none()
        }
        "peer" => value.parse::<SocketAddr>().is_ok(),
        "rule" => value == "scrub",
        "why" => {
            REJECTIONS.contains(&value)
                || (value.len() <= 512
                    && value.bytes().all(|b| b.is_ascii_lowercase() || b" ,;-".contains(&b)))
        }
        "count" => !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()),
        "path" => value.ends_with(&format!("/{}", keep::RECEIVING)) && !value.chars().any(char::is_control),
        _ => false,
    }
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
                            self.reject(String::new(), peer, REJECTED_ADDRESS);
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
                    // The peer and the log get the rules alone.
                    let rules = crate::scrub::file::rules(&why);
                    let path = keep::receiving(&self.options.into);
                    if let Err(e) =
                        self.keeper.audit("refused", &crate::gate::door::scrub_refusal(door, &path, &rules))
                    {
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
    fn a_receivers_audit_record_carries_its_own_kinds_of_value_and_no_other() {
        assert!(audit_value_allowed("door", "receive --scrub"));
        assert!(audit_value_allowed("calling_ae", "HOROS"));
        assert!(audit_value_allowed("peer", "127.0.0.1:40000"));
        assert!(audit_value_allowed("why", REJECTED_BUSY));
        assert!(audit_value_allowed("why", "unsupported-container; burned-in, not redacted"));
        assert!(audit_value_allowed("path", "/incoming/.receiving"));
        assert!(audit_value_allowed("count", "12"));
        for (field, value) in [
            ("door", "mount"),
            ("calling_ae", "A NAME LONGER THAN SIXTEEN"),
            ("calling_ae", "MADEUP^ZELDA"),
            ("calling_ae", "MRN 4711913"),
            ("peer", "Madeup^Zelda"),
            ("why", "Madeup^Zelda"),
            ("rule", "identifying-attribute"),
            ("path", "/incoming/Madeup Zelda.dcm"),
            ("count", "12 Madeup"),
            ("name", "x"),
        ] {
            assert!(!audit_value_allowed(field, value), "{field}={value}");
        }
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

//! `vault receive`: a DICOM Storage SCP in front of a vault (see `crate::receive`).

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::Args;

use super::target::normalise;
use super::{PassphraseArgs, print_json, with_path};
use crate::control::{Asker, MountKeeper, Opened, open_or_ask_mount};
use crate::error::{Decided, UsageError};
use crate::exit::Exit;
use crate::gate::Policy;
use crate::gate::door::vault_policy;
use crate::receive::keep::{Keeper, Local};
use crate::receive::tls::server_config;
use crate::receive::{Event, Options, Receiver};
use crate::scrub::file::Scrubbing;
use crate::scrub::key::vault_key;
use crate::size::parse_size;

/// What `vault receive --help` says before its exit note.
const RECEIVE_BEFORE: &str = "Runs in the foreground until SIGINT or SIGTERM, answering C-ECHO and \
    C-STORE for every storage SOP class and the transfer syntaxes dicom-rs reads. Associations \
    are taken only from the calling AE titles the vault's policy lists (vault policy set --sender \
    AE; and from its addresses, --sender-address, when it lists any), called to --ae-title. Each \
    instance passes the gate (with --scrub: after de-identification with the vault's key) before \
    it is committed as DIR/STUDY/SERIES/INSTANCE.dcm, named by its replaced UIDs; success (0000) \
    is answered only once that commit is durable. A refused instance is answered with \
    --refuse-status and an Error Comment naming the rule and tag, and audited with the calling \
    AE and the peer's address. The vault is claimed while the receiver runs: it cannot be \
    mounted meanwhile. A vault already mounted is received into through its mount's process: \
    this process answers the network (and scrubs), the mount's process judges and stores each \
    instance, which shows in the mounted folder within a second; unmounting stops the \
    receiver. A read-only mount is not received into.\n\nWith --tls-cert and --tls-key, every \
    connection must be TLS (1.2 or 1.3); with --tls-client-ca, every peer must show a certificate \
    that CA signed. A plain client, or a failed handshake, is aborted and the event says TLS.\n\nEach event is printed on standard error as it happens; at the end, a \
    summary on standard output (with --json: each event, then the summary, as JSON Lines on \
    standard output).";

#[derive(Args, Debug)]
#[command(after_help = format!("{RECEIVE_BEFORE}\n\n{}", crate::exit::status(&[
    (Exit::Ok, "after a signal"),
    (Exit::Io, "when the port cannot be bound"),
])))]
pub struct ReceiveArgs {
    /// The vault (drive or image file)
    #[arg(value_name = "DEVICE")]
    pub device: PathBuf,
    /// The TCP port to listen on (0: any free port, printed at start)
    #[arg(long, default_value_t = 11112)]
    pub port: u16,
    /// The receiver's AE title (what senders call)
    #[arg(long, default_value = "VAULT", value_name = "AE")]
    pub ae_title: String,
    /// The address to listen on (0.0.0.0: every interface)
    #[arg(long, default_value = "127.0.0.1", value_name = "IP")]
    pub bind: IpAddr,
    /// The vault folder instances go into
    #[arg(long, default_value = "/", value_name = "DIR")]
    pub into: String,
    /// De-identify every instance on the way in (see vault-scrub(1)), with the vault's key
    #[arg(long)]
    pub scrub: bool,
    #[command(flatten)]
    pub scrub_options: super::ScrubOptions,
    /// The status a refused instance is answered with (hexadecimal)
    #[arg(long, default_value = "0124", value_name = "HEX", value_parser = hex_status)]
    pub refuse_status: u16,
    /// Associations served at once; one more is rejected
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub max_associations: usize,
    /// Abort a peer whose next PDU has not come whole in this many seconds (1 to 3600)
    #[arg(long, default_value_t = 60, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// The largest instance taken (a larger one is answered "out of resources", A700)
    #[arg(long, default_value = "512M", value_name = "SIZE", value_parser = parse_size)]
    pub max_instance: u64,
    /// Take TLS connections only, with this certificate (PEM; the chain, the receiver's first)
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM; PKCS#8, PKCS#1 or SEC1)
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// With TLS, take only peers showing a certificate this CA (PEM) signed
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_client_ca: Option<PathBuf>,
    /// Each event, and the summary at the end, as one JSON object a line (JSON Lines) on standard
    /// output
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
}

fn hex_status(s: &str) -> Result<u16, String> {
    let status = u16::from_str_radix(s.trim_start_matches("0x"), 16).map_err(|e| format!("{s:?}: {e}"))?;
    if crate::receive::dimse::is_failure(status) {
        Ok(status)
    } else {
        Err(format!("{s}: not a C-STORE failure status (0110, 0117, 0122, 0124, 0211, A7xx, A9xx, Cxxx)"))
    }
}

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn stop(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

pub fn run(args: ReceiveArgs) -> anyhow::Result<Exit> {
    let ae =
        crate::receive::dimse::ae_title(&args.ae_title).map_err(|e| UsageError(format!("--ae-title {e}")))?;
    if args.scrub_options.given() && !args.scrub {
        return Err(UsageError("--retain, --basic and --redact go with --scrub".into()).into());
    }
    if args.max_associations == 0 || args.timeout == 0 {
        return Err(UsageError("--max-associations and --timeout must be at least 1".into()).into());
    }
    // The folder's names are stored, and every instance's audit record carries them.
    if let Some(reason) = crate::gate::check_path(&args.into) {
        let why = format!("--into: the folder's name is refused: {reason}; {}", reason.fix());
        return Err(crate::error::Refusal(why).into());
    }
    super::reuse_large_buffers();
    // Read before the vault is unlocked: a wrong path costs no passphrase.
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(server_config(cert, key, args.tls_client_ca.as_deref())?),
        _ => None,
    };
    let volume = super::unlock(&args.device, &args.passphrase, None)?;
    match open_or_ask_mount(&args.device, volume, "receive")? {
        Opened::Here(store) => {
            let policy = vault_policy(&store)?;
            let scrubbing = args.scrub_options.scrubbing(args.scrub, &policy, || vault_key(&store))?;
            serve(
                &args,
                (ae, tls),
                &policy,
                scrubbing.as_ref(),
                &Local { store: &store, policy: &policy },
                None,
            )
        }
        // A mounted vault: this process serves the network and scrubs; the mount's process
        // judges and stores each instance.
        Opened::Mounted(client, key) => {
            let settings = client.settings(&key, Asker::Receive, args.scrub)?;
            if settings.read_only {
                return Err(Decided {
                    exit: Exit::Refused,
                    message: format!(
                        "{}: mounted read-only; nothing can be received into it",
                        args.device.display()
                    ),
                }
                .into());
            }
            let scrub_key = || {
                settings
                    .key
                    .clone()
                    .ok_or_else(|| crate::error::Error::Control("the mount gave no scrub key".into()))
            };
            let scrubbing = args.scrub_options.scrubbing(args.scrub, &settings.policy, scrub_key)?;
            let socket = crate::control::socket_path(&args.device)?;
            let keeper = MountKeeper::new(args.device.clone(), key);
            serve(&args, (ae, tls), &settings.policy, scrubbing.as_ref(), &keeper, Some(&socket))
        }
    }
}

/// Serves until a signal (or, through a mount, until the vault is unmounted: its control
/// `socket` goes), then prints the summary.
fn serve(
    args: &ReceiveArgs,
    (ae, tls): (&str, Option<Arc<rustls::ServerConfig>>),
    policy: &Policy,
    scrubbing: Option<&Scrubbing>,
    keeper: &dyn Keeper,
    socket: Option<&std::path::Path>,
) -> anyhow::Result<Exit> {
    if policy.senders.is_empty() {
        return Err(UsageError(format!(
            "{}: the vault's policy lists no DICOM sender; add each calling AE title with \
             `vault policy set {} --sender AE`",
            args.device.display(),
            args.device.display()
        ))
        .into());
    }
    let address = SocketAddr::new(args.bind, args.port);
    let listener = with_path(
        TcpListener::bind(address),
        std::path::Path::new(&address.to_string()),
        "cannot listen on",
    )?;
    let bound = listener.local_addr()?;
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: the handler only stores to an atomic.
        unsafe { libc::signal(signal, stop as *const () as libc::sighandler_t) };
    }
    let options = Options {
        ae_title: ae.to_string(),
        into: normalise(&args.into),
        max_associations: args.max_associations,
        timeout: Duration::from_secs(args.timeout),
        max_instance: args.max_instance,
        refusal_status: args.refuse_status,
        tls,
    };
    let events = |e: Event| match args.json {
        true => print_json(&serde_json::to_value(&e).expect("an event serializes")),
        false => eprintln!("vault receive: {e}"),
    };
    let receiver = Receiver::new(keeper, policy, scrubbing, &options, &events);
    if args.json {
        print_json(&serde_json::json!({
            "event": "listening",
            "ae_title": ae,
            "address": bound.to_string(),
            "tls": options.tls.is_some(),
            "device": args.device,
            "into": options.into,
            "through_mount": socket.is_some(),
            "scrub": args.scrub,
            "senders": policy.senders,
        }));
    } else {
        eprintln!(
            "vault receive: listening as {ae} on {bound}{}, into {}:{}{}{}; senders: {}",
            if options.tls.is_some() { " (TLS)" } else { "" },
            args.device.display(),
            options.into,
            if socket.is_some() { " (through its mount)" } else { "" },
            if args.scrub { ", scrubbing" } else { "" },
            policy.senders.join(", ")
        );
    }
    let unmounted = AtomicBool::new(false);
    std::thread::scope(|scope| {
        if let Some(socket) = socket {
            // The mount's socket goes when it is unmounted: the receiver stops then.
            // A mount killed leaves its socket: one that refuses connections counts as gone.
            let unmounted = &unmounted;
            scope.spawn(move || {
                let mut ticks = 0u32;
                while !STOP.load(Ordering::SeqCst) {
                    ticks += 1;
                    let refused = ticks.is_multiple_of(8)
                        && std::os::unix::net::UnixStream::connect(socket)
                            .is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionRefused);
                    if !socket.exists() || refused {
                        unmounted.store(true, Ordering::SeqCst);
                        STOP.store(true, Ordering::SeqCst);
                    }
                    std::thread::sleep(Duration::from_millis(250));
                }
            });
        }
        let served = receiver.serve(&listener, &STOP);
        STOP.store(true, Ordering::SeqCst);
        served
    })?;
    if unmounted.load(Ordering::SeqCst) {
        eprintln!("vault receive: {} was unmounted; stopped", args.device.display());
    }
    let s = &receiver.summary;
    if args.json {
        let mut v = serde_json::to_value(s).expect("a summary serializes");
        v["event"] = "summary".into();
        v["unmounted"] = unmounted.load(Ordering::SeqCst).into();
        print_json(&v);
        return Ok(Exit::Ok);
    }
    let n = |a: &std::sync::atomic::AtomicUsize| a.load(Ordering::SeqCst);
    println!(
        "Received {} stored, {} refused, over {} ({} rejected, {} connections dropped unanswered).",
        crate::size::count(n(&s.stored), "instance"),
        n(&s.refused),
        crate::size::count(n(&s.associations), "association"),
        n(&s.rejected),
        n(&s.dropped)
    );
    Ok(Exit::Ok)
}

//! `vault receive` against peers that misbehave or want more: garbage, truncated and malformed
//! PDUs, a kill -9 mid-instance, the fuzz corpus, TLS (dcmtk's `+tls`, cut handshakes, client
//! certificates), a peer that trickles, callers beyond the limit, a flood of unknown callers,
//! one address holding silent connections.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::dicom::EXPLICIT;
use common::dicom::{conformant, raw, replaced_uid, text};
use common::receive::*;
use dicom_core::{DataElement, PrimitiveValue, VR};
use dicom_dictionary_std::{tags, uids};
use dicom_ul::ClientAssociationOptions;
use dicom_ul::pdu::Pdu;
use vault::receive::dimse::{self, Command as Dimse};

#[test]
fn garbage_truncated_and_malformed_pdus_are_aborted_and_the_receiver_goes_on() {
    let v = vault_with_senders(&[]);
    let scp = Scp::start(&v, &["--timeout", "5"]);
    let hostile: [&[u8]; 4] = [
        b"GET / HTTP/1.1\r\nHost: vault\r\n\r\n",
        &[0x01, 0, 0xff, 0xff, 0xff, 0xf0, 0, 1], // an A-ASSOCIATE-RQ of 4 GiB
        &[0x01, 0, 0, 0, 0x10, 0, 0, 1, 0, 0],    // one cut off
        &[0x04, 0, 0, 0, 0, 6, 0, 0, 0, 2, 1, 3], // P-DATA before any association
    ];
    for bytes in hostile {
        let mut s = TcpStream::connect(("127.0.0.1", scp.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let _ = s.write_all(bytes);
        let _ = s.shutdown(std::net::Shutdown::Write);
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer);
        assert!(answer.len() < 100, "the receiver answered garbage with {} bytes", answer.len());
    }
    // A command set that does not read: the association is aborted.
    let mut a = client(scp.port);
    send_command(&mut a, vec![0, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f, 1, 2]);
    assert!(matches!(a.receive(), Ok(Pdu::AbortRQ { .. }) | Err(_)));
    // Data with no command before it: aborted too.
    let mut a = client(scp.port);
    send_data(&mut a, b"not after a command", true);
    let answer = a.receive();
    assert!(matches!(answer, Ok(Pdu::AbortRQ { .. }) | Err(_)), "{answer:?}");
    scp.wait_for(|printed| printed.matches("aborted the association").count() >= 6);
    // An instance larger than --max-instance is answered out of resources, and the
    // association goes on: the next instance is stored.
    drop(scp);
    let scp = Scp::start(&v, &["--max-instance", "64K"]);
    let mut a = client(scp.port);
    let mut big = conformant();
    big.put(DataElement::new(tags::PIXEL_DATA, VR::OW, PrimitiveValue::from(vec![0u8; 200 << 10])));
    assert_eq!(store(&mut a, 1, &big), dimse::OUT_OF_RESOURCES);
    assert_eq!(store(&mut a, 2, &conformant()), dimse::SUCCESS);
    a.release().unwrap();
    let (code, out) =
        tool(ECHOSCU, &["-aet", "STORESCU", "-aec", "VAULT", "127.0.0.1", &scp.port.to_string()]);
    assert_eq!(code, 0, "the receiver stopped answering: {out}");
    let (code, summary) = scp.stop();
    assert_eq!(code, 0);
    assert!(summary.contains("1 instance stored"), "{summary}");
}

#[test]
fn kill_9_in_the_middle_of_an_instance_leaves_no_part_of_it_and_fsck_clean() {
    let v = vault_with_senders(&[]);
    let scp = Scp::start(&v, &["--into", "/in"]);
    let mut a = client(scp.port);
    assert_eq!(store(&mut a, 1, &conformant()), dimse::SUCCESS);
    // Half of an 8 MiB instance, then the receiver is killed.
    let mut big = conformant();
    big.put(text(tags::SOP_INSTANCE_UID, VR::UI, &replaced_uid(77)));
    big.put(DataElement::new(tags::PIXEL_DATA, VR::OW, PrimitiveValue::from(vec![7u8; 8 << 20])));
    let data = raw(&big, EXPLICIT);
    send_command(&mut a, store_rq(2, &replaced_uid(77)));
    send_data(&mut a, &data[..data.len() / 2], false);
    std::thread::sleep(Duration::from_millis(300));
    let mut scp = scp;
    scp.child.kill().unwrap();
    scp.child.wait().unwrap();
    let fsck = v.ok(&["fsck", "v.img", "--passphrase-file", "pass"]);
    assert!(fsck.contains("clean"), "{fsck}");
    v.ok(&["export", "v.img:/in", "out", "--passphrase-file", "pass"]);
    let stored = files_under(&v.path("out"));
    assert_eq!(stored.len(), 1, "only the instance answered 0000 is there: {stored:?}");
    assert!(stored[0].0.ends_with(format!("{}.dcm", replaced_uid(1))));
    let listing = v.ok(&["ls", "v.img:/in", "--passphrase-file", "pass"]);
    assert!(!listing.contains("receiving"), "{listing}");
}

/// The fuzz target `dimse`'s corpus (fuzz/corpus/dimse, kept by `cargo +nightly fuzz run
/// dimse`), replayed through the same readers: dicom-ul's PDU reader as the receiver calls it
/// to set an association up, vault's own PDU reader for what follows (every PDU in the input
/// read in turn, none read past its end), and vault's command-set reader, whose responses must
/// read back.
#[test]
fn the_dimse_fuzz_corpus_is_read_without_a_panic() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/dimse");
    let inputs: Vec<Vec<u8>> =
        std::fs::read_dir(&dir).unwrap().map(|e| std::fs::read(e.unwrap().path()).unwrap()).collect();
    assert!(inputs.len() >= 10, "the corpus is missing: {} inputs", inputs.len());
    let mut commands = 0;
    for bytes in &inputs {
        let _ = dicom_ul::read_pdu(&bytes[..], 16_384, true);
        let mut from = &bytes[..];
        let mut reader = vault::receive::pdu::Reader::new(16_384);
        while let Ok(incoming) = reader.next(&mut from) {
            if let vault::receive::pdu::Incoming::Data(values) = incoming {
                let held: usize = values.iter().map(|v| v.data.len() + 6).sum();
                assert!(held <= 16_384, "values larger than their PDU");
            }
        }
        if let Ok(command) = Dimse::parse(bytes) {
            commands += 1;
            let answer = Dimse::parse(&dimse::response(&command, dimse::SUCCESS, Some("x"))).unwrap();
            assert_eq!(answer.u16(dimse::STATUS), Some(dimse::SUCCESS));
        }
    }
    assert!(commands >= 3, "the corpus holds no command set that reads");
}

/// Runs openssl (made-up names only) in `dir`.
fn openssl(dir: &std::path::Path, args: &[&str]) {
    let out = Command::new("openssl").args(args).current_dir(dir).output().expect("openssl");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// The user + system time a process has used, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat.rsplit(") ").next().unwrap().split(' ').collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

/// TLS, terminated by vault: dcmtk's echoscu and storescu over TLS (the receiver's certificate
/// trusted from a file) are served and the study stored; a plain client is aborted, the reason
/// named TLS; a peer that sends part of a record and closes, over and over, costs the receiver
/// no CPU to speak of (dicom-ul's own TLS spins on it); with --tls-client-ca a client without a
/// certificate is refused at the handshake and one the CA signed is served.
#[test]
fn tls_peers_are_served_plain_and_cut_ones_are_ended_and_client_certificates_are_checked() {
    let v = vault_with_senders(&["--sender", "ECHOSCU"]);
    let d = v.path("");
    openssl(
        &d,
        &["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem"]
            .iter()
            .chain(&["-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"])
            .copied()
            .collect::<Vec<_>>(),
    );
    std::fs::create_dir(v.path("study")).unwrap();
    for n in 0..2 {
        std::fs::write(v.path(&format!("study/IM{n}.dcm")), slice(n)).unwrap();
    }
    let tls = ["--tls-cert", "cert.pem", "--tls-key", "key.pem"];
    let scp = Scp::start(&v, &tls);
    assert!(scp.printed().contains("(TLS)"), "{}", scp.printed());
    let port = scp.port.to_string();
    let trust = ["+tla", "+cf", "cert.pem"];
    let at = |aet: &'static str| ["-aet", aet, "-aec", "VAULT", "127.0.0.1", &port].map(str::to_string);
    let run = |program: &str, args: Vec<String>| {
        let out = Command::new(program).args(&args).current_dir(&d).output().unwrap();
        (
            out.status.code(),
            format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
        )
    };
    let with = |a: &[&str], b: &[String], c: &[&str]| {
        a.iter()
            .map(|s| s.to_string())
            .chain(b.iter().cloned())
            .chain(c.iter().map(|s| s.to_string()))
            .collect()
    };
    let (code, out) = run(ECHOSCU, with(&trust, &at("ECHOSCU"), &[]));
    assert_eq!(code, Some(0), "echo over TLS: {out}");
    let (code, out) = run(STORESCU, with(&trust, &at("STORESCU"), &["+sd", "study"]));
    assert_eq!(code, Some(0), "store over TLS: {out}");
    scp.wait_for(|p| p.contains("released: 2 stored, 0 refused"));
    let (code, _) = run(ECHOSCU, with(&[], &at("ECHOSCU"), &[]));
    assert_ne!(code, Some(0), "a plain client was served on the TLS port");
    scp.wait_for(|p| p.contains(": TLS: "));
    // Part of a TLS record (a handshake record's header promising more), then the close; fifty
    // times over.
    let before = cpu_ticks(scp.child.id());
    for _ in 0..50 {
        let mut s = TcpStream::connect(("127.0.0.1", scp.port)).unwrap();
        s.write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01]).unwrap();
    }
    std::thread::sleep(Duration::from_secs(2));
    let spent = cpu_ticks(scp.child.id()) - before;
    assert!(spent < 100, "cut TLS records cost the receiver {spent} ticks of CPU");
    let (code, out) = run(ECHOSCU, with(&trust, &at("ECHOSCU"), &[]));
    assert_eq!(code, Some(0), "the receiver no longer answers after cut records: {out}");
    let (code, _) = scp.stop();
    assert_eq!(code, 0);

    // A peer that connects and says nothing, under a short --timeout: ended, and the receiver
    // stops at once when told (nothing waits on the silent peer).
    let scp = Scp::start(&v, &[&tls[..], &["--timeout", "2"]].concat());
    let silent = TcpStream::connect(("127.0.0.1", scp.port)).unwrap();
    scp.wait_for(|p| p.contains("aborted the association"));
    let stopping = std::time::Instant::now();
    let (code, _) = scp.stop();
    assert_eq!(code, 0);
    assert!(stopping.elapsed() < Duration::from_secs(5), "stopping took {:?}", stopping.elapsed());
    drop(silent);

    // Client certificates: a made-up CA, and a client it signed.
    openssl(
        &d,
        &["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem"]
            .iter()
            .chain(&["-days", "2", "-subj", "/CN=made-up test CA"])
            .copied()
            .collect::<Vec<_>>(),
    );
    openssl(
        &d,
        &["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key", "-out", "client.csr"]
            .iter()
            .chain(&["-subj", "/CN=made-up workstation"])
            .copied()
            .collect::<Vec<_>>(),
    );
    std::fs::write(
        v.path("client.ext"),
        "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\nsubjectAltName=DNS:workstation.invalid\n",
    )
    .unwrap();
    openssl(
        &d,
        &["x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial"]
            .iter()
            .chain(&["-out", "client.pem", "-days", "2", "-extfile", "client.ext"])
            .copied()
            .collect::<Vec<_>>(),
    );
    let scp = Scp::start(&v, &[&tls[..], &["--tls-client-ca", "ca.pem"]].concat());
    let port = scp.port.to_string();
    let at = ["-aet", "ECHOSCU", "-aec", "VAULT", "127.0.0.1", &port].map(str::to_string);
    let (code, _) = run(ECHOSCU, with(&trust, &at, &[]));
    assert_ne!(code, Some(0), "a client without a certificate was served");
    let signed = ["+tls", "client.key", "client.pem", "-pw", "+cf", "cert.pem"];
    let (code, out) = run(ECHOSCU, with(&signed, &at, &[]));
    assert_eq!(code, Some(0), "a client the CA signed was refused: {out}");
    let printed = scp.printed();
    assert!(printed.contains(": TLS: ") && printed.contains("\"ECHOSCU\": echo"), "{printed}");
    let (code, _) = scp.stop();
    assert_eq!(code, 0);
    // A key that does not go with the certificate: told, naming both files, nothing served.
    let (code, _, err) =
        v.run(&["receive", "v.img", "--port", "0", "--tls-cert", "cert.pem", "--tls-key", "ca.key"]);
    assert_ne!(code, 0);
    assert!(err.contains("ca.key") && err.contains("cert.pem"), "{err}");
}

#[test]
fn a_peer_that_trickles_is_cut_off_and_sigterm_ends_the_receiver_with_peers_connected() {
    let v = vault_with_senders(&[]);
    let scp = Scp::start(&v, &["--timeout", "2"]);
    // An A-ASSOCIATE-RQ a byte a second: each read is within the timeout, the whole is not.
    let mut s = TcpStream::connect(("127.0.0.1", scp.port)).unwrap();
    let started = std::time::Instant::now();
    let request = [0x01u8, 0, 0, 0, 0, 0x44, 0, 1, 0, 0];
    let mut cut = false;
    for b in request.iter().cycle().take(30) {
        if s.write_all(&[*b]).is_err() {
            cut = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    assert!(cut, "still connected after {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(10), "cut off only after {:?}", started.elapsed());
    scp.wait_for(|p| p.contains("no PDU came whole within 2 s"));
    // Connected peers do not keep a stopping receiver running.
    let idle: Vec<TcpStream> = (0..3).map(|_| TcpStream::connect(("127.0.0.1", scp.port)).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(300));
    let stopping = std::time::Instant::now();
    let (code, _) = scp.stop();
    assert_eq!(code, 0);
    assert!(stopping.elapsed() < Duration::from_secs(2), "stopping took {:?}", stopping.elapsed());
    drop(idle);
}

/// One association more than --max-associations is rejected as transient (local limit exceeded),
/// so a sender tries again later, and audited; once the slot is free, the next is served.
#[test]
fn a_caller_beyond_the_limit_is_told_to_come_back_later() {
    use dicom_ul::pdu::{
        AssociationRJResult, AssociationRJServiceProviderPresentationReason, AssociationRJSource,
    };
    let v = vault_with_senders(&[]);
    let scp = Scp::start(&v, &["--max-associations", "1"]);
    let first = client(scp.port);
    let second = ClientAssociationOptions::new()
        .calling_ae_title("STORESCU")
        .called_ae_title("VAULT")
        .with_abstract_syntax(uids::VERIFICATION)
        .establish(("127.0.0.1", scp.port));
    match second {
        Err(dicom_ul::association::Error::Rejected { association_rj, .. }) => {
            assert_eq!(association_rj.result, AssociationRJResult::Transient);
            assert_eq!(
                association_rj.source,
                AssociationRJSource::ServiceProviderPresentation(
                    AssociationRJServiceProviderPresentationReason::LocalLimitExceeded
                )
            );
        }
        other => panic!("not a transient rejection: {:?}", other.map(|_| ())),
    }
    first.release().unwrap();
    scp.wait_for(|p| p.contains("released"));
    let mut again = client(scp.port);
    assert_eq!(store(&mut again, 1, &conformant()), dimse::SUCCESS);
    again.release().unwrap();
    scp.stop();
    let log = audit_log(&v);
    assert!(
        log.contains("rejected  door=receive calling_ae=STORESCU")
            && log.contains("why=too many associations"),
        "{log}"
    );
}

#[test]
fn a_flood_of_unknown_callers_writes_a_bounded_number_of_audit_records() {
    let v = vault_with_senders(&[]);
    let scp = Scp::start(&v, &[]);
    for _ in 0..30 {
        let r = ClientAssociationOptions::new()
            .calling_ae_title("INTRUDER")
            .called_ae_title("VAULT")
            .with_abstract_syntax(uids::VERIFICATION)
            .establish(("127.0.0.1", scp.port));
        assert!(r.is_err());
    }
    let (_, summary) = scp.stop();
    assert!(summary.contains("(30 rejected,"), "{summary}");
    let log = audit_log(&v);
    assert_eq!(log.matches("rejected  door=receive").count(), 20, "{log}");
    assert!(log.contains("rejected-unrecorded  door=receive count=10"), "{log}");
}

#[test]
fn one_address_holding_silent_connections_leaves_a_slot_for_another() {
    let v = vault_with_senders(&[]);
    let scp = Scp::start(&v, &["--timeout", "30"]);
    // Twelve silent connections from 127.0.0.5, each opened again as soon as it is closed.
    let holder = Command::new("python3")
        .args(["-c", HOLD, &scp.port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    struct Kill(Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _holder = Kill(holder);
    std::thread::sleep(Duration::from_secs(2));
    for _ in 0..3 {
        let (code, out) =
            tool(ECHOSCU, &["-aet", "STORESCU", "-aec", "VAULT", "127.0.0.1", &scp.port.to_string()]);
        assert_eq!(code, 0, "a sender from another address found no slot: {out}");
        // As a sender's next association comes: not within the same millisecond.
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(_holder);
    let (_, summary) = scp.stop();
    let before = summary.split(" connections dropped").next().unwrap_or_default();
    let dropped: usize = before.rsplit(' ').next().and_then(|n| n.parse().ok()).unwrap_or(0);
    assert!(dropped > 0, "the holder's extra connections were not dropped: {summary}");
}

/// Holds twelve silent connections from 127.0.0.5 to the port, reopening each one closed.
const HOLD: &str = r#"
import socket, sys, time
port = int(sys.argv[1])
def conn():
    s = socket.socket()
    s.bind(("127.0.0.5", 0))
    try:
        s.connect(("127.0.0.1", port))
    except OSError:
        return None
    s.setblocking(False)
    return s
held = [conn() for _ in range(12)]
while True:
    for i, s in enumerate(held):
        alive = s is not None
        if alive:
            try:
                alive = s.recv(1) != b""
            except BlockingIOError:
                pass
            except OSError:
                alive = False
        if not alive:
            held[i] = conn()
    time.sleep(0.05)
"#;

//! TLS for the receiver (`--tls-cert`, `--tls-key`, `--tls-client-ca`), terminated by vault
//! itself with rustls.
//!
//! Why not dicom-ul's own TLS: in 0.10.1, once compiled in, its handshake loops forever on a
//! connection that ends inside a TLS record, and its plain listener tries a failed request as TLS
//! the same way — a peer that sends three bytes and closes pins a core. Its upper layer takes a
//! `TcpStream` alone; so each TLS peer's plaintext is relayed to it over a loopback connection
//! of its own ([`relay`]), in one thread that polls both sockets, and the peer's address, AE
//! title checks, timeouts and audit records stay the association's as without TLS.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig, ServerConnection};

/// What keeps TLS from starting: a file that does not read as what it should be, or a
/// certificate and key that do not go together. Never a key's bytes.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("{path}: {why}")]
    File { path: String, why: String },
    #[error("TLS: {0}")]
    Config(String),
}

fn file_error(path: &Path, why: impl std::fmt::Display) -> TlsError {
    TlsError::File { path: path.display().to_string(), why: why.to_string() }
}

/// The certificates in a PEM file (at least one).
fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| file_error(path, pem_why(&e)))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| file_error(path, pem_why(&e)))?;
    if certs.is_empty() {
        return Err(file_error(path, "no certificate in it (PEM, BEGIN CERTIFICATE)"));
    }
    Ok(certs)
}

/// A PEM reading error, without what the file held.
fn pem_why(e: &rustls::pki_types::pem::Error) -> String {
    use rustls::pki_types::pem::Error;
    match e {
        Error::Io(io) => io.to_string(),
        Error::NoItemsFound => "nothing PEM in it".into(),
        _ => "not PEM as it should be".into(),
    }
}

/// The receiver's TLS: its certificate chain and private key (PEM files; PKCS#8, PKCS#1 or
/// SEC1 keys), TLS 1.2 and 1.3 with rustls's safe defaults; with `client_ca`, a peer must show
/// a certificate that CA signed, else the handshake fails.
pub fn server_config(
    cert: &Path,
    key: &Path,
    client_ca: Option<&Path>,
) -> Result<Arc<ServerConfig>, TlsError> {
    let chain = certificates(cert)?;
    let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| file_error(key, pem_why(&e)))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?;
    let builder = match client_ca {
        None => builder.with_no_client_auth(),
        Some(ca) => {
            let mut roots = RootCertStore::empty();
            for c in certificates(ca)? {
                roots.add(c).map_err(|e| file_error(ca, e))?;
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| file_error(ca, e))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let config = builder
        .with_single_cert(chain, key_der)
        .map_err(|e| file_error(key, format!("does not go with {}: {e}", cert.display())))?;
    Ok(Arc::new(config))
}

/// Two ends of a loopback TCP connection, made for one association: (the upper layer's end, the
/// relay's end). A stranger's connection to the short-lived listener is not taken for it.
pub fn loopback_pair() -> std::io::Result<(TcpStream, TcpStream)> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    let ours = TcpStream::connect(listener.local_addr()?)?;
    loop {
        let (theirs, from) = listener.accept()?;
        if from == ours.local_addr()? {
            ours.set_nodelay(true)?;
            theirs.set_nodelay(true)?;
            return Ok((ours, theirs));
        }
    }
}

/// Relays between a TLS peer on `outer` and its plaintext on `inner` (a [`loopback_pair`]'s
/// relay end) until both directions have ended; the TLS error that ended it, if one did, is put
/// in `failure` before `inner` is closed (so the upper layer, seeing its end close, finds it
/// there). The peer's records are taken as they come and a connection that ends inside one
/// simply ends. `inner` is watched from the start: an upper layer that gives up (its own
/// timeout) ends the relay, handshake or not. While the upper layer is busy with an instance the
/// relay waits to hand it more (no more is read from the peer); while the peer is slow to take
/// what TLS has to send, no more is read from the upper layer. A peer's close_notify ends what it
/// sends; what the upper layer still answers (a release) is relayed until it closes.
pub fn relay(
    mut outer: TcpStream,
    mut inner: TcpStream,
    config: Arc<ServerConfig>,
    failure: &std::sync::Mutex<Option<String>>,
) {
    let mut tls = match ServerConnection::new(config) {
        Ok(c) => c,
        Err(e) => {
            *failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(e.to_string());
            return;
        }
    };
    // What TLS buffers to send is bounded below (the upper layer is not read while any waits).
    tls.set_buffer_limit(None);
    if outer.set_nonblocking(true).is_err() {
        return;
    }
    let mut buf = vec![0u8; 64 << 10];
    let mut peer_done = false;
    let ended = 'relay: loop {
        // What TLS has to send goes first, as far as the peer takes it.
        while tls.wants_write() {
            match tls.write_tls(&mut outer) {
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(_) => break 'relay None,
            }
        }
        let waiting_to_send = tls.wants_write();
        let outer_events =
            if peer_done { 0 } else { libc::POLLIN } | if waiting_to_send { libc::POLLOUT } else { 0 };
        let inner_events = if waiting_to_send { 0 } else { libc::POLLIN };
        let mut fds = [
            libc::pollfd { fd: outer.as_raw_fd(), events: outer_events, revents: 0 },
            libc::pollfd { fd: inner.as_raw_fd(), events: inner_events, revents: 0 },
        ];
        // SAFETY: two pollfds of sockets this function owns.
        if unsafe { libc::poll(fds.as_mut_ptr(), 2, -1) } < 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            break None;
        }
        let woke = |f: &libc::pollfd| f.revents & (libc::POLLIN | libc::POLLHUP | libc::POLLERR) != 0;
        if peer_done && fds[0].revents & (libc::POLLHUP | libc::POLLERR) != 0 {
            break None; // the peer has gone altogether: nothing more to give it
        }
        if woke(&fds[0]) && !peer_done {
            // All the peer has sent so far (read_tls takes a record's worth at a time).
            loop {
                match tls.read_tls(&mut outer) {
                    Ok(0) => break 'relay None,
                    Ok(_) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                    Err(_) => break 'relay None,
                }
                if let Err(e) = tls.process_new_packets() {
                    // The alert rustls queued goes out if it can.
                    let _ = tls.write_tls(&mut outer);
                    break 'relay Some(e.to_string());
                }
                // The plaintext, to the upper layer (waiting while it works). Nothing more to
                // read is Ok(0) once the peer has closed (close_notify), WouldBlock until then.
                loop {
                    match tls.reader().read(&mut buf) {
                        Ok(0) => {
                            peer_done = true;
                            let _ = inner.shutdown(std::net::Shutdown::Write);
                            break;
                        }
                        Ok(n) => {
                            if inner.write_all(&buf[..n]).is_err() {
                                break 'relay None;
                            }
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                        Err(_) => break 'relay None,
                    }
                }
                if peer_done {
                    break;
                }
            }
        }
        if woke(&fds[1]) {
            match inner.read(&mut buf) {
                Ok(0) | Err(_) => {
                    tls.send_close_notify();
                    break None;
                }
                Ok(n) => {
                    if tls.writer().write_all(&buf[..n]).is_err() {
                        break None;
                    }
                }
            }
        }
    };
    // What is left to send (a close_notify, an alert), within a second in all.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
    while tls.wants_write() && std::time::Instant::now() < deadline {
        match tls.write_tls(&mut outer) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(std::time::Duration::from_millis(5))
            }
            Err(_) => break,
        }
    }
    let _ = outer.shutdown(std::net::Shutdown::Both);
    if ended.is_some() {
        *failure.lock().unwrap_or_else(|e| e.into_inner()) = ended;
    }
    let _ = inner.shutdown(std::net::Shutdown::Both);
}

//! A `vault receive` process for a test, and a client association that sends what a
//! well-behaved client will not.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use super::Vault;
use super::dicom::EXPLICIT;
use super::dicom::{conformant, part10, raw, replaced_uid, text};
use dicom_core::VR;
use dicom_dictionary_std::{tags, uids};
use dicom_ul::ClientAssociationOptions;
use dicom_ul::pdu::{PDataValue, PDataValueType, Pdu};
use vault::receive::dimse::{self, Command as Dimse, Value};

/// dcmtk's clients, by path: pynetdicom installs Python programs of the same names.
pub const ECHOSCU: &str = "/usr/bin/echoscu";

pub const STORESCU: &str = "/usr/bin/storescu";

/// A receiver running on a vault: the `vault receive` process, its port, what it printed.
pub struct Scp {
    pub child: Child,
    pub port: u16,
    pub log: Arc<Mutex<Vec<String>>>,
}

impl Scp {
    pub fn start(v: &Vault, extra: &[&str]) -> Scp {
        let args = [&["receive", "v.img", "--port", "0", "--passphrase-file", "pass"][..], extra].concat();
        let mut child = v.command(&args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        let lines = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                // Logged before the port is told: the starting line is there once start returns.
                let port = line.split(" on 127.0.0.1:").nth(1).map(|rest| {
                    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
                    digits.parse::<u16>().unwrap()
                });
                lines.lock().unwrap().push(line);
                if let Some(port) = port {
                    let _ = tx.send(port);
                }
            }
        });
        let port = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("the receiver did not start: {:?}", log.lock().unwrap()));
        Scp { child, port, log }
    }

    pub fn printed(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }

    /// Waits (up to a minute) until what the receiver printed satisfies `done`.
    pub fn wait_for(&self, done: impl Fn(&str) -> bool) {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while !done(&self.printed()) {
            assert!(
                std::time::Instant::now() < deadline,
                "the receiver never printed it: {}",
                self.printed()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGTERM, then its exit code and standard output.
    pub fn stop(mut self) -> (i32, String) {
        // SAFETY: kill(2) on our own child.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let status = self.child.wait().unwrap();
        let mut out = String::new();
        self.child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
        (status.code().unwrap_or(-1), out)
    }
}

impl Drop for Scp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A vault whose policy takes associations from STORESCU (and `more`).
pub fn vault_with_senders(more: &[&str]) -> Vault {
    let v = Vault::new();
    v.init_image("v.img", "64M");
    let mut args = vec!["policy", "set", "v.img", "--passphrase-file", "pass", "--sender", "STORESCU"];
    args.extend_from_slice(more);
    v.ok(&args);
    v
}

/// A conformant CT slice with instance UID number `n` (study and series shared).
pub fn slice(n: u64) -> Vec<u8> {
    let mut obj = conformant();
    obj.put(text(tags::SOP_INSTANCE_UID, VR::UI, &replaced_uid(100 + n)));
    part10(obj, EXPLICIT)
}

pub fn tool(program: &str, args: &[&str]) -> (i32, String) {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| panic!("{program}: {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

/// Every file under `dir` (its path, its bytes).
pub fn files_under(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.map(Result::unwrap) {
            if e.file_type().unwrap().is_dir() {
                out.extend(files_under(&e.path()));
            } else {
                out.push((e.path(), std::fs::read(e.path()).unwrap()));
            }
        }
    }
    out.sort();
    out
}

pub fn audit_log(v: &Vault) -> String {
    v.ok(&["log", "v.img", "--passphrase-file", "pass"])
}

/// A client association called VAULT from STORESCU, proposing CT storage.
pub fn client(port: u16) -> dicom_ul::ClientAssociation<TcpStream> {
    ClientAssociationOptions::new()
        .calling_ae_title("STORESCU")
        .called_ae_title("VAULT")
        .with_presentation_context(uids::CT_IMAGE_STORAGE, vec![EXPLICIT])
        .read_timeout(Duration::from_secs(30))
        .establish(("127.0.0.1", port))
        .unwrap()
}

pub fn store_rq(id: u16, instance: &str) -> Vec<u8> {
    dimse::encode(&[
        (dimse::AFFECTED_SOP_CLASS_UID, Value::Uid(uids::CT_IMAGE_STORAGE)),
        (dimse::COMMAND_FIELD, Value::Us(dimse::C_STORE_RQ)),
        (dimse::MESSAGE_ID, Value::Us(id)),
        (dimse::COMMAND_DATA_SET_TYPE, Value::Us(0)),
        (dimse::AFFECTED_SOP_INSTANCE_UID, Value::Uid(instance)),
    ])
}

pub fn send_command(a: &mut dicom_ul::ClientAssociation<TcpStream>, bytes: Vec<u8>) {
    let pc = a.presentation_contexts()[0].id;
    a.send(&Pdu::PData {
        data: vec![PDataValue {
            presentation_context_id: pc,
            value_type: PDataValueType::Command,
            is_last: true,
            data: bytes,
        }],
    })
    .unwrap();
}

pub fn send_data(a: &mut dicom_ul::ClientAssociation<TcpStream>, bytes: &[u8], last: bool) {
    let pc = a.presentation_contexts()[0].id;
    let mut writer = a.send_pdata(pc);
    writer.write_all(bytes).unwrap();
    if last {
        writer.finish().unwrap();
    } else {
        writer.flush().unwrap();
        std::mem::forget(writer);
    }
}

/// Sends one instance (the data set of `obj`) and returns the response's status.
pub fn store(
    a: &mut dicom_ul::ClientAssociation<TcpStream>,
    id: u16,
    obj: &dicom_object::InMemDicomObject,
) -> u16 {
    let instance =
        obj.element(tags::SOP_INSTANCE_UID).unwrap().to_str().unwrap().trim_end_matches('\0').to_string();
    send_command(a, store_rq(id, &instance));
    send_data(a, &raw(obj, EXPLICIT), true);
    match a.receive().unwrap() {
        Pdu::PData { data } => Dimse::parse(&data[0].data).unwrap().u16(dimse::STATUS).unwrap(),
        other => panic!("no response: {other:?}"),
    }
}

/// What the receiver stores for `obj` sent in explicit VR little endian: the meta group it makes
/// and the data set as sent (compared from the data set's first byte).
pub fn part10_of_received(obj: &dicom_object::InMemDicomObject) -> Vec<u8> {
    let instance =
        obj.element(tags::SOP_INSTANCE_UID).unwrap().to_str().unwrap().trim_end_matches('\0').to_string();
    let mut file = vault::receive::part10_head(uids::CT_IMAGE_STORAGE, &instance, EXPLICIT).unwrap();
    file.extend_from_slice(&raw(obj, EXPLICIT));
    file
}

//! `vault receive`, the DICOM network door, driven by real clients over loopback: dcmtk's
//! `echoscu` and `storescu`, pynetdicom (`tests/receive/send.py`), and dicom-rs's client
//! association for what a well-behaved client will not send (a command set that does not read,
//! data with no command, an instance cut off by a kill -9). Real image files, the `vault` binary.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use common::dicom::{conformant, identified, part10, raw, replaced_uid, text};
use common::mount::Mounted;
use common::{Vault, contains};
use dicom_core::{DataElement, PrimitiveValue, VR};
use dicom_dictionary_std::{tags, uids};
use dicom_ul::ClientAssociationOptions;
use dicom_ul::pdu::{PDataValue, PDataValueType, Pdu};
use vault::gate::{self, Policy};
use vault::receive::dimse::{self, Command as Dimse, Value};

const EXPLICIT: &str = "1.2.840.10008.1.2.1";

/// dcmtk's clients, by path: pynetdicom installs Python programs of the same names.
const ECHOSCU: &str = "/usr/bin/echoscu";
const STORESCU: &str = "/usr/bin/storescu";

/// A receiver running on a vault: the `vault receive` process, its port, what it printed.
struct Scp {
    child: Child,
    port: u16,
    log: Arc<Mutex<Vec<String>>>,
}

impl Scp {
    fn start(v: &Vault, extra: &[&str]) -> Scp {
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

    fn printed(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }

    /// Waits (up to a minute) until what the receiver printed satisfies `done`.
    fn wait_for(&self, done: impl Fn(&str) -> bool) {
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
    fn stop(mut self) -> (i32, String) {
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
fn vault_with_senders(more: &[&str]) -> Vault {
    let v = Vault::new();
    v.init_image("v.img", "64M");
    let mut args = vec!["policy", "set", "v.img", "--passphrase-file", "pass", "--sender", "STORESCU"];
    args.extend_from_slice(more);
    v.ok(&args);
    v
}

/// A conformant CT slice with instance UID number `n` (study and series shared).
fn slice(n: u64) -> Vec<u8> {
    let mut obj = conformant();
    obj.put(text(tags::SOP_INSTANCE_UID, VR::UI, &replaced_uid(100 + n)));
    part10(obj, EXPLICIT)
}

fn tool(program: &str, args: &[&str]) -> (i32, String) {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| panic!("{program}: {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

/// Every file under `dir` (its path, its bytes).
fn files_under(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
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

fn audit_log(v: &Vault) -> String {
    v.ok(&["log", "v.img", "--passphrase-file", "pass"])
}

#[test]
fn invariant_4_storescu_sends_a_study_the_conformant_instances_are_stored_by_uid_the_identified_one_refused()
{
    let v = vault_with_senders(&[]);
    std::fs::create_dir(v.path("study")).unwrap();
    for n in 0..3 {
        std::fs::write(v.path(&format!("study/IM{n}.dcm")), slice(n)).unwrap();
    }
    let identified_bytes = part10(identified(), EXPLICIT);
    assert!(!gate::check(&identified_bytes, &Policy::default()).accept);
    std::fs::write(v.path("study/IM9.dcm"), &identified_bytes).unwrap();
    let scp = Scp::start(&v, &["--into", "/in"]);
    let port = scp.port.to_string();

    let (code, echo) = tool(ECHOSCU, &["-aet", "STORESCU", "-aec", "VAULT", "127.0.0.1", &port]);
    assert_eq!(code, 0, "echo: {echo}");
    let study = v.path("study");
    let (code, sent) = tool(
        STORESCU,
        &[
            "-d",
            "-nh",
            "+sd",
            "-aet",
            "STORESCU",
            "-aec",
            "VAULT",
            "127.0.0.1",
            &port,
            study.to_str().unwrap(),
        ],
    );
    // The refused instance: 0124, and an Error Comment that names the gate's rule, no value
    // (storescu -nh goes on after it, and exits 0).
    assert_eq!(code, 0, "{sent}");
    assert!(sent.contains("0x0124"), "no 0124 status: {sent}");
    assert!(sent.contains("ErrorComment") && sent.contains("gate: "), "no comment naming the rule: {sent}");
    assert_eq!(sent.matches("DIMSE Status                  : 0x0000").count(), 3, "{sent}");
    for value in ["Madeup", "Testpatient", "MADEUP-0001", "19700101"] {
        assert!(!sent.contains(value), "a patient value went back to the sender");
    }
    scp.wait_for(|printed| printed.contains("released: 3 stored, 1 refused"));
    let printed = scp.printed();
    let (code, out) = scp.stop();
    assert_eq!(code, 0);
    assert!(out.contains("3 instances stored, 1 refused"), "{out}");
    for value in ["Madeup", "Testpatient", "MADEUP-0001", "19700101"] {
        assert!(!printed.contains(value) && !out.contains(value), "a patient value in the receiver's output");
    }

    // Stored under its replaced UIDs: /in/STUDY/SERIES/INSTANCE.dcm, each byte as sent.
    v.ok(&["export", "v.img:/in", "out", "--passphrase-file", "pass"]);
    let stored = files_under(&v.path("out"));
    assert_eq!(stored.len(), 3, "{stored:?}");
    for (n, (path, bytes)) in stored.iter().enumerate() {
        let want = format!("{}/{}/{}.dcm", replaced_uid(2), replaced_uid(3), replaced_uid(100 + n as u64));
        assert!(path.ends_with(&want), "{} is not named by its UIDs ({want})", path.display());
        assert!(gate::check(bytes, &Policy::default()).accept);
        let mut sent = conformant();
        sent.put(text(tags::SOP_INSTANCE_UID, VR::UI, &replaced_uid(100 + n as u64)));
        assert_eq!(bytes, &part10_of_received(&sent), "the stored file is not the data set as sent");
    }
    let log = audit_log(&v);
    let refusals: Vec<&str> = log.lines().filter(|l| l.contains("refused  door=receive")).collect();
    assert!(!refusals.is_empty(), "{log}");
    for line in &refusals {
        assert!(line.contains(" rule=") && line.contains("calling_ae=STORESCU peer=127.0.0.1:"), "{line}");
    }
    assert_eq!(log.matches("received  door=receive").count(), 3, "{log}");
    assert!(!log.contains("Madeup") && !log.contains("MADEUP-0001"));
    assert!(v.ok(&["fsck", "v.img", "--passphrase-file", "pass"]).contains("clean"));
}

#[test]
fn with_scrub_real_files_from_pynetdicom_over_concurrent_associations_arrive_de_identified() {
    let v = vault_with_senders(&[]);
    let data = Command::new("python3")
        .args(["-c", "import os, pydicom; print(os.path.join(os.path.dirname(pydicom.__file__), 'data', 'test_files'))"])
        .output()
        .unwrap();
    assert!(data.status.success(), "pydicom is installed by the README's setup");
    let data = String::from_utf8(data.stdout).unwrap().trim().to_string();
    std::fs::write(v.path("identified.dcm"), part10(identified(), EXPLICIT)).unwrap();
    let mut files: Vec<String> =
        ["CT_small.dcm", "MR_small.dcm", "rtplan.dcm", "reportsi.dcm", "image_dfl.dcm"]
            .iter()
            .map(|f| format!("{data}/{f}"))
            .collect();
    files.push(v.path("identified.dcm").display().to_string());
    // Without --scrub, real files with their patient data are refused, every one.
    let refusing = Scp::start(&v, &[]);
    let send = |port: u16, n: &str| {
        let mut args = vec![
            format!("{}/tests/receive/send.py", env!("CARGO_MANIFEST_DIR")),
            port.to_string(),
            "STORESCU".into(),
            n.to_string(),
        ];
        args.extend(files.iter().cloned());
        let out = Command::new("python3").args(&args).output().unwrap();
        assert!(out.status.success(), "send.py: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .collect::<Vec<_>>()
    };
    let answers = send(refusing.port, "2");
    assert_eq!(answers.len(), files.len());
    for a in &answers {
        assert_eq!(a["status"], 0x0124, "{a}");
        assert!(a["comment"].as_str().unwrap().starts_with("gate: "), "{a}");
    }
    refusing.stop();

    let scp = Scp::start(&v, &["--scrub", "--into", "/teaching"]);
    let answers = send(scp.port, "3");
    assert_eq!(answers.len(), files.len());
    for a in &answers {
        assert_eq!(a["status"], 0, "{a}");
    }
    scp.wait_for(|printed| printed.matches("association from \"STORESCU\"").count() == 3);
    scp.stop();
    v.ok(&["export", "v.img:/teaching", "out", "--passphrase-file", "pass"]);
    let stored = files_under(&v.path("out"));
    assert_eq!(stored.len(), files.len());
    for (path, bytes) in &stored {
        let verdict = gate::check(bytes, &Policy::default());
        assert!(verdict.accept, "{}: {:?}", path.display(), verdict.reasons);
        assert!(path.file_name().unwrap().to_str().unwrap().starts_with("2.25."));
        assert!(!contains(bytes, b"Madeup") && !contains(bytes, b"MADEUP-0001"));
    }
}

#[test]
fn senders_the_policy_does_not_list_are_rejected_at_association_and_audited() {
    let v = vault_with_senders(&[]);
    // No sender in the policy: the receiver does not start.
    let bare = Vault::new();
    bare.init_image("v.img", "64M");
    let (code, _, err) = bare.run(&["receive", "v.img", "--port", "0", "--passphrase-file", "pass"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--sender"), "{err}");

    let scp = Scp::start(&v, &[]);
    let port = scp.port.to_string();
    let (code, out) = tool(ECHOSCU, &["-aet", "INTRUDER", "-aec", "VAULT", "127.0.0.1", &port]);
    assert_ne!(code, 0);
    assert!(out.contains("Calling AE Title Not Recognized"), "{out}");
    let (code, out) = tool(ECHOSCU, &["-aet", "STORESCU", "-aec", "SOMEONE", "127.0.0.1", &port]);
    assert_ne!(code, 0);
    assert!(out.contains("Called AE Title Not Recognized"), "{out}");
    scp.stop();
    // Addresses: a policy that lists one other than the sender's.
    v.ok(&["policy", "set", "v.img", "--passphrase-file", "pass", "--sender-address", "192.0.2.7"]);
    let scp = Scp::start(&v, &[]);
    let (code, out) =
        tool(ECHOSCU, &["-aet", "STORESCU", "-aec", "VAULT", "127.0.0.1", &scp.port.to_string()]);
    assert_ne!(code, 0, "{out}");
    scp.stop();
    let log = audit_log(&v);
    assert!(log.contains("rejected  door=receive calling_ae=INTRUDER peer=127.0.0.1:"), "{log}");
    assert!(log.contains("why=address not in the policy's sender addresses"), "{log}");
    assert_eq!(log.matches("rejected  door=receive").count(), 3, "{log}");
}

/// A client association called VAULT from STORESCU, proposing CT storage.
fn client(port: u16) -> dicom_ul::ClientAssociation<TcpStream> {
    ClientAssociationOptions::new()
        .calling_ae_title("STORESCU")
        .called_ae_title("VAULT")
        .with_presentation_context(uids::CT_IMAGE_STORAGE, vec![EXPLICIT])
        .read_timeout(Duration::from_secs(30))
        .establish(("127.0.0.1", port))
        .unwrap()
}

fn store_rq(id: u16, instance: &str) -> Vec<u8> {
    dimse::encode(&[
        (dimse::AFFECTED_SOP_CLASS_UID, Value::Uid(uids::CT_IMAGE_STORAGE)),
        (dimse::COMMAND_FIELD, Value::Us(dimse::C_STORE_RQ)),
        (dimse::MESSAGE_ID, Value::Us(id)),
        (dimse::COMMAND_DATA_SET_TYPE, Value::Us(0)),
        (dimse::AFFECTED_SOP_INSTANCE_UID, Value::Uid(instance)),
    ])
}

fn send_command(a: &mut dicom_ul::ClientAssociation<TcpStream>, bytes: Vec<u8>) {
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

fn send_data(a: &mut dicom_ul::ClientAssociation<TcpStream>, bytes: &[u8], last: bool) {
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
fn store(
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
/// dimse`), replayed through the same readers: dicom-ul's PDU reader as the receiver calls it,
/// and vault's command-set reader, whose responses must read back.
#[test]
fn the_dimse_fuzz_corpus_is_read_without_a_panic() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/dimse");
    let inputs: Vec<Vec<u8>> =
        std::fs::read_dir(&dir).unwrap().map(|e| std::fs::read(e.unwrap().path()).unwrap()).collect();
    assert!(inputs.len() >= 10, "the corpus is missing: {} inputs", inputs.len());
    let mut commands = 0;
    for bytes in &inputs {
        let _ = dicom_ul::read_pdu(&bytes[..], 16_384, true);
        if let Ok(command) = Dimse::parse(bytes) {
            commands += 1;
            let answer = Dimse::parse(&dimse::response(&command, dimse::SUCCESS, Some("x"))).unwrap();
            assert_eq!(answer.u16(dimse::STATUS), Some(dimse::SUCCESS));
        }
    }
    assert!(commands >= 3, "the corpus holds no command set that reads");
}

#[test]
fn the_same_instance_again_is_taken_other_content_under_its_uids_is_refused_and_no_uid_is_no_name() {
    let v = vault_with_senders(&[]);
    let scp = Scp::start(&v, &["--into", "/in"]);
    let mut a = client(scp.port);
    let first = conformant();
    assert_eq!(store(&mut a, 1, &first), dimse::SUCCESS);
    assert_eq!(store(&mut a, 2, &first), dimse::SUCCESS, "a study sent twice is taken");
    // Another image under the same UIDs would replace the first: refused, 0111.
    let mut other = conformant();
    other.put(text(tags::SERIES_NUMBER, VR::IS, "99"));
    assert_eq!(store(&mut a, 3, &other), 0x0111);
    // Empty UIDs (the gate takes them as replaced): no shared unknown-instance.dcm.
    let mut empty = conformant();
    for tag in [tags::SOP_INSTANCE_UID, tags::STUDY_INSTANCE_UID, tags::SERIES_INSTANCE_UID] {
        empty.put(text(tag, VR::UI, ""));
    }
    send_command(&mut a, store_rq(4, &replaced_uid(5)));
    send_data(&mut a, &raw(&empty, EXPLICIT), true);
    let Pdu::PData { data } = a.receive().unwrap() else { panic!("no response") };
    assert_eq!(Dimse::parse(&data[0].data).unwrap().u16(dimse::STATUS), Some(dimse::CANNOT_UNDERSTAND));
    a.release().unwrap();
    scp.stop();
    v.ok(&["export", "v.img:/in", "out", "--passphrase-file", "pass"]);
    let stored = files_under(&v.path("out"));
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0].1, part10_of_received(&first), "the first instance was written over");
    let log = audit_log(&v);
    assert!(log.contains("rule=duplicate-instance"), "{log}");
    assert!(log.contains("again=yes"), "{log}");
}

/// Into a mounted vault: the receiver serves the network, the mount's process judges and stores
/// each instance. They appear in the mounted folder, each byte as sent; the identified one does
/// not; a file dropped into the mount meanwhile is taken; the refusal is in the log the mount
/// keeps; unmounting stops the receiver; a read-only mount is not received into.
#[test]
fn into_a_mounted_vault_instances_appear_in_its_folder_and_unmounting_stops_the_receiver() {
    let v = vault_with_senders(&[]);
    std::fs::create_dir(v.path("study")).unwrap();
    for n in 0..3 {
        std::fs::write(v.path(&format!("study/IM{n}.dcm")), slice(n)).unwrap();
    }
    std::fs::write(v.path("study/IM9.dcm"), part10(identified(), EXPLICIT)).unwrap();
    let m = Mounted::new(&v, "v.img", "mnt");
    let mut scp = Scp::start(&v, &["--into", "/in"]);
    assert!(scp.printed().contains("(through its mount)"), "{}", scp.printed());
    let port = scp.port.to_string();
    let study = v.path("study");
    let args =
        ["-nh", "+sd", "-aet", "STORESCU", "-aec", "VAULT", "127.0.0.1", &port, study.to_str().unwrap()];
    let (code, sent) = tool(STORESCU, &args);
    assert_eq!(code, 0, "{sent}");
    std::fs::write(m.dir.join("notes.txt"), b"teaching notes\n").unwrap();
    scp.wait_for(|printed| printed.contains("released: 3 stored, 1 refused"));
    for n in 0..3u64 {
        let at = format!("in/{}/{}/{}.dcm", replaced_uid(2), replaced_uid(3), replaced_uid(100 + n));
        let mut want = conformant();
        want.put(text(tags::SOP_INSTANCE_UID, VR::UI, &replaced_uid(100 + n)));
        let got = std::fs::read(m.dir.join(&at)).unwrap_or_else(|e| panic!("{at} through the mount: {e}"));
        assert_eq!(got, part10_of_received(&want), "{at} is not the data set as sent");
    }
    let series = m.dir.join(format!("in/{}/{}", replaced_uid(2), replaced_uid(3)));
    assert_eq!(std::fs::read_dir(&series).unwrap().count(), 3, "the identified instance is in the vault");
    // The same instance again is taken; other bytes under its UIDs are not, and change nothing.
    let mut a = client(scp.port);
    let mut again = conformant();
    again.put(text(tags::SOP_INSTANCE_UID, VR::UI, &replaced_uid(100)));
    assert_eq!(store(&mut a, 1, &again), dimse::SUCCESS);
    again.put(text(tags::SERIES_NUMBER, VR::IS, "99"));
    assert_eq!(store(&mut a, 2, &again), 0x0111);
    a.release().unwrap();
    let log = v.ok(&["log", "v.img", "--passphrase-file", "pass"]);
    assert!(log.contains("receive (through its mount)"), "{log}");
    assert_eq!(log.matches("received  door=receive").count(), 4, "{log}");
    assert!(log.contains("again=yes") && log.contains("rule=duplicate-instance"), "{log}");
    let refusals: Vec<&str> = log.lines().filter(|l| l.contains("refused  door=receive")).collect();
    assert!(refusals.iter().any(|l| l.contains("calling_ae=STORESCU peer=127.0.0.1:")), "{log}");
    assert!(!log.contains("Madeup") && !log.contains("MADEUP-0001"));

    m.umount();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = scp.child.try_wait().unwrap() {
            break status;
        }
        assert!(std::time::Instant::now() < deadline, "the receiver outlived its mount: {}", scp.printed());
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
    let mut out = String::new();
    scp.child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    assert!(out.contains("4 instances stored, 1 refused"), "{out}");
    scp.wait_for(|printed| printed.contains("was unmounted; stopped"));
    assert!(v.ok(&["fsck", "v.img", "--passphrase-file", "pass"]).contains("clean"));
    assert!(v.ok(&["ls", "v.img:/", "--passphrase-file", "pass"]).contains("notes.txt"));

    let ro = v.path("ro");
    std::fs::create_dir(&ro).unwrap();
    v.ok(&["mount", "v.img", ro.to_str().unwrap(), "--read-only", "--passphrase-file", "pass"]);
    let (code, _, err) = v.run(&["receive", "v.img", "--port", "0", "--passphrase-file", "pass"]);
    v.ok(&["umount", ro.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("mounted read-only"), "{err}");

    // A mount killed (its socket left behind): the receiver stops all the same.
    let m = Mounted::new(&v, "v.img", "again");
    let mut scp = Scp::start(&v, &[]);
    common::mount::kill_mount(&v, "mount v.img");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while scp.child.try_wait().unwrap().is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "the receiver outlived its killed mount: {}",
            scp.printed()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    scp.wait_for(|printed| printed.contains("was unmounted; stopped"));
    drop(m);
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

/// What the receiver stores for `obj` sent in explicit VR little endian: the meta group it makes
/// and the data set as sent (compared from the data set's first byte).
fn part10_of_received(obj: &dicom_object::InMemDicomObject) -> Vec<u8> {
    let instance =
        obj.element(tags::SOP_INSTANCE_UID).unwrap().to_str().unwrap().trim_end_matches('\0').to_string();
    let mut file = vault::receive::part10_head(uids::CT_IMAGE_STORAGE, &instance, EXPLICIT).unwrap();
    file.extend_from_slice(&raw(obj, EXPLICIT));
    file
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

/// --json: the start, each event and the summary as one JSON object a line on standard output,
/// no patient value in any.
#[test]
fn json_events_and_summary_are_json_lines() {
    let v = vault_with_senders(&[]);
    let args = ["receive", "v.img", "--port", "0", "--passphrase-file", "pass", "--json"];
    let mut child = v.command(&args).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines().map_while(Result::ok);
    let start: serde_json::Value = serde_json::from_str(&lines.next().expect("a first line")).unwrap();
    assert_eq!(start["event"], "listening", "{start}");
    let port: u16 = start["address"].as_str().unwrap().rsplit(':').next().unwrap().parse().unwrap();
    assert_eq!(start["senders"][0], "STORESCU");
    let mut a = client(port);
    assert_eq!(store(&mut a, 1, &conformant()), dimse::SUCCESS);
    assert_ne!(store(&mut a, 2, &identified()), dimse::SUCCESS);
    a.release().unwrap();
    let mut events = Vec::new();
    for line in lines.by_ref() {
        let event: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{line}: {e}"));
        let closed = event["event"] == "closed";
        events.push(event);
        if closed {
            break;
        }
    }
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let rest: Vec<String> = lines.collect();
    assert_eq!(child.wait().unwrap().code(), Some(0));
    let kinds: Vec<&str> = events.iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["opened", "stored", "refused", "closed"], "{events:?}");
    assert_eq!(events[1]["calling"], "STORESCU");
    assert!(events[2]["why"].as_str().unwrap().starts_with("gate: "), "{events:?}");
    let summary: serde_json::Value = serde_json::from_str(rest.last().expect("a summary")).unwrap();
    assert_eq!(
        (summary["event"].as_str(), summary["stored"].as_u64()),
        (Some("summary"), Some(1)),
        "{summary}"
    );
    assert_eq!(summary["refused"], 1);
    let all = format!("{events:?}{rest:?}");
    assert!(!all.contains("Madeup") && !all.contains("MADEUP-0001"));
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

//! `vault receive`, the DICOM network door, driven by real clients over loopback: dcmtk's
//! `echoscu` and `storescu`, pynetdicom (`tests/receive/send.py`), and dicom-rs's client
//! association for what a well-behaved client will not send (a command set that does not read,
//! data with no command, an instance cut off by a kill -9). Real image files, the `vault` binary.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::dicom::EXPLICIT;
use common::dicom::{conformant, identified, part10, raw, replaced_uid, text};
use common::mount::Mounted;
use common::receive::*;
use common::{Vault, contains};
use dicom_core::VR;
use dicom_dictionary_std::tags;
use dicom_ul::pdu::Pdu;
use vault::gate::{self, Policy};
use vault::receive::dimse::{self, Command as Dimse};

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

//! The `vault` command as a user runs it: real image files, real processes, exit codes and
//! messages. Passphrases and keys here are made up.

mod common;

use std::process::{Command, Stdio};

use common::{Vault, contains};

#[test]
fn init_image_then_info() {
    let v = Vault::new();
    let out = v.init_image("a.img", "64M");
    assert_eq!(out["volume_bytes"], 64 << 20);
    assert_eq!(out["keyslots"].as_array().unwrap().len(), 2);
    let meta = std::fs::metadata(v.path("a.img")).unwrap();
    assert_eq!(meta.len(), 64 << 20);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);

    let info = v.json(&["info", "a.img", "--json"]);
    assert_eq!(info["uuid"], out["uuid"]);
    assert_eq!(info["header_source"], "primary");
    assert_eq!(info["fell_back_to_backup"], false);
    assert_eq!(info["data_offset"], 1 << 20);
    assert_eq!(info["keyslots"][1]["kind"], "recovery");
    let human = v.ok(&["info", "a.img"]);
    assert!(human.contains("AES-256-XTS") && human.contains("passphrase"), "{human}");
}

#[test]
fn init_refuses_an_existing_image_and_sizes_too_small() {
    let v = Vault::new();
    v.init_image("a.img", "32M");
    let before = std::fs::read(v.path("a.img")).unwrap();
    let (code, _, err) = v.run(&["init", "--image", "a.img", "--size", "32M", "--passphrase-file", "pass"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("exists"), "{err}");
    assert_eq!(std::fs::read(v.path("a.img")).unwrap(), before, "the existing file was touched");

    let (code, _, err) = v.run(&["init", "--image", "b.img", "--size", "8M", "--passphrase-file", "pass"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("16 MiB"), "{err}");
    assert!(!v.path("b.img").exists());

    std::fs::write(v.path("small.img"), vec![0u8; 8 << 20]).unwrap();
    let (code, _, err) = v.run(&["init", "small.img", "--passphrase-file", "pass"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("too small"), "{err}");

    let (code, _, err) = v.run(&["init", "--image", "c.img", "--size", "12Q", "--passphrase-file", "pass"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn init_on_a_file_holding_data_needs_confirmation() {
    let v = Vault::new();
    let mut data = vec![0u8; 32 << 20];
    data[1080] = 0x53;
    data[1081] = 0xef; // an ext4 superblock magic
    std::fs::write(v.path("disk.img"), &data).unwrap();
    let (code, _, err) = v.run_with_stdin(&["init", "disk.img", "--passphrase-file", "pass"], Stdio::null());
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("ext2/3/4 filesystem") && err.contains("--yes"), "{err}");
    assert_eq!(std::fs::read(v.path("disk.img")).unwrap(), data, "refused init changed the file");

    let out = v.json_cheap(&["init", "disk.img", "--yes", "--passphrase-file", "pass", "--json"]);
    assert_eq!(out["volume_bytes"], 32 << 20);
    v.ok(&["passwd", "disk.img", "--test", "--passphrase-file", "pass"]);

    // A blank file needs no confirmation.
    std::fs::write(v.path("blank.img"), vec![0u8; 32 << 20]).unwrap();
    v.json_cheap(&["init", "blank.img", "--passphrase-file", "pass", "--json"]);
    // And a vault is recognised as such.
    let (code, _, err) = v.run_with_stdin(&["init", "blank.img", "--passphrase-file", "pass"], Stdio::null());
    assert_eq!(code, 1);
    assert!(err.contains("holds a vault"), "{err}");
}

#[test]
fn wrong_passphrase_exit_77_and_nothing_changes() {
    let v = Vault::new();
    v.init_image("a.img", "32M");
    let before = std::fs::read(v.path("a.img")).unwrap();
    std::fs::write(v.path("wrong"), "not the made-up passphrase\n").unwrap();
    std::fs::write(v.path("new"), "another made-up passphrase\n").unwrap();
    for args in [
        vec!["passwd", "a.img", "--test", "--passphrase-file", "wrong"],
        vec!["passwd", "a.img", "--passphrase-file", "wrong", "--new-passphrase-file", "new"],
        vec!["passwd", "a.img", "--remove", "1", "--passphrase-file", "wrong"],
        vec!["recovery", "a.img", "--new-key", "--passphrase-file", "wrong"],
    ] {
        let (code, out, err) = v.run(&args);
        assert_eq!(code, 77, "{args:?}: {err}");
        assert!(err.contains("no keyslot opens with that passphrase"), "{err}");
        assert!(!err.contains("not the made-up") && !out.contains("not the made-up"));
    }
    assert_eq!(std::fs::read(v.path("a.img")).unwrap(), before);
}

#[test]
fn passwd_change_add_remove() {
    let v = Vault::new();
    v.init_image("a.img", "32M");
    std::fs::write(v.path("p2"), "second made-up passphrase\n").unwrap();
    std::fs::write(v.path("p3"), "third made-up passphrase\n").unwrap();

    let out = v.json_cheap(&[
        "passwd",
        "a.img",
        "--passphrase-file",
        "pass",
        "--new-passphrase-file",
        "p2",
        "--json",
    ]);
    assert_eq!((out["action"].as_str(), out["slot"].as_u64()), (Some("changed"), Some(0)));
    assert_eq!(v.run(&["passwd", "a.img", "--test", "--passphrase-file", "pass"]).0, 77);
    v.ok(&["passwd", "a.img", "--test", "--passphrase-file", "p2"]);

    let out = v.json_cheap(&[
        "passwd",
        "a.img",
        "--add",
        "--passphrase-file",
        "p2",
        "--new-passphrase-file",
        "p3",
        "--json",
    ]);
    assert_eq!(out["slot"], 2);
    v.ok(&["passwd", "a.img", "--test", "--passphrase-file", "p3"]);
    v.ok(&["passwd", "a.img", "--test", "--passphrase-file", "p2"]);

    v.ok(&["passwd", "a.img", "--remove", "0", "--passphrase-file", "p3"]);
    assert_eq!(v.run(&["passwd", "a.img", "--test", "--passphrase-file", "p2"]).0, 77);
    let (code, _, err) = v.run(&["passwd", "a.img", "--remove", "2", "--passphrase-file", "p3"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("last passphrase slot"), "{err}");

    std::fs::write(v.path("short"), "short\n").unwrap();
    let (code, _, err) =
        v.run(&["passwd", "a.img", "--passphrase-file", "p3", "--new-passphrase-file", "short"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("shorter than 8"), "{err}");
}

#[test]
fn recovery_key_sets_a_new_passphrase_and_can_be_replaced() {
    let v = Vault::new();
    let out = v.init_image("a.img", "32M");
    let key = out["recovery_key"].as_str().unwrap().to_string();
    assert_eq!(key.len(), 55);
    std::fs::write(v.path("key"), format!("{key}\n")).unwrap();
    std::fs::write(v.path("p2"), "recovered made-up passphrase\n").unwrap();

    let out = v.json_cheap(&[
        "recovery",
        "a.img",
        "--recovery-key-file",
        "key",
        "--new-passphrase-file",
        "p2",
        "--json",
    ]);
    assert_eq!(out["slot"], 2);
    v.ok(&["passwd", "a.img", "--test", "--passphrase-file", "p2"]);

    // A well-formed but wrong key, and a mistyped one.
    let mut digits: Vec<char> = key.chars().collect();
    let wrong: String = {
        // Swap two groups: still well-formed, not the key.
        let groups: Vec<&str> = key.split('-').collect();
        let mut g = groups.clone();
        g.swap(0, 1);
        if g == groups {
            g[0] = "000000";
        }
        g.join("-")
    };
    std::fs::write(v.path("wrongkey"), &wrong).unwrap();
    let (code, _, err) =
        v.run(&["recovery", "a.img", "--recovery-key-file", "wrongkey", "--new-passphrase-file", "p2"]);
    assert_eq!(code, 77, "{err}");
    assert!(err.contains("recovery key"), "{err}");
    digits[3] = if digits[3] == '9' { '0' } else { ((digits[3] as u8) + 1) as char };
    std::fs::write(v.path("typo"), digits.iter().collect::<String>()).unwrap();
    let (code, _, err) =
        v.run(&["recovery", "a.img", "--recovery-key-file", "typo", "--new-passphrase-file", "p2"]);
    assert_eq!(code, 77, "{err}");
    assert!(err.contains("group 1"), "{err}");

    // A new recovery key replaces the old one.
    let out = v.json_cheap(&["recovery", "a.img", "--new-key", "--passphrase-file", "p2", "--json"]);
    let new_key = out["recovery_key"].as_str().unwrap();
    assert_ne!(new_key, key);
    let (code, _, _) =
        v.run(&["recovery", "a.img", "--recovery-key-file", "key", "--new-passphrase-file", "p2"]);
    assert_eq!(code, 77, "the old recovery key still opens the vault");
    std::fs::write(v.path("key2"), new_key).unwrap();
    v.ok(&[
        &[
            "recovery",
            "a.img",
            "--recovery-key-file",
            "key2",
            "--new-passphrase-file",
            "p2",
            "--replace",
            "2",
        ][..],
        &common::CHEAP[..],
    ]
    .concat());
}

#[test]
fn corrupt_primary_header_falls_back_warns_and_repairs() {
    let v = Vault::new();
    v.init_image("a.img", "32M");
    v.corrupt("a.img", 300);
    let info = v.json(&["info", "a.img", "--json"]);
    assert_eq!(info["fell_back_to_backup"], true);
    assert!(info["warning"].as_str().unwrap().contains("vault header repair"));
    let (code, _, err) = v.run(&["passwd", "a.img", "--test", "--passphrase-file", "pass"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("primary header is unusable"), "{err}");

    let out = v.json(&["header", "repair", "a.img", "--json"]);
    assert_eq!(out["repaired"], true);
    let info = v.json(&["info", "a.img", "--json"]);
    assert_eq!(info["fell_back_to_backup"], false);
    assert_eq!(info["header_state"], "both copies valid");
    let out = v.json(&["header", "repair", "a.img", "--json"]);
    assert_eq!(out["repaired"], false);
}

#[test]
fn both_headers_corrupt_then_restore_from_backup() {
    let v = Vault::new();
    v.init_image("a.img", "32M");
    v.ok(&["header", "backup", "a.img", "a.hdr"]);
    assert_eq!(std::fs::metadata(v.path("a.hdr")).unwrap().len(), 4096);
    let (code, _, err) = v.run(&["header", "backup", "a.img", "a.hdr"]);
    assert_ne!(code, 0, "backup overwrote an existing file: {err}");

    v.corrupt("a.img", 500);
    v.corrupt("a.img", (32 << 20) - (1 << 20) + 500);
    for args in [vec!["info", "a.img"], vec!["passwd", "a.img", "--test", "--passphrase-file", "pass"]] {
        let (code, _, err) = v.run(&args);
        assert_eq!(code, 65, "{args:?}: {err}");
        assert!(err.contains("vault header restore a.img"), "{err}");
    }
    v.ok(&["header", "restore", "a.img", "a.hdr"]);
    v.ok(&["passwd", "a.img", "--test", "--passphrase-file", "pass"]);
    assert_eq!(v.json(&["info", "a.img", "--json"])["header_state"], "both copies valid");

    // A header backup of another vault is refused without --yes.
    v.init_image("b.img", "32M");
    let (code, _, err) = v.run(&["header", "restore", "b.img", "a.hdr"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("different vault"), "{err}");
    // A file that is not a header backup.
    std::fs::write(v.path("junk.hdr"), vec![1u8; 4096]).unwrap();
    let (code, _, err) = v.run(&["header", "restore", "a.img", "junk.hdr"]);
    assert_eq!(code, 65, "{err}");
}

#[test]
fn not_a_vault_and_missing_files() {
    let v = Vault::new();
    std::fs::write(v.path("zero.img"), vec![0u8; 32 << 20]).unwrap();
    let (code, _, err) = v.run(&["info", "zero.img"]);
    assert_eq!(code, 66, "{err}");
    assert!(err.contains("zero.img: not a vault"), "{err}");
    let (code, _, err) = v.run(&["info", "missing.img"]);
    assert_eq!(code, 66, "{err}");
    assert!(err.contains("missing.img"), "{err}");
    let (code, _, _) = v.run(&["passwd", "zero.img", "--test", "--passphrase-file", "pass"]);
    assert_eq!(code, 66);
    let (code, _, _) = v.run(&["frobnicate"]);
    assert_eq!(code, 2);
}

#[test]
fn passphrase_from_a_file_descriptor_and_no_terminal() {
    let v = Vault::new();
    v.init_image("a.img", "32M");
    // --passphrase-fd 0: standard input is the pipe.
    let mut child = v
        .command(&["passwd", "a.img", "--test", "--passphrase-fd", "0"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(common::PASS.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));

    // No file, no fd, no terminal: a usage error that says what to do.
    let (code, _, err) = v.run_detached(&["passwd", "a.img", "--test"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--passphrase-file"), "{err}");
}

#[test]
fn no_passphrase_or_key_in_the_image_or_the_output() {
    let v = Vault::new();
    let init = ["init", "--image", "a.img", "--size", "32M", "--passphrase-file", "pass"];
    let (code, stdout, stderr) = v.run(&[&init[..], &common::CHEAP[..]].concat());
    assert_eq!(code, 0, "{stderr}");
    let key_line =
        stdout.lines().map(str::trim).find(|l| l.len() == 55 && l.matches('-').count() == 7).unwrap();
    let key = vaultfmt::header::recovery::RecoveryKey::parse(key_line).unwrap();
    let image = std::fs::read(v.path("a.img")).unwrap();
    assert!(!contains(&image, common::PASS.as_bytes()), "passphrase in the image");
    assert!(!contains(&image, key_line.as_bytes()), "recovery key text in the image");
    assert!(!contains(&image, key.as_bytes()), "recovery key bytes in the image");
    assert!(!stderr.contains(common::PASS) && !stdout.contains(common::PASS));
}

#[test]
fn bench_reports_json_with_the_openssl_peer() {
    let v = Vault::new();
    let out = v.json(&["bench", "--json", "--seconds", "1", "--kdf-time", "50", "--kdf-memory", "16"]);
    let ours = out["xts_bytes_per_sec"].as_f64().unwrap();
    let peer = out["openssl_xts_bytes_per_sec"].as_f64().expect("openssl is installed by the setup");
    let ratio = out["ratio_vs_openssl"].as_f64().unwrap();
    assert!(ours > 0.0 && peer > 0.0);
    assert!((ratio - ours / peer).abs() < 1e-6);
    assert!(out["kdf"]["memory_kib"].as_u64().unwrap() <= 16 * 1024);
}

/// Interrupted init, with a real process: `vault init --image` killed with SIGKILL or SIGINT at
/// spread-out moments. The image name either does not exist or names a complete vault.
#[test]
fn killed_init_never_leaves_a_half_vault_under_the_name() {
    let v = Vault::new();
    let mut complete = 0;
    let mut absent = 0;
    let mut interrupted = 0;
    for i in 0..12u64 {
        let name = format!("k{i}.img");
        let mut child = v
            .command(&[
                "init",
                "--image",
                &name,
                "--size",
                "64M",
                "--passphrase-file",
                "pass",
                "--kdf-time",
                "300",
                "--kdf-memory",
                "32",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(25 + (i * 97) % 700));
        // Alternate SIGKILL (uncatchable) and SIGINT (init removes its temporary file).
        let signal = if i % 2 == 0 { libc::SIGKILL } else { libc::SIGINT };
        // SAFETY: signalling our own child.
        unsafe { libc::kill(child.id() as i32, signal) };
        let status = child.wait().unwrap();
        if signal == libc::SIGINT && !v.path(&name).exists() {
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(status.signal(), Some(libc::SIGINT), "interrupted init ends by the signal");
            let leftovers: Vec<_> = std::fs::read_dir(v.dir.path())
                .unwrap()
                .filter_map(|e| e.ok())
                .filter(|e| e.file_name().to_string_lossy().starts_with(&format!(".{name}.vault-init")))
                .collect();
            assert!(leftovers.is_empty(), "SIGINT left the temporary image behind");
            interrupted += 1;
        }
        if v.path(&name).exists() {
            v.ok(&["passwd", &name, "--test", "--passphrase-file", "pass"]);
            complete += 1;
        } else {
            absent += 1;
        }
    }
    assert!(absent > 0, "no kill landed during init (complete {complete})");
    assert!(interrupted > 0, "no SIGINT landed during init");
}

/// Runs `vault ARGS` on a pseudo-terminal (util-linux `script`), typing `input` into it.
fn on_terminal(v: &Vault, args: &str, input: &str) -> (i32, String) {
    use std::io::Write;
    let command = format!("{} {args}", env!("CARGO_BIN_EXE_vault"));
    let mut child = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(v.dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script (util-linux) runs");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn passphrases_typed_at_the_terminal() {
    let v = Vault::new();
    let cheap = "--kdf-time 1 --kdf-memory 1";
    // A new passphrase is asked twice.
    let (code, out) = on_terminal(
        &v,
        &format!("init --image t.img --size 32M {cheap}"),
        "typed made-up words\ntyped made-up words\n",
    );
    assert_eq!(code, 0);
    assert!(out.contains("New passphrase:") && out.contains("Repeat it:") && out.contains("Recovery key"));
    let (code, out) = on_terminal(&v, "passwd t.img --test", "typed made-up words\n");
    assert_eq!(code, 0);
    assert!(out.contains("opens keyslot 0"));
    // Two different answers are refused, and nothing is created.
    let (code, out) = on_terminal(
        &v,
        &format!("init --image u.img --size 32M {cheap}"),
        "typed made-up words\nother made-up words\n",
    );
    assert_eq!(code, 2);
    assert!(out.contains("differ"));
    assert!(!v.path("u.img").exists());
    // Formatting a device that holds data asks for YES first.
    let (code, out) = on_terminal(&v, &format!("init t.img {cheap}"), "no\n");
    assert_eq!(code, 1);
    assert!(out.contains("Type YES"));
    let (code, _) =
        on_terminal(&v, &format!("init t.img {cheap}"), "YES\nnew typed made-up\nnew typed made-up\n");
    assert_eq!(code, 0);
    let (code, _) = on_terminal(&v, "passwd t.img --test", "new typed made-up\n");
    assert_eq!(code, 0);
}

/// Runs and expects `code`, a message on standard error containing `says`, and no OS error
/// said twice.
fn says(v: &Vault, args: &[&str], code: i32, says: &str) {
    let (got, out, err) = v.run(args);
    assert_eq!(got, code, "vault {args:?}: {out}{err}");
    assert!(err.contains(says), "vault {args:?}: {err:?} does not say {says:?}");
    for cause in ["(os error 2)", "(os error 21)"] {
        assert!(err.matches(cause).count() <= 1, "vault {args:?} repeats itself: {err}");
    }
}

/// The common slips of a new user each get a message that says what is wrong, and the exit
/// code of the one table.
#[test]
fn slips_get_clear_messages_and_the_right_exit_codes() {
    let v = Vault::new();
    v.init_image("v.img", "32M");
    let pass = ["--passphrase-file", "pass"];
    // init --image into a folder that does not exist names the folder, not a temporary file.
    let mut args = vec!["init", "--image", "missing/dir/v.img", "--size", "32M"];
    args.extend(pass);
    says(&v, &args, 66, "missing/dir: no such folder");
    let (_, _, err) = v.run(&args);
    assert!(!err.contains("vault-init"), "{err}");
    std::fs::create_dir(v.path("folder")).unwrap();
    let mut args = vec!["init", "--image", "folder", "--size", "32M"];
    args.extend(pass);
    says(&v, &args, 2, "folder: is a folder");
    // A small file, or a folder, given as a vault: it holds no vault (66), whatever the command.
    std::fs::write(v.path("small"), vec![0u8; 1024]).unwrap();
    for cmd in
        [&["info"][..], &["ls", pass[0], pass[1]], &["fsck", pass[0], pass[1]], &["log", pass[0], pass[1]]]
    {
        let (name, rest) = (cmd[0], &cmd[1..]);
        let small = [&[name, "small"][..], rest].concat();
        says(&v, &small, 66, "small: not a vault (1024 bytes; a vault is at least 16 MiB)");
        says(&v, &[&[name, "folder"][..], rest].concat(), 66, "folder: is a folder, not a vault");
    }
    says(&v, &["mount", "folder", "folder", pass[0], pass[1]], 66, "folder: is a folder, not a vault");
    // A missing vault or passphrase file: the OS's reason once.
    says(
        &v,
        &["ls", "nothere.img", pass[0], pass[1]],
        66,
        "nothere.img: cannot open: No such file or directory",
    );
    says(&v, &["ls", "v.img", "--passphrase-file", "nopass"], 2, "cannot read the passphrase from nopass");
    // A mirror into itself, however spelt.
    std::os::unix::fs::symlink("v.img", v.path("link.img")).unwrap();
    for dst in ["v.img", "./v.img", "link.img"] {
        says(&v, &["mirror", "v.img", dst, pass[0], pass[1]], 2, "are the same vault");
    }
    // One file, one folder: no "1 files".
    std::fs::create_dir(v.path("one")).unwrap();
    std::fs::write(v.path("one/note.txt"), "made-up note\n").unwrap();
    let out = v.ok(&["import", "one", "v.img:/", pass[0], pass[1]]);
    assert!(out.starts_with("Imported 1 file (13 B) and 1 folder into v.img:/"), "{out}");
    let out = v.ok(&["fsck", "v.img", pass[0], pass[1]]);
    assert!(out.contains(" 1 file, 2 folders,") && out.contains("in 1 file takes"), "{out}");
    let out = v.ok(&["export", "v.img:/one/note.txt", "note.txt", pass[0], pass[1]]);
    assert!(out.starts_with("Exported 1 file (13 B)"), "{out}");
    let out = v.ok(&["verify", "v.img", pass[0], pass[1]]);
    assert!(out.starts_with("Verified 1 file (13 B)"), "{out}");
    // Import puts each source inside DIR, made or not, so running it again does not nest.
    v.ok(&["import", "one", "v.img:/ct", pass[0], pass[1]]);
    v.ok(&["import", "one", "v.img:/ct", pass[0], pass[1]]);
    assert_eq!(v.ok(&["ls", "v.img:/ct", pass[0], pass[1]]).trim(), "one/");
    assert_eq!(v.ok(&["ls", "v.img:/ct/one", pass[0], pass[1]]).trim(), "note.txt");
}

/// `vault --version`: the version, the commit built from (this work tree's HEAD, `+changes`
/// when the tree differed), and the cipher engine this CPU runs.
#[test]
fn version_names_the_commit_and_the_cipher_engine() {
    let v = Vault::new();
    let out = v.ok(&["--version"]);
    let head = Command::new("git")
        .args(["-C", env!("CARGO_MANIFEST_DIR"), "rev-parse", "--short=12", "HEAD"])
        .output()
        .unwrap();
    let head = String::from_utf8(head.stdout).unwrap();
    let expected = format!("vault {} (commit {}", env!("CARGO_PKG_VERSION"), head.trim());
    assert!(out.starts_with(&expected), "{out}");
    let engine = vaultfmt::crypt::engine_here();
    assert!(out.trim_end().ends_with(&format!(", cipher AES-256-XTS by {engine})")), "{out}");
    assert_eq!(v.ok(&["-V"]), out);
}

/// A file `vault check` cannot read is named with why, the others are still judged, and the
/// exit status is the table's I/O code, 74 (not 2, which is for usage errors). Run as `nobody`,
/// since root reads any file.
#[test]
fn an_unreadable_input_is_named_the_rest_checked_and_the_exit_is_74() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let v = Vault::new();
    std::fs::set_permissions(v.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::create_dir(v.path("in")).unwrap();
    std::fs::write(v.path("in/note.txt"), "made-up note\n").unwrap();
    std::fs::write(v.path("in/closed.txt"), "made-up, unreadable\n").unwrap();
    std::fs::set_permissions(v.path("in/closed.txt"), std::fs::Permissions::from_mode(0o000)).unwrap();
    let mut cmd = v.command(&["check", "in"]);
    // SAFETY: setgroups, setgid and setuid are async-signal-safe; no allocation here.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setgroups(0, std::ptr::null()) != 0
                || libc::setgid(65534) != 0
                || libc::setuid(65534) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = cmd.stdin(Stdio::null()).output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(74), "{stdout}{stderr}");
    assert!(stderr.contains("in/closed.txt: Permission denied"), "{stderr}");
    assert!(stdout.contains("accept  in/note.txt"), "{stdout}");
    assert!(stderr.contains("1 accepted, 0 refused, 1 unreadable"), "{stderr}");
}

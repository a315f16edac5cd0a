//! Helpers for tests that run the `vault` binary in a temporary folder.
#![allow(dead_code)]

pub mod dicom;
pub mod mirror;
pub mod mount;
pub mod receive;
pub mod scrub;

use std::path::PathBuf;
use std::process::{Command, Stdio};

/// A made-up passphrase, written to the file `pass` in every test folder.
pub const PASS: &str = "made-up test passphrase";

/// Key-derivation flags that make new keyslots cost milliseconds.
pub const CHEAP: [&str; 4] = ["--kdf-time", "1", "--kdf-memory", "1"];

pub struct Vault {
    pub dir: tempfile::TempDir,
}

impl Vault {
    pub fn new() -> Vault {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pass"), format!("{PASS}\n")).unwrap();
        Vault { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_vault"));
        c.args(args).current_dir(self.dir.path());
        c
    }

    /// Runs; returns (exit code, stdout, stderr). Standard input is empty.
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        self.run_with_stdin(args, Stdio::null())
    }

    pub fn run_with_stdin(&self, args: &[&str], stdin: Stdio) -> (i32, String, String) {
        let out = self.command(args).stdin(stdin).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Runs in a new session, without a controlling terminal.
    pub fn run_detached(&self, args: &[&str]) -> (i32, String, String) {
        use std::os::unix::process::CommandExt;
        let mut cmd = self.command(args);
        // SAFETY: setsid is async-signal-safe and takes no arguments.
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                Ok(())
            });
        }
        let out = cmd.stdin(Stdio::null()).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Runs and expects exit 0; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        assert_eq!(code, 0, "vault {args:?} failed: {err}");
        out
    }

    /// Like [`Vault::json`], with cheap key derivation added to the arguments.
    pub fn json_cheap(&self, args: &[&str]) -> serde_json::Value {
        self.json(&[args, &CHEAP[..]].concat())
    }

    /// Runs and expects exit 0 and one JSON object on stdout.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.ok(args);
        serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("vault {args:?}: not JSON ({e}): {out}"))
    }

    /// `vault init --image NAME --size SIZE` with cheap key derivation; returns its JSON.
    pub fn init_image(&self, name: &str, size: &str) -> serde_json::Value {
        self.json_cheap(&["init", "--image", name, "--size", size, "--passphrase-file", "pass", "--json"])
    }

    /// Flips one byte of a file.
    pub fn corrupt(&self, name: &str, offset: u64) {
        use std::os::unix::fs::FileExt;
        let f = std::fs::OpenOptions::new().read(true).write(true).open(self.path(name)).unwrap();
        let mut b = [0u8; 1];
        f.read_exact_at(&mut b, offset).unwrap();
        b[0] ^= 0xff;
        f.write_all_at(&b, offset).unwrap();
    }
}

/// A Python process running `script` with `args`, once it has printed `ready` as its first
/// line (what it does before then is done when this returns). Its standard error goes to
/// `stderr` where given; the caller ends it.
pub fn python_ready(
    script: &str,
    args: &[String],
    dir: Option<&std::path::Path>,
    stderr: Option<std::fs::File>,
    ready: &str,
) -> std::process::Child {
    let mut command = std::process::Command::new("python3");
    command.arg("-c").arg(script).args(args).stdout(std::process::Stdio::piped());
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    if let Some(stderr) = stderr {
        command.stderr(stderr);
    }
    let mut child = command.spawn().unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut line)
        .unwrap();
    assert_eq!(line.trim(), ready, "the helper process did not get ready");
    child
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The first data sector of a file's first chunk, found through the library.
pub fn chunk_offset(image: &std::path::Path, vault_path: &str) -> u64 {
    use vaultfmt::dev::{Access, FileDevice};
    let dev = FileDevice::open(image, Access::ReadWrite).unwrap();
    let vol = vaultfmt::Volume::unlock(dev, vaultfmt::Secret::Passphrase(PASS.as_bytes()), None).unwrap();
    let store = vaultfmt::store::Store::open(vol).unwrap();
    let view = store.read().unwrap();
    let ino = view.resolve(vault_path).unwrap().unwrap();
    let sector = view.chunks(ino).unwrap()[0].1.sector;
    vaultfmt::header::HEADER_AREA_BYTES + sector * vaultfmt::SECTOR_SIZE as u64
}

//! The Debian package: built with cargo-deb (`packaging/build-deb.sh`), its contents and control
//! fields checked, installed into this machine with `dpkg -i`, used, removed and purged. As
//! root, like the loop-device tests; it changes the machine's /usr and /etc, and puts back what
//! it found.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs a command; its status, standard output and standard error.
fn run(program: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| panic!("{program}: {e}"));
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(program: &str, args: &[&str]) -> String {
    let (success, out, err) = run(program, args);
    assert!(success, "{program} {args:?} failed:\n{out}{err}");
    out
}

/// Every file the package holds, by its installed path.
fn contents(deb: &Path) -> Vec<String> {
    ok("dpkg-deb", &["-c", deb.to_str().unwrap()])
        .lines()
        .filter_map(|l| l.split_whitespace().nth(5))
        .map(|p| p.trim_start_matches('.').to_string())
        .filter(|p| !p.ends_with('/'))
        .collect()
}

/// A field of the package's control file.
fn field(deb: &Path, name: &str) -> String {
    ok("dpkg-deb", &["-f", deb.to_str().unwrap(), name]).trim().to_string()
}

/// Whether an ELF file has a section (by `objcopy`'s reading: binutils' readelf).
fn has_section(file: &Path, section: &str) -> bool {
    ok("readelf", &["-S", "-W", file.to_str().unwrap()]).contains(section)
}

/// Builds the package into `out`: the .deb and the debug symbols' .ddeb.
fn build(out: &Path) -> (PathBuf, PathBuf) {
    let status = Command::new("bash")
        .arg(root_dir().join("packaging/build-deb.sh"))
        .args(["--output", out.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(status.success(), "packaging/build-deb.sh failed");
    let version = env!("CARGO_PKG_VERSION");
    let deb = out.join(format!("vault_{version}-1_amd64.deb"));
    let dbgsym = out.join(format!("vault-dbgsym_{version}-1_amd64.ddeb"));
    assert!(deb.exists() && dbgsym.exists(), "not built: {deb:?} {dbgsym:?}");
    (deb, dbgsym)
}

/// What the package installs outside /etc, which remove must take away.
const INSTALLED: &[&str] = &[
    "/usr/bin/vault",
    "/usr/share/man/man1/vault.1.gz",
    "/usr/share/man/man1/vault-mount.1.gz",
    "/usr/share/man/man5/vaultfmt.5.gz",
    "/usr/share/bash-completion/completions/vault",
    "/usr/share/zsh/vendor-completions/_vault",
    "/usr/share/fish/vendor_completions.d/vault.fish",
    "/usr/lib/systemd/system/vault-guard.service",
    "/usr/lib/systemd/system/vault-mirror@.service",
    "/usr/lib/systemd/system/vault-mirror@.timer",
    "/usr/lib/systemd/system/vault-receive@.service",
    "/usr/lib/udev/rules.d/70-vault-guard.rules",
];

const GUARD_WANTS: &str = "/etc/systemd/system/multi-user.target.wants/vault-guard.service";

/// /etc/vault as the test found it, put back however the test ends (a failed assertion too).
struct EtcVault {
    saved: tempfile::TempDir,
    had: bool,
}

impl EtcVault {
    fn set_aside() -> EtcVault {
        let saved = tempfile::tempdir().unwrap();
        let had = Path::new("/etc/vault").exists();
        if had {
            ok("cp", &["-a", "/etc/vault", saved.path().to_str().unwrap()]);
            std::fs::remove_dir_all("/etc/vault").unwrap();
        }
        EtcVault { saved, had }
    }
}

impl Drop for EtcVault {
    fn drop(&mut self) {
        let _ = run("dpkg", &["--purge", "vault"]);
        let _ = std::fs::remove_dir_all("/etc/vault");
        if self.had {
            let _ = run("cp", &["-a", self.saved.path().join("vault").to_str().unwrap(), "/etc/vault"]);
        }
    }
}

#[test]
fn the_debian_package_installs_works_removes_and_purges_cleanly() {
    assert_eq!(unsafe { libc::geteuid() }, 0, "the package test installs into this machine: run it as root");
    // The administrator's /etc/vault is kept aside first; then a vault package an earlier run
    // left is purged.
    let _etc = EtcVault::set_aside();
    let _ = run("dpkg", &["--purge", "vault"]);

    let out = tempfile::tempdir().unwrap();
    let (deb, dbgsym) = build(out.path());

    // Contents and control fields.
    let files = contents(&deb);
    for path in INSTALLED.iter().chain(&["/etc/vault/drives.json.example", "/usr/share/doc/vault/copyright"])
    {
        assert!(files.iter().any(|f| f == path), "{path} not in the package: {files:?}");
    }
    let pages = files.iter().filter(|f| f.starts_with("/usr/share/man/man1/vault")).count();
    assert_eq!(pages, vault::cli::man::pages().len(), "one page per command");
    let depends = field(&deb, "Depends");
    assert!(
        depends.contains("fuse3") && depends.contains("libc6") && depends.contains("libudev1"),
        "{depends}"
    );
    // The gate reads its word lists where these packages put them (src/gate/shape/unknown.rs,
    // src/gate/shape/hunspell.rs).
    for list in [
        "wamerican",
        "wbritish",
        "hunspell-en-us",
        "hunspell-en-med",
        "wngerman",
        "wswedish",
        "wdanish",
        "hunspell-pl",
        "hunspell-it",
        "hunspell-es",
    ] {
        assert!(depends.contains(list), "{list} not in Depends: {depends}");
    }
    assert!(field(&deb, "Recommends").contains("tesseract-ocr-eng"));
    let control = tempfile::tempdir().unwrap();
    ok("dpkg-deb", &["-e", deb.to_str().unwrap(), control.path().to_str().unwrap()]);
    let conffiles = std::fs::read_to_string(control.path().join("conffiles")).unwrap();
    // The example only: the drive policy itself (drives.json) is rewritten by vault init
    // --accept-drive, which would make every upgrade ask about it.
    assert_eq!(conffiles.trim(), "/etc/vault/drives.json.example");
    // The binary is stripped; its debug symbols are in the .ddeb, by build ID.
    let unpacked = tempfile::tempdir().unwrap();
    ok("dpkg-deb", &["-x", deb.to_str().unwrap(), unpacked.path().to_str().unwrap()]);
    assert!(
        !has_section(&unpacked.path().join("usr/bin/vault"), ".debug_info"),
        "the packaged binary has debug info"
    );
    let debug = contents(&dbgsym);
    assert!(
        debug.iter().any(|f| f.starts_with("/usr/lib/debug/.build-id/") && f.ends_with(".debug")),
        "{debug:?}"
    );

    // Debian's own checker finds no error (warnings and notes are printed, not failed on).
    let (clean, out, err) =
        run("lintian", &["--fail-on", "error", "--tag-display-limit", "0", deb.to_str().unwrap()]);
    assert!(clean, "lintian found errors:\n{out}{err}");

    // Installed into this machine.
    ok("dpkg", &["-i", deb.to_str().unwrap()]);
    for path in INSTALLED {
        assert!(Path::new(path).exists(), "{path} not installed");
    }
    // Built from this tree (its commit, `+changes` as this test's own build says) on this CPU.
    let version = ok("/usr/bin/vault", &["--version"]);
    assert_eq!(version.trim(), format!("vault {}", vault::version::line()));
    let head = ok("git", &["-C", root_dir().to_str().unwrap(), "rev-parse", "--short=12", "HEAD"]);
    assert!(vault::version::COMMIT.starts_with(head.trim()), "{version}");
    assert_eq!(ok("man", &["-w", "vault"]).trim(), "/usr/share/man/man1/vault.1.gz");
    assert_eq!(ok("man", &["-w", "5", "vaultfmt"]).trim(), "/usr/share/man/man5/vaultfmt.5.gz");
    // bash loads the completion, which offers the commands.
    let offered = ok(
        "bash",
        &[
            "-c",
            "source /usr/share/bash-completion/completions/vault; COMP_WORDS=(vault mo); COMP_CWORD=1; _vault vault mo vault; echo ${COMPREPLY[@]}",
        ],
    );
    assert_eq!(offered.trim(), "mount", "{offered}");
    // The guard is enabled (not started: no systemd runs here, or it would be); the templates not.
    assert!(Path::new(GUARD_WANTS).exists(), "the guard is not enabled");
    assert!(!Path::new("/etc/systemd/system/timers.target.wants/vault-mirror@.timer").exists());
    for dir in ["/etc/vault/mirror", "/etc/vault/receive"] {
        let meta = std::fs::metadata(dir).unwrap();
        assert_eq!(std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o777, 0o700, "{dir}");
    }
    // systemd reads the units without a complaint (a template as one instance of it).
    if Path::new("/usr/bin/systemd-analyze").exists() {
        let units = tempfile::tempdir().unwrap();
        for (from, to) in [
            ("vault-guard.service", "vault-guard.service"),
            ("vault-mirror@.service", "vault-mirror@backup.service"),
            ("vault-mirror@.timer", "vault-mirror@backup.timer"),
            ("vault-receive@.service", "vault-receive@pacs.service"),
        ] {
            std::fs::copy(Path::new("/usr/lib/systemd/system").join(from), units.path().join(to)).unwrap();
        }
        for unit in [
            "vault-guard.service",
            "vault-mirror@backup.service",
            "vault-mirror@backup.timer",
            "vault-receive@pacs.service",
        ] {
            let path = units.path().join(unit);
            let (clean, out, err) = run("systemd-analyze", &["verify", "--man=no", path.to_str().unwrap()]);
            let text = format!("{out}{err}");
            let complaints: Vec<&str> = text.lines().filter(|l| l.contains("vault")).collect();
            assert!(clean && complaints.is_empty(), "systemd-analyze verify {unit}:\n{text}");
        }
    }

    // The administrator edits the example, writes a drive policy and a mirror's settings;
    // remove keeps them all.
    let example = "{\n  \"min_size_bytes\": 250000000000,\n  \"accepted\": []\n}\n";
    std::fs::write("/etc/vault/drives.json.example", example).unwrap();
    std::fs::write("/etc/vault/drives.json", "{\"min_size_bytes\": 200000000000}\n").unwrap();
    std::fs::write("/etc/vault/mirror/backup.conf", "SRC=/dev/disk/by-id/made-up\n").unwrap();
    ok("dpkg", &["-r", "vault"]);
    for path in INSTALLED {
        assert!(!Path::new(path).exists(), "{path} left after remove");
    }
    assert_eq!(std::fs::read_to_string("/etc/vault/drives.json.example").unwrap(), example);
    // The administrator disabled the guard meanwhile; reinstalled, the edits stand (the shipped
    // example did not change, so dpkg asks nothing) and the guard stays disabled.
    ok("systemctl", &["disable", "vault-guard.service"]);
    assert!(!Path::new(GUARD_WANTS).exists());
    ok("dpkg", &["-i", deb.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string("/etc/vault/drives.json.example").unwrap(), example);
    assert!(!Path::new(GUARD_WANTS).exists(), "reinstalling enabled a guard the administrator disabled");

    // Purged: nothing of the package is left; the administrator's own files are.
    ok("dpkg", &["--purge", "vault"]);
    for path in
        INSTALLED.iter().chain(&["/etc/vault/drives.json.example", GUARD_WANTS, "/usr/share/doc/vault"])
    {
        assert!(!Path::new(path).exists(), "{path} left after purge");
    }
    for path in ["/etc/vault/mirror/backup.conf", "/etc/vault/drives.json"] {
        assert!(Path::new(path).exists(), "purge removed the administrator's {path}");
    }
    let (listed, _, _) = run("dpkg", &["-s", "vault"]);
    assert!(!listed, "dpkg still knows vault after purge");
    assert!(
        !Path::new("/var/lib/systemd/deb-systemd-helper-enabled/vault-guard.service.dsh-also").exists(),
        "the guard's enablement state is left after purge"
    );

    // The machine as it was: put back when `_etc` drops.
}

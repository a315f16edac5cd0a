//! The docs say what the code does: man pages come from the clap definitions and must match.

use std::path::Path;

#[test]
fn man_pages_match_the_command_line_definitions() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let update = std::env::var_os("VAULT_UPDATE_MAN").is_some();
    let mut stale = Vec::new();
    for (name, contents) in vault::cli::man::pages() {
        let path = dir.join(&name);
        if update {
            std::fs::write(&path, &contents).unwrap();
        } else if std::fs::read(&path).ok().as_deref() != Some(&contents[..]) {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "man pages out of date: {stale:?}; run VAULT_UPDATE_MAN=1 cargo test --test docs"
    );
    assert!(dir.join("vaultfmt.5").exists(), "man/vaultfmt.5 documents the format");
}

#[test]
fn completion_scripts_match_the_command_line_definitions() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let update = std::env::var_os("VAULT_UPDATE_MAN").is_some();
    let mut stale = Vec::new();
    for (name, contents) in vault::cli::completions::scripts() {
        let path = dir.join(&name);
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &contents).unwrap();
        } else if std::fs::read(&path).ok().as_deref() != Some(&contents[..]) {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "completions out of date: {stale:?}; run VAULT_UPDATE_MAN=1 cargo test --test docs"
    );
    // Every command is offered.
    let bash = std::fs::read_to_string(dir.join("vault")).unwrap();
    for cmd in ["mount", "scrub", "mirror", "completions", "eject"] {
        assert!(bash.contains(&format!("vault,{cmd})")), "bash completion lacks {cmd}");
    }
}

#[test]
fn every_command_has_help_and_the_exit_code_table() {
    use clap::CommandFactory;
    let mut cmd = vault::cli::Cli::command();
    cmd.build();
    let help = cmd.render_long_help().to_string();
    for (code, meaning) in vault::exit::TABLE {
        assert!(help.contains(meaning), "exit {} missing from --help", *code as i32);
    }
    for sub in cmd.get_subcommands_mut() {
        let text = sub.render_long_help().to_string();
        assert!(text.contains("Usage:"), "{} has no usage", sub.get_name());
    }
}

/// The tables of `man/vaultfmt.5` as (offset, length, field) rows, one Vec per table whose
/// first column is "Offset".
fn format_tables() -> Vec<Vec<(usize, usize, String)>> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("man/vaultfmt.5")).unwrap();
    let mut tables = Vec::new();
    let mut current: Option<Vec<(usize, usize, String)>> = None;
    for line in text.lines() {
        match line {
            ".TE" => tables.extend(current.take()),
            l if l.starts_with("Offset\t") => current = Some(Vec::new()),
            l => {
                if let Some(rows) = current.as_mut() {
                    let cols: Vec<&str> = l.split('\t').collect();
                    if let [off, len, field] = cols[..] {
                        rows.push((off.parse().unwrap(), len.parse().unwrap(), field.to_string()));
                    }
                }
            }
        }
    }
    tables
}

#[test]
fn vaultfmt_5_describes_the_bytes_the_code_writes() {
    use vaultfmt::header::{Header, KEYSLOT_BYTES, KEYSLOTS, KdfParams, Keyslot, SlotKind};
    let tables = format_tables();
    assert_eq!(tables.len(), 4, "header, keyslot, superblock and store anchor tables");
    // Each table covers its structure exactly, field after field.
    for (table, size) in tables.iter().zip([4096, KEYSLOT_BYTES, 4096, 4096]) {
        let mut at = 0;
        for (off, len, field) in table {
            assert_eq!(*off, at, "field {field:?} should start at {at}");
            at += len;
        }
        assert_eq!(at, size);
    }
    // Spot-check the header table against an encoded header.
    let cheap = KdfParams { memory_kib: 64, time: 1, lanes: 1 };
    let slot = Keyslot::wrap(SlotKind::Passphrase, cheap, b"made-up", &[7; 64], &[1; 16], 0).unwrap();
    let mut slots: [Option<Keyslot>; KEYSLOTS] = Default::default();
    slots[0] = Some(slot.clone());
    let header = Header { version: 1, uuid: [0xab; 16], sequence: 0x1122, volume_bytes: 64 << 20, slots };
    let bytes = header.encode();
    let field = |name: &str| {
        let (off, len, _) =
            tables[0].iter().find(|(_, _, f)| f.starts_with(name)).unwrap_or_else(|| panic!("{name}"));
        &bytes[*off..off + len]
    };
    assert_eq!(field("magic"), b"VAULTHDR");
    assert_eq!(field("volume UUID"), &[0xab; 16]);
    assert_eq!(field("sequence number"), &0x1122u64.to_le_bytes());
    assert_eq!(field("volume size"), &(64u64 << 20).to_le_bytes());
    assert_eq!(field("keyslots")[..KEYSLOT_BYTES], slot.encode());
    assert_eq!(field("checksum"), blake3::hash(&bytes[..4064]).as_bytes());
    // And the keyslot table against an encoded slot.
    let encoded = slot.encode();
    let slot_field = |name: &str| {
        let (off, len, _) = tables[1].iter().find(|(_, _, f)| f.starts_with(name)).unwrap();
        &encoded[*off..off + len]
    };
    assert_eq!(slot_field("kind"), &[1]);
    assert_eq!(slot_field("Argon2id memory"), &64u32.to_le_bytes());
    assert_eq!(slot_field("salt"), &slot.salt);
    assert_eq!(slot_field("AES-GCM tag"), &slot.tag);
    // And the store anchor table against an encoded anchor.
    use vaultfmt::store::region::{Anchor, Layout};
    let anchor = Anchor {
        sequence: 7,
        meta_len: 12345,
        layout: Layout { meta_first: 3, meta_sectors: 1024, data_first: 1027, data_sectors: 9000 },
    };
    let bytes = anchor.encode(&[9; 32]);
    let anchor_field = |name: &str| {
        let (off, len, _) = tables[3].iter().find(|(_, _, f)| f.starts_with(name)).unwrap();
        &bytes[*off..off + len]
    };
    assert_eq!(anchor_field("magic"), b"VAULTST1");
    assert_eq!(anchor_field("metadata length"), &12345u64.to_le_bytes());
    assert_eq!(anchor_field("data region: first"), &1027u64.to_le_bytes());
    assert_eq!(anchor_field("keyed BLAKE3"), blake3::keyed_hash(&[9; 32], &bytes[..4064]).as_bytes());
}

/// The systemd unit that schedules mirrors passes only flags `vault mirror` has, and names its
/// timer Persistent as the README says.
#[test]
fn the_packaged_mirror_unit_uses_flags_vault_mirror_has() {
    use clap::CommandFactory;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging");
    let unit = std::fs::read_to_string(root.join("systemd/vault-mirror@.service")).unwrap();
    let exec = unit.lines().find(|l| l.starts_with("ExecStart=")).expect("an ExecStart line");
    assert!(exec.starts_with("ExecStart=/usr/bin/vault mirror "), "{exec}");
    let mut cmd = vault::cli::Cli::command();
    cmd.build();
    let mirror = cmd.find_subcommand("mirror").expect("vault mirror");
    let longs: Vec<String> =
        mirror.get_arguments().filter_map(|a| a.get_long()).map(|l| format!("--{l}")).collect();
    let used: Vec<&str> = exec.split_whitespace().filter(|w| w.starts_with("--")).collect();
    assert!(used.len() >= 3, "{exec}");
    for flag in used {
        assert!(longs.iter().any(|l| l == flag), "{flag} is not a flag of vault mirror");
    }
    let timer = std::fs::read_to_string(root.join("systemd/vault-mirror@.timer")).unwrap();
    assert!(timer.contains("Persistent=true"));
    let rule = std::fs::read_to_string(root.join("udev/99-vault-mirror.rules.example")).unwrap();
    assert!(rule.contains("SYSTEMD_WANTS}+=\"vault-mirror@"));
}

/// The drive policy the Debian package ships in /etc/vault is the one vault uses without it.
#[test]
fn the_packaged_drive_policy_is_the_default() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/etc/drives.json");
    let shipped: vault::drives::classify::DrivePolicy =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(shipped, vault::drives::classify::DrivePolicy::default());
}

/// Every variable a test reads to narrow, lengthen or replay itself is listed in test.sh, which
/// says when one is set (and which CI unsets): no run is shrunk silently.
#[test]
fn every_variable_that_changes_a_test_is_listed_in_test_sh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let listed = std::fs::read_to_string(root.join("test.sh")).unwrap();
    let mut read = std::collections::BTreeSet::new();
    for dir in ["tests", "vaultfmt/tests"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for (at, _) in text.match_indices("env::var") {
                    let rest = &text[at..];
                    if let Some(start) = rest.find("\"VAULT_").filter(|s| *s < 40) {
                        let name: String = rest[start + 1..]
                            .chars()
                            .take_while(|c| c.is_ascii_uppercase() || *c == '_')
                            .collect();
                        read.insert(name);
                    }
                }
            }
        }
    }
    // Not a narrowing: where the drive policy is read from (a made-up file in the tests).
    read.remove("VAULT_DRIVES_CONFIG");
    assert!(read.len() >= 8, "found too few: {read:?}");
    let missing: Vec<_> = read.iter().filter(|v| !listed.contains(&format!("[{v}]="))).collect();
    assert!(missing.is_empty(), "not listed in test.sh: {missing:?}");
}

//! `vault recovery`: open with the recovery key and set a new passphrase; or, with
//! `--new-key`, open with a passphrase and replace the recovery key.

use std::path::PathBuf;

use clap::Args;
use vaultfmt::dev::Access;
use vaultfmt::header::recovery::RecoveryKey;
use vaultfmt::header::{self, SlotKind};
use vaultfmt::{Secret, Volume};

use super::{KdfArgs, NewPassphraseArgs, PassphraseArgs, open_device, print_json, unlock, warn_header};
use crate::exit::Exit;
use crate::passphrase::{self, Source};

#[derive(Args, Debug)]
#[command(after_help = "The recovery key is the eight groups of digits printed by vault init. \
    It is read from the terminal, or from --recovery-key-file / --recovery-key-fd.")]
pub struct RecoveryArgs {
    /// The vault's drive or image file
    pub device: PathBuf,
    /// Read the recovery key from the first line of FILE instead of the terminal
    #[arg(long, value_name = "FILE", conflicts_with = "recovery_key_fd")]
    pub recovery_key_file: Option<PathBuf>,
    /// Read the recovery key from file descriptor N instead of the terminal
    #[arg(long, value_name = "N")]
    pub recovery_key_fd: Option<i32>,
    /// Put the new passphrase in keyslot N instead of a free slot (N must hold a passphrase)
    #[arg(long, value_name = "N", conflicts_with = "new_key")]
    pub replace: Option<usize>,
    /// Instead: open with a passphrase and replace the recovery key with a new one, shown once
    #[arg(long)]
    pub new_key: bool,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
    #[command(flatten)]
    pub new_passphrase: NewPassphraseArgs,
    #[command(flatten)]
    pub kdf: KdfArgs,
    /// Print the result as one JSON object
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: RecoveryArgs) -> anyhow::Result<Exit> {
    if args.new_key { new_recovery_key(&args) } else { recover(&args) }
}

fn recover(args: &RecoveryArgs) -> anyhow::Result<Exit> {
    let dev = open_device(&args.device, Access::ReadWrite)?;
    header::read_headers(&dev)?;
    let source = Source { file: args.recovery_key_file.clone(), fd: args.recovery_key_fd };
    let text = passphrase::read(&source, passphrase::RECOVERY, false)?;
    let key = RecoveryKey::parse(&String::from_utf8_lossy(&text))?;
    let mut volume = Volume::unlock(dev, Secret::Recovery(&key), None)?;
    warn_header(&volume);
    let new = passphrase::read_new(&args.new_passphrase.source(), passphrase::NEW)?;
    let kdf = args.kdf.calibrate();
    let slot = match args.replace {
        Some(slot) => {
            let kind = volume.header().slots.get(slot).and_then(|s| s.as_ref()).map(|s| s.kind);
            if kind != Some(SlotKind::Passphrase) {
                return Err(crate::error::Refusal(format!(
                    "{}: keyslot {slot} holds no passphrase; --replace takes a passphrase slot",
                    args.device.display()
                ))
                .into());
            }
            volume.replace_slot(slot, &new, kdf)?;
            slot
        }
        None => volume.add_slot(SlotKind::Passphrase, &new, kdf)?,
    };
    let name = args.device.display().to_string();
    if args.json {
        print_json(&serde_json::json!({"device": name, "action": "passphrase set", "slot": slot}));
    } else {
        println!("{name}: opened with the recovery key; the new passphrase is in keyslot {slot}.");
    }
    Ok(Exit::Ok)
}

fn new_recovery_key(args: &RecoveryArgs) -> anyhow::Result<Exit> {
    let mut volume = unlock(&args.device, &args.passphrase, None)?;
    let kdf = args.kdf.calibrate();
    let key = RecoveryKey::generate();
    let existing = volume.header().active_slots().find(|(_, s)| s.kind == SlotKind::Recovery).map(|(i, _)| i);
    let slot = match existing {
        Some(slot) => {
            volume.replace_slot(slot, key.as_bytes(), kdf)?;
            slot
        }
        None => volume.add_slot(SlotKind::Recovery, key.as_bytes(), kdf)?,
    };
    let shown = key.display();
    let name = args.device.display().to_string();
    if args.json {
        print_json(
            &serde_json::json!({"device": name, "action": "recovery key replaced", "slot": slot, "recovery_key": shown.as_str()}),
        );
    } else {
        println!("{name}: new recovery key in keyslot {slot}; the old one no longer opens the vault.");
        println!("It is shown only now: write it down and keep it apart from the drive.");
        println!();
        println!("    {}", shown.as_str());
        println!();
    }
    Ok(Exit::Ok)
}

//! `vault passwd`: change the passphrase of the slot it opens, add one, or remove a slot.

use std::path::PathBuf;

use clap::{ArgGroup, Args};
use vaultfmt::header::SlotKind;

use super::{KdfArgs, NewPassphraseArgs, PassphraseArgs, print_json, unlock};
use crate::exit::Exit;
use crate::passphrase;

#[derive(Args, Debug)]
#[command(group(ArgGroup::new("action").args(["add", "remove", "test"])))]
#[command(after_help = "Without --add or --remove, the passphrase of the slot that opens is \
    replaced. The current passphrase is asked first, then the new one (twice on a terminal).")]
pub struct PasswdArgs {
    /// The vault's drive or image file
    pub device: PathBuf,
    /// Add a passphrase in a free slot (the current one keeps working)
    #[arg(long)]
    pub add: bool,
    /// Remove keyslot N (the last passphrase slot is kept)
    #[arg(long, value_name = "N")]
    pub remove: Option<usize>,
    /// Only check that the passphrase opens the vault (exit 0, or 77 if it does not)
    #[arg(long)]
    pub test: bool,
    /// Try only keyslot N when opening
    #[arg(long, value_name = "N")]
    pub key_slot: Option<usize>,
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

pub fn run(args: PasswdArgs) -> anyhow::Result<Exit> {
    let mut volume = unlock(&args.device, &args.passphrase, args.key_slot)?;
    let name = args.device.display().to_string();
    let (action, slot) = if args.test {
        ("opens", volume.unlocked_slot())
    } else if let Some(slot) = args.remove {
        volume.remove_slot(slot)?;
        ("removed", slot)
    } else {
        let new = passphrase::read_new(&args.new_passphrase.source(), passphrase::NEW)?;
        let kdf = args.kdf.calibrate();
        if args.add {
            ("added", volume.add_slot(SlotKind::Passphrase, &new, kdf)?)
        } else {
            let slot = volume.unlocked_slot();
            volume.replace_slot(slot, &new, kdf)?;
            ("changed", slot)
        }
    };
    if args.json {
        print_json(&serde_json::json!({"device": name, "action": action, "slot": slot}));
    } else {
        match action {
            "opens" => {
                println!("{name}: the passphrase opens keyslot {slot}; nothing was changed.")
            }
            _ => println!("{name}: keyslot {slot} {action}."),
        }
    }
    Ok(Exit::Ok)
}

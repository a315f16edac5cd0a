//! `vault info`: what the plaintext header says, and nothing else. No passphrase is needed.

use std::path::PathBuf;

use clap::Args;
use vaultfmt::SECTOR_SIZE;
use vaultfmt::dev::Access;
use vaultfmt::header::{self, Copy};
use vaultfmt::volume::header_warning;

use super::{kdf_human, kdf_json, open_device, print_json, uuid_string};
use crate::exit::Exit;
use crate::size::human;

#[derive(Args, Debug)]
pub struct InfoArgs {
    /// The vault's drive or image file
    pub device: PathBuf,
    /// Print the result as one JSON object
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: InfoArgs) -> anyhow::Result<Exit> {
    let dev = open_device(&args.device, Access::ReadOnly)?;
    let read = header::read_headers(&dev)?;
    let h = &read.header;
    let name = args.device.display().to_string();
    let warning = header_warning(&read, &name);
    let header_state = match (&read.other_fault, read.other_stale) {
        (None, false) => "both copies valid".to_string(),
        (Some((copy, fault)), _) => format!("{} copy unusable: {fault}", copy.name()),
        (None, true) => "copies differ (interrupted update)".to_string(),
    };
    if args.json {
        let slots: Vec<_> = h
            .active_slots()
            .map(|(i, s)| serde_json::json!({"slot": i, "kind": s.kind.name(), "kdf": kdf_json(&s.kdf)}))
            .collect();
        print_json(&serde_json::json!({
            "device": name,
            "format_version": h.version,
            "uuid": uuid_string(&h.uuid),
            "sequence": h.sequence,
            "volume_bytes": h.volume_bytes,
            "data_offset": h.data_offset(),
            "data_bytes": h.data_bytes(),
            "sector_size": SECTOR_SIZE,
            "cipher": "aes-256-xts-plain64",
            "key_wrap": "aes-256-gcm",
            "header_source": read.source.name(),
            "fell_back_to_backup": read.source == Copy::Backup,
            "header_state": header_state,
            "warning": warning,
            "keyslots": slots,
        }));
    } else {
        if let Some(w) = &warning {
            eprintln!("vault: warning: {w}");
        }
        println!("{name}");
        println!("  format     vault version {}", h.version);
        println!("  UUID       {}", uuid_string(&h.uuid));
        println!("  size       {} ({} bytes)", human(h.volume_bytes), h.volume_bytes);
        println!("  data area  {} at byte {}", human(h.data_bytes()), h.data_offset());
        println!("  cipher     AES-256-XTS, {SECTOR_SIZE}-byte sectors, tweak = sector number");
        println!(
            "  header     read from the {} copy ({header_state}), sequence {}",
            read.source.name(),
            h.sequence
        );
        println!("  keyslots");
        for (i, s) in h.active_slots() {
            println!("    {i}  {:<10}  {}", s.kind.name(), kdf_human(&s.kdf));
        }
    }
    Ok(Exit::Ok)
}

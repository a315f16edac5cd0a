//! `vault log`: the vault's audit log. A mounted vault's log comes from its mount's process
//! (the mount holds the store), and `--follow` prints each new record as it is committed.

use clap::Args;
use vaultfmt::store::AuditRecord;
use vaultfmt::store::audit::format_line;

use super::{PassphraseArgs, print_json};
use crate::control::{self, Opened};
use crate::exit::Exit;

#[derive(Args, Debug)]
#[command(after_help = "Records name the door, the path, the rule and the tag of each refusal, \
    never a value; a file the mount removed because a write to it failed (the vault was full) is \
    recorded as `incomplete`, with the reason. While the vault is mounted its mount's process sends the log, so a refusal at \
    drag and drop can be read at once; with --follow, new records are printed as they are \
    committed until the vault is unmounted or the command is interrupted.")]
pub struct LogArgs {
    /// The vault's drive or image file
    pub device: std::path::PathBuf,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
    /// One JSON object per record, one per line (JSON Lines)
    #[arg(long)]
    pub json: bool,
    /// Keep printing new records as they are committed (a mounted vault), until it is unmounted
    #[arg(long, short = 'f')]
    pub follow: bool,
}

fn print(seq: u64, record: &AuditRecord, json: bool) {
    if json {
        let fields: serde_json::Map<String, serde_json::Value> =
            record.fields.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
        print_json(
            &serde_json::json!({"seq": seq, "time": record.time.secs, "event": record.event, "fields": fields}),
        );
    } else {
        println!("{}", format_line(record));
    }
    // Followed through a pipe (`| grep refuse`): each record as it comes.
    let _ = std::io::Write::flush(&mut std::io::stdout());
}

pub fn run(args: LogArgs) -> anyhow::Result<Exit> {
    let volume = super::unlock(&args.device, &args.passphrase, None)?;
    match control::open_or_ask_mount(&args.device, volume, "log")? {
        Opened::Here(store) => {
            for (seq, record) in store.read()?.audit()? {
                print(seq, &record, args.json);
            }
            if args.follow {
                eprintln!(
                    "vault: {} is not mounted: only this command has it open, so its log will not \
                     change; --follow follows a mounted vault's log",
                    args.device.display()
                );
            }
        }
        Opened::Mounted(client, key) => {
            client.log(&key, args.follow, &mut |seq, record| print(seq, &record, args.json))?;
        }
    }
    Ok(Exit::Ok)
}

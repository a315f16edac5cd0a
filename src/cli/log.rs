//! `vault log`: the vault's audit log.

use clap::Args;
use vaultfmt::store::audit::format_line;

use super::target::open_store;
use super::{PassphraseArgs, print_json};
use crate::exit::Exit;

#[derive(Args, Debug)]
pub struct LogArgs {
    /// The vault's drive or image file
    pub device: std::path::PathBuf,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
    /// One JSON object per record, one per line
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: LogArgs) -> anyhow::Result<Exit> {
    let store = open_store(&args.device, &args.passphrase, "log")?;
    for (seq, record) in store.read()?.audit()? {
        if args.json {
            let fields: serde_json::Map<String, serde_json::Value> = record
                .fields
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                .collect();
            print_json(
                &serde_json::json!({"seq": seq, "time": record.time.secs, "event": record.event, "fields": fields}),
            );
        } else {
            println!("{}", format_line(&record));
        }
    }
    Ok(Exit::Ok)
}

//! `vault policy show|set`: the gate's policy, kept in the vault's metadata (MAC'd like every
//! record). Every change is recorded in the audit log.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use vaultfmt::dev::FileDevice;
use vaultfmt::store::Store;

use super::check::load_policy;
use super::target::open_store;
use super::{PassphraseArgs, print_json};
use crate::exit::Exit;
use crate::gate::{POLICY_SETTING, Policy};

#[derive(Subcommand, Debug)]
pub enum PolicyCommand {
    /// Show the vault's gate policy
    Show(ShowArgs),
    /// Change the vault's gate policy (recorded in the audit log)
    Set(SetArgs),
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// The vault's drive or image file
    pub device: PathBuf,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
    /// Print the policy as one JSON object (the format `set --file` reads)
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct SetArgs {
    /// The vault's drive or image file
    pub device: PathBuf,
    /// Replace the whole policy with this file (JSON, as `show --json` prints)
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Keep Patient ID (only where the local trust allows it)
    #[arg(long, value_name = "yes|no", value_parser = yes_no)]
    pub retain_patient_id: Option<bool>,
    /// Keep Accession Number (only where the local trust allows it)
    #[arg(long, value_name = "yes|no", value_parser = yes_no)]
    pub retain_accession_number: Option<bool>,
    /// Add a dummy value that counts as no identity (may be repeated)
    #[arg(long, value_name = "VALUE")]
    pub dummy: Vec<String>,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
}

fn yes_no(s: &str) -> Result<bool, String> {
    match s {
        "yes" => Ok(true),
        "no" => Ok(false),
        _ => Err(format!("{s:?}: say yes or no")),
    }
}

/// The vault's policy, or the default when none was set.
pub fn vault_policy(store: &Store<FileDevice>) -> anyhow::Result<Policy> {
    Ok(store.begin_read_setting(POLICY_SETTING)?.unwrap_or_default())
}

pub fn run(cmd: PolicyCommand) -> anyhow::Result<Exit> {
    match cmd {
        PolicyCommand::Show(a) => {
            let store = open_store(&a.device, &a.passphrase, "policy show")?;
            let policy = vault_policy(&store)?;
            if a.json {
                print_json(&serde_json::to_value(&policy)?);
            } else {
                let yes = |b: bool| if b { "yes" } else { "no" };
                println!("identifying attributes  {}", policy.identifying.join(", "));
                println!("retain patient ID       {}", yes(policy.retain_patient_id));
                println!("retain accession number {}", yes(policy.retain_accession_number));
                println!("refuse person names     {}", yes(policy.refuse_person_names));
                println!("refuse burned-in data   {}", yes(policy.refuse_burned_in));
                println!("dummy values            {}", policy.dummy_values.join(", "));
            }
            Ok(Exit::Ok)
        }
        PolicyCommand::Set(a) => {
            let store = open_store(&a.device, &a.passphrase, "policy set")?;
            let mut policy = match &a.file {
                Some(f) => load_policy(f)?,
                None => vault_policy(&store)?,
            };
            if let Some(v) = a.retain_patient_id {
                policy.retain_patient_id = v;
            }
            if let Some(v) = a.retain_accession_number {
                policy.retain_accession_number = v;
            }
            policy.dummy_values.extend(a.dummy.iter().cloned());
            let mut tx = store.begin()?;
            tx.put_setting(POLICY_SETTING, &policy)?;
            let yes = |b: bool| if b { "yes" } else { "no" };
            tx.audit(
                "policy",
                &[
                    ("retain_patient_id", yes(policy.retain_patient_id)),
                    ("retain_accession_number", yes(policy.retain_accession_number)),
                    ("identifying", &policy.identifying.len().to_string()),
                    ("dummy_values", &policy.dummy_values.len().to_string()),
                ],
            )?;
            tx.commit()?;
            println!("{}: policy saved.", a.device.display());
            Ok(Exit::Ok)
        }
    }
}

//! `vault policy show|set`: the gate's policy, kept in the vault's metadata (MAC'd like every
//! record). Every change is recorded in the audit log.

use std::path::PathBuf;

use super::target::open_store;
use super::{PassphraseArgs, print_json};
use crate::error::UsageError;
use crate::exit::Exit;
use crate::gate::door::{save_policy, vault_policy};
use crate::gate::{Policy, Retain};
use clap::{Args, Subcommand};

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
    /// Allow an option of the de-identification profile (a file that declares it may keep what
    /// it keeps); may be repeated
    #[arg(long, value_name = "OPTION")]
    pub allow: Vec<Retain>,
    /// No longer allow an option; may be repeated
    #[arg(long, value_name = "OPTION")]
    pub disallow: Vec<Retain>,
    /// Read the pixels of images that carry text (ultrasound, NM, captures, colour, image files)
    /// with OCR, refusing what shows a patient (default yes); no: decide from the header alone
    #[arg(long, value_name = "yes|no", value_parser = yes_no)]
    pub ocr: Option<bool>,
    /// Read original grey CT, MR and PET slices with OCR too (default no: they seldom carry text
    /// and are most of a study)
    #[arg(long, value_name = "yes|no", value_parser = yes_no)]
    pub ocr_every_image: Option<bool>,
    /// Warn at mount when the last complete mirror is older than DAYS (default 7; 0: never)
    #[arg(long, value_name = "DAYS")]
    pub backup_max_age: Option<u32>,
    /// Add a dummy value that counts as no identity (may be repeated; not one with five digits
    /// or more, or a labelled field's shape, which an ID, a date or a label could be)
    #[arg(long, value_name = "VALUE")]
    pub dummy: Vec<String>,
    /// Let `vault receive` take associations from this calling AE title (may be repeated)
    #[arg(long, value_name = "AE")]
    pub sender: Vec<String>,
    /// Stop taking associations from this calling AE title (may be repeated)
    #[arg(long, value_name = "AE")]
    pub not_sender: Vec<String>,
    /// Senders must come from this IP address (may be repeated; none listed: any address)
    #[arg(long, value_name = "IP")]
    pub sender_address: Vec<std::net::IpAddr>,
    /// Remove an address from the senders' list
    #[arg(long, value_name = "IP")]
    pub not_sender_address: Vec<std::net::IpAddr>,
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

pub fn run(cmd: PolicyCommand) -> anyhow::Result<Exit> {
    match cmd {
        PolicyCommand::Show(a) => {
            let store = open_store(&a.device, &a.passphrase, "policy show")?;
            let policy = vault_policy(&store)?;
            if a.json {
                print_json(&serde_json::to_value(&policy)?);
            } else {
                let yes = |b: bool| if b { "yes" } else { "no" };
                let options: Vec<&str> = policy.options.iter().map(|o| o.name()).collect();
                println!("profile                 DICOM PS3.15 Annex E basic profile (2026c)");
                println!("options allowed         {}", options.join(", "));
                println!("retain patient ID       {}", yes(policy.retain_patient_id));
                println!("retain accession number {}", yes(policy.retain_accession_number));
                println!("refuse burned-in data   {}", yes(policy.refuse_burned_in));
                println!("read pixels (OCR)       {}", yes(policy.ocr));
                println!("OCR every image         {}", yes(policy.ocr_every_image));
                println!("dummy values            {}", policy.dummy_values.join(", "));
                println!("safe private elements   {}", policy.safe_private.len());
                let none =
                    |v: &[String], what: &str| if v.is_empty() { what.to_string() } else { v.join(", ") };
                println!(
                    "DICOM senders           {}",
                    none(&policy.senders, "none (vault receive takes no association)")
                );
                println!("senders' addresses      {}", none(&policy.sender_addresses, "any"));
                match policy.backup_max_age_days {
                    0 => println!("backup age warning      never"),
                    d => println!("backup age warning      after {}", crate::size::count(d, "day")),
                }
            }
            Ok(Exit::Ok)
        }
        PolicyCommand::Set(a) => {
            let store = open_store(&a.device, &a.passphrase, "policy set")?;
            let mut policy = match &a.file {
                Some(f) => Policy::load(f)?,
                None => vault_policy(&store)?,
            };
            if let Some(v) = a.retain_patient_id {
                policy.retain_patient_id = v;
            }
            if let Some(v) = a.retain_accession_number {
                policy.retain_accession_number = v;
            }
            if let Some(v) = a.ocr {
                policy.ocr = v;
            }
            if let Some(v) = a.ocr_every_image {
                policy.ocr_every_image = v;
            }
            if let Some(v) = a.backup_max_age {
                policy.backup_max_age_days = v;
            }
            for o in &a.allow {
                match o {
                    Retain::PatientId => policy.retain_patient_id = true,
                    Retain::AccessionNumber => policy.retain_accession_number = true,
                    o if !policy.options.contains(o) => policy.options.push(*o),
                    _ => {}
                }
            }
            for o in &a.disallow {
                match o {
                    Retain::PatientId => policy.retain_patient_id = false,
                    Retain::AccessionNumber => policy.retain_accession_number = false,
                    o => policy.options.retain(|p| p != o),
                }
            }
            policy.options.sort();
            for d in &a.dummy {
                if let Some(why) = crate::gate::unfit_dummy(d) {
                    return Err(UsageError(format!(
                        "--dummy: refused, a value with {why}: a dummy counts as no value wherever it stands"
                    ))
                    .into());
                }
            }
            policy.dummy_values.extend(a.dummy.iter().cloned());
            for ae in &a.sender {
                let ae =
                    crate::receive::dimse::ae_title(ae).map_err(|e| UsageError(format!("--sender {e}")))?;
                if !policy.senders.iter().any(|s| s == ae) {
                    policy.senders.push(ae.to_string());
                }
            }
            policy.senders.retain(|s| !a.not_sender.iter().any(|n| n.trim() == s));
            for ip in &a.sender_address {
                let ip = ip.to_string();
                if !policy.sender_addresses.contains(&ip) {
                    policy.sender_addresses.push(ip);
                }
            }
            policy.sender_addresses.retain(|s| !a.not_sender_address.iter().any(|n| n.to_string() == *s));
            let mut tx = store.begin()?;
            save_policy(&mut tx, &policy)?;
            let yes = |b: bool| if b { "yes" } else { "no" };
            tx.audit(
                "policy",
                &[
                    ("retain_patient_id", yes(policy.retain_patient_id)),
                    ("retain_accession_number", yes(policy.retain_accession_number)),
                    ("options", &policy.options.iter().map(|o| o.name()).collect::<Vec<_>>().join(",")),
                    ("dummy_values", &policy.dummy_values.len().to_string()),
                    ("ocr", yes(policy.ocr)),
                    ("ocr_every_image", yes(policy.ocr_every_image)),
                    ("backup_max_age_days", &policy.backup_max_age_days.to_string()),
                    ("senders", &policy.senders.join(",")),
                    ("sender_addresses", &policy.sender_addresses.join(",")),
                ],
            )?;
            tx.commit()?;
            println!("{}: policy saved.", a.device.display());
            Ok(Exit::Ok)
        }
    }
}

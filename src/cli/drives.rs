//! `vault drives`: the attached drives, each with the drive policy's verdict and its evidence.

use clap::Args;

use super::print_json;
use crate::drives::classify::{self, Classification, DeviceFacts, Verdict};
use crate::drives::discover;
use crate::exit::Exit;
use crate::size::human;

#[derive(Args, Debug)]
#[command(after_help = "Verdicts: ok (may hold a vault), refuse (the rule named), unclassified \
    (refused unless accepted with vault init DEVICE --accept-drive, which pins the drive by serial \
    and WWN in the drive policy). The drive policy is /etc/vault/drives.json (or the file \
    VAULT_DRIVES_CONFIG names): {\"min_size_bytes\": N, \"accepted\": [...]}.")]
pub struct DrivesArgs {
    /// Show every signal, its value and where it came from
    #[arg(long)]
    pub explain: bool,
    /// One JSON object per drive, one per line (JSON Lines)
    #[arg(long)]
    pub json: bool,
}

pub fn json(facts: &DeviceFacts, c: &Classification) -> serde_json::Value {
    serde_json::json!({
        "path": facts.path, "verdict": c.verdict, "rule": c.rule, "why": c.why,
        "facts": facts, "evidence": c.evidence,
    })
}

pub fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Ok => "ok",
        Verdict::Refuse => "refuse",
        Verdict::Unclassified => "unclassified",
    }
}

pub fn run(args: DrivesArgs) -> anyhow::Result<Exit> {
    let policy = discover::load_policy()?;
    let drives = discover::all()?;
    if !args.json {
        println!("{:<14} {:>9}  {:<9} {:<28} {:<13} rule", "device", "size", "bus", "model", "verdict");
    }
    for facts in &drives {
        let c = classify::classify(facts, &policy);
        if args.json {
            print_json(&json(facts, &c));
            continue;
        }
        let bus = facts.bus.map(|b| format!("{b:?}").to_lowercase()).unwrap_or_else(|| "?".into());
        let model = [facts.vendor.as_deref(), facts.model.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
            .replace('_', " ");
        println!(
            "{:<14} {:>9}  {:<9} {:<28} {:<13} {}: {}",
            facts.path,
            human(facts.size_bytes),
            bus,
            if model.is_empty() { "-".to_string() } else { model.chars().take(28).collect() },
            verdict_word(c.verdict),
            c.rule,
            c.why
        );
        if args.explain {
            for e in &c.evidence {
                println!("    {:<13} {:<24} ({})", e.signal, e.value, e.source);
            }
        }
    }
    if drives.is_empty() && !args.json {
        eprintln!("vault: no block devices with a medium found");
    }
    Ok(Exit::Ok)
}

//! `vault scrub`: de-identify DICOM files into a folder, so that the gate accepts them.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use clap::Args;

use super::{PassphraseArgs, print_json};
use crate::control::{self, Opened};
use crate::exit::Exit;
use crate::gate::host::{self, HostFile};
use crate::gate::{Policy, Sight};
use crate::scrub::file::{Outcome, scrub_bytes};
use crate::scrub::key::{key_from_file, vault_key};
use crate::scrub::options::{load_redaction, profile_for};
use crate::size::count;

/// What `vault scrub --help` says before its exit note.
const SCRUB_BEFORE: &str = "Applies the DICOM PS3.15 Annex E basic application level confidentiality \
    profile at every depth, and what the gate's law adds to it (names, free text and descriptions \
    beyond the table, unknown attributes, the meta group's AE titles), removes private elements, \
    replaces UIDs with ones made from the vault's secret (the same study gives the same new UIDs \
    every time), and records what was done (PatientIdentityRemoved, DeidentificationMethod and its \
    code sequence). Without --retain, the options clean-descriptors and patient-characteristics \
    apply where the policy allows them (descriptions such as AXIAL 5MM stay, cleaned of names, \
    dates and IDs); --basic applies none. Each output is checked \
    by the gate before it is written; what the gate would refuse is not written and is listed. \
    Images whose pixels show patient data (OCR reads them: names, IDs, birth dates, dates, \
    labelled fields) are refused unless --redact blanks it: --redact auto blanks every box of text \
    OCR reads in every image it reads (and vault's device rules), reads the output again, and \
    writes it, with BurnedInAnnotation NO, only if nothing identifying is legible; PNG, JPEG, TIFF, \
    BMP, WebP and one-frame GIF images are redacted the same way and written in their format. Compressed DICOM is decoded \
    first and written uncompressed, and what cannot be decoded is refused. Folders are scrubbed recursively into the same \
    layout under --out; other files are copied unchanged when the gate passes them (a document \
    that labels a patient's name, birth date or ID is refused: vault cannot clean a document). \
    Inputs are never written over.\n\n\
    The key UIDs are made with: the vault's (with --vault), or --key-file (made if missing), \
    or ~/.config/vault/scrub.key. A mounted vault given to --vault lends its key and policy \
    through its mount's process, so --out may be a folder in the mounted vault.";

#[derive(Args, Debug)]
#[command(after_help = format!("{SCRUB_BEFORE}\n\n{}", crate::exit::status(&[
    (Exit::Ok, "when every file was written"),
    (Exit::Refused, "when any was refused"),
    (Exit::Io, "when any could not be read or written"),
    (Exit::Usage, "on a usage error"),
])))]
pub struct ScrubArgs {
    /// Files and folders to scrub
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The folder to write into (made if missing)
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    #[command(flatten)]
    pub options: super::ScrubOptions,
    /// Take the key and the gate policy from this vault
    #[arg(long, value_name = "DEVICE", conflicts_with = "key_file")]
    pub vault: Option<PathBuf>,
    /// Take the key from FILE (32 bytes; made if missing)
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// A gate policy file, without --vault
    #[arg(long, value_name = "FILE", conflicts_with = "vault")]
    pub policy: Option<PathBuf>,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
    /// One JSON object per file, one per line (JSON Lines)
    #[arg(long)]
    pub json: bool,
}

/// Files this large are mapped, not read: what the scrub does not touch (pixel data it keeps)
/// is never copied.
const MAP_AT_LEAST: u64 = 128 << 10;

/// Writes `bytes` to `dest` through a temporary name; refuses to replace an input.
fn write_out(dest: &Path, bytes: &[u8], inputs: &[(u64, u64)]) -> std::io::Result<()> {
    if let Ok(m) = std::fs::metadata(dest)
        && inputs.contains(&(m.dev(), m.ino()))
    {
        return Err(std::io::Error::other("it is one of the inputs; refusing to write over it"));
    }
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir)?;
    }
    // The whole name goes into the temporary one: a.dcm and a.txt must not share it (the
    // files are written by several threads at once).
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(dest.file_name().unwrap_or_default());
    temp_name.push(".vault-scrub-tmp");
    let temp = dest.with_file_name(temp_name);
    std::fs::write(&temp, bytes)?;
    std::fs::rename(&temp, dest)
}

pub fn run(args: ScrubArgs) -> anyhow::Result<Exit> {
    super::reuse_large_buffers();
    let (policy, key) = match &args.vault {
        Some(device) => {
            match control::open_or_ask_mount(device, super::unlock(device, &args.passphrase, None)?, "scrub")?
            {
                Opened::Here(store) => (crate::gate::door::vault_policy(&store)?, vault_key(&store)?),
                // A mounted vault: its mount's process gives its policy and key (the outputs can
                // then be written into the mounted folder).
                Opened::Mounted(client, key) => {
                    let settings = client.settings(&key, control::Asker::Scrub, true)?;
                    let key = settings
                        .key
                        .ok_or_else(|| crate::error::Error::Control("the mount gave no scrub key".into()))?;
                    (settings.policy, key)
                }
            }
        }
        None => {
            let policy = match &args.policy {
                Some(p) => Policy::load(p)?,
                None => Policy::default(),
            };
            let key_path = args.key_file.clone().unwrap_or_else(|| {
                let home =
                    std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/root"));
                home.join(".config/vault/scrub.key")
            });
            (policy, key_from_file(&key_path)?)
        }
    };
    let profile = profile_for(&args.options.asked(), &policy)?;
    let redaction = load_redaction(args.options.redact.as_deref())?;
    let mut files = Vec::new();
    for p in &args.paths {
        let name = p.file_name().map(PathBuf::from).unwrap_or_default();
        host::files(p, name, &mut files)?;
    }
    let inputs: Vec<(u64, u64)> =
        files.iter().filter_map(|(p, _)| std::fs::metadata(p).ok()).map(|m| (m.dev(), m.ino())).collect();
    let results = crate::parallel::map(&files, |(src, rel)| {
        let dest = args.out.join(rel);
        HostFile::open(src, MAP_AT_LEAST).map_err(|e| e.to_string()).and_then(|input| {
            let bytes = input.bytes();
            let outcome = scrub_bytes(bytes, &profile, &key, &policy, redaction.as_ref(), &Sight::system());
            match &outcome {
                Outcome::Scrubbed(out) => write_out(&dest, out, &inputs).map_err(|e| e.to_string())?,
                Outcome::Unchanged => write_out(&dest, bytes, &inputs).map_err(|e| e.to_string())?,
                Outcome::Refused(_) => {}
            }
            Ok(outcome)
        })
    });
    let (mut written, mut copied, mut refused, mut errors) = (0, 0, 0, 0);
    for ((src, rel), result) in files.iter().zip(results) {
        let dest = args.out.join(rel);
        let (word, why) = match result {
            Ok(Outcome::Scrubbed(_)) => {
                written += 1;
                ("scrubbed", Vec::new())
            }
            Ok(Outcome::Unchanged) => {
                copied += 1;
                ("copied", Vec::new())
            }
            Ok(Outcome::Refused(why)) => {
                refused += 1;
                ("refused", why.iter().map(ToString::to_string).collect())
            }
            Err(e) => {
                errors += 1;
                ("error", vec![e])
            }
        };
        if args.json {
            print_json(&serde_json::json!({
                "path": src.display().to_string(), "out": dest.display().to_string(),
                "result": word, "reasons": why,
            }));
        } else {
            println!("{word:<9} {}", src.display());
            for w in &why {
                println!("          {w}");
            }
        }
    }
    if !args.json {
        eprintln!(
            "{}: {written} scrubbed, {copied} copied unchanged (not DICOM), {refused} refused, {}",
            count(files.len(), "file"),
            count(errors, "error")
        );
    }
    Ok(Exit::for_files(refused, errors))
}

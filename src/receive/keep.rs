//! Where a receiver keeps what it takes: a vault's store this process opened ([`Local`]), or —
//! when a mount's process holds the vault — that process, asked through its control socket
//! (`crate::control`), which keeps each instance with [`keep_instance`] all the same.
//!
//! An instance is judged by the gate before any transaction begins (a slow reading, OCR of an
//! ultrasound, holds up no other writer: not the mount's requests, not another association),
//! then written from the very memory the gate read and named by its UIDs, in one transaction
//! committed durably ([`store_judged`]).

use dicom_dictionary_std::tags;
use dicom_object::OpenFileOptions;
use dicom_object::file::ReadPreamble;
use serde::{Deserialize, Serialize};
use vaultfmt::dev::BlockDevice;
use vaultfmt::store::{Store, StoreError, Txn, split_path};

use super::dimse;
use crate::gate::door::{Door, audit_refusal, judge, store_judged};
use crate::gate::{Policy, Reason, Sight};

/// What became of an instance.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "taken", content = "why", rename_all = "kebab-case")]
pub enum Taken {
    /// Stored at this vault path.
    Stored(String),
    /// Refused: the Error Comment (the gate's rule and tag).
    Refused(String),
    /// Not stored, for this status and comment.
    Failed(u16, String),
}

/// Where a receiver keeps instances and writes its audit records.
pub trait Keeper: Sync {
    /// Keeps one Part 10 instance under the vault folder `into` (see [`keep_instance`]).
    fn keep(&self, into: &str, bytes: &[u8], door: Door<'_>) -> Taken;
    /// Writes one audit record, committed.
    fn audit(&self, event: &str, fields: &[(&str, &str)]) -> Result<(), String>;
}

/// A vault's store opened by this process, and its policy.
pub struct Local<'a, D: BlockDevice + 'static> {
    pub store: &'a Store<D>,
    pub policy: &'a Policy,
}

impl<D: BlockDevice + 'static> Keeper for Local<'_, D>
where
    Store<D>: Sync,
{
    fn keep(&self, into: &str, bytes: &[u8], door: Door<'_>) -> Taken {
        keep_instance(self.store, self.policy, into, bytes, door).unwrap_or_else(failed)
    }

    fn audit(&self, event: &str, fields: &[(&str, &str)]) -> Result<(), String> {
        let mut tx = self.store.begin().map_err(|e| e.to_string())?;
        tx.audit(event, fields).map_err(|e| e.to_string())?;
        tx.commit().map_err(|e| e.to_string())
    }
}

/// The path a refused instance is audited under: it never has a name of its own (its UIDs are
/// read only once the gate has passed it).
pub const RECEIVING: &str = ".receiving";

/// Where an instance not (yet) named by its UIDs is said to be: `INTO/.receiving`.
pub fn receiving(into: &str) -> String {
    format!("{}/{RECEIVING}", into.trim_end_matches('/'))
}

/// Status 0111, Duplicate SOP Instance (PS3.7 C.4): the UIDs name another instance stored.
const DUPLICATE_INSTANCE: u16 = 0x0111;

/// Judges `bytes` (a Part 10 file) and, when the gate passes them, stores them as
/// `INTO/STUDY/SERIES/INSTANCE.dcm`, named by their (replaced) UIDs, and audits it as received;
/// or audits the refusal. An instance already stored under those UIDs is kept: the same bytes
/// again are taken (a study sent twice), other bytes refused (0111), never written over it.
pub fn keep_instance<D: BlockDevice + 'static>(
    store: &Store<D>,
    policy: &Policy,
    into: &str,
    bytes: &[u8],
    door: Door<'_>,
) -> Result<Taken, StoreError> {
    let into = into.trim_end_matches('/');
    let judged = judge(store, bytes, policy, &Sight::system())?;
    let mut tx = store.begin()?;
    let taken = if !judged.verdict().accept {
        let verdict = judged.refuse(&mut tx, door, &receiving(into))?;
        Taken::Refused(comment(&verdict.reasons))
    } else {
        match uid_path(bytes) {
            Err(why) => Taken::Failed(dimse::CANNOT_UNDERSTAND, why.into()),
            Ok(relative) => {
                let path = format!("{into}/{relative}");
                let (dir, name) = split_path(&path);
                let parent = tx.mkdir_all(dir, 0o755)?;
                let received = |tx: &mut Txn<'_, D>, again: &[(&str, &str)]| {
                    let fields = [&[("door", door.name), ("path", path.as_str())], again, door.from].concat();
                    tx.audit("received", &fields)
                };
                match tx.lookup(parent, name)? {
                    Some(old) if holds(&tx, old, bytes)? => {
                        received(&mut tx, &[("again", "yes")])?;
                        Taken::Stored(path.clone())
                    }
                    Some(_) => {
                        let reason = Reason {
                            rule: "duplicate-instance",
                            tag: "(0008,0018)".into(),
                            keyword: "SOPInstanceUID".into(),
                            location: String::new(),
                            detail: "",
                            option: None,
                            region: None,
                        };
                        audit_refusal(&mut tx, door, &path, std::slice::from_ref(&reason))?;
                        Taken::Failed(DUPLICATE_INSTANCE, comment(&[reason]))
                    }
                    None => {
                        store_judged(&mut tx, (parent, name, &path), judged, door)?;
                        received(&mut tx, &[])?;
                        Taken::Stored(path.clone())
                    }
                }
            }
        }
    };
    tx.commit()?;
    Ok(taken)
}

/// `STUDY/SERIES/INSTANCE.dcm` from a file's UIDs (read only once the gate has read the file
/// whole and passed it); a study or series UID missing, or not a UID (digits in dot-separated
/// components), is `unknown-…`. Why not, when the data set has no SOP Instance UID, or its SOP
/// class or instance is not the one its meta group (the command's) names: such a file would
/// say two things about itself.
fn uid_path(bytes: &[u8]) -> Result<String, &'static str> {
    let obj = OpenFileOptions::new()
        .read_preamble(ReadPreamble::Always)
        .read_until(tags::PIXEL_DATA)
        .from_reader(bytes)
        .map_err(|_| "the data set does not read")?;
    let uid = |tag| {
        obj.element(tag)
            .ok()
            .and_then(|e| e.to_str().ok())
            .map(|s| s.trim_end_matches(['\0', ' ']).to_string())
            .filter(|s| {
                s.len() <= 64 && s.split('.').all(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_digit()))
            })
    };
    let instance = uid(tags::SOP_INSTANCE_UID).ok_or("the data set has no SOP Instance UID")?;
    let meta = obj.meta();
    if meta.media_storage_sop_instance_uid().trim_end_matches(['\0', ' ']) != instance {
        return Err("the data set's SOP Instance UID is not the command's");
    }
    if uid(tags::SOP_CLASS_UID).as_deref()
        != Some(meta.media_storage_sop_class_uid().trim_end_matches(['\0', ' ']))
    {
        return Err("the data set's SOP Class UID is not the command's");
    }
    Ok(format!(
        "{}/{}/{instance}.dcm",
        uid(tags::STUDY_INSTANCE_UID).unwrap_or_else(|| "unknown-study".into()),
        uid(tags::SERIES_INSTANCE_UID).unwrap_or_else(|| "unknown-series".into()),
    ))
}

/// True when stored file `ino` holds exactly `bytes`.
fn holds<D: BlockDevice + 'static>(tx: &Txn<'_, D>, ino: u64, bytes: &[u8]) -> Result<bool, StoreError> {
    if tx.inode(ino)?.map(|i| i.size) != Some(bytes.len() as u64) {
        return Ok(false);
    }
    let mut buf = vec![0u8; (1 << 20).min(bytes.len().max(1))];
    let mut at = 0;
    while at < bytes.len() {
        let n = tx.read_at(ino, at as u64, &mut buf)?;
        if n == 0 || bytes[at..].len() < n || buf[..n] != bytes[at..at + n] {
            return Ok(false);
        }
        at += n;
    }
    Ok(true)
}

/// A store's error as the sender is answered.
pub fn failed(e: StoreError) -> Taken {
    match e {
        StoreError::NoSpace { .. } => Taken::Failed(dimse::OUT_OF_RESOURCES, "the vault is full".into()),
        e => Taken::Failed(dimse::PROCESSING_FAILURE, format!("the vault could not store it: {e}")),
    }
}

/// An Error Comment for a refusal: the gate's first rule and tag (the rest are in the audit).
fn comment(reasons: &[Reason]) -> String {
    // A UID not replaced is the first reason of nearly every identified file; a name or a date
    // says more to the person at the sending workstation.
    let telling = reasons.iter().find(|r| r.rule != "uid-not-replaced").or(reasons.first());
    match telling {
        Some(r) => {
            let more = if reasons.len() > 1 { format!(" (+{})", reasons.len() - 1) } else { String::new() };
            format!("gate: {} {}{more}", r.rule, r.tag).trim().to_string()
        }
        None => "gate: refused".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::receive::part10_head;

    #[test]
    fn a_made_file_names_itself_by_its_uids() {
        // A data set (explicit VR little endian) with its SOP class and the three UIDs alone.
        let mut data = Vec::new();
        for (group, element, value) in [
            (0x0008u16, 0x0016u16, "1.2.840.10008.5.1.4.1.1.7"),
            (0x0008, 0x0018, "2.25.3"),
            (0x0020, 0x000D, "2.25.1"),
            (0x0020, 0x000E, "2.25.2"),
        ] {
            let mut v = value.as_bytes().to_vec();
            if v.len() % 2 == 1 {
                v.push(0);
            }
            data.extend_from_slice(&group.to_le_bytes());
            data.extend_from_slice(&element.to_le_bytes());
            data.extend_from_slice(b"UI");
            data.extend_from_slice(&(v.len() as u16).to_le_bytes());
            data.extend_from_slice(&v);
        }
        let mut file = part10_head("1.2.840.10008.5.1.4.1.1.7", "2.25.3", "1.2.840.10008.1.2.1").unwrap();
        assert_eq!(&file[128..132], b"DICM");
        let head = file.clone();
        file.extend_from_slice(&data);
        assert_eq!(uid_path(&file).as_deref(), Ok("2.25.1/2.25.2/2.25.3.dcm"));
        assert!(uid_path(b"not dicom").is_err());
        // No data set: no instance UID, no name (never a shared unknown-instance.dcm).
        assert_eq!(uid_path(&head), Err("the data set has no SOP Instance UID"));
        // A command that names another instance or class than the data set's: no name either.
        let mut other = part10_head("1.2.840.10008.5.1.4.1.1.7", "2.25.9", "1.2.840.10008.1.2.1").unwrap();
        other.extend_from_slice(&data);
        assert_eq!(uid_path(&other), Err("the data set's SOP Instance UID is not the command's"));
        let mut class = part10_head("1.2.840.10008.5.1.4.1.1.4", "2.25.3", "1.2.840.10008.1.2.1").unwrap();
        class.extend_from_slice(&data);
        assert_eq!(uid_path(&class), Err("the data set's SOP Class UID is not the command's"));
        // A study UID of dots is no UID: no folder named `..`.
        let at = head.len() + file[head.len()..].windows(6).position(|w| w == b"2.25.1").unwrap();
        file[at..at + 6].copy_from_slice(b"..\0\0\0\0");
        assert_eq!(uid_path(&file).as_deref(), Ok("unknown-study/2.25.2/2.25.3.dcm"));
    }
}

//! The one door. Every way into a vault — the mount, `vault import`, the mirror — decides with
//! [`check_stored`] on the bytes it stores, read back from where it stored them, never from a
//! second opening of its source; the DICOM receiver, whose instance is whole in memory, judges
//! those bytes first ([`judge`]) and stores them from the memory the gate read
//! ([`store_judged`]). A file a door has stored but not
//! yet passed is *unchecked*: the vault lists it in its store ([`UNCHECKED`]), and every way out
//! (`ls`, `export`, the mirror, `verify`) leaves it out until a mount or `fsck --repair` checks
//! it. Refusals are audited by [`audit_refusal`]: door, path, rule, tag; never a value.

use std::collections::BTreeSet;

use vaultfmt::dev::BlockDevice;
use vaultfmt::store::{Store, StoreError, Txn};

use super::burned::{Memo, Seen, Sight};
use super::policy::LegacyPolicy;
pub use super::read::{ReadAt, check_in_memory, check_path, check_stored};
use super::{Policy, Reason, Verdict};
use crate::settings::{GATE_POLICY, GATE_POLICY_LEGACY, OCR_MEMO_PREFIX};
pub use crate::settings::{INCOMPLETE, UNCHECKED};

/// The files a mount could not finish writing ([`INCOMPLETE`]).
pub fn incomplete<D: BlockDevice + 'static>(store: &Store<D>) -> Result<BTreeSet<u64>, StoreError> {
    Ok(store.begin_read_setting::<Vec<u64>>(INCOMPLETE)?.unwrap_or_default().into_iter().collect())
}

/// The vault's gate policy: what it keeps, or what a vault made before the law kept (carried
/// over), or the default when it keeps none. A record that cannot be read is an error.
pub fn vault_policy<D: BlockDevice + 'static>(store: &Store<D>) -> crate::error::Result<Policy> {
    if let Some(text) = store.begin_read_setting::<String>(GATE_POLICY)? {
        return Policy::from_json(&text).map_err(|e| {
            crate::error::Error::Damaged(format!(
                "the vault's gate policy record is damaged ({e}); set it again with `vault policy set --file`"
            ))
        });
    }
    Ok(store.begin_read_setting::<LegacyPolicy>(GATE_POLICY_LEGACY)?.map(Policy::from).unwrap_or_default())
}

/// Keeps a policy in the vault (in the caller's transaction).
pub fn save_policy<D: BlockDevice + 'static>(tx: &mut Txn<'_, D>, policy: &Policy) -> Result<(), StoreError> {
    tx.put_setting(GATE_POLICY, &policy.to_json())
}

/// The files a door stored and the gate has not passed yet.
pub fn unchecked<D: BlockDevice + 'static>(store: &Store<D>) -> Result<BTreeSet<u64>, StoreError> {
    Ok(store.begin_read_setting::<Vec<u64>>(UNCHECKED)?.unwrap_or_default().into_iter().collect())
}

/// A way into the vault as its audit records name it, and who came through it when the door
/// knows (the receiver: the calling AE title and the peer's address). Never a patient value.
#[derive(Clone, Copy, Debug)]
pub struct Door<'a> {
    pub name: &'a str,
    pub from: &'a [(&'a str, &'a str)],
}

impl<'a> Door<'a> {
    pub const fn named(name: &'a str) -> Door<'a> {
        Door { name, from: &[] }
    }
}

/// Records each reason a door refused a file: door, path, rule, tag (never a value), and who
/// sent it where the door knows.
pub fn audit_refusal<D: BlockDevice + 'static>(
    tx: &mut Txn<'_, D>,
    door: Door<'_>,
    path: &str,
    reasons: &[Reason],
) -> Result<(), StoreError> {
    for r in reasons {
        tx.audit("refused", &refusal_fields(door, path, r.rule, ("tag", r.tag.as_str())))?;
    }
    Ok(())
}

/// A refusal's audit record: the door, the path, the rule, one more field, who sent it.
fn refusal_fields<'a>(
    door: Door<'a>,
    path: &'a str,
    rule: &'a str,
    more: (&'a str, &'a str),
) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![("door", door.name), ("path", path), ("rule", rule), more];
    fields.extend_from_slice(door.from);
    fields
}

/// The audit record of a file the scrub refused at a door (`import --scrub`, `receive
/// --scrub`): its rules alone (`scrub::file::rules`: a reason can name a container's member,
/// whose name can be anything), and who sent it where the door knows.
pub fn scrub_refusal<'a>(door: Door<'a>, path: &'a str, rules: &'a str) -> Vec<(&'a str, &'a str)> {
    refusal_fields(door, path, "scrub", ("why", rules))
}

/// What OCR saw in frames, as a vault remembers it: looked up in its store, and what is learned
/// kept until the door's transaction writes it ([`save_memo`]). The store's records carry MACs:
/// an entry nobody with the vault's key wrote does not open, and counts as never seen (the
/// frame is read again), never as a pass.
pub struct VaultMemo<'r> {
    lookup: Lookup<'r>,
    learned: std::cell::RefCell<Vec<(String, Vec<Seen>)>>,
}

/// Finds a memo entry by its settings name.
type Lookup<'r> = Box<dyn Fn(&str) -> Option<Vec<Seen>> + 'r>;

fn memo_name(key: &[u8; 32]) -> String {
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    format!("{OCR_MEMO_PREFIX}{hex}")
}

impl<'r> VaultMemo<'r> {
    /// A memo that looks entries up with `lookup` (a setting's name to the store's answer: an
    /// error, or an entry that is not there, is a frame not seen).
    pub fn new<E>(lookup: impl Fn(&str) -> Result<Option<Vec<Seen>>, E> + 'r) -> VaultMemo<'r> {
        VaultMemo { lookup: Box::new(move |name| lookup(name).ok().flatten()), learned: Default::default() }
    }

    /// What was learned, to be saved once the lookups are done.
    pub fn learned(self) -> Vec<(String, Vec<Seen>)> {
        self.learned.into_inner()
    }
}

/// Writes what a memo learned (in the caller's transaction).
pub fn save_memo<D: BlockDevice + 'static>(
    tx: &mut Txn<'_, D>,
    learned: &[(String, Vec<Seen>)],
) -> Result<(), StoreError> {
    for (name, seen) in learned {
        tx.put_setting(name, seen)?;
    }
    Ok(())
}

impl Memo for VaultMemo<'_> {
    fn recall(&self, key: &[u8; 32]) -> Option<Vec<Seen>> {
        let name = memo_name(key);
        if let Some((_, seen)) = self.learned.borrow().iter().find(|(n, _)| *n == name) {
            return Some(seen.clone());
        }
        (self.lookup)(&name)
    }

    fn remember(&self, key: [u8; 32], seen: &[Seen]) {
        self.learned.borrow_mut().push((memo_name(&key), seen.to_vec()));
    }
}

/// Removes every name of a file; returns them (parent, name).
pub fn unlink_all<D: BlockDevice + 'static>(
    tx: &mut Txn<'_, D>,
    ino: u64,
) -> Result<Vec<(u64, String)>, StoreError> {
    let mut names = Vec::new();
    while let Some((parent, name)) = tx.a_name_of(ino)? {
        tx.unlink(parent, &name)?;
        names.push((parent, name));
    }
    Ok(names)
}

/// What became of a file whose change is not kept ([`undo`]): the names (folder, name) that no
/// longer lead to the file's inode.
#[derive(Debug, PartialEq, Eq)]
pub enum Undone {
    /// What it held before the change (its prior version) is back under them, as a new inode.
    Restored(Vec<(u64, String)>),
    /// It had no prior version: they are gone.
    Removed(Vec<(u64, String)>),
}

impl Undone {
    pub fn names(self) -> Vec<(u64, String)> {
        match self {
            Undone::Restored(names) | Undone::Removed(names) => names,
        }
    }
}

/// A file whose change is refused, or never finished: its prior version put back when one is
/// kept (a file the gate had passed, changed in place or copied over, `Txn::keep_prior`) and
/// the putting back audited against `door`; otherwise every name of it removed.
pub fn undo<D: BlockDevice + 'static>(
    tx: &mut Txn<'_, D>,
    door: &str,
    ino: u64,
) -> Result<Undone, StoreError> {
    if tx.has_prior(ino)? {
        let path = tx.path_of(ino);
        if let Some((_, names)) = tx.restore_prior(ino)? {
            tx.audit("restored", &[("door", door), ("path", &path)])?;
            return Ok(Undone::Restored(names));
        }
    }
    Ok(Undone::Removed(unlink_all(tx, ino)?))
}

/// What checking the files a mount left unchecked came to.
#[derive(Debug, Default)]
pub struct Sweep {
    pub accepted: usize,
    /// Paths of the files refused (and removed).
    pub refused: Vec<String>,
    /// Paths of the files a mount could not finish writing (removed unchecked).
    pub incomplete: Vec<String>,
    /// Paths of the files among those two that had been passed before their change: what they
    /// held before it is back.
    pub restored: Vec<String>,
}

/// Checks every unchecked file of an unmounted vault (`fsck --repair`): a file the gate passes
/// becomes visible; one it refuses, or one a mount could not finish writing, is put back as it
/// was before its change when it had been passed before ([`undo`]) and removed, every name of
/// it, otherwise; refusals are audited.
pub fn sweep<D: BlockDevice + 'static>(
    store: &Store<D>,
    policy: &Policy,
    sight: &Sight<'_>,
) -> Result<Sweep, StoreError> {
    let left = unchecked(store)?;
    let unfinished = incomplete(store)?;
    let mut out = Sweep::default();
    if left.is_empty() && unfinished.is_empty() {
        return Ok(out);
    }
    let mut refused = Vec::new();
    let mut accepted = Vec::new();
    let learned = {
        let view = store.read()?;
        let memo = VaultMemo::new(|name| view.setting(name));
        let sight = sight.with_memo(&memo);
        for &ino in left.difference(&unfinished) {
            let Some(inode) = view.inode(ino)? else { continue };
            let verdict =
                check_stored(inode.size, &mut |at, buf| view.read_at(ino, at, buf), policy, &sight)?;
            if verdict.accept {
                out.accepted += 1;
                accepted.push(ino);
            } else {
                refused.push((ino, view.path_of(ino)?, verdict.reasons));
            }
        }
        memo.learned()
    };
    let mut tx = store.begin()?;
    save_memo(&mut tx, &learned)?;
    // Passed now, or before the mount ended: their prior versions go.
    for p in tx.priors()? {
        if accepted.contains(&p.ino) || !left.contains(&p.ino) {
            tx.drop_prior(p.ino)?;
        }
    }
    for (ino, path, reasons) in refused {
        audit_refusal(&mut tx, Door::named("fsck"), &path, &reasons)?;
        if matches!(undo(&mut tx, "fsck", ino)?, Undone::Restored(_)) {
            out.restored.push(path.clone());
        }
        out.refused.push(path);
    }
    for &ino in &unfinished {
        if tx.a_name_of(ino)?.is_some() {
            let path = tx.path_of(ino);
            tx.audit(
                "incomplete",
                &[("door", "fsck"), ("path", &path), ("reason", "its writing never finished")],
            )?;
            if matches!(undo(&mut tx, "fsck", ino)?, Undone::Restored(_)) {
                out.restored.push(path.clone());
            }
            out.incomplete.push(path);
        } else {
            undo(&mut tx, "fsck", ino)?;
        }
    }
    tx.put_setting(UNCHECKED, &Vec::<u64>::new())?;
    tx.put_setting(INCOMPLETE, &Vec::<u64>::new())?;
    tx.commit()?;
    Ok(out)
}

/// What a door that stores a file through a transaction made of it.
pub enum Stored {
    /// It passed and has its name: its inode and size.
    Accepted { ino: u64, bytes: u64 },
    /// It did not: nothing of it is left, and the refusal is audited.
    Refused(Verdict),
}

/// The name a file is stored under until the gate has passed it.
const STAGING: &str = ".vault-door.partial";

/// The door of `vault import` (and any door that stores through a transaction): writes
/// `content` under a name nobody lists in folder `parent`, reads what it stored back through
/// the gate, and only then gives it `name` (replacing what had it) — or removes it and audits
/// the refusal, so a refused file replaces nothing. The bytes judged are the bytes stored,
/// whatever the source does meanwhile. `path` names the file in errors and the audit log.
pub fn store_checked<D: BlockDevice + 'static>(
    tx: &mut Txn<'_, D>,
    parent: u64,
    name: &str,
    path: &str,
    content: &mut dyn std::io::Read,
    (policy, sight): (&Policy, &Sight<'_>),
    door: Door<'_>,
) -> Result<Stored, StoreError> {
    let (ino, bytes) = stage(tx, parent, path, |tx, ino| tx.write_file(ino, content))?;
    let (verdict, learned) = {
        let memo = VaultMemo::new(|name| tx.setting(name));
        let verdict =
            check_stored(bytes, &mut |at, buf| tx.read_at(ino, at, buf), policy, &sight.with_memo(&memo))?;
        (verdict, memo.learned())
    };
    save_memo(tx, &learned)?;
    if !verdict.accept {
        tx.unlink(parent, STAGING)?;
        audit_refusal(tx, door, path, &verdict.reasons)?;
        return Ok(Stored::Refused(verdict));
    }
    tx.rename(parent, STAGING, parent, name, false)?;
    Ok(Stored::Accepted { ino, bytes })
}

/// A verdict on bytes held whole in memory, reached before any transaction (what the receiver
/// takes): a slow reading (OCR) holds up no writer. [`store_judged`] stores only the bytes it was
/// reached on.
pub struct Judged<'b> {
    verdict: Verdict,
    learned: Vec<(String, Vec<Seen>)>,
    /// The bytes judged, borrowed (so nothing changes them) until they are stored.
    content: &'b [u8],
}

impl Judged<'_> {
    pub fn verdict(&self) -> &Verdict {
        &self.verdict
    }

    /// Records a refused verdict: what the memo learned, and the refusal's audit records under
    /// `path`. The verdict is returned.
    pub fn refuse<D: BlockDevice + 'static>(
        self,
        tx: &mut Txn<'_, D>,
        door: Door<'_>,
        path: &str,
    ) -> Result<Verdict, StoreError> {
        save_memo(tx, &self.learned)?;
        audit_refusal(tx, door, path, &self.verdict.reasons)?;
        Ok(self.verdict)
    }
}

/// Judges `content` with what `store`'s memo remembers of its frames (in a read view of its own:
/// a mount's writers go on meanwhile).
pub fn judge<'b, D: BlockDevice + 'static>(
    store: &Store<D>,
    content: &'b [u8],
    policy: &Policy,
    sight: &Sight<'_>,
) -> Result<Judged<'b>, StoreError> {
    let view = store.read()?;
    let memo = VaultMemo::new(|name| view.setting(name));
    let verdict = check_in_memory(content, policy, &sight.with_memo(&memo));
    Ok(Judged { verdict, learned: memo.learned(), content })
}

/// The door of a receiver: stores the bytes [`judge`] judged, as `name` in `parent` — written
/// under a name nobody lists and given its name once whole, from the very memory the gate read
/// (borrowed since, so unchanged). A refused file is not written; its refusal is audited.
/// `path` names it in errors and the audit log.
pub fn store_judged<D: BlockDevice + 'static>(
    tx: &mut Txn<'_, D>,
    (parent, name, path): (u64, &str, &str),
    judged: Judged<'_>,
    door: Door<'_>,
) -> Result<Stored, StoreError> {
    if !judged.verdict.accept {
        return Ok(Stored::Refused(judged.refuse(tx, door, path)?));
    }
    save_memo(tx, &judged.learned)?;
    let (ino, bytes) = stage(tx, parent, path, |tx, ino| tx.write_bytes(ino, judged.content))?;
    tx.rename(parent, STAGING, parent, name, false)?;
    Ok(Stored::Accepted { ino, bytes })
}

/// Writes a file under [`STAGING`] in `parent` (replacing one a failed door left) with `write`
/// (its inode to its size): its inode and size.
fn stage<'s, D: BlockDevice + 'static>(
    tx: &mut Txn<'s, D>,
    parent: u64,
    path: &str,
    write: impl FnOnce(&mut Txn<'s, D>, u64) -> Result<u64, StoreError>,
) -> Result<(u64, u64), StoreError> {
    use vaultfmt::store::Kind;
    if tx.lookup(parent, STAGING)?.is_some() {
        tx.unlink(parent, STAGING)?;
    }
    let ino = tx.create(parent, STAGING, Kind::File, 0o644, None)?;
    // Errors name the file, not the name it is staged under.
    let bytes = write(tx, ino).map_err(|e| match e {
        StoreError::NoSpace { .. } => StoreError::NoSpace { path: path.to_string() },
        e => e,
    })?;
    Ok((ino, bytes))
}

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
use super::{HEAD_BYTES, Policy, Reason, TAIL_BYTES, Verdict};
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

/// Reads stored content: (offset, buffer) to the bytes read.
pub type ReadAt<'r, E> = dyn FnMut(u64, &mut [u8]) -> Result<usize, E> + 'r;

/// Fills `buf` from `at` with `read_at`; the bytes read (fewer only at the end).
fn read_full<E>(read_at: &mut ReadAt<'_, E>, at: u64, buf: &mut [u8]) -> Result<usize, E> {
    let mut done = 0;
    while done < buf.len() {
        let n = read_at(at + done as u64, &mut buf[done..])?;
        if n == 0 {
            break;
        }
        done += n;
    }
    Ok(done)
}

/// The gate's verdict on stored content of `len` bytes, read with `read_at`. The head and the
/// tail are read first; only content some reading could take for DICOM or a container, or that
/// holds one part way in, is held whole: a plain file is read through piece by piece, for what
/// a carver could take out of its middle, and held whole only where a signature stands in it.
pub fn check_stored<E>(
    len: u64,
    read_at: &mut ReadAt<'_, E>,
    policy: &Policy,
    sight: &Sight<'_>,
) -> Result<Verdict, E> {
    let head_len = len.min(HEAD_BYTES as u64) as usize;
    let mut head = vec![0u8; head_len];
    let got = read_full(read_at, 0, &mut head)?;
    head.truncate(got);
    if len <= HEAD_BYTES as u64 {
        return Ok(super::check_with(&head, policy, sight));
    }
    let tail_at = len.saturating_sub(TAIL_BYTES as u64).max(head_len as u64);
    let mut tail = vec![0u8; (len - tail_at) as usize];
    let got = read_full(read_at, tail_at, &mut tail)?;
    tail.truncate(got);
    let plain = !super::might_need_all(&head, &tail, len)
        && !super::may_hold_a_file(&head)
        && !super::may_hold_a_file(&tail)
        && !super::labelled_note(&head)
        && !super::labelled_note(&tail)
        && !middle_holds(len, head.len() as u64, tail_at, read_at)?;
    if plain {
        return Ok(Verdict::plain());
    }
    // The whole of it: the middle read now, head and tail as they were read.
    let mut all = Vec::with_capacity(len as usize);
    all.extend_from_slice(&head);
    all.resize(tail_at as usize, 0);
    let got = read_full(read_at, head.len() as u64, &mut all[head.len()..])?;
    if head.len() + got < tail_at as usize {
        all.truncate(head.len() + got); // it ended early: what there is
    } else {
        all.extend_from_slice(&tail);
    }
    Ok(super::check_with(&all, policy, sight))
}

/// The middle of stored content (`from` to `to`), read piece by piece and never held whole:
/// whether any piece holds what [`super::may_hold_a_file`] looks for (a Part 10 file, an archive
/// or a compressed stream after a made-up header, which a carver takes out). The head and the
/// tail are looked at by the caller; the pieces overlap them by [`super::MIDDLE_OVERLAP`].
fn middle_holds<E>(len: u64, from: u64, to: u64, read_at: &mut ReadAt<'_, E>) -> Result<bool, E> {
    const PIECE: usize = 1 << 20;
    let overlap = super::MIDDLE_OVERLAP as u64;
    let mut at = from.saturating_sub(overlap);
    let end = (to + overlap).min(len);
    vaultfmt::scratch::with(PIECE, |piece| {
        while at < end {
            let want = ((end - at) as usize).min(PIECE);
            let got = read_full(read_at, at, &mut piece[..want])?;
            if super::may_hold_a_file(&piece[..got]) || super::labelled_note(&piece[..got]) {
                return Ok(true);
            }
            if got < want || at + got as u64 >= end {
                break;
            }
            at += (got as u64).saturating_sub(overlap).max(1);
        }
        Ok(false)
    })
}

/// The gate's verdict on a file on disk, for `vault check` (which reads and stores nothing): a
/// large file is mapped rather than read, so what the gate does not look at (the pixel data it
/// skips over) is never copied, and a plain file's middle is only searched for signatures.
pub fn check_path(path: &std::path::Path, policy: &Policy, sight: &Sight<'_>) -> std::io::Result<Verdict> {
    let file = super::host::HostFile::open(path, HEAD_BYTES as u64 + 1)?;
    Ok(check_in_memory(file.bytes(), policy, sight))
}

/// The gate's verdict on bytes in memory, looked at as [`check_stored`] looks at stored ones: a
/// plain file (by its head and tail, and no signature anywhere in it) passes unread further.
pub fn check_in_memory(bytes: &[u8], policy: &Policy, sight: &Sight<'_>) -> Verdict {
    if bytes.len() > HEAD_BYTES {
        let tail_at = bytes.len().saturating_sub(TAIL_BYTES).max(HEAD_BYTES);
        if !super::might_need_all(&bytes[..HEAD_BYTES], &bytes[tail_at..], bytes.len() as u64)
            && !super::may_hold_a_file(bytes)
            && !super::labelled_note(bytes)
        {
            return Verdict::plain();
        }
    }
    super::check_with(bytes, policy, sight)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stored content of `big`, as `check_stored` reads it: (the verdict, bytes read).
    fn stored(big: &[u8]) -> (Verdict, u64) {
        let mut reads = 0u64;
        let v = check_stored::<()>(
            big.len() as u64,
            &mut |at, buf: &mut [u8]| {
                reads += buf.len() as u64;
                let n = buf.len().min(big.len() - at as usize);
                buf[..n].copy_from_slice(&big[at as usize..at as usize + n]);
                Ok(n)
            },
            &Policy::default(),
            &Sight::system(),
        )
        .unwrap();
        (v, reads)
    }

    #[test]
    fn a_plain_file_is_read_through_for_what_hides_in_its_middle_and_a_zip_at_its_end_is_read_whole() {
        let policy = Policy::default();
        // Binary (a control byte): text is read whole, for the base64 it may carry.
        let mut big: Vec<u8> = b"made-up plain\x01bytes, ".iter().copied().cycle().take(3 << 20).collect();
        let (v, reads) = stored(&big);
        assert!(v.accept && !v.dicom);
        // Once through (pieces overlap a little), never twice.
        assert!(reads < big.len() as u64 * 11 / 10, "read {reads} bytes of a plain file of {}", big.len());
        // A zip member in its middle, a carver's to take out, named as a patient: refused.
        let mut member = std::io::Cursor::new(Vec::new());
        let mut z = zip::ZipWriter::new(&mut member);
        z.start_file("Doe^Jane.txt", zip::write::SimpleFileOptions::default()).unwrap();
        std::io::Write::write_all(&mut z, b"made-up").unwrap();
        z.finish().unwrap();
        let mut hiding = big.clone();
        let middle = hiding.len() / 2 + 7;
        let member = member.into_inner();
        hiding[middle..middle + member.len()].copy_from_slice(&member);
        let (v, _) = stored(&hiding);
        assert!(v.reasons.iter().any(|r| r.rule == "identity-in-name"), "{:?}", v.reasons);
        assert!(!check_in_memory(&hiding, &policy, &Sight::system()).accept);
        // The end of a zip's central directory at the end: the whole file is read.
        // An end record that says one member, and a directory (at byte 0) that is not one.
        let n = big.len();
        let mut end = b"PK\x05\x06\0\0\0\0\x01\0\x01\0".to_vec();
        end.extend(46u32.to_le_bytes());
        end.extend(0u32.to_le_bytes());
        end.extend(0u16.to_le_bytes());
        big[n - 22..].copy_from_slice(&end);
        let (v, _) = stored(&big);
        assert!(!v.accept, "a zip whose directory cannot be read is refused");
    }

    /// A PDF is read whole: a file attached to it is a stream in its middle (zlib, whose two
    /// bytes are no signature a piece is searched for).
    #[test]
    fn a_large_pdf_is_read_whole_for_its_attachments() {
        use std::io::Write;
        let named = b"\x08\x00\x05\x00CS\x0a\x00ISO_IR 100\x10\x00\x10\x00PN\x0e\x00Madeup^Person ";
        // A data set whose first elements compress well, as a real file's do: its stream holds
        // none of its bytes as they are.
        let mut set = b"\x08\x00\x30\x10LO\x00\x00".to_vec();
        let filler_text: Vec<u8> = b"AXIAL 5MM ".iter().copied().cycle().take(60_000).collect();
        set.extend(b"\x08\x00\x3e\x10LT");
        set.extend(u16::try_from(filler_text.len()).unwrap().to_le_bytes());
        set.extend(&filler_text);
        set.extend(&named[18..]);
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(&set).unwrap();
        let stream = z.finish().unwrap();
        let filler: Vec<u8> = b"made-up page\x01 ".iter().copied().cycle().take(1 << 20).collect();
        let mut pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 9 >>\nstream\n".to_vec();
        pdf.extend(&filler);
        pdf.extend(b"\nendstream\nendobj\n2 0 obj\n<< /Type /EmbeddedFile /Filter /FlateDecode >>\nstream\n");
        pdf.extend(&stream);
        pdf.extend(b"\nendstream\nendobj\n3 0 obj\n<< /Length 9 >>\nstream\n");
        pdf.extend(&filler);
        pdf.extend(b"\nendstream\nendobj\n%%EOF\n");
        let (v, _) = stored(&pdf);
        assert!(!v.accept, "an attachment in a PDF's middle passed the door: {:?}", v.reasons);
        assert!(!check_in_memory(&pdf, &Policy::default(), &Sight::system()).accept);
    }

    /// A raw deflate stream (no header) is read whole: its head decodes, and a reader takes a
    /// whole file out of it (the patient's name is compressed in its head, pixel data's noise
    /// stored after it).
    #[test]
    fn a_large_raw_deflate_stream_is_read_whole() {
        use std::io::Write;
        let mut set: Vec<u8> = b"\x10\x00\x10\x00PN\x0e\x00Madeup^Person ".to_vec();
        let noise = crate::gate::noise(1 << 20, 7);
        set.extend(b"\xe0\x7f\x10\x00OB\0\0");
        set.extend(u32::try_from(noise.len()).unwrap().to_le_bytes());
        set.extend(&noise);
        let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(&[&[0u8; 128][..], b"DICM\x02\x00\x10\x00UI\x02\x001\0", &set].concat()).unwrap();
        let stream = z.finish().unwrap();
        assert!(stream.len() > crate::gate::HEAD_BYTES + crate::gate::TAIL_BYTES);
        let (v, _) = stored(&stream);
        assert!(!v.accept, "a raw deflate stream passed the door: {:?}", v.reasons);
        assert!(!check_in_memory(&stream, &Policy::default(), &Sight::system()).accept);
    }
}

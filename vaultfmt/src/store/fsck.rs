//! Checking the store: every metadata record's MAC, the folder tree, link counts, the free
//! space, and every data chunk against its hash. Repair sets damaged files aside in
//! `/lost+found` (their damaged chunks become holes that read as zeros), drops records that
//! fail their MAC or point nowhere, links orphans into `/lost+found`, fixes link counts and
//! rebuilds the free space, so that the vault is usable again and a second check is clean.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use redb::ReadableTable;

use super::records::{AUDIT, CHUNKS, DIRENTS, FREE, INODES, Inode, Kind, META, ROOT, Sealer, XATTRS};
use super::{Store, StoreError, alloc, ops};
use crate::dev::BlockDevice;

/// One thing wrong, in words for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The file or folder concerned, or the table for a record without one.
    pub path: String,
    pub what: String,
}

/// What repair will do about a problem.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Fix {
    DropInode(u64),
    DropDirent(u64, String),
    DropChunk(u64, u64),
    DropRaw(&'static str, Vec<u8>),
    DropXattr(u64, String),
    SetAside(u64),
    Adopt(u64),
    Nlink(u64, u32),
    RebuildFree,
}

/// What a check found.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub records: u64,
    pub files: u64,
    pub folders: u64,
    pub chunks: u64,
    pub bytes: u64,
    pub problems: Vec<Problem>,
    /// Paths of files whose contents are damaged.
    pub damaged: BTreeSet<String>,
    fixes: Vec<Fix>,
}

impl Report {
    pub fn clean(&self) -> bool {
        self.problems.is_empty()
    }

    fn problem(&mut self, path: String, what: impl Into<String>, fix: Fix) {
        self.problems.push(Problem { path, what: what.into() });
        if !self.fixes.contains(&fix) {
            self.fixes.push(fix);
        }
    }
}

/// What repair did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Repaired {
    pub set_aside: Vec<String>,
    pub records_dropped: u64,
    pub adopted: u64,
    pub link_counts: u64,
    pub free_rebuilt: bool,
}

fn key_u64(k: u64) -> Vec<u8> {
    k.to_le_bytes().to_vec()
}

/// Checks the whole store; `progress` is told the bytes of each chunk read.
pub fn check<D: BlockDevice + 'static>(
    store: &Store<D>,
    progress: &mut dyn FnMut(u64),
) -> Result<Report, StoreError> {
    let view = store.read()?;
    let tx = view.tx();
    let sealer: &Sealer = &store.keys().sealer;
    let layout = store.layout();
    let mut r = Report::default();

    // Inodes.
    let mut inodes: BTreeMap<u64, Inode> = BTreeMap::new();
    for item in tx.open_table(INODES)?.iter()? {
        let (k, v) = item?;
        r.records += 1;
        match sealer.open::<Inode>("inodes", &key_u64(k.value()), v.value()) {
            Ok(inode) => {
                inodes.insert(k.value(), inode);
            }
            Err(_) => {
                r.problem(format!("#{}", k.value()), "inode record fails its MAC", Fix::DropInode(k.value()))
            }
        }
    }
    if inodes.get(&ROOT).is_none_or(|i| i.kind != Kind::Dir) {
        return Err(StoreError::Inconsistent("the root folder's record is missing or damaged"));
    }

    // Folder entries: collect the tree.
    let mut children: BTreeMap<u64, Vec<(String, u64)>> = BTreeMap::new();
    let mut links: BTreeMap<u64, u32> = BTreeMap::new();
    let mut dir_parent: BTreeMap<u64, u64> = BTreeMap::new();
    for item in tx.open_table(DIRENTS)?.iter()? {
        let (k, v) = item?;
        r.records += 1;
        let (parent, name) = k.value();
        let name = name.to_string();
        let child: u64 = match sealer.open("dirents", &super::records::dirent_key(parent, &name), v.value()) {
            Ok(c) => c,
            Err(_) => {
                r.problem(
                    format!("#{parent}/{name}"),
                    "folder entry fails its MAC",
                    Fix::DropDirent(parent, name),
                );
                continue;
            }
        };
        let parent_ok = inodes.get(&parent).is_some_and(|i| i.kind == Kind::Dir);
        let Some(child_inode) = inodes.get(&child).filter(|_| parent_ok) else {
            r.problem(
                format!("#{parent}/{name}"),
                "folder entry names a missing file or folder",
                Fix::DropDirent(parent, name),
            );
            continue;
        };
        if child_inode.kind == Kind::Dir {
            if child == ROOT || dir_parent.contains_key(&child) {
                r.problem(
                    format!("#{parent}/{name}"),
                    "a folder with two parents",
                    Fix::DropDirent(parent, name),
                );
                continue;
            }
            dir_parent.insert(child, parent);
        }
        *links.entry(child).or_default() += 1;
        children.entry(parent).or_default().push((name, child));
    }

    // Reachability from the root; paths for messages.
    let mut paths: BTreeMap<u64, String> = BTreeMap::from([(ROOT, "/".to_string())]);
    let mut queue = VecDeque::from([ROOT]);
    while let Some(dir) = queue.pop_front() {
        for (name, child) in children.get(&dir).into_iter().flatten() {
            if paths.contains_key(child) {
                continue;
            }
            let base = &paths[&dir];
            let path = super::ops::join_path(base, name);
            paths.insert(*child, path);
            if inodes[child].kind == Kind::Dir {
                queue.push_back(*child);
            }
        }
    }
    let path_of = |ino: u64, paths: &BTreeMap<u64, String>| {
        paths.get(&ino).cloned().unwrap_or_else(|| format!("#{ino}"))
    };
    // Files unlinked while open (the mount keeps them until their last handle closes).
    let orphans: Vec<u64> = match tx.open_table(META)?.get(super::ORPHANS_SETTING)? {
        Some(v) => sealer.open("meta", super::ORPHANS_SETTING.as_bytes(), v.value()).unwrap_or_default(),
        None => Vec::new(),
    };
    // Files' prior versions kept while they are changed (`txn/prior.rs`): in no folder.
    let shadows: Vec<u64> = match tx.open_table(META)?.get(super::PRIORS_SETTING)? {
        Some(v) => sealer
            .open::<Vec<super::Prior>>("meta", super::PRIORS_SETTING.as_bytes(), v.value())
            .unwrap_or_default()
            .into_iter()
            .map(|p| p.shadow)
            .collect(),
        None => Vec::new(),
    };
    for (&ino, inode) in &inodes {
        if (orphans.contains(&ino) || shadows.contains(&ino)) && inode.nlink == 0 {
            continue;
        }
        if !paths.contains_key(&ino) {
            r.problem(format!("#{ino}"), "not in any folder", Fix::Adopt(ino));
            continue;
        }
        match inode.kind {
            Kind::Dir => r.folders += 1,
            _ => r.files += 1,
        }
        let want = match inode.kind {
            Kind::Dir => {
                2 + children
                    .get(&ino)
                    .map_or(0, |c| c.iter().filter(|(_, c)| inodes[c].kind == Kind::Dir).count() as u32)
            }
            _ => links.get(&ino).copied().unwrap_or(0),
        };
        if inode.nlink != want {
            r.problem(
                path_of(ino, &paths),
                format!("link count {} should be {want}", inode.nlink),
                Fix::Nlink(ino, want),
            );
        }
    }

    // Chunks: records, bounds, overlaps, and the data itself.
    let mut used: Vec<(u64, u64, u64)> = Vec::new(); // (start, len, owner)
    let chunk_table = tx.open_table(CHUNKS)?;
    for item in chunk_table.iter()? {
        let (k, v) = item?;
        r.records += 1;
        let (ino, index) = k.value();
        let path = path_of(ino, &paths);
        let chunk: super::Chunk =
            match sealer.open("chunks", &super::records::chunk_key(ino, index), v.value()) {
                Ok(c) => c,
                Err(_) => {
                    r.damaged.insert(path.clone());
                    r.problem(
                        path,
                        format!("chunk {index}'s record fails its MAC"),
                        Fix::DropChunk(ino, index),
                    );
                    r.fixes.push(Fix::SetAside(ino));
                    continue;
                }
            };
        let Some(owner) = inodes.get(&ino).filter(|i| i.kind == Kind::File) else {
            r.problem(
                format!("#{ino}"),
                format!("chunk {index} belongs to no file"),
                Fix::DropChunk(ino, index),
            );
            r.fixes.push(Fix::RebuildFree);
            continue;
        };
        if index * super::CHUNK_BYTES as u64 >= owner.size {
            r.problem(
                path,
                format!("chunk {index} lies past the end of the file"),
                Fix::DropChunk(ino, index),
            );
            r.fixes.push(Fix::RebuildFree);
            continue;
        }
        r.chunks += 1;
        match ops::read_chunk(store, &chunk, || path.clone()) {
            Ok(data) => {
                r.bytes += data.len() as u64;
                progress(data.len() as u64);
                used.push((chunk.sector, chunk.sectors(), ino));
            }
            Err(StoreError::Corrupt { what, .. }) => {
                r.damaged.insert(path.clone());
                r.problem(path, format!("chunk {index}: {what}"), Fix::DropChunk(ino, index));
                r.fixes.push(Fix::SetAside(ino));
                if chunk.sector >= layout.data_first
                    && chunk.sector + chunk.sectors() <= layout.data_first + layout.data_sectors
                {
                    used.push((chunk.sector, chunk.sectors(), ino));
                }
            }
            Err(e) => return Err(e),
        }
    }
    used.sort();
    for pair in used.windows(2) {
        let ((a, alen, a_ino), (b, _, b_ino)) = (pair[0], pair[1]);
        if a + alen > b {
            for ino in [a_ino, b_ino] {
                let path = path_of(ino, &paths);
                r.damaged.insert(path.clone());
                r.problem(path, "shares sectors with another chunk", Fix::SetAside(ino));
            }
        }
    }

    // Free space: MACs, overlaps with data, leaks, and the counter.
    let mut free: Vec<(u64, u64)> = Vec::new();
    let mut free_ok = true;
    for item in tx.open_table(FREE)?.iter()? {
        let (k, v) = item?;
        r.records += 1;
        match sealer.open::<u64>("free", &key_u64(k.value()), v.value()) {
            Ok(len) => free.push((k.value(), len)),
            Err(_) => {
                free_ok = false;
                r.problem("(free space)".into(), "free-space record fails its MAC", Fix::RebuildFree);
            }
        }
    }
    // The free space must be exactly the data region less the chunks in use.
    if merge(&free) != complement(&used, layout.data_first, layout.data_sectors) {
        free_ok = false;
    }
    let counter = super::records::Records { sealer }.meta_u64(&tx.open_table(META)?, alloc::FREE_COUNTER);
    let total_free: u64 = free.iter().map(|(_, l)| l).sum();
    if !free_ok || counter.ok() != Some(total_free) {
        r.problem("(free space)".into(), "free space does not match the data in use", Fix::RebuildFree);
    }

    // Extended attributes: MACs, and an owner that exists.
    for item in tx.open_table(XATTRS)?.iter()? {
        let (k, v) = item?;
        r.records += 1;
        let (ino, name) = k.value();
        let fix = Fix::DropXattr(ino, name.to_string());
        if sealer.open::<Vec<u8>>("xattrs", &super::records::dirent_key(ino, name), v.value()).is_err() {
            r.problem(path_of(ino, &paths), format!("attribute {name:?} fails its MAC"), fix);
        } else if !inodes.contains_key(&ino) {
            r.problem(format!("#{ino}"), format!("attribute {name:?} belongs to nothing"), fix);
        }
    }

    // Settings and the audit log: MACs only.
    for item in tx.open_table(META)?.iter()? {
        let (k, v) = item?;
        r.records += 1;
        if sealer.open::<serde_ignored::Any>("meta", k.value().as_bytes(), v.value()).is_err() {
            r.problem(
                format!("(setting {})", k.value()),
                "setting fails its MAC",
                Fix::DropRaw("meta", k.value().as_bytes().to_vec()),
            );
        }
    }
    for item in tx.open_table(AUDIT)?.iter()? {
        let (k, v) = item?;
        r.records += 1;
        if sealer.open::<super::AuditRecord>("audit", &key_u64(k.value()), v.value()).is_err() {
            r.problem(
                format!("(audit record {})", k.value()),
                "audit record fails its MAC",
                Fix::DropRaw("audit", key_u64(k.value())),
            );
        }
    }
    Ok(r)
}

/// Sets the problems of `report` right in one transaction.
pub fn repair<D: BlockDevice + 'static>(store: &Store<D>, report: &Report) -> Result<Repaired, StoreError> {
    let mut done = Repaired::default();
    let mut tx = store.begin()?;
    // Records first, so that what follows works on what is left.
    for fix in &report.fixes {
        match fix {
            Fix::DropInode(ino) => {
                tx.raw().open_table(INODES)?.remove(*ino)?;
                done.records_dropped += 1;
            }
            Fix::DropDirent(parent, name) => {
                tx.raw().open_table(DIRENTS)?.remove((*parent, name.as_str()))?;
                done.records_dropped += 1;
            }
            Fix::DropChunk(ino, index) => {
                tx.raw().open_table(CHUNKS)?.remove((*ino, *index))?;
                done.records_dropped += 1;
            }
            Fix::DropXattr(ino, name) => {
                tx.raw().open_table(XATTRS)?.remove((*ino, name.as_str()))?;
                done.records_dropped += 1;
            }
            Fix::DropRaw(table, key) => {
                match *table {
                    "meta" => {
                        tx.raw().open_table(META)?.remove(std::str::from_utf8(key).unwrap_or_default())?;
                    }
                    _ => {
                        let k = u64::from_le_bytes(key.as_slice().try_into().unwrap_or_default());
                        tx.raw().open_table(AUDIT)?.remove(k)?;
                    }
                }
                done.records_dropped += 1;
            }
            _ => {}
        }
    }
    let needs_lost_found = report.fixes.iter().any(|f| matches!(f, Fix::SetAside(_) | Fix::Adopt(_)));
    let lost_found = if needs_lost_found { Some(tx.mkdir_all("/lost+found", 0o700)?) } else { None };
    for fix in &report.fixes {
        match fix {
            Fix::SetAside(ino) => {
                let lf = lost_found.expect("made above");
                let Some(mut inode) = tx.inode(*ino)? else { continue };
                let path = tx.path_of(*ino);
                let name = format!("{ino}-{}", path.rsplit('/').next().unwrap_or("file"));
                if inode.parent != lf
                    && let Some((parent, old)) = tx.a_name_of(*ino)?
                {
                    tx.rename(parent, &old, lf, &name, true)?;
                }
                inode = tx.inode(*ino)?.expect("still there");
                inode.content_hash = None;
                tx.put_inode(*ino, &inode)?;
                done.set_aside.push(path);
            }
            Fix::Adopt(ino) => {
                let lf = lost_found.expect("made above");
                let Some(mut inode) = tx.inode(*ino)? else { continue };
                let name = format!("{ino}");
                let sealed = store.keys().sealer.seal("dirents", &super::records::dirent_key(lf, &name), ino);
                tx.raw().open_table(DIRENTS)?.insert((lf, name.as_str()), sealed.as_slice())?;
                inode.parent = lf;
                inode.nlink = if inode.kind == Kind::Dir { 2 } else { 1 };
                tx.put_inode(*ino, &inode)?;
                if inode.kind == Kind::Dir {
                    let mut dir = tx.inode(lf)?.expect("lost+found exists");
                    dir.nlink += 1;
                    tx.put_inode(lf, &dir)?;
                }
                done.adopted += 1;
            }
            Fix::Nlink(ino, n) => {
                if let Some(mut inode) = tx.inode(*ino)? {
                    inode.nlink = *n;
                    tx.put_inode(*ino, &inode)?;
                    done.link_counts += 1;
                }
            }
            _ => {}
        }
    }
    if report.fixes.iter().any(|f| matches!(f, Fix::RebuildFree | Fix::DropChunk(..) | Fix::DropInode(_))) {
        tx.rebuild_free()?;
        done.free_rebuilt = true;
    }
    tx.audit(
        "fsck-repair",
        &[
            ("set_aside", &done.set_aside.len().to_string()),
            ("records_dropped", &done.records_dropped.to_string()),
            ("adopted", &done.adopted.to_string()),
        ],
    )?;
    tx.commit()?;
    Ok(done)
}

/// Sorted ranges with touching or overlapping ones joined.
fn merge(ranges: &[(u64, u64)]) -> Vec<(u64, u64)> {
    let mut sorted = ranges.to_vec();
    sorted.sort();
    let mut out: Vec<(u64, u64)> = Vec::new();
    for (s, l) in sorted {
        match out.last_mut() {
            Some((ps, pl)) if *ps + *pl >= s => *pl = (*pl).max(s + l - *ps),
            _ => out.push((s, l)),
        }
    }
    out
}

/// The parts of `[first, first + count)` not covered by `used` (start, len, owner).
pub(crate) fn complement(used: &[(u64, u64, u64)], first: u64, count: u64) -> Vec<(u64, u64)> {
    let taken = merge(&used.iter().map(|&(s, l, _)| (s, l)).collect::<Vec<_>>());
    let mut out = Vec::new();
    let mut at = first;
    for (s, l) in taken {
        if s > at {
            out.push((at, s - at));
        }
        at = at.max(s + l);
    }
    if at < first + count {
        out.push((at, first + count - at));
    }
    out
}

/// Any postcard value, for checking a MAC without knowing the record's type.
mod serde_ignored {
    use serde::Deserialize;

    pub struct Any;

    impl<'de> Deserialize<'de> for Any {
        fn deserialize<D: serde::Deserializer<'de>>(_: D) -> Result<Any, D::Error> {
            Ok(Any)
        }
    }
}

//! What a mirror will do, decided from the two listings alone: no read, no write. The apply step
//! ([`super::apply`]) carries a plan out, or — a dry run — only reports it.
//!
//! A file's content is compared by its recorded BLAKE3; where none is recorded the apply step
//! reads the file for it and asks the plan again ([`Plan::decide`]), so that what is copied,
//! linked or left is decided in one place.

use std::collections::{BTreeMap, HashMap};

use vaultfmt::store::{Inode, Kind};

use super::{Entry, MirrorError, Options};

/// A vault's tree as [`super::tree`] lists it.
pub type Tree = BTreeMap<String, Entry>;

/// One thing to do in the backup, in the order it is done: the source's paths parents first,
/// then deletions children first.
#[derive(Debug)]
pub enum Step<'t> {
    /// Make the folder, or set its attributes (`existing`: what the backup has there now; a
    /// file or link there is removed first).
    Folder { path: &'t str, src: &'t Entry, existing: Option<&'t Entry> },
    /// Make the symbolic link (whatever the backup has there is removed first, a folder only
    /// with `--delete`).
    Symlink { path: &'t str, src: &'t Entry, existing: Option<&'t Entry> },
    /// A file: left, linked from a renamed copy or copied, as [`Plan::decide`] says once its
    /// content hash is known.
    File { path: &'t str, src: &'t Entry, existing: Option<&'t Entry> },
    /// Delete from the backup (with `--delete`): a path the source no longer has.
    Delete { path: &'t str, existing: &'t Entry },
}

/// What to do with one file whose content hash is known.
#[derive(Debug, PartialEq, Eq)]
pub enum FileStep<'t> {
    /// The backup holds it at this path: nothing to copy (its attributes are set when they
    /// differ).
    Unchanged {
        backup: &'t Entry,
    },
    /// The backup holds this content under a path the source dropped (a rename): link it.
    Link {
        from: &'t str,
        old: &'t Entry,
    },
    Copy,
}

/// A mirror's plan.
pub struct Plan<'t> {
    pub steps: Vec<Step<'t>>,
    /// Every folder and link of the source (those already in the backup too).
    pub folders: u64,
    pub links: u64,
    /// What the run expects to copy, from sizes and the hashes recorded (a progress bar's
    /// total; a file found unchanged or renamed is not copied after all).
    pub files: u64,
    pub bytes: u64,
    /// Content the backup holds under a path the source no longer has, by hash: each old copy
    /// serves one new name.
    moved: HashMap<[u8; 32], (&'t str, &'t Entry)>,
}

/// The plan to make `to` (the backup) hold what `from` (the source) holds. Refused, before
/// anything changes, when `--delete` would delete more than `--max-delete` allows or the source
/// holds no file while the backup does (a wrong source drive, not an instruction to empty it).
pub fn plan<'t>(from: &'t Tree, to: &'t Tree, opts: &Options) -> Result<Plan<'t>, MirrorError> {
    let doomed: Vec<(&'t String, &'t Entry)> =
        if opts.delete { to.iter().filter(|(p, _)| !from.contains_key(*p)).collect() } else { Vec::new() };
    if !doomed.is_empty() {
        let files = |t: &Tree| t.values().filter(|e| e.inode.kind != Kind::Dir).count();
        if files(from) == 0 && files(to) > 0 {
            return Err(MirrorError::SourceLooksEmpty);
        }
        if doomed.len() > opts.max_delete {
            return Err(MirrorError::TooManyDeletions { would: doomed.len(), max: opts.max_delete });
        }
    }
    let mut moved = HashMap::new();
    for (path, e) in to {
        if let (Kind::File, Some(h), false) = (e.inode.kind, e.inode.content_hash, from.contains_key(path)) {
            moved.entry(h).or_insert((path.as_str(), e));
        }
    }
    let mut plan = Plan { steps: Vec::new(), folders: 0, links: 0, files: 0, bytes: 0, moved };
    for (path, src) in from {
        let existing = to.get(path);
        let path = path.as_str();
        let kind_there = existing.map(|x| x.inode.kind);
        match src.inode.kind {
            Kind::Dir => {
                plan.folders += 1;
                if !(kind_there == Some(Kind::Dir)
                    && same_attrs(&existing.expect("a folder").inode, &src.inode))
                {
                    plan.steps.push(Step::Folder { path, src, existing });
                }
            }
            Kind::Symlink => {
                plan.links += 1;
                if !(kind_there == Some(Kind::Symlink)
                    && existing.expect("a link").inode.target == src.inode.target)
                {
                    plan.steps.push(Step::Symlink { path, src, existing });
                }
            }
            Kind::File => {
                let same = existing.is_some_and(|x| {
                    x.inode.kind == Kind::File
                        && x.inode.size == src.inode.size
                        && (src.inode.content_hash.is_none()
                            || x.inode.content_hash == src.inode.content_hash)
                });
                if !same {
                    plan.files += 1;
                    plan.bytes += src.inode.size;
                }
                plan.steps.push(Step::File { path, src, existing });
            }
        }
    }
    plan.steps.extend(doomed.into_iter().rev().map(|(path, existing)| Step::Delete { path, existing }));
    Ok(plan)
}

impl<'t> Plan<'t> {
    /// What to do with a file of the source whose content hash is `hash`.
    pub fn decide(&mut self, src: &Entry, existing: Option<&'t Entry>, hash: &[u8; 32]) -> FileStep<'t> {
        if let Some(backup) = existing.filter(|x| {
            x.inode.kind == Kind::File
                && x.inode.size == src.inode.size
                && x.inode.content_hash == Some(*hash)
        }) {
            return FileStep::Unchanged { backup };
        }
        match self.moved.remove(hash) {
            Some((from, old)) => FileStep::Link { from, old },
            None => FileStep::Copy,
        }
    }
}

/// Whether a copy's attributes (mode, owner, modification time) are the source's.
pub fn same_attrs(a: &Inode, b: &Inode) -> bool {
    (a.mode, a.uid, a.gid, a.mtime) == (b.mode, b.uid, b.gid, b.mtime)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(ino: u64, kind: Kind, size: u64, hash: Option<u8>) -> Entry {
        let mut inode = Inode::new(kind, 0o644, 1);
        inode.mtime = vaultfmt::store::Time { secs: 1, nanos: 0 };
        inode.size = size;
        inode.content_hash = hash.map(|h| [h; 32]);
        Entry { ino, inode }
    }

    fn tree(entries: &[(&str, Entry)]) -> Tree {
        entries.iter().map(|(p, e)| (p.to_string(), e.clone())).collect()
    }

    fn kinds(plan: &Plan<'_>) -> Vec<String> {
        plan.steps
            .iter()
            .map(|s| match s {
                Step::Folder { path, .. } => format!("folder {path}"),
                Step::Symlink { path, .. } => format!("link {path}"),
                Step::File { path, .. } => format!("file {path}"),
                Step::Delete { path, .. } => format!("delete {path}"),
            })
            .collect()
    }

    #[test]
    fn a_plan_skips_what_the_backup_has_and_deletes_children_first_after_everything_else() {
        let from = tree(&[("/a", entry(2, Kind::Dir, 0, None)), ("/a/x", entry(3, Kind::File, 10, Some(1)))]);
        let to = tree(&[
            ("/a", entry(2, Kind::Dir, 0, None)),
            ("/a/x", entry(3, Kind::File, 10, Some(1))),
            ("/old", entry(4, Kind::Dir, 0, None)),
            ("/old/y", entry(5, Kind::File, 3, Some(2))),
        ]);
        let opts = Options { delete: true, ..Options::default() };
        let plan = plan(&from, &to, &opts).expect("a plan");
        assert_eq!(kinds(&plan), ["file /a/x", "delete /old/y", "delete /old"]);
        assert_eq!((plan.folders, plan.files, plan.bytes), (1, 0, 0));
        // Without --delete nothing is deleted.
        let plan = super::plan(&from, &to, &Options::default()).expect("a plan");
        assert_eq!(kinds(&plan), ["file /a/x"]);
    }

    #[test]
    fn a_renamed_file_is_linked_once_and_a_second_copy_of_its_content_is_copied() {
        let from = tree(&[
            ("/new1", entry(2, Kind::File, 10, Some(7))),
            ("/new2", entry(3, Kind::File, 10, Some(7))),
        ]);
        let to = tree(&[("/old", entry(9, Kind::File, 10, Some(7)))]);
        let mut plan = plan(&from, &to, &Options::default()).expect("a plan");
        assert_eq!((plan.files, plan.bytes), (2, 20));
        let src = &from["/new1"];
        assert_eq!(plan.decide(src, None, &[7; 32]), FileStep::Link { from: "/old", old: &to["/old"] });
        assert_eq!(plan.decide(&from["/new2"], None, &[7; 32]), FileStep::Copy);
        // The same content at the same path is left.
        assert_eq!(
            plan.decide(src, Some(&to["/old"]), &[7; 32]),
            FileStep::Unchanged { backup: &to["/old"] }
        );
        // Another content under the same size is copied.
        assert_eq!(plan.decide(src, Some(&to["/old"]), &[8; 32]), FileStep::Copy);
    }

    #[test]
    fn deletions_beyond_the_limit_or_from_an_empty_source_are_refused_before_anything_changes() {
        let to = tree(&[("/a", entry(2, Kind::File, 1, Some(1))), ("/b", entry(3, Kind::File, 1, Some(2)))]);
        let delete = Options { delete: true, max_delete: 1, ..Options::default() };
        let from = tree(&[("/c", entry(4, Kind::File, 1, Some(3)))]);
        assert!(matches!(plan(&from, &to, &delete), Err(MirrorError::TooManyDeletions { would: 2, max: 1 })));
        let empty = tree(&[("/d", entry(5, Kind::Dir, 0, None))]);
        assert!(matches!(plan(&empty, &to, &delete), Err(MirrorError::SourceLooksEmpty)));
        assert!(plan(&empty, &to, &Options::default()).is_ok(), "without --delete nothing is deleted");
    }
}

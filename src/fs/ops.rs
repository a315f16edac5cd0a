//! The FUSE requests, one method each: decode, call the store, reply.

use std::ffi::OsStr;
use std::path::Path;

use fuser::{
    Errno, FileHandle, Filesystem, FopenFlags, Generation, INodeNo, KernelConfig, LockOwner, OpenFlags,
    RenameFlags, ReplyAttr, ReplyCreate, ReplyData, ReplyDirectory, ReplyEmpty, ReplyEntry, ReplyOpen,
    ReplyStatfs, ReplyWrite, ReplyXattr, Request, TimeOrNow, WriteFlags,
};
use vaultfmt::SECTOR_SIZE;
use vaultfmt::dev::BlockDevice;
use vaultfmt::store::{Kind, SetAttrs};

use super::attr::{file_attr, file_type};
use super::door::Close;
use super::{MAX_WRITE, Res, TTL, VaultFs, name_str, to_time};

const GEN: Generation = Generation(0);

fn reply_entry(reply: ReplyEntry, r: Res<fuser::FileAttr>) {
    match r {
        Ok(attr) => reply.entry(&TTL, &attr, GEN),
        Err(e) => reply.error(e),
    }
}

fn reply_empty(reply: ReplyEmpty, r: Res<()>) {
    match r {
        Ok(()) => reply.ok(),
        Err(e) => reply.error(e),
    }
}

/// Replies to getxattr/listxattr: the size when asked for it, ERANGE when it does not fit.
fn reply_xattr(reply: ReplyXattr, size: u32, r: Res<Vec<u8>>) {
    match r {
        Ok(data) if size == 0 => reply.size(data.len() as u32),
        Ok(data) if data.len() > size as usize => reply.error(Errno::ERANGE),
        Ok(data) => reply.data(&data),
        Err(e) => reply.error(e),
    }
}

impl<D: BlockDevice + 'static> Filesystem for VaultFs<D> {
    fn init(&mut self, _req: &Request, config: &mut KernelConfig) -> std::io::Result<()> {
        let _ = config.set_max_write(MAX_WRITE);
        let _ = config.set_max_readahead(MAX_WRITE);
        // The kernel caches written pages and sends them in large writes; it writes dirty pages
        // back before it sends a flush, so a file is whole when it is closed.
        let _ = config.add_capabilities(fuser::InitFlags::FUSE_WRITEBACK_CACHE);
        // Set-ID bits and capabilities are taken away here (Txn::kill_privileges), not by the
        // kernel asking for `security.capability` before every write (a round trip each).
        let _ = config.add_capabilities(fuser::InitFlags::FUSE_HANDLE_KILLPRIV_V2);
        Ok(())
    }

    fn destroy(&mut self) {
        self.stop_committer();
        let _ = self.inner.durable();
    }

    fn lookup(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEntry) {
        let r = (|| {
            let name = name_str(name)?;
            let view = self.inner.store.read().map_err(|e| self.inner.fail(e))?;
            let ino = view.lookup(parent.0, name).map_err(|e| self.inner.fail(e))?.ok_or(Errno::ENOENT)?;
            let inode = view.inode(ino).map_err(|e| self.inner.fail(e))?.ok_or(Errno::ENOENT)?;
            Ok(file_attr(ino, &inode))
        })();
        reply_entry(reply, r);
    }

    fn getattr(&self, _req: &Request, ino: INodeNo, _fh: Option<FileHandle>, reply: ReplyAttr) {
        match self.inner.entry(ino.0) {
            Ok(attr) => reply.attr(&TTL, &attr),
            Err(e) => reply.error(e),
        }
    }

    fn setattr(
        &self,
        req: &Request,
        ino: INodeNo,
        mode: Option<u32>,
        uid: Option<u32>,
        gid: Option<u32>,
        size: Option<u64>,
        atime: Option<TimeOrNow>,
        mtime: Option<TimeOrNow>,
        _ctime: Option<std::time::SystemTime>,
        _fh: Option<FileHandle>,
        _crtime: Option<std::time::SystemTime>,
        _chgtime: Option<std::time::SystemTime>,
        _bkuptime: Option<std::time::SystemTime>,
        _flags: Option<fuser::BsdFileFlags>,
        reply: ReplyAttr,
    ) {
        let guard = match size {
            Some(0) => match self.inner.begin_anew(ino.0) {
                Ok(g) => Some(g),
                Err(e) => return reply.error(e),
            },
            Some(_) => match self.inner.begin_change(ino.0) {
                Ok(g) => Some(g),
                Err(e) => return reply.error(e),
            },
            None => None,
        };
        // A change of owner, or a truncation by anyone but root, takes set-ID bits away (the
        // kernel leaves it to the mount: FUSE_HANDLE_KILLPRIV_V2); an explicit mode is kept.
        let kill = mode.is_none() && (uid.is_some() || gid.is_some() || (size.is_some() && req.uid() != 0));
        let r = self.inner.change(|tx| {
            if let Some(size) = size {
                tx.truncate(ino.0, size)?;
            }
            if kill {
                tx.kill_privileges(ino.0)?;
            }
            let attrs = SetAttrs { mode, uid, gid, atime: atime.map(to_time), mtime: mtime.map(to_time) };
            tx.set_attrs(ino.0, &attrs)
        });
        drop(guard);
        // A truncate with no handle open (truncate(2)) has no close to wait for.
        let r = r.and_then(|inode| {
            if size.is_some() && !self.inner.state().open.contains_key(&ino.0) {
                self.inner.admit(ino.0, Close::Last)?;
            }
            Ok(inode)
        });
        match r {
            Ok(inode) => reply.attr(&TTL, &file_attr(ino.0, &inode)),
            Err(e) => reply.error(e),
        }
    }

    fn readlink(&self, _req: &Request, ino: INodeNo, reply: ReplyData) {
        match self.inner.inode(ino.0) {
            Ok(i) => match i.target {
                Some(t) => reply.data(t.as_bytes()),
                None => reply.error(Errno::EINVAL),
            },
            Err(e) => reply.error(e),
        }
    }

    fn mknod(
        &self,
        _req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
        _rdev: u32,
        reply: ReplyEntry,
    ) {
        if mode & libc::S_IFMT != libc::S_IFREG {
            // Only regular files, folders and links are kept in a vault.
            return reply.error(Errno::EPERM);
        }
        reply_entry(reply, self.inner.create_file(parent.0, name, mode, umask).map(|(_, attr)| attr));
    }

    fn mkdir(&self, _req: &Request, parent: INodeNo, name: &OsStr, mode: u32, umask: u32, reply: ReplyEntry) {
        let r = self.inner.new_name(parent.0, name).and_then(|n| {
            let ino = self.inner.change(|tx| tx.create(parent.0, n, Kind::Dir, mode & !umask, None))?;
            self.inner.entry(ino)
        });
        reply_entry(reply, r);
    }

    fn unlink(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        reply_empty(reply, name_str(name).and_then(|n| self.inner.change(|tx| tx.unlink(parent.0, n))));
    }

    fn rmdir(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        let r = name_str(name).and_then(|n| self.inner.change(|tx| tx.rmdir(parent.0, n)));
        self.inner.forget_folder_path();
        reply_empty(reply, r);
    }

    fn symlink(&self, _req: &Request, parent: INodeNo, link_name: &OsStr, target: &Path, reply: ReplyEntry) {
        let r = (|| {
            let n = self.inner.new_name(parent.0, link_name)?;
            let t = target.to_str().ok_or(Errno::EINVAL)?;
            self.inner.judge_link(parent.0, t)?;
            let ino = self.inner.change(|tx| tx.create(parent.0, n, Kind::Symlink, 0o777, Some(t)))?;
            self.inner.entry(ino)
        })();
        reply_entry(reply, r);
    }

    fn rename(
        &self,
        _req: &Request,
        parent: INodeNo,
        name: &OsStr,
        newparent: INodeNo,
        newname: &OsStr,
        flags: RenameFlags,
        reply: ReplyEmpty,
    ) {
        if flags.contains(RenameFlags::RENAME_EXCHANGE) || !(flags - RenameFlags::RENAME_NOREPLACE).is_empty()
        {
            return reply.error(Errno::EINVAL);
        }
        let no_replace = flags.contains(RenameFlags::RENAME_NOREPLACE);
        self.inner.forget_folder_path();
        let r = (|| {
            let (a, b) = (name_str(name)?, self.inner.new_name(newparent.0, newname)?);
            self.inner.judge_moved(parent.0, a, newparent.0, b)?;
            self.inner.change(|tx| tx.rename(parent.0, a, newparent.0, b, no_replace))
        })();
        // Again once the rename has landed: a name judged on the other thread meanwhile may
        // have remembered the old path.
        self.inner.forget_folder_path();
        reply_empty(reply, r);
    }

    fn link(&self, _req: &Request, ino: INodeNo, newparent: INodeNo, newname: &OsStr, reply: ReplyEntry) {
        if self.inner.is_unchecked(ino.0) {
            // No second name for a file the gate has not passed.
            return reply.error(Errno::EACCES);
        }
        let r = self.inner.new_name(newparent.0, newname).and_then(|n| {
            self.inner.change(|tx| tx.link(ino.0, newparent.0, n))?;
            self.inner.entry(ino.0)
        });
        reply_entry(reply, r);
    }

    fn open(&self, _req: &Request, ino: INodeNo, flags: OpenFlags, reply: ReplyOpen) {
        let writing = flags.0 & libc::O_ACCMODE != libc::O_RDONLY;
        if writing && self.inner.read_only {
            return reply.error(Errno::EROFS);
        }
        if !writing && self.inner.is_unchecked(ino.0) {
            // Readable by no other handle until the gate has passed it.
            return reply.error(Errno::EACCES);
        }
        match self.inner.inode(ino.0) {
            Ok(i) if i.kind == Kind::Dir => return reply.error(Errno::EISDIR),
            // A file with no name left (one the gate refused and removed while another handle
            // held it) is opened by no one new, even through a name the kernel still caches.
            Ok(i) if i.nlink == 0 => return reply.error(Errno::ENOENT),
            Ok(_) => {}
            Err(e) => return reply.error(e),
        }
        // A file being written is opened by no one else, and one open is not opened to be
        // written: the kernel's page cache is shared, so another handle would read what a writer
        // wrote before the gate has seen it (its reads never reach vault). Where it is in use,
        // the wait for its release is off this request thread: the release needs one.
        match self.inner.try_open(ino.0, writing, std::time::Duration::ZERO) {
            Ok(fh) => return reply.opened(FileHandle(fh), FopenFlags::empty()),
            Err(Errno::EBUSY) => {}
            Err(e) => return reply.error(e),
        }
        let inner = self.inner.clone();
        std::thread::spawn(move || match inner.try_open(ino.0, writing, super::RELEASE_WAIT) {
            Ok(fh) => reply.opened(FileHandle(fh), FopenFlags::empty()),
            Err(e) => reply.error(e),
        });
    }

    fn read(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        size: u32,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyData,
    ) {
        let r = (|| {
            self.inner.check()?;
            if self.inner.is_unchecked(ino.0) && !self.inner.handle(_fh.0).is_some_and(|(_, writer)| writer) {
                return Err(Errno::EACCES);
            }
            let view = self.inner.store.read().map_err(|e| self.inner.fail(e))?;
            let mut buf = vec![0u8; size as usize];
            let n = view.read_at(ino.0, offset, &mut buf).map_err(|e| self.inner.fail(e))?;
            buf.truncate(n);
            Ok(buf)
        })();
        match r {
            Ok(data) => reply.data(&data),
            Err(e) => reply.error(e),
        }
    }

    fn write(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        data: &[u8],
        write_flags: WriteFlags,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyWrite,
    ) {
        let guard = match self.inner.begin_change(ino.0) {
            Ok(g) => g,
            Err(e) => return reply.error(e),
        };
        // The kernel asks this of a write by a process without CAP_FSETID to a set-ID file.
        let kill = write_flags.contains(WriteFlags::FUSE_WRITE_KILL_SUIDGID);
        let write = |tx: &mut vaultfmt::store::Txn<'_, D>| {
            if kill {
                tx.kill_privileges(ino.0)?;
            }
            tx.write_at(ino.0, offset, data)
        };
        let mut r = self.inner.change(write);
        if r == Err(Errno::ENOSPC) && self.inner.durable().is_ok() {
            // Space freed since the last durable commit (a file just deleted) is reused only
            // once that commit is made: make it, and try once more.
            r = self.inner.change(write);
        }
        if let Err(e) = r {
            // Before the change ends: no check may pass the file in between.
            self.inner.write_failed(ino.0, e);
        }
        drop(guard);
        match r {
            Ok(()) => reply.written(data.len() as u32),
            Err(e) => reply.error(e),
        }
    }

    fn flush(&self, _req: &Request, ino: INodeNo, fh: FileHandle, _lock_owner: LockOwner, reply: ReplyEmpty) {
        // A close: the kernel has written the file's dirty pages back, so the gate sees it whole.
        let r = self.inner.check().and_then(|_| match self.inner.handle(fh.0) {
            Some((_, true)) => self.inner.admit(ino.0, Close::One),
            _ => Ok(()),
        });
        reply_empty(reply, r);
    }

    fn release(
        &self,
        _req: &Request,
        ino: INodeNo,
        fh: FileHandle,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        _flush: bool,
        reply: ReplyEmpty,
    ) {
        // Writes can come after the last flush (pages of a shared mapping written back): a
        // writer's release checks again what is still unchecked.
        let admitted = match self.inner.handle(fh.0) {
            Some((_, true)) if !self.inner.read_only => self.inner.admit(ino.0, Close::Last),
            _ => Ok(()),
        };
        let closed = self.inner.close_handle(fh.0);
        if !self.inner.read_only {
            // A change that raced the check above (a truncate(2) while this handle was open,
            // which left its check to this close) must not leave the file unchecked with no
            // handle whose close would check it: unreadable and unwritable until the next mount.
            let _ = self.inner.admit_if_left(ino.0);
        }
        reply_empty(reply, admitted.and(closed));
    }

    fn fsync(&self, _req: &Request, ino: INodeNo, _fh: FileHandle, _datasync: bool, reply: ReplyEmpty) {
        reply_empty(reply, self.inner.admit(ino.0, Close::One).and_then(|_| self.inner.durable()));
    }

    fn opendir(&self, _req: &Request, ino: INodeNo, _flags: OpenFlags, reply: ReplyOpen) {
        match self.inner.inode(ino.0) {
            Ok(i) if i.kind == Kind::Dir => reply.opened(FileHandle(0), FopenFlags::empty()),
            Ok(_) => reply.error(Errno::ENOTDIR),
            Err(e) => reply.error(e),
        }
    }

    fn readdir(&self, _req: &Request, ino: INodeNo, _fh: FileHandle, offset: u64, mut reply: ReplyDirectory) {
        let r = (|| {
            let view = self.inner.store.read().map_err(|e| self.inner.fail(e))?;
            let dir = view.inode(ino.0).map_err(|e| self.inner.fail(e))?.ok_or(Errno::ENOENT)?;
            let mut entries = vec![
                (ino.0, fuser::FileType::Directory, ".".to_string()),
                (dir.parent, fuser::FileType::Directory, "..".to_string()),
            ];
            for e in view.entries(ino.0).map_err(|e| self.inner.fail(e))? {
                entries.push((e.ino, file_type(e.kind), e.name));
            }
            Ok(entries)
        })();
        match r {
            Ok(entries) => {
                for (i, (child, kind, name)) in entries.into_iter().enumerate().skip(offset as usize) {
                    if reply.add(INodeNo(child), (i + 1) as u64, kind, name) {
                        break;
                    }
                }
                reply.ok();
            }
            Err(e) => reply.error(e),
        }
    }

    fn fsyncdir(&self, _req: &Request, _ino: INodeNo, _fh: FileHandle, _datasync: bool, reply: ReplyEmpty) {
        reply_empty(reply, self.inner.durable());
    }

    fn statfs(&self, _req: &Request, _ino: INodeNo, reply: ReplyStatfs) {
        match self.inner.statfs() {
            Ok((free, total, files)) => {
                let (bsize, blocks, bfree) =
                    (SECTOR_SIZE as u64, total / SECTOR_SIZE as u64, free / SECTOR_SIZE as u64);
                reply.statfs(blocks, bfree, bfree, files + bfree, bfree, bsize as u32, 255, bsize as u32)
            }
            Err(e) => reply.error(e),
        }
    }

    fn setxattr(
        &self,
        _req: &Request,
        ino: INodeNo,
        name: &OsStr,
        value: &[u8],
        flags: i32,
        position: u32,
        reply: ReplyEmpty,
    ) {
        if position != 0 {
            return reply.error(Errno::EINVAL);
        }
        if name.as_encoded_bytes().starts_with(b"system.posix_acl") {
            // No POSIX ACLs in a vault: programs (cp -a) then fall back to chmod.
            return reply.error(Errno::EOPNOTSUPP);
        }
        // An attribute is a door too: its name is judged as a file's (after its namespace), its
        // value as one and as a file's bytes (DICOM in it passes the gate first).
        let attribute = name.to_string_lossy();
        let named = attribute.split_once('.').map_or(&*attribute, |(_, n)| n);
        // A value that is text is judged as a name too (written as hex, say), and after the
        // attribute's name as its label (`user.dob` = `1971-02-03`, as `getfattr -d` shows it).
        let text = std::str::from_utf8(value).ok();
        let as_name = text.and_then(|t| {
            crate::gate::check_name(t).or_else(|| crate::gate::check_name(&format!("{named}: {t}")))
        });
        let verdict = match crate::gate::check_name(named).or(as_name) {
            Some(reason) => {
                crate::gate::Verdict { accept: false, reasons: vec![reason], ..crate::gate::Verdict::plain() }
            }
            None => crate::gate::check(value, self.inner.policy()),
        };
        if !verdict.accept {
            // Audited like every refusal.
            let path = self.inner.store.read().ok().and_then(|v| v.path_of(ino.0).ok()).unwrap_or_default();
            let _ = self.inner.change(|tx| {
                crate::gate::door::audit_refusal(
                    tx,
                    crate::gate::door::Door::named("mount (extended attribute)"),
                    &path,
                    &verdict.reasons,
                )
            });
            return reply.error(Errno::EACCES);
        }
        let (create, replace) = (flags & libc::XATTR_CREATE != 0, flags & libc::XATTR_REPLACE != 0);
        let r = name
            .to_str()
            .ok_or(Errno::EINVAL)
            .and_then(|n| self.inner.change(|tx| tx.set_xattr(ino.0, n, value, create, replace)));
        reply_empty(reply, r);
    }

    fn getxattr(&self, _req: &Request, ino: INodeNo, name: &OsStr, size: u32, reply: ReplyXattr) {
        let r = (|| {
            let n = name.to_str().ok_or(Errno::ENODATA)?;
            let view = self.inner.store.read().map_err(|e| self.inner.fail(e))?;
            view.xattr(ino.0, n).map_err(|e| self.inner.fail(e))?.ok_or(Errno::ENODATA)
        })();
        reply_xattr(reply, size, r);
    }

    fn listxattr(&self, _req: &Request, ino: INodeNo, size: u32, reply: ReplyXattr) {
        let r = (|| {
            let view = self.inner.store.read().map_err(|e| self.inner.fail(e))?;
            let mut out = Vec::new();
            for name in view.xattr_names(ino.0).map_err(|e| self.inner.fail(e))? {
                out.extend_from_slice(name.as_bytes());
                out.push(0);
            }
            Ok(out)
        })();
        reply_xattr(reply, size, r);
    }

    fn removexattr(&self, _req: &Request, ino: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        let r = name
            .to_str()
            .ok_or(Errno::ENODATA)
            .and_then(|n| self.inner.change(|tx| tx.remove_xattr(ino.0, n)));
        reply_empty(reply, r);
    }

    fn create(
        &self,
        _req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
        _flags: i32,
        reply: ReplyCreate,
    ) {
        match self.inner.create_file(parent.0, name, mode, umask) {
            Ok((ino, attr)) => {
                let fh = self.inner.open_handle(ino, true);
                reply.created(&TTL, &attr, GEN, FileHandle(fh), FopenFlags::empty());
            }
            Err(e) => reply.error(e),
        }
    }
}

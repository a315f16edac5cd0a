//! Stored formats read member by member from slices of the input: tar (with pax headers and
//! sparse members), cpio, ISO 9660; and a zip member's extra fields.

use super::*;

/// A zip member's extra fields (in its local header, and the directory's) are numbers: times,
/// owners, sizes. Text there (an extra field of a writer's own, Info-ZIP's Unicode path or
/// comment) is refused.
pub(super) fn zip_extra<R: Read + ?Sized>(
    file: &zip::read::ZipFile<'_, R>,
    location: &str,
) -> Result<(), Reason> {
    let extra = file.extra_data().unwrap_or_default();
    if crate::gate::runs::has_text(&extra) {
        return Err(refusal("archive-text", location, "text in a zip member's extra field"));
    }
    Ok(())
}

/// The pax records (POSIX.1-2001 and the extensions GNU tar, star and libarchive write) that say
/// what a member is: a name, an owner, a time, a size, a sparse map, an access control list or
/// a system's extended attribute. Any other record (a `comment`, a writer's own keyword, a
/// user's extended attribute) is free text the archive carries beside its members.
fn pax_record(key: &[u8], value: &[u8], location: &str) -> Result<(), Reason> {
    const KEYS: &[&[u8]] = &[
        b"atime",
        b"charset",
        b"ctime",
        b"gid",
        b"gname",
        b"hdrcharset",
        b"linkpath",
        b"mtime",
        b"path",
        b"size",
        b"uid",
        b"uname",
    ];
    const PREFIXES: &[&[u8]] = &[
        b"GNU.sparse.",
        b"GNU.volume.",
        b"SCHILY.dev",
        b"SCHILY.ino",
        b"SCHILY.nlink",
        b"SCHILY.fflags",
        b"SCHILY.acl.",
        b"SCHILY.xattr.security.",
        b"SCHILY.xattr.system.",
        b"SCHILY.xattr.trusted.",
        b"LIBARCHIVE.creationtime",
        b"LIBARCHIVE.xattr.security.",
        b"LIBARCHIVE.xattr.system.",
        b"RHT.security.",
        b"security.",
        b"realtime.",
    ];
    if matches!(key, b"path" | b"linkpath" | b"uname" | b"gname" | b"GNU.sparse.name") {
        return judge_name(value, location, "a pax header's name, link or owner");
    }
    if value.is_empty() || KEYS.contains(&key) || PREFIXES.iter().any(|p| key.starts_with(p)) {
        return Ok(());
    }
    Err(refusal(
        "archive-text",
        location,
        "a pax header's record of free text (a comment, a keyword of its own)",
    ))
}

/// Every member of a tar archive that carries data, whatever its type says: GNU tar extracts a
/// member of a type it does not know as a plain file, so the gate reads it as one too. A pax
/// sparse member (GNU.sparse.*, formats 0.0, 0.1 and 1.0) is read as GNU tar restores it.
pub(super) fn tar_members(
    bytes: &[u8],
    location: &str,
    budget: &mut Budget,
    each: &mut Each<'_>,
) -> Result<(), Reason> {
    let unreadable = |detail| refusal("unreadable-archive", location, detail);
    let mut archive = tar::Archive::new(bytes);
    // Where the last member's data ends: after it, only the end-of-archive blocks' zeros (`tar
    // -i` reads members past them).
    let mut end = 0u64;
    for entry in archive.entries().map_err(|_| unreadable("not a tar it can read"))? {
        let mut entry = entry.map_err(|_| unreadable("a header it cannot read"))?;
        let data_end = entry.raw_file_position().saturating_add(entry.header().entry_size().unwrap_or(0));
        let block_end = data_end.checked_next_multiple_of(512).unwrap_or(u64::MAX);
        end = end.max(block_end);
        // What pads the member's last block (zeros, as tar writes it) is bytes a carver reads.
        if let Some(pad) = bytes.get(data_end as usize..block_end as usize)
            && pad.iter().any(|&b| b != 0)
        {
            each("(padding)", pad, budget);
        }
        judge_name(&entry.path_bytes(), location, "a tar member's name")?;
        if let Some(target) = entry.link_name_bytes() {
            judge_name(&target, location, "a tar link's target")?;
        }
        for owner in [entry.header().username_bytes(), entry.header().groupname_bytes()].into_iter().flatten()
        {
            judge_name(owner, location, "a tar member's owner")?;
        }
        // Whatever the type says, data that is there is read (7z extracts a link's data too),
        // a folder's as well (its header may carry a size, and the data follow it).
        if entry.size() == 0 {
            continue;
        }
        let mut sparse: Vec<(String, String)> = Vec::new();
        if let Ok(Some(pax)) = entry.pax_extensions() {
            for ext in pax.flatten() {
                pax_record(ext.key_bytes(), ext.value_bytes(), location)?;
                if let (Ok(k), Ok(v)) = (ext.key(), ext.value())
                    && k.starts_with("GNU.sparse.")
                {
                    sparse.push((k.to_string(), v.to_string()));
                }
            }
        }
        let name = sparse
            .iter()
            .find(|(k, _)| k == "GNU.sparse.name")
            .map(|(_, v)| v.clone())
            .or_else(|| entry.path().ok().map(|p| p.display().to_string()))
            .unwrap_or_default();
        // Stored, not compressed: a member is as large as its header says (a sparse one may
        // expand, within the ratio).
        let stored = entry.header().entry_size().unwrap_or(0).max(1);
        let data = expand(&mut entry, stored, budget, location)?;
        if sparse.is_empty() {
            each(&name, &data, budget);
        } else {
            let restored = pax_sparse(&sparse, &data, stored, budget)
                .ok_or_else(|| unreadable("a sparse member it cannot restore"))?;
            each(&name, &restored, budget);
        }
    }
    if bytes.get(end as usize..).is_some_and(|rest| rest.iter().any(|&b| b != 0)) {
        return Err(unreadable("data after the end of the archive"));
    }
    Ok(())
}

/// A pax sparse member as GNU tar restores it: its data blocks at the offsets its map gives (in
/// the header for formats 0.0 and 0.1, at the start of the data for 1.0), zeros between.
fn pax_sparse(keys: &[(String, String)], data: &[u8], stored: u64, budget: &mut Budget) -> Option<Vec<u8>> {
    let get = |k: &str| keys.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    let num = |s: &str| s.trim().parse::<u64>().ok();
    let real = num(get("GNU.sparse.realsize").or(get("GNU.sparse.size"))?)?;
    let mut map: Vec<(u64, u64)> = Vec::new();
    let mut body = data;
    match (get("GNU.sparse.major"), get("GNU.sparse.minor")) {
        (Some("1"), Some("0")) => {
            // Decimal lines: the count, then offset and size pairs; padded to 512 bytes.
            let mut lines = data.split(|&b| b == b'\n');
            let mut next = || std::str::from_utf8(lines.next()?).ok().and_then(num);
            let count = next()?;
            for _ in 0..count.min(1 << 20) {
                map.push((next()?, next()?));
            }
            let text_len: usize = {
                let mut n = 0;
                let mut seen = 0;
                for (i, &b) in data.iter().enumerate() {
                    if b == b'\n' {
                        seen += 1;
                        if seen == 1 + 2 * count as usize {
                            n = i + 1;
                            break;
                        }
                    }
                }
                n
            };
            body = data.get(text_len.next_multiple_of(512)..)?;
        }
        _ => {
            if let Some(m) = get("GNU.sparse.map") {
                let nums: Vec<u64> = m.split(',').map(num).collect::<Option<_>>()?;
                map = nums.chunks(2).filter(|c| c.len() == 2).map(|c| (c[0], c[1])).collect();
            } else {
                let offsets: Vec<u64> = keys
                    .iter()
                    .filter(|(k, _)| k == "GNU.sparse.offset")
                    .filter_map(|(_, v)| num(v))
                    .collect();
                let sizes: Vec<u64> = keys
                    .iter()
                    .filter(|(k, _)| k == "GNU.sparse.numbytes")
                    .filter_map(|(_, v)| num(v))
                    .collect();
                map = offsets.into_iter().zip(sizes).collect();
            }
        }
    }
    let cap = stored.saturating_mul(MAX_RATIO).min(budget.left);
    if real > cap {
        return None;
    }
    let mut out = vec![0u8; real as usize];
    let mut pos = 0usize;
    for (offset, size) in map {
        let (o, n) = (usize::try_from(offset).ok()?, usize::try_from(size).ok()?);
        let src = body.get(pos..pos.checked_add(n)?)?;
        out.get_mut(o..o.checked_add(n)?)?.copy_from_slice(src);
        pos += n;
    }
    budget.left -= real;
    Some(out)
}

/// cpio: "newc" and "crc" (`070701`, `070702`: hex fields, 4-byte alignment), "odc" (`070707`:
/// octal fields) and the old binary form (either byte order, 2-byte alignment).
pub(super) fn cpio_members(
    bytes: &[u8],
    location: &str,
    budget: &mut Budget,
    each: &mut Each<'_>,
) -> Result<(), Reason> {
    let bad = || refusal("unreadable-archive", location, "a cpio header it cannot read");
    let field = |at: usize, len: usize, radix: u32| -> Result<usize, Reason> {
        let s = bytes.get(at..at + len).ok_or_else(bad)?;
        usize::from_str_radix(std::str::from_utf8(s).map_err(|_| bad())?, radix).map_err(|_| bad())
    };
    let mut pos = 0;
    let _ = budget;
    loop {
        let head = bytes.get(pos..pos + 6).ok_or_else(bad)?;
        let (name_at, name_len, size, align, data_align) = if head == b"070701" || head == b"070702" {
            (pos + 110, field(pos + 94, 8, 16)?, field(pos + 54, 8, 16)?, 4, 4)
        } else if head == b"070707" {
            (pos + 76, field(pos + 59, 6, 8)?, field(pos + 65, 11, 8)?, 1, 1)
        } else if head[..2] == [0xC7, 0x71] || head[..2] == [0x71, 0xC7] {
            let h = bytes.get(pos..pos + 26).ok_or_else(bad)?;
            let word = |i: usize| {
                if head[0] == 0xC7 {
                    u16::from_le_bytes([h[i], h[i + 1]])
                } else {
                    u16::from_be_bytes([h[i], h[i + 1]])
                }
            };
            let size = (usize::from(word(22)) << 16) | usize::from(word(24));
            (pos + 26, usize::from(word(20)), size, 2, 2)
        } else {
            return Err(bad());
        };
        let name_end = name_at.checked_add(name_len).filter(|&e| e <= bytes.len()).ok_or_else(bad)?;
        let name_bytes = &bytes[name_at..name_end];
        let name = String::from_utf8_lossy(name_bytes.strip_suffix(&[0]).unwrap_or(name_bytes)).into_owned();
        let data_at = name_end.next_multiple_of(align).min(bytes.len());
        let data_end = data_at.checked_add(size).filter(|&e| e <= bytes.len()).ok_or_else(bad)?;
        if name == "TRAILER!!!" {
            // Only padding may follow (the kernel reads archives one after another).
            if bytes[data_end..].iter().any(|&b| b != 0) {
                return Err(refusal("unreadable-archive", location, "data after the trailer"));
            }
            return Ok(());
        }
        judge_name(name.as_bytes(), location, "a cpio member's name")?;
        if size > 0 {
            each(&name, &bytes[data_at..data_end], budget);
        }
        pos = data_end.next_multiple_of(data_align);
    }
}

/// ISO 9660: the primary volume descriptor's root, then every directory record, each extent
/// held to the image (a directory visited twice, or deeper than 16, ends the walk).
pub(super) fn iso_members(
    bytes: &[u8],
    location: &str,
    budget: &mut Budget,
    each: &mut Each<'_>,
) -> Result<(), Reason> {
    const SECTOR: usize = 2048;
    let bad = || refusal("unreadable-archive", location, "an ISO 9660 record it cannot read");
    let u32le = |b: &[u8], at: usize| -> Result<usize, Reason> {
        Ok(u32::from_le_bytes(b.get(at..at + 4).ok_or_else(bad)?.try_into().expect("4 bytes")) as usize)
    };
    // The primary volume descriptor (type 1) and any supplementary ones (type 2: Joliet),
    // among the descriptors from sector 16: every tree is walked (a file may be in one only).
    let mut roots = Vec::new();
    for sector in 16..64 {
        let d = bytes.get(sector * SECTOR..(sector + 1) * SECTOR).ok_or_else(bad)?;
        if &d[1..6] != b"CD001" {
            return Err(bad());
        }
        match d[0] {
            1 | 2 => {
                // The volume's labels (system, volume, set, publisher, preparer, application,
                // and the copyright, abstract and bibliographic file names).
                for (from, to) in [(8, 72), (190, 702), (702, 776)] {
                    judge_name(&d[from..to], location, "a disc's volume label or publisher")?;
                }
                roots.push(d[156..190].to_vec())
            }
            255 => break,
            _ => {}
        }
    }
    if roots.is_empty() {
        return Err(bad());
    }
    let extent = |record: &[u8]| -> Result<(usize, usize), Reason> {
        let lba = u32le(record, 2)?;
        let len = u32le(record, 10)?;
        let start = lba.checked_mul(SECTOR).ok_or_else(bad)?;
        let end = start.checked_add(len).filter(|&e| e <= bytes.len()).ok_or_else(bad)?;
        Ok((start, end))
    };
    let mut seen = std::collections::BTreeSet::new();
    let mut seen_files = std::collections::BTreeSet::new();
    let mut stack = Vec::new();
    for root in &roots {
        stack.push((extent(root)?, String::new(), 0usize));
    }
    while let Some(((start, end), path, depth)) = stack.pop() {
        if depth > 16 || !seen.insert(start) {
            continue;
        }
        let mut pos = start;
        while pos < end {
            let len = usize::from(bytes[pos]);
            if len == 0 {
                // Records do not cross sectors: the rest of this one is padding.
                pos = (pos / SECTOR + 1) * SECTOR;
                continue;
            }
            let record = bytes.get(pos..pos + len).filter(|_| pos + len <= end).ok_or_else(bad)?;
            pos += len;
            let name_len = usize::from(*record.get(32).ok_or_else(bad)?);
            let name = record.get(33..33 + name_len).ok_or_else(bad)?;
            if name == [0] || name == [1] {
                continue; // "." and ".."
            }
            judge_name(name, location, "a disc's file or folder name")?;
            // The system use area: Rock Ridge's and others' entries (an alternate name, `NM`).
            judge_name(&record[33 + name_len..], location, "a disc's file or folder name")?;
            let name = format!("{path}{}", String::from_utf8_lossy(name));
            let (s, e) = extent(record)?;
            if record[25] & 0x02 != 0 {
                stack.push(((s, e), format!("{name}/"), depth + 1));
            } else if e > s && seen_files.insert((s, e)) {
                each(&name, &bytes[s..e], budget);
            }
        }
    }
    Ok(())
}

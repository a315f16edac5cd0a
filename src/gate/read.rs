//! How the gate reads what it judges without holding more than it must: stored content through
//! a read function (the doors), a file on disk mapped (`vault check`), bytes in memory. A plain
//! file is judged by its head and tail and searched piece by piece for what hides in its middle;
//! anything a reading could take for DICOM or a container is read whole.

use super::burned::Sight;
use super::{HEAD_BYTES, Policy, TAIL_BYTES, Verdict};

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
        && !super::runs::labelled_note(&head)
        && !super::runs::labelled_note(&tail)
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
            if super::may_hold_a_file(&piece[..got]) || super::runs::labelled_note(&piece[..got]) {
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
            && !super::runs::labelled_note(bytes)
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
        let noise = crate::gate::runs::noise(1 << 20, 7);
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

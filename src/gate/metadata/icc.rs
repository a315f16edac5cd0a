//! The text an ICC colour profile carries: its description, copyright, device maker's and
//! model's names and any other text tag, as a colour-management tool shows them (`iccdump`,
//! Pillow's `ImageCms.getProfileDescription`). ICC.1:2022 section 7.3 lays out the tag table
//! (a count at byte 128, then a signature, an offset and a size for each tag); section 10 the
//! three types that hold text: `text` (ASCII), `desc` (ICC v2's description: ASCII with a
//! count first) and `mluc` (records of UTF-16BE). Read here by hand: no maintained crate reads
//! an ICC profile's tags, and these are a few bounds-checked slices.

/// Every text of `profile`'s tags, each with its tag's signature.
pub fn texts(profile: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let count = read_u32(profile, 128).unwrap_or(0) as usize;
    for i in 0..count.min(256) {
        let at = 132 + i * 12;
        let (Some(sig), Some(offset), Some(size)) =
            (profile.get(at..at + 4), read_u32(profile, at + 4), read_u32(profile, at + 8))
        else {
            break;
        };
        let Some(data) = profile.get(offset as usize..(offset as usize).saturating_add(size as usize)) else {
            continue;
        };
        let name = String::from_utf8_lossy(sig).into_owned();
        out.extend(tag_text(data).into_iter().map(|t| (name.clone(), t)));
    }
    out
}

/// The text in one tag's data, by its type's signature.
fn tag_text(data: &[u8]) -> Vec<Vec<u8>> {
    let ascii = |b: &[u8]| b.iter().copied().take_while(|&c| c != 0).collect::<Vec<u8>>();
    match data.get(..4) {
        Some(b"text") => vec![ascii(data.get(8..).unwrap_or_default())],
        Some(b"desc") => {
            let n = read_u32(data, 8).unwrap_or(0) as usize;
            vec![ascii(data.get(12..12usize.saturating_add(n)).unwrap_or_default())]
        }
        Some(b"mluc") => {
            let (records, size) =
                (read_u32(data, 8).unwrap_or(0) as usize, read_u32(data, 12).unwrap_or(12) as usize);
            (0..records.min(64))
                .filter_map(|r| {
                    let at = 16 + r * size.max(12);
                    let (len, offset) = (read_u32(data, at + 4)? as usize, read_u32(data, at + 8)? as usize);
                    let units: Vec<u16> = data
                        .get(offset..offset.saturating_add(len))?
                        .chunks_exact(2)
                        .map(|c| u16::from_be_bytes([c[0], c[1]]))
                        .collect();
                    Some(String::from_utf16_lossy(&units).into_bytes())
                })
                .collect()
        }
        _ => Vec::new(),
    }
}

fn read_u32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

/// A made-up profile of two tags, for tests: a `desc` and an `mluc` (`cprt`).
#[cfg(test)]
pub(super) fn profile(desc: &str, cprt: &str) -> Vec<u8> {
    let mut p = vec![0u8; 128];
    p.extend(2u32.to_be_bytes());
    let mut body: Vec<u8> = Vec::new();
    let base = 128 + 4 + 2 * 12;
    let mut d = b"desc\0\0\0\0".to_vec();
    d.extend((desc.len() as u32 + 1).to_be_bytes());
    d.extend(desc.as_bytes());
    d.push(0);
    let mut m = b"mluc\0\0\0\0".to_vec();
    m.extend(1u32.to_be_bytes());
    m.extend(12u32.to_be_bytes());
    let utf16: Vec<u8> = cprt.encode_utf16().flat_map(u16::to_be_bytes).collect();
    m.extend(b"enUS");
    m.extend((utf16.len() as u32).to_be_bytes());
    m.extend(28u32.to_be_bytes());
    m.extend(&utf16);
    for (sig, data) in [(b"desc", &d), (b"cprt", &m)] {
        p.extend(sig);
        p.extend(((base + body.len()) as u32).to_be_bytes());
        p.extend((data.len() as u32).to_be_bytes());
        body.extend(data.iter());
    }
    p.extend(body);
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_s_description_and_copyright_are_read() {
        let texts = texts(&profile("MRN 4711913", "Madeup^Zelda"));
        assert_eq!(
            texts,
            [("desc".to_string(), b"MRN 4711913".to_vec()), ("cprt".to_string(), b"Madeup^Zelda".to_vec())]
        );
        assert!(super::texts(&[0u8; 40]).is_empty());
    }
}

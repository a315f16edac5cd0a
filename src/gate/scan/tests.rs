use super::*;

/// Every event as text, to compare readings.
#[derive(Default)]
struct Log(Vec<String>);

impl Visitor for Log {
    fn element(&mut self, e: &Element<'_>) {
        self.0.push(format!("{:04X}{:04X}={}", e.tag.0, e.tag.1, String::from_utf8_lossy(trim(e.value))));
    }
    fn sequence(&mut self, tag: Tag, _: Option<VR>) {
        self.0.push(format!("{:04X}{:04X}[", tag.0, tag.1));
    }
    fn item(&mut self, i: usize) {
        self.0.push(format!("item{i}"));
    }
    fn end_item(&mut self) {
        self.0.push("/item".into());
    }
    fn end_sequence(&mut self) {
        self.0.push("]".into());
    }
    fn oddity(&mut self, o: Oddity, tag: Tag) {
        self.0.push(format!("{o:?}:{:04X}{:04X}", tag.0, tag.1));
    }
}

fn explicit(tag: (u16, u16), vr: &[u8; 2], value: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend(tag.0.to_le_bytes());
    out.extend(tag.1.to_le_bytes());
    out.extend(vr);
    if long_length(VR::from_binary(*vr).unwrap()) {
        out.extend([0, 0]);
        out.extend((value.len() as u32).to_le_bytes());
    } else {
        out.extend((value.len() as u16).to_le_bytes());
    }
    out.extend(value);
    out
}

fn implicit(tag: (u16, u16), len: u32, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend(tag.0.to_le_bytes());
    out.extend(tag.1.to_le_bytes());
    out.extend(len.to_le_bytes());
    out.extend(value);
    out
}

fn log(bytes: &[u8], syntax: Syntax) -> (Vec<String>, Reading) {
    let mut l = Log::default();
    let r = read(bytes, 0, syntax, &mut l);
    (l.0, r)
}

#[test]
fn duplicates_and_order_are_told_and_both_values_seen() {
    let mut b = explicit((0x0008, 0x0060), b"CS", b"CT");
    b.extend(explicit((0x0010, 0x0010), b"PN", b"A^B "));
    b.extend(explicit((0x0010, 0x0010), b"PN", b"C^D "));
    b.extend(explicit((0x0008, 0x0070), b"LO", b"X "));
    let (events, r) = log(&b, Syntax::ExplicitLittle);
    assert_eq!(r, Reading { elements: 4, stopped: None });
    assert_eq!(
        events,
        [
            "00080060=CT",
            "00100010=A^B",
            "Duplicate:00100010",
            "00100010=C^D",
            "OutOfOrder:00080070",
            "00080070=X"
        ]
    );
}

#[test]
fn a_truncated_file_shows_what_comes_before_the_cut() {
    let mut b = explicit((0x0010, 0x0010), b"PN", b"A^B ");
    b.extend(explicit((0x0010, 0x0020), b"LO", b"12345678"));
    b.truncate(b.len() - 3);
    let (events, r) = log(&b, Syntax::ExplicitLittle);
    assert_eq!(events, ["00100010=A^B"]);
    assert_eq!(r.elements, 1);
    assert!(r.stopped.is_some());
}

#[test]
fn un_sequences_are_read_as_implicit_vr_both_ways() {
    // Undefined length: items in implicit VR up to a sequence delimiter.
    let mut item = implicit((0x0010, 0x0010), 4, b"A^B ");
    let mut seq = implicit((0xFFFE, 0xE000), UNDEFINED, &[]);
    seq.append(&mut item);
    seq.extend(implicit((0xFFFE, 0xE00D), 0, &[]));
    seq.extend(implicit((0xFFFE, 0xE0DD), 0, &[]));
    let mut b = Vec::new();
    b.extend([0x09, 0x00, 0x10, 0x10, b'U', b'N', 0, 0]);
    b.extend(UNDEFINED.to_le_bytes());
    b.extend(&seq);
    b.extend(explicit((0x0011, 0x0001), b"LO", b"after "));
    let (events, r) = log(&b, Syntax::ExplicitLittle);
    assert_eq!(r.stopped, None, "{events:?}");
    assert_eq!(events, ["00091010[", "item0", "00100010=A^B", "/item", "]", "00110001=after"]);
    // Defined length, on a tag the dictionary calls SQ: the same sequence.
    let item = implicit((0x0010, 0x0010), 4, b"A^B ");
    let body = [implicit((0xFFFE, 0xE000), item.len() as u32, &item)].concat();
    let b = explicit((0x0008, 0x1120), b"UN", &body);
    let (events, _) = log(&b, Syntax::ExplicitLittle);
    assert_eq!(events, ["00081120[", "item0", "00100010=A^B", "/item", "]"]);
}

#[test]
fn lengths_past_the_end_and_deep_nesting_stop_the_reading() {
    let mut b = explicit((0x0010, 0x0010), b"PN", b"A^B ");
    b[6] = 0xFF;
    assert!(log(&b, Syntax::ExplicitLittle).1.stopped.is_some());
    let mut nested = Vec::new();
    for _ in 0..(MAX_NESTING + 2) {
        nested.extend(implicit((0x0008, 0x1115), UNDEFINED, &[]));
        nested.extend(implicit((0xFFFE, 0xE000), UNDEFINED, &[]));
    }
    let (_, r) = log(&nested, Syntax::ImplicitLittle);
    assert_eq!(r.stopped.map(|s| s.why), Some("sequences nested too deep"));
}

#[test]
fn the_meta_group_names_the_syntax_of_the_rest() {
    let mut b = explicit((0x0002, 0x0010), b"UI", b"1.2.840.10008.1.2\0");
    b.extend(implicit((0x0010, 0x0010), 4, b"A^B "));
    let (events, r) = log(&b, Syntax::ExplicitLittle);
    assert_eq!(r.stopped, None);
    assert_eq!(events, ["00020010=1.2.840.10008.1.2", "00100010=A^B"]);
}

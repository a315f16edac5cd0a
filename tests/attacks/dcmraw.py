"""Byte-level DICOM encoder used by make.py: every element is written exactly as asked
(any VR, any order, duplicates, undefined lengths, UN-wrapped sequences, odd meta groups)."""
import hashlib
import struct
import zlib

IMPLICIT = '1.2.840.10008.1.2'
EXPLICIT = '1.2.840.10008.1.2.1'
DEFLATED = '1.2.840.10008.1.2.1.99'
BIG = '1.2.840.10008.1.2.2'
TS_ENC = {IMPLICIT: 'iel', EXPLICIT: 'eel', DEFLATED: 'eel', BIG: 'ebe'}

CT = '1.2.840.10008.5.1.4.1.1.2'
MR = '1.2.840.10008.5.1.4.1.1.4'
SR = '1.2.840.10008.5.1.4.1.1.88.33'
GSPS = '1.2.840.10008.5.1.4.1.1.11.1'
EPDF = '1.2.840.10008.5.1.4.1.1.104.1'
MEDIA_DIR = '1.2.840.10008.1.3.10'

LONG = {'OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV'}
NUMFMT = {'US': 'H', 'UL': 'I', 'SS': 'h', 'SL': 'i', 'FL': 'f', 'FD': 'd'}


def uid(label):
    """A deterministic 2.25.<decimal> UID made from a label."""
    return '2.25.' + str(int.from_bytes(hashlib.sha256(label.encode()).digest()[:16], 'big'))


class E:
    """One element. value: str, bytes, int/list of int (numeric VRs), or list of items (each a
    list of E) for SQ / UN-wrapped sequences. opts: undef (undefined length), item_undef,
    inner ('iel'/'eel'/'ebe' for the items' encoding), length (forced length field)."""

    def __init__(self, tag, vr, value, **opts):
        self.tag, self.vr, self.value, self.opts = tag, vr, value, opts

    def is_seq(self):
        return self.vr == 'SQ' or (isinstance(self.value, list) and self.value
                                   and isinstance(self.value[0], list))


def value_bytes(vr, v, be):
    P = '>' if be else '<'
    if isinstance(v, bytes):
        b = v
    elif isinstance(v, (int, float)) or (isinstance(v, list) and v and isinstance(v[0], (int, float))):
        vals = v if isinstance(v, list) else [v]
        b = struct.pack(P + NUMFMT[vr] * len(vals), *vals)
    elif isinstance(v, str):
        b = v.encode('latin-1')
    else:
        b = b''
    if len(b) % 2:
        b += b'\0' if vr in ('UI', 'OB', 'UN') else b' '
    return b


def tag_bytes(tag, enc):
    return struct.pack('>HH' if enc == 'ebe' else '<HH', tag >> 16, tag & 0xFFFF)


def delim(tag, enc):
    return tag_bytes(tag, enc) + struct.pack('>I' if enc == 'ebe' else '<I', 0)


def enc_item(elems, enc, undef=False, sort=True):
    body = enc_elems(elems, enc, sort)
    P = '>' if enc == 'ebe' else '<'
    if undef:
        return tag_bytes(0xFFFEE000, enc) + struct.pack(P + 'I', 0xFFFFFFFF) + body + delim(0xFFFEE00D, enc)
    return tag_bytes(0xFFFEE000, enc) + struct.pack(P + 'I', len(body)) + body


def enc_el(x, enc):
    be = enc == 'ebe'
    P = '>' if be else '<'
    undef = x.opts.get('undef', False)
    if x.is_seq():
        inner = x.opts.get('inner', enc if x.vr == 'SQ' else 'iel')
        body = b''.join(enc_item(it, inner, x.opts.get('item_undef', False), x.opts.get('sort', True))
                        for it in x.value)
        if undef:
            body += delim(0xFFFEE0DD, inner)
    else:
        body = value_bytes(x.vr, x.value, be)
    length = 0xFFFFFFFF if undef else len(body)
    length = x.opts.get('length', length)
    g, e = x.tag >> 16, x.tag & 0xFFFF
    if enc == 'iel':
        hdr = struct.pack('<HHI', g, e, length)
    elif x.vr in LONG:
        hdr = struct.pack(P + 'HH', g, e) + x.vr.encode() + b'\0\0' + struct.pack(P + 'I', length)
    else:
        hdr = struct.pack(P + 'HH', g, e) + x.vr.encode() + struct.pack(P + 'H', length)
    return hdr + body


def enc_elems(elems, enc, sort=True):
    if sort:
        elems = sorted(elems, key=lambda x: x.tag)
    return b''.join(enc_el(x, enc) for x in elems)


def meta_group(ts, sop_class, sop_inst, extra=(), group_length=None):
    elems = [E(0x00020001, 'OB', b'\0\1'), E(0x00020002, 'UI', sop_class),
             E(0x00020003, 'UI', sop_inst), E(0x00020010, 'UI', ts),
             E(0x00020012, 'UI', uid('madeup implementation')), E(0x00020013, 'SH', 'ADV_GEN_1')]
    tags = {x.tag for x in extra}
    elems = [x for x in elems if x.tag not in tags] + list(extra)
    body = enc_elems(elems, 'eel')
    gl = len(body) if group_length is None else group_length
    return enc_el(E(0x00020000, 'UL', gl), 'eel') + body


def find(elems, tag, default=None):
    for x in elems:
        if x.tag == tag:
            return x.value
    return default


def dataset(elems, ts, sort=True):
    data = enc_elems(elems, TS_ENC[ts], sort)
    if ts == DEFLATED:
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        data = c.compress(data) + c.flush()
    return data


def part10(elems, ts=EXPLICIT, preamble=b'\0' * 128, magic=b'DICM', extra_meta=(),
           sort=True, data_enc=None, group_length=None, raw_tail=b''):
    """A Part 10 file. data_enc forces the data set's encoding regardless of ts."""
    meta = meta_group(ts, find(elems, 0x00080016, CT), find(elems, 0x00080018, uid('x')),
                      extra_meta, group_length)
    if data_enc:
        data = enc_elems(elems, data_enc, sort)
    else:
        data = dataset(elems, ts, sort)
    return preamble + magic + meta + data + raw_tail

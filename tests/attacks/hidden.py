#!/usr/bin/env python3
"""DICOM files hidden where the gate once did not look, and controls that must still pass.

Usage: hidden.py OUT. Writes OUT/attack/* (each carries a made-up identity a reader can take out:
a whole identified Part 10 file, or the identity as a raw data set or text) and OUT/control/*
(conformant files, also in the same wrappers). Every name and value here is made up.
"""
import gzip
import hashlib
import io
import lzma
import os
import re
import struct
import sys
import tarfile
import zipfile
import zlib

import numpy as np
from PIL import Image
import pydicom
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset

OUT = sys.argv[1]
for d in ('attack', 'control'):
    os.makedirs(os.path.join(OUT, d), exist_ok=True)

NAME, DOB, MRN = 'Madeup^Hidden', '19710203', 'MRN4711913'
WHO = b'Patient ' + NAME.encode() + b' ' + DOB.encode()  # as text a reader shows
n = [0]


def uid():
    n[0] += 1
    return '2.25.%d' % int(hashlib.sha256(b'hidden %d' % n[0]).hexdigest()[:32], 16)


def conformant(rows=16, cols=16, bits=16, syntax='1.2.840.10008.1.2.1'):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.2'
    meta.MediaStorageSOPInstanceUID = uid()
    meta.TransferSyntaxUID = syntax
    meta.ImplementationClassUID = '2.25.1234567'
    ds = FileDataset(None, {}, file_meta=meta, preamble=b'\0' * 128)
    ds.SpecificCharacterSet = 'ISO_IR 100'
    ds.ImageType = ['ORIGINAL', 'PRIMARY', 'AXIAL']
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    for k in ('StudyDate', 'StudyTime', 'AccessionNumber', 'ReferringPhysicianName', 'PatientName',
              'PatientID', 'PatientBirthDate', 'PatientSex', 'StudyID'):
        setattr(ds, k, '')
    ds.Modality = 'CT'
    ds.PatientIdentityRemoved = 'YES'
    code = Dataset()
    code.CodeValue, code.CodingSchemeDesignator = '113100', 'DCM'
    code.CodeMeaning = 'Basic Application Confidentiality Profile'
    ds.DeidentificationMethodCodeSequence = [code]
    ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = uid(), uid(), uid()
    ds.SeriesNumber, ds.InstanceNumber = '1', '1'
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, 'MONOCHROME2'
    ds.Rows, ds.Columns = rows, cols
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = bits, bits, bits - 1, 0
    dtype = np.uint16 if bits == 16 else np.uint8
    ds.PixelData = (np.arange(rows * cols) % (1 << min(bits, 12))).astype(dtype).tobytes()
    return ds


def part10(ds):
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def identified():
    ds = conformant()
    ds.PatientName, ds.PatientBirthDate, ds.PatientID = NAME, DOB, MRN
    return part10(ds)


def even(b):
    return b + b'\0' * (len(b) % 2)


def write(kind, name, data):
    with open(os.path.join(OUT, kind, name), 'wb') as f:
        f.write(data)


BAD = even(identified())
CLEAN = part10(conformant())
write('control', 'clean.dcm', CLEAN)

# The preamble as an implicit-VR data set (dcmdump -f, pydicom's read_dataset read it), its last
# element a PixelData that swallows the rest of the file.
elements = b''.join(struct.pack('<HHI', 0x0010, e, len(v)) + v
                    for e, v in ((0x0010, NAME.encode() + b' '), (0x0020, MRN.encode()), (0x0030, DOB.encode())))
filler = 128 - len(elements) - 16
elements += struct.pack('<HHI', 0x0010, 0x1010, filler) + b'0' * filler
elements += struct.pack('<HHI', 0x7FE0, 0x0010, len(CLEAN) - 128)
assert len(elements) == 128
write('attack', 'preamble_data_set.dcm', even(elements + CLEAN[128:]))
write('attack', 'preamble_text.dcm', (b'Patient ' + NAME.encode() + b' ' + DOB.encode()).ljust(128, b'\0') + CLEAN[128:])
# The same text as UTF-16 (a hex dump, `strings -el` and a UTF-16 editor show it), and its
# words split by control bytes (`strings` and an editor show the words).
write('attack', 'preamble_utf16.dcm', WHO.decode().encode('utf-16-le').ljust(128, b'\0')[:128] + CLEAN[128:])
write('attack', 'preamble_split.dcm', b'\x01'.join([b'Madeup', b'Hidden', DOB[:4].encode(), DOB[4:].encode()]).ljust(128, b'\0') + CLEAN[128:])
write('control', 'binary_preamble.dcm', bytes(i % 7 for i in range(128)) + CLEAN[128:])

# A whole identified file in pixel data: as its value, and after the frame.
ds = conformant()
ds.PixelData = BAD
write('attack', 'pixel_data_is_a_file.dcm', part10(ds))
ds = conformant()
ds.PixelData = ds.PixelData + BAD
write('attack', 'pixel_data_slack_holds_a_file.dcm', part10(ds))
# Text after the frame (no viewer shows it; `strings` does), and binary bytes there (some writers
# leave them), and an 8-bit frame of odd length padded by one byte.
ds = conformant()
ds.PixelData = ds.PixelData + even(b' ' + WHO)
write('attack', 'pixel_data_slack_text.dcm', part10(ds))
ds = conformant()
ds.PixelData = ds.PixelData + bytes(range(0, 240, 15))
write('control', 'pixel_data_slack_binary.dcm', part10(ds))
ds = conformant()
ds.PixelData = ds.PixelData + even(WHO.decode().encode('utf-16-le'))
write('attack', 'pixel_data_slack_utf16.dcm', part10(ds))
# Text in a binary value the profile keeps (a LUT), and a LUT's ramp, whose bytes run through
# the printable ones in pairs.
ds = conformant()
ds.RedPaletteColorLookupTableDescriptor = [24, 0, 16]
ds.RedPaletteColorLookupTableData = even(b'Name: ' + NAME.encode() + b' DOB: ' + DOB.encode())
write('attack', 'lut_data_text.dcm', part10(ds))
ds = conformant()
ds.RedPaletteColorLookupTableDescriptor = [256, 0, 16]
ds.RedPaletteColorLookupTableData = struct.pack('<256H', *(i * 257 for i in range(256)))
write('control', 'lut_data_ramp.dcm', part10(ds))
# A name as the bytes of two doubles (a text editor shows them; a DICOM reader shows numbers).
ds = conformant()
ds.add_new(0x00189219, 'FD', list(struct.unpack('<2d', NAME.encode().ljust(16))))
write('attack', 'float_value_text.dcm', part10(ds))
# Text written over 16-bit native pixels (`strings` shows it; a viewer shows a grey stripe), and a
# 16-bit ramp whose bytes run through every printable pair.
ds = conformant()
text = even(b'PATIENT ' + NAME.encode() + b' ' + MRN.replace('MRN', 'MRN ').encode())
ds.PixelData = text + ds.PixelData[len(text):]
write('attack', 'pixel_values_text.dcm', part10(ds))
ds = conformant()
ds.PixelData = struct.pack('<256H', *(i * 257 for i in range(256)))
write('control', 'pixel_values_ramp.dcm', part10(ds))
write('control', 'odd_frame_padded.dcm', part10(conformant(rows=3, cols=3, bits=8)))

# Encapsulated JPEG: an extra fragment, and an APP9 segment of the frame's JPEG.
jpeg = io.BytesIO()
Image.fromarray((np.arange(256).reshape(16, 16) % 200).astype(np.uint8)).save(jpeg, 'JPEG')
jpeg = jpeg.getvalue()


def fragments(*frags):
    return b''.join(struct.pack('<HHI', 0xFFFE, 0xE000, len(even(f))) + even(f) for f in frags)


def encapsulated(frags, modality='CT'):
    ds = conformant(bits=8, syntax='1.2.840.10008.1.2.4.50')
    ds.Modality = modality
    ds.PixelData = frags
    ds['PixelData'].VR = 'OB'
    ds['PixelData'].is_undefined_length = True
    return part10(ds)


write('attack', 'extra_fragment_is_a_file.dcm', encapsulated(fragments(b'', jpeg, BAD)))
app9 = jpeg[:2] + b'\xff\xe9' + struct.pack('>H', len(BAD) + 2) + BAD + jpeg[2:]
write('attack', 'jpeg_segment_is_a_file.dcm', encapsulated(fragments(b'', app9)))
# A frame's JPEG comment (a standalone JPEG's is refused as image metadata).
com = jpeg[:2] + b'\xff\xfe' + struct.pack('>H', len(WHO) + 2) + WHO + jpeg[2:]
write('attack', 'jpeg_comment_in_a_frame.dcm', encapsulated(fragments(b'', com)))
# Plain text as an extra fragment, and in an application segment of no known format (APP5).
LABELLED = b'Patient: ' + NAME.encode() + b' DOB: ' + DOB.encode()
write('attack', 'extra_fragment_text.dcm', encapsulated(fragments(b'', jpeg, LABELLED)))
app5 = jpeg[:2] + b'\xff\xe5' + struct.pack('>H', len(LABELLED) + 2) + LABELLED + jpeg[2:]
write('attack', 'jpeg_app5_text_in_a_frame.dcm', encapsulated(fragments(b'', app5)))
write('control', 'jpeg_frame.dcm', encapsulated(fragments(b'', jpeg)))

# A PNG with a private chunk holding the file.
png = io.BytesIO()
Image.fromarray(np.full((8, 8), 200, np.uint8)).save(png, 'PNG')
png = png.getvalue()
chunk = struct.pack('>I', len(BAD)) + b'dcMf' + BAD
chunk += struct.pack('>I', zlib.crc32(b'dcMf' + BAD) & 0xFFFFFFFF)
write('attack', 'png_chunk_is_a_file.png', png[:33] + chunk + png[33:])


def tar_of(members):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode='w', format=tarfile.USTAR_FORMAT) as t:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return out.getvalue()


# Members after the end-of-archive blocks (`tar -i` extracts them).
write('attack', 'tar_member_after_the_end.tar', tar_of([('a.dcm', CLEAN)]) + tar_of([('b.dcm', BAD)]))
write('control', 'two_clean_files.tar', tar_of([('a.dcm', CLEAN), ('b.dcm', CLEAN)]))


def cpio_of(members):
    out = b''
    for i, (name, data) in enumerate(members + [('TRAILER!!!', b'')]):
        nm = name.encode() + b'\0'
        head = b'070701' + b''.join(b'%08X' % v for v in (i + 1, 0o100644, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(nm), 0))
        out += head + nm
        out += b'\0' * (-len(out) % 4) + data
        out += b'\0' * (-len(out) % 4)
    return out


# A second archive after the trailer (the kernel reads archives one after another).
write('attack', 'cpio_after_the_trailer.cpio', cpio_of([('a.dcm', CLEAN)]) + cpio_of([('b.dcm', BAD)]))
write('control', 'clean.cpio', cpio_of([('a.dcm', CLEAN)]))

# A gzip whose header's extra field holds the file (its content is clean).
body = gzip.compress(CLEAN, mtime=0)
extra = struct.pack('<H', len(BAD)) + BAD
write('attack', 'gzip_extra_field_is_a_file.gz', body[:3] + bytes([body[3] | 0x04]) + body[4:10] + extra + body[10:])
write('control', 'clean.dcm.gz', body)

# Comments, free text archive managers and `gzip -lv` show: a gzip header's (beside the original
# file name), a zip archive's, a zip member's, a pax header's. A file name alone is no comment.
named = body[:3] + bytes([body[3] | 0x08]) + body[4:10] + b'a.dcm\0'
write('attack', 'gzip_comment.gz', named[:3] + bytes([named[3] | 0x10]) + named[4:] + WHO + b'\0' + body[10:])
write('control', 'clean_named.dcm.gz', named + body[10:])
write('control', 'clean_two_members.gz', gzip.compress(CLEAN[:1000], mtime=0) + gzip.compress(CLEAN[1000:], mtime=0))
commented = gzip.compress(b'', mtime=0)
commented = commented[:3] + bytes([commented[3] | 0x10]) + commented[4:10] + WHO + b'\0' + commented[10:]
write('attack', 'gzip_second_member_comment.gz', body + commented)
sub = b'ZZ' + struct.pack('<H', len(WHO)) + WHO
write('attack', 'gzip_extra_field_text.gz',
      body[:3] + bytes([body[3] | 0x04]) + body[4:10] + struct.pack('<H', len(sub)) + sub + body[10:])


def zip_of(comment=b'', member_comment=b'', extra=b''):
    out = io.BytesIO()
    with zipfile.ZipFile(out, 'w') as z:
        info = zipfile.ZipInfo('a.dcm')
        info.comment, info.extra = member_comment, extra
        z.writestr(info, CLEAN)
        z.comment = comment
    return out.getvalue()


write('attack', 'zip_comment.zip', zip_of(comment=WHO))
write('attack', 'zip_member_comment.zip', zip_of(member_comment=WHO))
write('control', 'clean.zip', zip_of())
write('control', 'clean_timestamp_extra.zip', zip_of(extra=struct.pack('<HHBI', 0x5455, 5, 1, 1700000000)))
write('attack', 'zip_extra_field_text.zip', zip_of(extra=struct.pack('<HH', 0xCAFE, len(WHO)) + WHO))


def pax_of(records):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode='w', format=tarfile.PAX_FORMAT) as t:
        info = tarfile.TarInfo('a.dcm')
        info.size, info.pax_headers = len(CLEAN), records
        t.addfile(info, io.BytesIO(CLEAN))
    return out.getvalue()


write('attack', 'tar_pax_comment.tar', pax_of({'comment': WHO.decode()}))
write('attack', 'tar_pax_keyword_of_its_own.tar', pax_of({'MADEUP.note': WHO.decode()}))

# DICOM JSON and XML with what the model has no place for (a JSON member, a key that is no tag,
# an XML comment, element or trailing text): a text reader shows it, so it is judged.
import json


def as_json(ds):
    return json.loads(ds.to_json(bulk_data_threshold=1 << 30))


model = as_json(conformant())
model['7FE00010']['vr'] = 'OW'  # pydicom writes 'OB or OW', which no reader of the model takes
write('control', 'clean.json', json.dumps(model).encode())
extra = json.loads(json.dumps(model))
extra['00100010']['Note'] = NAME
write('attack', 'json_member_outside_the_model.json', json.dumps(extra).encode())
keyed = json.loads(json.dumps(model))
keyed[NAME] = {'vr': 'LO', 'Value': ['x']}
write('attack', 'json_key_is_a_name.json', json.dumps(keyed).encode())
# A binary value a JSON reader decodes: the whole identified file as the pixel data.
inline = json.loads(json.dumps(model))
inline['7FE00010']['InlineBinary'] = __import__('base64').b64encode(BAD).decode()
write('attack', 'json_inline_binary_is_a_file.json', json.dumps(inline).encode())
# A bulk data reference that carries its bytes: a data: URI (RFC 2397).
inline = json.loads(json.dumps(model))
del inline['7FE00010']['InlineBinary']
inline['7FE00010']['BulkDataURI'] = 'data:application/dicom;base64,' + __import__('base64').b64encode(BAD).decode()
write('attack', 'json_bulk_data_uri_inline.json', json.dumps(inline).encode())
# Text after the frame, in the JSON's pixel data.
inline = json.loads(json.dumps(model))
pixels = __import__('base64').b64decode(inline['7FE00010']['InlineBinary']) + even(b' ' + WHO)
inline['7FE00010']['InlineBinary'] = __import__('base64').b64encode(pixels).decode()
write('attack', 'json_inline_pixel_data_slack_text.json', json.dumps(inline).encode())


def as_xml(ds, inject=b'', trailing=b''):
    out = [b'<?xml version="1.0" encoding="UTF-8"?>', b'<NativeDicomModel>']
    for el in ds:
        if el.VR in ('SQ', 'OB', 'OW') or el.tag == 0x7FE00010:
            continue
        out.append(b'<DicomAttribute tag="%08X" vr="%s" keyword="%s">' % (el.tag, el.VR.encode(), el.keyword.encode()))
        values = el.value if isinstance(el.value, (list, pydicom.multival.MultiValue)) else [el.value]
        for i, value in enumerate(values):
            text = str(value).encode()
            if text:
                tag = b'PersonName' if el.VR == 'PN' else b'Value'
                out.append(b'<%s number="%d">%s</%s>' % (tag, i + 1, text, tag))
        out.append(b'</DicomAttribute>')
    out.append(inject + b'</NativeDicomModel>' + trailing)
    return b'\n'.join(out)



# DICOM JSON and XML inside other text: a data set under a key of another document (an API's
# answer), in a note's code block, after a line of text; and the same around clean data sets.
named = as_json(conformant())
named['7FE00010']['vr'] = 'OW'
named['00100010'] = {'vr': 'PN', 'Value': [{'Alphabetic': NAME}]}
named['00100030'] = {'vr': 'DA', 'Value': [DOB]}
for kind, data in (('attack', named), ('control', model)):
    tail = 'named' if kind == 'attack' else 'clean'
    write(kind, 'json_under_a_key_%s.json' % tail, json.dumps({'status': 'ok', 'study': [data]}).encode())
    # Inside a string: an API's answer holding it as text, a CSV cell, a web page's `<pre>`
    # with its quotes as character references; and with a comment (JSON with comments).
    text = json.dumps(data)
    write(kind, 'json_as_a_string_%s.json' % tail, json.dumps({'payload': text}).encode())
    write(kind, 'json_in_a_csv_cell_%s.csv' % tail, b'case,header\n1,"' + text.replace('"', '""').encode() + b'"\n')
    write(kind, 'json_html_escaped_%s.html' % tail,
          b'<html><body><pre>' + text.replace('&', '&amp;').replace('"', '&quot;').encode() + b'</pre></body></html>\n')
    write(kind, 'json_with_a_comment_%s.json' % tail, b'/* exported for teaching */\n' + text.encode())
    # A JavaScript object literal (node's eval reads it): single quotes, keys bare where they may be.
    literal = re.sub(r'"(vr|Value|Alphabetic|InlineBinary|BulkDataURI)":', r'\1:', text).replace('"', "'")
    write(kind, 'js_object_literal_%s.js' % tail, b'const study = ' + literal.encode() + b';\n')
    write(kind, 'json_in_a_note_%s.md' % tail,
          b'# Teaching case\n\nExported header:\n\n```json\n' + json.dumps(data, indent=2).encode() + b'\n```\n')


plain = conformant()
del plain.DeidentificationMethodCodeSequence
write('control', 'clean.xml', as_xml(plain))
write('attack', 'xml_comment.xml', as_xml(plain, inject=b'<!-- ' + WHO + b' -->'))
write('attack', 'xml_element_outside_the_model.xml', as_xml(plain, inject=b'<Note>' + WHO + b'</Note>'))
write('attack', 'xml_text_after_the_root.xml', as_xml(plain, trailing=b'\n' + WHO))
named = conformant()
named.PatientName, named.PatientBirthDate = NAME, DOB
write('attack', 'xml_after_a_line_of_text.txt', b'Header of the teaching case:\n' + as_xml(named) + b'\nend\n')
write('control', 'xml_after_a_line_of_text_clean.txt', b'Header of the teaching case:\n' + as_xml(plain) + b'\nend\n')
inline = (b'<DicomAttribute tag="7FE00010" vr="OB" keyword="PixelData"><InlineBinary>'
          + __import__('base64').b64encode(BAD) + b'</InlineBinary></DicomAttribute>')
write('attack', 'xml_inline_binary_is_a_file.xml', as_xml(plain, inject=inline))
inline = (b'<DicomAttribute tag="7FE00010" vr="OB" keyword="PixelData"><BulkData uri="data:;base64,'
          + __import__('base64').b64encode(BAD) + b'"/></DicomAttribute>')
write('attack', 'xml_bulk_data_uri_inline.xml', as_xml(plain, inject=inline))

# Encodings and streams a program writes without a container's header.
import base64
assert zlib.decompress(zlib.compress(BAD)) == BAD
write('attack', 'zlib_stream.zlib', zlib.compress(BAD))
write('control', 'clean.zlib', zlib.compress(CLEAN))
b64 = base64.urlsafe_b64encode(BAD).rstrip(b'=')
assert base64.urlsafe_b64decode(b64 + b'=' * (-len(b64) % 4)) == BAD
write('attack', 'base64url_unpadded.txt', b64)
write('attack', 'hex.txt', BAD.hex().encode())
write('control', 'clean.hex.txt', CLEAN.hex().encode())

# Base64 inside text: a web page's data: URI, an e-mail's attachment (lines of 76, then the next
# part's boundary); a clean file attached, and text with a long run of letters that is no base64
# of anything.
write('attack', 'html_data_uri_base64.html',
      b'<html><body><img src="data:application/dicom;base64,' + base64.b64encode(BAD) + b'"></body></html>\n')


def mail(data):
    lines = base64.encodebytes(data)
    return (b'From: a@example.org\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B-1"\n\n'
            b'--B-1\nContent-Type: application/dicom\nContent-Transfer-Encoding: base64\n\n' + lines + b'--B-1--\n')


write('attack', 'mail_attachment_base64.eml', mail(BAD))
write('control', 'clean_mail_base64.eml', mail(CLEAN))
write('control', 'long_words.txt', b'Notes: ' + bytes(range(65, 91)) * 12 + b' and so on.\n')


# Base64 laid out as other programs lay it out in text: PEM armour (its header's dashes are of the
# URL-safe alphabet), lines indented in YAML, groups of four split by spaces, a JSON string's
# `\n` and `\/` escapes, and a word of the text run into the first line. Controls: a clean file
# armoured, and prose (in capitals too, as reports are written) a decoder takes for letters.
def lines_of(data, width, indent=b''):
    text = base64.b64encode(data)
    return b''.join(indent + text[i:i + width] + b'\n' for i in range(0, len(text), width))


def pem(data):
    return b'-----BEGIN DICOM FILE-----\n' + lines_of(data, 64) + b'-----END DICOM FILE-----\n'


write('attack', 'pem_armoured_base64.pem', pem(BAD))
write('control', 'clean_pem_base64.pem', pem(CLEAN))
write('attack', 'yaml_indented_base64.yaml', b'study:\n  file: |\n' + lines_of(BAD, 76, b'    ') + b'  kept: true\n')
grouped = base64.b64encode(BAD)
write('attack', 'space_grouped_base64.txt', b' '.join(grouped[i:i + 4] for i in range(0, len(grouped), 4)) + b'\n')
escaped = lines_of(BAD, 76).replace(b'/', b'\\/').replace(b'\n', b'\\n')
write('attack', 'json_escaped_base64.json', b'{"note": "teaching file", "file": "' + escaped + b'"}\n')
write('attack', 'word_run_into_base64.txt', b'Attached below as base64\n' + lines_of(BAD, 76) + b'end\n')
# Other text encodings of the whole file, as their tools write them; base64 laid out inside
# other text (a quoted e-mail, a program's strings, a JSON array, lines ended by full stops,
# encodings padded one after another). Controls: a table of numbers, a web page's links.
import binascii
import quopri
import urllib.parse
write('attack', 'base32.txt', base64.b32encode(BAD))
write('attack', 'ascii85.txt', base64.a85encode(BAD, wrapcol=76))
write('attack', 'ascii85_adobe.txt', base64.a85encode(BAD, adobe=True, wrapcol=76))
write('attack', 'base85.txt', base64.b85encode(BAD))
write('attack', 'uuencode.txt', b'begin 644 f.dcm\n'
      + b''.join(binascii.b2a_uu(BAD[i:i + 45]) for i in range(0, len(BAD), 45)) + b'`\nend\n')
write('attack', 'quoted_printable.txt', quopri.encodestring(BAD))
write('attack', 'percent_encoded.txt', urllib.parse.quote_from_bytes(BAD).encode())
hexed = BAD.hex()
write('attack', 'xxd_dump.txt', b''.join(
    b'%08x: %-40s  %s\n' % (i, ' '.join(hexed[2 * j:2 * j + 4] for j in range(i, min(i + 16, len(BAD)), 2)).encode(),
                          bytes(c if 32 <= c < 127 else 46 for c in BAD[i:i + 16]))
    for i in range(0, len(BAD), 16)))
write('attack', 'hex_pairs_spaced.txt', ' '.join(hexed[i:i + 2] for i in range(0, len(hexed), 2)).encode())
write('attack', 'hex_c_array.txt', b'unsigned char f[] = {' + b', '.join(b'0x%02x' % c for c in BAD) + b'};\n')
write('attack', 'hex_backslash_x.txt', b''.join(b'\\x%02x' % c for c in BAD))
write('attack', 'bytes_literal.txt', repr(BAD).encode())
lines64 = lines_of(BAD, 64).splitlines()
write('attack', 'base64_quoted_mail.txt', b''.join(b'> ' + l + b'\n' for l in lines64))
write('attack', 'base64_program_strings.js', b'var f = ' + b' +\n  '.join(b'"' + l + b'"' for l in lines64) + b';\n')
write('attack', 'base64_json_array.json', b'{"lines": [' + b', '.join(b'"' + l + b'"' for l in lines64) + b']}\n')
write('attack', 'base64_full_stops.txt', b''.join(l + b'.\n' for l in lines64))
write('attack', 'base64_padded_chunks.txt', b''.join(base64.b64encode(BAD[i:i + 50]) for i in range(0, len(BAD), 50)))
write('control', 'numbers_table.txt', b''.join(b'%02d %02d %02d %02d %02d %02d\n' % tuple((i * 7 + k) % 100 for k in range(6))
                                             for i in range(400)))
write('control', 'links.html', b'<html><body>' + b''.join(b'<a href="https://example.org/a%20b%2Fc%3D' + str(i).encode()
                                                          + b'">case %d</a>\n' % i for i in range(100)) + b'</body></html>\n')
# A PDF with the file attached (an embedded file is a FlateDecode stream, as writers write it).
def pdf_with(data):
    stream = zlib.compress(data)
    objects = [b'<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(case.dcm) 4 0 R] >> >> >>',
               b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
               b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>',
               b'<< /Type /Filespec /F (case.dcm) /EF << /F 5 0 R >> >>',
               b'<< /Type /EmbeddedFile /Filter /FlateDecode /Length %d >>\nstream\n' % len(stream)
               + stream + b'\nendstream']
    out, offsets = b'%PDF-1.7\n', []
    for i, o in enumerate(objects):
        offsets.append(len(out))
        out += b'%d 0 obj\n' % (i + 1) + o + b'\nendobj\n'
    xref = len(out)
    out += b'xref\n0 %d\n0000000000 65535 f \n' % (len(objects) + 1)
    out += b''.join(b'%010d 00000 n \n' % o for o in offsets)
    return out + b'trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n' % (len(objects) + 1, xref)


write('attack', 'pdf_attachment_deflated.pdf', pdf_with(BAD))
# The same PDF's objects over the last of a DICOM image's pixels, no header in the first
# kilobyte: PDF readers find a document from its end.
ds = conformant(rows=128, cols=128)
pixels = bytearray(ds.PixelData)
body = pdf_with(BAD)[len(b'%PDF-1.7\n'):]
pixels[-len(body):] = body
ds.PixelData = bytes(pixels)
write('attack', 'pdf_objects_in_pixels_deflate.dcm', part10(ds))
# A zip whose member is compressed by LZMA (unzip, 7z and Python read it) over the last pixels
# but two.
buf = io.BytesIO()
with zipfile.ZipFile(buf, 'w', zipfile.ZIP_LZMA) as z:
    z.writestr('report.txt', WHO)
ds = conformant(rows=128, cols=128)
pixels = bytearray(ds.PixelData)
pixels[-len(buf.getvalue()) - 2:-2] = buf.getvalue()
ds.PixelData = bytes(pixels)
write('attack', 'zip_lzma_member_in_pixels.dcm', part10(ds))
# Compressed streams without a header (zlib.decompress(data, -15); lzma's FORMAT_RAW), and the
# same around a conformant file.
for kind, data in (('attack', BAD), ('control', CLEAN)):
    write(kind, 'raw_deflate_stream_%s.bin' % kind, zlib.compress(data)[2:-4])
    write(kind, 'raw_lzma2_stream_%s.bin' % kind,
          lzma.compress(data, format=lzma.FORMAT_RAW, filters=[{'id': lzma.FILTER_LZMA2}]))
    # After a made-up header of a few bytes, cut short, with bytes after it; zlib whose check fails.
    raw = zlib.compress(data)[2:-4]
    write(kind, 'raw_deflate_after_junk_%s.bin' % kind, b'VLT' + raw)
    if kind == 'attack':  # a clean file cut short is refused too: truncated DICOM is unreadable
        write(kind, 'raw_deflate_cut_short_%s.bin' % kind, raw[:-16])
    write(kind, 'raw_deflate_then_bytes_%s.bin' % kind, raw + bytes(range(64)))
    write(kind, 'bad_check_%s.zlib' % kind, zlib.compress(data)[:-4] + b'\0\0\0\0')
write('control', 'clean_pdf_attachment.pdf', pdf_with(CLEAN))
prose = (b'The study shows no acute abnormality and the findings are within normal limits for the age '
         b'of the person with no change since the previous examination and nothing further is needed\n')
write('control', 'prose_runs.txt', (prose + prose.upper()) * 20)
# A folder member whose header carries a size, the file as its data.
folder = tarfile.TarInfo('study')
folder.type, folder.size = tarfile.DIRTYPE, len(BAD)
header = folder.tobuf(format=tarfile.USTAR_FORMAT)
write('attack', 'tar_folder_with_data.tar', header + BAD + b'\0' * (-len(BAD) % 512) + b'\0' * 1024)

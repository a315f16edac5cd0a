#!/usr/bin/env python3
"""Attack corpus for the vault gate (tests/gate_attacks.rs runs it). Writes OUT/corpus/ and
OUT/manifest.jsonl, then verifies that every attack file really shows its made-up identity in a
real reader (pydicom; dcmtk's dcmdump; the text of JSON/XML; GNU tar / 7z / cpio / ar / xz ... to
unpack containers). Files whose identity no reader shows are dropped (and counted: the test
holds the count). Controls are files the gate must accept; class "law" holds files that identify
nobody but that the law refuses all the same (an encapsulated document it cannot read).
Only made-up values are used. Deterministic. Usage: make.py OUT"""
import base64
import binascii
import bz2
import gzip
import io
import json
import lzma
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import warnings
import zipfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dcmraw import (E, uid, part10, enc_elems, enc_el, enc_item, meta_group, dataset, delim,  # noqa: E402
                    tag_bytes, IMPLICIT, EXPLICIT, DEFLATED, BIG, CT, MR, SR, GSPS, EPDF, MEDIA_DIR)

warnings.filterwarnings('ignore')
import logging  # noqa: E402
logging.getLogger('pydicom').setLevel(logging.CRITICAL)
import pydicom  # noqa: E402
from pydicom import config as pdcfg  # noqa: E402

if len(sys.argv) > 1 and sys.argv[1].startswith('-'):
    sys.exit(__doc__)
OUT = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(OUT, 'corpus')
MANIFEST = os.path.join(OUT, 'manifest.jsonl')

# Made-up identity (nobody's).
NAME = 'Madeup^Attacker'
NAME_TXT = 'Madeup Attacker'
DOB = '19710203'
MRN = 'MRN4711913'
ADDR = '12 Invented Lane, Nowhere Town'
SDATE = '20240315'

ENTRIES = []   # dicts: file, class, description, identity, needle, data, kind, ...


def add(fname, cls, desc, identity, data, needle=None, kind='dicom', **kw):
    ENTRIES.append(dict(file=fname, cls=cls, description=desc, identity=identity,
                        needle=needle if needle is not None else identity, data=data, kind=kind, **kw))


# ---------------------------------------------------------------- base data sets

def merge(base, extra, dup=False):
    if dup:
        return base + extra
    tags = {x.tag for x in extra}
    return [x for x in base if x.tag not in tags] + extra


def ct(label, extra=(), rows=4, cols=4, pixels=None, drop=()):
    """A de-identified CT image (Annex E basic profile done by hand) plus `extra`."""
    px = pixels if pixels is not None else bytes(rows * cols * 2)
    base = [
        E(0x00080005, 'CS', 'ISO_IR 100'),
        E(0x00080008, 'CS', 'ORIGINAL\\PRIMARY\\AXIAL'),
        E(0x00080016, 'UI', CT),
        E(0x00080018, 'UI', uid(label + ' sop')),
        E(0x00080020, 'DA', ''),
        E(0x00080030, 'TM', ''),
        E(0x00080050, 'SH', ''),
        E(0x00080060, 'CS', 'CT'),
        E(0x00080090, 'PN', ''),
        E(0x00100010, 'PN', ''),
        E(0x00100020, 'LO', ''),
        E(0x00100030, 'DA', ''),
        E(0x00100040, 'CS', ''),
        E(0x00120062, 'CS', 'YES'),
        E(0x00120063, 'LO', 'DICOM PS3.15 E.1 basic, by hand'),
        E(0x0020000D, 'UI', uid(label + ' study')),
        E(0x0020000E, 'UI', uid(label + ' series')),
        E(0x00200010, 'SH', ''),
        E(0x00200011, 'IS', '1'),
        E(0x00200013, 'IS', '1'),
        E(0x00280002, 'US', 1),
        E(0x00280004, 'CS', 'MONOCHROME2'),
        E(0x00280010, 'US', rows),
        E(0x00280011, 'US', cols),
        E(0x00280100, 'US', 16),
        E(0x00280101, 'US', 12),
        E(0x00280102, 'US', 11),
        E(0x00280103, 'US', 0),
        E(0x00280301, 'CS', 'NO'),
        E(0x7FE00010, 'OW', px),
    ]
    base = [x for x in base if x.tag not in drop]
    return merge(base, list(extra))


def ident_ct(label, extra=()):
    """A CT that carries the made-up patient's name, birth date and ID (for containers)."""
    return ct(label, [E(0x00100010, 'PN', NAME), E(0x00100030, 'DA', DOB),
                      E(0x00100020, 'LO', MRN)] + list(extra))


def code(value, scheme, meaning):
    return [E(0x00080100, 'SH', value), E(0x00080102, 'SH', scheme), E(0x00080104, 'LO', meaning)]


def sr_doc(label, leaf, depth=3, before=()):
    """Comprehensive SR: CONTAINER root with `depth` nested ContentSequences, `leaf` at the bottom
    (the root's last item, after the items `before`)."""
    item = leaf
    for d in range(depth - 1):
        item = [E(0x0040A010, 'CS', 'CONTAINS'), E(0x0040A040, 'CS', 'CONTAINER'),
                E(0x0040A043, 'SQ', [code('121070', 'DCM', 'Findings')]),
                E(0x0040A050, 'CS', 'SEPARATE'), E(0x0040A730, 'SQ', [item])]
    return [
        E(0x00080005, 'CS', 'ISO_IR 100'),
        E(0x00080016, 'UI', SR), E(0x00080018, 'UI', uid(label + ' sop')),
        E(0x00080020, 'DA', ''), E(0x00080030, 'TM', ''), E(0x00080050, 'SH', ''),
        E(0x00080060, 'CS', 'SR'), E(0x00080090, 'PN', ''),
        E(0x00100010, 'PN', ''), E(0x00100020, 'LO', ''), E(0x00100030, 'DA', ''),
        E(0x00100040, 'CS', ''), E(0x00120062, 'CS', 'YES'),
        E(0x0020000D, 'UI', uid(label + ' study')), E(0x0020000E, 'UI', uid(label + ' series')),
        E(0x00200010, 'SH', ''), E(0x00200011, 'IS', '1'), E(0x00200013, 'IS', '1'),
        E(0x0040A040, 'CS', 'CONTAINER'),
        E(0x0040A043, 'SQ', [code('18748-4', 'LN', 'Diagnostic Imaging Report')]),
        E(0x0040A050, 'CS', 'SEPARATE'),
        E(0x0040A491, 'CS', 'COMPLETE'), E(0x0040A493, 'CS', 'UNVERIFIED'),
        E(0x0040A730, 'SQ', list(before) + [item]),
    ]


def text_leaf(text):
    return [E(0x0040A010, 'CS', 'CONTAINS'), E(0x0040A040, 'CS', 'TEXT'),
            E(0x0040A043, 'SQ', [code('121071', 'DCM', 'Finding')]), E(0x0040A160, 'UT', text)]


def pname_leaf(name):
    return [E(0x0040A010, 'CS', 'HAS OBS CONTEXT'), E(0x0040A040, 'CS', 'PNAME'),
            E(0x0040A043, 'SQ', [code('121008', 'DCM', 'Person Observer Name')]),
            E(0x0040A123, 'PN', name)]


def gsps(label, extra=(), text_obj=None, layer_desc=None):
    tobj = []
    if text_obj is not None:
        tobj = [E(0x00700008, 'SQ', [[
            E(0x00700003, 'CS', 'PIXEL'), E(0x00700004, 'CS', 'PIXEL'),
            E(0x00700006, 'ST', text_obj),
            E(0x00700010, 'FL', [1.0, 1.0]), E(0x00700011, 'FL', [3.0, 3.0]),
            E(0x00700012, 'CS', 'LEFT')]])]
    layer = [E(0x00700002, 'CS', 'L1'), E(0x00700062, 'IS', '1')]
    if layer_desc:
        layer.append(E(0x00700068, 'LO', layer_desc))
    base = [
        E(0x00080016, 'UI', GSPS), E(0x00080018, 'UI', uid(label + ' sop')),
        E(0x00080020, 'DA', ''), E(0x00080030, 'TM', ''), E(0x00080050, 'SH', ''),
        E(0x00080060, 'CS', 'PR'), E(0x00080090, 'PN', ''),
        E(0x00100010, 'PN', ''), E(0x00100020, 'LO', ''), E(0x00100030, 'DA', ''),
        E(0x00100040, 'CS', ''), E(0x00120062, 'CS', 'YES'),
        E(0x0020000D, 'UI', uid(label + ' study')), E(0x0020000E, 'UI', uid(label + ' series')),
        E(0x00200010, 'SH', ''), E(0x00200011, 'IS', '1'), E(0x00200013, 'IS', '1'),
        E(0x00700001, 'SQ', [[E(0x00081140, 'SQ', [[E(0x00081150, 'UI', CT),
                                                    E(0x00081155, 'UI', uid(label + ' ref'))]]),
                              E(0x00700002, 'CS', 'L1')] + tobj]),
        E(0x00700060, 'SQ', [layer]),
        E(0x00700080, 'CS', 'LABEL'), E(0x00700081, 'LO', ''), E(0x00700082, 'DA', ''),
        E(0x00700083, 'TM', ''), E(0x00700084, 'PN', ''),
        E(0x00081115, 'SQ', [[E(0x0020000E, 'UI', uid(label + ' refseries')),
                              E(0x00081140, 'SQ', [[E(0x00081150, 'UI', CT),
                                                    E(0x00081155, 'UI', uid(label + ' ref'))]])]]),
    ]
    return merge(base, list(extra))


def pdf_bytes(text, content=None):
    """A minimal PDF that shows `text` uncompressed, or whose page is `content` deflated
    (correct xref table)."""
    stream = b'<< /Length %d >>\nstream\n'
    if content is None:
        content = ('BT /F1 12 Tf 72 720 Td (%s) Tj ET' % text).encode()
    else:
        content = zlib.compress(content)
        stream = b'<< /Length %d /Filter /FlateDecode >>\nstream\n'
    objs = [b'<< /Type /Catalog /Pages 2 0 R >>',
            b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
            b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R '
            b'/Resources << /Font << /F1 5 0 R >> >> >>',
            stream % len(content) + content + b'\nendstream',
            b'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>']
    out = b'%PDF-1.4\n'
    offs = []
    for i, o in enumerate(objs, 1):
        offs.append(len(out))
        out += b'%d 0 obj\n' % i + o + b'\nendobj\n'
    xref = len(out)
    out += b'xref\n0 %d\n0000000000 65535 f \n' % (len(objs) + 1)
    for o in offs:
        out += b'%010d 00000 n \n' % o
    out += b'trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n' % (len(objs) + 1, xref)
    return out


def epdf(label, text):
    return [
        E(0x00080016, 'UI', EPDF), E(0x00080018, 'UI', uid(label + ' sop')),
        E(0x00080020, 'DA', ''), E(0x00080030, 'TM', ''), E(0x00080050, 'SH', ''),
        E(0x00080060, 'CS', 'DOC'), E(0x00080064, 'CS', 'WSD'), E(0x00080090, 'PN', ''),
        E(0x00100010, 'PN', ''), E(0x00100020, 'LO', ''), E(0x00100030, 'DA', ''),
        E(0x00100040, 'CS', ''), E(0x00120062, 'CS', 'YES'),
        E(0x0020000D, 'UI', uid(label + ' study')), E(0x0020000E, 'UI', uid(label + ' series')),
        E(0x00200010, 'SH', ''), E(0x00200011, 'IS', '1'), E(0x00200013, 'IS', '1'),
        E(0x00280301, 'CS', 'NO'), E(0x00420010, 'ST', 'report'),
        E(0x00420011, 'OB', pdf_bytes(text)), E(0x00420012, 'LO', 'application/pdf'),
    ]


# 5x7 glyphs for burned-in text in pixels and overlays
GLYPHS = {
    'M': ['10001', '11011', '10101', '10101', '10001', '10001', '10001'],
    'A': ['01110', '10001', '10001', '11111', '10001', '10001', '10001'],
    'D': ['11110', '10001', '10001', '10001', '10001', '10001', '11110'],
    'E': ['11111', '10000', '10000', '11110', '10000', '10000', '11111'],
    'U': ['10001', '10001', '10001', '10001', '10001', '10001', '01110'],
    'P': ['11110', '10001', '10001', '11110', '10000', '10000', '10000'],
}


def text_mask(text, rows, cols, top=4, left=2):
    m = [[0] * cols for _ in range(rows)]
    for i, ch in enumerate(text):
        for r, line in enumerate(GLYPHS[ch]):
            for c, bit in enumerate(line):
                if bit == '1':
                    m[top + r][left + i * 6 + c] = 1
    return m


def pixels_from_mask(m, on=4095):
    return b''.join(struct.pack('<H', on if v else 0) for row in m for v in row)


def overlay_bits(m):
    bits = [v for row in m for v in row]
    out = bytearray((len(bits) + 7) // 8)
    for i, b in enumerate(bits):
        if b:
            out[i // 8] |= 1 << (i % 8)
    if len(out) % 2:
        out += b'\0'
    return bytes(out)


# ---------------------------------------------------------------- class 1
C1 = '1-other-attributes'


def class1():
    texts = [
        (0x00081030, 'LO', 'StudyDescription', 'CT head for ' + NAME_TXT, NAME_TXT),
        (0x0008103E, 'LO', 'SeriesDescription', NAME_TXT + ' axial', NAME_TXT),
        (0x00204000, 'LT', 'ImageComments', 'Patient ' + NAME_TXT + ', born 1971-02-03', NAME_TXT),
        (0x00104000, 'LT', 'PatientComments', NAME_TXT + ' prefers mornings', NAME_TXT),
        (0x001021B0, 'LT', 'AdditionalPatientHistory', 'History given by ' + NAME_TXT, NAME_TXT),
        (0x00321060, 'LO', 'RequestedProcedureDescription', 'CT for ' + NAME_TXT, NAME_TXT),
        (0x00181030, 'LO', 'ProtocolName', 'HEAD ' + NAME_TXT, NAME_TXT),
        (0x00400254, 'LO', 'PerformedProcedureStepDescription', 'CT ' + NAME_TXT, NAME_TXT),
        (0x00080081, 'ST', 'InstitutionAddress', ADDR, ADDR),
        (0x00080080, 'LO', 'InstitutionName', NAME_TXT + ' home care', NAME_TXT),
        (0x00080092, 'ST', 'ReferringPhysicianAddress', ADDR, ADDR),
        (0x00380010, 'LO', 'AdmissionID', 'ADM4711913', 'ADM4711913'),
        (0x00402016, 'LO', 'PlacerOrderNumberImagingServiceRequest', 'PLC4711913', 'PLC4711913'),
        (0x00402017, 'LO', 'FillerOrderNumberImagingServiceRequest', 'FIL4711913', 'FIL4711913'),
        (0x00200010, 'SH', 'StudyID', MRN, MRN),
        (0x00401001, 'SH', 'RequestedProcedureID', MRN, MRN),
        (0x00400253, 'SH', 'PerformedProcedureStepID', MRN, MRN),
        (0x00402004, 'DA', 'IssueDateOfImagingServiceRequest', SDATE, SDATE),
        (0x00081080, 'LO', 'AdmittingDiagnosesDescription', NAME_TXT + ' fall', NAME_TXT),
        (0x00082111, 'ST', 'DerivationDescription', 'derived for ' + NAME_TXT, NAME_TXT),
        (0x00401002, 'LO', 'ReasonForTheRequestedProcedure', NAME_TXT + ' headache', NAME_TXT),
        (0x00324000, 'LT', 'StudyComments', 'Study of ' + NAME_TXT, NAME_TXT),
        (0x00400280, 'ST', 'CommentsOnThePerformedProcedureStep', NAME_TXT, NAME_TXT),
        (0x00384000, 'LT', 'VisitComments', 'Visit by ' + NAME_TXT, NAME_TXT),
        (0x00102000, 'LO', 'MedicalAlerts', NAME_TXT + ' pacemaker', NAME_TXT),
        (0x00102110, 'LO', 'Allergies', NAME_TXT + ' penicillin', NAME_TXT),
        (0x00380300, 'LO', 'CurrentPatientLocation', 'Ward 7 bed 3 ' + NAME_TXT, NAME_TXT),
        (0x00102299, 'LO', 'ResponsibleOrganization', NAME_TXT + ' family trust', NAME_TXT),
        (0x00100033, 'LO', 'PatientBirthDateInAlternativeCalendar', DOB, DOB),
        (0x00100034, 'LO', 'PatientDeathDateInAlternativeCalendar', '20990101', '20990101'),
        (0x00120040, 'LO', 'ClinicalTrialSubjectID', MRN, MRN),
        (0x00120030, 'LO', 'ClinicalTrialSiteID', NAME_TXT, NAME_TXT),
        (0x00181000, 'LO', 'DeviceSerialNumber', MRN, MRN),
        (0x00080020, 'DA', 'StudyDate', SDATE, SDATE),
        (0x00080023, 'DA', 'ContentDate', SDATE, SDATE),
        (0x00080021, 'DA', 'SeriesDate', SDATE, SDATE),
        (0x0008002A, 'DT', 'AcquisitionDateTime', SDATE + '101500', SDATE),
        (0x00080022, 'DA', 'AcquisitionDate', SDATE, SDATE),
        (0x00181012, 'DA', 'DateOfSecondaryCapture', SDATE, SDATE),
    ]
    for tag, vr, kw, val, needle in texts:
        add('c1_%s.dcm' % kw, C1, '%s (%s) carries the made-up identity' % (kw, vr), needle,
            part10(ct('c1 ' + kw, [E(tag, vr, val)])))
    pns = [(0x00080090, 'ReferringPhysicianName'), (0x00081070, 'OperatorsName'),
           (0x00081050, 'PerformingPhysicianName'), (0x00081060, 'NameOfPhysiciansReadingStudy'),
           (0x00321032, 'RequestingPhysician'), (0x00081048, 'PhysiciansOfRecord')]
    for tag, kw in pns:
        add('c1_%s.dcm' % kw, C1, '%s (PN) holds the patient name' % kw, NAME,
            part10(ct('c1 ' + kw, [E(tag, 'PN', NAME)])))
    # UIDs that embed an MRN-like number and the birth date
    mrn_uid = '1.2.826.0.1.3680043.9.4711913.' + DOB
    add('c1_StudyInstanceUID_mrn.dcm', C1, 'StudyInstanceUID embeds MRN 4711913 and birth date', '4711913',
        part10(ct('c1 uid', [E(0x0020000D, 'UI', mrn_uid + '.1')])))
    add('c1_SOPInstanceUID_mrn.dcm', C1, 'SOPInstanceUID (data set and meta) embeds MRN 4711913', '4711913',
        part10(ct('c1 uid2', [E(0x00080018, 'UI', mrn_uid + '.2.1')])))
    add('c1_FrameOfReferenceUID_mrn.dcm', C1, 'FrameOfReferenceUID embeds MRN 4711913', '4711913',
        part10(ct('c1 uid3', [E(0x00200052, 'UI', mrn_uid + '.3')])))
    # SR
    add('c1_sr_textvalue_depth3.dcm', C1, 'SR TextValue at depth 3 of ContentSequence names the patient',
        NAME_TXT, part10(sr_doc('c1 sr3', text_leaf('Patient ' + NAME_TXT + ' born 1971-02-03'), 3)))
    add('c1_sr_textvalue_depth6.dcm', C1, 'SR TextValue at depth 6 of ContentSequence names the patient',
        NAME_TXT, part10(sr_doc('c1 sr6', text_leaf('Patient ' + NAME_TXT), 6)))
    add('c1_sr_pname_depth3.dcm', C1, 'SR PNAME PersonName (PN) at depth 3', NAME,
        part10(sr_doc('c1 srpn', pname_leaf(NAME), 3)))
    add('c1_sr_textvalue_mrn_depth4.dcm', C1, 'SR TextValue at depth 4 holds the MRN', MRN,
        part10(sr_doc('c1 srmrn', text_leaf('MRN: ' + MRN), 4)))
    add('c1_sr_datetime_depth3.dcm', C1, 'SR DATE content item (depth 3) holds the birth date', DOB,
        part10(sr_doc('c1 srdate', [E(0x0040A010, 'CS', 'CONTAINS'), E(0x0040A040, 'CS', 'DATE'),
                                     E(0x0040A043, 'SQ', [code('121031', 'DCM', 'Birth date')]),
                                     E(0x0040A121, 'DA', DOB)], 3)))
    # encapsulated PDF
    add('c1_encapsulated_pdf.dcm', C1, 'Encapsulated PDF whose page text names the patient', NAME_TXT,
        part10(epdf('c1 pdf', 'Report for ' + NAME_TXT + ' born 1971-02-03')), kind='pdfdoc')
    add('c1_encapsulated_pdf_title.dcm', C1, 'Encapsulated PDF DocumentTitle (ST) names the patient', NAME_TXT,
        part10(merge(epdf('c1 pdf2', 'no findings'), [E(0x00420010, 'ST', 'Report ' + NAME_TXT)])))
    # overlays
    m = text_mask('MADEUP', 16, 40)
    ov = [E(0x60000010, 'US', 16), E(0x60000011, 'US', 40), E(0x60000040, 'CS', 'G'),
          E(0x60000050, 'SS', [1, 1]), E(0x60000100, 'US', 1), E(0x60000102, 'US', 0)]
    add('c1_overlay_description.dcm', C1, 'OverlayDescription (6000,0022) names the patient', NAME_TXT,
        part10(ct('c1 ovd', ov + [E(0x60000022, 'LO', NAME_TXT), E(0x60003000, 'OW', overlay_bits(m))],
                  rows=16, cols=40)))
    add('c1_overlay_label.dcm', C1, 'OverlayLabel (6000,1500) names the patient', NAME_TXT,
        part10(ct('c1 ovl', ov + [E(0x60001500, 'LO', NAME_TXT), E(0x60003000, 'OW', overlay_bits(m))],
                  rows=16, cols=40)))
    add('c1_overlay_data_text.dcm', C1, 'OverlayData bitmap renders MADEUP over the image', 'MADEUP',
        part10(ct('c1 ovdata', ov + [E(0x60003000, 'OW', overlay_bits(m))], rows=16, cols=40)),
        kind='overlay', mask=m)
    add('c1_pixels_text_burnedin_NO.dcm', C1, 'Pixels show MADEUP while BurnedInAnnotation says NO', 'MADEUP',
        part10(ct('c1 px', rows=16, cols=40, pixels=pixels_from_mask(m))), kind='pixels', mask=m)
    add('c1_pixels_text_no_burnedin_attr.dcm', C1, 'CT pixels show MADEUP, BurnedInAnnotation absent', 'MADEUP',
        part10(ct('c1 px2', rows=16, cols=40, pixels=pixels_from_mask(m), drop=(0x00280301,))),
        kind='pixels', mask=m)
    # presentation state
    add('c1_gsps_unformatted_text.dcm', C1, 'GSPS GraphicAnnotation>TextObject UnformattedTextValue names patient',
        NAME_TXT, part10(gsps('c1 pr1', text_obj=NAME_TXT + ' 1971-02-03')))
    add('c1_gsps_layer_description.dcm', C1, 'GSPS GraphicLayerDescription names the patient', NAME_TXT,
        part10(gsps('c1 pr2', layer_desc=NAME_TXT)))
    add('c1_gsps_content_description.dcm', C1, 'GSPS ContentDescription (LO) names the patient', NAME_TXT,
        part10(gsps('c1 pr3', [E(0x00700081, 'LO', 'For ' + NAME_TXT)])))
    add('c1_gsps_content_label.dcm', C1, 'GSPS ContentLabel (CS) is the patient name', 'MADEUP_ATTACKER',
        part10(gsps('c1 pr4', [E(0x00700080, 'CS', 'MADEUP_ATTACKER')])))
    # Coded strings whose terms are a closed list: a word that is none of them is a word someone
    # wrote there; and a run of digits in any code.
    for kw, tag, val, needle in [('Modality', 0x00080060, 'MADEUP', 'MADEUP'),
                                 ('ModalitiesInStudy', 0x00080061, 'CT\\MADEUP', 'MADEUP'),
                                 ('SpecificCharacterSet', 0x00080005, 'ISO_IR MADEUP 4711913', '4711913'),
                                 ('PatientPosition', 0x00185100, 'MADEUP', 'MADEUP'),
                                 ('Laterality', 0x00200060, 'MADEUP', 'MADEUP'),
                                 ('ScanOptions_digit_run', 0x00180022, 'HELICAL_4711913', '4711913')]:
        add('c1_cs_%s.dcm' % kw, C1, '%s (CS) holds %s, which is no code' % (kw.split('_')[0], needle), needle,
            part10(ct('c1 cs ' + kw, [E(tag, 'CS', val)])))
    # Values that are nothing but a date, a number or a postcode where a kept attribute holds
    # words (a version, a kernel, a coding scheme's name or version); a dated code value.
    head = lambda value, scheme='SRT', version=None: [E(0x00082218, 'SQ', [
        code(value, scheme, 'Head') + ([E(0x00080103, 'SH', version)] if version else [])])]
    deid_codes = [code('113100', 'DCM', 'Basic Application Confidentiality Profile'),
                  code('113105', 'DCM', 'Clean Descriptors Option')]
    for label, extra, needle in [
            ('scheme_designator_mrn', head('T-D1100', '4711913'), '4711913'),
            ('scheme_version_dob', head('T-D1100', version='1971-02-03'), '1971-02-03'),
            ('scheme_version_nhs', head('T-D1100', version='9434765919'), '9434765919'),
            ('scheme_version_postcode', head('T-D1100', version='ZX1 9QQ'), 'ZX1 9QQ'),
            ('code_value_dob', head('1971-02-03'), '1971-02-03'),
            ('software_versions_mrn', [E(0x00181020, 'LO', '4711913')], '4711913'),
            ('kernel_dob', [E(0x00181210, 'SH', '03/02/1971')], '03/02/1971'),
            ('manufacturer_dob', [E(0x00080070, 'LO', '19710203')], '19710203'),
            ('position_reference_postcode', [E(0x00201040, 'LO', 'ZX1 9QQ')], 'ZX1 9QQ'),
            ('comments_postcode', [E(0x00204000, 'LT', 'ZX1 9QQ'), E(0x00120064, 'SQ', deid_codes)], 'ZX1 9QQ')]:
        add('c1_bare_%s.dcm' % label, C1, 'a kept value that is nothing but %s (%s)' % (needle, label), needle,
            part10(ct('c1 bare ' + label, extra)))
    # A code value its scheme could not have given: a birth date as eight digits (in a standard
    # scheme, in SNOMED CT's, in a site's own), an MRN and an NHS number as DICOM's or SNOMED
    # CT's codes (DICOM numbers its own with six digits; a SNOMED CT identifier has a partition
    # and a check digit).
    for label, value, scheme in [('date_srt', '19710203', 'SRT'), ('date_sct', '19710203', 'SCT'),
                                 ('date_local', '19710203', '99HOSP'), ('mrn_dcm', '4711913', 'DCM'),
                                 ('mrn_sct', '4711913', 'SCT'), ('nhs_sct', '9434765919', 'SCT')]:
        add('c1_code_value_%s.dcm' % label, C1, 'a %s code whose value is %s' % (scheme, value), value,
            part10(ct('c1 code value ' + label, head(value, scheme))))
    add('c1_code_value_date_beside_long.dcm', C1, 'a code whose value is 19710203 beside a long code value',
        '19710203', part10(ct('c1 code value long', [E(0x00082218, 'SQ', [
            code('19710203', 'SRT', 'Head') + [E(0x00080119, 'UC', 'HEAD-LONG')]])])))
    # A name split over items a report's reader lists one after another.
    # (A surname no word list has: `Attacker` is an English word.)
    add('c1_sr_text_items_in_turn.dcm', C1, 'two SR TEXT items in a row, ZELDA then QUELLMARK', 'QUELLMARK',
        part10(merge(sr_doc('c1 sr turn', text_leaf('QUELLMARK'), 1, before=[text_leaf('ZELDA')]),
                     [E(0x00120064, 'SQ', deid_codes)])))
    add('c1_code_meanings_in_turn.dcm', C1, 'two anatomic region codes whose meanings are Zelda and Quellmark',
        'Quellmark', part10(ct('c1 codes turn', [E(0x00082218, 'SQ', [code('T-D1100', 'SRT', 'Zelda'),
                                                                      code('T-D1200', 'SRT', 'Quellmark')])])))
    add('c1_gsps_creator_name.dcm', C1, 'GSPS ContentCreatorName (PN) is the patient name', NAME,
        part10(gsps('c1 pr5', [E(0x00700084, 'PN', NAME)])))
    # nested standard sequences
    add('c1_request_attrs_seq_description.dcm', C1, 'RequestAttributesSequence item RequestedProcedureDescription',
        NAME_TXT, part10(ct('c1 ras', [E(0x00400275, 'SQ', [[E(0x00321060, 'LO', 'CT for ' + NAME_TXT),
                                                              E(0x00401001, 'SH', 'RP1')]])])))
    add('c1_original_attributes_seq.dcm', C1, 'OriginalAttributesSequence>ModifiedAttributesSequence>PatientName',
        NAME, part10(ct('c1 oas', [E(0x04000561, 'SQ', [[
            E(0x04000550, 'SQ', [[E(0x00100010, 'PN', NAME)]]), E(0x04000562, 'DT', ''),
            E(0x04000563, 'LO', 'x'), E(0x04000564, 'LO', ''), E(0x04000565, 'CS', 'COERCE')]])])))
    add('c1_trailing_padding_name.dcm', C1, 'DataSetTrailingPadding (FFFC,FFFC) OB holds the name', NAME,
        part10(ct('c1 pad', [E(0xFFFCFFFC, 'OB', NAME.encode())])))
    add('c1_digital_signatures_seq_text.dcm', C1, 'ImageComments inside DigitalSignaturesSequence (FFFA,FFFA) item',
        NAME_TXT, part10(ct('c1 dsig', [E(0xFFFAFFFA, 'SQ', [[E(0x00204000, 'LT', NAME_TXT)]])])))
    # DICOMDIR standalone
    add('c1_DICOMDIR', C1, 'DICOMDIR with a PATIENT record holding PatientName/BirthDate', NAME,
        dicomdir('c1 dd', NAME))


# ---------------------------------------------------------------- DICOMDIR
def dicomdir(label, pname, pid=MRN, fileid=('DICOM', 'IM000001'), image_label='dd img'):
    """A DICOMDIR with PATIENT/STUDY/SERIES/IMAGE records and correct offsets."""
    img_uid = uid(image_label + ' sop')
    recs = [
        [E(0x00041400, 'UL', 0), E(0x00041410, 'US', 0xFFFF), E(0x00041420, 'UL', 0),
         E(0x00041430, 'CS', 'PATIENT'), E(0x00080005, 'CS', 'ISO_IR 100'),
         E(0x00100010, 'PN', pname), E(0x00100020, 'LO', pid), E(0x00100030, 'DA', DOB if pname else '')],
        [E(0x00041400, 'UL', 0), E(0x00041410, 'US', 0xFFFF), E(0x00041420, 'UL', 0),
         E(0x00041430, 'CS', 'STUDY'), E(0x00080020, 'DA', SDATE if pname else ''), E(0x00080030, 'TM', ''),
         E(0x00080050, 'SH', ''), E(0x00081030, 'LO', ''),
         E(0x0020000D, 'UI', uid(image_label + ' study')), E(0x00200010, 'SH', '')],
        [E(0x00041400, 'UL', 0), E(0x00041410, 'US', 0xFFFF), E(0x00041420, 'UL', 0),
         E(0x00041430, 'CS', 'SERIES'), E(0x00080060, 'CS', 'CT'),
         E(0x0020000E, 'UI', uid(image_label + ' series')), E(0x00200011, 'IS', '1')],
        [E(0x00041400, 'UL', 0), E(0x00041410, 'US', 0xFFFF), E(0x00041420, 'UL', 0),
         E(0x00041430, 'CS', 'IMAGE'), E(0x00041500, 'CS', '\\'.join(fileid)),
         E(0x00041510, 'UI', CT), E(0x00041511, 'UI', img_uid),
         E(0x00041512, 'UI', EXPLICIT), E(0x00200013, 'IS', '1')],
    ]
    sop = uid(label + ' dicomdir')

    def build(offs):
        for i, r in enumerate(recs):
            for x in r:
                if x.tag == 0x00041420:
                    x.value = offs[i + 1] if i + 1 < len(recs) else 0
        head = [E(0x00041130, 'CS', 'TEACHCD'), E(0x00041200, 'UL', offs[0]),
                E(0x00041202, 'UL', offs[0]), E(0x00041212, 'US', 0)]
        meta = b'\0' * 128 + b'DICM' + meta_group(EXPLICIT, MEDIA_DIR, sop)
        pre = meta + enc_elems(head, 'eel')
        seq_hdr = tag_bytes(0x00041220, 'eel') + b'SQ\0\0' + struct.pack('<I', 0xFFFFFFFF)
        pos = len(pre) + len(seq_hdr)
        positions = []
        items = b''
        for r in recs:
            positions.append(pos + len(items))
            items += enc_item(r, 'eel')
        return pre + seq_hdr + items + delim(0xFFFEE0DD, 'eel'), positions

    data, pos = build([0, 0, 0, 0])
    data, pos2 = build(pos)
    assert pos == pos2
    return data


# ---------------------------------------------------------------- class 2
C2 = '2-pn-other-vr'


def class2():
    specs = [(0x00100010, 'PatientName', v) for v in ('LO', 'SH', 'UN', 'UT', 'LT', 'ST', 'UC', 'OB', 'CS')] + \
            [(0x00080090, 'ReferringPhysicianName', v) for v in ('LO', 'SH', 'UN', 'UT', 'UC')] + \
            [(0x00081070, 'OperatorsName', 'LO'), (0x00081050, 'PerformingPhysicianName', 'UT'),
             (0x00321032, 'RequestingPhysician', 'LO'), (0x00101001, 'OtherPatientNames', 'LO'),
             (0x00101060, 'PatientMotherBirthName', 'LO'), (0x00100030, 'PatientBirthDate', 'LO')]
    for tag, kw, vr in specs:
        val = DOB if kw == 'PatientBirthDate' else (NAME.upper() if vr == 'CS' else NAME)
        needle = DOB if kw == 'PatientBirthDate' else val
        v = val.encode() if vr in ('OB', 'UN') else val
        add('c2_%s_as_%s_explicit.dcm' % (kw, vr), C2, '%s written with VR %s (explicit VR LE)' % (kw, vr),
            needle, part10(ct('c2 %s %s' % (kw, vr), [E(tag, vr, v)])))
    for tag, kw, vr in [(0x00100010, 'PatientName', 'LO'), (0x00080090, 'ReferringPhysicianName', 'LO'),
                        (0x00080090, 'ReferringPhysicianName', 'UN'), (0x00081070, 'OperatorsName', 'SH')]:
        v = NAME.encode() if vr == 'UN' else NAME
        add('c2_%s_as_%s_bigendian.dcm' % (kw, vr), C2, '%s written with VR %s (explicit VR big endian)' % (kw, vr),
            NAME, part10(ct('c2be %s %s' % (kw, vr), [E(tag, vr, v)]), ts=BIG))
    # implicit VR: the VR comes from the dictionary; the name sits in PN attributes of
    # the implicit file, and in the meta-says-explicit-but-value-has-LO variant
    for tag, kw in [(0x00100010, 'PatientName'), (0x00080090, 'ReferringPhysicianName'),
                    (0x00081070, 'OperatorsName')]:
        add('c2_%s_implicit.dcm' % kw, C2, '%s in an implicit VR LE file (VR from dictionary)' % kw, NAME,
            part10(ct('c2i ' + kw, [E(tag, 'PN', NAME)]), ts=IMPLICIT))
    add('c2_PatientName_LO_deflated.dcm', C2, 'PatientName as LO in a deflated explicit VR file', NAME,
        part10(ct('c2 defl', [E(0x00100010, 'LO', NAME)]), ts=DEFLATED))
    add('c2_ReferringPhysicianName_LO_deflated.dcm', C2, 'ReferringPhysicianName as LO in a deflated file', NAME,
        part10(ct('c2 defl2', [E(0x00080090, 'LO', NAME)]), ts=DEFLATED))
    add('c2_ReferringPhysicianName_LO_raw.dcm', C2, 'ReferringPhysicianName as LO, raw explicit data set (no meta)',
        NAME, dataset(ct('c2 raw', [E(0x00080090, 'LO', NAME)]), EXPLICIT))


# ---------------------------------------------------------------- class 3
C3 = '3-private'


def priv(elems, creator='MADEUP CREATOR', group=0x0009):
    return [E((group << 16) | 0x0010, 'LO', creator)] + elems


def class3():
    g = 0x00091010
    cases = [
        ('LO_caret', 'LO', NAME, NAME), ('LO_nocaret', 'LO', NAME_TXT, NAME_TXT),
        ('SH', 'SH', NAME, NAME), ('UT', 'UT', NAME, NAME), ('ST', 'ST', NAME, NAME),
        ('LT', 'LT', 'Patient ' + NAME_TXT, NAME_TXT), ('UC', 'UC', NAME, NAME),
        ('UN_caret', 'UN', NAME.encode(), NAME), ('UN_nocaret', 'UN', NAME_TXT.encode(), NAME_TXT),
        ('UN_comma', 'UN', b'Attacker, Madeup', 'Attacker, Madeup'),
        ('OB', 'OB', NAME.encode(), NAME), ('PN', 'PN', NAME, NAME),
        ('DA_birthdate', 'DA', DOB, DOB), ('DT_birthdate', 'DT', DOB + '0815', DOB),
        ('LO_mrn', 'LO', MRN, MRN), ('LO_multivalue', 'LO', 'X\\' + NAME, NAME),
    ]
    for label, vr, val, needle in cases:
        kind = 'dicom'
        add('c3_private_%s.dcm' % label, C3, 'private (0009,1010) %s holds the identity' % vr, needle,
            part10(ct('c3 ' + label, priv([E(g, vr, val)]))), kind=kind)
    # implicit VR private elements
    for label, val, needle in [('caret', NAME, NAME), ('nocaret', NAME_TXT.upper(), NAME_TXT.upper()),
                               ('comma', 'Attacker, Madeup', 'Attacker, Madeup'),
                               ('birthdate', DOB, DOB), ('mrn', MRN, MRN),
                               ('caret_cp1252', 'Madeup^Attack\xe9r', 'Madeup^Attack')]:
        add('c3_private_implicit_%s.dcm' % label, C3, 'private element in implicit VR file (read as UN): %s' % label,
            needle, part10(ct('c3i ' + label, priv([E(g, 'LO', val)])), ts=IMPLICIT))
    add('c3_private_creator_is_name.dcm', C3, 'private creator (0009,0010) string is the patient name', NAME,
        part10(ct('c3 creator', priv([E(g, 'LO', 'x')], creator=NAME))))
    add('c3_private_creator_is_name_implicit.dcm', C3, 'private creator is the patient name, implicit VR', NAME,
        part10(ct('c3 creator i', priv([E(g, 'LO', 'x')], creator=NAME)), ts=IMPLICIT))
    add('c3_private_creator_nocaret.dcm', C3, 'private creator is "MADEUP ATTACKER"', 'MADEUP ATTACKER',
        part10(ct('c3 creator2', priv([E(g, 'LO', 'x')], creator='MADEUP ATTACKER'))))
    add('c3_private_sq_patientname.dcm', C3, 'private SQ (explicit) item holds PatientName', NAME,
        part10(ct('c3 psq', priv([E(g, 'SQ', [[E(0x00100010, 'PN', NAME)]])]))))
    add('c3_private_sq_patientname_implicit_undef.dcm', C3,
        'private SQ, implicit VR, undefined length, item holds PatientName', NAME,
        part10(ct('c3 psqi', priv([E(g, 'SQ', [[E(0x00100010, 'PN', NAME)]], undef=True, item_undef=True)])),
               ts=IMPLICIT))
    add('c3_private_sq_nested_name.dcm', C3, 'private SQ > private SQ > private LO name', NAME,
        part10(ct('c3 psq2', priv([E(g, 'SQ', [[E(0x00090010, 'LO', 'MADEUP CREATOR'),
                                                 E(0x00091011, 'SQ', [[E(0x00090010, 'LO', 'MADEUP CREATOR'),
                                                                       E(0x00091012, 'LO', NAME)]])]])]))))
    add('c3_no_creator_LO.dcm', C3, 'private (0009,1010) LO without any private creator', NAME,
        part10(ct('c3 nocr', [E(g, 'LO', NAME)])))
    add('c3_no_creator_implicit.dcm', C3, 'private (0009,1010) without creator, implicit VR', NAME,
        part10(ct('c3 nocri', [E(g, 'LO', NAME)]), ts=IMPLICIT))
    add('c3_no_creator_DA.dcm', C3, 'private DA birth date without creator', DOB,
        part10(ct('c3 nocrda', [E(0x00111020, 'DA', DOB)])))
    add('c3_group0003_private.dcm', C3, 'name in (0003,1010) LO (illegal private group 0001-0007)', NAME,
        part10(ct('c3 g3', [E(0x00030010, 'LO', 'MADEUP CREATOR'), E(0x00031010, 'LO', NAME)])))
    add('c3_private_in_std_seq_item.dcm', C3, 'private LO name inside a standard sequence item', NAME_TXT,
        part10(ct('c3 inseq', [E(0x00081140, 'SQ', [[E(0x00081150, 'UI', CT), E(0x00081155, 'UI', uid('r')),
                                                     E(0x00290010, 'LO', 'MADEUP CREATOR'),
                                                     E(0x00291001, 'LO', NAME_TXT)]])])))
    add('c3_private_bigendian_LO.dcm', C3, 'private LO name in explicit big endian file', NAME,
        part10(ct('c3 be', priv([E(g, 'LO', NAME)])), ts=BIG))
    add('c3_private_deflated_LO.dcm', C3, 'private LO name in deflated file', NAME,
        part10(ct('c3 defl', priv([E(g, 'LO', NAME)])), ts=DEFLATED))
    add('c3_private_group_7fe1.dcm', C3, 'private (7FE1,1010) LO name after pixel data', NAME,
        part10(ct('c3 7fe1', [E(0x7FE10010, 'LO', 'MADEUP CREATOR'), E(0x7FE11010, 'LO', NAME)])))


# ---------------------------------------------------------------- class 4
C4 = '4-un-sequences'


def class4():
    pn_item = [E(0x00100010, 'PN', NAME), E(0x00100030, 'DA', DOB)]
    for tag, kw in [(0x00081120, 'ReferencedPatientSequence'), (0x00400275, 'RequestAttributesSequence'),
                    (0x00081115, 'ReferencedSeriesSequence'), (0x00101002, 'OtherPatientIDsSequence'),
                    (0x00082112, 'SourceImageSequence'), (0x00380004, 'ReferencedPatientAliasSequence')]:
        add('c4_%s_UN_defined.dcm' % kw, C4, '%s as UN (defined length), implicit items with PatientName' % kw,
            NAME, part10(ct('c4 ' + kw, [E(tag, 'UN', [pn_item])])))
    add('c4_ReferencedPatientSequence_UN_undefined.dcm', C4,
        'ReferencedPatientSequence as UN with undefined length (CP-246), PatientName in item', NAME,
        part10(ct('c4 undef', [E(0x00081120, 'UN', [pn_item], undef=True, item_undef=True)])))
    add('c4_ReferencedPatientSequence_UN_undefined_defitem.dcm', C4,
        'UN undefined length, items of defined length, PatientName', NAME,
        part10(ct('c4 undef2', [E(0x00081120, 'UN', [pn_item], undef=True)])))
    add('c4_private_UN_defined.dcm', C4, 'private (0009,1010) UN defined length, implicit items with PatientName',
        NAME, part10(ct('c4 priv', priv([E(0x00091010, 'UN', [pn_item])]))))
    add('c4_private_UN_undefined.dcm', C4, 'private (0009,1010) UN undefined length, items with PatientName',
        NAME, part10(ct('c4 privu', priv([E(0x00091010, 'UN', [pn_item], undef=True, item_undef=True)]))))
    add('c4_private_implicit_defined_items.dcm', C4,
        'implicit VR file: private tag of defined length whose value is items with PatientName', NAME,
        part10(ct('c4 privimp', priv([E(0x00091010, 'SQ', [pn_item])])), ts=IMPLICIT))
    add('c4_nocreator_implicit_defined_items.dcm', C4,
        'implicit VR file: private tag (no creator), defined-length items with PatientName', NAME,
        part10(ct('c4 privimp2', [E(0x00091010, 'SQ', [pn_item])]), ts=IMPLICIT))
    add('c4_UN_in_bigendian.dcm', C4, 'big endian file, ReferencedPatientSequence as UN (LE implicit items)', NAME,
        part10(ct('c4 be', [E(0x00081120, 'UN', [pn_item], inner='iel')]), ts=BIG))
    add('c4_UN_nested_in_SQ.dcm', C4, 'SQ item > ReferencedPatientSequence as UN defined length > PatientName',
        NAME, part10(ct('c4 nested', [E(0x00400275, 'SQ', [[E(0x00401001, 'SH', 'RP1'),
                                                             E(0x00081120, 'UN', [pn_item])]])])))
    add('c4_UN_in_UN.dcm', C4, 'UN sequence whose item holds another UN sequence with PatientName', NAME,
        part10(ct('c4 unun', [E(0x00400275, 'UN', [[E(0x00401001, 'SH', 'RP1'),
                                                     E(0x00081120, 'SQ', [pn_item])]])])))
    add('c4_UN_mrn_otherpatientids.dcm', C4, 'RequestAttributesSequence as UN holding PatientID MRN', MRN,
        part10(ct('c4 mrn', [E(0x00400275, 'UN', [[E(0x00100020, 'LO', MRN)]])])))
    add('c4_UN_text_only.dcm', C4, 'RequestAttributesSequence as UN holding RequestedProcedureDescription',
        NAME_TXT, part10(ct('c4 txt', [E(0x00400275, 'UN', [[E(0x00321060, 'LO', 'CT ' + NAME_TXT)]])])))
    add('c4_UN_deflated.dcm', C4, 'deflated file, ReferencedPatientSequence as UN with PatientName', NAME,
        part10(ct('c4 defl', [E(0x00081120, 'UN', [pn_item])]), ts=DEFLATED))
    add('c4_UN_raw_dataset.dcm', C4, 'raw explicit data set (no meta), ReferencedPatientSequence as UN', NAME,
        dataset(ct('c4 raw', [E(0x00081120, 'UN', [pn_item])]), EXPLICIT))


# ---------------------------------------------------------------- class 5
C5 = '5-parsing-polyglots'


def tar_header(name, size, typeflag=b'0', magic=b'ustar\x0000'):
    h = bytearray(512)
    h[0:len(name)] = name
    h[100:108] = b'0000644\0'
    h[108:116] = b'0000000\0'
    h[116:124] = b'0000000\0'
    h[124:136] = b'%011o\0' % size
    h[136:148] = b'00000000000\0'
    h[156:157] = typeflag
    h[257:265] = magic
    h[148:156] = b' ' * 8
    h[148:156] = b'%06o\0 ' % sum(h)
    return bytes(h)


def class5():
    ident = ident_ct('c5 base')
    clean_then = ct('c5 base')
    # preamble polyglots
    body = b'DICM' + meta_group(EXPLICIT, CT, uid('c5 zip sop')) + dataset(ident_ct('c5 zip'), EXPLICIT)
    eocd = b'PK\x05\x06' + b'\0' * 16
    total = 128 + len(body)
    pre = eocd + struct.pack('<H', total - 22)
    add('c5_preamble_empty_zip.dcm', C5,
        'preamble is an empty zip EOCD whose comment spans the file: a valid empty zip and a whole DICOM',
        NAME, pre + b'\0' * (128 - len(pre)) + body, zip_polyglot=True)
    # zip with a real member in the preamble, central directory in DataSetTrailingPadding
    member, mdata = b'readme.txt', b'clean\n'
    crc = zlib.crc32(mdata)
    lfh = struct.pack('<4sHHHHHIIIHH', b'PK\x03\x04', 20, 0, 0, 0, 0, crc, len(mdata), len(mdata),
                      len(member), 0) + member + mdata
    pre = lfh + b'\0' * (128 - len(lfh))
    base = b'DICM' + meta_group(EXPLICIT, CT, uid('c5 zip2 sop')) + dataset(ident_ct('c5 zip2'), EXPLICIT)
    cd_len = 46 + len(member)
    pad_hdr = 12
    cd_off = 128 + len(base) + pad_hdr
    cd = struct.pack('<4sHHHHHHIIIHHHHHII', b'PK\x01\x02', 20, 20, 0, 0, 0, 0, crc, len(mdata), len(mdata),
                     len(member), 0, 0, 0, 0, 0, 0) + member
    eocd = struct.pack('<4sHHHHIIH', b'PK\x05\x06', 0, 0, 1, 1, cd_len, cd_off, 0)
    tail = cd + eocd
    assert len(tail) % 2 == 0
    add('c5_preamble_zip_member_polyglot.dcm', C5,
        'zip local header in preamble, central dir in DataSetTrailingPadding: zip with readme.txt AND DICOM',
        NAME, pre + base + enc_el(E(0xFFFCFFFC, 'OB', tail), 'eel'), zip_polyglot=True)
    pre = gzip.compress(b'', mtime=0)
    add('c5_preamble_gzip.dcm', C5, 'preamble starts with a complete empty gzip member', NAME,
        pre + b'\0' * (128 - len(pre)) + body)
    # gzip stored-block polyglot: the gzip stream's single stored block covers the DICOM file
    gzh = b'\x1f\x8b\x08\x00\0\0\0\0\x00\xff'
    inner = b'\0' * (128 - 15) + b'DICM' + meta_group(EXPLICIT, CT, uid('c5 gz sop')) + \
        dataset(ident_ct('c5 gz'), EXPLICIT)
    inner += tag_bytes(0xFFFCFFFC, 'eel') + b'OB\0\0' + struct.pack('<I', 8)
    assert len(inner) < 65536
    blk = b'\x01' + struct.pack('<HH', len(inner), len(inner) ^ 0xFFFF)
    gzpoly = gzh + blk + inner + struct.pack('<II', zlib.crc32(inner), len(inner))
    assert gzip.decompress(gzpoly) == inner
    add('c5_preamble_gzip_stored_polyglot.dcm', C5,
        'valid gzip (one stored block spanning the file; CRC in trailing padding) AND a whole DICOM file', NAME, gzpoly)
    pre = b'%PDF-1.4\n%\xe2\xe3\xcf\xd3\n'
    add('c5_preamble_pdf.dcm', C5, 'preamble starts with %PDF-1.4', NAME, pre + b'\0' * (128 - len(pre)) + body)
    pre = b'II*\0\x08\0\0\0'
    add('c5_preamble_tiff.dcm', C5, 'preamble starts with a TIFF header (dual personality)', NAME,
        pre + b'\0' * (128 - len(pre)) + body)
    pre = b'\x89PNG\r\n\x1a\n'
    add('c5_preamble_png.dcm', C5, 'preamble starts with the PNG signature', NAME, pre + b'\0' * (128 - len(pre)) + body)
    # tar polyglot: raw data set whose first element's value holds a ustar header + end blocks
    th = tar_header(b'', 0)
    # the element header is the first 12 bytes of the tar header (name field)
    hdr = struct.pack('<HH', 0x0008, 0x0001) + b'OB\0\0' + struct.pack('<I', 1536 - 12)
    blk = bytearray(th)
    blk[0:12] = hdr
    blk[148:156] = b' ' * 8
    blk[148:156] = b'%06o\0 ' % sum(blk)
    tarpoly = bytes(blk) + b'\0' * 1024 + enc_elems(ident_ct('c5 tar')[1:], 'eel')
    add('c5_tar_polyglot_raw.dcm', C5, 'raw explicit data set whose first OB value is a ustar header + end blocks '
        '(a valid tar of one empty member AND a DICOM data set)', NAME, tarpoly)
    # magic / preamble / raw variants
    add('c5_preamble_no_dicm.dcm', C5, '128-byte zero preamble then meta + data set, but no DICM magic', NAME,
        b'\0' * 128 + meta_group(EXPLICIT, CT, uid('c5 nodicm')) + dataset(ident_ct('c5 nodicm'), EXPLICIT))
    add('c5_preamble_no_dicm_dataset_only.dcm', C5, '128-byte zero preamble then a data set (no DICM, no meta)',
        NAME, b'\0' * 128 + dataset(ident_ct('c5 nodicm2'), EXPLICIT))
    add('c5_dicm_at_0.dcm', C5, "'DICM' at offset 0, no preamble", NAME,
        b'DICM' + meta_group(EXPLICIT, CT, uid('c5 d0')) + dataset(ident_ct('c5 d0'), EXPLICIT))
    cmd = [E(0x00000002, 'UI', CT), E(0x00000100, 'US', 1), E(0x00000110, 'US', 1), E(0x00000800, 'US', 0x0102)]
    for enc, ts in [('implicit', IMPLICIT), ('explicit', EXPLICIT)]:
        add('c5_raw_group0000_first_%s.dcm' % enc, C5, 'raw %s VR data set starting with command group 0000' % enc,
            NAME, dataset(ident_ct('c5 g0 ' + enc, cmd), ts))
        add('c5_raw_private_first_%s.dcm' % enc, C5, 'raw %s VR data set starting with private group 0001/0009' % enc,
            NAME, dataset(ident_ct('c5 gp ' + enc, [E(0x00010010, 'LO', 'MADEUP CREATOR'),
                                                    E(0x00011001, 'LO', 'x')]), ts))
        add('c5_raw_group0009_first_%s.dcm' % enc, C5, 'raw %s VR data set, first element private (0009,xxxx)' % enc,
            NAME, dataset([x for x in ident_ct('c5 g9 ' + enc, [E(0x00090010, 'LO', 'MADEUP CREATOR')])
                           if x.tag >> 16 != 0x0008], ts))
        add('c5_raw_group0010_first_%s.dcm' % enc, C5, 'raw %s VR data set starting with group 0010' % enc,
            NAME, dataset([x for x in ident_ct('c5 g10 ' + enc) if x.tag >> 16 >= 0x0010], ts))
        add('c5_raw_group0012_first_%s.dcm' % enc, C5,
            'raw %s VR data set: PatientName after group 0012 (first element group 0012)' % enc, NAME,
            enc_elems([E(0x00120062, 'CS', 'YES'), E(0x00100010, 'PN', NAME), E(0x00280301, 'CS', 'NO')],
                      {'implicit': 'iel', 'explicit': 'eel'}[enc], sort=False))
        add('c5_raw_group0040_first_%s.dcm' % enc, C5, 'raw %s VR data set of group 0040 then 0010 (unsorted)' % enc,
            NAME, enc_elems([E(0x00400254, 'LO', 'CT'), E(0x00100010, 'PN', NAME)],
                            {'implicit': 'iel', 'explicit': 'eel'}[enc], sort=False))
    add('c5_raw_bigendian.dcm', C5, 'raw explicit VR big endian data set (no meta)', NAME,
        dataset(ident_ct('c5 rawbe'), BIG))
    add('c5_raw_bigendian_group0010.dcm', C5, 'raw explicit VR big endian data set starting with group 0010', NAME,
        dataset([x for x in ident_ct('c5 rawbe10') if x.tag >> 16 >= 0x0010], BIG))
    add('c5_raw_meta_no_dicm.dcm', C5, 'meta group then data set, no preamble and no DICM', NAME,
        meta_group(EXPLICIT, CT, uid('c5 nd')) + dataset(ident_ct('c5 nd'), EXPLICIT))
    # duplicates and order
    add('c5_dup_clean_then_name.dcm', C5, 'PatientName twice: empty first, name second', NAME,
        part10(clean_then + [E(0x00100010, 'PN', NAME)]))
    add('c5_dup_name_then_clean.dcm', C5, 'PatientName twice: name first, empty second', NAME,
        part10(merge(ct('c5 dup2'), [E(0x00100010, 'PN', NAME)]) + [E(0x00100010, 'PN', '')], sort=True))
    add('c5_dup_name_then_anonymous.dcm', C5, 'PatientName twice: name first, ANONYMOUS second', NAME,
        part10(merge(ct('c5 dup3'), [E(0x00100010, 'PN', NAME)]) + [E(0x00100010, 'PN', 'ANONYMOUS')]))
    add('c5_dup_name_then_clean_implicit.dcm', C5, 'implicit VR: PatientName name first, empty second', NAME,
        part10(merge(ct('c5 dup4'), [E(0x00100010, 'PN', NAME)]) + [E(0x00100010, 'PN', '')], ts=IMPLICIT))
    add('c5_dup_birthdate_then_clean.dcm', C5, 'PatientBirthDate twice: date first, empty second', DOB,
        part10(merge(ct('c5 dup5'), [E(0x00100030, 'DA', DOB)]) + [E(0x00100030, 'DA', '')]))
    add('c5_dup_in_sequence_item.dcm', C5, 'in an SQ item: PatientName name first, empty second', NAME,
        part10(ct('c5 dup6', [E(0x00081120, 'SQ', [[E(0x00100010, 'PN', NAME), E(0x00100010, 'PN', '')]],
                                sort=False)])))
    add('c5_dup_raw_name_then_clean.dcm', C5, 'raw data set: PatientName name first, empty second', NAME,
        dataset(merge(ct('c5 dup7'), [E(0x00100010, 'PN', NAME)]) + [E(0x00100010, 'PN', '')], EXPLICIT))
    add('c5_dup_name_then_pixel_then_clean.dcm', C5,
        'PatientName with value early, then PixelData, then empty PatientName after it', NAME,
        part10(merge(ct('c5 dup8'), [E(0x00100010, 'PN', NAME)]) + [E(0x00100010, 'PN', '')], sort=False))
    els = ct('c5 ooo')
    add('c5_out_of_order.dcm', C5, 'elements out of order: PatientName after group 0028', NAME,
        part10([x for x in els if x.tag != 0x00100010 and x.tag < 0x7FE00010] + [E(0x00100010, 'PN', NAME)] +
               [x for x in els if x.tag == 0x7FE00010], sort=False))
    add('c5_after_pixeldata.dcm', C5, 'PatientName placed after PixelData', NAME,
        part10([x for x in els if x.tag != 0x00100010] + [E(0x00100010, 'PN', NAME)], sort=False))
    add('c5_reverse_order.dcm', C5, 'all elements in reverse order', NAME,
        part10(list(reversed(sorted(ident_ct('c5 rev'), key=lambda x: x.tag))), sort=False))
    # stray delimiters at top level
    for dn, dt in [('item_delim', 0xFFFEE00D), ('seq_delim', 0xFFFEE0DD)]:
        d = els[:-1]
        add('c5_stray_%s_before_name.dcm' % dn, C5, 'top-level stray (FFFE,%04X) then PatientName' % (dt & 0xFFFF),
            NAME, part10(d, raw_tail=delim(dt, 'eel') + enc_el(E(0x00100010, 'PN', NAME), 'eel') +
                         enc_el(els[-1], 'eel')))
    # transfer-syntax mismatches
    add('c5_meta_explicit_data_implicit.dcm', C5, 'meta says explicit VR LE; data set is implicit VR', NAME,
        part10(ident_ct('c5 mm1'), ts=EXPLICIT, data_enc='iel'))
    add('c5_meta_implicit_data_explicit.dcm', C5, 'meta says implicit VR; data set is explicit VR LE', NAME,
        part10(ident_ct('c5 mm2'), ts=IMPLICIT, data_enc='eel'))
    add('c5_meta_big_data_little.dcm', C5, 'meta says explicit big endian; data set is explicit little', NAME,
        part10(ident_ct('c5 mm3'), ts=BIG, data_enc='eel'))
    add('c5_meta_deflated_data_plain.dcm', C5, 'meta says deflated; data set is plain explicit VR LE', NAME,
        part10(ident_ct('c5 mm4'), ts=DEFLATED, data_enc='eel'))
    add('c5_meta_unknown_ts.dcm', C5, 'meta names an unknown transfer syntax 1.2.826.0.1.3680043.9.9; data explicit',
        NAME, part10(ident_ct('c5 mm5'), ts='1.2.826.0.1.3680043.9.9', data_enc='eel'))
    add('c5_meta_jpeg_ts_no_pixels.dcm', C5, 'meta says JPEG baseline; explicit data set without pixel data', NAME,
        part10([x for x in ident_ct('c5 mm6') if x.tag != 0x7FE00010], ts='1.2.840.10008.1.2.4.50',
               data_enc='eel'))
    add('c5_deflated.dcm', C5, 'deflated explicit VR LE transfer syntax with PatientName', NAME,
        part10(ident_ct('c5 defl'), ts=DEFLATED))
    add('c5_bigendian.dcm', C5, 'explicit VR big endian transfer syntax with PatientName', NAME,
        part10(ident_ct('c5 big'), ts=BIG))
    add('c5_deflated_zlib_wrapped.dcm', C5, 'deflated TS but the stream has a zlib header (dcmdump +bz)', NAME,
        part10_zlib(ident_ct('c5 zl')))
    # meta-group identity
    for kw, tag, vr, val, needle in [
            ('SourceApplicationEntityTitle', 0x00020016, 'AE', 'MADEUP^ATTACKER', 'MADEUP^ATTACKER'),
            ('SendingApplicationEntityTitle', 0x00020017, 'AE', 'MADEUP^ATTACKER', 'MADEUP^ATTACKER'),
            ('ReceivingApplicationEntityTitle', 0x00020018, 'AE', 'MADEUP^ATTACKER', 'MADEUP^ATTACKER'),
            ('PrivateInformation', 0x00020102, 'OB', NAME.encode(), NAME),
            ('ImplementationVersionName', 0x00020013, 'SH', 'MADEUP^ATTACKER', 'MADEUP^ATTACKER'),
            ('SourcePresentationAddress', 0x00020026, 'UR', 'http://madeup.invalid/' + MRN, MRN),
            ('MediaStorageSOPInstanceUID_mrn', 0x00020003, 'UI', '1.2.826.0.1.3680043.9.4711913.' + DOB, '4711913')]:
        extra = [E(tag, vr, val)]
        if tag == 0x00020102:
            extra.append(E(0x00020100, 'UI', uid('madeup private info')))
        add('c5_meta_%s.dcm' % kw, C5, 'identity in file meta %s' % kw, needle,
            part10(ct('c5 meta ' + kw), extra_meta=extra))
    # meta group length that swallows the first data set element
    els = merge(ct('c5 mgl'), [E(0x00100010, 'PN', NAME)])
    first = [x for x in els if x.tag == 0x00100010]
    rest = [x for x in els if x.tag != 0x00100010 and x.tag >> 16 != 0x0008]
    pn = enc_el(first[0], 'eel')
    meta_len = len(meta_group(EXPLICIT, CT, uid('c5 mgl sop'))) - 12
    mg = meta_group(EXPLICIT, CT, uid('c5 mgl sop'), group_length=meta_len + len(pn))
    add('c5_meta_length_swallows_name.dcm', C5, 'meta group length covers the PatientName that follows it', NAME,
        b'\0' * 128 + b'DICM' + mg + pn + enc_elems(rest, 'eel'))
    mg = meta_group(EXPLICIT, CT, uid('c5 mgl2 sop'), group_length=meta_len - 24)
    add('c5_meta_length_short.dcm', C5, 'meta group length too short by 24 bytes', NAME,
        b'\0' * 128 + b'DICM' + mg + dataset(ident_ct('c5 mgl2'), EXPLICIT))
    mg_nolen = meta_group(EXPLICIT, CT, uid('c5 mgl3 sop'))[12:]
    add('c5_meta_no_group_length.dcm', C5, 'meta group without (0002,0000) group length', NAME,
        b'\0' * 128 + b'DICM' + mg_nolen + dataset(ident_ct('c5 mgl3'), EXPLICIT))
    # truncation
    full = part10(ident_ct('c5 trunc'))
    i = full.find(NAME.encode())
    add('c5_truncated_after_name.dcm', C5, 'file cut 6 bytes into the element after PatientName', NAME,
        full[:i + 16 + 6])
    add('c5_truncated_in_pixeldata.dcm', C5, 'file cut in the middle of PixelData', NAME, full[:-10])
    add('c5_truncated_value_length.dcm', C5, 'last element declares 4096 bytes but the file ends', NAME,
        part10(ident_ct('c5 trunc3'), raw_tail=tag_bytes(0x00204000, 'eel') + b'LT' + struct.pack('<H', 4096) + b'abc'))
    # JSON / XML
    pn_json = {'00100010': {'vr': 'PN', 'Value': [{'Alphabetic': NAME}]},
               '00100030': {'vr': 'DA', 'Value': [DOB]},
               '00100020': {'vr': 'LO', 'Value': [MRN]},
               '00080016': {'vr': 'UI', 'Value': [CT]},
               '00080018': {'vr': 'UI', 'Value': [uid('c5 json')]}}
    add('c5_dicom.json', C5, 'DICOM JSON (PS3.18 F.2) object with PatientName', NAME,
        json.dumps(pn_json, sort_keys=True).encode(), kind='json')
    add('c5_dicom_array.json', C5, 'DICOM JSON array (QIDO-RS style) with PatientName', NAME,
        json.dumps([pn_json], sort_keys=True).encode(), kind='json')
    nested = {'00081120': {'vr': 'SQ', 'Value': [{'00100010': {'vr': 'PN', 'Value': [{'Alphabetic': NAME}]}}]},
              '00080016': {'vr': 'UI', 'Value': [CT]}}
    add('c5_dicom_nested.json', C5, 'DICOM JSON, PatientName inside a sequence item', NAME,
        json.dumps(nested, sort_keys=True).encode(), kind='json')
    inl = {'00091010': {'vr': 'OB', 'InlineBinary': base64.b64encode(NAME.encode()).decode()},
           '00090010': {'vr': 'LO', 'Value': ['MADEUP CREATOR']}}
    add('c5_dicom_inlinebinary.json', C5, 'DICOM JSON, name as private OB InlineBinary', NAME,
        json.dumps(inl, sort_keys=True).encode(), kind='json')
    add('c5_dicom_native.xml', C5, 'DICOM native model XML (PS3.19) with PatientName', NAME, native_xml(), kind='xml')
    d = tempfile.mkdtemp()
    p = os.path.join(d, 'x.dcm')
    with open(p, 'wb') as f:
        f.write(part10([x for x in ident_ct('c5 dcm2xml') if x.tag != 0x7FE00010]))
    add('c5_dcm2xml_native.xml', C5, 'native model XML written by dcmtk dcm2xml -nat from an identified CT', NAME,
        run(['dcm2xml', '-q', '-nat', p]), kind='xml')
    shutil.rmtree(d)
    add('c5_dicom_native_nodecl.xml', C5, 'native model XML without XML declaration, birth date + name', NAME,
        native_xml(decl=False), kind='xml')


def part10_zlib(elems):
    """Deflated TS but data compressed with a zlib wrapper (common writer bug)."""
    data = zlib.compress(enc_elems(elems, 'eel'), 9)
    return b'\0' * 128 + b'DICM' + meta_group(DEFLATED, CT, uid('c5 zl sop')) + data


def native_xml(decl=True):
    s = ('<?xml version="1.0" encoding="UTF-8"?>\n' if decl else '') + (
        '<NativeDicomModel xml:space="preserve">\n'
        '<DicomAttribute tag="00080016" vr="UI" keyword="SOPClassUID"><Value number="1">%s</Value></DicomAttribute>\n'
        '<DicomAttribute tag="00080018" vr="UI" keyword="SOPInstanceUID"><Value number="1">%s</Value></DicomAttribute>\n'
        '<DicomAttribute tag="00100010" vr="PN" keyword="PatientName"><PersonName number="1"><Alphabetic>'
        '<FamilyName>Madeup</FamilyName><GivenName>Attacker</GivenName></Alphabetic></PersonName></DicomAttribute>\n'
        '<DicomAttribute tag="00100020" vr="LO" keyword="PatientID"><Value number="1">%s</Value></DicomAttribute>\n'
        '<DicomAttribute tag="00100030" vr="DA" keyword="PatientBirthDate"><Value number="1">%s</Value></DicomAttribute>\n'
        '</NativeDicomModel>\n') % (CT, uid('c5 xml' + str(decl)), MRN, DOB)
    return s.encode()


# ---------------------------------------------------------------- class 6
C6 = '6-containers'


def zip_bytes(members, method=zipfile.ZIP_DEFLATED, force64=False, prefix=b''):
    bio = io.BytesIO()
    bio.write(prefix)
    with zipfile.ZipFile(bio, 'a' if prefix else 'w', compression=method) as z:
        for name, data in members:
            zi = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            zi.compress_type = method
            if force64:
                with z.open(zi, 'w', force_zip64=True) as f:
                    f.write(data)
            else:
                z.writestr(zi, data)
    return bio.getvalue()


def tar_py(members, fmt=tarfile.USTAR_FORMAT, typeflag=None):
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode='w', format=fmt) as t:
        for name, data in members:
            ti = tarfile.TarInfo(name)
            ti.size, ti.mtime, ti.mode = len(data), 946684800, 0o644
            ti.uname = ti.gname = 'x'
            if typeflag:
                ti.type = typeflag
            t.addfile(ti, io.BytesIO(data))
    return bio.getvalue()


def run(cmd, cwd=None, inp=None):
    return subprocess.run(cmd, cwd=cwd, input=inp, capture_output=True, check=True).stdout


def tool(cmd, data, suffix=''):
    """Run a compressor over data via stdin/stdout."""
    return run(cmd, inp=data)


FIXED_TIME_C = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <time.h>
#include <sys/time.h>
#include <sys/stat.h>
#define T 946684800
time_t time(time_t *t) { if (t) *t = T; return T; }
int gettimeofday(struct timeval *tv, void *tz) { if (tv) { tv->tv_sec = T; tv->tv_usec = 0; } return 0; }
int clock_gettime(clockid_t c, struct timespec *ts) { ts->tv_sec = T; ts->tv_nsec = 0; return 0; }
clock_t clock(void) { return 0; }
static unsigned seed = 4711;
int rand(void) { seed = seed * 1103515245u + 12345u; return (seed >> 1) & 0x7fffffff; }
static void pin(struct stat64 *b) { b->st_atim.tv_sec = b->st_mtim.tv_sec = b->st_ctim.tv_sec = T;
  b->st_atim.tv_nsec = b->st_mtim.tv_nsec = b->st_ctim.tv_nsec = 0; }
#define WRAP(name, argt) int name(argt a, struct stat64 *b) { \
  static int (*real)(argt, struct stat64 *); if (!real) real = dlsym(RTLD_NEXT, #name); \
  int r = real(a, b); if (r == 0) pin(b); return r; }
WRAP(stat64, const char *)
WRAP(lstat64, const char *)
WRAP(fstat64, int)
"""


def fixed_time_env(tmp):
    """An LD_PRELOAD shim that pins the clock (genisoimage stamps the current time)."""
    so = os.path.join(tmp, 'fixedtime.so')
    if not os.path.exists(so):
        src = os.path.join(tmp, 'fixedtime.c')
        with open(src, 'w') as f:
            f.write(FIXED_TIME_C)
        subprocess.run(['gcc', '-shared', '-fPIC', '-O1', '-o', so, src, '-ldl'], check=True, capture_output=True)
    return dict(os.environ, LD_PRELOAD=so, TZ='UTC')


def in_dir(files, cmd, out_name, tmp, env=None):
    """Create files in a fresh dir and run an archiver there; return the archive's bytes."""
    d = tempfile.mkdtemp(dir=tmp)
    for name, data in files:
        p = os.path.join(d, name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, 'wb') as f:
            f.write(data)
    for root, dirs, fs in os.walk(d):
        for x in dirs + fs:
            os.utime(os.path.join(root, x), (1893456000, 946684800))
    os.utime(d, (1893456000, 946684800))  # atime in the future: relatime leaves it
    out = os.path.join(tmp, out_name)
    if os.path.exists(out):
        os.remove(out)
    subprocess.run(cmd(out, d), cwd=d, capture_output=True, check=True, shell=isinstance(cmd(out, d), str),
                   env=env)
    with open(out, 'rb') as f:
        return f.read()


def class6(tmp):
    dcm = part10(ident_ct('c6 member'))
    M = [('IM000001.dcm', dcm)]
    add('c6_zip_deflate.zip', C6, 'zip (deflate) holding an identified CT', NAME, zip_bytes(M), kind='container')
    add('c6_zip_stored.zip', C6, 'zip (stored) holding an identified CT', NAME, zip_bytes(M, zipfile.ZIP_STORED),
        kind='container')
    add('c6_zip_prefix_sfx.zip', C6, 'zip with a 4 KiB MZ stub in front (self-extracting style)', NAME,
        zip_bytes(M, prefix=b'MZ' + b'\x90' * 4094), kind='container')
    add('c6_zip_prefix_text.zip', C6, 'zip with a shell-script header in front', NAME,
        zip_bytes(M, prefix=b'#!/bin/sh\nexit 0\n'), kind='container')
    add('c6_zip64.zip', C6, 'zip64 (forced zip64 extra fields) holding an identified CT', NAME,
        zip_bytes(M, force64=True), kind='container')
    add('c6_zip_bzip2.zip', C6, 'zip with bzip2 compression method (12)', NAME, zip_bytes(M, zipfile.ZIP_BZIP2),
        kind='container')
    add('c6_zip_lzma.zip', C6, 'zip with LZMA compression method (14)', NAME, zip_bytes(M, zipfile.ZIP_LZMA),
        kind='container')
    add('c6_zip_two_members.zip', C6, 'zip: clean control member first, identified second', NAME,
        zip_bytes([('a.txt', b'hello\n'), ('IM000002', dcm)]), kind='container')
    add('c6_zip_noext_member.zip', C6, 'zip member named without extension in a subfolder', NAME,
        zip_bytes([('PATIENT/STUDY/SERIES/1', dcm)]), kind='container')
    add('c6_gzip.dcm.gz', C6, 'gzip of an identified CT', NAME, gzip.compress(dcm, mtime=0), kind='container')
    add('c6_gzip_multimember.gz', C6, 'gzip with two members (empty + identified)', NAME,
        gzip.compress(b'', mtime=0) + gzip.compress(dcm, mtime=0), kind='container')
    add('c6_tar_ustar.tar', C6, 'tar (ustar) holding an identified CT', NAME, tar_py(M), kind='container')
    add('c6_tar_gnu.tar', C6, 'tar (GNU format)', NAME, tar_py(M, tarfile.GNU_FORMAT), kind='container')
    add('c6_tar_pax.tar', C6, 'tar (pax format)', NAME, tar_py(M, tarfile.PAX_FORMAT), kind='container')
    v7 = in_dir(M, lambda o, d: ['tar', '--format=v7', '-cf', o, 'IM000001.dcm'], 'v7.tar', tmp)
    add('c6_tar_v7.tar', C6, 'old V7 tar without the ustar magic', NAME, v7, kind='container')
    add('c6_tar_contiguous_type7.tar', C6, "tar member of type '7' (contiguous file)", NAME,
        tar_py(M, typeflag=tarfile.CONTTYPE), kind='container')
    # sparse: pixel data of zeros written as a hole
    sparse_ct = ct('c6 sparse', [E(0x00100010, 'PN', NAME), E(0x00100030, 'DA', DOB), E(0x00100020, 'LO', MRN)],
                   rows=256, cols=256)
    sparse_dcm = part10(sparse_ct)
    for fmt, label, extra in [('gnu', 'gnu_sparse', []), ('pax', 'pax_sparse_1_0', ['--sparse-version=1.0']),
                              ('pax', 'pax_sparse_0_1', ['--sparse-version=0.1'])]:
        d = tempfile.mkdtemp(dir=tmp)
        p = os.path.join(d, 'IM000001.dcm')
        zs = sparse_dcm.find(b'\0' * 65536)
        with open(p, 'wb') as f:
            f.write(sparse_dcm[:zs + 4096 - (zs % 4096) if zs % 4096 else zs])
            f.truncate(len(sparse_dcm) - 0)
        # write the real non-zero tail (nothing after pixels) — data after the hole is all zero
        assert sparse_dcm[zs + 4096 - (zs % 4096):].strip(b'\0') == b''
        os.utime(p, (946684800, 946684800))
        out = os.path.join(tmp, label + '.tar')
        pax = ['--pax-option=delete=atime,delete=ctime,exthdr.name=%d/PaxHeaders/%f'] if fmt == 'pax' else []
        subprocess.run(['tar', '--format=' + fmt, '--sparse', '--owner=0', '--group=0', '--numeric-owner'] + pax + extra +
                       ['-cf', out, 'IM000001.dcm'], cwd=d, check=True, capture_output=True)
        add('c6_tar_%s.tar' % label, C6, 'tar with a sparse member (%s)' % label.replace('_', ' '), NAME,
            fix_sparse_pid(open(out, 'rb').read()), kind='container')
    # hard link entries
    hl = in_dir(M, lambda o, d: 'ln IM000001.dcm IM000002.dcm && tar --format=ustar -cf %s IM000001.dcm IM000002.dcm'
                % o, 'hl.tar', tmp)
    add('c6_tar_hardlink.tar', C6, 'ustar with the CT and a hard-link entry to it', NAME, hl, kind='container')
    # a hard link whose target is a member that comes later under another type
    t7 = tar_py([('IM000001.dcm', dcm)], typeflag=tarfile.CONTTYPE)[:-1024]
    link = bytearray(tar_header(b'IM000002.dcm', 0, typeflag=b'1'))
    link[157:157 + 12] = b'IM000001.dcm'
    link[148:156] = b' ' * 8
    link[148:156] = b'%06o\0 ' % sum(link)
    add('c6_tar_type7_plus_hardlink.tar', C6, "type '7' member plus a hard link to it (no regular member)", NAME,
        t7 + bytes(link) + b'\0' * 1024, kind='container')
    for tf, label in [(b'8', 'type8_unknown'), (b'A', 'typeA_vendor')]:
        add('c6_tar_%s.tar' % label, C6, "tar member with typeflag '%s' (GNU tar extracts it as a file)" % tf.decode(),
            NAME, retype(tar_py(M), tf), kind='container')
    add('c6_tar_pax_size_override.tar', C6, 'pax header sets size; ustar size field says 0', NAME,
        pax_size_override(dcm), kind='container')
    tarb = tar_py(M)
    add('c6_tar.gz', C6, 'tar.gz', NAME, gzip.compress(tarb, mtime=0), kind='container')
    add('c6_tar.bz2', C6, 'tar.bz2', NAME, bz2.compress(tarb), kind='container')
    add('c6_tar.xz', C6, 'tar.xz', NAME, lzma.compress(tarb), kind='container')
    add('c6_tar.zst', C6, 'tar.zst', NAME, tool(['zstd', '-q', '-c'], tarb), kind='container')
    add('c6_dcm.xz', C6, 'xz of an identified CT', NAME, lzma.compress(dcm), kind='container')
    add('c6_dcm.bz2', C6, 'bzip2 of an identified CT', NAME, bz2.compress(dcm), kind='container')
    add('c6_dcm.zst', C6, 'zstd of an identified CT', NAME, tool(['zstd', '-q', '-c'], dcm), kind='container')
    add('c6_dcm.lzma', C6, 'lzma-alone (.lzma) of an identified CT', NAME, lzma.compress(dcm, format=lzma.FORMAT_ALONE),
        kind='container')
    add('c6_dcm.lz4', C6, 'lz4 frame of an identified CT', NAME, tool(['lz4', '-q', '-c'], dcm), kind='container')
    sz = in_dir(M, lambda o, d: ['7z', 'a', '-bd', '-mtm=off', o, 'IM000001.dcm'], 'x.7z', tmp)
    add('c6_7z.7z', C6, '7z archive holding an identified CT', NAME, sz, kind='container')
    sz = in_dir(M, lambda o, d: ['7z', 'a', '-bd', '-tzip', '-mm=Deflate64', o, 'IM000001.dcm'], 'x64.zip', tmp)
    add('c6_zip_deflate64.zip', C6, 'zip with Deflate64 method (9), made by 7z', NAME, sz, kind='container')
    # ISO images
    ddir = dicomdir('c6 iso', NAME, image_label='c6 iso img')
    img = part10(ident_ct('c6 iso img'))
    for label, opts in [('rr_joliet', ['-R', '-J']), ('plain', []), ('udf', ['-udf'])]:
        iso = in_dir([('DICOMDIR', ddir), ('DICOM/IM000001', img)],
                     lambda o, d, opts=opts: ['genisoimage', '-quiet'] + opts +
                     ['-V', 'TEACHCD', '-o', o, '.'], 'x.iso', tmp, env=fixed_time_env(tmp))
        add('c6_iso_%s.iso' % label, C6, 'ISO 9660 patient CD (%s): DICOMDIR + DICOM/IM000001' % label, NAME, iso,
            kind='container')
    iso = in_dir([('STUDY.ZIP', zip_bytes(M))], lambda o, d: ['genisoimage', '-quiet', '-R', '-o', o, '.'],
                 'z.iso', tmp, env=fixed_time_env(tmp))
    add('c6_iso_with_zip.iso', C6, 'ISO 9660 holding a zip holding the CT', NAME, iso, kind='container')
    # cpio and ar
    for fmt in ['newc', 'odc', 'bin', 'crc']:
        c = in_dir(M, lambda o, d, fmt=fmt: 'echo IM000001.dcm | cpio -o --quiet --reproducible -H %s > %s' % (fmt, o),
                   'x.cpio', tmp)
        add('c6_cpio_%s.cpio' % fmt, C6, 'cpio archive (%s format)' % fmt, NAME, c, kind='container')
    a = in_dir(M, lambda o, d: ['ar', 'rcD', o, 'IM000001.dcm'], 'x.a', tmp)
    add('c6_ar.a', C6, 'ar archive holding the CT', NAME, a, kind='container')
    # nesting
    txz = lzma.compress(tarb)
    n1 = gzip.compress(zip_bytes([('study.tar.xz', txz)]), mtime=0)
    add('c6_nested_txz_in_zip_in_gz.gz', C6, 'tar.xz inside zip inside gzip', NAME, n1, kind='container')
    n2 = gzip.compress(tar_py([('inner.zip', zip_bytes(M))]), mtime=0)
    add('c6_nested_zip_in_tar_in_gz.tgz', C6, 'zip inside tar inside gzip', NAME, n2, kind='container')
    n3 = zip_bytes([('study.zip', zip_bytes([('deeper.tar.gz', gzip.compress(tarb, mtime=0))]))])
    add('c6_nested_tgz_in_zip_in_zip.zip', C6, 'tar.gz inside zip inside zip', NAME, n3, kind='container')
    deep = dcm
    for i in range(5):
        deep = gzip.compress(deep, mtime=0)
    add('c6_nested_gzip_x5.gz', C6, 'five nested gzip layers', NAME, deep, kind='container')
    n4 = zip_bytes([('a.7z', open(os.path.join(tmp, 'x.7z'), 'rb').read())])
    add('c6_nested_7z_in_zip.zip', C6, '7z inside zip', NAME, n4, kind='container')
    n5 = tar_py([('IM000001.dcm.bz2', bz2.compress(dcm))])
    add('c6_nested_bz2_in_tar.tar', C6, 'bzip2 member inside ustar', NAME, n5, kind='container')
    n6 = zip_bytes([('IM000001.zst', tool(['zstd', '-q', '-c'], dcm))])
    add('c6_nested_zst_in_zip.zip', C6, 'zstd member inside zip', NAME, n6, kind='container')
    n7 = gzip.compress(in_dir(M, lambda o, d: 'echo IM000001.dcm | cpio -o --quiet --reproducible -H newc > %s' % o, 'y.cpio', tmp),
                       mtime=0)
    add('c6_cpio.gz', C6, 'gzipped newc cpio', NAME, n7, kind='container')
    # Containers part way into other bytes (after a made-up header, with more after them): 7-Zip's
    # parser (`7z x -t#`) takes them out, as binwalk and foremost do.
    noise = random.Random(20261203).randbytes(70001)
    for fname, desc, inner in [
        ('c6_carved_zip.bin', 'a zip between made-up bytes', zip_bytes([('IM000001.dcm', dcm)])),
        ('c6_carved_gzip.bin', 'a gzip stream between made-up bytes', gzip.compress(dcm, mtime=0)),
        ('c6_carved_bzip2.bin', 'a bzip2 stream between made-up bytes', bz2.compress(dcm)),
        ('c6_carved_xz.bin', 'an xz stream between made-up bytes', lzma.compress(dcm)),
    ]:
        add(fname, C6, desc, NAME, noise + inner + noise[:5003], kind='carved')


def fix_sparse_pid(t):
    """GNU tar names pax sparse members GNUSparseFile.<pid>/...: make the name fixed."""
    b = bytearray(t)
    pos = 0
    while pos + 512 <= len(b):
        h = b[pos:pos + 512]
        if not any(h):
            break
        name = bytes(h[:100]).rstrip(b'\0')
        size = int(bytes(h[124:136]).strip(b'\0 ') or b'0', 8)
        m = re.match(rb'(\./)?GNUSparseFile\.\d+/', name)
        if m:
            new = (m.group(1) or b'') + b'GNUSparseFile.0/' + name[m.end():]
            h[:100] = new.ljust(100, b'\0')
            h[148:156] = b' ' * 8
            h[148:156] = b'%06o\0 ' % sum(h)
            b[pos:pos + 512] = h
        pos += 512 + (size + 511) // 512 * 512
    return bytes(b)


def retype(t, tf):
    b = bytearray(t)
    b[156:157] = tf
    b[148:156] = b' ' * 8
    b[148:156] = b'%06o\0 ' % sum(b[:512])
    return bytes(b)


def pax_size_override(data):
    rec = b'%d size=%d\n'
    body = None
    for n in range(10, 40):
        cand = rec % (n, len(data))
        if len(cand) == n:
            body = cand
            break
    ph = tar_header(b'PaxHeaders/IM000001.dcm', len(body), typeflag=b'x')
    pad = lambda b: b + b'\0' * (-len(b) % 512)  # noqa: E731
    fh = tar_header(b'IM000001.dcm', 0)
    return ph + pad(body) + fh + pad(data) + b'\0' * 1024


# ---------------------------------------------------------------- class 8: disguised text
C8 = '8-disguised-text'
CLEAN_DESC = [E(0x00120064, 'SQ', [code('113100', 'DCM', 'Basic Application Confidentiality Profile'),
                                   code('113105', 'DCM', 'Clean Descriptors Option')])]
PATIENT_CHARS = [E(0x00120064, 'SQ', [code('113100', 'DCM', 'Basic Application Confidentiality Profile'),
                                      code('113108', 'DCM', 'Retain Patient Characteristics Option')])]


def class8():
    """Identity in kept text (Manufacturer, judged for labels and names) and in descriptions kept
    under Clean Descriptors, disguised as a person still reads it: look-alike letters of other
    scripts and character sets, characters that show nothing, text shown right to left, labels
    said other ways, a label and its value in two values of one element."""
    kept = [  # (label, SpecificCharacterSet, value bytes, needle)
        ('greek8', 'ISO_IR 126', b'\xccR\xcd: 4711913', '4711913'),           # Greek capital Mu, Nu
        ('cyrillic8', 'ISO_IR 144', b'\xbcRN: 4711913', '4711913'),            # Cyrillic capital Em
        ('jis_greek', '\\ISO 2022 IR 87', b'\x1b$B\x26\x2c\x1b(BRN: 4711913', '4711913'),
        ('small_capitals', 'ISO_IR 192', 'ᴍʀɴ: 4711913'.encode(), '4711913'),
        ('lisu', 'ISO_IR 192', 'ꓟꓣꓠ: 4711913'.encode(), '4711913'),
        ('cherokee', 'ISO_IR 192', 'ᎠOᏴ: 1971-02-03'.encode(), '1971-02-03'),
        ('negative_squared', 'ISO_IR 192', '🅼🆁🅽: 4711913'.encode(), '4711913'),
        ('mongolian_selector', 'ISO_IR 192', 'M\u180bRN: 4711913'.encode(), '4711913'),
        ('hangul_filler', 'ISO_IR 192', 'MR\u3164N: 4711913'.encode(), '4711913'),
        ('right_to_left', 'ISO_IR 192', '\u202e3191174 :NRM\u202c'.encode(), '3191174'),
        ('date_of_birth', 'ISO_IR 100', b'Date of birth 1971-02-03', '1971-02-03'),
        ('hospital_number', 'ISO_IR 100', b'Hospital number 4711913', '4711913'),
        ('chart', 'ISO_IR 100', b'Chart # 4711913', '4711913'),
        ('nhs_no', 'ISO_IR 100', b'NHS no 471 191 3705', '471 191 3705'),
        ('birthday', 'ISO_IR 100', b'Birthday: 1971-02-03', '1971-02-03'),
        ('pn_equals', 'ISO_IR 100', b'PN=MADEUP ATTACKER', 'MADEUP ATTACKER'),
        ('subject', 'ISO_IR 100', b'Subject: Madeup Attacker', NAME_TXT),
        ('coptic', 'ISO_IR 192', '\u2c98R\u2c9a: 4711913'.encode(), '4711913'),
        ('canadian_syllabics', 'ISO_IR 192', '\u15f0\u1587\u144e: 4711913'.encode(), '4711913'),
        ('stroke_letters', 'ISO_IR 192', '\u0110\u00d8B: 1971-02-03'.encode(), '1971-02-03'),
        # A patient label of another language with no separator before the name.
        ('cjk_label_no_colon', 'ISO_IR 192', '患者 Attacker Madeup'.encode(), 'Attacker Madeup'),
        ('cyrillic_label_no_colon', 'ISO_IR 192', 'Пациент Мэйдап А.'.encode(), 'Мэйдап'),
        ('latin1_accents', 'ISO_IR 100', b'P\xe1tient: Madeup Attacker', NAME_TXT),
        ('arrow', 'ISO_IR 100', b'Name -> Madeup Attacker', NAME_TXT),
        ('examinee', 'ISO_IR 100', b'Examinee: Madeup Attacker', NAME_TXT),
        ('paciente', 'ISO_IR 100', b'Paciente: Madeup Attacker', NAME_TXT),
        ('cyrillic_patient', 'ISO_IR 192', 'Пациент: Madeup Attacker'.encode(), NAME_TXT),
        ('hangul_patient', 'ISO_IR 192', '환자: Madeup Attacker'.encode(), NAME_TXT),
        ('patient_id_commas', 'ISO_IR 100', b'Patient ID 4,711,913', '4,711,913'),
        ('birth_date_portuguese', 'ISO_IR 100', b'data de nascimento 3 de fevereiro de 1971', '1971'),
        # A label in a two-byte character set, which only a reader that honours it shows.
        ('gb18030_label', 'GB18030', '患者姓名: Madeup Attacker'.encode('gb18030'), NAME_TXT),
        ('gbk_label', 'GBK', '出生日期 1971-02-03'.encode('gbk'), '1971-02-03'),
        ('jis_label', '\\ISO 2022 IR 87', '患者名: Madeup Attacker'.encode('iso2022_jp'), NAME_TXT),
    ]
    for label, charset, value, needle in kept:
        add('c8_manufacturer_%s.dcm' % label, C8, 'Manufacturer says a label and a value (%s)' % label, needle,
            part10(ct('c8 ' + label, [E(0x00080005, 'CS', charset), E(0x00080070, 'LO', value)])))
    # Free text a site keeps cleaned: a title with an initial, a date in a Japanese era.
    for label, value, needle in [('title_initial', 'Miss A. Madeup, twelve Invented Lane', 'Madeup'),
                                 ('era_birth_date', '昭和46年2月3日生', '昭和46年2月3日'),
                                 ('born_abbreviated', 'Madeup Attacker (b. 1971)', 'b. 1971'),
                                 ('dob_roman', 'DOB III.II.MCMLXXI', 'III.II.MCMLXXI'),
                                 ('address_in_words', 'seen at home, twelve invented lane', 'twelve invented lane'),
                                 ('patient_tab', 'Patient\tAttacker Madeup', 'Attacker Madeup'),
                                 ('pt_initial', 'Pt A. Madeup', 'A. Madeup'),
                                 ('patient_in_brackets', '[Patient] Attacker Madeup', 'Attacker Madeup'),
                                 ('italian_title', 'Sig.ra Attacker Madeup', 'Attacker Madeup'),
                                 ('greek_label', 'Ασθενής: Attacker Madeup', 'Attacker Madeup'),
                                 ('katakana_name', '氏名 マデアップ アタッカー', 'マデアップ'),
                                 ('nhs_slashes', 'ref 943/476/5919', '943/476/5919'),
                                 # Addresses as other countries write them, and address labels
                                 # with no colon.
                                 ('address_calle', 'Calle Ninguna 12, Madrid', 'Calle Ninguna 12'),
                                 ('address_rue', '12 Rue de Nullepart, 75099 Paris', 'Rue de Nullepart'),
                                 ('address_polish', 'ul. Nigdzie 12, Warszawa', 'ul. Nigdzie 12'),
                                 ('address_cyrillic', 'ул. Нигде, д. 12', 'ул. Нигде'),
                                 ('address_german', 'wohnhaft Nirgendweg 12', 'Nirgendweg 12'),
                                 ('address_number_after', 'Home: Nowhere Lane no. 12, Fakeham', 'Nowhere Lane'),
                                 ('address_label_no_colon', 'Address 12 Nowhere La.', '12 Nowhere La.'),
                                 ('postcode_label', 'Postcode ZX1 9QQ', 'ZX1 9QQ'),
                                 ('address_cjk_label', '住所 東京都架空区12', '東京都架空区12'),
                                 # Round 12: a month named in another language, DICOM's own
                                 # keyword or tag as a label.
                                 ('address_full_stop', '12 Invented Lane. Nowhere', '12 Invented Lane'),
                                 ('address_flat', 'Flat 3/12 Invented Lane', '3/12 Invented Lane'),
                                 ('postcode_after_town', 'P.O. Box 12, Nowhere ZX1 9QQ', 'ZX1 9QQ'),
                                 ('month_french', 'vu le 3 février 1971', '3 février 1971'),
                                 ('month_polish', 'ur. 3 lutego 1971', '3 lutego 1971'),
                                 ('month_russian', 'род. 3 февраля 1971', '3 февраля 1971'),
                                 ('keyword_label', 'PatientName Madeup Attacker', NAME_TXT),
                                 ('tag_label', '(0010,0010) Madeup Attacker', NAME_TXT)]:
        add('c8_image_comments_%s.dcm' % label, C8, 'ImageComments (Clean Descriptors): %s' % label, needle,
            part10(ct('c8 ic ' + label, CLEAN_DESC + [E(0x00080005, 'CS', 'ISO_IR 192'),
                                                      E(0x00204000, 'LT', value.encode())])))
    # A code of the site's own scheme whose meaning labels its value (a viewer shows them side
    # by side); the control: the same sequence with a procedure's code.
    add('c8_procedure_code_local_mrn.dcm', C8, 'ProcedureCodeSequence: 4711913 (99HOSP) "Medical record number"',
        '4711913', part10(ct('c8 pc mrn', [E(0x00081032, 'SQ', [code('4711913', '99HOSP', 'Medical record number')])])))
    # Round 9: a bare number where an attribute holds words (a code's meaning, a coded string),
    # an NHS number as a site's code.
    add('c8_code_meaning_bare_mrn.dcm', C8, 'AnatomicRegionSequence: T-D0010 (SRT) "4711913"', '4711913',
        part10(ct('c8 cm mrn', [E(0x00082218, 'SQ', [code('T-D0010', 'SRT', '4711913')])])))
    add('c8_coded_string_mrn.dcm', C8, 'ScanOptions: HELICAL\\4711913', '4711913',
        part10(ct('c8 cs mrn', [E(0x00180022, 'CS', 'HELICAL\\4711913')])))
    add('c8_procedure_code_local_nhs.dcm', C8, 'ProcedureCodeSequence: 9434765919 (99LOCAL) "CT CHEST"',
        '9434765919', part10(ct('c8 pc nhs', [E(0x00081032, 'SQ', [code('9434765919', '99LOCAL', 'CT CHEST')])])))
    add('c8_retrieve_url_patient_nhs.dcm', C8, 'RetrieveURL: https://pacs.example/patient/9434765919', '9434765919',
        part10(ct('c8 url nhs', [E(0x00081190, 'UR', 'https://pacs.example/patient/9434765919')])))
    # Round 11: a site's code whose meaning names and dates the patient, a scheme named after the
    # number it holds; a window's explanation; a URL's path after a patient segment, or a label
    # joined to its value by an underscore.
    add('c8_code_meaning_local_name_date.dcm', C8, 'AnatomicRegionSequence: ZM1 (99LOCAL) "Madeup Attacker '
        '1971-02-03"', '1971-02-03', part10(ct('c8 cm local', [E(0x00082218, 'SQ', [
            code('ZM1', '99LOCAL', NAME_TXT + ' 1971-02-03')])])))
    add('c8_procedure_code_scheme_mrn.dcm', C8, 'ProcedureCodeSequence: 4711913 (99MRN) "CT Chest"', '4711913',
        part10(ct('c8 pc scheme', [E(0x00081032, 'SQ', [code('4711913', '99MRN', 'CT Chest')])])))
    add('c8_window_explanation.dcm', C8, 'WindowCenterWidthExplanation: a name, a birth date and an MRN',
        '4711913', part10(ct('c8 wcwe', [E(0x00281050, 'DS', '40'), E(0x00281051, 'DS', '400'),
                                         E(0x00281055, 'LO', NAME_TXT + ', 1971-02-03, 4711913')])))
    add('c8_retrieve_url_patient_name.dcm', C8, 'RetrieveURL: …/patients/Madeup-Attacker/…', 'Madeup-Attacker',
        part10(ct('c8 url name', [E(0x00081190, 'UR', 'https://pacs.example/patients/Madeup-Attacker/studies')])))
    add('c8_retrieve_url_dob_underscore.dcm', C8, 'RetrieveURL: …/DOB_1971-02-03', '1971-02-03',
        part10(ct('c8 url dob', [E(0x00081190, 'UR', 'http://pacs.example/DOB_1971-02-03')])))
    for label, url in [('query_patient_id', 'https://pacs.example/studies?PatientID=4711913'),
                       ('query_tag', 'https://pacs.example/studies?limit=1&00100030=19710203'),
                       ('query_fhir_family', 'https://fhir.example/Patient?family=Madeup&given=Attacker')]:
        add('c8_retrieve_url_%s.dcm' % label, C8, 'RetrieveURL: %s' % url, url.split('=', 1)[1].split('&')[0],
            part10(ct('c8 url ' + label, [E(0x00081190, 'UR', url)])))
    add('ctl_procedure_code_local_long.dcm', C7, 'ProcedureCodeSequence: CTCAP (99RIS) "CT CHEST ABDOMEN …"', '',
        part10(ct('ctl pc long', [E(0x00081032, 'SQ', [code('CTCAP', '99RIS', 'CT CHEST ABDOMEN PELVIS W CONTRAST')])])))
    add('ctl_window_explanation.dcm', C7, 'WindowCenterWidthExplanation: two windows named', '',
        part10(ct('ctl wcwe', [E(0x00281050, 'DS', '40\\-600'), E(0x00281051, 'DS', '400\\1500'),
                               E(0x00281055, 'LO', 'BRAIN\\LUNG W:1500 L:-600')])))
    add('ctl_retrieve_url_study.dcm', C7, 'RetrieveURL: a study in a WADO-RS service', '',
        part10(ct('ctl url', [E(0x00081190, 'UR', 'https://pacs.example/wado/studies/2.25.12345678901234567')])))
    add('ctl_procedure_code_local.dcm', C7, 'ProcedureCodeSequence: CTHEAD (99HOSP) "CT Head"', '',
        part10(ct('ctl pc', [E(0x00081032, 'SQ', [code('CTHEAD', '99HOSP', 'CT Head')])])))
    for label, value, needle in [('label_value', 'Name:\\Madeup Attacker', NAME_TXT),
                                 ('caret_split', 'MADEUP\\^ATTACKER', 'ATTACKER')]:
        add('c8_software_versions_%s.dcm' % label, C8, 'SoftwareVersions: a label and its value in two values',
            needle, part10(ct('c8 sv ' + label, [E(0x00181020, 'LO', value)])))
    for label, value, needle in [('pt', 'Pt Madeup Attacker', NAME_TXT), ('mister', 'Mister Madeup', 'Madeup'),
                                 ('inpatient', 'Inpatient Madeup Attacker', NAME_TXT),
                                 ('case_number', 'Case number 4711913', '4711913'),
                                 ('for_colon', 'For: Attacker Madeup', 'Attacker Madeup'),
                                 ('patient_capitals', 'PATIENT MADEUP ATTACKER', 'MADEUP ATTACKER'),
                                 ('date_yy_mm_dd', 'CT 71-02-03', '71-02-03'),
                                 ('date_roman_spaced', 'CT 3 II 71', '3 II 71'),
                                 ('address', 'CT at home, 12 Nowhere Lane', '12 Nowhere Lane'),
                                 ('patient_title_case', 'Patient Madeup Attacker', NAME_TXT),
                                 ('slash_capitals', 'CT MADEUP/ATTACKER', 'MADEUP/ATTACKER')]:
        add('c8_series_description_%s.dcm' % label, C8, 'SeriesDescription (Clean Descriptors): %s' % label,
            needle, part10(ct('c8 sd ' + label, CLEAN_DESC + [E(0x0008103E, 'LO', value)])))
    # A label in one description, its value in the next (a viewer shows them one under the other).
    add('c8_series_description_bare_label.dcm', C8, 'StudyDescription "PATIENT_NAME", SeriesDescription the name',
        'MADEUP ATTACKER', part10(ct('c8 sd bare', CLEAN_DESC + [E(0x00081030, 'LO', 'PATIENT_NAME'),
                                                                  E(0x0008103E, 'LO', 'MADEUP ATTACKER')])))
    add('c8_series_description_lone_label.dcm', C8, 'SeriesDescription "Patient:", ImageComments the name',
        'MADEUP Attacker', part10(ct('c8 sd lone', CLEAN_DESC + [E(0x0008103E, 'LO', 'Patient:'),
                                                                  E(0x00204000, 'LT', 'MADEUP Attacker')])))
    # A hundred findings Clean Descriptors keeps, then one naming the patient: what a declared
    # option lets through must not crowd out what it does not.
    findings = [text_leaf('Finding %d: no abnormality.' % i) for i in range(99)]
    add('c8_sr_identity_after_99_kept_items.dcm', C8, 'SR TextValue in the 100th item names the patient',
        NAME_TXT, part10(merge(sr_doc('c8 sr100', text_leaf('Patient ' + NAME_TXT + ' born 1971-02-03'), 1,
                                      before=findings), CLEAN_DESC)))
    # A structured report's label in its concept name, its value in the value: dsrdump shows
    # "Patient name" = "Madeup Attacker".
    leaves = [
        ('coded', [E(0x0040A010, 'CS', 'HAS OBS CONTEXT'), E(0x0040A040, 'CS', 'CODE'),
                   E(0x0040A043, 'SQ', [code('99V1', '99LOCAL', 'Patient name')]),
                   E(0x0040A168, 'SQ', [code('99V2', '99LOCAL', NAME_TXT)])], NAME_TXT),
        ('text', [E(0x0040A010, 'CS', 'HAS OBS CONTEXT'), E(0x0040A040, 'CS', 'TEXT'),
                  E(0x0040A043, 'SQ', [code('99V3', '99LOCAL', 'Medical record number')]),
                  E(0x0040A160, 'UT', '4711913')], '4711913'),
        ('date', [E(0x0040A010, 'CS', 'HAS OBS CONTEXT'), E(0x0040A040, 'CS', 'TEXT'),
                  E(0x0040A043, 'SQ', [code('99V4', '99LOCAL', 'Date of birth')]),
                  E(0x0040A160, 'UT', '1971-02-03')], '1971-02-03'),
        # The label in the container the value lies in.
        ('container', [E(0x0040A010, 'CS', 'CONTAINS'), E(0x0040A040, 'CS', 'CONTAINER'),
                       E(0x0040A043, 'SQ', [code('99V5', '99LOCAL', 'Patient name')]),
                       E(0x0040A050, 'CS', 'SEPARATE'),
                       E(0x0040A730, 'SQ', [[E(0x0040A010, 'CS', 'CONTAINS'), E(0x0040A040, 'CS', 'TEXT'),
                                             E(0x0040A043, 'SQ', [code('99V6', '99LOCAL', 'Value')]),
                                             E(0x0040A160, 'UT', NAME_TXT)]])], NAME_TXT),
        # The label in a child that modifies the value's item.
        ('modifier', [E(0x0040A010, 'CS', 'CONTAINS'), E(0x0040A040, 'CS', 'TEXT'),
                      E(0x0040A043, 'SQ', [code('99V7', '99LOCAL', 'Person')]),
                      E(0x0040A160, 'UT', NAME_TXT),
                      E(0x0040A730, 'SQ', [[E(0x0040A010, 'CS', 'HAS PROPERTIES'), E(0x0040A040, 'CS', 'CODE'),
                                            E(0x0040A043, 'SQ', [code('99V8', '99LOCAL', 'Role')]),
                                            E(0x0040A168, 'SQ', [code('99V9', '99LOCAL', 'Patient (name)')])]])],
         NAME_TXT),
    ]
    for label, leaf, needle in leaves:
        add('c8_sr_concept_and_value_%s.dcm' % label, C8, 'SR content item: a label in its concept name, '
            'the value in its %s value' % label, needle, part10(merge(sr_doc('c8 sr ' + label, leaf, 3), CLEAN_DESC)))
    # Round 12: a name written as any other words, neither of them a word of a dictionary's, in
    # title case, in capitals, joined by an underscore, split over two values, in a site's code,
    # after a label of another language or on the line after one.
    bare = 'Zelda Quellmark'
    for label, tag, vr, value, needle in [
            ('image_comments_title', 0x00204000, 'LT', bare, bare),
            ('image_comments_capitals', 0x00204000, 'LT', 'QUELLMARK ZELDA', 'QUELLMARK ZELDA'),
            ('image_comments_comma', 0x00204000, 'LT', 'Quellmark, Zelda', 'Quellmark, Zelda'),
            ('image_comments_newline', 0x00204000, 'LT', 'Patient:\n' + bare, bare),
            ('image_comments_finnish_label', 0x00204000, 'LT', 'Nimi: ' + bare, bare),
            ('image_comments_thousands', 0x00204000, 'LT', bare + ' 4,711,913', bare),
            ('image_comments_patient_one_word', 0x00204000, 'LT', 'Patient QUELLMARK', 'QUELLMARK'),
            ('image_comments_patient_lower', 0x00204000, 'LT', 'Patient zelda quellmark', 'zelda quellmark'),
            ('content_label_underscore', 0x00700080, 'CS', 'ZELDA_QUELLMARK', 'ZELDA_QUELLMARK'),
            ('window_explanation_split', 0x00281055, 'LO', 'Zelda\\Quellmark', 'Quellmark'),
            ('series_description_for', 0x0008103E, 'LO', 'CT chest for ' + bare, bare),
            # Round 13: particles or an acronym between, written together, an initial, an apostrophe.
            ('particles', 0x00204000, 'LT', 'Zelda van der Quellmark', 'van der Quellmark'),
            ('acronym_between', 0x00204000, 'LT', 'Zelda CT Quellmark', 'Zelda CT Quellmark'),
            ('run_together', 0x00204000, 'LT', 'ZeldaQuellmark', 'ZeldaQuellmark'),
            ('initial', 0x00204000, 'LT', 'Z. Quellmark follow-up', 'Z. Quellmark'),
            ('apostrophe', 0x00204000, 'LT', "Zelda O'Quellmark", "O'Quellmark"),
            # Round 14: an initial without its full stop; hyphen-joined; in katakana.
            ('initial_undotted', 0x00204000, 'LT', 'Follow-up of Quellmark Z', 'Quellmark Z'),
            ('hyphen_joined', 0x00204000, 'LT', 'Tavish-Brambleton', 'Tavish-Brambleton'),
            # A review's: a value cut inside a word, a nuclide between, a family name of no vowel.
            ('cut_inside_a_word', 0x0008103E, 'LO', 'Z\\elda Quellmark', 'Quellmark'),
            ('cut_in_capitals', 0x0008103E, 'LO', 'QUELLMARK Z\\ELDA', 'QUELLMARK'),
            ('nuclide_between', 0x00204000, 'LT', 'Zelda Tc^99m^ Quellmark', 'Quellmark'),
            ('family_ng', 0x00204000, 'LT', 'NG, Zelda', 'NG, Zelda')]:
        add('c8_unknown_name_%s.dcm' % label, C8, '%s: a name in words no word list has' % label, needle,
            part10(ct('c8 un ' + label, CLEAN_DESC + [E(tag, vr, value)])))
    add('c8_unknown_name_katakana.dcm', C8, 'ImageComments: a name in katakana, its parts joined by a middle dot',
        'ゼルダ・クエルマーク', part10(ct('c8 un katakana', CLEAN_DESC + [
            E(0x00080005, 'CS', 'ISO_IR 192'), E(0x00204000, 'LT', 'ゼルダ・クエルマーク'.encode())])))
    add('c8_unknown_name_katakana_half_width.dcm', C8, 'ImageComments: a name in half-width katakana',
        'ｾﾞﾙﾀﾞ･ｸｴﾙﾏｰｸ', part10(ct('c8 un katakana hw', CLEAN_DESC + [
            E(0x00080005, 'CS', 'ISO_IR 192'), E(0x00204000, 'LT', 'ｾﾞﾙﾀﾞ･ｸｴﾙﾏｰｸ'.encode())])))
    # Round 14: a URL's slug in small letters after a patient's segment.
    add('c8_retrieve_url_patient_slug.dcm', C8, 'RetrieveURL: https://pacs.example/patient/zelda-quellmark/studies',
        'zelda-quellmark', part10(ct('c8 url slug', [
            E(0x00081190, 'UR', 'https://pacs.example/patient/zelda-quellmark/studies')])))
    add('c8_unknown_name_code_meaning.dcm', C8, 'ProcedureCodeSequence: 4711913 (99LOCAL) "Zelda Quellmark"', bare,
        part10(ct('c8 un code', CLEAN_DESC + [E(0x00081032, 'SQ', [code('4711913', '99LOCAL', bare)])])))
    # Round 14: text the profile keeps as it is (a model's name, a body part, an image type,
    # a standard scheme's code meaning) holding a name written as words, an address or an NHS
    # number; and the characteristics Retain Patient Characteristics keeps only cleaned.
    for label, tag, vr, value, needle in [
            ('model', 0x00081090, 'LO', bare, bare),
            ('manufacturer', 0x00080070, 'LO', bare, bare),
            ('software_versions', 0x00181020, 'LO', 'VE11C\\' + bare, bare),
            ('body_part', 0x00180015, 'CS', 'QUELLMARK ZELDA', 'QUELLMARK ZELDA'),
            ('image_type', 0x00080008, 'CS', 'ORIGINAL\\PRIMARY\\QUELLMARK ZELDA', 'QUELLMARK ZELDA'),
            ('position_reference', 0x00181040, 'LO', bare, bare),
            ('deidentification_method', 0x00120063, 'LO', bare, bare),
            ('model_address', 0x00081090, 'LO', '12 Nowhere Lane, Fakeham', '12 Nowhere Lane'),
            ('model_nhs', 0x00081090, 'LO', 'Unit 943 476 5919', '943 476 5919'),
            ('model_patient', 0x00081090, 'LO', 'Patient QUELLMARK', 'QUELLMARK'),
            ('model_caret_number', 0x00081090, 'LO', 'Quellmark^99m^Zelda', 'Quellmark^99m^Zelda'),
            # A family name beside an initial without its full stop, hyphen-joined names.
            ('kernel_initial', 0x00181210, 'SH', 'QUELLMARK Z', 'QUELLMARK Z'),
            ('filter_initial_first', 0x00181160, 'SH', 'Z QUELLMARK', 'Z QUELLMARK'),
            ('software_hyphenated', 0x00181020, 'LO', 'Quellmark-Zelda', 'Quellmark-Zelda'),
            ('model_caret_symbol_like', 0x00081090, 'LO', 'Z^1m^ Quellmark', 'Quellmark')]:
        add('c8_kept_text_%s.dcm' % label, C8, '%s (kept as it is): a name, an address or an NHS number' % label,
            needle, part10(ct('c8 kt ' + label, [E(tag, vr, value)])))
    add('c8_kept_text_code_meaning_sct.dcm', C8, 'AnatomicRegionSequence: 51185008 (SCT) "Zelda Quellmark"', bare,
        part10(ct('c8 kt sct', [E(0x00082218, 'SQ', [code('51185008', 'SCT', bare)])])))
    for label, tag, value, needle in [
            ('medical_alerts', 0x00102000, bare, bare),
            ('patient_state', 0x00380500, 'Sedated, 12 Nowhere Lane', '12 Nowhere Lane'),
            ('allergies', 0x00102110, 'Penicillin, call 020 7946 0000', '020 7946 0000'),
            ('special_needs', 0x00380050, 'Interpreter for Quellmark, Zelda', 'Quellmark, Zelda')]:
        add('c8_patient_characteristics_%s.dcm' % label, C8, '%s (Retain Patient Characteristics): kept '
            'cleaned, not as it is' % label, needle, part10(ct('c8 pc ' + label, PATIENT_CHARS + [E(tag, 'LO', value)])))


def controls8():
    """What a department writes that the class 8 rules must not take for identity."""
    for label, value in [('case', 'Case number 12 of 40'), ('inpatient', 'Inpatient CT Head'),
                         ('position', 'Pt Head First Supine'), ('chart', 'Chart 2 dose'),
                         ('for_protocol', 'Protocol for Acute Stroke'), ('for_colon', 'For: teaching'),
                         ('patient_position', 'PATIENT POSITION HFS'), ('slices', 'Slices 10-20-30 mm'),
                         ('grade', 'Grade II lesion 12 mm'), ('slash', 'HEAD/NECK PRE/POST'),
                         ('patient_title_case', 'Patient Safety Alert'), ('b_value', 'DWI b. 1000'),
                         ('close_to', 'lesion 5 mm close to the road'), ('stress_rest', 'STRESS/REST'),
                         ('maps', 'CBF, CBV, MTT, TMAX'), ('size', '12 x 10 mm'), ('pt_arms', 'PT ARMS DOWN'),
                         ('spectroscopy', 'MRS SVS PRESS TE 30'), ('did_not_attend', 'Patient Did Not Attend'),
                         ('via', 'contrast via cannula 2'), ('road', 'Road traffic collision 2'),
                         ('ip_address', 'IP address 10.0.0.7'), ('lane', 'Lane 3 of 4'),
                         ('german', 'Kontrastmittel 80 ml, Zugang rechts, Serie 4'),
                         ('eponym', 'MRI Enterography Crohns'), ('british', 'Varicocele Embolisation'),
                         ('tracer', 'Sestamibi Parathyroid Dual Phase'), ('micturating', 'Micturating Cystourethrogram'),
                         ('patient_german', 'Patient liegt auf dem Rücken'), ('resampled', 'MEDCOM RESAMPLED'),
                         ('patient_hfs', 'Patient HFS'),
                         ('product', 'Magnetom Vida'), ('contrast_brands', 'Gadovist Dotarem'),
                         ('eponym_pair', 'Osgood Schlatter'), ('german_nouns', 'Schädel Nativ'),
                         ('spanish', 'Rodilla Derecha'), ('swedish', 'Huvud Utan Kontrast'),
                         ('pet', 'PT'), ('t1_te', 'Brain T1 3TE'), ('mayo', 'MAYO CLINIC PROTOCOL V3 2019'), ('query', 'see ?limit=10&offset=20')]:
        add('ctl_series_description_%s.dcm' % label, C7, 'SeriesDescription (Clean Descriptors): %s' % value, '',
            part10(ct('ctl sd ' + label, CLEAN_DESC + [E(0x0008103E, 'LO', value)])))
    for label, charset, value in [('greek8', 'ISO_IR 126', b'\xca\xe5\xf6\xe1\xeb\xde'),  # "head", in Greek
                                  ('cyrillic8', 'ISO_IR 144', b'\xba\xb2 \xb3\xde\xdb\xde\xd2\xeb'),
                                  ('utf8', 'ISO_IR 192', 'Ultraschall Gerät'.encode())]:
        add('ctl_manufacturer_%s.dcm' % label, C7, 'Manufacturer in %s' % charset, '',
            part10(ct('ctl mf ' + label, [E(0x00080005, 'CS', charset), E(0x00080070, 'LO', value)])))
    # French in Latin-1: a two-byte set's reading of its bytes is no word of any list, and no name.
    add('ctl_series_description_french_latin1.dcm', C7, 'SeriesDescription (Clean Descriptors) in ISO_IR 100: '
        'Crâne Injecté', '', part10(ct('ctl sd fr', CLEAN_DESC + [E(0x00080005, 'CS', 'ISO_IR 100'),
                                                                    E(0x0008103E, 'LO', 'Crâne Injecté'.encode('latin-1'))])))
    leaf = [E(0x0040A010, 'CS', 'CONTAINS'), E(0x0040A040, 'CS', 'CODE'),
            E(0x0040A043, 'SQ', [code('121071', 'DCM', 'Finding')]),
            E(0x0040A168, 'SQ', [code('399211009', 'SCT', 'History of myocardial infarction')])]
    add('ctl_sr_concept_and_value.dcm', C7, 'SR content item: Finding = a coded finding', '',
        part10(merge(sr_doc('ctl sr cv', leaf, 3), CLEAN_DESC)))
    leaf = [E(0x0040A010, 'CS', 'CONTAINS'), E(0x0040A040, 'CS', 'CONTAINER'),
            E(0x0040A043, 'SQ', [code('121071', 'DCM', 'Finding')]), E(0x0040A050, 'CS', 'SEPARATE'),
            E(0x0040A730, 'SQ', [[E(0x0040A010, 'CS', 'CONTAINS'), E(0x0040A040, 'CS', 'TEXT'),
                                  E(0x0040A043, 'SQ', [code('121073', 'DCM', 'Impression')]),
                                  E(0x0040A160, 'UT', 'Normal study, no focal lesion')]])]
    add('ctl_sr_container_and_text.dcm', C7, 'SR: Finding container holding an impression in words', '',
        part10(merge(sr_doc('ctl sr ct', leaf, 3), CLEAN_DESC)))
    add('ctl_software_versions.dcm', C7, 'SoftwareVersions with several values', '',
        part10(ct('ctl sv', [E(0x00181020, 'LO', 'VE11C\\SP2\\syngo MR')])))
    # What devices and sites write in text the profile keeps: makers, models, versions with
    # build dates and numbers, body parts in other languages, image types.
    for label, tag, vr, value in [
            ('model_magnetom', 0x00081090, 'LO', 'MAGNETOM Vida'),
            ('model_infinia', 0x00081090, 'LO', 'Infinia Hawkeye 4'),
            ('model_acuson', 0x00081090, 'LO', 'ACUSON Sequoia'),
            ('model_aquilion', 0x00081090, 'LO', 'Aquilion Lightning'),
            ('model_vantage', 0x00081090, 'LO', 'Vantage Galan 3T'),
            ('manufacturer_hologic', 0x00080070, 'LO', 'HOLOGIC, Inc.'),
            ('manufacturer_carestream', 0x00080070, 'LO', 'Carestream Health'),
            ('manufacturer_ziehm', 0x00080070, 'LO', 'Ziehm Imaging'),
            ('software_build', 0x00181020, 'LO', 'V4.5.3 Build 1234567 2019-03-12'),
            ('software_ge', 0x00181020, 'LO', '27\\LX\\MR Software release:DV26.0_R03_1831.b'),
            ('body_part_german', 0x00180015, 'CS', 'KNIE LINKS'),
            ('image_type_csa', 0x00080008, 'CS', 'DERIVED\\SECONDARY\\MPR\\CSA MPR'),
            ('deidentification_method_ctp', 0x00120063, 'LO', 'RSNA Clinical Trial Processor'),
            ('position_reference', 0x00181040, 'LO', 'ILIAC CREST'),
            ('model_arcadis', 0x00081090, 'LO', 'Arcadis Orbic 3D')]:
        add('ctl_kept_text_%s.dcm' % label, C7, '%s: a device or a site wrote it' % value, '',
            part10(ct('ctl kt ' + label, [E(tag, vr, value)])))
    # A nuclide's mass number written as a superscript between carets (round 14).
    add('ctl_kept_text_radiopharmaceutical.dcm', C7, 'RadiopharmaceuticalInformationSequence: '
        '^99m^Technetium, Technetium Tc^99m^ medronate', '',
        part10(ct('ctl kt rp', [E(0x00540016, 'SQ', [[
            E(0x00540300, 'SQ', [code('C-163A8', 'SRT', '^99m^Technetium')]),
            E(0x00540304, 'SQ', [code('C-B1034', 'SRT', 'Technetium Tc^99m^ medronate')])]])])))
    add('ctl_kept_text_fdg.dcm', C7, 'RadionuclideCodeSequence: Fluorodeoxyglucose F^18^', '',
        part10(ct('ctl kt fdg', [E(0x00540016, 'SQ', [[
            E(0x00540300, 'SQ', [code('C-B1031', 'SRT', 'Fluorodeoxyglucose F^18^')])]])])))
    add('ctl_retrieve_url_patient_words.dcm', C7, 'RetrieveURL: https://wiki.example/patient/prone-positioning', '',
        part10(ct('ctl url words', [E(0x00081190, 'UR', 'https://wiki.example/patient/prone-positioning')])))
    add('ctl_image_comments_prostate.dcm', C7, 'ImageComments (Clean Descriptors): PI-RADS 4 lesion left PZ, '
        'Gleason 3+4 on biopsy', '', part10(ct('ctl ic pz', CLEAN_DESC + [
            E(0x00204000, 'LT', 'PI-RADS 4 lesion left PZ, Gleason 3+4 on biopsy')])))
    add('ctl_series_description_radiopharmaceutical.dcm', C7, 'SeriesDescription (Clean Descriptors): '
        'Ioflupane Datscan', '', part10(ct('ctl sd rp', CLEAN_DESC + [E(0x0008103E, 'LO', 'Ioflupane Datscan')])))
    for label, tag, value in [('medical_alerts', 0x00102000, 'Pacemaker MR conditional'),
                              ('patient_state', 0x00380500, 'Intubated and ventilated'),
                              ('allergies', 0x00102110, 'Iodinated contrast'),
                              ('special_needs', 0x00380050, 'Interpreter required')]:
        add('ctl_patient_characteristics_%s.dcm' % label, C7, '%s (Retain Patient Characteristics): %s'
            % (label, value), '', part10(ct('ctl pc ' + label, PATIENT_CHARS + [E(tag, 'LO', value)])))


# ---------------------------------------------------------------- class 9: documents
C9 = '9-documents'


def docx_bytes(runs):
    """A Word document whose one paragraph is `runs` (Word splits text into runs as it likes)."""
    body = ''.join('<w:r><w:t xml:space="preserve">%s</w:t></w:r>' % r for r in runs)
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.'
           'openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p>%s</w:p></w:body></w:document>' % body)
    return zip_bytes([('[Content_Types].xml', b'<?xml version="1.0"?><Types/>'), ('word/document.xml', doc.encode())])


def pdf_content(content):
    """A one-page PDF whose page content stream is `content` (deflated)."""
    return pdf_bytes('', content)


def class9():
    """Documents that label a patient: what a trainee drags in beside a study (a list, notes,
    a report, a web page saved from the RIS, an HL7 order)."""
    notes = 'Patient: %s\nDOB: 03/02/1971\n' % NAME_TXT
    docs = [
        ('notes.txt', notes.encode()),
        ('notes_crlf.txt', notes.replace('\n', '\r\n').encode()),
        ('notes_utf16.txt', b'\xff\xfe' + notes.encode('utf-16-le')),
        ('notes_caret.txt', ('Teaching case from %s, kindly shared\n' % NAME.upper()).encode()),
        ('list.csv', ('name,dob,mrn\n%s,1971-02-03,4711913\n' % NAME_TXT).encode()),
        ('list_quoted.csv', ('"Patient Name";"Findings"\n"MADEUP, Attacker";"fracture"\n').encode()),
        ('page.html', ('<html><body><table><tr><td>Patient:</td><td>%s</td></tr></table></body></html>'
                       % NAME_TXT).encode()),
        ('page_split.html', b'<p>Patient: Made<span>up</span> <b>Attacker</b></p>'),
        ('page_entities.html', ('<p>Patient&#58; %s</p>' % NAME_TXT).encode()),
        ('fields.json', json.dumps({'patient': {'name': NAME_TXT, 'dob': '1971-02-03'}}).encode()),
        ('fields.yaml', ('patient:\n  name: %s\n  birthDate: 1971-02-03\n' % NAME_TXT).encode()),
        ('order.hl7', ('MSH|^~\\&|RIS|HOSP|PACS|HOSP|202401010000||ORM^O01|1|P|2.3\rPID|1||||%s||'
                       '19710203|F\r' % NAME.upper()).encode()),
        ('text.svg', ('<svg xmlns="http://www.w3.org/2000/svg"><text x="1" y="9">Patient: %s</text></svg>'
                      % NAME_TXT).encode()),
        ('report.pdf', pdf_bytes('Patient: %s  DOB 03/02/1971' % NAME_TXT)),
        ('report_tj.pdf', pdf_content(b'BT /F1 12 Tf 72 720 Td [(Pati) -30 (ent: Made) 12 (up Attacker)] TJ ET')),
        ('report_hex.pdf', pdf_content(b'BT /F1 12 Tf 72 720 Td <' + ('Patient: ' + NAME_TXT).encode().hex().encode()
                                       + b'> Tj ET')),
        ('word.docx', docx_bytes(['Pati', 'ent: Made', 'up Attacker'])),
        ('notes.zip', zip_bytes([('notes.txt', notes.encode())])),
        ('mail.eml', ('From: registrar@example.org\nSubject: case\n\nPatient: %s\nMRN 4711913\n' % NAME_TXT).encode()),
        # Bytes a viewer shows as nothing, or frames a message with.
        ('notes_trailing_nul.txt', notes.encode() + b'\x00'),
        ('notes_ansi_escape.txt', b'\x1b[0m' + notes.encode()),
        ('notes_latin1_byte.txt', b'\x80' + notes.encode()),
        ('order_mllp.hl7', b'\x0b' + ('MSH|^~\\&|RIS|HOSP|PACS|HOSP|202401010000||ORM^O01|1|P|2.3\rPID|1||4711913||'
                                      '%s\r' % NAME.upper()).encode() + b'\x1c\r'),
        # Other encodings of the same note.
        ('notes_utf16_no_bom.txt', notes.encode('utf-16-le')),
        ('notes_utf32.txt', notes.encode('utf-32')),
        ('notes_ebcdic.txt', notes.encode('cp037')),
        # The label apart from its value: a table's header row, an element's name, a key.
        ('table_header_row.html', ('<table><tr><th>Patient</th><th>DOB</th></tr><tr><td>%s</td><td>03/02/1971'
                                   '</td></tr></table>' % NAME_TXT).encode()),
        ('table.docx', zip_bytes([('word/document.xml', (
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:tbl>'
            '<w:tr><w:tc><w:p><w:r><w:t>Patient name</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>MRN</w:t></w:r>'
            '</w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>%s</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>4711913'
            '</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>' % NAME_TXT).encode())])),
        ('elements.xml', ('<case><PatientName>%s</PatientName><PatientBirthDate>1971-02-03</PatientBirthDate></case>'
                          % NAME_TXT).encode()),
        ('camel_case.json', json.dumps({'case': {'fullName': NAME_TXT, 'dateOfBirth': '1971-02-03'}}).encode()),
        ('label_own_line.txt', ('Patient:\n%s\n' % NAME_TXT).encode()),
        ('fixed_width.txt', ('Name            DOB          MRN\n%s    1971-02-03   4711913\n' % NAME_TXT).encode()),
        ('report_apart.pdf', pdf_content(b'BT /F1 12 Tf 72 720 Td (Patient:) Tj ET BT /F1 12 Tf 72 700 Td ('
                                         + NAME_TXT.encode() + b') Tj ET')),
        # Characters that show nothing or look like others.
        ('zero_width.txt', ('Pat\u200bient: Made\u200bup Attacker\n').encode()),
        ('full_width.txt', 'Ｐａｔｉｅｎｔ： Ｍａｄｅｕｐ Ａｔｔａｃｋｅｒ\n'.encode()),
        # Other ways of writing the label.
        ('hash_number.txt', b'Patient #4711913 (Madeup)\n'),
        ('no_colon.txt', ('Patient name %s\n' % NAME_TXT).encode()),
        ('markdown.md', ('# Case 12\n\n* Patient: **%s**\n' % NAME_TXT).encode()),
        # An e-mail's parts in their transfer encodings, and an encoded word in a header.
        ('mail_base64.eml', b'From: a@example.org\nTo: b@example.org\nContent-Transfer-Encoding: base64\n\n'
                            + base64.b64encode(notes.encode()) + b'\n'),
        ('mail_quoted.eml', ('From: a@example.org\nTo: b@example.org\nContent-Transfer-Encoding: quoted-printable'
                             '\n\nPatient=3A Made=\nup Attacker\n').encode()),
        ('mail_subject.eml', b'From: a@example.org\nTo: b@example.org\nSubject: =?utf-8?B?'
                             + base64.b64encode(('Patient: ' + NAME_TXT).encode()) + b'?=\n\nsee subject\n'),
        ('mail_folded.eml', ('From: a@example.org\nTo: b@example.org\nSubject: Patient:\n %s\n\nsee subject\n'
                             % NAME_TXT).encode()),
        # A spreadsheet's strings apart from their cells (as Excel saves them), a slide's table.
        ('sheet.xlsx', zip_bytes([('xl/sharedStrings.xml', (
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>Patient</t></si>'
            '<si><t>DOB</t></si><si><t>%s</t></si><si><t>1971-02-03</t></si></sst>' % NAME_TXT).encode())])),
        # Records whose keys name the fields (HL7 CDA, FHIR, Java properties, a RIS export).
        ('cda.xml', ('<ClinicalDocument><recordTarget><patientRole><patient><name><given>Attacker</given>'
                     '<family>Madeup</family></name><birthTime value="19710203"/></patient></patientRole>'
                     '</recordTarget></ClinicalDocument>').encode()),
        ('fhir.json', json.dumps({'resourceType': 'Patient', 'name': [{'family': 'Madeup', 'given': ['Attacker']}],
                                  'birthDate': '1971-02-03'}).encode()),
        ('export.properties', ('patient.name=%s\npatient.dob=1971-02-03\n' % NAME_TXT).encode()),
        ('ris_export.csv', b'Pat_Surname,Pat_Forename,Pat_DOB\nMadeup,Attacker,03/02/1971\n'),
        # A PDF's words drawn piece by piece on one line.
        ('report_pieces.pdf', pdf_content(b'BT /F1 12 Tf 72 720 Td (Pat) Tj (ient: ) Tj (Made) Tj (up Attacker) Tj ET')),
        # What a browser hides or shows apart from the text: a soft hyphen in the label, a
        # hidden element or a script between label and value, a form field's value.
        ('page_soft_hyphen.html', ('<p>Pa&shy;tient: %s</p>' % NAME_TXT).encode()),
        ('page_hidden_span.html', ('<p>Patient: <span style="display: none">case 4</span>%s</p>' % NAME_TXT).encode()),
        ('page_script_between.html', ('<p>Patient: <script>var shown = 1;</script>%s</p>' % NAME_TXT).encode()),
        ('form.html', ('<form><label>Patient</label><input type="text" value="%s"></form>' % NAME_TXT).encode()),
        # Documents written in control words: a label split by RTF's and TeX's.
        ('letter.rtf', ('{\\rtf1\\ansi{\\fonttbl{\\f0 Times;}}\\f0\\fs24 Pa\\b tient\\b0 : %s\\par}'
                        % NAME_TXT).encode()),
        ('letter_hidden.rtf', ('{\\rtf1\\ansi Patient: {\\v case 4 }%s\\par}' % NAME_TXT).encode()),
        ('notes.tex', ('\\documentclass{article}\\begin{document}\\textbf{Pa\\-tient}: %s\\end{document}'
                       % NAME_TXT).encode()),
        # Other labels: a slash between two words of one, a vCard's formatted name.
        ('slash_label.txt', ('Patient/Name: %s\n' % NAME_TXT).encode()),
        ('contact.vcf', ('BEGIN:VCARD\nVERSION:3.0\nFN:%s\nEND:VCARD\n' % NAME_TXT).encode()),
        # Round 8: Markdown's emphasis and definitions, an initial, labels glued or dotted, a
        # card's group and folding, a pair of attributes, an image's text, Word's symbol, RTF's
        # \uc0, TeX's tables and character codes, YAML's tags and complex keys.
        ('md_bold_label.md', ('**Patient**: %s\n' % NAME_TXT).encode()),
        ('md_deflist.md', ('Patient\n: %s\n' % NAME_TXT).encode()),
        ('md_linkref.md', ('[Patient][1]: %s\n\n[1]: https://example.org\n' % NAME_TXT).encode()),
        ('initial_surname.txt', b'Patient: A. Madeup\n'),
        ('mrn_glued.txt', b'MRN4711913 (Madeup)\n'),
        ('mrn_dotted.txt', b'M.R.N.: 4711913 (Madeup)\n'),
        ('record_no.txt', b'Record no. 4711913 (Madeup)\n'),
        ('card_group.vcf', ('BEGIN:VCARD\nitem1.FN:%s\nEND:VCARD\n' % NAME_TXT).encode()),
        ('event_folded.ics', ('BEGIN:VCALENDAR\nBEGIN:VEVENT\nDESCRIPTION:Patient: Made\n up Attacker\nEND:VEVENT\n'
                              'END:VCALENDAR\n').encode()),
        ('attr_pair.xml', ('<form><field name="patient" value="%s"/></form>' % NAME_TXT).encode()),
        ('img_alt.html', ('<p>Patient: <img alt="%s" src="missing.png"></p>' % NAME_TXT).encode()),
        ('word_symbol.docx', zip_bytes([('word/document.xml', (
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p>'
            '<w:r><w:t xml:space="preserve">Pati</w:t></w:r><w:r><w:sym w:font="Arial" w:char="0065"/></w:r>'
            '<w:r><w:t xml:space="preserve">nt: %s</w:t></w:r></w:p></w:body></w:document>' % NAME_TXT).encode())])),
        ('unicode_uc0.rtf', ('{\\rtf1\\ansi\\uc0 \\u80 \\u97 tient: %s\\par}' % NAME_TXT).encode()),
        ('tabular.tex', ('\\documentclass{article}\\begin{document}\\begin{tabular}{ll}Name & DOB\\\\ %s & '
                         '03/02/1971\\\\ \\end{tabular}\\end{document}' % NAME_TXT).encode()),
        ('char_code.tex', ('\\documentclass{article}\\begin{document}\\char80 atient: %s\\end{document}'
                           % NAME_TXT).encode()),
        ('yaml_tag.yaml', ('patient: !!str %s\n' % NAME_TXT).encode()),
        ('yaml_complex_key.yaml', ('? patient\n: %s\n' % NAME_TXT).encode()),
        # A forwarded message inside a message, a file uuencoded in a body.
        ('mail_forwarded.eml', b'From: a@example.org\nTo: b@example.org\nMIME-Version: 1.0\nContent-Type: multipart/mixed; '
                               b'boundary=XX\n\n--XX\nContent-Type: message/rfc822\n\nFrom: c@example.org\nTo: '
                               b'd@example.org\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n'
                               + base64.b64encode(notes.encode()) + b'\n--XX--\n'),
        ('mail_uuencoded.eml', b'From: a@example.org\nTo: b@example.org\nSubject: notes\n\nbegin 644 notes.txt\n'
                               + b''.join(binascii.b2a_uu(notes.encode()[k:k + 45]) for k in range(0, len(notes), 45))
                               + b'`\nend\n'),
    ]
    for name, data in docs:
        add('c9_' + name, C9, 'a document that labels a patient (%s)' % name.split('.')[-1], NAME_TXT,
            data, kind='document')
    # An NHS number, unlabelled, in the NHS's grouping (its check digit holds).
    add('c9_nhs_number_bare.txt', C9, 'a document that holds an NHS number', '943 476 5919',
        b'Case 4: liver lesion, 943 476 5919\n', kind='document')
    add('c9_nhs_number_en_dash.txt', C9, 'a document that holds an NHS number', '943\u2013476\u20135919',
        'Case 4: liver lesion, 943\u2013476\u20135919\n'.encode(), kind='document')
    for name, data in [
        ('ctl_doc_eponyms.md', b'## Eponyms\n\n- Name: Kerley B lines - described by Peter Kerley\n'
                               b'- Name: Westermark sign - Nils Westermark\n'),
        ('ctl_doc_hidden_script.html', b'<p>Lecture notes<script>var patient = "x";</script></p>'),
        ('ctl_doc_letter.rtf', b'{\\rtf1\\ansi Dear colleagues,\\par the chest teaching set is ready.\\par}'),
        ('ctl_doc_numbers.txt', b'Phone 020 7946 0018, case 943 476 5918 (a check digit that fails)\n'),
        ('ctl_doc_case_list.csv', b'case,name,modality,findings\n1,Tension Pneumothorax,CT,left\n'),
        ('ctl_doc_notes.md', b'# Neuro teaching\nLecture 2024-03-01 by Dr Smith. Name: Chest CT teaching set\n'
                             b'Contact: Radiology, 1 Hospital Road. Tel: 01632 960000\n'),
        ('ctl_doc_config.yaml', b'name: neuro-set\nid: 3\nversion: 2\n'),
        ('ctl_doc_order.hl7', b'MSH|^~\\&|RIS|HOSP|PACS|HOSP|202401010000||ORM^O01|1|P|2.3\rPID|1||||\r'),
        ('ctl_doc_page.html', b'<html><title>Chest</title><p>Normal PA film. Series name: Axial T2</p></html>'),
        ('ctl_doc_report.pdf', pdf_content(b'BT /F1 12 Tf 72 720 Td [(Normal) -30 ( CT head)] TJ ET')),
    ]:
        add(name, C7, 'a document that names no patient', '', data, kind='plain')


def document_text(path):
    """What a document's own reader shows: the text of each page, member, cell or field."""
    data = open(path, 'rb').read()
    ext = path.rsplit('.', 1)[-1]
    if ext == 'pdf':
        import pypdf
        return '\n'.join(p.extract_text() for p in pypdf.PdfReader(path).pages)
    if ext in ('docx', 'xlsx', 'zip'):
        import xml.etree.ElementTree as ET
        z = zipfile.ZipFile(path)
        out = []
        for n in z.namelist():
            m = z.read(n)
            if n.endswith('.xml') and ext in ('docx', 'xlsx'):
                out.append(''.join(ET.fromstring(m).itertext()))
            else:
                out.append(m.decode('utf-8', 'replace'))
        return '\n'.join(out)
    name = os.path.basename(path)
    if ext == 'eml':
        import email
        import email.policy
        import binascii
        m = email.message_from_bytes(data, policy=email.policy.default)
        bodies = [str(p.get_content()) for p in m.walk() if not p.is_multipart()]
        # A mail reader decodes a uuencoded file in a body (`begin 644 name` … `end`).
        for body in list(bodies):
            for block in body.split('begin ')[1:]:
                lines = block.split('\n')[1:]
                bodies.append(b''.join(binascii.a2b_uu(l) for l in lines[:lines.index('end')] if l).decode('utf-8', 'replace'))
        return '\n'.join([str(v) for _, v in m.items()] + bodies)
    if 'utf16_no_bom' in name:
        text = data.decode('utf-16-le')
    elif 'utf32' in name:
        text = data.decode('utf-32')
    elif 'ebcdic' in name:
        text = data.decode('cp037')
    elif data[:2] == b'\xff\xfe':
        text = data.decode('utf-16')
    else:
        text = data.decode('utf-8', 'replace')
    if ext == 'xml':
        # An XML viewer shows the elements' text and their attributes.
        import xml.etree.ElementTree as ET
        root = ET.fromstring(text)
        return ' '.join(list(root.itertext()) + [v for e in root.iter() for v in e.attrib.values()])
    if ext in ('ics', 'vcf'):
        # RFC 5545 and 6350: a line that begins with a space goes on the one before.
        return text.replace('\r\n', '\n').replace('\n ', '')
    if 'zero_width' in name or 'full_width' in name:
        import unicodedata
        return unicodedata.normalize('NFKC', text.replace('\u200b', ''))
    if ext in ('html', 'svg'):
        # A browser shows a form field's value and a missing image's text where they stand.
        import html
        import re
        shown = re.sub(r'<(?:input|img)[^>]*?(?:value|alt)="([^"]*)"[^>]*>', r'\1', text)
        return html.unescape(re.sub(r'<[^>]*>', '', shown))
    if ext == 'csv':
        import csv
        import io
        return '\n'.join(' '.join(row) for row in csv.reader(io.StringIO(text), delimiter=';' if ';' in text else ','))
    if ext == 'json':
        return json.dumps(json.loads(text), ensure_ascii=False)
    return text


# ---------------------------------------------------------------- class 7: controls
C7 = 'control'
LAW = 'law'


def controls(tmp):
    add('ctl_plain.txt', C7, 'plain text', '', b'Teaching notes: CT head, normal study.\n' * 10, kind='plain')
    rnd = random.Random(20240315)
    while True:
        rb = bytes(rnd.getrandbits(8) for _ in range(4096))
        if struct.unpack('<H', rb[:2])[0] not in (2, 4, 8, 0x10, 0x18, 0x20, 0x28) and \
                struct.unpack('>H', rb[:2])[0] not in (2, 4, 8, 0x10, 0x18, 0x20, 0x28) and \
                rb[:2] not in (b'\x1f\x8b', b'PK') and rb[:4] != b'DICM':
            break
    add('ctl_random.bin', C7, '4 KiB of seeded random bytes', '', rb, kind='plain')
    add('ctl_image.png', C7, 'an 8x8 grey PNG', '', png(8, 8), kind='plain')
    add('ctl_doc.pdf', C7, 'a one-page PDF without DICOM', '', pdf_bytes('Teaching file: normal CT head'), kind='plain')
    add('ctl_empty.bin', C7, 'an empty file', '', b'', kind='plain')
    add('ctl_notes.json', C7, 'a JSON file that is not DICOM', '', b'{"course": "neuro", "cases": 3}\n', kind='plain')
    add('ctl_ct_explicit.dcm', C7, 'de-identified CT, explicit VR LE', '', part10(ct('ctl ct1')))
    add('ctl_ct_implicit.dcm', C7, 'de-identified CT, implicit VR LE', '', part10(ct('ctl ct2'), ts=IMPLICIT))
    add('ctl_ct_bigendian.dcm', C7, 'de-identified CT, explicit VR BE', '', part10(ct('ctl ct3'), ts=BIG))
    add('ctl_ct_deflated.dcm', C7, 'de-identified CT, deflated', '', part10(ct('ctl ct4'), ts=DEFLATED))
    add('ctl_ct_no_preamble.dcm', C7, 'de-identified CT, DICM at offset 0', '', part10(ct('ctl ct5'))[128:])
    add('ctl_ct_raw.dcm', C7, 'de-identified CT as a raw explicit data set', '', dataset(ct('ctl ct6'), EXPLICIT))
    add('ctl_ct_text_mask.dcm', C7, 'de-identified CT 16x40 with a pixel pattern (no text)', '',
        part10(ct('ctl ct7', rows=16, cols=40, pixels=bytes(range(256)) * 5)))
    mr = merge(ct('ctl mr'), [E(0x00080016, 'UI', MR), E(0x00080060, 'CS', 'MR'),
                              E(0x00080018, 'UI', uid('ctl mr sop2'))])
    add('ctl_mr.dcm', C7, 'de-identified MR', '', part10(mr))
    for label, extra in [('modality_cr', [E(0x00080060, 'CS', 'CR')]),
                         ('modality_lowercase', [E(0x00080060, 'CS', 'ct ')]),
                         ('modalities', [E(0x00080061, 'CS', 'CT\\PR\\SR\\KO')]),
                         ('charset_iso2022', [E(0x00080005, 'CS', '\\ISO 2022 IR 87')]),
                         ('charset_utf8', [E(0x00080005, 'CS', 'ISO_IR 192')]),
                         ('charset_hyphen', [E(0x00080005, 'CS', 'ISO-IR 100')]),
                         ('position_hfs', [E(0x00185100, 'CS', 'HFS')]),
                         ('scan_options', [E(0x00180022, 'CS', 'HELICAL_CT\\AXIAL_MODE')])]:
        add('ctl_cs_%s.dcm' % label, C7, 'de-identified CT whose coded strings are defined terms (%s)' % label, '',
            part10(ct('ctl cs ' + label, extra)))
    for label, extra in [('versions', [E(0x00181020, 'LO', '5.00.02\\1.10.12\\V4.5.3 Build 1234567 2019-03-12')]),
                         ('versions_dated', [E(0x00181020, 'LO', 'DICOMLib Ver02.00.00[20010925]')]),
                         ('kernel', [E(0x00181210, 'SH', 'B30s')]),
                         ('transducer', [E(0x00185010, 'LO', '55360')]),
                         ('model_numbers', [E(0x00081090, 'LO', 'Cassette Holder Type 9840 500 70201')]),
                         ('code_dcm', [E(0x00082218, 'SQ', [code('113100', 'DCM', 'Head') + [E(0x00080103, 'SH', '1.4')]])])]:
        add('ctl_kept_%s.dcm' % label, C7, 'de-identified CT whose kept values hold numbers beside words (%s)' % label,
            '', part10(ct('ctl kept ' + label, extra)))
    add('ctl_ct_anonymous.dcm', C7, 'de-identified CT, PatientName ANONYMOUS dummy', '',
        part10(ct('ctl ct8', [E(0x00100010, 'PN', 'ANONYMOUS')])))
    add('ctl_ct_deid_method_seq.dcm', C7, 'de-identified CT with DeidentificationMethodCodeSequence', '',
        part10(ct('ctl ct9', [E(0x00120064, 'SQ', [code('113100', 'DCM', 'Basic Application Confidentiality Profile')])])))
    # Free text stays only under Clean Descriptors, which these declare.
    clean_desc = [E(0x00120064, 'SQ', [code('113100', 'DCM', 'Basic Application Confidentiality Profile'),
                                       code('113105', 'DCM', 'Clean Descriptors Option')])]
    add('ctl_sr.dcm', C7, 'de-identified SR (Clean Descriptors), TextValue "no acute findings" at depth 3', '',
        part10(merge(sr_doc('ctl sr', text_leaf('No acute findings.'), 3), clean_desc)))
    add('ctl_sr_100_items.dcm', C7, 'de-identified SR (Clean Descriptors), a hundred findings', '',
        part10(merge(sr_doc('ctl sr100', text_leaf('No acute findings.'), 1,
                            before=[text_leaf('Finding %d: no abnormality.' % i) for i in range(99)]), clean_desc)))
    add('ctl_gsps.dcm', C7, 'de-identified presentation state (Clean Descriptors) with a text "arrow"', '',
        part10(merge(gsps('ctl pr', text_obj='arrow'), clean_desc)))
    add('law_epdf.dcm', LAW, 'de-identified encapsulated PDF saying "normal study": the profile empties the document', '',
        part10(epdf('ctl pdf', 'Normal study')))
    add('ctl_sr_items_in_turn.dcm', C7, 'de-identified SR (Clean Descriptors), findings in TEXT items in a row', '',
        part10(merge(sr_doc('ctl sr turn', text_leaf('Small hiatus hernia.'), 1,
                            before=[text_leaf('No acute findings.'), text_leaf('Liver'), text_leaf('Spleen')]),
                     clean_desc)))
    # SNOMED CT identifiers (a check digit, a partition) and DICOM's six-digit codes.
    add('ctl_codes_numbered.dcm', C7, 'de-identified CT whose codes are SNOMED CT and DICOM numbers', '',
        part10(ct('ctl codes numbered', [E(0x00082218, 'SQ', [code('12738006', 'SCT', 'Brain'),
                                                              code('39607008', 'SCT', 'Lung'),
                                                              code('10200004', 'SCT', 'Liver'),
                                                              code('113691', 'DCM', 'IEC Body Dosimetry Phantom')]),
                                         E(0x00081032, 'SQ', [code('77477000', 'SCT', 'CT')])])))
    add('ctl_derivation_ratio.dcm', C7, 'de-identified CT (Clean Descriptors) whose DerivationDescription gives a '
        'compression ratio of six decimals, as pydicom writes it', '',
        part10(ct('ctl derivation ratio', clean_desc + [E(0x00082111, 'ST', 'Lossy compression with JPEG baseline, '
                                                         'IJG quality factor 90, compression ratio 0.084906')])))
    add('ctl_codes_in_turn.dcm', C7, 'de-identified CT whose anatomic region codes are Head and Neck', '',
        part10(ct('ctl codes turn', [E(0x00082218, 'SQ', [code('T-D1100', 'SRT', 'Head'),
                                                          code('T-D1600', 'SRT', 'Neck')])])))
    add('ctl_DICOMDIR', C7, 'DICOMDIR with empty patient name and ID', '', dicomdir('ctl dd', '', pid=''))
    add('ctl_ct_seq.dcm', C7, 'de-identified CT with ReferencedImageSequence (real SQ)', '',
        part10(ct('ctl ct10', [E(0x00081140, 'SQ', [[E(0x00081150, 'UI', CT), E(0x00081155, 'UI', uid('c r'))]])])))
    c1, c2 = part10(ct('ctl z1')), part10(ct('ctl z2'))
    add('ctl_study.zip', C7, 'zip of two de-identified CTs', '', zip_bytes([('1.dcm', c1), ('2.dcm', c2)]),
        kind='plain')
    add('ctl_study.tar.gz', C7, 'tar.gz of two de-identified CTs', '', gzip.compress(tar_py([('1.dcm', c1),
                                                                                            ('2.dcm', c2)]), mtime=0),
        kind='plain')
    add('ctl_ct.dcm.gz', C7, 'gzip of a de-identified CT', '', gzip.compress(c1, mtime=0), kind='plain')
    add('ctl_nested.zip.gz', C7, 'zip in gzip of a de-identified CT', '', gzip.compress(zip_bytes([('1.dcm', c1)]),
                                                                                       mtime=0), kind='plain')
    add('ctl_study.tar.xz', C7, 'tar.xz of a de-identified CT', '', lzma.compress(tar_py([('1.dcm', c1)])), kind='plain')


def png(w, h):
    raw = b''.join(b'\0' + bytes([128] * w) for _ in range(h))

    def chunk(t, d):
        return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 0, 0, 0, 0)) + \
        chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b'')


# ---------------------------------------------------------------- verification
HEXSEQ = re.compile(r'\b[0-9a-f]{2}(?:\\[0-9a-f]{2}){3,}\b')
HEXW = re.compile(r'\b[0-9a-f]{4}(?:\\[0-9a-f]{4}){2,}\b')


MY_PRIVATE_GROUPS = {0x0001, 0x0003, 0x0009, 0x0011, 0x0029, 0x7FE1}


def plausible(tag):
    """A tag this corpus wrote on purpose (standard dictionary or our private groups), not a
    tag a reader made up from misparsed bytes."""
    from pydicom.datadict import dictionary_has_tag, repeater_has_tag
    return dictionary_has_tag(tag) or repeater_has_tag(tag) or (tag >> 16) in MY_PRIVATE_GROUPS or (tag & 0xFFFF) == 0


def pydicom_text(ds):
    """Every value pydicom shows, file meta included; (text, bytes) values separately. Bytes
    count only in elements with a plausible tag."""
    texts, blobs = [], []

    def walk(d):
        for el in d:
            if el.VR == 'SQ':
                for it in el.value or []:
                    walk(it)
                continue
            v = el.value
            if isinstance(v, (bytes, bytearray)):
                if plausible(int(el.tag)):
                    blobs.append(bytes(v).decode('latin-1'))
            elif plausible(int(el.tag)):
                texts.append(str(v))
    if getattr(ds, 'file_meta', None) is not None:
        walk(ds.file_meta)
    walk(ds)
    return '\n'.join(texts), '\n'.join(blobs)


def check_pydicom(path, needle):
    try:
        ds = pydicom.dcmread(path, force=True)
        t, b = pydicom_text(ds)
    except Exception:
        return None
    if needle in t:
        return 'pydicom'
    if needle in b:
        return 'pydicom(raw bytes)'
    return None


DCMDUMP_OPTS = [[], ['+uc'], ['+E'], ['+Ep'], ['-td'], ['-f'], ['+bz'], ['-ml'], ['-ti'], ['-te']]


def dcmdump_out(path, opts):
    try:
        r = subprocess.run(['dcmdump', '-q', '+L', '-Un'] + opts + [path], capture_output=True, timeout=20)
    except subprocess.TimeoutExpired:
        return ''
    out = r.stdout.decode('latin-1')
    if r.returncode != 0 and '+E' not in opts:
        return out if out.strip() else ''
    return out


TAGLINE = re.compile(r'^\s*\(([0-9a-fA-F]{4}),([0-9a-fA-F]{4})\)')


def dump_lines(out):
    """dcmdump lines with a plausible tag, with their hex values decoded as well."""
    text, hexed = [], []
    for line in out.splitlines():
        m = TAGLINE.match(line)
        if not m or not plausible(int(m.group(1) + m.group(2), 16)):
            continue
        text.append(line)
        for h in HEXSEQ.finditer(line):
            hexed.append(bytes(int(x, 16) for x in h.group(0).split('\\')).decode('latin-1'))
        for h in HEXW.finditer(line):
            hexed.append(b''.join(struct.pack('<H', int(x, 16)) for x in h.group(0).split('\\')).decode('latin-1'))
    return '\n'.join(text), '\n'.join(hexed)


def check_dcmdump(path, needle):
    """The first dcmdump option set that shows the needle as text, else the first as hex."""
    hexhit = None
    for opts in DCMDUMP_OPTS:
        out = dcmdump_out(path, opts)
        if not out:
            continue
        name = 'dcmdump' + (' ' + ' '.join(opts) if opts else '')
        text, hexed = dump_lines(out)
        if needle in text:
            return name
        if needle in hexed and not hexhit:
            hexhit = name + '(hex)'
    return hexhit


def readers_for_dicom_bytes(data, needle, tmp, kind='dicom', entry=None):
    p = os.path.join(tmp, 'probe.dcm')
    with open(p, 'wb') as f:
        f.write(data)
    rs = []
    if kind == 'pdfdoc':
        ds = pydicom.dcmread(p, force=True)
        import pypdf
        txt = pypdf.PdfReader(io.BytesIO(ds.EncapsulatedDocument)).pages[0].extract_text()
        if needle in txt:
            rs.append('pydicom EncapsulatedDocument -> pypdf page text')
    elif kind in ('overlay', 'pixels'):
        ds = pydicom.dcmread(p, force=True)
        arr = ds.overlay_array(0x6000) if kind == 'overlay' else ds.pixel_array
        got = [[1 if arr[r][c] else 0 for c in range(arr.shape[1])] for r in range(arr.shape[0])]
        if got == entry['mask']:
            rs.append('pydicom %s renders the text MADEUP' % ('overlay_array' if kind == 'overlay' else 'pixel_array'))
    r = check_pydicom(p, needle)
    if r:
        rs.append(r)
    r = check_dcmdump(p, needle)
    if r:
        rs.append(r)
    return rs


def sniff(data):
    if data[:2] == b'\x1f\x8b':
        return 'gzip'
    if data[:6] == b'\xfd7zXZ\0':
        return 'xz'
    if data[:3] == b'BZh':
        return 'bzip2'
    if data[:4] == b'\x28\xb5\x2f\xfd':
        return 'zstd'
    if data[:4] == b'\x04\x22\x4d\x18':
        return 'lz4'
    if data[:6] == b'7z\xbc\xaf\x27\x1c':
        return '7z'
    if data[:3] == b'\x5d\0\0':
        return 'lzma'
    if data[:8] == b'!<arch>\n':
        return 'ar'
    if data[:6] in (b'070701', b'070702', b'070707') or data[:2] in (b'\xc7\x71', b'\x71\xc7'):
        return 'cpio'
    if len(data) > 0x8006 and data[0x8001:0x8006] == b'CD001':
        return 'iso'
    if len(data) > 262 and data[257:262] == b'ustar':
        return 'tar'
    if zipfile.is_zipfile(io.BytesIO(data)) and data[128:132] != b'DICM':
        return 'zip'
    try:
        if len(data) >= 512 and tarfile.open(fileobj=io.BytesIO(data)).getmembers():
            return 'tar'
    except Exception:
        pass
    return None


def unpack(data, tmp):
    """Real tools unpack; returns (tool, [(name, bytes)])."""
    k = sniff(data)
    if k is None:
        return None, []
    if k == 'gzip':
        return 'gzip', [('(gunzip)', gzip.decompress(data))]
    if k == 'xz':
        return 'xz', [('(unxz)', run(['xz', '-dc'], inp=data))]
    if k == 'lzma':
        return 'xz --format=lzma', [('(unlzma)', run(['xz', '-dc', '--format=lzma'], inp=data))]
    if k == 'bzip2':
        return 'bzip2', [('(bunzip2)', run(['bzip2', '-dc'], inp=data))]
    if k == 'zstd':
        return 'zstd', [('(unzstd)', run(['zstd', '-dcq'], inp=data))]
    if k == 'lz4':
        return 'lz4', [('(unlz4)', run(['lz4', '-dcq'], inp=data))]
    d = tempfile.mkdtemp(dir=tmp)
    arc = os.path.join(tmp, 'arc_' + os.path.basename(d))
    with open(arc, 'wb') as f:
        f.write(data)
    cmd = {'zip': ['unzip', '-qq', arc], 'tar': ['tar', '-xf', arc], '7z': ['7z', 'x', '-bd', '-y', arc],
           'iso': ['7z', 'x', '-bd', '-y', arc], 'ar': ['ar', 'x', arc],
           'cpio': 'cpio -idm --quiet < %s' % arc}[k]
    r = subprocess.run(cmd, cwd=d, capture_output=True, shell=isinstance(cmd, str))
    if k == 'zip' and not any(os.scandir(d)):
        subprocess.run(['7z', 'x', '-bd', '-y', arc], cwd=d, capture_output=True)
        k = 'zip(7z)'
    out = []
    for root, _, files in os.walk(d):
        for fn in sorted(files):
            p = os.path.join(root, fn)
            with open(p, 'rb') as f:
                out.append((os.path.relpath(p, d), f.read()))
    name = {'zip': 'unzip', 'tar': 'GNU tar', '7z': '7z', 'iso': '7z(iso)', 'ar': 'ar', 'cpio': 'GNU cpio',
            'zip(7z)': '7z(zip)'}[k]
    del r
    return name, out


def verify_container(data, needle, tmp, chain=(), depth=0):
    found = []
    tool_name, members = unpack(data, tmp)
    if tool_name is None or depth > 8:
        rs = readers_for_dicom_bytes(data, needle, tmp)
        if rs:
            found.append(' > '.join(chain) + ' > ' + '+'.join(rs) if chain else '+'.join(rs))
        return found
    for name, b in members:
        found += verify_container(b, needle, tmp, chain + ('%s:%s' % (tool_name, name),), depth + 1)
    return found


def verify(e, tmp):
    path = os.path.join(CORPUS, e['file'])
    if e['kind'] == 'json':
        txt = open(path).read()
        obj = json.loads(txt)
        rs = []
        if e['needle'] in txt:
            rs.append('text')
        try:
            from pydicom import Dataset
            for o in obj if isinstance(obj, list) else [obj]:
                ds = Dataset.from_json(o)
                t, b = pydicom_text(ds)
                if e['needle'] in t or e['needle'] in b:
                    rs.append('pydicom Dataset.from_json')
                    break
        except Exception:
            pass
        return rs
    if e['kind'] == 'xml':
        # dcmtk 3.6.7's xml2dcm reads only its own format, not PS3.19: the XML text is the reader
        import xml.etree.ElementTree as ET
        root = ET.parse(path).getroot()
        rs = []
        for a in root.iter('DicomAttribute'):
            fam = a.find('PersonName/Alphabetic/FamilyName')
            giv = a.find('PersonName/Alphabetic/GivenName')
            if fam is not None and giv is not None and '%s^%s' % (fam.text, giv.text) == e['needle']:
                rs.append('XML text: DicomAttribute %s PersonName %s^%s' % (a.get('tag'), fam.text, giv.text))
        return rs
    if e['kind'] == 'document':
        shown = document_text(path)
        found = e['needle'] in shown or e['needle'].upper() in shown or 'Madeup' in shown or 'MADEUP' in shown
        return ['the text its reader shows (%s)' % e['file'].rsplit('.', 1)[-1]] if found else []
    if e['kind'] == 'container':
        return verify_container(open(path, 'rb').read(), e['needle'], tmp)
    if e['kind'] == 'carved':
        d = tempfile.mkdtemp(dir=tmp)
        subprocess.run(['7z', 'x', '-t#', '-bd', '-y', '-o' + d, path], capture_output=True)
        found = []
        for fn in sorted(os.listdir(d)):
            with open(os.path.join(d, fn), 'rb') as f:
                found += verify_container(f.read(), e['needle'], tmp, ('7z -t#:' + fn,))
        return found
    rs = readers_for_dicom_bytes(open(path, 'rb').read(), e['needle'], tmp, e['kind'], e)
    if e.get('zip_polyglot'):
        z = zipfile.ZipFile(path)
        rs.append('python zipfile opens it as a zip (%d members)' % len(z.namelist()))
    if e['file'] == 'c5_preamble_gzip_stored_polyglot.dcm':
        rs.append('gzip -dc gives %d bytes' % len(gzip.decompress(open(path, 'rb').read())))
    if e['file'] == 'c5_tar_polyglot_raw.dcm':
        rs.append('GNU tar lists %d member(s)' % len(run(['tar', '-tf', path]).splitlines()))
    return rs


def verify_control(e, tmp):
    """A control must not show any made-up identity; DICOM controls must be readable."""
    path = os.path.join(CORPUS, e['file'])
    data = open(path, 'rb').read()
    for needle in (NAME, 'Madeup', 'MADEUP', DOB, MRN, '4711913', SDATE):
        if needle.encode() in data:
            return False
    if e['kind'] == 'dicom':
        ds = pydicom.dcmread(path, force=True)
        for el in ds.iterall():
            if el.tag.is_private or (el.VR == 'PN' and str(el.value or '').strip('^ ') not in ('', 'ANONYMOUS')):
                return False
            if el.VR in ('DA', 'DT', 'TM') and el.value:
                return False
            if el.VR == 'UI' and el.tag not in (0x00080016, 0x00081150, 0x00041510, 0x00041512) and \
                    not str(el.value).startswith('2.25.'):
                return False
    return True


# ---------------------------------------------------------------- class 10
C10 = '10-adversary-round-15'


def ct8(label, extra, pixels, rows=1):
    """A de-identified 8-bit image whose pixel bytes are `pixels` (one row of them)."""
    return ct(label, [E(0x00280010, 'US', rows), E(0x00280011, 'US', len(pixels) // rows),
                      E(0x00280100, 'US', 8), E(0x00280101, 'US', 8), E(0x00280102, 'US', 7),
                      E(0x7FE00010, 'OB', pixels)] + list(extra))


def class10():
    """What an adversary's round 15 let through: a name in small letters (or one word of it),
    an address on a street type the gate did not list, an ID with thousands' commas, and a
    patient's record as the bytes of 8-bit pixels, a waveform and a LUT."""
    lower = 'zelda quellmark'
    for label, tag, vr, value in [
            ('comments_lower', 0x00204000, 'LT', lower),
            ('comments_reversed', 0x00204000, 'LT', 'quellmark zelda'),
            ('comments_mixed', 0x00204000, 'LT', 'Zelda quellmark'),
            ('comments_comma', 0x00204000, 'LT', 'Quellmark, zelda'),
            ('comments_caps_lower', 0x00204000, 'LT', 'QUELLMARK zelda'),
            ('comments_sentence', 0x00204000, 'LT', 'ct of zelda quellmark b 1971'),
            ('comments_title', 0x00204000, 'LT', 'mrs quellmark, follow up'),
            ('series_lower', 0x0008103E, 'LO', lower),
            ('contact_display_name', 0x0074100C, 'LO', lower),
            ('comments_address_row', 0x00204000, 'LT', '12 Larchwood Row, Fakeham'),
            ('comments_address_parade', 0x00204000, 'LT', 'seen at 3 Nowhere Parade'),
            ('comments_id_thousands', 0x00204000, 'LT', 'ref 4,711,913')]:
        needle = value.split()[-1] if label != 'comments_id_thousands' else '4,711,913'
        add('c10_%s.dcm' % label, C10, '%s (Clean Descriptors) holds %r' % (tag, value), needle,
            part10(ct('c10 ' + label, CLEAN_DESC + [E(tag, vr, value)])))
    add('c10_code_meaning_lower.dcm', C10, 'a local code whose meaning is a name in small letters', 'quellmark',
        part10(ct('c10 code lower', [E(0x00082218, 'SQ', [code('4711913', 'L', lower)])])))
    record = b'Quellmark^Zelda 19710203 4711913'
    add('c10_pixels8_record.dcm', C10, "8-bit pixel data whose bytes are a patient's record", 'Quellmark^Zelda',
        part10(ct8('c10 px8', [], record)))
    add('c10_waveform_record.dcm', C10, "WaveformData whose bytes are a patient's record", 'Quellmark^Zelda',
        part10(ct('c10 wave', [E(0x54000100, 'SQ', [[
            E(0x003A0005, 'US', 1), E(0x003A0010, 'UL', len(record)), E(0x003A001A, 'DS', '500'),
            E(0x54001004, 'US', 8), E(0x54001006, 'CS', 'SB'), E(0x54001010, 'OB', record)]])])))
    add('c10_lut_record.dcm', C10, "a VOI LUT whose data are a patient's record", 'Quellmark^Zelda',
        part10(ct('c10 lut', [E(0x00283010, 'SQ', [[
            E(0x00283002, 'US', [len(record) // 2, 0, 16]), E(0x00283006, 'OW', record)]])])))
    # A VOI LUT of more bits than the image's (the decoder panicked on it, and a batch of files
    # had no verdict), holding a record.
    add('c10_voi_lut_wider_than_pixels.dcm', C10, "a secondary capture's VOI LUT, 16 bits for 8-bit pixels, "
        "whose data are a patient's record", 'brennick^orla',
        part10(ct8('c10 voi', [E(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7'), E(0x00080060, 'CS', 'OT'),
                               E(0x00283010, 'SQ', [[E(0x00283002, 'US', [12, 0, 16]),
                                                     E(0x00283006, 'OW', b'brennick^orla 1971-02-03')]])],
                   bytes(range(64)) * 64, rows=64)))
    # What the same rules must let stay.
    for label, value in [('protocol_lower', 't1_mprage_sag_p2_iso'), ('trufi', 'cine trufi localizer'),
                         ('vendor_lower', 'mdixon quant liver'), ('detector_row', '64 Detector Row'),
                         ('ms', 'ms lesions follow up'), ('mr', 'mr brain routine'),
                         ('list', 'TI 100,200 ms'), ('count', 'Volume 1,234,567 voxels')]:
        add('ctl_c10_%s.dcm' % label, C7, 'SeriesDescription (Clean Descriptors): %s' % value, '',
            part10(ct('ctl c10 ' + label, CLEAN_DESC + [E(0x0008103E, 'LO', value)])))
    add('ctl_c10_pixels8_caret.dcm', C7, '8-bit pixel bytes that spell a caret between words, no record', '',
        part10(ct8('ctl c10 px8', [], b'Head^Neck AXIAL 5MM SLICES 1 2 3 4 5 6')))


# ---------------------------------------------------------------- class 11
C11 = '11-adversary-round-17'


def class11():
    """What an adversary's round 17 let through: a title or an initial in small letters before
    a name, a name joined by a full stop, two names each also a word of a list, and addresses in
    small letters or on more street types."""
    for label, value in [
            ('title_dr_lower', 'dr quellmark reviewed'),
            ('title_ms_lower', 'ms quellmark, follow up'),
            ('initial_lower', 'ct of z quellmark'),
            ('dotted_lower', 'zelda.quellmark'),
            ('listed_names', 'CT head for John Smith'),
            ('listed_names_caps', 'REF JOHN SMITH FOLLOW UP'),
            ('camel_lower', 'zeldaQuellmark'),
            ('for_one', 'CT chest for Quellmark'),
            ('seen_one_lower', 'seen zelda, follow up'),
            ('patient_one_lower', 'patient zelda'),
            ('listed_names_lower', 'ct head for grace baker'),
            ('address_lower_row', 'seen at 12 larchwood row'),
            ('address_way', '12 Larchwood Way, Fakeham'),
            ('address_rise', '9 Larchwood Rise'),
            ('address_walk_lower', '7 larchwood walk')]:
        needle = {'listed_names': 'Smith', 'listed_names_caps': 'SMITH', 'camel_lower': 'Quellmark',
                  'for_one': 'Quellmark', 'seen_one_lower': 'zelda', 'patient_one_lower': 'zelda',
                  'listed_names_lower': 'baker'}.get(label, 'quellmark')
        if label.startswith('address'):
            needle = 'larchwood' if 'larchwood' in value else 'Larchwood'
        add('c11_%s.dcm' % label, C11, 'PatientComments (Clean Descriptors) holds %r' % value, needle,
            part10(ct('c11 ' + label, CLEAN_DESC + [E(0x00204000, 'LT', value)])))
    # What the same rules must let stay.
    for label, value in [('dr_chest', 'dr chest pa'), ('e_coli', 'e coli abscess'),
                         ('eponym_three', 'Wolff Parkinson White'), ('doppler', 'Colour Doppler Flow'),
                         ('one_way', '3 way tap'), ('long_axis', 'Long Axis Cine'),
                         ('cobb', 'Cobb Angle Measurement'), ('fuji', 'Mount Fuji sign'),
                         ('charcot', 'Charcot Marie Tooth'), ('for_osgood', 'assessment for Osgood Schlatter'),
                         ('for_crohns', 'assessment for Crohns')]:
        add('ctl_c11_%s.dcm' % label, C7, 'SeriesDescription (Clean Descriptors): %s' % value, '',
            part10(ct('ctl c11 ' + label, CLEAN_DESC + [E(0x0008103E, 'LO', value)])))


def main():
    t0 = __import__('time').time()
    shutil.rmtree(CORPUS, ignore_errors=True)
    os.makedirs(CORPUS)
    tmp = tempfile.mkdtemp(prefix='advmake')
    try:
        class1()
        class2()
        class3()
        class4()
        class5()
        class6(tmp)
        class8()
        class9()
        class10()
        class11()
        controls(tmp)
        controls8()
        names = [e['file'] for e in ENTRIES]
        assert len(names) == len(set(names)), [n for n in names if names.count(n) > 1]
        for e in ENTRIES:
            with open(os.path.join(CORPUS, e['file']), 'wb') as f:
                f.write(e['data'])
        kept, dropped = [], []
        for e in ENTRIES:
            if e['cls'] in (C7, LAW):
                ok = verify_control(e, tmp)
                (kept if ok else dropped).append(e)
                e['readers'] = ['clean'] if ok else []
                continue
            rs = verify(e, tmp)
            e['readers'] = rs
            (kept if rs else dropped).append(e)
        for e in dropped:
            os.remove(os.path.join(CORPUS, e['file']))
            print('DROPPED (no reader shows identity / bad control): %s' % e['file'], file=sys.stderr)
        with open(MANIFEST, 'w') as m:
            for e in kept:
                m.write(json.dumps({'file': e['file'], 'class': e['cls'], 'description': e['description'],
                                    'identity': e['identity'], 'shown_by': e['readers']}, sort_keys=True) + '\n')
        by = {}
        for e in kept:
            by[e['cls']] = by.get(e['cls'], 0) + 1
        print('wrote %d files (%s), dropped %d, %.1fs' % (len(kept), ', '.join('%s=%d' % kv for kv in sorted(by.items())),
                                                         len(dropped), __import__('time').time() - t0))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""Writes the gate fuzzer's seed inputs into DIR: small DICOM files in every transfer syntax the
gate reads (with and without preamble and meta group), nested sequences, private elements, a
DICOMDIR, burned-in cases, and the archives a study arrives in. Every value is made up.
Usage: seeds.py DIR"""
import gzip, io, os, sys, tarfile, zipfile

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import (ExplicitVRLittleEndian, ImplicitVRLittleEndian, ExplicitVRBigEndian,
                         DeflatedExplicitVRLittleEndian, CTImageStorage, generate_uid)

ROOT = "1.2.826.0.1.3680043.10.999."


def image(name="Madeup^Seedpatient", modality="CT", sop=CTImageStorage, burned=None, n=1):
    ds = Dataset()
    ds.SOPClassUID = sop
    ds.SOPInstanceUID = ROOT + str(n)
    ds.StudyInstanceUID = ROOT + "100"
    ds.Modality = modality
    ds.PatientName = name
    ds.PatientID = "MADEUP%d" % n
    ds.PatientBirthDate = "19700101"
    ds.AccessionNumber = "A%d" % n
    ds.ReferringPhysicianName = "Doctor^Madeup"
    ds.ImageType = ["ORIGINAL", "PRIMARY"]
    if burned:
        ds.BurnedInAnnotation = burned
    ref = Dataset()
    ref.ReferencedSOPInstanceUID = ROOT + "7"
    ref.PerformingPhysicianName = "Nurse^Madeup"
    inner = Dataset()
    inner.PatientName = "Inner^Madeup"
    ref.ReferencedStudySequence = Sequence([inner])
    ds.ReferencedImageSequence = Sequence([ref])
    block = ds.private_block(0x0009, "MADEUP PRIVATE", create=True)
    block.add_new(0x01, "PN", "Private^Madeup")
    block.add_new(0x02, "LO", "made-up private text")
    ds.Rows, ds.Columns, ds.BitsAllocated, ds.BitsStored, ds.HighBit = 4, 4, 8, 8, 7
    ds.SamplesPerPixel, ds.PixelRepresentation = 1, 0
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.PixelData = bytes(range(16))
    ds.add_new(0xFFFA_FFFA, "OB", b"\0\1")  # after the pixel data: trailing padding
    ds.add_new(0x7FE1_0010, "LO", "MADEUP AFTER")
    ds.add_new(0x7FE1_1001, "PN", "After^Pixels")
    return ds


def clean(ds):
    for kw in ("PatientName", "PatientID", "PatientBirthDate", "AccessionNumber", "ReferringPhysicianName"):
        setattr(ds, kw, "")
    del ds.ReferencedImageSequence
    for tag in [t for t in ds.keys() if t.group % 2]:
        del ds[tag]
    return ds


def part10(ds, ts, preamble=True):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ts
    ds.file_meta = meta
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True, implicit_vr=ts == ImplicitVRLittleEndian,
               little_endian=ts != ExplicitVRBigEndian)
    b = out.getvalue()
    return b if preamble else b[128:]


def raw(ds, implicit, little):
    out = io.BytesIO()
    ds.file_meta = FileMetaDataset()
    ds.save_as(out, implicit_vr=implicit, little_endian=little)
    return out.getvalue()


def dicomdir():
    ds = Dataset()
    ds.FileSetID = "MADEUP"
    patient = Dataset()
    patient.DirectoryRecordType = "PATIENT"
    patient.PatientName = "Dir^Madeup"
    patient.PatientID = "MADEUPDIR"
    study = Dataset()
    study.DirectoryRecordType = "STUDY"
    study.StudyDate = "20200101"
    ds.DirectoryRecordSequence = Sequence([patient, study])
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.1.3.10"
    meta.MediaStorageSOPInstanceUID = ROOT + "200"
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def zip_of(members):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(name, data)
    return out.getvalue()


def tar_of(members):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as t:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return out.getvalue()


def seeds():
    yield "explicit-le.dcm", part10(image(), ExplicitVRLittleEndian)
    yield "implicit-le.dcm", part10(image(n=2), ImplicitVRLittleEndian)
    yield "explicit-be.dcm", part10(image(n=3), ExplicitVRBigEndian)
    yield "deflated.dcm", part10(image(n=4), DeflatedExplicitVRLittleEndian)
    yield "no-preamble.dcm", part10(image(n=5), ExplicitVRLittleEndian, preamble=False)
    yield "raw-implicit-le", raw(image(n=6), True, True)
    yield "raw-explicit-le", raw(image(n=7), False, True)
    yield "raw-explicit-be", raw(image(n=8), False, False)
    yield "clean.dcm", part10(clean(image(n=9)), ExplicitVRLittleEndian)
    yield "us-burned-unstated.dcm", part10(clean(image(modality="US", sop="1.2.840.10008.5.1.4.1.1.6.1", n=10)), ExplicitVRLittleEndian)
    yield "burned-yes.dcm", part10(clean(image(burned="YES", n=11)), ExplicitVRLittleEndian)
    yield "DICOMDIR", dicomdir()
    dirty = part10(image(n=12), ExplicitVRLittleEndian)
    yield "study.zip", zip_of([("study/notes.txt", b"made-up note"), ("study/ct.dcm", dirty)])
    yield "study.tar", tar_of([("s/ct.dcm", dirty)])
    yield "study.tar.gz", gzip.compress(tar_of([("s/ct.dcm", dirty)]))
    yield "nested.zip", zip_of([("inner.tar.gz", gzip.compress(tar_of([("ct.dcm", dirty)])))])
    yield "notes.txt", b"made-up teaching note\n"
    yield "truncated.dcm", dirty[: len(dirty) // 2]


os.makedirs(sys.argv[1], exist_ok=True)
for name, data in seeds():
    with open(os.path.join(sys.argv[1], name), "wb") as f:
        f.write(data)

#!/usr/bin/env python3
"""Expected gate verdicts, derived independently of vault: pydicom parses, this applies the
default policy (vault's src/gate/policy.rs, in words: identifying patient attributes, patient
ID, accession number, any person name, burned-in pixel data). One JSON line per file:
{"path": ..., "verdict": "accept" | "refuse"}. Usage: expected_verdicts.py PATH..."""
import gzip, io, json, os, struct, sys, tarfile, warnings, zipfile

import pydicom
from pydicom.errors import InvalidDicomError

IDENTIFYING = {
    "PatientName", "PatientBirthDate", "PatientBirthTime", "PatientBirthName", "PatientAddress",
    "PatientTelephoneNumbers", "PatientTelecomInformation", "OtherPatientIDs", "OtherPatientIDsSequence",
    "OtherPatientNames", "PatientMotherBirthName", "MilitaryRank", "BranchOfService", "IssuerOfPatientID",
    "MedicalRecordLocator", "CountryOfResidence", "RegionOfResidence", "ResponsiblePerson",
    "PatientInsurancePlanCodeSequence", "Occupation", "PatientReligiousPreference",
}
DUMMIES = {"ANONYMOUS", "ANONYMIZED", "ANONYMISED", "REMOVED"}
BURNED_SOP = {
    "1.2.840.10008.5.1.4.1.1.6.1", "1.2.840.10008.5.1.4.1.1.6", "1.2.840.10008.5.1.4.1.1.3.1",
    "1.2.840.10008.5.1.4.1.1.3", "1.2.840.10008.5.1.4.1.1.20", "1.2.840.10008.5.1.4.1.1.7",
    "1.2.840.10008.5.1.4.1.1.7.1", "1.2.840.10008.5.1.4.1.1.7.2", "1.2.840.10008.5.1.4.1.1.7.3",
    "1.2.840.10008.5.1.4.1.1.7.4",
}
FIRST_GROUPS = {0x0002, 0x0004, 0x0008, 0x0010, 0x0018, 0x0020, 0x0028}


def looks_like_dicom(b):
    if len(b) >= 132 and b[128:132] == b"DICM" or b[:4] == b"DICM":
        return True
    if len(b) < 8:
        return False
    le, be = struct.unpack("<H", b[:2])[0], struct.unpack(">H", b[:2])[0]
    vr_ok = b[4:6].isalpha() and b[4:6].isupper()
    if le in FIRST_GROUPS and (vr_ok or struct.unpack("<I", b[4:8])[0] <= len(b) or b[4:8] == b"\xff" * 4):
        return True
    return be in FIRST_GROUPS and vr_ok


def blank(value):
    text = str(value).strip("^\\= \t\r\n\0")
    return text == "" or text.upper() in DUMMIES


def refused(ds):
    for elem in ds.iterall():
        kw, vr = elem.keyword, elem.VR
        if vr == "SQ":
            if kw in IDENTIFYING and len(elem.value) > 0:
                return True
            continue
        if elem.tag == 0x7FE00010 or elem.value is None or blank(elem.value):
            continue
        if kw in IDENTIFYING or kw in ("PatientID", "AccessionNumber") or vr == "PN":
            return True
    if "PixelData" in ds:
        burned = str(ds.get("BurnedInAnnotation", "")).strip().upper()
        if burned == "YES":
            return True
        if burned != "NO":
            sop = str(ds.get("SOPClassUID", "")).strip("\0 ")
            image_type = "\\".join(ds.get("ImageType", [])) if "ImageType" in ds else ""
            if str(ds.get("Modality", "")).strip() in ("US", "NM") or sop in BURNED_SOP or "SCREEN SAVE" in image_type.upper():
                return True
    return False


def members(b):
    """The members of an archive (gzip, zip, tar), or None when b is not one."""
    if b[:2] == b"\x1f\x8b":
        return [gzip.decompress(b)]
    if b[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        with zipfile.ZipFile(io.BytesIO(b)) as z:
            return [z.read(i) for i in z.infolist() if not i.is_dir()]
    if len(b) >= 262 and b[257:262] == b"ustar":
        with tarfile.open(fileobj=io.BytesIO(b)) as t:
            return [t.extractfile(m).read() for m in t.getmembers() if m.isfile()]
    return None


def verdict_bytes(b):
    try:
        inner = members(b)
    except Exception:
        return "refuse"
    if inner is not None:
        return "refuse" if any(verdict_bytes(m) == "refuse" for m in inner) else "accept"
    if not looks_like_dicom(b):
        return "accept"
    try:
        with warnings.catch_warnings():
            # A truncated or malformed file is unreadable, not an empty data set.
            warnings.simplefilter("error")
            ds = pydicom.dcmread(io.BytesIO(b), force=True)
            for _ in ds.iterall():  # read every element now: a parse error means unreadable
                pass
            return "refuse" if refused(ds) else "accept"
    except Exception:
        return "refuse"


def verdict(path):
    with open(path, "rb") as f:
        return verdict_bytes(f.read())


def files(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, _, names in os.walk(p):
                for n in names:
                    yield os.path.join(root, n)
        else:
            yield p


for path in sorted(files(sys.argv[1:])):
    print(json.dumps({"path": path, "verdict": verdict(path)}))

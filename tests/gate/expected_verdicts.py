#!/usr/bin/env python3
"""Expected gate verdicts under the default policy, derived independently of vault: pydicom
parses, this applies the law as README states it, from the Annex E table itself.

The law, as this script reads it: a DICOM data set conforms when, at every depth, every
attribute the table removes (X), empties (Z) or replaces by a dummy (D) holds no value or a
dummy, and every UID it replaces (U) is a `2.25.` UID; a person name, free text (LT, ST, UT) or
a description (a LO/SH/UC/CS whose keyword says Description, Comment, Label, Text, Title,
Reason, History, Diagnosis, Note, Remark) the table does not name holds none either; neither
do the patient module's attributes the table does not name (species, breed, orientation and
a few others aside), private elements, attributes the dictionary does not know, trailing
padding, or the meta group's AE titles, addresses and private information. The default policy
allows four options when a file declares them (CID 7050 codes in its
DeidentificationMethodCodeSequence): Retain Longitudinal Temporal Information with Modified
Dates (dates and times may stay), Patient Characteristics, Device Identity, and Clean
Descriptors (descriptions and free text may stay). Images that say they have burned-in data
(BurnedInAnnotation YES) are refused; what the pixels show is vault's OCR's to judge (this
reading has none, so vault may refuse more: burned-in-text, burned-in-unread). Containers (gzip,
zip, tar) are opened. What pydicom cannot read is expected accepted (vault, stricter, refuses it
as unreadable). One JSON line per file: {"path", "verdict", "why"}.
Usage: expected_verdicts.py TABLE PATH..."""
import gzip, io, json, os, sys, tarfile, warnings, zipfile

import pydicom
from pydicom.datadict import dictionary_VR, keyword_for_tag

warnings.simplefilter("ignore")

DUMMIES = {"", "ANONYMOUS", "ANONYMIZED", "ANONYMISED", "REMOVED", "CLEANED", "19000101", "000000",
           "19000101000000", "000Y", "0"}
BURNED_SOP = {
    "1.2.840.10008.5.1.4.1.1.6.1", "1.2.840.10008.5.1.4.1.1.6", "1.2.840.10008.5.1.4.1.1.3.1",
    "1.2.840.10008.5.1.4.1.1.3", "1.2.840.10008.5.1.4.1.1.20", "1.2.840.10008.5.1.4.1.1.7",
    "1.2.840.10008.5.1.4.1.1.7.1", "1.2.840.10008.5.1.4.1.1.7.2", "1.2.840.10008.5.1.4.1.1.7.3",
    "1.2.840.10008.5.1.4.1.1.7.4",
}
CHARACTERISTICS = {"PatientAge", "PatientSex", "PatientSize", "PatientWeight", "EthnicGroup", "SmokingStatus",
                   "PregnancyStatus", "PatientSexNeutered", "PatientBodyMassIndex", "MeasuredAPDimension",
                   "MeasuredLateralDimension", "PatientState", "Allergies", "MedicalAlerts", "SpecialNeeds"}
DEVICE = {"DeviceSerialNumber", "StationName", "DeviceUID", "DeviceID", "DeviceDescription", "DetectorID",
          "PlateID", "CassetteID", "GantryID", "GeneratorID", "ManufacturerDeviceIdentifier", "PerformedStationName",
          "ScheduledStationName", "SourceSerialNumber", "DeviceLabel"}
DESCRIPTORS = {"StudyDescription", "SeriesDescription", "ProtocolName", "ImageComments", "StudyComments",
               "AcquisitionComments", "PerformedProcedureStepDescription", "RequestedProcedureDescription",
               "ScheduledProcedureStepDescription", "AdmittingDiagnosesDescription", "DerivationDescription",
               "ContrastBolusAgent", "BodyPartExamined", "AdditionalPatientHistory", "UnformattedTextValue",
               "AcquisitionDeviceProcessingDescription"}
PATIENT_KEPT = {"TypeOfPatientID", "SubjectRelativePositionInImage", "PatientAlternativeCalendar",
                "QualityControlSubject", "QualityControlSubjectTypeCodeSequence", "PatientSpeciesDescription",
                "PatientSpeciesCodeSequence", "PatientBreedDescription", "PatientBreedCodeSequence",
                "AnatomicalOrientationType", "ExaminedBodyThickness"}
WORDS = ("Description", "Comment", "Label", "Text", "Title", "Reason", "History", "Diagnos", "Note", "Remark")
META_GONE = {0x00020016, 0x00020017, 0x00020018, 0x00020026, 0x00020027, 0x00020028, 0x00020100, 0x00020102}
ALLOWED = {"113107", "113108", "113109", "113105"}


def load(path):
    actions = {}
    for line in open(path):
        if line.startswith("#"):
            continue
        tag, vr, action, keyword = line.rstrip("\n").split("\t")
        if len(tag) == 11:
            actions[int(tag[1:5] + tag[6:10], 16)] = (vr, action)
    return actions


TABLE = load(sys.argv[1])


def blank(value, vr):
    if value is None:
        return True
    if isinstance(value, (bytes, bytearray)):
        return all(b == 0 for b in value) or value.strip(b" \0") in (b"", b"0")
    if isinstance(value, (int, float)):
        return value == 0
    parts = value if isinstance(value, (list, pydicom.multival.MultiValue)) else [value]
    return all(str(p).strip("^= \t\0").upper() in DUMMIES for p in parts)


def replaced(value):
    parts = value if isinstance(value, (list, pydicom.multival.MultiValue)) else [value]
    for p in parts:
        p = str(p or "").strip("\0 ")
        if p and not (p.startswith("2.25.") and p[5:].isdigit()):
            return False
    return True


def problem(elem, options):
    """Why this element does not conform, or None."""
    tag, kw, vr = int(elem.tag), elem.keyword, elem.VR
    if elem.tag.is_private:
        return None if elem.tag.element == 0 else "private"
    if elem.tag.element == 0 or tag in (0x7FE00010, 0x7FE00008, 0x7FE00009):
        return None
    try:
        dvr = dictionary_VR(elem.tag)
    except KeyError:
        dvr = None
    dvr = vr if dvr is None or " or " in dvr else dvr
    value = None if vr == "SQ" else elem.value
    if tag == 0xFFFCFFFC or dvr is None and keyword_for_tag(elem.tag) == "":
        return None if blank(value, vr) else "unknown or padding"
    group = elem.tag.group
    in_table = tag in TABLE or (group & 0xFF00 in (0x5000, 0x6000))
    if group & 0xFF00 in (0x5000, 0x6000):
        return None if vr == "SQ" or blank(value, vr) else "curve or overlay"
    if tag in TABLE:
        action = TABLE[tag][1]
        if kw in CHARACTERISTICS and "113108" in options or kw in DEVICE and "113109" in options:
            return None
        if kw in DESCRIPTORS and "113105" in options:
            return None
        if "113107" in options and dvr in ("DA", "DT", "TM") and kw not in ("PatientBirthDate", "PatientBirthTime"):
            return None
        if vr == "SQ":
            return "sequence" if action in ("X", "Z") and len(elem.value) else None
        if action == "U":
            return None if replaced(value) else "uid"
        if action.startswith("X/Z/U"):
            return None if replaced(value) or blank(value, vr) else "uid"
        return None if blank(value, vr) else f"table {action}"
    if group == 0x0010 and kw not in PATIENT_KEPT:
        if kw in CHARACTERISTICS and "113108" in options:
            return None
        return None if vr == "SQ" and not len(elem.value) or vr != "SQ" and blank(value, vr) else "patient module"
    if dvr == "PN":
        return None if blank(value, vr) else "person name"
    free = dvr in ("LT", "ST", "UT") or dvr in ("LO", "SH", "UC", "CS") and any(w in kw for w in WORDS)
    if free:
        return None if "113105" in options or blank(value, vr) else "free text"
    return None


def burned_in(ds):
    return "PixelData" in ds and str(ds.get("BurnedInAnnotation", "")).strip().upper() == "YES"


def why_refused(ds):
    codes = set()
    for item in ds.get("DeidentificationMethodCodeSequence", []):
        codes.add(str(item.get("CodeValue", "")).strip())
    options = codes & ALLOWED
    meta = getattr(ds, "file_meta", None)
    if meta is not None:
        for elem in meta:
            if int(elem.tag) in META_GONE and not blank(elem.value, elem.VR):
                return f"{elem.keyword} in the meta group"
            if int(elem.tag) == 0x00020003 and not replaced(elem.value):
                return "MediaStorageSOPInstanceUID"
    stack = [(ds, False)]
    while stack:
        d, _ = stack.pop()
        for elem in d:
            p = problem(elem, options)
            if p:
                return f"{elem.keyword or elem.tag}: {p}"
            if elem.VR == "SQ":
                stack.extend((i, True) for i in elem.value)
    if burned_in(ds):
        return "burned-in"
    return None


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
        inner = None
    if inner is not None:
        for m in inner:
            v, why = verdict_bytes(m)
            if v == "refuse":
                return v, why
        return "accept", ""
    if b.lstrip()[:1] in (b"{", b"["):
        try:
            doc = json.loads(b)
            ds = pydicom.Dataset.from_json(doc[0] if isinstance(doc, list) else doc)
            why = why_refused(ds)
            return ("refuse", why) if why else ("accept", "")
        except Exception:
            return "accept", "not DICOM JSON"
    try:
        ds = pydicom.dcmread(io.BytesIO(b), force=True)
        for _ in ds.iterall():  # every element read now: an error means pydicom cannot read it
            pass
    except Exception:
        return "accept", "pydicom cannot read it"
    if len(ds) == 0:
        return "accept", "not DICOM"
    # Without DICM, pydicom (forced) reads any bytes as elements: a data set starts with a
    # known attribute.
    if b[128:132] != b"DICM" and b[:4] != b"DICM" and keyword_for_tag(next(iter(ds)).tag) == "":
        return "accept", "not DICOM"
    why = why_refused(ds)
    return ("refuse", why) if why else ("accept", "")


def files(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, _, names in os.walk(p):
                for n in names:
                    yield os.path.join(root, n)
        else:
            yield p


for path in sorted(files(sys.argv[2:])):
    with open(path, "rb") as f:
        v, why = verdict_bytes(f.read())
    print(json.dumps({"path": path, "verdict": v, "why": why}))

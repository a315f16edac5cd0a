#!/usr/bin/env python3
"""An independent application of the Annex E basic profile with pydicom, compared element for
element with vault's output. It reads the table itself and resolves the compound actions as
vault documents (vault-scrub(1)): X/Z, X/D, Z/D, X/Z/D keep an attribute present (a dummy, or
empty for X/Z); a sequence the table lets stay keeps its items, each scrubbed; private elements,
curves and whole overlay groups go; a person name the table does not name is emptied; in a
DICOMDIR's directory records an emptied attribute gets a dummy and a removed one is emptied
(they are type 1 and 2 there); ReferencedFileID components that hold a value of the patient's
become CLEANED; a redacted image says BurnedInAnnotation NO (not compared), and one that was
decoded to be redacted describes its new pixels (PhotometricInterpretation, PlanarConfiguration:
not compared). UIDs are
checked for being replaced (and consistently, within the file), not for their new values.
Prints one JSON line per pair: {"input", "output", "compared", "differences": [...]}.
Usage: annex_e.py TABLE INPUT OUTPUT [INPUT OUTPUT ...]"""
import json, sys, warnings

import pydicom

warnings.simplefilter("ignore")
DUMMY = {"PN": "ANONYMOUS", "DA": "19000101", "TM": "000000", "DT": "19000101000000", "AS": "000Y",
         "IS": "0", "DS": "0", "US": 0, "SS": 0, "UL": 0, "SL": 0, "FL": 0.0, "FD": 0.0}
METHOD = {"PatientIdentityRemoved", "DeidentificationMethod", "DeidentificationMethodCodeSequence",
          "LongitudinalTemporalInformationModified", "BurnedInAnnotation"}
IDENTIFYING = {"PatientName", "PatientID", "OtherPatientIDs", "OtherPatientNames", "PatientBirthDate",
               "AccessionNumber", "PatientBirthName", "PatientMotherBirthName"}


def identity(ds):
    values = set()
    for elem in ds.iterall():
        if elem.keyword in IDENTIFYING and elem.VR != "SQ" and elem.value:
            for part in str(elem.value).replace("^", " ").replace("\\", " ").replace("=", " ").split():
                if len(part) >= 2:
                    values.add(part.upper())
    return values


def load(path):
    actions = {}
    for line in open(path):
        if line.startswith("#"):
            continue
        tag, vr, action, keyword = line.rstrip("\n").split("\t")
        if "," in tag and len(tag) == 11:
            t = int(tag[1:5] + tag[6:10], 16)
            if vr == "SQ" and "/" in action:
                action = "D"  # a sequence that may stay, stays (items scrubbed)
            actions[t] = {"X/Z": "Z", "X/D": "D", "Z/D": "D", "X/Z/D": "D", "X/Z/U*": "U"}.get(action, action)
    return actions


PATIENT_KEPT = {"TypeOfPatientID", "SubjectRelativePositionInImage", "PatientAlternativeCalendar",
                "QualityControlSubject", "QualityControlSubjectTypeCodeSequence", "PatientSpeciesDescription",
                "PatientSpeciesCodeSequence", "PatientBreedDescription", "PatientBreedCodeSequence",
                "AnatomicalOrientationType", "ExaminedBodyThickness"}
WORDS = ("Description", "Comment", "Label", "Text", "Title", "Reason", "History", "Diagnos", "Note", "Remark")


def action(actions, elem):
    """The basic profile's action, and vault's documented additions to it: person names, free
    text (LT, ST, UT) and descriptions (by their keyword's words) the table does not name get a
    dummy (emptied, for names); the patient module's other attributes, attributes the dictionary
    does not know, and trailing padding are removed."""
    tag = elem.tag
    if tag.group & 0xFF00 == 0x5000 or tag.group & 0xFF00 == 0x6000:
        return "X"
    if tag in actions:
        return actions[tag]
    if tag.element == 0:
        return "K"
    kw = elem.keyword
    if int(tag) == 0xFFFCFFFC or not kw:
        return "X"
    if tag.group == 0x0010:
        return "K" if kw in PATIENT_KEPT else "X"
    try:
        vr = pydicom.datadict.dictionary_VR(tag)
    except KeyError:
        vr = elem.VR
    if vr == "PN":
        return "Z"
    if vr in ("LT", "ST", "UT") or vr in ("LO", "SH", "UC", "CS") and any(w in kw for w in WORDS):
        return "D"
    return "K"


class Uid:
    """A UID the profile replaces: its original value."""
    def __init__(self, old):
        self.old = str(old or "")


def expected(actions, ds, values, record=False):
    """The scrubbed data set as this script reads the profile: {tag: (keyword, VR, value)}, a
    sequence's value a list of such dicts, a replaced UID a Uid."""
    out = {}
    for elem in ds:
        if elem.tag.is_private or elem.keyword in METHOD:
            continue
        a = action(actions, elem)
        if record and elem.VR != "PN":
            a = {"Z": "D", "X": "Z"}.get(a, a)
        elif record and a == "X":
            a = "Z"
        if elem.keyword == "ReferencedFileID":
            parts = [str(p) for p in (elem.value if isinstance(elem.value, pydicom.multival.MultiValue) else [elem.value])]
            cleaned = ["CLEANED" if any(v in p.upper() for v in values) else p for p in parts]
            out[int(elem.tag)] = (elem.keyword, elem.VR, "\\".join(cleaned))
            continue
        if a == "X":
            continue
        if elem.VR == "SQ":
            inner = elem.keyword == "DirectoryRecordSequence"
            value = [] if a == "Z" else [expected(actions, i, values, inner) for i in elem.value]
        elif a == "Z":
            value = None
        elif elem.VR == "UI" and a in ("D", "U"):
            value = Uid(elem.value)
        elif a in ("D", "U"):
            value = elem.value if empty(elem.value) else DUMMY.get(elem.VR, "ANONYMIZED")
        else:
            value = elem.value
        out[int(elem.tag)] = (elem.keyword, elem.VR, value)
    return out


def empty(v):
    return v is None or v == "" or v == b"" or (isinstance(v, (list, pydicom.multival.MultiValue)) and len(v) == 0)


def text(v):
    return "\\".join(str(x) for x in v) if isinstance(v, (list, pydicom.multival.MultiValue)) else str(v)


def compare(want, got, where, diffs, uids):
    got_tags = {int(e.tag) for e in got if e.keyword not in METHOD}
    for t in sorted(set(want) ^ got_tags):
        diffs.append(f"{where}{pydicom.tag.Tag(t)}: {'missing' if t in want else 'unexpected'}")
    for t, (keyword, vr, value) in want.items():
        if t not in got_tags or t == 0x7FE00010:
            continue
        g = got[t]
        name = f"{where}{keyword or pydicom.tag.Tag(t)}"
        if vr == "SQ":
            if len(value) != len(g.value):
                diffs.append(f"{name}: {len(g.value)} items, not {len(value)}")
            for i, (a, b) in enumerate(zip(value, g.value)):
                compare(a, b, f"{name}[{i}]/", diffs, uids)
        elif isinstance(value, Uid):
            parts_old = [p for p in value.old.split("\\")]
            new = str(g.value or "") if not isinstance(g.value, pydicom.multival.MultiValue) else "\\".join(g.value)
            for old, n in zip(parts_old, new.split("\\")):
                if old and n == old and not old.startswith("2.25."):
                    diffs.append(f"{name}: UID not replaced")
                if uids.setdefault(old, n) != n:
                    diffs.append(f"{name}: UID replaced inconsistently")
        elif empty(value) != empty(g.value) or (not empty(value) and text(value) != text(g.value)):
            diffs.append(f"{name}: value differs")


table = sys.argv[1]
actions = load(table)
args = sys.argv[2:]
for src, out in zip(args[0::2], args[1::2]):
    source = pydicom.dcmread(src, force=True)
    if len(source) == 0:
        # pydicom reads nothing of it (a sample file it cannot parse): nothing to compare with.
        print(json.dumps({"input": src, "output": out, "compared": False, "differences": []}))
        continue
    want = expected(actions, source, identity(source))
    got = pydicom.dcmread(out)
    if got.get("BurnedInAnnotation") == "NO" and source.get("BurnedInAnnotation") != "NO":
        for t in (0x00280004, 0x00280006):
            want.pop(t, None)
            if t in got:
                del got[t]
    diffs = []
    compare(want, got, "", diffs, {})
    print(json.dumps({"input": src, "output": out, "compared": True, "differences": diffs}))

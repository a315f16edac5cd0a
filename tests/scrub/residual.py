#!/usr/bin/env python3
"""Residual check, independent of vault: for each (input, output) pair, pydicom reads the input,
collects its identifying values (each name component, birth date, address, telephone numbers,
patient and other IDs, accession number; at every depth) and looks for each in the output's
bytes, case-insensitively. Also reads every output with pydicom (dcmread and every element).
Prints one JSON line per pair: {"input", "output", "found": [keywords], "readable": bool}.
A value counts when it stands in the output as a whole word (letters and digits between other
characters), so that "428" inside a UID or "DER" inside DERIVED is not a finding; values shorter
than MIN characters are skipped (initials), and so are words the input itself uses as DICOM
vocabulary (coded strings and code sequences: the sample file whose "patient" is named
Perfusion^Stroke has PERFUSION in its ImageType too). ReferencedFileID is not vocabulary: a
DICOMDIR's paths often name patients. The scrub's record of itself (DeidentificationMethod and
its code sequence) is not searched.
Usage: residual.py MIN INPUT OUTPUT [INPUT OUTPUT ...]"""
import io, json, re, sys, warnings

import pydicom

warnings.simplefilter("ignore")
KEYWORDS = {
    "PatientName", "PatientBirthDate", "PatientAddress", "PatientTelephoneNumbers", "OtherPatientIDs",
    "OtherPatientNames", "PatientID", "AccessionNumber", "PatientMotherBirthName", "PatientBirthName",
    "OtherPatientIDsSequence", "MilitaryRank", "MedicalRecordLocator", "ReferringPhysicianName",
}
minimum = int(sys.argv[1])
args = sys.argv[2:]
for src, out in zip(args[0::2], args[1::2]):
    ds = pydicom.dcmread(src, force=True)
    vocabulary = set()
    for elem in ds.iterall():
        if (elem.VR == "CS" and elem.keyword != "ReferencedFileID") or elem.keyword in (
                "CodeMeaning", "CodeValue", "CodingSchemeDesignator"):
            vocabulary.update(w.encode() for w in re.findall(r"[A-Z0-9]+", str(elem.value).upper()))
    values = set()
    for elem in ds.iterall():
        if elem.keyword in KEYWORDS and elem.VR != "SQ" and elem.value not in (None, ""):
            for part in re.split(r"[\^\\= ,]+", str(elem.value)):
                part = part.strip().upper()
                if len(part) >= minimum and part not in ("ANONYMOUS", "ANONYMIZED", "REMOVED"):
                    values.add((elem.keyword, part))
    # Every byte of the output but the pixel data (compressed pixels hold any word by chance;
    # text burned into pixels is the redaction's business, not a byte search's).
    # Nor what the scrub writes of itself (the method and its codes' meanings: a sample
    # "patient" named NAME^PATIENT^NAME is not found in "Retain Patient Characteristics").
    stripped = pydicom.dcmread(out, force=True)
    for keyword in ("PixelData", "FloatPixelData", "DoubleFloatPixelData", "DeidentificationMethod",
                    "DeidentificationMethodCodeSequence"):
        if keyword in stripped:
            delattr(stripped, keyword)
    buffer = io.BytesIO()
    stripped.save_as(buffer)
    words = set(re.findall(rb"[A-Z0-9]+", buffer.getvalue().upper()))
    found = sorted({
        k for k, v in values
        if all(w in words and w not in vocabulary for w in re.findall(rb"[A-Z0-9]+", v.encode("latin-1", "replace")))
    })
    try:
        for _ in pydicom.dcmread(out).iterall():
            pass
        readable = True
    except Exception:
        readable = False
    print(json.dumps({"input": src, "output": out, "found": found, "readable": readable}))

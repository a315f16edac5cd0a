#!/usr/bin/env python3
"""dciodvfy (Debian dicom3tools) on each (input, output) pair: the errors the output has that its
input did not. Messages are compared without their values (anything in brackets or quotes that
names a value, and UIDs, which the scrub replaces). One JSON line per pair: {"input", "output",
"iod": bool, "new_errors": [...]}; "iod" is false when dciodvfy finds no information object
definition for the input (sample files that are no instance of any IOD: nothing to compare).
Usage: dciodvfy_compare.py INPUT OUTPUT [INPUT OUTPUT ...]"""
import json, re, subprocess, sys


def errors(path):
    out = subprocess.run(["dciodvfy", path], capture_output=True, text=True, errors="replace")
    found = set()
    if "Information Object Not found" in out.stdout + out.stderr:
        found.add("no IOD")
    for line in (out.stdout + out.stderr).splitlines():
        if line.startswith("Error"):
            # Values differ between input and output by design: compare the rule, not the value.
            line = re.sub(r"(?i)(value|string|uid)\s*=\s*<[^>]*>", r"\1=<>", line)
            found.add(re.sub(r"\b\d+(\.\d+)*\b", "<n>", line).strip())
    return found


args = sys.argv[1:]
for src, out in zip(args[0::2], args[1::2]):
    before = errors(src)
    new = sorted(errors(out) - before)
    print(json.dumps({"input": src, "output": out, "iod": "no IOD" not in before, "new_errors": new}))

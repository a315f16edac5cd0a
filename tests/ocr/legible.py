#!/usr/bin/env python3
"""An independent reading of redacted images: is any of the patient's values still legible?

usage: legible.py LABELS.jsonl DIR

For every file in DIR named in LABELS (whose `header` holds the made-up patient's name, birth
date and ID, and whose `items` hold the identifying text drawn into it), decodes the pixels with
pydicom or Pillow (not vault's decoders) and reads them with Tesseract in ways vault does not:
page segmentation 3 and 6 as well as 11, each on the image, its negative and the image enlarged
twice. A value is legible when a token of it (a name part of three letters or more, the ID, the
birth date in any of its renderings, any drawn item's word of four characters or more) appears
among the tokens read. Prints one JSON object: files read, and for each file where something is
legible, which kinds of value (never the values).
"""
import io
import json
import multiprocessing
import os
import re
import subprocess
import sys

import numpy as np
import pydicom
from PIL import Image, ImageOps


def frames(path):
    if path.endswith('.dcm'):
        ds = pydicom.dcmread(path)
        a = ds.pixel_array
        n = int(getattr(ds, 'NumberOfFrames', 1) or 1)
        out = [a[i] for i in range(n)] if n > 1 else [a]
        pi = ds.PhotometricInterpretation
        imgs = []
        for f in out:
            if pi.startswith('YBR') and f.ndim == 3:
                from pydicom.pixels import convert_color_space
                f = convert_color_space(f, pi, 'RGB')
            f = f.astype(np.float64)
            f = (f - f.min()) * 255 / max(f.max() - f.min(), 1)
            if pi == 'MONOCHROME1':
                f = 255 - f
            imgs.append(Image.fromarray(f.astype(np.uint8)).convert('L'))
        return imgs
    return [Image.open(path).convert('L')]


def tokens(img):
    found = set()
    variants = [img, ImageOps.invert(img), img.resize((img.width * 2, img.height * 2), Image.BICUBIC)]
    for v in variants:
        for psm in (3, 6, 11):
            buf = io.BytesIO()
            v.save(buf, 'PNG')
            out = subprocess.run(['tesseract', 'stdin', 'stdout', '--psm', str(psm)], input=buf.getvalue(),
                                 capture_output=True, env=dict(os.environ, OMP_THREAD_LIMIT='1')).stdout
            text = out.decode('utf-8', 'replace').upper()
            found.update(t for t in re.split(r'[^A-Z0-9]+', text) if t)
            found.add(re.sub(r'[^0-9]', '', text))  # every digit read, run together
    return found


def date_forms(da):
    y, m, d = da[:4], da[4:6], da[6:8]
    out = set()
    for mm, dd in ((m, d), (m.lstrip('0'), d.lstrip('0'))):
        for yy in (y, y[2:]):
            out.update({yy + mm + dd, dd + mm + yy, mm + dd + yy})
    return {f for f in out if len(f) >= 6}


def judge(job):
    """The kinds of value legible in one output (empty: none), or None when it is not read."""
    label, out_dir = job
    path = os.path.join(out_dir, label['file'])
    if not os.path.exists(path) or label['clean']:
        return None
    h = label['header']
    seen = set()
    for img in frames(path)[:2]:
        seen |= tokens(img)
    digits = ''.join(t for t in seen if t.isdigit())
    kinds = []
    if any(p in seen for p in re.split(r'[^A-Z]+', h['PatientName'].upper()) if len(p) >= 3):
        kinds.append('name')
    if re.sub(r'[^A-Z0-9]', '', h['PatientID'].upper()) in seen or \
            (h['PatientID'].isdigit() and h['PatientID'] in digits):
        kinds.append('id')
    if any(f in digits for f in date_forms(h['PatientBirthDate'])):
        kinds.append('birth date')
    for item in label['items']:
        words = [w for w in re.split(r'[^A-Z0-9]+', item['text'].upper()) if len(w) >= 4]
        if any(w in seen for w in words):
            kinds.append('drawn ' + item['kind'])
    return sorted(set(kinds))


def main():
    labels = [json.loads(l) for l in open(sys.argv[1])]
    jobs = [(label, sys.argv[2]) for label in labels]
    # One Tesseract per core (each limited to one thread).
    with multiprocessing.Pool(os.cpu_count()) as pool:
        results = pool.map(judge, jobs, chunksize=1)
    read = sum(r is not None for r in results)
    legible = {label['file']: r for label, r in zip(labels, results) if r}
    print(json.dumps(dict(read=read, legible=legible)))


if __name__ == '__main__':
    main()

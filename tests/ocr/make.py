#!/usr/bin/env python3
"""The labelled synthetic set for burned-in text: images with made-up identifying text drawn
into their pixels, and clean images (no text, or only a device's harmless text), as DICOM of the
classes that carry text and as image files. Every value is made up; nobody's.

usage: make.py OUT_DIR [COUNT]

Writes OUT_DIR/<n>.<ext> and OUT_DIR/labels.jsonl, one line per file:
  {"file", "format", "clean", "items": [{"kind", "text", "box": [x, y, w, h], "shape": bool,
   "value_tag", "font", "size", "contrast", "ground": "plain"|"picture"}], "header": {...}}
`shape` says whether the item has an identity's shape (labelled field, date, ID-like digits,
SURNAME,GIVEN, Family^Given); a bare name (`Given Surname`) has none and is found only as the
file's own value (`value_tag`/`value`: the header attribute that holds it, for the scrub's test).
Deterministic: the same COUNT gives the same files.
"""
import io
import json
import os
import random
import sys

import numpy as np
import pydicom
from PIL import Image, ImageDraw, ImageFont
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, RLELossless

OUT = sys.argv[1]
COUNT = int(sys.argv[2]) if len(sys.argv) > 2 else 240
rng = random.Random(20261201)
nrng = np.random.default_rng(20261201)

FONT_DIRS = ['/usr/share/fonts/truetype/dejavu', '/usr/share/fonts/truetype/noto',
             '/usr/share/fonts/truetype/liberation', '/usr/share/fonts/truetype/liberation2']
FONTS = sorted(os.path.join(d, f) for d in FONT_DIRS if os.path.isdir(d) for f in os.listdir(d)
               if f.endswith('.ttf') and 'Math' not in f and 'ExtraLight' not in f)
if not FONTS:
    sys.exit('no TrueType fonts: apt-get install fonts-dejavu-core')

# Made-up people (nobody's): surnames and given names.
SURNAMES = ['MADEUP', 'INVENTED', 'FICTIVE', 'NOTREAL', 'PRETEND', 'SAMPLEY', 'TESTWORTH', 'FAKENHAM',
            'DUMMETT', 'PLACEBO', 'IMAGINO', 'NOBODY', 'ZZTEST', 'EXAMPLA', 'MOCKFORD', 'SHAMSBY']
GIVENS = ['PERSONA', 'ALEXIS', 'JORDAN', 'ROBIN', 'MORGAN', 'CASEY', 'AVERY', 'QUINN', 'RILEY',
          'SKYLER', 'HARPER', 'ROWAN', 'SAGE', 'EMERSON', 'FINLEY', 'HOLLIS']
MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

# A device's harmless text: what a scanner writes beside the image.
DEVICE = ['C5-1 3.5MHz', 'Gain 55', 'DR 60 dB', 'MI 1.2 TIs 0.4', 'Frame 12/64', 'L', 'R', 'ANT',
          'POST', 'Liver', 'Sag', 'Trans', 'Kidney RT', 'Depth 16 cm', '2D 63% C 52', 'THI', 'H4.00 MHz',
          '19fps', 'CTDIvol 12.3 mGy', 'DLP 456.7 mGy-cm', 'Series 3', 'Scan Range', 'Helical',
          'kV 120', 'mAs 250', 'Zoom 1.5', 'WL 40 WW 400', 'Thyroid', 'Bladder', 'Gallbladder',
          '08:48:26', '14:32', 'Cine 1/1', 'Tc-99m MDP', 'Anterior', 'Posterior', '0 5 10 15 cm']

FORMATS = ['us_rgb', 'us_mono', 'us_multi', 'sc_rgb', 'sc_mono16', 'nm16', 'ybr', 'rle', 'mono1',
           'ct_derived', 'png', 'jpeg', 'tiff', 'bmp', 'gif', 'webp']
SIZES = [(640, 480), (800, 600), (1024, 768), (512, 512), (960, 720), (1280, 1024)]


def uid():
    return '2.25.' + str(rng.getrandbits(120))


def person():
    return rng.choice(SURNAMES), rng.choice(GIVENS)


def a_date(birth):
    y = rng.randint(1935, 2005) if birth else rng.randint(2015, 2026)
    return y, rng.randint(1, 12), rng.randint(1, 28)


def date_text(y, m, d):
    return rng.choice([
        f'{d:02d}/{m:02d}/{y}', f'{m}/{d}/{y}', f'{y}-{m:02d}-{d:02d}', f'{d:02d}.{m:02d}.{y}',
        f'{d} {MONTHS[m - 1]} {y}', f'{MONTHS[m - 1]} {d}, {y}', f'{d:02d}-{MONTHS[m - 1].upper()}-{y}',
    ])


def identifying_item(surname, given, dob, mrn):
    """(kind, text, has an identity's shape, header tag of the value or None)."""
    kind = rng.choice(['name_comma', 'name_caret', 'name_label', 'name_bare', 'dob_label', 'date',
                       'id_label', 'id_bare', 'acc_label', 'nhs'])
    if kind == 'name_comma':
        return kind, rng.choice([f'{surname},{given}', f'{surname}, {given}']), True, 'PatientName'
    if kind == 'name_caret':
        return kind, f'{surname.title()}^{given.title()}', True, 'PatientName'
    if kind == 'name_label':
        label = rng.choice(['Name:', 'Patient:', 'Pt Name:', 'NAME:', 'Patient Name:'])
        who = rng.choice([f'{given.title()} {surname.title()}', f'{surname} {given}'])
        return kind, f'{label} {who}', True, 'PatientName'
    if kind == 'name_bare':
        return kind, rng.choice([f'{given.title()} {surname.title()}', f'{given} {surname}']), False, 'PatientName'
    if kind == 'dob_label':
        label = rng.choice(['DOB:', 'D.O.B.', 'DOB', 'Birth Date:', 'Born'])
        return kind, f'{label} {date_text(*dob)}', True, 'PatientBirthDate'
    if kind == 'date':
        return kind, date_text(*a_date(False)) + rng.choice(['', ' 08:48:26', ' 14:02']), True, None
    if kind == 'id_label':
        label = rng.choice(['MRN:', 'ID:', 'Patient ID:', 'MRN', 'Hosp No:', 'PID:'])
        return kind, f'{label} {mrn}', True, 'PatientID'
    if kind == 'id_bare':
        return kind, mrn if mrn.isdigit() and len(mrn) >= 6 else str(rng.randint(10 ** 7, 10 ** 11)), True, \
            'PatientID' if mrn.isdigit() and len(mrn) >= 6 else None
    if kind == 'acc_label':
        return kind, rng.choice(['Acc:', 'Acc No:', 'Accession:', 'ACC#']) + f' {rng.randint(10 ** 6, 10 ** 9)}', True, None
    n = f'{rng.randint(100, 999)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}'
    return kind, rng.choice([f'NHS No: {n}', n]), True, None


def background(kind, w, h):
    """An 8-bit RGB ground of a kind, and whether it is dark."""
    if kind == 'us':
        img = np.zeros((h, w), np.float32)
        yy, xx = np.mgrid[0:h, 0:w]
        cx, top = w / 2, h * 0.12
        ang = np.arctan2(xx - cx, yy - top + 1e-3)
        r = np.hypot(xx - cx, yy - top)
        fan = (np.abs(ang) < 0.6) & (r > h * 0.05) & (r < h * 0.85)
        speckle = nrng.gamma(1.0, 40.0, (h, w))
        img[fan] = speckle[fan]
        return np.repeat(np.clip(img, 0, 255).astype(np.uint8)[..., None], 3, 2), True
    if kind == 'nm':
        img = np.zeros((h, w), np.float32)
        for _ in range(rng.randint(2, 6)):
            x0, y0, s = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h, rng.uniform(0.03, 0.12) * w
            yy, xx = np.mgrid[0:h, 0:w]
            img += rng.uniform(80, 200) * np.exp(-((xx - x0) ** 2 + (yy - y0) ** 2) / (2 * s * s))
        img += nrng.poisson(8, (h, w))
        return np.repeat(np.clip(img, 0, 255).astype(np.uint8)[..., None], 3, 2), True
    if kind == 'report':
        dark = rng.random() < 0.5
        img = np.full((h, w, 3), 0 if dark else 245, np.uint8)
        for y in range(int(h * 0.2), int(h * 0.9), rng.randint(28, 48)):
            img[y:y + 1, int(w * 0.05):int(w * 0.95)] = 120
        return img, dark
    if kind == 'screen':
        img = np.full((h, w, 3), rng.randint(200, 240), np.uint8)
        img[: int(h * 0.08)] = (40, 60, 110)
        x0, y0 = int(w * 0.2), int(h * 0.15)
        img[y0:int(h * 0.95), x0:int(w * 0.95)] = nrng.integers(0, 80, (int(h * 0.95) - y0, int(w * 0.95) - x0, 1))
        return img, False
    if kind == 'photo':
        yy, xx = np.mgrid[0:h, 0:w]
        img = np.stack([(xx * 255 / w), (yy * 255 / h), ((xx + yy) * 127 / (w + h)) + 60], 2)
        img += nrng.normal(0, 8, img.shape)
        return np.clip(img, 0, 255).astype(np.uint8), False
    # ct: a grey disc on black.
    img = np.zeros((h, w), np.float32)
    yy, xx = np.mgrid[0:h, 0:w]
    img[np.hypot(xx - w / 2, yy - h / 2) < min(w, h) * 0.4] = 110
    img += nrng.normal(0, 10, (h, w))
    return np.repeat(np.clip(img, 0, 255).astype(np.uint8)[..., None], 3, 2), True


def luma(c):
    return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]


COLOURS = [(255, 255, 255), (200, 200, 200), (255, 230, 0), (0, 230, 120), (0, 200, 255), (255, 120, 0),
           (0, 0, 0), (40, 40, 40), (0, 0, 160), (170, 0, 0), (90, 0, 140)]


def colour(ground):
    """A text colour a person reads on a ground of mean luma `ground`: high contrast (a luma
    difference of 110 or more), or now and then low (a grey 60-80 levels off the ground)."""
    if rng.random() < 0.15:
        step = rng.randint(60, 80)
        level = ground + step if ground + step <= 255 else ground - step
        return (int(level),) * 3, 'low'
    return rng.choice([c for c in COLOURS if abs(luma(c) - ground) >= 110] or [(255, 255, 255)]), 'high'


# Where text goes: slots along the edges and two in the middle (fractions of width, height).
# None straddles the edge of a screen's title bar (0.08 of the height): text half on a bar is
# not what a screen shows.
SLOTS = [(0.01, 0.01), (0.55, 0.01), (0.01, 0.10), (0.55, 0.10), (0.01, 0.90), (0.55, 0.90),
         (0.01, 0.45), (0.60, 0.45), (0.30, 0.30), (0.30, 0.65), (0.01, 0.95), (0.55, 0.95)]


def draw_text(img, texts):
    """Draws each text in its own slot; returns [(text, box, font, size, contrast)]."""
    pil = Image.fromarray(img)
    d = ImageDraw.Draw(pil)
    h, w = img.shape[:2]
    slots = rng.sample(SLOTS, len(texts))
    out = []
    for text, (fx, fy) in zip(texts, slots):
        font_path = rng.choice(FONTS)
        size = rng.choice([11, 12, 13, 14, 16, 18, 20, 24, 28, 34])
        font = ImageFont.truetype(font_path, size)
        x, y = int(fx * w), int(fy * h)
        l, t, r, b = d.textbbox((x, y), text, font=font)
        if r > w - 2:
            x -= r - (w - 2)
        if b > h - 2:
            y -= b - (h - 2)
        l, t, r, b = d.textbbox((x, y), text, font=font)
        under = [luma(p) for p in img[max(t, 0):b, max(l, 0):r].reshape(-1, 3)[::7]] or [0]
        ground = float(np.mean(under))
        colour_, contrast = colour(ground)
        d.text((x, y), text, font=font, fill=colour_)
        l, t, r, b = d.textbbox((x, y), text, font=font)
        # A plain ground (a banner, a page) or the picture (speckle, a gradient) under the text.
        out.append((text, [l, t, r - l, b - t], os.path.basename(font_path), size, contrast,
                    'plain' if float(np.std(under)) < 12 else 'picture'))
    return np.array(pil), out


def header(ds, sop, modality, image_type, burned):
    ds.SpecificCharacterSet = 'ISO_IR 100'
    ds.ImageType = image_type
    ds.SOPClassUID = sop
    ds.SOPInstanceUID = uid()
    ds.StudyDate = ''
    ds.StudyTime = ''
    ds.AccessionNumber = ''
    ds.Modality = modality
    ds.ReferringPhysicianName = ''
    ds.PatientName = ''
    ds.PatientID = ''
    ds.PatientBirthDate = ''
    ds.PatientSex = ''
    ds.PatientIdentityRemoved = 'YES'
    ds.DeidentificationMethod = 'synthetic test image'
    ds.StudyInstanceUID = uid()
    ds.SeriesInstanceUID = uid()
    ds.StudyID = ''
    ds.SeriesNumber = 1
    ds.InstanceNumber = 1
    if burned is not None:
        ds.BurnedInAnnotation = burned


def dicom(fmt, rgb, frames, identity=None):
    US, SC, NM = '1.2.840.10008.5.1.4.1.1.6.1', '1.2.840.10008.5.1.4.1.1.7', '1.2.840.10008.5.1.4.1.1.20'
    ds = Dataset()
    burned = rng.choice([None, 'NO'])  # an image that lies about its pixels, or says nothing
    grey = np.asarray(Image.fromarray(rgb).convert('L'))
    h, w = grey.shape
    ts = ExplicitVRLittleEndian
    if fmt in ('us_rgb', 'sc_rgb', 'ybr', 'rle'):
        header(ds, US if fmt != 'sc_rgb' else SC, 'US' if fmt != 'sc_rgb' else 'OT', ['DERIVED', 'SECONDARY'], burned)
        ds.SamplesPerPixel, ds.PlanarConfiguration = 3, 0
        ds.PhotometricInterpretation = 'RGB'
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = 8, 8, 7
        data = rgb
        if fmt == 'ybr':
            from pydicom.pixels import convert_color_space
            data = convert_color_space(rgb, 'RGB', 'YBR_FULL')
            ds.PhotometricInterpretation = 'YBR_FULL'
        px = data.tobytes()
    elif fmt in ('us_mono', 'us_multi', 'mono1'):
        header(ds, US if fmt != 'us_multi' else '1.2.840.10008.5.1.4.1.1.3.1', 'US', ['ORIGINAL', 'PRIMARY'], burned)
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = 'MONOCHROME1' if fmt == 'mono1' else 'MONOCHROME2'
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = 8, 8, 7
        g = 255 - grey if fmt == 'mono1' else grey
        if fmt == 'us_multi':
            ds.NumberOfFrames = frames
            ds.FrameIncrementPointer = 0x00181063
            ds.FrameTime = 40
            px = g.tobytes() * frames
        else:
            px = g.tobytes()
    else:  # sc_mono16, nm16, ct_derived: 16-bit grey, the text at the top of the range
        sop, modality, itype = {'sc_mono16': (SC, 'OT', ['DERIVED', 'SECONDARY']),
                                'nm16': (NM, 'NM', ['ORIGINAL', 'PRIMARY']),
                                'ct_derived': ('1.2.840.10008.5.1.4.1.1.2', 'CT', ['DERIVED', 'SECONDARY', 'SCREEN SAVE'])}[fmt]
        header(ds, sop, modality, itype, burned)
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = 'MONOCHROME2'
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 12, 11
        px = (grey.astype(np.uint16) * 16).tobytes()
        if fmt == 'ct_derived':
            ds.WindowCenter, ds.WindowWidth = 2048, 4096
    ds.Rows, ds.Columns = h, w
    ds.PixelRepresentation = 0
    ds.PixelData = px
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ts
    ds.file_meta = meta
    if identity:
        # Before any scrub: the header holds the patient's values too.
        for k, v in identity.items():
            setattr(ds, k, v)
    if fmt == 'rle':
        ds.compress(RLELossless, generate_instance_uid=False)
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def image_file(fmt, rgb):
    buf = io.BytesIO()
    img = Image.fromarray(rgb)
    if fmt == 'jpeg':
        img.save(buf, 'JPEG', quality=rng.choice([75, 85, 95]))
    elif fmt == 'gif':
        img.convert('P', palette=Image.ADAPTIVE, colors=64).save(buf, 'GIF')
    elif fmt == 'webp':
        img.save(buf, 'WEBP', quality=90)
    else:
        img.save(buf, fmt.upper())
    return buf.getvalue()


EXT = {'png': 'png', 'jpeg': 'jpg', 'tiff': 'tif', 'bmp': 'bmp', 'gif': 'gif', 'webp': 'webp'}


def main():
    os.makedirs(OUT, exist_ok=True)
    labels = []
    for n in range(COUNT):
        fmt = FORMATS[n % len(FORMATS)]
        clean = n % 3 == 2  # a third clean
        w, h = rng.choice(SIZES)
        kind = {'us_rgb': 'us', 'us_mono': 'us', 'us_multi': 'us', 'mono1': 'us', 'rle': 'us', 'ybr': 'us',
                'nm16': 'nm', 'sc_rgb': 'report', 'sc_mono16': 'report', 'ct_derived': 'ct'}.get(
            fmt, rng.choice(['screen', 'photo', 'report', 'us']))
        if fmt == 'us_multi':
            w, h = 480, 360
        rgb, dark = background(kind, w, h)
        surname, given = person()
        dob = a_date(True)
        mrn = rng.choice([str(rng.randint(10 ** 6, 10 ** 9)), f'MU{rng.randint(10 ** 5, 10 ** 7)}'])
        texts, items = [], []
        if not clean:
            for _ in range(rng.randint(1, 3)):
                k, t, shaped, tag = identifying_item(surname, given, dob, mrn)
                texts.append(t)
                items.append(dict(kind=k, shape=shaped, value_tag=tag))
        device = rng.sample(DEVICE, rng.randint(0, 4) if clean else rng.randint(0, 2))
        drawn = draw_text(rgb, texts + device) if texts or device else (rgb, [])
        rgb, placed = drawn
        for item, (text, box, font, size, contrast, ground) in zip(items, placed):
            item.update(text=text, box=box, font=font, size=size, contrast=contrast, ground=ground)
        name = f'{n:03d}.' + (EXT[fmt] if fmt in EXT else 'dcm')
        identity = dict(PatientName=f'{surname}^{given}', PatientBirthDate='%04d%02d%02d' % dob, PatientID=mrn)
        state = rng.getstate()
        data = image_file(fmt, rgb) if fmt in EXT else dicom(fmt, rgb, 3)
        with open(os.path.join(OUT, name), 'wb') as f:
            f.write(data)
        if fmt not in EXT:
            # The same image before scrubbing: its header names the patient (header/).
            rng.setstate(state)
            os.makedirs(os.path.join(OUT, 'header'), exist_ok=True)
            with open(os.path.join(OUT, 'header', name), 'wb') as f:
                f.write(dicom(fmt, rgb, 3, identity))
        labels.append(dict(file=name, format=fmt, clean=clean, items=items, device_text=len(device),
                           header=identity))
    with open(os.path.join(OUT, 'labels.jsonl'), 'w') as f:
        for l in labels:
            f.write(json.dumps(l) + '\n')


main()

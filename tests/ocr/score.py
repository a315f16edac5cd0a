#!/usr/bin/env python3
"""Scores `vault check --json` over the synthetic set against its labels.

usage: score.py LABELS.jsonl CHECK.jsonl

An identifying item is found when a burned-in-text region of its file overlaps its box. Prints
one JSON object: items and found (all, and those with an identity's shape), recall of each,
files refused among the identifying and among the clean, the false-refusal rate, and the shaped
items found by kind, format, contrast, size and ground (plain, or the picture). Prints no text of any image.
"""
import collections
import json
import os
import sys


def overlaps(a, b):
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


def main():
    labels = {json.loads(l)['file']: json.loads(l) for l in open(sys.argv[1])}
    checks = {}
    for line in open(sys.argv[2]):
        j = json.loads(line)
        checks[os.path.basename(j['path'])] = j
    by = collections.defaultdict(lambda: [0, 0])
    items = found = shaped = shaped_found = 0
    id_files = id_refused = clean_files = clean_refused = 0
    missed = []
    for name, label in labels.items():
        c = checks[name]
        regions = [(r['region']['frame'], [r['region'][k] for k in ('x', 'y', 'width', 'height')])
                   for r in c['reasons'] if r['rule'] == 'burned-in-text']
        other = [r['rule'] for r in c['reasons'] if r['rule'] != 'burned-in-text']
        if label['clean']:
            clean_files += 1
            clean_refused += c['verdict'] == 'refuse'
            continue
        id_files += 1
        id_refused += c['verdict'] == 'refuse'
        for item in label['items']:
            hit = any(overlaps(box, item['box']) for frame, box in regions if frame == 1)
            items += 1
            found += hit
            if item['shape']:
                shaped += 1
                shaped_found += hit
                if not hit:
                    missed.append(dict(file=name, kind=item['kind'], size=item['size'], font=item['font'],
                                       contrast=item['contrast'], format=label['format'], other=other))
                for key in (item['kind'], label['format'], 'contrast ' + item['contrast'], 'size %d' % item['size'],
                            'ground ' + item['ground']):
                    by[key][0] += 1
                    by[key][1] += hit
    print(json.dumps(dict(
        identifying_items=items, found=found, recall=round(found / max(items, 1), 4),
        shaped_items=shaped, shaped_found=shaped_found, shaped_recall=round(shaped_found / max(shaped, 1), 4),
        identifying_files=id_files, identifying_refused=id_refused,
        clean_files=clean_files, clean_refused=clean_refused,
        false_refusal_rate=round(clean_refused / max(clean_files, 1), 4),
        by={k: dict(items=v[0], found=v[1]) for k, v in sorted(by.items())},
        missed_shaped=missed)))


main()

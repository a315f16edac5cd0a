#!/usr/bin/env bash
# OCR benchmark (issue: burned-in text): what each preparation step gains, against Tesseract as
# it comes, in one run.
#
# The labelled synthetic set (tests/ocr/make.py: made-up names, dates and IDs drawn into
# ultrasound-, NM- and secondary-capture-like DICOM and image files; clean images beside them) is
# read by benches/ocr.rs with each preparation below, RUNS times. For each: the recall of the
# identity-shaped items (a burned-in-text region overlapping the item's box), the share of clean
# images refused, and CPU seconds per image (the bench and its Tesseract children, user + sys),
# medians of the runs; the CPU as a ratio to the peer's in the same run.
#
# COUNT= sets the set's size (240), RUNS= the runs (3), VARIANTS= the preparations
# (SCALE,INVERT,LEVELS,COLOUR,LAYOUT,CONTRAST,FLAT,SECOND,DESPECKLE; add 2,1,1,1,11,1,1,0,1 to see what
# enlarging the whole frame twice does: it reads less and costs about six times as much).
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/install-deps.sh
count=${COUNT:-240}
runs=${RUNS:-3}
peer=1,0,0,0,3,0,0,0,0
variants=${VARIANTS:-"$peer 1,0,0,0,11,0,0,0,0 1,1,0,0,11,0,0,0,0 1,1,1,0,11,0,0,0,0 1,1,1,1,11,0,0,0,0 1,1,1,1,11,1,0,0,0 1,1,1,1,11,1,1,0,0 1,1,1,1,11,1,1,1,0 1,1,1,1,11,1,1,1,1"}
work=$(mktemp -d -p "$PWD/target" bench-ocr.XXXX)
trap 'rm -rf "$work"' EXIT
python3 tests/ocr/make.py "$work/set" "$count" >/dev/null
cargo bench --bench ocr --no-run -q 2>/dev/null
images=$(find "$work/set" -maxdepth 1 -type f ! -name labels.jsonl | sort)
n=$(echo "$images" | wc -l)
echo "$n images; medians of $runs runs; the peer is Tesseract as it comes ($peer)"
printf '%-14s %8s %8s %12s %10s\n' variant recall false cpu_s/image cpu_ratio
peer_cpu=
for v in $variants; do
    cpus=()
    for r in $(seq "$runs"); do
        /usr/bin/time -f '%U %S' -o "$work/time" cargo bench -q --bench ocr -- "$v" $images >"$work/out.jsonl" 2>/dev/null
        cpus+=("$(awk -v n="$n" '{printf "%.4f", ($1 + $2) / n}' "$work/time")")
    done
    cpu=$(printf '%s\n' "${cpus[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}')
    [[ -z $peer_cpu ]] && peer_cpu=$cpu
    python3 tests/ocr/score.py "$work/set/labels.jsonl" "$work/out.jsonl" >"$work/score.json"
    python3 - "$work/score.json" "$v" "$cpu" "$peer_cpu" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
v, cpu, peer = sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
ground = {k: '%d/%d' % (x['found'], x['items']) for k, x in s['by'].items() if k.startswith('ground')}
print('%-14s %8.3f %8.3f %12.3f %10.2f  %s' % (v, s['shaped_recall'], s['false_refusal_rate'], cpu, cpu / peer, ground))
PY
done

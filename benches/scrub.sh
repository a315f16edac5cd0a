#!/usr/bin/env bash
# Scrub benchmark (issue: scrub). The same files through `vault scrub` and the two Python peers
# from PyPI, dicognito and pydicom `deid` (its default recipe), each writing into a folder of its
# own: the real files of pydicom and pydicom-data, and 100 made-up identified CT slices (512 x
# 512, made here with pydicom; every value made up). vault is measured as the peers work
# (attributes only) and again with --redact default (burned-in images decoded and blanked). Files per second = files given / wall time
# (a peer that fails on a file still spent the time). Warm caches, RUNS runs, medians.
# The peers are installed into a virtual environment under target/, so that the test suite's
# pinned pydicom is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/study.sh
bash packaging/install-deps.sh
build_vault scrub
trap 'rm -rf "$work"' EXIT
venv=$PWD/target/bench-scrub-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import dicognito, deid" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check dicognito==0.19.0 deid==0.4.13 2>&1 | grep -v "^\[notice\]" || true
fi
cd "$work"
real=$(python3 -c "import os, pydicom, data_store; print(os.path.join(os.path.dirname(pydicom.__file__), 'data', 'test_files'), os.path.join(os.path.dirname(data_store.__file__), 'data'))")
mkdir inputs
for d in $real; do cp -r "$d" "inputs/$(basename "$(dirname "$d")")-$(basename "$d")"; done
make_ct_slices 100 inputs/made-up-ct identified
n=$(find inputs -type f | wc -l)
cat > deid_run.py <<'PY'
import os, sys, warnings
warnings.simplefilter("ignore")
from deid.dicom import get_files, replace_identifiers
out = sys.argv[2]
os.makedirs(out, exist_ok=True)
files = list(get_files(sys.argv[1]))
replace_identifiers(dicom_files=files, save=True, output_folder=out, overwrite=True)
PY
# dicognito's command stops at the first file it cannot handle (one lacking a SOPInstanceUID,
# among the sample files): its library goes through every file instead, a failure skipped.
cat > dicognito_run.py <<'PY'
import os, sys, warnings
warnings.simplefilter("ignore")
import pydicom
from dicognito.anonymizer import Anonymizer
anonymizer = Anonymizer()
out = sys.argv[2]
os.makedirs(out, exist_ok=True)
for root, _, names in os.walk(sys.argv[1]):
    for name in names:
        try:
            ds = pydicom.dcmread(os.path.join(root, name))
            anonymizer.anonymize(ds)
            ds.save_as(os.path.join(out, f"{len(os.listdir(out))}.dcm"))
        except Exception:
            pass
PY
printf '0123456789abcdef0123456789abcdef' > scrub.key
# vault scrub exits 1 when it refused some files (counted in "outputs" below); any other status
# is a failure, and so is a peer's.
scrub_vault() {
    local rc=0
    "$vault" scrub "$@" >/dev/null 2>&1 || rc=$?
    if [ "$rc" -gt 1 ]; then echo "vault scrub $* failed (exit $rc)" >&2; exit 1; fi
}
declare -A rate
for r in $(seq "$runs"); do
    rm -rf out-*
    # Like the peers: attributes only (burned-in images are refused, not redacted).
    t0=$(now); scrub_vault inputs --out out-vault --key-file scrub.key; t1=$(now)
    rate[vault]="${rate[vault]:-} $(python3 -c "print(f'{$n / ($t1 - $t0):.0f}')")"
    # And with redaction, which decodes compressed burned-in images (more work than the peers do).
    t0=$(now); scrub_vault inputs --out out-vault-redact --key-file scrub.key --redact default; t1=$(now)
    rate[vault-redact]="${rate[vault-redact]:-} $(python3 -c "print(f'{$n / ($t1 - $t0):.0f}')")"
    t0=$(now); "$venv/bin/python" dicognito_run.py inputs out-dicognito >/dev/null 2>&1; t1=$(now)
    rate[dicognito]="${rate[dicognito]:-} $(python3 -c "print(f'{$n / ($t1 - $t0):.1f}')")"
    t0=$(now); "$venv/bin/python" deid_run.py inputs out-deid >/dev/null 2>&1; t1=$(now)
    rate[deid]="${rate[deid]:-} $(python3 -c "print(f'{$n / ($t1 - $t0):.1f}')")"
done
echo "scrub: $n files (pydicom's test files, pydicom-data, 100 made-up CT slices), $runs runs, files/s"
for k in vault vault-redact dicognito deid; do
    printf '  %-10s %-24s median %s\n' "$k" "${rate[$k]}" "$(median ${rate[$k]})"
done
echo "  outputs: vault $(find out-vault -type f | wc -l), vault --redact $(find out-vault-redact -type f | wc -l), dicognito $(find out-dicognito -type f 2>/dev/null | wc -l), deid $(find out-deid -type f 2>/dev/null | wc -l)"
python3 -c "import sys; v, r, a, b = map(float, sys.argv[1:]); print(f'  vault / dicognito = {v / a:.1f}; vault / deid = {v / b:.1f}; vault / the faster = {v / max(a, b):.1f}; with redaction / the faster = {r / max(a, b):.1f}')" \
    "$(median ${rate[vault]})" "$(median ${rate[vault-redact]})" "$(median ${rate[dicognito]})" "$(median ${rate[deid]})"

# Sourced by the benchmarks: their workload settings, the made-up CT-like study they copy, and
# their timing helpers.

# FILES=, FILE_KIB=, RUNS= change the workload.
files=${FILES:-600}
kib=${FILE_KIB:-512}
runs=${RUNS:-3}

# build_vault NAME: builds the release binary into $vault, and a working folder for benchmark
# NAME into $work (under target/).
build_vault() {
    cargo build --release --locked -q
    vault=$PWD/target/release/vault
    work=$(mktemp -d -p "$PWD/target" "bench-$1.XXXX")
}

# make_study FILES KIB: ./study/series1 with FILES files of KIB KiB each. A text line first makes
# every file certainly not DICOM, so the gate lets each through after reading its first bytes.
make_study() {
    python3 - "$1" "$2" <<'PY'
import os, sys
files, kib = int(sys.argv[1]), int(sys.argv[2])
os.makedirs("study/series1")
for i in range(files):
    with open(f"study/series1/ct{i:04d}.dcm", "wb") as f:
        f.write(b"made-up CT-like data\n" + os.urandom(kib * 1024 - 21))
PY
}

now() { date +%s.%N; }
# mbps T0 T1: $bytes over the interval, in MB/s.
mbps() { python3 -c "print(f'{$bytes / ($2 - $1) / 1e6:.0f}')"; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches; }
# fsync_dir DIR: an fsync of a folder (for vault: its own durable commit).
fsync_dir() { python3 -c "import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); os.fsync(fd)" "$1"; }

# make_ct_slices N DIR identified|clean [original]: N made-up CT slices (512 x 512, 16 bits,
# random pixels) in DIR, written with pydicom; "identified" gives them a made-up patient, "clean"
# none (and BurnedInAnnotation NO, replaced UIDs), so that the gate accepts them. With
# "original" they say ImageType ORIGINAL\PRIMARY\AXIAL, as a scanner's slices do (OCR does not
# read those); without, nothing tells them from a derived image, and OCR reads each.
make_ct_slices() {
    python3 - "$1" "$2" "$3" "${4:-}" <<'PY'
import os, sys
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, CTImageStorage
n, folder, kind, original = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4] == "original"
os.makedirs(folder)
# Identified slices carry an organisation's UIDs; clean ones `2.25.` UIDs, as vault scrub writes.
root = "1.2.826.0.1.3680043.10.999." if kind == "identified" else "2.25.1000000000000000000000000000000"
for i in range(n):
    ds = Dataset()
    ds.SOPClassUID, ds.SOPInstanceUID = CTImageStorage, f"{root}{1000 + i}"
    ds.StudyInstanceUID, ds.SeriesInstanceUID = root + "1", root + "2"
    if kind == "identified":
        ds.Modality, ds.PatientName, ds.PatientID = "CT", "Madeup^Benchmark", "MADEUP-0001"
        ds.PatientBirthDate, ds.AccessionNumber, ds.StudyDate = "19700101", "ACCMADEUP", "20200101"
        ds.InstitutionName, ds.ReferringPhysicianName = "Madeup Hospital", "Madeup^Doctor"
    else:
        ds.Modality, ds.PatientName, ds.PatientID = "CT", "", ""
        ds.PatientIdentityRemoved, ds.BurnedInAnnotation = "YES", "NO"
    if original:
        ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    ds.InstanceNumber, ds.SliceLocation = i + 1, float(i)
    ds.Rows = ds.Columns = 512
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.PixelData = os.urandom(512 * 512 * 2)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID = ds.SOPClassUID, ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta
    ds.save_as(os.path.join(folder, f"ct{i:04d}.dcm"), enforce_file_format=True)
PY
}

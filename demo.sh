#!/usr/bin/env bash
# Installs what is missing, builds vault, and demonstrates it on image files (no drive needed).
# Everything it makes is in ./demo; the passphrases are made up.
set -euo pipefail
cd "$(dirname "$0")"
bash packaging/install-deps.sh
cargo build --release --locked
vault=$PWD/target/release/vault

rm -rf demo && mkdir -m 700 demo && cd demo
printf 'made-up demo passphrase\n' > passphrase
printf 'a second made-up passphrase\n' > second
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
# Cheap key derivation keeps the demonstration quick; real use calibrates to ~2 s.
cheap=(--kdf-time 200 --kdf-memory 64)

step "$vault" init --image teaching.img --size 256M --passphrase-file passphrase "${cheap[@]}"
step "$vault" info teaching.img
step "$vault" passwd teaching.img --add --passphrase-file passphrase --new-passphrase-file second "${cheap[@]}"
step "$vault" passwd teaching.img --test --passphrase-file second
echo; echo "# a wrong passphrase is refused with exit code 77, and nothing changes:"
printf 'not the passphrase\n' > wrong
set +e; "$vault" passwd teaching.img --test --passphrase-file wrong; echo "exit code $?"; set -e
echo; echo "# a made-up study, copied in and out; every byte is verified on the way out"
mkdir -p study/series1
# Random bytes behind a text line: made-up data that is certainly not DICOM (the gate would
# refuse something that looked like DICOM but could not be read).
for i in 1 2 3 4 5; do { echo "made-up CT-like data $i"; head -c 524260 /dev/urandom; } > study/series1/ct-00$i.dcm; done
echo "made-up teaching note" > study/notes.txt
step "$vault" import study teaching.img:/teaching --passphrase-file passphrase
step "$vault" ls teaching.img:/teaching/study/series1 -l --passphrase-file passphrase
step "$vault" export teaching.img:/teaching/study copied-out --passphrase-file passphrase
step diff -r study copied-out
echo; echo "# a made-up identified CT slice: the gate refuses it at the door; vault scrub de-identifies it"
python3 - <<'PY'
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, CTImageStorage
ds = Dataset()
ds.SOPClassUID, ds.SOPInstanceUID = CTImageStorage, "1.2.826.0.1.3680043.10.999.1"
ds.StudyInstanceUID, ds.SeriesInstanceUID = "1.2.826.0.1.3680043.10.999.2", "1.2.826.0.1.3680043.10.999.3"
ds.Modality, ds.PatientName, ds.PatientID = "CT", "Madeup^Demo", "MADEUP-0001"
ds.PatientBirthDate, ds.StudyDescription = "19700101", "made-up demo study"
ds.Rows = ds.Columns = 8
ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
ds.PixelData = bytes(128)
meta = FileMetaDataset()
meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID = ds.SOPClassUID, ds.SOPInstanceUID
meta.TransferSyntaxUID = ExplicitVRLittleEndian
ds.file_meta = meta
ds.save_as("identified.dcm", enforce_file_format=True)
PY
set +e; step "$vault" import identified.dcm teaching.img:/teaching --passphrase-file passphrase; echo "exit code $?"; set -e
step "$vault" scrub identified.dcm --out scrubbed --vault teaching.img --passphrase-file passphrase
step "$vault" import scrubbed teaching.img:/teaching --passphrase-file passphrase
echo; echo "# mounted as a folder: drag and drop, or cp"
mkdir -p mnt
step "$vault" mount teaching.img mnt --passphrase-file passphrase
step cp -r study mnt/dragged-in
step ls -l mnt mnt/dragged-in/series1
step df -h mnt
step "$vault" umount mnt
step "$vault" fsck teaching.img --passphrase-file passphrase
echo; echo "# the encrypted backup: a second vault; every copy is read back and compared by BLAKE3"
step "$vault" init --image backup.img --size 256M --passphrase-file second "${cheap[@]}"
step "$vault" mirror teaching.img backup.img --passphrase-file passphrase --dst-passphrase-file second
step "$vault" mirror teaching.img backup.img --passphrase-file passphrase --dst-passphrase-file second
echo; echo "# the backup also runs while the vault stays mounted: its mount's process does it"
step "$vault" mount teaching.img mnt --passphrase-file passphrase
step cp study/notes.txt mnt/dragged-in/more-notes.txt
step "$vault" mirror teaching.img backup.img --passphrase-file passphrase --dst-passphrase-file second
step "$vault" umount mnt
step "$vault" verify backup.img --passphrase-file second
step "$vault" log teaching.img --passphrase-file passphrase
step "$vault" header backup teaching.img teaching.header
echo; echo "# damage the primary header: vault opens from the backup copy and says so"
printf '\xff' | dd of=teaching.img bs=1 seek=200 conv=notrunc status=none
step "$vault" info teaching.img
step "$vault" header repair teaching.img
echo; echo "# no trace of the passphrase, or of the file names, in the image:"
for s in "made-up demo passphrase" "ct-001.dcm" "made-up teaching note"; do
    if grep -q -a -F "$s" teaching.img; then echo "FOUND \"$s\" (a bug)"; exit 1; else echo "\"$s\": not found"; fi
done
step "$vault" bench --seconds 1 --kdf-time 500

"""Made-up DICOM files for the OCR tests: a de-identified header (new UIDs, empty patient name
and ID, PatientIdentityRemoved YES) round what a test puts in, and 8-bit grey pixels."""
import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7'
MULTIFRAME_SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7.2'


def header(sop=SECONDARY_CAPTURE, syntax=ExplicitVRLittleEndian, **values):
    """A data set of class `sop` with no patient left in it, and `values` set on it."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = syntax
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = sop
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid(None)
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(None), generate_uid(None)
    ds.Modality = 'OT'
    ds.PatientName, ds.PatientID, ds.PatientIdentityRemoved = '', '', 'YES'
    for k, v in values.items():
        setattr(ds, k, v)
    return ds


def grey(ds, pixels):
    """8-bit MONOCHROME2 pixels on `ds`: one frame (a 2-D array), or several (a list of them)."""
    frames = pixels if isinstance(pixels, list) else [pixels]
    ds.PhotometricInterpretation, ds.SamplesPerPixel = 'MONOCHROME2', 1
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    if isinstance(pixels, list):
        ds.NumberOfFrames, ds.FrameIncrementPointer, ds.FrameTime = len(frames), (0x0018, 0x1063), '40'
    ds.Rows, ds.Columns = frames[0].shape
    ds.PixelData = np.stack(frames).astype(np.uint8).tobytes()
    return ds


def save(path, ds):
    ds.save_as(path, enforce_file_format=True)

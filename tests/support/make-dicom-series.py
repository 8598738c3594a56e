#!/usr/bin/python3
"""Writes a small synthetic MR series (DICOM Part 10 files) with a known pixel pattern and marked PHI,
for the content-sharing tests (docs/content-sharing.md). Needs python3-pydicom; the rle and
jpeg-baseline syntaxes also need dcmtk (dcmcrle, dcmcjpeg). Output is deterministic: the same options write
the same bytes.

Pixel pattern, slice k (0-based, file slice-NNN.dcm is slice k = NNN), row r, column c:
  stored(r, c) = square if 4 + 2k <= r < 12 + 2k and 4 + 3k <= c < 12 + 3k (an 8x8 square moving with k)
                 else base + 3c + 2r + k           (a ramp)
  16-bit: base = -300 if --signed else 100, square = 2000; 8-bit: base = 10, square = 250.
  The modality value is stored * slope + intercept (--slope, --intercept).
Slice k sits at Image Position (Patient) (0, 0, --z0 + k * --spacing) with axial orientation, Instance Number
k + 1 (or none / reversed, --instance-numbers).

PHI markers: every identifying text value contains "MARKER" (Patient's Name "MARKER^PATIENT^PHI", Patient ID
"MARKER-ID-PHI", Institution Name "MARKER INSTITUTION PHI", …, a private tag and values inside sequences);
dates are in 1901-1903 (birth 19010203, study 19020304, series/content 19030405) and times 111111.
"""

import argparse
import os
import struct
import subprocess
import sys
import tempfile

import pydicom
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian

MR_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.4"
JPEG2000_LOSSLESS = "1.2.840.10008.1.2.4.90"
# A fixed UID root (pydicom's example organisation root) so the same options give the same UIDs.
UID_ROOT = "1.2.826.0.1.3680043.8.498.4242"


def uid(*parts):
    return UID_ROOT + "." + ".".join(str(p) for p in parts)


def stored_value(options, k, r, c):
    in_square = 4 + 2 * k <= r < 12 + 2 * k and 4 + 3 * k <= c < 12 + 3 * k
    if options.bits == 8:
        return 250 if in_square else 10 + 3 * c + 2 * r + k
    if in_square:
        return 2000
    return (-300 if options.signed else 100) + 3 * c + 2 * r + k


def pixel_bytes(options, k):
    values = []
    for r in range(options.rows):
        for c in range(options.columns):
            values.append(stored_value(options, k, r, c))
    if options.bits == 8:
        data = bytes(v & 0xFF for v in values)
    else:
        mask = (1 << options.bits_stored) - 1
        # Bits above Bits Stored carry a pattern a reader must mask off (PS3.5 §8.1.1).
        dirty = 0xA000 & ~mask & 0xFFFF if options.dirty_high_bits else 0
        data = b"".join(struct.pack("<H", (v & mask) | dirty) for v in values)
    return data * options.frames


def slice_dataset(options, k):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = MR_IMAGE_STORAGE
    meta.MediaStorageSOPInstanceUID = uid(options.series_number, 3, k + 1)
    meta.TransferSyntaxUID = ImplicitVRLittleEndian if options.syntax == "implicit" else ExplicitVRLittleEndian
    meta.ImplementationClassUID = uid(0, 1)
    meta.ImplementationVersionName = "CONCLAVE_TEST"

    ds = FileDataset(None, {}, file_meta=meta, preamble=b"\0" * 128)
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "OTHER"]
    ds.InstanceCreationDate = "19030405"
    ds.SOPClassUID = MR_IMAGE_STORAGE
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyDate = "19020304"
    ds.SeriesDate = "19030405"
    ds.ContentDate = "19030405"
    ds.StudyTime = "111111"
    ds.SeriesTime = "111111"
    ds.ContentTime = "111111"
    ds.AccessionNumber = "MARKERACC1"
    ds.Modality = "MR"
    ds.Manufacturer = "Conclave test"
    ds.InstitutionName = "MARKER INSTITUTION PHI"
    ds.InstitutionAddress = "MARKER ADDRESS 1 PHI STREET"
    ds.ReferringPhysicianName = "MARKER^REFERRING"
    ds.StationName = "MARKERSTATION"
    ds.StudyDescription = "MARKER STUDY DESCRIPTION"
    ds.SeriesDescription = f"MARKER SERIES {options.series_number}"
    ds.PerformingPhysicianName = "MARKER^PERFORMING"
    ds.OperatorsName = "MARKER^OPERATOR"
    ds.ReferencedPatientSequence = Sequence([Dataset()])
    ds.ReferencedPatientSequence[0].ReferencedSOPClassUID = "1.2.840.10008.3.1.2.1.1"
    ds.ReferencedPatientSequence[0].ReferencedSOPInstanceUID = uid(9, 9)
    if k > 0:
        # Points at the previous slice: a de-identifier must map this UID like that slice's own.
        ref = Dataset()
        ref.ReferencedSOPClassUID = MR_IMAGE_STORAGE
        ref.ReferencedSOPInstanceUID = uid(options.series_number, 3, k)
        ds.ReferencedImageSequence = Sequence([ref])
    ds.PatientName = "MARKER^PATIENT^PHI"
    ds.PatientID = "MARKER-ID-PHI"
    ds.PatientBirthDate = "19010203"
    ds.PatientSex = "O"
    ds.OtherPatientIDs = "MARKER-OTHER-ID"
    ds.OtherPatientNames = "MARKER^OTHER^NAME"
    ds.PatientAge = "099Y"
    ds.PatientAddress = "MARKER PATIENT ADDRESS"
    ds.PatientComments = "MARKER PATIENT COMMENT"
    ds.ScanningSequence = "SE"
    ds.SequenceVariant = "NONE"
    ds.ScanOptions = ""
    ds.MRAcquisitionType = "2D"
    ds.SliceThickness = str(options.spacing)
    ds.EchoTime = "10"
    ds.RepetitionTime = "500"
    ds.DeviceSerialNumber = "MARKERSERIAL"
    ds.ProtocolName = "MARKER PROTOCOL"
    ds.StudyInstanceUID = uid(1)
    ds.SeriesInstanceUID = uid(options.series_number, 2)
    ds.StudyID = "MARKERSTUDYID"
    ds.SeriesNumber = options.series_number
    if options.instance_numbers == "ascending":
        ds.InstanceNumber = k + 1
    elif options.instance_numbers == "reversed":
        ds.InstanceNumber = options.slices - k
    ds.ImagePositionPatient = [0, 0, round(options.z0 + k * options.spacing, 3)]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.FrameOfReferenceUID = uid(1, 5)
    ds.ImageComments = "MARKER IMAGE COMMENT"
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = options.photometric
    if options.frames > 1:
        ds.NumberOfFrames = options.frames
    ds.Rows = options.rows
    ds.Columns = options.columns
    ds.PixelSpacing = [1, 1]
    ds.BitsAllocated = options.bits
    ds.BitsStored = options.bits_stored
    ds.HighBit = options.bits_stored - 1
    ds.PixelRepresentation = 1 if options.signed else 0
    if options.burned_in:
        ds.BurnedInAnnotation = "YES"
    if options.window:
        center, width = options.window.split(",")
        ds.WindowCenter = center
        ds.WindowWidth = width
    if options.slope != 1 or options.intercept != 0:
        ds.RescaleIntercept = str(options.intercept)
        ds.RescaleSlope = str(options.slope)
        ds.RescaleType = "US"
    # A private block carrying PHI: a de-identifier removes every private tag (PS3.15 Annex E).
    ds.add_new(0x00290010, "LO", "MARKER PRIVATE CREATOR")
    ds.add_new(0x00291010, "LO", "MARKER PRIVATE PHI")
    ds.PixelData = pixel_bytes(options, k)
    ds["PixelData"].VR = "OB" if options.bits == 8 else "OW"
    if options.syntax == "jpeg2000-label":
        # A header that claims JPEG 2000 over bytes that start like a codestream: the refusal path.
        ds.file_meta.TransferSyntaxUID = JPEG2000_LOSSLESS
        ds.PixelData = encapsulate([b"\xff\x4f\xff\x51" + bytes(60)])
        ds["PixelData"].VR = "OB"
        ds["PixelData"].is_undefined_length = True
    ds.is_little_endian = True
    ds.is_implicit_VR = options.syntax == "implicit"
    return ds


def compress(tool_args, path):
    with tempfile.TemporaryDirectory() as scratch:
        out = os.path.join(scratch, "out.dcm")
        subprocess.run(tool_args + [path, out], check=True)
        os.replace(out, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--syntax", default="explicit",
                        choices=["implicit", "explicit", "rle", "jpeg-baseline", "jpeg2000-label"])
    parser.add_argument("--slices", type=int, default=4)
    parser.add_argument("--out", required=True, help="directory for slice-000.dcm, slice-001.dcm, …")
    parser.add_argument("--bits", type=int, default=16, choices=[8, 16], help="Bits Allocated")
    parser.add_argument("--bits-stored", type=int, help="default 12 for 16-bit, 8 for 8-bit")
    parser.add_argument("--signed", action="store_true", help="Pixel Representation 1 (16-bit only)")
    parser.add_argument("--dirty-high-bits", action="store_true", help="set bits above Bits Stored (16-bit)")
    parser.add_argument("--slope", type=float, default=1)
    parser.add_argument("--intercept", type=float, default=0)
    parser.add_argument("--window", default="400,1000", help="'center,width', or '' for none")
    parser.add_argument("--photometric", default="MONOCHROME2", choices=["MONOCHROME1", "MONOCHROME2"])
    parser.add_argument("--rows", type=int, default=32)
    parser.add_argument("--columns", type=int, default=40)
    parser.add_argument("--frames", type=int, default=1, help="Number of Frames (more than 1: a multi-frame object)")
    parser.add_argument("--burned-in", action="store_true", help="Burned In Annotation YES (text in the pixels)")
    parser.add_argument("--series-number", type=int, default=1, help="also picks the Series Instance UID")
    parser.add_argument("--instance-numbers", default="ascending", choices=["ascending", "reversed", "none"])
    parser.add_argument("--z0", type=float, default=-20)
    parser.add_argument("--spacing", type=float, default=2.5)
    options = parser.parse_args()
    if options.bits_stored is None:
        options.bits_stored = 12 if options.bits == 16 else 8
    if options.bits == 8 and options.signed:
        parser.error("--signed needs --bits 16")
    if options.syntax == "jpeg-baseline" and options.bits != 8:
        parser.error("jpeg-baseline needs --bits 8 (JPEG Process 1 is 8 bits per sample)")

    os.makedirs(options.out, exist_ok=True)
    for k in range(options.slices):
        path = os.path.join(options.out, f"slice-{k:03d}.dcm")
        slice_dataset(options, k).save_as(path, write_like_original=False)
        if options.syntax == "rle":
            compress(["dcmcrle", "--quiet", "+un"], path)
        elif options.syntax == "jpeg-baseline":
            compress(["dcmcjpeg", "--quiet", "+eb", "+un"], path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

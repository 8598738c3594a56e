// Pixel values of one slice: stored samples → Bits Stored / High Bit masking and sign (PS3.5 §8.1.1, PS3.3
// C.7.6.3.1) → Rescale Slope/Intercept (C.11.1.1.2), giving modality values (e.g. Hounsfield units for CT).
// DOM-free; JPEG Baseline frames go through an injected JpegDecoder (jpeg-browser.ts in the page).

import { ContentRejected } from "../viewer";
import { decodeRleFrame } from "./rle";
import type { DicomSlice } from "./slice";

/**
 * Decodes one JPEG Baseline (ISO/IEC 10918-1 Process 1) frame of a greyscale image into one 8-bit sample per
 * pixel, rows × columns long, row by row. Rejects (with ContentRejected) a frame it cannot decode.
 */
export type JpegDecoder = (jpeg: Uint8Array, columns: number, rows: number) => Promise<Uint8Array>;

export async function decodeModalityValues(slice: DicomSlice, decodeJpeg: JpegDecoder | undefined): Promise<Float32Array> {
  const pixelCount = slice.rows * slice.columns;
  switch (slice.encoding) {
    case "native":
      return toModality(slice, slice.pixelBytes, slice.bitsAllocated / 8);
    case "rle":
      return toModality(slice, decodeRleFrame(slice.pixelBytes, pixelCount, slice.bitsAllocated / 8), slice.bitsAllocated / 8);
    case "jpeg-baseline": {
      if (decodeJpeg === undefined) throw jpegNeedsBrowser();
      if (slice.bitsAllocated !== 8 || slice.bitsStored !== 8) {
        throw new ContentRejected(`JPEG Baseline with Bits Stored ${slice.bitsStored} is not valid (Process 1 is 8-bit)`);
      }
      let samples: Uint8Array;
      try {
        samples = await decodeJpeg(slice.pixelBytes, slice.columns, slice.rows);
      } catch (error) {
        if (error instanceof ContentRejected) throw error;
        throw new ContentRejected("corrupt JPEG pixel data: the browser could not decode it");
      }
      if (samples.length !== pixelCount) throw new ContentRejected("corrupt JPEG pixel data: its size does not match Rows × Columns");
      return toModality(slice, samples, 1);
    }
  }
}

export function jpegNeedsBrowser(): ContentRejected {
  return new ContentRejected("JPEG Baseline DICOM needs a browser to decode (no JPEG decoder here)");
}

function toModality(slice: DicomSlice, bytes: Uint8Array, bytesPerSample: number): Float32Array {
  const count = slice.rows * slice.columns;
  const values = new Float32Array(count);
  const shift = slice.highBit + 1 - slice.bitsStored;
  const mask = (1 << slice.bitsStored) - 1;
  const signBit = 1 << (slice.bitsStored - 1);
  const { rescaleSlope: slope, rescaleIntercept: intercept, signed } = slice;
  for (let i = 0, at = 0; i < count; i++, at += bytesPerSample) {
    const raw = bytesPerSample === 2 ? bytes[at] | (bytes[at + 1] << 8) : bytes[at];
    let stored = (raw >> shift) & mask;
    if (signed && (stored & signBit) !== 0) stored -= mask + 1;
    values[i] = stored * slope + intercept;
  }
  return values;
}

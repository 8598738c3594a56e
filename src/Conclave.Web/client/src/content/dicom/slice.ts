// One DICOM Part 10 file (PS3.10 §7.1) read into what the series viewer needs: its place in the series, its
// greyscale pixel description (PS3.3 C.7.6.3 Image Pixel, C.11.1 Modality LUT, C.11.2 VOI LUT) and where its
// pixel bytes are. Everything is checked here, before any pixel buffer is allocated; decoding is decode.ts.
// DOM-free: it runs in the page and under Node.

import { type DataSet, type Element, parseDicom, readPart10Header } from "dicom-parser";
import { ContentRejected, type ViewWindow } from "../viewer";
import { type PixelEncoding, pixelEncodingOf, transferSyntaxLabel } from "./transfer-syntax";

/** Per-image bounds (docs/content-sharing.md "Limits"). */
export const MAX_ROWS = 4096;
export const MAX_COLUMNS = 4096;

export interface DicomPhi {
  patientName?: string;
  patientId?: string;
  birthDate?: string;
  studyDate?: string;
  institution?: string;
}

export type Photometric = "MONOCHROME1" | "MONOCHROME2";

export interface DicomSlice {
  readonly transferSyntax: string;
  readonly encoding: PixelEncoding;
  readonly seriesInstanceUid: string;
  readonly instanceNumber?: number;
  readonly imagePosition?: readonly number[];       // (0020,0032), 3 values, mm
  readonly imageOrientation?: readonly number[];    // (0020,0037), 6 direction cosines
  readonly rows: number;
  readonly columns: number;
  readonly bitsAllocated: 8 | 16;
  readonly bitsStored: number;
  readonly highBit: number;
  readonly signed: boolean;
  readonly photometric: Photometric;
  readonly rescaleSlope: number;
  readonly rescaleIntercept: number;
  /** Row spacing / column spacing from Pixel Spacing (0028,0030); 1 when absent. */
  readonly pixelAspect: number;
  readonly window?: ViewWindow;                     // the first Window Center/Width pair, if any
  readonly phi: DicomPhi;
  /** Native: the frame's sample bytes. RLE / JPEG: the frame's fragments joined. */
  readonly pixelBytes: Uint8Array;
}

/** Reads and checks one file; throws ContentRejected (only) when it cannot be shown. */
export function parseDicomSlice(file: ArrayBuffer): DicomSlice {
  const bytes = new Uint8Array(file);
  if (bytes.length < 132 || bytes[128] !== 0x44 || bytes[129] !== 0x49 || bytes[130] !== 0x43 || bytes[131] !== 0x4d) {
    throw new ContentRejected("not a DICOM file (no DICM prefix after the 128-byte preamble, PS3.10 §7.1)");
  }
  const transferSyntax = readTransferSyntax(bytes);
  const encoding = pixelEncodingOf(transferSyntax);
  if (encoding === undefined) {
    throw new ContentRejected(`unsupported transfer syntax ${transferSyntaxLabel(transferSyntax)}`);
  }
  try {
    // dicom-parser's accessors, too, throw on values that run past the buffer: all of it is one corrupt file.
    return readSlice(parseDicom(bytes, { TransferSyntaxUID: transferSyntax }), transferSyntax, encoding);
  } catch (error) {
    if (error instanceof ContentRejected) throw error;
    throw new ContentRejected(`corrupt DICOM file: ${describe(error)}`);
  }
}

function readTransferSyntax(bytes: Uint8Array): string {
  try {
    const meta = readPart10Header(bytes);
    const syntax = meta.string("x00020010");
    if (syntax) return syntax;
  } catch (error) {
    throw new ContentRejected(`corrupt DICOM file meta information: ${describe(error)}`);
  }
  throw new ContentRejected("corrupt DICOM file meta information: no Transfer Syntax UID (0002,0010)");
}

function readSlice(ds: DataSet, transferSyntax: string, encoding: PixelEncoding): DicomSlice {
  const samplesPerPixel = ds.uint16("x00280002") ?? 1;
  const photometric = (ds.string("x00280004") ?? "").trim();
  if (samplesPerPixel !== 1 || (photometric !== "MONOCHROME1" && photometric !== "MONOCHROME2")) {
    throw new ContentRejected(`photometric interpretation ${photometric || "(none)"} with ${samplesPerPixel} samples per pixel is not supported (greyscale MONOCHROME1/MONOCHROME2 only)`);
  }
  const rows = ds.uint16("x00280010");
  const columns = ds.uint16("x00280011");
  if (!rows || !columns) throw new ContentRejected("the image has no Rows (0028,0010) or Columns (0028,0011)");
  if (rows > MAX_ROWS || columns > MAX_COLUMNS) {
    throw new ContentRejected(`the image is ${columns}×${rows} pixels; at most ${MAX_COLUMNS}×${MAX_ROWS} are shown`);
  }
  const bitsAllocated = ds.uint16("x00280100");
  if (bitsAllocated !== 8 && bitsAllocated !== 16) {
    throw new ContentRejected(`Bits Allocated ${bitsAllocated ?? "(none)"} is not supported (8 or 16 only)`);
  }
  const bitsStored = ds.uint16("x00280101") ?? bitsAllocated;
  const highBit = ds.uint16("x00280102") ?? bitsStored - 1;
  if (bitsStored < 1 || bitsStored > bitsAllocated || highBit < bitsStored - 1 || highBit >= bitsAllocated) {
    throw new ContentRejected(`inconsistent pixel description: Bits Allocated ${bitsAllocated}, Bits Stored ${bitsStored}, High Bit ${highBit}`);
  }
  const pixelRepresentation = ds.uint16("x00280103") ?? 0;
  if (pixelRepresentation !== 0 && pixelRepresentation !== 1) {
    throw new ContentRejected(`Pixel Representation ${pixelRepresentation} is not 0 or 1`);
  }
  // A multi-frame object's frames need the per-frame functional groups to be placed; showing one frame of it as
  // "the image" would misrepresent the study, so it is refused whole (docs/content-sharing.md).
  const frames = ds.intString("x00280008") ?? 1;
  if (frames !== 1) {
    throw new ContentRejected(`multi-frame images (${frames} frames) are not supported; share the series as single-frame files`);
  }
  // A Modality LUT Sequence replaces Rescale Slope/Intercept (C.11.1); ignoring it would show wrong values.
  if (ds.elements.x00283000) throw new ContentRejected("images with a Modality LUT Sequence (0028,3000) are not supported");
  const rescaleSlope = ds.floatString("x00281053") ?? 1;
  const rescaleIntercept = ds.floatString("x00281052") ?? 0;
  if (!Number.isFinite(rescaleSlope) || !Number.isFinite(rescaleIntercept)) {
    throw new ContentRejected("Rescale Slope or Rescale Intercept is not a number");
  }
  const pixelBytes = readPixelBytes(ds, encoding, rows * columns * (bitsAllocated / 8));
  const charset = ds.string("x00080005");
  return {
    transferSyntax,
    encoding,
    seriesInstanceUid: ds.string("x0020000e") ?? "",
    instanceNumber: ds.intString("x00200013"),
    imagePosition: numbers(ds, "x00200032", 3),
    imageOrientation: numbers(ds, "x00200037", 6),
    rows,
    columns,
    bitsAllocated,
    bitsStored,
    highBit,
    signed: pixelRepresentation === 1,
    photometric,
    rescaleSlope,
    rescaleIntercept,
    pixelAspect: pixelAspect(ds),
    window: firstWindow(ds),
    phi: {
      patientName: text(ds, "x00100010", charset),
      patientId: text(ds, "x00100020", charset),
      birthDate: text(ds, "x00100030", charset),
      studyDate: text(ds, "x00080020", charset),
      institution: text(ds, "x00080080", charset),
    },
    pixelBytes,
  };
}

function readPixelBytes(ds: DataSet, encoding: PixelEncoding, nativeLength: number): Uint8Array {
  const element = ds.elements.x7fe00010;
  if (element === undefined) throw new ContentRejected("the file has no Pixel Data (7FE0,0010)");
  const bytes = ds.byteArray;
  if (encoding === "native") {
    if (element.encapsulatedPixelData || element.hadUndefinedLength) {
      throw new ContentRejected("corrupt DICOM file: encapsulated Pixel Data in a native transfer syntax");
    }
    if (element.length < nativeLength || element.dataOffset + nativeLength > bytes.length) {
      throw new ContentRejected(`truncated pixel data: ${Math.min(element.length, bytes.length - element.dataOffset)} bytes where the image needs ${nativeLength}`);
    }
    return bytes.subarray(element.dataOffset, element.dataOffset + nativeLength);
  }
  return joinFragments(bytes, element);
}

/** A single-frame object's fragments all belong to its one frame (PS3.5 A.4); join them, bounds-checked. */
function joinFragments(bytes: Uint8Array, element: Element): Uint8Array {
  const fragments = element.encapsulatedPixelData ? element.fragments : undefined;
  if (fragments === undefined || fragments.length === 0) {
    throw new ContentRejected("corrupt DICOM file: the compressed Pixel Data has no fragments");
  }
  let total = 0;
  for (const fragment of fragments) {
    if (fragment.position < 0 || fragment.length < 0 || fragment.position + fragment.length > bytes.length) {
      throw new ContentRejected("truncated pixel data: a compressed fragment runs past the end of the file");
    }
    total += fragment.length;
  }
  if (fragments.length === 1) return bytes.subarray(fragments[0].position, fragments[0].position + fragments[0].length);
  const joined = new Uint8Array(total);
  let at = 0;
  for (const fragment of fragments) {
    joined.set(bytes.subarray(fragment.position, fragment.position + fragment.length), at);
    at += fragment.length;
  }
  return joined;
}

function firstWindow(ds: DataSet): ViewWindow | undefined {
  const center = ds.floatString("x00281050", 0);
  const width = ds.floatString("x00281051", 0);
  // Window Width shall be ≥ 1 (C.11.2.1.2); anything else is ignored and the data range used instead.
  if (center === undefined || width === undefined || !Number.isFinite(center) || !Number.isFinite(width) || width < 1) {
    return undefined;
  }
  return { center, width };
}

function pixelAspect(ds: DataSet): number {
  const spacing = numbers(ds, "x00280030", 2);
  if (spacing === undefined || !(spacing[0] > 0) || !(spacing[1] > 0)) return 1;
  const aspect = spacing[0] / spacing[1];
  // A wildly non-square pixel is more likely a broken header than an image: show it square.
  return aspect >= 0.25 && aspect <= 4 ? aspect : 1;
}

function numbers(ds: DataSet, tag: string, count: number): number[] | undefined {
  const values: number[] = [];
  for (let i = 0; i < count; i++) {
    const value = ds.floatString(tag, i);
    if (value === undefined || !Number.isFinite(value)) return undefined;
    values.push(value);
  }
  return values;
}

/** A text value decoded per Specific Character Set (0008,0005, PS3.5 §6.1), padding trimmed; undefined if empty. */
function text(ds: DataSet, tag: string, charset: string | undefined): string | undefined {
  const element = ds.elements[tag];
  if (element === undefined || element.length <= 0) return undefined;
  const end = Math.min(element.dataOffset + element.length, ds.byteArray.length);
  const raw = ds.byteArray.subarray(element.dataOffset, end);
  const value = decoderFor(charset).decode(raw).replace(/[\0 ]+$/, "").trim();
  return value === "" ? undefined : value;
}

// The single-byte and Unicode repertoires; ISO 2022 code extensions fall back to Latin-1 (their ASCII part reads right).
const CHARSETS: Record<string, string> = {
  "ISO_IR 192": "utf-8", "ISO_IR 100": "iso-8859-1", "ISO_IR 101": "iso-8859-2", "ISO_IR 109": "iso-8859-3",
  "ISO_IR 110": "iso-8859-4", "ISO_IR 144": "iso-8859-5", "ISO_IR 127": "iso-8859-6", "ISO_IR 126": "iso-8859-7",
  "ISO_IR 138": "iso-8859-8", "ISO_IR 148": "iso-8859-9", "ISO_IR 166": "windows-874", "ISO_IR 13": "shift_jis",
  "GB18030": "gb18030", "GBK": "gbk",
};

function decoderFor(charset: string | undefined): TextDecoder {
  const label = CHARSETS[(charset ?? "").split("\\")[0].trim()] ?? "iso-8859-1";
  try {
    return new TextDecoder(label);
  } catch {
    return new TextDecoder("iso-8859-1");
  }
}

/** dicom-parser throws strings, Errors, or {exception, dataSet} when it stops part way. */
function describe(error: unknown): string {
  const cause = typeof error === "object" && error !== null && "exception" in error ? error.exception : error;
  const message = cause instanceof Error ? cause.message : String(cause);
  return message.replace(/^dicomParser\.\w+: /, "").slice(0, 200);
}

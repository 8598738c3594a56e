// A shared DICOM series as a ContentDocument (docs/content-sharing.md §6): its files parsed and checked up
// front, put in slice order, and decoded one slice at a time when shown. Refusals are ContentRejected with a
// message for people.

import { ContentRejected, type ContentDocument, type RenderOptions, type ShareKind, type ViewWindow } from "../viewer";
import { drawSlice } from "./canvas";
import { type JpegDecoder, decodeModalityValues, jpegNeedsBrowser } from "./decode";
import { browserJpegDecoder } from "./jpeg-browser";
import { type DicomPhi, type DicomSlice, parseDicomSlice } from "./slice";
import { applyWindow, dataRangeWindow, usableWindow } from "./window";

export type { DicomPhi } from "./slice";

/** Series bounds (docs/content-sharing.md "Limits"). */
export const MAX_SLICES = 2000;
export const MAX_SERIES_PIXELS = 512 * 1024 * 1024;
/** Decoded slices kept for scrolling back and forth, by their pixel count (64 MiB of Float32). */
const CACHE_PIXELS = 16 * 1024 * 1024;

export interface DicomSeriesDocument extends ContentDocument {
  readonly defaultWindow: ViewWindow;
  readonly phi: { patientName?: string; patientId?: string; birthDate?: string; studyDate?: string; institution?: string };
  /** Pixel values after rescale (modality values) of one slice, for tests and measurement. */
  slicePixels(page: number): Promise<{ columns: number; rows: number; values: Float32Array }>;
}

export interface DicomSeriesOptions {
  /** JPEG Baseline decoding; the browser's own decoder by default, none under Node. */
  decodeJpeg?: JpegDecoder;
}

export async function openDicomSeries(files: ArrayBuffer[], options?: DicomSeriesOptions): Promise<DicomSeriesDocument> {
  if (files.length === 0) throw new ContentRejected("no DICOM files");
  if (files.length > MAX_SLICES) throw new ContentRejected(`${files.length} slices; at most ${MAX_SLICES} are shown`);
  const slices: DicomSlice[] = [];
  let totalPixels = 0;
  for (const file of files) {
    const slice = parseDicomSlice(file);
    if (slices.length > 0 && slice.seriesInstanceUid !== slices[0].seriesInstanceUid) {
      throw new ContentRejected("these files come from more than one series; one series at a time");
    }
    totalPixels += slice.rows * slice.columns;
    if (totalPixels > MAX_SERIES_PIXELS) throw new ContentRejected("the series is too large (more than 512 Mi pixels)");
    slices.push(slice);
  }
  const decodeJpeg = options?.decodeJpeg ?? browserJpegDecoder();
  if (decodeJpeg === undefined && slices.some((s) => s.encoding === "jpeg-baseline")) throw jpegNeedsBrowser();
  const ordered = sliceOrder(slices);
  const document = new SeriesDocument(ordered, decodeJpeg);
  await document.pickDefaultWindow();
  return document;
}

/** "Surname, Given Middle · ID … · born 1901-02-03 · study … · institution", or "" when the files name nobody. */
export function phiBannerText(phi: DicomPhi): string {
  const parts: string[] = [];
  if (phi.patientName) parts.push(personName(phi.patientName));
  if (phi.patientId) parts.push(`ID ${phi.patientId}`);
  if (phi.birthDate) parts.push(`born ${dicomDate(phi.birthDate)}`);
  if (phi.studyDate) parts.push(`study ${dicomDate(phi.studyDate)}`);
  if (phi.institution) parts.push(phi.institution);
  return parts.join(" · ");
}

/**
 * Slice order: Instance Number (0020,0013), then position along the slice normal (Image Position (Patient)
 * · (row cosines × column cosines), PS3.3 C.7.6.2.1.1), then the order the files came in.
 */
function sliceOrder(slices: DicomSlice[]): DicomSlice[] {
  const normal = sliceNormal(slices.find((s) => s.imageOrientation !== undefined)?.imageOrientation);
  const keyed = slices.map((slice, index) => ({
    slice,
    index,
    instance: slice.instanceNumber ?? Infinity,
    along: slice.imagePosition === undefined ? Infinity
      : slice.imagePosition[0] * normal[0] + slice.imagePosition[1] * normal[1] + slice.imagePosition[2] * normal[2],
  }));
  keyed.sort((a, b) => compare(a.instance, b.instance) || compare(a.along, b.along) || a.index - b.index);
  return keyed.map((k) => k.slice);
}

function compare(a: number, b: number): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

function sliceNormal(orientation: readonly number[] | undefined): number[] {
  if (orientation === undefined) return [0, 0, 1];
  const [rx, ry, rz, cx, cy, cz] = orientation;
  return [ry * cz - rz * cy, rz * cx - rx * cz, rx * cy - ry * cx];
}

function personName(value: string): string {
  // PN: the alphabetic group, components family^given^middle^prefix^suffix (PS3.5 §6.2.1).
  const [family, ...rest] = value.split("=")[0].split("^");
  const others = rest.filter((part) => part.trim() !== "").join(" ");
  return others === "" ? family : `${family}, ${others}`;
}

function dicomDate(value: string): string {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  return match === null ? value : `${match[1]}-${match[2]}-${match[3]}`;
}

class SeriesDocument implements DicomSeriesDocument {
  readonly kind: ShareKind = "dicom";
  readonly pageCount: number;
  readonly phi: DicomPhi;
  defaultWindow: ViewWindow = { center: 0, width: 1 };
  private slices: DicomSlice[];
  private readonly cache = new Map<number, Float32Array>();   // page → values, oldest first

  constructor(slices: DicomSlice[], private readonly decodeJpeg: JpegDecoder | undefined) {
    this.slices = slices;
    this.pageCount = slices.length;
    this.phi = slices[0].phi;
  }

  /** The first slice's own window, else the range of its values: one window for the series, as shared. */
  async pickDefaultWindow(): Promise<void> {
    this.defaultWindow = this.slices[0].window ?? dataRangeWindow(await this.values(0));
  }

  async render(page: number, canvas: HTMLCanvasElement, options?: RenderOptions): Promise<{ widthPx: number; heightPx: number }> {
    const slice = this.slice(page);
    const values = await this.values(page);
    const requested = options?.window;
    const window = usableWindow(requested) ? requested : this.defaultWindow;
    const grey = applyWindow(values, window, slice.photometric === "MONOCHROME1");
    return drawSlice(canvas, grey, slice.columns, slice.rows, slice.pixelAspect, options);
  }

  async slicePixels(page: number): Promise<{ columns: number; rows: number; values: Float32Array }> {
    const slice = this.slice(page);
    return { columns: slice.columns, rows: slice.rows, values: (await this.values(page)).slice() };
  }

  destroy(): void {
    this.slices = [];
    this.cache.clear();
  }

  private slice(page: number): DicomSlice {
    if (this.slices.length === 0) throw new Error("the series was closed");
    if (!Number.isInteger(page) || page < 0 || page >= this.slices.length) {
      throw new RangeError(`slice ${page} is not in 0..${this.slices.length - 1}`);
    }
    return this.slices[page];
  }

  private async values(page: number): Promise<Float32Array> {
    const cached = this.cache.get(page);
    if (cached !== undefined) {
      this.cache.delete(page);
      this.cache.set(page, cached);
      return cached;
    }
    const values = await decodeModalityValues(this.slice(page), this.decodeJpeg);
    this.cache.set(page, values);
    let pixels = 0;
    for (const entry of this.cache.values()) pixels += entry.length;
    for (const [oldest, entry] of this.cache) {
      if (pixels <= CACHE_PIXELS || oldest === page) break;
      this.cache.delete(oldest);
      pixels -= entry.length;
    }
    return values;
  }
}

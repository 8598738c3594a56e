// A shared image (docs/content-sharing.md, "Images"): PNG, JPEG or WebP, recognised by its
// magic bytes, with its dimensions read from the header and checked BEFORE anything decodes
// it, so a small file claiming a huge picture (a decompression bomb) costs nothing. SVG is
// refused: it is a document that can carry script and links, not a picture.
import { MAX_RENDER_PIXELS } from "./pdf-view";
import { ContentRejected, type ContentDocument, type RenderOptions } from "./viewer";

export type ImageMime = "image/png" | "image/jpeg" | "image/webp";

export interface ImageHeader { mime: ImageMime; widthPx: number; heightPx: number }

/** The box's default limit on one shared file. */
export const MAX_IMAGE_BYTES = 256 * 1024 * 1024;
export const MAX_IMAGE_PIXELS = 50_000_000;
export const MAX_IMAGE_SIDE_PX = 16_384;

/** Decodes the checked bytes; the browser's createImageBitmap unless a test gives its own. */
export type DecodeImage = (data: Blob) => Promise<ImageBitmap>;

const browserDecoder: DecodeImage = (data) => createImageBitmap(data);

/**
 * Opens a PNG, JPEG or WebP image. Refuses, with a ContentRejected saying why, any other type
 * (SVG named), a header that is cut short or malformed, a picture over MAX_IMAGE_SIDE_PX on a
 * side or MAX_IMAGE_PIXELS in all (before decoding), and bytes the browser cannot decode.
 */
export async function openImage(data: ArrayBuffer, decode: DecodeImage = browserDecoder): Promise<ContentDocument> {
  if (data.byteLength > MAX_IMAGE_BYTES) {
    throw new ContentRejected(`This image is ${Math.round(data.byteLength / 2 ** 20)} MB; at most ${MAX_IMAGE_BYTES / 2 ** 20} MB can be shown.`);
  }
  const header = readImageHeader(new Uint8Array(data));
  let bitmap: ImageBitmap;
  try {
    bitmap = await decode(new Blob([data], { type: header.mime }));
  } catch (e) {
    throw new ContentRejected(`This image could not be decoded: ${(e as { message?: unknown }).message ?? String(e)}`);
  }
  // EXIF orientation may turn the picture a quarter: the area is what the header promised.
  if (bitmap.width * bitmap.height !== header.widthPx * header.heightPx) {
    bitmap.close();
    throw new ContentRejected(`This image decodes to ${bitmap.width} × ${bitmap.height}, not the ${header.widthPx} × ${header.heightPx} its header says.`);
  }
  return new ImageDocument(bitmap);
}

class ImageDocument implements ContentDocument {
  readonly kind = "image";
  readonly pageCount = 1;

  constructor(private readonly bitmap: ImageBitmap) {}

  /** Draws the picture scaled down to fit maxWidthPx × maxHeightPx and MAX_RENDER_PIXELS, never up. */
  async render(page: number, canvas: HTMLCanvasElement, options: RenderOptions = {}): Promise<{ widthPx: number; heightPx: number }> {
    if (page !== 0) throw new RangeError(`an image has only page 0, not ${page}`);
    const { width, height } = this.bitmap;
    const scale = Math.min(1, (options.maxWidthPx ?? Infinity) / width, (options.maxHeightPx ?? Infinity) / height,
      Math.sqrt(MAX_RENDER_PIXELS / (width * height)));
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    const context = canvas.getContext("2d");
    if (!context) throw new ContentRejected("This browser has no canvas to draw the image on.");
    context.imageSmoothingQuality = "high";
    context.drawImage(this.bitmap, 0, 0, canvas.width, canvas.height);
    return { widthPx: canvas.width, heightPx: canvas.height };
  }

  destroy(): void {
    this.bitmap.close();
  }
}

/** The type and dimensions of an image from its first bytes, refused when not a PNG, JPEG or WebP or over the limits. */
export function readImageHeader(bytes: Uint8Array): ImageHeader {
  const header = startsWith(bytes, PNG_SIGNATURE) ? readPng(bytes)
    : startsWith(bytes, [0xff, 0xd8, 0xff]) ? readJpeg(bytes)
    : startsWith(bytes, ascii("RIFF")) && startsWith(bytes.subarray(8), ascii("WEBP")) ? readWebP(bytes)
    : refuseType(bytes);
  const { widthPx, heightPx } = header;
  if (widthPx === 0 || heightPx === 0) throw new ContentRejected("This image is malformed: its header gives it no width or no height.");
  if (widthPx > MAX_IMAGE_SIDE_PX || heightPx > MAX_IMAGE_SIDE_PX || widthPx * heightPx > MAX_IMAGE_PIXELS) {
    throw new ContentRejected(`This image is ${widthPx} × ${heightPx} pixels; at most ${MAX_IMAGE_SIDE_PX} on a side and ` +
      `${MAX_IMAGE_PIXELS / 1_000_000} megapixels can be shown.`);
  }
  return header;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function ascii(text: string): number[] {
  return Array.from(text, (c) => c.charCodeAt(0));
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

function truncated(type: string): ContentRejected {
  return new ContentRejected(`This ${type} image is cut short: its header is incomplete.`);
}

/** PNG (RFC 2083 §3.1, §4.1.1): the signature, then IHDR first: length 13, width and height big-endian. */
function readPng(bytes: Uint8Array): ImageHeader {
  if (bytes.length < 24) throw truncated("PNG");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(8) !== 13 || !startsWith(bytes.subarray(12), ascii("IHDR"))) {
    throw new ContentRejected("This PNG image is malformed: it does not start with its IHDR header.");
  }
  return { mime: "image/png", widthPx: view.getUint32(16), heightPx: view.getUint32(20) };
}

/**
 * JPEG (ITU-T T.81 §B.1.1): marker segments after SOI up to the first start-of-frame
 * (SOF0–SOF15 except DHT C4, JPG C8 and DAC CC), whose frame header gives height then width.
 */
function readJpeg(bytes: Uint8Array): ImageHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 2;
  for (;;) {
    if (at >= bytes.length) throw truncated("JPEG");
    if (bytes[at] !== 0xff) throw new ContentRejected("This JPEG image is malformed: a marker is missing.");
    while (at < bytes.length && bytes[at] === 0xff) at++; // §B.1.1.2: any number of 0xFF fill bytes
    if (at >= bytes.length) throw truncated("JPEG");
    const marker = bytes[at++];
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue; // RSTn, TEM: no length
    if (marker === 0xda || marker === 0xd9) {
      throw new ContentRejected("This JPEG image is malformed: its image data starts before its frame header.");
    }
    if (at + 2 > bytes.length) throw truncated("JPEG");
    const length = view.getUint16(at);
    if (length < 2) throw new ContentRejected("This JPEG image is malformed: a segment has an impossible length.");
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (at + 7 > bytes.length) throw truncated("JPEG");
      // Height 0 means "given later by a DNL marker": the size cannot be known before decoding.
      const heightPx = view.getUint16(at + 3);
      if (heightPx === 0) throw new ContentRejected("This JPEG image gives its height only after its image data, so its size cannot be checked.");
      return { mime: "image/jpeg", widthPx: view.getUint16(at + 5), heightPx };
    }
    at += length;
  }
}

/**
 * WebP (RFC 9649 §2.5–2.7): RIFF "WEBP", then the first chunk — "VP8 " (lossy: the VP8 key
 * frame's 14-bit width and height, RFC 6386 §9.1), "VP8L" (lossless: 14-bit width − 1 and
 * height − 1 after the 0x2F signature) or "VP8X" (extended: 24-bit canvas width − 1, height − 1).
 */
function readWebP(bytes: Uint8Array): ImageHeader {
  if (bytes.length < 20) throw truncated("WebP");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunk = String.fromCharCode(...bytes.subarray(12, 16));
  const body = 20;
  switch (chunk) {
    case "VP8 ": {
      if (bytes.length < body + 10) throw truncated("WebP");
      if (!startsWith(bytes.subarray(body + 3), [0x9d, 0x01, 0x2a])) {
        throw new ContentRejected("This WebP image is malformed: its VP8 data does not start with a key frame.");
      }
      return { mime: "image/webp", widthPx: view.getUint16(body + 6, true) & 0x3fff, heightPx: view.getUint16(body + 8, true) & 0x3fff };
    }
    case "VP8L": {
      if (bytes.length < body + 5) throw truncated("WebP");
      if (bytes[body] !== 0x2f) throw new ContentRejected("This WebP image is malformed: its lossless data has no signature.");
      const bits = view.getUint32(body + 1, true);
      return { mime: "image/webp", widthPx: (bits & 0x3fff) + 1, heightPx: ((bits >>> 14) & 0x3fff) + 1 };
    }
    case "VP8X": {
      if (bytes.length < body + 10) throw truncated("WebP");
      const uint24 = (at: number) => bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16);
      return { mime: "image/webp", widthPx: uint24(body + 4) + 1, heightPx: uint24(body + 7) + 1 };
    }
    default:
      throw new ContentRejected("This WebP image is malformed: it starts with no VP8, VP8L or VP8X chunk.");
  }
}

function refuseType(bytes: Uint8Array): never {
  const start = new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(0, 1024)).replace(/^\uFEFF/, "").trimStart().toLowerCase();
  if (start.startsWith("<") && start.includes("<svg")) {
    throw new ContentRejected("SVG images cannot be shared: an SVG is a document that can carry scripts and links. Share it as PNG, JPEG or WebP.");
  }
  const known: [number[], string][] = [
    [ascii("GIF8"), "GIF"], [ascii("BM"), "BMP"], [[0x49, 0x49, 0x2a, 0x00], "TIFF"], [[0x4d, 0x4d, 0x00, 0x2a], "TIFF"],
  ];
  const isoBmff = bytes.length >= 12 && String.fromCharCode(...bytes.subarray(4, 8)) === "ftyp" ? "HEIF or AVIF" : undefined;
  const named = isoBmff ?? known.find(([magic]) => startsWith(bytes, magic))?.[1];
  throw new ContentRejected(named
    ? `${named} images cannot be shared: only PNG, JPEG and WebP can. Convert it and share it again.`
    : "This file is not a PNG, JPEG or WebP image.");
}

// JPEG Baseline frames decoded by the browser's own image decoder (createImageBitmap), for decode.ts's
// JpegDecoder. Absent under Node, where JPEG slices are refused instead (docs/content-sharing.md).

import { ContentRejected } from "../viewer";
import type { JpegDecoder } from "./decode";

/** The browser's decoder, or undefined where there is none (Node, an old worker). */
export function browserJpegDecoder(): JpegDecoder | undefined {
  if (typeof createImageBitmap !== "function" || typeof OffscreenCanvas !== "function") return undefined;
  return decodeJpegInBrowser;
}

async function decodeJpegInBrowser(jpeg: Uint8Array, columns: number, rows: number): Promise<Uint8Array> {
  // No colour management or premultiplication: the grey levels are measurements, not a photograph.
  const bitmap = await createImageBitmap(new Blob([jpeg.slice()], { type: "image/jpeg" }),
    { colorSpaceConversion: "none", premultiplyAlpha: "none" });
  try {
    if (bitmap.width !== columns || bitmap.height !== rows) {
      throw new ContentRejected(`corrupt JPEG pixel data: a ${bitmap.width}×${bitmap.height} frame in a ${columns}×${rows} image`);
    }
    const canvas = new OffscreenCanvas(columns, rows);
    const context = canvas.getContext("2d");
    if (context === null) throw new ContentRejected("JPEG Baseline DICOM needs a 2D canvas to decode");
    context.drawImage(bitmap, 0, 0);
    const rgba = context.getImageData(0, 0, columns, rows).data;
    const samples = new Uint8Array(columns * rows);
    for (let i = 0; i < samples.length; i++) samples[i] = rgba[i * 4];
    return samples;
  } finally {
    bitmap.close();
  }
}

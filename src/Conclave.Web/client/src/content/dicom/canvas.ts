// The one DOM step of the DICOM viewer: 8-bit grey samples onto a canvas. Kept apart from decoding so the rest
// runs under Node.

import type { RenderOptions } from "../viewer";

/**
 * Draws columns × rows grey samples; pixelAspect = row spacing / column spacing stretches the height so a
 * non-square pixel shows its true shape. The canvas is sized to the image, shrunk (never enlarged) to fit
 * maxWidthPx × maxHeightPx.
 */
export function drawSlice(canvas: HTMLCanvasElement, grey: Uint8ClampedArray, columns: number, rows: number,
  pixelAspect: number, options?: RenderOptions): { widthPx: number; heightPx: number } {
  const naturalHeight = rows * pixelAspect;
  const scale = Math.min(1, (options?.maxWidthPx ?? Infinity) / columns, (options?.maxHeightPx ?? Infinity) / naturalHeight);
  const widthPx = Math.max(1, Math.round(columns * scale));
  const heightPx = Math.max(1, Math.round(naturalHeight * scale));
  canvas.width = widthPx;
  canvas.height = heightPx;
  const context = canvas.getContext("2d");
  if (context === null) throw new Error("no 2D canvas context");
  const image = context.createImageData(columns, rows);
  const rgba = image.data;
  for (let i = 0, at = 0; i < grey.length; i++, at += 4) {
    const value = grey[i];
    rgba[at] = value;
    rgba[at + 1] = value;
    rgba[at + 2] = value;
    rgba[at + 3] = 255;
  }
  if (widthPx === columns && heightPx === rows) {
    context.putImageData(image, 0, 0);
  } else {
    const source = new OffscreenCanvas(columns, rows);
    const sourceContext = source.getContext("2d");
    if (sourceContext === null) throw new Error("no 2D canvas context");
    sourceContext.putImageData(image, 0, 0);
    context.imageSmoothingEnabled = true;
    context.drawImage(source, 0, 0, widthPx, heightPx);
  }
  return { widthPx, heightPx };
}

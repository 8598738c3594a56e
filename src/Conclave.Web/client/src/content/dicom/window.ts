// The VOI linear function (PS3.3 C.11.2.1.2.1) from modality values to 8-bit grey, and the default window
// when a file carries none. DOM-free.

import type { ViewWindow } from "../viewer";

/**
 * Maps modality values through window (center c, width w ≥ 1) to 0..255:
 *   x ≤ c − 0.5 − (w−1)/2 → 0;  x > c − 0.5 + (w−1)/2 → 255;  else ((x − (c − 0.5)) / (w−1) + 0.5) × 255.
 * MONOCHROME1 (minimum value shown white) is inverted after windowing (C.7.6.3.1.2).
 */
export function applyWindow(values: Float32Array, window: ViewWindow, invert: boolean): Uint8ClampedArray {
  const center = window.center;
  const width = Math.max(1, window.width);
  const low = center - 0.5 - (width - 1) / 2;
  const high = center - 0.5 + (width - 1) / 2;
  const grey = new Uint8ClampedArray(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    const y = x <= low ? 0 : x > high ? 255 : ((x - (center - 0.5)) / (width - 1) + 0.5) * 255;
    grey[i] = invert ? 255 - y : y;
  }
  return grey;
}

/** The window that spans the values' whole range: what a viewer shows when the file names no window. */
export function dataRangeWindow(values: Float32Array): ViewWindow {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (!Number.isFinite(min)) return { center: 0, width: 1 };
  return { center: (min + max + 1) / 2, width: Math.max(1, max - min + 1) };
}

/** A window from elsewhere (a peer's "view" message) is used only when its numbers make sense. */
export function usableWindow(window: ViewWindow | undefined): window is ViewWindow {
  return window !== undefined && Number.isFinite(window.center) && Number.isFinite(window.width) && window.width > 0;
}

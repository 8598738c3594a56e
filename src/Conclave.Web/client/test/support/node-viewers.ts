// The viewers under the test runner's Node, with @napi-rs/canvas standing in for the browser's
// canvas and image decoder. pdf.js is its legacy build (the modern one reads ES2025 globals such
// as Iterator when it loads), imported from node_modules rather than bundled, so that it finds
// @napi-rs/canvas (its Node canvas) beside itself. pdf.js 6 wants Node 22; the two ES2024
// built-ins it calls that Node 20 lacks are added here, outside the code under test.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { PdfJsAssets } from "../../src/content/pdf-view";

declare global {
  interface ArrayBuffer { transferToFixedLength?(length?: number): ArrayBuffer }
}

if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== "function") {
  Object.defineProperty(Promise, "withResolvers", {
    configurable: true,
    writable: true,
    value: function withResolvers<T>() {
      let resolve!: (value: T) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((yes, no) => { resolve = yes; reject = no; });
      return { promise, resolve, reject };
    },
  });
}
if (typeof ArrayBuffer.prototype.transferToFixedLength !== "function") {
  // ES2024 §25.1.6.8; the copy stands in for the move, and the source is left attached, which pdf.js never reads again.
  Object.defineProperty(ArrayBuffer.prototype, "transferToFixedLength", {
    configurable: true,
    writable: true,
    value: function transferToFixedLength(this: ArrayBuffer, length = this.byteLength) {
      const out = new Uint8Array(length);
      out.set(new Uint8Array(this, 0, Math.min(length, this.byteLength)));
      return out.buffer;
    },
  });
}

/** The bundle lives in artifacts/client-tests/; the client's node_modules from there. */
const clientDirectory = new URL("../../src/Conclave.Web/client/", import.meta.url);
const pdfjsDist = new URL("node_modules/pdfjs-dist/", clientDirectory);

/** pdf.js's legacy build; Node's pdf.js reads its data files by path. */
export const NODE_PDFJS_ASSETS: PdfJsAssets = {
  library: new URL("legacy/build/pdf.mjs", pdfjsDist).href,
  worker: new URL("legacy/build/pdf.worker.mjs", pdfjsDist).href,
  cMaps: fileURLToPath(new URL("cmaps/", pdfjsDist)),
  standardFonts: fileURLToPath(new URL("standard_fonts/", pdfjsDist)),
  decoders: fileURLToPath(new URL("wasm/", pdfjsDist)),
};

interface NodeImage { width: number; height: number; onload: (() => void) | null; onerror: ((e: Error) => void) | null; src: Uint8Array }
interface NodeCanvasModule {
  createCanvas(width: number, height: number): HTMLCanvasElement;
  Image: new () => NodeImage;
}

function canvasModule(): NodeCanvasModule {
  return createRequire(new URL("package.json", clientDirectory))("@napi-rs/canvas") as NodeCanvasModule;
}

/** A canvas of @napi-rs/canvas (the one pdf.js itself uses in Node), typed as the page's canvas. */
export function nodeCanvas(width = 1, height = 1): HTMLCanvasElement {
  return canvasModule().createCanvas(width, height);
}

/** Node's stand-in for createImageBitmap: @napi-rs/canvas's decoder (Skia's, as Chromium's). */
export async function nodeDecodeImage(data: Blob): Promise<ImageBitmap> {
  const image = new (canvasModule().Image)();
  const bytes = new Uint8Array(await data.arrayBuffer());
  await new Promise<void>((resolve, reject) => {
    image.onload = () => resolve();
    image.onerror = (e) => reject(e);
    image.src = bytes;
  });
  return Object.assign(image, { close() {} }) as unknown as ImageBitmap;
}

// A shared PDF, rendered by pdf.js (docs/content-sharing.md, "PDF"). pdf.js is loaded from the
// box (/js/pdfjs/, copied there from node_modules by scripts/build-client.sh) only when a PDF is
// opened, and so is everything it reads: its worker, CMaps, standard fonts and the JavaScript
// JBIG2/JPEG 2000 decoders. It runs without WebAssembly (useWasm: false), so the page's CSP
// needs neither 'wasm-unsafe-eval' nor anything but 'self'; pdf.js 6 has no eval path left
// (CVE-2024-4367 was one: FontMatrix values compiled by new Function), and no scripting here:
// the document is drawn on a canvas, its JavaScript, forms, XFA and links are never run.
import type * as PdfJs from "pdfjs-dist";
import { ContentRejected, type ContentDocument, type RenderOptions } from "./viewer";

/** Where pdf.js and the files it fetches are. Directories end in "/". */
export interface PdfJsAssets {
  /** The pdf.js library, an ES module (import()ed). */
  library: string;
  /** Its worker, an ES module script of this origin. */
  worker: string;
  cMaps: string;
  standardFonts: string;
  /** The JavaScript fallbacks of the JBIG2/CCITT and JPEG 2000 decoders (no .wasm is used). */
  decoders: string;
}

export const BOX_PDFJS_ASSETS: PdfJsAssets = {
  library: "/js/pdfjs/pdf.min.mjs",
  worker: "/js/pdfjs/pdf.worker.min.mjs",
  cMaps: "/js/pdfjs/cmaps/",
  standardFonts: "/js/pdfjs/standard_fonts/",
  decoders: "/js/pdfjs/wasm/",
};

/** The box's default limit on one shared file (docs/content-sharing.md, "Shared files"). */
export const MAX_PDF_BYTES = 256 * 1024 * 1024;
export const MAX_PDF_PAGES = 500;
/** An image inside the PDF larger than this is left out rather than decoded (same limit as a shared image). */
export const MAX_PDF_IMAGE_PIXELS = 50_000_000;
/** A rendered page is at most this many canvas pixels (64 MiB of RGBA), whatever the page size asked for. */
export const MAX_RENDER_PIXELS = 4096 * 4096;
/** PDF user space is in points (1/72 in); CSS pixels are 1/96 in. */
const CSS_PX_PER_POINT = 96 / 72;

/**
 * Opens a PDF from its bytes (the caller's buffer is copied, not handed to the worker). Refuses,
 * with a ContentRejected whose message is for people, a file over MAX_PDF_BYTES, one with a
 * password, one pdf.js cannot read, and one over MAX_PDF_PAGES pages.
 */
export async function openPdf(data: ArrayBuffer, assets: PdfJsAssets = BOX_PDFJS_ASSETS): Promise<ContentDocument> {
  if (data.byteLength > MAX_PDF_BYTES) {
    throw new ContentRejected(`This PDF is ${megabytes(data.byteLength)} MB; at most ${megabytes(MAX_PDF_BYTES)} MB can be shown.`);
  }
  let pdfjs: typeof PdfJs;
  try {
    pdfjs = (await import(assets.library)) as typeof PdfJs;
  } catch (e) {
    throw new ContentRejected(`The PDF viewer could not be loaded: ${messageOf(e)}`);
  }
  pdfjs.GlobalWorkerOptions.workerSrc = assets.worker;
  const task = pdfjs.getDocument({
    data: new Uint8Array(data.slice(0)),
    cMapUrl: assets.cMaps,
    cMapPacked: true,
    standardFontDataUrl: assets.standardFonts,
    wasmUrl: assets.decoders,
    useWasm: false,
    // Every participant draws the same glyphs from the box's fonts, so annotations land on the
    // same words whatever fonts each computer has.
    useSystemFonts: false,
    enableXfa: false,
    maxImageSize: MAX_PDF_IMAGE_PIXELS,
    verbosity: pdfjs.VerbosityLevel.ERRORS,
  });
  let pdf: PdfJs.PDFDocumentProxy;
  try {
    pdf = await task.promise;
  } catch (e) {
    void task.destroy();
    throw rejectedPdf(e);
  }
  if (pdf.numPages > MAX_PDF_PAGES) {
    void task.destroy();
    throw new ContentRejected(`This PDF has ${pdf.numPages} pages; at most ${MAX_PDF_PAGES} can be shown.`);
  }
  return new PdfDocument(task, pdf);
}

class PdfDocument implements ContentDocument {
  readonly kind = "pdf";
  readonly pageCount: number;
  /** The render in progress on each canvas: pdf.js draws one page at a time per canvas. */
  readonly #rendering = new WeakMap<HTMLCanvasElement, PdfJs.RenderTask>();

  constructor(private readonly task: PdfJs.PDFDocumentLoadingTask, private readonly pdf: PdfJs.PDFDocumentProxy) {
    this.pageCount = pdf.numPages;
  }

  /**
   * Draws page (0-based) scaled to fit maxWidthPx × maxHeightPx (at 96 dpi when neither is
   * given), never above MAX_RENDER_PIXELS. A render superseded by a later one onto the same canvas
   * rejects with an AbortError DOMException; a page pdf.js cannot draw, with a ContentRejected.
   */
  async render(page: number, canvas: HTMLCanvasElement, options: RenderOptions = {}): Promise<{ widthPx: number; heightPx: number }> {
    if (!Number.isInteger(page) || page < 0 || page >= this.pageCount) {
      throw new RangeError(`page ${page} is not in 0..${this.pageCount - 1}`);
    }
    this.#rendering.get(canvas)?.cancel();
    let task: PdfJs.RenderTask | undefined;
    try {
      const pdfPage = await this.pdf.getPage(page + 1);
      const natural = pdfPage.getViewport({ scale: CSS_PX_PER_POINT });
      const viewport = pdfPage.getViewport({ scale: CSS_PX_PER_POINT * fitScale(natural.width, natural.height, options) });
      this.#rendering.get(canvas)?.cancel();
      canvas.width = Math.max(1, Math.floor(viewport.width));
      canvas.height = Math.max(1, Math.floor(viewport.height));
      task = pdfPage.render({ canvas, viewport });
      this.#rendering.set(canvas, task);
      await task.promise;
      return { widthPx: canvas.width, heightPx: canvas.height };
    } catch (e) {
      if ((e as { name?: unknown }).name === "RenderingCancelledException") {
        throw new DOMException("A later render replaced this one", "AbortError");
      }
      throw rejectedPdf(e);
    } finally {
      if (task && this.#rendering.get(canvas) === task) this.#rendering.delete(canvas);
    }
  }

  /** Ends the document's worker; renders in progress reject. */
  destroy(): void {
    void this.task.destroy();
  }
}

/** The scale that fits width × height inside the options' box (1 when there is none) and MAX_RENDER_PIXELS. */
function fitScale(width: number, height: number, options: RenderOptions): number {
  const byWidth = options.maxWidthPx === undefined ? Infinity : options.maxWidthPx / width;
  const byHeight = options.maxHeightPx === undefined ? Infinity : options.maxHeightPx / height;
  const fit = Math.min(byWidth, byHeight);
  return Math.min(fit === Infinity ? 1 : fit, Math.sqrt(MAX_RENDER_PIXELS / (width * height)));
}

function rejectedPdf(e: unknown): ContentRejected {
  if (e instanceof ContentRejected) return e;
  if ((e as { name?: unknown }).name === "PasswordException") {
    return new ContentRejected("This PDF is protected by a password; remove the password and share it again.");
  }
  return new ContentRejected(`This PDF could not be read: ${messageOf(e)}`);
}

function messageOf(e: unknown): string {
  const message = (e as { message?: unknown }).message;
  return typeof message === "string" && message !== "" ? message : String(e);
}

function megabytes(bytes: number): number {
  return Math.round(bytes / (1024 * 1024));
}

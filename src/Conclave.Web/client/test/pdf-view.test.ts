import { test } from "node:test";
import assert from "node:assert/strict";
import type * as PdfJs from "pdfjs-dist";
import { MAX_PDF_BYTES, MAX_PDF_PAGES, openPdf } from "../src/content/pdf-view";
import { ContentRejected } from "../src/content/viewer";
import { TEXT_ORIGIN, makePdf } from "./support/make-pdf";
import { NODE_PDFJS_ASSETS, nodeCanvas } from "./support/node-viewers";

const THREE_PAGES = ["Page one: agenda", "Page two: hinge drawing rev. 7", "Page three: actions"];

function buffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer;
}

async function pageText(data: ArrayBuffer, pageNumber: number): Promise<string> {
  // The document's own text, read with the same pdf.js the viewer loads.
  const pdfjs = (await import(NODE_PDFJS_ASSETS.library)) as typeof PdfJs;
  const task = pdfjs.getDocument({ data: new Uint8Array(data), standardFontDataUrl: NODE_PDFJS_ASSETS.standardFonts, verbosity: 0 });
  try {
    const page = await (await task.promise).getPage(pageNumber);
    const content = await page.getTextContent();
    return content.items.map((item) => ("str" in item ? item.str : "")).join("");
  } finally {
    await task.destroy();
  }
}

async function rejection(promise: Promise<unknown>): Promise<ContentRejected> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof ContentRejected, `expected ContentRejected, got ${String(e)}`);
    return e;
  }
  assert.fail("expected the PDF to be refused");
}

/** Counts pixels darker than mid grey in a rectangle of an RGBA canvas. */
function darkPixels(canvas: HTMLCanvasElement, x: number, y: number, width: number, height: number): number {
  const { data } = canvas.getContext("2d")!.getImageData(x, y, width, height);
  let dark = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i] + data[i + 1] + data[i + 2] < 3 * 128) dark++;
  return dark;
}

test("a three-page PDF opens as a pdf document of three pages, and page 2 holds its line of text", async () => {
  const data = buffer(makePdf({ pageTexts: THREE_PAGES }));
  const document = await openPdf(data, NODE_PDFJS_ASSETS);
  try {
    assert.equal(document.kind, "pdf");
    assert.equal(document.pageCount, 3);
    assert.equal(data.byteLength > 0, true, "the caller's buffer is left attached");
    assert.equal(await pageText(data, 2), "Page two: hinge drawing rev. 7");
  } finally {
    document.destroy();
  }
});

test("rendering a page fits it to the width asked and draws its text dark where the PDF places it, and nowhere else", async () => {
  const document = await openPdf(buffer(makePdf({ pageTexts: THREE_PAGES })), NODE_PDFJS_ASSETS);
  try {
    const canvas = nodeCanvas();
    const size = await document.render(1, canvas, { maxWidthPx: 612 });
    assert.deepEqual(size, { widthPx: 612, heightPx: 792 });
    assert.equal(canvas.width, 612);
    // At this scale one pixel is one point; canvas y grows downward from the page's top.
    const baseline = TEXT_ORIGIN.pageHeight - TEXT_ORIGIN.y;
    const textBand = darkPixels(canvas, TEXT_ORIGIN.x, baseline - TEXT_ORIGIN.fontSize, 300, TEXT_ORIGIN.fontSize);
    assert.ok(textBand > 200, `the text band has ${textBand} dark pixels`);
    assert.equal(darkPixels(canvas, 0, baseline + 10, 612, 792 - baseline - 10), 0, "below the line the page is blank");
    assert.equal(darkPixels(canvas, 0, 0, TEXT_ORIGIN.x - 2, 792), 0, "the left margin is blank");
  } finally {
    document.destroy();
  }
});

/**
 * A 16 × 8 CCITT Group 4 picture (ITU-T T.6), white but for a black 8 × 4 block at columns
 * 4–11, rows 2–5; each row coded against the one above (the first against a white line).
 */
function ccittBlock(): Uint8Array {
  const rows = [
    "1", "1", // white rows: V0 to the end of the line
    "001" + "1011" + "000101" + "1", // horizontal mode: white run 4, black run 8; then V0 to the end
    "111", "111", "111", // V0 at each of the row above's changes
    "0001" + "1", // pass mode over the block's edges, then V0 to the end
    "1",
  ].join("");
  const bits = rows.padEnd(Math.ceil(rows.length / 8) * 8, "0");
  return Uint8Array.from({ length: bits.length / 8 }, (_, i) => parseInt(bits.slice(8 * i, 8 * i + 8), 2));
}

test("a CCITT-compressed image renders without WebAssembly, through pdf.js's JavaScript decoder from the assets", async () => {
  const image = {
    dictionary: "/Width 16 /Height 8 /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /CCITTFaxDecode " +
      "/DecodeParms << /K -1 /Columns 16 /Rows 8 >>",
    data: ccittBlock(), x: 100, y: 500, width: 160, height: 80,
  };
  const document = await openPdf(buffer(makePdf({ pageTexts: ["scan"], image })), NODE_PDFJS_ASSETS);
  try {
    const canvas = nodeCanvas();
    await document.render(0, canvas, { maxWidthPx: 612 });
    // Ten points per image pixel; the image's top edge is 792 − 580 = 212 from the page's top.
    const block = darkPixels(canvas, 100 + 4 * 10 + 2, 212 + 2 * 10 + 2, 8 * 10 - 4, 4 * 10 - 4);
    assert.equal(block, (8 * 10 - 4) * (4 * 10 - 4), "the black block is black");
    assert.equal(darkPixels(canvas, 100 + 2, 212 + 2, 160 - 4, 2 * 10 - 4), 0, "the rows above it are white");
    assert.equal(darkPixels(canvas, 100 + 2, 212 + 20, 4 * 10 - 4, 40), 0, "the columns left of it are white");
  } finally {
    document.destroy();
  }
});

test("rendering fits the page inside both limits, keeping its proportions", async () => {
  const document = await openPdf(buffer(makePdf({ pageTexts: THREE_PAGES })), NODE_PDFJS_ASSETS);
  try {
    assert.deepEqual(await document.render(0, nodeCanvas(), { maxWidthPx: 1000, maxHeightPx: 396 }), { widthPx: 306, heightPx: 396 });
    assert.deepEqual(await document.render(2, nodeCanvas()), { widthPx: 816, heightPx: 1056 }, "96 dpi when no limit is given");
    await assert.rejects(document.render(3, nodeCanvas()), RangeError);
  } finally {
    document.destroy();
  }
});

test("bytes that are not a PDF are refused as unreadable", async () => {
  const refused = await rejection(openPdf(buffer(new TextEncoder().encode("<html>not a pdf</html>")), NODE_PDFJS_ASSETS));
  assert.match(refused.message, /^This PDF could not be read: /);
});

test("an empty file is refused as unreadable", async () => {
  const refused = await rejection(openPdf(new ArrayBuffer(0), NODE_PDFJS_ASSETS));
  assert.match(refused.message, /^This PDF could not be read: /);
});

test("a PDF cut short before its page tree is refused as unreadable", async () => {
  const whole = makePdf({ pageTexts: THREE_PAGES });
  const cut = whole.subarray(0, new TextDecoder("latin1").decode(whole).indexOf("2 0 obj"));
  const refused = await rejection(openPdf(buffer(cut), NODE_PDFJS_ASSETS));
  assert.match(refused.message, /^This PDF could not be read: /);
});

test("a PDF whose objects are overwritten with noise is refused or opened, never thrown as another error", async () => {
  const whole = makePdf({ pageTexts: THREE_PAGES });
  for (let seed = 1; seed <= 20; seed++) {
    const noisy = whole.slice();
    for (let i = 0; i < 40; i++) noisy[(seed * 7919 * (i + 1)) % noisy.length] = (seed * 31 + i * 17) & 0xff;
    try {
      const document = await openPdf(buffer(noisy), NODE_PDFJS_ASSETS);
      try {
        await document.render(0, nodeCanvas(), { maxWidthPx: 100 });
      } catch (e) {
        assert.ok(e instanceof ContentRejected, `seed ${seed}: render threw ${String(e)}`);
      } finally {
        document.destroy();
      }
    } catch (e) {
      assert.ok(e instanceof ContentRejected, `seed ${seed}: open threw ${String(e)}`);
    }
  }
});

test("a password-protected PDF is refused with a message that says so", async () => {
  const locked = makePdf({ pageTexts: ["Quarterly figures"], userPassword: "s3cret" });
  const refused = await rejection(openPdf(buffer(locked), NODE_PDFJS_ASSETS));
  assert.equal(refused.message, "This PDF is protected by a password; remove the password and share it again.");
  const pdfjs = (await import(NODE_PDFJS_ASSETS.library)) as typeof PdfJs;
  const task = pdfjs.getDocument({ data: locked.slice(), password: "s3cret", verbosity: 0 });
  const page = await (await task.promise).getPage(1);
  const content = await page.getTextContent();
  assert.equal(content.items.map((item) => ("str" in item ? item.str : "")).join(""), "Quarterly figures", "with its password it is a readable, encrypted PDF");
  await task.destroy();
});

test("a file over the size limit is refused before pdf.js reads it", async () => {
  const refused = await rejection(openPdf(new ArrayBuffer(MAX_PDF_BYTES + 1), NODE_PDFJS_ASSETS));
  assert.equal(refused.message, "This PDF is 256 MB; at most 256 MB can be shown.");
});

test("a PDF of more pages than the limit is refused, naming both counts", async () => {
  const pages = Array.from({ length: MAX_PDF_PAGES + 1 }, (_, i) => `page ${i + 1}`);
  const refused = await rejection(openPdf(buffer(makePdf({ pageTexts: pages })), NODE_PDFJS_ASSETS));
  assert.equal(refused.message, `This PDF has ${MAX_PDF_PAGES + 1} pages; at most ${MAX_PDF_PAGES} can be shown.`);
});

test("a PDF of exactly the page limit opens", async () => {
  const pages = Array.from({ length: MAX_PDF_PAGES }, (_, i) => `page ${i + 1}`);
  const document = await openPdf(buffer(makePdf({ pageTexts: pages })), NODE_PDFJS_ASSETS);
  assert.equal(document.pageCount, MAX_PDF_PAGES);
  document.destroy();
});

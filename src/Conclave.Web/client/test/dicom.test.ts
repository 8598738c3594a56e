import "./support/node-require";
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseDicom } from "dicom-parser";
import { applyWindow, dataRangeWindow } from "../src/content/dicom/window";
import { MAX_SLICES, openDicomSeries, phiBannerText } from "../src/content/dicom/series";
import { ContentRejected } from "../src/content/viewer";
import { COLUMNS, ROWS, makeSeries, modalityValue, type Pattern } from "./support/dicom-series";

/** Every pixel of every slice equals the generator's pattern. */
async function assertPattern(files: ArrayBuffer[], pattern: Pattern): Promise<void> {
  const series = await openDicomSeries(files);
  assert.equal(series.pageCount, files.length);
  for (let k = 0; k < files.length; k++) {
    const { columns, rows, values } = await series.slicePixels(k);
    assert.equal(columns, COLUMNS);
    assert.equal(rows, ROWS);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < columns; c++) {
        const expected = modalityValue(pattern, k, r, c);
        if (values[r * columns + c] !== expected) {
          assert.fail(`slice ${k} pixel (${r}, ${c}): ${values[r * columns + c]}, expected ${expected}`);
        }
      }
    }
  }
}

async function assertRejected(promise: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ContentRejected, `not ContentRejected: ${String(error)}`);
    assert.match(error.message, message);
    return true;
  });
}

/** A canvas that keeps what is put on it: enough of HTMLCanvasElement for drawSlice at natural size. */
function recordingCanvas(): { canvas: HTMLCanvasElement; grey: (x: number, y: number) => number } {
  let image: { width: number; data: Uint8ClampedArray } | undefined;
  const context = {
    createImageData: (width: number, height: number) => ({ width, height, data: new Uint8ClampedArray(width * height * 4) }),
    putImageData: (data: { width: number; data: Uint8ClampedArray }) => { image = data; },
  };
  const canvas = { width: 0, height: 0, getContext: () => context } as unknown as HTMLCanvasElement;
  return { canvas, grey: (x, y) => image!.data[(y * image!.width + x) * 4] };
}

/** Overwrites an element's value bytes in a copy of file (same length). */
function patched(file: ArrayBuffer, tag: string, value: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(file.slice(0));
  const element = parseDicom(copy).elements[tag];
  assert.ok(element !== undefined && element.length >= value.length);
  copy.set(value, element.dataOffset);
  return copy.buffer;
}

const uint16 = (value: number) => new Uint8Array([value & 0xff, value >> 8]);
const ascii = (value: string) => new TextEncoder().encode(value);

test("explicit VR little endian slices read back the generator's values at every pixel, rescaled", async () => {
  await assertPattern(await makeSeries("--syntax", "explicit", "--slices", "3"), { bits: 16 });
});

test("implicit VR little endian slices read back the same values", async () => {
  await assertPattern(await makeSeries("--syntax", "implicit", "--slices", "3"), { bits: 16 });
});

test("RLE Lossless slices (dcmcrle) decode to the same values", async () => {
  await assertPattern(await makeSeries("--syntax", "rle", "--slices", "3"), { bits: 16 });
});

test("signed 16-bit slices apply Rescale Slope 2 and Intercept -1024 to negative stored values", async () => {
  const pattern = { bits: 16, signed: true, slope: 2, intercept: -1024 } as const;
  for (const syntax of ["explicit", "implicit", "rle"]) {
    await assertPattern(await makeSeries("--syntax", syntax, "--slices", "2", "--signed", "--slope", "2", "--intercept", "-1024"), pattern);
  }
  const series = await openDicomSeries(await makeSeries("--syntax", "explicit", "--slices", "2", "--signed", "--slope", "2", "--intercept", "-1024"));
  assert.equal((await series.slicePixels(0)).values[0], -300 * 2 - 1024);
});

test("8-bit slices read back in explicit, implicit and RLE", async () => {
  for (const syntax of ["explicit", "implicit", "rle"]) {
    await assertPattern(await makeSeries("--syntax", syntax, "--slices", "2", "--bits", "8"), { bits: 8 });
  }
});

test("bits above Bits Stored are masked off and the sign taken from the High Bit", async () => {
  await assertPattern(await makeSeries("--syntax", "explicit", "--slices", "2", "--dirty-high-bits"), { bits: 16 });
  await assertPattern(await makeSeries("--syntax", "explicit", "--slices", "2", "--dirty-high-bits", "--signed"), { bits: 16, signed: true });
});

test("the linear VOI function puts the window centre at 128, clips below and above, and MONOCHROME1 inverts", () => {
  const window = { center: 400, width: 1000 };
  const grey = applyWindow(new Float32Array([400, -100, 900, -101, 900.5, 150]), window, false);
  assert.deepEqual([...grey], [128, 0, 255, 0, 255, 64]);
  assert.deepEqual([...applyWindow(new Float32Array([400, -101, 901]), window, true)], [127, 255, 0]);
  assert.deepEqual(dataRangeWindow(new Float32Array([-1024, 0, 3071])), { center: 1024, width: 4096 });
});

test("render draws the windowed slice: the header's window by default, the one asked for otherwise", async () => {
  const series = await openDicomSeries(await makeSeries("--syntax", "explicit", "--slices", "2"));
  assert.deepEqual(series.defaultWindow, { center: 400, width: 1000 });
  const { canvas, grey } = recordingCanvas();
  // Slice 0, row 0, column 0 stores 100: (100 − 399.5) / 999 + 0.5 → 0.2002 × 255 = 51.
  assert.deepEqual(await series.render(0, canvas), { widthPx: COLUMNS, heightPx: ROWS });
  assert.equal(grey(0, 0), 51);
  assert.equal(grey(4, 4), 255);   // the square, 2000
  // Centre the window on the value at (row 0, column 10) = 130; 100 is then (100 − 129.5) / 999 + 0.5 → 120.
  await series.render(0, canvas, { window: { center: 130, width: 1000 } });
  assert.equal(grey(10, 0), 128);
  assert.equal(grey(0, 0), 120);
});

test("without a window in the files the data range of the first slice is the default window", async () => {
  const series = await openDicomSeries(await makeSeries("--syntax", "explicit", "--slices", "2", "--window", ""));
  // Slice 0 runs from 100 (row 0, column 0) to 2000 (the square).
  assert.deepEqual(series.defaultWindow, { center: 1050.5, width: 1901 });
});

test("a MONOCHROME1 slice is drawn inverted: its lowest value white", async () => {
  const series = await openDicomSeries(await makeSeries("--syntax", "explicit", "--slices", "1", "--window", "", "--photometric", "MONOCHROME1"));
  const { canvas, grey } = recordingCanvas();
  await series.render(0, canvas);
  assert.equal(grey(0, 0), 255);
  assert.equal(grey(4, 4), 0);
});

test("slices without instance numbers are ordered by position along the normal, whatever order the files come in", async () => {
  const files = await makeSeries("--syntax", "explicit", "--slices", "4", "--instance-numbers", "none");
  const series = await openDicomSeries([files[2], files[0], files[3], files[1]]);
  for (let k = 0; k < 4; k++) {
    const { values } = await series.slicePixels(k);
    // Slice k's square starts at row 4 + 2k, column 4 + 3k.
    assert.equal(values[(4 + 2 * k) * COLUMNS + 4 + 3 * k], 2000, `page ${k}`);
    assert.equal(values[0], 100 + k);
  }
});

test("instance numbers come first: numbered in reverse, the last file is the first slice", async () => {
  const files = await makeSeries("--syntax", "explicit", "--slices", "3", "--instance-numbers", "reversed");
  const series = await openDicomSeries(files);
  assert.equal((await series.slicePixels(0)).values[0], 100 + 2);
  assert.equal((await series.slicePixels(2)).values[0], 100);
});

test("files of two series are refused: one series at a time", async () => {
  const first = await makeSeries("--syntax", "explicit", "--slices", "2");
  const second = await makeSeries("--syntax", "explicit", "--slices", "2", "--series-number", "2");
  await assertRejected(openDicomSeries([...first, second[0]]), /one series at a time/);
});

test("a JPEG 2000 file is refused with its transfer syntax named", async () => {
  await assertRejected(openDicomSeries(await makeSeries("--syntax", "jpeg2000-label", "--slices", "1")),
    /unsupported transfer syntax JPEG 2000 Lossless \(1\.2\.840\.10008\.1\.2\.4\.90\)/);
});

test("big endian is refused with its transfer syntax named", async () => {
  const [file] = await makeSeries("--syntax", "explicit", "--slices", "1");
  await assertRejected(openDicomSeries([patched(file, "x00020010", ascii("1.2.840.10008.1.2.2"))]),
    /unsupported transfer syntax Explicit VR Big Endian/);
});

test("JPEG Baseline is refused under Node for want of a decoder, and decoded through an injected one", async () => {
  const files = await makeSeries("--syntax", "jpeg-baseline", "--bits", "8", "--slices", "2");
  await assertRejected(openDicomSeries(files), /needs a browser/);
  const seen: Uint8Array[] = [];
  const series = await openDicomSeries(files, {
    decodeJpeg: async (jpeg, columns, rows) => {
      seen.push(jpeg.slice());
      return new Uint8Array(columns * rows).fill(77);
    },
  });
  assert.equal((await series.slicePixels(1)).values[5], 77);
  assert.ok(seen.length >= 1);
  assert.deepEqual([...seen[0].subarray(0, 2)], [0xff, 0xd8]);   // SOI: the fragment is the JPEG stream itself
  const tail = seen[0].subarray(seen[0].length - 3);
  assert.ok(tail.includes(0xd9), "EOI at the end");
  const failing = await openDicomSeries(files, { decodeJpeg: async () => { throw new Error("bad"); } });
  await assertRejected(failing.slicePixels(0), /corrupt JPEG/);
});

test("pixel data cut short is refused, native and RLE", async () => {
  const [native] = await makeSeries("--syntax", "explicit", "--slices", "1");
  await assertRejected(openDicomSeries([native.slice(0, native.byteLength - 100)]), /truncated|corrupt/);
  const [rle] = await makeSeries("--syntax", "rle", "--slices", "1");
  await assertRejected(openDicomSeries([rle.slice(0, rle.byteLength - 200)]), /truncated|corrupt/);
});

test("an RLE segment that ends before the image does is refused", async () => {
  const [rle] = await makeSeries("--syntax", "rle", "--slices", "1");
  const bytes = new Uint8Array(rle.slice(0));
  const element = parseDicom(bytes).elements.x7fe00010;
  const fragment = element.fragments![0];
  // Point the second segment at the fragment's last byte: the low bytes cannot fill the image.
  new DataView(bytes.buffer).setUint32(fragment.position + 8, fragment.length - 1, true);
  const series = await openDicomSeries([bytes.buffer]);
  await assertRejected(series.slicePixels(0), /corrupt RLE pixel data/);
  await assertRejected(series.render(0, recordingCanvas().canvas), /corrupt RLE pixel data/);
});

test("a header claiming 65535 × 65535 pixels is refused on its size, not decoded", async () => {
  const [file] = await makeSeries("--syntax", "rle", "--slices", "1");
  const huge = patched(patched(file, "x00280010", uint16(65535)), "x00280011", uint16(65535));
  await assertRejected(openDicomSeries([huge]), /65535×65535 pixels; at most 4096×4096/);
  await assertRejected(openDicomSeries(new Array<ArrayBuffer>(MAX_SLICES + 1).fill(file)), /at most 2000/);
});

test("multi-frame objects are refused", async () => {
  await assertRejected(openDicomSeries(await makeSeries("--syntax", "explicit", "--slices", "1", "--frames", "2")), /multi-frame/);
});

test("damaged files are refused with ContentRejected and never throw anything else", async () => {
  const sources = [
    ...(await makeSeries("--syntax", "explicit", "--slices", "1")),
    ...(await makeSeries("--syntax", "implicit", "--slices", "1")),
    ...(await makeSeries("--syntax", "rle", "--slices", "1")),
  ];
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  for (let round = 0; round < 300; round++) {
    const source = new Uint8Array(sources[round % sources.length]);
    const mutant = source.slice(0, round % 7 === 0 ? Math.floor(next() * source.length) : source.length);
    for (let flips = 1 + Math.floor(next() * 8); flips > 0; flips--) {
      mutant[Math.floor(next() * mutant.length)] = Math.floor(next() * 256);
    }
    try {
      const series = await openDicomSeries([mutant.buffer]);
      await series.slicePixels(0);
    } catch (error) {
      if (!(error instanceof ContentRejected)) assert.fail(`round ${round}: ${String(error)}`);
    }
  }
});

test("phi names the patient, ID, birth and study dates and institution, and the banner formats them", async () => {
  const series = await openDicomSeries(await makeSeries("--syntax", "implicit", "--slices", "2"));
  assert.deepEqual(series.phi, {
    patientName: "MARKER^PATIENT^PHI",
    patientId: "MARKER-ID-PHI",
    birthDate: "19010203",
    studyDate: "19020304",
    institution: "MARKER INSTITUTION PHI",
  });
  assert.equal(phiBannerText(series.phi),
    "MARKER, PATIENT PHI · ID MARKER-ID-PHI · born 1901-02-03 · study 1902-03-04 · MARKER INSTITUTION PHI");
  assert.equal(phiBannerText({}), "");
});

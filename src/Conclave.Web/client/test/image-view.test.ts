import { test } from "node:test";
import assert from "node:assert/strict";
import { crc32 } from "node:zlib";
import { MAX_IMAGE_BYTES, openImage, readImageHeader } from "../src/content/image-view";
import { ContentRejected } from "../src/content/viewer";
import { nodeCanvas, nodeDecodeImage } from "./support/node-viewers";

const bytes = (...parts: (number[] | Uint8Array | string)[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === "string" ? Array.from(p, (c) => c.charCodeAt(0)) : Array.from(p))));
const u32be = (n: number) => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const u16be = (n: number) => [n >> 8, n & 0xff];
const u16le = (n: number) => [n & 0xff, n >> 8];
const u24le = (n: number) => [n & 0xff, (n >> 8) & 0xff, n >> 16];

/** A PNG signature and IHDR chunk (RFC 2083 §4.1.1), 8-bit RGBA, and nothing after it. */
function pngHeader(width: number, height: number): Uint8Array {
  const ihdr = bytes("IHDR", u32be(width), u32be(height), [8, 6, 0, 0, 0]);
  return bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], u32be(13), ihdr, u32be(crc32(ihdr)));
}

/** SOI, a JFIF APP0 segment, then a frame header with the given SOF marker. */
function jpegHeader(width: number, height: number, sof = 0xc0): Uint8Array {
  const app0 = bytes([0xff, 0xe0], u16be(16), "JFIF\0", [1, 1, 0], u16be(1), u16be(1), [0, 0]);
  const frame = bytes([0xff, sof], u16be(17), [8], u16be(height), u16be(width), [3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  return bytes([0xff, 0xd8], app0, frame);
}

function riff(chunk: string, body: number[]): Uint8Array {
  const payload = bytes("WEBP", chunk, u32be(0).reverse(), body);
  return bytes("RIFF", [payload.length & 0xff, (payload.length >> 8) & 0xff, 0, 0], payload);
}

const webpLossy = (width: number, height: number) => riff("VP8 ", [0x30, 0x01, 0x00, 0x9d, 0x01, 0x2a, ...u16le(width), ...u16le(height)]);
function webpLossless(width: number, height: number): Uint8Array {
  const bits = ((width - 1) | ((height - 1) << 14)) >>> 0;
  return riff("VP8L", [0x2f, bits & 0xff, (bits >>> 8) & 0xff, (bits >>> 16) & 0xff, bits >>> 24]);
}
const webpExtended = (width: number, height: number) => riff("VP8X", [0x10, 0, 0, 0, ...u24le(width - 1), ...u24le(height - 1)]);

function refused(read: () => unknown): string {
  try {
    read();
  } catch (e) {
    assert.ok(e instanceof ContentRejected, `expected ContentRejected, got ${String(e)}`);
    return e.message;
  }
  return assert.fail("expected the image to be refused");
}

/** A decoder that must not be reached. */
async function neverDecode(): Promise<ImageBitmap> {
  throw new Error("decoded although the header should have been refused");
}

async function refusedOpen(data: Uint8Array): Promise<string> {
  try {
    await openImage(data.slice().buffer, neverDecode);
  } catch (e) {
    assert.ok(e instanceof ContentRejected, `expected ContentRejected, got ${String(e)}`);
    return e.message;
  }
  return assert.fail("expected the image to be refused");
}

test("PNG, JPEG (baseline and progressive) and WebP (lossy, lossless, extended) are recognised with their sizes from the header", () => {
  assert.deepEqual(readImageHeader(pngHeader(640, 480)), { mime: "image/png", widthPx: 640, heightPx: 480 });
  assert.deepEqual(readImageHeader(jpegHeader(1920, 1080)), { mime: "image/jpeg", widthPx: 1920, heightPx: 1080 });
  assert.deepEqual(readImageHeader(jpegHeader(300, 200, 0xc2)), { mime: "image/jpeg", widthPx: 300, heightPx: 200 });
  assert.deepEqual(readImageHeader(webpLossy(1024, 768)), { mime: "image/webp", widthPx: 1024, heightPx: 768 });
  assert.deepEqual(readImageHeader(webpLossless(16383, 3)), { mime: "image/webp", widthPx: 16383, heightPx: 3 });
  assert.deepEqual(readImageHeader(webpExtended(4000, 3000)), { mime: "image/webp", widthPx: 4000, heightPx: 3000 });
});

test("a JPEG's size is found past a Huffman table (its marker C4 lies among the frame markers) and fill bytes", () => {
  const dht = bytes([0xff, 0xc4], u16be(5), [0, 0, 0]);
  const frame = jpegHeader(800, 600).subarray(20);
  assert.deepEqual(readImageHeader(bytes([0xff, 0xd8], dht, [0xff, 0xff, 0xff], frame)), { mime: "image/jpeg", widthPx: 800, heightPx: 600 });
});

test("a PNG claiming 100000 × 100000 pixels is refused before any decoding", async () => {
  const message = await refusedOpen(pngHeader(100_000, 100_000));
  assert.equal(message, "This image is 100000 × 100000 pixels; at most 16384 on a side and 50 megapixels can be shown.");
});

test("a side over 16384 pixels or an area over 50 megapixels is refused, and just under both is let through to decoding", async () => {
  assert.match(refused(() => readImageHeader(pngHeader(16_385, 1))), /16385 × 1 pixels/);
  assert.match(refused(() => readImageHeader(jpegHeader(1, 16_385))), /1 × 16385 pixels/);
  assert.match(refused(() => readImageHeader(webpExtended(8_000, 6_251))), /8000 × 6251 pixels/);
  assert.match(refused(() => readImageHeader(webpExtended(16_777_216, 16_777_216))), /16777216 × 16777216 pixels/);
  assert.deepEqual(readImageHeader(pngHeader(16_384, 3_051)), { mime: "image/png", widthPx: 16_384, heightPx: 3_051 });
  let decoded = 0;
  await assert.rejects(openImage(pngHeader(8_000, 6_250).slice().buffer, async () => { decoded++; throw new Error("no image data"); }),
    (e) => e instanceof ContentRejected && e.message === "This image could not be decoded: no image data");
  assert.equal(decoded, 1, "exactly 50 megapixels goes on to the decoder");
});

test("a zero width or height is refused as malformed", () => {
  assert.match(refused(() => readImageHeader(pngHeader(0, 10))), /malformed/);
  assert.match(refused(() => readImageHeader(jpegHeader(10, 0))), /height only after its image data/);
});

test("SVG is refused, naming why, whether it starts with <svg, an XML declaration or a byte-order mark", async () => {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>';
  for (const text of [svg, `<?xml version="1.0" encoding="UTF-8"?>\n${svg}`, `\uFEFF  <!-- drawing -->\n${svg}`]) {
    const message = await refusedOpen(new TextEncoder().encode(text));
    assert.equal(message, "SVG images cannot be shared: an SVG is a document that can carry scripts and links. Share it as PNG, JPEG or WebP.");
  }
});

test("GIF, BMP, TIFF and HEIF/AVIF are refused by name, and anything else as not an image", async () => {
  assert.match(await refusedOpen(bytes("GIF89a", [1, 0, 1, 0])), /^GIF images cannot be shared/);
  assert.match(await refusedOpen(bytes("BM", [0, 0, 0, 0])), /^BMP images cannot be shared/);
  assert.match(await refusedOpen(bytes([0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0])), /^TIFF images cannot be shared/);
  assert.match(await refusedOpen(bytes([0, 0, 0, 0x1c], "ftypavif", [0, 0, 0, 0])), /^HEIF or AVIF images cannot be shared/);
  assert.equal(await refusedOpen(bytes("%PDF-1.7\n")), "This file is not a PNG, JPEG or WebP image.");
  assert.equal(await refusedOpen(new Uint8Array(0)), "This file is not a PNG, JPEG or WebP image.");
});

test("every header cut short of the bytes holding its size is refused as incomplete, never read past its end", () => {
  // PNG: signature, IHDR length and type, width, height; JPEG: up to the frame header's width
  // (its 10 bytes of component specifications are not needed); WebP: the whole chunk start.
  for (const [name, whole, sizeEnd] of [["PNG", pngHeader(64, 64), 24], ["JPEG", jpegHeader(64, 64), 20 + 9],
    ["WebP", webpLossy(64, 64), 30], ["WebP", webpLossless(64, 64), 25], ["WebP", webpExtended(64, 64), 30]] as const) {
    const signature = name === "PNG" ? 8 : name === "JPEG" ? 3 : 12;
    assert.deepEqual(readImageHeader(whole.subarray(0, sizeEnd)), { mime: `image/${name.toLowerCase()}`, widthPx: 64, heightPx: 64 });
    for (let length = signature; length < sizeEnd; length++) {
      const message = refused(() => readImageHeader(whole.subarray(0, length)));
      assert.equal(message, `This ${name} image is cut short: its header is incomplete.`, `${name} cut at ${length}`);
    }
  }
});

test("malformed headers are refused: a PNG without IHDR first, a JPEG without markers or with image data before its frame, a WebP of another chunk", () => {
  const png = pngHeader(10, 10);
  png[12] = "X".charCodeAt(0);
  assert.match(refused(() => readImageHeader(png)), /does not start with its IHDR header/);
  assert.match(refused(() => readImageHeader(bytes([0xff, 0xd8, 0xff, 0xe0, 0, 16], new Uint8Array(14), [0x12, 0x34]))), /a marker is missing/);
  assert.match(refused(() => readImageHeader(bytes([0xff, 0xd8, 0xff, 0xda, 0, 8]))), /image data starts before its frame header/);
  assert.match(refused(() => readImageHeader(bytes([0xff, 0xd8, 0xff, 0xe1, 0, 1, 0, 0]))), /impossible length/);
  assert.match(refused(() => readImageHeader(riff("ALPH", new Array(12).fill(0)))), /no VP8, VP8L or VP8X chunk/);
  assert.match(refused(() => readImageHeader(riff("VP8 ", [0, 0, 0, 1, 2, 3, 0, 0, 0, 0]))), /key frame/);
});

test("a file over the size limit is refused before its header is read", async () => {
  const message = await refusedOpen(new Uint8Array(MAX_IMAGE_BYTES + 1));
  assert.equal(message, "This image is 256 MB; at most 256 MB can be shown.");
});

/** A 40 × 20 picture, red on the left half and blue on the right, encoded by Skia. */
function encodedPicture(mime: "image/png" | "image/jpeg" | "image/webp"): Uint8Array {
  const canvas = nodeCanvas(40, 20);
  const context = canvas.getContext("2d")!;
  context.fillStyle = "#ff0000";
  context.fillRect(0, 0, 20, 20);
  context.fillStyle = "#0000ff";
  context.fillRect(20, 0, 20, 20);
  return new Uint8Array((canvas as unknown as { toBuffer(mime: string): Uint8Array }).toBuffer(mime));
}

for (const [mime, name] of [["image/png", "PNG"], ["image/jpeg", "JPEG"], ["image/webp", "WebP"]] as const) {
  test(`a ${name} made by an encoder opens as one page and renders scaled to fit, its colours where they were`, async () => {
    const document = await openImage(encodedPicture(mime).slice().buffer, nodeDecodeImage);
    try {
      assert.equal(document.kind, "image");
      assert.equal(document.pageCount, 1);
      const canvas = nodeCanvas();
      assert.deepEqual(await document.render(0, canvas, { maxWidthPx: 20, maxHeightPx: 100 }), { widthPx: 20, heightPx: 10 });
      const pixel = (x: number, y: number) => Array.from(canvas.getContext("2d")!.getImageData(x, y, 1, 1).data.subarray(0, 3));
      const [r1, , b1] = pixel(3, 5);
      const [r2, , b2] = pixel(16, 5);
      assert.ok(r1 > 200 && b1 < 60, `left is red: ${pixel(3, 5)}`);
      assert.ok(b2 > 200 && r2 < 60, `right is blue: ${pixel(16, 5)}`);
      assert.deepEqual(await document.render(0, canvas, { maxWidthPx: 4000 }), { widthPx: 40, heightPx: 20 }, "never scaled up");
      await assert.rejects(document.render(1, canvas), RangeError);
    } finally {
      document.destroy();
    }
  });
}

test("bytes with a valid header that do not decode are refused as undecodable", async () => {
  const png = encodedPicture("image/png");
  const broken = png.slice(0, 60);
  await assert.rejects(openImage(broken.buffer, nodeDecodeImage), (e) => e instanceof ContentRejected && /^This image could not be decoded: /.test(e.message));
});

test("a decoded picture of another size than its header says is refused", async () => {
  let closed = false;
  const otherSize = async () => ({ width: 41, height: 20, close: () => { closed = true; } }) as unknown as ImageBitmap;
  await assert.rejects(openImage(encodedPicture("image/png").slice().buffer, otherSize),
    (e) => e instanceof ContentRejected && e.message === "This image decodes to 41 × 20, not the 40 × 20 its header says.");
  assert.ok(closed, "the decoded bitmap is released");
});

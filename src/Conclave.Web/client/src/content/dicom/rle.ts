// RLE Lossless decoding, PS3.5 Annex G: one frame is one RLE image = a 64-byte header (segment count, then
// fifteen segment offsets) and one PackBits-compressed segment per byte plane, most significant plane first
// (G.2). The output is the frame's samples in native little-endian layout, so native and RLE pixels share
// one sample reader.

import { ContentRejected } from "../viewer";

const HEADER_BYTES = 64;

/**
 * Decodes one frame of bytesPerSample-byte greyscale samples. Every read and write is bounds-checked and each
 * step consumes input, so a hostile fragment ends in ContentRejected, never an overrun or a hang.
 */
export function decodeRleFrame(fragment: Uint8Array, pixelCount: number, bytesPerSample: number): Uint8Array {
  if (fragment.length < HEADER_BYTES) throw new ContentRejected("corrupt RLE pixel data: shorter than its header");
  const header = new DataView(fragment.buffer, fragment.byteOffset, HEADER_BYTES);
  const segmentCount = header.getUint32(0, true);
  if (segmentCount !== bytesPerSample) {
    throw new ContentRejected(`corrupt RLE pixel data: ${segmentCount} segments where ${bytesPerSample} are needed`);
  }
  const out = new Uint8Array(pixelCount * bytesPerSample);
  for (let segment = 0; segment < segmentCount; segment++) {
    const start = header.getUint32(4 + 4 * segment, true);
    const end = segment + 1 < segmentCount ? header.getUint32(8 + 4 * segment, true) : fragment.length;
    if (start < HEADER_BYTES || end < start || end > fragment.length) {
      throw new ContentRejected("corrupt RLE pixel data: a segment offset lies outside the fragment");
    }
    // Segment 0 holds the most significant bytes (G.2); little-endian byte index = bytesPerSample - 1 - segment.
    if (!unpackSegment(fragment, start, end, out, bytesPerSample - 1 - segment, bytesPerSample, pixelCount)) {
      throw new ContentRejected("corrupt RLE pixel data: a segment ends before its image does");
    }
  }
  return out;
}

/** PackBits (G.3.2): header n in 0..127 copies n+1 bytes, -1..-127 repeats the next byte 1-n times, -128 is nothing. */
function unpackSegment(src: Uint8Array, start: number, end: number, out: Uint8Array, first: number, stride: number,
  count: number): boolean {
  let input = start;
  let written = 0;
  let at = first;
  while (written < count) {
    if (input >= end) return false;
    const n = src[input++];
    if (n < 128) {
      const length = n + 1;
      if (input + length > end) return false;
      const take = Math.min(length, count - written);
      for (let i = 0; i < take; i++, at += stride) out[at] = src[input + i];
      input += length;
      written += take;
    } else if (n > 128) {
      if (input >= end) return false;
      const value = src[input++];
      const take = Math.min(257 - n, count - written);
      for (let i = 0; i < take; i++, at += stride) out[at] = value;
      written += take;
    }
  }
  return true;
}

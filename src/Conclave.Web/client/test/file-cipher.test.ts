import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { FILE_CHUNK_BYTES, FileCipherError, openFile, sealFile, sealFileWithNoncePrefix } from "../src/content/file-cipher";
import { readSharedFileVectors, sharedFilePlaintext } from "./support/shared-file-vectors";
import { hex, toHex } from "./support/sframe-vectors";

const key = crypto.getRandomValues(new Uint8Array(32));

/** Random bytes of any length (getRandomValues fills at most 64 KiB at once). */
function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length);
  for (let at = 0; at < length; at += 65536) crypto.getRandomValues(bytes.subarray(at, at + 65536));
  return bytes;
}
const SEALED_CHUNK = FILE_CHUNK_BYTES + 16;

async function sealBytes(plaintext: Uint8Array<ArrayBuffer>, withKey = key) {
  const sealed = await sealFile(new Blob([plaintext]), withKey);
  return { ...sealed, bytes: sealed.bytes, ciphertext: new Uint8Array(await sealed.ciphertext.arrayBuffer()) };
}

/** A stream that hands the plaintext over in pieces of the sizes given, as File.stream() does in whatever sizes it likes. */
function piecewise(plaintext: Uint8Array, sizes: number[]): ReadableStream<Uint8Array> {
  let offset = 0;
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= plaintext.length) return controller.close();
      const size = sizes[i++ % sizes.length];
      controller.enqueue(plaintext.slice(offset, offset + size));
      offset += size;
    },
  });
}

for (const length of [0, 1, FILE_CHUNK_BYTES - 1, FILE_CHUNK_BYTES, FILE_CHUNK_BYTES + 1, 3 * FILE_CHUNK_BYTES + 17]) {
  test(`a file of ${length} bytes seals into a 12-byte header and one 16-byte tag per chunk, and opens to itself`, async () => {
    const plaintext = randomBytes(length);
    const sealed = await sealBytes(plaintext);
    const chunks = Math.max(1, Math.ceil(length / FILE_CHUNK_BYTES));
    assert.equal(sealed.ciphertext.length, 12 + length + 16 * chunks);
    assert.equal(new TextDecoder().decode(sealed.ciphertext.subarray(0, 4)), "CNSF");
    assert.equal(sealed.ciphertext[4], 1);
    assert.equal(sealed.bytes, length);
    assert.equal(toHex(sealed.sha256), createHash("sha256").update(plaintext).digest("hex"));
    assert.deepEqual(new Uint8Array(await openFile(sealed.ciphertext.buffer, key)), plaintext);
  });
}

test("a stream in odd-sized pieces seals to the same bytes as the whole file, reporting progress per chunk", async () => {
  const plaintext = randomBytes(2 * FILE_CHUNK_BYTES + 1000);
  const prefix = crypto.getRandomValues(new Uint8Array(7));
  const progress: number[] = [];
  const fromStream = await sealFileWithNoncePrefix(piecewise(plaintext, [1, 70_000, 333, 65_536]), key, prefix, (done) => progress.push(done));
  const fromBlob = await sealFileWithNoncePrefix(new Blob([plaintext]), key, prefix);
  assert.deepEqual(new Uint8Array(await fromStream.ciphertext.arrayBuffer()), new Uint8Array(await fromBlob.ciphertext.arrayBuffer()));
  assert.deepEqual(progress, [FILE_CHUNK_BYTES, 2 * FILE_CHUNK_BYTES, 2 * FILE_CHUNK_BYTES + 1000]);
});

test("two files sealed under one key get different nonce prefixes", async () => {
  const plaintext = new Uint8Array(100);
  assert.notEqual(toHex((await sealBytes(plaintext)).ciphertext.subarray(5, 12)), toHex((await sealBytes(plaintext)).ciphertext.subarray(5, 12)));
});

test("a flipped bit in the header, a chunk or a tag is refused with a clear error", async () => {
  const { ciphertext } = await sealBytes(randomBytes(FILE_CHUNK_BYTES + 500));
  for (const at of [4, 5, 11, 12, SEALED_CHUNK + 12 + 7, ciphertext.length - 1]) {
    const tampered = ciphertext.slice();
    tampered[at] ^= 0x01;
    await assert.rejects(openFile(tampered.buffer, key), (e: unknown) => e instanceof FileCipherError && /fails authentication|version/.test(e.message));
  }
});

test("a file cut at a chunk boundary, cut inside a tag or cut to its header is refused as truncated or unauthenticated", async () => {
  const { ciphertext } = await sealBytes(randomBytes(2 * FILE_CHUNK_BYTES + 100));
  await assert.rejects(openFile(ciphertext.slice(0, 12 + 2 * SEALED_CHUNK).buffer, key), /chunk 1 of the shared file fails authentication/);
  await assert.rejects(openFile(ciphertext.slice(0, 12 + 2 * SEALED_CHUNK + 9).buffer, key), /truncated at chunk 2/);
  await assert.rejects(openFile(ciphertext.slice(0, 12).buffer, key), /truncated at chunk 0/);
  await assert.rejects(openFile(ciphertext.slice(0, 8).buffer, key), /not a shared file/);
});

test("two chunks swapped, or a chunk appended, fail authentication", async () => {
  const { ciphertext } = await sealBytes(randomBytes(3 * FILE_CHUNK_BYTES));
  const swapped = ciphertext.slice();
  swapped.set(ciphertext.subarray(12 + SEALED_CHUNK, 12 + 2 * SEALED_CHUNK), 12);
  swapped.set(ciphertext.subarray(12, 12 + SEALED_CHUNK), 12 + SEALED_CHUNK);
  await assert.rejects(openFile(swapped.buffer, key), /chunk 0 of the shared file fails authentication/);
  const extended = new Uint8Array(ciphertext.length + SEALED_CHUNK);
  extended.set(ciphertext);
  extended.set(ciphertext.subarray(12, 12 + SEALED_CHUNK), ciphertext.length);
  await assert.rejects(openFile(extended.buffer, key), /chunk 2 of the shared file fails authentication/);
});

test("another key does not open a file, an empty one included", async () => {
  const other = crypto.getRandomValues(new Uint8Array(32));
  for (const length of [0, 300]) {
    const { ciphertext } = await sealBytes(new Uint8Array(length));
    await assert.rejects(openFile(ciphertext.buffer, other), /chunk 0 of the shared file fails authentication/);
  }
  await assert.rejects(sealFile(new Blob([]), new Uint8Array(16)), RangeError);
});

test("the committed vectors, which C# seals to the same bytes, open here and seal again to the same bytes", async () => {
  const file = readSharedFileVectors();
  assert.deepEqual(file.vectors.map((v) => v.bytes), [0, 1, 65535, 65536, 65537, 200000]);
  for (const vector of file.vectors) {
    const plaintext = await sharedFilePlaintext(vector.bytes);
    const ciphertext = Buffer.from(vector.ciphertext, "base64");
    const opened = new Uint8Array(await openFile(new Uint8Array(ciphertext).buffer, hex(file.key)));
    assert.deepEqual(opened, plaintext, `${vector.bytes} bytes`);
    const sealed = await sealFileWithNoncePrefix(new Blob([plaintext]), hex(file.key), hex(file.noncePrefix));
    assert.equal(Buffer.from(await sealed.ciphertext.arrayBuffer()).toString("base64"), vector.ciphertext, `${vector.bytes} bytes`);
    assert.equal(toHex(sealed.sha256), vector.plaintextSha256);
  }
});

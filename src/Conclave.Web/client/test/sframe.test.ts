import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  SFRAME_AES_128_GCM_SHA256_128, SFrameKey, StreamContext, clearPrefixLength, mlsKeyId, mlsSenderBaseKey, openMediaFrame,
  parseMlsKeyId, readMediaFrameHeader, readSFrameHeader, sealMediaFrame, senderBitsForLeafCount, writeSFrameHeader,
} from "../src/e2ee/sframe";
import {
  type SFrameCrossVectorFile, hex, mlsLayout, openVector, readVectorFile, rfc9605AppendixC, sealVector, toHex,
} from "./support/sframe-vectors";

const appendixC = rfc9605AppendixC();
const headerCases = appendixC.filter((block) => block.has("header"));
/** RFC 9605 C.3, the case for cipher suite 0x0004 (AES_128_GCM_SHA256_128). */
const c3 = appendixC.find((block) => block.get("cipher_suite") === "0x0004")!;
const c3Hex = (name: string) => hex(c3.get(name)!);
const c3Kid = BigInt(c3.get("kid")!);
const c3Ctr = BigInt(c3.get("ctr")!);

function vp8Frame(keyFrame: boolean, length: number): Uint8Array {
  const frame = crypto.getRandomValues(new Uint8Array(length));
  if (length > 0) frame[0] = keyFrame ? frame[0] & 0xfe : frame[0] | 0x01;
  return frame;
}

describe("SFrame header (RFC 9605 §4.3)", () => {
  test("every RFC 9605 C.1 header encodes to the printed bytes", () => {
    assert.equal(headerCases.length, 289);
    for (const v of headerCases) assert.equal(toHex(writeSFrameHeader(BigInt(v.get("kid")!), BigInt(v.get("ctr")!))), v.get("header"));
  });

  test("every RFC 9605 C.1 header decodes to its kid and ctr, at any offset", () => {
    for (const v of headerCases) {
      const bytes = hex(v.get("header")!);
      const data = new Uint8Array([0xee, 0xee, ...bytes, 0xaa]);
      assert.deepEqual(readSFrameHeader(data, 2), { kid: BigInt(v.get("kid")!), ctr: BigInt(v.get("ctr")!), byteLength: bytes.length });
    }
  });

  test("a truncated header is refused", () => {
    for (const v of headerCases) {
      const bytes = hex(v.get("header")!);
      for (let length = 0; length < bytes.length; length++) assert.equal(readSFrameHeader(bytes.subarray(0, length)), undefined);
    }
  });

  test("a header not in the shortest form is refused", () => {
    for (const text of ["8005", "900012", "080312", "0900ff"]) assert.equal(readSFrameHeader(hex(text)), undefined, text);
  });

  test("a kid or ctr outside 64 bits is an error", () => {
    assert.throws(() => writeSFrameHeader(1n << 64n, 0n), RangeError);
    assert.throws(() => writeSFrameHeader(0n, -1n), RangeError);
  });
});

describe("SFrame encryption with AES_128_GCM_SHA256_128 (RFC 9605 §4.4)", () => {
  test("the cipher suite is 0x0004", () => assert.equal(SFRAME_AES_128_GCM_SHA256_128, 0x0004));

  test("WebCrypto's HKDF with an empty salt gives the RFC 9605 C.3 sframe_key and sframe_salt from its labels", async () => {
    const baseKey = await crypto.subtle.importKey("raw", c3Hex("base_key"), "HKDF", false, ["deriveBits"]);
    const expand = async (info: Uint8Array<ArrayBuffer>, bytes: number) =>
      toHex(new Uint8Array(await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info }, baseKey, bytes * 8)));
    assert.equal(await expand(c3Hex("sframe_key_label"), 16), c3.get("sframe_key"));
    assert.equal(await expand(c3Hex("sframe_salt_label"), 12), c3.get("sframe_salt"));
  });

  test("sealing the RFC 9605 C.3 plaintext gives its ct", async () => {
    const key = await SFrameKey.fromBaseKey(c3Hex("base_key"), c3Kid);
    assert.equal(key.kid, c3Kid);
    assert.equal(toHex(await key.seal(c3Ctr, c3Hex("metadata"), c3Hex("pt"))), c3.get("ct"));
  });

  test("opening the RFC 9605 C.3 ct gives its pt", async () => {
    const key = await SFrameKey.fromBaseKey(c3Hex("base_key"), c3Kid);
    assert.equal(toHex((await key.open(c3Hex("ct"), c3Hex("metadata")))!), c3.get("pt"));
  });

  test("a ciphertext with any byte changed does not open", async () => {
    const key = await SFrameKey.fromBaseKey(c3Hex("base_key"), c3Kid);
    const ct = c3Hex("ct");
    for (let i = 0; i < ct.length; i++) {
      const tampered = ct.slice();
      tampered[i] ^= 0x01;
      assert.equal(await key.open(tampered, c3Hex("metadata")), undefined, `byte ${i}`);
    }
  });

  test("a ciphertext does not open with other metadata, under another kid, or cut short", async () => {
    const key = await SFrameKey.fromBaseKey(c3Hex("base_key"), c3Kid);
    assert.equal(await key.open(c3Hex("ct"), new Uint8Array(0)), undefined);
    const other = await SFrameKey.fromBaseKey(c3Hex("base_key"), c3Kid + 1n);
    assert.equal(await other.open(c3Hex("ct"), c3Hex("metadata")), undefined);
    for (let length = 0; length < 5 + 16; length++) assert.equal(await key.open(c3Hex("ct").subarray(0, length), c3Hex("metadata")), undefined);
  });

  test("an empty plaintext seals to header and tag and opens empty", async () => {
    const key = await SFrameKey.fromBaseKey(crypto.getRandomValues(new Uint8Array(16)), 7n);
    const sealed = await key.seal(0n, new Uint8Array(0), new Uint8Array(0));
    assert.equal(sealed.length, 1 + 16);
    assert.deepEqual(await key.open(sealed, new Uint8Array(0)), new Uint8Array(0));
  });

  test("the last counter value is refused so a counter never wraps", async () => {
    const key = await SFrameKey.fromBaseKey(crypto.getRandomValues(new Uint8Array(16)), 1n);
    await assert.rejects(key.seal((1n << 64n) - 1n, new Uint8Array(0), new Uint8Array(3)), RangeError);
    const sealed = await key.seal((1n << 64n) - 2n, new Uint8Array(0), new Uint8Array(3));
    assert.equal(readSFrameHeader(sealed)?.ctr, (1n << 64n) - 2n);
  });
});

describe("MLS key IDs (RFC 9605 §5.2)", () => {
  test("sender bits are the fewest, at least one, that number every leaf", () => {
    const expected: [number, number][] = [[1, 1], [2, 1], [3, 2], [4, 2], [5, 3], [64, 6], [65, 7], [2 ** 32, 32]];
    for (const [leafCount, bits] of expected) assert.equal(senderBitsForLeafCount(leafCount), bits, `${leafCount} leaves`);
    for (const leafCount of [0, 1.5, 2 ** 32 + 1]) assert.throws(() => senderBitsForLeafCount(leafCount), RangeError);
  });

  test("the KIDs of the RFC 9605 example sequence (E=4, S=6) are composed and parsed", () => {
    const layout = { senderBits: 6, epochBits: 4 };
    const figure: [bigint, number, number, bigint][] = [
      [14n, 3, 0, 0x3en], [14n, 7, 0, 0x7en], [14n, 20, 0, 0x14en], [15n, 3, 0, 0x3fn], [15n, 5, 0, 0x5fn],
      [16n, 2, 2, 0x820n], [16n, 2, 3, 0xc20n], [17n, 33, 0, 0x211n], [17n, 51, 0, 0x331n],
    ];
    for (const [epoch, senderIndex, context, kid] of figure) {
      assert.equal(mlsKeyId(layout, context, senderIndex, epoch), kid);
      assert.deepEqual(parseMlsKeyId(layout, kid), { context, senderIndex, epochLowBits: Number(epoch % 16n) });
    }
  });

  test("Conclave layouts carry the epoch's low 8 bits under the sender and the stream context above", () => {
    const layout = mlsLayout(5);
    const kid = mlsKeyId(layout, StreamContext.ScreenVideo, 4, 0x1_0000_0102n);
    assert.equal(kid, (2n << 11n) | (4n << 8n) | 0x02n);
    assert.deepEqual(parseMlsKeyId(layout, kid), { context: StreamContext.ScreenVideo, senderIndex: 4, epochLowBits: 2 });
    assert.throws(() => mlsKeyId(layout, 0, 8, 0n), RangeError);
    assert.throws(() => mlsKeyId(layout, -1, 0, 0n), RangeError);
  });

  test("a sender's base key is the epoch secret, its sender index reaching the key through the KID", async () => {
    const secret = hex("00112233445566778899aabbccddeeff");
    const baseKey = await mlsSenderBaseKey(secret, 3);
    assert.deepEqual(baseKey, secret);
    baseKey[0] ^= 1;
    assert.equal(secret[0], 0x00);
    await assert.rejects(mlsSenderBaseKey(new Uint8Array(32), 0), RangeError);
  });

  test("streams and senders of one epoch get distinct keys from the one epoch secret", async () => {
    const secret = hex("00112233445566778899aabbccddeeff");
    const layout = mlsLayout(3);
    const tags = new Set<string>();
    for (const sender of [0, 1, 2]) {
      for (const context of [StreamContext.Microphone, StreamContext.Camera, StreamContext.Chat]) {
        const key = await SFrameKey.fromBaseKey(await mlsSenderBaseKey(secret, sender), mlsKeyId(layout, context, sender, 1n));
        const sealed = await key.seal(0n, new Uint8Array(0), new Uint8Array(16));
        tags.add(toHex(sealed.subarray(sealed.length - 32)));
      }
    }
    assert.equal(tags.size, 9);
  });
});

describe("media frames", () => {
  const cameraKey = () =>
    SFrameKey.fromBaseKey(hex("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"), mlsKeyId(mlsLayout(2), StreamContext.Camera, 1, 3n));

  test("the clear prefix is 10 bytes for a VP8 key frame, 3 for a delta frame, none for audio, never more than the frame", () => {
    const frame = (first: number, length: number) => Uint8Array.from({ length }, (_, i) => (i === 0 ? first : i));
    assert.equal(clearPrefixLength("audio", frame(0x00, 100)), 0);
    assert.equal(clearPrefixLength("video", frame(0x00, 100)), 10);
    assert.equal(clearPrefixLength("video", frame(0x9c, 100)), 10);
    assert.equal(clearPrefixLength("video", frame(0x01, 100)), 3);
    assert.equal(clearPrefixLength("video", frame(0x31, 100)), 3);
    assert.equal(clearPrefixLength("video", frame(0x00, 6)), 6);
    assert.equal(clearPrefixLength("video", frame(0x01, 2)), 2);
    assert.equal(clearPrefixLength("video", new Uint8Array(0)), 0);
  });

  for (const [keyFrame, length] of [[true, 1100], [false, 1100], [true, 10], [false, 3]] as const) {
    test(`a VP8 ${keyFrame ? "key" : "delta"} frame of ${length} bytes keeps its prefix clear and opens to the original frame`, async () => {
      const key = await cameraKey();
      const frame = vp8Frame(keyFrame, length);
      const sealed = await sealMediaFrame(key, 42n, "video", frame);
      const prefixLength = keyFrame ? 10 : 3;
      assert.deepEqual(sealed.subarray(0, prefixLength), frame.subarray(0, prefixLength));
      assert.deepEqual(readMediaFrameHeader("video", sealed), { kid: key.kid, ctr: 42n, byteLength: writeSFrameHeader(key.kid, 42n).length });
      assert.deepEqual(await openMediaFrame(key, "video", sealed), frame);
    });
  }

  test("an audio frame is encrypted whole and opens to the original frame", async () => {
    const key = await cameraKey();
    const frame = crypto.getRandomValues(new Uint8Array(120));
    const sealed = await sealMediaFrame(key, 7n, "audio", frame);
    assert.equal(readMediaFrameHeader("audio", sealed)?.ctr, 7n);
    assert.deepEqual(await openMediaFrame(key, "audio", sealed), frame);
  });

  test("a changed byte in the clear prefix fails authentication", async () => {
    const key = await cameraKey();
    const sealed = await sealMediaFrame(key, 1n, "video", vp8Frame(true, 500));
    for (let i = 1; i < 10; i++) {
      const tampered = sealed.slice();
      tampered[i] ^= 0x20;
      assert.equal(await openMediaFrame(key, "video", tampered), undefined, `byte ${i}`);
    }
  });

  test("a video frame shorter than its prefix is sealed whole as the prefix and refused on opening", async () => {
    const key = await cameraKey();
    const frame = vp8Frame(true, 6);
    const sealed = await sealMediaFrame(key, 5n, "video", frame);
    assert.deepEqual(sealed.subarray(0, 6), frame);
    assert.equal(sealed.length, 6 + writeSFrameHeader(key.kid, 5n).length + 16);
    assert.equal(await openMediaFrame(key, "video", sealed), undefined);
  });
});

describe("vectors sealed by the C# implementation (tests/vectors/sframe/from-csharp.json)", () => {
  const file = JSON.parse(readVectorFile("from-csharp.json")) as SFrameCrossVectorFile;
  test("cover audio, VP8 key and delta frames, a frame shorter than its prefix, data frames and tampering", () => {
    const kinds = new Set(file.vectors.map((v) => v.kind));
    assert.deepEqual([...kinds].sort(), ["audio", "none", "video"]);
    assert.ok(file.vectors.some((v) => v.received !== v.sealed && v.opened === null));
    const vp8PrefixRule = (frame: Uint8Array) => ((frame[0] & 1) === 0 ? 10 : 3);
    assert.ok(file.vectors.some((v) => v.kind === "video" && v.plaintext.length > 0 && hex(v.plaintext).length < vp8PrefixRule(hex(v.plaintext))));
  });
  for (const v of file.vectors) {
    test(`${v.name}: seals to the same bytes and opens the same here`, async () => {
      if (v.kind !== "none") assert.equal(toHex(hex(v.plaintext).subarray(0, clearPrefixLength(v.kind, hex(v.plaintext)))), v.metadata);
      assert.equal(toHex(await sealVector(v)), v.sealed);
      const { opened, header } = await openVector(v, hex(v.received));
      assert.equal(opened === undefined ? null : toHex(opened), v.opened);
      if (v.opened !== null) assert.equal(header?.ctr, BigInt(v.ctr));
    });
  }
});
